/*-------------------------------------------------------------------------
 *
 * table_settings.c
 *	  A table's settings beside its keys and indexes: tags (TagResource,
 *	  UntagResource, ListTagsOfResource, CreateTable's Tags), time to live
 *	  (UpdateTimeToLive, DescribeTimeToLive), and DeletionProtectionEnabled,
 *	  TableClass, SSESpecification, OnDemandThroughput and WarmThroughput
 *	  of CreateTable and UpdateTable; DescribeLimits and DescribeEndpoints.
 *
 * Every setting lives in the table's definition (catalog/catalog.c), so it
 * survives pg_dump and restore with the table:
 *
 *	"Tags": [{"Key": k, "Value": v}, ...]	sorted by key (bytes), 1..50
 *	"TimeToLive": {"AttributeName": a, "Enabled": b, "LastUpdateDateTime": t}
 *	"DeletionProtectionEnabled": true		only when on
 *	"TableClass": c, "TableClassLastUpdateDateTime": t
 *	"SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": k}
 *	"OnDemandThroughput": {"MaxReadRequestUnits": n, "MaxWriteRequestUnits": n}
 *	"WarmThroughput": {"ReadUnitsPerSecond": n, "WriteUnitsPerSecond": n}
 *
 * A change takes effect when its transaction commits: TimeToLiveStatus
 * goes from DISABLED to ENABLED (and back) without DynamoDB's transient
 * ENABLING and DISABLING, WarmThroughput's Status is ACTIVE, SSE's Status
 * ENABLED.  The messages are DynamoDB's as captured from the service (see
 * src/api/README, "Table settings").
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <unistd.h>

#include "access/table.h"
#include "access/xact.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "am/dynpg_ttl.h"
#include "api/dynpg_api.h"
#include "api/dynpg_table_ops.h"
#include "api/dynpg_table_settings.h"
#include "api/dynpg_wire.h"
#include "base/dynpg_error.h"
#include "base/dynpg_preload.h"
#include "catalog/dynpg_catalog.h"
#include "index/dynpg_index.h"
#include "indexer/dynpg_indexer.h"

/* DynamoDB's tag limits (Developer Guide, "Tagging restrictions") */
#define DYN_MAX_TAGS			50
#define DYN_TAG_KEY_MAX			128
#define DYN_TAG_VALUE_MAX		256
#define DYN_RESOURCE_ARN_MAX	1024
/* ListTagsOfResource's page (dynpg's choice; DynamoDB does not document its own) */
#define DYN_TAGS_PAGE			10
/* UpdateTimeToLive: one change per table per hour (the API reference) */
#define DYN_TTL_INTERVAL_SECONDS 3600
/*
 * WarmThroughput of an on-demand table that asked for none, and the least
 * a new on-demand table may ask for (the Developer Guide's initial
 * throughput of on-demand tables, the page DynamoDB's message cites)
 */
#define DYN_WARM_READ_DEFAULT	12000
#define DYN_WARM_WRITE_DEFAULT	4000
#define DYN_ON_DEMAND_INITIAL_URL \
	"https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html#on-demand-capacity-mode-initial"
/* The key ARNs SSEDescription reports */
#define DYN_KMS_ARN_PREFIX		"arn:aws:kms:ddblocal:000000000000:"

static const char *const sse_types[] = {"AES256", "KMS", NULL};

static char *kms_key_arn(const char *key);

/* ---------------------------------------------------------------------
 * The definition's members
 * ---------------------------------------------------------------------
 */

static bool
def_member(Jsonb *def, const char *name, JsonbValue *out)
{
	return getKeyJsonValueFromContainer(&def->root, name, strlen(name), out) != NULL &&
		out->type != jbvNull;
}

/* Member 'name' of object value 'obj' (a jbvBinary), or false */
static bool
obj_member(JsonbValue *obj, const char *name, JsonbValue *out)
{
	return obj->type == jbvBinary && JsonContainerIsObject(obj->val.binary.data) &&
		getKeyJsonValueFromContainer(obj->val.binary.data, name, strlen(name), out) != NULL &&
		out->type != jbvNull;
}

static char *
value_text(JsonbValue *v)
{
	if (v->type == jbvString)
		return pnstrdup(v->val.string.val, v->val.string.len);
	if (v->type == jbvNumeric)
		return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	return NULL;
}

/*
 * A number of a definition as int64: false when not a number or out of
 * int64's range (a hand-edited definition's; ignored as a member of another
 * type is); fractions are rounded, as numeric_int8 does
 */
static bool
value_int64(JsonbValue *v, int64 *out)
{
	Numeric		n;

	if (v->type != jbvNumeric)
		return false;
	n = v->val.numeric;
	/* within int64 by a margin, so that rounding cannot overflow (numeric_int8 would raise) */
	if (numeric_is_nan(n) || numeric_is_inf(n) ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(n),
										  NumericGetDatum(int64_to_numeric(PG_INT64_MIN + 1)))) < 0 ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(n),
										  NumericGetDatum(int64_to_numeric(PG_INT64_MAX - 1)))) > 0)
		return false;
	*out = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(n)));
	return true;
}

/* Number member 'name' of object value 'obj' (false if absent, not a number or out of range) */
static bool
obj_number(JsonbValue *obj, const char *name, int64 *out)
{
	JsonbValue	v;

	return obj_member(obj, name, &v) && value_int64(&v, out);
}

JsonbValue *
dynpg_api_jsonb_value(Jsonb *jb)
{
	JsonbValue *v = palloc0(sizeof(JsonbValue));

	v->type = jbvBinary;
	v->val.binary.data = &jb->root;
	v->val.binary.len = VARSIZE(jb) - VARHDRSZ;
	return v;
}

Jsonb *
dynpg_api_definition_with(Jsonb *def, const char *key, JsonbValue *value)
{
	JsonbParseState *st = NULL;
	JsonbIterator *it = JsonbIteratorInit(&def->root);
	JsonbIteratorToken tok;
	JsonbValue	v;
	bool		skipping = false;
	int			keylen = strlen(key);

	tok = JsonbIteratorNext(&it, &v, true);
	Assert(tok == WJB_BEGIN_OBJECT);
	dynpg_jb_begin_object(&st, NULL);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			skipping = v.val.string.len == keylen && memcmp(v.val.string.val, key, keylen) == 0;
			if (!skipping)
				pushJsonbValue(&st, WJB_KEY, &v);
		}
		else if (tok == WJB_VALUE)
		{
			if (!skipping)
				pushJsonbValue(&st, WJB_VALUE, &v);
			skipping = false;
		}
	}
	if (value != NULL)
	{
		dynpg_jb_key(&st, key);
		pushJsonbValue(&st, WJB_VALUE, value);
	}
	return dynpg_jb_finish(dynpg_jb_end_object(&st));
}

