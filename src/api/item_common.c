/*-------------------------------------------------------------------------
 *
 * item_common.c
 *	  What the data-plane operations share (dynpg_item_common.h): DynamoDB's
 *	  enum sets, the phase 3 of a write (expressions, conditions, updates),
 *	  the write path's callbacks, opening a table for an item operation,
 *	  key checks and ConsumedCapacity.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/snapmgr.h"
#include "utils/acl.h"
#include "utils/jsonb.h"
#include "utils/rel.h"

#include "api/dynpg_item_common.h"
#include "am/dynpg_read.h"
#include "api/dynpg_wire.h"
#include "base/dynpg_error.h"
#include "catalog/dynpg_catalog.h"
#include "expr/dynpg_expr.h"
#include "index/dynpg_index.h"
#include "types/dynpg_item.h"
#include "types/dynpg_key.h"

const char *const dynpg_api_return_values_on_failure[] = {"ALL_OLD", "NONE", NULL};
const char *const dynpg_api_return_consumed_capacity[] = {"INDEXES", "TOTAL", "NONE", NULL};
const char *const dynpg_api_return_item_collection_metrics[] = {"SIZE", "NONE", NULL};

const char *const dynpg_api_get_legacy[] = {"AttributesToGet", NULL};
const char *const dynpg_api_get_expressions[] = {"ProjectionExpression", NULL};

/* ---------------------------------------------------------------------
 * Expressions and the legacy parameters
 * ---------------------------------------------------------------------
 */

/* "Can not use both expression and non-expression parameters ..." */
void
dynpg_api_check_no_mixing(const DynJson *root, const char *const *legacy,
						  const char *const *expressions)
{
	StringInfoData l;
	StringInfoData e;
	int			i;

	initStringInfo(&l);
	initStringInfo(&e);
	for (i = 0; legacy[i] != NULL; i++)
		if (dynpg_req_member(root, legacy[i]) != NULL)
			appendStringInfo(&l, "%s%s", l.len ? ", " : "", legacy[i]);
	for (i = 0; expressions[i] != NULL; i++)
		if (dynpg_req_member(root, expressions[i]) != NULL)
			appendStringInfo(&e, "%s%s", e.len ? ", " : "", expressions[i]);
	if (l.len > 0 && e.len > 0)
		dynpg_validation_error("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
							   l.data, e.data);
}

/* Expected and ConditionalOperator as a condition (NULL if none) */
static DynExprNode *
legacy_condition(DynJson *expected, const char *conditional_operator)
{
	dynpg_api_check_conditional_operator(expected, conditional_operator);
	if (expected == NULL || dynpg_json_count(expected) == 0)
		return NULL;
	return dynpg_expr_from_expected(expected, conditional_operator);
}

/* ConditionalOperator needs two or more conditions (of Expected, QueryFilter or ScanFilter) */
void
dynpg_api_check_conditional_operator(DynJson *conditions, const char *conditional_operator)
{
	if (conditional_operator != NULL &&
		(conditions == NULL || dynpg_json_count(conditions) < 2))
		dynpg_req_invalid_parameter("ConditionalOperator can only be used when Filter or Expected has two or more elements");
}

/*
 * ExpressionAttributeNames and ExpressionAttributeValues need an expression
 * that can use them ('names_usable', 'values_usable').  'values_null' is
 * the end of DynamoDB's message when values come without any expression
 * ("ConditionExpression is null").
 */
void
dynpg_api_expressions_used(DynJson *names, DynJson *values, bool names_usable, bool values_usable,
						   const char *values_null)
{
	if (names != NULL && !names_usable)
		dynpg_validation_error("ExpressionAttributeNames can only be specified when using expressions");
	if (values != NULL && !values_usable)
		dynpg_validation_error("ExpressionAttributeValues can only be specified when using expressions: %s",
							   values_null);
}

/*
 * The expression parameters of a request: ExpressionAttributeNames and
 * ExpressionAttributeValues need an expression that can use them, must not
 * be empty, and every one must be used by some expression of the request
 * (the caller parses its expressions, then calls dynpg_expr_check_unused).
 */
void
dynpg_api_expression_params(DynExprContext *ctx, DynJson *names, DynJson *values, bool any_expression,
							const char *values_null)
{
	dynpg_api_expressions_used(names, values, any_expression, any_expression, values_null);
	if (names != NULL && dynpg_json_count(names) == 0)
		dynpg_validation_error("ExpressionAttributeNames must not be empty");
	if (values != NULL && dynpg_json_count(values) == 0)
		dynpg_validation_error("ExpressionAttributeValues must not be empty");
	dynpg_expr_context_init(ctx, names, values);
}

