/*-------------------------------------------------------------------------
 *
 * btverify.c
 *	  dynpg.verify(): check the whole structure of a dynpg B-tree and report
 *	  what is wrong, in the manner of contrib/amcheck.
 *
 * The caller holds a ShareLock on the relation, so no writer changes the
 * tree while it is checked.  Every page is validated before anything on it
 * is read, and every length before it is used: a damaged page becomes a
 * problem in the report, never a crash or an error.
 *
 * Checks: the metapage; for each level from the root down, the pages are
 * linked both ways, have the right level, hold strictly increasing keys
 * below their high key, and each downlink's child starts at or above the
 * downlink's key and ends at or below the next one; leaf tuples are well
 * formed, no key has two live versions, and no xid on disk precedes
 * relfrozenxid unless frozen.  Incomplete splits are counted, not errors.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/procarray.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/json.h"

#include "storage/dynpg_bt.h"

typedef struct VerifyState
{
	Relation	rel;
	StringInfoData problems;
	int			nproblems;
	uint64		pages;
	uint64		leaf_pages;
	uint64		internal_pages;
	uint64		versions;
	uint64		live_items;		/* live versions of the table's items (keyspace 0) */
	uint64		live_entries;	/* live versions of index entries (other keyspaces) */
	uint64		dead_versions;
	uint64		incomplete_splits;
	uint64		deleted_pages;
	uint64		unused_pages;	/* neither in the tree nor free (deleted, new) */
	TransactionId relfrozenxid;
	/* the last leaf key seen, for the live-version count across pages */
	StringInfoData lastkey;
	int			lastkey_live;
	bool		have_lastkey;
} VerifyState;

static void
problem(VerifyState *vs, const char *fmt,...) pg_attribute_printf(2, 3);

static void
problem(VerifyState *vs, const char *fmt,...)
{
	StringInfoData msg;
	va_list		args;

	if (vs->nproblems >= 100)
	{
		vs->nproblems++;
		return;
	}
	initStringInfo(&msg);
	for (;;)
	{
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&msg, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&msg, needed);
	}
	if (vs->nproblems > 0)
		appendStringInfoChar(&vs->problems, ',');
	escape_json(&vs->problems, msg.data);
	vs->nproblems++;
}

/* A page copy and whether it is sane enough to read. */
static bool
read_page(VerifyState *vs, BlockNumber blkno, PGAlignedBlock *copy)
{
	Buffer		buf;
	Page		page;
	DynBtPageOpaque op;

	if (blkno == DYN_BT_NONE || blkno >= RelationGetNumberOfBlocks(vs->rel))
	{
		problem(vs, "link to block %u, which does not exist", blkno);
		return false;
	}
	/* a page whose header bufmgr rejects comes back zeroed, and is reported */
	buf = ReadBufferExtended(vs->rel, MAIN_FORKNUM, blkno, RBM_ZERO_ON_ERROR, NULL);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	memcpy(copy->data, BufferGetPage(buf), BLCKSZ);
	UnlockReleaseBuffer(buf);
	page = copy->data;
	if (PageIsNew(page))
	{
		problem(vs, "block %u is empty or has an invalid page header, but is linked into the tree", blkno);
		return false;
	}
	if (((PageHeader) page)->pd_lower < SizeOfPageHeaderData ||
		((PageHeader) page)->pd_lower > ((PageHeader) page)->pd_upper ||
		((PageHeader) page)->pd_upper > ((PageHeader) page)->pd_special ||
		((PageHeader) page)->pd_special > BLCKSZ ||
		PageGetSpecialSize(page) != MAXALIGN(sizeof(DynBtPageOpaqueData)))
	{
		problem(vs, "block %u has a damaged page header", blkno);
		return false;
	}
	op = DynBtPageGetOpaque(page);
	if (op->page_id != DYN_BT_PAGE_ID)
	{
		problem(vs, "block %u is not a dynpg page", blkno);
		return false;
	}
	return true;
}

