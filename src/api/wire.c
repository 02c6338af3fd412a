/*-------------------------------------------------------------------------
 *
 * wire.c
 *	  Building response jsonb (see dynpg_wire.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "api/dynpg_wire.h"

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
