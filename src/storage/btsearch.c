/*-------------------------------------------------------------------------
 *
 * btsearch.c
 *	  Descending the dynpg B-tree (Lehman & Yao): search, move-right,
 *	  binary search within a page.
 *
 * A descent holds one buffer lock at a time: it reads the downlink, drops
 * the parent, locks the child, and moves right while the search key is at
 * or above the child's high key, which covers any split that happened in
 * between.  Internal pages are read with share locks; the target level is
 * locked in the caller's mode.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/bufmgr.h"

#include "storage/dynpg_bt.h"

/* The key of item 'off' of a page: high keys are in internal format. */
static void
page_key(Page page, DynBtPageOpaque op, OffsetNumber off, DynBtKey *key)
{
	bool		leaf_item = DYN_BT_IS_LEAF(op) &&
		!(off == DYN_BT_HIKEY && !DYN_BT_IS_RIGHTMOST(op));

	dynpg_bt_item_key(page, off, leaf_item, key);
}

/* key <=> item 'off'; the minus-infinity item of an internal page is below everything */
static int
cmp_item(Page page, DynBtPageOpaque op, OffsetNumber off, const DynBtKey *key)
{
	DynBtKey	ik;

	if (!DYN_BT_IS_LEAF(op) && off == DYN_BT_FIRSTDATA(op))
		return 1;
	page_key(page, op, off, &ik);
	return dynpg_bt_compare(key, &ik);
}

/*
 * On a leaf: the first offset whose item is >= key (maxoff + 1 if none).
 * On an internal page: the last offset whose item is <= key (at least the
 * minus-infinity item).
 */
OffsetNumber
dynpg_bt_binsrch(Page page, const DynBtKey *key)
{
	DynBtPageOpaque op = DynBtPageGetOpaque(page);
	OffsetNumber low = DYN_BT_FIRSTDATA(op);
	OffsetNumber high = PageGetMaxOffsetNumber(page);

	if (DYN_BT_IS_LEAF(op))
	{
		/* find the first item >= key in [low, high + 1) */
		OffsetNumber hi = high + 1;

		while (low < hi)
		{
			OffsetNumber mid = low + (hi - low) / 2;

			if (cmp_item(page, op, mid, key) > 0)
				low = mid + 1;
			else
				hi = mid;
		}
		return low;
	}
	else
	{
		/* find the last item <= key in [low, high]; low is minus infinity */
		OffsetNumber lo = low;
		OffsetNumber hi = high;

		if (hi < lo)
			elog(ERROR, "dynpg: internal page without items");
		while (lo < hi)
		{
			OffsetNumber mid = lo + (hi - lo + 1) / 2;

			if (cmp_item(page, op, mid, key) >= 0)
				lo = mid;
			else
				hi = mid - 1;
		}
		return lo;
	}
}

/* Whether key belongs to a page to the right of this one. */
static bool
beyond_page(Page page, DynBtPageOpaque op, const DynBtKey *key)
{
	DynBtKey	hikey;

	if (DYN_BT_IS_RIGHTMOST(op))
		return false;
	dynpg_bt_item_key(page, DYN_BT_HIKEY, false, &hikey);
	return dynpg_bt_compare(key, &hikey) >= 0;
}

Buffer
dynpg_bt_moveright(Relation rel, Buffer buf, const DynBtKey *key, int access)
{
	return dynpg_bt_moveright_ext(rel, buf, key, access, false, NULL, NULL);
}

/*
 * Move right while the key is at or above the page's high key.  With
 * 'forupdate' (insert descents), a page we stand on or pass through whose
 * split is incomplete gets its split finished first, as nbtree's
 * _bt_moveright does: otherwise we could reach, and later split, a right
 * page that has no downlink yet.  Finishing releases the page; then
 * *restart is set and InvalidBuffer returned, and the caller searches
 * again.  'stack' is the parent level's stack (NULL at the root level).
 */