/* The key of item 'off' if the item is well formed. */
static bool
item_key(VerifyState *vs, Page page, BlockNumber blkno, OffsetNumber off, bool leaf_format,
		 DynBtKey *key, DynBtLeafTupleData *leafhdr, BlockNumber *child)
{
	ItemId		iid = PageGetItemId(page, off);
	Size		len;
	char	   *item;

	if (!ItemIdIsNormal(iid) || ItemIdGetOffset(iid) + ItemIdGetLength(iid) > BLCKSZ ||
		ItemIdGetOffset(iid) < SizeOfPageHeaderData)
	{
		problem(vs, "block %u item %u has a bad line pointer", blkno, off);
		return false;
	}
	item = PageGetItem(page, iid);
	len = ItemIdGetLength(iid);
	if (leaf_format)
	{
		DynBtLeafTupleData h;

		if (len < DYN_BT_LEAF_HDRSZ)
		{
			problem(vs, "block %u item %u is too short for a leaf tuple", blkno, off);
			return false;
		}
		memcpy(&h, item, DYN_BT_LEAF_HDRSZ);
		if (h.keylen == 0 || h.keylen > DYN_BT_MAX_KEY_SIZE || DYN_BT_LEAF_HDRSZ + h.keylen + 1 > len)
		{
			problem(vs, "block %u item %u has a bad key length %u", blkno, off, h.keylen);
			return false;
		}
		key->key = (const uint8 *) item + DYN_BT_LEAF_HDRSZ;
		key->keylen = h.keylen;
		key->vid = h.vid;
		if (leafhdr)
			*leafhdr = h;
	}
	else
	{
		DynBtInternalTupleData h;

		if (len < DYN_BT_INTERNAL_HDRSZ)
		{
			problem(vs, "block %u item %u is too short for an internal tuple", blkno, off);
			return false;
		}
		memcpy(&h, item, DYN_BT_INTERNAL_HDRSZ);
		if (h.keylen > DYN_BT_MAX_KEY_SIZE || DYN_BT_INTERNAL_HDRSZ + h.keylen > len)
		{
			problem(vs, "block %u item %u has a bad key length %u", blkno, off, h.keylen);
			return false;
		}
		key->key = (const uint8 *) item + DYN_BT_INTERNAL_HDRSZ;
		key->keylen = h.keylen;
		key->vid = h.vid;
		if (child)
			*child = h.child;
	}
	return true;
}

static void
check_xid(VerifyState *vs, BlockNumber blkno, OffsetNumber off, const char *what, TransactionId xid)
{
	if (!TransactionIdIsValid(xid))
		return;
	if (!TransactionIdIsNormal(xid))
	{
		problem(vs, "block %u item %u has an invalid %s %u", blkno, off, what, xid);
		return;
	}
	if (TransactionIdIsNormal(vs->relfrozenxid) && TransactionIdPrecedes(xid, vs->relfrozenxid))
		problem(vs, "block %u item %u has %s %u, older than relfrozenxid %u",
				blkno, off, what, xid, vs->relfrozenxid);
}

/* Fold one leaf version into the per-key live count. */
static void
count_version(VerifyState *vs, const DynBtKey *key, const DynBtLeafTupleData *h,
			  BlockNumber blkno, OffsetNumber off)
{
	bool		created;
	bool		deleted;

	if (!vs->have_lastkey || vs->lastkey.len != key->keylen ||
		memcmp(vs->lastkey.data, key->key, key->keylen) != 0)
	{
		resetStringInfo(&vs->lastkey);
		appendBinaryStringInfo(&vs->lastkey, (const char *) key->key, key->keylen);
		vs->lastkey_live = 0;
		vs->have_lastkey = true;
	}
	created = (h->infomask & DYN_BT_XMIN_FROZEN) ||
		(!TransactionIdIsInProgress(h->xmin) && TransactionIdDidCommit(h->xmin));
	deleted = TransactionIdIsValid(h->xmax) &&
		!TransactionIdIsInProgress(h->xmax) && TransactionIdDidCommit(h->xmax);
	if (created && !deleted)
	{
		if (key->keylen > 0 && key->key[0] == 0)
			vs->live_items++;
		else
			vs->live_entries++;
		if (++vs->lastkey_live == 2)
			problem(vs, "block %u item %u is a second live version of one key", blkno, off);
	}
	else
		vs->dead_versions++;
}

