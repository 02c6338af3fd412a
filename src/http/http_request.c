/*-------------------------------------------------------------------------
 *
 * http_request.c
 *	  Processing one DynamoDB HTTP request: its checks in DynamoDB's order,
 *	  authentication, and the operation run as one transaction as the
 *	  request's role (src/http/README, "A request").
 *
 * The order is DynamoDB's (as recorded from the service by dynalite's
 * author): the method and Content-Type (404), the JSON (a
 * SerializationException), X-Amz-Target (UnknownOperationException), the
 * signature (sigv4.c's order), an empty body (SerializationException),
 * then the operation itself, whose errors are the API layer's: their
 * DETAIL is DynamoDB's error body, sent as it is.
 *
 * The operation runs in a transaction of its own, with the transaction's
 * snapshot active, as the role the access key maps to (SetUserIdAndSecContext
 * as SECURITY DEFINER functions do; aborting the transaction restores the
 * worker's own), under statement_timeout.  The response is written before
 * the commit and sent only after it: a client never hears of a write that
 * did not commit.  Any error -- DynamoDB's, PostgreSQL's, a cancel, a
 * timeout -- is caught here and becomes a response; the worker goes on.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>
#include <zlib.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timeout.h"

#include "api/dynpg_api.h"
#include "api/dynpg_wire.h"
#include "base/dynpg_json.h"
#include "base/dynpg_preload.h"
#include "http/dynpg_http_internal.h"
#include "http/dynpg_sigv4.h"

#define CORAL			"com.amazon.coral.service#"
#define DYNAMODB		"com.amazonaws.dynamodb.v20120810#"
#define TARGET_PREFIX	"DynamoDB_20120810."
#define STREAMS_PREFIX	"DynamoDBStreams_20120810."
#define JSON_TYPE		"application/x-amz-json-1.0"

/* the name of the role the current request runs as (for AccessDeniedException) */
static char *request_role_name = NULL;

/* ---------------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------------
 */

const DynHttpHeader *
dynpg_http_header(const DynHttpRequest *req, const char *name)
{
	size_t		n = strlen(name);
	int			i;

	for (i = 0; i < req->nheaders; i++)
		if (req->headers[i].namelen == n && pg_strncasecmp(req->headers[i].name, name, n) == 0)
			return &req->headers[i];
	return NULL;
}

/* An error response: {"__type": type, "message": message} (message may be NULL). */
/* "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" -> the name */
static const char *
exception_name(const char *type)
{
	const char *hash = strchr(type, '#');

	return hash ? hash + 1 : type;
}

static void
error_response(DynHttpResponse *resp, int status, const char *type, const char *message)
{
	resp->status = status;
	resp->content_type = JSON_TYPE;
	resetStringInfo(&resp->body);
	appendStringInfoString(&resp->body, "{\"__type\":");
	escape_json(&resp->body, type);
	if (message != NULL)
	{
		appendStringInfoString(&resp->body, ",\"message\":");
		escape_json(&resp->body, message);
	}
	appendStringInfoChar(&resp->body, '}');
	resp->error_type = exception_name(type);
	resp->error_message = message;
}

/* Content-Type without parameters, lowercased; NULL if absent. */
static char *
media_type(const DynHttpRequest *req)
{
	const DynHttpHeader *h = dynpg_http_header(req, "Content-Type");
	char	   *s;
	char	   *semi;
	int			i;

	if (h == NULL)
		return NULL;
	s = pnstrdup(h->value, h->valuelen);
	semi = strchr(s, ';');
	if (semi)
		*semi = '\0';
	for (i = strlen(s) - 1; i >= 0 && (s[i] == ' ' || s[i] == '\t'); i--)
		s[i] = '\0';
	for (i = 0; s[i]; i++)
		s[i] = pg_tolower((unsigned char) s[i]);
	return s;
}

/*
 * Inflate a gzip or deflate body into 'out', at most DYN_HTTP_MAX_BODY
 * bytes.  Returns false (with *too_large) when it does not inflate.
 */