/* Now in epoch seconds with milliseconds, as a number value */
static JsonbValue *
now_value(void)
{
	JsonbValue *v = palloc0(sizeof(JsonbValue));

	v->type = jbvNumeric;
	v->val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
														 CStringGetDatum(dynpg_api_epoch_seconds_now()),
														 ObjectIdGetDatum(InvalidOid),
														 Int32GetDatum(-1)));
	return v;
}

/* ---------------------------------------------------------------------
 * Tags
 * ---------------------------------------------------------------------
 */

void
dynpg_api_tags_read(DynJson *root, DynTagsRequest *t)
{
	int			i;

	memset(t, 0, sizeof(*t));
	t->list = dynpg_req_list(root, "Tags");
	t->n = dynpg_req_list_length(t->list);
	t->tags = palloc0(sizeof(DynTag) * Max(t->n, 1));
	for (i = 0; i < t->n; i++)
	{
		DynJson    *s = dynpg_req_list_struct(t->list, i);

		if (s == NULL)
			continue;
		t->tags[i].present = true;
		t->tags[i].key = dynpg_req_string(s, "Key");
		t->tags[i].value = dynpg_req_string(s, "Value");
	}
}

void
dynpg_api_tags_constraints(DynRequest *req, const DynTagsRequest *t)
{
	int			i;

	for (i = 0; i < t->n; i++)
	{
		char	   *path = psprintf("Tags.%d.member", i + 1);

		if (!t->tags[i].present)
		{
			dynpg_req_not_null(req, false, path);
			continue;
		}
		/* a missing Key or Value is no constraint failure: the rules' "Key: null", "Value: null" */
		dynpg_req_length(req, t->tags[i].key, psprintf("%s.Key", path), 1, DYN_TAG_KEY_MAX);
		dynpg_req_length(req, t->tags[i].value, psprintf("%s.Value", path), 0, DYN_TAG_VALUE_MAX);
	}
}

/*
 * DynamoDB's characters of tag keys and values: letters, white space,
 * digits and + - = . _ : /.  Unicode letters and digits outside ASCII are
 * allowed as DynamoDB allows them; dynpg takes every non-ASCII character as
 * one (PostgreSQL 15 has no Unicode category table).
 */
static bool
tag_chars_ok(const char *s)
{
	const unsigned char *p;

	if (s == NULL)
		return false;
	for (p = (const unsigned char *) s; *p != '\0'; p++)
	{
		if (*p >= 0x80 || isalnum(*p))
			continue;
		if (strchr(" \t\n\r\f\v+-=._:/", *p) == NULL)
			return false;
	}
	return true;
}

static void
check_tag_key(const char *key)
{
	if (!tag_chars_ok(key))
		dynpg_validation_error("The Tag Key provided is invalid, Key: %s", key ? key : "null");
	if (pg_strncasecmp(key, "aws:", 4) == 0)
		dynpg_validation_error("Tag Key cannot be prefixed with aws:, Key: %s", key);
}

void
dynpg_api_tags_rules(const DynTagsRequest *t)
{
	int			i;
	int			j;

	for (i = 0; i < t->n; i++)
	{
		check_tag_key(t->tags[i].key);
		if (!tag_chars_ok(t->tags[i].value))
			dynpg_validation_error("The Tag Value provided is invalid, Value: %s",
								   t->tags[i].value ? t->tags[i].value : "null");
		for (j = 0; j < i; j++)
			if (strcmp(t->tags[i].key, t->tags[j].key) == 0)
				dynpg_validation_error("Duplicate Tag Keys provided as input: Duplicate Tag Key found %s",
									   t->tags[i].key);
	}
	if (t->n > DYN_MAX_TAGS)
		dynpg_validation_error("Number of Tags exceed the current limit for the provided ResourceArn");
}

typedef struct TagPair
{
	char	   *key;
	char	   *value;
} TagPair;

static int
tag_cmp(const void *a, const void *b)
{
	return strcmp(((const TagPair *) a)->key, ((const TagPair *) b)->key);
}

static Jsonb *
tags_jsonb(TagPair *tags, int n)
{
	JsonbParseState *st = NULL;
	int			i;

	qsort(tags, n, sizeof(TagPair), tag_cmp);
	dynpg_jb_begin_array(&st, NULL);
	for (i = 0; i < n; i++)
	{
		/* the rules refuse a tag without Key or Value; never store one */
		if (tags[i].key == NULL || tags[i].value == NULL)
			elog(ERROR, "tag without a key or a value");
		dynpg_jb_begin_object(&st, NULL);
		dynpg_jb_string(&st, "Key", tags[i].key);
		dynpg_jb_string(&st, "Value", tags[i].value);
		dynpg_jb_end_object(&st);
	}
	return dynpg_jb_finish(dynpg_jb_end_array(&st));
}

void
dynpg_api_tags_push_definition(JsonbParseState **st, const DynTagsRequest *t)
{
	TagPair    *tags;
	int			i;

	if (t->n == 0)
		return;
	tags = palloc(sizeof(TagPair) * t->n);
	for (i = 0; i < t->n; i++)
	{
		tags[i].key = t->tags[i].key;
		tags[i].value = t->tags[i].value;
	}
	dynpg_jb_container(st, "Tags", &tags_jsonb(tags, t->n)->root);
}

/* The stored tags (room for 'extra' more) */
static TagPair *
stored_tags(Jsonb *def, int extra, int *n)
{
	JsonbValue	list;
	TagPair    *tags;
	int			count = 0;
	int			i;

	*n = 0;
	if (!def_member(def, "Tags", &list) || list.type != jbvBinary ||
		!JsonContainerIsArray(list.val.binary.data))
	{
		tags = palloc(sizeof(TagPair) * Max(extra, 1));
		return tags;
	}
	count = JsonContainerSize(list.val.binary.data);
	tags = palloc(sizeof(TagPair) * Max(count + extra, 1));
	for (i = 0; i < count; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(list.val.binary.data, i);
		JsonbValue	k;
		JsonbValue	v;

		if (e == NULL || !obj_member(e, "Key", &k) || !obj_member(e, "Value", &v) ||
			k.type != jbvString || v.type != jbvString)
			continue;
		tags[*n].key = value_text(&k);
		tags[*n].value = value_text(&v);
		(*n)++;
	}
	return tags;
}

