/*-------------------------------------------------------------------------
 *
 * dynpg_tidmap.c
 *	  The TID map (dynpg_tidmap.h; src/storage/README, "Finding a version
 *	  by TID"): a backend-local cache (relation file, VID) -> storage key,
 *	  the set of relations the running executors may change or lock by TID,
 *	  and the search of a relation for a VID the cache does not hold.
 *
 * The map lives in two generations, each a hash table in its own memory
 * context under TopTransactionContext, each allowed half of
 * dynpg.tid_map_memory: when the newer is full, the older is dropped and
 * a new one begun, so what was remembered last survives.  Both go at the
 * end of the transaction.  The relations being modified are counted per
 * relid by the executor hooks (dynpg_tidmap_executor_start/_end, called
 * from dynpg.c) and cleared at the end of the transaction.
 *
 * Most UPDATEs and DELETEs are a ModifyTable right above the scan of its
 * table: each row is changed before the scan returns the next, so the row
 * changed is always the one the scan returned last.  For those
 * ("pipelined") statements a scan does not fill the map: it notes only its
 * last row in a slot of its own (a copy of the key, no hashing), which a
 * look-up checks after the map.  A relation some running executor reads
 * otherwise (a join, a sort, SELECT ... FOR UPDATE, a cursor) has its scans
 * fill the map.  The slots are fixed buffers of this module, so a scan that
 * ends by an error leaves no dangling pointer: its slot stays taken until
 * the transaction ends, and when none is free a scan fills the map instead.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/plannodes.h"
#include "parser/parsetree.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "am/dynpg_am.h"
#include "am/dynpg_am_internal.h"
#include "am/dynpg_tidmap.h"
#include "storage/dynpg_bt.h"
#include "storage/dynpg_btscan.h"

/* dynpg.tid_map_memory, in kB */
static int	dynpg_tid_map_memory = 16 * 1024;

typedef struct TidMapKey
{
	Oid			spc;			/* the relation's file: rd_node's tablespace */
	Oid			relnode;		/* ... and relfilenode */
	uint64		vid;
} TidMapKey;

typedef struct TidMapEntry
{
	TidMapKey	key;
	int			skeylen;
	uint8	   *skey;
} TidMapEntry;

typedef struct TidMapGen
{
	MemoryContext cxt;
	HTAB	   *hash;
} TidMapGen;

static TidMapGen gen_new = {NULL, NULL};
static TidMapGen gen_old = {NULL, NULL};

/* relids the running executors may fetch or lock by TID, with counts */
typedef struct TidTarget
{
	Oid			relid;
	int			count;
	int			hashcount;		/* of which not pipelined: scans fill the map */
} TidTarget;

static TidTarget *targets = NULL;
static int	ntargets = 0;		/* entries used (some may have count 0) */
static int	maxtargets = 0;
static int	nactive = 0;		/* sum of the counts */

/* the last row of each pipelined scan (above) */
#define TIDMAP_SLOTS 16
typedef struct TidSlot
{
	bool		used;
	bool		valid;			/* a row was noted */
	Oid			spc;
	Oid			relnode;
	uint64		vid;
	uint16		keylen;
	uint8		key[DYN_BT_MAX_KEY_SIZE];
} TidSlot;

static TidSlot *slots = NULL;

bool
dynpg_tidmap_wanted(Relation rel)
{
	Oid			relid;
	int			i;

	if (nactive == 0)
		return false;
	relid = RelationGetRelid(rel);
	for (i = 0; i < ntargets; i++)
		if (targets[i].relid == relid)
			return targets[i].count > 0;
	return false;
}

/*
 * How a scan of rel in the running statements remembers TIDs: 0 not at
 * all, 1 its last row only (every executor that may change or lock rel by
 * TID is pipelined), 2 every row in the map.
 */
int
dynpg_tidmap_scan_mode(Relation rel)
{
	Oid			relid;
	int			i;

	if (nactive == 0)
		return 0;
	relid = RelationGetRelid(rel);
	for (i = 0; i < ntargets; i++)
		if (targets[i].relid == relid)
			return targets[i].count <= 0 ? 0 : targets[i].hashcount > 0 ? 2 : 1;
	return 0;
}

/* A slot for a pipelined scan of rel, or -1 when none is free. */
int
dynpg_tidmap_slot_open(Relation rel)
{
	int			i;

	if (slots == NULL)
		slots = MemoryContextAllocZero(TopMemoryContext, sizeof(TidSlot) * TIDMAP_SLOTS);
	for (i = 0; i < TIDMAP_SLOTS; i++)
	{
		if (!slots[i].used)
		{
			slots[i].used = true;
			slots[i].valid = false;
			slots[i].spc = rel->rd_node.spcNode;
			slots[i].relnode = rel->rd_node.relNode;
			return i;
		}
	}
	return -1;
}