static bool
inflate_body(const StringInfo in, bool gzip, StringInfo out, bool *too_large)
{
	z_stream	zs;
	int			rc;
	bool		ok = false;

	*too_large = false;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, gzip ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK)
		return false;
	zs.next_in = (Bytef *) in->data;
	zs.avail_in = in->len;
	for (;;)
	{
		if (out->maxlen - out->len < 65536)
		{
			if (out->len + 65536 > DYN_HTTP_MAX_BODY + 1)
			{
				*too_large = true;
				break;
			}
			enlargeStringInfo(out, 65536);
		}
		zs.next_out = (Bytef *) out->data + out->len;
		zs.avail_out = out->maxlen - out->len - 1;
		rc = inflate(&zs, Z_NO_FLUSH);
		out->len = (char *) zs.next_out - out->data;
		out->data[out->len] = '\0';
		if (out->len > DYN_HTTP_MAX_BODY)
		{
			*too_large = true;
			break;
		}
		if (rc == Z_STREAM_END)
		{
			ok = zs.avail_in == 0;
			break;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			break;
		if (rc == Z_BUF_ERROR && zs.avail_in == 0)
			break;				/* truncated */
	}
	inflateEnd(&zs);
	return ok;
}

/* ---------------------------------------------------------------------
 * Authentication
 * ---------------------------------------------------------------------
 */

static void
sigv4_error(DynHttpResponse *resp, DynSigV4Result r, const char *msg)
{
	switch (r)
	{
		case DYN_SIGV4_MISSING_TOKEN:
			error_response(resp, 400, CORAL "MissingAuthenticationTokenException", msg);
			break;
		case DYN_SIGV4_INCOMPLETE:
			error_response(resp, 400, CORAL "IncompleteSignatureException", msg);
			break;
		case DYN_SIGV4_INVALID_SIGNATURE:
			error_response(resp, 400, CORAL "InvalidSignatureException", msg);
			break;
		case DYN_SIGV4_UNRECOGNIZED:
			error_response(resp, 400, CORAL "UnrecognizedClientException", msg);
			break;
		case DYN_SIGV4_OK:
			break;
	}
}

/*
 * Check the request's signature up to the key: the header's form, its
 * date, its scope.  Fills *auth and *sreq (whose header slices point into
 * 'req').  false with an error response when a check fails.
 */
static bool
check_signature_form(DynHttpRequest *req, DynHttpResponse *resp, bool trust,
					 DynSigV4Auth *auth, DynSigV4Request *sreq, DynSigV4Header *hdrs)
{
	const DynHttpHeader *ah = dynpg_http_header(req, "Authorization");
	char		msg[2048];
	DynSigV4Result r;
	int			i;

	for (i = 0; i < req->nheaders; i++)
	{
		hdrs[i].name.p = req->headers[i].name;
		hdrs[i].name.len = req->headers[i].namelen;
		hdrs[i].value.p = req->headers[i].value;
		hdrs[i].value.len = req->headers[i].valuelen;
	}
	memset(sreq, 0, sizeof(*sreq));
	sreq->method.p = req->method;
	sreq->method.len = strlen(req->method);
	sreq->path.p = req->path;
	sreq->path.len = strlen(req->path);
	sreq->query.p = req->query;
	sreq->query.len = strlen(req->query);
	sreq->nheaders = req->nheaders;
	sreq->headers = hdrs;
	dynpg_sigv4_sha256(req->body.data, req->body.len, sreq->body_sha256);

	r = dynpg_sigv4_parse(ah ? ah->value : "", ah ? ah->valuelen : 0, auth, msg, sizeof(msg));
	if (r == DYN_SIGV4_OK)
		r = dynpg_sigv4_check(sreq, auth, trust ? INT64CONST(0) : (int64) time(NULL), msg, sizeof(msg));
	if (r == DYN_SIGV4_INVALID_SIGNATURE && trust)
	{
		/* trust: the time and the scope's pieces are not held against a client */
		r = DYN_SIGV4_OK;
	}
	if (r != DYN_SIGV4_OK)
	{
		sigv4_error(resp, r, msg);
		return false;
	}
	return true;
}

/*
 * The role the request runs as, or InvalidOid with an error response.  In
 * a transaction (the key is looked up in dynpg._access_keys).
 */
