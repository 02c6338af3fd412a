/*-------------------------------------------------------------------------
 *
 * worker_sql.c
 *	  The SQL functions that observe the GSI workers and wait for them:
 *	  dynpg.wait_for_indexes, dynpg.index_backlog, dynpg.index_lag and
 *	  dynpg._index_workers (the view dynpg.index_workers).
 *	  (dynpg._request_worker, which only marks the transaction, is with the
 *	  commit callback it feeds, in worker_shmem.c.)
 *
 * Rules (src/worker/README, "SQL"): "committed before the call" means
 * visible to a snapshot taken at the call (GetLatestSnapshot, also right in
 * REPEATABLE READ); the caller's own uncommitted log rows are never waited
 * for nor counted; a log row is named by its TID and raw xmin, so a TID
 * reused after VACUUM is not mistaken for it.  These functions read the
 * log and the shared slots and change nothing but the wake-up of the
 * worker (wait_for_indexes asks for one when none runs).  last_error is
 * shown for the caller's own database, or to pg_read_all_stats.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/condition_variable.h"
#include "storage/lwlock.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "am/dynpg_changelog.h"
#include "catalog/dynpg_catalog.h"
#include "indexer/dynpg_indexer.h"
#include "worker/dynpg_worker_internal.h"

static const char *const state_names[] = {
	"stopped", "starting", "idle", "applying", "backfilling", "paused", "stopping"
};

typedef struct PendingRow
{
	ItemPointerData tid;
	TransactionId xmin;			/* raw: freezing keeps it */
} PendingRow;

/*
 * The rows of the change log for relation relid visible to 'snap', except
 * this transaction's own (they cannot be applied before it commits).
 * Counted, and collected into *rows if rows != NULL.
 */
static int64
collect_pending(Oid logrelid, Oid relid, Snapshot snap, PendingRow **rows, int *cap)
{
	Relation	rel = table_open(logrelid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	TableScanDesc scan = table_beginscan(rel, snap, 0, NULL);
	HeapTuple	tup;
	int64		n = 0;

	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		bool		isnull;
		Datum		tbl;

		CHECK_FOR_INTERRUPTS();
		tbl = heap_getattr(tup, 1, desc, &isnull);
		if (isnull || DatumGetObjectId(tbl) != relid)
			continue;
		if (TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tup->t_data)))
			continue;
		if (rows)
		{
			if (n >= *cap)
			{
				*cap = Max(*cap * 2, 64);
				*rows = *rows ? repalloc_huge(*rows, *cap * sizeof(PendingRow)) :
					palloc(*cap * sizeof(PendingRow));
			}
			(*rows)[n].tid = tup->t_self;
			(*rows)[n].xmin = HeapTupleHeaderGetRawXmin(tup->t_data);
		}
		n++;
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	return n;
}

/* Keep the rows still present (same tid, same inserter) in a fresh snapshot. */
static int
recheck_pending(Oid logrelid, PendingRow *rows, int n)
{
	Relation	rel = try_relation_open(logrelid, AccessShareLock);
	Snapshot	snap;
	BlockNumber nblocks;
	int			i,
				kept = 0;

	if (rel == NULL)
		return 0;				/* dropped with the extension: nothing to wait for */
	snap = RegisterSnapshot(GetLatestSnapshot());
	nblocks = RelationGetNumberOfBlocks(rel);
	for (i = 0; i < n; i++)
	{
		HeapTupleData tuple;
		Buffer		buf;

		CHECK_FOR_INTERRUPTS();
		/* VACUUM may have truncated the log (it cannot meanwhile: we hold a lock) */
		if (ItemPointerGetBlockNumber(&rows[i].tid) >= nblocks)
			continue;
		tuple.t_self = rows[i].tid;
		if (heap_fetch(rel, snap, &tuple, &buf, false))
		{
			if (HeapTupleHeaderGetRawXmin(tuple.t_data) == rows[i].xmin)
				rows[kept++] = rows[i];
			ReleaseBuffer(buf);
		}
	}
	UnregisterSnapshot(snap);
	relation_close(rel, AccessShareLock);
	return kept;
}

/* This database's slot CV and whether its worker runs (NULL CV if no slot). */
static ConditionVariable *
my_database_cv(bool *running)
{
	DynWorkerSlot *slot;
	ConditionVariable *cv = NULL;

	*running = false;
	if (dynpg_worker_shared == NULL)
		return NULL;
	LWLockAcquire(dynpg_worker_lock, LW_SHARED);
	slot = dynpg_worker_find_slot(MyDatabaseId);
	if (slot)
	{
		cv = &slot->cv;
		*running = slot->pid != 0;
	}
	LWLockRelease(dynpg_worker_lock);
	return cv;
}

/*
 * dynpg.wait_for_indexes(table_name text, timeout_seconds float8): true
 * once every change to the table committed before the call is applied
 * (and no backfill of its indexes is pending), false on timeout.
 */
