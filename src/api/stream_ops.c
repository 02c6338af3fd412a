/*-------------------------------------------------------------------------
 *
 * stream_ops.c
 *	  DynamoDB Streams: a table's StreamSpecification (CreateTable,
 *	  UpdateTable, DeleteTable, DescribeTable) and the Streams API
 *	  (ListStreams, DescribeStream, GetShardIterator, GetRecords).
 *
 * The records are written by the write path (am/dynpg_stream.c) into
 * dynpg.stream_records; the streams a table has had are rows of
 * dynpg.streams.  A stream has DYN_STREAM_SHARDS hash ranges (the high
 * bits of the storage key's partition hash), so consumers can read them in
 * parallel, and records of one item stay in one range in commit order.  Its
 * shards are generations (dynpg.stream_shards) times ranges: the worker
 * closes the open generation on a schedule or size and opens the next,
 * whose shard i has shard i of the one before as its parent.  A record's
 * generation is the one whose number range holds its number.
 *
 * Identifiers, all derived from the dynpg.streams row:
 *	 StreamArn		<table ARN>/stream/<label>; label = the opening time,
 *					YYYY-MM-DDTHH:MI:SS.mmm in UTC, as DynamoDB's
 *	 ShardId		shardId-<opening time, ms, 20 digits>-<4 hex digits of the
 *					stream id><8 hex digits: the generation><4 hex digits: the
 *					hash range>, 45 characters
 *	 SequenceNumber	the record's number, 21 digits (DynamoDB's are 21-40)
 *	 ShardIterator	<stream ARN>|2|<hex: generation, hash range, position,
 *					issue time in ms>;
 *					the position is the number the next read starts after.
 *					Valid 15 minutes, as DynamoDB's.
 *
 * Privileges: a stream is read by those who may SELECT its table, or,
 * once the table is gone, by its owner's members.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "am/dynpg_stream.h"
#include "api/dynpg_api.h"
#include "api/dynpg_stream_ops.h"
#include "api/dynpg_table_ops.h"
#include "api/dynpg_table_settings.h"
#include "api/dynpg_wire.h"
#include "base/dynpg_error.h"
#include "base/dynpg_preload.h"
#include "base/dynpg_search_path.h"
#include "catalog/dynpg_catalog.h"

/* shards per stream: a power of two, at most DYN_STREAM_MAX_SHARDS */
#define DYN_STREAM_SHARDS			4
/* an iterator's life, as DynamoDB's */
#define ITERATOR_LIFETIME_MS		(15 * 60 * 1000)
/* GetRecords' limits */
#define GET_RECORDS_MAX				1000
#define GET_RECORDS_MAX_BYTES		(1024 * 1024)
/* ListStreams' and DescribeStream's Limit */
#define LIST_LIMIT_MAX				100

static const char *const view_types[] = {
	"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY", NULL
};
static const char *const iterator_types[] = {
	"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", NULL
};

/* ---------------------------------------------------------------------
 * The definition's stream
 * ---------------------------------------------------------------------
 */

void
dynpg_api_stream_read(DynJson *root, DynStreamRequest *s)
{
	memset(s, 0, sizeof(*s));
	s->spec = dynpg_req_struct(root, "StreamSpecification");
	if (s->spec == NULL)
		return;
	s->has_enabled = dynpg_req_bool(s->spec, "StreamEnabled", &s->enabled);
	s->view = dynpg_req_string(s->spec, "StreamViewType");
}

void
dynpg_api_stream_constraints(DynRequest *req, const DynStreamRequest *s)
{
	if (s->spec == NULL)
		return;
	dynpg_req_not_null(req, s->has_enabled, "StreamSpecification.StreamEnabled");
	dynpg_req_enum(req, s->view, "StreamSpecification.StreamViewType", view_types);
}

void
dynpg_api_stream_create_rules(const DynStreamRequest *s)
{
	if (s->spec == NULL)
		return;
	if (s->enabled && s->view == NULL)
		dynpg_req_invalid_parameter("Table is being created with a stream enabled, UpdateViewType is required");
	if (!s->enabled && s->view != NULL)
		dynpg_req_invalid_parameter("Table is being created with a stream disabled, UpdateViewType should not be specified");
}

void
dynpg_api_stream_update_rules(const DynStreamRequest *s, bool index_changes, bool capacity)
{
	if (s->spec == NULL)
		return;
	if (s->enabled && s->view == NULL)
		dynpg_req_invalid_parameter("If stream is being enabled then UpdateViewType is required");
	if (!s->enabled && s->view != NULL)
		dynpg_req_invalid_parameter("If stream is being disabled, then UpdateViewType must not be specified");
	if (index_changes)
		dynpg_req_invalid_parameter("You cannot create or delete index while changing stream status");
	if (capacity)
		dynpg_req_invalid_parameter("You cannot modify stream status while updating table IOPS");
}

static bool
def_string(Jsonb *def, const char *key, char **out)
{
	JsonbValue	v;

	if (getKeyJsonValueFromContainer(&def->root, key, strlen(key), &v) == NULL ||
		v.type != jbvString)
		return false;
	*out = pnstrdup(v.val.string.val, v.val.string.len);
	return true;
}

/* Whether the definition has an enabled stream (its view type in *view) */
static bool
def_stream_enabled(Jsonb *def, char **view)
{
	JsonbValue	spec;
	JsonbValue	v;

	if (getKeyJsonValueFromContainer(&def->root, "StreamSpecification", 19, &spec) == NULL ||
		spec.type != jbvBinary ||
		getKeyJsonValueFromContainer(spec.val.binary.data, "StreamEnabled", 13, &v) == NULL ||
		v.type != jbvBool || !v.val.boolean)
		return false;
	if (view != NULL)
	{
		*view = NULL;
		if (getKeyJsonValueFromContainer(spec.val.binary.data, "StreamViewType", 14, &v) != NULL &&
			v.type == jbvString)
			*view = pnstrdup(v.val.string.val, v.val.string.len);
	}
	return true;
}

void
dynpg_api_stream_update_check(const DynStreamRequest *s, Jsonb *stored, const char *table_name)
{
	bool		enabled;

	if (s->spec == NULL)
		return;
	enabled = def_stream_enabled(stored, NULL);
	if (s->enabled && enabled)
		dynpg_validation_error("Table already has an enabled stream: TableName: %s", table_name);
	if (!s->enabled && !enabled)
		dynpg_validation_error("Table has no stream to disable: TableName: %s", table_name);
}

