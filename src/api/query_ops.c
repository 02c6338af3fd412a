/*-------------------------------------------------------------------------
 *
 * query_ops.c
 *	  Query and Scan: DynamoDB's reads of many items, with its paging.
 *
 * Both check the whole request first (base/dynpg_request.h's phases; the
 * order of the rules below is DynamoDB's), then turn it into a plan: a
 * range of storage keys, a direction, a filter, a projection and a Limit.
 * A Query's range is one partition, or the part of it the sort-key
 * condition allows; a Scan's is the whole key space, or one segment of the
 * partition-hash space, since storage keys start with the hash.
 * ExclusiveStartKey narrows the range to just after (or, backward, just
 * before) that key.
 *
 * The plan runs as one range read of the access method's read path
 * (am/dynpg_read.h), which descends once and walks the leaves of the
 * range, with the snapshot, predicate locks and detoasting of every read;
 * this file applies the filter, the projection and the page limits to what
 * it returns.  A page ends at Limit items evaluated or at 1 MB of items
 * read (both before the filter), and then carries LastEvaluatedKey, the key
 * of the last item evaluated.  The SQL layer's query_items and scan_items
 * run the same plan without the page limits, as a stream of rows: every
 * matching item from one snapshot, one per call (src/api/README, "The SQL
 * layer's rows").
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "api/dynpg_api.h"
#include "api/dynpg_item_common.h"
#include "api/dynpg_wire.h"
#include "am/dynpg_read.h"
#include "base/dynpg_preload.h"
#include "base/dynpg_error.h"
#include "expr/dynpg_expr.h"
#include "expr/dynpg_expr_key.h"
#include "index/dynpg_index.h"
#include "types/dynpg_item.h"
#include "types/dynpg_key.h"

/* a page reads at most 1 MB of items */
#define DYN_PAGE_BYTES			(1024 * 1024)
#define DYN_MAX_TOTAL_SEGMENTS	1000000

static const char *const select_values[] = {
	"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", NULL
};
static const char *const conditional_operators[] = {"OR", "AND", NULL};

static const char *const query_legacy[] = {
	"AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions", NULL
};
static const char *const query_legacy_filters[] = {
	"AttributesToGet", "QueryFilter", "ConditionalOperator", NULL
};
static const char *const query_expressions[] = {
	"ProjectionExpression", "FilterExpression", "KeyConditionExpression", NULL
};
static const char *const scan_legacy[] = {
	"AttributesToGet", "ScanFilter", "ConditionalOperator", NULL
};
static const char *const scan_expressions[] = {
	"ProjectionExpression", "FilterExpression", NULL
};

/* A checked request, ready to run. */
typedef struct ReadPlan
{
	bool		is_query;
	const char *table_name;
	Relation	rel;
	DynKeySchema ks;			/* the key read: the table's or the index's */
	DynKeySchema tks;			/* the table's key */
	bool		has_index;		/* IndexName: 'ix' is a copy of its definition */
	DynIndexDef ix;
	DynTableDef tdef;			/* the table's key (tks), for index entry keys */
	bool		fetch_base;		/* LSI: read the base item for what the index lacks */
	bool		output_base;	/* ... and return it whole (Select ALL_ATTRIBUTES) */
	/* every index key attribute that is not a table key ("IndexKey: ") */
	int			nixkeys;
	char	  **ixkey_names;
	int		   *ixkey_lens;
	DynReadRange range;			/* the keys to read, in which direction */
	uint8		keyspace;		/* the table's (0) or an index's (index/dynpg_index.h) */
	DynExprNode *filter;
	DynExprPath *paths;			/* projection, or NULL for whole items */
	int			npaths;
	bool		count_only;
	int64		limit;			/* 0: none */
	bool		consistent;
	const char *capacity;		/* ReturnConsumedCapacity */
} ReadPlan;

/* What a run read. */
typedef struct ReadResult
{
	int64		count;			/* items that passed the filter */
	int64		scanned;		/* items evaluated */
	int64		bytes;			/* their size, DynamoDB's way (paged runs only) */
	DynItem    *last_key;		/* LastEvaluatedKey, when the page stopped early */
} ReadResult;

/* ---------------------------------------------------------------------
 * Checking the request
 * ---------------------------------------------------------------------
 */

/* QueryFilter / ScanFilter with ConditionalOperator (NULL if none). */
static DynExprNode *
legacy_filter(DynJson *filter, const char *conditional_operator, const char *member)
{
	dynpg_api_check_conditional_operator(filter, conditional_operator);
	if (filter == NULL || dynpg_json_count(filter) == 0)
		return NULL;
	return dynpg_expr_from_conditions(filter, conditional_operator, member);
}

/* The entries of a legacy condition map (null ones count as absent). */
static int
condition_count(DynJson *conditions)
{
	int			count;
	DynJsonMember **m = dynpg_json_sorted_members(conditions, &count);
	int			n = 0;
	int			i;

	for (i = 0; i < count; i++)
		if (m[i]->val->kind != DJ_NULL)
			n++;
	return n;
}

/*
 * Select against the projection.  Query reports these in its constraint
 * list ("1 validation error detected: ..."), Scan on their own.
 */
static void
check_select(DynRequest *req, bool is_query, const char *select, bool has_index,
			 const char *projection_param)
{
	char	   *msg = NULL;

	if (select == NULL)
		return;
	if (strcmp(select, "SPECIFIC_ATTRIBUTES") == 0)
	{
		if (projection_param == NULL)
			msg = "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES";
	}
	else if (projection_param != NULL)
		msg = psprintf("Cannot specify the %s when choosing to get %s", projection_param,
					   strcmp(select, "COUNT") == 0 ? "only the Count" : select);
	else if (strcmp(select, "ALL_PROJECTED_ATTRIBUTES") == 0 && !has_index)
		msg = "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName";
	if (msg == NULL)
		return;
	if (is_query)
		dynpg_req_invalid_text(req, msg);
	else
		dynpg_validation_error("%s", msg);
}

/*
 * Paths of a projection (round 0) or of a filter (round 1) may not look
 * inside a key attribute (keys are scalars): the table's ("Key: "), then
 * any index's ("IndexKey: "), as DynamoDB checks them for every read of a
 * table that has indexes (dynalite's validateKeyPaths).
 */
