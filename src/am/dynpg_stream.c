/*-------------------------------------------------------------------------
 *
 * dynpg_stream.c
 *	  DynamoDB Streams: appending records in the writing transaction, and
 *	  the cluster-wide sequence numbers with their horizon (dynpg_stream.h).
 *
 * Shared memory holds the next number and, per backend, the smallest
 * number its open transaction has drawn (0: none).  Drawing takes the
 * spinlock, so a reader's horizon -- the smallest held number, or the next
 * number when none is held -- is exact: a number below it was drawn by a
 * transaction that no longer holds it, i.e. has ended.  The hold is
 * dropped by the transaction callback at COMMIT (called after the commit
 * is visible in the proc array) or ABORT, and when the process exits.
 * PREPARE TRANSACTION is refused for a transaction holding a number: its
 * commit would come from another process, after the horizon has moved.
 *
 * The next number starts at the WAL insert position and never goes below
 * it: every drawn number is followed by the WAL record of the row that
 * carries it, so numbers drawn before a crash are below any WAL position
 * after it, and the counter needs no persistence.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "commands/async.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/lsyscache.h"
#include "utils/memdebug.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/snapmgr.h"
#include "utils/fmgrprotos.h"

#include "am/dynpg_stream.h"
#include "base/dynpg_preload.h"
#include "index/dynpg_index.h"

typedef struct StreamShared
{
	slock_t		mutex;
	int64		next;			/* the next number to draw (0: not yet set) */
	int			nslots;
	int64		held[FLEXIBLE_ARRAY_MEMBER];	/* per backend: smallest number held */
} StreamShared;

int			dynpg_stream_retention = 24 * 60;	/* minutes */
bool		dynpg_stream_notify = false;
int			dynpg_stream_shard_rollover = 4 * 60;	/* minutes */
int			dynpg_stream_shard_max_records = 1000000;

static StreamShared *stream_shared = NULL;
static Oid	dynpg_relation(const char *name);
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;
static bool holding = false;	/* this backend's slot holds a number */

static Size
stream_shmem_size(void)
{
	return add_size(offsetof(StreamShared, held), mul_size(MaxBackends, sizeof(int64)));
}

static void
stream_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(stream_shmem_size());
}

static void
stream_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	stream_shared = ShmemInitStruct("dynpg stream numbers", stream_shmem_size(), &found);
	if (!found)
	{
		memset(stream_shared, 0, stream_shmem_size());
		SpinLockInit(&stream_shared->mutex);
		stream_shared->nslots = MaxBackends;
	}
	LWLockRelease(AddinShmemInitLock);
}

static int
my_slot(void)
{
	if (MyBackendId == InvalidBackendId || MyBackendId > stream_shared->nslots)
		elog(ERROR, "dynpg: this process cannot write to a table with a stream");
	return MyBackendId - 1;
}

static void
release_hold(void)
{
	if (!holding || stream_shared == NULL)
		return;
	SpinLockAcquire(&stream_shared->mutex);
	stream_shared->held[my_slot()] = 0;
	SpinLockRelease(&stream_shared->mutex);
	holding = false;
}

static void
stream_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			release_hold();
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (holding)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot PREPARE a transaction that has written to a DynamoDB table with a stream")));
			break;
		default:
			break;
	}
}

static void
stream_shmem_exit(int code, Datum arg)
{
	release_hold();
}

