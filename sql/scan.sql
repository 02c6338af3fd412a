-- Scan (src/api/query_ops.c): every item of a table in partition-hash
-- order, filters (which may use key attributes), projections, Select,
-- Limit, 1 MB pages, LastEvaluatedKey and ExclusiveStartKey, the legacy
-- ScanFilter, parallel scans by Segment and TotalSegments, which leaves a
-- segment reads, and the SQL layer's scan_items.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;   -- dynpg.item's operators (->, ->>)

\i sql/include/item_helpers.sql
-- One page of a Scan: its items' keys (partition key, and sort key after
-- a slash), Count, ScannedCount and LastEvaluatedKey; or the error.
CREATE FUNCTION pg_temp.page(req jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
BEGIN
	r := dynpg.scan(req);
	RETURN format('[%s] Count %s ScannedCount %s%s',
		coalesce((SELECT string_agg(coalesce(i -> 'sku' ->> 'S', (i -> 'src' ->> 'S') || coalesce('/' || (i -> 'ts' ->> 'N'), '')), ' ' ORDER BY o)
			FROM jsonb_array_elements(r -> 'Items') WITH ORDINALITY AS e(i, o)), ''),
		r -> 'Count', r -> 'ScannedCount',
		coalesce(' LastEvaluatedKey ' || (r -> 'LastEvaluatedKey')::text, ''));
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- A partition hash as an unsigned number (the order of storage keys).
CREATE FUNCTION pg_temp.uhash(v jsonb) RETURNS numeric LANGUAGE sql AS $$
	SELECT (dynpg.partition_hash(v)::numeric + 18446744073709551616) % 18446744073709551616 $$;

SELECT dynpg.create_table('{"TableName": "inventory", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "sku", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "sku", "AttributeType": "S"}]}') -> 'TableDescription' -> 'TableStatus' AS inventory;
SELECT dynpg.create_table('{"TableName": "events", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "src", "KeyType": "HASH"}, {"AttributeName": "ts", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "src", "AttributeType": "S"}, {"AttributeName": "ts", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS events;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'inventory', 'Item', jsonb_build_object(
	'sku', jsonb_build_object('S', 'sku-' || i), 'qty', jsonb_build_object('N', (i * 7 % 10)::text),
	'tags', jsonb_build_object('SS', CASE WHEN i % 2 = 0 THEN '["even", "all"]'::jsonb ELSE '["all"]' END),
	'dims', jsonb_build_object('M', jsonb_build_object('w', jsonb_build_object('N', i::text))))))) AS put
  FROM generate_series(1, 12) AS i;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'events', 'Item', jsonb_build_object(
	'src', jsonb_build_object('S', s), 'ts', jsonb_build_object('N', t::text), 'sev', jsonb_build_object('S', CASE WHEN t % 3 = 0 THEN 'warn' ELSE 'info' END))))) AS put
  FROM unnest(ARRAY['web', 'db', 'cache']) AS s, generate_series(1, 4) AS t;

--
-- A Scan reads every item, in the order of the partition keys' hashes (and
-- of the sort key within a partition)
--
SELECT dynpg.scan('{"TableName": "inventory", "Limit": 2}');
SELECT pg_temp.page('{"TableName": "inventory"}');
SELECT pg_temp.page('{"TableName": "events"}');
SELECT array_agg(i ->> 'sku' ORDER BY o) = array_agg(i ->> 'sku' ORDER BY pg_temp.uhash(i -> 'sku')) AS inventory_in_hash_order
  FROM jsonb_array_elements(dynpg.scan('{"TableName": "inventory"}') -> 'Items') WITH ORDINALITY AS e(i, o);
SELECT array_agg(i ->> 'src' || '/' || (i -> 'ts' ->> 'N') ORDER BY o)
         = array_agg(i ->> 'src' || '/' || (i -> 'ts' ->> 'N') ORDER BY pg_temp.uhash(i -> 'src'), (i -> 'ts' ->> 'N')::numeric) AS events_in_hash_then_sort_order
  FROM jsonb_array_elements(dynpg.scan('{"TableName": "events"}') -> 'Items') WITH ORDINALITY AS e(i, o);
