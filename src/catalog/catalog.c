/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  DynamoDB table definitions, read from the relations that hold them.
 *
 * A dynpg table is a relation that
 *	 - is a plain table (relkind 'r') using access method dynpg,
 *	 - has "item dynpg.item" as its first column, and
 *	 - has the CHECK constraint "dynpg_table" whose expression is
 *	   dynpg.conforms(item, '<definition>'::jsonb).
 * The definition is the jsonb literal of that call (see create_table in
 * src/api/table_ops.c for its members).  Nothing else stores it, so what
 * pg_dump emits with CREATE TABLE is the whole truth, and DROP TABLE or a
 * rename can leave nothing stale behind.
 *
 * Names.  A DynamoDB table name is 3 to 255 characters of [a-zA-Z0-9_.-];
 * a PostgreSQL identifier at most 63 bytes.  A name of up to 63 bytes is
 * its own relation name; a longer one becomes its first 46 characters, '~'
 * and the 16 hex digits of dynpg_hash64() of the whole name (63 bytes).
 * '~' never occurs in a DynamoDB name, so the two forms cannot meet, and
 * the hash is fixed forever (types/hash.c), so a name maps to the same
 * relation on every platform and release.  The definition keeps the full
 * name.
 *
 * After ALTER TABLE ... RENAME the relation's name no longer maps from the
 * stored TableName; the table is then known by its new relation name (the
 * "effective" name), which is what the catalog views, ListTables and
 * lookups use.  A lookup by name always checks that the relation found
 * really is that table, so a stray relation in schema dynamodb, or a hash
 * collision, reads as "not found" rather than as the wrong table.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/numeric.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "catalog/dynpg_catalog.h"
#include "base/dynpg_error.h"
#include "base/dynpg_request.h"
#include "types/dynpg_hash.h"
#include "types/dynpg_item.h"
#include "types/dynpg_key.h"

#define DYNPG_SCHEMA			"dynpg"
#define DYNPG_AM_NAME			"dynpg"
#define DYNPG_ITEM_COLUMN		"item"
#define DYNPG_CONFORMS_FUNC		"conforms"

/* long names: 46-character prefix, '~', 16 hex digits = 63 bytes */
#define LONG_NAME_PREFIX		46

/* What a definition says about keys and indexes, parsed; strings palloc'd. */
typedef struct DefinitionKeys
{
	char	   *table_name;
	DynKeySchema key;
	int			nindexes;
	DynIndexDef *indexes;		/* room for every index a table may have */
	int64		stream_id;		/* 0: no stream enabled */
	char		stream_view;
	int			stream_shards;
	char	   *ttl_attr;		/* NULL: time to live disabled */
} DefinitionKeys;

/* ---------------------------------------------------------------------
 * Definitions
 * ---------------------------------------------------------------------
 */

static char *
definition_string(JsonbContainer *obj, const char *name)
{
	JsonbValue	v;

	if (getKeyJsonValueFromContainer(obj, name, strlen(name), &v) == NULL ||
		v.type != jbvString || v.val.string.len == 0)
		return NULL;
	return pnstrdup(v.val.string.val, v.val.string.len);
}

/* The integer member 'name' of obj in [min, max], or -1. */
static int
definition_int(JsonbContainer *obj, const char *name, int min, int max)
{
	JsonbValue	v;
	int32		n;
	bool		have_error = false;

	if (getKeyJsonValueFromContainer(obj, name, strlen(name), &v) == NULL ||
		v.type != jbvNumeric)
		return -1;
	n = numeric_int4_opt_error(v.val.numeric, &have_error);
	if (have_error || n < min || n > max)
		return -1;
	return n;
}

/* The array member 'name' of obj, or NULL if it is absent or no array. */
static JsonbContainer *
definition_array(JsonbContainer *obj, const char *name)
{
	JsonbValue	v;

	if (getKeyJsonValueFromContainer(obj, name, strlen(name), &v) == NULL ||
		v.type != jbvBinary || !JsonContainerIsArray(v.val.binary.data))
		return NULL;
	return v.val.binary.data;
}

/* Element i of an array if it is an object, else NULL. */
static JsonbContainer *
definition_object_at(JsonbContainer *array, int i)
{
	JsonbValue *e = getIthJsonbValueFromContainer(array, i);

	if (e == NULL || e->type != jbvBinary || !JsonContainerIsObject(e->val.binary.data))
		return NULL;
	return e->val.binary.data;
}

/*
 * The key attribute type named by AttributeDefinitions, or 0.  The
 * definition was validated by CreateTable, but it comes back from a
 * catalog that anyone with the right privileges can write, so nothing in
 * it is trusted.
 */
static DynType
definition_key_type(JsonbContainer *root, const char *attname)
{
	JsonbContainer *defs = definition_array(root, "AttributeDefinitions");
	int			i;

	if (defs == NULL)
		return 0;
	for (i = 0; i < (int) JsonContainerSize(defs); i++)
	{
		JsonbContainer *d = definition_object_at(defs, i);
		char	   *name;
		char	   *type;
		DynType		t;

		if (d == NULL)
			return 0;
		name = definition_string(d, "AttributeName");
		type = definition_string(d, "AttributeType");
		if (name == NULL || type == NULL || strcmp(name, attname) != 0)
			continue;
		t = dynpg_type_from_name(type, strlen(type));
		return (t == DYN_T_S || t == DYN_T_N || t == DYN_T_B) ? t : 0;
	}
	return 0;
}

