/*-------------------------------------------------------------------------
 *
 * expr_legacy.c
 *	  DynamoDB's legacy (2012 API) parameters, turned into the parsed forms
 *	  of expressions: Expected with ConditionalOperator becomes a condition,
 *	  AttributesToGet a projection, AttributeUpdates an update.  Evaluation
 *	  is then the same code as for expressions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/jsonb.h"

#include "base/dynpg_request.h"
#include "base/dynpg_error.h"
#include "expr/dynpg_expr.h"
#include "expr/dynpg_expr_key.h"

static DynExprNode *
node(DynExprKind kind, int nargs)
{
	DynExprNode *n = palloc0(sizeof(DynExprNode));

	n->kind = kind;
	n->nargs = nargs;
	if (nargs > 0)
		n->args = palloc0(sizeof(DynExprNode *) * nargs);
	return n;
}

static DynExprPath
top_path(const char *name)
{
	DynExprPath p;

	p.n = 1;
	p.elems = palloc0(sizeof(DynPathElem));
	p.elems[0].name = name;
	p.elems[0].namelen = strlen(name);
	return p;
}

static DynExprNode *
path_node(const char *name)
{
	DynExprNode *n = node(DX_PATH, 0);

	n->path = top_path(name);
	return n;
}

/* An AttributeValue (a JSON object) as a DynRef inside a one-attribute item. */
static DynRef
value_ref(DynJson *av)
{
	DynRef		r;

	/* a null element is an empty AttributeValue, with DynamoDB's message */
	if (av == NULL)
		av = dynpg_json_new(DJ_NULL);
	(void) dynpg_attribute_value_parse(av, &r);
	return r;
}

static DynExprNode *
value_node(DynJson *av)
{
	DynExprNode *n = node(DX_VALUE, 0);

	n->value = value_ref(av);
	return n;
}

static bool
scalar_type(DynType t)
{
	return t == DYN_T_S || t == DYN_T_N || t == DYN_T_B;
}

static void
invalid_for_type(const char *op, DynType t)
{
	dynpg_req_invalid_parameter("ComparisonOperator %s is not valid for %s AttributeValue type",
								op, dynpg_type_name(t));
}

/*
 * Whether scalar a sorts before scalar b of the same type: their payloads
 * are the sortable encoding (types/README), a proper prefix first.
 */
static bool
scalar_less(const DynRef *a, const DynRef *b)
{
	int			c;

	if (a->type != b->type || !scalar_type(a->type))
		return false;
	c = memcmp(a->data, b->data, Min(a->len, b->len));
	return c < 0 || (c == 0 && a->len < b->len);
}

/* The object's member names, in jsonb's order (dynpg_json_sorted_members). */
static char **
object_keys(DynJson *obj, int *n)
{
	DynJsonMember **m = dynpg_json_sorted_members(obj, n);
	char	  **keys = palloc0(sizeof(char *) * (*n + 1));
	int			i;

	for (i = 0; i < *n; i++)
		keys[i] = pnstrdup(m[i]->key, m[i]->keylen);
	return keys;
}

/*
 * A member of a legacy parameter, checked where DynamoDB checks it and
 * reported as its constraint list reports one failure: 'value' NULL is
 * "not null", else it must be one of 'allowed'.
 */
static void
one_constraint(const char *path, const char *value, const char *const *allowed)
{
	DynRequest	req;

	dynpg_req_collect(&req, NULL);
	if (value == NULL)
		dynpg_req_not_null(&req, false, path);
	else
		dynpg_req_enum(&req, value, path, allowed);
	dynpg_req_finish(&req);
}

/*
 * One Expected entry: attribute 'name', condition 'exp'.  'member' is the
 * request member's name in DynamoDB's model ("Expected", "queryFilter",
 * "ScanFilter", "KeyConditions"); all but Expected hold only the
 * ComparisonOperator form (Value and Exists are not members of them).
 */
