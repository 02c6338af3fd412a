/*-------------------------------------------------------------------------
 *
 * item_ops.c
 *	  PutItem, GetItem and DeleteItem.
 *
 * Each checks the whole request before it touches the table (wire.h lists
 * the phases), then opens the relation, checks the caller's privilege on
 * it (SELECT to read, INSERT to put, DELETE to delete, and SELECT as well
 * when ReturnValues asks for the old item, as RETURNING does), checks the
 * key against the table's key schema, and reads or writes through the one
 * write path (am/dynpg_write.h).  Nothing is written unless everything
 * checked out, and no subtransaction is opened: an error undoes the
 * caller's transaction as any SQL error does.
 *
 * Conditions, projections and expressions are the next step; until then
 * a request that uses them is refused (ValidationException), never
 * half-honoured.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "am/dynpg_write.h"
#include "api/api.h"
#include "api/wire.h"
#include "catalog/catalog.h"
#include "dynpg.h"
#include "dynpg_error.h"
#include "types/item.h"
#include "types/key.h"

/* capacity unit sizes: a read unit covers 4 KB, a write unit 1 KB */
#define DYN_READ_UNIT_BYTES		4096
#define DYN_WRITE_UNIT_BYTES	1024

static const char *const return_values_all[] = {
	"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW", NULL
};
static const char *const return_values_on_failure[] = {"ALL_OLD", "NONE", NULL};
static const char *const return_consumed_capacity[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const return_item_collection_metrics[] = {"SIZE", "NONE", NULL};

static const char *const put_unsupported[] = {
	"ConditionExpression", "Expected", "ConditionalOperator",
	"ExpressionAttributeNames", "ExpressionAttributeValues", NULL
};
static const char *const get_unsupported[] = {
	"ProjectionExpression", "AttributesToGet", "ExpressionAttributeNames", NULL
};
static const char *const delete_unsupported[] = {
	"ConditionExpression", "Expected", "ConditionalOperator",
	"ExpressionAttributeNames", "ExpressionAttributeValues", NULL
};

/* ReturnValues of PutItem and DeleteItem: DynamoDB's enum, then NONE or ALL_OLD */
static bool
check_return_values(DynRequest *req, const char *value)
{
	int			before = req->nerrors;

	dynpg_req_enum(req, value, "returnValues", return_values_all);
	if (value != NULL && req->nerrors == before &&
		strcmp(value, "ALL_OLD") != 0 && strcmp(value, "NONE") != 0)
		dynpg_req_invalid_text(req, "ReturnValues can only be ALL_OLD or NONE");
	return value != NULL && strcmp(value, "ALL_OLD") == 0;
}

static void
check_privilege(Relation rel, AclMode mode)
{
	AclResult	aclresult = pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), mode);

	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_TABLE, RelationGetRelationName(rel));
}

/*
 * Open table 'name' for an item operation: ResourceNotFoundException
 * (the data plane's shorter message) if there is no such table, then the
 * privilege checks.  *key receives a copy of the key schema: the relcache's
 * copy of the definition may be freed by the write path's lock waits.
 */
static Relation
open_item_table(const char *name, LOCKMODE lockmode, AclMode mode, bool also_select,
				DynKeySchema *key)
{
	Oid			relid = dynpg_table_relid(name, true);
	Relation	rel = NULL;
	const DynTableDef *def;

	if (OidIsValid(relid))
		rel = try_table_open(relid, lockmode);
	if (rel == NULL)
		dynpg_raise(DYN_ERR_RESOURCE_NOT_FOUND, "Requested resource not found");
	def = dynpg_table_def(rel);
	if (strcmp(def->table_name, name) != 0)
	{
		/* renamed or dropped while we waited for the lock */
		table_close(rel, lockmode);
		dynpg_raise(DYN_ERR_RESOURCE_NOT_FOUND, "Requested resource not found");
	}
	*key = def->key;
	key->pk_name = pnstrdup(def->key.pk_name, def->key.pk_namelen);
	if (def->key.sk_name != NULL)
		key->sk_name = pnstrdup(def->key.sk_name, def->key.sk_namelen);

	check_privilege(rel, mode);
	if (also_select)
		check_privilege(rel, ACL_SELECT);
	return rel;
}

/*
 * A Key of GetItem or DeleteItem: exactly the table's key attributes with
 * their types, else DynamoDB's one message for all of it; then the empty
 * value and size rules PutItem applies to keys.
 */
