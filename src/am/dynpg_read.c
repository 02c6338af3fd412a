/*-------------------------------------------------------------------------
 *
 * dynpg_read.c
 *	  The read path of dynpg tables (dynpg_read.h): point reads, key ranges
 *	  and range reads, with visibility, predicate locks and detoasting.
 *
 * Key ranges.  Storage keys (types/dynpg_key.h) are keyspace || hash ||
 * partition-key part || sort-key encoding, so a partition is a contiguous
 * range and, within it, memcmp order is sort-key order: a Query's range is
 * the partition's prefix narrowed by the sort-key condition.  An index's
 * entry keys (index/dynpg_index.h) are keyspace || hash || partition part
 * || E(sort key) || base key, E the group encoding (order-preserving and
 * prefix-free), so an index Query's bounds are built on E; see
 * index_query_range for how each operator maps.  A Scan reads a whole
 * keyspace, or a segment of it: since keys start with the partition hash,
 * segment i of n is the hash range [i * 2^64 / n, (i + 1) * 2^64 / n).
 *
 * Reading.  A range read is one bounded B-tree scan (storage/btscan.c): it
 * descends once and walks the leaves of the range, reading only them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/predicate.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/snapmgr.h"

#include "am/dynpg_am_internal.h"
#include "am/dynpg_read.h"
#include "index/dynpg_index.h"
#include "storage/dynpg_bt.h"

/* ---------------------------------------------------------------------
 * Point reads
 * ---------------------------------------------------------------------
 */

/* The version of a key's versions that 'snap' sees, detoasted, or NULL. */
static DynItem *
visible_version(Relation rel, const StringInfo skey, Snapshot snap)
{
	DynBtVersionSet set = {0, 0, NULL};
	int			i;

	dynpg_bt_read_versions(rel, (const uint8 *) skey->data, (uint16) skey->len, &set, true);
	for (i = 0; i < set.n; i++)
	{
		if (dynpg_bt_version_visible(&set.v[i], snap))
			return dynpg_am_payload_item(set.v[i].payload);
	}
	return NULL;
}

DynItem *
dynpg_read_get(Relation rel, const DynItem *key_item)
{
	StringInfoData skey;
	Snapshot	snap = dynpg_am_snapshot();

	initStringInfo(&skey);
	dynpg_am_storage_key(rel, key_item, &skey);
	PredicateLockRelation(rel, snap);
	return visible_version(rel, &skey, snap);
}

/* ---------------------------------------------------------------------
 * Ranges
 * ---------------------------------------------------------------------
 */

static uint8 *
string_bytes(StringInfo s, uint16 *len)
{
	*len = (uint16) s->len;
	return (uint8 *) s->data;
}

/* The storage key of a key with only the partition key, or with a sort-key value too. */
static uint8 *
partition_key_bytes(const DynRef *pk, const DynRef *sk, uint16 *len)
{
	DynKey		key;
	StringInfoData out;

	memset(&key, 0, sizeof(key));
	key.pk = *pk;
	if (sk != NULL)
	{
		key.sk = *sk;
		key.has_sk = true;
	}
	initStringInfo(&out);
	dynpg_storage_key(&key, &out);
	return string_bytes(&out, len);
}

/* The whole partition whose prefix is 'prefix'. */
static void
partition_range(uint8 *prefix, uint16 plen, DynBtBounds *b)
{
	memset(b, 0, sizeof(*b));
	b->lower = prefix;
	b->lowerlen = plen;
	b->lower_incl = true;
	b->upper = prefix;
	b->upperlen = plen;
	b->upper_prefix = true;
}

/* A table's Query range: the partition, narrowed by the sort-key condition. */
static void
table_query_range(const DynKeyCondition *kc, DynBtBounds *b)
{
	uint16		plen;
	uint8	   *prefix = partition_key_bytes(&kc->pk, NULL, &plen);

	partition_range(prefix, plen, b);
	switch (kc->sk_op)
	{
		case DSK_NONE:
			break;
		case DSK_EQ:
			b->lower = partition_key_bytes(&kc->pk, &kc->sk1, &b->lowerlen);
			b->upper = b->lower;
			b->upperlen = b->lowerlen;
			b->upper_incl = true;
			b->upper_prefix = false;
			break;
		case DSK_LT:
		case DSK_LE:
			b->upper = partition_key_bytes(&kc->pk, &kc->sk1, &b->upperlen);
			b->upper_incl = kc->sk_op == DSK_LE;
			b->upper_prefix = false;
			break;
		case DSK_GT:
		case DSK_GE:
			b->lower = partition_key_bytes(&kc->pk, &kc->sk1, &b->lowerlen);
			b->lower_incl = kc->sk_op == DSK_GE;
			break;
		case DSK_BETWEEN:
			b->lower = partition_key_bytes(&kc->pk, &kc->sk1, &b->lowerlen);
			b->upper = partition_key_bytes(&kc->pk, &kc->sk2, &b->upperlen);
			b->upper_incl = true;
			b->upper_prefix = false;
			break;
		case DSK_BEGINS_WITH:
			/* S and B sort keys are stored as their bytes: a prefix is a key prefix */
			b->lower = partition_key_bytes(&kc->pk, &kc->sk1, &b->lowerlen);
			b->upper = b->lower;
			b->upperlen = b->lowerlen;
			b->upper_prefix = true;
			break;
	}
}

