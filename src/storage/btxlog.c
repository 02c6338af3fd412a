/*-------------------------------------------------------------------------
 *
 * btxlog.c
 *	  dynpg's custom WAL resource manager.
 *
 * Four records.  Three change one page and exist because a generic
 * record of these frequent changes diffs most of the page (inserting a line
 * pointer shifts every one after it):
 *	- INSERT: one tuple into one leaf, when it fits without a split and no
 *	  child's split is completed with it (btinsert.c's insert_on_page, from
 *	  dynpg_bt_insert_leaf: a put's new version);
 *	- SET_XMAX: a version's xmax and cmax (dynpg_bt_set_xmax: a version
 *	  deleted, or replaced where REPLACE was not possible, its successor
 *	  then inserted by a separate INSERT or split);
 *	- REPLACE: both on one leaf, the old version's xmax and its new version
 *	  (dynpg_bt_replace_leaf).
 * Their redo repeats exactly what the do-path did, on a page restored from
 * its full-page image when one was taken; dynpg_rmgr_mask lets
 * wal_consistency_checking = 'all' compare them.
 *
 * The fourth, PRUNE_CONFLICT, changes no page: it carries what generic WAL
 * cannot, the newest xid whose versions a prune removes (btvacuum.c,
 * before the pruned leaf's generic record) or the safexid of a deleted
 * page about to be reused (btpage.c); its redo on a hot standby cancels
 * the standby queries whose snapshots could still see those versions or
 * that page (ResolveRecoveryConflictWithSnapshot), as heap and nbtree do.
 *
 * Every other page change (splits, downlink inserts, new roots, VID
 * batches, pruning and freezing, leaf merges) is a GenericXLog record
 * (storage/README, "WAL").
 *
 * The resource manager must be registered while shared_preload_libraries
 * is processed (dynpg.c), and a server replaying dynpg WAL needs dynpg
 * preloaded.  DYNPG_RMGR_ID is PostgreSQL's experimental id for now; a
 * release registers its own id.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xlog.h"
#include "access/xlog_internal.h"
#include "access/xloginsert.h"
#include "access/xlogreader.h"
#include "access/bufmask.h"
#include "miscadmin.h"
#include "access/xlogutils.h"
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "storage/standby.h"

#include "storage/dynpg_bt.h"
#include "storage/dynpg_xlog.h"

static void
redo_insert(XLogReaderState *record)
{
	xl_dynpg_insert *xlrec = (xl_dynpg_insert *) XLogRecGetData(record);
	Buffer		buf;

	if (XLogReadBufferForRedo(record, 0, &buf) == BLK_NEEDS_REDO)
	{
		Page		page = BufferGetPage(buf);
		Size		len;
		char	   *tuple = XLogRecGetBlockData(record, 0, &len);

		DYN_BT_CHECK_DEFINED(tuple, len);
		if (PageAddItem(page, (Item) tuple, len, xlrec->offnum, false, false) != xlrec->offnum)
			elog(PANIC, "dynpg redo: failed to add an item at offset %u", xlrec->offnum);
		PageSetLSN(page, record->EndRecPtr);
		MarkBufferDirty(buf);
	}
	if (BufferIsValid(buf))
		UnlockReleaseBuffer(buf);
}

static void
apply_set_xmax(Page page, OffsetNumber off, TransactionId xmax, CommandId cmax)
{
	ItemId		iid;
	char	   *item;
	DynBtLeafTupleData h;

	if (off < FirstOffsetNumber || off > PageGetMaxOffsetNumber(page))
		elog(PANIC, "dynpg: no version at offset %u to mark deleted", off);
	iid = PageGetItemId(page, off);
	if (ItemIdGetLength(iid) < DYN_BT_LEAF_HDRSZ)
		elog(PANIC, "dynpg: no version at offset %u to mark deleted", off);
	item = PageGetItem(page, iid);
	memcpy(&h, item, DYN_BT_LEAF_HDRSZ);
	h.xmax = xmax;
	h.cmax = cmax;
	memcpy(item, &h, DYN_BT_LEAF_HDRSZ);
}

static void
redo_set_xmax(XLogReaderState *record)
{
	xl_dynpg_set_xmax *xlrec = (xl_dynpg_set_xmax *) XLogRecGetData(record);
	Buffer		buf;

	if (XLogReadBufferForRedo(record, 0, &buf) == BLK_NEEDS_REDO)
	{
		Page		page = BufferGetPage(buf);

		apply_set_xmax(page, xlrec->offnum, xlrec->xmax, xlrec->cmax);
		PageSetLSN(page, record->EndRecPtr);
		MarkBufferDirty(buf);
	}
	if (BufferIsValid(buf))
		UnlockReleaseBuffer(buf);
}

static void
redo_replace(XLogReaderState *record)
{
	xl_dynpg_replace *xlrec = (xl_dynpg_replace *) XLogRecGetData(record);
	Buffer		buf;

	if (XLogReadBufferForRedo(record, 0, &buf) == BLK_NEEDS_REDO)
	{
		Page		page = BufferGetPage(buf);
		Size		len;
		char	   *tuple = XLogRecGetBlockData(record, 0, &len);

		apply_set_xmax(page, xlrec->offnum_old, xlrec->xmax, xlrec->cmax);
		DYN_BT_CHECK_DEFINED(tuple, len);
		if (PageAddItem(page, (Item) tuple, len, xlrec->offnum_new, false, false) != xlrec->offnum_new)
			elog(PANIC, "dynpg redo: failed to add an item at offset %u", xlrec->offnum_new);
		PageSetLSN(page, record->EndRecPtr);
		MarkBufferDirty(buf);
	}
	if (BufferIsValid(buf))
		UnlockReleaseBuffer(buf);
}

static void
dynpg_rmgr_redo(XLogReaderState *record)
{
	uint8		info = XLogRecGetInfo(record) & ~XLR_INFO_MASK;

	switch (info)
	{
		case XLOG_DYNPG_PRUNE_CONFLICT:
			{
				xl_dynpg_prune_conflict *xlrec =
				(xl_dynpg_prune_conflict *) XLogRecGetData(record);

				if (InHotStandby)
					ResolveRecoveryConflictWithSnapshot(xlrec->latestRemovedXid, xlrec->node);
				break;
			}
		case XLOG_DYNPG_INSERT:
			redo_insert(record);
			break;
		case XLOG_DYNPG_SET_XMAX:
			redo_set_xmax(record);
			break;
		case XLOG_DYNPG_REPLACE:
			redo_replace(record);
			break;
		default:
			elog(PANIC, "dynpg_rmgr_redo: unknown op code %u", info);
	}
}

/* For wal_consistency_checking: what may differ between primary and replay. */
static void
dynpg_rmgr_mask(char *pagedata, BlockNumber blkno)
{
	mask_page_lsn_and_checksum(pagedata);
	mask_unused_space(pagedata);
}

