/*-------------------------------------------------------------------------
 *
 * dynpg.h
 *	  The module: its version.  src/dynpg.c is the entry point (_PG_init,
 *	  the hooks); it is the top of the layers and nothing includes it but
 *	  itself.  The preload check is in base/dynpg_preload.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_H
#define DYNPG_H

#define DYNPG_VERSION_STR "0.1"

#endif							/* DYNPG_H */
