/*-------------------------------------------------------------------------
 *
 * btbuild.c
 *	  Bulk loading an empty dynpg B-tree: sort, then build the leaves left
 *	  to right and the levels above them, as nbtree's CREATE INDEX does.
 *
 * The caller (src/am/dynpg_bulk.c) adds finished leaf tuples -- header,
 * storage key, payload -- in any order.  They go into a tuplesort (bytea
 * datums, so PostgreSQL's external sort spills to temp files past
 * maintenance_work_mem): each record is the storage key made prefix-free
 * (0x00 written 0x00 0xFF, then the terminator 0x00 0x00), so that memcmp
 * order of records is storage-key order, followed by the tuple's VID, its
 * cmin and its payload.  The rest of the tuple is not sorted: its key is
 * the record's prefix unescaped, and its other header fields are the same
 * in every tuple of a build (the loading transaction's xmin, no xmax),
 * kept once in the build.  (The command may change within a load: an
 * import's worker takes a new one as it goes.)  A record is so about a fifth smaller
 * than the tuple with its key in front, and the sort spills that much less.
 *
 * dynpg_bt_build_finish() then reads the records in key order and packs
 * leaves to the fill factor, each a new page (build_newbuf: a reusable
 * page or a new block) written whole and WAL-logged as a full page image
 * (log_newpage_buffer); every leaf's high key is an exact copy of the next
 * leaf's first (key, VID), as splits make them.  The separators of each
 * level become the next level's downlinks, until one page holds them: the
 * root.  Up to here nothing is reachable: the metapage still names the
 * old root, an empty leaf, and readers find an empty table.  The last
 * step is one generic WAL record of two pages: the old root's block gets
 * the first leaf (it is the leftmost leaf; the second leaf was written
 * with it as left sibling) and the metapage the new root and level.  A
 * reader that descended to the old root before that record and reads it
 * after finds a leaf with a right-link and high key, and moves right or
 * walks on as after any split; the new tuples carry the loading
 * transaction's xid, so they are invisible to everyone else until it
 * commits, and vanish if it aborts (VACUUM removes them then).
 *
 * Two equal storage keys are refused: the caller's 'duplicate' callback
 * raises its error, or the build errors.  The check happens while the
 * sorted stream is read, so a duplicate may be found after some leaves
 * were written: those pages are unreachable (the metapage never changed).
 * A table created or truncated in the same transaction -- the usual bulk
 * load, and ImportTable's -- loses its whole file on abort; in any other,
 * every page the build writes is flagged DYN_BT_BULK with the building
 * xid in pd_prune_xid, and VACUUM frees those it finds outside the tree
 * once that xid has aborted (btvacuum.c, record_lost_pages).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "access/xact.h"
#include "access/xloginsert.h"
#include "catalog/pg_operator_d.h"
#include "catalog/pg_type_d.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/indexfsm.h"
#include "storage/lmgr.h"
#include "storage/smgr.h"
#include "utils/memutils.h"
#include "utils/tuplesort.h"

#include "storage/dynpg_bt.h"

/* a page's room for items: everything but the header and special space */
#define PAGE_ROOM	(BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(DynBtPageOpaqueData)))
#define ITEM_COST(sz)	(MAXALIGN(sz) + sizeof(ItemIdData))

struct DynBtBuild
{
	Relation	rel;
	MemoryContext cxt;
	Tuplesortstate *sort;
	int64		ntuples;
	TransactionId xid;			/* the (sub)transaction writing the pages */
	char	   *rec;			/* the record being made (the sort copies it) */
	Size		reccap;
	bool		have_tmpl;
	DynBtLeafTupleData tmpl;	/* every tuple's header but its VID, cmin, key length */
};

/* a record's suffix after the key: the VID and cmin, then the payload */
#define REC_VID_SIZE	(sizeof(uint64) + sizeof(CommandId))

