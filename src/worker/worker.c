/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The GSI background workers (src/worker/README): a launcher that
 *	  starts one worker per database having dynpg, the workers that apply
 *	  dynpg.index_changes, the shared memory they report through, the
 *	  transaction callback that wakes them, the stopping of a worker before
 *	  DROP/CREATE/ALTER DATABASE, and the SQL functions
 *	  dynpg.wait_for_indexes, index_backlog, index_lag and _index_workers.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>
#include <signal.h>
#include <unistd.h>

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_database.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/bufmgr.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "am/dynpg_am.h"
#include "catalog/dynpg_catalog.h"
#include "am/dynpg_changelog.h"
#include "indexer/dynpg_indexer.h"
#include "worker/dynpg_worker.h"

/* ---------------------------------------------------------------------
 * Tunables (README, "Timing")
 * ---------------------------------------------------------------------
 */
#define WORKER_BATCH_ROWS		1000	/* log rows per transaction */
#define WORKER_NAPTIME_MS		10000	/* idle wait: a safety net, wakeups come by latch */
#define WORKER_ERROR_BACKOFF_MS 1000	/* after a failed batch; doubles up to the max */
#define WORKER_ERROR_BACKOFF_MAX_MS 30000
#define LAUNCHER_NAPTIME_MS		10000	/* launcher's safety-net wait */
#define RESTART_DELAY_MS		1000	/* before restarting a stopped worker; doubles */
#define RESTART_DELAY_MAX_MS	60000	/* ... per consecutive failure, up to this */
#define REGISTER_RETRY_MS		5000	/* no free bgworker slot: retry after */
#define SUPPRESS_WAIT_MS		10000	/* longest wait for a worker to exit */
#define MAX_SUPPRESSIONS		64		/* concurrent DROP/CREATE DATABASE statements */
#define ERROR_TEXT_LEN			256

#define LWLOCK_TRANCHE			"dynpg_index_workers"

/* ---------------------------------------------------------------------
 * Shared memory
 * ---------------------------------------------------------------------
 */
typedef enum DynWorkerState
{
	DYN_WS_STOPPED = 0,			/* no worker process */
	DYN_WS_STARTING,			/* registered, attaching or connecting */
	DYN_WS_IDLE,
	DYN_WS_APPLYING,
	DYN_WS_BACKFILLING,
	DYN_WS_PAUSED,				/* dynpg.index_worker_pause */
	DYN_WS_STOPPING
} DynWorkerState;

static const char *const state_names[] = {
	"stopped", "starting", "idle", "applying", "backfilling", "paused", "stopping"
};

/*
 * One database's slot.  dboid == InvalidOid marks a free slot.  Everything
 * is protected by the tranche's one LWLock, except that a requester sets
 * 'requested' (only to true) under a shared lock.
 */
typedef struct DynWorkerSlot
{
	Oid			dboid;
	uint32		generation;		/* bumped at every start: stale workers exit */
	bool		want;			/* a worker should run for this database */
	bool		requested;		/* asked for since the worker last looked */
	bool		healthy;		/* the current worker finished an iteration */
	DynWorkerState state;
	pid_t		pid;			/* the worker's, 0 if none */
	Latch	   *latch;			/* its latch, NULL if none */
	TimestampTz since;			/* slot allocated for dboid */
	uint64		changes_applied;
	uint64		batches;
	TimestampTz last_apply;		/* last batch committed */
	TimestampTz caught_up;		/* last time the worker found no visible row left */
	TimestampTz last_error_time;
	char		last_error[ERROR_TEXT_LEN];
	ConditionVariable cv;		/* broadcast after each batch and at exit */
} DynWorkerSlot;

typedef struct DynSuppression
{
	Oid			dboid;			/* InvalidOid: free entry */
	pid_t		pid;			/* the backend running the statement */
} DynSuppression;

typedef struct DynWorkerShared
{
	pid_t		launcher_pid;
	Latch	   *launcher_latch;
	Oid			overflow_db;	/* a database that found no free slot */
	DynSuppression suppressed[MAX_SUPPRESSIONS];
	int			nslots;
	DynWorkerSlot slots[FLEXIBLE_ARRAY_MEMBER];
} DynWorkerShared;

