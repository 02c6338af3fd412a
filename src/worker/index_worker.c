/*-------------------------------------------------------------------------
 *
 * index_worker.c
 *	  The per-database GSI worker ("dynpg index worker"): applies the rows
 *	  of dynpg.index_changes in batches, runs the backfill steps of
 *	  src/index, and reports through its slot.
 *
 * A dynamic background worker the launcher starts (launcher.c) with its
 * slot number, database and the slot's generation.  It attaches to the
 * slot only if the registration is still the slot's and the database is
 * not suppressed, and only then connects.  Each iteration: one batch
 * transaction (up to WORKER_BATCH_ROWS log rows visible to a fresh
 * snapshot, sorted by table, each applied by dynpg_index_apply_change and
 * deleted, each seeing the previous ones' writes), then one backfill
 * transaction (dynpg_index_backfill_step); it sleeps on its latch only when
 * neither had more to do.
 *
 * Rules (src/worker/README, "Processes"): an error rolls the whole batch
 * back, so no row is lost; the next batch then runs row by row in
 * subtransactions, and a row that fails on its own is set aside (it stays
 * in the log, retried every POISON_RETRY_MS) while the others are applied;
 * a failure outside the rows backs off, up to WORKER_ERROR_BACKOFF_MAX_MS,
 * whatever sets the latch.  The worker exits when dynpg is not installed in
 * its database (and, once idle, in a template database) unless a request
 * came meanwhile, and when its database is suppressed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_class.h"
#include "catalog/pg_database.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "am/dynpg_am.h"
#include "catalog/dynpg_catalog.h"
#include "am/dynpg_changelog.h"
#include "am/dynpg_stream.h"
#include "am/dynpg_ttl.h"
#include "api/dynpg_export.h"
#include "api/dynpg_import.h"
#include "base/dynpg_search_path.h"
#include "executor/spi.h"
#include "indexer/dynpg_indexer.h"
#include "worker/dynpg_worker_internal.h"

static DynWorkerSlot *my_slot = NULL;

typedef struct LogRow
{
	ItemPointerData tid;
	TransactionId xmin;			/* with tid, names the row (a tid is reused after VACUUM) */
	Oid			tbl;
	DynItem    *base_key;		/* NULL if the column is null (the row is just deleted) */
	DynItem    *old_keys;
} LogRow;

typedef enum BatchResult
{
	BATCH_EMPTY,				/* nothing visible to apply */
	BATCH_PARTIAL,				/* applied everything visible */
	BATCH_FULL,					/* applied a full batch: there may be more */
	BATCH_NO_EXTENSION			/* dynpg is not installed here */
} BatchResult;

/* whether this database is a template (pg_database.datistemplate), read each batch */
static bool my_db_is_template = false;

static bool
database_is_template(Oid dboid)
{
	HeapTuple	tup = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(dboid));
	bool		result = false;

	if (HeapTupleIsValid(tup))
	{
		result = ((Form_pg_database) GETSTRUCT(tup))->datistemplate;
		ReleaseSysCache(tup);
	}
	return result;
}

static void
set_state(DynWorkerState state)
{
	LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
	my_slot->state = state;
	LWLockRelease(dynpg_worker_lock);
}

static void
worker_detach(int code, Datum arg)
{
	LWLockReleaseAll();
	LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
	if (my_slot->pid == MyProcPid)
	{
		my_slot->pid = 0;
		my_slot->latch = NULL;
		my_slot->state = DYN_WS_STOPPED;
	}
	LWLockRelease(dynpg_worker_lock);
	ConditionVariableBroadcast(&my_slot->cv);
	dynpg_worker_wake_launcher();
}

static int
logrow_cmp(const void *a, const void *b)
{
	const LogRow *ra = (const LogRow *) a;
	const LogRow *rb = (const LogRow *) b;

	if (ra->tbl != rb->tbl)
		return ra->tbl < rb->tbl ? -1 : 1;
	return ItemPointerCompare((ItemPointer) &ra->tid, (ItemPointer) &rb->tid);
}

/*
 * Whether rel's DynamoDB definition parses: dynpg_table_def() raises
 * ERRCODE_WRONG_OBJECT_TYPE when it does not, caught in a subtransaction;
 * any other error (a cancel, out of memory) propagates.
 */
