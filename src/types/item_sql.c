/*-------------------------------------------------------------------------
 *
 * item_sql.c
 *	  SQL-callable functions of dynpg.item: I/O, casts, attribute access,
 *	  sizes, and the btree and hash support of its operator classes.
 *
 * Equality is DynamoDB's (sets unordered, numbers by value): the binary
 * form is canonical, so two items are equal exactly when their bytes are.
 * The btree order is the byte order of that form: total and stable, but
 * not meaningful beyond grouping equal items together.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/hash.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "base/dynpg_error.h"
#include "types/dynpg_base64.h"
#include "types/dynpg_item.h"


PG_FUNCTION_INFO_V1(dynpg_item_in);
Datum
dynpg_item_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);

	PG_RETURN_DYNITEM_P(dynpg_item_from_text(s, strlen(s)));
}

PG_FUNCTION_INFO_V1(dynpg_item_out);
Datum
dynpg_item_out(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	StringInfoData buf;

	initStringInfo(&buf);
	dynpg_item_append_text(item, &buf);
	PG_RETURN_CSTRING(buf.data);
}

/* Binary I/O: a version byte, then the DynamoDB JSON text (as jsonb does). */
PG_FUNCTION_INFO_V1(dynpg_item_recv);
Datum
dynpg_item_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgint(buf, 1);
	int			nbytes;
	char	   *text;

	if (version != DYN_ITEM_WIRE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported dynpg.item binary version %d", version)));
	text = pq_getmsgtext(buf, buf->len - buf->cursor, &nbytes);
	PG_RETURN_DYNITEM_P(dynpg_item_from_text(text, nbytes));
}

PG_FUNCTION_INFO_V1(dynpg_item_send);
Datum
dynpg_item_send(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	StringInfoData text;
	StringInfoData buf;

	initStringInfo(&text);
	dynpg_item_append_text(item, &text);
	pq_begintypsend(&buf);
	pq_sendint8(&buf, DYN_ITEM_WIRE_VERSION);
	pq_sendtext(&buf, text.data, text.len);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- casts and plain JSON ---- */

PG_FUNCTION_INFO_V1(dynpg_item_to_jsonb_sql);
Datum
dynpg_item_to_jsonb_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(dynpg_item_to_jsonb(PG_GETARG_DYNITEM_P(0), false));
}

PG_FUNCTION_INFO_V1(dynpg_item_from_jsonb_sql);
Datum
dynpg_item_from_jsonb_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_DYNITEM_P(dynpg_item_from_jsonb(PG_GETARG_DATUM(0), false));
}

PG_FUNCTION_INFO_V1(dynpg_item_to_plain_json);
Datum
dynpg_item_to_plain_json(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(dynpg_item_to_jsonb(PG_GETARG_DYNITEM_P(0), true));
}

PG_FUNCTION_INFO_V1(dynpg_item_from_plain_json);
Datum
dynpg_item_from_plain_json(PG_FUNCTION_ARGS)
{
	PG_RETURN_DYNITEM_P(dynpg_item_from_jsonb(PG_GETARG_DATUM(0), true));
}

/* ---- attribute access ---- */

static bool
lookup_name(DynItem *item, text *name, DynRef *out)
{
	DynRef		root = dynpg_item_root(item);
	DynContainer c;

	dynpg_container_open(&root, &c);
	return dynpg_map_find(&c, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name), out);
}

static bool
lookup_path(DynItem *item, text *path, DynRef *out)
{
	DynPathElem *elems;
	int			n = dynpg_path_parse(text_to_cstring(path), &elems);

	return dynpg_path_lookup(item, elems, n, out);
}

/* PostgreSQL text cannot hold NUL; DynamoDB strings can. */
static text *
checked_text(const char *s, int32 len, const char *what)
{
	if (memchr(s, '\0', len) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
				 errmsg("%s holds a NUL character, which text cannot represent", what),
				 errhint("Read it through the item's text form (DynamoDB JSON), which writes it as \\u0000.")));
	return cstring_to_text_with_len(s, len);
}

