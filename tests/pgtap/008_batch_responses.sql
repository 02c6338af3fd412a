-- The response shapes of BatchGetItem and BatchWriteItem: Responses (a list
-- for every table named), UnprocessedKeys and UnprocessedItems (always
-- present, {} when everything was done; UnprocessedKeys in the request's own
-- shape when the 16 MB cap stops a read), ConsumedCapacity as a list of
-- per-table entries, and the SQL functions' signatures.
BEGIN;
SELECT plan(18);

SELECT dynpg.create_table('{"TableName": "bshapes", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "N"}]}');
SELECT dynpg.create_table('{"TableName": "bshapes2", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}]}');

SELECT function_returns('dynpg', 'batch_get_item', ARRAY['jsonb'], 'jsonb', 'dynpg.batch_get_item(jsonb) returns jsonb');
SELECT function_returns('dynpg', 'batch_write_item', ARRAY['jsonb'], 'jsonb', 'dynpg.batch_write_item(jsonb) returns jsonb');
SELECT volatility_is('dynpg', 'batch_write_item', ARRAY['jsonb'], 'volatile', 'dynpg.batch_write_item is volatile');
SELECT function_returns('dynpg', 'batch_put', ARRAY['text', 'jsonb[]'], 'void', 'dynpg.batch_put(text, jsonb[]) returns void');

-- BatchWriteItem
SELECT is(dynpg.batch_write_item('{"RequestItems": {
  "bshapes": [{"PutRequest": {"Item": {"p": {"S": "a"}, "s": {"N": "1"}, "v": {"S": "x"}}}},
              {"PutRequest": {"Item": {"p": {"S": "a"}, "s": {"N": "2"}}}}],
  "bshapes2": [{"PutRequest": {"Item": {"id": {"N": "7"}}}}]}}'),
  '{"UnprocessedItems": {}}'::jsonb, 'BatchWriteItem returns UnprocessedItems {} when all applied');
SELECT is(dynpg.execute('BatchWriteItem', '{"RequestItems": {"bshapes2": [{"DeleteRequest": {"Key": {"id": {"N": "8"}}}}]}}'),
  '{"UnprocessedItems": {}}'::jsonb, 'dynpg.execute dispatches BatchWriteItem; deleting a missing item is fine');
SELECT is(dynpg.batch_write_item('{"ReturnConsumedCapacity": "TOTAL", "ReturnItemCollectionMetrics": "SIZE", "RequestItems": {
  "bshapes": [{"DeleteRequest": {"Key": {"p": {"S": "a"}, "s": {"N": "2"}}}}],
  "bshapes2": [{"PutRequest": {"Item": {"id": {"N": "9"}}}}]}}'),
  '{"UnprocessedItems": {}, "ConsumedCapacity": [{"TableName": "bshapes", "CapacityUnits": 1.0},
    {"TableName": "bshapes2", "CapacityUnits": 1.0}]}'::jsonb,
  'ConsumedCapacity TOTAL is a list with one entry per table; no ItemCollectionMetrics');
SELECT is(dynpg.batch_write_item('{"ReturnConsumedCapacity": "INDEXES", "RequestItems": {
  "bshapes2": [{"DeleteRequest": {"Key": {"id": {"N": "9"}}}}]}}') -> 'ConsumedCapacity',
  '[{"TableName": "bshapes2", "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}]'::jsonb,
  'ConsumedCapacity INDEXES adds the table''s share');

-- BatchGetItem
SELECT is(dynpg.batch_get_item('{"RequestItems": {
  "bshapes": {"Keys": [{"p": {"S": "a"}, "s": {"N": "1"}}, {"p": {"S": "a"}, "s": {"N": "3"}}]},
  "bshapes2": {"Keys": [{"id": {"N": "100"}}]}}}'),
  '{"Responses": {"bshapes": [{"p": {"S": "a"}, "s": {"N": "1"}, "v": {"S": "x"}}], "bshapes2": []},
    "UnprocessedKeys": {}}'::jsonb,
  'BatchGetItem: missing keys are absent, every table has a list, UnprocessedKeys {}');
