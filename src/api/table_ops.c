/*-------------------------------------------------------------------------
 *
 * table_ops.c
 *	  The control plane: CreateTable, DeleteTable, DescribeTable and
 *	  ListTables.
 *
 * A table is the relation dynamodb.<relation name> created by
 *
 *	CREATE TABLE dynamodb.<name> (item dynpg.item NOT NULL,
 *		CONSTRAINT dynpg_table CHECK (dynpg.conforms(item, '<definition>'::jsonb)))
 *		USING dynpg
 *
 * run through SPI as the calling user, so PostgreSQL's own rules apply:
 * the caller needs CREATE on schema dynamodb and owns the table, event
 * triggers and default privileges work as for any CREATE TABLE.  The
 * definition (catalog/catalog.c reads it back) is
 *
 *	{"TableName": ..., "KeySchema": [...], "AttributeDefinitions": [...],
 *	 "BillingMode": "PROVISIONED" | "PAY_PER_REQUEST",
 *	 "ProvisionedThroughput": {"ReadCapacityUnits": n, "WriteCapacityUnits": n},
 *	 "LocalSecondaryIndexes": [...], "GlobalSecondaryIndexes": [...],
 *	 "TableId": "<uuid>", "CreationDateTime": <epoch seconds>,
 *	 "DefinitionVersion": 1}
 *
 * with, when set, the tags, the time to live configuration and the table
 * settings (table_settings.c's header lists their members)
 *
 * (ProvisionedThroughput only for PROVISIONED, the index lists only when
 * the table has such indexes: src/index/README), the request's own members
 * where DynamoDB reports them back.  Tables are ACTIVE as soon as
 * CreateTable returns, as in DynamoDB Local.  The secondary indexes'
 * checks and forms are in table_indexes.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "api/dynpg_api.h"
#include "api/dynpg_table_indexes.h"
#include "api/dynpg_table_ops.h"
#include "api/dynpg_table_settings.h"
#include "api/dynpg_stream_ops.h"
#include "api/dynpg_wire.h"
#include "catalog/dynpg_catalog.h"
#include "base/dynpg_preload.h"
#include "base/dynpg_error.h"
#include "am/dynpg_read.h"
#include "index/dynpg_index.h"
#include "indexer/dynpg_indexer.h"
#include "types/dynpg_hash.h"
#include "types/dynpg_item.h"

/* The ARN of table NAME is DYN_ARN_PREFIX "NAME", as DynamoDB Local's. */
#define DYN_ARN_PREFIX	DYNPG_TABLE_ARN_PREFIX

/* field4 of the advisory lock tag that serializes CreateTable per name */
#define DYN_CREATE_LOCK_FIELD4	0x4459

#define DYN_DEFINITION_VERSION	1

#define DYN_LIST_TABLES_DEFAULT_LIMIT 100
#define DYN_LIST_TABLES_MAX_LIMIT	100

const char *const dynpg_api_billing_modes[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};
static const char *const attribute_types[] = {"B", "N", "S", NULL};

typedef struct CreateRequest
{
	char	   *table_name;
	DynJson    *key_schema_list;
	int			nkeys;
	DynNamedType *keys;
	DynJson    *definitions_list;
	int			ndefs;
	DynNamedType *defs;
	char	   *billing_mode;
	DynThroughput pt;			/* ProvisionedThroughput */
	DynIndexesRequest ix;		/* LocalSecondaryIndexes, GlobalSecondaryIndexes */
	DynTagsRequest tags;		/* Tags */
	DynTableSettings settings;	/* SSESpecification, TableClass, DeletionProtectionEnabled,
								 * OnDemandThroughput, WarmThroughput */
	DynStreamRequest stream;	/* StreamSpecification */
} CreateRequest;

/* ---------------------------------------------------------------------
 * Shared parts
 * ---------------------------------------------------------------------
 */

/* TableName of CreateTable, DeleteTable and DescribeTable. */
char *
dynpg_api_control_plane_table_name(DynRequest *req)
{
	char	   *name = dynpg_req_string(req->root, "TableName");

	dynpg_req_required_table_name(name);
	dynpg_req_table_name_or_arn(req, name, "TableName", DYN_TABLE_NAME_MIN, true);
	return name;
}

