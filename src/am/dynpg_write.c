/*-------------------------------------------------------------------------
 *
 * dynpg_write.c
 *	  The one write path of dynpg tables (dynpg_write.h).  Reads are
 *	  dynpg_read.c's.
 *
 * Writing key K (README in src/storage, "Write protocol"):
 *	1. take the heavyweight key lock (a tuple lock tag derived from K's
 *	   hash: writers of K queue here; hash collisions only serialize more);
 *	2. read every version of K; if one was created or deleted by a
 *	   transaction still in progress, drop the key lock, wait for that
 *	   transaction (XactLockTableWait), and start again;
 *	3. now every version's fate is known: the live one, if any, is the
 *	   current item.  Under REPEATABLE READ / SERIALIZABLE it must be the
 *	   version our snapshot sees, else the key changed after our snapshot:
 *	   serialization failure;
 *	4. run the caller's check on the current item (conditions);
 *	5. stamp the current version's xmax and insert the new version;
 *	6. drop the key lock.
 * Versions are stamped with this (sub)transaction's xid, so the writes of
 * steps 5 become valid together at commit and vanish together on abort.
 * The key lock is dropped before waiting so that a transaction we wait for
 * can write K again without deadlocking against us.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/toast_compression.h"
#include "access/toast_internals.h"
#include "access/transam.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/lmgr.h"
#include "storage/predicate.h"
#include "storage/procarray.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

#include "am/dynpg_am_internal.h"
#include "am/dynpg_changelog.h"
#include "am/dynpg_stream.h"
#include "am/dynpg_write.h"
#include "catalog/dynpg_catalog.h"
#include "index/dynpg_index.h"
#include "storage/dynpg_bt.h"
#include "types/dynpg_hash.h"
#include "types/dynpg_key.h"

void
dynpg_am_storage_key(Relation rel, const DynItem *item, StringInfo out)
{
	const DynTableDef *def = dynpg_table_def(rel);
	DynKey		key;

	dynpg_key_from_item(item, &def->key, &key);
	dynpg_storage_key(&key, out);
	if (out->len > DYN_BT_MAX_KEY_SIZE)
		elog(ERROR, "dynpg: storage key of %d bytes exceeds %d", out->len, DYN_BT_MAX_KEY_SIZE);
}

/* The lock tag of a key: a tuple lock on a TID made from its hash. */
static void
key_lock_tid(const StringInfo skey, ItemPointer tid)
{
	uint64		h = dynpg_hash64((const uint8 *) skey->data, skey->len, 0);

	ItemPointerSet(tid, (BlockNumber) ((h >> 32) % MaxBlockNumber),
				   (OffsetNumber) ((h & 0x7FF) + 1));
}

Snapshot
dynpg_am_snapshot(void)
{
	return ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
}

static bool
xid_is_mine(TransactionId xid)
{
	return TransactionIdIsCurrentTransactionId(xid);
}

/*
 * Step 2 and 3: read K's versions; return false with *wait set if a
 * transaction must be waited for, else true with *current the live version.
 */
static bool
examine_key(Relation rel, const StringInfo skey, DynBtVersionSet *set,
			DynBtVersion **current, TransactionId *wait)
{
	int			i;

	*current = NULL;
	*wait = InvalidTransactionId;
	dynpg_bt_read_versions(rel, (const uint8 *) skey->data, (uint16) skey->len, set, true);
	for (i = 0; i < set->n; i++)
	{
		DynBtVersion *v = &set->v[i];

		if (!(v->infomask & DYN_BT_XMIN_FROZEN) && !xid_is_mine(v->xmin) &&
			TransactionIdIsInProgress(v->xmin))
		{
			*wait = v->xmin;
			return false;
		}
		if (TransactionIdIsValid(v->xmax) && !xid_is_mine(v->xmax) &&
			TransactionIdIsInProgress(v->xmax))
		{
			*wait = v->xmax;
			return false;
		}
	}
	for (i = 0; i < set->n; i++)
	{
		DynBtVersion *v = &set->v[i];
		bool		created = (v->infomask & DYN_BT_XMIN_FROZEN) ||
			xid_is_mine(v->xmin) || TransactionIdDidCommit(v->xmin);
		bool		deleted = TransactionIdIsValid(v->xmax) &&
			(xid_is_mine(v->xmax) || TransactionIdDidCommit(v->xmax));

		if (!created || deleted)
			continue;
		if (*current != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("dynpg table \"%s\" has two live versions of one item (version ids %llu and %llu)",
							RelationGetRelationName(rel),
							(unsigned long long) (*current)->vid,
							(unsigned long long) v->vid),
					 errhint("dynpg.verify() reports on the table.")));
		*current = v;
	}
	return true;
}