/*
 * Check one page of 'level'.  'lo' and 'hi' bound its keys when known from
 * its downlink (lo inclusive; hi exclusive, NULL for none).
 */
static void
check_page(VerifyState *vs, BlockNumber blkno, Page page, uint32 level)
{
	DynBtPageOpaque op = DynBtPageGetOpaque(page);
	bool		leaf = DYN_BT_IS_LEAF(op);
	OffsetNumber maxoff = PageGetMaxOffsetNumber(page);
	OffsetNumber first = DYN_BT_FIRSTDATA(op);
	OffsetNumber off;
	DynBtKey	hikey;
	bool		have_hikey = false;
	DynBtKey	prev;
	bool		have_prev = false;

	vs->pages++;
	if (op->level != level)
		problem(vs, "block %u has level %u, expected %u", blkno, op->level, level);
	if (leaf != (level == 0))
		problem(vs, "block %u leaf flag does not match its level %u", blkno, level);
	if (DYN_BT_INCOMPLETE(op))
		vs->incomplete_splits++;
	if (leaf)
		vs->leaf_pages++;
	else
		vs->internal_pages++;
	if (!DYN_BT_IS_RIGHTMOST(op))
	{
		if (maxoff < DYN_BT_HIKEY)
			problem(vs, "block %u has no high key", blkno);
		else
			have_hikey = item_key(vs, page, blkno, DYN_BT_HIKEY, false, &hikey, NULL, NULL);
	}
	for (off = first; off <= maxoff; off++)
	{
		DynBtKey	k;
		DynBtLeafTupleData h;
		BlockNumber child;

		if (!item_key(vs, page, blkno, off, leaf, &k, &h, &child))
			continue;
		if (!leaf && off == first)
			continue;			/* minus infinity */
		if (have_prev && dynpg_bt_compare(&prev, &k) >= 0)
			problem(vs, "block %u item %u is not above the item before it", blkno, off);
		if (have_hikey && dynpg_bt_compare(&k, &hikey) >= 0)
			problem(vs, "block %u item %u is not below the page's high key", blkno, off);
		prev = k;
		have_prev = true;
		if (leaf)
		{
			ItemId		iid = PageGetItemId(page, off);
			Size		plen = ItemIdGetLength(iid) - DYN_BT_LEAF_HDRSZ - k.keylen;
			const char *p = PageGetItem(page, iid) + DYN_BT_LEAF_HDRSZ + k.keylen;

			vs->versions++;
			if (VARATT_IS_4B(p) ? (plen < VARHDRSZ || VARSIZE_4B(p) != plen) :
				(VARATT_IS_EXTERNAL(p) ? (plen < 2 || VARSIZE_EXTERNAL(p) != plen) :
				 VARSIZE_1B(p) != plen))
				problem(vs, "block %u item %u has a payload of the wrong length", blkno, off);
			if (!(h.infomask & DYN_BT_XMIN_FROZEN))
				check_xid(vs, blkno, off, "xmin", h.xmin);
			check_xid(vs, blkno, off, "xmax", h.xmax);
			count_version(vs, &k, &h, blkno, off);
		}
	}
}

/*
 * Check every downlink of an internal page against its child: the child is
 * one level down, its first key is not below the downlink, and its high key
 * is not above the next downlink (or the parent's high key).
 */