/* S as itself, N canonical, B base64, BOOL true/false, NULL as SQL NULL, containers as DynamoDB JSON */
static text *
value_as_text(const DynRef *ref, bool *isnull)
{
	StringInfoData buf;
	DynNumber	num;

	*isnull = false;
	switch (ref->type)
	{
		case DYN_T_S:
			return checked_text((const char *) ref->data, ref->len, "the string");
		case DYN_T_N:
			dynpg_number_from_ref(ref, &num);
			return cstring_to_text(dynpg_num_to_cstring(&num));
		case DYN_T_B:
			initStringInfo(&buf);
			dynpg_base64_encode(ref->data, ref->len, &buf);
			return cstring_to_text_with_len(buf.data, buf.len);
		case DYN_T_BOOL:
			return cstring_to_text(ref->boolval ? "true" : "false");
		case DYN_T_NULL:
			*isnull = true;
			return NULL;
		default:
			initStringInfo(&buf);
			dynpg_value_append_text(ref, &buf);
			return cstring_to_text_with_len(buf.data, buf.len);
	}
}

/* item -> name: the attribute as a typed AttributeValue (jsonb) */
PG_FUNCTION_INFO_V1(dynpg_item_attr);
Datum
dynpg_item_attr(PG_FUNCTION_ARGS)
{
	DynRef		ref;

	if (!lookup_name(PG_GETARG_DYNITEM_P(0), PG_GETARG_TEXT_PP(1), &ref))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(dynpg_value_to_jsonb(&ref, false));
}

/* item ->> name: the attribute as text */
PG_FUNCTION_INFO_V1(dynpg_item_attr_text);
Datum
dynpg_item_attr_text(PG_FUNCTION_ARGS)
{
	DynRef		ref;
	bool		isnull;
	text	   *t;

	if (!lookup_name(PG_GETARG_DYNITEM_P(0), PG_GETARG_TEXT_PP(1), &ref))
		PG_RETURN_NULL();
	t = value_as_text(&ref, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(t);
}

/* item ? name */
PG_FUNCTION_INFO_V1(dynpg_item_has_attr);
Datum
dynpg_item_has_attr(PG_FUNCTION_ARGS)
{
	DynRef		ref;

	PG_RETURN_BOOL(lookup_name(PG_GETARG_DYNITEM_P(0), PG_GETARG_TEXT_PP(1), &ref));
}

/* dynpg.get_path(item, 'a.b[2].c', plain := false) */
PG_FUNCTION_INFO_V1(dynpg_item_get_path);
Datum
dynpg_item_get_path(PG_FUNCTION_ARGS)
{
	DynRef		ref;

	if (!lookup_path(PG_GETARG_DYNITEM_P(0), PG_GETARG_TEXT_PP(1), &ref))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(dynpg_value_to_jsonb(&ref, PG_GETARG_BOOL(2)));
}

PG_FUNCTION_INFO_V1(dynpg_item_get_path_text);
Datum
dynpg_item_get_path_text(PG_FUNCTION_ARGS)
{
	DynRef		ref;
	bool		isnull;
	text	   *t;

	if (!lookup_path(PG_GETARG_DYNITEM_P(0), PG_GETARG_TEXT_PP(1), &ref))
		PG_RETURN_NULL();
	t = value_as_text(&ref, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(t);
}

PG_FUNCTION_INFO_V1(dynpg_item_path_exists);
Datum
dynpg_item_path_exists(PG_FUNCTION_ARGS)
{
	DynRef		ref;

	PG_RETURN_BOOL(lookup_path(PG_GETARG_DYNITEM_P(0), PG_GETARG_TEXT_PP(1), &ref));
}

PG_FUNCTION_INFO_V1(dynpg_item_path_type);
Datum
dynpg_item_path_type(PG_FUNCTION_ARGS)
{
	DynRef		ref;

	if (!lookup_path(PG_GETARG_DYNITEM_P(0), PG_GETARG_TEXT_PP(1), &ref))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(dynpg_type_name(ref.type)));
}

PG_FUNCTION_INFO_V1(dynpg_item_path_size);
Datum
dynpg_item_path_size(PG_FUNCTION_ARGS)
{
	DynRef		ref;

	if (!lookup_path(PG_GETARG_DYNITEM_P(0), PG_GETARG_TEXT_PP(1), &ref))
		PG_RETURN_NULL();
	PG_RETURN_INT64(dynpg_value_size(&ref));
}

PG_FUNCTION_INFO_V1(dynpg_item_size_sql);
Datum
dynpg_item_size_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(dynpg_item_size(PG_GETARG_DYNITEM_P(0)));
}

