/*-------------------------------------------------------------------------
 *
 * replica.c
 *	  Reads from standbys: DynamoDB's eventually consistent reads mapped
 *	  onto PostgreSQL's physical streaming replication.
 *
 * On a standby (RecoveryInProgress), dynpg_api_call asks
 * dynpg_replica_refuse_on_standby first: every operation that writes
 * (DYN_OP_WRITES), the always strongly consistent reads (TransactGetItems,
 * ExecuteTransaction) and a read asking ConsistentRead: true get
 * ServiceUnavailable (HTTP 503, SQLSTATE YD503) before anything else is
 * read; the rest is served from the standby's replayed data, which is
 * what an eventually consistent read may return.  The SQL functions and
 * the HTTP endpoint both come through dynpg_api_call, so both answer the
 * same.
 *
 * On a primary, dynpg.read_replicas names standbys by libpq connection
 * strings.  An eventually consistent GetItem, Query, Scan or BatchGetItem
 * (GSI reads included) is sent to one of them, round-robin, as
 *
 *	 SELECT lag_ms, response FROM dynpg.replica_read(<system id>,
 *			<primary's WAL flush position>, <max lag>, <operation>, <request>)
 *
 * which runs the operation there (as the caller's role: the connection
 * does SET ROLE first) unless the standby is further behind than
 * dynpg.read_replica_max_lag.  A standby that cannot be reached, is not a
 * standby of this primary, lags too much or fails otherwise is skipped
 * (one that failed is left alone for REPLICA_RETRY_MS; one that lags, only
 * for this read), and when none answers the read is served locally:
 * forwarding never turns a read that would succeed into an error.  A
 * DynamoDB error from the standby (ResourceNotFoundException for a table
 * it has not replayed yet, ValidationException for an index, or the
 * request's own fault) also sends the read to this server, whose catalog
 * is the authority: it serves the read or raises its own error.
 *
 * A read is forwarded only from a READ COMMITTED transaction that has
 * written nothing: the caller's own uncommitted writes and a REPEATABLE
 * READ snapshot are only on this server.
 *
 * Connections are cached per backend (as postgres_fdw's and dblink's
 * are), one per standby, made again after a failure.  Every wait
 * on the network is a WaitLatchOrSocket that services interrupts: a
 * cancel or statement_timeout of the caller cancels the standby's query
 * and drops the connection.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "libpq-fe.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "access/xlogrecovery.h"
#include "commands/dbcommands.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/pg_lsn.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "api/dynpg_api.h"
#include "api/dynpg_replica.h"
#include "api/dynpg_wire.h"
#include "base/dynpg_error.h"
#include "base/dynpg_request.h"
#include "partiql/dynpg_partiql.h"

/* how long a standby that could not be reached is left alone */
#define REPLICA_RETRY_MS	5000

/* the tail of every ServiceUnavailable a standby answers */
#define STANDBY_TAIL "cannot be served by a read replica: this server is a PostgreSQL standby (in recovery), which serves eventually consistent reads only; send the request to the primary"

static char *read_replicas = NULL;	/* dynpg.read_replicas */
static int	read_replica_max_lag = -1;	/* dynpg.read_replica_max_lag, ms; -1: any */
static int	read_replica_connect_timeout = 2000;	/* ms */

typedef struct Replica
{
	char	   *conninfo;		/* one entry of dynpg.read_replicas */
	PGconn	   *conn;			/* NULL: not connected */
	char	   *role;			/* the role SET on conn (NULL: none known) */
	TimestampTz retry_after;	/* unreachable: not tried again before */
} Replica;

/* this backend's standbys, parsed from 'replicas_setting' (TopMemoryContext) */
static Replica *replicas = NULL;
static int	nreplicas = 0;
static char *replicas_setting = NULL;
static int	next_replica = 0;

/* ---------------------------------------------------------------------
 * dynpg.read_replicas: connection strings separated by ';'
 * ---------------------------------------------------------------------
 */

/*
 * The entries of 'value' (';'-separated, blanks around each trimmed, empty
 * ones skipped), palloc'd.
 */
