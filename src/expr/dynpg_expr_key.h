/*-------------------------------------------------------------------------
 *
 * dynpg_expr_key.h
 *	  Query's key conditions: a parsed KeyConditionExpression (or the legacy
 *	  KeyConditions turned into the same tree) checked against the key
 *	  schema with DynamoDB's messages, and reduced to the partition key value
 *	  and at most one sort-key condition (DynKeyCondition, types/dynpg_key.h,
 *	  which the read path turns into a key range).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_EXPR_KEY_H
#define DYNPG_EXPR_KEY_H

#include "expr/dynpg_expr.h"

/*
 * The checks of a KeyConditionExpression that need no table: operators,
 * the shape of each condition, one condition per attribute, at most two.
 */
extern void dynpg_expr_key_condition_check(const DynExprNode *cond);

/* A key condition of 'n' conditions (KeyConditions' entries): 1 or 2, else DynamoDB's error */
extern void dynpg_expr_key_condition_count(int n);

/* Legacy conditions: a BETWEEN whose lower bound is above its upper bound. */
extern void dynpg_expr_legacy_between_check(const DynExprNode *cond);

/*
 * Check 'cond' against key schema 'ks' and fill *out.  'cond' is a
 * KeyConditionExpression that passed dynpg_expr_key_condition_check, or
 * (legacy_count > 0) the legacy KeyConditions of that many entries as
 * expr_legacy.c builds them.  The ExclusiveStartKey 'esk' (or NULL) is
 * checked along with them, key attribute by key attribute, as DynamoDB
 * does: it must have 'esk_nkeys' attributes (0: those of 'ks'; an index's
 * start key also holds the table's key).  'parts' (or NULL) is an index's
 * whole key: with several HASH or RANGE attributes, a multi-attribute key,
 * out->pks, out->sk_eq and out->pk their composite are filled
 * (DynKeyCondition).  Raises DynamoDB's ValidationException for every rule
 * broken.
 */
extern void dynpg_expr_key_condition(const DynExprNode *cond, int legacy_count,
									 const DynKeySchema *ks, const DynKeyParts *parts,
									 const DynItem *esk, int esk_nkeys,
									 DynKeyCondition *out);

/* Whether sort-key value 'v' satisfies the sort-key part of 'kc'. */
extern bool dynpg_expr_key_sort_matches(const DynKeyCondition *kc, const DynRef *v);

/* The legacy QueryFilter, ScanFilter and KeyConditions, 'member' naming the parameter. */
extern DynExprNode *dynpg_expr_from_conditions(DynJson *conditions, const char *conditional_operator,
											   const char *member);

/* A path in 'n' whose first element is attribute 'name', or NULL. */
extern const DynExprPath *dynpg_expr_find_attribute(const DynExprNode *n, const char *name,
													int namelen);

#endif							/* DYNPG_EXPR_KEY_H */
