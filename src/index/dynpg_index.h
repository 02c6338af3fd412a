/*-------------------------------------------------------------------------
 *
 * dynpg_index.h
 *	  Secondary indexes: which entries an item has (index_entry.c;
 *	  src/index/README).  Pure computation on items and definitions, below
 *	  the access method: the write path (am/dynpg_write.c) writes what these
 *	  functions say; keeping GSIs (the change log's apply, backfills) and
 *	  checking indexes is src/indexer's.
 *
 * An index entry lives in the base table's own relation, in the index's
 * keyspace: storage keys start with a keyspace byte, 0 for the table's
 * items and the index's "Keyspace" (1..255, in its definition) for its
 * entries.  An entry's storage key is
 *
 *	keyspace || hash64(index partition value) || partition-value part
 *		|| group encoding of each RANGE attribute's value, in KeySchema order
 *		|| the base item's storage key without its keyspace byte
 *
 * (the partition value: the HASH attribute's value, or with several, their
 * composite, dynpg_key_composite),
 *
 * and its payload is the projected item.  LSI entries are written by the
 * base write, under the base key's lock; GSI entries by the per-database
 * worker, from the change log dynpg.index_changes (am/dynpg_changelog.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_INDEX_H
#define DYNPG_INDEX_H

#include "lib/stringinfo.h"

#include "catalog/dynpg_catalog.h"
#include "types/dynpg_item.h"
#include "types/dynpg_key.h"

#define DYN_KEYSPACE_TABLE		0x00	/* the keyspace byte of a table's items */
#define DYN_KEYSPACE_FIRST_LSI	1		/* CreateTable's LSIs: 1..5 */
#define DYN_KEYSPACE_FIRST_GSI	6		/* its GSIs: 6..254, UpdateTable's the first free */
#define DYN_KEYSPACE_LAST_GSI	254
#define DYN_KEYSPACE_TTL		255		/* the expiry index of time to live */

/*
 * Time to live's expiry index (src/index/README, "Expiry index"): an item
 * whose TTL attribute is a Number of epoch seconds from 0 to
 * DYN_TTL_MAX_SECONDS has one entry
 *
 *	DYN_KEYSPACE_TTL || the seconds (integer part), 8 bytes big-endian
 *		|| the item's storage key without its keyspace byte
 *
 * whose payload is the item's key: the sweep reads the entries of the
 * seconds already past, in order, and deletes their items.  Written by the
 * base write under its key lock, as LSI entries are.
 */
#define DYN_TTL_MAX_SECONDS		INT64CONST(100000000000)	/* year 5138 */

/*
 * The expiry entry of 'item' under the table's time to live: false when
 * TTL is disabled or the item has no usable TTL attribute.  'key' gets the
 * entry's storage key, '*payload' the item's key (either may be NULL).
 */
extern bool dynpg_index_ttl_entry(const DynTableDef *def, const DynItem *item, StringInfo key,
								  DynItem **payload);

/* The expiry index's key for 'seconds' (no base key): a range bound */
extern void dynpg_index_ttl_bound(int64 seconds, StringInfo out);

/*
 * The group encoding of the sort key inside an index key: 9 bytes per 8 of
 * each RANGE attribute (their sizes sum to at most DYN_MAX_RANGE_KEY_LEN;
 * each attribute may add one partly filled group).
 */
#define DYN_GROUP_ENCODED_MAX	((DYN_MAX_RANGE_KEY_LEN / DYN_GROUP_BYTES + DYN_MAX_KEY_PARTS) * (DYN_GROUP_BYTES + 1))

/* the largest index entry key: keyspace, partition part, sort part, base key */
#define DYN_INDEX_KEY_MAX		(1 + 8 + 1 + 64 + DYN_GROUP_ENCODED_MAX + (DYN_STORAGE_KEY_MAX - 1))

/*
 * An item's key in one index: the values of its HASH attributes and their
 * partition value (the one value, or their composite: dynpg_key_composite),
 * and the values of its RANGE attributes, in KeySchema order.
 */
