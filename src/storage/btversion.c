/*-------------------------------------------------------------------------
 *
 * btversion.c
 *	  Item versions: reading all versions of a key, visibility, and marking
 *	  a version deleted (xmax).
 *
 * Visibility follows heapam_visibility.c's order of checks: for MVCC
 * snapshots, "is it my transaction" (then command ids), then "was it in
 * progress when the snapshot was taken", and only then the commit log; an
 * xid that neither committed nor is running aborted (crashed transactions
 * are never marked aborted).  v1 sets no hint bits, so every check consults
 * the commit log (README, "Hint bits").
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "access/transam.h"
#include "access/xact.h"
#include "storage/bufmgr.h"
#include "storage/procarray.h"
#include "utils/snapmgr.h"

#include "storage/dynpg_bt.h"
#include "storage/dynpg_xlog.h"

/*
 * Leaf tuple 'off' of a page, checked: its line pointer, its length against
 * the header, the key against the length.  Its header is copied to *h; the
 * tuple and its length are returned.
 */
static const char *
leaf_tuple(Page page, OffsetNumber off, BlockNumber blkno, DynBtLeafTupleData *h, Size *len)
{
	ItemId		iid = PageGetItemId(page, off);
	const char *item;

	if (!dynpg_bt_itemid_sane(iid))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("dynpg: damaged line pointer at block %u offset %u", blkno, off)));
	item = PageGetItem(page, iid);
	*len = ItemIdGetLength(iid);
	if (*len < DYN_BT_LEAF_HDRSZ)
		elog(ERROR, "dynpg: leaf tuple too short at block %u offset %u", blkno, off);
	memcpy(h, item, DYN_BT_LEAF_HDRSZ);
	if (DYN_BT_LEAF_HDRSZ + h->keylen > *len)
		elog(ERROR, "dynpg: leaf tuple key overruns the tuple at block %u offset %u", blkno, off);
	return item;
}

/*
 * The payload of a leaf tuple leaf_tuple has checked (of 'len' bytes, key
 * of 'keylen'), and its length, checked against the tuple: a varlena that
 * fills the rest of it exactly.
 */
static const char *
leaf_payload(const char *item, Size len, uint16 keylen, BlockNumber blkno, OffsetNumber off,
			 Size *plen)
{
	const char *p = item + DYN_BT_LEAF_HDRSZ + keylen;

	*plen = len - DYN_BT_LEAF_HDRSZ - keylen;
	if (*plen < 1 || (VARATT_IS_4B(p) ? *plen < VARHDRSZ || VARSIZE_ANY(p) != *plen :
					  VARSIZE_ANY(p) != *plen))
		elog(ERROR, "dynpg: damaged payload at block %u offset %u", blkno, off);
	return p;
}

/* Copy version 'off' of a leaf page out (and its payload if asked). */
void
dynpg_bt_copy_version(Page page, OffsetNumber off, BlockNumber blkno,
					  DynBtVersion *v, bool with_payload)
{
	DynBtLeafTupleData h;
	Size		len;
	const char *item = leaf_tuple(page, off, blkno, &h, &len);

	v->vid = h.vid;
	v->xmin = h.xmin;
	v->xmax = h.xmax;
	v->cmin = h.cmin;
	v->cmax = h.cmax;
	v->infomask = h.infomask;
	v->blkno = blkno;
	v->payload = NULL;
	if (with_payload)
	{
		Size		plen;
		const char *p = leaf_payload(item, len, h.keylen, blkno, off, &plen);

		v->payload = palloc(plen);
		memcpy(v->payload, p, plen);
	}
}

/*
 * Leaf tuple 'off' read once and checked (line pointer, header, key and
 * payload lengths): its header copied out, its key and payload as pointers
 * into the page.  The scans' per-item path.
 */
void
dynpg_bt_leaf_entry(Page page, OffsetNumber off, BlockNumber blkno, DynBtLeafEntry *e)
{
	Size		len;
	const char *item = leaf_tuple(page, off, blkno, &e->h, &len);

	e->key = (const uint8 *) item + DYN_BT_LEAF_HDRSZ;
	e->payload = leaf_payload(item, len, e->h.keylen, blkno, off, &e->plen);
}

/* Whether a leaf tuple whose header is 'h' is visible to 'snapshot'. */
bool
dynpg_bt_header_visible(const DynBtLeafTupleData *h, BlockNumber blkno, Snapshot snapshot)
{
	DynBtVersion v;

	v.vid = h->vid;
	v.xmin = h->xmin;
	v.xmax = h->xmax;
	v.cmin = h->cmin;
	v.cmax = h->cmax;
	v.infomask = h->infomask;
	v.blkno = blkno;
	v.payload = NULL;
	return dynpg_bt_version_visible(&v, snapshot);
}

