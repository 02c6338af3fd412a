/*-------------------------------------------------------------------------
 *
 * execute.c
 *	  The wire layer's SQL functions: dynpg.<operation>(request jsonb) and
 *	  dynpg.execute(operation text, request jsonb), which dispatches by
 *	  DynamoDB's operation name.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "access/xlog.h"

#include "api/dynpg_api.h"
#include "api/dynpg_replica.h"
#include "api/dynpg_cluster.h"
#include "api/dynpg_wire.h"
#include "base/dynpg_error.h"

/*
 * Every DynamoDB operation, by name.  Those dynpg does not implement yet
 * (fn NULL) are answered with UnknownOperationException, the exception
 * DynamoDB-compatible servers use for an operation they lack (clients
 * treat it as final, not retryable), but with a message that says what is
 * missing.
 *
 * DYN_OP_MAPS_CONFLICTS: a single-item write (PutItem, UpdateItem,
 * DeleteItem) or a BatchWriteItem (whose entries cannot come back as
 * UnprocessedItems: the transaction is aborted) that fails with a
 * serialization failure (40001) or a deadlock (40P01) is re-raised with
 * DynamoDB's TransactionConflictException message and body but its
 * SQLSTATE kept: PostgreSQL has aborted the transaction, and clients retry
 * on those codes.  PostgreSQL's own message moves to the hint.
 * TransactWriteItems maps its conflicts itself (transact_ops.c).
 */
static const DynApiOperationInfo operations[] = {
	{"CreateTable", dynpg_api_create_table, DYN_OP_WRITES},
	{"DeleteTable", dynpg_api_delete_table, DYN_OP_WRITES},
	{"DescribeTable", dynpg_api_describe_table, 0},
	{"UpdateTable", dynpg_api_update_table, DYN_OP_WRITES},
	{"ListTables", dynpg_api_list_tables, 0},
	{"PutItem", dynpg_api_put_item, DYN_OP_MAPS_CONFLICTS | DYN_OP_WRITES},
	{"GetItem", dynpg_api_get_item, DYN_OP_EVENTUAL_READ},
	{"DeleteItem", dynpg_api_delete_item, DYN_OP_MAPS_CONFLICTS | DYN_OP_WRITES},
	{"UpdateItem", dynpg_api_update_item, DYN_OP_MAPS_CONFLICTS | DYN_OP_WRITES},
	{"Query", dynpg_api_query, DYN_OP_EVENTUAL_READ},
	{"Scan", dynpg_api_scan, DYN_OP_EVENTUAL_READ},
	{"BatchGetItem", dynpg_api_batch_get_item, DYN_OP_EVENTUAL_READ},
	{"BatchWriteItem", dynpg_api_batch_write_item, DYN_OP_MAPS_CONFLICTS | DYN_OP_WRITES},
	{"TransactWriteItems", dynpg_api_transact_write_items, DYN_OP_WRITES},
	{"TransactGetItems", dynpg_api_transact_get_items, DYN_OP_STRONG_READ},
	{"TagResource", dynpg_api_tag_resource, DYN_OP_WRITES},
	{"UntagResource", dynpg_api_untag_resource, DYN_OP_WRITES},
	{"ListTagsOfResource", dynpg_api_list_tags_of_resource, 0},
	{"UpdateTimeToLive", dynpg_api_update_time_to_live, DYN_OP_WRITES},
	{"DescribeTimeToLive", dynpg_api_describe_time_to_live, 0},
	{"DescribeLimits", dynpg_api_describe_limits, 0},
	{"DescribeEndpoints", dynpg_api_describe_endpoints, 0},
	/* imports from S3 (here: dynpg.export_directory) */
	{"ImportTable", dynpg_api_import_table, DYN_OP_WRITES},
	{"DescribeImport", dynpg_api_describe_import, 0},
	{"ListImports", dynpg_api_list_imports, 0},
	/* PartiQL */
	{"ExecuteStatement", dynpg_api_execute_statement, DYN_OP_MAPS_CONFLICTS | DYN_OP_PARTIQL},
	{"BatchExecuteStatement", dynpg_api_batch_execute_statement, DYN_OP_PARTIQL},
	{"ExecuteTransaction", dynpg_api_execute_transaction, DYN_OP_WRITES | DYN_OP_STRONG_READ},
	/* DynamoDB Streams */
	{"ListStreams", dynpg_api_list_streams, DYN_OP_STREAMS},
	{"DescribeStream", dynpg_api_describe_stream, DYN_OP_STREAMS},
	{"GetShardIterator", dynpg_api_get_shard_iterator, DYN_OP_STREAMS},
	{"GetRecords", dynpg_api_get_records, DYN_OP_STREAMS},
	/* exports to S3 */
	{"ExportTableToPointInTime", dynpg_api_export_table_to_point_in_time, DYN_OP_WRITES},
	{"DescribeExport", dynpg_api_describe_export, 0},
	{"ListExports", dynpg_api_list_exports, 0},
	/* not implemented yet */
	{"CreateBackup"},
	{"CreateGlobalTable"}, {"DeleteBackup"}, {"DeleteResourcePolicy"}, {"DescribeBackup"},
	{"DescribeContinuousBackups"}, {"DescribeContributorInsights"},
	{"DescribeGlobalTable"}, {"DescribeGlobalTableSettings"},
	{"DescribeKinesisStreamingDestination"},
	{"DescribeTableReplicaAutoScaling"},
	{"DisableKinesisStreamingDestination"}, {"EnableKinesisStreamingDestination"},
	{"GetResourcePolicy"}, {"ListBackups"}, {"ListContributorInsights"},
	{"ListGlobalTables"},
	{"PutResourcePolicy"}, {"RestoreTableFromBackup"},
	{"RestoreTableToPointInTime"}, {"UpdateContinuousBackups"},
	{"UpdateContributorInsights"}, {"UpdateGlobalTable"}, {"UpdateGlobalTableSettings"},
	{"UpdateKinesisStreamingDestination"},
	{"UpdateTableReplicaAutoScaling"},
};

