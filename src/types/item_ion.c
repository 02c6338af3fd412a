/*-------------------------------------------------------------------------
 *
 * item_ion.c
 *	  DynamoDB's Amazon Ion text format: items written as AWS's
 *	  ExportFormat ION writes them, and read from the Ion text that
 *	  ImportTable's InputFormat ION takes.
 *
 * Writing follows the text AWS's export produces (its documented example
 * and the Ion writer it comes from): no white space, S an Ion string, N an
 * Ion decimal in that writer's form (103 as "103.", 600 as "6d2", 1.5 as
 * "1.5", 0.001 as "0.001", 1E-10 as "1d-10"), B a blob {{base64}}, BOOL
 * true/false, NULL null, M a struct, L a list, SS/NS/BS lists annotated
 * $dynamodb_SS::, $dynamodb_NS::, $dynamodb_BS::.  Strings escape '"',
 * '\\', the control characters (\0 \a \b \t \n \v \f \r, others \xHH),
 * U+007F..U+009F as \xHH, and copy other UTF-8; field names are bare when
 * they are Ion identifiers and not keywords, else quoted symbols 'my attr'.
 *
 * Reading takes a stream of Ion values (this directory's README has the
 * grammar accepted): white space and comments anywhere, $ion_1_0 version
 * markers anywhere at the top level, each other top-level value a struct
 * {Item:{...}}.  A value is turned into a DynamoDB JSON tree (numbers as
 * their text: 2d3 as "2E3") that PutItem or dynpg_item_from_json then
 * checks as any DynamoDB JSON item, with DynamoDB's messages (number
 * range and precision, empty sets, duplicates, sizes).  What is not in
 * the subset is an error of the value, never a guess: floats, timestamps,
 * symbols as values, clobs, s-expressions, typed nulls other than
 * null.null, other annotations, symbol ids ($10).
 *
 * The reader raises nothing for bad input: it returns the message and
 * skips to the next line that starts a value, so that one bad line of an
 * import costs one error and the rest loads.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "base/dynpg_error.h"
#include "base/dynpg_json.h"
#include "types/dynpg_base64.h"
#include "types/dynpg_item.h"
#include "types/dynpg_item_ion.h"
#include "types/dynpg_number.h"

/* deeper than DynamoDB's 32 levels, so that its own message is the one heard up to here */
#define ION_MAX_DEPTH	64
/* hex and binary ints: more significant bits than this are beyond any DynamoDB number */
#define ION_MAX_INT_BITS 512

/* ---------------------------------------------------------------------
 * Writing
 * ---------------------------------------------------------------------
 */

/* text in "..." (quote '"') or '...' (quote '\''), escaped as AWS's writer escapes it */
static void
append_ion_quoted(StringInfo out, const char *s, int32 len, char quote)
{
	int32		i;
	int32		run = 0;

	enlargeStringInfo(out, len + 2);
	appendStringInfoChar(out, quote);
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];
		const char *esc = NULL;

		if (c >= 0x20 && c != 0x7F && c != '\\' && c != (unsigned char) quote &&
			!(c == 0xC2 && i + 1 < len &&
			  (unsigned char) s[i + 1] >= 0x80 && (unsigned char) s[i + 1] <= 0x9F))
		{
			run++;
			continue;
		}
		if (run > 0)
			appendBinaryStringInfo(out, s + i - run, run);
		run = 0;
		switch (c)
		{
			case 0x00:
				esc = "\\0";
				break;
			case 0x07:
				esc = "\\a";
				break;
			case '\b':
				esc = "\\b";
				break;
			case '\t':
				esc = "\\t";
				break;
			case '\n':
				esc = "\\n";
				break;
			case 0x0B:
				esc = "\\v";
				break;
			case '\f':
				esc = "\\f";
				break;
			case '\r':
				esc = "\\r";
				break;
			case '\\':
				esc = "\\\\";
				break;
			default:
				break;
		}
		if (esc != NULL)
			appendStringInfoString(out, esc);
		else if (c == (unsigned char) quote)
		{
			appendStringInfoChar(out, '\\');
			appendStringInfoChar(out, quote);
		}
		else if (c == 0xC2)
		{
			/* a C1 control character, U+0080..U+009F */
			appendStringInfo(out, "\\x%02x", (unsigned char) s[i + 1]);
			i++;
		}
		else
			appendStringInfo(out, "\\x%02x", c);
	}
	if (run > 0)
		appendBinaryStringInfo(out, s + len - run, run);
	appendStringInfoChar(out, quote);
}

static bool
ion_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

static bool
ion_ident_part(unsigned char c)
{
	return ion_ident_start(c) || (c >= '0' && c <= '9');
}

