/*
 * libFuzzer harness: key encoding (src/types/key.c) with the values it
 * encodes (number.c's parser, base64.c's decoder).
 *
 * The input is a type letter (S, N or B; any other first byte picks one by
 * its value) and two values separated by the first NUL byte: S takes the
 * bytes as they are, N parses them as DynamoDB numbers, B decodes them as
 * base64 (values that do not parse are skipped).  Properties:
 *  - key encoding preserves order: memcmp order of the two encodings (a
 *    shorter common prefix first) is DynamoDB's order of the values:
 *    numbers numerically (compared here from their digits, not their
 *    encodings), strings and binary by their bytes;
 *  - the same holds for storage keys of one partition (the sort key last)
 *    and, since the group encoding is prefix-free, for composite keys
 *    (several HASH attributes) whatever follows them;
 *  - equal values have equal encodings and equal partition hashes, and a
 *    partition key longer than 64 bytes is stored as its SHA-256.
 */
#include "postgres.h"

#include "types/dynpg_base64.h"
#include "types/dynpg_key.h"
#include "fuzz_common.h"
#include "fuzz_compare.h"

/* a value of type t from the input's bytes, false if it does not parse */
static bool
make_value(DynType t, const char *s, int len, DynRef *v, DynNumber *num)
{
	memset(v, 0, sizeof(*v));
	v->type = t;
	if (t == DYN_T_S)
	{
		v->data = (const uint8 *) s;
		v->len = len;
	}
	else if (t == DYN_T_N)
	{
		uint8	   *enc = palloc(DYN_NUM_MAX_ENCODED);

		if (dynpg_num_parse(s, len, num) != DYN_NUM_OK)
			return false;
		v->len = dynpg_num_encode(num, enc);
		v->data = enc;
	}
	else
	{
		StringInfoData b;
		sigjmp_buf *save = PG_exception_stack;
		sigjmp_buf	local;
		volatile bool ok = true;

		initStringInfo(&b);
		/* a base64 error is bad input, not a finding */
		PG_exception_stack = &local;
		if (sigsetjmp(local, 0) == 0)
			dynpg_base64_decode(s, len, &b);
		else
			ok = false;
		PG_exception_stack = save;
		if (!ok)
			return false;
		v->data = (const uint8 *) b.data;
		v->len = b.len;
	}
	return true;
}

static void
fuzz_one(const uint8_t *data, size_t size)
{
	DynType		t;
	const char *s = (const char *) data + 1;
	const char *sep;
	int			alen,
				blen;
	DynRef		a,
				b;
	DynNumber	na,
				nb;
	StringInfoData ea,
				eb;
	int			want,
				got;

	if (size < 1)
		return;
	t = data[0] == 'S' ? DYN_T_S : data[0] == 'N' ? DYN_T_N : data[0] == 'B' ? DYN_T_B :
		(DynType) (DYN_T_S + data[0] % 3);
	sep = memchr(s, '\0', size - 1);
	if (sep == NULL)
		return;
	alen = (int) (sep - s);
	blen = (int) (size - 1 - alen - 1);
	if (!make_value(t, s, alen, &a, &na) || !make_value(t, sep + 1, blen, &b, &nb))
		return;

	initStringInfo(&ea);
	initStringInfo(&eb);
	dynpg_key_encode_value(&a, &ea);
	dynpg_key_encode_value(&b, &eb);
	want = t == DYN_T_N ? fuzz_cmp_num(&na, &nb) : fuzz_bytes_cmp(a.data, a.len, b.data, b.len);
	got = fuzz_bytes_cmp(ea.data, ea.len, eb.data, eb.len);
	if (want != got)
		fuzz_fail("memcmp of key encodings disagrees with DynamoDB's order");
	if (want == 0 && dynpg_partition_hash(&a) != dynpg_partition_hash(&b))
		fuzz_fail("equal values hash differently");

	/* storage keys of one partition: the sort key decides */
	{
		DynKey		ka = {0},
					kb = {0};
		StringInfoData sa,
					sb;
		DynRef		pk;

		memset(&pk, 0, sizeof(pk));
		pk.type = DYN_T_S;
		pk.data = (const uint8 *) "partition";
		pk.len = 9;
		ka.pk = kb.pk = pk;
		ka.sk = a;
		kb.sk = b;
		ka.has_sk = kb.has_sk = true;
		initStringInfo(&sa);
		initStringInfo(&sb);
		dynpg_storage_key(&ka, &sa);
		dynpg_storage_key(&kb, &sb);
		if (fuzz_bytes_cmp(sa.data, sa.len, sb.data, sb.len) != want)
			fuzz_fail("storage keys of one partition are not in sort-key order");

		/* a as the partition key: inline up to 64 bytes, else its digest */
		ka.pk = a;
		ka.has_sk = false;
		resetStringInfo(&sa);
		dynpg_storage_key(&ka, &sa);
		if (sa.len != 1 + 8 + 1 + (ea.len <= DYN_PK_INLINE_MAX ? ea.len : 32) ||
			(ea.len <= DYN_PK_INLINE_MAX && (uint8) sa.data[9] != ea.len) ||
			(ea.len > DYN_PK_INLINE_MAX && (uint8) sa.data[9] != DYN_PK_DIGEST_MARK))
			fuzz_fail("partition-key part has the wrong shape");
	}

	/* composite keys: (a, a) against (b, a), whatever follows */
	{
		DynRef		va[2],
					vb[2],
					ca,
					cb;
		StringInfoData xa,
					xb;

		va[0] = a;
		va[1] = a;
		vb[0] = b;
		vb[1] = a;
		dynpg_key_composite(va, 2, &ca);
		dynpg_key_composite(vb, 2, &cb);
		if (want != 0 && fuzz_bytes_cmp(ca.data, ca.len, cb.data, cb.len) != want)
			fuzz_fail("composite keys are not in the order of their first value");
		if (want == 0 && fuzz_bytes_cmp(ca.data, ca.len, cb.data, cb.len) != 0)
			fuzz_fail("equal composite values encode differently");
		initStringInfo(&xa);
		initStringInfo(&xb);
		dynpg_group_encode(ea.data ? (const uint8 *) ea.data : (const uint8 *) "", ea.len, &xa);
		appendStringInfoString(&xa, "\xff\xff");
		dynpg_group_encode(eb.data ? (const uint8 *) eb.data : (const uint8 *) "", eb.len, &xb);
		if (want != 0 && fuzz_bytes_cmp(xa.data, xa.len, xb.data, xb.len) != want)
			fuzz_fail("the group encoding is not prefix-free and order-preserving");
	}
}

FUZZ_HARNESS(8 * 1024, false, false)