static DynWorkerShared *shared = NULL;
static LWLock *worker_lock = NULL;

int			dynpg_max_index_workers = 8;
bool		dynpg_index_worker_pause = false;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* what this backend's transaction asks for at commit */
static bool request_at_commit = false;	/* dynpg._request_worker() */
static bool wake_at_commit = false; /* DROP EXTENSION */
static bool wake_launcher_at_commit = false;	/* CREATE DATABASE */

static bool suppress_exit_registered = false;

static Size
worker_shmem_size(void)
{
	return add_size(offsetof(DynWorkerShared, slots),
					mul_size(dynpg_max_index_workers, sizeof(DynWorkerSlot)));
}

static void
worker_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(worker_shmem_size());
	RequestNamedLWLockTranche(LWLOCK_TRANCHE, 1);
}

static void
worker_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct("dynpg index workers", worker_shmem_size(), &found);
	if (!found)
	{
		int			i;

		memset(shared, 0, worker_shmem_size());
		shared->nslots = dynpg_max_index_workers;
		for (i = 0; i < shared->nslots; i++)
			ConditionVariableInit(&shared->slots[i].cv);
	}
	worker_lock = &(GetNamedLWLockTranche(LWLOCK_TRANCHE))->lock;
	LWLockRelease(AddinShmemInitLock);
}

/* The slot of database dboid, or NULL.  Caller holds worker_lock. */
static DynWorkerSlot *
find_slot(Oid dboid)
{
	int			i;

	for (i = 0; i < shared->nslots; i++)
		if (shared->slots[i].dboid == dboid)
			return &shared->slots[i];
	return NULL;
}

/* Take a free slot for dboid, or NULL.  Caller holds worker_lock exclusively. */
static DynWorkerSlot *
alloc_slot(Oid dboid)
{
	int			i;

	for (i = 0; i < shared->nslots; i++)
	{
		DynWorkerSlot *slot = &shared->slots[i];

		/* a slot whose worker has not detached yet is not free */
		if (slot->dboid == InvalidOid && slot->pid == 0)
		{
			slot->dboid = dboid;
			slot->want = true;
			slot->requested = false;
			slot->healthy = false;
			slot->state = DYN_WS_STOPPED;
			slot->latch = NULL;
			slot->since = GetCurrentTimestamp();
			slot->changes_applied = 0;
			slot->batches = 0;
			slot->last_apply = 0;
			slot->caught_up = 0;
			slot->last_error_time = 0;
			slot->last_error[0] = '\0';
			return slot;
		}
	}
	return NULL;
}

static void
free_slot(DynWorkerSlot *slot)
{
	slot->dboid = InvalidOid;
	slot->want = false;
	slot->requested = false;
	slot->state = DYN_WS_STOPPED;
}

/* Whether a DROP/CREATE/ALTER DATABASE keeps dboid's worker away.  Caller holds the lock. */
static bool
is_suppressed(Oid dboid)
{
	int			i;

	for (i = 0; i < MAX_SUPPRESSIONS; i++)
		if (shared->suppressed[i].dboid == dboid)
			return true;
	return false;
}

static void
wake_launcher(void)
{
	Latch	   *latch;

	if (shared == NULL)
		return;
	LWLockAcquire(worker_lock, LW_SHARED);
	latch = shared->launcher_latch;
	LWLockRelease(worker_lock);
	if (latch)
		SetLatch(latch);
}

/*
 * Ask for a worker in database dboid: wake it if it runs, else have the
 * launcher start one.  Never raises an error (called at commit).
 */
