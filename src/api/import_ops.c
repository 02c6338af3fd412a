/*-------------------------------------------------------------------------
 *
 * import_ops.c
 *	  ImportTable, DescribeImport and ListImports: a new table loaded from
 *	  files under dynpg.export_directory, DynamoDB's S3 on this server
 *	  (s3_location.c).
 *
 * ImportTable validates its request, creates the table through CreateTable
 * (TableCreationParameters become a CreateTable request, so the table obeys
 * every rule CreateTable has), then loads, in the caller's transaction,
 * every file of the S3 location, each line through PutItem.  What the
 * location holds: S3BucketSource {S3Bucket, S3KeyPrefix} names
 * <dynpg.export_directory>/<bucket>/<prefix>; when that is a directory,
 * every file under it (subdirectories included, in name order) is read,
 * else every file of its parent directory whose name starts with the
 * prefix's last segment -- S3's "objects whose key starts with the
 * prefix".  An AWS export's bookkeeping files (manifest-summary.json,
 * manifest-files.json, their .md5 and .checksum, and _started) are skipped, so that
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
 * back and the import is recorded FAILED with FailureCode and
 * FailureMessage, so a half-loaded table is never left looking complete.
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
#include <zlib.h>
#include <zstd.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"
#include "utils/syscache.h"

#include "api/dynpg_api.h"
#include "api/dynpg_s3_location.h"
#include "api/dynpg_table_ops.h"
#include "api/dynpg_wire.h"
#include "base/dynpg_error.h"
#include "base/dynpg_preload.h"
#include "base/dynpg_request.h"
#include "types/dynpg_item_ion.h"

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
} ImportRun;

/* ---- the catalog, read and written as its owner ---- */

typedef struct OwnerContext
{
	Oid			save_userid;
	int			save_sec;
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
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "dynpg: SPI_connect failed");
}

