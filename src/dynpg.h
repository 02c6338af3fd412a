/*-------------------------------------------------------------------------
 *
 * dynpg.h
 *	  Process-wide declarations of dynpg: preloading and version.
 *
 * dynpg must be loaded through shared_preload_libraries: later layers
 * register WAL handling and background workers at postmaster start.  Entry
 * points that need it call dynpg_require_preload().
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_H
#define DYNPG_H

#define DYNPG_VERSION_STR "0.1"

extern bool dynpg_preloaded;

extern void dynpg_require_preload(void);

#endif							/* DYNPG_H */