/* ---------------------------------------------------------------------
 * Tables by ResourceArn
 * ---------------------------------------------------------------------
 */

static void resource_not_found(const char *arn) pg_attribute_noreturn();

static void
resource_not_found(const char *arn)
{
	dynpg_raise(DYN_ERR_RESOURCE_NOT_FOUND, "Requested resource not found: ResourceArn: %s not found", arn);
}

/*
 * ResourceArn's own rules, by base's one parser of ARNs (dynpg_arn_parse):
 * an ARN ("arn:"), of DynamoDB, of a table (an index's ARN is refused),
 * of dynpg's partition and region.  A stream's ARN and another account's
 * name no table here and read as not found.
 */
static void
check_resource_arn(const char *arn)
{
	DynArn		parsed;
	DynArnFault fault;

	if (strncmp(arn, "arn:", 4) != 0)
		dynpg_req_invalid_parameter("ARNs must start with 'arn:': %s", arn);
	fault = dynpg_arn_parse(arn, &parsed);
	/* the service first: another partition's S3 ARN is not DynamoDB's */
	if (fault != DYN_ARN_MALFORMED && strcmp(parsed.service, "dynamodb") != 0)
		fault = DYN_ARN_BAD_SERVICE;
	switch (fault)
	{
		case DYN_ARN_OK:
			break;
		case DYN_ARN_MALFORMED:
		case DYN_ARN_BAD_SERVICE:
			dynpg_req_invalid_parameter("Provided Arn is not a DynamoDB resource arn: %s", arn);
			break;
		case DYN_ARN_BAD_PARTITION:
		case DYN_ARN_BAD_REGION:
			dynpg_validation_error("Invalid TableArn: Invalid ResourceArn provided as input %s", arn);
			break;
		case DYN_ARN_BAD_RESOURCE_TYPE:
		case DYN_ARN_BAD_NAME:
			/* a stream's ARN: found nowhere (open_by_arn) */
			if (strcmp(parsed.resource_type, "table") == 0 && strstr(parsed.name, "/stream/") != NULL)
				break;
			if (strcmp(parsed.resource_type, "table") != 0 ||
				strstr(parsed.name, "/index/") != NULL)
				dynpg_req_invalid_parameter("Invalid resource arn provided, only table or stream is accepted. Provided resource arn: %s",
											arn);
			dynpg_validation_error("Invalid TableArn: Invalid ResourceArn provided as input %s", arn);
			break;
	}
}

/*
 * The table of ResourceArn 'arn' opened with 'lockmode' (its owner only,
 * when 'owner'), *def a copy of its definition.
 */
static Relation
open_by_arn(const char *arn, LOCKMODE lockmode, bool owner, Jsonb **def)
{
	Oid			relid = dynpg_table_relid(arn, true);
	Relation	rel;

	/* only this server's table ARNs name tables */
	if (strncmp(arn, DYNPG_TABLE_ARN_PREFIX, strlen(DYNPG_TABLE_ARN_PREFIX)) != 0 ||
		!OidIsValid(relid))
		resource_not_found(arn);
	if (owner && !pg_class_ownercheck(relid, GetUserId()))
	{
		char	   *current_name = get_rel_name(relid);

		if (current_name == NULL)
			resource_not_found(arn);
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, current_name);
	}
	rel = dynpg_api_open_relid(relid, arn, lockmode, def);
	if (rel == NULL)
		resource_not_found(arn);
	return rel;
}

/* ResourceArn: read, not null, 1..1024 (phase 1 and 2 with the caller's other members) */
static char *
read_resource_arn(DynRequest *req)
{
	char	   *arn = dynpg_req_string(req->root, "ResourceArn");

	dynpg_req_not_null(req, arn != NULL, "ResourceArn");
	dynpg_req_length(req, arn, "ResourceArn", 1, DYN_RESOURCE_ARN_MAX);
	return arn;
}

static DynJson *
empty_response(void)
{
	JsonbParseState *st = NULL;

	dynpg_jb_begin_object(&st, NULL);
	return dynpg_response_from_jsonb(dynpg_jb_finish(dynpg_jb_end_object(&st)));
}

/* ---------------------------------------------------------------------
 * TagResource, UntagResource, ListTagsOfResource
 * ---------------------------------------------------------------------
 */

DynJson *
dynpg_api_tag_resource(DynJson *request)
{
	DynRequest	req;
	DynTagsRequest t;
	char	   *arn;
	Relation	rel;
	Jsonb	   *def;
	TagPair    *tags;
	int			n;
	int			i;
	int			j;

	dynpg_require_preload();
	dynpg_req_start(&req, "TagResource", request);
	arn = dynpg_req_string(req.root, "ResourceArn");
	dynpg_api_tags_read(req.root, &t);
	dynpg_req_not_null(&req, arn != NULL, "ResourceArn");
	dynpg_req_length(&req, arn, "ResourceArn", 1, DYN_RESOURCE_ARN_MAX);
	dynpg_req_not_null(&req, t.list != NULL, "Tags");
	dynpg_api_tags_constraints(&req, &t);
	dynpg_req_finish(&req);

	if (t.n == 0)
		dynpg_validation_error("Atleast one Tag needs to be provided as Input.");
	check_resource_arn(arn);
	dynpg_api_tags_rules(&t);

	rel = open_by_arn(arn, AccessExclusiveLock, true, &def);
	tags = stored_tags(def, t.n, &n);
	for (i = 0; i < t.n; i++)
	{
		for (j = 0; j < n; j++)
			if (strcmp(tags[j].key, t.tags[i].key) == 0)
				break;
		if (j == n)
		{
			tags[n].key = t.tags[i].key;
			n++;
		}
		tags[j].value = t.tags[i].value;
	}
	if (n > DYN_MAX_TAGS)
		dynpg_validation_error("Number of Tags exceed the current limit for the provided ResourceArn");
	dynpg_table_set_definition(rel, dynpg_api_definition_with(def, "Tags",
															  dynpg_api_jsonb_value(tags_jsonb(tags, n))));
	table_close(rel, NoLock);
	return empty_response();
}

