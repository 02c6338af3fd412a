/*-------------------------------------------------------------------------
 *
 * dynpg_json.c
 *	  JSON text and jsonb into DynJson trees (dynpg_json.h): dynpg's own
 *	  parser of JSON text, and the reader of jsonb.
 *
 * dynpg parses JSON text itself because jsonb cannot hold the NUL
 * character, which DynamoDB strings may contain: strings of the tree may
 * hold NUL.  The parser follows JSON's grammar strictly (white space is
 * space, tab, CR and LF; a \u surrogate must be paired) and reports a
 * syntax error as DynamoDB's SerializationException "Malformed JSON: ...
 * at character N".  Both builders bound the nesting (DYN_DYN_JSON_MAX_DEPTH)
 * and check the stack, so that no input recurses without limit.  No
 * DynamoDB rule is applied here: items are types' (types/item_json_read.c),
 * requests the API's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"

#include "base/dynpg_error.h"
#include "base/dynpg_json.h"


DynJson *
dynpg_json_new(DynJsonKind kind)
{
	DynJson	   *n = palloc0(sizeof(DynJson));

	n->kind = kind;
	return n;
}

/* ---------------------------------------------------------------------
 * JSON text parser
 * ---------------------------------------------------------------------
 */
typedef struct JParser
{
	const char *s;
	int			len;
	int			pos;
	DynJson    *pool;			/* nodes not yet handed out (node()) */
	int			pool_left;
	int			pool_next;		/* the next batch's size */
} JParser;

/*
 * A new node of the parse: nodes come zeroed in batches from one palloc,
 * not one palloc0 each (a tree is freed with its memory context, never
 * node by node: nothing pfrees a DynJson).
 */
static inline DynJson *
node(JParser *p, DynJsonKind kind)
{
	DynJson    *n;

	if (p->pool_left == 0)
	{
		p->pool = palloc0(sizeof(DynJson) * p->pool_next);
		p->pool_left = p->pool_next;
		p->pool_next = Min(p->pool_next * 2, 256);
	}
	n = p->pool++;
	p->pool_left--;
	n->kind = kind;
	return n;
}

static void
json_syntax_error(JParser *p, const char *what) pg_attribute_noreturn();

static void
json_syntax_error(JParser *p, const char *what)
{
	dynpg_serialization_error("Malformed JSON: %s at character %d", what, p->pos + 1);
}

static void
skip_ws(JParser *p)
{
	while (p->pos < p->len)
	{
		char		c = p->s[p->pos];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			p->pos++;
		else
			break;
	}
}

/* The value of hex digit 'c', or -1 (dynpg_json.h). */
int
dynpg_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static uint32
parse_hex4(JParser *p)
{
	uint32		v = 0;
	int			i;

	if (p->pos + 4 > p->len)
		json_syntax_error(p, "truncated \\u escape");
	for (i = 0; i < 4; i++)
	{
		int			h = dynpg_hex_digit(p->s[p->pos + i]);

		if (h < 0)
			json_syntax_error(p, "bad \\u escape");
		v = (v << 4) | (uint32) h;
	}
	p->pos += 4;
	return v;
}

static void
append_utf8(StringInfo buf, uint32 cp)
{
	unsigned char tmp[4];
	int			n;

	unicode_to_utf8((pg_wchar) cp, tmp);
	n = pg_utf_mblen(tmp);
	appendBinaryStringInfo(buf, (const char *) tmp, n);
}

