/*-------------------------------------------------------------------------
 *
 * export_ops.c
 *	  DynamoDB's export to S3: ExportTableToPointInTime, DescribeExport,
 *	  ListExports, and the SQL function dynpg.export_table.
 *
 * dynpg has no S3: an export is written under dynpg.export_directory
 * (s3_location.c), S3Bucket/S3Prefix naming <dir>/<bucket>/<prefix>, in
 * AWS's layout, so the directory copied to S3 is an AWS export:
 *
 *	<prefix>/AWSDynamoDB/<ExportId>/_started              (empty)
 *	<prefix>/AWSDynamoDB/<ExportId>/data/<name>.json.gz    (gzip, one line per
 *	                                    item: {"Item":{...DynamoDB JSON...}})
 *	<prefix>/AWSDynamoDB/<ExportId>/manifest-files.json   (JSON lines, one per
 *	                                    data file: itemCount, md5Checksum (base64
 *	                                    MD5 of the .json.gz bytes), etag (hex MD5),
 *	                                    dataFileS3Key)
 *	<prefix>/AWSDynamoDB/<ExportId>/manifest-files.checksum
 *	<prefix>/AWSDynamoDB/<ExportId>/manifest-summary.json
 *	<prefix>/AWSDynamoDB/<ExportId>/manifest-summary.checksum
 *
 * The .checksum files hold the hex MD5 of the manifest they stand beside
 * (AWS's documentation names the files but not their content: unverified).
 * A table with no item gets no data file (manifest-files.json is empty).
 *
 * ExportId is the epoch milliseconds of the request in 14 digits (AWS's
 * documented example: 01234567890123-a1b2c3d4), '-' and
 * 8 random hex digits; ExportArn is <TableArn>/export/<ExportId>.
 *
 * Where it runs: in the database's background worker (src/worker), not
 * the caller's session.  ExportTableToPointInTime checks the request, the
 * table and the caller's SELECT right on it, creates the export's
 * directory and its _started file (so an unwritable location fails the
 * request), records the export in dynpg.exports as IN_PROGRESS and
 * returns that description; its commit wakes the worker.  The worker's
 * step (dynpg_export_step) takes the oldest IN_PROGRESS export (FOR UPDATE
 * SKIP LOCKED), in a REPEATABLE READ transaction of its own whose snapshot
 * is taken at its start: every item is read from that one snapshot while
 * writers go on, and the moment is the export's ExportTime.  It writes the
 * files and marks the export COMPLETED (ItemCount, BilledSizeBytes: the
 * items' size as DescribeTable's TableSizeBytes counts it, EndTime) in the
 * same transaction.  An error (the table dropped meanwhile, a file that
 * cannot be written, a cancel: pg_cancel_backend of the worker cancels the
 * export it runs) rolls that back and marks the export FAILED, FailureCode
 * the error's SQLSTATE (AWS's codes are S3 error names; dynpg's failures
 * are not S3's) and FailureMessage its message.  A worker that dies or a
 * server that crashes mid-export leaves it IN_PROGRESS (the transaction
 * that would have completed it never committed): the next worker runs it
 * again from the start, with a new snapshot and ExportTime, rewriting
 * every file (each is truncated when written; the data file's name is
 * chosen at the request and kept).
 *
 * dynpg.export_table(table, directory, format) runs the same export in the
 * caller's statement instead (its snapshot; COMPLETED when it returns).
 *
 * ClientToken (which the SDKs fill in): the same request with the same
 * token within 8 hours answers the export the first one made; another
 * request with it gets IdempotentParameterMismatchException.
 *
 * Data files: split at dynpg.export_file_items items (0: no limit) or
 * DYNPG_EXPORT_FILE_BYTES of lines, each with its manifest-files.json line
 * (ExportFiles below); file k's name derives from the first's.
 *
 * INCREMENTAL_EXPORT (src/api/README, "Incremental exports"): the items
 * changed in [ExportFromTime, ExportToTime), read from the table's stream
 * records (dynpg has no point-in-time recovery log: the stream stands for
 * it, and must cover the window, else InvalidExportTimeException as AWS
 * answers a window outside PITR), one line per item with its net change
 * {"Metadata":{"WriteTimestampMicros":..},"Keys":..,"NewImage":..,
 * "OldImage":..}; data files under <prefix>/AWSDynamoDB/data/.
 *
 * ExportFormat ION: data files <name>.ion.gz, one line per item,
 * $ion_1_0 {Item:{...}} (Amazon Ion text as types/item_ion.c writes it);
 * an incremental export's lines are the JSON lines' members in Ion,
 * $ion_1_0 {Metadata:{WriteTimestampMicros:<decimal>},Keys:{...},
 * NewImage:{...},OldImage:{...}}.
 *
 * What is refused: ExportTime (dynpg
 * keeps no point-in-time history: the export is of the table as the
 * request finds it).  dynpg has no point-in-time recovery setting, so no
 * PointInTimeRecoveryUnavailableException.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "access/table.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "common/file_perm.h"
#include "common/pg_prng.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "am/dynpg_changelog.h"
#include "am/dynpg_read.h"
#include "am/dynpg_stream.h"
#include "api/dynpg_api.h"
#include "api/dynpg_cluster.h"
#include "api/dynpg_item_common.h"
#include "api/dynpg_export.h"
#include "api/dynpg_import.h"
#include "api/dynpg_s3_location.h"
#include "api/dynpg_table_ops.h"
#include "api/dynpg_wire.h"
#include "base/dynpg_error.h"
#include "base/dynpg_preload.h"
#include "base/dynpg_request.h"
#include "base/dynpg_search_path.h"
#include "catalog/dynpg_catalog.h"
#include "types/dynpg_base64.h"
#include "types/dynpg_item.h"
#include "types/dynpg_item_ion.h"

static const char *const export_formats[] = {"DYNAMODB_JSON", "ION", NULL};
static const char *const export_types[] = {"FULL_EXPORT", "INCREMENTAL_EXPORT", NULL};
static const char *const sse_algorithms[] = {"AES256", "KMS", NULL};

/* the columns of dynpg.exports, in the order the queries below select them */
#define EXPORT_COLUMNS \
	"export_arn, status, export_type, export_format, table_arn, table_id, s3_bucket, " \
	"s3_prefix, s3_sse_algorithm, manifest, item_count, billed_size_bytes, " \
	"extract(epoch from start_time)::numeric(20,3)::text, " \
	"extract(epoch from end_time)::numeric(20,3)::text, " \
	"extract(epoch from export_time)::numeric(20,3)::text, " \
	"failure_code, failure_message, client_token, " \
	"extract(epoch from export_from_time)::numeric(20,3)::text, " \
	"extract(epoch from export_to_time)::numeric(20,3)::text, export_view_type"
#define EXPORT_NCOLUMNS 21

/* ---------------------------------------------------------------------
 * dynpg.exports, read and written as the bootstrap superuser (callers
 * have no rights on it; the operations decide what they may see)
 * ---------------------------------------------------------------------
 */

typedef struct ExportCatalogCall
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;	/* the search_path (base/dynpg_search_path.h) */
} ExportCatalogCall;

static void
catalog_begin(ExportCatalogCall *c)
{
	GetUserIdAndSecContext(&c->save_userid, &c->save_sec_context);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   c->save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	c->save_nestlevel = dynpg_search_path_push();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

static void
catalog_end(ExportCatalogCall *c)
{
	SPI_finish();
	dynpg_search_path_pop(c->save_nestlevel);
	SetUserIdAndSecContext(c->save_userid, c->save_sec_context);
}

/* ---------------------------------------------------------------------
 * Files
 * ---------------------------------------------------------------------
 */

static void
md5_final(EVP_MD_CTX *ctx, uint8 *digest)
{
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(ctx, digest, &len) != 1 || len != 16)
		elog(ERROR, "could not compute an MD5 digest");
	EVP_MD_CTX_free(ctx);
}

static EVP_MD_CTX *
md5_begin(void)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1)
		elog(ERROR, "could not start an MD5 digest");
	return ctx;
}

static char *
hex_of(const uint8 *d, int len)
{
	char	   *s = palloc(len * 2 + 1);
	int			i;

	for (i = 0; i < len; i++)
		sprintf(s + 2 * i, "%02x", d[i]);
	return s;
}

static void
write_all(int fd, const char *path, const char *data, size_t len)
{
	while (len > 0)
	{
		ssize_t		n = write(fd, data, len);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			ereport(ERROR, (errcode_for_file_access(),
							errmsg("could not write file \"%s\": %m", path)));
		}
		data += n;
		len -= n;
	}
}

static int
create_file(const char *path)
{
	int			fd = OpenTransientFile(path, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY);

	if (fd < 0)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not create file \"%s\": %m", path)));
	return fd;
}