void
dynpg_tidmap_slot_note(int slot, uint64 vid, const uint8 *skey, int skeylen)
{
	TidSlot    *t;

	if (slot < 0 || slot >= TIDMAP_SLOTS || slots == NULL || !slots[slot].used ||
		skeylen < 1 || skeylen > DYN_BT_MAX_KEY_SIZE)
		elog(ERROR, "dynpg: bad TID map slot %d", slot);
	t = &slots[slot];
	t->vid = vid;
	t->keylen = (uint16) skeylen;
	memcpy(t->key, skey, skeylen);
	t->valid = true;
}

void
dynpg_tidmap_slot_close(int slot)
{
	if (slots != NULL && slot >= 0 && slot < TIDMAP_SLOTS)
		slots[slot].used = slots[slot].valid = false;
}

static void
gen_begin(TidMapGen *g)
{
	HASHCTL		ctl;

	g->cxt = AllocSetContextCreate(TopTransactionContext, "dynpg TID map",
								   ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(TidMapKey);
	ctl.entrysize = sizeof(TidMapEntry);
	ctl.hcxt = g->cxt;
	g->hash = hash_create("dynpg TID map", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static void
gen_forget(TidMapGen *g)
{
	/* the contexts go with TopTransactionContext at the end of the transaction */
	g->cxt = NULL;
	g->hash = NULL;
}

static void
map_key(Relation rel, uint64 vid, TidMapKey *k)
{
	memset(k, 0, sizeof(*k));
	k->spc = rel->rd_node.spcNode;
	k->relnode = rel->rd_node.relNode;
	k->vid = vid;
}

void
dynpg_tidmap_remember(Relation rel, uint64 vid, const uint8 *skey, int skeylen)
{
	TidMapKey	k;
	TidMapEntry *e;
	bool		found;

	if (skeylen < 1 || skeylen > DYN_BT_MAX_KEY_SIZE)
		elog(ERROR, "dynpg: a storage key of %d bytes for the TID map", skeylen);
	if (gen_new.hash == NULL)
		gen_begin(&gen_new);
	else if (MemoryContextMemAllocated(gen_new.cxt, false) >
			 (Size) dynpg_tid_map_memory * 1024 / 2)
	{
		/* the newer generation is full: drop the older one */
		if (gen_old.cxt != NULL)
			MemoryContextDelete(gen_old.cxt);
		gen_old = gen_new;
		gen_begin(&gen_new);
	}
	map_key(rel, vid, &k);
	e = (TidMapEntry *) hash_search(gen_new.hash, &k, HASH_ENTER, &found);
	if (!found)
	{
		e->skey = MemoryContextAlloc(gen_new.cxt, skeylen);
		memcpy(e->skey, skey, skeylen);
		e->skeylen = skeylen;
	}
}

static TidMapEntry *
map_lookup(Relation rel, uint64 vid)
{
	TidMapKey	k;
	TidMapEntry *e = NULL;

	map_key(rel, vid, &k);
	if (gen_new.hash != NULL)
		e = (TidMapEntry *) hash_search(gen_new.hash, &k, HASH_FIND, NULL);
	if (e == NULL && gen_old.hash != NULL)
		e = (TidMapEntry *) hash_search(gen_old.hash, &k, HASH_FIND, NULL);
	return e;
}

bool
dynpg_tidmap_find(Relation rel, uint64 vid, StringInfo skey)
{
	TidMapEntry *e = map_lookup(rel, vid);
	MemoryContext cxt;
	MemoryContext old;
	DynBtScan  *scan;
	uint64		v;
	struct varlena *payload;
	bool		found = false;
	int			i;

	if (e != NULL)
	{
		appendBinaryStringInfo(skey, (const char *) e->skey, e->skeylen);
		return true;
	}
	if (vid == 0 || vid >= DYN_BT_MAX_VID)
		return false;
	/* the last row of a pipelined scan */
	for (i = 0; slots != NULL && i < TIDMAP_SLOTS; i++)
	{
		TidSlot    *t = &slots[i];

		if (t->used && t->valid && t->vid == vid && t->relnode == rel->rd_node.relNode &&
			t->spc == rel->rd_node.spcNode)
		{
			appendBinaryStringInfo(skey, (const char *) t->key, t->keylen);
			return true;
		}
	}

	/* a miss: search every version of every item (README: O(n), correct) */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "dynpg TID search",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	scan = dynpg_bt_scan_begin(rel, NULL);
	while (dynpg_bt_scan_next(scan, &v, &payload))
	{
		if (v == vid)
		{
			found = true;
			break;
		}
		CHECK_FOR_INTERRUPTS();
	}
	MemoryContextSwitchTo(old);
	if (found)
	{
		int			klen;
		const uint8 *k = dynpg_bt_scan_key(scan, &klen);

		appendBinaryStringInfo(skey, (const char *) k, klen);
		dynpg_tidmap_remember(rel, vid, k, klen);
	}
	dynpg_bt_scan_end(scan);
	MemoryContextDelete(cxt);
	return found;
}

/* ---- the relations the running executors may fetch or lock by TID ---- */

static void
target_add(Oid relid, int delta, bool pipelined)
{
	int			i;

	for (i = 0; i < ntargets; i++)
	{
		if (targets[i].relid == relid)
			break;
	}
	if (i == ntargets)
	{
		if (delta < 0)
			return;				/* counted before the transaction began (a held cursor) */
		if (ntargets == maxtargets)
		{
			maxtargets = maxtargets ? maxtargets * 2 : 8;
			targets = targets ?
				repalloc(targets, sizeof(TidTarget) * maxtargets) :
				MemoryContextAlloc(TopMemoryContext, sizeof(TidTarget) * maxtargets);
		}
		targets[ntargets].relid = relid;
		targets[ntargets].count = 0;
		targets[ntargets].hashcount = 0;
		ntargets++;
	}
	if (delta < 0 && targets[i].count == 0)
		return;
	targets[i].count += delta;
	nactive += delta;
	if (!pipelined && (delta > 0 || targets[i].hashcount > 0))
		targets[i].hashcount += delta;
}

/*
 * The relations 'stmt' may fetch or lock by TID: its result relations
 * (an UPDATE's, DELETE's or MERGE's, or those of data-modifying WITH
 * queries) and every relation with a row mark (SELECT ...
 * FOR UPDATE/SHARE; the other relations of an UPDATE or DELETE, which
 * EvalPlanQual re-fetches by TID).
 */
/*
 * Whether 'stmt' is an UPDATE or DELETE of one relation whose rows come
 * straight from a scan of that relation (a sequential, TID or key scan, maybe
 * under Result nodes) and nothing else is locked: each row is changed
 * before the next is read (the file's header).
 */
static bool
pipelined(PlannedStmt *stmt)
{
	Plan	   *plan = stmt->planTree;
	ModifyTable *mt;
	Index		rti;

	if ((stmt->commandType != CMD_UPDATE && stmt->commandType != CMD_DELETE) ||
		stmt->rowMarks != NIL || list_length(stmt->resultRelations) != 1 ||
		plan == NULL || !IsA(plan, ModifyTable))
		return false;
	mt = (ModifyTable *) plan;
	rti = (Index) linitial_int(stmt->resultRelations);
	if (list_length(mt->resultRelations) != 1 || (Index) linitial_int(mt->resultRelations) != rti)
		return false;
	plan = outerPlan(plan);
	while (plan != NULL && IsA(plan, Result) && innerPlan(plan) == NULL)
		plan = outerPlan(plan);
	if (plan == NULL || innerPlan(plan) != NULL || outerPlan(plan) != NULL)
		return false;
	if (IsA(plan, SeqScan))
		return ((SeqScan *) plan)->scan.scanrelid == rti;
	if (IsA(plan, TidScan))
		return ((TidScan *) plan)->scan.scanrelid == rti;
	/* the planner's key scan (dynpg_keyscan.c) returns each row as it reads it */
	if (IsA(plan, CustomScan) &&
		strcmp(((CustomScan *) plan)->methods->CustomName, "DynpgKeyScan") == 0)
		return ((CustomScan *) plan)->scan.scanrelid == rti;
	return false;
}

static void
count_targets(PlannedStmt *stmt, int delta)
{
	ListCell   *lc;
	bool		pipe;

	if (stmt == NULL)
		return;

	/*
	 * Every result relation: an INSERT's too, since a data-modifying WITH
	 * can put an UPDATE or DELETE under any statement (an INSERT's own
	 * target is not scanned, so counting it costs nothing).
	 */
	pipe = pipelined(stmt);
	foreach(lc, stmt->resultRelations)
	{
		RangeTblEntry *rte = rt_fetch(lfirst_int(lc), stmt->rtable);

		if (rte->rtekind == RTE_RELATION)
			target_add(rte->relid, delta, pipe);
	}
	foreach(lc, stmt->rowMarks)
	{
		PlanRowMark *rc = lfirst_node(PlanRowMark, lc);
		RangeTblEntry *rte;

		if (rc->markType == ROW_MARK_COPY)
			continue;
		rte = rt_fetch(rc->rti, stmt->rtable);
		if (rte->rtekind == RTE_RELATION)
			target_add(rte->relid, delta, false);
	}
}

void
dynpg_tidmap_executor_start(PlannedStmt *stmt)
{
	count_targets(stmt, 1);
}

void
dynpg_tidmap_executor_end(PlannedStmt *stmt)
{
	count_targets(stmt, -1);
}

static void
tidmap_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			gen_forget(&gen_new);
			gen_forget(&gen_old);
			ntargets = 0;
			nactive = 0;
			if (slots != NULL)
				memset(slots, 0, sizeof(TidSlot) * TIDMAP_SLOTS);
			break;
		default:
			break;
	}
}

void
dynpg_tidmap_init(void)
{
	DefineCustomIntVariable("dynpg.tid_map_memory",
							"Memory for the map from row TIDs to item keys that SQL UPDATE, DELETE "
							"and SELECT ... FOR UPDATE use on dynpg tables.",
							"A cache: a TID it no longer holds is found by a search of the table.",
							&dynpg_tid_map_memory,
							16 * 1024, 64, MAX_KILOBYTES,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
	RegisterXactCallback(tidmap_xact_callback, NULL);
}
