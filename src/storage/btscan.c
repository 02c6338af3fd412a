/*-------------------------------------------------------------------------
 *
 * btscan.c
 *	  Scans of the dynpg B-tree, a leaf at a time, in either direction:
 *	  the table's items (keyspace 0) whole, or bounded by keys (Query, Scan
 *	  segments, an index's keyspace; README, "Bounded scans").
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
 * Backward: the page before leaf P is found as nbtree's _bt_walk_left does:
 * take P's current left-link L; if L has split meanwhile, L's right-link is
 * no longer P, so move right from L until the page whose right-link is P.
 * The walk always ends there: a page leaves its level only when VACUUM
 * merges a sparse leaf into its right sibling (README, "Page deletion and
 * reuse"); the deleted page keeps its links, and it is reused only when no
 * scan can still hold a link to it.
 *
 * Merges, and the shifts of an insert into a full leaf (btinsert.c), move
 * items right: into a leaf a forward scan has yet to read, or into one a
 * backward scan has already read.  So a scan positions itself
 * by key, not by leaf: it remembers the (key, VID) it returned last, and
 * enters every leaf it reads next just past it.  Forward, a deleted page is
 * passed over to its right sibling, which holds its items; backward, the
 * current leaf is read again before going left whenever its left-link has
 * changed since it was read (a leaf to its left was merged into it, or
 * split), and so are the items merged into it.
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

static void position_batch(DynBtScan *scan, bool forward);

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
	scan->lastidx = -1;
	scan->dir = ForwardScanDirection;
	/* the table's items: keys starting with its keyspace byte (dynpg_index.h) */
	scan->bounded = true;
	scan->bounds.upper = palloc0(1);
	scan->bounds.upperlen = 1;
	scan->bounds.upper_prefix = true;
	dynpg_bt_scan_opened(1);
	dynpg_bt_scan_bulkread(scan);
	return scan;
}

/*
 * A scan of (a large part of) a table larger than a quarter of
 * shared_buffers reads its leaves through a small ring of buffers, as heap's
 * sequential scans do, rather than evicting everyone else's pages.
 */
void
dynpg_bt_scan_bulkread(DynBtScan *scan)
{
	if (scan->strategy == NULL && !RelationUsesLocalBuffers(scan->rel) &&
		RelationGetNumberOfBlocks(scan->rel) > (BlockNumber) (NBuffers / 4))
		scan->strategy = GetAccessStrategy(BAS_BULKREAD);
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

	/* a range is read without the ring (dynpg_bt_scan_bulkread for a Scan) */
	if (scan->strategy != NULL)
	{
		FreeAccessStrategy(scan->strategy);
		scan->strategy = NULL;
	}
	scan->bounded = true;
	scan->dir = dir;
	pfree(scan->bounds.upper);
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
	scan->started = false;
	scan->lastidx = -1;
	scan->n = 0;
	scan->pos = -1;
	scan->blkno = scan->left = scan->right = InvalidBlockNumber;
	scan->past_lower = scan->past_upper = false;
	scan->have_last = false;
	scan->ran_off = false;
}

void
dynpg_bt_scan_end(DynBtScan *scan)
{
	dynpg_bt_scan_opened(-1);
	if (scan->strategy != NULL)
		FreeAccessStrategy(scan->strategy);
	MemoryContextDelete(scan->batchcxt);
	if (scan->bounds.lower != NULL)
		pfree(scan->bounds.lower);
	if (scan->bounds.upper != NULL)
		pfree(scan->bounds.upper);
	pfree(scan);
}

/*
 * The key of the version returned last, from the batch while it is there:
 * copied to lastkey only when the batch is about to be replaced.
 */
static void
keep_last(DynBtScan *scan)
{
	if (scan->lastidx >= 0)
	{
		scan->lastkeylen = scan->keylens[scan->lastidx];
		memcpy(scan->lastkey, scan->keys[scan->lastidx], scan->lastkeylen);
		scan->lastidx = -1;
	}
}

const uint8 *
dynpg_bt_scan_key(DynBtScan *scan, int *keylen)
{
	if (scan->lastidx >= 0)
	{
		*keylen = scan->keylens[scan->lastidx];
		return scan->keys[scan->lastidx];
	}
	*keylen = scan->lastkeylen;
	return scan->lastkey;
}