/* an identifier that reads as something else: null, true, false, nan, $<digits> (a symbol id) */
static bool
ion_keyword(const char *s, int32 len)
{
	int32		i;

	if ((len == 4 && memcmp(s, "null", 4) == 0) || (len == 4 && memcmp(s, "true", 4) == 0) ||
		(len == 5 && memcmp(s, "false", 5) == 0) || (len == 3 && memcmp(s, "nan", 3) == 0))
		return true;
	if (len < 2 || s[0] != '$')
		return false;
	for (i = 1; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void
append_ion_field_name(StringInfo out, const char *name, int32 len)
{
	int32		i;
	bool		bare = len > 0 && ion_ident_start((unsigned char) name[0]) && !ion_keyword(name, len);

	for (i = 1; bare && i < len; i++)
		bare = ion_ident_part((unsigned char) name[i]);
	if (bare)
		appendBinaryStringInfo(out, name, len);
	else
		append_ion_quoted(out, name, len, '\'');
}

/*
 * A number as an Ion decimal, as AWS's writer prints it: with the digits d
 * (n of them) and the scale s (value = d * 10^-s), s = 0 is "d.", s < 0 is
 * "d" "d" -s, s > 0 puts the point inside the digits when some are whole,
 * else "0." and zeros when the value is at least 1E-7 (adjusted exponent
 * -6 or more), else "d" "d-" s.
 */
void
dynpg_num_append_ion(const DynNumber *num, StringInfo out)
{
	char		digits[DYN_NUM_MAX_DIGITS + 1];
	int			n = num->ndigits;
	int			scale;
	int			i;

	if (n == 0)
	{
		appendStringInfoString(out, "0.");
		return;
	}
	for (i = 0; i < n; i++)
		digits[i] = (char) ('0' + num->digits[i]);
	digits[n] = '\0';
	scale = n - num->exp;
	if (num->neg)
		appendStringInfoChar(out, '-');
	if (scale == 0)
	{
		appendBinaryStringInfo(out, digits, n);
		appendStringInfoChar(out, '.');
	}
	else if (scale < 0)
		appendStringInfo(out, "%sd%d", digits, -scale);
	else
	{
		int			adjusted = n - 1 - scale;

		if (adjusted >= 0)
		{
			int			whole = n - scale;

			appendBinaryStringInfo(out, digits, whole);
			appendStringInfoChar(out, '.');
			appendBinaryStringInfo(out, digits + whole, n - whole);
		}
		else if (adjusted >= -6)
		{
			appendStringInfoString(out, "0.");
			for (i = 0; i < scale - n; i++)
				appendStringInfoChar(out, '0');
			appendBinaryStringInfo(out, digits, n);
		}
		else
			appendStringInfo(out, "%sd-%d", digits, scale);
	}
}

static void
append_ion_scalar(const DynRef *ref, StringInfo out)
{
	DynNumber	num;

	switch (ref->type)
	{
		case DYN_T_S:
			append_ion_quoted(out, (const char *) ref->data, ref->len, '"');
			break;
		case DYN_T_N:
			dynpg_number_from_ref(ref, &num);
			dynpg_num_append_ion(&num, out);
			break;
		case DYN_T_B:
			appendStringInfoString(out, "{{");
			dynpg_base64_encode(ref->data, ref->len, out);
			appendStringInfoString(out, "}}");
			break;
		default:
			elog(ERROR, "dynpg: not a scalar type %d", (int) ref->type);
	}
}

static void append_ion_value(const DynRef *ref, StringInfo out);

static void
append_ion_struct(const DynRef *ref, StringInfo out)
{
	dynpg_append_members(ref, out, append_ion_field_name, append_ion_value);
}

static void
append_ion_value(const DynRef *ref, StringInfo out)
{
	check_stack_depth();
	switch (ref->type)
	{
		case DYN_T_S:
		case DYN_T_N:
		case DYN_T_B:
			append_ion_scalar(ref, out);
			break;
		case DYN_T_BOOL:
			appendStringInfoString(out, ref->boolval ? "true" : "false");
			break;
		case DYN_T_NULL:
			appendStringInfoString(out, "null");
			break;
		case DYN_T_M:
			append_ion_struct(ref, out);
			break;
		case DYN_T_L:
			dynpg_append_elements(ref, out, append_ion_value);
			break;
		case DYN_T_SS:
		case DYN_T_NS:
		case DYN_T_BS:
			appendStringInfo(out, "$dynamodb_%s::", dynpg_type_name(ref->type));
			dynpg_append_elements(ref, out, append_ion_scalar);
			break;
	}
}

void
dynpg_item_append_ion(const DynItem *item, StringInfo out)
{
	DynRef		root = dynpg_item_root(item);

	append_ion_struct(&root, out);
}

/* ---------------------------------------------------------------------
 * Reading
 * ---------------------------------------------------------------------
 */

typedef struct IonParse
{
	DynIonReader *r;
	const char *s;
	int			len;
	int			pos;
	char	   *error;			/* the first error, NULL while there is none */
} IonParse;

/* The line of position 'pos' (the reader's cache moves forward) */
static int64
line_of(DynIonReader *r, int pos)
{
	int			i;

	if (pos < r->line_pos)
	{
		r->line_pos = 0;
		r->line_no = 1;
	}
	for (i = r->line_pos; i < pos && i < r->len; i++)
		if (r->s[i] == '\n')
			r->line_no++;
	r->line_pos = pos;
	return r->line_no;
}

static void *fail(IonParse *p, const char *fmt,...) pg_attribute_printf(2, 3);

/* Record the first error, at the current position; NULL for the caller to return */
static void *
fail(IonParse *p, const char *fmt,...)
{
	if (p->error == NULL)
	{
		StringInfoData buf;
		va_list		args;
		int			col_start;
		int			pos = Min(p->pos, p->len);

		initStringInfo(&buf);
		for (;;)
		{
			int			needed;

			va_start(args, fmt);
			needed = appendStringInfoVA(&buf, fmt, args);
			va_end(args);
			if (needed == 0)
				break;
			enlargeStringInfo(&buf, needed);
		}
		col_start = pos;
		while (col_start > 0 && p->s[col_start - 1] != '\n')
			col_start--;
		appendStringInfo(&buf, " (at line " INT64_FORMAT ", column %d)",
						 line_of(p->r, pos), pos - col_start + 1);
		p->error = buf.data;
	}
	return NULL;
}

static bool
at(IonParse *p, const char *lit)
{
	int			n = strlen(lit);

	return p->pos + n <= p->len && memcmp(p->s + p->pos, lit, n) == 0;
}

/* White space and comments; false on an unterminated comment */
static bool
skip_ws(IonParse *p)
{
	while (p->pos < p->len)
	{
		char		c = p->s[p->pos];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
			p->pos++;
		else if (at(p, "//"))
		{
			while (p->pos < p->len && p->s[p->pos] != '\n')
				p->pos++;
		}
		else if (at(p, "/*"))
		{
			int			i;

			for (i = p->pos + 2; i + 1 < p->len; i++)
				if (p->s[i] == '*' && p->s[i + 1] == '/')
					break;
			if (i + 1 >= p->len)
			{
				fail(p, "Invalid Ion: a /* comment is not closed");
				return false;
			}
			p->pos = i + 2;
		}
		else
			break;
	}
	return true;
}

/* n hex digits at the position into *v */
static bool
read_hex(IonParse *p, int n, uint32 *v)
{
	int			i;

	*v = 0;
	for (i = 0; i < n; i++)
	{
		int			h = p->pos < p->len ? dynpg_hex_digit(p->s[p->pos]) : -1;

		if (h < 0)
		{
			fail(p, "Invalid Ion: an escape needs %d hex digits", n);
			return false;
		}
		*v = (*v << 4) | (uint32) h;
		p->pos++;
	}
	return true;
}

static void
append_code_point(StringInfo b, uint32 cp)
{
	unsigned char u[4];

	unicode_to_utf8((pg_wchar) cp, u);
	appendBinaryStringInfo(b, (char *) u, pg_utf_mblen(u));
}

/* The escape at the position (a backslash) decoded into 'b' */
static bool
read_escape(IonParse *p, StringInfo b)
{
	char		c;
	uint32		cp;

	p->pos++;
	if (p->pos >= p->len)
	{
		fail(p, "Invalid Ion: the text ends inside an escape");
		return false;
	}
	c = p->s[p->pos++];
	switch (c)
	{
		case 'a':
			appendStringInfoChar(b, '\a');
			return true;
		case 'b':
			appendStringInfoChar(b, '\b');
			return true;
		case 't':
			appendStringInfoChar(b, '\t');
			return true;
		case 'n':
			appendStringInfoChar(b, '\n');
			return true;
		case 'f':
			appendStringInfoChar(b, '\f');
			return true;
		case 'r':
			appendStringInfoChar(b, '\r');
			return true;
		case 'v':
			appendStringInfoChar(b, '\v');
			return true;
		case '0':
			appendStringInfoCharMacro(b, '\0');
			return true;
		case '?':
		case '\'':
		case '"':
		case '/':
		case '\\':
			appendStringInfoChar(b, c);
			return true;
		case '\n':
			return true;		/* a line continued */
		case '\r':
			if (p->pos < p->len && p->s[p->pos] == '\n')
				p->pos++;
			return true;
		case 'x':
			if (!read_hex(p, 2, &cp))
				return false;
			break;
		case 'u':
			if (!read_hex(p, 4, &cp))
				return false;
			if (cp >= 0xD800 && cp <= 0xDBFF)
			{
				uint32		lo;

				/* a surrogate pair written as two \u escapes */
				if (!at(p, "\\u"))
				{
					fail(p, "Invalid Ion: a \\u escape of a high surrogate not followed by its low surrogate");
					return false;
				}
				p->pos += 2;
				if (!read_hex(p, 4, &lo))
					return false;
				if (lo < 0xDC00 || lo > 0xDFFF)
				{
					fail(p, "Invalid Ion: a \\u escape of a high surrogate not followed by its low surrogate");
					return false;
				}
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			break;
		case 'U':
			if (!read_hex(p, 8, &cp))
				return false;
			break;
		default:
			p->pos--;
			fail(p, "Invalid Ion: \\%c is not an escape", c);
			return false;
	}
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
	{
		fail(p, "Invalid Ion: an escape of U+%04X, which is not a Unicode scalar value", cp);
		return false;
	}
	append_code_point(b, cp);
	return true;
}

/*
 * One character of quoted text at the position: an escape, or the bytes
 * of one UTF-8 character; raw line breaks only when 'long_text'.
 */
static bool
read_text_char(IonParse *p, StringInfo b, bool long_text)
{
	unsigned char c = (unsigned char) p->s[p->pos];

	if (c == '\\')
		return read_escape(p, b);
	if (c == '\n' || c == '\r')
	{
		if (!long_text)
		{
			fail(p, "Invalid Ion: a line break inside a quoted string or symbol (only '''long strings''' may hold one)");
			return false;
		}
		/* CR LF and CR read as LF */
		if (c == '\r' && p->pos + 1 < p->len && p->s[p->pos + 1] == '\n')
			p->pos++;
		p->pos++;
		appendStringInfoChar(b, '\n');
		return true;
	}
	if (c < 0x20 && c != '\t' && c != '\v' && c != '\f')
	{
		fail(p, "Invalid Ion: control character 0x%02x in quoted text (write it as an escape)", c);
		return false;
	}
	if (c < 0x80)
	{
		appendStringInfoChar(b, (char) c);
		p->pos++;
		return true;
	}
	{
		int			n = pg_utf_mblen((const unsigned char *) p->s + p->pos);

		if (p->pos + n > p->len ||
			!pg_utf8_islegal((const unsigned char *) p->s + p->pos, n))
		{
			fail(p, "Invalid Ion: the text is not valid UTF-8");
			return false;
		}
		appendBinaryStringInfo(b, p->s + p->pos, n);
		p->pos += n;
	}
	return true;
}

/* "..." at the position */
static bool
read_short_string(IonParse *p, StringInfo b)
{
	p->pos++;
	for (;;)
	{
		if (p->pos >= p->len)
		{
			fail(p, "Invalid Ion: a \"string\" is not closed");
			return false;
		}
		if (p->s[p->pos] == '"')
		{
			p->pos++;
			return true;
		}
		if (!read_text_char(p, b, false))
			return false;
	}
}

/* '''...''' at the position, and those that follow it (Ion joins them) */
static bool
read_long_string(IonParse *p, StringInfo b)
{
	do
	{
		p->pos += 3;
		for (;;)
		{
			if (p->pos >= p->len)
			{
				fail(p, "Invalid Ion: a '''long string''' is not closed");
				return false;
			}
			if (at(p, "'''"))
			{
				p->pos += 3;
				break;
			}
			if (!read_text_char(p, b, true))
				return false;
		}
		if (!skip_ws(p))
			return false;
	} while (at(p, "'''"));
	return true;
}

/* 'symbol' at the position (not ''') */
static bool
read_quoted_symbol(IonParse *p, StringInfo b)
{
	p->pos++;
	for (;;)
	{
		if (p->pos >= p->len)
		{
			fail(p, "Invalid Ion: a 'quoted symbol' is not closed");
			return false;
		}
		if (p->s[p->pos] == '\'')
		{
			p->pos++;
			return true;
		}
		if (!read_text_char(p, b, false))
			return false;
	}
}

/* an identifier at the position: its length (0: none) */
static int
ident_len(IonParse *p)
{
	int			i = p->pos;

	if (i >= p->len || !ion_ident_start((unsigned char) p->s[i]))
		return 0;
	while (i < p->len && ion_ident_part((unsigned char) p->s[i]))
		i++;
	return i - p->pos;
}

static bool
symbol_id(const char *s, int len)
{
	return len >= 2 && s[0] == '$' && ion_keyword(s, len) &&
		!(len == 4 && memcmp(s, "null", 4) == 0);
}

/* A field name: identifier, 'quoted symbol', "string" or '''long string''' */
static bool
read_field_name(IonParse *p, StringInfo name)
{
	int			n;

	if (at(p, "'''"))
		return read_long_string(p, name);
	if (at(p, "'"))
		return read_quoted_symbol(p, name);
	if (at(p, "\""))
		return read_short_string(p, name);
	n = ident_len(p);
	if (n == 0)
	{
		fail(p, "Invalid Ion: expected a field name");
		return false;
	}
	if (symbol_id(p->s + p->pos, n))
	{
		fail(p, "Invalid Ion: symbol ids such as %.*s are not supported: write the field name's text", n, p->s + p->pos);
		return false;
	}
	appendBinaryStringInfo(name, p->s + p->pos, n);
	p->pos += n;
	return true;
}

/* {"<type>": v} */
static DynJson *
av(const char *type, DynJson *v)
{
	DynJson    *o = dynpg_json_new(DJ_OBJECT);

	dynpg_json_add(o, type, strlen(type), v);
	return o;
}

/* the type of an AttributeValue built here */
static const char *
av_type(const DynJson *v)
{
	return v->members[0].key;
}

static DynJson *read_value(IonParse *p, int depth);

/* digits with single underscores between them, from t[*i]; into 'out' (may be NULL) */
static bool
scan_digits(const char *t, int n, int *i, StringInfo out, bool hex)
{
	int			start = *i;

	while (*i < n)
	{
		char		c = t[*i];

		if ((c >= '0' && c <= '9') || (hex && dynpg_hex_digit(c) >= 0))
		{
			if (out)
				appendStringInfoChar(out, c);
			(*i)++;
		}
		else if (c == '_' && *i > start && *i + 1 < n &&
				 ((t[*i + 1] >= '0' && t[*i + 1] <= '9') || (hex && dynpg_hex_digit(t[*i + 1]) >= 0)))
			(*i)++;
		else
			break;
	}
	return *i > start;
}

/* The decimal text of a hex (radix 16) or binary (radix 2) int's digits, or NULL when too large */
static char *
radix_to_decimal(const char *digits, int n, int radix)
{
	/* little-endian limbs of 10^9; 512 bits is under 18 of them */
	uint32		limbs[20];
	int			nlimbs = 1;
	int			i;
	int			bits = 0;
	StringInfoData out;

	while (n > 0 && digits[0] == '0')
	{
		digits++;
		n--;
	}
	if (n > 0)
		bits = (n - 1) * (radix == 16 ? 4 : 1) + 1;
	if (bits > ION_MAX_INT_BITS)
		return NULL;
	limbs[0] = 0;
	for (i = 0; i < n; i++)
	{
		uint64		carry = (uint64) dynpg_hex_digit(digits[i]);
		int			k;

		for (k = 0; k < nlimbs; k++)
		{
			uint64		v = (uint64) limbs[k] * radix + carry;

			limbs[k] = (uint32) (v % 1000000000);
			carry = v / 1000000000;
		}
		if (carry > 0)
			limbs[nlimbs++] = (uint32) carry;
	}
	initStringInfo(&out);
	appendStringInfo(&out, "%u", limbs[nlimbs - 1]);
	for (i = nlimbs - 2; i >= 0; i--)
		appendStringInfo(&out, "%09u", limbs[i]);
	return out.data;
}

/*
 * A number at the position (a digit, '-' or '+'): an Ion int or decimal as
 * an N of its digits; floats, timestamps and +inf/-inf are refused.
 */
static DynJson *
read_number(IonParse *p)
{
	int			start = p->pos;
	int			n;
	const char *t = p->s + start;
	int			i = 0;
	StringInfoData num;

	while (p->pos < p->len)
	{
		char		c = p->s[p->pos];

		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			c == '_' || c == '.' || c == '+' || c == '-' || c == ':')
			p->pos++;
		else
			break;
	}
	n = p->pos - start;
	if ((n == 4 && (memcmp(t, "+inf", 4) == 0 || memcmp(t, "-inf", 4) == 0)))
	{
		p->pos = start;
		return fail(p, "Invalid DynamoDB value: Ion float %.*s is not a DynamoDB number", n, t);
	}
	if (n >= 5 && t[0] >= '0' && t[0] <= '9' && t[1] >= '0' && t[1] <= '9' &&
		t[2] >= '0' && t[2] <= '9' && t[3] >= '0' && t[3] <= '9' && (t[4] == '-' || t[4] == 'T'))
	{
		p->pos = start;
		return fail(p, "Invalid DynamoDB value: Ion timestamp %.*s is not a DynamoDB value (write it as a string or a number)", n, t);
	}
	initStringInfo(&num);
	if (t[0] == '-')
	{
		appendStringInfoChar(&num, '-');
		i++;
	}
	if (i + 1 < n && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'X' || t[i + 1] == 'b' || t[i + 1] == 'B'))
	{
		bool		hex = (t[i + 1] == 'x' || t[i + 1] == 'X');
		StringInfoData digits;
		char	   *dec;
		int			k;

		i += 2;
		initStringInfo(&digits);
		if (!scan_digits(t, n, &i, &digits, hex) || i != n)
		{
			p->pos = start;
			return fail(p, "Invalid Ion: %.*s is not an Ion number", n, t);
		}
		for (k = 0; !hex && k < digits.len; k++)
			if (digits.data[k] != '0' && digits.data[k] != '1')
			{
				p->pos = start;
				return fail(p, "Invalid Ion: %.*s is not an Ion number", n, t);
			}
		dec = radix_to_decimal(digits.data, digits.len, hex ? 16 : 2);
		if (dec == NULL)
		{
			p->pos = start;
			return fail(p, "Invalid DynamoDB value: the Ion int %.*s is beyond DynamoDB's number range", Min(n, 40), t);
		}
		appendStringInfoString(&num, dec);
		return av("N", dynpg_json_string(num.data, num.len));
	}
	/* int part: 0 or a digit 1-9 and more */
	if (i >= n || t[i] < '0' || t[i] > '9' ||
		(t[i] == '0' && i + 1 < n && ((t[i + 1] >= '0' && t[i + 1] <= '9') || t[i + 1] == '_')))
	{
		p->pos = start;
		return fail(p, "Invalid Ion: %.*s is not an Ion number", n, t);
	}
	(void) scan_digits(t, n, &i, &num, false);
	if (i < n && t[i] == '.')
	{
		i++;
		appendStringInfoChar(&num, '.');
		if (!scan_digits(t, n, &i, &num, false))
			num.data[--num.len] = '\0';	/* "103." is 103 */
	}
	if (i < n && (t[i] == 'e' || t[i] == 'E'))
	{
		p->pos = start;
		return fail(p, "Invalid DynamoDB value: Ion float %.*s is not a DynamoDB number (write it as an Ion decimal, with d for the exponent)", n, t);
	}
	if (i < n && (t[i] == 'd' || t[i] == 'D'))
	{
		i++;
		appendStringInfoChar(&num, 'E');
		if (i < n && (t[i] == '+' || t[i] == '-'))
			appendStringInfoChar(&num, t[i++]);
		if (i >= n || t[i] < '0' || t[i] > '9')
		{
			p->pos = start;
			return fail(p, "Invalid Ion: %.*s is not an Ion number", n, t);
		}
		while (i < n && t[i] >= '0' && t[i] <= '9')
			appendStringInfoChar(&num, t[i++]);
	}
	if (i != n)
	{
		p->pos = start;
		return fail(p, "Invalid Ion: %.*s is not an Ion number", n, t);
	}
	return av("N", dynpg_json_string(num.data, num.len));
}

/* {{base64}} at the position */
static DynJson *
read_blob(IonParse *p)
{
	StringInfoData b;

	p->pos += 2;
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
								p->s[p->pos] == '\r' || p->s[p->pos] == '\v' || p->s[p->pos] == '\f'))
		p->pos++;
	if (at(p, "\"") || at(p, "'''"))
		return fail(p, "Invalid DynamoDB value: an Ion clob is not a DynamoDB value (write binary data as a blob {{base64}})");
	initStringInfo(&b);
	for (;;)
	{
		char		c;

		if (p->pos >= p->len)
			return fail(p, "Invalid Ion: a {{blob}} is not closed");
		c = p->s[p->pos];
		if (at(p, "}}"))
		{
			p->pos += 2;
			break;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
			p->pos++;
		else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
				 c == '+' || c == '/' || c == '=')
		{
			appendStringInfoChar(&b, c);
			p->pos++;
		}
		else
			return fail(p, "Invalid Ion: a {{blob}} holds a character that is not base64");
	}
	if (b.len % 4 != 0)
		return fail(p, "Invalid Ion: a {{blob}}'s base64 is not a multiple of 4 characters");
	return av("B", dynpg_json_string(b.data, b.len));
}

