-- VACUUM of dynpg tables: dead versions are removed, sparse leaves are
-- merged into their right siblings and the pages they leave are reused by
-- later splits (src/storage/README, "Page deletion and reuse"), so a table
-- that loses 90% of its items and gets as many new ones reuses the freed
-- pages (all but the page or two the B-tree's fill variation may leave)
-- and does not grow past its earlier size;
-- VACUUM (FREEZE) freezes every version and advances relfrozenxid.
SELECT dynpg.create_table('{"TableName":"vac","BillingMode":"PAY_PER_REQUEST",
  "KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}]}') IS NOT NULL AS created;
INSERT INTO dynamodb.vac
SELECT dynpg.from_plain_json(jsonb_build_object('k', 'old' || i, 'pad', repeat('v', 150)))
  FROM generate_series(1, 20000) i;
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
       pg_relation_size('dynamodb.vac') <= :size_full AS did_not_grow,
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