static void
version_set_add(DynBtVersionSet *set, DynBtVersion *v)
{
	if (set->n == set->cap)
	{
		set->cap = set->cap ? set->cap * 2 : 8;
		set->v = set->v ? repalloc(set->v, sizeof(DynBtVersion) * set->cap)
			: palloc(sizeof(DynBtVersion) * set->cap);
	}
	set->v[set->n++] = *v;
}

/*
 * Every version of one storage key, in index order, copied out page by
 * page.  Versions of a key may continue on right siblings; we follow the
 * right-link while the high key carries the same storage key.
 */
void
dynpg_bt_read_versions(Relation rel, const uint8 *key, uint16 keylen,
					   DynBtVersionSet *out, bool with_payloads)
{
	DynBtKey	skey = {key, keylen, DYN_BT_VID_FIRST};
	Buffer		buf;
	DynBtStack	stack;

	out->n = 0;
	stack = dynpg_bt_search(rel, &skey, &buf, BUFFER_LOCK_SHARE);
	(void) stack;
	/*
	 * VACUUM may merge a leaf we already read into the next one while we
	 * walk (README, "Page deletion and reuse"): versions come in VID order
	 * (descending), so one already taken is recognised by its VID.
	 */
	for (;;)
	{
		Page		page = BufferGetPage(buf);
		DynBtPageOpaque op = DynBtPageGetOpaque(page);
		OffsetNumber maxoff = PageGetMaxOffsetNumber(page);
		OffsetNumber off = dynpg_bt_binsrch(page, &skey);
		bool		more = true;
		DynBtKey	hikey;
		BlockNumber right;

		for (; off <= maxoff; off++)
		{
			DynBtKey	ik;
			DynBtVersion v;

			dynpg_bt_item_key(page, off, true, &ik);
			if (ik.keylen != keylen || memcmp(ik.key, key, keylen) != 0)
			{
				more = false;
				break;
			}
			if (out->n > 0 && ik.vid >= out->v[out->n - 1].vid)
				continue;
			dynpg_bt_copy_version(page, off, BufferGetBlockNumber(buf), &v, with_payloads);
			version_set_add(out, &v);
		}
		if (!more || DYN_BT_IS_RIGHTMOST(op))
			break;
		dynpg_bt_item_key(page, DYN_BT_HIKEY, false, &hikey);
		if (hikey.keylen != keylen || memcmp(hikey.key, key, keylen) != 0)
			break;
		right = op->right;
		UnlockReleaseBuffer(buf);
		buf = dynpg_bt_live_right(rel, dynpg_bt_getbuf(rel, right, BUFFER_LOCK_SHARE),
								  BUFFER_LOCK_SHARE);
	}
	UnlockReleaseBuffer(buf);
}

/* xid committed, as far as an MVCC snapshot is concerned (not current, not in snapshot) */
static bool
xid_committed_for_snapshot(TransactionId xid, Snapshot snapshot)
{
	if (XidInMVCCSnapshot(xid, snapshot))
		return false;
	return TransactionIdDidCommit(xid);
}

static bool
visible_mvcc(const DynBtVersion *v, Snapshot snapshot)
{
	if (!(v->infomask & DYN_BT_XMIN_FROZEN))
	{
		if (!TransactionIdIsNormal(v->xmin))
			return false;
		if (TransactionIdIsCurrentTransactionId(v->xmin))
		{
			if (v->cmin >= snapshot->curcid)
				return false;	/* inserted after the scan started */
			if (!TransactionIdIsValid(v->xmax))
				return true;
			if (TransactionIdIsCurrentTransactionId(v->xmax))
				return v->cmax >= snapshot->curcid;	/* deleted after the scan started */
			return true;		/* deleter was an aborted subtransaction of ours */
		}
		if (!xid_committed_for_snapshot(v->xmin, snapshot))
			return false;
	}
	if (!TransactionIdIsValid(v->xmax))
		return true;
	if (TransactionIdIsCurrentTransactionId(v->xmax))
		return v->cmax >= snapshot->curcid;
	return !xid_committed_for_snapshot(v->xmax, snapshot);
}

/* Committed, with no snapshot: the order for non-MVCC checks is in-progress first. */
static bool
xid_done_committed(TransactionId xid)
{
	if (TransactionIdIsInProgress(xid))
		return false;
	return TransactionIdDidCommit(xid);
}

static bool
visible_self(const DynBtVersion *v)
{
	if (!(v->infomask & DYN_BT_XMIN_FROZEN))
	{
		if (TransactionIdIsCurrentTransactionId(v->xmin))
		{
			if (!TransactionIdIsValid(v->xmax))
				return true;
			return !TransactionIdIsCurrentTransactionId(v->xmax);
		}
		if (!xid_done_committed(v->xmin))
			return false;
	}
	if (!TransactionIdIsValid(v->xmax))
		return true;
	if (TransactionIdIsCurrentTransactionId(v->xmax))
		return false;
	return !xid_done_committed(v->xmax);
}

