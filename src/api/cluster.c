/*-------------------------------------------------------------------------
 *
 * cluster.c
 *	  Partitioned dynpg: a router database in front of N dynpg nodes,
 *	  reached through PL/Proxy (src/api/README, "Partitioned dynpg").
 *
 * A database is a router once dynpg.create_cluster made its schema
 * dynpg_cluster (the PL/Proxy function run_on(node, op, request), which
 * runs dynpg.cluster_node_execute(op, request) on node 'node') and its row
 * in dynpg.cluster (name, node count N = 2^bits).  dynpg_api_call, the one
 * dispatch of the SQL functions and the HTTP endpoint, then sends every
 * operation here.
 *
 * The node of a partition key value is the top 'bits' bits of its
 * partition hash (types/dynpg_key.h, the hash the storage orders keys by):
 * node k owns the hashes [k * 2^64/N, (k+1) * 2^64/N), so nodes 0..N-1 in
 * turn hold the keys in the storage's own order, and going from N to 2N
 * nodes splits node k's range into those of 2k and 2k+1.
 *
 * The router holds every table too, empty: its catalog is the cluster's
 * (key schemas for routing, ListTables), and reads are validated by
 * running them on it first, so that a bad request hears exactly what one
 * node would say before anything is sent.  Writes are validated by the
 * node that owns the key, in its one transaction (BatchWriteItem, which
 * spans nodes, is run on the router's empty tables in a subtransaction
 * rolled back, before any node writes).
 *
 * A node answers with the response, or with the error it raised (the
 * operation runs in a subtransaction there): the router raises the same
 * SQLSTATE, message, DETAIL (DynamoDB's error body) and hint, so a client
 * sees one node's errors unchanged.  A node that cannot be reached is
 * DynamoDB's InternalServerError naming the node.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/relation.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid_d.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type_d.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "foreign/foreign.h"
#include "funcapi.h"
#include "libpq-fe.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

#include "api/dynpg_api.h"
#include "api/dynpg_cluster.h"
#include "api/dynpg_item_common.h"
#include "api/dynpg_wire.h"
#include "base/dynpg_error.h"
#include "base/dynpg_json.h"
#include "base/dynpg_preload.h"
#include "catalog/dynpg_catalog.h"
#include "expr/dynpg_expr_key.h"
#include "types/dynpg_key.h"

#define CLUSTER_SCHEMA "dynpg_cluster"

typedef struct Cluster
{
	char	   *name;
	int			nodes;			/* a power of two */
	int			bits;			/* log2(nodes) */
} Cluster;

/* One node's answer to one call */
typedef struct NodeAnswer
{
	DynJson    *response;		/* the response, or NULL */
	ErrorData  *error;			/* else the error the node raised */
	bool		unreachable;	/* the call itself failed (PL/Proxy's error) */
} NodeAnswer;

/*
 * The read of dynpg.cluster, planned once per backend (the plan cache
 * parses it again when the table is dropped or made anew)
 */
static SPIPlanPtr config_plan = NULL;
static Oid cluster_owner(void);

/*
 * A call run in a subtransaction of its own, whose error is caught:
 * subxact_begin remembers the caller's memory context and resource owner,
 * subxact_end commits or rolls back and puts them back, subxact_error (in a
 * PG_CATCH) copies the error, rolls back and puts them back.
 */
typedef struct SubXact
{
	MemoryContext cxt;
	ResourceOwner owner;
} SubXact;

static void
subxact_begin(SubXact *sx)
{
	sx->cxt = CurrentMemoryContext;
	sx->owner = CurrentResourceOwner;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(sx->cxt);
}

static void
subxact_end(const SubXact *sx, bool commit)
{
	if (commit)
		ReleaseCurrentSubTransaction();
	else
		RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(sx->cxt);
	CurrentResourceOwner = sx->owner;
}

static ErrorData *
subxact_error(const SubXact *sx)
{
	ErrorData  *e;

	MemoryContextSwitchTo(sx->cxt);
	e = CopyErrorData();
	FlushErrorState();
	subxact_end(sx, false);
	return e;
}


bool
dynpg_cluster_routes(void)
{
	return OidIsValid(get_namespace_oid(CLUSTER_SCHEMA, true));
}

/* ---------------------------------------------------------------------
 * Calls to the nodes
 * ---------------------------------------------------------------------
 */

/*
 * The cluster's configuration and its routing function, kept per backend,
 * so that a routed call neither queries dynpg.cluster nor goes through SPI
 * each time.  Both are forgotten when pg_foreign_server changes
 * (create_cluster and drop_cluster create and drop the cluster's server,
 * with its schema and functions) or when run_on itself does; a backend
 * takes in such a change at its next transaction or lock, so a committed
 * create_cluster or drop_cluster is seen by the next call.  dynpg.cluster
 * is only written by those two functions.
 */
static Cluster *cached_cluster = NULL;	/* in TopMemoryContext */
static Oid	run_on_oid = InvalidOid;
static uint32 run_on_hash = 0;
static FmgrInfo run_on_finfo;
static bool cache_callbacks = false;

static void
forget_cluster(Datum arg, int cacheid, uint32 hashvalue)
{
	if (cacheid == PROCOID && hashvalue != 0 && hashvalue != run_on_hash)
		return;
	if (cached_cluster != NULL)
	{
		pfree(cached_cluster->name);
		pfree(cached_cluster);
		cached_cluster = NULL;
	}
	/* (what PL/Proxy kept in the old FmgrInfo's fn_extra stays allocated) */
	run_on_oid = InvalidOid;
}

static void
cache_callbacks_register(void)
{
	if (!cache_callbacks)
	{
		CacheRegisterSyscacheCallback(FOREIGNSERVEROID, forget_cluster, (Datum) 0);
		CacheRegisterSyscacheCallback(PROCOID, forget_cluster, (Datum) 0);
		cache_callbacks = true;
	}
}

/* dynpg_cluster.run_on, looked up once (see above) */
static FmgrInfo *
routing_function(void)
{
	cache_callbacks_register();
	if (!OidIsValid(run_on_oid))
	{
		Oid			types[3] = {INT4OID, TEXTOID, TEXTOID};
		Oid			fn = LookupFuncName(list_make2(makeString(CLUSTER_SCHEMA), makeString("run_on")),
										3, types, false);

		fmgr_info_cxt(fn, &run_on_finfo, TopMemoryContext);
		run_on_hash = GetSysCacheHashValue1(PROCOID, ObjectIdGetDatum(fn));
		run_on_oid = fn;
	}
	return &run_on_finfo;
}

static Cluster *
cluster_config(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	Cluster    *c = palloc0(sizeof(Cluster));
	bool		isnull;

	cache_callbacks_register();
	if (cached_cluster != NULL)
	{
		*c = *cached_cluster;
		c->name = pstrdup(cached_cluster->name);
		return c;
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (config_plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare("SELECT name FROM dynpg.cluster", 0, NULL);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "cannot prepare the read of dynpg.cluster");
		config_plan = plan;
	}
	if (SPI_execute_plan(config_plan, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "cannot read dynpg.cluster");
	if (SPI_processed != 1)
		dynpg_raise(DYN_ERR_INTERNAL_SERVER_ERROR,
					"dynpg: schema dynpg_cluster exists but dynpg.cluster has %d rows; run dynpg.drop_cluster and dynpg.create_cluster again",
					(int) SPI_processed);
	c->name = MemoryContextStrdup(cxt, TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0],
																		  SPI_tuptable->tupdesc, 1,
																		  &isnull)));
	SPI_finish();
	/*
	 * The node count from the server's options (p0 .. p<N-1>), not from
	 * dynpg.cluster's node_count: catalogs are read with the latest
	 * snapshot, so a call that waited for expand_cluster (which changes
	 * both) routes by the connection strings PL/Proxy will use, even when
	 * its statement's snapshot was taken before the expansion committed.
	 */
	{
		ForeignServer *server = GetForeignServerByName(c->name, false);
		ListCell   *lc;

		foreach(lc, server->options)
		{
			DefElem    *d = lfirst(lc);

			if (d->defname[0] == 'p' && d->defname[1] != '\0' &&
				strspn(d->defname + 1, "0123456789") == strlen(d->defname + 1))
				c->nodes++;
		}
	}
	if (c->nodes < 1 || (c->nodes & (c->nodes - 1)) != 0 || c->nodes > 1024)
		elog(ERROR, "dynpg: cluster %s: its server has %d connection strings, not a power of two up to 1024",
			 c->name, c->nodes);
	while ((1 << c->bits) < c->nodes)
		c->bits++;
	{
		Cluster    *keep = MemoryContextAlloc(TopMemoryContext, sizeof(Cluster));

		*keep = *c;
		keep->name = MemoryContextStrdup(TopMemoryContext, c->name);
		cached_cluster = keep;
	}
	return c;
}

static int
node_of_hash(const Cluster *c, uint64 h)
{
	return c->bits == 0 ? 0 : (int) (h >> (64 - c->bits));
}

/*
 * dynpg.cluster_node_of(hash, node_count): the node of a partition hash in a
 * cluster of node_count nodes (a power of two up to 1024): its top bits
 */
