/*-------------------------------------------------------------------------
 *
 * http_server.c
 *	  An HTTP worker: its sockets, libmicrohttpd driven from the worker's
 *	  own wait loop, and the framing of requests and responses
 *	  (src/http/README).
 *
 * Each worker is a PostgreSQL backend connected to dynpg.http_database.
 * It binds its own listening socket(s) to dynpg.http_port with
 * SO_REUSEPORT, so the kernel spreads new connections over the workers,
 * and runs libmicrohttpd (MHD) without any thread of its own.  With one
 * listener the worker waits in MHD's own epoll_wait (MHD_run_wait); with
 * several, MHD's epoll descriptors sit in the worker's WaitEventSet beside
 * its latch and postmaster death, and MHD_run() is called when one is
 * readable or MHD's timeout comes (see dynpg_http_worker_main).  Inside
 * MHD, HTTP is parsed and the callbacks here are called;
 * a complete request is processed at once, synchronously (http_request.c),
 * so one worker runs one request at a time while its other connections
 * wait in the kernel; other workers go on.
 *
 * No PostgreSQL error may unwind through MHD's stack: the callbacks below
 * call only what cannot raise (malloc-style allocation with a NULL check,
 * spinlocks), and dynpg_http_process() catches everything it raises.  A
 * FATAL (SIGTERM, postmaster death) ends the process, which is fine
 * anywhere.
 *
 * Limits: a request line and headers over DYN_HTTP_MAX_HEADERS get 400, a
 * body over DYN_HTTP_MAX_BODY (declared or received) 413, both before the
 * body is read on; MHD itself answers requests that overflow its
 * per-connection memory (431) and times out idle connections
 * (dynpg.http_idle_timeout).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>
#include <microhttpd.h>

#include "common/pg_prng.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/pmsignal.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/varlena.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "http/dynpg_http.h"
#include "http/dynpg_http_internal.h"
#include "base/dynpg_search_path.h"

#define MAX_LISTENERS	16
/*
 * MHD's memory per connection: the request line and headers (16 KB at most
 * pass our check), its read buffer and the response's headers.  MHD clears
 * what a request used when the next one starts, so a bigger pool costs
 * time on every request.
 */
#define MHD_POOL_BYTES	(32 * 1024)

/* the longest a lone listener's wait runs before interrupts are checked */
#define LONE_WAIT_MS	500

static struct MHD_Daemon *daemons[MAX_LISTENERS];
static int	ndaemons = 0;
static Oid	served_db = InvalidOid;
static MemoryContext requests_cxt = NULL;

/* One request being received. */
typedef struct Pending
{
	MemoryContext cxt;			/* everything of the request */
	DynHttpRequest req;
	bool		refused;		/* a response was queued before the body ended */
	int64		declared;		/* Content-Length, or -1 */
	uint64		bytes_in;
	TimestampTz start;
} Pending;

/* ---------------------------------------------------------------------
 * Responses
 * ---------------------------------------------------------------------
 */

/*
 * A random request id: 52 characters of [A-Z0-9], as DynamoDB's look.  An
 * id only has to be unique enough to find a request in logs, not secret:
 * the worker's own PRNG, seeded from a strong source at its start, spares
 * a strong random read (and its getpid()) per request.
 */
static pg_prng_state request_ids;

static void
request_id(char out[53])
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	int			i;

	for (i = 0; i < 52; i++)
		out[i] = chars[pg_prng_uint64_range(&request_ids, 0, 35)];
	out[52] = '\0';
}

