-- ImportTable, DescribeImport, ListImports (src/api/import_ops.c): a table
-- created from TableCreationParameters and loaded from the files under
-- dynpg.export_directory/<S3Bucket>/<S3KeyPrefix>; lines that are not
-- items counted in ErrorCount; the imports kept in dynpg.imports.
-- ImportTable answers IN_PROGRESS and the database's worker loads the
-- files once it commits: pg_temp.import_end() (sql/include/wait_import.sql)
-- waits for the import and shows what the worker recorded.
\set SHOW_CONTEXT never
\set VERBOSITY terse
\i sql/include/typed_errors.sql
\i sql/include/wait_import.sql
SET dynpg_test.fixture_dir = 'import_suite';
\i sql/include/fixture_files.sql
\set ECHO none
-- pg_temp.imp(request): ImportTable's answer with its ids and times masked
CREATE FUNCTION pg_temp.mask(t text) RETURNS text LANGUAGE sql AS $$
	SELECT regexp_replace(regexp_replace(regexp_replace(t,
		'/import/[0-9]{14}-[0-9a-f]{8}', '/import/<id>', 'g'),
		'"(StartTime|EndTime)": [0-9.]+', '"\1": <time>', 'g'),
		'"TableId": "[0-9a-f-]{36}"', '"TableId": "<uuid>"', 'g') $$;
CREATE FUNCTION pg_temp.pretty(r text) RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.mask(CASE WHEN r LIKE '{%' THEN jsonb_pretty(r::jsonb) ELSE r END) $$;
CREATE FUNCTION pg_temp.imp(req jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.pretty(pg_temp.t('ImportTable', req)) $$;
-- a table's items, in key order
CREATE FUNCTION pg_temp.items(tname text) RETURNS SETOF text LANGUAGE sql AS $$
	SELECT jsonb_array_elements(dynpg.scan(jsonb_build_object('TableName', tname)) -> 'Items')::text
	ORDER BY 1 $$;
\set ECHO all

SELECT pg_temp.write_file('bkt/json/part-0.json',
  '{"Item": {"pk": {"S": "a"}, "n": {"N": "1.50"}, "b": {"B": "AAEC"}, "bool": {"BOOL": true}, "nul": {"NULL": true}}}' || E'\n' ||
  '{"Item": {"pk": {"S": "b"}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": ["AA=="]}, "l": {"L": [{"S": "q"}, {"N": "3"}]}, "m": {"M": {"k": {"S": "v"}}}}}' || E'\r\n' ||
  E'\n');
SELECT pg_temp.write_file('bkt/json/part-1.json',
  '{"Item": {"pk": {"S": "c"}}}' || E'\n' ||
  'not json' || E'\n' ||
  '{"pk": {"S": "no Item wrapper"}}' || E'\n' ||
  '{"Item": {"other": {"S": "missing key"}}}' || E'\n' ||
  '{"Item": {"pk": {"N": "5"}}}' || E'\n' ||
  '{"Item": {"pk": {"S": "big"}, "v": {"S": "' || repeat('x', 410000) || '"}}}' || E'\n' ||
  '{"Item": {"pk": {"S": "d"}, "v": {"S": "last"}}}');
-- the manifest files of an AWS export are not items
SELECT pg_temp.write_file('bkt/json/manifest-summary.json', '{"version": "2020-06-30"}');

-- exports and imports are off until dynpg.export_directory is set
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "json"}, "InputFormat": "DYNAMODB_JSON",
  "TableCreationParameters": {"TableName": "imported", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}}');
SELECT set_config('dynpg.export_directory', current_setting('data_directory') || '/import_suite', false) IS NOT NULL AS set;

-- DYNAMODB_JSON: every type; a bad line, a line without Item, a missing key,
-- a key of the wrong type and an item over 400 KB counted as errors
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "json"}, "InputFormat": "DYNAMODB_JSON",
  "InputCompressionType": "NONE", "ClientToken": "tok-1",
  "TableCreationParameters": {"TableName": "imported", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}}');
SELECT pg_temp.import_end();
SELECT pg_temp.items('imported');
-- the errors kept with the import
SELECT jsonb_array_elements_text(errors) FROM dynpg.imports ORDER BY seq DESC LIMIT 5;

-- the same ClientToken and request: the same import, nothing loaded again
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "json"}, "InputFormat": "DYNAMODB_JSON",
  "InputCompressionType": "NONE", "ClientToken": "tok-1",
  "TableCreationParameters": {"TableName": "imported", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}}')
  = (SELECT pg_temp.pretty(jsonb_build_object('ImportTableDescription', description)::text)
     FROM dynpg.imports ORDER BY seq LIMIT 1) AS same_import;
