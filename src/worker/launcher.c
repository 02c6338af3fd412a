/*-------------------------------------------------------------------------
 *
 * launcher.c
 *	  The launcher: the one static background worker of dynpg, which starts
 *	  and restarts the dynamic background workers -- the GSI worker of each
 *	  database that has dynpg (index_worker.c) and the HTTP workers
 *	  (src/http, http_main.c).
 *
 * Registered by dynpg_worker_init when dynpg is preloaded (not in binary
 * upgrade), started once the server is consistent (on a standby too: its
 * HTTP workers answer; GSI workers start only when recovery is over),
 * restarted 5 s after it dies.  It
 * connects to no database.  Its loop: reset the latch, reload the
 * configuration if asked, run one pass per kind of worker it starts (each
 * starts what is due and says how long the launcher may sleep), then wait
 * on its latch for the shortest of those.  Setting the launcher's latch
 * (dynpg_worker_wake_launcher) makes it pass again at once.
 *
 * Rules (src/worker/README, "Processes" and "Shared memory"): only the
 * launcher registers dynamic workers and frees slots; it frees a slot only
 * when no worker is attached or registered for it; a worker is registered
 * with the slot's generation, bumped at every start (and when a launcher
 * starts), so a stale registration exits; a worker that stops is started
 * again after RESTART_DELAY_MS, doubled per consecutive failure; when the
 * launcher exits it terminates its workers.
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
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "http/dynpg_http.h"
#include "worker/dynpg_worker_internal.h"

/* ---------------------------------------------------------------------
 * Registering the launcher
 * ---------------------------------------------------------------------
 */
void
dynpg_worker_launcher_register(void)
{
	BackgroundWorker bgw;

	memset(&bgw, 0, sizeof(bgw));
	bgw.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	/* in recovery too: a standby's HTTP workers answer (reads, and errors for writes) */
	bgw.bgw_start_time = BgWorkerStart_ConsistentState;
	bgw.bgw_restart_time = 5;
	snprintf(bgw.bgw_library_name, BGW_MAXLEN, "dynpg");
	snprintf(bgw.bgw_function_name, BGW_MAXLEN, "dynpg_launcher_main");
	snprintf(bgw.bgw_name, BGW_MAXLEN, "dynpg launcher");
	snprintf(bgw.bgw_type, BGW_MAXLEN, "dynpg launcher");
	RegisterBackgroundWorker(&bgw);
}

/* ---------------------------------------------------------------------
 * Index workers: one per database that has dynpg
 * ---------------------------------------------------------------------
 */
typedef struct DbInfo
{
	Oid			oid;
	bool		connectable;
} DbInfo;

/* launcher-local, per slot */
static BackgroundWorkerHandle **handles;
static TimestampTz *restart_at;
static int *failures;

/* launcher-local: the databases seen so far, and those still to probe */
static Oid *seen = NULL;
static int	nseen = 0;
static Oid *probe;
static int	nprobe = 0;

/* The databases of pg_database (a fresh catalog snapshot), in ctx. */
static DbInfo *
read_databases(MemoryContext ctx, int *ndbs)
{
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;
	DbInfo	   *dbs;
	int			n = 0,
				cap = 16;

	dbs = MemoryContextAlloc(ctx, cap * sizeof(DbInfo));
	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);

		if (n == cap)
		{
			cap *= 2;
			dbs = repalloc(dbs, cap * sizeof(DbInfo));
		}
		dbs[n].oid = db->oid;
		dbs[n].connectable = db->datallowconn;
#ifdef DATCONNLIMIT_INVALID_DB
		if (db->datconnlimit == DATCONNLIMIT_INVALID_DB)
			dbs[n].connectable = false;
#endif
		n++;
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
	*ndbs = n;
	return dbs;
}

static const DbInfo *
find_db(const DbInfo *dbs, int ndbs, Oid oid)
{
	int			i;

	for (i = 0; i < ndbs; i++)
		if (dbs[i].oid == oid)
			return &dbs[i];
	return NULL;
}

/* Register the worker of slot i; false if no background worker slot is free. */
static bool
start_worker(int i, Oid dboid, uint32 generation)
{
	BackgroundWorker bgw;

	memset(&bgw, 0, sizeof(bgw));
	bgw.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	/* the launcher starts index workers only once recovery is over (its index pass) */
	bgw.bgw_start_time = BgWorkerStart_ConsistentState;
	bgw.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(bgw.bgw_library_name, BGW_MAXLEN, "dynpg");
	snprintf(bgw.bgw_function_name, BGW_MAXLEN, "dynpg_index_worker_main");
	snprintf(bgw.bgw_name, BGW_MAXLEN, "dynpg index worker for database %u", dboid);
	snprintf(bgw.bgw_type, BGW_MAXLEN, "dynpg index worker");
	bgw.bgw_main_arg = Int32GetDatum(i);
	memcpy(bgw.bgw_extra, &dboid, sizeof(Oid));
	memcpy(bgw.bgw_extra + sizeof(Oid), &generation, sizeof(uint32));
	bgw.bgw_notify_pid = MyProcPid;
	return RegisterDynamicBackgroundWorker(&bgw, &handles[i]);
}

