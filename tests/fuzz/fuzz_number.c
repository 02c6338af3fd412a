/*
 * libFuzzer harness: DynamoDB numbers (src/types/number.c): the parser,
 * the canonical text, the sortable encoding and its decoder, addition.
 *
 * The input is split at its first ',' into a and b (b may be absent).
 * Properties:
 *  - parse -> print -> parse is the identity: the canonical text of a
 *    parsed number parses to the same number, and encodes to the same bytes;
 *  - equal numbers written differently encode equally: the number is
 *    respelled (exponent forms "0.dddE<e>" and "dddE<e>", leading zeros,
 *    trailing fractional zeros, an explicit '+', a padded exponent), and
 *    every spelling must parse to the same encoding;
 *  - encode -> decode -> encode is the identity, and arbitrary bytes
 *    either fail to decode or are a canonical encoding (re-encoding them
 *    gives the same bytes, dynpg_num_encoded_size agrees);
 *  - the encoding preserves order: memcmp of the encodings of a and b has
 *    the sign of a - b, computed both by comparing (sign, exponent,
 *    digits) and, where it is exact, by dynpg_num_add;
 *  - a - a = 0 and (a + b) - b = a whenever the sums are in range.
 */
#include "postgres.h"

#include "types/dynpg_number.h"
#include "fuzz_common.h"
#include "fuzz_compare.h"

static void
same_encoding(const char *text, int len, const uint8 *enc, int enclen, const char *what)
{
	DynNumber	n;
	uint8		e[DYN_NUM_MAX_ENCODED];
	int			elen;

	if (dynpg_num_parse(text, len, &n) != DYN_NUM_OK)
	{
		fprintf(stderr, "spelling \"%.*s\" does not parse\n", len, text);
		fuzz_fail(what);
	}
	elen = dynpg_num_encode(&n, e);
	if (elen != enclen || memcmp(e, enc, elen) != 0)
	{
		fprintf(stderr, "spelling \"%.*s\" encodes differently\n", len, text);
		fuzz_fail(what);
	}
}

static void
respell(const DynNumber *n, const uint8 *enc, int enclen, const char *canon)
{
	StringInfoData s;
	int			i;
	const char *sign = n->neg ? "-" : "";

	/* 0.dddE<exp> */
	initStringInfo(&s);
	appendStringInfo(&s, "%s0.", sign);
	for (i = 0; i < n->ndigits; i++)
		appendStringInfoChar(&s, '0' + n->digits[i]);
	if (n->ndigits == 0)
		appendStringInfoChar(&s, '0');
	appendStringInfo(&s, "E%d", n->exp);
	same_encoding(s.data, s.len, enc, enclen, "0.dddE<exp> spelling");

	/* dddE<exp - ndigits>, lower-case e, explicit '+' on the exponent */
	resetStringInfo(&s);
	appendStringInfoString(&s, sign);
	for (i = 0; i < n->ndigits; i++)
		appendStringInfoChar(&s, '0' + n->digits[i]);
	if (n->ndigits == 0)
		appendStringInfoChar(&s, '0');
	appendStringInfo(&s, "e%+d", n->exp - n->ndigits);
	same_encoding(s.data, s.len, enc, enclen, "ddde<exp> spelling");

	/* leading zeros and trailing fractional zeros: "001000.000" for "1000" */
	resetStringInfo(&s);
	appendStringInfo(&s, "%s00%s", sign, canon + (n->neg ? 1 : 0));
	appendStringInfoString(&s, strchr(canon, '.') ? "000" : ".000");
	same_encoding(s.data, s.len, enc, enclen, "zero-padded spelling");

	/* an explicit '+' on a positive number, a zero-padded exponent */
	if (!n->neg)
	{
		resetStringInfo(&s);
		appendStringInfo(&s, "+%sE-000", canon);
		same_encoding(s.data, s.len, enc, enclen, "+ddd spelling");
	}

	/* dd.ddd with the point moved: digits shifted by one place, exponent back */
	resetStringInfo(&s);
	appendStringInfo(&s, "%s%sE1", sign, n->ndigits == 0 ? "0" : "");
	if (n->ndigits > 0)
	{
		resetStringInfo(&s);
		appendStringInfo(&s, "%s.", sign);
		for (i = 0; i < n->ndigits; i++)
			appendStringInfoChar(&s, '0' + n->digits[i]);
		appendStringInfo(&s, "E%d", n->exp);
	}
	same_encoding(s.data, s.len, enc, enclen, ".dddE<exp> spelling");
}

