/*-------------------------------------------------------------------------
 *
 * dynpg_am_internal.h
 *	  What the files of src/am share and nothing outside it uses: the
 *	  snapshot reads and writes run with, storage keys of items, and
 *	  payloads as items.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_AM_INTERNAL_H
#define DYNPG_AM_INTERNAL_H

#include "lib/stringinfo.h"
#include "utils/rel.h"
#include "utils/snapshot.h"

#include "types/dynpg_item.h"

/* The active snapshot, or the transaction snapshot when none is active. */
extern Snapshot dynpg_am_snapshot(void);

/* The storage key of 'item' (which has the table's key attributes), appended to 'out'. */
extern void dynpg_am_storage_key(Relation rel, const DynItem *item, StringInfo out);

/* A stored payload as an item: detoasted (decompressed, or read from TOAST). */
extern DynItem *dynpg_am_payload_item(struct varlena *payload);

/*
 * The version that replaced 'v' among its key's versions (the same write's
 * xmin and cmin as v's xmax and cmax), or NULL (dynpg_write.c).
 */
struct DynBtVersion;
struct DynBtVersionSet;
extern struct DynBtVersion *dynpg_am_successor(struct DynBtVersionSet *set,
											   const struct DynBtVersion *v);

/*
 * Version 'vid' of 'rel': its storage key, appended to 'skey', from the TID
 * map or, on a miss, a search of the relation (dynpg_tidmap.c).  False if
 * no version of the relation has that VID.
 */
extern bool dynpg_tidmap_find(Relation rel, uint64 vid, StringInfo skey);

/*
 * The table's scans (dynpg_tidmap.c's header): 0 remember nothing, 1 note
 * the last row in a slot (dynpg_tidmap_slot_open, -1 when none is free),
 * 2 remember every row (dynpg_tidmap_remember).
 */
extern int	dynpg_tidmap_scan_mode(Relation rel);
extern int	dynpg_tidmap_slot_open(Relation rel);
extern void dynpg_tidmap_slot_note(int slot, uint64 vid, const uint8 *skey, int skeylen);
extern void dynpg_tidmap_slot_close(int slot);

#endif							/* DYNPG_AM_INTERNAL_H */