/*
 * Open the relation of table 'name' with 'lockmode', or raise
 * ResourceNotFoundException.  The name is looked up before the lock is
 * taken, so it is checked again once the lock is held: a concurrent
 * DeleteTable or rename reads as "not found".  Returns copies of the
 * effective name and the definition (the relcache copy may go away).
 */
Relation
dynpg_api_open_table(const char *name, LOCKMODE lockmode, Jsonb **definition)
{
	Oid			relid = dynpg_table_relid(name, true);
	Relation	rel = OidIsValid(relid) ? dynpg_api_open_relid(relid, name, lockmode, definition) : NULL;

	if (rel == NULL)
		dynpg_req_table_not_found(name);
	return rel;
}

/*
 * The same for the operations only the table's owner may run (DeleteTable,
 * UpdateTable, UpdateTimeToLive): ownership is checked before the lock, so
 * no one else can hold the table locked by asking.
 */
Relation
dynpg_api_open_owned_table(const char *name, LOCKMODE lockmode, Jsonb **definition)
{
	Oid			relid = dynpg_table_relid(name, true);
	Relation	rel;

	if (!OidIsValid(relid))
		dynpg_req_table_not_found(name);
	if (!pg_class_ownercheck(relid, GetUserId()))
	{
		char	   *current_name = get_rel_name(relid);

		if (current_name == NULL)	/* dropped meanwhile */
			dynpg_req_table_not_found(name);
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, current_name);
	}

	/*
	 * A table ImportTable is loading changes only when its import ends:
	 * refused before the lock (the import's worker holds the table), and
	 * again once it is held.
	 */
	{
		Jsonb	   *before = dynpg_relation_definition(relid);

		if (before != NULL && dynpg_api_table_creating(before))
			dynpg_raise(DYN_ERR_RESOURCE_IN_USE,
						"Attempt to change a resource which is still in use: Table is being created: %s",
						dynpg_table_name_of(name));
	}
	rel = dynpg_api_open_table(name, lockmode, definition);
	if (dynpg_api_table_creating(*definition))
		dynpg_raise(DYN_ERR_RESOURCE_IN_USE,
					"Attempt to change a resource which is still in use: Table is being created: %s",
					dynpg_table_name_of(name));
	return rel;
}

/* Whether definition 'def' is of a table ImportTable is still loading ("TableStatus": "CREATING") */
bool
dynpg_api_table_creating(Jsonb *def)
{
	JsonbValue	v;

	return getKeyJsonValueFromContainer(&def->root, "TableStatus", 11, &v) != NULL &&
		v.type == jbvString && v.val.string.len == 8 &&
		memcmp(v.val.string.val, "CREATING", 8) == 0;
}

Relation
dynpg_api_open_relid(Oid relid, const char *name, LOCKMODE lockmode, Jsonb **definition)
{
	Relation	rel = try_table_open(relid, lockmode);
	const DynTableDef *def;

	if (rel == NULL)
		return NULL;
	def = dynpg_table_def(rel);
	if (strcmp(def->table_name, dynpg_table_name_of(name)) != 0)
	{
		table_close(rel, lockmode);
		return NULL;
	}
	*definition = (Jsonb *) palloc(VARSIZE(def->definition));
	memcpy(*definition, def->definition, VARSIZE(def->definition));
	return rel;
}

/*
 * ItemCount and TableSizeBytes: for a role that may read the items, an
 * exact scan, summing DynamoDB's item sizes (DynamoDB refreshes these about
 * every six hours; dynpg counts on demand).  Anyone may describe a table,
 * but a role without SELECT on it learns only what pg_class tells every
 * role: ItemCount is reltuples (as of the last VACUUM or ANALYZE, 0 before
 * the first) and TableSizeBytes the relation's pages (relpages) -- an exact
 * count on demand would show it each write as it commits (README, "Security").
 */
void
dynpg_api_table_stats(Relation rel, int64 *count, int64 *bytes)
{
	if (pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_SELECT) == ACLCHECK_OK)
	{
		dynpg_read_keyspace_stats(rel, DYN_KEYSPACE_TABLE, count, bytes);
		return;
	}
	*count = rel->rd_rel->reltuples > 0 ? (int64) rel->rd_rel->reltuples : 0;
	*bytes = (int64) rel->rd_rel->relpages * BLCKSZ;
}

static bool
definition_member(Jsonb *def, const char *name, JsonbValue *out)
{
	return getKeyJsonValueFromContainer(&def->root, name, strlen(name), out) != NULL &&
		out->type != jbvNull;
}

