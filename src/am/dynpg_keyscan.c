/*-------------------------------------------------------------------------
 *
 * dynpg_keyscan.c
 *	  The key scan: a custom scan the planner chooses for a SQL query
 *	  that names an item's key, read as GetItem or Query reads it.
 *
 * A dynpg table is ordered by its storage key, but PostgreSQL knows
 * nothing of it: without help, every WHERE is a sequential scan.  The
 * set_rel_pathlist hook below looks at the restrictions on a dynpg table
 * for an equality on the partition key attribute, written
 *
 *		item ->> 'pk' = <text>			(dynpg.attr_text(item, 'pk') = ...)
 *		item -> 'pk' = <typed jsonb>	(dynpg.attr(item, 'pk') = ...)
 *
 *		(item ->> 'pk')::numeric = <numeric>	(a number key)
 *		item ->> 'pk' IN (...), = ANY (<array>)
 *
 * where <...> is a value fixed for the scan (a constant, a parameter, a
 * stable expression: anything without the table's columns and without
 * volatile functions) or for each outer row of a nested loop, and offers a
 * "DynpgKeyScan" path reading the partition -- narrowed by what the
 * restrictions say of the sort key: the same equalities; a range,
 * (item ->> 'sk')::numeric < > <= >= BETWEEN for a number sort key, or
 * item ->> 'sk' < > <= >= under a collation that compares bytes ("C") for
 * a string one; a prefix, LIKE 'abc%' or starts_with / ^@ -- through the
 * read path (dynpg_read.h): the range a Query builds, the same snapshot
 * and predicate lock.  Every restriction, the key ones included, stays the
 * scan's filter, so the key scan may read more than the WHERE keeps but
 * never less: 'item ->> ''n'' = ''1.0''' reads the item of number key 1
 * and the filter drops it, since ->> gives "1".  A value that no key can
 * equal (the wrong type letter, not a number, NULL) reads nothing.
 *
 * Text equality under a nondeterministic collation can hold for different
 * bytes, so a key scan is offered only under a deterministic one.
 *
 * The key scan is an ordinary scan node: it can be the row source of an
 * UPDATE or DELETE (its rows carry their TIDs, and it tells the TID map
 * about them as the table's own scans do: dynpg_tidmap.c), it honours EvalPlanQual
 * (ExecScan re-checks a re-fetched row with the filter), and EXPLAIN
 * shows it with the key it reads.  dynpg.enable_keyscan (on) turns it off,
 * to compare plans.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/pg_locale.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

#include "am/dynpg_am.h"
#include "am/dynpg_am_internal.h"
#include "am/dynpg_keyscan.h"
#include "am/dynpg_read.h"
#include "am/dynpg_tidmap.h"
#include "catalog/dynpg_catalog.h"
#include "storage/dynpg_bt.h"
#include "types/dynpg_base64.h"
#include "types/dynpg_key.h"

static bool dynpg_enable_keyscan = true;
static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;

/* How a clause gives a key attribute its value. */
typedef enum KeyValueKind
{
	KV_TEXT,					/* item ->> 'k' */
	KV_JSONB,					/* item -> 'k', typed jsonb */
	KV_NUMERIC					/* (item ->> 'k')::numeric */
} KeyValueKind;

typedef enum KeyOp
{
	KO_EQ,
	KO_LT,
	KO_LE,
	KO_GT,
	KO_GE,
	KO_PREFIX,					/* starts_with, ^@: the value is the prefix */
	KO_LIKE						/* LIKE: the value is a pattern */
} KeyOp;

/* A clause naming a key attribute, and the value it compares it with. */
typedef struct KeyMatch
{
	Expr	   *value;			/* NULL: no such clause */
	KeyValueKind kind;
	KeyOp		op;
	bool		array;			/* k IN (...) / k = ANY (array): value is an array */
} KeyMatch;

/*
 * The key a scan reads: the partition key's values and what narrows the
 * sort key.  The CustomScan carries the value expressions in custom_exprs
 * (one per slot, a NULL constant for an empty slot) and, in custom_private,
 * three integers per slot: present, kind, op, array folded as below.
 */
enum
{
	SLOT_PK,					/* = or IN on the partition key */
	SLOT_SK_EQ,					/* = or IN on the sort key */
	SLOT_SK_LOWER,				/* > or >= */
	SLOT_SK_UPPER,				/* < or <= */
	SLOT_SK_PREFIX,				/* starts_with, ^@, LIKE */
	NSLOTS
};

typedef struct KeyPlan
{
	KeyMatch	slot[NSLOTS];
} KeyPlan;

typedef struct DynKeyScanState
{
	CustomScanState css;
	List	   *values;			/* ExprStates, one per slot */
	KeyMatch	slot[NSLOTS];	/* value: non-NULL when the slot is used */
	bool		started;
	/* the keys to read (distinct, in storage order) and the next one */
	int			nkeys;
	int			nextkey;
	DynKeyCondition *keys;
	DynRead    *read;			/* the current key's read, or NULL */
	MemoryContext keycxt;		/* the keys, their values and reads; reset by a rescan */
	/* the TIDs returned, for an UPDATE, DELETE or row lock (dynpg_tidmap.c) */
	int			tidslot;		/* the last row's slot, or -1 */
	bool		tidmap;			/* remember every row */
} DynKeyScanState;