SELECT count(*) FROM dynpg.imports;
-- the same token with another request
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "json"}, "InputFormat": "DYNAMODB_JSON",
  "ClientToken": "tok-1",
  "TableCreationParameters": {"TableName": "imported", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}}');
-- the table exists
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "json"}, "InputFormat": "DYNAMODB_JSON",
  "TableCreationParameters": {"TableName": "imported", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}}');
-- TableCreationParameters are CreateTable's, checked as CreateTable checks them
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "json"}, "InputFormat": "DYNAMODB_JSON",
  "TableCreationParameters": {"TableName": "imported2", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "other", "AttributeType": "S"}]}}');

-- CSV: the header line; key attributes take their AttributeDefinitions type, the rest are strings
SELECT pg_temp.write_file('bkt/csv/with-header.csv',
  'id,sk,name,count' || E'\n' ||
  '1,a,"Smith, J.",10' || E'\n' ||
  '2,b,"say ""hi""' || E'\n' || 'twice",' || E'\n' ||
  'x,c,bad number key,1' || E'\n' ||
  '3,,no sort key,2' || E'\n' ||
  '4,d,too,many,fields' || E'\n');
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "csv/with-"}, "InputFormat": "CSV",
  "TableCreationParameters": {"TableName": "csv_header", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}, {"AttributeName": "sk", "AttributeType": "S"}]}}');
SELECT pg_temp.import_end();
SELECT pg_temp.items('csv_header');
-- HeaderList and a Delimiter: no header line in the file
SELECT pg_temp.write_file('bkt/csv2/data.csv', E'k1|v1|w1\nk2|v2|\n');
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "csv2"}, "InputFormat": "CSV",
  "InputFormatOptions": {"Csv": {"Delimiter": "|", "HeaderList": ["k", "v", "w"]}},
  "TableCreationParameters": {"TableName": "csv_list", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}}');
SELECT pg_temp.import_end();
SELECT pg_temp.items('csv_list');

-- GZIP; a truncated gzip file fails the import: no table is left
SELECT pg_temp.write_file('bkt/gz/part.json.gz', '{"Item": {"pk": {"S": "zipped"}}}' || E'\n', 'gzip');
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "gz"}, "InputFormat": "DYNAMODB_JSON",
  "InputCompressionType": "GZIP",
  "TableCreationParameters": {"TableName": "gzipped", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}}');
SELECT pg_temp.import_end();
SELECT pg_temp.items('gzipped');
SELECT pg_temp.write_file('bkt/gzbad/part.json.gz',
  (SELECT string_agg('{"Item": {"pk": {"S": "' || i || '"}}}', E'\n') FROM generate_series(1, 200) i),
  'gzip | head -c 100');
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "gzbad"}, "InputFormat": "DYNAMODB_JSON",
  "InputCompressionType": "GZIP",
  "TableCreationParameters": {"TableName": "gzip_truncated", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}}');
SELECT pg_temp.import_end();
SELECT pg_temp.t('DescribeTable', '{"TableName": "gzip_truncated"}');
-- GZIP named for a file that is not compressed
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "csv2"}, "InputFormat": "CSV",
  "InputCompressionType": "GZIP",
  "TableCreationParameters": {"TableName": "not_gzip", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}}');
SELECT pg_temp.import_end();
-- ZSTD; a truncated ZSTD file fails its import
SELECT pg_temp.write_file('bkt/zst/part.json.zst',
  (SELECT string_agg('{"Item": {"pk": {"S": "z' || i || '"}}}', E'\n') FROM generate_series(1, 3) i), 'zstd -q -c');
