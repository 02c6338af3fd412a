/*-------------------------------------------------------------------------
 *
 * dynpg_am.c
 *	  The dynpg table access method: TableAmRoutine callbacks mapping the
 *	  executor onto the B-tree (src/storage) and the write path.
 *
 * Every callback is implemented or raises feature_not_supported with a
 * clear message: a NULL callback would crash a server built without
 * assertions.  Rows are found by TID (UPDATE, DELETE, MERGE, SELECT FOR
 * UPDATE/SHARE, EvalPlanQual, row triggers, ctid look-ups) through the TID
 * map (dynpg_tidmap.c; src/storage/README, "Finding a version by TID"),
 * and changed through the write path by key (dynpg_write_version).  Not
 * supported: ON CONFLICT, PostgreSQL indexes, TABLESAMPLE, CLUSTER and
 * VACUUM FULL; parallel plans are prevented at planning time (dynpg.c's
 * get_relation_info hook).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/multixact.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/index.h"
#include "catalog/pg_am_d.h"
#include "catalog/storage.h"
#include "catalog/storage_xlog.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "parser/parsetree.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/predicate.h"
#include "storage/smgr.h"
#include "tcop/pquery.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "am/dynpg_am.h"
#include "am/dynpg_am_internal.h"
#include "am/dynpg_bulk.h"
#include "am/dynpg_tidmap.h"
#include "am/dynpg_write.h"
#include "catalog/dynpg_catalog.h"
#include "base/dynpg_preload.h"
#include "index/dynpg_index.h"
#include "storage/dynpg_bt.h"
#include "storage/dynpg_btscan.h"

typedef struct DynAmScanDescData
{
	TableScanDescData base;
	DynBtScan  *bt;
	bool		tidmap;			/* remember the TIDs returned (dynpg_tidmap.h) */
	int			tidslot;		/* or note the last one in this slot (-1: no) */
	/* ANALYZE: the versions of the sampled block */
	MemoryContext analyzecxt;
	int			an_n;
	int			an_pos;
	DynBtVersion *an_versions;
} DynAmScanDescData;

typedef DynAmScanDescData *DynAmScanDesc;

static void
not_supported(const char *what) pg_attribute_noreturn();
static void
refused(const char *what) pg_attribute_noreturn();

/* Something dynpg tables do not offer at all: no hint about writes. */
static void
refused(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s is not supported on dynpg tables", what)));
}

static void
not_supported(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s is not supported on dynpg tables", what),
			 errhint("Use dynpg's functions (dynpg.put_item, dynpg.delete_item, ...) to change items.")));
}

/* ---- slots and scans ---- */

static const TupleTableSlotOps *
dynam_slot_callbacks(Relation rel)
{
	return &TTSOpsVirtual;
}

static TableScanDesc
dynam_scan_begin(Relation rel, Snapshot snapshot, int nkeys, struct ScanKeyData *key,
				 ParallelTableScanDesc pscan, uint32 flags)
{
	DynAmScanDesc scan;

	if (pscan != NULL)
		refused("a parallel scan");
	RelationIncrementReferenceCount(rel);
	scan = palloc0(sizeof(DynAmScanDescData));
	scan->base.rs_rd = rel;
	scan->base.rs_snapshot = snapshot;
	scan->base.rs_nkeys = nkeys;
	scan->base.rs_key = key;
	scan->base.rs_flags = flags;
	scan->base.rs_parallel = NULL;
	scan->tidslot = -1;
	if (flags & SO_TYPE_ANALYZE)
		scan->analyzecxt = AllocSetContextCreate(CurrentMemoryContext, "dynpg analyze",
												 ALLOCSET_DEFAULT_SIZES);
	else
	{
		int			mode = dynpg_tidmap_scan_mode(rel);

		scan->bt = dynpg_bt_scan_begin(rel, snapshot);
		scan->tidslot = mode == 1 ? dynpg_tidmap_slot_open(rel) : -1;
		scan->tidmap = mode == 2 || (mode == 1 && scan->tidslot < 0);
	}
	if (snapshot != NULL && IsMVCCSnapshot(snapshot))
		PredicateLockRelation(rel, snapshot);
	if (flags & SO_TYPE_SEQSCAN)
		pgstat_count_heap_scan(rel);
	return (TableScanDesc) scan;
}

