/*-------------------------------------------------------------------------
 *
 * batch_ops.c
 *	  BatchGetItem and BatchWriteItem.
 *
 * Both follow base/dynpg_request.h's phases over the whole request before
 * they read or write anything: deserialization, then every constraint
 * failure at once, then the operation's own rules (per table: expressions,
 * AttributeValues, item sizes, duplicates, the total count), then per table
 * in turn the table itself (ResourceNotFoundException, privileges) and its
 * keys.  Only when every entry of every table has passed does
 * BatchWriteItem write, each entry through the one write path
 * (am/dynpg_write.h), so secondary indexes are kept as for PutItem and
 * DeleteItem.  A batch runs in the caller's transaction: an error part-way
 * (a serialization failure, a deadlock) undoes all of it, where DynamoDB
 * would have applied some of it; no item is ever half written in either.
 *
 * Tables are taken in jsonb's order of object keys (shorter names first,
 * then bytewise), entries in request order.  Messages and their sources
 * are in src/api/README, "Batches".
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "utils/acl.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/rel.h"

#include "am/dynpg_read.h"
#include "am/dynpg_write.h"
#include "api/dynpg_api.h"
#include "api/dynpg_item_common.h"
#include "api/dynpg_wire.h"
#include "catalog/dynpg_catalog.h"
#include "base/dynpg_preload.h"
#include "base/dynpg_error.h"
#include "expr/dynpg_expr.h"
#include "index/dynpg_index.h"
#include "types/dynpg_item.h"
#include "types/dynpg_key.h"

#define DYN_BATCH_WRITE_MAX		25
#define DYN_BATCH_GET_MAX		100
#define DYN_BATCH_GET_ATTRIBUTES_MAX 255
#define DYN_BATCH_GET_RESPONSE_MAX	(16 * 1024 * 1024)


/* ---------------------------------------------------------------------
 * Reading the request
 * ---------------------------------------------------------------------
 */

/* The members of an object, in jsonb order (dynpg_json_sorted_members). */
static int
object_members(const DynJson *obj, char ***names, DynJson ***values)
{
	int			n;
	DynJsonMember **m = dynpg_json_sorted_members(obj, &n);
	int			i;

	*names = palloc(sizeof(char *) * Max(n, 1));
	*values = palloc(sizeof(DynJson *) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		(*names)[i] = pnstrdup(m[i]->key, m[i]->keylen);
		(*values)[i] = m[i]->val;
	}
	return n;
}

/* "Provided list of item keys contains duplicates" */
static void duplicate_keys(void) pg_attribute_noreturn();

static void
duplicate_keys(void)
{
	dynpg_validation_error("Provided list of item keys contains duplicates");
}

/*
 * Phase 1 of RequestItems: the Map (NULL when absent), and its tables'
 * names and values in jsonb's key order.
 */
static DynJson *
read_request_items(const DynJson *root, char ***names, DynJson ***values, int *ntables)
{
	DynJson    *items_jb = dynpg_req_map(root, "RequestItems");

	*ntables = items_jb ? object_members(items_jb, names, values) : 0;
	return items_jb;
}

/*
 * Phase 2 of RequestItems itself: not null (an empty one is phase 3's,
 * empty_request_items).  Returns
 * whether a table name breaks the rules, which the caller reports quoting
 * the whole of its RequestItems.
 */
static bool
request_items_constraints(DynRequest *req, DynJson *items_jb, char **names, int ntables)
{
	bool		bad_names = false;
	int			t;

	dynpg_req_not_null(req, items_jb != NULL, "RequestItems");
	for (t = 0; t < ntables; t++)
	{
		if (!dynpg_req_is_table_name_or_arn(names[t]))
			bad_names = true;
		else if (strncmp(names[t], "arn:", 4) == 0)
			dynpg_req_table_arn(req, names[t], "requestItems");	/* its region, type, form */
	}
	return bad_names;
}

/*
 * Phase 3: an empty RequestItems has DynamoDB's own sentence rather than
 * the length constraint ("The requestItems parameter is required for
 * BatchGetItem").
 */