PG_FUNCTION_INFO_V1(dynpg_cluster_node_of_sql);
Datum
dynpg_cluster_node_of_sql(PG_FUNCTION_ARGS)
{
	Cluster		c = {NULL, PG_GETARG_INT32(1), 0};

	if (c.nodes < 1 || c.nodes > 1024 || (c.nodes & (c.nodes - 1)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dynpg: a cluster has a power of two nodes (1, 2, 4, ... 1024), not %d", c.nodes)));
	while ((1 << c.bits) < c.nodes)
		c.bits++;
	PG_RETURN_INT32(node_of_hash(&c, (uint64) PG_GETARG_INT64(0)));
}

static char *
member_string(const DynJson *obj, const char *name)
{
	DynJson    *v = dynpg_json_member(obj, name, strlen(name));

	if (v == NULL || v->kind != DJ_STRING)
		return NULL;
	return pnstrdup(v->str, v->len);
}

/* The text a node answered: the response, or "!" and the error as JSON */
static void
parse_answer(const char *text, NodeAnswer *a)
{
	if (text[0] == '!')
	{
		DynJson    *e = dynpg_json_parse(text + 1, strlen(text + 1));
		char	   *state = member_string(e, "sqlstate");
		ErrorData  *ed = palloc0(sizeof(ErrorData));

		ed->elevel = ERROR;
		ed->sqlerrcode = state != NULL && strlen(state) == 5 ?
			MAKE_SQLSTATE(state[0], state[1], state[2], state[3], state[4]) :
			ERRCODE_INTERNAL_ERROR;
		ed->message = member_string(e, "message");
		if (ed->message == NULL)
			ed->message = "dynpg: a cluster node answered an error without a message";
		ed->detail = member_string(e, "detail");
		ed->hint = member_string(e, "hint");
		a->error = ed;
	}
	else
		a->response = dynpg_json_parse(text, strlen(text));
}

/*
 * Run operation 'opname' with request text 'request' on node 'node'.  The
 * call runs in a subtransaction, so that a node out of reach (PL/Proxy's
 * error) can be reported as such and a batch can go on with the others.
 */
static NodeAnswer
call_node(const Cluster *c, int node, const char *opname, const char *request)
{
	SubXact		sx;
	NodeAnswer	a;
	char	   *volatile answer = NULL;

	memset(&a, 0, sizeof(a));
	subxact_begin(&sx);
	PG_TRY();
	{
		Datum		d;
		Oid			save_userid;
		int			save_sec;
		FmgrInfo   *fn;
		MemoryContext callcxt;

		/*
		 * run_on reaches the node as the cluster's creator (its user
		 * mapping), so only its owner may execute it (create_cluster
		 * revokes it from PUBLIC): a client calling it directly would skip
		 * the router's checks.  The router has checked the caller's
		 * privileges by now; the call runs as the owner, restored below
		 * or by the subtransaction's abort.  It is called directly (no
		 * statement around it), with the EXECUTE check a statement would
		 * make, in a memory context of its own.
		 */
		GetUserIdAndSecContext(&save_userid, &save_sec);
		SetUserIdAndSecContext(cluster_owner(),
							   save_sec | SECURITY_LOCAL_USERID_CHANGE);
		fn = routing_function();
		if (pg_proc_aclcheck(run_on_oid, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK)
			aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FUNCTION, CLUSTER_SCHEMA ".run_on");
		callcxt = AllocSetContextCreate(sx.cxt, "dynpg routed call", ALLOCSET_DEFAULT_SIZES);
		MemoryContextSwitchTo(callcxt);
		/* FunctionCall3 raises an error when the result is NULL */
		d = FunctionCall3(fn, Int32GetDatum(node), CStringGetTextDatum(opname),
						  CStringGetTextDatum(request));
		answer = MemoryContextStrdup(sx.cxt, TextDatumGetCString(d));
		MemoryContextSwitchTo(sx.cxt);
		MemoryContextDelete(callcxt);
		SetUserIdAndSecContext(save_userid, save_sec);
		subxact_end(&sx, true);
	}
	PG_CATCH();
	{
		a.error = subxact_error(&sx);
		a.unreachable = true;
	}
	PG_END_TRY();
	if (answer != NULL)
		parse_answer(answer, &a);
	return a;
}

/*
 * libpq's message (through PL/Proxy's) on one line: its lines joined by a
 * space, the trailing newline dropped, so that an error body reads well.
 */
static char *
one_line(const char *msg)
{
	StringInfoData s;
	const char *p;

	initStringInfo(&s);
	if (msg == NULL)
		msg = "(no message)";
	for (p = msg; *p; p++)
	{
		if (*p == '\n' || *p == '\r' || *p == '\t')
		{
			if (s.len > 0 && s.data[s.len - 1] != ' ')
				appendStringInfoChar(&s, ' ');
		}
		else
			appendStringInfoChar(&s, *p);
	}
	while (s.len > 0 && s.data[s.len - 1] == ' ')
		s.data[--s.len] = '\0';
	return s.data;
}

static void
raise_unreachable(const Cluster *c, int node, const ErrorData *e)
{
	dynpg_raise(DYN_ERR_INTERNAL_SERVER_ERROR,
				"dynpg cluster %s: node %d did not answer: %s",
				c->name, node, one_line(e->message));
}

/* Raise the error a node answered, as it raised it */
static void
raise_node_error(const ErrorData *e)
{
	ereport(ERROR,
			(errcode(e->sqlerrcode),
			 errmsg_internal("%s", e->message),
			 e->detail ? errdetail_internal("%s", e->detail) : 0,
			 e->hint ? errhint("%s", e->hint) : 0));
}

/* The response of node 'node', or its error raised */
static DynJson *
forward(const Cluster *c, int node, const char *opname, const DynJson *request)
{
	NodeAnswer	a = call_node(c, node, opname, dynpg_json_text(request));

	if (a.unreachable)
		raise_unreachable(c, node, a.error);
	if (a.error != NULL)
		raise_node_error(a.error);
	return a.response;
}

/* ---------------------------------------------------------------------
 * Keys and nodes
 * ---------------------------------------------------------------------
 */

/*
 * The key schema of table 'table_name' (and of its index 'index_name', or
 * NULL), from the router's own catalog, or false when there is no such
 * table or index.  'mode' (or 0): the privileges a write needs on the
 * table, checked here: the router's GRANTs are the cluster's, the nodes
 * are reached as the role of the cluster's user mapping.
 */
static bool
table_keys(const char *table_name, const char *index_name, AclMode mode, DynKeySchema *ks,
		   DynKeySchema *iks, DynIndexKind *ikind)
{
	Oid			relid;
	Relation	rel;
	const DynTableDef *def;
	bool		found = false;

	if (table_name == NULL)
		return false;
	relid = dynpg_table_relid(table_name, true);
	if (!OidIsValid(relid))
		return false;
	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		return false;
	def = dynpg_table_def_or_null(rel);
	if (def != NULL)
	{
		AclMode		bit;

		/* each privilege on its own (an aclcheck of several passes with any) */
		for (bit = 1; bit != 0 && bit <= mode; bit <<= 1)
			if (mode & bit)
				dynpg_api_check_privilege(rel, bit);
		*ks = def->key;
		ks->pk_name = pnstrdup(ks->pk_name, ks->pk_namelen);
		if (ks->sk_name != NULL)
			ks->sk_name = pnstrdup(ks->sk_name, ks->sk_namelen);
		found = true;
		if (index_name != NULL)
		{
			const DynIndexDef *ix = dynpg_table_index(def, index_name);

			if (ix == NULL)
				found = false;
			else
			{
				*iks = ix->key;
				iks->pk_name = pnstrdup(iks->pk_name, iks->pk_namelen);
				if (iks->sk_name != NULL)
					iks->sk_name = pnstrdup(iks->sk_name, iks->sk_namelen);
				*ikind = ix->kind;
			}
		}
	}
	relation_close(rel, NoLock);
	return found;
}

/*
 * The node owning partition key value 'av' (an AttributeValue), or -1 when
 * it is not a valid key value.  Only a request that every node refuses can
 * have such a key, so its node does not matter.  The parse only builds
 * palloc'd values (it takes no lock, buffer or other resource), so its
 * error is caught without a subtransaction.
 */
static int
node_of_value(const Cluster *c, const DynJson *av)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile int node = -1;

	if (av == NULL || av->kind != DJ_OBJECT)
		return -1;
	PG_TRY();
	{
		DynRef		ref;

		(void) dynpg_attribute_value_parse(av, &ref);
		if (ref.type == DYN_T_S || ref.type == DYN_T_N || ref.type == DYN_T_B)
			node = node_of_hash(c, dynpg_partition_hash(&ref));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		FlushErrorState();
	}
	PG_END_TRY();
	return node;
}

/*
 * The node of the item or key 'keymap' of table 'table_name', or -1 when
 * the router cannot tell (no such table, no valid partition key): such a
 * request is refused by any node, with DynamoDB's message.
 */
static int
node_of_key(const Cluster *c, const char *table_name, const DynJson *keymap, AclMode mode)
{
	DynKeySchema ks;

	if (!table_keys(table_name, NULL, mode, &ks, NULL, NULL) ||
		keymap == NULL || keymap->kind != DJ_OBJECT)
		return -1;
	return node_of_value(c, dynpg_json_member(keymap, ks.pk_name, ks.pk_namelen));
}

/* A copy of object 'obj' without member 'drop1' and 'drop2' (either NULL) */
static DynJson *
object_without(const DynJson *obj, const char *drop1, const char *drop2)
{
	DynJson    *out = dynpg_json_new(DJ_OBJECT);
	int			i;

	for (i = 0; i < obj->len; i++)
	{
		const DynJsonMember *m = &obj->members[i];

		if ((drop1 != NULL && m->keylen == strlen(drop1) && memcmp(m->key, drop1, m->keylen) == 0) ||
			(drop2 != NULL && m->keylen == strlen(drop2) && memcmp(m->key, drop2, m->keylen) == 0))
			continue;
		dynpg_json_add(out, m->key, m->keylen, m->val);
	}
	return out;
}

static int64
member_int(const DynJson *obj, const char *name, int64 dflt)
{
	DynJson    *v = dynpg_json_member(obj, name, strlen(name));

	if (v == NULL || v->kind != DJ_NUMBER)
		return dflt;
	return strtoll(pnstrdup(v->str, v->len), NULL, 10);
}

static DynJson *
int_json(int64 v)
{
	return dynpg_json_number(psprintf(INT64_FORMAT, v));
}

/* Add the capacity units of ConsumedCapacity 'b' into 'a' (same shape) */
static void
add_capacity(DynJson *a, const DynJson *b)
{
	int			i;

	if (a == NULL || b == NULL || a->kind != DJ_OBJECT || b->kind != DJ_OBJECT)
		return;
	for (i = 0; i < a->len; i++)
	{
		DynJsonMember *m = &a->members[i];
		DynJson    *bv = dynpg_json_member(b, m->key, m->keylen);

		if (bv == NULL)
			continue;
		if (m->val->kind == DJ_NUMBER && bv->kind == DJ_NUMBER)
		{
			double		sum = strtod(pnstrdup(m->val->str, m->val->len), NULL) +
				strtod(pnstrdup(bv->str, bv->len), NULL);

			m->val = dynpg_json_number(psprintf("%.1f", sum));
		}
		else if (m->val->kind == DJ_OBJECT)
			add_capacity(m->val, bv);
	}
}

/*
 * Merge a ConsumedCapacity list (one entry per table, a batch's or a
 * transaction's) into '*capacity': a table's units added, a new table
 * appended.
 */
static void
merge_capacity_list(DynJson **capacity, DynJson *v)
{
	int			i;

	if (v == NULL || v->kind != DJ_ARRAY)
		return;
	if (*capacity == NULL)
	{
		*capacity = v;
		return;
	}
	for (i = 0; i < v->len; i++)
	{
		DynJson    *tn = dynpg_json_member(v->elems[i], "TableName", 9);
		int			j;
		bool		added = false;

		for (j = 0; tn != NULL && j < (*capacity)->len; j++)
		{
			DynJson    *cn = dynpg_json_member((*capacity)->elems[j], "TableName", 9);

			if (cn != NULL && dynpg_json_equal(cn, tn))
			{
				add_capacity((*capacity)->elems[j], v->elems[i]);
				added = true;
				break;
			}
		}
		if (!added)
			dynpg_json_append(*capacity, v->elems[i]);
	}
}

/* ---------------------------------------------------------------------
 * The data plane
 * ---------------------------------------------------------------------
 */

/* PutItem, UpdateItem, DeleteItem (and GetItem after its validation) */
static DynJson *
route_item(const Cluster *c, const DynApiOperationInfo *op, DynJson *request,
		   const char *keymember, AclMode mode)
{
	int			node = node_of_key(c, member_string(request, "TableName"),
								   dynpg_json_member(request, keymember, strlen(keymember)),
								   mode);

	return forward(c, node < 0 ? 0 : node, op->name, request);
}

/*
 * Scan, and Query on a GSI: the nodes from 'first' to 'last' in turn, each
 * until it has no more (or the page is full), the page carried across nodes
 * by the LastEvaluatedKey: its table key's partition tells the node it came
 * from, so a client hands back a plain DynamoDB key and the router resumes
 * on that node (src/api/README).
 */
static DynJson *
route_sequence(const Cluster *c, const DynApiOperationInfo *op, DynJson *request,
			   int first, int last)
{
	DynJson    *esk = dynpg_json_member(request, "ExclusiveStartKey", 17);
	int64		limit = member_int(request, "Limit", -1);
	int64		count = 0,
				scanned = 0;
	DynJson    *items = NULL;
	DynJson    *lek = NULL;
	DynJson    *capacity = NULL;
	int			start = first;
	int			node;

	if (esk != NULL)
	{
		int			n = node_of_key(c, member_string(request, "TableName"), esk, 0);

		if (n > start && n <= last)
			start = n;
	}
	for (node = start; node <= last; node++)
	{
		DynJson    *sub = object_without(request, "ExclusiveStartKey", "Limit");
		DynJson    *resp;
		DynJson    *v;

		if (node == start && esk != NULL)
			dynpg_json_add(sub, "ExclusiveStartKey", 17, esk);
		if (limit >= 0)
			dynpg_json_add(sub, "Limit", 5, int_json(limit - scanned));
		resp = forward(c, node, op->name, sub);
		count += member_int(resp, "Count", 0);
		scanned += member_int(resp, "ScannedCount", 0);
		v = dynpg_json_member(resp, "Items", 5);
		if (v != NULL && v->kind == DJ_ARRAY)
		{
			int			i;

			if (items == NULL)
				items = dynpg_json_new(DJ_ARRAY);
			for (i = 0; i < v->len; i++)
				dynpg_json_append(items, v->elems[i]);
		}
		v = dynpg_json_member(resp, "ConsumedCapacity", 16);
		if (v != NULL)
		{
			if (capacity == NULL)
				capacity = v;
			else
				add_capacity(capacity, v);
		}
		lek = dynpg_json_member(resp, "LastEvaluatedKey", 16);
		if (lek != NULL || (limit >= 0 && scanned >= limit))
			break;
	}
	{
		DynJson    *out = dynpg_json_new(DJ_OBJECT);

		if (items != NULL)
			dynpg_json_add(out, "Items", 5, items);
		dynpg_json_add(out, "Count", 5, int_json(count));
		dynpg_json_add(out, "ScannedCount", 12, int_json(scanned));
		if (lek != NULL)
			dynpg_json_add(out, "LastEvaluatedKey", 16, lek);
		if (capacity != NULL)
			dynpg_json_add(out, "ConsumedCapacity", 16, capacity);
		return out;
	}
}

static DynJson *
route_scan(const Cluster *c, const DynApiOperationInfo *op, DynJson *request)
{
	char	   *table = member_string(request, "TableName");
	char	   *index = member_string(request, "IndexName");
	DynKeySchema ks,
				iks;
	DynIndexKind ikind = DYN_INDEX_LOCAL;
	int64		total = member_int(request, "TotalSegments", 0);
	int64		segment = member_int(request, "Segment", 0);
	int			first = 0,
				last = c->nodes - 1;

	(void) dynpg_api_call_local(op, request);	/* DynamoDB's checks */
	(void) table_keys(table, index, 0, &ks, &iks, &ikind);
	/* a table's or LSI's segment is a range of the table's hashes: its nodes */
	if (total > 1 && (index == NULL || ikind == DYN_INDEX_LOCAL))
	{
		uint64		lo = (uint64) ((((unsigned __int128) segment) << 64) / (unsigned __int128) total);
		uint64		hi = (uint64) ((((unsigned __int128) (segment + 1)) << 64) / (unsigned __int128) total);

		first = node_of_hash(c, lo);
		last = segment + 1 == total ? c->nodes - 1 : node_of_hash(c, hi - 1);
	}
	return route_sequence(c, op, request, first, last);
}

static DynJson *
route_query(const Cluster *c, const DynApiOperationInfo *op, DynJson *request)
{
	char	   *table = member_string(request, "TableName");
	char	   *index = member_string(request, "IndexName");
	char	   *kce = member_string(request, "KeyConditionExpression");
	DynJson    *legacy = dynpg_json_member(request, "KeyConditions", 13);
	DynKeySchema ks,
				iks;
	DynIndexKind ikind = DYN_INDEX_LOCAL;
	DynExprNode *cond;
	DynKeyCondition kc;
	int			node;

	(void) dynpg_api_call_local(op, request);	/* DynamoDB's checks */
	if (!table_keys(table, index, 0, &ks, &iks, &ikind))
		return forward(c, 0, op->name, request);
	if (index != NULL && ikind == DYN_INDEX_GLOBAL)
		return route_sequence(c, op, request, 0, c->nodes - 1);
	if (kce != NULL)
	{
		DynExprContext ectx;

		dynpg_api_expression_params(&ectx, dynpg_json_member(request, "ExpressionAttributeNames", 24),
									dynpg_json_member(request, "ExpressionAttributeValues", 25),
									true, NULL);
		cond = dynpg_expr_parse_condition(&ectx, kce, "KeyConditionExpression");
		dynpg_expr_key_condition(cond, 0, index != NULL ? &iks : &ks, NULL, NULL, 0, &kc);
	}
	else
	{
		cond = dynpg_expr_from_conditions(legacy, NULL, "KeyConditions");
		dynpg_expr_key_condition(cond, dynpg_json_count(legacy), index != NULL ? &iks : &ks,
								 NULL, NULL, 0, &kc);
	}
	node = node_of_hash(c, dynpg_partition_hash(&kc.pk));
	return forward(c, node, op->name, request);
}

/*
 * BatchGetItem, BatchWriteItem: RequestItems split by node ('entry_key'
 * finds an entry's key: a Keys element itself, or a write request's
 * PutRequest.Item / DeleteRequest.Key), one call per node, the answers
 * merged.  A node that does not answer (or fails) gives back its part as
 * UnprocessedKeys / UnprocessedItems, which is DynamoDB's contract for a
 * batch; when no node answers, its error is raised.
 */
static DynJson *
batch_entry_key(const DynJson *entry, bool is_write)
{
	DynJson    *r;

	if (!is_write)
		return (DynJson *) entry;
	if ((r = dynpg_json_member(entry, "PutRequest", 10)) != NULL)
		return dynpg_json_member(r, "Item", 4);
	if ((r = dynpg_json_member(entry, "DeleteRequest", 13)) != NULL)
		return dynpg_json_member(r, "Key", 3);
	return NULL;
}

/* Append the entries of table 'tname' (object 'tval' of 'RequestItems' shape) into 'into' */
static void
merge_request_items(DynJson *into, const char *tname, int tlen, const DynJson *tval, bool is_write)
{
	DynJson    *have = dynpg_json_member(into, tname, tlen);
	int			i;

	if (have == NULL)
	{
		dynpg_json_add(into, tname, tlen, (DynJson *) tval);
		return;
	}
	if (is_write)
	{
		for (i = 0; i < tval->len; i++)
			dynpg_json_append(have, tval->elems[i]);
	}
	else
	{
		DynJson    *keys = dynpg_json_member(have, "Keys", 4);
		DynJson    *more = dynpg_json_member(tval, "Keys", 4);

		if (keys != NULL && more != NULL)
			for (i = 0; i < more->len; i++)
				dynpg_json_append(keys, more->elems[i]);
	}
}

static DynJson *
route_batch(const Cluster *c, const DynApiOperationInfo *op, DynJson *request, bool is_write)
{
	DynJson    *items = dynpg_json_member(request, "RequestItems", 12);
	DynJson   **per_node = palloc0(sizeof(DynJson *) * c->nodes);
	DynJson    *responses = dynpg_json_new(DJ_OBJECT);
	DynJson    *unprocessed = dynpg_json_new(DJ_OBJECT);
	DynJson    *capacity = NULL;
	DynJson    *metrics = NULL;
	const char *unprocessed_name = is_write ? "UnprocessedItems" : "UnprocessedKeys";
	ErrorData  *first_error = NULL;
	int			first_error_node = -1;
	bool		first_unreachable = false;
	int			answered = 0,
				called = 0;
	int			t,
				n;

	/* DynamoDB's checks, before any node is asked */
	if (!is_write)
		(void) dynpg_api_call_local(op, request);
	else
	{
		SubXact		sx;

		/* run on the router's empty tables, then undone */
		subxact_begin(&sx);
		PG_TRY();
		{
			(void) dynpg_api_call_local(op, request);
		}
		PG_CATCH();
		{
			ReThrowError(subxact_error(&sx));
		}
		PG_END_TRY();
		subxact_end(&sx, false);
	}

	/* split */
	for (t = 0; items != NULL && items->kind == DJ_OBJECT && t < items->len; t++)
	{
		DynJsonMember *tm = &items->members[t];
		char	   *tname = pnstrdup(tm->key, tm->keylen);
		DynJson    *entries = is_write ? tm->val : dynpg_json_member(tm->val, "Keys", 4);
		DynJson   **split = palloc0(sizeof(DynJson *) * c->nodes);
		int			i;

		if (entries == NULL || entries->kind != DJ_ARRAY)
			continue;
		for (i = 0; i < entries->len; i++)
		{
			int			node = node_of_key(c, tname, batch_entry_key(entries->elems[i], is_write), 0);

			if (node < 0)
				node = 0;
			if (split[node] == NULL)
				split[node] = dynpg_json_new(DJ_ARRAY);
			dynpg_json_append(split[node], entries->elems[i]);
		}
		for (n = 0; n < c->nodes; n++)
		{
			DynJson    *tval;

			if (split[n] == NULL)
				continue;
			if (is_write)
				tval = split[n];
			else
			{
				tval = object_without(tm->val, "Keys", NULL);
				dynpg_json_add(tval, "Keys", 4, split[n]);
			}
			if (per_node[n] == NULL)
				per_node[n] = dynpg_json_new(DJ_OBJECT);
			dynpg_json_add(per_node[n], tm->key, tm->keylen, tval);
		}
	}

	/* one call per node, merged */
	for (n = 0; n < c->nodes; n++)
	{
		DynJson    *sub;
		NodeAnswer	a;
		DynJson    *v;
		int			i;

		if (per_node[n] == NULL)
			continue;
		sub = object_without(request, "RequestItems", NULL);
		dynpg_json_add(sub, "RequestItems", 12, per_node[n]);
		called++;
		a = call_node(c, n, op->name, dynpg_json_text(sub));
		if (a.error != NULL)
		{
			if (first_error == NULL)
			{
				first_error = a.error;
				first_error_node = n;
				first_unreachable = a.unreachable;
			}
			for (i = 0; i < per_node[n]->len; i++)
				merge_request_items(unprocessed, per_node[n]->members[i].key,
									per_node[n]->members[i].keylen,
									per_node[n]->members[i].val, is_write);
			continue;
		}
		answered++;
		v = dynpg_json_member(a.response, "Responses", 9);
		for (i = 0; v != NULL && v->kind == DJ_OBJECT && i < v->len; i++)
		{
			DynJson    *have = dynpg_json_member(responses, v->members[i].key, v->members[i].keylen);
			int			j;

			if (have == NULL)
				dynpg_json_add(responses, v->members[i].key, v->members[i].keylen, v->members[i].val);
			else
				for (j = 0; j < v->members[i].val->len; j++)
					dynpg_json_append(have, v->members[i].val->elems[j]);
		}
		v = dynpg_json_member(a.response, unprocessed_name, strlen(unprocessed_name));
		for (i = 0; v != NULL && v->kind == DJ_OBJECT && i < v->len; i++)
			merge_request_items(unprocessed, v->members[i].key, v->members[i].keylen,
								v->members[i].val, is_write);
		merge_capacity_list(&capacity, dynpg_json_member(a.response, "ConsumedCapacity", 16));
		v = dynpg_json_member(a.response, "ItemCollectionMetrics", 21);
		if (v != NULL && metrics == NULL)
			metrics = v;
	}
	if (called > 0 && answered == 0)
	{
		if (first_unreachable)
			raise_unreachable(c, first_error_node, first_error);
		raise_node_error(first_error);
	}
	{
		DynJson    *out = dynpg_json_new(DJ_OBJECT);

		if (!is_write)
			dynpg_json_add(out, "Responses", 9, responses);
		dynpg_json_add(out, unprocessed_name, strlen(unprocessed_name), unprocessed);
		if (metrics != NULL)
			dynpg_json_add(out, "ItemCollectionMetrics", 21, metrics);
		if (capacity != NULL)
			dynpg_json_add(out, "ConsumedCapacity", 16, capacity);
		return out;
	}
}

/* ---------------------------------------------------------------------
 * TransactWriteItems across nodes: two-phase commit
 * ---------------------------------------------------------------------
 *
 * The router opens its own libpq connection to each node of the request
 * (PL/Proxy's calls are autocommit, so they cannot hold a transaction
 * open), runs the node's part of the request in a transaction there, and
 * when every node succeeded, PREPARE TRANSACTION 'dynpg:<cluster>:<router
 * xid>:<its start time>:<n>' on each.  The decision is the router's own transaction: the
 * gid goes into dynpg.cluster_xact in it, and the router's commit is the
 * commit point.  Its commit callback then runs COMMIT PREPARED on the
 * nodes; its abort callback (or a subtransaction's, for the gids prepared
 * within it) ROLLBACK PREPARED.  A crash of the router or a node between
 * PREPARE and the end leaves prepared transactions on the nodes, which
 * dynpg.cluster_recover() ends: COMMIT PREPARED when the router's
 * transaction committed and its row in dynpg.cluster_xact is there,
 * ROLLBACK PREPARED when it aborted (or crashed: presumed abort), nothing
 * while it is still in progress.
 */

#define GID_PREFIX_FMT "dynpg:%s:"

typedef struct PreparedXact
{
	char		gid[GIDSIZE];
	SubTransactionId subid;		/* the subtransaction that prepared it */
	int			nconns;
	int			nodes[1024];
	PGconn	   *conns[1024];	/* NULL until connected */
	bool		prepared[1024];
	struct PreparedXact *next;
} PreparedXact;

static PreparedXact *prepared_xacts = NULL;
static List *finished_gids = NIL;	/* committed everywhere: rows to delete */
static bool callbacks_registered = false;
static uint32 gid_counter = 0;

/*
 * End the prepared transactions of 'px' on its nodes (COMMIT PREPARED or
 * ROLLBACK PREPARED; a connection never prepared is closed, which rolls
 * its transaction back).  Never raises an error: it runs in commit and
 * abort callbacks; what fails is a WARNING and left to cluster_recover.
 * Returns whether every prepared node ended it.
 */
static bool
end_prepared(PreparedXact *px, bool commit)
{
	bool		all = true;
	int			i;

	for (i = 0; i < px->nconns; i++)
	{
		if (px->conns[i] == NULL)
			continue;
		if (px->prepared[i])
		{
			char		sql[GIDSIZE + 32];
			PGresult   *r;

			snprintf(sql, sizeof(sql), "%s PREPARED '%s:%d'", commit ? "COMMIT" : "ROLLBACK",
					 px->gid, px->nodes[i]);
			r = PQexec(px->conns[i], sql);
			if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK)
			{
				all = false;
				ereport(WARNING,
						(errmsg("dynpg cluster: %s PREPARED '%s:%d' failed on node %d: %s",
								commit ? "COMMIT" : "ROLLBACK", px->gid, px->nodes[i], px->nodes[i],
								PQerrorMessage(px->conns[i])),
						 errhint("SELECT * FROM dynpg.cluster_recover() in the router ends it once the node answers.")));
			}
			PQclear(r);
		}
		PQfinish(px->conns[i]);
		px->conns[i] = NULL;
	}
	return all;
}

