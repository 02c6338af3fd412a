/*-------------------------------------------------------------------------
 *
 * table_indexes.c
 *	  CreateTable's secondary indexes: reading, DynamoDB's checks, the
 *	  stored definition and the TableDescription form (dynpg_table_indexes.h).
 *
 * DynamoDB checks the indexes of a CreateTable request in its usual
 * phases: their JSON types while deserializing, their constraints (index
 * name, key schema and projection shapes, capacity units) together with
 * the table's, and then its own rules, each with its own message.  The
 * rules run in this order (src/index/README says which messages are
 * verified against DynamoDB and where the order is inferred):
 *
 *	1. LocalSecondaryIndexes: an empty list; a table without a sort key;
 *	   then each LSI's key schema: undefined attributes, a sort key named
 *	   like the partition key, HASH then RANGE, a missing sort key, another
 *	   partition key than the table's;
 *	2. GlobalSecondaryIndexes: an empty list; each GSI's key schema (a
 *	   multi-attribute key of up to 4 HASH then 4 RANGE attributes:
 *	   check_gsi_keys);
 *	3. AttributeDefinitions that no key schema uses;
 *	4. each LSI's projection and name; more than 5 LSIs;
 *	5. each GSI's projection, capacity and name; more than 20 GSIs;
 *	6. more than 100 NonKeyAttributes in all.
 *
 * The table's own rules (billing mode, its key schema) run before these,
 * in table_ops.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "api/dynpg_table_indexes.h"
#include "catalog/dynpg_catalog.h"
#include "base/dynpg_error.h"
#include "am/dynpg_read.h"
#include "index/dynpg_index.h"

/* DynamoDB's rules for an IndexName (those of a TableName) */
#define DYN_INDEX_NAME_MIN		3
/* ... and for a NonKeyAttributes name */
#define DYN_NONKEY_NAME_MAX		255

static const char *const key_types[] = {"HASH", "RANGE", NULL};
static const char *const projection_types[] = {"ALL", "INCLUDE", "KEYS_ONLY", NULL};

/* ---------------------------------------------------------------------
 * Shared with table_ops.c
 * ---------------------------------------------------------------------
 */

DynNamedType *
dynpg_api_read_named_types(DynJson *list, const char *type_member, int *n)
{
	DynNamedType *result;
	int			i;

	*n = dynpg_req_list_length(list);
	result = palloc0(sizeof(DynNamedType) * Max(*n, 1));
	for (i = 0; i < *n; i++)
	{
		DynJson    *s = dynpg_req_list_struct(list, i);

		if (s == NULL)
			continue;
		result[i].present = true;
		result[i].name = dynpg_req_string(s, "AttributeName");
		result[i].type = dynpg_req_string(s, type_member);
	}
	return result;
}

char *
dynpg_api_names_text(const DynNamedType *a, int n)
{
	StringInfoData s;
	int			i;

	initStringInfo(&s);
	for (i = 0; i < n; i++)
		appendStringInfo(&s, "%s%s", i > 0 ? ", " : "", a[i].name);
	return s.data;
}

void
dynpg_api_read_throughput(DynJson *obj, const char *name, DynThroughput *out)
{
	out->obj = dynpg_req_struct(obj, name);
	out->has_rcu = dynpg_req_long(out->obj, "ReadCapacityUnits", false, &out->rcu);
	out->has_wcu = dynpg_req_long(out->obj, "WriteCapacityUnits", false, &out->wcu);
}

/* Both units not null and at least 1 (nothing when the structure is absent). */
void
dynpg_api_throughput_constraints(DynRequest *req, const char *path, const DynThroughput *pt)
{
	char	   *wcu_path = psprintf("%s.WriteCapacityUnits", path);
	char	   *rcu_path = psprintf("%s.ReadCapacityUnits", path);

	if (pt->obj == NULL)
		return;
	dynpg_req_not_null(req, pt->has_wcu, wcu_path);
	if (pt->has_wcu)
		dynpg_req_range(req, pt->wcu, wcu_path, 1, PG_INT64_MAX);
	dynpg_req_not_null(req, pt->has_rcu, rcu_path);
	if (pt->has_rcu)
		dynpg_req_range(req, pt->rcu, rcu_path, 1, PG_INT64_MAX);
}

