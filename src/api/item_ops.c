/*-------------------------------------------------------------------------
 *
 * item_ops.c
 *	  PutItem, GetItem, DeleteItem and UpdateItem.
 *
 * Each checks the whole request before it touches the table
 * (base/dynpg_request.h lists the phases), then opens the relation, checks
 * the caller's privilege on it (SELECT to read, INSERT to put, DELETE to
 * delete, and SELECT as well when ReturnValues asks for the old item, as
 * RETURNING does), checks the key against the table's key schema, and reads
 * or writes through the one write path (am/dynpg_write.h).  Nothing is
 * written unless everything checked out, and no subtransaction is opened:
 * an error undoes the caller's transaction as any SQL error does.
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
const char *const dynpg_api_return_values_on_failure[] = {"ALL_OLD", "NONE", NULL};
const char *const dynpg_api_return_consumed_capacity[] = {"INDEXES", "TOTAL", "NONE", NULL};
const char *const dynpg_api_return_item_collection_metrics[] = {"SIZE", "NONE", NULL};

#define return_values_on_failure dynpg_api_return_values_on_failure
#define return_consumed_capacity dynpg_api_return_consumed_capacity
#define return_item_collection_metrics dynpg_api_return_item_collection_metrics

static const char *const conditional_operators[] = {"AND", "OR", NULL};

/* the legacy parameters and the expressions that replace them */
static const char *const put_legacy[] = {"Expected", "ConditionalOperator", NULL};
static const char *const put_expressions[] = {"ConditionExpression", NULL};
static const char *const get_legacy[] = {"AttributesToGet", NULL};
static const char *const get_expressions[] = {"ProjectionExpression", NULL};
static const char *const update_legacy[] = {
	"AttributeUpdates", "Expected", "ConditionalOperator", NULL
};
static const char *const update_expressions[] = {
	"UpdateExpression", "ConditionExpression", NULL
};

/* "Can not use both expression and non-expression parameters ..." */
void
dynpg_api_check_no_mixing(JsonbContainer *root, const char *const *legacy,
				const char *const *expressions)
{
	StringInfoData l;
	StringInfoData e;
	JsonbValue	v;
	int			i;

	initStringInfo(&l);
	initStringInfo(&e);
	for (i = 0; legacy[i] != NULL; i++)
		if (dynpg_req_member(root, legacy[i], &v) && v.type != jbvNull)
			appendStringInfo(&l, "%s%s", l.len ? ", " : "", legacy[i]);
	for (i = 0; expressions[i] != NULL; i++)
		if (dynpg_req_member(root, expressions[i], &v) && v.type != jbvNull)
			appendStringInfo(&e, "%s%s", e.len ? ", " : "", expressions[i]);
	if (l.len > 0 && e.len > 0)
		dynpg_validation_error("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
							   l.data, e.data);
}

/* Expected and ConditionalOperator as a condition (NULL if none) */
DynExprNode *
dynpg_api_legacy_condition(Jsonb *expected, const char *conditional_operator)
{
	if (conditional_operator != NULL &&
		(expected == NULL || JsonContainerSize(&expected->root) < 2))
		dynpg_validation_error("One or more parameter values were invalid: ConditionalOperator can only be used when Filter or Expected has two or more elements");
	if (expected == NULL || JsonContainerSize(&expected->root) == 0)
		return NULL;
	return dynpg_expr_from_expected(expected, conditional_operator);
}

/*
 * The expression parameters of a request: ExpressionAttributeNames and
 * ExpressionAttributeValues need an expression that can use them, must not
 * be empty, and every one must be used by some expression of the request
 * (the caller parses its expressions, then calls dynpg_expr_check_unused).
 * 'values_null' is the end of DynamoDB's message when values come without
 * any expression ("ConditionExpression is null").
 */
