-- The key scan (src/am/dynpg_keyscan.c): a SQL WHERE naming the partition
-- key (item ->> 'pk' = value, or item -> 'pk' = typed jsonb), with or
-- without the sort key, is read by key -- one item, or one partition --
-- instead of the whole table; EXPLAIN shows it.  Every restriction stays a
-- filter, so results are exactly the sequential scan's: each query below
-- is run both ways and compared.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;

SELECT dynpg.create_table('{"TableName": "posts", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "topic", "KeyType": "HASH"}, {"AttributeName": "seq", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "topic", "AttributeType": "S"}, {"AttributeName": "seq", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS posts;
SELECT dynpg.create_table('{"TableName": "people", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "PersonID", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "PersonID", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS people;
SELECT dynpg.create_table('{"TableName": "blobs", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "B"}]}') -> 'TableDescription' -> 'TableStatus' AS blobs;

-- 20 topics of 50 posts; 1,000 people; 3 blobs (written item by item: the
-- plans below are costed for tables as random-order writes leave them)
SET dynpg.bulk_load = off;
INSERT INTO dynamodb.posts
SELECT dynpg.from_plain_json(jsonb_build_object('topic', 't' || t, 'seq', s, 'body', 'post ' || t || '/' || s,
                                                'even', s % 2 = 0))
  FROM generate_series(1, 20) t, generate_series(1, 50) s;
INSERT INTO dynamodb.people
SELECT dynpg.from_plain_json(jsonb_build_object('PersonID', p, 'name', 'person ' || p))
  FROM generate_series(1, 1000) p;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'blobs', 'Item',
	jsonb_build_object('id', jsonb_build_object('B', b), 'n', jsonb_build_object('N', i::text)))))
  FROM unnest(ARRAY['AAEC', 'AwQF', '/w=='], ARRAY[1, 2, 3]) AS u(b, i);
RESET dynpg.bulk_load;
ANALYZE dynamodb.posts, dynamodb.people, dynamodb.blobs;

-- Compares a query's rows under the key scan and under a sequential scan:
-- 'same (n rows)' or the difference.
CREATE FUNCTION pg_temp.both_ways(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	a text[];
	b text[];
BEGIN
	SET LOCAL dynpg.enable_keyscan = on;
	EXECUTE 'SELECT coalesce(array_agg(x::text ORDER BY x::text), ''{}'') FROM (' || q || ') x' INTO a;
	SET LOCAL dynpg.enable_keyscan = off;
	EXECUTE 'SELECT coalesce(array_agg(x::text ORDER BY x::text), ''{}'') FROM (' || q || ') x' INTO b;
	SET LOCAL dynpg.enable_keyscan = on;
	IF a IS DISTINCT FROM b THEN
		RETURN 'DIFFERENT: keyscan ' || a::text || ' seqscan ' || b::text;
	END IF;
	RETURN 'same (' || cardinality(a) || ' rows)';
END $$;
-- The plan's scan node and its key, without costs.
CREATE FUNCTION pg_temp.plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	l text;
BEGIN
	FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		RETURN NEXT l;
	END LOOP;
END $$;

-- One item by both keys; one partition by the partition key
SELECT pg_temp.plan($$SELECT item ->> 'body' FROM dynamodb.posts WHERE item ->> 'topic' = 't7' AND item ->> 'seq' = '12'$$);
SELECT item ->> 'body' FROM dynamodb.posts WHERE item ->> 'topic' = 't7' AND item ->> 'seq' = '12';
SELECT pg_temp.plan($$SELECT count(*) FROM dynamodb.posts WHERE item ->> 'topic' = 't7'$$);
SELECT count(*), min((item ->> 'seq')::int), max((item ->> 'seq')::int)
  FROM dynamodb.posts WHERE item ->> 'topic' = 't7';
-- the value on the left, other restrictions as filters
SELECT pg_temp.plan($$SELECT * FROM dynamodb.posts WHERE 't3' = item ->> 'topic' AND item ->> 'even' = 'true'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE 't3' = item ->> 'topic' AND item ->> 'even' = 'true'$$);
-- typed jsonb, and the function forms
SELECT pg_temp.plan($$SELECT * FROM dynamodb.people WHERE item -> 'PersonID' = '{"N": "42"}'$$);
SELECT item ->> 'name' FROM dynamodb.people WHERE item -> 'PersonID' = '{"N": "42"}';
SELECT item ->> 'name' FROM dynamodb.people WHERE dynpg.attr_text(item, 'PersonID') = '43';
SELECT item ->> 'name' FROM dynamodb.people WHERE dynpg.attr(item, 'PersonID') = '{"N": "44"}'::jsonb;

-- A number key: ->> gives the number's canonical text, so '42.0' reads the
-- item of key 42 and the filter drops it, as a sequential scan would
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.people WHERE item ->> 'PersonID' = '42.0'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.people WHERE item ->> 'PersonID' = '4.2E1'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.people WHERE item ->> 'PersonID' = '42'$$);
-- values no key can equal read nothing: not a number, the wrong type
-- letter, NULL, an empty string, a key too long, bad base64
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.people WHERE item ->> 'PersonID' = 'forty-two'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.people WHERE item -> 'PersonID' = '{"S": "42"}'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.people WHERE item -> 'PersonID' = '{"N": 42}'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.people WHERE item -> 'PersonID' = '{"N": "42", "S": "x"}'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.people WHERE item ->> 'PersonID' = NULL$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = ''$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = repeat('t', 3000)$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND item ->> 'seq' = 'x'$$);
-- binary keys: ->> gives base64
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.blobs WHERE item ->> 'id' = 'AwQF'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.blobs WHERE item ->> 'id' = '/w=='$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.blobs WHERE item -> 'id' = '{"B": "AAEC"}'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.blobs WHERE item ->> 'id' = 'AwQ'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.blobs WHERE item ->> 'id' = 'A=QF'$$);

