/*-------------------------------------------------------------------------
 *
 * btscan.c
 *	  Full scans of the dynpg B-tree, a leaf at a time, in either direction.
 *
 * A scan holds one leaf's worth of visible versions (copied under a share
 * lock) and the leaf's block number and links; nothing points into a
 * buffer afterwards.
 *
 * Forward: after the batch, read the right-link saved with it.  A leaf
 * already read may split behind the scan: the moved items were copied (or
 * are invisible to the snapshot, being newer), so skipping the new page is
 * right; a leaf not yet read is reached through the right-links, split or
 * not.
 *
 * Backward: the page before leaf P is found much as nbtree's _bt_walk_left
 * does: take P's left-link L (as it was when P was read); if L has split
 * meanwhile, L's right-link is no longer P, so move right from L until the
 * page whose right-link is P.  Pages are never deleted, so the walk always
 * ends there, and P need not be read again.
 *
 * Bounded scans (Query of a partition or a sort-key range, a Scan segment)
 * descend once to the leaf where their first key would be, then walk the
 * leaf level as above.  Each batch keeps only the keys inside the bounds
 * and notes when it saw keys beyond them; a leaf whose high key is beyond
 * the upper bound also ends a forward scan, so a forward range scan reads
 * exactly the leaves that can hold keys of the range.  A backward scan has
 * no low key to look at, so it may read one leaf more on its left.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"

#include "storage/dynpg_bt.h"
#include "storage/dynpg_btscan.h"

DynBtReadStats dynpg_bt_reads;

/* Storage keys in B-tree order: memcmp, then the shorter first. */
int
dynpg_bt_keycmp(const uint8 *a, int alen, const uint8 *b, int blen)
{
	int			r = memcmp(a, b, Min(alen, blen));

	if (r != 0)
		return r < 0 ? -1 : 1;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return 0;
}

static bool
below_lower(const DynBtBounds *b, const uint8 *k, int klen)
{
	int			c;

	if (b->lower == NULL)
		return false;
	c = dynpg_bt_keycmp(k, klen, b->lower, b->lowerlen);
	return c < 0 || (c == 0 && !b->lower_incl);
}

/*
 * Whether key k lies above the upper bound.  Every key at or above a key
 * that does also does (with upper_prefix, because truncating two keys to
 * the bound's length keeps their order), which lets a high key end a scan.
 */
static bool
above_upper(const DynBtBounds *b, const uint8 *k, int klen)
{
	int			c;

	if (b->upper == NULL)
		return false;
	if (b->upper_prefix)
		return dynpg_bt_keycmp(k, Min(klen, b->upperlen), b->upper, b->upperlen) > 0;
	c = dynpg_bt_keycmp(k, klen, b->upper, b->upperlen);
	return c > 0 || (c == 0 && !b->upper_incl);
}

DynBtScan *
dynpg_bt_scan_begin(Relation rel, Snapshot snapshot)
{
	DynBtScan  *scan = palloc0(sizeof(DynBtScan));

	scan->rel = rel;
	scan->snapshot = snapshot;
	scan->batchcxt = AllocSetContextCreate(CurrentMemoryContext, "dynpg scan batch",
										   ALLOCSET_DEFAULT_SIZES);
	scan->blkno = InvalidBlockNumber;
	scan->dir = ForwardScanDirection;
	return scan;
}

/*
 * A scan of the keys inside 'bounds' (copied), in direction 'dir' only:
 * it returns false at the first bound it reaches in that direction.
 */
DynBtScan *
dynpg_bt_scan_begin_range(Relation rel, Snapshot snapshot, const DynBtBounds *bounds,
						  ScanDirection dir)
{
	DynBtScan  *scan = dynpg_bt_scan_begin(rel, snapshot);

	scan->bounded = true;
	scan->dir = dir;
	scan->bounds = *bounds;
	if (bounds->lower != NULL)
	{
		scan->bounds.lower = palloc(Max(bounds->lowerlen, 1));
		memcpy(scan->bounds.lower, bounds->lower, bounds->lowerlen);
	}
	if (bounds->upper != NULL)
	{
		scan->bounds.upper = palloc(Max(bounds->upperlen, 1));
		memcpy(scan->bounds.upper, bounds->upper, bounds->upperlen);
	}
	return scan;
}

