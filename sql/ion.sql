-- DynamoDB's Amazon Ion format (src/types/item_ion.c): items written as
-- AWS's ExportFormat ION writes them and read as ImportTable's InputFormat
-- ION reads them; an ION export re-imported as ION; malformed values
-- counted as import errors with the rest loaded.
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET search_path = public, dynpg;
\i sql/include/typed_errors.sql
\i sql/include/wait_import.sql
SET dynpg_test.fixture_dir = 'ion_suite';
\i sql/include/fixture_files.sql
\set ECHO none
-- the lines of a gzip file, decompressed
CREATE TEMP TABLE gz_lines (n serial, line text);
CREATE FUNCTION pg_temp.gunzip_lines(path text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
	TRUNCATE gz_lines;
	EXECUTE format('COPY gz_lines (line) FROM PROGRAM %L WITH (FORMAT text)',
		format('gzip -dc %s | sed -e ''s/\\/\\\\/g''', path));
	RETURN QUERY SELECT line FROM gz_lines ORDER BY n;
END $$;
-- ImportTable's answer, the ids and times masked
CREATE FUNCTION pg_temp.imp(req jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT CASE WHEN r LIKE '{%' THEN
		regexp_replace(regexp_replace(regexp_replace(r,
		'/import/[0-9]{14}-[0-9a-f]{8}', '/import/<id>', 'g'),
		'"(StartTime|EndTime)": [0-9.]+', '"\1": "<time>"', 'g'),
		'"TableId": "[0-9a-f-]{36}"', '"TableId": "<uuid>"', 'g')::jsonb
	ELSE to_jsonb(r) END FROM pg_temp.t('ImportTable', req) r $$;
-- ImportTable answers IN_PROGRESS and the worker loads once the request
-- commits: pg_temp.done() waits for the newest import (wait_import.sql)
-- and answers its description as pg_temp.imp shows answers
CREATE FUNCTION pg_temp.done() RETURNS jsonb LANGUAGE sql AS $$
	SELECT regexp_replace(regexp_replace(regexp_replace(
		jsonb_build_object('ImportTableDescription', dynpg.describe_import(jsonb_build_object('ImportArn', a))
		  -> 'ImportTableDescription')::text,
		'/import/[0-9]{14}-[0-9a-f]{8}', '/import/<id>', 'g'),
		'"(StartTime|EndTime)": [0-9.]+', '"\1": "<time>"', 'g'),
		'"TableId": "[0-9a-f-]{36}"', '"TableId": "<uuid>"', 'g')::jsonb
	FROM (SELECT import_arn AS a FROM dynpg.imports ORDER BY seq DESC LIMIT 1) n,
	     LATERAL pg_temp.wait_import(a) w $$;
CREATE FUNCTION pg_temp.from_ion(t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text;
BEGIN
	RETURN dynpg.item_from_ion(t)::text;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN st || ' ' || msg;
END $$;
\set ECHO all

-- AWS's documented example item (DynamoDB JSON) written as AWS's Ion export
-- line shows it: SS annotated, N as decimals (103 "103.", 600 "6d2", 2000 "2d3")
-- (AWS's documentation's example item, in DynamoDB JSON and as AWS's Ion
-- documentation lays it out, kept in psql variables for the tests below)
SELECT $${"Authors": {"SS": ["Author1", "Author2"]}, "Dimensions": {"S": "8.5 x 11.0 x 1.5"},
  "ISBN": {"S": "333-3333333333"}, "Id": {"N": "103"}, "InPublication": {"BOOL": false},
  "PageCount": {"N": "600"}, "Price": {"N": "2000"}, "ProductCategory": {"S": "Book"},
  "Title": {"S": "Book 103 Title"}}$$ AS aws_json, $$$ion_1_0 {
    Item:{
        Authors:$dynamodb_SS::["Author1","Author2"],
        Dimensions:"8.5 x 11.0 x 1.5",
        ISBN:"333-3333333333",
        Id:103.,
        InPublication:false,
        PageCount:6d2,
        Price:2d3,
        ProductCategory:"Book",
        Title:"Book 103 Title"
    }
}$$ AS aws_ion \gset
SELECT dynpg.item_to_ion(:'aws_json'::dynpg.item);
-- and AWS's documented Ion example, exactly as the documentation lays it
-- out on several lines, reads back to that item
SELECT dynpg.item_from_ion(:'aws_ion') = :'aws_json'::dynpg.item AS documented_example;

-- every type, nested maps and lists, sets, binary
SELECT dynpg.item_to_ion('{"pk": {"S": "k"}, "n": {"N": "-17.25"}, "b": {"B": "AAEC/w=="}, "t": {"BOOL": true},
  "f": {"BOOL": false}, "z": {"NULL": true}, "e": {"S": ""}, "eb": {"B": ""},
  "m": {"M": {"inner": {"M": {"l": {"L": [{"N": "1"}, {"S": "x"}, {"L": []}, {"M": {}}, {"NULL": true}]}}}}},
  "ss": {"SS": ["b", "a", "c"]}, "ns": {"NS": ["10", "-0.5", "1E+10"]}, "bs": {"BS": ["AAE=", "/w=="]}}'::dynpg.item);

-- numbers: the decimal forms of AWS's writer, 38 digits kept exactly
SELECT n, dynpg.item_to_ion(jsonb_build_object('v', jsonb_build_object('N', n))::dynpg.item) AS ion,
       dynpg.item_from_ion(dynpg.item_to_ion(jsonb_build_object('v', jsonb_build_object('N', n))::dynpg.item))
         = jsonb_build_object('v', jsonb_build_object('N', n))::dynpg.item AS round_trip
  FROM unnest(ARRAY['0', '-0', '1', '-1', '10', '103', '600', '1.5', '0.5', '-0.25', '0.001', '0.0000001',
                    '0.00000001', '1E-10', '12345.678', '1234567.5E-3', '1E+125', '-9.9E+125', '1E-130',
                    '12345678901234567890123456789012345678',
                    '1.2345678901234567890123456789012345678E-100',
                    '99999999999999999999999999999999999999E+88',
                    '0.00012345678901234567890123456789012345678']) n;

-- strings: quotes, backslashes, U+0000 and the other control characters,
-- U+007F..U+009F escaped; other UTF-8 as it is
SELECT dynpg.item_to_ion(jsonb_build_object('s', jsonb_build_object('S',
  E'q"uo''te \\ back \u0001\u0007\b\t\n\u000b\f\r\u001f \u007f\u0080\u009f\u00a0 é 中文 😀'))::dynpg.item);
SELECT dynpg.item_to_ion('{"s": {"S": "nul:\u0000:end"}}'::dynpg.item);
SELECT dynpg.item_from_ion(dynpg.item_to_ion('{"s": {"S": "nul:\u0000:end"}}'::dynpg.item))
       = '{"s": {"S": "nul:\u0000:end"}}'::dynpg.item AS nul_round_trip;
SELECT dynpg.item_from_ion(dynpg.item_to_ion(jsonb_build_object('s', jsonb_build_object('S',
  E'q"uo''te \\ back \u0001\u0007\b\t\n\u000b\f\r\u001f \u007f\u0080\u009f\u00a0 é 中文 😀'))::dynpg.item))
       = jsonb_build_object('s', jsonb_build_object('S',
  E'q"uo''te \\ back \u0001\u0007\b\t\n\u000b\f\r\u001f \u007f\u0080\u009f\u00a0 é 中文 😀'))::dynpg.item AS string_round_trip;

-- field names: Ion identifiers bare, others (spaces, keywords, symbol ids,
-- digits first, quotes, non-ASCII) as quoted symbols
SELECT dynpg.item_to_ion('{"plain": {"N": "1"}, "_u": {"N": "2"}, "$d": {"N": "3"}, "a1": {"N": "4"},
  "my attr": {"N": "5"}, "null": {"N": "6"}, "true": {"N": "7"}, "false": {"N": "8"}, "nan": {"N": "9"},
  "$12": {"N": "10"}, "1abc": {"N": "11"}, "a-b": {"N": "12"}, "it''s \"x\"": {"N": "13"}, "é": {"N": "14"},
  "m": {"M": {"tab\tname": {"S": "t"}}}}'::dynpg.item);
SELECT dynpg.item_from_ion(dynpg.item_to_ion(i)) = i AS names_round_trip
  FROM (SELECT '{"plain": {"N": "1"}, "_u": {"N": "2"}, "$d": {"N": "3"}, "a1": {"N": "4"},
  "my attr": {"N": "5"}, "null": {"N": "6"}, "true": {"N": "7"}, "false": {"N": "8"}, "nan": {"N": "9"},
  "$12": {"N": "10"}, "1abc": {"N": "11"}, "a-b": {"N": "12"}, "it''s \"x\"": {"N": "13"}, "é": {"N": "14"},
  "m": {"M": {"tab\tname": {"S": "t"}}}}'::dynpg.item AS i) x;

-- reading: white space and comments anywhere, version markers, field names
-- as quoted symbols, strings and long strings, every escape, long strings
-- joined, ints (decimal, hex, binary, underscores), decimals with d/D,
-- null.null, trailing commas, a quoted annotation
SELECT dynpg.item_from_ion($$
// an Ion comment
$ion_1_0 $ion_1_0 /* a block
comment */ { Item : {
  'my attr': "v",   "str name": 1,  '''long''' '''name''': 2,
  esc: "\a\b\t\n\f\r\v\?\0\'\"\/\\ \x41\u00e9\U0001F600 \ud83d\ude00 con\
tinued",
  long: '''one
two''' /* joined */ '''three''',
  ints: [0, -0, 1_000_000, 0x1F, -0XfF, 0b1010, 0B1_1],
  decs: [1.5, 1., -0.0, 1.5d-3, 2D+3, 12_3.4_5d1, 0d0],
  nul: null, nul2: null.null, yes: true, no: false,
  bl: {{ AAEC /w== }}, empty: {{}},
  ss: '$dynamodb_SS'::[ "a", '''b''' ], ns: $dynamodb_NS::[1, 2.5, 3d2,], bs: $dynamodb_BS::[{{AA==}}],
  nested: { l: [ { k: [ [ ] ] }, ], },
}, other: "ignored field" }
$$)::text;

-- refusals: what is not Ion, and Ion values that are not DynamoDB values
SELECT t, pg_temp.from_ion(t) FROM unnest(ARRAY[
  $${Item:{a:1e0}}$$,
  $${Item:{a:1.5e-3}}$$,
  $${Item:{a:nan}}$$,
  $${Item:{a:+inf}}$$,
  $${Item:{a:-inf}}$$,
  $${Item:{a:2007-02-23T12:14Z}}$$,
  $${Item:{a:2007T}}$$,
  $${Item:{a:sym}}$$,
  $${Item:{a:'quoted sym'}}$$,
  $${Item:{a:{{"clob"}}}}$$,
  $${Item:{a:(1 2)}}$$,
  $${Item:{a:null.string}}$$,
  $${Item:{a:other::[1]}}$$,
  $${Item:{a:$dynamodb_SS::"x"}}$$,
  $${Item:{a:$dynamodb_SS::$dynamodb_NS::[1]}}$$,
  $${Item:{a:$dynamodb_SS::[1]}}$$,
  $${Item:{a:$dynamodb_NS::["1"]}}$$,
  $${Item:{a:$dynamodb_BS::["AA=="]}}$$,
  $${Item:{a:"open}}$$,
  E'{Item:{a:"line\nbreak"}}',
  E'{Item:{a:"tab\there ok", b:"ctl\u0001"}}',
  $${Item:{a:"\q"}}$$,
  $${Item:{a:"\x4"}}$$,
  $${Item:{a:"\ud800x"}}$$,
  $${Item:{a:"\U00110000"}}$$,
  $${Item:{a 1}}$$,
  $${Item:{a::1}}$$,
  $${Item:{a:1 b:2}}$$,
  $${Item:[1,2}}$$,
  $${Item:{a:[1 2]}}$$,
  $${Item:{a:1}$$,
  $${Item:{a:'''open}}$$,
  $${Item:{a:1}} /* open$$,
  $${Item:{$10:1}}$$,
  $${Item:{a:$10::[1]}}$$,
  $${Item:{,}}$$,
  $${Item:{a:007}}$$,
  $${Item:{a:1__0}}$$,
  $${Item:{a:0x}}$$,
  $${Item:{a:0b102}}$$,
  $${Item:{a:1.5d}}$$,
  $${Item:{a:+1}}$$,
  $${Item:{a:1abc}}$$,
  $${Item:{a:{{AA=}}}}$$,
  $${Item:{a:{{A!==}}}}$$,
  $${Item:{a:{{AAAA}}$$,
  $$[1]$$,
  $$"text"$$,
  $${{AA==}}$$,
  $${NotItem:{a:1}}$$,
  $${Item:[1]}$$,
  $$$ion_2_0 {Item:{a:1}}$$,
  $$ $$,
  $${Item:{a:1}} {Item:{b:2}}$$,
  $${Item:{a:1}} junk$$]) t;
-- DynamoDB's own rules, with its messages: numbers' range and precision, empty
-- and duplicate sets, nesting beyond 32 levels
SELECT t, pg_temp.from_ion(t) FROM unnest(ARRAY[
  $${Item:{a:123456789012345678901234567890123456789}}$$,
  $${Item:{a:1.23456789012345678901234567890123456789}}$$,
  $${Item:{a:1d126}}$$,
  $${Item:{a:1d-131}}$$,
  $${Item:{a:-1d999999999999999999}}$$,
  $${Item:{a:0x1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000}}$$,
  $${Item:{a:0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF}}$$,
  $${Item:{a:$dynamodb_SS::[]}}$$,
  $${Item:{a:$dynamodb_NS::[1, 1.0]}}$$,
  $${Item:{a:$dynamodb_BS::[{{AA==}}, {{AA==}}]}}$$,
  $${Item:{}}$$,
  '{Item:{a:' || repeat('[', 33) || repeat(']', 33) || '}}',
  '{Item:{a:' || repeat('[', 70) || repeat(']', 70) || '}}']) t;
-- a name given twice: the last one counts
SELECT dynpg.item_from_ion($${Item:{a:1, a:"two"}}$$)::text AS last_wins;
-- an exact hex int
SELECT dynpg.item_from_ion($${Item:{a:0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF, b:-0b11111111}}$$)::text AS hex;

-- Export as ION: data/<name>.ion.gz, one "$ion_1_0 {Item:...}" line per item,
-- outputFormat ION in manifest-summary.json, ExportFormat ION described
SELECT set_config('dynpg.export_directory', current_setting('data_directory') || '/ion_suite', false) IS NOT NULL AS set;
SELECT dynpg.create_table('{"TableName": "ion_small", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}') IS NOT NULL AS created;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'ion_small', 'Item', i)))
  FROM unnest(ARRAY['{"pk": {"S": "a"}, "n": {"N": "1.50"}, "b": {"B": "AAEC"}, "ok": {"BOOL": true}, "z": {"NULL": true}}',
                    '{"pk": {"S": "b"}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["3", "2E+3"]}, "bs": {"BS": ["AA=="]}, "l": {"L": [{"S": "q"}, {"N": "3"}]}, "m": {"M": {"k v": {"S": "w\"x"}}}}',
                    '{"pk": {"S": "c d"}}']::jsonb[]) i;
SELECT dynpg.export_table('ion_small', 'ionbucket/small', 'ION') -> 'ExportDescription' AS d \gset
SELECT :'d'::jsonb ->> 'ExportStatus' AS status, :'d'::jsonb ->> 'ItemCount' AS items,
       :'d'::jsonb ->> 'ExportFormat' AS format;
SELECT pg_temp.t('DescribeExport', jsonb_build_object('ExportArn', :'d'::jsonb ->> 'ExportArn'))::jsonb
         -> 'ExportDescription' ->> 'ExportFormat' AS described;
SELECT current_setting('dynpg.export_directory') || '/ionbucket/small/AWSDynamoDB/' ||
       split_part(:'d'::jsonb ->> 'ExportArn', '/export/', 2) AS expdir \gset
SELECT regexp_replace(f, '^[a-z2-7]{26}', '<name>') AS data_file FROM pg_ls_dir(:'expdir' || '/data') f;
SELECT pg_read_file(:'expdir' || '/manifest-summary.json')::jsonb ->> 'outputFormat' AS output_format,
       regexp_replace(pg_read_file(:'expdir' || '/manifest-files.json')::jsonb ->> 'dataFileS3Key',
                      '^.*/data/[a-z2-7]{26}', '.../data/<name>') AS data_key;
SELECT line FROM pg_temp.gunzip_lines(:'expdir' || '/data/' ||
  (SELECT f FROM pg_ls_dir(:'expdir' || '/data') f)) line;

-- ExportTableToPointInTime with ExportFormat ION, run by the database's worker
SELECT pg_temp.t('ExportTableToPointInTime', '{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/ion_small",
  "S3Bucket": "ionbucket", "S3Prefix": "worker", "ExportFormat": "ION"}')::jsonb -> 'ExportDescription' AS w \gset
SELECT :'w'::jsonb ->> 'ExportStatus' AS status, :'w'::jsonb ->> 'ExportFormat' AS format;
DO $$
BEGIN
	FOR i IN 1..6000 LOOP
		EXIT WHEN NOT EXISTS (SELECT 1 FROM dynpg.exports WHERE status = 'IN_PROGRESS');
		PERFORM pg_sleep(0.01);
	END LOOP;
END $$;
SELECT pg_temp.t('DescribeExport', jsonb_build_object('ExportArn', :'w'::jsonb ->> 'ExportArn'))::jsonb
         -> 'ExportDescription' ->> 'ExportStatus' AS status,
       pg_temp.t('DescribeExport', jsonb_build_object('ExportArn', :'w'::jsonb ->> 'ExportArn'))::jsonb
         -> 'ExportDescription' ->> 'ItemCount' AS items;
SELECT current_setting('dynpg.export_directory') || '/ionbucket/worker/AWSDynamoDB/' ||
       split_part(:'w'::jsonb ->> 'ExportArn', '/export/', 2) AS wdir \gset
SELECT pg_read_file(:'wdir' || '/manifest-summary.json')::jsonb ->> 'outputFormat' AS output_format,
       regexp_replace(f, '^[a-z2-7]{26}', '<name>') AS data_file
  FROM pg_ls_dir(:'wdir' || '/data') f;
SELECT line FROM pg_temp.gunzip_lines(:'wdir' || '/data/' ||
  (SELECT f FROM pg_ls_dir(:'wdir' || '/data') f)) line;

-- a table of every type exported as ION and imported as ION into a new
-- table: every item equal
SELECT dynpg.create_table('{"TableName": "ion_src", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]}') IS NOT NULL AS created;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'ion_src', 'Item', jsonb_build_object(
	'pk', jsonb_build_object('S', 'p' || (i % 17)),
	'sk', jsonb_build_object('N', (i * 1.5 - 100)::text),
	's', jsonb_build_object('S', E'ünï \t ' || repeat('x', i % 40) || E' "quoted" \\ back \u0085 ''sq'''),
	'n', jsonb_build_object('N', (i::numeric * 1e20)::text),
	'small', jsonb_build_object('N', ('1E-' || (i % 130 + 1))::text),
	'big', jsonb_build_object('N', '-1234567890123456789012345678901234567' || (i % 9 + 1) || 'E+' || (i % 80)),
	'b', jsonb_build_object('B', encode(sha256(i::text::bytea), 'base64')),
	't', jsonb_build_object('BOOL', i % 2 = 0),
	'z', '{"NULL": true}'::jsonb,
	'my attr ' || (i % 3), jsonb_build_object('S', 'named'),
	'm', jsonb_build_object('M', jsonb_build_object('deep', jsonb_build_object('M', jsonb_build_object(
		'l', jsonb_build_object('L', jsonb_build_array(jsonb_build_object('N', i::text), '{"S": "x"}'::jsonb,
			'{"L": []}'::jsonb, '{"M": {}}'::jsonb)))))),
	'ss', jsonb_build_object('SS', jsonb_build_array('a' || i, 'b', 'c d')),
	'ns', jsonb_build_object('NS', jsonb_build_array(i::text, '-0.5', '1E+10')),
	'bs', jsonb_build_object('BS', jsonb_build_array('AAE=', encode(int4send(i), 'base64')))))))
  FROM generate_series(1, 300) i;
SELECT dynpg.export_table('ion_src', 'ionbucket/rt', 'ION') -> 'ExportDescription' AS d \gset
SELECT :'d'::jsonb ->> 'ExportStatus' AS status, :'d'::jsonb ->> 'ItemCount' AS items;
SELECT pg_temp.imp(jsonb_build_object('InputFormat', 'ION', 'InputCompressionType', 'GZIP',
  'S3BucketSource', jsonb_build_object('S3Bucket', 'ionbucket',
    'S3KeyPrefix', 'rt/AWSDynamoDB/' || split_part(:'d'::jsonb ->> 'ExportArn', '/export/', 2) || '/data/'),
  'TableCreationParameters', '{"TableName": "ion_dst", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]}'::jsonb)) ->> 'ImportTableDescription' IS NOT NULL AS started;
SELECT pg_temp.done()
  -> 'ImportTableDescription' AS i \gset
SELECT :'i'::jsonb ->> 'ImportStatus' AS status, :'i'::jsonb ->> 'ProcessedItemCount' AS processed,
       :'i'::jsonb ->> 'ImportedItemCount' AS imported, :'i'::jsonb ->> 'ErrorCount' AS errors,
       :'i'::jsonb ->> 'InputFormat' AS format;
SELECT (SELECT count(*) FROM (SELECT item FROM dynamodb.ion_src EXCEPT ALL SELECT item FROM dynamodb.ion_dst) x) AS missing,
       (SELECT count(*) FROM (SELECT item FROM dynamodb.ion_dst EXCEPT ALL SELECT item FROM dynamodb.ion_src) x) AS extra,
       (SELECT count(*) FROM dynamodb.ion_dst) AS items;

-- ImportTable of hand-written Ion: AWS's documented example as the
-- documentation lays it out, good lines, bad lines counted as errors
-- (ErrorCount, the last ones kept) and the rest loaded; gzip and zstd too
SELECT pg_temp.write_file('fix/ion/part-0.ion', :'aws_ion' || $$
$ion_1_0 {Item:{Id:1.,Title:"one"}}
$ion_1_0 {Item:{Id:2.,Title:"two" oops}}
$ion_1_0 {Item:{Id:3.,Title:"three"}}
$ion_1_0 {Item:{Id:"4",Title:"key of the wrong type"}}
$ion_1_0 {Item:{Title:"no key"}}
$ion_1_0 {NotItem:{Id:5.}}
$ion_1_0 {Item:{Id:6.,Title:"six",
$ion_1_0 {Item:{Id:7.,Price:1e3}}
$ion_1_0 {Item:{Id:8.,Big:123456789012345678901234567890123456789}}
$ion_1_0 {Item:{Id:9.,Title:"nine"}}
$$);
SELECT pg_temp.write_file('fix/ion/part-1.ion.gz', $$$ion_1_0 {Item:{Id:10.,Title:"gzip"}}
$$, 'gzip');
SELECT pg_temp.write_file('fix/ionz/part-2.ion.zst', $$$ion_1_0 {Item:{Id:11.,Title:"zstd"}}
$$, 'zstd -q');
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "fix", "S3KeyPrefix": "ion/part-0"}, "InputFormat": "ION",
  "TableCreationParameters": {"TableName": "ion_fix", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "Id", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "Id", "AttributeType": "N"}]}}') ->> 'ImportTableDescription' IS NOT NULL AS started;
SELECT jsonb_pretty((pg_temp.done()
  -> 'ImportTableDescription') - 'TableCreationParameters') AS description;
SELECT jsonb_array_elements_text((SELECT errors FROM dynpg.imports ORDER BY seq DESC LIMIT 1)) AS error;
SELECT jsonb_array_elements(dynpg.scan('{"TableName": "ion_fix"}') -> 'Items')::text AS item ORDER BY 1;
-- binary Ion is not read: one error for the file
SELECT pg_temp.write_file('fix/ionbin/part-3.ion', 'x', '{ cat >/dev/null; printf ''\340\001\000\352\041''; }');
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "fix", "S3KeyPrefix": "ionbin/"}, "InputFormat": "ION",
  "TableCreationParameters": {"TableName": "ion_bin", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "Id", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "Id", "AttributeType": "N"}]}}') ->> 'ImportTableDescription' IS NOT NULL AS started;