/*
 * A bound inside an index partition: prefix || E(sk), with 'bump' the last
 * byte (a group marker, 0..8) incremented, which is above every entry whose
 * sort key is sk and below every greater one.
 */
static uint8 *
index_bound(const DynIndexDef *ix, const DynKeyCondition *kc, const DynRef *sk, bool bump,
			uint16 *len)
{
	StringInfoData out;
	int			i;

	initStringInfo(&out);
	dynpg_index_partition_prefix(ix, &kc->pk, &out);
	/* a multi-attribute sort key: the RANGE attributes "=" names come first */
	for (i = 0; i < kc->nsk_eq; i++)
		dynpg_index_sort_part(&kc->sk_eq[i], &out);
	if (sk != NULL)
	{
		dynpg_index_sort_part(sk, &out);
		if (bump)
		{
			Assert((uint8) out.data[out.len - 1] <= DYN_GROUP_BYTES);
			out.data[out.len - 1]++;
		}
	}
	return string_bytes(&out, len);
}

/*
 * An index's Query range.  Every entry with sort key v is above prefix ||
 * E(v) and below prefix || E(v) bumped.  So = v is the prefix bound E(v);
 * < v ends before E(v); <= v ends with the prefix bound E(v); > v starts at
 * E(v) bumped; >= v starts at E(v); BETWEEN a AND b runs from E(a) through
 * the prefix bound E(b); and begins_with p, which no key prefix expresses
 * (E pads groups), is [E(p), E(succ(p))), succ(p) being p without its
 * trailing 0xFF bytes and its last byte incremented (none: to the
 * partition's end).  With a multi-attribute sort key, the "partition" is
 * the prefix followed by E of each RANGE attribute "=" names (kc->sk_eq),
 * and the operator applies to the next RANGE attribute: since E is
 * prefix-free, whatever RANGE attributes follow cannot change the order.
 */
static void
index_query_range(const DynIndexDef *ix, const DynKeyCondition *kc, DynBtBounds *b)
{
	uint16		plen;
	uint8	   *prefix = index_bound(ix, kc, NULL, false, &plen);

	partition_range(prefix, plen, b);
	switch (kc->sk_op)
	{
		case DSK_NONE:
			break;
		case DSK_EQ:
			b->lower = index_bound(ix, kc, &kc->sk1, false, &b->lowerlen);
			b->upper = b->lower;
			b->upperlen = b->lowerlen;
			b->upper_incl = true;
			break;
		case DSK_LT:
			b->upper = index_bound(ix, kc, &kc->sk1, false, &b->upperlen);
			b->upper_incl = false;
			b->upper_prefix = false;
			break;
		case DSK_LE:
			b->upper = index_bound(ix, kc, &kc->sk1, false, &b->upperlen);
			b->upper_incl = true;
			break;
		case DSK_GT:
			b->lower = index_bound(ix, kc, &kc->sk1, true, &b->lowerlen);
			break;
		case DSK_GE:
			b->lower = index_bound(ix, kc, &kc->sk1, false, &b->lowerlen);
			break;
		case DSK_BETWEEN:
			b->lower = index_bound(ix, kc, &kc->sk1, false, &b->lowerlen);
			b->upper = index_bound(ix, kc, &kc->sk2, false, &b->upperlen);
			b->upper_incl = true;
			break;
		case DSK_BEGINS_WITH:
			{
				DynRef		succ = kc->sk1;
				uint8	   *bytes;
				int			n = kc->sk1.len;

				b->lower = index_bound(ix, kc, &kc->sk1, false, &b->lowerlen);
				while (n > 0 && kc->sk1.data[n - 1] == 0xFF)
					n--;
				if (n == 0)
					break;		/* to the partition's end */
				bytes = palloc(n);
				memcpy(bytes, kc->sk1.data, n);
				bytes[n - 1]++;
				succ.data = bytes;
				succ.len = n;
				b->upper = index_bound(ix, kc, &succ, false, &b->upperlen);
				b->upper_incl = false;
				b->upper_prefix = false;
			}
			break;
	}
}

void
dynpg_read_query_range(const DynIndexDef *ix, const DynKeyCondition *kc, ScanDirection dir,
					   DynReadRange *r)
{
	if (ix != NULL)
		index_query_range(ix, kc, &r->bounds);
	else
		table_query_range(kc, &r->bounds);
	r->dir = dir;
}

