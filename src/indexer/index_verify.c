/*-------------------------------------------------------------------------
 *
 * index_verify.c
 *	  dynpg.verify's check of a table's secondary indexes against its items
 *	  (src/index/README, "Verify").
 *
 * Everything is read with the MVCC snapshot of the call.  For each index
 * the entries the visible base items should have (storage key, and a hash
 * of the projected item's bytes) are computed from keyspace 0 and sorted;
 * then the keyspaces above 0 are read in key order and merged against
 * them: an expected entry not there is "missing", an entry not expected
 * (or holding another projected item) is "extra"; entries in a keyspace
 * no index uses are a problem of their own.  A GSI is compared only when
 * its entries are settled: it is not CREATING and no change-log row of the
 * table is visible (a row not yet applied would make a correct index look
 * wrong); otherwise it is reported "pending" with its entry count only.
 * The expected entries are held in memory (a key and 8 bytes each).
 *
 * dynpg.verify (the SQL functions at the end) runs the B-tree check of
 * storage/btverify.c through the read path, and this only when the tree
 * itself has no problem.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/genam.h"
#include "access/heapam.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xlog.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "am/dynpg_am.h"
#include "am/dynpg_changelog.h"
#include "am/dynpg_read.h"
#include "catalog/dynpg_catalog.h"
#include "index/dynpg_index.h"
#include "types/dynpg_hash.h"

typedef struct ExpectedEntry
{
	uint8	   *key;
	uint16		keylen;
	uint64		hash;
} ExpectedEntry;

typedef struct IndexCheck
{
	char	   *name;
	int			keyspace;
	bool		compare;		/* false: pending (CREATING or change log rows) */
	ExpectedEntry *expected;
	int			nexpected;
	int			capacity;
	int			pos;			/* merge position */
	int64		entries;
	int64		missing;
	int64		extra;
} IndexCheck;

/* Storage keys in B-tree order: memcmp, then the shorter first. */
static int
key_cmp(const uint8 *a, int alen, const uint8 *b, int blen)
{
	int			r = memcmp(a, b, Min(alen, blen));

	if (r != 0)
		return r;
	return (alen > blen) - (alen < blen);
}

static int
expected_cmp(const void *a, const void *b)
{
	const ExpectedEntry *x = a;
	const ExpectedEntry *y = b;

	return key_cmp(x->key, x->keylen, y->key, y->keylen);
}

static uint64
item_hash(const DynItem *item)
{
	return dynpg_hash64((const uint8 *) VARDATA_ANY(item), VARSIZE_ANY_EXHDR(item), 0);
}

/* Whether the change log holds a row of relid visible to 'snapshot'. */
static bool
changes_pending(Oid relid, Snapshot snapshot)
{
	Oid			logid = dynpg_changelog_relid();
	Relation	log;
	TableScanDesc scan;
	ScanKeyData key;
	bool		found;

	if (!OidIsValid(logid))
		return false;
	log = table_open(logid, AccessShareLock);
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = table_beginscan(log, snapshot, 1, &key);
	found = heap_getnext(scan, ForwardScanDirection) != NULL;
	table_endscan(scan);
	table_close(log, AccessShareLock);
	return found;
}

/* Add the entry 'ekey' whose payload hashes to 'hash' to what 'c' expects (in 'keep') */
static void
expect_entry(IndexCheck *c, const StringInfo ekey, uint64 hash, MemoryContext keep)
{
	ExpectedEntry *e;

	if (c->nexpected == c->capacity)
	{
		c->capacity = Max(64, c->capacity * 2);
		c->expected = c->expected == NULL ?
			MemoryContextAlloc(keep, sizeof(ExpectedEntry) * c->capacity) :
			repalloc(c->expected, sizeof(ExpectedEntry) * c->capacity);
	}
	e = &c->expected[c->nexpected++];
	e->key = MemoryContextAlloc(keep, ekey->len);
	memcpy(e->key, ekey->data, ekey->len);
	e->keylen = ekey->len;
	e->hash = hash;
}