static void
cluster_xact_callback(XactEvent event, void *arg)
{
	PreparedXact *px;

	if (prepared_xacts == NULL)
		return;
	switch (event)
	{
		case XACT_EVENT_PRE_PREPARE:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("dynpg: cannot PREPARE a transaction that ran a TransactWriteItems across cluster nodes")));
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			{
				bool		commit = event == XACT_EVENT_COMMIT ||
					event == XACT_EVENT_PARALLEL_COMMIT;

				while ((px = prepared_xacts) != NULL)
				{
					prepared_xacts = px->next;
					if (end_prepared(px, commit) && commit)
					{
						MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

						finished_gids = lappend(finished_gids, pstrdup(px->gid));
						MemoryContextSwitchTo(old);
					}
					pfree(px);
				}
			}
			break;
		default:
			break;
	}
}

static void
cluster_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	PreparedXact **link = &prepared_xacts;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	while (*link != NULL)
	{
		PreparedXact *px = *link;

		if (px->subid >= mySubid)
		{
			*link = px->next;
			(void) end_prepared(px, false);
			pfree(px);
		}
		else
			link = &px->next;
	}
}

static void
register_xact_callbacks(void)
{
	if (!callbacks_registered)
	{
		RegisterXactCallback(cluster_xact_callback, NULL);
		RegisterSubXactCallback(cluster_subxact_callback, NULL);
		callbacks_registered = true;
	}
}

/*
 * A libpq connection to the node at 'conninfo' with the user and password
 * of the cluster's user mapping, as PL/Proxy connects.  NULL and '*errmsg'
 * when it fails.
 */
static PGconn *
conninfo_connect(const Cluster *c, const char *conninfo, char **errmsg)
{
	ForeignServer *server = GetForeignServerByName(c->name, false);
	UserMapping *um = GetUserMapping(GetUserId(), server->serverid);
	const char *keywords[5];
	const char *values[5];
	int			n = 0;
	ListCell   *lc;
	PGconn	   *conn;

	keywords[n] = "dbname";
	values[n++] = conninfo;
	foreach(lc, um->options)
	{
		DefElem    *d = lfirst(lc);

		if (strcmp(d->defname, "user") == 0 || strcmp(d->defname, "password") == 0)
		{
			keywords[n] = d->defname;
			values[n++] = defGetString(d);
		}
	}
	keywords[n] = "application_name";
	values[n++] = "dynpg cluster router";
	keywords[n] = NULL;
	values[n] = NULL;
	conn = PQconnectdbParams(keywords, values, 1);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
	{
		*errmsg = one_line(conn ? PQerrorMessage(conn) : "out of memory");
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

/* The connection string of node 'node': the PL/Proxy server's option p<node>, or NULL */
static char *
node_conninfo(const Cluster *c, int node)
{
	ForeignServer *server = GetForeignServerByName(c->name, false);
	char		key[16];
	ListCell   *lc;

	snprintf(key, sizeof(key), "p%d", node);
	foreach(lc, server->options)
	{
		DefElem    *d = lfirst(lc);

		if (strcmp(d->defname, key) == 0)
			return defGetString(d);
	}
	return NULL;
}

/* A libpq connection to node 'node' (NULL and '*errmsg' when it fails) */
static PGconn *
node_connect(const Cluster *c, int node, char **errmsg)
{
	const char *conninfo = node_conninfo(c, node);

	if (conninfo == NULL)
	{
		*errmsg = psprintf("server %s has no connection string p%d", c->name, node);
		return NULL;
	}
	return conninfo_connect(c, conninfo, errmsg);
}

/* Run a command on 'conn'; false and '*errmsg' when it fails */
static bool
conn_command(PGconn *conn, const char *sql, char **errmsg)
{
	PGresult   *r = PQexec(conn, sql);
	bool		ok = r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok)
		*errmsg = one_line(PQerrorMessage(conn));
	PQclear(r);
	return ok;
}

/* dynpg.cluster_node_execute(op, request) on 'conn': its answer, or NULL and '*errmsg' */
static char *
conn_node_execute(PGconn *conn, const char *opname, const char *request, char **errmsg)
{
	const char *params[2] = {opname, request};
	PGresult   *r = PQexecParams(conn, "SELECT dynpg.cluster_node_execute($1, $2)", 2, NULL,
								 params, NULL, NULL, 0);
	char	   *answer = NULL;

	if (r != NULL && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
		!PQgetisnull(r, 0, 0))
		answer = pstrdup(PQgetvalue(r, 0, 0));
	else
		*errmsg = one_line(PQerrorMessage(conn));
	PQclear(r);
	return answer;
}

/*
 * Run an SPI statement (with text parameters) on dynpg.cluster_xact as the
 * bootstrap superuser: no role the router serves has privileges on it, so
 * that no client can forge or drop a commit decision.
 */
/* The owner of schema dynpg_cluster: the role that created the cluster. */
static Oid
cluster_owner(void)
{
	Oid			nsp = get_namespace_oid(CLUSTER_SCHEMA, false);
	HeapTuple	tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for schema %u", nsp);
	owner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
	ReleaseSysCache(tup);
	return owner;
}

static void
xact_table_statement(const char *sql, int nargs, Oid *types, Datum *values, int expected)
{
	Oid			save_userid;
	int			save_sec;

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0) != expected)
		elog(ERROR, "dynpg: \"%s\" failed", sql);
	SPI_finish();
	SetUserIdAndSecContext(save_userid, save_sec);
}

