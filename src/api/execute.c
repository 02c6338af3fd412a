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

#include "api/dynpg_api.h"
#include "base/dynpg_error.h"

typedef struct DynOperationEntry
{
	const char *name;
	DynApiOperation fn;
} DynOperationEntry;

static const DynOperationEntry operations[] = {
	{"CreateTable", dynpg_api_create_table},
	{"DeleteTable", dynpg_api_delete_table},
	{"DescribeTable", dynpg_api_describe_table},
	{"UpdateTable", dynpg_api_update_table},
	{"ListTables", dynpg_api_list_tables},
	{"PutItem", dynpg_api_put_item},
	{"GetItem", dynpg_api_get_item},
	{"DeleteItem", dynpg_api_delete_item},
	{"UpdateItem", dynpg_api_update_item},
	{"Query", dynpg_api_query},
	{"Scan", dynpg_api_scan},
	{"BatchGetItem", dynpg_api_batch_get_item},
	{"BatchWriteItem", dynpg_api_batch_write_item},
	{"TransactWriteItems", dynpg_api_transact_write_items},
	{"TransactGetItems", dynpg_api_transact_get_items},
	{NULL, NULL}
};

/*
 * DynamoDB operations dynpg does not implement yet.  They are answered
 * with UnknownOperationException, the exception DynamoDB-compatible
 * servers use for an operation they lack (clients treat it as final, not
 * retryable), but with a message that says what is missing.
 */
static const char *const not_yet[] = {
	"BatchExecuteStatement", "CreateBackup",
	"CreateGlobalTable", "DeleteBackup", "DeleteResourcePolicy", "DescribeBackup",
	"DescribeContinuousBackups", "DescribeContributorInsights", "DescribeEndpoints",
	"DescribeExport", "DescribeGlobalTable", "DescribeGlobalTableSettings",
	"DescribeImport", "DescribeKinesisStreamingDestination", "DescribeLimits",
	"DescribeTableReplicaAutoScaling", "DescribeTimeToLive",
	"DisableKinesisStreamingDestination", "EnableKinesisStreamingDestination",
	"ExecuteStatement", "ExecuteTransaction", "ExportTableToPointInTime",
	"GetResourcePolicy", "ImportTable", "ListBackups", "ListContributorInsights",
	"ListExports", "ListGlobalTables", "ListImports", "ListTagsOfResource",
	"PutResourcePolicy", "RestoreTableFromBackup",
	"RestoreTableToPointInTime", "TagResource", "UntagResource", "UpdateContinuousBackups",
	"UpdateContributorInsights", "UpdateGlobalTable", "UpdateGlobalTableSettings",
	"UpdateKinesisStreamingDestination",
	"UpdateTableReplicaAutoScaling", "UpdateTimeToLive", NULL
};

/*
 * Conflicts.  A single-item write (PutItem, UpdateItem, DeleteItem) or a
 * BatchWriteItem (whose entries cannot come back as UnprocessedItems: the
 * transaction is aborted) that fails with a serialization failure (40001)
 * or a deadlock (40P01) is
 * re-raised with DynamoDB's TransactionConflictException message and body
 * but its SQLSTATE kept: PostgreSQL has aborted the transaction, and
 * clients retry on those codes.  PostgreSQL's own message moves to the
 * hint.  TransactWriteItems maps its conflicts itself (transact_ops.c).
 */
Jsonb *
dynpg_api_call(DynApiOperation fn, Jsonb *request)
{
	MemoryContext cxt = CurrentMemoryContext;
	Jsonb	   *result = NULL;

	if (fn != dynpg_api_put_item && fn != dynpg_api_update_item && fn != dynpg_api_delete_item &&
		fn != dynpg_api_batch_write_item)
		return fn(request);
	PG_TRY();
	{
		result = fn(request);
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
		edata->message = "Transaction is ongoing for the item";
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
	Jsonb	   *request = PG_GETARG_JSONB_P(1);
	int			i;

	/* operation names are case-sensitive, as in X-Amz-Target */
	for (i = 0; operations[i].name != NULL; i++)
		if (strcmp(operations[i].name, operation) == 0)
			PG_RETURN_JSONB_P(dynpg_api_call(operations[i].fn, request));
	for (i = 0; not_yet[i] != NULL; i++)
		if (strcmp(not_yet[i], operation) == 0)
			dynpg_raise(DYN_ERR_UNKNOWN_OPERATION,
						"dynpg does not support the operation %s yet", operation);
	dynpg_raise(DYN_ERR_UNKNOWN_OPERATION, "An unknown operation was requested.");
	PG_RETURN_NULL();
}

#define DYNPG_OPERATION_FUNCTION(sqlname, fn) \
PG_FUNCTION_INFO_V1(sqlname); \
Datum \
sqlname(PG_FUNCTION_ARGS) \
{ \
	PG_RETURN_JSONB_P(dynpg_api_call(fn, PG_GETARG_JSONB_P(0))); \
}

DYNPG_OPERATION_FUNCTION(dynpg_create_table, dynpg_api_create_table)
DYNPG_OPERATION_FUNCTION(dynpg_delete_table, dynpg_api_delete_table)
DYNPG_OPERATION_FUNCTION(dynpg_describe_table, dynpg_api_describe_table)
DYNPG_OPERATION_FUNCTION(dynpg_update_table, dynpg_api_update_table)
DYNPG_OPERATION_FUNCTION(dynpg_list_tables, dynpg_api_list_tables)
DYNPG_OPERATION_FUNCTION(dynpg_put_item, dynpg_api_put_item)
DYNPG_OPERATION_FUNCTION(dynpg_get_item, dynpg_api_get_item)
DYNPG_OPERATION_FUNCTION(dynpg_delete_item, dynpg_api_delete_item)
DYNPG_OPERATION_FUNCTION(dynpg_update_item, dynpg_api_update_item)
DYNPG_OPERATION_FUNCTION(dynpg_query, dynpg_api_query)
DYNPG_OPERATION_FUNCTION(dynpg_scan, dynpg_api_scan)
DYNPG_OPERATION_FUNCTION(dynpg_batch_get_item, dynpg_api_batch_get_item)
DYNPG_OPERATION_FUNCTION(dynpg_batch_write_item, dynpg_api_batch_write_item)
DYNPG_OPERATION_FUNCTION(dynpg_transact_write_items, dynpg_api_transact_write_items)
DYNPG_OPERATION_FUNCTION(dynpg_transact_get_items, dynpg_api_transact_get_items)
