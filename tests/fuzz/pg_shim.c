/*
 * Just enough of the PostgreSQL backend for fuzz harnesses that link
 * dynpg's server-side parsing code (src/base, src/types, src/expr,
 * src/partiql) outside the server:
 *
 *  - palloc and friends on malloc, every block freed after each input
 *    (shim_free_all); CurrentMemoryContext exists only so that
 *    MemoryContextSwitchTo compiles (there is one "context");
 *  - StringInfo as lib/stringinfo.c (appendStringInfoVA included);
 *  - errors as elog.c raises them: ereport/elog fill one ErrorData
 *    (SQLSTATE, formatted message) and siglongjmp to PG_exception_stack,
 *    so PG_TRY/PG_CATCH/PG_RE_THROW, CopyErrorData and FlushErrorState
 *    behave as in the server; the harness's own catch (shim_catch) is the
 *    outermost PG_exception_stack, as PostgresMain's is;
 *  - check_stack_depth measures the stack as the server does, with the
 *    server's default limit of 2 MB less a margin;
 *  - varlena helpers (pg_detoast_datum for the in-line forms a harness
 *    builds, text <-> cstring), pg_mbstrlen for UTF-8, escape_json.
 *
 * pg_snprintf, pg_strncasecmp, psprintf and the SHA-256 of pg_cryptohash
 * are PostgreSQL's own, from libpgport.a and libpgcommon.a.  Functions the
 * parsing paths never reach abort, so a harness that does reach one fails
 * loudly.
 */
#include "postgres.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "funcapi.h"

#include "base/dynpg_error.h"
#include "pg_shim.h"

/* port.h maps these to src/port's; libc's do here */
#undef vsnprintf
#undef qsort

/* ---- memory: one list of blocks, freed after each input ---- */
typedef struct Block
{
	struct Block *prev,
			   *next;
	size_t		size;
	max_align_t align[];
} Block;

static Block head = {&head, &head, 0};

static void *
block_alloc(size_t size, bool zero)
{
	Block	   *b;

	if (size > MaxAllocSize)
		shim_error("invalid memory alloc request size");	/* XX000, as mcxt.c */
	b = zero ? calloc(1, sizeof(Block) + size) : malloc(sizeof(Block) + size);
	if (!b)
		abort();
	b->size = size;
	b->next = head.next;
	b->prev = &head;
	head.next->prev = b;
	head.next = b;
	return b->align;
}

static Block *
block_of(void *p)
{
	return (Block *) ((char *) p - offsetof(Block, align));
}

void *
palloc(Size size)
{
	return block_alloc(size, false);
}

void *
palloc0(Size size)
{
	return block_alloc(size, true);
}

void *
palloc_extended(Size size, int flags)
{
	return block_alloc(size, (flags & MCXT_ALLOC_ZERO) != 0);
}

void
pfree(void *p)
{
	Block	   *b = block_of(p);

	b->prev->next = b->next;
	b->next->prev = b->prev;
	free(b);
}

void *
repalloc(void *p, Size size)
{
	void	   *n = block_alloc(size, false);
	Block	   *b = block_of(p);

	memcpy(n, p, Min(size, b->size));
	pfree(p);
	return n;
}

char *
pstrdup(const char *s)
{
	size_t		n = strlen(s) + 1;

	return memcpy(palloc(n), s, n);
}

char *
pnstrdup(const char *s, Size len)
{
	char	   *r;

	len = strnlen(s, len);		/* as mcxt.c: at most len bytes, up to a NUL */
	r = palloc(len + 1);

	memcpy(r, s, len);
	r[len] = '\0';
	return r;
}

/* what was allocated so far stays: shim_free_all will not free it */
void
shim_keep_all(void)
{
	head.next = head.prev = &head;
}

void
shim_free_all(void)
{
	while (head.next != &head)
		pfree(head.next->align);
}

/* ---- errors: as elog.c, one ErrorData, siglongjmp to PG_exception_stack ---- */
sigjmp_buf *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;
MemoryContext CurrentMemoryContext = NULL;