-- an empty table
SELECT dynpg.create_table('{"TableName": "empty", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "B"}]}') -> 'TableDescription' -> 'TableStatus' AS empty;
SELECT dynpg.scan('{"TableName": "empty", "ReturnConsumedCapacity": "TOTAL"}');

--
-- FilterExpression: Count after it, ScannedCount before; a Scan's filter
-- may use the key attributes
--
SELECT f, vals, pg_temp.page(jsonb_build_object('TableName', 'events', 'FilterExpression', f, 'ExpressionAttributeValues', vals)) AS result
  FROM (VALUES ('sev = :w', '{":w": {"S": "warn"}}'::jsonb),
               ('src = :s', '{":s": {"S": "db"}}'),
               ('ts BETWEEN :a AND :b AND src <> :s', '{":a": {"N": "2"}, ":b": {"N": "3"}, ":s": {"S": "db"}}'),
               ('begins_with(src, :c) OR ts > :t', '{":c": {"S": "c"}, ":t": {"N": "3"}}'),
               ('attribute_not_exists(sev)', NULL),
               ('size(src) = :three', '{":three": {"N": "3"}}'),
               -- a name cannot start with '_'
               ('_sev = :w', '{":w": {"S": "warn"}}')) AS t(f, vals);
SELECT pg_temp.page('{"TableName": "inventory", "FilterExpression": "contains(tags, :e) AND qty >= :q", "ExpressionAttributeValues": {":e": {"S": "even"}, ":q": {"N": "4"}}}') AS even_and_qty_4_or_more;
SELECT pg_temp.page('{"TableName": "inventory", "FilterExpression": "#s IN (:a, :b)", "ExpressionAttributeNames": {"#s": "sku"}, "ExpressionAttributeValues": {":a": {"S": "sku-3"}, ":b": {"S": "sku-30"}}}') AS in_list;

--
-- ProjectionExpression and Select (Scan reports the Select rules on their own)
--
SELECT dynpg.scan('{"TableName": "inventory", "ProjectionExpression": "dims.w, qty", "FilterExpression": "sku = :s", "ExpressionAttributeValues": {":s": {"S": "sku-5"}}}');
SELECT dynpg.scan('{"TableName": "inventory", "ProjectionExpression": "nothing", "Limit": 3}');
SELECT s, proj, pg_temp.api('Scan', jsonb_build_object('TableName', 'events', 'Select', s, 'ProjectionExpression', proj, 'Limit', 2)) AS result
  FROM (VALUES ('ALL_ATTRIBUTES', NULL), ('SPECIFIC_ATTRIBUTES', 'ts'), ('COUNT', NULL), ('SPECIFIC_ATTRIBUTES', NULL),
               ('COUNT', 'ts'), ('ALL_ATTRIBUTES', 'ts'), ('ALL_PROJECTED_ATTRIBUTES', NULL), ('Count', NULL)) AS t(s, proj);
SELECT pg_temp.api('Scan', '{"TableName": "events", "Select": "COUNT", "AttributesToGet": ["ts"]}');
SELECT pg_temp.api('Scan', '{"TableName": "events", "Select": "SPECIFIC_ATTRIBUTES", "AttributesToGet": ["ts"], "Limit": 1}');
SELECT dynpg.scan('{"TableName": "events", "Select": "COUNT", "FilterExpression": "sev = :w", "ExpressionAttributeValues": {":w": {"S": "warn"}}}');
-- key attributes are scalars: no path into them, in the projection or the filter
SELECT r, pg_temp.api('Scan', jsonb_build_object('TableName', 'events') || r) AS result
  FROM (VALUES ('{"ProjectionExpression": "src.x"}'::jsonb),
               ('{"ProjectionExpression": "sev, ts[0]"}'),
               ('{"FilterExpression": "attribute_exists(src.a.b)"}'),
               ('{"FilterExpression": "sev = :l AND #t[1] = :l", "ExpressionAttributeNames": {"#t": "ts"}, "ExpressionAttributeValues": {":l": {"S": "x"}}}'),
               ('{"FilterExpression": "attribute_exists(src.a)", "ProjectionExpression": "ts.b"}'),
               ('{"FilterExpression": "attribute_exists(sev.a)", "ProjectionExpression": "sev[2]"}')) AS t(r);
