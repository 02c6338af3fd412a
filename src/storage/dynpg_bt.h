/*-------------------------------------------------------------------------
 *
 * dynpg_bt.h
 *	  The dynpg B-tree: page layout, tuple formats and the storage API.
 *
 * Each dynpg relation's main fork is one B-tree (README in this directory
 * states the algorithm and its invariants).  Block 0 is the metapage; the
 * other blocks are internal and leaf pages in PostgreSQL's standard page
 * layout with DynBtPageOpaqueData in the special space, as nbtree does.
 *
 * Leaves hold item versions ordered by (storage key, VID descending).
 * Storage keys are opaque byte strings to this layer (types/dynpg_key.h builds
 * them); it compares them with memcmp, shorter first.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_BT_H
#define DYNPG_BT_H

#include "access/htup_details.h"
#include "access/transam.h"
#include "lib/stringinfo.h"
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "storage/block.h"
#include "storage/item.h"
#include "storage/off.h"
#include "utils/memdebug.h"
#include "utils/rel.h"
#include "utils/snapshot.h"

/*
 * Under valgrind (a build with USE_VALGRIND defined: make valgrind-check),
 * every byte dynpg hands to a page or to WAL is checked to be defined where
 * it is handed over, so that an uninitialised byte is reported with the
 * stack that wrote it rather than later, by whichever process flushes the
 * WAL (PostgreSQL's own USE_VALGRIND build checks its records the same way).
 * No code at all in a normal build.
 */
#define DYN_BT_CHECK_DEFINED(p, len) VALGRIND_CHECK_MEM_IS_DEFINED((p), (len))
/* A standard page: its header and line pointers, and its tuples and special space. */
#define DYN_BT_CHECK_PAGE_DEFINED(page) \
	do { \
		DYN_BT_CHECK_DEFINED((page), ((PageHeader) (page))->pd_lower); \
		DYN_BT_CHECK_DEFINED((char *) (page) + ((PageHeader) (page))->pd_upper, \
							 BLCKSZ - ((PageHeader) (page))->pd_upper); \
	} while (0)

/* ---- metapage ---- */

#define DYN_BT_METAPAGE			0
#define DYN_BT_MAGIC			0x44594E42	/* "DYNB" */
/*
 * The on-disk format's version (storage/README, "Format versions"): a change
 * to the page layout, the tuple formats or the storage key encoding bumps it,
 * and a relation stamped with another version is refused when it is read
 * (dynpg_bt_check_metapage), never misread.
 */
#define DYN_BT_FORMAT_VERSION	2	/* 2: storage keys start with a keyspace byte */
#define DYN_BT_HASH_VERSION		1		/* types/hash.c: XXH64, seed 0 */

typedef struct DynBtMetaPageData
{
	uint32		magic;
	uint32		format_version;
	uint32		hash_version;
	BlockNumber root;			/* the root page (a leaf while the tree is one page) */
	uint32		root_level;		/* 0 when the root is a leaf */
	uint64		next_vid;		/* first VID no backend has reserved */
} DynBtMetaPageData;

#define DynBtPageGetMeta(page) ((DynBtMetaPageData *) PageGetContents(page))

/* What dynpg_bt_check_metapage finds in a metapage. */
typedef enum DynBtMetaState
{
	DYN_BT_META_VALID,
	DYN_BT_META_DAMAGED,		/* not a dynpg metapage, or an impossible one */
	DYN_BT_META_NEWER,			/* a format or hash version above this dynpg's */
	DYN_BT_META_OLDER			/* one below: a format this dynpg no longer reads */
} DynBtMetaState;

/* ---- page special space ---- */

typedef struct DynBtPageOpaqueData
{
	BlockNumber left;			/* left sibling, or DYN_BT_NONE */
	BlockNumber right;			/* right sibling, or DYN_BT_NONE */
	uint32		level;			/* 0 for leaves */
	uint16		flags;
	uint16		page_id;		/* DYN_BT_PAGE_ID, to recognise our pages */
} DynBtPageOpaqueData;

typedef DynBtPageOpaqueData *DynBtPageOpaque;

#define DYN_BT_NONE				InvalidBlockNumber
#define DYN_BT_PAGE_ID			0xFD42