static void
close_file(int fd, const char *path)
{
	if (pg_fsync(fd) != 0)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not fsync file \"%s\": %m", path)));
	if (CloseTransientFile(fd) != 0)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not close file \"%s\": %m", path)));
}

/* write a small file whole; its hex MD5 when 'md5' */
static char *
write_small_file(const char *path, const char *data, size_t len, bool md5)
{
	int			fd = create_file(path);
	char	   *hex = NULL;

	write_all(fd, path, data, len);
	close_file(fd, path);
	if (md5)
	{
		EVP_MD_CTX *ctx = md5_begin();
		uint8		d[16];

		EVP_DigestUpdate(ctx, data, len);
		md5_final(ctx, d);
		hex = hex_of(d, 16);
	}
	return hex;
}

static void json_string(StringInfo out, const char *s);
static int64 stream_covering(Oid relid, TimestampTz from, TimestampTz to, const char *view,
							 bool in_worker);

/* A gzip data file being written: compressed as it goes, its MD5 kept. */
typedef struct DataFile
{
	char	   *path;
	int			fd;
	z_stream	z;
	EVP_MD_CTX *md5;
	uint8		out[65536];
} DataFile;

static void
data_drain(DataFile *f, int flush)
{
	int			rc;

	do
	{
		size_t		have;

		f->z.next_out = f->out;
		f->z.avail_out = sizeof(f->out);
		rc = deflate(&f->z, flush);
		if (rc == Z_STREAM_ERROR)
			elog(ERROR, "could not compress export data");
		have = sizeof(f->out) - f->z.avail_out;
		if (have > 0)
		{
			write_all(f->fd, f->path, (const char *) f->out, have);
			EVP_DigestUpdate(f->md5, f->out, have);
		}
	} while (f->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
}

static void
data_open(DataFile *f, const char *path)
{
	memset(&f->z, 0, sizeof(f->z));
	f->path = pstrdup(path);
	f->fd = create_file(path);
	/* windowBits 15 + 16: a gzip stream */
	if (deflateInit2(&f->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
					 Z_DEFAULT_STRATEGY) != Z_OK)
		elog(ERROR, "could not start compressing export data");
	f->md5 = md5_begin();
}

static void
data_write(DataFile *f, const char *data, size_t len)
{
	f->z.next_in = (Bytef *) data;
	f->z.avail_in = len;
	data_drain(f, Z_NO_FLUSH);
}

static void
data_close(DataFile *f, uint8 *digest)
{
	f->z.next_in = NULL;
	f->z.avail_in = 0;
	data_drain(f, Z_FINISH);
	deflateEnd(&f->z);
	close_file(f->fd, f->path);
	md5_final(f->md5, digest);
}

static void
make_dir(const char *path)
{
	if (pg_mkdir_p(pstrdup(path), pg_dir_create_mode) != 0 && errno != EEXIST)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not create directory \"%s\": %m", path)));
}

/*
 * Data file k of an export whose first file is 'first' (26 characters of
 * [a-z2-7], chosen at the request): 'first' itself, then names derived
 * from it (base32 of the MD5 of "<first>-<k>"), so an export run again
 * after a crash writes the same names.
 */
static char *
data_file_name(const char *first, int k)
{
	EVP_MD_CTX *ctx;
	uint8		d[16];
	char	   *name;
	char	   *text;
	int			bit;
	int			i;

	if (k == 0)
		return pstrdup(first);
	text = psprintf("%s-%d", first, k);
	ctx = md5_begin();
	EVP_DigestUpdate(ctx, text, strlen(text));
	md5_final(ctx, d);
	name = palloc(27);
	for (i = 0, bit = 0; i < 26; i++, bit += 5)
	{
		int			byte = bit / 8;
		int			v = (d[byte % 16] << 8 | d[(byte + 1) % 16]) >> (11 - bit % 8);

		name[i] = "abcdefghijklmnopqrstuvwxyz234567"[v & 31];
	}
	name[26] = '\0';
	return name;
}

/*
 * An export's data files being written: each holds up to
 * dynpg.export_file_items items (0: any number) and DYNPG_EXPORT_FILE_BYTES
 * bytes of lines before compression, and has its line in
 * manifest-files.json.  No item, no file.
 */
typedef struct ExportFiles
{
	const char *dir;			/* the data directory on the server */
	const char *key_dir;		/* the same as an S3 key */
	const char *first;			/* the first file's name */
	const char *ext;			/* "json" or "ion" (ExportFormat) */
	int			nfiles;			/* files closed */
	DataFile   *df;				/* the open file, or NULL */
	int64		file_items;
	int64		file_bytes;
	int64		items;			/* in every file */
	StringInfoData manifest;	/* manifest-files.json */
	MemoryContext cxt;			/* where the open file and the manifest live */
} ExportFiles;

static void
files_begin(ExportFiles *f, const char *dir, const char *key_dir, const char *first,
			const char *ext)
{
	int			k;

	memset(f, 0, sizeof(*f));
	f->cxt = CurrentMemoryContext;
	f->dir = dir;
	f->key_dir = key_dir;
	f->first = first;
	f->ext = ext;
	initStringInfo(&f->manifest);
	make_dir(dir);
	/* what an earlier run of this export wrote goes (files 0, 1, ... in turn) */
	for (k = 0;; k++)
	{
		char	   *path = psprintf("%s/%s.%s.gz", dir, data_file_name(first, k), ext);

		if (unlink(path) != 0)
		{
			if (errno == ENOENT || errno == ENOTDIR)
				break;			/* (not a directory: creating the file says so) */
			ereport(ERROR, (errcode_for_file_access(),
							errmsg("could not remove file \"%s\": %m", path)));
		}
	}
}

static void
files_close(ExportFiles *f)
{
	uint8		digest[16];
	StringInfoData enc;
	MemoryContext old;

	if (f->df == NULL)
		return;
	old = MemoryContextSwitchTo(f->cxt);
	data_close(f->df, digest);
	initStringInfo(&enc);
	dynpg_base64_encode(digest, 16, &enc);
	appendStringInfo(&f->manifest, "{\"itemCount\":" INT64_FORMAT ",\"md5Checksum\":", f->file_items);
	json_string(&f->manifest, enc.data);
	appendStringInfoString(&f->manifest, ",\"etag\":");
	json_string(&f->manifest, hex_of(digest, 16));
	appendStringInfoString(&f->manifest, ",\"dataFileS3Key\":");
	json_string(&f->manifest, psprintf("%s/%s.%s.gz", f->key_dir, data_file_name(f->first, f->nfiles),
									   f->ext));
	appendStringInfoString(&f->manifest, "}\n");
	pfree(f->df);
	f->df = NULL;
	f->nfiles++;
	MemoryContextSwitchTo(old);
}

/* one item's line */
static void
files_add(ExportFiles *f, const char *line, int len)
{
	if (f->df == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(f->cxt);

		f->df = palloc(sizeof(DataFile));
		data_open(f->df, psprintf("%s/%s.%s.gz", f->dir, data_file_name(f->first, f->nfiles), f->ext));
		f->file_items = 0;
		f->file_bytes = 0;
		MemoryContextSwitchTo(old);
	}
	data_write(f->df, line, len);
	f->file_items++;
	f->file_bytes += len;
	f->items++;
	if ((dynpg_export_file_items > 0 && f->file_items >= dynpg_export_file_items) ||
		f->file_bytes >= DYNPG_EXPORT_FILE_BYTES)
		files_close(f);
}

/* ISO 8601 UTC with milliseconds, as manifest-summary.json writes times */
static char *
iso_time(TimestampTz t)
{
	pg_time_t	secs = timestamptz_to_time_t(t);
	int			ms = (int) ((t - time_t_to_timestamptz(secs)) / 1000);
	struct pg_tm *tm = pg_gmtime(&secs);

	if (ms < 0)
		ms = 0;
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm->tm_year + 1900, tm->tm_mon + 1,
					tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec, ms);
}

static void
json_string(StringInfo out, const char *s)
{
	if (s == NULL)
		appendStringInfoString(out, "null");
	else
		escape_json(out, s);
}

/* ---------------------------------------------------------------------
 * Running an export: the files, from one snapshot
 * ---------------------------------------------------------------------
 */

/* An export as dynpg.exports records it: what writing its files needs. */
typedef struct ExportRow
{
	char	   *export_arn;
	Oid			relid;
	char	   *table_arn;
	char	   *table_id;
	char	   *bucket;
	char	   *prefix;
	char	   *sse;
	char	   *directory;		/* the export's directory on the server */
	char	   *key_base;		/* <prefix>/AWSDynamoDB/<ExportId>, as S3 keys */
	char	   *data_name;		/* the first data file's name, without .json.gz */
	const char *format;			/* ExportFormat: DYNAMODB_JSON or ION */
	TimestampTz start;
	bool		incremental;	/* INCREMENTAL_EXPORT: */
	TimestampTz from;			/* its window [from, to) */
	TimestampTz to;
	char	   *view;			/* NEW_AND_OLD_IMAGES or NEW_IMAGE */
	int64		stream_id;		/* the table's stream that covers the window */
} ExportRow;

