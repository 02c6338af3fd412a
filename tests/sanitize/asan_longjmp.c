/*
 * asan_longjmp.c: preloaded (LD_PRELOAD) into the servers of
 * 'make sanitize-check' (scripts/sanitize-check.sh).
 *
 * PostgreSQL raises an ERROR with siglongjmp (glibc's __longjmp_chk under
 * _FORTIFY_SOURCE), which skips the epilogues of the frames it abandons.  In
 * an instrumented frame the epilogue clears the AddressSanitizer poison of
 * the frame's redzones; skipped, the poison stays on the stack and a later
 * frame at the same addresses reads as an overflow that is not one.  ASan's
 * own longjmp interceptors clear the stack first, but they are only in place
 * when its runtime is preloaded, and Debian's postgres hangs at its start
 * with the runtime preloaded; so the runtime comes in with the instrumented
 * dynpg.so, and this small library, preloaded instead, does what the
 * interceptor would: __asan_handle_no_return() (the runtime's, once loaded)
 * before the real jump.  It is not itself instrumented.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <setjmp.h>
#include <stddef.h>

typedef void (*longjmp_fn) (sigjmp_buf env, int val) __attribute__((noreturn));

void		__longjmp_chk(sigjmp_buf env, int val) __attribute__((noreturn));

void
__longjmp_chk(sigjmp_buf env, int val)
{
	static longjmp_fn real;
	static void (*no_return) (void);

	if (real == NULL)
		real = (longjmp_fn) dlsym(RTLD_NEXT, "__longjmp_chk");
	if (no_return == NULL)
		no_return = (void (*) (void)) dlsym(RTLD_DEFAULT, "__asan_handle_no_return");
	if (no_return != NULL)
		no_return();
	real(env, val);
}