/* Parses a string at p->pos (the opening quote). The result may hold NUL. */
static void
parse_string(JParser *p, const char **out, int32 *outlen)
{
	StringInfoData buf;
	int			start;

	p->pos++;					/* the quote */
	start = p->pos;
	/* fast path: no escapes */
	while (p->pos < p->len)
	{
		unsigned char c = (unsigned char) p->s[p->pos];

		if (c == '"')
		{
			*out = p->s + start;
			*outlen = p->pos - start;
			p->pos++;
			return;
		}
		if (c == '\\')
			break;
		if (c < 0x20)
			json_syntax_error(p, "control character in string");
		p->pos++;
	}
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, p->s + start, p->pos - start);
	while (p->pos < p->len)
	{
		unsigned char c = (unsigned char) p->s[p->pos];

		if (c == '"')
		{
			p->pos++;
			*out = buf.data;
			*outlen = buf.len;
			return;
		}
		if (c < 0x20)
			json_syntax_error(p, "control character in string");
		if (c != '\\')
		{
			appendStringInfoChar(&buf, (char) c);
			p->pos++;
			continue;
		}
		p->pos++;
		if (p->pos >= p->len)
			break;
		c = (unsigned char) p->s[p->pos++];
		switch (c)
		{
			case '"':
			case '\\':
			case '/':
				appendStringInfoChar(&buf, (char) c);
				break;
			case 'b':
				appendStringInfoChar(&buf, '\b');
				break;
			case 'f':
				appendStringInfoChar(&buf, '\f');
				break;
			case 'n':
				appendStringInfoChar(&buf, '\n');
				break;
			case 'r':
				appendStringInfoChar(&buf, '\r');
				break;
			case 't':
				appendStringInfoChar(&buf, '\t');
				break;
			case 'u':
				{
					uint32		cp = parse_hex4(p);

					if (cp >= 0xD800 && cp <= 0xDBFF)
					{
						uint32		lo;

						if (p->pos + 2 > p->len || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
							json_syntax_error(p, "unpaired high surrogate in \\u escape");
						p->pos += 2;
						lo = parse_hex4(p);
						if (lo < 0xDC00 || lo > 0xDFFF)
							json_syntax_error(p, "bad low surrogate in \\u escape");
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					}
					else if (cp >= 0xDC00 && cp <= 0xDFFF)
						json_syntax_error(p, "unpaired low surrogate in \\u escape");
					if (cp == 0)
						appendStringInfoChar(&buf, '\0');
					else
						append_utf8(&buf, cp);
					break;
				}
			default:
				p->pos--;
				json_syntax_error(p, "bad escape in string");
		}
	}
	json_syntax_error(p, "unterminated string");
}

static void
parse_number(JParser *p, DynJson *n)
{
	int			start = p->pos;

	if (p->pos < p->len && p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len || !isdigit((unsigned char) p->s[p->pos]))
		json_syntax_error(p, "bad number");
	if (p->s[p->pos] == '0')
		p->pos++;
	else
		while (p->pos < p->len && isdigit((unsigned char) p->s[p->pos]))
			p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '.')
	{
		p->pos++;
		if (p->pos >= p->len || !isdigit((unsigned char) p->s[p->pos]))
			json_syntax_error(p, "bad number");
		while (p->pos < p->len && isdigit((unsigned char) p->s[p->pos]))
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E'))
	{
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len || !isdigit((unsigned char) p->s[p->pos]))
			json_syntax_error(p, "bad number");
		while (p->pos < p->len && isdigit((unsigned char) p->s[p->pos]))
			p->pos++;
	}
	n->str = p->s + start;
	n->len = p->pos - start;
}

static bool
match_literal(JParser *p, const char *lit)
{
	int			l = strlen(lit);

	if (p->pos + l <= p->len && memcmp(p->s + p->pos, lit, l) == 0)
	{
		p->pos += l;
		return true;
	}
	return false;
}