static enum MHD_Result
queue(struct MHD_Connection *conn, int status, const char *content_type,
	  const char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char		id[53];
	char		crc[16];

	r = MHD_create_response_from_buffer(len, (void *) body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	request_id(id);
	snprintf(crc, sizeof(crc), "%lu", crc32(0L, (const Bytef *) body, (uInt) len));
	MHD_add_response_header(r, "x-amzn-RequestId", id);
	MHD_add_response_header(r, "x-amz-crc32", crc);
	if (content_type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	ret = MHD_queue_response(conn, (unsigned int) status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A framing error, answered before the request reaches the processing. */
static enum MHD_Result
refuse(struct MHD_Connection *conn, Pending *p, int status, const char *type,
	   const char *message)
{
	char		body[512];
	int			len;

	if (type != NULL)
		len = snprintf(body, sizeof(body), "{\"__type\":\"%s\",\"message\":\"%s\"}", type, message);
	else
		len = 0;
	p->refused = true;
	dynpg_http_count(status, p->bytes_in, (uint64) len, message);
	return queue(conn, status, "application/x-amz-json-1.0", body, (size_t) Max(len, 0));
}

/* ---------------------------------------------------------------------
 * Callbacks from MHD
 * ---------------------------------------------------------------------
 */

typedef struct HeaderWalk
{
	Pending    *p;
	size_t		total;
	bool		too_many;
} HeaderWalk;

static enum MHD_Result
collect_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
			   const char *value, size_t value_size)
{
	HeaderWalk *w = (HeaderWalk *) cls;
	DynHttpRequest *req = &w->p->req;

	w->total += key_size + value_size + 4;
	if (req->nheaders == DYN_HTTP_MAX_HEADER_COUNT)
	{
		w->too_many = true;
		return MHD_NO;
	}
	req->headers[req->nheaders].name = key;
	req->headers[req->nheaders].namelen = key_size;
	req->headers[req->nheaders].value = value != NULL ? value : "";
	req->headers[req->nheaders].valuelen = value != NULL ? value_size : 0;
	req->nheaders++;
	return MHD_YES;
}

typedef struct QueryWalk
{
	StringInfo	out;
	bool		failed;
} QueryWalk;

/* Rebuild the query string from MHD's (decoded) arguments, re-encoded. */
static enum MHD_Result
collect_argument(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
				 const char *value, size_t value_size)
{
	QueryWalk  *w = (QueryWalk *) cls;
	static const char hex[] = "0123456789ABCDEF";
	int			k;

	if (w->out->len > 0)
		appendStringInfoChar(w->out, '&');
	for (k = 0; k < 2; k++)
	{
		const char *s = k == 0 ? key : (value ? value : "");
		size_t		n = k == 0 ? key_size : (value ? value_size : 0);
		size_t		i;

		if (k == 1)
			appendStringInfoChar(w->out, '=');
		for (i = 0; i < n; i++)
		{
			unsigned char c = (unsigned char) s[i];

			if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
				appendStringInfoChar(w->out, (char) c);
			else
			{
				appendStringInfoChar(w->out, '%');
				appendStringInfoChar(w->out, hex[c >> 4]);
				appendStringInfoChar(w->out, hex[c & 15]);
			}
		}
	}
	return MHD_YES;
}

/*
 * The first call for a request: headers are complete.  Allocation here is
 * in the request's own context, with MCXT_ALLOC_NO_OOM where a failure
 * would otherwise raise.
 */
static Pending *
begin_request(struct MHD_Connection *conn, const char *url, const char *method)
{
	MemoryContext cxt;
	MemoryContext old;
	Pending    *p;
	HeaderWalk	w;
	const char *cl;

	cxt = AllocSetContextCreate(requests_cxt, "dynpg http request", ALLOCSET_DEFAULT_SIZES);
	p = MemoryContextAllocExtended(cxt, sizeof(Pending), MCXT_ALLOC_NO_OOM | MCXT_ALLOC_ZERO);
	if (p == NULL)
	{
		MemoryContextDelete(cxt);
		return NULL;
	}
	p->cxt = cxt;
	p->start = GetCurrentTimestamp();
	p->declared = -1;
	old = MemoryContextSwitchTo(cxt);
	p->req.method = pstrdup(method);
	p->req.path = pstrdup(url);
	p->req.database = served_db;
	initStringInfo(&p->req.body);
	{
		StringInfoData q;
		QueryWalk	qw;

		initStringInfo(&q);
		qw.out = &q;
		qw.failed = false;
		MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, collect_argument, &qw);
		p->req.query = q.data;
	}
	MemoryContextSwitchTo(old);

	w.p = p;
	w.total = strlen(url) + strlen(method) + 16;
	w.too_many = false;
	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, collect_header, &w);
	if (w.too_many || w.total > DYN_HTTP_MAX_HEADERS)
	{
		(void) refuse(conn, p, MHD_HTTP_BAD_REQUEST, "com.amazon.coral.service#SerializationException",
					  "Request line and headers exceed 16 KB");
		return p;
	}
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL)
	{
		char	   *end;
		long long	v;

		errno = 0;
		v = strtoll(cl, &end, 10);
		if (errno == 0 && end != cl && *end == '\0' && v >= 0)
			p->declared = v;
	}
	if (p->declared > DYN_HTTP_MAX_BODY)
		(void) refuse(conn, p, MHD_HTTP_CONTENT_TOO_LARGE, NULL, "Request body exceeds 16 MB");
	return p;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
		   const char *version, const char *upload_data, size_t *upload_data_size,
		   void **con_cls)
{
	Pending    *p = (Pending *) *con_cls;

	if (p == NULL)
	{
		p = begin_request(conn, url, method);
		if (p == NULL)
			return MHD_NO;		/* out of memory: MHD closes the connection */
		*con_cls = p;
		/* a refusal is queued now; MHD then skips "100 Continue" and the body */
		return MHD_YES;
	}
	if (*upload_data_size > 0)
	{
		size_t		n = *upload_data_size;

		*upload_data_size = 0;
		p->bytes_in += n;
		if (p->refused)
			return MHD_YES;		/* discard what follows a refusal */
		if ((uint64) p->req.body.len + n > DYN_HTTP_MAX_BODY)
			return refuse(conn, p, MHD_HTTP_CONTENT_TOO_LARGE, NULL, "Request body exceeds 16 MB");
		/* grow the buffer without raising: enlargeStringInfo would ERROR */
		if ((size_t) p->req.body.maxlen < (size_t) p->req.body.len + n + 1)
		{
			size_t		newlen = Max((size_t) p->req.body.maxlen * 2, (size_t) p->req.body.len + n + 1);
			char	   *buf = MemoryContextAllocExtended(p->cxt, newlen, MCXT_ALLOC_NO_OOM | MCXT_ALLOC_HUGE);

			if (buf == NULL)
				return refuse(conn, p, MHD_HTTP_INTERNAL_SERVER_ERROR,
							  "com.amazonaws.dynamodb.v20120810#InternalServerError",
							  "Out of memory receiving the request");
			memcpy(buf, p->req.body.data, p->req.body.len);
			p->req.body.data = buf;
			p->req.body.maxlen = (int) newlen;
		}
		memcpy(p->req.body.data + p->req.body.len, upload_data, n);
		p->req.body.len += (int) n;
		p->req.body.data[p->req.body.len] = '\0';
		return MHD_YES;
	}
	if (p->refused)
		return MHD_YES;

	/* the whole request is here */
	{
		DynHttpResponse resp;
		MemoryContext old = MemoryContextSwitchTo(p->cxt);
		enum MHD_Result ret;
		double		ms;

		memset(&resp, 0, sizeof(resp));
		dynpg_http_process(&p->req, &resp);
		ret = queue(conn, resp.status, resp.content_type, resp.body.data, resp.body.len);
		ms = (double) (GetCurrentTimestamp() - p->start) / 1000.0;
		dynpg_http_count(resp.status, p->bytes_in, (uint64) resp.body.len,
						 resp.error_type && resp.error_message ?
						 psprintf("%s: %s", resp.error_type, resp.error_message) :
						 resp.error_type ? resp.error_type : resp.error_message);
		if (dynpg_http_log_requests)
			ereport(LOG,
					(errmsg("dynpg http: %s %s %s %d %.3f ms",
							resp.operation ? resp.operation : "-",
							resp.table ? resp.table : "-",
							resp.error_type ? resp.error_type : "-",
							resp.status, ms),
					 errhidestmt(true), errhidecontext(true)));
		MemoryContextSwitchTo(old);
		p->refused = true;		/* answered */
		return ret;
	}
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	Pending    *p = (Pending *) *con_cls;

	if (p != NULL)
		MemoryContextDelete(p->cxt);
	*con_cls = NULL;
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	DynHttpSlot *s = dynpg_http_my_slot;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
	{
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		int			one = 1;

		if (ci != NULL)
			(void) setsockopt(ci->connect_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	if (s == NULL)
		return;
	SpinLockAcquire(&s->mutex);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
	{
		s->connections++;
		s->connections_total++;
	}
	else if (s->connections > 0)
		s->connections--;
	SpinLockRelease(&s->mutex);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char		buf[512];
	int			n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	ereport(DEBUG1, (errmsg_internal("dynpg http (libmicrohttpd): %s", buf)));
}

/* ---------------------------------------------------------------------
 * Sockets
 * ---------------------------------------------------------------------
 */

/* Bind one listening socket; -1 (with a WARNING) if it cannot be. */
static int
listen_on(const struct addrinfo *ai, const char *name)
{
	int			fd;
	int			one = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
	{
		ereport(WARNING, (errcode_for_socket_access(),
						  errmsg("dynpg http: could not create a socket for \"%s\": %m", name)));
		return -1;
	}
	(void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		ereport(WARNING, (errcode_for_socket_access(),
						  errmsg("dynpg http: SO_REUSEPORT is not available: %m")));
	if (ai->ai_family == AF_INET6)
		(void) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1024) < 0)
	{
		ereport(WARNING, (errcode_for_socket_access(),
						  errmsg("dynpg http: could not listen on \"%s\" port %d: %m",
								 name, dynpg_http_port)));
		close(fd);
		return -1;
	}
	return fd;
}

static void
start_daemon(int fd)
{
	struct MHD_Daemon *d;

	d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
						 on_request, NULL,
						 MHD_OPTION_LISTEN_SOCKET, fd,
						 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) MHD_POOL_BYTES,
						 MHD_OPTION_CONNECTION_LIMIT, (unsigned int) dynpg_http_max_connections,
						 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) dynpg_http_idle_timeout,
						 MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
						 MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
						 MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
						 MHD_OPTION_END);
	if (d == NULL)
	{
		close(fd);
		ereport(WARNING, (errmsg("dynpg http: libmicrohttpd could not start on a socket")));
		return;
	}
	daemons[ndaemons++] = d;
}

