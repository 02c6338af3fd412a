/*-------------------------------------------------------------------------
 *
 * btinsert.c
 *	  Inserting into the dynpg B-tree: leaf inserts, page splits at every
 *	  level, downlink insertion, new roots, and finishing incomplete splits.
 *
 * WAL: every page change here is one record.  The two common single-page
 * changes are records of dynpg's own resource manager (btxlog.c), because a
 * generic record of an insert diffs most of the page:
 *	- INSERT: a leaf tuple added to a leaf with room (insert_on_page without
 *	  a child to complete, i.e. from dynpg_bt_insert_leaf);
 *	- REPLACE: dynpg_bt_replace_leaf's xmax on the old version and the new
 *	  version beside it, on one leaf.
 * Everything else is one GenericXLog record of at most four pages:
 *	- downlink insert that fits: the parent and the child whose split it
 *	  completes (its flag cleared);
 *	- split: the left page (a leaf changed in place, an internal page
 *	  rebuilt), the new right page (a full image), the old right sibling (its
 *	  left-link) and, on internal levels, the child whose split it completes;
 *	- shift: a full leaf, its right sibling and their parent (shift_right);
 *	- new root: the new root (a full image), the old root and the metapage.
 * (SET_XMAX, a version marked deleted on its own, is btversion.c's; pruning
 * a full leaf before its split is btvacuum.c's: a PRUNE_CONFLICT record
 * when it removes versions, and a generic record of the leaf.)
 * A split leaves DYN_BT_INCOMPLETE_SPLIT on its left page until the
 * downlink to the right page is in the parent; the record that inserts the
 * downlink clears it.  If we crash in between, searches still find
 * everything by moving right, and the next insert that lands on the flagged
 * page finishes the split first (README, "Incomplete splits").
 *
 * Lock order is left to right within a level and bottom-up between levels
 * (a child stays locked while its parent is changed); descents hold one
 * lock at a time, so they cannot deadlock with this.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "access/xlog.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "storage/bufmgr.h"
#include "utils/snapmgr.h"

#include "storage/dynpg_bt.h"
#include "storage/dynpg_xlog.h"

static void insert_on_page(Relation rel, Buffer buf, DynBtStack stack,
						   char *tuple, Size tuplesz, OffsetNumber off, Buffer cbuf);
static void insert_parent(Relation rel, Buffer lbuf, Buffer rbuf, DynBtStack stack);

/*
 * Test hook (GUC dynpg.debug_split_panic): PANIC right after the split
 * record of a leaf (1) or internal page (2), before the new-root record
 * (3), or after splitting a full right sibling for a shift, before its
 * downlink and the shift (4), so crash tests can stop between the records
 * of a split.
 */
int			dynpg_debug_split_panic = 0;

static void
split_panic_point(int point)
{
	if (dynpg_debug_split_panic == point)
	{
		/* make what came before durable, so recovery replays up to here */
		XLogFlush(XactLastRecEnd);
		elog(PANIC, "dynpg: debug PANIC at split step %d", point);
	}
}

/*
 * Insert one leaf tuple: header, key, payload.  The caller has made sure
 * the (key, VID) pair is new.
 */
void
dynpg_bt_insert_leaf(Relation rel, const uint8 *key, uint16 keylen,
					 const DynBtLeafTupleData *hdr,
					 const void *payload, Size payloadlen)
{
	Size		tuplesz = DYN_BT_LEAF_HDRSZ + keylen + payloadlen;
	char	   *tuple;
	DynBtLeafTupleData h;
	DynBtKey	skey;
	List	   *toast = NIL;

	if (keylen > DYN_BT_MAX_KEY_SIZE || tuplesz > DYN_BT_MAX_TUPLE_SIZE)
		elog(ERROR, "dynpg: leaf tuple of %zu bytes (key %u) exceeds the maximum of %zu",
			 tuplesz, keylen, (Size) DYN_BT_MAX_TUPLE_SIZE);
	/* memcpy, not assignment: the padding goes to disk and WAL too */
	memcpy(&h, hdr, sizeof(h));
	h.keylen = keylen;
	tuple = palloc(tuplesz);
	memcpy(tuple, &h, DYN_BT_LEAF_HDRSZ);
	memcpy(tuple + DYN_BT_LEAF_HDRSZ, key, keylen);
	if (payloadlen > 0)
		memcpy(tuple + DYN_BT_LEAF_HDRSZ + keylen, payload, payloadlen);

	skey.key = key;
	skey.keylen = keylen;
	skey.vid = h.vid;

	for (;;)
	{
		Buffer		buf;
		DynBtStack	stack = dynpg_bt_search_ext(rel, &skey, 0, &buf, BUFFER_LOCK_EXCLUSIVE, true);
		Page		page = BufferGetPage(buf);
		DynBtPageOpaque op = DynBtPageGetOpaque(page);

		if (DYN_BT_INCOMPLETE(op))
		{
			/* finish the interrupted split first, then search again */
			dynpg_bt_finish_split(rel, buf, stack);
			continue;
		}
		/*
		 * Before splitting a full leaf, remove the versions nobody can see
		 * any more (a hot key's old versions), as heap prunes a full page.
		 */
		if (PageGetFreeSpace(page) < MAXALIGN(tuplesz))
		{
			DynBtVacuumStats stats;
			TransactionId min_xid = InvalidTransactionId;

			memset(&stats, 0, sizeof(stats));
			(void) dynpg_bt_prune_leaf(rel, buf, InvalidTransactionId, GlobalVisTestFor(rel),
									   &stats, &min_xid, &toast);
		}
		insert_on_page(rel, buf, stack, tuple, tuplesz, dynpg_bt_binsrch(page, &skey),
					   InvalidBuffer);
		break;
	}
	pfree(tuple);
	if (toast != NIL)
	{
		dynpg_bt_delete_toast(rel, toast);
		list_free_deep(toast);
	}
}

/*
 * Replace version (key, old_vid) by a new one in one step when both fit on
 * one leaf: mark the old one deleted by xmax/cmax and insert the new tuple
 * (header 'hdr', the payload) under one exclusive lock and one WAL record.
 * 'hint' is the block the caller last saw the old version on: tried first,
 * it saves the descent.  Returns false, having changed nothing, when the
 * new tuple does not fit there or the old version is elsewhere; the caller
 * then does dynpg_bt_set_xmax and dynpg_bt_insert_leaf.  The caller holds
 * the key, as for those.
 */