static Plan *plan_keyscan(PlannerInfo *root, RelOptInfo *rel, struct CustomPath *best_path,
						  List *tlist, List *clauses, List *custom_plans);
static Node *create_keyscan_state(CustomScan *cscan);
static void begin_keyscan(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_keyscan(CustomScanState *node);
static void end_keyscan(CustomScanState *node);
static void rescan_keyscan(CustomScanState *node);
static void explain_keyscan(CustomScanState *node, List *ancestors, ExplainState *es);

static const CustomPathMethods keyscan_path_methods = {
	.CustomName = "DynpgKeyScan",
	.PlanCustomPath = plan_keyscan,
};

static const CustomScanMethods keyscan_plan_methods = {
	.CustomName = "DynpgKeyScan",
	.CreateCustomScanState = create_keyscan_state,
};

static const CustomExecMethods keyscan_exec_methods = {
	.CustomName = "DynpgKeyScan",
	.BeginCustomScan = begin_keyscan,
	.ExecCustomScan = exec_keyscan,
	.EndCustomScan = end_keyscan,
	.ReScanCustomScan = rescan_keyscan,
	.ExplainCustomScan = explain_keyscan,
};

/* ---------------------------------------------------------------------
 * Planning
 * ---------------------------------------------------------------------
 */

/*
 * If 'e' is dynpg.attr_text(item, '<name>') (*kind KV_TEXT), that cast to
 * numeric (KV_NUMERIC) or dynpg.attr(item, '<name>') (KV_JSONB) on column 1
 * of relation 'relid', return the attribute name.
 */
static char *
attribute_accessor(Node *e, Index relid, KeyValueKind *kind)
{
	Oid			funcid;
	List	   *args;
	Var		   *var;
	Const	   *name;
	char	   *fname;
	bool		numeric = false;

	if (IsA(e, CoerceViaIO) && ((CoerceViaIO *) e)->resulttype == NUMERICOID)
	{
		e = (Node *) ((CoerceViaIO *) e)->arg;
		numeric = true;
	}
	if (IsA(e, OpExpr))
	{
		set_opfuncid((OpExpr *) e);
		funcid = ((OpExpr *) e)->opfuncid;
		args = ((OpExpr *) e)->args;
	}
	else if (IsA(e, FuncExpr))
	{
		funcid = ((FuncExpr *) e)->funcid;
		args = ((FuncExpr *) e)->args;
	}
	else
		return NULL;
	if (list_length(args) != 2 || !IsA(linitial(args), Var) || !IsA(lsecond(args), Const))
		return NULL;
	var = (Var *) linitial(args);
	name = (Const *) lsecond(args);
	if (var->varno != relid || var->varattno != 1 || var->varlevelsup != 0 ||
		name->constisnull || name->consttype != TEXTOID)
		return NULL;
	fname = get_func_name(funcid);
	if (fname == NULL || get_func_namespace(funcid) != get_namespace_oid("dynpg", true))
		return NULL;
	if (strcmp(fname, "attr_text") == 0)
		*kind = numeric ? KV_NUMERIC : KV_TEXT;
	else if (strcmp(fname, "attr") == 0 && !numeric)
		*kind = KV_JSONB;
	else
		return NULL;
	return TextDatumGetCString(name->constvalue);
}

/* The comparison 'funcid' as a KeyOp for values of 'kind', or -1. */
static int
key_op(Oid funcid, KeyValueKind *kind_expected)
{
	switch (funcid)
	{
		case F_TEXTEQ:
			*kind_expected = KV_TEXT;
			return KO_EQ;
		case F_JSONB_EQ:
			*kind_expected = KV_JSONB;
			return KO_EQ;
		case F_NUMERIC_EQ:
			*kind_expected = KV_NUMERIC;
			return KO_EQ;
		case F_TEXT_LT:
		case F_NUMERIC_LT:
			*kind_expected = funcid == F_TEXT_LT ? KV_TEXT : KV_NUMERIC;
			return KO_LT;
		case F_TEXT_LE:
		case F_NUMERIC_LE:
			*kind_expected = funcid == F_TEXT_LE ? KV_TEXT : KV_NUMERIC;
			return KO_LE;
		case F_TEXT_GT:
		case F_NUMERIC_GT:
			*kind_expected = funcid == F_TEXT_GT ? KV_TEXT : KV_NUMERIC;
			return KO_GT;
		case F_TEXT_GE:
		case F_NUMERIC_GE:
			*kind_expected = funcid == F_TEXT_GE ? KV_TEXT : KV_NUMERIC;
			return KO_GE;
		case F_STARTS_WITH:
			*kind_expected = KV_TEXT;
			return KO_PREFIX;
		case F_TEXTLIKE:
		case F_LIKE_TEXT_TEXT:
			*kind_expected = KV_TEXT;
			return KO_LIKE;
		default:
			return -1;
	}
}

static int
commuted(int op)
{
	switch (op)
	{
		case KO_LT:
			return KO_GT;
		case KO_LE:
			return KO_GE;
		case KO_GT:
			return KO_LT;
		case KO_GE:
			return KO_LE;
		case KO_EQ:
			return KO_EQ;
		default:
			return -1;			/* a prefix or a pattern must be on the right */
	}
}

/*
 * If 'clause' compares an attribute of the item with a value fixed for the
 * scan -- or, 'join' true, fixed for each row of the other relations it
 * names -- in a way a key read can use, return the attribute's name and
 * fill *m.  Text order is the key order of strings only under a collation
 * comparing bytes; text equality, prefixes and patterns only need a
 * deterministic one.
 */
static char *
match_key_clause(PlannerInfo *root, Expr *clause, Index relid, bool join, KeyMatch *m)
{
	Oid			funcid;
	Oid			collid;
	List	   *args;
	Node	   *left;
	Node	   *right;
	char	   *name;
	KeyValueKind kind;
	KeyValueKind expected;
	int			op;
	bool		array = false;

	if (IsA(clause, OpExpr))
	{
		set_opfuncid((OpExpr *) clause);
		funcid = ((OpExpr *) clause)->opfuncid;
		collid = ((OpExpr *) clause)->inputcollid;
		args = ((OpExpr *) clause)->args;
	}
	else if (IsA(clause, FuncExpr) && ((FuncExpr *) clause)->funcid == F_STARTS_WITH)
	{
		funcid = F_STARTS_WITH;
		collid = ((FuncExpr *) clause)->inputcollid;
		args = ((FuncExpr *) clause)->args;
	}
	else if (IsA(clause, ScalarArrayOpExpr) && ((ScalarArrayOpExpr *) clause)->useOr)
	{
		/* k IN (...), k = ANY (...): the attribute on the left */
		set_sa_opfuncid((ScalarArrayOpExpr *) clause);
		funcid = ((ScalarArrayOpExpr *) clause)->opfuncid;
		collid = ((ScalarArrayOpExpr *) clause)->inputcollid;
		args = ((ScalarArrayOpExpr *) clause)->args;
		array = true;
	}
	else
		return NULL;
	if (list_length(args) != 2)
		return NULL;
	op = key_op(funcid, &expected);
	if (op < 0 || (array && op != KO_EQ))
		return NULL;
	left = linitial(args);
	right = lsecond(args);
	name = attribute_accessor(left, relid, &kind);
	if (name == NULL && !array)
	{
		Node	   *t = left;

		left = right;
		right = t;
		op = commuted(op);
		if (op < 0)
			return NULL;
		name = attribute_accessor(left, relid, &kind);
	}
	if (name == NULL || kind != expected)
		return NULL;
	if (kind == KV_TEXT)
	{
		if (!OidIsValid(collid) || !get_collation_isdeterministic(collid))
			return NULL;
		if (op != KO_EQ && op != KO_PREFIX && op != KO_LIKE && !lc_collate_is_c(collid))
			return NULL;
	}
	/* the value: without this relation, volatile functions or sub-plans */
	if (contain_volatile_functions(right) || contain_subplans(right))
		return NULL;
	if (join ? bms_is_member(relid, pull_varnos(root, right)) : contain_var_clause(right))
		return NULL;
	m->value = (Expr *) right;
	m->kind = kind;
	m->op = (KeyOp) op;
	m->array = array;
	return name;
}

static bool
name_is(const char *name, const char *key, int32 keylen)
{
	return key != NULL && (int32) strlen(name) == keylen && memcmp(name, key, keylen) == 0;
}

/*
 * Put clause match 'm' on key attribute 'name' in its slot of 'kp' (the
 * first of each kind wins; the others stay filters).
 */
static void
place_match(KeyPlan *kp, const DynTableDef *def, const char *name, const KeyMatch *m)
{
	int			slot;

	if (name_is(name, def->key.pk_name, def->key.pk_namelen))
	{
		if (m->op != KO_EQ)
			return;
		slot = SLOT_PK;
	}
	else if (name_is(name, def->key.sk_name, def->key.sk_namelen))
	{
		/* string sort keys by text, number ones by numeric: key order */
		if (m->kind == KV_NUMERIC ? def->key.sk_type != DYN_T_N :
			(m->op != KO_EQ && def->key.sk_type != DYN_T_S))
			return;
		switch (m->op)
		{
			case KO_EQ:
				slot = SLOT_SK_EQ;
				break;
			case KO_GT:
			case KO_GE:
				slot = SLOT_SK_LOWER;
				break;
			case KO_LT:
			case KO_LE:
				slot = SLOT_SK_UPPER;
				break;
			default:
				slot = SLOT_SK_PREFIX;
				break;
		}
	}
	else
		return;
	if (m->kind == KV_NUMERIC && slot == SLOT_PK && def->key.pk_type != DYN_T_N)
		return;
	if (kp->slot[slot].value == NULL)
		kp->slot[slot] = *m;
}

/* generate_implied_equalities_for_column's test: item ->> / -> of attribute 'arg' */
static bool
ec_member_is_attribute(PlannerInfo *root, RelOptInfo *rel, EquivalenceClass *ec,
					   EquivalenceMember *em, void *arg)
{
	KeyValueKind kind;
	char	   *name;

	if (em->em_is_const || em->em_is_child)
		return false;
	name = attribute_accessor((Node *) em->em_expr, rel->relid, &kind);
	return name != NULL && strcmp(name, (const char *) arg) == 0;
}

/*
 * The join clauses that may give key attribute 'name' a value per outer
 * row: those implied by its equivalence classes (the function returns the
 * clauses of one class only, so it is asked per attribute) and those of
 * joininfo (equalities that are not merge-joinable).
 */
static List *
key_join_clauses(PlannerInfo *root, RelOptInfo *rel, const char *name, int32 namelen)
{
	char	   *cname = pnstrdup(name, namelen);

	return list_concat(generate_implied_equalities_for_column(root, rel, ec_member_is_attribute,
															  cname, NULL),
					   list_copy(rel->joininfo));
}

/* How many values an IN list or array holds, as far as the planner can tell. */
static double
value_count(const KeyMatch *m)
{
	if (m->value == NULL || !m->array)
		return 1.0;
	if (IsA(m->value, Const) && !((Const *) m->value)->constisnull)
	{
		ArrayType  *a = DatumGetArrayTypeP(((Const *) m->value)->constvalue);

		return Max(1, ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a)));
	}
	if (IsA(m->value, ArrayExpr))
		return Max(1, list_length(((ArrayExpr *) m->value)->elements));
	return 10.0;
}

