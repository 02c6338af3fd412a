-- Exports to S3 (src/api/export_ops.c): ExportTableToPointInTime,
-- DescribeExport, ListExports and dynpg.export_table, written under
-- dynpg.export_directory in AWS's layout; every refusal with its message.
\set SHOW_CONTEXT never

\i sql/include/typed_errors.sql
-- a response with its export's id and times masked
CREATE FUNCTION pg_temp.masked(j text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT CASE WHEN j LIKE '{%' THEN
		regexp_replace(regexp_replace(regexp_replace(j, '\d{14}-[0-9a-f]{8}', '<id>', 'g'),
			'"TableId": "[0-9a-f-]{36}"', '"TableId": "<uuid>"', 'g'),
			'"(StartTime|EndTime|ExportTime)": [0-9.]+', '"\1": "<time>"', 'g')::jsonb
	ELSE to_jsonb(j) END $$;
CREATE FUNCTION pg_temp.export(req jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT pg_temp.masked(pg_temp.t('ExportTableToPointInTime', req)) $$;
-- ExportTableToPointInTime answers IN_PROGRESS; the database's worker runs
-- the export once the request commits: wait (60 s at most) for it
CREATE FUNCTION pg_temp.wait_exports() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..6000 LOOP
		EXIT WHEN NOT EXISTS (SELECT 1 FROM dynpg.exports WHERE status = 'IN_PROGRESS');
		PERFORM pg_sleep(0.01);
	END LOOP;
	RETURN (SELECT string_agg(status, ', ' ORDER BY start_time) FROM dynpg.exports);
END $$;

SELECT dynpg.create_table('{"TableName": "exp_all", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                           {"AttributeName": "sk", "AttributeType": "N"}]}') IS NOT NULL AS created;

-- exports are off until dynpg.export_directory is set
SHOW dynpg.export_directory;
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket"}');

SELECT set_config('dynpg.export_directory', current_setting('data_directory') || '/dynpg_exports', false) IS NOT NULL AS set;

-- refusals: constraints first, then the operation's rules, the location, the table
SELECT pg_temp.export('{}');
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all"}');
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket", "ExportFormat": "CSV", "ExportType": "DELTA"}');
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:us-east-1:000000000000:table/exp_all", "S3Bucket": "bucket"}');
SELECT pg_temp.export('{"TableArn": "exp_all", "S3Bucket": "bucket"}');
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket", "ExportType": "INCREMENTAL_EXPORT"}');
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket", "ExportTime": 1700000000}');
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "Bad_Bucket"}');
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket", "S3Prefix": "../up"}');
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket", "S3Prefix": "/abs"}');
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket", "S3Prefix": "a//b"}');
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/no_such", "S3Bucket": "bucket"}');
-- ClientToken: a repeated request answers the first export; another request with it is refused
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket", "S3Prefix": "tok", "ClientToken": "t1"}') -> 'ExportDescription' -> 'ExportStatus' AS first;
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket", "S3Prefix": "tok", "ClientToken": "t1"}') -> 'ExportDescription' ->> 'ClientToken' AS again,
       (SELECT count(*) FROM dynpg.exports) AS exports;
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket", "S3Prefix": "other", "ClientToken": "t1"}');
SELECT pg_temp.wait_exports();
DELETE FROM dynpg.exports;
SELECT pg_catalog.pg_ls_dir(current_setting('dynpg.export_directory') || '/bucket/tok/AWSDynamoDB') IS NOT NULL AS one_export;

-- nothing was recorded, nothing written
SELECT count(*) FROM dynpg.exports;
SELECT pg_ls_dir AS dirs FROM pg_ls_dir(current_setting('dynpg.export_directory') || '/bucket') ORDER BY 1;

-- an empty table: no data file, an empty manifest-files.json
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket", "S3Prefix": "empty/"}');
SELECT pg_temp.wait_exports();
SELECT pg_temp.masked(pg_temp.t('DescribeExport', jsonb_build_object('ExportArn', export_arn))) FROM dynpg.exports;

-- every attribute type
SELECT dynpg.put_item(jsonb_build_object('TableName', 'exp_all', 'Item', i)) FROM (VALUES
  ('{"pk": {"S": "a"}, "sk": {"N": "1"}, "s": {"S": "text é"}, "n": {"N": "-12.5e3"},
     "b": {"B": "AAEC/w=="}, "t": {"BOOL": true}, "z": {"NULL": true},
     "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": ["AQ==", "Ag=="]},
     "m": {"M": {"inner": {"M": {"l": {"L": [{"S": "deep"}, {"N": "0"}, {"L": []}]}}}, "e": {"M": {}}}},
     "l": {"L": [{"B": "AA=="}, {"BOOL": false}, {"NULL": true}, {"SS": ["q"]}]}}'::jsonb),
  ('{"pk": {"S": "a"}, "sk": {"N": "2"}, "quote": {"S": "say \"hi\"\n\t\\"}}'),
  ('{"pk": {"S": "b"}, "sk": {"N": "1"}}')) v(i);

SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket", "S3Prefix": "full", "ExportFormat": "DYNAMODB_JSON", "ExportType": "FULL_EXPORT", "S3SseAlgorithm": "AES256"}');
SELECT pg_temp.wait_exports();

-- BilledSizeBytes: the items' size as DescribeTable counts it
SELECT (SELECT billed_size_bytes FROM dynpg.exports WHERE s3_prefix = 'full') =
       (dynpg.describe_table('{"TableName": "exp_all"}') -> 'Table' ->> 'TableSizeBytes')::bigint AS billed_is_table_size;

-- the files, in AWS's layout
SELECT export_arn AS arn, s3_prefix || '/AWSDynamoDB/' || split_part(export_arn, '/export/', 2) AS key,
       current_setting('dynpg.export_directory') || '/bucket/' || s3_prefix || '/AWSDynamoDB/' ||
       split_part(export_arn, '/export/', 2) AS dir
  FROM dynpg.exports WHERE s3_prefix = 'full' \gset
SELECT pg_ls_dir AS file FROM pg_ls_dir(:'dir') ORDER BY 1;
SELECT length(pg_read_binary_file(:'dir' || '/_started')) AS started_bytes;
-- manifest-summary.json: its members; its .checksum the hex MD5 of its bytes
SELECT (j - 'exportArn' - 'startTime' - 'endTime' - 'exportTime' - 'tableId' - 'manifestFilesS3Key') AS summary,
       j ->> 'exportArn' = :'arn' AS arn_ok,
       j ->> 'manifestFilesS3Key' = :'key' || '/manifest-files.json' AS manifest_key_ok,
       j ->> 'tableId' = dynpg.table_definition('dynamodb.exp_all') ->> 'TableId' AS table_id_ok,
       (j ->> 'startTime') ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$' AS time_format_ok,
       (j ->> 'startTime') <= (j ->> 'endTime') AS times_ordered
  FROM (SELECT pg_read_file(:'dir' || '/manifest-summary.json')::jsonb AS j) s;
SELECT pg_read_file(:'dir' || '/manifest-summary.checksum') =
       md5(pg_read_binary_file(:'dir' || '/manifest-summary.json')) AS summary_checksum_ok,
       pg_read_file(:'dir' || '/manifest-files.checksum') =
       md5(pg_read_binary_file(:'dir' || '/manifest-files.json')) AS files_checksum_ok;
-- manifest-files.json: one line per data file; md5Checksum base64, etag hex, of the gzip bytes
SELECT (l ->> 'itemCount')::int AS item_count,
       (l ->> 'dataFileS3Key') ~ ('^' || :'key' || '/data/[a-z2-7]{26}\.json\.gz$') AS key_ok,
       l ->> 'md5Checksum' = encode(decode(md5(f), 'hex'), 'base64') AS md5_ok,
       l ->> 'etag' = md5(f) AS etag_ok,
       substr(f, 1, 3) = '\x1f8b08'::bytea AS gzip_magic
  FROM (SELECT l, pg_read_binary_file(current_setting('dynpg.export_directory') || '/bucket/' || (l ->> 'dataFileS3Key')) AS f
          FROM (SELECT line::jsonb AS l FROM regexp_split_to_table(rtrim(pg_read_file(:'dir' || '/manifest-files.json'), E'\n'), E'\n') line) x) y;

-- DescribeExport: the same description
SELECT pg_temp.masked(pg_temp.t('DescribeExport', jsonb_build_object('ExportArn', :'arn')));
SELECT pg_temp.t('DescribeExport', jsonb_build_object('ExportArn', :'arn'))::jsonb -> 'ExportDescription' ->> 'ExportArn' = :'arn' AS same_arn;
SELECT pg_temp.t('DescribeExport', '{}');
SELECT pg_temp.t('DescribeExport', '{"ExportArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all/export/01234567890123-abcdef12"}');

