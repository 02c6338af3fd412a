/*-------------------------------------------------------------------------
 *
 * dynpg_export.h
 *	  Running exports to S3 in the background (export_ops.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_EXPORT_H
#define DYNPG_EXPORT_H

/*
 * The per-database worker's step: run the oldest IN_PROGRESS export of
 * dynpg.exports, in transactions of its own (call outside any), and mark
 * it COMPLETED, or FAILED with its error's SQLSTATE and message.  Returns
 * whether it ran one (there may be more).
 */
extern bool dynpg_export_step(void);

#endif							/* DYNPG_EXPORT_H */
