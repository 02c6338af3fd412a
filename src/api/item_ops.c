/*-------------------------------------------------------------------------
 *
 * item_ops.c
 *	  PutItem, GetItem, DeleteItem and UpdateItem.
 *
 * Each checks the whole request before it touches the table (the phases
 * of base/dynpg_request.h; each operation's members are a table below),
 * then opens the relation, checks the caller's privilege on it (SELECT to
 * read, INSERT to put, DELETE to delete, and SELECT as well when
 * ReturnValues asks for the old item, as RETURNING does), checks the key
 * against the table's key schema, and reads or writes through the one
 * write path (am/dynpg_write.h).  Nothing is written unless everything
 * checked out, and no subtransaction is opened: an error undoes the
 * caller's transaction as any SQL error does.
 *
 * Expressions (and the legacy parameters) are parsed by src/expr/ before
 * the table is opened; conditions and updates run inside the write path's
 * callbacks, on the newest committed item while its key is held.
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

#include "am/dynpg_read.h"
#include "am/dynpg_write.h"
#include "api/dynpg_api.h"
#include "api/dynpg_item_common.h"
#include "api/dynpg_wire.h"
#include "catalog/dynpg_catalog.h"
#include "base/dynpg_preload.h"
#include "base/dynpg_error.h"
#include "expr/dynpg_expr.h"
#include "types/dynpg_item.h"
#include "types/dynpg_key.h"


static const char *const return_values_all[] = {
	"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW", NULL
};
static const char *const return_values_old[] = {"ALL_OLD", "NONE", NULL};
static const char *const conditional_operators[] = {"AND", "OR", NULL};

/* the legacy parameters and the expressions that replace them */
static const char *const put_legacy[] = {"Expected", "ConditionalOperator", NULL};
static const char *const put_expressions[] = {"ConditionExpression", NULL};
static const char *const update_legacy[] = {
	"AttributeUpdates", "Expected", "ConditionalOperator", NULL
};
static const char *const update_expressions[] = {
	"UpdateExpression", "ConditionExpression", NULL
};

/*
 * The members of each operation (dynpg_request.h's member tables): in the
 * model's order, each with its place among the constraint checks, which
 * is DynamoDB's order of reporting them.  PutItem and DeleteItem take only
 * ALL_OLD and NONE of ReturnValues' enum (narrow_to_old), reported in the
 * same list.
 */
#define RETURN_VALUES(order, narrow_to_old) \
	{"ReturnValues", DYN_MODEL_STRING, DYN_ITEM_MEMBER(return_values), (order), "ReturnValues", \
	DYN_CHECK_ENUM, return_values_all, .narrow = (narrow_to_old) ? return_values_old : NULL, \
	.narrow_text = "ReturnValues can only be ALL_OLD or NONE"}
#define EXPECTED(conditional_operator_order) \
	{"Expected", DYN_MODEL_MAP, DYN_ITEM_MEMBER(expected_jb)}, \
	{"ConditionalOperator", DYN_MODEL_STRING, DYN_ITEM_MEMBER(cond_op), \
	(conditional_operator_order), "ConditionalOperator", DYN_CHECK_ENUM, conditional_operators}

static const DynMember put_members[] = {
	DYN_MEMBER_TABLE_NAME(2),
	DYN_MEMBER_ITEM(3),
	RETURN_VALUES(5, true),
	DYN_MEMBER_CAPACITY(1),
	DYN_MEMBER_METRICS(6),
	DYN_MEMBER_ON_FAILURE(7),
	DYN_MEMBERS_CONDITION_EXPRESSION,
	EXPECTED(4),
};

static const DynMember get_members[] = {
	DYN_MEMBER_TABLE_NAME(2),
	DYN_MEMBER_KEY(4),
	{"ConsistentRead", DYN_MODEL_BOOLEAN, DYN_ITEM_MEMBER(consistent)},
	DYN_MEMBER_CAPACITY(1),
	{"ProjectionExpression", DYN_MODEL_STRING, DYN_ITEM_MEMBER(projection)},
	{"ExpressionAttributeNames", DYN_MODEL_MAP, DYN_ITEM_MEMBER(names_jb)},
	{"AttributesToGet", DYN_MODEL_LIST, DYN_ITEM_MEMBER(to_get), 3, "AttributesToGet",
	DYN_CHECK_LENGTH, .min = 1},
};

