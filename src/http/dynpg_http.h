/*-------------------------------------------------------------------------
 *
 * dynpg_http.h
 *	  DynamoDB's HTTP API served by dynpg's own background workers
 *	  (src/http/README): what the rest of dynpg calls.
 *
 * The HTTP layer is the top of dynpg: it calls the API layer's operations
 * (api/dynpg_api.h) and nothing below calls it, except that src/dynpg.c
 * sets it up at preload and the launcher (src/worker/launcher.c) starts
 * and stops its workers.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_HTTP_H
#define DYNPG_HTTP_H

#include "utils/memutils.h"

/* From _PG_init: the GUCs (dynpg.http_*) and the shared memory request. */
extern void dynpg_http_init(void);

/*
 * One pass of the launcher over the HTTP workers: start those that should
 * run and do not, stop those that should not (dynpg.http_port 0, fewer
 * dynpg.http_workers) or that serve an outdated configuration.  Returns
 * how long (ms) the launcher may sleep before the next pass.  Runs in the
 * launcher, with 'ctx' reset by the caller after each pass.
 */
extern long dynpg_http_launcher_pass(MemoryContext ctx);

/* When the launcher exits: stop every HTTP worker it started. */
extern void dynpg_http_launcher_exit(void);

/* The HTTP worker (bgw_function_name "dynpg_http_worker_main") */
extern PGDLLEXPORT void dynpg_http_worker_main(Datum main_arg);

#endif							/* DYNPG_HTTP_H */
