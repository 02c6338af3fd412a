/*-------------------------------------------------------------------------
 *
 * dynpg_tidmap.h
 *	  The TID map: which storage key holds version VID, for the statements
 *	  that change or lock rows by TID (src/storage/README, "Finding a
 *	  version by TID"; dynpg_tidmap.c).
 *
 * A read path that returns rows of a dynpg table to the executor (the
 * table's scans, a planner's key-lookup scan) asks dynpg_tidmap_wanted()
 * once per scan and, when it says yes, remembers each row it returns:
 * the running statement may update, delete or lock that row by its TID.
 * Both are cheap; a read that skips them stays correct (a TID the map does
 * not know is found by a search of the relation), only slower.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_TIDMAP_H
#define DYNPG_TIDMAP_H

#include "utils/rel.h"

/* Must reads of rel in the running statement remember TIDs? */
extern bool dynpg_tidmap_wanted(Relation rel);

/* Version 'vid' of rel has storage key skey (skeylen bytes). */
extern void dynpg_tidmap_remember(Relation rel, uint64 vid, const uint8 *skey, int skeylen);

#endif							/* DYNPG_TIDMAP_H */