static void
dynam_scan_end(TableScanDesc sscan)
{
	DynAmScanDesc scan = (DynAmScanDesc) sscan;

	if (scan->bt)
		dynpg_bt_scan_end(scan->bt);
	if (scan->analyzecxt)
		MemoryContextDelete(scan->analyzecxt);
	if (scan->tidslot >= 0)
		dynpg_tidmap_slot_close(scan->tidslot);
	if (scan->base.rs_flags & SO_TEMP_SNAPSHOT)
		UnregisterSnapshot(scan->base.rs_snapshot);
	RelationDecrementReferenceCount(scan->base.rs_rd);
	pfree(scan);
}

static void
dynam_scan_rescan(TableScanDesc sscan, struct ScanKeyData *key, bool set_params,
				  bool allow_strat, bool allow_sync, bool allow_pagemode)
{
	DynAmScanDesc scan = (DynAmScanDesc) sscan;

	if (scan->bt)
		dynpg_bt_scan_rescan(scan->bt);
}

static void
store_item(TupleTableSlot *slot, Relation rel, uint64 vid, struct varlena *payload)
{
	int			natts = slot->tts_tupleDescriptor->natts;
	int			i;

	ExecClearTuple(slot);
	for (i = 0; i < natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
	if (natts > 0)
	{
		slot->tts_values[0] = PointerGetDatum(payload);
		slot->tts_isnull[0] = false;
	}
	ExecStoreVirtualTuple(slot);
	dynpg_vid_to_tid(vid, &slot->tts_tid);
	slot->tts_tableOid = RelationGetRelid(rel);
}

static bool
dynam_scan_getnextslot(TableScanDesc sscan, ScanDirection direction, TupleTableSlot *slot)
{
	DynAmScanDesc scan = (DynAmScanDesc) sscan;
	uint64		vid;
	struct varlena *payload;

	if (!dynpg_bt_scan_next_dir(scan->bt, direction, &vid, &payload))
	{
		ExecClearTuple(slot);
		return false;
	}
	pgstat_count_heap_getnext(scan->base.rs_rd);
	store_item(slot, scan->base.rs_rd, vid, payload);
	if (scan->tidmap || scan->tidslot >= 0)
	{
		int			klen;
		const uint8 *k = dynpg_bt_scan_key(scan->bt, &klen);

		if (scan->tidmap)
			dynpg_tidmap_remember(scan->base.rs_rd, vid, k, klen);
		else
			dynpg_tidmap_slot_note(scan->tidslot, vid, k, klen);
	}
	return true;
}

/* ---- parallel scans: prevented at planning time ---- */

static Size
dynam_parallelscan_estimate(Relation rel)
{
	refused("a parallel scan");
}

static Size
dynam_parallelscan_initialize(Relation rel, ParallelTableScanDesc pscan)
{
	refused("a parallel scan");
}

static void
dynam_parallelscan_reinitialize(Relation rel, ParallelTableScanDesc pscan)
{
	refused("a parallel scan");
}

/* ---- index fetches: there are no PostgreSQL indexes on dynpg tables ---- */

static struct IndexFetchTableData *
dynam_index_fetch_begin(Relation rel)
{
	refused("an index scan");
}

static void
dynam_index_fetch_reset(struct IndexFetchTableData *data)
{
}

static void
dynam_index_fetch_end(struct IndexFetchTableData *data)
{
}

static bool
dynam_index_fetch_tuple(struct IndexFetchTableData *scan, ItemPointer tid, Snapshot snapshot,
						TupleTableSlot *slot, bool *call_again, bool *all_dead)
{
	refused("an index scan");
}

/* ---- TIDs: versions by VID (src/storage/README, "Finding a version by TID") ---- */

/* Whether 'tid' can be a version's TID at all (dynpg_vid_to_tid's form). */
static bool
tid_form_valid(ItemPointer tid)
{
	OffsetNumber off = ItemPointerGetOffsetNumberNoCheck(tid);

	return ItemPointerIsValid(tid) && off >= 1 && off <= DYN_BT_TIDS_PER_BLOCK &&
		dynpg_tid_to_vid(tid) > 0;
}

/* Store the (payload of) version 'vid' in 'slot', in the slot's own memory. */
static void
store_version(TupleTableSlot *slot, Relation rel, uint64 vid, struct varlena *payload)
{
	store_item(slot, rel, vid, payload);
	ExecMaterializeSlot(slot);
}

/*
 * Version 'vid' of rel: its key's versions (into 'set'), and the one with
 * that VID, or NULL.  *skey gets the key.
 */
static DynBtVersion *
find_version(Relation rel, uint64 vid, StringInfo skey, DynBtVersionSet *set)
{
	int			i;

	set->n = 0;
	if (!dynpg_tidmap_find(rel, vid, skey))
		return NULL;
	dynpg_bt_read_versions(rel, (const uint8 *) skey->data, (uint16) skey->len, set, true);
	for (i = 0; i < set->n; i++)
	{
		if (set->v[i].vid == vid)
			return &set->v[i];
	}
	return NULL;
}

static bool
dynam_tuple_fetch_row_version(Relation rel, ItemPointer tid, Snapshot snapshot,
							  TupleTableSlot *slot)
{
	MemoryContext cxt;
	MemoryContext old;
	StringInfoData skey;
	DynBtVersionSet set = {0, 0, NULL};
	DynBtVersion *v;
	bool		found = false;

	if (!tid_form_valid(tid))
		return false;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "dynpg fetch by TID",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	initStringInfo(&skey);
	v = find_version(rel, dynpg_tid_to_vid(tid), &skey, &set);
	MemoryContextSwitchTo(old);
	if (v != NULL && dynpg_bt_version_visible(v, snapshot))
	{
		store_version(slot, rel, v->vid, v->payload);
		found = true;
	}
	MemoryContextDelete(cxt);
	return found;
}

/* TidScan: a TID is worth fetching if its VID was ever issued. */
static bool
dynam_tuple_tid_valid(TableScanDesc scan, ItemPointer tid)
{
	DynBtMetaPageData meta;

	if (!tid_form_valid(tid))
		return false;
	dynpg_bt_read_meta(scan->rs_rd, &meta);
	return dynpg_tid_to_vid(tid) < meta.next_vid;
}

/*
 * The newest version, following replacements from 'tid', that the scan's
 * snapshot sees (WHERE CURRENT OF, currtid_byrelname); 'tid' is left alone
 * when none is.
 */
static void
dynam_tuple_get_latest_tid(TableScanDesc scan, ItemPointer tid)
{
	Relation	rel = scan->rs_rd;
	MemoryContext cxt;
	MemoryContext old;
	StringInfoData skey;
	DynBtVersionSet set = {0, 0, NULL};
	DynBtVersion *v;
	uint64		latest = 0;
	int			steps;

	if (!tid_form_valid(tid))
		return;
	cxt = AllocSetContextCreate(CurrentMemoryContext, "dynpg latest TID",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	initStringInfo(&skey);
	v = find_version(rel, dynpg_tid_to_vid(tid), &skey, &set);
	for (steps = 0; v != NULL && steps <= set.n; steps++)
	{
		if (dynpg_bt_version_visible(v, scan->rs_snapshot))
			latest = v->vid;
		v = dynpg_am_successor(&set, v);
	}
	MemoryContextSwitchTo(old);
	if (latest != 0)
	{
		dynpg_vid_to_tid(latest, tid);
		dynpg_tidmap_remember(rel, latest, (const uint8 *) skey.data, skey.len);
	}
	MemoryContextDelete(cxt);
}

static bool
dynam_tuple_satisfies_snapshot(Relation rel, TupleTableSlot *slot, Snapshot snapshot)
{
	not_supported("ON CONFLICT");
}

static TransactionId
dynam_index_delete_tuples(Relation rel, TM_IndexDeleteOp *delstate)
{
	refused("an index");
}

/* ---- writes ---- */

static DynItem *
slot_item(TupleTableSlot *slot)
{
	bool		isnull;
	Datum		d;

	slot_getallattrs(slot);
	if (slot->tts_tupleDescriptor->natts < 1)
		elog(ERROR, "dynpg: table has no item column");
	d = slot->tts_values[0];
	isnull = slot->tts_isnull[0];
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("a dynpg table row must hold an item")));
	return DatumGetDynItemP(d);
}