static void
empty_request_items(const DynRequest *req, const DynJson *items_jb, int ntables)
{
	if (items_jb != NULL && ntables == 0)
		dynpg_validation_error("The requestItems parameter is required for %s", req->operation);
}

/* ---------------------------------------------------------------------
 * BatchWriteItem
 * ---------------------------------------------------------------------
 */
typedef struct WriteEntry
{
	DynJson    *put;			/* PutRequest, or NULL */
	DynJson    *del;			/* DeleteRequest, or NULL */
	DynJson    *put_item;		/* PutRequest.Item */
	DynJson    *del_key;		/* DeleteRequest.Key */
	DynJson    *item_jb;		/* the one of them this entry writes */
	DynItem    *item;
	StringInfoData skey;		/* storage key (numbers normalized) */
} WriteEntry;

typedef struct WriteTable
{
	char	   *name;
	DynJson    *list;			/* NULL when null */
	int			n;
	WriteEntry *entries;
	Relation	rel;
	DynKeySchema ks;
	DynWriteCharge charge;		/* ConsumedCapacity */
	DynItemCollection *collections; /* ItemCollectionMetrics, one per write (LSIs) */
	int			ncollections;
} WriteTable;

DynJson *
dynpg_api_batch_write_item(DynJson *request)
{
	DynRequest	req;
	DynJson    *items_jb;
	char	   *capacity;
	char	   *metrics;
	char	  **names = NULL;
	DynJson   **values = NULL;
	int			ntables;
	WriteTable *tables;
	int			total = 0;
	bool		bad_names;
	bool		need_old;
	int			t;
	int			i;
	int			j;
	DynOut	   *st = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "BatchWriteItem", request);

	/* phase 1: members and their JSON types, in the model's order */
	items_jb = read_request_items(req.root, &names, &values, &ntables);
	tables = palloc0(sizeof(WriteTable) * Max(ntables, 1));
	for (t = 0; t < ntables; t++)
	{
		WriteTable *wt = &tables[t];

		wt->name = names[t];
		wt->list = dynpg_req_value_list(values[t]);
		wt->n = dynpg_req_list_length(wt->list);
		wt->entries = palloc0(sizeof(WriteEntry) * Max(wt->n, 1));
		for (i = 0; i < wt->n; i++)
		{
			WriteEntry *e = &wt->entries[i];
			DynJson    *wr = dynpg_req_list_struct(wt->list, i);

			if (wr == NULL)
				continue;
			e->del = dynpg_req_struct(wr, "DeleteRequest");
			if (e->del != NULL)
				e->del_key = dynpg_req_map(e->del, "Key");
			e->put = dynpg_req_struct(wr, "PutRequest");
			if (e->put != NULL)
				e->put_item = dynpg_req_map(e->put, "Item");
			e->item_jb = e->put != NULL ? e->put_item : e->del_key;
		}
	}
	capacity = dynpg_req_string(req.root, "ReturnConsumedCapacity");
	metrics = dynpg_req_string(req.root, "ReturnItemCollectionMetrics");

	/* phase 2: constraints */
	dynpg_req_enum(&req, capacity, "ReturnConsumedCapacity", dynpg_api_return_consumed_capacity);
	dynpg_req_enum(&req, metrics, "ReturnItemCollectionMetrics",
				   dynpg_api_return_item_collection_metrics);
	bad_names = request_items_constraints(&req, items_jb, names, ntables);
	for (t = 0; t < ntables; t++)
		total += tables[t].n;
	if (bad_names)
		/* DynamoDB quotes RequestItems, as compact JSON, when its keys are not all table names */
		dynpg_req_table_name_keys(&req, dynpg_json_text(items_jb), "requestItems");
	for (t = 0; t < ntables; t++)
	{
		char	   *member = psprintf("RequestItems.%s.member", tables[t].name);

		/* each table's list of requests: 1..25 of them */
		dynpg_req_not_null(&req, tables[t].list != NULL, member);
		if (tables[t].list != NULL && tables[t].n < 1)
			dynpg_req_too_short(&req, member, 1);
		if (tables[t].n > DYN_BATCH_WRITE_MAX)
			dynpg_req_too_long(&req, member, DYN_BATCH_WRITE_MAX);
	}
	for (t = 0; t < ntables; t++)
		for (i = 0; i < tables[t].n; i++)
		{
			WriteEntry *e = &tables[t].entries[i];
			char	   *member = psprintf("RequestItems.%s.member.%d.member", tables[t].name, i + 1);

			if (e->del != NULL)
				dynpg_req_not_null(&req, e->del_key != NULL,
								   psprintf("%s.DeleteRequest.Key", member));
			if (e->put != NULL)
				dynpg_req_not_null(&req, e->put_item != NULL,
								   psprintf("%s.PutRequest.Item", member));
		}
	dynpg_req_finish(&req);
	empty_request_items(&req, items_jb, ntables);

	/* phase 3: the batch's own rules, then each entry's AttributeValues and size */
	if (total > DYN_BATCH_WRITE_MAX)
		dynpg_validation_error("Too many items requested for the BatchWriteItem call");
	for (t = 0; t < ntables; t++)
	{
		for (i = 0; i < tables[t].n; i++)
		{
			WriteEntry *e = &tables[t].entries[i];

			if ((e->put == NULL) == (e->del == NULL))
				dynpg_validation_error("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
		}
		for (i = 0; i < tables[t].n; i++)
		{
			WriteEntry *e = &tables[t].entries[i];

			e->item = dynpg_item_from_json(e->item_jb, false);
		}
	}

	/* phases 4 and 5, table by table: the table, privileges, keys, duplicates */
	for (t = 0; t < ntables; t++)
	{
		WriteTable *wt = &tables[t];
		bool		any_put = false;
		bool		any_delete = false;
		const DynTableDef *def;

		for (i = 0; i < wt->n; i++)
		{
			any_put |= wt->entries[i].put != NULL;
			any_delete |= wt->entries[i].put == NULL;
		}
		wt->rel = dynpg_api_open_item_table(wt->name, RowExclusiveLock,
											any_put ? ACL_INSERT : ACL_DELETE, false, &wt->ks);
		if (any_put && any_delete)
			dynpg_api_check_privilege(wt->rel, ACL_DELETE);
		def = dynpg_table_def(wt->rel);
		for (i = 0; i < wt->n; i++)
		{
			WriteEntry *e = &wt->entries[i];
			DynKey		key;

			if (e->put != NULL)
			{
				/*
				 * the batch reports a missing key attribute or one of the
				 * wrong type with the schema message (as DynamoDB does for
				 * BatchWriteItem, unlike PutItem); the rest (empty values,
				 * key sizes) as PutItem does
				 */
				if (!dynpg_api_key_matches(e->item, &wt->ks, false))
					dynpg_req_key_mismatch(false);
				dynpg_key_from_item(e->item, &wt->ks, &key);
				if (def->nindexes > 0)
					dynpg_index_check_item(def, e->item, false);
			}
			else
			{
				dynpg_api_check_key(e->item, &wt->ks);
				dynpg_key_from_item(e->item, &wt->ks, &key);
			}
			initStringInfo(&e->skey);
			dynpg_storage_key(&key, &e->skey);
			for (j = 0; j < i; j++)
				if (wt->entries[j].skey.len == e->skey.len &&
					memcmp(wt->entries[j].skey.data, e->skey.data, e->skey.len) == 0)
					duplicate_keys();
		}
		/* a table named twice, by its name and by its ARN, is one table */
		for (j = 0; j < t; j++)
		{
			WriteTable *other = &tables[j];
			int			k;

			if (RelationGetRelid(other->rel) != RelationGetRelid(wt->rel))
				continue;
			for (i = 0; i < wt->n; i++)
				for (k = 0; k < other->n; k++)
					if (other->entries[k].skey.len == wt->entries[i].skey.len &&
						memcmp(other->entries[k].skey.data, wt->entries[i].skey.data,
							   wt->entries[i].skey.len) == 0)
						duplicate_keys();
		}
	}

	/* everything checked out: write */
	need_old = dynpg_api_capacity_wanted(capacity);
	for (t = 0; t < ntables; t++)
	{
		WriteTable *wt = &tables[t];

		for (i = 0; i < wt->n; i++)
		{
			WriteEntry *e = &wt->entries[i];
			DynItem    *old = NULL;
			bool		want_old = need_old || dynpg_api_has_lsi(wt->rel);

			if (e->put != NULL)
				(void) dynpg_write_put(wt->rel, e->item, DYN_WRITE_PUT, NULL, NULL,
									   want_old ? &old : NULL);
			else
				(void) dynpg_write_delete(wt->rel, e->item, NULL, NULL, want_old ? &old : NULL);
			if (need_old)
				dynpg_api_charge_write(wt->rel, old, e->put != NULL ? e->item : NULL,
									   &wt->charge);
			if (wt->collections == NULL)
				wt->collections = palloc(sizeof(DynItemCollection) * Max(wt->n, 1));
			if (dynpg_api_item_collection(wt->rel, e->item, old, e->put != NULL ? e->item : NULL,
										  dynpg_api_metrics_wanted(metrics),
										  &wt->collections[wt->ncollections]))
				wt->ncollections++;
		}
		table_close(wt->rel, NoLock);
	}

	dynpg_out_begin_object(&st, NULL);
	dynpg_out_begin_object(&st, "UnprocessedItems");
	dynpg_out_end_object(&st);
	if (need_old)
	{
		dynpg_out_begin_array(&st, "ConsumedCapacity");
		for (t = 0; t < ntables; t++)
			dynpg_api_push_write_capacity(&st, NULL, capacity, tables[t].name,
										  &tables[t].charge, 1, false);
		dynpg_out_end_array(&st);
	}
	/* ItemCollectionMetrics: the tables with LSIs, a collection per write (none: absent) */
	if (dynpg_api_metrics_wanted(metrics))
	{
		bool		open = false;

		for (t = 0; t < ntables; t++)
		{
			if (tables[t].ncollections == 0)
				continue;
			if (!open)
				dynpg_out_begin_object(&st, "ItemCollectionMetrics");
			open = true;
			dynpg_out_begin_array(&st, tables[t].name);
			for (i = 0; i < tables[t].ncollections; i++)
				dynpg_api_push_item_collection(&st, NULL, &tables[t].collections[i]);
			dynpg_out_end_array(&st);
		}
		if (open)
			dynpg_out_end_object(&st);
	}
	return dynpg_out_finish(dynpg_out_end_object(&st));
}

