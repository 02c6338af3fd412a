/*-------------------------------------------------------------------------
 *
 * index_entry.c
 *	  Which index entries an item has: index keys, entry keys, projections,
 *	  and the entry writes that take the indexes from one version of an
 *	  item to the next (src/index/README).
 *
 * Pure computation on items and a table's definition: nothing here reads
 * or writes a relation.  The write path (am/dynpg_write.c) asks what a
 * base write does to the indexes and writes it; the change log's apply
 * (src/indexer) asks what a GSI entry must become.
 *
 * Entries live in the base table's relation, in their index's keyspace
 * (dynpg_index.h).  A base write computes, while it holds the base key, the
 * entries the old and the new version have in each index: LSI entries are
 * written at once, in the same transaction; for GSIs one row goes to the
 * change log (am/dynpg_changelog.h), which the database's worker applies:
 * delete the entries the old index keys name, then write the entry of the
 * base item's current committed version.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "base/dynpg_error.h"
#include "base/dynpg_request.h"
#include "index/dynpg_index.h"
#include "types/dynpg_number.h"

/* ---------------------------------------------------------------------
 * Time to live's expiry entries
 * ---------------------------------------------------------------------
 */

/* The epoch seconds of a TTL value: a Number's integer part in 0..DYN_TTL_MAX_SECONDS */
static bool
ttl_seconds(const DynRef *v, int64 *out)
{
	DynNumber	n;
	int64		seconds = 0;
	int			i;

	if (v->type != DYN_T_N)
		return false;
	dynpg_number_from_ref(v, &n);	/* value = 0.d0 d1 ... * 10^exp */
	if (n.neg)
		return false;
	if (n.exp > 12)
		return false;
	for (i = 0; i < n.exp; i++)
		seconds = seconds * 10 + (i < n.ndigits ? n.digits[i] : 0);
	if (seconds > DYN_TTL_MAX_SECONDS)
		return false;
	*out = seconds;
	return true;
}

void
dynpg_index_ttl_bound(int64 seconds, StringInfo out)
{
	int			i;

	appendStringInfoChar(out, (char) DYN_KEYSPACE_TTL);
	for (i = 7; i >= 0; i--)
		appendStringInfoChar(out, (char) ((uint64) seconds >> (8 * i)));
}

bool
dynpg_index_ttl_entry(const DynTableDef *def, const DynItem *item, StringInfo key,
					  DynItem **payload)
{
	DynRef		root;
	DynContainer c;
	DynRef		v;
	int64		seconds;

	if (def->ttl_attr == NULL || item == NULL)
		return false;
	root = dynpg_item_root(item);
	dynpg_container_open(&root, &c);
	if (!dynpg_map_find(&c, def->ttl_attr, def->ttl_attrlen, &v) || !ttl_seconds(&v, &seconds))
		return false;
	if (key != NULL)
	{
		StringInfoData skey;
		DynKey		k;

		dynpg_index_ttl_bound(seconds, key);
		dynpg_key_from_item(item, &def->key, &k);
		initStringInfo(&skey);
		dynpg_storage_key(&k, &skey);
		appendBinaryStringInfo(key, skey.data + 1, skey.len - 1);
	}
	if (payload != NULL)
		*payload = dynpg_index_base_key(def, item);
	return true;
}

/* ---------------------------------------------------------------------
 * Keys
 * ---------------------------------------------------------------------
 */

/* One key attribute of an index in 'c': false if absent or (not strict) unusable. */
static bool
index_key_value(const DynIndexDef *ix, const DynContainer *c, const char *name, int32 namelen,
				DynType type, bool is_partition_key, bool strict, bool for_update, DynRef *out)
{
	if (!dynpg_map_find(c, name, namelen, out))
		return false;
	if (out->type != type)
	{
		if (!strict)
			return false;
		if (for_update)
			dynpg_validation_error("The update expression attempted to update the secondary index key to unsupported type");
		dynpg_req_invalid_parameter("Type mismatch for Index Key %.*s Expected: %s Actual: %s IndexName: %s",
									namelen, name, dynpg_type_name(type), dynpg_type_name(out->type),
									ix->index_name);
	}
	if (out->len == 0 && (type == DYN_T_S || type == DYN_T_B))
	{
		if (!strict)
			return false;
		dynpg_validation_error("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %.*s",
							   type == DYN_T_S ? "string" : "binary", ix->index_name, namelen, name);
	}
	if (out->len > (is_partition_key ? DYN_MAX_HASH_KEY_LEN : DYN_MAX_RANGE_KEY_LEN))
	{
		if (!strict)
			return false;
		if (for_update)
			dynpg_validation_error("The update expression attempted to update the secondary index key beyond allowed size limits");
		dynpg_key_too_long(is_partition_key);
	}
	return true;
}

