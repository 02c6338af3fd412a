/*-------------------------------------------------------------------------
 *
 * expr_key.h
 *	  Query's key conditions: a parsed KeyConditionExpression (or the legacy
 *	  KeyConditions turned into the same tree) checked against the key
 *	  schema with DynamoDB's messages, and reduced to the partition key value
 *	  and at most one sort-key condition.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_EXPR_KEY_H
#define DYNPG_EXPR_KEY_H

#include "expr/expr.h"

typedef enum DynSortOp
{
	DSK_NONE,					/* the whole partition */
	DSK_EQ,
	DSK_LT,
	DSK_LE,
	DSK_GT,
	DSK_GE,
	DSK_BETWEEN,
	DSK_BEGINS_WITH
} DynSortOp;

typedef struct DynKeyCondition
{
	DynRef		pk;				/* the partition key's value */
	DynSortOp	sk_op;
	DynRef		sk1;			/* the operand (BETWEEN: the lower bound) */
	DynRef		sk2;			/* BETWEEN: the upper bound */
} DynKeyCondition;

/*
 * Check 'cond' (from a KeyConditionExpression, or from KeyConditions when
 * 'legacy') against key schema 'ks'; fill *out.  Raises DynamoDB's
 * ValidationException for every rule a key condition breaks.
 */
extern void dynpg_expr_key_condition(const DynExprNode *cond, const DynKeySchema *ks,
									 bool legacy, DynKeyCondition *out);

/* Whether sort-key value 'v' satisfies the sort-key part of 'kc'. */
extern bool dynpg_expr_key_sort_matches(const DynKeyCondition *kc, const DynRef *v);

/* The legacy QueryFilter, ScanFilter and KeyConditions, 'member' naming the parameter. */
extern DynExprNode *dynpg_expr_from_conditions(Jsonb *conditions, const char *conditional_operator,
											   const char *member);

/* A path in 'n' whose first element is attribute 'name', or NULL. */
extern const DynExprPath *dynpg_expr_find_attribute(const DynExprNode *n, const char *name,
													int namelen);

#endif							/* DYNPG_EXPR_KEY_H */