SELECT pg_temp.detail('Scan', '{"TableName": "inventory", "FilterExpression": "attribute_exists(sku.x)"}');

--
-- ConsistentRead and ReturnConsumedCapacity
--
SELECT c, cap, dynpg.scan(jsonb_build_object('TableName', 'events', 'ConsistentRead', c, 'ReturnConsumedCapacity', cap, 'Select', 'COUNT')) AS response
  FROM (VALUES (NULL, 'TOTAL'), (true, 'TOTAL'), (true, 'INDEXES'), (false, 'NONE')) AS t(c, cap);

--
-- The request's own checks, and their order
--
SELECT pg_temp.api('Scan', d) FROM (VALUES
 ('{}'::jsonb),
 ('{"TableName": "ev"}'),
 ('{"TableName": "nonexistent"}'),
 ('{"TableName": "events", "Limit": 0}'),
 ('{"TableName": "events", "Limit": "1"}'),
 ('{"TableName": "events", "ConsistentRead": "yes"}'),
 ('{"TableName": "events", "IndexName": "by_level"}'),
 ('{"TableName": "abc;", "Limit": -1, "Select": "none", "ReturnConsumedCapacity": "ALL", "ConditionalOperator": "XOR", "AttributesToGet": [], "Segment": -1, "TotalSegments": 0, "IndexName": "x"}'),
 ('{"TableName": "events", "FilterExpression": ""}'),
 ('{"TableName": "events", "FilterExpression": "sev = :missing"}'),
 ('{"TableName": "events", "FilterExpression": "sev = :l", "ExpressionAttributeValues": {":l": {"S": "x"}, ":unused": {"S": "y"}}}'),
 ('{"TableName": "events", "ProjectionExpression": "ts", "ExpressionAttributeValues": {":l": {"S": "x"}}}'),
 ('{"TableName": "events", "ExpressionAttributeNames": {"#l": "sev"}}'),
 ('{"TableName": "events", "FilterExpression": "sev = :l", "ExpressionAttributeValues": {}}'),
 ('{"TableName": "events", "KeyConditionExpression": "src = :s", "ExpressionAttributeValues": {":s": {"S": "db"}}}'),
 ('{"TableName": "events", "Unknown": [1], "Limit": null}')
) AS t(d);

--
-- The legacy ScanFilter, ConditionalOperator and AttributesToGet
--
SELECT sf, co, pg_temp.page(jsonb_build_object('TableName', 'events', 'ScanFilter', sf, 'ConditionalOperator', co)) AS result
  FROM (VALUES ('{"sev": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "warn"}]}}'::jsonb, NULL),
               ('{"src": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "db"}]}, "ts": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "2"}]}}', 'AND'),
               ('{"src": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "db"}]}, "ts": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "3"}]}}', 'OR'),
               ('{"src": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "w"}]}}', NULL),
               ('{"ts": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "4"}, {"N": "2"}]}}', NULL),
               ('{"ts": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"N": "4"}]}}', NULL),
               ('{"ts": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"S": "4"}]}}', NULL),
               ('{"ts": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"S": "4"}]}}', NULL),
               ('{"sev": {"ComparisonOperator": "NOT_NULL"}}', NULL),
               ('{"sev": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "warn"}]}}', 'OR'),
               ('{"sev": {"ComparisonOperator": "EQ"}}', NULL),
               ('{"sev": {"ComparisonOperator": "eq", "AttributeValueList": [{"S": "warn"}]}}', NULL),
               ('{}', NULL)) AS t(sf, co);