static JsonbValue *
string_value(const char *s)
{
	JsonbValue *v = palloc0(sizeof(JsonbValue));

	v->type = jbvString;
	v->val.string.val = pstrdup(s);
	v->val.string.len = strlen(s);
	return v;
}

static JsonbValue *
int_value(int64 n)
{
	JsonbValue *v = palloc0(sizeof(JsonbValue));

	v->type = jbvNumeric;
	v->val.numeric = int64_to_numeric(n);
	return v;
}

/* A timestamp as DynamoDB's stream label: 2026-12-06T23:59:59.123 (UTC) */
static char *
label_of(TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "dynpg: timestamp out of range");
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year, tm.tm_mon, tm.tm_mday,
					tm.tm_hour, tm.tm_min, tm.tm_sec, (int) (fsec / 1000));
}

/* The definition with an enabled stream of view 'view' and a new label */
static Jsonb *
open_stream(Jsonb *def, const char *view)
{
	JsonbParseState *st = NULL;
	Jsonb	   *spec;
	int64		id = dynpg_stream_next_seq();
	char	   *old_label = NULL;
	TimestampTz now = GetCurrentTimestamp();
	char	   *label = label_of(now);

	/* a new stream needs a new label (its ARN): at least a millisecond later */
	while (def_string(def, "LatestStreamLabel", &old_label) && strcmp(old_label, label) >= 0)
	{
		now += 1000;
		label = label_of(now);
	}
	dynpg_jb_begin_object(&st, NULL);
	dynpg_jb_bool(&st, "StreamEnabled", true);
	dynpg_jb_string(&st, "StreamViewType", view);
	spec = dynpg_jb_finish(dynpg_jb_end_object(&st));
	def = dynpg_api_definition_with(def, "StreamSpecification", dynpg_api_jsonb_value(spec));
	def = dynpg_api_definition_with(def, "StreamId", string_value(psprintf(INT64_FORMAT, id)));
	def = dynpg_api_definition_with(def, "StreamShards", int_value(DYN_STREAM_SHARDS));
	def = dynpg_api_definition_with(def, "LatestStreamLabel", string_value(label));
	return def;
}

Jsonb *
dynpg_api_stream_define(Jsonb *def, const DynStreamRequest *s)
{
	if (s->spec == NULL || !s->enabled)
		return def;
	return open_stream(def, s->view);
}

/*
 * dynpg.streams is dynpg's: read and written as its owner, under a
 * restricted security context, so callers need no privilege on it (what
 * they may see is decided here, by the tables' privileges).  An error in
 * between ends the (sub)transaction, which restores the user.
 */
typedef struct AsOwner
{
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;	/* the search_path (base/dynpg_search_path.h) */
} AsOwner;

static Oid	relation_owner(Oid relid);

static void
as_owner_begin(AsOwner *s)
{
	GetUserIdAndSecContext(&s->save_userid, &s->save_sec);
	SetUserIdAndSecContext(relation_owner(dynpg_streams_relid()),
						   s->save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	s->save_nestlevel = dynpg_search_path_push();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
}

static void
as_owner_end(AsOwner *s)
{
	SPI_finish();
	dynpg_search_path_pop(s->save_nestlevel);
	SetUserIdAndSecContext(s->save_userid, s->save_sec);
}

static void
spi_exec(const char *sql, int nargs, Oid *types, Datum *values, int expected)
{
	AsOwner		s;
	int			rc;

	as_owner_begin(&s);
	rc = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0);
	if (rc != expected)
		elog(ERROR, "dynpg: \"%s\" failed: %s", sql, SPI_result_code_string(rc));
	as_owner_end(&s);
}

/* The owner of relation relid */
static Oid
relation_owner(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "dynpg: cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

void
dynpg_api_stream_register(Oid relid, Jsonb *def)
{
	char	   *view;
	char	   *id;
	char	   *label;
	char	   *table_id = "";
	char	   *table_name = "";
	JsonbValue	ks;
	Jsonb	   *key_schema = NULL;
	Oid			types[9] = {INT8OID, OIDOID, TEXTOID, TEXTOID, OIDOID, TEXTOID, TEXTOID, INT4OID,
	JSONBOID};
	Datum		values[9];

	if (!def_stream_enabled(def, &view) || view == NULL ||
		!def_string(def, "StreamId", &id) || !def_string(def, "LatestStreamLabel", &label))
		return;
	(void) def_string(def, "TableId", &table_id);
	(void) def_string(def, "TableName", &table_name);
	if (getKeyJsonValueFromContainer(&def->root, "KeySchema", 9, &ks) != NULL)
		key_schema = JsonbValueToJsonb(&ks);
	else
		key_schema = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("[]")));
	values[0] = Int64GetDatum(strtoll(id, NULL, 10));
	values[1] = ObjectIdGetDatum(relid);
	values[2] = CStringGetTextDatum(table_id);
	values[3] = CStringGetTextDatum(table_name);
	values[4] = ObjectIdGetDatum(relation_owner(relid));
	values[5] = CStringGetTextDatum(label);
	values[6] = CStringGetTextDatum(view);
	values[7] = Int32GetDatum(DYN_STREAM_SHARDS);
	values[8] = JsonbPGetDatum(key_schema);
	spi_exec("INSERT INTO dynpg.streams (stream_id, tbl, table_id, table_name, owner, label, view_type, shards, key_schema, created) "
			 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())",
			 9, types, values, SPI_OK_INSERT);
	/* its first shard generation: every number after the stream's */
	spi_exec("INSERT INTO dynpg.stream_shards (stream_id, generation, started_seq, started) "
			 "VALUES ($1, 0, $1, now())",
			 1, types, values, SPI_OK_INSERT);
}

/* Close the definition's stream, if it has one: no more records after end_seq */
static void
close_stream(Jsonb *def)
{
	char	   *id;
	Oid			types[2] = {INT8OID, INT8OID};
	Datum		values[2];

	if (!def_stream_enabled(def, NULL) || !def_string(def, "StreamId", &id))
		return;
	values[0] = Int64GetDatum(strtoll(id, NULL, 10));
	/* the row first: a rollover in progress ends before the end is drawn (am/dynpg_stream.c) */
	spi_exec("SELECT FROM dynpg.streams WHERE stream_id = $1 FOR UPDATE",
			 1, types, values, SPI_OK_SELECT);
	values[1] = Int64GetDatum(dynpg_stream_next_seq());
	spi_exec("UPDATE dynpg.streams SET end_seq = $2, closed = now() WHERE stream_id = $1 AND end_seq IS NULL",
			 2, types, values, SPI_OK_UPDATE);
	spi_exec("UPDATE dynpg.stream_shards SET ended_seq = $2, ended = now() WHERE stream_id = $1 AND ended_seq IS NULL",
			 2, types, values, SPI_OK_UPDATE);
}

