/*-------------------------------------------------------------------------
 *
 * index_backfill.c
 *	  Building a GSI that UpdateTable added (the backfill), dropping the
 *	  entries of one it deleted, and the testing functions over index
 *	  entries (src/index/README, "UpdateTable" and "Backfill").
 *
 * A GSI added to a table that holds items is stored with "IndexStatus":
 * "CREATING" in the table's definition.  From UpdateTable's commit on,
 * every base write logs changes for it (the write path reads the
 * definition) and the change log's apply writes its entries, as for any
 * GSI; what the backfill adds is the entries of the items that were
 * written before.  It walks keyspace 0 in key order from the position
 * saved in dynpg.index_builds, a bounded number of keys per step; for
 * each key it takes the key's lock as a writer would, reads the newest
 * committed version, writes that version's entry (dynpg_write_entry with
 * the entry's own lock), and releases the key.  When the walk reaches the
 * end of keyspace 0, the index's definition loses its IndexStatus
 * (ACTIVE).  README "Backfill" has the argument why no entry is missed or
 * left stale.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "am/dynpg_am.h"
#include "am/dynpg_read.h"
#include "am/dynpg_write.h"
#include "catalog/dynpg_catalog.h"
#include "base/dynpg_preload.h"
#include "base/dynpg_search_path.h"
#include "base/dynpg_error.h"
#include "index/dynpg_index.h"
#include "indexer/dynpg_indexer.h"
#include "types/dynpg_item.h"

/* ---------------------------------------------------------------------
 * Keys of a keyspace
 * ---------------------------------------------------------------------
 */

/*
 * Up to 'max' distinct storage keys of keyspace 'keyspace' above 'after'
 * (or from the keyspace's start), in key order, with any version (live,
 * dead or in progress): the caller decides per key.  *more is set when
 * keys remain beyond them.
 */
static int
collect_keys(Relation rel, uint8 keyspace, const uint8 *after, int afterlen, int max,
			 StringInfo keys, bool *more)
{
	DynReadRange range;
	DynRead    *r;
	DynItem    *item;
	int			n = 0;

	*more = false;
	dynpg_read_keyspace_range(keyspace, keyspace, &range);
	if (after != NULL)
		dynpg_read_range_after_key(&range, after, afterlen);	/* resume past the last key done */
	r = dynpg_read_begin(rel, &range, DYN_READ_ALL_VERSIONS | DYN_READ_KEYS_ONLY);
	while (dynpg_read_next(r, &item))
	{
		int			keylen;
		const uint8 *key = dynpg_read_key(r, &keylen);

		if (n > 0 && keys[n - 1].len == keylen && memcmp(keys[n - 1].data, key, keylen) == 0)
			continue;			/* another version of the same key */
		if (n == max)
		{
			*more = true;
			break;
		}
		initStringInfo(&keys[n]);
		appendBinaryStringInfo(&keys[n], (const char *) key, keylen);
		n++;
	}
	dynpg_read_end(r);
	return n;
}

bool
dynpg_index_table_has_items(Relation rel)
{
	StringInfoData key;
	bool		more;

	return collect_keys(rel, DYN_KEYSPACE_TABLE, NULL, 0, 1, &key, &more) > 0;
}

void
dynpg_index_delete_entries(Relation rel, int keyspace)
{
	StringInfoData *keys = palloc(sizeof(StringInfoData) * DYN_BACKFILL_STEP_ITEMS);
	StringInfoData last;
	bool		have_last = false;
	bool		more = true;
	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext, "dynpg delete entries",
											  ALLOCSET_DEFAULT_SIZES);

	initStringInfo(&last);
	while (more)
	{
		MemoryContext old = MemoryContextSwitchTo(tmp);
		int			n = collect_keys(rel, (uint8) keyspace,
									 have_last ? (uint8 *) last.data : NULL, last.len,
									 DYN_BACKFILL_STEP_ITEMS, keys, &more);
		int			i;

		for (i = 0; i < n; i++)
			dynpg_write_entry(rel, &keys[i], NULL, false);
		MemoryContextSwitchTo(old);
		if (n > 0)
		{
			resetStringInfo(&last);
			appendBinaryStringInfo(&last, keys[n - 1].data, keys[n - 1].len);
			have_last = true;
		}
		MemoryContextReset(tmp);
	}
	MemoryContextDelete(tmp);
}