bool
dynpg_bt_replace_leaf(Relation rel, const uint8 *key, uint16 keylen, uint64 old_vid,
					  BlockNumber hint, TransactionId xmax, CommandId cmax,
					  const DynBtLeafTupleData *hdr, const void *payload, Size payloadlen)
{
	Size		tuplesz = DYN_BT_LEAF_HDRSZ + keylen + payloadlen;
	DynBtLeafTupleData h;
	DynBtKey	newk = {key, keylen, hdr->vid};
	DynBtKey	oldk = {key, keylen, old_vid};
	Buffer		buf = InvalidBuffer;
	int			attempt;
	bool		done = false;

	if (keylen > DYN_BT_MAX_KEY_SIZE || tuplesz > DYN_BT_MAX_TUPLE_SIZE)
		return false;
	memcpy(&h, hdr, sizeof(h));
	h.keylen = keylen;
	for (attempt = 0; attempt < 2 && !done; attempt++)
	{
		Page		page;
		DynBtPageOpaque op;
		OffsetNumber maxoff;
		OffsetNumber off_old;
		OffsetNumber off_new;
		DynBtKey	ik;

		if (attempt == 0)
		{
			/* the hinted leaf, if it still is one that holds the old version */
			if (hint == InvalidBlockNumber || hint == DYN_BT_METAPAGE ||
				hint >= RelationGetNumberOfBlocks(rel))
				continue;
			buf = dynpg_bt_getbuf(rel, hint, BUFFER_LOCK_EXCLUSIVE);
		}
		else
		{
			DynBtStack	stack = dynpg_bt_search_ext(rel, &newk, 0, &buf, BUFFER_LOCK_EXCLUSIVE, true);

			while (stack != NULL)
			{
				DynBtStack	parent = stack->parent;

				pfree(stack);
				stack = parent;
			}
		}
		page = BufferGetPage(buf);
		op = DynBtPageGetOpaque(page);
		maxoff = PageGetMaxOffsetNumber(page);
		if (!DYN_BT_IS_LEAF(op) || DYN_BT_IS_DELETED(op) || DYN_BT_INCOMPLETE(op) ||
			PageGetFreeSpace(page) < MAXALIGN(tuplesz))
		{
			UnlockReleaseBuffer(buf);
			continue;
		}
		/* the new key must belong here: below the high key ... */
		if (!DYN_BT_IS_RIGHTMOST(op))
		{
			dynpg_bt_item_key(page, DYN_BT_HIKEY, false, &ik);
			if (dynpg_bt_compare(&newk, &ik) >= 0)
			{
				UnlockReleaseBuffer(buf);
				continue;
			}
		}
		off_old = dynpg_bt_binsrch(page, &oldk);
		off_new = dynpg_bt_binsrch(page, &newk);
		if (off_old < DYN_BT_FIRSTDATA(op) || off_old > maxoff)
		{
			UnlockReleaseBuffer(buf);
			continue;
		}
		dynpg_bt_item_key(page, off_old, true, &ik);
		/* ... and, unless leftmost, above an item of the page (so above its low key) */
		if (dynpg_bt_compare(&ik, &oldk) != 0 ||
			(attempt == 0 && off_new <= DYN_BT_FIRSTDATA(op) && op->left != DYN_BT_NONE))
		{
			UnlockReleaseBuffer(buf);
			continue;
		}
		{
			char	   *tuple = palloc(tuplesz);

			memcpy(tuple, &h, DYN_BT_LEAF_HDRSZ);
			memcpy(tuple + DYN_BT_LEAF_HDRSZ, key, keylen);
			if (payloadlen > 0)
				memcpy(tuple + DYN_BT_LEAF_HDRSZ + keylen, payload, payloadlen);
			dynpg_xlog_replace(rel, buf, off_old, xmax, cmax, off_new, tuple, tuplesz);
			pfree(tuple);
		}
		UnlockReleaseBuffer(buf);
		done = true;
	}
	return done;
}

/* A high key or downlink: internal format. */
static char *
make_internal_tuple(const DynBtKey *key, BlockNumber child, uint16 flags, Size *size)
{
	DynBtInternalTupleData hdr;
	char	   *t;

	memset(&hdr, 0, sizeof(hdr));
	hdr.vid = key->vid;
	hdr.child = child;
	hdr.keylen = (flags & DYN_BT_MINUS_INF) ? 0 : key->keylen;
	hdr.flags = flags;
	*size = DYN_BT_INTERNAL_HDRSZ + hdr.keylen;
	t = palloc(*size);
	memcpy(t, &hdr, DYN_BT_INTERNAL_HDRSZ);
	if (hdr.keylen > 0)
		memcpy(t + DYN_BT_INTERNAL_HDRSZ, key->key, hdr.keylen);
	return t;
}

static void
add_item(Page page, char *item, Size size, OffsetNumber off)
{
	DYN_BT_CHECK_DEFINED(item, size);
	if (PageAddItem(page, (Item) item, size, off, false, false) != off)
		elog(PANIC, "dynpg: failed to add an item of %zu bytes at offset %u", size, off);
}

/* One item of a page being split: where its bytes are. */
typedef struct SplitItem
{
	char	   *data;
	Size		size;
} SplitItem;

/* The partition part of leaf item i's key, and its length (-1: none). */
static int
item_partition(const SplitItem *items, int i, const uint8 **key, int *keylen)
{
	DynBtLeafTupleData h;

	memcpy(&h, items[i].data, DYN_BT_LEAF_HDRSZ);
	*key = (const uint8 *) items[i].data + DYN_BT_LEAF_HDRSZ;
	*keylen = h.keylen;
	return dynpg_bt_partition_len(*key, *keylen);
}

static bool
same_partition(const SplitItem *items, int a, int b)
{
	const uint8 *ka;
	const uint8 *kb;
	int			la;
	int			lb;
	int			pa = item_partition(items, a, &ka, &la);
	int			pb = item_partition(items, b, &kb, &lb);

	return pa > 0 && pa == pb && memcmp(ka, kb, pa) == 0;
}

/* Whether items [0, k) and the high key that split gives (item k's key) fit in a page. */
static bool
left_fits(const SplitItem *items, int k, Size leftbytes)
{
	const uint8 *key;
	int			keylen;
	Size		usable = BLCKSZ - SizeOfPageHeaderData - MAXALIGN(sizeof(DynBtPageOpaqueData));

	(void) item_partition(items, k, &key, &keylen);
	return leftbytes + MAXALIGN(DYN_BT_INTERNAL_HDRSZ + keylen) + sizeof(ItemIdData) <= usable;
}

/*
 * Whether the new item (index 'newidx' of the items of full leaf 'page'
 * with it in place) extends its partition at the end: a partition with sort
 * keys that already had items before the new one, and none after it, on
 * the page or to its right (the page's high key is not in the partition).
 * Keys that arrive in no particular order within a partition also land
 * after their partition's last item on a page now and then; the high key
 * tells those apart when the partition goes on to the right.
 */