void
dynpg_stream_init(void)
{
	DefineCustomIntVariable("dynpg.stream_retention",
							"How long DynamoDB stream records, and closed streams, are kept.",
							"The database's dynpg worker deletes older records; a reader "
							"positioned before them gets TrimmedDataAccessException.  "
							"DynamoDB keeps them 24 hours.",
							&dynpg_stream_retention,
							24 * 60, 1, 365 * 24 * 60,
							PGC_SIGHUP, GUC_UNIT_MIN,
							NULL, NULL, NULL);
	DefineCustomBoolVariable("dynpg.stream_notify",
							 "NOTIFY dynpg_stream, with the table's name, when a transaction that wrote stream records commits.",
							 "For SQL consumers that LISTEN instead of polling.  PostgreSQL "
							 "serializes the commits of notifying transactions, so it is off by default.",
							 &dynpg_stream_notify,
							 false,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("dynpg.stream_shard_rollover",
							"How long a stream's shards stay open before the worker closes them and opens their children.",
							"DynamoDB's shards last about 4 hours.",
							&dynpg_stream_shard_rollover,
							4 * 60, 1, 365 * 24 * 60,
							PGC_SIGHUP, GUC_UNIT_MIN,
							NULL, NULL, NULL);
	DefineCustomIntVariable("dynpg.stream_shard_max_records",
							"A shard's size, in records, at which the worker closes the stream's shards and opens their children.",
							NULL,
							&dynpg_stream_shard_max_records,
							1000000, 1000, PG_INT32_MAX,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = stream_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = stream_shmem_startup;
	RegisterXactCallback(stream_xact_callback, NULL);
}

int64
dynpg_stream_next_seq(void)
{
	int64		lsn = (int64) GetXLogInsertRecPtr();
	int64		seq;
	int			slot;
	static bool exit_registered = false;

	dynpg_require_preload();
	slot = my_slot();
	if (!exit_registered)
	{
		before_shmem_exit(stream_shmem_exit, (Datum) 0);
		exit_registered = true;
	}
	SpinLockAcquire(&stream_shared->mutex);
	seq = Max(stream_shared->next, lsn);
	if (seq <= 0)
		seq = 1;
	stream_shared->next = seq + 1;
	if (stream_shared->held[slot] == 0)
		stream_shared->held[slot] = seq;
	SpinLockRelease(&stream_shared->mutex);
	holding = true;
	return seq;
}

/*
 * On a standby: the horizon the primary's worker last published in
 * dynpg.stream_horizon.  Every number below it belonged, when the primary
 * computed it, to a transaction that had ended, whose commit record comes
 * before the publishing transaction's in the WAL: a snapshot that sees the
 * published value has replayed all of those commits.
 */
static int64
published_horizon(void)
{
	Oid			relid = dynpg_relation("stream_horizon");
	Relation	rel = table_open(relid, AccessShareLock);
	Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
	TableScanDesc scan = table_beginscan(rel, snap, 0, NULL);
	HeapTuple	tup;
	int64		horizon = 0;

	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, 1, RelationGetDescr(rel), &isnull);

		if (!isnull)
			horizon = Max(horizon, DatumGetInt64(d));
	}
	table_endscan(scan);
	UnregisterSnapshot(snap);
	table_close(rel, AccessShareLock);
	return horizon;
}

/*
 * On the primary, by the database's worker: publish the horizon for
 * standbys (above), when a stream is open and the horizon has moved.
 */
void
dynpg_stream_publish_horizon(void)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	int			rc;

	if (RecoveryInProgress())
		return;
	values[0] = Int64GetDatum(dynpg_stream_horizon());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
	rc = SPI_execute_with_args("UPDATE dynpg.stream_horizon SET horizon = $1 WHERE horizon < $1 "
							   "AND EXISTS (SELECT FROM dynpg.streams WHERE closed IS NULL)",
							   1, types, values, NULL, false, 0);
	if (rc != SPI_OK_UPDATE)
		elog(ERROR, "dynpg: publishing the stream horizon failed: %s", SPI_result_code_string(rc));
	SPI_finish();
}

int64
dynpg_stream_horizon(void)
{
	int64		horizon;
	int64		lsn;
	int			i;

	dynpg_require_preload();
	if (RecoveryInProgress())
		return published_horizon();
	lsn = (int64) GetXLogInsertRecPtr();
	SpinLockAcquire(&stream_shared->mutex);
	/* nothing drawn since start: nothing is open, and nothing will be below this */
	if (stream_shared->next == 0)
		stream_shared->next = Max(lsn, 1);
	horizon = stream_shared->next;
	for (i = 0; i < stream_shared->nslots; i++)
		if (stream_shared->held[i] != 0 && stream_shared->held[i] < horizon)
			horizon = stream_shared->held[i];
	SpinLockRelease(&stream_shared->mutex);
	return horizon;
}

/* ---------------------------------------------------------------------
 * The record tables
 * ---------------------------------------------------------------------
 */

