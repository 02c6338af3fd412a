/*-------------------------------------------------------------------------
 *
 * btpage.c
 *	  Pages of the dynpg B-tree: initialisation and checks, buffers, the
 *	  metapage, VID reservation, and key comparison.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "access/xact.h"
#include "access/xloginsert.h"
#include "access/xlog.h"
#include "nodes/pg_list.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/indexfsm.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/procarray.h"
#include "storage/smgr.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "base/dynpg_preload.h"
#include "storage/dynpg_bt.h"
#include "storage/dynpg_btscan.h"
#include "storage/dynpg_xlog.h"

void
dynpg_bt_init_page(Page page, uint32 level, uint16 flags)
{
	DynBtPageOpaque op;

	PageInit(page, BLCKSZ, sizeof(DynBtPageOpaqueData));
	op = DynBtPageGetOpaque(page);
	op->left = DYN_BT_NONE;
	op->right = DYN_BT_NONE;
	op->level = level;
	op->flags = flags;
	op->page_id = DYN_BT_PAGE_ID;
}

/* The metapage: block 0, pointing at an empty leaf root in block 1. */
void
dynpg_bt_init_metapage(Page page)
{
	DynBtMetaPageData *meta;

	dynpg_bt_init_page(page, 0, DYN_BT_META);
	meta = DynBtPageGetMeta(page);
	memset(meta, 0, sizeof(*meta));
	meta->magic = DYN_BT_MAGIC;
	meta->format_version = DYN_BT_FORMAT_VERSION;
	meta->hash_version = DYN_BT_HASH_VERSION;
	meta->root = 1;
	meta->root_level = 0;
	meta->next_vid = 1;
	((PageHeader) page)->pd_lower = ((char *) meta + sizeof(DynBtMetaPageData)) - (char *) page;
}

/*
 * Write the initial two pages (metapage, empty root leaf) of a new fork
 * directly through smgr: set_new_filenode runs while the relcache entry
 * still points at the old file.  WAL-logged as full pages when 'log'.
 */
void
dynpg_bt_write_empty(Relation rel, SMgrRelation srel, ForkNumber fork, bool log)
{
	PGAlignedBlock meta;
	PGAlignedBlock root;

	dynpg_bt_init_metapage(meta.data);
	dynpg_bt_init_page(root.data, 0, DYN_BT_LEAF | DYN_BT_ROOT);

	DYN_BT_CHECK_PAGE_DEFINED(meta.data);
	DYN_BT_CHECK_PAGE_DEFINED(root.data);
	PageSetChecksumInplace(meta.data, DYN_BT_METAPAGE);
	smgrextend(srel, fork, DYN_BT_METAPAGE, meta.data, true);
	PageSetChecksumInplace(root.data, 1);
	smgrextend(srel, fork, 1, root.data, true);
	if (log)
	{
		log_newpage(&srel->smgr_rnode.node, fork, DYN_BT_METAPAGE, meta.data, true);
		log_newpage(&srel->smgr_rnode.node, fork, 1, root.data, true);
	}
	/* the pages bypassed shared buffers: make them durable before commit */
	smgrimmedsync(srel, fork);
}

/*
 * Check that a page we are about to use is one of ours and sane: a damaged
 * or foreign page raises an error instead of being trusted.
 */
void
dynpg_bt_check_page(Relation rel, Buffer buf)
{
	Page		page = BufferGetPage(buf);
	DynBtPageOpaque op;

	if (PageIsNew(page))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("dynpg table \"%s\" contains an unexpected zero page at block %u",
						RelationGetRelationName(rel), BufferGetBlockNumber(buf)),
				 errhint("The table may be damaged; dynpg.verify() reports on it.")));
	if (PageGetSpecialSize(page) != MAXALIGN(sizeof(DynBtPageOpaqueData)))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("dynpg table \"%s\" contains a corrupted page at block %u",
						RelationGetRelationName(rel), BufferGetBlockNumber(buf))));
	op = DynBtPageGetOpaque(page);
	if (op->page_id != DYN_BT_PAGE_ID)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("dynpg table \"%s\" contains a page of unknown kind at block %u",
						RelationGetRelationName(rel), BufferGetBlockNumber(buf))));
}

Buffer
dynpg_bt_getbuf(Relation rel, BlockNumber blkno, int access)
{
	return dynpg_bt_getbuf_ext(rel, blkno, access, NULL);
}

