/*-------------------------------------------------------------------------
 *
 * number.c
 *	  DynamoDB numbers: parsing with DynamoDB's rules and messages, the
 *	  canonical text form, the sortable byte encoding, size accounting and
 *	  exact addition.
 *
 * See dynpg_number.h for the representation and README for the encoding.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "base/dynpg_error.h"
#include "types/dynpg_number.h"

/* Exponents beyond this are clamped while parsing; any such value is out of range anyway. */
#define EXP_CLAMP 1000000

/*
 * Parse DynamoDB's number syntax: [+-] digits [. digits] [(e|E) [+-] digits],
 * where the mantissa may also be ". digits" or "digits .".  No white space.
 * Checks magnitude first, then precision, as DynamoDB does.
 */
DynNumStatus
dynpg_num_parse(const char *s, int len, DynNumber *out)
{
	int			i = 0;
	bool		neg = false;
	int64		int_digits = 0;	/* mantissa digits before the point */
	int64		dpos = 0;		/* index of the next mantissa digit */
	int64		first_nz = -1;
	int64		last_nz = -1;
	bool		seen_point = false;
	bool		any_digit = false;
	int64		e = 0;
	int64		exp;
	int			nstored = 0;
	uint8		buf[DYN_NUM_MAX_DIGITS];

	memset(out, 0, sizeof(*out));
	if (len <= 0)
		return DYN_NUM_INVALID;
	if (s[0] == '+' || s[0] == '-')
	{
		neg = (s[0] == '-');
		i++;
	}
	for (; i < len; i++)
	{
		char		c = s[i];

		if (c >= '0' && c <= '9')
		{
			any_digit = true;
			if (c != '0')
			{
				if (first_nz < 0)
					first_nz = dpos;
				last_nz = dpos;
			}
			if (first_nz >= 0 && dpos - first_nz < DYN_NUM_MAX_DIGITS)
				buf[nstored++] = (uint8) (c - '0');
			if (!seen_point)
				int_digits++;
			dpos++;
		}
		else if (c == '.' && !seen_point)
			seen_point = true;
		else
			break;
	}
	if (!any_digit)
		return DYN_NUM_INVALID;
	if (i < len)
	{
		bool		eneg = false;
		bool		edigit = false;

		if (s[i] != 'e' && s[i] != 'E')
			return DYN_NUM_INVALID;
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
		{
			eneg = (s[i] == '-');
			i++;
		}
		for (; i < len; i++)
		{
			if (s[i] < '0' || s[i] > '9')
				return DYN_NUM_INVALID;
			edigit = true;
			if (e < EXP_CLAMP)
				e = e * 10 + (s[i] - '0');
		}
		if (!edigit)
			return DYN_NUM_INVALID;
		if (eneg)
			e = -e;
	}

	if (first_nz < 0)
		return DYN_NUM_OK;		/* zero, whatever its sign or exponent */

	exp = int_digits - first_nz + e;
	if (exp > DYN_NUM_MAX_EXP)
		return DYN_NUM_OVERFLOW;
	if (exp < DYN_NUM_MIN_EXP)
		return DYN_NUM_UNDERFLOW;
	if (last_nz - first_nz + 1 > DYN_NUM_MAX_DIGITS)
		return DYN_NUM_PRECISION;

	out->neg = neg;
	out->exp = (int16) exp;
	out->ndigits = (uint8) (last_nz - first_nz + 1);
	Assert(out->ndigits <= nstored);
	memcpy(out->digits, buf, out->ndigits);
	return DYN_NUM_OK;
}

/* Raise DynamoDB's ValidationException for a failed parse. */
void
dynpg_num_report(DynNumStatus status, const char *s, int len)
{
	switch (status)
	{
		case DYN_NUM_OVERFLOW:
			dynpg_validation_error("Number overflow. Attempting to store a number with magnitude larger than supported range");
			break;
		case DYN_NUM_UNDERFLOW:
			dynpg_validation_error("Number underflow. Attempting to store a number with magnitude smaller than supported range");
			break;
		case DYN_NUM_PRECISION:
			dynpg_validation_error("Attempting to store more than 38 significant digits in a Number");
			break;
		case DYN_NUM_INVALID:
		default:
			if (len <= 0)
				dynpg_validation_error("The parameter cannot be converted to a numeric value");
			dynpg_validation_error("The parameter cannot be converted to a numeric value: %.*s",
								   len > 1000 ? 1000 : len, s);
			break;
	}
	pg_unreachable();
}

void
dynpg_num_parse_or_error(const char *s, int len, DynNumber *out)
{
	DynNumStatus st = dynpg_num_parse(s, len, out);

	if (st != DYN_NUM_OK)
		dynpg_num_report(st, s, len);
}