/* Room in the batch for a leaf of 'maxoff' items (kept from leaf to leaf). */
static void
batch_reserve(DynBtScan *scan, int maxoff)
{
	/* key and payload of each version, the payload maxaligned */
	Size		need = BLCKSZ + MAXIMUM_ALIGNOF * (Size) (maxoff + 1);

	if (maxoff > scan->cap)
	{
		int			cap = Max(maxoff, Max(scan->cap * 2, 64));

		if (scan->cap > 0)
		{
			pfree(scan->vids);
			pfree(scan->payloads);
			pfree(scan->keys);
			pfree(scan->keylens);
		}
		scan->vids = MemoryContextAlloc(scan->batchcxt, sizeof(uint64) * cap);
		scan->payloads = MemoryContextAlloc(scan->batchcxt, sizeof(struct varlena *) * cap);
		scan->keys = MemoryContextAlloc(scan->batchcxt, sizeof(uint8 *) * cap);
		scan->keylens = MemoryContextAlloc(scan->batchcxt, sizeof(uint16) * cap);
		scan->cap = cap;
	}
	if (need > scan->datacap)
	{
		if (scan->data != NULL)
			pfree(scan->data);
		scan->data = MemoryContextAlloc(scan->batchcxt, need);
		scan->datacap = need;
	}
}

/*
 * Copy the visible versions of the leaf in 'buf' (share-locked) into the
 * batch, which they replace.  A leaf tuple holds its key and then its
 * payload, so each version is one copy, placed so that the payload starts
 * maxaligned (a 4-byte varlena header is read as an int).
 */
