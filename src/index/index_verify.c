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
 * btverify.c runs this only when the B-tree itself has no problem.
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
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "catalog/dynpg_catalog.h"
#include "index/dynpg_index.h"
#include "storage/dynpg_btscan.h"
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

static int
expected_cmp(const void *a, const void *b)
{
	const ExpectedEntry *x = a;
	const ExpectedEntry *y = b;

	return dynpg_bt_keycmp(x->key, x->keylen, y->key, y->keylen);
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
	Oid			logid = dynpg_index_log_relid();
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

void
dynpg_index_verify(Relation rel, DynVerifyProblemFn problem, void *state, StringInfo members)
{
	Snapshot	snapshot = GetActiveSnapshot();
	const DynTableDef *def = dynpg_table_def(rel);
	int			nindexes = def->nindexes;
	IndexCheck *checks = palloc0(sizeof(IndexCheck) * Max(nindexes, 1));
	int			by_keyspace[256];
	int64		stray[256];
	bool		pending_log;
	MemoryContext keep = CurrentMemoryContext;
	MemoryContext tmp;
	DynBtScan  *scan;
	DynBtBounds b;
	uint8		first_index_keyspace = 1;
	uint64		vid;
	struct varlena *payload;
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

	/* the entries the visible items should have */
	tmp = AllocSetContextCreate(CurrentMemoryContext, "dynpg verify item",
								ALLOCSET_DEFAULT_SIZES);
	scan = dynpg_bt_scan_begin(rel, snapshot);
	while (dynpg_bt_scan_next(scan, &vid, &payload))
	{
		MemoryContext old;
		DynItem    *item;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(tmp);
		item = (DynItem *) detoast_attr(payload);
		/* after the detoast, which may process invalidations */
		def = dynpg_table_def(rel);
		for (i = 0; i < nindexes; i++)
		{
			const DynIndexDef *ix = &def->indexes[i];
			IndexCheck *c = &checks[i];
			DynKey		ikey;
			StringInfoData ekey;
			ExpectedEntry *e;

			if (!c->compare || !dynpg_index_key_of(ix, item, false, &ikey))
				continue;
			initStringInfo(&ekey);
			dynpg_index_entry_key(def, ix, &ikey, item, &ekey);
			if (c->nexpected == c->capacity)
			{
				c->capacity = Max(64, c->capacity * 2);
				c->expected = c->expected == NULL ?
					MemoryContextAlloc(keep, sizeof(ExpectedEntry) * c->capacity) :
					repalloc(c->expected, sizeof(ExpectedEntry) * c->capacity);
			}
			e = &c->expected[c->nexpected++];
			e->key = MemoryContextAlloc(keep, ekey.len);
			memcpy(e->key, ekey.data, ekey.len);
			e->keylen = ekey.len;
			e->hash = item_hash(dynpg_index_project(def, ix, item));
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(tmp);
	}
	dynpg_bt_scan_end(scan);
	for (i = 0; i < nindexes; i++)
		if (checks[i].nexpected > 1)
			qsort(checks[i].expected, checks[i].nexpected, sizeof(ExpectedEntry), expected_cmp);

	/* the entries there are, merged against them in key order */
	memset(&b, 0, sizeof(b));
	b.lower = &first_index_keyspace;
	b.lowerlen = 1;
	b.lower_incl = true;
	scan = dynpg_bt_scan_begin_range(rel, snapshot, &b, ForwardScanDirection);
	while (dynpg_bt_scan_next(scan, &vid, &payload))
	{
		const uint8 *key = scan->lastkey;
		int			keylen = scan->lastkeylen;
		IndexCheck *c;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
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
			   dynpg_bt_keycmp(c->expected[c->pos].key, c->expected[c->pos].keylen, key, keylen) < 0)
		{
			c->missing++;
			c->pos++;
		}
		if (c->pos < c->nexpected &&
			dynpg_bt_keycmp(c->expected[c->pos].key, c->expected[c->pos].keylen, key, keylen) == 0)
		{
			old = MemoryContextSwitchTo(tmp);
			if (item_hash((DynItem *) detoast_attr(payload)) != c->expected[c->pos].hash)
			{
				/* the right entry is missing, a wrong one is there */
				c->missing++;
				c->extra++;
			}
			MemoryContextSwitchTo(old);
			MemoryContextReset(tmp);
			c->pos++;
		}
		else
			c->extra++;
	}
	dynpg_bt_scan_end(scan);
	MemoryContextDelete(tmp);

	/* the report */
	appendStringInfoString(members, ", \"indexes\": [");
	for (i = 0; i < nindexes; i++)
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
