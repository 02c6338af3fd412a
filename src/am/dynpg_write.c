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
#include "utils/resowner.h"
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
static bool
lock_and_examine_ext(Relation rel, const StringInfo skey, ItemPointer locktid, LOCKMODE mode,
					 XLTW_Oper oper, bool nowait, DynBtVersionSet *set, DynBtVersion **current)
{
	for (;;)
	{
		TransactionId wait;

		if (mode != NoLock)
		{
			if (nowait)
			{
				if (!ConditionalLockTuple(rel, locktid, mode))
					return false;
			}
			else
				LockTuple(rel, locktid, mode);
		}
		if (examine_key(rel, skey, set, current, &wait))
			return true;
		if (mode != NoLock)
			UnlockTuple(rel, locktid, mode);
		if (nowait)
			return false;
		XactLockTableWait(wait, rel, NULL, oper);
		CHECK_FOR_INTERRUPTS();
	}
}

static void
lock_and_examine(Relation rel, const StringInfo skey, ItemPointer locktid, LOCKMODE mode,
				 XLTW_Oper oper, DynBtVersionSet *set, DynBtVersion **current)
{
	(void) lock_and_examine_ext(rel, skey, locktid, mode, oper, false, set, current);
}

/*
 * The version that replaced 'v': the version of the same key written by
 * the same write, i.e. whose xmin and cmin are v's xmax and cmax (a write
 * stamps the old version and inserts the new one with one xid and command
 * id).  NULL if none: v was deleted (or is live).
 */
DynBtVersion *
dynpg_am_successor(DynBtVersionSet *set, const DynBtVersion *v)
{
	int			i;

	if (!TransactionIdIsValid(v->xmax))
		return NULL;
	for (i = 0; i < set->n; i++)
	{
		DynBtVersion *s = &set->v[i];

		if (s != v && !(s->infomask & DYN_BT_XMIN_FROZEN) &&
			TransactionIdEquals(s->xmin, v->xmax) && s->cmin == v->cmax)
			return s;
	}
	return NULL;
}

/* Whether v's xmax is a committed deletion (or this transaction's own). */
static bool
version_deleted(const DynBtVersion *v)
{
	return TransactionIdIsValid(v->xmax) &&
		(xid_is_mine(v->xmax) || TransactionIdDidCommit(v->xmax));
}

/*
 * Once examine_key found no writer in progress: what happened to version
 * 'vid' since the statement read it, as heap's TM_Result says it.  TM_Ok:
 * it is the current version.  res gets who changed it, and for TM_Updated
 * the newest version (the end of the chain of replacements).
 */
