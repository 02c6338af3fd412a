/*-------------------------------------------------------------------------
 *
 * table_update.c
 *	  UpdateTable: a GSI created or deleted, GSI capacity, the billing mode
 *	  and the table's capacity (src/index/README, "UpdateTable").
 *
 * The request is checked in DynamoDB's phases (base/dynpg_request.h):
 * members and their JSON types; constraints (attributeDefinitions,
 * tableName, billingMode, provisionedThroughput,
 * globalSecondaryIndexUpdates, in the model's order); then the rules that
 * need no table (an empty update, unsupported members, the shape of each
 * GlobalSecondaryIndexUpdate); then, with the table held in
 * AccessExclusiveLock, the rules that need it.
 *
 * The change is one new definition, written in place of the old one in
 * the table's CHECK constraint (dynpg_table_set_definition) in the
 * caller's transaction.  A created GSI gets the lowest keyspace from 6 no
 * index uses; on a table with items it is stored as "IndexStatus":
 * "CREATING" and backfilled afterwards (indexer/index_backfill.c), on an empty table
 * it is ACTIVE at once (UpdateTable's response still says CREATING, as
 * DynamoDB's does).  A deleted GSI's entries are deleted in this
 * transaction (they are MVCC versions: gone at commit), so its keyspace
 * can be reused at once; the response shows it as DELETING, which in
 * DynamoDB lasts a while and in dynpg ends at commit.
 *
 * Privilege: the table's owner only (as DeleteTable).  Lock:
 * AccessExclusiveLock on the table until commit; readers and writers wait,
 * which is short except for the deletion of a large index's entries.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "api/dynpg_api.h"
#include "api/dynpg_table_indexes.h"
#include "api/dynpg_table_ops.h"
#include "api/dynpg_table_settings.h"
#include "api/dynpg_stream_ops.h"
#include "api/dynpg_wire.h"
#include "catalog/dynpg_catalog.h"
#include "base/dynpg_preload.h"
#include "base/dynpg_error.h"
#include "am/dynpg_changelog.h"
#include "index/dynpg_index.h"
#include "indexer/dynpg_indexer.h"

/* One element of GlobalSecondaryIndexUpdates. */
typedef struct GsiUpdate
{
	bool		present;		/* false: a null element */
	int			nactions;		/* of Update, Create, Delete */
	/* Update */
	bool		is_update;
	char	   *update_name;
	DynThroughput update_pt;	/* its ProvisionedThroughput */
	bool		update_has_on_demand;
	bool		update_has_warm;
	/* Create */
	bool		is_create;
	DynIndexRequest create;
	/* Delete */
	bool		is_delete;
	char	   *delete_name;
} GsiUpdate;

typedef struct UpdateRequest
{
	char	   *table_name;
	DynJson    *definitions_list;
	int			ndefs;
	DynNamedType *defs;
	char	   *billing_mode;
	DynThroughput pt;			/* ProvisionedThroughput */
	DynJson    *updates_list;
	int			nupdates;
	GsiUpdate  *updates;
	DynTableSettings settings;	/* SSESpecification, TableClass, DeletionProtectionEnabled,
								 * OnDemandThroughput, WarmThroughput */
	DynStreamRequest stream;	/* StreamSpecification */
} UpdateRequest;

/* What the request changes, decided against the table's definition. */
typedef struct UpdatePlan
{
	bool		was_ppr;		/* the table's billing mode before and after */
	bool		ppr;
	bool		set_table_throughput;
	int64		rcu;
	int64		wcu;
	const GsiUpdate *create;	/* the created GSI, or NULL */
	int			create_keyspace;
	bool		create_backfill;	/* the table has items: CREATING */
	char	   *delete_name;	/* the deleted GSI, or NULL */
	int			delete_keyspace;
} UpdatePlan;

/* ---------------------------------------------------------------------
 * Phase 1 and 2
 * ---------------------------------------------------------------------
 */