static void
check_key_paths(const ReadPlan *plan, int round, const DynExprPath *paths, int npaths,
				const DynExprNode *filter)
{
	const DynKeySchema *ks = &plan->tks;
	int			nkeys = (ks->sk_name ? 2 : 1) + plan->nixkeys;
	int			k;

	for (k = 0; k < nkeys; k++)
	{
		const char *name;
		int			namelen;
		bool		found = false;
		int			i;

		if (k < (ks->sk_name ? 2 : 1))
		{
			name = k == 0 ? ks->pk_name : ks->sk_name;
			namelen = k == 0 ? ks->pk_namelen : ks->sk_namelen;
		}
		else
		{
			name = plan->ixkey_names[k - (ks->sk_name ? 2 : 1)];
			namelen = plan->ixkey_lens[k - (ks->sk_name ? 2 : 1)];
		}
		if (round == 0)
		{
			for (i = 0; i < npaths && !found; i++)
				found = paths[i].n > 1 && paths[i].elems[0].namelen == namelen &&
					memcmp(paths[i].elems[0].name, name, namelen) == 0;
		}
		else if (filter != NULL)
		{
			const DynExprPath *p = dynpg_expr_find_attribute(filter, name, namelen);

			found = p != NULL && p->n > 1;
		}
		if (found)
			dynpg_validation_error("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: %s: %.*s",
								   k < (ks->sk_name ? 2 : 1) ? "Key" : "IndexKey",
								   namelen, name);
	}
}

/* DynamoDB's messages about an ExclusiveStartKey that cannot be used */
static void start_key_invalid(const char *why) pg_attribute_noreturn();

static void
start_key_invalid(const char *why)
{
	dynpg_validation_error("The provided starting key is invalid%s%s", why ? ": " : "", why ? why : "");
}

#define MSG_NO_RESTART "The query can return at most one row and cannot be restarted"

/*
 * ExclusiveStartKey's AttributeValues, checked before the table is known.
 * DynamoDB says which parameter is wrong for most of their errors, but not
 * for those of numbers and of duplicate set elements.
 */
static DynItem *
start_key_item(DynJson *esk)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	DynItem    *volatile item = NULL;

	PG_TRY();
	{
		item = dynpg_item_from_json(esk, false);
	}
	PG_CATCH();
	{
		ErrorData  *ed;
		static const char *const bare[] = {
			"contains duplicates", "number set", "numeric value", "significant digits",
			"number with magnitude", NULL
		};
		int			i;

		MemoryContextSwitchTo(oldcxt);
		ed = CopyErrorData();
		if (ed->sqlerrcode != MAKE_SQLSTATE('Y', 'D', '0', '0', '1'))
			PG_RE_THROW();
		for (i = 0; bare[i] != NULL; i++)
			if (strstr(ed->message, bare[i]) != NULL)
				PG_RE_THROW();
		FlushErrorState();
		start_key_invalid(ed->message);
	}
	PG_END_TRY();
	return item;
}

/* Whether 'item' holds every attribute of key schema 'ks', each of its type. */
static bool
holds_key(const DynItem *item, const DynKeySchema *ks)
{
	DynRef		root = dynpg_item_root(item);
	DynContainer c;
	int			k;

	dynpg_container_open(&root, &c);
	for (k = 0; k < (ks->sk_name ? 2 : 1); k++)
	{
		DynRef		v;

		if (!dynpg_map_find(&c, k == 0 ? ks->pk_name : ks->sk_name,
							k == 0 ? ks->pk_namelen : ks->sk_namelen, &v) ||
			v.type != (k == 0 ? ks->pk_type : ks->sk_type))
			return false;
	}
	return true;
}

/*
 * Scan's check of the shape of ExclusiveStartKey: exactly the key
 * attributes, of the key's types, one message for all.
 */
static void
check_scan_start_key(const DynItem *esk, const DynKeySchema *ks)
{
	DynRef		root = dynpg_item_root(esk);
	DynContainer c;

	dynpg_container_open(&root, &c);
	if (c.count != (ks->sk_name ? 2 : 1) || !holds_key(esk, ks))
		dynpg_req_key_mismatch(true);
}

/*
 * The key of ExclusiveStartKey (whose shape is checked), with the key
 * values' own rules (not empty, not too long) said to be about it.
 */
static void
start_key_values(const DynItem *esk, const DynKeySchema *ks, DynKey *key)
{
	MemoryContext oldcxt = CurrentMemoryContext;

	PG_TRY();
	{
		dynpg_key_from_item(esk, ks, key);
	}
	PG_CATCH();
	{
		ErrorData  *ed;

		MemoryContextSwitchTo(oldcxt);
		ed = CopyErrorData();
		if (ed->sqlerrcode != MAKE_SQLSTATE('Y', 'D', '0', '0', '1'))
			PG_RE_THROW();
		FlushErrorState();
		start_key_invalid(ed->message);
	}
	PG_END_TRY();
}

/* ---------------------------------------------------------------------
 * Reads of an index (src/index/README, "Reads")
 * ---------------------------------------------------------------------
 */

/* A copy of an index definition out of the relcache's chunk. */
static void
copy_index(const DynIndexDef *src, DynIndexDef *dst)
{
	char	  **nonkey;
	int			i;

	*dst = *src;
	dst->index_name = pstrdup(src->index_name);
	dst->key.pk_name = pnstrdup(src->key.pk_name, src->key.pk_namelen);
	if (src->key.sk_name != NULL)
		dst->key.sk_name = pnstrdup(src->key.sk_name, src->key.sk_namelen);
	for (i = 0; i < src->parts.nhash; i++)
		dst->parts.hash[i].name = pnstrdup(src->parts.hash[i].name, src->parts.hash[i].namelen);
	for (i = 0; i < src->parts.nrange; i++)
		dst->parts.range[i].name = pnstrdup(src->parts.range[i].name, src->parts.range[i].namelen);
	nonkey = palloc0(sizeof(char *) * Max(src->nnonkey, 1));
	for (i = 0; i < src->nnonkey; i++)
		nonkey[i] = pstrdup(src->nonkey[i]);
	dst->nonkey = (const char *const *) nonkey;
}

static bool
same_name(const char *a, int alen, const char *b, int blen)
{
	return a != NULL && b != NULL && alen == blen && memcmp(a, b, alen) == 0;
}