void
dynpg_api_throughput_bounds(const DynThroughput *pt, const char *index_name)
{
	const char *for_index = index_name ? psprintf(" for index %s", index_name) : "";

	if (pt->rcu > DYN_MAX_CAPACITY_UNITS)
		dynpg_validation_error("Given value " INT64_FORMAT " for ReadCapacityUnits is out of bounds%s",
							   pt->rcu, for_index);
	if (pt->wcu > DYN_MAX_CAPACITY_UNITS)
		dynpg_validation_error("Given value " INT64_FORMAT " for WriteCapacityUnits is out of bounds%s",
							   pt->wcu, for_index);
}

void
dynpg_api_push_throughput(JsonbParseState **st, int64 rcu, int64 wcu)
{
	dynpg_jb_begin_object(st, "ProvisionedThroughput");
	dynpg_jb_int64(st, "ReadCapacityUnits", rcu);
	dynpg_jb_int64(st, "WriteCapacityUnits", wcu);
	dynpg_jb_end_object(st);
}

/* ---------------------------------------------------------------------
 * Phase 1: the members and their JSON types
 * ---------------------------------------------------------------------
 */

static void
read_index(DynJson *list, int i, bool global, DynIndexRequest *out)
{
	dynpg_api_index_read(dynpg_req_list_struct(list, i), global, out);
}

void
dynpg_api_index_read(DynJson *s, bool global, DynIndexRequest *out)
{
	int			j;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return;
	out->present = true;
	out->index_name = dynpg_req_string(s, "IndexName");
	out->key_schema_list = dynpg_req_list(s, "KeySchema");
	out->keys = dynpg_api_read_named_types(out->key_schema_list, "KeyType", &out->nkeys);
	out->projection = dynpg_req_struct(s, "Projection");
	out->projection_type = dynpg_req_string(out->projection, "ProjectionType");
	out->nonkey_list = dynpg_req_list(out->projection, "NonKeyAttributes");
	out->nnonkey = dynpg_req_list_length(out->nonkey_list);
	out->nonkey = palloc0(sizeof(char *) * Max(out->nnonkey, 1));
	for (j = 0; j < out->nnonkey; j++)
		out->nonkey[j] = dynpg_req_list_string(out->nonkey_list, j);
	if (!global)
		return;
	dynpg_api_read_throughput(s, "ProvisionedThroughput", &out->pt);
	(void) dynpg_req_struct(s, "OnDemandThroughput");
	out->has_on_demand = dynpg_req_member(s, "OnDemandThroughput") != NULL;
	(void) dynpg_req_struct(s, "WarmThroughput");
	out->has_warm = dynpg_req_member(s, "WarmThroughput") != NULL;
}

void
dynpg_api_indexes_read(DynJson *root, DynIndexesRequest *ix)
{
	int			i;

	memset(ix, 0, sizeof(*ix));
	ix->lsi_list = dynpg_req_list(root, "LocalSecondaryIndexes");
	ix->nlsi = dynpg_req_list_length(ix->lsi_list);
	ix->lsi = palloc0(sizeof(DynIndexRequest) * Max(ix->nlsi, 1));
	for (i = 0; i < ix->nlsi; i++)
		read_index(ix->lsi_list, i, false, &ix->lsi[i]);
	ix->gsi_list = dynpg_req_list(root, "GlobalSecondaryIndexes");
	ix->ngsi = dynpg_req_list_length(ix->gsi_list);
	ix->gsi = palloc0(sizeof(DynIndexRequest) * Max(ix->ngsi, 1));
	for (i = 0; i < ix->ngsi; i++)
		read_index(ix->gsi_list, i, true, &ix->gsi[i]);
}

/* ---------------------------------------------------------------------
 * Phase 2: constraints
 * ---------------------------------------------------------------------
 */

/*
 * A KeySchema (the table's or an index's): not null, 1..max elements (2; a
 * GSI's 8, its multi-attribute key), each element's name and key type.
 */