/* ---------------------------------------------------------------------
 * dynpg.index_builds: a backfill's position
 * ---------------------------------------------------------------------
 */

/*
 * Run 'sql' through SPI as the owner of dynpg.index_builds (the extension's
 * owner), which is closed to everyone else; the caller's identity comes
 * back at the end, or with the (sub)transaction's abort.  The first row's
 * columns 1 and 2 are copied out when asked for.
 */
static uint64
builds_exec(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
			char **col1, bytea **col2)
{
	Oid			nsp = get_namespace_oid("dynpg", false);
	Oid			relid = get_relname_relid("index_builds", nsp);
	HeapTuple	tup;
	Oid			owner;
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;
	uint64		processed;
	MemoryContext caller = CurrentMemoryContext;
	int			ret;

	if (!OidIsValid(relid))
		elog(ERROR, "dynpg: dynpg.index_builds is missing");
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "dynpg: cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	save_nestlevel = dynpg_search_path_push();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
	ret = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
	if (ret < 0)
		elog(ERROR, "dynpg: %s returned %s", sql, SPI_result_code_string(ret));
	processed = SPI_processed;
	if (col1 != NULL)
		*col1 = NULL;
	if (col2 != NULL)
		*col2 = NULL;
	if (processed > 0 && SPI_tuptable != NULL)
	{
		bool		isnull;
		Datum		d;

		if (col1 != NULL)
		{
			d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
			if (!isnull)
				*col1 = MemoryContextStrdup(caller, TextDatumGetCString(d));
		}
		if (col2 != NULL)
		{
			d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
			if (!isnull)
			{
				bytea	   *b = DatumGetByteaPP(d);
				bytea	   *copy = MemoryContextAlloc(caller, VARSIZE_ANY(b) + VARHDRSZ);

				SET_VARSIZE(copy, VARSIZE_ANY_EXHDR(b) + VARHDRSZ);
				memcpy(VARDATA(copy), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
				*col2 = copy;
			}
		}
	}
	SPI_finish();
	dynpg_search_path_pop(save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec);
	return processed;
}

void
dynpg_index_forget_builds(Oid relid, const char *index_name)
{
	Oid			types[2] = {OIDOID, TEXTOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};

	values[0] = ObjectIdGetDatum(relid);
	values[1] = index_name ? CStringGetTextDatum(index_name) : (Datum) 0;
	nulls[1] = index_name ? ' ' : 'n';
	(void) builds_exec("DELETE FROM dynpg.index_builds WHERE tbl = $1 "
					   "AND ($2 IS NULL OR index_name = $2)",
					   2, types, values, nulls, NULL, NULL);
}

/*
 * The saved position of the backfill of 'index_name' of relid, locked (FOR
 * UPDATE: one backfiller of an index at a time; a second waits and then
 * reads the first's position).  NULL: from the start.  A row from another
 * table that had this OID (another TableId) is reset.
 */
static bytea *
builds_lock_position(Oid relid, const char *index_name, const char *table_id)
{
	Oid			types[3] = {OIDOID, TEXTOID, TEXTOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};
	char	   *row_table_id;
	bytea	   *position;

	values[0] = ObjectIdGetDatum(relid);
	values[1] = CStringGetTextDatum(index_name);
	values[2] = table_id ? CStringGetTextDatum(table_id) : (Datum) 0;
	nulls[2] = table_id ? ' ' : 'n';
	(void) builds_exec("INSERT INTO dynpg.index_builds (tbl, index_name, table_id) "
					   "VALUES ($1, $2, $3) ON CONFLICT (tbl, index_name) DO NOTHING",
					   3, types, values, nulls, NULL, NULL);
	(void) builds_exec("SELECT table_id, position FROM dynpg.index_builds "
					   "WHERE tbl = $1 AND index_name = $2 FOR UPDATE",
					   2, types, values, nulls, &row_table_id, &position);
	if ((row_table_id == NULL) != (table_id == NULL) ||
		(table_id != NULL && strcmp(row_table_id, table_id) != 0))
	{
		(void) builds_exec("UPDATE dynpg.index_builds SET table_id = $3, position = NULL "
						   "WHERE tbl = $1 AND index_name = $2",
						   3, types, values, nulls, NULL, NULL);
		position = NULL;
	}
	return position;
}

static void
builds_save_position(Oid relid, const char *index_name, StringInfo key)
{
	Oid			types[3] = {OIDOID, TEXTOID, BYTEAOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};
	bytea	   *b = palloc(VARHDRSZ + key->len);

	SET_VARSIZE(b, VARHDRSZ + key->len);
	memcpy(VARDATA(b), key->data, key->len);
	values[0] = ObjectIdGetDatum(relid);
	values[1] = CStringGetTextDatum(index_name);
	values[2] = PointerGetDatum(b);
	(void) builds_exec("UPDATE dynpg.index_builds SET position = $3 "
					   "WHERE tbl = $1 AND index_name = $2",
					   3, types, values, nulls, NULL, NULL);
}

/* ---------------------------------------------------------------------
 * Definitions
 * ---------------------------------------------------------------------
 */

/* The definition with the IndexStatus of GSI 'index_name' removed (ACTIVE). */
static Jsonb *
definition_index_active(const Jsonb *def, const char *index_name)
{
	JsonbIterator *it = JsonbIteratorInit((JsonbContainer *) &def->root);
	JsonbIteratorToken tok;
	JsonbValue	v;
	JsonbParseState *st = NULL;
	JsonbValue *res = NULL;
	bool		gsis_next = false;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_VALUE && gsis_next && v.type == jbvBinary &&
			JsonContainerIsArray(v.val.binary.data))
		{
			JsonbContainer *list = v.val.binary.data;
			int			n = JsonContainerSize(list);
			int			i;

			pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
			for (i = 0; i < n; i++)
			{
				JsonbValue *e = getIthJsonbValueFromContainer(list, i);
				JsonbValue	name;
				JsonbIterator *eit;
				JsonbIteratorToken etok;
				JsonbValue	ev;
				bool		skip_value = false;

				if (e->type != jbvBinary || !JsonContainerIsObject(e->val.binary.data) ||
					getKeyJsonValueFromContainer(e->val.binary.data, "IndexName", 9, &name) == NULL ||
					name.type != jbvString || name.val.string.len != (int) strlen(index_name) ||
					memcmp(name.val.string.val, index_name, name.val.string.len) != 0)
				{
					pushJsonbValue(&st, WJB_ELEM, e);
					continue;
				}
				eit = JsonbIteratorInit(e->val.binary.data);
				while ((etok = JsonbIteratorNext(&eit, &ev, true)) != WJB_DONE)
				{
					if (etok == WJB_KEY)
					{
						skip_value = ev.val.string.len == 11 &&
							memcmp(ev.val.string.val, "IndexStatus", 11) == 0;
						if (skip_value)
							continue;
					}
					else if (etok == WJB_VALUE && skip_value)
					{
						skip_value = false;
						continue;
					}
					pushJsonbValue(&st, etok,
								   (etok == WJB_KEY || etok == WJB_VALUE) ? &ev : NULL);
				}
			}
			res = pushJsonbValue(&st, WJB_END_ARRAY, NULL);
			gsis_next = false;
			continue;
		}
		gsis_next = (tok == WJB_KEY && v.val.string.len == 22 &&
					 memcmp(v.val.string.val, "GlobalSecondaryIndexes", 22) == 0);
		res = pushJsonbValue(&st, tok,
							 (tok == WJB_KEY || tok == WJB_VALUE || tok == WJB_ELEM) ? &v : NULL);
	}
	return JsonbValueToJsonb(res);
}

