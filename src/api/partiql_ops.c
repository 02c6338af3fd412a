/*-------------------------------------------------------------------------
 *
 * partiql_ops.c
 *	  PartiQL for DynamoDB: ExecuteStatement, BatchExecuteStatement and
 *	  ExecuteTransaction.
 *
 * A statement is parsed by src/partiql (its grammar: src/partiql/README)
 * and translated into the DynamoDB request that does the same thing, which
 * the operation's own function runs: there is no second evaluator.  Each
 * attribute name of the statement becomes an ExpressionAttributeNames
 * placeholder (#n0, #n1, ...) and each literal or parameter an
 * ExpressionAttributeValues one (:v0, ...), so every name is allowed
 * (reserved words too) and every value gets the AttributeValue rules.
 *
 *  SELECT   the full primary key by equality (and nothing else) on a table:
 *           GetItem; an equality (or IN, or an OR of equalities) on the
 *           partition key: Query on each
 *           partition, the sort-key condition (=, <, <=, >, >=, BETWEEN,
 *           begins_with) as the key condition, the rest as FilterExpression;
 *           anything else (a condition on a key attribute no key condition
 *           takes too: Query's filter may not read them): Scan with the whole
 *           WHERE as FilterExpression.
 *           ORDER BY the sort key: ScanIndexForward.
 *  INSERT   PutItem with attribute_not_exists(partition key); a failed
 *           condition is DuplicateItemException.
 *  UPDATE   UpdateItem on the WHERE's full key, the other conditions and
 *           attribute_exists(partition key) as ConditionExpression (an
 *           UPDATE does not create an item).
 *  DELETE   DeleteItem on the WHERE's full key; other conditions hold only
 *           for an item that exists (attribute_not_exists(pk) OR (...)).
 *
 * ExecuteTransaction becomes TransactGetItems or TransactWriteItems (the
 * token, the cancellation reasons are theirs); BatchExecuteStatement runs
 * each statement as an ExecuteStatement in a subtransaction of its own.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "api/dynpg_api.h"
#include "api/dynpg_cluster.h"
#include "api/dynpg_item_common.h"
#include "base/dynpg_error.h"
#include "base/dynpg_preload.h"
#include "base/dynpg_request.h"
#include "catalog/dynpg_catalog.h"
#include "partiql/dynpg_partiql.h"
#include "types/dynpg_item.h"

/*
 * A statement's operation: in a cluster's router database
 * (src/api/cluster.c) routed to the nodes as the operation's own request
 * would be, else the operation called directly.
 */
static DynJson *
pql_operation(const char *name, DynApiOperation local, DynJson *request)
{
	if (dynpg_cluster_routes())
		return dynpg_cluster_call(dynpg_api_find_operation(name), request);
	return local(request);
}

#define SQLSTATE_VALIDATION		MAKE_SQLSTATE('Y', 'D', '0', '0', '1')
#define SQLSTATE_CONDITIONAL	MAKE_SQLSTATE('Y', 'D', '0', '1', '0')
#define SQLSTATE_NOT_FOUND		MAKE_SQLSTATE('Y', 'D', '0', '1', '1')
#define SQLSTATE_CANCELED		MAKE_SQLSTATE('Y', 'D', '0', '2', '0')
#define SQLSTATE_COLLECTION		MAKE_SQLSTATE('Y', 'D', '0', '3', '0')
#define SQLSTATE_DUPLICATE		MAKE_SQLSTATE('Y', 'D', '0', '4', '0')
#define SQLSTATE_ACCESS			MAKE_SQLSTATE('Y', 'D', '0', '4', '1')

#define MSG_DUPLICATE	"Duplicate primary key exists in table"
#define MSG_NEED_KEY	"Where clause does not contain a mandatory equality on all key attributes"

#define BATCH_MAX		25
#define TRANSACTION_MAX	100

/* ---------------------------------------------------------------------
 * JSON helpers
 * ---------------------------------------------------------------------
 */

static DynJson *
jstr(const char *s)
{
	return dynpg_json_string(s, strlen(s));
}

static void
jadd(DynJson *obj, const char *key, DynJson *val)
{
	dynpg_json_add(obj, key, strlen(key), val);
}

static DynJson *
jobj(void)
{
	return dynpg_json_new(DJ_OBJECT);
}

static DynJson *
jarr(void)
{
	return dynpg_json_new(DJ_ARRAY);
}

/* {"<type>": val} */
static DynJson *
av(const char *type, DynJson *val)
{
	DynJson    *o = jobj();

	jadd(o, type, val);
	return o;
}

/* a shallow copy of an object */
static DynJson *
jcopy(const DynJson *o)
{
	DynJson    *c = jobj();
	int			i;

	for (i = 0; i < o->len; i++)
		dynpg_json_add(c, o->members[i].key, o->members[i].keylen, o->members[i].val);
	return c;
}

/* ---------------------------------------------------------------------
 * Translation: placeholders, values, expression texts
 * ---------------------------------------------------------------------
 */

typedef struct Gen
{
	DynJson    *names;			/* ExpressionAttributeNames */
	DynJson    *values;			/* ExpressionAttributeValues */
	DynJson    *params;			/* the request's Parameters (or NULL) */
} Gen;

static void
gen_init(Gen *g, DynJson *params)
{
	g->names = jobj();
	g->values = jobj();
	g->params = params;
}

static const char *
gen_name(Gen *g, const char *name, int len)
{
	int			i;
	char	   *key;

	for (i = 0; i < g->names->len; i++)
	{
		DynJson    *v = g->names->members[i].val;

		if (v->len == len && memcmp(v->str, name, len) == 0)
			return g->names->members[i].key;
	}
	key = psprintf("#n%d", g->names->len);
	dynpg_json_add(g->names, key, strlen(key), dynpg_json_string(name, len));
	return key;
}

static const char *
gen_value(Gen *g, DynJson *value)
{
	char	   *key = psprintf(":v%d", g->values->len);

	dynpg_json_add(g->values, key, strlen(key), value);
	return key;
}

static bool
is_value(const PqlNode *n)
{
	switch (n->kind)
	{
		case PQ_STRING:
		case PQ_NUMBER:
		case PQ_TRUE:
		case PQ_FALSE:
		case PQ_NULL:
		case PQ_PARAM:
		case PQ_LIST:
		case PQ_MAP:
		case PQ_SET:
			return true;
		default:
			return false;
	}
}

/* a number's text as DynamoDB's N takes it: ".5" is "0.5" */
static const char *
number_text(const char *s)
{
	if (s[0] == '.')
		return psprintf("0%s", s);
	if (s[0] == '-' && s[1] == '.')
		return psprintf("-0%s", s + 1);
	return s;
}

/* the AttributeValue of a value node */
static DynJson *
value_av(Gen *g, const PqlNode *n)
{
	DynJson    *arr;
	DynJson    *obj;
	int			i;

	switch (n->kind)
	{
		case PQ_STRING:
			return av("S", dynpg_json_string(n->str, n->len));
		case PQ_NUMBER:
			return av("N", jstr(number_text(n->str)));
		case PQ_TRUE:
		case PQ_FALSE:
			return av("BOOL", dynpg_json_bool(n->kind == PQ_TRUE));
		case PQ_NULL:
			return av("NULL", dynpg_json_bool(true));
		case PQ_PARAM:
			{
				DynJson    *v = g->params->elems[n->param];

				if (v == NULL || v->kind != DJ_OBJECT)
					dynpg_req_unexpected_value(v, DYN_MODEL_STRUCTURE);
				return v;
			}
		case PQ_LIST:
			arr = jarr();
			for (i = 0; i < n->nargs; i++)
				dynpg_json_append(arr, value_av(g, n->args[i]));
			return av("L", arr);
		case PQ_MAP:
			obj = jobj();
			for (i = 0; i < n->nargs; i++)
				dynpg_json_add(obj, n->keys[i], n->keylens[i], value_av(g, n->args[i]));
			return av("M", obj);
		case PQ_SET:
			{
				const char *type = NULL;

				if (n->nargs == 0)
					dynpg_partiql_syntax_error("Empty set is not supported");
				arr = jarr();
				for (i = 0; i < n->nargs; i++)
				{
					DynJson    *e = value_av(g, n->args[i]);
					const char *t;

					if (e->kind != DJ_OBJECT || e->len != 1 ||
						e->members[0].keylen != 1 ||
						(e->members[0].key[0] != 'S' && e->members[0].key[0] != 'N' &&
						 e->members[0].key[0] != 'B'))
						dynpg_validation_error("Unsupported operation: a set holds only strings, numbers or binaries");
					t = e->members[0].key[0] == 'S' ? "SS" : e->members[0].key[0] == 'N' ? "NS" : "BS";
					if (type != NULL && strcmp(type, t) != 0)
						dynpg_validation_error("Unsupported operation: a set's elements must all have one type");
					type = t;
					dynpg_json_append(arr, e->members[0].val);
				}
				return av(type, arr);
			}
		default:
			break;
	}
	elog(ERROR, "not a PartiQL value");
	return NULL;
}

