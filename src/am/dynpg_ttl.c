/*-------------------------------------------------------------------------
 *
 * dynpg_ttl.c
 *	  Time to live: the expiry index's sweep, count and build (dynpg_ttl.h;
 *	  src/index/README, "Expiry index").
 *
 * The sweep reads the expiry entries of the seconds from five years ago
 * (older TTL values are ignored, as DynamoDB ignores them) up to now, in
 * order, collects their items' keys, and deletes each item through the
 * write path -- LSI entries with it, its GSI changes logged, a stream
 * record marked as the service's -- but only if, under the item's key
 * lock, its newest version is still expired: an item whose TTL was moved
 * on (or that was rewritten) since the entry was read stays.  The entries
 * are read first and the deletes done after, so no write happens inside
 * an open range read.  Its cost is the number of expired items, not the
 * table's size.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "base/dynpg_preload.h"
#include "catalog/dynpg_catalog.h"

#include "am/dynpg_read.h"
#include "am/dynpg_ttl.h"
#include "am/dynpg_write.h"
#include "index/dynpg_index.h"

/* DynamoDB ignores TTL values more than five years in the past */
#define TTL_IGNORED_AFTER_SECONDS	(INT64CONST(5) * 365 * 24 * 3600)

/* the expiry entries of seconds [now - 5 years, now): expired, not ignored */
static void
expired_range(int64 now, DynReadRange *r)
{
	StringInfoData lo;
	StringInfoData hi;

	initStringInfo(&lo);
	initStringInfo(&hi);
	dynpg_index_ttl_bound(Max(now - TTL_IGNORED_AFTER_SECONDS, 0), &lo);
	dynpg_index_ttl_bound(Max(now, 0), &hi);
	memset(r, 0, sizeof(*r));
	r->dir = ForwardScanDirection;
	r->bounds.lower = (uint8 *) lo.data;
	r->bounds.lowerlen = (uint16) lo.len;
	r->bounds.lower_incl = true;
	r->bounds.upper = (uint8 *) hi.data;
	r->bounds.upperlen = (uint16) hi.len;
	r->bounds.upper_incl = false;
	r->bounds.upper_prefix = false;
}

typedef struct StillExpired
{
	Relation	rel;
	int64		now;
} StillExpired;

/* Whether the current version's expiry entry is still in the expired range */
static bool
still_expired(const DynItem *current, void *arg)
{
	StillExpired *s = arg;
	StringInfoData key;
	StringInfoData hi;
	StringInfoData lo;
	const DynTableDef *def = dynpg_table_def(s->rel);

	initStringInfo(&key);
	if (!dynpg_index_ttl_entry(def, current, &key, NULL))
		return false;
	initStringInfo(&lo);
	initStringInfo(&hi);
	dynpg_index_ttl_bound(Max(s->now - TTL_IGNORED_AFTER_SECONDS, 0), &lo);
	dynpg_index_ttl_bound(s->now, &hi);
	/* the entry's first 9 bytes are the keyspace and the seconds */
	return memcmp(key.data, lo.data, 9) >= 0 && memcmp(key.data, hi.data, 9) < 0;
}

int64
dynpg_ttl_sweep(Relation rel, int64 now, int64 max_deletes)
{
	DynReadRange range;
	DynRead    *r;
	DynItem    *entry;
	List	   *keys = NIL;
	ListCell   *lc;
	int64		deleted = 0;
	StillExpired s;
	MemoryContext keep = CurrentMemoryContext;

	if (dynpg_table_def(rel)->ttl_attr == NULL || max_deletes <= 0)
		return 0;
	expired_range(now, &range);
	r = dynpg_read_begin(rel, &range, 0);
	while (list_length(keys) < max_deletes && dynpg_read_next(r, &entry))
	{
		MemoryContext old = MemoryContextSwitchTo(keep);
		Size		len = VARSIZE_ANY(entry);
		DynItem    *copy = palloc(len);

		memcpy(copy, entry, len);
		keys = lappend(keys, copy);
		MemoryContextSwitchTo(old);
	}
	dynpg_read_end(r);

	s.rel = rel;
	s.now = now;
	foreach(lc, keys)
	{
		CHECK_FOR_INTERRUPTS();
		if (dynpg_write_delete_if(rel, (DynItem *) lfirst(lc), still_expired, &s, true))
			deleted++;
	}
	return deleted;
}

