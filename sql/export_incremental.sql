-- Incremental exports (src/api/export_ops.c, src/api/README "Incremental
-- exports"): ExportTableToPointInTime with ExportType INCREMENTAL_EXPORT
-- builds the export from the table's stream records written in
-- [ExportFromTime, ExportToTime): one line per changed item, its net change
-- over the window.  Windows must be 15 minutes to 24 hours long and in the
-- past: the suite moves its tables' streams back in time with the testing
-- hook dynpg._shift_stream_times instead of waiting.  Times change from run
-- to run: they are masked, and checked against each other.
\set SHOW_CONTEXT never

\i sql/include/typed_errors.sql
CREATE FUNCTION pg_temp.masked(j text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT CASE WHEN j LIKE '{%' THEN
		regexp_replace(regexp_replace(regexp_replace(j, '\d{14}-[0-9a-f]{8}', '<id>', 'g'),
			'"TableId": "[0-9a-f-]{36}"', '"TableId": "<uuid>"', 'g'),
			'"(StartTime|EndTime|ExportTime|ExportFromTime|ExportToTime)": [0-9.]+', '"\1": "<time>"', 'g')::jsonb
	ELSE to_jsonb(regexp_replace(j, ': \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', ': <time>')) END $$;
CREATE FUNCTION pg_temp.export(req jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT pg_temp.masked(pg_temp.t('ExportTableToPointInTime', req)) $$;
-- epoch seconds 'm' minutes ago (negative: in the future)
CREATE FUNCTION pg_temp.ago(m numeric) RETURNS numeric LANGUAGE sql AS $$
	SELECT round(extract(epoch FROM clock_timestamp()) - m * 60, 3) $$;
CREATE FUNCTION pg_temp.incr(t text, spec jsonb, prefix text DEFAULT 'inc') RETURNS jsonb LANGUAGE sql AS $$
	SELECT pg_temp.export(jsonb_build_object('TableArn', 'arn:aws:dynamodb:ddblocal:000000000000:table/' || t,
		'S3Bucket', 'incbucket', 'S3Prefix', prefix, 'ExportType', 'INCREMENTAL_EXPORT',
		'IncrementalExportSpecification', spec)) $$;
CREATE FUNCTION pg_temp.wait_exports() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..6000 LOOP
		EXIT WHEN NOT EXISTS (SELECT 1 FROM dynpg.exports WHERE status = 'IN_PROGRESS');
		PERFORM pg_sleep(0.01);
	END LOOP;
	RETURN (SELECT string_agg(status, ', ' ORDER BY start_time) FROM dynpg.exports WHERE table_name LIKE 'inc%');
END $$;
-- the lines of an export's data files (gzip), as text and each as jsonb
CREATE TEMP TABLE raw_lines (l text);
CREATE FUNCTION pg_temp.text_lines(arn text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	f text;
BEGIN
	TRUNCATE raw_lines;
	FOR f IN SELECT current_setting('dynpg.export_directory') || '/incbucket/' || (l::jsonb ->> 'dataFileS3Key')
			   FROM dynpg.exports e,
			        regexp_split_to_table(rtrim(pg_read_file(e.directory || '/manifest-files.json'), E'\n'), E'\n') l
			  WHERE e.export_arn = arn AND l <> '' LOOP
		EXECUTE format('COPY raw_lines FROM PROGRAM %L WITH (FORMAT csv, QUOTE E''\x01'', DELIMITER E''\x02'')',
					   'gzip -dc ' || f);
	END LOOP;
	RETURN QUERY SELECT l FROM raw_lines;
END $$;
CREATE FUNCTION pg_temp.lines(arn text) RETURNS SETOF jsonb LANGUAGE sql AS $$
	SELECT l::jsonb FROM pg_temp.text_lines(arn) l $$;
SELECT set_config('dynpg.export_directory', current_setting('data_directory') || '/dynpg_incr', false) IS NOT NULL AS set;

-- a table whose stream keeps both images, and tables without the stream it needs
SELECT dynpg.create_table(jsonb_build_object('TableName', t, 'BillingMode', 'PAY_PER_REQUEST',
  'KeySchema', '[{"AttributeName": "pk", "KeyType": "HASH"}]'::jsonb,
  'AttributeDefinitions', '[{"AttributeName": "pk", "AttributeType": "S"}]'::jsonb)
  || CASE WHEN v IS NULL THEN '{}'::jsonb
          ELSE jsonb_build_object('StreamSpecification', jsonb_build_object('StreamEnabled', true, 'StreamViewType', v)) END)
       IS NOT NULL AS created
  FROM (VALUES ('inc_a', 'NEW_AND_OLD_IMAGES'), ('inc_none', NULL), ('inc_keys', 'KEYS_ONLY'),
               ('inc_new', 'NEW_IMAGE'), ('inc_long', 'NEW_AND_OLD_IMAGES')) v(t, v);

-- before the window: four items
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'inc_a', 'Item',
         jsonb_build_object('pk', jsonb_build_object('S', k), 'v', '{"N": "0"}'::jsonb))))
  FROM unnest(ARRAY['a1', 'a2', 'a3', 'a4']) k;
SELECT dynpg._shift_stream_times('inc_a', '40 minutes') AS moved;
-- in the window: an update, a delete, an insert, an insert deleted again, an
-- insert updated, two updates, a delete and put again
SELECT dynpg.update_item('{"TableName": "inc_a", "Key": {"pk": {"S": "a1"}}, "UpdateExpression": "SET v = :v",
         "ExpressionAttributeValues": {":v": {"N": "1"}}}') IS NOT NULL AS a1_updated;
SELECT dynpg.delete_item('{"TableName": "inc_a", "Key": {"pk": {"S": "a2"}}}') IS NOT NULL AS a2_deleted;
SELECT dynpg.put_item('{"TableName": "inc_a", "Item": {"pk": {"S": "b1"}, "v": {"N": "1"}}}') IS NOT NULL AS b1_put;
SELECT dynpg.put_item('{"TableName": "inc_a", "Item": {"pk": {"S": "b2"}, "v": {"N": "1"}}}') IS NOT NULL AS b2_put;
SELECT dynpg.delete_item('{"TableName": "inc_a", "Key": {"pk": {"S": "b2"}}}') IS NOT NULL AS b2_deleted;
SELECT dynpg.put_item('{"TableName": "inc_a", "Item": {"pk": {"S": "b3"}, "v": {"N": "1"}}}') IS NOT NULL AS b3_put;
SELECT dynpg.update_item('{"TableName": "inc_a", "Key": {"pk": {"S": "b3"}}, "UpdateExpression": "SET v = :v",
         "ExpressionAttributeValues": {":v": {"N": "2"}}}') IS NOT NULL AS b3_updated;
SELECT dynpg.update_item('{"TableName": "inc_a", "Key": {"pk": {"S": "a3"}}, "UpdateExpression": "SET v = :v, w = :w",
         "ExpressionAttributeValues": {":v": {"N": "1"}, ":w": {"S": "x"}}}') IS NOT NULL AS a3_updated;
SELECT dynpg.update_item('{"TableName": "inc_a", "Key": {"pk": {"S": "a3"}}, "UpdateExpression": "SET v = :v REMOVE w",
         "ExpressionAttributeValues": {":v": {"N": "2"}}}') IS NOT NULL AS a3_updated_again;
SELECT dynpg.delete_item('{"TableName": "inc_a", "Key": {"pk": {"S": "a4"}}}') IS NOT NULL AS a4_deleted;
SELECT dynpg.put_item('{"TableName": "inc_a", "Item": {"pk": {"S": "a4"}, "v": {"N": "9"}}}') IS NOT NULL AS a4_put;
SELECT dynpg._shift_stream_times('inc_a', '20 minutes') AS moved;
-- after the window (now): a change to a1 and a new item
SELECT dynpg.update_item('{"TableName": "inc_a", "Key": {"pk": {"S": "a1"}}, "UpdateExpression": "SET v = :v",
         "ExpressionAttributeValues": {":v": {"N": "5"}}}') IS NOT NULL AS a1_updated;
SELECT dynpg.put_item('{"TableName": "inc_a", "Item": {"pk": {"S": "c1"}, "v": {"N": "1"}}}') IS NOT NULL AS c1_put;
-- the records: before the window 1 hour ago, in it 20 minutes ago, after it now
SELECT r.event, count(*) AS records,
       round(extract(epoch FROM now() - max(r.created)) / 60 / 10) * 10 AS minutes_ago
  FROM dynpg.stream_records r JOIN dynpg.streams s USING (stream_id)
 WHERE s.table_name = 'inc_a' GROUP BY r.event, round(extract(epoch FROM now() - r.created) / 60 / 10)
 ORDER BY minutes_ago DESC, r.event;

-- ExportType and IncrementalExportSpecification go together; ExportFromTime is required
SELECT pg_temp.export(jsonb_build_object('TableArn', 'arn:aws:dynamodb:ddblocal:000000000000:table/inc_a',
	'S3Bucket', 'incbucket', 'IncrementalExportSpecification', jsonb_build_object('ExportFromTime', pg_temp.ago(30))));
SELECT pg_temp.export(jsonb_build_object('TableArn', 'arn:aws:dynamodb:ddblocal:000000000000:table/inc_a',
	'S3Bucket', 'incbucket', 'ExportType', 'FULL_EXPORT',
	'IncrementalExportSpecification', jsonb_build_object('ExportFromTime', pg_temp.ago(30))));
SELECT pg_temp.export('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/inc_a", "S3Bucket": "incbucket",
	"ExportType": "INCREMENTAL_EXPORT"}');
SELECT pg_temp.incr('inc_a', '{}');
SELECT pg_temp.incr('inc_a', '{"ExportViewType": "NEW_IMAGE"}');
SELECT pg_temp.incr('inc_a', jsonb_build_object('ExportToTime', pg_temp.ago(10)));
-- the view types are the model's: NEW_IMAGE and NEW_AND_OLD_IMAGES
SELECT pg_temp.incr('inc_a', jsonb_build_object('ExportFromTime', pg_temp.ago(30), 'ExportViewType', 'NEW_IMAGES'));
SELECT pg_temp.incr('inc_a', '{"ExportFromTime": "yesterday"}');
-- ExportTime has no place in a dynpg export
SELECT pg_temp.export(jsonb_build_object('TableArn', 'arn:aws:dynamodb:ddblocal:000000000000:table/inc_a',
	'S3Bucket', 'incbucket', 'ExportType', 'INCREMENTAL_EXPORT', 'ExportTime', pg_temp.ago(5),
	'IncrementalExportSpecification', jsonb_build_object('ExportFromTime', pg_temp.ago(30))));

-- the window: covered by the table's stream (opened 1 hour ago), not in the
-- future, 15 minutes to 24 hours long (InvalidExportTimeException)
SELECT pg_temp.incr('inc_a', jsonb_build_object('ExportFromTime', pg_temp.ago(90), 'ExportToTime', pg_temp.ago(30)));
SELECT pg_temp.incr('inc_a', jsonb_build_object('ExportFromTime', pg_temp.ago(30), 'ExportToTime', pg_temp.ago(-60)));
SELECT pg_temp.incr('inc_a', jsonb_build_object('ExportFromTime', pg_temp.ago(30), 'ExportToTime', pg_temp.ago(20)));
SELECT pg_temp.incr('inc_a', jsonb_build_object('ExportFromTime', pg_temp.ago(20), 'ExportToTime', pg_temp.ago(40)));
SELECT pg_temp.incr('inc_a', jsonb_build_object('ExportFromTime', pg_temp.ago(10)));
-- the time a message names is the request's, to the second
SELECT pg_temp.t('ExportTableToPointInTime', jsonb_build_object('TableArn', 'arn:aws:dynamodb:ddblocal:000000000000:table/inc_a',
	'S3Bucket', 'incbucket', 'ExportType', 'INCREMENTAL_EXPORT',
	'IncrementalExportSpecification', jsonb_build_object('ExportFromTime', 1700000000.5, 'ExportToTime', 1700003600)));
-- a table without a stream: no history, as a DynamoDB table without point-in-time recovery
SELECT pg_temp.incr('inc_none', jsonb_build_object('ExportFromTime', pg_temp.ago(30), 'ExportToTime', pg_temp.ago(10)));
-- streams opened just now: the window starts before them
SELECT pg_temp.incr('inc_keys', jsonb_build_object('ExportFromTime', pg_temp.ago(30), 'ExportToTime', pg_temp.ago(10)));
-- a stream that covers the window, without the images the view type needs
SELECT dynpg._shift_stream_times(t, '1 hour') AS moved FROM unnest(ARRAY['inc_keys', 'inc_new']) t;
SELECT pg_temp.incr('inc_keys', jsonb_build_object('ExportFromTime', pg_temp.ago(30), 'ExportToTime', pg_temp.ago(10)));
SELECT pg_temp.incr('inc_keys', jsonb_build_object('ExportFromTime', pg_temp.ago(30), 'ExportToTime', pg_temp.ago(10),
	'ExportViewType', 'NEW_IMAGE'));
SELECT pg_temp.incr('inc_new', jsonb_build_object('ExportFromTime', pg_temp.ago(30), 'ExportToTime', pg_temp.ago(10)));
-- longer than 24 hours
SELECT dynpg._shift_stream_times('inc_long', '27 hours') AS moved;
SELECT pg_temp.incr('inc_long', jsonb_build_object('ExportFromTime', pg_temp.ago(26 * 60), 'ExportToTime', pg_temp.ago(60)));
SELECT pg_temp.incr('inc_long', jsonb_build_object('ExportFromTime', pg_temp.ago(25 * 60), 'ExportToTime', pg_temp.ago(60)))
         -> 'ExportDescription' -> 'IncrementalExportSpecification' AS exactly_24_hours;
-- nothing was recorded but that one
SELECT count(*) AS exports FROM dynpg.exports WHERE table_name LIKE 'inc%';
SELECT pg_temp.wait_exports();
DELETE FROM dynpg.exports WHERE table_name = 'inc_long';

-- NEW_AND_OLD_IMAGES (the default) over [30, 10) minutes ago, and
-- NEW_IMAGE.  The worker writes them in data files of at most 4 items
-- (dynpg.export_file_items): it is paused while they are requested, and
-- reads the setting as it resumes.
\i sql/include/worker_pause.sql
ALTER SYSTEM SET dynpg.export_file_items = 4;
SELECT pg_temp.ago(30) AS from_time, pg_temp.ago(10) AS to_time \gset
SELECT pg_temp.incr('inc_a', jsonb_build_object('ExportFromTime', :from_time, 'ExportToTime', :to_time,
	'ExportViewType', 'NEW_AND_OLD_IMAGES'), 'both') AS d \gset
SELECT :'d'::jsonb;
SELECT pg_temp.incr('inc_a', jsonb_build_object('ExportFromTime', :from_time, 'ExportToTime', :to_time,
	'ExportViewType', 'NEW_IMAGE'), 'new') -> 'ExportDescription' -> 'IncrementalExportSpecification' AS new_image;
SELECT pg_temp.export(jsonb_build_object('TableArn', 'arn:aws:dynamodb:ddblocal:000000000000:table/inc_a',
	'S3Bucket', 'incbucket', 'S3Prefix', 'ion', 'ExportType', 'INCREMENTAL_EXPORT', 'ExportFormat', 'ION',
	'IncrementalExportSpecification', jsonb_build_object('ExportFromTime', :from_time, 'ExportToTime', :to_time)))
	-> 'ExportDescription' ->> 'ExportFormat' AS ion_format;
ALTER SYSTEM RESET dynpg.index_worker_pause;
SELECT pg_reload_conf();
SELECT pg_temp.wait_exports();
ALTER SYSTEM RESET dynpg.export_file_items;
SELECT pg_reload_conf();
SELECT export_arn AS both_arn, directory AS both_dir FROM dynpg.exports WHERE s3_prefix = 'both' \gset
SELECT export_arn AS new_arn, directory AS new_dir FROM dynpg.exports WHERE s3_prefix = 'new' \gset
SELECT pg_temp.masked(pg_temp.t('DescribeExport', jsonb_build_object('ExportArn', :'both_arn')));
-- the window as asked, in epoch seconds
SELECT (d ->> 'ExportFromTime')::numeric = :from_time AS from_ok, (d ->> 'ExportToTime')::numeric = :to_time AS to_ok
  FROM (SELECT pg_temp.t('DescribeExport', jsonb_build_object('ExportArn', :'both_arn'))::jsonb
                 #> '{ExportDescription,IncrementalExportSpecification}' AS d) x;
SELECT pg_temp.masked(pg_temp.t('ListExports', '{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/inc_a"}'));

-- every line: the items changed in the window, their net change
SELECT l -> 'Keys' -> 'pk' ->> 'S' AS item, l - 'Metadata' AS line
  FROM pg_temp.lines(:'both_arn') l ORDER BY 1;
SELECT l -> 'Keys' -> 'pk' ->> 'S' AS item, l - 'Metadata' AS line
  FROM pg_temp.lines(:'new_arn') l ORDER BY 1;
-- Metadata.WriteTimestampMicros: the write time of the item's last change in the window
SELECT l -> 'Keys' -> 'pk' ->> 'S' AS item, jsonb_object_keys(l -> 'Metadata') AS metadata,
       (l #>> '{Metadata,WriteTimestampMicros,N}')::bigint =
         (SELECT (extract(epoch FROM max(r.created)) * 1000000)::bigint
            FROM dynpg.stream_records r JOIN dynpg.streams s USING (stream_id)
           WHERE s.table_name = 'inc_a' AND r.keys::jsonb = l -> 'Keys'
             AND r.created >= to_timestamp(:from_time) AND r.created < to_timestamp(:to_time)) AS last_write
  FROM pg_temp.lines(:'both_arn') l ORDER BY 1;

-- ExportFormat ION: the same lines in Amazon Ion text, each after the version
-- marker, numbers as Ion decimals (WriteTimestampMicros too), in .ion.gz files
SELECT export_arn AS ion_arn, directory AS ion_dir FROM dynpg.exports WHERE s3_prefix = 'ion' \gset
SELECT regexp_replace(l, 'WriteTimestampMicros:[0-9d.]+', 'WriteTimestampMicros:<micros>') AS ion_line
  FROM pg_temp.text_lines(:'ion_arn') l ORDER BY 1;
SELECT count(*) AS lines,
       count(*) FILTER (WHERE replace((regexp_match(i, 'WriteTimestampMicros:([0-9d.]+)'))[1], 'd', 'e')::numeric =
                              (j #>> '{Metadata,WriteTimestampMicros,N}')::numeric) AS same_write_times
  FROM pg_temp.text_lines(:'ion_arn') i
  JOIN pg_temp.lines(:'both_arn') j ON (regexp_match(i, 'Keys:\{pk:"([^"]+)"\}'))[1] = j #>> '{Keys,pk,S}';
SELECT (l::jsonb ->> 'dataFileS3Key') ~ '^ion/AWSDynamoDB/data/[a-z2-7]{26}\.ion\.gz$' AS ion_key_ok
  FROM regexp_split_to_table(rtrim(pg_read_file(:'ion_dir' || '/manifest-files.json'), E'\n'), E'\n') l;
SELECT j ->> 'outputFormat' AS output_format, j ->> 'exportType' AS export_type, j ->> 'itemCount' AS items
  FROM (SELECT pg_read_file(:'ion_dir' || '/manifest-summary.json')::jsonb AS j) s;

-- the files: manifests under AWSDynamoDB/<ExportId>/, data under AWSDynamoDB/data/
SELECT pg_ls_dir AS file FROM pg_ls_dir(:'both_dir') ORDER BY 1;
SELECT (j - 'exportArn' - 'startTime' - 'endTime' - 'exportFromTime' - 'exportToTime' - 'tableId' - 'manifestFilesS3Key') AS summary,
       j ->> 'exportArn' = :'both_arn' AS arn_ok,
       j ->> 'exportFromTime' = to_char(to_timestamp(:from_time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS from_ok,
       j ->> 'exportToTime' = to_char(to_timestamp(:to_time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS to_ok,
       j ->> 'manifestFilesS3Key' = 'both/AWSDynamoDB/' || split_part(:'both_arn', '/export/', 2) || '/manifest-files.json' AS key_ok
  FROM (SELECT pg_read_file(:'both_dir' || '/manifest-summary.json')::jsonb AS j) s;
SELECT (l ->> 'itemCount')::int AS item_count,
       (l ->> 'dataFileS3Key') ~ '^both/AWSDynamoDB/data/[a-z2-7]{26}\.json\.gz$' AS key_ok,
       l ->> 'md5Checksum' = encode(decode(md5(f), 'hex'), 'base64') AS md5_ok,
       l ->> 'etag' = md5(f) AS etag_ok
  FROM (SELECT l, pg_read_binary_file(current_setting('dynpg.export_directory') || '/incbucket/' || (l ->> 'dataFileS3Key')) AS f
          FROM (SELECT line::jsonb AS l FROM regexp_split_to_table(rtrim(pg_read_file(:'both_dir' || '/manifest-files.json'), E'\n'), E'\n') line) x) y;
SELECT pg_read_file(:'both_dir' || '/manifest-files.checksum') = md5(pg_read_binary_file(:'both_dir' || '/manifest-files.json')) AS files_checksum_ok,
       pg_read_file(:'both_dir' || '/manifest-summary.checksum') = md5(pg_read_binary_file(:'both_dir' || '/manifest-summary.json')) AS summary_checksum_ok;

-- ClientToken: the same request answers the same export; another window is refused
SELECT pg_temp.export(jsonb_build_object('TableArn', 'arn:aws:dynamodb:ddblocal:000000000000:table/inc_a',
	'S3Bucket', 'incbucket', 'S3Prefix', 'tok', 'ExportType', 'INCREMENTAL_EXPORT', 'ClientToken', 'inc-token',
	'IncrementalExportSpecification', jsonb_build_object('ExportFromTime', :from_time, 'ExportToTime', :to_time)))
	-> 'ExportDescription' ->> 'ClientToken' AS first;
SELECT pg_temp.export(jsonb_build_object('TableArn', 'arn:aws:dynamodb:ddblocal:000000000000:table/inc_a',
	'S3Bucket', 'incbucket', 'S3Prefix', 'tok', 'ExportType', 'INCREMENTAL_EXPORT', 'ClientToken', 'inc-token',
	'IncrementalExportSpecification', jsonb_build_object('ExportFromTime', :from_time, 'ExportToTime', :to_time)))
	-> 'ExportDescription' ->> 'ClientToken' AS again,
       (SELECT count(*) FROM dynpg.exports WHERE client_token = 'inc-token') AS exports;
SELECT pg_temp.export(jsonb_build_object('TableArn', 'arn:aws:dynamodb:ddblocal:000000000000:table/inc_a',
	'S3Bucket', 'incbucket', 'S3Prefix', 'tok', 'ExportType', 'INCREMENTAL_EXPORT', 'ClientToken', 'inc-token',
	'IncrementalExportSpecification', jsonb_build_object('ExportFromTime', :from_time - 60, 'ExportToTime', :to_time)));
SELECT pg_temp.wait_exports();

-- trimmed records: a window that starts before the newest record trimmed is
-- not covered any more; one after it is
SELECT dynpg._shift_stream_times('inc_a', '2 hours') AS moved;
SELECT dynpg._trim_streams('2 hours 10 minutes') AS trimmed;
SELECT pg_temp.incr('inc_a', jsonb_build_object('ExportFromTime', pg_temp.ago(150), 'ExportToTime', pg_temp.ago(125)));
SELECT pg_temp.incr('inc_a', jsonb_build_object('ExportFromTime', pg_temp.ago(135), 'ExportToTime', pg_temp.ago(110)),
                    'trimmed') -> 'ExportDescription' ->> 'ExportStatus' AS status;
SELECT pg_temp.wait_exports();
SELECT l -> 'Keys' -> 'pk' ->> 'S' AS item, l - 'Metadata' AS line
  FROM pg_temp.lines((SELECT export_arn FROM dynpg.exports WHERE s3_prefix = 'trimmed')) l ORDER BY 1;
SELECT item_count, billed_size_bytes FROM dynpg.exports WHERE s3_prefix = 'trimmed';

SELECT dynpg.delete_table(jsonb_build_object('TableName', t)) IS NOT NULL AS dropped
  FROM unnest(ARRAY['inc_a', 'inc_none', 'inc_keys', 'inc_new', 'inc_long']) t;
-- the suites share a database: forget this suite's exports
DELETE FROM dynpg.exports WHERE table_name LIKE 'inc%';
-- and their streams' records (the deleted tables' streams stay readable for a day)
DELETE FROM dynpg.stream_records WHERE stream_id IN (SELECT stream_id FROM dynpg.streams WHERE table_name LIKE 'inc%');
DELETE FROM dynpg.streams WHERE table_name LIKE 'inc%';
