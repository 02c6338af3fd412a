/*
 * libFuzzer harness: DynamoDB's expression languages (src/expr): the
 * lexer and parser of condition, projection and update expressions and of
 * KeyConditionExpression, their checks against a key schema, and their
 * evaluation against an item.
 *
 * Input: one byte choosing the language (its value mod 4: condition,
 * projection, update, key condition), then the expression.  If the
 * expression starts with '{', its first line is a request's
 * {"ExpressionAttributeNames":{...},"ExpressionAttributeValues":{...}}
 * and the rest is the expression; otherwise the expression uses a fixed
 * set of names (#a #b #l #m #pk #sk ...) and values of every type (:s :n
 * :b :t :z :l :m :ss :ns :bs ...).
 *
 * Whatever parses is used as the API would use it: a condition (and a
 * filter) is evaluated against an item of every type and against no item;
 * a projection projects that item; an update is checked against the key
 * schema (pk S, sk N) and applied to the item and to the key alone; a key
 * condition is checked and reduced to a key range, and the sort key
 * matched.  Properties: evaluation is deterministic; an update's or a
 * projection's result is a valid item (its text reads back as the same
 * item); nothing raises an internal error.
 */
#include "postgres.h"

#include "base/dynpg_json.h"
#include "expr/dynpg_expr.h"
#include "expr/dynpg_expr_key.h"
#include "types/dynpg_item.h"
#include "fuzz_common.h"

static const char names_json[] =
"{\"#a\":\"a\",\"#b\":\"b\",\"#l\":\"l\",\"#m\":\"m\",\"#n\":\"n\",\"#t\":\"t\","
"\"#ss\":\"ss\",\"#ns\":\"ns\",\"#bs\":\"bs\",\"#pk\":\"pk\",\"#sk\":\"sk\","
"\"#dot\":\"a.b\",\"#size\":\"size\"}";

static const char values_json[] =
"{\":s\":{\"S\":\"abc\"},\":e\":{\"S\":\"\"},\":n\":{\"N\":\"12.5\"},\":z0\":{\"N\":\"0\"},"
"\":big\":{\"N\":\"9.9999999999999999999999999999999999999E+125\"},"
"\":neg\":{\"N\":\"-1E-130\"},\":b\":{\"B\":\"AAE=\"},\":t\":{\"BOOL\":true},"
"\":z\":{\"NULL\":true},\":l\":{\"L\":[{\"S\":\"x\"},{\"N\":\"1\"},{\"L\":[]}]},"
"\":m\":{\"M\":{\"a\":{\"S\":\"x\"},\"m\":{\"M\":{}}}},\":ss\":{\"SS\":[\"a\",\"b\"]},"
"\":ns\":{\"NS\":[\"1\",\"2.5\"]},\":bs\":{\"BS\":[\"AA==\",\"AQ==\"]},\":p\":{\"S\":\"p\"},"
"\":k\":{\"N\":\"5\"}}";

static const char item_text[] =
"{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"5\"},\"a\":{\"S\":\"abc\"},\"b\":{\"N\":\"12.5\"},"
"\"c\":{\"B\":\"AAE=\"},\"t\":{\"BOOL\":false},\"n\":{\"NULL\":true},"
"\"l\":{\"L\":[{\"S\":\"x\"},{\"N\":\"1\"},{\"L\":[{\"M\":{\"a\":{\"S\":\"y\"}}}]}]},"
"\"m\":{\"M\":{\"a\":{\"S\":\"x\"},\"b\":{\"M\":{\"c\":{\"N\":\"-3\"}}}}},"
"\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2\"]},\"bs\":{\"BS\":[\"AA==\"]},"
"\"a.b\":{\"S\":\"dotted\"},\"size\":{\"N\":\"3\"}}";

static const char key_text[] = "{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"5\"}}";

static DynItem *fixed_item;
static DynItem *fixed_key;

/* an item dynpg produced must read back as itself */
static void
check_item(const DynItem *item)
{
	StringInfoData t;
	DynItem    *again;
	int			saved = fuzz_stage;

	fuzz_stage = FUZZ_MUST_NOT_RAISE;
	initStringInfo(&t);
	dynpg_item_append_text(item, &t);
	again = dynpg_item_from_text(t.data, t.len);
	if (VARSIZE(again) != VARSIZE(item) || memcmp(again, item, VARSIZE(item)) != 0)
		fuzz_fail("a result item does not read back as itself");
	fuzz_stage = saved;
}