#define DYN_BT_LEAF				(1 << 0)
#define DYN_BT_ROOT				(1 << 1)
#define DYN_BT_META				(1 << 2)
#define DYN_BT_INCOMPLETE_SPLIT	(1 << 3)	/* right half has no downlink yet */
#define DYN_BT_DELETED			(1 << 4)	/* a leaf merged into its right sibling */
/*
 * Written by a bulk build (btbuild.c), the id of the (sub)transaction that
 * wrote it in the page header's pd_prune_xid (nothing else in dynpg uses
 * that field).  A
 * build that fails before its switch leaves such pages outside the tree;
 * VACUUM frees them (README, "Bulk builds").  Splits, shifts and page reuse clear it.
 */
#define DYN_BT_BULK				(1 << 5)

#define DynBtPageGetOpaque(page) ((DynBtPageOpaque) PageGetSpecialPointer(page))
#define DYN_BT_IS_LEAF(op)		(((op)->flags & DYN_BT_LEAF) != 0)
#define DYN_BT_IS_ROOT(op)		(((op)->flags & DYN_BT_ROOT) != 0)
#define DYN_BT_IS_RIGHTMOST(op) ((op)->right == DYN_BT_NONE)
#define DYN_BT_INCOMPLETE(op)	(((op)->flags & DYN_BT_INCOMPLETE_SPLIT) != 0)
#define DYN_BT_IS_DELETED(op)	(((op)->flags & DYN_BT_DELETED) != 0)
#define DYN_BT_IS_BULK(op)		(((op)->flags & DYN_BT_BULK) != 0)

/*
 * Items arrive on a leaf from its left in two ways, and a backward scan that
 * read the leaf earlier must know whether any did since (btscan.c):
 * - VACUUM merges the leaf's left sibling into it (btvacuum.c): counted,
 *   modulo 256, in the high byte of its flags;
 * - an insert into a full left sibling moves that sibling's last items onto
 *   it instead of splitting (btinsert.c, "shifts"): counted in the page
 *   header's pd_prune_xid, which dynpg uses for nothing else on a leaf not
 *   flagged DYN_BT_BULK (a shift clears that flag and starts the count).
 * dynpg_bt_arrivals() is the token a scan keeps and compares; splits carry
 * it over to their left page.
 */
#define DYN_BT_MERGES(op)		((uint8) ((op)->flags >> 8))
#define DYN_BT_COUNT_MERGE(op)	((op)->flags = (uint16) (((op)->flags & 0x00FF) | \
								 ((uint16) (uint8) (DYN_BT_MERGES(op) + 1) << 8)))

static inline uint64
dynpg_bt_arrivals(Page page)
{
	DynBtPageOpaque op = DynBtPageGetOpaque(page);

	return ((uint64) (op->flags & (0xFF00 | DYN_BT_BULK)) << 32) |
		((PageHeader) page)->pd_prune_xid;
}

static inline void
dynpg_bt_count_shift(Page page)
{
	DynBtPageOpaque op = DynBtPageGetOpaque(page);
	PageHeader	ph = (PageHeader) page;

	if (DYN_BT_IS_BULK(op))
	{
		op->flags &= ~DYN_BT_BULK;
		ph->pd_prune_xid = 0;
	}
	ph->pd_prune_xid++;
}

/*
 * A deleted leaf (README, "Page deletion and reuse") keeps its left and
 * right links as they were when it was deleted, and holds one item: the
 * next full transaction id at deletion, after which the page may be reused
 * once no snapshot that old remains (or no other session holds the table).
 */
typedef struct DynBtDeletedData
{
	FullTransactionId safexid;
} DynBtDeletedData;

/*
 * Item offsets, as in nbtree: a page that is not the rightmost of its level
 * holds its high key (an exclusive upper bound of its keys) at offset 1,
 * and its data items start at 2.
 */
#define DYN_BT_HIKEY			((OffsetNumber) 1)
#define DYN_BT_FIRSTDATA(op)	(DYN_BT_IS_RIGHTMOST(op) ? (OffsetNumber) 1 : (OffsetNumber) 2)

/* ---- tuples ---- */

/*
 * A leaf tuple is one item version: this header, the storage key, then the
 * payload (the item datum as stored: plain, compressed, or a TOAST pointer)
 * up to the end of the tuple.  Nothing in a tuple is read in place except
 * through these structs copied out, so no alignment is assumed past the
 * header.
 */
typedef struct DynBtLeafTupleData
{
	uint64		vid;			/* logical version id, unique in the relation */
	TransactionId xmin;
	TransactionId xmax;			/* InvalidTransactionId when live */
	CommandId	cmin;
	CommandId	cmax;
	uint16		keylen;
	uint16		infomask;
	/* key bytes, then payload */
} DynBtLeafTupleData;