/* Listen on every address of dynpg.http_listen_addresses. */
static void
open_listeners(void)
{
	char	   *raw = pstrdup(dynpg_http_listen_addresses);
	List	   *names;
	ListCell   *lc;
	char		port[16];

	snprintf(port, sizeof(port), "%d", dynpg_http_port);
	if (!SplitGUCList(raw, ',', &names))
		ereport(FATAL, (errmsg("dynpg.http_listen_addresses is not a valid list: \"%s\"",
							   dynpg_http_listen_addresses)));
	foreach(lc, names)
	{
		char	   *name = (char *) lfirst(lc);
		struct addrinfo hints;
		struct addrinfo *res;
		struct addrinfo *ai;
		int			rc;

		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE;
		rc = getaddrinfo(strcmp(name, "*") == 0 ? NULL : name, port, &hints, &res);
		if (rc != 0)
		{
			ereport(WARNING, (errmsg("dynpg http: could not resolve \"%s\": %s", name,
									 gai_strerror(rc))));
			continue;
		}
		for (ai = res; ai != NULL && ndaemons < MAX_LISTENERS; ai = ai->ai_next)
		{
			int			fd = listen_on(ai, name);

			if (fd >= 0)
				start_daemon(fd);
		}
		freeaddrinfo(res);
	}
	if (ndaemons == 0)
		ereport(FATAL,
				(errmsg("dynpg http: could not listen on any address of dynpg.http_listen_addresses (\"%s\") port %d",
						dynpg_http_listen_addresses, dynpg_http_port)));
}

