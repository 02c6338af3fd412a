/*-------------------------------------------------------------------------
 *
 * item_jsonb.c
 *	  Item output as jsonb, typed (DynamoDB JSON) or plain, by two writers:
 *	  one through pushJsonbValue, one that writes jsonb's binary form
 *	  directly (dynpg_jw_*).
 *
 * Plain JSON: S a string, N a number, B a base64 string, BOOL a boolean,
 * NULL null, M an object, L an array; sets become sorted arrays (so an SS
 * reads back as an L).  jsonb cannot hold NUL: a string holding one raises
 * untranslatable_character, in both writers, rather than being cut.
 *
 * The pushed writer serves plain output, single values and callers that
 * build a larger jsonb around an item (dynpg_item_push_jsonb).  The typed
 * jsonb of a whole item -- the cast to jsonb, Query's and Scan's responses
 * -- is written directly, without a JsonbValue tree; the two writers must
 * give the same bytes, which dynpg._jsonb_writer_check (below) tests.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "types/dynpg_base64.h"
#include "types/dynpg_item.h"

/* ---------------------------------------------------------------------
 * Output: jsonb (typed or plain) through pushJsonbValue
 * ---------------------------------------------------------------------
 */
static void
jsonb_string_value(JsonbValue *jv, const char *s, int32 len)
{
	if (memchr(s, '\0', len) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
				 errmsg("dynpg.item string holds a NUL character, which jsonb cannot represent"),
				 errhint("Use the item's text form (DynamoDB JSON), which writes it as \\u0000.")));
	jv->type = jbvString;
	jv->val.string.val = (char *) s;
	jv->val.string.len = len;
}

static void
jsonb_scalar_value(const DynRef *ref, bool plain, JsonbValue *jv)
{
	DynNumber	num;
	StringInfoData buf;

	switch (ref->type)
	{
		case DYN_T_S:
			jsonb_string_value(jv, (const char *) ref->data, ref->len);
			break;
		case DYN_T_N:
			dynpg_number_from_ref(ref, &num);
			if (plain)
			{
				jv->type = jbvNumeric;
				jv->val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
																	  CStringGetDatum(dynpg_num_to_cstring(&num)),
																	  ObjectIdGetDatum(InvalidOid),
																	  Int32GetDatum(-1)));
			}
			else
			{
				char	   *s = dynpg_num_to_cstring(&num);

				jv->type = jbvString;
				jv->val.string.val = s;
				jv->val.string.len = strlen(s);
			}
			break;
		case DYN_T_B:
			initStringInfo(&buf);
			dynpg_base64_encode(ref->data, ref->len, &buf);
			jv->type = jbvString;
			jv->val.string.val = buf.data;
			jv->val.string.len = buf.len;
			break;
		case DYN_T_BOOL:
			jv->type = jbvBool;
			jv->val.boolean = ref->boolval;
			break;
		case DYN_T_NULL:
			if (plain)
				jv->type = jbvNull;
			else
			{
				jv->type = jbvBool;
				jv->val.boolean = true;
			}
			break;
		default:
			elog(ERROR, "dynpg: not a scalar type %d", (int) ref->type);
	}
}

static void push_value_jsonb(JsonbParseState **st, const DynRef *ref, bool plain, bool is_elem);

static void
push_key(JsonbParseState **st, const char *key, int32 len)
{
	JsonbValue	k;

	jsonb_string_value(&k, key, len);
	pushJsonbValue(st, WJB_KEY, &k);
}