void
dynpg_bt_scan_rescan(DynBtScan *scan)
{
	MemoryContextReset(scan->batchcxt);
	scan->started = false;
	scan->n = 0;
	scan->pos = -1;
	scan->blkno = scan->left = scan->right = InvalidBlockNumber;
	scan->past_lower = scan->past_upper = false;
}

void
dynpg_bt_scan_end(DynBtScan *scan)
{
	MemoryContextDelete(scan->batchcxt);
	if (scan->bounds.lower != NULL)
		pfree(scan->bounds.lower);
	if (scan->bounds.upper != NULL)
		pfree(scan->bounds.upper);
	pfree(scan);
}

/* The storage key of the version last returned by a bounded scan. */
bool
dynpg_bt_scan_key(DynBtScan *scan, const uint8 **key, uint16 *keylen)
{
	if (!scan->bounded || scan->pos < 0 || scan->pos >= scan->n)
		return false;
	*key = scan->keys[scan->pos];
	*keylen = scan->keylens[scan->pos];
	return true;
}

/* Copy the visible versions of the leaf in 'buf' (share-locked) into the batch. */
static void
load_leaf(DynBtScan *scan, Buffer buf)
{
	Page		page = BufferGetPage(buf);
	DynBtPageOpaque op = DynBtPageGetOpaque(page);
	OffsetNumber maxoff = PageGetMaxOffsetNumber(page);
	OffsetNumber off;
	MemoryContext old;

	if (!DYN_BT_IS_LEAF(op))
		elog(ERROR, "dynpg: scan reached a non-leaf page at block %u", BufferGetBlockNumber(buf));
	MemoryContextReset(scan->batchcxt);
	old = MemoryContextSwitchTo(scan->batchcxt);
	scan->n = 0;
	scan->past_lower = scan->past_upper = false;
	scan->vids = palloc(sizeof(uint64) * Max(maxoff, 1));
	scan->payloads = palloc(sizeof(struct varlena *) * Max(maxoff, 1));
	if (scan->bounded)
	{
		scan->keys = palloc(sizeof(uint8 *) * Max(maxoff, 1));
		scan->keylens = palloc(sizeof(uint16) * Max(maxoff, 1));
		if (!DYN_BT_IS_RIGHTMOST(op))
		{
			DynBtKey	hikey;

			dynpg_bt_item_key(page, DYN_BT_HIKEY, false, &hikey);
			if (above_upper(&scan->bounds, hikey.key, hikey.keylen))
				scan->past_upper = true;
		}
	}
	for (off = DYN_BT_FIRSTDATA(op); off <= maxoff; off++)
	{
		DynBtVersion v;
		DynBtKey	k;

		if (scan->bounded)
		{
			dynpg_bt_item_key(page, off, true, &k);
			if (below_lower(&scan->bounds, k.key, k.keylen))
			{
				scan->past_lower = true;
				continue;
			}
			if (above_upper(&scan->bounds, k.key, k.keylen))
			{
				/* leaf items are in key order: the rest are above too */
				scan->past_upper = true;
				break;
			}
		}
		dynpg_bt_copy_version(page, off, BufferGetBlockNumber(buf), &v, false);
		if (scan->snapshot != NULL && !dynpg_bt_version_visible(&v, scan->snapshot))
			continue;
		dynpg_bt_copy_version(page, off, BufferGetBlockNumber(buf), &v, true);
		if (scan->bounded)
		{
			scan->keys[scan->n] = palloc(Max(k.keylen, 1));
			memcpy(scan->keys[scan->n], k.key, k.keylen);
			scan->keylens[scan->n] = k.keylen;
		}
		scan->vids[scan->n] = v.vid;
		scan->payloads[scan->n] = v.payload;
		scan->n++;
	}
	MemoryContextSwitchTo(old);
	scan->blkno = BufferGetBlockNumber(buf);
	scan->left = op->left;
	scan->right = op->right;
	scan->pages++;
}

/*
 * The leaf that holds search key (key, vid), share-locked: every key below
 * it is on that leaf or to its left, every key above on it or to its right.
 */
static Buffer
start_leaf(DynBtScan *scan, const uint8 *key, int keylen, uint64 vid)
{
	DynBtKey	k;
	Buffer		buf;
	DynBtStack	stack;

	k.key = key;
	k.keylen = keylen;
	k.vid = vid;
	stack = dynpg_bt_search(scan->rel, &k, &buf, BUFFER_LOCK_SHARE);
	while (stack != NULL)
	{
		DynBtStack	parent = stack->parent;

		pfree(stack);
		stack = parent;
	}
	return buf;
}