static void
read_request(DynJson *root, UpdateRequest *r)
{
	int			i;

	memset(r, 0, sizeof(*r));
	r->table_name = dynpg_req_string(root, "TableName");
	r->definitions_list = dynpg_req_list(root, "AttributeDefinitions");
	r->defs = dynpg_api_read_named_types(r->definitions_list, "AttributeType", &r->ndefs);
	r->billing_mode = dynpg_req_string(root, "BillingMode");
	dynpg_api_read_throughput(root, "ProvisionedThroughput", &r->pt);
	dynpg_api_settings_read(root, &r->settings);
	dynpg_api_stream_read(root, &r->stream);
	r->updates_list = dynpg_req_list(root, "GlobalSecondaryIndexUpdates");
	r->nupdates = dynpg_req_list_length(r->updates_list);
	r->updates = palloc0(sizeof(GsiUpdate) * Max(r->nupdates, 1));
	for (i = 0; i < r->nupdates; i++)
	{
		DynJson    *s = dynpg_req_list_struct(r->updates_list, i);
		GsiUpdate  *u = &r->updates[i];
		DynJson    *c;

		if (s == NULL)
			continue;
		u->present = true;
		c = dynpg_req_struct(s, "Update");
		if (c != NULL)
		{
			u->is_update = true;
			u->nactions++;
			u->update_name = dynpg_req_string(c, "IndexName");
			dynpg_api_read_throughput(c, "ProvisionedThroughput", &u->update_pt);
			(void) dynpg_req_struct(c, "OnDemandThroughput");
			u->update_has_on_demand = dynpg_req_member(c, "OnDemandThroughput") != NULL;
			(void) dynpg_req_struct(c, "WarmThroughput");
			u->update_has_warm = dynpg_req_member(c, "WarmThroughput") != NULL;
		}
		c = dynpg_req_struct(s, "Create");
		if (c != NULL)
		{
			u->is_create = true;
			u->nactions++;
			dynpg_api_index_read(c, true, &u->create);
		}
		c = dynpg_req_struct(s, "Delete");
		if (c != NULL)
		{
			u->is_delete = true;
			u->nactions++;
			u->delete_name = dynpg_req_string(c, "IndexName");
		}
	}
}

static void
check_constraints(DynRequest *req, UpdateRequest *r)
{
	int			i;

	dynpg_api_definitions_constraints(req, r->defs, r->ndefs);
	dynpg_req_table_name_or_arn(req, r->table_name, "TableName", DYN_TABLE_NAME_MIN, true);
	dynpg_req_enum(req, r->billing_mode, "BillingMode", dynpg_api_billing_modes);
	dynpg_api_throughput_constraints(req, "ProvisionedThroughput", &r->pt);
	for (i = 0; i < r->nupdates; i++)
	{
		GsiUpdate  *u = &r->updates[i];
		char	   *path = psprintf("GlobalSecondaryIndexUpdates.%d.member", i + 1);

		if (!u->present)
		{
			dynpg_req_not_null(req, false, path);
			continue;
		}
		if (u->is_update)
		{
			char	   *upath = psprintf("%s.Update", path);

			dynpg_req_table_name(req, u->update_name, psprintf("%s.IndexName", upath), 3, false);
			dynpg_req_not_null(req, u->update_pt.obj != NULL,
							   psprintf("%s.ProvisionedThroughput", upath));
			dynpg_api_throughput_constraints(req, psprintf("%s.ProvisionedThroughput", upath),
											 &u->update_pt);
		}
		if (u->is_create)
			dynpg_api_index_constraints(req, psprintf("%s.Create", path), &u->create, true);
		if (u->is_delete)
			dynpg_req_table_name(req, u->delete_name, psprintf("%s.Delete.IndexName", path),
								 3, false);
	}
	dynpg_api_settings_constraints(req, &r->settings);
	dynpg_api_stream_constraints(req, &r->stream);
	dynpg_req_finish(req);
}

/* ---------------------------------------------------------------------
 * Phase 3: rules that need no table
 * ---------------------------------------------------------------------
 */

/* UpdateTable members dynpg does not implement; those that ask for nothing pass. */
static void
check_unsupported(DynJson *root, const UpdateRequest *r)
{
	static const char *const always[] = {
		"ReplicaUpdates", "MultiRegionConsistency", "GlobalTableWitnessUpdates", NULL
	};
	int			i;

	dynpg_req_unsupported(root, always);
	for (i = 0; i < r->nupdates; i++)
	{
		const GsiUpdate *u = &r->updates[i];

		if (u->update_has_on_demand || (u->is_create && u->create.has_on_demand))
			dynpg_req_not_supported("GlobalSecondaryIndexUpdates.OnDemandThroughput");
		if (u->update_has_warm || (u->is_create && u->create.has_warm))
			dynpg_req_not_supported("GlobalSecondaryIndexUpdates.WarmThroughput");
	}
}