static const DynMember delete_members[] = {
	DYN_MEMBER_TABLE_NAME(2),
	DYN_MEMBER_KEY(7),
	RETURN_VALUES(4, true),
	DYN_MEMBER_CAPACITY(1),
	DYN_MEMBER_METRICS(5),
	DYN_MEMBER_ON_FAILURE(6),
	DYN_MEMBERS_CONDITION_EXPRESSION,
	EXPECTED(3),
};

static const DynMember update_members[] = {
	DYN_MEMBER_TABLE_NAME(2),
	DYN_MEMBER_KEY(7),
	RETURN_VALUES(4, false),
	DYN_MEMBER_CAPACITY(1),
	DYN_MEMBER_METRICS(5),
	DYN_MEMBER_ON_FAILURE(6),
	{"UpdateExpression", DYN_MODEL_STRING, DYN_ITEM_MEMBER(update_text)},
	DYN_MEMBERS_CONDITION_EXPRESSION,
	EXPECTED(3),
	{"AttributeUpdates", DYN_MODEL_MAP, DYN_ITEM_MEMBER(updates_jb)},
};

/*
 * Phases 1 and 2 of an item operation: its members (table 'members', n of
 * them) into *r, then every constraint failure at once.
 */
static void
read_request(DynRequest *req, const char *operation, DynJson *request,
			 const DynMember *members, int n, DynItemRequest *r)
{
	dynpg_require_preload();
	dynpg_req_start(req, operation, request);
	memset(r, 0, sizeof(*r));
	dynpg_req_read_members(req->root, members, n, r);
	dynpg_req_check_members(req, members, n, r, NULL);
	dynpg_req_finish(req);
}

static bool
returns_all_old(const DynItemRequest *r)
{
	return r->return_values != NULL && strcmp(r->return_values, "ALL_OLD") == 0;
}

/* ConsumedCapacity, when ReturnConsumedCapacity asks for it */
static void
push_consumed_capacity(DynOut **st, const char *mode, const char *table_name,
					   int64 half_units)
{
	if (dynpg_api_capacity_wanted(mode))
		dynpg_api_push_capacity_units(st, "ConsumedCapacity", mode, table_name, half_units);
}

/* A write's ConsumedCapacity, when asked for (the table's and its indexes' units). */
static void
push_write_capacity(DynOut **st, const char *mode, const char *table_name,
					const DynWriteCharge *charge)
{
	if (dynpg_api_capacity_wanted(mode))
		dynpg_api_push_write_capacity(st, "ConsumedCapacity", mode, table_name, charge, 1, false);
}

/* A write's ItemCollectionMetrics: asked for (SIZE), on a table with LSIs. */
static void
push_collection(DynOut **st, const char *mode, bool has_collection,
				const DynItemCollection *collection)
{
	if (has_collection && dynpg_api_metrics_wanted(mode))
		dynpg_api_push_item_collection(st, "ItemCollectionMetrics", collection);
}

/* ---------------------------------------------------------------------
 * PutItem
 * ---------------------------------------------------------------------
 */
DynJson *
dynpg_api_put_item(DynJson *request)
{
	DynRequest	req;
	DynItemRequest r;
	bool		all_old;
	DynItem    *item;
	Relation	rel;
	DynKeySchema ks;
	DynKey		key;
	DynItem    *old = NULL;
	bool		need_old;
	DynOut	   *st = NULL;
	DynExprContext ectx;
	DynUpdateArg ua;
	DynWriteCharge charge = {0};
	DynItemCollection collection;
	bool		has_collection;

	read_request(&req, "PutItem", request, put_members, lengthof(put_members), &r);
	all_old = returns_all_old(&r);

	/* expressions, then the item's own rules (AttributeValues, 400 KB) */
	dynpg_api_check_no_mixing(req.root, put_legacy, put_expressions);
	dynpg_api_write_expressions(&r, false, &ectx, &ua);
	item = dynpg_item_from_json(r.item_jb, false);

	rel = dynpg_api_open_item_table(r.table_name, RowExclusiveLock, ACL_INSERT,
									all_old || ua.cond.condition != NULL, &ks);
	dynpg_key_from_item(item, &ks, &key);
	need_old = all_old || dynpg_api_capacity_wanted(r.capacity) || dynpg_api_has_lsi(rel);
	(void) dynpg_write_put(rel, item, DYN_WRITE_PUT,
						   ua.cond.condition ? dynpg_api_condition_check : NULL, &ua.cond,
						   need_old ? &old : NULL);
	if (dynpg_api_capacity_wanted(r.capacity))
		dynpg_api_charge_write(rel, old, item, &charge);
	has_collection = dynpg_api_item_collection(rel, item, old, item,
											   dynpg_api_metrics_wanted(r.metrics), &collection);
	table_close(rel, NoLock);

	dynpg_out_begin_object(&st, NULL);
	if (all_old && old != NULL)
		dynpg_api_push_item(&st, "Attributes", old);
	push_write_capacity(&st, r.capacity, r.table_name, &charge);
	push_collection(&st, r.metrics, has_collection, &collection);
	return dynpg_out_finish(dynpg_out_end_object(&st));
}