static bool
table_definition_ok(Relation rel)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	volatile bool ok = true;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		(void) dynpg_table_def(rel);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		if (edata->sqlerrcode != ERRCODE_WRONG_OBJECT_TYPE)
			ReThrowError(edata);
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcxt);
	CurrentResourceOwner = oldowner;
	return ok;
}

/*
 * The dynpg table a log row names, opened with RowExclusiveLock (kept to
 * commit), or NULL if it no longer exists or is no longer a dynpg table:
 * its rows are then just deleted.
 */
static Relation
open_target(Oid tbl)
{
	Relation	rel;

	if (!OidIsValid(tbl))
		return NULL;
	rel = try_relation_open(tbl, RowExclusiveLock);
	if (rel == NULL)
		return NULL;
	if (rel->rd_rel->relkind != RELKIND_RELATION || !dynpg_is_dynpg_relation(rel) ||
		!table_definition_ok(rel))
	{
		relation_close(rel, RowExclusiveLock);
		return NULL;
	}
	return rel;
}

/*
 * Rows whose apply failed on their own (found by a batch run row by row in
 * subtransactions after a whole batch failed): skipped by later batches, so
 * one bad row -- a corrupt base key, a bug -- does not stop every other
 * change of the database.  They stay in the log (wait_for_indexes keeps
 * waiting for their table, index_backlog counts them, verify calls the
 * index pending) and are tried again every POISON_RETRY_MS.
 */
#define POISON_MAX			1024
#define POISON_RETRY_MS		60000
static ItemPointerData poison_tid[POISON_MAX];
static TransactionId poison_xmin[POISON_MAX];
static int	npoison = 0;
static TimestampTz poison_since = 0;
static bool isolate_rows = false;	/* the next batch runs row by row */

static bool
is_poisoned(const LogRow *row)
{
	int			i;

	for (i = 0; i < npoison; i++)
		if (ItemPointerEquals(&poison_tid[i], (ItemPointer) &row->tid) &&
			TransactionIdEquals(poison_xmin[i], row->xmin))
			return true;
	return false;
}

/* Apply one row and delete it (the caller's transaction, or a subtransaction) */
static void
apply_row(Relation logrel, Relation target, LogRow *row, MemoryContext rowctx)
{
	if (target && row->base_key)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(rowctx);

		dynpg_index_apply_change(target, row->base_key, row->old_keys);
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(rowctx);
	}
	{
		TM_FailureData tmfd;

		/*
		 * Someone else (dynpg._apply_index_changes, a superuser's DELETE) may
		 * have applied or removed the row meanwhile: heap_delete waits for
		 * them, and a row gone is simply done -- applying twice is harmless.
		 */
		(void) heap_delete(logrel, &row->tid, GetCurrentCommandId(true), InvalidSnapshot,
						   true, &tmfd, false);
	}
}

/*
 * apply_row in a subtransaction; on an error, the row is rolled back,
 * remembered as poisoned and reported, and false returned.
 */
static bool
apply_row_isolated(Relation logrel, Relation target, LogRow *row, MemoryContext rowctx,
				   MemoryContext batchctx)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	volatile bool ok = true;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		apply_row(logrel, target, row, rowctx);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(batchctx);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		MemoryContextReset(rowctx);
		ok = false;
		ereport(WARNING,
				(errmsg("dynpg index worker: the change at (%u,%u) of dynpg.index_changes for relation %u failed and is skipped for now: %s",
						ItemPointerGetBlockNumber(&row->tid), ItemPointerGetOffsetNumber(&row->tid),
						row->tbl, edata->message ? edata->message : "(no message)"),
				 errhint("The row stays in the log and is tried again later; dynpg.index_workers shows the error.")));
		if (npoison < POISON_MAX)
		{
			if (npoison == 0)
				poison_since = GetCurrentTimestamp();
			poison_tid[npoison] = row->tid;
			poison_xmin[npoison] = row->xmin;
			npoison++;
		}
		LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
		snprintf(my_slot->last_error, ERROR_TEXT_LEN, "change (%u,%u) for relation %u: %s",
				 ItemPointerGetBlockNumber(&row->tid), ItemPointerGetOffsetNumber(&row->tid),
				 row->tbl, edata->message ? edata->message : "(no message)");
		my_slot->last_error_time = GetCurrentTimestamp();
		LWLockRelease(dynpg_worker_lock);
		FreeErrorData(edata);
	}
	PG_END_TRY();
	return ok;
}

