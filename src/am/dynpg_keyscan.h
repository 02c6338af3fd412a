/*-------------------------------------------------------------------------
 *
 * dynpg_keyscan.h
 *	  The key scan (dynpg_keyscan.c): the planner reads a dynpg table by
 *	  key when a SQL query's WHERE names the partition key.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_KEYSCAN_H
#define DYNPG_KEYSCAN_H

/* _PG_init: the GUC dynpg.enable_keyscan, the planner hook, the custom scan */
extern void dynpg_keyscan_init(void);

#endif							/* DYNPG_KEYSCAN_H */
