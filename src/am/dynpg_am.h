/*-------------------------------------------------------------------------
 *
 * dynpg_am.h
 *	  The dynpg table access method (dynpg_am.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_AM_H
#define DYNPG_AM_H

#include "utils/rel.h"

/* Whether rel is stored by the dynpg table access method. */
extern bool dynpg_is_dynpg_relation(Relation rel);

#endif							/* DYNPG_AM_H */
