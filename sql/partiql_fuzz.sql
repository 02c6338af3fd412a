-- PartiQL parser robustness: seeded random token sequences, and valid
-- statements mutated (a span replaced by a token), fed to ExecuteStatement
-- through the SQL function, with and without Parameters.  Every outcome
-- must be success or one of DynamoDB's exceptions a statement can earn
-- (ValidationException YD001, ConditionalCheckFailed YD010,
-- ResourceNotFound YD011, DuplicateItem YD040): never another error, never
-- a crash.
\set SHOW_CONTEXT never
SELECT dynpg.create_table('{"TableName": "pqfuzz", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus';
INSERT INTO dynamodb.pqfuzz SELECT dynpg.from_plain_json(jsonb_build_object('pk', 'x', 'sk', i, 'a', i, 'l', jsonb_build_array(i)))
  FROM generate_series(1, 5) i;

CREATE FUNCTION pg_temp.outcome(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	n int := length(stmt) - length(replace(stmt, '?', ''));
BEGIN
	PERFORM dynpg.execute_statement(jsonb_build_object('Statement', stmt)
		|| CASE WHEN n BETWEEN 1 AND 20
		        THEN jsonb_build_object('Parameters', (SELECT jsonb_agg(CASE WHEN g % 2 = 0 THEN '{"N": "1"}'::jsonb
		                                                                  ELSE '{"S": "x"}'::jsonb END)
		                                                 FROM generate_series(1, n) g))
		        ELSE '{}' END);
	RETURN 'ok';
EXCEPTION WHEN others THEN
	RETURN SQLSTATE;
END $$;

SELECT setseed(0.2718);
CREATE TEMP TABLE fuzz_cases AS
SELECT i, (SELECT string_agg(tok[1 + g * 0 + floor(random() * array_length(tok, 1))::int], ' ')
           FROM generate_series(1, 1 + (i % 16)) AS g) AS stmt
FROM generate_series(1, 4000) AS i,
     (SELECT ARRAY['SELECT', 'INSERT', 'INTO', 'UPDATE', 'DELETE', 'FROM', 'WHERE', 'SET', 'REMOVE',
                   'VALUE', 'RETURNING', 'ALL', 'OLD', 'NEW', 'MODIFIED', 'ORDER', 'BY', 'DESC',
                   'EXISTS', 'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'MISSING', 'BETWEEN', 'TRUE',
                   'pqfuzz', '"pqfuzz"', '"pqfuzz"."ix"', 'pk', 'sk', 'a', 'l[0]', 'a.b', '"q""x"',
                   '*', '?', '=', '<>', '!=', '<', '<=', '>', '>=', '+', '-', '(', ')', '[', ']',
                   '{', '}', '<<', '>>', ',', ':', '.', ';', '''x''', '''it''''s''', '1', '-2.5',
                   '.5', '1e3', '1e', 'size(', 'begins_with(', 'contains(', 'attribute_type(',
                   'list_append(', 'set_add(', 'set_delete(', 'COUNT(', '--', '/*', '*/', '''',
                   '"', '#', 'é', 'AS', 'JOIN'] AS tok) AS t;
-- valid statements, as they are and mutated
INSERT INTO fuzz_cases
SELECT i, CASE WHEN i % 3 = 0 THEN seed
       ELSE overlay(seed PLACING tok[1 + floor(random() * array_length(tok, 1))::int]
                    FROM 1 + floor(random() * length(seed))::int FOR (i % 3)) END
FROM generate_series(1, 300) AS i,
     (VALUES ($$SELECT * FROM pqfuzz WHERE pk = 'x' AND sk = 1$$),
             ($$SELECT a, l[0] FROM "pqfuzz" WHERE pk = ? AND sk BETWEEN 1 AND 3 ORDER BY sk DESC$$),
             ($$SELECT * FROM pqfuzz WHERE a IN [1, 2, 3] OR NOT (a IS MISSING)$$),
             ($$INSERT INTO pqfuzz VALUE {'pk': 'y', 'sk': ?, 's': <<'a', 'b'>>, 'm': {'k': [1, 'z']}}$$),
             ($$UPDATE pqfuzz SET a = a + 1, l = list_append(l, [2]) REMOVE b WHERE pk = 'x' AND sk = 2 RETURNING ALL NEW *$$),
             ($$DELETE FROM pqfuzz WHERE pk = 'x' AND sk = 3 AND a = 3 RETURNING ALL OLD *$$),
             ($$FROM pqfuzz WHERE pk = 'x' AND sk = 4 SET a = 'it''s' /* c */ -- d$$)) AS v(seed),
     (SELECT ARRAY['a', '?', '(', ')', '=', 'AND', 'NOT', ',', '[', ']', '.', '+', '-', '{', '}',
                   '<<', '>>', '''', '"', 'SET', 'size(', '7', ':', ''] AS tok) AS t;
CREATE TEMP TABLE fuzz_outcomes AS SELECT i, stmt, pg_temp.outcome(stmt) AS outcome FROM fuzz_cases;
SELECT outcome, count(*) > 0 AS seen FROM fuzz_outcomes GROUP BY outcome ORDER BY outcome;
SELECT count(*) AS unexpected FROM fuzz_outcomes WHERE outcome NOT IN ('ok', 'YD001', 'YD010', 'YD011', 'YD040');
SELECT stmt, outcome FROM fuzz_outcomes WHERE outcome NOT IN ('ok', 'YD001', 'YD010', 'YD011', 'YD040') LIMIT 5;

-- clean up
SELECT dynpg.delete_table('{"TableName": "pqfuzz"}') -> 'TableDescription' -> 'TableStatus';