/*
 * Steps 1 to 3: take the key lock (NoLock: the caller covers the key
 * otherwise), waiting for and then past every transaction still writing
 * the key, and return with the lock held and *current the live version.
 */
static void
lock_and_examine(Relation rel, const StringInfo skey, ItemPointer locktid, LOCKMODE mode,
				 XLTW_Oper oper, DynBtVersionSet *set, DynBtVersion **current)
{
	for (;;)
	{
		TransactionId wait;

		if (mode != NoLock)
			LockTuple(rel, locktid, mode);
		if (examine_key(rel, skey, set, current, &wait))
			return;
		if (mode != NoLock)
			UnlockTuple(rel, locktid, mode);
		XactLockTableWait(wait, rel, NULL, oper);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Under REPEATABLE READ and SERIALIZABLE the current version must be the
 * one this transaction's snapshot sees.
 */
static void
check_snapshot_agrees(Relation rel, DynBtVersionSet *set, DynBtVersion *current)
{
	Snapshot	snap;
	DynBtVersion *seen = NULL;
	int			i;

	if (!IsolationUsesXactSnapshot())
		return;
	snap = dynpg_am_snapshot();
	for (i = 0; i < set->n; i++)
	{
		if (dynpg_bt_version_visible(&set->v[i], snap))
		{
			seen = &set->v[i];
			break;
		}
	}
	if (seen == current)
		return;
	/* our own newer write is fine: the snapshot sees our changes by command id */
	if (current != NULL && xid_is_mine(current->xmin))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("could not serialize access due to concurrent update")));
}

DynItem *
dynpg_am_payload_item(struct varlena *payload)
{
	return (DynItem *) detoast_attr(payload);
}

/*
 * The payload to store for an item: itself if it fits beside the key,
 * else compressed, else moved out of line into the table's TOAST relation.
 */
static struct varlena *
prepare_payload(Relation rel, DynItem *item, int keylen)
{
	Size		budget = DYN_BT_MAX_TUPLE_SIZE - DYN_BT_LEAF_HDRSZ - keylen;
	Datum		compressed;
	char		method;

	if (VARSIZE_ANY(item) <= budget)
		return (struct varlena *) item;
#ifdef USE_LZ4
	method = TOAST_LZ4_COMPRESSION;
#else
	method = TOAST_PGLZ_COMPRESSION;
#endif
	compressed = toast_compress_datum(PointerGetDatum(item), method);
	if (DatumGetPointer(compressed) != NULL &&
		VARSIZE_ANY(DatumGetPointer(compressed)) <= budget)
		return (struct varlena *) DatumGetPointer(compressed);
	if (!OidIsValid(rel->rd_rel->reltoastrelid))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("item of %zu bytes is too large for dynpg table \"%s\", which has no TOAST table",
						(Size) VARSIZE_ANY(item), RelationGetRelationName(rel))));
	return (struct varlena *) DatumGetPointer(
		toast_save_datum(rel, DatumGetPointer(compressed) != NULL ? compressed : PointerGetDatum(item),
						 NULL, 0));
}

/*
 * Step 5: the new version, replacing 'current' (if any) -- on the leaf the
 * current version was read from, in one WAL record, when it fits there.
 */
static void
write_version(Relation rel, const StringInfo skey, DynBtVersion *current, TransactionId xid,
			  CommandId cid, const DynBtLeafTupleData *hdr, struct varlena *payload)
{
	if (current != NULL &&
		dynpg_bt_replace_leaf(rel, (const uint8 *) skey->data, (uint16) skey->len, current->vid,
							  current->blkno, xid, cid, hdr, payload, VARSIZE_ANY(payload)))
		return;
	if (current != NULL)
		dynpg_bt_set_xmax(rel, (const uint8 *) skey->data, (uint16) skey->len,
						  current->vid, xid, cid);
	dynpg_bt_insert_leaf(rel, (const uint8 *) skey->data, (uint16) skey->len, hdr,
						 payload, VARSIZE_ANY(payload));
}

/*
 * Keep the indexes of 'rel' after a write of one base item, while the base
 * key is held: 'old_item' is the version replaced (NULL if none),
 * 'new_item' the version written (NULL for a delete).  LSI entries are
 * written now; for GSIs a change-log row is appended if some GSI's entry
 * may change.  What to write is computed first (index/dynpg_index.h), from
 * the cached definition, before any write may rebuild it.
 */