DynJson *
dynpg_api_untag_resource(DynJson *request)
{
	DynRequest	req;
	char	   *arn;
	DynJson    *keys;
	int			nkeys;
	Relation	rel;
	Jsonb	   *def;
	TagPair    *tags;
	int			n;
	int			kept = 0;
	int			i;
	int			j;

	dynpg_require_preload();
	dynpg_req_start(&req, "UntagResource", request);
	arn = dynpg_req_string(req.root, "ResourceArn");
	keys = dynpg_req_list(req.root, "TagKeys");
	nkeys = dynpg_req_list_length(keys);
	for (i = 0; i < nkeys; i++)
		(void) dynpg_req_list_string(keys, i);
	dynpg_req_not_null(&req, arn != NULL, "ResourceArn");
	dynpg_req_length(&req, arn, "ResourceArn", 1, DYN_RESOURCE_ARN_MAX);
	dynpg_req_not_null(&req, keys != NULL, "TagKeys");
	dynpg_req_finish(&req);

	if (nkeys == 0)
		dynpg_validation_error("Atleast one Tag Key needs to be provided as Input.");
	check_resource_arn(arn);
	for (i = 0; i < nkeys; i++)
	{
		char	   *key = dynpg_req_list_string(keys, i);

		if (key == NULL || *key == '\0' || pg_mbstrlen(key) > DYN_TAG_KEY_MAX)
			dynpg_validation_error("The Tag Key provided is invalid, Key: %s", key ? key : "null");
		check_tag_key(key);
	}

	rel = open_by_arn(arn, AccessExclusiveLock, true, &def);
	tags = stored_tags(def, 0, &n);
	for (i = 0; i < n; i++)
	{
		bool		removed = false;

		for (j = 0; j < nkeys; j++)
			if (strcmp(tags[i].key, dynpg_req_list_string(keys, j)) == 0)
				removed = true;
		if (!removed)
			tags[kept++] = tags[i];
	}
	if (kept != n)
		dynpg_table_set_definition(rel, dynpg_api_definition_with(def, "Tags",
																  kept > 0 ? dynpg_api_jsonb_value(tags_jsonb(tags, kept)) : NULL));
	table_close(rel, NoLock);
	return empty_response();
}

/*
 * A page of DYN_TAGS_PAGE tags in key order; NextToken is the last key of
 * the page while more follow, and the next page starts after it.
 */
DynJson *
dynpg_api_list_tags_of_resource(DynJson *request)
{
	DynRequest	req;
	char	   *arn;
	char	   *token;
	Relation	rel;
	Jsonb	   *def;
	TagPair    *tags;
	int			n;
	int			i;
	int			shown = 0;
	JsonbParseState *st = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "ListTagsOfResource", request);
	arn = read_resource_arn(&req);
	token = dynpg_req_string(req.root, "NextToken");
	dynpg_req_finish(&req);
	check_resource_arn(arn);

	rel = open_by_arn(arn, AccessShareLock, false, &def);
	table_close(rel, NoLock);
	tags = stored_tags(def, 0, &n);
	qsort(tags, n, sizeof(TagPair), tag_cmp);

	dynpg_jb_begin_object(&st, NULL);
	dynpg_jb_begin_array(&st, "Tags");
	for (i = 0; i < n; i++)
	{
		if (token != NULL && strcmp(tags[i].key, token) <= 0)
			continue;
		if (shown == DYN_TAGS_PAGE)
			break;
		dynpg_jb_begin_object(&st, NULL);
		dynpg_jb_string(&st, "Key", tags[i].key);
		dynpg_jb_string(&st, "Value", tags[i].value);
		dynpg_jb_end_object(&st);
		shown++;
	}
	dynpg_jb_end_array(&st);
	if (i < n)
		dynpg_jb_string(&st, "NextToken", tags[i - 1].key);
	return dynpg_response_from_jsonb(dynpg_jb_finish(dynpg_jb_end_object(&st)));
}

/* ---------------------------------------------------------------------
 * UpdateTimeToLive, DescribeTimeToLive
 * ---------------------------------------------------------------------
 */

/* epoch seconds of a stored "...DateTime" */
static double
stored_seconds(JsonbValue *v)
{
	char	   *s = value_text(v);

	return s != NULL ? strtod(s, NULL) : 0;
}

static double
now_seconds(void)
{
	return strtod(dynpg_api_epoch_seconds_now(), NULL);
}

