/*
 * libFuzzer harness: the item's DynamoDB JSON text parser
 * (src/types/item_json_read.c, through base/dynpg_json.c and
 * types/item_build.c, number.c, base64.c) and its writer
 * (item_json_text.c).
 *
 * Any input is either an item or DynamoDB's exception.  For an item:
 *  - parse -> print -> parse is the identity: the text dynpg writes reads
 *    back (it must not raise) as the very same bytes, and writes the very
 *    same text again;
 *  - the binary form reads back whole: every attribute found by name
 *    (binary search) is the one the walk found at that position, and the
 *    size DynamoDB charges is the same for both items and within 400 KB.
 */
#include "postgres.h"

#include "types/dynpg_item.h"
#include "fuzz_common.h"

static void
fuzz_one(const uint8_t *data, size_t size)
{
	DynItem    *item = dynpg_item_from_text((const char *) data, (int) size);
	DynItem    *again;
	StringInfoData t1,
				t2;
	DynRef		root,
				found;
	DynContainer c;
	int			i;

	fuzz_stage = FUZZ_MUST_NOT_RAISE;
	initStringInfo(&t1);
	dynpg_item_append_text(item, &t1);
	again = dynpg_item_from_text(t1.data, t1.len);
	if (VARSIZE(item) != VARSIZE(again) || memcmp(item, again, VARSIZE(item)) != 0)
		fuzz_fail("item text -> item is not the same item");
	initStringInfo(&t2);
	dynpg_item_append_text(again, &t2);
	if (t1.len != t2.len || memcmp(t1.data, t2.data, t1.len) != 0)
		fuzz_fail("item -> text is not a fixed point");
	if (dynpg_item_size(item) != dynpg_item_size(again) || dynpg_item_size(item) > DYN_MAX_ITEM_SIZE)
		fuzz_fail("item size differs or exceeds 400 KB");
	root = dynpg_item_root(item);
	dynpg_container_open(&root, &c);
	for (i = 0; i < c.count; i++)
	{
		const char *name;
		int32		namelen;
		DynRef		v = dynpg_map_entry(&c, i, &name, &namelen);

		if (!dynpg_map_find(&c, name, namelen, &found) || found.data != v.data ||
			found.type != v.type || found.len != v.len)
			fuzz_fail("an attribute is not found by name where the walk found it");
		if (i > 0)
		{
			const char *prev;
			int32		prevlen;
			int			r;

			(void) dynpg_map_entry(&c, i - 1, &prev, &prevlen);
			r = memcmp(prev, name, Min(prevlen, namelen));
			if (r > 0 || (r == 0 && prevlen >= namelen))
				fuzz_fail("attribute names are not in strictly increasing order");
		}
	}
	fuzz_stage = FUZZ_MAY_RAISE;
}

FUZZ_HARNESS(512 * 1024, false, false)
