-- tests/upgrade/fixture.sql: the objects and data tests/t/055_extension_upgrade.pl
-- creates in a database at an older extension version before updating it.
-- Only what dynpg 0.1 already had (dynpg.execute and the per-operation
-- functions of sql/dynpg--0.1.sql), so it runs at every version.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- a table with an LSI, two GSIs (one with a two-attribute key), a stream,
-- time to live and tags
SELECT dynpg.execute('CreateTable', '{"TableName": "upg_orders",
	"AttributeDefinitions": [{"AttributeName": "customer", "AttributeType": "S"},
		{"AttributeName": "order_id", "AttributeType": "N"}, {"AttributeName": "placed", "AttributeType": "S"},
		{"AttributeName": "status", "AttributeType": "S"}, {"AttributeName": "sku", "AttributeType": "B"}],
	"KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}, {"AttributeName": "order_id", "KeyType": "RANGE"}],
	"LocalSecondaryIndexes": [{"IndexName": "by-placed", "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"},
		{"AttributeName": "placed", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}}],
	"GlobalSecondaryIndexes": [
		{"IndexName": "by-status", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}, {"AttributeName": "placed", "KeyType": "RANGE"}],
		 "Projection": {"ProjectionType": "ALL"}},
		{"IndexName": "by-sku", "KeySchema": [{"AttributeName": "sku", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}],
	"StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"},
	"Tags": [{"Key": "team", "Value": "orders"}],
	"BillingMode": "PAY_PER_REQUEST"}');
SELECT dynpg.execute('UpdateTimeToLive', '{"TableName": "upg_orders",
	"TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires"}}');
SELECT dynpg.execute('TagResource', '{"ResourceArn": "arn:aws:dynamodb:ddblocal:000000000000:table/upg_orders",
	"Tags": [{"Key": "env", "Value": "upgrade-test"}]}');

-- a hash-key table holding items of every type: S, N, B, BOOL, NULL, M, L, SS, NS, BS
SELECT dynpg.execute('CreateTable', '{"TableName": "upg_types",
	"AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
	"KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
	"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}');
-- a table with a binary hash key and a numeric sort key, with deletion protection
SELECT dynpg.execute('CreateTable', '{"TableName": "upg_blobs",
	"AttributeDefinitions": [{"AttributeName": "b", "AttributeType": "B"}, {"AttributeName": "n", "AttributeType": "N"}],
	"KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
	"DeletionProtectionEnabled": true, "TableClass": "STANDARD_INFREQUENT_ACCESS",
	"BillingMode": "PAY_PER_REQUEST"}');

SELECT dynpg.put_item(jsonb_build_object('TableName', 'upg_orders', 'Item', jsonb_build_object(
	'customer', jsonb_build_object('S', 'c' || (i % 13)),
	'order_id', jsonb_build_object('N', (i * 7)::text),
	'placed', jsonb_build_object('S', '2026-11-' || lpad((1 + i % 28)::text, 2, '0') || 'T' || lpad((i % 24)::text, 2, '0')),
	'status', jsonb_build_object('S', (ARRAY['NEW', 'PAID', 'SHIPPED'])[1 + i % 3]),
	'total', jsonb_build_object('N', (i * 1.25)::text),
	'expires', jsonb_build_object('N', (4102444800 + i)::text),
	'note', jsonb_build_object('S', repeat('n', i % 50)))
	|| CASE WHEN i % 4 = 0 THEN jsonb_build_object('sku', jsonb_build_object('B', encode(int4send(i % 9), 'base64'))) ELSE '{}' END))
  FROM generate_series(1, 400) AS i;
SELECT dynpg.execute('UpdateItem', '{"TableName": "upg_orders", "Key": {"customer": {"S": "c1"}, "order_id": {"N": "7"}},
	"UpdateExpression": "SET #s = :s ADD visits :one", "ExpressionAttributeNames": {"#s": "status"},
	"ExpressionAttributeValues": {":s": {"S": "RETURNED"}, ":one": {"N": "1"}}}');
SELECT dynpg.execute('DeleteItem', '{"TableName": "upg_orders", "Key": {"customer": {"S": "c2"}, "order_id": {"N": "14"}}}');

SELECT dynpg.put_item('{"TableName": "upg_types", "Item": {"k": {"S": "every-type"},
	"s": {"S": "text ünïcode ✓"}, "n": {"N": "-12345678901234567890.123456789e-3"}, "b": {"B": "AAEC/w=="},
	"t": {"BOOL": true}, "f": {"BOOL": false}, "z": {"NULL": true},
	"m": {"M": {"inner": {"L": [{"S": "x"}, {"N": "1"}, {"M": {}}]}, "empty": {"L": []}}},
	"l": {"L": [{"SS": ["a", "b"]}, {"NS": ["1", "2.5"]}, {"BS": ["AQ==", "Ag=="]}, {"NULL": true}]},
	"ss": {"SS": ["z", "y", "x"]}, "ns": {"NS": ["10", "-1", "0.001"]}, "bs": {"BS": ["/w==", "AA=="]}}}');
SELECT dynpg.put_item(jsonb_build_object('TableName', 'upg_types', 'Item', jsonb_build_object(
	'k', jsonb_build_object('S', 'random-' || i)) || dynpg._random_item_jsonb(i) - 'k'))
  FROM generate_series(1, 60) AS i;
SELECT dynpg.put_item(jsonb_build_object('TableName', 'upg_blobs', 'Item', jsonb_build_object(
	'b', jsonb_build_object('B', encode(int4send(i % 5), 'base64')), 'n', jsonb_build_object('N', (i - 50)::text),
	'big', jsonb_build_object('S', repeat(md5(i::text), 3)))))
  FROM generate_series(1, 120) AS i;

SELECT dynpg.wait_for_indexes(table_name) FROM dynpg.tables;