/* The first partition hash of segment 'seg' of 'total' (total for the end). */
static uint64
segment_start(int64 seg, int64 total)
{
	return (uint64) ((((unsigned __int128) seg) << 64) / (unsigned __int128) total);
}

static void
hash_bytes(uint64 h, uint8 *out)
{
	int			i;

	for (i = 0; i < 8; i++)
		out[i] = (uint8) (h >> ((7 - i) * 8));
}

bool
dynpg_read_segment_holds(int64 segment, int64 total_segments, uint64 hash)
{
	if (total_segments <= 1)
		return true;
	return hash >= segment_start(segment, total_segments) &&
		(segment + 1 == total_segments || hash < segment_start(segment + 1, total_segments));
}

void
dynpg_read_scan_range(int keyspace, int64 segment, int64 total_segments, DynReadRange *r)
{
	DynBtBounds *b = &r->bounds;

	memset(b, 0, sizeof(*b));
	r->dir = ForwardScanDirection;
	/* the keyspace's keys; a segment's start with its hashes */
	b->upper = palloc0(9);
	b->upper[0] = (uint8) keyspace;
	b->upperlen = 1;
	b->upper_prefix = true;
	b->lower = palloc0(9);
	b->lower[0] = (uint8) keyspace;
	b->lowerlen = 1;
	b->lower_incl = true;
	if (total_segments > 0)
	{
		uint64		start = segment_start(segment, total_segments);

		if (start != 0)
		{
			hash_bytes(start, b->lower + 1);
			b->lowerlen = 9;
		}
		if (segment + 1 < total_segments)
		{
			hash_bytes(segment_start(segment + 1, total_segments), b->upper + 1);
			b->upperlen = 9;
			b->upper_incl = false;
			b->upper_prefix = false;
		}
	}
}

void
dynpg_read_keyspace_range(int first, int last, DynReadRange *r)
{
	DynBtBounds *b = &r->bounds;

	memset(b, 0, sizeof(*b));
	r->dir = ForwardScanDirection;
	b->lower = palloc(1);
	b->lower[0] = (uint8) first;
	b->lowerlen = 1;
	b->lower_incl = true;
	b->upper = palloc(1);
	b->upper[0] = (uint8) last;
	b->upperlen = 1;
	b->upper_incl = true;
	b->upper_prefix = true;
}

void
dynpg_read_range_after_key(DynReadRange *r, const uint8 *key, int keylen)
{
	uint8	   *copy = palloc(keylen);

	memcpy(copy, key, keylen);
	if (ScanDirectionIsForward(r->dir))
	{
		r->bounds.lower = copy;
		r->bounds.lowerlen = (uint16) keylen;
		r->bounds.lower_incl = false;
	}
	else
	{
		r->bounds.upper = copy;
		r->bounds.upperlen = (uint16) keylen;
		r->bounds.upper_incl = false;
		r->bounds.upper_prefix = false;
	}
}

void
dynpg_read_range_after(DynReadRange *r, const DynTableDef *tdef, const DynIndexDef *ix,
					   const DynKey *key, const DynItem *item)
{
	StringInfoData out;

	initStringInfo(&out);
	if (ix != NULL)
	{
		/* an index's start key holds the index's key attributes (checked) */
		DynIndexKey ikey;

		if (!dynpg_index_key_of(ix, item, false, &ikey))
			elog(ERROR, "dynpg: an index start key lacks the index's key");
		dynpg_index_entry_key(tdef, ix, &ikey, item, &out);
	}
	else
		dynpg_storage_key(key, &out);
	dynpg_read_range_after_key(r, (const uint8 *) out.data, out.len);
	pfree(out.data);
}

/* ---------------------------------------------------------------------
 * Range reads
 * ---------------------------------------------------------------------
 */

struct DynRead
{
	Relation	rel;
	Snapshot	snapshot;		/* NULL: every version */
	ScanDirection dir;
	bool		keys_only;
	DynBtScan  *scan;
	uint64		vid;			/* the VID of the version returned last */
	MemoryContext itemcxt;		/* the current item and the caller's work on it */
};

Snapshot
dynpg_read_snapshot(void)
{
	return dynpg_am_snapshot();
}

DynRead *
dynpg_read_begin(Relation rel, const DynReadRange *range, int flags)
{
	DynRead    *r = palloc0(sizeof(DynRead));

	r->rel = rel;
	r->dir = range->dir;
	r->keys_only = (flags & DYN_READ_KEYS_ONLY) != 0;
	if (!(flags & DYN_READ_ALL_VERSIONS))
	{
		r->snapshot = dynpg_am_snapshot();
		PredicateLockRelation(rel, r->snapshot);
	}
	r->itemcxt = AllocSetContextCreate(CurrentMemoryContext, "dynpg read item",
									   ALLOCSET_DEFAULT_SIZES);
	r->scan = dynpg_bt_scan_begin_range(rel, r->snapshot, &range->bounds, range->dir);
	if (flags & DYN_READ_BULK)
		dynpg_bt_scan_bulkread(r->scan);
	return r;
}