typedef struct DynIndexKey
{
	DynRef		pk;
	int			nhash;
	DynRef		hash[DYN_MAX_KEY_PARTS];
	int			nrange;
	DynRef		range[DYN_MAX_KEY_PARTS];
} DynIndexKey;

/*
 * The index key of 'item' for index 'ix': false if the item lacks one of
 * its key attributes (a sparse index leaves it out).  A key attribute of
 * another type than the index's, or an empty or too long value (several
 * HASH or RANGE attributes: their sizes summed), raises DynamoDB's
 * ValidationException when 'strict', else returns false (the backfill
 * skips such items, as DynamoDB's does).
 */
extern bool dynpg_index_key_of(const DynIndexDef *ix, const DynItem *item, bool strict,
							   DynIndexKey *ikey);

/*
 * The storage key of the entry of 'item' (which holds the table's key) in
 * index 'ix' with index key 'ikey': appended to 'out'.
 */
extern void dynpg_index_entry_key(const DynTableDef *def, const DynIndexDef *ix,
								  const DynIndexKey *ikey, const DynItem *item, StringInfo out);

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

/* Whether 'name' is one of index 'ix''s key attributes (any HASH or RANGE one). */
extern bool dynpg_index_is_key(const DynIndexDef *ix, const char *name, int32 namelen);

/* Whether index 'ix' projects top-level attribute 'name' (keys always). */
extern bool dynpg_index_projects(const DynTableDef *def, const DynIndexDef *ix,
								 const char *name, int32 namelen);

/*
 * The part of an entry key one RANGE attribute's value makes (the group
 * encoding of its key encoding); an entry key holds them in KeySchema order.
 */
extern void dynpg_index_sort_part(const DynRef *sk, StringInfo out);

/* The table's key attributes of 'item', as an item. */
extern DynItem *dynpg_index_base_key(const DynTableDef *def, const DynItem *item);

/* One entry write: delete entry 'del' (if set), then put 'item' under 'put' (if set). */
typedef struct DynEntryWrite
{
	StringInfo	del;
	StringInfo	put;
	DynItem    *item;
} DynEntryWrite;

/*
 * What a write of one base item does to the table's indexes, computed
 * before anything is written (the relation's cached definition may be
 * rebuilt once writing starts): 'old_item' is the version replaced (NULL
 * if none), 'new_item' the version written (NULL for a delete; checked
 * strictly).  LSI entry writes are to be done now, under the base key's
 * lock; when some GSI's entry may change, one change-log row (base_key,
 * old_keys) is to be appended in the same transaction.
 */
typedef struct DynIndexChanges
{
	int			nwrites;		/* LSI entry writes */
	DynEntryWrite *writes;
	bool		log_gsi;		/* append a change-log row: */
	DynItem    *base_key;		/* ... the table's key */
	DynItem    *old_keys;		/* ... the GSI key attributes of old_item (or NULL) */
} DynIndexChanges;

extern void dynpg_index_changes_of_write(const DynTableDef *def, DynItem *old_item,
										 DynItem *new_item, DynIndexChanges *out);

/*
 * The write units a write taking 'old_item' to 'new_item' (either NULL)
 * costs each index, as DynamoDB charges index writes: an entry put or
 * deleted costs its projected size in whole units of 'unit_bytes' (at
 * least 1); an entry whose key changes, a delete and a put; an entry that
 * stays with another projection, one write of the larger; an unchanged
 * entry or none, nothing.  units[i] is index i's (def->indexes order).
 */
extern void dynpg_index_write_units(const DynTableDef *def, DynItem *old_item,
									DynItem *new_item, int64 unit_bytes, int64 *units);

/*
 * The GSI entry writes that apply one change-log row (base_key, old_keys)
 * given 'current', the base item's current committed version (NULL if it
 * is gone): delete the entries the old keys name, write the entries of
 * 'current'.  Idempotent and order-independent (src/index/README).
 * Returns the number of writes, in *writes.
 */
extern int	dynpg_index_gsi_writes(const DynTableDef *def, const DynItem *base_key,
								   const DynItem *old_keys, DynItem *current,
								   DynEntryWrite **writes);

#endif							/* DYNPG_INDEX_H */