/* The same, through a buffer access strategy (a bulk-read ring for large scans). */
Buffer
dynpg_bt_getbuf_ext(Relation rel, BlockNumber blkno, int access, BufferAccessStrategy strategy)
{
	Buffer		buf;

	if (blkno == DYN_BT_NONE)
		elog(ERROR, "dynpg: attempt to read an invalid block of \"%s\"",
			 RelationGetRelationName(rel));
	buf = ReadBufferExtended(rel, MAIN_FORKNUM, blkno, RBM_NORMAL, strategy);
	LockBuffer(buf, access);
	dynpg_bt_check_page(rel, buf);
	if (blkno == DYN_BT_METAPAGE)
		dynpg_bt_reads.meta++;
	else if (DYN_BT_IS_LEAF(DynBtPageGetOpaque(BufferGetPage(buf))))
		dynpg_bt_reads.leaf++;
	else
		dynpg_bt_reads.internal++;
	return buf;
}

/* ---- page reuse (README, "Page deletion and reuse") ---- */

/* dynpg B-tree scans this backend has open (btscan.c keeps the count). */
static int	open_scans = 0;
static bool xact_callback_registered = false;

static void
reset_open_scans(XactEvent event, void *arg)
{
	/* scans do not outlive their transaction; an error skips their end */
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
		open_scans = 0;
}

void
dynpg_bt_scan_opened(int delta)
{
	if (!xact_callback_registered)
	{
		RegisterXactCallback(reset_open_scans, NULL);
		xact_callback_registered = true;
	}
	open_scans = Max(open_scans + delta, 0);
}

FullTransactionId
dynpg_bt_deleted_safexid(Page page)
{
	DynBtDeletedData d;
	ItemId		iid;

	if (PageGetMaxOffsetNumber(page) < FirstOffsetNumber)
		return InvalidFullTransactionId;
	iid = PageGetItemId(page, FirstOffsetNumber);
	if (!dynpg_bt_itemid_sane(iid) || ItemIdGetLength(iid) != sizeof(DynBtDeletedData))
		return InvalidFullTransactionId;
	memcpy(&d, PageGetItem(page, iid), sizeof(d));
	return d.safexid;
}

/*
 * Whether the deleted page may be reused now: nothing can hold a link to
 * it any more.  Scans, searches and VACUUM hold links only while they run,
 * inside a transaction that holds a lock on the relation and a snapshot.
 * So the page is free once every snapshot is younger than its deletion
 * (safexid, as nbtree decides), or, sooner, once no other session holds
 * any lock on the relation and this one has no scan of it open.
 */
static bool
page_reusable(Relation rel, Page page)
{
	DynBtPageOpaque op = DynBtPageGetOpaque(page);
	FullTransactionId safexid;
	LOCKTAG		tag;
	int			nconflicts = 0;

	if (PageIsNew(page))
		return true;			/* an extension that never got initialised */
	if (PageGetSpecialSize(page) != MAXALIGN(sizeof(DynBtPageOpaqueData)) ||
		op->page_id != DYN_BT_PAGE_ID || !DYN_BT_IS_DELETED(op))
		return false;
	safexid = dynpg_bt_deleted_safexid(page);
	if (!FullTransactionIdIsValid(safexid))
		return false;
	if (GlobalVisCheckRemovableFullXid(NULL, safexid))
		return true;
	if (open_scans > 0)
		return false;
	SET_LOCKTAG_RELATION(tag, MyDatabaseId, RelationGetRelid(rel));
	(void) GetLockConflicts(&tag, AccessExclusiveLock, &nconflicts);
	return nconflicts == 0;
}

/* A standby query that could still read the page as it was must go first. */
static void
log_reuse(Relation rel, Page page)
{
	FullTransactionId safexid = dynpg_bt_deleted_safexid(page);
	FullTransactionId next = ReadNextFullTransactionId();

	if (!RelationNeedsWAL(rel) || !XLogStandbyInfoActive() ||
		!FullTransactionIdIsValid(safexid))
		return;
	/* a deletion older than half the xid space is older than any snapshot */
	if (U64FromFullTransactionId(next) - U64FromFullTransactionId(safexid) >= (UINT64CONST(1) << 31))
		return;
	dynpg_xlog_prune_conflict(rel, XidFromFullTransactionId(safexid));
}

/*
 * A deleted page VACUUM recorded in the free space map that can be reused
 * now, exclusively locked, or InvalidBuffer when there is none.
 */