static void
push_value(JsonbParseState **st, const char *key, JsonbValue *v)
{
	if (v->type == jbvBinary)
		dynpg_jb_container(st, key, v->val.binary.data);
	else
	{
		dynpg_jb_key(st, key);
		pushJsonbValue(st, WJB_VALUE, v);
	}
}

/*
 * A TableDescription, from the definition.  DeleteTable's leaves out what
 * DynamoDB leaves out there: CreationDateTime, KeySchema and
 * AttributeDefinitions.
 */
void
dynpg_api_push_description(JsonbParseState **st, const char *key, const char *name,
						   Jsonb *def, int64 count, int64 bytes, DescribeFor what, Relation rel)
{
	JsonbValue	v;
	JsonbValue	created;
	bool		pay_per_request;
	bool		has_created;
	char	   *arn;

	/* the table's name, also when the request named it by its ARN */
	name = dynpg_table_name_of(name);
	has_created = definition_member(def, "CreationDateTime", &created);
	arn = psprintf("%s%s", DYN_ARN_PREFIX, name);

	pay_per_request = definition_member(def, "BillingMode", &v) &&
		v.type == jbvString && v.val.string.len == 15 &&
		memcmp(v.val.string.val, "PAY_PER_REQUEST", 15) == 0;

	dynpg_jb_begin_object(st, key);
	dynpg_jb_string(st, "TableName", name);
	dynpg_jb_string(st, "TableStatus", what == DESCRIBE_DELETED ? "DELETING" :
					what == DESCRIBE_UPDATED ? "UPDATING" :
					dynpg_api_table_creating(def) ? "CREATING" : "ACTIVE");
	if (what != DESCRIBE_DELETED)
	{
		if (definition_member(def, "KeySchema", &v))
			push_value(st, "KeySchema", &v);
		if (definition_member(def, "AttributeDefinitions", &v))
			push_value(st, "AttributeDefinitions", &v);
		if (has_created)
			push_value(st, "CreationDateTime", &created);
		dynpg_api_indexes_push_description(st, def, arn, pay_per_request, rel);
	}

	/* DynamoDB reports zeros for on-demand tables, and no decreases yet */
	dynpg_jb_begin_object(st, "ProvisionedThroughput");
	dynpg_jb_int64(st, "NumberOfDecreasesToday", 0);
	if (!pay_per_request && definition_member(def, "ProvisionedThroughput", &v) &&
		v.type == jbvBinary)
	{
		JsonbValue	units;

		if (getKeyJsonValueFromContainer(v.val.binary.data, "ReadCapacityUnits", 17, &units))
			push_value(st, "ReadCapacityUnits", &units);
		if (getKeyJsonValueFromContainer(v.val.binary.data, "WriteCapacityUnits", 18, &units))
			push_value(st, "WriteCapacityUnits", &units);
	}
	else
	{
		dynpg_jb_int64(st, "ReadCapacityUnits", 0);
		dynpg_jb_int64(st, "WriteCapacityUnits", 0);
	}
	dynpg_jb_end_object(st);

	dynpg_jb_int64(st, "TableSizeBytes", bytes);
	dynpg_jb_int64(st, "ItemCount", count);
	dynpg_jb_string(st, "TableArn", arn);
	if (definition_member(def, "TableId", &v))
		push_value(st, "TableId", &v);
	if (pay_per_request)
	{
		/* when UpdateTable last set it, else when the table was made */
		dynpg_jb_begin_object(st, "BillingModeSummary");
		dynpg_jb_string(st, "BillingMode", "PAY_PER_REQUEST");
		if (definition_member(def, "LastUpdateToPayPerRequestDateTime", &v))
			push_value(st, "LastUpdateToPayPerRequestDateTime", &v);
		else if (has_created)
			push_value(st, "LastUpdateToPayPerRequestDateTime", &created);
		dynpg_jb_end_object(st);
	}
	dynpg_api_settings_push_description(st, def, pay_per_request, what != DESCRIBE_DELETED);
	dynpg_api_stream_push_description(st, def, arn);
	dynpg_jb_end_object(st);
}

/* ---------------------------------------------------------------------
 * CreateTable
 * ---------------------------------------------------------------------
 */