static bool
is_table_key(const DynKeySchema *tks, const char *name, int namelen)
{
	return same_name(name, namelen, tks->pk_name, tks->pk_namelen) ||
		same_name(name, namelen, tks->sk_name, tks->sk_namelen);
}

/* Index 'ix''s key attribute k: its HASH attributes, then its RANGE ones. */
static const DynKeyPart *
index_part(const DynIndexDef *ix, int k)
{
	return k < ix->parts.nhash ? &ix->parts.hash[k] : &ix->parts.range[k - ix->parts.nhash];
}

#define INDEX_NPARTS(ix) ((ix)->parts.nhash + (ix)->parts.nrange)

/* Every index key attribute of the table that is not a table key, once. */
static void
collect_index_keys(const DynTableDef *def, ReadPlan *plan)
{
	int			i;

	plan->ixkey_names = palloc0(sizeof(char *) * (2 * DYN_MAX_KEY_PARTS * def->nindexes + 1));
	plan->ixkey_lens = palloc0(sizeof(int) * (2 * DYN_MAX_KEY_PARTS * def->nindexes + 1));
	for (i = 0; i < def->nindexes; i++)
	{
		int			k;

		for (k = 0; k < INDEX_NPARTS(&def->indexes[i]); k++)
		{
			const char *name = index_part(&def->indexes[i], k)->name;
			int			namelen = index_part(&def->indexes[i], k)->namelen;
			int			j;

			if (name == NULL || is_table_key(&plan->tks, name, namelen))
				continue;
			for (j = 0; j < plan->nixkeys; j++)
				if (same_name(name, namelen, plan->ixkey_names[j], plan->ixkey_lens[j]))
					break;
			if (j < plan->nixkeys)
				continue;
			plan->ixkey_names[plan->nixkeys] = pnstrdup(name, namelen);
			plan->ixkey_lens[plan->nixkeys] = namelen;
			plan->nixkeys++;
		}
	}
}

/* The number of key attributes an index's ExclusiveStartKey holds. */
static int
index_start_key_count(const ReadPlan *plan)
{
	int			n = plan->tks.sk_name ? 2 : 1;
	int			k;

	for (k = 0; k < INDEX_NPARTS(&plan->ix); k++)
		if (!is_table_key(&plan->tks, index_part(&plan->ix, k)->name,
						  index_part(&plan->ix, k)->namelen))
			n++;
	return n;
}

/*
 * The table's key attributes in an index's ExclusiveStartKey: present and
 * of the table's types, with their values' rules.
 */
static void
index_start_key_base(const ReadPlan *plan, const DynItem *esk)
{
	DynKey		key;

	if (!holds_key(esk, &plan->tks))
		dynpg_req_key_mismatch(true);
	start_key_values(esk, &plan->tks, &key);
}

/*
 * A multi-attribute index key in an ExclusiveStartKey (every attribute
 * present and of its type, checked): each value's rules (not empty, not too
 * long), then the key.
 */
static void
start_key_parts(const ReadPlan *plan, const DynItem *esk, DynIndexKey *ikey)
{
	const DynKeyParts *parts = &plan->ix.parts;
	int			k;

	for (k = 0; k < parts->nhash + parts->nrange; k++)
	{
		DynKeySchema one;
		DynKey		key;

		memset(&one, 0, sizeof(one));
		one.pk_name = parts->hash[k < parts->nhash ? k : 0].name;
		one.pk_namelen = parts->hash[k < parts->nhash ? k : 0].namelen;
		one.pk_type = parts->hash[k < parts->nhash ? k : 0].type;
		if (k >= parts->nhash)
		{
			one.sk_name = parts->range[k - parts->nhash].name;
			one.sk_namelen = parts->range[k - parts->nhash].namelen;
			one.sk_type = parts->range[k - parts->nhash].type;
		}
		start_key_values(esk, &one, &key);
	}
	if (!dynpg_index_key_of(&plan->ix, esk, false, ikey))
		start_key_invalid(NULL);
}

/* Whether a start key's RANGE values satisfy a multi-attribute key condition. */
static bool
start_key_sort_matches(const DynKeyCondition *kc, const DynIndexKey *ikey)
{
	DynKeyCondition eq;
	int			i;

	memset(&eq, 0, sizeof(eq));
	eq.sk_op = DSK_EQ;
	for (i = 0; i < kc->nsk_eq; i++)
	{
		eq.sk1 = kc->sk_eq[i];
		if (!dynpg_expr_key_sort_matches(&eq, &ikey->range[i]))
			return false;
	}
	return kc->sk_op == DSK_NONE || kc->nsk_eq >= ikey->nrange ||
		dynpg_expr_key_sort_matches(kc, &ikey->range[kc->nsk_eq]);
}

/*
 * Scan's check of an index's ExclusiveStartKey before the table's key in
 * it (dynalite's scan.js): the count, then each index key attribute.
 */
static void
index_scan_start_key(const ReadPlan *plan, const DynItem *esk)
{
	DynRef		root = dynpg_item_root(esk);
	DynContainer c;
	int			k;

	dynpg_container_open(&root, &c);
	if (c.count != index_start_key_count(plan))
		start_key_invalid(NULL);
	for (k = 0; k < INDEX_NPARTS(&plan->ix); k++)
	{
		const DynKeyPart *kp = index_part(&plan->ix, k);
		DynRef		v;

		if (!dynpg_map_find(&c, kp->name, kp->namelen, &v))
			start_key_invalid(NULL);
		if (v.type != kp->type)
			dynpg_req_key_mismatch(false);
	}
}

/* Whether any path of 'n' starts with an attribute index 'ix' does not project. */
static bool
filter_needs_base(const ReadPlan *plan, const DynExprNode *n)
{
	int			i;

	if (n == NULL)
		return false;
	if (n->kind == DX_PATH && n->path.n > 0 && !n->path.elems[0].is_index &&
		!dynpg_index_projects(&plan->tdef, &plan->ix, n->path.elems[0].name,
							  n->path.elems[0].namelen))
		return true;
	for (i = 0; i < n->nargs; i++)
		if (filter_needs_base(plan, n->args[i]))
			return true;
	return false;
}

/*
 * What an index read may return (Select, the projection): a GSI only what
 * it projects, with DynamoDB's messages; an LSI fetches the rest from the
 * base item.
 */