/* Push the contents of a map (its members) as a jsonb object. */
static JsonbValue *
push_map_jsonb(JsonbParseState **st, const DynRef *ref, bool plain)
{
	DynContainer c;
	int			i;

	dynpg_container_open(ref, &c);
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	for (i = 0; i < c.count; i++)
	{
		const char *name;
		int32		namelen;
		DynRef		v = dynpg_map_entry(&c, i, &name, &namelen);

		push_key(st, name, namelen);
		push_value_jsonb(st, &v, plain, false);
	}
	return pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/*
 * The untyped contents of a value: scalar, array or object.  Returns what the
 * last push returned (the finished value when it closes the outermost level).
 */
static JsonbValue *
push_contents_jsonb(JsonbParseState **st, const DynRef *ref, bool plain, bool is_elem)
{
	DynContainer c;
	JsonbValue	jv;
	int			i;

	switch (ref->type)
	{
		case DYN_T_M:
			return push_map_jsonb(st, ref, plain);
		case DYN_T_L:
			dynpg_container_open(ref, &c);
			pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
			for (i = 0; i < c.count; i++)
			{
				DynRef		v = dynpg_list_get(&c, i);

				push_value_jsonb(st, &v, plain, true);
			}
			return pushJsonbValue(st, WJB_END_ARRAY, NULL);
		case DYN_T_SS:
		case DYN_T_NS:
		case DYN_T_BS:
			dynpg_container_open(ref, &c);
			pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
			for (i = 0; i < c.count; i++)
			{
				DynRef		v = dynpg_set_elem_ref(&c, i);

				jsonb_scalar_value(&v, plain, &jv);
				pushJsonbValue(st, WJB_ELEM, &jv);
			}
			return pushJsonbValue(st, WJB_END_ARRAY, NULL);
		default:
			jsonb_scalar_value(ref, plain, &jv);
			return pushJsonbValue(st, is_elem ? WJB_ELEM : WJB_VALUE, &jv);
	}
}

static void
push_value_jsonb(JsonbParseState **st, const DynRef *ref, bool plain, bool is_elem)
{
	check_stack_depth();
	if (plain)
	{
		push_contents_jsonb(st, ref, true, is_elem);
		return;
	}
	/* typed: {"<type>": contents} */
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	push_key(st, dynpg_type_name(ref->type), strlen(dynpg_type_name(ref->type)));
	push_contents_jsonb(st, ref, false, false);
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/* Push the item's attributes as the members of an object begun by the caller. */
static void
push_item_members(JsonbParseState **st, const DynItem *item, bool plain)
{
	DynRef		root = dynpg_item_root(item);
	DynContainer c;
	int			i;

	dynpg_container_open(&root, &c);
	for (i = 0; i < c.count; i++)
	{
		const char *name;
		int32		namelen;
		DynRef		v = dynpg_map_entry(&c, i, &name, &namelen);

		push_key(st, name, namelen);
		push_value_jsonb(st, &v, plain, false);
	}
}

/*
 * Push 'item' as one object into a jsonb being built (after a key, or as an
 * array element), without making a jsonb of it first.  The pushed strings
 * point into 'item': it must live until the jsonb is finished.
 */
void
dynpg_item_push_jsonb(JsonbParseState **st, const DynItem *item, bool plain)
{
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	push_item_members(st, item, plain);
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/* ---------------------------------------------------------------------
 * Output: jsonb written directly (typed form)
 *
 * The typed jsonb of an item is written in jsonb's binary format straight
 * from the item, as jsonb_util.c's convertJsonbValue lays it out (header,
 * JEntries with an offset every JB_OFFSET_STRIDE, children, int-aligned
 * containers and numerics, object keys sorted by length, then bytes),
 * without building a JsonbValue tree first.  The result is byte for byte
 * what pushJsonbValue + JsonbValueToJsonb make of the same value (the
 * item_io and property tests compare the two).
 * ---------------------------------------------------------------------
 */
static int
jw_pad(StringInfo b)
{
	int			pad = INTALIGN(b->len) - b->len;
	int			i;

	for (i = 0; i < pad; i++)
		appendStringInfoCharMacro(b, '\0');
	return pad;
}

void
dynpg_jw_begin(StringInfo b, DynJbCont *c, int n, bool object)
{
	uint32		header = (uint32) n | (object ? JB_FOBJECT : JB_FARRAY);
	int			bytes;

	c->base = b->len;
	jw_pad(b);
	appendBinaryStringInfo(b, (const char *) &header, sizeof(header));
	c->n = object ? 2 * n : n;
	c->i = 0;
	c->total = 0;
	bytes = (int) sizeof(JEntry) * c->n;
	enlargeStringInfo(b, bytes);
	c->jentries = b->len;
	memset(b->data + b->len, 0, bytes);
	b->len += bytes;
	b->data[b->len] = '\0';
}

void
dynpg_jw_child(StringInfo b, DynJbCont *c, uint32 meta)
{
	if (c->i >= c->n)
		elog(ERROR, "dynpg: too many children in a jsonb container");
	c->total += JBE_OFFLENFLD(meta);
	if (c->total > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("total size of jsonb array elements exceeds the maximum of %u bytes",
						JENTRY_OFFLENMASK)));
	if (c->i % JB_OFFSET_STRIDE == 0)
		meta = (meta & JENTRY_TYPEMASK) | c->total | JENTRY_HAS_OFF;
	memcpy(b->data + c->jentries + sizeof(JEntry) * c->i, &meta, sizeof(JEntry));
	c->i++;
}

uint32
dynpg_jw_end(StringInfo b, DynJbCont *c)
{
	int			total = b->len - c->base;

	if (c->i != c->n)
		elog(ERROR, "dynpg: %d of %d children written in a jsonb container", c->i, c->n);
	if (total > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("total size of jsonb array elements exceeds the maximum of %u bytes",
						JENTRY_OFFLENMASK)));
	return JENTRY_ISCONTAINER | (uint32) total;
}

uint32
dynpg_jw_string(StringInfo b, const char *s, int len)
{
	JsonbValue	check;

	jsonb_string_value(&check, s, len);	/* refuses NUL as the pushed form does */
	appendBinaryStringInfo(b, s, len);
	return JENTRY_ISSTRING | (uint32) len;
}

uint32
dynpg_jw_numeric(StringInfo b, Numeric num)
{
	int			pad = jw_pad(b);
	int			len = VARSIZE_ANY(num);

	appendBinaryStringInfo(b, (const char *) num, len);
	return JENTRY_ISNUMERIC | (uint32) (pad + len);
}

static uint32 jw_typed(StringInfo b, const DynRef *ref);

/* a scalar's typed contents: S, N (its canonical text), B (base64) */
static uint32
jw_scalar_text(StringInfo b, const DynRef *ref)
{
	DynNumber	num;
	StringInfoData tmp;
	char	   *txt;
	uint32		meta;

	switch (ref->type)
	{
		case DYN_T_S:
			return dynpg_jw_string(b, (const char *) ref->data, ref->len);
		case DYN_T_N:
			dynpg_number_from_ref(ref, &num);
			txt = dynpg_num_to_cstring(&num);
			meta = dynpg_jw_string(b, txt, strlen(txt));
			pfree(txt);
			return meta;
		case DYN_T_B:
			initStringInfo(&tmp);
			dynpg_base64_encode(ref->data, ref->len, &tmp);
			meta = dynpg_jw_string(b, tmp.data, tmp.len);
			pfree(tmp.data);
			return meta;
		default:
			elog(ERROR, "dynpg: not a scalar type %d", (int) ref->type);
	}
	return 0;
}

typedef struct JwMember
{
	const char *name;
	int32		namelen;
	DynRef		value;
} JwMember;

/* jsonb's key order: shorter first, then bytes */
static int
jw_member_cmp(const void *a, const void *b)
{
	const JwMember *x = (const JwMember *) a;
	const JwMember *y = (const JwMember *) b;

	if (x->namelen != y->namelen)
		return x->namelen < y->namelen ? -1 : 1;
	return memcmp(x->name, y->name, x->namelen);
}

/* a map's members as an object of typed values */
static uint32
jw_map(StringInfo b, const DynRef *ref)
{
	DynContainer c;
	JwMember   *m;
	DynJbCont	cont;
	int			i;

	check_stack_depth();
	dynpg_container_open(ref, &c);
	m = palloc(sizeof(JwMember) * Max(c.count, 1));
	for (i = 0; i < c.count; i++)
		m[i].value = dynpg_map_entry(&c, i, &m[i].name, &m[i].namelen);
	qsort(m, c.count, sizeof(JwMember), jw_member_cmp);
	dynpg_jw_begin(b, &cont, c.count, true);
	for (i = 0; i < c.count; i++)
		dynpg_jw_child(b, &cont, dynpg_jw_string(b, m[i].name, m[i].namelen));
	for (i = 0; i < c.count; i++)
		dynpg_jw_child(b, &cont, jw_typed(b, &m[i].value));
	pfree(m);
	return dynpg_jw_end(b, &cont);
}

/* the untyped contents of a typed value {"<type>": contents} */
static uint32
jw_contents(StringInfo b, const DynRef *ref)
{
	DynContainer c;
	DynJbCont	cont;
	int			i;

	switch (ref->type)
	{
		case DYN_T_S:
		case DYN_T_N:
		case DYN_T_B:
			return jw_scalar_text(b, ref);
		case DYN_T_BOOL:
			return ref->boolval ? JENTRY_ISBOOL_TRUE : JENTRY_ISBOOL_FALSE;
		case DYN_T_NULL:
			return JENTRY_ISBOOL_TRUE;
		case DYN_T_M:
			return jw_map(b, ref);
		case DYN_T_L:
			dynpg_container_open(ref, &c);
			dynpg_jw_begin(b, &cont, c.count, false);
			for (i = 0; i < c.count; i++)
			{
				DynRef		v = dynpg_list_get(&c, i);

				dynpg_jw_child(b, &cont, jw_typed(b, &v));
			}
			return dynpg_jw_end(b, &cont);
		case DYN_T_SS:
		case DYN_T_NS:
		case DYN_T_BS:
			dynpg_container_open(ref, &c);
			dynpg_jw_begin(b, &cont, c.count, false);
			for (i = 0; i < c.count; i++)
			{
				DynRef		v = dynpg_set_elem_ref(&c, i);

				dynpg_jw_child(b, &cont, jw_scalar_text(b, &v));
			}
			return dynpg_jw_end(b, &cont);
		default:
			elog(ERROR, "dynpg: unknown type %d", (int) ref->type);
	}
	return 0;
}

static uint32
jw_typed(StringInfo b, const DynRef *ref)
{
	const char *tn = dynpg_type_name(ref->type);
	DynJbCont	cont;

	check_stack_depth();
	dynpg_jw_begin(b, &cont, 1, true);
	dynpg_jw_child(b, &cont, dynpg_jw_string(b, tn, strlen(tn)));
	dynpg_jw_child(b, &cont, jw_contents(b, ref));
	return dynpg_jw_end(b, &cont);
}

/* An item as a typed jsonb object, written at the end of 'b'. */
uint32
dynpg_jw_item(StringInfo b, const DynItem *item)
{
	DynRef		root = dynpg_item_root(item);

	return jw_map(b, &root);
}

/* A finished jsonb from a buffer that began with VARHDRSZ reserved bytes. */
Jsonb *
dynpg_jw_finish(StringInfo b)
{
	Jsonb	   *res = (Jsonb *) b->data;

	SET_VARSIZE(res, b->len);
	return res;
}

void
dynpg_jw_start(StringInfo b)
{
	initStringInfo(b);
	appendStringInfoSpaces(b, VARHDRSZ);
}

/* ---------------------------------------------------------------------
 * Entry points: output
 * ---------------------------------------------------------------------
 */
Datum
dynpg_item_to_jsonb(const DynItem *item, bool plain)
{
	JsonbParseState *st = NULL;

	if (!plain)
	{
		StringInfoData b;

		dynpg_jw_start(&b);
		(void) dynpg_jw_item(&b, item);
		return JsonbPGetDatum(dynpg_jw_finish(&b));
	}
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_item_members(&st, item, plain);
	return JsonbPGetDatum(JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL)));
}