static void
dynam_tuple_insert(Relation rel, TupleTableSlot *slot, CommandId cid, int options,
				   struct BulkInsertStateData *bistate)
{
	DynItem    *item = slot_item(slot);
	uint64		vid;

	dynpg_require_preload();
	if (rel->trigdesc == NULL && dynpg_bulk_insert_row(rel, item, &vid))
	{
		/* into an empty table: a bulk load for the statement (dynpg_bulk.c) */
		dynpg_vid_to_tid(vid, &slot->tts_tid);
		slot->tts_tableOid = RelationGetRelid(rel);
		return;
	}
	(void) dynpg_write_put(rel, item, DYN_WRITE_INSERT, NULL, NULL, NULL);
	dynpg_vid_to_tid(dynpg_write_last_vid, &slot->tts_tid);
	slot->tts_tableOid = RelationGetRelid(rel);
	if (rel->trigdesc != NULL)
	{
		/* an AFTER ROW trigger fetches the row by TID at the end of the statement */
		StringInfoData skey;

		initStringInfo(&skey);
		dynpg_am_storage_key(rel, item, &skey);
		dynpg_tidmap_remember(rel, dynpg_write_last_vid, (const uint8 *) skey.data, skey.len);
		pfree(skey.data);
	}
}

static void
dynam_tuple_insert_speculative(Relation rel, TupleTableSlot *slot, CommandId cid, int options,
							   struct BulkInsertStateData *bistate, uint32 specToken)
{
	not_supported("INSERT ... ON CONFLICT");
}

