-- Parser robustness: seeded random token sequences fed to ConditionExpression,
-- ProjectionExpression, UpdateExpression, Query's KeyConditionExpression and
-- Scan's FilterExpression through the real SQL functions.
-- Every outcome must be success, ConditionalCheckFailed (YD010) or a
-- ValidationException (YD001): never another error, never a crash.
\set SHOW_CONTEXT never
SELECT dynpg.create_table('{"TableName": "fuzz", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}') -> 'TableDescription' -> 'TableStatus';
SELECT dynpg.put_item('{"TableName": "fuzz", "Item": {"pk": {"S": "k"}, "a": {"N": "1"},
  "b": {"M": {"c": {"L": [{"S": "x"}, {"N": "2"}]}}}, "l": {"L": [{"N": "1"}]}, "s": {"SS": ["x"]}}}');
SELECT dynpg.create_table('{"TableName": "fuzzq", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                           {"AttributeName": "sk", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus';
INSERT INTO dynamodb.fuzzq SELECT dynpg.from_plain_json(jsonb_build_object('pk', 'x', 'sk', i, 'a', i))
  FROM generate_series(1, 5) i;

CREATE FUNCTION pg_temp.outcome(kind text, expr text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	names jsonb := '{"#n": "a", "#m": "b"}';
	vals jsonb := '{":v": {"N": "1"}, ":w": {"S": "x"}, ":l": {"L": [{"N": "3"}]}, ":s": {"SS": ["y"]}}';
BEGIN
	-- only the names and values the expression mentions, else "unused" hides the rest
	SELECT jsonb_object_agg(key, value) INTO names FROM jsonb_each(names) WHERE position(key IN expr) > 0;
	SELECT jsonb_object_agg(key, value) INTO vals FROM jsonb_each(vals) WHERE position(key IN expr) > 0;
	IF kind = 'condition' THEN
		PERFORM dynpg.delete_item(jsonb_build_object('TableName', 'fuzz', 'Key', '{"pk": {"S": "nokey"}}'::jsonb,
			'ConditionExpression', expr, 'ExpressionAttributeNames', names, 'ExpressionAttributeValues', vals));
	ELSIF kind = 'keycondition' THEN
		PERFORM dynpg.query(jsonb_build_object('TableName', 'fuzzq', 'KeyConditionExpression', expr,
			'ExpressionAttributeNames', names, 'ExpressionAttributeValues', vals));
	ELSIF kind = 'filter' THEN
		PERFORM dynpg.scan(jsonb_build_object('TableName', 'fuzz', 'FilterExpression', expr,
			'ExpressionAttributeNames', names, 'ExpressionAttributeValues', vals));
	ELSIF kind = 'projection' THEN
		PERFORM dynpg.get_item(jsonb_build_object('TableName', 'fuzz', 'Key', '{"pk": {"S": "k"}}'::jsonb,
			'ProjectionExpression', expr, 'ExpressionAttributeNames', names));
	ELSE
		PERFORM dynpg.update_item(jsonb_build_object('TableName', 'fuzz', 'Key', '{"pk": {"S": "k"}}'::jsonb,
			'UpdateExpression', expr, 'ExpressionAttributeNames', names, 'ExpressionAttributeValues', vals));
	END IF;
	RETURN 'ok';
EXCEPTION WHEN others THEN
	RETURN SQLSTATE;
END $$;

SELECT setseed(0.4242);
CREATE TEMP TABLE fuzz_cases AS
SELECT i, kind, (SELECT string_agg(tok[1 + g * 0 + floor(random() * array_length(tok, 1))::int], ' ')
                 FROM generate_series(1, 1 + (i % 12)) AS g) AS expr
FROM generate_series(1, 3000) AS i,
     (VALUES ('condition'), ('projection'), ('update'), ('keycondition'), ('filter')) AS k(kind),
     (SELECT ARRAY['a', 'b.c', 'b.c[1]', 'l[0]', '#n', '#m.c', ':v', ':w', ':l', ':s', '(', ')', '=',
                   '<>', '<', '<=', '>', '>=', 'AND', 'OR', 'NOT', 'BETWEEN', 'IN', ',', 'size(',
                   'attribute_exists(', 'attribute_not_exists(', 'contains(', 'begins_with(',
                   'attribute_type(', '[', ']', '.', '+', '-', 'SET', 'REMOVE', 'ADD', 'DELETE',
                   'if_not_exists(', 'list_append(', '7', '#', ':', '!', 'name', '#x', ':x',
                   'a.b.c.d', 'l[99999999999]', 'é', 'pk', 'sk'] AS tok) AS t;
-- valid expressions, as they are and mutated (a span replaced by a token)
INSERT INTO fuzz_cases
SELECT i, kind, CASE WHEN i % 3 = 0 THEN seed
       ELSE overlay(seed PLACING tok[1 + floor(random() * array_length(tok, 1))::int]
                    FROM 1 + floor(random() * length(seed))::int FOR (i % 3)) END
FROM generate_series(1, 1000) AS i,
     (VALUES ('condition', 'a = :v'), ('condition', 'attribute_exists(b.c[1]) AND #n <> :w'),
             ('condition', 'a BETWEEN :v AND :v'), ('condition', 'size(b.c) > :v OR NOT contains(s, :w)'),
             ('condition', 'a IN (:v, :v) AND begins_with(#m.c[0], :w)'),
             ('condition', 'attribute_not_exists(pk) OR attribute_type(a, :w)'),
             ('projection', 'a, b.c[1], #n'), ('projection', '#m.c[0], l'),
             ('update', 'SET a = a + :v REMOVE l[0] ADD s :s'),
             ('update', 'SET l = list_append(l, :l), #m.c[5] = if_not_exists(#n, :v)'),
             ('update', 'DELETE s :s SET #n = :v - a'),
             ('keycondition', 'pk = :w AND sk BETWEEN :v AND :v'),
             ('keycondition', 'pk = :w AND begins_with(sk, :w)'), ('keycondition', ':w = pk AND :v < sk'),
             ('filter', 'a = :v AND attribute_exists(b.c[1])')) AS v(kind, seed),
     (SELECT ARRAY['a', '#n', ':v', '(', ')', '=', 'AND', 'NOT', ',', '[', ']', '.', '+', '-',
                   'SET', 'size(', '7', ':', ''] AS tok) AS t;
SELECT kind, outcome, count(*) > 0 AS seen
FROM (SELECT kind, pg_temp.outcome(kind, expr) AS outcome FROM fuzz_cases) s
GROUP BY kind, outcome ORDER BY kind, outcome;
SELECT count(*) AS unexpected FROM (SELECT pg_temp.outcome(kind, expr) AS o FROM fuzz_cases) s
WHERE o NOT IN ('ok', 'YD001', 'YD010');

-- clean up
SELECT dynpg.delete_table('{"TableName": "fuzz"}') -> 'TableDescription' -> 'TableStatus';
SELECT dynpg.delete_table('{"TableName": "fuzzq"}') -> 'TableDescription' -> 'TableStatus';