static bool
check_one(const char *text, int len, DynNumber *n, uint8 *enc, int *enclen)
{
	DynNumber	back;
	uint8		enc2[DYN_NUM_MAX_ENCODED];
	char	   *canon;

	if (dynpg_num_parse(text, len, n) != DYN_NUM_OK)
		return false;
	if (n->ndigits > DYN_NUM_MAX_DIGITS ||
		(n->ndigits > 0 && (n->exp > DYN_NUM_MAX_EXP || n->exp < DYN_NUM_MIN_EXP ||
							n->digits[0] == 0 || n->digits[n->ndigits - 1] == 0)))
		fuzz_fail("a parsed number is not canonical or out of range");
	*enclen = dynpg_num_encode(n, enc);
	if (*enclen > DYN_NUM_MAX_ENCODED)
		fuzz_fail("encoding longer than DYN_NUM_MAX_ENCODED");
	if (!dynpg_num_decode(enc, *enclen, &back) || fuzz_cmp_num(n, &back) != 0 ||
		dynpg_num_encode(&back, enc2) != *enclen || memcmp(enc, enc2, *enclen) != 0)
		fuzz_fail("encode -> decode -> encode is not the identity");
	if (dynpg_num_encoded_size(enc, *enclen) != *enclen)
		fuzz_fail("dynpg_num_encoded_size disagrees with the encoding");
	canon = dynpg_num_to_cstring(n);
	same_encoding(canon, strlen(canon), enc, *enclen, "canonical text does not read back");
	(void) dynpg_num_size(n);
	respell(n, enc, *enclen, canon);
	return true;
}

static void
fuzz_one(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	const char *comma = memchr(s, ',', size);
	int			alen = comma ? (int) (comma - s) : (int) size;
	DynNumber	a,
				b,
				d,
				back;
	uint8		ea[DYN_NUM_MAX_ENCODED],
				eb[DYN_NUM_MAX_ENCODED],
				e2[DYN_NUM_MAX_ENCODED];
	int			ealen,
				eblen;

	/* arbitrary bytes as an encoding */
	if (dynpg_num_decode(data, (int) size, &back))
	{
		if ((int) size > DYN_NUM_MAX_ENCODED || dynpg_num_encode(&back, e2) != (int) size ||
			memcmp(e2, data, size) != 0)
			fuzz_fail("a decoded encoding is not canonical");
		if (dynpg_num_encoded_size(data, (int) size) != (int) size)
			fuzz_fail("dynpg_num_encoded_size disagrees with the decoder");
	}

	if (!check_one(s, alen, &a, ea, &ealen))
		return;
	if (dynpg_num_add(&a, &a, true, &d) != DYN_NUM_OK || d.ndigits != 0)
		fuzz_fail("a - a is not 0");
	if (!comma || !check_one(comma + 1, (int) size - alen - 1, &b, eb, &eblen))
		return;
	if (fuzz_bytes_cmp(ea, ealen, eb, eblen) != fuzz_cmp_num(&a, &b))
		fuzz_fail("memcmp of encodings disagrees with numeric order");
	if (dynpg_num_add(&a, &b, true, &d) == DYN_NUM_OK && fuzz_sign_of(&d) != fuzz_cmp_num(&a, &b))
		fuzz_fail("sign of a - b disagrees with numeric order");
	if (dynpg_num_add(&a, &b, false, &d) == DYN_NUM_OK &&
		dynpg_num_add(&d, &b, true, &back) == DYN_NUM_OK && fuzz_cmp_num(&back, &a) != 0)
		fuzz_fail("(a + b) - b is not a");
}

FUZZ_HARNESS(64 * 1024, false, false)