static void
dynam_tuple_complete_speculative(Relation rel, TupleTableSlot *slot, uint32 specToken,
								 bool succeeded)
{
	not_supported("INSERT ... ON CONFLICT");
}

static void
dynam_multi_insert(Relation rel, TupleTableSlot **slots, int nslots, CommandId cid,
				   int options, struct BulkInsertStateData *bistate)
{
	int			i;
	DynItem   **items;
	uint64	   *vids;

	dynpg_require_preload();
	if (rel->trigdesc == NULL && nslots > 0)
	{
		/* into an empty table: one bulk load for the whole COPY (dynpg_bulk.c) */
		items = palloc(nslots * sizeof(DynItem *));
		vids = palloc(nslots * sizeof(uint64));
		for (i = 0; i < nslots; i++)
			items[i] = slot_item(slots[i]);
		if (dynpg_bulk_copy_rows(rel, items, vids, nslots))
		{
			for (i = 0; i < nslots; i++)
			{
				dynpg_vid_to_tid(vids[i], &slots[i]->tts_tid);
				slots[i]->tts_tableOid = RelationGetRelid(rel);
			}
			return;
		}
	}
	for (i = 0; i < nslots; i++)
		dynam_tuple_insert(rel, slots[i], cid, options, bistate);
}

static void
dynam_finish_bulk_insert(Relation rel, int options)
{
	dynpg_bulk_copy_finish(rel);
}

/* What tuple_delete, _update and _lock report when they did not act. */
static void
fill_failure(Relation rel, ItemPointer tid, StringInfo skey, const DynWriteVersionResult *r,
			 TM_FailureData *tmfd)
{
	tmfd->ctid = *tid;
	tmfd->xmax = r->xmax;
	tmfd->cmax = r->cmax;
	tmfd->traversed = false;
	if ((r->result == TM_Updated || r->result == TM_SelfModified) && r->vid != 0)
	{
		dynpg_vid_to_tid(r->vid, &tmfd->ctid);
		dynpg_tidmap_remember(rel, r->vid, (const uint8 *) skey->data, skey->len);
	}
}

static TM_Result
dynam_tuple_delete(Relation rel, ItemPointer tid, CommandId cid, Snapshot snapshot,
				   Snapshot crosscheck, bool wait, TM_FailureData *tmfd, bool changingPart)
{
	MemoryContext cxt;
	MemoryContext old;
	StringInfoData skey;
	DynWriteVersionResult r;
	TM_Result	result;

	dynpg_require_preload();
	memset(tmfd, 0, sizeof(*tmfd));
	cxt = AllocSetContextCreate(CurrentMemoryContext, "dynpg DELETE",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	initStringInfo(&skey);
	if (!tid_form_valid(tid) || !dynpg_tidmap_find(rel, dynpg_tid_to_vid(tid), &skey))
	{
		/* no such version: gone (nothing the statement read) */
		memset(&r, 0, sizeof(r));
		r.result = TM_Deleted;
	}
	else
	{
		/* AFTER ROW triggers fetch the old row by TID at the end of the statement */
		if (rel->trigdesc != NULL)
			dynpg_tidmap_remember(rel, dynpg_tid_to_vid(tid), (const uint8 *) skey.data, skey.len);
		(void) dynpg_write_version(rel, &skey, dynpg_tid_to_vid(tid), NULL, cid, crosscheck,
								   wait, &r);
	}
	result = r.result;
	if (result != TM_Ok)
		fill_failure(rel, tid, &skey, &r, tmfd);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return result;
}

/*
 * An UPDATE that changes the item's key is refused, as DynamoDB's
 * UpdateItem refuses it: the key is the item's identity (and its place in
 * the table).  'oldkey' and 'newkey' are the storage keys; the partition
 * part (keyspace, hash, partition key) tells which attribute changed.
 */
static void
refuse_key_change(Relation rel, StringInfo oldkey, StringInfo newkey)
{
	const DynTableDef *def = dynpg_table_def(rel);
	int			plen = dynpg_bt_partition_len((const uint8 *) oldkey->data, oldkey->len);
	bool		pk_same = plen > 0 &&
		plen == dynpg_bt_partition_len((const uint8 *) newkey->data, newkey->len) &&
		memcmp(oldkey->data, newkey->data, plen) == 0;
	const char *name = (pk_same && def->key.sk_name != NULL) ? def->key.sk_name : def->key.pk_name;
	int			namelen = (pk_same && def->key.sk_name != NULL) ?
		def->key.sk_namelen : def->key.pk_namelen;

	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("UPDATE cannot change key attribute \"%.*s\" of an item of DynamoDB table \"%s\"",
					namelen, name, def->table_name),
			 errdetail("This attribute is part of the key."),
			 errhint("DELETE the item and INSERT it with the new key.")));
}