static bool
extends_partition(Page page, const SplitItem *items, int n, int newidx)
{
	DynBtPageOpaque op = DynBtPageGetOpaque(page);
	const uint8 *key;
	int			keylen;
	int			plen = item_partition(items, newidx, &key, &keylen);

	if (plen < 0 || keylen == plen || newidx == 0 || !same_partition(items, newidx - 1, newidx))
		return false;
	if (newidx + 1 < n)
		return !same_partition(items, newidx, newidx + 1);
	if (!DYN_BT_IS_RIGHTMOST(op))
	{
		DynBtKey	hk;

		dynpg_bt_item_key(page, DYN_BT_HIKEY, false, &hk);
		if (dynpg_bt_partition_len(hk.key, hk.keylen) == plen &&
			memcmp(hk.key, key, plen) == 0)
			return false;
	}
	return true;
}

/*
 * Where to split a full leaf when the new item (at index 'newidx' of the
 * page's items with the new one in place) extends its partition at the end:
 * DynamoDB tables often grow a partition in sort-key order (timestamps,
 * counters), and a split in the middle would leave every left half of such
 * a partition half empty for good.  As nbtree does for inserts at the right
 * end of an index, the left page then keeps about 90% of the bytes, or, if
 * other partitions follow on the page, everything up to the new item (when
 * that keeps at least half).  Otherwise 'k', the middle.
 */
static int
append_split_point(Page page, const SplitItem *items, int n, int newidx, Size total, int k)
{
	Size		acc = 0;
	int			i;

	if (!extends_partition(page, items, n, newidx))
		return k;
	if (newidx + 1 < n)
	{
		/* the new item is its partition's last on the page, and others follow */
		for (i = 0; i <= newidx; i++)
			acc += MAXALIGN(items[i].size) + sizeof(ItemIdData);
		if (acc >= total / 2 && left_fits(items, newidx + 1, acc))
			return newidx + 1;
		return k;
	}
	/* the new item is the page's last: keep about 90% on the left */
	for (i = 0; i < n - 1; i++)
	{
		Size		next = acc + MAXALIGN(items[i].size) + sizeof(ItemIdData);

		if (next > total / 10 * 9 || !left_fits(items, i + 1, next))
			break;
		acc = next;
	}
	/* items [0, i) go left: at least one, and the new item always goes right */
	return i < 1 ? k : i;
}

/* The (key, VID) of split item i (leaf or internal format), in place. */
static void
split_item_key(const SplitItem *items, int i, bool leaf, DynBtKey *key)
{
	if (leaf)
	{
		DynBtLeafTupleData h;

		memcpy(&h, items[i].data, DYN_BT_LEAF_HDRSZ);
		key->key = (const uint8 *) items[i].data + DYN_BT_LEAF_HDRSZ;
		key->keylen = h.keylen;
		key->vid = h.vid;
	}
	else
	{
		DynBtInternalTupleData h;

		memcpy(&h, items[i].data, DYN_BT_INTERNAL_HDRSZ);
		key->key = (const uint8 *) items[i].data + DYN_BT_INTERNAL_HDRSZ;
		key->keylen = h.keylen;
		key->vid = h.vid;
	}
}

/* The key length of split item i (leaf or internal format). */
static int
split_item_keylen(const SplitItem *items, int i, bool leaf)
{
	DynBtKey	k;

	split_item_key(items, i, leaf, &k);
	return k.keylen;
}

/*
 * Whether splitting before item k (items [0, k) left) fits both pages: the
 * left one with the high key k's key makes, the right one with the
 * original page's high key ('orig_hikey' bytes with its line pointer, 0 on
 * the rightmost page) and, on an internal level, item k turned into the
 * minus-infinity downlink.  With keys up to DYN_BT_MAX_KEY_SIZE a split in
 * the middle of the bytes does not always fit: a high key is nearly as
 * large as an item.
 */
static bool
split_fits(const SplitItem *items, int n, int k, bool leaf, Size orig_hikey)
{
	Size		usable = BLCKSZ - SizeOfPageHeaderData - MAXALIGN(sizeof(DynBtPageOpaqueData));
	Size		left = 0;
	Size		right = orig_hikey;
	int			i;

	if (k < 1 || k > n - 1)
		return false;
	for (i = 0; i < n; i++)
	{
		Size		sz = MAXALIGN(items[i].size) + sizeof(ItemIdData);

		if (i < k)
			left += sz;
		else if (i == k && !leaf)
			right += MAXALIGN(DYN_BT_INTERNAL_HDRSZ) + sizeof(ItemIdData);
		else
			right += sz;
	}
	left += MAXALIGN(DYN_BT_INTERNAL_HDRSZ + split_item_keylen(items, k, leaf)) + sizeof(ItemIdData);
	return left <= usable && right <= usable;
}

/*
 * The data items of the page in 'buf' with 'tuple' in its place at
 * 'newoff' (none when 'tuple' is NULL), in order; their count in *np.
 */
static SplitItem *
page_items(Buffer buf, char *tuple, Size tuplesz, OffsetNumber newoff, int *np)
{
	Page		page = BufferGetPage(buf);
	OffsetNumber firstdata = DYN_BT_FIRSTDATA(DynBtPageGetOpaque(page));
	OffsetNumber maxoff = PageGetMaxOffsetNumber(page);
	int			nitems = maxoff - firstdata + 1 + (tuple != NULL ? 1 : 0);
	SplitItem  *items = palloc(sizeof(SplitItem) * Max(nitems, 1));
	OffsetNumber off;
	int			n = 0;

	for (off = firstdata; off <= maxoff + 1; off++)
	{
		if (tuple != NULL && off == newoff)
		{
			items[n].data = tuple;
			items[n].size = tuplesz;
			n++;
		}
		if (off <= maxoff)
		{
			ItemId		iid = PageGetItemId(page, off);

			if (!dynpg_bt_itemid_sane(iid))
				ereport(ERROR,
						(errcode(ERRCODE_INDEX_CORRUPTED),
						 errmsg("dynpg: damaged line pointer at block %u offset %u",
								BufferGetBlockNumber(buf), off)));
			items[n].data = PageGetItem(page, iid);
			items[n].size = ItemIdGetLength(iid);
			n++;
		}
	}
	if (n != nitems)
		elog(ERROR, "dynpg: block %u: %d items where %d were expected",
			 BufferGetBlockNumber(buf), n, nitems);
	*np = n;
	return items;
}

/* Bytes items [from, to) take on a page, line pointers included. */
static Size
items_bytes(const SplitItem *items, int from, int to)
{
	Size		sz = 0;
	int			i;

	for (i = from; i < to; i++)
		sz += MAXALIGN(items[i].size) + sizeof(ItemIdData);
	return sz;
}

