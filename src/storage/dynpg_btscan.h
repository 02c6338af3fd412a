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

/*
 * Optional key bounds of a scan, on storage-key bytes (VIDs aside).  A key
 * is inside when it is above 'lower' (or equal, if lower_incl) and below
 * 'upper' (or equal, if upper_incl); with upper_prefix, every key that
 * starts with 'upper' counts as equal to it (begins_with).
 */
typedef struct DynBtBounds
{
	uint8	   *lower;			/* NULL: from the start */
	uint16		lowerlen;
	bool		lower_incl;
	uint8	   *upper;			/* NULL: to the end */
	uint16		upperlen;
	bool		upper_incl;
	bool		upper_prefix;
} DynBtBounds;

typedef struct DynBtScan
{
	Relation	rel;
	Snapshot	snapshot;		/* NULL: every version (no visibility check) */
	DynBtVisCache vis;			/* the last xmin's verdict under it */
	MemoryContext batchcxt;		/* holds the batch's arrays, reused leaf to leaf */
	bool		started;
	BlockNumber blkno;			/* the leaf of the batch */
	BlockNumber left;			/* its links when it was read */
	BlockNumber right;
	uint64		arrivals;		/* its dynpg_bt_arrivals() when it was read */
	int			n;				/* versions in the batch */
	int			pos;			/* the last returned (-1 before the first, n past the last) */
	uint64	   *vids;
	struct varlena **payloads;
	uint64		pages;			/* leaves read, for tests and EXPLAIN-like counters */
	/* bounded scans (dynpg_bt_scan_begin_range) */
	bool		bounded;
	DynBtBounds bounds;
	ScanDirection dir;			/* the direction a bounded scan was started in */
	bool		past_lower;		/* the batch saw (or its leaf ends at) keys below */
	bool		past_upper;		/* ... above the bounds: no need to go further */
	uint8	  **keys;			/* the batch's storage keys */
	uint16	   *keylens;
	int			cap;			/* room in vids, payloads, keys, keylens */
	char	   *data;			/* the batch's keys and payloads */
	Size		datacap;
	/*
	 * The (key, VID) last returned: a leaf read next is entered just past
	 * it, since VACUUM may have merged leaves meanwhile (btscan.c).
	 */
	bool		have_last;
	int			lastidx;		/* its index in the batch, or -1: in lastkey */
	uint8		lastkey[DYN_BT_MAX_KEY_SIZE];
	uint16		lastkeylen;
	uint64		lastvid;
	bool		ran_off;		/* the last call found no more versions */
	BufferAccessStrategy strategy;	/* a bulk-read ring for large scans, or NULL */
} DynBtScan;

/* Page reads of this backend, by kind (dynpg_bt_getbuf counts them). */
typedef struct DynBtReadStats
{
	uint64		meta;
	uint64		internal;
	uint64		leaf;
	uint64		rereads;		/* a backward scan's leaf read again: items arrived */
} DynBtReadStats;

extern DynBtReadStats dynpg_bt_reads;

/* A scan of the table's items (keyspace 0, src/index/dynpg_index.h), either way. */
extern DynBtScan *dynpg_bt_scan_begin(Relation rel, Snapshot snapshot);
extern DynBtScan *dynpg_bt_scan_begin_range(Relation rel, Snapshot snapshot,
											const DynBtBounds *bounds, ScanDirection dir);
extern void dynpg_bt_scan_bulkread(DynBtScan *scan);
extern int	dynpg_bt_keycmp(const uint8 *a, int alen, const uint8 *b, int blen);
extern void dynpg_bt_scan_rescan(DynBtScan *scan);
/* The storage key of the version the scan returned last (valid until its next call). */
extern const uint8 *dynpg_bt_scan_key(DynBtScan *scan, int *keylen);
extern void dynpg_bt_scan_end(DynBtScan *scan);
extern bool dynpg_bt_scan_next(DynBtScan *scan, uint64 *vid, struct varlena **payload);
extern bool dynpg_bt_scan_next_dir(DynBtScan *scan, ScanDirection dir, uint64 *vid,
								   struct varlena **payload);

#endif							/* DYNPG_BTSCAN_H */