/* One separator of a level: the first (key, VID) of page 'blkno'. */
typedef struct BuildSep
{
	uint64		vid;
	uint16		keylen;
	BlockNumber blkno;
	uint8	   *key;
} BuildSep;

/* The page being filled at one level. */
typedef struct BuildLevel
{
	uint32		level;
	char	  **items;			/* the tuples, in order */
	Size	   *sizes;
	int			n;
	int			cap;
	Size		used;			/* ITEM_COST of the items */
	BuildSep	first;			/* the page's first key (its downlink) */
	BlockNumber prev;			/* the page before, written, or DYN_BT_NONE */
	Buffer		prevbuf;		/* ... still locked until its right-link is known */
	int			npages;
	List	   *seps;			/* BuildSep * for the level above */
	TransactionId xid;			/* the build's, stamped on its pages */
	struct BuildPages *pages;	/* where its new pages come from */
} BuildLevel;

/*
 * The build's new pages: deleted pages the free space map offers while it
 * has any, then blocks added to the relation BUILD_EXTEND_BATCH at a time.
 * A batch is added by writing its last block (the file's blocks before it
 * read as zeros, as hash indexes allocate their bucket ranges), so each
 * page is written once, when its buffer is, instead of a zero page first.
 * The table is locked against every other writer during a build.
 */
#define BUILD_EXTEND_BATCH	64

typedef struct BuildPages
{
	bool		fsm_empty;
	BlockNumber next;			/* added blocks [next, end) not yet used */
	BlockNumber end;
} BuildPages;

static Buffer
build_newbuf(Relation rel, BuildPages *bp)
{
	if (!bp->fsm_empty)
	{
		Buffer		buf = dynpg_bt_reusebuf(rel);

		if (BufferIsValid(buf))
			return buf;
		bp->fsm_empty = true;
	}
	if (bp->next >= bp->end)
	{
		PGAlignedBlock zero;
		bool		needLock = !RELATION_IS_LOCAL(rel);
		BlockNumber nblocks;

		memset(zero.data, 0, BLCKSZ);
		if (needLock)
			LockRelationForExtension(rel, ExclusiveLock);
		nblocks = RelationGetNumberOfBlocks(rel);
		if (nblocks > MaxBlockNumber - BUILD_EXTEND_BATCH)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("cannot extend dynpg table \"%s\" beyond %u blocks",
							RelationGetRelationName(rel), MaxBlockNumber)));
		smgrextend(RelationGetSmgr(rel), MAIN_FORKNUM, nblocks + BUILD_EXTEND_BATCH - 1, zero.data, false);
		if (needLock)
			UnlockRelationForExtension(rel, ExclusiveLock);
		bp->next = nblocks;
		bp->end = nblocks + BUILD_EXTEND_BATCH;
	}
	return ReadBufferExtended(rel, MAIN_FORKNUM, bp->next++, RBM_ZERO_AND_LOCK, NULL);
}

/* The added blocks the build did not use: free pages for later splits. */
static void
build_pages_done(Relation rel, BuildPages *bp)
{
	bool		any = bp->next < bp->end;

	for (; bp->next < bp->end; bp->next++)
		RecordFreeIndexPage(rel, bp->next);
	if (any)
		IndexFreeSpaceMapVacuum(rel);
}

bool
dynpg_bt_is_empty(Relation rel)
{
	DynBtMetaPageData meta;
	Buffer		buf;
	Page		page;
	DynBtPageOpaque op;
	bool		empty;

	dynpg_bt_read_meta(rel, &meta);
	if (meta.root_level != 0)
		return false;
	buf = dynpg_bt_getbuf(rel, meta.root, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	op = DynBtPageGetOpaque(page);
	empty = DYN_BT_IS_LEAF(op) && DYN_BT_IS_ROOT(op) && DYN_BT_IS_RIGHTMOST(op) &&
		PageGetMaxOffsetNumber(page) == 0;
	UnlockReleaseBuffer(buf);
	return empty;
}

DynBtBuild *
dynpg_bt_build_begin(Relation rel)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "dynpg bulk build",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	DynBtBuild *b = palloc0(sizeof(DynBtBuild));

	b->rel = rel;
	b->cxt = cxt;
	b->sort = tuplesort_begin_datum(BYTEAOID, ByteaLessOperator, InvalidOid, false,
									maintenance_work_mem, NULL, TUPLESORT_NONE);
	MemoryContextSwitchTo(old);
	return b;
}