SELECT (pg_temp.t('ImportTable', '{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "zst"}, "InputFormat": "DYNAMODB_JSON",
  "InputCompressionType": "ZSTD",
  "TableCreationParameters": {"TableName": "zstd_table", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}}')::jsonb
  #> '{ImportTableDescription}') - '{TableCreationParameters, ImportArn, TableArn, TableId, StartTime, EndTime}'::text[];
SELECT pg_temp.import_end();
SELECT pg_temp.items('zstd_table');
SELECT pg_temp.write_file('bkt/zstbad/part.json.zst',
  (SELECT string_agg('{"Item": {"pk": {"S": "z' || i || '"}}}', E'\n') FROM generate_series(1, 300) i), 'zstd -q -c | head -c 60');
SELECT (pg_temp.t('ImportTable', '{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "zstbad"}, "InputFormat": "DYNAMODB_JSON",
  "InputCompressionType": "ZSTD",
  "TableCreationParameters": {"TableName": "zstd_truncated", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}}')::jsonb
  #> '{ImportTableDescription}') - '{TableCreationParameters, ImportArn, TableArn, TableId, StartTime, EndTime}'::text[];
SELECT pg_temp.import_end();
SELECT pg_temp.t('DescribeTable', '{"TableName": "zstd_truncated"}');
-- ZSTD named for a file that is not compressed
SELECT (pg_temp.t('ImportTable', '{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "csv2"}, "InputFormat": "CSV",
  "InputCompressionType": "ZSTD",
  "TableCreationParameters": {"TableName": "not_zstd", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}}')::jsonb
  #> '{ImportTableDescription}') - '{TableCreationParameters, ImportArn, TableArn, TableId, StartTime, EndTime}'::text[];
SELECT pg_temp.import_end();
-- nothing under the prefix
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "nothing/here"}, "InputFormat": "DYNAMODB_JSON",
  "TableCreationParameters": {"TableName": "empty_src", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}}');
SELECT pg_temp.import_end();

-- dynpg.import_table(directory, CreateTable request): a server directory, superusers only;
-- compression by file name (.gz, .zst, else none)
SELECT pg_temp.write_file('dir/a.json', '{"Item": {"pk": {"S": "plain"}}}');
SELECT pg_temp.write_file('dir/sub/b.json.gz', '{"Item": {"pk": {"S": "gzip"}}}', 'gzip');
SELECT pg_temp.write_file('dir/c.json.zst', '{"Item": {"pk": {"S": "zstd"}}}' || E'\nbad line', 'zstd -q -c');
SELECT pg_temp.pretty(dynpg.import_table(current_setting('data_directory') || '/import_suite/dir/',
  '{"TableName": "from_dir", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}')::text);
SELECT dynpg.import_table('relative/dir', '{}');
CREATE ROLE import_nobody;
SET ROLE import_nobody;
SELECT dynpg.import_table('/tmp', '{}');
RESET ROLE;
DROP ROLE import_nobody;
SELECT pg_temp.items('from_dir');

-- While the import runs (the worker paused here: testing GUC), its table is
-- CREATING: DescribeTable shows it; the data plane does not find it; DeleteTable
-- and UpdateTable are refused.  The ImportTable answer is IN_PROGRESS, without
-- EndTime.
\i sql/include/worker_pause.sql
SELECT pg_temp.write_file('bkt/slow/part.json',
  (SELECT string_agg('{"Item": {"pk": {"S": "s' || i || '"}}}', E'\n') FROM generate_series(1, 20) i));
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "slow"}, "InputFormat": "DYNAMODB_JSON",
  "TableCreationParameters": {"TableName": "imp_running", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}}');
SELECT dynpg.describe_table('{"TableName": "imp_running"}') #>> '{Table,TableStatus}' AS status;
SELECT pg_temp.t('GetItem', '{"TableName": "imp_running", "Key": {"pk": {"S": "s1"}}}');
SELECT pg_temp.t('PutItem', '{"TableName": "imp_running", "Item": {"pk": {"S": "mine"}}}');
SELECT pg_temp.t('Scan', '{"TableName": "imp_running"}');
SELECT pg_temp.t('Query', '{"TableName": "imp_running", "KeyConditionExpression": "pk = :p",
  "ExpressionAttributeValues": {":p": {"S": "s1"}}}');
SELECT pg_temp.t('BatchWriteItem', '{"RequestItems": {"imp_running": [{"PutRequest": {"Item": {"pk": {"S": "x"}}}}]}}');
SELECT pg_temp.t('DeleteTable', '{"TableName": "imp_running"}');
SELECT pg_temp.t('UpdateTable', '{"TableName": "imp_running", "BillingMode": "PAY_PER_REQUEST"}');
SELECT pg_temp.t('UpdateTimeToLive', '{"TableName": "imp_running",
  "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "ttl"}}');
SELECT (SELECT description->>'ImportStatus' FROM dynpg.imports ORDER BY seq DESC LIMIT 1) AS import_status;
-- a second import, cancelled before the worker comes to it (dynpg.cancel_import:
-- DynamoDB has no API for it): CANCELLING, then CANCELLED and its table gone
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "slow"}, "InputFormat": "DYNAMODB_JSON",
  "TableCreationParameters": {"TableName": "imp_cancelled", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}}') IS NOT NULL AS requested;
