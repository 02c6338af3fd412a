/*-------------------------------------------------------------------------
 *
 * item_common.h
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

#include "expr/expr.h"
#include "types/key.h"

/* capacity unit sizes: a read unit covers 4 KB, a write unit 1 KB */
#define DYN_READ_UNIT_BYTES		4096
#define DYN_WRITE_UNIT_BYTES	1024

extern void dynpg_api_check_no_mixing(JsonbContainer *root, const char *const *legacy,
									  const char *const *expressions);
extern DynExprNode *dynpg_api_legacy_condition(Jsonb *expected, const char *conditional_operator);
extern void dynpg_api_expression_params(DynExprContext *ctx, Jsonb *names, Jsonb *values,
										bool any_expression, const char *values_null);
extern void dynpg_api_check_privilege(Relation rel, AclMode mode);
extern Relation dynpg_api_open_item_table(const char *name, LOCKMODE lockmode, AclMode mode,
										  bool also_select, DynKeySchema *key);
extern void dynpg_api_check_key(const DynItem *key_item, const DynKeySchema *ks);
extern int64 dynpg_api_units_for(int64 bytes, int64 unit_bytes);
extern void dynpg_api_push_consumed_capacity(JsonbParseState **st, const char *mode,
											 const char *table_name, int64 half_units);
/* 'item' must live until the response is finished (its strings are not copied) */
extern void dynpg_api_push_item(JsonbParseState **st, const char *key, const DynItem *item);

#endif							/* DYNPG_ITEM_COMMON_H */