Jsonb *
dynpg_api_stream_update_apply(Jsonb *def, const DynStreamRequest *s, Oid relid)
{
	if (s->spec == NULL)
		return def;
	if (s->enabled)
	{
		def = open_stream(def, s->view);
		dynpg_api_stream_register(relid, def);
		return def;
	}
	close_stream(def);
	def = dynpg_api_definition_with(def, "StreamSpecification", NULL);
	def = dynpg_api_definition_with(def, "StreamId", NULL);
	return dynpg_api_definition_with(def, "StreamShards", NULL);
}

Jsonb *
dynpg_api_stream_copy(Jsonb *to, Jsonb *from)
{
	static const char *const members[] = {
		"StreamSpecification", "StreamId", "StreamShards", "LatestStreamLabel", NULL
	};
	int			i;

	for (i = 0; members[i] != NULL; i++)
	{
		JsonbValue	v;

		if (getKeyJsonValueFromContainer(&from->root, members[i], strlen(members[i]), &v) != NULL)
		{
			JsonbValue *copy = palloc(sizeof(JsonbValue));

			*copy = v;
			to = dynpg_api_definition_with(to, members[i], copy);
		}
		else
			to = dynpg_api_definition_with(to, members[i], NULL);
	}
	return to;
}

void
dynpg_api_stream_table_deleted(Jsonb *def)
{
	close_stream(def);
}

void
dynpg_api_stream_push_description(JsonbParseState **st, Jsonb *def, const char *table_arn)
{
	char	   *view;
	char	   *label;

	if (def_stream_enabled(def, &view) && view != NULL)
	{
		dynpg_jb_begin_object(st, "StreamSpecification");
		dynpg_jb_bool(st, "StreamEnabled", true);
		dynpg_jb_string(st, "StreamViewType", view);
		dynpg_jb_end_object(st);
	}
	if (def_string(def, "LatestStreamLabel", &label))
	{
		dynpg_jb_string(st, "LatestStreamLabel", label);
		dynpg_jb_string(st, "LatestStreamArn", psprintf("%s/stream/%s", table_arn, label));
	}
}

/* ---------------------------------------------------------------------
 * The streams: rows of dynpg.streams
 * ---------------------------------------------------------------------
 */

typedef struct StreamRow
{
	int64		id;
	Oid			tbl;
	char	   *table_id;
	char	   *table_name;
	Oid			owner;
	char	   *label;
	char	   *view;
	int			shards;
	TimestampTz created;
	bool		closed;
	int64		end_seq;
	Jsonb	   *key_schema;
	int64		trimmed_to;		/* the largest number trimmed (0: none) */
} StreamRow;

#define STREAM_COLUMNS "stream_id, tbl, table_id, table_name, owner, label, view_type, shards, " \
	"created, end_seq, key_schema, trimmed_to"
/* the streams still kept: open, or closed within dynpg.stream_retention */
#define STREAM_LIVE "(closed IS NULL OR closed > now() - make_interval(mins => %d))"

/* Row 'i' of SPI_tuptable as a StreamRow, copied out of SPI's memory */
static void
stream_row(int i, StreamRow *r, MemoryContext cxt)
{
	HeapTuple	tup = SPI_tuptable->vals[i];
	TupleDesc	desc = SPI_tuptable->tupdesc;
	bool		isnull;
	MemoryContext old = MemoryContextSwitchTo(cxt);

	r->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
	r->tbl = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
	r->table_id = TextDatumGetCString(SPI_getbinval(tup, desc, 3, &isnull));
	r->table_name = TextDatumGetCString(SPI_getbinval(tup, desc, 4, &isnull));
	r->owner = DatumGetObjectId(SPI_getbinval(tup, desc, 5, &isnull));
	r->label = TextDatumGetCString(SPI_getbinval(tup, desc, 6, &isnull));
	r->view = TextDatumGetCString(SPI_getbinval(tup, desc, 7, &isnull));
	r->shards = DatumGetInt32(SPI_getbinval(tup, desc, 8, &isnull));
	r->created = DatumGetTimestampTz(SPI_getbinval(tup, desc, 9, &isnull));
	r->end_seq = DatumGetInt64(SPI_getbinval(tup, desc, 10, &isnull));
	r->closed = !isnull;
	if (!r->closed)
		r->end_seq = 0;
	r->key_schema = DatumGetJsonbPCopy(SPI_getbinval(tup, desc, 11, &isnull));
	r->trimmed_to = DatumGetInt64(SPI_getbinval(tup, desc, 12, &isnull));
	MemoryContextSwitchTo(old);
}

/* The streams 'sql' selects (STREAM_COLUMNS), with its one text argument */
static StreamRow *
select_streams(const char *sql, const char *arg1, const char *arg2, int *n)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	StreamRow  *rows;
	AsOwner		s;
	int			i;

	values[0] = arg1 != NULL ? CStringGetTextDatum(arg1) : (Datum) 0;
	values[1] = arg2 != NULL ? CStringGetTextDatum(arg2) : (Datum) 0;
	as_owner_begin(&s);
	sql = psprintf(sql, dynpg_stream_retention);
	if (SPI_execute_with_args(sql, (arg1 != NULL) + (arg2 != NULL), types, values, NULL, true, 0) !=
		SPI_OK_SELECT)
		elog(ERROR, "dynpg: reading dynpg.streams failed");
	*n = (int) SPI_processed;
	rows = MemoryContextAllocZero(cxt, sizeof(StreamRow) * Max(*n, 1));
	for (i = 0; i < *n; i++)
		stream_row(i, &rows[i], cxt);
	as_owner_end(&s);
	return rows;
}

static char *
stream_arn(const StreamRow *r)
{
	return psprintf("%s%s/stream/%s", DYNPG_TABLE_ARN_PREFIX, r->table_name, r->label);
}

/* The relation of the stream's table, if it still is that table */
static Oid
stream_table(const StreamRow *r)
{
	Oid			relid = dynpg_table_relid(r->table_name, true);
	Jsonb	   *def;
	char	   *table_id;

	if (!OidIsValid(relid) || relid != r->tbl)
		return InvalidOid;
	def = dynpg_relation_definition(relid);
	if (def == NULL || !def_string(def, "TableId", &table_id) || strcmp(table_id, r->table_id) != 0)
		return InvalidOid;
	return relid;
}