static void
key_schema_constraints(DynRequest *req, const char *path, DynJson *list,
					   const DynNamedType *keys, int nkeys, int max)
{
	int			i;

	dynpg_req_not_null(req, list != NULL, path);
	if (list != NULL && nkeys < 1)
		dynpg_req_too_short(req, path, 1);
	if (nkeys > max)
		dynpg_req_too_long(req, path, max);
	for (i = 0; i < nkeys; i++)
	{
		char	   *member = psprintf("%s.%d.member", path, i + 1);
		char	   *name_path = psprintf("%s.AttributeName", member);
		char	   *type_path = psprintf("%s.KeyType", member);

		if (!keys[i].present)
		{
			dynpg_req_not_null(req, false, member);
			continue;
		}
		dynpg_req_not_null(req, keys[i].name != NULL, name_path);
		dynpg_req_length(req, keys[i].name, name_path, 1, DYN_KEY_NAME_MAX);
		dynpg_req_not_null(req, keys[i].type != NULL, type_path);
		dynpg_req_enum(req, keys[i].type, type_path, key_types);
	}
}

void
dynpg_api_key_schema_constraints(DynRequest *req, const char *path, DynJson *list,
								 const DynNamedType *keys, int nkeys)
{
	key_schema_constraints(req, path, list, keys, nkeys, 2);
}

static void
projection_constraints(DynRequest *req, const char *path, const DynIndexRequest *ix)
{
	char	   *nonkey_path = psprintf("%s.NonKeyAttributes", path);
	int			i;

	dynpg_req_not_null(req, ix->projection != NULL, path);
	dynpg_req_enum(req, ix->projection_type, psprintf("%s.ProjectionType", path), projection_types);
	if (ix->nonkey_list != NULL && ix->nnonkey < 1)
		dynpg_req_too_short(req, nonkey_path, 1);
	if (ix->nnonkey > DYN_MAX_NONKEY_PER_INDEX)
		dynpg_req_too_long(req, nonkey_path,
						   DYN_MAX_NONKEY_PER_INDEX);
	for (i = 0; i < ix->nnonkey; i++)
	{
		char	   *member = psprintf("%s.%d.member", nonkey_path, i + 1);

		dynpg_req_not_null(req, ix->nonkey[i] != NULL, member);
		dynpg_req_length(req, ix->nonkey[i], member, 1, DYN_NONKEY_NAME_MAX);
	}
}

/* One index's members, in the order of DynamoDB's model. */
static void
index_constraints(DynRequest *req, const char *list_path, int i, const DynIndexRequest *ix,
				  bool global)
{
	dynpg_api_index_constraints(req, psprintf("%s.%d.member", list_path, i + 1), ix, global);
}

void
dynpg_api_index_constraints(DynRequest *req, const char *path, const DynIndexRequest *ix,
							bool global)
{
	if (!ix->present)
	{
		dynpg_req_not_null(req, false, path);
		return;
	}
	/* an IndexName follows the TableName rules, pattern first */
	dynpg_req_table_name(req, ix->index_name, psprintf("%s.IndexName", path),
						 DYN_INDEX_NAME_MIN, false);
	key_schema_constraints(req, psprintf("%s.KeySchema", path), ix->key_schema_list,
						   ix->keys, ix->nkeys, global ? 2 * DYN_MAX_KEY_PARTS : 2);
	projection_constraints(req, psprintf("%s.Projection", path), ix);
	if (global)
		dynpg_api_throughput_constraints(req, psprintf("%s.ProvisionedThroughput", path), &ix->pt);
}

void
dynpg_api_indexes_check_constraints(DynRequest *req, const DynIndexesRequest *ix)
{
	int			i;

	for (i = 0; i < ix->nlsi; i++)
		index_constraints(req, "LocalSecondaryIndexes", i, &ix->lsi[i], false);
	for (i = 0; i < ix->ngsi; i++)
		index_constraints(req, "GlobalSecondaryIndexes", i, &ix->gsi[i], true);
}

/* ---------------------------------------------------------------------
 * Phase 3: CreateTable's rules
 * ---------------------------------------------------------------------
 */

void
dynpg_api_indexes_check_unsupported(const DynIndexesRequest *ix)
{
	int			i;

	for (i = 0; i < ix->ngsi; i++)
	{
		if (ix->gsi[i].has_on_demand)
			dynpg_req_not_supported("GlobalSecondaryIndexes.OnDemandThroughput");
		if (ix->gsi[i].has_warm)
			dynpg_req_not_supported("GlobalSecondaryIndexes.WarmThroughput");
	}
}