/* { field: value, ... } at the position: its members as a JSON object of AttributeValues */
static DynJson *
read_struct(IonParse *p, int depth)
{
	DynJson    *obj = dynpg_json_new(DJ_OBJECT);

	p->pos++;
	if (!skip_ws(p))
		return NULL;
	while (!at(p, "}"))
	{
		StringInfoData name;
		DynJson    *v;

		if (p->pos >= p->len)
			return fail(p, "Invalid Ion: a {struct} is not closed");
		initStringInfo(&name);
		if (!read_field_name(p, &name) || !skip_ws(p))
			return NULL;
		if (!at(p, ":") || at(p, "::"))
			return fail(p, "Invalid Ion: expected ':' after a field name");
		p->pos++;
		v = read_value(p, depth + 1);
		if (v == NULL || !skip_ws(p))
			return NULL;
		/* a name given twice: the last one counts, as in DynamoDB JSON */
		dynpg_json_add(obj, name.data, name.len, v);
		if (at(p, ","))
		{
			p->pos++;
			if (!skip_ws(p))
				return NULL;
		}
		else if (!at(p, "}"))
			return p->pos >= p->len ? fail(p, "Invalid Ion: a {struct} is not closed")
				: fail(p, "Invalid Ion: expected ',' or '}' in a struct");
	}
	p->pos++;
	return obj;
}