static bool
may_read(const StreamRow *r)
{
	Oid			relid = stream_table(r);

	if (OidIsValid(relid))
		return pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK;
	return has_privs_of_role(GetUserId(), r->owner);
}

static void
stream_not_found(const char *arn) pg_attribute_noreturn();

static void
stream_not_found(const char *arn)
{
	dynpg_raise(DYN_ERR_RESOURCE_NOT_FOUND, "Requested resource not found: Stream: %s not found", arn);
	pg_unreachable();
}

/* The stream a StreamArn names, readable by the current user */
static StreamRow *
find_stream(const char *arn)
{
	const char *rest;
	const char *mark;
	char	   *table_name;
	StreamRow  *rows;
	int			n;

	if (strncmp(arn, DYNPG_TABLE_ARN_PREFIX, strlen(DYNPG_TABLE_ARN_PREFIX)) != 0)
		stream_not_found(arn);
	rest = arn + strlen(DYNPG_TABLE_ARN_PREFIX);
	mark = strstr(rest, "/stream/");
	if (mark == NULL)
		stream_not_found(arn);
	table_name = pnstrdup(rest, mark - rest);
	rows = select_streams("SELECT " STREAM_COLUMNS " FROM dynpg.streams WHERE table_name = $1 AND label = $2 AND "
						  STREAM_LIVE, table_name, mark + strlen("/stream/"), &n);
	if (n != 1)
		stream_not_found(arn);
	if (!may_read(&rows[0]))
	{
		Oid			relid = stream_table(&rows[0]);

		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE,
					   OidIsValid(relid) ? get_rel_name(relid) : rows[0].table_name);
	}
	return &rows[0];
}

/* ---------------------------------------------------------------------
 * Shards, sequence numbers, iterators
 * ---------------------------------------------------------------------
 */

static int64
epoch_ms(TimestampTz t)
{
	return t / 1000 + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000;
}

static char *
shard_id(const StreamRow *r, int gen, int shard)
{
	return psprintf("shardId-%020lld-%04x%08x%04x", (long long) epoch_ms(r->created),
					(unsigned) (r->id & 0xFFFF), (unsigned) gen, (unsigned) shard);
}

/*
 * The shard (generation, hash range) 'id' names in stream 'r': false if it
 * is not one of the stream's (the generation may be gone: see find_gen)
 */
static bool
parse_shard(const StreamRow *r, const char *id, int *gen, int *shard)
{
	char	   *prefix = shard_id(r, 0, 0);
	size_t		stem = strlen(prefix) - 12;
	char	   *end;
	uint64		v;
	char	   *digits;

	if (strlen(id) != strlen(prefix) || strncmp(id, prefix, stem) != 0 ||
		strspn(id + stem, "0123456789abcdef") != 12)
		return false;
	digits = pnstrdup(id + stem, 8);
	v = strtoull(digits, &end, 16);
	if (v > PG_INT32_MAX)
		return false;
	*gen = (int) v;
	*shard = (int) strtoul(id + stem + 8, &end, 16);
	return *shard < r->shards;
}

/* A shard generation: its numbers are start < n < end (end 0: open) */
typedef struct ShardGen
{
	int			gen;
	int64		start;
	int64		end;
} ShardGen;

/*
 * The stream's generations in order, as 'snap' sees them.  Take the horizon
 * before the snapshot: a generation ended below the horizon is then seen
 * ended (its rollover held the end number until it committed).  A closed
 * stream ends its last generation at the stream's end at the latest.
 */
static ShardGen *
load_gens(const StreamRow *r, Snapshot snap, int *n)
{
	Relation	rel = table_open(dynpg_stream_shards_relid(), AccessShareLock);
	Relation	index = index_open(dynpg_stream_shards_index(), AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	int			cap = 8;
	ShardGen   *gens = palloc(sizeof(ShardGen) * cap);

	*n = 0;
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(r->id));
	scan = systable_beginscan_ordered(rel, index, snap, 1, &key);
	while ((tup = systable_getnext_ordered(scan, ForwardScanDirection)) != NULL)
	{
		bool		isnull;
		TupleDesc	desc = RelationGetDescr(rel);
		ShardGen   *g;

		if (*n == cap)
		{
			cap *= 2;
			gens = repalloc(gens, sizeof(ShardGen) * cap);
		}
		g = &gens[(*n)++];
		g->gen = DatumGetInt32(heap_getattr(tup, 2, desc, &isnull));
		g->start = DatumGetInt64(heap_getattr(tup, 3, desc, &isnull));
		g->end = DatumGetInt64(heap_getattr(tup, 5, desc, &isnull));
		if (isnull)
			g->end = 0;
		if (r->closed && (g->end == 0 || g->end > r->end_seq))
			g->end = Max(r->end_seq, g->start + 1);
	}
	systable_endscan_ordered(scan);
	index_close(index, AccessShareLock);
	table_close(rel, AccessShareLock);
	return gens;
}

/* Generation 'gen' among 'gens', or NULL */
static ShardGen *
find_gen(ShardGen *gens, int n, int gen)
{
	int			i;

	for (i = 0; i < n; i++)
		if (gens[i].gen == gen)
			return &gens[i];
	return NULL;
}

static char *
seq_text(int64 seq)
{
	return psprintf("%021lld", (long long) seq);
}

/* A SequenceNumber's value; false if it is not one dynpg could have given */
static bool
parse_seq(const char *s, int64 *out)
{
	const char *p = s;

	if (*p == '\0' || strspn(s, "0123456789") != strlen(s))
		return false;
	while (*p == '0' && p[1] != '\0')
		p++;
	if (strlen(p) > 18)
		return false;
	*out = strtoll(p, NULL, 10);
	return true;
}

static char *
make_iterator(const StreamRow *r, int gen, int shard, int64 after)
{
	return psprintf("%s|2|%08x%04x%016llx%016llx", stream_arn(r), (unsigned) gen, (unsigned) shard,
					(unsigned long long) after,
					(unsigned long long) epoch_ms(GetCurrentTimestamp()));
}

static void
invalid_iterator(void) pg_attribute_noreturn();

static void
invalid_iterator(void)
{
	dynpg_validation_error("Invalid ShardIterator");
	pg_unreachable();
}

static uint64
hex_field(const char *s, int len)
{
	char	   *text = pnstrdup(s, len);
	char	   *end;
	uint64		v;

	if (strspn(text, "0123456789abcdef") != (size_t) len)
		invalid_iterator();
	v = strtoull(text, &end, 16);
	return v;
}