/* ---------------------------------------------------------------------
 * The worker
 * ---------------------------------------------------------------------
 */
static void
http_worker_exit(int code, Datum arg)
{
	int			i;

	for (i = 0; i < ndaemons; i++)
		MHD_stop_daemon(daemons[i]);
	ndaemons = 0;
	if (dynpg_http_my_slot != NULL)
	{
		SpinLockAcquire(&dynpg_http_my_slot->mutex);
		dynpg_http_my_slot->pid = 0;
		dynpg_http_my_slot->connections = 0;
		SpinLockRelease(&dynpg_http_my_slot->mutex);
	}
}

void
dynpg_http_worker_main(Datum main_arg)
{
	int			i = DatumGetInt32(main_arg);
	uint32		generation;
	DynHttpSlot *slot;
	WaitEventSet *set;
	int			k;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	if (i < 0 || i >= DYN_HTTP_MAX_WORKERS || dynpg_http_shared == NULL)
		proc_exit(0);
	slot = &dynpg_http_shared->slots[i];
	memcpy(&generation, MyBgworkerEntry->bgw_extra, sizeof(generation));
	SpinLockAcquire(&slot->mutex);
	if (slot->generation != generation || slot->pid != 0)
	{
		/* a stale registration: a newer worker owns the slot */
		SpinLockRelease(&slot->mutex);
		proc_exit(0);
	}
	slot->pid = MyProcPid;
	served_db = slot->dboid;
	slot->started = GetCurrentTimestamp();
	slot->connections = 0;
	SpinLockRelease(&slot->mutex);
	dynpg_http_my_slot = slot;
	before_shmem_exit(http_worker_exit, 0);

	/* the database served, or none (every request then says it is missing) */
	if (OidIsValid(served_db))
		BackgroundWorkerInitializeConnectionByOid(served_db, InvalidOid, 0);
	else
		BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	/* requests run as their roles, some steps as dynpg's owner: a fixed search_path */
	dynpg_search_path_set_for_process();
	pgstat_report_appname("dynpg http");
	if (!pg_prng_strong_seed(&request_ids))
		pg_prng_seed(&request_ids, (uint64) MyProcPid ^ (uint64) GetCurrentTimestamp());

	requests_cxt = AllocSetContextCreate(TopMemoryContext, "dynpg http requests",
										 ALLOCSET_DEFAULT_SIZES);
	open_listeners();
	ereport(LOG,
			(errmsg("dynpg http worker %d listening on port %d (%s), serving database \"%s\"%s",
					i, dynpg_http_port, dynpg_http_listen_addresses, dynpg_http_database,
					OidIsValid(served_db) ? "" : " (which does not exist)")));

	/*
	 * One listener (the usual case): wait inside MHD's own epoll_wait
	 * (MHD_run_wait), so that a request costs one wait, not two (the wait
	 * set's on MHD's epoll descriptor, then MHD's).  The latch is not
	 * watched there, but every signal that matters ends epoll_wait
	 * (Linux never restarts it): SIGTERM, SIGHUP, SIGINT and the postmaster's
	 * death signal; a signal that comes just before the wait starts is
	 * seen at most LONE_WAIT_MS later.  Several listeners: the wait set
	 * holds every MHD descriptor beside the latch and postmaster death.
	 */
	if (ndaemons == 1)
	{
		for (;;)
		{
			CHECK_FOR_INTERRUPTS();
			if (ConfigReloadPending)
			{
				ConfigReloadPending = false;
				ProcessConfigFile(PGC_SIGHUP);
			}
			if (!PostmasterIsAlive())
				proc_exit(1);
			pgstat_report_wait_start(PG_WAIT_EXTENSION);
			(void) MHD_run_wait(daemons[0], LONE_WAIT_MS);
			pgstat_report_wait_end();
			(void) dynpg_http_flush_stats();
		}
	}

	set = CreateWaitEventSet(TopMemoryContext, 2 + ndaemons);
	AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	for (k = 0; k < ndaemons; k++)
	{
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(daemons[k], MHD_DAEMON_INFO_EPOLL_FD);

		if (di == NULL)
			ereport(FATAL, (errmsg("dynpg http: libmicrohttpd has no epoll descriptor")));
		AddWaitEventToSet(set, WL_SOCKET_READABLE, di->epoll_fd, NULL, NULL);
	}

	for (;;)
	{
		WaitEvent	events[MAX_LISTENERS + 2];
		long		timeout = 10000;

		for (k = 0; k < ndaemons; k++)
		{
			MHD_UNSIGNED_LONG_LONG t;

			if (MHD_get_timeout(daemons[k], &t) == MHD_YES)
				timeout = Min(timeout, (long) Min(t, (MHD_UNSIGNED_LONG_LONG) 10000));
		}
		if (dynpg_http_flush_stats())
			timeout = Min(timeout, 1000);
		(void) WaitEventSetWait(set, timeout, events, lengthof(events), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			/* port, addresses and database: the launcher restarts us */
		}
		for (k = 0; k < ndaemons; k++)
			(void) MHD_run(daemons[k]);
	}
}