/*
 * Turn leaf 'page' (a GenericXLog copy of the page 'items' were read from,
 * its data starting at 'first') into its first 'k' items under 'hikey', in
 * place: the line pointers of items [k, n) go (they are the page's last),
 * the space is compacted, the high key is replaced (or added, on a page
 * that was the rightmost), and 'tuple', item 'newidx' of 'items', is added
 * if it stays.  A record of the changes, unlike one of a page rebuilt in
 * key order, leaves out the tuples that did not move on the page.  Returns
 * false if a change did not fit (checked by the caller before).
 */
static bool
keep_first_items(Page page, OffsetNumber first, int n, int newidx, int k,
				 char *hikey, Size hikeysz, char *tuple, Size tuplesz)
{
	OffsetNumber *del = palloc(sizeof(OffsetNumber) * Max(n, 1));
	int			ndel = 0;
	int			i;

	for (i = k; i < n; i++)
		if (tuple == NULL || i != newidx)
			del[ndel++] = first + (tuple != NULL && i > newidx ? i - 1 : i);
	if (ndel > 0)
		PageIndexMultiDelete(page, del, ndel);
	pfree(del);
	DYN_BT_CHECK_DEFINED(hikey, hikeysz);
	if (first == DYN_BT_HIKEY + 1)
	{
		if (!PageIndexTupleOverwrite(page, DYN_BT_HIKEY, (Item) hikey, hikeysz))
			return false;
	}
	else if (PageAddItem(page, (Item) hikey, hikeysz, DYN_BT_HIKEY, false, false) != DYN_BT_HIKEY)
		return false;
	if (tuple != NULL && newidx < k)
	{
		OffsetNumber off = DYN_BT_HIKEY + 1 + newidx;

		DYN_BT_CHECK_DEFINED(tuple, tuplesz);
		if (PageAddItem(page, (Item) tuple, tuplesz, off, false, false) != off)
			return false;
	}
	return true;
}

/*
 * Split the page in 'buf' to make room for 'tuple' at 'newoff' (or, with
 * 'tuple' NULL, only to split it), and return the new right page,
 * exclusively locked; 'buf' stays locked and carries
 * DYN_BT_INCOMPLETE_SPLIT.  'cbuf', if valid, is a child whose split this
 * insertion completes: its flag is cleared in the same record.  The left
 * page keeps about 'left_target' bytes of items, or, with 0, half of them
 * (or more when a partition grows at its end: append_split_point).
 */
static Buffer
split_page(Relation rel, Buffer buf, char *tuple, Size tuplesz, OffsetNumber newoff,
		   Buffer cbuf, Size left_target)
{
	Page		origpage = BufferGetPage(buf);
	DynBtPageOpaque oop = DynBtPageGetOpaque(origpage);
	bool		leaf = DYN_BT_IS_LEAF(oop);
	OffsetNumber firstdata = DYN_BT_FIRSTDATA(oop);
	SplitItem  *items;
	Size		total = 0;
	Size		acc = 0;
	int			i;
	int			n = 0;
	int			k;
	PGAlignedBlock lpage;
	PGAlignedBlock rpage;
	DynBtPageOpaque lop;
	DynBtPageOpaque rop;
	Buffer		rbuf;
	Buffer		sbuf = InvalidBuffer;
	BlockNumber origblk = BufferGetBlockNumber(buf);
	BlockNumber rblk;
	DynBtKey	sepkey;
	char	   *hikey;
	Size		hikeysz;
	GenericXLogState *state;
	Page		p;

	/* the page's data items with the new one in its place */
	items = page_items(buf, tuple, tuplesz, newoff, &n);
	if (n < 2)
		elog(ERROR, "dynpg: cannot split a page of %d items", n);
	total = items_bytes(items, 0, n);
	if (left_target == 0)
		left_target = total / 2;

	/* split where the left half reaches its target; both halves non-empty */
	for (k = 0; k < n - 1; k++)
	{
		acc += MAXALIGN(items[k].size) + sizeof(ItemIdData);
		if (acc >= left_target)
			break;
	}
	k++;						/* items [0, k) go left */
	if (k >= n)
		k = n - 1;
	if (leaf && tuple != NULL)
		k = append_split_point(origpage, items, n, newoff - firstdata, total, k);
	{
		Size		orig_hikey = 0;
		int			d;

		if (!DYN_BT_IS_RIGHTMOST(oop))
			orig_hikey = MAXALIGN(ItemIdGetLength(PageGetItemId(origpage, DYN_BT_HIKEY))) +
				sizeof(ItemIdData);
		/* the chosen point, else the nearest that fits both halves */
		for (d = 0; d < n; d++)
		{
			if (split_fits(items, n, k - d, leaf, orig_hikey))
			{
				k -= d;
				break;
			}
			if (d > 0 && split_fits(items, n, k + d, leaf, orig_hikey))
			{
				k += d;
				break;
			}
		}
		if (d == n)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("dynpg: no split of block %u of \"%s\" fits both halves",
							origblk, RelationGetRelationName(rel))));
	}

	/* the separator: the first right item's key */
	split_item_key(items, k, leaf, &sepkey);
	hikey = make_internal_tuple(&sepkey, DYN_BT_NONE, 0, &hikeysz);

	rbuf = dynpg_bt_newbuf(rel);
	rblk = BufferGetBlockNumber(rbuf);
	if (!DYN_BT_IS_RIGHTMOST(oop))
		sbuf = dynpg_bt_getbuf(rel, oop->right, BUFFER_LOCK_EXCLUSIVE);

	/*
	 * left: the original page's place in the level, flagged incomplete.  An
	 * internal page is rebuilt here; a leaf is changed in place below
	 * (keep_first_items), which logs less.
	 */
	if (!leaf)
	{
		dynpg_bt_init_page(lpage.data, oop->level,
						   (oop->flags & ~(DYN_BT_ROOT | DYN_BT_BULK)) | DYN_BT_INCOMPLETE_SPLIT);
		lop = DynBtPageGetOpaque(lpage.data);
		lop->left = oop->left;
		lop->right = rblk;
		add_item(lpage.data, hikey, hikeysz, DYN_BT_HIKEY);
		for (i = 0; i < k; i++)
			add_item(lpage.data, items[i].data, items[i].size,
					 PageGetMaxOffsetNumber(lpage.data) + 1);
		DYN_BT_CHECK_PAGE_DEFINED(lpage.data);
	}

	/* right: the original's high key and right sibling */
	dynpg_bt_init_page(rpage.data, oop->level,
					   oop->flags & ~(DYN_BT_ROOT | DYN_BT_INCOMPLETE_SPLIT | DYN_BT_BULK));
	rop = DynBtPageGetOpaque(rpage.data);
	rop->left = origblk;
	rop->right = oop->right;
	if (!DYN_BT_IS_RIGHTMOST(oop))
	{
		ItemId		iid = PageGetItemId(origpage, DYN_BT_HIKEY);

		add_item(rpage.data, PageGetItem(origpage, iid), ItemIdGetLength(iid), DYN_BT_HIKEY);
	}
	for (i = k; i < n; i++)
	{
		if (i == k && !leaf)
		{
			/* the first downlink of an internal page is minus infinity */
			DynBtInternalTupleData h;
			char	   *minf;
			Size		minfsz;

			memcpy(&h, items[i].data, DYN_BT_INTERNAL_HDRSZ);
			minf = make_internal_tuple(&sepkey, h.child, DYN_BT_MINUS_INF, &minfsz);
			add_item(rpage.data, minf, minfsz, PageGetMaxOffsetNumber(rpage.data) + 1);
			continue;
		}
		add_item(rpage.data, items[i].data, items[i].size,
				 PageGetMaxOffsetNumber(rpage.data) + 1);
	}

	DYN_BT_CHECK_PAGE_DEFINED(rpage.data);
	state = GenericXLogStart(rel);
	/* the right page first: its items are read from the left one */
	p = GenericXLogRegisterBuffer(state, rbuf, GENERIC_XLOG_FULL_IMAGE);
	memcpy(p, rpage.data, BLCKSZ);
	p = GenericXLogRegisterBuffer(state, buf, 0);
	if (!leaf)
		memcpy(p, lpage.data, BLCKSZ);
	else
	{
		DynBtPageOpaque op = DynBtPageGetOpaque(p);

		if (!keep_first_items(p, firstdata, n, tuple != NULL ? newoff - firstdata : -1, k,
							  hikey, hikeysz, tuple, tuplesz))
		{
			GenericXLogAbort(state);
			elog(ERROR, "dynpg: could not lay out the left half of the split of block %u", origblk);
		}
		op->flags = (op->flags & ~(DYN_BT_ROOT | DYN_BT_BULK)) | DYN_BT_INCOMPLETE_SPLIT;
		op->right = rblk;
		/* a leaf's count of shifts onto it goes on (dynpg_bt_arrivals) */
		if (DYN_BT_IS_BULK(oop))
			((PageHeader) p)->pd_prune_xid = InvalidTransactionId;
		DYN_BT_CHECK_PAGE_DEFINED(p);
	}
	if (BufferIsValid(sbuf))
	{
		p = GenericXLogRegisterBuffer(state, sbuf, 0);
		DynBtPageGetOpaque(p)->left = rblk;
	}
	if (BufferIsValid(cbuf))
	{
		p = GenericXLogRegisterBuffer(state, cbuf, 0);
		DynBtPageGetOpaque(p)->flags &= ~DYN_BT_INCOMPLETE_SPLIT;
	}
	GenericXLogFinish(state);

	if (BufferIsValid(sbuf))
		UnlockReleaseBuffer(sbuf);
	if (BufferIsValid(cbuf))
		UnlockReleaseBuffer(cbuf);
	pfree(items);
	pfree(hikey);
	return rbuf;
}

