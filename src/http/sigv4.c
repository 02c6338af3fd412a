/*-------------------------------------------------------------------------
 *
 * sigv4.c
 *	  AWS Signature Version 4 verification of DynamoDB requests
 *	  (dynpg_sigv4.h).
 *
 * The checks run in the order DynamoDB runs them, each with DynamoDB's
 * exception type and message, so that a client with a broken signer hears
 * what it would hear from AWS:
 *
 *	1. no Authorization header, or one not starting with "AWS4-":
 *	   MissingAuthenticationTokenException;
 *	2. a parameter without '=': IncompleteSignatureException;
 *	3. Credential, Signature, SignedHeaders or both date headers missing:
 *	   IncompleteSignatureException, one sentence each, then
 *	   "Authorization=<the header>";
 *	4. the date not yyyymmddThhmmssZ (IncompleteSignatureException), or more
 *	   than 15 minutes from now (InvalidSignatureException: "Signature
 *	   expired" / "Signature not yet current");
 *	5. host not among SignedHeaders (InvalidSignatureException);
 *	6. an algorithm other than AWS4-HMAC-SHA256 (IncompleteSignature);
 *	7. a Credential that is not keyid/date/region/service/aws4_request
 *	   (IncompleteSignature: the count; InvalidSignature: the pieces);
 *	8. (the caller) an unknown access key: UnrecognizedClientException;
 *	9. the signature: InvalidSignatureException.
 * The messages are those DynamoDB returns (as recorded by dynalite's
 * author from the service, and AWS's SigV4 libraries).
 *
 * Every input is a (pointer, length) slice: headers may hold any byte,
 * including NUL, and nothing reads past a length.  Outputs are bounded by
 * the caller's buffers.
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "http/dynpg_sigv4.h"

#define ALGORITHM "AWS4-HMAC-SHA256"

/* ---------------------------------------------------------------------
 * Small string helpers on slices
 * ---------------------------------------------------------------------
 */

