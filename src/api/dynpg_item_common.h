/*-------------------------------------------------------------------------
 *
 * dynpg_item_common.h
 *	  What the data-plane operations (item_ops.c, query_ops.c, batch_ops.c,
 *	  transact_ops.c) share, defined in item_common.c: DynamoDB's enum sets
 *	  and messages, the members of single-item requests, expression
 *	  parameters and legacy-parameter mixing, conditions and updates for the
 *	  write path, opening a table with its privilege checks, key checks,
 *	  and consumed capacity.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_ITEM_COMMON_H
#define DYNPG_ITEM_COMMON_H

#include "storage/lockdefs.h"
#include "utils/acl.h"
#include "utils/jsonb.h"
#include "utils/rel.h"

#include "base/dynpg_request.h"
#include "api/dynpg_wire.h"
#include "expr/dynpg_expr.h"
#include "types/dynpg_key.h"

/* capacity unit sizes: a read unit covers 4 KB, a write unit 1 KB */
#define DYN_READ_UNIT_BYTES		4096
#define DYN_WRITE_UNIT_BYTES	1024

/* ConditionalCheckFailedException's message (and a cancellation reason's) */
#define DYN_MSG_CONDITION_FAILED	"The conditional request failed"

/* Enum values, in the order DynamoDB's messages list them */
extern const char *const dynpg_api_return_values_on_failure[];
extern const char *const dynpg_api_return_consumed_capacity[];
extern const char *const dynpg_api_return_item_collection_metrics[];

/* GetItem's and BatchGetItem's legacy parameter and the expression replacing it */
extern const char *const dynpg_api_get_legacy[];
extern const char *const dynpg_api_get_expressions[];

/*
 * The members of a single-item request: PutItem, GetItem, DeleteItem,
 * UpdateItem, and the actions of TransactWriteItems and TransactGetItems.
 * Each operation reads the ones it has with its member table
 * (dynpg_request.h's DynMember, offsets with DYN_ITEM_MEMBER); the others
 * stay NULL.
 */
typedef struct DynItemRequest
{
	char	   *table_name;
	DynJson    *item_jb;		/* Item (a put), else Key */
	char	   *return_values;
	char	   *capacity;		/* ReturnConsumedCapacity */
	char	   *metrics;		/* ReturnItemCollectionMetrics */
	char	   *on_failure;		/* ReturnValuesOnConditionCheckFailure */
	char	   *update_text;	/* UpdateExpression */
	char	   *cond_text;		/* ConditionExpression */
	DynJson    *names_jb;		/* ExpressionAttributeNames */
	DynJson    *values_jb;		/* ExpressionAttributeValues */
	DynJson    *expected_jb;	/* Expected */
	char	   *cond_op;		/* ConditionalOperator */
	DynJson    *updates_jb;		/* AttributeUpdates */
	bool		consistent;		/* ConsistentRead */
	char	   *projection;		/* ProjectionExpression */
	DynJson    *to_get;			/* AttributesToGet */
} DynItemRequest;

#define DYN_ITEM_MEMBER(field) offsetof(DynItemRequest, field)

/*
 * Entries of member tables for the members several operations share;
 * 'order' is the member's place among the operation's checks.
 */
#define DYN_MEMBER_TABLE_NAME(order) \
	{"TableName", DYN_MODEL_STRING, DYN_ITEM_MEMBER(table_name), (order), "TableName", \
	DYN_CHECK_TABLE_NAME, .min = 1}
#define DYN_MEMBER_ITEM(order) \
	{"Item", DYN_MODEL_MAP, DYN_ITEM_MEMBER(item_jb), (order), "Item", DYN_CHECK_NOT_NULL}
#define DYN_MEMBER_KEY(order) \
	{"Key", DYN_MODEL_MAP, DYN_ITEM_MEMBER(item_jb), (order), "Key", DYN_CHECK_NOT_NULL}
#define DYN_MEMBER_CAPACITY(order) \
	{"ReturnConsumedCapacity", DYN_MODEL_STRING, DYN_ITEM_MEMBER(capacity), (order), \
	"ReturnConsumedCapacity", DYN_CHECK_ENUM, dynpg_api_return_consumed_capacity}