static bool
is_defined(const char *name, const DynNamedType *defs, int ndefs)
{
	int			i;

	for (i = 0; i < ndefs; i++)
		if (strcmp(name, defs[i].name) == 0)
			return true;
	return false;
}

/* The rules every index's key schema follows (LSIs add their own). */
static void
check_index_keys(const DynIndexRequest *ix, const DynNamedType *defs, int ndefs)
{
	dynpg_api_check_key_schema(ix->keys, ix->nkeys, defs, ndefs);
}

/*
 * A GSI's key schema: one HASH and an optional RANGE attribute as for any
 * key schema, or a multi-attribute key (src/index/README): 1 to 4 HASH
 * attributes, then 0 to 4 RANGE attributes, no name twice.  Two elements
 * keep the rules and messages of a two-element key schema but for
 * HASH, HASH, which is now a multi-attribute partition key.
 */
static void
check_gsi_keys(const DynIndexRequest *ix, const DynNamedType *defs, int ndefs)
{
	int			nhash = 0;
	int			nrange = 0;
	int			i;
	int			j;

	if (ix->nkeys <= 2 &&
		!(ix->nkeys == 2 && strcmp(ix->keys[1].type, "HASH") == 0 &&
		  strcmp(ix->keys[0].type, "HASH") == 0 &&
		  strcmp(ix->keys[0].name, ix->keys[1].name) != 0))
	{
		check_index_keys(ix, defs, ndefs);
		return;
	}
	for (i = 0; i < ix->nkeys; i++)
		if (!is_defined(ix->keys[i].name, defs, ndefs))
			dynpg_req_invalid_parameter("Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
										dynpg_api_names_text(ix->keys, ix->nkeys),
										dynpg_api_names_text(defs, ndefs));
	for (i = 0; i < ix->nkeys; i++)
		for (j = 0; j < i; j++)
			if (strcmp(ix->keys[i].name, ix->keys[j].name) == 0)
				dynpg_validation_error("The KeySchema contains multiple key attributes with the same name");
	if (strcmp(ix->keys[0].type, "HASH") != 0)
		dynpg_validation_error("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
	for (i = 0; i < ix->nkeys; i++)
	{
		if (strcmp(ix->keys[i].type, "HASH") == 0)
		{
			if (nrange > 0)
				dynpg_req_invalid_parameter("All HASH key attributes must precede RANGE key attributes in the KeySchema");
			nhash++;
		}
		else
			nrange++;
	}
	if (nhash > DYN_MAX_KEY_PARTS)
		dynpg_req_invalid_parameter("The KeySchema exceeds the maximum allowed number of HASH key attributes");
	if (nrange > DYN_MAX_KEY_PARTS)
		dynpg_req_invalid_parameter("The KeySchema exceeds the maximum allowed number of RANGE key attributes");
}

/*
 * A key schema (the table's or an index's, its constraints met) against
 * AttributeDefinitions: every key defined, the two keys distinct, HASH
 * then RANGE.
 */
void
dynpg_api_check_key_schema(const DynNamedType *keys, int nkeys, const DynNamedType *defs,
						   int ndefs)
{
	int			i;

	for (i = 0; i < nkeys; i++)
		if (!is_defined(keys[i].name, defs, ndefs))
			dynpg_req_invalid_parameter("Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
										dynpg_api_names_text(keys, nkeys),
										dynpg_api_names_text(defs, ndefs));
	if (nkeys == 2 && strcmp(keys[0].name, keys[1].name) == 0)
		dynpg_validation_error("Both the Hash Key and the Range Key element in the KeySchema have the same name");
	if (strcmp(keys[0].type, "HASH") != 0)
		dynpg_validation_error("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
	if (nkeys == 2 && strcmp(keys[1].type, "RANGE") != 0)
		dynpg_validation_error("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
}

/*
 * Java's String.hashCode() of a name (over its UTF-16 code units), which
 * decides where a java.util.HashSet puts it.
 */
static uint32
java_string_hash(const char *s)
{
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + strlen(s);
	uint32		h = 0;

	while (p < end)
	{
		int			len = GetDatabaseEncoding() == PG_UTF8 ? pg_utf_mblen(p) : 1;
		pg_wchar	c;

		if (len < 1 || len > end - p)
			len = 1;
		c = len > 1 ? utf8_to_unicode(p) : *p;
		if (c >= 0x10000)
		{
			h = 31 * h + (0xD800 + ((c - 0x10000) >> 10));
			h = 31 * h + (0xDC00 + ((c - 0x10000) & 0x3FF));
		}
		else
			h = 31 * h + c;
		p += len;
	}
	return h;
}

typedef struct HashSetEntry
{
	const char *name;
	uint32		bucket;
	int			inserted;
} HashSetEntry;

static int
hash_set_entry_cmp(const void *a, const void *b)
{
	const HashSetEntry *x = a;
	const HashSetEntry *y = b;

	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	return x->inserted - y->inserted;
}

/*
 * "a, b" of distinct names in the order a java.util.HashSet<String> holding
 * them iterates: by bucket (the spread hash modulo the table size, 16
 * doubled while more than 3/4 full), then by insertion.  DynamoDB's "keys
 * used" list comes in that order.
 */
static char *
hash_set_text(const char **names, int n)
{
	HashSetEntry *e = palloc(sizeof(HashSetEntry) * Max(n, 1));
	uint32		capacity = 16;
	StringInfoData s;
	int			i;

	while ((uint32) n > capacity / 4 * 3)
		capacity *= 2;
	for (i = 0; i < n; i++)
	{
		uint32		h = java_string_hash(names[i]);

		e[i].name = names[i];
		e[i].bucket = (h ^ (h >> 16)) & (capacity - 1);
		e[i].inserted = i;
	}
	qsort(e, n, sizeof(HashSetEntry), hash_set_entry_cmp);
	initStringInfo(&s);
	for (i = 0; i < n; i++)
		appendStringInfo(&s, "%s%s", i > 0 ? ", " : "", e[i].name);
	return s.data;
}

static void
add_used(const char **used, int *nused, const DynNamedType *keys, int nkeys)
{
	int			i;
	int			j;

	for (i = 0; i < nkeys; i++)
	{
		for (j = 0; j < *nused; j++)
			if (strcmp(used[j], keys[i].name) == 0)
				break;
		if (j == *nused)
			used[(*nused)++] = keys[i].name;
	}
}

/* Every definition must serve some key schema, the table's or an index's. */
static void
check_unused_definitions(const DynIndexesRequest *ix, const DynNamedType *keys, int nkeys,
						 const DynNamedType *defs, int ndefs)
{
	const char **used = palloc(sizeof(char *) * (2 + 2 * ix->nlsi +
											   2 * DYN_MAX_KEY_PARTS * ix->ngsi));
	int			nused = 0;
	int			i;

	add_used(used, &nused, keys, nkeys);
	for (i = 0; i < ix->nlsi; i++)
		add_used(used, &nused, ix->lsi[i].keys, ix->lsi[i].nkeys);
	for (i = 0; i < ix->ngsi; i++)
		add_used(used, &nused, ix->gsi[i].keys, ix->gsi[i].nkeys);
	for (i = 0; i < ndefs; i++)
	{
		int			j;

		for (j = 0; j < nused; j++)
			if (strcmp(defs[i].name, used[j]) == 0)
				break;
		if (j == nused)
			dynpg_req_invalid_parameter("Some AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]",
										dynpg_api_names_text(defs, ndefs), hash_set_text(used, nused));
	}
}

static void
check_projection(const DynIndexRequest *ix)
{
	int			i;
	int			j;

	if (ix->projection_type == NULL)
		dynpg_req_invalid_parameter("Unknown ProjectionType: null");
	if (ix->nonkey_list != NULL && strcmp(ix->projection_type, "INCLUDE") != 0)
		dynpg_req_invalid_parameter("ProjectionType is %s, but NonKeyAttributes is specified",
									ix->projection_type);
	if (ix->nonkey_list == NULL && strcmp(ix->projection_type, "INCLUDE") == 0)
		dynpg_req_invalid_parameter("ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
	for (i = 0; i < ix->nnonkey; i++)
		for (j = 0; j < i; j++)
			if (strcmp(ix->nonkey[i], ix->nonkey[j]) == 0)
				dynpg_req_invalid_parameter("Duplicate element in NonKeyAttributes: %s",
											ix->nonkey[i]);
}

/* Index names are unique among the table's LSIs and GSIs together. */
static void
check_name(const DynIndexRequest *ix, const char **names, int *nnames)
{
	int			i;

	for (i = 0; i < *nnames; i++)
		if (strcmp(names[i], ix->index_name) == 0)
			dynpg_req_invalid_parameter("Duplicate index name: %s", ix->index_name);
	names[(*nnames)++] = ix->index_name;
}

static void
check_gsi_throughput(const DynIndexRequest *ix, bool pay_per_request)
{
	if (pay_per_request && ix->pt.obj != NULL)
		dynpg_req_invalid_parameter("ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST",
									ix->index_name);
	if (pay_per_request)
		return;
	if (ix->pt.obj == NULL)
		dynpg_req_invalid_parameter("ProvisionedThroughput is not specified for index: %s",
									ix->index_name);
	dynpg_api_throughput_bounds(&ix->pt, ix->index_name);
}

/* NonKeyAttributes of all of a table's indexes, at most DYN_MAX_PROJECTED_ATTRIBUTES. */
void
dynpg_api_check_projected_count(int nonkey)
{
	if (nonkey > DYN_MAX_PROJECTED_ATTRIBUTES)
		dynpg_req_invalid_parameter("Number of projected attributes in all indexes exceeds limit of %d",
									DYN_MAX_PROJECTED_ATTRIBUTES);
}

/*
 * The rules one new GSI follows on its own (UpdateTable's Create): its key
 * schema against AttributeDefinitions 'defs', its projection, its capacity.
 * The rules that involve the table's other indexes (names, counts, the
 * sum of NonKeyAttributes) are the caller's.
 */
void
dynpg_api_index_check_new_gsi(const DynIndexRequest *ix, const DynNamedType *defs, int ndefs,
							  bool pay_per_request)
{
	check_gsi_keys(ix, defs, ndefs);
	check_projection(ix);
	check_gsi_throughput(ix, pay_per_request);
}

/*
 * The rules, in the order of the header comment.  The table's key schema
 * has passed its own rules, and every constraint holds (every name and
 * type below is set).
 */
void
dynpg_api_indexes_check_rules(const DynIndexesRequest *ix,
							  const DynNamedType *keys, int nkeys,
							  const DynNamedType *defs, int ndefs,
							  bool pay_per_request)
{
	const char **names;
	int			nnames = 0;
	int			nonkey = 0;
	int			i;

	if (ix->lsi_list != NULL)
	{
		if (ix->nlsi == 0)
			dynpg_req_invalid_parameter("List of LocalSecondaryIndexes is empty");
		if (nkeys != 2)
			dynpg_req_invalid_parameter("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");
		for (i = 0; i < ix->nlsi; i++)
		{
			const DynIndexRequest *lsi = &ix->lsi[i];

			check_index_keys(lsi, defs, ndefs);
			if (lsi->nkeys != 2)
				dynpg_req_invalid_parameter("Index KeySchema does not have a range key for index: %s",
											lsi->index_name);
			if (strcmp(lsi->keys[0].name, keys[0].name) != 0)
				dynpg_req_invalid_parameter("Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s",
											lsi->index_name, lsi->keys[0].name, keys[0].name);
		}
	}
	if (ix->gsi_list != NULL)
	{
		if (ix->ngsi == 0)
			dynpg_req_invalid_parameter("List of GlobalSecondaryIndexes is empty");
		for (i = 0; i < ix->ngsi; i++)
			check_gsi_keys(&ix->gsi[i], defs, ndefs);
	}

	check_unused_definitions(ix, keys, nkeys, defs, ndefs);

	names = palloc(sizeof(char *) * (ix->nlsi + ix->ngsi + 1));
	for (i = 0; i < ix->nlsi; i++)
	{
		check_projection(&ix->lsi[i]);
		check_name(&ix->lsi[i], names, &nnames);
		nonkey += ix->lsi[i].nnonkey;
	}
	if (ix->nlsi > DYN_MAX_LOCAL_INDEXES)
		dynpg_req_invalid_parameter("Number of LocalSecondaryIndexes exceeds per-table limit of %d",
									DYN_MAX_LOCAL_INDEXES);
	for (i = 0; i < ix->ngsi; i++)
	{
		check_projection(&ix->gsi[i]);
		check_gsi_throughput(&ix->gsi[i], pay_per_request);
		check_name(&ix->gsi[i], names, &nnames);
		nonkey += ix->gsi[i].nnonkey;
	}
	if (ix->ngsi > DYN_MAX_GLOBAL_INDEXES)
		dynpg_req_invalid_parameter("GlobalSecondaryIndex count exceeds the per-table limit of %d",
									DYN_MAX_GLOBAL_INDEXES);
	dynpg_api_check_projected_count(nonkey);
}

/* ---------------------------------------------------------------------
 * The definition and the TableDescription
 * ---------------------------------------------------------------------
 */

static void
push_index_definition(JsonbParseState **st, const DynIndexRequest *ix, bool global,
					  bool pay_per_request, int keyspace)
{
	dynpg_api_index_push_definition(st, ix, global, pay_per_request, keyspace, NULL);
}

void
dynpg_api_index_push_definition(JsonbParseState **st, const DynIndexRequest *ix, bool global,
								bool pay_per_request, int keyspace, const char *status)
{
	int			i;

	dynpg_jb_begin_object(st, NULL);
	dynpg_jb_string(st, "IndexName", ix->index_name);
	dynpg_jb_int64(st, "Keyspace", keyspace);
	if (status != NULL)
		dynpg_jb_string(st, "IndexStatus", status);
	dynpg_jb_begin_array(st, "KeySchema");
	for (i = 0; i < ix->nkeys; i++)
	{
		dynpg_jb_begin_object(st, NULL);
		dynpg_jb_string(st, "AttributeName", ix->keys[i].name);
		dynpg_jb_string(st, "KeyType", ix->keys[i].type);
		dynpg_jb_end_object(st);
	}
	dynpg_jb_end_array(st);
	dynpg_jb_begin_object(st, "Projection");
	dynpg_jb_string(st, "ProjectionType", ix->projection_type);
	if (ix->nonkey_list != NULL)
	{
		dynpg_jb_begin_array(st, "NonKeyAttributes");
		for (i = 0; i < ix->nnonkey; i++)
			dynpg_jb_string(st, NULL, ix->nonkey[i]);
		dynpg_jb_end_array(st);
	}
	dynpg_jb_end_object(st);
	if (global && !pay_per_request)
		dynpg_api_push_throughput(st, ix->pt.rcu, ix->pt.wcu);
	dynpg_jb_end_object(st);
}

/* The definition's LocalSecondaryIndexes and GlobalSecondaryIndexes. */
void
dynpg_api_indexes_push_definition(JsonbParseState **st, const DynIndexesRequest *ix,
								  bool pay_per_request)
{
	int			i;

	if (ix->nlsi > 0)
	{
		dynpg_jb_begin_array(st, "LocalSecondaryIndexes");
		for (i = 0; i < ix->nlsi; i++)
			push_index_definition(st, &ix->lsi[i], false, pay_per_request,
								   DYN_KEYSPACE_FIRST_LSI + i);
		dynpg_jb_end_array(st);
	}
	if (ix->ngsi > 0)
	{
		dynpg_jb_begin_array(st, "GlobalSecondaryIndexes");
		for (i = 0; i < ix->ngsi; i++)
			push_index_definition(st, &ix->gsi[i], true, pay_per_request,
								   DYN_KEYSPACE_FIRST_GSI + i);
		dynpg_jb_end_array(st);
	}
}

static void
push_member(JsonbParseState **st, JsonbContainer *obj, const char *name)
{
	JsonbValue	v;

	if (getKeyJsonValueFromContainer(obj, name, strlen(name), &v) == NULL)
		return;
	if (v.type == jbvBinary)
		dynpg_jb_container(st, name, v.val.binary.data);
	else
	{
		dynpg_jb_key(st, name);
		pushJsonbValue(st, WJB_VALUE, &v);
	}
}

/*
 * One kind of index as a TableDescription reports it.  Sizes and counts are
 * zero until indexes hold entries; a GSI is ACTIVE at once, as its table,
 * and reports its capacity as the table does (zeros on demand).
 */
static void
push_index_descriptions(JsonbParseState **st, Jsonb *def, const char *member, bool global,
						const char *table_arn, bool pay_per_request, Relation rel)
{
	JsonbValue	list;
	int			n;
	int			i;

	if (getKeyJsonValueFromContainer(&def->root, member, strlen(member), &list) == NULL ||
		list.type != jbvBinary || !JsonContainerIsArray(list.val.binary.data))
		return;
	n = JsonContainerSize(list.val.binary.data);
	dynpg_jb_begin_array(st, member);
	for (i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(list.val.binary.data, i);
		JsonbContainer *ix;
		JsonbValue	name;
		JsonbValue	pt;
		JsonbValue	ks;
		int64		count = 0;
		int64		bytes = 0;

		if (e == NULL || e->type != jbvBinary || !JsonContainerIsObject(e->val.binary.data) ||
			getKeyJsonValueFromContainer(e->val.binary.data, "IndexName", 9, &name) == NULL ||
			name.type != jbvString)
			continue;			/* catalog.c refuses such definitions */
		ix = e->val.binary.data;
		dynpg_jb_begin_object(st, NULL);
		push_member(st, ix, "IndexName");
		push_member(st, ix, "KeySchema");
		push_member(st, ix, "Projection");
		if (global)
		{
			/* IndexStatus: absent from a definition means ACTIVE (table_update.c) */
			JsonbValue	status;
			JsonbValue	backfilling;
			bool		creating;

			status.type = jbvNull;
			if (getKeyJsonValueFromContainer(ix, "IndexStatus", 11, &status) != NULL &&
				status.type == jbvString)
				push_member(st, ix, "IndexStatus");
			else
				dynpg_jb_string(st, "IndexStatus", "ACTIVE");
			creating = status.type == jbvString && status.val.string.len == 8 &&
				memcmp(status.val.string.val, "CREATING", 8) == 0;
			/* Backfilling only while CREATING (UpdateTable's response may say false) */
			if (getKeyJsonValueFromContainer(ix, "Backfilling", 11, &backfilling) != NULL &&
				backfilling.type == jbvBool)
				push_member(st, ix, "Backfilling");
			else if (creating)
				dynpg_jb_bool(st, "Backfilling", true);
			dynpg_jb_begin_object(st, "ProvisionedThroughput");
			dynpg_jb_int64(st, "NumberOfDecreasesToday", 0);
			if (!pay_per_request &&
				getKeyJsonValueFromContainer(ix, "ProvisionedThroughput", 21, &pt) != NULL &&
				pt.type == jbvBinary)
			{
				push_member(st, pt.val.binary.data, "ReadCapacityUnits");
				push_member(st, pt.val.binary.data, "WriteCapacityUnits");
			}
			else
			{
				dynpg_jb_int64(st, "ReadCapacityUnits", 0);
				dynpg_jb_int64(st, "WriteCapacityUnits", 0);
			}
			dynpg_jb_end_object(st);
		}
		/*
		 * counted exactly in the index's keyspace, as the table's in its own;
		 * for a role without SELECT, 0 (pg_class has no count per index)
		 */
		if (rel != NULL &&
			pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_SELECT) == ACLCHECK_OK &&
			getKeyJsonValueFromContainer(ix, "Keyspace", 8, &ks) != NULL &&
			ks.type == jbvNumeric)
		{
			int32		k = DatumGetInt32(DirectFunctionCall1(numeric_int4,
															  NumericGetDatum(ks.val.numeric)));

			if (k >= 1 && k <= 255)
				dynpg_read_keyspace_stats(rel, k, &count, &bytes);
		}
		dynpg_jb_int64(st, "IndexSizeBytes", bytes);
		dynpg_jb_int64(st, "ItemCount", count);
		dynpg_jb_string(st, "IndexArn", psprintf("%s/index/%.*s", table_arn,
												  name.val.string.len, name.val.string.val));
		dynpg_jb_end_object(st);
	}
	dynpg_jb_end_array(st);
}

void
dynpg_api_indexes_push_description(JsonbParseState **st, Jsonb *def, const char *table_arn,
								   bool pay_per_request, Relation rel)
{
	push_index_descriptions(st, def, "LocalSecondaryIndexes", false, table_arn, pay_per_request,
							rel);
	push_index_descriptions(st, def, "GlobalSecondaryIndexes", true, table_arn, pay_per_request,
							rel);
}
