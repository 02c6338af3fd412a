/*
 * libFuzzer harness: SigV4 header parsing and verification (src/http/sigv4.c).
 *
 * The input is a request as the HTTP worker hands it to sigv4.c: lines
 * "name: value" (the first line is the Authorization header's value, the
 * second the path with an optional query, the rest headers), a blank line,
 * then the body.  Everything sigv4.c does with a request runs on it --
 * parse, request time, checks at a fixed "now", the canonical request into
 * a small and a large buffer, the expected signature and the comparison --
 * and the harness checks what it can: a parse that succeeds gives slices
 * inside the input, the signed headers too;
 * a canonical request that fits is the same in both buffers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/dynpg_sigv4.h"

#define MAX_HEADERS 80

static int
inside(DynSigV4Str s, const char *base, size_t size)
{
	return s.len == 0 || (s.p >= base && s.p + s.len <= base + size);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	const char *end = s + size;
	const char *line = s;
	const char *body = end;
	DynSigV4Header headers[MAX_HEADERS];
	DynSigV4Request req;
	DynSigV4Auth auth;
	DynSigV4Str authz = {s, 0};
	char		msg[512];
	char		small[256];
	char	   *big;
	char		stamp[17];
	char		sig[DYN_SIGV4_HEX_LEN + 1];
	int64_t		epoch;
	int			lineno = 0;
	int			i;
	long		n1,
				n2;

	memset(&req, 0, sizeof(req));
	req.method.p = "POST";
	req.method.len = 4;
	req.path.p = "/";
	req.path.len = 1;
	req.headers = headers;

	/* split into lines up to the blank line */
	while (line < end)
	{
		const char *nl = memchr(line, '\n', end - line);
		const char *le = nl ? nl : end;

		if (le == line)
		{
			body = nl ? nl + 1 : end;
			break;
		}
		if (lineno == 0)
		{
			authz.p = line;
			authz.len = le - line;
		}
		else if (lineno == 1)
		{
			const char *q = memchr(line, '?', le - line);

			req.path.p = line;
			req.path.len = (q ? q : le) - line;
			if (q)
			{
				req.query.p = q + 1;
				req.query.len = le - q - 1;
			}
		}
		else if (req.nheaders < MAX_HEADERS)
		{
			const char *colon = memchr(line, ':', le - line);

			if (colon)
			{
				headers[req.nheaders].name.p = line;
				headers[req.nheaders].name.len = colon - line;
				headers[req.nheaders].value.p = colon + 1;
				headers[req.nheaders].value.len = le - colon - 1;
				req.nheaders++;
			}
		}
		lineno++;
		if (!nl)
			break;
		line = nl + 1;
	}
	dynpg_sigv4_sha256(body, end - body, req.body_sha256);

	if (dynpg_sigv4_parse(authz.p, authz.len, &auth, msg, sizeof(msg)) != DYN_SIGV4_OK)
	{
		if (strlen(msg) >= sizeof(msg))
			abort();
		return 0;
	}
	/* what a successful parse promises */
	if (!inside(auth.access_key, s, size) || !inside(auth.date, s, size) ||
		!inside(auth.region, s, size) || !inside(auth.service, s, size) ||
		!inside(auth.signature, s, size) || !inside(auth.signed_headers, s, size))
		abort();
	if (auth.nsigned < 0 || auth.nsigned > DYN_SIGV4_MAX_SIGNED)
		abort();
	for (i = 0; i < auth.nsigned; i++)
		if (!inside(auth.signed_list[i], s, size))
			abort();

	if (dynpg_sigv4_request_time(&req, &auth, &epoch, stamp, msg, sizeof(msg)) == DYN_SIGV4_OK)
	{
		if (strlen(stamp) != 16)
			abort();
		/* "now" the request's own time: the checks past the clock run too */
		(void) dynpg_sigv4_check(&req, &auth, epoch, msg, sizeof(msg));
	}
	(void) dynpg_sigv4_check(&req, &auth, 1700000000, msg, sizeof(msg));

	big = malloc(size * 8 + 4096);
	n1 = dynpg_sigv4_canonical_request(&req, &auth, small, sizeof(small));
	n2 = dynpg_sigv4_canonical_request(&req, &auth, big, size * 8 + 4096);
	if (n1 >= 0 && (n1 != n2 || memcmp(small, big, n1) != 0))
		abort();
	if (n1 > (long) sizeof(small))
		abort();
	if (dynpg_sigv4_expected(&req, &auth, "20240101T000000Z", "secret", 6,
							 big, size * 8 + 4096, sig))
	{
		if (strlen(sig) != DYN_SIGV4_HEX_LEN)
			abort();
		(void) dynpg_sigv4_signature_matches(&auth, sig);
	}
	free(big);
	return 0;
}
