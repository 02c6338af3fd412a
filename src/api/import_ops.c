/*-------------------------------------------------------------------------
 *
 * import_ops.c
 *	  ImportTable, DescribeImport and ListImports: a new table loaded from
 *	  files under dynpg.export_directory, DynamoDB's S3 on this server
 *	  (s3_location.c).
 *
 * ImportTable validates its request, creates the table through CreateTable
 * (TableCreationParameters become a CreateTable request, so the table obeys
 * every rule CreateTable has), marks it CREATING ("TableStatus" in its
 * definition: DescribeTable says CREATING, the data plane does not find it,
 * DeleteTable/UpdateTable are ResourceInUseException), records the import
 * IN_PROGRESS in dynpg.imports and answers; its commit wakes the database's
 * worker.  The worker's step (dynpg_import_step) takes the oldest
 * IN_PROGRESS or CANCELLING import (FOR UPDATE SKIP LOCKED), counts its
 * start in a transaction of its own, then loads every file of the S3
 * location, each line through import_put_item, and marks the table ACTIVE
 * and the import COMPLETED -- all in one transaction, so that a crash
 * leaves nothing of the load.  A file that cannot be read, a cancel
 * (dynpg.cancel_import) or any error rolls the load back; another
 * transaction then drops the table and marks the import FAILED (or
 * CANCELLED).  An import found IN_PROGRESS with a start counted never
 * ended (the server crashed or the worker died): FAILED, ImportInterrupted,
 * its table dropped.  dynpg.import_table(directory, ...) loads in the
 * caller's transaction instead.  What
 * the location holds: S3BucketSource {S3Bucket, S3KeyPrefix} names
 * <dynpg.export_directory>/<bucket>/<prefix>; when that is a directory,
 * every file under it (subdirectories included, in name order) is read,
 * else every file of its parent directory whose name starts with the
 * prefix's last segment -- S3's "objects whose key starts with the
 * prefix".  An AWS export's bookkeeping files (manifest-summary.json,
 * manifest-files.json, their .md5 or .checksum, _started) are skipped, so that
 * S3KeyPrefix may name the export (AWSDynamoDB/<id>/) or its data/
 * directory alike.
 *
 * Lines that are not items are what DynamoDB calls import errors: a line
 * that is not JSON, a DYNAMODB_JSON line without its "Item", an item
 * without its key or with a key of the wrong type, an item over 400 KB
 * (whatever PutItem refuses with a DynamoDB exception).  Each is counted in
 * ErrorCount, logged (LOG, naming the file and line) and the last ten are
 * kept with the import (dynpg.imports.errors); the other lines load.  A
 * file that cannot be read (missing, a truncated or corrupt gzip stream)
 * fails the whole import: the table and whatever was loaded are rolled
 * back or dropped and the import is recorded FAILED with FailureCode and
 * FailureMessage, so a half-loaded table is never left looking complete.
 * src/api/README, "Imports from S3", has the whole story.
 *
 * ION: the files are Amazon Ion text (types/item_ion.c, whose README gives
 * the grammar read): each top-level value {Item:{...}} is one item, after
 * any $ion_1_0 version markers (AWS's export starts every line with one).
 * A value that is not Ion, or not such an item, is an import error of the
 * line it starts on, and reading goes on at the next line starting with
 * "{" or "$ion_1_0" (AWS's files hold one item per line).
 *
 * CSV: the first line is the header unless HeaderList is given; a value of
 * an attribute of AttributeDefinitions takes its type (N, B, S), every
 * other value is a string (S); an empty field sets no attribute.  Fields
 * may be quoted ("..." with "" for a quote, line breaks inside quotes).
 *
 * The imports are kept in dynpg.imports, written and read as its owner.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <dirent.h>
#include <sys/stat.h>
#include <libdeflate.h>
#include <zstd.h>

#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"
#include "utils/syscache.h"

#include "am/dynpg_changelog.h"
#include "am/dynpg_bulk.h"
#include "api/dynpg_api.h"
#include "api/dynpg_cluster.h"
#include "api/dynpg_import.h"
#include "api/dynpg_item_common.h"
#include "api/dynpg_s3_location.h"
#include "api/dynpg_table_ops.h"
#include "api/dynpg_wire.h"
#include "base/dynpg_error.h"
#include "base/dynpg_preload.h"
#include "base/dynpg_request.h"
#include "base/dynpg_search_path.h"
#include "types/dynpg_item_ion.h"
#include "catalog/dynpg_catalog.h"

#define IMPORT_ERRORS_KEPT	10
#define IMPORT_ERRORS_LOGGED	10000
#define IMPORT_TOKEN_HOURS	8
#define IMPORT_LOG_GROUP	"arn:" DYN_OWN_PARTITION ":logs:" DYN_OWN_REGION ":" DYN_OWN_ACCOUNT \
	":log-group:/aws-dynamodb/imports:*"

static const char *const input_formats[] = {"DYNAMODB_JSON", "ION", "CSV", NULL};
static const char *const compression_types[] = {"GZIP", "ZSTD", "NONE", NULL};

typedef struct ImportRun
{
	char	   *table_name;
	bool		csv;
	bool		ion;
	bool		gzip;
	bool		zstd;
	bool		by_suffix;		/* compression told by each file's name (.gz, .zst) */
	const char *root;		/* file names in messages are relative to it */
	char		delimiter;
	DynJson    *header_list;	/* CSV HeaderList or NULL */
	DynJson    *attribute_definitions;
	int64		processed_items;
	int64		processed_bytes;
	int64		imported;
	int64		errors;
	char	   *kept[IMPORT_ERRORS_KEPT];
	int			nkept;
	const char *failure_code;
	char	   *failure_message;
	MemoryContext cxt;			/* where the run's own data lives */
	MemoryContext linecxt;		/* reset per line */
	/* ImportTable's load in the worker (dynpg_import_step) */
	bool		in_worker;
	const char *import_arn;
	TimestampTz next_poll;		/* when to look for a cancel next */
	/* the bulk load the items go to (load_into), or NULL: PutItem each */
	DynBulkLoad *bulk;
	/* in a cluster's router: the nodes' bulk loads, 'bulk' only checking */
	DynClusterLoad *cluster_load;
} ImportRun;

/* testing only: imports and exports wait this long per item (dynpg_import_init) */
int			dynpg_debug_bulk_delay_ms = 0;

/* ---- the catalog, read and written as its owner ---- */

typedef struct OwnerContext
{
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;	/* the search_path (base/dynpg_search_path.h) */
} OwnerContext;

static void
as_owner_begin(OwnerContext *oc)
{
	Oid			nsp = get_namespace_oid("dynpg", false);
	Oid			rel = get_relname_relid("imports", nsp);
	HeapTuple	tup;
	Oid			owner;

	if (!OidIsValid(rel))
		elog(ERROR, "dynpg: dynpg.imports is missing");
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "dynpg: cache lookup failed for relation %u", rel);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	GetUserIdAndSecContext(&oc->save_userid, &oc->save_sec);
	SetUserIdAndSecContext(owner, oc->save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	oc->save_nestlevel = dynpg_search_path_push();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
}

static void
as_owner_end(OwnerContext *oc)
{
	SPI_finish();
	dynpg_search_path_pop(oc->save_nestlevel);
	SetUserIdAndSecContext(oc->save_userid, oc->save_sec);
}

/* The first column of the first row of a query as jsonb (copied out of SPI), or NULL. */
static Jsonb *
spi_jsonb(const char *sql, int nargs, Oid *types, Datum *values)
{
	int			rc;
	bool		isnull;
	Datum		d;

	rc = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 1);
	if (rc != SPI_OK_SELECT && rc != SPI_OK_INSERT_RETURNING && rc != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "dynpg: reading dynpg.imports failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return NULL;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		return NULL;
	/* a short (1-byte header) varlena made a whole one first: Jsonb needs it */
	d = PointerGetDatum(PG_DETOAST_DATUM(d));
	return (Jsonb *) SPI_datumTransfer(d, false, -1);
}

static DynJson *
description_response(Jsonb *description)
{
	JsonbParseState *st = NULL;

	dynpg_jb_begin_object(&st, NULL);
	dynpg_jb_container(&st, "ImportTableDescription", &description->root);
	return dynpg_response_from_jsonb(dynpg_jb_finish(dynpg_jb_end_object(&st)));
}

/* ---- reading the files ---- */

