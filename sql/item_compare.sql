-- DynamoDB equality for items: sets unordered, numbers by value; works with
SET search_path = public, dynpg;
-- =, DISTINCT, GROUP BY, EXCEPT, hash and merge joins, btree and hash indexes.
CREATE TEMP TABLE t (id int, item dynpg.item);
INSERT INTO t VALUES
 (1, '{"a":{"N":"1000"},"s":{"SS":["x","y"]}}'),
 (2, '{"s":{"SS":["y","x"]},"a":{"N":"1e3"}}'),
 (3, '{"a":{"N":"1000.000"},"s":{"SS":["x","y"]}}'),
 (4, '{"a":{"N":"1001"},"s":{"SS":["x","y"]}}'),
 (5, '{"a":{"S":"1000"},"s":{"SS":["x","y"]}}'),
 (6, '{"l":{"L":[{"N":"1"},{"N":"2"}]}}'),
 (7, '{"l":{"L":[{"N":"2"},{"N":"1"}]}}'),
 (8, '{"ns":{"NS":["1","2.0","3e0"]}}'),
 (9, '{"ns":{"NS":["3","2","1"]}}');

SELECT a.id, b.id FROM t a JOIN t b ON a.item = b.item AND a.id < b.id ORDER BY 1, 2;
SELECT count(DISTINCT item) AS distinct_items FROM t;
SELECT min(id), max(id), count(*) FROM t GROUP BY item ORDER BY 1;
SELECT count(*) AS except_rows FROM (SELECT item FROM t EXCEPT SELECT item FROM t WHERE id IN (1, 6)) x;
SELECT '{"a":{"N":"1"}}'::dynpg.item <> '{"a":{"N":"1.0"}}'::dynpg.item AS ne_false,
       '{"a":{"BOOL":true}}'::dynpg.item = '{"a":{"BOOL":false}}'::dynpg.item AS eq_false;

-- hash aggregation and hash joins use the hash opclass
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT item, count(*) FROM t GROUP BY item;
SELECT count(*) AS groups FROM (SELECT item, count(*) FROM t GROUP BY item) g;
RESET enable_sort;
SET enable_mergejoin = off; SET enable_nestloop = off;
SELECT count(*) AS hash_join_pairs FROM t a JOIN t b ON a.item = b.item;
RESET enable_mergejoin; RESET enable_nestloop;
SET enable_hashjoin = off; SET enable_nestloop = off;
SELECT count(*) AS merge_join_pairs FROM t a JOIN t b ON a.item = b.item;
RESET enable_hashjoin; RESET enable_nestloop;

-- btree and hash indexes, and a unique constraint, see equal items as equal
CREATE INDEX t_item_btree ON t (item);
CREATE INDEX t_item_hash ON t USING hash (item);
SET enable_seqscan = off;
SELECT id FROM t WHERE item = '{"a":{"N":"1e3"},"s":{"SS":["y","x"]}}' ORDER BY id;
RESET enable_seqscan;
CREATE TEMP TABLE uniq (item dynpg.item UNIQUE);
INSERT INTO uniq VALUES ('{"n":{"N":"5"}}');
INSERT INTO uniq VALUES ('{"n":{"N":"5.0"}}');

-- the btree order is a total order consistent with equality
SELECT bool_and(dynpg.item_cmp(a.item, b.item) = -dynpg.item_cmp(b.item, a.item)) AS antisymmetric,
       bool_and((dynpg.item_cmp(a.item, b.item) = 0) = (a.item = b.item)) AS consistent
  FROM t a, t b;
-- equal items hash equally (both hash functions)
SELECT count(DISTINCT dynpg.item_hash(item)) AS hashes, count(DISTINCT dynpg.item_hash_extended(item, 42)) AS ext_hashes
  FROM t WHERE id IN (1, 2, 3);
