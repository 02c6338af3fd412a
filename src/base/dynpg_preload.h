/*-------------------------------------------------------------------------
 *
 * dynpg_preload.h
 *	  The module's version, and whether it was loaded by
 *	  shared_preload_libraries.
 *
 * dynpg must be preloaded: it registers its WAL resource manager, its
 * shared memory and its background workers at postmaster start.  _PG_init
 * (src/dynpg.c) sets dynpg_preloaded; every entry point that needs what
 * preloading sets up calls dynpg_require_preload() first.  This unit is at
 * the bottom of the layers, so storage, am, index and api may all call it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_PRELOAD_H
#define DYNPG_PRELOAD_H

/* dynpg.version() and the HTTP endpoint's health line */
#define DYNPG_VERSION_STR "0.2"

/* True when this library was loaded by shared_preload_libraries. */
extern bool dynpg_preloaded;

/* ERROR (with a hint on how to fix it) unless dynpg was preloaded. */
extern void dynpg_require_preload(void);

#endif							/* DYNPG_PRELOAD_H */
