/*-------------------------------------------------------------------------
 *
 * s3_location.c
 *	  DynamoDB's S3 locations on the server's filesystem (dynpg_s3_location.h).
 *
 * dynpg has no S3: ExportTableToPointInTime writes, and ImportTable reads,
 * under one directory chosen by the administrator, dynpg.export_directory
 * (superuser-only; empty, the default, turns both off).  S3Bucket "b" and
 * S3Prefix "p/q" name the directory <export_directory>/b/p/q, so an AWS
 * export copied there (aws s3 sync s3://b/p <export_directory>/b/p) imports
 * unchanged, and a dynpg export copied to S3 the same way is an AWS
 * export.  The server process reads and writes there with its own
 * rights, so a request must not escape the directory: bucket names follow
 * S3's rules (which allow no slash), and a prefix may not hold an empty,
 * "." or ".." segment; no symbolic link is followed out of the directory
 * by the name alone (the administrator owns what is inside it).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "lib/stringinfo.h"
#include "utils/guc.h"

#include "api/dynpg_s3_location.h"
#include "base/dynpg_error.h"

static char *export_directory = NULL;
int			dynpg_export_file_items = 0;

void
dynpg_s3_location_init(void)
{
	DefineCustomStringVariable("dynpg.export_directory",
							   "The directory that stands for S3 in exports and imports.",
							   "ExportTableToPointInTime writes, and ImportTable reads, "
							   "<dir>/<S3Bucket>/<S3Prefix>.  Empty (the default) turns both off.",
							   &export_directory,
							   "",
							   PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("dynpg.export_file_items",
							"Items per data file of an export (0: no count limit).",
							"An export's data file is closed and the next begun once it holds this many "
							"items, or 256 MB of JSON lines before compression.",
							&dynpg_export_file_items,
							0, 0, INT_MAX,
							PGC_SUSET, 0, NULL, NULL, NULL);
}

const char *
dynpg_export_directory(void)
{
	if (export_directory == NULL || export_directory[0] == '\0')
		return NULL;
	return export_directory;
}

/* S3's bucket naming rules: 3-63 of [a-z0-9.-], starting and ending with a letter or digit */
static bool
bucket_name_valid(const char *b, int len)
{
	int			i;

	if (len < 3 || len > 63)
		return false;
	for (i = 0; i < len; i++)
	{
		char		c = b[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
			return false;
	}
	if (b[0] == '.' || b[0] == '-' || b[len - 1] == '.' || b[len - 1] == '-')
		return false;
	for (i = 0; i + 1 < len; i++)
		if (b[i] == '.' && b[i + 1] == '.')
			return false;
	return true;
}

/* A prefix whose segments stay inside the bucket's directory. */
static bool
prefix_valid(const char *p, int len)
{
	int			start = 0;
	int			i;

	if (len == 0)
		return true;
	if (len > 1024 || p[0] == '/')
		return false;
	for (i = 0; i <= len; i++)
	{
		if (i < len && p[i] == '\0')
			return false;
		if (i == len || p[i] == '/')
		{
			int			seglen = i - start;

			/* a trailing slash ends the prefix; any other empty segment is refused */
			if (seglen == 0 && i != len)
				return false;
			if ((seglen == 1 && p[start] == '.') ||
				(seglen == 2 && p[start] == '.' && p[start + 1] == '.'))
				return false;
			start = i + 1;
		}
	}
	return true;
}

char *
dynpg_s3_location(const char *bucket, int bucketlen, const char *prefix, int prefixlen,
				  const char *bucket_member, const char *prefix_member)
{
	const char *dir = dynpg_export_directory();
	StringInfoData path;

	if (dir == NULL)
		dynpg_validation_error("Exports and imports are not enabled on this server: "
							   "set dynpg.export_directory to the directory that stands for S3");
	if (!bucket_name_valid(bucket, bucketlen))
		dynpg_validation_error("%s is not a valid S3 bucket name: %.*s", bucket_member,
							   bucketlen, bucket);
	if (prefix != NULL && !prefix_valid(prefix, prefixlen))
		dynpg_validation_error("%s may not leave its bucket (an empty, \".\" or \"..\" segment, or a leading \"/\"): %.*s",
							   prefix_member, prefixlen, prefix);
	initStringInfo(&path);
	appendStringInfoString(&path, dir);
	while (path.len > 1 && path.data[path.len - 1] == '/')
		path.data[--path.len] = '\0';
	appendStringInfoChar(&path, '/');
	appendBinaryStringInfo(&path, bucket, bucketlen);
	if (prefix != NULL && prefixlen > 0)
	{
		appendStringInfoChar(&path, '/');
		appendBinaryStringInfo(&path, prefix, prefixlen);
		while (path.data[path.len - 1] == '/')
			path.data[--path.len] = '\0';
	}
	return path.data;
}