static DynJson *
parse_value(JParser *p, int depth)
{
	DynJson	   *n;
	char		c;

	check_stack_depth();
	if (depth > DYN_JSON_MAX_DEPTH)
		dynpg_validation_error("Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit");
	skip_ws(p);
	if (p->pos >= p->len)
		json_syntax_error(p, "unexpected end of input");
	c = p->s[p->pos];
	if (c == '{')
	{
		int			cap = 8;

		n = node(p, DJ_OBJECT);
		n->members = palloc(sizeof(DynJsonMember) * cap);
		p->pos++;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == '}')
		{
			p->pos++;
			return n;
		}
		for (;;)
		{
			DynJsonMember    *m;

			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != '"')
				json_syntax_error(p, "expected a member name");
			if (n->len == cap)
			{
				cap *= 2;
				n->members = repalloc(n->members, sizeof(DynJsonMember) * cap);
			}
			m = &n->members[n->len];
			parse_string(p, &m->key, &m->keylen);
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				json_syntax_error(p, "expected ':'");
			p->pos++;
			m->val = parse_value(p, depth + 1);
			n->len++;
			skip_ws(p);
			if (p->pos < p->len && p->s[p->pos] == ',')
			{
				p->pos++;
				continue;
			}
			if (p->pos < p->len && p->s[p->pos] == '}')
			{
				p->pos++;
				return n;
			}
			json_syntax_error(p, "expected ',' or '}'");
		}
	}
	if (c == '[')
	{
		int			cap = 8;

		n = node(p, DJ_ARRAY);
		n->elems = palloc(sizeof(DynJson *) * cap);
		p->pos++;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ']')
		{
			p->pos++;
			return n;
		}
		for (;;)
		{
			if (n->len == cap)
			{
				cap *= 2;
				n->elems = repalloc(n->elems, sizeof(DynJson *) * cap);
			}
			n->elems[n->len++] = parse_value(p, depth + 1);
			skip_ws(p);
			if (p->pos < p->len && p->s[p->pos] == ',')
			{
				p->pos++;
				continue;
			}
			if (p->pos < p->len && p->s[p->pos] == ']')
			{
				p->pos++;
				return n;
			}
			json_syntax_error(p, "expected ',' or ']'");
		}
	}
	if (c == '"')
	{
		n = node(p, DJ_STRING);
		parse_string(p, &n->str, &n->len);
		return n;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
	{
		n = node(p, DJ_NUMBER);
		parse_number(p, n);
		return n;
	}
	if (match_literal(p, "true"))
		return node(p, DJ_TRUE);
	if (match_literal(p, "false"))
		return node(p, DJ_FALSE);
	if (match_literal(p, "null"))
		return node(p, DJ_NULL);
	json_syntax_error(p, "unexpected character");
}

DynJson *
dynpg_json_parse(const char *text, int len)
{
	JParser		p;
	DynJson	   *n;

	p.s = text;
	p.len = len;
	p.pos = 0;
	p.pool = NULL;
	p.pool_left = 0;
	p.pool_next = 16;
	n = parse_value(&p, 0);
	skip_ws(&p);
	if (p.pos != p.len)
		json_syntax_error(&p, "trailing characters after the JSON value");
	return n;
}

/* ---------------------------------------------------------------------
 * jsonb to the JSON tree
 * ---------------------------------------------------------------------
 */
static DynJson *
json_from_scalar(const JsonbValue *v)
{
	DynJson	   *n;

	switch (v->type)
	{
		case jbvNull:
			return dynpg_json_new(DJ_NULL);
		case jbvBool:
			return dynpg_json_new(v->val.boolean ? DJ_TRUE : DJ_FALSE);
		case jbvString:
			n = dynpg_json_new(DJ_STRING);
			n->str = v->val.string.val;
			n->len = v->val.string.len;
			return n;
		case jbvNumeric:
			n = dynpg_json_new(DJ_NUMBER);
			n->str = DatumGetCString(DirectFunctionCall1(numeric_out,
														 NumericGetDatum(v->val.numeric)));
			n->len = strlen(n->str);
			return n;
		default:
			elog(ERROR, "dynpg: unexpected jsonb scalar type %d", (int) v->type);
	}
	return NULL;
}