void
dynpg_api_write_expressions(const DynItemRequest *r, bool is_update, DynExprContext *ectx,
							DynUpdateArg *ua)
{
	dynpg_api_expression_params(ectx, r->names_jb, r->values_jb,
								r->cond_text != NULL || r->update_text != NULL,
								is_update ? "UpdateExpression and ConditionExpression are null" :
								"ConditionExpression is null");
	memset(ua, 0, sizeof(*ua));
	ua->cond.all_old_on_failure = r->on_failure != NULL && strcmp(r->on_failure, "ALL_OLD") == 0;
	ua->cond.condition = legacy_condition(r->expected_jb, r->cond_op);
	if (r->updates_jb != NULL && dynpg_json_count(r->updates_jb) > 0)
		ua->update = dynpg_expr_from_attribute_updates(r->updates_jb);
	if (r->update_text != NULL)
		ua->update = dynpg_expr_parse_update(ectx, r->update_text);
	if (r->cond_text != NULL)
		ua->cond.condition = dynpg_expr_parse_condition(ectx, r->cond_text, "ConditionExpression");
	dynpg_expr_check_unused(ectx);
}

/* ---------------------------------------------------------------------
 * The write path's callbacks
 * ---------------------------------------------------------------------
 */

/*
 * A failed condition: with ALL_OLD on failure, the error carries the item.
 * The argument records the failure (and a copy of the item) first, for
 * TransactWriteItems, which catches the error and reports every failure.
 */
static void
condition_failed(const DynItem *current, DynConditionArg *ca)
{
	StringInfoData extra;

	ca->failed = true;
	if (!ca->all_old_on_failure || current == NULL)
		dynpg_raise(DYN_ERR_CONDITIONAL_CHECK_FAILED, DYN_MSG_CONDITION_FAILED);
	ca->failed_item = palloc(VARSIZE_ANY(current));
	memcpy(ca->failed_item, current, VARSIZE_ANY(current));
	initStringInfo(&extra);
	appendStringInfoString(&extra, "\"Item\":");
	dynpg_item_append_text(current, &extra);
	dynpg_raise_extra(DYN_ERR_CONDITIONAL_CHECK_FAILED, extra.data, DYN_MSG_CONDITION_FAILED);
}

/* the write path's check: runs on the newest committed item, key held */
void
dynpg_api_condition_check(const DynItem *current, void *arg)
{
	DynConditionArg *ca = (DynConditionArg *) arg;

	if (!dynpg_expr_eval_condition(ca->condition, current))
		condition_failed(current, ca);
}

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

/* ---------------------------------------------------------------------
 * Tables and keys
 * ---------------------------------------------------------------------
 */

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
/* The table an import is loading in this process (import_ops.c), else InvalidOid */
Oid			dynpg_api_import_loading_relid = InvalidOid;

Relation
dynpg_api_open_item_table(const char *name, LOCKMODE lockmode, AclMode mode, bool also_select,
						  DynKeySchema *key)
{
	Oid			relid = dynpg_table_relid(name, true);
	Relation	rel = NULL;
	const DynTableDef *def = NULL;

	if (OidIsValid(relid))
		rel = try_table_open(relid, lockmode);
	if (rel != NULL)
	{
		def = dynpg_table_def(rel);
		if (strcmp(def->table_name, dynpg_table_name_of(name)) != 0 ||
			(def->creating && relid != dynpg_api_import_loading_relid))
		{
			/*
			 * Renamed or dropped while we waited for the lock; or a table
			 * ImportTable is still loading, which DynamoDB's data plane
			 * does not find until it is ACTIVE (only the import's own load
			 * writes it).
			 */
			table_close(rel, lockmode);
			rel = NULL;
		}
	}
	if (rel == NULL)
		dynpg_req_table_not_found(NULL);
	*key = def->key;
	key->pk_name = pnstrdup(def->key.pk_name, def->key.pk_namelen);
	if (def->key.sk_name != NULL)
		key->sk_name = pnstrdup(def->key.sk_name, def->key.sk_namelen);

	dynpg_api_check_privilege(rel, mode);
	if (also_select)
		dynpg_api_check_privilege(rel, ACL_SELECT);
	return rel;
}