static TM_Result
dynam_tuple_update(Relation rel, ItemPointer otid, TupleTableSlot *slot, CommandId cid,
				   Snapshot snapshot, Snapshot crosscheck, bool wait, TM_FailureData *tmfd,
				   LockTupleMode *lockmode, bool *update_indexes)
{
	DynItem    *item = slot_item(slot);
	MemoryContext cxt;
	MemoryContext old;
	StringInfoData skey;
	StringInfoData newkey;
	DynWriteVersionResult r;
	TM_Result	result;

	dynpg_require_preload();
	memset(tmfd, 0, sizeof(*tmfd));
	*lockmode = LockTupleExclusive;
	*update_indexes = false;	/* there are no PostgreSQL indexes */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "dynpg UPDATE",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	initStringInfo(&skey);
	if (!tid_form_valid(otid) || !dynpg_tidmap_find(rel, dynpg_tid_to_vid(otid), &skey))
	{
		memset(&r, 0, sizeof(r));
		r.result = TM_Deleted;
	}
	else
	{
		initStringInfo(&newkey);
		dynpg_am_storage_key(rel, item, &newkey);
		if (newkey.len != skey.len || memcmp(newkey.data, skey.data, skey.len) != 0)
			refuse_key_change(rel, &skey, &newkey);
		/* AFTER ROW triggers fetch the old row by TID at the end of the statement */
		if (rel->trigdesc != NULL)
			dynpg_tidmap_remember(rel, dynpg_tid_to_vid(otid), (const uint8 *) skey.data, skey.len);
		(void) dynpg_write_version(rel, &skey, dynpg_tid_to_vid(otid), item, cid, crosscheck,
								   wait, &r);
	}
	result = r.result;
	if (result == TM_Ok)
	{
		dynpg_vid_to_tid(r.vid, &slot->tts_tid);
		slot->tts_tableOid = RelationGetRelid(rel);
		/* AFTER triggers, RETURNING and later changes find the new version by TID */
		dynpg_tidmap_remember(rel, r.vid, (const uint8 *) skey.data, skey.len);
	}
	else
		fill_failure(rel, otid, &skey, &r, tmfd);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return result;
}

/*
 * SELECT ... FOR UPDATE/SHARE, EvalPlanQual, BEFORE ROW triggers: the key
 * lock, kept until the transaction ends -- ExclusiveLock for FOR UPDATE and
 * FOR NO KEY UPDATE, ShareLock (as ConditionCheck) for FOR SHARE and FOR
 * KEY SHARE: both keep every writer of the key waiting.
 */
static TM_Result
dynam_tuple_lock(Relation rel, ItemPointer tid, Snapshot snapshot, TupleTableSlot *slot,
				 CommandId cid, LockTupleMode mode, LockWaitPolicy wait_policy, uint8 flags,
				 TM_FailureData *tmfd)
{
	MemoryContext cxt;
	MemoryContext old;
	StringInfoData skey;
	DynWriteVersionResult r;
	TM_Result	result;
	LOCKMODE	lockmode = (mode == LockTupleExclusive || mode == LockTupleNoKeyExclusive) ?
		ExclusiveLock : ShareLock;

	memset(tmfd, 0, sizeof(*tmfd));
	cxt = AllocSetContextCreate(CurrentMemoryContext, "dynpg row lock",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	initStringInfo(&skey);
	if (!tid_form_valid(tid) || !dynpg_tidmap_find(rel, dynpg_tid_to_vid(tid), &skey))
	{
		memset(&r, 0, sizeof(r));
		r.result = TM_Deleted;
	}
	else
		(void) dynpg_write_lock_version(rel, &skey, dynpg_tid_to_vid(tid), lockmode,
										wait_policy != LockWaitBlock,
										(flags & TUPLE_LOCK_FLAG_FIND_LAST_VERSION) != 0,
										cid, &r);
	result = r.result;
	MemoryContextSwitchTo(old);
	if (result == TM_WouldBlock && wait_policy == LockWaitError)
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("could not obtain lock on row in relation \"%s\"",
						RelationGetRelationName(rel))));
	if (result == TM_Ok)
	{
		store_version(slot, rel, r.vid, r.payload);
		if (r.traversed)
		{
			dynpg_vid_to_tid(r.vid, tid);
			tmfd->traversed = true;
			dynpg_tidmap_remember(rel, r.vid, (const uint8 *) skey.data, skey.len);
		}
	}
	else
		fill_failure(rel, tid, &skey, &r, tmfd);
	MemoryContextDelete(cxt);
	return result;
}

