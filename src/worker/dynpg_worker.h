/*-------------------------------------------------------------------------
 *
 * dynpg_worker.h
 *	  The GSI background workers: a launcher and one worker per database
 *	  that applies dynpg.index_changes (src/worker/README).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_WORKER_H
#define DYNPG_WORKER_H

#include "nodes/nodes.h"

/* GUCs (worker.c) */
extern int	dynpg_max_index_workers;	/* dynpg.max_index_workers */
extern bool dynpg_index_worker_pause;	/* dynpg.index_worker_pause (testing) */

/*
 * Called by _PG_init: defines the GUCs; when preloading (not in binary
 * upgrade), requests the shared memory and registers the launcher.  In
 * every process it registers the transaction callback that wakes workers.
 */
extern void dynpg_worker_init(void);

/*
 * ProcessUtility support (dynpg.c).  Before a statement that must not find
 * a worker connected to a database (DROP DATABASE, CREATE DATABASE from a
 * template, ALTER DATABASE RENAME / SET TABLESPACE), stop that database's
 * worker and keep it from starting again: returns the database's OID, to be
 * given to dynpg_worker_utility_end() after the statement (also on error);
 * InvalidOid if nothing was done.
 */
extern Oid	dynpg_worker_utility_begin(Node *parsetree);
extern void dynpg_worker_utility_end(Oid dboid);

/*
 * After a statement ran: notes what must wake a worker or the launcher when
 * the transaction commits (CREATE DATABASE, DROP EXTENSION).
 */
extern void dynpg_worker_utility_done(Node *parsetree);

/*
 * Provided by src/index (index_build.c; also declared in dynpg_index.h),
 * next to index.c's dynpg_index_apply_change() and dynpg_index_log_relid():
 *
 * dynpg_index_backfill_step: called by the worker in a transaction of its
 * own, with an active snapshot, after each batch of changes; does a bounded
 * piece of backfill work and returns true if it did any (the worker then
 * commits and calls again before sleeping), false when nothing is left.
 *
 * dynpg_index_backfill_pending: whether relation relid has an index whose
 * backfill is not finished (dynpg.wait_for_indexes waits for it too).
 */
extern bool dynpg_index_backfill_step(void);
extern bool dynpg_index_backfill_pending(Oid relid);

/* Background worker entry points (bgw_function_name) */
extern PGDLLEXPORT void dynpg_index_launcher_main(Datum main_arg);
extern PGDLLEXPORT void dynpg_index_worker_main(Datum main_arg);

#endif							/* DYNPG_WORKER_H */
