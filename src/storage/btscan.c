/*-------------------------------------------------------------------------
 *
 * btscan.c
 *	  Full scans of the dynpg B-tree, a leaf at a time.
 *
 * A scan reads the leaves left to right.  On each leaf (share lock) it
 * copies out the versions visible to its snapshot and the right-link, then
 * releases the page; nothing points into a buffer afterwards.  A split of
 * a page already read moves only items the scan has copied (or that its
 * snapshot cannot see) to a new right page, which the saved right-link
 * skips; a split of a page not yet read is followed through its right-link.
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
	scan->next_blk = InvalidBlockNumber;
	return scan;
}

void
dynpg_bt_scan_rescan(DynBtScan *scan)
{
	MemoryContextReset(scan->batchcxt);
	scan->started = false;
	scan->done = false;
	scan->n = scan->pos = 0;
	scan->next_blk = InvalidBlockNumber;
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
	scan->n = scan->pos = 0;
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
	scan->next_blk = op->right;
	scan->pages++;
}

/*
 * The next visible version: its VID and stored payload (valid until the
 * next call).  False at the end.
 */
bool
dynpg_bt_scan_next(DynBtScan *scan, uint64 *vid, struct varlena **payload)
{
	while (scan->pos >= scan->n)
	{
		Buffer		buf;

		if (scan->done)
			return false;
		CHECK_FOR_INTERRUPTS();
		if (!scan->started)
		{
			buf = dynpg_bt_first_leaf(scan->rel);
			scan->started = true;
		}
		else if (scan->next_blk == DYN_BT_NONE)
		{
			scan->done = true;
			MemoryContextReset(scan->batchcxt);
			scan->n = scan->pos = 0;
			return false;
		}
		else
			buf = dynpg_bt_getbuf(scan->rel, scan->next_blk, BUFFER_LOCK_SHARE);
		load_leaf(scan, buf);
		UnlockReleaseBuffer(buf);
	}
	*vid = scan->vids[scan->pos];
	*payload = scan->payloads[scan->pos];
	scan->pos++;
	return true;
}