/* the parent directory of 'path' (everything before its last '/') and "/data" */
static char *
sibling_data(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return pstrdup("data");
	return psprintf("%.*s/data", (int) (slash - path), path);
}

/*
 * The manifests: manifest-files.json from the data files written, and
 * manifest-summary.json, each with its .checksum; then the export is
 * COMPLETED in dynpg.exports.
 */
static void
export_finish(const ExportRow *e, ExportFiles *files, int64 billed, TimestampTz export_time)
{
	TimestampTz end;
	StringInfoData summary;
	char	   *files_md5;
	char	   *summary_md5;
	ExportCatalogCall cc;
	Datum		args[5];
	Oid			types[5] = {TEXTOID, INT8OID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};

	files_close(files);
	files_md5 = write_small_file(psprintf("%s/manifest-files.json", e->directory),
								 files->manifest.data, files->manifest.len, true);
	write_small_file(psprintf("%s/manifest-files.checksum", e->directory), files_md5,
					 strlen(files_md5), false);

	end = GetCurrentTimestamp();
	initStringInfo(&summary);
	/* incremental exports' summaries are of version 2023-08-01 */
	appendStringInfo(&summary, "{\"version\":\"%s\",\"exportArn\":",
					 e->incremental ? "2023-08-01" : "2020-06-30");
	json_string(&summary, e->export_arn);
	appendStringInfoString(&summary, ",\"startTime\":");
	json_string(&summary, iso_time(e->start));
	appendStringInfoString(&summary, ",\"endTime\":");
	json_string(&summary, iso_time(end));
	appendStringInfoString(&summary, ",\"tableArn\":");
	json_string(&summary, e->table_arn);
	appendStringInfoString(&summary, ",\"tableId\":");
	json_string(&summary, e->table_id);
	if (e->incremental)
	{
		appendStringInfoString(&summary, ",\"exportFromTime\":");
		json_string(&summary, iso_time(e->from));
		appendStringInfoString(&summary, ",\"exportToTime\":");
		json_string(&summary, iso_time(e->to));
	}
	else
	{
		appendStringInfoString(&summary, ",\"exportTime\":");
		json_string(&summary, iso_time(export_time));
	}
	appendStringInfoString(&summary, ",\"s3Bucket\":");
	json_string(&summary, e->bucket);
	appendStringInfoString(&summary, ",\"s3Prefix\":");
	json_string(&summary, e->prefix);
	appendStringInfoString(&summary, ",\"s3SseAlgorithm\":");
	json_string(&summary, e->sse);
	appendStringInfoString(&summary, ",\"s3SseKmsKeyId\":null,\"manifestFilesS3Key\":");
	json_string(&summary, psprintf("%s/manifest-files.json", e->key_base));
	appendStringInfo(&summary, ",\"billedSizeBytes\":" INT64_FORMAT ",\"itemCount\":" INT64_FORMAT
					 ",\"outputFormat\":\"%s\"", billed, files->items, e->format);
	if (e->incremental)
		appendStringInfo(&summary, ",\"outputView\":\"%s\",\"exportType\":\"INCREMENTAL_EXPORT\"}\n",
						 e->view);
	else
		appendStringInfoString(&summary, ",\"exportType\":\"FULL_EXPORT\"}\n");
	summary_md5 = write_small_file(psprintf("%s/manifest-summary.json", e->directory),
								   summary.data, summary.len, true);
	write_small_file(psprintf("%s/manifest-summary.checksum", e->directory), summary_md5,
					 strlen(summary_md5), false);

	args[0] = CStringGetTextDatum(e->export_arn);
	args[1] = Int64GetDatum(files->items);
	args[2] = Int64GetDatum(billed);
	args[3] = TimestampTzGetDatum(end);
	args[4] = TimestampTzGetDatum(export_time);
	nulls[4] = e->incremental ? 'n' : ' ';
	catalog_begin(&cc);
	if (SPI_execute_with_args("UPDATE dynpg.exports SET status = 'COMPLETED', item_count = $2, "
							  "billed_size_bytes = $3, end_time = $4, export_time = $5 "
							  "WHERE export_arn = $1", 5, types, args, nulls, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not record the export");
	catalog_end(&cc);
}

/*
 * Write the export's files from the items of 'rel' the active snapshot
 * sees, as of 'export_time'; mark it COMPLETED.  Every file is written
 * whole (truncated first), so an export run again after a crash replaces
 * what a first run left.
 */
/* One item's line of a full export; returns its size for BilledSizeBytes */
static int64
export_item(ExportFiles *files, StringInfo line, const DynItem *item, bool ion)
{
	if (dynpg_debug_bulk_delay_ms > 0)
		pg_usleep(dynpg_debug_bulk_delay_ms * 1000L);	/* testing only */
	CHECK_FOR_INTERRUPTS();
	resetStringInfo(line);
	if (ion)
	{
		/* AWS's Ion lines: each begins with the version marker */
		appendStringInfoString(line, "$ion_1_0 {Item:");
		dynpg_item_append_ion(item, line);
	}
	else
	{
		appendStringInfoString(line, "{\"Item\":");
		dynpg_item_append_text(item, line);
	}
	appendStringInfoString(line, "}\n");
	files_add(files, line->data, line->len);
	return dynpg_item_size(item);
}

/*
 * A full export in a cluster's router (src/api/cluster.c): the items are
 * the nodes', read by strongly consistent Scans through the router, page
 * by page -- each node's pages from its own snapshots, so the export is
 * not one point in time across nodes (src/api/README, "Partitioned
 * dynpg").
 */
static int64
export_routed(ExportFiles *files, StringInfo line, const char *table_name, bool ion)
{
	const DynApiOperationInfo *scan = dynpg_api_find_operation("Scan");
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext page = AllocSetContextCreate(outer, "routed export page", ALLOCSET_DEFAULT_SIZES);
	char	   *start = NULL;		/* LastEvaluatedKey's text, in 'outer' */
	int64		billed = 0;

	for (;;)
	{
		DynJson    *req;
		DynJson    *resp;
		DynJson    *items;
		DynJson    *lek;
		int			i;

		MemoryContextSwitchTo(page);
		req = dynpg_json_new(DJ_OBJECT);
		dynpg_json_add(req, "TableName", 9, dynpg_json_string(table_name, strlen(table_name)));
		dynpg_json_add(req, "ConsistentRead", 14, dynpg_json_bool(true));
		if (start != NULL)
			dynpg_json_add(req, "ExclusiveStartKey", 17, dynpg_json_parse(start, strlen(start)));
		resp = dynpg_cluster_call(scan, req);
		items = dynpg_json_member(resp, "Items", 5);
		for (i = 0; items != NULL && items->kind == DJ_ARRAY && i < items->len; i++)
			billed += export_item(files, line, dynpg_item_from_json(items->elems[i], false), ion);
		lek = dynpg_json_member(resp, "LastEvaluatedKey", 16);
		MemoryContextSwitchTo(outer);
		if (lek == NULL)
			break;
		start = dynpg_json_text(lek);
		MemoryContextReset(page);
	}
	MemoryContextSwitchTo(outer);
	MemoryContextDelete(page);
	return billed;
}

static void
export_run(const ExportRow *e, Relation rel, TimestampTz export_time)
{
	int64		billed = 0;
	StringInfoData line;
	ExportFiles files;
	bool		ion = strcmp(e->format, "ION") == 0;

	files_begin(&files, psprintf("%s/data", e->directory), psprintf("%s/data", e->key_base),
				e->data_name, ion ? "ion" : "json");
	initStringInfo(&line);
	if (dynpg_cluster_routes())
		billed = export_routed(&files, &line, dynpg_table_def(rel)->table_name, ion);
	else
	{
		DynReadRange range;
		DynRead    *rd;
		DynItem    *item;

		dynpg_read_scan_range(0, 0, 0, &range);
		rd = dynpg_read_begin(rel, &range, DYN_READ_BULK);
		while (dynpg_read_next(rd, &item))
			billed += export_item(&files, &line, item, ion);
		dynpg_read_end(rd);
	}
	export_finish(e, &files, billed, export_time);
}

/* AWS bills an incremental export at least 10 MB */
#define INCREMENTAL_MIN_BILLED	INT64CONST(10000000)

/* ,"member":{item} in DynamoDB JSON, or ,member:{item} in Ion */
static void
append_item(StringInfo out, const char *member, Datum d, bool ion)
{
	DynItem    *item = (DynItem *) PG_DETOAST_DATUM(d);

	if (ion)
	{
		appendStringInfo(out, ",%s:", member);
		dynpg_item_append_ion(item, out);
	}
	else
	{
		appendStringInfo(out, ",\"%s\":", member);
		dynpg_item_append_text(item, out);
	}
	if ((Pointer) item != DatumGetPointer(d))
		pfree(item);
}

/*
 * An INCREMENTAL_EXPORT: from the records of the table's stream written in
 * [from, to), one line per item changed, its net change over the window
 * (src/api/README, "Incremental exports"):
 *	{"Metadata":{"WriteTimestampMicros":{"N":"<its last change>"}},
 *	 "Keys":{...}, "NewImage":{...}, "OldImage":{...}}
 * (in ION: $ion_1_0 {Metadata:{WriteTimestampMicros:<micros>},Keys:...},
 * the number an Ion decimal as every DynamoDB number is)
 * NewImage when the item exists at the window's end; OldImage (view type
 * NEW_AND_OLD_IMAGES) when it existed at its start; an item created and
 * deleted within the window has no line.  The records are read in the
 * export's snapshot: a write still uncommitted then is not in it.
 */
/*
 * The window's net changes of the table's items: for each item changed,
 * its keys, whether it existed at the window's start (its first record not
 * an INSERT) with the image it had then, whether it exists at the end (its
 * last record not a REMOVE) with the image it has then, the last change's
 * time in microseconds and the records' size.  $1 the stream, $2 and $3
 * the window.
 */
#define INCREMENTAL_QUERY_FROM \
	"  FROM (SELECT shard, keys, min(seq) AS first_seq, max(seq) AS last_seq, " \
	"               sum(size)::bigint AS size " \
	"          FROM dynpg.stream_records " \
	"         WHERE stream_id = $1 AND created >= $2 AND created < $3 " \
	"         GROUP BY shard, keys) k " \
	"  JOIN dynpg.stream_records f ON f.stream_id = $1 AND f.shard = k.shard " \
	"       AND f.seq = k.first_seq " \
	"  JOIN dynpg.stream_records l ON l.stream_id = $1 AND l.shard = k.shard " \
	"       AND l.seq = k.last_seq " \
	" ORDER BY k.last_seq"

/* An incremental export being written, row by row */
typedef struct IncrementalOut
{
	ExportFiles files;
	StringInfoData line;
	bool		ion;
	bool		old_images;
	int64		billed;
	MemoryContext rowcxt;
} IncrementalOut;

/* One item's line (the images NULL when absent) */
static void
incremental_line(IncrementalOut *o, Datum keys, bool existed, Datum old_image, bool old_null,
				 bool exists, Datum new_image, bool new_null, int64 micros, int64 size)
{
	MemoryContext outer;

	CHECK_FOR_INTERRUPTS();
	o->billed += size;
	if (!existed && !exists)
		return;					/* created and deleted in the window */
	outer = MemoryContextSwitchTo(o->rowcxt);
	resetStringInfo(&o->line);
	if (o->ion)
	{
		char		text[MAXINT8LEN + 1];
		DynNumber	num;

		pg_lltoa(micros, text);
		dynpg_num_parse_or_error(text, strlen(text), &num);
		appendStringInfoString(&o->line, "$ion_1_0 {Metadata:{WriteTimestampMicros:");
		dynpg_num_append_ion(&num, &o->line);
		appendStringInfoChar(&o->line, '}');
	}
	else
		appendStringInfo(&o->line, "{\"Metadata\":{\"WriteTimestampMicros\":{\"N\":\"" INT64_FORMAT "\"}}",
						 micros);
	append_item(&o->line, "Keys", keys, o->ion);
	if (exists)
	{
		if (new_null)
			elog(ERROR, "dynpg: a stream record lacks the new image an incremental export needs");
		append_item(&o->line, "NewImage", new_image, o->ion);
	}
	if (existed && o->old_images)
	{
		if (old_null)
			elog(ERROR, "dynpg: a stream record lacks the old image an incremental export needs");
		append_item(&o->line, "OldImage", old_image, o->ion);
	}
	appendStringInfoString(&o->line, "}\n");
	MemoryContextSwitchTo(outer);
	files_add(&o->files, o->line.data, o->line.len);
	MemoryContextReset(o->rowcxt);
}

/*
 * A row of a node's answer to the query (in a cluster's router): the items
 * as text, the events as one letter, the numbers as text.
 */
static void
incremental_node_row(void *arg, int node, int ncols, char **v)
{
	IncrementalOut *o = arg;
	Datum		keys;
	Datum		old_image = (Datum) 0;
	Datum		new_image = (Datum) 0;

	if (ncols != 7 || v[0] == NULL || v[1] == NULL || v[3] == NULL || v[5] == NULL || v[6] == NULL)
		elog(ERROR, "dynpg: node %d answered an incremental export's query with an unexpected row", node);
	keys = PointerGetDatum(dynpg_item_from_text(v[0], strlen(v[0])));
	if (v[2] != NULL)
		old_image = PointerGetDatum(dynpg_item_from_text(v[2], strlen(v[2])));
	if (v[4] != NULL)
		new_image = PointerGetDatum(dynpg_item_from_text(v[4], strlen(v[4])));
	incremental_line(o, keys, v[1][0] != DYN_STREAM_INSERT, old_image, v[2] == NULL,
					 v[3][0] != DYN_STREAM_REMOVE, new_image, v[4] == NULL,
					 strtoll(v[5], NULL, 10), strtoll(v[6], NULL, 10));
}

static void
incremental_run(const ExportRow *e)
{
	IncrementalOut o;

	memset(&o, 0, sizeof(o));
	o.ion = strcmp(e->format, "ION") == 0;
	o.old_images = strcmp(e->view, "NEW_AND_OLD_IMAGES") == 0;
	files_begin(&o.files, sibling_data(e->directory), sibling_data(e->key_base), e->data_name,
				o.ion ? "ion" : "json");
	initStringInfo(&o.line);
	o.rowcxt = AllocSetContextCreate(CurrentMemoryContext, "incremental export row",
									 ALLOCSET_DEFAULT_SIZES);
	if (dynpg_cluster_routes())
	{
		/*
		 * A cluster's router: the stream records are the nodes', each node's
		 * of its own items (an item's records are on one node), read from
		 * the node's stream of the table that covers the window, as
		 * stream_covering picks the router's own
		 */
		const char *params[3];

		/* the window as Unix microseconds: no DateStyle to agree on */
		int64		epoch = (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;

		params[0] = get_rel_name(e->relid);
		params[1] = psprintf(INT64_FORMAT, (int64) e->from + epoch);
		params[2] = psprintf(INT64_FORMAT, (int64) e->to + epoch);
		if (params[0] == NULL)
			elog(ERROR, "dynpg: the table of export %s is gone", e->export_arn);
		dynpg_cluster_query_nodes("WITH w AS (SELECT timestamptz 'epoch' + $2::bigint * interval '1 microsecond' AS f, "
								  "                  timestamptz 'epoch' + $3::bigint * interval '1 microsecond' AS t), "
								  "s AS (SELECT stream_id FROM dynpg.streams, w "
								  "  WHERE tbl = pg_catalog.to_regclass('dynamodb.' || pg_catalog.quote_ident($1)) "
								  "    AND created <= w.f AND (closed IS NULL OR closed >= w.t) "
								  "    AND (trimmed_until IS NULL OR trimmed_until < w.f) "
								  "  ORDER BY stream_id DESC LIMIT 1) "
								  "SELECT k.keys::text, f.event::text, f.old_image::text, l.event::text, "
								  "       l.new_image::text, "
								  "       ((extract(epoch FROM l.created) * 1000000)::bigint)::text, k.size::text "
								  "  FROM (SELECT shard, keys, min(seq) AS first_seq, max(seq) AS last_seq, "
								  "               sum(size)::bigint AS size "
								  "          FROM dynpg.stream_records, w "
								  "         WHERE stream_id = (SELECT stream_id FROM s) "
								  "           AND created >= w.f AND created < w.t "
								  "         GROUP BY shard, keys) k "
								  "  JOIN dynpg.stream_records f ON f.stream_id = (SELECT stream_id FROM s) "
								  "       AND f.shard = k.shard AND f.seq = k.first_seq "
								  "  JOIN dynpg.stream_records l ON l.stream_id = (SELECT stream_id FROM s) "
								  "       AND l.shard = k.shard AND l.seq = k.last_seq "
								  " ORDER BY k.last_seq",
								  3, params, incremental_node_row, &o);
	}
	else
	{
		ExportCatalogCall cc;
		Portal		portal;
		Oid			types[3] = {INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID};
		Datum		args[3];

		args[0] = Int64GetDatum(e->stream_id);
		args[1] = TimestampTzGetDatum(e->from);
		args[2] = TimestampTzGetDatum(e->to);
		catalog_begin(&cc);
		portal = SPI_cursor_open_with_args(NULL,
										   "SELECT k.keys, f.event, f.old_image, l.event, l.new_image, "
										   "       (extract(epoch FROM l.created) * 1000000)::bigint, k.size "
										   INCREMENTAL_QUERY_FROM,
										   3, types, args, NULL, true, 0);
		for (;;)
		{
			uint64		i;

			SPI_cursor_fetch(portal, true, 1000);
			if (SPI_processed == 0)
				break;
			for (i = 0; i < SPI_processed; i++)
			{
				HeapTuple	tup = SPI_tuptable->vals[i];
				TupleDesc	desc = SPI_tuptable->tupdesc;
				bool		isnull;
				bool		old_null;
				bool		new_null;
				Datum		old_image = SPI_getbinval(tup, desc, 3, &old_null);
				Datum		new_image = SPI_getbinval(tup, desc, 5, &new_null);

				incremental_line(&o, SPI_getbinval(tup, desc, 1, &isnull),
								 DatumGetChar(SPI_getbinval(tup, desc, 2, &isnull)) != DYN_STREAM_INSERT,
								 old_image, old_null,
								 DatumGetChar(SPI_getbinval(tup, desc, 4, &isnull)) != DYN_STREAM_REMOVE,
								 new_image, new_null,
								 DatumGetInt64(SPI_getbinval(tup, desc, 6, &isnull)),
								 DatumGetInt64(SPI_getbinval(tup, desc, 7, &isnull)));
			}
			SPI_freetuptable(SPI_tuptable);
		}
		SPI_cursor_close(portal);
		catalog_end(&cc);
	}
	MemoryContextDelete(o.rowcxt);
	export_finish(e, &o.files, Max(o.billed, INCREMENTAL_MIN_BILLED), 0);
}

/*
 * Whether 'rel' is the table an export was asked of: a dynpg table of that
 * relation name and TableId (an export restored from a dump names the OID
 * of another database's relation).
 */
static bool
same_table(Relation rel, const char *relname, const char *table_id)
{
	Jsonb	   *def = dynpg_relation_definition(RelationGetRelid(rel));
	JsonbValue	v;

	if (def == NULL || strcmp(RelationGetRelationName(rel), relname) != 0)
		return false;
	if (table_id == NULL)
		return true;
	return getKeyJsonValueFromContainer(&def->root, "TableId", 7, &v) && v.type == jbvString &&
		v.val.string.len == (int) strlen(table_id) &&
		memcmp(v.val.string.val, table_id, v.val.string.len) == 0;
}

/* whether this database's dynpg has dynpg.exports (an earlier build's may not) */
static bool
exports_installed(void)
{
	Oid			nsp = get_namespace_oid("dynpg", true);

	return OidIsValid(nsp) && OidIsValid(get_relname_relid("exports", nsp));
}

bool
dynpg_export_step(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	ExportRow  *volatile picked = NULL;
	volatile bool found = false;
	char	   *volatile table_name = NULL;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	/* one snapshot for the whole export, taken now: ExportTime */
	XactIsoLevel = XACT_REPEATABLE_READ;
	PushActiveSnapshot(GetTransactionSnapshot());
	PG_TRY();
	{
		TimestampTz export_time = GetCurrentTimestamp();

		if (exports_installed())
		{
			ExportCatalogCall cc;

			catalog_begin(&cc);
			if (SPI_execute("SELECT export_arn, table_relid, table_arn, table_id, s3_bucket, s3_prefix, "
							"s3_sse_algorithm, directory, key_base, data_name, start_time, "
							"export_type = 'INCREMENTAL_EXPORT', export_from_time, export_to_time, "
							"export_view_type, table_name, export_format "
							"FROM dynpg.exports WHERE status = 'IN_PROGRESS' ORDER BY start_time "
							"LIMIT 1 FOR UPDATE SKIP LOCKED", false, 1) != SPI_OK_SELECT)
				elog(ERROR, "could not read dynpg.exports");
			if (SPI_processed == 1)
			{
				MemoryContext spi = MemoryContextSwitchTo(cxt);
				ExportRow  *e = palloc0(sizeof(ExportRow));
				bool		isnull;
				char	   *s;

				e->export_arn = pstrdup(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
				e->relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
				e->table_arn = pstrdup(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3));
				s = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4);
				e->table_id = s ? pstrdup(s) : NULL;
				e->bucket = pstrdup(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5));
				s = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 6);
				e->prefix = s ? pstrdup(s) : NULL;
				e->sse = pstrdup(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 7));
				e->directory = pstrdup(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 8));
				e->key_base = pstrdup(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 9));
				e->data_name = pstrdup(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 10));
				e->start = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 11, &isnull));
				e->incremental = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 12, &isnull));
				if (e->incremental)
				{
					e->from = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 13, &isnull));
					e->to = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 14, &isnull));
					e->view = pstrdup(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 15));
				}
				table_name = pstrdup(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 16));
				e->format = pstrdup(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 17));
				picked = e;
				MemoryContextSwitchTo(spi);
			}
			catalog_end(&cc);
		}
		if (picked != NULL)
		{
			Relation	rel;

			found = true;
			pgstat_report_activity(STATE_RUNNING, "exporting a DynamoDB table");
			/*
			 * the table, if it is still the one the export was asked of (a
			 * record restored from a dump names another database's relation)
			 */
			rel = try_relation_open(picked->relid, AccessShareLock);
			if (rel == NULL || !same_table(rel, table_name, picked->table_id))
				dynpg_raise(DYN_ERR_TABLE_NOT_FOUND, "Table not found: %s", picked->table_arn);
			if (picked->incremental)
			{
				picked->stream_id = stream_covering(picked->relid, picked->from, picked->to,
													picked->view, true);
				incremental_run(picked);
			}
			else
				export_run(picked, rel, export_time);
			relation_close(rel, NoLock);
		}
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		ExportCatalogCall cc;
		Datum		args[3];
		Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};

		if (picked == NULL)
			PG_RE_THROW();
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		ereport(WARNING, (errmsg("export %s failed: %s", picked->export_arn, edata->message)));

		/* FAILED, with the error's SQLSTATE and message */
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		args[0] = CStringGetTextDatum(picked->export_arn);
		args[1] = CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode));
		args[2] = CStringGetTextDatum(edata->message ? edata->message : "");
		catalog_begin(&cc);
		if (SPI_execute_with_args("UPDATE dynpg.exports SET status = 'FAILED', end_time = now(), "
								  "failure_code = $2, failure_message = $3 "
								  "WHERE export_arn = $1 AND status = 'IN_PROGRESS'",
								  3, types, args, NULL, false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "could not record the export's failure");
		catalog_end(&cc);
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_END_TRY();
	pgstat_report_activity(STATE_IDLE, NULL);
	return found;
}