/* ---------------------------------------------------------------------
 * BatchGetItem
 * ---------------------------------------------------------------------
 */
typedef struct GetTable
{
	char	   *name;
	DynJson    *kaa;			/* KeysAndAttributes, NULL when null */
	DynJson    *keys;			/* Keys */
	int			nkeys;
	DynJson   **key_jbs;
	DynItem   **key_items;
	DynJson    *to_get;			/* AttributesToGet */
	bool		has_consistent;
	bool		consistent;
	char	   *projection;
	DynJson    *names_jb;
	DynExprPath *paths;
	int			npaths;
	Relation	rel;
	DynKeySchema ks;
	int64		half_units;
	int			first_unprocessed;	/* nkeys when every key was read */
} GetTable;

DynJson *
dynpg_api_batch_get_item(DynJson *request)
{
	DynRequest	req;
	DynJson    *items_jb;
	char	   *capacity;
	char	  **names = NULL;
	DynJson   **values = NULL;
	int			ntables;
	GetTable   *tables;
	bool		bad_names;
	int			total = 0;
	int64		response_bytes = 0;
	bool		capped = false;
	int			t;
	int			i;
	int			j;
	DynOut	   *st = NULL;
	bool		any_unprocessed = false;
	DynItem  ***found;

	dynpg_require_preload();
	dynpg_req_start(&req, "BatchGetItem", request);

	/* phase 1 */
	items_jb = read_request_items(req.root, &names, &values, &ntables);
	tables = palloc0(sizeof(GetTable) * Max(ntables, 1));
	for (t = 0; t < ntables; t++)
	{
		GetTable   *gt = &tables[t];

		gt->name = names[t];
		gt->kaa = dynpg_req_value_struct(values[t]);
		if (gt->kaa == NULL)
			continue;
		gt->keys = dynpg_req_list(gt->kaa, "Keys");
		gt->nkeys = dynpg_req_list_length(gt->keys);
		gt->key_jbs = palloc0(sizeof(DynJson *) * Max(gt->nkeys, 1));
		gt->key_items = palloc0(sizeof(DynItem *) * Max(gt->nkeys, 1));
		for (i = 0; i < gt->nkeys; i++)
			gt->key_jbs[i] = dynpg_req_list_map(gt->keys, i);
		gt->to_get = dynpg_req_list(gt->kaa, "AttributesToGet");
		for (i = 0; i < dynpg_req_list_length(gt->to_get); i++)
			(void) dynpg_req_list_string(gt->to_get, i);
		gt->has_consistent = dynpg_req_bool(gt->kaa, "ConsistentRead", &gt->consistent);
		gt->projection = dynpg_req_string(gt->kaa, "ProjectionExpression");
		gt->names_jb = dynpg_req_map(gt->kaa, "ExpressionAttributeNames");
	}
	capacity = dynpg_req_string(req.root, "ReturnConsumedCapacity");

	/* phase 2 */
	dynpg_req_enum(&req, capacity, "ReturnConsumedCapacity", dynpg_api_return_consumed_capacity);
	bad_names = request_items_constraints(&req, items_jb, names, ntables);
	if (bad_names)
		/* DynamoDB quotes RequestItems, as compact JSON, when its keys are not all table names */
		dynpg_req_table_name_keys(&req, dynpg_json_text(items_jb), "requestItems");
	for (t = 0; t < ntables; t++)
	{
		GetTable   *gt = &tables[t];
		char	   *member = psprintf("RequestItems.%s.member", gt->name);
		int			nget = dynpg_req_list_length(gt->to_get);

		dynpg_req_not_null(&req, gt->keys != NULL, psprintf("%s.Keys", member));
		if (gt->keys != NULL && gt->nkeys < 1)
			dynpg_req_too_short(&req, psprintf("%s.Keys", member), 1);
		if (gt->nkeys > DYN_BATCH_GET_MAX)
			dynpg_req_too_long(&req, psprintf("%s.Keys", member),
							   DYN_BATCH_GET_MAX);
		if (gt->to_get != NULL && nget < 1)
			dynpg_req_too_short(&req, psprintf("%s.AttributesToGet", member), 1);
		if (nget > DYN_BATCH_GET_ATTRIBUTES_MAX)
			dynpg_req_too_long(&req, psprintf("%s.AttributesToGet", member),
							   DYN_BATCH_GET_ATTRIBUTES_MAX);
	}
	dynpg_req_finish(&req);
	empty_request_items(&req, items_jb, ntables);

	/* phase 3: per table, expressions, then each key's values, duplicates, the count */
	for (t = 0; t < ntables; t++)
	{
		GetTable   *gt = &tables[t];
		DynExprContext ectx;

		dynpg_api_check_no_mixing(gt->kaa, dynpg_api_get_legacy, dynpg_api_get_expressions);
		dynpg_api_expression_params(&ectx, gt->names_jb, NULL, gt->projection != NULL, NULL);
		if (gt->projection != NULL)
			gt->paths = dynpg_expr_parse_projection(&ectx, gt->projection, &gt->npaths);
		else if (gt->to_get != NULL)
			gt->paths = dynpg_expr_from_attributes_to_get(gt->to_get, &gt->npaths);
		dynpg_expr_check_unused(&ectx);

		for (i = 0; i < gt->nkeys; i++)
		{
			if (gt->key_jbs[i] == NULL)
				gt->key_jbs[i] = dynpg_json_new(DJ_OBJECT);
			gt->key_items[i] = dynpg_item_from_json(gt->key_jbs[i], false);
			/* keys as written (compared as jsonb compares them) */
			for (j = 0; j < i; j++)
				if (dynpg_json_equal(gt->key_jbs[j], gt->key_jbs[i]))
					duplicate_keys();
			if (++total > DYN_BATCH_GET_MAX)
				dynpg_validation_error("Too many items requested for the BatchGetItem call");
		}
	}

	/* phases 4 and 5, table by table */
	for (t = 0; t < ntables; t++)
	{
		GetTable   *gt = &tables[t];

		gt->rel = dynpg_api_open_item_table(gt->name, AccessShareLock, ACL_SELECT, false, &gt->ks);
		for (i = 0; i < gt->nkeys; i++)
			dynpg_api_check_key(gt->key_items[i], &gt->ks);
	}

	/* read, until the items read would pass 16 MB */
	found = palloc0(sizeof(DynItem **) * Max(ntables, 1));
	for (t = 0; t < ntables; t++)
	{
		GetTable   *gt = &tables[t];

		found[t] = palloc0(sizeof(DynItem *) * Max(gt->nkeys, 1));
		gt->first_unprocessed = gt->nkeys;
		for (i = 0; i < gt->nkeys && !capped; i++)
		{
			DynItem    *item = dynpg_read_get(gt->rel, gt->key_items[i]);
			int64		size = item ? dynpg_item_size(item) : 0;
			int64		units;

			if (item != NULL && response_bytes + size > DYN_BATCH_GET_RESPONSE_MAX)
			{
				capped = true;
				break;
			}
			response_bytes += size;
			found[t][i] = item;
			units = dynpg_api_units_for(size, DYN_READ_UNIT_BYTES);
			gt->half_units += gt->consistent ? 2 * units : units;
		}
		if (i < gt->nkeys)
		{
			gt->first_unprocessed = i;
			any_unprocessed = true;
		}
		table_close(gt->rel, NoLock);
	}

	dynpg_out_begin_object(&st, NULL);
	dynpg_out_begin_object(&st, "Responses");
	for (t = 0; t < ntables; t++)
	{
		GetTable   *gt = &tables[t];

		dynpg_out_begin_array(&st, gt->name);
		for (i = 0; i < gt->first_unprocessed; i++)
			if (found[t][i] != NULL)
				dynpg_api_push_item(&st, NULL, gt->paths ?
									dynpg_expr_project(found[t][i], gt->paths, gt->npaths) :
									found[t][i]);
		dynpg_out_end_array(&st);
	}
	dynpg_out_end_object(&st);

	/* the keys left, in the request's own shape */
	dynpg_out_begin_object(&st, "UnprocessedKeys");
	for (t = 0; any_unprocessed && t < ntables; t++)
	{
		GetTable   *gt = &tables[t];

		if (gt->first_unprocessed >= gt->nkeys)
			continue;
		dynpg_out_begin_object(&st, gt->name);
		dynpg_out_begin_array(&st, "Keys");
		for (i = gt->first_unprocessed; i < gt->nkeys; i++)
			dynpg_out_json(&st, NULL, gt->key_jbs[i]);
		dynpg_out_end_array(&st);
		if (gt->to_get != NULL)
			dynpg_out_json(&st, "AttributesToGet", gt->to_get);
		if (gt->has_consistent)
			dynpg_out_bool(&st, "ConsistentRead", gt->consistent);
		if (gt->projection != NULL)
			dynpg_out_string(&st, "ProjectionExpression", gt->projection);
		if (gt->names_jb != NULL)
			dynpg_out_json(&st, "ExpressionAttributeNames", gt->names_jb);
		dynpg_out_end_object(&st);
	}
	dynpg_out_end_object(&st);

	if (dynpg_api_capacity_wanted(capacity))
	{
		dynpg_out_begin_array(&st, "ConsumedCapacity");
		for (t = 0; t < ntables; t++)
			dynpg_api_push_capacity_units(&st, NULL, capacity, tables[t].name,
										  tables[t].half_units);
		dynpg_out_end_array(&st);
	}
	return dynpg_out_finish(dynpg_out_end_object(&st));
}
