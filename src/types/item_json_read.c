/*-------------------------------------------------------------------------
 *
 * item_json_read.c
 *	  The JSON tree to an item: DynamoDB's AttributeValue rules, plain JSON,
 *	  and the entry points of item input (dynpg_item_from_text,
 *	  dynpg_item_from_jsonb, dynpg_attribute_value_from_jsonb,
 *	  dynpg_attribute_value_parse).
 *
 * The tree comes from base/dynpg_json.c.  Each AttributeValue is checked as
 * DynamoDB's request deserializer and validator check it, with their
 * messages: the JSON shape of each member as it is read
 * (SerializationException, naming the Java classes Jackson sees), each
 * type's own rules (number syntax and range, base64, non-empty sets, NULL
 * true), and exactly one type descriptor (ValidationException).  Unknown
 * members and null members are ignored, as DynamoDB's deserializer does.
 * What needs the whole value (duplicate set elements, depth, names, size)
 * is checked afterwards by item_build.c, which every entry point calls.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/jsonb.h"

#include "base/dynpg_error.h"
#include "base/dynpg_request.h"
#include "types/dynpg_base64.h"
#include "types/dynpg_item.h"
#include "base/dynpg_json.h"

/* ---------------------------------------------------------------------
 * JSON tree to item: DynamoDB's AttributeValue rules
 * ---------------------------------------------------------------------
 */

/* A member that must be a JSON string (S, N, B and set elements). */
static void
expect_string(const DynJson *n, bool blob)
{
	if (n->kind != DJ_STRING && n->kind != DJ_NULL)
		dynpg_req_unexpected_value(n, blob ? DYN_MODEL_BLOB : DYN_MODEL_STRING);
}

static bool
expect_boolean(const DynJson *n)
{
	switch (n->kind)
	{
		case DJ_TRUE:
			return true;
		case DJ_FALSE:
			return false;
		case DJ_NUMBER:
			/* Jackson reads a fractional number as a boolean by magnitude */
			if (strcmp(dynpg_req_number_class(n->str, n->len), "java.lang.Double") == 0)
			{
				char	   *s = pnstrdup(n->str, n->len);
				double		d = strtod(s, NULL);

				return d >= 1.0 || d <= -1.0;
			}
			dynpg_req_unexpected_value(n, DYN_MODEL_BOOLEAN);
		case DJ_NULL:
			break;
		default:
			dynpg_req_unexpected_value(n, DYN_MODEL_BOOLEAN);
	}
	return false;
}

static DynBuildValue *av_from_jnode(const DynJson *n, int depth);

static DynBuildValue *
scalar_from_member(DynType t, const DynJson *n)
{
	DynNumber	num;

	switch (t)
	{
		case DYN_T_S:
			expect_string(n, false);
			return dynpg_build_scalar(DYN_T_S, n->str, n->len);
		case DYN_T_N:
			expect_string(n, false);
			dynpg_num_parse_or_error(n->str, n->len, &num);
			return dynpg_build_number(&num);
		case DYN_T_B:
			{
				StringInfoData buf;

				expect_string(n, true);
				initStringInfo(&buf);
				dynpg_base64_decode(n->str, n->len, &buf);
				return dynpg_build_scalar(DYN_T_B, buf.data, buf.len);
			}
		default:
			elog(ERROR, "dynpg: not a scalar type %d", (int) t);
	}
	return NULL;
}