Buffer
dynpg_bt_moveright_ext(Relation rel, Buffer buf, const DynBtKey *key, int access,
					   bool forupdate, DynBtStack stack, bool *restart)
{
	if (restart)
		*restart = false;
	for (;;)
	{
		Page		page = BufferGetPage(buf);
		DynBtPageOpaque op = DynBtPageGetOpaque(page);
		BlockNumber right;

		if (forupdate && DYN_BT_INCOMPLETE(op))
		{
			BlockNumber blkno = BufferGetBlockNumber(buf);

			if (access != BUFFER_LOCK_EXCLUSIVE)
			{
				UnlockReleaseBuffer(buf);
				buf = dynpg_bt_getbuf(rel, blkno, BUFFER_LOCK_EXCLUSIVE);
				if (!DYN_BT_INCOMPLETE(DynBtPageGetOpaque(BufferGetPage(buf))))
				{
					/* someone else finished it meanwhile: look again in our mode */
					UnlockReleaseBuffer(buf);
					buf = dynpg_bt_getbuf(rel, blkno, access);
					continue;
				}
			}
			dynpg_bt_finish_split(rel, buf, stack);
			*restart = true;
			return InvalidBuffer;
		}
		/* a deleted leaf's keys went to its right sibling */
		if (!DYN_BT_IS_DELETED(op) && !beyond_page(page, op, key))
			return buf;
		right = op->right;
		UnlockReleaseBuffer(buf);
		CHECK_FOR_INTERRUPTS();
		buf = dynpg_bt_getbuf(rel, right, access);
	}
}

static DynBtInternalTupleData
internal_header(Page page, OffsetNumber off)
{
	DynBtInternalTupleData hdr;
	ItemId		iid;

	if (off < FirstOffsetNumber || off > PageGetMaxOffsetNumber(page))
		elog(ERROR, "dynpg: downlink offset %u out of range", off);
	iid = PageGetItemId(page, off);
	if (!dynpg_bt_itemid_sane(iid) || ItemIdGetLength(iid) < DYN_BT_INTERNAL_HDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("dynpg: damaged internal tuple at offset %u", off)));
	memcpy(&hdr, PageGetItem(page, iid), DYN_BT_INTERNAL_HDRSZ);
	return hdr;
}

/*
 * Descend to the page of level 'target_level' that should hold 'key',
 * locked in 'access' mode (*bufp), and return the stack of internal pages
 * above it, nearest first.  target_level 0 is the leaf level.
 */
DynBtStack
dynpg_bt_search_level(Relation rel, const DynBtKey *key, uint32 target_level,
					  Buffer *bufp, int access)
{
	return dynpg_bt_search_ext(rel, key, target_level, bufp, access, false);
}

/*
 * The search itself; with 'forupdate', incomplete splits met on the way are
 * finished first (dynpg_bt_moveright_ext), restarting from the root.
 */