void
dynpg_bt_build_add(DynBtBuild *b, const uint8 *key, uint16 keylen, const DynBtLeafTupleData *hdr,
				   const void *payload, Size payloadlen)
{
	Size		tuplesz = DYN_BT_LEAF_HDRSZ + keylen + payloadlen;
	Size		maxlen;
	bytea	   *rec;
	char	   *p;
	int			i;

	if (keylen > DYN_BT_MAX_KEY_SIZE || tuplesz > DYN_BT_MAX_TUPLE_SIZE)
		elog(ERROR, "dynpg: leaf tuple of %zu bytes (key %u) exceeds the maximum of %zu",
			 tuplesz, keylen, (Size) DYN_BT_MAX_TUPLE_SIZE);
	if (!b->have_tmpl)
	{
		memcpy(&b->tmpl, hdr, sizeof(b->tmpl));
		b->tmpl.vid = 0;
		b->tmpl.cmin = 0;
		b->tmpl.keylen = 0;
		b->have_tmpl = true;
	}
	else if (hdr->xmin != b->tmpl.xmin || hdr->xmax != b->tmpl.xmax ||
			 hdr->cmax != b->tmpl.cmax || hdr->infomask != b->tmpl.infomask)
		elog(ERROR, "dynpg: bulk build: the tuples of one build differ in more than their VIDs and commands");
	/* worst case: every key byte escaped */
	maxlen = VARHDRSZ + 2 * (Size) keylen + 2 + REC_VID_SIZE + payloadlen;
	if (maxlen > b->reccap)
	{
		if (b->rec)
			pfree(b->rec);
		b->reccap = Max(maxlen, 1024);
		b->rec = MemoryContextAlloc(b->cxt, b->reccap);
	}
	rec = (bytea *) b->rec;
	p = VARDATA(rec);
	for (i = 0; i < keylen; i++)
	{
		*p++ = (char) key[i];
		if (key[i] == 0)
			*p++ = (char) 0xFF;
	}
	*p++ = 0;
	*p++ = 0;
	memcpy(p, &hdr->vid, sizeof(uint64));
	memcpy(p + sizeof(uint64), &hdr->cmin, sizeof(CommandId));
	p += REC_VID_SIZE;
	if (payloadlen > 0)
		memcpy(p, payload, payloadlen);
	p += payloadlen;
	SET_VARSIZE(rec, p - (char *) rec);
	tuplesort_putdatum(b->sort, PointerGetDatum(rec), false);
	b->ntuples++;
}

/*
 * The leaf tuple of sort record 'rec' (palloc'd, '*len' its length), and
 * in '*keypart' the length of the record's escaped key with its terminator.
 */