/* The key attributes of 'item', when it has them with the key's types (see the header). */
static bool
key_attributes(const DynItem *item, const DynKeySchema *ks, bool exact, DynRef *pk, DynRef *sk)
{
	DynRef		root = dynpg_item_root(item);
	DynContainer c;

	dynpg_container_open(&root, &c);
	if (exact && c.count != (ks->sk_name ? 2 : 1))
		return false;
	if (!dynpg_map_find(&c, ks->pk_name, ks->pk_namelen, pk) || pk->type != ks->pk_type)
		return false;
	return ks->sk_name == NULL ||
		(dynpg_map_find(&c, ks->sk_name, ks->sk_namelen, sk) && sk->type == ks->sk_type);
}

bool
dynpg_api_key_matches(const DynItem *item, const DynKeySchema *ks, bool exact)
{
	DynRef		pk;
	DynRef		sk;

	return key_attributes(item, ks, exact, &pk, &sk);
}

/*
 * A Key of GetItem or DeleteItem: exactly the table's key attributes with
 * their types, else DynamoDB's one message for all of it; then the empty
 * value and size rules PutItem applies to keys.
 */
void
dynpg_api_check_key(const DynItem *key_item, const DynKeySchema *ks)
{
	DynRef		pk;
	DynRef		sk;

	if (!key_attributes(key_item, ks, true, &pk, &sk))
		dynpg_req_key_mismatch(false);
	dynpg_key_check_value(ks->pk_name, ks->pk_namelen, ks->pk_type, &pk, true);
	if (ks->sk_name != NULL)
		dynpg_key_check_value(ks->sk_name, ks->sk_namelen, ks->sk_type, &sk, false);
}

/*
 * An update's key rules against table 'rel': no key attribute updated,
 * then no index key given a value of another type when the request alone
 * says so (dynpg_expr_check_update_index_keys).
 */
void
dynpg_api_check_update_keys(Relation rel, DynUpdate *upd, const DynKeySchema *ks)
{
	const DynTableDef *def = dynpg_table_def(rel);
	int			i;

	dynpg_expr_check_update_keys(upd, ks);
	for (i = 0; i < def->nindexes; i++)
		dynpg_expr_check_update_index_keys(upd, &def->indexes[i].key, def->indexes[i].index_name);
}

/* ---------------------------------------------------------------------
 * ConsumedCapacity and items in responses
 * ---------------------------------------------------------------------
 */

/* Capacity units in halves (an eventually consistent read costs half). */
int64
dynpg_api_units_for(int64 bytes, int64 unit_bytes)
{
	int64		units = (bytes + unit_bytes - 1) / unit_bytes;

	return Max(units, 1);
}

bool
dynpg_api_capacity_wanted(const char *mode)
{
	return mode != NULL && strcmp(mode, "NONE") != 0;
}

/*
 * A table's ConsumedCapacity: TOTAL gives the table's name and units,
 * INDEXES the table's share as well.
 */
void
dynpg_api_push_capacity_units(DynOut **st, const char *key, const char *mode,
							  const char *table_name, int64 half_units)
{
	char	   *units = psprintf(INT64_FORMAT ".%d", half_units / 2, half_units % 2 ? 5 : 0);

	dynpg_out_begin_object(st, key);
	dynpg_out_string(st, "TableName", table_name);
	dynpg_out_numeric_text(st, "CapacityUnits", units);
	if (strcmp(mode, "INDEXES") == 0)
	{
		dynpg_out_begin_object(st, "Table");
		dynpg_out_numeric_text(st, "CapacityUnits", units);
		dynpg_out_end_object(st);
	}
	dynpg_out_end_object(st);
}

