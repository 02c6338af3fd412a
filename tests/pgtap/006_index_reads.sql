-- The response shapes of Query and Scan on indexes: Items hold the
-- projected attributes, LastEvaluatedKey holds the index's key and the
-- table's, Select COUNT has no Items, the SQL layer reads an index, and
-- DescribeTable counts each index's entries.
BEGIN;
SELECT plan(14);

SELECT dynpg.create_table('{"TableName": "ishapes", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "N"},
    {"AttributeName": "u", "AttributeType": "S"}, {"AttributeName": "v", "AttributeType": "N"}],
  "LocalSecondaryIndexes": [{"IndexName": "by_v", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
    {"AttributeName": "v", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_u", "KeySchema": [{"AttributeName": "u", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["w"]}}]}');
INSERT INTO dynamodb.ishapes SELECT dynpg.from_plain_json(jsonb_build_object('p', 'a', 's', i, 'u', 'x',
  'v', 10 - i, 'w', i * 2, 'z', 'not projected')) FROM generate_series(1, 4) i;
SELECT dynpg._apply_index_changes() >= 0;

SELECT is(dynpg.query('{"TableName": "ishapes", "IndexName": "by_u", "KeyConditionExpression": "u = :u",
  "ExpressionAttributeValues": {":u": {"S": "x"}}, "Limit": 1}') -> 'Items',
  '[{"p": {"S": "a"}, "s": {"N": "1"}, "u": {"S": "x"}, "w": {"N": "2"}}]'::jsonb,
  'a GSI Query returns the projected attributes (ALL_PROJECTED_ATTRIBUTES by default)');
SELECT is(dynpg.query('{"TableName": "ishapes", "IndexName": "by_u", "KeyConditionExpression": "u = :u",
  "ExpressionAttributeValues": {":u": {"S": "x"}}, "Limit": 1}') -> 'LastEvaluatedKey',
  '{"p": {"S": "a"}, "s": {"N": "1"}, "u": {"S": "x"}}'::jsonb,
  'a GSI LastEvaluatedKey holds the index key and the table key');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(dynpg.query('{"TableName": "ishapes",
  "IndexName": "by_v", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "Limit": 2}')) AS k), ARRAY['Count', 'Items', 'LastEvaluatedKey', 'ScannedCount'],
  'a page of an LSI Query stopped by Limit has Items, Count, ScannedCount and LastEvaluatedKey');
SELECT is(dynpg.query('{"TableName": "ishapes", "IndexName": "by_v", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}}, "Limit": 2}'),
  '{"Count": 2, "ScannedCount": 2, "Items": [{"p": {"S": "a"}, "s": {"N": "4"}, "v": {"N": "6"}},
    {"p": {"S": "a"}, "s": {"N": "3"}, "v": {"N": "7"}}],
    "LastEvaluatedKey": {"p": {"S": "a"}, "s": {"N": "3"}, "v": {"N": "7"}}}'::jsonb,
  'an LSI Query is in index sort-key order; LastEvaluatedKey has the LSI sort key and the table key');
SELECT is(dynpg.query('{"TableName": "ishapes", "IndexName": "by_v", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}}, "Limit": 2,
  "ExclusiveStartKey": {"p": {"S": "a"}, "s": {"N": "3"}, "v": {"N": "7"}}}') -> 'Items',
  '[{"p": {"S": "a"}, "s": {"N": "2"}, "v": {"N": "8"}}, {"p": {"S": "a"}, "s": {"N": "1"}, "v": {"N": "9"}}]'::jsonb,
  'the LastEvaluatedKey continues the read');
SELECT is(dynpg.query('{"TableName": "ishapes", "IndexName": "by_v", "KeyConditionExpression": "p = :p AND v = :v",
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":v": {"N": "9"}}, "Select": "ALL_ATTRIBUTES"}') -> 'Items',
  '[{"p": {"S": "a"}, "s": {"N": "1"}, "u": {"S": "x"}, "v": {"N": "9"}, "w": {"N": "2"}, "z": {"S": "not projected"}}]'::jsonb,
  'Select ALL_ATTRIBUTES on an LSI returns the whole item');
SELECT is(dynpg.query('{"TableName": "ishapes", "IndexName": "by_u", "KeyConditionExpression": "u = :u",
  "ExpressionAttributeValues": {":u": {"S": "x"}}, "Select": "COUNT"}'),
  '{"Count": 4, "ScannedCount": 4}'::jsonb, 'Select COUNT on an index: no Items');
SELECT is(dynpg.scan('{"TableName": "ishapes", "IndexName": "by_u", "Limit": 4, "Select": "COUNT"}') -> 'LastEvaluatedKey' ?& ARRAY['p', 's', 'u'],
  true, 'a Scan of a GSI stopped by Limit: LastEvaluatedKey with both keys');
SELECT throws_ok($$SELECT dynpg.query('{"TableName": "ishapes", "IndexName": "by_u", "ConsistentRead": true,
  "KeyConditionExpression": "u = :u", "ExpressionAttributeValues": {":u": {"S": "x"}}}')$$,
  'YD001', 'Consistent reads are not supported on global secondary indexes', 'ConsistentRead on a GSI');
SELECT throws_ok($$SELECT dynpg.query('{"TableName": "ishapes", "IndexName": "by_u", "ProjectionExpression": "z",
  "KeyConditionExpression": "u = :u", "ExpressionAttributeValues": {":u": {"S": "x"}}}')$$,
  'YD001', 'One or more parameter values were invalid: Global secondary index by_u does not project [z]',
  'a GSI read of an attribute it does not project');
SELECT throws_ok($$SELECT dynpg.scan('{"TableName": "ishapes", "IndexName": "by_u", "Select": "ALL_ATTRIBUTES"}')$$,
  'YD001', 'One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index by_u because its projection type is not ALL',
  'Select ALL_ATTRIBUTES on a GSI that does not project ALL');
-- the SQL layer
SELECT is((SELECT array_agg((item::jsonb -> 'v' ->> 'N')::int) FROM dynpg.query_items('ishapes', 'p = :p',
  '{":p": "a"}', index_name => 'by_v', forward => false)), ARRAY[9, 8, 7, 6], 'query_items on an LSI, backward');
SELECT is((SELECT count(*) FROM dynpg.scan_items('ishapes', index_name => 'by_u')), 4::bigint, 'scan_items on a GSI');
SELECT is((SELECT jsonb_agg(i -> 'ItemCount') FROM jsonb_array_elements(
  (dynpg.describe_table('{"TableName": "ishapes"}') -> 'Table' -> 'LocalSecondaryIndexes') ||
  (dynpg.describe_table('{"TableName": "ishapes"}') -> 'Table' -> 'GlobalSecondaryIndexes')) i),
  '[4, 4]'::jsonb, 'DescribeTable counts each index''s entries');

SELECT * FROM finish();
ROLLBACK;