static DynSigV4Str
mkstr(const char *p, size_t len)
{
	DynSigV4Str s;

	s.p = p;
	s.len = len;
	return s;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static DynSigV4Str
trim(DynSigV4Str s)
{
	while (s.len > 0 && is_space(s.p[0]))
	{
		s.p++;
		s.len--;
	}
	while (s.len > 0 && is_space(s.p[s.len - 1]))
		s.len--;
	return s;
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
}

static bool
eq(DynSigV4Str s, const char *lit)
{
	size_t		n = strlen(lit);

	return s.len == n && memcmp(s.p, lit, n) == 0;
}

static bool
eq_nocase(DynSigV4Str a, DynSigV4Str b)
{
	size_t		i;

	if (a.len != b.len)
		return false;
	for (i = 0; i < a.len; i++)
		if (lower(a.p[i]) != lower(b.p[i]))
			return false;
	return true;
}

/* Byte order of two slices (shorter first on a tie). */
static int
cmp(DynSigV4Str a, DynSigV4Str b)
{
	int			r = memcmp(a.p, b.p, a.len < b.len ? a.len : b.len);

	if (r != 0)
		return r;
	return (a.len > b.len) - (a.len < b.len);
}

/* A bounded message buffer: appends never overflow, the text stays NUL-terminated. */
typedef struct Msg
{
	char	   *buf;
	size_t		cap;
	size_t		len;
} Msg;

static void
msg_init(Msg *m, char *buf, size_t cap)
{
	m->buf = buf;
	m->cap = cap;
	m->len = 0;
	if (cap > 0)
		buf[0] = '\0';
}

static void
msg_add(Msg *m, const char *p, size_t n)
{
	size_t		room;
	size_t		i;

	if (m->cap == 0)
		return;
	room = m->cap - 1 - m->len;
	if (n > room)
		n = room;
	/* a NUL inside a header would end the message early: show it as '?' */
	for (i = 0; i < n; i++)
		m->buf[m->len + i] = p[i] == '\0' ? '?' : p[i];
	m->len += n;
	m->buf[m->len] = '\0';
}

static void
msg_str(Msg *m, const char *s)
{
	msg_add(m, s, strlen(s));
}

static void
msg_slice(Msg *m, DynSigV4Str s)
{
	msg_add(m, s.p, s.len);
}

/* The first value of header 'name' (lowercase) in the request, or false. */
static bool
find_header(const DynSigV4Request *req, const char *name, DynSigV4Str *value)
{
	DynSigV4Str want = mkstr(name, strlen(name));
	int			i;

	/* not there: an empty value, so that a caller that goes on reads nothing */
	value->p = "";
	value->len = 0;
	for (i = 0; i < req->nheaders; i++)
		if (eq_nocase(req->headers[i].name, want))
		{
			*value = req->headers[i].value;
			return true;
		}
	return false;
}

/* ---------------------------------------------------------------------
 * Parsing the Authorization header
 * ---------------------------------------------------------------------
 */

/*
 * Split the parameters after the algorithm: comma-separated key=value
 * pairs, trimmed; the last value of a repeated key wins.  Fills the
 * credential, signed headers and signature slices.
 */
static DynSigV4Result
parse_params(DynSigV4Str header, DynSigV4Str params, DynSigV4Auth *auth,
			 bool *has_cred, bool *has_sig, bool *has_signed, Msg *m)
{
	size_t		pos = 0;

	*has_cred = *has_sig = *has_signed = false;
	while (pos <= params.len)
	{
		size_t		end = pos;
		DynSigV4Str part;
		const char *eqp;

		while (end < params.len && params.p[end] != ',')
			end++;
		part = trim(mkstr(params.p + pos, end - pos));
		pos = end + 1;
		if (part.len == 0)
			continue;
		eqp = memchr(part.p, '=', part.len);
		if (eqp == NULL)
		{
			msg_str(m, "'");
			msg_slice(m, part);
			msg_str(m, "' not a valid key=value pair (missing equal-sign) in Authorization header: '");
			msg_slice(m, header);
			msg_str(m, "'");
			return DYN_SIGV4_INCOMPLETE;
		}
		{
			DynSigV4Str key = trim(mkstr(part.p, eqp - part.p));
			DynSigV4Str val = trim(mkstr(eqp + 1, part.len - (eqp + 1 - part.p)));

			if (eq(key, "Credential"))
			{
				auth->credential = val;
				*has_cred = val.len > 0;
			}
			else if (eq(key, "Signature"))
			{
				auth->signature = val;
				*has_sig = val.len > 0;
			}
			else if (eq(key, "SignedHeaders"))
			{
				auth->signed_headers = val;
				*has_signed = true;
			}
		}
	}
	return DYN_SIGV4_OK;
}

/* Split SignedHeaders on ';' into auth->signed_list, trimmed, in the order given. */
static bool
split_signed(DynSigV4Auth *auth)
{
	DynSigV4Str s = auth->signed_headers;
	size_t		pos = 0;

	auth->nsigned = 0;
	while (pos <= s.len && s.len > 0)
	{
		size_t		end = pos;

		while (end < s.len && s.p[end] != ';')
			end++;
		if (end > pos)
		{
			if (auth->nsigned == DYN_SIGV4_MAX_SIGNED)
				return false;
			auth->signed_list[auth->nsigned++] = trim(mkstr(s.p + pos, end - pos));
		}
		pos = end + 1;
	}
	return true;
}

DynSigV4Result
dynpg_sigv4_parse(const char *value, size_t len, DynSigV4Auth *auth, char *msg, size_t msgcap)
{
	/* kept for the harness: parse without a request (no date check) */
	DynSigV4Str header = trim(mkstr(value, len));
	DynSigV4Str params;
	size_t		alg_end = 0;
	bool		has_cred;
	bool		has_sig;
	bool		has_signed;
	Msg			m;
	DynSigV4Result r;

	msg_init(&m, msg, msgcap);
	memset(auth, 0, sizeof(*auth));
	if (header.len < 5 || memcmp(header.p, "AWS4-", 5) != 0)
	{
		msg_str(&m, "Request is missing Authentication Token");
		return DYN_SIGV4_MISSING_TOKEN;
	}
	while (alg_end < header.len && !is_space(header.p[alg_end]))
		alg_end++;
	params = mkstr(header.p + alg_end, header.len - alg_end);
	r = parse_params(header, params, auth, &has_cred, &has_sig, &has_signed, &m);
	if (r != DYN_SIGV4_OK)
		return r;
	if (!has_cred || !has_sig || !has_signed)
	{
		if (!has_cred)
			msg_str(&m, "Authorization header requires 'Credential' parameter. ");
		if (!has_sig)
			msg_str(&m, "Authorization header requires 'Signature' parameter. ");
		if (!has_signed)
			msg_str(&m, "Authorization header requires 'SignedHeaders' parameter. ");
		msg_str(&m, "Authorization=");
		msg_slice(&m, header);
		return DYN_SIGV4_INCOMPLETE;
	}
	if (!split_signed(auth))
	{
		msg_str(&m, "Too many signed headers");
		return DYN_SIGV4_INCOMPLETE;
	}
	return DYN_SIGV4_OK;
}

/* ---------------------------------------------------------------------
 * Time
 * ---------------------------------------------------------------------
 */

static bool
digits(const char *p, int n, int *out)
{
	int			v = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t		era;
	int			yoe;
	int			doy;
	int			doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (int) (y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* yyyymmddThhmmssZ into Unix seconds; false if it is not one. */
static bool
parse_basic_time(DynSigV4Str s, int64_t *epoch)
{
	int			y,
				mo,
				d,
				h,
				mi,
				se;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (s.len != 16 || s.p[8] != 'T' || s.p[15] != 'Z')
		return false;
	if (!digits(s.p, 4, &y) || !digits(s.p + 4, 2, &mo) || !digits(s.p + 6, 2, &d) ||
		!digits(s.p + 9, 2, &h) || !digits(s.p + 11, 2, &mi) || !digits(s.p + 13, 2, &se))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
		return false;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	*epoch = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return true;
}

static void
format_basic_time(int64_t epoch, char out[17])
{
	time_t		t = (time_t) epoch;
	struct tm	tm;
	char		tmp[80];

	gmtime_r(&t, &tm);
	snprintf(tmp, sizeof(tmp), "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	memcpy(out, tmp, 16);
	out[16] = '\0';
}

DynSigV4Result
dynpg_sigv4_request_time(const DynSigV4Request *req, const DynSigV4Auth *auth,
						 int64_t *epoch, char stamp[17], char *msg, size_t msgcap)
{
	DynSigV4Str date;
	Msg			m;

	(void) auth;
	msg_init(&m, msg, msgcap);
	if (!find_header(req, "x-amz-date", &date) && !find_header(req, "date", &date))
	{
		msg_str(&m, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
		return DYN_SIGV4_INCOMPLETE;
	}
	date = trim(date);
	if (!parse_basic_time(date, epoch))
	{
		msg_str(&m, "Date must be in ISO-8601 'basic format'. Got '");
		msg_slice(&m, date);
		msg_str(&m, "'. See http://en.wikipedia.org/wiki/ISO_8601");
		return DYN_SIGV4_INCOMPLETE;
	}
	memcpy(stamp, date.p, 16);
	stamp[16] = '\0';
	return DYN_SIGV4_OK;
}

/* ---------------------------------------------------------------------
 * The checks before the key is looked up
 * ---------------------------------------------------------------------
 */

DynSigV4Result
dynpg_sigv4_check(const DynSigV4Request *req, const DynSigV4Auth *auth, int64_t now,
				  char *msg, size_t msgcap)
{
	DynSigV4Str header;
	DynSigV4Str date;
	DynSigV4Str alg;
	DynSigV4Str parts[6];
	int			nparts = 0;
	int64_t		t;
	char		stamp[17];
	char		a[17];
	char		b[17];
	size_t		pos;
	size_t		credlen;
	bool		host_signed = false;
	bool		bad_piece = false;
	int			i;
	Msg			m;
	DynSigV4Result r;

	msg_init(&m, msg, msgcap);
	(void) find_header(req, "authorization", &header);
	header = trim(header);

	/* 3 (the rest of it): a date header */
	if (!find_header(req, "x-amz-date", &date) && !find_header(req, "date", &date))
	{
		msg_str(&m, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=");
		msg_slice(&m, header);
		return DYN_SIGV4_INCOMPLETE;
	}

	/* 4: the date's format, then its distance from now */
	r = dynpg_sigv4_request_time(req, auth, &t, stamp, msg, msgcap);
	if (r != DYN_SIGV4_OK)
		return r;
	if (t < now - DYN_SIGV4_SKEW_SECONDS)
	{
		format_basic_time(now - DYN_SIGV4_SKEW_SECONDS, a);
		format_basic_time(now, b);
		msg_str(&m, "Signature expired: ");
		msg_str(&m, stamp);
		msg_str(&m, " is now earlier than ");
		msg_str(&m, a);
		msg_str(&m, " (");
		msg_str(&m, b);
		msg_str(&m, " - 15 min.)");
		return DYN_SIGV4_INVALID_SIGNATURE;
	}
	if (t > now + DYN_SIGV4_SKEW_SECONDS)
	{
		format_basic_time(now + DYN_SIGV4_SKEW_SECONDS, a);
		format_basic_time(now, b);
		msg_str(&m, "Signature not yet current: ");
		msg_str(&m, stamp);
		msg_str(&m, " is still later than ");
		msg_str(&m, a);
		msg_str(&m, " (");
		msg_str(&m, b);
		msg_str(&m, " + 15 min.)");
		return DYN_SIGV4_INVALID_SIGNATURE;
	}

	/* 5: host signed */
	for (i = 0; i < auth->nsigned; i++)
		if (eq_nocase(auth->signed_list[i], mkstr("host", 4)))
			host_signed = true;
	if (!host_signed)
	{
		msg_str(&m, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
		return DYN_SIGV4_INVALID_SIGNATURE;
	}

	/* 6: the algorithm */
	pos = 0;
	while (pos < header.len && !is_space(header.p[pos]))
		pos++;
	alg = mkstr(header.p, pos);
	if (!eq(alg, ALGORITHM))
	{
		msg_str(&m, "Unsupported AWS 'algorithm': '");
		msg_slice(&m, alg);
		msg_str(&m, "' (only AWS4-HMAC-SHA256 for now). ");
		return DYN_SIGV4_INCOMPLETE;
	}

	/* 7: keyid/date/region/service/terminator (trailing slashes ignored) */
	credlen = auth->credential.len;
	while (credlen > 0 && auth->credential.p[credlen - 1] == '/')
		credlen--;
	pos = 0;
	while (pos <= credlen && nparts < 6)
	{
		size_t		end = pos;

		while (end < credlen && auth->credential.p[end] != '/')
			end++;
		parts[nparts++] = mkstr(auth->credential.p + pos, end - pos);
		pos = end + 1;
	}
	if (nparts != 5 || pos <= credlen)
	{
		msg_str(&m, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '");
		msg_slice(&m, auth->credential);
		msg_str(&m, "'");
		return DYN_SIGV4_INCOMPLETE;
	}
	/* the header's slices stay valid: cast away the const of the caller's auth */
	((DynSigV4Auth *) auth)->access_key = parts[0];
	((DynSigV4Auth *) auth)->date = parts[1];
	((DynSigV4Auth *) auth)->region = parts[2];
	((DynSigV4Auth *) auth)->service = parts[3];
	((DynSigV4Auth *) auth)->terminator = parts[4];
	if (parts[2].len == 0)
	{
		msg_str(&m, "Credential should be scoped to a valid region, not '");
		msg_slice(&m, parts[2]);
		msg_str(&m, "'. ");
		bad_piece = true;
	}
	if (!eq(parts[3], "dynamodb"))
	{
		msg_str(&m, "Credential should be scoped to correct service: 'dynamodb'. ");
		bad_piece = true;
	}
	if (!eq(parts[4], "aws4_request"))
	{
		msg_str(&m, "Credential should be scoped with a valid terminator: 'aws4_request', not '");
		msg_slice(&m, parts[4]);
		msg_str(&m, "'. ");
		bad_piece = true;
	}
	if (parts[1].len != 8 || memcmp(parts[1].p, stamp, 8) != 0)
	{
		msg_str(&m, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '");
		msg_slice(&m, parts[1]);
		msg_str(&m, "' != '");
		msg_add(&m, stamp, 8);
		msg_str(&m, "', from '");
		msg_str(&m, stamp);
		msg_str(&m, "'.");
		bad_piece = true;
	}
	if (bad_piece)
	{
		/* the last sentence ends without the space that joins them */
		if (m.len > 0 && m.buf[m.len - 1] == ' ')
			m.buf[--m.len] = '\0';
		return DYN_SIGV4_INVALID_SIGNATURE;
	}
	if (parts[0].len == 0)
	{
		msg_str(&m, "The security token included in the request is invalid.");
		return DYN_SIGV4_UNRECOGNIZED;
	}
	return DYN_SIGV4_OK;
}

/* ---------------------------------------------------------------------
 * The canonical request and the signature
 * ---------------------------------------------------------------------
 */

/* A bounded output buffer for the canonical request. */
typedef struct Out
{
	char	   *buf;
	size_t		cap;
	size_t		len;
	bool		overflow;
} Out;

static void
out_add(Out *o, const char *p, size_t n)
{
	if (o->overflow || n > o->cap - o->len)
	{
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void
out_chr(Out *o, char c)
{
	out_add(o, &c, 1);
}

/* A header value canonicalized: trimmed, runs of blanks as one space. */
static void
out_header_value(Out *o, DynSigV4Str v)
{
	bool		blank = false;
	size_t		i;

	v = trim(v);
	for (i = 0; i < v.len; i++)
	{
		char		c = v.p[i];

		if (c == ' ' || c == '\t')
		{
			blank = true;
			continue;
		}
		if (blank)
			out_chr(o, ' ');
		blank = false;
		out_chr(o, c);
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 3986 encoding of already-decoded bytes, as SigV4 wants it. */
static void
out_uri_encoded(Out *o, DynSigV4Str raw)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		i;

	for (i = 0; i < raw.len; i++)
	{
		unsigned char c = (unsigned char) raw.p[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == '-' || c == '_' || c == '.' || c == '~')
			out_chr(o, (char) c);
		else
		{
			out_chr(o, '%');
			out_chr(o, hex[c >> 4]);
			out_chr(o, hex[c & 15]);
		}
	}
}

/* Percent-decode 'in' into 'tmp' (at most cap bytes); '+' stays '+'. */
static DynSigV4Str
decode(DynSigV4Str in, char *tmp, size_t cap)
{
	size_t		n = 0;
	size_t		i;

	for (i = 0; i < in.len && n < cap; i++)
	{
		if (in.p[i] == '%' && i + 2 < in.len && hexval(in.p[i + 1]) >= 0 &&
			hexval(in.p[i + 2]) >= 0)
		{
			tmp[n++] = (char) (hexval(in.p[i + 1]) * 16 + hexval(in.p[i + 2]));
			i += 2;
		}
		else
			tmp[n++] = in.p[i];
	}
	return mkstr(tmp, n);
}

#define MAX_QUERY_PARAMS 32

typedef struct QueryParam
{
	DynSigV4Str key;
	DynSigV4Str value;
} QueryParam;

static int
param_cmp(const void *a, const void *b)
{
	const QueryParam *x = a;
	const QueryParam *y = b;
	int			r = cmp(x->key, y->key);

	return r != 0 ? r : cmp(x->value, y->value);
}

/*
 * The canonical query string: parameters decoded, re-encoded, sorted by
 * encoded name then value.  DynamoDB's requests carry none; a query is
 * canonicalized anyway so that any signer's form verifies.
 */
static void
out_query(Out *o, DynSigV4Str q)
{
	QueryParam	params[MAX_QUERY_PARAMS];
	char		enc[MAX_QUERY_PARAMS][2][256];
	int			n = 0;
	size_t		pos = 0;
	int			i;

	while (pos < q.len && n < MAX_QUERY_PARAMS)
	{
		size_t		end = pos;
		DynSigV4Str part;
		const char *eqp;
		char		tmp[256];
		Out			e;
		int			k;

		while (end < q.len && q.p[end] != '&')
			end++;
		part = mkstr(q.p + pos, end - pos);
		pos = end + 1;
		if (part.len == 0)
			continue;
		eqp = memchr(part.p, '=', part.len);
		for (k = 0; k < 2; k++)
		{
			DynSigV4Str raw = k == 0 ?
				mkstr(part.p, eqp ? (size_t) (eqp - part.p) : part.len) :
				(eqp ? mkstr(eqp + 1, part.len - (eqp + 1 - part.p)) : mkstr("", 0));

			e.buf = enc[n][k];
			e.cap = sizeof(enc[n][k]);
			e.len = 0;
			e.overflow = false;
			out_uri_encoded(&e, decode(raw, tmp, sizeof(tmp)));
			if (e.overflow)
			{
				o->overflow = true;
				return;
			}
			if (k == 0)
				params[n].key = mkstr(enc[n][k], e.len);
			else
				params[n].value = mkstr(enc[n][k], e.len);
		}
		n++;
	}
	if (pos < q.len)
	{
		o->overflow = true;		/* more parameters than we sign */
		return;
	}
	qsort(params, n, sizeof(QueryParam), param_cmp);
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			out_chr(o, '&');
		out_add(o, params[i].key.p, params[i].key.len);
		out_chr(o, '=');
		out_add(o, params[i].value.p, params[i].value.len);
	}
}

static int
str_cmp(const void *a, const void *b)
{
	return cmp(*(const DynSigV4Str *) a, *(const DynSigV4Str *) b);
}

long
dynpg_sigv4_canonical_request(const DynSigV4Request *req, const DynSigV4Auth *auth,
							  char *buf, size_t cap)
{
	Out			o;
	DynSigV4Str names[DYN_SIGV4_MAX_SIGNED];
	char		lowered[DYN_SIGV4_MAX_SIGNED][128];
	char		hex[DYN_SIGV4_HEX_LEN + 1];
	int			n = auth->nsigned;
	int			i;

	o.buf = buf;
	o.cap = cap;
	o.len = 0;
	o.overflow = false;
	out_add(&o, req->method.p, req->method.len);
	out_chr(&o, '\n');
	if (req->path.len == 0)
		out_chr(&o, '/');
	else
		out_add(&o, req->path.p, req->path.len);
	out_chr(&o, '\n');
	out_query(&o, req->query);
	out_chr(&o, '\n');

	/* the signed header names, lowercased and sorted */
	for (i = 0; i < n; i++)
	{
		DynSigV4Str s = auth->signed_list[i];
		size_t		k;

		if (s.len >= sizeof(lowered[i]))
			return -1;
		for (k = 0; k < s.len; k++)
			lowered[i][k] = lower(s.p[k]);
		names[i] = mkstr(lowered[i], s.len);
	}
	qsort(names, n, sizeof(DynSigV4Str), str_cmp);
	for (i = 0; i < n; i++)
	{
		bool		first = true;
		int			h;

		out_add(&o, names[i].p, names[i].len);
		out_chr(&o, ':');
		for (h = 0; h < req->nheaders; h++)
		{
			if (!eq_nocase(req->headers[h].name, names[i]))
				continue;
			if (!first)
				out_chr(&o, ',');
			out_header_value(&o, req->headers[h].value);
			first = false;
		}
		out_chr(&o, '\n');
	}
	out_chr(&o, '\n');
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			out_chr(&o, ';');
		out_add(&o, names[i].p, names[i].len);
	}
	out_chr(&o, '\n');
	dynpg_sigv4_hex(req->body_sha256, 32, hex);
	out_add(&o, hex, DYN_SIGV4_HEX_LEN);
	return o.overflow ? -1 : (long) o.len;
}

void
dynpg_sigv4_sha256(const void *data, size_t len, unsigned char out[32])
{
	SHA256(data, len, out);
}

void
dynpg_sigv4_hex(const unsigned char *bytes, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t		i;

	for (i = 0; i < n; i++)
	{
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

static void
hmac(const void *key, size_t keylen, const void *data, size_t datalen, unsigned char out[32])
{
	unsigned int outlen = 32;

	HMAC(EVP_sha256(), key, (int) keylen, data, datalen, out, &outlen);
}

/*
 * The signing key: HMAC("AWS4" + secret, date) -> region -> service ->
 * "aws4_request".  It changes only with the day, so a client's requests
 * share it: the last few are kept (per process), as AWS's SDKs keep theirs,
 * sparing four HMACs per request.  An entry is found only by the very same
 * secret, date, region and service.
 */
#define SIGNING_KEYS	8

typedef struct SigningKey
{
	bool		used;
	size_t		secretlen;
	char		secret[256];
	char		date[8];
	size_t		regionlen;
	char		region[128];
	size_t		servicelen;
	char		service[32];
	unsigned char key[32];
} SigningKey;

static SigningKey signing_keys[SIGNING_KEYS];
static int	signing_next = 0;

static void
signing_key(const char *secret, size_t secretlen, const DynSigV4Auth *auth, unsigned char k[32])
{
	char		keybuf[4 + 256];
	SigningKey *e;
	int			i;
	bool		cacheable = secretlen <= sizeof(e->secret) && auth->date.len == 8 &&
		auth->region.len <= sizeof(e->region) && auth->service.len <= sizeof(e->service);

	if (cacheable)
		for (i = 0; i < SIGNING_KEYS; i++)
		{
			e = &signing_keys[i];
			if (e->used && e->secretlen == secretlen && memcmp(e->secret, secret, secretlen) == 0 &&
				memcmp(e->date, auth->date.p, 8) == 0 &&
				e->regionlen == auth->region.len && memcmp(e->region, auth->region.p, auth->region.len) == 0 &&
				e->servicelen == auth->service.len && memcmp(e->service, auth->service.p, auth->service.len) == 0)
			{
				memcpy(k, e->key, 32);
				return;
			}
		}
	memcpy(keybuf, "AWS4", 4);
	memcpy(keybuf + 4, secret, secretlen);
	hmac(keybuf, 4 + secretlen, auth->date.p, auth->date.len, k);
	hmac(k, 32, auth->region.p, auth->region.len, k);
	hmac(k, 32, auth->service.p, auth->service.len, k);
	hmac(k, 32, "aws4_request", 12, k);
	OPENSSL_cleanse(keybuf, sizeof(keybuf));
	if (!cacheable)
		return;
	e = &signing_keys[signing_next];
	signing_next = (signing_next + 1) % SIGNING_KEYS;
	e->used = true;
	e->secretlen = secretlen;
	memcpy(e->secret, secret, secretlen);
	memcpy(e->date, auth->date.p, 8);
	e->regionlen = auth->region.len;
	memcpy(e->region, auth->region.p, auth->region.len);
	e->servicelen = auth->service.len;
	memcpy(e->service, auth->service.p, auth->service.len);
	memcpy(e->key, k, 32);
}

bool
dynpg_sigv4_expected(const DynSigV4Request *req, const DynSigV4Auth *auth, const char *stamp,
					 const char *secret, size_t secretlen, char *work, size_t cap,
					 char sig[DYN_SIGV4_HEX_LEN + 1])
{
	long		clen = dynpg_sigv4_canonical_request(req, auth, work, cap);
	unsigned char digest[32];
	char		chex[DYN_SIGV4_HEX_LEN + 1];
	unsigned char k[32];
	unsigned char mac[32];
	char		sts[512];
	int			stslen;

	if (clen < 0 || secretlen > 256 || auth->date.len != 8 || auth->region.len > 128)
		return false;
	dynpg_sigv4_sha256(work, (size_t) clen, digest);
	dynpg_sigv4_hex(digest, 32, chex);
	stslen = snprintf(sts, sizeof(sts), "%s\n%s\n%.*s/%.*s/%.*s/%.*s\n%s", ALGORITHM, stamp,
					  (int) auth->date.len, auth->date.p, (int) auth->region.len, auth->region.p,
					  (int) auth->service.len, auth->service.p,
					  (int) auth->terminator.len, auth->terminator.p, chex);
	if (stslen < 0 || (size_t) stslen >= sizeof(sts))
		return false;
	signing_key(secret, secretlen, auth, k);
	hmac(k, 32, sts, (size_t) stslen, mac);
	dynpg_sigv4_hex(mac, 32, sig);
	OPENSSL_cleanse(k, sizeof(k));
	return true;
}

bool
dynpg_sigv4_signature_matches(const DynSigV4Auth *auth, const char *expected)
{
	if (auth->signature.len != DYN_SIGV4_HEX_LEN)
		return false;
	return CRYPTO_memcmp(auth->signature.p, expected, DYN_SIGV4_HEX_LEN) == 0;
}