/* Phase 2 of AttributeDefinitions (CreateTable's and UpdateTable's): each element */
void
dynpg_api_definitions_constraints(DynRequest *req, const DynNamedType *defs, int ndefs)
{
	int			i;

	for (i = 0; i < ndefs; i++)
	{
		char	   *path = psprintf("AttributeDefinitions.%d.member", i + 1);

		if (!defs[i].present)
		{
			dynpg_req_not_null(req, false, path);
			continue;
		}
		dynpg_req_not_null(req, defs[i].type != NULL, psprintf("%s.AttributeType", path));
		dynpg_req_enum(req, defs[i].type, psprintf("%s.AttributeType", path), attribute_types);
		dynpg_req_not_null(req, defs[i].name != NULL, psprintf("%s.AttributeName", path));
		dynpg_req_length(req, defs[i].name, psprintf("%s.AttributeName", path), 1, DYN_KEY_NAME_MAX);
	}
}

static void
create_check_constraints(DynRequest *req, CreateRequest *r)
{
	/* in the order DynamoDB reports them */
	dynpg_req_not_null(req, r->definitions_list != NULL, "AttributeDefinitions");
	dynpg_api_definitions_constraints(req, r->defs, r->ndefs);
	dynpg_req_table_name(req, r->table_name, "TableName", DYN_TABLE_NAME_MIN, true);
	dynpg_req_enum(req, r->billing_mode, "BillingMode", dynpg_api_billing_modes);
	dynpg_api_throughput_constraints(req, "ProvisionedThroughput", &r->pt);
	dynpg_api_key_schema_constraints(req, "KeySchema", r->key_schema_list, r->keys, r->nkeys);
	dynpg_api_indexes_check_constraints(req, &r->ix);
	dynpg_api_settings_constraints(req, &r->settings);
	dynpg_api_tags_constraints(req, &r->tags);
	dynpg_api_stream_constraints(req, &r->stream);
	dynpg_req_finish(req);
}

/* CreateTable members dynpg does not implement yet. */
static void
create_check_unsupported(DynJson *root, const CreateRequest *r)
{
	static const char *const always[] = {"ResourcePolicy", NULL};

	dynpg_req_unsupported(root, always);
	dynpg_api_indexes_check_unsupported(&r->ix);
}