typedef DynBtLeafTupleData *DynBtLeafTuple;

#define DYN_BT_LEAF_HDRSZ		(offsetof(DynBtLeafTupleData, infomask) + sizeof(uint16))
#define DynBtLeafKey(t)			((const uint8 *) (t) + DYN_BT_LEAF_HDRSZ)

/* infomask bits */
#define DYN_BT_XMIN_FROZEN		0x0001	/* xmin is older than every snapshot */

/*
 * Internal tuples (and every high key) are a separator key and a child.
 * The first data item of an internal page is "minus infinity" (keylen 0,
 * DYN_BT_MINUS_INF): its child holds everything below the next separator.
 */
typedef struct DynBtInternalTupleData
{
	uint64		vid;
	BlockNumber child;			/* DYN_BT_NONE in high keys */
	uint16		keylen;
	uint16		flags;
	/* key bytes */
} DynBtInternalTupleData;

typedef DynBtInternalTupleData *DynBtInternalTuple;

#define DYN_BT_INTERNAL_HDRSZ	(offsetof(DynBtInternalTupleData, flags) + sizeof(uint16))
#define DynBtInternalKey(t)		((const uint8 *) (t) + DYN_BT_INTERNAL_HDRSZ)
#define DYN_BT_MINUS_INF		0x0001

/*
 * The largest tuple: a page must hold at least three (nbtree's rule), so a
 * split always leaves both halves non-empty with room for the new tuple.
 */
#define DYN_BT_MAX_TUPLE_SIZE \
	MAXALIGN_DOWN((BLCKSZ - MAXALIGN(SizeOfPageHeaderData + 3 * sizeof(ItemIdData)) - \
				   MAXALIGN(sizeof(DynBtPageOpaqueData))) / 3)

/*
 * The largest storage key: an index entry's (src/index/dynpg_index.h:
 * keyspace, hash, partition part, a 1024-byte sort key group-encoded, then
 * the base item's storage key without its keyspace byte).  A table item's
 * key is at most 1 + 8 + 65 + 1024 = 1,098 bytes (types/dynpg_key.h).
 */
#define DYN_BT_MAX_KEY_SIZE		(1 + 8 + 65 + 1152 + 1097)

/*
 * The length of the partition part of a storage key (types/dynpg_key.h: the
 * keyspace byte, 8 bytes of hash, then a length byte and up to 64 bytes of
 * partition key, or 0xFF and a 32-byte digest; index entries start the
 * same way), or -1 if the key is too short to hold one.  Splits use it to
 * recognise a partition that grows at its end.
 */
static inline int
dynpg_bt_partition_len(const uint8 *key, int keylen)
{
	int			len;

	if (keylen < 10)
		return -1;
	len = 10 + (key[9] == 0xFF ? 32 : key[9]);
	return len <= keylen ? len : -1;
}

/* A search key: storage key and VID (VIDs sort descending). */
typedef struct DynBtKey
{
	const uint8 *key;
	uint16		keylen;
	uint64		vid;
} DynBtKey;

/* Sorts before every real VID of the same key, to find a key's first version. */
#define DYN_BT_VID_FIRST		PG_UINT64_MAX

/* VIDs as TIDs: 291 offsets a block (MaxHeapTuplesPerPage, safe for tidbitmap). */
#define DYN_BT_TIDS_PER_BLOCK	291
#define DYN_BT_MAX_VID			((uint64) DYN_BT_TIDS_PER_BLOCK * (uint64) MaxBlockNumber)

static inline void
dynpg_vid_to_tid(uint64 vid, ItemPointer tid)
{
	ItemPointerSet(tid, (BlockNumber) (vid / DYN_BT_TIDS_PER_BLOCK),
				   (OffsetNumber) (vid % DYN_BT_TIDS_PER_BLOCK + 1));
}

static inline uint64
dynpg_tid_to_vid(ItemPointer tid)
{
	return (uint64) ItemPointerGetBlockNumberNoCheck(tid) * DYN_BT_TIDS_PER_BLOCK +
		(ItemPointerGetOffsetNumberNoCheck(tid) - 1);
}

/* A line pointer that points at a used item inside the page's data area. */
static inline bool
dynpg_bt_itemid_sane(ItemId iid)
{
	return ItemIdIsNormal(iid) &&
		ItemIdGetOffset(iid) >= SizeOfPageHeaderData &&
		(Size) ItemIdGetOffset(iid) + ItemIdGetLength(iid) <= BLCKSZ;
}

