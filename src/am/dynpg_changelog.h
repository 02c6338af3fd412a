/*-------------------------------------------------------------------------
 *
 * dynpg_changelog.h
 *	  The GSI change log, dynpg.index_changes: the write side
 *	  (dynpg_changelog.c).
 *
 * A write to a table with GSIs whose GSI entries may change appends one
 * row, in the writing transaction: (table OID, the item's table key, the
 * GSI key attributes of the version it replaced).  The per-database index
 * worker (src/worker, applying through src/indexer) applies committed rows
 * and deletes them.  The row says which entries to look at, not what they
 * hold: applying reads the item's committed version then, so rows may be
 * applied in any order and more than once (src/index/README).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_CHANGELOG_H
#define DYNPG_CHANGELOG_H

#include "types/dynpg_item.h"

/* The change log's columns */
#define DYN_CHANGELOG_NATTS		3	/* tbl oid, base_key dynpg.item, old_keys dynpg.item */

/* The OID of dynpg.index_changes in this database (InvalidOid if missing). */
extern Oid	dynpg_changelog_relid(void);

/* Append a row for table relid; 'old_keys' may be NULL. */
extern void dynpg_changelog_append(Oid relid, DynItem *base_key, DynItem *old_keys);

/*
 * Whether the database's index worker should be woken when this
 * transaction commits: set by an append, and by UpdateTable when it starts
 * a backfill; the worker's transaction callback reads and clears it.
 */
extern bool dynpg_changelog_wake_at_commit;

#endif							/* DYNPG_CHANGELOG_H */
