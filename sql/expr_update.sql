-- UpdateItem: UpdateExpression (SET with + - if_not_exists list_append,
-- REMOVE, ADD, DELETE), its validation messages, conditions, ReturnValues.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;

\i sql/include/item_helpers.sql
SELECT dynpg.create_table('{"TableName": "upd", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus';

-- update key k with expression e and values v; the new item (ALL_NEW) or the error
CREATE FUNCTION pg_temp.upd(k text, e text, v jsonb DEFAULT NULL, rv text DEFAULT 'ALL_NEW',
                            cond text DEFAULT NULL, names jsonb DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN dynpg.update_item(jsonb_build_object('TableName', 'upd',
		'Key', jsonb_build_object('pk', jsonb_build_object('S', k), 'sk', '{"N": "1"}'::jsonb),
		'UpdateExpression', e, 'ExpressionAttributeValues', v, 'ReturnValues', rv,
		'ConditionExpression', cond, 'ExpressionAttributeNames', names))::text;
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION pg_temp.item(k text) RETURNS text LANGUAGE sql AS $$
	SELECT (dynpg.get_item(jsonb_build_object('TableName', 'upd',
		'Key', jsonb_build_object('pk', jsonb_build_object('S', k), 'sk', '{"N": "1"}'::jsonb))) -> 'Item')::text $$;

-- an upsert creates the item; SET, arithmetic, if_not_exists, list_append
SELECT pg_temp.upd('a', 'SET n = :one, s = :s, l = :l, m = :m',
  '{":one": {"N": "1"}, ":s": {"S": "x"}, ":l": {"L": [{"N": "1"}, {"N": "2"}]}, ":m": {"M": {"x": {"M": {}}}}}');
SELECT pg_temp.upd('a', 'SET n = n + :d, c = if_not_exists(c, :z) - :d', '{":d": {"N": "0.5"}, ":z": {"N": "100"}}');
SELECT pg_temp.upd('a', 'SET c = if_not_exists(c, :z), l = list_append(:pre, l)',
  '{":z": {"N": "0"}, ":pre": {"L": [{"S": "first"}]}}');
-- list_append may take if_not_exists (but not another list_append)
SELECT pg_temp.upd('a', 'SET l = list_append(if_not_exists(l, :e), :post)',
  '{":e": {"L": []}, ":post": {"L": [{"S": "last"}]}}');
SELECT pg_temp.upd('a', 'SET m.x.y = :v, l[1] = :v, l[99] = :w', '{":v": {"S": "set"}, ":w": {"S": "appended"}}');
-- values come from the item as it was before the update
SELECT pg_temp.upd('a', 'SET n = c, c = n');
-- UPDATED_NEW reports an element set past the end where it was appended
SELECT pg_temp.upd('a', 'SET l[50] = :w, l[0] = :v', '{":v": {"S": "first"}, ":w": {"S": "appended again"}}', 'UPDATED_NEW');
-- several elements set past the end are appended in index order, not as
-- written; UPDATED_NEW reports them where they were appended, UPDATED_OLD
-- (nothing was there) nothing for them
SELECT pg_temp.upd('pa', 'SET q = :q', '{":q": {"L": [{"S": "x"}, {"S": "y"}]}}', 'NONE');
SELECT pg_temp.upd('pa', 'SET q[10] = :a, q[5] = :b', '{":a": {"S": "a"}, ":b": {"S": "b"}}', 'UPDATED_NEW');
SELECT pg_temp.upd('pa', 'SET q[1] = :y2, q[9] = :d, q[7] = :c, q[8] = :e', '{":y2": {"S": "y2"}, ":c": {"S": "c"}, ":d": {"S": "d"}, ":e": {"S": "e"}}', 'UPDATED_OLD');
SELECT pg_temp.upd('pa', 'SET q[20] = :g, q[0] = :x2, q[15] = :f', '{":x2": {"S": "x2"}, ":f": {"S": "f"}, ":g": {"S": "g"}}', 'UPDATED_NEW');
SELECT pg_temp.upd('pa', 'ADD q[30] :n SET q[25] = :h', '{":n": {"N": "1"}, ":h": {"S": "h"}}', 'ALL_NEW');
-- REMOVE: list indexes of the old list, past the end ignored, missing ignored
SELECT pg_temp.upd('a', 'REMOVE l[0], l[2], l[50], nothing, m.x.y');
-- ADD: numbers (missing counts as 0) and sets (created, union)
SELECT pg_temp.upd('a', 'ADD n :two, cnt :two, tags :t', '{":two": {"N": "2"}, ":t": {"SS": ["b", "a"]}}');
SELECT pg_temp.upd('a', 'ADD tags :t', '{":t": {"SS": ["c", "a"]}}');
-- DELETE: removes elements; emptying the set removes the attribute; missing is a no-op
SELECT pg_temp.upd('a', 'DELETE tags :t, gone :t', '{":t": {"SS": ["a", "zz"]}}');
SELECT pg_temp.upd('a', 'delete tags :t', '{":t": {"SS": ["b", "c"]}}');
-- clauses in any order, keywords in any case
SELECT pg_temp.upd('a', 'remove c add n :one set s = :s', '{":one": {"N": "1"}, ":s": {"S": "back"}}');
SELECT pg_temp.item('a');

-- an update that only removes does not create the item; one with no expression does
SELECT pg_temp.upd('b', 'REMOVE x, y');
SELECT pg_temp.item('b');
SELECT dynpg.update_item('{"TableName": "upd", "Key": {"pk": {"S": "b"}, "sk": {"N": "1"}}}');
SELECT pg_temp.item('b');
SELECT pg_temp.upd('c', 'ADD hits :one', '{":one": {"N": "1"}}');
SELECT pg_temp.upd('c', 'ADD counter :one', '{":one": {"N": "1"}}');
SELECT pg_temp.upd('c', 'ADD #c :one', '{":one": {"N": "1"}}', 'UPDATED_NEW', NULL, '{"#c": "counter"}');

-- ReturnValues
SELECT pg_temp.upd('r', 'SET m = :m, a = :old', '{":m": {"M": {"x": {"S": "old"}, "y": {"S": "kept"}}}, ":old": {"S": "old"}}', 'NONE');
SELECT rv, pg_temp.upd('r', 'SET a = :v, m.x = :v ADD n :one',
   '{":v": {"S": "new"}, ":one": {"N": "1"}}', rv)
FROM unnest(ARRAY['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW']) AS rv;
SELECT pg_temp.upd('r', 'SET a = :v', '{":v": {"S": "x"}}', 'ALL');

-- conditions
SELECT pg_temp.upd('r', 'ADD n :one', '{":one": {"N": "1"}, ":max": {"N": "6"}}', 'UPDATED_NEW', 'n < :max');
SELECT pg_temp.upd('r', 'ADD n :one', '{":one": {"N": "1"}, ":max": {"N": "6"}}', 'UPDATED_NEW', 'n < :max');
SELECT pg_temp.upd('nobody', 'SET a = :v', '{":v": {"N": "1"}}', 'ALL_NEW', 'attribute_exists(pk)');
SELECT pg_temp.item('nobody');
SELECT pg_temp.upd('r', 'SET #a = :v', '{":v": {"N": "1"}}', 'UPDATED_NEW', '#a <> :v', '{"#a": "a"}');

-- errors: key attributes, paths, operand types, arithmetic
SELECT e, pg_temp.upd('a', e, v) FROM (VALUES
  ('SET pk = :s', '{":s": {"S": "x"}}'::jsonb),
  ('REMOVE sk', NULL),
  ('SET nothing.x = :s', '{":s": {"S": "x"}}'),
  ('SET s.x = :s', '{":s": {"S": "x"}}'),
  ('SET s[0] = :s', '{":s": {"S": "x"}}'),
  ('REMOVE nothing.x', NULL),
  ('SET x = nothing', NULL),
  ('SET x = nothing + :one', '{":one": {"N": "1"}}'),
  ('SET x = s + :one', '{":one": {"N": "1"}}'),
  ('SET x = :s + :one', '{":one": {"N": "1"}, ":s": {"S": "x"}}'),
  ('SET x = list_append(s, :l)', '{":l": {"L": []}}'),
  ('SET x = list_append(:s, :l)', '{":l": {"L": []}, ":s": {"S": "x"}}'),
  ('SET x = :big + :big', '{":big": {"N": "9.9999999999999999999999999999999999999E+125"}}'),
  ('SET x = :a - :b', '{":a": {"N": "1E-130"}, ":b": {"N": "1.1E-130"}}'),
  ('SET x = :a + :b', '{":a": {"N": "12345678901234567890123456789012345678"}, ":b": {"N": "0.1"}}'),
  ('SET x = :a - :b', '{":a": {"N": "-12345678901234567890123456789012345678"}, ":b": {"N": "0.1"}}'),
  ('ADD n :a', '{":a": {"N": "12345678901234567890123456789012345678"}}'),
  ('SET x = :a + :b', '{":a": {"N": "1234567890123456789012345678901234567.8"}, ":b": {"N": "1E-100"}}'),
  ('ADD s :one', '{":one": {"N": "1"}}'),
  ('ADD n :s', '{":s": {"S": "x"}}'),
  ('ADD n :l', '{":l": {"L": []}}'),
  ('DELETE n :t', '{":t": {"SS": ["x"]}}'),
  ('DELETE n :one', '{":one": {"N": "1"}}'),
  ('SET a = :v REMOVE a', '{":v": {"N": "1"}}'),
  ('SET a.b = :v, a = :v', '{":v": {"N": "1"}}'),
  ('SET a.b = :v, a[1] = :v', '{":v": {"N": "1"}}'),
  ('SET a = :v SET b = :v', '{":v": {"N": "1"}}'),
  ('SET a = :v,', '{":v": {"N": "1"}}'),
  ('SET a :v', '{":v": {"N": "1"}}'),
  ('SET a = size(b)', NULL),
  ('SET a = foo(b)', NULL),
  ('SET a = if_not_exists(:v, :v)', '{":v": {"N": "1"}}'),
  ('SET a = :v + :v + :v', '{":v": {"N": "1"}}'),
  ('UPSERT a = :v', '{":v": {"N": "1"}}'),
  ('SET _a = :v', '{":v": {"N": "1"}}'),
  ('SET a = _b', NULL),
  ('REMOVE a, _b', NULL),
  ('SET a = _list_append(a, :v)', '{":v": {"L": []}}'),
  -- functions: no list_append in list_append, no '+' or '-' inside a call
  ('SET a = list_append(list_append(a, :v), :v)', '{":v": {"L": []}}'),
  ('SET a = list_append(:v, list_append(:v, :v))', '{":v": {"L": []}}'),
  ('SET a = if_not_exists(a, :v + :v)', '{":v": {"N": "1"}}'),
  ('SET a = if_not_exists(a, :v) + :v', '{":v": {"N": "1"}}'),
  ('SET a = list_append(a, :v - :v)', '{":v": {"L": []}}'),
  ('SET a = if_not_exists(if_not_exists(a, :v), :v)', '{":v": {"N": "1"}}'),
  ('', NULL),
  ('SET a = :v', '{":v": {"N": "1"}, ":w": {"N": "2"}}'),
  ('SET a = :v', '{":v": {"SS": []}}'),
  ('SET a = :v', '{":v": {"N": "NaN"}}'),
  ('SET a = :v', '{":v": {"NULL": false}}'),
  ('SET a = :v', '{":v": {}}'),
  ('SET a = :v', '{":v": {"S": 1}}'),
  ('SET a = :v', '{"v": {"SS": []}}')) AS t(e, v);
SELECT pg_temp.api('UpdateItem', '{"TableName": "upd", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "ExpressionAttributeValues": {":v": {"N": "1"}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "upd", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "AttributeUpdates": {"a": {"Action": "DELETE"}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "upd", "Key": {"pk": {"S": "a"}},
  "UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "nosuch", "Key": {"pk": {"S": "a"}},
  "UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "upd", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"N": "1"}},
  "ReturnConsumedCapacity": "TOTAL"}');

-- a #name or :value key is at most 255 bytes, its # or : included
SELECT pg_temp.upd('tok', 'SET #' || repeat('n', 254) || ' = :' || repeat('v', 254),
  jsonb_build_object(':' || repeat('v', 254), '{"N": "1"}'::jsonb), 'UPDATED_NEW', NULL,
  jsonb_build_object('#' || repeat('n', 254), 'x'));
SELECT pg_temp.upd('tok', 'SET #' || repeat('n', 255) || ' = :v', '{":v": {"N": "2"}}', 'UPDATED_NEW', NULL,
  jsonb_build_object('#' || repeat('n', 255), 'x'));
SELECT pg_temp.upd('tok', 'SET x = :' || repeat('v', 255),
  jsonb_build_object(':' || repeat('v', 255), '{"N": "2"}'::jsonb), 'UPDATED_NEW');
-- also when only the ConditionExpression uses them
SELECT pg_temp.upd('tok', 'SET x = :v', jsonb_build_object(':v', '{"N": "3"}'::jsonb, ':' || repeat('w', 254), '{"N": "1"}'::jsonb),
  'UPDATED_NEW', '#' || repeat('c', 254) || ' = :' || repeat('w', 254), jsonb_build_object('#' || repeat('c', 254), 'x'));
SELECT pg_temp.upd('tok', 'SET x = :v', jsonb_build_object(':v', '{"N": "4"}'::jsonb, ':' || repeat('w', 255), '{"N": "3"}'::jsonb),
  'UPDATED_NEW', 'x = :' || repeat('w', 255));
SELECT pg_temp.item('tok');

-- the 400 KB limit applies to the updated item
SELECT pg_temp.upd('big', 'SET a = :v', jsonb_build_object(':v', jsonb_build_object('S', repeat('x', 300000))), 'NONE');
SELECT pg_temp.upd('big', 'SET b = :v', jsonb_build_object(':v', jsonb_build_object('S', repeat('x', 200000))), 'NONE');

-- the whole call is one statement of the caller's transaction
BEGIN;
SELECT pg_temp.upd('tx', 'ADD n :one', '{":one": {"N": "1"}}', 'UPDATED_NEW');
ROLLBACK;
SELECT pg_temp.item('tx');

-- privileges: UPDATE and INSERT (an update may create the item), SELECT to
-- return values, to test a condition or to read the item's values (security.sql)
CREATE ROLE regress_dynpg_updater;
GRANT UPDATE ON dynamodb.upd TO regress_dynpg_updater;
SET ROLE regress_dynpg_updater;
SELECT pg_temp.upd('p', 'SET a = :v', '{":v": {"N": "1"}}', 'NONE');
RESET ROLE;
GRANT INSERT ON dynamodb.upd TO regress_dynpg_updater;
SET ROLE regress_dynpg_updater;
SELECT pg_temp.upd('p', 'SET a = :v', '{":v": {"N": "1"}}', 'NONE');
SELECT pg_temp.upd('p', 'SET a = :v', '{":v": {"N": "1"}}', 'ALL_NEW');
SELECT pg_temp.upd('p', 'SET a = :v', '{":v": {"N": "1"}}', 'NONE', 'attribute_exists(a)');
RESET ROLE;
REVOKE ALL ON dynamodb.upd FROM regress_dynpg_updater;
DROP ROLE regress_dynpg_updater;

-- clean up
SELECT dynpg.delete_table('{"TableName": "upd"}') -> 'TableDescription' -> 'TableStatus';