/* [ value, ... ] at the position: an L, or the set 'set' (SS, NS, BS) */
static DynJson *
read_list(IonParse *p, int depth, const char *set)
{
	DynJson    *arr = dynpg_json_new(DJ_ARRAY);

	p->pos++;
	if (!skip_ws(p))
		return NULL;
	while (!at(p, "]"))
	{
		DynJson    *v;
		int			vpos;

		if (p->pos >= p->len)
			return fail(p, "Invalid Ion: a [list] is not closed");
		vpos = p->pos;
		v = read_value(p, depth + 1);
		if (v == NULL)
			return NULL;
		if (set != NULL)
		{
			const char *t = av_type(v);

			/* SS holds S, NS holds N, BS holds B */
			if (t[0] != set[0] || t[1] != '\0')
			{
				p->pos = vpos;
				return fail(p, "Invalid DynamoDB value: an element of a $dynamodb_%s list is not %s",
							set, strcmp(set, "SS") == 0 ? "a string" :
							strcmp(set, "NS") == 0 ? "an int or decimal" : "a blob");
			}
			dynpg_json_append(arr, v->members[0].val);
		}
		else
			dynpg_json_append(arr, v);
		if (!skip_ws(p))
			return NULL;
		if (at(p, ","))
		{
			p->pos++;
			if (!skip_ws(p))
				return NULL;
		}
		else if (!at(p, "]"))
			return p->pos >= p->len ? fail(p, "Invalid Ion: a [list] is not closed")
				: fail(p, "Invalid Ion: expected ',' or ']' in a list");
	}
	p->pos++;
	return av(set != NULL ? set : "L", arr);
}