static void
path_text(Gen *g, const PqlNode *n, StringInfo out)
{
	int			i;

	for (i = 0; i < n->nsteps; i++)
	{
		if (n->steps[i].name == NULL)
			appendStringInfo(out, "[%d]", n->steps[i].index);
		else
		{
			if (i > 0)
				appendStringInfoChar(out, '.');
			appendStringInfoString(out, gen_name(g, n->steps[i].name, n->steps[i].namelen));
		}
	}
}

static void pg_attribute_noreturn()
unsupported(const char *what)
{
	dynpg_validation_error("Unsupported operation: %s", what);
}

/* an operand of a condition: a path, a value, size(path) */
static void
operand_text(Gen *g, const PqlNode *n, StringInfo out)
{
	if (n->kind == PQ_PATH)
		path_text(g, n, out);
	else if (is_value(n))
		appendStringInfoString(out, gen_value(g, value_av(g, n)));
	else if (n->kind == PQ_FUNC && n->func == PQF_SIZE)
	{
		if (n->args[0]->kind != PQ_PATH)
			unsupported("size takes an attribute path");
		appendStringInfoString(out, "size(");
		path_text(g, n->args[0], out);
		appendStringInfoChar(out, ')');
	}
	else if (n->kind == PQ_ADD || n->kind == PQ_SUB)
		unsupported("arithmetic is supported only in SET");
	else
		unsupported("the operand is not supported in a condition");
}

static const char *const cmp_text[] = {"=", "<>", "<", "<=", ">", ">="};

/*
 * A condition's text.  Parentheses only where precedence needs them
 * ('outer': 1 under OR, 2 under AND, 3 under NOT), as DynamoDB refuses a
 * condition in two pairs of them ("redundant parentheses").
 */
static int
cond_prec(const PqlNode *n)
{
	return n->kind == PQ_OR ? 1 : n->kind == PQ_AND ? 2 : n->kind == PQ_NOT ? 3 : 4;
}

static void cond_text_in(Gen *g, const PqlNode *n, StringInfo out, int outer);

static void
cond_text(Gen *g, const PqlNode *n, StringInfo out)
{
	cond_text_in(g, n, out, 0);
}

static void
cond_text_in(Gen *g, const PqlNode *n, StringInfo out, int outer)
{
	int			i;
	bool		parens = cond_prec(n) < outer;

	check_stack_depth();
	switch (n->kind)
	{
		case PQ_AND:
		case PQ_OR:
			if (parens)
				appendStringInfoChar(out, '(');
			cond_text_in(g, n->args[0], out, cond_prec(n));
			appendStringInfoString(out, n->kind == PQ_AND ? " AND " : " OR ");
			cond_text_in(g, n->args[1], out, cond_prec(n));
			if (parens)
				appendStringInfoChar(out, ')');
			return;
		case PQ_NOT:
			if (parens)
				appendStringInfoChar(out, '(');
			appendStringInfoString(out, "NOT ");
			cond_text_in(g, n->args[0], out, 3);
			if (parens)
				appendStringInfoChar(out, ')');
			return;
		case PQ_CMP:
			operand_text(g, n->args[0], out);
			appendStringInfo(out, " %s ", cmp_text[n->op]);
			operand_text(g, n->args[1], out);
			return;
		case PQ_BETWEEN:
			operand_text(g, n->args[0], out);
			appendStringInfoString(out, " BETWEEN ");
			operand_text(g, n->args[1], out);
			appendStringInfoString(out, " AND ");
			operand_text(g, n->args[2], out);
			return;
		case PQ_IN:
			if (n->nargs - 1 > PQL_IN_MAX)
				dynpg_validation_error("Unsupported operation: an IN list holds at most %d values",
									   PQL_IN_MAX);
			operand_text(g, n->args[0], out);
			appendStringInfoString(out, " IN (");
			for (i = 1; i < n->nargs; i++)
			{
				if (i > 1)
					appendStringInfoString(out, ", ");
				operand_text(g, n->args[i], out);
			}
			appendStringInfoChar(out, ')');
			return;
		case PQ_IS:
			if (n->args[0]->kind != PQ_PATH)
				unsupported("IS takes an attribute path");
			if (n->is_missing)
			{
				appendStringInfoString(out, n->negated ? "attribute_exists(" : "attribute_not_exists(");
				path_text(g, n->args[0], out);
				appendStringInfoChar(out, ')');
			}
			else
			{
				/* PartiQL: a missing attribute IS NULL too */
				StringInfoData p;
				const char *nullv = gen_value(g, av("S", jstr("NULL")));

				initStringInfo(&p);
				path_text(g, n->args[0], &p);
				if (n->negated)
					appendStringInfo(out, "(attribute_exists(%s) AND (NOT attribute_type(%s, %s)))",
									 p.data, p.data, nullv);
				else
					appendStringInfo(out, "(attribute_not_exists(%s) OR attribute_type(%s, %s))",
									 p.data, p.data, nullv);
			}
			return;
		case PQ_FUNC:
			if (n->func == PQF_BEGINS_WITH || n->func == PQF_CONTAINS ||
				n->func == PQF_ATTRIBUTE_TYPE)
			{
				if (n->args[0]->kind != PQ_PATH)
					unsupported(psprintf("%s takes an attribute path first",
										 dynpg_partiql_func_name(n->func)));
				appendStringInfo(out, "%s(", dynpg_partiql_func_name(n->func));
				path_text(g, n->args[0], out);
				appendStringInfoString(out, ", ");
				operand_text(g, n->args[1], out);
				appendStringInfoChar(out, ')');
				return;
			}
			unsupported(psprintf("%s is not a condition", dynpg_partiql_func_name(n->func)));
		case PQ_EXISTS:
			unsupported("EXISTS is supported only in ExecuteTransaction");
		default:
			unsupported("the WHERE clause must be a condition");
	}
}

/* the right side of SET path = ...: a path, a value, a + b, a - b, list_append(a, b) */
static void
update_value_text(Gen *g, const PqlNode *n, StringInfo out)
{
	if (n->kind == PQ_ADD || n->kind == PQ_SUB)
	{
		const PqlNode *a = n->args[0];
		const PqlNode *b = n->args[1];

		if (a->kind == PQ_ADD || a->kind == PQ_SUB || b->kind == PQ_ADD || b->kind == PQ_SUB)
			unsupported("SET takes one + or - per value");
		update_value_text(g, a, out);
		appendStringInfoString(out, n->kind == PQ_ADD ? " + " : " - ");
		update_value_text(g, b, out);
	}
	else if (n->kind == PQ_FUNC && n->func == PQF_LIST_APPEND)
	{
		appendStringInfoString(out, "list_append(");
		update_value_text(g, n->args[0], out);
		appendStringInfoString(out, ", ");
		update_value_text(g, n->args[1], out);
		appendStringInfoChar(out, ')');
	}
	else if (n->kind == PQ_PATH)
		path_text(g, n, out);
	else if (is_value(n))
		appendStringInfoString(out, gen_value(g, value_av(g, n)));
	else
		unsupported("the value is not supported in SET");
}

static bool
paths_equal(const PqlNode *a, const PqlNode *b)
{
	int			i;

	if (a->kind != PQ_PATH || b->kind != PQ_PATH || a->nsteps != b->nsteps)
		return false;
	for (i = 0; i < a->nsteps; i++)
	{
		const PqlPathStep *x = &a->steps[i];
		const PqlPathStep *y = &b->steps[i];

		if ((x->name == NULL) != (y->name == NULL))
			return false;
		if (x->name == NULL ? x->index != y->index :
			(x->namelen != y->namelen || memcmp(x->name, y->name, x->namelen) != 0))
			return false;
	}
	return true;
}

/* UpdateExpression of an UPDATE's SET and REMOVE clauses */
static char *
update_text(Gen *g, const PqlStatement *st)
{
	StringInfoData set, rem, add, del, out;
	int			i;

	initStringInfo(&set);
	initStringInfo(&rem);
	initStringInfo(&add);
	initStringInfo(&del);
	for (i = 0; i < st->nsets; i++)
	{
		const PqlSetClause *c = &st->sets[i];
		StringInfo	to;

		if (c->remove)
		{
			to = &rem;
			if (to->len > 0)
				appendStringInfoString(to, ", ");
			path_text(g, c->path, to);
			continue;
		}
		if (c->value->kind == PQ_FUNC &&
			(c->value->func == PQF_SET_ADD || c->value->func == PQF_SET_DELETE))
		{
			const PqlNode *f = c->value;

			if (!paths_equal(f->args[0], c->path))
				unsupported(psprintf("%s must take the attribute it sets",
									 dynpg_partiql_func_name(f->func)));
			if (!is_value(f->args[1]))
				unsupported(psprintf("%s takes a set value", dynpg_partiql_func_name(f->func)));
			to = f->func == PQF_SET_ADD ? &add : &del;
			if (to->len > 0)
				appendStringInfoString(to, ", ");
			path_text(g, c->path, to);
			appendStringInfoChar(to, ' ');
			appendStringInfoString(to, gen_value(g, value_av(g, f->args[1])));
			continue;
		}
		to = &set;
		if (to->len > 0)
			appendStringInfoString(to, ", ");
		path_text(g, c->path, to);
		appendStringInfoString(to, " = ");
		update_value_text(g, c->value, to);
	}
	initStringInfo(&out);
	if (set.len > 0)
		appendStringInfo(&out, "SET %s", set.data);
	if (rem.len > 0)
		appendStringInfo(&out, "%sREMOVE %s", out.len ? " " : "", rem.data);
	if (add.len > 0)
		appendStringInfo(&out, "%sADD %s", out.len ? " " : "", add.data);
	if (del.len > 0)
		appendStringInfo(&out, "%sDELETE %s", out.len ? " " : "", del.data);
	return out.data;
}