static char *stack_base;
static int	pending_elevel;
static int	pending_code;
static char pending_message[2048];
static char pending_detail[2048];
static int	error_count;

void
shim_catch(sigjmp_buf *jb)
{
	char		here;

	PG_exception_stack = jb;
	stack_base = &here;
}

int
shim_errors(void)
{
	return error_count;
}

const char *
shim_last_message(void)
{
	return pending_message;
}

int
shim_last_sqlstate(void)
{
	return pending_code;
}

void
pg_re_throw(void)
{
	if (!PG_exception_stack)
		abort();
	siglongjmp(*PG_exception_stack, 1);
}

static void shim_raise(int code, const char *what) pg_attribute_noreturn();

static void
shim_raise(int code, const char *what)
{
	pending_code = code;
	snprintf(pending_message, sizeof(pending_message), "%s", what);
	pending_detail[0] = '\0';
	error_count++;
	pg_re_throw();
}

void
shim_error(const char *what)
{
	shim_raise(ERRCODE_INTERNAL_ERROR, what);
}

void
check_stack_depth(void)
{
	char		here;
	long		used = stack_base - &here;

	if (used < 0)
		used = -used;
	if (used > 2048L * 1024 - 512 * 1024)
		shim_raise(ERRCODE_STATEMENT_TOO_COMPLEX, "stack depth limit exceeded");
}

bool
errstart(int elevel, const char *domain)
{
	pending_elevel = elevel;
	if (elevel < ERROR)
		return false;
	pending_code = ERRCODE_INTERNAL_ERROR;
	pending_message[0] = '\0';
	pending_detail[0] = '\0';
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (pending_elevel >= ERROR)
	{
		error_count++;
		pg_re_throw();
	}
}

/* the message is formatted, as the server would: a bad format fails here */
#define SHIM_FORMAT(buf, fmt) \
	do { \
		va_list		ap; \
		va_start(ap, fmt); \
		vsnprintf(buf, sizeof(buf), fmt, ap); \
		va_end(ap); \
	} while (0)

int
errmsg_internal(const char *fmt,...)
{
	SHIM_FORMAT(pending_message, fmt);
	return 0;
}

int
errmsg(const char *fmt,...)
{
	SHIM_FORMAT(pending_message, fmt);
	return 0;
}

int
errdetail_internal(const char *fmt,...)
{
	SHIM_FORMAT(pending_detail, fmt);
	return 0;
}

int
errdetail(const char *fmt,...)
{
	SHIM_FORMAT(pending_detail, fmt);
	return 0;
}

int
errhint(const char *fmt,...)
{
	return 0;
}

int
errcode(int sqlerrcode)
{
	pending_code = sqlerrcode;
	return 0;
}

ErrorData *
CopyErrorData(void)
{
	ErrorData  *e = palloc0(sizeof(ErrorData));

	e->elevel = ERROR;
	e->sqlerrcode = pending_code;
	e->message = pstrdup(pending_message);
	e->detail = pending_detail[0] ? pstrdup(pending_detail) : NULL;
	return e;
}

void
FlushErrorState(void)
{
	pending_message[0] = '\0';
	pending_detail[0] = '\0';
	pending_code = 0;
}

/* ---- StringInfo ---- */
void
initStringInfo(StringInfo str)
{
	str->maxlen = 1024;
	str->data = palloc(str->maxlen);
	resetStringInfo(str);
}

void
resetStringInfo(StringInfo str)
{
	str->data[0] = '\0';
	str->len = 0;
	str->cursor = 0;
}

void
enlargeStringInfo(StringInfo str, int needed)
{
	int			newlen;

	if (needed < 0 || ((Size) needed) >= (MaxAllocSize - (Size) str->len))
		shim_raise(ERRCODE_PROGRAM_LIMIT_EXCEEDED, "out of memory");	/* as stringinfo.c */
	needed += str->len + 1;
	if (needed <= str->maxlen)
		return;
	newlen = 2 * str->maxlen;
	while (needed > newlen)
		newlen = 2 * newlen;
	if (newlen > (int) MaxAllocSize)
		newlen = (int) MaxAllocSize;
	str->data = repalloc(str->data, newlen);
	str->maxlen = newlen;
}