static List *
split_replicas(const char *value)
{
	List	   *out = NIL;
	const char *p = value;

	while (p != NULL && *p != '\0')
	{
		const char *end = strchr(p, ';');
		const char *stop = end ? end : p + strlen(p);
		const char *s = p;

		while (s < stop && isspace((unsigned char) *s))
			s++;
		while (stop > s && isspace((unsigned char) stop[-1]))
			stop--;
		if (stop > s)
			out = lappend(out, pnstrdup(s, stop - s));
		p = end ? end + 1 : NULL;
	}
	return out;
}

static bool
check_read_replicas(char **newval, void **extra, GucSource source)
{
	List	   *entries;
	ListCell   *lc;
	int			i = 0;

	if (*newval == NULL)
		return true;
	entries = split_replicas(*newval);
	foreach(lc, entries)
	{
		char	   *err = NULL;
		PQconninfoOption *opts = PQconninfoParse((char *) lfirst(lc), &err);

		i++;
		if (opts == NULL)
		{
			char	   *msg = pstrdup(err ? err : "out of memory");

			if (err)
				PQfreemem(err);
			/* libpq's messages end with a newline */
			while (*msg && msg[strlen(msg) - 1] == '\n')
				msg[strlen(msg) - 1] = '\0';
			GUC_check_errdetail("Read replica %d of the list is not a valid connection string: %s",
								i, msg);
			return false;
		}
		PQconninfoFree(opts);
	}
	return true;
}