static void
check_index_select(ReadPlan *plan, const char *select, const DynExprPath *paths, int npaths)
{
	bool		global = plan->ix.kind == DYN_INDEX_GLOBAL;
	StringInfoData missing;
	int			nmissing = 0;
	int			i;

	if (plan->ix.projection == DYN_PROJECTION_ALL)
		return;
	if (select != NULL && strcmp(select, "ALL_ATTRIBUTES") == 0)
	{
		if (global)
			dynpg_req_invalid_parameter("Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL",
										plan->ix.index_name);
		plan->fetch_base = true;
		plan->output_base = true;
	}
	initStringInfo(&missing);
	for (i = 0; i < npaths; i++)
	{
		const DynPathElem *e = &paths[i].elems[0];
		int			j;

		if (paths[i].n < 1 || e->is_index ||
			dynpg_index_projects(&plan->tdef, &plan->ix, e->name, e->namelen))
			continue;
		for (j = 0; j < i; j++)
			if (paths[j].n > 0 && !paths[j].elems[0].is_index &&
				same_name(paths[j].elems[0].name, paths[j].elems[0].namelen, e->name, e->namelen))
				break;
		if (j < i)
			continue;			/* named already */
		appendStringInfo(&missing, "%s%.*s", nmissing > 0 ? ", " : "", e->namelen, e->name);
		nmissing++;
	}
	if (nmissing > 0)
	{
		if (global)
			dynpg_req_invalid_parameter("Global secondary index %s does not project [%s]",
										plan->ix.index_name, missing.data);
		plan->fetch_base = true;
	}
}

/* The LastEvaluatedKey of an index read: the index's key and the table's. */
static DynItem *
index_last_key(const ReadPlan *plan, const DynItem *entry)
{
	DynKey		tkey;
	DynBuildValue *root = palloc0(sizeof(DynBuildValue));
	DynRef		eroot = dynpg_item_root(entry);
	DynContainer c;
	int			nparts = INDEX_NPARTS(&plan->ix);
	int			k;

	dynpg_container_open(&eroot, &c);
	dynpg_key_from_item(entry, &plan->tks, &tkey);
	root->type = DYN_T_M;
	root->members = palloc0(sizeof(DynBuildMember) * (nparts + 2));
	for (k = 0; k < nparts + 2; k++)
	{
		const char *name;
		int			namelen;
		DynRef		v;
		int			j;

		if (k < nparts)
		{
			name = index_part(&plan->ix, k)->name;
			namelen = index_part(&plan->ix, k)->namelen;
			if (!dynpg_map_find(&c, name, namelen, &v))
				elog(ERROR, "dynpg: an index entry lacks its key attribute");
		}
		else
		{
			name = k == nparts ? plan->tks.pk_name : plan->tks.sk_name;
			namelen = k == nparts ? plan->tks.pk_namelen : plan->tks.sk_namelen;
			v = k == nparts ? tkey.pk : tkey.sk;
		}
		if (name == NULL)
			continue;
		for (j = 0; j < root->count; j++)
			if (same_name(root->members[j].name, root->members[j].namelen, name, namelen))
				break;
		if (j < root->count)
			continue;
		root->members[root->count].name = name;
		root->members[root->count].namelen = namelen;
		root->members[root->count].value = dynpg_build_from_ref(&v);
		root->count++;
	}
	(void) dynpg_item_finish(root);
	return dynpg_item_serialize(root);
}

/* ---------------------------------------------------------------------
 * Running a plan
 * ---------------------------------------------------------------------
 */

/* The key attributes of 'item', as an item: LastEvaluatedKey. */
static DynItem *
key_of(const DynItem *item, const DynKeySchema *ks)
{
	DynKey		key;
	DynBuildValue *root = palloc0(sizeof(DynBuildValue));

	dynpg_key_from_item(item, ks, &key);
	root->type = DYN_T_M;
	root->count = key.has_sk ? 2 : 1;
	root->members = palloc0(sizeof(DynBuildMember) * 2);
	root->members[0].name = ks->pk_name;
	root->members[0].namelen = ks->pk_namelen;
	root->members[0].value = dynpg_build_from_ref(&key.pk);
	if (key.has_sk)
	{
		root->members[1].name = ks->sk_name;
		root->members[1].namelen = ks->sk_namelen;
		root->members[1].value = dynpg_build_from_ref(&key.sk);
	}
	(void) dynpg_item_finish(root);
	return dynpg_item_serialize(root);
}

/*
 * A run of a plan, one item at a time: run_begin, then run_next for each
 * item that passes the filter, then run_end.  With 'paged', the run stops
 * at Limit or 1 MB and leaves the key of the last item evaluated in
 * result.last_key (allocated in the memory context run_next was called
 * in); without, Limit (if any) caps the items evaluated and nothing else
 * stops the run.  The SQL layer's rows keep a run open across calls of
 * their set-returning function.
 */
typedef struct PlanRun
{
	ReadPlan   *plan;
	bool		paged;
	DynRead    *read;			/* NULL once ended */
	bool		done;			/* no more items: the range or a limit ran out */
	ReadResult	result;
} PlanRun;

static void
run_begin(PlanRun *run, ReadPlan *plan, bool paged)
{
	memset(run, 0, sizeof(*run));
	run->plan = plan;
	run->paged = paged;
	run->read = dynpg_read_begin(plan->rel, &plan->range, plan->is_query ? 0 : DYN_READ_BULK);
}

/*
 * The next item that passes the filter, projected (*out NULL when the plan
 * only counts), or false at the end of the run.  *out lives in the read's
 * item context (am/dynpg_read.h): until the next call of run_next or
 * run_end, with whatever the filter and the projection allocated, so that
 * nothing is copied and nothing piles up.
 */
