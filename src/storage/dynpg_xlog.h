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
#include "storage/relfilenode.h"
#include "utils/rel.h"

#define DYNPG_RMGR_ID	RM_EXPERIMENTAL_ID

#define XLOG_DYNPG_PRUNE_CONFLICT	0x10

typedef struct xl_dynpg_prune_conflict
{
	RelFileNode node;
	TransactionId latestRemovedXid;
} xl_dynpg_prune_conflict;

extern void dynpg_xlog_register(void);
extern void dynpg_xlog_prune_conflict(Relation rel, TransactionId latestRemovedXid);

#endif							/* DYNPG_XLOG_H */