/* Drop suppressions whose backend is gone (it exited without cleaning up). */
static void
clear_stale_suppressions(void)
{
	int			i;

	LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
	for (i = 0; i < MAX_SUPPRESSIONS; i++)
		if (dynpg_worker_shared->suppressed[i].dboid != InvalidOid &&
			BackendPidGetProc(dynpg_worker_shared->suppressed[i].pid) == NULL)
		{
			dynpg_worker_shared->suppressed[i].dboid = InvalidOid;
			dynpg_worker_shared->suppressed[i].pid = 0;
		}
	LWLockRelease(dynpg_worker_lock);
}

static void
free_slot(DynWorkerSlot *slot)
{
	slot->dboid = InvalidOid;
	slot->want = false;
	slot->requested = false;
	slot->state = DYN_WS_STOPPED;
}

/*
 * One pass over the slots: notice stopped workers, free the slots nobody
 * wants or whose database is gone, start the workers that are due.
 * Returns the milliseconds until the next restart that is due (or naptime).
 */
static long
launcher_reconcile(const DbInfo *dbs, int ndbs, MemoryContext ctx)
{
	long		wait_ms = LAUNCHER_NAPTIME_MS;
	int			i;

	for (i = 0; i < dynpg_worker_shared->nslots; i++)
	{
		DynWorkerSlot *slot = &dynpg_worker_shared->slots[i];
		TimestampTz now = GetCurrentTimestamp();
		Oid			dboid;
		uint32		generation;
		const DbInfo *db;

		if (handles[i])
		{
			pid_t		pid;
			BgwHandleStatus status = GetBackgroundWorkerPid(handles[i], &pid);
			bool		healthy;
			int			shift;

			if (status == BGWH_POSTMASTER_DIED)
				proc_exit(1);
			if (status != BGWH_STOPPED)
				continue;
			pfree(handles[i]);
			handles[i] = NULL;
			LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
			healthy = slot->healthy;
			slot->healthy = false;
			if (slot->pid == 0)
				slot->state = DYN_WS_STOPPED;
			LWLockRelease(dynpg_worker_lock);
			failures[i] = healthy ? 0 : failures[i] + 1;
			shift = Min(failures[i], 6);
			restart_at[i] = TimestampTzPlusMilliseconds(now,
														Min((long) RESTART_DELAY_MS << shift,
															RESTART_DELAY_MAX_MS));
		}

		LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
		dboid = slot->dboid;
		/* free, or an orphan of an earlier launcher still exiting */
		if (!OidIsValid(dboid) || slot->pid != 0)
		{
			LWLockRelease(dynpg_worker_lock);
			continue;
		}
		db = find_db(dbs, ndbs, dboid);
		if (db == NULL && slot->want)
		{
			int			nfresh;
			DbInfo	   *fresh;

			/* requested by a database created after our list: look again */
			LWLockRelease(dynpg_worker_lock);
			fresh = read_databases(ctx, &nfresh);
			LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
			if (slot->dboid != dboid || slot->pid != 0)
			{
				LWLockRelease(dynpg_worker_lock);
				continue;
			}
			db = find_db(fresh, nfresh, dboid);
		}
		if (!slot->want || db == NULL || !db->connectable)
		{
			free_slot(slot);
			LWLockRelease(dynpg_worker_lock);
			failures[i] = 0;
			restart_at[i] = 0;
			continue;
		}
		if (dynpg_worker_is_suppressed(dboid))
		{
			LWLockRelease(dynpg_worker_lock);
			continue;
		}
		if (now < restart_at[i])
		{
			long		secs;
			int			usecs;

			LWLockRelease(dynpg_worker_lock);
			TimestampDifference(now, restart_at[i], &secs, &usecs);
			wait_ms = Min(wait_ms, secs * 1000 + usecs / 1000 + 1);
			continue;
		}
		slot->generation++;
		generation = slot->generation;
		slot->state = DYN_WS_STARTING;
		slot->healthy = false;
		LWLockRelease(dynpg_worker_lock);

		if (!start_worker(i, dboid, generation))
		{
			handles[i] = NULL;
			LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
			if (slot->generation == generation && slot->pid == 0)
				slot->state = DYN_WS_STOPPED;
			LWLockRelease(dynpg_worker_lock);
			ereport(WARNING,
					(errmsg("could not start a dynpg index worker for database %u: "
							"no free background worker slot", dboid),
					 errhint("Raise max_worker_processes.")));
			restart_at[i] = TimestampTzPlusMilliseconds(now, REGISTER_RETRY_MS);
			wait_ms = Min(wait_ms, REGISTER_RETRY_MS);
		}
	}
	return wait_ms;
}