void
appendBinaryStringInfo(StringInfo str, const char *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
	str->data[str->len] = '\0';
}

void
appendStringInfoChar(StringInfo str, char ch)
{
	if (str->len + 1 >= str->maxlen)
		enlargeStringInfo(str, 1);
	str->data[str->len++] = ch;
	str->data[str->len] = '\0';
}

void
appendStringInfoString(StringInfo str, const char *s)
{
	appendBinaryStringInfo(str, s, strlen(s));
}

int
appendStringInfoVA(StringInfo str, const char *fmt, va_list args)
{
	int			avail = str->maxlen - str->len;
	int			n;

	if (avail < 16)
		return 32;
	n = vsnprintf(str->data + str->len, avail, fmt, args);
	if (n < 0)
		shim_error("vsnprintf failed");
	if (n < avail)
	{
		str->len += n;
		return 0;
	}
	str->data[str->len] = '\0';
	return n + 1;
}

void
appendStringInfoSpaces(StringInfo str, int count)
{
	if (count > 0)
	{
		enlargeStringInfo(str, count);
		memset(str->data + str->len, ' ', count);
		str->len += count;
		str->data[str->len] = '\0';
	}
}

StringInfo
makeStringInfo(void)
{
	StringInfo	s = palloc(sizeof(StringInfoData));

	initStringInfo(s);
	return s;
}

void
appendStringInfo(StringInfo str, const char *fmt,...)
{
	for (;;)
	{
		va_list		ap;
		int			needed;

		va_start(ap, fmt);
		needed = appendStringInfoVA(str, fmt, ap);
		va_end(ap);
		if (needed == 0)
			break;
		enlargeStringInfo(str, needed);
	}
}

/* ---- UTF-8, as src/common/wchar.c ---- */
int
pg_utf_mblen(const unsigned char *s)
{
	if ((*s & 0x80) == 0)
		return 1;
	if ((*s & 0xe0) == 0xc0)
		return 2;
	if ((*s & 0xf0) == 0xe0)
		return 3;
	if ((*s & 0xf8) == 0xf0)
		return 4;
	return 1;
}

unsigned char *
unicode_to_utf8(pg_wchar c, unsigned char *utf8string)
{
	if (c <= 0x7F)
		utf8string[0] = c;
	else if (c <= 0x7FF)
	{
		utf8string[0] = 0xC0 | ((c >> 6) & 0x1F);
		utf8string[1] = 0x80 | (c & 0x3F);
	}
	else if (c <= 0xFFFF)
	{
		utf8string[0] = 0xE0 | ((c >> 12) & 0x0F);
		utf8string[1] = 0x80 | ((c >> 6) & 0x3F);
		utf8string[2] = 0x80 | (c & 0x3F);
	}
	else
	{
		utf8string[0] = 0xF0 | ((c >> 18) & 0x07);
		utf8string[1] = 0x80 | ((c >> 12) & 0x3F);
		utf8string[2] = 0x80 | ((c >> 6) & 0x3F);
		utf8string[3] = 0x80 | (c & 0x3F);
	}
	return utf8string;
}

/* the server encoding is UTF8 (mbutils.c's pg_mbstrlen) */
int
pg_mbstrlen(const char *mbstr)
{
	int			len = 0;

	while (*mbstr)
	{
		int			l = pg_utf_mblen((const unsigned char *) mbstr);
		int			i;

		for (i = 1; i < l && mbstr[i]; i++)
			;
		mbstr += i;
		len++;
	}
	return len;
}