static DynBuildValue *
container_from_member(DynType t, const DynJson *n, int depth)
{
	DynBuildValue *v = palloc0(sizeof(DynBuildValue));
	int			i;

	v->type = t;
	if (t == DYN_T_M)
	{
		if (n->kind != DJ_OBJECT)
			dynpg_req_unexpected_value(n, DYN_MODEL_MAP);
		v->members = palloc(sizeof(DynBuildMember) * Max(n->len, 1));
		for (i = 0; i < n->len; i++)
		{
			v->members[i].name = n->members[i].key;
			v->members[i].namelen = n->members[i].keylen;
			v->members[i].value = av_from_jnode(n->members[i].val, depth + 1);
		}
		v->count = n->len;
		return v;
	}

	/* L and the sets are JSON arrays */
	if (n->kind != DJ_ARRAY)
		dynpg_req_unexpected_value(n, DYN_MODEL_LIST);
	v->elems = palloc(sizeof(DynBuildValue *) * Max(n->len, 1));
	for (i = 0; i < n->len; i++)
	{
		const DynJson *e = n->elems[i];

		if (t == DYN_T_L)
			v->elems[v->count++] = av_from_jnode(e, depth + 1);
		else
		{
			if (e->kind == DJ_NULL)
				continue;		/* the deserializer drops nulls */
			v->elems[v->count++] = scalar_from_member(t == DYN_T_SS ? DYN_T_S :
													  t == DYN_T_NS ? DYN_T_N : DYN_T_B, e);
		}
	}
	if (v->count == 0)
	{
		if (t == DYN_T_SS)
			dynpg_req_invalid_parameter("An string set  may not be empty");
		if (t == DYN_T_NS)
			dynpg_req_invalid_parameter("An number set  may not be empty");
		if (t == DYN_T_BS)
			dynpg_req_invalid_parameter("Binary sets should not be empty");
	}
	return v;
}

/*
 * One AttributeValue: a JSON object with exactly one type descriptor.
 * Members are deserialized first (SerializationException), then counted
 * (ValidationException); unknown members and null members are ignored, as
 * DynamoDB's deserializer does.
 */