/* One value at the position (white space first) as a DynamoDB AttributeValue */
static DynJson *
read_value(IonParse *p, int depth)
{
	const char *set = NULL;

	check_stack_depth();
	if (depth > ION_MAX_DEPTH)
		return fail(p, "Invalid Ion: values nested more than %d levels deep", ION_MAX_DEPTH);
	if (!skip_ws(p))
		return NULL;
	if (p->pos >= p->len)
		return fail(p, "Invalid Ion: expected a value");

	/* annotations (a symbol and ::), or a value that is a symbol or keyword */
	while (ident_len(p) > 0 || (at(p, "'") && !at(p, "'''")))
	{
		int			sym_start = p->pos;
		int			after;
		bool		quoted = at(p, "'");
		StringInfoData sym;

		initStringInfo(&sym);
		if (quoted)
		{
			if (!read_quoted_symbol(p, &sym))
				return NULL;
		}
		else
		{
			int			n = ident_len(p);

			appendBinaryStringInfo(&sym, p->s + p->pos, n);
			p->pos += n;
		}
		after = p->pos;
		if (!skip_ws(p))
			return NULL;
		if (at(p, "::"))
		{
			if (!quoted && symbol_id(sym.data, sym.len))
			{
				p->pos = sym_start;
				return fail(p, "Invalid Ion: symbol ids such as %s are not supported", sym.data);
			}
			if (set != NULL)
			{
				p->pos = sym_start;
				return fail(p, "Invalid DynamoDB value: a value with more than one annotation");
			}
			if (strcmp(sym.data, "$dynamodb_SS") == 0)
				set = "SS";
			else if (strcmp(sym.data, "$dynamodb_NS") == 0)
				set = "NS";
			else if (strcmp(sym.data, "$dynamodb_BS") == 0)
				set = "BS";
			else
			{
				p->pos = sym_start;
				return fail(p, "Invalid DynamoDB value: the annotation %s is not one of DynamoDB's ($dynamodb_SS, $dynamodb_NS, $dynamodb_BS)", sym.data);
			}
			p->pos += 2;
			if (!skip_ws(p))
				return NULL;
			continue;
		}
		p->pos = after;
		if (set != NULL)
		{
			p->pos = sym_start;
			return fail(p, "Invalid DynamoDB value: the annotation $dynamodb_%s is on a value that is not a list", set);
		}
		if (!quoted)
		{
			if (strcmp(sym.data, "true") == 0 || strcmp(sym.data, "false") == 0)
				return av("BOOL", dynpg_json_bool(sym.data[0] == 't'));
			if (strcmp(sym.data, "null") == 0)
			{
				int			n;

				if (!at(p, "."))
					return av("NULL", dynpg_json_bool(true));
				p->pos++;
				n = ident_len(p);
				if (n == 4 && memcmp(p->s + p->pos, "null", 4) == 0)
				{
					p->pos += 4;
					return av("NULL", dynpg_json_bool(true));
				}
				p->pos = sym_start;
				return fail(p, "Invalid DynamoDB value: the typed null null.%.*s is not a DynamoDB value (write null)", n, p->s + sym_start + 5);
			}
			if (strcmp(sym.data, "nan") == 0)
			{
				p->pos = sym_start;
				return fail(p, "Invalid DynamoDB value: Ion float nan is not a DynamoDB number");
			}
		}
		p->pos = sym_start;
		return fail(p, "Invalid DynamoDB value: the Ion symbol %s is not a DynamoDB value (write a \"string\")", sym.data);
	}

	if (set != NULL && !at(p, "["))
		return fail(p, "Invalid DynamoDB value: the annotation $dynamodb_%s is on a value that is not a list", set);
	switch (p->s[p->pos])
	{
		case '{':
			if (at(p, "{{"))
				return read_blob(p);
			{
				DynJson    *obj = read_struct(p, depth);

				return obj ? av("M", obj) : NULL;
			}
		case '[':
			return read_list(p, depth, set);
		case '(':
			return fail(p, "Invalid DynamoDB value: an Ion s-expression is not a DynamoDB value");
		case '"':
		case '\'':
			{
				StringInfoData s;
				bool		ok;

				initStringInfo(&s);
				ok = at(p, "'''") ? read_long_string(p, &s) : read_short_string(p, &s);
				return ok ? av("S", dynpg_json_string(s.data, s.len)) : NULL;
			}
		default:
			if ((p->s[p->pos] >= '0' && p->s[p->pos] <= '9') || p->s[p->pos] == '-' ||
				p->s[p->pos] == '+')
				return read_number(p);
			return fail(p, "Invalid Ion: expected a value");
	}
}

