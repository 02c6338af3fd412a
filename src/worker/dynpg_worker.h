/*-------------------------------------------------------------------------
 *
 * dynpg_worker.h
 *	  The GSI background workers: a launcher and one worker per database
 *	  that applies dynpg.index_changes (src/worker/README).  What src/dynpg.c
 *	  calls; the files of src/worker share worker/dynpg_worker_internal.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_WORKER_H
#define DYNPG_WORKER_H

#include "nodes/nodes.h"

/*
 * Called by _PG_init: defines the GUCs; when preloading (not in binary
 * upgrade), requests the shared memory and registers the launcher.  In
 * every process it registers the transaction callback that wakes workers.
 */
extern void dynpg_worker_init(void);

/*
 * ProcessUtility support (dynpg.c).  Before a statement that must not find
 * a worker connected to a database (DROP DATABASE, CREATE DATABASE from a
 * template, ALTER DATABASE RENAME / SET TABLESPACE; and DROP EXTENSION
 * dynpg, for the backend's own database), stop that database's worker and
 * keep it from starting again: returns the database's OID, to be given to
 * dynpg_worker_utility_end() after the statement (also on error);
 * InvalidOid if nothing was done.
 */
extern Oid	dynpg_worker_utility_begin(Node *parsetree);
extern void dynpg_worker_utility_end(Oid dboid);

/*
 * After a statement ran: notes what must wake a worker or the launcher when
 * the transaction commits (CREATE DATABASE, DROP EXTENSION, COMMIT
 * PREPARED).
 */
extern void dynpg_worker_utility_done(Node *parsetree);

#endif							/* DYNPG_WORKER_H */