/*
 * A KeySchema array (the table's or an index's): a HASH key and an optional
 * RANGE key of different names, each typed S, N or B by AttributeDefinitions;
 * with 'multi' (a GSI), 1 to 4 HASH attributes then 0 to 4 RANGE attributes,
 * all of different names.  'parts' (if not NULL) gets every attribute, 'out'
 * the first HASH and the first RANGE one.
 */
static bool
parse_key_schema(JsonbContainer *root, JsonbContainer *ks, DynKeySchema *out,
				 DynKeyParts *parts, bool multi, const char **problem)
{
	DynKeyParts p;
	int			n;
	int			i;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	if (ks == NULL)
	{
		*problem = "KeySchema is missing";
		return false;
	}
	n = JsonContainerSize(ks);
	if (n < 1 || n > (multi ? 2 * DYN_MAX_KEY_PARTS : 2))
	{
		*problem = multi ? "KeySchema must have one to eight elements" :
			"KeySchema must have one or two elements";
		return false;
	}
	for (i = 0; i < n; i++)
	{
		JsonbContainer *e = definition_object_at(ks, i);
		char	   *name;
		char	   *keytype;
		DynType		t;
		bool		hash;
		int			j;

		if (e == NULL)
		{
			*problem = "a KeySchema element is not an object";
			return false;
		}
		name = definition_string(e, "AttributeName");
		keytype = definition_string(e, "KeyType");
		hash = keytype != NULL && strcmp(keytype, "HASH") == 0;
		if (name == NULL || keytype == NULL ||
			(!hash && strcmp(keytype, "RANGE") != 0) ||
			(i == 0 && !hash) ||
			(!multi && i == 1 && hash) ||
			(hash && p.nrange > 0) ||
			(hash ? p.nhash : p.nrange) == DYN_MAX_KEY_PARTS)
		{
			*problem = multi ?
				"KeySchema must be one to four HASH keys and up to four RANGE keys" :
				"KeySchema must be a HASH key and an optional RANGE key";
			return false;
		}
		t = definition_key_type(root, name);
		if (t == 0)
		{
			*problem = "a key attribute has no S, N or B type in AttributeDefinitions";
			return false;
		}
		for (j = 0; j < p.nhash + p.nrange; j++)
			if (strcmp(name, j < p.nhash ? p.hash[j].name : p.range[j - p.nhash].name) == 0)
			{
				*problem = multi ? "a KeySchema names an attribute twice" :
					"the partition key and the sort key have the same name";
				return false;
			}
		if (hash)
		{
			p.hash[p.nhash].name = name;
			p.hash[p.nhash].namelen = strlen(name);
			p.hash[p.nhash].type = t;
			p.nhash++;
		}
		else
		{
			p.range[p.nrange].name = name;
			p.range[p.nrange].namelen = strlen(name);
			p.range[p.nrange].type = t;
			p.nrange++;
		}
	}
	out->pk_name = p.hash[0].name;
	out->pk_namelen = p.hash[0].namelen;
	out->pk_type = p.hash[0].type;
	if (p.nrange > 0)
	{
		out->sk_name = p.range[0].name;
		out->sk_namelen = p.range[0].namelen;
		out->sk_type = p.range[0].type;
	}
	if (parts != NULL)
		*parts = p;
	return true;
}

