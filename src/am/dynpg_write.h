/*-------------------------------------------------------------------------
 *
 * dynpg_write.h
 *	  The one write path of dynpg tables (reads: dynpg_read.h).
 *
 * Every write to a dynpg table -- PutItem, DeleteItem, UpdateItem, the
 * batches and transactions, SQL INSERT and COPY -- goes through these
 * functions, so secondary indexes are kept in one place: the entries a
 * write changes are computed by src/index (index/dynpg_index.h), LSI entries
 * are written here and GSI changes appended to the change log
 * (dynpg_changelog.h).
 * They run in the caller's transaction, with its snapshot.
 *
 * 'key_item' is an item holding (at least) the table's key attributes, with
 * the right types: callers validate keys with their operation's messages
 * first.  A write takes the item's key, waits for concurrent writers of the
 * same key, and then calls 'check' (if given) with the newest committed
 * version (or NULL if the item does not exist) while it holds the key, so a
 * condition evaluated there cannot race another writer; 'check' raises an
 * ERROR to refuse the write, and nothing is written.
 *
 * Under REPEATABLE READ and SERIALIZABLE, writing a key that another
 * transaction changed after this transaction's snapshot raises a
 * serialization failure (40001), as heap does for rows.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_WRITE_H
#define DYNPG_WRITE_H

#include "access/tableam.h"
#include "lib/stringinfo.h"
#include "storage/itemptr.h"
#include "storage/lockdefs.h"
#include "utils/rel.h"

#include "types/dynpg_item.h"

typedef void (*DynWriteCheck) (const DynItem *current, void *arg);

typedef enum DynWriteMode
{
	DYN_WRITE_PUT,				/* replace the item if it exists (PutItem) */
	DYN_WRITE_INSERT			/* unique_violation if it exists (SQL INSERT, COPY) */
} DynWriteMode;

/*
 * Write 'item'.  Returns true if it replaced an existing item; *old_item
 * (if old_item is not NULL) receives a copy of the replaced item or NULL.
 */
extern bool dynpg_write_put(Relation rel, DynItem *item, DynWriteMode mode,
							DynWriteCheck check, void *check_arg,
							DynItem **old_item);

/*
 * Update: 'compute' runs while the key is held, on the current item (NULL
 * if there is none), and returns the new item -- which must have the same
 * key -- or NULL to write nothing.  It raises an ERROR to refuse (a failed
 * condition).  Returns whether an item existed; *old_item and *new_item
 * (if not NULL) receive the current and the written item.
 */
typedef DynItem *(*DynWriteCompute) (const DynItem *current, void *arg);

extern bool dynpg_write_update(Relation rel, DynItem *key_item,
							   DynWriteCompute compute, void *compute_arg,
							   DynItem **old_item, DynItem **new_item);

/* Delete the item with this key.  Returns whether it existed. */
/*
 * Delete the item with this key only if 'delete_if' holds of its newest
 * committed version, judged under the key lock (the TTL sweep: "still
 * expired"); 'by_service': its stream record is the service's (a TTL
 * deletion's userIdentity).  True if it was deleted.
 */
extern bool dynpg_write_delete_if(Relation rel, DynItem *key_item,
								  bool (*delete_if) (const DynItem *current, void *arg),
								  void *arg, bool by_service);
extern bool dynpg_write_delete(Relation rel, DynItem *key_item,
							   DynWriteCheck check, void *check_arg,
							   DynItem **old_item);

/*
 * ConditionCheck of TransactWriteItems: wait for writers of the key as a
 * write does, run 'check' on the newest committed version (NULL if none),
 * and keep a share lock on the key until the transaction ends, so no other
 * transaction writes the item before this one commits.  Returns whether
 * the item exists.
 */
extern bool dynpg_write_check(Relation rel, DynItem *key_item,
							  DynWriteCheck check, void *check_arg);

/*
 * SQL UPDATE, DELETE and row locks, by version (the table AM's
 * tuple_update, tuple_delete and tuple_lock; src/storage/README, "Finding a
 * version by TID"): the item of storage key 'skey' is written (item NULL:
 * deleted) or locked only if its newest committed version is still version
 * 'vid', the one the statement read; otherwise the result is heap's
 * (TM_Updated, TM_Deleted, TM_SelfModified, TM_Invisible, TM_WouldBlock).
 */
typedef struct DynWriteVersionResult
{
	TM_Result	result;
	uint64		vid;			/* TM_Ok: the version written or locked; TM_Updated: the newest */
	TransactionId xmax;			/* who changed the version read */
	CommandId	cmax;			/* TM_SelfModified: by which command */
	bool		traversed;		/* tuple_lock followed to a newer version */
	struct varlena *payload;	/* tuple_lock TM_Ok: the locked version, as stored */
} DynWriteVersionResult;

extern TM_Result dynpg_write_version(Relation rel, StringInfo skey, uint64 vid, DynItem *item,
									 CommandId cid, Snapshot crosscheck, bool wait,
									 DynWriteVersionResult *res);
extern TM_Result dynpg_write_lock_version(Relation rel, StringInfo skey, uint64 vid,
										  LOCKMODE mode, bool nowait, bool find_last,
										  CommandId cid, DynWriteVersionResult *res);

/* The VID of the version the last put inserted (for tuple_insert's TID). */
extern uint64 dynpg_write_last_vid;

/*
 * Write or delete (item NULL) one index entry, whose storage key is 'ekey'
 * (index/dynpg_index.h); 'lock' takes the entry's own key lock (GSI entries
 * written by the index worker and backfills), else the caller holds its
 * base item's key.
 */
extern void dynpg_write_entry(Relation rel, StringInfo ekey, DynItem *item, bool lock);

/*
 * Backfill: lock base key 'skey' (its storage key) as a writer does, and
 * return its newest committed version (NULL if none); release the lock
 * with dynpg_write_unlock_key.
 */
extern DynItem *dynpg_write_lock_key(Relation rel, StringInfo skey, ItemPointer locktid);
extern void dynpg_write_unlock_key(Relation rel, ItemPointer locktid);

/*
 * The payload stored for 'item' beside a key of 'keylen' bytes: the item,
 * or compressed, or a TOAST pointer (the TOAST rows written now).
 */
extern struct varlena *dynpg_write_prepare_payload(Relation rel, DynItem *item, int keylen);

/* The unique violation of an SQL INSERT (or COPY) of an existing key. */
extern void dynpg_write_duplicate_error(Relation rel, const DynItem *item) pg_attribute_noreturn();

#endif							/* DYNPG_WRITE_H */