/*
 * Shifts: fuller leaves on random inserts (README, "Fuller leaves").
 *
 * A B-tree whose leaves only ever split in two settles at about 70% full
 * under inserts in random key order (each split leaves two half-full
 * pages).  So, before a full leaf P splits, its right sibling S takes some
 * of P's last items when S has room; when S is nearly full too, S is first
 * split so that it keeps about a third of the pair's bytes, and then takes
 * P's share: two full leaves become three two-thirds-full ones (B*-trees'
 * two-into-three split).  Random inserts then leave leaves about 83% full.
 *
 * A shift is one generic WAL record of three pages, locked in the usual
 * order (P and S left to right, then their parent): P rewritten with its
 * first items and a lower high key, S with P's last items in front of its
 * own, and the parent's downlink to S with that high key as its separator.
 * Items move right only, as in splits and VACUUM's merges, so everything
 * that copes with merges copes with shifts: forward scans skip by key what
 * they returned; a backward scan notices the arrival on S by its
 * dynpg_bt_arrivals() token (the count of shifts in its pd_prune_xid) and
 * reads S again; a reader of a key's versions skips by VID the ones it has.
 *
 * A partition growing at its end (extends_partition) is handled as splits
 * handle it: past the page's end, no shift (the split's 90% point); with
 * other partitions after it on P, the shift moves those, all of them when
 * S can take them, and P keeps the growing partition.  Not shifted either:
 * a P and S whose downlinks are not side by side in one parent page, and
 * whatever does not fit.
 * dynpg.leaf_shifts = off turns shifts off (for comparisons).
 */
bool		dynpg_leaf_shifts = true;
DynBtChangeStats dynpg_bt_changes;

#define LEAF_USABLE		(BLCKSZ - SizeOfPageHeaderData - MAXALIGN(sizeof(DynBtPageOpaqueData)))
/* a right sibling with less free space than this is split before a shift */
#define SHIFT_MIN_FREE	(LEAF_USABLE / 8)

/* The child block of downlink 'off' of internal page 'page' (checked). */
static BlockNumber
downlink_child(Buffer buf, OffsetNumber off)
{
	Page		page = BufferGetPage(buf);
	ItemId		iid = PageGetItemId(page, off);
	DynBtInternalTupleData h;

	if (!dynpg_bt_itemid_sane(iid) || ItemIdGetLength(iid) < DYN_BT_INTERNAL_HDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("dynpg: damaged downlink at block %u offset %u",
						BufferGetBlockNumber(buf), off)));
	memcpy(&h, PageGetItem(page, iid), DYN_BT_INTERNAL_HDRSZ);
	return h.child;
}

/*
 * The parent page the descent to leaf 'pblk' passed through ('stack'),
 * exclusively locked, when it holds the downlinks to 'pblk' and its right
 * sibling 'sblk' side by side: *soff is the offset of the one to 'sblk'.
 * Else InvalidBuffer (the downlinks moved right, or P was reached by
 * moving right past a split whose downlink is not yet in).
 */
