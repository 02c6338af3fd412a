/*-------------------------------------------------------------------------
 *
 * expr_key.c
 *	  Query's key conditions, checked as DynamoDB checks them.
 *
 * A KeyConditionExpression is parsed by the one expression parser; this
 * file then takes the tree apart.  DynamoDB's checks come in a fixed order,
 * and a request that breaks several rules reports the first of them:
 *
 *	1. an operator that has no place in a key condition (OR, NOT, IN, <>,
 *	   and every function but begins_with), searched in the whole tree;
 *	2. each condition (the operands of the top-level ANDs, in order): its
 *	   operands left to right, where a function is a "nested operation",
 *	   the first path must be a top-level attribute and a second path is
 *	   "multiple attribute names"; BETWEEN and begins_with must have the
 *	   path first; a condition without a path names no key attribute;
 *	3. two conditions on one attribute;
 *	4. more than two conditions;
 *	5. the key schema: the partition key with "=", and the other condition
 *	   on the sort key;
 *	6. the values' types against the key schema.
 *
 * The legacy KeyConditions arrive here as the same tree (expr_legacy.c);
 * they have their own message for a non-indexable operator.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "dynpg_error.h"
#include "expr/expr.h"
#include "expr/expr_key.h"
#include "types/key.h"

#define KCE "KeyConditionExpression"

/* Step 1: the first operator a key condition cannot hold, or NULL. */
static const char *
invalid_operator(const DynExprNode *n)
{
	int			i;

	switch (n->kind)
	{
		case DX_OR:
			return "OR";
		case DX_NOT:
			return "NOT";
		case DX_IN:
			return "IN";
		case DX_ATTR_EXISTS:
			return "attribute_exists";
		case DX_ATTR_NOT_EXISTS:
			return "attribute_not_exists";
		case DX_ATTR_TYPE:
			return "attribute_type";
		case DX_CONTAINS:
			return "contains";
		case DX_CMP:
			if (n->cmp == DX_NE)
				return "<>";
			break;
		default:
			break;
	}
	for (i = 0; i < n->nargs; i++)
	{
		const char *op = invalid_operator(n->args[i]);

		if (op != NULL)
			return op;
	}
	return NULL;
}

static void
flatten_and(const DynExprNode *n, const DynExprNode ***conds, int *nconds, int *cap)
{
	if (n->kind == DX_AND)
	{
		flatten_and(n->args[0], conds, nconds, cap);
		flatten_and(n->args[1], conds, nconds, cap);
		return;
	}
	if (*nconds == *cap)
	{
		*cap *= 2;
		*conds = repalloc(*conds, sizeof(DynExprNode *) * *cap);
	}
	(*conds)[(*nconds)++] = n;
}

/* One condition, reduced: the attribute, the operator as if the path came first, the values. */
typedef struct KeyCond
{
	const DynExprPath *path;
	DynSortOp	op;
	const DynRef *v1;
	const DynRef *v2;
} KeyCond;

static DynSortOp
flip(DynCmpOp op, bool path_first)
{
	switch (op)
	{
		case DX_EQ:
			return DSK_EQ;
		case DX_LT:
			return path_first ? DSK_LT : DSK_GT;
		case DX_LE:
			return path_first ? DSK_LE : DSK_GE;
		case DX_GT:
			return path_first ? DSK_GT : DSK_LT;
		case DX_GE:
			return path_first ? DSK_GE : DSK_LE;
		default:
			break;
	}
	elog(ERROR, "dynpg: unexpected operator in a key condition");
	return DSK_NONE;
}

