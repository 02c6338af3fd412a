/*-------------------------------------------------------------------------
 *
 * expr_key.c
 *	  Query's key conditions, checked as DynamoDB checks them.
 *
 * A KeyConditionExpression is parsed by the one expression parser; this
 * file then takes the tree apart.  DynamoDB checks it in two rounds, and a
 * request that breaks several rules reports the first of them.
 *
 * Before the table is looked up (dynpg_expr_key_condition_check), the
 * expression alone:
 *
 *	1. an operator that has no place in a key condition (OR, NOT, IN, <>,
 *	   and every function but begins_with), searched in the whole tree;
 *	2. each condition (the operands of the top-level ANDs, in order): its
 *	   operands left to right, where a function is a "nested operation",
 *	   the first path must be a top-level attribute and a second path is
 *	   "multiple attribute names"; BETWEEN and begins_with must have the
 *	   path first; a condition without a path names no key attribute;
 *	3. two conditions on one attribute;
 *	4. more than eight conditions (a multi-attribute GSI key's most; a
 *	   key of one HASH and at most one RANGE attribute refuses more than
 *	   two once the table is known).
 *
 * The legacy KeyConditions have their own checks in that round
 * (expr_legacy.c, and the order of BETWEEN's bounds here).
 *
 * With the table (dynpg_expr_key_condition), key attribute by key
 * attribute, the partition key first: the ExclusiveStartKey's value of it
 * (present, of the key's type), then the condition on it: missing, not an
 * indexable operator (legacy KeyConditions), a value of another type, and
 * for the partition key an operator other than "=".  A GSI's
 * multi-attribute key (key_condition_parts; src/index/README) takes "=" on
 * every HASH attribute and a gap-free run of RANGE attributes, an operator
 * other than "=" only on the last one.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "base/dynpg_error.h"
#include "base/dynpg_request.h"
#include "expr/dynpg_expr.h"
#include "expr/dynpg_expr_key.h"
#include "types/dynpg_key.h"

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
		case DX_ATTR_NOT_EXISTS:
		case DX_ATTR_TYPE:
		case DX_CONTAINS:
			return dynpg_expr_function_name(n->kind);
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
	bool		indexable;		/* legacy KeyConditions: an operator the key order serves */
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
		dynpg_req_invalid_parameter("Condition parameter type does not match schema type");
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

/* The conditions of a KeyConditionExpression, reduced (steps 2 to 4). */
static KeyCond *
expression_conditions(const DynExprNode *cond, int *nconds)
{
	const DynExprNode **conds;
	int			cap = 4;
	KeyCond    *kcs;
	int			i;
	int			j;

	*nconds = 0;
	conds = palloc(sizeof(DynExprNode *) * cap);
	flatten_and(cond, &conds, nconds, &cap);
	kcs = palloc0(sizeof(KeyCond) * *nconds);
	for (i = 0; i < *nconds; i++)
		check_condition(conds[i], &kcs[i]);
	for (i = 0; i < *nconds; i++)
		for (j = 0; j < i; j++)
			if (path_is(kcs[i].path, kcs[j].path->elems[0].name, kcs[j].path->elems[0].namelen))
				dynpg_validation_error("KeyConditionExpressions must only contain one condition per key");
	/* a multi-attribute GSI key takes up to 8; a table's key, 2 (checked with the table) */
	if (*nconds > 2 * DYN_MAX_KEY_PARTS)
		dynpg_expr_key_condition_count(*nconds);
	return kcs;
}

void
dynpg_expr_key_condition_count(int n)
{
	if (n < 1 || n > 2)
		dynpg_validation_error("Conditions can be of length 1 or 2 only");
}

void
dynpg_expr_key_condition_check(const DynExprNode *cond)
{
	const char *op = invalid_operator(cond);
	int			nconds;

	if (op != NULL)
		dynpg_validation_error("Invalid operator used in KeyConditionExpression: %s", op);
	(void) expression_conditions(cond, &nconds);
}

/*
 * One condition of the legacy KeyConditions (expr_legacy.c's tree for one
 * entry): its attribute and, when the operator can use the key order, the
 * operator and values.  Other operators are refused only once the table is
 * known, when the condition is on a key attribute.
 */