/* SnapshotDirty: in-progress inserts count, and the snapshot learns who is in progress. */
static bool
visible_dirty(const DynBtVersion *v, Snapshot snapshot)
{
	snapshot->xmin = snapshot->xmax = InvalidTransactionId;
	snapshot->speculativeToken = 0;
	if (!(v->infomask & DYN_BT_XMIN_FROZEN))
	{
		if (TransactionIdIsCurrentTransactionId(v->xmin))
		{
			if (!TransactionIdIsValid(v->xmax))
				return true;
			return !TransactionIdIsCurrentTransactionId(v->xmax);
		}
		if (TransactionIdIsInProgress(v->xmin))
		{
			snapshot->xmin = v->xmin;
			return true;
		}
		if (!TransactionIdDidCommit(v->xmin))
			return false;
	}
	if (!TransactionIdIsValid(v->xmax))
		return true;
	if (TransactionIdIsCurrentTransactionId(v->xmax))
		return false;
	if (TransactionIdIsInProgress(v->xmax))
	{
		snapshot->xmax = v->xmax;
		return true;
	}
	return !TransactionIdDidCommit(v->xmax);
}

bool
dynpg_bt_version_visible(const DynBtVersion *v, Snapshot snapshot)
{
	switch (snapshot->snapshot_type)
	{
		case SNAPSHOT_MVCC:
			return visible_mvcc(v, snapshot);
		case SNAPSHOT_SELF:
			return visible_self(v);
		case SNAPSHOT_ANY:
		case SNAPSHOT_TOAST:
			return true;
		case SNAPSHOT_DIRTY:
			return visible_dirty(v, snapshot);
		case SNAPSHOT_NON_VACUUMABLE:
			/* visible unless deleted by a committed transaction nobody can see past */
			if (!TransactionIdIsValid(v->xmax) || !xid_done_committed(v->xmax))
				return true;
			return !GlobalVisTestIsRemovableXid(snapshot->vistest, v->xmax);
		default:
			elog(ERROR, "dynpg: unsupported snapshot type %d", (int) snapshot->snapshot_type);
	}
	return false;
}

bool
dynpg_bt_leaf_visible(DynBtLeafTuple t, Snapshot snapshot)
{
	DynBtLeafTupleData h;

	memcpy(&h, t, DYN_BT_LEAF_HDRSZ);
	return dynpg_bt_header_visible(&h, InvalidBlockNumber, snapshot);
}

/*
 * dynpg_bt_header_visible for a scan, which meets runs of versions written
 * by one transaction: a live version whose xmin is another transaction's
 * takes the verdict on that xmin from 'cache' (the last one looked up).
 * The verdict cannot change under one MVCC snapshot: an xid it does not
 * see as running had ended when it was taken, and another transaction's
 * xid never becomes the current one's.
 */
bool
dynpg_bt_header_visible_cached(const DynBtLeafTupleData *h, BlockNumber blkno,
							   Snapshot snapshot, DynBtVisCache *cache)
{
	if (snapshot->snapshot_type == SNAPSHOT_MVCC && !TransactionIdIsValid(h->xmax))
	{
		if (h->infomask & DYN_BT_XMIN_FROZEN)
			return true;
		if (TransactionIdIsNormal(h->xmin))
		{
			if (h->xmin == cache->xmin)
				return cache->visible;
			if (!TransactionIdIsCurrentTransactionId(h->xmin))
			{
				cache->xmin = h->xmin;
				cache->visible = xid_committed_for_snapshot(h->xmin, snapshot);
				return cache->visible;
			}
		}
	}
	return dynpg_bt_header_visible(h, blkno, snapshot);
}

/*
 * Mark version (key, vid) deleted by xmax/cmax.  The caller holds the key
 * (so no other writer changes this version's header) and has checked that
 * the version is live.
 */
void
dynpg_bt_set_xmax(Relation rel, const uint8 *key, uint16 keylen, uint64 vid,
				  TransactionId xmax, CommandId cmax)
{
	DynBtKey	skey = {key, keylen, vid};
	Buffer		buf;
	Page		page;
	OffsetNumber off;
	DynBtKey	ik;

	(void) dynpg_bt_search(rel, &skey, &buf, BUFFER_LOCK_EXCLUSIVE);
	page = BufferGetPage(buf);
	off = dynpg_bt_binsrch(page, &skey);
	if (off > PageGetMaxOffsetNumber(page))
		elog(ERROR, "dynpg: version %llu to delete not found in \"%s\"",
			 (unsigned long long) vid, RelationGetRelationName(rel));
	dynpg_bt_item_key(page, off, true, &ik);
	if (dynpg_bt_compare(&skey, &ik) != 0)
		elog(ERROR, "dynpg: version %llu to delete not found in \"%s\"",
			 (unsigned long long) vid, RelationGetRelationName(rel));

	dynpg_xlog_set_xmax(rel, buf, off, xmax, cmax);
	UnlockReleaseBuffer(buf);
}
