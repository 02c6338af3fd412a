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
 * Then, when the relation has more blocks than the tree holds, every block
 * is looked at (record_lost_pages): deleted pages the free space map lost
 * in a crash are recorded again, and pages a failed bulk build wrote
 * outside the tree are made deleted pages too.
 *
 * relfrozenxid: every xid left on disk is seen by this pass, because items
 * only ever move right (splits, shifts and our own merges), within the chain of
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
	DYN_BT_CHECK_DEFINED(&dd, sizeof(dd));
	if (PageAddItem(deleted.data, (Item) &dd, sizeof(dd), FirstOffsetNumber, false, false) !=
		FirstOffsetNumber)
		elog(ERROR, "dynpg: could not build a deleted page");
	DYN_BT_CHECK_PAGE_DEFINED(deleted.data);

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

/*
 * The blocks this pass found in the tree: one bit each, grown as needed
 * (splits may add blocks while the pass runs).
 */
typedef struct TreeBlocks
{
	uint8	   *bits;
	BlockNumber nbytes;
	BlockNumber count;
} TreeBlocks;

static void
tree_blocks_add(TreeBlocks *tb, BlockNumber blkno)
{
	BlockNumber byte = blkno / 8;

	if (byte >= tb->nbytes)
	{
		BlockNumber n = Max(byte + 1, Max(tb->nbytes * 2, 1024));

		tb->bits = tb->bits ? repalloc(tb->bits, n) : palloc(n);
		memset(tb->bits + tb->nbytes, 0, n - tb->nbytes);
		tb->nbytes = n;
	}
	if ((tb->bits[byte] & (1 << (blkno % 8))) == 0)
	{
		tb->bits[byte] |= (uint8) (1 << (blkno % 8));
		tb->count++;
	}
}

static bool
tree_blocks_has(const TreeBlocks *tb, BlockNumber blkno)
{
	return blkno / 8 < tb->nbytes && (tb->bits[blkno / 8] & (1 << (blkno % 8))) != 0;
}

/* Add the pages of the internal levels (few: walked by their links). */
static void
add_internal_pages(Relation rel, TreeBlocks *tb)
{
	DynBtMetaPageData meta;
	BlockNumber blkno;
	Buffer		buf;

	dynpg_bt_read_meta(rel, &meta);
	if (meta.root_level == 0)
		return;
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
				return;
			}
			tree_blocks_add(tb, b);
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
}

static bool
is_dynpg_page(Page page)
{
	return !PageIsNew(page) && PageGetSpecialSize(page) == MAXALIGN(sizeof(DynBtPageOpaqueData)) &&
		DynBtPageGetOpaque(page)->page_id == DYN_BT_PAGE_ID;
}

/*
 * Whether locked page 'page' (block 'blkno') is a page a failed bulk build
 * wrote: flagged DYN_BT_BULK, outside the tree this pass walked, and its
 * builder ended without committing.  A builder still running (it cannot
 * be: a bulk build locks the table against VACUUM, but a crash-recovered
 * standby promotion or a future caller might) holds *min_xid back.  A
 * build's xid older than relfrozenxid was settled by an earlier VACUUM.
 */
static bool
orphaned_bulk_page(Relation rel, Page page, BlockNumber blkno, const TreeBlocks *tb,
				   TransactionId *min_xid)
{
	DynBtPageOpaque op = DynBtPageGetOpaque(page);
	TransactionId xid = ((PageHeader) page)->pd_prune_xid;

	if (!DYN_BT_IS_BULK(op) || DYN_BT_IS_DELETED(op) || tree_blocks_has(tb, blkno) ||
		!TransactionIdIsNormal(xid) ||
		TransactionIdPrecedes(xid, rel->rd_rel->relfrozenxid))
		return false;
	if (TransactionIdIsInProgress(xid))
	{
		if (TransactionIdPrecedes(xid, *min_xid))
			*min_xid = xid;
		return false;
	}
	return !TransactionIdDidCommit(xid);
}

/*
 * Whether the page to the left of an orphan candidate links to it: then it
 * is in the tree after all (a second check, independent of the walk).
 */
static bool
linked_from_left(Relation rel, BlockNumber blkno, BlockNumber left, BlockNumber nblocks)
{
	Buffer		buf;
	Page		page;
	bool		linked;

	if (left == DYN_BT_NONE || left >= nblocks || left == DYN_BT_METAPAGE)
		return false;
	buf = ReadBuffer(rel, left);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	linked = is_dynpg_page(page) && !DYN_BT_IS_DELETED(DynBtPageGetOpaque(page)) &&
		DynBtPageGetOpaque(page)->right == blkno;
	UnlockReleaseBuffer(buf);
	return linked;
}

