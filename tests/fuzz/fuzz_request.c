/*
 * libFuzzer harness: reading a DynamoDB request (src/base/dynpg_request.c)
 * as the wire layer's operations do, on the request JSON parser's trees
 * (base/dynpg_json.c), and the request members that carry items, keys and
 * the legacy conditions (types/item_json_read.c, expr/expr_legacy.c).
 *
 * The input is a request's JSON text.  It is read with a member table of
 * the shape src/api's operations use (PutItem's, UpdateItem's and Query's
 * members together: TableName, Item, Key, ReturnValues,
 * ReturnConsumedCapacity, ConditionalOperator, Expected, AttributeUpdates,
 * AttributesToGet, KeyConditions, QueryFilter, ExclusiveStartKey, the
 * expression members...): phase 1 (each member's JSON type, DynamoDB's
 * SerializationException), phase 2 (the constraints, reported together),
 * then the members' own parsers: Item and Key as items, the legacy
 * parameters into parsed conditions and updates.  Every outcome must be an
 * item/expression or DynamoDB's exception, never an internal error.
 * (Limit and the other number members are read with numeric_in, which the
 * shim does not provide; they are left out.)
 */
#include "postgres.h"

#include "base/dynpg_json.h"
#include "base/dynpg_request.h"
#include "expr/dynpg_expr.h"
#include "expr/dynpg_expr_key.h"
#include "types/dynpg_item.h"
#include "fuzz_common.h"

typedef struct Req
{
	char	   *table_name;
	DynJson    *item;
	DynJson    *key;
	char	   *return_values;
	char	   *capacity;
	char	   *cond_op;
	DynJson    *expected;
	DynJson    *updates;
	DynJson    *to_get;
	DynJson    *key_conditions;
	DynJson    *query_filter;
	DynJson    *esk;
	char	   *condition;
	char	   *update;
	char	   *projection;
	DynJson    *names;
	DynJson    *values;
	bool		consistent;
	char	   *select;
} Req;

#define M(field) offsetof(Req, field)

static const char *const return_values[] = {"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW", NULL};
static const char *const return_old[] = {"ALL_OLD", "NONE", NULL};
static const char *const capacity[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const cond_ops[] = {"AND", "OR", NULL};
static const char *const selects[] = {"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT", NULL};

static const DynMember members[] = {
	{"TableName", DYN_MODEL_STRING, M(table_name), 2, "TableName", DYN_CHECK_TABLE_NAME, .min = 1},
	{"Item", DYN_MODEL_MAP, M(item)},
	{"Key", DYN_MODEL_MAP, M(key)},
	{"ReturnValues", DYN_MODEL_STRING, M(return_values), 5, "ReturnValues", DYN_CHECK_ENUM, return_values,
	.narrow = return_old, .narrow_text = "ReturnValues can only be ALL_OLD or NONE"},
	{"ReturnConsumedCapacity", DYN_MODEL_STRING, M(capacity), 1, "ReturnConsumedCapacity", DYN_CHECK_ENUM, capacity},
	{"ConditionalOperator", DYN_MODEL_STRING, M(cond_op), 4, "ConditionalOperator", DYN_CHECK_ENUM, cond_ops},
	{"Expected", DYN_MODEL_MAP, M(expected)},
	{"AttributeUpdates", DYN_MODEL_MAP, M(updates)},
	{"AttributesToGet", DYN_MODEL_LIST, M(to_get), 3, "AttributesToGet", DYN_CHECK_LENGTH, .min = 1},
	{"KeyConditions", DYN_MODEL_MAP, M(key_conditions)},
	{"QueryFilter", DYN_MODEL_MAP, M(query_filter)},
	{"ExclusiveStartKey", DYN_MODEL_MAP, M(esk)},
	{"ConditionExpression", DYN_MODEL_STRING, M(condition)},
	{"UpdateExpression", DYN_MODEL_STRING, M(update)},
	{"ProjectionExpression", DYN_MODEL_STRING, M(projection)},
	{"ExpressionAttributeNames", DYN_MODEL_MAP, M(names)},
	{"ExpressionAttributeValues", DYN_MODEL_MAP, M(values)},
	{"ConsistentRead", DYN_MODEL_BOOLEAN, M(consistent)},
	{"Select", DYN_MODEL_STRING, M(select), 6, "Select", DYN_CHECK_ENUM, selects},
};

static void
fuzz_one(const uint8_t *data, size_t size)
{
	DynJson    *root = dynpg_json_parse((const char *) data, (int) size);
	DynRequest	req;
	Req			r;
	int			n;

	memset(&r, 0, sizeof(r));
	dynpg_req_start(&req, "Fuzz", root);
	dynpg_req_read_members(req.root, members, lengthof(members), &r);
	dynpg_req_check_members(&req, members, lengthof(members), &r, NULL);
	dynpg_req_finish(&req);
	if (r.table_name)
		(void) dynpg_req_is_table_name_or_arn(r.table_name);
	if (r.item)
		(void) dynpg_item_from_json(r.item, false);
	if (r.key)
		(void) dynpg_item_from_json(r.key, false);
	if (r.esk)
		(void) dynpg_item_from_json(r.esk, false);
	if (r.to_get)
		(void) dynpg_expr_from_attributes_to_get(r.to_get, &n);
	if (r.expected)
		(void) dynpg_expr_from_expected(r.expected, r.cond_op);
	if (r.updates)
		(void) dynpg_expr_from_attribute_updates(r.updates);
	if (r.query_filter)
		(void) dynpg_expr_from_conditions(r.query_filter, r.cond_op, "QueryFilter");
	if (r.key_conditions)
	{
		/* as Query reads them (src/api/query_ops.c) */
		DynExprNode *kc = dynpg_expr_from_conditions(r.key_conditions, NULL, "KeyConditions");
		DynKeySchema ks = {"pk", 2, DYN_T_S, "sk", 2, DYN_T_N};
		DynKeyCondition out;
		DynJsonMember **m = dynpg_json_sorted_members(r.key_conditions, &n);
		int			count = 0;
		int			i;

		for (i = 0; i < n; i++)
			if (m[i]->val->kind != DJ_NULL)
				count++;
		dynpg_expr_legacy_between_check(kc);
		dynpg_expr_key_condition_count(count);
		dynpg_expr_key_condition(kc, count, &ks, NULL, NULL, 0, &out);
	}
	if (r.names || r.values)
	{
		DynExprContext ctx;

		dynpg_expr_context_init(&ctx, r.names, r.values);
		if (r.condition)
			(void) dynpg_expr_parse_condition(&ctx, r.condition, "ConditionExpression");
		if (r.update)
			(void) dynpg_expr_parse_update(&ctx, r.update);
		if (r.projection)
			(void) dynpg_expr_parse_projection(&ctx, r.projection, &n);
		dynpg_expr_check_unused(&ctx);
	}
}

FUZZ_HARNESS(64 * 1024, false, false)