/*
 * One transaction: read up to WORKER_BATCH_ROWS rows of the change log
 * visible to a fresh snapshot, apply each, delete them, commit.  An error
 * rolls the whole batch back (the caller catches it).
 */
static BatchResult
apply_batch(MemoryContext batchctx, MemoryContext rowctx)
{
	TimestampTz started = GetCurrentTimestamp();
	Oid			logrelid;
	Relation	logrel;
	TupleDesc	desc;
	TableScanDesc scan;
	HeapTuple	tup;
	LogRow	   *rows;
	int			nrows = 0;
	int			i;
	Relation	target = NULL;
	Oid			target_oid = InvalidOid;
	int			skipped = 0;
	bool		poisoned_seen = false;
	bool		isolate = isolate_rows;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());

	my_db_is_template = database_is_template(MyDatabaseId);
	if (!OidIsValid(get_extension_oid("dynpg", true)) ||
		!OidIsValid(logrelid = dynpg_changelog_relid()))
	{
		PopActiveSnapshot();
		CommitTransactionCommand();
		return BATCH_NO_EXTENSION;
	}

	logrel = table_open(logrelid, RowExclusiveLock);
	desc = RelationGetDescr(logrel);
	if (desc->natts != 3 || TupleDescAttr(desc, 0)->atttypid != OIDOID ||
		TupleDescAttr(desc, 1)->atttypid != TupleDescAttr(desc, 2)->atttypid)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("dynpg.index_changes does not have the columns (tbl, base_key, old_keys)")));

	/* poisoned rows are tried again now and then */
	if (npoison > 0 && TimestampDifferenceExceeds(poison_since, GetCurrentTimestamp(), POISON_RETRY_MS))
		npoison = 0;
	rows = MemoryContextAlloc(batchctx, WORKER_BATCH_ROWS * sizeof(LogRow));
	scan = table_beginscan(logrel, GetActiveSnapshot(), 0, NULL);
	while (nrows < WORKER_BATCH_ROWS &&
		   (tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Datum		values[3];
		bool		nulls[3];
		LogRow	   *row = &rows[nrows++];
		MemoryContext oldcxt;

		CHECK_FOR_INTERRUPTS();
		heap_deform_tuple(tup, desc, values, nulls);
		oldcxt = MemoryContextSwitchTo(batchctx);
		row->tid = tup->t_self;
		row->xmin = HeapTupleHeaderGetXmin(tup->t_data);
		row->tbl = nulls[0] ? InvalidOid : DatumGetObjectId(values[0]);
		if (npoison > 0 && is_poisoned(row))
		{
			/* set aside: it takes no place in the batch */
			MemoryContextSwitchTo(oldcxt);
			nrows--;
			poisoned_seen = true;
			continue;
		}
		row->base_key = nulls[1] ? NULL : (DynItem *) PG_DETOAST_DATUM_COPY(values[1]);
		row->old_keys = nulls[2] ? NULL : (DynItem *) PG_DETOAST_DATUM_COPY(values[2]);
		MemoryContextSwitchTo(oldcxt);
	}
	table_endscan(scan);

	if (nrows == 0)
	{
		table_close(logrel, RowExclusiveLock);
		PopActiveSnapshot();
		CommitTransactionCommand();
		isolate_rows = false;
		if (!poisoned_seen)
		{
			LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
			my_slot->caught_up = started;
			LWLockRelease(dynpg_worker_lock);
		}
		return BATCH_EMPTY;
	}

	set_state(DYN_WS_APPLYING);
	pgstat_report_activity(STATE_RUNNING, "applying dynpg index changes");

	/* one open per table */
	qsort(rows, nrows, sizeof(LogRow), logrow_cmp);
	for (i = 0; i < nrows; i++)
	{
		LogRow	   *row = &rows[i];

		CHECK_FOR_INTERRUPTS();
		if (i == 0 || row->tbl != target_oid)
		{
			if (target)
				table_close(target, NoLock);
			target_oid = row->tbl;
			target = open_target(target_oid);
		}
		if (!isolate)
			apply_row(logrel, target, row, rowctx);
		else if (!apply_row_isolated(logrel, target, row, rowctx, batchctx))
			skipped++;
		/* the next change sees this one's writes */
		CommandCounterIncrement();
		UpdateActiveSnapshotCommandId();
	}
	if (target)
		table_close(target, NoLock);
	table_close(logrel, NoLock);
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);

	LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
	my_slot->changes_applied += nrows - skipped;
	my_slot->batches++;
	my_slot->last_apply = GetCurrentTimestamp();
	if (nrows < WORKER_BATCH_ROWS && skipped == 0 && !poisoned_seen)
		my_slot->caught_up = started;	/* everything visible then is applied */
	my_slot->state = DYN_WS_IDLE;
	LWLockRelease(dynpg_worker_lock);
	ConditionVariableBroadcast(&my_slot->cv);

	isolate_rows = false;
	/* a batch whose rows all failed is done until they are tried again */
	if (skipped == nrows)
		return BATCH_PARTIAL;
	return nrows < WORKER_BATCH_ROWS ? BATCH_PARTIAL : BATCH_FULL;
}