static DynExprNode *
expected_one(const char *name, DynJson *exp, const char *member)
{
	DynJson    *value = dynpg_req_struct(exp, "Value");
	DynJson    *list = dynpg_req_list(exp, "AttributeValueList");
	char	   *op = dynpg_req_string(exp, "ComparisonOperator");
	bool		exists = true;
	bool		has_exists = dynpg_req_bool(exp, "Exists", &exists);
	DynExprNode *args[2];
	DynExprNode *n;
	int			nvals;
	int			want_min;
	int			want_max;
	int			i;
	/* as DynamoDB's message lists them */
	static const char *const ops[] = {
		"IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE",
		"BEGINS_WITH", "GE", "CONTAINS", NULL
	};
	char	   *op_path = psprintf("%s.%s.member.ComparisonOperator", member, name);

	if (strcmp(member, "Expected") != 0)
	{
		value = NULL;
		has_exists = false;
		if (op == NULL)
			one_constraint(op_path, NULL, NULL);
	}
	if (op == NULL)
	{
		if (list != NULL)
			dynpg_req_invalid_parameter("AttributeValueList can only be used with a ComparisonOperator for Attribute: %s",
										name);
		if (has_exists && !exists)
		{
			if (value != NULL)
				dynpg_req_invalid_parameter("Value cannot be used when Exists is false for Attribute: %s",
											name);
			n = node(DX_ATTR_NOT_EXISTS, 1);
			n->args[0] = path_node(name);
			return n;
		}
		if (value == NULL)
			dynpg_req_invalid_parameter("Value must be provided when Exists is %s for Attribute: %s",
										has_exists ? "true" : "null", name);
		n = node(DX_CMP, 2);
		n->cmp = DX_EQ;
		n->args[0] = path_node(name);
		n->args[1] = value_node(value);
		return n;
	}

	one_constraint(op_path, op, ops);
	if (has_exists)
		dynpg_req_invalid_parameter("Exists and ComparisonOperator cannot be used together for Attribute: %s",
									name);
	if (value != NULL && list != NULL)
		dynpg_req_invalid_parameter("Value and AttributeValueList cannot be used together for Attribute: %s",
									name);

	/* the arguments: AttributeValueList, or Value as a one-element list */
	nvals = list != NULL ? dynpg_req_list_length(list) : value != NULL ? 1 : 0;
	if (strcmp(op, "NULL") == 0 || strcmp(op, "NOT_NULL") == 0)
		want_min = want_max = 0;
	else if (strcmp(op, "BETWEEN") == 0)
		want_min = want_max = 2;
	else if (strcmp(op, "IN") == 0)
		want_min = 1, want_max = PG_INT32_MAX;
	else
		want_min = want_max = 1;
	if (nvals < want_min || nvals > want_max)
		dynpg_req_invalid_parameter("Invalid number of argument(s) for the %s ComparisonOperator",
									op);

	/*
	 * An AttributeValueList of several values (IN, BETWEEN) holds one type;
	 * BETWEEN's lower bound is not above its upper (both before the
	 * operator's own type rules, as DynamoDB checks them).  Query and Scan
	 * check the bounds of QueryFilter, ScanFilter and KeyConditions later,
	 * in their own order (dynpg_expr_legacy_between_check); Expected here.
	 */
	if (list != NULL && nvals > 1)
	{
		DynExprNode **vals = palloc(sizeof(DynExprNode *) * nvals);

		for (i = 0; i < nvals; i++)
		{
			vals[i] = value_node(dynpg_req_list_struct(list, i));
			if (vals[i]->value.type != vals[0]->value.type)
				dynpg_req_invalid_parameter("AttributeValues inside AttributeValueList must be of same type");
		}
		if (strcmp(op, "BETWEEN") == 0 && strcmp(member, "Expected") == 0 &&
			scalar_less(&vals[1]->value, &vals[0]->value))
			dynpg_validation_error("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
	}

	if (strcmp(op, "NULL") == 0 || strcmp(op, "NOT_NULL") == 0)
	{
		n = node(strcmp(op, "NULL") == 0 ? DX_ATTR_NOT_EXISTS : DX_ATTR_EXISTS, 1);
		n->args[0] = path_node(name);
		return n;
	}
	if (strcmp(op, "IN") == 0)
	{
		n = node(DX_IN, nvals + 1);
		n->args[0] = path_node(name);
		for (i = 0; i < nvals; i++)
		{
			n->args[i + 1] = value_node(dynpg_req_list_struct(list, i));
			if (!scalar_type(n->args[i + 1]->value.type))
				invalid_for_type(op, n->args[i + 1]->value.type);
		}
		return n;
	}
	for (i = 0; i < nvals; i++)
		args[i] = value_node(list != NULL ? dynpg_req_list_struct(list, i) : value);

	if (strcmp(op, "BETWEEN") == 0)
	{
		for (i = 0; i < 2; i++)
			if (!scalar_type(args[i]->value.type))
				invalid_for_type(op, args[i]->value.type);
		if (args[0]->value.type != args[1]->value.type)
			dynpg_req_invalid_parameter("AttributeValues inside AttributeValueList must be of same type");
		n = node(DX_BETWEEN, 3);
		n->args[0] = path_node(name);
		n->args[1] = args[0];
		n->args[2] = args[1];
		return n;
	}
	if (strcmp(op, "BEGINS_WITH") == 0)
	{
		if (args[0]->value.type != DYN_T_S && args[0]->value.type != DYN_T_B)
			invalid_for_type(op, args[0]->value.type);
		n = node(DX_BEGINS_WITH, 2);
		n->args[0] = path_node(name);
		n->args[1] = args[0];
		return n;
	}
	if (strcmp(op, "CONTAINS") == 0 || strcmp(op, "NOT_CONTAINS") == 0)
	{
		DynExprNode *c = node(DX_CONTAINS, 2);

		if (!scalar_type(args[0]->value.type))
			invalid_for_type(op, args[0]->value.type);
		c->args[0] = path_node(name);
		c->args[1] = args[0];
		if (op[0] == 'C')
			return c;
		/* NOT_CONTAINS holds only for an attribute that exists */
		n = node(DX_AND, 2);
		n->args[0] = node(DX_ATTR_EXISTS, 1);
		n->args[0]->args[0] = path_node(name);
		n->args[1] = node(DX_NOT, 1);
		n->args[1]->args[0] = c;
		return n;
	}
	/* EQ, NE, LE, LT, GE, GT */
	n = node(DX_CMP, 2);
	n->args[0] = path_node(name);
	n->args[1] = args[0];
	if (strcmp(op, "EQ") == 0)
		n->cmp = DX_EQ;
	else if (strcmp(op, "NE") == 0)
		n->cmp = DX_NE;
	else
	{
		if (!scalar_type(args[0]->value.type))
			invalid_for_type(op, args[0]->value.type);
		n->cmp = strcmp(op, "LE") == 0 ? DX_LE : strcmp(op, "LT") == 0 ? DX_LT :
			strcmp(op, "GE") == 0 ? DX_GE : DX_GT;
	}
	return n;
}

DynExprNode *
dynpg_expr_from_expected(DynJson *expected, const char *conditional_operator)
{
	return dynpg_expr_from_conditions(expected, conditional_operator, "Expected");
}

DynExprNode *
dynpg_expr_from_conditions(DynJson *expected, const char *conditional_operator,
						   const char *member)
{
	int			nkeys;
	char	  **keys = object_keys(expected, &nkeys);
	DynExprNode *cond = NULL;
	bool		or = conditional_operator != NULL && strcmp(conditional_operator, "OR") == 0;
	int			i;

	for (i = 0; i < nkeys; i++)
	{
		DynJson    *exp = dynpg_req_struct(expected, keys[i]);
		DynExprNode *one;

		if (exp == NULL)
			continue;
		one = expected_one(keys[i], exp, member);
		if (cond == NULL)
			cond = one;
		else
		{
			DynExprNode *j = node(or ? DX_OR : DX_AND, 2);

			j->args[0] = cond;
			j->args[1] = one;
			cond = j;
		}
	}
	return cond;
}

DynExprPath *
dynpg_expr_from_attributes_to_get(DynJson *list, int *npaths)
{
	int			n = dynpg_req_list_length(list);
	DynExprPath *paths = palloc0(sizeof(DynExprPath) * (n + 1));
	int			i;
	int			j;

	for (i = 0; i < n; i++)
	{
		DynJson    *v = list->elems[i];

		if (v->kind != DJ_STRING)
			dynpg_serialization_error("Unexpected value type in payload");
		/* a name as an item's: not empty, at most 65535 bytes */
		dynpg_check_attribute_name(v->str, v->len);
		paths[i] = top_path(pnstrdup(v->str, v->len));
		for (j = 0; j < i; j++)
			if (strcmp(paths[i].elems[0].name, paths[j].elems[0].name) == 0)
				dynpg_req_invalid_parameter("Duplicate value in attribute name: %s",
											paths[i].elems[0].name);
	}
	*npaths = n;
	return paths;
}

DynUpdate *
dynpg_expr_from_attribute_updates(DynJson *updates)
{
	int			nkeys;
	static const char *const actions[] = {"ADD", "PUT", "DELETE", NULL};
	char	  **keys = object_keys(updates, &nkeys);
	DynUpdate  *upd = palloc0(sizeof(DynUpdate));
	int			i;

	upd->legacy = true;

	upd->clauses = palloc0(sizeof(DynUpdateClause) * (nkeys + 1));
	upd->only_remove = true;
	for (i = 0; i < nkeys; i++)
	{
		DynJson    *u = dynpg_req_struct(updates, keys[i]);
		DynJson    *value;
		char	   *action;
		DynUpdateClause *c = &upd->clauses[upd->nclauses];
		DynExprNode *v = NULL;

		if (u == NULL)
			continue;
		value = dynpg_req_struct(u, "Value");
		action = dynpg_req_string(u, "Action");
		if (action == NULL)
			action = "PUT";
		one_constraint(psprintf("AttributeUpdates.%s.member.Action", keys[i]), action, actions);
		if (value != NULL)
			v = value_node(value);
		c->path = top_path(keys[i]);
		c->value = v;
		if (strcmp(action, "DELETE") == 0)
		{
			if (v == NULL)
				c->action = DU_REMOVE;
			else
			{
				DynType		t = v->value.type;

				if (t != DYN_T_SS && t != DYN_T_NS && t != DYN_T_BS)
					dynpg_req_invalid_parameter("DELETE action with value is not supported for the type %s",
												dynpg_type_name(t));
				c->action = DU_DELETE;
				upd->only_remove = false;
			}
		}
		else
		{
			if (v == NULL)
				dynpg_req_invalid_parameter("Only DELETE action is allowed when no attribute value is specified");
			upd->only_remove = false;
			if (strcmp(action, "PUT") == 0)
				c->action = DU_SET;
			else if (v->value.type == DYN_T_L)
			{
				/* ADD of a list appends (AttributeUpdates only) */
				DynExprNode *ine = node(DX_IF_NOT_EXISTS, 2);
				DynExprNode *empty = node(DX_VALUE, 0);
				DynExprNode *app = node(DX_LIST_APPEND, 2);

				empty->value = v->value;
				/* an empty list: the value's own encoding with no elements */
				empty->value.data = (const uint8 *) "\0";
				empty->value.len = 1;
				ine->args[0] = path_node(keys[i]);
				ine->args[1] = empty;
				app->args[0] = ine;
				app->args[1] = v;
				c->action = DU_SET;
				c->value = app;
			}
			else
			{
				DynType		t = v->value.type;

				if (t != DYN_T_N && t != DYN_T_SS && t != DYN_T_NS && t != DYN_T_BS)
					dynpg_req_invalid_parameter("ADD action is not supported for the type %s",
												dynpg_type_name(t));
				c->action = DU_ADD;
			}
		}
		upd->nclauses++;
	}
	return upd;
}