DynJson *
dynpg_api_update_time_to_live(DynJson *request)
{
	DynRequest	req;
	char	   *name;
	DynJson    *spec;
	bool		has_enabled = false;
	bool		enabled = false;
	char	   *attribute = NULL;
	Relation	rel;
	Jsonb	   *def;
	JsonbValue	ttl;
	bool		is_enabled = false;
	char	   *current = NULL;
	JsonbParseState *st = NULL;
	Jsonb	   *stored;

	dynpg_require_preload();
	dynpg_req_start(&req, "UpdateTimeToLive", request);
	name = dynpg_req_string(req.root, "TableName");
	spec = dynpg_req_struct(req.root, "TimeToLiveSpecification");
	if (spec != NULL)
	{
		has_enabled = dynpg_req_bool(spec, "Enabled", &enabled);
		attribute = dynpg_req_string(spec, "AttributeName");
	}
	dynpg_req_required_table_name(name);
	dynpg_req_table_name_or_arn(&req, name, "TableName", DYN_TABLE_NAME_MIN, true);
	dynpg_req_not_null(&req, spec != NULL, "TimeToLiveSpecification");
	if (spec != NULL)
	{
		dynpg_req_not_null(&req, has_enabled, "TimeToLiveSpecification.Enabled");
		dynpg_req_not_null(&req, attribute != NULL, "TimeToLiveSpecification.AttributeName");
		dynpg_req_length(&req, attribute, "TimeToLiveSpecification.AttributeName", 1, DYN_KEY_NAME_MAX);
	}
	dynpg_req_finish(&req);

	/* the table's owner, as UpdateTable */
	rel = dynpg_api_open_owned_table(name, AccessExclusiveLock, &def);

	ttl.type = jbvNull;
	if (def_member(def, "TimeToLive", &ttl))
	{
		JsonbValue	v;

		is_enabled = obj_member(&ttl, "Enabled", &v) && v.type == jbvBool && v.val.boolean;
		if (obj_member(&ttl, "AttributeName", &v) && v.type == jbvString)
			current = value_text(&v);
	}
	/* another attribute than the enabled one, to enable or to disable */
	if (is_enabled && current != NULL && strcmp(current, attribute) != 0)
		dynpg_validation_error("TimeToLive is active on a different AttributeName: current AttributeName is %s",
							   current);
	if (enabled && is_enabled)
		dynpg_validation_error("TimeToLive is already enabled");
	if (!enabled && !is_enabled)
		dynpg_validation_error("TimeToLive is already disabled");
	{
		JsonbValue	last;

		double		elapsed;

		/* a LastUpdateDateTime in the future (a clock set back, an edited definition) is past */
		if (obj_member(&ttl, "LastUpdateDateTime", &last) &&
			(elapsed = now_seconds() - stored_seconds(&last)) >= 0 &&
			elapsed < DYN_TTL_INTERVAL_SECONDS)
			dynpg_validation_error("Time to live has been modified multiple times within a fixed interval");
	}

	dynpg_jb_begin_object(&st, NULL);
	dynpg_jb_string(&st, "AttributeName", attribute);
	dynpg_jb_bool(&st, "Enabled", enabled);
	dynpg_jb_key(&st, "LastUpdateDateTime");
	pushJsonbValue(&st, WJB_VALUE, now_value());
	stored = dynpg_jb_finish(dynpg_jb_end_object(&st));
	dynpg_table_set_definition(rel, dynpg_api_definition_with(def, "TimeToLive", dynpg_api_jsonb_value(stored)));
	/*
	 * The expiry index (src/index/README, "Expiry index"), under the lock
	 * held since the checks: built for the items there are when enabled,
	 * dropped when disabled; writes maintain it from here on.
	 */
	CommandCounterIncrement();
	if (enabled)
		(void) dynpg_ttl_build(rel);
	else
		dynpg_index_delete_entries(rel, DYN_KEYSPACE_TTL);
	table_close(rel, NoLock);

	st = NULL;
	dynpg_jb_begin_object(&st, NULL);
	dynpg_jb_begin_object(&st, "TimeToLiveSpecification");
	dynpg_jb_bool(&st, "Enabled", enabled);
	dynpg_jb_string(&st, "AttributeName", attribute);
	dynpg_jb_end_object(&st);
	return dynpg_response_from_jsonb(dynpg_jb_finish(dynpg_jb_end_object(&st)));
}

DynJson *
dynpg_api_describe_time_to_live(DynJson *request)
{
	DynRequest	req;
	char	   *name;
	Relation	rel;
	Jsonb	   *def;
	JsonbValue	ttl;
	JsonbValue	v;
	JsonbParseState *st = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "DescribeTimeToLive", request);
	name = dynpg_api_control_plane_table_name(&req);
	dynpg_req_finish(&req);
	rel = dynpg_api_open_table(name, AccessShareLock, &def);
	table_close(rel, NoLock);

	dynpg_jb_begin_object(&st, NULL);
	dynpg_jb_begin_object(&st, "TimeToLiveDescription");
	if (def_member(def, "TimeToLive", &ttl) && obj_member(&ttl, "Enabled", &v) &&
		v.type == jbvBool && v.val.boolean)
	{
		dynpg_jb_string(&st, "TimeToLiveStatus", "ENABLED");
		if (obj_member(&ttl, "AttributeName", &v) && v.type == jbvString)
			dynpg_jb_string(&st, "AttributeName", value_text(&v));
	}
	else
		dynpg_jb_string(&st, "TimeToLiveStatus", "DISABLED");
	dynpg_jb_end_object(&st);
	return dynpg_response_from_jsonb(dynpg_jb_finish(dynpg_jb_end_object(&st)));
}

/* ---------------------------------------------------------------------
 * CreateTable's and UpdateTable's settings
 * ---------------------------------------------------------------------
 */

void
dynpg_api_settings_read(DynJson *root, DynTableSettings *s)
{
	memset(s, 0, sizeof(*s));
	s->sse = dynpg_req_struct(root, "SSESpecification");
	if (s->sse != NULL)
	{
		s->sse_has_enabled = dynpg_req_bool(s->sse, "Enabled", &s->sse_enabled);
		s->sse_type = dynpg_req_string(s->sse, "SSEType");
		s->kms_key = dynpg_req_string(s->sse, "KMSMasterKeyId");
	}
	s->table_class = dynpg_req_string(root, "TableClass");
	s->has_deletion_protection = dynpg_req_bool(root, "DeletionProtectionEnabled",
												&s->deletion_protection);
	s->on_demand = dynpg_req_struct(root, "OnDemandThroughput");
	if (s->on_demand != NULL)
	{
		s->max_read.present = dynpg_req_long(s->on_demand, "MaxReadRequestUnits", false,
											 &s->max_read.value);
		s->max_write.present = dynpg_req_long(s->on_demand, "MaxWriteRequestUnits", false,
											  &s->max_write.value);
	}
	s->warm = dynpg_req_struct(root, "WarmThroughput");
	if (s->warm != NULL)
	{
		s->warm_read.present = dynpg_req_long(s->warm, "ReadUnitsPerSecond", false,
											  &s->warm_read.value);
		s->warm_write.present = dynpg_req_long(s->warm, "WriteUnitsPerSecond", false,
											   &s->warm_write.value);
	}
}

void
dynpg_api_settings_constraints(DynRequest *req, const DynTableSettings *s)
{
	/* the SSESpecification's member names as DynamoDB's model spells its paths */
	if (s->sse != NULL)
		dynpg_req_enum(req, s->sse_type, "SSESpecification.SSEType", sse_types);

	/*
	 * WarmThroughput's units have no constraint of their own: the live
	 * service answers 0 or a negative number with the rules' messages
	 * (below the on-demand initial throughput, the provisioned capacity,
	 * or the current WarmThroughput), which every such value meets.
	 */
}

static void
check_table_class(const char *table_class)
{
	if (table_class != NULL && strcmp(table_class, "STANDARD") != 0 &&
		strcmp(table_class, "STANDARD_INFREQUENT_ACCESS") != 0)
		dynpg_validation_error("Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].");
}

