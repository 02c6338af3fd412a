/*-------------------------------------------------------------------------
 *
 * dynpg_am.c
 *	  The dynpg table access method: TableAmRoutine callbacks mapping the
 *	  executor onto the B-tree (src/storage) and the write path.
 *
 * Every callback is implemented or raises feature_not_supported with a
 * clear message: a NULL callback would crash a server built without
 * assertions.  What v1 does not support, and why (src/storage/README):
 * SQL UPDATE, DELETE, MERGE, SELECT FOR UPDATE/SHARE, ON CONFLICT and ctid
 * look-ups need a VID-to-key map to find a version by TID; PostgreSQL
 * indexes, TABLESAMPLE, CLUSTER and VACUUM FULL are refused; parallel
 * plans are prevented at planning time (dynpg.c's get_relation_info hook).
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
	if (flags & SO_TYPE_ANALYZE)
		scan->analyzecxt = AllocSetContextCreate(CurrentMemoryContext, "dynpg analyze",
												 ALLOCSET_DEFAULT_SIZES);
	else
		scan->bt = dynpg_bt_scan_begin(rel, snapshot);
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

/* ---- TIDs: versions by VID need the VID map of a later version ---- */

/*
 * "UPDATE" or "MERGE" when the statement running is a top-level UPDATE or
 * MERGE whose target is 'rel', else NULL.  Such a statement re-reads each
 * row by TID before it changes it (the old row of an UPDATE, the matched
 * row of a MERGE), so tuple_fetch_row_version is where it first meets
 * dynpg: this lets the refusal name the statement, as DELETE's does in
 * tuple_delete.  A statement run from a function (SPI runs no portal), or a
 * re-check of a joined dynpg row after a concurrent update of another
 * target, gets NULL.
 */
static const char *
changing_statement(Relation rel)
{
	PlannedStmt *stmt;
	ListCell   *lc;

	if (ActivePortal == NULL)
		return NULL;
	stmt = PortalGetPrimaryStmt(ActivePortal);
	if (stmt == NULL ||
		(stmt->commandType != CMD_UPDATE && stmt->commandType != CMD_MERGE))
		return NULL;
	foreach(lc, stmt->resultRelations)
	{
		RangeTblEntry *rte = rt_fetch(lfirst_int(lc), stmt->rtable);

		if (rte->rtekind == RTE_RELATION && rte->relid == RelationGetRelid(rel))
			return stmt->commandType == CMD_UPDATE ? "UPDATE" : "MERGE";
	}
	return NULL;
}

static bool
dynam_tuple_fetch_row_version(Relation rel, ItemPointer tid, Snapshot snapshot,
							  TupleTableSlot *slot)
{
	const char *statement = changing_statement(rel);

	/* (row triggers are refused by CREATE TRIGGER, DELETE by tuple_delete) */
	not_supported(statement ? statement : "fetching a row by ctid (UPDATE, MERGE)");
}

static bool
dynam_tuple_tid_valid(TableScanDesc scan, ItemPointer tid)
{
	not_supported("a ctid look-up");
}

static void
dynam_tuple_get_latest_tid(TableScanDesc scan, ItemPointer tid)
{
	not_supported("a ctid look-up");
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

	dynpg_require_preload();
	(void) dynpg_write_put(rel, item, DYN_WRITE_INSERT, NULL, NULL, NULL);
	dynpg_vid_to_tid(dynpg_write_last_vid, &slot->tts_tid);
	slot->tts_tableOid = RelationGetRelid(rel);
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

	for (i = 0; i < nslots; i++)
		dynam_tuple_insert(rel, slots[i], cid, options, bistate);
}

static TM_Result
dynam_tuple_delete(Relation rel, ItemPointer tid, CommandId cid, Snapshot snapshot,
				   Snapshot crosscheck, bool wait, TM_FailureData *tmfd, bool changingPart)
{
	not_supported("DELETE");
}

static TM_Result
dynam_tuple_update(Relation rel, ItemPointer otid, TupleTableSlot *slot, CommandId cid,
				   Snapshot snapshot, Snapshot crosscheck, bool wait, TM_FailureData *tmfd,
				   LockTupleMode *lockmode, bool *update_indexes)
{
	not_supported("UPDATE");
}

static TM_Result
dynam_tuple_lock(Relation rel, ItemPointer tid, Snapshot snapshot, TupleTableSlot *slot,
				 CommandId cid, LockTupleMode mode, LockWaitPolicy wait_policy, uint8 flags,
				 TM_FailureData *tmfd)
{
	not_supported("SELECT ... FOR UPDATE/SHARE");
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
				(errmsg("dynpg table \"%s\": %u leaves, %.0f live items, %.0f versions removed, %.0f frozen, %.0f dead versions remain, %u leaves merged into their neighbours",
						RelationGetRelationName(rel), stats.pages, stats.live, stats.removed,
						stats.frozen, stats.dead, stats.pages_deleted)));
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
	.finish_bulk_insert = NULL,

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
