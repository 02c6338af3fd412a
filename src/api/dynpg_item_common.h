/*-------------------------------------------------------------------------
 *
 * dynpg_item_common.h
 *	  What the data-plane operations share (item_ops.c defines these):
 *	  expression parameters, legacy-parameter mixing, opening a table with
 *	  its privilege checks, and consumed capacity.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_ITEM_COMMON_H
#define DYNPG_ITEM_COMMON_H

#include "storage/lockdefs.h"
#include "utils/acl.h"
#include "utils/jsonb.h"
#include "utils/rel.h"

#include "expr/dynpg_expr.h"
#include "types/dynpg_key.h"

/* capacity unit sizes: a read unit covers 4 KB, a write unit 1 KB */
#define DYN_READ_UNIT_BYTES		4096
#define DYN_WRITE_UNIT_BYTES	1024

/* Enum values shared by the item operations (item_ops.c) */
extern const char *const dynpg_api_return_values_on_failure[];
extern const char *const dynpg_api_return_consumed_capacity[];
extern const char *const dynpg_api_return_item_collection_metrics[];

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

/* A Key: exactly the table's key attributes with their types */
extern void dynpg_api_check_key(const DynItem *key_item, const DynKeySchema *ks);

extern void dynpg_api_check_no_mixing(JsonbContainer *root, const char *const *legacy,
									  const char *const *expressions);
extern DynExprNode *dynpg_api_legacy_condition(Jsonb *expected, const char *conditional_operator);
extern void dynpg_api_expression_params(DynExprContext *ctx, Jsonb *names, Jsonb *values,
										bool any_expression, const char *values_null);
extern void dynpg_api_check_privilege(Relation rel, AclMode mode);
extern Relation dynpg_api_open_item_table(const char *name, LOCKMODE lockmode, AclMode mode,
										  bool also_select, DynKeySchema *key);
extern int64 dynpg_api_units_for(int64 bytes, int64 unit_bytes);
extern void dynpg_api_push_consumed_capacity(JsonbParseState **st, const char *mode,
											 const char *table_name, int64 half_units);
/* 'item' must live until the response is finished (its strings are not copied) */
extern void dynpg_api_push_item(JsonbParseState **st, const char *key, const DynItem *item);

#endif							/* DYNPG_ITEM_COMMON_H */