/* Whether the request asks for anything at all. */
static bool
request_is_empty(DynJson *root, const UpdateRequest *r)
{
	static const char *const others[] = {
		"StreamSpecification", "SSESpecification", "ReplicaUpdates", "TableClass",
		"DeletionProtectionEnabled", "OnDemandThroughput", "WarmThroughput",
		"MultiRegionConsistency", "GlobalTableWitnessUpdates", NULL
	};
	int			i;

	if (r->pt.obj != NULL || r->billing_mode != NULL || r->nupdates > 0)
		return false;
	for (i = 0; others[i] != NULL; i++)
		if (dynpg_req_member(root, others[i]) != NULL)
			return false;
	return true;
}

static const char *
update_index_name(const GsiUpdate *u)
{
	if (u->is_update)
		return u->update_name;
	if (u->is_create)
		return u->create.index_name;
	return u->delete_name;
}

static void
check_rules(DynJson *root, UpdateRequest *r)
{
	int			i;
	int			j;

	/* DynamoDB's text (a live probe of 2026; the list names every member UpdateTable may change) */
	if (request_is_empty(root, r))
		dynpg_validation_error("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required");
	check_unsupported(root, r);
	/* WarmThroughput with an index Create: its own message, before "the only operation" */
	if (r->settings.warm != NULL)
		for (i = 0; i < r->nupdates; i++)
			if (r->updates[i].is_create)
				dynpg_req_invalid_parameter("Create global secondary index cannot be specified when updating WarmThroughput");
	dynpg_api_settings_update_rules(&r->settings, r->billing_mode != NULL,
									r->pt.obj != NULL || r->nupdates > 0 ||
									dynpg_req_member(root, "StreamSpecification") != NULL);
	{
		bool		index_changes = false;

		for (i = 0; i < r->nupdates; i++)
			if (r->updates[i].is_create || r->updates[i].is_delete)
				index_changes = true;
		dynpg_api_stream_update_rules(&r->stream, index_changes, r->pt.obj != NULL);
	}
	dynpg_api_check_pay_per_request(r->billing_mode, &r->pt);
	dynpg_api_throughput_bounds(&r->pt, NULL);
	dynpg_api_check_duplicate_definitions(r->defs, r->ndefs);
	for (i = 0; i < r->nupdates; i++)
	{
		GsiUpdate  *u = &r->updates[i];

		if (u->nactions == 0)
			dynpg_req_invalid_parameter("One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null");
		if (u->nactions > 1)
			dynpg_req_invalid_parameter("Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object");
		for (j = 0; j < i; j++)
			if (strcmp(update_index_name(u), update_index_name(&r->updates[j])) == 0)
				dynpg_req_invalid_parameter("Only one global secondary index update per index is allowed simultaneously. Index: %s",
											update_index_name(u));
		if (u->is_update && (u->update_pt.rcu > DYN_MAX_CAPACITY_UNITS ||
							 u->update_pt.wcu > DYN_MAX_CAPACITY_UNITS))
			dynpg_validation_error("This operation cannot be performed with given input values. Please contact DynamoDB service team for more info: Action Blocked: IndexUpdate");
	}
}

/* ---------------------------------------------------------------------
 * Phase 3: rules against the table, and the plan
 * ---------------------------------------------------------------------
 */

static bool
definition_is_ppr(Jsonb *def)
{
	JsonbValue	v;

	return getKeyJsonValueFromContainer(&def->root, "BillingMode", 11, &v) != NULL &&
		v.type == jbvString && v.val.string.len == 15 &&
		memcmp(v.val.string.val, "PAY_PER_REQUEST", 15) == 0;
}

/* The table's provisioned capacity in the definition (false if none). */
static bool
definition_throughput(Jsonb *def, int64 *rcu, int64 *wcu)
{
	JsonbValue	pt;
	JsonbValue	v;

	*rcu = *wcu = 0;
	if (getKeyJsonValueFromContainer(&def->root, "ProvisionedThroughput", 21, &pt) == NULL ||
		pt.type != jbvBinary)
		return false;
	if (getKeyJsonValueFromContainer(pt.val.binary.data, "ReadCapacityUnits", 17, &v) != NULL &&
		v.type == jbvNumeric)
		*rcu = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(v.val.numeric)));
	if (getKeyJsonValueFromContainer(pt.val.binary.data, "WriteCapacityUnits", 18, &v) != NULL &&
		v.type == jbvNumeric)
		*wcu = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(v.val.numeric)));
	return true;
}