/*
 * The leaf immediately left of leaf 'blkno', share-locked, or InvalidBuffer;
 * 'left' is the left-link 'blkno' had when the scan read it.  That page is
 * still left of 'blkno' (pages are never deleted, and a split moves keys
 * right), so reading 'blkno' again to learn its current left-link would
 * only cost a page read: if the page has split since, its right-link is no
 * longer 'blkno', and moving right from it finds the page that now is.
 */
static Buffer
left_of(Relation rel, BlockNumber blkno, BlockNumber left)
{
	while (left != DYN_BT_NONE)
	{
		Buffer		buf;
		DynBtPageOpaque op;

		CHECK_FOR_INTERRUPTS();
		buf = dynpg_bt_getbuf(rel, left, BUFFER_LOCK_SHARE);
		op = DynBtPageGetOpaque(BufferGetPage(buf));
		if (op->right == blkno)
			return buf;
		if (op->right == DYN_BT_NONE)
			elog(ERROR, "dynpg: could not find the left sibling of block %u in \"%s\"",
				 blkno, RelationGetRelationName(rel));
		/* it split after we read the link: the new page is nearer */
		left = op->right;
		UnlockReleaseBuffer(buf);
	}
	return InvalidBuffer;
}

/*
 * The next visible version in 'dir': its VID and stored payload (valid
 * until the next call).  False at either end; turning round at an end
 * returns the last (or first) version again, as executor cursors expect.
 */
bool
dynpg_bt_scan_next_dir(DynBtScan *scan, ScanDirection dir, uint64 *vid,
					   struct varlena **payload)
{
	bool		forward = ScanDirectionIsForward(dir);

	if (!scan->started)
	{
		Buffer		buf;

		if (scan->bounded && forward && scan->bounds.lower != NULL)
			buf = start_leaf(scan, scan->bounds.lower, scan->bounds.lowerlen,
							 scan->bounds.lower_incl ? DYN_BT_VID_FIRST : 0);
		else if (scan->bounded && !forward && scan->bounds.upper != NULL)
		{
			if (scan->bounds.upper_prefix)
			{
				/* above every key that starts with the bound */
				int			len = DYN_BT_MAX_KEY_SIZE + 1;
				uint8	   *pad = palloc(len);

				Assert(scan->bounds.upperlen < len);
				memcpy(pad, scan->bounds.upper, scan->bounds.upperlen);
				memset(pad + scan->bounds.upperlen, 0xFF, len - scan->bounds.upperlen);
				buf = start_leaf(scan, pad, len, 0);
				pfree(pad);
			}
			else
				buf = start_leaf(scan, scan->bounds.upper, scan->bounds.upperlen,
								 scan->bounds.upper_incl ? 0 : DYN_BT_VID_FIRST);
		}
		else
			buf = dynpg_bt_edge_leaf(scan->rel, !forward);

		load_leaf(scan, buf);
		UnlockReleaseBuffer(buf);
		scan->started = true;
		scan->pos = forward ? -1 : scan->n;
	}
	for (;;)
	{
		int			next = scan->pos + (forward ? 1 : -1);
		Buffer		buf;

		if (next >= 0 && next < scan->n)
		{
			scan->pos = next;
			*vid = scan->vids[next];
			*payload = scan->payloads[next];
			return true;
		}
		/* off the end of this batch: the neighbouring leaf, if any */
		CHECK_FOR_INTERRUPTS();
		if (forward)
		{
			if (scan->right == DYN_BT_NONE || (scan->bounded && scan->past_upper))
			{
				scan->pos = scan->n;
				return false;
			}
			buf = dynpg_bt_getbuf(scan->rel, scan->right, BUFFER_LOCK_SHARE);
			load_leaf(scan, buf);
			scan->pos = -1;
		}
		else
		{
			if (scan->bounded && scan->past_lower)
			{
				scan->pos = -1;
				return false;
			}
			buf = left_of(scan->rel, scan->blkno, scan->left);
			if (!BufferIsValid(buf))
			{
				scan->pos = -1;
				return false;
			}
			load_leaf(scan, buf);
			scan->pos = scan->n;
		}
		UnlockReleaseBuffer(buf);
	}
}

bool
dynpg_bt_scan_next(DynBtScan *scan, uint64 *vid, struct varlena **payload)
{
	return dynpg_bt_scan_next_dir(scan, ForwardScanDirection, vid, payload);
}