/* One bounded backfill step in a transaction of its own; true if it did work. */
static bool
backfill_step(void)
{
	bool		did;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	set_state(DYN_WS_BACKFILLING);
	did = dynpg_index_backfill_step();
	PopActiveSnapshot();
	CommitTransactionCommand();
	set_state(DYN_WS_IDLE);
	if (did)
		ConditionVariableBroadcast(&my_slot->cv);
	return did;
}

/*
 * Every STREAM_TRIM_INTERVAL_MS: delete the stream records older than
 * dynpg.stream_retention, in a transaction of its own (am/dynpg_stream.c).
 */
#define STREAM_TRIM_INTERVAL_MS		(60 * 1000)

static TimestampTz last_trim = 0;

static void
stream_trim_step(void)
{
	TimestampTz now = GetCurrentTimestamp();

	if (last_trim != 0 && !TimestampDifferenceExceeds(last_trim, now, STREAM_TRIM_INTERVAL_MS))
		return;
	last_trim = now;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "trimming DynamoDB stream records");
	if (dynpg_stream_installed())
		(void) dynpg_stream_trim(psprintf("%d minutes", dynpg_stream_retention));
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * Every STREAM_ROLL_INTERVAL_MS: close the shard generations that are
 * dynpg.stream_shard_rollover old or have a shard of
 * dynpg.stream_shard_max_records records, and open their children, in a
 * transaction of its own (am/dynpg_stream.c; src/am/README, "Shards").
 */
#define STREAM_ROLL_INTERVAL_MS		(60 * 1000)

static TimestampTz last_roll = 0;

static void
stream_roll_step(void)
{
	TimestampTz now = GetCurrentTimestamp();

	if (RecoveryInProgress() ||
		(last_roll != 0 && !TimestampDifferenceExceeds(last_roll, now, STREAM_ROLL_INTERVAL_MS)))
		return;
	last_roll = now;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "rolling DynamoDB stream shards over");
	if (dynpg_stream_installed())
		(void) dynpg_stream_roll_due();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * At most every STREAM_PUBLISH_INTERVAL_MS (and at least every naptime):
 * the stream horizon for standbys, in a transaction of its own.
 */
#define STREAM_PUBLISH_INTERVAL_MS	1000

static TimestampTz last_publish = 0;