static Buffer
lock_pair_parent(Relation rel, DynBtStack stack, BlockNumber pblk, BlockNumber sblk,
				 OffsetNumber *soff)
{
	Buffer		qbuf = dynpg_bt_getbuf(rel, stack->blkno, BUFFER_LOCK_EXCLUSIVE);
	Page		qpage = BufferGetPage(qbuf);
	DynBtPageOpaque qop = DynBtPageGetOpaque(qpage);
	OffsetNumber first = DYN_BT_FIRSTDATA(qop);
	OffsetNumber maxoff = PageGetMaxOffsetNumber(qpage);
	OffsetNumber off = InvalidOffsetNumber;
	OffsetNumber o;

	if (DYN_BT_IS_LEAF(qop) || DYN_BT_IS_DELETED(qop) || qop->level != 1)
	{
		UnlockReleaseBuffer(qbuf);
		return InvalidBuffer;
	}
	/* where the descent left it, else anywhere on the page */
	if (stack->offset >= first && stack->offset <= maxoff &&
		downlink_child(qbuf, stack->offset) == pblk)
		off = stack->offset;
	for (o = first; off == InvalidOffsetNumber && o <= maxoff; o++)
		if (downlink_child(qbuf, o) == pblk)
			off = o;
	if (off == InvalidOffsetNumber || off >= maxoff || downlink_child(qbuf, off + 1) != sblk)
	{
		UnlockReleaseBuffer(qbuf);
		return InvalidBuffer;
	}
	*soff = off + 1;
	return qbuf;
}

/*
 * Make room for 'tuple' at 'newoff' of the full, exclusively locked leaf
 * 'pbuf' without splitting it: shift its last items to its right sibling,
 * splitting that sibling first when it is nearly full (and 'may_split_right').
 * Returns true with the tuple in place and 'pbuf' released; false, with
 * 'pbuf' still locked and unchanged, when the caller must split it (the
 * right sibling may have been split meanwhile).
 */
static bool
shift_right(Relation rel, Buffer pbuf, DynBtStack stack, char *tuple, Size tuplesz,
			OffsetNumber newoff, bool may_split_right)
{
	Page		ppage = BufferGetPage(pbuf);
	DynBtPageOpaque pop = DynBtPageGetOpaque(ppage);
	BlockNumber pblk = BufferGetBlockNumber(pbuf);
	BlockNumber sblk;
	Buffer		sbuf;
	Buffer		qbuf;
	Page		spage;
	DynBtPageOpaque sop;
	OffsetNumber soff;
	OffsetNumber sfirst;
	SplitItem  *items;
	int			n;
	int			k;
	int			i;
	Size		total;
	Size		useds;
	Size		half;
	Size		left;
	DynBtKey	sep;
	char	   *hikey;
	Size		hikeysz;
	Size		oldsepsz;
	int			newidx;
	bool		appends;
	GenericXLogState *state;
	Page		p;

	if (!DYN_BT_IS_LEAF(pop) || DYN_BT_IS_RIGHTMOST(pop) || DYN_BT_INCOMPLETE(pop) ||
		stack == NULL)
		return false;
	items = page_items(pbuf, tuple, tuplesz, newoff, &n);
	newidx = newoff - DYN_BT_FIRSTDATA(pop);
	appends = n >= 2 && extends_partition(ppage, items, n, newidx);
	/* a partition growing past the page's end: the split's 90% point */
	if (n < 2 || (appends && newidx == n - 1))
	{
		pfree(items);
		return false;
	}
	total = items_bytes(items, 0, n);

	sblk = pop->right;
	sbuf = dynpg_bt_getbuf(rel, sblk, BUFFER_LOCK_EXCLUSIVE);
	spage = BufferGetPage(sbuf);
	sop = DynBtPageGetOpaque(spage);
	if (!DYN_BT_IS_LEAF(sop) || DYN_BT_IS_DELETED(sop) || DYN_BT_INCOMPLETE(sop) ||
		sop->left != pblk)
	{
		UnlockReleaseBuffer(sbuf);
		pfree(items);
		return false;
	}
	qbuf = lock_pair_parent(rel, stack, pblk, sblk, &soff);
	if (!BufferIsValid(qbuf))
	{
		UnlockReleaseBuffer(sbuf);
		pfree(items);
		return false;
	}
	useds = LEAF_USABLE - Min(PageGetExactFreeSpace(spage), LEAF_USABLE);

	if (PageGetExactFreeSpace(spage) < SHIFT_MIN_FREE)
	{
		Buffer		rbuf;
		Size		keep;

		UnlockReleaseBuffer(qbuf);
		if (!may_split_right)
		{
			UnlockReleaseBuffer(sbuf);
			pfree(items);
			return false;
		}
		/*
		 * Two into three: S keeps what makes it, with P's share, a third of
		 * the pair's bytes; the rest of S goes to a new leaf on its right.
		 */
		keep = (2 * useds > total) ? (2 * useds - total) / 3 : 0;
		keep = Max(keep, SHIFT_MIN_FREE);
		rbuf = split_page(rel, sbuf, NULL, 0, InvalidOffsetNumber, InvalidBuffer, keep);
		dynpg_bt_changes.sibling_splits++;
		split_panic_point(4);
		insert_parent(rel, sbuf, rbuf, stack);
		pfree(items);
		return shift_right(rel, pbuf, stack, tuple, tuplesz, newoff, false);
	}

	/*
	 * Move items [k, n): the fewest that leave P no fuller than half of the
	 * pair's bytes, within what S can take.
	 */
	half = (total + useds) / 2;
	left = total;
	for (k = n; k > 1; k--)
	{
		Size		sz = MAXALIGN(items[k - 1].size) + sizeof(ItemIdData);

		if (useds + (total - left) + sz > LEAF_USABLE)
			break;
		left -= sz;
		if (left <= half)
		{
			k--;
			break;
		}
	}
	/*
	 * A partition growing at its end, with other partitions after it on P:
	 * those go, all of them if S can take them, and P keeps the growing
	 * partition to fill with its next items (then split at the 90% point),
	 * if it still has room for the new one.  A shift by bytes would leave
	 * the partition's older items behind on a half-full P that no insert
	 * comes back to.
	 */
	if (appends && useds + items_bytes(items, newidx + 1, n) <= LEAF_USABLE &&
		items_bytes(items, 0, newidx + 1) +
		MAXALIGN(DYN_BT_INTERNAL_HDRSZ + split_item_keylen(items, newidx + 1, true)) +
		sizeof(ItemIdData) <= LEAF_USABLE)
		k = newidx + 1;
	if (k >= n)
		goto fail;
	/* P keeps [0, k) and gets item k's key as its high key */
	split_item_key(items, k, true, &sep);
	hikey = make_internal_tuple(&sep, DYN_BT_NONE, 0, &hikeysz);
	oldsepsz = ItemIdGetLength(PageGetItemId(BufferGetPage(qbuf), soff));
	if (items_bytes(items, 0, k) + MAXALIGN(hikeysz) + sizeof(ItemIdData) > LEAF_USABLE ||
		useds + items_bytes(items, k, n) > LEAF_USABLE ||
		(MAXALIGN(hikeysz) > MAXALIGN(oldsepsz) &&
		 PageGetExactFreeSpace(BufferGetPage(qbuf)) < MAXALIGN(hikeysz) - MAXALIGN(oldsepsz)))
	{
		pfree(hikey);
		goto fail;
	}

	state = GenericXLogStart(rel);
	/* S first takes items [k, n) from P's page, which is changed last */
	p = GenericXLogRegisterBuffer(state, sbuf, 0);
	sfirst = DYN_BT_FIRSTDATA(DynBtPageGetOpaque(p));
	for (i = k; i < n; i++)
	{
		OffsetNumber off = sfirst + (i - k);

		DYN_BT_CHECK_DEFINED(items[i].data, items[i].size);
		if (PageAddItem(p, (Item) items[i].data, items[i].size, off, false, false) != off)
		{
			/* checked above, so not expected: nothing has been written yet */
			GenericXLogAbort(state);
			elog(ERROR, "dynpg: could not move an item of block %u into block %u", pblk, sblk);
		}
	}
	dynpg_bt_count_shift(p);
	p = GenericXLogRegisterBuffer(state, qbuf, 0);
	{
		Size		dsz;
		char	   *downlink = make_internal_tuple(&sep, sblk, 0, &dsz);

		DYN_BT_CHECK_DEFINED(downlink, dsz);
		if (!PageIndexTupleOverwrite(p, soff, (Item) downlink, dsz))
		{
			GenericXLogAbort(state);
			elog(ERROR, "dynpg: could not replace the downlink to block %u in block %u",
				 sblk, BufferGetBlockNumber(qbuf));
		}
		pfree(downlink);
	}
	/* P last, in place: its first k items under the new high key */
	p = GenericXLogRegisterBuffer(state, pbuf, 0);
	if (!keep_first_items(p, DYN_BT_FIRSTDATA(pop), n, newidx, k,
						  hikey, hikeysz, tuple, tuplesz))
	{
		GenericXLogAbort(state);
		elog(ERROR, "dynpg: could not lay out block %u for a shift", pblk);
	}
	if (DYN_BT_IS_BULK(DynBtPageGetOpaque(p)))
	{
		DynBtPageGetOpaque(p)->flags &= ~DYN_BT_BULK;
		((PageHeader) p)->pd_prune_xid = InvalidTransactionId;
	}
	DYN_BT_CHECK_PAGE_DEFINED(p);
	GenericXLogFinish(state);

	dynpg_bt_changes.shifts++;
	UnlockReleaseBuffer(qbuf);
	UnlockReleaseBuffer(sbuf);
	UnlockReleaseBuffer(pbuf);
	pfree(hikey);
	pfree(items);
	return true;

fail:
	UnlockReleaseBuffer(qbuf);
	UnlockReleaseBuffer(sbuf);
	pfree(items);
	return false;
}

