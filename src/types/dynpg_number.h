/*-------------------------------------------------------------------------
 *
 * dynpg_number.h
 *	  DynamoDB numbers: exact decimals of at most 38 significant digits.
 *
 * A number is held as sign, digits and exponent:
 *		value = (neg ? -1 : 1) * 0.d[0]d[1]...d[n-1] * 10^exp
 * with d[0] != 0 and d[n-1] != 0 (no leading or trailing zeros), so every
 * value has exactly one representation.  Zero has ndigits = 0, exp = 0 and
 * neg = false.  DynamoDB's range, 1E-130 to 9.99...9E+125 in magnitude,
 * is exp in [-129, 126].
 *
 * The sortable encoding (dynpg_num_encode) is what items and keys store:
 * memcmp order of two encodings equals numeric order, and equal values have
 * equal encodings.  README in this directory gives its layout.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_NUMBER_H
#define DYNPG_NUMBER_H

#include "lib/stringinfo.h"

#define DYN_NUM_MAX_DIGITS	38
#define DYN_NUM_MIN_EXP		(-129)
#define DYN_NUM_MAX_EXP		126
/* sign byte + exponent byte + 19 digit-pair bytes + terminator */
#define DYN_NUM_MAX_ENCODED 22

typedef struct DynNumber
{
	bool		neg;
	int16		exp;
	uint8		ndigits;
	uint8		digits[DYN_NUM_MAX_DIGITS];
} DynNumber;

typedef enum DynNumStatus
{
	DYN_NUM_OK = 0,
	DYN_NUM_INVALID,			/* not a number at all */
	DYN_NUM_OVERFLOW,
	DYN_NUM_UNDERFLOW,
	DYN_NUM_PRECISION			/* more than 38 significant digits */
} DynNumStatus;

extern DynNumStatus dynpg_num_parse(const char *s, int len, DynNumber *out);
extern void dynpg_num_parse_or_error(const char *s, int len, DynNumber *out);
extern void dynpg_num_report(DynNumStatus status, const char *s, int len) pg_attribute_noreturn();

extern int	dynpg_num_encode(const DynNumber *n, uint8 *buf);
extern bool dynpg_num_decode(const uint8 *buf, int len, DynNumber *out);
extern void dynpg_num_append_text(const DynNumber *n, StringInfo out);
extern char *dynpg_num_to_cstring(const DynNumber *n);
extern int	dynpg_num_size(const DynNumber *n);
extern int	dynpg_num_encoded_size(const uint8 *buf, int len);
extern DynNumStatus dynpg_num_add(const DynNumber *a, const DynNumber *b,
								  bool subtract, DynNumber *result);

#endif							/* DYNPG_NUMBER_H */