/* Java's Date.toString() of an epoch-ms time, in UTC, as the expiry message has it */
static char *
java_date(int64 ms)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
	"Sep", "Oct", "Nov", "Dec"};
	TimestampTz t = (ms - (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000) * 1000;
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		return psprintf("%lld", (long long) ms);
	return psprintf("%s %s %02d %02d:%02d:%02d UTC %04d", days[j2day(date2j(tm.tm_year, tm.tm_mon, tm.tm_mday))],
					months[tm.tm_mon - 1], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year);
}

/* A ShardIterator: its stream, shard and position; ExpiredIteratorException when too old */
static StreamRow *
read_iterator(const char *it, int *gen, int *shard, int64 *after)
{
	const char *bar = strrchr(it, '|');
	char	   *arn;
	StreamRow  *r;
	int64		issued;
	int64		now;

	uint64		g;

	if (bar == NULL || bar - it < 3 || strncmp(bar - 2, "|2", 2) != 0 || strlen(bar + 1) != 44)
		invalid_iterator();
	arn = pnstrdup(it, bar - 2 - it);
	g = hex_field(bar + 1, 8);
	*shard = (int) hex_field(bar + 9, 4);
	*after = (int64) hex_field(bar + 13, 16);
	issued = (int64) hex_field(bar + 29, 16);
	r = find_stream(arn);
	if (g > PG_INT32_MAX || *shard >= r->shards || *after < 0)
		invalid_iterator();
	*gen = (int) g;
	now = epoch_ms(GetCurrentTimestamp());
	if (now - issued > ITERATOR_LIFETIME_MS)
		dynpg_raise(DYN_ERR_EXPIRED_ITERATOR,
					"Iterator expired. The iterator was created at time %s while right now it's %s which is further in the future than the tolerated delay of %d milliseconds.",
					java_date(issued), java_date(now), ITERATOR_LIFETIME_MS);
	return r;
}

/* A position before the stream's trim point: its records are gone */
static void
trimmed(const StreamRow *r) pg_attribute_noreturn();

static void
trimmed(const StreamRow *r)
{
	dynpg_raise(DYN_ERR_TRIMMED_DATA_ACCESS,
				"The operation attempted to read past the oldest stream record in a shard. "
				"Records up to sequence number %s of stream %s are beyond the retention period (dynpg.stream_retention).",
				seq_text(r->trimmed_to), stream_arn(r));
	pg_unreachable();
}

/* ---------------------------------------------------------------------
 * ListStreams
 * ---------------------------------------------------------------------
 */

DynJson *
dynpg_api_list_streams(DynJson *request)
{
	DynRequest	req;
	char	   *table_name;
	char	   *start;
	int64		limit = LIST_LIMIT_MAX;
	int64		given_limit;
	bool		has_limit;
	StreamRow  *rows;
	int			n;
	int			i;
	int			shown = 0;
	char	   *last = NULL;
	bool		passed;
	DynOut	   *o = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "ListStreams", request);
	table_name = dynpg_req_string(req.root, "TableName");
	has_limit = dynpg_req_long(req.root, "Limit", true, &given_limit);
	if (has_limit)
		limit = given_limit;
	start = dynpg_req_string(req.root, "ExclusiveStartStreamArn");
	if (table_name != NULL)
		dynpg_req_table_name(&req, table_name, "TableName", 3, true);
	if (has_limit)
		dynpg_req_range(&req, limit, "Limit", 1, LIST_LIMIT_MAX);
	if (start != NULL)
		dynpg_req_length(&req, start, "ExclusiveStartStreamArn", 37, 1024);
	dynpg_req_finish(&req);

	if (table_name != NULL)
		rows = select_streams("SELECT " STREAM_COLUMNS " FROM dynpg.streams WHERE table_name = $1 AND "
							  STREAM_LIVE " ORDER BY table_name, stream_id", table_name, NULL, &n);
	else
		rows = select_streams("SELECT " STREAM_COLUMNS " FROM dynpg.streams WHERE "
							  STREAM_LIVE " ORDER BY table_name, stream_id", NULL, NULL, &n);
	if (table_name != NULL && n == 0 && !OidIsValid(dynpg_table_relid(table_name, true)))
		dynpg_req_table_not_found(table_name);

	dynpg_out_begin_object(&o, NULL);
	dynpg_out_begin_array(&o, "Streams");
	passed = (start == NULL);
	for (i = 0; i < n; i++)
	{
		char	   *arn = stream_arn(&rows[i]);

		if (!passed)
		{
			passed = strcmp(arn, start) == 0;
			continue;
		}
		if (!may_read(&rows[i]))
			continue;
		if (shown == limit)
			break;
		dynpg_out_begin_object(&o, NULL);
		dynpg_out_string(&o, "StreamArn", arn);
		dynpg_out_string(&o, "TableName", rows[i].table_name);
		dynpg_out_string(&o, "StreamLabel", rows[i].label);
		dynpg_out_end_object(&o);
		shown++;
		last = arn;
	}
	dynpg_out_end_array(&o);
	if (i < n && last != NULL)
		dynpg_out_string(&o, "LastEvaluatedStreamArn", last);
	return dynpg_out_finish(dynpg_out_end_object(&o));
}

/* ---------------------------------------------------------------------
 * DescribeStream
 * ---------------------------------------------------------------------
 */

