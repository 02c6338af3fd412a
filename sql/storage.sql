-- The dynpg table access method seen from SQL: the largest keys, what SQL
-- can do with a table relation (SELECT, INSERT, COPY, TRUNCATE) and what
-- it refuses with a clear error (PostgreSQL indexes,
-- TABLESAMPLE, VACUUM FULL), and that parallel plans
-- are never chosen.
SELECT dynpg.create_table('{"TableName":"store","BillingMode":"PAY_PER_REQUEST",
  "KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"}]}') IS NOT NULL AS created;

-- keys of the maximum sizes (2048-byte partition key, 1024-byte sort key),
-- enough of them to split leaves and internal pages
INSERT INTO dynamodb.store
SELECT dynpg.from_plain_json(jsonb_build_object(
		'p', repeat(chr(65 + i % 26), 2048), 's', lpad(i::text, 1024, '#'), 'v', i))
  FROM generate_series(1, 300) i;
SELECT count(*) AS items FROM dynamodb.store;
SELECT dynpg.get_item(jsonb_build_object('TableName', 'store', 'Key', jsonb_build_object(
		'p', jsonb_build_object('S', repeat('H', 2048)), 's', jsonb_build_object('S', lpad('7', 1024, '#')))))
		-> 'Item' -> 'v' AS v_of_item_7;
SELECT (dynpg.verify('store') ->> 'ok')::boolean AS verify_ok,
       (dynpg.verify('store') ->> 'internal_pages')::int > 0 AS has_internal_pages;
-- a scroll cursor reads the leaves backward in exactly the reverse order
DO $$
DECLARE
	c refcursor;
	r record;
	f int[] := '{}';
	b int[] := '{}';
BEGIN
	OPEN c SCROLL FOR SELECT dynpg.attr_text(item, 'v')::int AS v FROM dynamodb.store;
	LOOP FETCH NEXT FROM c INTO r; EXIT WHEN NOT FOUND; f := f || r.v; END LOOP;
	LOOP FETCH PRIOR FROM c INTO r; EXIT WHEN NOT FOUND; b := b || r.v; END LOOP;
	RAISE NOTICE 'forward % rows, backward % rows, backward is forward reversed: %',
		cardinality(f), cardinality(b),
		f = (SELECT array_agg(x ORDER BY o DESC) FROM unnest(b) WITH ORDINALITY u(x, o));
	CLOSE c;
END $$;
-- one byte more is refused with DynamoDB's messages, and nothing is written
SELECT dynpg.put_item(jsonb_build_object('TableName', 'store', 'Item',
		jsonb_build_object('p', jsonb_build_object('S', repeat('x', 2049)), 's', jsonb_build_object('S', 'a'))));
SELECT dynpg.put_item(jsonb_build_object('TableName', 'store', 'Item',
		jsonb_build_object('p', jsonb_build_object('S', 'a'), 's', jsonb_build_object('S', repeat('x', 1025)))));
INSERT INTO dynamodb.store VALUES ('{"p":{"S":"only partition key"}}');
SELECT count(*) AS items FROM dynamodb.store;

-- SQL INSERT goes through the same write path: an existing key is a unique violation
INSERT INTO dynamodb.store VALUES ('{"p":{"S":"k"},"s":{"S":"1"},"v":{"N":"1"}}');
INSERT INTO dynamodb.store VALUES ('{"p":{"S":"k"},"s":{"S":"1"},"v":{"N":"2"}}');
SELECT dynpg.get_item('{"TableName":"store","Key":{"p":{"S":"k"},"s":{"S":"1"}}}');
-- COPY in and out
COPY (SELECT item FROM dynamodb.store WHERE dynpg.attr_text(item, 'p') = 'k') TO '/tmp/dynpg_storage_copy.txt';
TRUNCATE dynamodb.store;
SELECT count(*) AS after_truncate FROM dynamodb.store;
COPY dynamodb.store FROM '/tmp/dynpg_storage_copy.txt';
SELECT item FROM dynamodb.store;
SELECT (dynpg.verify('store') ->> 'ok')::boolean AS verify_ok_after_truncate;