static void
check_downlinks(VerifyState *vs, BlockNumber blkno, Page page)
{
	DynBtPageOpaque op = DynBtPageGetOpaque(page);
	OffsetNumber maxoff = PageGetMaxOffsetNumber(page);
	OffsetNumber first = DYN_BT_FIRSTDATA(op);
	OffsetNumber off;
	PGAlignedBlock child;

	for (off = first; off <= maxoff; off++)
	{
		DynBtKey	k;
		DynBtKey	next;
		bool		have_next = false;
		BlockNumber cblk;
		DynBtPageOpaque cop;

		CHECK_FOR_INTERRUPTS();
		if (!item_key(vs, page, blkno, off, false, &k, NULL, &cblk))
			continue;
		if (off < maxoff)
			have_next = item_key(vs, page, blkno, off + 1, false, &next, NULL, NULL);
		else if (!DYN_BT_IS_RIGHTMOST(op))
			have_next = item_key(vs, page, blkno, DYN_BT_HIKEY, false, &next, NULL, NULL);
		if (!read_page(vs, cblk, &child))
			continue;
		cop = DynBtPageGetOpaque(child.data);
		if (DYN_BT_IS_DELETED(cop))
		{
			problem(vs, "block %u item %u points to the deleted block %u", blkno, off, cblk);
			continue;
		}
		if (cop->level + 1 != op->level)
		{
			problem(vs, "block %u item %u points to block %u of level %u", blkno, off, cblk, cop->level);
			continue;
		}
		if (off != first && PageGetMaxOffsetNumber(child.data) >= DYN_BT_FIRSTDATA(cop))
		{
			DynBtKey	ck;
			OffsetNumber cf = DYN_BT_FIRSTDATA(cop);

			/* the first data key of an internal child is minus infinity: use the next */
			if (!DYN_BT_IS_LEAF(cop))
				cf++;
			if (cf <= PageGetMaxOffsetNumber(child.data) &&
				item_key(vs, child.data, cblk, cf, DYN_BT_IS_LEAF(cop), &ck, NULL, NULL) &&
				dynpg_bt_compare(&ck, &k) < 0)
				problem(vs, "block %u holds a key below its downlink in block %u", cblk, blkno);
		}
		if (have_next && !DYN_BT_IS_RIGHTMOST(cop))
		{
			DynBtKey	chk;

			if (item_key(vs, child.data, cblk, DYN_BT_HIKEY, false, &chk, NULL, NULL) &&
				dynpg_bt_compare(&chk, &next) > 0)
				problem(vs, "block %u has a high key above the next downlink in block %u", cblk, blkno);
		}
	}
}

/* A problem found by the caller's extra check (indexer/index_verify.c). */
static void
extra_problem(void *state, const char *msg)
{
	problem((VerifyState *) state, "%s", msg);
}

