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

/*
 * The TID map's share of the executor hooks and its setting
 * (dynpg_tidmap.c; src/storage/README, "Finding a version by TID"):
 * ExecutorStart and ExecutorEnd count the relations a statement may fetch
 * or lock by TID.
 */
struct PlannedStmt;
extern void dynpg_tidmap_executor_start(struct PlannedStmt *stmt);
extern void dynpg_tidmap_executor_end(struct PlannedStmt *stmt);
extern void dynpg_tidmap_init(void);

#endif							/* DYNPG_AM_H */