static char *
record_tuple(const DynBtBuild *b, bytea *rec, Size *len, Size *keypart)
{
	const char *start = VARDATA(rec);
	const char *end = start + VARSIZE(rec) - VARHDRSZ;
	const char *p = start;
	Size		keylen = 0;

	/* the key's length, unescaped, and where the VID starts */
	while (p + 1 < end)
	{
		if (p[0] == 0)
		{
			if (p[1] == 0)
				break;
			p += 2;				/* an escaped 0x00 */
		}
		else
			p++;
		keylen++;
	}
	if (p + 1 >= end || (Size) (end - (p + 2)) < REC_VID_SIZE || keylen > DYN_BT_MAX_KEY_SIZE)
		elog(ERROR, "dynpg: malformed bulk load record");
	*keypart = (p + 2) - start;
	p += 2;
	{
		Size		payloadlen = (end - p) - REC_VID_SIZE;
		char	   *t = palloc(DYN_BT_LEAF_HDRSZ + keylen + payloadlen);
		char	   *k = t + DYN_BT_LEAF_HDRSZ;
		const char *q;
		DynBtLeafTupleData h = b->tmpl;

		memcpy(&h.vid, p, sizeof(uint64));
		memcpy(&h.cmin, p + sizeof(uint64), sizeof(CommandId));
		h.keylen = (uint16) keylen;
		memcpy(t, &h, DYN_BT_LEAF_HDRSZ);
		for (q = start; q < start + *keypart - 2; q++)
		{
			*k++ = *q;
			if (*q == 0)
				q++;			/* 0x00 0xFF is one 0x00 */
		}
		memcpy(k, p + REC_VID_SIZE, payloadlen);
		*len = DYN_BT_LEAF_HDRSZ + keylen + payloadlen;
		return t;
	}
}

static char *
make_sep_tuple(const BuildSep *sep, bool minus_inf, Size *size)
{
	DynBtInternalTupleData hdr;
	char	   *t;

	memset(&hdr, 0, sizeof(hdr));
	hdr.vid = sep->vid;
	hdr.child = sep->blkno;
	hdr.keylen = minus_inf ? 0 : sep->keylen;
	hdr.flags = minus_inf ? DYN_BT_MINUS_INF : 0;
	*size = DYN_BT_INTERNAL_HDRSZ + hdr.keylen;
	t = palloc(*size);
	memcpy(t, &hdr, DYN_BT_INTERNAL_HDRSZ);
	if (hdr.keylen > 0)
		memcpy(t + DYN_BT_INTERNAL_HDRSZ, sep->key, hdr.keylen);
	return t;
}

/* The (key, VID) an item of 'level' starts with. */
static void
item_sep(const BuildLevel *lv, int i, BuildSep *sep)
{
	const char *t = lv->items[i];

	if (lv->level == 0)
	{
		DynBtLeafTupleData h;

		memcpy(&h, t, DYN_BT_LEAF_HDRSZ);
		sep->vid = h.vid;
		sep->keylen = h.keylen;
		sep->key = (uint8 *) (t + DYN_BT_LEAF_HDRSZ);
	}
	else
	{
		DynBtInternalTupleData h;

		memcpy(&h, t, DYN_BT_INTERNAL_HDRSZ);
		sep->vid = h.vid;
		sep->keylen = h.keylen;
		sep->key = (uint8 *) (t + DYN_BT_INTERNAL_HDRSZ);
	}
}

static void
write_page(Relation rel, Buffer buf, Page image)
{
	START_CRIT_SECTION();
	DYN_BT_CHECK_PAGE_DEFINED(image);
	if (image != BufferGetPage(buf))
		memcpy(BufferGetPage(buf), image, BLCKSZ);
	MarkBufferDirty(buf);
	if (RelationNeedsWAL(rel))
		log_newpage_buffer(buf, true);
	END_CRIT_SECTION();
}

/*
 * Lay out the page of 'lv' holding items [0, n): high key 'hikey' (NULL on
 * the rightmost page), left sibling lv->prev, right sibling 'right'.
 */