static void
index_verify(Relation rel, DynVerifyProblemFn problem, void *state, StringInfo members)
{
	Snapshot	snapshot = GetActiveSnapshot();
	const DynTableDef *def = dynpg_table_def(rel);
	int			nindexes = def->nindexes;
	/* one more: time to live's expiry index, checked as an index is */
	IndexCheck *checks = palloc0(sizeof(IndexCheck) * (nindexes + 1));
	int			nchecks = nindexes;
	int			by_keyspace[256];
	int64		stray[256];
	bool		pending_log;
	MemoryContext keep = CurrentMemoryContext;
	DynReadRange range;
	DynRead    *r;
	DynItem    *item;
	int			i;

	memset(stray, 0, sizeof(stray));
	for (i = 0; i < 256; i++)
		by_keyspace[i] = -1;
	pending_log = changes_pending(RelationGetRelid(rel), snapshot);
	def = dynpg_table_def(rel);
	for (i = 0; i < nindexes; i++)
	{
		const DynIndexDef *ix = &def->indexes[i];

		checks[i].name = pstrdup(ix->index_name);
		checks[i].keyspace = ix->keyspace;
		checks[i].compare = ix->kind == DYN_INDEX_LOCAL || (!ix->creating && !pending_log);
		by_keyspace[ix->keyspace] = i;
	}
	if (def->ttl_attr != NULL)
	{
		checks[nchecks].name = "(time to live)";
		checks[nchecks].keyspace = DYN_KEYSPACE_TTL;
		checks[nchecks].compare = true;
		by_keyspace[DYN_KEYSPACE_TTL] = nchecks;
		nchecks++;
	}

	/* the entries the visible items should have */
	dynpg_read_keyspace_range(DYN_KEYSPACE_TABLE, DYN_KEYSPACE_TABLE, &range);
	r = dynpg_read_begin(rel, &range, 0);
	while (dynpg_read_next(r, &item))
	{
		MemoryContext old = MemoryContextSwitchTo(dynpg_read_item_context(r));

		/* after the detoast, which may process invalidations */
		def = dynpg_table_def(rel);
		for (i = 0; i < nindexes; i++)
		{
			const DynIndexDef *ix = &def->indexes[i];
			IndexCheck *c = &checks[i];
			DynIndexKey ikey;
			StringInfoData ekey;

			if (!c->compare || !dynpg_index_key_of(ix, item, false, &ikey))
				continue;
			initStringInfo(&ekey);
			dynpg_index_entry_key(def, ix, &ikey, item, &ekey);
			expect_entry(c, &ekey, item_hash(dynpg_index_project(def, ix, item)), keep);
		}
		if (nchecks > nindexes)
		{
			StringInfoData ekey;
			DynItem    *payload;

			initStringInfo(&ekey);
			if (dynpg_index_ttl_entry(def, item, &ekey, &payload))
				expect_entry(&checks[nindexes], &ekey, item_hash(payload), keep);
		}
		MemoryContextSwitchTo(old);
	}
	dynpg_read_end(r);
	for (i = 0; i < nchecks; i++)
		if (checks[i].nexpected > 1)
			qsort(checks[i].expected, checks[i].nexpected, sizeof(ExpectedEntry), expected_cmp);

	/* the entries there are, merged against them in key order */
	dynpg_read_keyspace_range(DYN_KEYSPACE_FIRST_LSI, 255, &range);
	r = dynpg_read_begin(rel, &range, 0);
	while (dynpg_read_next(r, &item))
	{
		int			keylen;
		const uint8 *key = dynpg_read_key(r, &keylen);
		IndexCheck *c;

		if (by_keyspace[key[0]] < 0)
		{
			stray[key[0]]++;
			continue;
		}
		c = &checks[by_keyspace[key[0]]];
		c->entries++;
		if (!c->compare)
			continue;
		while (c->pos < c->nexpected &&
			   key_cmp(c->expected[c->pos].key, c->expected[c->pos].keylen, key, keylen) < 0)
		{
			c->missing++;
			c->pos++;
		}
		if (c->pos < c->nexpected &&
			key_cmp(c->expected[c->pos].key, c->expected[c->pos].keylen, key, keylen) == 0)
		{
			if (item_hash(item) != c->expected[c->pos].hash)
			{
				/* the right entry is missing, a wrong one is there */
				c->missing++;
				c->extra++;
			}
			c->pos++;
		}
		else
			c->extra++;
	}
	dynpg_read_end(r);

	/* the report */
	appendStringInfoString(members, ", \"indexes\": [");
	for (i = 0; i < nchecks; i++)
	{
		IndexCheck *c = &checks[i];

		if (c->compare)
			c->missing += c->nexpected - c->pos;
		if (i > 0)
			appendStringInfoString(members, ", ");
		appendStringInfoString(members, "{\"name\": ");
		escape_json(members, c->name);
		appendStringInfo(members, ", \"keyspace\": %d, \"entries\": " INT64_FORMAT,
						 c->keyspace, c->entries);
		if (c->compare)
			appendStringInfo(members, ", \"missing\": " INT64_FORMAT ", \"extra\": " INT64_FORMAT,
							 c->missing, c->extra);
		else
			appendStringInfoString(members, ", \"pending\": true");
		appendStringInfoChar(members, '}');
		if (c->missing > 0)
			problem(state, psprintf("index \"%s\" lacks " INT64_FORMAT " entr%s of the table's items",
									c->name, c->missing, c->missing == 1 ? "y" : "ies"));
		if (c->extra > 0)
			problem(state, psprintf("index \"%s\" has " INT64_FORMAT " entr%s no item of the table has",
									c->name, c->extra, c->extra == 1 ? "y" : "ies"));
	}
	appendStringInfoChar(members, ']');
	for (i = 1; i < 256; i++)
		if (stray[i] > 0)
			problem(state, psprintf(INT64_FORMAT " entr%s in keyspace %d, which no index uses",
									stray[i], stray[i] == 1 ? "y is" : "ies are", i));
}

/*
 * dynpg.verify_relation(regclass): the B-tree check, then (for a table
 * with a definition) its indexes, under a ShareLock so that no writer
 * changes the tree meanwhile.
 */
PG_FUNCTION_INFO_V1(dynpg_verify_rel);
Datum
dynpg_verify_rel(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	/* a standby cannot take ShareLock; replay may then race the check */
	LOCKMODE	mode = RecoveryInProgress() ? AccessShareLock : ShareLock;
	Relation	rel;
	Datum		result;
	AclResult	acl;

	/*
	 * It reads every page and blocks writers meanwhile: only for roles that
	 * may read the table (checked before the lock is taken, as LOCK TABLE
	 * does), not for every role that can name it.
	 */
	acl = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_TABLE, get_rel_name(relid));
	rel = table_open(relid, mode);

	if (!dynpg_is_dynpg_relation(rel))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a dynpg table", RelationGetRelationName(rel))));
	/* a table's indexes too (a dynpg relation without a definition has none) */
	result = dynpg_read_verify(rel, dynpg_relation_definition(relid) != NULL ?
							   index_verify : NULL);
	table_close(rel, mode);
	PG_RETURN_DATUM(result);
}

/* dynpg.verify(table_name): the same, by DynamoDB table name. */
PG_FUNCTION_INFO_V1(dynpg_verify_table);
Datum
dynpg_verify_table(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Oid			relid = dynpg_table_relid(name, false);

	return DirectFunctionCall1(dynpg_verify_rel, ObjectIdGetDatum(relid));
}