DynJson *
dynpg_api_describe_stream(DynJson *request)
{
	DynRequest	req;
	char	   *arn;
	char	   *start;
	int64		limit = LIST_LIMIT_MAX;
	int64		given_limit;
	bool		has_limit;
	DynJson    *filter;
	char	   *filter_type = NULL;
	char	   *filter_shard = NULL;
	StreamRow  *r;
	ShardGen   *gens;
	int			ngens;
	int			g;
	int			i;
	int			shown = 0;
	bool		more = false;
	bool		filtering;
	int64		start_pos = -1;	/* list shards after this (generation, range) */
	int			child_of = -1;	/* the filter shard's generation and range */
	int			child_range = 0;
	char	   *last = NULL;
	Snapshot	snap;
	DynOut	   *o = NULL;
	static const char *const filter_types[] = {"CHILD_SHARDS", NULL};

	dynpg_require_preload();
	dynpg_req_start(&req, "DescribeStream", request);
	arn = dynpg_req_string(req.root, "StreamArn");
	has_limit = dynpg_req_long(req.root, "Limit", true, &given_limit);
	if (has_limit)
		limit = given_limit;
	start = dynpg_req_string(req.root, "ExclusiveStartShardId");
	filter = dynpg_req_struct(req.root, "ShardFilter");
	if (filter != NULL)
	{
		filter_type = dynpg_req_string(filter, "Type");
		filter_shard = dynpg_req_string(filter, "ShardId");
	}
	dynpg_req_not_null(&req, arn != NULL, "StreamArn");
	dynpg_req_length(&req, arn, "StreamArn", 37, 1024);
	if (has_limit)
		dynpg_req_range(&req, limit, "Limit", 1, LIST_LIMIT_MAX);
	dynpg_req_length(&req, start, "ExclusiveStartShardId", 28, 65);
	if (filter != NULL)
	{
		dynpg_req_enum(&req, filter_type, "ShardFilter.Type", filter_types);
		dynpg_req_length(&req, filter_shard, "ShardFilter.ShardId", 28, 65);
	}
	dynpg_req_finish(&req);

	r = find_stream(arn);
	snap = RegisterSnapshot(GetLatestSnapshot());
	gens = load_gens(r, snap, &ngens);
	UnregisterSnapshot(snap);
	if (start != NULL)
	{
		int			sg;
		int			si;

		/* a shard not of this stream: nothing after it */
		start_pos = parse_shard(r, start, &sg, &si) ? (int64) sg * r->shards + si : PG_INT64_MAX;
	}
	/* CHILD_SHARDS (the only type): a shard not of this stream, or none, has no children */
	filtering = filter != NULL && filter_type != NULL;
	if (filtering &&
		(filter_shard == NULL || !parse_shard(r, filter_shard, &child_of, &child_range) ||
		 child_of == PG_INT32_MAX))
		ngens = 0;

	dynpg_out_begin_object(&o, NULL);
	dynpg_out_begin_object(&o, "StreamDescription");
	dynpg_out_string(&o, "StreamArn", arn);
	dynpg_out_string(&o, "StreamLabel", r->label);
	dynpg_out_string(&o, "StreamStatus", r->closed ? "DISABLED" : "ENABLED");
	dynpg_out_string(&o, "StreamViewType", r->view);
	dynpg_out_numeric_text(&o, "CreationRequestDateTime",
						   psprintf("%lld.%03d", (long long) (epoch_ms(r->created) / 1000),
									(int) (epoch_ms(r->created) % 1000)));
	dynpg_out_string(&o, "TableName", r->table_name);
	dynpg_out_json(&o, "KeySchema", dynpg_json_from_jsonb(r->key_schema));
	dynpg_out_begin_array(&o, "Shards");
	/* every shard of the kept generations, oldest first; or a shard's children */
	for (g = 0; g < ngens && !more; g++)
	{
		if (filtering && gens[g].gen != child_of + 1)
			continue;
		for (i = 0; i < r->shards; i++)
		{
			if (filtering && i != child_range)
				continue;
			if ((int64) gens[g].gen * r->shards + i <= start_pos)
				continue;
			if (shown == limit)
			{
				more = true;
				break;
			}
			dynpg_out_begin_object(&o, NULL);
			dynpg_out_string(&o, "ShardId", shard_id(r, gens[g].gen, i));
			if (gens[g].gen > 0)
				dynpg_out_string(&o, "ParentShardId", shard_id(r, gens[g].gen - 1, i));
			dynpg_out_begin_object(&o, "SequenceNumberRange");
			dynpg_out_string(&o, "StartingSequenceNumber", seq_text(gens[g].start + 1));
			/* the last number it can hold */
			if (gens[g].end != 0)
				dynpg_out_string(&o, "EndingSequenceNumber", seq_text(gens[g].end - 1));
			dynpg_out_end_object(&o);
			dynpg_out_end_object(&o);
			last = shard_id(r, gens[g].gen, i);
			shown++;
		}
	}
	dynpg_out_end_array(&o);
	if (more && last != NULL)
		dynpg_out_string(&o, "LastEvaluatedShardId", last);
	dynpg_out_end_object(&o);
	return dynpg_out_finish(dynpg_out_end_object(&o));
}

/* ---------------------------------------------------------------------
 * GetShardIterator
 * ---------------------------------------------------------------------
 */

/* The position before which every record of the stream is decided */
static int64
stream_horizon(const StreamRow *r)
{
	/* a closed stream's records all committed before it closed */
	if (r->closed)
		return r->end_seq;
	return dynpg_stream_horizon();
}

DynJson *
dynpg_api_get_shard_iterator(DynJson *request)
{
	DynRequest	req;
	char	   *arn;
	char	   *shard_text;
	char	   *type;
	char	   *seq_given;
	StreamRow  *r;
	int			gen;
	int			shard;
	int64		after;
	int64		seq = 0;
	int64		horizon;
	ShardGen   *gens;
	ShardGen   *g = NULL;
	int			ngens;
	Snapshot	snap;
	DynOut	   *o = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "GetShardIterator", request);
	arn = dynpg_req_string(req.root, "StreamArn");
	shard_text = dynpg_req_string(req.root, "ShardId");
	type = dynpg_req_string(req.root, "ShardIteratorType");
	seq_given = dynpg_req_string(req.root, "SequenceNumber");
	dynpg_req_not_null(&req, arn != NULL, "StreamArn");
	dynpg_req_length(&req, arn, "StreamArn", 37, 1024);
	dynpg_req_not_null(&req, shard_text != NULL, "ShardId");
	dynpg_req_length(&req, shard_text, "ShardId", 28, 65);
	dynpg_req_not_null(&req, type != NULL, "ShardIteratorType");
	dynpg_req_enum(&req, type, "ShardIteratorType", iterator_types);
	dynpg_req_length(&req, seq_given, "SequenceNumber", 21, 40);
	dynpg_req_finish(&req);

	if ((strcmp(type, "AT_SEQUENCE_NUMBER") == 0 || strcmp(type, "AFTER_SEQUENCE_NUMBER") == 0))
	{
		if (seq_given == NULL)
			dynpg_validation_error("SequenceNumber is required for ShardIteratorType %s", type);
		if (!parse_seq(seq_given, &seq))
			dynpg_validation_error("Invalid SequenceNumber: %s", seq_given);
	}
	r = find_stream(arn);
	/* the horizon, then the generations (load_gens) */
	horizon = stream_horizon(r);
	snap = RegisterSnapshot(GetLatestSnapshot());
	gens = load_gens(r, snap, &ngens);
	UnregisterSnapshot(snap);
	if (parse_shard(r, shard_text, &gen, &shard))
		g = find_gen(gens, ngens, gen);
	if (g == NULL)
		dynpg_raise(DYN_ERR_RESOURCE_NOT_FOUND,
					"Requested resource not found: Shard: %s in Stream: %s not found", shard_text, arn);
	if (g->end != 0)
		horizon = Min(horizon, g->end);
	if (strcmp(type, "TRIM_HORIZON") == 0)
	{
		after = Max(g->start, r->trimmed_to);
		/* a closed shard trimmed to its end: at its end */
		if (g->end != 0)
			after = Min(after, g->end - 1);
	}
	else if (strcmp(type, "LATEST") == 0)
		after = Max(horizon - 1, g->start);
	else
	{
		after = strcmp(type, "AT_SEQUENCE_NUMBER") == 0 ? seq - 1 : seq;
		if (seq <= g->start || (g->end != 0 && seq >= g->end))
			dynpg_validation_error("Invalid SequenceNumber: %s is not in the range of shard %s",
								   seq_given, shard_text);
		if (after < r->trimmed_to)
			trimmed(r);
	}
	dynpg_out_begin_object(&o, NULL);
	dynpg_out_string(&o, "ShardIterator", make_iterator(r, gen, shard, after));
	return dynpg_out_finish(dynpg_out_end_object(&o));
}

