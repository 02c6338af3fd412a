-- tests/upgrade/operations.sql: after the update, every kind of operation
-- works on the tables created before it: writes to tables with an LSI, GSIs,
-- a stream and TTL, a transaction, a batch, a new index, a new table, PartiQL,
-- a deletion.  Prints one line per check; tests/t/055_extension_upgrade.pl
-- compares them with the lines it expects.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
SET client_min_messages = warning;
SELECT 'put ' || dynpg.execute('PutItem', '{"TableName": "upg_orders", "Item": {"customer": {"S": "after"},
	"order_id": {"N": "1"}, "placed": {"S": "2026-12-01"}, "status": {"S": "AFTER"}, "sku": {"B": "/w=="}},
	"ReturnValues": "ALL_OLD"}')::text;
SELECT 'update ' || (dynpg.execute('UpdateItem', '{"TableName": "upg_orders", "Key": {"customer": {"S": "after"},
	"order_id": {"N": "1"}}, "UpdateExpression": "ADD visits :one", "ConditionExpression": "attribute_exists(customer)",
	"ExpressionAttributeValues": {":one": {"N": "5"}}, "ReturnValues": "UPDATED_NEW"}'))::text;
SELECT 'transact ' || dynpg.execute('TransactWriteItems', '{"TransactItems": [
	{"Put": {"TableName": "upg_types", "Item": {"k": {"S": "after"}, "ns": {"NS": ["3", "1"]}}}},
	{"Delete": {"TableName": "upg_blobs", "Key": {"b": {"B": "AAAAAQ=="}, "n": {"N": "-49"}}}}]}')::text;
SELECT 'batch ' || dynpg.execute('BatchWriteItem', '{"RequestItems": {"upg_blobs": [
	{"PutRequest": {"Item": {"b": {"B": "AAAAAQ=="}, "n": {"N": "1000"}}}}]}}')::text;
SELECT 'wait ' || dynpg.wait_for_indexes('upg_orders');
SELECT 'gsi ' || dynpg.execute('Query', '{"TableName": "upg_orders", "IndexName": "by-status",
	"KeyConditionExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"},
	"ExpressionAttributeValues": {":s": {"S": "AFTER"}}, "ProjectionExpression": "customer, visits"}')::text;
SELECT 'lsi ' || dynpg.execute('Query', '{"TableName": "upg_orders", "IndexName": "by-placed",
	"KeyConditionExpression": "customer = :c", "ExpressionAttributeValues": {":c": {"S": "after"}}, "Select": "COUNT"}')::text;
SELECT 'stream ' || event_name || ' ' || keys::text || ' ' || coalesce(new_image ->> 'visits', '-')
  FROM dynpg.stream_records('upg_orders', NULL, 100000) WHERE keys ->> 'customer' = 'after'
 ORDER BY sequence_number;
SELECT 'partiql ' || dynpg.execute('ExecuteStatement', '{"Statement": "SELECT k, ns FROM upg_types WHERE k = ''after''"}')::text;
SELECT 'new gsi ' || (dynpg.execute('UpdateTable', '{"TableName": "upg_types",
	"AttributeDefinitions": [{"AttributeName": "s", "AttributeType": "S"}],
	"GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "by-s", "KeySchema": [{"AttributeName": "s", "KeyType": "HASH"}],
		"Projection": {"ProjectionType": "KEYS_ONLY"},
		"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]}') -> 'TableDescription' -> 'GlobalSecondaryIndexes' -> 0 ->> 'IndexName');
SELECT 'wait ' || dynpg.wait_for_indexes('upg_types');
SELECT 'new gsi query ' || dynpg.execute('Query', '{"TableName": "upg_types", "IndexName": "by-s",
	"KeyConditionExpression": "s = :s", "ExpressionAttributeValues": {":s": {"S": "text ünïcode ✓"}}}')::text;
SELECT 'new table ' || (dynpg.execute('CreateTable', '{"TableName": "upg_new",
	"AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "N"}],
	"KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}') -> 'TableDescription' ->> 'TableStatus');
SELECT 'new table put ' || coalesce(dynpg.put('upg_new', '{"k": 1, "v": "x"}'::jsonb)::text, 'no old item');
SELECT 'new table get ' || dynpg.get('upg_new', '{"k": 1}'::jsonb)::text;
SELECT 'delete ' || (dynpg.execute('DeleteTable', '{"TableName": "upg_new"}') -> 'TableDescription' ->> 'TableStatus');
SELECT 'verify ' || table_name || ' ' || (dynpg.verify(table_name) ->> 'ok') FROM dynpg.tables ORDER BY table_name;