static Oid
dynpg_relation(const char *name)
{
	Oid			nsp = get_namespace_oid("dynpg", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid(name, nsp) : InvalidOid;

	if (!OidIsValid(relid))
		elog(ERROR, "dynpg: the relation dynpg.%s is missing", name);
	return relid;
}

/*
 * Whether this database's dynpg has the stream tables: a database whose
 * extension objects predate them (the extension was created by an earlier
 * build of the same version) has none, and the worker leaves streams alone
 * there rather than failing every pass.
 */
bool
dynpg_stream_installed(void)
{
	Oid			nsp = get_namespace_oid("dynpg", true);

	return OidIsValid(nsp) &&
		OidIsValid(get_relname_relid("stream_records", nsp)) &&
		OidIsValid(get_relname_relid("stream_shards", nsp)) &&
		OidIsValid(get_relname_relid("stream_horizon", nsp));
}

Oid
dynpg_stream_records_relid(void)
{
	return dynpg_relation("stream_records");
}

Oid
dynpg_stream_records_index(void)
{
	return dynpg_relation("stream_records_position");
}

Oid
dynpg_streams_relid(void)
{
	return dynpg_relation("streams");
}

Oid
dynpg_stream_shards_relid(void)
{
	return dynpg_relation("stream_shards");
}

Oid
dynpg_stream_shards_index(void)
{
	return dynpg_relation("stream_shards_pkey");
}

/* Whether two items are the same (canonical form: equal items, equal bytes) */
static bool
items_equal(const DynItem *a, const DynItem *b)
{
	return VARSIZE_ANY(a) == VARSIZE_ANY(b) && memcmp(a, b, VARSIZE_ANY(a)) == 0;
}

void
dynpg_stream_append(Relation rel, const StringInfo skey, const DynItem *old_item,
					const DynItem *new_item, bool by_service)
{
	const DynTableDef *def = dynpg_table_def(rel);
	int64		stream_id = def->stream_id;
	char		view = def->stream_view;
	int			shards = def->stream_shards;
	DynItem    *keys;
	const DynItem *old_image = NULL;
	const DynItem *new_image = NULL;
	char		event;
	int64		size;
	int			shard;
	Relation	records;
	Datum		values[DYN_STREAM_RECORD_NATTS];
	bool		nulls[DYN_STREAM_RECORD_NATTS];
	HeapTuple	tup;

	if (stream_id == 0)
		return;
	if (old_item == NULL && new_item == NULL)
		return;
	if (old_item != NULL && new_item != NULL && items_equal(old_item, new_item))
		return;
	event = old_item == NULL ? DYN_STREAM_INSERT :
		new_item == NULL ? DYN_STREAM_REMOVE : DYN_STREAM_MODIFY;
	keys = dynpg_index_base_key(def, new_item != NULL ? new_item : old_item);
	if (view == DYN_STREAM_NEW_IMAGE || view == DYN_STREAM_NEW_AND_OLD)
		new_image = new_item;
	if (view == DYN_STREAM_OLD_IMAGE || view == DYN_STREAM_NEW_AND_OLD)
		old_image = old_item;
	/* SizeBytes: the record's keys and images, as DynamoDB counts them */
	size = dynpg_item_size(keys);
	if (new_image != NULL)
		size += dynpg_item_size(new_image);
	if (old_image != NULL)
		size += dynpg_item_size(old_image);
	/* the shard: the partition hash's high bits (storage key byte 1) */
	if (skey->len < 2)
		elog(ERROR, "dynpg: a storage key of %d bytes", skey->len);
	shard = ((uint8) skey->data[1]) * shards / 256;

	memset(nulls, false, sizeof(nulls));
	values[0] = Int64GetDatum(stream_id);
	values[1] = Int16GetDatum((int16) shard);
	values[2] = Int64GetDatum(dynpg_stream_next_seq());
	values[3] = CharGetDatum(event);
	values[4] = TimestampTzGetDatum(GetCurrentTimestamp());
	values[5] = Int32GetDatum((int32) Min(size, PG_INT32_MAX));
	values[6] = BoolGetDatum(by_service);
	values[7] = PointerGetDatum(keys);
	values[8] = PointerGetDatum(old_image);
	nulls[8] = (old_image == NULL);
	values[9] = PointerGetDatum(new_image);
	nulls[9] = (new_image == NULL);

	/* queued now, sent at commit (PostgreSQL drops duplicates within a transaction) */
	if (dynpg_stream_notify)
		Async_Notify("dynpg_stream", def->table_name);

	records = table_open(dynpg_stream_records_relid(), RowExclusiveLock);
	if (RelationGetDescr(records)->natts != DYN_STREAM_RECORD_NATTS)
		elog(ERROR, "dynpg: dynpg.stream_records does not have the expected columns");
	tup = heap_form_tuple(RelationGetDescr(records), values, nulls);
	/* under valgrind: the row goes to WAL as it is (storage/dynpg_bt.h) */
	VALGRIND_CHECK_MEM_IS_DEFINED(tup->t_data, tup->t_len);
	CatalogTupleInsert(records, tup);
	heap_freetuple(tup);
	table_close(records, NoLock);
}

/* ---------------------------------------------------------------------
 * Trimming
 * ---------------------------------------------------------------------
 */

/*
 * Delete the records older than 'older_than' (an interval's text) and
 * the streams closed that long ago; each stream's trimmed_to becomes the
 * largest number deleted from it (and trimmed_until the newest write time
 * deleted: incremental exports need the stream whole after their start), so a reader positioned before it learns
 * that records are gone (TrimmedDataAccessException) rather than reading on
 * silently.  Records go by number: all of a stream's records up to the
 * newest old enough, so what stays is a contiguous run.  Returns the number
 * of records deleted.  Runs as the caller (the worker is a superuser).
 */
int64
dynpg_stream_trim(const char *older_than)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	int64		deleted;
	bool		isnull;
	int			rc;

	values[0] = CStringGetTextDatum(older_than);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
	/* streams closed long ago first: one statement must not update and delete a row */
	rc = SPI_execute_with_args("DELETE FROM dynpg.streams WHERE closed < now() - $1::interval",
							   1, types, values, NULL, false, 0);
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "dynpg: deleting old streams failed: %s", SPI_result_code_string(rc));
	/* shard generations closed that long ago (their records are older still) */
	rc = SPI_execute_with_args("DELETE FROM dynpg.stream_shards WHERE ended < now() - $1::interval",
							   1, types, values, NULL, false, 0);
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "dynpg: deleting old shard generations failed: %s", SPI_result_code_string(rc));
	rc = SPI_execute_with_args(
		"WITH cut AS (SELECT stream_id, max(seq) AS upto FROM dynpg.stream_records "
		"              WHERE created < now() - $1::interval GROUP BY stream_id), "
		"     gone AS (DELETE FROM dynpg.stream_records r USING cut "
		"              WHERE r.stream_id = cut.stream_id AND r.seq <= cut.upto "
		"              RETURNING r.stream_id, r.created), "
		"     moved AS (UPDATE dynpg.streams s SET trimmed_to = greatest(s.trimmed_to, cut.upto), "
		"                      trimmed_until = greatest(s.trimmed_until, g.last) "
		"              FROM cut, (SELECT stream_id, max(created) AS last FROM gone GROUP BY stream_id) g "
		"              WHERE s.stream_id = cut.stream_id AND g.stream_id = cut.stream_id RETURNING 1) "
		"SELECT (SELECT count(*) FROM gone) + 0 * (SELECT count(*) FROM moved)",
		1, types, values, NULL, false, 0);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "dynpg: trimming stream records failed: %s", SPI_result_code_string(rc));
	deleted = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return deleted;
}

