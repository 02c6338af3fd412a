-- Bulk loads (src/am/dynpg_bulk.c, src/storage/btbuild.c): COPY into an
-- empty dynpg table sorts its rows and builds the B-tree leaves first,
-- with the LSI, GSI and time-to-live entries in the same pass and a stream
-- record per item; leaves are packed to dynpg.bulk_fillfactor (90).  What
-- a reader sees is what item-by-item writes give: the same items, the same
-- index answers, dynpg.verify clean.
\set SHOW_CONTEXT never
SELECT pg_backend_pid() AS pid \gset
\set f '/tmp/dynpg_bulk_load_' :pid '.copy'
\set g '/tmp/dynpg_bulk_load_' :pid '_dup.copy'
CREATE FUNCTION pg_temp.mk(t text) RETURNS boolean LANGUAGE sql AS $$
  SELECT dynpg.create_table(jsonb_build_object('TableName', t, 'BillingMode', 'PAY_PER_REQUEST',
    'KeySchema', '[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]'::jsonb,
    'AttributeDefinitions', '[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"},
       {"AttributeName":"n","AttributeType":"N"},{"AttributeName":"email","AttributeType":"S"}]'::jsonb,
    'LocalSecondaryIndexes', '[{"IndexName":"by_n","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},
       {"AttributeName":"n","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}]'::jsonb,
    'GlobalSecondaryIndexes', '[{"IndexName":"by_email","KeySchema":[{"AttributeName":"email","KeyType":"HASH"}],
       "Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["n"]}}]'::jsonb,
    'StreamSpecification', '{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}'::jsonb)) IS NOT NULL
  AND dynpg.update_time_to_live(jsonb_build_object('TableName', t,
    'TimeToLiveSpecification', '{"Enabled":true,"AttributeName":"ttl"}'::jsonb)) IS NOT NULL $$;
-- what dynpg.verify says, without the parts that depend on the load's path
CREATE FUNCTION pg_temp.v(t text) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('ok', r->'ok', 'live_items', r->'live_items', 'versions', r->'versions',
    'live_index_entries', r->'live_index_entries', 'problems', r->'problems',
    'indexes', (SELECT jsonb_agg(i - 'pending' - 'keyspace') FROM jsonb_array_elements(r->'indexes') i))
  FROM dynpg.verify(t) r $$;
-- the partition of item i is p(i mod 50); every tenth item lacks the GSI key,
-- every 7th has a 900-byte sort key (large high keys), item 78 is 200 KB (TOAST)
COPY (SELECT format('{"pk":{"S":"p%s"},"sk":{"S":"%s"},"n":{"N":"%s"},%s"a":{"S":"%s"},"ttl":{"N":"%s"}}',
   i % 50, CASE WHEN i % 7 = 0 THEN 's' || i || repeat('x', 900) ELSE 's' || i END, i,
   CASE WHEN i % 10 = 0 THEN '' ELSE format('"email":{"S":"e%s@example.com"},', i) END,
   CASE WHEN i = 78 THEN repeat(md5(i::text), 6400) ELSE md5(i::text) END, 4000000000 + i)
 FROM generate_series(1, 6000) i) TO :'f';
SELECT pg_temp.mk('bulk_a'), pg_temp.mk('bulk_b');

-- bulk_a by COPY; bulk_b item by item (PutItem)
BEGIN;
COPY dynamodb.bulk_a FROM :'f';
-- the table was empty and not this transaction's: writers are kept out until commit
SELECT mode FROM pg_locks WHERE relation = 'dynamodb.bulk_a'::regclass AND pid = pg_backend_pid()
  AND locktype = 'relation' ORDER BY mode;
