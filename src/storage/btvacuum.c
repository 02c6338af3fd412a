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
 *
 * After a leaf is pruned, its left sibling is merged into it when both fit
 * comfortably in one page: the left sibling's items move right, it leaves
 * the level and its parent's downlinks, and it goes to the free space map
 * for a later split to reuse (README, "Page deletion and reuse").
 *
 * relfrozenxid: every xid left on disk is seen by this pass, because items
 * only ever move right (splits, and our own merges), within the chain of
 * leaves we follow, and anything
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
#include "storage/indexfsm.h"
#include "storage/lmgr.h"
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
 * versions removed.  stats->live counts the live versions of the table's
 * items only (keyspace 0, src/index/dynpg_index.h), the rows VACUUM reports
 * to reltuples and pg_stat: secondary-index entries share the relation but
 * are not rows.  removed, frozen and dead count versions of every keyspace.
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
		{
			DynBtKey	k;

			dynpg_bt_item_key(page, off, true, &k);
			if (k.keylen > 0 && k.key[0] == 0)
				stats->live++;
		}
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

/* Bytes a leaf's data items take (with their line pointers). */
static Size
leaf_used(Page page)
{
	DynBtPageOpaque op = DynBtPageGetOpaque(page);
	OffsetNumber off;
	Size		used = 0;

	for (off = DYN_BT_FIRSTDATA(op); off <= PageGetMaxOffsetNumber(page); off++)
		used += MAXALIGN(ItemIdGetLength(PageGetItemId(page, off))) + sizeof(ItemIdData);
	return used;
}

/*
 * Merge while the two leaves together fill at most two thirds of a page, so
 * the merged leaf still has room for inserts before it splits again.
 */
#define MERGE_LIMIT ((BLCKSZ - SizeOfPageHeaderData - MAXALIGN(sizeof(DynBtPageOpaqueData))) * 2 / 3)

/*
 * Merge the left sibling P of the pruned leaf 'sblk' (S) into S, if P's
 * items and S's together fill at most half a page and the tree allows it:
 * P is not the rightmost leaf or mid-split, and its parent holds the
 * downlinks to P and S side by side.  One WAL record changes the four
 * pages: L (P's left sibling) links to S; P becomes a deleted page that
 * keeps its links and records the next xid; S takes P's items and L as its
 * left sibling; the parent's downlink to P now leads to S and the one to S
 * goes.  Lock order is the usual one: L, P, S left to right, then the
 * parent.  Returns P's block number if merged, else InvalidBlockNumber.
 */