/*
 * Make the orphaned page at 'blkno' a deleted page, if it still is one
 * (rechecked under the exclusive lock).  No scan ever reached it, so its
 * deletion xid only follows the rule every deleted page keeps.
 */
static bool
free_orphan(Relation rel, BlockNumber blkno, const TreeBlocks *tb, TransactionId *min_xid)
{
	Buffer		buf = ReadBuffer(rel, blkno);
	Page		page;
	bool		freed = false;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	page = BufferGetPage(buf);
	if (is_dynpg_page(page) && orphaned_bulk_page(rel, page, blkno, tb, min_xid))
	{
		GenericXLogState *state = GenericXLogStart(rel);
		Page		p = GenericXLogRegisterBuffer(state, buf, GENERIC_XLOG_FULL_IMAGE);
		DynBtDeletedData dd;

		dynpg_bt_init_page(p, 0, DYN_BT_LEAF | DYN_BT_DELETED);
		dd.safexid = ReadNextFullTransactionId();
		DYN_BT_CHECK_DEFINED(&dd, sizeof(dd));
		if (PageAddItem(p, (Item) &dd, sizeof(dd), FirstOffsetNumber, false, false) != FirstOffsetNumber)
			elog(ERROR, "dynpg: could not build a deleted page");
		GenericXLogFinish(state);
		freed = true;
	}
	UnlockReleaseBuffer(buf);
	return freed;
}

/*
 * When the relation has more blocks than the tree holds (metapage, the
 * leaves and internal pages in 'tb'), look at every block:
 *	- deleted (or never initialised) pages go to the free space map again:
 *	  it is not WAL-logged, and a crash may have lost what an earlier
 *	  VACUUM recorded;
 *	- pages a bulk build wrote and never linked in (it failed before its
 *	  switch: a duplicate key, an error, a crash) become deleted pages and
 *	  go there too.
 * The block count is read under the extension lock, so a page a splitter
 * has just added is already locked by it and initialised before we can
 * look.  Returns whether any page was recorded.
 */
static bool
record_lost_pages(Relation rel, const TreeBlocks *tb, DynBtVacuumStats *stats, TransactionId *min_xid)
{
	BlockNumber nblocks;
	BlockNumber blkno;
	bool		found = false;

	LockRelationForExtension(rel, ExclusiveLock);
	nblocks = RelationGetNumberOfBlocks(rel);
	UnlockRelationForExtension(rel, ExclusiveLock);
	if (nblocks <= 1 + tb->count)
		return false;
	for (blkno = 1; blkno < nblocks; blkno++)
	{
		Buffer		buf;
		Page		page;
		bool		reusable;
		bool		orphan = false;
		BlockNumber left = DYN_BT_NONE;

		vacuum_delay_point();
		if (tree_blocks_has(tb, blkno))
			continue;
		buf = ReadBuffer(rel, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		reusable = PageIsNew(page) || (is_dynpg_page(page) && DYN_BT_IS_DELETED(DynBtPageGetOpaque(page)));
		if (!reusable && is_dynpg_page(page) && orphaned_bulk_page(rel, page, blkno, tb, min_xid))
		{
			orphan = true;
			left = DynBtPageGetOpaque(page)->left;
		}
		UnlockReleaseBuffer(buf);
		if (orphan)
		{
			if (linked_from_left(rel, blkno, left, nblocks))
				elog(WARNING, "dynpg: block %u of \"%s\", written by a failed bulk load, is linked from block %u; left alone",
					 blkno, RelationGetRelationName(rel), left);
			else if (free_orphan(rel, blkno, tb, min_xid))
			{
				stats->pages_orphaned++;
				reusable = true;
			}
		}
		if (reusable)
		{
			RecordFreeIndexPage(rel, blkno);
			found = true;
		}
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
	TreeBlocks	tb = {NULL, 0, 0};

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
		tree_blocks_add(&tb, blkno);
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
	add_internal_pages(rel, &tb);
	if (record_lost_pages(rel, &tb, stats, &min_xid) || stats->pages_deleted > 0)
		IndexFreeSpaceMapVacuum(rel);
	stats->new_frozenxid = min_xid;
	if (tb.bits)
		pfree(tb.bits);
}