-- IN lists and = ANY (array): each distinct key read once, in key order
SELECT pg_temp.plan($$SELECT * FROM dynamodb.posts WHERE item ->> 'topic' IN ('t1', 't2', 't1')$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' IN ('t1', 't2', 't1', 'none', NULL)$$);
SELECT pg_temp.plan($$SELECT * FROM dynamodb.posts WHERE item ->> 'topic' IN ('t1', 't2') AND item ->> 'seq' IN ('1', '2', '2', '99')$$);
SELECT item ->> 'body' FROM dynamodb.posts
 WHERE item ->> 'topic' IN ('t1', 't2') AND item ->> 'seq' IN ('1', '2', '2', '99') ORDER BY 1;
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' IN ('t1', 't2') AND item ->> 'seq' IN ('1', '2', '2', '99')$$);
SELECT pg_temp.plan($$SELECT * FROM dynamodb.people WHERE item -> 'PersonID' IN ('{"N": "5"}', '{"N": "6"}', '{"S": "7"}')$$);
SELECT item ->> 'name' FROM dynamodb.people WHERE item -> 'PersonID' IN ('{"N": "5"}', '{"N": "6"}', '{"S": "7"}') ORDER BY 1;
-- numbers written two ways are one key: read once, and the filter keeps what ->> equals
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.people WHERE item ->> 'PersonID' IN ('8', '8.0', '80E-1', '9')$$);
PREPARE many(text[]) AS SELECT count(*) FROM dynamodb.posts WHERE item ->> 'topic' = ANY ($1);
SET plan_cache_mode = force_generic_plan;
SELECT pg_temp.plan('EXECUTE many(ARRAY[''t1''])');
EXECUTE many(ARRAY['t1', 't3', 't3', 'x']);
EXECUTE many(ARRAY[]::text[]);
EXECUTE many(NULL);
RESET plan_cache_mode;
-- NOT IN and <> ALL are not key reads
SELECT pg_temp.plan($$SELECT * FROM dynamodb.posts WHERE item ->> 'topic' <> ALL (ARRAY['t1'])$$);

-- Sort-key conditions narrow the partition to a range: numbers through
-- numeric (number order is key order), strings under a collation that
-- compares bytes (key order), prefixes by LIKE, starts_with and ^@
SELECT pg_temp.plan($$SELECT * FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric BETWEEN 10 AND 12$$);
SELECT item ->> 'seq' FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric BETWEEN 10 AND 12;
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric > 47.5$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric <= 3$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND 3 >= (item ->> 'seq')::numeric$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric > 10 AND (item ->> 'seq')::numeric < 5$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric > 'NaN'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric < 'NaN'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric > '-Infinity'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric < 1e200$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric > 1e-200$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric > NULL$$);
-- a number equality: one item, however the number is written
SELECT pg_temp.plan($$SELECT * FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric = 7$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric = 7.000$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric = '7.000000000000000000000000000000000000000000000000'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND (item ->> 'seq')::numeric = '0.7e1'$$);
SELECT pg_temp.plan($$SELECT * FROM dynamodb.people WHERE (item ->> 'PersonID')::numeric = 42$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.people WHERE (item ->> 'PersonID')::numeric IN (42, 43.0, 4.4e1)$$);
-- a string sort key
SELECT dynpg.create_table('{"TableName": "events", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "dev", "KeyType": "HASH"}, {"AttributeName": "ts", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "dev", "AttributeType": "S"}, {"AttributeName": "ts", "AttributeType": "S"}]}') -> 'TableDescription' -> 'TableStatus' AS events;
INSERT INTO dynamodb.events
SELECT dynpg.from_plain_json(jsonb_build_object('dev', 'd' || d, 'ts', to_char(date '2026-01-01' + n, 'YYYY-MM-DD'), 'n', n))
  FROM generate_series(1, 3) d, generate_series(0, 99) n;