static void
request_worker(Oid dboid)
{
	DynWorkerSlot *slot;
	Latch	   *latch = NULL;
	Latch	   *launcher = NULL;

	if (shared == NULL || !OidIsValid(dboid))
		return;

	/* the common case: a worker runs; a shared lock does */
	LWLockAcquire(worker_lock, LW_SHARED);
	slot = find_slot(dboid);
	if (slot && slot->want && slot->latch != NULL)
	{
		slot->requested = true;
		latch = slot->latch;
	}
	LWLockRelease(worker_lock);
	if (latch)
	{
		SetLatch(latch);
		return;
	}

	LWLockAcquire(worker_lock, LW_EXCLUSIVE);
	slot = find_slot(dboid);
	if (slot == NULL)
		slot = alloc_slot(dboid);
	if (slot)
	{
		slot->want = true;
		slot->requested = true;
		latch = slot->latch;
	}
	else
		shared->overflow_db = dboid;
	launcher = shared->launcher_latch;
	LWLockRelease(worker_lock);
	if (latch)
		SetLatch(latch);
	if (launcher)
		SetLatch(launcher);
}

/* Wake dboid's worker, if one runs, without asking for one. */
static void
wake_worker(Oid dboid)
{
	DynWorkerSlot *slot;
	Latch	   *latch = NULL;

	if (shared == NULL)
		return;
	LWLockAcquire(worker_lock, LW_SHARED);
	slot = find_slot(dboid);
	if (slot)
		latch = slot->latch;
	LWLockRelease(worker_lock);
	if (latch)
		SetLatch(latch);
}

/* ---------------------------------------------------------------------
 * The transaction callback: committing writers wake the worker
 * ---------------------------------------------------------------------
 */
static void
worker_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
			/* the commit is visible to new snapshots by now (ProcArrayEndTransaction) */
			if (dynpg_changelog_wake_at_commit || request_at_commit)
				request_worker(MyDatabaseId);
			if (wake_at_commit)
				wake_worker(MyDatabaseId);
			if (wake_launcher_at_commit)
				wake_launcher();
			/* FALLTHROUGH */
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			dynpg_changelog_wake_at_commit = false;
			request_at_commit = false;
			wake_at_commit = false;
			wake_launcher_at_commit = false;
			break;
		default:
			break;
	}
}

/* ---------------------------------------------------------------------
 * Keeping workers away from DROP / CREATE / ALTER DATABASE
 * ---------------------------------------------------------------------
 */

/* Drop every suppression this backend holds (at exit: a FATAL skips PG_FINALLY). */
static void
release_my_suppressions(int code, Datum arg)
{
	int			i;
	bool		any = false;

	if (shared == NULL)
		return;
	LWLockReleaseAll();
	LWLockAcquire(worker_lock, LW_EXCLUSIVE);
	for (i = 0; i < MAX_SUPPRESSIONS; i++)
		if (shared->suppressed[i].dboid != InvalidOid && shared->suppressed[i].pid == MyProcPid)
		{
			shared->suppressed[i].dboid = InvalidOid;
			shared->suppressed[i].pid = 0;
			any = true;
		}
	LWLockRelease(worker_lock);
	if (any)
		wake_launcher();
}

static void
sleep_ms(long ms)
{
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms,
					 PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

/*
 * Keep dboid's worker from starting and stop the one that runs: returns
 * once no worker is connected to dboid (or after SUPPRESS_WAIT_MS).  False
 * if no suppression entry was free in that time.
 */
static bool
suppress_database(Oid dboid)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), SUPPRESS_WAIT_MS);
	TimestampTz last_kill = 0;
	pid_t		lastpid = 0;
	bool		added = false;

	if (!suppress_exit_registered)
	{
		before_shmem_exit(release_my_suppressions, 0);
		suppress_exit_registered = true;
	}

	for (;;)
	{
		pid_t		pid = 0;
		int			i;

		LWLockAcquire(worker_lock, LW_EXCLUSIVE);
		if (!added)
		{
			for (i = 0; i < MAX_SUPPRESSIONS && !added; i++)
				if (shared->suppressed[i].dboid == InvalidOid)
				{
					shared->suppressed[i].dboid = dboid;
					shared->suppressed[i].pid = MyProcPid;
					added = true;
				}
		}
		if (added)
		{
			DynWorkerSlot *slot = find_slot(dboid);

			if (slot)
				pid = slot->pid;
		}
		LWLockRelease(worker_lock);

		if (added)
		{
			if (pid != 0)
			{
				TimestampTz now = GetCurrentTimestamp();

				/* SIGTERM (die): again every half second, in case it came too early */
				if (pid != lastpid || TimestampDifferenceExceeds(last_kill, now, 500))
				{
					if (BackendPidGetProc(pid) != NULL)
						(void) kill(pid, SIGTERM);
					last_kill = now;
				}
				lastpid = pid;
			}
			/* detached, and out of the proc array (what CountOtherDBBackends sees) */
			else if (lastpid == 0 || BackendPidGetProc(lastpid) == NULL)
				return true;
		}
		if (GetCurrentTimestamp() >= deadline)
		{
			if (added)
				ereport(WARNING,
						(errmsg("dynpg index worker of database %u did not exit in time", dboid)));
			return added;
		}
		sleep_ms(10);
	}
}