#define DYN_MEMBER_METRICS(order) \
	{"ReturnItemCollectionMetrics", DYN_MODEL_STRING, DYN_ITEM_MEMBER(metrics), (order), \
	"ReturnItemCollectionMetrics", DYN_CHECK_ENUM, dynpg_api_return_item_collection_metrics}
#define DYN_MEMBER_ON_FAILURE(order) \
	{"ReturnValuesOnConditionCheckFailure", DYN_MODEL_STRING, DYN_ITEM_MEMBER(on_failure), \
	(order), "ReturnValuesOnConditionCheckFailure", DYN_CHECK_ENUM, \
	dynpg_api_return_values_on_failure}
/* ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues (no checks) */
#define DYN_MEMBERS_CONDITION_EXPRESSION \
	{"ConditionExpression", DYN_MODEL_STRING, DYN_ITEM_MEMBER(cond_text)}, \
	{"ExpressionAttributeNames", DYN_MODEL_MAP, DYN_ITEM_MEMBER(names_jb)}, \
	{"ExpressionAttributeValues", DYN_MODEL_MAP, DYN_ITEM_MEMBER(values_jb)}

/*
 * A write's condition, evaluated by the write path's check on the newest
 * committed item while the key is held.  When it is false, 'failed' is set
 * (and 'failed_item' holds a copy of the item for ALL_OLD) before
 * ConditionalCheckFailedException is raised, so that TransactWriteItems,
 * which catches the error in a subtransaction, can report it.
 */
typedef struct DynConditionArg
{
	DynExprNode *condition;
	bool		all_old_on_failure;
	bool		failed;
	DynItem    *failed_item;
} DynConditionArg;

extern void dynpg_api_condition_check(const DynItem *current, void *arg);

/* UpdateItem's compute: the condition, then the updated item */
typedef struct DynUpdateArg
{
	DynConditionArg cond;
	DynUpdate  *update;
	DynItem    *key_item;
	int		   *positions;		/* where each SET of a list element landed */
} DynUpdateArg;

extern DynItem *dynpg_api_update_compute(const DynItem *current, void *arg);

/*
 * Phase 3 of a write: the expression parameters, the condition (Expected
 * and ConditionalOperator, or ConditionExpression), the update
 * (AttributeUpdates, or UpdateExpression; 'is_update'), unused names and
 * values.  *ua is ready for the write path (ua->key_item is the caller's).
 */
extern void dynpg_api_write_expressions(const DynItemRequest *r, bool is_update,
										DynExprContext *ectx, DynUpdateArg *ua);

/* Whether 'item' has the key attributes with their types ('exact': and nothing else) */
extern bool dynpg_api_key_matches(const DynItem *item, const DynKeySchema *ks, bool exact);
/* A Key: exactly the table's key attributes with their types, and their values' rules */
extern void dynpg_api_check_key(const DynItem *key_item, const DynKeySchema *ks);
/* An update's key attributes and index key types against table 'rel' */
extern void dynpg_api_check_update_keys(Relation rel, DynUpdate *upd, const DynKeySchema *ks);

extern void dynpg_api_check_no_mixing(const DynJson *root, const char *const *legacy,
									  const char *const *expressions);
/* ConditionalOperator with fewer than two conditions (Expected, QueryFilter, ScanFilter) */
extern void dynpg_api_check_conditional_operator(DynJson *conditions,
												 const char *conditional_operator);
/* names and values without an expression that could use them */
extern void dynpg_api_expressions_used(DynJson *names, DynJson *values, bool names_usable,
									   bool values_usable, const char *values_null);
extern void dynpg_api_expression_params(DynExprContext *ctx, DynJson *names, DynJson *values,
										bool any_expression, const char *values_null);
extern void dynpg_api_check_privilege(Relation rel, AclMode mode);
/*
 * The table ImportTable's load is writing in this process (import_ops.c), or
 * InvalidOid: the one table "CREATING" the item operations open.
 */
extern Oid	dynpg_api_import_loading_relid;

