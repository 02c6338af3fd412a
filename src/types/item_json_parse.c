/*-------------------------------------------------------------------------
 *
 * item_json.c
 *	  The DynamoDB JSON codec of dynpg.item, and plain JSON.
 *
 * Input, from text or from jsonb, first becomes a small JSON tree (JNode);
 * one converter turns that tree into an item, checking each AttributeValue
 * as DynamoDB's request deserializer and validator do, with their messages.
 * dynpg has its own JSON text parser because jsonb cannot hold the NUL
 * character, which DynamoDB strings may contain ("\u0000" in JSON).
 *
 * Output is written straight from the binary form: DynamoDB JSON text with
 * no white space, in canonical order, or jsonb (typed or plain).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "base/dynpg_error.h"
#include "types/dynpg_base64.h"
#include "types/dynpg_item.h"

/* ---------------------------------------------------------------------
 * The JSON tree
 * ---------------------------------------------------------------------
 */
typedef enum JKind
{
	JN_NULL,
	JN_FALSE,
	JN_TRUE,
	JN_NUMBER,
	JN_STRING,
	JN_OBJECT,
	JN_ARRAY
} JKind;

typedef struct JNode JNode;

typedef struct JMember
{
	const char *key;
	int32		keylen;
	JNode	   *val;
} JMember;

struct JNode
{
	JKind		kind;
	int32		len;			/* string/number: bytes; object/array: count */
	const char *str;			/* string or number text */
	JMember    *members;
	JNode	  **elems;
};

/* JSON nesting allowed by the parsers: two JSON levels per DynamoDB level, and room for errors to be the DynamoDB ones */
#define JSON_MAX_DEPTH (2 * DYN_MAX_DEPTH + 16)

static JNode *
jnode_new(JKind kind)
{
	JNode	   *n = palloc0(sizeof(JNode));

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
} JParser;

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

static int
hexval(char c)
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
		int			h = hexval(p->s[p->pos + i]);

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
parse_number(JParser *p, JNode *n)
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