static void
dynpg_rmgr_desc(StringInfo buf, XLogReaderState *record)
{
	uint8		info = XLogRecGetInfo(record) & ~XLR_INFO_MASK;

	if (info == XLOG_DYNPG_PRUNE_CONFLICT)
	{
		xl_dynpg_prune_conflict *xlrec = (xl_dynpg_prune_conflict *) XLogRecGetData(record);

		appendStringInfo(buf, "rel %u/%u/%u latestRemovedXid %u",
						 xlrec->node.spcNode, xlrec->node.dbNode, xlrec->node.relNode,
						 xlrec->latestRemovedXid);
	}
	else if (info == XLOG_DYNPG_INSERT)
		appendStringInfo(buf, "off %u", ((xl_dynpg_insert *) XLogRecGetData(record))->offnum);
	else if (info == XLOG_DYNPG_SET_XMAX)
	{
		xl_dynpg_set_xmax *xlrec = (xl_dynpg_set_xmax *) XLogRecGetData(record);

		appendStringInfo(buf, "off %u xmax %u cmax %u", xlrec->offnum, xlrec->xmax, xlrec->cmax);
	}
	else if (info == XLOG_DYNPG_REPLACE)
	{
		xl_dynpg_replace *xlrec = (xl_dynpg_replace *) XLogRecGetData(record);

		appendStringInfo(buf, "old off %u xmax %u cmax %u, new off %u", xlrec->offnum_old,
						 xlrec->xmax, xlrec->cmax, xlrec->offnum_new);
	}
}

static const char *
dynpg_rmgr_identify(uint8 info)
{
	switch (info & ~XLR_INFO_MASK)
	{
		case XLOG_DYNPG_PRUNE_CONFLICT:
			return "PRUNE_CONFLICT";
		case XLOG_DYNPG_INSERT:
			return "INSERT";
		case XLOG_DYNPG_SET_XMAX:
			return "SET_XMAX";
		case XLOG_DYNPG_REPLACE:
			return "REPLACE";
	}
	return NULL;
}

static RmgrData dynpg_rmgr = {
	.rm_name = "dynpg",
	.rm_redo = dynpg_rmgr_redo,
	.rm_desc = dynpg_rmgr_desc,
	.rm_identify = dynpg_rmgr_identify,
	.rm_mask = dynpg_rmgr_mask,
};

void
dynpg_xlog_register(void)
{
	RegisterCustomRmgr(DYNPG_RMGR_ID, &dynpg_rmgr);
}