INSERT INTO dynamodb.events VALUES (dynpg.from_plain_json('{"dev": "d1", "ts": "2026_x"}')),
  (dynpg.from_plain_json('{"dev": "d1", "ts": "2026%y"}')), (dynpg.from_plain_json('{"dev": "d1", "ts": "Zulu"}'));
ANALYZE dynamodb.events;
SELECT pg_temp.plan($$SELECT * FROM dynamodb.events WHERE item ->> 'dev' = 'd1' AND item ->> 'ts' >= '2026-03-01' COLLATE "C"$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.events WHERE item ->> 'dev' = 'd1' AND item ->> 'ts' >= '2026-03-01' COLLATE "C"$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.events WHERE item ->> 'dev' = 'd1' AND item ->> 'ts' COLLATE "C" BETWEEN '2026-02-01' AND '2026-02-05'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.events WHERE item ->> 'dev' = 'd1' AND item ->> 'ts' < '2026-01-03' COLLATE "C"$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.events WHERE item ->> 'dev' = 'd1' AND item ->> 'ts' > '' COLLATE "C"$$);
SELECT pg_temp.plan($$SELECT * FROM dynamodb.events WHERE item ->> 'dev' = 'd1' AND item ->> 'ts' LIKE '2026-02%'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.events WHERE item ->> 'dev' = 'd1' AND item ->> 'ts' LIKE '2026-02%'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.events WHERE item ->> 'dev' = 'd1' AND item ->> 'ts' LIKE '2026-0_-1%'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.events WHERE item ->> 'dev' = 'd1' AND item ->> 'ts' LIKE '2026\_%'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.events WHERE item ->> 'dev' = 'd1' AND item ->> 'ts' LIKE '2026!%%' ESCAPE '!'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.events WHERE item ->> 'dev' = 'd1' AND item ->> 'ts' LIKE '%-01'$$);
SELECT pg_temp.plan($$SELECT * FROM dynamodb.events WHERE item ->> 'dev' = 'd2' AND starts_with(item ->> 'ts', '2026-03')$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.events WHERE item ->> 'dev' = 'd2' AND starts_with(item ->> 'ts', '2026-03')$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.events WHERE item ->> 'dev' = 'd2' AND item ->> 'ts' ^@ '2026-04-0'$$);
SELECT pg_temp.both_ways($$SELECT item FROM dynamodb.events WHERE item ->> 'dev' IN ('d1', 'd3') AND item ->> 'ts' ^@ '2026-04-0'$$);
-- not ranges: a collation whose order is not the bytes', text order on a number key
SELECT pg_temp.plan($$SELECT * FROM dynamodb.events WHERE item ->> 'dev' = 'd1' AND item ->> 'ts' >= '2026-03-01' COLLATE "und-x-icu"$$);
SELECT pg_temp.plan($$SELECT * FROM dynamodb.posts WHERE item ->> 'topic' = 't1' AND item ->> 'seq' > '5' COLLATE "C"$$);
SELECT dynpg.delete_table('{"TableName": "events"}') IS NOT NULL AS dropped;

-- Parameters: a prepared statement, its generic plan too
PREPARE one(text, text) AS
  SELECT item ->> 'body' FROM dynamodb.posts WHERE item ->> 'topic' = $1 AND item ->> 'seq' = $2;