static JNode *
parse_value(JParser *p, int depth)
{
	JNode	   *n;
	char		c;

	check_stack_depth();
	if (depth > JSON_MAX_DEPTH)
		dynpg_validation_error("Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit");
	skip_ws(p);
	if (p->pos >= p->len)
		json_syntax_error(p, "unexpected end of input");
	c = p->s[p->pos];
	if (c == '{')
	{
		int			cap = 8;

		n = jnode_new(JN_OBJECT);
		n->members = palloc(sizeof(JMember) * cap);
		p->pos++;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == '}')
		{
			p->pos++;
			return n;
		}
		for (;;)
		{
			JMember    *m;

			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != '"')
				json_syntax_error(p, "expected a member name");
			if (n->len == cap)
			{
				cap *= 2;
				n->members = repalloc(n->members, sizeof(JMember) * cap);
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

		n = jnode_new(JN_ARRAY);
		n->elems = palloc(sizeof(JNode *) * cap);
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
				n->elems = repalloc(n->elems, sizeof(JNode *) * cap);
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
		n = jnode_new(JN_STRING);
		parse_string(p, &n->str, &n->len);
		return n;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
	{
		n = jnode_new(JN_NUMBER);
		parse_number(p, n);
		return n;
	}
	if (match_literal(p, "true"))
		return jnode_new(JN_TRUE);
	if (match_literal(p, "false"))
		return jnode_new(JN_FALSE);
	if (match_literal(p, "null"))
		return jnode_new(JN_NULL);
	json_syntax_error(p, "unexpected character");
}

static JNode *
parse_json_text(const char *text, int len)
{
	JParser		p;
	JNode	   *n;

	p.s = text;
	p.len = len;
	p.pos = 0;
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
static JNode *
jnode_from_scalar(const JsonbValue *v)
{
	JNode	   *n;

	switch (v->type)
	{
		case jbvNull:
			return jnode_new(JN_NULL);
		case jbvBool:
			return jnode_new(v->val.boolean ? JN_TRUE : JN_FALSE);
		case jbvString:
			n = jnode_new(JN_STRING);
			n->str = v->val.string.val;
			n->len = v->val.string.len;
			return n;
		case jbvNumeric:
			n = jnode_new(JN_NUMBER);
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
static JNode *
jnode_from_iter(JsonbIterator **it, JsonbIteratorToken tok, JsonbValue *v, int depth)
{
	JNode	   *n;
	int			cap = 8;

	check_stack_depth();
	if (depth > JSON_MAX_DEPTH)
		dynpg_validation_error("Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit");
	if (tok == WJB_BEGIN_OBJECT)
	{
		n = jnode_new(JN_OBJECT);
		n->members = palloc(sizeof(JMember) * Max(v->val.object.nPairs, 1));
		cap = Max(v->val.object.nPairs, 1);
		while ((tok = JsonbIteratorNext(it, v, false)) == WJB_KEY)
		{
			JMember    *m;
			JsonbValue	vv;
			JsonbIteratorToken vt;

			if (n->len == cap)
			{
				cap *= 2;
				n->members = repalloc(n->members, sizeof(JMember) * cap);
			}
			m = &n->members[n->len];
			m->key = v->val.string.val;
			m->keylen = v->val.string.len;
			vt = JsonbIteratorNext(it, &vv, false);
			if (vt == WJB_VALUE)
				m->val = jnode_from_scalar(&vv);
			else
				m->val = jnode_from_iter(it, vt, &vv, depth + 1);
			n->len++;
		}
		if (tok != WJB_END_OBJECT)
			elog(ERROR, "dynpg: unexpected jsonb iterator token %d", (int) tok);
		return n;
	}
	if (tok == WJB_BEGIN_ARRAY)
	{
		n = jnode_new(JN_ARRAY);
		cap = Max(v->val.array.nElems, 1);
		n->elems = palloc(sizeof(JNode *) * cap);
		for (;;)
		{
			JsonbValue	ev;

			tok = JsonbIteratorNext(it, &ev, false);
			if (tok == WJB_END_ARRAY)
				break;
			if (n->len == cap)
			{
				cap *= 2;
				n->elems = repalloc(n->elems, sizeof(JNode *) * cap);
			}
			if (tok == WJB_ELEM)
				n->elems[n->len++] = jnode_from_scalar(&ev);
			else
				n->elems[n->len++] = jnode_from_iter(it, tok, &ev, depth + 1);
		}
		return n;
	}
	elog(ERROR, "dynpg: unexpected jsonb iterator token %d", (int) tok);
	return NULL;
}

/* A container read as JSON that sits 'depth' levels deep in its document. */
static JNode *
jnode_from_container(JsonbContainer *c, int depth)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (JsonContainerIsScalar(c))
	{
		JsonbValue	sv;

		if (!JsonbExtractScalar(c, &sv))
			elog(ERROR, "dynpg: bad scalar jsonb");
		return jnode_from_scalar(&sv);
	}
	it = JsonbIteratorInit(c);
	tok = JsonbIteratorNext(&it, &v, false);
	return jnode_from_iter(&it, tok, &v, depth);
}

static JNode *
jnode_from_jsonb(Jsonb *jb)
{
	return jnode_from_container(&jb->root, 0);
}

/* ---------------------------------------------------------------------
 * JSON tree to item: DynamoDB's AttributeValue rules
 * ---------------------------------------------------------------------
 */

/* Jackson's view of a JSON number, as DynamoDB's deserializer names it */
static const char *
json_number_class(const JNode *n)
{
	int64		v = 0;
	int			i;
	bool		neg = false;

	for (i = 0; i < n->len; i++)
	{
		char		c = n->str[i];

		if (c == '.' || c == 'e' || c == 'E')
			return "java.lang.Double";
	}
	i = 0;
	if (n->len > 0 && n->str[0] == '-')
	{
		neg = true;
		i = 1;
	}
	if (n->len - i > 18)
		return "java.lang.Long";
	for (; i < n->len; i++)
		v = v * 10 + (n->str[i] - '0');
	if (neg)
		v = -v;
	if (v >= -32768 && v <= 32767)
		return "java.lang.Short";
	if (v >= PG_INT32_MIN && v <= PG_INT32_MAX)
		return "java.lang.Integer";
	return "java.lang.Long";
}

/* A member that must be a JSON string (S, N, B and set elements). */
static void
expect_string(const JNode *n, bool blob)
{
	const char *an = blob ? "a Blob" : "an String";

	switch (n->kind)
	{
		case JN_STRING:
			return;
		case JN_TRUE:
		case JN_FALSE:
			dynpg_serialization_error("class java.lang.Boolean can not be converted to %s", an);
		case JN_NUMBER:
			dynpg_serialization_error("class %s can not be converted to %s",
									  json_number_class(n), an);
		case JN_OBJECT:
			dynpg_serialization_error("Start of structure or map found where not expected.");
		case JN_ARRAY:
			dynpg_serialization_error("Start of list found where not expected");
		case JN_NULL:
			break;
	}
}

static bool
expect_boolean(const JNode *n)
{
	switch (n->kind)
	{
		case JN_TRUE:
			return true;
		case JN_FALSE:
			return false;
		case JN_STRING:
			{
				char	   *up = pnstrdup(n->str, Min(n->len, 1024));
				char	   *c;

				for (c = up; *c; c++)
					*c = pg_toupper((unsigned char) *c);
				dynpg_serialization_error("'%s' can not be converted to an Boolean", up);
			}
		case JN_NUMBER:
			{
				const char *cls = json_number_class(n);

				if (strcmp(cls, "java.lang.Double") != 0)
					dynpg_serialization_error("class %s can not be converted to an Boolean", cls);
				/* Jackson reads a fractional number as a boolean by magnitude */
				{
					char	   *s = pnstrdup(n->str, n->len);
					double		d = strtod(s, NULL);

					return d >= 1.0 || d <= -1.0;
				}
			}
		case JN_OBJECT:
			dynpg_serialization_error("Start of structure or map found where not expected.");
		case JN_ARRAY:
			dynpg_serialization_error("Start of list found where not expected");
		case JN_NULL:
			break;
	}
	return false;
}

static DynBuildValue *av_from_jnode(const JNode *n, int depth);

static DynBuildValue *
scalar_from_member(DynType t, const JNode *n)
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
container_from_member(DynType t, const JNode *n, int depth)
{
	DynBuildValue *v = palloc0(sizeof(DynBuildValue));
	int			i;

	v->type = t;
	if (t == DYN_T_M)
	{
		if (n->kind == JN_ARRAY)
			dynpg_serialization_error("Start of list found where not expected");
		if (n->kind != JN_OBJECT)
			dynpg_serialization_error("Expected map or null");
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
	if (n->kind == JN_OBJECT)
		dynpg_serialization_error("Start of structure or map found where not expected.");
	if (n->kind != JN_ARRAY)
		dynpg_serialization_error("Expected list or null");
	v->elems = palloc(sizeof(DynBuildValue *) * Max(n->len, 1));
	for (i = 0; i < n->len; i++)
	{
		const JNode *e = n->elems[i];

		if (t == DYN_T_L)
			v->elems[v->count++] = av_from_jnode(e, depth + 1);
		else
		{
			if (e->kind == JN_NULL)
				continue;		/* the deserializer drops nulls */
			v->elems[v->count++] = scalar_from_member(t == DYN_T_SS ? DYN_T_S :
													  t == DYN_T_NS ? DYN_T_N : DYN_T_B, e);
		}
	}
	if (v->count == 0)
	{
		if (t == DYN_T_SS)
			dynpg_validation_error("One or more parameter values were invalid: An string set  may not be empty");
		if (t == DYN_T_NS)
			dynpg_validation_error("One or more parameter values were invalid: An number set  may not be empty");
		if (t == DYN_T_BS)
			dynpg_validation_error("One or more parameter values were invalid: Binary sets should not be empty");
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
av_from_jnode(const JNode *n, int depth)
{
	DynBuildValue *result = NULL;
	int			ntypes = 0;
	int			i;

	switch (n->kind)
	{
		case JN_OBJECT:
			break;
		case JN_ARRAY:
			dynpg_serialization_error("Start of list found where not expected");
		case JN_NULL:
			dynpg_validation_error("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
		default:
			dynpg_serialization_error("Expected null");
	}
	for (i = 0; i < n->len; i++)
	{
		const JMember *m = &n->members[i];
		DynType		t = dynpg_type_from_name(m->key, m->keylen);
		DynBuildValue *v;

		if (t == 0 || m->val->kind == JN_NULL)
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
					dynpg_validation_error("One or more parameter values were invalid: Null attribute value types must have the value of true");
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
item_tree_from_jnode(const JNode *n)
{
	DynBuildValue *root;
	int			i;

	if (n->kind == JN_ARRAY)
		dynpg_serialization_error("Start of list found where not expected");
	if (n->kind != JN_OBJECT)
		dynpg_serialization_error("Expected map or null");
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
plain_from_jnode(const JNode *n)
{
	DynBuildValue *v;
	DynNumber	num;
	int			i;

	check_stack_depth();
	switch (n->kind)
	{
		case JN_NULL:
			return dynpg_build_null();
		case JN_TRUE:
		case JN_FALSE:
			return dynpg_build_bool(n->kind == JN_TRUE);
		case JN_STRING:
			return dynpg_build_scalar(DYN_T_S, n->str, n->len);
		case JN_NUMBER:
			dynpg_num_parse_or_error(n->str, n->len, &num);
			return dynpg_build_number(&num);
		case JN_ARRAY:
			v = palloc0(sizeof(DynBuildValue));
			v->type = DYN_T_L;
			v->elems = palloc(sizeof(DynBuildValue *) * Max(n->len, 1));
			for (i = 0; i < n->len; i++)
				v->elems[i] = plain_from_jnode(n->elems[i]);
			v->count = n->len;
			return v;
		case JN_OBJECT:
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
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * Entry points: input
 * ---------------------------------------------------------------------
 */
DynItem *
dynpg_item_from_text(const char *text, int len)
{
	JNode	   *n = parse_json_text(text, len);
	DynBuildValue *root = item_tree_from_jnode(n);

	dynpg_item_finish(root);
	return dynpg_item_serialize(root);
}

DynItem *
dynpg_item_from_jsonb(Datum jsonb, bool plain)
{
	Jsonb	   *jb = DatumGetJsonbP(jsonb);
	JNode	   *n = jnode_from_jsonb(jb);
	DynBuildValue *root;

	if (plain)
	{
		if (n->kind != JN_OBJECT)
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
	JNode	   *n = jnode_from_jsonb(jb);
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
dynpg_attribute_value_parse(JsonbContainer *av, DynRef *value)
{
	DynBuildValue *root = palloc0(sizeof(DynBuildValue));
	DynItem    *item;

	root->type = DYN_T_M;
	root->count = 1;
	root->members = palloc(sizeof(DynBuildMember));
	root->members[0].name = "v";
	root->members[0].namelen = 1;
	root->members[0].value = av_from_jnode(jnode_from_container(av, 1), 1);
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

/* ---------------------------------------------------------------------
 * Output: DynamoDB JSON text
 * ---------------------------------------------------------------------
 */
static void
append_json_string(StringInfo out, const char *s, int32 len)
{
	int32		i;
	int32		run = 0;

	enlargeStringInfo(out, len + 2);
	appendStringInfoChar(out, '"');
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
		{
			run++;
			continue;
		}
		if (run > 0)
			appendBinaryStringInfo(out, s + i - run, run);
		run = 0;
		switch (c)
		{
			case '"':
				appendStringInfoString(out, "\\\"");
				break;
			case '\\':
				appendStringInfoString(out, "\\\\");
				break;
			case '\b':
				appendStringInfoString(out, "\\b");
				break;
			case '\f':
				appendStringInfoString(out, "\\f");
				break;
			case '\n':
				appendStringInfoString(out, "\\n");
				break;
			case '\r':
				appendStringInfoString(out, "\\r");
				break;
			case '\t':
				appendStringInfoString(out, "\\t");
				break;
			default:
				appendStringInfo(out, "\\u%04x", c);
				break;
		}
	}
	if (run > 0)
		appendBinaryStringInfo(out, s + len - run, run);
	appendStringInfoChar(out, '"');
}

static void
append_scalar_payload_text(const DynRef *ref, StringInfo out)
{
	DynNumber	num;

	switch (ref->type)
	{
		case DYN_T_S:
			append_json_string(out, (const char *) ref->data, ref->len);
			break;
		case DYN_T_N:
			dynpg_number_from_ref(ref, &num);
			appendStringInfoChar(out, '"');
			dynpg_num_append_text(&num, out);
			appendStringInfoChar(out, '"');
			break;
		case DYN_T_B:
			appendStringInfoChar(out, '"');
			dynpg_base64_encode(ref->data, ref->len, out);
			appendStringInfoChar(out, '"');
			break;
		default:
			elog(ERROR, "dynpg: not a scalar type %d", (int) ref->type);
	}
}

static void
append_map_members_text(const DynRef *ref, StringInfo out)
{
	DynContainer c;
	int			i;

	dynpg_container_open(ref, &c);
	appendStringInfoChar(out, '{');
	for (i = 0; i < c.count; i++)
	{
		const char *name;
		int32		namelen;
		DynRef		v = dynpg_map_entry(&c, i, &name, &namelen);

		if (i > 0)
			appendStringInfoChar(out, ',');
		append_json_string(out, name, namelen);
		appendStringInfoChar(out, ':');
		dynpg_value_append_text(&v, out);
	}
	appendStringInfoChar(out, '}');
}

void
dynpg_value_append_text(const DynRef *ref, StringInfo out)
{
	DynContainer c;
	int			i;

	check_stack_depth();
	appendStringInfoString(out, "{\"");
	appendStringInfoString(out, dynpg_type_name(ref->type));
	appendStringInfoString(out, "\":");
	switch (ref->type)
	{
		case DYN_T_S:
		case DYN_T_N:
		case DYN_T_B:
			append_scalar_payload_text(ref, out);
			break;
		case DYN_T_BOOL:
			appendStringInfoString(out, ref->boolval ? "true" : "false");
			break;
		case DYN_T_NULL:
			appendStringInfoString(out, "true");
			break;
		case DYN_T_M:
			append_map_members_text(ref, out);
			break;
		case DYN_T_L:
			dynpg_container_open(ref, &c);
			appendStringInfoChar(out, '[');
			for (i = 0; i < c.count; i++)
			{
				DynRef		v = dynpg_list_get(&c, i);

				if (i > 0)
					appendStringInfoChar(out, ',');
				dynpg_value_append_text(&v, out);
			}
			appendStringInfoChar(out, ']');
			break;
		case DYN_T_SS:
		case DYN_T_NS:
		case DYN_T_BS:
			dynpg_container_open(ref, &c);
			appendStringInfoChar(out, '[');
			for (i = 0; i < c.count; i++)
			{
				DynRef		v = dynpg_set_elem_ref(&c, i);

				if (i > 0)
					appendStringInfoChar(out, ',');
				append_scalar_payload_text(&v, out);
			}
			appendStringInfoChar(out, ']');
			break;
	}
	appendStringInfoChar(out, '}');
}

void
dynpg_item_append_text(const DynItem *item, StringInfo out)
{
	DynRef		root = dynpg_item_root(item);

	append_map_members_text(&root, out);
}

/* ---------------------------------------------------------------------
 * Output: jsonb (typed or plain)
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