/* The definition's TableId, or NULL. */
static char *
definition_table_id(const Jsonb *def)
{
	JsonbValue	v;

	if (getKeyJsonValueFromContainer((JsonbContainer *) &def->root, "TableId", 7, &v) == NULL ||
		v.type != jbvString)
		return NULL;
	return pnstrdup(v.val.string.val, v.val.string.len);
}

bool
dynpg_index_backfill_pending(Oid relid)
{
	Jsonb	   *def = dynpg_relation_definition(relid);
	JsonbValue	list;
	int			n;
	int			i;

	if (def == NULL ||
		getKeyJsonValueFromContainer(&def->root, "GlobalSecondaryIndexes", 22, &list) == NULL ||
		list.type != jbvBinary || !JsonContainerIsArray(list.val.binary.data))
		return false;
	n = JsonContainerSize(list.val.binary.data);
	for (i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(list.val.binary.data, i);
		JsonbValue	status;

		if (e != NULL && e->type == jbvBinary && JsonContainerIsObject(e->val.binary.data) &&
			getKeyJsonValueFromContainer(e->val.binary.data, "IndexStatus", 11, &status) != NULL &&
			status.type == jbvString && status.val.string.len == 8 &&
			memcmp(status.val.string.val, "CREATING", 8) == 0)
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------------
 * Backfill
 * ---------------------------------------------------------------------
 */

typedef enum StepResult
{
	STEP_NOTHING,				/* no such CREATING index, or nothing could be done now */
	STEP_PROGRESS,				/* keys done, more to do */
	STEP_DONE					/* the index is ACTIVE now */
} StepResult;

/* Write the entry of base key 'skey' in GSI 'index_name' from its newest version. */
static void
backfill_key(Relation rel, const char *index_name, StringInfo skey)
{
	ItemPointerData locktid;
	DynItem    *cur = dynpg_write_lock_key(rel, skey, &locktid);

	if (cur != NULL)
	{
		/* after the read (which may detoast, so process invalidations) */
		const DynTableDef *def = dynpg_table_def(rel);
		const DynIndexDef *ix = dynpg_table_index(def, index_name);
		DynIndexKey ikey;

		/* the wrong type, an empty or too long value: skipped, as DynamoDB's backfill does */
		if (ix != NULL && dynpg_index_key_of(ix, cur, false, &ikey))
		{
			StringInfoData ekey;
			DynItem    *projected;

			initStringInfo(&ekey);
			dynpg_index_entry_key(def, ix, &ikey, cur, &ekey);
			projected = dynpg_index_project(def, ix, cur);
			dynpg_write_entry(rel, &ekey, projected, true);
		}
	}
	dynpg_write_unlock_key(rel, &locktid);
}

/*
 * One step of the backfill of GSI 'index_name' of relid.  'wait': wait for
 * the AccessExclusiveLock that marking the index ACTIVE takes (else give up
 * for now if it is not free at once, so that the worker never queues
 * behind a long reader and holds up the table's writers).
 */
static StepResult
backfill_step_one(Oid relid, const char *index_name, bool wait)
{
	Relation	rel;
	const DynTableDef *def;
	const DynIndexDef *ix;
	char	   *table_id;
	bytea	   *position;
	StringInfoData *keys;
	int			nkeys;
	bool		more;
	int			i;
	MemoryContext tmp;
	MemoryContext old;

	if (dynpg_relation_definition(relid) == NULL)
		return STEP_NOTHING;
	rel = try_table_open(relid, RowExclusiveLock);
	if (rel == NULL)
		return STEP_NOTHING;
	if (dynpg_relation_definition(relid) == NULL)
	{
		table_close(rel, RowExclusiveLock);
		return STEP_NOTHING;
	}
	def = dynpg_table_def(rel);
	ix = dynpg_table_index(def, index_name);
	if (ix == NULL || !ix->creating)
	{
		table_close(rel, RowExclusiveLock);
		return STEP_NOTHING;
	}
	table_id = definition_table_id(def->definition);

	position = builds_lock_position(relid, index_name, table_id);
	keys = palloc(sizeof(StringInfoData) * DYN_BACKFILL_STEP_ITEMS);
	nkeys = collect_keys(rel, DYN_KEYSPACE_TABLE,
						 position ? (uint8 *) VARDATA(position) : NULL,
						 position ? VARSIZE(position) - VARHDRSZ : 0,
						 DYN_BACKFILL_STEP_ITEMS, keys, &more);
	tmp = AllocSetContextCreate(CurrentMemoryContext, "dynpg backfill key",
								ALLOCSET_DEFAULT_SIZES);
	for (i = 0; i < nkeys; i++)
	{
		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(tmp);
		backfill_key(rel, index_name, &keys[i]);
		MemoryContextSwitchTo(old);
		MemoryContextReset(tmp);
	}
	MemoryContextDelete(tmp);

	if (more || !(wait ? (LockRelationOid(relid, AccessExclusiveLock), true) :
				  ConditionalLockRelationOid(relid, AccessExclusiveLock)))
	{
		if (nkeys > 0)
			builds_save_position(relid, index_name, &keys[nkeys - 1]);
		table_close(rel, NoLock);
		return nkeys > 0 ? STEP_PROGRESS : STEP_NOTHING;
	}

	/*
	 * Every key of keyspace 0 is done: what was written before UpdateTable
	 * committed is in the index, and what was written since was logged.
	 */
	def = dynpg_table_def(rel);
	ix = dynpg_table_index(def, index_name);
	if (ix != NULL && ix->creating)
		dynpg_table_set_definition(rel, definition_index_active(def->definition, index_name));
	dynpg_index_forget_builds(relid, index_name);
	CommandCounterIncrement();
	table_close(rel, NoLock);
	return STEP_DONE;
}

/*
 * Backend-local: no index was CREATING when last looked, and no relcache
 * invalidation came since (UpdateTable's definition change sends one, as
 * does CREATE TABLE on restore), so the worker's calls cost nothing while
 * there is nothing to build.
 */
static bool known_idle = false;
static bool idle_callback_registered = false;

static void
backfill_invalidate(Datum arg, Oid relid)
{
	known_idle = false;
}

/* A CREATING GSI (of relid, unless InvalidOid): its table and name. */
static bool
find_creating(Oid only_relid, Oid *relid, char **index_name)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	char		nulls[1];
	MemoryContext caller = CurrentMemoryContext;
	bool		found = false;
	int			ret;

	values[0] = ObjectIdGetDatum(only_relid);
	nulls[0] = OidIsValid(only_relid) ? ' ' : 'n';
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
	ret = SPI_execute_with_args("SELECT relation::pg_catalog.oid, index_name FROM dynpg.indexes "
								"WHERE status = 'CREATING' AND index_kind = 'GSI' "
								"AND ($1 IS NULL OR relation::pg_catalog.oid = $1) LIMIT 1",
								1, types, values, nulls, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "dynpg: finding indexes to build returned %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		char	   *name = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

		if (!isnull && name != NULL)
		{
			*relid = DatumGetObjectId(d);
			*index_name = MemoryContextStrdup(caller, name);
			found = true;
		}
	}
	SPI_finish();
	return found;
}

bool
dynpg_index_backfill_step(void)
{
	Oid			relid;
	char	   *index_name;
	bool		pushed = false;
	bool		result = false;

	if (!idle_callback_registered)
	{
		CacheRegisterRelcacheCallback(backfill_invalidate, (Datum) 0);
		idle_callback_registered = true;
	}
	if (known_idle)
		return false;
	/* a caller without a snapshot (a worker between batches): TOAST needs one */
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	if (!find_creating(InvalidOid, &relid, &index_name))
	{
		/* rows of dropped tables (DROP TABLE in SQL does not forget them) */
		(void) builds_exec("DELETE FROM dynpg.index_builds b WHERE NOT EXISTS "
						   "(SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = b.tbl)",
						   0, NULL, NULL, NULL, NULL, NULL);
		known_idle = true;
	}
	else
		result = backfill_step_one(relid, index_name, false) != STEP_NOTHING;
	if (pushed)
		PopActiveSnapshot();
	return result;
}

/* ---------------------------------------------------------------------
 * SQL functions (testing)
 * ---------------------------------------------------------------------
 */

static void
require_superuser(const char *fn)
{
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only superusers may call %s", fn)));
}

/*
 * dynpg._run_backfill(table_name): every CREATING index of the table built
 * to completion in the caller's transaction (as the worker would, step by
 * step), so that tests need no worker.
 */
PG_FUNCTION_INFO_V1(dynpg_run_backfill);
Datum
dynpg_run_backfill(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Oid			relid;
	Oid			found;
	char	   *index_name;

	require_superuser("dynpg._run_backfill");
	dynpg_require_preload();
	relid = dynpg_table_relid(name, false);
	while (find_creating(relid, &found, &index_name))
	{
		CHECK_FOR_INTERRUPTS();
		if (backfill_step_one(relid, index_name, true) == STEP_NOTHING)
			elog(ERROR, "dynpg: the backfill of index \"%s\" made no progress", index_name);
		CommandCounterIncrement();
	}
	PG_RETURN_VOID();
}

/* dynpg._backfill_step(): one dynpg_index_backfill_step(), as the worker calls it. */
PG_FUNCTION_INFO_V1(dynpg_backfill_step_sql);
Datum
dynpg_backfill_step_sql(PG_FUNCTION_ARGS)
{
	require_superuser("dynpg._backfill_step");
	dynpg_require_preload();
	PG_RETURN_BOOL(dynpg_index_backfill_step());
}

/* The table and index of a testing function's arguments. */
static Relation
open_index_args(FunctionCallInfo fcinfo, LOCKMODE mode, int *keyspace, char **index_name)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Oid			relid = dynpg_table_relid(name, false);
	Relation	rel = table_open(relid, mode);
	const DynIndexDef *ix;

	*index_name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ix = dynpg_table_index(dynpg_table_def(rel), *index_name);
	if (ix == NULL)
		dynpg_validation_error("The table does not have the specified index: %s", *index_name);
	*keyspace = ix->keyspace;
	return rel;
}