/* Drop this backend's suppression of dboid and let the launcher restart its worker. */
void
dynpg_worker_utility_end(Oid dboid)
{
	int			i;

	if (shared == NULL || !OidIsValid(dboid))
		return;
	LWLockAcquire(worker_lock, LW_EXCLUSIVE);
	for (i = 0; i < MAX_SUPPRESSIONS; i++)
		if (shared->suppressed[i].dboid == dboid && shared->suppressed[i].pid == MyProcPid)
		{
			shared->suppressed[i].dboid = InvalidOid;
			shared->suppressed[i].pid = 0;
			break;
		}
	LWLockRelease(worker_lock);
	/* the launcher restarts the worker, or forgets a database that is gone */
	wake_launcher();
}

/* Whether the current user may create databases (else CREATE DATABASE fails anyway). */
static bool
may_create_database(void)
{
	HeapTuple	tup;
	bool		result;

	if (superuser())
		return true;
	tup = SearchSysCache1(AUTHOID, ObjectIdGetDatum(GetUserId()));
	if (!HeapTupleIsValid(tup))
		return false;
	result = ((Form_pg_authid) GETSTRUCT(tup))->rolcreatedb;
	ReleaseSysCache(tup);
	return result;
}

/* dbname's OID if the current user owns it (else the statement fails anyway) */
static Oid
owned_database(const char *dbname)
{
	Oid			dboid = dbname ? get_database_oid(dbname, true) : InvalidOid;

	if (OidIsValid(dboid) && pg_database_ownercheck(dboid, GetUserId()))
		return dboid;
	return InvalidOid;
}

