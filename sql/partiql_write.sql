-- PartiQL writes through ExecuteStatement (src/api/partiql_ops.c): INSERT
-- (DuplicateItemException), UPDATE (SET, REMOVE, arithmetic, list_append,
-- set_add, set_delete, conditions, the FROM-first form, RETURNING), DELETE
-- (conditions, RETURNING ALL OLD *), the full-key rule, and
-- ReturnValuesOnConditionCheckFailure.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;

\i sql/include/item_helpers.sql
\i sql/include/partiql_helpers.sql
CREATE FUNCTION pg_temp.get(t text, k jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce((dynpg.get_item(jsonb_build_object('TableName', t, 'Key', k)) -> 'Item')::text, '(none)') $$;

SELECT dynpg.create_table('{"TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "cust", "KeyType": "HASH"}, {"AttributeName": "num", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "cust", "AttributeType": "S"}, {"AttributeName": "num", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS orders;
SELECT dynpg.create_table('{"TableName": "counters", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "name", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "name", "AttributeType": "S"}]}') -> 'TableDescription' -> 'TableStatus' AS counters;

-- ---------------------------------------------------------------------
-- INSERT
-- ---------------------------------------------------------------------
SELECT pg_temp.pq($$INSERT INTO orders VALUE {'cust': 'c1', 'num': 1, 'total': 10, 'items': ['pen'], 'tags': <<'new'>>}$$);
SELECT pg_temp.get('orders', '{"cust": {"S": "c1"}, "num": {"N": "1"}}');
SELECT pg_temp.pq($$INSERT INTO orders VALUE {'cust': 'c1', 'num': 1, 'total': 99}$$);
SELECT pg_temp.get('orders', '{"cust": {"S": "c1"}, "num": {"N": "1"}}');
SELECT pg_temp.pq($$INSERT INTO orders VALUE {'cust': 'c1'}$$);
SELECT pg_temp.pq($$INSERT INTO orders VALUE {'cust': 'c1', 'num': 'one'}$$);
SELECT pg_temp.pq($$INSERT INTO orders VALUE {'cust': 'c2', 'num': 1, 'nums': <<1, 2, 2>>}$$);
SELECT pg_temp.pq($$INSERT INTO orders VALUE {'cust': 'c2', 'num': 1, 'mixed': <<1, 'a'>>}$$);
SELECT pg_temp.pq($$INSERT INTO orders VALUE {'cust': 'c2', 'num': 1, 'empty': <<>>}$$);
SELECT pg_temp.pq($$INSERT INTO orders VALUE ['cust', 'c2']$$);
SELECT pg_temp.pq('INSERT INTO orders VALUE ?', '[{"S": "x"}]');
SELECT pg_temp.pq($$INSERT INTO orders VALUES {'cust': 'c2', 'num': 1}$$);
SELECT pg_temp.pq($$INSERT INTO nosuch VALUE {'cust': 'c2', 'num': 1}$$);
SELECT pg_temp.pq($$INSERT INTO orders VALUE {'cust': 'c2', 'num': 2} RETURNING ALL OLD *$$);
SELECT pg_temp.pq($$INSERT INTO orders VALUE {'cust': 'c2', 'num': 2, 'total': 5}$$, NULL, '{"ReturnConsumedCapacity": "TOTAL"}');
SELECT pg_temp.pq($$INSERT INTO counters VALUE {'name': 'hits', 'n': 0, 'log': [], 'who': <<'a', 'b'>>}$$);

-- ---------------------------------------------------------------------
-- UPDATE
-- ---------------------------------------------------------------------
SELECT pg_temp.pq($$UPDATE counters SET n = n + 1 WHERE name = 'hits'$$);
SELECT pg_temp.pq($$UPDATE counters SET n = n + 1 WHERE name = 'hits'$$);
SELECT pg_temp.pq($$UPDATE counters SET n = n - 5, log = list_append(log, ['x']) WHERE name = 'hits'$$);
SELECT pg_temp.pq($$UPDATE counters SET who = set_add(who, <<'c'>>) SET log = list_append(['first'], log) WHERE name = 'hits'$$);
SELECT pg_temp.pq($$UPDATE counters SET who = set_delete(who, <<'a', 'zz'>>) REMOVE log[1] WHERE name = 'hits'$$);
SELECT pg_temp.get('counters', '{"name": {"S": "hits"}}');
SELECT pg_temp.pq($$UPDATE counters SET info.deep = 1 WHERE name = 'hits'$$);
SELECT pg_temp.pq($$UPDATE counters SET info = {'deep': {'er': 1}} WHERE name = 'hits'$$);
SELECT pg_temp.pq($$UPDATE counters SET info.deep.er = info.deep.er + 10, info.deep.est = 'x' REMOVE n WHERE name = 'hits' RETURNING MODIFIED NEW *$$);
SELECT pg_temp.pq($$UPDATE counters SET n = 1 WHERE name = 'hits' RETURNING ALL NEW *$$);
SELECT pg_temp.pq($$UPDATE counters SET n = 2 WHERE name = 'hits' RETURNING MODIFIED OLD *$$);
SELECT pg_temp.pq($$UPDATE counters SET n = 3 WHERE name = 'hits' RETURNING ALL OLD *$$);
SELECT pg_temp.pq('UPDATE counters SET n = ?, t = ? WHERE name = ?', '[{"N": "7"}, {"S": "seven"}, {"S": "hits"}]');
SELECT pg_temp.get('counters', '{"name": {"S": "hits"}}');
-- conditions
SELECT pg_temp.pq($$UPDATE counters SET n = 8 WHERE name = 'hits' AND n = 6$$);
SELECT pg_temp.pq($$UPDATE counters SET n = 8 WHERE name = 'hits' AND n = 6$$, NULL, '{"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}');
SELECT pg_temp.pq($$UPDATE counters SET n = 8 WHERE name = 'hits' AND n = 7 AND t IS NOT MISSING$$);
SELECT pg_temp.pq($$UPDATE counters SET n = 9 WHERE name = 'hits' AND (n < 0 OR begins_with(t, 'sev'))$$);
SELECT pg_temp.get('counters', '{"name": {"S": "hits"}}');
-- an UPDATE does not create an item
SELECT pg_temp.pq($$UPDATE counters SET n = 1 WHERE name = 'nobody'$$);
SELECT pg_temp.get('counters', '{"name": {"S": "nobody"}}');
-- the FROM-first form
SELECT pg_temp.pq($$FROM counters WHERE name = 'hits' SET n = 10 REMOVE t$$);
SELECT pg_temp.get('counters', '{"name": {"S": "hits"}}');
-- the full key, by equality, is required
SELECT pg_temp.pq($$UPDATE orders SET total = 1 WHERE cust = 'c1'$$);
SELECT pg_temp.pq($$UPDATE orders SET total = 1 WHERE cust = 'c1' AND num > 0$$);
SELECT pg_temp.pq($$UPDATE orders SET total = 1 WHERE cust = 'c1' OR num = 1$$);
SELECT pg_temp.pq($$UPDATE orders SET total = 1 WHERE cust IN ['c1'] AND num = 1$$);
SELECT pg_temp.pq($$UPDATE orders SET total = 1 WHERE total = 10$$);
SELECT pg_temp.pq($$UPDATE orders SET total = 1$$);
SELECT pg_temp.pq($$UPDATE orders WHERE cust = 'c1' AND num = 1$$);
-- key attributes cannot be updated
SELECT pg_temp.pq($$UPDATE orders SET num = 2 WHERE cust = 'c1' AND num = 1$$);
SELECT pg_temp.pq($$UPDATE orders SET total = set_add(other, <<1>>) WHERE cust = 'c1' AND num = 1$$);
SELECT pg_temp.pq($$UPDATE orders SET total = total + 1 + 1 WHERE cust = 'c1' AND num = 1$$);
SELECT pg_temp.pq($$UPDATE orders SET total = 'a' + 1 WHERE cust = 'c1' AND num = 1$$);
SELECT pg_temp.pq($$UPDATE orders SET total = size(items) WHERE cust = 'c1' AND num = 1$$);
SELECT pg_temp.pq($$UPDATE orders SET total = 1 WHERE cust = 'c1' AND num = 1 RETURNING ALL *$$);
SELECT pg_temp.pq($$UPDATE orders SET total = 1 WHERE cust = 'c1' AND num = 1 RETURNING SOME OLD *$$);
SELECT pg_temp.pq($$UPDATE orders SET total = 1 WHERE cust = 'c1' AND num = 1$$, NULL, '{"NextToken": "00"}');

-- ---------------------------------------------------------------------
-- DELETE
-- ---------------------------------------------------------------------
SELECT pg_temp.pq($$DELETE FROM orders WHERE cust = 'c2' AND num = 2 AND total = 6$$);
SELECT pg_temp.pq($$DELETE FROM orders WHERE cust = 'c2' AND num = 2 AND total = 6$$, NULL, '{"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}');
SELECT pg_temp.pq($$DELETE FROM orders WHERE cust = 'c2' AND num = 2 AND total = 5 RETURNING ALL OLD *$$);
SELECT pg_temp.get('orders', '{"cust": {"S": "c2"}, "num": {"N": "2"}}');
-- an item that is not there: nothing to do, whatever the conditions
SELECT pg_temp.pq($$DELETE FROM orders WHERE cust = 'c2' AND num = 2$$);
SELECT pg_temp.pq($$DELETE FROM orders WHERE cust = 'c2' AND num = 2 AND total = 5 RETURNING ALL OLD *$$);
SELECT pg_temp.pq($$DELETE FROM orders WHERE cust = 'c1' AND num = 1 RETURNING ALL NEW *$$);
SELECT pg_temp.pq($$DELETE FROM orders WHERE cust = 'c1' AND num = 1 RETURNING MODIFIED OLD *$$);
SELECT pg_temp.pq($$DELETE FROM orders WHERE cust = 'c1'$$);
SELECT pg_temp.pq($$DELETE FROM orders$$);
SELECT pg_temp.pq('DELETE FROM orders WHERE cust = ? AND num = ?', '[{"S": "c1"}, {"N": "1"}]', '{"ReturnConsumedCapacity": "TOTAL"}');
SELECT pg_temp.get('orders', '{"cust": {"S": "c1"}, "num": {"N": "1"}}');
-- the FROM-first DELETE
SELECT pg_temp.pq($$INSERT INTO orders VALUE {'cust': 'c3', 'num': 3}$$);
SELECT pg_temp.pq($$FROM orders WHERE cust = 'c3' AND num = 3 DELETE RETURNING ALL OLD *$$);

-- a failed write leaves the caller's transaction to roll back, as any error
BEGIN;
SELECT dynpg.execute_statement('{"Statement": "INSERT INTO orders VALUE {''cust'': ''c4'', ''num'': 4}"}');
SAVEPOINT s;
SELECT pg_temp.pq($$INSERT INTO orders VALUE {'cust': 'c4', 'num': 4}$$);
ROLLBACK TO s;
COMMIT;
SELECT pg_temp.get('orders', '{"cust": {"S": "c4"}, "num": {"N": "4"}}');
-- the error's body
SELECT pg_temp.detail('ExecuteStatement', '{"Statement": "INSERT INTO orders VALUE {''cust'': ''c4'', ''num'': 4}"}');
SELECT pg_temp.detail('ExecuteStatement', '{"Statement": "UPDATE orders SET x = 1 WHERE cust = ''c4'' AND num = 4 AND x = 0", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}');