/* A text[] of the C strings of 'l' */
static Datum
text_array(List *l)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(list_length(l), 1));
	int			n = 0;
	ListCell   *lc;

	foreach(lc, l)
		d[n++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* The CancellationReasons of a node's TransactionCanceledException, or NULL */
static DynJson *
cancellation_reasons_of(const ErrorData *e)
{
	DynJson    *body;
	DynJson    *r;

	if (e->sqlerrcode != MAKE_SQLSTATE('Y', 'D', '0', '2', '0') || e->detail == NULL)
		return NULL;
	body = dynpg_json_parse(e->detail, strlen(e->detail));
	r = dynpg_json_member(body, "CancellationReasons", 19);
	return r != NULL && r->kind == DJ_ARRAY ? r : NULL;
}

/*
 * A new two-phase transaction of 'nconns' nodes (px->nodes[i] = i; callers
 * renumber), registered first: from here on, any error ends what was begun
 * (the abort callbacks roll back what each node holds).
 */
static PreparedXact *
new_prepared_xact(const Cluster *c, int nconns)
{
	MemoryContext old;
	PreparedXact *px;
	int			i;

	register_xact_callbacks();
	old = MemoryContextSwitchTo(TopMemoryContext);
	px = palloc0(sizeof(PreparedXact));
	MemoryContextSwitchTo(old);
	/*
	 * the router's transaction id, then its start time: after a crash of the
	 * router, its transaction ids that were never written are given again
	 */
	snprintf(px->gid, sizeof(px->gid), GID_PREFIX_FMT UINT64_FORMAT ":" INT64_FORMAT ":%u",
			 c->name, U64FromFullTransactionId(GetTopFullTransactionId()),
			 (int64) GetCurrentTransactionStartTimestamp(), ++gid_counter);
	px->subid = GetCurrentSubTransactionId();
	px->nconns = nconns;
	for (i = 0; i < nconns; i++)
		px->nodes[i] = i;
	px->next = prepared_xacts;
	prepared_xacts = px;
	return px;
}

/*
 * PREPARE TRANSACTION on every connection of 'px' (each node's gid: the
 * transaction's and ':<node>'): -1, or the index of the connection that
 * failed with '*emsg'
 */
static int
prepare_nodes(PreparedXact *px, char **emsg)
{
	int			i;

	for (i = 0; i < px->nconns; i++)
	{
		char		sql[GIDSIZE + 32];

		snprintf(sql, sizeof(sql), "PREPARE TRANSACTION '%s:%d'", px->gid, px->nodes[i]);
		if (!conn_command(px->conns[i], sql, emsg))
			return i;
		px->prepared[i] = true;
	}
	return -1;
}

/* The decision: px's row in dynpg.cluster_xact, in the router's transaction */
static void
record_decision(const PreparedXact *px)
{
	Oid			types[2] = {TEXTOID, INT4ARRAYOID};
	Datum		values[2];
	Datum	   *nd = palloc(sizeof(Datum) * Max(px->nconns, 1));
	int			i;

	for (i = 0; i < px->nconns; i++)
		nd[i] = Int32GetDatum(px->nodes[i]);
	values[0] = CStringGetTextDatum(px->gid);
	values[1] = PointerGetDatum(construct_array(nd, px->nconns, INT4OID, 4, true, TYPALIGN_INT));
	xact_table_statement("INSERT INTO dynpg.cluster_xact (gid, nodes) VALUES ($1, $2)", 2, types,
						 values, SPI_OK_INSERT);
}

static DynJson *
route_two_phase(const Cluster *c, const DynApiOperationInfo *op, DynJson *request,
				const int *action_node, int nactions, const bool *used)
{
	PreparedXact *px;
	DynJson    *actions = dynpg_json_member(request, "TransactItems", 13);
	DynJson   **sub = palloc0(sizeof(DynJson *) * c->nodes);
	NodeAnswer *answers = palloc0(sizeof(NodeAnswer) * c->nodes);
	int		   *slot = palloc(sizeof(int) * c->nodes);
	bool		canceled = false;
	ErrorData  *other = NULL;
	int			i,
				k;

	register_xact_callbacks();

	/* the rows of transactions this backend ended everywhere */
	if (finished_gids != NIL)
	{
		Oid			types[1] = {TEXTARRAYOID};
		Datum		values[1];
		List	   *gids = finished_gids;

		finished_gids = NIL;
		values[0] = text_array(gids);
		list_free_deep(gids);
		xact_table_statement("DELETE FROM dynpg.cluster_xact WHERE gid = ANY ($1)", 1, types,
							 values, SPI_OK_DELETE);
	}

	/* each node's actions, in the request's order */
	for (k = 0; k < c->nodes; k++)
		if (used[k])
		{
			sub[k] = object_without(request, "TransactItems", NULL);
			dynpg_json_add(sub[k], "TransactItems", 13, dynpg_json_new(DJ_ARRAY));
		}
	for (i = 0; i < nactions; i++)
		dynpg_json_append(dynpg_json_member(sub[action_node[i]], "TransactItems", 13),
						  actions->elems[i]);

	px = new_prepared_xact(c, 0);
	for (k = 0; k < c->nodes; k++)
		if (used[k])
		{
			slot[k] = px->nconns;
			px->nodes[px->nconns++] = k;
		}

	/* phase one: every node runs its part in an open transaction */
	for (i = 0; i < px->nconns; i++)
	{
		int			node = px->nodes[i];
		char	   *errmsg = NULL;
		char	   *answer;

		px->conns[i] = node_connect(c, node, &errmsg);
		if (px->conns[i] == NULL || !conn_command(px->conns[i], "BEGIN", &errmsg) ||
			(answer = conn_node_execute(px->conns[i], op->name, dynpg_json_text(sub[node]), &errmsg)) == NULL)
			dynpg_raise(DYN_ERR_INTERNAL_SERVER_ERROR,
						"dynpg cluster %s: node %d did not answer: %s", c->name, node, errmsg);
		parse_answer(answer, &answers[node]);
		if (answers[node].error != NULL)
		{
			if (cancellation_reasons_of(answers[node].error) != NULL)
				canceled = true;
			else if (other == NULL)
				other = answers[node].error;
		}
	}

	/* a node's own error (a conflict, a token mismatch): as it is */
	if (other != NULL)
		raise_node_error(other);

	/* canceled: every action's reason, from its node's answer */
	if (canceled)
	{
		StringInfoData members;
		StringInfoData message;
		int		   *next = palloc0(sizeof(int) * c->nodes);

		initStringInfo(&members);
		initStringInfo(&message);
		appendStringInfoString(&members, "\"CancellationReasons\":[");
		appendStringInfoString(&message,
							   "Transaction cancelled, please refer cancellation reasons for specific reasons [");
		for (i = 0; i < nactions; i++)
		{
			int			node = action_node[i];
			DynJson    *reasons = answers[node].error ? cancellation_reasons_of(answers[node].error) : NULL;
			DynJson    *reason = reasons != NULL && next[node] < reasons->len ?
				reasons->elems[next[node]] : NULL;
			DynJson    *code = reason ? dynpg_json_member(reason, "Code", 4) : NULL;

			next[node]++;
			if (i > 0)
			{
				appendStringInfoChar(&members, ',');
				appendStringInfoString(&message, ", ");
			}
			if (reason != NULL && code != NULL && code->kind == DJ_STRING)
			{
				dynpg_json_write(&members, reason, NULL);
				appendBinaryStringInfo(&message, code->str, code->len);
			}
			else
			{
				appendStringInfoString(&members, "{\"Code\":\"None\"}");
				appendStringInfoString(&message, "None");
			}
		}
		appendStringInfoChar(&members, ']');
		appendStringInfoChar(&message, ']');
		dynpg_raise_body(DYN_ERR_TRANSACTION_CANCELED, 0, members.data, NULL, message.data);
	}

	/* phase two: prepare everywhere, then record the decision */
	{
		char	   *errmsg = NULL;

		i = prepare_nodes(px, &errmsg);
		if (i >= 0)
			dynpg_raise(DYN_ERR_INTERNAL_SERVER_ERROR,
						"dynpg cluster %s: node %d could not prepare the transaction: %s",
						c->name, px->nodes[i], errmsg);
	}
	record_decision(px);

	/* the response: the nodes' ConsumedCapacity and ItemCollectionMetrics merged */
	{
		DynJson    *out = dynpg_json_new(DJ_OBJECT);
		DynJson    *capacity = NULL;
		DynJson    *metrics = NULL;

		for (k = 0; k < c->nodes; k++)
		{
			DynJson    *m;

			if (!used[k] || answers[k].response == NULL)
				continue;
			merge_capacity_list(&capacity, dynpg_json_member(answers[k].response, "ConsumedCapacity", 16));
			m = dynpg_json_member(answers[k].response, "ItemCollectionMetrics", 21);
			if (m != NULL && m->kind == DJ_OBJECT)
			{
				if (metrics == NULL)
					metrics = dynpg_json_new(DJ_OBJECT);
				for (i = 0; i < m->len; i++)
					merge_request_items(metrics, m->members[i].key, m->members[i].keylen,
										m->members[i].val, true);
			}
		}
		if (capacity != NULL)
			dynpg_json_add(out, "ConsumedCapacity", 16, capacity);
		if (metrics != NULL)
			dynpg_json_add(out, "ItemCollectionMetrics", 21, metrics);
		return out;
	}
}

/*
 * TransactWriteItems, TransactGetItems: every action's key on one node:
 * sent there, where it commits or is canceled as on a single node.  A
 * TransactWriteItems on several nodes is checked on the router's empty
 * tables, then committed on them with two-phase commit (route_two_phase);
 * a TransactGetItems on several nodes is refused: the nodes share no
 * snapshot, so its reads could not be one consistent view.
 */
static DynJson *
route_transaction(const Cluster *c, const DynApiOperationInfo *op, DynJson *request,
				  bool is_write)
{
	DynJson    *actions = dynpg_json_member(request, "TransactItems", 13);
	static const char *const kinds[] = {"Put", "Update", "Delete", "ConditionCheck", "Get"};
	static const AclMode modes[] = {ACL_INSERT, ACL_UPDATE | ACL_INSERT, ACL_DELETE, ACL_SELECT,
	ACL_SELECT};
	bool	   *used = palloc0(sizeof(bool) * c->nodes);
	int			nactions = actions != NULL && actions->kind == DJ_ARRAY ? actions->len : 0;
	int		   *action_node = palloc0(sizeof(int) * Max(nactions, 1));
	int			nused = 0;
	int			node = -1;
	bool		unknown = false;
	int			i,
				k;

	for (i = 0; i < nactions; i++)
	{
		DynJson    *act = NULL;
		int			kind = -1;
		int			n;

		for (k = 0; k < lengthof(kinds) && act == NULL; k++)
		{
			act = dynpg_json_member(actions->elems[i], kinds[k], strlen(kinds[k]));
			kind = k;
		}
		n = act == NULL || act->kind != DJ_OBJECT ? -1 :
			node_of_key(c, member_string(act, "TableName"),
						dynpg_json_member(act, kind == 0 ? "Item" : "Key", kind == 0 ? 4 : 3),
						modes[kind]);
		action_node[i] = n;
		if (n < 0)
		{
			unknown = true;
			continue;
		}
		if (!used[n])
		{
			used[n] = true;
			nused++;
			node = n;
		}
	}
	if (unknown || nused <= 1)
		return forward(c, unknown || node < 0 ? 0 : node, op->name, request);

	/* several nodes: DynamoDB's checks first (run on the empty tables, undone) */
	{
		SubXact		sx;
		ErrorData  *volatile e = NULL;

		/* run on the router's empty tables, then undone */
		subxact_begin(&sx);
		PG_TRY();
		{
			(void) dynpg_api_call_local(op, request);
		}
		PG_CATCH();
		{
			e = subxact_error(&sx);
		}
		PG_END_TRY();
		if (e == NULL)
			subxact_end(&sx, false);

		/*
		 * a cancellation on empty tables for a condition is no fault of the
		 * request; one for a ValidationError (a bad item or key) is
		 */
		if (e != NULL && (e->sqlerrcode != MAKE_SQLSTATE('Y', 'D', '0', '2', '0') ||
						  (e->detail != NULL &&
						   strstr(e->detail, "\"Code\":\"ValidationError\"") != NULL)))
			ReThrowError(e);
	}
	if (is_write)
		return route_two_phase(c, op, request, action_node, nactions, used);
	{
		StringInfoData s;

		initStringInfo(&s);
		for (k = 0; k < c->nodes; k++)
			if (used[k])
				appendStringInfo(&s, "%s%d", s.len > 0 ? ", " : "", k);
		dynpg_validation_error("dynpg cluster %s: the items of a TransactGetItems are on nodes %s, which share no snapshot: a TransactGetItems must read items of one node",
							   c->name, s.data);
	}
	pg_unreachable();
}

/* ---------------------------------------------------------------------
 * The control plane
 * ---------------------------------------------------------------------
 */

static bool
is_not_found(const ErrorData *e)
{
	return e->sqlerrcode == MAKE_SQLSTATE('Y', 'D', '0', '1', '1');
}

/*
 * CreateTable: on the router (DynamoDB's checks, the cluster's catalog),
 * then on each node in turn.  When node k fails, the table is deleted
 * again from nodes 0..k-1 and the error names node k; the router's own
 * table goes with its transaction.  A node that could not be cleaned
 * (unreachable too) is named, and dynpg.cluster_repair_table(name) removes
 * the table wherever the router does not have it.
 */
/*
 * CreateTable 'request' on every node; when one fails, the table is
 * deleted again from those before it and the error raised names them.
 */
static void
create_on_nodes(const Cluster *c, DynJson *request)
{
	char	   *reqtext = dynpg_json_text(request);
	char	   *table = member_string(request, "TableName");
	int			n;

	for (n = 0; n < c->nodes; n++)
	{
		NodeAnswer	a = call_node(c, n, "CreateTable", reqtext);
		StringInfoData left;
		int			k;

		if (a.error == NULL)
			continue;
		initStringInfo(&left);
		for (k = 0; k < n; k++)
		{
			DynJson    *del = dynpg_json_new(DJ_OBJECT);
			NodeAnswer	d;

			dynpg_json_add(del, "TableName", 9, dynpg_json_string(table, strlen(table)));
			d = call_node(c, k, "DeleteTable", dynpg_json_text(del));
			if (d.error != NULL && !is_not_found(d.error))
				appendStringInfo(&left, "%s%d", left.len > 0 ? ", " : "", k);
		}
		if (left.len > 0)
			dynpg_raise(DYN_ERR_INTERNAL_SERVER_ERROR,
						"dynpg cluster %s: CreateTable failed on node %d (%s) and the table could not be deleted again from nodes %s: run SELECT dynpg.cluster_repair_table('%s') once they answer",
						c->name, n, one_line(a.error->message), left.data, table);
		dynpg_raise(DYN_ERR_INTERNAL_SERVER_ERROR,
					"dynpg cluster %s: CreateTable failed on node %d (%s); the table was deleted again from the other nodes",
					c->name, n, one_line(a.error->message));
	}
}

static DynJson *
route_create_table(const Cluster *c, const DynApiOperationInfo *op, DynJson *request)
{
	DynJson    *resp = dynpg_api_call_local(op, request);

	create_on_nodes(c, request);
	return resp;
}

void
dynpg_cluster_create_on_nodes(DynJson *request)
{
	create_on_nodes(cluster_config(), request);
}

void
dynpg_cluster_delete_on_nodes(const char *table_name)
{
	Cluster    *c = cluster_config();
	DynJson    *del = dynpg_json_new(DJ_OBJECT);
	char	   *text;
	int			n;

	dynpg_json_add(del, "TableName", 9, dynpg_json_string(table_name, strlen(table_name)));
	text = dynpg_json_text(del);
	for (n = 0; n < c->nodes; n++)
	{
		NodeAnswer	d = call_node(c, n, "DeleteTable", text);

		if (d.error != NULL && !is_not_found(d.error))
			ereport(WARNING,
					(errmsg("dynpg cluster %s: table %s could not be deleted from node %d: %s",
							c->name, table_name, n, one_line(d.error->message)),
					 errhint("Run SELECT dynpg.cluster_repair_table('%s') once it answers.", table_name)));
	}
}

/*
 * DeleteTable, UpdateTable, TagResource, UntagResource, UpdateTimeToLive:
 * on the router, then on each node.  A node's failure is an error naming
 * it; the router's transaction rolls back, the nodes before it keep the
 * change.  DeleteTable is idempotent on the nodes (a node without the
 * table is done), so calling it again finishes it.
 */
static DynJson *
route_broadcast(const Cluster *c, const DynApiOperationInfo *op, DynJson *request)
{
	DynJson    *resp = dynpg_api_call_local(op, request);
	char	   *reqtext = dynpg_json_text(request);
	bool		is_delete = strcmp(op->name, "DeleteTable") == 0;
	int			n;

	for (n = 0; n < c->nodes; n++)
	{
		NodeAnswer	a = call_node(c, n, op->name, reqtext);

		if (a.error == NULL || (is_delete && !a.unreachable && is_not_found(a.error)))
			continue;
		dynpg_raise(DYN_ERR_INTERNAL_SERVER_ERROR,
					"dynpg cluster %s: %s failed on node %d (%s) after it succeeded on nodes before it; call it again once the node answers",
					c->name, op->name, n, one_line(a.error->message));
	}
	return resp;
}

/* Sum member 'name' (an integer) of 'into' and 'from' */
static void
sum_member(DynJson *into, const DynJson *from, const char *name)
{
	int			i;

	for (i = 0; into != NULL && into->kind == DJ_OBJECT && i < into->len; i++)
		if (into->members[i].keylen == strlen(name) &&
			memcmp(into->members[i].key, name, into->members[i].keylen) == 0)
			into->members[i].val = int_json(member_int(into, name, 0) + member_int(from, name, 0));
}

/* ---------------------------------------------------------------------
 * Streams
 *
 * Each node keeps its own stream of the table (its records, shards and
 * generations); the router's stream of the table (opened by the same
 * CreateTable or UpdateTable) names them all.  A router StreamArn stands
 * for the stream of the same rank among the table's streams on each node
 * (ListStreams' order: the nodes open and close them by the same
 * broadcast requests).  A router ShardId is the node's ShardId followed
 * by "-" and the node's number in 3 hex digits; a router ShardIterator is
 * "<router StreamArn>|node|<3 hex digits>|<the node's iterator>".
 * ListStreams is the router's own.  A request the router cannot map (a
 * ShardId or iterator of no node) goes to its own stream, whose answer is
 * the error one database gives.
 * ---------------------------------------------------------------------
 */

#define ITERATOR_NODE_MARK "|node|"

/* The node of a router ShardId and the node's ShardId, or false */
static bool
split_shard_id(const Cluster *c, const char *id, char **inner, int *node)
{
	size_t		len = id ? strlen(id) : 0;
	char	   *end;
	long		n;

	if (len < 5 || id[len - 4] != '-' || !isxdigit((unsigned char) id[len - 3]) ||
		!isxdigit((unsigned char) id[len - 2]) || !isxdigit((unsigned char) id[len - 1]))
		return false;
	n = strtol(id + len - 3, &end, 16);
	if (n < 0 || n >= c->nodes)
		return false;
	*node = (int) n;
	*inner = pnstrdup(id, len - 4);
	return true;
}

static DynJson *
router_shard_id(const DynJson *inner, int node)
{
	char	   *id = psprintf("%.*s-%03x", inner->len, inner->str, node);

	return dynpg_json_string(id, strlen(id));
}

/*
 * The node's StreamArn for the router's stream 'arn': the stream of the
 * same rank among the table's streams.  NULL when the router has no such
 * stream (its own DescribeStream then answers the error).
 */
static char *
node_stream_arn(const Cluster *c, int node, const char *arn)
{
	const DynApiOperationInfo *list_op = dynpg_api_find_operation("ListStreams");
	char	   *table = NULL;
	char	   *after = NULL;
	DynJson    *req;
	DynJson    *theirs;
	DynJson    *list;
	int			rank = 0;
	int			i;

	/* the router's streams, every page: the table of 'arn' and its rank */
	for (;;)
	{
		DynJson    *mine;

		req = dynpg_json_new(DJ_OBJECT);
		if (after != NULL)
			dynpg_json_add(req, "ExclusiveStartStreamArn", 23, dynpg_json_string(after, strlen(after)));
		mine = dynpg_api_call_local(list_op, req);
		list = dynpg_json_member(mine, "Streams", 7);
		for (i = 0; list != NULL && list->kind == DJ_ARRAY && i < list->len && table == NULL; i++)
		{
			char	   *a = member_string(list->elems[i], "StreamArn");
			char	   *t = member_string(list->elems[i], "TableName");

			if (a == NULL || t == NULL)
				continue;
			if (strcmp(a, arn) == 0)
				table = t;
			else if (strstr(arn, psprintf(":table/%s/stream/", t)) != NULL)
				rank++;			/* an earlier stream of the same table */
		}
		after = member_string(mine, "LastEvaluatedStreamArn");
		if (table != NULL || after == NULL)
			break;
	}
	if (table == NULL)
		return NULL;
	req = dynpg_json_new(DJ_OBJECT);
	dynpg_json_add(req, "TableName", 9, dynpg_json_string(table, strlen(table)));
	theirs = forward(c, node, "ListStreams", req);
	list = dynpg_json_member(theirs, "Streams", 7);
	if (list == NULL || list->kind != DJ_ARRAY || rank >= list->len)
		dynpg_raise(DYN_ERR_INTERNAL_SERVER_ERROR,
					"dynpg cluster %s: node %d has no stream of table %s matching %s",
					c->name, node, table, arn);
	return member_string(list->elems[rank], "StreamArn");
}

/* A request's copy with member 'name' set to string 'value' */
static DynJson *
with_string(const DynJson *request, const char *name, const char *value)
{
	DynJson    *r = object_without(request, name, NULL);

	dynpg_json_add(r, name, strlen(name), dynpg_json_string(value, strlen(value)));
	return r;
}

/* The node's shards of a DescribeStream answer, renamed for the router, appended to 'into' */
static int
append_node_shards(DynJson *into, const DynJson *answer, int node, int room)
{
	DynJson    *desc = dynpg_json_member(answer, "StreamDescription", 17);
	DynJson    *shards = desc ? dynpg_json_member(desc, "Shards", 6) : NULL;
	int			added = 0;
	int			i;

	for (i = 0; shards != NULL && shards->kind == DJ_ARRAY && i < shards->len && added < room; i++)
	{
		DynJson    *sh = shards->elems[i];
		DynJson    *out = dynpg_json_new(DJ_OBJECT);
		int			m;

		for (m = 0; m < sh->len; m++)
		{
			DynJsonMember *mem = &sh->members[m];

			if ((mem->keylen == 7 && memcmp(mem->key, "ShardId", 7) == 0) ||
				(mem->keylen == 13 && memcmp(mem->key, "ParentShardId", 13) == 0))
				dynpg_json_add(out, mem->key, mem->keylen, router_shard_id(mem->val, node));
			else
				dynpg_json_add(out, mem->key, mem->keylen, mem->val);
		}
		dynpg_json_append(into, out);
		added++;
	}
	return added;
}

/*
 * DescribeStream: the router's own description (its checks and errors are
 * one database's), with the shards of every node in node order, paged by
 * Limit and ExclusiveStartShardId; a ShardFilter's shard names its node.
 */
static DynJson *
route_describe_stream(const Cluster *c, const DynApiOperationInfo *op, DynJson *request)
{
	DynJson    *resp = dynpg_api_call_local(op, request);
	DynJson    *desc = dynpg_json_member(resp, "StreamDescription", 17);
	char	   *arn = member_string(request, "StreamArn");
	char	   *start = member_string(request, "ExclusiveStartShardId");
	DynJson    *filter = dynpg_json_member(request, "ShardFilter", 11);
	char	   *filter_shard = filter ? member_string(filter, "ShardId") : NULL;
	int64		limit = member_int(request, "Limit", 100);
	DynJson    *shards = dynpg_json_new(DJ_ARRAY);
	DynJson    *out;
	int			first = 0;
	int			last = c->nodes - 1;
	int			node;
	int			shown = 0;
	bool		more = false;
	char	   *start_inner = NULL;
	char	   *filter_inner = NULL;
	int			i;

	if (desc == NULL)
		return resp;
	if (start != NULL)
	{
		if (!split_shard_id(c, start, &start_inner, &first))
			first = c->nodes;	/* a shard of no node: nothing after it */
	}
	if (filter_shard != NULL)
	{
		int			fnode;

		if (split_shard_id(c, filter_shard, &filter_inner, &fnode))
			first = Max(first, fnode), last = fnode;
		else
			first = c->nodes;	/* no node's shard: no children */
	}
	for (node = first; node <= last && !more; node++)
	{
		char	   *node_arn = node_stream_arn(c, node, arn);
		DynJson    *req;
		DynJson    *answer;
		DynJson    *ldesc;

		if (node_arn == NULL)
			break;
		req = with_string(request, "StreamArn", node_arn);
		req = object_without(req, "ExclusiveStartShardId", "Limit");
		if (node == first && start_inner != NULL)
			dynpg_json_add(req, "ExclusiveStartShardId", 21,
						   dynpg_json_string(start_inner, strlen(start_inner)));
		if (filter_inner != NULL)
		{
			DynJson    *f = with_string(filter, "ShardId", filter_inner);

			req = object_without(req, "ShardFilter", NULL);
			dynpg_json_add(req, "ShardFilter", 11, f);
		}
		dynpg_json_add(req, "Limit", 5, int_json(limit - shown));
		answer = forward(c, node, "DescribeStream", req);
		shown += append_node_shards(shards, answer, node, (int) (limit - shown));
		ldesc = dynpg_json_member(answer, "StreamDescription", 17);
		if (ldesc != NULL && dynpg_json_member(ldesc, "LastEvaluatedShardId", 20) != NULL)
			more = true;
		else if (shown >= limit && node < last)
			more = true;
	}
	/* the router's description with the nodes' shards */
	out = dynpg_json_new(DJ_OBJECT);
	for (i = 0; i < desc->len; i++)
	{
		DynJsonMember *m = &desc->members[i];

		if (m->keylen == 6 && memcmp(m->key, "Shards", 6) == 0)
			dynpg_json_add(out, "Shards", 6, shards);
		else if (!(m->keylen == 20 && memcmp(m->key, "LastEvaluatedShardId", 20) == 0))
			dynpg_json_add(out, m->key, m->keylen, m->val);
	}
	if (more && shards->len > 0)
	{
		DynJson    *lastsh = shards->elems[shards->len - 1];

		dynpg_json_add(out, "LastEvaluatedShardId", 20, dynpg_json_member(lastsh, "ShardId", 7));
	}
	resp = dynpg_json_new(DJ_OBJECT);
	dynpg_json_add(resp, "StreamDescription", 17, out);
	return resp;
}

/* GetShardIterator: on the node the ShardId names, its iterator wrapped */
static DynJson *
route_get_shard_iterator(const Cluster *c, const DynApiOperationInfo *op, DynJson *request)
{
	char	   *arn = member_string(request, "StreamArn");
	char	   *shard = member_string(request, "ShardId");
	char	   *inner;
	char	   *node_arn;
	char	   *it;
	int			node;
	DynJson    *req;
	DynJson    *answer;
	DynJson    *resp;

	if (arn == NULL || !split_shard_id(c, shard, &inner, &node) ||
		(node_arn = node_stream_arn(c, node, arn)) == NULL)
		return dynpg_api_call_local(op, request);
	req = with_string(with_string(request, "StreamArn", node_arn), "ShardId", inner);
	answer = forward(c, node, op->name, req);
	it = member_string(answer, "ShardIterator");
	if (it == NULL)
		return answer;
	it = psprintf("%s" ITERATOR_NODE_MARK "%03x|%s", arn, node, it);
	resp = dynpg_json_new(DJ_OBJECT);
	dynpg_json_add(resp, "ShardIterator", 13, dynpg_json_string(it, strlen(it)));
	return resp;
}

/* GetRecords: on the iterator's node, the next iterator wrapped again */
static DynJson *
route_get_records(const Cluster *c, const DynApiOperationInfo *op, DynJson *request)
{
	char	   *it = member_string(request, "ShardIterator");
	char	   *mark = it ? strstr(it, ITERATOR_NODE_MARK) : NULL;
	char	   *end;
	long		node;
	char	   *prefix;
	DynJson    *answer;
	DynJson    *out;
	int			i;

	if (mark == NULL || strlen(mark) < strlen(ITERATOR_NODE_MARK) + 4 ||
		mark[strlen(ITERATOR_NODE_MARK) + 3] != '|')
		return dynpg_api_call_local(op, request);
	node = strtol(mark + strlen(ITERATOR_NODE_MARK), &end, 16);
	if (end != mark + strlen(ITERATOR_NODE_MARK) + 3 || node < 0 || node >= c->nodes)
		return dynpg_api_call_local(op, request);
	prefix = pnstrdup(it, end + 1 - it);
	answer = forward(c, (int) node, op->name, with_string(request, "ShardIterator", end + 1));
	out = dynpg_json_new(DJ_OBJECT);
	for (i = 0; i < answer->len; i++)
	{
		DynJsonMember *m = &answer->members[i];

		if (m->keylen == 17 && memcmp(m->key, "NextShardIterator", 17) == 0 && m->val->kind == DJ_STRING)
		{
			char	   *next = psprintf("%s%.*s", prefix, m->val->len, m->val->str);

			dynpg_json_add(out, m->key, m->keylen, dynpg_json_string(next, strlen(next)));
		}
		else
			dynpg_json_add(out, m->key, m->keylen, m->val);
	}
	return out;
}

/* DescribeTable: node 0's description, with the counts and sizes of every node */
static DynJson *
route_describe_table(const Cluster *c, const DynApiOperationInfo *op, DynJson *request)
{
	DynJson    *first = NULL;
	int			n;

	(void) dynpg_api_call_local(op, request);	/* the table exists */
	for (n = 0; n < c->nodes; n++)
	{
		DynJson    *resp = forward(c, n, op->name, request);
		DynJson    *t = dynpg_json_member(resp, "Table", 5);
		DynJson    *ft;
		static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
		int			l;

		if (first == NULL)
		{
			first = resp;
			continue;
		}
		ft = dynpg_json_member(first, "Table", 5);
		sum_member(ft, t, "ItemCount");
		sum_member(ft, t, "TableSizeBytes");
		for (l = 0; l < lengthof(lists); l++)
		{
			DynJson    *fa = dynpg_json_member(ft, lists[l], strlen(lists[l]));
			DynJson    *na = dynpg_json_member(t, lists[l], strlen(lists[l]));
			int			i;

			for (i = 0; fa != NULL && na != NULL && fa->kind == DJ_ARRAY &&
				 na->kind == DJ_ARRAY && i < fa->len && i < na->len; i++)
			{
				sum_member(fa->elems[i], na->elems[i], "ItemCount");
				sum_member(fa->elems[i], na->elems[i], "IndexSizeBytes");
			}
		}
	}
	return first;
}

DynJson *
dynpg_cluster_call(const DynApiOperationInfo *op, DynJson *request)
{
	Cluster    *c;
	const char *name = op->name;

	/*
	 * Every routed call holds dynpg.cluster in ACCESS SHARE mode to the end
	 * of its transaction: dynpg.expand_cluster locks it in ACCESS EXCLUSIVE
	 * mode while it moves items and changes the configuration, so a call
	 * waits for it, then reads the new configuration (taking the lock takes
	 * in the invalidations of its commit).
	 */
	LockRelationOid(get_relname_relid("cluster", get_namespace_oid("dynpg", false)),
					AccessShareLock);
	c = cluster_config();

	if (strcmp(name, "PutItem") == 0)
		return route_item(c, op, request, "Item", ACL_INSERT);
	if (strcmp(name, "UpdateItem") == 0)
		return route_item(c, op, request, "Key", ACL_UPDATE | ACL_INSERT);
	if (strcmp(name, "DeleteItem") == 0)
		return route_item(c, op, request, "Key", ACL_DELETE);
	/*
	 * the node checks it as the router would (a key the router cannot read
	 * goes to node 0, whose error is the answer); the router checks SELECT
	 */
	if (strcmp(name, "GetItem") == 0)
		return route_item(c, op, request, "Key", ACL_SELECT);
	if (strcmp(name, "Query") == 0)
		return route_query(c, op, request);
	if (strcmp(name, "Scan") == 0)
		return route_scan(c, op, request);
	if (strcmp(name, "BatchGetItem") == 0)
		return route_batch(c, op, request, false);
	if (strcmp(name, "BatchWriteItem") == 0)
		return route_batch(c, op, request, true);
	if (strcmp(name, "TransactWriteItems") == 0)
		return route_transaction(c, op, request, true);
	if (strcmp(name, "TransactGetItems") == 0)
		return route_transaction(c, op, request, false);
	if (strcmp(name, "CreateTable") == 0)
		return route_create_table(c, op, request);
	if (strcmp(name, "DeleteTable") == 0 || strcmp(name, "UpdateTable") == 0 ||
		strcmp(name, "TagResource") == 0 || strcmp(name, "UntagResource") == 0 ||
		strcmp(name, "UpdateTimeToLive") == 0)
		return route_broadcast(c, op, request);
	if (strcmp(name, "DescribeTable") == 0)
		return route_describe_table(c, op, request);
	/*
	 * PartiQL runs on the router: its statements' operations are routed
	 * as the operations' own requests (partiql_ops.c, pql_operation)
	 */
	if (strcmp(name, "ExecuteStatement") == 0 || strcmp(name, "BatchExecuteStatement") == 0 ||
		strcmp(name, "ExecuteTransaction") == 0)
		return dynpg_api_call_local(op, request);
	/*
	 * Full exports run on the router, reading the nodes' items through
	 * routed Scans (export_ops.c, export_routed); their records are the
	 * router's
	 */
	if (strcmp(name, "ExportTableToPointInTime") == 0 || strcmp(name, "DescribeExport") == 0 ||
		strcmp(name, "ListExports") == 0)
		return dynpg_api_call_local(op, request);
	/*
	 * Imports run on the router too: the table created on the router and
	 * the nodes, each item put through the router (import_ops.c)
	 */
	if (strcmp(name, "ImportTable") == 0 || strcmp(name, "DescribeImport") == 0 ||
		strcmp(name, "ListImports") == 0)
		return dynpg_api_call_local(op, request);
	if (strcmp(name, "DescribeStream") == 0)
		return route_describe_stream(c, op, request);
	if (strcmp(name, "GetShardIterator") == 0)
		return route_get_shard_iterator(c, op, request);
	if (strcmp(name, "GetRecords") == 0)
		return route_get_records(c, op, request);
	/* the cluster's catalog and settings: the router's own */
	if (strcmp(name, "ListStreams") == 0 ||
		strcmp(name, "ListTables") == 0 || strcmp(name, "ListTagsOfResource") == 0 ||
		strcmp(name, "DescribeTimeToLive") == 0 || strcmp(name, "DescribeLimits") == 0 ||
		strcmp(name, "DescribeEndpoints") == 0)
		return dynpg_api_call_local(op, request);
	dynpg_raise(DYN_ERR_UNKNOWN_OPERATION,
				"dynpg does not support the operation %s through a cluster router yet", name);
	pg_unreachable();
}

/* ---------------------------------------------------------------------
 * The node's side
 * ---------------------------------------------------------------------
 */

/*
 * dynpg.cluster_node_execute(operation text, request text) returns text:
 * what the router's run_on calls on a node.  The operation runs here, in a
 * subtransaction: the answer is the response's JSON, or "!" and the error
 * it raised ({"sqlstate", "message", "detail", "hint"}), which the router
 * raises again unchanged.
 */
PG_FUNCTION_INFO_V1(dynpg_cluster_node_execute);
Datum
dynpg_cluster_node_execute(PG_FUNCTION_ARGS)
{
	char	   *opname = text_to_cstring(PG_GETARG_TEXT_PP(0));
	text	   *req = PG_GETARG_TEXT_PP(1);
	SubXact		sx;
	StringInfoData out;

	initStringInfo(&out);
	subxact_begin(&sx);
	PG_TRY();
	{
		DynJson    *request = dynpg_json_parse(VARDATA_ANY(req), VARSIZE_ANY_EXHDR(req));
		DynJson    *resp = dynpg_api_call_local(dynpg_api_find_operation(opname), request);

		/* written while the items it points at are still held */
		dynpg_response_text(&out, resp);
		subxact_end(&sx, true);
	}
	PG_CATCH();
	{
		ErrorData  *e = subxact_error(&sx);

		resetStringInfo(&out);
		appendStringInfoString(&out, "!{\"sqlstate\":");
		dynpg_json_write_string(&out, unpack_sql_state(e->sqlerrcode), 5);
		appendStringInfoString(&out, ",\"message\":");
		dynpg_json_write_string(&out, e->message ? e->message : "", e->message ? strlen(e->message) : 0);
		if (e->detail != NULL)
		{
			appendStringInfoString(&out, ",\"detail\":");
			dynpg_json_write_string(&out, e->detail, strlen(e->detail));
		}
		if (e->hint != NULL)
		{
			appendStringInfoString(&out, ",\"hint\":");
			dynpg_json_write_string(&out, e->hint, strlen(e->hint));
		}
		appendStringInfoChar(&out, '}');
	}
	PG_END_TRY();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}

/* ---------------------------------------------------------------------
 * Recovery of in-doubt transactions
 * ---------------------------------------------------------------------
 */

/* A one-row SPI query's text result (NULL when none or NULL) */
static char *
spi_text(const char *sql, Oid type, Datum arg)
{
	bool		isnull = true;
	Datum		d;

	if (SPI_execute_with_args(sql, 1, &type, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "dynpg: \"%s\" failed", sql);
	if (SPI_processed != 1)
		return NULL;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? NULL : TextDatumGetCString(d);
}

typedef enum GidDecision
{
	GID_IN_PROGRESS,
	GID_COMMIT,
	GID_ROLLBACK
} GidDecision;

/*
 * What becomes of prepared transaction 'gid' of router transaction 'xid':
 * the router transaction's status first (pg_xact_status), then, once it
 * committed, its row in dynpg.cluster_xact -- in that order, so that a
 * transaction committing meanwhile is never rolled back.  (SPI connected.)
 */
/*
 * The transaction's gid of a node's prepared transaction: a node's gid is
 * the transaction's, 'dynpg:<cluster>:<xid>:<start>:<n>', and ':<node>'
 * (the nodes may be databases of one server, whose gids share one
 * namespace); dynpg.cluster_xact records the transaction's.
 */
static char *
gid_base(const char *gid)
{
	char	   *base = pstrdup(gid);
	char	   *p;
	int			fields = 1;

	for (p = base; *p; p++)
		if (*p == ':' && ++fields == 6)
		{
			*p = '\0';
			break;
		}
	return base;
}

static GidDecision
gid_decision(const char *gid, const char *xid)
{
	char	   *status;
	char	   *base = gid_base(gid);

	/*
	 * an id at or past the next one to be given was lost in a crash of the
	 * router (never written): that transaction aborted
	 */
	status = spi_text("SELECT CASE WHEN $1::pg_catalog.xid8 >= pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot()) THEN 'aborted' ELSE pg_catalog.pg_xact_status($1::pg_catalog.xid8) END",
					  TEXTOID, CStringGetTextDatum(xid));
	if (status != NULL && strcmp(status, "in progress") == 0)
		return GID_IN_PROGRESS;
	if (status != NULL && strcmp(status, "committed") == 0 &&
		spi_text("SELECT gid FROM dynpg.cluster_xact WHERE gid = $1", TEXTOID,
				 CStringGetTextDatum(base)) != NULL)
		return GID_COMMIT;
	return GID_ROLLBACK;
}

/*
 * dynpg.cluster_recover(): every prepared transaction of this cluster on
 * its nodes ('dynpg:<cluster>:<router xid>:<start>:<n>'), ended by the router's
 * record: its transaction's status first (pg_xact_status), then, once it
 * committed, its row in dynpg.cluster_xact -- in that order, so that a
 * transaction committing meanwhile is never rolled back.  The rows of
 * dynpg.cluster_xact read at the start whose gid no node has prepared any
 * more are deleted (when every node answered).
 */
PG_FUNCTION_INFO_V1(dynpg_cluster_recover);
Datum
dynpg_cluster_recover(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Cluster    *c;
	char	   *prefix;
	List	   *recorded = NIL;
	List	   *seen = NIL;
	List	   *done = NIL;
	bool		all_answered = true;
	uint64		r;
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	if (!dynpg_cluster_routes())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("dynpg: this database is not the router of a cluster")));
	c = cluster_config();
	prefix = psprintf(GID_PREFIX_FMT, c->name);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT gid FROM dynpg.cluster_xact", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "cannot read dynpg.cluster_xact");
	for (r = 0; r < SPI_processed; r++)
		recorded = lappend(recorded, SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1));

	for (n = 0; n < c->nodes; n++)
	{
		char	   *errmsg = NULL;
		PGconn	   *conn = node_connect(c, n, &errmsg);
		PGresult   *res;
		const char *params[1] = {prefix};
		int			i;

		if (conn == NULL)
		{
			Datum		values[3] = {Int32GetDatum(n), 0, CStringGetTextDatum(psprintf("did not answer: %s", errmsg))};
			bool		nulls[3] = {false, true, false};

			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			all_answered = false;
			continue;
		}
		res = PQexecParams(conn,
						   "SELECT gid FROM pg_catalog.pg_prepared_xacts WHERE database = current_database() AND starts_with(gid, $1) ORDER BY prepared",
						   1, NULL, params, NULL, NULL, 0);
		if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK)
		{
			Datum		values[3] = {Int32GetDatum(n), 0,
			CStringGetTextDatum(psprintf("did not answer: %s", one_line(PQerrorMessage(conn))))};
			bool		nulls[3] = {false, true, false};

			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			all_answered = false;
			PQclear(res);
			PQfinish(conn);
			continue;
		}
		for (i = 0; i < PQntuples(res); i++)
		{
			char	   *gid = pstrdup(PQgetvalue(res, i, 0));
			const char *xidtext = gid + strlen(prefix);
			char	   *xid = pnstrdup(xidtext, strcspn(xidtext, ":"));
			GidDecision decision;
			const char *outcome;
			Datum		values[3];
			bool		nulls[3] = {false, false, false};

			seen = lappend(seen, gid_base(gid));
			decision = gid_decision(gid, xid);
			if (decision == GID_IN_PROGRESS)
				outcome = "in progress";
			else
			{
				bool		commit = decision == GID_COMMIT;
				char		sql[GIDSIZE + 32];

				snprintf(sql, sizeof(sql), "%s PREPARED '%s'", commit ? "COMMIT" : "ROLLBACK", gid);
				if (conn_command(conn, sql, &errmsg))
					outcome = commit ? "committed" : "rolled back";
				else
					outcome = psprintf("%s failed: %s", commit ? "COMMIT PREPARED" : "ROLLBACK PREPARED",
									   errmsg);
			}
			values[0] = Int32GetDatum(n);
			values[1] = CStringGetTextDatum(gid);
			values[2] = CStringGetTextDatum(outcome);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		PQclear(res);
		PQfinish(conn);
	}
	SPI_finish();

	if (all_answered)
	{
		ListCell   *lc;

		foreach(lc, recorded)
		{
			ListCell   *lc2;
			bool		found = false;

			foreach(lc2, seen)
				if (strcmp(lfirst(lc), lfirst(lc2)) == 0)
					found = true;
			if (!found)
				done = lappend(done, lfirst(lc));
		}
		if (done != NIL)
		{
			Oid			types[1] = {TEXTARRAYOID};
			Datum		values[1];

			values[0] = text_array(done);
			xact_table_statement("DELETE FROM dynpg.cluster_xact WHERE gid = ANY ($1)", 1, types,
								 values, SPI_OK_DELETE);
		}
	}
	return (Datum) 0;
}