/*
 * dynpg._index_entries(table_name, index_name): the projected items of an
 * index visible to the statement's snapshot, in the index's key order
 * (ties by the table's key).  Needs SELECT on the table.
 */
PG_FUNCTION_INFO_V1(dynpg_index_entries);
Datum
dynpg_index_entries(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Relation	rel;
	int			keyspace;
	char	   *index_name;
	AclResult	acl;
	DynReadRange range;
	DynRead    *r;
	DynItem    *item;

	dynpg_require_preload();
	rel = open_index_args(fcinfo, AccessShareLock, &keyspace, &index_name);
	acl = pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_SELECT);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_TABLE, RelationGetRelationName(rel));
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);

	dynpg_read_keyspace_range(keyspace, keyspace, &range);
	r = dynpg_read_begin(rel, &range, 0);
	while (dynpg_read_next(r, &item))
	{
		Datum		value = PointerGetDatum(item);
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
	}
	dynpg_read_end(r);
	table_close(rel, AccessShareLock);
	return (Datum) 0;
}

/*
 * dynpg._damage_index(table_name, index_name, action): damage an index as
 * a bug would, to test dynpg.verify (superuser).  'delete_first' deletes
 * its first visible entry; 'change_first' replaces the first entry's item
 * by the table key alone; 'stray' copies the first entry into the highest
 * keyspace no index uses.  Returns what it did.
 */