/* utils/adt/json.c's escape_json */
void
escape_json(StringInfo buf, const char *str)
{
	const char *p;

	appendStringInfoCharMacro(buf, '"');
	for (p = str; *p; p++)
	{
		switch (*p)
		{
			case '\b':
				appendStringInfoString(buf, "\\b");
				break;
			case '\f':
				appendStringInfoString(buf, "\\f");
				break;
			case '\n':
				appendStringInfoString(buf, "\\n");
				break;
			case '\r':
				appendStringInfoString(buf, "\\r");
				break;
			case '\t':
				appendStringInfoString(buf, "\\t");
				break;
			case '"':
				appendStringInfoString(buf, "\\\"");
				break;
			case '\\':
				appendStringInfoString(buf, "\\\\");
				break;
			default:
				if ((unsigned char) *p < ' ')
					appendStringInfo(buf, "\\u%04x", (int) *p);
				else
					appendStringInfoCharMacro(buf, *p);
				break;
		}
	}
	appendStringInfoCharMacro(buf, '"');
}

/* ---- varlena: a harness's datums are in-line (4-byte or 1-byte headers) ---- */
struct varlena *
pg_detoast_datum(struct varlena *datum)
{
	if (VARATT_IS_EXTERNAL(datum) || VARATT_IS_COMPRESSED(datum))
		abort();
	if (VARATT_IS_SHORT(datum))
	{
		Size		len = VARSIZE_SHORT(datum) - VARHDRSZ_SHORT;
		struct varlena *r = palloc(len + VARHDRSZ);

		SET_VARSIZE(r, len + VARHDRSZ);
		memcpy(VARDATA(r), VARDATA_SHORT(datum), len);
		return r;
	}
	return datum;
}

struct varlena *
pg_detoast_datum_packed(struct varlena *datum)
{
	if (VARATT_IS_EXTERNAL(datum) || VARATT_IS_COMPRESSED(datum))
		abort();
	return datum;
}

text *
cstring_to_text_with_len(const char *s, int len)
{
	text	   *r = palloc(len + VARHDRSZ);

	SET_VARSIZE(r, len + VARHDRSZ);
	memcpy(VARDATA(r), s, len);
	return r;
}

text *
cstring_to_text(const char *s)
{
	return cstring_to_text_with_len(s, strlen(s));
}

char *
text_to_cstring(const text *t)
{
	struct varlena *tunpacked = pg_detoast_datum_packed((struct varlena *) t);

	return pnstrdup(VARDATA_ANY(tunpacked), VARSIZE_ANY_EXHDR(tunpacked));
}

void
pg_qsort(void *base, size_t nel, size_t elsize, int (*cmp) (const void *, const void *))
{
	qsort(base, nel, elsize, cmp);
}

/* ---- never reached by the text parser and writer ---- */
Datum
DirectFunctionCall2Coll(PGFunction func, Oid collation, Datum arg1, Datum arg2)
{
	abort();
}

Datum
DirectFunctionCall3Coll(PGFunction func, Oid collation, Datum arg1, Datum arg2, Datum arg3)
{
	abort();
}

Datum
numeric_in(PG_FUNCTION_ARGS)
{
	abort();
}

Datum
numeric_cmp(PG_FUNCTION_ARGS)
{
	abort();
}

Datum
DirectFunctionCall1Coll(PGFunction func, Oid collation, Datum arg1)
{
	abort();
}

Datum
numeric_out(PG_FUNCTION_ARGS)
{
	abort();
}

JsonbIterator *
JsonbIteratorInit(JsonbContainer *container)
{
	abort();
}

JsonbIteratorToken
JsonbIteratorNext(JsonbIterator **it, JsonbValue *val, bool skipNested)
{
	abort();
}

bool
JsonbExtractScalar(JsonbContainer *jbc, JsonbValue *res)
{
	abort();
}

Datum
numeric_floor(PG_FUNCTION_ARGS)
{
	abort();
}

void
InitMaterializedSRF(FunctionCallInfo fcinfo, bits32 flags)
{
	abort();
}

void
tuplestore_putvalues(Tuplestorestate *state, TupleDesc tdesc, Datum *values, bool *isnull)
{
	abort();
}
