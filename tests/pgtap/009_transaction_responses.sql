-- The response and error shapes of TransactWriteItems and TransactGetItems:
-- the functions, the TransactionCanceledException body (CancellationReasons
-- before Message, one reason per action, Item only for ALL_OLD), the
-- SQLSTATEs, and TransactGetItems' Responses.
BEGIN;
SELECT plan(30);

SELECT function_returns('dynpg', 'transact_write_items', ARRAY['jsonb'], 'jsonb');
SELECT function_returns('dynpg', 'transact_get_items', ARRAY['jsonb'], 'jsonb');
SELECT volatility_is('dynpg', 'transact_write_items', ARRAY['jsonb'], 'volatile');
SELECT has_table('dynpg', 'transaction_tokens', 'ClientRequestToken table');
SELECT col_is_pk('dynpg', 'transaction_tokens', ARRAY['role', 'token'], 'tokens are unique per role');
SELECT table_privs_are('dynpg', 'transaction_tokens', 'public', ARRAY[]::text[], 'no privilege on the tokens for PUBLIC');

SELECT dynpg.create_table('{"TableName": "tx9", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}') IS NOT NULL AS created \gset
SELECT dynpg.put_item('{"TableName": "tx9", "Item": {"k": {"S": "x"}, "v": {"N": "1"}}}') AS p1,
       dynpg.put_item('{"TableName": "tx9", "Item": {"k": {"S": "x2"}, "v": {"N": "1"}}}') AS p2 \gset

