/*-------------------------------------------------------------------------
 *
 * wire.c
 *	  Building responses, and writing them as jsonb or as JSON text (see
 *	  dynpg_wire.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"
#include "miscadmin.h"

#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "api/dynpg_wire.h"
#include "base/dynpg_json.h"
#include "mb/pg_wchar.h"

/* ---- responses ----
 *
 * 'key' names the member of the enclosing object; NULL means an element of
 * the enclosing array (or the root).
 */
void
dynpg_jb_key(JsonbParseState **st, const char *key)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(st, WJB_KEY, &k);
}

static void
push_scalar(JsonbParseState **st, const char *key, JsonbValue *v)
{
	if (key != NULL)
	{
		dynpg_jb_key(st, key);
		pushJsonbValue(st, WJB_VALUE, v);
	}
	else
		pushJsonbValue(st, WJB_ELEM, v);
}

void
dynpg_jb_string(JsonbParseState **st, const char *key, const char *value)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) value;
	v.val.string.len = strlen(value);
	push_scalar(st, key, &v);
}

void
dynpg_jb_int64(JsonbParseState **st, const char *key, int64 value)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(value);
	push_scalar(st, key, &v);
}

void
dynpg_jb_numeric_text(JsonbParseState **st, const char *key, const char *value)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
														CStringGetDatum(value),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
	push_scalar(st, key, &v);
}

void
dynpg_jb_bool(JsonbParseState **st, const char *key, bool value)
{
	JsonbValue	v;

	v.type = jbvBool;
	v.val.boolean = value;
	push_scalar(st, key, &v);
}

/* Copy a container (of a request or a stored definition) into the response. */
void
dynpg_jb_container(JsonbParseState **st, const char *key, JsonbContainer *c)
{
	JsonbValue	v;

	v.type = jbvBinary;
	v.val.binary.data = c;
	v.val.binary.len = 0;		/* pushJsonbValue() iterates it; unused */
	if (key != NULL)
	{
		dynpg_jb_key(st, key);
		pushJsonbValue(st, WJB_VALUE, &v);
	}
	else
		pushJsonbValue(st, WJB_ELEM, &v);
}

void
dynpg_jb_begin_object(JsonbParseState **st, const char *key)
{
	if (key != NULL)
		dynpg_jb_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
}

void
dynpg_jb_begin_array(JsonbParseState **st, const char *key)
{
	if (key != NULL)
		dynpg_jb_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
}

