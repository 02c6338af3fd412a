-- Round trip (src/api/export_ops.c, import_ops.c): a table with every
-- attribute type, nested values, sets and binary, and a GSI, exported in
-- AWS's layout and imported from the export's data files into a new table:
-- every item equal, the index answering the same, the counts equal.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;
\i sql/include/wait_import.sql
SELECT set_config('dynpg.export_directory', current_setting('data_directory') || '/dynpg_roundtrip', false) IS NOT NULL AS set;

SELECT dynpg.create_table('{"TableName": "rt_src", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
                           {"AttributeName": "g", "AttributeType": "B"}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                              "Projection": {"ProjectionType": "ALL"}}]}') IS NOT NULL AS created;
-- 500 items of every type; every third has the index's key
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'rt_src', 'Item', jsonb_build_object(
	'pk', jsonb_build_object('S', 'p' || (i % 17)),
	'sk', jsonb_build_object('N', (i * 1.5 - 100)::text),
	's', jsonb_build_object('S', 'ünï ' || repeat('x', i % 40) || ' "quoted" \ back'),
	'n', jsonb_build_object('N', (i::numeric * 1e20)::text),
	'b', jsonb_build_object('B', encode(sha256(i::text::bytea), 'base64')),
	't', jsonb_build_object('BOOL', i % 2 = 0),
	'z', '{"NULL": true}'::jsonb,
	'm', jsonb_build_object('M', jsonb_build_object('deep', jsonb_build_object('M', jsonb_build_object(
		'l', jsonb_build_object('L', jsonb_build_array(jsonb_build_object('N', i::text), '{"S": "x"}'::jsonb,
			'{"L": []}'::jsonb, '{"M": {}}'::jsonb)))))),
	'ss', jsonb_build_object('SS', jsonb_build_array('a' || i, 'b', 'c')),
	'ns', jsonb_build_object('NS', jsonb_build_array(i::text, '-0.5', '1E+10')),
	'bs', jsonb_build_object('BS', jsonb_build_array('AAE=', encode(int4send(i), 'base64'))))
	|| CASE WHEN i % 3 = 0 THEN jsonb_build_object('g', jsonb_build_object('B', encode(int4send(i % 7), 'base64')))
	        ELSE '{}' END)))
  FROM generate_series(1, 500) i;
SELECT dynpg.wait_for_indexes('rt_src') IS NOT NULL AS indexed;

-- export, in data files of at most 120 items (dynpg.export_file_items):
-- they are under <bucket>/<prefix>/AWSDynamoDB/<id>/data/
SET dynpg.export_file_items = 120;
SELECT dynpg.export_table('rt_src', 'rtbucket/exports', 'DYNAMODB_JSON') -> 'ExportDescription' AS d \gset
RESET dynpg.export_file_items;
SELECT :'d'::jsonb ->> 'ExportStatus' AS status, :'d'::jsonb ->> 'ItemCount' AS items,
       :'d'::jsonb ->> 'ExportFormat' AS format;
SELECT current_setting('dynpg.export_directory') || '/rtbucket/exports/AWSDynamoDB/' ||
       split_part(:'d'::jsonb ->> 'ExportArn', '/export/', 2) AS expdir \gset
SELECT :'expdir' || '/data/' AS datadir \gset
-- five files, each with its line in manifest-files.json: its item count,
-- md5Checksum (base64) and etag (hex) of its gzip bytes, and its key
SELECT n, (l ->> 'itemCount')::int AS item_count,
       (l ->> 'dataFileS3Key') ~ '^exports/AWSDynamoDB/\d{14}-[0-9a-f]{8}/data/[a-z2-7]{26}\.json\.gz$' AS key_ok,
       l ->> 'md5Checksum' = encode(decode(md5(f), 'hex'), 'base64') AS md5_ok,
       l ->> 'etag' = md5(f) AS etag_ok
  FROM (SELECT n, l, pg_read_binary_file(current_setting('dynpg.export_directory') || '/rtbucket/' || (l ->> 'dataFileS3Key')) AS f
          FROM regexp_split_to_table(rtrim(pg_read_file(:'expdir' || '/manifest-files.json'), E'\n'), E'\n')
               WITH ORDINALITY AS x(line, n), LATERAL (SELECT line::jsonb AS l) y) z ORDER BY n;
-- the data directory holds those files and no other; the summary counts every item
SELECT (SELECT count(*) FROM pg_ls_dir(:'datadir')) AS data_files,
       (SELECT count(DISTINCT line::jsonb ->> 'dataFileS3Key')
          FROM regexp_split_to_table(rtrim(pg_read_file(:'expdir' || '/manifest-files.json'), E'\n'), E'\n') line) AS distinct_keys,
       (SELECT count(*) FROM pg_ls_dir(:'datadir') f
         WHERE position(f IN pg_read_file(:'expdir' || '/manifest-files.json')) > 0) AS listed,
       pg_read_file(:'expdir' || '/manifest-summary.json')::jsonb ->> 'itemCount' AS summary_items;

-- import the export (its directory: the manifests and _started are skipped,
-- every data file read) into a new table, with the same key schema and index
SELECT dynpg.import_table(:'expdir', '{"TableName": "rt_dst", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
                           {"AttributeName": "g", "AttributeType": "B"}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                              "Projection": {"ProjectionType": "ALL"}}]}') -> 'ImportTableDescription' AS i \gset