Oid
dynpg_worker_utility_begin(Node *parsetree)
{
	Oid			dboid = InvalidOid;
	volatile bool suppressed = false;
	bool		own = false;
	ListCell   *lc;

	if (shared == NULL)
		return InvalidOid;

	switch (nodeTag(parsetree))
	{
		case T_DropdbStmt:
			dboid = owned_database(((DropdbStmt *) parsetree)->dbname);
			break;
		case T_CreatedbStmt:
			{
				CreatedbStmt *stmt = (CreatedbStmt *) parsetree;
				const char *template = "template1";

				foreach(lc, stmt->options)
				{
					DefElem    *opt = lfirst_node(DefElem, lc);

					if (strcmp(opt->defname, "template") == 0 && opt->arg != NULL)
						template = defGetString(opt);
				}
				if (may_create_database())
					dboid = get_database_oid(template, true);
				break;
			}
		case T_RenameStmt:
			if (((RenameStmt *) parsetree)->renameType == OBJECT_DATABASE)
				dboid = owned_database(((RenameStmt *) parsetree)->subname);
			break;
		case T_AlterDatabaseStmt:
			{
				AlterDatabaseStmt *stmt = (AlterDatabaseStmt *) parsetree;

				foreach(lc, stmt->options)
					if (strcmp(lfirst_node(DefElem, lc)->defname, "tablespace") == 0)
						dboid = owned_database(stmt->dbname);
				break;
			}
		case T_DropStmt:
			{
				DropStmt   *stmt = (DropStmt *) parsetree;

				/*
				 * DROP EXTENSION dynpg: the worker's batches lock the change
				 * log and tables the drop removes, in another order: it
				 * leaves first (and comes back if the drop fails).
				 */
				if (stmt->removeType == OBJECT_EXTENSION)
					foreach(lc, stmt->objects)
						if (strcmp(strVal(lfirst(lc)), "dynpg") == 0)
							own = true;
				if (own)
					dboid = MyDatabaseId;
				break;
			}
		default:
			break;
	}
	/* this backend's own database: the statement refuses it anyway */
	if (!OidIsValid(dboid) || (dboid == MyDatabaseId && !own))
		return InvalidOid;
	PG_TRY();
	{
		suppressed = suppress_database(dboid);
	}
	PG_CATCH();
	{
		/* canceled while waiting: no suppression may outlive the statement */
		dynpg_worker_utility_end(dboid);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return suppressed ? dboid : InvalidOid;
}

void
dynpg_worker_utility_done(Node *parsetree)
{
	if (IsA(parsetree, CreatedbStmt))
		wake_launcher_at_commit = true; /* a copy of a database with dynpg needs a worker */
	else if (IsA(parsetree, DropStmt) && ((DropStmt *) parsetree)->removeType == OBJECT_EXTENSION)
		wake_at_commit = true;	/* the worker notices that dynpg is gone and exits */
	else if (IsA(parsetree, TransactionStmt) &&
			 ((TransactionStmt *) parsetree)->kind == TRANS_STMT_COMMIT_PREPARED)
		wake_at_commit = true;	/* the prepared transaction may have logged changes */
}

/* ---------------------------------------------------------------------
 * Setup
 * ---------------------------------------------------------------------
 */
void
dynpg_worker_init(void)
{
	DefineCustomBoolVariable("dynpg.index_worker_pause",
							 "Testing only: index workers apply no changes while set.",
							 "Global secondary indexes fall behind; dynpg.wait_for_indexes times out.",
							 &dynpg_index_worker_pause,
							 false,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);

	/* a PGC_POSTMASTER variable can only be defined at postmaster start */
	if (!process_shared_preload_libraries_in_progress)
		return;

	DefineCustomIntVariable("dynpg.max_index_workers",
							"Maximum number of databases with a dynpg index worker.",
							"Each database that has the dynpg extension uses one slot "
							"(and one background worker process, from max_worker_processes).",
							&dynpg_max_index_workers,
							8, 1, 1024,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = worker_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = worker_shmem_startup;
	RegisterXactCallback(worker_xact_callback, NULL);

	/* pg_upgrade's server runs no workers */
	if (!IsBinaryUpgrade)
	{
		BackgroundWorker bgw;

		memset(&bgw, 0, sizeof(bgw));
		bgw.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
		bgw.bgw_start_time = BgWorkerStart_RecoveryFinished;
		bgw.bgw_restart_time = 5;
		snprintf(bgw.bgw_library_name, BGW_MAXLEN, "dynpg");
		snprintf(bgw.bgw_function_name, BGW_MAXLEN, "dynpg_index_launcher_main");
		snprintf(bgw.bgw_name, BGW_MAXLEN, "dynpg index launcher");
		snprintf(bgw.bgw_type, BGW_MAXLEN, "dynpg index launcher");
		RegisterBackgroundWorker(&bgw);
	}
}

/* ---------------------------------------------------------------------
 * The launcher
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
	bgw.bgw_start_time = BgWorkerStart_RecoveryFinished;
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

static void
launcher_exit(int code, Datum arg)
{
	int			i;

	/* the workers go with the launcher; the next launcher starts them again */
	if (handles)
		for (i = 0; i < shared->nslots; i++)
			if (handles[i])
				TerminateBackgroundWorker(handles[i]);
	LWLockReleaseAll();
	LWLockAcquire(worker_lock, LW_EXCLUSIVE);
	if (shared->launcher_pid == MyProcPid)
	{
		shared->launcher_pid = 0;
		shared->launcher_latch = NULL;
	}
	LWLockRelease(worker_lock);
}

/* Drop suppressions whose backend is gone (it exited without cleaning up). */
static void
clear_stale_suppressions(void)
{
	int			i;

	LWLockAcquire(worker_lock, LW_EXCLUSIVE);
	for (i = 0; i < MAX_SUPPRESSIONS; i++)
		if (shared->suppressed[i].dboid != InvalidOid &&
			BackendPidGetProc(shared->suppressed[i].pid) == NULL)
		{
			shared->suppressed[i].dboid = InvalidOid;
			shared->suppressed[i].pid = 0;
		}
	LWLockRelease(worker_lock);
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

	for (i = 0; i < shared->nslots; i++)
	{
		DynWorkerSlot *slot = &shared->slots[i];
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
			LWLockAcquire(worker_lock, LW_EXCLUSIVE);
			healthy = slot->healthy;
			slot->healthy = false;
			if (slot->pid == 0)
				slot->state = DYN_WS_STOPPED;
			LWLockRelease(worker_lock);
			failures[i] = healthy ? 0 : failures[i] + 1;
			shift = Min(failures[i], 6);
			restart_at[i] = TimestampTzPlusMilliseconds(now,
														Min((long) RESTART_DELAY_MS << shift,
															RESTART_DELAY_MAX_MS));
		}

		LWLockAcquire(worker_lock, LW_EXCLUSIVE);
		dboid = slot->dboid;
		/* free, or an orphan of an earlier launcher still exiting */
		if (!OidIsValid(dboid) || slot->pid != 0)
		{
			LWLockRelease(worker_lock);
			continue;
		}
		db = find_db(dbs, ndbs, dboid);
		if (db == NULL && slot->want)
		{
			int			nfresh;
			DbInfo	   *fresh;

			/* requested by a database created after our list: look again */
			LWLockRelease(worker_lock);
			fresh = read_databases(ctx, &nfresh);
			LWLockAcquire(worker_lock, LW_EXCLUSIVE);
			if (slot->dboid != dboid || slot->pid != 0)
			{
				LWLockRelease(worker_lock);
				continue;
			}
			db = find_db(fresh, nfresh, dboid);
		}
		if (!slot->want || db == NULL || !db->connectable)
		{
			free_slot(slot);
			LWLockRelease(worker_lock);
			failures[i] = 0;
			restart_at[i] = 0;
			continue;
		}
		if (is_suppressed(dboid))
		{
			LWLockRelease(worker_lock);
			continue;
		}
		if (now < restart_at[i])
		{
			long		secs;
			int			usecs;

			LWLockRelease(worker_lock);
			TimestampDifference(now, restart_at[i], &secs, &usecs);
			wait_ms = Min(wait_ms, secs * 1000 + usecs / 1000 + 1);
			continue;
		}
		slot->generation++;
		generation = slot->generation;
		slot->state = DYN_WS_STARTING;
		slot->healthy = false;
		LWLockRelease(worker_lock);

		if (!start_worker(i, dboid, generation))
		{
			handles[i] = NULL;
			LWLockAcquire(worker_lock, LW_EXCLUSIVE);
			if (slot->generation == generation && slot->pid == 0)
				slot->state = DYN_WS_STOPPED;
			LWLockRelease(worker_lock);
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

void
dynpg_index_launcher_main(Datum main_arg)
{
	MemoryContext ctx;
	Oid		   *seen = NULL;
	int			nseen = 0;
	Oid		   *probe;
	int			nprobe = 0;
	int			i;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	/* no database: pg_database is a shared catalog */
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);

	handles = MemoryContextAllocZero(TopMemoryContext,
									 shared->nslots * sizeof(BackgroundWorkerHandle *));
	restart_at = MemoryContextAllocZero(TopMemoryContext, shared->nslots * sizeof(TimestampTz));
	failures = MemoryContextAllocZero(TopMemoryContext, shared->nslots * sizeof(int));
	ctx = AllocSetContextCreate(TopMemoryContext, "dynpg index launcher", ALLOCSET_DEFAULT_SIZES);

	LWLockAcquire(worker_lock, LW_EXCLUSIVE);
	shared->launcher_pid = MyProcPid;
	shared->launcher_latch = MyLatch;
	for (i = 0; i < shared->nslots; i++)
	{
		/* workers an earlier launcher registered but that have not attached yet exit */
		shared->slots[i].generation++;
		if (shared->slots[i].pid == 0)
			shared->slots[i].state = DYN_WS_STOPPED;
	}
	LWLockRelease(worker_lock);
	before_shmem_exit(launcher_exit, 0);

	probe = MemoryContextAlloc(TopMemoryContext, sizeof(Oid));

	for (;;)
	{
		DbInfo	   *dbs;
		int			ndbs;
		long		wait_ms;
		Oid			overflow;
		MemoryContext oldcxt;

		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		MemoryContextReset(ctx);
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

		LWLockAcquire(worker_lock, LW_EXCLUSIVE);
		for (i = 0; i < nprobe;)
		{
			if (find_db(dbs, ndbs, probe[i]) == NULL || find_slot(probe[i]) != NULL ||
				alloc_slot(probe[i]) != NULL)
				probe[i] = probe[--nprobe]; /* gone, has a slot, or got one */
			else
				i++;			/* no free slot: later */
		}
		overflow = shared->overflow_db;
		shared->overflow_db = InvalidOid;
		LWLockRelease(worker_lock);
		if (OidIsValid(overflow))
			ereport(WARNING,
					(errmsg("no dynpg index worker slot is free for database %u", overflow),
					 errhint("Raise dynpg.max_index_workers (%d).", dynpg_max_index_workers)));

		wait_ms = launcher_reconcile(dbs, ndbs, ctx);
		/* slots freed this pass can take waiting probes at once */
		if (nprobe > 0)
			wait_ms = Min(wait_ms, 1000);

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 wait_ms, PG_WAIT_EXTENSION);
	}
}

/* ---------------------------------------------------------------------
 * The per-database worker
 * ---------------------------------------------------------------------
 */
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
	LWLockAcquire(worker_lock, LW_EXCLUSIVE);
	my_slot->state = state;
	LWLockRelease(worker_lock);
}

