/*-------------------------------------------------------------------------
 *
 * index_apply.c
 *	  Applying the GSI change log: one row (dynpg_index_apply_change, the
 *	  index worker's step; src/worker) or every visible row at once
 *	  (dynpg._apply_index_changes(), for tests and maintenance).
 *
 * A row names a base item (its table key) and the GSI key attributes of
 * the version a write replaced.  Applying it deletes the entries the old
 * keys name and writes the entries of the item's current committed
 * version: index/dynpg_index.h computes which, am/dynpg_write.h writes them.
 * Applying is idempotent and order-independent (src/index/README).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "am/dynpg_am.h"
#include "am/dynpg_changelog.h"
#include "am/dynpg_read.h"
#include "am/dynpg_write.h"
#include "index/dynpg_index.h"
#include "indexer/dynpg_indexer.h"

void
dynpg_index_apply_change(Relation rel, DynItem *base_key, DynItem *old_keys)
{
	DynItem    *current = dynpg_read_get(rel, base_key);
	DynEntryWrite *writes;
	int			nwrites;
	int			i;

	/* the definition after the read, which may detoast (and process invalidations) */
	nwrites = dynpg_index_gsi_writes(dynpg_table_def(rel), base_key, old_keys, current, &writes);
	for (i = 0; i < nwrites; i++)
	{
		if (writes[i].del != NULL)
			dynpg_write_entry(rel, writes[i].del, NULL, true);
		if (writes[i].put != NULL)
			dynpg_write_entry(rel, writes[i].put, writes[i].item, true);
	}
}

/*
 * dynpg._apply_index_changes(): apply every row of dynpg.index_changes this
 * snapshot sees, as the worker does, and delete it; returns how many were
 * applied.  For tests (GSI state right after a write) and maintenance.
 * A row whose table is gone is just deleted; a row another session deleted
 * meanwhile is skipped (applying is idempotent anyway).
 */
PG_FUNCTION_INFO_V1(dynpg_apply_index_changes);
Datum
dynpg_apply_index_changes(PG_FUNCTION_ARGS)
{
	Oid			logid;
	Relation	log;
	TableScanDesc scan;
	HeapTuple	tup;
	Snapshot	snapshot;
	int64		applied = 0;
	MemoryContext tmp;
	MemoryContext old;

	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only superusers may call dynpg._apply_index_changes()")));
	logid = dynpg_changelog_relid();
	if (!OidIsValid(logid))
		elog(ERROR, "dynpg: the change log dynpg.index_changes is missing");
	log = table_open(logid, RowExclusiveLock);
	if (RelationGetDescr(log)->natts != DYN_CHANGELOG_NATTS)
		elog(ERROR, "dynpg: dynpg.index_changes does not have the expected columns");
	tmp = AllocSetContextCreate(CurrentMemoryContext, "dynpg apply index changes",
								ALLOCSET_DEFAULT_SIZES);
	snapshot = RegisterSnapshot(GetTransactionSnapshot());
	scan = table_beginscan(log, snapshot, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Datum		values[DYN_CHANGELOG_NATTS];
		bool		nulls[DYN_CHANGELOG_NATTS];
		Relation	rel;
		ItemPointerData tid = tup->t_self;
		TM_FailureData tmfd;
		TM_Result	res;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(tmp);
		heap_deform_tuple(tup, RelationGetDescr(log), values, nulls);
		if (!nulls[0] && !nulls[1])
		{
			rel = try_relation_open(DatumGetObjectId(values[0]), RowExclusiveLock);
			if (rel != NULL)
			{
				if (dynpg_is_dynpg_relation(rel) && dynpg_table_def(rel)->nindexes > 0)
				{
					DynItem    *base_key = (DynItem *) PG_DETOAST_DATUM_COPY(values[1]);
					DynItem    *old_keys = nulls[2] ? NULL :
						(DynItem *) PG_DETOAST_DATUM_COPY(values[2]);

					PushActiveSnapshot(GetTransactionSnapshot());
					UpdateActiveSnapshotCommandId();
					dynpg_index_apply_change(rel, base_key, old_keys);
					PopActiveSnapshot();
				}
				table_close(rel, NoLock);
			}
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(tmp);
		res = heap_delete(log, &tid, GetCurrentCommandId(true), InvalidSnapshot,
						  true, &tmfd, false);
		if (res == TM_Ok)
			applied++;
		CommandCounterIncrement();
	}
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(log, NoLock);
	MemoryContextDelete(tmp);
	PG_RETURN_INT64(applied);
}