Buffer
dynpg_bt_reusebuf(Relation rel)
{
	Buffer		buf;
	List	   *busy = NIL;
	ListCell   *lc;

	for (;;)
	{
		BlockNumber blkno = GetFreeIndexPage(rel);

		if (blkno == InvalidBlockNumber)
			break;
		if (blkno == DYN_BT_METAPAGE || blkno >= RelationGetNumberOfBlocks(rel))
			continue;			/* a stale entry */
		buf = ReadBuffer(rel, blkno);
		/* we may hold other pages' locks: never wait here */
		if (ConditionalLockBuffer(buf))
		{
			Page		page = BufferGetPage(buf);

			if (page_reusable(rel, page))
			{
				log_reuse(rel, page);
				foreach(lc, busy)
					RecordFreeIndexPage(rel, (BlockNumber) lfirst_int(lc));
				list_free(busy);
				return buf;
			}
			if (!PageIsNew(page) && DYN_BT_IS_DELETED(DynBtPageGetOpaque(page)))
				busy = lappend_int(busy, (int) blkno);	/* not yet: keep it listed */
			UnlockReleaseBuffer(buf);
		}
		else
		{
			busy = lappend_int(busy, (int) blkno);
			ReleaseBuffer(buf);
		}
	}
	foreach(lc, busy)
		RecordFreeIndexPage(rel, (BlockNumber) lfirst_int(lc));
	list_free(busy);
	return InvalidBuffer;
}

/*
 * A page for a split or a new root, exclusively locked, not yet
 * initialised (the caller initialises it in a WAL-logged change, as a full
 * image): a reusable deleted page (dynpg_bt_reusebuf), else a new page at
 * the end of the relation.
 */
Buffer
dynpg_bt_newbuf(Relation rel)
{
	Buffer		buf = dynpg_bt_reusebuf(rel);
	bool		needLock = !RELATION_IS_LOCAL(rel);

	if (BufferIsValid(buf))
		return buf;
	if (needLock)
		LockRelationForExtension(rel, ExclusiveLock);
	buf = ReadBuffer(rel, P_NEW);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	if (needLock)
		UnlockRelationForExtension(rel, ExclusiveLock);
	return buf;
}

void
dynpg_bt_relbuf(Buffer buf)
{
	UnlockReleaseBuffer(buf);
}

/*
 * Whether block 0's page is a metapage this dynpg reads; otherwise *what says
 * what is wrong, in a phrase (palloc'd): "bad magic number 0badf00d",
 * "format version 3".  Used on every read of the metapage (check_meta) and by
 * dynpg.verify(); the page has passed dynpg_bt_check_page or its equivalent.
 */
DynBtMetaState
dynpg_bt_check_metapage(Page page, char **what)
{
	DynBtMetaPageData *meta = DynBtPageGetMeta(page);
	DynBtPageOpaque op = DynBtPageGetOpaque(page);

	*what = NULL;
	/* the struct must lie below pd_lower, as dynpg_bt_init_metapage sets it */
	if (((PageHeader) page)->pd_lower < (char *) meta + offsetof(DynBtMetaPageData, root) - (char *) page)
	{
		*what = psprintf("its header ends at %u, before the metapage's fields",
						 (unsigned) ((PageHeader) page)->pd_lower);
		return DYN_BT_META_DAMAGED;
	}
	if (meta->magic != DYN_BT_MAGIC)
	{
		*what = psprintf("bad magic number %08x", meta->magic);
		return DYN_BT_META_DAMAGED;
	}
	if (meta->format_version != DYN_BT_FORMAT_VERSION)
	{
		*what = psprintf("format version %u", meta->format_version);
		return meta->format_version > DYN_BT_FORMAT_VERSION ? DYN_BT_META_NEWER : DYN_BT_META_OLDER;
	}
	if (meta->hash_version != DYN_BT_HASH_VERSION)
	{
		*what = psprintf("hash version %u", meta->hash_version);
		return meta->hash_version > DYN_BT_HASH_VERSION ? DYN_BT_META_NEWER : DYN_BT_META_OLDER;
	}
	/* this version's metapage: its page flags and the root it names */
	if (((PageHeader) page)->pd_lower < (char *) meta + sizeof(DynBtMetaPageData) - (char *) page)
	{
		*what = psprintf("its header ends at %u, before the metapage's fields",
						 (unsigned) ((PageHeader) page)->pd_lower);
		return DYN_BT_META_DAMAGED;
	}
	if ((op->flags & DYN_BT_META) == 0 || op->level != 0)
	{
		*what = psprintf("block 0 is not marked as the metapage (flags %04x, level %u)",
						 op->flags, op->level);
		return DYN_BT_META_DAMAGED;
	}
	if (meta->root == DYN_BT_METAPAGE || meta->root == DYN_BT_NONE)
	{
		*what = psprintf("root block %u", meta->root);
		return DYN_BT_META_DAMAGED;
	}
	if (meta->next_vid == 0 || meta->next_vid > DYN_BT_MAX_VID)
	{
		*what = psprintf("next version id " UINT64_FORMAT, meta->next_vid);
		return DYN_BT_META_DAMAGED;
	}
	return DYN_BT_META_VALID;
}