SELECT :'i'::jsonb ->> 'ImportStatus' AS status, :'i'::jsonb ->> 'ProcessedItemCount' AS processed,
       :'i'::jsonb ->> 'ImportedItemCount' AS imported, :'i'::jsonb ->> 'ErrorCount' AS errors,
       :'i'::jsonb ->> 'InputCompressionType' AS compression;
SELECT dynpg.wait_for_indexes('rt_dst') IS NOT NULL AS indexed;

-- every item equal, both ways
SELECT (SELECT count(*) FROM (SELECT item FROM dynamodb.rt_src EXCEPT ALL SELECT item FROM dynamodb.rt_dst) x) AS missing,
       (SELECT count(*) FROM (SELECT item FROM dynamodb.rt_dst EXCEPT ALL SELECT item FROM dynamodb.rt_src) x) AS extra,
       (SELECT count(*) FROM dynamodb.rt_dst) AS items;
-- the index answers the same
SELECT k, (SELECT dynpg.query(jsonb_build_object('TableName', t, 'IndexName', 'by_g',
	'KeyConditionExpression', 'g = :g', 'ExpressionAttributeValues',
	jsonb_build_object(':g', jsonb_build_object('B', encode(int4send(k), 'base64'))), 'Select', 'COUNT')) ->> 'Count')
  FROM generate_series(0, 6) k, unnest(ARRAY['rt_src', 'rt_dst']) t ORDER BY k, t;
-- DescribeTable: the members that differ -- identity, and the times (BillingModeSummary holds one)
SELECT string_agg(k, ', ' ORDER BY k) AS differing
  FROM (SELECT dynpg.describe_table('{"TableName": "rt_src"}') -> 'Table' AS s,
               dynpg.describe_table('{"TableName": "rt_dst"}') -> 'Table' AS d) x,
       jsonb_object_keys(s || d) k
 WHERE s -> k IS DISTINCT FROM d -> k;
SELECT (s -> 'GlobalSecondaryIndexes' -> 0) - 'IndexArn' = (d -> 'GlobalSecondaryIndexes' -> 0) - 'IndexArn' AS same_index
  FROM (SELECT dynpg.describe_table('{"TableName": "rt_src"}') -> 'Table' AS s,
               dynpg.describe_table('{"TableName": "rt_dst"}') -> 'Table' AS d) x;
SELECT dynpg.verify('rt_dst') ->> 'ok' AS verified;

-- the same export through ImportTable, as an AWS user would: S3KeyPrefix names
-- the export (AWSDynamoDB/<id>/, its manifests skipped), GZIP; the request
-- answers IN_PROGRESS and the database's worker loads the table
SELECT dynpg.import_table(jsonb_build_object('S3BucketSource', jsonb_build_object('S3Bucket', 'rtbucket',
  'S3KeyPrefix', 'exports/AWSDynamoDB/' || split_part(:'d'::jsonb ->> 'ExportArn', '/export/', 2) || '/'),
  'InputFormat', 'DYNAMODB_JSON', 'InputCompressionType', 'GZIP',
  'TableCreationParameters', '{"TableName": "rt_api", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
                           {"AttributeName": "g", "AttributeType": "B"}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                              "Projection": {"ProjectionType": "ALL"}}]}'::jsonb))
  -> 'ImportTableDescription' AS a \gset
SELECT :'a'::jsonb ->> 'ImportStatus' AS status;
SELECT pg_temp.import_end(:'a'::jsonb ->> 'ImportArn');
SELECT dynpg.wait_for_indexes('rt_api') IS NOT NULL AS indexed;
SELECT (SELECT count(*) FROM (SELECT item FROM dynamodb.rt_src EXCEPT ALL SELECT item FROM dynamodb.rt_api) x) AS missing,
       (SELECT count(*) FROM (SELECT item FROM dynamodb.rt_api EXCEPT ALL SELECT item FROM dynamodb.rt_src) x) AS extra,
       dynpg.describe_table('{"TableName": "rt_api"}') #>> '{Table,TableStatus}' AS status;
SELECT k, (SELECT dynpg.query(jsonb_build_object('TableName', 'rt_api', 'IndexName', 'by_g',
	'KeyConditionExpression', 'g = :g', 'ExpressionAttributeValues',
	jsonb_build_object(':g', jsonb_build_object('B', encode(int4send(k), 'base64'))), 'Select', 'COUNT')) ->> 'Count')
  FROM generate_series(0, 6) k ORDER BY k;
SELECT dynpg.verify('rt_api') ->> 'ok' AS verified;

SELECT dynpg.delete_table('{"TableName": "rt_src"}') IS NOT NULL AS dropped;
SELECT dynpg.delete_table('{"TableName": "rt_dst"}') IS NOT NULL AS dropped;
SELECT dynpg.delete_table('{"TableName": "rt_api"}') IS NOT NULL AS dropped;
-- the suites share a database: forget this suite's export and imports
DELETE FROM dynpg.exports WHERE table_name = 'rt_src';
DELETE FROM dynpg.imports WHERE table_arn LIKE '%:table/rt_dst' OR table_arn LIKE '%:table/rt_api';