/* Reads one value whose first token (tok, v) has already been taken. */
static DynJson *
json_from_iter(JsonbIterator **it, JsonbIteratorToken tok, JsonbValue *v, int depth)
{
	DynJson	   *n;
	int			cap = 8;

	/*
	 * jsonb is already in memory: no depth rule here but the stack's, so that
	 * a deep item is refused where its conversion to an item refuses it, after
	 * the request's other checks, as before requests became trees
	 */
	check_stack_depth();
	if (tok == WJB_BEGIN_OBJECT)
	{
		n = dynpg_json_new(DJ_OBJECT);
		n->members = palloc(sizeof(DynJsonMember) * Max(v->val.object.nPairs, 1));
		cap = Max(v->val.object.nPairs, 1);
		while ((tok = JsonbIteratorNext(it, v, false)) == WJB_KEY)
		{
			DynJsonMember    *m;
			JsonbValue	vv;
			JsonbIteratorToken vt;

			if (n->len == cap)
			{
				cap *= 2;
				n->members = repalloc(n->members, sizeof(DynJsonMember) * cap);
			}
			m = &n->members[n->len];
			m->key = v->val.string.val;
			m->keylen = v->val.string.len;
			vt = JsonbIteratorNext(it, &vv, false);
			if (vt == WJB_VALUE)
				m->val = json_from_scalar(&vv);
			else
				m->val = json_from_iter(it, vt, &vv, depth + 1);
			n->len++;
		}
		if (tok != WJB_END_OBJECT)
			elog(ERROR, "dynpg: unexpected jsonb iterator token %d", (int) tok);
		return n;
	}
	if (tok == WJB_BEGIN_ARRAY)
	{
		n = dynpg_json_new(DJ_ARRAY);
		cap = Max(v->val.array.nElems, 1);
		n->elems = palloc(sizeof(DynJson *) * cap);
		for (;;)
		{
			JsonbValue	ev;

			tok = JsonbIteratorNext(it, &ev, false);
			if (tok == WJB_END_ARRAY)
				break;
			if (n->len == cap)
			{
				cap *= 2;
				n->elems = repalloc(n->elems, sizeof(DynJson *) * cap);
			}
			if (tok == WJB_ELEM)
				n->elems[n->len++] = json_from_scalar(&ev);
			else
				n->elems[n->len++] = json_from_iter(it, tok, &ev, depth + 1);
		}
		return n;
	}
	elog(ERROR, "dynpg: unexpected jsonb iterator token %d", (int) tok);
	return NULL;
}

/* A container read as JSON that sits 'depth' levels deep in its document. */
DynJson *
dynpg_json_from_container(JsonbContainer *c, int depth)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (JsonContainerIsScalar(c))
	{
		JsonbValue	sv;

		if (!JsonbExtractScalar(c, &sv))
			elog(ERROR, "dynpg: bad scalar jsonb");
		return json_from_scalar(&sv);
	}
	it = JsonbIteratorInit(c);
	tok = JsonbIteratorNext(&it, &v, false);
	return json_from_iter(&it, tok, &v, depth);
}

DynJson *
dynpg_json_from_jsonb(Jsonb *jb)
{
	return dynpg_json_from_container(&jb->root, 0);
}

/* ---------------------------------------------------------------------
 * Looking up, building, writing
 * ---------------------------------------------------------------------
 */

DynJson *
dynpg_json_member(const DynJson *obj, const char *name, int namelen)
{
	int			i;

	if (obj == NULL || obj->kind != DJ_OBJECT)
		return NULL;
	for (i = obj->len - 1; i >= 0; i--)
		if (obj->members[i].keylen == namelen &&
			memcmp(obj->members[i].key, name, namelen) == 0)
			return obj->members[i].val;
	return NULL;
}

int
dynpg_json_count(const DynJson *j)
{
	int			n;

	if (j->kind == DJ_ARRAY)
		return j->len;
	if (j->kind != DJ_OBJECT)
		return 0;
	(void) dynpg_json_sorted_members(j, &n);
	return n;
}

static int
jsonb_key_cmp(const void *a, const void *b)
{
	const DynJsonMember *x = *(const DynJsonMember *const *) a;
	const DynJsonMember *y = *(const DynJsonMember *const *) b;
	int			r;

	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	r = memcmp(x->key, y->key, x->keylen);
	if (r != 0)
		return r;
	/* the same name: keep input order, so the last one is found last */
	return x < y ? -1 : (x > y);
}

DynJsonMember **
dynpg_json_sorted_members(const DynJson *obj, int *n)
{
	DynJsonMember **m;
	int			count = 0;
	int			i;

	*n = 0;
	if (obj == NULL || obj->kind != DJ_OBJECT)
		return NULL;
	m = palloc(sizeof(DynJsonMember *) * Max(obj->len, 1));
	for (i = 0; i < obj->len; i++)
		m[i] = &obj->members[i];
	qsort(m, obj->len, sizeof(DynJsonMember *), jsonb_key_cmp);
	/* of equal names keep the last */
	for (i = 0; i < obj->len; i++)
	{
		if (i + 1 < obj->len && m[i + 1]->keylen == m[i]->keylen &&
			memcmp(m[i + 1]->key, m[i]->key, m[i]->keylen) == 0)
			continue;
		m[count++] = m[i];
	}
	*n = count;
	return m;
}