/* ---------------------------------------------------------------------
 * From N to 2N nodes
 * ---------------------------------------------------------------------
 *
 * dynpg.expand_cluster(new_nodes) (sql: it holds dynpg.cluster in ACCESS
 * EXCLUSIVE mode, so every routed call waits until it ends) calls
 * dynpg_cluster_expand_move, then gives the server its new connection
 * strings and node_count 2N in the same transaction.  With 2N nodes, the
 * hashes of old node k are those of nodes 2k (its lower half) and 2k+1
 * (its upper half): old node k becomes node 2k and keeps its lower half,
 * new node k (new_nodes[k]) becomes node 2k+1 and receives the upper half.
 *
 * For each table and each old node k, over the router's own libpq
 * connections, in one transaction on each node: the new node creates the
 * table as node k defines it (the relation with its definition
 * constraint, as pg_dump would make it), the items of node 2k+1's hashes
 * are piped from COPY ... TO STDOUT on node k into COPY ... FROM STDIN on
 * the new node (the empty table's bulk path: sort, build the tree, its
 * LSIs and GSIs), and node k deletes them, checking that it deleted
 * exactly what it sent.  Then every node prepares its transaction and the
 * router records the decision in dynpg.cluster_xact, as a TransactWriteItems
 * across nodes does: the router's commit commits them all (its commit
 * callback), its abort rolls them all back, and dynpg.cluster_recover()
 * ends what a crash left in doubt -- by the new numbering once the router
 * committed.  What an expansion that failed left prepared on a new node
 * (the router's transaction aborted) is rolled back by the next
 * expand_cluster given that node.
 */