PG_FUNCTION_INFO_V1(dynpg_wait_for_indexes);
Datum
dynpg_wait_for_indexes(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	float8		timeout_s = PG_GETARG_FLOAT8(1);
	Oid			relid;
	Oid			logrelid;
	Snapshot	callsnap;
	PendingRow *rows = NULL;
	int			cap = 0;
	int			n;
	TimestampTz deadline = 0;
	bool		forever = false;
	bool		done = false;
	bool		first = true;

	if (isnan(timeout_s) || timeout_s < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("timeout_seconds must be a number >= 0")));
	if (isinf(timeout_s) || timeout_s > (double) INT_MAX)
		forever = true;
	else
		deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
											   (int64) (timeout_s * 1000.0));

	relid = dynpg_table_relid(name, false);
	logrelid = dynpg_changelog_relid();
	if (!OidIsValid(logrelid))
		PG_RETURN_BOOL(true);

	/* "committed before the call": visible to a snapshot taken now, not the transaction's */
	callsnap = RegisterSnapshot(GetLatestSnapshot());
	n = (int) collect_pending(logrelid, relid, callsnap, &rows, &cap);
	UnregisterSnapshot(callsnap);

	for (;;)
	{
		ConditionVariable *cv;
		bool		running;
		long		sleep;

		if (n > 0)
			n = recheck_pending(logrelid, rows, n);
		if (n == 0 && !dynpg_index_backfill_pending(relid))
		{
			done = true;
			break;
		}
		if (!forever)
		{
			long		secs;
			int			usecs;

			TimestampDifference(GetCurrentTimestamp(), deadline, &secs, &usecs);
			if (secs == 0 && usecs == 0)
				break;
			sleep = Min(secs * 1000 + usecs / 1000 + 1, 1000);
		}
		else
			sleep = 1000;

		cv = my_database_cv(&running);
		/* wake the worker at once (rows logged by SQL woke nobody), or have one started */
		if ((first || !running) && !RecoveryInProgress())
			dynpg_worker_request(MyDatabaseId);
		first = false;
		if (cv == NULL)
		{
			/* no slot yet: poll while the launcher starts the worker */
			dynpg_worker_sleep_ms(Min(sleep, 100));
			continue;
		}
		/* woken after each batch of the worker; the timeout bounds the wait */
		(void) ConditionVariableTimedSleep(cv, sleep, PG_WAIT_EXTENSION);
		CHECK_FOR_INTERRUPTS();
	}
	ConditionVariableCancelSleep();
	if (rows)
		pfree(rows);
	PG_RETURN_BOOL(done);
}

/* dynpg.index_backlog(table_name): committed changes of the table not yet applied. */
PG_FUNCTION_INFO_V1(dynpg_index_backlog);
Datum
dynpg_index_backlog(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Oid			relid = dynpg_table_relid(name, false);
	Oid			logrelid = dynpg_changelog_relid();
	Snapshot	snap;
	int64		n;

	if (!OidIsValid(logrelid))
		PG_RETURN_INT64(0);
	snap = RegisterSnapshot(GetLatestSnapshot());
	n = collect_pending(logrelid, relid, snap, NULL, NULL);
	UnregisterSnapshot(snap);
	PG_RETURN_INT64(n);
}

/*
 * dynpg.index_lag(table_name): NULL when the table has no backlog; else the
 * time since the database's worker last found the change log caught up (or
 * since its slot was set up, if never): every pending change committed
 * after that moment, so this bounds how long any of them has waited.
 */
PG_FUNCTION_INFO_V1(dynpg_index_lag);
Datum
dynpg_index_lag(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Oid			relid = dynpg_table_relid(name, false);
	Oid			logrelid = dynpg_changelog_relid();
	Snapshot	snap;
	int64		n;
	TimestampTz since = 0;
	DynWorkerSlot *slot;

	if (!OidIsValid(logrelid) || dynpg_worker_shared == NULL)
		PG_RETURN_NULL();
	snap = RegisterSnapshot(GetLatestSnapshot());
	n = collect_pending(logrelid, relid, snap, NULL, NULL);
	UnregisterSnapshot(snap);
	if (n == 0)
		PG_RETURN_NULL();

	LWLockAcquire(dynpg_worker_lock, LW_SHARED);
	slot = dynpg_worker_find_slot(MyDatabaseId);
	if (slot)
		since = slot->caught_up != 0 ? slot->caught_up : slot->since;
	LWLockRelease(dynpg_worker_lock);
	if (since == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(timestamp_mi,
										TimestampTzGetDatum(GetCurrentTimestamp()),
										TimestampTzGetDatum(since)));
}

/* dynpg._index_workers(): one row per slot in use (the view dynpg.index_workers). */
PG_FUNCTION_INFO_V1(dynpg_index_workers);
Datum
dynpg_index_workers(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		see_errors = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	if (dynpg_worker_shared == NULL)
		return (Datum) 0;

	for (i = 0; i < dynpg_worker_shared->nslots; i++)
	{
		DynWorkerSlot copy;
		Datum		values[9];
		bool		nulls[9];

		LWLockAcquire(dynpg_worker_lock, LW_SHARED);
		memcpy(&copy, &dynpg_worker_shared->slots[i], offsetof(DynWorkerSlot, cv));
		LWLockRelease(dynpg_worker_lock);
		if (!OidIsValid(copy.dboid))
			continue;

		memset(nulls, 0, sizeof(nulls));
		values[0] = ObjectIdGetDatum(copy.dboid);
		values[1] = Int32GetDatum((int32) copy.pid);
		nulls[1] = copy.pid == 0;
		values[2] = CStringGetTextDatum(copy.state <= DYN_WS_STOPPING ?
										state_names[copy.state] : "unknown");
		values[3] = Int64GetDatum((int64) copy.changes_applied);
		values[4] = Int64GetDatum((int64) copy.batches);
		values[5] = TimestampTzGetDatum(copy.last_apply);
		nulls[5] = copy.last_apply == 0;
		values[6] = TimestampTzGetDatum(copy.caught_up);
		nulls[6] = copy.caught_up == 0;
		if (copy.last_error[0] != '\0' && (see_errors || copy.dboid == MyDatabaseId))
		{
			copy.last_error[ERROR_TEXT_LEN - 1] = '\0';
			values[7] = CStringGetTextDatum(copy.last_error);
		}
		else
			nulls[7] = true;
		values[8] = TimestampTzGetDatum(copy.last_error_time);
		nulls[8] = copy.last_error_time == 0;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