static void
maintain_indexes(Relation rel, DynItem *old_item, DynItem *new_item)
{
	Oid			relid = RelationGetRelid(rel);
	DynIndexChanges ch;
	int			i;

	dynpg_index_changes_of_write(dynpg_table_def(rel), old_item, new_item, &ch);
	for (i = 0; i < ch.nwrites; i++)
	{
		if (ch.writes[i].del != NULL)
			dynpg_write_entry(rel, ch.writes[i].del, NULL, false);
		if (ch.writes[i].put != NULL)
			dynpg_write_entry(rel, ch.writes[i].put, ch.writes[i].item, false);
	}
	if (ch.log_gsi)
		dynpg_changelog_append(relid, ch.base_key, ch.old_keys);
}

typedef enum WriteKind
{
	WRITE_PUT,
	WRITE_INSERT,
	WRITE_UPDATE,
	WRITE_DELETE
} WriteKind;

/*
 * For the next write_key() only (it takes and clears them at once, so an
 * error cannot leave them set for another write): a delete that happens
 * only when 'delete_if' holds of the current version (the TTL sweep's
 * "still expired"), and a stream record marked as the service's.
 */
static bool (*pending_delete_if) (const DynItem *current, void *arg) = NULL;
static void *pending_delete_if_arg = NULL;
static bool pending_by_service = false;

static bool
write_key(Relation rel, DynItem *item, WriteKind kind, DynWriteCheck check, void *check_arg,
		  DynWriteCompute compute, void *compute_arg, DynItem **old_item, DynItem **new_item)
{
	bool		(*delete_if) (const DynItem *current, void *arg) = pending_delete_if;
	void	   *delete_if_arg = pending_delete_if_arg;
	bool		by_service = pending_by_service;
	StringInfoData skey;
	ItemPointerData locktid;
	TransactionId xid;
	CommandId	cid;
	DynBtVersionSet set = {0, 0, NULL};
	DynBtVersion *current = NULL;
	DynItem    *current_item = NULL;
	bool		existed;
	int			nindexes = dynpg_table_def(rel)->nindexes;
	/* index entries to maintain: secondary indexes, or time to live's expiry index */
	bool		has_entries = nindexes > 0 || dynpg_table_def(rel)->ttl_attr != NULL;

	pending_delete_if = NULL;
	pending_delete_if_arg = NULL;
	pending_by_service = false;

	/* an item an index cannot hold is refused before anything happens */
	if (nindexes > 0 && kind != WRITE_DELETE && kind != WRITE_UPDATE)
		dynpg_index_check_item(dynpg_table_def(rel), item, false);
	if (old_item)
		*old_item = NULL;
	if (new_item)
		*new_item = NULL;
	initStringInfo(&skey);
	dynpg_am_storage_key(rel, item, &skey);
	key_lock_tid(&skey, &locktid);

	/* SERIALIZABLE: a write to a relation others have read is a conflict in */
	CheckForSerializableConflictIn(rel, NULL, InvalidBlockNumber);

	xid = GetCurrentTransactionId();
	cid = GetCurrentCommandId(true);

	lock_and_examine(rel, &skey, &locktid, ExclusiveLock, XLTW_Update, &set, &current);
	check_snapshot_agrees(rel, &set, current);

	if (current != NULL &&
		(check != NULL || compute != NULL || old_item != NULL || kind == WRITE_INSERT ||
		 has_entries || delete_if != NULL || dynpg_table_def(rel)->stream_id != 0))
		current_item = dynpg_am_payload_item(current->payload);
	if (kind == WRITE_INSERT && current != NULL)
	{
		const DynTableDef *def = dynpg_table_def(rel);
		DynKey		key;
		StringInfoData keytext;

		dynpg_key_from_item(item, &def->key, &key);
		initStringInfo(&keytext);
		dynpg_value_append_text(&key.pk, &keytext);
		if (key.has_sk)
		{
			appendStringInfoString(&keytext, ", ");
			dynpg_value_append_text(&key.sk, &keytext);
		}
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("duplicate key value violates the primary key of DynamoDB table \"%s\"",
						def->table_name),
				 errdetail("An item with key (%s) already exists.", keytext.data),
				 errhint("dynpg.put_item replaces an existing item.")));
	}
	if (check != NULL)
		check(current_item, check_arg);
	if (kind == WRITE_DELETE && delete_if != NULL &&
		(current_item == NULL || !delete_if(current_item, delete_if_arg)))
	{
		/* no longer to be deleted (changed since it was chosen): leave it */
		UnlockTuple(rel, &locktid, ExclusiveLock);
		return false;
	}
	if (kind == WRITE_UPDATE)
	{
		StringInfoData newkey;

		item = compute(current_item, compute_arg);
		if (item == NULL)
		{
			/* nothing to write (e.g. an update that only removes, on no item) */
			if (old_item)
				*old_item = current_item;
			UnlockTuple(rel, &locktid, ExclusiveLock);
			return current != NULL;
		}
		initStringInfo(&newkey);
		dynpg_am_storage_key(rel, item, &newkey);
		if (newkey.len != skey.len || memcmp(newkey.data, skey.data, skey.len) != 0)
			elog(ERROR, "dynpg: an update changed the item's key");
		if (nindexes > 0)
			dynpg_index_check_item(dynpg_table_def(rel), item, true);
		if (new_item)
			*new_item = item;
	}

	existed = (current != NULL);
	if (kind == WRITE_DELETE && current != NULL)
		dynpg_bt_set_xmax(rel, (const uint8 *) skey.data, (uint16) skey.len,
						  current->vid, xid, cid);
	if (kind != WRITE_DELETE)
	{
		DynBtLeafTupleData hdr;
		struct varlena *payload = prepare_payload(rel, item, skey.len);

		memset(&hdr, 0, sizeof(hdr));
		hdr.vid = dynpg_bt_next_vid(rel);
		hdr.xmin = xid;
		hdr.xmax = InvalidTransactionId;
		hdr.cmin = cid;
		hdr.cmax = InvalidCommandId;
		write_version(rel, &skey, current, xid, cid, &hdr, payload);
		pgstat_count_heap_insert(rel, 1);
		if (existed)
			pgstat_count_heap_update(rel, false);
		if (has_entries)
			maintain_indexes(rel, current_item, item);
		dynpg_stream_append(rel, &skey, current_item, item, false);
		if (old_item)
			*old_item = current_item;
		UnlockTuple(rel, &locktid, ExclusiveLock);
		/* let the caller learn the new version's TID through dynpg_write_last_vid */
		dynpg_write_last_vid = hdr.vid;
		return existed;
	}
	if (existed)
		pgstat_count_heap_delete(rel);
	if (existed && has_entries)
		maintain_indexes(rel, current_item, NULL);
	if (existed)
		dynpg_stream_append(rel, &skey, current_item, NULL, by_service);
	if (old_item)
		*old_item = current_item;
	UnlockTuple(rel, &locktid, ExclusiveLock);
	return existed;
}