static BlockNumber
merge_left(Relation rel, BlockNumber sblk)
{
	Buffer		sbuf;
	Buffer		pbuf;
	Buffer		lbuf = InvalidBuffer;
	Buffer		qbuf = InvalidBuffer;
	BlockNumber pblk;
	BlockNumber lblk;
	DynBtPageOpaque op;
	DynBtMetaPageData meta;
	DynBtKey	lowkey = {NULL, 0, DYN_BT_VID_FIRST};
	uint8	   *lowkeybuf = NULL;
	DynBtStack	stack;
	Page		ppage;
	Page		spage;
	Page		qpage;
	OffsetNumber off;
	OffsetNumber pdown = InvalidOffsetNumber;
	GenericXLogState *state;
	Page		p;
	PGAlignedBlock deleted;
	DynBtDeletedData dd;
	OffsetNumber sfirst;
	int			i;
	bool		ok = false;

	dynpg_bt_read_meta(rel, &meta);
	if (meta.root_level == 0)
		return InvalidBlockNumber;

	/* a first, unlocked look: is there a P, and is it small? */
	sbuf = dynpg_bt_getbuf(rel, sblk, BUFFER_LOCK_SHARE);
	pblk = DynBtPageGetOpaque(BufferGetPage(sbuf))->left;
	if (pblk == DYN_BT_NONE ||
		leaf_used(BufferGetPage(sbuf)) > MERGE_LIMIT)
	{
		UnlockReleaseBuffer(sbuf);
		return InvalidBlockNumber;
	}
	UnlockReleaseBuffer(sbuf);
	pbuf = dynpg_bt_getbuf(rel, pblk, BUFFER_LOCK_SHARE);
	op = DynBtPageGetOpaque(BufferGetPage(pbuf));
	lblk = op->left;
	if (!DYN_BT_IS_LEAF(op) || DYN_BT_IS_DELETED(op) || DYN_BT_INCOMPLETE(op) ||
		op->right != sblk || leaf_used(BufferGetPage(pbuf)) > MERGE_LIMIT)
	{
		UnlockReleaseBuffer(pbuf);
		return InvalidBlockNumber;
	}
	UnlockReleaseBuffer(pbuf);

	/* lock L, P, S and check that nothing changed */
	if (lblk != DYN_BT_NONE)
	{
		DynBtKey	k;

		lbuf = dynpg_bt_getbuf(rel, lblk, BUFFER_LOCK_EXCLUSIVE);
		op = DynBtPageGetOpaque(BufferGetPage(lbuf));
		if (op->right != pblk || DYN_BT_IS_DELETED(op))
		{
			UnlockReleaseBuffer(lbuf);
			return InvalidBlockNumber;
		}
		/* P's low key, to find P's parent by */
		dynpg_bt_item_key(BufferGetPage(lbuf), DYN_BT_HIKEY, false, &k);
		lowkeybuf = palloc(Max(k.keylen, 1));
		memcpy(lowkeybuf, k.key, k.keylen);
		lowkey.key = lowkeybuf;
		lowkey.keylen = k.keylen;
		lowkey.vid = k.vid;
	}
	pbuf = dynpg_bt_getbuf(rel, pblk, BUFFER_LOCK_EXCLUSIVE);
	sbuf = dynpg_bt_getbuf(rel, sblk, BUFFER_LOCK_EXCLUSIVE);
	ppage = BufferGetPage(pbuf);
	spage = BufferGetPage(sbuf);
	op = DynBtPageGetOpaque(ppage);
	if (op->left != lblk || op->right != sblk || DYN_BT_IS_DELETED(op) || DYN_BT_INCOMPLETE(op))
		goto done;
	op = DynBtPageGetOpaque(spage);
	if (op->left != pblk || DYN_BT_IS_DELETED(op) || DYN_BT_INCOMPLETE(op) ||
		leaf_used(ppage) + leaf_used(spage) > MERGE_LIMIT ||
		PageGetExactFreeSpace(spage) < leaf_used(ppage))
		goto done;

	/* the parent, with the downlinks to P and S side by side */
	stack = dynpg_bt_search_level(rel, &lowkey, 1, &qbuf, BUFFER_LOCK_EXCLUSIVE);
	(void) stack;
	qpage = BufferGetPage(qbuf);
	op = DynBtPageGetOpaque(qpage);
	for (off = DYN_BT_FIRSTDATA(op); off < PageGetMaxOffsetNumber(qpage); off++)
	{
		DynBtInternalTupleData h;
		DynBtInternalTupleData hn;
		ItemId		iid = PageGetItemId(qpage, off);
		ItemId		nid = PageGetItemId(qpage, off + 1);

		if (!dynpg_bt_itemid_sane(iid) || !dynpg_bt_itemid_sane(nid) ||
			ItemIdGetLength(iid) < DYN_BT_INTERNAL_HDRSZ ||
			ItemIdGetLength(nid) < DYN_BT_INTERNAL_HDRSZ)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("dynpg: damaged downlink at block %u offset %u",
							BufferGetBlockNumber(qbuf), off)));
		memcpy(&h, PageGetItem(qpage, iid), DYN_BT_INTERNAL_HDRSZ);
		if (h.child != pblk)
			continue;
		memcpy(&hn, PageGetItem(qpage, nid), DYN_BT_INTERNAL_HDRSZ);
		if (hn.child == sblk)
			pdown = off;
		break;
	}
	if (pdown == InvalidOffsetNumber)
		goto done;

	/* P, deleted: its links as they are, and the next xid */
	dynpg_bt_init_page(deleted.data, 0, DYN_BT_LEAF | DYN_BT_DELETED);
	DynBtPageGetOpaque(deleted.data)->left = lblk;
	DynBtPageGetOpaque(deleted.data)->right = sblk;
	dd.safexid = ReadNextFullTransactionId();
	if (PageAddItem(deleted.data, (Item) &dd, sizeof(dd), FirstOffsetNumber, false, false) !=
		FirstOffsetNumber)
		elog(ERROR, "dynpg: could not build a deleted page");

	state = GenericXLogStart(rel);
	if (BufferIsValid(lbuf))
	{
		p = GenericXLogRegisterBuffer(state, lbuf, 0);
		DynBtPageGetOpaque(p)->right = sblk;
	}
	/* S first reads P's items, then P is overwritten */
	p = GenericXLogRegisterBuffer(state, sbuf, 0);
	sfirst = DYN_BT_FIRSTDATA(DynBtPageGetOpaque(p));
	op = DynBtPageGetOpaque(ppage);
	for (i = 0, off = DYN_BT_FIRSTDATA(op); off <= PageGetMaxOffsetNumber(ppage); off++, i++)
	{
		ItemId		iid = PageGetItemId(ppage, off);

		if (PageAddItem(p, PageGetItem(ppage, iid), ItemIdGetLength(iid), sfirst + i,
						false, false) != sfirst + i)
		{
			/* checked above, so not expected: nothing has been written yet */
			GenericXLogAbort(state);
			elog(ERROR, "dynpg: could not move an item of block %u into block %u", pblk, sblk);
		}
	}
	DynBtPageGetOpaque(p)->left = lblk;
	DYN_BT_COUNT_MERGE(DynBtPageGetOpaque(p));
	p = GenericXLogRegisterBuffer(state, pbuf, GENERIC_XLOG_FULL_IMAGE);
	memcpy(p, deleted.data, BLCKSZ);
	p = GenericXLogRegisterBuffer(state, qbuf, 0);
	{
		char	   *item = PageGetItem(p, PageGetItemId(p, pdown));
		DynBtInternalTupleData h;

		memcpy(&h, item, DYN_BT_INTERNAL_HDRSZ);
		h.child = sblk;
		memcpy(item, &h, DYN_BT_INTERNAL_HDRSZ);
		PageIndexTupleDelete(p, pdown + 1);
	}
	GenericXLogFinish(state);
	ok = true;