int64
dynpg_ttl_backlog(Relation rel, int64 now)
{
	DynReadRange range;
	DynRead    *r;
	DynItem    *entry;
	int64		n = 0;

	if (dynpg_table_def(rel)->ttl_attr == NULL)
		return 0;
	expired_range(now, &range);
	r = dynpg_read_begin(rel, &range, DYN_READ_KEYS_ONLY);
	while (dynpg_read_next(r, &entry))
		n++;
	dynpg_read_end(r);
	return n;
}

int64
dynpg_ttl_build(Relation rel)
{
	DynReadRange range;
	DynRead    *r;
	DynItem    *item;
	List	   *entries = NIL;
	ListCell   *lc;
	MemoryContext keep = CurrentMemoryContext;
	int64		n = 0;

	/* the items' entries, computed first: no write inside the read */
	dynpg_read_keyspace_range(DYN_KEYSPACE_TABLE, DYN_KEYSPACE_TABLE, &range);
	r = dynpg_read_begin(rel, &range, DYN_READ_BULK);
	while (dynpg_read_next(r, &item))
	{
		MemoryContext old = MemoryContextSwitchTo(keep);
		StringInfo	key = makeStringInfo();
		DynItem    *payload;

		if (dynpg_index_ttl_entry(dynpg_table_def(rel), item, key, &payload))
			entries = lappend(entries, list_make2(key, payload));
		MemoryContextSwitchTo(old);
	}
	dynpg_read_end(r);
	foreach(lc, entries)
	{
		List	   *e = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		dynpg_write_entry(rel, (StringInfo) linitial(e), (DynItem *) lsecond(e), false);
		n++;
	}
	return n;
}

/* ---------------------------------------------------------------------
 * Settings and SQL functions
 * ---------------------------------------------------------------------
 */

int			dynpg_ttl_sweep_interval = 60;	/* seconds */
int			dynpg_ttl_sweep_rate = 10000;	/* items per second, per database */

void
dynpg_ttl_init(void)
{
	DefineCustomIntVariable("dynpg.ttl_sweep_interval",
							"How often the database's dynpg worker deletes expired items (time to live).",
							NULL,
							&dynpg_ttl_sweep_interval,
							60, 1, 24 * 3600,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("dynpg.ttl_sweep_rate",
							"The most expired items the database's dynpg worker deletes per second.",
							"Deletions are writes like any other (WAL, index entries, stream records); "
							"this bounds their share of the server.",
							&dynpg_ttl_sweep_rate,
							10000, 1, 1000000,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
}

int64
dynpg_ttl_now(void)
{
	return (int64) (GetCurrentTimestamp() / USECS_PER_SEC +
					(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY);
}

/* The dynpg table named 'name' (a DynamoDB TableName), opened in 'lockmode' */
static Relation
open_named(const char *name, LOCKMODE lockmode)
{
	Oid			relid = dynpg_table_relid(name, true);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("DynamoDB table \"%s\" does not exist", name)));
	return table_open(relid, lockmode);
}

/* dynpg._ttl_sweep(table, max_deletes): delete expired items now (tests, maintenance) */
PG_FUNCTION_INFO_V1(dynpg_ttl_sweep_sql);
Datum
dynpg_ttl_sweep_sql(PG_FUNCTION_ARGS)
{
	Relation	rel;
	int64		n;

	dynpg_require_preload();
	rel = open_named(text_to_cstring(PG_GETARG_TEXT_PP(0)), RowExclusiveLock);
	n = dynpg_ttl_sweep(rel, dynpg_ttl_now(), PG_GETARG_INT64(1));
	table_close(rel, NoLock);
	PG_RETURN_INT64(n);
}

/* dynpg.ttl_backlog(table): expired items not yet deleted (SELECT on the table) */
PG_FUNCTION_INFO_V1(dynpg_ttl_backlog_sql);
Datum
dynpg_ttl_backlog_sql(PG_FUNCTION_ARGS)
{
	Relation	rel;
	int64		n;
	AclResult	acl;

	dynpg_require_preload();
	rel = open_named(text_to_cstring(PG_GETARG_TEXT_PP(0)), AccessShareLock);
	acl = pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_SELECT);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_TABLE, RelationGetRelationName(rel));
	n = dynpg_ttl_backlog(rel, dynpg_ttl_now());
	table_close(rel, NoLock);
	PG_RETURN_INT64(n);
}