static void
check_sse(const DynTableSettings *s)
{
	if (s->sse == NULL)
		return;
	if (!s->sse_enabled)
	{
		if (s->sse_type != NULL)
			dynpg_req_invalid_parameter("SSEType can not be specified if Enabled is false");
		if (s->kms_key != NULL)
			dynpg_req_invalid_parameter("KMSMasterKeyId can not be specified if Enabled is false");
		return;
	}
	if (s->sse_type != NULL && strcmp(s->sse_type, "AES256") == 0)
		dynpg_req_invalid_parameter("SSEType AES256 is not supported");
	if (s->kms_key != NULL && s->sse_type == NULL)
		dynpg_req_invalid_parameter("SSEType KMS is required if KMSMasterKeyId is specified");
}

/*
 * OnDemandThroughput: on-demand tables only; each given value at least 1
 * (-1, "no maximum", also on UpdateTable: 'allow_minus_one')
 */
static void
check_on_demand(const DynTableSettings *s, bool ppr, bool allow_minus_one)
{
	if (s->on_demand == NULL)
		return;
	if (!ppr)
	{
		if (s->max_read.present)
			dynpg_req_invalid_parameter("MaxReadRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED");
		if (s->max_write.present)
			dynpg_req_invalid_parameter("MaxWriteRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED");
	}
	if (s->max_read.present && s->max_read.value < 1 &&
		!(allow_minus_one && s->max_read.value == -1))
		dynpg_req_invalid_parameter("Requested MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range");
	if (s->max_write.present && s->max_write.value < 1 &&
		!(allow_minus_one && s->max_write.value == -1))
		dynpg_req_invalid_parameter("Requested MaxWriteRequestUnits for OnDemandThroughput for table is outside of valid range");
}

void
dynpg_api_settings_create_rules(const DynTableSettings *s, bool ppr, const DynThroughput *pt)
{
	check_table_class(s->table_class);
	check_sse(s);
	check_on_demand(s, ppr, false);
	if (s->warm != NULL && ppr)
	{
		if (s->warm_read.present && s->warm_read.value < DYN_WARM_READ_DEFAULT)
			dynpg_req_invalid_parameter("Requested ReadUnitsPerSecond for WarmThroughput for table is lower than initial throughput for OnDemand. See: "
										DYN_ON_DEMAND_INITIAL_URL);
		if (s->warm_write.present && s->warm_write.value < DYN_WARM_WRITE_DEFAULT)
			dynpg_req_invalid_parameter("Requested WriteUnitsPerSecond for WarmThroughput for table is lower than initial throughput for OnDemand. See: "
										DYN_ON_DEMAND_INITIAL_URL);
	}
	if (s->warm != NULL && !ppr)
	{
		if (s->warm_read.present && s->warm_read.value < pt->rcu)
			dynpg_req_invalid_parameter("Requested ReadUnitsPerSecond for WarmThroughput for table is lower than ReadCapacityUnits of ProvisionedThroughput");
		if (s->warm_write.present && s->warm_write.value < pt->wcu)
			dynpg_req_invalid_parameter("Requested WriteUnitsPerSecond for WarmThroughput for table is lower than WriteCapacityUnits of ProvisionedThroughput");
	}
}

static Jsonb *
sse_jsonb(const DynTableSettings *s)
{
	JsonbParseState *st = NULL;

	dynpg_jb_begin_object(&st, NULL);
	dynpg_jb_bool(&st, "Enabled", true);
	dynpg_jb_string(&st, "SSEType", "KMS");
	if (s->kms_key != NULL)
		dynpg_jb_string(&st, "KMSMasterKeyId", s->kms_key);
	return dynpg_jb_finish(dynpg_jb_end_object(&st));
}

/* OnDemandThroughput's stored form: 'old' (or NULL) with the request's values; -1 drops one */
static Jsonb *
on_demand_jsonb(const DynTableSettings *s, JsonbValue *old, bool *empty)
{
	JsonbParseState *st = NULL;
	int64		r = -1;
	int64		w = -1;

	if (old != NULL)
	{
		(void) obj_number(old, "MaxReadRequestUnits", &r);
		(void) obj_number(old, "MaxWriteRequestUnits", &w);
	}
	if (s->max_read.present)
		r = s->max_read.value;
	if (s->max_write.present)
		w = s->max_write.value;
	*empty = r == -1 && w == -1;
	dynpg_jb_begin_object(&st, NULL);
	if (r != -1)
		dynpg_jb_int64(&st, "MaxReadRequestUnits", r);
	if (w != -1)
		dynpg_jb_int64(&st, "MaxWriteRequestUnits", w);
	return dynpg_jb_finish(dynpg_jb_end_object(&st));
}

static Jsonb *
warm_jsonb(const DynTableSettings *s, JsonbValue *old)
{
	JsonbParseState *st = NULL;
	bool		has_r = false;
	bool		has_w = false;
	int64		r = 0;
	int64		w = 0;

	if (old != NULL)
	{
		has_r = obj_number(old, "ReadUnitsPerSecond", &r);
		has_w = obj_number(old, "WriteUnitsPerSecond", &w);
	}
	if (s->warm_read.present)
		has_r = true, r = s->warm_read.value;
	if (s->warm_write.present)
		has_w = true, w = s->warm_write.value;
	dynpg_jb_begin_object(&st, NULL);
	if (has_r)
		dynpg_jb_int64(&st, "ReadUnitsPerSecond", r);
	if (has_w)
		dynpg_jb_int64(&st, "WriteUnitsPerSecond", w);
	return dynpg_jb_finish(dynpg_jb_end_object(&st));
}

void
dynpg_api_settings_push_create(JsonbParseState **st, const DynTableSettings *s, bool ppr)
{
	if (s->deletion_protection)
		dynpg_jb_bool(st, "DeletionProtectionEnabled", true);
	if (s->table_class != NULL)
		dynpg_jb_string(st, "TableClass", s->table_class);
	if (s->sse != NULL && s->sse_enabled)
		dynpg_jb_container(st, "SSESpecification", &sse_jsonb(s)->root);
	if (s->on_demand != NULL && ppr)
	{
		bool		empty;
		Jsonb	   *od = on_demand_jsonb(s, NULL, &empty);

		if (!empty)
			dynpg_jb_container(st, "OnDemandThroughput", &od->root);
	}
	if (s->warm != NULL && (s->warm_read.present || s->warm_write.present))
		dynpg_jb_container(st, "WarmThroughput", &warm_jsonb(s, NULL)->root);
}