SELECT dynpg.scan('{"TableName": "events", "AttributesToGet": ["ts", "sev"], "ScanFilter": {"src": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "cache"}]}}}');
SELECT pg_temp.api('Scan', d) FROM (VALUES
 ('{"TableName": "events", "AttributesToGet": ["ts", "ts"]}'::jsonb),
 ('{"TableName": "events", "AttributesToGet": []}'),
 ('{"TableName": "events", "ConditionalOperator": "AND"}'),
 ('{"TableName": "events", "ScanFilter": {"sev": {"ComparisonOperator": "NULL"}}, "FilterExpression": "attribute_exists(sev)"}'),
 ('{"TableName": "events", "AttributesToGet": ["ts"], "ScanFilter": {}, "ConditionalOperator": "OR", "ProjectionExpression": "ts", "FilterExpression": "ts > :t"}'),
 ('{"TableName": "events", "ScanFilter": {"sev": {"ComparisonOperator": "NULL"}}, "ExpressionAttributeValues": {":l": {"S": "x"}}}')
) AS t(d);

--
-- Limit, LastEvaluatedKey and ExclusiveStartKey
--
SELECT pg_temp.page('{"TableName": "events", "Limit": 5}') AS page_1;
SELECT pg_temp.page(jsonb_build_object('TableName', 'events', 'Limit', 5,
         'ExclusiveStartKey', dynpg.scan('{"TableName": "events", "Limit": 5}') -> 'LastEvaluatedKey')) AS page_2;
-- the filter runs after Limit
SELECT pg_temp.page('{"TableName": "events", "Limit": 4, "FilterExpression": "ts = :t", "ExpressionAttributeValues": {":t": {"N": "99"}}}') AS nothing_passes;
-- Limit reached with the last item: a last, empty page follows
SELECT pg_temp.page('{"TableName": "events", "Limit": 12}') AS all_12;
SELECT pg_temp.page(jsonb_build_object('TableName', 'events', 'ExclusiveStartKey', dynpg.scan('{"TableName": "events", "Limit": 12}') -> 'LastEvaluatedKey')) AS after_the_last;
-- any key is a position: one not in the table starts where it would be
SELECT pg_temp.page('{"TableName": "events", "ExclusiveStartKey": {"src": {"S": "db"}, "ts": {"N": "2.5"}}, "Limit": 3}') AS after_db_2_5;
-- ExclusiveStartKey's checks: its values before the table, then its shape,
-- all said to be about the starting key
CREATE TEMP TABLE esk_cases (n serial, tab text, esk jsonb);
INSERT INTO esk_cases (tab, esk) VALUES
 ('events', '{}'), ('events', '{"src": {"S": "db"}}'), ('events', '{"src": {"S": "db"}, "ts": {"N": "1"}, "x": {"N": "1"}}'),
 ('events', '{"src": {"S": "db"}, "x": {"N": "1"}}'), ('events', '{"src": {"N": "1"}, "ts": {"N": "1"}}'),
 ('events', '{"src": {"S": "db"}, "ts": {"S": "1"}}'), ('inventory', '{"sku": {"SS": ["a"]}}'), ('inventory', '{"sku": {"M": {}}}'),
 ('inventory', '{"sku": {"S": ""}}'), ('events', '{"src": {"S": "db"}, "ts": {"N": "dog"}}'),
 ('events', '{"src": {"S": "db"}, "ts": {}}'), ('events', '{"src": {"S": "db", "N": "1"}, "ts": {"N": "1"}}'),
 ('inventory', '{"sku": {"NS": []}}'), ('inventory', '{"sku": {"BS": []}}'), ('inventory', '{"sku": {"NULL": false}}'),
 ('inventory', '{"sku": {"SS": ["a", "a"]}}'), ('nonexistent', '{}'), ('nonexistent', '{"sku": {"NULL": false}}'),
 ('inventory', jsonb_build_object('sku', jsonb_build_object('S', repeat('s', 2049)))),
 ('inventory', '{"sku": {"S": "sku-3"}}'), ('inventory', '{"sku": {"S": "not an item"}}');
