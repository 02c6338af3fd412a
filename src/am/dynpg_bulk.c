/*-------------------------------------------------------------------------
 *
 * dynpg_bulk.c
 *	  Bulk loads into an empty dynpg table: COPY FROM (the table AM's
 *	  multi_insert and finish_bulk_insert) and ImportTable.
 *
 * Item by item, every write descends the tree, takes its key lock, reads
 * the key's versions, inserts one tuple and WAL-logs it, and a table
 * loaded in hash order fills its leaves about 70% (random splits).  Into
 * an empty tree there is nothing to look up and no one to wait for, so a
 * bulk load checks each item as an INSERT does, stores its payload
 * (compressed or TOASTed as a write would), gives it a VID, and adds it
 * with its index entries -- LSIs, GSIs and the time-to-live index -- to a
 * sort; at the end the tree is built leaves first (src/storage/btbuild.c),
 * each page written once and logged as one full-page record, leaves filled
 * to dynpg.bulk_fillfactor.  GSI entries are written by the loading
 * transaction itself, so they appear with the items at commit; a GSI still
 * being backfilled also gets the usual change-log rows (harmless: applying
 * them writes nothing new).  Stream records are appended per item, as
 * writes append them.
 *
 * When: the tree is empty and the table has no triggers (AFTER ROW
 * triggers would fetch rows by TID before the tree holds them).  A table
 * created or truncated in the same transaction (CREATE then COPY, TRUNCATE
 * then COPY, ImportTable) is invisible to every other session, so nothing
 * else is needed.  Any other empty table is locked in ShareRowExclusiveLock
 * until the transaction ends, which waits for writers in progress and
 * keeps others out (readers are not blocked), and is checked again under
 * the lock; COPY does that only when its first batch (COPY buffers up to
 * 1,000 rows or 64 kB) holds at least 100 rows or 32 kB, so a small COPY
 * into an empty table goes item by item and locks nothing more.  Everything else goes item by item.
 *
 * Two rows with one key: the unique violation of an SQL INSERT, raised
 * when the sort meets them, which aborts the load.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "nodes/plannodes.h"
#include "parser/parsetree.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/lmgr.h"
#include "storage/predicate.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "am/dynpg_am_internal.h"
#include "am/dynpg_bulk.h"
#include "am/dynpg_changelog.h"
#include "am/dynpg_stream.h"
#include "am/dynpg_write.h"
#include "catalog/dynpg_catalog.h"
#include "index/dynpg_index.h"
#include "storage/dynpg_bt.h"

int			dynpg_bulk_fillfactor = 90;
bool		dynpg_bulk_load = true;

struct DynBulkLoad
{
	Relation	rel;
	MemoryContext cxt;			/* this struct, the build */
	MemoryContext rowcxt;		/* one item's work, reset after each */
	DynBtBuild *build;
	TransactionId xid;
	ResourceOwner owner;		/* the sort's temp files belong to it */
	bool		gsi_creating;	/* some GSI is being backfilled */
	bool		has_entries;
	int64		nitems;
};