/*
 * Add a key-scan path for 'kp', parameterized by 'required_outer' (NULL:
 * the values are fixed for the whole scan).
 */
static void
add_keyscan_path(PlannerInfo *root, RelOptInfo *rel, const KeyPlan *kp, Relids required_outer)
{
	CustomPath *cpath = makeNode(CustomPath);
	QualCost	qcost;
	double		rows;
	double		reads;
	List	   *flags = NIL;
	List	   *exprs = NIL;
	int			i;

	cpath->path.pathtype = T_CustomScan;
	cpath->path.parent = rel;
	cpath->path.pathtarget = rel->reltarget;
	cpath->path.param_info = get_baserel_parampathinfo(root, rel, required_outer);
	cpath->path.parallel_aware = false;
	cpath->path.parallel_safe = false;
	cpath->path.parallel_workers = 0;
	cpath->path.pathkeys = NIL;
	rows = cpath->path.param_info ? cpath->path.param_info->ppi_rows : rel->rows;
	cpath->path.rows = rows;

	/*
	 * Per key read, a descent of the tree -- its upper levels are nearly
	 * always cached, so one random page (the leaf) and the key comparisons
	 * of the binary searches -- and the items read, each filtered: one per
	 * read when both keys are given, else the share of the table the
	 * planner expects the restrictions to keep.
	 */
	cost_qual_eval(&qcost, rel->baserestrictinfo, root);
	if (cpath->path.param_info)
	{
		QualCost	jcost;

		cost_qual_eval(&jcost, cpath->path.param_info->ppi_clauses, root);
		qcost.startup += jcost.startup;
		qcost.per_tuple += jcost.per_tuple;
	}
	reads = value_count(&kp->slot[SLOT_PK]) * value_count(&kp->slot[SLOT_SK_EQ]);
	rows = kp->slot[SLOT_SK_EQ].value != NULL ? reads : Max(rows, 1.0);
	cpath->path.startup_cost = qcost.startup;
	cpath->path.total_cost = qcost.startup +
		reads * (random_page_cost + 30 * cpu_operator_cost) +
		rows * (cpu_tuple_cost + qcost.per_tuple);
	cpath->flags = 0;
	cpath->custom_paths = NIL;
	for (i = 0; i < NSLOTS; i++)
	{
		const KeyMatch *m = &kp->slot[i];

		flags = lappend_int(flags, m->value != NULL);
		flags = lappend_int(flags, m->kind);
		flags = lappend_int(flags, m->op * 2 + (m->array ? 1 : 0));
		exprs = lappend(exprs, m->value != NULL ? m->value :
						(Expr *) makeNullConst(TEXTOID, -1, InvalidOid));
	}
	/* custom_private: (the slots' flags, the value expressions) */
	cpath->custom_private = list_make2(flags, exprs);
	cpath->methods = &keyscan_path_methods;
	add_path(rel, (Path *) cpath);
}