bool
dynpg_read_next(DynRead *r, DynItem **item)
{
	uint64		vid;
	struct varlena *payload;
	MemoryContext old;

	CHECK_FOR_INTERRUPTS();
	MemoryContextReset(r->itemcxt);
	if (!dynpg_bt_scan_next_dir(r->scan, r->dir, &vid, &payload))
		return false;
	r->vid = vid;
	if (r->keys_only)
	{
		*item = NULL;
		return true;
	}
	old = MemoryContextSwitchTo(r->itemcxt);
	*item = (DynItem *) PG_DETOAST_DATUM(PointerGetDatum(payload));
	MemoryContextSwitchTo(old);
	return true;
}

const uint8 *
dynpg_read_key(DynRead *r, int *keylen)
{
	return dynpg_bt_scan_key(r->scan, keylen);
}

uint64
dynpg_read_vid(DynRead *r)
{
	return r->vid;
}

DynItem *
dynpg_read_base_item(DynRead *r, const DynItem *entry)
{
	StringInfoData skey;
	MemoryContext old = MemoryContextSwitchTo(r->itemcxt);
	DynItem    *base;

	initStringInfo(&skey);
	dynpg_am_storage_key(r->rel, entry, &skey);
	base = visible_version(r->rel, &skey, r->snapshot);
	MemoryContextSwitchTo(old);
	return base;
}

MemoryContext
dynpg_read_item_context(DynRead *r)
{
	return r->itemcxt;
}

void
dynpg_read_end(DynRead *r)
{
	dynpg_bt_scan_end(r->scan);
	MemoryContextDelete(r->itemcxt);
	pfree(r);
}

void
dynpg_read_keyspace_stats(Relation rel, int keyspace, int64 *count, int64 *bytes)
{
	DynReadRange range;
	DynRead    *r;
	DynItem    *item;

	*count = 0;
	*bytes = 0;
	dynpg_read_keyspace_range(keyspace, keyspace, &range);
	r = dynpg_read_begin(rel, &range, DYN_READ_BULK);
	while (dynpg_read_next(r, &item))
	{
		*bytes += dynpg_item_size(item);
		(*count)++;
	}
	dynpg_read_end(r);
}

/* ---------------------------------------------------------------------
 * Checks and counters
 * ---------------------------------------------------------------------
 */

Datum
dynpg_read_verify(Relation rel, DynVerifyExtraFn extra)
{
	return dynpg_bt_verify(rel, extra);
}

/* A jsonb object of counters: names[i] -> counts[i]. */
static Datum
counters_jsonb(const char *const *names, const uint64 *counts, int n)
{
	JsonbParseState *st = NULL;
	int			i;

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	for (i = 0; i < n; i++)
	{
		JsonbValue	k;
		JsonbValue	v;

		k.type = jbvString;
		k.val.string.val = (char *) names[i];
		k.val.string.len = strlen(names[i]);
		pushJsonbValue(&st, WJB_KEY, &k);
		v.type = jbvNumeric;
		v.val.numeric = int64_to_numeric((int64) counts[i]);
		pushJsonbValue(&st, WJB_VALUE, &v);
	}
	PG_RETURN_JSONB_P(JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL)));
}

/*
 * dynpg.page_reads(): this backend's page reads so far, by kind, and the
 * leaves a backward scan read again because items arrived on them (tests).
 */
PG_FUNCTION_INFO_V1(dynpg_page_reads);
Datum
dynpg_page_reads(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {"meta", "internal", "leaf", "rereads"};
	uint64		counts[4];

	counts[0] = dynpg_bt_reads.meta;
	counts[1] = dynpg_bt_reads.internal;
	counts[2] = dynpg_bt_reads.leaf;
	counts[3] = dynpg_bt_reads.rereads;
	return counters_jsonb(names, counts, 4);
}

/*
 * dynpg.page_changes(): what this backend's inserts did to full leaves:
 * splits in two, shifts to the right sibling, and right siblings split to
 * make room for a shift (src/storage/README, "Fuller leaves").
 */
PG_FUNCTION_INFO_V1(dynpg_page_changes);
Datum
dynpg_page_changes(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {"leaf_splits", "shifts", "sibling_splits"};
	uint64		counts[3];

	counts[0] = dynpg_bt_changes.leaf_splits;
	counts[1] = dynpg_bt_changes.shifts;
	counts[2] = dynpg_bt_changes.sibling_splits;
	return counters_jsonb(names, counts, 3);
}
