/*-------------------------------------------------------------------------
 *
 * database_guard.c
 *	  Keeping the GSI workers away from DROP DATABASE, CREATE DATABASE (from
 *	  its template), ALTER DATABASE RENAME and ALTER DATABASE SET
 *	  TABLESPACE, which fail if any other process is connected to the
 *	  database, and from DROP EXTENSION dynpg: ProcessUtility support
 *	  (dynpg_worker_utility_begin / _end, which src/dynpg.c calls around
 *	  the statement).
 *
 * Rules (src/worker/README, "DROP / CREATE / ALTER DATABASE"): for the
 * database statements, only when the user could run them (the owner;
 * CREATEDB for CREATE DATABASE) and the database is not the backend's own
 * (the statement refuses that anyway); for DROP EXTENSION dynpg, the
 * backend's own database, whose worker's batches lock what the drop
 * removes in another order.  A suppression entry (database, own pid)
 * keeps any worker from attaching and the launcher from starting one; then
 * the worker gets SIGTERM until it has left the proc array, for at most
 * SUPPRESS_WAIT_MS.  No suppression outlives the statement: the caller ends
 * it in PG_FINALLY, a cancel while waiting ends it here, a backend that
 * dies ends its entries in a before_shmem_exit callback, and the launcher
 * drops the entries of backends that no longer exist.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "access/htup_details.h"
#include "catalog/pg_authid.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/acl.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "worker/dynpg_worker.h"
#include "worker/dynpg_worker_internal.h"

static bool suppress_exit_registered = false;

/* Drop every suppression this backend holds (at exit: a FATAL skips PG_FINALLY). */
static void
release_my_suppressions(int code, Datum arg)
{
	int			i;
	bool		any = false;

	if (dynpg_worker_shared == NULL)
		return;
	LWLockReleaseAll();
	LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
	for (i = 0; i < MAX_SUPPRESSIONS; i++)
		if (dynpg_worker_shared->suppressed[i].dboid != InvalidOid &&
			dynpg_worker_shared->suppressed[i].pid == MyProcPid)
		{
			dynpg_worker_shared->suppressed[i].dboid = InvalidOid;
			dynpg_worker_shared->suppressed[i].pid = 0;
			any = true;
		}
	LWLockRelease(dynpg_worker_lock);
	if (any)
		dynpg_worker_wake_launcher();
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

		LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
		if (!added)
		{
			for (i = 0; i < MAX_SUPPRESSIONS && !added; i++)
				if (dynpg_worker_shared->suppressed[i].dboid == InvalidOid)
				{
					dynpg_worker_shared->suppressed[i].dboid = dboid;
					dynpg_worker_shared->suppressed[i].pid = MyProcPid;
					added = true;
				}
		}
		if (added)
		{
			DynWorkerSlot *slot = dynpg_worker_find_slot(dboid);

			if (slot)
				pid = slot->pid;
		}
		LWLockRelease(dynpg_worker_lock);

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
		dynpg_worker_sleep_ms(10);
	}
}

/* Drop this backend's suppression of dboid and let the launcher restart its worker. */
void
dynpg_worker_utility_end(Oid dboid)
{
	int			i;

	if (dynpg_worker_shared == NULL || !OidIsValid(dboid))
		return;
	LWLockAcquire(dynpg_worker_lock, LW_EXCLUSIVE);
	for (i = 0; i < MAX_SUPPRESSIONS; i++)
		if (dynpg_worker_shared->suppressed[i].dboid == dboid &&
			dynpg_worker_shared->suppressed[i].pid == MyProcPid)
		{
			dynpg_worker_shared->suppressed[i].dboid = InvalidOid;
			dynpg_worker_shared->suppressed[i].pid = 0;
			break;
		}
	LWLockRelease(dynpg_worker_lock);
	/* the launcher restarts the worker, or forgets a database that is gone */
	dynpg_worker_wake_launcher();
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

	if (dynpg_worker_shared == NULL)
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

