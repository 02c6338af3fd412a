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
	dynpg_append_members(ref, out, append_json_string, dynpg_value_append_text);
}

void
dynpg_value_append_text(const DynRef *ref, StringInfo out)
{
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
			dynpg_append_elements(ref, out, dynpg_value_append_text);
			break;
		case DYN_T_SS:
		case DYN_T_NS:
		case DYN_T_BS:
			dynpg_append_elements(ref, out, append_scalar_payload_text);
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