/* ---- relation storage ---- */

static void
dynam_relation_set_new_filenode(Relation rel, const RelFileNode *newrnode, char persistence,
								TransactionId *freezeXid, MultiXactId *minmulti)
{
	SMgrRelation srel;

	*freezeXid = RecentXmin;
	*minmulti = GetOldestMultiXactId();
	srel = RelationCreateStorage(*newrnode, persistence, true);
	dynpg_bt_write_empty(rel, srel, MAIN_FORKNUM, persistence == RELPERSISTENCE_PERMANENT);
	if (persistence == RELPERSISTENCE_UNLOGGED)
	{
		/* an unlogged table is reset to its init fork after a crash */
		smgrcreate(srel, INIT_FORKNUM, false);
		log_smgrcreate(newrnode, INIT_FORKNUM);
		dynpg_bt_write_empty(rel, srel, INIT_FORKNUM, true);
	}
	smgrclose(srel);
	dynpg_bt_forget_vids(newrnode);
}

static void
dynam_relation_nontransactional_truncate(Relation rel)
{
	RelationTruncate(rel, 0);
	dynpg_bt_write_empty(rel, RelationGetSmgr(rel), MAIN_FORKNUM, RelationNeedsWAL(rel));
	dynpg_bt_forget_vids(&rel->rd_node);
}

static void
dynam_relation_copy_data(Relation rel, const RelFileNode *newrnode)
{
	SMgrRelation dstrel;
	ForkNumber	fork;

	FlushRelationBuffers(rel);
	dstrel = RelationCreateStorage(*newrnode, rel->rd_rel->relpersistence, true);
	RelationCopyStorage(RelationGetSmgr(rel), dstrel, MAIN_FORKNUM,
						rel->rd_rel->relpersistence);
	for (fork = MAIN_FORKNUM + 1; fork <= MAX_FORKNUM; fork++)
	{
		if (smgrexists(RelationGetSmgr(rel), fork))
		{
			smgrcreate(dstrel, fork, false);
			if (RelationIsPermanent(rel) ||
				(rel->rd_rel->relpersistence == RELPERSISTENCE_UNLOGGED && fork == INIT_FORKNUM))
				log_smgrcreate(newrnode, fork);
			RelationCopyStorage(RelationGetSmgr(rel), dstrel, fork,
								rel->rd_rel->relpersistence);
		}
	}
	RelationDropStorage(rel);
	smgrclose(dstrel);
}

static void
dynam_relation_copy_for_cluster(Relation OldTable, Relation NewTable, Relation OldIndex,
								bool use_sort, TransactionId OldestXmin,
								TransactionId *xid_cutoff, MultiXactId *multi_cutoff,
								double *num_tuples, double *tups_vacuumed,
								double *tups_recently_dead)
{
	refused("VACUUM FULL or CLUSTER");
}

/*
 * VACUUM (storage/btvacuum.c prunes and freezes).  It must never fail on
 * purpose: anti-wraparound autovacuum depends on it.  reltuples and
 * pg_stat's n_live_tup get the live items (keyspace 0), as ANALYZE counts
 * them: secondary-index entries live in the same relation but are not rows.
 * n_dead_tup gets the versions left that are not live, index entries
 * included, which a later VACUUM still has to remove.
 */