static void
keyscan_pathlist(PlannerInfo *root, RelOptInfo *rel, Index rti, RangeTblEntry *rte)
{
	Relation	relation;
	const DynTableDef *def;
	KeyPlan		kp;
	ListCell   *lc;
	List	   *joinclauses;
	List	   *skclauses;

	if (prev_set_rel_pathlist_hook)
		prev_set_rel_pathlist_hook(root, rel, rti, rte);
	if (!dynpg_enable_keyscan || rte->rtekind != RTE_RELATION ||
		rel->reloptkind != RELOPT_BASEREL || rte->inh)
		return;
	/* nothing restricts the relation: no key to read by */
	if (rel->baserestrictinfo == NIL && rel->joininfo == NIL && !rel->has_eclass_joins)
		return;
	relation = table_open(rte->relid, NoLock);
	if (!dynpg_is_dynpg_relation(relation) || RelationGetDescr(relation)->natts < 1)
	{
		table_close(relation, NoLock);
		return;
	}
	/* a relation whose definition is broken is scanned, not read by key */
	def = dynpg_table_def_or_null(relation);
	if (def == NULL)
	{
		table_close(relation, NoLock);
		return;
	}

	/* values fixed for the whole scan: the restrictions */
	memset(&kp, 0, sizeof(kp));
	foreach(lc, rel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		KeyMatch	m;
		char	   *name;

		if (ri->pseudoconstant)
			continue;
		name = match_key_clause(root, ri->clause, rel->relid, false, &m);
		if (name != NULL)
			place_match(&kp, def, name, &m);
	}
	if (kp.slot[SLOT_PK].value != NULL)
		add_keyscan_path(root, rel, &kp, NULL);

	/*
	 * Values fixed per row of other relations: a join on the partition key
	 * (its equalities are in equivalence classes, or in joininfo when not
	 * merge-joinable), read as a nested loop's inner side, one partition
	 * (or item) per outer row.
	 */
	joinclauses = key_join_clauses(root, rel, def->key.pk_name, def->key.pk_namelen);
	skclauses = def->key.sk_name != NULL && kp.slot[SLOT_SK_EQ].value == NULL ?
		key_join_clauses(root, rel, def->key.sk_name, def->key.sk_namelen) : NIL;
	foreach(lc, joinclauses)
	{
		RestrictInfo *ri = lfirst_node(RestrictInfo, lc);
		KeyPlan		jkp = kp;
		KeyMatch	m;
		Relids		outer;
		char	   *name;
		ListCell   *lc2;

		if (ri->pseudoconstant || !join_clause_is_movable_to(ri, rel))
			continue;
		name = match_key_clause(root, ri->clause, rel->relid, true, &m);
		if (name == NULL || m.op != KO_EQ || !name_is(name, def->key.pk_name, def->key.pk_namelen))
			continue;
		outer = bms_difference(ri->clause_relids, rel->relids);
		if (bms_is_empty(outer))
			continue;
		jkp.slot[SLOT_PK] = m;
		/* the sort key too, if a clause gives it from the same relations */
		foreach(lc2, skclauses)
		{
			RestrictInfo *ri2 = lfirst_node(RestrictInfo, lc2);
			KeyMatch	m2;
			char	   *name2;

			if (ri2->pseudoconstant || !join_clause_is_movable_to(ri2, rel) ||
				!bms_is_subset(bms_difference(ri2->clause_relids, rel->relids), outer))
				continue;
			name2 = match_key_clause(root, ri2->clause, rel->relid, true, &m2);
			if (name2 != NULL && m2.op == KO_EQ &&
				name_is(name2, def->key.sk_name, def->key.sk_namelen))
			{
				jkp.slot[SLOT_SK_EQ] = m2;
				break;
			}
		}
		add_keyscan_path(root, rel, &jkp, outer);
	}
	table_close(relation, NoLock);
}

