-- tests/upgrade/streams.sql: the fixture's stream as DescribeStream and
-- GetRecords report it (compared before and after the update in place; a
-- restored dump starts its streams afresh, as the README says).
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
SET client_min_messages = warning;
SELECT dynpg.describe_stream(jsonb_build_object('StreamArn',
	dynpg.execute('DescribeTable', '{"TableName": "upg_orders"}') -> 'Table' ->> 'LatestStreamArn'));
SELECT count(*) || ' ' || md5(string_agg(r::text, E'\n' ORDER BY r.sequence_number))
  FROM dynpg.stream_records('upg_orders', NULL, 100000) AS r;