static bool
index_key_of(const DynIndexDef *ix, const DynItem *item, bool strict, bool for_update,
			 DynIndexKey *ikey)
{
	DynRef		root = dynpg_item_root(item);
	DynContainer c;
	bool		have_all = true;
	int32		hash_size = 0;
	int32		range_size = 0;
	int			i;

	memset(ikey, 0, sizeof(*ikey));
	dynpg_container_open(&root, &c);
	/* every attribute is checked before a missing one leaves the item out */
	for (i = 0; i < ix->parts.nhash; i++)
	{
		const DynKeyPart *kp = &ix->parts.hash[i];

		if (index_key_value(ix, &c, kp->name, kp->namelen, kp->type, true, strict, for_update,
							&ikey->hash[i]))
			hash_size += ikey->hash[i].len;
		else
			have_all = false;
	}
	for (i = 0; i < ix->parts.nrange; i++)
	{
		const DynKeyPart *kp = &ix->parts.range[i];

		if (index_key_value(ix, &c, kp->name, kp->namelen, kp->type, false, strict, for_update,
							&ikey->range[i]))
			range_size += ikey->range[i].len;
		else
			have_all = false;
	}
	ikey->nhash = ix->parts.nhash;
	ikey->nrange = ix->parts.nrange;
	/* several attributes: their sizes together obey the one attribute's limit */
	if (hash_size > DYN_MAX_HASH_KEY_LEN || range_size > DYN_MAX_RANGE_KEY_LEN)
	{
		if (!strict)
			return false;
		if (for_update)
			dynpg_validation_error("The update expression attempted to update the secondary index key beyond allowed size limits");
		dynpg_key_too_long(hash_size > DYN_MAX_HASH_KEY_LEN);
	}
	if (!have_all)
		return false;
	dynpg_key_composite(ikey->hash, ikey->nhash, &ikey->pk);
	return true;
}

bool
dynpg_index_key_of(const DynIndexDef *ix, const DynItem *item, bool strict, DynIndexKey *ikey)
{
	return index_key_of(ix, item, strict, false, ikey);
}

void
dynpg_index_check_item(const DynTableDef *def, const DynItem *item, bool for_update)
{
	int			i;

	for (i = 0; i < def->nindexes; i++)
	{
		DynIndexKey ikey;

		(void) index_key_of(&def->indexes[i], item, true, for_update, &ikey);
	}
}

void
dynpg_index_partition_prefix(const DynIndexDef *ix, const DynRef *pk, StringInfo out)
{
	DynKey		k;
	int			start = out->len;

	memset(&k, 0, sizeof(k));
	k.pk = *pk;
	dynpg_storage_key(&k, out);
	out->data[start] = (char) ix->keyspace;
}

/* The index sort key part of an entry key: the group encoding of its key encoding. */
void
dynpg_index_sort_part(const DynRef *sk, StringInfo out)
{
	StringInfoData enc;

	initStringInfo(&enc);
	dynpg_key_encode_value(sk, &enc);
	dynpg_group_encode((const uint8 *) enc.data, enc.len, out);
	pfree(enc.data);
}

void
dynpg_index_entry_key(const DynTableDef *def, const DynIndexDef *ix, const DynIndexKey *ikey,
					  const DynItem *item, StringInfo out)
{
	DynKey		base;
	StringInfoData bkey;
	int			i;

	dynpg_index_partition_prefix(ix, &ikey->pk, out);
	for (i = 0; i < ikey->nrange; i++)
		dynpg_index_sort_part(&ikey->range[i], out);
	dynpg_key_from_item(item, &def->key, &base);
	initStringInfo(&bkey);
	dynpg_storage_key(&base, &bkey);
	/* the base key without its keyspace byte */
	appendBinaryStringInfo(out, bkey.data + 1, bkey.len - 1);
	pfree(bkey.data);
}