static void
fuzz_one(const uint8_t *data, size_t size)
{
	DynExprContext ctx;
	DynJson    *names;
	DynJson    *values;
	DynKeySchema ks = {"pk", 2, DYN_T_S, "sk", 2, DYN_T_N};
	DynItem    *item;
	DynItem    *key;
	int			mode;
	char	   *text;

	if (size < 1)
		return;
	mode = data[0] % 4;
	text = pnstrdup((const char *) data + 1, size - 1);

	fuzz_stage = FUZZ_MUST_NOT_RAISE;
	if (fixed_item == NULL)
	{
		/* made once and kept (dynpg reads items, never writes them) */
		fixed_item = dynpg_item_from_text(item_text, sizeof(item_text) - 1);
		fixed_key = dynpg_item_from_text(key_text, sizeof(key_text) - 1);
		shim_keep_all();
	}
	item = fixed_item;
	key = fixed_key;
	names = dynpg_json_parse(names_json, sizeof(names_json) - 1);
	values = dynpg_json_parse(values_json, sizeof(values_json) - 1);
	fuzz_stage = FUZZ_MAY_RAISE;

	if (text[0] == '{')
	{
		char	   *nl = strchr(text, '\n');
		DynJson    *req;

		if (nl == NULL)
			return;
		req = dynpg_json_parse(text, (int) (nl - text));
		if (req->kind != DJ_OBJECT)
			return;
		names = dynpg_json_member(req, "ExpressionAttributeNames", 24);
		values = dynpg_json_member(req, "ExpressionAttributeValues", 25);
		if (names != NULL && names->kind != DJ_OBJECT)
			return;
		if (values != NULL && values->kind != DJ_OBJECT)
			return;
		text = nl + 1;
	}
	dynpg_expr_context_init(&ctx, names, values);

	switch (mode)
	{
		case 0:
			{
				DynExprNode *cond = dynpg_expr_parse_condition(&ctx, text, "ConditionExpression");
				bool		r1,
							r2;

				fuzz_stage = FUZZ_MUST_NOT_RAISE;
				r1 = dynpg_expr_eval_condition(cond, item);
				r2 = dynpg_expr_eval_condition(cond, item);
				if (r1 != r2)
					fuzz_fail("a condition's value changed between two evaluations");
				(void) dynpg_expr_eval_condition(cond, key);
				(void) dynpg_expr_eval_condition(cond, NULL);
				fuzz_stage = FUZZ_MAY_RAISE;
				break;
			}
		case 1:
			{
				int			npaths;
				DynExprPath *paths = dynpg_expr_parse_projection(&ctx, text, &npaths);
				int			i;

				for (i = 0; i < npaths; i++)
					(void) dynpg_expr_path_text(&paths[i]);
				fuzz_stage = FUZZ_MUST_NOT_RAISE;
				check_item(dynpg_expr_project(item, paths, npaths));
				check_item(dynpg_expr_project(key, paths, npaths));
				fuzz_stage = FUZZ_MAY_RAISE;
				break;
			}
		case 2:
			{
				DynUpdate  *upd = dynpg_expr_parse_update(&ctx, text);
				int		   *positions = palloc0(sizeof(int) * (upd->nclauses + 1));
				sigjmp_buf *save = PG_exception_stack;
				sigjmp_buf	local;
				DynItem    *volatile res = NULL;

				dynpg_expr_check_unused(&ctx);
				dynpg_expr_check_update_keys(upd, &ks);
				/* applying may raise DynamoDB's errors (a type mismatch); go on */
				PG_exception_stack = &local;
				if (sigsetjmp(local, 0) == 0)
					res = dynpg_expr_apply_update(upd, item, key, positions);
				else
					fuzz_judge_error(false, false);
				PG_exception_stack = save;
				if (res != NULL)
					check_item(res);
				res = dynpg_expr_apply_update(upd, NULL, key, positions);
				check_item(res);
				break;
			}
		case 3:
			{
				DynExprNode *cond = dynpg_expr_parse_condition(&ctx, text, "KeyConditionExpression");
				DynKeyCondition kc;
				DynRef		root,
							sk;
				DynContainer c;

				dynpg_expr_key_condition_check(cond);
				dynpg_expr_check_unused(&ctx);
				dynpg_expr_key_condition(cond, 0, &ks, NULL, NULL, 0, &kc);
				fuzz_stage = FUZZ_MUST_NOT_RAISE;
				root = dynpg_item_root(item);
				dynpg_container_open(&root, &c);
				if (!dynpg_map_find(&c, "sk", 2, &sk))
					fuzz_fail("the fixed item has no sk");
				(void) dynpg_expr_key_sort_matches(&kc, &sk);
				fuzz_stage = FUZZ_MAY_RAISE;
				break;
			}
	}
	dynpg_expr_check_unused(&ctx);
}

FUZZ_HARNESS(16 * 1024, false, false)