static char
type_letter(DynType t)
{
	return t == DYN_T_S ? 'S' : t == DYN_T_N ? 'N' : 'B';
}

/* The type and key role an existing key schema gives attribute 'name' (false if none). */
static bool
existing_key(const DynTableDef *def, const char *name, DynType *type, const char **role)
{
	int			i;

	if (strcmp(def->key.pk_name, name) == 0)
	{
		*type = def->key.pk_type;
		*role = "HASH";
		return true;
	}
	if (def->key.sk_name != NULL && strcmp(def->key.sk_name, name) == 0)
	{
		*type = def->key.sk_type;
		*role = "RANGE";
		return true;
	}
	for (i = 0; i < def->nindexes; i++)
	{
		const DynIndexDef *ix = &def->indexes[i];
		int			k;

		for (k = 0; k < ix->parts.nhash + ix->parts.nrange; k++)
		{
			const DynKeyPart *kp = k < ix->parts.nhash ? &ix->parts.hash[k] :
				&ix->parts.range[k - ix->parts.nhash];

			if (strcmp(kp->name, name) == 0)
			{
				*type = kp->type;
				*role = k < ix->parts.nhash ? "HASH" : "RANGE";
				return true;
			}
		}
	}
	return false;
}

static const char *
request_type(const UpdateRequest *r, const char *name)
{
	int			i;

	for (i = 0; i < r->ndefs; i++)
		if (strcmp(r->defs[i].name, name) == 0)
			return r->defs[i].type;
	return NULL;
}

static void
subscriber_limit(void) pg_attribute_noreturn();

