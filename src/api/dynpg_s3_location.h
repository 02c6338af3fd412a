/*-------------------------------------------------------------------------
 *
 * dynpg_s3_location.h
 *	  Where DynamoDB's S3 locations live on the server: export and import
 *	  (ExportTableToPointInTime, ImportTable) read and write under the
 *	  directory dynpg.export_directory in place of S3 (s3_location.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef DYNPG_S3_LOCATION_H
#define DYNPG_S3_LOCATION_H

/* _PG_init: the settings dynpg.export_directory and dynpg.export_file_items */
extern void dynpg_s3_location_init(void);

/*
 * An export's data files: a file is closed and the next begun once it holds
 * dynpg.export_file_items items (superuser-only; 0, the default: no count
 * limit) or DYNPG_EXPORT_FILE_BYTES bytes of JSON lines before compression.
 */
#define DYNPG_EXPORT_FILE_BYTES	(INT64CONST(256) * 1024 * 1024)
extern int	dynpg_export_file_items;

/*
 * The server directory of S3 location bucket/prefix (prefix may be NULL or
 * empty): <dynpg.export_directory>/<bucket>[/<prefix>], absolute, without
 * a trailing slash.  'bucket_member' and 'prefix_member' name the request's
 * members in messages (e.g. "S3Bucket", "S3BucketSource.S3Bucket").  Raises
 * a ValidationException when exports are not enabled (the setting empty),
 * the bucket is not a valid S3 bucket name, or the prefix would leave the
 * bucket's directory (an empty, "." or ".." segment, a NUL, a leading
 * slash).  Nothing is created.
 */
extern char *dynpg_s3_location(const char *bucket, int bucketlen,
							   const char *prefix, int prefixlen,
							   const char *bucket_member, const char *prefix_member);

/* The setting, or NULL when exports and imports are off (empty). */
extern const char *dynpg_export_directory(void);

#endif							/* DYNPG_S3_LOCATION_H */
