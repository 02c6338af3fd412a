/*-------------------------------------------------------------------------
 *
 * btvacuum.c
 *	  VACUUM of the dynpg B-tree: prune dead versions, freeze old ones,
 *	  compute the new relfrozenxid.
 *
 * The leaves are visited left to right, each under an exclusive lock.  On
 * each leaf:
 *	- a version whose creator aborted is removed;
 *	- a version deleted by a committed transaction that no snapshot can
 *	  still see past (GlobalVisTestIsRemovableXid) is removed, and its
 *	  out-of-line payload is deleted from the TOAST relation;
 *	- an xmax left by an aborted deleter is cleared;
 *	- a committed xmin older than the freeze limit is marked frozen.
 * A leaf with removals is preceded in WAL by a PRUNE_CONFLICT record
 * (btxlog.c) for standbys; the page change itself is one generic record.
 * Emptied leaves stay in the tree and are reused by later inserts in their
 * key range (README, "Vacuum").
 *
 * relfrozenxid: every xid left on disk is seen by this pass, because items
 * only ever move right, within the chain of leaves we follow, and anything
 * written during the pass carries an xid no older than OldestXmin; so the
 * minimum of what we saw and OldestXmin is a safe new relfrozenxid.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "access/toast_internals.h"
#include "access/transam.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "storage/bufmgr.h"
#include "storage/procarray.h"
#include "utils/snapmgr.h"

#include "storage/dynpg_bt.h"
#include "storage/dynpg_xlog.h"

static bool
xid_committed(TransactionId xid)
{
	return !TransactionIdIsInProgress(xid) && TransactionIdDidCommit(xid);
}

static bool
xid_aborted(TransactionId xid)
{
	return !TransactionIdIsInProgress(xid) && !TransactionIdDidCommit(xid);
}

/*
 * Prune and freeze one exclusively locked leaf (see the file header).
 * freeze_limit InvalidTransactionId freezes nothing.  Out-of-line payloads
 * of removed versions are appended to *toast for the caller to delete once
 * the page is unlocked.  Updates *stats and *min_xid; returns the number of
 * versions removed.
 */
