/*
 * tests/fuzz/fuzz_common.h: what the harnesses that link dynpg's code
 * through pg_shim.c share.
 *
 * A harness defines fuzz_one(data, size), which runs one input and checks
 * its properties, and FUZZ_HARNESS(...) turns it into libFuzzer's entry
 * point: fuzz_one runs under the outermost PG_exception_stack, an ERROR it
 * raises comes back here and is judged, and every palloc'd block is freed
 * after each input.
 *
 * An ERROR is what dynpg answers to bad input, so it is fine -- unless
 *  - it is raised while fuzz_stage is FUZZ_MUST_NOT_RAISE (a harness sets
 *    it around a step that must succeed, e.g. reading back what dynpg
 *    wrote itself), or
 *  - its SQLSTATE is XX000 (an internal error: elog(ERROR), "can't
 *    happen") or XX001 (data corrupted) and the harness did not allow it:
 *    bad input must get DynamoDB's exception, never an internal error.
 * Either aborts, and libFuzzer keeps the input.
 */
#ifndef DYNPG_FUZZ_COMMON_H
#define DYNPG_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "pg_shim.h"

#define FUZZ_MAY_RAISE 0
#define FUZZ_MUST_NOT_RAISE 1

extern volatile int fuzz_stage;
volatile int fuzz_stage;

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property failed: say which, and crash so that libFuzzer keeps the input. */
static void fuzz_fail(const char *what) pg_attribute_noreturn() pg_attribute_unused();
static void
fuzz_fail(const char *what)
{
	fprintf(stderr, "dynpg fuzz property failed: %s\n", what);
	abort();
}

static void
fuzz_judge_error(bool allow_internal, bool allow_corrupt)
{
	int			code = shim_last_sqlstate();

	if (fuzz_stage == FUZZ_MUST_NOT_RAISE)
	{
		fprintf(stderr, "dynpg fuzz: a step that must succeed raised: %s\n", shim_last_message());
		abort();
	}
	if ((code == ERRCODE_INTERNAL_ERROR && !allow_internal) ||
		(code == ERRCODE_DATA_CORRUPTED && !allow_corrupt))
	{
		fprintf(stderr, "dynpg fuzz: internal error on input: %s\n", shim_last_message());
		abort();
	}
}

#define FUZZ_HARNESS(max_size, allow_internal, allow_corrupt) \
int \
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) \
{ \
	sigjmp_buf	jb; \
	if (size > (max_size)) \
		return 0; \
	fuzz_stage = FUZZ_MAY_RAISE; \
	shim_catch(&jb); \
	if (sigsetjmp(jb, 0) == 0) \
		fuzz_one(data, size); \
	else \
		fuzz_judge_error(allow_internal, allow_corrupt); \
	shim_free_all(); \
	return 0; \
}

#endif