/* ---------------------------------------------------------------------
 * Projections
 * ---------------------------------------------------------------------
 */

static bool
name_is(const char *name, int32 namelen, const char *want, int32 wantlen)
{
	return want != NULL && namelen == wantlen && memcmp(name, want, namelen) == 0;
}

/* Whether 'name' is one of index 'ix''s key attributes. */
bool
dynpg_index_is_key(const DynIndexDef *ix, const char *name, int32 namelen)
{
	int			i;

	for (i = 0; i < ix->parts.nhash; i++)
		if (name_is(name, namelen, ix->parts.hash[i].name, ix->parts.hash[i].namelen))
			return true;
	for (i = 0; i < ix->parts.nrange; i++)
		if (name_is(name, namelen, ix->parts.range[i].name, ix->parts.range[i].namelen))
			return true;
	return false;
}

/* Whether index 'ix' projects top-level attribute 'name'. */
bool
dynpg_index_projects(const DynTableDef *def, const DynIndexDef *ix, const char *name, int32 namelen)
{
	int			i;

	if (ix->projection == DYN_PROJECTION_ALL)
		return true;
	if (name_is(name, namelen, def->key.pk_name, def->key.pk_namelen) ||
		name_is(name, namelen, def->key.sk_name, def->key.sk_namelen) ||
		dynpg_index_is_key(ix, name, namelen))
		return true;
	for (i = 0; i < ix->nnonkey; i++)
		if (name_is(name, namelen, ix->nonkey[i], strlen(ix->nonkey[i])))
			return true;
	return false;
}

DynItem *
dynpg_index_project(const DynTableDef *def, const DynIndexDef *ix, DynItem *item)
{
	DynRef		root = dynpg_item_root(item);
	DynContainer c;
	DynBuildValue *out;
	int			i;

	if (ix->projection == DYN_PROJECTION_ALL)
		return item;
	dynpg_container_open(&root, &c);
	out = palloc0(sizeof(DynBuildValue));
	out->type = DYN_T_M;
	out->members = palloc0(sizeof(DynBuildMember) * Max(c.count, 1));
	for (i = 0; i < c.count; i++)
	{
		const char *name;
		int32		namelen;
		DynRef		v = dynpg_map_entry(&c, i, &name, &namelen);

		if (!dynpg_index_projects(def, ix, name, namelen))
			continue;
		out->members[out->count].name = name;
		out->members[out->count].namelen = namelen;
		out->members[out->count].value = dynpg_build_from_ref(&v);
		out->count++;
	}
	(void) dynpg_item_finish(out);
	return dynpg_item_serialize(out);
}

/* ---------------------------------------------------------------------
 * Maintenance
 * ---------------------------------------------------------------------
 */

/* One index's entry of one version: its key and projected item, or none. */
typedef struct EntryOf
{
	bool		present;
	StringInfoData key;
	DynItem    *projected;
} EntryOf;

static void
entry_of(const DynTableDef *def, const DynIndexDef *ix, DynItem *item, bool strict, EntryOf *e)
{
	DynIndexKey ikey;

	memset(e, 0, sizeof(*e));
	if (item == NULL || !index_key_of(ix, item, strict, false, &ikey))
		return;
	e->present = true;
	initStringInfo(&e->key);
	dynpg_index_entry_key(def, ix, &ikey, item, &e->key);
	e->projected = dynpg_index_project(def, ix, item);
}

static bool
same_key(const EntryOf *a, const EntryOf *b)
{
	return a->present && b->present && a->key.len == b->key.len &&
		memcmp(a->key.data, b->key.data, a->key.len) == 0;
}