static TM_Result
judge_version(Relation rel, DynBtVersionSet *set, DynBtVersion *current, uint64 vid,
			  CommandId cid, DynWriteVersionResult *res, DynBtVersion **newest)
{
	DynBtVersion *e = NULL;
	DynBtVersion *v;
	int			i;
	int			steps;

	*newest = NULL;
	for (i = 0; i < set->n; i++)
	{
		if (set->v[i].vid == vid)
		{
			e = &set->v[i];
			break;
		}
	}
	if (e == NULL)
		return TM_Deleted;		/* removed by VACUUM: long gone */
	if (e == current)
		return TM_Ok;
	res->xmax = e->xmax;
	if (!version_deleted(e))
		return TM_Invisible;	/* never committed (its writer aborted) */
	if (xid_is_mine(e->xmax))
	{
		/* changed by this transaction: by this command or a later one, or before */
		res->cmax = e->cmax;
		if (e->cmax >= cid)
		{
			DynBtVersion *s = dynpg_am_successor(set, e);

			res->vid = s != NULL ? s->vid : e->vid;
			return TM_SelfModified;
		}
		return TM_Invisible;
	}
	/* another transaction's committed change: follow its replacements */
	v = e;
	for (steps = 0; steps <= set->n; steps++)
	{
		DynBtVersion *s;

		if (!version_deleted(v))
			break;
		s = dynpg_am_successor(set, v);
		if (s == NULL)
			return TM_Deleted;
		v = s;
	}
	if (v != current)
		return TM_Deleted;
	*newest = v;
	res->vid = v->vid;
	return TM_Updated;
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

/* SQL INSERT (or COPY) of an item whose key exists: a unique violation. */
void
dynpg_write_duplicate_error(Relation rel, const DynItem *item)
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

/*
 * The payload to store for an item: itself if it fits beside the key,
 * else compressed, else moved out of line into the table's TOAST relation.
 */
struct varlena *
dynpg_write_prepare_payload(Relation rel, DynItem *item, int keylen)
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

/*
 * After SQL UPDATE or DELETE wrote a key at the top level of its
 * transaction: a row lock on the key that tuple_lock took earlier in the
 * transaction (BEFORE ROW triggers, EvalPlanQual, SELECT ... FOR UPDATE)
 * is no longer needed -- the version just written carries this
 * transaction's xid, and every writer of the key waits for it -- so it is
 * released, and an UPDATE with a BEFORE ROW trigger does not hold a lock
 * table entry per row until it commits.  Inside a subtransaction it stays:
 * rolling the write back must leave the row locked.
 */
static void
release_row_lock(Relation rel, ItemPointer locktid)
{
	LOCKTAG		tag;

	if (GetCurrentTransactionNestLevel() != 1)
		return;
	SET_LOCKTAG_TUPLE(tag, rel->rd_lockInfo.lockRelId.dbId, rel->rd_lockInfo.lockRelId.relId,
					  ItemPointerGetBlockNumber(locktid), ItemPointerGetOffsetNumber(locktid));
	if (LockHeldByMe(&tag, ExclusiveLock))
	{
		/* tuple_lock took it for the transaction (dynpg_write_lock_version) */
		ResourceOwner owner = CurrentResourceOwner;

		CurrentResourceOwner = TopTransactionResourceOwner;
		UnlockTuple(rel, locktid, ExclusiveLock);
		CurrentResourceOwner = owner;
	}
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
/*
 * SQL UPDATE and DELETE (dynpg_write_version): the item's storage key, and
 * the version the statement read, which must still be the current one.
 */
typedef struct WriteVersion
{
	StringInfo	skey;
	uint64		vid;
	CommandId	cid;
	Snapshot	crosscheck;		/* or InvalidSnapshot */
	bool		wait;
	DynWriteVersionResult *res;
} WriteVersion;

static void *pending_delete_if_arg = NULL;
static bool pending_by_service = false;

static bool
write_key(Relation rel, DynItem *item, WriteKind kind, DynWriteCheck check, void *check_arg,
		  DynWriteCompute compute, void *compute_arg, DynItem **old_item, DynItem **new_item,
		  WriteVersion *ver)
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
	if (ver != NULL)
	{
		appendBinaryStringInfo(&skey, ver->skey->data, ver->skey->len);
		if (item != NULL)
		{
			StringInfoData newkey;

			/* the AM refused a key change with its message already */
			initStringInfo(&newkey);
			dynpg_am_storage_key(rel, item, &newkey);
			if (newkey.len != skey.len || memcmp(newkey.data, skey.data, skey.len) != 0)
				elog(ERROR, "dynpg: an update changed the item's key");
		}
	}
	else
		dynpg_am_storage_key(rel, item, &skey);
	key_lock_tid(&skey, &locktid);

	/* SERIALIZABLE: a write to a relation others have read is a conflict in */
	CheckForSerializableConflictIn(rel, NULL, InvalidBlockNumber);

	xid = GetCurrentTransactionId();
	cid = ver != NULL ? ver->cid : GetCurrentCommandId(true);

	if (ver == NULL)
	{
		lock_and_examine(rel, &skey, &locktid, ExclusiveLock, XLTW_Update, &set, &current);
		check_snapshot_agrees(rel, &set, current);
	}
	else
	{
		DynBtVersion *newest;
		DynBtVersion *e = NULL;
		int			i;

		if (!lock_and_examine_ext(rel, &skey, &locktid, ExclusiveLock,
								  kind == WRITE_DELETE ? XLTW_Delete : XLTW_Update,
								  !ver->wait, &set, &current))
		{
			ver->res->result = TM_WouldBlock;
			return false;
		}
		ver->res->result = judge_version(rel, &set, current, ver->vid, cid, ver->res, &newest);
		for (i = 0; i < set.n && ver->res->result == TM_Ok; i++)
			if (set.v[i].vid == ver->vid)
				e = &set.v[i];
		/* a crosscheck snapshot (RI checks under REPEATABLE READ) must see it too */
		if (e != NULL && ver->crosscheck != InvalidSnapshot &&
			!dynpg_bt_version_visible(e, ver->crosscheck))
		{
			ver->res->result = TM_Updated;
			ver->res->vid = e->vid;
			ver->res->xmax = InvalidTransactionId;
		}
		if (ver->res->result != TM_Ok)
		{
			UnlockTuple(rel, &locktid, ExclusiveLock);
			return false;
		}
	}

	if (current != NULL &&
		(check != NULL || compute != NULL || old_item != NULL || kind == WRITE_INSERT ||
		 has_entries || delete_if != NULL || dynpg_table_def(rel)->stream_id != 0))
		current_item = dynpg_am_payload_item(current->payload);
	if (kind == WRITE_INSERT && current != NULL)
		dynpg_write_duplicate_error(rel, item);
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
		struct varlena *payload = dynpg_write_prepare_payload(rel, item, skey.len);

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
		if (ver != NULL)
		{
			ver->res->vid = hdr.vid;
			release_row_lock(rel, &locktid);
		}
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
	if (ver != NULL)
		release_row_lock(rel, &locktid);
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
		struct varlena *payload = dynpg_write_prepare_payload(rel, item, ekey->len);

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
					 check, check_arg, NULL, NULL, old_item, NULL, NULL);
}