static void
fill_page(Page page, BuildLevel *lv, int n, const BuildSep *hikey, BlockNumber right,
		  uint16 extra_flags)
{
	DynBtPageOpaque op;
	OffsetNumber off = 1;
	int			i;

	dynpg_bt_init_page(page, lv->level, (lv->level == 0 ? DYN_BT_LEAF : 0) | DYN_BT_BULK | extra_flags);
	((PageHeader) page)->pd_prune_xid = lv->xid;
	op = DynBtPageGetOpaque(page);
	op->left = lv->prev;
	op->right = right;
	if (hikey != NULL)
	{
		BuildSep	hk = *hikey;
		Size		sz;
		char	   *t;

		hk.blkno = DYN_BT_NONE;
		t = make_sep_tuple(&hk, false, &sz);
		DYN_BT_CHECK_DEFINED(t, sz);
		if (PageAddItem(page, (Item) t, sz, off++, false, false) == InvalidOffsetNumber)
			elog(ERROR, "dynpg: bulk build: high key of %zu bytes does not fit", sz);
		pfree(t);
	}
	for (i = 0; i < n; i++)
	{
		char	   *t = lv->items[i];
		Size		sz = lv->sizes[i];
		char		minf[DYN_BT_INTERNAL_HDRSZ];

		if (lv->level > 0 && i == 0)
		{
			/* an internal page's first downlink is minus infinity */
			DynBtInternalTupleData h;

			memcpy(&h, t, DYN_BT_INTERNAL_HDRSZ);
			h.keylen = 0;
			h.flags |= DYN_BT_MINUS_INF;
			memcpy(minf, &h, DYN_BT_INTERNAL_HDRSZ);
			t = minf;
			sz = DYN_BT_INTERNAL_HDRSZ;
		}
		DYN_BT_CHECK_DEFINED(t, sz);
		if (PageAddItem(page, (Item) t, sz, off++, false, false) == InvalidOffsetNumber)
			elog(ERROR, "dynpg: bulk build: item of %zu bytes does not fit", sz);
	}
}

/*
 * Close the page being filled at 'lv' with items [0, n) (the rest move to
 * the next page), 'next' the first item of the next page.  The page before
 * it gets its right-link and is written now.  The first leaf is kept
 * (firstleaf) to be written last, into the old root's block.
 */
static void
close_page(Relation rel, BuildLevel *lv, int n, const BuildSep *next, bool last,
		   PGAlignedBlock *firstleaf, BlockNumber rootblk)
{
	BlockNumber blkno;
	Buffer		buf = InvalidBuffer;
	BuildSep   *sep;

	if (lv->level == 0 && lv->npages == 0)
		blkno = rootblk;
	else
	{
		buf = build_newbuf(rel, lv->pages);
		blkno = BufferGetBlockNumber(buf);
	}
	/* the page before learns its right-link: written now */
	if (BufferIsValid(lv->prevbuf))
	{
		Page		prev = BufferGetPage(lv->prevbuf);

		DynBtPageGetOpaque(prev)->right = blkno;
		write_page(rel, lv->prevbuf, prev);
		UnlockReleaseBuffer(lv->prevbuf);
		lv->prevbuf = InvalidBuffer;
	}
	else if (lv->level == 0 && lv->npages == 1)
		DynBtPageGetOpaque(firstleaf->data)->right = blkno;

	/* this page, its right-link filled in when the next one exists */
	sep = palloc(sizeof(BuildSep));
	item_sep(lv, 0, sep);
	sep->key = memcpy(palloc(Max(sep->keylen, 1)), sep->key, sep->keylen);
	sep->blkno = blkno;
	lv->seps = lappend(lv->seps, sep);

	if (lv->level == 0 && lv->npages == 0)
		fill_page(firstleaf->data, lv, n, last ? NULL : next, DYN_BT_NONE, 0);
	else
	{
		Page		page = BufferGetPage(buf);

		/*
		 * laid out in the buffer itself: a new page, locked, that nothing
		 * reaches until the switch; kept locked until its right sibling is
		 * known
		 */
		fill_page(page, lv, n, last ? NULL : next, DYN_BT_NONE, 0);
		if (last)
		{
			write_page(rel, buf, page);
			UnlockReleaseBuffer(buf);
		}
		else
			lv->prevbuf = buf;
	}
	lv->prev = blkno;
	lv->npages++;
	for (int i = 0; i < n; i++)
		pfree(lv->items[i]);

	/* the items left over start the next page */
	if (n < lv->n)
	{
		memmove(lv->items, lv->items + n, (lv->n - n) * sizeof(char *));
		memmove(lv->sizes, lv->sizes + n, (lv->n - n) * sizeof(Size));
	}
	lv->n -= n;
	lv->used = 0;
	for (int i = 0; i < lv->n; i++)
		lv->used += ITEM_COST(lv->sizes[i]);
}