void
dynpg_api_settings_update_rules(const DynTableSettings *s, bool has_billing_mode, bool others)
{
	bool		sse = s->sse != NULL;
	bool		cls = s->table_class != NULL;
	bool		dp = s->has_deletion_protection;
	bool		od = s->on_demand != NULL;
	bool		warm = s->warm != NULL;

	/* each of these alone; OnDemandThroughput with BillingMode at most */
	if (sse && (cls || dp || od || warm || others || has_billing_mode))
		dynpg_req_invalid_parameter("Server-Side Encryption modification must be the only operation in the request");
	if (cls && (dp || od || warm || others || has_billing_mode))
		dynpg_req_invalid_parameter("TableClass modification must be the only operation in the request");
	if (dp && (od || warm || others || has_billing_mode))
		dynpg_req_invalid_parameter("DeletionProtection modification must be the only operation in the request");
	if (warm && (od || others || has_billing_mode))
		dynpg_req_invalid_parameter("WarmThroughput must be the only operation in the request");
	if (od && others)
		dynpg_req_invalid_parameter("OnDemandThroughput can only be combined with BillingMode in an UpdateTable request");
	check_table_class(s->table_class);
	check_sse(s);
}

/* The stored KMS key of the definition's SSESpecification (NULL: none or the default key) */
static bool
stored_sse(Jsonb *def, char **key)
{
	JsonbValue	sse;
	JsonbValue	v;

	*key = NULL;
	if (!def_member(def, "SSESpecification", &sse) || !obj_member(&sse, "Enabled", &v) ||
		v.type != jbvBool || !v.val.boolean)
		return false;
	if (obj_member(&sse, "KMSMasterKeyId", &v))
		*key = value_text(&v);
	return true;
}

/* The WarmThroughput a table has (what DescribeTable reports) */
static void
current_warm(Jsonb *def, bool ppr, int64 *r, int64 *w)
{
	JsonbValue	warm;
	JsonbValue	pt;
	int64		n;

	*r = DYN_WARM_READ_DEFAULT;
	*w = DYN_WARM_WRITE_DEFAULT;
	if (!ppr && def_member(def, "ProvisionedThroughput", &pt))
	{
		(void) obj_number(&pt, "ReadCapacityUnits", r);
		(void) obj_number(&pt, "WriteCapacityUnits", w);
	}
	if (def_member(def, "WarmThroughput", &warm))
	{
		if (obj_number(&warm, "ReadUnitsPerSecond", &n))
			*r = Max(*r, n);
		if (obj_number(&warm, "WriteUnitsPerSecond", &n))
			*w = Max(*w, n);
	}
}

void
dynpg_api_settings_update_check(const DynTableSettings *s, Jsonb *stored, bool ppr)
{
	check_on_demand(s, ppr, true);
	if (s->sse != NULL)
	{
		char	   *key;
		bool		encrypted = stored_sse(stored, &key);

		if (!s->sse_enabled && !encrypted)
			dynpg_req_invalid_parameter("Table is already encrypted by default");
		/* the same key however named: id, alias or ARN (NULL stored: DynamoDB's own key) */
		if (s->sse_enabled && encrypted && s->kms_key != NULL &&
			strcmp(kms_key_arn(key), kms_key_arn(s->kms_key)) == 0)
			dynpg_req_invalid_parameter("Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key");
	}
	if (s->warm != NULL)
	{
		int64		r;
		int64		w;

		current_warm(stored, ppr, &r, &w);
		if (s->warm_read.present && s->warm_read.value < r)
			dynpg_req_invalid_parameter("Requested ReadUnitsPerSecond for WarmThroughput for table is lower than current WarmThroughput, decreasing WarmThroughput is not supported");
		if (s->warm_write.present && s->warm_write.value < w)
			dynpg_req_invalid_parameter("Requested WriteUnitsPerSecond for WarmThroughput for table is lower than current WarmThroughput, decreasing WarmThroughput is not supported");
	}
}

Jsonb *
dynpg_api_settings_apply(Jsonb *def, const DynTableSettings *s, bool ppr)
{
	JsonbValue	old;
	JsonbValue	b;

	if (s->has_deletion_protection)
	{
		b.type = jbvBool;
		b.val.boolean = true;
		def = dynpg_api_definition_with(def, "DeletionProtectionEnabled",
										s->deletion_protection ? &b : NULL);
	}
	if (s->table_class != NULL)
	{
		b.type = jbvString;
		b.val.string.val = s->table_class;
		b.val.string.len = strlen(s->table_class);
		def = dynpg_api_definition_with(def, "TableClass", &b);
		def = dynpg_api_definition_with(def, "TableClassLastUpdateDateTime", now_value());
	}
	if (s->sse != NULL)
		def = dynpg_api_definition_with(def, "SSESpecification",
										s->sse_enabled ? dynpg_api_jsonb_value(sse_jsonb(s)) : NULL);
	if (!ppr)
		def = dynpg_api_definition_with(def, "OnDemandThroughput", NULL);
	else if (s->on_demand != NULL)
	{
		bool		empty;
		Jsonb	   *od = on_demand_jsonb(s, def_member(def, "OnDemandThroughput", &old) ? &old : NULL,
										 &empty);

		def = dynpg_api_definition_with(def, "OnDemandThroughput", empty ? NULL : dynpg_api_jsonb_value(od));
	}
	if (s->warm != NULL)
		def = dynpg_api_definition_with(def, "WarmThroughput",
										dynpg_api_jsonb_value(warm_jsonb(s, def_member(def, "WarmThroughput", &old) ? &old : NULL)));
	return def;
}

bool
dynpg_api_deletion_protected(Jsonb *def)
{
	JsonbValue	v;

	return def_member(def, "DeletionProtectionEnabled", &v) && v.type == jbvBool && v.val.boolean;
}

