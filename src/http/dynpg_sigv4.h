/*-------------------------------------------------------------------------
 *
 * dynpg_sigv4.h
 *	  AWS Signature Version 4 for DynamoDB requests (sigv4.c).
 *
 * Plain C over libc and OpenSSL's libcrypto, with no PostgreSQL headers,
 * so that the fuzz harness (tests/fuzz) links it outside the server.
 * Nothing here allocates: strings are (pointer, length) slices of the
 * caller's buffers, and outputs go to buffers the caller provides.  The
 * one state kept is a small static table of recent signing keys (they
 * change daily; sigv4.c, signing_key).
 *
 * What is signed (AWS's "Create a canonical request"):
 *
 *	canonical request = METHOD \n canonical URI \n canonical query \n
 *		(for each signed header, in SignedHeaders order:
 *		 lowercase-name ':' values joined by ',' \n) \n
 *		SignedHeaders \n hex(SHA-256(body))
 *	string to sign = "AWS4-HMAC-SHA256" \n X-Amz-Date \n
 *		date/region/service/aws4_request \n hex(SHA-256(canonical request))
 *	signing key = HMAC chain "AWS4"+secret -> date -> region -> service
 *		-> "aws4_request"
 *	signature = hex(HMAC(signing key, string to sign))
 *
 * A header value is trimmed and its runs of spaces and tabs collapse to
 * one space.  The body hash covers the bytes as sent (a gzip body is
 * hashed compressed).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_SIGV4_H
#define DYNPG_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DYN_SIGV4_MAX_SIGNED	64		/* signed headers we accept */
#define DYN_SIGV4_HEX_LEN		64		/* a hex SHA-256 or signature */
#define DYN_SIGV4_SKEW_SECONDS	(15 * 60)	/* X-Amz-Date's allowed distance from now */

typedef struct DynSigV4Str
{
	const char *p;
	size_t		len;
} DynSigV4Str;

/* The parts of an Authorization header's AWS4-HMAC-SHA256 credential. */
typedef struct DynSigV4Auth
{
	DynSigV4Str credential;		/* the whole Credential=... value */
	DynSigV4Str access_key;
	DynSigV4Str date;			/* yyyymmdd of the scope */
	DynSigV4Str region;
	DynSigV4Str service;
	DynSigV4Str terminator;		/* "aws4_request" */
	DynSigV4Str signed_headers; /* the whole SignedHeaders=... value */
	int			nsigned;
	DynSigV4Str signed_list[DYN_SIGV4_MAX_SIGNED];	/* as given, trimmed */
	DynSigV4Str signature;		/* as given (only 64 hex digits can match) */
} DynSigV4Auth;

/* How a check failed: DynamoDB's exception type for it. */
typedef enum DynSigV4Result
{
	DYN_SIGV4_OK = 0,
	DYN_SIGV4_MISSING_TOKEN,	/* MissingAuthenticationTokenException */
	DYN_SIGV4_INCOMPLETE,		/* IncompleteSignatureException */
	DYN_SIGV4_INVALID_SIGNATURE,	/* InvalidSignatureException */
	DYN_SIGV4_UNRECOGNIZED		/* UnrecognizedClientException */
} DynSigV4Result;

/*
 * One header of the request as received: any case, possibly repeated (the
 * values of a repeated header are joined in the order received).
 */
typedef struct DynSigV4Header
{
	DynSigV4Str name;
	DynSigV4Str value;
} DynSigV4Header;

typedef struct DynSigV4Request
{
	DynSigV4Str method;
	DynSigV4Str path;			/* as received, without the query */
	DynSigV4Str query;			/* after '?', or empty */
	int			nheaders;
	const DynSigV4Header *headers;
	unsigned char body_sha256[32];
} DynSigV4Request;

/*
 * Parse an Authorization header's value into *auth.  On failure returns
 * the exception type and writes AWS's message into msg (NUL-terminated,
 * cut to msgcap).  An algorithm other than AWS4-HMAC-SHA256 is
 * IncompleteSignatureException ("Unsupported AWS 'algorithm': ...").
 */
extern DynSigV4Result dynpg_sigv4_parse(const char *value, size_t len, DynSigV4Auth *auth,
										char *msg, size_t msgcap);

/*
 * The request's X-Amz-Date (or Date) as a Unix time and the 16-byte
 * basic-format stamp the string to sign carries; false, with the message,
 * when it is missing or not a valid yyyymmddThhmmssZ.
 */
extern DynSigV4Result dynpg_sigv4_request_time(const DynSigV4Request *req, const DynSigV4Auth *auth,
											   int64_t *epoch, char stamp[17],
											   char *msg, size_t msgcap);

/*
 * Check everything but the signature itself: the scope (date equal to
 * X-Amz-Date's, service "dynamodb", "aws4_request"), every signed header
 * present, host signed, and the time within DYN_SIGV4_SKEW_SECONDS of
 * 'now' (Unix seconds).
 */
extern DynSigV4Result dynpg_sigv4_check(const DynSigV4Request *req, const DynSigV4Auth *auth,
										int64_t now, char *msg, size_t msgcap);

/*
 * The canonical request into buf (cap bytes); returns its length, or -1
 * when it does not fit (the caller's buffer bounds the work done).
 */
extern long dynpg_sigv4_canonical_request(const DynSigV4Request *req, const DynSigV4Auth *auth,
										  char *buf, size_t cap);

/*
 * The signature the request should carry given the secret key: 64 hex
 * digits into sig (NUL-terminated).  Returns false if the canonical
 * request does not fit in 'work' (cap bytes).
 */
extern bool dynpg_sigv4_expected(const DynSigV4Request *req, const DynSigV4Auth *auth,
								 const char *stamp, const char *secret, size_t secretlen,
								 char *work, size_t cap, char sig[DYN_SIGV4_HEX_LEN + 1]);

/* Constant-time comparison of the provided and the expected signature. */
extern bool dynpg_sigv4_signature_matches(const DynSigV4Auth *auth, const char *expected);

/* SHA-256 of a buffer, and as 64 lowercase hex digits. */
extern void dynpg_sigv4_sha256(const void *data, size_t len, unsigned char out[32]);
extern void dynpg_sigv4_hex(const unsigned char *bytes, size_t n, char *out);

#endif							/* DYNPG_SIGV4_H */