static bool
is_bookkeeping(const char *name)
{
	return strcmp(name, "manifest-summary.json") == 0 ||
		strcmp(name, "manifest-files.json") == 0 ||
		strcmp(name, "manifest-summary.md5") == 0 ||
		strcmp(name, "manifest-files.md5") == 0 ||
		strcmp(name, "manifest-summary.checksum") == 0 ||
		strcmp(name, "manifest-files.checksum") == 0 ||
		strcmp(name, "_started") == 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Every regular file under 'dir' (recursively) whose name starts with 'prefix' (NULL: all). */
static void
list_files(const char *dir, const char *prefix, List **files)
{
	DIR		   *d;
	struct dirent *de;
	char	  **names = NULL;
	int			n = 0;
	int			cap = 0;
	int			i;

	d = AllocateDir(dir);
	if (d == NULL)
		return;
	while ((de = ReadDir(d, dir)) != NULL)
	{
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (prefix != NULL && strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (n == cap)
		{
			cap = cap ? cap * 2 : 16;
			names = names ? repalloc(names, cap * sizeof(char *)) : palloc(cap * sizeof(char *));
		}
		names[n++] = pstrdup(de->d_name);
	}
	FreeDir(d);
	if (n > 1)
		qsort(names, n, sizeof(char *), cmp_names);
	for (i = 0; i < n; i++)
	{
		char	   *path = psprintf("%s/%s", dir, names[i]);
		struct stat st;

		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			list_files(path, NULL, files);
		else if (S_ISREG(st.st_mode) && !is_bookkeeping(names[i]))
			*files = lappend(*files, path);
	}
}

static bool
read_failed(ImportRun *run, const char *code, char *message)
{
	run->failure_code = code;
	run->failure_message = message;
	return false;
}

/* A ZSTD file's bytes, decompressed, into 'buf' (read_file) */
static bool
read_zstd(ImportRun *run, const char *path, const char *shown, StringInfo buf)
{
	FILE	   *f = AllocateFile(path, PG_BINARY_R);
	ZSTD_DStream *ds;
	size_t		inlen = ZSTD_DStreamInSize();
	size_t		outlen = ZSTD_DStreamOutSize();
	char	   *in;
	char	   *out;
	size_t		got;
	size_t		last = 0;
	bool		ok = true;
	char	   *message = NULL;

	if (f == NULL)
		return read_failed(run, "S3ReadError",
						   psprintf("The file %s could not be read: %m", shown));
	ds = ZSTD_createDStream();
	if (ds == NULL)
	{
		FreeFile(f);
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
	in = palloc(inlen);
	out = palloc(outlen);
	(void) ZSTD_initDStream(ds);
	/* the stream is malloc'ed: freed on a cancel too */
	PG_TRY();
	{
		while (ok && (got = fread(in, 1, inlen, f)) > 0)
		{
			ZSTD_inBuffer ib = {in, got, 0};

			CHECK_FOR_INTERRUPTS();
			while (ib.pos < ib.size)
			{
				ZSTD_outBuffer ob = {out, outlen, 0};

				last = ZSTD_decompressStream(ds, &ob, &ib);
				if (ZSTD_isError(last))
				{
					message = psprintf("The file %s could not be decompressed: %s", shown,
									   ZSTD_getErrorName(last));
					ok = false;
					break;
				}
				if ((Size) buf->len + ob.pos >= MaxAllocSize)
				{
					message = psprintf("The file %s is over 1 GB", shown);
					ok = false;
					break;
				}
				appendBinaryStringInfo(buf, out, (int) ob.pos);
			}
		}
	}
	PG_CATCH();
	{
		ZSTD_freeDStream(ds);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (ok && ferror(f))
	{
		message = psprintf("The file %s could not be read: %m", shown);
		ok = false;
	}
	/* a frame not finished at the end of the file: truncated */
	if (ok && last != 0)
	{
		message = psprintf("The file %s could not be decompressed: it ends inside a frame", shown);
		ok = false;
	}
	ZSTD_freeDStream(ds);
	FreeFile(f);
	pfree(in);
	pfree(out);
	if (!ok)
		return read_failed(run, "InvalidCompressedFile", message);
	return true;
}

/* The file's bytes as they are, into 'buf'; false with run->failure_* set when it cannot be read */
static bool
read_raw(ImportRun *run, const char *path, const char *shown, StringInfo buf)
{
	char		chunk[65536];
	FILE	   *f = AllocateFile(path, PG_BINARY_R);
	size_t		got;

	if (f == NULL)
		return read_failed(run, "S3ReadError",
						   psprintf("The file %s could not be read: %m", shown));
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
	{
		CHECK_FOR_INTERRUPTS();
		if ((Size) buf->len + got >= MaxAllocSize)
		{
			FreeFile(f);
			return read_failed(run, "S3ReadError", psprintf("The file %s is over 1 GB", shown));
		}
		appendBinaryStringInfo(buf, chunk, (int) got);
	}
	if (ferror(f))
	{
		char	   *message = psprintf("The file %s could not be read: %m", shown);

		FreeFile(f);
		return read_failed(run, "S3ReadError", message);
	}
	FreeFile(f);
	return true;
}

/*
 * GZIP: the whole file is read, then inflated member after member by
 * libdeflate (Debian's libdeflate, about twice zlib's speed: inflating was
 * a third of an import's time with zlib's gzread), each straight into
 * 'buf', sized by the member's own trailer (ISIZE, its length modulo 2^32;
 * doubled when that is too small).  As zlib's gzread does, bytes after the
 * last member that do not start another one are ignored.
 */
static bool
read_gzip(ImportRun *run, const char *path, const char *shown, StringInfo buf)
{
	StringInfoData comp;
	struct libdeflate_decompressor *volatile d = NULL;
	char	   *volatile failure = NULL;
	size_t		pos = 0;

	initStringInfo(&comp);
	if (!read_raw(run, path, shown, &comp))
		return false;
	if (comp.len == 0)
		return true;
	if (comp.len < 2 || (uint8) comp.data[0] != 0x1f || (uint8) comp.data[1] != 0x8b)
		return read_failed(run, "InvalidCompressedFile",
						   psprintf("The file %s is not compressed with GZIP", shown));
	d = libdeflate_alloc_decompressor();
	if (d == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	PG_TRY();
	{
		while (pos < (size_t) comp.len && failure == NULL)
		{
			const uint8 *in = (const uint8 *) comp.data + pos;
			size_t		avail = comp.len - pos;
			size_t		room;
			size_t		used = 0;
			size_t		out = 0;
			enum libdeflate_result r;

			/* another member, or what follows the last one */
			if (pos > 0 && (avail < 2 || in[0] != 0x1f || in[1] != 0x8b))
				break;
			room = (size_t) comp.data[comp.len - 4] & 0xff;
			room |= ((size_t) comp.data[comp.len - 3] & 0xff) << 8;
			room |= ((size_t) comp.data[comp.len - 2] & 0xff) << 16;
			room |= ((size_t) comp.data[comp.len - 1] & 0xff) << 24;
			room = Max(room, 4096);
			for (;;)
			{
				CHECK_FOR_INTERRUPTS();
				if ((Size) buf->len + room >= MaxAllocSize - 1)
					room = MaxAllocSize - 2 - buf->len;
				enlargeStringInfo(buf, (int) room);
				r = libdeflate_gzip_decompress_ex(d, in, avail, buf->data + buf->len, room, &used, &out);
				if (r != LIBDEFLATE_INSUFFICIENT_SPACE)
					break;
				if ((Size) buf->len + room >= MaxAllocSize - 2)
				{
					failure = psprintf("The file %s is over 1 GB", shown);
					break;
				}
				room *= 2;
			}
			if (failure != NULL)
				break;
			if (r != LIBDEFLATE_SUCCESS || used == 0)
			{
				failure = psprintf("The file %s could not be decompressed", shown);
				break;
			}
			buf->len += (int) out;
			buf->data[buf->len] = '\0';
			pos += used;
		}
	}
	PG_FINALLY();
	{
		libdeflate_free_decompressor(d);
	}
	PG_END_TRY();
	pfree(comp.data);
	if (failure != NULL)
		return read_failed(run, strstr(failure, "over 1 GB") ? "S3ReadError" : "InvalidCompressedFile",
						   failure);
	return true;
}

/*
 * The file's bytes, uncompressed, into 'buf' ('shown': its name in messages,
 * under the S3 directory); false with run->failure_* set when it cannot be
 * read.
 */
static bool
read_file(ImportRun *run, const char *path, const char *shown, StringInfo buf)
{
	if (run->zstd)
		return read_zstd(run, path, shown, buf);
	if (run->gzip)
		return read_gzip(run, path, shown, buf);
	return read_raw(run, path, shown, buf);
}

/* ---- loading ---- */

static void
record_error(ImportRun *run, const char *file, int64 line, const char *message)
{
	MemoryContext old = MemoryContextSwitchTo(run->cxt);
	char	   *text = psprintf("%s line " INT64_FORMAT ": %s", file, line, message);

	run->errors++;
	/* the first IMPORT_ERRORS_LOGGED only: a file of bad lines must not flood the log */
	if (run->errors <= IMPORT_ERRORS_LOGGED)
		ereport(LOG,
				(errmsg("dynpg: ImportTable of table %s: %s", run->table_name, text)));
	if (run->errors == IMPORT_ERRORS_LOGGED)
		ereport(LOG,
				(errmsg("dynpg: ImportTable of table %s: further errors are counted, not logged",
						run->table_name)));
	if (run->nkept == IMPORT_ERRORS_KEPT)
	{
		pfree(run->kept[0]);
		memmove(run->kept, run->kept + 1, (IMPORT_ERRORS_KEPT - 1) * sizeof(char *));
		run->nkept--;
	}
	run->kept[run->nkept++] = text;
	MemoryContextSwitchTo(old);
}

/*
 * Put one item into the new table through PutItem, when there is no bulk
 * load (load_into).  A DynamoDB exception raised here is the line's error
 * (put_one).  Called in put_one's subtransaction.
 */
static void
import_put_item(ImportRun *run, DynJson *item)
{
	DynJson    *request;

	request = dynpg_json_new(DJ_OBJECT);

	dynpg_json_add(request, "TableName", 9,
				   dynpg_json_string(run->table_name, strlen(run->table_name)));
	dynpg_json_add(request, "Item", 4, item);
	if (dynpg_cluster_routes())
		(void) dynpg_cluster_call(dynpg_api_find_operation("PutItem"), request);
	else
		(void) dynpg_api_put_item(request);
}

static void poll_cancel(ImportRun *run);

/*
 * Run fn(arg) in a subtransaction of its own: NULL when it succeeded (the
 * subtransaction committed into the caller's), else its error, copied,
 * with the subtransaction rolled back -- the caller decides whether to
 * rethrow it.  The caller's memory context and resource owner are current
 * again either way.
 */
static ErrorData *
in_subtransaction(void (*fn) (void *arg), void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		fn(arg);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	return edata;
}

/* put_one's work in its subtransaction */
typedef struct PutLine
{
	ImportRun  *run;
	const char *text;
	int			len;
	DynJson    *item;
} PutLine;

/* The item of a line: a DYNAMODB_JSON line's {"Item": ...} (item NULL), or 'item' */
static DynJson *
line_item(const char *text, int len, DynJson *item)
{
	if (item == NULL)
	{
		DynJson    *doc = dynpg_json_parse(text, len);

		item = doc->kind == DJ_OBJECT ? dynpg_json_member(doc, "Item", 4) : NULL;
		if (item == NULL || item->kind != DJ_OBJECT)
			dynpg_validation_error("The line is not an object with the member Item, as DynamoDB JSON's {\"Item\": {...}}");
	}
	return item;
}

static void
put_line(void *arg)
{
	PutLine    *pl = arg;

	import_put_item(pl->run, line_item(pl->text, pl->len, pl->item));
}

/*
 * The checks of one line for a bulk load (put_one): parse it, build its
 * item, check it as PutItem would and the load needs (dynpg_bulk_check).
 * This code only allocates memory and raises errors -- it takes no lock,
 * pin or file and writes nothing -- so its errors may be caught without a
 * subtransaction.
 */
static DynItem *
check_line(ImportRun *run, const char *text, int len, DynJson *item, StringInfo skey)
{
	DynItem    *it = dynpg_item_from_json(line_item(text, len, item), false);

	dynpg_bulk_check(run->bulk, it, skey, true);
	return it;
}

/*
 * One item: a DYNAMODB_JSON line's text (item NULL) or a CSV record's or
 * Ion value's item, parsed and put: into the bulk load (checked by
 * check_line, its errors caught), else through PutItem in a subtransaction
 * (put_line).  A DynamoDB exception (class YD) is the line's error and the
 * import goes on; anything else (a cancel, out of memory) ends the import
 * and its transaction.
 */
static void
put_one(ImportRun *run, const char *text, int len, DynJson *item, const char *file, int64 line)
{
	PutLine		pl = {run, text, len, item};
	ErrorData  *edata;

	if (run->in_worker)
	{
		if (dynpg_debug_bulk_delay_ms > 0)
			pg_usleep(dynpg_debug_bulk_delay_ms * 1000L);
		CHECK_FOR_INTERRUPTS();
		poll_cancel(run);
	}
	run->processed_items++;
	if (run->bulk != NULL)
	{
		/*
		 * A bulk load: the line's checks have no effects to undo (check_line),
		 * so their error is caught without the cost of a subtransaction per
		 * line; then the item goes into the load, whose errors end the import.
		 */
		MemoryContext cxt = CurrentMemoryContext;
		StringInfoData skey;
		DynItem    *volatile it = NULL;

		initStringInfo(&skey);
		edata = NULL;
		PG_TRY();
		{
			it = check_line(run, text, len, item, &skey);
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(cxt);
			edata = CopyErrorData();
			FlushErrorState();
		}
		PG_END_TRY();
		if (edata == NULL)
		{
			if (run->cluster_load != NULL)
				dynpg_cluster_load_add(run->cluster_load, skey.data, skey.len,
									   (const struct varlena *) it);
			else
				(void) dynpg_bulk_add_checked(run->bulk, it, &skey);
			run->imported++;
			return;
		}
	}
	else
		edata = in_subtransaction(put_line, &pl);
	if (edata == NULL)
	{
		run->imported++;
		return;
	}
	if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) !=
		ERRCODE_TO_CATEGORY(MAKE_SQLSTATE('Y', 'D', '0', '0', '0')))
		ReThrowError(edata);
	record_error(run, file, line, edata->message);
}

static void
load_json(ImportRun *run, const char *file, StringInfo buf)
{
	int			pos = 0;
	int64		line = 0;

	while (pos < buf->len)
	{
		char	   *nl = memchr(buf->data + pos, '\n', buf->len - pos);
		int			end = nl ? (int) (nl - buf->data) : buf->len;
		int			len = end - pos;

		line++;
		/* a line ending in CR LF, and blank lines (a file's last newline) */
		if (len > 0 && buf->data[pos + len - 1] == '\r')
			len--;
		if (len > 0)
		{
			MemoryContext old = MemoryContextSwitchTo(run->linecxt);

			CHECK_FOR_INTERRUPTS();
			put_one(run, buf->data + pos, len, NULL, file, line);
			MemoryContextSwitchTo(old);
			MemoryContextReset(run->linecxt);
		}
		pos = end + 1;
	}
}

/* An ION file: each top-level value one item */
static void
load_ion(ImportRun *run, const char *file, StringInfo buf)
{
	DynIonReader reader;

	dynpg_ion_reader_init(&reader, buf->data, buf->len);
	for (;;)
	{
		MemoryContext old = MemoryContextSwitchTo(run->linecxt);
		int64		line;
		DynJson    *item;
		char	   *error;
		bool		more;

		CHECK_FOR_INTERRUPTS();
		more = dynpg_ion_reader_next(&reader, &line, &item, &error);
		if (more && error != NULL)
		{
			run->processed_items++;
			record_error(run, file, line, error);
		}
		else if (more)
			put_one(run, NULL, 0, item, file, line);
		MemoryContextSwitchTo(old);
		MemoryContextReset(run->linecxt);
		if (!more)
			break;
	}
}

/*
 * One CSV record from *pos: its fields into 'fields' (count returned),
 * the lines it spans added to *line.  -1 at the end.
 */
static int
csv_record(ImportRun *run, StringInfo buf, int *pos, int64 *line, char ***fields)
{
	int			n = 0;
	int			cap = 8;
	StringInfoData f;
	int			p = *pos;

	if (p >= buf->len)
		return -1;
	*fields = palloc(cap * sizeof(char *));
	initStringInfo(&f);
	(*line)++;
	for (;;)
	{
		bool		end_record = false;

		resetStringInfo(&f);
		if (p < buf->len && buf->data[p] == '"')
		{
			p++;
			while (p < buf->len)
			{
				if (buf->data[p] == '"')
				{
					if (p + 1 < buf->len && buf->data[p + 1] == '"')
					{
						appendStringInfoChar(&f, '"');
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (buf->data[p] == '\n')
					(*line)++;
				appendStringInfoChar(&f, buf->data[p++]);
			}
		}
		while (p < buf->len && buf->data[p] != run->delimiter && buf->data[p] != '\n')
			appendStringInfoChar(&f, buf->data[p++]);
		if (p >= buf->len || buf->data[p] == '\n')
			end_record = true;
		if (end_record && f.len > 0 && f.data[f.len - 1] == '\r')
			f.data[--f.len] = '\0';
		if (n == cap)
		{
			cap *= 2;
			*fields = repalloc(*fields, cap * sizeof(char *));
		}
		(*fields)[n++] = pstrdup(f.data);
		p++;
		if (end_record)
			break;
	}
	*pos = p;
	return n;
}

/* The type AttributeDefinitions give attribute 'name' ("S" if none). */
static const char *
attribute_type(ImportRun *run, const char *name)
{
	int			i;

	if (run->attribute_definitions == NULL || run->attribute_definitions->kind != DJ_ARRAY)
		return "S";
	for (i = 0; i < run->attribute_definitions->len; i++)
	{
		DynJson    *d = run->attribute_definitions->elems[i];
		DynJson    *n = d->kind == DJ_OBJECT ? dynpg_json_member(d, "AttributeName", 13) : NULL;
		DynJson    *t = d->kind == DJ_OBJECT ? dynpg_json_member(d, "AttributeType", 13) : NULL;

		if (n != NULL && t != NULL && n->kind == DJ_STRING && t->kind == DJ_STRING &&
			n->len == (int) strlen(name) && memcmp(n->str, name, n->len) == 0 &&
			t->len == 1)
			return t->str[0] == 'N' ? "N" : t->str[0] == 'B' ? "B" : "S";
	}
	return "S";
}

static void
load_csv(ImportRun *run, const char *file, StringInfo buf)
{
	int			pos = 0;
	int64		line = 0;
	char	  **header;
	int			nheader;
	const char **types;
	int			i;

	if (run->header_list != NULL)
	{
		nheader = run->header_list->len;
		header = palloc(nheader * sizeof(char *));
		for (i = 0; i < nheader; i++)
			header[i] = pnstrdup(run->header_list->elems[i]->str, run->header_list->elems[i]->len);
	}
	else
	{
		nheader = csv_record(run, buf, &pos, &line, &header);
		if (nheader < 0)
			return;
	}
	types = palloc(nheader * sizeof(char *));
	for (i = 0; i < nheader; i++)
		types[i] = attribute_type(run, header[i]);

	for (;;)
	{
		MemoryContext old = MemoryContextSwitchTo(run->linecxt);
		char	  **fields;
		int64		first_line = line + 1;
		int			n = csv_record(run, buf, &pos, &line, &fields);
		DynJson    *item;

		CHECK_FOR_INTERRUPTS();
		if (n < 0)
		{
			MemoryContextSwitchTo(old);
			break;
		}
		if (n == 1 && fields[0][0] == '\0')
		{
			/* a blank line */
			MemoryContextSwitchTo(old);
			MemoryContextReset(run->linecxt);
			continue;
		}
		if (n > nheader)
		{
			run->processed_items++;
			record_error(run, file, first_line,
						 psprintf("The record has %d fields, more than the header's %d", n, nheader));
		}
		else
		{
			item = dynpg_json_new(DJ_OBJECT);
			for (i = 0; i < n; i++)
			{
				DynJson    *value;

				if (fields[i][0] == '\0')
					continue;
				value = dynpg_json_new(DJ_OBJECT);
				dynpg_json_add(value, types[i], 1, dynpg_json_string(fields[i], strlen(fields[i])));
				dynpg_json_add(item, header[i], strlen(header[i]), value);
			}
			put_one(run, NULL, 0, item, file, first_line);
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(run->linecxt);
	}
}

/* Every file of the location; false with run->failure_* set when one cannot be read. */
static bool
load_location(ImportRun *run, const char *location)
{
	List	   *files = NIL;
	ListCell   *lc;
	struct stat st;
	StringInfoData buf;

	if (stat(location, &st) == 0 && S_ISDIR(st.st_mode))
		list_files(location, NULL, &files);
	else
	{
		char	   *dir = pstrdup(location);
		char	   *slash = strrchr(dir, '/');

		Assert(slash != NULL);
		*slash = '\0';
		list_files(dir, slash + 1, &files);
	}
	if (files == NIL)
		return read_failed(run, "S3NoSuchKey",
						   "The S3 location holds no file to import");
	initStringInfo(&buf);
	foreach(lc, files)
	{
		const char *path = lfirst(lc);
		const char *shown = path + strlen(run->root);

		while (*shown == '/')
			shown++;

		resetStringInfo(&buf);
		if (run->by_suffix)
		{
			size_t		len = strlen(path);

			run->gzip = len > 3 && strcmp(path + len - 3, ".gz") == 0;
			run->zstd = len > 4 && strcmp(path + len - 4, ".zst") == 0;
		}
		if (!read_file(run, path, shown, &buf))
			return false;
		run->processed_bytes += buf.len;
		if (run->csv)
			load_csv(run, shown, &buf);
		else if (run->ion)
			load_ion(run, shown, &buf);
		else
			load_json(run, shown, &buf);
	}
	return true;
}

/*
 * Load the files of 'location' into the table 'relid', new and empty: by a
 * bulk load (src/am/dynpg_bulk.h) -- every line checked as PutItem checks
 * it, in its subtransaction as before, the items sorted and the tree built
 * at the end -- when the table can take one, else line by line through
 * PutItem.  The one difference the bulk path makes: two lines with one key.
 * PutItem keeps the last; the build refuses them, so then the load runs
 * again line by line (the build's subtransaction rolled back; the pages it
 * wrote stay unreachable, and TOAST values of large items already stored
 * stay unreferenced, until the table is rewritten).
 */
static void
bulk_finish(void *arg)
{
	(void) dynpg_bulk_finish((DynBulkLoad *) arg);
}

static void
cluster_load_finish(void *arg)
{
	(void) dynpg_cluster_load_finish((DynClusterLoad *) arg);
}

static bool
load_into(ImportRun *run, Oid relid, const char *location)
{
	Relation	rel = table_open(relid, RowExclusiveLock);
	ErrorData  *edata;
	bool		again = false;

	/*
	 * A router's table holds nothing: its items go to the nodes' tables,
	 * each node's by a COPY into its bulk load (dynpg_cluster_load_*); the
	 * router's load only checks the lines as its own would, and builds
	 * nothing.
	 */
	run->bulk = dynpg_bulk_begin(rel, true);
	run->cluster_load = NULL;
	if (run->bulk != NULL && dynpg_cluster_routes())
		run->cluster_load = dynpg_cluster_load_begin(RelationGetRelationName(rel));
	if (run->bulk == NULL)
	{
		table_close(rel, NoLock);
		return load_location(run, location);
	}
	if (!load_location(run, location))
	{
		dynpg_bulk_abort(run->bulk);
		run->bulk = NULL;
		if (run->cluster_load != NULL)
			dynpg_cluster_load_abort(run->cluster_load);
		run->cluster_load = NULL;
		table_close(rel, NoLock);
		return false;
	}
	if (run->cluster_load != NULL)
	{
		dynpg_bulk_abort(run->bulk);
		edata = in_subtransaction(cluster_load_finish, run->cluster_load);
		run->cluster_load = NULL;
	}
	else
		edata = in_subtransaction(bulk_finish, run->bulk);
	if (edata != NULL)
	{
		if (edata->sqlerrcode != ERRCODE_UNIQUE_VIOLATION)
			ReThrowError(edata);
		FreeErrorData(edata);
		again = true;
	}
	run->bulk = NULL;
	table_close(rel, NoLock);
	if (!again)
		return true;
	/* the same key twice: line by line, the last line of a key wins */
	elog(LOG, "dynpg: import into \"%s\": a key appears more than once, loading line by line",
		 run->table_name);
	run->processed_items = run->processed_bytes = run->imported = run->errors = 0;
	run->nkept = 0;
	return load_location(run, location);
}

/* ---- the operations ---- */

static char *
container_string(JsonbContainer *c, const char *key)
{
	JsonbValue	k;
	JsonbValue *v;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	v = findJsonbValueFromContainer(c, JB_FOBJECT, &k);
	if (v == NULL || v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* DynamoDB's import ids: the start in milliseconds (14 digits), '-', 8 hex digits */
static char *
import_id(void)
{
	uint8		b[4];
	TimestampTz now = GetCurrentTimestamp();
	int64		ms = now / 1000 + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000;

	if (!pg_strong_random(b, sizeof(b)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random import id")));
	return psprintf("%014" INT64_MODIFIER "d-%02x%02x%02x%02x", ms, b[0], b[1], b[2], b[3]);
}

static void
json_member_string(StringInfo out, const char *key, const char *value)
{
	if (value == NULL)
		return;
	appendStringInfo(out, ",\"%s\":", key);
	dynpg_json_write_string(out, value, strlen(value));
}

static void
json_member_tree(StringInfo out, const char *key, const DynJson *value)
{
	if (value == NULL)
		return;
	appendStringInfo(out, ",\"%s\":", key);
	dynpg_json_write(out, value, NULL);
}

/*
 * The run's format options: the request's at ImportTable, its description's
 * in the worker.
 */
static void
run_options(ImportRun *run, const char *input_format, const char *compression,
			const char *delimiter, DynJson *header_list, DynJson *attribute_definitions)
{
	run->csv = strcmp(input_format, "CSV") == 0;
	run->ion = strcmp(input_format, "ION") == 0;
	run->gzip = compression != NULL && strcmp(compression, "GZIP") == 0;
	run->zstd = compression != NULL && strcmp(compression, "ZSTD") == 0;
	run->delimiter = delimiter != NULL ? delimiter[0] : ',';
	run->header_list = header_list;
	run->attribute_definitions = attribute_definitions;
}

/* the errors kept (dynpg.imports.errors): a JSON array of strings */
static char *
kept_errors(ImportRun *run)
{
	StringInfoData errs;
	int			i;

	initStringInfo(&errs);
	appendStringInfoChar(&errs, '[');
	for (i = 0; i < run->nkept; i++)
	{
		if (i > 0)
			appendStringInfoChar(&errs, ',');
		dynpg_json_write_string(&errs, run->kept[i], strlen(run->kept[i]));
	}
	appendStringInfoChar(&errs, ']');
	return errs.data;
}

/*
 * Mark table 'relid' CREATING (ImportTable, which holds it with
 * AccessExclusiveLock since it created it) or ACTIVE again (the worker,
 * whose import is complete): "TableStatus" in its definition, so that it
 * is the same for every session, on standbys and after a restart.
 */
static void
set_creating(Oid relid, bool creating)
{
	Relation	rel = table_open(relid, AccessExclusiveLock);
	Jsonb	   *def = (Jsonb *) dynpg_table_def(rel)->definition;
	Datum		newdef;

	if (creating)
		newdef = DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(def),
									 DirectFunctionCall1(jsonb_in,
														 CStringGetDatum("{\"TableStatus\": \"CREATING\"}")));
	else
		newdef = DirectFunctionCall2(jsonb_delete, JsonbPGetDatum(def),
									 CStringGetTextDatum("TableStatus"));
	dynpg_table_set_definition(rel, DatumGetJsonbP(newdef));
	table_close(rel, NoLock);
	CommandCounterIncrement();
}

/*
 * ImportTable; 'directory' (dynpg.import_table(directory, request), for
 * superusers): the files of that server directory, in place of
 * S3BucketSource, each decompressed as its name says (.gz, .zst).
 */
static DynJson *
import_table(DynJson *request, const char *directory)
{
	DynRequest	req;
	char	   *client_token;
	DynJson    *source;
	char	   *bucket = NULL;
	char	   *key_prefix = NULL;
	char	   *bucket_owner = NULL;
	char	   *input_format;
	DynJson    *format_options;
	DynJson    *csv = NULL;
	char	   *delimiter = NULL;
	DynJson    *header_list = NULL;
	char	   *compression;
	DynJson    *params;
	char	   *location;
	StringInfoData canonical;
	OwnerContext oc;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	Jsonb	   *found;
	DynJson    *create;
	DynJson    *created;
	Jsonb	   *created_jb;
	JsonbValue	k;
	JsonbValue *td;
	char	   *table_arn;
	char	   *table_id;
	char	   *import_arn;
	char	   *start_time;
	ImportRun	run;
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	bool		loaded;
	Oid			table_relid = InvalidOid;
	StringInfoData d;
	int			i;
	char	   *volatile nodes_table = NULL;	/* created on a cluster's nodes */

	dynpg_require_preload();
	dynpg_req_start(&req, "ImportTable", request);

	/* phase 1: the members with their types */
	client_token = dynpg_req_string(req.root, "ClientToken");
	source = dynpg_req_struct(req.root, "S3BucketSource");
	if (source != NULL)
	{
		bucket_owner = dynpg_req_string(source, "S3BucketOwner");
		bucket = dynpg_req_string(source, "S3Bucket");
		key_prefix = dynpg_req_string(source, "S3KeyPrefix");
	}
	input_format = dynpg_req_string(req.root, "InputFormat");
	format_options = dynpg_req_struct(req.root, "InputFormatOptions");
	if (format_options != NULL)
		csv = dynpg_req_struct(format_options, "Csv");
	if (csv != NULL)
	{
		delimiter = dynpg_req_string(csv, "Delimiter");
		header_list = dynpg_req_list(csv, "HeaderList");
		if (header_list != NULL)
			for (i = 0; i < dynpg_req_list_length(header_list); i++)
				(void) dynpg_req_list_string(header_list, i);
	}
	compression = dynpg_req_string(req.root, "InputCompressionType");
	params = dynpg_req_struct(req.root, "TableCreationParameters");

	/* phase 2: the constraints */
	dynpg_req_not_null(&req, source != NULL || directory != NULL, "S3BucketSource");
	if (source != NULL)
	{
		dynpg_req_not_null(&req, bucket != NULL, "S3BucketSource.S3Bucket");
		dynpg_req_length(&req, bucket, "S3BucketSource.S3Bucket", 0, 255);
		dynpg_req_length(&req, key_prefix, "S3BucketSource.S3KeyPrefix", 0, 1024);
		if (bucket_owner != NULL && (strlen(bucket_owner) != 12 ||
									 strspn(bucket_owner, "0123456789") != 12))
			dynpg_req_invalid_text(&req, "Value at 'S3BucketSource.S3BucketOwner' failed to satisfy "
								   "constraint: Member must satisfy regular expression pattern: [0-9]{12}");
	}
	dynpg_req_not_null(&req, input_format != NULL, "InputFormat");
	dynpg_req_enum(&req, input_format, "InputFormat", input_formats);
	if (delimiter != NULL)
	{
		dynpg_req_length(&req, delimiter, "InputFormatOptions.Csv.Delimiter", 1, 1);
		if (strlen(delimiter) == 1 && strchr(",;:|\t ", delimiter[0]) == NULL)
			dynpg_req_invalid_text(&req, "Value at 'InputFormatOptions.Csv.Delimiter' failed to satisfy "
								   "constraint: Member must satisfy regular expression pattern: [,;:|\\t ]");
	}
	if (header_list != NULL)
	{
		int			n = dynpg_req_list_length(header_list);

		if (n < 1)
			dynpg_req_too_short(&req, "InputFormatOptions.Csv.HeaderList", 1);
		if (n > 255)
			dynpg_req_too_long(&req, "InputFormatOptions.Csv.HeaderList", 255);
		for (i = 0; i < n; i++)
		{
			char	   *h = dynpg_req_list_string(header_list, i);
			char	   *path = psprintf("InputFormatOptions.Csv.HeaderList.%d.member", i + 1);

			dynpg_req_not_null(&req, h != NULL, path);
			dynpg_req_length(&req, h, path, 1, 65536);
		}
	}
	dynpg_req_enum(&req, compression, "InputCompressionType", compression_types);
	dynpg_req_not_null(&req, params != NULL, "TableCreationParameters");
	dynpg_req_finish(&req);

	/* phase 3: what dynpg does not do, and the options' rules */
	if (csv != NULL && strcmp(input_format, "CSV") != 0)
		dynpg_validation_error("InputFormatOptions.Csv can only be given with InputFormat CSV");
	if (directory != NULL)
		location = pstrdup(directory);
	else
		location = dynpg_s3_location(bucket, strlen(bucket), key_prefix,
									 key_prefix ? strlen(key_prefix) : 0,
									 "S3BucketSource.S3Bucket", "S3BucketSource.S3KeyPrefix");

	/* ClientToken: the same request again is the same import */
	initStringInfo(&canonical);
	dynpg_json_write_canonical(&canonical, request, "ClientToken");
	if (client_token != NULL)
	{
		values[0] = CStringGetTextDatum(client_token);
		values[1] = CStringGetTextDatum(canonical.data);
		as_owner_begin(&oc);
		found = spi_jsonb("SELECT jsonb_build_object('same', request = $2, 'description', description) "
						  "FROM dynpg.imports WHERE client_token = $1 "
						  "AND created > now() - interval '" CppAsString2(IMPORT_TOKEN_HOURS) " hours' "
						  "ORDER BY seq DESC LIMIT 1", 2, types, values);
		as_owner_end(&oc);
		if (found != NULL)
		{
			JsonbValue *same;
			JsonbValue *desc;

			k.type = jbvString;
			k.val.string.val = "same";
			k.val.string.len = 4;
			same = findJsonbValueFromContainer(&found->root, JB_FOBJECT, &k);
			if (same == NULL || same->type != jbvBool || !same->val.boolean)
				dynpg_raise(DYN_ERR_IDEMPOTENT_PARAMETER_MISMATCH,
							"The request uses the same client token as a previous, but different, request.");
			k.val.string.val = "description";
			k.val.string.len = 11;
			desc = findJsonbValueFromContainer(&found->root, JB_FOBJECT, &k);
			if (desc == NULL || desc->type != jbvBinary)
				elog(ERROR, "dynpg: an import without its description");
			return description_response(JsonbValueToJsonb(desc));
		}
	}

	memset(&run, 0, sizeof(run));
	run.cxt = cxt;
	run.linecxt = AllocSetContextCreate(cxt, "dynpg import line", ALLOCSET_DEFAULT_SIZES);
	run_options(&run, input_format, compression, delimiter, header_list,
				dynpg_json_member(params, "AttributeDefinitions", 20));
	run.by_suffix = directory != NULL && compression == NULL;
	run.root = directory != NULL ? location : dynpg_export_directory();
	start_time = dynpg_api_epoch_seconds_now();

	/*
	 * The table (and, for dynpg.import_table, its items) in a subtransaction:
	 * a file that cannot be read rolls both back, and the import is recorded
	 * FAILED.  CreateTable's own errors (a bad TableCreationParameters, a
	 * table that exists) are ImportTable's.  ImportTable's table is marked
	 * CREATING and loaded by the worker once this commits.
	 */
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		create = dynpg_json_new(DJ_OBJECT);
		for (i = 0; i < params->len; i++)
			dynpg_json_add(create, params->members[i].key, params->members[i].keylen,
						   params->members[i].val);
		created = dynpg_api_create_table(create);
		/* in a cluster's router, the table on every node too (src/api/cluster.c) */
		if (dynpg_cluster_routes())
		{
			DynJson    *tn = dynpg_json_member(create, "TableName", 9);

			dynpg_cluster_create_on_nodes(create);
			if (tn != NULL && tn->kind == DJ_STRING)
				nodes_table = MemoryContextStrdup(cxt, pnstrdup(tn->str, tn->len));
		}
		created_jb = dynpg_response_jsonb(created);
		k.type = jbvString;
		k.val.string.val = "TableDescription";
		k.val.string.len = 16;
		td = findJsonbValueFromContainer(&created_jb->root, JB_FOBJECT, &k);
		if (td == NULL || td->type != jbvBinary)
			elog(ERROR, "dynpg: CreateTable answered no TableDescription");
		table_arn = container_string(td->val.binary.data, "TableArn");
		table_id = container_string(td->val.binary.data, "TableId");
		run.table_name = container_string(td->val.binary.data, "TableName");
		if (table_arn == NULL || run.table_name == NULL)
			elog(ERROR, "dynpg: CreateTable answered no TableArn");
		import_arn = psprintf("%s/import/%s", table_arn, import_id());
		if (directory == NULL)
		{
			table_relid = dynpg_table_relid(run.table_name, false);
			set_creating(table_relid, true);
			loaded = true;
		}
		else
			loaded = load_into(&run, dynpg_table_relid(run.table_name, false), location);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/* our subtransaction ends here, so that the caller's (a PL/pgSQL block's) is current again */
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		/* the nodes' tables are not the subtransaction's: deleted again */
		if (nodes_table != NULL)
			dynpg_cluster_delete_on_nodes(nodes_table);
		ReThrowError(edata);
	}
	PG_END_TRY();
	if (loaded)
		ReleaseCurrentSubTransaction();
	else
	{
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		if (nodes_table != NULL)
			dynpg_cluster_delete_on_nodes(nodes_table);
	}
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	MemoryContextDelete(run.linecxt);

	/* the description */
	initStringInfo(&d);
	appendStringInfoString(&d, "{\"ImportArn\":");
	dynpg_json_write_string(&d, import_arn, strlen(import_arn));
	json_member_string(&d, "ImportStatus",
					   directory == NULL ? "IN_PROGRESS" : loaded ? "COMPLETED" : "FAILED");
	json_member_string(&d, "TableArn", table_arn);
	json_member_string(&d, "TableId", table_id);
	json_member_string(&d, "ClientToken", client_token);
	json_member_tree(&d, "S3BucketSource", source);
	appendStringInfo(&d, ",\"ErrorCount\":" INT64_FORMAT, run.errors);
	json_member_string(&d, "CloudWatchLogGroupArn", IMPORT_LOG_GROUP);
	json_member_string(&d, "InputFormat", input_format);
	json_member_tree(&d, "InputFormatOptions", format_options);
	if (!run.by_suffix)
		json_member_string(&d, "InputCompressionType", compression ? compression : "NONE");
	json_member_tree(&d, "TableCreationParameters", params);
	appendStringInfo(&d, ",\"StartTime\":%s", start_time);
	if (directory != NULL)
		appendStringInfo(&d, ",\"EndTime\":%s", dynpg_api_epoch_seconds_now());
	appendStringInfo(&d, ",\"ProcessedSizeBytes\":" INT64_FORMAT
					 ",\"ProcessedItemCount\":" INT64_FORMAT
					 ",\"ImportedItemCount\":" INT64_FORMAT,
					 run.processed_bytes, run.processed_items, run.imported);
	json_member_string(&d, "FailureCode", run.failure_code);
	json_member_string(&d, "FailureMessage", run.failure_message);
	appendStringInfoChar(&d, '}');

	{
		Oid			itypes[9] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
		OIDOID, TEXTOID, TEXTOID};
		Datum		ivalues[9];
		char		inulls[9] = {' ', ' ', ' ', ' ', ' ', ' ', 'n', 'n', 'n'};
		int			rc;
		bool		isnull;
		Datum		res;

		ivalues[0] = CStringGetTextDatum(import_arn);
		ivalues[1] = CStringGetTextDatum(table_arn);
		ivalues[2] = client_token ? CStringGetTextDatum(client_token) : (Datum) 0;
		if (client_token == NULL)
			inulls[2] = 'n';
		ivalues[3] = CStringGetTextDatum(canonical.data);
		ivalues[4] = CStringGetTextDatum(d.data);
		ivalues[5] = CStringGetTextDatum(kept_errors(&run));
		ivalues[6] = ObjectIdGetDatum(table_relid);
		ivalues[7] = CStringGetTextDatum(location);
		ivalues[8] = CStringGetTextDatum(run.root);
		if (directory == NULL)
			inulls[6] = inulls[7] = inulls[8] = ' ';
		as_owner_begin(&oc);
		rc = SPI_execute_with_args("INSERT INTO dynpg.imports "
								   "(import_arn, table_arn, client_token, request, description, errors, "
								   "table_relid, location, root) "
								   "VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9) "
								   "RETURNING description",
								   9, itypes, ivalues, inulls, false, 1);
		if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
			elog(ERROR, "dynpg: recording the import failed: %s", SPI_result_code_string(rc));
		res = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		found = (Jsonb *) SPI_datumTransfer(res, false, -1);
		as_owner_end(&oc);
	}
	/* the worker loads it once this commits */
	if (directory == NULL)
		dynpg_changelog_wake_at_commit = true;
	return description_response(found);
}

DynJson *
dynpg_api_import_table(DynJson *request)
{
	return import_table(request, NULL);
}

/*
 * dynpg.import_table(directory, create_table_request): ImportTable of the
 * DYNAMODB_JSON files under a server directory (superusers only, as COPY
 * FROM a file), compression by file name.
 */
PG_FUNCTION_INFO_V1(dynpg_import_directory);
Datum
dynpg_import_directory(PG_FUNCTION_ARGS)
{
	char	   *directory = text_to_cstring(PG_GETARG_TEXT_PP(0));
	DynJson    *request;
	size_t		len = strlen(directory);

	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be superuser to import from a server directory")));
	if (!is_absolute_path(directory))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the directory to import must be an absolute path: %s", directory)));
	while (len > 1 && directory[len - 1] == '/')
		directory[--len] = '\0';
	request = dynpg_json_new(DJ_OBJECT);
	dynpg_json_add(request, "InputFormat", 11, dynpg_json_string("DYNAMODB_JSON", 13));
	dynpg_json_add(request, "TableCreationParameters", 23,
				   dynpg_json_from_jsonb(PG_GETARG_JSONB_P(1)));
	PG_RETURN_JSONB_P(dynpg_response_jsonb(import_table(request, directory)));
}

DynJson *
dynpg_api_describe_import(DynJson *request)
{
	DynRequest	req;
	char	   *arn;
	OwnerContext oc;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	Jsonb	   *found;

	dynpg_require_preload();
	dynpg_req_start(&req, "DescribeImport", request);
	arn = dynpg_req_string(req.root, "ImportArn");
	dynpg_req_not_null(&req, arn != NULL, "ImportArn");
	dynpg_req_length(&req, arn, "ImportArn", 37, 1024);
	dynpg_req_finish(&req);

	values[0] = CStringGetTextDatum(arn);
	as_owner_begin(&oc);
	found = spi_jsonb("SELECT description FROM dynpg.imports WHERE import_arn = $1",
					  1, types, values);
	as_owner_end(&oc);
	if (found == NULL)
		dynpg_raise(DYN_ERR_IMPORT_NOT_FOUND, "Import not found: %s", arn);
	return description_response(found);
}

/* The SHA-384 of ListImports' TableArn ("" when none), in hex */
static char *
filter_digest(const char *table_arn)
{
	Datum		d = DirectFunctionCall1(sha384_bytea,
										PointerGetDatum(cstring_to_text(table_arn ? table_arn : "")));
	bytea	   *b = DatumGetByteaPP(d);
	char	   *hex = palloc(VARSIZE_ANY_EXHDR(b) * 2 + 1);
	int			i;

	for (i = 0; i < VARSIZE_ANY_EXHDR(b); i++)
		sprintf(hex + 2 * i, "%02x", (unsigned char) VARDATA_ANY(b)[i]);
	return hex;
}

DynJson *
dynpg_api_list_imports(DynJson *request)
{
	DynRequest	req;
	char	   *table_arn;
	DynReqNumber page;
	char	   *next_token;
	OwnerContext oc;
	Oid			types[4] = {TEXTOID, INT4OID, INT8OID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	int64		after = 0;
	int			rc;
	bool		isnull;
	Datum		res;
	Jsonb	   *list;

	dynpg_require_preload();
	dynpg_req_start(&req, "ListImports", request);
	table_arn = dynpg_req_string(req.root, "TableArn");
	page.present = dynpg_req_long(req.root, "PageSize", true, &page.value);
	next_token = dynpg_req_string(req.root, "NextToken");
	dynpg_req_length(&req, table_arn, "TableArn", 1, 1024);
	if (page.present)
		dynpg_req_range(&req, page.value, "PageSize", 1, 25);
	dynpg_req_length(&req, next_token, "NextToken", 112, 1024);
	if (next_token != NULL &&
		(strlen(next_token) % 16 != 0 || strspn(next_token, "0123456789abcdef") != strlen(next_token)))
		dynpg_req_invalid_text(&req, "Value at 'NextToken' failed to satisfy constraint: "
							   "Member must satisfy regular expression pattern: ([0-9a-f]{16})+");
	dynpg_req_finish(&req);

	/*
	 * NextToken: the last import listed (16 hex digits of its seq), then the
	 * SHA-384 of the TableArn listed (96 hex digits), so that a token is
	 * taken only with the TableArn it was given for.
	 */
	if (next_token != NULL)
	{
		char		seq[17];

		memcpy(seq, next_token, 16);
		seq[16] = '\0';
		after = (int64) strtoull(seq, NULL, 16);
		if (strlen(next_token) != 112 || after <= 0 ||
			strcmp(next_token + 16, filter_digest(table_arn)) != 0)
			dynpg_validation_error("The provided NextToken is not valid");
	}

	values[0] = table_arn ? CStringGetTextDatum(table_arn) : (Datum) 0;
	if (table_arn == NULL)
		nulls[0] = 'n';
	values[1] = Int32GetDatum(page.present ? (int32) page.value : 25);
	values[2] = Int64GetDatum(after);
	values[3] = CStringGetTextDatum(filter_digest(table_arn));
	as_owner_begin(&oc);
	rc = SPI_execute_with_args(
		"WITH page AS ("
		" SELECT seq, description FROM dynpg.imports"
		" WHERE ($1 IS NULL OR table_arn = $1) AND seq > $3"
		" ORDER BY seq LIMIT $2 + 1),"
		" shown AS (SELECT * FROM page ORDER BY seq LIMIT $2)"
		" SELECT jsonb_build_object('ImportSummaryList', COALESCE((SELECT jsonb_agg("
		"   (SELECT jsonb_object_agg(key, value) FROM jsonb_each(description)"
		"    WHERE key IN ('ImportArn', 'ImportStatus', 'TableArn', 'S3BucketSource',"
		"                  'CloudWatchLogGroupArn', 'InputFormat', 'StartTime', 'EndTime'))"
		"   ORDER BY seq) FROM shown), '[]'::jsonb))"
		" || CASE WHEN (SELECT count(*) FROM page) > $2"
		"    THEN jsonb_build_object('NextToken', lpad(to_hex((SELECT max(seq) FROM shown)), 16, '0')"
		"      || $4)"
		"    ELSE '{}'::jsonb END",
		4, types, values, nulls, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "dynpg: listing the imports failed: %s", SPI_result_code_string(rc));
	res = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	list = (Jsonb *) SPI_datumTransfer(res, false, -1);
	as_owner_end(&oc);
	return dynpg_response_from_jsonb(list);
}

/* ---- the worker: loading ImportTable's imports ---- */

void
dynpg_import_init(void)
{
	DefineCustomIntVariable("dynpg.debug_bulk_delay_ms",
							"Testing only: ImportTable's load in the worker, and exports, wait this long before each item.",
							"0 (the default) does not wait.  For tests that stop a server, or cancel "
							"an import, while a load or an export runs.",
							&dynpg_debug_bulk_delay_ms,
							0, 0, 60000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);
}

/* An import the worker took (copied out of SPI into the step's context) */
typedef struct ImportJob
{
	char	   *import_arn;
	Oid			relid;
	char	   *status;
	int			attempts;
	char	   *description;
	char	   *location;
	char	   *root;
} ImportJob;

/* whether this database's dynpg.imports has the worker's columns (an earlier build's may not) */
static bool
imports_installed(void)
{
	Oid			nsp = get_namespace_oid("dynpg", true);
	Oid			rel = OidIsValid(nsp) ? get_relname_relid("imports", nsp) : InvalidOid;

	return OidIsValid(rel) && get_attnum(rel, "attempts") != InvalidAttrNumber;
}

/*
 * Once a second of the load: a cancel (dynpg.cancel_import) committed
 * meanwhile ends it.  READ COMMITTED: each query sees the latest commits.
 */
static char *read_status(const char *import_arn, bool lock);

static void
poll_cancel(ImportRun *run)
{
	TimestampTz now = GetCurrentTimestamp();
	char	   *status;

	if (now < run->next_poll)
		return;
	run->next_poll = TimestampTzPlusMilliseconds(now, 1000);
	status = read_status(run->import_arn, false);
	if (status == NULL)
		elog(ERROR, "dynpg: the import %s is gone", run->import_arn);
	if (strcmp(status, "IN_PROGRESS") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("The import was cancelled")));
}

/* a member of the description's tree as a string, or NULL */
static char *
tree_string(DynJson *obj, const char *key)
{
	DynJson    *v = obj != NULL && obj->kind == DJ_OBJECT ? dynpg_json_member(obj, key, strlen(key)) : NULL;

	return v != NULL && v->kind == DJ_STRING ? pnstrdup(v->str, v->len) : NULL;
}

/*
 * The end of an import that did not complete: its table dropped (when it
 * is still the import's CREATING table) and the import marked 'status'
 * (FAILED with 'code' and 'message', or CANCELLED), with what the load
 * counted.  Runs in a transaction of its own, or in the claiming one.
 */
static void
end_unloaded(ImportJob *job, ImportRun *run, const char *status, const char *code,
			 const char *message)
{
	Relation	rel = try_table_open(job->relid, AccessExclusiveLock);
	OwnerContext oc;
	Oid			types[9] = {TEXTOID, TEXTOID, TEXTOID, INT8OID, INT8OID, INT8OID, INT8OID,
	TEXTOID, TEXTOID};
	Datum		values[9];
	char		nulls[9] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	int			rc;

	if (rel != NULL)
	{
		const DynTableDef *def = dynpg_table_def_or_null(rel);

		if (def != NULL && def->creating)
		{
			Jsonb	   *copy = palloc(VARSIZE(def->definition));
			char	   *name = pstrdup(def->table_name);

			memcpy(copy, def->definition, VARSIZE(def->definition));
			dynpg_api_drop_table(rel, copy);
			if (dynpg_cluster_routes())
				dynpg_cluster_delete_on_nodes(name);
		}
		else
			table_close(rel, AccessExclusiveLock);
	}
	values[0] = CStringGetTextDatum(job->import_arn);
	values[1] = CStringGetTextDatum(status);
	values[2] = CStringGetTextDatum(dynpg_api_epoch_seconds_now());
	values[3] = Int64GetDatum(run ? run->errors : 0);
	values[4] = Int64GetDatum(run ? run->processed_bytes : 0);
	values[5] = Int64GetDatum(run ? run->processed_items : 0);
	values[6] = Int64GetDatum(run ? run->imported : 0);
	values[7] = code ? CStringGetTextDatum(code) : (Datum) 0;
	values[8] = message ? CStringGetTextDatum(message) : (Datum) 0;
	if (code == NULL)
		nulls[7] = 'n';
	if (message == NULL)
		nulls[8] = 'n';
	as_owner_begin(&oc);
	rc = SPI_execute_with_args("UPDATE dynpg.imports SET description = description || "
							   "jsonb_strip_nulls(jsonb_build_object('ImportStatus', $2, "
							   "'EndTime', $3::numeric, 'ErrorCount', $4, 'ProcessedSizeBytes', $5, "
							   "'ProcessedItemCount', $6, 'ImportedItemCount', $7, "
							   "'FailureCode', $8, 'FailureMessage', $9)), "
							   "table_relid = NULL "
							   "WHERE import_arn = $1 "
							   "AND description->>'ImportStatus' IN ('IN_PROGRESS', 'CANCELLING')",
							   9, types, values, nulls, false, 0);
	if (rc != SPI_OK_UPDATE)
		elog(ERROR, "dynpg: recording the import's end failed: %s", SPI_result_code_string(rc));
	if (run != NULL)
	{
		Oid			etypes[2] = {TEXTOID, TEXTOID};
		Datum		evalues[2];

		evalues[0] = CStringGetTextDatum(job->import_arn);
		evalues[1] = CStringGetTextDatum(kept_errors(run));
		rc = SPI_execute_with_args("UPDATE dynpg.imports SET errors = $2::jsonb WHERE import_arn = $1",
								   2, etypes, evalues, NULL, false, 0);
		if (rc != SPI_OK_UPDATE)
			elog(ERROR, "dynpg: recording the import's errors failed: %s", SPI_result_code_string(rc));
	}
	as_owner_end(&oc);
	ereport(LOG,
			(errmsg("dynpg: import %s %s%s%s", job->import_arn, status,
					message ? ": " : "", message ? message : "")));
}

/*
 * The import's current status (a fresh snapshot: READ COMMITTED), or NULL
 * when it is gone; 'lock': FOR UPDATE.  In CurrentMemoryContext.
 */
static char *
read_status(const char *import_arn, bool lock)
{
	OwnerContext oc;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	char	   *status = NULL;
	MemoryContext cxt = CurrentMemoryContext;

	values[0] = CStringGetTextDatum(import_arn);
	as_owner_begin(&oc);
	if (SPI_execute_with_args(lock ?
							  "SELECT description->>'ImportStatus' FROM dynpg.imports "
							  "WHERE import_arn = $1 FOR UPDATE" :
							  "SELECT description->>'ImportStatus' FROM dynpg.imports "
							  "WHERE import_arn = $1", 1, types, values, NULL, false, 1)
		!= SPI_OK_SELECT)
		elog(ERROR, "dynpg: reading dynpg.imports failed");
	if (SPI_processed == 1)
	{
		char	   *s = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (s != NULL)
			status = MemoryContextStrdup(cxt, s);
	}
	as_owner_end(&oc);
	return status;
}

/* Take the oldest import to run (FOR UPDATE SKIP LOCKED) into 'cxt', or NULL */
static ImportJob *
take_import(MemoryContext cxt)
{
	OwnerContext oc;
	ImportJob  *job = NULL;

	as_owner_begin(&oc);
	if (SPI_execute("SELECT import_arn, table_relid, description->>'ImportStatus', attempts, "
					"description::text, location, root FROM dynpg.imports "
					"WHERE description->>'ImportStatus' IN ('IN_PROGRESS', 'CANCELLING') "
					"AND table_relid IS NOT NULL ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED",
					false, 1) != SPI_OK_SELECT)
		elog(ERROR, "dynpg: reading dynpg.imports failed");
	if (SPI_processed == 1)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext old = MemoryContextSwitchTo(cxt);
		bool		isnull;

		job = palloc0(sizeof(ImportJob));
		job->import_arn = pstrdup(SPI_getvalue(tup, desc, 1));
		job->relid = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
		job->status = pstrdup(SPI_getvalue(tup, desc, 3));
		job->attempts = DatumGetInt32(SPI_getbinval(tup, desc, 4, &isnull));
		job->description = pstrdup(SPI_getvalue(tup, desc, 5));
		job->location = SPI_getvalue(tup, desc, 6);
		job->root = SPI_getvalue(tup, desc, 7);
		if (job->location == NULL || job->root == NULL)
			elog(ERROR, "dynpg: the import %s has no location", job->import_arn);
		MemoryContextSwitchTo(old);
		if (strcmp(job->status, "IN_PROGRESS") == 0 && job->attempts == 0)
		{
			Oid			types[1] = {TEXTOID};
			Datum		values[1];

			values[0] = CStringGetTextDatum(job->import_arn);
			if (SPI_execute_with_args("UPDATE dynpg.imports SET attempts = attempts + 1 "
									  "WHERE import_arn = $1", 1, types, values, NULL, false, 0)
				!= SPI_OK_UPDATE)
				elog(ERROR, "dynpg: recording the import's start failed");
		}
	}
	as_owner_end(&oc);
	return job;
}

/*
 * Load the import's files into its table and mark it COMPLETED (its table
 * ACTIVE), all in the current transaction; false with run->failure_* set
 * when a file cannot be read.  Errors propagate.
 */
static bool
load_and_complete(ImportJob *job, ImportRun *run)
{
	DynJson    *desc = dynpg_json_parse(job->description, strlen(job->description));
	DynJson    *options = dynpg_json_member(desc, "InputFormatOptions", 18);
	DynJson    *csv = options != NULL && options->kind == DJ_OBJECT ?
		dynpg_json_member(options, "Csv", 3) : NULL;
	DynJson    *header_list = csv != NULL && csv->kind == DJ_OBJECT ?
		dynpg_json_member(csv, "HeaderList", 10) : NULL;
	DynJson    *params = dynpg_json_member(desc, "TableCreationParameters", 23);
	char	   *format = tree_string(desc, "InputFormat");
	Relation	rel;
	const DynTableDef *def;
	OwnerContext oc;
	Oid			types[7] = {TEXTOID, TEXTOID, INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID};
	Datum		values[7];
	int			rc;

	if (format == NULL || params == NULL || params->kind != DJ_OBJECT)
		elog(ERROR, "dynpg: the import %s has no InputFormat or TableCreationParameters",
			 job->import_arn);
	run_options(run, format, tree_string(desc, "InputCompressionType"), tree_string(csv, "Delimiter"),
				header_list != NULL && header_list->kind == DJ_ARRAY ? header_list : NULL,
				dynpg_json_member(params, "AttributeDefinitions", 20));
	run->root = job->root;

	/* the table, still the import's: RowExclusiveLock while loading, as PutItem takes */
	rel = try_table_open(job->relid, RowExclusiveLock);
	def = rel != NULL ? dynpg_table_def_or_null(rel) : NULL;
	if (def == NULL || !def->creating)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("The table of the import was dropped before its import ran")));
	run->table_name = pstrdup(def->table_name);
	table_close(rel, NoLock);

	dynpg_api_import_loading_relid = job->relid;
	if (!load_into(run, job->relid, job->location))
	{
		dynpg_api_import_loading_relid = InvalidOid;
		return false;
	}
	dynpg_api_import_loading_relid = InvalidOid;

	/* complete: the table ACTIVE, the import COMPLETED, in this transaction */
	set_creating(job->relid, false);
	values[0] = CStringGetTextDatum(job->import_arn);
	values[1] = CStringGetTextDatum(dynpg_api_epoch_seconds_now());
	values[2] = Int64GetDatum(run->errors);
	values[3] = Int64GetDatum(run->processed_bytes);
	values[4] = Int64GetDatum(run->processed_items);
	values[5] = Int64GetDatum(run->imported);
	values[6] = CStringGetTextDatum(kept_errors(run));
	as_owner_begin(&oc);
	rc = SPI_execute_with_args("UPDATE dynpg.imports SET description = description || "
							   "jsonb_build_object('ImportStatus', 'COMPLETED', "
							   "'EndTime', $2::numeric, 'ErrorCount', $3, 'ProcessedSizeBytes', $4, "
							   "'ProcessedItemCount', $5, 'ImportedItemCount', $6), "
							   "errors = $7::jsonb, table_relid = NULL "
							   "WHERE import_arn = $1 AND description->>'ImportStatus' = 'IN_PROGRESS'",
							   7, types, values, NULL, false, 0);
	if (rc != SPI_OK_UPDATE)
		elog(ERROR, "dynpg: recording the import failed: %s", SPI_result_code_string(rc));
	/* cancelled after the last look: the load is rolled back */
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("The import was cancelled")));
	as_owner_end(&oc);
	return true;
}

static MemoryContext step_cxt = NULL;

bool
dynpg_import_step(void)
{
	MemoryContext cxt;
	ImportJob  *job = NULL;
	ImportRun  *run;
	volatile bool loaded = false;
	volatile bool failed = false;
	char	   *volatile code = NULL;
	char	   *volatile message = NULL;

	/* 1: take the oldest import, counting the worker's start in it (committed) */
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (!imports_installed())
	{
		PopActiveSnapshot();
		CommitTransactionCommand();
		return false;
	}
	/* one context for the worker's life, emptied at each step (an error may leave it full) */
	if (step_cxt == NULL)
		step_cxt = AllocSetContextCreate(TopMemoryContext, "dynpg import", ALLOCSET_DEFAULT_SIZES);
	MemoryContextReset(step_cxt);
	cxt = step_cxt;
	job = take_import(cxt);
	if (job != NULL && (strcmp(job->status, "CANCELLING") == 0 || job->attempts > 0))
	{
		/*
		 * Cancelled before it ran; or a load that started and never ended:
		 * the server crashed or the worker died while it ran, its
		 * transaction rolled back.  Its table goes (it was never ACTIVE).
		 */
		if (strcmp(job->status, "CANCELLING") == 0)
			end_unloaded(job, NULL, "CANCELLED", NULL, NULL);
		else
			end_unloaded(job, NULL, "FAILED", "ImportInterrupted",
						 "The import stopped before it completed (the server restarted or its "
						 "worker stopped): its table was deleted; import again");
		PopActiveSnapshot();
		CommitTransactionCommand();
		MemoryContextReset(cxt);
		return true;
	}
	PopActiveSnapshot();
	CommitTransactionCommand();
	if (job == NULL)
		return false;

	/* 2: the load, in one transaction: a crash leaves nothing of it */
	pgstat_report_activity(STATE_RUNNING, "importing a DynamoDB table");
	run = MemoryContextAllocZero(cxt, sizeof(ImportRun));
	run->cxt = cxt;
	run->linecxt = AllocSetContextCreate(cxt, "dynpg import line", ALLOCSET_DEFAULT_SIZES);
	run->in_worker = true;
	run->import_arn = job->import_arn;
	run->next_poll = 0;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	PG_TRY();
	{
		loaded = load_and_complete(job, run);
		if (!loaded)
		{
			code = MemoryContextStrdup(cxt, run->failure_code);
			message = MemoryContextStrdup(cxt, run->failure_message);
			PopActiveSnapshot();
			AbortCurrentTransaction();
		}
		else
		{
			PopActiveSnapshot();
			CommitTransactionCommand();
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		dynpg_api_import_loading_relid = InvalidOid;
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		failed = true;
		code = MemoryContextStrdup(cxt, unpack_sql_state(edata->sqlerrcode));
		message = MemoryContextStrdup(cxt, edata->message ? edata->message : "");
		FreeErrorData(edata);
	}
	PG_END_TRY();

	/* 3: not loaded: the table dropped, FAILED (or CANCELLED when that was asked) */
	if (!loaded || failed)
	{
		char	   *status;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		status = read_status(job->import_arn, true);
		/* (its row deleted meanwhile: the table is dropped all the same) */
		if (status != NULL && strcmp(status, "CANCELLING") == 0)
			end_unloaded(job, run, "CANCELLED", NULL, NULL);
		else
			end_unloaded(job, run, "FAILED", code, message);
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	else
		ereport(LOG,
				(errmsg("dynpg: import %s COMPLETED: " INT64_FORMAT " items imported, " INT64_FORMAT
						" errors", job->import_arn, run->imported, run->errors)));
	pgstat_report_activity(STATE_IDLE, NULL);
	MemoryContextReset(cxt);
	return true;
}

/*
 * dynpg.cancel_import(import_arn): an IN_PROGRESS import becomes CANCELLING
 * (answered); the worker, at its next look (a second at most) or when it
 * comes to it, rolls its load back, drops the table and marks it
 * CANCELLED.  DynamoDB has no API for this (its ImportStatus has the two
 * values); the table's owner may cancel, as DeleteTable would be theirs.
 */
PG_FUNCTION_INFO_V1(dynpg_cancel_import);
Datum
dynpg_cancel_import(PG_FUNCTION_ARGS)
{
	char	   *arn = text_to_cstring(PG_GETARG_TEXT_PP(0));
	OwnerContext oc;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	Oid			relid = InvalidOid;
	char	   *status = NULL;
	Jsonb	   *description;

	dynpg_require_preload();
	values[0] = CStringGetTextDatum(arn);
	status = read_status(arn, false);
	if (status != NULL)
	{
		Jsonb	   *r;
		JsonbValue	v;

		as_owner_begin(&oc);
		r = spi_jsonb("SELECT jsonb_build_object('relid', table_relid) FROM dynpg.imports "
					  "WHERE import_arn = $1", 1, types, values);
		as_owner_end(&oc);
		if (r != NULL && getKeyJsonValueFromContainer(&r->root, "relid", 5, &v) != NULL &&
			v.type == jbvNumeric)
			relid = DatumGetObjectId(DirectFunctionCall1(numeric_int8, NumericGetDatum(v.val.numeric)));
	}
	if (status == NULL)
		dynpg_raise(DYN_ERR_IMPORT_NOT_FOUND, "Import not found: %s", arn);
	if (strcmp(status, "IN_PROGRESS") != 0 && strcmp(status, "CANCELLING") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the import %s is %s: only an import IN_PROGRESS can be cancelled", arn, status)));
	if (OidIsValid(relid) && !pg_class_ownercheck(relid, GetUserId()))
	{
		char	   *name = get_rel_name(relid);

		if (name != NULL)
			aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, name);
	}

	/* waits while the worker completes it, then finds it COMPLETED */
	as_owner_begin(&oc);
	description = spi_jsonb("UPDATE dynpg.imports SET description = description || "
							"'{\"ImportStatus\": \"CANCELLING\"}' WHERE import_arn = $1 "
							"AND description->>'ImportStatus' IN ('IN_PROGRESS', 'CANCELLING') "
							"RETURNING description", 1, types, values);
	if (description == NULL)
	{
		/* it ended meanwhile */
		as_owner_end(&oc);
		status = read_status(arn, false);
		if (status == NULL)
			dynpg_raise(DYN_ERR_IMPORT_NOT_FOUND, "Import not found: %s", arn);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the import %s is %s: only an import IN_PROGRESS can be cancelled", arn, status)));
	}
	as_owner_end(&oc);
	/* the worker ends it once this commits (it is not loading it yet) or sees it (it is) */
	dynpg_changelog_wake_at_commit = true;
	PG_RETURN_JSONB_P(dynpg_response_jsonb(description_response(description)));
}