static void
stream_publish_step(void)
{
	TimestampTz now = GetCurrentTimestamp();

	if (RecoveryInProgress() ||
		(last_publish != 0 && !TimestampDifferenceExceeds(last_publish, now, STREAM_PUBLISH_INTERVAL_MS)))
		return;
	last_publish = now;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (dynpg_stream_installed())
		dynpg_stream_publish_horizon();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * Every dynpg.ttl_sweep_interval: delete the expired items of each table
 * with time to live (am/dynpg_ttl.c), a batch per transaction, at most
 * dynpg.ttl_sweep_rate items a second; interruptible between batches, and
 * holding no lock but the writers' own (RowExclusiveLock, the key locks).
 */
#define TTL_BATCH	1000

static TimestampTz last_ttl_sweep = 0;

static List *
ttl_tables(void)
{
	List	   *oids = NIL;
	uint64		i;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
	if (SPI_execute("SELECT relation::oid FROM dynpg.tables "
					"WHERE (definition -> 'TimeToLive' ->> 'Enabled')::boolean", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "dynpg: listing tables with time to live failed");
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			oids = lappend_oid(oids, DatumGetObjectId(d));
	}
	SPI_finish();
	return oids;
}

static bool ttl_unfinished = false;

/*
 * One step: at most a second's worth of deletions (dynpg.ttl_sweep_rate),
 * so that GSI changes are not held up; true when expired items remain, and
 * the worker comes back at once rather than after its naptime.
 */
static bool
ttl_sweep_step(void)
{
	TimestampTz now = GetCurrentTimestamp();
	List	   *oids;
	ListCell   *lc;
	MemoryContext cxt = CurrentMemoryContext;
	int64		budget = dynpg_ttl_sweep_rate;

	/* the first sweep one interval after the worker starts */
	if (last_ttl_sweep == 0)
		last_ttl_sweep = now;
	if (!ttl_unfinished &&
		!TimestampDifferenceExceeds(last_ttl_sweep, now, dynpg_ttl_sweep_interval * 1000))
		return false;
	if (!ttl_unfinished)
		last_ttl_sweep = now;
	ttl_unfinished = false;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	oids = ttl_tables();
	PopActiveSnapshot();
	MemoryContextSwitchTo(cxt);
	oids = list_copy(oids);
	CommitTransactionCommand();
	MemoryContextSwitchTo(cxt);

	foreach(lc, oids)
	{
		Oid			relid = lfirst_oid(lc);
		int64		deleted;

		do
		{
			int			batch = Min(TTL_BATCH, dynpg_ttl_sweep_rate);
			Relation	rel;

			if (budget <= 0)
			{
				ttl_unfinished = true;
				return true;
			}

			CHECK_FOR_INTERRUPTS();
			SetCurrentStatementStartTimestamp();
			StartTransactionCommand();
			PushActiveSnapshot(GetTransactionSnapshot());
			pgstat_report_activity(STATE_RUNNING, "deleting expired items (time to live)");
			rel = try_table_open(relid, RowExclusiveLock);
			deleted = 0;
			if (rel != NULL)
			{
				if (dynpg_is_dynpg_relation(rel))
					deleted = dynpg_ttl_sweep(rel, dynpg_ttl_now(), batch);
				table_close(rel, NoLock);
			}
			PopActiveSnapshot();
			CommitTransactionCommand();
			MemoryContextSwitchTo(cxt);
			pgstat_report_activity(STATE_IDLE, NULL);
			budget -= deleted;
			/* the rate: a full batch takes at least batch/rate seconds */
			if (deleted >= batch)
				dynpg_worker_sleep_ms(Max(1, (long) batch * 1000 / dynpg_ttl_sweep_rate));
		} while (deleted >= Min(TTL_BATCH, dynpg_ttl_sweep_rate));
	}
	return false;
}

/* After a failed batch: report, roll back, remember the error. */
static void
worker_error(MemoryContext batchctx, MemoryContext rowctx)
{
	ErrorData  *edata;

	HOLD_INTERRUPTS();
	MemoryContextSwitchTo(batchctx);
	edata = CopyErrorData();
	EmitErrorReport();
	FlushErrorState();
	AbortOutOfAnyTransaction();
	pgstat_report_activity(STATE_IDLE, NULL);

	LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
	strlcpy(my_slot->last_error, edata->message ? edata->message : "(no message)",
			ERROR_TEXT_LEN);
	my_slot->last_error_time = GetCurrentTimestamp();
	my_slot->state = DYN_WS_IDLE;
	LWLockRelease(dynpg_worker_lock);

	MemoryContextSwitchTo(TopMemoryContext);
	MemoryContextReset(batchctx);
	MemoryContextReset(rowctx);
	RESUME_INTERRUPTS();
}

void
dynpg_index_worker_main(Datum main_arg)
{
	int			slotno = DatumGetInt32(main_arg);
	Oid			dboid;
	uint32		generation;
	MemoryContext batchctx;
	MemoryContext rowctx;
	long		backoff_ms = 0;

	memcpy(&dboid, MyBgworkerEntry->bgw_extra, sizeof(Oid));
	memcpy(&generation, MyBgworkerEntry->bgw_extra + sizeof(Oid), sizeof(uint32));

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	if (slotno < 0 || slotno >= dynpg_worker_shared->nslots)
		proc_exit(0);
	my_slot = &dynpg_worker_shared->slots[slotno];

	/* attach: a stale registration, or a suppressed database, exits at once */
	LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
	if (my_slot->dboid != dboid || my_slot->generation != generation ||
		my_slot->pid != 0 || dynpg_worker_is_suppressed(dboid))
	{
		if (my_slot->dboid == dboid && my_slot->generation == generation && my_slot->pid == 0)
			my_slot->state = DYN_WS_STOPPED;
		LWLockRelease(dynpg_worker_lock);
		proc_exit(0);
	}
	my_slot->pid = MyProcPid;
	my_slot->latch = MyLatch;
	my_slot->state = DYN_WS_STARTING;
	LWLockRelease(dynpg_worker_lock);
	before_shmem_exit(worker_detach, 0);

	/* blocks while DROP/CREATE DATABASE holds the database's lock */
	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
	/* it runs SQL as a superuser: no search_path the database's owner set */
	dynpg_search_path_set_for_process();

	batchctx = AllocSetContextCreate(TopMemoryContext, "dynpg index worker batch",
									 ALLOCSET_DEFAULT_SIZES);
	/* not a child of batchctx: resetting a context deletes its children */
	rowctx = AllocSetContextCreate(TopMemoryContext, "dynpg index worker change",
								   ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		volatile BatchResult result = BATCH_EMPTY;
		volatile bool failed = false;
		volatile bool backfilled = false;
		volatile bool ttl_more = false;
		volatile bool export_more = false;
		volatile bool import_more = false;

		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
		if (dynpg_worker_is_suppressed(dboid))
		{
			my_slot->state = DYN_WS_STOPPING;
			LWLockRelease(dynpg_worker_lock);
			proc_exit(0);
		}
		my_slot->requested = false;
		LWLockRelease(dynpg_worker_lock);

		if (dynpg_index_worker_pause)
		{
			set_state(DYN_WS_PAUSED);
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 WORKER_NAPTIME_MS, PG_WAIT_EXTENSION);
			continue;
		}

		PG_TRY();
		{
			result = apply_batch(batchctx, rowctx);
			if (result != BATCH_NO_EXTENSION)
				backfilled = backfill_step();
			if (result != BATCH_NO_EXTENSION)
			{
				stream_trim_step();
				stream_roll_step();
				stream_publish_step();
				ttl_more = ttl_sweep_step();
				export_more = dynpg_export_step();
				import_more = dynpg_import_step();
			}
		}
		PG_CATCH();
		{
			worker_error(batchctx, rowctx);
			failed = true;
		}
		PG_END_TRY();
		MemoryContextReset(batchctx);

		if (failed && !isolate_rows && result == BATCH_EMPTY)
		{
			/*
			 * The whole batch was rolled back: run the next one row by row,
			 * so that a row that fails on its own is set aside (and the others
			 * applied) rather than stopping everything.
			 */
			isolate_rows = true;
			continue;
		}
		if (failed)
		{
			/* back off, whatever wakes the latch: no tight loop on a bad row */
			TimestampTz until;

			backoff_ms = backoff_ms == 0 ? WORKER_ERROR_BACKOFF_MS :
				Min(backoff_ms * 2, WORKER_ERROR_BACKOFF_MAX_MS);
			until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), backoff_ms);
			for (;;)
			{
				long		secs;
				int			usecs;

				TimestampDifference(GetCurrentTimestamp(), until, &secs, &usecs);
				if (secs == 0 && usecs == 0)
					break;
				dynpg_worker_sleep_ms(secs * 1000 + usecs / 1000 + 1);
			}
			continue;
		}
		backoff_ms = 0;

		/*
		 * No dynpg here: exit.  In a template database, also once idle, so
		 * that CREATE DATABASE rarely has a worker to stop; a commit that
		 * logs changes there starts it again.
		 */
		if (result == BATCH_NO_EXTENSION ||
			(my_db_is_template && result != BATCH_FULL && !backfilled))
		{
			/* exit, unless a request came after this iteration began */
			LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
			if (my_slot->requested)
			{
				LWLockRelease(dynpg_worker_lock);
				continue;
			}
			my_slot->want = false;
			my_slot->state = DYN_WS_STOPPING;
			LWLockRelease(dynpg_worker_lock);
			proc_exit(0);
		}

		LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
		my_slot->healthy = true;
		LWLockRelease(dynpg_worker_lock);

		/*
		 * The index entries, stream records and TTL deletions this worker
		 * wrote go to the shared statistics autovacuum reads (a background
		 * worker's are sent only when it asks; at most once a second: each
		 * round commits, so the time pgstat_report_stat takes is now).
		 */
		(void) pgstat_report_stat(false);

		if (result == BATCH_FULL || backfilled || ttl_more || export_more || import_more)
			continue;			/* more work: no sleep */

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 WORKER_NAPTIME_MS, PG_WAIT_EXTENSION);
	}
}