JsonbValue *
dynpg_jb_end_object(JsonbParseState **st)
{
	return pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

JsonbValue *
dynpg_jb_end_array(JsonbParseState **st)
{
	return pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

Jsonb *
dynpg_jb_finish(JsonbValue *root)
{
	return JsonbValueToJsonb(root);
}

/*
 * jsonb cannot hold U+0000: a string holding it cannot become jsonb, with
 * the error jsonb's own input gives (the SQL functions' callers see it).
 */
static void
check_no_nul(const DynJson *j)
{
	if (memchr(j->str, '\0', j->len) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
				 errmsg("unsupported Unicode escape sequence"),
				 errdetail("\\u0000 cannot be converted to text.")));
}

/* A request's JSON into jsonb being built (a definition made of request parts). */
void
dynpg_jb_json(JsonbParseState **st, const char *key, const DynJson *j)
{
	JsonbValue	v;
	int			i;

	check_stack_depth();
	switch (j->kind)
	{
		case DJ_OBJECT:
			dynpg_jb_begin_object(st, key);
			for (i = 0; i < j->len; i++)
			{
				char	   *k = pnstrdup(j->members[i].key, j->members[i].keylen);

				dynpg_jb_json(st, k, j->members[i].val);
			}
			(void) dynpg_jb_end_object(st);
			return;
		case DJ_ARRAY:
			dynpg_jb_begin_array(st, key);
			for (i = 0; i < j->len; i++)
				dynpg_jb_json(st, NULL, j->elems[i]);
			(void) dynpg_jb_end_array(st);
			return;
		case DJ_NULL:
			v.type = jbvNull;
			break;
		case DJ_TRUE:
		case DJ_FALSE:
			v.type = jbvBool;
			v.val.boolean = j->kind == DJ_TRUE;
			break;
		case DJ_NUMBER:
			dynpg_jb_numeric_text(st, key, pnstrdup(j->str, j->len));
			return;
		case DJ_STRING:
			check_no_nul(j);
			v.type = jbvString;
			v.val.string.val = (char *) j->str;
			v.val.string.len = j->len;
			break;
		default:
			elog(ERROR, "dynpg: a JSON node of kind %d in a request", (int) j->kind);
	}
	push_scalar(st, key, &v);
}

/* ---- responses as JSON trees ---- */

struct DynOut
{
	DynJson    *node;			/* the container being filled */
	DynOut	   *parent;
};

static void
out_add(DynOut **o, const char *key, DynJson *v)
{
	if (*o == NULL)
		elog(ERROR, "dynpg: a response value outside any container");
	if (key != NULL)
		dynpg_json_add((*o)->node, key, strlen(key), v);
	else
		dynpg_json_append((*o)->node, v);
}

static void
out_begin(DynOut **o, const char *key, DynJsonKind kind)
{
	DynOut	   *n = palloc(sizeof(DynOut));

	n->node = dynpg_json_new(kind);
	if (*o != NULL)
		out_add(o, key, n->node);
	n->parent = *o;
	*o = n;
}

void
dynpg_out_begin_object(DynOut **o, const char *key)
{
	out_begin(o, key, DJ_OBJECT);
}

void
dynpg_out_begin_array(DynOut **o, const char *key)
{
	out_begin(o, key, DJ_ARRAY);
}

static DynJson *
out_end(DynOut **o)
{
	DynJson    *done = (*o)->node;

	*o = (*o)->parent;
	return done;
}

DynJson *
dynpg_out_end_object(DynOut **o)
{
	Assert((*o)->node->kind == DJ_OBJECT);
	return out_end(o);
}

DynJson *
dynpg_out_end_array(DynOut **o)
{
	Assert((*o)->node->kind == DJ_ARRAY);
	return out_end(o);
}

void
dynpg_out_string(DynOut **o, const char *key, const char *value)
{
	out_add(o, key, dynpg_json_string(value, strlen(value)));
}

void
dynpg_out_int64(DynOut **o, const char *key, int64 value)
{
	out_add(o, key, dynpg_json_number(psprintf(INT64_FORMAT, value)));
}

void
dynpg_out_numeric_text(DynOut **o, const char *key, const char *value)
{
	out_add(o, key, dynpg_json_number(value));
}

void
dynpg_out_bool(DynOut **o, const char *key, bool value)
{
	out_add(o, key, dynpg_json_bool(value));
}

void
dynpg_out_item(DynOut **o, const char *key, const DynItem *item)
{
	out_add(o, key, dynpg_json_ext(DJ_ITEM, item));
}

void
dynpg_out_json(DynOut **o, const char *key, DynJson *value)
{
	out_add(o, key, value);
}

DynJson *
dynpg_out_finish(DynJson *root)
{
	return root;
}

DynJson *
dynpg_response_from_jsonb(Jsonb *jb)
{
	return dynpg_json_ext(DJ_JSONB, jb);
}

/* ---- writing a response ---- */

/* A number's text as a jsonb numeric. */
static Numeric
number_of(const DynJson *j)
{
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(pnstrdup(j->str, j->len)),
											   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
}

/* jsonb's order of object keys: shorter first, then by bytes */
static int
jsonb_key_order(const void *a, const void *b)
{
	const DynJsonMember *x = *(const DynJsonMember *const *) a;
	const DynJsonMember *y = *(const DynJsonMember *const *) b;

	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	return memcmp(x->key, y->key, x->keylen);
}

/*
 * One value in jsonb's binary form, written straight into 'b' with the
 * item codec's writer (types/dynpg_item.h, dynpg_jw_*): what
 * JsonbValueToJsonb would build, without building a JsonbValue tree first.
 */
static uint32
jw_value(StringInfo b, const DynJson *j)
{
	DynJbCont	c;
	int			i;

	check_stack_depth();
	switch (j->kind)
	{
		case DJ_NULL:
			return JENTRY_ISNULL;
		case DJ_TRUE:
			return JENTRY_ISBOOL_TRUE;
		case DJ_FALSE:
			return JENTRY_ISBOOL_FALSE;
		case DJ_NUMBER:
			return dynpg_jw_numeric(b, number_of(j));
		case DJ_STRING:
			check_no_nul(j);
			return dynpg_jw_string(b, j->str, j->len);
		case DJ_ITEM:
			return dynpg_jw_item(b, (const DynItem *) j->ext);
		case DJ_ARRAY:
			dynpg_jw_begin(b, &c, j->len, false);
			for (i = 0; i < j->len; i++)
				dynpg_jw_child(b, &c, jw_value(b, j->elems[i]));
			return dynpg_jw_end(b, &c);
		case DJ_OBJECT:
			{
				const DynJsonMember **m = palloc(sizeof(DynJsonMember *) * Max(j->len, 1));
				int			n = 0;

				for (i = 0; i < j->len; i++)
					m[i] = &j->members[i];
				qsort(m, j->len, sizeof(DynJsonMember *), jsonb_key_order);
				/* unique keys, as jsonb keeps them (the builders add none twice) */
				for (i = 0; i < j->len; i++)
					if (n == 0 || jsonb_key_order(&m[n - 1], &m[i]) != 0)
						m[n++] = m[i];
				dynpg_jw_begin(b, &c, n, true);
				for (i = 0; i < n; i++)
					dynpg_jw_child(b, &c, dynpg_jw_string(b, m[i]->key, m[i]->keylen));
				for (i = 0; i < n; i++)
					dynpg_jw_child(b, &c, jw_value(b, m[i]->val));
				pfree(m);
				return dynpg_jw_end(b, &c);
			}
		case DJ_JSONB:
			elog(ERROR, "dynpg: a jsonb document inside a response tree");
	}
	return 0;
}

Jsonb *
dynpg_response_jsonb(const DynJson *response)
{
	StringInfoData b;
	uint32		meta;

	if (response->kind == DJ_JSONB)
		return (Jsonb *) response->ext;
	if (response->kind != DJ_OBJECT && response->kind != DJ_ARRAY)
		elog(ERROR, "dynpg: a response must be an object");
	dynpg_jw_start(&b);
	meta = jw_value(&b, response);
	(void) meta;
	return dynpg_jw_finish(&b);
}

static void
write_ext(StringInfo out, const DynJson *node)
{
	if (node->kind == DJ_ITEM)
		dynpg_item_append_text((const DynItem *) node->ext, out);
	else
	{
		/* compact, as DynamoDB writes (JsonbToCString puts spaces after ':' and ',') */
		dynpg_json_write(out, dynpg_json_from_jsonb((Jsonb *) node->ext), write_ext);
	}
}

void
dynpg_response_text(StringInfo out, const DynJson *response)
{
	dynpg_json_write(out, response, write_ext);
}