void
dynpg_replica_init(void)
{
	DefineCustomStringVariable("dynpg.read_replicas",
							   "Standbys that serve this primary's eventually consistent reads.",
							   "libpq connection strings (key=value or postgresql:// URIs) separated by "
							   "semicolons; without dbname, the database of the session.  Empty (the "
							   "default): every read is served here.",
							   &read_replicas,
							   "",
							   PGC_SUSET, 0, check_read_replicas, NULL, NULL);
	DefineCustomIntVariable("dynpg.read_replica_max_lag",
							"A standby further behind than this serves no read.",
							"-1 (the default): no limit; 0: only a standby that has replayed everything "
							"this server had flushed when the read began.",
							&read_replica_max_lag,
							-1, -1, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("dynpg.read_replica_connect_timeout",
							"How long a connection to a read replica may take before the read is served elsewhere.",
							NULL,
							&read_replica_connect_timeout,
							2000, 1, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
}

/* ---------------------------------------------------------------------
 * On a standby: what is refused
 * ---------------------------------------------------------------------
 */

/*
 * Whether 'obj' asks ConsistentRead: true, read as the operation reads it
 * (dynpg_req_bool: a fraction counts by its magnitude; a value of another
 * type raises the operation's own error).
 */
static bool
asks_consistent(const DynJson *obj)
{
	bool		consistent;

	if (obj == NULL || obj->kind != DJ_OBJECT)
		return false;
	return dynpg_req_bool(obj, "ConsistentRead", &consistent) && consistent;
}

static void
refuse(const char *what)
{
	dynpg_raise(DYN_ERR_SERVICE_UNAVAILABLE, "%s " STANDBY_TAIL, what);
}

/* A PartiQL statement of ExecuteStatement or BatchExecuteStatement's list */
static void
refuse_partiql(const DynJson *obj)
{
	DynJson    *text;
	PqlStatement *st;

	if (obj == NULL || obj->kind != DJ_OBJECT)
		return;					/* the operation says what is wrong */
	text = dynpg_req_member(obj, "Statement");
	if (text == NULL || text->kind != DJ_STRING)
		return;
	st = dynpg_partiql_parse(text->str, text->len);
	if (st->kind != PQL_SELECT)
		refuse("A PartiQL INSERT, UPDATE or DELETE");
	if (asks_consistent(obj))
		refuse("A strongly consistent read (ConsistentRead: true)");
}

void
dynpg_replica_refuse_on_standby(const DynApiOperationInfo *op, const DynJson *request)
{
	if (op->flags & (DYN_OP_WRITES | DYN_OP_STRONG_READ))
		refuse(op->name);
	if (request == NULL || request->kind != DJ_OBJECT)
		return;
	if (op->flags & DYN_OP_EVENTUAL_READ)
	{
		if (strcmp(op->name, "BatchGetItem") == 0)
		{
			DynJson    *items = dynpg_req_member(request, "RequestItems");
			int			i;

			if (items != NULL && items->kind == DJ_OBJECT)
				for (i = 0; i < items->len; i++)
					if (asks_consistent(items->members[i].val))
						refuse("A strongly consistent read (ConsistentRead: true)");
		}
		else if (asks_consistent(request))
			refuse("A strongly consistent read (ConsistentRead: true)");
	}
	else if (op->flags & DYN_OP_PARTIQL)
	{
		DynJson    *list = dynpg_req_member(request, "Statements");

		if (strcmp(op->name, "ExecuteStatement") == 0)
			refuse_partiql(request);
		else if (list != NULL && list->kind == DJ_ARRAY)
		{
			int			i;

			for (i = 0; i < list->len; i++)
				refuse_partiql(list->elems[i]);
		}
	}
}

/* ---------------------------------------------------------------------
 * On a standby: dynpg.replica_read, what a primary calls
 * ---------------------------------------------------------------------
 */

/*
 * How stale this standby's data may be, in ms, for a read that began on
 * the primary when its WAL was flushed up to 'primary_lsn': 0 once that is
 * replayed; else the time since the last transaction replayed committed
 * (the data is at least as new as that commit: an upper bound), infinity
 * if none was replayed since the standby started.
 */
static double
standby_lag_ms(XLogRecPtr primary_lsn)
{
	TimestampTz latest;
	long		secs;
	int			usecs;

	if (GetXLogReplayRecPtr(NULL) >= primary_lsn)
		return 0;
	latest = GetLatestXTime();
	if (latest == 0)
		return get_float8_infinity();
	TimestampDifference(latest, GetCurrentTimestamp(), &secs, &usecs);
	return secs * 1000.0 + usecs / 1000.0;
}

PG_FUNCTION_INFO_V1(dynpg_replica_read);
Datum
dynpg_replica_read(PG_FUNCTION_ARGS)
{
	char	   *sysid = text_to_cstring(PG_GETARG_TEXT_PP(0));
	XLogRecPtr	primary_lsn = PG_GETARG_LSN(1);
	double		max_lag = PG_GETARG_FLOAT8(2);
	char	   *opname = text_to_cstring(PG_GETARG_TEXT_PP(3));
	text	   *req = PG_GETARG_TEXT_PP(4);
	char	   *own = psprintf(UINT64_FORMAT, GetSystemIdentifier());
	TupleDesc	desc;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	double		lag;
	const DynApiOperationInfo *op;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "dynpg.replica_read: return type must be a row type");
	if (!RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("dynpg.replica_read: this server is not a standby (not in recovery)")));
	if (strcmp(sysid, own) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("dynpg.replica_read: this server is not a standby of the primary asking (database system identifier %s, not %s)",
						own, sysid)));
	op = dynpg_api_find_operation(opname);
	if (op == NULL || (op->flags & DYN_OP_EVENTUAL_READ) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dynpg.replica_read: \"%s\" is not a read a standby serves for a primary",
						opname)));
	/*
	 * The lag is an upper bound of the data's age only if the data is read
	 * from a snapshot taken after it was measured: the statement's snapshot
	 * is older (replay may have gone on since), so the read gets a new one,
	 * which READ COMMITTED allows; a transaction snapshot cannot be renewed.
	 */
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("dynpg.replica_read must run in a READ COMMITTED transaction")));
	lag = standby_lag_ms(primary_lsn);
	values[0] = Float8GetDatum(lag);
	if (max_lag >= 0 && lag > max_lag)
		nulls[1] = true;
	else
	{
		StringInfoData out;
		DynJson    *response;

		PushActiveSnapshot(GetTransactionSnapshot());
		response = dynpg_api_call(op, dynpg_json_parse(VARDATA_ANY(req), VARSIZE_ANY_EXHDR(req)));
		PopActiveSnapshot();
		initStringInfo(&out);
		dynpg_response_text(&out, response);
		values[1] = PointerGetDatum(cstring_to_text_with_len(out.data, out.len));
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* ---------------------------------------------------------------------
 * On a primary: forwarding
 * ---------------------------------------------------------------------
 */

/* A connection's trouble: logged, the connection dropped, the standby rested */
static void
replica_failed(Replica *r, const char *what, bool rest)
{
	char	   *msg = r->conn ? pstrdup(PQerrorMessage(r->conn)) : pstrdup("");

	while (*msg && msg[strlen(msg) - 1] == '\n')
		msg[strlen(msg) - 1] = '\0';
	ereport(LOG,
			(errmsg("dynpg: read replica %d %s; the read is served elsewhere%s%s",
					(int) (r - replicas) + 1, what, *msg ? ": " : "", msg),
			 errhidestmt(true)));
	if (r->conn)
		PQfinish(r->conn);
	r->conn = NULL;
	if (r->role)
		pfree(r->role);
	r->role = NULL;
	if (rest)
		r->retry_after = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), REPLICA_RETRY_MS);
}

