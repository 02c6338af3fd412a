/* tests/fuzz/pg_shim.c: the backend functions the harnesses link against. */
#ifndef DYNPG_FUZZ_PG_SHIM_H
#define DYNPG_FUZZ_PG_SHIM_H

#include <setjmp.h>

/* where an ERROR jumps to (siglongjmp(*jb, 1)); also the stack's base */
extern void shim_catch(sigjmp_buf *jb);
extern void shim_error(const char *what) pg_attribute_noreturn();
/* frees every palloc'd block */
extern void shim_free_all(void);

#endif