/* ---------------------------------------------------------------------
 * ExportTableToPointInTime
 * ---------------------------------------------------------------------
 */

/* dynpg.export_table: run the export in the caller's statement */
static bool export_synchronously = false;

typedef struct ExportRequest
{
	char	   *table_arn;
	char	   *bucket;
	char	   *prefix;
	char	   *format;
	char	   *type;
	char	   *sse;
	char	   *kms_key;
	char	   *owner;
	char	   *client_token;
	DynJson    *export_time;
	DynJson    *incremental;
	DynJson    *from;			/* IncrementalExportSpecification's members */
	DynJson    *to;
	char	   *view;
	TimestampTz from_time;
	TimestampTz to_time;
} ExportRequest;

static DynJson *describe_by_arn(const char *arn, const char *wrapper);

static const char *const export_view_types[] = {"NEW_IMAGE", "NEW_AND_OLD_IMAGES", NULL};

/* A Timestamp member (epoch seconds, a fraction allowed) as a TimestampTz */
static TimestampTz
request_time(const DynJson *v)
{
	char	   *text;
	char	   *end;
	double		secs;

	if (v->kind != DJ_NUMBER)
		dynpg_req_unexpected_value(v, DYN_MODEL_LONG);
	text = pnstrdup(v->str, v->len);
	errno = 0;
	secs = strtod(text, &end);
	/* beyond PostgreSQL's timestamps: a time no window can hold */
	if (errno != 0 || *end != '\0' || isnan(secs) || secs < -9.0e9 || secs > 9.0e9)
		secs = secs < 0 ? -9.0e9 : 9.0e9;
	return (TimestampTz) (secs * USECS_PER_SEC) -
		((POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * USECS_PER_SEC);
}

/* ISO 8601 UTC to the second, as DynamoDB's InvalidExportTimeException messages write times */
static char *
iso_seconds(TimestampTz t)
{
	pg_time_t	secs = timestamptz_to_time_t(t);
	struct pg_tm *tm = pg_gmtime(&secs);

	return psprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm->tm_year + 1900, tm->tm_mon + 1,
					tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec);
}