static bool
run_next(PlanRun *run, const DynItem **out)
{
	ReadPlan   *plan = run->plan;
	ReadResult *result = &run->result;
	DynItem    *item;

	while (!run->done)
	{
		DynItem    *full;
		bool		pass;
		MemoryContext old;

		if (!dynpg_read_next(run->read, &item))
		{
			run->done = true;
			break;
		}
		old = MemoryContextSwitchTo(dynpg_read_item_context(run->read));
		result->scanned++;

		/*
		 * The size read ends a page and makes the capacity: an index read
		 * counts the projected size (the entry's), as DynamoDB.  The SQL
		 * layer's rows have neither, and skip the walk of every item.
		 */
		if (run->paged)
			result->bytes += dynpg_item_size(item);
		full = item;
		if (plan->fetch_base)
		{
			DynItem    *base = dynpg_read_base_item(run->read, item);

			if (base != NULL)
				full = base;
		}
		pass = plan->filter == NULL || dynpg_expr_eval_condition(plan->filter, full);
		*out = NULL;
		if (pass)
		{
			result->count++;
			if (!plan->count_only)
				*out = plan->paths != NULL ?
					dynpg_expr_project(full, plan->paths, plan->npaths) :
					plan->output_base ? full : item;
		}
		MemoryContextSwitchTo(old);
		if ((plan->limit > 0 && result->scanned >= plan->limit) ||
			(run->paged && result->bytes >= DYN_PAGE_BYTES))
		{
			/*
			 * A Query of a table without a sort key has read its one item:
			 * it is complete, and could not be restarted anyway.  (An
			 * index's partition may hold many.)
			 */
			if (run->paged && plan->has_index)
				result->last_key = index_last_key(plan, item);
			else if (run->paged && !(plan->is_query && plan->ks.sk_name == NULL))
				result->last_key = key_of(item, &plan->ks);
			run->done = true;
		}
		if (pass)
			return true;
	}
	return false;
}

static void
run_end(PlanRun *run)
{
	if (run->read != NULL)
		dynpg_read_end(run->read);
	run->read = NULL;
	run->done = true;
}

/* ---------------------------------------------------------------------
 * Query and Scan requests
 * ---------------------------------------------------------------------
 */

/*
 * Check a Query (is_query) or Scan request and fill *plan; the table is
 * left open (AccessShareLock) in plan->rel.
 *
 * DynamoDB's order, which decides what a request with several faults hears:
 * members' JSON types; constraints; the mixing of legacy and expression
 * parameters; names and values without an expression; the legacy filter
 * and AttributesToGet; ExclusiveStartKey's AttributeValues; Scan's
 * Segment rules; Query's "KeyConditions or KeyConditionExpression"; the
 * expressions, and what a key condition may hold; the table; then, for a
 * Query, the key schema against the key condition and ExclusiveStartKey
 * together (expr_key.c), ExclusiveStartKey's values and place, and last
 * the projection's and filter's use of key attributes.
 */