/*
 * Put 'tuple' at 'off' of the exclusively locked page 'buf', splitting it
 * (and then its parents) if it is full.  Releases 'buf' and 'cbuf'.
 */
static void
insert_on_page(Relation rel, Buffer buf, DynBtStack stack,
			   char *tuple, Size tuplesz, OffsetNumber off, Buffer cbuf)
{
	Page		page = BufferGetPage(buf);

	if (PageGetFreeSpace(page) >= MAXALIGN(tuplesz) && !BufferIsValid(cbuf))
	{
		/* the common case has a compact record of its own (btxlog.c) */
		dynpg_xlog_insert(rel, buf, off, tuple, tuplesz);
		UnlockReleaseBuffer(buf);
		return;
	}
	if (PageGetFreeSpace(page) >= MAXALIGN(tuplesz))
	{
		GenericXLogState *state = GenericXLogStart(rel);
		Page		p = GenericXLogRegisterBuffer(state, buf, 0);

		DYN_BT_CHECK_DEFINED(tuple, tuplesz);
		if (PageAddItem(p, (Item) tuple, tuplesz, off, false, false) != off)
		{
			GenericXLogAbort(state);
			elog(ERROR, "dynpg: failed to add an item of %zu bytes at offset %u of block %u",
				 tuplesz, off, BufferGetBlockNumber(buf));
		}
		if (BufferIsValid(cbuf))
		{
			p = GenericXLogRegisterBuffer(state, cbuf, 0);
			DynBtPageGetOpaque(p)->flags &= ~DYN_BT_INCOMPLETE_SPLIT;
		}
		GenericXLogFinish(state);
		UnlockReleaseBuffer(buf);
		if (BufferIsValid(cbuf))
			UnlockReleaseBuffer(cbuf);
		return;
	}
	else
	{
		uint32		level = DynBtPageGetOpaque(page)->level;
		Buffer		rbuf;

		if (level == 0 && !BufferIsValid(cbuf) && dynpg_leaf_shifts &&
			shift_right(rel, buf, stack, tuple, tuplesz, off, true))
			return;
		rbuf = split_page(rel, buf, tuple, tuplesz, off, cbuf, 0);
		if (level == 0)
			dynpg_bt_changes.leaf_splits++;

		/* test hook: 1 after a leaf split, 2 after an internal split */
		split_panic_point(level == 0 ? 1 : 2);
		insert_parent(rel, buf, rbuf, stack);
	}
}

/* A new root above the split 'lbuf' / 'rblk'.  Releases lbuf. */
static void
new_root(Relation rel, Buffer lbuf, BlockNumber rblk, const DynBtKey *sep)
{
	Page		lpage = BufferGetPage(lbuf);
	DynBtPageOpaque lop = DynBtPageGetOpaque(lpage);
	Buffer		nbuf = dynpg_bt_newbuf(rel);
	Buffer		mbuf = dynpg_bt_getbuf(rel, DYN_BT_METAPAGE, BUFFER_LOCK_EXCLUSIVE);
	PGAlignedBlock root;
	DynBtKey	nokey = {NULL, 0, 0};
	char	   *t;
	Size		tsz;
	GenericXLogState *state;
	Page		p;
	DynBtMetaPageData *meta;

	dynpg_bt_init_page(root.data, lop->level + 1, DYN_BT_ROOT);
	t = make_internal_tuple(&nokey, BufferGetBlockNumber(lbuf), DYN_BT_MINUS_INF, &tsz);
	add_item(root.data, t, tsz, FirstOffsetNumber);
	t = make_internal_tuple(sep, rblk, 0, &tsz);
	add_item(root.data, t, tsz, FirstOffsetNumber + 1);

	DYN_BT_CHECK_PAGE_DEFINED(root.data);
	state = GenericXLogStart(rel);
	p = GenericXLogRegisterBuffer(state, nbuf, GENERIC_XLOG_FULL_IMAGE);
	memcpy(p, root.data, BLCKSZ);
	p = GenericXLogRegisterBuffer(state, lbuf, 0);
	DynBtPageGetOpaque(p)->flags &= ~(DYN_BT_INCOMPLETE_SPLIT | DYN_BT_ROOT);
	p = GenericXLogRegisterBuffer(state, mbuf, 0);
	meta = DynBtPageGetMeta(p);
	meta->root = BufferGetBlockNumber(nbuf);
	meta->root_level = lop->level + 1;
	GenericXLogFinish(state);

	UnlockReleaseBuffer(mbuf);
	UnlockReleaseBuffer(nbuf);
	UnlockReleaseBuffer(lbuf);
}