DynBtStack
dynpg_bt_search_ext(Relation rel, const DynBtKey *key, uint32 target_level,
					Buffer *bufp, int access, bool forupdate)
{
	DynBtMetaPageData meta;
	DynBtStack	stack;
	Buffer		buf;
	uint32		level;
	BlockNumber root;

restart:
	stack = NULL;
	buf = InvalidBuffer;
	if (dynpg_bt_cached_root(rel, &root, &level) && level >= target_level)
	{
		/* the root this backend saw last, if it still is the root of that level */
		DynBtPageOpaque op;

		buf = dynpg_bt_getbuf(rel, root, level == target_level ? access : BUFFER_LOCK_SHARE);
		op = DynBtPageGetOpaque(BufferGetPage(buf));
		if (!DYN_BT_IS_ROOT(op) || DYN_BT_IS_DELETED(op) || (op->flags & DYN_BT_META) ||
			op->level != level)
		{
			UnlockReleaseBuffer(buf);
			buf = InvalidBuffer;
		}
	}
	if (!BufferIsValid(buf))
	{
		dynpg_bt_read_meta(rel, &meta);
		if (meta.root_level < target_level)
			elog(ERROR, "dynpg: search for level %u above the root level %u",
				 target_level, meta.root_level);
		level = meta.root_level;
		dynpg_bt_remember_root(rel, meta.root, level);
		buf = dynpg_bt_getbuf(rel, meta.root, level == target_level ? access : BUFFER_LOCK_SHARE);
	}
	for (;;)
	{
		Page		page;
		DynBtPageOpaque op;
		OffsetNumber off;
		DynBtStack	entry;
		BlockNumber child;
		bool		again;

		buf = dynpg_bt_moveright_ext(rel, buf, key,
									 level == target_level ? access : BUFFER_LOCK_SHARE,
									 forupdate, stack, &again);
		if (again)
			goto restart;
		page = BufferGetPage(buf);
		op = DynBtPageGetOpaque(page);
		if (op->level != level)
			elog(ERROR, "dynpg: expected a page of level %u at block %u of \"%s\", found level %u",
				 level, BufferGetBlockNumber(buf), RelationGetRelationName(rel), op->level);
		if (level == target_level)
			break;
		off = dynpg_bt_binsrch(page, key);
		child = internal_header(page, off).child;
		entry = palloc(sizeof(DynBtStackData));
		entry->blkno = BufferGetBlockNumber(buf);
		entry->offset = off;
		entry->parent = stack;
		stack = entry;
		UnlockReleaseBuffer(buf);
		level--;
		buf = dynpg_bt_getbuf(rel, child, level == target_level ? access : BUFFER_LOCK_SHARE);
	}
	*bufp = buf;
	return stack;
}

DynBtStack
dynpg_bt_search(Relation rel, const DynBtKey *key, Buffer *bufp, int access)
{
	return dynpg_bt_search_level(rel, key, 0, bufp, access);
}

/*
 * The leftmost or rightmost leaf, share-locked.  The root and every first
 * child are the leftmost pages of their levels (splits keep the left half
 * in place), so the leftmost leaf is reached by first downlinks alone; the
 * rightmost needs a move to the right end of each level first, since the
 * pages may have split since their parent was read.
 */
Buffer
dynpg_bt_edge_leaf(Relation rel, bool rightmost)
{
	DynBtMetaPageData meta;
	Buffer		buf;

	dynpg_bt_read_meta(rel, &meta);
	buf = dynpg_bt_getbuf(rel, meta.root, BUFFER_LOCK_SHARE);
	for (;;)
	{
		Page		page = BufferGetPage(buf);
		DynBtPageOpaque op = DynBtPageGetOpaque(page);
		BlockNumber next;

		CHECK_FOR_INTERRUPTS();
		if ((rightmost || DYN_BT_IS_DELETED(op)) && !DYN_BT_IS_RIGHTMOST(op))
			next = op->right;
		else if (DYN_BT_IS_LEAF(op))
			return buf;
		else
			next = internal_header(page, rightmost ? PageGetMaxOffsetNumber(page) :
								   DYN_BT_FIRSTDATA(op)).child;
		UnlockReleaseBuffer(buf);
		buf = dynpg_bt_getbuf(rel, next, BUFFER_LOCK_SHARE);
	}
}

/*
 * 'buf' (locked in 'access' mode), or, if it is a deleted leaf, the first
 * live page to its right, locked likewise; the deleted pages are released.
 */
Buffer
dynpg_bt_live_right(Relation rel, Buffer buf, int access)
{
	for (;;)
	{
		DynBtPageOpaque op = DynBtPageGetOpaque(BufferGetPage(buf));
		BlockNumber right;

		if (!DYN_BT_IS_DELETED(op))
			return buf;
		right = op->right;
		UnlockReleaseBuffer(buf);
		if (right == DYN_BT_NONE)
			elog(ERROR, "dynpg: deleted page without a right sibling in \"%s\"",
				 RelationGetRelationName(rel));
		CHECK_FOR_INTERRUPTS();
		buf = dynpg_bt_getbuf(rel, right, access);
	}
}

Buffer
dynpg_bt_first_leaf(Relation rel)
{
	return dynpg_bt_edge_leaf(rel, false);
}
