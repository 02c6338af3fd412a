-- The response shapes of Query and Scan: which members appear (Items, Count,
-- ScannedCount, LastEvaluatedKey, ConsumedCapacity) for each Select and
-- paging situation, and the SQL layer's row functions.
BEGIN;
SELECT plan(16);

SELECT dynpg.create_table('{"TableName": "qshapes", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "N"}]}');
INSERT INTO dynamodb.qshapes SELECT dynpg.from_plain_json(jsonb_build_object('p', 'a', 's', i, 'even', i % 2 = 0))
  FROM generate_series(1, 5) i;

SELECT function_returns('dynpg', 'query', ARRAY['jsonb'], 'jsonb', 'dynpg.query(jsonb) returns jsonb');
SELECT function_returns('dynpg', 'scan', ARRAY['jsonb'], 'jsonb', 'dynpg.scan(jsonb) returns jsonb');
SELECT is((SELECT count(*) FROM pg_proc WHERE pronamespace = 'dynpg'::regnamespace AND proname = 'query_items'
  AND proretset AND prorettype = 'dynpg.item'::regtype), 3::bigint, 'the three dynpg.query_items overloads return setof dynpg.item');
SELECT is((SELECT count(*) FROM pg_proc WHERE pronamespace = 'dynpg'::regnamespace AND proname = 'scan_items'
  AND proretset AND prorettype = 'dynpg.item'::regtype), 3::bigint, 'the three dynpg.scan_items overloads return setof dynpg.item');

-- a complete Query: Items, Count, ScannedCount, no LastEvaluatedKey
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(dynpg.query('{"TableName": "qshapes",
  "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}')) AS k),
  ARRAY['Count', 'Items', 'ScannedCount'], 'a complete Query returns Items, Count and ScannedCount');
SELECT is(dynpg.query('{"TableName": "qshapes", "KeyConditionExpression": "p = :p AND s <= :two",
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":two": {"N": "2"}}}'),
  '{"Count": 2, "ScannedCount": 2, "Items": [{"p": {"S": "a"}, "s": {"N": "1"}, "even": {"BOOL": false}},
    {"p": {"S": "a"}, "s": {"N": "2"}, "even": {"BOOL": true}}]}'::jsonb,
  'Query returns the items in sort-key order, whole');
-- Limit stops the page: LastEvaluatedKey holds the key of the last item evaluated
SELECT is(dynpg.query('{"TableName": "qshapes", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":t": {"BOOL": true}}, "Limit": 3,
  "FilterExpression": "even = :t", "ProjectionExpression": "s"}'),
  '{"Count": 1, "ScannedCount": 3, "Items": [{"s": {"N": "2"}}],
    "LastEvaluatedKey": {"p": {"S": "a"}, "s": {"N": "3"}}}'::jsonb,
  'Limit counts items before the filter; LastEvaluatedKey is the last item evaluated');
SELECT is(dynpg.query('{"TableName": "qshapes", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}}, "Limit": 2, "ScanIndexForward": false,
  "ExclusiveStartKey": {"p": {"S": "a"}, "s": {"N": "4"}}, "ProjectionExpression": "s"}'),
  '{"Count": 2, "ScannedCount": 2, "Items": [{"s": {"N": "3"}}, {"s": {"N": "2"}}],
    "LastEvaluatedKey": {"p": {"S": "a"}, "s": {"N": "2"}}}'::jsonb,
  'a backward page starts just before ExclusiveStartKey');
-- Select COUNT: no Items member
SELECT is(dynpg.query('{"TableName": "qshapes", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}}, "Select": "COUNT"}'),
  '{"Count": 5, "ScannedCount": 5}'::jsonb, 'Select COUNT returns Count and ScannedCount without Items');
-- ConsumedCapacity: eventually consistent reads cost half
SELECT is(dynpg.query('{"TableName": "qshapes", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}}, "Select": "COUNT", "ReturnConsumedCapacity": "TOTAL"}') -> 'ConsumedCapacity',
  '{"TableName": "qshapes", "CapacityUnits": 0.5}'::jsonb, 'an eventually consistent Query of under 4 KB costs 0.5');
SELECT is(dynpg.query('{"TableName": "qshapes", "KeyConditionExpression": "p = :p", "ConsistentRead": true,
  "ExpressionAttributeValues": {":p": {"S": "b"}}, "ReturnConsumedCapacity": "INDEXES"}'),
  '{"Count": 0, "ScannedCount": 0, "Items": [],
    "ConsumedCapacity": {"TableName": "qshapes", "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}}'::jsonb,
  'an empty partition gives empty Items; a consistent read costs 1, INDEXES adds Table');
-- Scan
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(dynpg.scan('{"TableName": "qshapes"}')) AS k),
  ARRAY['Count', 'Items', 'ScannedCount'], 'a complete Scan returns Items, Count and ScannedCount');
SELECT is(dynpg.scan('{"TableName": "qshapes", "Limit": 5, "Select": "COUNT"}'),
  '{"Count": 5, "ScannedCount": 5, "LastEvaluatedKey": {"p": {"S": "a"}, "s": {"N": "5"}}}'::jsonb,
  'a Scan page stopped by Limit carries LastEvaluatedKey even at the end of the table');
SELECT is(dynpg.scan('{"TableName": "qshapes", "Select": "COUNT", "Segment": 0, "TotalSegments": 1}'),
  '{"Count": 5, "ScannedCount": 5}'::jsonb, 'one segment of one is the whole table');
-- the SQL layer
SELECT is((SELECT array_agg((item::jsonb -> 's' ->> 'N')::int) FROM dynpg.query_items('qshapes', 'p = :p',
  '{":p": "a"}', forward => false)), ARRAY[5, 4, 3, 2, 1], 'query_items with an untyped literal, backward');
SELECT is((SELECT count(*) FROM dynpg.scan_items('qshapes', 'even = :t', '{":t": {"BOOL": true}}'::dynpg.item)),
  2::bigint, 'scan_items with typed values filters');

SELECT * FROM finish();
ROLLBACK;
