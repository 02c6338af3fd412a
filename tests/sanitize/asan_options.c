/*
 * asan_options.c: linked into the instrumented dynpg.so of
 * 'make sanitize-check' (scripts/sanitize-check.sh), not into the normal one.
 *
 * The sanitizers' options, built in.  ASAN_OPTIONS in the environment is not
 * enough: where a backend loads dynpg.so itself (a server without it in
 * shared_preload_libraries), the runtime starts in that backend and reads its
 * options from /proc/self/environ -- which PostgreSQL has overwritten with
 * the process title by then.  verify_asan_link_order=0: the runtime comes in
 * with dynpg.so, not first (see the script); detect_leaks=0: PostgreSQL frees
 * by memory context, not by free().
 */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *
__asan_default_options(void)
{
	return "verify_asan_link_order=0:detect_leaks=0:print_summary=1:handle_segv=1";
}

const char *
__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=0";
}