static void
prepare(DynJson *request, bool is_query, ReadPlan *plan)
{
	const char *op = is_query ? "Query" : "Scan";
	DynRequest	req;
	char	   *table_name;
	char	   *index_name;
	char	   *select;
	DynJson    *to_get;
	int64		limit = 0;
	bool		has_limit;
	bool		consistent = false;
	DynJson    *key_conditions = NULL;
	DynJson    *legacy_filter_jb;
	char	   *conditional_operator;
	bool		forward = true;
	DynJson    *esk_jb;
	char	   *capacity;
	char	   *projection;
	char	   *filter_text;
	char	   *kce = NULL;
	DynJson    *names_jb;
	DynJson    *values_jb;
	int64		segment = 0;
	int64		total_segments = 0;
	bool		has_segment = false;
	bool		has_total = false;
	DynExprContext ectx;
	DynExprNode *key_cond = NULL;
	DynExprNode *filter = NULL;
	DynExprPath *paths = NULL;
	int			npaths = 0;
	DynItem    *esk = NULL;
	DynKey		esk_key;
	const char *projection_param;

	memset(plan, 0, sizeof(*plan));
	plan->is_query = is_query;

	/* 1: members, in the operation's model order */
	dynpg_require_preload();
	dynpg_req_start(&req, op, request);
	table_name = dynpg_req_string(req.root, "TableName");
	index_name = dynpg_req_string(req.root, "IndexName");
	select = dynpg_req_string(req.root, "Select");
	to_get = dynpg_req_list(req.root, "AttributesToGet");
	has_limit = dynpg_req_long(req.root, "Limit", true, &limit);
	(void) dynpg_req_bool(req.root, "ConsistentRead", &consistent);
	if (is_query)
	{
		key_conditions = dynpg_req_map(req.root, "KeyConditions");
		legacy_filter_jb = dynpg_req_map(req.root, "QueryFilter");
	}
	else
		legacy_filter_jb = dynpg_req_map(req.root, "ScanFilter");
	conditional_operator = dynpg_req_string(req.root, "ConditionalOperator");
	if (is_query && !dynpg_req_bool(req.root, "ScanIndexForward", &forward))
		forward = true;			/* absent */
	esk_jb = dynpg_req_map(req.root, "ExclusiveStartKey");
	capacity = dynpg_req_string(req.root, "ReturnConsumedCapacity");
	if (!is_query)
	{
		has_total = dynpg_req_long(req.root, "TotalSegments", true, &total_segments);
		has_segment = dynpg_req_long(req.root, "Segment", true, &segment);
	}
	projection = dynpg_req_string(req.root, "ProjectionExpression");
	filter_text = dynpg_req_string(req.root, "FilterExpression");
	if (is_query)
		kce = dynpg_req_string(req.root, "KeyConditionExpression");
	names_jb = dynpg_req_map(req.root, "ExpressionAttributeNames");
	values_jb = dynpg_req_map(req.root, "ExpressionAttributeValues");

	/*
	 * 2: constraints, in DynamoDB's order for the operation (Scan's
	 * TotalSegments comes early, its Segment and AttributesToGet late)
	 */
	dynpg_req_enum(&req, select, "Select", select_values);
	if (index_name != NULL)
		dynpg_req_table_name(&req, index_name, "IndexName", 3, false);
	if (has_total)
		dynpg_req_range(&req, total_segments, "TotalSegments", 1, DYN_MAX_TOTAL_SEGMENTS);
	dynpg_req_enum(&req, capacity, "ReturnConsumedCapacity", dynpg_api_return_consumed_capacity);
	dynpg_req_table_name_or_arn(&req, table_name, "TableName", 1, false);
	dynpg_req_enum(&req, conditional_operator, "ConditionalOperator", conditional_operators);
	if (is_query && to_get != NULL && dynpg_req_list_length(to_get) == 0)
		dynpg_req_too_short(&req, "AttributesToGet", 1);
	if (has_segment)
		dynpg_req_range(&req, segment, "Segment", 0, DYN_MAX_TOTAL_SEGMENTS - 1);
	if (has_limit)
		dynpg_req_range(&req, limit, "Limit", 1, PG_INT64_MAX);
	if (!is_query && to_get != NULL && dynpg_req_list_length(to_get) == 0)
		dynpg_req_too_short(&req, "AttributesToGet", 1);
	projection_param = projection != NULL ? "ProjectionExpression" :
		to_get != NULL ? "AttributesToGet" : NULL;
	if (is_query)
		check_select(&req, true, select, index_name != NULL, projection_param);
	dynpg_req_finish(&req);

	/*
	 * 3: the operation's own rules, still without the table.  Expression and
	 * legacy parameters do not mix, except that a Query without a
	 * KeyConditionExpression may give KeyConditions with expressions.
	 */
	dynpg_api_check_no_mixing(req.root,
							  !is_query ? scan_legacy : kce != NULL ? query_legacy :
							  query_legacy_filters,
							  is_query ? query_expressions : scan_expressions);
	dynpg_api_expressions_used(names_jb, values_jb,
							   kce != NULL || filter_text != NULL || projection != NULL,
							   kce != NULL || filter_text != NULL,
							   is_query ? "FilterExpression and KeyConditionExpression are null" :
							   "FilterExpression is null");
	/* the legacy filter and AttributesToGet (Query and Scan take them in this order) */
	if (is_query && filter_text == NULL)
		filter = legacy_filter(legacy_filter_jb, conditional_operator, "QueryFilter");
	if (to_get != NULL)
		paths = dynpg_expr_from_attributes_to_get(to_get, &npaths);
	if (!is_query && filter_text == NULL)
		filter = legacy_filter(legacy_filter_jb, conditional_operator, "ScanFilter");
	if (filter_text == NULL)
		dynpg_expr_legacy_between_check(filter);
	if (esk_jb != NULL)
		esk = start_key_item(esk_jb);
	if (!is_query)
	{
		if (has_segment && !has_total)
			dynpg_validation_error("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
		if (has_total && !has_segment)
			dynpg_validation_error("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
		if (has_segment && segment >= total_segments)
			dynpg_validation_error("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: " INT64_FORMAT " is not less than TotalSegments: " INT64_FORMAT,
								   segment, total_segments);
	}
	if (is_query && kce == NULL && key_conditions == NULL)
		dynpg_validation_error("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
	dynpg_api_expression_params(&ectx, names_jb, values_jb,
								kce != NULL || filter_text != NULL || projection != NULL,
								NULL);
	if (kce != NULL)
		key_cond = dynpg_expr_parse_condition(&ectx, kce, "KeyConditionExpression");
	if (filter_text != NULL)
		filter = dynpg_expr_parse_condition(&ectx, filter_text, "FilterExpression");
	if (projection != NULL)
		paths = dynpg_expr_parse_projection(&ectx, projection, &npaths);
	dynpg_expr_check_unused(&ectx);
	if (kce != NULL)
		dynpg_expr_key_condition_check(key_cond);
	else if (is_query)
	{
		key_cond = dynpg_expr_from_conditions(key_conditions, NULL, "KeyConditions");
		dynpg_expr_legacy_between_check(key_cond);
		dynpg_expr_key_condition_count(condition_count(key_conditions));
	}
	if (!is_query)
		check_select(&req, false, select, index_name != NULL, projection_param);

	/* 4: the table, the index */
	plan->rel = dynpg_api_open_item_table(table_name, AccessShareLock, ACL_SELECT, false,
										  &plan->ks);
	plan->tks = plan->ks;
	{
		/* what the cached definition says, copied before anything else runs */
		const DynTableDef *def = dynpg_table_def(plan->rel);
		const DynIndexDef *ixp = index_name != NULL ? dynpg_table_index(def, index_name) : NULL;

		if (index_name != NULL && ixp == NULL)
			dynpg_validation_error("The table does not have the specified index: %s", index_name);
		collect_index_keys(def, plan);
		if (ixp != NULL)
		{
			copy_index(ixp, &plan->ix);
			plan->has_index = true;
		}
	}
	if (plan->has_index)
	{
		plan->ks = plan->ix.key;
		plan->keyspace = (uint8) plan->ix.keyspace;
		plan->tdef.key = plan->tks;
		plan->tdef.table_name = table_name;
		/* a GSI answers once its backfill is done (DescribeTable's Backfilling) */
		if (plan->ix.creating)
			dynpg_validation_error("Cannot read from backfilling global secondary index: %s",
								   plan->ix.index_name);
		if (plan->ix.kind == DYN_INDEX_GLOBAL && consistent)
			dynpg_validation_error("Consistent reads are not supported on global secondary indexes");
	}

	/* 5: keys, then the paths that touch them */
	if (is_query)
	{
		const DynKeySchema *ks = &plan->ks;
		DynKeyCondition kc;
		int			k;

		dynpg_expr_key_condition(key_cond, kce != NULL ? 0 : condition_count(key_conditions),
								 ks, plan->has_index ? &plan->ix.parts : NULL,
								 esk, plan->has_index ? index_start_key_count(plan) : 0,
								 &kc);
		if (esk != NULL)
		{
			bool		same_partition;
			bool		sort_matches = true;
			bool		ranged = kc.sk_op != DSK_NONE;

			if (plan->has_index)
				index_start_key_base(plan, esk);
			start_key_values(esk, ks, &esk_key);
			if (plan->has_index && DYN_INDEX_MULTI(&plan->ix))
			{
				DynIndexKey eikey;

				start_key_parts(plan, esk, &eikey);
				same_partition = eikey.pk.len == kc.pk.len &&
					memcmp(eikey.pk.data, kc.pk.data, kc.pk.len) == 0;
				sort_matches = start_key_sort_matches(&kc, &eikey);
				ranged = ranged || kc.nsk_eq > 0;
			}
			else
			{
				same_partition = esk_key.pk.len == kc.pk.len &&
					memcmp(esk_key.pk.data, kc.pk.data, kc.pk.len) == 0;
				if (ranged)
					sort_matches = dynpg_expr_key_sort_matches(&kc, &esk_key.sk);
			}
			/* DynamoDB's messages, odd as the last one is */
			if (ks->sk_name == NULL && !plan->has_index)
				dynpg_validation_error(MSG_NO_RESTART);
			if (!ranged)
			{
				if (!same_partition)
					dynpg_validation_error("The provided starting key is outside query boundaries based on provided conditions");
			}
			else
			{
				if (!sort_matches)
					dynpg_validation_error("The provided starting key does not match the range key predicate");
				if (!same_partition)
					dynpg_validation_error(MSG_NO_RESTART);
			}
		}
		check_key_paths(plan, 0, paths, npaths, NULL);
		/* the key attributes of the read: an index's own (dynalite's query.js) */
		for (k = 0; filter != NULL &&
			 k < (plan->has_index ? INDEX_NPARTS(&plan->ix) : (ks->sk_name ? 2 : 1)); k++)
		{
			const char *name = plan->has_index ? index_part(&plan->ix, k)->name :
				k == 0 ? ks->pk_name : ks->sk_name;
			int			namelen = plan->has_index ? index_part(&plan->ix, k)->namelen :
				k == 0 ? ks->pk_namelen : ks->sk_namelen;

			if (dynpg_expr_find_attribute(filter, name, namelen) != NULL)
				dynpg_validation_error("%s can only contain non-primary key attributes: Primary key attribute: %.*s",
									   filter_text != NULL ? "Filter Expression" : "QueryFilter",
									   namelen, name);
		}
		if (plan->has_index)
			check_index_select(plan, select, paths, npaths);
		check_key_paths(plan, 1, NULL, 0, filter);
		dynpg_read_query_range(plan->has_index ? &plan->ix : NULL, &kc,
							   forward ? ForwardScanDirection : BackwardScanDirection,
							   &plan->range);
		if (esk != NULL)
			dynpg_read_range_after(&plan->range, &plan->tdef,
								   plan->has_index ? &plan->ix : NULL, &esk_key, esk);
	}
	else
	{
		if (esk != NULL)
		{
			if (plan->has_index)
			{
				/* dynalite's scan.js: the index's key, Select, then the table's key */
				index_scan_start_key(plan, esk);
				check_index_select(plan, select, NULL, 0);
				index_start_key_base(plan, esk);
			}
			else
				check_scan_start_key(esk, &plan->ks);
			start_key_values(esk, &plan->ks, &esk_key);
		}
		if (esk != NULL && plan->has_index && DYN_INDEX_MULTI(&plan->ix))
		{
			/* the partition of a multi-attribute key: the composite of its values */
			DynIndexKey eikey;

			start_key_parts(plan, esk, &eikey);
			esk_key.pk = eikey.pk;
		}
		if (esk != NULL && has_segment &&
			!dynpg_read_segment_holds(segment, total_segments, dynpg_partition_hash(&esk_key.pk)))
				dynpg_validation_error("The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: " INT64_FORMAT " Segment: " INT64_FORMAT,
									   total_segments, segment);
		if (plan->has_index)
			check_index_select(plan, select, paths, npaths);
		check_key_paths(plan, 0, paths, npaths, NULL);
		check_key_paths(plan, 1, NULL, 0, filter);
		if (plan->has_index && plan->ix.kind == DYN_INDEX_LOCAL &&
			plan->ix.projection != DYN_PROJECTION_ALL && filter_needs_base(plan, filter))
			plan->fetch_base = true;
		dynpg_read_scan_range(plan->keyspace, segment, has_segment ? total_segments : 0,
							  &plan->range);
		if (esk != NULL)
			dynpg_read_range_after(&plan->range, &plan->tdef,
								   plan->has_index ? &plan->ix : NULL, &esk_key, esk);
	}
	if (is_query && plan->has_index && plan->ix.kind == DYN_INDEX_LOCAL &&
		plan->ix.projection != DYN_PROJECTION_ALL && filter_needs_base(plan, filter))
		plan->fetch_base = true;

	plan->table_name = table_name;
	plan->filter = filter;
	plan->paths = paths;
	plan->npaths = npaths;
	plan->count_only = select != NULL && strcmp(select, "COUNT") == 0;
	plan->limit = has_limit ? limit : 0;
	plan->consistent = consistent;
	plan->capacity = capacity;
}

/*
 * The response is a tree whose items are DJ_ITEM nodes (api/dynpg_wire.h):
 * written in jsonb's binary form (SQL) or as DynamoDB JSON text (HTTP)
 * straight from the items read, never built as a JsonbValue tree first,
 * which would cost several times the read itself (tests/bench/query_scan.sh).
 */
static void
emit_collect(const DynItem *item, DynOut **st)
{
	Size		len = VARSIZE_ANY(item);
	DynItem    *copy = palloc(len);

	memcpy(copy, item, len);
	dynpg_out_item(st, NULL, copy);
}

/*
 * ConsumedCapacity: TableName, CapacityUnits, and with INDEXES Table and
 * LocalSecondaryIndexes / GlobalSecondaryIndexes.  With INDEXES, a read of
 * an index charges the index and nothing to the table, as DynamoDB reports
 * it ('Table': {'CapacityUnits': 0.0}, 'GlobalSecondaryIndexes': {'gsi1':
 * {'CapacityUnits': 2.0}}, captured from DynamoDB in a caching proxy's
 * tests).
 */
static void
push_units(DynOut **st, const char *key, const char *units)
{
	dynpg_out_begin_object(st, key);
	dynpg_out_numeric_text(st, "CapacityUnits", units);
	(void) dynpg_out_end_object(st);
}

static void
push_capacity(DynOut **st, const char *mode, const char *table_name, int64 half_units,
			  const DynIndexDef *ix)
{
	char	   *units = psprintf(INT64_FORMAT ".%d", half_units / 2, half_units % 2 ? 5 : 0);
	bool		indexes = strcmp(mode, "INDEXES") == 0;
	bool		by_index = indexes && ix != NULL;

	dynpg_out_begin_object(st, "ConsumedCapacity");
	if (indexes)
		push_units(st, "Table", by_index ? "0.0" : units);
	dynpg_out_string(st, "TableName", table_name);
	dynpg_out_numeric_text(st, "CapacityUnits", units);
	if (by_index)
	{
		dynpg_out_begin_object(st, ix->kind == DYN_INDEX_LOCAL ? "LocalSecondaryIndexes" :
							   "GlobalSecondaryIndexes");
		push_units(st, ix->index_name, units);
		(void) dynpg_out_end_object(st);
	}
	(void) dynpg_out_end_object(st);
}

static DynJson *
run_wire(DynJson *request, bool is_query)
{
	ReadPlan	plan;
	PlanRun		run;
	ReadResult	result;
	const DynItem *item;
	DynOut	   *st = NULL;
	DynOut	   *items = NULL;
	DynJson    *root;

	prepare(request, is_query, &plan);
	dynpg_out_begin_object(&st, NULL);
	root = NULL;
	/* the items first, into an array of their own */
	dynpg_out_begin_array(&items, NULL);
	run_begin(&run, &plan, true);
	while (run_next(&run, &item))
	{
		if (!plan.count_only)
			emit_collect(item, &items);
	}
	result = run.result;
	run_end(&run);
	table_close(plan.rel, NoLock);

	dynpg_out_int64(&st, "Count", result.count);
	if (!plan.count_only)
		dynpg_out_json(&st, "Items", dynpg_out_end_array(&items));
	dynpg_out_int64(&st, "ScannedCount", result.scanned);
	if (dynpg_api_capacity_wanted(plan.capacity))
	{
		int64		units = dynpg_api_units_for(result.bytes, DYN_READ_UNIT_BYTES);

		push_capacity(&st, plan.capacity, plan.table_name, plan.consistent ? 2 * units : units,
					  plan.has_index ? &plan.ix : NULL);
	}
	if (result.last_key != NULL)
		dynpg_out_item(&st, "LastEvaluatedKey", result.last_key);
	root = dynpg_out_end_object(&st);
	return dynpg_out_finish(root);
}

DynJson *
dynpg_api_query(DynJson *request)
{
	return run_wire(request, true);
}

DynJson *
dynpg_api_scan(DynJson *request)
{
	return run_wire(request, false);
}

/* ---------------------------------------------------------------------
 * The SQL layer: every item of a Query or Scan request, as rows
 * ---------------------------------------------------------------------
 */

/*
 * The rows stream: a value-per-call set-returning function whose first call
 * checks the request and opens the run, and whose every call returns the
 * next item, so a caller that stops early (LIMIT, a cursor closed) has read
 * only what it took.  What the executor does with the stream is its own
 * (see the README, "The SQL layer's rows"): a call in a query's target list
 * (ProjectSet, which is how the SQL functions query_items and scan_items are
 * inlined) takes one item per row; a call in FROM (FunctionScan) collects
 * them all in a tuplestore first.
 *
 * The run's state lives in the multi-call context: the plan, the open
 * relation, the read, and the snapshot, registered, so that every call
 * reads from the snapshot of the first, whatever the caller does between
 * calls -- its own writes after the statement started are not seen (their
 * command ids are not below the snapshot's), as a heap scan would not see
 * them, and a loop that writes to the table it scans ends.  Each call's work
 * is done in a context reset at the next call; the item returned lives
 * there or in the read's item context, both valid until the next call, as
 * a value-per-call result must be.
 *
 * The end: at the end of the items the function closes the run itself;
 * when the caller stops first, the executor shuts the expression context
 * down (the end of the query, a rescan) and rows_shutdown closes it.  After
 * an error nothing is called: the transaction's (or subtransaction's)
 * abort releases the relation, the snapshot and the memory, and the read
 * holds no buffer pin between calls (storage/btscan.c copies a leaf's
 * versions and lets the buffer go).
 */
typedef struct RowsState
{
	ReadPlan	plan;
	PlanRun		run;
	Snapshot	snapshot;		/* registered; NULL once closed */
	MemoryContext callcxt;		/* one call's work */
	ExprContext *econtext;		/* where rows_shutdown is registered */
} RowsState;

static void
rows_close(RowsState *rs)
{
	if (rs->snapshot == NULL)
		return;
	run_end(&rs->run);
	table_close(rs->plan.rel, NoLock);
	UnregisterSnapshot(rs->snapshot);
	rs->snapshot = NULL;
}

/* The executor's shutdown of a stream it stopped reading. */
static void
rows_shutdown(Datum arg)
{
	rows_close((RowsState *) DatumGetPointer(arg));
}

static Datum
run_rows(FunctionCallInfo fcinfo, bool is_query)
{
	FuncCallContext *funcctx;
	RowsState  *rs;
	const DynItem *item;
	bool		found;
	MemoryContext old;

	if (SRF_IS_FIRSTCALL())
	{
		ReturnSetInfo *rsinfo;

		/* checks that the caller takes a set, and registers its own shutdown */
		funcctx = SRF_FIRSTCALL_INIT();
		rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		rs = palloc0(sizeof(RowsState));
		prepare(dynpg_json_from_jsonb(PG_GETARG_JSONB_P(0)), is_query, &rs->plan);
		if (rs->plan.count_only)
			dynpg_validation_error("Select COUNT returns no items: use dynpg.%s for the count",
								   is_query ? "query" : "scan");
		rs->callcxt = AllocSetContextCreate(funcctx->multi_call_memory_ctx,
											"dynpg rows call", ALLOCSET_DEFAULT_SIZES);
		/* the snapshot the statement runs with, for every call */
		rs->snapshot = RegisterSnapshot(dynpg_read_snapshot());
		PushActiveSnapshot(rs->snapshot);
		run_begin(&rs->run, &rs->plan, false);
		PopActiveSnapshot();

		/*
		 * Registered after SRF_FIRSTCALL_INIT's: callbacks run newest first,
		 * so this one ends the read before the multi-call context goes.
		 */
		rs->econtext = rsinfo->econtext;
		RegisterExprContextCallback(rs->econtext, rows_shutdown, PointerGetDatum(rs));
		funcctx->user_fctx = rs;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	rs = (RowsState *) funcctx->user_fctx;

	MemoryContextReset(rs->callcxt);
	old = MemoryContextSwitchTo(rs->callcxt);
	found = run_next(&rs->run, &item);
	MemoryContextSwitchTo(old);
	if (found)
		SRF_RETURN_NEXT(funcctx, PointerGetDatum(item));

	UnregisterExprContextCallback(rs->econtext, rows_shutdown, PointerGetDatum(rs));
	rows_close(rs);
	SRF_RETURN_DONE(funcctx);
}

PG_FUNCTION_INFO_V1(dynpg_query_request_items);
Datum
dynpg_query_request_items(PG_FUNCTION_ARGS)
{
	return run_rows(fcinfo, true);
}

PG_FUNCTION_INFO_V1(dynpg_scan_request_items);
Datum
dynpg_scan_request_items(PG_FUNCTION_ARGS)
{
	return run_rows(fcinfo, false);
}