/* Step 2 for one condition. */
static void
check_condition(const DynExprNode *n, KeyCond *kc)
{
	const DynExprPath *path = NULL;
	int			path_pos = -1;
	int			i;

	if ((n->kind == DX_BETWEEN || n->kind == DX_BEGINS_WITH) && n->args[0]->kind != DX_PATH)
		dynpg_validation_error("Invalid condition in KeyConditionExpression: %s operator must have the key attribute as its first operand",
							   n->kind == DX_BETWEEN ? "BETWEEN" : "begins_with");
	if (n->kind != DX_CMP && n->kind != DX_BETWEEN && n->kind != DX_BEGINS_WITH)
		elog(ERROR, "dynpg: unexpected node %d in a key condition", (int) n->kind);
	for (i = 0; i < n->nargs; i++)
	{
		const DynExprNode *a = n->args[i];

		if (a->kind == DX_VALUE)
			continue;
		if (a->kind != DX_PATH)
			dynpg_validation_error("KeyConditionExpressions cannot contain nested operations");
		if (path != NULL)
			dynpg_validation_error("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
		if (a->path.n > 1 || a->path.elems[0].is_index)
			dynpg_validation_error("KeyConditionExpressions cannot have conditions on nested attributes");
		path = &a->path;
		path_pos = i;
	}
	if (path == NULL)
		dynpg_validation_error("Invalid condition in KeyConditionExpression: No key attribute specified");

	kc->path = path;
	kc->v2 = NULL;
	if (n->kind == DX_CMP)
	{
		kc->op = flip(n->cmp, path_pos == 0);
		kc->v1 = &n->args[path_pos == 0 ? 1 : 0]->value;
	}
	else if (n->kind == DX_BETWEEN)
	{
		kc->op = DSK_BETWEEN;
		kc->v1 = &n->args[1]->value;
		kc->v2 = &n->args[2]->value;
	}
	else
	{
		kc->op = DSK_BEGINS_WITH;
		kc->v1 = &n->args[1]->value;
	}
}

static bool
path_is(const DynExprPath *p, const char *name, int namelen)
{
	return p->elems[0].namelen == namelen && memcmp(p->elems[0].name, name, namelen) == 0;
}

static void
check_type(const DynRef *v, DynType want)
{
	if (v != NULL && v->type != want)
		dynpg_validation_error("One or more parameter values were invalid: Condition parameter type does not match schema type");
}

/* Sort-key order of two values of the key's type (their storage encodings). */
static int
sort_compare(const DynRef *a, const DynRef *b)
{
	StringInfoData ea;
	StringInfoData eb;
	int			r;

	initStringInfo(&ea);
	initStringInfo(&eb);
	dynpg_key_encode_value(a, &ea);
	dynpg_key_encode_value(b, &eb);
	r = memcmp(ea.data, eb.data, Min(ea.len, eb.len));
	if (r == 0)
		r = ea.len < eb.len ? -1 : ea.len > eb.len ? 1 : 0;
	pfree(ea.data);
	pfree(eb.data);
	return r;
}

void
dynpg_expr_key_condition(const DynExprNode *cond, const DynKeySchema *ks, bool legacy,
						 DynKeyCondition *out)
{
	const DynExprNode **conds;
	int			nconds = 0;
	int			cap = 4;
	KeyCond    *kcs;
	const KeyCond *pkc = NULL;
	const KeyCond *skc = NULL;
	const char *op;
	int			nkeys = ks->sk_name != NULL ? 2 : 1;
	int			i;
	int			j;

	memset(out, 0, sizeof(*out));
	if (cond == NULL)
		dynpg_validation_error("Conditions can be of length 1 or 2 only");

	/* 1 */
	op = invalid_operator(cond);
	if (op != NULL)
	{
		if (legacy)
			dynpg_validation_error("Attempted conditional constraint is not an indexable operation");
		dynpg_validation_error("Invalid operator used in KeyConditionExpression: %s", op);
	}

	/* 2 */
	conds = palloc(sizeof(DynExprNode *) * cap);
	flatten_and(cond, &conds, &nconds, &cap);
	kcs = palloc0(sizeof(KeyCond) * nconds);
	for (i = 0; i < nconds; i++)
		check_condition(conds[i], &kcs[i]);

	/* 3, 4 */
	for (i = 0; i < nconds; i++)
		for (j = 0; j < i; j++)
			if (path_is(kcs[i].path, kcs[j].path->elems[0].name, kcs[j].path->elems[0].namelen))
				dynpg_validation_error("KeyConditionExpressions must only contain one condition per key");
	if (nconds > 2)
		dynpg_validation_error("Conditions can be of length 1 or 2 only");

	/* 5 */
	if (nconds > nkeys)
		dynpg_validation_error("Query key condition not supported");
	for (i = 0; i < nconds; i++)
	{
		if (path_is(kcs[i].path, ks->pk_name, ks->pk_namelen))
			pkc = &kcs[i];
		else
			skc = &kcs[i];
	}
	if (pkc == NULL)
		dynpg_validation_error("Query condition missed key schema element: %.*s",
							   ks->pk_namelen, ks->pk_name);
	if (pkc->op != DSK_EQ)
		dynpg_validation_error("Query key condition not supported");
	if (skc != NULL && !path_is(skc->path, ks->sk_name, ks->sk_namelen))
		dynpg_validation_error("Query condition missed key schema element: %.*s",
							   ks->sk_namelen, ks->sk_name);

	/* 6 */
	check_type(pkc->v1, ks->pk_type);
	out->pk = *pkc->v1;
	out->sk_op = DSK_NONE;
	if (skc != NULL)
	{
		check_type(skc->v1, ks->sk_type);
		check_type(skc->v2, ks->sk_type);
		out->sk_op = skc->op;
		out->sk1 = *skc->v1;
		if (skc->v2 != NULL)
			out->sk2 = *skc->v2;
		/* the expression parser checks constant BETWEEN bounds; KeyConditions here */
		if (legacy && skc->op == DSK_BETWEEN && sort_compare(skc->v1, skc->v2) > 0)
			dynpg_validation_error("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
	}
}

bool
dynpg_expr_key_sort_matches(const DynKeyCondition *kc, const DynRef *v)
{
	int			c;

	switch (kc->sk_op)
	{
		case DSK_NONE:
			return true;
		case DSK_BEGINS_WITH:
			return v->type == kc->sk1.type && v->len >= kc->sk1.len &&
				memcmp(v->data, kc->sk1.data, kc->sk1.len) == 0;
		case DSK_BETWEEN:
			return sort_compare(v, &kc->sk1) >= 0 && sort_compare(v, &kc->sk2) <= 0;
		default:
			break;
	}
	c = sort_compare(v, &kc->sk1);
	switch (kc->sk_op)
	{
		case DSK_EQ:
			return c == 0;
		case DSK_LT:
			return c < 0;
		case DSK_LE:
			return c <= 0;
		case DSK_GT:
			return c > 0;
		case DSK_GE:
			return c >= 0;
		default:
			return false;
	}
}

const DynExprPath *
dynpg_expr_find_attribute(const DynExprNode *n, const char *name, int namelen)
{
	int			i;

	if (n == NULL)
		return NULL;
	if (n->kind == DX_PATH && n->path.n > 0 && !n->path.elems[0].is_index &&
		path_is(&n->path, name, namelen))
		return &n->path;
	for (i = 0; i < n->nargs; i++)
	{
		const DynExprPath *p = dynpg_expr_find_attribute(n->args[i], name, namelen);

		if (p != NULL)
			return p;
	}
	return NULL;
}
