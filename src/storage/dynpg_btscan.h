/*-------------------------------------------------------------------------
 *
 * dynpg_btscan.h
 *	  Leaf-at-a-time scans of the dynpg B-tree (btscan.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_BTSCAN_H
#define DYNPG_BTSCAN_H

#include "access/sdir.h"
#include "storage/dynpg_bt.h"

typedef struct DynBtScan
{
	Relation	rel;
	Snapshot	snapshot;		/* NULL: every version (no visibility check) */
	MemoryContext batchcxt;		/* holds the current leaf's copies */
	bool		started;
	BlockNumber blkno;			/* the leaf of the batch */
	BlockNumber left;			/* its links when it was read */
	BlockNumber right;
	int			n;				/* versions in the batch */
	int			pos;			/* the last returned (-1 before the first, n past the last) */
	uint64	   *vids;
	struct varlena **payloads;
	uint64		pages;			/* leaves read, for tests and EXPLAIN-like counters */
} DynBtScan;

extern DynBtScan *dynpg_bt_scan_begin(Relation rel, Snapshot snapshot);
extern void dynpg_bt_scan_rescan(DynBtScan *scan);
extern void dynpg_bt_scan_end(DynBtScan *scan);
extern bool dynpg_bt_scan_next(DynBtScan *scan, uint64 *vid, struct varlena **payload);
extern bool dynpg_bt_scan_next_dir(DynBtScan *scan, ScanDirection dir, uint64 *vid,
								   struct varlena **payload);

#endif							/* DYNPG_BTSCAN_H */
