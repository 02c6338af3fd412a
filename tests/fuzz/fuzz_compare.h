/*
 * fuzz_compare.h
 *	  Reference comparisons for the harnesses' order checks (fuzz_key.c,
 *	  fuzz_number.c): DynamoDB's order of numbers computed from their digits,
 *	  knowing nothing of dynpg's encodings, and bytes in memcmp order.
 */
#ifndef FUZZ_COMPARE_H
#define FUZZ_COMPARE_H

#include "types/dynpg_number.h"

/* -1, 0 or 1: the sign of n */
static inline int
fuzz_sign_of(const DynNumber *n)
{
	return n->ndigits == 0 ? 0 : n->neg ? -1 : 1;
}

/* a <=> b as numbers, from their normalized digits and exponents */
static inline int
fuzz_cmp_num(const DynNumber *a, const DynNumber *b)
{
	int			sa = fuzz_sign_of(a),
				sb = fuzz_sign_of(b);
	int			r = 0;
	int			i;

	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (sa == 0)
		return 0;
	if (a->exp != b->exp)
		r = a->exp < b->exp ? -1 : 1;
	else
	{
		for (i = 0; i < a->ndigits && i < b->ndigits && r == 0; i++)
			r = (a->digits[i] > b->digits[i]) - (a->digits[i] < b->digits[i]);
		if (r == 0)
			r = (a->ndigits > b->ndigits) - (a->ndigits < b->ndigits);
	}
	return sa < 0 ? -r : r;
}

/* a <=> b as byte strings (memcmp, then the shorter first) */
static inline int
fuzz_bytes_cmp(const void *a, int alen, const void *b, int blen)
{
	int			r = memcmp(a, b, Min(alen, blen));

	if (r != 0)
		return r < 0 ? -1 : 1;
	return (alen > blen) - (alen < blen);
}

#endif