/*
 * The stream of table 'relid' whose records cover the window [from, to):
 * opened at or before 'from', not closed before 'to', no record written at
 * or after 'from' trimmed.  None: DynamoDB's answer to a window outside the
 * table's point-in-time recovery (dynpg's stream is what stands for it).  A
 * stream whose view type lacks the images 'view' needs: a ValidationException
 * saying so.
 */
static int64
stream_covering(Oid relid, TimestampTz from, TimestampTz to, const char *view, bool in_worker)
{
	ExportCatalogCall cc;
	Oid			types[3] = {OIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		args[3];
	int64		stream_id = 0;
	char	   *stream_view = NULL;

	args[0] = ObjectIdGetDatum(relid);
	args[1] = TimestampTzGetDatum(from);
	args[2] = TimestampTzGetDatum(to);
	catalog_begin(&cc);
	if (SPI_execute_with_args("SELECT stream_id, view_type FROM dynpg.streams "
							  "WHERE tbl = $1 AND created <= $2 AND (closed IS NULL OR closed >= $3) "
							  "AND (trimmed_until IS NULL OR trimmed_until < $2) "
							  "ORDER BY stream_id DESC LIMIT 1",
							  3, types, args, NULL, !in_worker, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read dynpg.streams");
	if (SPI_processed == 1)
	{
		bool		isnull;

		stream_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		stream_view = MemoryContextStrdup(TopTransactionContext,
										  SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2));
	}
	catalog_end(&cc);
	if (stream_id == 0)
		dynpg_raise(DYN_ERR_INVALID_EXPORT_TIME,
					"Incremental export period from time cannot be less than the table creation time : %s",
					iso_seconds(from));
	if (strcmp(stream_view, "NEW_AND_OLD_IMAGES") != 0 &&
		(strcmp(view, "NEW_AND_OLD_IMAGES") == 0 || strcmp(stream_view, "NEW_IMAGE") != 0))
		dynpg_validation_error("dynpg builds an incremental export from the table's stream: ExportViewType %s "
							   "needs StreamViewType %s, and the table's stream is %s",
							   view, strcmp(view, "NEW_IMAGE") == 0 ? "NEW_IMAGE or NEW_AND_OLD_IMAGES" :
							   "NEW_AND_OLD_IMAGES", stream_view);
	return stream_id;
}

DynJson *
dynpg_api_export_table_to_point_in_time(DynJson *request)
{
	DynRequest	req;
	ExportRequest r;
	bool		incremental;
	const char *table_name;
	Oid			relid;
	Relation	rel;
	Jsonb	   *def;
	JsonbValue	v;
	char	   *location;
	char	   *export_id;
	char		name[27];
	ExportRow	e;
	ExportCatalogCall cc;
	Datum		args[20];
	char		nulls[20];
	Oid			types[20];
	int			i;

	dynpg_require_preload();
	memset(&r, 0, sizeof(r));
	memset(&e, 0, sizeof(e));
	dynpg_req_start(&req, "ExportTableToPointInTime", request);
	r.client_token = dynpg_req_string(request, "ClientToken");
	r.format = dynpg_req_string(request, "ExportFormat");
	r.export_time = dynpg_req_member(request, "ExportTime");
	r.type = dynpg_req_string(request, "ExportType");
	r.incremental = dynpg_req_struct(request, "IncrementalExportSpecification");
	if (r.incremental != NULL)
	{
		r.from = dynpg_req_member(r.incremental, "ExportFromTime");
		r.to = dynpg_req_member(r.incremental, "ExportToTime");
		r.view = dynpg_req_string(r.incremental, "ExportViewType");
		if (r.from != NULL && r.from->kind == DJ_NULL)
			r.from = NULL;
		if (r.to != NULL && r.to->kind == DJ_NULL)
			r.to = NULL;
		if (r.from != NULL)
			r.from_time = request_time(r.from);
		if (r.to != NULL)
			r.to_time = request_time(r.to);
	}
	r.bucket = dynpg_req_string(request, "S3Bucket");
	r.owner = dynpg_req_string(request, "S3BucketOwner");
	r.prefix = dynpg_req_string(request, "S3Prefix");
	r.sse = dynpg_req_string(request, "S3SseAlgorithm");
	r.kms_key = dynpg_req_string(request, "S3SseKmsKeyId");
	r.table_arn = dynpg_req_string(request, "TableArn");

	/* phase 2: constraints, in the model's member order */
	dynpg_req_collect(&req, "ExportTableToPointInTime");
	dynpg_req_not_null(&req, r.table_arn != NULL, "TableArn");
	if (r.table_arn != NULL)
		dynpg_req_length(&req, r.table_arn, "TableArn", 1, 1024);
	dynpg_req_not_null(&req, r.bucket != NULL, "S3Bucket");
	if (r.bucket != NULL)
		dynpg_req_length(&req, r.bucket, "S3Bucket", 0, 255);
	if (r.owner != NULL)
		dynpg_req_length(&req, r.owner, "S3BucketOwner", 0, 64);
	if (r.prefix != NULL)
		dynpg_req_length(&req, r.prefix, "S3Prefix", 0, 1024);
	if (r.sse != NULL)
		dynpg_req_enum(&req, r.sse, "S3SseAlgorithm", sse_algorithms);
	if (r.kms_key != NULL)
		dynpg_req_length(&req, r.kms_key, "S3SseKmsKeyId", 1, 2048);
	if (r.format != NULL)
		dynpg_req_enum(&req, r.format, "ExportFormat", export_formats);
	if (r.type != NULL)
		dynpg_req_enum(&req, r.type, "ExportType", export_types);
	if (r.view != NULL)
		dynpg_req_enum(&req, r.view, "IncrementalExportSpecification.ExportViewType", export_view_types);
	if (r.client_token != NULL)
		dynpg_req_length(&req, r.client_token, "ClientToken", 0, 36);
	if (r.table_arn != NULL && strncmp(r.table_arn, "arn:", 4) == 0)
		dynpg_req_table_arn(&req, r.table_arn, "TableArn");
	dynpg_req_finish(&req);

	/* the operation's own rules */
	if (strncmp(r.table_arn, "arn:", 4) != 0)
		dynpg_validation_error("Invalid TableArn: %s", r.table_arn);
	incremental = r.type != NULL && strcmp(r.type, "INCREMENTAL_EXPORT") == 0;
	if (r.incremental != NULL && r.type == NULL)
		dynpg_validation_error("Invalid Request: Export Type expected to be Incremental Export when "
							   "incremental export specification is provided");
	if (r.incremental != NULL && !incremental)
		dynpg_validation_error("Invalid Request: When Export Type is Full Export , Incremental Export "
							   "Specification should not be provided");
	if (incremental && r.incremental == NULL)
		dynpg_validation_error("Invalid Request: Incremental Export Specification expected when export "
							   "type is set as Incremental Export");
	if (incremental && r.from == NULL)
		dynpg_validation_error("Invalid Request: ExportFromTime must be provided in IncrementalExportSpecification");
	if (r.export_time != NULL)
		dynpg_validation_error("dynpg keeps no point-in-time history: ExportTime cannot be given "
							   "(an export is of the table as the export finds it)");
	if (r.owner != NULL)
		dynpg_req_not_supported("S3BucketOwner");
	if (r.sse != NULL && strcmp(r.sse, "KMS") == 0)
		dynpg_validation_error("dynpg does not support S3SseAlgorithm KMS: only AES256");
	if (r.kms_key != NULL)
		dynpg_req_not_supported("S3SseKmsKeyId");
	location = dynpg_s3_location(r.bucket, strlen(r.bucket), r.prefix,
								 r.prefix ? strlen(r.prefix) : 0, "S3Bucket", "S3Prefix");

	/* the table: SELECT on it is what an export needs */
	table_name = dynpg_table_name_of(r.table_arn);
	relid = dynpg_table_relid(table_name, true);
	if (!OidIsValid(relid))
		dynpg_raise(DYN_ERR_TABLE_NOT_FOUND, "Table not found: %s", r.table_arn);
	rel = dynpg_api_open_table(table_name, AccessShareLock, &def);
	dynpg_api_check_privilege(rel, ACL_SELECT);
	e.relid = RelationGetRelid(rel);
	e.table_arn = psprintf("%s%s", DYNPG_TABLE_ARN_PREFIX, RelationGetRelationName(rel));
	if (getKeyJsonValueFromContainer(&def->root, "TableId", 7, &v) && v.type == jbvString)
		e.table_id = pnstrdup(v.val.string.val, v.val.string.len);

	/*
	 * INCREMENTAL_EXPORT: the window, in DynamoDB's order -- its start
	 * covered by the table's history (here its stream), its end not in the
	 * future (none given: now), 15 minutes to 24 hours long
	 */
	if (incremental)
	{
		TimestampTz now = GetCurrentTimestamp();

		e.incremental = true;
		e.from = r.from_time;
		e.to = r.to != NULL ? r.to_time : now;
		e.view = r.view != NULL ? r.view : "NEW_AND_OLD_IMAGES";
		e.stream_id = stream_covering(e.relid, e.from, e.to, e.view, false);
		if (e.to > now)
			dynpg_raise(DYN_ERR_INVALID_EXPORT_TIME,
						"Incremental export period to time cannot be greater than the current time : %s",
						iso_seconds(e.to));
		if (e.to - e.from < 15 * 60 * USECS_PER_SEC)
			dynpg_raise(DYN_ERR_INVALID_EXPORT_TIME,
						"Difference between export period from time and export period to time is less than 15 minutes");
		if (e.to - e.from > 24 * 60 * 60 * USECS_PER_SEC)
			dynpg_raise(DYN_ERR_INVALID_EXPORT_TIME,
						"Difference between export period from time and export period to time is greater than 24 hours");
	}

	/*
	 * ClientToken: the same request again within 8 hours answers the export
	 * it made; another request with the token is refused
	 */
	if (r.client_token != NULL)
	{
		Oid			ttypes[10] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
		TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID};
		Datum		targs[10];
		char		tnulls[10] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', 'n', 'n', 'n'};
		char	   *previous = NULL;

		targs[0] = CStringGetTextDatum(r.client_token);
		targs[1] = CStringGetTextDatum(e.table_arn);
		targs[2] = CStringGetTextDatum(r.bucket);
		targs[3] = CStringGetTextDatum(r.prefix ? r.prefix : "");
		targs[4] = CStringGetTextDatum(r.sse ? r.sse : "AES256");
		targs[5] = CStringGetTextDatum(r.format ? r.format : "DYNAMODB_JSON");
		targs[6] = CStringGetTextDatum(incremental ? "INCREMENTAL_EXPORT" : "FULL_EXPORT");
		if (incremental)
		{
			/* the window as asked: an omitted ExportToTime is "now" each time */
			targs[7] = TimestampTzGetDatum(r.from_time);
			tnulls[7] = ' ';
			if (r.to != NULL)
			{
				targs[8] = TimestampTzGetDatum(r.to_time);
				tnulls[8] = ' ';
			}
			targs[9] = CStringGetTextDatum(e.view);
			tnulls[9] = ' ';
		}
		catalog_begin(&cc);
		if (SPI_execute_with_args("SELECT export_arn, table_arn = $2 AND s3_bucket = $3 AND "
								  "coalesce(s3_prefix, '') = $4 AND s3_sse_algorithm = $5 AND "
								  "export_format = $6 AND export_type = $7 AND "
								  "export_from_time IS NOT DISTINCT FROM $8 AND "
								  "($9::timestamptz IS NULL OR export_to_time = $9) AND "
								  "export_view_type IS NOT DISTINCT FROM $10 "
								  "FROM dynpg.exports WHERE client_token = $1 "
								  "AND start_time > now() - interval '8 hours' ORDER BY start_time DESC",
								  10, ttypes, targs, tnulls, false, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not read dynpg.exports");
		if (SPI_processed == 1)
		{
			bool		isnull;

			if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)))
			{
				catalog_end(&cc);
				dynpg_raise(DYN_ERR_IDEMPOTENT_PARAMETER_MISMATCH,
							"The request uses the same client token as a previous, but different, request.");
			}
			previous = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
			previous = MemoryContextStrdup(TopTransactionContext, previous);
		}
		catalog_end(&cc);
		if (previous != NULL)
		{
			table_close(rel, NoLock);
			return describe_by_arn(previous, "ExportDescription");
		}
	}

	/* names; the directory, and _started, written now: the location is writable */
	e.start = GetCurrentTimestamp();
	export_id = psprintf("%014lld-%08x",
						 (long long) ((timestamptz_to_time_t(e.start) * INT64CONST(1000)) +
									  (e.start % USECS_PER_SEC) / 1000),
						 (unsigned int) pg_prng_uint32(&pg_global_prng_state));
	e.export_arn = psprintf("%s/export/%s", e.table_arn, export_id);
	e.bucket = r.bucket;
	e.prefix = r.prefix;
	e.sse = r.sse ? r.sse : "AES256";
	if (r.prefix != NULL && r.prefix[0] != '\0')
	{
		int			plen = strlen(r.prefix);

		while (plen > 0 && r.prefix[plen - 1] == '/')
			plen--;
		e.key_base = psprintf("%.*s/AWSDynamoDB/%s", plen, r.prefix, export_id);
	}
	else
		e.key_base = psprintf("AWSDynamoDB/%s", export_id);
	e.directory = psprintf("%s/AWSDynamoDB/%s", location, export_id);
	for (i = 0; i < 26; i++)
		name[i] = "abcdefghijklmnopqrstuvwxyz234567"[pg_prng_uint32(&pg_global_prng_state) % 32];
	name[26] = '\0';
	e.data_name = name;
	e.format = r.format ? r.format : "DYNAMODB_JSON";
	make_dir(e.directory);
	write_small_file(psprintf("%s/_started", e.directory), "", 0, false);

	/* the record, IN_PROGRESS */
	for (i = 0; i < 20; i++)
	{
		nulls[i] = ' ';
		types[i] = TEXTOID;
	}
	args[0] = CStringGetTextDatum(e.export_arn);
	args[1] = ObjectIdGetDatum(e.relid);
	types[1] = OIDOID;
	args[2] = CStringGetTextDatum(RelationGetRelationName(rel));
	args[3] = CStringGetTextDatum(e.table_arn);
	args[4] = e.table_id ? CStringGetTextDatum(e.table_id) : (Datum) 0;
	nulls[4] = e.table_id ? ' ' : 'n';
	args[5] = CStringGetTextDatum(e.incremental ? "INCREMENTAL_EXPORT" : "FULL_EXPORT");
	args[6] = CStringGetTextDatum(e.format);
	args[7] = CStringGetTextDatum(e.bucket);
	args[8] = e.prefix ? CStringGetTextDatum(e.prefix) : (Datum) 0;
	nulls[8] = e.prefix ? ' ' : 'n';
	args[9] = CStringGetTextDatum(e.sse);
	args[10] = CStringGetTextDatum(psprintf("%s/manifest-summary.json", e.key_base));
	args[11] = TimestampTzGetDatum(e.start);
	types[11] = TIMESTAMPTZOID;
	args[12] = CStringGetTextDatum(e.directory);
	args[13] = CStringGetTextDatum(e.key_base);
	args[14] = CStringGetTextDatum(e.data_name);
	args[15] = CStringGetTextDatum("IN_PROGRESS");
	args[16] = r.client_token ? CStringGetTextDatum(r.client_token) : (Datum) 0;
	nulls[16] = r.client_token ? ' ' : 'n';
	types[17] = TIMESTAMPTZOID;
	types[18] = TIMESTAMPTZOID;
	if (e.incremental)
	{
		args[17] = TimestampTzGetDatum(e.from);
		args[18] = TimestampTzGetDatum(e.to);
		args[19] = CStringGetTextDatum(e.view);
	}
	else
		nulls[17] = nulls[18] = nulls[19] = 'n';
	catalog_begin(&cc);
	if (SPI_execute_with_args("INSERT INTO dynpg.exports (export_arn, table_relid, table_name, "
							  "table_arn, table_id, export_type, export_format, s3_bucket, "
							  "s3_prefix, s3_sse_algorithm, manifest, start_time, directory, "
							  "key_base, data_name, status, client_token, export_from_time, "
							  "export_to_time, export_view_type) VALUES "
							  "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)",
							  20, types, args, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record the export");
	catalog_end(&cc);

	if (export_synchronously)
	{
		/* now, with the statement's snapshot */
		CommandCounterIncrement();
		if (e.incremental)
			incremental_run(&e);
		else
			export_run(&e, rel, GetCurrentStatementStartTimestamp());
	}
	else
		dynpg_changelog_wake_at_commit = true;	/* the worker runs it once this commits */
	table_close(rel, NoLock);
	CommandCounterIncrement();
	return describe_by_arn(e.export_arn, "ExportDescription");
}

/* ---------------------------------------------------------------------
 * DescribeExport and ListExports
 * ---------------------------------------------------------------------
 */

static char *
col(int row, int c)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, c);
}