static void
dynam_relation_vacuum(Relation rel, struct VacuumParams *params, BufferAccessStrategy bstrategy)
{
	TransactionId oldest_xmin;
	MultiXactId oldest_mxact;
	TransactionId freeze_limit;
	MultiXactId multi_cutoff;
	DynBtVacuumStats stats;
	bool		frozen_updated;
	bool		minmulti_updated;

	(void) vacuum_set_xid_limits(rel, params->freeze_min_age, params->freeze_table_age,
								 params->multixact_freeze_min_age,
								 params->multixact_freeze_table_age,
								 &oldest_xmin, &oldest_mxact, &freeze_limit, &multi_cutoff);
	dynpg_bt_vacuum(rel, oldest_xmin, freeze_limit, GlobalVisTestFor(rel), &stats);
	if (params->options & VACOPT_VERBOSE)
		ereport(INFO,
				(errmsg("dynpg table \"%s\": %u leaves, %.0f live items, %.0f versions removed, %.0f frozen, %.0f dead versions remain, %u leaves merged into their neighbours, %u pages of failed bulk loads freed",
						RelationGetRelationName(rel), stats.pages, stats.live, stats.removed,
						stats.frozen, stats.dead, stats.pages_deleted, stats.pages_orphaned)));
	/* dynpg stores no multixacts: any cutoff is a valid relminmxid */
	vac_update_relstats(rel, RelationGetNumberOfBlocks(rel), stats.live, 0, false,
						stats.new_frozenxid, oldest_mxact,
						&frozen_updated, &minmulti_updated, false);
	pgstat_report_vacuum(RelationGetRelid(rel), rel->rd_rel->relisshared,
						 stats.live, stats.dead);
}

/* ---- ANALYZE: sample leaf blocks ---- */

static bool
dynam_scan_analyze_next_block(TableScanDesc sscan, BlockNumber blockno,
							  BufferAccessStrategy bstrategy)
{
	DynAmScanDesc scan = (DynAmScanDesc) sscan;
	Relation	rel = scan->base.rs_rd;
	Buffer		buf;
	Page		page;
	DynBtPageOpaque op;
	OffsetNumber off;
	OffsetNumber maxoff;
	MemoryContext old;

	MemoryContextReset(scan->analyzecxt);
	scan->an_n = scan->an_pos = 0;
	if (blockno == DYN_BT_METAPAGE)
		return false;
	buf = ReadBufferExtended(rel, MAIN_FORKNUM, blockno, RBM_NORMAL, bstrategy);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	if (PageIsNew(page) || PageGetSpecialSize(page) != MAXALIGN(sizeof(DynBtPageOpaqueData)))
	{
		UnlockReleaseBuffer(buf);
		return false;
	}
	op = DynBtPageGetOpaque(page);
	if (op->page_id != DYN_BT_PAGE_ID || !DYN_BT_IS_LEAF(op) || DYN_BT_IS_DELETED(op) ||
		(op->flags & DYN_BT_META))
	{
		UnlockReleaseBuffer(buf);
		return false;
	}
	maxoff = PageGetMaxOffsetNumber(page);
	old = MemoryContextSwitchTo(scan->analyzecxt);
	scan->an_versions = palloc(sizeof(DynBtVersion) * Max(maxoff, 1));
	for (off = DYN_BT_FIRSTDATA(op); off <= maxoff; off++)
	{
		DynBtKey	k;

		/* the table's items only, not index entries (index/dynpg_index.h) */
		dynpg_bt_item_key(page, off, true, &k);
		if (k.keylen < 1 || k.key[0] != 0)
			continue;
		dynpg_bt_copy_version(page, off, blockno, &scan->an_versions[scan->an_n++], true);
	}
	MemoryContextSwitchTo(old);
	UnlockReleaseBuffer(buf);
	return true;
}

static bool
dynam_scan_analyze_next_tuple(TableScanDesc sscan, TransactionId OldestXmin,
							  double *liverows, double *deadrows, TupleTableSlot *slot)
{
	DynAmScanDesc scan = (DynAmScanDesc) sscan;

	while (scan->an_pos < scan->an_n)
	{
		DynBtVersion *v = &scan->an_versions[scan->an_pos++];

		/* live: created by a committed transaction and not deleted by one */
		if (dynpg_bt_version_visible(v, SnapshotSelf))
		{
			*liverows += 1;
			store_item(slot, scan->base.rs_rd, v->vid, v->payload);
			return true;
		}
		*deadrows += 1;
	}
	return false;
}

/* ---- indexes: refused ---- */

static double
dynam_index_build_range_scan(Relation table_rel, Relation index_rel, struct IndexInfo *index_info,
							 bool allow_sync, bool anyvisible, bool progress,
							 BlockNumber start_blockno, BlockNumber numblocks,
							 IndexBuildCallback callback, void *callback_state,
							 TableScanDesc scan)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("PostgreSQL indexes are not supported on dynpg tables"),
			 errhint("A dynpg table is already ordered by its key; secondary indexes are DynamoDB LSIs and GSIs.")));
}

static void
dynam_index_validate_scan(Relation table_rel, Relation index_rel, struct IndexInfo *index_info,
						  Snapshot snapshot, struct ValidateIndexState *state)
{
	refused("an index");
}