/* An index's Projection: its type and, for INCLUDE, the NonKeyAttributes. */
static bool
parse_projection(JsonbContainer *ix, DynIndexDef *out, int *total_nonkey,
				 const char **problem)
{
	JsonbValue	v;
	JsonbContainer *projection;
	JsonbContainer *nonkey;
	char	   *type;
	const char **names;
	int			i;

	if (getKeyJsonValueFromContainer(ix, "Projection", 10, &v) == NULL ||
		v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
	{
		*problem = "an index has no Projection";
		return false;
	}
	projection = v.val.binary.data;
	type = definition_string(projection, "ProjectionType");
	nonkey = definition_array(projection, "NonKeyAttributes");
	if (type != NULL && strcmp(type, "KEYS_ONLY") == 0)
		out->projection = DYN_PROJECTION_KEYS_ONLY;
	else if (type != NULL && strcmp(type, "INCLUDE") == 0)
		out->projection = DYN_PROJECTION_INCLUDE;
	else if (type != NULL && strcmp(type, "ALL") == 0)
		out->projection = DYN_PROJECTION_ALL;
	else
	{
		*problem = "an index's ProjectionType is not KEYS_ONLY, INCLUDE or ALL";
		return false;
	}
	if ((out->projection == DYN_PROJECTION_INCLUDE) != (nonkey != NULL))
	{
		*problem = "an index has NonKeyAttributes but not ProjectionType INCLUDE, or the reverse";
		return false;
	}
	if (nonkey == NULL)
		return true;
	out->nnonkey = JsonContainerSize(nonkey);
	*total_nonkey += out->nnonkey;
	if (out->nnonkey < 1 || out->nnonkey > DYN_MAX_NONKEY_PER_INDEX ||
		*total_nonkey > DYN_MAX_PROJECTED_ATTRIBUTES)
	{
		*problem = "the indexes have too few or too many NonKeyAttributes";
		return false;
	}
	names = palloc(sizeof(char *) * out->nnonkey);
	for (i = 0; i < out->nnonkey; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(nonkey, i);

		if (e == NULL || e->type != jbvString || e->val.string.len == 0)
		{
			*problem = "a NonKeyAttributes element is not an attribute name";
			return false;
		}
		names[i] = pnstrdup(e->val.string.val, e->val.string.len);
	}
	out->nonkey = names;
	return true;
}

/*
 * The indexes of one kind (member LocalSecondaryIndexes or
 * GlobalSecondaryIndexes), appended to out->indexes.  An absent member
 * means none.
 */
static bool
parse_indexes(JsonbContainer *root, DynIndexKind kind, DefinitionKeys *out,
			  int *total_nonkey, const char **problem)
{
	const char *member = kind == DYN_INDEX_LOCAL ? "LocalSecondaryIndexes" : "GlobalSecondaryIndexes";
	int			max = kind == DYN_INDEX_LOCAL ? DYN_MAX_LOCAL_INDEXES : DYN_MAX_GLOBAL_INDEXES;
	JsonbValue	v;
	JsonbContainer *list;
	int			n;
	int			i;
	int			j;

	if (getKeyJsonValueFromContainer(root, member, strlen(member), &v) == NULL)
		return true;
	list = definition_array(root, member);
	n = list ? (int) JsonContainerSize(list) : 0;
	if (n < 1 || n > max)
	{
		*problem = kind == DYN_INDEX_LOCAL ?
			"LocalSecondaryIndexes is not an array of 1 to 5 indexes" :
			"GlobalSecondaryIndexes is not an array of 1 to 20 indexes";
		return false;
	}
	for (i = 0; i < n; i++)
	{
		JsonbContainer *e = definition_object_at(list, i);
		DynIndexDef *ix = &out->indexes[out->nindexes];

		memset(ix, 0, sizeof(*ix));
		ix->kind = kind;
		if (e == NULL || (ix->index_name = definition_string(e, "IndexName")) == NULL)
		{
			*problem = "an index has no IndexName";
			return false;
		}
		for (j = 0; j < out->nindexes; j++)
			if (strcmp(out->indexes[j].index_name, ix->index_name) == 0)
			{
				*problem = "two indexes have the same IndexName";
				return false;
			}
		if (!parse_key_schema(root, definition_array(e, "KeySchema"), &ix->key, &ix->parts,
							  kind == DYN_INDEX_GLOBAL, problem))
			return false;
		if (kind == DYN_INDEX_LOCAL &&
			(ix->key.sk_name == NULL || out->key.sk_name == NULL ||
			 strcmp(ix->key.pk_name, out->key.pk_name) != 0))
		{
			*problem = "a local secondary index does not have the table's partition key and a sort key";
			return false;
		}
		if (!parse_projection(e, ix, total_nonkey, problem))
			return false;
		/* absent: ACTIVE; "CREATING": a GSI UpdateTable added, being backfilled */
		if (getKeyJsonValueFromContainer(e, "IndexStatus", 11, &v) != NULL)
		{
			char	   *status = definition_string(e, "IndexStatus");

			if (kind != DYN_INDEX_GLOBAL || status == NULL || strcmp(status, "CREATING") != 0)
			{
				*problem = "an index has an IndexStatus other than CREATING";
				return false;
			}
			ix->creating = true;
		}
		ix->keyspace = definition_int(e, "Keyspace", 1, 255);
		if (ix->keyspace <= 0)
		{
			*problem = "an index has no Keyspace from 1 to 255";
			return false;
		}
		for (j = 0; j < out->nindexes; j++)
			if (out->indexes[j].keyspace == ix->keyspace)
			{
				*problem = "two indexes have the same Keyspace";
				return false;
			}
		out->nindexes++;
	}
	return true;
}

static const struct
{
	char		view;
	const char *name;
}			stream_views[] = {
	{DYN_STREAM_KEYS_ONLY, "KEYS_ONLY"},
	{DYN_STREAM_NEW_IMAGE, "NEW_IMAGE"},
	{DYN_STREAM_OLD_IMAGE, "OLD_IMAGE"},
	{DYN_STREAM_NEW_AND_OLD, "NEW_AND_OLD_IMAGES"},
};

char
dynpg_stream_view_from_name(const char *name)
{
	int			i;

	for (i = 0; i < lengthof(stream_views); i++)
		if (strcmp(stream_views[i].name, name) == 0)
			return stream_views[i].view;
	return 0;
}

const char *
dynpg_stream_view_name(char view)
{
	int			i;

	for (i = 0; i < lengthof(stream_views); i++)
		if (stream_views[i].view == view)
			return stream_views[i].name;
	return NULL;
}

/*
 * The definition's enabled stream: "StreamSpecification" {"StreamEnabled":
 * true, "StreamViewType": ...} with dynpg's "StreamId" (a string of digits:
 * the stream's number) and "StreamShards" beside it.  Anything malformed reads as no stream: a definition edited
 * by hand must not make writes fail.
 */
static void
parse_stream(JsonbContainer *root, DefinitionKeys *out)
{
	JsonbValue	v;
	JsonbContainer *spec;
	char	   *view;
	char	   *idtext;
	int64		id;
	int			shards;

	out->stream_id = 0;
	if (getKeyJsonValueFromContainer(root, "StreamSpecification", 19, &v) == NULL ||
		v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
		return;
	spec = v.val.binary.data;
	if (getKeyJsonValueFromContainer(spec, "StreamEnabled", 13, &v) == NULL ||
		v.type != jbvBool || !v.val.boolean)
		return;
	view = definition_string(spec, "StreamViewType");
	if (view == NULL || dynpg_stream_view_from_name(view) == 0)
		return;
	idtext = definition_string(root, "StreamId");
	if (idtext == NULL || strspn(idtext, "0123456789") != strlen(idtext) || strlen(idtext) > 18)
		return;
	id = strtoll(idtext, NULL, 10);
	if (id <= 0)
		return;
	shards = definition_int(root, "StreamShards", 1, DYN_STREAM_MAX_SHARDS);
	if (shards < 1 || (shards & (shards - 1)) != 0)
		return;
	out->stream_id = id;
	out->stream_view = dynpg_stream_view_from_name(view);
	out->stream_shards = shards;
}

/*
 * The definition's time to live: "TimeToLive" {"AttributeName": a,
 * "Enabled": true}; anything else (or malformed) reads as disabled.
 */
static void
parse_ttl(JsonbContainer *root, DefinitionKeys *out)
{
	JsonbValue	v;

	out->ttl_attr = NULL;
	if (getKeyJsonValueFromContainer(root, "TimeToLive", 10, &v) == NULL ||
		v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
		return;
	{
		JsonbContainer *ttl = v.val.binary.data;
		JsonbValue	enabled;

		if (getKeyJsonValueFromContainer(ttl, "Enabled", 7, &enabled) == NULL ||
			enabled.type != jbvBool || !enabled.val.boolean)
			return;
		out->ttl_attr = definition_string(ttl, "AttributeName");
	}
}

/* Parse what dynpg needs of a definition; false (and why) if malformed. */
static bool
parse_definition(Jsonb *def, DefinitionKeys *out, const char **problem)
{
	JsonbContainer *root = &def->root;
	int			total_nonkey = 0;

	memset(out, 0, sizeof(*out));
	*problem = NULL;
	if (!JsonContainerIsObject(root))
	{
		*problem = "the definition is not a JSON object";
		return false;
	}
	out->table_name = definition_string(root, "TableName");
	if (out->table_name == NULL)
	{
		*problem = "TableName is missing";
		return false;
	}
	if (!parse_key_schema(root, definition_array(root, "KeySchema"), &out->key, NULL, false,
						  problem))
		return false;
	out->indexes = palloc(sizeof(DynIndexDef) * (DYN_MAX_LOCAL_INDEXES + DYN_MAX_GLOBAL_INDEXES));
	parse_stream(root, out);
	parse_ttl(root, out);
	return parse_indexes(root, DYN_INDEX_LOCAL, out, &total_nonkey, problem) &&
		parse_indexes(root, DYN_INDEX_GLOBAL, out, &total_nonkey, problem);
}

/*
 * The definition in a CHECK expression of the form
 * dynpg.conforms(<anything>, '<definition>'::jsonb), or NULL.
 */
static Jsonb *
definition_from_ccbin(const char *ccbin)
{
	Node	   *expr = stringToNode(ccbin);
	FuncExpr   *f;
	Const	   *c;
	char	   *fname;
	Oid			nsp;

	if (!IsA(expr, FuncExpr))
		return NULL;
	f = (FuncExpr *) expr;
	if (list_length(f->args) != 2 || !IsA(lsecond(f->args), Const))
		return NULL;
	fname = get_func_name(f->funcid);
	nsp = get_namespace_oid(DYNPG_SCHEMA, true);
	if (fname == NULL || strcmp(fname, DYNPG_CONFORMS_FUNC) != 0 ||
		!OidIsValid(nsp) || get_func_namespace(f->funcid) != nsp)
		return NULL;
	c = (Const *) lsecond(f->args);
	if (c->consttype != JSONBOID || c->constisnull)
		return NULL;
	return DatumGetJsonbPCopy(c->constvalue);
}

static Oid
item_type_oid(void)
{
	Oid			nsp = get_namespace_oid(DYNPG_SCHEMA, true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
						   CStringGetDatum(DYNPG_ITEM_COLUMN), ObjectIdGetDatum(nsp));
}

/* The relation's shape, common to both ways of reading a definition. */
static const char *
check_shape(char relkind, Oid relam, const char *attname, Oid atttypid, bool attisdropped)
{
	if (relkind != RELKIND_RELATION)
		return "It is not a table.";
	if (relam != get_am_oid(DYNPG_AM_NAME, true) || !OidIsValid(relam))
		return "It does not use access method dynpg.";
	if (attname == NULL || attisdropped || strcmp(attname, DYNPG_ITEM_COLUMN) != 0 ||
		atttypid != item_type_oid())
		return "Its first column is not \"item dynpg.item\".";
	return NULL;
}

static const char *const no_constraint_detail =
"It has no CHECK constraint \"" DYNPG_TABLE_CONSTRAINT "\" of the form dynpg.conforms(item, '<definition>'::jsonb).";

/* ---------------------------------------------------------------------
 * Names
 * ---------------------------------------------------------------------
 */

char *
dynpg_table_relname(const char *table_name)
{
	size_t		len = strlen(table_name);
	uint64		h;
	int			prefix;

	if (len < NAMEDATALEN)
		return pstrdup(table_name);
	h = dynpg_hash64((const uint8 *) table_name, len, 0);
	/* callers pass valid (ASCII) names; clip at a character boundary anyway */
	prefix = pg_mbcliplen(table_name, len, LONG_NAME_PREFIX);
	return psprintf("%.*s~%016llx", prefix, table_name, (unsigned long long) h);
}

/* The name a table goes by: its stored name unless the relation was renamed. */
static char *
effective_name(const char *stored, const char *relname)
{
	char	   *mapped = dynpg_table_relname(stored);
	bool		same = strcmp(mapped, relname) == 0;

	pfree(mapped);
	return pstrdup(same ? stored : relname);
}

/*
 * The definition of relation relid and its effective table name, read from
 * the system caches without opening the relation; NULL if it is not a
 * dynpg table.
 */
static Jsonb *
catalog_definition(Oid relid, char **table_name)
{
	HeapTuple	tup;
	Form_pg_class cls;
	char		relkind;
	Oid			relam;
	char	   *relname;
	char	   *attname = NULL;
	Oid			atttypid = InvalidOid;
	bool		attisdropped = true;
	Oid			conoid;
	Jsonb	   *def = NULL;
	DefinitionKeys keys;
	const char *problem;

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return NULL;
	cls = (Form_pg_class) GETSTRUCT(tup);
	relkind = cls->relkind;
	relam = cls->relam;
	relname = pstrdup(NameStr(cls->relname));
	ReleaseSysCache(tup);

	tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(1));
	if (HeapTupleIsValid(tup))
	{
		Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);

		attname = pstrdup(NameStr(att->attname));
		atttypid = att->atttypid;
		attisdropped = att->attisdropped;
		ReleaseSysCache(tup);
	}
	if (check_shape(relkind, relam, attname, atttypid, attisdropped) != NULL)
		return NULL;

	conoid = get_relation_constraint_oid(relid, DYNPG_TABLE_CONSTRAINT, true);
	if (!OidIsValid(conoid))
		return NULL;
	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
	if (HeapTupleIsValid(tup))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
		bool		isnull;
		Datum		bin;

		bin = SysCacheGetAttr(CONSTROID, tup, Anum_pg_constraint_conbin, &isnull);
		if (con->contype == CONSTRAINT_CHECK && !isnull)
			def = definition_from_ccbin(TextDatumGetCString(bin));
		ReleaseSysCache(tup);
	}
	if (def == NULL || !parse_definition(def, &keys, &problem))
		return NULL;
	*table_name = effective_name(keys.table_name, relname);
	return def;
}