static void
subscriber_limit(void)
{
	dynpg_raise(DYN_ERR_LIMIT_EXCEEDED,
				"Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
	pg_unreachable();
}

/* The rules of a Create against the table, and its keyspace. */
static void
plan_create(const UpdateRequest *r, const GsiUpdate *u, const DynTableDef *def, bool ppr,
			UpdatePlan *p)
{
	const DynIndexRequest *ix = &u->create;
	bool		used[256];
	int			ngsi = 0;
	int			nonkey = ix->nnonkey;
	int			i;

	/* the name first: it beats the schema checks (a 2026 live probe) */
	if (dynpg_table_index(def, ix->index_name) != NULL)
		dynpg_validation_error("Attempting to create an index which already exists");
	if (r->definitions_list == NULL)
		dynpg_req_invalid_parameter("AttributeDefinitions is not specified for index: %s",
									ix->index_name);
	dynpg_api_index_check_new_gsi(ix, r->defs, r->ndefs, ppr);
	for (i = 0; i < ix->nkeys; i++)
	{
		const char *name = ix->keys[i].name;
		const char *newtype = request_type(r, name);
		DynType		oldtype;
		const char *oldrole;

		if (existing_key(def, name, &oldtype, &oldrole) &&
			(newtype == NULL || newtype[0] != type_letter(oldtype) || newtype[1] != '\0'))
			dynpg_req_invalid_parameter("Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. Existing schema: Schema:[SchemaElement: key{%s:%c:%s}] New schema: Schema:[SchemaElement: key{%s:%s:%s}]",
										name, type_letter(oldtype), oldrole, name, newtype, ix->keys[i].type);
	}
	memset(used, 0, sizeof(used));
	for (i = 0; i < def->nindexes; i++)
	{
		used[def->indexes[i].keyspace] = true;
		nonkey += def->indexes[i].nnonkey;
		if (def->indexes[i].kind == DYN_INDEX_GLOBAL)
			ngsi++;
	}
	if (ngsi >= DYN_MAX_GLOBAL_INDEXES)
		dynpg_raise(DYN_ERR_LIMIT_EXCEEDED,
					"GlobalSecondaryIndex count exceeds the per-table limit of %d",
					DYN_MAX_GLOBAL_INDEXES);
	dynpg_api_check_projected_count(nonkey);
	for (i = DYN_KEYSPACE_FIRST_GSI; i <= DYN_KEYSPACE_LAST_GSI && used[i]; i++)
		;
	if (i > DYN_KEYSPACE_LAST_GSI)
		elog(ERROR, "dynpg: table \"%s\" has no free index keyspace", def->table_name);
	p->create = u;
	p->create_keyspace = i;
}

static void
index_not_found(const char *index_name, const char *table_name) pg_attribute_noreturn();

static void
index_not_found(const char *index_name, const char *table_name)
{
	dynpg_raise(DYN_ERR_RESOURCE_NOT_FOUND,
				"Requested resource not found: Index %s for table %s", index_name, table_name);
	pg_unreachable();
}

static void
plan(const UpdateRequest *r, Jsonb *stored, const DynTableDef *def, UpdatePlan *p)
{
	int64		cur_rcu;
	int64		cur_wcu;
	bool		building = false;
	int			nstructural = 0;
	int			i;
	int			j;

	memset(p, 0, sizeof(*p));
	p->was_ppr = definition_is_ppr(stored);
	p->ppr = r->billing_mode != NULL ? strcmp(r->billing_mode, "PAY_PER_REQUEST") == 0 : p->was_ppr;

	/* the table's billing mode and capacity */
	if (p->ppr && r->pt.obj != NULL)
		dynpg_req_invalid_parameter("ProvisionedThroughput cannot be specified when BillingMode is PAY_PER_REQUEST");
	if (!p->ppr && p->was_ppr && r->pt.obj == NULL)
		dynpg_req_invalid_parameter("ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
	if (!p->ppr && r->pt.obj != NULL)
	{
		if (!p->was_ppr && definition_throughput(stored, &cur_rcu, &cur_wcu) &&
			cur_rcu == r->pt.rcu && cur_wcu == r->pt.wcu && r->nupdates == 0)
			dynpg_validation_error("The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: " INT64_FORMAT ". Requested ReadCapacityUnits: " INT64_FORMAT ". Current WriteCapacityUnits provisioned for the table: " INT64_FORMAT ". Requested WriteCapacityUnits: " INT64_FORMAT ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
								   cur_rcu, r->pt.rcu, cur_wcu, r->pt.wcu);
		p->set_table_throughput = true;
		p->rcu = r->pt.rcu;
		p->wcu = r->pt.wcu;
	}

	/* the index updates: one Create or Delete, while no index is being built */
	for (i = 0; i < def->nindexes; i++)
		if (def->indexes[i].creating)
			building = true;
	for (i = 0; i < r->nupdates; i++)
		if (r->updates[i].is_create || r->updates[i].is_delete)
			nstructural++;
	if (nstructural > 1 || (nstructural > 0 && building))
		subscriber_limit();
	for (i = 0; i < r->nupdates; i++)
	{
		const GsiUpdate *u = &r->updates[i];
		const DynIndexDef *ix;

		if (u->is_create)
			plan_create(r, u, def, p->ppr, p);
		else if (u->is_delete)
		{
			ix = dynpg_table_index(def, u->delete_name);
			if (ix == NULL)
				index_not_found(u->delete_name, def->table_name);
			if (ix->kind != DYN_INDEX_GLOBAL)
				dynpg_validation_error("Cannot delete an index that is not a GlobalSecondaryIndex: %s",
									   u->delete_name);
			p->delete_name = pstrdup(ix->index_name);
			p->delete_keyspace = ix->keyspace;
		}
		else
		{
			ix = dynpg_table_index(def, u->update_name);
			if (ix == NULL)
				index_not_found(u->update_name, def->table_name);
			if (ix->kind != DYN_INDEX_GLOBAL)
				dynpg_validation_error("Cannot update an index that is not a GlobalSecondaryIndex: %s",
									   u->update_name);
			if (p->ppr)
				dynpg_req_invalid_parameter("The only Updates for index: %s when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput",
											u->update_name);
		}
	}

	/* to PROVISIONED: every GSI that stays needs its capacity */
	if (!p->ppr && p->was_ppr)
	{
		for (i = 0; i < def->nindexes; i++)
		{
			const DynIndexDef *ix = &def->indexes[i];
			bool		given = false;

			if (ix->kind != DYN_INDEX_GLOBAL ||
				(p->delete_name != NULL && strcmp(p->delete_name, ix->index_name) == 0))
				continue;
			for (j = 0; j < r->nupdates; j++)
				if (r->updates[j].is_update && strcmp(r->updates[j].update_name, ix->index_name) == 0)
					given = true;
			if (!given)
				dynpg_req_invalid_parameter("ProvisionedThroughput must be specified for index: %s",
											ix->index_name);
		}
	}
}

/* ---------------------------------------------------------------------
 * The new definition
 * ---------------------------------------------------------------------
 */

static bool
name_in(const char *name, const char *const *names, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* Push the members of object 'obj' except those named (the object stays open). */
static void
push_members_except(JsonbParseState **st, JsonbContainer *obj, const char *const *skip)
{
	JsonbIterator *it = JsonbIteratorInit(obj);
	JsonbIteratorToken tok;
	JsonbValue	v;
	bool		skipping = false;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			char	   *key = pnstrdup(v.val.string.val, v.val.string.len);
			int			i;

			skipping = false;
			for (i = 0; skip[i] != NULL; i++)
				if (strcmp(skip[i], key) == 0)
					skipping = true;
			if (!skipping)
				pushJsonbValue(st, WJB_KEY, &v);
		}
		else if (tok == WJB_VALUE)
		{
			if (!skipping)
				pushJsonbValue(st, WJB_VALUE, &v);
			skipping = false;
		}
	}
}

/*
 * The definition after the update.  'response': the form UpdateTable's
 * response describes, with the deleted GSI still there as DELETING and
 * the created one as CREATING.
 */
static Jsonb *
build_definition(Jsonb *stored, const DynTableDef *def, const UpdateRequest *r,
				 const UpdatePlan *p, bool response)
{
	static const char *const replaced[] = {
		"AttributeDefinitions", "BillingMode", "ProvisionedThroughput",
		"GlobalSecondaryIndexes", "LastUpdateToPayPerRequestDateTime", NULL
	};
	static const char *const index_replaced[] = {"ProvisionedThroughput", NULL};
	static const char *const deleted_replaced[] = {"ProvisionedThroughput", "IndexStatus", NULL};
	JsonbParseState *st = NULL;
	JsonbValue	list;
	JsonbValue	v;
	const char **used = palloc0(sizeof(char *) * (2 + 2 * DYN_MAX_KEY_PARTS * (def->nindexes + 1)));
	int			nused = 0;
	int			i;
	int			j;

	/* the key attributes that remain in use, for AttributeDefinitions */
	used[nused++] = def->key.pk_name;
	used[nused++] = def->key.sk_name;
	for (i = 0; i < def->nindexes; i++)
	{
		if (p->delete_name != NULL && strcmp(def->indexes[i].index_name, p->delete_name) == 0)
			continue;
		for (j = 0; j < def->indexes[i].parts.nhash; j++)
			used[nused++] = def->indexes[i].parts.hash[j].name;
		for (j = 0; j < def->indexes[i].parts.nrange; j++)
			used[nused++] = def->indexes[i].parts.range[j].name;
	}
	if (p->create != NULL)
		for (i = 0; i < p->create->create.nkeys; i++)
			used[nused++] = p->create->create.keys[i].name;

	dynpg_jb_begin_object(&st, NULL);
	push_members_except(&st, &stored->root, replaced);

	/* AttributeDefinitions: the old ones still used, then the new index's new ones */
	dynpg_jb_begin_array(&st, "AttributeDefinitions");
	if (getKeyJsonValueFromContainer(&stored->root, "AttributeDefinitions", 20, &list) != NULL &&
		list.type == jbvBinary && JsonContainerIsArray(list.val.binary.data))
	{
		int			n = JsonContainerSize(list.val.binary.data);

		for (i = 0; i < n; i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(list.val.binary.data, i);
			JsonbValue	name;

			if (e == NULL || e->type != jbvBinary || !JsonContainerIsObject(e->val.binary.data) ||
				getKeyJsonValueFromContainer(e->val.binary.data, "AttributeName", 13, &name) == NULL ||
				name.type != jbvString)
				continue;
			if (!name_in(pnstrdup(name.val.string.val, name.val.string.len), used, nused))
				continue;
			pushJsonbValue(&st, WJB_ELEM, e);
		}
	}
	if (p->create != NULL)
	{
		const DynIndexRequest *ix = &p->create->create;

		for (i = 0; i < ix->nkeys; i++)
		{
			DynType		t;
			const char *role;

			if (existing_key(def, ix->keys[i].name, &t, &role))
				continue;
			dynpg_jb_begin_object(&st, NULL);
			dynpg_jb_string(&st, "AttributeName", ix->keys[i].name);
			dynpg_jb_string(&st, "AttributeType", request_type(r, ix->keys[i].name));
			dynpg_jb_end_object(&st);
		}
	}
	dynpg_jb_end_array(&st);

	/* the billing mode and the table's capacity */
	dynpg_jb_string(&st, "BillingMode", p->ppr ? "PAY_PER_REQUEST" : "PROVISIONED");
	if (!p->ppr)
	{
		if (p->set_table_throughput)
			dynpg_api_push_throughput(&st, p->rcu, p->wcu);
		else if (getKeyJsonValueFromContainer(&stored->root, "ProvisionedThroughput", 21, &v) != NULL)
		{
			dynpg_jb_key(&st, "ProvisionedThroughput");
			pushJsonbValue(&st, WJB_VALUE, &v);
		}
	}
	if (p->ppr && !p->was_ppr)
		dynpg_jb_numeric_text(&st, "LastUpdateToPayPerRequestDateTime",
							  dynpg_api_epoch_seconds_now());
	else if (p->ppr &&
			 getKeyJsonValueFromContainer(&stored->root, "LastUpdateToPayPerRequestDateTime", 33, &v) != NULL)
	{
		dynpg_jb_key(&st, "LastUpdateToPayPerRequestDateTime");
		pushJsonbValue(&st, WJB_VALUE, &v);
	}

	/* GlobalSecondaryIndexes: the old ones (updated), then the new one */
	dynpg_jb_begin_array(&st, "GlobalSecondaryIndexes");
	if (getKeyJsonValueFromContainer(&stored->root, "GlobalSecondaryIndexes", 22, &list) != NULL &&
		list.type == jbvBinary && JsonContainerIsArray(list.val.binary.data))
	{
		int			n = JsonContainerSize(list.val.binary.data);

		for (i = 0; i < n; i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(list.val.binary.data, i);
			JsonbValue	name;
			JsonbValue	pt;
			char	   *index_name;
			const GsiUpdate *upd = NULL;
			bool		deleted;

			if (e == NULL || e->type != jbvBinary || !JsonContainerIsObject(e->val.binary.data) ||
				getKeyJsonValueFromContainer(e->val.binary.data, "IndexName", 9, &name) == NULL ||
				name.type != jbvString)
				continue;		/* catalog.c refuses such definitions */
			index_name = pnstrdup(name.val.string.val, name.val.string.len);
			deleted = p->delete_name != NULL && strcmp(p->delete_name, index_name) == 0;
			if (deleted && !response)
				continue;
			for (j = 0; j < r->nupdates; j++)
				if (r->updates[j].is_update && strcmp(r->updates[j].update_name, index_name) == 0)
					upd = &r->updates[j];
			dynpg_jb_begin_object(&st, NULL);
			push_members_except(&st, e->val.binary.data,
								deleted ? deleted_replaced : index_replaced);
			if (deleted)
				dynpg_jb_string(&st, "IndexStatus", "DELETING");
			if (!p->ppr)
			{
				if (upd != NULL)
					dynpg_api_push_throughput(&st, upd->update_pt.rcu, upd->update_pt.wcu);
				else if (getKeyJsonValueFromContainer(e->val.binary.data, "ProvisionedThroughput", 21, &pt) != NULL)
				{
					dynpg_jb_key(&st, "ProvisionedThroughput");
					pushJsonbValue(&st, WJB_VALUE, &pt);
				}
			}
			dynpg_jb_end_object(&st);
		}
	}
	if (p->create != NULL)
	{
		const char *status = p->create_backfill || response ? "CREATING" : NULL;

		dynpg_api_index_push_definition(&st, &p->create->create, true, p->ppr,
										p->create_keyspace, status);
	}
	dynpg_jb_end_array(&st);
	return dynpg_jb_finish(dynpg_jb_end_object(&st));
}

/* Remove an empty GlobalSecondaryIndexes member (a table without GSIs has none). */
static Jsonb *
drop_empty_gsi_list(Jsonb *def)
{
	static const char *const gsis[] = {"GlobalSecondaryIndexes", NULL};
	JsonbValue	list;
	JsonbParseState *st = NULL;

	if (getKeyJsonValueFromContainer(&def->root, "GlobalSecondaryIndexes", 22, &list) == NULL ||
		list.type != jbvBinary || JsonContainerSize(list.val.binary.data) > 0)
		return def;
	dynpg_jb_begin_object(&st, NULL);
	push_members_except(&st, &def->root, gsis);
	return dynpg_jb_finish(dynpg_jb_end_object(&st));
}

/*
 * UpdateTable's response form of the created index on an empty table: it
 * is ACTIVE already, but shown as CREATING without a backfill.
 */
static Jsonb *
mark_not_backfilling(Jsonb *def, const char *index_name)
{
	JsonbParseState *st = NULL;
	JsonbValue	list;
	static const char *const gsis[] = {"GlobalSecondaryIndexes", NULL};
	int			n;
	int			i;

	if (getKeyJsonValueFromContainer(&def->root, "GlobalSecondaryIndexes", 22, &list) == NULL ||
		list.type != jbvBinary)
		return def;
	dynpg_jb_begin_object(&st, NULL);
	push_members_except(&st, &def->root, gsis);
	dynpg_jb_begin_array(&st, "GlobalSecondaryIndexes");
	n = JsonContainerSize(list.val.binary.data);
	for (i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(list.val.binary.data, i);
		JsonbValue	name;

		if (e->type == jbvBinary &&
			getKeyJsonValueFromContainer(e->val.binary.data, "IndexName", 9, &name) != NULL &&
			name.type == jbvString && name.val.string.len == (int) strlen(index_name) &&
			memcmp(name.val.string.val, index_name, name.val.string.len) == 0)
		{
			static const char *const none[] = {NULL};

			dynpg_jb_begin_object(&st, NULL);
			push_members_except(&st, e->val.binary.data, none);
			dynpg_jb_bool(&st, "Backfilling", false);
			dynpg_jb_end_object(&st);
		}
		else
			pushJsonbValue(&st, WJB_ELEM, e);
	}
	dynpg_jb_end_array(&st);
	return dynpg_jb_finish(dynpg_jb_end_object(&st));
}

/* ---------------------------------------------------------------------
 * UpdateTable
 * ---------------------------------------------------------------------
 */

DynJson *
dynpg_api_update_table(DynJson *request)
{
	DynRequest	req;
	UpdateRequest r;
	UpdatePlan	p;
	Oid			relid;
	Relation	rel;
	Jsonb	   *stored;
	Jsonb	   *newdef;
	Jsonb	   *respdef;
	const DynTableDef *def;
	int64		count;
	int64		bytes;
	JsonbParseState *st = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "UpdateTable", request);

	/* phase 1: the members; phase 2: constraints; phase 3: the rules without the table */
	read_request(req.root, &r);
	dynpg_req_required_table_name(r.table_name);
	check_constraints(&req, &r);
	check_rules(req.root, &r);

	/* the table: its owner only, then held until commit */
	rel = dynpg_api_open_owned_table(r.table_name, AccessExclusiveLock, &stored);
	relid = RelationGetRelid(rel);
	def = dynpg_table_def(rel);

	/* phase 3 against the table; nothing below reads a catalog before the writes */
	plan(&r, stored, def, &p);
	dynpg_api_settings_update_check(&r.settings, stored, p.ppr);
	dynpg_api_stream_update_check(&r.stream, stored, dynpg_table_name_of(r.table_name));
	if (p.create != NULL)
		p.create_backfill = dynpg_index_table_has_items(rel);
	def = dynpg_table_def(rel);
	newdef = dynpg_api_settings_apply(drop_empty_gsi_list(build_definition(stored, def, &r, &p, false)),
									  &r.settings, p.ppr);
	respdef = dynpg_api_settings_apply(build_definition(stored, def, &r, &p, true),
									   &r.settings, p.ppr);
	if (p.create != NULL && !p.create_backfill)
		respdef = mark_not_backfilling(respdef, p.create->create.index_name);
	/* the stream opened or closed (in dynpg.streams too), shown in the response */
	newdef = dynpg_api_stream_update_apply(newdef, &r.stream, relid);
	respdef = dynpg_api_stream_copy(respdef, newdef);

	/* the writes: the deleted index's entries, the definition, the build's position */
	if (p.delete_name != NULL)
	{
		dynpg_index_delete_entries(rel, p.delete_keyspace);
		dynpg_index_forget_builds(relid, p.delete_name);
	}
	if (p.create != NULL)
	{
		dynpg_index_forget_builds(relid, p.create->create.index_name);
		/* the database's worker starts the backfill when this commits */
		if (p.create_backfill)
			dynpg_changelog_wake_at_commit = true;
	}
	dynpg_table_set_definition(rel, newdef);
	CommandCounterIncrement();

	dynpg_api_table_stats(rel, &count, &bytes);
	table_close(rel, NoLock);

	dynpg_jb_begin_object(&st, NULL);
	dynpg_api_push_description(&st, "TableDescription", r.table_name, respdef, count, bytes,
							   DESCRIBE_UPDATED, NULL);
	return dynpg_response_from_jsonb(dynpg_jb_finish(dynpg_jb_end_object(&st)));
}