static Oid
authenticate(DynHttpRequest *req, DynHttpResponse *resp)
{
	DynSigV4Auth auth;
	DynSigV4Request sreq;
	DynSigV4Header *hdrs = palloc(sizeof(DynSigV4Header) * Max(req->nheaders, 1));
	bool		trust = dynpg_http_auth == DYN_HTTP_AUTH_TRUST;
	char	   *secret;
	Oid			role;
	char		stamp[17];
	int64		t;
	char		msg[512];
	char	   *work;
	char		expected[DYN_SIGV4_HEX_LEN + 1];

	if (!check_signature_form(req, resp, trust, &auth, &sreq, hdrs))
		return InvalidOid;
	if (trust)
	{
		if (dynpg_http_trust_role == NULL || dynpg_http_trust_role[0] == '\0')
		{
			error_response(resp, 500, DYNAMODB "InternalServerError",
						   "dynpg.http_auth is trust, but dynpg.http_trust_role names no role");
			return InvalidOid;
		}
		role = get_role_oid(dynpg_http_trust_role, true);
		if (request_role_name)
			pfree(request_role_name);
		request_role_name = MemoryContextStrdup(TopMemoryContext, dynpg_http_trust_role);
		if (!OidIsValid(role))
			error_response(resp, 500, DYNAMODB "InternalServerError",
						   psprintf("dynpg.http_trust_role names role \"%s\", which does not exist",
									dynpg_http_trust_role));
		return role;
	}
	if (!dynpg_http_key_lookup(auth.access_key.p, auth.access_key.len, &secret, &role))
	{
		error_response(resp, 400, CORAL "UnrecognizedClientException",
					   "The security token included in the request is invalid.");
		return InvalidOid;
	}
	(void) dynpg_sigv4_request_time(&sreq, &auth, &t, stamp, msg, sizeof(msg));
	work = palloc(32768 + DYN_HTTP_MAX_HEADERS);
	if (!dynpg_sigv4_expected(&sreq, &auth, stamp, secret, strlen(secret), work,
							  32768 + DYN_HTTP_MAX_HEADERS, expected) ||
		!dynpg_sigv4_signature_matches(&auth, expected))
	{
		/* read the key again next time: it may have been replaced */
		dynpg_http_key_forget(auth.access_key.p, auth.access_key.len);
		error_response(resp, 400, CORAL "InvalidSignatureException",
					   "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
		return InvalidOid;
	}
	if (!OidIsValid(role) || !SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(role)))
	{
		error_response(resp, 400, CORAL "UnrecognizedClientException",
					   "The security token included in the request is invalid.");
		return InvalidOid;
	}
	if (request_role_name)
		pfree(request_role_name);
	request_role_name = MemoryContextStrdup(TopMemoryContext, GetUserNameFromId(role, false));
	return role;
}

/* ---------------------------------------------------------------------
 * Running the operation
 * ---------------------------------------------------------------------
 */

/*
 * The request's Host header, the address the client reached this server
 * by (for DescribeEndpoints): a host name or an address, with its port if
 * given, 1..255 characters of letters, digits and . - _ : [ ] (NULL if
 * absent or anything else).
 */
static const char *
client_endpoint(const DynHttpRequest *req)
{
	const DynHttpHeader *h = dynpg_http_header(req, "Host");
	size_t		i;

	if (h == NULL || h->valuelen == 0 || h->valuelen > 255)
		return NULL;
	for (i = 0; i < h->valuelen; i++)
		if (!isalnum((unsigned char) h->value[i]) && strchr(".-_:[]", h->value[i]) == NULL)
			return NULL;
	return pnstrdup(h->value, h->valuelen);
}

/*
 * The TableName member of the request, or its ResourceArn (the tagging
 * operations), for the log and AccessDenied (NULL if none).
 */
static const char *
table_of(const DynJson *request)
{
	int			i;

	if (request == NULL || request->kind != DJ_OBJECT)
		return NULL;
	for (i = 0; i < request->len; i++)
		if (((request->members[i].keylen == 9 && memcmp(request->members[i].key, "TableName", 9) == 0) ||
			 (request->members[i].keylen == 11 && memcmp(request->members[i].key, "ResourceArn", 11) == 0)) &&
			request->members[i].val->kind == DJ_STRING)
			return pnstrdup(request->members[i].val->str, request->members[i].val->len);
	return NULL;
}

/*
 * An error raised by the operation, as a response.  DynamoDB's own errors
 * carry their response body as DETAIL (base/dynpg_error.h), also when the
 * API layer kept a PostgreSQL SQLSTATE (conflicts); PostgreSQL's errors
 * become the DynamoDB exceptions they stand for, or InternalServerError.
 */
