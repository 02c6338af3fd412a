/*-------------------------------------------------------------------------
 *
 * dynpg_indexer.h
 *	  Keeping secondary indexes, above the access method: applying the GSI
 *	  change log, building GSIs that UpdateTable added (the backfill) and
 *	  dropping deleted ones' entries, and dynpg.verify's check of every
 *	  index against its table (src/index/README).
 *
 * Which entries an item has is src/index's (index/dynpg_index.h); this
 * layer reads and writes them through the access method's read and write
 * paths (am/dynpg_read.h, am/dynpg_write.h).  The per-database worker
 * (src/worker) calls the change log's apply and the backfill steps.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_INDEXER_H
#define DYNPG_INDEXER_H

#include "lib/stringinfo.h"
#include "utils/rel.h"

#include "types/dynpg_item.h"

/*
 * Apply one change of the log to the GSIs of 'rel' (index_apply.c): delete
 * the entries of the old index keys ('old_keys', the GSI key attributes of
 * the replaced version, or NULL), then write the entry of the base item's
 * current committed version ('base_key' holds the table's key), under the
 * active snapshot.  Idempotent and order-independent.
 */
extern void dynpg_index_apply_change(Relation rel, DynItem *base_key, DynItem *old_keys);

/* ---------------------------------------------------------------------
 * Building and dropping GSIs (index_backfill.c; src/index/README,
 * "UpdateTable" and "Backfill")
 * ---------------------------------------------------------------------
 */

/*
 * Do a bounded amount of backfill work (up to DYN_BACKFILL_STEP_ITEMS base
 * items) in the current transaction for some GSI that is CREATING, in any
 * table of this database; when an index's backfill is complete, mark it
 * ACTIVE.  Returns true if it did work (there may be more), false if no
 * index is CREATING or none could make progress now (the table is locked).
 * Called by the database's worker after each batch of the change log.
 */
extern bool dynpg_index_backfill_step(void);

#define DYN_BACKFILL_STEP_ITEMS	1000

/* Whether any index of table relid is CREATING (read from the catalog). */
extern bool dynpg_index_backfill_pending(Oid relid);

/* Forget the saved backfill position of an index of relid (NULL: every index). */
extern void dynpg_index_forget_builds(Oid relid, const char *index_name);

/* Whether the table holds any item version (keyspace 0), live or dead. */
extern bool dynpg_index_table_has_items(Relation rel);

/*
 * Delete (set xmax on) every live entry of keyspace 'keyspace' of 'rel', in
 * this transaction (UpdateTable's Delete, under AccessExclusiveLock).
 */
extern void dynpg_index_delete_entries(Relation rel, int keyspace);

#endif							/* DYNPG_INDEXER_H */
