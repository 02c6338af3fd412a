/*-------------------------------------------------------------------------
 *
 * item_json_text.c
 *	  Item output as DynamoDB JSON text (the text form of dynpg.item).
 *
 * Written straight from the binary form, with no white space, members and
 * set elements in the item's canonical order, so that equal items have
 * equal text: {"PersonID":{"N":"101"},"Tags":{"SS":["a","b"]}}.  N is its
 * canonical text (number.c), B base64, NULL {"NULL":true}.  Strings are
 * escaped as JSON requires and nothing more: '"', '\\' and the control
 * characters below 0x20 (NUL as \u0000, so that the text reads back to the
 * same item); other bytes, UTF-8 included, are copied.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "lib/stringinfo.h"

#include "types/dynpg_base64.h"
#include "types/dynpg_item.h"

/* ---------------------------------------------------------------------
 * Output: DynamoDB JSON text
 * ---------------------------------------------------------------------
 */
/* Bytes a JSON string escapes: '"', '\\' and the controls below 0x20. */
#define NEEDS_ESCAPE(c)	((c) < 0x20 || (c) == '"' || (c) == '\\')

/*
 * Whether any of the 8 bytes of 'w' needs an escape: a byte below 0x20, a
 * '"' or a '\\'.  The usual word-at-a-time tests: (x - 0x01..) & ~x & 0x80..
 * is nonzero exactly when some byte of x is zero, and (x - 0x20..) & ~x &
 * 0x80.. exactly when some byte is below 0x20 (the subtrahend being at most
 * 0x80).  Exact, so a word without a match is copied as it is.
 */
#define ONES64		UINT64CONST(0x0101010101010101)
#define HIGHS64		UINT64CONST(0x8080808080808080)
static inline bool
word_needs_escape(uint64 w)
{
	uint64		q = w ^ (ONES64 * '"');
	uint64		b = w ^ (ONES64 * '\\');

	return (((w - ONES64 * 0x20) & ~w) |
			((q - ONES64) & ~q) |
			((b - ONES64) & ~b)) & HIGHS64;
}

/*
 * The string's bytes between quotes.  Room for the whole string is made
 * once and the runs between escapes are copied into it directly (this is
 * the inner loop of every read's output); an escape appends through
 * stringinfo.c and makes room again for what remains.
 */
static void
append_json_string(StringInfo out, const char *s, int32 len)
{
	int32		i = 0;

	enlargeStringInfo(out, len + 2);
	out->data[out->len++] = '"';
	while (i < len)
	{
		int32		start = i;
		unsigned char c;

		/* eight bytes at a time while none needs an escape, then byte by byte */
		while (i + 8 <= len)
		{
			uint64		w;

			memcpy(&w, s + i, 8);
			if (word_needs_escape(w))
				break;
			i += 8;
		}
		while (i < len && !NEEDS_ESCAPE((unsigned char) s[i]))
			i++;
		if (i > start)
		{
			memcpy(out->data + out->len, s + start, i - start);
			out->len += i - start;
		}
		if (i == len)
			break;
		c = (unsigned char) s[i++];
		switch (c)
		{
			case '"':
				appendBinaryStringInfo(out, "\\\"", 2);
				break;
			case '\\':
				appendBinaryStringInfo(out, "\\\\", 2);
				break;
			case '\b':
				appendBinaryStringInfo(out, "\\b", 2);
				break;
			case '\f':
				appendBinaryStringInfo(out, "\\f", 2);
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
			default:
				appendStringInfo(out, "\\u%04x", c);
				break;
		}
		/* the rest of the string and the closing quote */
		enlargeStringInfo(out, len - i + 1);
	}
	out->data[out->len++] = '"';
	out->data[out->len] = '\0';
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
	dynpg_append_members(ref, out, append_json_string, dynpg_value_append_text);
}

/*
 * '{"S":' and the like for type 't': the opening of every value, made once
 * per backend from the type names.
 */
static void
append_type_prefix(StringInfo out, DynType t)
{
	static char prefixes[DYN_T_MAX + 1][8];
	static int8 prefixlens[DYN_T_MAX + 1];

	if (t < 1 || t > DYN_T_MAX)
		dynpg_type_name(t);		/* reports the damage */
	if (prefixlens[t] == 0)
	{
		const char *name = dynpg_type_name(t);
		int			n = strlen(name);

		Assert(n + 4 <= (int) sizeof(prefixes[t]));
		prefixes[t][0] = '{';
		prefixes[t][1] = '"';
		memcpy(prefixes[t] + 2, name, n);
		prefixes[t][n + 2] = '"';
		prefixes[t][n + 3] = ':';
		prefixlens[t] = n + 4;
	}
	appendBinaryStringInfo(out, prefixes[t], prefixlens[t]);
}

void
dynpg_value_append_text(const DynRef *ref, StringInfo out)
{
	check_stack_depth();
	append_type_prefix(out, ref->type);
	switch (ref->type)
	{
		case DYN_T_S:
		case DYN_T_N:
		case DYN_T_B:
			append_scalar_payload_text(ref, out);
			break;
		case DYN_T_BOOL:
			if (ref->boolval)
				appendBinaryStringInfo(out, "true", 4);
			else
				appendBinaryStringInfo(out, "false", 5);
			break;
		case DYN_T_NULL:
			appendBinaryStringInfo(out, "true", 4);
			break;
		case DYN_T_M:
			append_map_members_text(ref, out);
			break;
		case DYN_T_L:
			dynpg_append_elements(ref, out, dynpg_value_append_text);
			break;
		case DYN_T_SS:
		case DYN_T_NS:
		case DYN_T_BS:
			dynpg_append_elements(ref, out, append_scalar_payload_text);
			break;
	}
	appendStringInfoCharMacro(out, '}');
}

void
dynpg_item_append_text(const DynItem *item, StringInfo out)
{
	DynRef		root = dynpg_item_root(item);

	append_map_members_text(&root, out);
}