static void
worker_detach(int code, Datum arg)
{
	LWLockReleaseAll();
	LWLockAcquire(worker_lock, LW_EXCLUSIVE);
	if (my_slot->pid == MyProcPid)
	{
		my_slot->pid = 0;
		my_slot->latch = NULL;
		my_slot->state = DYN_WS_STOPPED;
	}
	LWLockRelease(worker_lock);
	ConditionVariableBroadcast(&my_slot->cv);
	wake_launcher();
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
 * One transaction: read up to WORKER_BATCH_ROWS rows of the change log
 * visible to a fresh snapshot, apply each, delete them, commit.  An error
 * rolls the whole batch back (the caller catches it).
 */
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
		LWLockAcquire(worker_lock, LW_EXCLUSIVE);
		snprintf(my_slot->last_error, ERROR_TEXT_LEN, "change (%u,%u) for relation %u: %s",
				 ItemPointerGetBlockNumber(&row->tid), ItemPointerGetOffsetNumber(&row->tid),
				 row->tbl, edata->message ? edata->message : "(no message)");
		my_slot->last_error_time = GetCurrentTimestamp();
		LWLockRelease(worker_lock);
		FreeErrorData(edata);
	}
	PG_END_TRY();
	return ok;
}

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
			LWLockAcquire(worker_lock, LW_EXCLUSIVE);
			my_slot->caught_up = started;
			LWLockRelease(worker_lock);
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

	LWLockAcquire(worker_lock, LW_EXCLUSIVE);
	my_slot->changes_applied += nrows - skipped;
	my_slot->batches++;
	my_slot->last_apply = GetCurrentTimestamp();
	if (nrows < WORKER_BATCH_ROWS && skipped == 0 && !poisoned_seen)
		my_slot->caught_up = started;	/* everything visible then is applied */
	my_slot->state = DYN_WS_IDLE;
	LWLockRelease(worker_lock);
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

	LWLockAcquire(worker_lock, LW_EXCLUSIVE);
	strlcpy(my_slot->last_error, edata->message ? edata->message : "(no message)",
			ERROR_TEXT_LEN);
	my_slot->last_error_time = GetCurrentTimestamp();
	my_slot->state = DYN_WS_IDLE;
	LWLockRelease(worker_lock);

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

	if (slotno < 0 || slotno >= shared->nslots)
		proc_exit(0);
	my_slot = &shared->slots[slotno];

	/* attach: a stale registration, or a suppressed database, exits at once */
	LWLockAcquire(worker_lock, LW_EXCLUSIVE);
	if (my_slot->dboid != dboid || my_slot->generation != generation ||
		my_slot->pid != 0 || is_suppressed(dboid))
	{
		if (my_slot->dboid == dboid && my_slot->generation == generation && my_slot->pid == 0)
			my_slot->state = DYN_WS_STOPPED;
		LWLockRelease(worker_lock);
		proc_exit(0);
	}
	my_slot->pid = MyProcPid;
	my_slot->latch = MyLatch;
	my_slot->state = DYN_WS_STARTING;
	LWLockRelease(worker_lock);
	before_shmem_exit(worker_detach, 0);

	/* blocks while DROP/CREATE DATABASE holds the database's lock */
	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);

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

		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		LWLockAcquire(worker_lock, LW_EXCLUSIVE);
		if (is_suppressed(dboid))
		{
			my_slot->state = DYN_WS_STOPPING;
			LWLockRelease(worker_lock);
			proc_exit(0);
		}
		my_slot->requested = false;
		LWLockRelease(worker_lock);

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
				sleep_ms(secs * 1000 + usecs / 1000 + 1);
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
			LWLockAcquire(worker_lock, LW_EXCLUSIVE);
			if (my_slot->requested)
			{
				LWLockRelease(worker_lock);
				continue;
			}
			my_slot->want = false;
			my_slot->state = DYN_WS_STOPPING;
			LWLockRelease(worker_lock);
			proc_exit(0);
		}

		LWLockAcquire(worker_lock, LW_EXCLUSIVE);
		my_slot->healthy = true;
		LWLockRelease(worker_lock);

		if (result == BATCH_FULL || backfilled)
			continue;			/* more work: no sleep */

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 WORKER_NAPTIME_MS, PG_WAIT_EXTENSION);
	}
}