void
dynpg_api_charge_write(Relation rel, DynItem *old, DynItem *new, DynWriteCharge *c)
{
	const DynTableDef *def = dynpg_table_def(rel);
	int64		size = new != NULL ? dynpg_item_size(new) : 0;
	int64	   *units;
	int			i;

	if (old != NULL)
		size = Max(size, dynpg_item_size(old));
	c->table_units += dynpg_api_units_for(size, DYN_WRITE_UNIT_BYTES);
	if (def->nindexes == 0)
		return;
	if (c->index_names == NULL)
	{
		/* copied: the relcache's chunk may be rebuilt (the table's lock keeps its indexes) */
		c->nindexes = def->nindexes;
		c->index_names = palloc(sizeof(char *) * def->nindexes);
		c->index_global = palloc(sizeof(bool) * def->nindexes);
		c->index_units = palloc0(sizeof(int64) * def->nindexes);
		for (i = 0; i < def->nindexes; i++)
		{
			c->index_names[i] = pstrdup(def->indexes[i].index_name);
			c->index_global[i] = def->indexes[i].kind == DYN_INDEX_GLOBAL;
		}
	}
	/* the table's lock keeps its indexes; should they differ, the first count stands */
	units = palloc(sizeof(int64) * def->nindexes);
	dynpg_index_write_units(def, old, new, DYN_WRITE_UNIT_BYTES, units);
	for (i = 0; i < Min(c->nindexes, def->nindexes); i++)
		c->index_units[i] += units[i];
	pfree(units);
}

void
dynpg_api_charge_table(DynWriteCharge *c, int64 units)
{
	c->table_units += units;
}

static void
push_write_units(DynOut **st, const char *key, int64 units, bool transaction)
{
	char	   *text = psprintf(INT64_FORMAT ".0", units);

	dynpg_out_begin_object(st, key);
	dynpg_out_numeric_text(st, "CapacityUnits", text);
	if (transaction)
		dynpg_out_numeric_text(st, "WriteCapacityUnits", text);
	(void) dynpg_out_end_object(st);
}

void
dynpg_api_push_write_capacity(DynOut **st, const char *key, const char *mode,
							  const char *table_name, const DynWriteCharge *c, int factor,
							  bool transaction)
{
	int64		total = c->table_units;
	char	   *text;
	int			kind;
	int			i;

	for (i = 0; i < c->nindexes; i++)
		total += c->index_units[i];
	text = psprintf(INT64_FORMAT ".0", total * factor);
	dynpg_out_begin_object(st, key);
	dynpg_out_string(st, "TableName", table_name);
	dynpg_out_numeric_text(st, "CapacityUnits", text);
	if (transaction)
		dynpg_out_numeric_text(st, "WriteCapacityUnits", text);
	if (strcmp(mode, "INDEXES") == 0)
	{
		push_write_units(st, "Table", c->table_units * factor, transaction);
		/* the indexes this write charged, LSIs then GSIs, each in definition order */
		for (kind = 0; kind < 2; kind++)
		{
			bool		open = false;

			for (i = 0; i < c->nindexes; i++)
			{
				if (c->index_global[i] != (kind == 1) || c->index_units[i] == 0)
					continue;
				if (!open)
					dynpg_out_begin_object(st, kind == 0 ? "LocalSecondaryIndexes" :
										   "GlobalSecondaryIndexes");
				open = true;
				push_write_units(st, c->index_names[i], c->index_units[i] * factor, transaction);
			}
			if (open)
				(void) dynpg_out_end_object(st);
		}
	}
	(void) dynpg_out_end_object(st);
}

/* ---------------------------------------------------------------------
 * Item collections
 * ---------------------------------------------------------------------
 */

int			dynpg_debug_item_collection_limit_kb = 0;

#define DYN_ITEM_COLLECTION_LIMIT	(INT64CONST(10) * 1024 * 1024 * 1024)

bool
dynpg_api_has_lsi(Relation rel)
{
	const DynTableDef *def = dynpg_table_def(rel);
	int			i;

	for (i = 0; i < def->nindexes; i++)
		if (def->indexes[i].kind == DYN_INDEX_LOCAL)
			return true;
	return false;
}

bool
dynpg_api_metrics_wanted(const char *mode)
{
	return mode != NULL && strcmp(mode, "SIZE") == 0;
}

/* What one version adds to its collection: its size and its LSI entries' projected sizes. */
static int64
collection_share(const DynTableDef *def, DynItem *item)
{
	int64		bytes;
	int			i;

	if (item == NULL)
		return 0;
	bytes = dynpg_item_size(item);
	for (i = 0; i < def->nindexes; i++)
	{
		const DynIndexDef *ix = &def->indexes[i];
		DynIndexKey ikey;

		if (ix->kind == DYN_INDEX_LOCAL && dynpg_index_key_of(ix, item, false, &ikey))
			bytes += dynpg_item_size(dynpg_index_project(def, ix, item));
	}
	return bytes;
}