/* ---------------------------------------------------------------------
 * Tables and keys
 * ---------------------------------------------------------------------
 */

typedef struct TableInfo
{
	DynKeySchema key;			/* the table's, or the index's */
	DynKeySchema table_key;
	bool		is_index;
	bool		multi;			/* an index whose key has several HASH or RANGE attributes */
} TableInfo;

static void
copy_key(const DynKeySchema *from, DynKeySchema *to)
{
	*to = *from;
	to->pk_name = pnstrdup(from->pk_name, from->pk_namelen);
	if (from->sk_name != NULL)
		to->sk_name = pnstrdup(from->sk_name, from->sk_namelen);
}

static void
table_info(const char *table, const char *index, TableInfo *ti)
{
	Oid			relid = dynpg_table_relid(table, true);
	Relation	rel = NULL;
	const DynTableDef *def;

	if (!dynpg_req_is_table_name_or_arn(table))
		dynpg_req_table_not_found(NULL);
	if (OidIsValid(relid))
		rel = try_table_open(relid, AccessShareLock);
	if (rel == NULL)
		dynpg_req_table_not_found(NULL);
	def = dynpg_table_def(rel);
	copy_key(&def->key, &ti->table_key);
	ti->is_index = index != NULL;
	if (index != NULL)
	{
		const DynIndexDef *ix = dynpg_table_index(def, index);

		if (ix == NULL)
			dynpg_validation_error("The table does not have the specified index: %s", index);
		copy_key(&ix->key, &ti->key);
		ti->multi = DYN_INDEX_MULTI(ix);
	}
	else
	{
		ti->key = ti->table_key;
		ti->multi = false;
	}
	table_close(rel, NoLock);
}

/* whether 'n' is the top-level attribute 'name' */
static bool
is_attr(const PqlNode *n, const char *name, int len)
{
	return n->kind == PQ_PATH && n->nsteps == 1 && n->steps[0].name != NULL &&
		n->steps[0].namelen == len && memcmp(n->steps[0].name, name, len) == 0;
}

typedef struct Conj
{
	PqlNode   **c;
	int			n;
	int			cap;
} Conj;

static void
conjuncts(PqlNode *n, Conj *out)
{
	check_stack_depth();
	if (n->kind == PQ_AND)
	{
		conjuncts(n->args[0], out);
		conjuncts(n->args[1], out);
		return;
	}
	if (out->n == out->cap)
	{
		out->cap = out->cap ? out->cap * 2 : 8;
		out->c = out->c ? repalloc(out->c, sizeof(PqlNode *) * out->cap) :
			palloc(sizeof(PqlNode *) * out->cap);
	}
	out->c[out->n++] = n;
}

/* an equality of attribute 'name' with a value: the value, else NULL */
static PqlNode *
equality_on(PqlNode *c, const char *name, int len)
{
	if (c->kind != PQ_CMP || c->op != PQC_EQ)
		return NULL;
	if (is_attr(c->args[0], name, len) && is_value(c->args[1]))
		return c->args[1];
	if (is_attr(c->args[1], name, len) && is_value(c->args[0]))
		return c->args[0];
	return NULL;
}

/*
 * The full key of a write's WHERE: the key equalities are taken out of
 * 'cj' (set to NULL), their values returned; the rest is the condition.
 */
static void
write_key(Conj *cj, const DynKeySchema *ks, PqlNode **pk, PqlNode **sk)
{
	int			i;

	*pk = *sk = NULL;
	for (i = 0; i < cj->n; i++)
	{
		PqlNode    *v;

		if (*pk == NULL && (v = equality_on(cj->c[i], ks->pk_name, ks->pk_namelen)) != NULL)
		{
			*pk = v;
			cj->c[i] = NULL;
		}
		else if (ks->sk_name != NULL && *sk == NULL &&
				 (v = equality_on(cj->c[i], ks->sk_name, ks->sk_namelen)) != NULL)
		{
			*sk = v;
			cj->c[i] = NULL;
		}
	}
	if (*pk == NULL || (ks->sk_name != NULL && *sk == NULL))
		dynpg_validation_error(MSG_NEED_KEY);
}

/* the remaining conjuncts as one condition text, or NULL */
static char *
rest_text(Gen *g, Conj *cj)
{
	StringInfoData out;
	int			i;
	bool		any = false;

	initStringInfo(&out);
	for (i = 0; i < cj->n; i++)
	{
		if (cj->c[i] == NULL)
			continue;
		if (any)
			appendStringInfoString(&out, " AND ");
		cond_text_in(g, cj->c[i], &out, 2);
		any = true;
	}
	return any ? out.data : NULL;
}

static DynJson *
key_object(Gen *g, const DynKeySchema *ks, PqlNode *pk, PqlNode *sk)
{
	DynJson    *key = jobj();

	dynpg_json_add(key, ks->pk_name, ks->pk_namelen, value_av(g, pk));
	if (sk != NULL)
		dynpg_json_add(key, ks->sk_name, ks->sk_namelen, value_av(g, sk));
	return key;
}

/* names and values into a request, when it has any */
static void
add_expression_maps(DynJson *req, Gen *g, DynJson *values)
{
	if (g->names->len > 0)
		jadd(req, "ExpressionAttributeNames", g->names);
	if (values != NULL && values->len > 0)
		jadd(req, "ExpressionAttributeValues", values);
}

/* ---------------------------------------------------------------------
 * ExecuteStatement
 * ---------------------------------------------------------------------
 */

typedef struct StmtOpts
{
	const char *text;			/* the Statement */
	DynJson    *params;			/* Parameters (NULL: none) */
	bool		consistent;
	bool		has_limit;
	int64		limit;
	const char *next_token;
	const char *capacity;
	const char *on_failure;
} StmtOpts;

/* the request's fingerprint: its statement and parameters, for NextToken */
static uint64
request_hash(const StmtOpts *o)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, o->text);
	appendStringInfoChar(&buf, '\0');
	if (o->params != NULL)
		dynpg_json_write_canonical(&buf, o->params, NULL);
	return hash_bytes_extended((const unsigned char *) buf.data, buf.len, 0x5051);
}

static const char hexdigits[] = "0123456789abcdef";

/* a response's items (DJ_ITEM nodes) as their JSON text */
static void
write_item_node(StringInfo out, const DynJson *node)
{
	if (node->kind != DJ_ITEM)
		elog(ERROR, "dynpg: unexpected JSON node of kind %d in a key", (int) node->kind);
	dynpg_item_append_text((const DynItem *) node->ext, out);
}