static Plan *
plan_keyscan(PlannerInfo *root, RelOptInfo *rel, struct CustomPath *best_path,
			 List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);

	cscan->scan.plan.targetlist = tlist;
	/* every restriction stays a filter: the key read may read more, never less */
	cscan->scan.plan.qual = extract_actual_clauses(clauses, false);
	cscan->scan.scanrelid = rel->relid;
	cscan->flags = best_path->flags;
	cscan->custom_plans = NIL;
	cscan->custom_exprs = copyObject((List *) lsecond(best_path->custom_private));
	cscan->custom_private = list_copy((List *) linitial(best_path->custom_private));
	cscan->custom_scan_tlist = NIL;
	cscan->custom_relids = NULL;
	cscan->methods = &keyscan_plan_methods;
	return &cscan->scan.plan;
}

/* ---------------------------------------------------------------------
 * Execution
 * ---------------------------------------------------------------------
 */

static Node *
create_keyscan_state(CustomScan *cscan)
{
	DynKeyScanState *s = palloc0(sizeof(DynKeyScanState));
	ListCell   *lc = list_head(cscan->custom_private);
	ListCell   *lx = list_head(cscan->custom_exprs);
	int			i;

	NodeSetTag(s, T_CustomScanState);
	s->css.methods = &keyscan_exec_methods;
	s->tidslot = -1;
	for (i = 0; i < NSLOTS; i++)
	{
		KeyMatch   *m = &s->slot[i];
		bool		present = lfirst_int(lc) != 0;
		int			opa;

		lc = lnext(cscan->custom_private, lc);
		m->kind = (KeyValueKind) lfirst_int(lc);
		lc = lnext(cscan->custom_private, lc);
		opa = lfirst_int(lc);
		lc = lnext(cscan->custom_private, lc);
		m->op = (KeyOp) (opa / 2);
		m->array = (opa % 2) != 0;
		/* (the expression itself is compiled by begin_keyscan) */
		m->value = present ? (Expr *) lfirst(lx) : NULL;
		lx = lnext(cscan->custom_exprs, lx);
	}
	return (Node *) s;
}