SELECT import_arn AS cancelled_arn FROM dynpg.imports ORDER BY seq DESC LIMIT 1 \gset
SELECT dynpg.cancel_import(:'cancelled_arn') #>> '{ImportTableDescription,ImportStatus}' AS status;
SELECT dynpg.cancel_import(:'cancelled_arn') #>> '{ImportTableDescription,ImportStatus}' AS again;
ALTER SYSTEM RESET dynpg.index_worker_pause;
SELECT pg_reload_conf() AS reloaded;
SELECT pg_temp.import_end(:'cancelled_arn');
SELECT pg_temp.t('DescribeTable', '{"TableName": "imp_cancelled"}');
SELECT pg_temp.import_end((SELECT import_arn FROM dynpg.imports WHERE table_arn LIKE '%/imp_running'));
SELECT dynpg.describe_table('{"TableName": "imp_running"}') #>> '{Table,TableStatus}' AS status,
       dynpg.describe_table('{"TableName": "imp_running"}') #>> '{Table,ItemCount}' AS items;
SELECT pg_temp.t('GetItem', '{"TableName": "imp_running", "Key": {"pk": {"S": "s20"}}}');
-- only an import IN_PROGRESS can be cancelled; an unknown one is not found
DO $$ BEGIN
	PERFORM dynpg.cancel_import((SELECT import_arn FROM dynpg.imports WHERE table_arn LIKE '%/imp_running'));
EXCEPTION WHEN others THEN
	RAISE NOTICE '% %', SQLSTATE, pg_temp.mask(SQLERRM);
END $$;
SELECT dynpg.cancel_import('arn:aws:dynamodb:ddblocal:000000000000:table/none/import/01234567890123-00000000');
SELECT dynpg.delete_table('{"TableName": "imp_running"}') IS NOT NULL AS dropped;

-- validation
SELECT pg_temp.imp('{}');
SELECT pg_temp.imp('{"S3BucketSource": {}, "InputFormat": "XML", "InputCompressionType": "ZIP",
  "TableCreationParameters": {}}');
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3BucketOwner": "12"}, "InputFormat": "CSV",
  "InputFormatOptions": {"Csv": {"Delimiter": "ab", "HeaderList": []}}, "TableCreationParameters": {}}');
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt"}, "InputFormat": "CSV",
  "InputFormatOptions": {"Csv": {"Delimiter": "x", "HeaderList": [""]}}, "TableCreationParameters": {}}');
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt"}, "InputFormat": "DYNAMODB_JSON",
  "InputFormatOptions": {"Csv": {"Delimiter": ";"}}, "TableCreationParameters": {}}');
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "Bad_Bucket!"}, "InputFormat": "CSV", "TableCreationParameters": {}}');
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "../x"}, "InputFormat": "CSV", "TableCreationParameters": {}}');
SELECT pg_temp.imp('{"S3BucketSource": "bkt", "InputFormat": "CSV", "TableCreationParameters": {}}');

-- DescribeImport
SELECT pg_temp.pretty(pg_temp.t('DescribeImport', jsonb_build_object('ImportArn',
  (SELECT import_arn FROM dynpg.imports ORDER BY seq LIMIT 1))));
SELECT pg_temp.t('DescribeImport', '{}');
SELECT pg_temp.t('DescribeImport', '{"ImportArn": "short"}');
SELECT pg_temp.t('DescribeImport', '{"ImportArn": "arn:aws:dynamodb:ddblocal:000000000000:table/none/import/01234567890123-00000000"}');

-- ListImports: summaries, by table, by page
SELECT pg_temp.pretty(pg_temp.t('ListImports', '{}'));
SELECT pg_temp.pretty(pg_temp.t('ListImports', '{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/csv_list"}'));
SELECT pg_temp.pretty(pg_temp.t('ListImports', '{"PageSize": 2}'));
SELECT pg_temp.pretty(pg_temp.t('ListImports', jsonb_build_object('PageSize', 2, 'NextToken',
  dynpg.list_imports('{"PageSize": 2}') ->> 'NextToken')));
SELECT pg_temp.t('ListImports', '{"PageSize": 0, "NextToken": "xyz"}');
SELECT pg_temp.t('ListImports', jsonb_build_object('NextToken', repeat('0', 112)));
-- a token is taken with the TableArn it was given for only
SELECT pg_temp.t('ListImports', jsonb_build_object('NextToken', dynpg.list_imports('{"PageSize": 2}') ->> 'NextToken',
  'TableArn', 'arn:aws:dynamodb:ddblocal:000000000000:table/imported'));
SELECT pg_temp.t('ListImports', '{"PageSize": 26, "TableArn": ""}');

RESET dynpg.export_directory;