static void
level_push(BuildLevel *lv, char *t, Size sz)
{
	if (lv->n == lv->cap)
	{
		lv->cap = lv->cap == 0 ? 64 : lv->cap * 2;
		lv->items = lv->items ? repalloc(lv->items, lv->cap * sizeof(char *)) :
			palloc(lv->cap * sizeof(char *));
		lv->sizes = lv->sizes ? repalloc(lv->sizes, lv->cap * sizeof(Size)) :
			palloc(lv->cap * sizeof(Size));
	}
	lv->items[lv->n] = t;
	lv->sizes[lv->n] = sz;
	lv->n++;
	lv->used += ITEM_COST(sz);
}

/*
 * Add tuple 't' to the page of 'lv', closing the page first when 't' would
 * take it past 'target' bytes.  The closed page needs room for its high key
 * (a copy of the next page's first key); if that does not fit, its last
 * item moves to the next page too: an item is larger than its key's high
 * key, so then it does.
 */
static void
level_add(Relation rel, BuildLevel *lv, char *t, Size sz, Size target,
		  PGAlignedBlock *firstleaf, BlockNumber rootblk)
{
	if (lv->n > 0 && lv->used + ITEM_COST(sz) > target)
	{
		BuildSep	next;
		int			n = lv->n;

		level_push(lv, t, sz);	/* so item_sep can read it */
		item_sep(lv, n, &next);
		if (lv->used - ITEM_COST(sz) + ITEM_COST(DYN_BT_INTERNAL_HDRSZ + next.keylen) > PAGE_ROOM &&
			n > 1)
		{
			n--;
			item_sep(lv, n, &next);
		}
		close_page(rel, lv, n, &next, false, firstleaf, rootblk);
		return;
	}
	level_push(lv, t, sz);
}

/* Build the levels above 'seps' (one per page of the level below); the root's block and level. */
static void
build_upper(Relation rel, List *seps, Size target, TransactionId xid, BuildPages *pages,
			BlockNumber *top, uint32 *toplevel)
{
	uint32		level = 1;

	for (;;)
	{
		BuildLevel	cur;
		ListCell   *lc;

		memset(&cur, 0, sizeof(cur));
		cur.level = level;
		cur.xid = xid;
		cur.pages = pages;
		cur.prev = DYN_BT_NONE;
		cur.prevbuf = InvalidBuffer;
		foreach(lc, seps)
		{
			Size		sz;
			char	   *t = make_sep_tuple(lfirst(lc), false, &sz);

			level_add(rel, &cur, t, sz, target, NULL, InvalidBlockNumber);
		}
		if (cur.npages == 0)
		{
			/* one page holds them: the root */
			Buffer		buf = build_newbuf(rel, pages);
			PGAlignedBlock image;

			fill_page(image.data, &cur, cur.n, NULL, DYN_BT_NONE, DYN_BT_ROOT);
			write_page(rel, buf, image.data);
			*top = BufferGetBlockNumber(buf);
			*toplevel = level;
			UnlockReleaseBuffer(buf);
			return;
		}
		close_page(rel, &cur, cur.n, NULL, true, NULL, InvalidBlockNumber);
		seps = cur.seps;
		level++;
	}
}