uint64		dynpg_write_last_vid = 0;

/*
 * Write (or with item NULL, delete) the index entry with storage key 'ekey'
 * (src/index): the live version gets xmax, the new one is inserted beside
 * it; an entry that already holds exactly 'item' is left alone, so applying
 * a change twice writes nothing the second time.  'lock' takes the entry's
 * own key lock (GSI entries, written by the worker); an LSI entry is
 * written under its base item's key lock, which covers it.
 */
void
dynpg_write_entry(Relation rel, StringInfo ekey, DynItem *item, bool lock)
{
	ItemPointerData locktid;
	TransactionId xid = GetCurrentTransactionId();
	CommandId	cid = GetCurrentCommandId(true);
	DynBtVersionSet set = {0, 0, NULL};
	DynBtVersion *current = NULL;

	if (ekey->len > DYN_BT_MAX_KEY_SIZE)
		elog(ERROR, "dynpg: index entry key of %d bytes exceeds %d", ekey->len, DYN_BT_MAX_KEY_SIZE);
	key_lock_tid(ekey, &locktid);
	lock_and_examine(rel, ekey, &locktid, lock ? ExclusiveLock : NoLock, XLTW_Update, &set, &current);
	if (current != NULL && item != NULL)
	{
		DynItem    *cur = dynpg_am_payload_item(current->payload);

		if (VARSIZE_ANY_EXHDR(cur) == VARSIZE_ANY_EXHDR(item) &&
			memcmp(VARDATA_ANY(cur), VARDATA_ANY(item), VARSIZE_ANY_EXHDR(item)) == 0)
		{
			if (lock)
				UnlockTuple(rel, &locktid, ExclusiveLock);
			return;
		}
	}
	if (item == NULL && current != NULL)
		dynpg_bt_set_xmax(rel, (const uint8 *) ekey->data, (uint16) ekey->len,
						  current->vid, xid, cid);
	if (item != NULL)
	{
		DynBtLeafTupleData hdr;
		struct varlena *payload = prepare_payload(rel, item, ekey->len);

		memset(&hdr, 0, sizeof(hdr));
		hdr.vid = dynpg_bt_next_vid(rel);
		hdr.xmin = xid;
		hdr.xmax = InvalidTransactionId;
		hdr.cmin = cid;
		hdr.cmax = InvalidCommandId;
		write_version(rel, ekey, current, xid, cid, &hdr, payload);
	}
	if (lock)
		UnlockTuple(rel, &locktid, ExclusiveLock);
}