-- what SQL cannot do on a dynpg table, and says so (UPDATE, DELETE, MERGE,
-- FOR UPDATE and ctid look-ups work: the sql_update_delete suite)
CREATE INDEX ON dynamodb.store (item);
SELECT count(*) FROM dynamodb.store TABLESAMPLE SYSTEM (50);
VACUUM FULL dynamodb.store;
-- no parallel plans, however cheap they are made
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT count(*) FROM dynamodb.store;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
-- ANALYZE samples the leaves
ANALYZE dynamodb.store;
SELECT reltuples FROM pg_class WHERE oid = 'dynamodb.store'::regclass;

-- temporary and unlogged relations work too
SELECT dynpg.table_definition('dynamodb.store'::regclass) AS def \gset
CREATE TEMP TABLE tmp_items (item dynpg.item NOT NULL,
	CONSTRAINT dynpg_table CHECK (dynpg.conforms(item, :'def'::jsonb))) USING dynpg;
INSERT INTO tmp_items SELECT item FROM dynamodb.store;
SELECT count(*) AS temp_items FROM tmp_items;
CREATE UNLOGGED TABLE dynamodb.unlogged_items (item dynpg.item NOT NULL,
	CONSTRAINT dynpg_table CHECK (dynpg.conforms(item, :'def'::jsonb))) USING dynpg;
INSERT INTO dynamodb.unlogged_items SELECT item FROM dynamodb.store;
SELECT count(*) AS unlogged_items FROM dynamodb.unlogged_items;
DROP TABLE dynamodb.unlogged_items;
DROP TABLE tmp_items;
SELECT dynpg.delete_table('{"TableName":"store"}') IS NOT NULL AS deleted;
-- publications would silently miss dynpg tables' changes, so they are refused
SELECT dynpg.create_table('{"TableName":"pub","BillingMode":"PAY_PER_REQUEST",
  "KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"}]}') IS NOT NULL AS created;
CREATE PUBLICATION p1 FOR TABLE dynamodb.pub;
CREATE PUBLICATION p2 FOR TABLES IN SCHEMA dynamodb;
CREATE PUBLICATION p3 FOR ALL TABLES;
CREATE PUBLICATION p4;
ALTER PUBLICATION p4 ADD TABLE dynamodb.pub;
DROP PUBLICATION p4;
SELECT dynpg.delete_table('{"TableName":"pub"}') IS NOT NULL AS deleted;
-- ALTER TABLE keeps the one-column shape and the definition
SELECT dynpg.create_table('{"TableName":"alt","BillingMode":"PAY_PER_REQUEST",
  "KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"}]}') IS NOT NULL AS created;
ALTER TABLE dynamodb.alt ADD COLUMN extra int;
ALTER TABLE dynamodb.alt DROP CONSTRAINT dynpg_table;
ALTER TABLE dynamodb.alt ALTER COLUMN item TYPE text;
ALTER TABLE dynamodb.alt ADD CONSTRAINT small CHECK (dynpg.item_size(item) < 1000);
ALTER TABLE dynamodb.alt RENAME TO alt_renamed;
ALTER TABLE dynamodb.alt_renamed RENAME TO alt;
ALTER TABLE dynamodb.alt SET (autovacuum_vacuum_scale_factor = 0.05);
CREATE FUNCTION pg_temp.trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER row_trg AFTER INSERT ON dynamodb.alt FOR EACH ROW EXECUTE FUNCTION pg_temp.trg();
DROP TRIGGER row_trg ON dynamodb.alt;
CREATE TRIGGER stmt_trg AFTER INSERT ON dynamodb.alt FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.trg();
DROP TRIGGER stmt_trg ON dynamodb.alt;
SELECT dynpg.put_item('{"TableName":"alt","Item":{"p":{"S":"a"},"v":{"S":"ok"}}}') AS put;
-- the statistics autovacuum relies on count dynpg's writes
SELECT dynpg.put_item('{"TableName":"alt","Item":{"p":{"S":"a"},"v":{"S":"again"}}}') AS replaced;
SELECT dynpg.delete_item('{"TableName":"alt","Key":{"p":{"S":"a"}}}') AS deleted_item;
SELECT pg_stat_force_next_flush();
SELECT n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables WHERE relid = 'dynamodb.alt'::regclass;
SELECT dynpg.delete_table('{"TableName":"alt"}') IS NOT NULL AS deleted;