/* A relation whose metapage this dynpg cannot read is refused, with why. */
static void
check_meta(Relation rel, Page page)
{
	char	   *what;

	switch (dynpg_bt_check_metapage(page, &what))
	{
		case DYN_BT_META_VALID:
			return;
		case DYN_BT_META_DAMAGED:
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("dynpg table \"%s\" has a damaged metapage: %s",
							RelationGetRelationName(rel), what),
					 errhint("The table may be damaged; dynpg.verify() reports on it.")));
			break;
		case DYN_BT_META_NEWER:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("dynpg table \"%s\" has on-disk %s, which is newer than this dynpg reads",
							RelationGetRelationName(rel), what),
					 errdetail("dynpg %s reads format version %d, hash version %d.",
							   DYNPG_VERSION_STR, DYN_BT_FORMAT_VERSION, DYN_BT_HASH_VERSION),
					 errhint("The table was written by a newer dynpg: read it with that version, "
							 "or dump it with pg_dump there and restore the dump here.")));
			break;
		case DYN_BT_META_OLDER:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("dynpg table \"%s\" has on-disk %s, which this dynpg no longer reads",
							RelationGetRelationName(rel), what),
					 errdetail("dynpg %s reads format version %d, hash version %d.",
							   DYNPG_VERSION_STR, DYN_BT_FORMAT_VERSION, DYN_BT_HASH_VERSION),
					 errhint("Dump the table with pg_dump on a server running the dynpg that wrote it, "
							 "and restore the dump here.")));
			break;
	}
}

void
dynpg_bt_read_meta(Relation rel, DynBtMetaPageData *meta)
{
	Buffer		buf = dynpg_bt_getbuf(rel, DYN_BT_METAPAGE, BUFFER_LOCK_SHARE);

	check_meta(rel, BufferGetPage(buf));
	memcpy(meta, DynBtPageGetMeta(BufferGetPage(buf)), sizeof(*meta));
	UnlockReleaseBuffer(buf);
}

/*
 * VIDs are reserved in batches per backend, one WAL record per batch, so a
 * write does not touch the metapage.  A crash loses the unused rest of a
 * batch (gaps are harmless); a VID is never handed out twice because the
 * metapage change is WAL-logged before any tuple carrying a VID from it.
 */
#define VID_BATCH 1024

typedef struct VidCacheEntry
{
	RelFileNode node;			/* hash key: a new filenode starts afresh */
	uint64		next;
	uint64		end;
	BlockNumber root;			/* the root as last seen (InvalidBlockNumber: none) */
	uint32		root_level;
} VidCacheEntry;

static HTAB *vid_cache = NULL;