/* ---------------------------------------------------------------------
 * SQL functions
 * ---------------------------------------------------------------------
 */
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
	if (shared == NULL)
		return NULL;
	LWLockAcquire(worker_lock, LW_SHARED);
	slot = find_slot(MyDatabaseId);
	if (slot)
	{
		cv = &slot->cv;
		*running = slot->pid != 0;
	}
	LWLockRelease(worker_lock);
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
			request_worker(MyDatabaseId);
		first = false;
		if (cv == NULL)
		{
			/* no slot yet: poll while the launcher starts the worker */
			sleep_ms(Min(sleep, 100));
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

	if (!OidIsValid(logrelid) || shared == NULL)
		PG_RETURN_NULL();
	snap = RegisterSnapshot(GetLatestSnapshot());
	n = collect_pending(logrelid, relid, snap, NULL, NULL);
	UnregisterSnapshot(snap);
	if (n == 0)
		PG_RETURN_NULL();

	LWLockAcquire(worker_lock, LW_SHARED);
	slot = find_slot(MyDatabaseId);
	if (slot)
		since = slot->caught_up != 0 ? slot->caught_up : slot->since;
	LWLockRelease(worker_lock);
	if (since == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(timestamp_mi,
										TimestampTzGetDatum(GetCurrentTimestamp()),
										TimestampTzGetDatum(since)));
}

/* dynpg._request_worker(): ask for this database's worker when the transaction commits. */
PG_FUNCTION_INFO_V1(dynpg_request_worker);
Datum
dynpg_request_worker(PG_FUNCTION_ARGS)
{
	request_at_commit = true;
	PG_RETURN_VOID();
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
	if (shared == NULL)
		return (Datum) 0;

	for (i = 0; i < shared->nslots; i++)
	{
		DynWorkerSlot copy;
		Datum		values[9];
		bool		nulls[9];

		LWLockAcquire(worker_lock, LW_SHARED);
		memcpy(&copy, &shared->slots[i], offsetof(DynWorkerSlot, cv));
		LWLockRelease(worker_lock);
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