const DynApiOperationInfo *
dynpg_api_find_operation(const char *name)
{
	int			i;

	for (i = 0; i < lengthof(operations); i++)
		if (strcmp(operations[i].name, name) == 0)
			return &operations[i];
	return NULL;
}

DynJson *
dynpg_api_call(const DynApiOperationInfo *op, DynJson *request)
{
	if (op != NULL && op->fn != NULL && dynpg_cluster_routes())
		return dynpg_cluster_call(op, request);
	return dynpg_api_call_local(op, request);
}

DynJson *
dynpg_api_call_local(const DynApiOperationInfo *op, DynJson *request)
{
	MemoryContext cxt = CurrentMemoryContext;
	DynJson    *result = NULL;

	if (op == NULL)
		dynpg_raise(DYN_ERR_UNKNOWN_OPERATION, "An unknown operation was requested.");
	if (op->fn == NULL)
		dynpg_raise(DYN_ERR_UNKNOWN_OPERATION,
					"dynpg does not support the operation %s yet", op->name);
	/* a standby refuses writes and strong reads; a primary may send eventual reads to one */
	if (RecoveryInProgress())
		dynpg_replica_refuse_on_standby(op, request);
	else if (op->flags & DYN_OP_EVENTUAL_READ)
	{
		result = dynpg_replica_forward(op, request);
		if (result != NULL)
			return result;
	}
	if ((op->flags & DYN_OP_MAPS_CONFLICTS) == 0)
		return op->fn(request);
	PG_TRY();
	{
		result = op->fn(request);
	}
	PG_CATCH();
	{
		int			code = geterrcode();
		ErrorData  *edata;

		if (code != ERRCODE_T_R_SERIALIZATION_FAILURE && code != ERRCODE_T_R_DEADLOCK_DETECTED)
			PG_RE_THROW();
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		edata->hint = psprintf("PostgreSQL reported: %s.  Retry the transaction.", edata->message);
		edata->message = DYN_MSG_TRANSACTION_CONFLICT;
		edata->detail = dynpg_error_body(DYN_ERR_TRANSACTION_CONFLICT, NULL, NULL, edata->message);
		ReThrowError(edata);
	}
	PG_END_TRY();
	return result;
}

PG_FUNCTION_INFO_V1(dynpg_execute);
Datum
dynpg_execute(PG_FUNCTION_ARGS)
{
	char	   *operation = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_JSONB_P(dynpg_response_jsonb(dynpg_api_call(dynpg_api_find_operation(operation),
														   dynpg_json_from_jsonb(PG_GETARG_JSONB_P(1)))));
}

/* The entry of operation 'name', looked up once per backend into *cache. */
static const DynApiOperationInfo *
operation_once(const DynApiOperationInfo **cache, const char *name)
{
	if (*cache == NULL)
		*cache = dynpg_api_find_operation(name);
	return *cache;
}

/* dynpg.<operation>(request jsonb) RETURNS jsonb */
#define DYNPG_OPERATION_FUNCTION(sqlname, name) \
PG_FUNCTION_INFO_V1(sqlname); \
Datum \
sqlname(PG_FUNCTION_ARGS) \
{ \
	static const DynApiOperationInfo *op = NULL; \
\
	PG_RETURN_JSONB_P(dynpg_response_jsonb(dynpg_api_call(operation_once(&op, name), \
														   dynpg_json_from_jsonb(PG_GETARG_JSONB_P(0))))); \
}