EXECUTE one('t1', '1');
SET plan_cache_mode = force_generic_plan;
SELECT pg_temp.plan('EXECUTE one(''t2'', ''2'')');
EXECUTE one('t2', '2');
EXECUTE one('t2', NULL);
RESET plan_cache_mode;
-- a stable expression, and a value from a sub-select (an init plan)
SELECT item ->> 'body' FROM dynamodb.posts WHERE item ->> 'topic' = lower('T9') AND item ->> 'seq' = (2 + 3)::text;
SELECT pg_temp.plan($$SELECT * FROM dynamodb.posts WHERE item ->> 'topic' = (SELECT 't' || 4)$$);
SELECT count(*) FROM dynamodb.posts WHERE item ->> 'topic' = (SELECT 't' || 4);
-- Joins: the key scan reads the side fixed by the WHERE, and as a nested
-- loop's inner side it reads one item (or partition) per outer row
SELECT pg_temp.plan($$SELECT p.item ->> 'seq', q.item ->> 'name' FROM dynamodb.posts p
  JOIN dynamodb.people q ON q.item ->> 'PersonID' = p.item ->> 'seq' WHERE p.item ->> 'topic' = 't5'$$);
SELECT pg_temp.both_ways($$SELECT p.item ->> 'seq', q.item ->> 'name' FROM dynamodb.posts p
  JOIN dynamodb.people q ON q.item ->> 'PersonID' = p.item ->> 'seq' WHERE p.item ->> 'topic' = 't5'$$);
CREATE TEMP TABLE wanted (topic text, seq text);
INSERT INTO wanted VALUES ('t1', '1'), ('t1', '50'), ('t20', '7'), ('t21', '1'), ('t3', NULL);
ANALYZE wanted;
SELECT pg_temp.plan($$SELECT w.topic, w.seq, p.item ->> 'body' FROM wanted w
  JOIN dynamodb.posts p ON p.item ->> 'topic' = w.topic AND p.item ->> 'seq' = w.seq$$);
SELECT w.topic, w.seq, p.item ->> 'body' FROM wanted w
  JOIN dynamodb.posts p ON p.item ->> 'topic' = w.topic AND p.item ->> 'seq' = w.seq ORDER BY 1, 2;
SELECT pg_temp.both_ways($$SELECT w.topic, w.seq, p.item ->> 'body' FROM wanted w
  JOIN dynamodb.posts p ON p.item ->> 'topic' = w.topic AND p.item ->> 'seq' = w.seq$$);
-- by partition: the outer row names the partition key only (on a table
-- this small the planner prefers a hash join; without one, the key scan)
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT pg_temp.plan($$SELECT w.topic, count(p.item) FROM wanted w
  LEFT JOIN dynamodb.posts p ON p.item ->> 'topic' = w.topic GROUP BY w.topic$$);
SELECT w.topic, count(p.item) FROM wanted w
  LEFT JOIN dynamodb.posts p ON p.item ->> 'topic' = w.topic GROUP BY w.topic ORDER BY 1;
SELECT pg_temp.both_ways($$SELECT w.topic, count(p.item) FROM wanted w
  LEFT JOIN dynamodb.posts p ON p.item ->> 'topic' = w.topic GROUP BY w.topic$$);
RESET enable_hashjoin;
RESET enable_mergejoin;

-- Not a key scan: the key in an OR, an inequality, a volatile value, a
-- column of another table, a nondeterministic collation, a non-key attribute
SELECT pg_temp.plan($$SELECT * FROM dynamodb.posts WHERE item ->> 'topic' = 't1' OR item ->> 'topic' = 't2'$$);
SELECT pg_temp.plan($$SELECT * FROM dynamodb.posts WHERE item ->> 'topic' > 't1'$$);
SELECT pg_temp.plan($$SELECT * FROM dynamodb.people WHERE item ->> 'PersonID' = (random() * 0)::int::text$$);
SELECT pg_temp.plan($$SELECT * FROM dynamodb.posts WHERE item ->> 'body' = 'post t1/1'$$);
CREATE COLLATION pg_temp.nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SELECT pg_temp.plan($$SELECT * FROM dynamodb.posts WHERE item ->> 'topic' = 'T1' COLLATE pg_temp.nocase$$);
SELECT count(*) FROM dynamodb.posts WHERE item ->> 'topic' = 'T1' COLLATE pg_temp.nocase;
SET dynpg.enable_keyscan = off;
SELECT pg_temp.plan($$SELECT * FROM dynamodb.posts WHERE item ->> 'topic' = 't1'$$);
RESET dynpg.enable_keyscan;
-- a relation of the access method whose definition is broken is scanned, not refused
CREATE TABLE dynamodb.forged (item dynpg.item NOT NULL) USING dynpg;
SELECT pg_temp.plan($$SELECT * FROM dynamodb.forged WHERE item ->> 'p' = 'x'$$);
SELECT count(*) FROM dynamodb.forged WHERE item ->> 'p' = 'x';
DROP TABLE dynamodb.forged;

