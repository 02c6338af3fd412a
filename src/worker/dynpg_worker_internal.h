/*-------------------------------------------------------------------------
 *
 * dynpg_worker_internal.h
 *	  What the files of src/worker share: the tunables, the shared memory
 *	  (slots, suppressions, the launcher's latch) and its lock, the helpers
 *	  that reach it, the GUCs, and the background workers' entry points.
 *	  Other layers use worker/dynpg_worker.h, never this.
 *
 * Rules (src/worker/README, "Shared memory"): every field of the shared
 * struct is read and written under dynpg_worker_lock, except that a
 * requester may set a slot's 'requested' to true under a shared lock; no
 * ereport while the lock is held.  dynpg_worker_shared is NULL in a server
 * that did not preload dynpg (no worker runs there): what a backend calls
 * checks it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_WORKER_INTERNAL_H
#define DYNPG_WORKER_INTERNAL_H

#include "datatype/timestamp.h"
#include "storage/condition_variable.h"
#include "storage/latch.h"
#include "storage/lwlock.h"

/* ---------------------------------------------------------------------
 * Tunables (README, "Processes" and "DROP / CREATE / ALTER DATABASE")
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

/* ---------------------------------------------------------------------
 * Shared memory (worker_shmem.c)
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

extern DynWorkerShared *dynpg_worker_shared;	/* NULL unless preloaded */
extern LWLock *dynpg_worker_lock;

/* GUCs */
extern int	dynpg_max_index_workers;	/* dynpg.max_index_workers */
extern bool dynpg_index_worker_pause;	/* dynpg.index_worker_pause (testing) */

/* The slot of database dboid, or NULL.  Caller holds dynpg_worker_lock. */
extern DynWorkerSlot *dynpg_worker_find_slot(Oid dboid);

/* Take a free slot for dboid, or NULL.  Caller holds dynpg_worker_lock exclusively. */
extern DynWorkerSlot *dynpg_worker_alloc_slot(Oid dboid);

/* Whether a DROP/CREATE/ALTER DATABASE keeps dboid's worker away.  Caller holds the lock. */
extern bool dynpg_worker_is_suppressed(Oid dboid);

/* Set the launcher's latch (if a launcher runs). */
extern void dynpg_worker_wake_launcher(void);

/*
 * Ask for a worker in database dboid: wake it if it runs, else have the
 * launcher start one.  Never raises an error (called at commit).
 */
extern void dynpg_worker_request(Oid dboid);

/* Wait on this process's latch for at most ms milliseconds, then CHECK_FOR_INTERRUPTS. */
extern void dynpg_worker_sleep_ms(long ms);

/* ---------------------------------------------------------------------
 * The launcher (launcher.c) and the per-database index worker
 * (index_worker.c)
 * ---------------------------------------------------------------------
 */

/* Register the launcher, a static background worker (from _PG_init, when preloading). */
extern void dynpg_worker_launcher_register(void);

/* Background worker entry points (bgw_function_name) */
extern PGDLLEXPORT void dynpg_launcher_main(Datum main_arg);
extern PGDLLEXPORT void dynpg_index_worker_main(Datum main_arg);

#endif							/* DYNPG_WORKER_INTERNAL_H */