void
dynpg_api_expression_params(DynExprContext *ctx, Jsonb *names, Jsonb *values, bool any_expression,
				  const char *values_null)
{
	if (names != NULL && !any_expression)
		dynpg_validation_error("ExpressionAttributeNames can only be specified when using expressions");
	if (values != NULL && !any_expression)
		dynpg_validation_error("ExpressionAttributeValues can only be specified when using expressions: %s",
							   values_null);
	if (names != NULL && JsonContainerSize(&names->root) == 0)
		dynpg_validation_error("ExpressionAttributeNames must not be empty");
	if (values != NULL && JsonContainerSize(&values->root) == 0)
		dynpg_validation_error("ExpressionAttributeValues must not be empty");
	dynpg_expr_context_init(ctx, names, values);
}

/*
 * A failed condition: with ALL_OLD on failure, the error carries the item.
 * The argument records the failure (and a copy of the item) first, for
 * TransactWriteItems, which catches the error and reports every failure.
 */
static void
condition_failed(const DynItem *current, DynConditionArg *ca)
{
	bool		all_old = ca->all_old_on_failure;

	ca->failed = true;
	if (all_old && current != NULL)
	{
		ca->failed_item = palloc(VARSIZE_ANY(current));
		memcpy(ca->failed_item, current, VARSIZE_ANY(current));
	}
	if (all_old && current != NULL)
	{
		StringInfoData extra;

		initStringInfo(&extra);
		appendStringInfoString(&extra, "\"Item\":");
		dynpg_item_append_text(current, &extra);
		dynpg_raise_extra(DYN_ERR_CONDITIONAL_CHECK_FAILED, extra.data,
						  "The conditional request failed");
	}
	dynpg_raise(DYN_ERR_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
}

/* the write path's check: runs on the newest committed item, key held */
void
dynpg_api_condition_check(const DynItem *current, void *arg)
{
	DynConditionArg *ca = (DynConditionArg *) arg;

	if (!dynpg_expr_eval_condition(ca->condition, current))
		condition_failed(current, ca);
}

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

void
dynpg_api_check_privilege(Relation rel, AclMode mode)
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
Relation
dynpg_api_open_item_table(const char *name, LOCKMODE lockmode, AclMode mode, bool also_select,
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

	dynpg_api_check_privilege(rel, mode);
	if (also_select)
		dynpg_api_check_privilege(rel, ACL_SELECT);
	return rel;
}

/*
 * A Key of GetItem or DeleteItem: exactly the table's key attributes with
 * their types, else DynamoDB's one message for all of it; then the empty
 * value and size rules PutItem applies to keys.
 */
void
dynpg_api_check_key(const DynItem *key_item, const DynKeySchema *ks)
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
int64
dynpg_api_units_for(int64 bytes, int64 unit_bytes)
{
	int64		units = (bytes + unit_bytes - 1) / unit_bytes;

	return Max(units, 1);
}

/*
 * ConsumedCapacity, when ReturnConsumedCapacity asks for it: TOTAL gives
 * the table's name and units, INDEXES the table's share as well (there
 * are no indexes yet).
 */
void
dynpg_api_push_consumed_capacity(JsonbParseState **st, const char *mode, const char *table_name,
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

void
dynpg_api_push_item(JsonbParseState **st, const char *key, const DynItem *item)
{
	/* straight into the response: no jsonb of the item to unpack again */
	if (key != NULL)
		dynpg_jb_key(st, key);
	dynpg_item_push_jsonb(st, item, false);
}

/* ---------------------------------------------------------------------
 * PutItem
 *
 * PutItem, DeleteItem and UpdateItem read largely the same members, but
 * each in its own operation's model order: that order decides which
 * SerializationException or constraint failure a bad request reports
 * first, so each operation spells it out rather than sharing one reader.
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
	char	   *cond_text;
	Jsonb	   *names_jb;
	Jsonb	   *values_jb;
	DynExprContext ectx;
	DynConditionArg carg;
	Jsonb	   *expected_jb;
	char	   *cond_op;

	dynpg_require_preload();
	dynpg_req_start(&req, "PutItem", request);
	table_name = dynpg_req_string(req.root, "TableName");
	item_jb = dynpg_req_map(req.root, "Item");
	return_values = dynpg_req_string(req.root, "ReturnValues");
	capacity = dynpg_req_string(req.root, "ReturnConsumedCapacity");
	metrics = dynpg_req_string(req.root, "ReturnItemCollectionMetrics");
	on_failure = dynpg_req_string(req.root, "ReturnValuesOnConditionCheckFailure");
	cond_text = dynpg_req_string(req.root, "ConditionExpression");
	names_jb = dynpg_req_map(req.root, "ExpressionAttributeNames");
	values_jb = dynpg_req_map(req.root, "ExpressionAttributeValues");
	expected_jb = dynpg_req_map(req.root, "Expected");
	cond_op = dynpg_req_string(req.root, "ConditionalOperator");

	dynpg_req_enum(&req, capacity, "returnConsumedCapacity", return_consumed_capacity);
	dynpg_req_table_name(&req, table_name, "tableName", 1, false);
	dynpg_req_not_null(&req, item_jb != NULL, "item");
	dynpg_req_enum(&req, cond_op, "conditionalOperator", conditional_operators);
	all_old = check_return_values(&req, return_values);
	dynpg_req_enum(&req, metrics, "returnItemCollectionMetrics", return_item_collection_metrics);
	dynpg_req_enum(&req, on_failure, "returnValuesOnConditionCheckFailure", return_values_on_failure);
	dynpg_req_finish(&req);

	/* expressions, then the item's own rules (AttributeValues, 400 KB) */
	dynpg_api_check_no_mixing(req.root, put_legacy, put_expressions);
	dynpg_api_expression_params(&ectx, names_jb, values_jb, cond_text != NULL,
					  "ConditionExpression is null");
	memset(&carg, 0, sizeof(carg));
	carg.all_old_on_failure = on_failure != NULL && strcmp(on_failure, "ALL_OLD") == 0;
	carg.condition = dynpg_api_legacy_condition(expected_jb, cond_op);
	if (cond_text != NULL)
		carg.condition = dynpg_expr_parse_condition(&ectx, cond_text, "ConditionExpression");
	dynpg_expr_check_unused(&ectx);
	item = dynpg_item_from_jsonb(JsonbPGetDatum(item_jb), false);

	rel = dynpg_api_open_item_table(table_name, RowExclusiveLock, ACL_INSERT,
						  all_old || carg.condition != NULL, &ks);
	dynpg_key_from_item(item, &ks, &key);
	need_old = all_old || (capacity != NULL && strcmp(capacity, "NONE") != 0);
	(void) dynpg_write_put(rel, item, DYN_WRITE_PUT,
						   carg.condition ? dynpg_api_condition_check : NULL, &carg,
						   need_old ? &old : NULL);
	table_close(rel, NoLock);

	dynpg_jb_begin_object(&st, NULL);
	if (all_old && old != NULL)
		dynpg_api_push_item(&st, "Attributes", old);
	if (need_old)
	{
		int64		size = dynpg_item_size(item);

		if (old != NULL)
			size = Max(size, dynpg_item_size(old));
		dynpg_api_push_consumed_capacity(&st, capacity, table_name,
							   2 * dynpg_api_units_for(size, DYN_WRITE_UNIT_BYTES));
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
	char	   *projection;
	Jsonb	   *names_jb;
	DynExprContext ectx;
	DynExprPath *paths = NULL;
	int			npaths = 0;
	JsonbContainer *to_get;

	dynpg_require_preload();
	dynpg_req_start(&req, "GetItem", request);
	table_name = dynpg_req_string(req.root, "TableName");
	key_jb = dynpg_req_map(req.root, "Key");
	/* every read is strongly consistent; the flag only halves the cost */
	(void) dynpg_req_bool(req.root, "ConsistentRead", &consistent);
	capacity = dynpg_req_string(req.root, "ReturnConsumedCapacity");
	projection = dynpg_req_string(req.root, "ProjectionExpression");
	names_jb = dynpg_req_map(req.root, "ExpressionAttributeNames");
	to_get = dynpg_req_list(req.root, "AttributesToGet");

	dynpg_req_enum(&req, capacity, "returnConsumedCapacity", return_consumed_capacity);
	dynpg_req_table_name(&req, table_name, "tableName", 1, false);
	if (to_get != NULL && dynpg_req_list_length(to_get) == 0)
		dynpg_req_invalid(&req, "[]", "attributesToGet",
						  "Member must have length greater than or equal to 1");
	dynpg_req_not_null(&req, key_jb != NULL, "key");
	dynpg_req_finish(&req);

	dynpg_api_check_no_mixing(req.root, get_legacy, get_expressions);
	dynpg_api_expression_params(&ectx, names_jb, NULL, projection != NULL, NULL);
	if (projection != NULL)
		paths = dynpg_expr_parse_projection(&ectx, projection, &npaths);
	else if (to_get != NULL)
		paths = dynpg_expr_from_attributes_to_get(to_get, &npaths);
	dynpg_expr_check_unused(&ectx);

	key_item = dynpg_item_from_jsonb(JsonbPGetDatum(key_jb), false);

	rel = dynpg_api_open_item_table(table_name, AccessShareLock, ACL_SELECT, false, &ks);
	dynpg_api_check_key(key_item, &ks);
	found = dynpg_read_get(rel, key_item);
	table_close(rel, NoLock);

	dynpg_jb_begin_object(&st, NULL);
	if (found != NULL)
		dynpg_api_push_item(&st, "Item", paths ? dynpg_expr_project(found, paths, npaths) : found);
	if (capacity != NULL)
	{
		int64		units = dynpg_api_units_for(found ? dynpg_item_size(found) : 0, DYN_READ_UNIT_BYTES);

		dynpg_api_push_consumed_capacity(&st, capacity, table_name, consistent ? 2 * units : units);
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
	char	   *cond_text;
	Jsonb	   *names_jb;
	Jsonb	   *values_jb;
	DynExprContext ectx;
	DynConditionArg carg;
	Jsonb	   *expected_jb;
	char	   *cond_op;

	dynpg_require_preload();
	dynpg_req_start(&req, "DeleteItem", request);
	table_name = dynpg_req_string(req.root, "TableName");
	key_jb = dynpg_req_map(req.root, "Key");
	return_values = dynpg_req_string(req.root, "ReturnValues");
	capacity = dynpg_req_string(req.root, "ReturnConsumedCapacity");
	metrics = dynpg_req_string(req.root, "ReturnItemCollectionMetrics");
	on_failure = dynpg_req_string(req.root, "ReturnValuesOnConditionCheckFailure");
	cond_text = dynpg_req_string(req.root, "ConditionExpression");
	names_jb = dynpg_req_map(req.root, "ExpressionAttributeNames");
	values_jb = dynpg_req_map(req.root, "ExpressionAttributeValues");
	expected_jb = dynpg_req_map(req.root, "Expected");
	cond_op = dynpg_req_string(req.root, "ConditionalOperator");

	dynpg_req_enum(&req, capacity, "returnConsumedCapacity", return_consumed_capacity);
	dynpg_req_table_name(&req, table_name, "tableName", 1, false);
	dynpg_req_enum(&req, cond_op, "conditionalOperator", conditional_operators);
	all_old = check_return_values(&req, return_values);
	dynpg_req_enum(&req, metrics, "returnItemCollectionMetrics", return_item_collection_metrics);
	dynpg_req_enum(&req, on_failure, "returnValuesOnConditionCheckFailure", return_values_on_failure);
	dynpg_req_not_null(&req, key_jb != NULL, "key");
	dynpg_req_finish(&req);

	dynpg_api_check_no_mixing(req.root, put_legacy, put_expressions);
	dynpg_api_expression_params(&ectx, names_jb, values_jb, cond_text != NULL,
					  "ConditionExpression is null");
	memset(&carg, 0, sizeof(carg));
	carg.all_old_on_failure = on_failure != NULL && strcmp(on_failure, "ALL_OLD") == 0;
	carg.condition = dynpg_api_legacy_condition(expected_jb, cond_op);
	if (cond_text != NULL)
		carg.condition = dynpg_expr_parse_condition(&ectx, cond_text, "ConditionExpression");
	dynpg_expr_check_unused(&ectx);
	key_item = dynpg_item_from_jsonb(JsonbPGetDatum(key_jb), false);

	rel = dynpg_api_open_item_table(table_name, RowExclusiveLock, ACL_DELETE,
						  all_old || carg.condition != NULL, &ks);
	dynpg_api_check_key(key_item, &ks);
	need_old = all_old || (capacity != NULL && strcmp(capacity, "NONE") != 0);
	(void) dynpg_write_delete(rel, key_item, carg.condition ? dynpg_api_condition_check : NULL, &carg,
							  need_old ? &old : NULL);
	table_close(rel, NoLock);

	dynpg_jb_begin_object(&st, NULL);
	if (all_old && old != NULL)
		dynpg_api_push_item(&st, "Attributes", old);
	if (need_old)
		dynpg_api_push_consumed_capacity(&st, capacity, table_name,
							   2 * dynpg_api_units_for(old ? dynpg_item_size(old) : 0,
											 DYN_WRITE_UNIT_BYTES));
	return dynpg_jb_finish(dynpg_jb_end_object(&st));
}

/* ---------------------------------------------------------------------
 * UpdateItem
 * ---------------------------------------------------------------------
 */
/* the write path's compute: condition, then the new item, key held */
DynItem *
dynpg_api_update_compute(const DynItem *current, void *arg)
{
	DynUpdateArg *ua = (DynUpdateArg *) arg;

	if (ua->cond.condition != NULL && !dynpg_expr_eval_condition(ua->cond.condition, current))
		condition_failed(current, &ua->cond);
	if (ua->update == NULL && current != NULL)
		return NULL;			/* nothing to change */
	if (ua->update != NULL && ua->positions == NULL)
		ua->positions = palloc(sizeof(int) * Max(ua->update->nclauses, 1));
	return dynpg_expr_apply_update(ua->update, current, ua->key_item, ua->positions);
}

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

Jsonb *
dynpg_api_update_item(Jsonb *request)
{
	DynRequest	req;
	char	   *table_name;
	Jsonb	   *key_jb;
	char	   *return_values;
	char	   *capacity;
	char	   *metrics;
	char	   *on_failure;
	char	   *cond_text;
	char	   *update_text;
	Jsonb	   *names_jb;
	Jsonb	   *values_jb;
	DynExprContext ectx;
	DynUpdateArg ua;
	DynItem    *key_item;
	DynItem    *old = NULL;
	DynItem    *new = NULL;
	DynItem    *result = NULL;
	Relation	rel;
	DynKeySchema ks;
	JsonbParseState *st = NULL;
	Jsonb	   *expected_jb;
	Jsonb	   *updates_jb;
	char	   *cond_op;

	dynpg_require_preload();
	dynpg_req_start(&req, "UpdateItem", request);
	table_name = dynpg_req_string(req.root, "TableName");
	key_jb = dynpg_req_map(req.root, "Key");
	return_values = dynpg_req_string(req.root, "ReturnValues");
	capacity = dynpg_req_string(req.root, "ReturnConsumedCapacity");
	metrics = dynpg_req_string(req.root, "ReturnItemCollectionMetrics");
	on_failure = dynpg_req_string(req.root, "ReturnValuesOnConditionCheckFailure");
	update_text = dynpg_req_string(req.root, "UpdateExpression");
	cond_text = dynpg_req_string(req.root, "ConditionExpression");
	names_jb = dynpg_req_map(req.root, "ExpressionAttributeNames");
	values_jb = dynpg_req_map(req.root, "ExpressionAttributeValues");
	expected_jb = dynpg_req_map(req.root, "Expected");
	cond_op = dynpg_req_string(req.root, "ConditionalOperator");
	updates_jb = dynpg_req_map(req.root, "AttributeUpdates");

	dynpg_req_enum(&req, capacity, "returnConsumedCapacity", return_consumed_capacity);
	dynpg_req_table_name(&req, table_name, "tableName", 1, false);
	dynpg_req_enum(&req, cond_op, "conditionalOperator", conditional_operators);
	dynpg_req_enum(&req, return_values, "returnValues", return_values_all);
	dynpg_req_enum(&req, metrics, "returnItemCollectionMetrics", return_item_collection_metrics);
	dynpg_req_enum(&req, on_failure, "returnValuesOnConditionCheckFailure", return_values_on_failure);
	dynpg_req_not_null(&req, key_jb != NULL, "key");
	dynpg_req_finish(&req);

	dynpg_api_check_no_mixing(req.root, update_legacy, update_expressions);
	dynpg_api_expression_params(&ectx, names_jb, values_jb, cond_text != NULL || update_text != NULL,
					  "UpdateExpression and ConditionExpression are null");
	memset(&ua, 0, sizeof(ua));
	ua.cond.all_old_on_failure = on_failure != NULL && strcmp(on_failure, "ALL_OLD") == 0;
	ua.cond.condition = dynpg_api_legacy_condition(expected_jb, cond_op);
	if (updates_jb != NULL && JsonContainerSize(&updates_jb->root) > 0)
		ua.update = dynpg_expr_from_attribute_updates(updates_jb);
	if (update_text != NULL)
		ua.update = dynpg_expr_parse_update(&ectx, update_text);
	if (cond_text != NULL)
		ua.cond.condition = dynpg_expr_parse_condition(&ectx, cond_text, "ConditionExpression");
	dynpg_expr_check_unused(&ectx);
	key_item = dynpg_item_from_jsonb(JsonbPGetDatum(key_jb), false);
	ua.key_item = key_item;

	rel = dynpg_api_open_item_table(table_name, RowExclusiveLock, ACL_UPDATE,
						  (return_values != NULL && strcmp(return_values, "NONE") != 0) ||
						  ua.cond.condition != NULL, &ks);
	/* an update may create the item, as INSERT ... ON CONFLICT DO UPDATE */
	dynpg_api_check_privilege(rel, ACL_INSERT);
	dynpg_api_check_key(key_item, &ks);
	if (ua.update != NULL)
		dynpg_expr_check_update_keys(ua.update, &ks);
	(void) dynpg_write_update(rel, key_item, dynpg_api_update_compute, &ua, &old, &new);
	table_close(rel, NoLock);
	if (new == NULL)
		new = old;				/* nothing was written */

	if (return_values == NULL || strcmp(return_values, "NONE") == 0)
		result = NULL;
	else if (strcmp(return_values, "ALL_OLD") == 0)
		result = old;
	else if (strcmp(return_values, "ALL_NEW") == 0)
		result = new;
	else if (strcmp(return_values, "UPDATED_OLD") == 0)
		result = updated_paths(old, ua.update, NULL);
	else
		result = updated_paths(new, ua.update, ua.positions);

	dynpg_jb_begin_object(&st, NULL);
	if (result != NULL)
		dynpg_api_push_item(&st, "Attributes", result);
	if (capacity != NULL && strcmp(capacity, "NONE") != 0)
	{
		int64		size = new ? dynpg_item_size(new) : 0;

		if (old != NULL)
			size = Max(size, dynpg_item_size(old));
		dynpg_api_push_consumed_capacity(&st, capacity, table_name,
							   2 * dynpg_api_units_for(size, DYN_WRITE_UNIT_BYTES));
	}
	return dynpg_jb_finish(dynpg_jb_end_object(&st));
}