/* NextToken: hex of "<hash>|<partition index>|<LastEvaluatedKey JSON>" */
static char *
make_token(const StmtOpts *o, int index, DynJson *lek)
{
	StringInfoData raw;
	StringInfoData hex;
	int			i;

	initStringInfo(&raw);
	appendStringInfo(&raw, "%016" INT64_MODIFIER "x|%d|", request_hash(o), index);
	if (lek != NULL)
		dynpg_json_write(&raw, lek, write_item_node);
	initStringInfo(&hex);
	for (i = 0; i < raw.len; i++)
	{
		appendStringInfoChar(&hex, hexdigits[((unsigned char) raw.data[i]) >> 4]);
		appendStringInfoChar(&hex, hexdigits[((unsigned char) raw.data[i]) & 15]);
	}
	return hex.data;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void pg_attribute_noreturn()
bad_token(void)
{
	dynpg_validation_error("Invalid NextToken");
}

static void
read_token(const StmtOpts *o, int *index, DynJson **lek)
{
	const char *t = o->next_token;
	int			len = strlen(t);
	char	   *raw;
	int			i;
	char	   *bar1;
	char	   *bar2;
	char	   *end;
	uint64		h;
	long		ix;

	if (len % 2 != 0 || len < 2)
		bad_token();
	raw = palloc(len / 2 + 1);
	for (i = 0; i < len / 2; i++)
	{
		int			a = hexval(t[2 * i]);
		int			b = hexval(t[2 * i + 1]);

		if (a < 0 || b < 0)
			bad_token();
		raw[i] = (char) (a * 16 + b);
	}
	raw[len / 2] = '\0';
	if (strlen(raw) != (size_t) len / 2)
		bad_token();
	bar1 = strchr(raw, '|');
	if (bar1 == NULL || (bar2 = strchr(bar1 + 1, '|')) == NULL)
		bad_token();
	*bar1 = *bar2 = '\0';
	errno = 0;
	h = strtou64(raw, &end, 16);
	if (*end != '\0' || errno != 0)
		bad_token();
	ix = strtol(bar1 + 1, &end, 10);
	if (*end != '\0' || ix < 0 || ix > PG_INT32_MAX)
		bad_token();
	if (h != request_hash(o))
		dynpg_validation_error("NextToken does not match request");
	*index = (int) ix;
	*lek = bar2[1] != '\0' ? dynpg_json_parse(bar2 + 1, strlen(bar2 + 1)) : NULL;
	if (*lek != NULL && (*lek)->kind != DJ_OBJECT)
		bad_token();
}

/* ConsumedCapacity of several calls: their CapacityUnits summed */
typedef struct Capacity
{
	const char *table;
	DynJson    *first;
	int			ncalls;
	double		units;
} Capacity;

static void
capacity_add(Capacity *c, DynJson *resp)
{
	DynJson    *cc = dynpg_json_member(resp, "ConsumedCapacity", 16);
	DynJson    *u;

	if (cc == NULL)
		return;
	if (c->ncalls++ == 0)
		c->first = cc;
	u = dynpg_json_member(cc, "CapacityUnits", 13);
	if (u != NULL && u->kind == DJ_NUMBER)
		c->units += strtod(pnstrdup(u->str, u->len), NULL);
}

static void
capacity_put(Capacity *c, DynJson *resp, const char *mode)
{
	DynJson    *cc;

	if (!dynpg_api_capacity_wanted(mode))
		return;
	if (c->ncalls == 1)
	{
		jadd(resp, "ConsumedCapacity", c->first);
		return;
	}
	cc = jobj();
	jadd(cc, "TableName", jstr(c->table));
	jadd(cc, "CapacityUnits", dynpg_json_number(psprintf("%g", c->units)));
	jadd(resp, "ConsumedCapacity", cc);
}

static void
append_items(DynJson *to, DynJson *resp)
{
	DynJson    *items = dynpg_json_member(resp, "Items", 5);
	int			i;

	if (items == NULL)
		return;
	for (i = 0; i < items->len; i++)
		dynpg_json_append(to, items->elems[i]);
}

static void
common_read_members(DynJson *req, const StmtOpts *o, const char *table)
{
	jadd(req, "TableName", jstr(table));
	if (o->consistent)
		jadd(req, "ConsistentRead", dynpg_json_bool(true));
	if (o->capacity != NULL)
		jadd(req, "ReturnConsumedCapacity", jstr(o->capacity));
}

static char *
projection_text(Gen *g, const PqlStatement *st)
{
	StringInfoData out;
	int			i;

	if (st->nproj == 0)
		return NULL;
	initStringInfo(&out);
	for (i = 0; i < st->nproj; i++)
	{
		if (i > 0)
			appendStringInfoString(&out, ", ");
		path_text(g, st->proj[i], &out);
	}
	return out.data;
}

/* the sort-key condition a conjunct is, or false */
static bool
sort_key_condition(PqlNode *c, const DynKeySchema *ks)
{
	const char *sk = ks->sk_name;
	int			len = ks->sk_namelen;

	if (sk == NULL)
		return false;
	if (c->kind == PQ_CMP && c->op != PQC_NE)
		return (is_attr(c->args[0], sk, len) && is_value(c->args[1])) ||
			(is_attr(c->args[1], sk, len) && is_value(c->args[0]));
	if (c->kind == PQ_BETWEEN)
		return is_attr(c->args[0], sk, len) && is_value(c->args[1]) && is_value(c->args[2]);
	if (c->kind == PQ_FUNC && c->func == PQF_BEGINS_WITH)
		return is_attr(c->args[0], sk, len) && is_value(c->args[1]);
	return false;
}

/* the equalities of an OR of them all on attribute 'name', or NULL */
static void
collect_equalities(PqlNode *n, const char *name, int len, PqlNode *in, bool *ok)
{
	PqlNode    *v;

	check_stack_depth();
	if (!*ok)
		return;
	if (n->kind == PQ_OR)
	{
		collect_equalities(n->args[0], name, len, in, ok);
		collect_equalities(n->args[1], name, len, in, ok);
		return;
	}
	if ((v = equality_on(n, name, len)) == NULL)
	{
		*ok = false;
		return;
	}
	if (in->nargs == 0)
		in->args[in->nargs++] = is_value(n->args[1]) ? n->args[0] : n->args[1];
	if (in->nargs <= PQL_IN_MAX_PARTITION + 1)
		in->args[in->nargs] = v;
	in->nargs++;
}

static PqlNode *
or_of_equalities(PqlNode *n, const char *name, int len)
{
	PqlNode    *in = palloc0(sizeof(PqlNode));
	bool		ok = true;

	in->kind = PQ_IN;
	in->args = palloc0(sizeof(PqlNode *) * (PQL_IN_MAX_PARTITION + 2));
	collect_equalities(n, name, len, in, &ok);
	return ok ? in : NULL;
}

/* whether condition 'n' reads top-level attribute 'name' */
static bool
mentions(const PqlNode *n, const char *name, int len)
{
	int			i;

	check_stack_depth();
	if (n->kind == PQ_PATH)
		return n->steps[0].name != NULL && n->steps[0].namelen == len &&
			memcmp(n->steps[0].name, name, len) == 0;
	for (i = 0; i < n->nargs; i++)
		if (mentions(n->args[i], name, len))
			return true;
	return false;
}

/* a key condition's sort-key part, attribute first (5 < sk is sk > 5) */
static void
sort_key_text(Gen *g, PqlNode *c, StringInfo out)
{
	static const PqlCmp flipped[] = {PQC_EQ, PQC_NE, PQC_GT, PQC_GE, PQC_LT, PQC_LE};

	if (c->kind == PQ_CMP && c->args[0]->kind != PQ_PATH)
	{
		operand_text(g, c->args[1], out);
		appendStringInfo(out, " %s ", cmp_text[flipped[c->op]]);
		operand_text(g, c->args[0], out);
	}
	else
		cond_text(g, c, out);
}

static DynJson *
exec_select(PqlStatement *st, const StmtOpts *o)
{
	TableInfo	ti;
	Conj		cj = {0};
	PqlNode    *pk_eq = NULL;
	PqlNode    *pk_in = NULL;
	PqlNode    *sk_cond = NULL;
	int			nrest = 0;
	int			i;
	Gen			g;
	DynJson    *resp = jobj();
	DynJson    *items = jarr();
	Capacity	cap = {0};
	char	   *proj;
	int			start_index = 0;
	DynJson    *start_key = NULL;
	const DynKeySchema *ks;
	bool		desc = false;

	table_info(st->table, st->index, &ti);
	ks = &ti.key;
	cap.table = st->table;
	gen_init(&g, o->params);
	if (st->where != NULL)
		conjuncts(st->where, &cj);
	/* a multi-attribute index key: read by a Scan of the index, the WHERE its filter */
	for (i = 0; i < (ti.multi ? 0 : cj.n); i++)
	{
		PqlNode    *c = cj.c[i];
		PqlNode    *v;

		if (pk_eq == NULL && pk_in == NULL &&
			(v = equality_on(c, ks->pk_name, ks->pk_namelen)) != NULL)
		{
			pk_eq = v;
			cj.c[i] = NULL;
		}
		else if (pk_eq == NULL && pk_in == NULL && c->kind == PQ_OR &&
				 (v = or_of_equalities(c, ks->pk_name, ks->pk_namelen)) != NULL)
		{
			/* pk = a OR pk = b: as IN [a, b] (DynamoDB reads the partitions) */
			if (v->nargs - 1 > PQL_IN_MAX_PARTITION)
				dynpg_validation_error("Unsupported operation: an IN list on the partition key holds at most %d values",
									   PQL_IN_MAX_PARTITION);
			pk_in = v;
			cj.c[i] = NULL;
		}
		else if (pk_eq == NULL && pk_in == NULL && c->kind == PQ_IN &&
				 is_attr(c->args[0], ks->pk_name, ks->pk_namelen))
		{
			int			j;

			for (j = 1; j < c->nargs; j++)
				if (!is_value(c->args[j]))
					break;
			if (j < c->nargs)
				continue;
			if (c->nargs - 1 > PQL_IN_MAX_PARTITION)
				dynpg_validation_error("Unsupported operation: an IN list on the partition key holds at most %d values",
									   PQL_IN_MAX_PARTITION);
			pk_in = c;
			cj.c[i] = NULL;
		}
	}
	/* the sort-key condition, only with a partition */
	if (pk_eq != NULL || pk_in != NULL)
		for (i = 0; i < cj.n; i++)
			if (cj.c[i] != NULL && sort_key_condition(cj.c[i], ks))
			{
				sk_cond = cj.c[i];
				cj.c[i] = NULL;
				break;
			}
	for (i = 0; i < cj.n; i++)
		if (cj.c[i] != NULL)
			nrest++;

	/*
	 * A Query's filter cannot read the key attributes it reads by (a sort
	 * key with <>, IN or OR, a second condition on a key): such a WHERE is
	 * a Scan with the whole WHERE as its filter.
	 */
	if (pk_eq != NULL || pk_in != NULL)
		for (i = 0; i < cj.n; i++)
			if (cj.c[i] != NULL &&
				(mentions(cj.c[i], ks->pk_name, ks->pk_namelen) ||
				 (ks->sk_name != NULL && mentions(cj.c[i], ks->sk_name, ks->sk_namelen))))
			{
				if (st->norder > 0)
					unsupported("ORDER BY takes key conditions only (=, <, <=, >, >=, BETWEEN, begins_with) on the key attributes");
				pk_eq = pk_in = sk_cond = NULL;
				cj.n = 0;
				conjuncts(st->where, &cj);
				nrest = cj.n;
				break;
			}

	/* ORDER BY the sort key (ScanIndexForward); the partition key of one partition is no order */
	if (st->norder > 0 && pk_eq == NULL && pk_in == NULL)
		dynpg_validation_error("Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.");
	for (i = 0; i < st->norder; i++)
	{
		if (ks->sk_name != NULL && is_attr(st->order_by[i], ks->sk_name, ks->sk_namelen))
			desc = st->order_desc[i];
		else if (is_attr(st->order_by[i], ks->pk_name, ks->pk_namelen))
		{
			if (pk_in != NULL)
				unsupported("ORDER BY the partition key of several partitions");
		}
		else
			unsupported("ORDER BY is supported only on the key attributes");
	}
	if (o->next_token != NULL)
		read_token(o, &start_index, &start_key);

	proj = projection_text(&g, st);

	/* GetItem: the table's full key by equality, nothing else */
	if (pk_eq != NULL && !ti.is_index && nrest == 0 &&
		(ks->sk_name == NULL ||
		 (sk_cond != NULL && sk_cond->kind == PQ_CMP && sk_cond->op == PQC_EQ)))
	{
		DynJson    *req = jobj();
		DynJson    *r;
		DynJson    *item;
		PqlNode    *skv = NULL;

		if (sk_cond != NULL)
			skv = is_value(sk_cond->args[1]) ? sk_cond->args[1] : sk_cond->args[0];
		common_read_members(req, o, st->table);
		jadd(req, "Key", key_object(&g, ks, pk_eq, skv));
		if (proj != NULL)
			jadd(req, "ProjectionExpression", jstr(proj));
		add_expression_maps(req, &g, NULL);
		r = pql_operation("GetItem", dynpg_api_get_item, req);
		item = dynpg_json_member(r, "Item", 4);
		if (item != NULL && start_key == NULL && start_index == 0)
			dynpg_json_append(items, item);
		jadd(resp, "Items", items);
		capacity_add(&cap, r);
		capacity_put(&cap, resp, o->capacity);
		return resp;
	}

	if (pk_eq != NULL || pk_in != NULL)
	{
		/* Query on each partition in turn */
		int			nparts = pk_eq != NULL ? 1 : pk_in->nargs - 1;
		char	   *filter = rest_text(&g, &cj);
		StringInfoData keycond;
		const char *pkname = gen_name(&g, ks->pk_name, ks->pk_namelen);
		/*
		 * the page's budget of items read: Limit; reads of several
		 * partitions (IN) come in pages of at most 10 items, as DynamoDB
		 * returns them
		 */
		bool		limited = o->has_limit || pk_in != NULL;
		int64		remaining = o->has_limit ? o->limit : PQL_IN_PAGE;

		if (pk_in != NULL && remaining > PQL_IN_PAGE)
			remaining = PQL_IN_PAGE;

		initStringInfo(&keycond);
		appendStringInfo(&keycond, "%s = :pk", pkname);
		if (sk_cond != NULL)
		{
			appendStringInfoString(&keycond, " AND ");
			sort_key_text(&g, sk_cond, &keycond);
		}
		if (start_index >= nparts)
			bad_token();
		for (i = start_index; i < nparts; i++)
		{
			DynJson    *req;
			DynJson    *values;
			DynJson    *r;
			DynJson    *lek;
			DynJson    *count;
			DynJson    *pkv = value_av(&g, pk_eq != NULL ? pk_eq : pk_in->args[i + 1]);
			int			j;

			/* a partition named twice is read once */
			for (j = 0; j < i; j++)
				if (dynpg_json_equal(pkv, value_av(&g, pk_in->args[j + 1])))
					break;
			if (j < i)
				continue;
			req = jobj();
			values = jcopy(g.values);
			dynpg_json_add(values, ":pk", 3, pkv);
			common_read_members(req, o, st->table);
			if (st->index != NULL)
				jadd(req, "IndexName", jstr(st->index));
			jadd(req, "KeyConditionExpression", jstr(keycond.data));
			if (filter != NULL)
				jadd(req, "FilterExpression", jstr(filter));
			if (proj != NULL)
				jadd(req, "ProjectionExpression", jstr(proj));
			if (desc)
				jadd(req, "ScanIndexForward", dynpg_json_bool(false));
			if (limited)
				jadd(req, "Limit", dynpg_json_number(psprintf(INT64_FORMAT, remaining)));
			if (start_key != NULL && i == start_index)
				jadd(req, "ExclusiveStartKey", start_key);
			add_expression_maps(req, &g, values);
			r = pql_operation("Query", dynpg_api_query, req);
			append_items(items, r);
			capacity_add(&cap, r);
			lek = dynpg_json_member(r, "LastEvaluatedKey", 16);
			if (lek != NULL)
			{
				jadd(resp, "NextToken", jstr(make_token(o, i, lek)));
				jadd(resp, "LastEvaluatedKey", lek);
				break;
			}
			count = dynpg_json_member(r, "ScannedCount", 12);
			if (limited && count != NULL)
			{
				remaining -= strtol(pnstrdup(count->str, count->len), NULL, 10);
				if (remaining <= 0 && i + 1 < nparts)
				{
					jadd(resp, "NextToken", jstr(make_token(o, i + 1, NULL)));
					break;
				}
			}
		}
		/* Items first, as DynamoDB answers */
		{
			DynJson    *out = jobj();

			jadd(out, "Items", items);
			for (i = 0; i < resp->len; i++)
				dynpg_json_add(out, resp->members[i].key, resp->members[i].keylen,
							   resp->members[i].val);
			capacity_put(&cap, out, o->capacity);
			return out;
		}
	}
	else
	{
		/* Scan, the whole WHERE as its filter */
		DynJson    *req = jobj();
		DynJson    *r;
		DynJson    *lek;
		char	   *filter = rest_text(&g, &cj);

		if (start_index != 0)
			bad_token();
		common_read_members(req, o, st->table);
		if (st->index != NULL)
			jadd(req, "IndexName", jstr(st->index));
		if (filter != NULL)
			jadd(req, "FilterExpression", jstr(filter));
		if (proj != NULL)
			jadd(req, "ProjectionExpression", jstr(proj));
		if (o->has_limit)
			jadd(req, "Limit", dynpg_json_number(psprintf(INT64_FORMAT, o->limit)));
		if (start_key != NULL)
			jadd(req, "ExclusiveStartKey", start_key);
		add_expression_maps(req, &g, g.values);
		r = pql_operation("Scan", dynpg_api_scan, req);
		append_items(items, r);
		capacity_add(&cap, r);
		jadd(resp, "Items", items);
		lek = dynpg_json_member(r, "LastEvaluatedKey", 16);
		if (lek != NULL)
		{
			jadd(resp, "NextToken", jstr(make_token(o, 0, lek)));
			jadd(resp, "LastEvaluatedKey", lek);
		}
		capacity_put(&cap, resp, o->capacity);
		return resp;
	}
}

/* the translated write request of an INSERT, UPDATE or DELETE */
typedef struct WriteReq
{
	PqlStatementKind kind;
	DynJson    *req;			/* PutItem, UpdateItem or DeleteItem request */
	const char *table;
	DynJson    *key;			/* the item's key (INSERT: NULL) */
} WriteReq;

static const char *const returning_values[] = {
	NULL, "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"
};

/* translate a write; 'in_transaction': no RETURNING */
static void
translate_write(PqlStatement *st, DynJson *params, WriteReq *w)
{
	TableInfo	ti;
	Gen			g;
	Conj		cj = {0};
	PqlNode    *pk;
	PqlNode    *sk;
	DynJson    *req = jobj();
	char	   *rest;
	const char *pkname = NULL;

	table_info(st->table, NULL, &ti);
	gen_init(&g, params);
	w->kind = st->kind;
	w->req = req;
	w->table = st->table;
	w->key = NULL;
	jadd(req, "TableName", jstr(st->table));
	if (st->kind == PQL_INSERT)
	{
		DynJson    *item = value_av(&g, st->value);

		if (item->kind != DJ_OBJECT || item->len != 1 || item->members[0].keylen != 1 ||
			item->members[0].key[0] != 'M')
			dynpg_validation_error("Unsupported operation: INSERT takes a map of the item");
		jadd(req, "Item", item->members[0].val);
		jadd(req, "ConditionExpression",
			 jstr(psprintf("attribute_not_exists(%s)",
						   gen_name(&g, ti.key.pk_name, ti.key.pk_namelen))));
		add_expression_maps(req, &g, NULL);
		return;
	}
	if (st->kind == PQL_DELETE && st->returning != PQR_NONE && st->returning != PQR_ALL_OLD)
		dynpg_validation_error("Unsupported operation: DELETE allows only RETURNING ALL OLD *");
	conjuncts(st->where, &cj);
	write_key(&cj, &ti.key, &pk, &sk);
	w->key = key_object(&g, &ti.key, pk, sk);
	jadd(req, "Key", w->key);
	if (st->kind == PQL_UPDATE)
		jadd(req, "UpdateExpression", jstr(update_text(&g, st)));
	rest = rest_text(&g, &cj);
	if (st->kind == PQL_UPDATE || rest != NULL)
		pkname = gen_name(&g, ti.key.pk_name, ti.key.pk_namelen);
	/* the rest is an AND of conditions: it binds tighter than either */
	if (st->kind == PQL_UPDATE)
		jadd(req, "ConditionExpression",
			 jstr(rest ? psprintf("attribute_exists(%s) AND %s", pkname, rest) :
				  psprintf("attribute_exists(%s)", pkname)));
	else if (rest != NULL)
		jadd(req, "ConditionExpression",
			 jstr(psprintf("attribute_not_exists(%s) OR %s", pkname, rest)));
	add_expression_maps(req, &g, g.values);
	if (st->returning != PQR_NONE)
		jadd(req, "ReturnValues", jstr(returning_values[st->returning]));
}

/* run an INSERT's PutItem: a failed condition is DuplicateItemException */
static DynJson *
put_or_duplicate(DynJson *req)
{
	MemoryContext cxt = CurrentMemoryContext;
	DynJson    *r = NULL;

	PG_TRY();
	{
		r = pql_operation("PutItem", dynpg_api_put_item, req);
	}
	PG_CATCH();
	{
		if (geterrcode() != SQLSTATE_CONDITIONAL)
			PG_RE_THROW();
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
		dynpg_raise(DYN_ERR_DUPLICATE_ITEM, MSG_DUPLICATE);
	}
	PG_END_TRY();
	return r;
}

static DynJson *
exec_write(PqlStatement *st, const StmtOpts *o)
{
	WriteReq	w;
	DynJson    *r;
	DynJson    *resp = jobj();
	DynJson    *items = jarr();
	DynJson    *attrs;
	DynJson    *cc;

	if (o->next_token != NULL)
		dynpg_validation_error("NextToken is only valid on a SELECT statement");
	translate_write(st, o->params, &w);
	if (o->capacity != NULL)
		jadd(w.req, "ReturnConsumedCapacity", jstr(o->capacity));
	if (o->on_failure != NULL && st->kind != PQL_INSERT)
		jadd(w.req, "ReturnValuesOnConditionCheckFailure", jstr(o->on_failure));
	if (st->kind == PQL_INSERT)
		r = put_or_duplicate(w.req);
	else if (st->kind == PQL_UPDATE)
		r = pql_operation("UpdateItem", dynpg_api_update_item, w.req);
	else
		r = pql_operation("DeleteItem", dynpg_api_delete_item, w.req);
	attrs = dynpg_json_member(r, "Attributes", 10);
	if (attrs != NULL)
		dynpg_json_append(items, attrs);
	jadd(resp, "Items", items);
	cc = dynpg_json_member(r, "ConsumedCapacity", 16);
	if (cc != NULL)
		jadd(resp, "ConsumedCapacity", cc);
	return resp;
}

static void
check_params(const PqlStatement *st, DynJson *params)
{
	int			n = params ? params->len : 0;

	if (n != st->nparams)
		dynpg_validation_error("Number of parameters in request and statement don't match.");
}

static DynJson *
execute_parsed(PqlStatement *st, const StmtOpts *o)
{
	check_params(st, o->params);
	if (st->kind == PQL_EXISTS)
		unsupported("EXISTS is supported only in ExecuteTransaction");
	if (st->kind == PQL_SELECT)
		return exec_select(st, o);
	return exec_write(st, o);
}

typedef struct EsRequest
{
	char	   *statement;
	DynJson    *parameters;
	bool		consistent;
	char	   *next_token;
	char	   *capacity;
	char	   *on_failure;
} EsRequest;

#define ES_MEMBER(f) offsetof(EsRequest, f)

static const DynMember es_members[] = {
	{"Statement", DYN_MODEL_STRING, ES_MEMBER(statement), 1, "Statement", DYN_CHECK_NOT_NULL},
	{"Statement", DYN_MODEL_STRING, ES_MEMBER(statement), 2, "Statement", DYN_CHECK_LENGTH,
	.min = 1, .max = PQL_STATEMENT_MAX},
	{"Parameters", DYN_MODEL_LIST, ES_MEMBER(parameters), 3, "Parameters", DYN_CHECK_LENGTH,
	.min = 1},
	{"ConsistentRead", DYN_MODEL_BOOLEAN, ES_MEMBER(consistent)},
	{"NextToken", DYN_MODEL_STRING, ES_MEMBER(next_token), 4, "NextToken", DYN_CHECK_LENGTH,
	.min = 1, .max = 32768},
	{"ReturnConsumedCapacity", DYN_MODEL_STRING, ES_MEMBER(capacity), 5,
	"ReturnConsumedCapacity", DYN_CHECK_ENUM, dynpg_api_return_consumed_capacity},
	{"ReturnValuesOnConditionCheckFailure", DYN_MODEL_STRING, ES_MEMBER(on_failure), 7,
	"ReturnValuesOnConditionCheckFailure", DYN_CHECK_ENUM, dynpg_api_return_values_on_failure},
};

/* Parameters: each an AttributeValue (a structure) */
static void
read_parameters(DynJson *params)
{
	int			i;

	if (params == NULL)
		return;
	for (i = 0; i < params->len; i++)
		if (dynpg_req_list_struct(params, i) == NULL)
			dynpg_req_unexpected_value(params->elems[i], DYN_MODEL_STRUCTURE);
}

/*
 * A per-backend cache of parsed statements, keyed by the statement's
 * text: a statement run again (the common case, with parameters) skips the
 * parser.  The parsed form lives in its own memory context, until another
 * statement takes its slot: so only ExecuteStatement, which parses one
 * statement and is done with it before the next, uses the cache (a batch
 * or a transaction parses its statements in its own context).
 */
#define PQL_CACHE_SIZE 64

typedef struct CacheEntry
{
	char	   *text;
	uint32		hash;
	MemoryContext cxt;
	PqlStatement *st;
} CacheEntry;

static CacheEntry pql_cache[PQL_CACHE_SIZE];
static MemoryContext pql_cache_cxt = NULL;

static PqlStatement *
parse_cached(const char *text)
{
	int			len = strlen(text);
	uint32		h = hash_bytes((const unsigned char *) text, len);
	CacheEntry *e = &pql_cache[h % PQL_CACHE_SIZE];
	MemoryContext cxt;
	MemoryContext old;
	PqlStatement *st;

	if (e->st != NULL && e->hash == h && strcmp(e->text, text) == 0)
		return e->st;
	/* parse in the caller's context: a statement that fails is not kept */
	st = dynpg_partiql_parse(text, len);
	if (pql_cache_cxt == NULL)
		pql_cache_cxt = AllocSetContextCreate(TopMemoryContext, "dynpg PartiQL statements",
											  ALLOCSET_SMALL_SIZES);
	if (e->cxt != NULL)
		MemoryContextDelete(e->cxt);
	e->st = NULL;
	e->cxt = NULL;
	cxt = AllocSetContextCreate(pql_cache_cxt, "dynpg PartiQL statement", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	e->text = pstrdup(text);
	e->st = dynpg_partiql_parse(text, len);
	MemoryContextSwitchTo(old);
	e->cxt = cxt;
	e->hash = h;
	return st;
}

DynJson *
dynpg_api_execute_statement(DynJson *request)
{
	DynRequest	req;
	EsRequest	r;
	StmtOpts	o = {0};
	int64		limit;
	bool		has_limit;

	dynpg_require_preload();
	dynpg_req_start(&req, "ExecuteStatement", request);
	memset(&r, 0, sizeof(r));
	dynpg_req_read_members(req.root, es_members, lengthof(es_members), &r);
	has_limit = dynpg_req_long(req.root, "Limit", true, &limit);
	read_parameters(r.parameters);
	dynpg_req_check_members(&req, es_members, lengthof(es_members), &r, NULL);
	if (has_limit)
		dynpg_req_range(&req, limit, "Limit", 1, PG_INT32_MAX);
	dynpg_req_finish(&req);

	o.text = r.statement;
	o.params = r.parameters;
	o.consistent = r.consistent;
	o.has_limit = has_limit;
	o.limit = has_limit ? limit : 0;
	o.next_token = r.next_token;
	o.capacity = r.capacity;
	o.on_failure = r.on_failure;
	return execute_parsed(parse_cached(r.statement), &o);
}

/* ---------------------------------------------------------------------
 * ExecuteTransaction and BatchExecuteStatement
 * ---------------------------------------------------------------------
 */

/* one statement of a batch or transaction: Statement, Parameters, ... */
typedef struct PsRequest
{
	char	   *statement;
	DynJson    *parameters;
	bool		consistent;
	char	   *on_failure;
} PsRequest;

#define PS_MEMBER(f) offsetof(PsRequest, f)

static const DynMember ps_members[] = {
	{"Statement", DYN_MODEL_STRING, PS_MEMBER(statement), 1, "Statement", DYN_CHECK_NOT_NULL},
	{"Statement", DYN_MODEL_STRING, PS_MEMBER(statement), 2, "Statement", DYN_CHECK_LENGTH,
	.min = 1, .max = PQL_STATEMENT_MAX},
	{"Parameters", DYN_MODEL_LIST, PS_MEMBER(parameters), 3, "Parameters", DYN_CHECK_LENGTH,
	.min = 1},
	{"ConsistentRead", DYN_MODEL_BOOLEAN, PS_MEMBER(consistent)},
	{"ReturnValuesOnConditionCheckFailure", DYN_MODEL_STRING, PS_MEMBER(on_failure), 4,
	"ReturnValuesOnConditionCheckFailure", DYN_CHECK_ENUM, dynpg_api_return_values_on_failure},
};

/* the statements of a batch or transaction, read and checked (phases 1 and 2) */
static PsRequest *
read_statements(DynRequest *req, DynJson *list, const char *listname)
{
	int			n = list ? list->len : 0;
	PsRequest  *ps = palloc0(sizeof(PsRequest) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
	{
		DynJson    *elem = dynpg_req_list_struct(list, i);
		char	   *prefix = psprintf("%s.%d.member", listname, i + 1);

		if (elem == NULL)
		{
			dynpg_req_not_null(req, false, prefix);
			continue;
		}
		dynpg_req_read_members(elem, ps_members, lengthof(ps_members), &ps[i]);
		read_parameters(ps[i].parameters);
		dynpg_req_check_members(req, ps_members, lengthof(ps_members), &ps[i], prefix);
	}
	return ps;
}

/*
 * A SELECT naming one item by the full key of a table (batches and
 * transactions): its key, and the other conjuncts left in *cj.
 */
static DynJson *
point_key(PqlStatement *st, Gen *g, Conj *cj, TableInfo *ti)
{
	PqlNode    *pk;
	PqlNode    *sk;

	table_info(st->table, NULL, ti);
	if (st->index != NULL)
		unsupported("reads of an index are not supported in a batch or transaction");
	if (st->where == NULL)
		dynpg_validation_error(MSG_NEED_KEY);
	conjuncts(st->where, cj);
	write_key(cj, &ti->key, &pk, &sk);
	return key_object(g, &ti->key, pk, sk);
}

/* the failed INSERTs of a cancelled transaction are DuplicateItem, as DynamoDB reports them */
static void
rethrow_cancellation(ErrorData *edata, PqlStatement **sts, int n)
{
	DynJson    *body = NULL;
	DynJson    *reasons;
	StringInfoData members;
	StringInfoData message;
	bool		changed = false;
	int			i;

	if (edata->sqlerrcode == SQLSTATE_CANCELED && edata->detail != NULL)
		body = dynpg_json_parse(edata->detail, strlen(edata->detail));
	reasons = body ? dynpg_json_member(body, "CancellationReasons", 19) : NULL;
	if (reasons == NULL || reasons->kind != DJ_ARRAY || reasons->len != n)
		ReThrowError(edata);
	initStringInfo(&message);
	appendStringInfoString(&message,
						   "Transaction cancelled, please refer cancellation reasons for specific reasons [");
	for (i = 0; i < n; i++)
	{
		DynJson    *r = reasons->elems[i];
		DynJson    *code = dynpg_json_member(r, "Code", 4);

		if (sts[i]->kind == PQL_INSERT && code != NULL && code->kind == DJ_STRING &&
			code->len == 22 && memcmp(code->str, "ConditionalCheckFailed", 22) == 0)
		{
			DynJson    *nr = jobj();

			jadd(nr, "Code", jstr("DuplicateItem"));
			jadd(nr, "Message", jstr(MSG_DUPLICATE));
			reasons->elems[i] = nr;
			code = dynpg_json_member(nr, "Code", 4);
			changed = true;
		}
		if (i > 0)
			appendStringInfoString(&message, ", ");
		if (code != NULL && code->kind == DJ_STRING)
			appendBinaryStringInfo(&message, code->str, code->len);
	}
	appendStringInfoChar(&message, ']');
	if (!changed)
		ReThrowError(edata);
	initStringInfo(&members);
	appendStringInfoString(&members, "\"CancellationReasons\":");
	dynpg_json_write(&members, reasons, NULL);
	dynpg_raise_body(DYN_ERR_TRANSACTION_CANCELED, 0, members.data, NULL, message.data);
}

typedef struct EtRequest
{
	DynJson    *statements;
	char	   *token;
	char	   *capacity;
} EtRequest;

#define ET_MEMBER(f) offsetof(EtRequest, f)

static const DynMember et_members[] = {
	{"TransactStatements", DYN_MODEL_LIST, ET_MEMBER(statements), 1, "TransactStatements",
	DYN_CHECK_NOT_NULL},
	{"TransactStatements", DYN_MODEL_LIST, ET_MEMBER(statements), 2, "TransactStatements",
	DYN_CHECK_LENGTH, .min = 1, .max = TRANSACTION_MAX},
	{"ClientRequestToken", DYN_MODEL_STRING, ET_MEMBER(token), 3, "ClientRequestToken",
	DYN_CHECK_LENGTH, .min = 1, .max = 36},
	{"ReturnConsumedCapacity", DYN_MODEL_STRING, ET_MEMBER(capacity), 4,
	"ReturnConsumedCapacity", DYN_CHECK_ENUM, dynpg_api_return_consumed_capacity},
};

DynJson *
dynpg_api_execute_transaction(DynJson *request)
{
	DynRequest	req;
	EtRequest	r;
	PsRequest  *ps;
	PqlStatement **sts;
	int			n;
	int			i;
	int			nreads = 0;
	bool		any_insert = false;
	DynJson    *treq = jobj();
	DynJson    *titems = jarr();
	DynJson    *tresp = NULL;
	DynJson    *resp = jobj();
	DynJson    *responses;
	DynJson    *cc;
	MemoryContext cxt = CurrentMemoryContext;

	dynpg_require_preload();
	dynpg_req_start(&req, "ExecuteTransaction", request);
	memset(&r, 0, sizeof(r));
	dynpg_req_read_members(req.root, et_members, lengthof(et_members), &r);
	dynpg_req_check_members(&req, et_members, lengthof(et_members), &r, NULL);
	ps = read_statements(&req, r.statements, "TransactStatements");
	dynpg_req_finish(&req);

	n = r.statements->len;
	sts = palloc(sizeof(PqlStatement *) * n);
	for (i = 0; i < n; i++)
	{
		sts[i] = dynpg_partiql_parse(ps[i].statement, strlen(ps[i].statement));
		check_params(sts[i], ps[i].parameters);
		if (sts[i]->returning != PQR_NONE)
			dynpg_validation_error("Validation failed in TransactStatements[%d]: RETURNING clause is not supported in ExecuteTransaction.",
								   i);
		if (sts[i]->kind == PQL_SELECT)
			nreads++;
		if (sts[i]->kind == PQL_INSERT)
			any_insert = true;
	}
	if (nreads > 0 && nreads < n)
		dynpg_validation_error("ExecuteTransaction API does not support both read and write operations in the same request.");

	for (i = 0; i < n; i++)
	{
		PqlStatement *st = sts[i];
		DynJson    *action = jobj();
		DynJson    *a;
		Gen			g;
		Conj		cj = {0};
		TableInfo	ti;

		gen_init(&g, ps[i].parameters);
		if (st->kind == PQL_SELECT || st->kind == PQL_EXISTS)
		{
			PqlStatement *sel = st->kind == PQL_SELECT ? st : st->sub;
			DynJson    *key = point_key(sel, &g, &cj, &ti);
			char	   *rest;

			a = jobj();
			jadd(a, "TableName", jstr(sel->table));
			jadd(a, "Key", key);
			if (st->kind == PQL_SELECT)
			{
				char	   *proj = projection_text(&g, sel);

				if (rest_text(&g, &cj) != NULL)
					unsupported("a read in a transaction takes only the item's full key");
				if (proj != NULL)
					jadd(a, "ProjectionExpression", jstr(proj));
				add_expression_maps(a, &g, NULL);
				jadd(action, "Get", a);
			}
			else
			{
				const char *pkname;

				rest = rest_text(&g, &cj);
				pkname = gen_name(&g, ti.key.pk_name, ti.key.pk_namelen);
				jadd(a, "ConditionExpression",
					 jstr(rest ? psprintf("attribute_exists(%s) AND %s", pkname, rest) :
						  psprintf("attribute_exists(%s)", pkname)));
				add_expression_maps(a, &g, g.values);
				if (ps[i].on_failure != NULL)
					jadd(a, "ReturnValuesOnConditionCheckFailure", jstr(ps[i].on_failure));
				jadd(action, "ConditionCheck", a);
			}
		}
		else
		{
			WriteReq	w;

			translate_write(st, ps[i].parameters, &w);
			if (ps[i].on_failure != NULL && st->kind != PQL_INSERT)
				jadd(w.req, "ReturnValuesOnConditionCheckFailure", jstr(ps[i].on_failure));
			jadd(action, st->kind == PQL_INSERT ? "Put" : st->kind == PQL_UPDATE ? "Update" : "Delete",
				 w.req);
		}
		dynpg_json_append(titems, action);
	}
	jadd(treq, "TransactItems", titems);
	if (r.capacity != NULL)
		jadd(treq, "ReturnConsumedCapacity", jstr(r.capacity));

	if (nreads > 0)
	{
		tresp = pql_operation("TransactGetItems", dynpg_api_transact_get_items, treq);
		responses = dynpg_json_member(tresp, "Responses", 9);
		jadd(resp, "Responses", responses ? responses : jarr());
	}
	else
	{
		if (r.token != NULL)
			jadd(treq, "ClientRequestToken", jstr(r.token));
		PG_TRY();
		{
			tresp = pql_operation("TransactWriteItems", dynpg_api_transact_write_items, treq);
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			if (!any_insert)
				PG_RE_THROW();
			MemoryContextSwitchTo(cxt);
			edata = CopyErrorData();
			FlushErrorState();
			rethrow_cancellation(edata, sts, n);
		}
		PG_END_TRY();
		responses = jarr();
		for (i = 0; i < n; i++)
			dynpg_json_append(responses, jobj());
		jadd(resp, "Responses", responses);
	}
	cc = dynpg_json_member(tresp, "ConsumedCapacity", 16);
	if (cc != NULL)
		jadd(resp, "ConsumedCapacity", cc);
	return resp;
}

/* BatchExecuteStatement's error code for an exception, or NULL (rethrown) */
static const char *
batch_error_code(int sqlerrcode)
{
	static const struct
	{
		int			sqlstate;
		const char *code;
	}			codes[] = {
		{MAKE_SQLSTATE('Y', 'D', '0', '1', '0'), "ConditionalCheckFailed"},
		{MAKE_SQLSTATE('Y', 'D', '0', '4', '0'), "DuplicateItem"},
		{MAKE_SQLSTATE('Y', 'D', '0', '1', '1'), "ResourceNotFound"},
		{MAKE_SQLSTATE('Y', 'D', '0', '0', '1'), "ValidationError"},
		{MAKE_SQLSTATE('Y', 'D', '0', '3', '0'), "ItemCollectionSizeLimitExceeded"},
		{MAKE_SQLSTATE('Y', 'D', '0', '4', '1'), "AccessDenied"},
		{MAKE_SQLSTATE('Y', 'D', '0', '2', '1'), "TransactionConflict"},
		{MAKE_SQLSTATE('Y', 'D', '0', '3', '1'), "ProvisionedThroughputExceeded"},
		{MAKE_SQLSTATE('Y', 'D', '0', '3', '2'), "RequestLimitExceeded"},
		{MAKE_SQLSTATE('Y', 'D', '0', '3', '3'), "ThrottlingError"},
		{MAKE_SQLSTATE('Y', 'D', '5', '0', '0'), "InternalServerError"},
		{ERRCODE_T_R_SERIALIZATION_FAILURE, "TransactionConflict"},
		{ERRCODE_T_R_DEADLOCK_DETECTED, "TransactionConflict"},
	};
	int			i;

	for (i = 0; i < lengthof(codes); i++)
		if (codes[i].sqlstate == sqlerrcode)
			return codes[i].code;
	return NULL;
}

/* one statement of a batch: a read must name one item by its full key */
static DynJson *
batch_one(PqlStatement *st, const StmtOpts *o)
{
	check_params(st, o->params);
	if (st->kind == PQL_EXISTS)
		unsupported("EXISTS is supported only in ExecuteTransaction");
	if (st->kind == PQL_SELECT)
	{
		Gen			g;
		Conj		cj = {0};
		TableInfo	ti;

		gen_init(&g, o->params);
		(void) point_key(st, &g, &cj, &ti);
		return exec_select(st, o);
	}
	return exec_write(st, o);
}

typedef struct BeRequest
{
	DynJson    *statements;
	char	   *capacity;
} BeRequest;

#define BE_MEMBER(f) offsetof(BeRequest, f)

static const DynMember be_members[] = {
	{"Statements", DYN_MODEL_LIST, BE_MEMBER(statements), 1, "Statements", DYN_CHECK_NOT_NULL},
	{"Statements", DYN_MODEL_LIST, BE_MEMBER(statements), 2, "Statements", DYN_CHECK_LENGTH,
	.min = 1},
	{"ReturnConsumedCapacity", DYN_MODEL_STRING, BE_MEMBER(capacity), 3,
	"ReturnConsumedCapacity", DYN_CHECK_ENUM, dynpg_api_return_consumed_capacity},
};

DynJson *
dynpg_api_batch_execute_statement(DynJson *request)
{
	DynRequest	req;
	BeRequest	r;
	PsRequest  *ps;
	PqlStatement **sts;
	ErrorData **parse_errors;
	int			n;
	int			i;
	int			nreads = 0;
	int			nwrites = 0;
	DynJson    *resp = jobj();
	DynJson    *responses = jarr();
	DynJson    *capacities = jarr();
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	dynpg_require_preload();
	dynpg_req_start(&req, "BatchExecuteStatement", request);
	memset(&r, 0, sizeof(r));
	dynpg_req_read_members(req.root, be_members, lengthof(be_members), &r);
	dynpg_req_check_members(&req, be_members, lengthof(be_members), &r, NULL);
	ps = read_statements(&req, r.statements, "Statements");
	dynpg_req_finish(&req);
	n = r.statements->len;
	if (n > BATCH_MAX)
		dynpg_validation_error("Too many statements in BatchExecuteStatement; limit is %d", BATCH_MAX);

	/* parse them all (a statement that does not parse is its own error) */
	sts = palloc0(sizeof(PqlStatement *) * n);
	parse_errors = palloc0(sizeof(ErrorData *) * n);
	for (i = 0; i < n; i++)
	{
		PG_TRY();
		{
			sts[i] = dynpg_partiql_parse(ps[i].statement, strlen(ps[i].statement));
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(cxt);
			parse_errors[i] = CopyErrorData();
			FlushErrorState();
			if (batch_error_code(parse_errors[i]->sqlerrcode) == NULL)
				ReThrowError(parse_errors[i]);
		}
		PG_END_TRY();
		if (sts[i] != NULL && sts[i]->kind == PQL_SELECT)
			nreads++;
		else if (sts[i] != NULL)
			nwrites++;
	}
	if (nreads > 0 && nwrites > 0)
		dynpg_validation_error("Read and write requests together in the same batch is not supported.");

	for (i = 0; i < n; i++)
	{
		DynJson    *one = jobj();
		DynJson    *out = NULL;
		ErrorData  *edata = parse_errors[i];

		if (sts[i] != NULL)
		{
			StmtOpts	o = {0};

			o.text = ps[i].statement;
			o.params = ps[i].parameters;
			o.consistent = ps[i].consistent;
			o.capacity = r.capacity;
			o.on_failure = ps[i].on_failure;
			jadd(one, "TableName", jstr(sts[i]->kind == PQL_EXISTS ? sts[i]->sub->table : sts[i]->table));
			/* each statement on its own: a failure undoes only its own write */
			BeginInternalSubTransaction(NULL);
			MemoryContextSwitchTo(cxt);
			PG_TRY();
			{
				out = batch_one(sts[i], &o);
				ReleaseCurrentSubTransaction();
				MemoryContextSwitchTo(cxt);
				CurrentResourceOwner = owner;
			}
			PG_CATCH();
			{
				MemoryContextSwitchTo(cxt);
				edata = CopyErrorData();
				FlushErrorState();
				RollbackAndReleaseCurrentSubTransaction();
				MemoryContextSwitchTo(cxt);
				CurrentResourceOwner = owner;
				if (batch_error_code(edata->sqlerrcode) == NULL)
					ReThrowError(edata);
				out = NULL;
			}
			PG_END_TRY();
		}
		if (edata != NULL)
		{
			DynJson    *err = jobj();
			DynJson    *body = NULL;
			DynJson    *item = NULL;

			jadd(err, "Code", jstr(batch_error_code(edata->sqlerrcode)));
			jadd(err, "Message", jstr(edata->message));
			if (edata->sqlerrcode == SQLSTATE_CONDITIONAL && edata->detail != NULL)
				body = dynpg_json_parse(edata->detail, strlen(edata->detail));
			if (body != NULL && body->kind == DJ_OBJECT)
				item = dynpg_json_member(body, "Item", 4);
			if (item != NULL)
				jadd(err, "Item", item);
			jadd(one, "Error", err);
		}
		else if (out != NULL)
		{
			DynJson    *items = dynpg_json_member(out, "Items", 5);
			DynJson    *c = dynpg_json_member(out, "ConsumedCapacity", 16);

			if (sts[i]->kind == PQL_SELECT && items != NULL && items->len > 0)
				jadd(one, "Item", items->elems[0]);
			if (c != NULL)
				dynpg_json_append(capacities, c);
		}
		dynpg_json_append(responses, one);
	}
	jadd(resp, "Responses", responses);
	if (dynpg_api_capacity_wanted(r.capacity))
		jadd(resp, "ConsumedCapacity", capacities);
	return resp;
}