static void
check_key(const DynItem *key_item, const DynKeySchema *ks)
{
	DynRef		root = dynpg_item_root(key_item);
	DynContainer c;
	DynRef		pk;
	DynRef		sk;

	dynpg_container_open(&root, &c);
	if (c.count != (ks->sk_name ? 2 : 1) ||
		!dynpg_map_find(&c, ks->pk_name, ks->pk_namelen, &pk) || pk.type != ks->pk_type ||
		(ks->sk_name != NULL &&
		 (!dynpg_map_find(&c, ks->sk_name, ks->sk_namelen, &sk) || sk.type != ks->sk_type)))
		dynpg_validation_error("The provided key element does not match the schema");
	dynpg_key_check_value(ks->pk_name, ks->pk_namelen, ks->pk_type, &pk, true);
	if (ks->sk_name != NULL)
		dynpg_key_check_value(ks->sk_name, ks->sk_namelen, ks->sk_type, &sk, false);
}

/* Capacity units in halves (an eventually consistent read costs half). */
static int64
units_for(int64 bytes, int64 unit_bytes)
{
	int64		units = (bytes + unit_bytes - 1) / unit_bytes;

	return Max(units, 1);
}

/*
 * ConsumedCapacity, when ReturnConsumedCapacity asks for it: TOTAL gives
 * the table's name and units, INDEXES the table's share as well (there
 * are no indexes yet).
 */
static void
push_consumed_capacity(JsonbParseState **st, const char *mode, const char *table_name,
					   int64 half_units)
{
	char	   *units;

	if (mode == NULL || strcmp(mode, "NONE") == 0)
		return;
	units = psprintf(INT64_FORMAT ".%d", half_units / 2, half_units % 2 ? 5 : 0);
	dynpg_jb_begin_object(st, "ConsumedCapacity");
	dynpg_jb_string(st, "TableName", table_name);
	dynpg_jb_numeric_text(st, "CapacityUnits", units);
	if (strcmp(mode, "INDEXES") == 0)
	{
		dynpg_jb_begin_object(st, "Table");
		dynpg_jb_numeric_text(st, "CapacityUnits", units);
		dynpg_jb_end_object(st);
	}
	dynpg_jb_end_object(st);
}

static void
push_item(JsonbParseState **st, const char *key, const DynItem *item)
{
	dynpg_jb_jsonb(st, key, dynpg_item_to_jsonb(item, false));
}

/* ---------------------------------------------------------------------
 * PutItem
 * ---------------------------------------------------------------------
 */
Jsonb *
dynpg_api_put_item(Jsonb *request)
{
	DynRequest	req;
	char	   *table_name;
	Jsonb	   *item_jb;
	char	   *return_values;
	char	   *capacity;
	char	   *metrics;
	char	   *on_failure;
	bool		all_old;
	DynItem    *item;
	Relation	rel;
	DynKeySchema ks;
	DynKey		key;
	DynItem    *old = NULL;
	bool		need_old;
	JsonbParseState *st = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "PutItem", request);
	table_name = dynpg_req_string(req.root, "TableName");
	item_jb = dynpg_req_map(req.root, "Item");
	return_values = dynpg_req_string(req.root, "ReturnValues");
	capacity = dynpg_req_string(req.root, "ReturnConsumedCapacity");
	metrics = dynpg_req_string(req.root, "ReturnItemCollectionMetrics");
	on_failure = dynpg_req_string(req.root, "ReturnValuesOnConditionCheckFailure");

	dynpg_req_enum(&req, capacity, "returnConsumedCapacity", return_consumed_capacity);
	dynpg_req_table_name(&req, table_name, "tableName", 1, false);
	dynpg_req_not_null(&req, item_jb != NULL, "item");
	all_old = check_return_values(&req, return_values);
	dynpg_req_enum(&req, metrics, "returnItemCollectionMetrics", return_item_collection_metrics);
	dynpg_req_enum(&req, on_failure, "returnValuesOnConditionCheckFailure", return_values_on_failure);
	dynpg_req_finish(&req);
	dynpg_req_unsupported(req.root, put_unsupported);

	/* the item's own rules (AttributeValues, 400 KB), before the table's */
	item = dynpg_item_from_jsonb(JsonbPGetDatum(item_jb), false);

	rel = open_item_table(table_name, RowExclusiveLock, ACL_INSERT, all_old, &ks);
	dynpg_key_from_item(item, &ks, &key);
	need_old = all_old || (capacity != NULL && strcmp(capacity, "NONE") != 0);
	(void) dynpg_write_put(rel, item, DYN_WRITE_PUT, NULL, NULL, need_old ? &old : NULL);
	table_close(rel, NoLock);

	dynpg_jb_begin_object(&st, NULL);
	if (all_old && old != NULL)
		push_item(&st, "Attributes", old);
	if (need_old)
	{
		int64		size = dynpg_item_size(item);

		if (old != NULL)
			size = Max(size, dynpg_item_size(old));
		push_consumed_capacity(&st, capacity, table_name,
							   2 * units_for(size, DYN_WRITE_UNIT_BYTES));
	}
	return dynpg_jb_finish(dynpg_jb_end_object(&st));
}