/* This backend's entry of a relfilenode: its VID batch and root hint. */
static VidCacheEntry *
cache_entry(Relation rel)
{
	VidCacheEntry *e;
	bool		found;

	if (vid_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(RelFileNode);
		ctl.entrysize = sizeof(VidCacheEntry);
		ctl.hcxt = TopMemoryContext;
		vid_cache = hash_create("dynpg VID batches", 64, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	e = hash_search(vid_cache, &rel->rd_node, HASH_ENTER, &found);
	if (!found)
	{
		e->next = e->end = 0;
		e->root = InvalidBlockNumber;
		e->root_level = 0;
	}
	return e;
}

/*
 * The root as this backend last read it from the metapage, so that a
 * descent need not read the metapage (as nbtree caches its metapage in
 * rd_amcache).  A hint only: the caller checks that the page it names is
 * still the live root of that level (a root split clears the old root's
 * ROOT flag) and else reads the metapage (dynpg_bt_remember_root).  A new
 * relfilenode starts without one; a non-transactional truncate forgets it
 * (dynpg_bt_forget_vids).
 */
bool
dynpg_bt_cached_root(Relation rel, BlockNumber *root, uint32 *level)
{
	VidCacheEntry *e = cache_entry(rel);

	if (e->root == InvalidBlockNumber)
		return false;
	*root = e->root;
	*level = e->root_level;
	return true;
}

void
dynpg_bt_remember_root(Relation rel, BlockNumber root, uint32 level)
{
	VidCacheEntry *e = cache_entry(rel);

	e->root = root;
	e->root_level = level;
}

uint64
dynpg_bt_next_vid(Relation rel)
{
	VidCacheEntry *e = cache_entry(rel);

	if (e->next >= e->end)
	{
		Buffer		buf = dynpg_bt_getbuf(rel, DYN_BT_METAPAGE, BUFFER_LOCK_EXCLUSIVE);
		GenericXLogState *state;
		Page		page;
		DynBtMetaPageData *meta;
		uint64		start;

		check_meta(rel, BufferGetPage(buf));
		start = DynBtPageGetMeta(BufferGetPage(buf))->next_vid;
		if (start + VID_BATCH > DYN_BT_MAX_VID)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("dynpg table \"%s\" has used all of its version ids",
							RelationGetRelationName(rel)),
					 errhint("Copy the items into a new table.")));
		state = GenericXLogStart(rel);
		page = GenericXLogRegisterBuffer(state, buf, 0);
		meta = DynBtPageGetMeta(page);
		meta->next_vid = start + VID_BATCH;
		GenericXLogFinish(state);
		UnlockReleaseBuffer(buf);
		e->next = start;
		e->end = start + VID_BATCH;
	}
	return e->next++;
}

/* ---- keys ---- */

int
dynpg_bt_compare(const DynBtKey *a, const DynBtKey *b)
{
	/* (an empty key may have no pointer: memcmp's arguments must be valid) */
	int			r = Min(a->keylen, b->keylen) > 0 ?
		memcmp(a->key, b->key, Min(a->keylen, b->keylen)) : 0;

	if (r != 0)
		return r < 0 ? -1 : 1;
	if (a->keylen != b->keylen)
		return a->keylen < b->keylen ? -1 : 1;
	/* VIDs descending */
	if (a->vid != b->vid)
		return a->vid > b->vid ? -1 : 1;
	return 0;
}

/*
 * The key of the item at 'off'.  Leaf data items are leaf tuples; high keys
 * and internal items are internal tuples.  Lengths are checked against the
 * item, so a damaged tuple raises an error instead of overrunning.
 */
void
dynpg_bt_item_key(Page page, OffsetNumber off, bool leaf, DynBtKey *key)
{
	ItemId		iid;
	char	   *item;
	Size		len;

	if (off < FirstOffsetNumber || off > PageGetMaxOffsetNumber(page))
		elog(ERROR, "dynpg: item offset %u out of range", off);
	iid = PageGetItemId(page, off);
	if (!dynpg_bt_itemid_sane(iid))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("dynpg: damaged line pointer at offset %u", off)));
	item = PageGetItem(page, iid);
	len = ItemIdGetLength(iid);
	if (leaf)
	{
		DynBtLeafTupleData hdr;

		if (len < DYN_BT_LEAF_HDRSZ)
			elog(ERROR, "dynpg: leaf tuple too short (%zu bytes)", len);
		memcpy(&hdr, item, DYN_BT_LEAF_HDRSZ);
		if (DYN_BT_LEAF_HDRSZ + hdr.keylen > len)
			elog(ERROR, "dynpg: leaf tuple key overruns the tuple");
		key->key = (const uint8 *) item + DYN_BT_LEAF_HDRSZ;
		key->keylen = hdr.keylen;
		key->vid = hdr.vid;
	}
	else
	{
		DynBtInternalTupleData hdr;

		if (len < DYN_BT_INTERNAL_HDRSZ)
			elog(ERROR, "dynpg: internal tuple too short (%zu bytes)", len);
		memcpy(&hdr, item, DYN_BT_INTERNAL_HDRSZ);
		if (DYN_BT_INTERNAL_HDRSZ + hdr.keylen > len)
			elog(ERROR, "dynpg: internal tuple key overruns the tuple");
		key->key = (const uint8 *) item + DYN_BT_INTERNAL_HDRSZ;
		key->keylen = hdr.keylen;
		key->vid = hdr.vid;
	}
}

/* Drop this backend's VID batch and root hint of a relfilenode (after it is emptied or created anew). */
void
dynpg_bt_forget_vids(const RelFileNode *node)
{
	if (vid_cache != NULL)
		(void) hash_search(vid_cache, node, HASH_REMOVE, NULL);
}