/* ---- sizes ---- */

static uint64
dynam_relation_size(Relation rel, ForkNumber forkNumber)
{
	return table_block_relation_size(rel, forkNumber);
}

static bool
dynam_relation_needs_toast_table(Relation rel)
{
	return true;
}

static Oid
dynam_relation_toast_am(Relation rel)
{
	return HEAP_TABLE_AM_OID;
}

static void
dynam_relation_estimate_size(Relation rel, int32 *attr_widths, BlockNumber *pages,
							 double *tuples, double *allvisfrac)
{
	table_block_relation_estimate_size(rel, attr_widths, pages, tuples, allvisfrac,
									   DYN_BT_LEAF_HDRSZ + 32 + sizeof(ItemIdData),
									   BLCKSZ - SizeOfPageHeaderData -
									   MAXALIGN(sizeof(DynBtPageOpaqueData)));
}

/* ---- TABLESAMPLE: refused ---- */

static bool
dynam_scan_sample_next_block(TableScanDesc scan, struct SampleScanState *scanstate)
{
	refused("TABLESAMPLE");
}

static bool
dynam_scan_sample_next_tuple(TableScanDesc scan, struct SampleScanState *scanstate,
							 TupleTableSlot *slot)
{
	refused("TABLESAMPLE");
}

static const TableAmRoutine dynpg_methods = {
	.type = T_TableAmRoutine,

	.slot_callbacks = dynam_slot_callbacks,
	.scan_begin = dynam_scan_begin,
	.scan_end = dynam_scan_end,
	.scan_rescan = dynam_scan_rescan,
	.scan_getnextslot = dynam_scan_getnextslot,
	.scan_set_tidrange = NULL,
	.scan_getnextslot_tidrange = NULL,

	.parallelscan_estimate = dynam_parallelscan_estimate,
	.parallelscan_initialize = dynam_parallelscan_initialize,
	.parallelscan_reinitialize = dynam_parallelscan_reinitialize,

	.index_fetch_begin = dynam_index_fetch_begin,
	.index_fetch_reset = dynam_index_fetch_reset,
	.index_fetch_end = dynam_index_fetch_end,
	.index_fetch_tuple = dynam_index_fetch_tuple,

	.tuple_fetch_row_version = dynam_tuple_fetch_row_version,
	.tuple_tid_valid = dynam_tuple_tid_valid,
	.tuple_get_latest_tid = dynam_tuple_get_latest_tid,
	.tuple_satisfies_snapshot = dynam_tuple_satisfies_snapshot,
	.index_delete_tuples = dynam_index_delete_tuples,

	.tuple_insert = dynam_tuple_insert,
	.tuple_insert_speculative = dynam_tuple_insert_speculative,
	.tuple_complete_speculative = dynam_tuple_complete_speculative,
	.multi_insert = dynam_multi_insert,
	.tuple_delete = dynam_tuple_delete,
	.tuple_update = dynam_tuple_update,
	.tuple_lock = dynam_tuple_lock,
	.finish_bulk_insert = dynam_finish_bulk_insert,

	.relation_set_new_filenode = dynam_relation_set_new_filenode,
	.relation_nontransactional_truncate = dynam_relation_nontransactional_truncate,
	.relation_copy_data = dynam_relation_copy_data,
	.relation_copy_for_cluster = dynam_relation_copy_for_cluster,
	.relation_vacuum = dynam_relation_vacuum,
	.scan_analyze_next_block = dynam_scan_analyze_next_block,
	.scan_analyze_next_tuple = dynam_scan_analyze_next_tuple,
	.index_build_range_scan = dynam_index_build_range_scan,
	.index_validate_scan = dynam_index_validate_scan,

	.relation_size = dynam_relation_size,
	.relation_needs_toast_table = dynam_relation_needs_toast_table,
	.relation_toast_am = dynam_relation_toast_am,
	.relation_fetch_toast_slice = NULL,

	.relation_estimate_size = dynam_relation_estimate_size,

	.scan_bitmap_next_block = NULL,
	.scan_bitmap_next_tuple = NULL,
	.scan_sample_next_block = dynam_scan_sample_next_block,
	.scan_sample_next_tuple = dynam_scan_sample_next_tuple,
};

bool
dynpg_is_dynpg_relation(Relation rel)
{
	return rel->rd_tableam == &dynpg_methods;
}

PG_FUNCTION_INFO_V1(dynpg_tableam_handler);
Datum
dynpg_tableam_handler(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&dynpg_methods);
}