PG_FUNCTION_INFO_V1(dynpg_damage_index);
Datum
dynpg_damage_index(PG_FUNCTION_ARGS)
{
	Relation	rel;
	int			keyspace;
	char	   *index_name;
	char	   *action = text_to_cstring(PG_GETARG_TEXT_PP(2));
	DynReadRange range;
	DynRead    *r;
	DynItem    *entry;
	StringInfoData key;
	DynItem    *item = NULL;
	const char *done;

	require_superuser("dynpg._damage_index");
	rel = open_index_args(fcinfo, AccessExclusiveLock, &keyspace, &index_name);
	initStringInfo(&key);
	dynpg_read_keyspace_range(keyspace, keyspace, &range);
	r = dynpg_read_begin(rel, &range, 0);
	if (dynpg_read_next(r, &entry))
	{
		int			keylen;
		const uint8 *k = dynpg_read_key(r, &keylen);

		appendBinaryStringInfo(&key, (const char *) k, keylen);
		/* a copy: the entry lives in the read's item context */
		item = (DynItem *) PG_DETOAST_DATUM_COPY(PointerGetDatum(entry));
	}
	dynpg_read_end(r);
	if (item == NULL)
		elog(ERROR, "dynpg: index \"%s\" has no entry to damage", index_name);

	if (strcmp(action, "delete_first") == 0)
	{
		dynpg_write_entry(rel, &key, NULL, true);
		done = "deleted the first entry";
	}
	else if (strcmp(action, "change_first") == 0)
	{
		DynItem    *changed = dynpg_index_base_key(dynpg_table_def(rel), item);

		dynpg_write_entry(rel, &key, changed, true);
		done = "changed the first entry's item";
	}
	else if (strcmp(action, "stray") == 0)
	{
		const DynTableDef *def = dynpg_table_def(rel);
		int			stray;

		for (stray = 255; stray > 0; stray--)
		{
			int			i;

			for (i = 0; i < def->nindexes; i++)
				if (def->indexes[i].keyspace == stray)
					break;
			if (i == def->nindexes)
				break;
		}
		key.data[0] = (char) stray;
		dynpg_write_entry(rel, &key, item, true);
		done = psprintf("wrote an entry in keyspace %d", stray);
	}
	else
		elog(ERROR, "dynpg: unknown action \"%s\" (delete_first, change_first, stray)", action);
	CommandCounterIncrement();
	table_close(rel, NoLock);
	PG_RETURN_TEXT_P(cstring_to_text(done));
}