PG_FUNCTION_INFO_V1(dynpg_item_attribute_names);
Datum
dynpg_item_attribute_names(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	DynRef		root = dynpg_item_root(item);
	DynContainer c;
	Datum	   *names;
	int			i;

	dynpg_container_open(&root, &c);
	names = palloc(sizeof(Datum) * Max(c.count, 1));
	for (i = 0; i < c.count; i++)
	{
		const char *name;
		int32		namelen;

		(void) dynpg_map_entry(&c, i, &name, &namelen);
		names[i] = PointerGetDatum(checked_text(name, namelen, "an attribute name"));
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(names, c.count, TEXTOID, -1, false, TYPALIGN_INT));
}

/* ---- comparison and hashing ---- */

static int
item_cmp_internal(DynItem *a, DynItem *b)
{
	int32		alen = VARSIZE_ANY_EXHDR(a);
	int32		blen = VARSIZE_ANY_EXHDR(b);
	int			r = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(alen, blen));

	if (r != 0)
		return r < 0 ? -1 : 1;
	return (alen > blen) - (alen < blen);
}

#define ITEM_CMP_FN(fname, expr) \
PG_FUNCTION_INFO_V1(fname); \
Datum \
fname(PG_FUNCTION_ARGS) \
{ \
	DynItem    *a = PG_GETARG_DYNITEM_P(0); \
	DynItem    *b = PG_GETARG_DYNITEM_P(1); \
	int			r = item_cmp_internal(a, b); \
	PG_FREE_IF_COPY(a, 0); \
	PG_FREE_IF_COPY(b, 1); \
	expr; \
}

ITEM_CMP_FN(dynpg_item_cmp, PG_RETURN_INT32(r))
ITEM_CMP_FN(dynpg_item_eq, PG_RETURN_BOOL(r == 0))
ITEM_CMP_FN(dynpg_item_ne, PG_RETURN_BOOL(r != 0))
ITEM_CMP_FN(dynpg_item_lt, PG_RETURN_BOOL(r < 0))
ITEM_CMP_FN(dynpg_item_le, PG_RETURN_BOOL(r <= 0))
ITEM_CMP_FN(dynpg_item_gt, PG_RETURN_BOOL(r > 0))
ITEM_CMP_FN(dynpg_item_ge, PG_RETURN_BOOL(r >= 0))

PG_FUNCTION_INFO_V1(dynpg_item_hash);
Datum
dynpg_item_hash(PG_FUNCTION_ARGS)
{
	DynItem    *a = PG_GETARG_DYNITEM_P(0);
	Datum		h = hash_any((const unsigned char *) VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a));

	PG_FREE_IF_COPY(a, 0);
	return h;
}

PG_FUNCTION_INFO_V1(dynpg_item_hash_extended);
Datum
dynpg_item_hash_extended(PG_FUNCTION_ARGS)
{
	DynItem    *a = PG_GETARG_DYNITEM_P(0);
	Datum		h = hash_any_extended((const unsigned char *) VARDATA_ANY(a),
									  VARSIZE_ANY_EXHDR(a), PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(a, 0);
	return h;
}
