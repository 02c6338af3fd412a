-- The response contracts of PartiQL's operations: the SQL functions,
-- ExecuteStatement's Items / NextToken / LastEvaluatedKey /
-- ConsumedCapacity, a write's Items, BatchExecuteStatement's Responses
-- (TableName, Item, Error {Code, Message}), ExecuteTransaction's Responses
-- and its TransactionCanceledException body, and the SQLSTATEs of
-- PartiQL's exceptions.
BEGIN;
SELECT plan(33);

SELECT function_returns('dynpg', 'execute_statement', ARRAY['jsonb'], 'jsonb');
SELECT function_returns('dynpg', 'batch_execute_statement', ARRAY['jsonb'], 'jsonb');
SELECT function_returns('dynpg', 'execute_transaction', ARRAY['jsonb'], 'jsonb');
SELECT volatility_is('dynpg', 'execute_statement', ARRAY['jsonb'], 'volatile');

SELECT dynpg.create_table('{"TableName": "pq11", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "N"}]}') IS NOT NULL AS created \gset

CREATE FUNCTION pg_temp.es(stmt text, extra jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql AS $$
	SELECT dynpg.execute_statement(jsonb_build_object('Statement', stmt) || extra) $$;
-- The error of a request: SQLSTATE, message, DETAIL as jsonb
CREATE FUNCTION pg_temp.err(op text, req jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text;
BEGIN
	PERFORM dynpg.execute(op, req);
	RETURN NULL;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN jsonb_build_object('sqlstate', st, 'message', msg, 'detail', det::jsonb);
END $$;

SELECT is(pg_temp.es($$INSERT INTO pq11 VALUE {'p': 'a', 's': 1, 'v': 'one'}$$), '{"Items": []}',
	'a write answers Items: []');
SELECT pg_temp.es(format($$INSERT INTO pq11 VALUE {'p': 'a', 's': %s}$$, i)) FROM generate_series(2, 5) i;

-- ExecuteStatement's reads
SELECT is(pg_temp.es($$SELECT v FROM pq11 WHERE p = 'a' AND s = 1$$), '{"Items": [{"v": {"S": "one"}}]}',
	'a point read: Items with the projected item');
SELECT is(pg_temp.es($$SELECT v FROM pq11 WHERE p = 'a' AND s = 9$$), '{"Items": []}',
	'a point read of nothing: Items: []');
CREATE TEMP TABLE page AS SELECT pg_temp.es($$SELECT s FROM pq11 WHERE p = 'a'$$, '{"Limit": 2}') AS r;
SELECT is(jsonb_array_length((SELECT r -> 'Items' FROM page)), 2, 'Limit bounds the page');
SELECT is(jsonb_typeof((SELECT r -> 'NextToken' FROM page)), 'string', 'NextToken is a string');
SELECT is((SELECT r -> 'LastEvaluatedKey' FROM page), '{"p": {"S": "a"}, "s": {"N": "2"}}',
	'LastEvaluatedKey: the last item''s key');
SELECT is((SELECT array_agg(key ORDER BY key) FROM page, jsonb_object_keys(r) key),
	ARRAY['Items', 'LastEvaluatedKey', 'NextToken'], 'a page has Items, NextToken, LastEvaluatedKey');
SELECT ok(NOT pg_temp.es($$SELECT s FROM pq11 WHERE p = 'a'$$) ? 'NextToken', 'the last page has no NextToken');
SELECT is(pg_temp.es($$SELECT s FROM pq11 WHERE p = 'a'$$, jsonb_build_object('Limit', 2, 'NextToken', (SELECT r -> 'NextToken' FROM page))) -> 'Items',
	'[{"s": {"N": "3"}}, {"s": {"N": "4"}}]', 'NextToken resumes after the page');
SELECT is(pg_temp.es($$SELECT s FROM pq11 WHERE p = 'a' AND s = 1$$, '{"ReturnConsumedCapacity": "TOTAL"}') -> 'ConsumedCapacity',
	'{"TableName": "pq11", "CapacityUnits": 0.5}', 'ConsumedCapacity: TableName and CapacityUnits');
SELECT is(pg_temp.es($$UPDATE pq11 SET v = 'uno' WHERE p = 'a' AND s = 1 RETURNING ALL OLD *$$),
	'{"Items": [{"p": {"S": "a"}, "s": {"N": "1"}, "v": {"S": "one"}}]}', 'RETURNING: the item in Items');

-- exceptions
CREATE TEMP TABLE errs AS SELECT
	pg_temp.err('ExecuteStatement', '{"Statement": "INSERT INTO pq11 VALUE {''p'': ''a'', ''s'': 1}"}') AS dup,
	pg_temp.err('ExecuteStatement', '{"Statement": "SELEC * FROM pq11"}') AS syntax,
	pg_temp.err('ExecuteStatement', '{"Statement": "SELECT * FROM nope"}') AS notfound,
	pg_temp.err('ExecuteStatement', '{"Statement": "UPDATE pq11 SET v = 1 WHERE p = ''a'' AND s = 1 AND v = 0", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}') AS ccf;
SELECT is((SELECT dup ->> 'sqlstate' FROM errs), 'YD040', 'DuplicateItemException is YD040');
SELECT is((SELECT dup -> 'detail' FROM errs),
	'{"__type": "com.amazonaws.dynamodb.v20120810#DuplicateItemException", "message": "Duplicate primary key exists in table"}',
	'DuplicateItemException''s body');
SELECT is((SELECT syntax ->> 'sqlstate' FROM errs), 'YD001', 'a statement not well formed is a ValidationException');
SELECT is((SELECT syntax -> 'detail' ->> 'message' FROM errs),
	'Statement wasn''t well formed, can''t be processed: Expected data manipulation', '... with DynamoDB''s message');
SELECT is((SELECT notfound ->> 'sqlstate' FROM errs), 'YD011', 'an unknown table is ResourceNotFoundException');
SELECT is((SELECT ccf ->> 'sqlstate' FROM errs), 'YD010', 'a failed condition is ConditionalCheckFailedException');
SELECT is((SELECT ccf -> 'detail' -> 'Item' FROM errs), '{"p": {"S": "a"}, "s": {"N": "1"}, "v": {"S": "uno"}}',
	'... with the item for ALL_OLD');

-- BatchExecuteStatement
CREATE TEMP TABLE b AS SELECT dynpg.batch_execute_statement('{"Statements": [
  {"Statement": "SELECT v FROM pq11 WHERE p = ''a'' AND s = 1"},
  {"Statement": "SELECT v FROM pq11 WHERE p = ''a'' AND s = 99"},
  {"Statement": "SELECT v FROM nope WHERE p = ''a'' AND s = 1"}]}') AS r;
SELECT is((SELECT jsonb_array_length(r -> 'Responses') FROM b), 3, 'one response per statement');
SELECT is((SELECT r -> 'Responses' -> 0 FROM b), '{"Item": {"v": {"S": "uno"}}, "TableName": "pq11"}',
	'a read found: TableName and Item');
SELECT is((SELECT r -> 'Responses' -> 1 FROM b), '{"TableName": "pq11"}', 'a read of nothing: TableName only');
SELECT is((SELECT r -> 'Responses' -> 2 FROM b),
	'{"Error": {"Code": "ResourceNotFound", "Message": "Requested resource not found"}, "TableName": "nope"}',
	'an error: Error with Code and Message');
SELECT is(dynpg.batch_execute_statement('{"Statements": [{"Statement": "INSERT INTO pq11 VALUE {''p'': ''a'', ''s'': 1}"},
  {"Statement": "INSERT INTO pq11 VALUE {''p'': ''b'', ''s'': 1}"}]}'),
	'{"Responses": [{"Error": {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}, "TableName": "pq11"}, {"TableName": "pq11"}]}',
	'a batch of writes: each its own');

