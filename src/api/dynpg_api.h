/*-------------------------------------------------------------------------
 *
 * dynpg_api.h
 *	  DynamoDB operations: each takes the request and returns the response,
 *	  both as DynamoDB's JSON (jsonb), field for field.
 *
 * The SQL functions dynpg.<operation>(jsonb) and dynpg.execute(operation,
 * jsonb) call these.  Each raises DynamoDB's exception (dynpg_error.h) for
 * a bad request, and validates everything before it writes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_API_H
#define DYNPG_API_H

#include "utils/jsonb.h"

typedef Jsonb *(*DynApiOperation) (Jsonb *request);

/* control plane (table_ops.c) */
extern Jsonb *dynpg_api_create_table(Jsonb *request);
extern Jsonb *dynpg_api_delete_table(Jsonb *request);
extern Jsonb *dynpg_api_describe_table(Jsonb *request);
extern Jsonb *dynpg_api_list_tables(Jsonb *request);

/* control plane: UpdateTable (table_update.c) */
extern Jsonb *dynpg_api_update_table(Jsonb *request);

/* items (item_ops.c) */
extern Jsonb *dynpg_api_put_item(Jsonb *request);
extern Jsonb *dynpg_api_get_item(Jsonb *request);
extern Jsonb *dynpg_api_delete_item(Jsonb *request);
extern Jsonb *dynpg_api_update_item(Jsonb *request);

/* reads of many items (query_ops.c) */
extern Jsonb *dynpg_api_query(Jsonb *request);
extern Jsonb *dynpg_api_scan(Jsonb *request);

/* batches (batch_ops.c) */
extern Jsonb *dynpg_api_batch_get_item(Jsonb *request);
extern Jsonb *dynpg_api_batch_write_item(Jsonb *request);

/* transactions (transact_ops.c) */
extern Jsonb *dynpg_api_transact_write_items(Jsonb *request);
extern Jsonb *dynpg_api_transact_get_items(Jsonb *request);

/* TransactionConflictException's message (and a cancellation reason's) */
#define DYN_MSG_TRANSACTION_CONFLICT "Transaction is ongoing for the item"

/* What dynpg knows of each DynamoDB operation */
#define DYN_OP_MAPS_CONFLICTS	0x01	/* a serialization failure or deadlock is
										 * TransactionConflictException */

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
extern Jsonb *dynpg_api_call(const DynApiOperationInfo *op, Jsonb *request);

#endif							/* DYNPG_API_H */
