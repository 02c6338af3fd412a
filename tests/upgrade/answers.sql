-- tests/upgrade/answers.sql: what the fixture's tables answer, as lines of
-- text: every item, the indexes' Query answers, DescribeTable, tags, time
-- to live.  tests/t/055_extension_upgrade.pl compares it before and after
-- ALTER EXTENSION dynpg UPDATE, and in a restored dump.  Only 0.1's API.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
SET client_min_messages = warning;
SELECT dynpg.wait_for_indexes(table_name) IS NOT NULL FROM dynpg.tables ORDER BY table_name;
SELECT dynpg.execute('ListTables', '{}');
SELECT line FROM (SELECT t.table_name || ' ' || i.item::text AS line
  FROM dynpg.tables t, LATERAL dynpg.scan_request_items(jsonb_build_object('TableName', t.table_name)) AS i(item)) s
 ORDER BY line COLLATE "C";
SELECT dynpg.execute('Query', '{"TableName": "upg_orders", "IndexName": "by-placed",
	"KeyConditionExpression": "customer = :c AND placed BETWEEN :a AND :b",
	"ExpressionAttributeValues": {":c": {"S": "c3"}, ":a": {"S": "2026-11-05"}, ":b": {"S": "2026-11-20"}}}');
SELECT dynpg.execute('Query', '{"TableName": "upg_orders", "IndexName": "by-status",
	"KeyConditionExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"},
	"ExpressionAttributeValues": {":s": {"S": "PAID"}}, "ScanIndexForward": false, "Limit": 40}');
SELECT dynpg.execute('Query', '{"TableName": "upg_orders", "IndexName": "by-status",
	"KeyConditionExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"},
	"ExpressionAttributeValues": {":s": {"S": "RETURNED"}}}');
SELECT dynpg.execute('Query', '{"TableName": "upg_orders", "IndexName": "by-sku",
	"KeyConditionExpression": "sku = :b", "ExpressionAttributeValues": {":b": {"B": "AAAAAw=="}}}');
SELECT dynpg.execute('Scan', '{"TableName": "upg_orders", "FilterExpression": "#t > :t AND attribute_exists(sku)",
	"ExpressionAttributeNames": {"#t": "total"}, "ExpressionAttributeValues": {":t": {"N": "400"}}, "Select": "COUNT"}');
SELECT dynpg.execute('Query', '{"TableName": "upg_blobs", "KeyConditionExpression": "b = :b AND n < :n",
	"ExpressionAttributeValues": {":b": {"B": "AAAAAg=="}, ":n": {"N": "0"}}, "ScanIndexForward": false}');
SELECT dynpg.execute('GetItem', '{"TableName": "upg_types", "Key": {"k": {"S": "every-type"}}}');
SELECT table_name || ' ' || jsonb_set(dynpg.execute('DescribeTable', jsonb_build_object('TableName', table_name)),
	'{Table,ItemCount}', '0')::text
  FROM dynpg.tables ORDER BY table_name;
SELECT dynpg.execute('ListTagsOfResource', '{"ResourceArn": "arn:aws:dynamodb:ddblocal:000000000000:table/upg_orders"}');
SELECT dynpg.execute('DescribeTimeToLive', '{"TableName": "upg_orders"}');
SELECT table_name || ' ' || (dynpg.verify(table_name) ->> 'ok') FROM dynpg.tables ORDER BY table_name;
