-- The response shapes of UpdateItem and of the expression parameters of
-- PutItem, GetItem and DeleteItem: which members appear for each
-- ReturnValues mode, and what a failed condition carries.
BEGIN;
SELECT plan(13);

SELECT dynpg.create_table('{"TableName": "shapes", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}');
SELECT dynpg.put_item('{"TableName": "shapes", "Item": {"k": {"S": "a"}, "n": {"N": "1"}, "m": {"M": {"x": {"S": "y"}}}}}');

SELECT function_returns('dynpg', 'update_item', ARRAY['jsonb'], 'jsonb', 'dynpg.update_item(jsonb) returns jsonb');

-- UpdateItem: no members for NONE, Attributes for the other modes
SELECT is(dynpg.update_item('{"TableName": "shapes", "Key": {"k": {"S": "a"}},
  "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}'),
  '{}'::jsonb, 'UpdateItem with ReturnValues NONE returns {}');
SELECT is(dynpg.update_item('{"TableName": "shapes", "Key": {"k": {"S": "a"}}, "ReturnValues": "UPDATED_NEW",
  "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}'),
  '{"Attributes": {"n": {"N": "3"}}}'::jsonb, 'UPDATED_NEW returns only the changed attribute, new value');
SELECT is(dynpg.update_item('{"TableName": "shapes", "Key": {"k": {"S": "a"}}, "ReturnValues": "UPDATED_OLD",
  "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}'),
  '{"Attributes": {"n": {"N": "3"}}}'::jsonb, 'UPDATED_OLD returns only the changed attribute, old value');
SELECT is(dynpg.update_item('{"TableName": "shapes", "Key": {"k": {"S": "a"}}, "ReturnValues": "ALL_NEW",
  "UpdateExpression": "SET m.x = :v", "ExpressionAttributeValues": {":v": {"S": "z"}}}') -> 'Attributes',
  '{"k": {"S": "a"}, "n": {"N": "4"}, "m": {"M": {"x": {"S": "z"}}}}'::jsonb, 'ALL_NEW returns the whole new item');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(dynpg.update_item('{"TableName": "shapes",
  "Key": {"k": {"S": "a"}}, "ReturnValues": "ALL_OLD", "UpdateExpression": "REMOVE m"}') -> 'Attributes') AS k),
  ARRAY['k', 'm', 'n'], 'ALL_OLD returns the whole old item');
SELECT is(dynpg.update_item('{"TableName": "shapes", "Key": {"k": {"S": "new"}}, "ReturnValues": "ALL_OLD",
  "UpdateExpression": "SET n = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}'),
  '{}'::jsonb, 'ALL_OLD on an item that did not exist returns {}');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(dynpg.update_item('{"TableName": "shapes",
  "Key": {"k": {"S": "a"}}, "UpdateExpression": "SET n = :v", "ExpressionAttributeValues": {":v": {"N": "9"}},
  "ReturnConsumedCapacity": "TOTAL"}')) AS k), ARRAY['ConsumedCapacity'], 'ReturnConsumedCapacity adds ConsumedCapacity');

-- GetItem with a projection returns only the projected paths
SELECT is(dynpg.get_item('{"TableName": "shapes", "Key": {"k": {"S": "a"}}, "ProjectionExpression": "n"}'),
  '{"Item": {"n": {"N": "9"}}}'::jsonb, 'GetItem with ProjectionExpression returns the projected attribute only');

-- a failed condition: ConditionalCheckFailedException, with the item when asked
SELECT throws_ok($$SELECT dynpg.put_item('{"TableName": "shapes", "Item": {"k": {"S": "a"}},
  "ConditionExpression": "attribute_not_exists(k)"}')$$, 'YD010', 'The conditional request failed',
  'a failed condition raises ConditionalCheckFailedException');
CREATE FUNCTION pg_temp.detail(q text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
	EXECUTE q;
	RETURN NULL;
EXCEPTION WHEN SQLSTATE 'YD010' THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RETURN d::jsonb;
END $$;
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(pg_temp.detail($$SELECT dynpg.delete_item(
  '{"TableName": "shapes", "Key": {"k": {"S": "a"}}, "ConditionExpression": "n = :v",
    "ExpressionAttributeValues": {":v": {"N": "0"}}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}')$$)) AS k),
  ARRAY['Item', '__type', 'message'], 'with ALL_OLD the error response carries the Item');
SELECT is(pg_temp.detail($$SELECT dynpg.delete_item('{"TableName": "shapes", "Key": {"k": {"S": "a"}},
    "ConditionExpression": "n = :v", "ExpressionAttributeValues": {":v": {"N": "0"}},
    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}')$$) -> 'Item' -> 'n',
  '{"N": "9"}'::jsonb, 'the Item is the current item');
SELECT is(pg_temp.detail($$SELECT dynpg.delete_item('{"TableName": "shapes", "Key": {"k": {"S": "a"}},
    "ConditionExpression": "n = :v", "ExpressionAttributeValues": {":v": {"N": "0"}}}')$$) ? 'Item',
  false, 'without it, no Item');

SELECT * FROM finish();
ROLLBACK;