static DynBuildValue *
av_from_jnode(const DynJson *n, int depth)
{
	DynBuildValue *result = NULL;
	int			ntypes = 0;
	int			i;

	switch (n->kind)
	{
		case DJ_OBJECT:
			break;
		case DJ_NULL:
			dynpg_validation_error("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
		default:
			dynpg_req_unexpected_value(n, DYN_MODEL_STRUCTURE);
	}
	for (i = 0; i < n->len; i++)
	{
		const DynJsonMember *m = &n->members[i];
		DynType		t = dynpg_type_from_name(m->key, m->keylen);
		DynBuildValue *v;

		if (t == 0 || m->val->kind == DJ_NULL)
			continue;
		switch (t)
		{
			case DYN_T_S:
			case DYN_T_N:
			case DYN_T_B:
				v = scalar_from_member(t, m->val);
				break;
			case DYN_T_BOOL:
				v = dynpg_build_bool(expect_boolean(m->val));
				break;
			case DYN_T_NULL:
				if (!expect_boolean(m->val))
					dynpg_req_invalid_parameter("Null attribute value types must have the value of true");
				v = dynpg_build_null();
				break;
			default:
				v = container_from_member(t, m->val, depth);
				break;
		}
		ntypes++;
		result = v;
	}
	if (ntypes == 0)
		dynpg_validation_error("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
	if (ntypes > 1)
		dynpg_validation_error("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
	return result;
}

/* An item: a JSON object mapping attribute names to AttributeValues. */
static DynBuildValue *
item_tree_from_jnode(const DynJson *n)
{
	DynBuildValue *root;
	int			i;

	if (n->kind != DJ_OBJECT)
		dynpg_req_unexpected_value(n, DYN_MODEL_MAP);
	root = palloc0(sizeof(DynBuildValue));
	root->type = DYN_T_M;
	root->members = palloc(sizeof(DynBuildMember) * Max(n->len, 1));
	for (i = 0; i < n->len; i++)
	{
		root->members[i].name = n->members[i].key;
		root->members[i].namelen = n->members[i].keylen;
		root->members[i].value = av_from_jnode(n->members[i].val, 1);
	}
	root->count = n->len;
	return root;
}

/* ---------------------------------------------------------------------
 * Plain JSON to item: strings are S, numbers N, arrays L, objects M
 * ---------------------------------------------------------------------
 */
static DynBuildValue *
plain_from_jnode(const DynJson *n)
{
	DynBuildValue *v;
	DynNumber	num;
	int			i;

	check_stack_depth();
	switch (n->kind)
	{
		case DJ_NULL:
			return dynpg_build_null();
		case DJ_TRUE:
		case DJ_FALSE:
			return dynpg_build_bool(n->kind == DJ_TRUE);
		case DJ_STRING:
			return dynpg_build_scalar(DYN_T_S, n->str, n->len);
		case DJ_NUMBER:
			dynpg_num_parse_or_error(n->str, n->len, &num);
			return dynpg_build_number(&num);
		case DJ_ARRAY:
			v = palloc0(sizeof(DynBuildValue));
			v->type = DYN_T_L;
			v->elems = palloc(sizeof(DynBuildValue *) * Max(n->len, 1));
			for (i = 0; i < n->len; i++)
				v->elems[i] = plain_from_jnode(n->elems[i]);
			v->count = n->len;
			return v;
		case DJ_OBJECT:
			v = palloc0(sizeof(DynBuildValue));
			v->type = DYN_T_M;
			v->members = palloc(sizeof(DynBuildMember) * Max(n->len, 1));
			for (i = 0; i < n->len; i++)
			{
				v->members[i].name = n->members[i].key;
				v->members[i].namelen = n->members[i].keylen;
				v->members[i].value = plain_from_jnode(n->members[i].val);
			}
			v->count = n->len;
			return v;
		case DJ_ITEM:
		case DJ_JSONB:
			break;				/* never in a parsed request */
	}
	elog(ERROR, "dynpg: unexpected JSON kind %d", (int) n->kind);
	return NULL;
}

/* ---------------------------------------------------------------------
 * Entry points: input
 * ---------------------------------------------------------------------
 */
DynItem *
dynpg_item_from_text(const char *text, int len)
{
	DynJson	   *n = dynpg_json_parse(text, len);
	DynBuildValue *root = item_tree_from_jnode(n);

	dynpg_item_finish(root);
	return dynpg_item_serialize(root);
}

DynItem *
dynpg_item_from_jsonb(Datum jsonb, bool plain)
{
	return dynpg_item_from_json(dynpg_json_from_jsonb(DatumGetJsonbP(jsonb)), plain);
}

/* An item from its JSON tree: typed (DynamoDB JSON) or plain JSON. */
DynItem *
dynpg_item_from_json(const DynJson *n, bool plain)
{
	DynBuildValue *root;

	if (plain)
	{
		if (n->kind != DJ_OBJECT)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("an item in plain JSON must be a JSON object")));
		root = plain_from_jnode(n);
	}
	else
		root = item_tree_from_jnode(n);
	dynpg_item_finish(root);
	return dynpg_item_serialize(root);
}

/* One typed AttributeValue from jsonb, finished as an item attribute. */
DynBuildValue *
dynpg_attribute_value_from_jsonb(Datum jsonb)
{
	Jsonb	   *jb = DatumGetJsonbP(jsonb);
	DynJson	   *n = dynpg_json_from_jsonb(jb);
	DynBuildValue *v = av_from_jnode(n, 1);

	(void) dynpg_value_finish(v, 1);
	return v;
}

/*
 * One AttributeValue of a request that is not part of an item (an
 * ExpressionAttributeValue, a legacy condition's Value): checked by the rules
 * of an item's attribute, the 400 KB item limit included, as DynamoDB checks
 * it, and serialized as the one attribute (named "v") of an item; *value
 * (if not NULL) points at it inside the returned datum.
 */
DynItem *
dynpg_attribute_value_parse(const DynJson *av, DynRef *value)
{
	DynBuildValue *root = palloc0(sizeof(DynBuildValue));
	DynItem    *item;

	root->type = DYN_T_M;
	root->count = 1;
	root->members = palloc(sizeof(DynBuildMember));
	root->members[0].name = "v";
	root->members[0].namelen = 1;
	root->members[0].value = av_from_jnode(av, 1);
	(void) dynpg_item_finish(root);
	item = dynpg_item_serialize(root);
	if (value != NULL)
	{
		DynRef		r = dynpg_item_root(item);
		DynContainer c;
		const char *name;
		int32		namelen;

		dynpg_container_open(&r, &c);
		*value = dynpg_map_entry(&c, 0, &name, &namelen);
	}
	return item;
}
