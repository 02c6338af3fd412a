/*
 * libFuzzer harness: the request JSON parser and writer (src/base/dynpg_json.c),
 * linked with tests/fuzz/pg_shim.c instead of the server.
 *
 * Any input either parses or raises an ERROR (caught, as the HTTP worker's
 * transaction would); what parses must write back as JSON that parses to a
 * tree writing the very same text (writing is a fixed point), and its
 * canonical form (members in jsonb's order, one per name) must be a fixed
 * point too.  Depth beyond DYN_JSON_MAX_DEPTH must be refused before the
 * stack grows with it.
 */
#include "postgres.h"

#include <stdint.h>
#include <stdlib.h>

#include "base/dynpg_json.h"
#include "pg_shim.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
write_twice(const DynJson *j, bool canonical)
{
	StringInfoData a,
				b;
	DynJson    *again;

	initStringInfo(&a);
	if (canonical)
		dynpg_json_write_canonical(&a, j, NULL);
	else
		dynpg_json_write(&a, j, NULL);
	again = dynpg_json_parse(a.data, a.len);	/* must not raise */
	initStringInfo(&b);
	if (canonical)
		dynpg_json_write_canonical(&b, again, NULL);
	else
		dynpg_json_write(&b, again, NULL);
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sigjmp_buf	jb;
	volatile int stage = 0;

	if (size > 1024 * 1024)
		return 0;
	shim_catch(&jb);
	if (sigsetjmp(jb, 0) == 0)
	{
		DynJson    *j = dynpg_json_parse((const char *) data, (int) size);

		stage = 1;
		(void) dynpg_json_count(j);
		write_twice(j, false);
		write_twice(j, true);
	}
	else if (stage != 0)
		abort();				/* what parsed once raised when written back */
	shim_free_all();
	return 0;
}
