/*-------------------------------------------------------------------------
 *
 * worker_shmem.c
 *	  The state the GSI workers share and how backends reach it: the GUCs,
 *	  the shared memory (slots, suppressions, the launcher's latch), finding
 *	  and taking a slot, waking the launcher or a database's worker, the
 *	  transaction callback that does so at commit, and dynpg_worker_init.
 *
 * Rules (src/worker/README, "Shared memory" and "Waking"): every field is
 * read and written under dynpg_worker_lock, except that a requester may set
 * a slot's 'requested' to true under a shared lock (only the worker clears
 * it); no ereport while the lock is held.  The transaction callback runs at
 * XACT_EVENT_COMMIT, after ProcArrayEndTransaction, so the worker's next
 * snapshot sees the commit; it raises no error.  Everything here is a no-op
 * when dynpg was not preloaded (dynpg_worker_shared is NULL).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "am/dynpg_changelog.h"
#include "worker/dynpg_worker.h"
#include "worker/dynpg_worker_internal.h"

#define LWLOCK_TRANCHE			"dynpg_index_workers"

DynWorkerShared *dynpg_worker_shared = NULL;
LWLock *dynpg_worker_lock = NULL;

int			dynpg_max_index_workers = 8;
bool		dynpg_index_worker_pause = false;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* what this backend's transaction asks for at commit */
static bool request_at_commit = false;	/* dynpg._request_worker() */
static bool wake_at_commit = false; /* DROP EXTENSION */
static bool wake_launcher_at_commit = false;	/* CREATE DATABASE */

/* ---------------------------------------------------------------------
 * Shared memory and slots
 * ---------------------------------------------------------------------
 */
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
	dynpg_worker_shared = ShmemInitStruct("dynpg index workers", worker_shmem_size(),
										  &found);
	if (!found)
	{
		int			i;

		memset(dynpg_worker_shared, 0, worker_shmem_size());
		dynpg_worker_shared->nslots = dynpg_max_index_workers;
		for (i = 0; i < dynpg_worker_shared->nslots; i++)
			ConditionVariableInit(&dynpg_worker_shared->slots[i].cv);
	}
	dynpg_worker_lock = &(GetNamedLWLockTranche(LWLOCK_TRANCHE))->lock;
	LWLockRelease(AddinShmemInitLock);
}

/* The slot of database dboid, or NULL.  Caller holds dynpg_worker_lock. */
DynWorkerSlot *
dynpg_worker_find_slot(Oid dboid)
{
	int			i;

	for (i = 0; i < dynpg_worker_shared->nslots; i++)
		if (dynpg_worker_shared->slots[i].dboid == dboid)
			return &dynpg_worker_shared->slots[i];
	return NULL;
}

/* Take a free slot for dboid, or NULL.  Caller holds dynpg_worker_lock exclusively. */
DynWorkerSlot *
dynpg_worker_alloc_slot(Oid dboid)
{
	int			i;

	for (i = 0; i < dynpg_worker_shared->nslots; i++)
	{
		DynWorkerSlot *slot = &dynpg_worker_shared->slots[i];

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

/* Whether a DROP/CREATE/ALTER DATABASE keeps dboid's worker away.  Caller holds the lock. */
bool
dynpg_worker_is_suppressed(Oid dboid)
{
	int			i;

	for (i = 0; i < MAX_SUPPRESSIONS; i++)
		if (dynpg_worker_shared->suppressed[i].dboid == dboid)
			return true;
	return false;
}

/* ---------------------------------------------------------------------
 * Waking the launcher and the workers
 * ---------------------------------------------------------------------
 */
void
dynpg_worker_wake_launcher(void)
{
	Latch	   *latch;

	if (dynpg_worker_shared == NULL)
		return;
	LWLockAcquire(dynpg_worker_lock, LW_SHARED);
	latch = dynpg_worker_shared->launcher_latch;
	LWLockRelease(dynpg_worker_lock);
	if (latch)
		SetLatch(latch);
}

/*
 * Ask for a worker in database dboid: wake it if it runs, else have the
 * launcher start one.  Never raises an error (called at commit).
 */
void
dynpg_worker_request(Oid dboid)
{
	DynWorkerSlot *slot;
	Latch	   *latch = NULL;
	Latch	   *launcher = NULL;

	if (dynpg_worker_shared == NULL || !OidIsValid(dboid))
		return;

	/* the common case: a worker runs; a shared lock does */
	LWLockAcquire(dynpg_worker_lock, LW_SHARED);
	slot = dynpg_worker_find_slot(dboid);
	if (slot && slot->want && slot->latch != NULL)
	{
		slot->requested = true;
		latch = slot->latch;
	}
	LWLockRelease(dynpg_worker_lock);
	if (latch)
	{
		SetLatch(latch);
		return;
	}

	LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
	slot = dynpg_worker_find_slot(dboid);
	if (slot == NULL)
		slot = dynpg_worker_alloc_slot(dboid);
	if (slot)
	{
		slot->want = true;
		slot->requested = true;
		latch = slot->latch;
	}
	else
		dynpg_worker_shared->overflow_db = dboid;
	launcher = dynpg_worker_shared->launcher_latch;
	LWLockRelease(dynpg_worker_lock);
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

	if (dynpg_worker_shared == NULL)
		return;
	LWLockAcquire(dynpg_worker_lock, LW_SHARED);
	slot = dynpg_worker_find_slot(dboid);
	if (slot)
		latch = slot->latch;
	LWLockRelease(dynpg_worker_lock);
	if (latch)
		SetLatch(latch);
}

/* Wait on this process's latch for at most ms milliseconds. */
void
dynpg_worker_sleep_ms(long ms)
{
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms,
					 PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
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
				dynpg_worker_request(MyDatabaseId);
			if (wake_at_commit)
				wake_worker(MyDatabaseId);
			if (wake_launcher_at_commit)
				dynpg_worker_wake_launcher();
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

/* After a utility statement: what to wake when its transaction commits. */
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

/* dynpg._request_worker(): ask for this database's worker when the transaction commits. */
PG_FUNCTION_INFO_V1(dynpg_request_worker);
Datum
dynpg_request_worker(PG_FUNCTION_ARGS)
{
	request_at_commit = true;
	PG_RETURN_VOID();
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
		dynpg_worker_launcher_register();
}