bool
dynpg_write_delete(Relation rel, DynItem *key_item,
				   DynWriteCheck check, void *check_arg, DynItem **old_item)
{
	return write_key(rel, key_item, WRITE_DELETE, check, check_arg, NULL, NULL, old_item, NULL, NULL);
}

bool
dynpg_write_delete_if(Relation rel, DynItem *key_item,
					  bool (*delete_if) (const DynItem *current, void *arg), void *arg,
					  bool by_service)
{
	pending_delete_if = delete_if;
	pending_delete_if_arg = arg;
	pending_by_service = by_service;
	return write_key(rel, key_item, WRITE_DELETE, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
}

bool
dynpg_write_update(Relation rel, DynItem *key_item, DynWriteCompute compute, void *compute_arg,
				   DynItem **old_item, DynItem **new_item)
{
	if (compute == NULL)
		elog(ERROR, "dynpg: an update needs a compute function");
	return write_key(rel, key_item, WRITE_UPDATE, NULL, NULL, compute, compute_arg,
					 old_item, new_item, NULL);
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

/*
 * SQL UPDATE and DELETE (the table AM's tuple_update and tuple_delete;
 * src/storage/README, "Finding a version by TID"): write 'item' (NULL:
 * delete) as the item of storage key 'skey', as PutItem or DeleteItem do
 * -- key lock, wait for writers, indexes, change log, stream record -- but
 * only if the newest committed version is still 'vid', the version the
 * statement read.  Otherwise nothing is written and the result says what
 * happened to it (res->vid: for TM_Updated the newest version, for TM_Ok
 * the version written).  With !wait, a held key lock or a writer in
 * progress gives TM_WouldBlock.
 */
TM_Result
dynpg_write_version(Relation rel, StringInfo skey, uint64 vid, DynItem *item,
					CommandId cid, Snapshot crosscheck, bool wait, DynWriteVersionResult *res)
{
	WriteVersion ver;

	memset(res, 0, sizeof(*res));
	res->xmax = InvalidTransactionId;
	res->cmax = InvalidCommandId;
	ver.skey = skey;
	ver.vid = vid;
	ver.cid = cid;
	ver.crosscheck = crosscheck;
	ver.wait = wait;
	ver.res = res;
	if (item != NULL && dynpg_table_def(rel)->nindexes > 0)
		dynpg_index_check_item(dynpg_table_def(rel), item, false);
	(void) write_key(rel, item, item != NULL ? WRITE_PUT : WRITE_DELETE, NULL, NULL, NULL, NULL,
					 NULL, NULL, &ver);
	return res->result;
}

/*
 * SELECT ... FOR UPDATE/SHARE, EvalPlanQual and BEFORE ROW triggers (the
 * AM's tuple_lock): lock the key of version 'vid' in 'mode' (ExclusiveLock
 * or ShareLock) until the transaction ends, if 'vid' is still the current
 * version -- or, with find_last, whatever version replaced it (res->vid,
 * res->traversed).  TM_Ok returns the locked version's payload in
 * res->payload (as stored).  With nowait, a held key lock or a writer in
 * progress gives TM_WouldBlock; otherwise they are waited for.
 */
TM_Result
dynpg_write_lock_version(Relation rel, StringInfo skey, uint64 vid, LOCKMODE mode, bool nowait,
						 bool find_last, CommandId cid, DynWriteVersionResult *res)
{
	ItemPointerData locktid;
	DynBtVersionSet set = {0, 0, NULL};
	DynBtVersion *current = NULL;
	DynBtVersion *newest = NULL;
	TM_Result	result;
	ResourceOwner owner = CurrentResourceOwner;
	bool		locked;

	memset(res, 0, sizeof(*res));
	res->xmax = InvalidTransactionId;
	res->cmax = InvalidCommandId;
	key_lock_tid(skey, &locktid);

	/*
	 * The lock belongs to the (sub)transaction, not to the statement's
	 * portal: it lasts until the transaction ends, and release_row_lock
	 * finds it there.
	 */
	CurrentResourceOwner = CurTransactionResourceOwner;
	PG_TRY();
	{
		locked = lock_and_examine_ext(rel, skey, &locktid, mode, XLTW_Lock, nowait, &set, &current);
		result = locked ? judge_version(rel, &set, current, vid, cid, res, &newest) : TM_WouldBlock;
		if (locked && result != TM_Ok && !(result == TM_Updated && find_last && newest != NULL))
			UnlockTuple(rel, &locktid, mode);
	}
	PG_FINALLY();
	{
		CurrentResourceOwner = owner;
	}
	PG_END_TRY();
	if (!locked)
	{
		res->result = TM_WouldBlock;
		return TM_WouldBlock;
	}
	if (result == TM_Updated && find_last && newest != NULL)
	{
		res->traversed = true;
		current = newest;
		result = TM_Ok;
	}
	if (result == TM_Ok)
	{
		/* the lock stays: released at the end of the transaction */
		res->vid = current->vid;
		res->payload = current->payload;
		res->result = TM_Ok;
		return TM_Ok;
	}
	res->result = result;
	return result;
}