static void
error_from(ErrorData *e, DynHttpResponse *resp, const char *operation, const char *table)
{
	if (e->detail != NULL && strncmp(e->detail, "{\"__type\":\"", 11) == 0)
	{
		/* ServiceUnavailable: what a standby cannot serve (api/replica.c) */
		resp->status = strstr(e->detail, "#InternalServerError\"") != NULL ? 500 :
			strstr(e->detail, "#ServiceUnavailable\"") != NULL ? 503 : 400;
		resp->content_type = JSON_TYPE;
		resetStringInfo(&resp->body);
		appendStringInfoString(&resp->body, e->detail);
		{
			/* the name out of {"__type":"...#Name", ... */
			const char *t = e->detail + 11;
			const char *end = strchr(t, '"');

			resp->error_type = exception_name(end ? pnstrdup(t, end - t) : t);
		}
		resp->error_message = e->message;
		return;
	}
	switch (e->sqlerrcode)
	{
		case ERRCODE_INSUFFICIENT_PRIVILEGE:
			resp->status = 400;
			resp->content_type = JSON_TYPE;
			resetStringInfo(&resp->body);
			appendStringInfoString(&resp->body, "{\"__type\":\"" CORAL "AccessDeniedException\",\"Message\":");
			escape_json(&resp->body,
						psprintf("User: %s is not authorized to perform: dynamodb:%s on resource: %s%s (%s)",
								 request_role_name ? request_role_name : "?",
								 operation,
								 table == NULL ? "the request" :
								 strncmp(table, "arn:", 4) == 0 ? "" :	/* TableName given as its ARN */
								 "arn:aws:dynamodb:ddblocal:000000000000:table/",
								 table ? table : "", e->message));
			appendStringInfoChar(&resp->body, '}');
			resp->error_type = "AccessDeniedException";
			resp->error_message = e->message;
			return;
		case ERRCODE_T_R_SERIALIZATION_FAILURE:
		case ERRCODE_T_R_DEADLOCK_DETECTED:
			error_response(resp, 400, DYNAMODB "TransactionConflictException",
						   "Transaction is ongoing for the item");
			return;
		case ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE:
			/* dynpg missing in the database, or not preloaded: say so */
			error_response(resp, 500, DYNAMODB "InternalServerError", e->message);
			return;
		case ERRCODE_QUERY_CANCELED:
			error_response(resp, 500, DYNAMODB "InternalServerError",
						   "The request was canceled (statement_timeout, or a cancel)");
			resp->error_message = e->message;
			return;
		default:
			/* the server's own trouble: logged, and retryable for the client */
			ereport(LOG,
					(errmsg("dynpg http: %s failed: %s", operation, e->message),
					 e->detail ? errdetail_internal("%s", e->detail) : 0,
					 errhidestmt(true)));
			error_response(resp, 500, DYNAMODB "InternalServerError", "Internal server error");
			resp->error_message = e->message;
			return;
	}
}


/*
 * Whether dynpg is installed in the served database.  pg_extension has no
 * syscache: reading it is an index scan, too dear for every request.  The
 * answer is kept until pg_namespace changes (CREATE and DROP EXTENSION
 * create and drop dynpg's schemas); the flag is set before the catalog is
 * read, so an invalidation that arrives during the read is not lost.
 */
static bool extension_known = false;
static bool extension_present = false;

static void
forget_extension(Datum arg, int cacheid, uint32 hashvalue)
{
	extension_known = false;
}

static bool
extension_installed(void)
{
	static bool registered = false;

	if (!registered)
	{
		CacheRegisterSyscacheCallback(NAMESPACEOID, forget_extension, (Datum) 0);
		registered = true;
	}
	if (!extension_known)
	{
		extension_known = true;
		extension_present = OidIsValid(get_extension_oid("dynpg", true));
	}
	return extension_present;
}

/* when the statistics pgstat_report_stat kept pending began waiting (0: none) */
static TimestampTz stats_pending_since = 0;

/*
 * Authenticate the request and run the operation on it as the role its key
 * maps to, in one transaction of its own.  The checks DynamoDB makes after
 * the signature (an empty body, an operation dynpg lacks) come between; a
 * write on a standby is refused by dynpg_api_call (api/replica.c).
 */
