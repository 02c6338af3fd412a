/*-------------------------------------------------------------------------
 *
 * dynpg_read.h
 *	  The read path of dynpg tables, beside the write path (dynpg_write.h).
 *
 * Every read of items or index entries above this layer -- GetItem, Query,
 * Scan, the batches and transactions, the SQL layer's query_items and
 * scan_items, the index worker, backfills, DescribeTable's counts and
 * dynpg.verify -- goes through these functions, so the rules of reading
 * live in one place:
 *
 *	- visibility: the active snapshot (or the transaction snapshot when
 *	  none is active), the one the caller's statement runs with;
 *	- SERIALIZABLE: a read takes a predicate lock on the relation (dynpg
 *	  has no finer granularity), as a heap sequential scan does;
 *	- payloads are detoasted (compressed or out of line, dynpg_write.c);
 *	- an LSI read may fetch an entry's base item, from the same snapshot.
 *
 * A range read walks the B-tree once over a range of storage keys (a
 * partition, part of one, a keyspace or one segment of it) in either
 * direction: the range is built by the functions below from a key
 * condition, a segment or a start key, and read with dynpg_read_begin /
 * dynpg_read_next / dynpg_read_end.  What is done with each item (filters,
 * projections, Limit and paging) is the caller's.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_READ_H
#define DYNPG_READ_H

#include "access/sdir.h"
#include "lib/stringinfo.h"
#include "utils/rel.h"
#include "utils/snapshot.h"

#include "catalog/dynpg_catalog.h"
#include "storage/dynpg_btscan.h"
#include "types/dynpg_item.h"
#include "types/dynpg_key.h"

/* The item with this key visible to the active snapshot, or NULL. */
extern DynItem *dynpg_read_get(Relation rel, const DynItem *key_item);

/* ---------------------------------------------------------------------
 * Ranges of storage keys
 * ---------------------------------------------------------------------
 */

/* A range of storage keys and the direction to read it in. */
typedef struct DynReadRange
{
	DynBtBounds bounds;
	ScanDirection dir;
} DynReadRange;

/*
 * A Query's range: the partition of kc->pk, narrowed by kc's sort-key
 * condition, in the table (ix NULL) or in index ix.
 */
extern void dynpg_read_query_range(const DynIndexDef *ix, const DynKeyCondition *kc,
								   ScanDirection dir, DynReadRange *r);

/*
 * A Scan's range, forward: keyspace 'keyspace' (the table's 0 or an
 * index's), or with total_segments > 0 its segment 'segment': partition
 * hashes [segment * 2^64 / total, (segment + 1) * 2^64 / total).
 */
extern void dynpg_read_scan_range(int keyspace, int64 segment, int64 total_segments,
								  DynReadRange *r);

/* Whether a partition of hash 'hash' falls in that segment. */
extern bool dynpg_read_segment_holds(int64 segment, int64 total_segments, uint64 hash);

/* Every key of keyspaces first..last, forward (maintenance and checks). */
extern void dynpg_read_keyspace_range(int first, int last, DynReadRange *r);

/*
 * Narrow 'r' to start just past (in its direction) the item whose key is
 * 'key' -- ExclusiveStartKey: in the table (ix NULL), or in index ix, where
 * 'item' holds the index's key and the table's ('tdef' gives the table's
 * key schema), and 'key' is not used.
 */
extern void dynpg_read_range_after(DynReadRange *r, const DynTableDef *tdef,
								   const DynIndexDef *ix, const DynKey *key,
								   const DynItem *item);

/* The same with a storage key already built (a backfill's saved position). */
extern void dynpg_read_range_after_key(DynReadRange *r, const uint8 *key, int keylen);

/* ---------------------------------------------------------------------
 * Reading a range
 * ---------------------------------------------------------------------
 */

#define DYN_READ_BULK			0x01	/* a large read: a bulk-read ring of buffers */
#define DYN_READ_ALL_VERSIONS	0x02	/* every version, visible or not (no snapshot,
										 * no predicate lock): maintenance only */
#define DYN_READ_KEYS_ONLY		0x04	/* keys only: *item is NULL, nothing detoasted */

typedef struct DynRead DynRead;

/*
 * The snapshot a read begun now reads with (the active one, or the
 * transaction's): a caller that keeps a read open across calls registers it
 * and makes it the active one around dynpg_read_begin, so that the pointer
 * the read keeps stays valid.
 */
extern Snapshot dynpg_read_snapshot(void);

extern DynRead *dynpg_read_begin(Relation rel, const DynReadRange *range, int flags);

/*
 * The next item (or index entry) of the range, detoasted, or false at its
 * end.  The item lives in the read's item context until the next call:
 * callers may allocate per-item work there too (dynpg_read_item_context).
 */
extern bool dynpg_read_next(DynRead *r, DynItem **item);

/* The storage key of the item dynpg_read_next returned last. */
extern const uint8 *dynpg_read_key(DynRead *r, int *keylen);

/* The VID of that version: its TID (dynpg_vid_to_tid). */
extern uint64 dynpg_read_vid(DynRead *r);

/*
 * The base item of index entry 'entry' (which holds the table's key), read
 * with the range's snapshot, or NULL: an LSI entry and its item are written
 * together, so the snapshot that sees one sees the other.
 */
extern DynItem *dynpg_read_base_item(DynRead *r, const DynItem *entry);

extern MemoryContext dynpg_read_item_context(DynRead *r);
extern void dynpg_read_end(DynRead *r);

/*
 * The number of visible items (or entries) of keyspace 'keyspace' and
 * their size in DynamoDB's accounting: an exact scan (DescribeTable's
 * ItemCount and TableSizeBytes, an index's ItemCount and IndexSizeBytes).
 */
extern void dynpg_read_keyspace_stats(Relation rel, int keyspace, int64 *count, int64 *bytes);

/* ---------------------------------------------------------------------
 * dynpg.verify
 * ---------------------------------------------------------------------
 */

/*
 * The B-tree check of storage/btverify.c as a jsonb report, under the
 * caller's lock; 'extra', when the tree has no problem, checks what it
 * holds (the indexes: src/indexer).
 */
typedef DynBtVerifyProblemFn DynVerifyProblemFn;
typedef DynBtVerifyExtraFn DynVerifyExtraFn;
extern Datum dynpg_read_verify(Relation rel, DynVerifyExtraFn extra);

#endif							/* DYNPG_READ_H */
