/*-------------------------------------------------------------------------
 *
 * dynpg_api.h
 *	  DynamoDB operations: each takes the request and returns the response,
 *	  both as DynamoDB's JSON, field for field, as JSON trees
 *	  (base/dynpg_json.h; api/dynpg_wire.h writes a response as jsonb or
 *	  text).
 *
 * The SQL functions dynpg.<operation>(jsonb) and dynpg.execute(operation,
 * jsonb) call these.  Each raises DynamoDB's exception (dynpg_error.h) for
 * a bad request, and validates everything before it writes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_API_H
#define DYNPG_API_H

#include "base/dynpg_json.h"

typedef DynJson *(*DynApiOperation) (DynJson *request);

/*
 * The address (host or host:port) by which the client reached this server,
 * when the front end calling an operation knows it (the HTTP endpoint sets
 * it from the request's Host header for the length of one call), else
 * NULL.  DescribeEndpoints answers it; nothing else reads it.
 */
extern const char *dynpg_api_client_endpoint;

/* control plane (table_ops.c) */
extern DynJson *dynpg_api_create_table(DynJson *request);
extern DynJson *dynpg_api_delete_table(DynJson *request);
extern DynJson *dynpg_api_describe_table(DynJson *request);
extern DynJson *dynpg_api_list_tables(DynJson *request);

/* control plane: UpdateTable (table_update.c) */
extern DynJson *dynpg_api_update_table(DynJson *request);

/* table_settings.c: tags, time to live, limits, endpoints */
extern DynJson *dynpg_api_tag_resource(DynJson *request);
extern DynJson *dynpg_api_untag_resource(DynJson *request);
extern DynJson *dynpg_api_list_tags_of_resource(DynJson *request);
extern DynJson *dynpg_api_update_time_to_live(DynJson *request);
extern DynJson *dynpg_api_describe_time_to_live(DynJson *request);
extern DynJson *dynpg_api_describe_limits(DynJson *request);
extern DynJson *dynpg_api_describe_endpoints(DynJson *request);

/* DynamoDB Streams (stream_ops.c): a service of its own (DynamoDBStreams_20120810) */
extern DynJson *dynpg_api_list_streams(DynJson *request);
extern DynJson *dynpg_api_describe_stream(DynJson *request);
extern DynJson *dynpg_api_get_shard_iterator(DynJson *request);
extern DynJson *dynpg_api_get_records(DynJson *request);

/* ImportTable, DescribeImport, ListImports (import_ops.c) */
extern DynJson *dynpg_api_import_table(DynJson *request);
extern DynJson *dynpg_api_describe_import(DynJson *request);
extern DynJson *dynpg_api_list_imports(DynJson *request);

/* items (item_ops.c) */
extern DynJson *dynpg_api_put_item(DynJson *request);
extern DynJson *dynpg_api_get_item(DynJson *request);
extern DynJson *dynpg_api_delete_item(DynJson *request);
extern DynJson *dynpg_api_update_item(DynJson *request);

/* reads of many items (query_ops.c) */
extern DynJson *dynpg_api_query(DynJson *request);
extern DynJson *dynpg_api_scan(DynJson *request);

/* batches (batch_ops.c) */
extern DynJson *dynpg_api_batch_get_item(DynJson *request);
extern DynJson *dynpg_api_batch_write_item(DynJson *request);

/* transactions (transact_ops.c) */
extern DynJson *dynpg_api_transact_write_items(DynJson *request);
extern DynJson *dynpg_api_transact_get_items(DynJson *request);

/* PartiQL (partiql_ops.c) */
extern DynJson *dynpg_api_execute_statement(DynJson *request);
extern DynJson *dynpg_api_batch_execute_statement(DynJson *request);
extern DynJson *dynpg_api_execute_transaction(DynJson *request);

/* exports to S3 (export_ops.c) */
extern DynJson *dynpg_api_export_table_to_point_in_time(DynJson *request);
extern DynJson *dynpg_api_describe_export(DynJson *request);
extern DynJson *dynpg_api_list_exports(DynJson *request);

/* TransactionConflictException's message (and a cancellation reason's) */
#define DYN_MSG_TRANSACTION_CONFLICT "Transaction is ongoing for the item"

/* What dynpg knows of each DynamoDB operation */
#define DYN_OP_MAPS_CONFLICTS	0x01	/* a serialization failure or deadlock is
										 * TransactionConflictException */
#define DYN_OP_STREAMS			0x02	/* DynamoDB Streams' API, not DynamoDB's */
/*
 * What a standby may serve and a primary may forward to one (replica.c,
 * src/api/README "Reads from standbys"); an operation with none of these
 * reads only and is served by a standby as it is (DescribeTable, ...).
 */
#define DYN_OP_WRITES			0x04	/* changes data or definitions: never on a standby */
#define DYN_OP_EVENTUAL_READ	0x08	/* GetItem, Query, Scan, BatchGetItem: on a standby
										 * unless ConsistentRead is true */
#define DYN_OP_STRONG_READ		0x10	/* always strongly consistent (TransactGetItems,
										 * ExecuteTransaction): never on a standby */
#define DYN_OP_PARTIQL			0x20	/* ExecuteStatement, BatchExecuteStatement: on a
										 * standby for SELECTs that are not consistent */

typedef struct DynApiOperationInfo
{
	const char *name;			/* DynamoDB's name, as in X-Amz-Target */
	DynApiOperation fn;			/* NULL: not implemented yet */
	int			flags;			/* DYN_OP_* */
} DynApiOperationInfo;

/*
 * The operation named 'name' (case-sensitive, as in X-Amz-Target), or NULL
 * when DynamoDB has no such operation.  Operations dynpg does not implement
 * yet are found, with fn NULL.
 */
extern const DynApiOperationInfo *dynpg_api_find_operation(const char *name);

/*
 * Call an operation found by dynpg_api_find_operation: NULL (no such
 * operation) and an operation not implemented yet raise
 * UnknownOperationException; with DYN_OP_MAPS_CONFLICTS, a serialization
 * failure or deadlock is re-raised as DynamoDB's
 * TransactionConflictException, keeping its SQLSTATE (execute.c).
 */
extern DynJson *dynpg_api_call(const DynApiOperationInfo *op, DynJson *request);

/*
 * The same, always on this database: dynpg_api_call routes every call of a
 * cluster's router database to the nodes (api/dynpg_cluster.h); the router
 * itself (its validation on its empty tables) and a node's side of a
 * routed call use this one.
 */
extern DynJson *dynpg_api_call_local(const DynApiOperationInfo *op, DynJson *request);

#endif							/* DYNPG_API_H */