extern Relation dynpg_api_open_item_table(const char *name, LOCKMODE lockmode, AclMode mode,
										  bool also_select, DynKeySchema *key);
extern int64 dynpg_api_units_for(int64 bytes, int64 unit_bytes);
/* whether ReturnConsumedCapacity asks for ConsumedCapacity (TOTAL or INDEXES) */
extern bool dynpg_api_capacity_wanted(const char *mode);
/* one table's ConsumedCapacity object ('key' NULL: an array element) */
extern void dynpg_api_push_capacity_units(DynOut **st, const char *key,
										  const char *mode, const char *table_name,
										  int64 half_units);
/*
 * What writes to one table cost, as DynamoDB charges them: the table's
 * write units (1 KB units of the larger of the old and new item, at least
 * 1 per write) and each index's (index_entry.c's dynpg_index_write_units:
 * per entry put or deleted, by its projected size).  Accumulated over the
 * writes of a batch or transaction to the same table.
 */
typedef struct DynWriteCharge
{
	int64		table_units;
	int			nindexes;		/* the table's indexes, definition order */
	char	  **index_names;
	bool	   *index_global;
	int64	   *index_units;
} DynWriteCharge;

/* Add one write taking 'old' to 'new' (either NULL) on open table 'rel'. */
extern void dynpg_api_charge_write(Relation rel, DynItem *old, DynItem *new,
								   DynWriteCharge *c);
/* Add 'units' write units to the table alone (a transaction's ConditionCheck). */
extern void dynpg_api_charge_table(DynWriteCharge *c, int64 units);

/*
 * A table's ConsumedCapacity for writes ('key' NULL: an array element):
 * CapacityUnits the sum of the table's and the indexes' units, times
 * 'factor' (2 in a transaction); INDEXES adds Table and the indexes
 * charged, under LocalSecondaryIndexes / GlobalSecondaryIndexes;
 * 'transaction' repeats each figure as WriteCapacityUnits.
 */
extern void dynpg_api_push_write_capacity(DynOut **st, const char *key, const char *mode,
										  const char *table_name, const DynWriteCharge *c,
										  int factor, bool transaction);

/*
 * Item collections (tables with LSIs): a partition's items and their LSI
 * entries, which DynamoDB limits to 10 GB and reports as
 * ItemCollectionMetrics (src/api/README, "Item collections").
 */
typedef struct DynItemCollection
{
	DynItem    *key;			/* ItemCollectionKey: {partition key: value} */
	int64		bytes;			/* items and LSI entries, DynamoDB's sizes */
} DynItemCollection;

/* the limit: 10 GB, or dynpg.debug_item_collection_limit_kb (testing) */
extern int	dynpg_debug_item_collection_limit_kb;

/*
 * After a write taking 'old' to 'new' (either NULL) of the item with the
 * key of 'key_item' on open table 'rel':
 * false for a table without LSIs.  Else, when the write grows the
 * collection of its partition or 'measure' (ReturnItemCollectionMetrics
 * SIZE), the collection's size in *out (else out->bytes -1); a grown
 * collection over the limit raises ItemCollectionSizeLimitExceededException.
 */
extern bool dynpg_api_item_collection(Relation rel, const DynItem *key_item, DynItem *old,
									  DynItem *new, bool measure, DynItemCollection *out);
/* {"ItemCollectionKey": ..., "SizeEstimateRangeGB": [lo, hi]} ('key' NULL: an array element) */
extern void dynpg_api_push_item_collection(DynOut **st, const char *key,
										   const DynItemCollection *c);
/* whether open table 'rel' has LSIs (item collections: writes need the old version) */
extern bool dynpg_api_has_lsi(Relation rel);
/* whether ReturnItemCollectionMetrics asks for ItemCollectionMetrics (SIZE) */
extern bool dynpg_api_metrics_wanted(const char *mode);

/* 'item' must live until the response is finished (its strings are not copied) */
extern void dynpg_api_push_item(DynOut **st, const char *key, const DynItem *item);

#endif							/* DYNPG_ITEM_COMMON_H */