SELECT pg_temp.done()
  -> 'ImportTableDescription' ->> 'ErrorCount' AS binary_errors;
SELECT jsonb_array_elements_text((SELECT errors FROM dynpg.imports ORDER BY seq DESC LIMIT 1)) AS error;
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "fix", "S3KeyPrefix": "ion/part-1"}, "InputFormat": "ION",
  "InputCompressionType": "GZIP",
  "TableCreationParameters": {"TableName": "ion_gz", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "Id", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "Id", "AttributeType": "N"}]}}') ->> 'ImportTableDescription' IS NOT NULL AS started;
SELECT pg_temp.done()
  -> 'ImportTableDescription' ->> 'ImportedItemCount' AS gzip_imported;
SELECT dynpg.scan('{"TableName": "ion_gz"}') -> 'Items' AS items;
SELECT pg_temp.imp('{"S3BucketSource": {"S3Bucket": "fix", "S3KeyPrefix": "ionz/"}, "InputFormat": "ION",
  "InputCompressionType": "ZSTD",
  "TableCreationParameters": {"TableName": "ion_zst", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "Id", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "Id", "AttributeType": "N"}]}}') ->> 'ImportTableDescription' IS NOT NULL AS started;
SELECT pg_temp.done()
  -> 'ImportTableDescription' ->> 'ImportedItemCount' AS zstd_imported;
SELECT dynpg.scan('{"TableName": "ion_zst"}') -> 'Items' AS items;

SELECT dynpg.delete_table(jsonb_build_object('TableName', t)) IS NOT NULL AS dropped
  FROM unnest(ARRAY['ion_small', 'ion_src', 'ion_dst', 'ion_fix', 'ion_bin', 'ion_gz', 'ion_zst']) t;
-- the suites share a database: forget this suite's exports and imports
DELETE FROM dynpg.exports WHERE table_name IN ('ion_small', 'ion_src');
DELETE FROM dynpg.imports WHERE table_arn ~ ':table/ion_(dst|fix|bin|gz|zst)$';
