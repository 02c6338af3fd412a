/*
 * libFuzzer harness: the item's binary form (src/types/item.c's readers,
 * item_json_text.c's walk, item_build.c's tree of a stored value).
 *
 * The input's bytes are taken as a stored dynpg.item, as a damaged page or
 * a corrupt TOAST value would hand them to a read, dynpg.verify's index
 * check or dynpg.item's output function: decoding them must never crash
 * or read outside the datum.  Every reader runs on them: the DynamoDB JSON
 * text of the whole item (the deepest walk), DynamoDB's size (checked
 * against the sum of each attribute's dynpg_value_size), attribute
 * lookups by name (binary search) and by document path, a table's key
 * (pk S, sk N) and its storage key, and the tree form rebuilt and
 * serialized again.  Damage may only be reported as "dynpg.item is
 * corrupted" (XX001) or as DynamoDB's exceptions; what the walk accepts
 * must also serialize again to an item that reads back.
 */
#include "postgres.h"

#include "types/dynpg_item.h"
#include "types/dynpg_key.h"
#include "fuzz_common.h"

static const char *const paths[] = {"a", "a.b", "a[0]", "a[1].b", "l[0][0]", "m.m.m", NULL};

static void
fuzz_one(const uint8_t *data, size_t size)
{
	DynItem    *item = palloc(size + VARHDRSZ);
	StringInfoData text;
	DynKeySchema ks = {"pk", 2, DYN_T_S, "sk", 2, DYN_T_N};
	DynRef		root,
				v;
	DynContainer c;
	int			i;
	int64		isize;
	int64		walked = 0;

	SET_VARSIZE(item, size + VARHDRSZ);
	memcpy(VARDATA(item), data, size);

	/* DynamoDB's size first: its walk is the first to meet damage */
	isize = dynpg_item_size(item);
	initStringInfo(&text);
	dynpg_item_append_text(item, &text);
	root = dynpg_item_root(item);
	dynpg_container_open(&root, &c);
	for (i = 0; i < c.count; i++)
	{
		const char *name;
		int32		namelen;

		v = dynpg_map_entry(&c, i, &name, &namelen);
		walked += namelen + dynpg_value_size(&v);
		(void) dynpg_map_find(&c, name, namelen, &v);
	}
	/* dynpg_item_size walks the top level its own way: the same sum */
	if (walked != isize)
		fuzz_fail("dynpg_item_size differs from the sum of its attributes' sizes");
	for (i = 0; paths[i] != NULL; i++)
	{
		DynPathElem *elems;
		int			n = dynpg_path_parse(paths[i], &elems);

		if (dynpg_path_lookup(item, elems, n, &v))
		{
			StringInfoData vt;

			initStringInfo(&vt);
			dynpg_value_append_text(&v, &vt);
		}
	}

	{
		DynBuildValue *tree = dynpg_build_from_ref(&root);
		DynItem    *again;
		StringInfoData t2;

		(void) dynpg_item_finish(tree);
		again = dynpg_item_serialize(tree);
		fuzz_stage = FUZZ_MUST_NOT_RAISE;
		initStringInfo(&t2);
		dynpg_item_append_text(again, &t2);
		fuzz_stage = FUZZ_MAY_RAISE;
	}

	{
		DynKey		key;
		StringInfoData sk;

		dynpg_key_from_item(item, &ks, &key);
		initStringInfo(&sk);
		dynpg_storage_key(&key, &sk);
		(void) dynpg_partition_hash(&key.pk);
	}
}

FUZZ_HARNESS(256 * 1024, false, true)
