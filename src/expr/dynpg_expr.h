/*-------------------------------------------------------------------------
 *
 * dynpg_expr.h
 *	  DynamoDB's expression languages: one lexer and parser for condition,
 *	  projection and update expressions, their validation with DynamoDB's
 *	  messages, and evaluation against a dynpg.item.
 *
 * A request's expressions share one DynExprContext, which holds its
 * ExpressionAttributeNames and ExpressionAttributeValues and records which
 * of them the expressions use, so that "unused" is checked across all of
 * the request's expressions (dynpg_expr_check_unused) after parsing them.
 * Each expression is parsed once into a tree of DynExprNode; evaluation
 * walks the tree.  See README in this directory.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_EXPR_H
#define DYNPG_EXPR_H

#include "utils/jsonb.h"

#include "types/dynpg_item.h"
#include "types/dynpg_key.h"

/* DynamoDB's limits on expressions */
#define DYN_EXPR_MAX_LEN		4096
#define DYN_EXPR_MAX_OPERATORS	300
#define DYN_EXPR_MAX_IN			100
#define DYN_EXPR_MAX_TOKEN		255

/* A document path with its names resolved. */
typedef struct DynExprPath
{
	int			n;
	DynPathElem *elems;
} DynExprPath;

typedef enum DynExprKind
{
	/* operands */
	DX_PATH,
	DX_VALUE,
	DX_SIZE,
	DX_IF_NOT_EXISTS,
	DX_LIST_APPEND,
	DX_PLUS,
	DX_MINUS,
	/* conditions */
	DX_CMP,
	DX_BETWEEN,
	DX_IN,
	DX_AND,
	DX_OR,
	DX_NOT,
	DX_ATTR_EXISTS,
	DX_ATTR_NOT_EXISTS,
	DX_ATTR_TYPE,
	DX_BEGINS_WITH,
	DX_CONTAINS
} DynExprKind;

typedef enum DynCmpOp
{
	DX_EQ,
	DX_NE,
	DX_LT,
	DX_LE,
	DX_GT,
	DX_GE
} DynCmpOp;

typedef struct DynExprNode DynExprNode;

struct DynExprNode
{
	DynExprKind kind;
	DynCmpOp	cmp;			/* DX_CMP */
	bool		parens;			/* written inside its own parentheses */
	int			nargs;
	DynExprNode **args;
	DynExprPath path;			/* DX_PATH */
	DynRef		value;			/* DX_VALUE */
};

typedef enum DynUpdateAction
{
	DU_SET,
	DU_REMOVE,
	DU_ADD,
	DU_DELETE
} DynUpdateAction;

typedef struct DynUpdateClause
{
	DynUpdateAction action;
	DynExprPath path;
	DynExprNode *value;			/* SET: the value; ADD, DELETE: a DX_VALUE */
} DynUpdateClause;

typedef struct DynUpdate
{
	int			nclauses;
	DynUpdateClause *clauses;
	bool		only_remove;
	bool		legacy;			/* from AttributeUpdates: its own type mismatch message */
} DynUpdate;

typedef struct DynExprContext
{
	int			nnames;
	char	  **name_keys;
	char	  **name_values;
	bool	   *name_used;
	int			nvalues;
	char	  **value_keys;
	DynRef	   *value_refs;
	bool	   *value_used;
	DynItem    *values_item;
	/* set while parsing one expression */
	const char *label;			/* "ConditionExpression", ... */
} DynExprContext;

/* expr_parse.c */
extern void dynpg_expr_context_init(DynExprContext *ctx, DynJson *names, DynJson *values);
extern DynExprNode *dynpg_expr_parse_condition(DynExprContext *ctx, const char *text,
											   const char *label);
extern DynExprPath *dynpg_expr_parse_projection(DynExprContext *ctx, const char *text,
												int *npaths);
extern DynUpdate *dynpg_expr_parse_update(DynExprContext *ctx, const char *text);
extern void dynpg_expr_check_unused(DynExprContext *ctx);
extern void dynpg_expr_check_update_keys(DynUpdate *upd, const DynKeySchema *ks);
extern void dynpg_expr_check_update_index_keys(DynUpdate *upd, const DynKeySchema *ks,
											   const char *index_name);
extern char *dynpg_expr_path_text(const DynExprPath *p);
/* the name a function node is written with ("attribute_exists", "size", ...) */
extern const char *dynpg_expr_function_name(DynExprKind k);

/* expr_legacy.c: the 2012 API's parameters as parsed expressions */
extern DynExprNode *dynpg_expr_from_expected(DynJson *expected, const char *conditional_operator);
extern DynExprPath *dynpg_expr_from_attributes_to_get(DynJson *list, int *npaths);
extern DynUpdate *dynpg_expr_from_attribute_updates(DynJson *updates);

/* expr_reserved.c */
extern bool dynpg_expr_is_reserved(const char *name, int len);
extern int	dynpg_expr_reserved_count(void);

/* expr_eval.c */
extern bool dynpg_expr_eval_condition(const DynExprNode *cond, const DynItem *item);
extern DynItem *dynpg_expr_project(const DynItem *item, const DynExprPath *paths, int npaths);
/*
 * Apply an update to the current item (or, when there is none, to the key
 * item).  positions, if not NULL, has a slot per clause and receives the
 * list position a SET of a list element used (an index past the end
 * appends), else -1: UPDATED_NEW reports the element where it landed.
 */
extern DynItem *dynpg_expr_apply_update(const DynUpdate *upd, const DynItem *current,
										const DynItem *key_item, int *positions);
/* whether applying upd reads the item's current values (the SELECT privilege) */
extern bool dynpg_expr_update_reads_item(const DynUpdate *upd);

#endif							/* DYNPG_EXPR_H */