done:
	if (BufferIsValid(qbuf))
		UnlockReleaseBuffer(qbuf);
	UnlockReleaseBuffer(sbuf);
	UnlockReleaseBuffer(pbuf);
	if (BufferIsValid(lbuf))
		UnlockReleaseBuffer(lbuf);
	if (lowkeybuf)
		pfree(lowkeybuf);
	return ok ? pblk : InvalidBlockNumber;
}

/* Pages of the internal levels (few: walked by their links). */
static BlockNumber
count_internal_pages(Relation rel)
{
	DynBtMetaPageData meta;
	BlockNumber n = 0;
	BlockNumber blkno;
	Buffer		buf;

	dynpg_bt_read_meta(rel, &meta);
	if (meta.root_level == 0)
		return 0;
	/* the leftmost page of each internal level, by first downlinks */
	blkno = meta.root;
	while (blkno != DYN_BT_NONE)
	{
		BlockNumber below = DYN_BT_NONE;
		BlockNumber b = blkno;

		while (b != DYN_BT_NONE)
		{
			Page		page;
			DynBtPageOpaque op;

			vacuum_delay_point();
			buf = dynpg_bt_getbuf(rel, b, BUFFER_LOCK_SHARE);
			page = BufferGetPage(buf);
			op = DynBtPageGetOpaque(page);
			if (DYN_BT_IS_LEAF(op))
			{
				UnlockReleaseBuffer(buf);
				return n;
			}
			n++;
			if (below == DYN_BT_NONE && op->level > 1 &&
				PageGetMaxOffsetNumber(page) >= DYN_BT_FIRSTDATA(op))
			{
				DynBtInternalTupleData h;
				ItemId		iid = PageGetItemId(page, DYN_BT_FIRSTDATA(op));

				if (dynpg_bt_itemid_sane(iid) && ItemIdGetLength(iid) >= DYN_BT_INTERNAL_HDRSZ)
				{
					memcpy(&h, PageGetItem(page, iid), DYN_BT_INTERNAL_HDRSZ);
					below = h.child;
				}
			}
			b = op->right;
			UnlockReleaseBuffer(buf);
		}
		blkno = below;
	}
	return n;
}

/*
 * The free space map is not WAL-logged: after a crash it may have lost the
 * deleted pages an earlier VACUUM recorded.  When the relation has more
 * blocks than the tree holds (metapage, the leaves this pass visited, the
 * internal pages), look at every block for deleted (or never initialised)
 * pages and record them again.  The block count is read under the
 * extension lock, so a page a splitter has just added is already locked by
 * it and initialised before we can look.  Returns whether any was recorded.
 */
static bool
record_lost_pages(Relation rel, DynBtVacuumStats *stats)
{
	BlockNumber nblocks;
	BlockNumber blkno;
	bool		found = false;

	LockRelationForExtension(rel, ExclusiveLock);
	nblocks = RelationGetNumberOfBlocks(rel);
	UnlockRelationForExtension(rel, ExclusiveLock);
	if (nblocks <= 1 + stats->pages + count_internal_pages(rel))
		return false;
	for (blkno = 1; blkno < nblocks; blkno++)
	{
		Buffer		buf;
		Page		page;

		vacuum_delay_point();
		buf = ReadBuffer(rel, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		if (PageIsNew(page) ||
			(PageGetSpecialSize(page) == MAXALIGN(sizeof(DynBtPageOpaqueData)) &&
			 DynBtPageGetOpaque(page)->page_id == DYN_BT_PAGE_ID &&
			 DYN_BT_IS_DELETED(DynBtPageGetOpaque(page))))
		{
			RecordFreeIndexPage(rel, blkno);
			found = true;
		}
		UnlockReleaseBuffer(buf);
	}
	return found;
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
		/* the left sibling, pruned before, may now fit into this leaf */
		{
			BlockNumber merged = merge_left(rel, blkno);

			if (merged != InvalidBlockNumber)
			{
				RecordFreeIndexPage(rel, merged);
				stats->pages_deleted++;
			}
		}
		blkno = next;
	}
	if (record_lost_pages(rel, stats) || stats->pages_deleted > 0)
		IndexFreeSpaceMapVacuum(rel);
	stats->new_frozenxid = min_xid;
}