/* Close every connection and read the setting again when it changed */
static void
refresh_replicas(void)
{
	MemoryContext old;
	List	   *entries;
	ListCell   *lc;
	int			i;

	if (replicas_setting != NULL && strcmp(replicas_setting, read_replicas) == 0)
		return;
	for (i = 0; i < nreplicas; i++)
	{
		if (replicas[i].conn)
			PQfinish(replicas[i].conn);
		pfree(replicas[i].conninfo);
		if (replicas[i].role)
			pfree(replicas[i].role);
	}
	if (replicas)
		pfree(replicas);
	if (replicas_setting)
		pfree(replicas_setting);
	replicas = NULL;
	nreplicas = 0;
	replicas_setting = NULL;
	next_replica = 0;

	old = MemoryContextSwitchTo(TopMemoryContext);
	entries = split_replicas(read_replicas);
	if (entries != NIL)
		replicas = palloc0(sizeof(Replica) * list_length(entries));
	foreach(lc, entries)
		replicas[nreplicas++].conninfo = lfirst(lc);
	list_free(entries);
	replicas_setting = pstrdup(read_replicas);
	MemoryContextSwitchTo(old);
}

/* Wait for 'events' on conn's socket (or the timeout, -1: none), serving interrupts */
static int
wait_socket(PGconn *conn, int events, long timeout_ms)
{
	int			rc;

	rc = WaitLatchOrSocket(MyLatch,
						   WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | events |
						   (timeout_ms >= 0 ? WL_TIMEOUT : 0),
						   PQsocket(conn), timeout_ms, PG_WAIT_EXTENSION);
	if (rc & WL_LATCH_SET)
	{
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	return rc;
}

/*
 * Connect r (PQconnectStartParams and PQconnectPoll, waiting on the latch):
 * false when it cannot be done within dynpg.read_replica_connect_timeout.
 */
static bool
replica_connect(Replica *r)
{
	char	   *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(r->conninfo, &err);
	PQconninfoOption *o;
	const char **keys;
	const char **vals;
	int			n = 0;
	bool		has_db = false;
	const char *user_options = NULL;
	TimestampTz deadline;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	if (opts == NULL)
	{
		if (err)
			PQfreemem(err);
		replica_failed(r, "has an invalid connection string", true);
		return false;
	}
	for (o = opts; o->keyword; o++)
		n++;
	keys = palloc0(sizeof(char *) * (n + 4));
	vals = palloc0(sizeof(char *) * (n + 4));
	n = 0;
	for (o = opts; o->keyword; o++)
		if (o->val != NULL && o->val[0] != '\0' && strcmp(o->keyword, "options") != 0)
		{
			has_db |= strcmp(o->keyword, "dbname") == 0;
			keys[n] = o->keyword;
			vals[n++] = o->val;
		}
		else if (o->val != NULL && o->val[0] != '\0')
			user_options = o->val;
	if (!has_db)
	{
		keys[n] = "dbname";
		vals[n++] = get_database_name(MyDatabaseId);
	}
	/* dynpg.replica_read reads in READ COMMITTED, whatever the standby's default */
	keys[n] = "options";
	vals[n++] = psprintf("%s%s-c default_transaction_isolation=read\\ committed",
						 user_options ? user_options : "", user_options ? " " : "");
	keys[n] = "fallback_application_name";
	vals[n++] = "dynpg read forwarding";
	r->conn = PQconnectStartParams(keys, vals, 0);
	PQconninfoFree(opts);
	if (r->conn == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	if (PQstatus(r->conn) == CONNECTION_BAD)
	{
		replica_failed(r, "could not be reached", true);
		return false;
	}
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), read_replica_connect_timeout);
	PG_TRY();
	{
		while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED)
		{
			long		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
			int			ev = st == PGRES_POLLING_READING ? WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE;

			if (left <= 0)
				break;
			if (wait_socket(r->conn, ev, left) & ev)
				st = PQconnectPoll(r->conn);
		}
	}
	PG_CATCH();
	{
		PQfinish(r->conn);
		r->conn = NULL;
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (st != PGRES_POLLING_OK)
	{
		replica_failed(r, st == PGRES_POLLING_FAILED ? "could not be reached" :
					   "did not answer within dynpg.read_replica_connect_timeout", true);
		return false;
	}
	return true;
}