/* ---------------------------------------------------------------------
 * GetItem
 * ---------------------------------------------------------------------
 */
Jsonb *
dynpg_api_get_item(Jsonb *request)
{
	DynRequest	req;
	char	   *table_name;
	Jsonb	   *key_jb;
	bool		consistent;
	char	   *capacity;
	DynItem    *key_item;
	DynItem    *found;
	Relation	rel;
	DynKeySchema ks;
	JsonbParseState *st = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "GetItem", request);
	table_name = dynpg_req_string(req.root, "TableName");
	key_jb = dynpg_req_map(req.root, "Key");
	/* every read is strongly consistent; the flag only halves the cost */
	(void) dynpg_req_bool(req.root, "ConsistentRead", &consistent);
	capacity = dynpg_req_string(req.root, "ReturnConsumedCapacity");

	dynpg_req_enum(&req, capacity, "returnConsumedCapacity", return_consumed_capacity);
	dynpg_req_table_name(&req, table_name, "tableName", 1, false);
	dynpg_req_not_null(&req, key_jb != NULL, "key");
	dynpg_req_finish(&req);
	dynpg_req_unsupported(req.root, get_unsupported);

	key_item = dynpg_item_from_jsonb(JsonbPGetDatum(key_jb), false);

	rel = open_item_table(table_name, AccessShareLock, ACL_SELECT, false, &ks);
	check_key(key_item, &ks);
	found = dynpg_read_get(rel, key_item);
	table_close(rel, NoLock);

	dynpg_jb_begin_object(&st, NULL);
	if (found != NULL)
		push_item(&st, "Item", found);
	if (capacity != NULL)
	{
		int64		units = units_for(found ? dynpg_item_size(found) : 0, DYN_READ_UNIT_BYTES);

		push_consumed_capacity(&st, capacity, table_name, consistent ? 2 * units : units);
	}
	return dynpg_jb_finish(dynpg_jb_end_object(&st));
}

/* ---------------------------------------------------------------------
 * DeleteItem
 * ---------------------------------------------------------------------
 */
Jsonb *
dynpg_api_delete_item(Jsonb *request)
{
	DynRequest	req;
	char	   *table_name;
	Jsonb	   *key_jb;
	char	   *return_values;
	char	   *capacity;
	char	   *metrics;
	char	   *on_failure;
	bool		all_old;
	bool		need_old;
	DynItem    *key_item;
	DynItem    *old = NULL;
	Relation	rel;
	DynKeySchema ks;
	JsonbParseState *st = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "DeleteItem", request);
	table_name = dynpg_req_string(req.root, "TableName");
	key_jb = dynpg_req_map(req.root, "Key");
	return_values = dynpg_req_string(req.root, "ReturnValues");
	capacity = dynpg_req_string(req.root, "ReturnConsumedCapacity");
	metrics = dynpg_req_string(req.root, "ReturnItemCollectionMetrics");
	on_failure = dynpg_req_string(req.root, "ReturnValuesOnConditionCheckFailure");

	dynpg_req_enum(&req, capacity, "returnConsumedCapacity", return_consumed_capacity);
	dynpg_req_table_name(&req, table_name, "tableName", 1, false);
	all_old = check_return_values(&req, return_values);
	dynpg_req_enum(&req, metrics, "returnItemCollectionMetrics", return_item_collection_metrics);
	dynpg_req_enum(&req, on_failure, "returnValuesOnConditionCheckFailure", return_values_on_failure);
	dynpg_req_not_null(&req, key_jb != NULL, "key");
	dynpg_req_finish(&req);
	dynpg_req_unsupported(req.root, delete_unsupported);

	key_item = dynpg_item_from_jsonb(JsonbPGetDatum(key_jb), false);

	rel = open_item_table(table_name, RowExclusiveLock, ACL_DELETE, all_old, &ks);
	check_key(key_item, &ks);
	need_old = all_old || (capacity != NULL && strcmp(capacity, "NONE") != 0);
	(void) dynpg_write_delete(rel, key_item, NULL, NULL, need_old ? &old : NULL);
	table_close(rel, NoLock);

	dynpg_jb_begin_object(&st, NULL);
	if (all_old && old != NULL)
		push_item(&st, "Attributes", old);
	if (need_old)
		push_consumed_capacity(&st, capacity, table_name,
							   2 * units_for(old ? dynpg_item_size(old) : 0,
											 DYN_WRITE_UNIT_BYTES));
	return dynpg_jb_finish(dynpg_jb_end_object(&st));
}