SELECT n, tab, left(esk::text, 60) AS esk, pg_temp.page(jsonb_build_object('TableName', tab, 'ExclusiveStartKey', esk, 'Select', 'COUNT')) AS result
  FROM esk_cases ORDER BY n;
-- the start key's values come before the expressions, its shape after them
SELECT pg_temp.api('Scan', '{"TableName": "events", "ExclusiveStartKey": {"src": {}}, "FilterExpression": ""}') AS value_first,
       pg_temp.api('Scan', '{"TableName": "events", "ExclusiveStartKey": {"src": {"S": "a"}}, "FilterExpression": "attribute_exists(src.x)"}') AS shape_before_key_paths;

--
-- 1 MB pages: with items of 300 KB, four to a page; following
-- LastEvaluatedKey reads every item once
--
SELECT dynpg.create_table('{"TableName": "heavy", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "h", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS heavy;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'heavy', 'Item', jsonb_build_object(
	'h', jsonb_build_object('N', k::text), 'filler', jsonb_build_object('S', repeat('h', 300 * 1024)))))) AS put
  FROM generate_series(1, 10) AS k;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'heavy', 'Item', jsonb_build_object(
	'h', jsonb_build_object('N', k::text), 'odd', jsonb_build_object('BOOL', k % 2 = 1),
	'filler', jsonb_build_object('S', repeat('y', 1024 * (1 + (k * 37) % 97))))))) AS put
  FROM generate_series(11, 150) AS k;
SELECT r -> 'Count' AS count, r -> 'ScannedCount' AS scanned, r ? 'LastEvaluatedKey' AS has_last_key,
       (SELECT sum(dynpg.item_size(i::dynpg.item)) FROM jsonb_array_elements(r -> 'Items') AS i) >= 1024 * 1024 AS at_least_1_mb,
       (SELECT sum(dynpg.item_size(i::dynpg.item)) FROM jsonb_array_elements(r -> 'Items') AS i)
         - dynpg.item_size((r -> 'Items' -> -1)::dynpg.item) < 1024 * 1024 AS under_1_mb_before_the_last
  FROM dynpg.scan('{"TableName": "heavy"}') AS r;
SELECT r -> 'Count' AS count, r -> 'ScannedCount' AS scanned, r ? 'LastEvaluatedKey' AS has_last_key
  FROM dynpg.scan('{"TableName": "heavy", "FilterExpression": "attribute_not_exists(filler)"}') AS r;
CREATE FUNCTION pg_temp.follow(req jsonb, OUT pages int, OUT items jsonb, OUT counted bigint, OUT scanned bigint)
LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
BEGIN
	pages := 0; items := '[]'; counted := 0; scanned := 0;
	LOOP
		r := dynpg.scan(req);
		pages := pages + 1;
		items := items || coalesce(r -> 'Items', '[]');
		counted := counted + (r ->> 'Count')::bigint;
		scanned := scanned + (r ->> 'ScannedCount')::bigint;
		EXIT WHEN r -> 'LastEvaluatedKey' IS NULL;
		IF req -> 'ExclusiveStartKey' = r -> 'LastEvaluatedKey' THEN
			RAISE EXCEPTION 'LastEvaluatedKey did not move: %', r -> 'LastEvaluatedKey';
		END IF;
		req := req || jsonb_build_object('ExclusiveStartKey', r -> 'LastEvaluatedKey');
		IF pages > 1000 THEN
			RAISE EXCEPTION 'too many pages';
		END IF;
	END LOOP;