/* dynpg._trim_streams(older_than interval): trim now (tests and maintenance) */
PG_FUNCTION_INFO_V1(dynpg_trim_streams);
Datum
dynpg_trim_streams(PG_FUNCTION_ARGS)
{
	char	   *older_than = DatumGetCString(DirectFunctionCall1(interval_out, PG_GETARG_DATUM(0)));

	dynpg_require_preload();
	PG_RETURN_INT64(dynpg_stream_trim(older_than));
}

/* ---------------------------------------------------------------------
 * Shard generations (src/am/README, "Shards")
 * ---------------------------------------------------------------------
 */

/*
 * Close stream 'stream_id''s open generation and open the next: the number
 * drawn now is the old one's end and the new one's start.  A record belongs
 * to the generation whose range holds its number, so writers need not know
 * the generation; and as this transaction holds the number until it ends, a
 * reader whose horizon is past it sees the new generation's row.  The
 * stream's row is locked first, so a concurrent close (which locks it before
 * drawing its end) either comes before -- nothing to roll -- or draws an end
 * above this one.  Returns the new generation, or -1 if the stream is
 * closed.  Runs as the caller (the worker, or a superuser's test).
 */
int
dynpg_stream_roll(int64 stream_id)
{
	Oid			types[2] = {INT8OID, INT8OID};
	Datum		values[2];
	bool		isnull;
	int			result = -1;
	int			rc;

	values[0] = Int64GetDatum(stream_id);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
	rc = SPI_execute_with_args("SELECT FROM dynpg.streams WHERE stream_id = $1 AND end_seq IS NULL FOR UPDATE",
							   1, types, values, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "dynpg: locking a stream failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 1)
	{
		values[1] = Int64GetDatum(dynpg_stream_next_seq());
		rc = SPI_execute_with_args(
			"WITH old AS (UPDATE dynpg.stream_shards SET ended_seq = $2, ended = now() "
			"             WHERE stream_id = $1 AND ended_seq IS NULL RETURNING generation) "
			"INSERT INTO dynpg.stream_shards (stream_id, generation, started_seq, started) "
			"SELECT $1, generation + 1, $2, now() FROM old RETURNING generation",
			2, types, values, NULL, false, 0);
		if (rc != SPI_OK_INSERT_RETURNING || SPI_processed > 1)
			elog(ERROR, "dynpg: rolling a stream's shards over failed: %s", SPI_result_code_string(rc));
		if (SPI_processed == 1)
			result = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
	return result;
}

/*
 * The database's worker, every minute: roll over each open stream whose
 * open generation is dynpg.stream_shard_rollover old, or has a shard of
 * dynpg.stream_shard_max_records records.  Returns the streams rolled.
 */
int
dynpg_stream_roll_due(void)
{
	Oid			types[2] = {INT4OID, INT4OID};
	Datum		values[2];
	int64	   *ids;
	int			n;
	int			i;
	int			rolled = 0;
	int			rc;

	if (RecoveryInProgress())
		return 0;
	values[0] = Int32GetDatum(dynpg_stream_shard_rollover);
	values[1] = Int32GetDatum(dynpg_stream_shard_max_records);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
	rc = SPI_execute_with_args(
		"SELECT g.stream_id FROM dynpg.stream_shards g JOIN dynpg.streams s USING (stream_id) "
		" WHERE s.end_seq IS NULL AND g.ended_seq IS NULL "
		"   AND (g.started <= now() - make_interval(mins => $1) "
		"        OR EXISTS (SELECT FROM generate_series(0, s.shards - 1) AS i "
		"                    WHERE EXISTS (SELECT FROM dynpg.stream_records r "
		"                                   WHERE r.stream_id = g.stream_id AND r.shard = i "
		"                                     AND r.seq > g.started_seq OFFSET $2 - 1))) "
		" ORDER BY g.stream_id",
		2, types, values, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "dynpg: finding the streams to roll over failed: %s", SPI_result_code_string(rc));
	n = (int) SPI_processed;
	ids = palloc(sizeof(int64) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		bool		isnull;

		ids[i] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
	for (i = 0; i < n; i++)
		if (dynpg_stream_roll(ids[i]) >= 0)
			rolled++;
	return rolled;
}

/* dynpg._roll_due_stream_shards(): the worker's step, now */
PG_FUNCTION_INFO_V1(dynpg_roll_due_stream_shards);
Datum
dynpg_roll_due_stream_shards(PG_FUNCTION_ARGS)
{
	dynpg_require_preload();
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot roll stream shards over during recovery")));
	PG_RETURN_INT32(dynpg_stream_roll_due());
}

/* dynpg._roll_stream_shards(table_name): roll the table's open stream over now */
PG_FUNCTION_INFO_V1(dynpg_roll_stream_shards);
Datum
dynpg_roll_stream_shards(PG_FUNCTION_ARGS)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	int64		id = 0;
	bool		found = false;
	int			gen;

	dynpg_require_preload();
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot roll stream shards over during recovery")));
	values[0] = PG_GETARG_DATUM(0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
	if (SPI_execute_with_args("SELECT stream_id FROM dynpg.streams WHERE table_name = $1 AND end_seq IS NULL",
							  1, types, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "dynpg: reading dynpg.streams failed");
	if (SPI_processed == 1)
	{
		bool		isnull;

		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		found = true;
	}
	SPI_finish();
	if (!found)
		PG_RETURN_NULL();
	gen = dynpg_stream_roll(id);
	if (gen < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(gen);
}