/* ---- one version, copied out of a page ---- */

typedef struct DynBtVersion
{
	uint64		vid;
	TransactionId xmin;
	TransactionId xmax;
	CommandId	cmin;
	CommandId	cmax;
	uint16		infomask;
	BlockNumber blkno;			/* where it was found (a hint: splits move it) */
	struct varlena *payload;	/* palloc'd copy of the stored datum, or NULL */
} DynBtVersion;

/* ---- btpage.c ---- */
extern void dynpg_bt_init_metapage(Page page);
extern void dynpg_bt_init_page(Page page, uint32 level, uint16 flags);
extern void dynpg_bt_check_page(Relation rel, Buffer buf);
extern Buffer dynpg_bt_getbuf(Relation rel, BlockNumber blkno, int access);
extern Buffer dynpg_bt_getbuf_ext(Relation rel, BlockNumber blkno, int access,
								  BufferAccessStrategy strategy);
extern Buffer dynpg_bt_newbuf(Relation rel);
extern Buffer dynpg_bt_reusebuf(Relation rel);
extern FullTransactionId dynpg_bt_deleted_safexid(Page page);
extern void dynpg_bt_scan_opened(int delta);
extern void dynpg_bt_relbuf(Buffer buf);
extern void dynpg_bt_read_meta(Relation rel, DynBtMetaPageData *meta);
extern DynBtMetaState dynpg_bt_check_metapage(Page page, char **what);
extern uint64 dynpg_bt_next_vid(Relation rel);
extern bool dynpg_bt_cached_root(Relation rel, BlockNumber *root, uint32 *level);
extern void dynpg_bt_remember_root(Relation rel, BlockNumber root, uint32 level);
extern void dynpg_bt_forget_vids(const RelFileNode *node);
extern void dynpg_bt_write_empty(Relation rel, SMgrRelation srel, ForkNumber fork, bool log);
extern int	dynpg_bt_compare(const DynBtKey *a, const DynBtKey *b);
extern void dynpg_bt_item_key(Page page, OffsetNumber off, bool leaf, DynBtKey *key);

/* ---- btsearch.c ---- */
typedef struct DynBtStackData
{
	BlockNumber blkno;
	OffsetNumber offset;		/* the downlink followed */
	struct DynBtStackData *parent;
} DynBtStackData;

typedef DynBtStackData *DynBtStack;

extern DynBtStack dynpg_bt_search(Relation rel, const DynBtKey *key, Buffer *bufp, int access);
extern DynBtStack dynpg_bt_search_level(Relation rel, const DynBtKey *key, uint32 target_level,
										Buffer *bufp, int access);
extern Buffer dynpg_bt_moveright(Relation rel, Buffer buf, const DynBtKey *key, int access);
extern Buffer dynpg_bt_moveright_ext(Relation rel, Buffer buf, const DynBtKey *key, int access,
									 bool forupdate, DynBtStack stack, bool *restart);
extern DynBtStack dynpg_bt_search_ext(Relation rel, const DynBtKey *key, uint32 target_level,
									  Buffer *bufp, int access, bool forupdate);
extern OffsetNumber dynpg_bt_binsrch(Page page, const DynBtKey *key);
extern Buffer dynpg_bt_first_leaf(Relation rel);
extern Buffer dynpg_bt_edge_leaf(Relation rel, bool rightmost);
extern Buffer dynpg_bt_live_right(Relation rel, Buffer buf, int access);

/* ---- btinsert.c ---- */

/* What this backend's inserts did to full leaves (dynpg.page_changes()). */
typedef struct DynBtChangeStats
{
	uint64		leaf_splits;	/* a full leaf split in two */
	uint64		shifts;			/* its last items moved to its right sibling */
	uint64		sibling_splits; /* a nearly full right sibling split for a shift */
} DynBtChangeStats;

extern DynBtChangeStats dynpg_bt_changes;
extern bool dynpg_leaf_shifts;

extern void dynpg_bt_finish_split(Relation rel, Buffer lbuf, DynBtStack stack);
extern bool dynpg_bt_replace_leaf(Relation rel, const uint8 *key, uint16 keylen, uint64 old_vid,
								  BlockNumber hint, TransactionId xmax, CommandId cmax,
								  const DynBtLeafTupleData *hdr, const void *payload,
								  Size payloadlen);