/* BillingMode PAY_PER_REQUEST takes no ProvisionedThroughput. */
void
dynpg_api_check_pay_per_request(const char *billing_mode, const DynThroughput *pt)
{
	if (billing_mode != NULL && strcmp(billing_mode, "PAY_PER_REQUEST") == 0 && pt->obj != NULL)
		dynpg_req_invalid_parameter("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
}

/* No two AttributeDefinitions of one name. */
void
dynpg_api_check_duplicate_definitions(const DynNamedType *defs, int ndefs)
{
	int			i;
	int			j;

	for (i = 0; i < ndefs; i++)
		for (j = 0; j < i; j++)
			if (strcmp(defs[i].name, defs[j].name) == 0)
				dynpg_validation_error("Attribute Name is duplicated: %s", defs[i].name);
}

/* The operation's own rules (phase 3), each with its own message. */
static void
create_check_rules(DynJson *root, CreateRequest *r)
{
	bool		pay_per_request = r->billing_mode != NULL &&
		strcmp(r->billing_mode, "PAY_PER_REQUEST") == 0;

	dynpg_api_check_pay_per_request(r->billing_mode, &r->pt);
	if (!pay_per_request)
	{
		if (r->pt.obj == NULL)
			dynpg_req_invalid_parameter("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
		dynpg_api_throughput_bounds(&r->pt, NULL);
	}

	create_check_unsupported(root, r);
	dynpg_api_settings_create_rules(&r->settings, pay_per_request, &r->pt);
	dynpg_api_stream_create_rules(&r->stream);
	dynpg_api_tags_rules(&r->tags);
	dynpg_api_check_duplicate_definitions(r->defs, r->ndefs);
	if (r->nkeys > r->ndefs)
		dynpg_validation_error("Invalid KeySchema: Some index key attribute have no definition");
	dynpg_api_check_key_schema(r->keys, r->nkeys, r->defs, r->ndefs);
	/* without indexes, only the table's keys may be defined */
	if (r->ix.lsi_list == NULL && r->ix.gsi_list == NULL)
	{
		if (r->ndefs != r->nkeys)
			dynpg_req_invalid_parameter("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
		return;
	}
	dynpg_api_indexes_check_rules(&r->ix, r->keys, r->nkeys, r->defs, r->ndefs, pay_per_request);
}

/* A random (version 4) UUID, as DynamoDB's TableId. */
static char *
random_uuid(void)
{
	uint8		b[16];

	if (!pg_strong_random(b, sizeof(b)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random table id")));
	b[6] = (b[6] & 0x0F) | 0x40;
	b[8] = (b[8] & 0x3F) | 0x80;
	return psprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
					b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
					b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* Now, in epoch seconds with milliseconds, as DynamoDB's CreationDateTime. */
char *
dynpg_api_epoch_seconds_now(void)
{
	TimestampTz now = GetCurrentTimestamp();
	int64		ms;

	ms = now / 1000 + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000;
	return psprintf(INT64_FORMAT ".%03d", ms / 1000, (int) (ms % 1000));
}

static void
push_attribute_definition(JsonbParseState **st, const DynNamedType *def)
{
	dynpg_jb_begin_object(st, NULL);
	dynpg_jb_string(st, "AttributeName", def->name);
	dynpg_jb_string(st, "AttributeType", def->type);
	dynpg_jb_end_object(st);
}

static Jsonb *
build_definition(const CreateRequest *r)
{
	JsonbParseState *st = NULL;
	bool		pay_per_request = r->billing_mode != NULL &&
		strcmp(r->billing_mode, "PAY_PER_REQUEST") == 0;
	int			i;
	int			j;

	dynpg_jb_begin_object(&st, NULL);
	dynpg_jb_string(&st, "TableName", r->table_name);
	dynpg_jb_begin_array(&st, "KeySchema");
	for (i = 0; i < r->nkeys; i++)
	{
		dynpg_jb_begin_object(&st, NULL);
		dynpg_jb_string(&st, "AttributeName", r->keys[i].name);
		dynpg_jb_string(&st, "KeyType", r->keys[i].type);
		dynpg_jb_end_object(&st);
	}
	dynpg_jb_end_array(&st);
	/*
	 * The key attributes' definitions: the table's in the key schema's
	 * order, then the indexes' in the request's order (every definition is
	 * some key's by now).
	 */
	dynpg_jb_begin_array(&st, "AttributeDefinitions");
	for (i = 0; i < r->nkeys; i++)
		for (j = 0; j < r->ndefs; j++)
			if (strcmp(r->keys[i].name, r->defs[j].name) == 0)
				push_attribute_definition(&st, &r->defs[j]);
	for (j = 0; j < r->ndefs; j++)
		if (strcmp(r->defs[j].name, r->keys[0].name) != 0 &&
			(r->nkeys < 2 || strcmp(r->defs[j].name, r->keys[1].name) != 0))
			push_attribute_definition(&st, &r->defs[j]);
	dynpg_jb_end_array(&st);
	dynpg_jb_string(&st, "BillingMode", pay_per_request ? "PAY_PER_REQUEST" : "PROVISIONED");
	if (!pay_per_request)
		dynpg_api_push_throughput(&st, r->pt.rcu, r->pt.wcu);
	dynpg_api_indexes_push_definition(&st, &r->ix, pay_per_request);
	dynpg_api_settings_push_create(&st, &r->settings, pay_per_request);
	dynpg_api_tags_push_definition(&st, &r->tags);
	dynpg_jb_string(&st, "TableId", random_uuid());
	dynpg_jb_numeric_text(&st, "CreationDateTime", dynpg_api_epoch_seconds_now());
	dynpg_jb_int64(&st, "DefinitionVersion", DYN_DEFINITION_VERSION);
	return dynpg_jb_finish(dynpg_jb_end_object(&st));
}

/*
 * Serialize CreateTable per name until commit, so that of two concurrent
 * CreateTables of one name the second sees the first's relation and
 * answers ResourceInUseException rather than a unique violation.
 */
static void
lock_table_name(const char *table_name)
{
	LOCKTAG		tag;
	uint64		h = dynpg_hash64((const uint8 *) table_name, strlen(table_name), 0);

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) (h >> 32), (uint32) h,
						 DYN_CREATE_LOCK_FIELD4);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
	/* see the catalog as the previous holder committed it */
	AcceptInvalidationMessages();
}

DynJson *
dynpg_api_create_table(DynJson *request)
{
	DynRequest	req;
	CreateRequest r;
	Oid			nsp;
	AclResult	aclresult;
	char	   *relname;
	Jsonb	   *def;
	char	   *sql;
	int			ret;
	JsonbParseState *st = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "CreateTable", request);

	/* phase 1: read every member with its type */
	memset(&r, 0, sizeof(r));
	r.table_name = dynpg_req_string(req.root, "TableName");
	r.definitions_list = dynpg_req_list(req.root, "AttributeDefinitions");
	r.defs = dynpg_api_read_named_types(r.definitions_list, "AttributeType", &r.ndefs);
	r.key_schema_list = dynpg_req_list(req.root, "KeySchema");
	r.keys = dynpg_api_read_named_types(r.key_schema_list, "KeyType", &r.nkeys);
	r.billing_mode = dynpg_req_string(req.root, "BillingMode");
	dynpg_api_read_throughput(req.root, "ProvisionedThroughput", &r.pt);
	dynpg_api_indexes_read(req.root, &r.ix);
	dynpg_api_settings_read(req.root, &r.settings);
	dynpg_api_tags_read(req.root, &r.tags);
	dynpg_api_stream_read(req.root, &r.stream);

	/* phase 2: constraints; phase 3: CreateTable's rules */
	dynpg_req_required_table_name(r.table_name);
	create_check_constraints(&req, &r);
	create_check_rules(req.root, &r);

	/* the table */
	nsp = get_namespace_oid(DYNPG_TABLE_SCHEMA, false);
	aclresult = pg_namespace_aclcheck(nsp, GetUserId(), ACL_CREATE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_SCHEMA, DYNPG_TABLE_SCHEMA);
	relname = dynpg_table_relname(r.table_name);
	lock_table_name(r.table_name);
	if (OidIsValid(get_relname_relid(relname, nsp)))
		dynpg_raise(DYN_ERR_RESOURCE_IN_USE, "Table already exists: %s", r.table_name);

	def = dynpg_api_stream_define(build_definition(&r), &r.stream);
	sql = psprintf("CREATE TABLE %s.%s (item dynpg.item NOT NULL, "
				   "CONSTRAINT %s CHECK (dynpg.conforms(item, %s::pg_catalog.jsonb))) "
				   "USING dynpg",
				   quote_identifier(DYNPG_TABLE_SCHEMA), quote_identifier(relname),
				   quote_identifier(DYNPG_TABLE_CONSTRAINT),
				   quote_literal_cstr(JsonbToCString(NULL, &def->root, VARSIZE(def))));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
	ret = SPI_execute(sql, false, 0);
	if (ret != SPI_OK_UTILITY)
		elog(ERROR, "dynpg: CREATE TABLE returned %s", SPI_result_code_string(ret));
	SPI_finish();
	dynpg_api_stream_register(get_relname_relid(relname, nsp), def);

	dynpg_jb_begin_object(&st, NULL);
	dynpg_api_push_description(&st, "TableDescription", r.table_name, def, 0, 0, DESCRIBE_CREATED, NULL);
	return dynpg_response_from_jsonb(dynpg_jb_finish(dynpg_jb_end_object(&st)));
}

/* ---------------------------------------------------------------------
 * DeleteTable, DescribeTable
 * ---------------------------------------------------------------------
 */

DynJson *
dynpg_api_delete_table(DynJson *request)
{
	DynRequest	req;
	char	   *name;
	Relation	rel;
	Jsonb	   *def;
	int64		count;
	int64		bytes;
	Jsonb	   *result;
	JsonbParseState *st = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "DeleteTable", request);
	name = dynpg_api_control_plane_table_name(&req);
	dynpg_req_finish(&req);

	/* ownership first, so that no one else can hold the lock below */
	rel = dynpg_api_open_owned_table(name, AccessExclusiveLock, &def);
	if (dynpg_api_deletion_protected(def))
		dynpg_validation_error("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");

	/* the description reports the table as it was when deleted */
	dynpg_api_table_stats(rel, &count, &bytes);
	dynpg_jb_begin_object(&st, NULL);
	dynpg_api_push_description(&st, "TableDescription", name, def, count, bytes, DESCRIBE_DELETED, NULL);
	result = dynpg_jb_finish(dynpg_jb_end_object(&st));

	dynpg_api_drop_table(rel, def);
	return dynpg_response_from_jsonb(result);
}

/*
 * Drop table 'rel' (held with AccessExclusiveLock; closed here) whose
 * definition is 'def': DeleteTable's end, and an import that failed or was
 * cancelled (import_ops.c).
 */
void
dynpg_api_drop_table(Relation rel, Jsonb *def)
{
	Oid			relid = RelationGetRelid(rel);
	char	   *relname;
	int			ret;

	/* a backfill's progress (index_update.c) goes with the table; its stream closes */
	dynpg_index_forget_builds(relid, NULL);
	dynpg_api_stream_table_deleted(def);

	/* DROP TABLE as the caller (event triggers, dependency checks) */
	relname = pstrdup(RelationGetRelationName(rel));
	table_close(rel, NoLock);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
	ret = SPI_execute(psprintf("DROP TABLE %s.%s", quote_identifier(DYNPG_TABLE_SCHEMA),
							   quote_identifier(relname)),
					  false, 0);
	if (ret != SPI_OK_UTILITY)
		elog(ERROR, "dynpg: DROP TABLE returned %s", SPI_result_code_string(ret));
	SPI_finish();
}

DynJson *
dynpg_api_describe_table(DynJson *request)
{
	DynRequest	req;
	char	   *name;
	Relation	rel;
	Jsonb	   *def;
	int64		count;
	int64		bytes;
	JsonbParseState *st = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "DescribeTable", request);
	name = dynpg_api_control_plane_table_name(&req);
	dynpg_req_finish(&req);

	rel = dynpg_api_open_table(name, AccessShareLock, &def);
	dynpg_api_table_stats(rel, &count, &bytes);

	dynpg_jb_begin_object(&st, NULL);
	dynpg_api_push_description(&st, "Table", name, def, count, bytes, DESCRIBE_TABLE, rel);
	table_close(rel, NoLock);
	return dynpg_response_from_jsonb(dynpg_jb_finish(dynpg_jb_end_object(&st)));
}

/* ---------------------------------------------------------------------
 * ListTables
 * ---------------------------------------------------------------------
 */

DynJson *
dynpg_api_list_tables(DynJson *request)
{
	DynRequest	req;
	int64		limit = DYN_LIST_TABLES_DEFAULT_LIMIT;
	bool		has_limit;
	char	   *start;
	MemoryContext caller = CurrentMemoryContext;
	Oid			argtypes[2] = {TEXTOID, INT8OID};
	Datum		args[2];
	char		nulls[2] = {' ', ' '};
	char	  **names;
	int			n;
	int			i;
	int			ret;
	JsonbParseState *st = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "ListTables", request);
	has_limit = dynpg_req_long(req.root, "Limit", true, &limit);
	start = dynpg_req_string(req.root, "ExclusiveStartTableName");
	if (has_limit)
		dynpg_req_range(&req, limit, "Limit", 1, DYN_LIST_TABLES_MAX_LIMIT);
	if (start != NULL)
		dynpg_req_table_name(&req, start, "ExclusiveStartTableName", DYN_TABLE_NAME_MIN, false);
	dynpg_req_finish(&req);
	if (!has_limit)
		limit = DYN_LIST_TABLES_DEFAULT_LIMIT;

	/* one name more than asked, to know whether the page is the last */
	args[0] = start ? CStringGetTextDatum(start) : (Datum) 0;
	nulls[0] = start ? ' ' : 'n';
	args[1] = Int64GetDatum(limit + 1);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
	ret = SPI_execute_with_args("SELECT table_name FROM dynpg.tables "
								"WHERE $1 IS NULL OR table_name COLLATE \"C\" OPERATOR(pg_catalog.>) $1 "
								"ORDER BY table_name COLLATE \"C\" LIMIT $2",
								2, argtypes, args, nulls, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "dynpg: listing tables returned %s", SPI_result_code_string(ret));
	n = (int) SPI_processed;
	names = MemoryContextAlloc(caller, sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		char	   *s = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		names[i] = MemoryContextStrdup(caller, s);
	}
	SPI_finish();

	dynpg_jb_begin_object(&st, NULL);
	dynpg_jb_begin_array(&st, "TableNames");
	for (i = 0; i < n && i < limit; i++)
		dynpg_jb_string(&st, NULL, names[i]);
	dynpg_jb_end_array(&st);
	if (n > limit)
		dynpg_jb_string(&st, "LastEvaluatedTableName", names[limit - 1]);
	return dynpg_response_from_jsonb(dynpg_jb_finish(dynpg_jb_end_object(&st)));
}