-- ListExports: all, by table, paged
SELECT pg_temp.masked(pg_temp.t('ListExports', '{}'));
SELECT pg_temp.masked(pg_temp.t('ListExports', '{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/other"}'));
SELECT pg_temp.masked(pg_temp.t('ListExports', '{"MaxResults": 1}'));
SELECT pg_temp.masked(pg_temp.t('ListExports', jsonb_build_object('MaxResults', 1, 'NextToken',
	pg_temp.t('ListExports', '{"MaxResults": 1}')::jsonb ->> 'NextToken')));
SELECT pg_temp.t('ListExports', '{"MaxResults": 26}');
SELECT pg_temp.masked(dynpg.list_exports()::text) -> 'ExportSummaries' -> 0 AS list_exports_fn;

-- dynpg.export_table: a directory under dynpg.export_directory, relative or absolute
SELECT pg_temp.masked(dynpg.export_table('exp_all', 'bucket/sqlfn')::text) -> 'ExportDescription' AS synchronous;
SELECT pg_temp.masked(dynpg.export_table('exp_all', 'bucket/sqlfn')::text) -> 'ExportDescription' -> 'S3Prefix' AS prefix,
       pg_temp.masked(dynpg.export_table('exp_all', current_setting('dynpg.export_directory') || '/bucket2')::text)
         -> 'ExportDescription' ->> 'S3Bucket' AS bucket;
SELECT dynpg.export_table('exp_all', '/tmp/elsewhere');
SELECT dynpg.export_table('exp_all', 'bucket/../x');
SELECT dynpg.export_table('exp_all', 'bucket', 'CSV');
SELECT status, item_count, billed_size_bytes > 0 AS billed FROM dynpg.exports ORDER BY start_time;

-- callers other than superusers: no rights on dynpg.exports; SELECT on the table needed
CREATE ROLE exp_reader;
SET ROLE exp_reader;
SELECT count(*) FROM dynpg.exports;
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket"}');
RESET ROLE;
DROP ROLE exp_reader;

-- failures in the worker: FAILED, with the error's SQLSTATE and message.
-- The worker is paused (testing GUC) while the exports are requested.
\i sql/include/worker_pause.sql
-- a file where the export's data directory goes
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket", "S3Prefix": "blocked"}') -> 'ExportDescription' -> 'ExportStatus' AS status;
SELECT directory || '/data' AS blocked FROM dynpg.exports WHERE s3_prefix = 'blocked' \gset
COPY (SELECT 1) TO :'blocked';
-- a table deleted before its export runs
SELECT dynpg.create_table('{"TableName": "exp_gone", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}') IS NOT NULL AS created;
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_gone", "S3Bucket": "bucket", "S3Prefix": "gone"}') -> 'ExportDescription' -> 'ExportStatus' AS status;
SELECT dynpg.delete_table('{"TableName": "exp_gone"}') IS NOT NULL AS dropped;
-- a record naming another table's relation (as one restored from a dump of
-- another database would): not run on that table
SELECT dynpg.create_table('{"TableName": "exp_other", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}') IS NOT NULL AS created;
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_all", "S3Bucket": "bucket", "S3Prefix": "moved"}') -> 'ExportDescription' -> 'ExportStatus' AS status;
UPDATE dynpg.exports SET table_relid = 'dynamodb.exp_other'::regclass WHERE s3_prefix = 'moved';
ALTER SYSTEM RESET dynpg.index_worker_pause;
SELECT pg_reload_conf();
SELECT pg_temp.wait_exports();
SELECT s3_prefix, status, failure_code,
       regexp_replace(replace(failure_message, current_setting('dynpg.export_directory'), '<dir>'),
                      'AWSDynamoDB/\d{14}-[0-9a-f]{8}/data/[a-z2-7]{26}', 'AWSDynamoDB/<id>/data/<name>') AS failure_message,
       end_time IS NOT NULL AS ended
  FROM dynpg.exports WHERE status = 'FAILED' ORDER BY start_time;
SELECT pg_temp.masked(pg_temp.t('DescribeExport', jsonb_build_object('ExportArn', export_arn)))
  FROM dynpg.exports WHERE s3_prefix = 'gone';

SELECT dynpg.delete_table('{"TableName": "exp_all"}') IS NOT NULL AS dropped;
SELECT dynpg.delete_table('{"TableName": "exp_other"}') IS NOT NULL AS dropped;