Jsonb *
dynpg_relation_definition(Oid relid)
{
	char	   *name;

	return catalog_definition(relid, &name);
}

/*
 * Replace the definition of dynpg table 'rel' (held with AccessExclusiveLock)
 * by 'def': the jsonb constant of its CHECK constraint dynpg_table is
 * rewritten in place in pg_constraint (the expression otherwise unchanged),
 * and the relation's relcache entry is invalidated, in every backend at
 * commit and in this one at the next command.  The table's own key schema
 * must not change: the constraint only checks it, so every stored item
 * still conforms, and nothing needs validating.  pg_dump reads the
 * constraint back through pg_get_constraintdef(), as any other.
 */
void
dynpg_table_set_definition(Relation rel, Jsonb *def)
{
	Oid			conoid = get_relation_constraint_oid(RelationGetRelid(rel),
													 DYNPG_TABLE_CONSTRAINT, false);
	Relation	conrel;
	HeapTuple	tup;
	HeapTuple	newtup;
	Datum		bin;
	bool		isnull;
	Node	   *expr;
	FuncExpr   *f;
	Const	   *c;
	Datum		values[Natts_pg_constraint];
	bool		nulls[Natts_pg_constraint];
	bool		replace[Natts_pg_constraint];
	const char *problem;
	DefinitionKeys keys;

	if (!parse_definition(def, &keys, &problem))
		elog(ERROR, "dynpg: a new table definition is invalid: %s", problem);
	conrel = table_open(ConstraintRelationId, RowExclusiveLock);
	tup = SearchSysCacheCopy1(CONSTROID, ObjectIdGetDatum(conoid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "dynpg: cache lookup failed for constraint %u", conoid);
	bin = SysCacheGetAttr(CONSTROID, tup, Anum_pg_constraint_conbin, &isnull);
	if (isnull)
		elog(ERROR, "dynpg: constraint %u has no expression", conoid);
	expr = stringToNode(TextDatumGetCString(bin));
	if (!IsA(expr, FuncExpr) || list_length(((FuncExpr *) expr)->args) != 2 ||
		!IsA(lsecond(((FuncExpr *) expr)->args), Const))
		elog(ERROR, "dynpg: constraint %u is not of the form dynpg.conforms(item, definition)",
			 conoid);
	f = (FuncExpr *) expr;
	c = (Const *) lsecond(f->args);
	c->constvalue = JsonbPGetDatum(def);
	c->constisnull = false;
	c->constlen = -1;

	memset(values, 0, sizeof(values));
	memset(nulls, false, sizeof(nulls));
	memset(replace, false, sizeof(replace));
	values[Anum_pg_constraint_conbin - 1] = CStringGetTextDatum(nodeToString(expr));
	replace[Anum_pg_constraint_conbin - 1] = true;
	newtup = heap_modify_tuple(tup, RelationGetDescr(conrel), values, nulls, replace);
	CatalogTupleUpdate(conrel, &newtup->t_self, newtup);
	table_close(conrel, RowExclusiveLock);
	CacheInvalidateRelcache(rel);
}

/*
 * Relations already verified to be a given table, so that a request does
 * not parse the definition again (parsing it is most of a GetItem's
 * catalog cost).  Any relcache invalidation of a relation -- a rename, a
 * drop, a new constraint -- forgets it.
 */
typedef struct VerifiedTable
{
	Oid			relid;			/* hash key */
	char		table_name[NAMEDATALEN * 5];	/* DynamoDB names are at most 255 bytes */
} VerifiedTable;

static HTAB *verified_tables = NULL;

static void
verified_tables_invalidate(Datum arg, Oid relid)
{
	if (verified_tables == NULL)
		return;
	if (OidIsValid(relid))
		(void) hash_search(verified_tables, &relid, HASH_REMOVE, NULL);
	else
	{
		HASH_SEQ_STATUS status;
		VerifiedTable *e;

		hash_seq_init(&status, verified_tables);
		while ((e = hash_seq_search(&status)) != NULL)
			(void) hash_search(verified_tables, &e->relid, HASH_REMOVE, NULL);
	}
}

static bool
relation_is_table(Oid relid, const char *table_name)
{
	VerifiedTable *e;
	char	   *found_name;
	bool		found;

	if (verified_tables == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(VerifiedTable);
		ctl.hcxt = CacheMemoryContext;
		verified_tables = hash_create("dynpg verified tables", 64, &ctl,
									  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(verified_tables_invalidate, (Datum) 0);
	}
	e = hash_search(verified_tables, &relid, HASH_FIND, NULL);
	if (e != NULL)
		return strcmp(e->table_name, table_name) == 0;
	if (catalog_definition(relid, &found_name) == NULL)
		return false;
	if (strlen(found_name) < sizeof(e->table_name))
	{
		e = hash_search(verified_tables, &relid, HASH_ENTER, &found);
		strlcpy(e->table_name, found_name, sizeof(e->table_name));
	}
	return strcmp(found_name, table_name) == 0;
}

const char *
dynpg_table_name_of(const char *name_or_arn)
{
	size_t		n = strlen(DYNPG_TABLE_ARN_PREFIX);

	if (strncmp(name_or_arn, DYNPG_TABLE_ARN_PREFIX, n) == 0)
		return name_or_arn + n;
	return name_or_arn;
}

/*
 * The relation of table 'table_name', which may be the table's ARN (the
 * one place names are resolved: every operation comes here).  An ARN of
 * another form is looked up as a name, which no table has (names have no
 * ':'), so it reads as "not found" as DynamoDB answers for a wrong name.
 */
Oid
dynpg_table_relid(const char *table_name, bool missing_ok)
{
	Oid			nsp = get_namespace_oid(DYNPG_TABLE_SCHEMA, true);
	Oid			relid = InvalidOid;
	const char *name = dynpg_table_name_of(table_name);

	if (OidIsValid(nsp) && *name != '\0')
	{
		char	   *relname = dynpg_table_relname(name);

		relid = get_relname_relid(relname, nsp);
		if (OidIsValid(relid) && !relation_is_table(relid, name))
			relid = InvalidOid;
	}
	if (!OidIsValid(relid) && !missing_ok)
		dynpg_req_table_not_found(table_name);
	return relid;
}

/* ---------------------------------------------------------------------
 * The relcache copy
 * ---------------------------------------------------------------------
 */

static void
not_a_dynpg_table(Relation rel, const char *detail) pg_attribute_noreturn();

static void
not_a_dynpg_table(Relation rel, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_WRONG_OBJECT_TYPE),
			 errmsg("relation \"%s\" is not a dynpg table", RelationGetRelationName(rel)),
			 errdetail_internal("%s", detail)));
	pg_unreachable();
}