/* ---------------------------------------------------------------------
 * GetItem
 * ---------------------------------------------------------------------
 */
DynJson *
dynpg_api_get_item(DynJson *request)
{
	DynRequest	req;
	DynItemRequest r;
	DynItem    *key_item;
	DynItem    *found;
	Relation	rel;
	DynKeySchema ks;
	DynOut	   *st = NULL;
	DynExprContext ectx;
	DynExprPath *paths = NULL;
	int			npaths = 0;

	/* every read is strongly consistent; ConsistentRead only halves the cost */
	read_request(&req, "GetItem", request, get_members, lengthof(get_members), &r);

	dynpg_api_check_no_mixing(req.root, dynpg_api_get_legacy, dynpg_api_get_expressions);
	dynpg_api_expression_params(&ectx, r.names_jb, NULL, r.projection != NULL, NULL);
	if (r.projection != NULL)
		paths = dynpg_expr_parse_projection(&ectx, r.projection, &npaths);
	else if (r.to_get != NULL)
		paths = dynpg_expr_from_attributes_to_get(r.to_get, &npaths);
	dynpg_expr_check_unused(&ectx);

	key_item = dynpg_item_from_json(r.item_jb, false);

	rel = dynpg_api_open_item_table(r.table_name, AccessShareLock, ACL_SELECT, false, &ks);
	dynpg_api_check_key(key_item, &ks);
	found = dynpg_read_get(rel, key_item);
	table_close(rel, NoLock);

	dynpg_out_begin_object(&st, NULL);
	if (found != NULL)
		dynpg_api_push_item(&st, "Item", paths ? dynpg_expr_project(found, paths, npaths) : found);
	if (r.capacity != NULL)
	{
		int64		units = dynpg_api_units_for(found ? dynpg_item_size(found) : 0, DYN_READ_UNIT_BYTES);

		push_consumed_capacity(&st, r.capacity, r.table_name, r.consistent ? 2 * units : units);
	}
	return dynpg_out_finish(dynpg_out_end_object(&st));
}

/* ---------------------------------------------------------------------
 * DeleteItem
 * ---------------------------------------------------------------------
 */
DynJson *
dynpg_api_delete_item(DynJson *request)
{
	DynRequest	req;
	DynItemRequest r;
	bool		all_old;
	bool		need_old;
	DynItem    *key_item;
	DynItem    *old = NULL;
	Relation	rel;
	DynKeySchema ks;
	DynOut	   *st = NULL;
	DynExprContext ectx;
	DynUpdateArg ua;
	DynWriteCharge charge = {0};
	DynItemCollection collection;
	bool		has_collection;

	read_request(&req, "DeleteItem", request, delete_members, lengthof(delete_members), &r);
	all_old = returns_all_old(&r);

	dynpg_api_check_no_mixing(req.root, put_legacy, put_expressions);
	dynpg_api_write_expressions(&r, false, &ectx, &ua);
	key_item = dynpg_item_from_json(r.item_jb, false);

	rel = dynpg_api_open_item_table(r.table_name, RowExclusiveLock, ACL_DELETE,
									all_old || ua.cond.condition != NULL, &ks);
	dynpg_api_check_key(key_item, &ks);
	need_old = all_old || dynpg_api_capacity_wanted(r.capacity) || dynpg_api_has_lsi(rel);
	(void) dynpg_write_delete(rel, key_item,
							  ua.cond.condition ? dynpg_api_condition_check : NULL, &ua.cond,
							  need_old ? &old : NULL);
	if (dynpg_api_capacity_wanted(r.capacity))
		dynpg_api_charge_write(rel, old, NULL, &charge);
	has_collection = dynpg_api_item_collection(rel, key_item, old, NULL,
											   dynpg_api_metrics_wanted(r.metrics), &collection);
	table_close(rel, NoLock);

	dynpg_out_begin_object(&st, NULL);
	if (all_old && old != NULL)
		dynpg_api_push_item(&st, "Attributes", old);
	push_write_capacity(&st, r.capacity, r.table_name, &charge);
	push_collection(&st, r.metrics, has_collection, &collection);
	return dynpg_out_finish(dynpg_out_end_object(&st));
}