static void
as_owner_end(OwnerContext *oc)
{
	SPI_finish();
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
	if (rc != SPI_OK_SELECT && rc != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "dynpg: reading dynpg.imports failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return NULL;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		return NULL;
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

/*
 * The file's bytes, uncompressed, into 'buf' ('shown': its name in messages,
 * under the S3 directory); false with run->failure_* set when it cannot be
 * read.
 */
static bool
read_file(ImportRun *run, const char *path, const char *shown, StringInfo buf)
{
	char		chunk[65536];
	int			n;

	if (run->zstd)
		return read_zstd(run, path, shown, buf);
	if (!run->gzip)
	{
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
	else
	{
		gzFile		gz = gzopen(path, "rb");
		bool		first = true;

		if (gz == NULL)
			return read_failed(run, "S3ReadError",
							   psprintf("The file %s could not be read: %m", shown));
		for (;;)
		{
			CHECK_FOR_INTERRUPTS();
			n = gzread(gz, chunk, sizeof(chunk));
			if (n < 0)
			{
				int			errnum;
				char	   *msg = pstrdup(gzerror(gz, &errnum));

				gzclose(gz);
				return read_failed(run, "InvalidCompressedFile",
								   psprintf("The file %s could not be decompressed: %s", shown, msg));
			}
			if (first && n > 0 && gzdirect(gz))
			{
				gzclose(gz);
				return read_failed(run, "InvalidCompressedFile",
								   psprintf("The file %s is not compressed with GZIP", shown));
			}
			first = false;
			if (n == 0)
				break;
			if ((Size) buf->len + n >= MaxAllocSize)
			{
				gzclose(gz);
				return read_failed(run, "S3ReadError", psprintf("The file %s is over 1 GB", shown));
			}
			appendBinaryStringInfo(buf, chunk, n);
		}
		if (gzclose(gz) != Z_OK)
			return read_failed(run, "InvalidCompressedFile",
							   psprintf("The file %s could not be decompressed", shown));
		return true;
	}
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
 * One item: a DYNAMODB_JSON line's text (item NULL) or a CSV record's or Ion value's item,
 * put with PutItem in a subtransaction; a DynamoDB exception (class YD) is
 * the line's error and the import goes on, anything else (a cancel, out of
 * memory) ends the import and its transaction.
 */
static void
put_one(ImportRun *run, const char *text, int len, DynJson *item, const char *file, int64 line)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	run->processed_items++;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		DynJson    *request = dynpg_json_new(DJ_OBJECT);

		if (item == NULL)
		{
			DynJson    *doc = dynpg_json_parse(text, len);

			item = doc->kind == DJ_OBJECT ? dynpg_json_member(doc, "Item", 4) : NULL;
			if (item == NULL || item->kind != DJ_OBJECT)
				dynpg_validation_error("The line is not an object with the member Item, as DynamoDB JSON's {\"Item\": {...}}");
		}
		dynpg_json_add(request, "TableName", 9,
					   dynpg_json_string(run->table_name, strlen(run->table_name)));
		dynpg_json_add(request, "Item", 4, item);
		(void) dynpg_api_put_item(request);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		run->imported++;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) !=
			ERRCODE_TO_CATEGORY(MAKE_SQLSTATE('Y', 'D', '0', '0', '0')))
			ReThrowError(edata);
		record_error(run, file, line, edata->message);
	}
	PG_END_TRY();
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
	StringInfoData d;
	StringInfoData errs;
	int			i;

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
	run.csv = strcmp(input_format, "CSV") == 0;
	run.ion = strcmp(input_format, "ION") == 0;
	run.gzip = compression != NULL && strcmp(compression, "GZIP") == 0;
	run.zstd = compression != NULL && strcmp(compression, "ZSTD") == 0;
	run.by_suffix = directory != NULL && compression == NULL;
	run.root = directory != NULL ? location : dynpg_export_directory();
	run.delimiter = delimiter != NULL ? delimiter[0] : ',';
	run.header_list = header_list;
	run.attribute_definitions = dynpg_json_member(params, "AttributeDefinitions", 20);
	start_time = dynpg_api_epoch_seconds_now();

	/*
	 * The table and its items in a subtransaction: a file that cannot be
	 * read rolls both back, and the import is recorded FAILED.  CreateTable's
	 * own errors (a bad TableCreationParameters, a table that exists) are
	 * ImportTable's.
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
		loaded = load_location(&run, location);
	}
	PG_CATCH();
	{
		/* our subtransaction ends here, so that the caller's (a PL/pgSQL block's) is current again */
		MemoryContextSwitchTo(cxt);
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (loaded)
		ReleaseCurrentSubTransaction();
	else
		RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	MemoryContextDelete(run.linecxt);

	/* the description */
	initStringInfo(&d);
	appendStringInfoString(&d, "{\"ImportArn\":");
	dynpg_json_write_string(&d, import_arn, strlen(import_arn));
	json_member_string(&d, "ImportStatus", loaded ? "COMPLETED" : "FAILED");
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
	appendStringInfo(&d, ",\"StartTime\":%s,\"EndTime\":%s", start_time,
					 dynpg_api_epoch_seconds_now());
	appendStringInfo(&d, ",\"ProcessedSizeBytes\":" INT64_FORMAT
					 ",\"ProcessedItemCount\":" INT64_FORMAT
					 ",\"ImportedItemCount\":" INT64_FORMAT,
					 run.processed_bytes, run.processed_items, run.imported);
	json_member_string(&d, "FailureCode", run.failure_code);
	json_member_string(&d, "FailureMessage", run.failure_message);
	appendStringInfoChar(&d, '}');

	initStringInfo(&errs);
	appendStringInfoChar(&errs, '[');
	for (i = 0; i < run.nkept; i++)
	{
		if (i > 0)
			appendStringInfoChar(&errs, ',');
		dynpg_json_write_string(&errs, run.kept[i], strlen(run.kept[i]));
	}
	appendStringInfoChar(&errs, ']');

	{
		Oid			itypes[6] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
		Datum		ivalues[6];
		char		inulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
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
		ivalues[5] = CStringGetTextDatum(errs.data);
		as_owner_begin(&oc);
		rc = SPI_execute_with_args("INSERT INTO dynpg.imports "
								   "(import_arn, table_arn, client_token, request, description, errors) "
								   "VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb) RETURNING description",
								   6, itypes, ivalues, inulls, false, 1);
		if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
			elog(ERROR, "dynpg: recording the import failed: %s", SPI_result_code_string(rc));
		res = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		found = (Jsonb *) SPI_datumTransfer(res, false, -1);
		as_owner_end(&oc);
	}
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
