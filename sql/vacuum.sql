-- VACUUM of dynpg tables: dead versions are removed, sparse leaves are
-- merged into their right siblings and the pages they leave are reused by
-- later splits (src/storage/README, "Page deletion and reuse"), so a table
-- that loses 90% of its items and gets as many new ones reuses the freed
-- pages (all but the page or two the B-tree's fill variation may leave)
-- and does not grow past its earlier size by more than that variation
-- (5%: the new items fill leaves VACUUM merged, not leaves shifts packed);
-- VACUUM (FREEZE) freezes every version and advances relfrozenxid.
SELECT dynpg.create_table('{"TableName":"vac","BillingMode":"PAY_PER_REQUEST",
  "KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}]}') IS NOT NULL AS created;
-- written item by item (not a bulk load, whose leaves are fuller than
-- random-order writes leave them: the size compared below is of the latter)
SET dynpg.bulk_load = off;
INSERT INTO dynamodb.vac
SELECT dynpg.from_plain_json(jsonb_build_object('k', 'old' || i, 'pad', repeat('v', 150)))
  FROM generate_series(1, 20000) i;
RESET dynpg.bulk_load;
ALTER TABLE dynamodb.vac SET (autovacuum_enabled = off);
SELECT pg_relation_size('dynamodb.vac') AS size_full \gset
-- delete 90% of the items
SELECT count(*) AS deleted FROM (
	SELECT dynpg.delete_item(jsonb_build_object('TableName', 'vac', 'Key',
		jsonb_build_object('k', jsonb_build_object('S', 'old' || i))))
	  FROM generate_series(1, 20000) i WHERE i % 10 <> 0) x;
VACUUM dynamodb.vac;
SELECT (dynpg.verify('vac') ->> 'dead_versions')::int AS dead_after_vacuum,
       (dynpg.verify('vac') ->> 'live_items')::int AS live_after_vacuum,
       (dynpg.verify('vac') ->> 'deleted_pages')::int > 0 AS sparse_leaves_merged,
       dynpg.verify('vac') ->> 'ok' AS verify_ok;
-- as many new, different keys: they land in the freed space
INSERT INTO dynamodb.vac
SELECT dynpg.from_plain_json(jsonb_build_object('k', 'new' || i, 'pad', repeat('v', 150)))
  FROM generate_series(1, 18000) i;
SELECT count(*) AS items FROM dynamodb.vac;
SELECT (dynpg.verify('vac') ->> 'deleted_pages')::int <= 2 AS freed_pages_reused,
       pg_relation_size('dynamodb.vac') <= :size_full * 1.05 AS did_not_grow,
       dynpg.verify('vac') ->> 'ok' AS verify_ok;
-- freezing
SELECT age(relfrozenxid) > 0 AS has_unfrozen_age FROM pg_class WHERE oid = 'dynamodb.vac'::regclass;
VACUUM (FREEZE) dynamodb.vac;
SELECT dynpg.verify('vac') ->> 'ok' AS verify_ok;
SELECT age(relfrozenxid) < 10 AS relfrozenxid_advanced FROM pg_class WHERE oid = 'dynamodb.vac'::regclass;
-- aborted inserts leave versions that VACUUM removes
BEGIN;
INSERT INTO dynamodb.vac
SELECT dynpg.from_plain_json(jsonb_build_object('k', 'aborted' || i)) FROM generate_series(1, 500) i;
ROLLBACK;
SELECT count(*) AS items_after_rollback FROM dynamodb.vac;
VACUUM dynamodb.vac;
SELECT (dynpg.verify('vac') ->> 'versions')::int = (dynpg.verify('vac') ->> 'live_items')::int AS only_live_versions;
SELECT dynpg.delete_table('{"TableName":"vac"}') IS NOT NULL AS deleted;

-- VACUUM counts items, not versions of every keyspace: a table's GSI
-- entries share its relation (src/index/README) but are not rows, so
-- reltuples, VACUUM VERBOSE and pg_stat_user_tables report the 21 items,
-- not 21 + 19 entries.  (ANALYZE samples items only, too.)
SELECT dynpg.create_table('{"TableName":"vac_gsi","BillingMode":"PAY_PER_REQUEST",
  "KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"k","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],
  "GlobalSecondaryIndexes":[{"IndexName":"by_g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],
    "Projection":{"ProjectionType":"ALL"}}]}') IS NOT NULL AS created;
ALTER TABLE dynamodb.vac_gsi SET (autovacuum_enabled = off);
-- 21 items, 19 of them with the index key
SELECT count(*) AS items FROM (
	SELECT dynpg.put('vac_gsi', jsonb_build_object('k', i) ||
		CASE WHEN i <= 19 THEN jsonb_build_object('g', 'g' || (i % 4)) ELSE '{}' END)
	  FROM generate_series(1, 21) i) x;
SELECT dynpg._apply_index_changes() >= 0 AS applied;
SELECT dynpg.wait_for_indexes('vac_gsi', 30) AS caught_up;
SELECT (v ->> 'live_items')::int AS live_items, (v ->> 'live_index_entries')::int AS live_index_entries
  FROM dynpg.verify('vac_gsi') AS v;
-- the inserts' counts reach pg_stat before VACUUM replaces n_live_tup
SELECT pg_stat_force_next_flush();
VACUUM (VERBOSE, PROCESS_TOAST false) dynamodb.vac_gsi;
SELECT reltuples AS reltuples_after_vacuum FROM pg_class WHERE oid = 'dynamodb.vac_gsi'::regclass;
SELECT pg_stat_clear_snapshot();
SELECT n_live_tup AS n_live_tup_after_vacuum, n_dead_tup FROM pg_stat_user_tables
 WHERE relid = 'dynamodb.vac_gsi'::regclass;
ANALYZE dynamodb.vac_gsi;
SELECT reltuples AS reltuples_after_analyze FROM pg_class WHERE oid = 'dynamodb.vac_gsi'::regclass;
SELECT pg_stat_clear_snapshot();
SELECT n_live_tup AS n_live_tup_after_analyze FROM pg_stat_user_tables
 WHERE relid = 'dynamodb.vac_gsi'::regclass;
SELECT dynpg.delete_table('{"TableName":"vac_gsi"}') IS NOT NULL AS deleted;
