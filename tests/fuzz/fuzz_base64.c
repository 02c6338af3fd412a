/*
 * libFuzzer harness: strict base64 for the B type (src/types/base64.c).
 *
 * Properties:
 *  - any input text either decodes or raises DynamoDB's
 *    SerializationException; what decodes is canonical base64, so
 *    encoding the bytes again gives back exactly the input text;
 *  - any input bytes encode to dynpg_base64_encoded_len(n) characters that
 *    decode back to the same bytes.
 */
#include "postgres.h"

#include "types/dynpg_base64.h"
#include "fuzz_common.h"

static void
fuzz_one(const uint8_t *data, size_t size)
{
	StringInfoData enc,
				dec;

	/* bytes -> text -> bytes */
	initStringInfo(&enc);
	dynpg_base64_encode(data, (int) size, &enc);
	if (enc.len != dynpg_base64_encoded_len((int) size))
		fuzz_fail("encoded length is not dynpg_base64_encoded_len");
	fuzz_stage = FUZZ_MUST_NOT_RAISE;
	initStringInfo(&dec);
	dynpg_base64_decode(enc.data, enc.len, &dec);
	if (dec.len != (int) size || memcmp(dec.data, data, size) != 0)
		fuzz_fail("decode(encode(bytes)) is not the bytes");
	fuzz_stage = FUZZ_MAY_RAISE;

	/* text -> bytes -> text */
	resetStringInfo(&dec);
	dynpg_base64_decode((const char *) data, (int) size, &dec);
	resetStringInfo(&enc);
	dynpg_base64_encode((const uint8 *) dec.data, dec.len, &enc);
	if (enc.len != (int) size || memcmp(enc.data, data, size) != 0)
		fuzz_fail("base64 that decodes is not canonical");
}

FUZZ_HARNESS(64 * 1024, false, false)