/* ---------------------------------------------------------------------
 * GetRecords
 * ---------------------------------------------------------------------
 */

static const char *
event_name(char e)
{
	return e == DYN_STREAM_INSERT ? "INSERT" : e == DYN_STREAM_MODIFY ? "MODIFY" : "REMOVE";
}

static DynItem *
item_copy(Datum d)
{
	return (DynItem *) PG_DETOAST_DATUM_COPY(d);
}

DynJson *
dynpg_api_get_records(DynJson *request)
{
	DynRequest	req;
	char	   *it;
	int64		limit = GET_RECORDS_MAX;
	int64		given_limit;
	bool		has_limit;
	StreamRow  *r;
	int			gen;
	int			shard;
	int64		after;
	int64		horizon;
	int64		last;
	ShardGen   *gens;
	ShardGen   *g;
	int			ngens;
	int			count = 0;
	int64		bytes = 0;
	bool		more = false;
	Relation	records;
	Relation	index;
	Snapshot	snap;
	SysScanDesc scan;
	ScanKeyData keys[3];
	HeapTuple	tup;
	DynOut	   *o = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "GetRecords", request);
	it = dynpg_req_string(req.root, "ShardIterator");
	has_limit = dynpg_req_long(req.root, "Limit", true, &given_limit);
	if (has_limit)
		limit = given_limit;
	dynpg_req_not_null(&req, it != NULL, "ShardIterator");
	dynpg_req_length(&req, it, "ShardIterator", 1, 2048);
	if (has_limit)
		dynpg_req_range(&req, limit, "Limit", 1, GET_RECORDS_MAX);
	dynpg_req_finish(&req);

	r = read_iterator(it, &gen, &shard, &after);
	if (after < r->trimmed_to)
		trimmed(r);
	/* the horizon first, then a snapshot that sees everything committed below it */
	horizon = stream_horizon(r);
	last = after;
	snap = RegisterSnapshot(GetLatestSnapshot());
	gens = load_gens(r, snap, &ngens);
	g = find_gen(gens, ngens, gen);
	/* a generation no longer kept: its records are gone */
	if (g == NULL)
		trimmed(r);
	if (after < g->start || (g->end != 0 && after >= g->end))
		invalid_iterator();
	/* the shard's records: its range's, in its generation's numbers */
	if (g->end != 0)
		horizon = Min(horizon, g->end);

	records = table_open(dynpg_stream_records_relid(), AccessShareLock);
	index = index_open(dynpg_stream_records_index(), AccessShareLock);
	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(r->id));
	ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT2EQ, Int16GetDatum((int16) shard));
	ScanKeyInit(&keys[2], 3, BTGreaterStrategyNumber, F_INT8GT, Int64GetDatum(after));
	scan = systable_beginscan_ordered(records, index, snap, 3, keys);

	dynpg_out_begin_object(&o, NULL);
	dynpg_out_begin_array(&o, "Records");
	while ((tup = systable_getnext_ordered(scan, ForwardScanDirection)) != NULL)
	{
		Datum		values[DYN_STREAM_RECORD_NATTS];
		bool		nulls[DYN_STREAM_RECORD_NATTS];
		int64		seq;
		char		event;
		int32		size;
		TimestampTz created;

		heap_deform_tuple(tup, RelationGetDescr(records), values, nulls);
		seq = DatumGetInt64(values[2]);
		if (seq >= horizon)
			break;
		size = DatumGetInt32(values[5]);
		if (count >= limit || (count > 0 && bytes + size > GET_RECORDS_MAX_BYTES))
		{
			more = true;
			break;
		}
		event = DatumGetChar(values[3]);
		created = DatumGetTimestampTz(values[4]);

		dynpg_out_begin_object(&o, NULL);
		dynpg_out_string(&o, "eventID", psprintf("%016llx%016llx", (unsigned long long) r->id,
												 (unsigned long long) seq));
		dynpg_out_string(&o, "eventName", event_name(event));
		dynpg_out_string(&o, "eventVersion", "1.1");
		dynpg_out_string(&o, "eventSource", "aws:dynamodb");
		dynpg_out_string(&o, "awsRegion", "ddblocal");
		dynpg_out_begin_object(&o, "dynamodb");
		dynpg_out_int64(&o, "ApproximateCreationDateTime", epoch_ms(created) / 1000);
		dynpg_out_item(&o, "Keys", item_copy(values[7]));
		if (!nulls[9])
			dynpg_out_item(&o, "NewImage", item_copy(values[9]));
		if (!nulls[8])
			dynpg_out_item(&o, "OldImage", item_copy(values[8]));
		dynpg_out_string(&o, "SequenceNumber", seq_text(seq));
		dynpg_out_int64(&o, "SizeBytes", Max(size, 1));
		dynpg_out_string(&o, "StreamViewType", r->view);
		dynpg_out_end_object(&o);
		if (DatumGetBool(values[6]))
		{
			dynpg_out_begin_object(&o, "userIdentity");
			dynpg_out_string(&o, "type", "Service");
			dynpg_out_string(&o, "principalId", "dynamodb.amazonaws.com");
			dynpg_out_end_object(&o);
		}
		dynpg_out_end_object(&o);
		count++;
		bytes += size;
		last = seq;
	}
	systable_endscan_ordered(scan);
	UnregisterSnapshot(snap);
	index_close(index, AccessShareLock);
	table_close(records, AccessShareLock);
	dynpg_out_end_array(&o);

	/* nothing between the position and the horizon is left unread: move up to it */
	if (!more)
		last = Max(last, horizon - 1);
	/* a closed shard read to its end has no next iterator: its children go on */
	if (!(g->end != 0 && !more && last >= g->end - 1))
		dynpg_out_string(&o, "NextShardIterator", make_iterator(r, gen, shard, last));
	return dynpg_out_finish(dynpg_out_end_object(&o));
}