-- ExecuteTransaction
SELECT is(dynpg.execute_transaction('{"TransactStatements": [
  {"Statement": "SELECT v FROM pq11 WHERE p = ''a'' AND s = 1"},
  {"Statement": "SELECT v FROM pq11 WHERE p = ''a'' AND s = 99"}]}'),
	'{"Responses": [{"Item": {"v": {"S": "uno"}}}, {}]}', 'a transaction of reads: Responses with Item when found');
SELECT is(dynpg.execute_transaction('{"TransactStatements": [
  {"Statement": "UPDATE pq11 SET v = ''x'' WHERE p = ''a'' AND s = 2"},
  {"Statement": "DELETE FROM pq11 WHERE p = ''a'' AND s = 3"}]}'),
	'{"Responses": [{}, {}]}', 'a transaction of writes: one empty response per statement');
CREATE TEMP TABLE t AS SELECT pg_temp.err('ExecuteTransaction', '{"TransactStatements": [
  {"Statement": "UPDATE pq11 SET v = ''y'' WHERE p = ''a'' AND s = 2"},
  {"Statement": "INSERT INTO pq11 VALUE {''p'': ''a'', ''s'': 1}"},
  {"Statement": "EXISTS(SELECT * FROM pq11 WHERE p = ''zz'' AND s = 1)"}]}') AS r;
SELECT is((SELECT r ->> 'sqlstate' FROM t), 'YD020', 'a cancelled transaction is YD020');
SELECT is((SELECT r -> 'detail' -> 'CancellationReasons' FROM t),
	'[{"Code": "None"}, {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}, {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}]',
	'CancellationReasons in statement order');
SELECT is((SELECT r ->> 'message' FROM t),
	'Transaction cancelled, please refer cancellation reasons for specific reasons [None, DuplicateItem, ConditionalCheckFailed]',
	'the message lists the codes');
SELECT is(pg_temp.es($$SELECT v FROM pq11 WHERE p = 'a' AND s = 2$$) -> 'Items', '[{"v": {"S": "x"}}]',
	'nothing of the cancelled transaction was written');

SELECT * FROM finish();
ROLLBACK;