/* The sizes of the visible items (or entries) of one range. */
static int64
range_bytes(Relation rel, const DynReadRange *range)
{
	DynRead    *r = dynpg_read_begin(rel, range, 0);
	DynItem    *item;
	int64		bytes = 0;

	while (dynpg_read_next(r, &item))
		bytes += dynpg_item_size(item);
	dynpg_read_end(r);
	return bytes;
}

bool
dynpg_api_item_collection(Relation rel, const DynItem *key_item, DynItem *old, DynItem *new,
						  bool measure, DynItemCollection *out)
{
	const DynTableDef *def = dynpg_table_def(rel);
	const DynItem *some = new != NULL ? new : old != NULL ? old : key_item;
	DynKeySchema ks;
	DynKey		key;
	DynKeyCondition kc;
	DynReadRange range;
	DynBuildValue *root;
	int		   *keyspaces;
	int			nlsi = 0;
	bool		grows;
	int64		limit;
	int			i;

	for (i = 0; i < def->nindexes; i++)
		if (def->indexes[i].kind == DYN_INDEX_LOCAL)
			nlsi++;
	if (nlsi == 0)
		return false;
	memset(out, 0, sizeof(*out));
	out->bytes = -1;
	grows = collection_share(def, new) > collection_share(def, old);
	if ((!measure && !grows) || some == NULL)
		return true;

	/* what the cached definition says, copied before reading (which may rebuild it) */
	ks = def->key;
	ks.pk_name = pnstrdup(def->key.pk_name, def->key.pk_namelen);
	ks.sk_name = NULL;
	keyspaces = palloc(sizeof(int) * nlsi);
	nlsi = 0;
	for (i = 0; i < def->nindexes; i++)
		if (def->indexes[i].kind == DYN_INDEX_LOCAL)
			keyspaces[nlsi++] = def->indexes[i].keyspace;
	dynpg_key_from_item(some, &ks, &key);
	root = palloc0(sizeof(DynBuildValue));
	root->type = DYN_T_M;
	root->count = 1;
	root->members = palloc0(sizeof(DynBuildMember));
	root->members[0].name = ks.pk_name;
	root->members[0].namelen = ks.pk_namelen;
	root->members[0].value = dynpg_build_from_ref(&key.pk);
	(void) dynpg_item_finish(root);
	out->key = dynpg_item_serialize(root);

	/*
	 * The partition in the table and in each LSI, read with this command's
	 * own writes visible (a batch's or transaction's earlier writes to the
	 * partition, and this one): the partition's key ranges only.
	 */
	CommandCounterIncrement();
	PushCopiedSnapshot(ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
	memset(&kc, 0, sizeof(kc));
	kc.pk = key.pk;
	kc.sk_op = DSK_NONE;
	out->bytes = 0;
	dynpg_read_query_range(NULL, &kc, ForwardScanDirection, &range);
	out->bytes += range_bytes(rel, &range);
	for (i = 0; i < nlsi; i++)
	{
		DynIndexDef ix;

		memset(&ix, 0, sizeof(ix));
		ix.kind = DYN_INDEX_LOCAL;
		ix.keyspace = keyspaces[i];
		dynpg_read_query_range(&ix, &kc, ForwardScanDirection, &range);
		out->bytes += range_bytes(rel, &range);
	}
	PopActiveSnapshot();

	limit = dynpg_debug_item_collection_limit_kb > 0 ?
		(int64) dynpg_debug_item_collection_limit_kb * 1024 : DYN_ITEM_COLLECTION_LIMIT;
	if (grows && out->bytes > limit)
		dynpg_raise(DYN_ERR_ITEM_COLLECTION_SIZE_LIMIT_EXCEEDED, "Collection size exceeded.");
	return true;
}

void
dynpg_api_push_item_collection(DynOut **st, const char *key, const DynItemCollection *c)
{
	int64		gb = c->bytes / (INT64CONST(1024) * 1024 * 1024);

	dynpg_out_begin_object(st, key);
	dynpg_out_item(st, "ItemCollectionKey", c->key);
	dynpg_out_begin_array(st, "SizeEstimateRangeGB");
	dynpg_out_numeric_text(st, NULL, psprintf(INT64_FORMAT ".0", gb));
	dynpg_out_numeric_text(st, NULL, psprintf(INT64_FORMAT ".0", gb + 1));
	(void) dynpg_out_end_array(st);
	(void) dynpg_out_end_object(st);
}

void
dynpg_api_push_item(DynOut **st, const char *key, const DynItem *item)
{
	/* written straight from its binary form when the response is */
	dynpg_out_item(st, key, item);
}
