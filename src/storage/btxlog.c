/*-------------------------------------------------------------------------
 *
 * btxlog.c
 *	  dynpg's custom WAL resource manager.
 *
 * Page changes are WAL-logged as GenericXLog records (the page images or
 * byte diffs), which replay physically but carry no meaning.  What generic
 * WAL cannot carry goes here: before a page is pruned, a PRUNE_CONFLICT
 * record with the newest xid whose versions the prune removes; its redo on
 * a hot standby cancels the standby queries whose snapshots could still see
 * those versions (ResolveRecoveryConflictWithSnapshot), as heap and nbtree
 * do.  The record changes no page, so it needs no masking.
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
#include "access/xlogutils.h"
#include "storage/standby.h"

#include "storage/dynpg_xlog.h"

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
		default:
			elog(PANIC, "dynpg_rmgr_redo: unknown op code %u", info);
	}
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
}

static const char *
dynpg_rmgr_identify(uint8 info)
{
	if ((info & ~XLR_INFO_MASK) == XLOG_DYNPG_PRUNE_CONFLICT)
		return "PRUNE_CONFLICT";
	return NULL;
}

static RmgrData dynpg_rmgr = {
	.rm_name = "dynpg",
	.rm_redo = dynpg_rmgr_redo,
	.rm_desc = dynpg_rmgr_desc,
	.rm_identify = dynpg_rmgr_identify,
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
	xlrec.node = rel->rd_node;
	xlrec.latestRemovedXid = latestRemovedXid;
	XLogBeginInsert();
	XLogRegisterData((char *) &xlrec, sizeof(xlrec));
	(void) XLogInsert(DYNPG_RMGR_ID, XLOG_DYNPG_PRUNE_CONFLICT);
}