static void
begin_keyscan(CustomScanState *node, EState *estate, int eflags)
{
	DynKeyScanState *s = (DynKeyScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;

	s->values = ExecInitExprList(cscan->custom_exprs, &node->ss.ps);
	s->keycxt = AllocSetContextCreate(CurrentMemoryContext, "dynpg key scan",
									  ALLOCSET_DEFAULT_SIZES);
}

/* Whether 'text' is canonical base64 (what ->> gives for B), so it decodes without error. */
static bool
base64_well_formed(const char *p, int len)
{
	int			i;
	int			pad = 0;

	if (len % 4 != 0)
		return false;
	for (i = 0; i < len; i++)
	{
		char		c = p[i];

		if (c == '=')
		{
			if (i < len - 2)
				return false;
			pad++;
		}
		else if (pad > 0 ||
				 !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				   (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
	}
	return true;
}

/*
 * The key value 'd' (text, typed jsonb or numeric) as a value of key type 'type'
 * in *out, or false if no item's key can equal it.  Memory: the current
 * context.
 */
static bool
key_value(Datum d, KeyValueKind kind, DynType type, bool is_pk, DynRef *out)
{
	char	   *str;
	int			len;

	if (kind == KV_NUMERIC)
	{
		/* NaN and the infinities are no DynamoDB number */
		str = DatumGetCString(DirectFunctionCall1(numeric_out, d));
		len = strlen(str);
		if (type != DYN_T_N || !isdigit((unsigned char) str[len - 1]))
			return false;
	}
	else if (kind == KV_JSONB)
	{
		Jsonb	   *jb = DatumGetJsonbP(d);
		JsonbValue	k;
		JsonbValue *v;

		if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_COUNT(jb) != 1)
			return false;
		k.type = jbvString;
		k.val.string.val = (char *) dynpg_type_name(type);
		k.val.string.len = strlen(k.val.string.val);
		v = findJsonbValueFromContainer(&jb->root, JB_FOBJECT, &k);
		if (v == NULL || v->type != jbvString)
			return false;
		str = v->val.string.val;
		len = v->val.string.len;
	}
	else
	{
		text	   *t = DatumGetTextPP(d);

		str = VARDATA_ANY(t);
		len = VARSIZE_ANY_EXHDR(t);
	}
	memset(out, 0, sizeof(*out));
	out->type = type;
	switch (type)
	{
		case DYN_T_S:
			out->data = (const uint8 *) pnstrdup(str, len);
			out->len = len;
			break;
		case DYN_T_N:
			{
				DynNumber	n;
				uint8	   *buf = palloc(DYN_NUM_MAX_ENCODED);

				if (dynpg_num_parse(str, len, &n) != DYN_NUM_OK)
					return false;
				out->len = dynpg_num_encode(&n, buf);
				out->data = buf;
				break;
			}
		case DYN_T_B:
			{
				StringInfoData bytes;

				if (!base64_well_formed(str, len))
					return false;
				initStringInfo(&bytes);
				dynpg_base64_decode(str, len, &bytes);
				out->data = (const uint8 *) bytes.data;
				out->len = bytes.len;
				break;
			}
		default:
			return false;
	}
	/* DynamoDB's key sizes: no stored key is empty or longer */
	if (out->len == 0 && type != DYN_T_N)
		return false;
	if (out->len > (is_pk ? DYN_MAX_HASH_KEY_LEN : DYN_MAX_RANGE_KEY_LEN))
		return false;
	return true;
}

/*
 * The values of one slot for this scan, as key values of type 'type' (*n
 * of them, palloc'd): one for a comparison, the elements of an IN list;
 * none when no key can equal any.  A prefix's value is its string; a LIKE
 * pattern's, the literal text before its first wildcard.
 */
static DynRef *
slot_values(DynKeyScanState *s, int slot, DynType type, bool is_pk, int *n)
{
	ExprContext *econtext = s->css.ss.ps.ps_ExprContext;
	KeyMatch   *m = &s->slot[slot];
	Datum		d;
	bool		isnull;
	DynRef	   *refs;

	*n = 0;
	d = ExecEvalExpr((ExprState *) list_nth(s->values, slot), econtext, &isnull);
	if (isnull)
		return NULL;
	if (m->op == KO_LIKE)
	{
		text	   *pat = DatumGetTextPP(d);
		const char *p = VARDATA_ANY(pat);
		int			len = VARSIZE_ANY_EXHDR(pat);
		StringInfoData prefix;
		int			i;

		/* LIKE's escape is backslash (ESCAPE clauses are rewritten to it) */
		initStringInfo(&prefix);
		for (i = 0; i < len && p[i] != '%' && p[i] != '_'; i++)
		{
			if (p[i] == '\\')
			{
				if (++i >= len)
					break;
			}
			appendStringInfoChar(&prefix, p[i]);
		}
		d = PointerGetDatum(cstring_to_text_with_len(prefix.data, prefix.len));
	}
	if (!m->array)
	{
		refs = palloc(sizeof(DynRef));
		if (key_value(d, m->kind, type, is_pk, &refs[0]))
			*n = 1;
		return refs;
	}
	else
	{
		ArrayType  *arr = DatumGetArrayTypeP(d);
		int16		elmlen;
		bool		elmbyval;
		char		elmalign;
		Datum	   *elems;
		bool	   *nulls;
		int			nelems;
		int			i;

		get_typlenbyvalalign(ARR_ELEMTYPE(arr), &elmlen, &elmbyval, &elmalign);
		deconstruct_array(arr, ARR_ELEMTYPE(arr), elmlen, elmbyval, elmalign,
						  &elems, &nulls, &nelems);
		refs = palloc(sizeof(DynRef) * Max(nelems, 1));
		for (i = 0; i < nelems; i++)
		{
			if (!nulls[i] && key_value(elems[i], m->kind, type, is_pk, &refs[*n]))
				(*n)++;
		}
		return refs;
	}
}

/* memcmp order of two key values' encodings: the order of the keys they make */
static int
compare_values(const DynRef *a, const DynRef *b)
{
	int			c = memcmp(a->data, b->data, Min(a->len, b->len));

	return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

/*
 * What the sort-key slots say of the sort key, as a Query's sort-key
 * condition in *kc: a superset of what they select (an exclusive bound is
 * read inclusive, a prefix read alone when there is no bound; the filter
 * does the rest).  False when no sort key can satisfy them.
 */
static bool
sort_condition(DynKeyScanState *s, const DynTableDef *def, DynKeyCondition *kc)
{
	DynRef	   *lower = NULL;
	DynRef	   *upper = NULL;
	DynRef	   *prefix = NULL;
	int			n;

	kc->sk_op = DSK_NONE;
	/*
	 * A NULL value compares as NULL: nothing can match.  A value that is no
	 * key (a NaN or infinite bound, one out of DynamoDB's number range, an
	 * empty or too long string) leaves that side unbounded.
	 */
	if (s->slot[SLOT_SK_LOWER].value != NULL)
	{
		lower = slot_values(s, SLOT_SK_LOWER, def->key.sk_type, false, &n);
		if (lower == NULL)
			return false;
		if (n == 0)
			lower = NULL;
	}
	if (s->slot[SLOT_SK_UPPER].value != NULL)
	{
		upper = slot_values(s, SLOT_SK_UPPER, def->key.sk_type, false, &n);
		if (upper == NULL)
			return false;
		if (n == 0)
			upper = NULL;
	}
	if (s->slot[SLOT_SK_PREFIX].value != NULL)
	{
		prefix = slot_values(s, SLOT_SK_PREFIX, def->key.sk_type, false, &n);
		if (prefix == NULL)
			return false;
		if (n == 0)
			prefix = NULL;
	}
	if (lower != NULL && upper != NULL)
	{
		if (compare_values(lower, upper) > 0)
			return false;
		kc->sk_op = DSK_BETWEEN;
		kc->sk1 = *lower;
		kc->sk2 = *upper;
	}
	else if (lower != NULL)
	{
		kc->sk_op = DSK_GE;
		kc->sk1 = *lower;
	}
	else if (upper != NULL)
	{
		kc->sk_op = DSK_LE;
		kc->sk1 = *upper;
	}
	else if (prefix != NULL)
	{
		kc->sk_op = DSK_BEGINS_WITH;
		kc->sk1 = *prefix;
	}
	return true;
}

/* A key to read and its storage key, for sorting out duplicates. */
typedef struct KeyToRead
{
	DynKeyCondition kc;
	StringInfoData skey;
} KeyToRead;

static int
compare_keys_to_read(const void *a, const void *b)
{
	const KeyToRead *ka = (const KeyToRead *) a;
	const KeyToRead *kb = (const KeyToRead *) b;
	int			c = memcmp(ka->skey.data, kb->skey.data, Min(ka->skey.len, kb->skey.len));

	return c != 0 ? c : (ka->skey.len > kb->skey.len) - (ka->skey.len < kb->skey.len);
}

/*
 * Evaluate the slots' values and list the keys (partitions, ranges of
 * them, or items) to read: each partition-key value with each sort-key
 * value, each once, in storage order.
 */
static void
list_keys(DynKeyScanState *s)
{
	const DynTableDef *def = dynpg_table_def(s->css.ss.ss_currentRelation);
	DynKeyCondition sortcond;
	DynRef	   *pks;
	DynRef	   *sks = NULL;
	int			npk;
	int			nsk = 1;
	KeyToRead  *ks;
	int			n = 0;
	int			i;
	int			j;

	s->nkeys = 0;
	s->nextkey = 0;
	pks = slot_values(s, SLOT_PK, def->key.pk_type, true, &npk);
	if (npk == 0)
		return;
	memset(&sortcond, 0, sizeof(sortcond));
	if (def->key.sk_name != NULL)
	{
		if (s->slot[SLOT_SK_EQ].value != NULL)
		{
			sks = slot_values(s, SLOT_SK_EQ, def->key.sk_type, false, &nsk);
			if (nsk == 0)
				return;
		}
		else if (!sort_condition(s, def, &sortcond))
			return;
	}
	ks = palloc(sizeof(KeyToRead) * npk * nsk);
	for (i = 0; i < npk; i++)
	{
		for (j = 0; j < nsk; j++)
		{
			KeyToRead  *k = &ks[n++];
			DynKey		key;

			k->kc = sortcond;
			memset(&key, 0, sizeof(key));
			k->kc.pk = key.pk = pks[i];
			if (sks != NULL)
			{
				k->kc.sk_op = DSK_EQ;
				k->kc.sk1 = key.sk = sks[j];
				key.has_sk = true;
			}
			initStringInfo(&k->skey);
			dynpg_storage_key(&key, &k->skey);
		}
	}
	if (n > 1)
		qsort(ks, n, sizeof(KeyToRead), compare_keys_to_read);
	s->keys = palloc(sizeof(DynKeyCondition) * n);
	for (i = 0; i < n; i++)
	{
		if (i > 0 && compare_keys_to_read(&ks[i - 1], &ks[i]) == 0)
			continue;
		s->keys[s->nkeys++] = ks[i].kc;
	}
}

static TupleTableSlot *
keyscan_next(ScanState *ss)
{
	DynKeyScanState *s = (DynKeyScanState *) ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;
	Relation	rel = ss->ss_currentRelation;
	DynItem    *item = NULL;
	int			natts = slot->tts_tupleDescriptor->natts;
	int			i;

	if (!s->started)
	{
		MemoryContext old = MemoryContextSwitchTo(s->keycxt);
		int			mode = dynpg_tidmap_scan_mode(rel);

		s->started = true;
		s->tidslot = mode == 1 ? dynpg_tidmap_slot_open(rel) : -1;
		s->tidmap = mode == 2 || (mode == 1 && s->tidslot < 0);
		list_keys(s);
		MemoryContextSwitchTo(old);
	}
	ExecClearTuple(slot);
	for (;;)
	{
		if (s->read == NULL)
		{
			DynReadRange range;
			MemoryContext old;

			if (s->nextkey >= s->nkeys)
				return slot;
			old = MemoryContextSwitchTo(s->keycxt);
			dynpg_read_query_range(NULL, &s->keys[s->nextkey++], ForwardScanDirection, &range);
			s->read = dynpg_read_begin(rel, &range, 0);
			MemoryContextSwitchTo(old);
		}
		if (dynpg_read_next(s->read, &item))
			break;
		dynpg_read_end(s->read);
		s->read = NULL;
	}
	for (i = 0; i < natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
	slot->tts_values[0] = PointerGetDatum(item);
	slot->tts_isnull[0] = false;
	ExecStoreVirtualTuple(slot);
	dynpg_vid_to_tid(dynpg_read_vid(s->read), &slot->tts_tid);
	slot->tts_tableOid = RelationGetRelid(rel);
	if (s->tidmap || s->tidslot >= 0)
	{
		int			keylen;
		const uint8 *key = dynpg_read_key(s->read, &keylen);

		if (s->tidmap)
			dynpg_tidmap_remember(rel, dynpg_read_vid(s->read), key, keylen);
		else
			dynpg_tidmap_slot_note(s->tidslot, dynpg_read_vid(s->read), key, keylen);
	}
	return slot;
}

/* EvalPlanQual: the filter (every restriction) re-checks a re-fetched row. */
static bool
keyscan_recheck(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
exec_keyscan(CustomScanState *node)
{
	return ExecScan(&node->ss, keyscan_next, keyscan_recheck);
}

static void
stop_read(DynKeyScanState *s)
{
	if (s->read != NULL)
		dynpg_read_end(s->read);
	s->read = NULL;
	s->started = false;
	s->nkeys = s->nextkey = 0;
	if (s->tidslot >= 0)
		dynpg_tidmap_slot_close(s->tidslot);
	s->tidslot = -1;
	s->tidmap = false;
	MemoryContextReset(s->keycxt);
}

static void
end_keyscan(CustomScanState *node)
{
	stop_read((DynKeyScanState *) node);
}

static void
rescan_keyscan(CustomScanState *node)
{
	stop_read((DynKeyScanState *) node);
}

static void
explain_keyscan(CustomScanState *node, List *ancestors, ExplainState *es)
{
	static const char *const ops[] = {"=", "<", "<=", ">", ">=", "begins with", "LIKE"};
	DynKeyScanState *s = (DynKeyScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	const DynTableDef *def = dynpg_table_def(node->ss.ss_currentRelation);
	List	   *context;
	StringInfoData buf;
	int			i;
	bool		items;

	context = set_deparse_context_plan(es->deparse_cxt, &cscan->scan.plan, ancestors);
	initStringInfo(&buf);
	for (i = 0; i < NSLOTS; i++)
	{
		KeyMatch   *m = &s->slot[i];

		if (m->value == NULL)
			continue;
		appendStringInfo(&buf, "%s%s %s %s%s%s", buf.len > 0 ? " AND " : "",
						 quote_identifier(i == SLOT_PK ?
										  pnstrdup(def->key.pk_name, def->key.pk_namelen) :
										  pnstrdup(def->key.sk_name, def->key.sk_namelen)),
						 ops[m->op], m->array ? "ANY (" : "",
						 deparse_expression((Node *) list_nth(cscan->custom_exprs, i), context, false, false),
						 m->array ? ")" : "");
	}
	ExplainPropertyText("DynamoDB Key", buf.data, es);
	items = s->slot[SLOT_SK_EQ].value != NULL || def->key.sk_name == NULL;
	ExplainPropertyText("Read", items ?
						(s->slot[SLOT_PK].array || s->slot[SLOT_SK_EQ].array ? "items" : "item") :
						s->slot[SLOT_SK_LOWER].value || s->slot[SLOT_SK_UPPER].value ||
						s->slot[SLOT_SK_PREFIX].value ?
						(s->slot[SLOT_PK].array ? "partition ranges" : "partition range") :
						(s->slot[SLOT_PK].array ? "partitions" : "partition"), es);
}

void
dynpg_keyscan_init(void)
{
	DefineCustomBoolVariable("dynpg.enable_keyscan",
							 "Lets the planner read a dynpg table by key (DynpgKeyScan).",
							 "A WHERE naming the partition key (item ->> 'pk' = value) reads one "
							 "partition, or one item with the sort key, instead of the whole table.",
							 &dynpg_enable_keyscan,
							 true, PGC_USERSET, 0, NULL, NULL, NULL);
	RegisterCustomScanMethods(&keyscan_plan_methods);
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = keyscan_pathlist;
}