static void
legacy_condition(const DynExprNode *n, KeyCond *kc)
{
	const DynExprNode *p = n;

	memset(kc, 0, sizeof(*kc));
	while (p->kind != DX_PATH)
		p = p->args[0];			/* every entry's first operand is its attribute */
	kc->path = &p->path;
	kc->indexable = true;
	if (n->kind == DX_CMP && n->cmp != DX_NE)
	{
		kc->op = flip(n->cmp, true);
		kc->v1 = &n->args[1]->value;
	}
	else if (n->kind == DX_BETWEEN)
	{
		kc->op = DSK_BETWEEN;
		kc->v1 = &n->args[1]->value;
		kc->v2 = &n->args[2]->value;
	}
	else if (n->kind == DX_BEGINS_WITH)
	{
		kc->op = DSK_BEGINS_WITH;
		kc->v1 = &n->args[1]->value;
	}
	else
		kc->indexable = false;
}

/* BETWEEN with its bounds the wrong way round, anywhere in a legacy condition tree. */
void
dynpg_expr_legacy_between_check(const DynExprNode *n)
{
	int			i;

	if (n == NULL)
		return;
	if (n->kind == DX_BETWEEN && n->args[1]->kind == DX_VALUE &&
		n->args[2]->kind == DX_VALUE &&
		sort_compare(&n->args[1]->value, &n->args[2]->value) > 0)
		dynpg_validation_error("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
	for (i = 0; i < n->nargs; i++)
		dynpg_expr_legacy_between_check(n->args[i]);
}

/* The conditions of 'cond' (a KeyConditionExpression, or legacy_count KeyConditions). */
static KeyCond *
gather_conditions(const DynExprNode *cond, int legacy_count, int *nconds)
{
	KeyCond    *kcs;
	int			i;

	if (cond == NULL)
		dynpg_expr_key_condition_count(0);
	if (legacy_count > 0)
	{
		/* expr_legacy.c joins the (one or two) entries with one AND */
		*nconds = legacy_count;
		kcs = palloc0(sizeof(KeyCond) * *nconds);
		if (*nconds == 1)
			legacy_condition(cond, &kcs[0]);
		else
		{
			Assert(*nconds == 2 && cond->kind == DX_AND);
			legacy_condition(cond->args[0], &kcs[0]);
			legacy_condition(cond->args[1], &kcs[1]);
		}
	}
	else
	{
		kcs = expression_conditions(cond, nconds);
		for (i = 0; i < *nconds; i++)
			kcs[i].indexable = true;
	}
	return kcs;
}

/* ExclusiveStartKey's value of key attribute 'kp' (present, of its type). */
static void
check_start_key_attribute(const DynContainer *esk_map, const DynKeyPart *kp)
{
	DynRef		v;

	if (!dynpg_map_find(esk_map, kp->name, kp->namelen, &v))
		dynpg_validation_error("The provided starting key is invalid");
	if (v.type != kp->type)
		dynpg_req_key_mismatch(false);
}

/*
 * A multi-attribute key (DynKeyParts, src/index/README): "=" on every HASH
 * attribute, then on a gap-free run of the RANGE attributes in KeySchema
 * order, any operator but "=" only on the last one named.  Attribute by
 * attribute as for a single key: the start key's value, then the
 * condition.
 */
static void
key_condition_parts(KeyCond *kcs, int nconds, const DynKeyParts *parts,
					const DynContainer *esk_map, DynKeyCondition *out)
{
	bool	   *used = palloc0(sizeof(bool) * Max(nconds, 1));
	int			missing = -1;	/* the first RANGE attribute without a condition */
	bool		ranged = false; /* a RANGE attribute had another operator than "=" */
	int			k;
	int			i;

	for (k = 0; k < parts->nhash + parts->nrange; k++)
	{
		bool		hash = k < parts->nhash;
		const DynKeyPart *kp = hash ? &parts->hash[k] : &parts->range[k - parts->nhash];
		const KeyCond *kc = NULL;

		if (esk_map != NULL)
			check_start_key_attribute(esk_map, kp);
		for (i = 0; i < nconds && kc == NULL; i++)
			if (path_is(kcs[i].path, kp->name, kp->namelen))
			{
				kc = &kcs[i];
				used[i] = true;
			}
		if (kc == NULL)
		{
			if (hash)
				dynpg_validation_error("Query condition missed key schema element: %.*s",
									   kp->namelen, kp->name);
			if (missing < 0)
				missing = k - parts->nhash;
			continue;
		}
		if (!hash && missing >= 0)
			dynpg_validation_error("Query condition missed key schema element: %.*s",
								   parts->range[missing].namelen, parts->range[missing].name);
		if (!kc->indexable)
			dynpg_validation_error("Attempted conditional constraint is not an indexable operation");
		check_type(kc->v1, kp->type);
		check_type(kc->v2, kp->type);
		if (hash)
		{
			if (kc->op != DSK_EQ)
				dynpg_validation_error("Query key condition not supported");
			dynpg_key_check_value(kp->name, kp->namelen, kp->type, kc->v1, true);
			out->pks[out->npk++] = *kc->v1;
			continue;
		}
		if (ranged)
			dynpg_validation_error("Query key condition not supported");
		if (kc->op == DSK_EQ)
			out->sk_eq[out->nsk_eq++] = *kc->v1;
		else
		{
			ranged = true;
			out->sk_op = kc->op;
			out->sk1 = *kc->v1;
			if (kc->v2 != NULL)
				out->sk2 = *kc->v2;
		}
	}
	for (i = 0; i < nconds; i++)
		if (!used[i])
		{
			if (missing >= 0)
				dynpg_validation_error("Query condition missed key schema element: %.*s",
									   parts->range[missing].namelen, parts->range[missing].name);
			dynpg_validation_error("Query key condition not supported");
		}
	dynpg_key_composite(out->pks, out->npk, &out->pk);
}

void
dynpg_expr_key_condition(const DynExprNode *cond, int legacy_count, const DynKeySchema *ks,
						 const DynKeyParts *parts, const DynItem *esk, int esk_nkeys,
						 DynKeyCondition *out)
{
	KeyCond    *kcs;
	int			nconds;
	int			nkeys = ks->sk_name != NULL ? 2 : 1;
	DynContainer esk_map;
	bool		multi;
	int			k;
	int			i;

	memset(out, 0, sizeof(*out));
	out->sk_op = DSK_NONE;
	kcs = gather_conditions(cond, legacy_count, &nconds);
	multi = parts != NULL && (parts->nhash > 1 || parts->nrange > 1);
	/* one HASH and at most one RANGE attribute: at most two conditions */
	if (!multi)
		dynpg_expr_key_condition_count(nconds);

	if (esk != NULL)
	{
		DynRef		root = dynpg_item_root(esk);

		dynpg_container_open(&root, &esk_map);
		if (esk_map.count != (esk_nkeys > 0 ? esk_nkeys : nkeys))
			dynpg_validation_error("The provided starting key is invalid");
	}
	if (multi)
	{
		key_condition_parts(kcs, nconds, parts, esk != NULL ? &esk_map : NULL, out);
		return;
	}

	for (k = 0; k < nkeys; k++)
	{
		const char *name = k == 0 ? ks->pk_name : ks->sk_name;
		int			namelen = k == 0 ? ks->pk_namelen : ks->sk_namelen;
		DynType		type = k == 0 ? ks->pk_type : ks->sk_type;
		const KeyCond *kc = NULL;

		if (esk != NULL)
		{
			DynRef		v;

			if (!dynpg_map_find(&esk_map, name, namelen, &v))
				dynpg_validation_error("The provided starting key is invalid");
			if (v.type != type)
				dynpg_req_key_mismatch(false);
		}
		if (k == 0 && nkeys == 1 && nconds > 1)
			dynpg_validation_error("Query key condition not supported");
		for (i = 0; i < nconds && kc == NULL; i++)
			if (path_is(kcs[i].path, name, namelen))
				kc = &kcs[i];
		if (kc == NULL)
		{
			if (k == 0 || nconds > 1)
				dynpg_validation_error("Query condition missed key schema element: %.*s",
									   namelen, name);
			continue;
		}
		if (!kc->indexable)
			dynpg_validation_error("Attempted conditional constraint is not an indexable operation");
		check_type(kc->v1, type);
		check_type(kc->v2, type);
		if (k == 0)
		{
			if (kc->op != DSK_EQ)
				dynpg_validation_error("Query key condition not supported");
			/* the partition key's value obeys the key rules (empty, size) */
			dynpg_key_check_value(name, namelen, type, kc->v1, true);
			out->pk = *kc->v1;
		}
		else
		{
			out->sk_op = kc->op;
			out->sk1 = *kc->v1;
			if (kc->v2 != NULL)
				out->sk2 = *kc->v2;
		}
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