static bool
same_item(const DynItem *a, const DynItem *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/* The entry writes that take an index from entry 'old' to 'new' (0, 1 or 2). */
static int
plan_entry_writes(EntryOf *old, EntryOf *new, DynEntryWrite *w)
{
	memset(w, 0, sizeof(*w));
	if (same_key(old, new))
	{
		if (same_item(old->projected, new->projected))
			return 0;
		w->put = &new->key;
		w->item = new->projected;
		return 1;
	}
	if (old->present)
		w->del = &old->key;
	if (new->present)
	{
		w->put = &new->key;
		w->item = new->projected;
	}
	return (w->del != NULL) + (w->put != NULL);
}

/* The GSI key attributes of 'item' for the change log (NULL if it has none). */
static DynItem *
gsi_keys_of(const DynTableDef *def, const DynItem *item)
{
	DynRef		root;
	DynContainer c;
	DynBuildValue *out;
	int			i;

	if (item == NULL)
		return NULL;
	root = dynpg_item_root(item);
	dynpg_container_open(&root, &c);
	out = palloc0(sizeof(DynBuildValue));
	out->type = DYN_T_M;
	out->members = palloc0(sizeof(DynBuildMember) * Max(c.count, 1));
	for (i = 0; i < c.count; i++)
	{
		const char *name;
		int32		namelen;
		DynRef		v = dynpg_map_entry(&c, i, &name, &namelen);
		int			j;

		for (j = 0; j < def->nindexes; j++)
		{
			const DynIndexDef *ix = &def->indexes[j];

			if (ix->kind == DYN_INDEX_GLOBAL && dynpg_index_is_key(ix, name, namelen))
				break;
		}
		if (j == def->nindexes)
			continue;
		out->members[out->count].name = name;
		out->members[out->count].namelen = namelen;
		out->members[out->count].value = dynpg_build_from_ref(&v);
		out->count++;
	}
	if (out->count == 0)
		return NULL;
	(void) dynpg_item_finish(out);
	return dynpg_item_serialize(out);
}

/* The key attributes of 'item' (which has them), as an item. */
DynItem *
dynpg_index_base_key(const DynTableDef *def, const DynItem *item)
{
	DynKey		key;
	DynBuildValue *root = palloc0(sizeof(DynBuildValue));

	dynpg_key_from_item(item, &def->key, &key);
	root->type = DYN_T_M;
	root->count = key.has_sk ? 2 : 1;
	root->members = palloc0(sizeof(DynBuildMember) * 2);
	root->members[0].name = def->key.pk_name;
	root->members[0].namelen = def->key.pk_namelen;
	root->members[0].value = dynpg_build_from_ref(&key.pk);
	if (key.has_sk)
	{
		root->members[1].name = def->key.sk_name;
		root->members[1].namelen = def->key.sk_namelen;
		root->members[1].value = dynpg_build_from_ref(&key.sk);
	}
	(void) dynpg_item_finish(root);
	return dynpg_item_serialize(root);
}

/* The top-level attributes of 'a' and 'b' in one item ('b' wins a name both have). */
static DynItem *
merge_top(const DynItem *a, const DynItem *b)
{
	DynRef		ra = dynpg_item_root(a);
	DynRef		rb = dynpg_item_root(b);
	DynContainer ca;
	DynContainer cb;
	DynBuildValue *out;
	int			i;

	dynpg_container_open(&ra, &ca);
	dynpg_container_open(&rb, &cb);
	out = palloc0(sizeof(DynBuildValue));
	out->type = DYN_T_M;
	out->members = palloc0(sizeof(DynBuildMember) * Max(ca.count + cb.count, 1));
	for (i = 0; i < ca.count + cb.count; i++)
	{
		const char *name;
		int32		namelen;
		DynRef		v;
		DynRef		dummy;

		if (i < ca.count)
		{
			v = dynpg_map_entry(&ca, i, &name, &namelen);
			if (dynpg_map_find(&cb, name, namelen, &dummy))
				continue;
		}
		else
			v = dynpg_map_entry(&cb, i - ca.count, &name, &namelen);
		out->members[out->count].name = name;
		out->members[out->count].namelen = namelen;
		out->members[out->count].value = dynpg_build_from_ref(&v);
		out->count++;
	}
	(void) dynpg_item_finish(out);
	return dynpg_item_serialize(out);
}

/* ---------------------------------------------------------------------
 * What a write does to the indexes
 * ---------------------------------------------------------------------
 */

void
dynpg_index_changes_of_write(const DynTableDef *def, DynItem *old_item, DynItem *new_item,
							 DynIndexChanges *out)
{
	int			n = def->nindexes;
	int			i;

	memset(out, 0, sizeof(*out));
	out->writes = palloc0(sizeof(DynEntryWrite) * (n + 1));
	for (i = 0; i < n; i++)
	{
		const DynIndexDef *ix = &def->indexes[i];
		EntryOf    *old = palloc(sizeof(EntryOf));
		EntryOf    *new = palloc(sizeof(EntryOf));
		DynEntryWrite w;

		/* the old version was checked when written (or skipped by a backfill) */
		entry_of(def, ix, old_item, false, old);
		entry_of(def, ix, new_item, true, new);
		if (plan_entry_writes(old, new, &w) == 0)
			continue;
		if (ix->kind == DYN_INDEX_LOCAL)
			out->writes[out->nwrites++] = w;
		else
			out->log_gsi = true;
	}
	if (out->log_gsi)
	{
		out->base_key = dynpg_index_base_key(def, new_item != NULL ? new_item : old_item);
		out->old_keys = gsi_keys_of(def, old_item);
	}
	/* the expiry entry, written now as LSI entries are */
	if (def->ttl_attr != NULL)
	{
		EntryOf    *old = palloc0(sizeof(EntryOf));
		EntryOf    *new = palloc0(sizeof(EntryOf));
		DynEntryWrite w;

		initStringInfo(&old->key);
		initStringInfo(&new->key);
		old->present = dynpg_index_ttl_entry(def, old_item, &old->key, &old->projected);
		new->present = dynpg_index_ttl_entry(def, new_item, &new->key, &new->projected);
		if (plan_entry_writes(old, new, &w) > 0)
			out->writes[out->nwrites++] = w;
	}
}

/* Write units of an entry write of 'size' bytes: whole units of 'unit_bytes', at least 1. */
static int64
entry_units(int64 size, int64 unit_bytes)
{
	int64		units = (size + unit_bytes - 1) / unit_bytes;

	return Max(units, 1);
}

void
dynpg_index_write_units(const DynTableDef *def, DynItem *old_item, DynItem *new_item,
						int64 unit_bytes, int64 *units)
{
	int			i;

	for (i = 0; i < def->nindexes; i++)
	{
		const DynIndexDef *ix = &def->indexes[i];
		EntryOf		old;
		EntryOf		new;

		/* both versions are written (or were): nothing to refuse here */
		entry_of(def, ix, old_item, false, &old);
		entry_of(def, ix, new_item, false, &new);
		units[i] = 0;
		if (same_key(&old, &new))
		{
			/* the entry stays: one write if its projection changed */
			if (!same_item(old.projected, new.projected))
				units[i] = entry_units(Max(dynpg_item_size(old.projected),
										   dynpg_item_size(new.projected)), unit_bytes);
			continue;
		}
		if (old.present)
			units[i] += entry_units(dynpg_item_size(old.projected), unit_bytes);
		if (new.present)
			units[i] += entry_units(dynpg_item_size(new.projected), unit_bytes);
	}
}

int
dynpg_index_gsi_writes(const DynTableDef *def, const DynItem *base_key, const DynItem *old_keys,
					   DynItem *current, DynEntryWrite **writes)
{
	int			n = def->nindexes;
	int			nwrites = 0;
	DynItem    *old_full = NULL;
	int			i;

	*writes = palloc0(sizeof(DynEntryWrite) * Max(n, 1));
	if (old_keys != NULL)
		old_full = merge_top(old_keys, base_key);
	for (i = 0; i < n; i++)
	{
		const DynIndexDef *ix = &def->indexes[i];
		EntryOf    *old = palloc(sizeof(EntryOf));
		EntryOf    *new = palloc(sizeof(EntryOf));
		DynEntryWrite w;

		if (ix->kind != DYN_INDEX_GLOBAL)
			continue;
		/* the old key names an entry; what it holds is unknown: always write the new one */
		memset(old, 0, sizeof(EntryOf));
		if (old_full != NULL)
		{
			DynIndexKey ikey;

			if (index_key_of(ix, old_full, false, false, &ikey))
			{
				old->present = true;
				initStringInfo(&old->key);
				dynpg_index_entry_key(def, ix, &ikey, old_full, &old->key);
			}
		}
		entry_of(def, ix, current, false, new);
		memset(&w, 0, sizeof(w));
		if (old->present && !same_key(old, new))
			w.del = &old->key;
		if (new->present)
		{
			w.put = &new->key;
			w.item = new->projected;
		}
		if (w.del != NULL || w.put != NULL)
			(*writes)[nwrites++] = w;
	}
	return nwrites;
}
