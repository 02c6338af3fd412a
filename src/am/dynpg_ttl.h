/*-------------------------------------------------------------------------
 *
 * dynpg_ttl.h
 *	  Time to live over the expiry index (dynpg_ttl.c): the sweep that
 *	  deletes expired items, the count of items awaiting it, and the build
 *	  of the index when TTL is enabled on a table with items.
 *
 * 'now' is in epoch seconds; items whose TTL value lies in
 * [now - 5 years, now) are expired (older values are ignored, as DynamoDB
 * ignores them).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_TTL_H
#define DYNPG_TTL_H

#include "utils/rel.h"

/* Delete at most 'max_deletes' expired items (still expired under their key lock); returns how many */
extern int64 dynpg_ttl_sweep(Relation rel, int64 now, int64 max_deletes);

/* The number of expired items not yet deleted */
extern int64 dynpg_ttl_backlog(Relation rel, int64 now);

/* Write the expiry entries of every item (TTL just enabled; the table held exclusively) */
extern int64 dynpg_ttl_build(Relation rel);

/* dynpg.ttl_sweep_interval (seconds) and dynpg.ttl_sweep_rate (items per second) */
extern int	dynpg_ttl_sweep_interval;
extern int	dynpg_ttl_sweep_rate;

/* _PG_init: the settings */
extern void dynpg_ttl_init(void);

/* Now in epoch seconds */
extern int64 dynpg_ttl_now(void);

#endif							/* DYNPG_TTL_H */
