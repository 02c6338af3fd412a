/*-------------------------------------------------------------------------
 *
 * http_main.c
 *	  The HTTP endpoint's settings, shared status, and the launcher's pass
 *	  that starts and stops the HTTP workers (src/http/README).
 *
 * The launcher (src/worker/launcher.c) keeps dynpg.http_workers workers
 * running while dynpg.http_port is not 0.  Each worker gets a slot here,
 * the OID of dynpg.http_database (InvalidOid when it does not exist: the
 * worker then answers every request with an error saying so), and the
 * port; when one of those changes (a reload, CREATE DATABASE), the
 * launcher stops the worker and starts it again with the new ones.  A
 * worker that dies is started again after a delay that doubles with each
 * consecutive failure (up to HTTP_RESTART_MAX_MS).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "http/dynpg_http.h"
#include "http/dynpg_http_internal.h"

int			dynpg_http_port = 0;
char	   *dynpg_http_listen_addresses = NULL;
int			dynpg_http_workers = 2;
char	   *dynpg_http_database = NULL;
int			dynpg_http_auth = DYN_HTTP_AUTH_SIGV4;
char	   *dynpg_http_trust_role = NULL;
bool		dynpg_http_log_requests = false;
int			dynpg_http_max_connections = 1000;
int			dynpg_http_idle_timeout = 60;

DynHttpShared *dynpg_http_shared = NULL;
DynHttpSlot *dynpg_http_my_slot = NULL;

static const struct config_enum_entry auth_options[] = {
	{"sigv4", DYN_HTTP_AUTH_SIGV4, false},
	{"trust", DYN_HTTP_AUTH_TRUST, false},
	{NULL, 0, false}
};

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

#define HTTP_RESTART_MS			1000
#define HTTP_RESTART_MAX_MS		30000
#define HTTP_PASS_MS			5000	/* a pass at least this often (database checks) */

/* ---------------------------------------------------------------------
 * Shared memory
 * ---------------------------------------------------------------------
 */
static void
http_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(sizeof(DynHttpShared));
}