/*
 * Lock the parent page holding the downlink to 'child', starting where the
 * descent found it and moving right (splits only move downlinks right).
 * Returns it exclusively locked, with the downlink's offset.
 */
static Buffer
get_stack_buf(Relation rel, DynBtStack stack, BlockNumber child, OffsetNumber *offp)
{
	BlockNumber blkno = stack->blkno;
	OffsetNumber start = stack->offset;

	for (;;)
	{
		Buffer		buf = dynpg_bt_getbuf(rel, blkno, BUFFER_LOCK_EXCLUSIVE);
		Page		page = BufferGetPage(buf);
		DynBtPageOpaque op = DynBtPageGetOpaque(page);
		OffsetNumber first = DYN_BT_FIRSTDATA(op);
		OffsetNumber maxoff = PageGetMaxOffsetNumber(page);
		OffsetNumber off;
		int			pass;

		if (DYN_BT_INCOMPLETE(op))
		{
			dynpg_bt_finish_split(rel, buf, stack->parent);
			continue;
		}
		if (start < first || start > maxoff)
			start = first;
		/* from the remembered offset to the end, then the rest */
		for (pass = 0; pass < 2; pass++)
		{
			OffsetNumber lo = pass == 0 ? start : first;
			OffsetNumber hi = pass == 0 ? maxoff : start - 1;

			for (off = lo; off <= hi && off != InvalidOffsetNumber; off++)
			{
				DynBtInternalTupleData h;

				ItemId		iid = PageGetItemId(page, off);

				if (!dynpg_bt_itemid_sane(iid) || ItemIdGetLength(iid) < DYN_BT_INTERNAL_HDRSZ)
					ereport(ERROR,
							(errcode(ERRCODE_INDEX_CORRUPTED),
							 errmsg("dynpg: damaged downlink at block %u offset %u", blkno, off)));
				memcpy(&h, PageGetItem(page, iid), DYN_BT_INTERNAL_HDRSZ);
				if (h.child == child)
				{
					*offp = off;
					return buf;
				}
			}
		}
		if (DYN_BT_IS_RIGHTMOST(op))
			elog(ERROR, "dynpg: could not find the downlink to block %u in \"%s\"",
				 child, RelationGetRelationName(rel));
		blkno = op->right;
		start = InvalidOffsetNumber;
		UnlockReleaseBuffer(buf);
	}
}

/*
 * Build a stack to the parent level of a page of 'level' whose first key is
 * 'key', when the descent that reached it did not pass through its parent
 * (the tree grew above it since).
 */
static DynBtStack
stack_for_level(Relation rel, const DynBtKey *key, uint32 level)
{
	Buffer		pbuf;
	DynBtStack	stack = dynpg_bt_search_level(rel, key, level + 1, &pbuf, BUFFER_LOCK_SHARE);
	DynBtStack	entry = palloc(sizeof(DynBtStackData));

	entry->blkno = BufferGetBlockNumber(pbuf);
	entry->offset = dynpg_bt_binsrch(BufferGetPage(pbuf), key);
	entry->parent = stack;
	UnlockReleaseBuffer(pbuf);
	return entry;
}

/*
 * After a split of lbuf (left, flagged incomplete) into rbuf: insert the
 * downlink to the right page into the parent, clearing the flag in the same
 * record.  Releases both buffers.
 */
static void
insert_parent(Relation rel, Buffer lbuf, Buffer rbuf, DynBtStack stack)
{
	Page		lpage = BufferGetPage(lbuf);
	DynBtPageOpaque lop = DynBtPageGetOpaque(lpage);
	BlockNumber lblk = BufferGetBlockNumber(lbuf);
	BlockNumber rblk = BufferGetBlockNumber(rbuf);
	DynBtKey	sep;
	DynBtKey	sepcopy;
	char	   *downlink;
	Size		downlinksz;
	Buffer		pbuf;
	OffsetNumber poff;

	/* the separator is the left page's new high key */
	dynpg_bt_item_key(lpage, DYN_BT_HIKEY, false, &sep);
	sepcopy = sep;
	sepcopy.key = palloc(Max(sep.keylen, 1));
	memcpy((uint8 *) sepcopy.key, sep.key, sep.keylen);
	UnlockReleaseBuffer(rbuf);

	if (stack == NULL)
	{
		DynBtMetaPageData meta;

		dynpg_bt_read_meta(rel, &meta);
		if (meta.root == lblk)
		{
			split_panic_point(3);
			new_root(rel, lbuf, rblk, &sepcopy);
			return;
		}
		/*
		 * Someone else added a level above us: find our parent from the top.
		 * The separator lies in the range of the parent page holding our
		 * downlink, so searching for it finds that page (or one to its left).
		 */
		stack = stack_for_level(rel, &sepcopy, lop->level);
	}

	downlink = make_internal_tuple(&sepcopy, rblk, 0, &downlinksz);
	pbuf = get_stack_buf(rel, stack, lblk, &poff);
	insert_on_page(rel, pbuf, stack->parent, downlink, downlinksz, poff + 1, lbuf);
	pfree(downlink);
}

/*
 * Complete the split of the flagged, exclusively locked page 'lbuf' (stack:
 * its parent level, or NULL); releases it.
 */
void
dynpg_bt_finish_split(Relation rel, Buffer lbuf, DynBtStack stack)
{
	DynBtPageOpaque lop = DynBtPageGetOpaque(BufferGetPage(lbuf));
	Buffer		rbuf;

	if (DYN_BT_IS_RIGHTMOST(lop))
		elog(ERROR, "dynpg: incompletely split page %u has no right sibling",
			 BufferGetBlockNumber(lbuf));
	rbuf = dynpg_bt_getbuf(rel, lop->right, BUFFER_LOCK_EXCLUSIVE);
	insert_parent(rel, lbuf, rbuf, stack);
}