DynBulkLoad *
dynpg_bulk_begin(Relation rel, bool lock)
{
	MemoryContext cxt;
	MemoryContext old;
	DynBulkLoad *bl;
	const DynTableDef *def;
	int			i;

	if (!dynpg_bulk_load || rel->trigdesc != NULL || rel->rd_rel->relhasindex)
		return NULL;
	if (!dynpg_bt_is_empty(rel))
		return NULL;
	if (rel->rd_createSubid == InvalidSubTransactionId &&
		rel->rd_firstRelfilenodeSubid == InvalidSubTransactionId)
	{
		/* others may write it: keep them out, then look again */
		if (!lock)
			return NULL;
		LockRelation(rel, ShareRowExclusiveLock);
		if (!dynpg_bt_is_empty(rel))
			return NULL;
	}
	/* SERIALIZABLE: writing a relation others have read is a conflict in */
	CheckForSerializableConflictIn(rel, NULL, InvalidBlockNumber);

	cxt = AllocSetContextCreate(CurTransactionContext, "dynpg bulk load", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	bl = palloc0(sizeof(DynBulkLoad));
	bl->rel = rel;
	bl->cxt = cxt;
	bl->rowcxt = AllocSetContextCreate(cxt, "dynpg bulk load item", ALLOCSET_DEFAULT_SIZES);
	bl->build = dynpg_bt_build_begin(rel);
	bl->xid = GetCurrentTransactionId();
	bl->owner = CurrentResourceOwner;
	def = dynpg_table_def(rel);
	bl->has_entries = def->nindexes > 0 || def->ttl_attr != NULL;
	for (i = 0; i < def->nindexes; i++)
		if (def->indexes[i].kind == DYN_INDEX_GLOBAL && def->indexes[i].creating)
			bl->gsi_creating = true;
	MemoryContextSwitchTo(old);
	return bl;
}

/* One tuple for the build: 'item' (its payload as a write stores it) under 'skey'. */
static uint64
add_tuple(DynBulkLoad *bl, StringInfo skey, DynItem *item, CommandId cid)
{
	DynBtLeafTupleData hdr;
	struct varlena *payload = dynpg_write_prepare_payload(bl->rel, item, skey->len);

	memset(&hdr, 0, sizeof(hdr));
	hdr.vid = dynpg_bt_next_vid(bl->rel);
	hdr.xmin = bl->xid;
	hdr.xmax = InvalidTransactionId;
	hdr.cmin = cid;
	hdr.cmax = InvalidCommandId;
	{
		/*
		 * The sort may spill to a temp file now: it must belong to the
		 * load's resource owner, not to the subtransaction a caller may
		 * run each item in (ImportTable does), whose abort would close it.
		 */
		ResourceOwner save = CurrentResourceOwner;

		CurrentResourceOwner = bl->owner;
		PG_TRY();
		{
			dynpg_bt_build_add(bl->build, (const uint8 *) skey->data, (uint16) skey->len, &hdr,
							   payload, VARSIZE_ANY(payload));
		}
		PG_FINALLY();
		{
			CurrentResourceOwner = save;
		}
		PG_END_TRY();
	}
	return hdr.vid;
}

void
dynpg_bulk_check(DynBulkLoad *bl, DynItem *item, StringInfo skey, bool key_first)
{
	const DynTableDef *def = dynpg_table_def(bl->rel);

	if (key_first)
		dynpg_am_storage_key(bl->rel, item, skey);
	if (def->nindexes > 0)
		dynpg_index_check_item(def, item, false);
	if (!key_first)
		dynpg_am_storage_key(bl->rel, item, skey);
}

uint64
dynpg_bulk_add(DynBulkLoad *bl, DynItem *item)
{
	MemoryContext old = MemoryContextSwitchTo(bl->rowcxt);
	StringInfoData skey;
	uint64		vid;

	initStringInfo(&skey);
	dynpg_bulk_check(bl, item, &skey, false);
	vid = dynpg_bulk_add_checked(bl, item, &skey);
	MemoryContextSwitchTo(old);
	return vid;
}

uint64
dynpg_bulk_add_checked(DynBulkLoad *bl, DynItem *item, StringInfo skey_in)
{
	Relation	rel = bl->rel;
	const DynTableDef *def = dynpg_table_def(rel);
	CommandId	cid = GetCurrentCommandId(true);
	MemoryContext old = MemoryContextSwitchTo(bl->rowcxt);
	StringInfoData skey = *skey_in;
	uint64		vid;

	vid = add_tuple(bl, &skey, item, cid);
	if (bl->has_entries)
	{
		DynIndexChanges ch;
		int			i;

		/* LSI and time-to-live entries */
		dynpg_index_changes_of_write(def, NULL, item, &ch);
		for (i = 0; i < ch.nwrites; i++)
			if (ch.writes[i].put != NULL)
				(void) add_tuple(bl, ch.writes[i].put, ch.writes[i].item, cid);
		if (ch.log_gsi)
		{
			DynEntryWrite *writes;
			int			n = dynpg_index_gsi_writes(def, ch.base_key, NULL, item, &writes);

			for (i = 0; i < n; i++)
				if (writes[i].put != NULL)
					(void) add_tuple(bl, writes[i].put, writes[i].item, cid);
			if (bl->gsi_creating)
				dynpg_changelog_append(RelationGetRelid(rel), ch.base_key, ch.old_keys);
		}
	}
	dynpg_stream_append(rel, &skey, NULL, item, false);
	pgstat_count_heap_insert(rel, 1);
	bl->nitems++;
	MemoryContextSwitchTo(old);
	MemoryContextReset(bl->rowcxt);
	return vid;
}

static void
bulk_duplicate(const char *tuple, Size len, void *arg)
{
	DynBulkLoad *bl = arg;
	DynBtLeafTupleData h;
	struct varlena *payload;

	memcpy(&h, tuple, DYN_BT_LEAF_HDRSZ);
	if (len <= DYN_BT_LEAF_HDRSZ + h.keylen)
		return;
	/* the stored datum, copied out aligned */
	payload = palloc(len - DYN_BT_LEAF_HDRSZ - h.keylen);
	memcpy(payload, tuple + DYN_BT_LEAF_HDRSZ + h.keylen, len - DYN_BT_LEAF_HDRSZ - h.keylen);
	/* only table items can collide: index entry keys hold their item's key */
	if (h.keylen > 0 && ((const uint8 *) tuple)[DYN_BT_LEAF_HDRSZ] == 0)
		dynpg_write_duplicate_error(bl->rel, dynpg_am_payload_item(payload));
}

int64
dynpg_bulk_finish(DynBulkLoad *bl)
{
	int64		n = bl->nitems;

	(void) dynpg_bt_build_finish(bl->build, dynpg_bulk_fillfactor, bulk_duplicate, bl);
	bl->build = NULL;
	MemoryContextDelete(bl->cxt);
	return n;
}

void
dynpg_bulk_abort(DynBulkLoad *bl)
{
	if (bl->build != NULL)
		dynpg_bt_build_abort(bl->build);
	MemoryContextDelete(bl->cxt);
}

/*
 * The load in progress, begun by a statement: COPY (the AM's multi_insert
 * hands over batches of rows, finish_bulk_insert ends the statement) or
 * INSERT (tuple_insert hands over rows one by one; the load is built when
 * an executor finishes or starts, below).  One load at a time, of one
 * relation, in the (sub)transaction that began it; an error ends it with
 * the transaction (its memory belongs to the transaction, its temp files
 * to the statement's resource owner), so the callbacks only forget it.
 */
typedef enum LoadKind
{
	LOAD_COPY,
	LOAD_INSERT
} LoadKind;

static DynBulkLoad *cur_load = NULL;
static LoadKind cur_kind;
static Oid	cur_relid = InvalidOid;
static SubTransactionId cur_subid = InvalidSubTransactionId;
static CommandId cur_cid;

/* INSERT: the relation a starting executor may insert many rows into */
static Oid	insert_candidate = InvalidOid;
/* INSERT: the relation (and command) found unfit, not asked again per row */
static Oid	declined_relid = InvalidOid;
static CommandId declined_cid;

#define COPY_BULK_MIN_ROWS 100
#define COPY_BULK_MIN_BYTES (32 * 1024)
#define INSERT_BULK_MIN_ROWS 1000

static void
forget_load(void)
{
	cur_load = NULL;
	cur_relid = InvalidOid;
	insert_candidate = InvalidOid;
	declined_relid = InvalidOid;
}

static bool
begin_load(Relation rel, bool lock, LoadKind kind)
{
	cur_load = dynpg_bulk_begin(rel, lock);
	if (cur_load == NULL)
		return false;
	cur_kind = kind;
	cur_relid = RelationGetRelid(rel);
	cur_subid = GetCurrentSubTransactionId();
	cur_cid = GetCurrentCommandId(false);
	return true;
}

bool
dynpg_bulk_copy_rows(Relation rel, DynItem **items, uint64 *vids, int n)
{
	int			i;

	if (cur_load == NULL)
	{
		Size		bytes = 0;

		for (i = 0; i < n; i++)
			bytes += VARSIZE_ANY(items[i]);
		if (!begin_load(rel, n >= COPY_BULK_MIN_ROWS || bytes >= COPY_BULK_MIN_BYTES, LOAD_COPY))
			return false;
	}
	else if (cur_kind != LOAD_COPY || cur_relid != RelationGetRelid(rel) || cur_load->rel != rel)
		return false;
	for (i = 0; i < n; i++)
		vids[i] = dynpg_bulk_add(cur_load, items[i]);
	return true;
}

void
dynpg_bulk_copy_finish(Relation rel)
{
	DynBulkLoad *bl = cur_load;

	if (bl == NULL || cur_kind != LOAD_COPY || cur_relid != RelationGetRelid(rel))
		return;
	forget_load();
	(void) dynpg_bulk_finish(bl);
}

/*
 * INSERT (tuple_insert): into a table the transaction created or truncated
 * (nobody else's), or one a starting executor's plan expects many rows for
 * (dynpg_bulk_executor_start; locked as COPY locks it), whose tree is empty
 * and which has no triggers: the row goes to a load.  Its VID (the row's
 * TID) is given now; the tree is built when the statement's executor
 * finishes -- or before any executor starts meanwhile (a function called
 * per row that reads the table sees the rows inserted so far, as it would
 * item by item) and at the latest before the transaction commits.
 */
bool
dynpg_bulk_insert_row(Relation rel, DynItem *item, uint64 *vid)
{
	Oid			relid = RelationGetRelid(rel);
	CommandId	cid = GetCurrentCommandId(false);

	if (cur_load != NULL)
	{
		if (cur_kind != LOAD_INSERT || cur_relid != relid || cur_load->rel != rel ||
			cur_cid != cid)
			return false;
	}
	else
	{
		bool		mine = rel->rd_createSubid != InvalidSubTransactionId ||
			rel->rd_firstRelfilenodeSubid != InvalidSubTransactionId;

		if (rel->trigdesc != NULL || (!mine && relid != insert_candidate))
			return false;
		if (declined_relid == relid && declined_cid == cid)
			return false;
		if (!begin_load(rel, relid == insert_candidate, LOAD_INSERT))
		{
			declined_relid = relid;
			declined_cid = cid;
			return false;
		}
	}
	*vid = dynpg_bulk_add(cur_load, item);
	return true;
}

/* Build the INSERT load in progress, if any. */
void
dynpg_bulk_flush(void)
{
	DynBulkLoad *bl = cur_load;

	if (bl == NULL || cur_kind != LOAD_INSERT)
		return;
	forget_load();
	(void) dynpg_bulk_finish(bl);
}

/*
 * An executor starts: an INSERT load in progress is built first; then, if
 * this executor is an INSERT whose plan expects at least 1,000 rows, its
 * target relation is the candidate for a load (tuple_insert decides).
 */
void
dynpg_bulk_executor_start(PlannedStmt *stmt)
{
	dynpg_bulk_flush();
	insert_candidate = InvalidOid;
	if (stmt->commandType == CMD_INSERT && stmt->planTree != NULL &&
		IsA(stmt->planTree, ModifyTable) && outerPlan(stmt->planTree) != NULL &&
		outerPlan(stmt->planTree)->plan_rows >= INSERT_BULK_MIN_ROWS &&
		list_length(stmt->resultRelations) == 1)
	{
		RangeTblEntry *rte = rt_fetch(linitial_int(stmt->resultRelations), stmt->rtable);

		insert_candidate = rte->relid;
	}
}

static void
bulk_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			/* an INSERT load not built yet (an executor that did not finish) */
			dynpg_bulk_flush();
			break;
		default:
			forget_load();
			break;
	}
}

static void
bulk_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					  SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_PRE_COMMIT_SUB && cur_load != NULL && mySubid == cur_subid)
		dynpg_bulk_flush();
	if (event == SUBXACT_EVENT_ABORT_SUB && cur_load != NULL && mySubid == cur_subid)
		forget_load();
}

void
dynpg_bulk_init(void)
{
	DefineCustomIntVariable("dynpg.bulk_fillfactor",
							"How full bulk loads (COPY into an empty table, ImportTable) pack leaves, in percent.",
							"Space left free takes later updates of the items beside them.",
							&dynpg_bulk_fillfactor, 90, 50, 100,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("dynpg.bulk_load",
							 "Whether COPY, INSERT ... SELECT and ImportTable into an empty table build it by a bulk load.",
							 "Off: they write item by item, and take no lock beyond their own.",
							 &dynpg_bulk_load, true,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	RegisterXactCallback(bulk_xact_callback, NULL);
	RegisterSubXactCallback(bulk_subxact_callback, NULL);
}