/* One table to split: its name, its relation's name on the nodes, its partition key */
typedef struct ExpandTable
{
	char	   *name;
	char	   *relname;
	char	   *pk;
} ExpandTable;

/* Check what new node 'k' at 'conninfo' holds before it joins */
static void
check_new_node(PGconn *conn, int k, const char *conninfo, const char *prefix)
{
	const char *params[1] = {prefix};
	PGresult   *r = PQexec(conn, "SELECT dynpg.cluster_node_info()");
	DynJson    *info;
	DynJson    *router;
	char	   *version;
	int64		tables;
	int			i;

	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		ereport(ERROR,
				(errmsg("dynpg: new cluster node %d (%s) cannot say what it holds: %s",
						k, conninfo, one_line(PQerrorMessage(conn))),
				 errhint("Install dynpg there (CREATE EXTENSION dynpg).")));
	info = dynpg_json_parse(PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)));
	PQclear(r);
	version = member_string(info, "version");
	if (version == NULL || strcmp(version, DYNPG_VERSION_STR) != 0)
		ereport(ERROR,
				(errmsg("dynpg: new cluster node %d (%s) runs dynpg %s, the router %s",
						k, conninfo, version ? version : "(unknown)", DYNPG_VERSION_STR)));
	router = dynpg_json_member(info, "router", 6);
	if (router != NULL && router->kind == DJ_TRUE)
		ereport(ERROR,
				(errmsg("dynpg: new cluster node %d (%s) is itself the router of a cluster",
						k, conninfo)));
	tables = member_int(info, "tables", 0);
	if (tables > 0)
		ereport(ERROR,
				(errmsg("dynpg: new cluster node %d (%s) holds " INT64_FORMAT " DynamoDB tables; a new node holds none",
						k, conninfo, tables)));

	/* what an expansion that failed left prepared there */
	r = PQexecParams(conn,
					 "SELECT gid FROM pg_catalog.pg_prepared_xacts WHERE database = current_database() AND starts_with(gid, $1)",
					 1, NULL, params, NULL, NULL, 0);
	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK)
		ereport(ERROR,
				(errmsg("dynpg: new cluster node %d (%s) did not answer: %s",
						k, conninfo, one_line(PQerrorMessage(conn)))));
	for (i = 0; i < PQntuples(r); i++)
	{
		const char *gid = PQgetvalue(r, i, 0);
		const char *xidtext = gid + strlen(prefix);
		char	   *xid = pnstrdup(xidtext, strcspn(xidtext, ":"));
		GidDecision decision;
		char		sql[GIDSIZE + 32];
		char	   *emsg = NULL;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		decision = gid_decision(gid, xid);
		SPI_finish();
		if (decision != GID_ROLLBACK)
			ereport(ERROR,
					(errmsg("dynpg: new cluster node %d (%s) holds prepared transaction %s of this cluster, %s",
							k, conninfo, gid,
							decision == GID_COMMIT ? "which committed: the node is a member already" :
							"which is still in progress"),
					 errhint("SELECT * FROM dynpg.cluster_recover() ends the transactions of the cluster's members.")));
		snprintf(sql, sizeof(sql), "ROLLBACK PREPARED '%s'", gid);
		if (!conn_command(conn, sql, &emsg))
			ereport(ERROR,
					(errmsg("dynpg: new cluster node %d (%s): %s failed: %s", k, conninfo, sql, emsg)));
	}
	PQclear(r);
}

