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
 * Backward: the page before leaf P is found as nbtree's _bt_walk_left does:
 * take P's current left-link L; if L has split meanwhile, L's right-link is
 * no longer P, so move right from L until the page whose right-link is P.
 * Pages are never deleted, so the walk always ends there.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"

#include "storage/dynpg_bt.h"
#include "storage/dynpg_btscan.h"

DynBtScan *
dynpg_bt_scan_begin(Relation rel, Snapshot snapshot)
{
	DynBtScan  *scan = palloc0(sizeof(DynBtScan));

	scan->rel = rel;
	scan->snapshot = snapshot;
	scan->batchcxt = AllocSetContextCreate(CurrentMemoryContext, "dynpg scan batch",
										   ALLOCSET_DEFAULT_SIZES);
	scan->blkno = InvalidBlockNumber;
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
}

void
dynpg_bt_scan_end(DynBtScan *scan)
{
	MemoryContextDelete(scan->batchcxt);
	pfree(scan);
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
	scan->vids = palloc(sizeof(uint64) * Max(maxoff, 1));
	scan->payloads = palloc(sizeof(struct varlena *) * Max(maxoff, 1));
	for (off = DYN_BT_FIRSTDATA(op); off <= maxoff; off++)
	{
		DynBtVersion v;

		dynpg_bt_copy_version(page, off, BufferGetBlockNumber(buf), &v, false);
		if (scan->snapshot != NULL && !dynpg_bt_version_visible(&v, scan->snapshot))
			continue;
		dynpg_bt_copy_version(page, off, BufferGetBlockNumber(buf), &v, true);
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

/* The leaf immediately left of leaf 'blkno', share-locked, or InvalidBuffer. */
static Buffer
left_of(Relation rel, BlockNumber blkno)
{
	Buffer		buf = dynpg_bt_getbuf(rel, blkno, BUFFER_LOCK_SHARE);
	BlockNumber left = DynBtPageGetOpaque(BufferGetPage(buf))->left;

	UnlockReleaseBuffer(buf);
	while (left != DYN_BT_NONE)
	{
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
		Buffer		buf = forward ? dynpg_bt_edge_leaf(scan->rel, false) : dynpg_bt_edge_leaf(scan->rel, true);

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
			if (scan->right == DYN_BT_NONE)
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
			buf = left_of(scan->rel, scan->blkno);
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