static void
load_leaf(DynBtScan *scan, Buffer buf)
{
	Page		page = BufferGetPage(buf);
	BlockNumber blkno = BufferGetBlockNumber(buf);
	DynBtPageOpaque op = DynBtPageGetOpaque(page);
	OffsetNumber maxoff = PageGetMaxOffsetNumber(page);
	OffsetNumber off;
	Snapshot	snapshot = scan->snapshot;
	Size		used = 0;
	int			n = 0;
	bool		check_lower;
	bool		check_upper;

	if (!DYN_BT_IS_LEAF(op) || DYN_BT_IS_DELETED(op))
		elog(ERROR, "dynpg: scan reached a non-leaf or deleted page at block %u", blkno);
	keep_last(scan);
	batch_reserve(scan, maxoff);
	scan->past_lower = scan->past_upper = false;
	/*
	 * Keys are checked against a bound only while they can cross it: the
	 * lower one until a key is not below it (items are in key order), the
	 * upper one not at all when the high key is not above it (every key
	 * of the leaf is below its high key).
	 */
	check_lower = scan->bounded && scan->bounds.lower != NULL;
	check_upper = scan->bounded && scan->bounds.upper != NULL;
	if (check_upper && !DYN_BT_IS_RIGHTMOST(op))
	{
		DynBtKey	hikey;

		dynpg_bt_item_key(page, DYN_BT_HIKEY, false, &hikey);
		if (above_upper(&scan->bounds, hikey.key, hikey.keylen))
			scan->past_upper = true;
		else
			check_upper = false;
	}
	for (off = DYN_BT_FIRSTDATA(op); off <= maxoff; off++)
	{
		DynBtLeafEntry e;
		uint16		keylen;
		char	   *dst;

		dynpg_bt_leaf_entry(page, off, blkno, &e);
		keylen = e.h.keylen;
		if (check_lower)
		{
			if (below_lower(&scan->bounds, e.key, keylen))
			{
				scan->past_lower = true;
				continue;
			}
			check_lower = false;
		}
		if (check_upper && above_upper(&scan->bounds, e.key, keylen))
		{
			/* leaf items are in key order: the rest are above too */
			scan->past_upper = true;
			break;
		}
		if (snapshot != NULL &&
			!dynpg_bt_header_visible_cached(&e.h, blkno, snapshot, &scan->vis))
			continue;
		/* the tuple's key and payload are adjacent: one copy */
		used = MAXALIGN(used + keylen) - keylen;
		Assert(used + keylen + e.plen <= scan->datacap);
		dst = scan->data + used;
		memcpy(dst, e.key, keylen + e.plen);
		scan->keys[n] = (uint8 *) dst;
		scan->keylens[n] = keylen;
		scan->payloads[n] = (struct varlena *) (dst + keylen);
		scan->vids[n] = e.h.vid;
		used += keylen + e.plen;
		n++;
	}
	scan->n = n;
	scan->blkno = blkno;
	scan->left = op->left;
	scan->right = op->right;
	scan->arrivals = dynpg_bt_arrivals(BufferGetPage(buf));
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
 * The leaf immediately left of leaf 'blkno', share-locked (it may be a
 * deleted page whose right-link is 'blkno'), or InvalidBuffer at the left
 * end.  'left' is the left-link 'blkno' had when the scan read it: that
 * page, or one it split into, is still left of 'blkno' unless merged
 * away, so the walk need not read 'blkno' again: if the page has split
 * since, its right-link is no longer 'blkno', and moving right from it
 * finds the page that now is.  If 'blkno' itself has left the level
 * (merged into its right sibling), *gone is set and InvalidBuffer returned.
 */
static Buffer
left_of(Relation rel, BlockNumber blkno, BlockNumber left, bool *gone)
{
	int			steps = 0;

	*gone = false;
	while (left != DYN_BT_NONE)
	{
		Buffer		buf;
		DynBtPageOpaque op;

		CHECK_FOR_INTERRUPTS();
		buf = dynpg_bt_getbuf(rel, left, BUFFER_LOCK_SHARE);
		op = DynBtPageGetOpaque(BufferGetPage(buf));
		if (op->right == blkno)
			return buf;
		if (op->right == DYN_BT_NONE || ++steps % 16 == 0)
		{
			/* a long way right: has 'blkno' left the level? */
			Buffer		b = dynpg_bt_getbuf(rel, blkno, BUFFER_LOCK_SHARE);

			*gone = DYN_BT_IS_DELETED(DynBtPageGetOpaque(BufferGetPage(b)));
			UnlockReleaseBuffer(b);
			if (*gone)
			{
				UnlockReleaseBuffer(buf);
				return InvalidBuffer;
			}
			if (op->right == DYN_BT_NONE)
				elog(ERROR, "dynpg: could not find the left sibling of block %u in \"%s\"",
					 blkno, RelationGetRelationName(rel));
		}
		/* it split after we read the link: the new page is nearer */
		left = op->right;
		UnlockReleaseBuffer(buf);
	}
	return InvalidBuffer;
}

/*
 * Whether leaf 'blkno', read by the scan when its dynpg_bt_arrivals() was
 * 'arrivals', has since taken items from its left (a merge or a shift) or
 * left the level itself.
 * This looks at a page the scan has just read, so it is not counted as a
 * page read.
 */
static bool
merged_since(Relation rel, BlockNumber blkno, uint64 arrivals)
{
	Buffer		buf = ReadBuffer(rel, blkno);
	DynBtPageOpaque op;
	bool		changed;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	dynpg_bt_check_page(rel, buf);
	op = DynBtPageGetOpaque(BufferGetPage(buf));
	changed = DYN_BT_IS_DELETED(op) || dynpg_bt_arrivals(BufferGetPage(buf)) != arrivals;
	UnlockReleaseBuffer(buf);
	return changed;
}

/*
 * Read again, for a backward move, the leaf that holds the scan's position
 * now: items were merged into leaf 'blkno' after the scan read it (or it
 * was merged into its right sibling).  Not simply 'blkno' again: once
 * items arrived from the left, a split of 'blkno' may have moved some of
 * them -- keys below the last one returned -- to a new page on its right.
 * So the leaf is found by a descent for the last (key, VID) returned, and
 * the walk goes left from there.  Before anything was returned, 'blkno'
 * (or the live page right of it).
 */
static void
reload_backward(DynBtScan *scan, BlockNumber blkno)
{
	Buffer		buf;

	dynpg_bt_reads.rereads++;
	keep_last(scan);
	if (scan->have_last)
		buf = start_leaf(scan, scan->lastkey, scan->lastkeylen, scan->lastvid);
	else
		buf = dynpg_bt_live_right(scan->rel,
								  dynpg_bt_getbuf(scan->rel, blkno, BUFFER_LOCK_SHARE),
								  BUFFER_LOCK_SHARE);
	load_leaf(scan, buf);
	UnlockReleaseBuffer(buf);
	position_batch(scan, false);
}

/* Batch item i against the last returned (key, VID): <0, 0, >0. */
static int
cmp_last(DynBtScan *scan, int i)
{
	DynBtKey	a;
	DynBtKey	b;

	a.key = scan->keys[i];
	a.keylen = scan->keylens[i];
	a.vid = scan->vids[i];
	b.key = scan->lastkey;
	b.keylen = scan->lastkeylen;
	b.vid = scan->lastvid;
	return dynpg_bt_compare(&a, &b);
}

/*
 * Position a freshly loaded batch for a move in 'forward' direction: just
 * past the last version returned (or at it, when the scan had run off the
 * other end and is turning round: the executor expects that version again).
 */
static void
position_batch(DynBtScan *scan, bool forward)
{
	bool		inclusive = scan->ran_off;
	int			i;

	if (!scan->have_last)
	{
		scan->pos = forward ? -1 : scan->n;
		return;
	}
	if (forward)
	{
		for (i = 0; i < scan->n; i++)
		{
			int			c = cmp_last(scan, i);

			if (c > 0 || (c == 0 && inclusive))
				break;
		}
		scan->pos = i - 1;
	}
	else
	{
		for (i = scan->n - 1; i >= 0; i--)
		{
			int			c = cmp_last(scan, i);

			if (c < 0 || (c == 0 && inclusive))
				break;
		}
		scan->pos = i + 1;
	}
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
			scan->lastidx = next;
			scan->lastvid = scan->vids[next];
			scan->have_last = true;
			scan->ran_off = false;
			return true;
		}
		/* off the end of this batch: the neighbouring leaf, if any */
		CHECK_FOR_INTERRUPTS();
		if (forward)
		{
			if (scan->right == DYN_BT_NONE || (scan->bounded && scan->past_upper))
			{
				scan->pos = scan->n;
				scan->ran_off = true;
				return false;
			}
			buf = dynpg_bt_live_right(scan->rel,
									  dynpg_bt_getbuf_ext(scan->rel, scan->right, BUFFER_LOCK_SHARE,
														  scan->strategy),
									  BUFFER_LOCK_SHARE);
			load_leaf(scan, buf);
			UnlockReleaseBuffer(buf);
			position_batch(scan, true);
		}
		else
		{
			BlockNumber xblk;
			uint64		xarrivals;
			bool		gone;

			if (scan->bounded && scan->past_lower)
			{
				scan->pos = -1;
				scan->ran_off = true;
				return false;
			}
			/*
			 * Go left from the leaf we stand on (X) to L.  A merge or a
			 * shift moves a leaf's items right, possibly into X after we
			 * read it; so once L is read, X is checked: if items arrived on
			 * X from its left (or X was merged into its right sibling)
			 * since, L's copy is dropped and X read again, below what we
			 * returned.  A merge or shift after L was read moves only items
			 * L's copy already holds.
			 */
			xblk = scan->blkno;
			xarrivals = scan->arrivals;
			buf = left_of(scan->rel, xblk, scan->left, &gone);
			if (gone)
			{
				reload_backward(scan, xblk);
				continue;
			}
			if (!BufferIsValid(buf))
			{
				if (merged_since(scan->rel, xblk, xarrivals))
				{
					reload_backward(scan, xblk);
					continue;
				}
				scan->pos = -1;
				scan->ran_off = true;
				return false;
			}
			if (DYN_BT_IS_DELETED(DynBtPageGetOpaque(BufferGetPage(buf))))
			{
				/* L was merged into X after we read X */
				UnlockReleaseBuffer(buf);
				reload_backward(scan, xblk);
				continue;
			}
			load_leaf(scan, buf);
			UnlockReleaseBuffer(buf);
			if (merged_since(scan->rel, xblk, xarrivals))
			{
				reload_backward(scan, xblk);
				continue;
			}
			position_batch(scan, false);
		}
	}
}

bool
dynpg_bt_scan_next(DynBtScan *scan, uint64 *vid, struct varlena **payload)
{
	return dynpg_bt_scan_next_dir(scan, ForwardScanDirection, vid, payload);
}
