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

	if (rel->trigdesc != NULL || rel->rd_rel->relhasindex)
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

uint64
dynpg_bulk_add(DynBulkLoad *bl, DynItem *item)
{
	Relation	rel = bl->rel;
	const DynTableDef *def = dynpg_table_def(rel);
	CommandId	cid = GetCurrentCommandId(true);
	MemoryContext old = MemoryContextSwitchTo(bl->rowcxt);
	StringInfoData skey;
	uint64		vid;

	if (def->nindexes > 0)
		dynpg_index_check_item(def, item, false);
	initStringInfo(&skey);
	dynpg_am_storage_key(rel, item, &skey);
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
 * COPY: the AM's multi_insert hands over batches of rows and
 * finish_bulk_insert ends the statement.  One load at a time, of one
 * relation, in the (sub)transaction that began it; an error ends it with
 * the transaction (its memory belongs to the transaction, its temp files
 * to the statement's resource owner), so the callbacks only forget it.
 */
static DynBulkLoad *copy_load = NULL;
static Oid	copy_relid = InvalidOid;
static SubTransactionId copy_subid = InvalidSubTransactionId;

#define COPY_BULK_MIN_ROWS 100
#define COPY_BULK_MIN_BYTES (32 * 1024)

bool
dynpg_bulk_copy_rows(Relation rel, DynItem **items, uint64 *vids, int n)
{
	int			i;

	if (copy_load == NULL)
	{
		Size		bytes = 0;

		for (i = 0; i < n; i++)
			bytes += VARSIZE_ANY(items[i]);
		copy_load = dynpg_bulk_begin(rel, n >= COPY_BULK_MIN_ROWS || bytes >= COPY_BULK_MIN_BYTES);
		if (copy_load == NULL)
			return false;
		copy_relid = RelationGetRelid(rel);
		copy_subid = GetCurrentSubTransactionId();
	}
	else if (copy_relid != RelationGetRelid(rel) || copy_load->rel != rel)
		return false;
	for (i = 0; i < n; i++)
		vids[i] = dynpg_bulk_add(copy_load, items[i]);
	return true;
}

void
dynpg_bulk_copy_finish(Relation rel)
{
	DynBulkLoad *bl = copy_load;

	if (bl == NULL || copy_relid != RelationGetRelid(rel))
		return;
	copy_load = NULL;
	copy_relid = InvalidOid;
	(void) dynpg_bulk_finish(bl);
}

static void
bulk_xact_callback(XactEvent event, void *arg)
{
	copy_load = NULL;
	copy_relid = InvalidOid;
}

static void
bulk_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					  SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB && copy_load != NULL && mySubid == copy_subid)
	{
		copy_load = NULL;
		copy_relid = InvalidOid;
	}
}

void
dynpg_bulk_init(void)
{
	DefineCustomIntVariable("dynpg.bulk_fillfactor",
							"How full bulk loads (COPY into an empty table, ImportTable) pack leaves, in percent.",
							"Space left free takes later updates of the items beside them.",
							&dynpg_bulk_fillfactor, 90, 50, 100,
							PGC_USERSET, 0, NULL, NULL, NULL);
	RegisterXactCallback(bulk_xact_callback, NULL);
	RegisterSubXactCallback(bulk_subxact_callback, NULL);
}
