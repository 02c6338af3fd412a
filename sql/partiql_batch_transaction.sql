-- PartiQL's BatchExecuteStatement and ExecuteTransaction
-- (src/api/partiql_ops.c): batches of reads and of writes with their
-- per-statement errors, transactions of reads (TransactGetItems) and of
-- writes (TransactWriteItems, EXISTS as a condition check), cancellation
-- reasons, the idempotency token, and the requests' checks.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;

\i sql/include/item_helpers.sql
\i sql/include/partiql_helpers.sql
-- statements as a request's list: each a Statement, optionally with Parameters
CREATE FUNCTION pg_temp.stmts(VARIADIC s text[]) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_agg(jsonb_build_object('Statement', x) ORDER BY o) FROM unnest(s) WITH ORDINALITY AS u(x, o) $$;
CREATE FUNCTION pg_temp.batch(list jsonb, extra jsonb DEFAULT '{}') RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.pq_call('BatchExecuteStatement', jsonb_build_object('Statements', list) || extra) $$;
CREATE FUNCTION pg_temp.tx(list jsonb, extra jsonb DEFAULT '{}') RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.pq_call('ExecuteTransaction', jsonb_build_object('TransactStatements', list) || extra) $$;

SELECT dynpg.create_table('{"TableName": "acct", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}') -> 'TableDescription' -> 'TableStatus' AS acct;
SELECT dynpg.create_table('{"TableName": "ledger", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "acct", "KeyType": "HASH"}, {"AttributeName": "seq", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "acct", "AttributeType": "S"}, {"AttributeName": "seq", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS ledger;

-- the accounts, id=balance
CREATE FUNCTION pg_temp.rows() RETURNS text LANGUAGE sql AS $$
	SELECT string_agg((item->>'id') || '=' || coalesce(item->>'bal', '-'), ' ' ORDER BY item->>'id') FROM dynamodb.acct $$;

-- ---------------------------------------------------------------------
-- BatchExecuteStatement: writes, each on its own
-- ---------------------------------------------------------------------
SELECT pg_temp.batch(pg_temp.stmts(
  $$INSERT INTO acct VALUE {'id': 'a', 'bal': 100}$$,
  $$INSERT INTO acct VALUE {'id': 'b', 'bal': 50}$$,
  $$INSERT INTO ledger VALUE {'acct': 'a', 'seq': 1}$$));
SELECT pg_temp.rows();
-- one failing statement does not undo the others
SELECT pg_temp.batch(pg_temp.stmts(
  $$INSERT INTO acct VALUE {'id': 'c', 'bal': 7}$$,
  $$INSERT INTO acct VALUE {'id': 'a', 'bal': 1}$$,
  $$UPDATE acct SET bal = bal - 10 WHERE id = 'b'$$,
  $$UPDATE acct SET bal = 0 WHERE id = 'b' AND bal > 1000$$,
  $$DELETE FROM acct WHERE id = 'zz' AND bal = 1$$,
  $$UPDATE acct SET bal = 0 WHERE id = 'nobody'$$,
  $$INSERT INTO nosuch VALUE {'id': 'x'}$$,
  $$UPDATE acct SET bal = 1 WHERE bal = 7$$,
  $$INSERT INTO acct VALUE {'id': 'd' 'bal': 1}$$,
  $$INSERT INTO acct VALUE {'id': 'e', 'bal': <<>>}$$));
SELECT pg_temp.rows();
-- ReturnValuesOnConditionCheckFailure: the item with the error
SELECT pg_temp.batch('[{"Statement": "UPDATE acct SET bal = 1 WHERE id = ''c'' AND bal = 0", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}]');
-- parameters
SELECT pg_temp.batch('[{"Statement": "UPDATE acct SET bal = bal + ? WHERE id = ?", "Parameters": [{"N": "5"}, {"S": "c"}]},
  {"Statement": "UPDATE acct SET bal = bal + ? WHERE id = ?", "Parameters": [{"N": "5"}]}]');
SELECT pg_temp.rows();

-- ---------------------------------------------------------------------
-- BatchExecuteStatement: reads, each of one item by its full key
-- ---------------------------------------------------------------------
SELECT pg_temp.batch(pg_temp.stmts(
  $$SELECT * FROM acct WHERE id = 'a'$$,
  $$SELECT bal FROM acct WHERE id = 'nobody'$$,
  $$SELECT bal FROM acct WHERE bal > 0$$,
  $$SELECT * FROM ledger WHERE acct = 'a'$$,
  $$SELECT * FROM ledger WHERE acct = 'a' AND seq = 1$$,
  $$SELECT * FROM nosuch WHERE id = 'a'$$,
  $$SELECT * FROM "acct"."ix" WHERE id = 'a'$$));
SELECT pg_temp.batch('[{"Statement": "SELECT bal FROM acct WHERE id = ?", "Parameters": [{"S": "b"}], "ConsistentRead": true}]',
  '{"ReturnConsumedCapacity": "TOTAL"}');

-- ---------------------------------------------------------------------
-- BatchExecuteStatement: the request's checks
-- ---------------------------------------------------------------------
SELECT pg_temp.batch(pg_temp.stmts($$SELECT * FROM acct WHERE id = 'a'$$, $$DELETE FROM acct WHERE id = 'c'$$));
SELECT pg_temp.batch((SELECT jsonb_agg(jsonb_build_object('Statement', format('SELECT * FROM acct WHERE id = %L', i))) FROM generate_series(1, 26) i));
SELECT jsonb_array_length(pg_temp.batch((SELECT jsonb_agg(jsonb_build_object('Statement', format('SELECT * FROM acct WHERE id = %L', i))) FROM generate_series(1, 25) i))::jsonb -> 'Responses') AS responses_25;
SELECT pg_temp.batch('[]');
SELECT pg_temp.pq_call('BatchExecuteStatement', '{}');
SELECT pg_temp.batch('[{"Parameters": [{"S": "x"}]}, {"Statement": ""}]');
SELECT pg_temp.batch('[{"Statement": "SELECT * FROM acct WHERE id = ''a''", "ReturnValuesOnConditionCheckFailure": "ALL_NEW"}]');
SELECT pg_temp.batch(pg_temp.stmts($$SELECT * FROM acct WHERE id = 'a'$$), '{"ReturnConsumedCapacity": "SOME"}');
SELECT pg_temp.batch(pg_temp.stmts($$EXISTS(SELECT * FROM acct WHERE id = 'a')$$));

-- ---------------------------------------------------------------------
-- ExecuteTransaction: writes
-- ---------------------------------------------------------------------
SELECT pg_temp.rows();
SELECT pg_temp.tx(pg_temp.stmts(
  $$UPDATE acct SET bal = bal - 30 WHERE id = 'a' AND bal >= 30$$,
  $$UPDATE acct SET bal = bal + 30 WHERE id = 'b'$$,
  $$INSERT INTO ledger VALUE {'acct': 'a', 'seq': 2, 'amount': -30}$$,
  $$EXISTS(SELECT * FROM acct WHERE id = 'c' AND bal IS NOT MISSING)$$));
SELECT pg_temp.rows();
-- cancelled: reasons in statement order, nothing written
SELECT pg_temp.tx(pg_temp.stmts(
  $$UPDATE acct SET bal = bal - 500 WHERE id = 'a' AND bal >= 500$$,
  $$UPDATE acct SET bal = bal + 500 WHERE id = 'b'$$,
  $$INSERT INTO ledger VALUE {'acct': 'a', 'seq': 2, 'amount': -500}$$,
  $$EXISTS(SELECT * FROM acct WHERE id = 'nobody')$$,
  $$DELETE FROM acct WHERE id = 'c'$$));
SELECT pg_temp.rows();
SELECT pg_temp.detail('ExecuteTransaction', jsonb_build_object('TransactStatements', pg_temp.stmts(
  $$INSERT INTO ledger VALUE {'acct': 'a', 'seq': 1}$$,
  $$UPDATE acct SET bal = 1 WHERE id = 'b'$$)));
SELECT pg_temp.detail('ExecuteTransaction', '{"TransactStatements": [
  {"Statement": "UPDATE acct SET bal = 1 WHERE id = ''a'' AND bal = 0", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
  {"Statement": "UPDATE acct SET bal = 1 WHERE id = ''b''"}]}');
SELECT pg_temp.rows();
-- the idempotency token: a replay is not run again; another request with it is refused
SELECT pg_temp.tx(pg_temp.stmts($$UPDATE acct SET bal = bal + 1 WHERE id = 'c'$$), '{"ClientRequestToken": "partiql-token-1"}');
SELECT pg_temp.tx(pg_temp.stmts($$UPDATE acct SET bal = bal + 1 WHERE id = 'c'$$), '{"ClientRequestToken": "partiql-token-1"}');
SELECT pg_temp.rows();
SELECT pg_temp.tx(pg_temp.stmts($$UPDATE acct SET bal = bal + 2 WHERE id = 'c'$$), '{"ClientRequestToken": "partiql-token-1"}');
SELECT pg_temp.tx('[{"Statement": "UPDATE acct SET bal = bal + ? WHERE id = ''c''", "Parameters": [{"N": "1"}]}]', '{"ClientRequestToken": "partiql-token-2", "ReturnConsumedCapacity": "TOTAL"}');
SELECT pg_temp.tx('[{"Statement": "UPDATE acct SET bal = bal + ? WHERE id = ''c''", "Parameters": [{"N": "2"}]}]', '{"ClientRequestToken": "partiql-token-2"}');
SELECT pg_temp.rows();
-- refused transactions
SELECT pg_temp.tx(pg_temp.stmts($$UPDATE acct SET bal = 1 WHERE id = 'a' RETURNING ALL NEW *$$));
SELECT pg_temp.tx(pg_temp.stmts($$SELECT * FROM acct WHERE id = 'a'$$, $$DELETE FROM acct WHERE id = 'c'$$));
SELECT pg_temp.tx(pg_temp.stmts($$UPDATE acct SET bal = 1 WHERE id = 'a'$$, $$DELETE FROM acct WHERE id = 'a'$$));
SELECT pg_temp.tx(pg_temp.stmts($$UPDATE acct SET bal = 1 WHERE bal = 0$$));
SELECT pg_temp.tx(pg_temp.stmts($$EXISTS(SELECT * FROM acct WHERE bal = 0)$$));
SELECT pg_temp.tx(pg_temp.stmts($$UPDATE nosuch SET bal = 1 WHERE id = 'a'$$));
SELECT pg_temp.tx(pg_temp.stmts($$UPDATE acct SET bal = 1 WHERE id = 'a' AND$$));
SELECT pg_temp.tx('[{"Statement": "UPDATE acct SET bal = ? WHERE id = ''a''"}]');
SELECT pg_temp.tx('[]');
SELECT pg_temp.pq_call('ExecuteTransaction', '{}');
SELECT pg_temp.tx((SELECT jsonb_agg(jsonb_build_object('Statement', format('SELECT * FROM acct WHERE id = %L', i))) FROM generate_series(1, 101) i));
SELECT pg_temp.tx(pg_temp.stmts($$SELECT * FROM acct WHERE id = 'a'$$), '{"ClientRequestToken": ""}');
SELECT pg_temp.tx(pg_temp.stmts($$SELECT * FROM acct WHERE id = 'a'$$), jsonb_build_object('ClientRequestToken', repeat('t', 37)));
SELECT pg_temp.rows();

-- ---------------------------------------------------------------------
-- ExecuteTransaction: reads
-- ---------------------------------------------------------------------
SELECT pg_temp.tx(pg_temp.stmts(
  $$SELECT * FROM acct WHERE id = 'a'$$,
  $$SELECT bal FROM acct WHERE id = 'nobody'$$,
  $$SELECT amount FROM ledger WHERE acct = 'a' AND seq = 2$$));
SELECT pg_temp.tx(pg_temp.stmts($$SELECT * FROM acct WHERE id = 'a'$$), '{"ReturnConsumedCapacity": "TOTAL"}');
SELECT pg_temp.tx(pg_temp.stmts($$SELECT * FROM ledger WHERE acct = 'a'$$));
SELECT pg_temp.tx(pg_temp.stmts($$SELECT * FROM acct WHERE id = 'a' AND bal > 0$$));
SELECT pg_temp.tx(pg_temp.stmts($$SELECT * FROM "acct"."ix" WHERE id = 'a'$$));
-- EXISTS is ExecuteTransaction's alone
SELECT pg_temp.pq($$EXISTS(SELECT * FROM acct WHERE id = 'a')$$);

-- the SQL functions
SELECT dynpg.execute_transaction('{"TransactStatements": [{"Statement": "SELECT bal FROM acct WHERE id = ''b''"}]}');
SELECT dynpg.batch_execute_statement('{"Statements": [{"Statement": "SELECT bal FROM acct WHERE id = ''b''"}]}');