void
dynpg_ion_reader_init(DynIonReader *r, const char *s, int len)
{
	r->s = s;
	r->len = len;
	r->pos = 0;
	r->line_pos = 0;
	r->line_no = 1;
}

/* The start of the first line after the one of 'pos' that starts with "{" or "$ion_1_0" */
static int
next_value_line(DynIonReader *r, int pos)
{
	for (;;)
	{
		const char *nl = memchr(r->s + pos, '\n', r->len - pos);
		int			q;

		if (nl == NULL)
			return r->len;
		pos = (int) (nl - r->s) + 1;
		q = pos;
		while (q < r->len && (r->s[q] == ' ' || r->s[q] == '\t'))
			q++;
		if ((q < r->len && r->s[q] == '{') ||
			(q + 8 <= r->len && memcmp(r->s + q, "$ion_1_0", 8) == 0))
			return pos;
	}
}

bool
dynpg_ion_reader_next(DynIonReader *r, int64 *line, DynJson **item, char **error)
{
	IonParse	p;
	DynJson    *obj;
	DynJson    *it;
	int			start;

	p.r = r;
	p.s = r->s;
	p.len = r->len;
	p.pos = r->pos;
	p.error = NULL;
	*item = NULL;
	*error = NULL;
	/* binary Ion (its version marker E0 01 00 EA): one error for the whole file */
	if (p.pos == 0 && p.len >= 4 && memcmp(p.s, "\xE0\x01\x00\xEA", 4) == 0)
	{
		*line = 1;
		*error = pstrdup("Invalid Ion: the file is binary Ion; ION imports read Ion text, as DynamoDB's exports write it");
		r->pos = r->len;
		return true;
	}
	for (;;)
	{
		int			n;

		start = p.pos;
		if (!skip_ws(&p))
		{
			/* a comment open to the end */
			*line = line_of(r, start);
			*error = p.error;
			r->pos = r->len;
			return true;
		}
		if (p.pos >= p.len)
		{
			r->pos = p.len;
			return false;
		}
		start = p.pos;
		n = ident_len(&p);
		if (n >= 5 && memcmp(p.s + p.pos, "$ion_", 5) == 0)
		{
			IonParse	q = p;

			q.pos += n;
			if (!skip_ws(&q) || !at(&q, "::"))
			{
				/* a version marker */
				if (n != 8 || memcmp(p.s + p.pos, "$ion_1_0", 8) != 0)
				{
					*line = line_of(r, start);
					fail(&p, "Invalid Ion: version marker %.*s: only $ion_1_0 is read", n, p.s + p.pos);
					break;
				}
				p.pos += n;
				continue;
			}
		}
		*line = line_of(r, start);
		if (!at(&p, "{") || at(&p, "{{"))
		{
			fail(&p, "Invalid DynamoDB item: the Ion value is not a struct {Item:{...}}");
			break;
		}
		obj = read_struct(&p, 0);
		if (obj == NULL)
			break;
		it = dynpg_json_member(obj, "Item", 4);
		if (it == NULL || strcmp(av_type(it), "M") != 0)
		{
			p.pos = start;
			fail(&p, "Invalid DynamoDB item: the Ion struct has no field Item holding a struct, as {Item:{...}}");
			break;
		}
		*item = it->members[0].val;
		r->pos = p.pos;
		return true;
	}
	*error = p.error;
	r->pos = next_value_line(r, start);
	return true;
}

/* ---------------------------------------------------------------------
 * SQL: dynpg.item_to_ion(item) and dynpg.item_from_ion(text)
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(dynpg_item_to_ion);
Datum
dynpg_item_to_ion(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	StringInfoData out;

	initStringInfo(&out);
	appendStringInfoString(&out, "$ion_1_0 {Item:");
	dynpg_item_append_ion(item, &out);
	appendStringInfoChar(&out, '}');
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}

PG_FUNCTION_INFO_V1(dynpg_item_from_ion);
Datum
dynpg_item_from_ion(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	DynIonReader r;
	int64		line;
	DynJson    *item;
	DynJson    *more;
	char	   *error;

	dynpg_ion_reader_init(&r, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	if (!dynpg_ion_reader_next(&r, &line, &item, &error))
		dynpg_validation_error("The Ion text holds no value");
	if (error != NULL)
		dynpg_validation_error("%s", error);
	if (dynpg_ion_reader_next(&r, &line, &more, &error))
	{
		if (error != NULL)
			dynpg_validation_error("%s", error);
		dynpg_validation_error("The Ion text holds more than one value (the second at line " INT64_FORMAT ")", line);
	}
	PG_RETURN_DYNITEM_P(dynpg_item_from_json(item, false));
}