/* Run 'sql' on node 'node' (one of 'px'), expecting 'status' */
static PGresult *
expand_exec(PGconn *conn, int node, const char *sql, ExecStatusType status, const char *what)
{
	PGresult   *r = PQexec(conn, sql);

	if (r == NULL || PQresultStatus(r) != status)
	{
		char	   *msg = one_line(PQerrorMessage(conn));

		PQclear(r);
		ereport(ERROR,
				(errmsg("dynpg: expand_cluster: %s on node %d failed: %s", what, node, msg)));
	}
	return r;
}

/*
 * Move the items of 'table' that node 2k+1 owns from old node k (oldc,
 * node 2k from now on) to new node k (newc, node 2k+1).  Returns how many.
 */
static int64
expand_table(const Cluster *c, PGconn *oldc, PGconn *newc, int k, const ExpandTable *t)
{
	const char *params[1] = {t->relname};
	const char *qrel = quote_identifier(t->relname);
	char	   *pred;
	PGresult   *r;
	int64		rows = 0;
	int64		deleted;
	char	   *buf;
	int			len;

	/* the table as node k defines it: the relation and its definition constraint */
	r = PQexecParams(oldc,
					 "SELECT con.conname::text, pg_catalog.pg_get_constraintdef(con.oid) "
					 "FROM pg_catalog.pg_constraint con "
					 "WHERE con.conrelid = pg_catalog.to_regclass('dynamodb.' || pg_catalog.quote_ident($1)) "
					 "AND con.contype = 'c'",
					 1, NULL, params, NULL, NULL, 0);
	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		char	   *msg = one_line(PQerrorMessage(oldc));

		PQclear(r);
		ereport(ERROR,
				(errmsg("dynpg: expand_cluster: reading table %s on node %d failed: %s", t->name, 2 * k, msg)));
	}
	if (PQntuples(r) != 1)
	{
		PQclear(r);
		ereport(ERROR,
				(errmsg("dynpg: expand_cluster: cluster node %d has no table %s", k, t->name),
				 errhint("A table the router has is on every node; SELECT dynpg.cluster_repair_table(name) removes a table the router does not have.")));
	}
	{
		char	   *sql = psprintf("CREATE TABLE dynamodb.%s (item dynpg.item NOT NULL, CONSTRAINT %s %s) USING dynpg",
								   qrel, quote_identifier(PQgetvalue(r, 0, 0)), PQgetvalue(r, 0, 1));

		PQclear(r);
		PQclear(expand_exec(newc, 2 * k + 1, sql, PGRES_COMMAND_OK,
							psprintf("creating table %s", t->name)));
	}

	/* the items of node 2k+1's hashes, by the routing's own function */
	/*
	 * Read: the table's scan of one hash segment, segment 2k+1 of 2N, which
	 * reads only those leaves; delete: every item whose hash the routing
	 * puts on node 2k+1 (the same hashes), by a predicate read from the
	 * item itself.  The counts must agree.
	 */
	pred = psprintf("dynpg.cluster_node_of(dynpg.item_partition_hash(item, %s), %d) = %d",
					quote_literal_cstr(t->pk), 2 * c->nodes, 2 * k + 1);
	PQclear(expand_exec(oldc, 2 * k,
						psprintf("COPY (SELECT dynpg.scan_request_items(pg_catalog.jsonb_build_object("
								 "'TableName', %s::text, 'Segment', %d, 'TotalSegments', %d, 'ConsistentRead', true))) TO STDOUT",
								 quote_literal_cstr(t->name), 2 * k + 1, 2 * c->nodes),
						PGRES_COPY_OUT, psprintf("reading the items of table %s", t->name)));
	PQclear(expand_exec(newc, 2 * k + 1, psprintf("COPY dynamodb.%s FROM STDIN", qrel),
						PGRES_COPY_IN, psprintf("loading table %s", t->name)));
	while ((len = PQgetCopyData(oldc, &buf, 0)) > 0)
	{
		int			ok = PQputCopyData(newc, buf, len);

		PQfreemem(buf);
		if (ok != 1)
			ereport(ERROR,
					(errmsg("dynpg: expand_cluster: loading table %s on node %d failed: %s",
							t->name, 2 * k + 1, one_line(PQerrorMessage(newc)))));
		rows++;
		CHECK_FOR_INTERRUPTS();
	}
	if (len == -2)
		ereport(ERROR,
				(errmsg("dynpg: expand_cluster: reading the items of table %s on node %d failed: %s",
						t->name, 2 * k, one_line(PQerrorMessage(oldc)))));
	r = PQgetResult(oldc);
	if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK)
		ereport(ERROR,
				(errmsg("dynpg: expand_cluster: reading the items of table %s on node %d failed: %s",
						t->name, 2 * k, one_line(PQerrorMessage(oldc)))));
	PQclear(r);
	while ((r = PQgetResult(oldc)) != NULL)
		PQclear(r);
	if (PQputCopyEnd(newc, NULL) != 1)
		ereport(ERROR,
				(errmsg("dynpg: expand_cluster: loading table %s on node %d failed: %s",
						t->name, 2 * k + 1, one_line(PQerrorMessage(newc)))));
	r = PQgetResult(newc);
	if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK)
		ereport(ERROR,
				(errmsg("dynpg: expand_cluster: loading table %s on node %d failed: %s",
						t->name, 2 * k + 1, one_line(PQerrorMessage(newc)))));
	PQclear(r);
	while ((r = PQgetResult(newc)) != NULL)
		PQclear(r);

	/* node k keeps the others: exactly the items it sent are deleted */
	r = expand_exec(oldc, 2 * k, psprintf("DELETE FROM dynamodb.%s WHERE %s", qrel, pred),
					PGRES_COMMAND_OK, psprintf("deleting the moved items of table %s", t->name));
	deleted = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	if (deleted != rows)
		ereport(ERROR,
				(errmsg("dynpg: expand_cluster: table %s on node %d: " INT64_FORMAT " items copied but " INT64_FORMAT " deleted; nothing moved",
						t->name, 2 * k, rows, deleted),
				 errhint("Something wrote to the node directly, not through the router; run expand_cluster again.")));
	return rows;
}