static void
authenticate_and_run(DynHttpRequest *req, const DynApiOperationInfo *op, DynJson *request,
					 const StringInfo json, DynHttpResponse *resp)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool in_xact = false;
	Oid			save_userid;
	int			save_sec;

	GetUserIdAndSecContext(&save_userid, &save_sec);
	PG_TRY();
	{
		Oid			role;

		StartTransactionCommand();
		in_xact = true;
		PushActiveSnapshot(GetTransactionSnapshot());
		if (!extension_installed())
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("dynpg is not installed in database \"%s\" (dynpg.http_database): run CREATE EXTENSION dynpg there",
							get_database_name(MyDatabaseId))));
		MemoryContextSwitchTo(cxt);
		role = authenticate(req, resp);
		if (!OidIsValid(role))
			;					/* the response says why */
		else if (json->len == 0 || request == NULL)
			error_response(resp, 400, CORAL "SerializationException", NULL);
		else if (op->fn == NULL)
			error_response(resp, 400, CORAL "UnknownOperationException",
						   psprintf("dynpg does not support the operation %s yet", op->name));
		else
		{
			DynJson    *result;

			pgstat_report_activity(STATE_RUNNING, psprintf("DynamoDB %s%s%s", op->name,
														   resp->table ? " " : "",
														   resp->table ? resp->table : ""));
			SetUserIdAndSecContext(role, save_sec | SECURITY_LOCAL_USERID_CHANGE);
			if (StatementTimeout > 0)
				enable_timeout_after(STATEMENT_TIMEOUT, StatementTimeout);
			dynpg_api_client_endpoint = client_endpoint(req);
			result = dynpg_api_call(op, request);
			dynpg_api_client_endpoint = NULL;
			if (StatementTimeout > 0)
				disable_timeout(STATEMENT_TIMEOUT, false);
			/* written before the commit, from the items as they were read */
			MemoryContextSwitchTo(cxt);
			resetStringInfo(&resp->body);
			dynpg_response_text(&resp->body, result);
			resp->status = 200;
			resp->content_type = resp->content_type ? resp->content_type : JSON_TYPE;
			SetUserIdAndSecContext(save_userid, save_sec);
		}
		PopActiveSnapshot();
		CommitTransactionCommand();
		in_xact = false;
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(cxt);
		dynpg_api_client_endpoint = NULL;
		e = CopyErrorData();
		FlushErrorState();
		disable_all_timeouts(false);
		QueryCancelPending = false;
		if (in_xact)
			AbortCurrentTransaction();
		SetUserIdAndSecContext(save_userid, save_sec);
		MemoryContextSwitchTo(cxt);
		error_from(e, resp, op->name, resp->table);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	pgstat_report_activity(STATE_IDLE, NULL);

	/*
	 * The request's table counters (items inserted, updated, deleted; dead
	 * versions) go to the shared statistics, which autovacuum reads.  A
	 * backend sends them when it goes idle; a background worker only when
	 * it asks, and before this the workers never did: autovacuum never saw
	 * a table written only through HTTP.  At most once a second
	 * (pgstat_report_stat(false) keeps them pending otherwise);
	 * dynpg_http_flush_stats sends what is left when the worker idles.
	 */
	if (pgstat_report_stat(false) == 0)
		stats_pending_since = 0;
	else if (stats_pending_since == 0)
		stats_pending_since = GetCurrentTimestamp();
}

/*
 * Called by the worker's loop after each wait: sends statistics kept pending
 * for a second or more.  True while some are still pending (the caller
 * waits at most a second then).
 */
