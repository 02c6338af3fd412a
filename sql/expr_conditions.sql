-- ConditionExpression: the grammar, DynamoDB's validation messages, and
-- evaluation (missing attributes, type mismatches, sets, numbers), through
-- PutItem and DeleteItem; ReturnValuesOnConditionCheckFailure.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;

\i sql/include/item_helpers.sql

SELECT dynpg.create_table('{"TableName": "cnd", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}') -> 'TableDescription' -> 'TableStatus';

-- the item every condition below is tested against
SELECT dynpg.put_item('{"TableName": "cnd", "Item": {"pk": {"S": "k"}, "s": {"S": "hello wörld"},
  "n": {"N": "10"}, "m": {"N": "-2.5"}, "b": {"B": "AAEC"}, "t": {"BOOL": true}, "z": {"NULL": true},
  "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2"]}, "l": {"L": [{"S": "x"}, {"N": "1"}, {"L": []}]},
  "doc": {"M": {"a": {"M": {"b": {"L": [{"N": "0"}, {"N": "1"}, {"M": {"c": {"S": "deep"}}}]}}},
                "set": {"SS": ["p", "q"]}}}, "name": {"S": "reserved"}}}');

-- true, false, or the error: a put of the same item under the condition
CREATE FUNCTION pg_temp.cond(expr text, vals jsonb DEFAULT NULL, names jsonb DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	item jsonb := dynpg.get_item('{"TableName": "cnd", "Key": {"pk": {"S": "k"}}}') -> 'Item';
BEGIN
	PERFORM dynpg.put_item(jsonb_build_object('TableName', 'cnd', 'Item', item,
		'ConditionExpression', expr, 'ExpressionAttributeValues', vals,
		'ExpressionAttributeNames', names));
	RETURN 'true';
EXCEPTION WHEN others THEN
	IF SQLERRM = 'The conditional request failed' THEN
		RETURN 'false';
	END IF;
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- comparisons; N by value, S and B by bytes
SELECT e, pg_temp.cond(e, v) FROM (VALUES
  ('n = :v', '{":v": {"N": "10.0"}}'::jsonb),
  ('n = :v', '{":v": {"N": "1E1"}}'),
  ('n <> :v', '{":v": {"N": "10"}}'),
  ('n < :v', '{":v": {"N": "9.99"}}'),
  ('n <= :v', '{":v": {"N": "10"}}'),
  ('n > :v', '{":v": {"N": "-100"}}'),
  ('m < :v', '{":v": {"N": "-2.4"}}'),
  ('m > :v', '{":v": {"N": "-2.45"}}'),
  ('n >= :v', '{":v": {"N": "100"}}'),
  ('s = :v', '{":v": {"S": "hello wörld"}}'),
  ('s < :v', '{":v": {"S": "hello x"}}'),
  ('s > :v', '{":v": {"S": "hello"}}'),
  ('b = :v', '{":v": {"B": "AAEC"}}'),
  ('b < :v', '{":v": {"B": "AAED"}}'),
  ('t = :v', '{":v": {"BOOL": true}}'),
  ('z = :v', '{":v": {"NULL": true}}'),
  ('ss = :v', '{":v": {"SS": ["y", "x"]}}'),
  ('ns = :v', '{":v": {"NS": ["2", "1.0"]}}'),
  ('l = :v', '{":v": {"L": [{"S": "x"}, {"N": "1"}, {"L": []}]}}'),
  ('doc.#s = :v', '{":v": {"SS": ["q", "p"]}}'),
  ('n = n', NULL),
  ('n <> s', NULL)) AS t(e, v)
WHERE e NOT LIKE '%#%';
SELECT pg_temp.cond('doc.#s = :v', '{":v": {"SS": ["q", "p"]}}', '{"#s": "set"}');

-- missing attributes and type mismatches: <> true, everything else false
SELECT e, pg_temp.cond(e, v) FROM (VALUES
  ('nope = :v', '{":v": {"N": "1"}}'::jsonb),
  ('nope <> :v', '{":v": {"N": "1"}}'),
  ('nope < :v', '{":v": {"N": "1"}}'),
  ('nope >= :v', '{":v": {"N": "1"}}'),
  ('nope = nada', NULL),
  ('nope <> nada', NULL),
  ('n = :v', '{":v": {"S": "10"}}'),
  ('n <> :v', '{":v": {"S": "10"}}'),
  ('n < :v', '{":v": {"S": "10"}}'),
  ('l < :v', '{":v": {"L": []}}'),
  ('t > :v', '{":v": {"BOOL": false}}'),
  ('l < n', NULL),
  ('t > n', NULL),
  ('doc >= doc', NULL),
  ('n BETWEEN :a AND doc', '{":a": {"N": "1"}}'),
  ('nope BETWEEN :a AND :b', '{":a": {"N": "1"}, ":b": {"N": "2"}}'),
  ('nope IN (:a, :b)', '{":a": {"N": "1"}, ":b": {"N": "2"}}')) AS t(e, v);

-- BETWEEN, IN, functions, nested paths
SELECT e, pg_temp.cond(e, v) FROM (VALUES
  ('n BETWEEN :a AND :b', '{":a": {"N": "10"}, ":b": {"N": "11"}}'::jsonb),
  ('n between :a and :b', '{":a": {"N": "1"}, ":b": {"N": "9"}}'),
  ('n BETWEEN :a AND :b', '{":a": {"S": "1"}, ":b": {"S": "9"}}'),
  ('n IN (:a, :b)', '{":a": {"S": "10"}, ":b": {"N": "10"}}'),
  ('n in (:a)', '{":a": {"N": "11"}}'),
  ('attribute_exists(doc.a.b[2].c)', NULL),
  ('attribute_exists(doc.a.b[2])', NULL),
  ('attribute_exists(doc.a.b)', NULL),
  ('attribute_exists(doc.a)', NULL),
  ('attribute_exists(doc.a.b[3])', NULL),
  ('attribute_not_exists(doc.a.b[3])', NULL),
  ('attribute_not_exists(pk)', NULL),
  ('attribute_exists(l[2])', NULL),
  ('attribute_exists(s[0])', NULL),
  ('attribute_type(ss, :t)', '{":t": {"S": "SS"}}'),
  ('attribute_type(n, :t)', '{":t": {"S": "S"}}'),
  ('attribute_type(nope, :t)', '{":t": {"S": "NULL"}}'),
  ('begins_with(s, :p)', '{":p": {"S": "hello w"}}'),
  ('begins_with(s, :p)', '{":p": {"S": "ello"}}'),
  ('begins_with(b, :p)', '{":p": {"B": "AAE="}}'),
  ('begins_with(s, :p)', '{":p": {"B": "AAE="}}'),
  ('contains(s, :p)', '{":p": {"S": "o w"}}'),
  ('contains(ss, :p)', '{":p": {"S": "y"}}'),
  ('contains(ss, :p)', '{":p": {"SS": ["y"]}}'),
  ('contains(ns, :p)', '{":p": {"N": "2.00"}}'),
  ('contains(l, :p)', '{":p": {"L": []}}'),
  ('contains(doc, :p)', '{":p": {"S": "a"}}'),
  ('size(s) = :v', '{":v": {"N": "11"}}'),
  ('size(b) = :v', '{":v": {"N": "3"}}'),
  ('size(l) = :v', '{":v": {"N": "3"}}'),
  ('size(doc) = :v', '{":v": {"N": "2"}}'),
  ('size(n) = :v', '{":v": {"N": "2"}}'),
  ('size(n) <> :v', '{":v": {"N": "2"}}'),
  ('size(:v) = :w', '{":v": {"S": "abc"}, ":w": {"N": "3"}}'),
  ('size(l) > size(ss)', NULL)) AS t(e, v);

-- precedence: NOT binds tighter than AND, AND tighter than OR; parentheses
SELECT e, pg_temp.cond(e, NULL) FROM (VALUES
  ('attribute_exists(n) OR attribute_exists(nope) AND attribute_exists(nope)'),
  ('(attribute_exists(n) OR attribute_exists(nope)) AND attribute_exists(nope)'),
  ('NOT attribute_exists(nope) AND attribute_exists(nope)'),
  ('NOT (attribute_exists(nope) AND attribute_exists(nope))'),
  ('not not attribute_exists(n)'),
  ('(attribute_exists(n))')) AS t(e);

-- syntax errors and validation messages
SELECT e, pg_temp.cond(e, v, nm) FROM (VALUES
  ('', NULL::jsonb, NULL::jsonb),
  ('foo', NULL, NULL),
  ('n = ', '{":v": {"N": "1"}}', NULL),
  ('n == :v', '{":v": {"N": "1"}}', NULL),
  ('pk = !!', '{":v": {"N": "1"}}', NULL),
  -- a name cannot start with '_': the token "_", then the name
  ('_version = :v', '{":v": {"N": "1"}}', NULL),
  ('attribute_exists(_a)', NULL, NULL),
  ('n = :v AND _x = :v', '{":v": {"N": "1"}}', NULL),
  -- '-' is not part of a name: near quotes the tokens before and after
  ('foo-bar = :v', '{":v": {"N": "1"}}', NULL),
  -- an index is 0 or [1-9][0-9]*: "03" is the tokens "0" and "3"
  ('l[03] = :v', '{":v": {"N": "1"}}', NULL),
  ('l[0] = :v AND l[10] = :v', '{":v": {"N": "1"}}', NULL),
  -- a function name that is not a token
  ('_size(n) = :v', '{":v": {"N": "1"}}', NULL),
  ('begins-with(n, :v)', '{":v": {"S": "a"}}', NULL),
  -- size() of a constant: only a type with a size
  ('size(:v) = :v', '{":v": {"N": "1"}}', NULL),
  ('size(:v) > :n', '{":v": {"BOOL": true}, ":n": {"N": "0"}}', NULL),
  ('size(:v) > :n', '{":v": {"NULL": true}, ":n": {"N": "0"}}', NULL),
  ('size(:v) = :n', '{":v": {"S": "abc"}, ":n": {"N": "3"}}', NULL),
  ('size(:v) = :n', '{":v": {"NS": ["1", "2"]}, ":n": {"N": "2"}}', NULL),
  -- attribute_type() of a constant
  ('attribute_type(:v, :t)', '{":v": {"S": "x"}, ":t": {"S": "S"}}', NULL),
  ('n = :v AND', '{":v": {"N": "1"}}', NULL),
  ('((attribute_exists(n)))', NULL, NULL),
  ('name = :v', '{":v": {"S": "x"}}', NULL),
  ('n = :nope', '{":v": {"S": "x"}}', NULL),
  ('#nope = :v', '{":v": {"S": "x"}}', NULL),
  ('n = :v', '{":v": {"S": "x"}, ":w": {"S": "y"}}', NULL),
  ('n = :v', '{":v": {"S": "x"}}', '{"#a": "a", "#b": "b"}'),
  ('foo(n)', NULL, NULL),
  ('BEGINS_WITH(s, :v)', '{":v": {"S": "x"}}', NULL),
  ('if_not_exists(n, :v)', '{":v": {"S": "x"}}', NULL),
  ('attribute_exists(n, s)', NULL, NULL),
  ('attribute_exists(:v)', '{":v": {"S": "x"}}', NULL),
  ('attribute_exists(n) = :v', '{":v": {"S": "x"}}', NULL),
  ('size(s)', NULL, NULL),
  ('attribute_type(n, :t)', '{":t": {"S": "STRING"}}', NULL),
  ('attribute_type(n, :t)', '{":t": {"N": "1"}}', NULL),
  ('begins_with(s, :v)', '{":v": {"N": "1"}}', NULL),
  ('contains(l, l)', NULL, NULL),
  ('n BETWEEN :b AND :a', '{":a": {"N": "1"}, ":b": {"N": "2"}}', NULL),
  ('n = l[-1]', NULL, NULL),
  ('n = l[:v]', '{":v": {"N": "1"}}', NULL),
  ('n = l[99999999999]', NULL, NULL),
  ('n', NULL, NULL),
  (':v', '{":v": {"N": "1"}}', NULL),
  ('n = :v', '{"v": {"N": "1"}}', NULL),
  ('#a = :v', '{":v": {"N": "1"}}', '{"a": "x"}'),
  ('n = :v', '{}', NULL),
  ('n = n', NULL, '{}')) AS t(e, v, nm);

-- constants against constants: BETWEEN's two constant bounds must have one
-- type and be in order, checked before the item is read (even where AND
-- would not look at them); a comparison or IN of constants of different
-- types is just false, as is a bound from the item of another type
SELECT e, pg_temp.cond(e, v) FROM (VALUES
  ('n BETWEEN :a AND :b', '{":a": {"N": "1"}, ":b": {"S": "a"}}'::jsonb),
  ('n BETWEEN :a AND :b', '{":a": {"S": "a"}, ":b": {"N": "1"}}'),
  ('n BETWEEN :a AND :b', '{":a": {"S": "b"}, ":b": {"S": "a"}}'),
  ('n BETWEEN :a AND :b', '{":a": {"N": "-1"}, ":b": {"N": "-2"}}'),
  ('attribute_exists(nope) AND n BETWEEN :a AND :b', '{":a": {"N": "1"}, ":b": {"S": "a"}}'),
  ('n BETWEEN :a AND :a', '{":a": {"N": "10"}}'),
  ('n BETWEEN m AND :b', '{":b": {"S": "z"}}'),
  ('n BETWEEN m AND :b', '{":b": {"N": "10"}}'),
  ('s BETWEEN :a AND n', '{":a": {"S": "a"}}'),
  (':a < :b', '{":a": {"N": "1"}, ":b": {"S": "2"}}'),
  (':a >= :b', '{":a": {"S": "1"}, ":b": {"B": "AAE="}}'),
  (':a < :b', '{":a": {"N": "1"}, ":b": {"N": "2"}}'),
  (':a = :b', '{":a": {"N": "1"}, ":b": {"S": "1"}}'),
  (':a <> :b', '{":a": {"N": "1"}, ":b": {"S": "1"}}'),
  (':a IN (:b, :c)', '{":a": {"N": "1"}, ":b": {"S": "1"}, ":c": {"N": "1.0"}}'),
  (':a IN (:b, :c)', '{":a": {"N": "1"}, ":b": {"S": "1"}, ":c": {"B": "AQ=="}}')) AS t(e, v);
-- refused before the table is looked up
SELECT pg_temp.api('DeleteItem', '{"TableName": "nosuch", "Key": {"pk": {"S": "k"}},
  "ConditionExpression": "n BETWEEN :a AND :b", "ExpressionAttributeValues": {":a": {"N": "1"}, ":b": {"S": "a"}}}');

-- the limits: 4 KB, 300 operators, 100 IN operands, 32 path levels
SELECT pg_temp.cond('n = n' || repeat(' ', 4091));
SELECT pg_temp.cond('n = n' || repeat(' ', 4092));
SELECT pg_temp.cond((SELECT string_agg('n = n', ' AND ') FROM generate_series(1, 150)));
SELECT pg_temp.cond((SELECT string_agg('n = n', ' AND ') FROM generate_series(1, 151)));
SELECT pg_temp.cond('n IN (' || string_agg(':v', ',') || ')', '{":v": {"N": "10"}}') FROM generate_series(1, 100);
SELECT pg_temp.cond('n IN (' || string_agg(':v', ',') || ')', '{":v": {"N": "10"}}') FROM generate_series(1, 101);
SELECT pg_temp.cond('attribute_exists(' || string_agg('a', '.') || ')') FROM generate_series(1, 32);
SELECT pg_temp.cond('attribute_exists(' || string_agg('a', '.') || ')') FROM generate_series(1, 33);
SELECT pg_temp.cond(repeat('(', 2000) || 'n = n' || repeat(')', 2000));
SELECT pg_temp.cond(repeat('(', 2000) || 'n = n' || repeat(')', 1999));
SELECT pg_temp.cond(repeat('NOT ', 1000) || 'n = n');
-- a #name or :value key is at most 255 bytes, its # or : included; the
-- length is checked first, in bytes (an é is two)
SELECT pg_temp.cond('#' || repeat('a', 254) || ' = :v', '{":v": {"N": "10"}}',
  jsonb_build_object('#' || repeat('a', 254), 'n'));
SELECT pg_temp.cond('#' || repeat('a', 255) || ' = :v', '{":v": {"N": "10"}}',
  jsonb_build_object('#' || repeat('a', 255), 'n'));
SELECT pg_temp.cond('n = :' || repeat('v', 254), jsonb_build_object(':' || repeat('v', 254), '{"N": "10"}'::jsonb));
SELECT pg_temp.cond('n = :' || repeat('v', 255), jsonb_build_object(':' || repeat('v', 255), '{"N": "10"}'::jsonb));
SELECT pg_temp.cond('#a = :v', '{":v": {"N": "10"}}',
  jsonb_build_object('#a', 'n', '#' || repeat('é', 128), 'x'));
SELECT pg_temp.cond('#a = :v', '{":v": {"N": "10"}}',
  jsonb_build_object('#a', 'n', '#' || repeat('é', 127), 'x'));
SELECT pg_temp.cond('n = :v', jsonb_build_object(':v', '{"N": "10"}'::jsonb, ':' || repeat('é', 128), '{"N": "1"}'::jsonb));
-- a longer token in the expression matches no key: not defined
SELECT replace(pg_temp.cond('n = :' || repeat('v', 255), '{":v": {"N": "10"}}'), repeat('v', 255), '<255 v>');
SELECT replace(pg_temp.cond('#' || repeat('a', 255) || ' = :v', '{":v": {"N": "10"}}', '{"#a": "n"}'),
  repeat('a', 255), '<255 a>');

-- parameters without expressions; legacy parameters still refused
SELECT pg_temp.api('PutItem', '{"TableName": "cnd", "Item": {"pk": {"S": "x"}},
  "ExpressionAttributeNames": {"#a": "a"}}');
SELECT pg_temp.api('PutItem', '{"TableName": "cnd", "Item": {"pk": {"S": "x"}},
  "ExpressionAttributeValues": {":a": {"S": "a"}}}');
SELECT pg_temp.api('DeleteItem', '{"TableName": "cnd", "Key": {"pk": {"S": "x"}},
  "ExpressionAttributeValues": {":a": {"S": "a"}}}');
SELECT pg_temp.api('PutItem', '{"TableName": "cnd", "Item": {"pk": {"S": "x"}},
  "Expected": {"a": {"Exists": false}}}');

-- put-if-absent, the failure with and without ALL_OLD
SELECT pg_temp.api('PutItem', '{"TableName": "cnd", "Item": {"pk": {"S": "new"}, "v": {"N": "1"}},
  "ConditionExpression": "attribute_not_exists(pk)"}');
SELECT pg_temp.detail('PutItem', '{"TableName": "cnd", "Item": {"pk": {"S": "new"}, "v": {"N": "2"}},
  "ConditionExpression": "attribute_not_exists(pk)"}');
SELECT pg_temp.detail('PutItem', '{"TableName": "cnd", "Item": {"pk": {"S": "new"}, "v": {"N": "2"}},
  "ConditionExpression": "attribute_not_exists(pk)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}');
SELECT pg_temp.api('PutItem', '{"TableName": "cnd", "Item": {"pk": {"S": "new"}, "v": {"N": "2"}},
  "ConditionExpression": "v = :one", "ExpressionAttributeValues": {":one": {"N": "1"}},
  "ReturnValues": "ALL_OLD"}');
-- a condition on a missing item: only attribute_not_exists and <> hold
SELECT pg_temp.api('PutItem', '{"TableName": "cnd", "Item": {"pk": {"S": "absent"}},
  "ConditionExpression": "attribute_exists(pk)"}');
SELECT pg_temp.api('PutItem', '{"TableName": "cnd", "Item": {"pk": {"S": "absent"}},
  "ConditionExpression": "v <> :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}');
-- conditional delete
SELECT pg_temp.detail('DeleteItem', '{"TableName": "cnd", "Key": {"pk": {"S": "new"}},
  "ConditionExpression": "v = :v", "ExpressionAttributeValues": {":v": {"N": "1"}},
  "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}');
SELECT pg_temp.api('DeleteItem', '{"TableName": "cnd", "Key": {"pk": {"S": "new"}},
  "ConditionExpression": "#v = :v", "ExpressionAttributeValues": {":v": {"N": "2"}},
  "ExpressionAttributeNames": {"#v": "v"}, "ReturnValues": "ALL_OLD"}');
SELECT pg_temp.api('DeleteItem', '{"TableName": "cnd", "Key": {"pk": {"S": "new"}},
  "ConditionExpression": "attribute_exists(pk)"}');
-- a bad expression is refused even when the item is missing, before the table
SELECT pg_temp.api('DeleteItem', '{"TableName": "nosuch", "Key": {"pk": {"S": "new"}},
  "ConditionExpression": "attribute_exists(pk"}');

-- clean up
SELECT dynpg.delete_table('{"TableName": "cnd"}') -> 'TableDescription' -> 'TableStatus';