/*
 * dynpg._cluster_expand_move(new_nodes text[]) returns bigint: what
 * dynpg.expand_cluster runs once it holds dynpg.cluster (above); the
 * number of items moved.
 */
PG_FUNCTION_INFO_V1(dynpg_cluster_expand_move);
Datum
dynpg_cluster_expand_move(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	MemoryContext cxt = CurrentMemoryContext;
	Cluster    *c;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *tables = NIL;
	ListCell   *lc;
	PreparedXact *px;
	char	   *prefix;
	int64		moved = 0;
	uint64		r;
	int			i,
				k;

	if (!dynpg_cluster_routes())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("dynpg: this database is not the router of a cluster")));
	c = cluster_config();
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n != c->nodes || c->nodes * 2 > 1024)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dynpg: cluster %s has %d nodes: expand_cluster takes as many new ones, up to 1024 nodes in all; got %d",
						c->name, c->nodes, n)));
	for (i = 0; i < n; i++)
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("dynpg: new cluster node %d has no connection string", i)));
	prefix = psprintf(GID_PREFIX_FMT, c->name);

	/* the tables, from the router's catalog */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT t.table_name, c.relname::text, "
					"(SELECT k ->> 'AttributeName' FROM pg_catalog.jsonb_array_elements(t.key_schema) k "
					" WHERE k ->> 'KeyType' = 'HASH') "
					"FROM dynpg.tables t JOIN pg_catalog.pg_class c ON c.oid = t.relation "
					"ORDER BY 1", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "cannot read dynpg.tables");
	for (r = 0; r < SPI_processed; r++)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);
		ExpandTable *t = palloc(sizeof(ExpandTable));

		t->name = pstrdup(SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1));
		t->relname = pstrdup(SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2));
		t->pk = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 3);
		if (t->pk == NULL)
			elog(ERROR, "dynpg: table %s has no partition key", t->name);
		t->pk = pstrdup(t->pk);
		tables = lappend(tables, t);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();

	/* registered first: from here on, any error ends what was begun */
	px = new_prepared_xact(c, 2 * c->nodes);

	/* old node k is node 2k from now on; new node k, node 2k+1 */
	for (k = 0; k < c->nodes; k++)
	{
		char	   *newinfo = TextDatumGetCString(elems[k]);
		char	   *emsg = NULL;

		px->conns[2 * k] = node_connect(c, k, &emsg);
		if (px->conns[2 * k] == NULL)
			ereport(ERROR,
					(errmsg("dynpg: cluster node %d does not answer: %s", k, emsg)));
		px->conns[2 * k + 1] = conninfo_connect(c, newinfo, &emsg);
		if (px->conns[2 * k + 1] == NULL)
			ereport(ERROR,
					(errmsg("dynpg: new cluster node %d (%s) does not answer: %s", k, newinfo, emsg)));
		check_new_node(px->conns[2 * k + 1], k, newinfo, prefix);
	}
	for (i = 0; i < px->nconns; i++)
		PQclear(expand_exec(px->conns[i], i,
							i % 2 == 0 ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN",
							PGRES_COMMAND_OK, "BEGIN"));

	foreach(lc, tables)
		for (k = 0; k < c->nodes; k++)
			moved += expand_table(c, px->conns[2 * k], px->conns[2 * k + 1], k, lfirst(lc));

	/* prepare everywhere, then record the decision, in the new numbering */
	{
		char	   *emsg = NULL;

		i = prepare_nodes(px, &emsg);
		if (i >= 0)
			ereport(ERROR,
					(errmsg("dynpg: expand_cluster: node %d could not prepare its transaction: %s", i, emsg)));
	}
	record_decision(px);
	PG_RETURN_INT64(moved);
}

/* ---------------------------------------------------------------------
 * Bulk loads through the router (dynpg_cluster.h)
 * ---------------------------------------------------------------------
 */

struct DynClusterLoad
{
	Cluster    *c;
	PreparedXact *px;
	char	   *relname;
	int64		rows;
	StringInfoData row;			/* one row of COPY's binary format */
};

static const char copy_binary_header[] = "PGCOPY\n\377\r\n";

/* Forget 'px' (rolled back on its nodes, its connections closed) */
static void
forget_prepared(PreparedXact *px)
{
	PreparedXact **link = &prepared_xacts;

	while (*link != NULL && *link != px)
		link = &(*link)->next;
	if (*link == px)
		*link = px->next;
	(void) end_prepared(px, false);
	pfree(px);
}

/* Raise the error of 'r' (or of 'conn') as node 'node' raised it, after rolling back 'load' */
static void
load_node_error(DynClusterLoad *load, int node, PGconn *conn, PGresult *r, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
	int			code = ERRCODE_CONNECTION_FAILURE;
	char	   *message;
	char	   *det;

	if (state != NULL && strlen(state) == 5)
		code = MAKE_SQLSTATE(state[0], state[1], state[2], state[3], state[4]);
	message = pstrdup(msg ? msg : one_line(PQerrorMessage(conn)));
	det = detail ? pstrdup(detail) : NULL;
	PQclear(r);
	forget_prepared(load->px);
	load->px = NULL;
	ereport(ERROR,
			(errcode(code),
			 errmsg("dynpg cluster %s: %s on node %d: %s", load->c->name, what, node, message),
			 det ? errdetail_internal("%s", det) : 0));
}

DynClusterLoad *
dynpg_cluster_load_begin(const char *relname)
{
	DynClusterLoad *load = palloc0(sizeof(DynClusterLoad));
	PreparedXact *px;
	char	   *copy;
	int			k;

	/* as a routed call: an expansion waits for the load, or the load for it */
	LockRelationOid(get_relname_relid("cluster", get_namespace_oid("dynpg", false)),
					AccessShareLock);
	load->c = cluster_config();
	load->relname = pstrdup(relname);
	initStringInfo(&load->row);
	px = new_prepared_xact(load->c, load->c->nodes);
	load->px = px;

	copy = psprintf("COPY dynamodb.%s (item) FROM STDIN (FORMAT binary)", quote_identifier(relname));
	for (k = 0; k < px->nconns; k++)
	{
		char	   *emsg = NULL;
		PGresult   *r;
		uint32		zero = 0;

		px->conns[k] = node_connect(load->c, k, &emsg);
		if (px->conns[k] == NULL)
		{
			forget_prepared(px);
			load->px = NULL;
			dynpg_raise(DYN_ERR_INTERNAL_SERVER_ERROR,
						"dynpg cluster %s: node %d did not answer: %s", load->c->name, k, emsg);
		}
		r = PQexec(px->conns[k], "BEGIN");
		if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK)
			load_node_error(load, k, px->conns[k], r, "BEGIN");
		PQclear(r);
		r = PQexec(px->conns[k], copy);
		if (r == NULL || PQresultStatus(r) != PGRES_COPY_IN)
			load_node_error(load, k, px->conns[k], r, "COPY");
		PQclear(r);
		/* the header: signature, flags, header extension length */
		resetStringInfo(&load->row);
		appendBinaryStringInfo(&load->row, copy_binary_header, 11);
		appendBinaryStringInfo(&load->row, (char *) &zero, 4);
		appendBinaryStringInfo(&load->row, (char *) &zero, 4);
		if (PQputCopyData(px->conns[k], load->row.data, load->row.len) != 1)
			load_node_error(load, k, px->conns[k], NULL, "COPY");
	}
	return load;
}

void
dynpg_cluster_load_add(DynClusterLoad *load, const char *skey, int skeylen, const struct varlena *item)
{
	uint64		h = 0;
	int			node;
	int			i;
	uint16		nfields = pg_hton16(1);
	uint32		len;

	if (load->px == NULL)
		elog(ERROR, "dynpg: the cluster load has ended");
	/* the storage key: its keyspace byte, then the partition hash, big-endian */
	if (skeylen < 9)
		elog(ERROR, "dynpg: a storage key of %d bytes", skeylen);
	for (i = 1; i <= 8; i++)
		h = (h << 8) | (uint8) skey[i];
	node = node_of_hash(load->c, h);

	/* a row: one field, the item's binary form (its version byte and text) */
	resetStringInfo(&load->row);
	appendBinaryStringInfo(&load->row, (char *) &nfields, 2);
	appendBinaryStringInfo(&load->row, "\0\0\0\0", 4);	/* the length, below */
	appendStringInfoChar(&load->row, DYN_ITEM_WIRE_VERSION);
	dynpg_item_append_text((const DynItem *) item, &load->row);
	len = pg_hton32((uint32) (load->row.len - 6));
	memcpy(load->row.data + 2, &len, 4);
	if (PQputCopyData(load->px->conns[node], load->row.data, load->row.len) != 1)
		load_node_error(load, node, load->px->conns[node], NULL, "COPY");
	load->rows++;
}

int64
dynpg_cluster_load_finish(DynClusterLoad *load)
{
	PreparedXact *px = load->px;
	int16		trailer = (int16) pg_hton16((uint16) -1);
	int			k;

	if (px == NULL)
		elog(ERROR, "dynpg: the cluster load has ended");
	for (k = 0; k < px->nconns; k++)
	{
		PGresult   *r;

		if (PQputCopyData(px->conns[k], (char *) &trailer, 2) != 1 ||
			PQputCopyEnd(px->conns[k], NULL) != 1)
			load_node_error(load, k, px->conns[k], NULL, "COPY");
		r = PQgetResult(px->conns[k]);
		if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK)
			load_node_error(load, k, px->conns[k], r, "loading the table");
		PQclear(r);
		while ((r = PQgetResult(px->conns[k])) != NULL)
			PQclear(r);
	}
	{
		char	   *emsg = NULL;

		k = prepare_nodes(px, &emsg);
		if (k >= 0)
			load_node_error(load, k, px->conns[k], NULL, "preparing the load");
	}
	record_decision(px);
	/* committed or rolled back with the caller's transaction (cluster_xact_callback) */
	load->px = NULL;
	return load->rows;
}

void
dynpg_cluster_load_abort(DynClusterLoad *load)
{
	if (load->px != NULL)
		forget_prepared(load->px);
	load->px = NULL;
}

/* ---------------------------------------------------------------------
 * Reading what only the nodes hold (dynpg_cluster.h)
 * ---------------------------------------------------------------------
 */

void
dynpg_cluster_query_nodes(const char *sql, int nparams, const char *const *params,
						  DynClusterRowFn fn, void *arg)
{
	Cluster    *c;
	int			k;

	/* as a routed call: an expansion waits for the read, or the read for it */
	LockRelationOid(get_relname_relid("cluster", get_namespace_oid("dynpg", false)),
					AccessShareLock);
	c = cluster_config();
	for (k = 0; k < c->nodes; k++)
	{
		char	   *emsg = NULL;
		PGconn	   *volatile conn = node_connect(c, k, &emsg);

		if (conn == NULL)
			dynpg_raise(DYN_ERR_INTERNAL_SERVER_ERROR,
						"dynpg cluster %s: node %d did not answer: %s", c->name, k, emsg);
		PG_TRY();
		{
			PGresult   *r;
			char	  **values = NULL;

			if (!PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0) ||
				!PQsetSingleRowMode(conn))
				dynpg_raise(DYN_ERR_INTERNAL_SERVER_ERROR,
							"dynpg cluster %s: node %d did not answer: %s", c->name, k,
							one_line(PQerrorMessage(conn)));
			while ((r = PQgetResult(conn)) != NULL)
			{
				ExecStatusType st = PQresultStatus(r);

				CHECK_FOR_INTERRUPTS();
				if (st == PGRES_SINGLE_TUPLE)
				{
					int			n = PQnfields(r);
					int			i;

					/* copied, and the result freed, before fn may raise an error */
					if (values == NULL)
						values = palloc(sizeof(char *) * Max(n, 1));
					for (i = 0; i < n; i++)
						values[i] = PQgetisnull(r, 0, i) ? NULL : pstrdup(PQgetvalue(r, 0, i));
					PQclear(r);
					fn(arg, k, n, values);
					for (i = 0; i < n; i++)
						if (values[i] != NULL)
							pfree(values[i]);
					continue;
				}
				else if (st != PGRES_TUPLES_OK)
				{
					char	   *msg = pstrdup(PQresultErrorMessage(r));

					PQclear(r);
					dynpg_raise(DYN_ERR_INTERNAL_SERVER_ERROR,
								"dynpg cluster %s: node %d: %s", c->name, k, one_line(msg));
				}
				PQclear(r);
			}
		}
		PG_FINALLY();
		{
			PQfinish(conn);
		}
		PG_END_TRY();
	}
}
