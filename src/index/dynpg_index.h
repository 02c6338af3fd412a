/*-------------------------------------------------------------------------
 *
 * dynpg_index.h
 *	  Secondary indexes: index entries, their maintenance, the GSI change
 *	  log (src/index/README).
 *
 * An index entry lives in the base table's own relation, in the index's
 * keyspace: storage keys start with a keyspace byte, 0 for the table's
 * items and the index's "Keyspace" (1..255, in its definition) for its
 * entries.  An entry's storage key is
 *
 *	keyspace || hash64(index partition key) || partition-key part
 *		|| group encoding of the index sort key (if the index has one)
 *		|| the base item's storage key without its keyspace byte
 *
 * and its payload is the projected item.  LSI entries are written by the
 * base write, under the base key's lock; GSI entries by the per-database
 * worker, from the change log dynpg.index_changes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_INDEX_H
#define DYNPG_INDEX_H

#include "lib/stringinfo.h"
#include "utils/rel.h"

#include "catalog/dynpg_catalog.h"
#include "types/dynpg_item.h"
#include "types/dynpg_key.h"

#define DYN_KEYSPACE_TABLE		0x00	/* the keyspace byte of a table's items */
#define DYN_KEYSPACE_FIRST_LSI	1		/* CreateTable's LSIs: 1..5 */
#define DYN_KEYSPACE_FIRST_GSI	6		/* its GSIs: 6.., UpdateTable's the first free */

/* the group encoding of a sort key inside an index key: 9 bytes per 8 */
#define DYN_GROUP_BYTES			8
#define DYN_GROUP_ENCODED_MAX	(((DYN_MAX_RANGE_KEY_LEN + DYN_GROUP_BYTES - 1) / DYN_GROUP_BYTES) * (DYN_GROUP_BYTES + 1))

/* the largest index entry key: keyspace, partition part, sort part, base key */
#define DYN_INDEX_KEY_MAX		(1 + 8 + 1 + 64 + DYN_GROUP_ENCODED_MAX + (DYN_STORAGE_KEY_MAX - 1))

/* Append the order-preserving, prefix-free group encoding of 'len' bytes. */
extern void dynpg_group_encode(const uint8 *data, int len, StringInfo out);

/*
 * The index key of 'item' for index 'ix': false if the item lacks one of
 * its key attributes (a sparse index leaves it out).  A key attribute of
 * another type than the index's, or an empty or too long value, raises
 * DynamoDB's ValidationException when 'strict', else returns false (the
 * backfill skips such items, as DynamoDB's does).
 */
extern bool dynpg_index_key_of(const DynIndexDef *ix, const DynItem *item, bool strict,
							   DynKey *ikey);

/*
 * The storage key of the entry of 'item' (which holds the table's key) in
 * index 'ix' with index key 'ikey': appended to 'out'.
 */
extern void dynpg_index_entry_key(const DynTableDef *def, const DynIndexDef *ix,
								  const DynKey *ikey, const DynItem *item, StringInfo out);

/* The projection of 'item' that index 'ix' stores (the item itself for ALL). */
extern DynItem *dynpg_index_project(const DynTableDef *def, const DynIndexDef *ix,
									DynItem *item);

/* The prefix of index 'ix' partition 'pk' (keyspace, hash, partition part). */
extern void dynpg_index_partition_prefix(const DynIndexDef *ix, const DynRef *pk, StringInfo out);

/*
 * Check 'item' against every index of the table (strict), before any write:
 * a wrong type, an empty or too long index key value is refused with
 * DynamoDB's message (UpdateItem's own, 'for_update').
 */
extern void dynpg_index_check_item(const DynTableDef *def, const DynItem *item, bool for_update);

/* Whether index 'ix' projects top-level attribute 'name' (keys always). */
extern bool dynpg_index_projects(const DynTableDef *def, const DynIndexDef *ix,
								 const char *name, int32 namelen);

/* The index sort key part of an entry key (the group encoding of its encoding). */
extern void dynpg_index_sort_part(const DynRef *sk, StringInfo out);

/* The table's key attributes of 'item', as an item. */
extern DynItem *dynpg_index_base_key(const DynTableDef *def, const DynItem *item);

/*
 * Keep the indexes of 'rel' after a write of one base item, called by the
 * write path while it holds the base key: 'old_item' is the version it
 * replaced (NULL if none), 'new_item' the version written (NULL for a
 * delete).  LSI entries are written now; for GSIs, a change is appended to
 * dynpg.index_changes in this transaction if any GSI's entry may change.
 */
extern void dynpg_index_maintain(Relation rel, DynItem *old_item, DynItem *new_item);

/*
 * Apply one change of the log to the GSIs of 'rel' (worker): delete the
 * entries of the old index keys ('old_keys', the GSI key attributes of the
 * replaced version, or NULL), then write the entry of the base item's
 * current committed version ('base_key' holds the table's key), under the
 * active snapshot.  Idempotent and order-independent.
 */
extern void dynpg_index_apply_change(Relation rel, DynItem *base_key, DynItem *old_keys);

/* ItemCount and IndexSizeBytes of the index in 'keyspace': an exact scan. */
extern void dynpg_index_stats(Relation rel, int keyspace, int64 *count, int64 *bytes);

/* Whether this transaction appended to the change log (wake the worker at commit). */
extern bool dynpg_index_logged_changes;

/* The OID of dynpg.index_changes in this database (InvalidOid if missing). */
extern Oid	dynpg_index_log_relid(void);

/* ---------------------------------------------------------------------
 * Building and dropping GSIs (index_build.c; src/index/README, "UpdateTable"
 * and "Backfill")
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

/*
 * dynpg.verify's index part (index_verify.c): compare every index's visible
 * entries with those computed from the visible base items; report problems
 * through 'problem' and append the "indexes" member to 'members'.
 */
typedef void (*DynVerifyProblemFn) (void *state, const char *msg);
extern void dynpg_index_verify(Relation rel, DynVerifyProblemFn problem, void *state,
							   StringInfo members);

#endif							/* DYNPG_INDEX_H */
