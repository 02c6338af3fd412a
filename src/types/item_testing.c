/*-------------------------------------------------------------------------
 *
 * item_testing.c
 *	  Random inputs for the property tests (sql/property.sql): random items
 *	  in DynamoDB JSON with numbers spelled every way DynamoDB accepts, random
 *	  key values, and random malformed inputs.  Deterministic for a seed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/pg_prng.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "types/dynpg_base64.h"
#include "types/dynpg_item.h"

typedef struct Gen
{
	pg_prng_state rng;
	bool		allow_nul;		/* may strings hold NUL (text form only)? */
} Gen;

static int
rnd(Gen *g, int n)
{
	return (int) pg_prng_uint64_range(&g->rng, 0, (uint64) (n - 1));
}

static const char *const alphabet[] = {
	"a", "b", "c", "x", "y", "z", "A", "Z", "0", "9", " ", "_", "-", ".",
	"\\\"", "\\\\", "\\n", "\\t", "\\/", "\\u00e9", "é", "中", "文", "😀",
	"\\ud83d\\ude00", "~", "{", "}", "[", "]", ":", ",", "\\u001f"
};

static void
gen_string(Gen *g, StringInfo out, int maxlen)
{
	int			len = rnd(g, maxlen + 1);
	int			i;

	appendStringInfoChar(out, '"');
	for (i = 0; i < len; i++)
	{
		if (g->allow_nul && rnd(g, 40) == 0)
			appendStringInfoString(out, "\\u0000");
		else
			appendStringInfoString(out, alphabet[rnd(g, lengthof(alphabet))]);
	}
	appendStringInfoChar(out, '"');
}

/* Canonical digits and exponent of a random number; 0 digits is zero. */
static void
gen_number_value(Gen *g, char *digits, int *ndigits, int *exp, bool *neg)
{
	int			i;
	int			n;

	*neg = rnd(g, 2) == 0;
	if (rnd(g, 12) == 0)
	{
		*ndigits = 0;
		*exp = 0;
		*neg = false;
		return;
	}
	n = rnd(g, 6) == 0 ? 1 + rnd(g, 38) : 1 + rnd(g, 6);
	for (i = 0; i < n; i++)
		digits[i] = (char) ('0' + rnd(g, 10));
	if (digits[0] == '0')
		digits[0] = (char) ('1' + rnd(g, 9));
	if (digits[n - 1] == '0')
		digits[n - 1] = (char) ('1' + rnd(g, 9));
	*ndigits = n;
	if (rnd(g, 10) == 0)
		*exp = -129 + rnd(g, 256);
	else
		*exp = -8 + rnd(g, 20);
}

/* Spell 0.<digits> * 10^exp in one of the many forms DynamoDB accepts. */
static void
spell_number(Gen *g, StringInfo out, const char *digits, int ndigits, int exp, bool neg)
{
	int			p;
	int			x;
	int			i;

	if (ndigits == 0)
	{
		static const char *const zeros[] = {"0", "-0", "+0", "0.0", "0e5", "00", ".0", "0.000E-3", "0e1000"};

		appendStringInfoString(out, zeros[rnd(g, lengthof(zeros))]);
		return;
	}
	if (neg)
		appendStringInfoChar(out, '-');
	else if (rnd(g, 6) == 0)
		appendStringInfoChar(out, '+');
	p = rnd(g, ndigits + 1);	/* digits before the point */
	x = exp - p;
	/* keep plain forms when the exponent is small, sometimes */
	if (x != 0 && rnd(g, 3) == 0 && x > 0 && x < 40)
	{
		/* integer with trailing zeros instead of an exponent */
		for (i = 0; i < ndigits; i++)
			appendStringInfoChar(out, digits[i]);
		for (i = 0; i < exp - ndigits; i++)
			appendStringInfoChar(out, '0');
		if (exp >= ndigits)
			return;
		/* fall back: exp < ndigits means a fraction; restart is simpler */
		out->len -= ndigits;
		out->data[out->len] = '\0';
	}
	if (rnd(g, 4) == 0)
		appendStringInfoString(out, "00");
	if (p == 0 && rnd(g, 2) == 0)
		appendStringInfoChar(out, '0');
	for (i = 0; i < p; i++)
		appendStringInfoChar(out, digits[i]);
	if (p < ndigits || rnd(g, 3) == 0)
	{
		appendStringInfoChar(out, '.');
		for (i = p; i < ndigits; i++)
			appendStringInfoChar(out, digits[i]);
		if (rnd(g, 3) == 0)
			appendStringInfoString(out, "000");
	}
	if (p == 0 && p == ndigits)
		appendStringInfoChar(out, '0');
	if (x != 0 || rnd(g, 5) == 0)
	{
		appendStringInfoChar(out, rnd(g, 2) ? 'e' : 'E');
		if (x >= 0 && rnd(g, 2) == 0)
			appendStringInfoChar(out, '+');
		appendStringInfo(out, "%d", x);
	}
}