static Datum
numeric_of(const DynJson *j)
{
	return DirectFunctionCall3(numeric_in, CStringGetDatum(pnstrdup(j->str, j->len)),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

bool
dynpg_json_equal(const DynJson *a, const DynJson *b)
{
	int			i;

	check_stack_depth();
	if (a->kind != b->kind)
		return false;
	switch (a->kind)
	{
		case DJ_NULL:
		case DJ_TRUE:
		case DJ_FALSE:
			return true;
		case DJ_NUMBER:
			return DatumGetInt32(DirectFunctionCall2(numeric_cmp, numeric_of(a), numeric_of(b))) == 0;
		case DJ_STRING:
			return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
		case DJ_ARRAY:
			if (a->len != b->len)
				return false;
			for (i = 0; i < a->len; i++)
				if (!dynpg_json_equal(a->elems[i], b->elems[i]))
					return false;
			return true;
		case DJ_OBJECT:
			{
				int			na;
				int			nb;
				DynJsonMember **ma = dynpg_json_sorted_members(a, &na);
				DynJsonMember **mb = dynpg_json_sorted_members(b, &nb);

				if (na != nb)
					return false;
				for (i = 0; i < na; i++)
					if (ma[i]->keylen != mb[i]->keylen ||
						memcmp(ma[i]->key, mb[i]->key, ma[i]->keylen) != 0 ||
						!dynpg_json_equal(ma[i]->val, mb[i]->val))
						return false;
				return true;
			}
		default:
			return a->ext == b->ext;
	}
}

DynJson *
dynpg_json_string(const char *s, int len)
{
	DynJson    *n = dynpg_json_new(DJ_STRING);

	n->str = s;
	n->len = len;
	return n;
}

DynJson *
dynpg_json_number(const char *text)
{
	DynJson    *n = dynpg_json_new(DJ_NUMBER);

	n->str = text;
	n->len = strlen(text);
	return n;
}

DynJson *
dynpg_json_bool(bool b)
{
	return dynpg_json_new(b ? DJ_TRUE : DJ_FALSE);
}

DynJson *
dynpg_json_ext(DynJsonKind kind, const void *ext)
{
	DynJson    *n = dynpg_json_new(kind);

	Assert(kind == DJ_ITEM || kind == DJ_JSONB);
	n->ext = ext;
	return n;
}

void
dynpg_json_add(DynJson *obj, const char *key, int keylen, DynJson *val)
{
	Assert(obj->kind == DJ_OBJECT);
	if (obj->len >= obj->cap)
	{
		int			cap = Max(8, Max(obj->cap, obj->len) * 2);

		obj->members = obj->members == NULL ? palloc(sizeof(DynJsonMember) * cap) :
			repalloc(obj->members, sizeof(DynJsonMember) * cap);
		obj->cap = cap;
	}
	obj->members[obj->len].key = key;
	obj->members[obj->len].keylen = keylen;
	obj->members[obj->len].val = val;
	obj->len++;
}

void
dynpg_json_append(DynJson *arr, DynJson *val)
{
	Assert(arr->kind == DJ_ARRAY);
	if (arr->len >= arr->cap)
	{
		int			cap = Max(8, Max(arr->cap, arr->len) * 2);

		arr->elems = arr->elems == NULL ? palloc(sizeof(DynJson *) * cap) :
			repalloc(arr->elems, sizeof(DynJson *) * cap);
		arr->cap = cap;
	}
	arr->elems[arr->len++] = val;
}

void
dynpg_json_write_string(StringInfo out, const char *s, int len)
{
	static const char hex[] = "0123456789abcdef";
	int			i;

	appendStringInfoCharMacro(out, '"');
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		switch (c)
		{
			case '"':
				appendBinaryStringInfo(out, "\\\"", 2);
				break;
			case '\\':
				appendBinaryStringInfo(out, "\\\\", 2);
				break;
			case '\n':
				appendBinaryStringInfo(out, "\\n", 2);
				break;
			case '\r':
				appendBinaryStringInfo(out, "\\r", 2);
				break;
			case '\t':
				appendBinaryStringInfo(out, "\\t", 2);
				break;
			case '\b':
				appendBinaryStringInfo(out, "\\b", 2);
				break;
			case '\f':
				appendBinaryStringInfo(out, "\\f", 2);
				break;
			default:
				if (c < 0x20)
				{
					appendBinaryStringInfo(out, "\\u00", 4);
					appendStringInfoCharMacro(out, hex[c >> 4]);
					appendStringInfoCharMacro(out, hex[c & 15]);
				}
				else
					appendStringInfoCharMacro(out, (char) c);
		}
	}
	appendStringInfoCharMacro(out, '"');
}

void
dynpg_json_write(StringInfo out, const DynJson *j, DynJsonExtWriter ext)
{
	int			i;

	check_stack_depth();
	switch (j->kind)
	{
		case DJ_NULL:
			appendStringInfoString(out, "null");
			break;
		case DJ_TRUE:
			appendStringInfoString(out, "true");
			break;
		case DJ_FALSE:
			appendStringInfoString(out, "false");
			break;
		case DJ_NUMBER:
			appendBinaryStringInfo(out, j->str, j->len);
			break;
		case DJ_STRING:
			dynpg_json_write_string(out, j->str, j->len);
			break;
		case DJ_OBJECT:
			appendStringInfoCharMacro(out, '{');
			for (i = 0; i < j->len; i++)
			{
				if (i > 0)
					appendStringInfoCharMacro(out, ',');
				dynpg_json_write_string(out, j->members[i].key, j->members[i].keylen);
				appendStringInfoCharMacro(out, ':');
				dynpg_json_write(out, j->members[i].val, ext);
			}
			appendStringInfoCharMacro(out, '}');
			break;
		case DJ_ARRAY:
			appendStringInfoCharMacro(out, '[');
			for (i = 0; i < j->len; i++)
			{
				if (i > 0)
					appendStringInfoCharMacro(out, ',');
				dynpg_json_write(out, j->elems[i], ext);
			}
			appendStringInfoCharMacro(out, ']');
			break;
		case DJ_ITEM:
		case DJ_JSONB:
			if (ext == NULL)
				elog(ERROR, "dynpg: no writer for a JSON node of kind %d", (int) j->kind);
			ext(out, j);
			break;
	}
}

char *
dynpg_json_text(const DynJson *j)
{
	StringInfoData s;

	initStringInfo(&s);
	dynpg_json_write(&s, j, NULL);
	return s.data;
}

void
dynpg_json_write_canonical(StringInfo out, const DynJson *j, const char *skip)
{
	int			i;

	check_stack_depth();
	if (j->kind == DJ_OBJECT)
	{
		int			n;
		DynJsonMember **m = dynpg_json_sorted_members(j, &n);
		bool		first = true;

		appendStringInfoCharMacro(out, '{');
		for (i = 0; i < n; i++)
		{
			if (skip != NULL && m[i]->keylen == (int) strlen(skip) &&
				memcmp(m[i]->key, skip, m[i]->keylen) == 0)
				continue;
			if (!first)
				appendStringInfoCharMacro(out, ',');
			first = false;
			dynpg_json_write_string(out, m[i]->key, m[i]->keylen);
			appendStringInfoCharMacro(out, ':');
			dynpg_json_write_canonical(out, m[i]->val, NULL);
		}
		appendStringInfoCharMacro(out, '}');
	}
	else if (j->kind == DJ_ARRAY)
	{
		appendStringInfoCharMacro(out, '[');
		for (i = 0; i < j->len; i++)
		{
			if (i > 0)
				appendStringInfoCharMacro(out, ',');
			dynpg_json_write_canonical(out, j->elems[i], NULL);
		}
		appendStringInfoCharMacro(out, ']');
	}
	else
		dynpg_json_write(out, j, NULL);
}