/* SSEDescription's KMSMasterKeyArn of key id, alias or ARN 'key' (NULL: DynamoDB's own key) */
static char *
kms_key_arn(const char *key)
{
	if (key == NULL)
		return DYN_KMS_ARN_PREFIX "alias/aws/dynamodb";
	if (strncmp(key, "arn:", 4) == 0)
		return pstrdup(key);
	if (strncmp(key, "alias/", 6) == 0)
		return psprintf(DYN_KMS_ARN_PREFIX "%s", key);
	return psprintf(DYN_KMS_ARN_PREFIX "key/%s", key);
}

void
dynpg_api_settings_push_description(JsonbParseState **st, Jsonb *def, bool ppr, bool full)
{
	JsonbValue	v;
	JsonbValue	od;
	char	   *key;
	int64		r;
	int64		w;

	/* DeleteTable's description has none of them */
	if (!full)
		return;
	dynpg_jb_bool(st, "DeletionProtectionEnabled", dynpg_api_deletion_protected(def));
	if (def_member(def, "TableClass", &v) && v.type == jbvString)
	{
		dynpg_jb_begin_object(st, "TableClassSummary");
		dynpg_jb_string(st, "TableClass", value_text(&v));
		if (def_member(def, "TableClassLastUpdateDateTime", &v))
		{
			dynpg_jb_key(st, "LastUpdateDateTime");
			pushJsonbValue(st, WJB_VALUE, &v);
		}
		dynpg_jb_end_object(st);
	}
	if (stored_sse(def, &key))
	{
		dynpg_jb_begin_object(st, "SSEDescription");
		dynpg_jb_string(st, "Status", "ENABLED");
		dynpg_jb_string(st, "SSEType", "KMS");
		dynpg_jb_string(st, "KMSMasterKeyArn", kms_key_arn(key));
		dynpg_jb_end_object(st);
	}
	if (ppr)
	{
		/* -1: no maximum */
		int64		max_read = -1;
		int64		max_write = -1;

		if (def_member(def, "OnDemandThroughput", &od))
		{
			(void) obj_number(&od, "MaxReadRequestUnits", &max_read);
			(void) obj_number(&od, "MaxWriteRequestUnits", &max_write);
		}
		dynpg_jb_begin_object(st, "OnDemandThroughput");
		dynpg_jb_int64(st, "MaxReadRequestUnits", max_read);
		dynpg_jb_int64(st, "MaxWriteRequestUnits", max_write);
		dynpg_jb_end_object(st);
	}
	current_warm(def, ppr, &r, &w);
	dynpg_jb_begin_object(st, "WarmThroughput");
	dynpg_jb_int64(st, "ReadUnitsPerSecond", r);
	dynpg_jb_int64(st, "WriteUnitsPerSecond", w);
	dynpg_jb_string(st, "Status", "ACTIVE");
	dynpg_jb_end_object(st);
}

/* ---------------------------------------------------------------------
 * DescribeLimits, DescribeEndpoints
 * ---------------------------------------------------------------------
 */

/*
 * DynamoDB's default quotas of an account in a region: what SDKs and tools
 * read to size capacity.  dynpg enforces none of them (its bound on a
 * table's capacity units is DYN_MAX_CAPACITY_UNITS).
 */
DynJson *
dynpg_api_describe_limits(DynJson *request)
{
	DynRequest	req;
	JsonbParseState *st = NULL;

	dynpg_req_start(&req, "DescribeLimits", request);
	dynpg_jb_begin_object(&st, NULL);
	dynpg_jb_int64(&st, "AccountMaxReadCapacityUnits", 80000);
	dynpg_jb_int64(&st, "AccountMaxWriteCapacityUnits", 80000);
	dynpg_jb_int64(&st, "TableMaxReadCapacityUnits", 40000);
	dynpg_jb_int64(&st, "TableMaxWriteCapacityUnits", 40000);
	return dynpg_response_from_jsonb(dynpg_jb_finish(dynpg_jb_end_object(&st)));
}

const char *dynpg_api_client_endpoint = NULL;

/* whether 'host' (a listen address) is a wildcard: every address */
static bool
wildcard_address(const char *host)
{
	return *host == '\0' || strcmp(host, "*") == 0 || strcmp(host, "0.0.0.0") == 0 ||
		strcmp(host, "::") == 0;
}

/*
 * The endpoint clients should use, cached for a day as DynamoDB answers:
 * the address the client reached this server by, when the caller knows it
 * (dynpg_api_client_endpoint: the HTTP request's Host); otherwise (SQL)
 * the first of dynpg.http_listen_addresses that is not a wildcard, or for
 * wildcards only this machine's host name, with dynpg.http_port.  Never
 * "localhost" for a wildcard: a client elsewhere could not use it.
 */
DynJson *
dynpg_api_describe_endpoints(DynJson *request)
{
	DynRequest	req;
	JsonbParseState *st = NULL;
	const char *addrs = GetConfigOption("dynpg.http_listen_addresses", true, false);
	const char *port = GetConfigOption("dynpg.http_port", true, false);
	char	   *host = NULL;
	char	   *address;

	dynpg_req_start(&req, "DescribeEndpoints", request);
	if (dynpg_api_client_endpoint != NULL)
		address = pstrdup(dynpg_api_client_endpoint);
	else
	{
		while (addrs != NULL && *addrs != '\0' && host == NULL)
		{
			size_t		len;
			char	   *one;

			addrs += strspn(addrs, ", ");
			len = strcspn(addrs, ", ");
			one = pnstrdup(addrs, len);
			addrs += len;
			if (len > 0 && !wildcard_address(one))
				host = strchr(one, ':') != NULL ? psprintf("[%s]", one) : one;
		}
		if (host == NULL)
		{
			char		name[256];

			if (gethostname(name, sizeof(name)) == 0 && name[0] != '\0')
			{
				name[sizeof(name) - 1] = '\0';
				host = pstrdup(name);
			}
			else
				host = "localhost";
		}
		address = port != NULL ? psprintf("%s:%s", host, port) : host;
	}

	dynpg_jb_begin_object(&st, NULL);
	dynpg_jb_begin_array(&st, "Endpoints");
	dynpg_jb_begin_object(&st, NULL);
	dynpg_jb_string(&st, "Address", address);
	dynpg_jb_int64(&st, "CachePeriodInMinutes", 1440);
	dynpg_jb_end_object(&st);
	dynpg_jb_end_array(&st);
	return dynpg_response_from_jsonb(dynpg_jb_finish(dynpg_jb_end_object(&st)));
}