/*
 * The sortable encoding.  Zero is the single byte 0x02.  A positive number is
 * 0x03, the exponent byte (exp + 129), then one byte per pair of digits
 * (value v in 0..99 stored as v + 1).  A negative number is 0x01, 255 minus
 * the exponent byte, each pair as 254 - v, and a final 0xFF, which sorts
 * after every pair byte so that a shorter negative mantissa (larger value)
 * sorts after a longer one sharing its prefix.
 */
int
dynpg_num_encode(const DynNumber *n, uint8 *buf)
{
	int			pos = 0;
	int			i;
	uint8		ebyte;

	if (n->ndigits == 0)
	{
		buf[0] = 0x02;
		return 1;
	}
	ebyte = (uint8) (n->exp - DYN_NUM_MIN_EXP);
	buf[pos++] = n->neg ? 0x01 : 0x03;
	buf[pos++] = n->neg ? (uint8) (255 - ebyte) : ebyte;
	for (i = 0; i < n->ndigits; i += 2)
	{
		int			v = n->digits[i] * 10 + (i + 1 < n->ndigits ? n->digits[i + 1] : 0);

		buf[pos++] = n->neg ? (uint8) (254 - v) : (uint8) (v + 1);
	}
	if (n->neg)
		buf[pos++] = 0xFF;
	return pos;
}

/*
 * Decode and validate an encoding: false if it is not the canonical encoding
 * of a number in range (so a damaged datum is reported, never trusted).
 */
bool
dynpg_num_decode(const uint8 *buf, int len, DynNumber *out)
{
	int			npairs;
	int			i;
	int			ebyte;

	memset(out, 0, sizeof(*out));
	if (len < 1)
		return false;
	if (buf[0] == 0x02)
		return len == 1;
	if (buf[0] != 0x01 && buf[0] != 0x03)
		return false;
	out->neg = (buf[0] == 0x01);
	if (len < (out->neg ? 4 : 3))
		return false;
	ebyte = out->neg ? 255 - buf[1] : buf[1];
	out->exp = (int16) (ebyte + DYN_NUM_MIN_EXP);
	if (out->exp > DYN_NUM_MAX_EXP)
		return false;
	npairs = len - 2 - (out->neg ? 1 : 0);
	if (npairs < 1 || npairs > (DYN_NUM_MAX_DIGITS + 1) / 2)
		return false;
	if (out->neg && buf[len - 1] != 0xFF)
		return false;
	for (i = 0; i < npairs; i++)
	{
		int			b = buf[2 + i];
		int			v;

		if (out->neg)
		{
			if (b < 155 || b > 254)
				return false;
			v = 254 - b;
		}
		else
		{
			if (b < 1 || b > 100)
				return false;
			v = b - 1;
		}
		out->digits[2 * i] = (uint8) (v / 10);
		out->digits[2 * i + 1] = (uint8) (v % 10);
	}
	out->ndigits = (uint8) (2 * npairs);
	if (out->digits[out->ndigits - 1] == 0)
		out->ndigits--;
	/* canonical: no leading or trailing zero digit */
	if (out->digits[0] == 0 || out->digits[out->ndigits - 1] == 0)
		return false;
	return true;
}

/* Length of the encoding that starts at buf, or -1 if it is not one. */
int
dynpg_num_encoded_size(const uint8 *buf, int len)
{
	int			i;

	if (len < 1)
		return -1;
	if (buf[0] == 0x02)
		return 1;
	if (buf[0] == 0x03)
	{
		for (i = 2; i < len && buf[i] >= 1 && buf[i] <= 100; i++)
			;
		return i > 2 ? i : -1;
	}
	if (buf[0] == 0x01)
	{
		for (i = 2; i < len && buf[i] != 0xFF; i++)
			;
		return (i < len && i > 2) ? i + 1 : -1;
	}
	return -1;
}

/*
 * Canonical text: no exponent, no leading zeros (but "0." before a
 * fraction), no trailing fractional zeros, no '+', no negative zero.
 */
void
dynpg_num_append_text(const DynNumber *n, StringInfo out)
{
	char	   *p;
	int			i;

	/* room for a sign, "0.", the leading or trailing zeros and the digits */
	enlargeStringInfo(out, 3 + n->ndigits + Abs(n->exp));
	p = out->data + out->len;
	if (n->ndigits == 0)
		*p++ = '0';
	else
	{
		if (n->neg)
			*p++ = '-';
		if (n->exp <= 0)
		{
			*p++ = '0';
			*p++ = '.';
			for (i = 0; i < -n->exp; i++)
				*p++ = '0';
			for (i = 0; i < n->ndigits; i++)
				*p++ = (char) ('0' + n->digits[i]);
		}
		else if (n->exp >= n->ndigits)
		{
			for (i = 0; i < n->ndigits; i++)
				*p++ = (char) ('0' + n->digits[i]);
			for (i = n->ndigits; i < n->exp; i++)
				*p++ = '0';
		}
		else
		{
			for (i = 0; i < n->ndigits; i++)
			{
				if (i == n->exp)
					*p++ = '.';
				*p++ = (char) ('0' + n->digits[i]);
			}
		}
	}
	*p = '\0';
	out->len = p - out->data;
}