END $$;
SELECT extra, f.pages, f.counted, f.scanned,
       f.items = (SELECT coalesce(jsonb_agg(i::jsonb), '[]') FROM dynpg.scan_request_items((jsonb_build_object('TableName', 'heavy') || extra) - 'Limit') AS i) AS same_as_one_read,
       (SELECT count(DISTINCT e -> 'h') FROM jsonb_array_elements(f.items) e) = f.counted AS no_duplicates
  FROM (VALUES ('{}'::jsonb), ('{"Limit": 9}'), ('{"FilterExpression": "odd = :t", "ExpressionAttributeValues": {":t": {"BOOL": true}}}'),
               ('{"ProjectionExpression": "h", "FilterExpression": "h < :n", "ExpressionAttributeValues": {":n": {"N": "40"}}, "Limit": 13}')) AS t(extra),
       LATERAL pg_temp.follow(jsonb_build_object('TableName', 'heavy') || extra) AS f;

--
-- Parallel scans: Segment and TotalSegments
--
SELECT pg_temp.api('Scan', d) FROM (VALUES
 ('{"TableName": "events", "Segment": 0}'::jsonb),
 ('{"TableName": "events", "TotalSegments": 2}'),
 ('{"TableName": "events", "Segment": 1, "TotalSegments": 1}'),
 ('{"TableName": "events", "Segment": 5, "TotalSegments": 3}'),
 ('{"TableName": "events", "Segment": -1, "TotalSegments": 2}'),
 ('{"TableName": "events", "Segment": 0, "TotalSegments": 0}'),
 ('{"TableName": "events", "Segment": 0, "TotalSegments": 1000001}'),
 ('{"TableName": "events", "Segment": 1000000, "TotalSegments": 1000000}'),
 ('{"TableName": "events", "Segment": 999999, "TotalSegments": 1000000, "Select": "COUNT"}'),
 ('{"TableName": "events", "Segment": "0", "TotalSegments": 2}'),
 -- after the mixing of parameters and the start key's values, before the expressions and the table
 ('{"TableName": "events", "Segment": 1, "ScanFilter": {}, "FilterExpression": "x"}'),
 ('{"TableName": "events", "Segment": 1, "ExclusiveStartKey": {"src": {}}}'),
 ('{"TableName": "events", "Segment": 1, "FilterExpression": ""}'),
 ('{"TableName": "nonexistent", "Segment": 3, "TotalSegments": 2}')
) AS t(d);
-- the segments of a scan are disjoint and together hold every item, for
-- any number of them
SELECT total, count(*) AS items, count(DISTINCT i) AS distinct_items,
       (SELECT count(*) FROM dynamodb.events) + (SELECT count(*) FROM dynamodb.inventory) + (SELECT count(*) FROM dynamodb.heavy) AS in_tables,
       bool_and(seg_ok) AS each_in_its_hash_range
  FROM unnest(ARRAY[1, 2, 3, 7, 100]) AS total,
       unnest(ARRAY['events', 'inventory', 'heavy']) AS tab,
       generate_series(0, total - 1) AS seg,
       LATERAL dynpg.scan_items(tab, segment => seg, total_segments => total, projection => CASE tab WHEN 'events' THEN 'src, ts' WHEN 'inventory' THEN 'sku' ELSE 'h' END) AS i,
       LATERAL (SELECT ceil((pg_temp.uhash(coalesce(i -> 'src', i -> 'sku', i -> 'h')) + 1) * total / 18446744073709551616) - 1 = seg AS seg_ok) AS s
 GROUP BY total ORDER BY total;
-- with a million segments, each item is in the segment of its hash
SELECT count(*) AS items,
       bool_and(dynpg.scan(jsonb_build_object('TableName', 'inventory', 'Segment', seg, 'TotalSegments', 1000000, 'ProjectionExpression', 'sku')) -> 'Items' = jsonb_build_array(jsonb_build_object('sku', i -> 'sku'))) AS found_alone_in_its_segment,
       bool_and((dynpg.scan(jsonb_build_object('TableName', 'inventory', 'Segment', (seg + 1) % 1000000, 'TotalSegments', 1000000)) ->> 'Count')::int = 0) AS next_segment_empty
  FROM dynpg.scan_items('inventory') AS i,
       LATERAL (SELECT (ceil((pg_temp.uhash(i -> 'sku') + 1) * 1000000 / 18446744073709551616) - 1)::int AS seg) AS s;