int
dynpg_bt_prune_leaf(Relation rel, Buffer buf, TransactionId freeze_limit,
					GlobalVisState *vistest, DynBtVacuumStats *stats,
					TransactionId *min_xid, List **toast)
{
	Page		page = BufferGetPage(buf);
	DynBtPageOpaque op = DynBtPageGetOpaque(page);
	BlockNumber blkno = BufferGetBlockNumber(buf);
	OffsetNumber maxoff = PageGetMaxOffsetNumber(page);
	OffsetNumber off;
	OffsetNumber *deletable;
	int			ndeletable = 0;
	OffsetNumber *changed;
	uint16	   *new_infomask;
	TransactionId *new_xmax;
	int			nchanged = 0;
	TransactionId latest_removed = InvalidTransactionId;
	int			i;

	if (!DYN_BT_IS_LEAF(op))
		elog(ERROR, "dynpg: pruning a non-leaf page at block %u", blkno);
	deletable = palloc(sizeof(OffsetNumber) * (maxoff + 1));
	changed = palloc(sizeof(OffsetNumber) * (maxoff + 1));
	new_infomask = palloc(sizeof(uint16) * (maxoff + 1));
	new_xmax = palloc(sizeof(TransactionId) * (maxoff + 1));

	for (off = DYN_BT_FIRSTDATA(op); off <= maxoff; off++)
	{
		DynBtVersion v;
		bool		frozen;
		bool		created;
		bool		remove;
		uint16		infomask;
		TransactionId xmax;

		dynpg_bt_copy_version(page, off, blkno, &v, false);
		frozen = (v.infomask & DYN_BT_XMIN_FROZEN) != 0;
		created = frozen || xid_committed(v.xmin);
		remove = (!frozen && xid_aborted(v.xmin)) ||
			(created && TransactionIdIsValid(v.xmax) && xid_committed(v.xmax) &&
			 GlobalVisTestIsRemovableXid(vistest, v.xmax));
		if (remove)
		{
			DynBtVersion pv;

			deletable[ndeletable++] = off;
			if (created && (!TransactionIdIsValid(latest_removed) ||
							TransactionIdFollows(v.xmax, latest_removed)))
				latest_removed = v.xmax;
			dynpg_bt_copy_version(page, off, blkno, &pv, true);
			if (VARATT_IS_EXTERNAL_ONDISK(pv.payload))
				*toast = lappend(*toast, pv.payload);
			else
				pfree(pv.payload);
			stats->removed++;
			continue;
		}
		infomask = v.infomask;
		xmax = v.xmax;
		if (TransactionIdIsValid(freeze_limit) && created && !frozen &&
			TransactionIdPrecedes(v.xmin, freeze_limit))
		{
			infomask |= DYN_BT_XMIN_FROZEN;
			stats->frozen++;
		}
		if (TransactionIdIsValid(xmax) && xid_aborted(xmax))
			xmax = InvalidTransactionId;
		if (infomask != v.infomask || xmax != v.xmax)
		{
			changed[nchanged] = off;
			new_infomask[nchanged] = infomask;
			new_xmax[nchanged] = xmax;
			nchanged++;
		}
		if (!(infomask & DYN_BT_XMIN_FROZEN) && TransactionIdIsNormal(v.xmin) &&
			TransactionIdPrecedes(v.xmin, *min_xid))
			*min_xid = v.xmin;
		if (TransactionIdIsNormal(xmax) && TransactionIdPrecedes(xmax, *min_xid))
			*min_xid = xmax;
		if (created && !TransactionIdIsValid(xmax))
			stats->live++;
		else
			stats->dead++;
	}

	if (ndeletable > 0 || nchanged > 0)
	{
		GenericXLogState *state;
		Page		p;

		if (ndeletable > 0)
			dynpg_xlog_prune_conflict(rel, latest_removed);
		state = GenericXLogStart(rel);
		p = GenericXLogRegisterBuffer(state, buf, 0);
		/* headers first: deleting items renumbers the offsets */
		for (i = 0; i < nchanged; i++)
		{
			char	   *item = PageGetItem(p, PageGetItemId(p, changed[i]));
			DynBtLeafTupleData h;

			memcpy(&h, item, DYN_BT_LEAF_HDRSZ);
			h.infomask = new_infomask[i];
			h.xmax = new_xmax[i];
			memcpy(item, &h, DYN_BT_LEAF_HDRSZ);
		}
		if (ndeletable > 0)
			PageIndexMultiDelete(p, deletable, ndeletable);
		GenericXLogFinish(state);
	}
	pfree(deletable);
	pfree(changed);
	pfree(new_infomask);
	pfree(new_xmax);
	return ndeletable;
}

/* Delete the out-of-line payloads of removed versions (no buffer locks held). */
void
dynpg_bt_delete_toast(Relation rel, List *toast)
{
	ListCell   *lc;

	foreach(lc, toast)
		toast_delete_datum(rel, PointerGetDatum(lfirst(lc)), false);
}

void
dynpg_bt_vacuum(Relation rel, TransactionId oldest_xmin, TransactionId freeze_limit,
				GlobalVisState *vistest, DynBtVacuumStats *stats)
{
	Buffer		buf;
	BlockNumber blkno;
	TransactionId min_xid = oldest_xmin;

	memset(stats, 0, sizeof(*stats));
	buf = dynpg_bt_first_leaf(rel);
	blkno = BufferGetBlockNumber(buf);
	UnlockReleaseBuffer(buf);

	while (blkno != DYN_BT_NONE)
	{
		List	   *toast = NIL;
		BlockNumber next;

		vacuum_delay_point();
		buf = dynpg_bt_getbuf(rel, blkno, BUFFER_LOCK_EXCLUSIVE);
		(void) dynpg_bt_prune_leaf(rel, buf, freeze_limit, vistest, stats, &min_xid, &toast);
		next = DynBtPageGetOpaque(BufferGetPage(buf))->right;
		UnlockReleaseBuffer(buf);
		stats->pages++;
		dynpg_bt_delete_toast(rel, toast);
		list_free_deep(toast);
		blkno = next;
	}
	stats->new_frozenxid = min_xid;
}
