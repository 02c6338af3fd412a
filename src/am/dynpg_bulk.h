/*-------------------------------------------------------------------------
 *
 * dynpg_bulk.h
 *	  Bulk loads into an empty dynpg table: items collected, sorted and
 *	  built into the B-tree in one pass (src/storage/btbuild.c), with their
 *	  index entries, instead of one write each.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_BULK_H
#define DYNPG_BULK_H

#include "lib/stringinfo.h"

#include "types/dynpg_item.h"
#include "utils/rel.h"

typedef struct DynBulkLoad DynBulkLoad;

/*
 * A bulk load of 'rel' if it can take one: its tree is empty, it has no
 * triggers.  A table created or truncated in this transaction is nobody
 * else's; any other is locked against other writers (ShareRowExclusiveLock,
 * until the transaction ends) when 'lock' is true, and else refused.
 * Returns NULL when the load must go item by item.
 */
extern DynBulkLoad *dynpg_bulk_begin(Relation rel, bool lock);

/* Add one item (checked as an INSERT checks it); returns its VID. */
extern uint64 dynpg_bulk_add(DynBulkLoad *bl, DynItem *item);

/*
 * dynpg_bulk_add in two steps, for a caller that catches an item's errors
 * without a subtransaction (ImportTable): dynpg_bulk_check makes the
 * item's checks -- index key types, then the key schema as an INSERT does,
 * or the key first ('key_first') as PutItem does -- and its storage key
 * into 'skey', and has no other effect; dynpg_bulk_add_checked adds it.
 */
extern void dynpg_bulk_check(DynBulkLoad *bl, DynItem *item, StringInfo skey, bool key_first);
extern uint64 dynpg_bulk_add_checked(DynBulkLoad *bl, DynItem *item, StringInfo skey);

/*
 * Build the tree: two items with one key raise the unique violation of
 * an SQL INSERT.  Returns the number of items loaded.
 */
extern int64 dynpg_bulk_finish(DynBulkLoad *bl);

/* Give up a bulk load before its finish (its memory and temp files go). */
extern void dynpg_bulk_abort(DynBulkLoad *bl);

/*
 * COPY's batches (multi_insert): true when they went to a bulk load (begun
 * at the first batch if the table can take one), vids[] their VIDs; false
 * when they must be written one by one.  dynpg_bulk_copy_finish builds the
 * tree at the end of the statement (finish_bulk_insert).
 */
extern bool dynpg_bulk_copy_rows(Relation rel, DynItem **items, uint64 *vids, int n);
extern void dynpg_bulk_copy_finish(Relation rel);
extern void dynpg_bulk_init(void);

/*
 * INSERT: true when the row went to a bulk load (begun here if the table
 * can take one), *vid its VID; the load is built by dynpg_bulk_flush, which
 * dynpg_bulk_executor_start (every executor's start) and the end of every
 * executor call, and which the transaction's commit calls at the latest.
 */
struct PlannedStmt;
extern bool dynpg_bulk_insert_row(Relation rel, DynItem *item, uint64 *vid);
extern void dynpg_bulk_flush(void);
extern void dynpg_bulk_executor_start(struct PlannedStmt *stmt);

/* dynpg.bulk_load: off, every load goes item by item */
extern bool dynpg_bulk_load;

/* Leaf fill of bulk-built pages, percent (dynpg.bulk_fillfactor) */
extern int	dynpg_bulk_fillfactor;

#endif							/* DYNPG_BULK_H */
