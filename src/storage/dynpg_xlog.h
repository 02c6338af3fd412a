/*-------------------------------------------------------------------------
 *
 * dynpg_xlog.h
 *	  dynpg's custom WAL resource manager (btxlog.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_XLOG_H
#define DYNPG_XLOG_H

#include "access/rmgr.h"
#include "storage/buf.h"
#include "storage/off.h"
#include "storage/relfilenode.h"
#include "utils/rel.h"

#define DYNPG_RMGR_ID	RM_EXPERIMENTAL_ID

#define XLOG_DYNPG_PRUNE_CONFLICT	0x10
#define XLOG_DYNPG_INSERT			0x20	/* one tuple into one page */
#define XLOG_DYNPG_SET_XMAX			0x30	/* a version's xmax and cmax */
#define XLOG_DYNPG_REPLACE			0x40	/* SET_XMAX, then INSERT, on one page */

typedef struct xl_dynpg_prune_conflict
{
	RelFileNode node;
	TransactionId latestRemovedXid;
} xl_dynpg_prune_conflict;

/* INSERT: block 0 is the page; the tuple is the block's data */
typedef struct xl_dynpg_insert
{
	OffsetNumber offnum;
} xl_dynpg_insert;

/* SET_XMAX: block 0 is the leaf */
typedef struct xl_dynpg_set_xmax
{
	OffsetNumber offnum;
	TransactionId xmax;
	CommandId	cmax;
} xl_dynpg_set_xmax;

/*
 * REPLACE: block 0 is the leaf; the new tuple is the block's data.  Redo
 * sets the old version's xmax first, then adds the tuple at offnum_new
 * (computed on the page before either change).
 */
typedef struct xl_dynpg_replace
{
	OffsetNumber offnum_old;
	OffsetNumber offnum_new;
	TransactionId xmax;
	CommandId	cmax;
} xl_dynpg_replace;

extern void dynpg_xlog_register(void);
extern void dynpg_xlog_replace(Relation rel, Buffer buf, OffsetNumber off_old,
							   TransactionId xmax, CommandId cmax, OffsetNumber off_new,
							   const char *tuple, Size tuplesz);
extern void dynpg_xlog_insert(Relation rel, Buffer buf, OffsetNumber off,
							  const char *tuple, Size tuplesz);
extern void dynpg_xlog_set_xmax(Relation rel, Buffer buf, OffsetNumber off,
								TransactionId xmax, CommandId cmax);
extern void dynpg_xlog_prune_conflict(Relation rel, TransactionId latestRemovedXid);

#endif							/* DYNPG_XLOG_H */