extern void dynpg_bt_insert_leaf(Relation rel, const uint8 *key, uint16 keylen,
								 const DynBtLeafTupleData *hdr,
								 const void *payload, Size payloadlen);

/* ---- btbuild.c: bulk loading an empty tree ---- */
typedef struct DynBtBuild DynBtBuild;

extern bool dynpg_bt_is_empty(Relation rel);
extern DynBtBuild *dynpg_bt_build_begin(Relation rel);
extern void dynpg_bt_build_add(DynBtBuild *b, const uint8 *key, uint16 keylen,
							   const DynBtLeafTupleData *hdr, const void *payload,
							   Size payloadlen);
extern int64 dynpg_bt_build_finish(DynBtBuild *b, int fillfactor,
								   void (*duplicate) (const char *tuple, Size len, void *arg),
								   void *arg);
extern void dynpg_bt_build_abort(DynBtBuild *b);

/* ---- btversion.c ---- */
typedef struct DynBtVersionSet
{
	int			n;
	int			cap;
	DynBtVersion *v;
} DynBtVersionSet;

extern void dynpg_bt_read_versions(Relation rel, const uint8 *key, uint16 keylen,
								   DynBtVersionSet *out, bool with_payloads);
extern bool dynpg_bt_version_visible(const DynBtVersion *v, Snapshot snapshot);
extern bool dynpg_bt_leaf_visible(DynBtLeafTuple t, Snapshot snapshot);
extern void dynpg_bt_set_xmax(Relation rel, const uint8 *key, uint16 keylen, uint64 vid,
							  TransactionId xmax, CommandId cmax);
extern void dynpg_bt_copy_version(Page page, OffsetNumber off, BlockNumber blkno,
								  DynBtVersion *v, bool with_payload);

/* A leaf tuple's parts, checked: the header copied, key and payload in the page. */
typedef struct DynBtLeafEntry
{
	DynBtLeafTupleData h;
	const uint8 *key;			/* h.keylen bytes */
	const char *payload;		/* a varlena of plen bytes (not aligned) */
	Size		plen;
} DynBtLeafEntry;

extern void dynpg_bt_leaf_entry(Page page, OffsetNumber off, BlockNumber blkno,
								DynBtLeafEntry *e);
extern bool dynpg_bt_header_visible(const DynBtLeafTupleData *h, BlockNumber blkno,
									Snapshot snapshot);

/* The last xmin a scan looked up and whether its versions are visible. */
typedef struct DynBtVisCache
{
	TransactionId xmin;			/* InvalidTransactionId: none yet */
	bool		visible;
} DynBtVisCache;

extern bool dynpg_bt_header_visible_cached(const DynBtLeafTupleData *h, BlockNumber blkno,
										   Snapshot snapshot, DynBtVisCache *cache);

/* ---- btvacuum.c ---- */
typedef struct DynBtVacuumStats
{
	BlockNumber pages;			/* leaves visited */
	double		live;
	double		dead;			/* versions left that are not live */
	double		removed;
	double		frozen;
	TransactionId new_frozenxid;	/* safe new relfrozenxid */
	BlockNumber pages_deleted;	/* leaves merged into their right siblings */
	BlockNumber pages_orphaned; /* pages of failed bulk builds made reusable */
} DynBtVacuumStats;

struct GlobalVisState;
extern void dynpg_bt_vacuum(Relation rel, TransactionId oldest_xmin, TransactionId freeze_limit,
							struct GlobalVisState *vistest, DynBtVacuumStats *stats);
extern int	dynpg_bt_prune_leaf(Relation rel, Buffer buf, TransactionId freeze_limit,
								struct GlobalVisState *vistest, DynBtVacuumStats *stats,
								TransactionId *min_xid, struct List **toast);
extern void dynpg_bt_delete_toast(Relation rel, struct List *toast);

/* ---- btverify.c ---- */
/*
 * dynpg.verify's B-tree check.  'extra' (may be NULL), called when the tree
 * has no problem, checks what it holds: it reports problems through
 * 'problem' and appends members (", \"name\": value") to the report.
 */
typedef void (*DynBtVerifyProblemFn) (void *state, const char *msg);
typedef void (*DynBtVerifyExtraFn) (Relation rel, DynBtVerifyProblemFn problem, void *state,
									StringInfo members);
extern Datum dynpg_bt_verify(Relation rel, DynBtVerifyExtraFn extra);

#endif							/* DYNPG_BT_H */