static void
gen_number(Gen *g, StringInfo out)
{
	char		digits[DYN_NUM_MAX_DIGITS];
	int			n;
	int			exp;
	bool		neg;

	gen_number_value(g, digits, &n, &exp, &neg);
	appendStringInfoChar(out, '"');
	spell_number(g, out, digits, n, exp, neg);
	appendStringInfoChar(out, '"');
}

static void
gen_binary(Gen *g, StringInfo out, int maxlen)
{
	int			len = rnd(g, maxlen + 1);
	uint8	   *bytes = palloc(Max(len, 1));
	int			i;

	for (i = 0; i < len; i++)
		bytes[i] = (uint8) rnd(g, 256);
	appendStringInfoChar(out, '"');
	dynpg_base64_encode(bytes, len, out);
	appendStringInfoChar(out, '"');
	pfree(bytes);
}

static void gen_value(Gen *g, StringInfo out, int depth);

/* A set of n distinct elements: distinct by construction (index suffix). */
static void
gen_set(Gen *g, StringInfo out, DynType t)
{
	int			n = 1 + rnd(g, 5);
	int			i;

	appendStringInfoChar(out, '[');
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(out, ',');
		if (t == DYN_T_SS)
		{
			/* a random string followed by a unique marker */
			StringInfoData s;

			initStringInfo(&s);
			gen_string(g, &s, 4);
			s.data[s.len - 1] = '\0';	/* drop the closing quote */
			appendStringInfo(out, "%s#%d\"", s.data, i);
		}
		else if (t == DYN_T_NS)
		{
			char		digits[DYN_NUM_MAX_DIGITS];
			int			nd;
			int			exp;
			bool		neg;

			/* distinct values: vary the last digit pair by index */
			gen_number_value(g, digits, &nd, &exp, &neg);
			if (nd == 0)
			{
				digits[0] = '1';
				nd = 1;
				exp = 1;
			}
			if (nd < 36)
			{
				digits[nd] = (char) ('0' + i / 10);
				digits[nd + 1] = (char) ('1' + i % 9);
				nd += 2;
			}
			else
				digits[nd - 1] = (char) ('1' + i);
			appendStringInfoChar(out, '"');
			spell_number(g, out, digits, nd, exp, neg);
			appendStringInfoChar(out, '"');
		}
		else
		{
			uint8		bytes[6];
			int			len = 1 + rnd(g, 4);
			int			j;

			for (j = 0; j < len; j++)
				bytes[j] = (uint8) rnd(g, 256);
			bytes[len] = (uint8) i;
			appendStringInfoChar(out, '"');
			dynpg_base64_encode(bytes, len + 1, out);
			appendStringInfoChar(out, '"');
		}
	}
	appendStringInfoChar(out, ']');
}

static void
gen_members(Gen *g, StringInfo out, int depth, int maxn)
{
	int			n = rnd(g, maxn + 1);
	int			i;

	appendStringInfoChar(out, '{');
	for (i = 0; i < n; i++)
	{
		StringInfoData name;

		if (i > 0)
			appendStringInfoChar(out, ',');
		/* names are unique: a random prefix and the index */
		initStringInfo(&name);
		gen_string(g, &name, 6);
		name.data[name.len - 1] = '\0';
		appendStringInfo(out, "%s%d\":", name.data, i);
		gen_value(g, out, depth + 1);
	}
	appendStringInfoChar(out, '}');
}

static void
gen_value(Gen *g, StringInfo out, int depth)
{
	int			kind = rnd(g, depth >= 4 ? 8 : 10);

	switch (kind)
	{
		case 0:
			appendStringInfoString(out, "{\"S\":");
			gen_string(g, out, 12);
			break;
		case 1:
			appendStringInfoString(out, "{\"N\":");
			gen_number(g, out);
			break;
		case 2:
			appendStringInfoString(out, "{\"B\":");
			gen_binary(g, out, 10);
			break;
		case 3:
			appendStringInfoString(out, rnd(g, 2) ? "{\"BOOL\":true" : "{\"BOOL\":false");
			break;
		case 4:
			appendStringInfoString(out, "{\"NULL\":true");
			break;
		case 5:
			appendStringInfoString(out, "{\"SS\":");
			gen_set(g, out, DYN_T_SS);
			break;
		case 6:
			appendStringInfoString(out, "{\"NS\":");
			gen_set(g, out, DYN_T_NS);
			break;
		case 7:
			appendStringInfoString(out, "{\"BS\":");
			gen_set(g, out, DYN_T_BS);
			break;
		case 8:
			appendStringInfoString(out, "{\"M\":");
			gen_members(g, out, depth, 4);
			break;
		default:
			{
				int			n = rnd(g, 5);
				int			i;

				appendStringInfoString(out, "{\"L\":[");
				for (i = 0; i < n; i++)
				{
					if (i > 0)
						appendStringInfoChar(out, ',');
					gen_value(g, out, depth + 1);
				}
				appendStringInfoChar(out, ']');
			}
			break;
	}
	appendStringInfoChar(out, '}');
}