/*
 * Backfill (src/indexer/index_backfill.c): take the key lock of base key 'skey',
 * wait for every writer of the key still in progress, and return the
 * newest committed version (or this transaction's own), or NULL if the
 * item does not exist.  The caller writes what it derives from it and
 * then calls dynpg_write_unlock_key(): a writer of the key waits meanwhile,
 * so its change (and its change-log row) comes after what the caller wrote.
 */
DynItem *
dynpg_write_lock_key(Relation rel, StringInfo skey, ItemPointer locktid)
{
	DynBtVersionSet set = {0, 0, NULL};
	DynBtVersion *current = NULL;

	key_lock_tid(skey, locktid);
	lock_and_examine(rel, skey, locktid, ExclusiveLock, XLTW_None, &set, &current);
	return current != NULL ? dynpg_am_payload_item(current->payload) : NULL;
}

void
dynpg_write_unlock_key(Relation rel, ItemPointer locktid)
{
	UnlockTuple(rel, locktid, ExclusiveLock);
}

bool
dynpg_write_put(Relation rel, DynItem *item, DynWriteMode mode,
				DynWriteCheck check, void *check_arg, DynItem **old_item)
{
	return write_key(rel, item, mode == DYN_WRITE_INSERT ? WRITE_INSERT : WRITE_PUT,
					 check, check_arg, NULL, NULL, old_item, NULL);
}

bool
dynpg_write_delete(Relation rel, DynItem *key_item,
				   DynWriteCheck check, void *check_arg, DynItem **old_item)
{
	return write_key(rel, key_item, WRITE_DELETE, check, check_arg, NULL, NULL, old_item, NULL);
}

bool
dynpg_write_delete_if(Relation rel, DynItem *key_item,
					  bool (*delete_if) (const DynItem *current, void *arg), void *arg,
					  bool by_service)
{
	pending_delete_if = delete_if;
	pending_delete_if_arg = arg;
	pending_by_service = by_service;
	return write_key(rel, key_item, WRITE_DELETE, NULL, NULL, NULL, NULL, NULL, NULL);
}

bool
dynpg_write_update(Relation rel, DynItem *key_item, DynWriteCompute compute, void *compute_arg,
				   DynItem **old_item, DynItem **new_item)
{
	if (compute == NULL)
		elog(ERROR, "dynpg: an update needs a compute function");
	return write_key(rel, key_item, WRITE_UPDATE, NULL, NULL, compute, compute_arg,
					 old_item, new_item);
}

/*
 * ConditionCheck: steps 1 to 4 of a write without the write.  The key lock
 * is taken in ShareLock mode and kept until the transaction ends (as SELECT
 * ... FOR SHARE keeps its row lock), so no other transaction writes the
 * item between the check and our commit; concurrent checks of one item
 * share it.  A transaction still writing the item is waited for first, as
 * writers do.
 */
bool
dynpg_write_check(Relation rel, DynItem *key_item, DynWriteCheck check, void *check_arg)
{
	StringInfoData skey;
	ItemPointerData locktid;
	DynBtVersionSet set = {0, 0, NULL};
	DynBtVersion *current = NULL;
	DynItem    *current_item = NULL;

	initStringInfo(&skey);
	dynpg_am_storage_key(rel, key_item, &skey);
	key_lock_tid(&skey, &locktid);
	lock_and_examine(rel, &skey, &locktid, ShareLock, XLTW_Lock, &set, &current);
	check_snapshot_agrees(rel, &set, current);
	PredicateLockRelation(rel, dynpg_am_snapshot());
	if (current != NULL)
		current_item = dynpg_am_payload_item(current->payload);
	if (check != NULL)
		check(current_item, check_arg);
	/* the lock stays: released at the end of the transaction */
	return current != NULL;
}