int64
dynpg_bt_build_finish(DynBtBuild *b, int fillfactor,
					  void (*duplicate) (const char *tuple, Size len, void *arg), void *arg)
{
	Relation	rel = b->rel;
	MemoryContext old = MemoryContextSwitchTo(b->cxt);
	DynBtMetaPageData meta;
	PGAlignedBlock firstleaf;
	BuildLevel	leaves;
	Size		target = PAGE_ROOM * fillfactor / 100;
	Datum		d;
	bool		isnull;
	bytea	   *prev = NULL;
	Size		prevkeylen = 0;
	BlockNumber rootblk;
	BlockNumber top;
	uint32		toplevel;
	int64		n = b->ntuples;
	BuildPages	pages = {false, 0, 0};

	/*
	 * The pages are stamped with the (sub)transaction that writes them,
	 * which may be younger than the tuples' xmin: a caller that runs this
	 * in a subtransaction of its own and goes on when it fails (ImportTable)
	 * leaves pages whose writer aborted, for VACUUM to free.
	 */
	b->xid = GetCurrentTransactionId();
	tuplesort_performsort(b->sort);
	dynpg_bt_read_meta(rel, &meta);
	if (meta.root_level != 0 || !dynpg_bt_is_empty(rel))
		elog(ERROR, "dynpg: bulk build into a table that is not empty");
	rootblk = meta.root;

	memset(&leaves, 0, sizeof(leaves));
	leaves.xid = b->xid;
	leaves.pages = &pages;
	leaves.prev = DYN_BT_NONE;
	leaves.prevbuf = InvalidBuffer;
	memset(firstleaf.data, 0, BLCKSZ);

	while (tuplesort_getdatum(b->sort, true, &d, &isnull, NULL))
	{
		bytea	   *rec = (bytea *) DatumGetPointer(d);
		Size		len;
		Size		keypart;
		char	   *t = record_tuple(b, rec, &len, &keypart);

		CHECK_FOR_INTERRUPTS();
		if (prev != NULL && keypart == prevkeylen && memcmp(VARDATA(prev), VARDATA(rec), keypart) == 0)
		{
			if (duplicate)
				duplicate(t, len, arg);
			elog(ERROR, "dynpg: bulk build: duplicate storage key");
		}
		if (prev != NULL)
			pfree(prev);
		prev = rec;
		prevkeylen = keypart;
		level_add(rel, &leaves, t, len, target, &firstleaf, rootblk);
	}
	tuplesort_end(b->sort);
	b->sort = NULL;

	if (leaves.n > 0)
	{
		GenericXLogState *state;
		Buffer		metabuf;
		Buffer		rootbuf;
		Page		mp;
		Page		rp;

		if (leaves.npages == 0)
		{
			/* everything fits in the root leaf */
			fill_page(firstleaf.data, &leaves, leaves.n, NULL, DYN_BT_NONE, DYN_BT_ROOT);
			top = rootblk;
			toplevel = 0;
		}
		else
		{
			close_page(rel, &leaves, leaves.n, NULL, true, &firstleaf, rootblk);
			build_upper(rel, leaves.seps, target, b->xid, &pages, &top, &toplevel);
		}

		/* the switch: the first leaf into the old root's block, the metapage */
		metabuf = dynpg_bt_getbuf(rel, DYN_BT_METAPAGE, BUFFER_LOCK_EXCLUSIVE);
		rootbuf = dynpg_bt_getbuf(rel, rootblk, BUFFER_LOCK_EXCLUSIVE);
		state = GenericXLogStart(rel);
		mp = GenericXLogRegisterBuffer(state, metabuf, 0);
		rp = GenericXLogRegisterBuffer(state, rootbuf, GENERIC_XLOG_FULL_IMAGE);
		memcpy(rp, firstleaf.data, BLCKSZ);
		DynBtPageGetMeta(mp)->root = top;
		DynBtPageGetMeta(mp)->root_level = toplevel;
		GenericXLogFinish(state);
		UnlockReleaseBuffer(rootbuf);
		UnlockReleaseBuffer(metabuf);
		dynpg_bt_remember_root(rel, top, toplevel);
	}
	build_pages_done(rel, &pages);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(b->cxt);
	return n;
}

void
dynpg_bt_build_abort(DynBtBuild *b)
{
	if (b->sort != NULL)
		tuplesort_end(b->sort);
	MemoryContextDelete(b->cxt);
}