/*
 * Send a query and wait for its last result, serving interrupts; on an
 * interrupt the query is canceled and the connection dropped.  NULL when
 * the connection broke.  The caller PQclears the result.
 */
static PGresult *
replica_exec(Replica *r, const char *sql, int nparams, const char *const *params)
{
	PGresult   *volatile last = NULL;

	if (!PQsendQueryParams(r->conn, sql, nparams, NULL, params, NULL, NULL, 0))
		return NULL;
	PG_TRY();
	{
		for (;;)
		{
			PGresult   *res;

			while (PQisBusy(r->conn))
			{
				if ((wait_socket(r->conn, WL_SOCKET_READABLE, -1) & WL_SOCKET_READABLE) &&
					!PQconsumeInput(r->conn))
					break;
			}
			if (PQstatus(r->conn) == CONNECTION_BAD)
				break;
			res = PQgetResult(r->conn);
			if (res == NULL)
				break;
			if (last)
				PQclear(last);
			last = res;
		}
	}
	PG_CATCH();
	{
		PGcancel   *cancel = PQgetCancel(r->conn);
		char		errbuf[256];

		if (cancel)
		{
			(void) PQcancel(cancel, errbuf, sizeof(errbuf));
			PQfreeCancel(cancel);
		}
		if (last)
			PQclear(last);
		PQfinish(r->conn);
		r->conn = NULL;
		if (r->role)
			pfree(r->role);
		r->role = NULL;
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (PQstatus(r->conn) == CONNECTION_BAD)
	{
		if (last)
			PQclear(last);
		return NULL;
	}
	return last;
}

/* Whether 'obj' asks an eventually consistent read: ConsistentRead absent or false */
static bool
eventual(const DynJson *obj)
{
	DynJson    *v;

	if (obj == NULL || obj->kind != DJ_OBJECT)
		return false;
	v = dynpg_req_member(obj, "ConsistentRead");
	return v == NULL || v->kind == DJ_FALSE;
}

/* Whether this read of this transaction may be served by a standby */
static bool
forwardable(const DynApiOperationInfo *op, const DynJson *request)
{
	if ((op->flags & DYN_OP_EVENTUAL_READ) == 0 || IsolationUsesXactSnapshot() ||
		TransactionIdIsValid(GetTopTransactionIdIfAny()) || request == NULL ||
		request->kind != DJ_OBJECT)
		return false;
	if (strcmp(op->name, "BatchGetItem") == 0)
	{
		DynJson    *items = dynpg_req_member(request, "RequestItems");
		int			i;

		if (items == NULL || items->kind != DJ_OBJECT || items->len == 0)
			return false;
		for (i = 0; i < items->len; i++)
			if (!eventual(items->members[i].val))
				return false;
		return true;
	}
	return eventual(request);
}

/*
 * The standby r's answer: 1 served (*response set), 0 not served (go on
 * with the next standby, then locally), -1 answered with a DynamoDB error
 * (serve the read locally at once).  Nothing the standby answers is raised
 * here; only the caller's own interrupts are.
 */
static int
replica_try(Replica *r, const DynApiOperationInfo *op, const char *reqtext,
			XLogRecPtr lsn, DynJson **response)
{
	const char *role = GetUserNameFromId(GetUserId(), false);
	PGresult   *res;
	const char *params[5];
	char	   *sqlstate;
	char	   *message;
	char	   *detail;

	if (r->retry_after != 0)
	{
		if (GetCurrentTimestamp() < r->retry_after)
			return 0;			/* resting after a failure */
		r->retry_after = 0;		/* rested: tried again */
	}
	if (r->conn != NULL && PQstatus(r->conn) != CONNECTION_OK)
		replica_failed(r, "lost its connection", false);
	if (r->conn == NULL && !replica_connect(r))
		return 0;
	if (r->role == NULL || strcmp(r->role, role) != 0)
	{
		res = replica_exec(r, psprintf("SET ROLE %s", quote_identifier(role)), 0, NULL);
		if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			char	   *why = res ? pstrdup(PQresultErrorMessage(res)) : NULL;

			if (res)
				PQclear(res);
			if (why != NULL)
			{
				while (*why && why[strlen(why) - 1] == '\n')
					why[strlen(why) - 1] = '\0';
				ereport(LOG,
						(errmsg("dynpg: read replica %d: SET ROLE %s failed; the read is served elsewhere: %s",
								(int) (r - replicas) + 1, role, why),
						 errhidestmt(true)));
				if (r->role)
					pfree(r->role);
				r->role = NULL;
			}
			else
				replica_failed(r, "lost its connection", false);
			return 0;
		}
		PQclear(res);
		if (r->role)
			pfree(r->role);
		r->role = MemoryContextStrdup(TopMemoryContext, role);
	}
	params[0] = psprintf(UINT64_FORMAT, GetSystemIdentifier());
	params[1] = DatumGetCString(DirectFunctionCall1(pg_lsn_out, LSNGetDatum(lsn)));
	params[2] = psprintf("%d", read_replica_max_lag);
	params[3] = op->name;
	params[4] = reqtext;
	res = replica_exec(r, "SELECT response FROM dynpg.replica_read($1, $2::pg_lsn, $3::float8, $4, $5)",
					   5, params);
	if (res == NULL)
	{
		replica_failed(r, "lost its connection", false);
		return 0;
	}
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && PQnfields(res) == 1)
	{
		if (PQgetisnull(res, 0, 0))
		{
			PQclear(res);
			return 0;			/* further behind than dynpg.read_replica_max_lag */
		}
		*response = dynpg_json_parse(pstrdup(PQgetvalue(res, 0, 0)), PQgetlength(res, 0, 0));
		PQclear(res);
		r->retry_after = 0;		/* served: no longer resting */
		return 1;
	}
	sqlstate = pstrdup(PQresultErrorField(res, PG_DIAG_SQLSTATE) ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : "XX000");
	message = pstrdup(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : "?");
	detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) ? pstrdup(PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL)) : NULL;
	PQclear(res);
	/*
	 * A DynamoDB error (the body in the detail): this server answers the
	 * read.  The standby's catalog may be behind this one's (a table or an
	 * index not replayed yet: ResourceNotFoundException, ValidationException),
	 * and forwarding must not turn a read that succeeds here into an error;
	 * a request at fault gets the same error here.  The standby is fine:
	 * it is not rested, and the request's faults are not logged; nor are
	 * the other standbys asked, whose catalogs are no newer than this one.
	 */
	if (detail != NULL && strncmp(detail, "{\"__type\":\"", 11) == 0)
	{
		ereport(DEBUG1,
				(errmsg("dynpg: read replica %d answered a %s with a DynamoDB error; the read is served here: %s",
						(int) (r - replicas) + 1, op->name, message),
				 errhidestmt(true)));
		return -1;
	}
	ereport(LOG,
			(errmsg("dynpg: read replica %d did not serve a %s and is left alone for %d s; the read is served elsewhere: %s (SQLSTATE %s)",
					(int) (r - replicas) + 1, op->name, REPLICA_RETRY_MS / 1000, message, sqlstate),
			 errhidestmt(true)));
	/* not a standby (any more), no dynpg.replica_read, a recovery conflict: rest it */
	r->retry_after = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), REPLICA_RETRY_MS);
	return 0;
}

DynJson *
dynpg_replica_forward(const DynApiOperationInfo *op, DynJson *request)
{
	char	   *reqtext;
	XLogRecPtr	lsn;
	int			i;

	if (read_replicas == NULL || read_replicas[0] == '\0' || RecoveryInProgress() ||
		!forwardable(op, request))
		return NULL;
	refresh_replicas();
	if (nreplicas == 0)
		return NULL;
	reqtext = dynpg_json_text(request);
	lsn = GetFlushRecPtr(NULL);
	for (i = 0; i < nreplicas; i++)
	{
		Replica    *r = &replicas[(next_replica + i) % nreplicas];
		DynJson    *response = NULL;
		int			rc = replica_try(r, op, reqtext, lsn, &response);

		if (rc == 1)
		{
			next_replica = (next_replica + i + 1) % nreplicas;
			return response;
		}
		if (rc < 0)
			break;
	}
	next_replica = (next_replica + 1) % nreplicas;
	return NULL;
}