/*
 * The launcher's pass for the index workers: read pg_database, probe the
 * databases not seen before, report a database that found no free slot,
 * and reconcile the slots.  Returns how long the launcher may sleep.
 */
static long
index_workers_pass(MemoryContext ctx)
{
	DbInfo	   *dbs;
	int			ndbs;
	long		wait_ms;
	Oid			overflow;
	MemoryContext oldcxt;
	int			i;

	dbs = read_databases(ctx, &ndbs);
	clear_stale_suppressions();

	/*
	 * Probe the databases not seen before (all of them at start, then
	 * the new ones): a worker that finds no dynpg in its database exits.
	 */
	oldcxt = MemoryContextSwitchTo(TopMemoryContext);
	probe = repalloc(probe, (nprobe + ndbs + 1) * sizeof(Oid));
	for (i = 0; i < ndbs; i++)
	{
		int			j;
		bool		known = false;

		for (j = 0; j < nseen && !known; j++)
			known = (seen[j] == dbs[i].oid);
		if (!known && dbs[i].connectable)
			probe[nprobe++] = dbs[i].oid;
	}
	if (seen)
		pfree(seen);
	seen = palloc((ndbs + 1) * sizeof(Oid));
	for (i = 0; i < ndbs; i++)
		seen[i] = dbs[i].oid;
	nseen = ndbs;
	MemoryContextSwitchTo(oldcxt);

	LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
	for (i = 0; i < nprobe;)
	{
		if (find_db(dbs, ndbs, probe[i]) == NULL ||
			dynpg_worker_find_slot(probe[i]) != NULL ||
			dynpg_worker_alloc_slot(probe[i]) != NULL)
			probe[i] = probe[--nprobe]; /* gone, has a slot, or got one */
		else
			i++;			/* no free slot: later */
	}
	overflow = dynpg_worker_shared->overflow_db;
	dynpg_worker_shared->overflow_db = InvalidOid;
	LWLockRelease(dynpg_worker_lock);
	if (OidIsValid(overflow))
		ereport(WARNING,
				(errmsg("no dynpg index worker slot is free for database %u", overflow),
				 errhint("Raise dynpg.max_index_workers (%d).", dynpg_max_index_workers)));

	wait_ms = launcher_reconcile(dbs, ndbs, ctx);
	/* slots freed this pass can take waiting probes at once */
	if (nprobe > 0)
		wait_ms = Min(wait_ms, 1000);
	return wait_ms;
}

/* ---------------------------------------------------------------------
 * The launcher's process
 * ---------------------------------------------------------------------
 */
static void
launcher_exit(int code, Datum arg)
{
	int			i;

	/* the workers go with the launcher; the next launcher starts them again */
	dynpg_http_launcher_exit();
	if (handles)
		for (i = 0; i < dynpg_worker_shared->nslots; i++)
			if (handles[i])
				TerminateBackgroundWorker(handles[i]);
	LWLockReleaseAll();
	LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
	if (dynpg_worker_shared->launcher_pid == MyProcPid)
	{
		dynpg_worker_shared->launcher_pid = 0;
		dynpg_worker_shared->launcher_latch = NULL;
	}
	LWLockRelease(dynpg_worker_lock);
}

void
dynpg_launcher_main(Datum main_arg)
{
	MemoryContext ctx;
	int			i;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	/* no database: pg_database is a shared catalog */
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);

	handles = MemoryContextAllocZero(TopMemoryContext, dynpg_worker_shared->nslots *
									 sizeof(BackgroundWorkerHandle *));
	restart_at = MemoryContextAllocZero(TopMemoryContext,
										dynpg_worker_shared->nslots * sizeof(TimestampTz));
	failures = MemoryContextAllocZero(TopMemoryContext,
									  dynpg_worker_shared->nslots * sizeof(int));
	ctx = AllocSetContextCreate(TopMemoryContext, "dynpg launcher", ALLOCSET_DEFAULT_SIZES);

	LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
	dynpg_worker_shared->launcher_pid = MyProcPid;
	dynpg_worker_shared->launcher_latch = MyLatch;
	for (i = 0; i < dynpg_worker_shared->nslots; i++)
	{
		/* workers an earlier launcher registered but that have not attached yet exit */
		dynpg_worker_shared->slots[i].generation++;
		if (dynpg_worker_shared->slots[i].pid == 0)
			dynpg_worker_shared->slots[i].state = DYN_WS_STOPPED;
	}
	LWLockRelease(dynpg_worker_lock);
	before_shmem_exit(launcher_exit, 0);

	probe = MemoryContextAlloc(TopMemoryContext, sizeof(Oid));

	for (;;)
	{
		long		wait_ms;

		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		MemoryContextReset(ctx);
		/* GSI workers write: none on a standby, until it is promoted */
		wait_ms = RecoveryInProgress() ? 1000 : index_workers_pass(ctx);
		MemoryContextReset(ctx);
		wait_ms = Min(wait_ms, dynpg_http_launcher_pass(ctx));

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 wait_ms, PG_WAIT_EXTENSION);
	}
}