/* ---------------------------------------------------------------------
 * dynpg.stream_records(table, after, max_records): for psql users
 * ---------------------------------------------------------------------
 */

typedef struct SqlRecord
{
	int64		seq;
	int			gen;
	int			shard;
	char		event;
	TimestampTz created;
	int32		size;
	Datum		keys;
	Datum		old_image;
	Datum		new_image;
} SqlRecord;

static int
sql_record_cmp(const void *a, const void *b)
{
	int64		x = ((const SqlRecord *) a)->seq;
	int64		y = ((const SqlRecord *) b)->seq;

	return x < y ? -1 : x > y ? 1 : 0;
}

PG_FUNCTION_INFO_V1(dynpg_stream_records_sql);
Datum
dynpg_stream_records_sql(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *table_name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int64		after = 0;
	int32		max_records = PG_ARGISNULL(2) ? 1000 : PG_GETARG_INT32(2);
	StreamRow  *rows;
	StreamRow  *r;
	int			n;
	int64		horizon;
	Relation	records;
	Relation	index;
	Snapshot	snap;
	SqlRecord  *got;
	int			ngot = 0;
	int			cap;
	int			shard;
	int			i;
	ShardGen   *gens;
	int			ngens;

	dynpg_require_preload();
	InitMaterializedSRF(fcinfo, 0);
	if (!PG_ARGISNULL(1))
	{
		char	   *given = text_to_cstring(PG_GETARG_TEXT_PP(1));

		if (!parse_seq(given, &after))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" is not a sequence number", given)));
	}
	if (max_records < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_records must be at least 1")));
	if (!OidIsValid(dynpg_table_relid(table_name, true)))
		dynpg_req_table_not_found(table_name);

	/* the table's newest stream, open or still kept */
	rows = select_streams("SELECT " STREAM_COLUMNS " FROM dynpg.streams WHERE table_name = $1 AND "
						  STREAM_LIVE " ORDER BY stream_id DESC LIMIT 1", table_name, NULL, &n);
	if (n == 0)
		PG_RETURN_NULL();		/* no stream: no records */
	r = &rows[0];
	if (!may_read(r))
	{
		Oid			relid = stream_table(r);

		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE,
					   OidIsValid(relid) ? get_rel_name(relid) : r->table_name);
	}
	if (after < r->trimmed_to && after != 0)
		trimmed(r);
	after = Max(after, Max(r->id, r->trimmed_to));
	horizon = stream_horizon(r);

	/* each shard's first max_records after 'after', merged in number order */
	cap = Max(max_records, 16);
	got = palloc(sizeof(SqlRecord) * cap);
	records = table_open(dynpg_stream_records_relid(), AccessShareLock);
	index = index_open(dynpg_stream_records_index(), AccessShareLock);
	snap = RegisterSnapshot(GetLatestSnapshot());
	/* the generations, to name each record's shard (a range's records span them) */
	gens = load_gens(r, snap, &ngens);
	for (shard = 0; shard < r->shards; shard++)
	{
		ScanKeyData keys[3];
		SysScanDesc scan;
		HeapTuple	tup;
		int			taken = 0;

		ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(r->id));
		ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT2EQ, Int16GetDatum((int16) shard));
		ScanKeyInit(&keys[2], 3, BTGreaterStrategyNumber, F_INT8GT, Int64GetDatum(after));
		scan = systable_beginscan_ordered(records, index, snap, 3, keys);
		while (taken < max_records &&
			   (tup = systable_getnext_ordered(scan, ForwardScanDirection)) != NULL)
		{
			Datum		values[DYN_STREAM_RECORD_NATTS];
			bool		nulls[DYN_STREAM_RECORD_NATTS];
			SqlRecord  *s;
			int			k;

			heap_deform_tuple(tup, RelationGetDescr(records), values, nulls);
			if (DatumGetInt64(values[2]) >= horizon)
				break;
			if (ngot == cap)
			{
				cap *= 2;
				got = repalloc(got, sizeof(SqlRecord) * cap);
			}
			s = &got[ngot++];
			s->seq = DatumGetInt64(values[2]);
			s->shard = shard;
			/* the generation whose numbers hold it (the oldest kept, if older) */
			s->gen = ngens > 0 ? gens[0].gen : 0;
			for (k = ngens - 1; k >= 0; k--)
				if (gens[k].start < s->seq)
				{
					s->gen = gens[k].gen;
					break;
				}
			s->event = DatumGetChar(values[3]);
			s->created = DatumGetTimestampTz(values[4]);
			s->size = DatumGetInt32(values[5]);
			s->keys = PointerGetDatum(item_copy(values[7]));
			s->old_image = nulls[8] ? (Datum) 0 : PointerGetDatum(item_copy(values[8]));
			s->new_image = nulls[9] ? (Datum) 0 : PointerGetDatum(item_copy(values[9]));
			taken++;
		}
		systable_endscan_ordered(scan);
	}
	UnregisterSnapshot(snap);
	index_close(index, AccessShareLock);
	table_close(records, AccessShareLock);

	qsort(got, ngot, sizeof(SqlRecord), sql_record_cmp);
	for (i = 0; i < ngot && i < max_records; i++)
	{
		Datum		values[8];
		bool		nulls[8] = {false, false, false, false, false, false, false, false};

		values[0] = CStringGetTextDatum(seq_text(got[i].seq));
		values[1] = CStringGetTextDatum(shard_id(r, got[i].gen, got[i].shard));
		values[2] = CStringGetTextDatum(event_name(got[i].event));
		values[3] = got[i].keys;
		values[4] = got[i].new_image;
		nulls[4] = got[i].new_image == (Datum) 0;
		values[5] = got[i].old_image;
		nulls[5] = got[i].old_image == (Datum) 0;
		values[6] = TimestampTzGetDatum(got[i].created);
		values[7] = Int32GetDatum(got[i].size);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
