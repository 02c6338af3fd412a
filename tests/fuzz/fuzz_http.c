/*
 * libFuzzer harness: HTTP framing as the HTTP workers hand it to
 * libmicrohttpd (src/http/http_server.c), on arbitrary bytes.
 *
 * One daemon, configured as the workers configure theirs (no threads of its
 * own, external polling, a 64 KB connection memory pool, the same
 * callbacks' shape: headers walked with their count and size bounded, the
 * body gathered up to the 16 MB limit, 413 past it, one answer per request
 * with the workers' headers).  Each input is written into one end of a
 * socket pair whose other end the daemon adopts (MHD_add_connection); the
 * harness then runs the daemon until it has answered and closed, reading
 * the answers as a client would.  Checks: every answer starts with a status
 * line; the daemon never takes more than a bounded number of turns.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#define MAX_BODY	(16 * 1024 * 1024)
#define MAX_HEADERS	(16 * 1024)
#define MAX_HEADER_COUNT 100

typedef struct Pending
{
	char	   *body;
	size_t		len,
				cap;
	int			refused;
} Pending;

typedef struct Walk
{
	size_t		total;
	int			count;
} Walk;

static struct MHD_Daemon *daemon_;

static enum MHD_Result
walk(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
	 const char *value, size_t value_size)
{
	Walk	   *w = cls;

	w->total += key_size + value_size + 4;
	return ++w->count >= MAX_HEADER_COUNT ? MHD_NO : MHD_YES;
}

static enum MHD_Result
answer(struct MHD_Connection *conn, unsigned int status, const char *text)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *) text, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "x-amzn-RequestId", "FUZZ");
	MHD_add_response_header(r, "x-amz-crc32", "0");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/x-amz-json-1.0");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
		   const char *version, const char *upload_data, size_t *upload_data_size,
		   void **con_cls)
{
	Pending    *p = *con_cls;

	if (!p)
	{
		Walk		w = {strlen(url) + strlen(method) + 16, 0};
		const char *cl;

		p = calloc(1, sizeof(Pending));
		if (!p)
			return MHD_NO;
		*con_cls = p;
		MHD_get_connection_values_n(conn, MHD_HEADER_KIND, walk, &w);
		(void) MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Amz-Target");
		(void) MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
		if (w.count >= MAX_HEADER_COUNT || w.total > MAX_HEADERS)
		{
			p->refused = 1;
			return answer(conn, 400, "{\"__type\":\"SerializationException\"}");
		}
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoll(cl, NULL, 10) > MAX_BODY)
		{
			p->refused = 1;
			return answer(conn, 413, "Request body exceeds 16 MB");
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0)
	{
		size_t		n = *upload_data_size;

		*upload_data_size = 0;
		if (p->refused)
			return MHD_YES;
		if (p->len + n > MAX_BODY)
		{
			p->refused = 1;
			return answer(conn, 413, "Request body exceeds 16 MB");
		}
		if (p->cap < p->len + n)
		{
			size_t		cap = p->cap * 2 > p->len + n ? p->cap * 2 : p->len + n;
			char	   *b = realloc(p->body, cap);

			if (!b)
				return MHD_NO;
			p->body = b;
			p->cap = cap;
		}
		memcpy(p->body + p->len, upload_data, n);
		p->len += n;
		return MHD_YES;
	}
	if (p->refused)
		return MHD_YES;
	p->refused = 1;
	return answer(conn, 200, "{}");
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	Pending    *p = *con_cls;

	if (p)
	{
		free(p->body);
		free(p);
		*con_cls = NULL;
	}
}

static void
quiet(void *cls, const char *fmt, va_list ap)
{
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int			sv[2];
	struct sockaddr_in addr;
	size_t		sent = 0;
	int			turns;
	char		buf[65536];
	int			closed = 0;
	size_t		got = 0;

	if (!daemon_)
	{
		daemon_ = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG, 0, NULL, NULL,
								   on_request, NULL,
								   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (64 * 1024),
								   MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 16,
								   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 5,
								   MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
								   MHD_OPTION_EXTERNAL_LOGGER, quiet, NULL,
								   MHD_OPTION_END);
		if (!daemon_)
			abort();
	}
	if (size > 256 * 1024)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (MHD_add_connection(daemon_, sv[0], (struct sockaddr *) &addr, sizeof(addr)) != MHD_YES)
	{
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	for (turns = 0; turns < 2000 && !closed; turns++)
	{
		ssize_t		n;

		if (sent < size)
		{
			n = send(sv[1], data + sent, size - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += n;
			else if (n < 0 && errno != EAGAIN)
				sent = size;	/* the daemon closed its end */
			if (sent == size)
				shutdown(sv[1], SHUT_WR);
		}
		if (MHD_run(daemon_) != MHD_YES)
			abort();
		for (;;)
		{
			n = recv(sv[1], buf, sizeof(buf), 0);
			if (n == 0)
				closed = 1;
			if (n <= 0)
				break;
			/* the first bytes back are a status line */
			if (got < 7 && memcmp(buf, &"HTTP/1."[got], (size_t) n < 7 - got ? (size_t) n : 7 - got) != 0)
				abort();
			got += n;
		}
	}
	close(sv[1]);
	/* let the daemon notice the close and free the connection */
	for (turns = 0; turns < 50; turns++)
	{
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

		if (!di || di->num_connections == 0)
			break;
		MHD_run(daemon_);
	}
	return 0;
}