/* One attribute value as jsonb: typed {"S":"x"} or plain "x". */
Datum
dynpg_value_to_jsonb(const DynRef *ref, bool plain)
{
	JsonbParseState *st = NULL;
	JsonbValue *res;
	JsonbValue	jv;

	if (!plain)
	{
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		push_key(&st, dynpg_type_name(ref->type), strlen(dynpg_type_name(ref->type)));
		push_contents_jsonb(&st, ref, false, false);
		res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	else if (ref->type == DYN_T_M || ref->type == DYN_T_L || ref->type == DYN_T_SS ||
			 ref->type == DYN_T_NS || ref->type == DYN_T_BS)
		res = push_contents_jsonb(&st, ref, true, false);
	else
	{
		/* a scalar: JsonbValueToJsonb makes it a raw-scalar jsonb */
		jsonb_scalar_value(ref, true, &jv);
		res = &jv;
	}
	return JsonbPGetDatum(JsonbValueToJsonb(res));
}

/*
 * dynpg._jsonb_writer_check(item): whether the directly written typed
 * jsonb of the item is byte for byte what pushJsonbValue and
 * JsonbValueToJsonb make of it (a property test of the writer).
 */
PG_FUNCTION_INFO_V1(dynpg_jsonb_writer_check);
Datum
dynpg_jsonb_writer_check(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	JsonbParseState *st = NULL;
	Jsonb	   *pushed;
	Jsonb	   *written = DatumGetJsonbP(dynpg_item_to_jsonb(item, false));

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_item_members(&st, item, false);
	pushed = JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
	PG_RETURN_BOOL(VARSIZE(pushed) == VARSIZE(written) &&
				   memcmp(pushed, written, VARSIZE(pushed)) == 0);
}
