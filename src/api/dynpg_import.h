/*-------------------------------------------------------------------------
 *
 * dynpg_import.h
 *	  Running ImportTable's loads in the background (import_ops.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_IMPORT_H
#define DYNPG_IMPORT_H

/* The GUCs of imports (from _PG_init): dynpg.debug_bulk_delay_ms */
extern void dynpg_import_init(void);

/* dynpg.debug_bulk_delay_ms (testing only): the wait per item of imports and exports */
extern int	dynpg_debug_bulk_delay_ms;

/*
 * The per-database worker's step: take the oldest IN_PROGRESS or
 * CANCELLING import of dynpg.imports and end it -- load it and mark it
 * COMPLETED, or drop its table and mark it FAILED or CANCELLED -- in
 * transactions of its own (call outside any).  Returns whether it found
 * one (there may be more).
 */
extern bool dynpg_import_step(void);

#endif							/* DYNPG_IMPORT_H */