COMMIT;
CREATE TEMP TABLE src (item dynpg.item);
COPY src FROM :'f';
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'bulk_b', 'Item', item::jsonb))) AS put FROM src;
SELECT dynpg.wait_for_indexes('bulk_b') AS indexes_current;
SELECT pg_temp.v('bulk_a') AS bulk_a;
SELECT pg_temp.v('bulk_a') = pg_temp.v('bulk_b') AS same_as_item_by_item;
-- fuller leaves than item-by-item writes in hash order (which shift items
-- to a full leaf's right sibling before splitting it, but stay below the
-- build's 90%: 1,717 leaves here when this was written)
SELECT (dynpg.verify('bulk_a')->>'leaf_pages')::int AS bulk_leaves,
       (dynpg.verify('bulk_a')->>'leaf_pages')::int < 0.9 * (dynpg.verify('bulk_b')->>'leaf_pages')::int AS fuller;
-- every item equal, by key
SELECT count(*) AS items, count(*) FILTER (WHERE a.item::jsonb = b.item::jsonb) AS equal
FROM dynamodb.bulk_a a FULL JOIN dynamodb.bulk_b b
  ON a.item->>'pk' = b.item->>'pk' AND a.item->>'sk' = b.item->>'sk';
-- the same answers: GetItem of the large item, a partition, the LSI, the GSI (at once:
-- the load wrote its entries), a scan in order
SELECT length(dynpg.get_item('{"TableName":"bulk_a","Key":{"pk":{"S":"p28"},"sk":{"S":"s78"}}}')->'Item'->'a'->>'S') AS large_item;
SELECT t, jsonb_array_length(dynpg.query(jsonb_build_object('TableName', t, 'KeyConditionExpression', 'pk = :p',
         'ExpressionAttributeValues', '{":p":{"S":"p7"}}'::jsonb))->'Items') AS partition,
       dynpg.query(jsonb_build_object('TableName', t, 'IndexName', 'by_n', 'KeyConditionExpression', 'pk = :p AND n BETWEEN :a AND :b',
         'ExpressionAttributeValues', '{":p":{"S":"p7"},":a":{"N":"100"},":b":{"N":"300"}}'::jsonb,
         'ProjectionExpression', 'n'))->'Items' AS lsi
FROM unnest(ARRAY['bulk_a', 'bulk_b']) t;
SELECT dynpg.query('{"TableName":"bulk_a","IndexName":"by_email","KeyConditionExpression":"email = :e",
  "ExpressionAttributeValues":{":e":{"S":"e4242@example.com"}}}'::jsonb) AS gsi;
SELECT (SELECT array_agg(item->>'sk') FROM (SELECT item FROM dynamodb.bulk_a LIMIT 5) s) =
       (SELECT array_agg(item->>'sk') FROM (SELECT item FROM dynamodb.bulk_b LIMIT 5) s) AS same_scan_order;
-- one stream record per item, INSERT with the new image
SELECT event_name, count(*), count(*) FILTER (WHERE new_image IS NOT NULL) AS with_image
FROM dynpg.stream_records('bulk_a', NULL, 10000) GROUP BY 1;

-- writes after the load: replace, delete; leaves that are 90% full split
SELECT count(*) AS rewritten FROM (SELECT dynpg.put_item(jsonb_build_object('TableName', 'bulk_a', 'Item', jsonb_build_object(
  'pk', jsonb_build_object('S', 'p' || i % 50), 'sk', jsonb_build_object('S', 's' || i),
  'n', jsonb_build_object('N', (i + 1)::text), 'a', jsonb_build_object('S', repeat('y', 300)))))
FROM generate_series(1, 2000) i WHERE i % 7 <> 0) s;
SELECT count(*) AS deleted FROM (SELECT dynpg.delete_item(jsonb_build_object('TableName', 'bulk_a',
  'Key', jsonb_build_object('pk', jsonb_build_object('S', 'p' || i % 50), 'sk', jsonb_build_object('S', 's' || i))))
FROM generate_series(2001, 3000) i WHERE i % 7 <> 0) s;
SELECT dynpg.verify('bulk_a')->'ok' AS ok, dynpg.verify('bulk_a')->'live_items' AS live_items,
       dynpg.verify('bulk_a')->'problems' AS problems;

-- two rows with one key: INSERT's unique violation; nothing loaded
COPY (SELECT item FROM src WHERE item->>'sk' IN ('s1', 's2', 's3') UNION ALL
      SELECT item FROM src WHERE item->>'sk' = 's2' UNION ALL
      SELECT item FROM src WHERE item->>'sk' LIKE 's1%' AND item->>'sk' <> 's1') TO :'g';
SELECT pg_temp.mk('bulk_c');
COPY dynamodb.bulk_c FROM :'g';
SELECT count(*) AS after_duplicate FROM dynamodb.bulk_c;
SELECT dynpg.verify('bulk_c')->'ok' AS ok;
-- a key that exists already (the table is not empty: item by item)
SELECT dynpg.put_item('{"TableName":"bulk_c","Item":{"pk":{"S":"p2"},"sk":{"S":"s2"}}}'::jsonb) IS NOT NULL AS put;
COPY dynamodb.bulk_c FROM :'f';
SELECT count(*) AS still_one FROM dynamodb.bulk_c;
-- a load that fails after writing its leaves (the duplicate is the last key in
-- the tree's order, so it is met last) into a table that is not the
-- transaction's own: its pages stay outside the tree, VACUUM makes them
-- reusable, and the next load takes them
\set o '/tmp/dynpg_bulk_load_' :pid '_orphan.copy'
COPY (SELECT item FROM src UNION ALL
      SELECT item FROM (SELECT item FROM dynamodb.bulk_b OFFSET 5999) last) TO :'o';
SELECT pg_temp.mk('bulk_o');
COPY dynamodb.bulk_o FROM :'o';
SELECT (dynpg.verify('bulk_o')->>'unused_pages')::int AS orphans \gset
SELECT count(*) AS after_failed_load, :orphans > 50 AS pages_left_outside,
       dynpg.verify('bulk_o')->'ok' AS ok FROM dynamodb.bulk_o;
VACUUM dynamodb.bulk_o;
SELECT (v->>'unused_pages')::int AS unused, (v->>'deleted_pages')::int = :orphans AS all_freed,
       v->'ok' AS ok FROM dynpg.verify('bulk_o') v;
COPY dynamodb.bulk_o FROM :'f';
SELECT count(*) AS loaded, (v->>'deleted_pages')::int AS deleted_left, (v->>'unused_pages')::int AS unused,
       v->'ok' AS ok FROM dynamodb.bulk_o, dynpg.verify('bulk_o') v GROUP BY v;
-- a second VACUUM finds nothing more to free, and the loaded items stay
VACUUM dynamodb.bulk_o;
SELECT dynpg.wait_for_indexes('bulk_o') AS indexes_current;
SELECT pg_temp.v('bulk_o') = pg_temp.v('bulk_b') AS same_as_item_by_item;
-- a small COPY into an empty table goes item by item and keeps RowExclusiveLock
SELECT pg_temp.mk('bulk_d');
BEGIN;
COPY dynamodb.bulk_d FROM :'g' WHERE item->>'sk' IN ('s1', 's3');
SELECT mode FROM pg_locks WHERE relation = 'dynamodb.bulk_d'::regclass AND pid = pg_backend_pid()
  AND locktype = 'relation' ORDER BY mode;
COMMIT;
SELECT count(*) AS small_copy FROM dynamodb.bulk_d;

-- TRUNCATE then COPY in one transaction: a new file, nobody else's; rolled back, the old contents
BEGIN;
TRUNCATE dynamodb.bulk_d;
COPY dynamodb.bulk_d FROM :'f';
SELECT count(*) AS loaded, (dynpg.verify('bulk_d')->>'leaf_pages')::int AS bulk_leaves FROM dynamodb.bulk_d;
SELECT mode FROM pg_locks WHERE relation = 'dynamodb.bulk_d'::regclass AND pid = pg_backend_pid()
  AND locktype = 'relation' ORDER BY mode;
ROLLBACK;
SELECT count(*) AS back_to FROM dynamodb.bulk_d;
-- in a savepoint rolled back, then again: the tree now holds the rolled-back
-- versions, so the second COPY goes item by item
BEGIN;
TRUNCATE dynamodb.bulk_d;
SAVEPOINT s;
COPY dynamodb.bulk_d FROM :'f';
ROLLBACK TO SAVEPOINT s;
SELECT count(*) AS after_savepoint FROM dynamodb.bulk_d;
COPY dynamodb.bulk_d FROM :'f';
COMMIT;
SELECT dynpg.wait_for_indexes('bulk_d') AS indexes_current;
SELECT pg_temp.v('bulk_d') - 'versions' = pg_temp.v('bulk_b') - 'versions' AS same_as_item_by_item;

-- a bulk load rolled back leaves its versions for VACUUM, as aborted inserts do
SELECT pg_temp.mk('bulk_e');
BEGIN;
COPY dynamodb.bulk_e FROM :'f';
ROLLBACK;
SELECT count(*) AS rolled_back, dynpg.verify('bulk_e')->'ok' AS ok FROM dynamodb.bulk_e;
VACUUM dynamodb.bulk_e;
-- its pages were in the tree: VACUUM prunes them, and frees none as a failed load's
SELECT dynpg.verify('bulk_e')->'versions' AS versions_after_vacuum, dynpg.verify('bulk_e')->'ok' AS ok,
       dynpg.verify('bulk_e')->'unused_pages' AS unused;
-- fill factor
SET dynpg.bulk_fillfactor = 100;
TRUNCATE dynamodb.bulk_e;
COPY dynamodb.bulk_e FROM :'f';
SELECT (dynpg.verify('bulk_e')->>'leaf_pages')::int < (dynpg.verify('bulk_a')->>'leaf_pages')::int AS fuller_at_100,
       pg_temp.v('bulk_e') = pg_temp.v('bulk_b') AS same;
RESET dynpg.bulk_fillfactor;
SET dynpg.bulk_fillfactor = 101;

SELECT dynpg.delete_table(jsonb_build_object('TableName', t)) IS NOT NULL AS dropped
FROM unnest(ARRAY['bulk_a', 'bulk_b', 'bulk_c', 'bulk_d', 'bulk_e']) t;

-- ImportTable's load is a bulk load too (src/api/import_ops.c, load_into):
-- each line checked as PutItem checks it (errors counted, the rest loaded),
-- the tree built at the end.  The SQL form runs in this transaction.
\set d '/tmp/dynpg_bulk_load_' :pid '_import'
\set cmd 'mkdir -p ' :d ' && cat > ' :d '/part-0.json'
COPY (SELECT format('{"Item":{"pk":{"S":"p%s"},"sk":{"S":"s%s"},"email":{"S":"e%s@example.com"},"n":{"N":"%s"}}}',
   i % 50, i, i, i) FROM generate_series(1, 3000) i
  UNION ALL SELECT '{"Item":{"sk":{"S":"no partition key"}}}'
  UNION ALL SELECT '{"Item":{"pk":{"S":"p1"},"sk":{"N":"1"}}}') TO PROGRAM :'cmd';
CREATE FUNCTION pg_temp.imp(t text, dir text) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('status', d->>'ImportStatus', 'processed', d->'ProcessedItemCount',
      'imported', d->'ImportedItemCount', 'errors', d->'ErrorCount')
  FROM (SELECT dynpg.import_table(dir, jsonb_build_object('TableName', t, 'BillingMode', 'PAY_PER_REQUEST',
    'KeySchema', '[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]'::jsonb,
    'AttributeDefinitions', '[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"},
       {"AttributeName":"email","AttributeType":"S"}]'::jsonb,
    'GlobalSecondaryIndexes', '[{"IndexName":"by_email","KeySchema":[{"AttributeName":"email","KeyType":"HASH"}],
       "Projection":{"ProjectionType":"KEYS_ONLY"}}]'::jsonb)) -> 'ImportTableDescription' AS d) x $$;
SELECT pg_temp.imp('bulk_imp', :'d');
SELECT (dynpg.verify('bulk_imp') - 'pages' - 'leaf_pages' - 'internal_pages' - 'relation_blocks') AS verify,
       (dynpg.verify('bulk_imp')->>'leaf_pages')::int AS bulk_leaves;
SELECT dynpg.query('{"TableName":"bulk_imp","IndexName":"by_email","KeyConditionExpression":"email = :e",
  "ExpressionAttributeValues":{":e":{"S":"e77@example.com"}}}'::jsonb) -> 'Items' AS gsi;
-- the same key on two lines: PutItem keeps the last; the load goes line by line
\set cmd 'cat >> ' :d '/part-0.json'
COPY (SELECT '{"Item":{"pk":{"S":"p7"},"sk":{"S":"s7"},"email":{"S":"second@example.com"},"n":{"N":"-7"}}}') TO PROGRAM :'cmd';
SELECT pg_temp.imp('bulk_imp2', :'d');
SELECT dynpg.get_item('{"TableName":"bulk_imp2","Key":{"pk":{"S":"p7"},"sk":{"S":"s7"}}}') AS last_wins;
SELECT count(*) AS items, dynpg.verify('bulk_imp2')->'ok' AS ok FROM dynamodb.bulk_imp2;
-- the first attempt's pages, written by the subtransaction its failure aborted,
-- are outside the tree until VACUUM frees them (once the GSI worker, which
-- writes the line-by-line load's GSI entries, is done: its splits would take them)
SELECT dynpg.wait_for_indexes('bulk_imp2') AS indexes_current;
SELECT (dynpg.verify('bulk_imp2')->>'unused_pages')::int AS first_attempt_pages;
VACUUM dynamodb.bulk_imp2;
SELECT dynpg.verify('bulk_imp2')->'unused_pages' AS unused, dynpg.verify('bulk_imp2')->'ok' AS ok,
       (dynpg.verify('bulk_imp2')->>'deleted_pages')::int > 0 AS freed;
SELECT dynpg.delete_table(jsonb_build_object('TableName', t)) IS NOT NULL AS dropped
FROM unnest(ARRAY['bulk_imp', 'bulk_imp2']) t;
DELETE FROM dynpg.imports WHERE description->>'TableArn' LIKE '%/bulk_imp%';
\set cmd 'cat >/dev/null; rm -rf ' :d
COPY (SELECT 1) TO PROGRAM :'cmd';

-- INSERT ... SELECT into an empty table: a bulk load when the table was
-- created (or truncated) in this transaction, or when the plan expects at
-- least 1,000 rows (then locked as COPY locks it); built when the statement's
-- executor finishes
CREATE TEMP TABLE src2 (item dynpg.item);
COPY src2 FROM :'f';
ANALYZE src2;
BEGIN;
SELECT pg_temp.mk('bulk_f');
INSERT INTO dynamodb.bulk_f SELECT item FROM src2;
SELECT count(*) AS in_transaction, (dynpg.verify('bulk_f')->>'leaf_pages')::int AS bulk_leaves FROM dynamodb.bulk_f;
COMMIT;
SELECT pg_temp.mk('bulk_g');
BEGIN;
INSERT INTO dynamodb.bulk_g SELECT item FROM src2 RETURNING item->>'sk' AS sk \g /dev/null
SELECT mode FROM pg_locks WHERE relation = 'dynamodb.bulk_g'::regclass AND pid = pg_backend_pid()
  AND locktype = 'relation' ORDER BY mode;
SELECT count(*) AS in_transaction, (dynpg.verify('bulk_g')->>'leaf_pages')::int AS bulk_leaves FROM dynamodb.bulk_g;
COMMIT;
SELECT pg_temp.v('bulk_f') AS bulk_f, pg_temp.v('bulk_f') = pg_temp.v('bulk_g') AS same;
-- a few rows into an empty table of another transaction: item by item, no lock
SELECT pg_temp.mk('bulk_h');
BEGIN;
INSERT INTO dynamodb.bulk_h SELECT item FROM src2 WHERE item->>'sk' IN ('s1', 's2');
SELECT mode FROM pg_locks WHERE relation = 'dynamodb.bulk_h'::regclass AND pid = pg_backend_pid()
  AND locktype = 'relation' ORDER BY mode;
COMMIT;
-- rows with one key: INSERT's unique violation, when the load is built
TRUNCATE dynamodb.bulk_h;
BEGIN;
TRUNCATE dynamodb.bulk_h;
INSERT INTO dynamodb.bulk_h SELECT item FROM src2 UNION ALL SELECT item FROM src2 WHERE item->>'sk' = 's5';
ROLLBACK;
-- a function called per row that reads the table sees the rows inserted so
-- far, as item by item: the load is built before its query's executor starts
CREATE TEMP TABLE seen (n bigint);
CREATE FUNCTION pg_temp.seen() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	INSERT INTO seen SELECT count(*) FROM dynamodb.bulk_h;
	RETURN true;
END $$;
BEGIN;
TRUNCATE dynamodb.bulk_h;
INSERT INTO dynamodb.bulk_h SELECT item FROM src2 WHERE item->>'sk' IN ('s1', 's2', 's3', 's4')
  AND pg_temp.seen();
SELECT array_agg(n ORDER BY n) AS seen FROM seen;
WITH ins AS (INSERT INTO dynamodb.bulk_h SELECT item FROM src2 WHERE item->>'sk' IN ('s5', 's6') RETURNING 1)
SELECT count(*) AS inserted FROM ins;
SELECT count(*) AS rows_now FROM dynamodb.bulk_h;
COMMIT;
SELECT dynpg.verify('bulk_h')->'ok' AS ok, dynpg.verify('bulk_h')->'live_items' AS items;
SELECT dynpg.delete_table(jsonb_build_object('TableName', t)) IS NOT NULL AS dropped
FROM unnest(ARRAY['bulk_f', 'bulk_g', 'bulk_h']) t;
-- (this session's files only: another run may be using its own)
\set rm 'cat >/dev/null; rm -f ' :f ' ' :g ' ' :o
COPY (SELECT 1) TO PROGRAM :'rm';  -- reads its input: no broken pipe