-- MVCC: the key scan reads with the statement's snapshot
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT item ->> 'name' FROM dynamodb.people WHERE item ->> 'PersonID' = '7';
SELECT dynpg.put_item('{"TableName": "people", "Item": {"PersonID": {"N": "7"}, "name": {"S": "renamed"}}}') IS NOT NULL AS put;
SELECT item ->> 'name' FROM dynamodb.people WHERE item ->> 'PersonID' = '7';
COMMIT;
SELECT item ->> 'name' FROM dynamodb.people WHERE item ->> 'PersonID' = '7';
SELECT dynpg.delete_item('{"TableName": "people", "Key": {"PersonID": {"N": "7"}}}') IS NOT NULL AS deleted;
SELECT count(*) FROM dynamodb.people WHERE item ->> 'PersonID' = '7';

-- a cursor over a partition, fetched backwards and forwards (rescan)
BEGIN;
DECLARE c SCROLL CURSOR FOR SELECT item ->> 'seq' FROM dynamodb.posts WHERE item ->> 'topic' = 't2';
FETCH 2 FROM c;
FETCH ABSOLUTE 1 FROM c;
FETCH LAST FROM c;
CLOSE c;
COMMIT;
-- a nested loop rescans the key scan once per outer row
SELECT pg_temp.both_ways($$SELECT t, (SELECT count(*) FROM dynamodb.posts WHERE item ->> 'topic' = t)
  FROM unnest(ARRAY['t1', 't2', 'nope']) t$$);

-- The key scan feeds UPDATE, DELETE and row locks: its rows carry their TIDs
SELECT pg_temp.plan($$UPDATE dynamodb.posts SET item = dynpg.from_plain_json(dynpg.to_plain_json(item) || '{"edited": true}')
  WHERE item ->> 'topic' = 't9' AND (item ->> 'seq')::numeric <= 3$$);
UPDATE dynamodb.posts SET item = dynpg.from_plain_json(dynpg.to_plain_json(item) || '{"edited": true}')
  WHERE item ->> 'topic' = 't9' AND (item ->> 'seq')::numeric <= 3
  RETURNING item ->> 'seq', item ->> 'edited';
SELECT count(*) FILTER (WHERE item ? 'edited') AS edited, count(*) FROM dynamodb.posts WHERE item ->> 'topic' = 't9';
SELECT item ->> 'body' FROM dynamodb.posts WHERE item ->> 'topic' = 't9' AND item ->> 'seq' = '2';
SELECT pg_temp.plan($$DELETE FROM dynamodb.posts WHERE item ->> 'topic' IN ('t10', 't11') AND item ->> 'seq' = '50'$$);
DELETE FROM dynamodb.posts WHERE item ->> 'topic' IN ('t10', 't11') AND item ->> 'seq' = '50' RETURNING item ->> 'topic';
SELECT count(*) FROM dynamodb.posts WHERE item ->> 'topic' IN ('t10', 't11');
-- driven by a join: the key scan under a nested loop, its TIDs in the map
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT pg_temp.plan($$DELETE FROM dynamodb.posts p USING wanted w
  WHERE p.item ->> 'topic' = w.topic AND p.item ->> 'seq' = w.seq$$);
DELETE FROM dynamodb.posts p USING wanted w
  WHERE p.item ->> 'topic' = w.topic AND p.item ->> 'seq' = w.seq RETURNING p.item ->> 'body';
RESET enable_hashjoin;
RESET enable_mergejoin;
SELECT count(*) FROM dynamodb.posts WHERE item ->> 'topic' = 't1';
BEGIN;
SELECT item ->> 'seq' FROM dynamodb.posts WHERE item ->> 'topic' = 't9' AND item ->> 'seq' = '4' FOR UPDATE;
UPDATE dynamodb.posts SET item = dynpg.from_plain_json(dynpg.to_plain_json(item) || '{"locked": 1}')
  WHERE item ->> 'topic' = 't9' AND item ->> 'seq' = '4' RETURNING item ->> 'locked';
COMMIT;
SELECT dynpg.verify('posts') ->> 'ok' AS verified;

SELECT dynpg.delete_table('{"TableName": "posts"}') IS NOT NULL AS dropped;
SELECT dynpg.delete_table('{"TableName": "people"}') IS NOT NULL AS dropped;
SELECT dynpg.delete_table('{"TableName": "blobs"}') IS NOT NULL AS dropped;
