/* tests/fuzz/pg_shim.c: the backend functions the harnesses link against. */
#ifndef DYNPG_FUZZ_PG_SHIM_H
#define DYNPG_FUZZ_PG_SHIM_H

#include <setjmp.h>

/*
 * The outermost PG_exception_stack: where an ERROR that no PG_TRY catches
 * jumps to (siglongjmp(*jb, 1)); also the stack's base.
 */
extern void shim_catch(sigjmp_buf *jb);
extern void shim_error(const char *what) pg_attribute_noreturn();
/* the last ERROR's SQLSTATE and message, and how many ERRORs were raised */
extern int	shim_last_sqlstate(void);
extern const char *shim_last_message(void);
extern int	shim_errors(void);
/* frees every palloc'd block */
extern void shim_free_all(void);
/* keeps every block palloc'd so far (a harness's fixed data, made once) */
extern void shim_keep_all(void);

#endif