char *
dynpg_num_to_cstring(const DynNumber *n)
{
	StringInfoData buf;

	initStringInfo(&buf);
	dynpg_num_append_text(n, &buf);
	return buf.data;
}

/*
 * Size in DynamoDB's accounting: one byte of exponent plus one per pair of
 * digits aligned on the decimal point (base 100), plus one for negatives.
 */
int
dynpg_num_size(const DynNumber *n)
{
	int			sci_exp;

	if (n->ndigits == 0)
		return 1;
	sci_exp = n->exp - 1;
	return 1 + (n->ndigits + 1) / 2 +
		((n->ndigits % 2 == 0 && sci_exp % 2 == 0) ? 1 : 0) +
		(n->neg ? 1 : 0);
}

/*
 * Exact a + b (or a - b).  The operands are in range, so the aligned digit
 * strings span at most 38 + 256 + 1 places.
 */
#define ADD_WIDTH (DYN_NUM_MAX_DIGITS + (DYN_NUM_MAX_EXP - DYN_NUM_MIN_EXP) + 4)

DynNumStatus
dynpg_num_add(const DynNumber *a, const DynNumber *b, bool subtract, DynNumber *result)
{
	int			lo;				/* power of ten of the last place */
	int			hi;				/* power of ten of the first place, plus one */
	int			width;
	int			va[ADD_WIDTH];
	int			vb[ADD_WIDTH];
	int			vr[ADD_WIDTH];
	bool		bneg = subtract ? !b->neg : b->neg;
	bool		rneg;
	int			i;
	int			first;
	int			last;
	int			cmp = 0;

	memset(result, 0, sizeof(*result));
	if (a->ndigits == 0 && b->ndigits == 0)
		return DYN_NUM_OK;
	if (b->ndigits == 0)
	{
		*result = *a;
		return DYN_NUM_OK;
	}
	if (a->ndigits == 0)
	{
		*result = *b;
		result->neg = bneg;
		return DYN_NUM_OK;
	}

	/* digit d[i] of x stands for 10^(x->exp - 1 - i) */
	lo = Min(a->exp - a->ndigits, b->exp - b->ndigits);
	hi = Max(a->exp, b->exp) + 1;	/* one spare place for a carry */
	width = hi - lo;
	if (width > ADD_WIDTH)
		elog(ERROR, "dynpg: number addition width %d out of range", width);
	memset(va, 0, sizeof(int) * width);
	memset(vb, 0, sizeof(int) * width);
	/* index 0 is the highest place (10^(hi-1)) */
	for (i = 0; i < a->ndigits; i++)
		va[(hi - 1) - (a->exp - 1 - i)] = a->digits[i];
	for (i = 0; i < b->ndigits; i++)
		vb[(hi - 1) - (b->exp - 1 - i)] = b->digits[i];

	if (a->neg == bneg)
	{
		int			carry = 0;

		for (i = width - 1; i >= 0; i--)
		{
			int			s = va[i] + vb[i] + carry;

			vr[i] = s % 10;
			carry = s / 10;
		}
		Assert(carry == 0);
		rneg = a->neg;
	}
	else
	{
		int		   *big;
		int		   *small;
		int			borrow = 0;

		for (i = 0; i < width && cmp == 0; i++)
			cmp = (va[i] > vb[i]) - (va[i] < vb[i]);
		if (cmp == 0)
			return DYN_NUM_OK;	/* exactly zero */
		big = cmp > 0 ? va : vb;
		small = cmp > 0 ? vb : va;
		rneg = cmp > 0 ? a->neg : bneg;
		for (i = width - 1; i >= 0; i--)
		{
			int			d = big[i] - small[i] - borrow;

			borrow = d < 0;
			vr[i] = d < 0 ? d + 10 : d;
		}
	}

	for (first = 0; first < width && vr[first] == 0; first++)
		;
	if (first == width)
		return DYN_NUM_OK;
	for (last = width - 1; vr[last] == 0; last--)
		;
	{
		int			exp = hi - first;	/* 0.d... * 10^exp, d at place hi-1-first */

		if (exp > DYN_NUM_MAX_EXP)
			return DYN_NUM_OVERFLOW;
		if (exp < DYN_NUM_MIN_EXP)
			return DYN_NUM_UNDERFLOW;
		if (last - first + 1 > DYN_NUM_MAX_DIGITS)
			return DYN_NUM_PRECISION;
		result->neg = rneg;
		result->exp = (int16) exp;
		result->ndigits = (uint8) (last - first + 1);
		for (i = first; i <= last; i++)
			result->digits[i - first] = (uint8) vr[i];
	}
	return DYN_NUM_OK;
}
