/*-------------------------------------------------------------------------
 *
 * dynpg_http_internal.h
 *	  What the files of src/http share: settings, the shared status of the
 *	  workers, and the request as the server hands it to the processing.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_HTTP_INTERNAL_H
#define DYNPG_HTTP_INTERNAL_H

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "storage/spin.h"

/* Limits */
#define DYN_HTTP_MAX_WORKERS	64
#define DYN_HTTP_MAX_BODY		(16 * 1024 * 1024)	/* DynamoDB's request size limit */
#define DYN_HTTP_MAX_HEADERS	(16 * 1024)		/* request line and headers */
#define DYN_HTTP_MAX_HEADER_COUNT 128
#define DYN_HTTP_LAST_ERROR_LEN	256

/* Settings (GUCs, http_main.c) */
extern int	dynpg_http_port;
extern char *dynpg_http_listen_addresses;
extern int	dynpg_http_workers;
extern char *dynpg_http_database;
extern int	dynpg_http_auth;
extern char *dynpg_http_trust_role;
extern bool dynpg_http_log_requests;
extern int	dynpg_http_max_connections;
extern int	dynpg_http_idle_timeout;

typedef enum DynHttpAuthMode
{
	DYN_HTTP_AUTH_SIGV4,
	DYN_HTTP_AUTH_TRUST
} DynHttpAuthMode;

/*
 * One worker's status in shared memory.  The launcher fills the identity
 * fields before it starts the worker; the worker its counters, under the
 * slot's spinlock; dynpg.http_status copies them under it.
 */
typedef struct DynHttpSlot
{
	slock_t		mutex;
	uint32		generation;		/* bumped at each start: a stale worker exits */
	int			pid;			/* 0 when no worker runs */
	Oid			dboid;			/* the database served (InvalidOid: none) */
	int			port;
	TimestampTz started;
	uint64		connections;	/* open now */
	uint64		connections_total;
	uint64		requests;
	uint64		errors;			/* responses with status >= 400 */
	uint64		bytes_in;
	uint64		bytes_out;
	TimestampTz last_error_at;
	char		last_error[DYN_HTTP_LAST_ERROR_LEN];
} DynHttpSlot;

typedef struct DynHttpShared
{
	DynHttpSlot slots[DYN_HTTP_MAX_WORKERS];
} DynHttpShared;

extern DynHttpShared *dynpg_http_shared;

/* The slot of this worker (http_main.c), NULL outside an HTTP worker. */
extern DynHttpSlot *dynpg_http_my_slot;

/* Record a response in this worker's counters (and its error, if any). */
extern void dynpg_http_count(int status, uint64 bytes_in, uint64 bytes_out,
							 const char *error);

/* ---------------------------------------------------------------------
 * A request, as the server (http_server.c) collected it
 * ---------------------------------------------------------------------
 */
typedef struct DynHttpHeader
{
	const char *name;
	size_t		namelen;
	const char *value;
	size_t		valuelen;
} DynHttpHeader;

typedef struct DynHttpRequest
{
	const char *method;
	const char *path;			/* without the query */
	const char *query;			/* after '?', or "" */
	int			nheaders;
	DynHttpHeader headers[DYN_HTTP_MAX_HEADER_COUNT];
	StringInfoData body;		/* as received (compressed if gzip) */
	Oid			database;		/* the worker's database, or InvalidOid */
} DynHttpRequest;

/* The response the processing hands back to the server */
typedef struct DynHttpResponse
{
	int			status;
	const char *content_type;
	StringInfoData body;
	const char *error_type;		/* DynamoDB's exception name (after the '#'), or NULL */
	const char *error_message;	/* what went wrong, for the status view, or NULL */
	const char *operation;		/* for the log, or NULL */
	const char *table;			/* for the log, or NULL */
} DynHttpResponse;

/*
 * Process one complete request (http_request.c): framing checks already
 * done.  Never raises: every error becomes a response.  Runs in the
 * caller's memory context, which holds the response.
 */
extern void dynpg_http_process(DynHttpRequest *req, DynHttpResponse *resp);
extern bool dynpg_http_flush_stats(void);

/*
 * Access keys (http_keys.c): the secret and role of access key 'id' (false
 * if there is none), from this worker's cache or, at most every few
 * seconds, from dynpg._access_keys; and forgetting a cached key (after a
 * signature mismatch, so a changed key is read again).  In a transaction.
 */
extern bool dynpg_http_key_lookup(const char *id, size_t idlen, char **secret, Oid *role);
extern void dynpg_http_key_forget(const char *id, size_t idlen);

/* The first value of a header (case-insensitive name), or NULL. */
extern const DynHttpHeader *dynpg_http_header(const DynHttpRequest *req, const char *name);

#endif							/* DYNPG_HTTP_INTERNAL_H */