DYNPG_OPERATION_FUNCTION(dynpg_create_table, "CreateTable")
DYNPG_OPERATION_FUNCTION(dynpg_delete_table, "DeleteTable")
DYNPG_OPERATION_FUNCTION(dynpg_describe_table, "DescribeTable")
DYNPG_OPERATION_FUNCTION(dynpg_update_table, "UpdateTable")
DYNPG_OPERATION_FUNCTION(dynpg_list_tables, "ListTables")
DYNPG_OPERATION_FUNCTION(dynpg_put_item, "PutItem")
DYNPG_OPERATION_FUNCTION(dynpg_get_item, "GetItem")
DYNPG_OPERATION_FUNCTION(dynpg_delete_item, "DeleteItem")
DYNPG_OPERATION_FUNCTION(dynpg_update_item, "UpdateItem")
DYNPG_OPERATION_FUNCTION(dynpg_query, "Query")
DYNPG_OPERATION_FUNCTION(dynpg_scan, "Scan")
DYNPG_OPERATION_FUNCTION(dynpg_batch_get_item, "BatchGetItem")
DYNPG_OPERATION_FUNCTION(dynpg_batch_write_item, "BatchWriteItem")
DYNPG_OPERATION_FUNCTION(dynpg_transact_write_items, "TransactWriteItems")
DYNPG_OPERATION_FUNCTION(dynpg_transact_get_items, "TransactGetItems")
DYNPG_OPERATION_FUNCTION(dynpg_tag_resource, "TagResource")
DYNPG_OPERATION_FUNCTION(dynpg_untag_resource, "UntagResource")
DYNPG_OPERATION_FUNCTION(dynpg_list_tags_of_resource, "ListTagsOfResource")
DYNPG_OPERATION_FUNCTION(dynpg_update_time_to_live, "UpdateTimeToLive")
DYNPG_OPERATION_FUNCTION(dynpg_describe_time_to_live, "DescribeTimeToLive")
DYNPG_OPERATION_FUNCTION(dynpg_describe_limits, "DescribeLimits")
DYNPG_OPERATION_FUNCTION(dynpg_import_table, "ImportTable")
DYNPG_OPERATION_FUNCTION(dynpg_describe_import, "DescribeImport")
DYNPG_OPERATION_FUNCTION(dynpg_list_imports, "ListImports")
DYNPG_OPERATION_FUNCTION(dynpg_describe_endpoints, "DescribeEndpoints")
DYNPG_OPERATION_FUNCTION(dynpg_execute_statement, "ExecuteStatement")
DYNPG_OPERATION_FUNCTION(dynpg_batch_execute_statement, "BatchExecuteStatement")
DYNPG_OPERATION_FUNCTION(dynpg_execute_transaction, "ExecuteTransaction")
DYNPG_OPERATION_FUNCTION(dynpg_list_streams, "ListStreams")
DYNPG_OPERATION_FUNCTION(dynpg_describe_stream, "DescribeStream")
DYNPG_OPERATION_FUNCTION(dynpg_get_shard_iterator, "GetShardIterator")
DYNPG_OPERATION_FUNCTION(dynpg_get_records, "GetRecords")
DYNPG_OPERATION_FUNCTION(dynpg_export_table_to_point_in_time, "ExportTableToPointInTime")
DYNPG_OPERATION_FUNCTION(dynpg_describe_export, "DescribeExport")
DYNPG_OPERATION_FUNCTION(dynpg_list_exports, "ListExports")

/*
 * The text-in, text-out forms: dynpg.execute_json(operation, request json)
 * and dynpg.<read operation>_json(request json) RETURNS json.  For callers
 * that pass DynamoDB's JSON on (an application server, a proxy): the
 * request is parsed by dynpg's own JSON parser, as the HTTP endpoint parses
 * a body, and the response is written as text once, items straight from
 * their stored form (dynpg_response_text), with no jsonb built on either
 * side.  PostgreSQL's json type has already checked the argument's syntax;
 * its strings may hold U+0000 ("\u0000"), which jsonb cannot.
 */
static Datum
call_json(const DynApiOperationInfo *op, text *request)
{
	StringInfoData out;
	DynJson    *response;

	response = dynpg_api_call(op, dynpg_json_parse(VARDATA_ANY(request),
												   VARSIZE_ANY_EXHDR(request)));
	/* the varlena header first, the text after it: no copy on return */
	initStringInfo(&out);
	appendStringInfoSpaces(&out, VARHDRSZ);
	dynpg_response_text(&out, response);
	SET_VARSIZE(out.data, out.len);
	PG_RETURN_TEXT_P((text *) out.data);
}

PG_FUNCTION_INFO_V1(dynpg_execute_json);
Datum
dynpg_execute_json(PG_FUNCTION_ARGS)
{
	char	   *operation = text_to_cstring(PG_GETARG_TEXT_PP(0));

	return call_json(dynpg_api_find_operation(operation), PG_GETARG_TEXT_PP(1));
}

/* dynpg.<read operation>_json(request json) RETURNS json */
#define DYNPG_OPERATION_JSON_FUNCTION(sqlname, name) \
PG_FUNCTION_INFO_V1(sqlname); \
Datum \
sqlname(PG_FUNCTION_ARGS) \
{ \
	static const DynApiOperationInfo *op = NULL; \
\
	return call_json(operation_once(&op, name), PG_GETARG_TEXT_PP(0)); \
}

DYNPG_OPERATION_JSON_FUNCTION(dynpg_get_item_json, "GetItem")
DYNPG_OPERATION_JSON_FUNCTION(dynpg_query_json, "Query")
DYNPG_OPERATION_JSON_FUNCTION(dynpg_scan_json, "Scan")
DYNPG_OPERATION_JSON_FUNCTION(dynpg_batch_get_item_json, "BatchGetItem")
DYNPG_OPERATION_JSON_FUNCTION(dynpg_transact_get_items_json, "TransactGetItems")