/* ---------------------------------------------------------------------
 * UpdateItem
 * ---------------------------------------------------------------------
 */
/*
 * The paths an update writes, for UPDATED_OLD and UPDATED_NEW; with
 * 'positions' (UPDATED_NEW), a list element set past the end is reported
 * where it was appended.
 */
static DynItem *
updated_paths(const DynItem *item, const DynUpdate *upd, const int *positions)
{
	DynExprPath *paths;
	DynItem    *result;
	DynRef		root;
	DynContainer c;
	int			i;

	if (item == NULL || upd == NULL || upd->nclauses == 0)
		return NULL;
	paths = palloc(sizeof(DynExprPath) * upd->nclauses);
	for (i = 0; i < upd->nclauses; i++)
	{
		paths[i] = upd->clauses[i].path;
		if (positions != NULL && positions[i] >= 0 &&
			positions[i] != paths[i].elems[paths[i].n - 1].index)
		{
			DynPathElem *elems = palloc(sizeof(DynPathElem) * paths[i].n);

			memcpy(elems, paths[i].elems, sizeof(DynPathElem) * paths[i].n);
			elems[paths[i].n - 1].index = positions[i];
			paths[i].elems = elems;
		}
	}
	result = dynpg_expr_project(item, paths, upd->nclauses);
	root = dynpg_item_root(result);
	dynpg_container_open(&root, &c);
	return c.count > 0 ? result : NULL;
}

DynJson *
dynpg_api_update_item(DynJson *request)
{
	DynRequest	req;
	DynItemRequest r;
	DynExprContext ectx;
	DynUpdateArg ua;
	DynItem    *key_item;
	DynItem    *old = NULL;
	DynItem    *new = NULL;
	DynItem    *result = NULL;
	Relation	rel;
	DynKeySchema ks;
	DynOut	   *st = NULL;
	DynWriteCharge charge = {0};
	DynItemCollection collection;
	bool		has_collection;

	read_request(&req, "UpdateItem", request, update_members, lengthof(update_members), &r);

	dynpg_api_check_no_mixing(req.root, update_legacy, update_expressions);
	dynpg_api_write_expressions(&r, true, &ectx, &ua);
	key_item = dynpg_item_from_json(r.item_jb, false);
	ua.key_item = key_item;

	rel = dynpg_api_open_item_table(r.table_name, RowExclusiveLock, ACL_UPDATE,
									(r.return_values != NULL &&
									 strcmp(r.return_values, "NONE") != 0) ||
									ua.cond.condition != NULL ||
									dynpg_expr_update_reads_item(ua.update), &ks);
	/* an update may create the item, as INSERT ... ON CONFLICT DO UPDATE */
	dynpg_api_check_privilege(rel, ACL_INSERT);
	dynpg_api_check_key(key_item, &ks);
	if (ua.update != NULL)
		dynpg_api_check_update_keys(rel, ua.update, &ks);
	(void) dynpg_write_update(rel, key_item, dynpg_api_update_compute, &ua, &old, &new);
	if (new == NULL)
		new = old;				/* nothing was written */
	if (dynpg_api_capacity_wanted(r.capacity))
		dynpg_api_charge_write(rel, old, new, &charge);
	has_collection = dynpg_api_item_collection(rel, key_item, old, new,
											   dynpg_api_metrics_wanted(r.metrics), &collection);
	table_close(rel, NoLock);

	if (r.return_values == NULL || strcmp(r.return_values, "NONE") == 0)
		result = NULL;
	else if (strcmp(r.return_values, "ALL_OLD") == 0)
		result = old;
	else if (strcmp(r.return_values, "ALL_NEW") == 0)
		result = new;
	else if (strcmp(r.return_values, "UPDATED_OLD") == 0)
		result = updated_paths(old, ua.update, NULL);
	else
		result = updated_paths(new, ua.update, ua.positions);

	dynpg_out_begin_object(&st, NULL);
	if (result != NULL)
		dynpg_api_push_item(&st, "Attributes", result);
	push_write_capacity(&st, r.capacity, r.table_name, &charge);
	push_collection(&st, r.metrics, has_collection, &collection);
	return dynpg_out_finish(dynpg_out_end_object(&st));
}