-- each segment pages on its own: following LastEvaluatedKey within each
-- segment of three, with small pages, reads every item once
SELECT seg, f.pages > 1 AS several_pages, f.counted,
       f.items = (SELECT jsonb_agg(i::jsonb) FROM dynpg.scan_items('heavy', segment => seg, total_segments => 3, projection => 'h') AS i) AS same_as_one_read
  FROM generate_series(0, 2) AS seg,
       LATERAL pg_temp.follow(jsonb_build_object('TableName', 'heavy', 'Segment', seg, 'TotalSegments', 3, 'Limit', 11, 'ProjectionExpression', 'h')) AS f
 ORDER BY seg;
SELECT sum(f.counted) AS all_segments, (SELECT count(*) FROM dynamodb.heavy) AS in_table
  FROM generate_series(0, 2) AS seg,
       LATERAL pg_temp.follow(jsonb_build_object('TableName', 'heavy', 'Segment', seg, 'TotalSegments', 3)) AS f;
-- an ExclusiveStartKey must be in the segment
CREATE TEMP TABLE seg_of AS
SELECT i -> 'h' AS h, (ceil((pg_temp.uhash(i -> 'h') + 1) * 3 / 18446744073709551616) - 1)::int AS seg
  FROM dynpg.scan_items('heavy', projection => 'h') AS i;
SELECT seg, pg_temp.api('Scan', jsonb_build_object('TableName', 'heavy', 'Segment', seg, 'TotalSegments', 3, 'Select', 'COUNT',
         'ExclusiveStartKey', jsonb_build_object('h', (SELECT h FROM seg_of WHERE seg_of.seg = (s.seg + 1) % 3 ORDER BY (h ->> 'N')::int LIMIT 1)))) AS other_segments_key,
       pg_temp.api('Scan', jsonb_build_object('TableName', 'heavy', 'Segment', seg, 'TotalSegments', 3, 'Select', 'COUNT',
         'ExclusiveStartKey', jsonb_build_object('h', (SELECT h FROM seg_of WHERE seg_of.seg = s.seg ORDER BY (h ->> 'N')::int LIMIT 1)))) ~ '^\{"Count"' AS own_key_accepted
  FROM generate_series(0, 2) AS s(seg) ORDER BY seg;
-- with one segment, every key is in it
SELECT pg_temp.api('Scan', '{"TableName": "heavy", "Segment": 0, "TotalSegments": 1, "ExclusiveStartKey": {"h": {"N": "7"}}, "Select": "COUNT"}') ~ '^\{"Count"' AS accepted;
SELECT pg_temp.detail('Scan', jsonb_build_object('TableName', 'heavy', 'Segment', 2, 'TotalSegments', 3,
         'ExclusiveStartKey', jsonb_build_object('h', (SELECT h FROM seg_of WHERE seg = 0 ORDER BY (h ->> 'N')::int LIMIT 1))));