SELECT is(dynpg.execute('BatchGetItem', '{"RequestItems": {"bshapes": {"Keys": [{"p": {"S": "a"}, "s": {"N": "1"}}],
  "ProjectionExpression": "#v", "ExpressionAttributeNames": {"#v": "v"}}}}'),
  '{"Responses": {"bshapes": [{"v": {"S": "x"}}]}, "UnprocessedKeys": {}}'::jsonb,
  'dynpg.execute dispatches BatchGetItem; the table''s projection applies');
SELECT is(dynpg.batch_get_item('{"ReturnConsumedCapacity": "TOTAL", "RequestItems": {
  "bshapes": {"Keys": [{"p": {"S": "a"}, "s": {"N": "1"}}], "ConsistentRead": true},
  "bshapes2": {"Keys": [{"id": {"N": "7"}}]}}}') -> 'ConsumedCapacity',
  '[{"TableName": "bshapes", "CapacityUnits": 1.0}, {"TableName": "bshapes2", "CapacityUnits": 0.5}]'::jsonb,
  'BatchGetItem ConsumedCapacity: a list of per-table entries, eventually consistent reads at half');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(dynpg.batch_get_item(
  '{"RequestItems": {"bshapes2": {"Keys": [{"id": {"N": "7"}}]}}}')) AS k),
  ARRAY['Responses', 'UnprocessedKeys'], 'without ReturnConsumedCapacity: Responses and UnprocessedKeys only');

-- the 16 MB cap: 47 items of 360 KB
SELECT dynpg.batch_write_item(jsonb_build_object('RequestItems', jsonb_build_object('bshapes2',
  (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object(
     'id', jsonb_build_object('N', (i * 100)::text), 'blob', jsonb_build_object('S', repeat('b', 360000))))))
     FROM generate_series(lo, least(lo + 24, 47)) i))))
  FROM (VALUES (1), (26)) v(lo);
CREATE TEMP TABLE capped AS SELECT dynpg.batch_get_item(jsonb_build_object('RequestItems', jsonb_build_object(
  'bshapes2', jsonb_build_object('Keys', (SELECT jsonb_agg(jsonb_build_object('id', jsonb_build_object('N', (i * 100)::text)) ORDER BY i)
                                            FROM generate_series(1, 47) i),
                                 'AttributesToGet', '["id"]'::jsonb, 'ConsistentRead', false),
  'bshapes', jsonb_build_object('Keys', '[{"p": {"S": "a"}, "s": {"N": "1"}}]'::jsonb,
                                'ProjectionExpression', '#v', 'ExpressionAttributeNames', '{"#v": "v"}'::jsonb)))) AS r;
SELECT is((SELECT r -> 'Responses' -> 'bshapes' FROM capped), '[{"v": {"S": "x"}}]'::jsonb,
  'a table read before the cap is complete');
SELECT is((SELECT jsonb_array_length(r -> 'Responses' -> 'bshapes2') FROM capped), 46,
  'the read stops before the item that would pass 16 MB');
SELECT is((SELECT r -> 'UnprocessedKeys' FROM capped),
  '{"bshapes2": {"Keys": [{"id": {"N": "4700"}}], "AttributesToGet": ["id"], "ConsistentRead": false}}'::jsonb,
  'UnprocessedKeys holds the keys left with the table''s own AttributesToGet and ConsistentRead');
SELECT is(dynpg.batch_get_item(jsonb_build_object('RequestItems', (SELECT r -> 'UnprocessedKeys' FROM capped))),
  '{"Responses": {"bshapes2": [{"id": {"N": "4700"}}]}, "UnprocessedKeys": {}}'::jsonb,
  'UnprocessedKeys is a valid RequestItems: the retry reads the rest');

-- errors keep DynamoDB's exception types
SELECT throws_ok($$SELECT dynpg.batch_write_item('{"RequestItems": {"bshapes2": [{"PutRequest": {"Item": {"id": {"N": "1e3"}}}},
  {"DeleteRequest": {"Key": {"id": {"N": "1000"}}}}]}}')$$, 'YD001',
  'Provided list of item keys contains duplicates', 'duplicate keys after number normalization are a ValidationException');
SELECT throws_ok($$SELECT dynpg.batch_get_item('{"RequestItems": {"nosuch": {"Keys": [{"id": {"N": "1"}}]}}}')$$, 'YD011',
  'Requested resource not found', 'a missing table is a ResourceNotFoundException');

SELECT * FROM finish();
ROLLBACK;