static char *
random_item_text(int64 seed, bool allow_nul)
{
	Gen			g;
	StringInfoData out;

	pg_prng_seed(&g.rng, (uint64) seed);
	g.allow_nul = allow_nul;
	initStringInfo(&out);
	gen_members(&g, &out, 0, 8);
	return out.data;
}

/* dynpg._random_item_text(seed): DynamoDB JSON, possibly with \u0000 */
PG_FUNCTION_INFO_V1(dynpg_random_item_text);
Datum
dynpg_random_item_text(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(random_item_text(PG_GETARG_INT64(0), true)));
}

/* dynpg._random_item_jsonb(seed): DynamoDB JSON as jsonb (no NUL) */
PG_FUNCTION_INFO_V1(dynpg_random_item_jsonb);
Datum
dynpg_random_item_jsonb(PG_FUNCTION_ARGS)
{
	char	   *text = random_item_text(PG_GETARG_INT64(0), false);

	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(text)));
}

/* dynpg._random_key_value(seed, type): one typed S, N or B value */
PG_FUNCTION_INFO_V1(dynpg_random_key_value);
Datum
dynpg_random_key_value(PG_FUNCTION_ARGS)
{
	Gen			g;
	StringInfoData out;
	char	   *type = text_to_cstring(PG_GETARG_TEXT_PP(1));

	pg_prng_seed(&g.rng, (uint64) PG_GETARG_INT64(0));
	g.allow_nul = false;
	initStringInfo(&out);
	if (strcmp(type, "S") == 0)
	{
		appendStringInfoString(&out, "{\"S\":");
		/* short strings over a small alphabet, so prefixes and ties are common */
		gen_string(&g, &out, 5);
	}
	else if (strcmp(type, "N") == 0)
	{
		appendStringInfoString(&out, "{\"N\":");
		gen_number(&g, &out);
	}
	else if (strcmp(type, "B") == 0)
	{
		appendStringInfoString(&out, "{\"B\":");
		gen_binary(&g, &out, 4);
	}
	else
		elog(ERROR, "key type must be S, N or B");
	appendStringInfoChar(&out, '}');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(out.data)));
}

/* dynpg._random_malformed_text(seed): a valid item's text, damaged at random */
PG_FUNCTION_INFO_V1(dynpg_random_malformed_text);
Datum
dynpg_random_malformed_text(PG_FUNCTION_ARGS)
{
	static const char *const inserts[] = {
		"{", "}", "[", "]", "\"", ":", ",", "\\", "0", "-", "e", ".", "null",
		"true", "\"N\"", "\"S\"", "\"M\"", "\"SS\":[]", "\"NULL\":false",
		"\"B\":\"abc\"", "\"N\":\"1e999\"", "\"N\":\"dog\"", "\\u", "\\ud800",
		"\x01", " ", "{\"L\":[", "{\"M\":{"
	};
	int64		seed = PG_GETARG_INT64(0);
	Gen			g;
	StringInfoData s;
	int			nmut;
	int			i;

	s.data = random_item_text(seed, true);
	s.len = strlen(s.data);
	s.maxlen = s.len + 1;
	s.cursor = 0;
	pg_prng_seed(&g.rng, (uint64) seed ^ UINT64CONST(0x5bd1e995));
	nmut = 1 + rnd(&g, 3);
	for (i = 0; i < nmut; i++)
	{
		int			op = rnd(&g, 3);
		int			at = s.len > 0 ? rnd(&g, s.len) : 0;

		if (op == 0 && s.len > 0)
		{
			/* delete a short range */
			int			n = 1 + rnd(&g, Min(8, s.len - at));

			memmove(s.data + at, s.data + at + n, s.len - at - n + 1);
			s.len -= n;
		}
		else if (op == 1)
		{
			/* insert a JSON-significant fragment */
			const char *ins = inserts[rnd(&g, lengthof(inserts))];
			StringInfoData t;

			initStringInfo(&t);
			appendBinaryStringInfo(&t, s.data, at);
			appendStringInfoString(&t, ins);
			appendStringInfoString(&t, s.data + at);
			s = t;
		}
		else
		{
			/* truncate */
			s.len = at;
			s.data[at] = '\0';
		}
	}
	/* a cut may split a multibyte character: text must stay valid UTF-8 */
	for (i = 0; i < s.len;)
	{
		int			l = pg_utf_mblen((const unsigned char *) s.data + i);

		if (i + l > s.len || !pg_utf8_islegal((const unsigned char *) s.data + i, l))
		{
			s.data[i] = '?';
			l = 1;
		}
		i += l;
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(s.data, s.len));
}