-- The error of a request: SQLSTATE, message, DETAIL as jsonb
CREATE FUNCTION pg_temp.err(op text, req jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text;
BEGIN
	PERFORM dynpg.execute(op, req);
	RETURN NULL;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN jsonb_build_object('sqlstate', st, 'message', msg, 'detail', det::jsonb, 'detail_text', det);
END $$;

CREATE TEMP TABLE e AS SELECT pg_temp.err('TransactWriteItems', '{"TransactItems": [
  {"Put": {"TableName": "tx9", "Item": {"k": {"S": "y"}}}},
  {"Put": {"TableName": "tx9", "Item": {"k": {"S": "x"}}, "ConditionExpression": "attribute_not_exists(k)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
  {"ConditionCheck": {"TableName": "tx9", "Key": {"k": {"S": "z"}}, "ConditionExpression": "attribute_exists(k)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
  {"Delete": {"TableName": "tx9", "Key": {"k": {"S": "x2"}}, "ConditionExpression": "v = :two", "ExpressionAttributeValues": {":two": {"N": "2"}}}}]}') AS r;

SELECT is((SELECT r->>'sqlstate' FROM e), 'YD020', 'TransactionCanceledException is YD020');
SELECT is((SELECT r->>'message' FROM e),
  'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, ConditionalCheckFailed, ConditionalCheckFailed]',
  'the message lists every code in order');
SELECT is((SELECT r->'detail'->>'__type' FROM e), 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException', '__type');
SELECT is((SELECT r->'detail'->>'Message' FROM e), (SELECT r->>'message' FROM e), 'the body carries the message as Message');
SELECT ok((SELECT NOT (r->'detail' ? 'message') FROM e), 'no lower-case message member');
SELECT ok((SELECT strpos(r->>'detail_text', '"CancellationReasons"') < strpos(r->>'detail_text', '"Message":"Transaction') FROM e),
  'CancellationReasons come before Message, as DynamoDB sends them');
SELECT is((SELECT jsonb_array_length(r->'detail'->'CancellationReasons') FROM e), 4, 'one reason per action');
SELECT is((SELECT r->'detail'->'CancellationReasons'->0 FROM e), '{"Code": "None"}'::jsonb, 'None has no Message');
SELECT is((SELECT r->'detail'->'CancellationReasons'->1 FROM e),
  '{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed", "Item": {"k": {"S": "x"}, "v": {"N": "1"}}}'::jsonb,
  'ALL_OLD: the item that failed the condition');
SELECT is((SELECT r->'detail'->'CancellationReasons'->2 FROM e),
  '{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}'::jsonb,
  'ALL_OLD on a missing item: no Item');
SELECT is((SELECT r->'detail'->'CancellationReasons'->3 FROM e),
  '{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}'::jsonb,
  'without ALL_OLD: no Item');
SELECT is(dynpg.get_item('{"TableName": "tx9", "Key": {"k": {"S": "y"}}}'), '{}'::jsonb, 'nothing was written');

-- ValidationError
SELECT is((pg_temp.err('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "tx9", "Item": {"k": {"N": "1"}}}},
  {"Put": {"TableName": "tx9", "Item": {"k": {"N": "2"}}}}]}')) -> 'detail' -> 'CancellationReasons',
  '[{"Code": "ValidationError", "Message": "One or more parameter values were invalid: Type mismatch for key k expected: S actual: N"}, {"Code": "None"}]'::jsonb,
  'ValidationError at the first invalid action, None after it');

-- request-level errors
SELECT throws_ok($$SELECT dynpg.transact_write_items('{"TransactItems": [{"Put": {"TableName": "tx9", "Item": {"k": {"S": "a"}}}},
  {"Delete": {"TableName": "tx9", "Key": {"k": {"S": "a"}}}}]}')$$, 'YD001',
  'Transaction request cannot include multiple operations on one item');
SELECT throws_ok($$SELECT dynpg.transact_write_items('{"TransactItems": [{"ConditionCheck": {"TableName": "tx9", "Key": {"k": {"S": "a"}}}}]}')$$, 'YD001',
  '1 validation error detected: Value at ''TransactItems.1.member.ConditionCheck.ConditionExpression'' failed to satisfy constraint: Member must not be null');
SELECT throws_ok($$SELECT dynpg.transact_write_items('{"TransactItems": [{"Put": {"TableName": "tx9", "Item": {"k": {"S": "a"}}}}], "ClientRequestToken": "tok"}');
  SELECT dynpg.transact_write_items('{"TransactItems": [{"Put": {"TableName": "tx9", "Item": {"k": {"S": "b"}}}}], "ClientRequestToken": "tok"}')$$, 'YD023',
  'The request uses the same client token as a previous, but different, request.');
SELECT is((pg_temp.err('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "tx9", "Item": {"k": {"S": "a"}}}}], "ClientRequestToken": "tok2"}')), NULL, 'a token''s first use');
SELECT is((pg_temp.err('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "tx9", "Item": {"k": {"S": "a"}}}}], "ClientRequestToken": "tok2"}')), NULL, 'its replay');
SELECT is((pg_temp.err('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "tx9", "Item": {"k": {"S": "b"}}}}], "ClientRequestToken": "tok2"}')) -> 'detail',
  '{"__type": "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException", "message": "The request uses the same client token as a previous, but different, request."}'::jsonb,
  'IdempotentParameterMismatchException body');

-- responses
SELECT is(dynpg.transact_write_items('{"TransactItems": [{"Put": {"TableName": "tx9", "Item": {"k": {"S": "w"}}}}]}'), '{}'::jsonb, 'success: {}');
SELECT is(dynpg.transact_write_items('{"ReturnConsumedCapacity": "TOTAL", "TransactItems": [{"Put": {"TableName": "tx9", "Item": {"k": {"S": "w"}}}}]}'),
  '{"ConsumedCapacity": [{"TableName": "tx9", "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}]}'::jsonb, 'ConsumedCapacity: a list, per table');
SELECT is(dynpg.transact_get_items('{"TransactItems": [{"Get": {"TableName": "tx9", "Key": {"k": {"S": "x"}}}},
  {"Get": {"TableName": "tx9", "Key": {"k": {"S": "none"}}}}, {"Get": {"TableName": "tx9", "Key": {"k": {"S": "w"}}, "ProjectionExpression": "k"}}]}'),
  '{"Responses": [{"Item": {"k": {"S": "x"}, "v": {"N": "1"}}}, {}, {"Item": {"k": {"S": "w"}}}]}'::jsonb,
  'TransactGetItems: Responses in request order, {} for a missing item');
SELECT is(dynpg.execute('TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "tx9", "Key": {"k": {"S": "none"}}}}]}'),
  '{"Responses": [{}]}'::jsonb, 'dynpg.execute dispatches TransactGetItems');
SELECT is((pg_temp.err('TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "tx9", "Key": {"k": {"N": "1"}}}}]}')) -> 'detail' -> 'CancellationReasons',
  '[{"Code": "ValidationError", "Message": "The provided key element does not match the schema"}]'::jsonb,
  'TransactGetItems: a bad key is a ValidationError');

SELECT * FROM finish();
ROLLBACK;