/* Log the conflict horizon of a prune that is about to happen. */
void
dynpg_xlog_prune_conflict(Relation rel, TransactionId latestRemovedXid)
{
	xl_dynpg_prune_conflict xlrec;

	if (!RelationNeedsWAL(rel) || !XLogStandbyInfoActive() ||
		!TransactionIdIsValid(latestRemovedXid))
		return;
	memset(&xlrec, 0, sizeof(xlrec));
	xlrec.node = rel->rd_node;
	xlrec.latestRemovedXid = latestRemovedXid;
	XLogBeginInsert();
	XLogRegisterData((char *) &xlrec, sizeof(xlrec));
	(void) XLogInsert(DYNPG_RMGR_ID, XLOG_DYNPG_PRUNE_CONFLICT);
}

/*
 * Add 'tuple' at 'off' of the exclusively locked page 'buf' and log it.
 * The caller has checked that it fits: nothing in here may fail.
 */
void
dynpg_xlog_insert(Relation rel, Buffer buf, OffsetNumber off, const char *tuple, Size tuplesz)
{
	Page		page = BufferGetPage(buf);

	START_CRIT_SECTION();
	DYN_BT_CHECK_DEFINED(tuple, tuplesz);
	if (PageAddItem(page, (Item) tuple, tuplesz, off, false, false) != off)
		elog(PANIC, "dynpg: failed to add an item of %zu bytes at offset %u", tuplesz, off);
	MarkBufferDirty(buf);
	if (RelationNeedsWAL(rel))
	{
		xl_dynpg_insert xlrec;
		XLogRecPtr	recptr;

		memset(&xlrec, 0, sizeof(xlrec));
		xlrec.offnum = off;
		XLogBeginInsert();
		XLogRegisterData((char *) &xlrec, sizeof(xlrec));
		XLogRegisterBuffer(0, buf, REGBUF_STANDARD);
		XLogRegisterBufData(0, (char *) tuple, tuplesz);
		recptr = XLogInsert(DYNPG_RMGR_ID, XLOG_DYNPG_INSERT);
		PageSetLSN(page, recptr);
	}
	END_CRIT_SECTION();
}

/* Set the xmax and cmax of the version at 'off' of the locked leaf 'buf', and log it. */
void
dynpg_xlog_set_xmax(Relation rel, Buffer buf, OffsetNumber off, TransactionId xmax, CommandId cmax)
{
	Page		page = BufferGetPage(buf);

	START_CRIT_SECTION();
	apply_set_xmax(page, off, xmax, cmax);
	MarkBufferDirty(buf);
	if (RelationNeedsWAL(rel))
	{
		xl_dynpg_set_xmax xlrec;
		XLogRecPtr	recptr;

		memset(&xlrec, 0, sizeof(xlrec));	/* no uninitialized padding in WAL */
		xlrec.offnum = off;
		xlrec.xmax = xmax;
		xlrec.cmax = cmax;
		XLogBeginInsert();
		XLogRegisterData((char *) &xlrec, sizeof(xlrec));
		XLogRegisterBuffer(0, buf, REGBUF_STANDARD);
		recptr = XLogInsert(DYNPG_RMGR_ID, XLOG_DYNPG_SET_XMAX);
		PageSetLSN(page, recptr);
	}
	END_CRIT_SECTION();
}

/*
 * Mark the version at 'off_old' of the exclusively locked leaf 'buf'
 * deleted and add 'tuple' at 'off_new' (its place before either change),
 * as one record.  The caller has checked that it fits.
 */
void
dynpg_xlog_replace(Relation rel, Buffer buf, OffsetNumber off_old, TransactionId xmax,
				   CommandId cmax, OffsetNumber off_new, const char *tuple, Size tuplesz)
{
	Page		page = BufferGetPage(buf);

	START_CRIT_SECTION();
	apply_set_xmax(page, off_old, xmax, cmax);
	DYN_BT_CHECK_DEFINED(tuple, tuplesz);
	if (PageAddItem(page, (Item) tuple, tuplesz, off_new, false, false) != off_new)
		elog(PANIC, "dynpg: failed to add an item of %zu bytes at offset %u", tuplesz, off_new);
	MarkBufferDirty(buf);
	if (RelationNeedsWAL(rel))
	{
		xl_dynpg_replace xlrec;
		XLogRecPtr	recptr;

		memset(&xlrec, 0, sizeof(xlrec));
		xlrec.offnum_old = off_old;
		xlrec.offnum_new = off_new;
		xlrec.xmax = xmax;
		xlrec.cmax = cmax;
		XLogBeginInsert();
		XLogRegisterData((char *) &xlrec, sizeof(xlrec));
		XLogRegisterBuffer(0, buf, REGBUF_STANDARD);
		XLogRegisterBufData(0, (char *) tuple, tuplesz);
		recptr = XLogInsert(DYNPG_RMGR_ID, XLOG_DYNPG_REPLACE);
		PageSetLSN(page, recptr);
	}
	END_CRIT_SECTION();
}
