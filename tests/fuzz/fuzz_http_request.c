/*
 * libFuzzer harness: the HTTP endpoint's processing of one request
 * (src/http/http_request.c's dynpg_http_process), as the HTTP worker hands
 * it over once libmicrohttpd has framed it: the health check, the method
 * and Content-Type (404), Content-Encoding with gzip and deflate inflated
 * through zlib (413 past 16 MB), the JSON (SerializationException, or the
 * ValidationException of a too deep document), X-Amz-Target for DynamoDB
 * and DynamoDB Streams (UnknownOperationException, through
 * src/api/execute.c's table of operations) and the request's table name.
 *
 * The worker's database is left invalid, so processing stops where it would
 * open a transaction: an operation that is found gets the 500 that names
 * the missing database, and nothing past that point runs (authentication
 * and the operation need the server; the HTTP TAP suites cover them).
 * The server functions only that part would call are left unresolved at
 * link time (scripts/fuzz.sh): reaching one would crash at address 0 and
 * be reported.
 *
 * Input: the method, a line; the path, a line; header lines "Name: value"
 * up to an empty line; the rest is the body.
 *
 * Properties: the status is one of 200 (GET /), 404, 400, 413, 500; every
 * 400 and 500 carries a JSON body that parses and names its exception in
 * "__type", the same as error_type; a 500 happens only for a known
 * operation (so the operation is named); a 404 is for a method other than
 * POST or a body of another media type.
 */
#include "postgres.h"

#include "base/dynpg_json.h"
#include "http/dynpg_http_internal.h"
#include "fuzz_common.h"

/* the GUC http_main.c defines; the worker's database is not found */
char	   *dynpg_http_database = "dynpg_fuzz";

/* the next line, NUL-terminated in place (a CR before its LF dropped); NULL at the end */
static char *
next_line(char **p, char *end)
{
	char	   *s = *p;
	char	   *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', end - s);
	if (nl == NULL)
		nl = end;
	*nl = '\0';
	if (nl > s && nl[-1] == '\r')
		nl[-1] = '\0';
	*p = nl + 1;
	return s;
}

static void
fuzz_one(const uint8_t *data, size_t size)
{
	char	   *buf = palloc(size + 1);
	char	   *end = buf + size;
	char	   *p = buf;
	char	   *line;
	DynHttpRequest *req = palloc0(sizeof(DynHttpRequest));
	DynHttpResponse resp;
	DynJson    *body;
	DynJson    *type;

	memcpy(buf, data, size);
	buf[size] = '\0';
	req->method = next_line(&p, end);
	req->path = next_line(&p, end);
	if (req->method == NULL || req->path == NULL)
		return;
	req->query = "";
	while ((line = next_line(&p, end)) != NULL && line[0] != '\0' &&
		   req->nheaders < DYN_HTTP_MAX_HEADER_COUNT)
	{
		char	   *colon = strchr(line, ':');
		DynHttpHeader *h = &req->headers[req->nheaders++];

		if (colon == NULL)
			colon = line + strlen(line);
		h->name = line;
		h->namelen = colon - line;
		if (*colon)
			*colon++ = '\0';
		while (*colon == ' ')
			colon++;
		h->value = colon;
		h->valuelen = strlen(colon);
	}
	/* the body: the rest, bytes as received (NULs included) */
	initStringInfo(&req->body);
	if (p < end)
		appendBinaryStringInfo(&req->body, p, end - p);
	req->database = InvalidOid;

	memset(&resp, 0, sizeof(resp));
	fuzz_stage = FUZZ_MUST_NOT_RAISE;	/* every error becomes a response */
	dynpg_http_process(req, &resp);

	switch (resp.status)
	{
		case 200:
			if (strcmp(req->method, "GET") != 0 || strcmp(req->path, "/") != 0)
				fuzz_fail("200 for something other than the health check");
			return;
		case 404:
			if (strcmp(req->method, "POST") == 0 && req->body.len == 0)
				fuzz_fail("404 for a POST without a body");
			if (resp.error_type == NULL || strcmp(resp.error_type, "UnknownOperationException") != 0)
				fuzz_fail("a 404 without UnknownOperationException");
			return;
		case 413:
			return;
		case 400:
		case 500:
			break;
		default:
			fprintf(stderr, "status %d\n", resp.status);
			fuzz_fail("a status the endpoint never sends");
	}
	if (resp.status == 500 && resp.operation == NULL)
		fuzz_fail("a 500 before the operation was known");
	body = dynpg_json_parse(resp.body.data, resp.body.len);
	if (body->kind != DJ_OBJECT || (type = dynpg_json_member(body, "__type", 6)) == NULL ||
		type->kind != DJ_STRING)
		fuzz_fail("an error body without __type");
	if (resp.error_type == NULL || (int) strlen(resp.error_type) > type->len ||
		memcmp(type->str + type->len - strlen(resp.error_type), resp.error_type,
			   strlen(resp.error_type)) != 0)
		fuzz_fail("error_type is not the exception the body names");
	fuzz_stage = FUZZ_MAY_RAISE;
}

FUZZ_HARNESS(1024 * 1024, false, false)