--
-- A segment reads its share of the leaves
--
SELECT dynpg.create_table('{"TableName": "wide", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "w", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "w", "AttributeType": "N"}, {"AttributeName": "n", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS wide;
INSERT INTO dynamodb.wide SELECT dynpg.from_plain_json(jsonb_build_object('w', w, 'n', n, 'pad', repeat('p', 200)))
  FROM generate_series(1, 40) n, generate_series(1, 300) w;
CREATE FUNCTION pg_temp.reads(op text, req jsonb, OUT meta int, OUT internal int, OUT leaf int, OUT count int)
LANGUAGE plpgsql AS $$
DECLARE
	b jsonb;
	a jsonb;
	r jsonb;
BEGIN
	b := dynpg.page_reads();
	r := dynpg.execute(op, req);
	a := dynpg.page_reads();
	meta := (a ->> 'meta')::int - (b ->> 'meta')::int;
	internal := (a ->> 'internal')::int - (b ->> 'internal')::int;
	leaf := (a ->> 'leaf')::int - (b ->> 'leaf')::int;
	count := (r ->> 'Count')::int;
END $$;
-- each of ten segments (under 1 MB each) reads about its share of the
-- leaves, its items' share, and the segments together read each leaf
-- about once
CREATE TEMP TABLE seg_reads AS
SELECT seg, r.*, (v ->> 'leaf_pages')::int AS leaf_pages, (v ->> 'live_items')::int AS items
  FROM generate_series(0, 9) AS seg, dynpg.verify('wide') AS v,
       LATERAL pg_temp.reads('Scan', jsonb_build_object('TableName', 'wide', 'Segment', seg, 'TotalSegments', 10, 'Select', 'COUNT')) AS r;
SELECT sum(count) AS items_read, bool_and(meta <= 1 AND internal <= 2) AS one_descent_each,
       bool_and(leaf <= ceil(leaf_pages * count::numeric / items * 1.2) + 2) AS each_reads_about_its_share,
       bool_and(leaf < leaf_pages / 4) AS each_reads_under_a_quarter,
       sum(leaf) BETWEEN min(leaf_pages) AND min(leaf_pages) + 10 AS together_each_leaf_about_once
  FROM seg_reads;

--
-- The SQL layer: dynpg.scan_items returns every item that passes the filter,
-- across all the pages a Scan would take
--
SELECT count(*) AS items, sum(dynpg.item_size(i)) > 3 * 1024 * 1024 AS over_3_mb FROM dynpg.scan_items('heavy') AS i;
-- values as untyped JSON, as jsonb, as DynamoDB-typed values
SELECT * FROM dynpg.scan_items('events', 'src = :s AND ts > :t', '{":s": "web", ":t": 2}');
SELECT * FROM dynpg.scan_items('events', 'src = :s AND ts > :t', '{":s": "web", ":t": 2}'::jsonb, projection => 'ts');
SELECT * FROM dynpg.scan_items('events', 'src = :s AND ts > :t', '{":s": {"S": "web"}, ":t": {"N": "2"}}'::dynpg.item, projection => '#t', names => '{"#t": "ts"}');
SELECT count(*) FROM dynpg.scan_items('events');
-- a segment
SELECT seg, count(i) FROM generate_series(0, 3) AS seg LEFT JOIN LATERAL dynpg.scan_items('inventory', segment => seg, total_segments => 4) AS i ON true
 GROUP BY seg ORDER BY seg;
-- joined with other tables
CREATE TEMP TABLE sources (src text PRIMARY KEY, owner text);
INSERT INTO sources VALUES ('web', 'ann'), ('db', 'bob');
SELECT s.owner, e ->> 'src' AS src, count(*) AS events
  FROM dynpg.scan_items('events', 'sev = :l', '{":l": "info"}') AS e JOIN sources s ON s.src = e ->> 'src'
 GROUP BY s.owner, e ->> 'src' ORDER BY s.owner;
-- the same checks and messages as Scan
SELECT * FROM dynpg.scan_items('events', 'attribute_exists(ts.x)');
SELECT * FROM dynpg.scan_items('events', segment => 2, total_segments => 2);
SELECT * FROM dynpg.scan_items('events', segment => 1);
SELECT * FROM dynpg.scan_items('events', index_name => 'by_level');
SELECT * FROM dynpg.scan_items('nonexistent');
SELECT * FROM dynpg.scan_request_items('{"TableName": "events", "Select": "COUNT"}');
SELECT * FROM dynpg.scan_request_items('{"TableName": "events", "Limit": 2, "ProjectionExpression": "src, ts"}');

--
-- dynpg.execute dispatches Scan
--
SELECT dynpg.execute('Scan', '{"TableName": "events", "Select": "COUNT", "ScanFilter": {"ts": {"ComparisonOperator": "LE", "AttributeValueList": [{"N": "1"}]}}}');

-- clean up
SELECT dynpg.delete_table(jsonb_build_object('TableName', t)) -> 'TableDescription' -> 'TableStatus' AS deleted
  FROM unnest(ARRAY['inventory', 'events', 'empty', 'heavy', 'wide']) AS t;
