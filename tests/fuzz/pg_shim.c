/*
 * Just enough of the PostgreSQL backend for fuzz harnesses that link
 * dynpg's server-side parsing code (src/base/dynpg_json.c) outside the
 * server: palloc and friends on malloc, every block freed after each
 * input (shim_free_all); StringInfo; an ERROR (ereport, elog, dynpg_raise)
 * jumps back to the harness (shim_catch); check_stack_depth measures the
 * stack as the server does, with the server's default limit of 2 MB less
 * a margin.  Functions the parsing paths never reach abort, so a harness
 * that does reach one fails loudly.
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
		shim_error("invalid memory alloc request size");
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
	char	   *r = palloc(len + 1);

	memcpy(r, s, len);
	r[len] = '\0';
	return r;
}

void
shim_free_all(void)
{
	while (head.next != &head)
		pfree(head.next->align);
}

/* ---- errors: back to the harness ---- */
static sigjmp_buf *catcher;
static char *stack_base;
static int	pending_elevel;

void
shim_catch(sigjmp_buf *jb)
{
	char		here;

	catcher = jb;
	stack_base = &here;
}

void
shim_error(const char *what)
{
	(void) what;
	if (!catcher)
		abort();
	siglongjmp(*catcher, 1);
}

void
check_stack_depth(void)
{
	char		here;
	long		used = stack_base - &here;

	if (used < 0)
		used = -used;
	if (used > 2048L * 1024 - 512 * 1024)
		shim_error("stack depth limit exceeded");
}

void
dynpg_raise_extra(DynErrorType type, const char *extra_json, const char *fmt,...)
{
	char		buf[1024];
	va_list		ap;

	/* format the message, as the server would: a bad format crashes here */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	(void) type;
	(void) extra_json;
	shim_error(buf);
	abort();
}

bool
errstart(int elevel, const char *domain)
{
	pending_elevel = elevel;
	return elevel >= ERROR;
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
		shim_error("ereport");
}

int
errmsg_internal(const char *fmt,...)
{
	return 0;
}

int
errmsg(const char *fmt,...)
{
	return 0;
}

int
errcode(int sqlerrcode)
{
	return 0;
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
		shim_error("out of memory");
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

void
appendStringInfo(StringInfo str, const char *fmt,...)
{
	char		buf[4096];
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int) sizeof(buf))
		abort();
	appendBinaryStringInfo(str, buf, n);
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
