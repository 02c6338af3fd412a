/*-------------------------------------------------------------------------
 *
 * expr_eval.c
 *	  Evaluating parsed expressions against a dynpg.item: conditions,
 *	  projections and updates.
 *
 * Conditions follow DynamoDB: a missing operand or operands of different
 * types make '<>' true and every other comparison false; numbers compare
 * by value and sets as sets, both of which the canonical binary form
 * makes a byte comparison.  Updates turn the current item into the tree
 * form of item_build.c, change it, and serialize it again.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "base/dynpg_error.h"
#include "expr/dynpg_expr.h"

/* ---- operands ---- */

static bool
lookup_path(const DynItem *item, const DynExprPath *path, DynRef *out)
{
	if (item == NULL)
		return false;
	return dynpg_path_lookup(item, path->elems, path->n, out);
}

/* number of UTF-8 characters */
static int64
utf8_chars(const uint8 *p, int32 len)
{
	int64		n = 0;
	int32		i;

	for (i = 0; i < len; i++)
		if ((p[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static DynRef
number_ref(int64 v)
{
	DynNumber	num;
	uint8	   *buf = palloc(DYN_NUM_MAX_ENCODED);
	char		text[32];
	DynRef		r;

	snprintf(text, sizeof(text), INT64_FORMAT, v);
	dynpg_num_parse_or_error(text, strlen(text), &num);
	memset(&r, 0, sizeof(r));
	r.type = DYN_T_N;
	r.data = buf;
	r.len = dynpg_num_encode(&num, buf);
	return r;
}

/* Evaluate an operand; false if it is missing (or size() of a scalar). */
static bool
eval_operand(const DynExprNode *n, const DynItem *item, DynRef *out)
{
	DynRef		r;
	DynContainer c;

	switch (n->kind)
	{
		case DX_PATH:
			return lookup_path(item, &n->path, out);
		case DX_VALUE:
			*out = n->value;
			return true;
		case DX_SIZE:
			if (!eval_operand(n->args[0], item, &r))
				return false;
			switch (r.type)
			{
				case DYN_T_S:
					*out = number_ref(utf8_chars(r.data, r.len));
					return true;
				case DYN_T_B:
					*out = number_ref(r.len);
					return true;
				case DYN_T_M:
				case DYN_T_L:
				case DYN_T_SS:
				case DYN_T_NS:
				case DYN_T_BS:
					dynpg_container_open(&r, &c);
					*out = number_ref(c.count);
					return true;
				default:
					return false;
			}
		default:
			elog(ERROR, "dynpg: unexpected expression node %d as an operand", (int) n->kind);
	}
	return false;
}

static bool
ref_equal(const DynRef *a, const DynRef *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == DYN_T_BOOL)
		return a->boolval == b->boolval;
	if (a->type == DYN_T_NULL)
		return true;
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* -1, 0, 1; or false if the two are not ordered (types differ or not scalar) */
static bool
ref_compare(const DynRef *a, const DynRef *b, int *result)
{
	int			c;

	if (a->type != b->type ||
		(a->type != DYN_T_S && a->type != DYN_T_N && a->type != DYN_T_B))
		return false;
	c = memcmp(a->data, b->data, Min(a->len, b->len));
	if (c == 0)
		c = a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
	*result = c < 0 ? -1 : c > 0 ? 1 : 0;
	return true;
}

static bool
bytes_contain(const uint8 *h, int32 hlen, const uint8 *n, int32 nlen)
{
	int32		i;

	if (nlen == 0)
		return true;
	for (i = 0; i + nlen <= hlen; i++)
		if (h[i] == n[0] && memcmp(h + i, n, nlen) == 0)
			return true;
	return false;
}

static bool
eval_contains(const DynRef *a, const DynRef *v)
{
	DynContainer c;
	int			i;

	switch (a->type)
	{
		case DYN_T_S:
		case DYN_T_B:
			return v->type == a->type && bytes_contain(a->data, a->len, v->data, v->len);
		case DYN_T_SS:
		case DYN_T_NS:
		case DYN_T_BS:
			if (v->type != (a->type == DYN_T_SS ? DYN_T_S :
							a->type == DYN_T_NS ? DYN_T_N : DYN_T_B))
				return false;
			dynpg_container_open(a, &c);
			for (i = 0; i < c.count; i++)
			{
				DynRef		e = dynpg_set_elem_ref(&c, i);

				if (ref_equal(&e, v))
					return true;
			}
			return false;
		case DYN_T_L:
			dynpg_container_open(a, &c);
			for (i = 0; i < c.count; i++)
			{
				DynRef		e = dynpg_list_get(&c, i);

				if (ref_equal(&e, v))
					return true;
			}
			return false;
		default:
			return false;
	}
}

bool
dynpg_expr_eval_condition(const DynExprNode *n, const DynItem *item)
{
	DynRef		a;
	DynRef		b;
	DynRef		c;
	bool		ha;
	bool		hb;
	int			r1;
	int			r2;
	int			i;

	check_stack_depth();
	switch (n->kind)
	{
		case DX_AND:
			return dynpg_expr_eval_condition(n->args[0], item) &&
				dynpg_expr_eval_condition(n->args[1], item);
		case DX_OR:
			return dynpg_expr_eval_condition(n->args[0], item) ||
				dynpg_expr_eval_condition(n->args[1], item);
		case DX_NOT:
			return !dynpg_expr_eval_condition(n->args[0], item);
		case DX_CMP:
			ha = eval_operand(n->args[0], item, &a);
			hb = eval_operand(n->args[1], item, &b);
			if (!ha || !hb)
				return n->cmp == DX_NE;
			if (n->cmp == DX_EQ)
				return ref_equal(&a, &b);
			if (n->cmp == DX_NE)
				return !ref_equal(&a, &b);
			if (!ref_compare(&a, &b, &r1))
				return false;
			switch (n->cmp)
			{
				case DX_LT:
					return r1 < 0;
				case DX_LE:
					return r1 <= 0;
				case DX_GT:
					return r1 > 0;
				default:
					return r1 >= 0;
			}
		case DX_BETWEEN:
			if (!eval_operand(n->args[0], item, &a) ||
				!eval_operand(n->args[1], item, &b) ||
				!eval_operand(n->args[2], item, &c))
				return false;
			if (!ref_compare(&b, &a, &r1) || !ref_compare(&a, &c, &r2))
				return false;
			return r1 <= 0 && r2 <= 0;
		case DX_IN:
			if (!eval_operand(n->args[0], item, &a))
				return false;
			for (i = 1; i < n->nargs; i++)
				if (eval_operand(n->args[i], item, &b) && ref_equal(&a, &b))
					return true;
			return false;
		case DX_ATTR_EXISTS:
			return lookup_path(item, &n->args[0]->path, &a);
		case DX_ATTR_NOT_EXISTS:
			return !lookup_path(item, &n->args[0]->path, &a);
		case DX_ATTR_TYPE:
			if (!lookup_path(item, &n->args[0]->path, &a))
				return false;
			b = n->args[1]->value;
			return dynpg_type_from_name((const char *) b.data, b.len) == a.type;
		case DX_BEGINS_WITH:
			if (!eval_operand(n->args[0], item, &a) || !eval_operand(n->args[1], item, &b))
				return false;
			if (a.type != b.type || (a.type != DYN_T_S && a.type != DYN_T_B))
				return false;
			return b.len <= a.len && memcmp(a.data, b.data, b.len) == 0;
		case DX_CONTAINS:
			if (!eval_operand(n->args[0], item, &a) || !eval_operand(n->args[1], item, &b))
				return false;
			return eval_contains(&a, &b);
		default:
			elog(ERROR, "dynpg: unexpected expression node %d as a condition", (int) n->kind);
	}
	return false;
}

/* ---- projection ---- */

typedef struct ProjNode
{
	bool		leaf;
	int			nchildren;
	int			cap;
	DynPathElem *keys;
	struct ProjNode **children;
} ProjNode;

static ProjNode *
proj_child(ProjNode *node, const DynPathElem *e)
{
	int			i;
	ProjNode   *c;

	for (i = 0; i < node->nchildren; i++)
	{
		DynPathElem *k = &node->keys[i];

		if (k->is_index == e->is_index &&
			(k->is_index ? k->index == e->index :
			 (k->namelen == e->namelen && memcmp(k->name, e->name, k->namelen) == 0)))
			return node->children[i];
	}
	if (node->nchildren == node->cap)
	{
		node->cap = node->cap ? node->cap * 2 : 4;
		node->keys = node->keys ? repalloc(node->keys, sizeof(DynPathElem) * node->cap) :
			palloc(sizeof(DynPathElem) * node->cap);
		node->children = node->children ?
			repalloc(node->children, sizeof(ProjNode *) * node->cap) :
			palloc(sizeof(ProjNode *) * node->cap);
	}
	c = palloc0(sizeof(ProjNode));
	node->keys[node->nchildren] = *e;
	node->children[node->nchildren++] = c;
	return c;
}

static int
index_cmp(const void *a, const void *b)
{
	int32		x = ((const DynPathElem *) a)->index;
	int32		y = ((const DynPathElem *) b)->index;

	return x < y ? -1 : x > y ? 1 : 0;
}

static DynBuildValue *
project_value(const DynRef *ref, ProjNode *node)
{
	DynContainer c;
	DynBuildValue *v;
	int			i;

	check_stack_depth();
	if (node->leaf)
		return dynpg_build_from_ref(ref);
	if (ref->type == DYN_T_M)
	{
		dynpg_container_open(ref, &c);
		v = palloc0(sizeof(DynBuildValue));
		v->type = DYN_T_M;
		v->members = palloc0(sizeof(DynBuildMember) * (node->nchildren + 1));
		for (i = 0; i < node->nchildren; i++)
		{
			DynRef		e;
			DynBuildValue *sub;

			if (node->keys[i].is_index ||
				!dynpg_map_find(&c, node->keys[i].name, node->keys[i].namelen, &e))
				continue;
			sub = project_value(&e, node->children[i]);
			if (sub == NULL)
				continue;
			v->members[v->count].name = node->keys[i].name;
			v->members[v->count].namelen = node->keys[i].namelen;
			v->members[v->count].value = sub;
			v->count++;
		}
		return v->count > 0 ? v : NULL;
	}
	if (ref->type == DYN_T_L)
	{
		int		   *order = palloc(sizeof(int) * (node->nchildren + 1));
		DynPathElem *sorted = palloc(sizeof(DynPathElem) * (node->nchildren + 1));

		dynpg_container_open(ref, &c);
		v = palloc0(sizeof(DynBuildValue));
		v->type = DYN_T_L;
		v->elems = palloc0(sizeof(DynBuildValue *) * (node->nchildren + 1));
		/* list elements come back in index order */
		for (i = 0; i < node->nchildren; i++)
		{
			sorted[i] = node->keys[i];
			sorted[i].namelen = i;	/* remember the child */
		}
		qsort(sorted, node->nchildren, sizeof(DynPathElem), index_cmp);
		for (i = 0; i < node->nchildren; i++)
		{
			DynRef		e;
			DynBuildValue *sub;

			order[i] = sorted[i].namelen;
			if (!sorted[i].is_index || sorted[i].index >= c.count)
				continue;
			e = dynpg_list_get(&c, sorted[i].index);
			sub = project_value(&e, node->children[order[i]]);
			if (sub != NULL)
				v->elems[v->count++] = sub;
		}
		return v->count > 0 ? v : NULL;
	}
	return NULL;
}

DynItem *
dynpg_expr_project(const DynItem *item, const DynExprPath *paths, int npaths)
{
	ProjNode	root;
	DynRef		r = dynpg_item_root(item);
	DynBuildValue *v;
	int			i;
	int			j;

	memset(&root, 0, sizeof(root));
	for (i = 0; i < npaths; i++)
	{
		ProjNode   *node = &root;

		for (j = 0; j < paths[i].n; j++)
			node = proj_child(node, &paths[i].elems[j]);
		node->leaf = true;
	}
	v = project_value(&r, &root);
	if (v == NULL)
	{
		v = palloc0(sizeof(DynBuildValue));
		v->type = DYN_T_M;
	}
	(void) dynpg_item_finish(v);
	return dynpg_item_serialize(v);
}

/* ---- updates ---- */

static void invalid_path(void) pg_attribute_noreturn();

static void
invalid_path(void)
{
	dynpg_validation_error("The document path provided in the update expression is invalid for update");
}

static void wrong_type(void) pg_attribute_noreturn();

static void
wrong_type(void)
{
	dynpg_validation_error("An operand in the update expression has an incorrect data type");
}

static void update_type_mismatch(const DynUpdate *upd) pg_attribute_noreturn();

/*
 * ADD or DELETE of a value whose type is not the attribute's: the
 * expression's message, or for AttributeUpdates its own ("Type mismatch
 * for attribute to update").
 */
static void
update_type_mismatch(const DynUpdate *upd)
{
	if (upd->legacy)
		dynpg_validation_error("Type mismatch for attribute to update");
	wrong_type();
}

static void arithmetic_failed(DynNumStatus st) pg_attribute_noreturn();

/*
 * A result of '+', '-' or ADD that cannot be stored.  DynamoDB words one
 * that needs more than 38 significant digits as an overflow (a value in
 * the request with as many is "Attempting to store more than 38
 * significant digits in a Number"); a magnitude out of range is its
 * overflow or underflow.
 */
static void
arithmetic_failed(DynNumStatus st)
{
	dynpg_num_report(st == DYN_NUM_PRECISION ? DYN_NUM_OVERFLOW : st, NULL, 0);
	pg_unreachable();
}

static int
member_index(const DynBuildValue *m, const char *name, int32 namelen)
{
	int			i;

	for (i = 0; i < m->count; i++)
		if (m->members[i].namelen == namelen &&
			memcmp(m->members[i].name, name, namelen) == 0)
			return i;
	return -1;
}

static DynBuildValue *
child_of(DynBuildValue *v, const DynPathElem *e)
{
	int			i;

	if (e->is_index)
	{
		if (v->type != DYN_T_L || e->index >= v->count)
			return NULL;
		return v->elems[e->index];
	}
	if (v->type != DYN_T_M)
		return NULL;
	i = member_index(v, e->name, e->namelen);
	return i < 0 ? NULL : v->members[i].value;
}

/* the container holding the path's last element, or NULL */
static DynBuildValue *
parent_of(DynBuildValue *root, const DynExprPath *path)
{
	DynBuildValue *cur = root;
	int			i;

	for (i = 0; i < path->n - 1 && cur != NULL; i++)
		cur = child_of(cur, &path->elems[i]);
	return cur;
}

/* Set child e of parent; returns the list position used (an index past the end appends), or -1. */
static int
set_in(DynBuildValue *parent, const DynPathElem *e, DynBuildValue *val)
{
	if (e->is_index)
	{
		if (parent->type != DYN_T_L)
			invalid_path();
		if (e->index < parent->count)
		{
			parent->elems[e->index] = val;
			return e->index;
		}
		parent->elems = parent->elems ?
			repalloc(parent->elems, sizeof(DynBuildValue *) * (parent->count + 1)) :
			palloc(sizeof(DynBuildValue *));
		parent->elems[parent->count++] = val;
		return parent->count - 1;
	}
	if (parent->type != DYN_T_M)
		invalid_path();
	{
		int			i = member_index(parent, e->name, e->namelen);

		if (i >= 0)
		{
			parent->members[i].value = val;
			return -1;
		}
		parent->members = parent->members ?
			repalloc(parent->members, sizeof(DynBuildMember) * (parent->count + 1)) :
			palloc(sizeof(DynBuildMember));
		parent->members[parent->count].name = e->name;
		parent->members[parent->count].namelen = e->namelen;
		parent->members[parent->count].value = val;
		parent->count++;
	}
	return -1;
}

static void
remove_in(DynBuildValue *parent, const DynPathElem *e)
{
	int			i;

	if (e->is_index)
	{
		if (parent->type != DYN_T_L)
			invalid_path();
		if (e->index >= parent->count)
			return;
		for (i = e->index; i < parent->count - 1; i++)
			parent->elems[i] = parent->elems[i + 1];
		parent->count--;
		return;
	}
	if (parent->type != DYN_T_M)
		invalid_path();
	i = member_index(parent, e->name, e->namelen);
	if (i < 0)
		return;
	for (; i < parent->count - 1; i++)
		parent->members[i] = parent->members[i + 1];
	parent->count--;
}

static void
number_of(const DynBuildValue *v, DynNumber *n)
{
	if (!dynpg_num_decode((const uint8 *) v->data, v->len, n))
		elog(ERROR, "dynpg: bad number in an update");
}

static DynBuildValue *
eval_set_value(const DynExprNode *n, const DynItem *item)
{
	DynRef		r;
	DynBuildValue *a;
	DynBuildValue *b;
	DynBuildValue *v;

	check_stack_depth();
	switch (n->kind)
	{
		case DX_PATH:
			if (!lookup_path(item, &n->path, &r))
				dynpg_validation_error("The provided expression refers to an attribute that does not exist in the item");
			return dynpg_build_from_ref(&r);
		case DX_VALUE:
			return dynpg_build_from_ref(&n->value);
		case DX_IF_NOT_EXISTS:
			if (lookup_path(item, &n->args[0]->path, &r))
				return dynpg_build_from_ref(&r);
			return eval_set_value(n->args[1], item);
		case DX_LIST_APPEND:
			a = eval_set_value(n->args[0], item);
			b = eval_set_value(n->args[1], item);
			if (a->type != DYN_T_L || b->type != DYN_T_L)
				wrong_type();
			v = palloc0(sizeof(DynBuildValue));
			v->type = DYN_T_L;
			v->count = a->count + b->count;
			v->elems = palloc(sizeof(DynBuildValue *) * (v->count + 1));
			if (a->count > 0)
				memcpy(v->elems, a->elems, sizeof(DynBuildValue *) * a->count);
			if (b->count > 0)
				memcpy(v->elems + a->count, b->elems, sizeof(DynBuildValue *) * b->count);
			return v;
		case DX_PLUS:
		case DX_MINUS:
			{
				DynNumber	x;
				DynNumber	y;
				DynNumber	z;
				DynNumStatus st;

				a = eval_set_value(n->args[0], item);
				b = eval_set_value(n->args[1], item);
				if (a->type != DYN_T_N || b->type != DYN_T_N)
					wrong_type();
				number_of(a, &x);
				number_of(b, &y);
				st = dynpg_num_add(&x, &y, n->kind == DX_MINUS, &z);
				if (st != DYN_NUM_OK)
					arithmetic_failed(st);
				return dynpg_build_number(&z);
			}
		default:
			elog(ERROR, "dynpg: unexpected expression node %d in SET", (int) n->kind);
	}
	return NULL;
}

static bool
elem_equal(const DynBuildValue *a, const DynBuildValue *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

static DynBuildValue *
set_union(const DynBuildValue *a, const DynBuildValue *b)
{
	DynBuildValue *v = palloc0(sizeof(DynBuildValue));
	int			i;
	int			j;

	v->type = a->type;
	v->elems = palloc(sizeof(DynBuildValue *) * (a->count + b->count + 1));
	for (i = 0; i < a->count; i++)
		v->elems[v->count++] = a->elems[i];
	for (j = 0; j < b->count; j++)
	{
		for (i = 0; i < a->count; i++)
			if (elem_equal(a->elems[i], b->elems[j]))
				break;
		if (i == a->count)
			v->elems[v->count++] = b->elems[j];
	}
	return v;
}

static DynBuildValue *
set_difference(const DynBuildValue *a, const DynBuildValue *b)
{
	DynBuildValue *v = palloc0(sizeof(DynBuildValue));
	int			i;
	int			j;

	v->type = a->type;
	v->elems = palloc(sizeof(DynBuildValue *) * (a->count + 1));
	for (i = 0; i < a->count; i++)
	{
		for (j = 0; j < b->count; j++)
			if (elem_equal(a->elems[i], b->elems[j]))
				break;
		if (j == b->count)
			v->elems[v->count++] = a->elems[i];
	}
	return v;
}

/* REMOVE paths in descending order, so that list indexes stay those of the old list */
static int
remove_order(const void *x, const void *y)
{
	const DynExprPath *a = *(const DynExprPath *const *) x;
	const DynExprPath *b = *(const DynExprPath *const *) y;
	int			i;

	for (i = 0; i < a->n && i < b->n; i++)
	{
		const DynPathElem *e = &a->elems[i];
		const DynPathElem *f = &b->elems[i];
		int			c;

		if (e->is_index != f->is_index)
			return e->is_index ? 1 : -1;
		if (e->is_index)
			c = e->index < f->index ? -1 : e->index > f->index ? 1 : 0;
		else
		{
			c = memcmp(e->name, f->name, Min(e->namelen, f->namelen));
			if (c == 0)
				c = e->namelen - f->namelen;
		}
		if (c != 0)
			return -c;
	}
	return b->n - a->n;
}

/* An update action's place: actions ending in a list index last, by index, else as written. */
typedef struct ActionOrder
{
	int			clause;
	int32		index;			/* the last path element's list index, or -1 */
} ActionOrder;

static int
action_order(const void *a, const void *b)
{
	const ActionOrder *x = a;
	const ActionOrder *y = b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return x->clause - y->clause;
}

DynItem *
dynpg_expr_apply_update(const DynUpdate *upd, const DynItem *current, const DynItem *key_item,
						int *positions)
{
	DynRef		r;
	DynBuildValue *root;
	DynBuildValue **setvals;
	const DynExprPath **removes;
	ActionOrder *order;
	int			nremoves = 0;
	int64		size;
	int			i;
	int			k;

	if (current == NULL && upd != NULL && upd->only_remove)
		return NULL;
	r = dynpg_item_root(current != NULL ? current : key_item);
	root = dynpg_build_from_ref(&r);
	if (upd == NULL)
		goto finish;

	/* every value is computed from the item as it was */
	if (positions != NULL)
		for (i = 0; i < upd->nclauses; i++)
			positions[i] = -1;
	setvals = palloc0(sizeof(DynBuildValue *) * (upd->nclauses + 1));
	removes = palloc0(sizeof(DynExprPath *) * (upd->nclauses + 1));
	for (i = 0; i < upd->nclauses; i++)
		if (upd->clauses[i].action == DU_SET)
			setvals[i] = eval_set_value(upd->clauses[i].value, current);

	/*
	 * The actions in an order where those ending in a list index come last,
	 * by index: several elements set past a list's end are appended in
	 * index order, not as written ("SET l[10] = :a, l[5] = :b" on a list of
	 * two gives [x, y, b, a]).  No two actions' paths overlap, so no other
	 * result depends on the order.
	 */
	order = palloc(sizeof(ActionOrder) * (upd->nclauses + 1));
	for (i = 0; i < upd->nclauses; i++)
	{
		const DynExprPath *path = &upd->clauses[i].path;
		const DynPathElem *last = &path->elems[path->n - 1];

		order[i].clause = i;
		order[i].index = last->is_index ? last->index : -1;
	}
	qsort(order, upd->nclauses, sizeof(ActionOrder), action_order);

	for (k = 0; k < upd->nclauses; k++)
	{
		int			i = order[k].clause;
		const DynUpdateClause *c = &upd->clauses[i];
		const DynPathElem *last = &c->path.elems[c->path.n - 1];
		DynBuildValue *parent;
		DynBuildValue *old;
		DynBuildValue *val;

		switch (c->action)
		{
			case DU_SET:
				parent = parent_of(root, &c->path);
				if (parent == NULL)
					invalid_path();
				{
					int			pos = set_in(parent, last, setvals[i]);

					if (positions != NULL && last->is_index)
						positions[i] = pos;
				}
				break;
			case DU_REMOVE:
				removes[nremoves++] = &c->path;
				break;
			case DU_ADD:
				parent = parent_of(root, &c->path);
				if (parent == NULL)
					invalid_path();
				val = dynpg_build_from_ref(&c->value->value);
				old = child_of(parent, last);
				if (old == NULL)
					set_in(parent, last, val);
				else if (old->type != val->type)
					update_type_mismatch(upd);
				else if (val->type == DYN_T_N)
				{
					DynNumber	x;
					DynNumber	y;
					DynNumber	z;
					DynNumStatus st;

					number_of(old, &x);
					number_of(val, &y);
					st = dynpg_num_add(&x, &y, false, &z);
					if (st != DYN_NUM_OK)
						arithmetic_failed(st);
					set_in(parent, last, dynpg_build_number(&z));
				}
				else
					set_in(parent, last, set_union(old, val));
				break;
			case DU_DELETE:
				parent = parent_of(root, &c->path);
				if (parent == NULL)
					invalid_path();
				val = dynpg_build_from_ref(&c->value->value);
				old = child_of(parent, last);
				if (old == NULL)
					break;
				if (old->type != val->type)
					update_type_mismatch(upd);
				old = set_difference(old, val);
				if (old->count == 0)
					remove_in(parent, last);
				else
					set_in(parent, last, old);
				break;
		}
	}

	if (nremoves > 0)
	{
		qsort(removes, nremoves, sizeof(DynExprPath *), remove_order);
		for (i = 0; i < nremoves; i++)
		{
			DynBuildValue *parent = parent_of(root, removes[i]);

			if (parent == NULL)
			{
				if (current == NULL)
					continue;
				invalid_path();
			}
			remove_in(parent, &removes[i]->elems[removes[i]->n - 1]);
		}
	}

finish:
	size = dynpg_value_finish(root, 0) - 3 - root->count;
	if (size > DYN_MAX_ITEM_SIZE)
		dynpg_validation_error("Item size to update has exceeded the maximum allowed size");
	return dynpg_item_serialize(root);
}

/* Whether an operand reads the item: it names a document path somewhere. */
static bool
operand_reads_item(const DynExprNode *n)
{
	if (n == NULL)
		return false;
	if (n->kind == DX_PATH)
		return true;
	for (int i = 0; i < n->nargs; i++)
		if (operand_reads_item(n->args[i]))
			return true;
	return false;
}

/*
 * Whether applying the update depends on the item's current values, beyond
 * whether it exists: a SET whose value names a path (x = y, x = x + :n,
 * if_not_exists, list_append), ADD and DELETE (they combine with the value
 * there), and a SET or REMOVE of a nested path (a.b, a[0]: the structure
 * above it must be there, of the right type).  Each can tell the caller
 * something about the current values, by what it writes or by its error, as
 * UPDATE ... SET a = a + 1 can in SQL, which wants SELECT on a.
 */
bool
dynpg_expr_update_reads_item(const DynUpdate *upd)
{
	if (upd == NULL)
		return false;
	for (int i = 0; i < upd->nclauses; i++)
	{
		const DynUpdateClause *c = &upd->clauses[i];

		if (c->action == DU_ADD || c->action == DU_DELETE || c->path.n > 1)
			return true;
		if (c->action == DU_SET && operand_reads_item(c->value))
			return true;
	}
	return false;
}