Datum
dynpg_bt_verify(Relation rel, DynBtVerifyExtraFn extra)
{
	VerifyState vs;
	PGAlignedBlock page;
	DynBtMetaPageData meta;
	BlockNumber leftmost;
	int64		level;
	StringInfoData out;
	StringInfoData members;

	memset(&vs, 0, sizeof(vs));
	vs.rel = rel;
	vs.relfrozenxid = rel->rd_rel->relfrozenxid;
	initStringInfo(&vs.problems);
	initStringInfo(&vs.lastkey);

	if (RelationGetNumberOfBlocks(rel) < 2)
		problem(&vs, "the relation has %u blocks; a dynpg table has at least 2",
				RelationGetNumberOfBlocks(rel));
	else if (read_page(&vs, DYN_BT_METAPAGE, &page))
	{
		char	   *what;
		DynBtMetaState state = dynpg_bt_check_metapage(page.data, &what);

		memcpy(&meta, DynBtPageGetMeta(page.data), sizeof(meta));
		if (state == DYN_BT_META_DAMAGED)
			problem(&vs, "damaged metapage: %s", what);
		else if (state != DYN_BT_META_VALID)
			problem(&vs, "on-disk %s, which this dynpg does not read (it reads format version %d, hash version %d)",
					what, DYN_BT_FORMAT_VERSION, DYN_BT_HASH_VERSION);
		else
		{
			/* leftmost page of the root level, then each level below */
			leftmost = meta.root;
			for (level = meta.root_level; level >= 0; level--)
			{
				BlockNumber blkno = leftmost;
				BlockNumber prevblk = DYN_BT_NONE;
				uint64		guard = 0;

				leftmost = DYN_BT_NONE;
				while (blkno != DYN_BT_NONE)
				{
					DynBtPageOpaque op;

					CHECK_FOR_INTERRUPTS();
					if (++guard > RelationGetNumberOfBlocks(rel))
					{
						problem(&vs, "the right-links of level %lld form a cycle", (long long) level);
						break;
					}
					if (!read_page(&vs, blkno, &page))
						break;
					op = DynBtPageGetOpaque(page.data);
					if (DYN_BT_IS_DELETED(op))
					{
						problem(&vs, "the deleted block %u is linked into level %lld", blkno,
								(long long) level);
						break;
					}
					if (op->left != prevblk)
						problem(&vs, "block %u has left-link %u, but the page to its left is %u",
								blkno, op->left, prevblk);
					check_page(&vs, blkno, page.data, (uint32) level);
					if (!DYN_BT_IS_LEAF(op))
					{
						if (leftmost == DYN_BT_NONE && PageGetMaxOffsetNumber(page.data) >= DYN_BT_FIRSTDATA(op))
						{
							DynBtKey	k;

							(void) item_key(&vs, page.data, blkno, DYN_BT_FIRSTDATA(op), false,
											&k, NULL, &leftmost);
						}
						check_downlinks(&vs, blkno, page.data);
					}
					prevblk = blkno;
					blkno = op->right;
				}
				if (level > 0 && leftmost == DYN_BT_NONE)
				{
					problem(&vs, "level %lld has no downlink to a lower level", (long long) level);
					break;
				}
			}
		}
	}

	/* deleted pages: outside the tree, each must still be a well-formed dynpg page */
	if (vs.nproblems == 0)
	{
		BlockNumber nblocks = RelationGetNumberOfBlocks(rel);
		BlockNumber blkno;
		uint64		new_pages = 0;

		for (blkno = 1; blkno < nblocks; blkno++)
		{
			Buffer		buf;
			Page		pg;

			CHECK_FOR_INTERRUPTS();
			buf = ReadBufferExtended(rel, MAIN_FORKNUM, blkno, RBM_ZERO_ON_ERROR, NULL);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			pg = BufferGetPage(buf);
			if (PageIsNew(pg))
				new_pages++;	/* never initialised: free, as deleted pages are */
			else if (PageGetSpecialSize(pg) == MAXALIGN(sizeof(DynBtPageOpaqueData)) &&
				DynBtPageGetOpaque(pg)->page_id == DYN_BT_PAGE_ID &&
				DYN_BT_IS_DELETED(DynBtPageGetOpaque(pg)))
			{
				vs.deleted_pages++;
				if (!FullTransactionIdIsValid(dynpg_bt_deleted_safexid(pg)))
					problem(&vs, "the deleted block %u has no deletion xid", blkno);
			}
			UnlockReleaseBuffer(buf);
		}
		/* pages neither in the tree nor free: a bulk load's that failed before its switch */
		if (nblocks > 1 + vs.pages + vs.deleted_pages + new_pages)
			vs.unused_pages = nblocks - 1 - vs.pages - vs.deleted_pages - new_pages;
	}

	/* the caller's checks of what the tree holds, when the tree itself is sound */
	initStringInfo(&members);
	if (extra != NULL && vs.nproblems == 0)
		extra(rel, extra_problem, &vs, &members);

	initStringInfo(&out);
	appendStringInfo(&out, "{\"ok\": %s, \"problems\": [%s]", vs.nproblems == 0 ? "true" : "false",
					 vs.problems.data);
	if (vs.nproblems > 100)
		appendStringInfo(&out, ", \"more_problems\": %d", vs.nproblems - 100);
	appendStringInfo(&out, ", \"pages\": %llu, \"leaf_pages\": %llu, \"internal_pages\": %llu"
					 ", \"relation_blocks\": %u, \"versions\": %llu, \"live_items\": %llu"
					 ", \"live_index_entries\": %llu"
					 ", \"dead_versions\": %llu, \"incomplete_splits\": %llu, \"deleted_pages\": %llu"
					 ", \"unused_pages\": %llu}",
					 (unsigned long long) vs.pages, (unsigned long long) vs.leaf_pages,
					 (unsigned long long) vs.internal_pages, RelationGetNumberOfBlocks(rel),
					 (unsigned long long) vs.versions, (unsigned long long) vs.live_items,
					 (unsigned long long) vs.live_entries,
					 (unsigned long long) vs.dead_versions, (unsigned long long) vs.incomplete_splits,
					 (unsigned long long) vs.deleted_pages, (unsigned long long) vs.unused_pages);
	/* the caller's members go inside the object */
	out.data[--out.len] = '\0';
	appendStringInfo(&out, "%s}", members.data);
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(out.data));
}