static void
http_shmem_startup(void)
{
	bool		found;
	int			i;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	dynpg_http_shared = ShmemInitStruct("dynpg http workers", sizeof(DynHttpShared), &found);
	if (!found)
	{
		memset(dynpg_http_shared, 0, sizeof(DynHttpShared));
		for (i = 0; i < DYN_HTTP_MAX_WORKERS; i++)
			SpinLockInit(&dynpg_http_shared->slots[i].mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

void
dynpg_http_init(void)
{
	DefineCustomIntVariable("dynpg.http_port",
							"TCP port of dynpg's DynamoDB HTTP endpoint (0: off).",
							NULL, &dynpg_http_port, 0, 0, 65535,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("dynpg.http_listen_addresses",
							   "Addresses the HTTP endpoint listens on: host names or IP addresses, comma-separated; * for all.",
							   NULL, &dynpg_http_listen_addresses, "localhost",
							   PGC_SIGHUP, GUC_LIST_INPUT, NULL, NULL, NULL);
	DefineCustomIntVariable("dynpg.http_workers",
							"Number of HTTP worker processes (each counts in max_worker_processes).",
							NULL, &dynpg_http_workers, 2, 1, DYN_HTTP_MAX_WORKERS,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("dynpg.http_database",
							   "The database whose dynpg tables the HTTP endpoint serves.",
							   NULL, &dynpg_http_database, "postgres",
							   PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("dynpg.http_auth",
							 "How HTTP requests are authenticated: sigv4 (verify AWS Signature Version 4 against dynpg's access keys) or trust (any well-formed signature, run as dynpg.http_trust_role).",
							 NULL, &dynpg_http_auth, DYN_HTTP_AUTH_SIGV4, auth_options,
							 PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("dynpg.http_trust_role",
							   "The role trusted requests run as (dynpg.http_auth = trust).",
							   NULL, &dynpg_http_trust_role, "",
							   PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("dynpg.http_log_requests",
							 "Log each HTTP request: operation, table, status and duration.",
							 NULL, &dynpg_http_log_requests, false,
							 PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("dynpg.http_max_connections",
							"Open client connections each HTTP worker accepts.",
							NULL, &dynpg_http_max_connections, 1000, 1, 100000,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("dynpg.http_idle_timeout",
							"Seconds an idle HTTP connection stays open.",
							NULL, &dynpg_http_idle_timeout, 60, 1, 86400,
							PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = http_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = http_shmem_startup;
}

/* ---------------------------------------------------------------------
 * Counters (in the worker)
 * ---------------------------------------------------------------------
 */
void
dynpg_http_count(int status, uint64 bytes_in, uint64 bytes_out, const char *error)
{
	DynHttpSlot *s = dynpg_http_my_slot;
	TimestampTz now;

	if (s == NULL)
		return;
	now = status >= 400 && error != NULL ? GetCurrentTimestamp() : 0;
	SpinLockAcquire(&s->mutex);
	s->requests++;
	s->bytes_in += bytes_in;
	s->bytes_out += bytes_out;
	if (status >= 400)
	{
		s->errors++;
		if (error != NULL)
		{
			strlcpy(s->last_error, error, sizeof(s->last_error));
			s->last_error_at = now;
		}
	}
	SpinLockRelease(&s->mutex);
}

/* ---------------------------------------------------------------------
 * The launcher's pass
 * ---------------------------------------------------------------------
 */

/* What a worker was started with: a change means a restart. */
typedef struct StartedWith
{
	bool		running;
	int			port;
	Oid			dboid;
	char	   *addresses;
} StartedWith;

/* launcher-local */
static BackgroundWorkerHandle *handles[DYN_HTTP_MAX_WORKERS];
static StartedWith started[DYN_HTTP_MAX_WORKERS];
static TimestampTz restart_at[DYN_HTTP_MAX_WORKERS];
static int	failures[DYN_HTTP_MAX_WORKERS];
static TimestampTz started_at[DYN_HTTP_MAX_WORKERS];
static bool warned_no_slots = false;

/*
 * The OID of dynpg.http_database, or InvalidOid.  The launcher is connected
 * to no database: pg_database is read with a heap scan, as
 * launcher.c does, since an index scan would need relcache entries that
 * only a database connection can build before the shared init file exists.
 */
static Oid
served_database(void)
{
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;
	Oid			oid = InvalidOid;

	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);

		if (strcmp(NameStr(db->datname), dynpg_http_database) == 0)
		{
			oid = db->oid;
			break;
		}
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
	return oid;
}

static bool
start_worker(int i, Oid dboid)
{
	BackgroundWorker bgw;
	DynHttpSlot *s = &dynpg_http_shared->slots[i];
	uint32		generation;

	SpinLockAcquire(&s->mutex);
	generation = ++s->generation;
	s->dboid = dboid;
	s->port = dynpg_http_port;
	SpinLockRelease(&s->mutex);

	memset(&bgw, 0, sizeof(bgw));
	bgw.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	bgw.bgw_start_time = BgWorkerStart_ConsistentState;
	bgw.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(bgw.bgw_library_name, BGW_MAXLEN, "dynpg");
	snprintf(bgw.bgw_function_name, BGW_MAXLEN, "dynpg_http_worker_main");
	snprintf(bgw.bgw_name, BGW_MAXLEN, "dynpg http worker %d", i);
	snprintf(bgw.bgw_type, BGW_MAXLEN, "dynpg http worker");
	bgw.bgw_main_arg = Int32GetDatum(i);
	memcpy(bgw.bgw_extra, &generation, sizeof(generation));
	bgw.bgw_notify_pid = MyProcPid;
	if (!RegisterDynamicBackgroundWorker(&bgw, &handles[i]))
	{
		handles[i] = NULL;
		if (!warned_no_slots)
			ereport(WARNING,
					(errmsg("dynpg could not start HTTP worker %d: no background worker slot is free", i),
					 errhint("Raise max_worker_processes: dynpg needs one for its launcher, one per database with a GSI worker, and dynpg.http_workers for HTTP.")));
		warned_no_slots = true;
		return false;
	}
	started[i].running = true;
	started[i].port = dynpg_http_port;
	started[i].dboid = dboid;
	if (started[i].addresses)
		pfree(started[i].addresses);
	started[i].addresses = MemoryContextStrdup(TopMemoryContext, dynpg_http_listen_addresses);
	started_at[i] = GetCurrentTimestamp();
	return true;
}

static void
stop_worker(int i)
{
	if (handles[i] != NULL)
		TerminateBackgroundWorker(handles[i]);
}

long
dynpg_http_launcher_pass(MemoryContext ctx)
{
	int			wanted = dynpg_http_port > 0 ? Min(dynpg_http_workers, DYN_HTTP_MAX_WORKERS) : 0;
	Oid			dboid = InvalidOid;
	TimestampTz now = GetCurrentTimestamp();
	long		sleep_ms = HTTP_PASS_MS;
	int			i;

	if (wanted > 0)
		dboid = served_database();
	for (i = 0; i < DYN_HTTP_MAX_WORKERS; i++)
	{
		pid_t		pid;
		BgwHandleStatus st = BGWH_STOPPED;

		if (handles[i] != NULL)
			st = GetBackgroundWorkerPid(handles[i], &pid);
		if (handles[i] != NULL && st == BGWH_STOPPED)
		{
			/* it exited: a failure unless it ran long, or we asked it to */
			pfree(handles[i]);
			handles[i] = NULL;
			if (started[i].running)
			{
				if (TimestampDifferenceExceeds(started_at[i], now, 60000))
					failures[i] = 0;
				else
					failures[i]++;
				restart_at[i] = TimestampTzPlusMilliseconds(now,
															Min(HTTP_RESTART_MS << Min(failures[i], 5),
																HTTP_RESTART_MAX_MS));
			}
			started[i].running = false;
		}
		if (i >= wanted)
		{
			if (handles[i] != NULL)
			{
				started[i].running = false;
				stop_worker(i);
				sleep_ms = Min(sleep_ms, 200);
			}
			failures[i] = 0;
			restart_at[i] = 0;
			continue;
		}
		if (handles[i] != NULL)
		{
			/* a worker serving an old configuration is restarted at once */
			if (started[i].port != dynpg_http_port || started[i].dboid != dboid ||
				strcmp(started[i].addresses, dynpg_http_listen_addresses) != 0)
			{
				started[i].running = false;
				failures[i] = 0;
				restart_at[i] = 0;
				stop_worker(i);
				sleep_ms = Min(sleep_ms, 200);
			}
			continue;
		}
		if (restart_at[i] > now)
		{
			long		ms = (long) ((restart_at[i] - now) / 1000);

			sleep_ms = Min(sleep_ms, Max(ms, 10));
			continue;
		}
		if (!start_worker(i, dboid))
			sleep_ms = Min(sleep_ms, 1000);
	}
	return sleep_ms;
}

void
dynpg_http_launcher_exit(void)
{
	int			i;

	for (i = 0; i < DYN_HTTP_MAX_WORKERS; i++)
		stop_worker(i);
}

/* ---------------------------------------------------------------------
 * dynpg.http_status
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(dynpg_http_status);
Datum
dynpg_http_status(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	if (dynpg_http_shared == NULL)
		return (Datum) 0;
	for (i = 0; i < DYN_HTTP_MAX_WORKERS; i++)
	{
		DynHttpSlot copy;
		Datum		values[12];
		bool		nulls[12];

		SpinLockAcquire(&dynpg_http_shared->slots[i].mutex);
		memcpy(&copy, &dynpg_http_shared->slots[i], sizeof(copy));
		SpinLockRelease(&dynpg_http_shared->slots[i].mutex);
		if (copy.pid == 0)
			continue;
		memset(nulls, 0, sizeof(nulls));
		values[0] = Int32GetDatum(i);
		values[1] = Int32GetDatum(copy.pid);
		values[2] = Int32GetDatum(copy.port);
		values[3] = TimestampTzGetDatum(copy.started);
		values[4] = Int64GetDatum((int64) copy.connections);
		values[5] = Int64GetDatum((int64) copy.connections_total);
		values[6] = Int64GetDatum((int64) copy.requests);
		values[7] = Int64GetDatum((int64) copy.errors);
		values[8] = Int64GetDatum((int64) copy.bytes_in);
		values[9] = Int64GetDatum((int64) copy.bytes_out);
		if (copy.last_error_at != 0)
		{
			values[10] = CStringGetTextDatum(copy.last_error);
			values[11] = TimestampTzGetDatum(copy.last_error_at);
		}
		else
			nulls[10] = nulls[11] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