/*
 * Building the relcache copy: one chunk holding the DynTableDef and
 * everything it points to.  The same function runs twice, first with base
 * NULL to measure the chunk, then to fill it.
 */
typedef struct ChunkBuilder
{
	char	   *base;			/* NULL while measuring */
	Size		used;
} ChunkBuilder;

/* Room for len bytes (maxaligned); NULL while measuring. */
static void *
chunk_alloc(ChunkBuilder *cb, Size len)
{
	char	   *p = cb->base ? cb->base + cb->used : NULL;

	cb->used += MAXALIGN(len);
	return p;
}

static const char *
chunk_string(ChunkBuilder *cb, const char *s, Size len)
{
	char	   *p = chunk_alloc(cb, len + 1);

	if (p != NULL)
	{
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

static void
chunk_key_schema(ChunkBuilder *cb, const DynKeySchema *src, DynKeySchema *dst)
{
	*dst = *src;
	dst->pk_name = chunk_string(cb, src->pk_name, src->pk_namelen);
	if (src->sk_name != NULL)
		dst->sk_name = chunk_string(cb, src->sk_name, src->sk_namelen);
}

static DynTableDef *
chunk_table_def(ChunkBuilder *cb, Oid relid, const char *name, const DefinitionKeys *keys,
				const Jsonb *def)
{
	DynTableDef *result = chunk_alloc(cb, sizeof(DynTableDef));
	Jsonb	   *def_copy = chunk_alloc(cb, VARSIZE(def));
	DynIndexDef *indexes = NULL;
	const char *table_name;
	const char *ttl_attr;
	DynKeySchema key;
	int			i;
	int			j;

	if (keys->nindexes > 0)
		indexes = chunk_alloc(cb, sizeof(DynIndexDef) * keys->nindexes);
	for (i = 0; i < keys->nindexes; i++)
	{
		const DynIndexDef *src = &keys->indexes[i];
		DynIndexDef ix = *src;
		const char **nonkey = NULL;

		ix.index_name = chunk_string(cb, src->index_name, strlen(src->index_name));
		chunk_key_schema(cb, &src->key, &ix.key);
		for (j = 0; j < src->parts.nhash + src->parts.nrange; j++)
		{
			const DynKeyPart *sp = j < src->parts.nhash ? &src->parts.hash[j] :
				&src->parts.range[j - src->parts.nhash];
			DynKeyPart *dp = j < src->parts.nhash ? &ix.parts.hash[j] :
				&ix.parts.range[j - src->parts.nhash];

			dp->name = chunk_string(cb, sp->name, sp->namelen);
		}
		if (src->nnonkey > 0)
			nonkey = chunk_alloc(cb, sizeof(char *) * src->nnonkey);
		for (j = 0; j < src->nnonkey; j++)
		{
			const char *s = chunk_string(cb, src->nonkey[j], strlen(src->nonkey[j]));

			if (nonkey != NULL)
				nonkey[j] = s;
		}
		ix.nonkey = nonkey;
		if (indexes != NULL)
			indexes[i] = ix;
	}
	table_name = chunk_string(cb, name, strlen(name));
	ttl_attr = keys->ttl_attr != NULL ? chunk_string(cb, keys->ttl_attr, strlen(keys->ttl_attr)) : NULL;
	chunk_key_schema(cb, &keys->key, &key);
	if (result == NULL)
		return NULL;			/* measuring */
	result->relid = relid;
	memcpy(def_copy, def, VARSIZE(def));
	result->definition = def_copy;
	result->table_name = table_name;
	result->key = key;
	result->nindexes = keys->nindexes;
	result->indexes = indexes;
	result->stream_id = keys->stream_id;
	result->stream_view = keys->stream_view;
	result->stream_shards = keys->stream_shards;
	result->ttl_attr = ttl_attr;
	result->ttl_attrlen = ttl_attr != NULL ? strlen(ttl_attr) : 0;
	{
		JsonbValue	status;

		result->creating =
			getKeyJsonValueFromContainer(&((Jsonb *) def)->root, "TableStatus", 11, &status) != NULL &&
			status.type == jbvString && status.val.string.len == 8 &&
			memcmp(status.val.string.val, "CREATING", 8) == 0;
	}
	return result;
}

/*
 * The definition of a dynpg table relation, cached in rel->rd_amcache.
 *
 * The cache is one chunk in CacheMemoryContext, which the relcache pfree()s
 * when it rebuilds the entry (any invalidation of the relation, e.g. ANALYZE
 * updating pg_class): callers must copy what they need before doing
 * anything that may process invalidations (taking a lock, reading a
 * catalog), and call this function again afterwards.
 */
static const DynTableDef *
table_def(Relation rel, bool missing_ok)
{
	Form_pg_attribute att;
	TupleConstr *constr = rel->rd_att->constr;
	Jsonb	   *def = NULL;
	DefinitionKeys keys;
	const char *problem;
	char	   *name;
	ChunkBuilder cb;
	Size		size;
	DynTableDef *result;
	int			i;

	if (rel->rd_amcache != NULL)
		return (const DynTableDef *) rel->rd_amcache;

	att = rel->rd_att->natts > 0 ? TupleDescAttr(rel->rd_att, 0) : NULL;
	problem = check_shape(rel->rd_rel->relkind, rel->rd_rel->relam,
						  att ? NameStr(att->attname) : NULL,
						  att ? att->atttypid : InvalidOid,
						  att ? att->attisdropped : true);
	if (problem != NULL)
	{
		if (missing_ok)
			return NULL;
		not_a_dynpg_table(rel, problem);
	}

	for (i = 0; constr != NULL && i < constr->num_check; i++)
	{
		if (strcmp(constr->check[i].ccname, DYNPG_TABLE_CONSTRAINT) == 0)
		{
			def = definition_from_ccbin(constr->check[i].ccbin);
			break;
		}
	}
	if (def == NULL)
	{
		if (missing_ok)
			return NULL;
		not_a_dynpg_table(rel, no_constraint_detail);
	}
	if (!parse_definition(def, &keys, &problem))
	{
		if (missing_ok)
			return NULL;
		not_a_dynpg_table(rel, psprintf("Its table definition is invalid: %s.", problem));
	}
	name = effective_name(keys.table_name, RelationGetRelationName(rel));

	cb.base = NULL;
	cb.used = 0;
	(void) chunk_table_def(&cb, RelationGetRelid(rel), name, &keys, def);
	size = cb.used;
	cb.base = MemoryContextAllocZero(CacheMemoryContext, size);
	cb.used = 0;
	result = chunk_table_def(&cb, RelationGetRelid(rel), name, &keys, def);
	Assert(cb.used == size);
	rel->rd_amcache = result;
	return result;
}

const DynTableDef *
dynpg_table_def(Relation rel)
{
	return table_def(rel, false);
}

const DynTableDef *
dynpg_table_def_or_null(Relation rel)
{
	return table_def(rel, true);
}

const DynIndexDef *
dynpg_table_index(const DynTableDef *def, const char *index_name)
{
	int			i;

	for (i = 0; i < def->nindexes; i++)
		if (strcmp(def->indexes[i].index_name, index_name) == 0)
			return &def->indexes[i];
	return NULL;
}

/* ---------------------------------------------------------------------
 * SQL functions
 * ---------------------------------------------------------------------
 */

/* The definition cached per call site of dynpg.conforms() (in fn_extra). */
typedef struct ConformsCache
{
	Size		deflen;
	char	   *defbytes;
	const void *defptr;			/* the argument last compared equal */
	DynKeySchema key;
} ConformsCache;

/*
 * dynpg.conforms(item, definition): true if the item has the definition's
 * key attributes with their types and sizes; else PutItem's error.  This
 * is what the table's CHECK constraint calls on SQL INSERT and COPY.
 */
PG_FUNCTION_INFO_V1(dynpg_conforms);
Datum
dynpg_conforms(PG_FUNCTION_ARGS)
{
	DynItem    *item = PG_GETARG_DYNITEM_P(0);
	Jsonb	   *def = PG_GETARG_JSONB_P(1);
	ConformsCache *cache = (ConformsCache *) fcinfo->flinfo->fn_extra;
	DynKey		key;

	/*
	 * COPY calls this per row with the same definition (the constraint's
	 * constant, at the same address each time): parse it once
	 */
	if (cache != NULL && cache->defptr == (const void *) def)
		;
	else if (cache == NULL || cache->deflen != VARSIZE(def) ||
			 memcmp(cache->defbytes, def, VARSIZE(def)) != 0)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		DefinitionKeys keys;
		const char *problem;

		if (!parse_definition(def, &keys, &problem))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid dynpg table definition: %s", problem)));
		if (cache == NULL)
			cache = palloc0(sizeof(ConformsCache));
		else
			pfree(cache->defbytes);
		cache->deflen = VARSIZE(def);
		cache->defbytes = palloc(VARSIZE(def));
		memcpy(cache->defbytes, def, VARSIZE(def));
		cache->key = keys.key;
		fcinfo->flinfo->fn_extra = cache;
		MemoryContextSwitchTo(old);
	}
	/*
	 * Trust the address next time only for a constant argument not
	 * detoasted into a copy: a per-row datum's address may hold another
	 * row's later.
	 */
	cache->defptr = (Pointer) def == DatumGetPointer(PG_GETARG_DATUM(1)) &&
		get_fn_expr_arg_stable(fcinfo->flinfo, 1) ? (const void *) def : NULL;
	dynpg_key_from_item(item, &cache->key, &key);
	PG_RETURN_BOOL(true);
}

/* The definition with TableName replaced by the table's effective name. */
static Jsonb *
definition_with_name(Jsonb *def, const char *name)
{
	JsonbIterator *it = JsonbIteratorInit(&def->root);
	JsonbIteratorToken tok;
	JsonbValue	v;
	JsonbParseState *st = NULL;
	JsonbValue *res = NULL;
	bool		replace_next = false;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_VALUE && replace_next)
		{
			v.type = jbvString;
			v.val.string.val = (char *) name;
			v.val.string.len = strlen(name);
		}
		replace_next = (tok == WJB_KEY && v.val.string.len == 9 &&
						memcmp(v.val.string.val, "TableName", 9) == 0);
		res = pushJsonbValue(&st, tok,
							 (tok == WJB_KEY || tok == WJB_VALUE || tok == WJB_ELEM) ? &v : NULL);
	}
	return JsonbValueToJsonb(res);
}

/*
 * dynpg.table_definition(regclass): the definition of a dynpg table (with
 * its effective TableName), or NULL for any other relation.  The catalog
 * views are built on it.
 */
PG_FUNCTION_INFO_V1(dynpg_table_definition_sql);
Datum
dynpg_table_definition_sql(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *name;
	Jsonb	   *def = catalog_definition(relid, &name);
	JsonbValue	stored;

	if (def == NULL)
		PG_RETURN_NULL();
	if (getKeyJsonValueFromContainer(&def->root, "TableName", 9, &stored) != NULL &&
		stored.type == jbvString && (int) strlen(name) == stored.val.string.len &&
		memcmp(stored.val.string.val, name, stored.val.string.len) == 0)
		PG_RETURN_JSONB_P(def);
	PG_RETURN_JSONB_P(definition_with_name(def, name));
}