bool
dynpg_http_flush_stats(void)
{
	if (stats_pending_since == 0)
		return false;
	if (TimestampDifferenceExceeds(stats_pending_since, GetCurrentTimestamp(), 1000))
	{
		(void) pgstat_report_stat(true);
		stats_pending_since = 0;
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * The request
 * ---------------------------------------------------------------------
 */
void
dynpg_http_process(DynHttpRequest *req, DynHttpResponse *resp)
{
	MemoryContext cxt = CurrentMemoryContext;
	char	   *ctype;
	const DynHttpHeader *th;
	const DynHttpHeader *enc;
	StringInfoData json;
	DynJson    *request = NULL;
	char	   *target = NULL;
	const DynApiOperationInfo *op = NULL;

	initStringInfo(&resp->body);
	resp->content_type = JSON_TYPE;

	/* GET / : the health check DynamoDB's endpoints answer */
	if (strcmp(req->method, "GET") == 0 && strcmp(req->path, "/") == 0)
	{
		resp->status = 200;
		resp->content_type = "text/plain";
		appendStringInfo(&resp->body, "healthy: dynpg %s", DYNPG_VERSION_STR);
		return;
	}

	/* the method and the media type */
	ctype = media_type(req);
	if (strcmp(req->method, "POST") != 0 ||
		(req->body.len > 0 && (ctype == NULL || (strcmp(ctype, "application/x-amz-json-1.0") != 0 &&
												  strcmp(ctype, "application/json") != 0))))
	{
		resp->status = 404;
		resp->content_type = "text/xml";
		appendStringInfoString(&resp->body, "<UnknownOperationException/>\n");
		resp->error_type = "UnknownOperationException";
		return;
	}
	if (ctype != NULL && strcmp(ctype, "application/json") == 0)
		resp->content_type = "application/json";

	/* the body, inflated when compressed (the signature covers it as sent) */
	json = req->body;
	enc = dynpg_http_header(req, "Content-Encoding");
	if (enc != NULL && enc->valuelen > 0 &&
		!(enc->valuelen == 8 && pg_strncasecmp(enc->value, "identity", 8) == 0))
	{
		bool		gzip = enc->valuelen == 4 && pg_strncasecmp(enc->value, "gzip", 4) == 0;
		bool		deflate = enc->valuelen == 7 && pg_strncasecmp(enc->value, "deflate", 7) == 0;
		bool		too_large;

		if (!gzip && !deflate)
		{
			error_response(resp, 400, CORAL "SerializationException",
						   "Unsupported Content-Encoding (gzip and deflate are)");
			return;
		}
		initStringInfo(&json);
		if (!inflate_body(&req->body, gzip, &json, &too_large))
		{
			if (too_large)
			{
				resp->status = 413;
				resp->error_message = "the inflated request body exceeds 16 MB";
				return;
			}
			error_response(resp, 400, CORAL "SerializationException",
						   "The request body could not be decompressed");
			return;
		}
	}

	/* the JSON: any error in it is a SerializationException */
	if (json.len > 0)
	{
		PG_TRY();
		{
			request = dynpg_json_parse(json.data, json.len);
		}
		PG_CATCH();
		{
			ErrorData  *e;

			MemoryContextSwitchTo(cxt);
			e = CopyErrorData();
			FlushErrorState();
			request = NULL;
			/* too deep is DynamoDB's ValidationException, else a SerializationException */
			if (e->detail != NULL && strstr(e->detail, "ValidationException") != NULL)
				error_from(e, resp, "-", NULL);
			else
				error_response(resp, 400, CORAL "SerializationException", NULL);
			return;
		}
		PG_END_TRY();
	}

	/* the operation */
	th = dynpg_http_header(req, "X-Amz-Target");
	if (th != NULL)
		target = pnstrdup(th->value, th->valuelen);
	/* DynamoDB's operations, or DynamoDB Streams' (a service of its own) */
	if (target != NULL && strncmp(target, TARGET_PREFIX, strlen(TARGET_PREFIX)) == 0)
	{
		op = dynpg_api_find_operation(target + strlen(TARGET_PREFIX));
		if (op != NULL && (op->flags & DYN_OP_STREAMS) != 0)
			op = NULL;
	}
	else if (target != NULL && strncmp(target, STREAMS_PREFIX, strlen(STREAMS_PREFIX)) == 0)
	{
		op = dynpg_api_find_operation(target + strlen(STREAMS_PREFIX));
		if (op != NULL && (op->flags & DYN_OP_STREAMS) == 0)
			op = NULL;
	}
	if (op == NULL)
	{
		error_response(resp, 400, CORAL "UnknownOperationException", NULL);
		return;
	}
	resp->operation = op->name;
	resp->table = table_of(request);

	/* the rest needs the database: a transaction for the key, then the operation */
	if (!OidIsValid(req->database))
	{
		error_response(resp, 500, DYNAMODB "InternalServerError",
					   psprintf("dynpg.http_database names database \"%s\", which does not exist",
								dynpg_http_database));
		return;
	}
	authenticate_and_run(req, op, request, &json, resp);
}