static void
out_opt_string(DynOut **o, const char *key, char *value)
{
	if (value != NULL)
		dynpg_out_string(o, key, value);
}

static void
out_opt_number(DynOut **o, const char *key, char *value)
{
	if (value != NULL)
		dynpg_out_numeric_text(o, key, value);
}

/* The response {wrapper: ExportDescription} of the export 'arn', or ExportNotFoundException. */
static DynJson *
describe_by_arn(const char *arn, const char *wrapper)
{
	ExportCatalogCall cc;
	Oid			types[1] = {TEXTOID};
	Datum		args[1];
	DynOut	   *o = NULL;
	MemoryContext outer = CurrentMemoryContext;
	char	   *vals[EXPORT_NCOLUMNS];
	int			i;

	args[0] = CStringGetTextDatum(arn);
	catalog_begin(&cc);
	if (SPI_execute_with_args("SELECT " EXPORT_COLUMNS " FROM dynpg.exports WHERE export_arn = $1",
							  1, types, args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read dynpg.exports");
	if (SPI_processed == 0)
	{
		catalog_end(&cc);
		dynpg_raise(DYN_ERR_EXPORT_NOT_FOUND, "Export not found: %s", arn);
	}
	for (i = 0; i < EXPORT_NCOLUMNS; i++)
	{
		char	   *s = col(0, i + 1);

		vals[i] = s ? MemoryContextStrdup(outer, s) : NULL;
	}
	catalog_end(&cc);

	dynpg_out_begin_object(&o, NULL);
	dynpg_out_begin_object(&o, wrapper);
	if (strcmp(vals[1], "COMPLETED") == 0)
		dynpg_out_numeric_text(&o, "BilledSizeBytes", vals[11]);
	if (vals[13] != NULL)
		dynpg_out_numeric_text(&o, "EndTime", vals[13]);
	dynpg_out_string(&o, "ExportArn", vals[0]);
	dynpg_out_string(&o, "ExportFormat", vals[3]);
	dynpg_out_string(&o, "ExportManifest", vals[9]);
	dynpg_out_string(&o, "ExportStatus", vals[1]);
	out_opt_number(&o, "ExportTime", vals[14]);
	dynpg_out_string(&o, "ExportType", vals[2]);
	out_opt_string(&o, "FailureCode", vals[15]);
	out_opt_string(&o, "FailureMessage", vals[16]);
	if (vals[18] != NULL)
	{
		dynpg_out_begin_object(&o, "IncrementalExportSpecification");
		dynpg_out_numeric_text(&o, "ExportFromTime", vals[18]);
		dynpg_out_numeric_text(&o, "ExportToTime", vals[19]);
		dynpg_out_string(&o, "ExportViewType", vals[20]);
		dynpg_out_end_object(&o);
	}
	if (strcmp(vals[1], "COMPLETED") == 0)
		dynpg_out_numeric_text(&o, "ItemCount", vals[10]);
	dynpg_out_string(&o, "S3Bucket", vals[6]);
	out_opt_string(&o, "S3Prefix", vals[7]);
	dynpg_out_string(&o, "S3SseAlgorithm", vals[8]);
	dynpg_out_numeric_text(&o, "StartTime", vals[12]);
	dynpg_out_string(&o, "TableArn", vals[4]);
	out_opt_string(&o, "TableId", vals[5]);
	out_opt_string(&o, "ClientToken", vals[17]);
	dynpg_out_end_object(&o);
	return dynpg_out_finish(dynpg_out_end_object(&o));
}

DynJson *
dynpg_api_describe_export(DynJson *request)
{
	DynRequest	req;
	char	   *arn;

	dynpg_require_preload();
	dynpg_req_start(&req, "DescribeExport", request);
	arn = dynpg_req_string(request, "ExportArn");
	dynpg_req_collect(&req, "DescribeExport");
	dynpg_req_not_null(&req, arn != NULL, "ExportArn");
	if (arn != NULL)
		dynpg_req_length(&req, arn, "ExportArn", 37, 1024);
	dynpg_req_finish(&req);
	return describe_by_arn(arn, "ExportDescription");
}

DynJson *
dynpg_api_list_exports(DynJson *request)
{
	DynRequest	req;
	char	   *table_arn;
	char	   *next_token;
	int64		max_results = 25;
	bool		has_max;
	ExportCatalogCall cc;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	char		nulls[2] = {' ', ' '};
	DynOut	   *o = NULL;
	MemoryContext outer = CurrentMemoryContext;
	int			n;
	int			i;
	char	   *last = NULL;

	dynpg_require_preload();
	dynpg_req_start(&req, "ListExports", request);
	has_max = dynpg_req_long(request, "MaxResults", true, &max_results);
	next_token = dynpg_req_string(request, "NextToken");
	table_arn = dynpg_req_string(request, "TableArn");
	dynpg_req_collect(&req, "ListExports");
	if (has_max)
		dynpg_req_range(&req, max_results, "MaxResults", 1, 25);
	if (table_arn != NULL)
		dynpg_req_length(&req, table_arn, "TableArn", 1, 1024);
	dynpg_req_finish(&req);
	if (!has_max)
		max_results = 25;

	args[0] = table_arn ? CStringGetTextDatum(table_arn) : (Datum) 0;
	nulls[0] = table_arn ? ' ' : 'n';
	args[1] = next_token ? CStringGetTextDatum(next_token) : (Datum) 0;
	nulls[1] = next_token ? ' ' : 'n';
	catalog_begin(&cc);
	if (SPI_execute_with_args("SELECT export_arn, status, export_type FROM dynpg.exports "
							  "WHERE ($1 IS NULL OR table_arn = $1) AND ($2 IS NULL OR export_arn > $2) "
							  "ORDER BY export_arn",
							  2, types, args, nulls, false, max_results + 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read dynpg.exports");
	n = (int) SPI_processed;
	{
		MemoryContext spi = MemoryContextSwitchTo(outer);

		dynpg_out_begin_object(&o, NULL);
		dynpg_out_begin_array(&o, "ExportSummaries");
		for (i = 0; i < n && i < max_results; i++)
		{
			dynpg_out_begin_object(&o, NULL);
			last = pstrdup(col(i, 1));
			dynpg_out_string(&o, "ExportArn", last);
			dynpg_out_string(&o, "ExportStatus", pstrdup(col(i, 2)));
			dynpg_out_string(&o, "ExportType", pstrdup(col(i, 3)));
			dynpg_out_end_object(&o);
		}
		dynpg_out_end_array(&o);
		if (n > max_results)
			dynpg_out_string(&o, "NextToken", last);
		MemoryContextSwitchTo(spi);
	}
	catalog_end(&cc);
	return dynpg_out_finish(dynpg_out_end_object(&o));
}

/* ---------------------------------------------------------------------
 * dynpg.export_table(table, directory, format): directory is
 * <bucket>[/<prefix>] under dynpg.export_directory (or that directory's
 * absolute path); the export's ExportDescription
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(dynpg_export_table);
Datum
dynpg_export_table(PG_FUNCTION_ARGS)
{
	char	   *table = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *directory = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *format = PG_ARGISNULL(2) ? "DYNAMODB_JSON" : text_to_cstring(PG_GETARG_TEXT_PP(2));
	const char *base = dynpg_export_directory();
	char	   *slash;
	JsonbParseState *st = NULL;
	Jsonb	   *req;
	DynJson    *volatile response = NULL;

	if (base != NULL && directory[0] == '/')
	{
		int			blen = strlen(base);

		while (blen > 1 && base[blen - 1] == '/')
			blen--;
		if (strncmp(directory, base, blen) != 0 || directory[blen] != '/')
			dynpg_validation_error("The directory %s is not under dynpg.export_directory", directory);
		directory += blen + 1;
	}
	slash = strchr(directory, '/');
	dynpg_jb_begin_object(&st, NULL);
	dynpg_jb_string(&st, "TableArn", psprintf("%s%s", DYNPG_TABLE_ARN_PREFIX,
											  dynpg_table_name_of(table)));
	if (slash != NULL)
	{
		dynpg_jb_string(&st, "S3Bucket", pnstrdup(directory, slash - directory));
		if (slash[1] != '\0')
			dynpg_jb_string(&st, "S3Prefix", slash + 1);
	}
	else
		dynpg_jb_string(&st, "S3Bucket", directory);
	dynpg_jb_string(&st, "ExportFormat", format);
	req = dynpg_jb_finish(dynpg_jb_end_object(&st));
	PG_TRY();
	{
		export_synchronously = true;
		response = dynpg_api_call(dynpg_api_find_operation("ExportTableToPointInTime"),
								  dynpg_json_from_jsonb(req));
	}
	PG_FINALLY();
	{
		export_synchronously = false;
	}
	PG_END_TRY();
	PG_RETURN_JSONB_P(dynpg_response_jsonb(response));
}
