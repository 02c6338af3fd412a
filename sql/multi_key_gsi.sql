-- Multi-attribute GSI keys (DynamoDB, November 2025; src/index/README,
-- "Multi-attribute keys"): a GSI's KeySchema of 1 to 4 HASH attributes then
-- 0 to 4 RANGE attributes.  CreateTable's and UpdateTable's checks,
-- DescribeTable, sparse entries, the write path's checks, Query's key
-- conditions (every HASH attribute "=", a gap-free run of RANGE attributes,
-- a range operator only on the last one named), order and ScanIndexForward,
-- paging by LastEvaluatedKey and ExclusiveStartKey's checks, Scan of the
-- index, entries that move, the backfill and dynpg.verify.  GSI changes are
-- applied by dynpg._apply_index_changes() right after writes (its count is
-- never shown: the worker may have applied some already).
\set SHOW_CONTEXT never
SET search_path = public, dynpg;

\i sql/include/item_helpers.sql
CREATE FUNCTION pg_temp.apply() RETURNS void LANGUAGE sql AS $$
	SELECT FROM dynpg._apply_index_changes() $$;
-- a read's items as their "p" values in order, and its LastEvaluatedKey (or the error)
CREATE FUNCTION pg_temp.ps(op text, req jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
BEGIN
	r := dynpg.execute(op, req);
	RETURN coalesce((SELECT string_agg(e -> 'p' ->> 'S', ',' ORDER BY o)
					   FROM jsonb_array_elements(r -> 'Items') WITH ORDINALITY AS t(e, o)), '-')
		|| CASE WHEN r ? 'LastEvaluatedKey' THEN ' LEK=' || (r -> 'LastEvaluatedKey')::text ELSE '' END;
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- a Query of by_hr with the values 'kce' or the extra members use (DynamoDB refuses unused ones)
CREATE FUNCTION pg_temp.q(kce text, vals jsonb, extra jsonb DEFAULT '{}') RETURNS text
LANGUAGE sql AS $$
	SELECT pg_temp.ps('Query', jsonb_build_object('TableName', 'mkg', 'IndexName', 'by_hr',
		'KeyConditionExpression', kce, 'ExpressionAttributeValues',
		(SELECT jsonb_object_agg(k, v) FROM jsonb_each(vals) AS e(k, v)
		  WHERE (kce || ' ' || coalesce(extra ->> 'FilterExpression', '')) ~ (k || '\M'))) || extra) $$;

-- ---------------------------------------------------------------------
-- CreateTable
-- ---------------------------------------------------------------------
SELECT dynpg.create_table('{"TableName": "mkg", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"},
    {"AttributeName": "h1", "AttributeType": "S"}, {"AttributeName": "h2", "AttributeType": "N"},
    {"AttributeName": "r1", "AttributeType": "S"}, {"AttributeName": "r2", "AttributeType": "N"},
    {"AttributeName": "r3", "AttributeType": "B"}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "by_hr", "KeySchema": [{"AttributeName": "h1", "KeyType": "HASH"},
       {"AttributeName": "h2", "KeyType": "HASH"}, {"AttributeName": "r1", "KeyType": "RANGE"},
       {"AttributeName": "r2", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}},
    {"IndexName": "by_hh", "KeySchema": [{"AttributeName": "h1", "KeyType": "HASH"},
       {"AttributeName": "h2", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}},
    {"IndexName": "by_rrr", "KeySchema": [{"AttributeName": "h1", "KeyType": "HASH"},
       {"AttributeName": "r1", "KeyType": "RANGE"}, {"AttributeName": "r2", "KeyType": "RANGE"},
       {"AttributeName": "r3", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}}]}')
  -> 'TableDescription' -> 'GlobalSecondaryIndexes' AS created;
-- DescribeTable reports each KeySchema as given
SELECT jsonb_pretty(jsonb_path_query_array(dynpg.describe_table('{"TableName": "mkg"}'),
  '$.Table.GlobalSecondaryIndexes[*].KeySchema')) AS key_schemas;
SELECT index_name, key_schema FROM dynpg.indexes WHERE table_name = 'mkg' ORDER BY index_name;

-- malformed key schemas: the constraint (8 elements for a GSI, 2 for an LSI and the table), then the rules
CREATE TEMP TABLE bad_schemas (n serial, gsi_keys jsonb);
INSERT INTO bad_schemas (gsi_keys) VALUES
 ('[["a","HASH"],["b","HASH"],["c","HASH"],["d","HASH"],["e","RANGE"],["f","RANGE"],["g","RANGE"],["h","RANGE"],["i","RANGE"]]'),
 ('[["a","HASH"],["b","HASH"],["c","HASH"],["d","HASH"],["e","HASH"]]'),
 ('[["a","HASH"],["b","RANGE"],["c","RANGE"],["d","RANGE"],["e","RANGE"],["f","RANGE"]]'),
 ('[["a","HASH"],["b","RANGE"],["c","HASH"]]'),
 ('[["a","RANGE"],["b","HASH"],["c","HASH"]]'),
 ('[["a","RANGE"],["b","HASH"]]'),
 ('[["a","HASH"],["b","HASH"],["a","RANGE"]]'),
 ('[["a","HASH"],["a","HASH"]]'),
 ('[["a","HASH"],["b","HASH"],["z","RANGE"]]'),
 ('[["a","HASH"],["b","HASH"],["c","HASH"],["d","HASH"],["e","RANGE"],["f","RANGE"],["g","RANGE"],["i","RANGE"]]');
SELECT n, regexp_replace(pg_temp.api('CreateTable', jsonb_build_object('TableName', 'bad', 'BillingMode', 'PAY_PER_REQUEST',
  'KeySchema', '[{"AttributeName": "p", "KeyType": "HASH"}]'::jsonb,
  'AttributeDefinitions', (SELECT jsonb_agg(jsonb_build_object('AttributeName', a, 'AttributeType', 'S'))
                             FROM unnest(ARRAY['p','a','b','c','d','e','f','g','h','i']) a
                            WHERE a = 'p' OR gsi_keys @> jsonb_build_array(jsonb_build_array(a))
                               OR EXISTS (SELECT FROM jsonb_array_elements(gsi_keys) k WHERE k ->> 0 = a)),
  'GlobalSecondaryIndexes', jsonb_build_array(jsonb_build_object('IndexName', 'gsi',
     'KeySchema', (SELECT jsonb_agg(jsonb_build_object('AttributeName', k ->> 0, 'KeyType', k ->> 1) ORDER BY o)
                     FROM jsonb_array_elements(gsi_keys) WITH ORDINALITY AS t(k, o)),
     'Projection', '{"ProjectionType": "ALL"}'::jsonb)))), '^\{"TableDescription".*', 'created') AS result
  FROM bad_schemas ORDER BY n;
SELECT dynpg.delete_table('{"TableName": "bad"}') -> 'TableDescription' ->> 'TableName' AS deleted;
-- LSIs and the table keep one HASH and at most one RANGE attribute
SELECT pg_temp.api('CreateTable', '{"TableName": "bad", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "S"},
    {"AttributeName": "l", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "lsi", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
    {"AttributeName": "s", "KeyType": "RANGE"}, {"AttributeName": "l", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "ALL"}}]}') AS lsi_three;
SELECT pg_temp.api('CreateTable', '{"TableName": "bad", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "l", "AttributeType": "S"}]}') AS table_two_hash;
SELECT pg_temp.api('CreateTable', '{"TableName": "bad", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "S"},
    {"AttributeName": "l", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "lsi", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
    {"AttributeName": "l", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}') AS lsi_two_hash;

-- ---------------------------------------------------------------------
-- Writes: the checks of every key attribute, sparse entries
-- ---------------------------------------------------------------------
SELECT pg_temp.api('PutItem', '{"TableName": "mkg", "Item": {"p": {"S": "bad"}, "h1": {"S": "a"}, "h2": {"S": "1"}}}') AS h2_type;
SELECT pg_temp.api('PutItem', '{"TableName": "mkg", "Item": {"p": {"S": "bad"}, "h1": {"S": "a"}, "r2": {"S": "1"}}}') AS r2_type;
SELECT pg_temp.api('PutItem', '{"TableName": "mkg", "Item": {"p": {"S": "bad"}, "h1": {"S": "a"}, "h2": {"N": "1"}, "r1": {"S": ""}}}') AS r1_empty;
SELECT pg_temp.api('UpdateItem', '{"TableName": "mkg", "Key": {"p": {"S": "bad"}}, "UpdateExpression": "SET r2 = :v",
  "ExpressionAttributeValues": {":v": {"S": "x"}}}') AS update_type;
-- the RANGE attributes' sizes together: at most 1024 bytes (each alone would pass)
SELECT pg_temp.api('PutItem', jsonb_build_object('TableName', 'mkg', 'Item', jsonb_build_object(
  'p', '{"S": "big"}'::jsonb, 'h1', '{"S": "a"}'::jsonb, 'r1', jsonb_build_object('S', repeat('x', 600)),
  'r2', '{"N": "1"}'::jsonb, 'r3', jsonb_build_object('B', translate(encode(convert_to(repeat('y', 500), 'UTF8'), 'base64'), E'\n', ''))))) AS range_sum;
SELECT pg_temp.api('PutItem', jsonb_build_object('TableName', 'mkg', 'Item', jsonb_build_object(
  'p', '{"S": "big"}'::jsonb, 'h1', '{"S": "a"}'::jsonb, 'r1', jsonb_build_object('S', repeat('x', 600)),
  'r2', '{"N": "1"}'::jsonb, 'r3', jsonb_build_object('B', translate(encode(convert_to(repeat('y', 400), 'UTF8'), 'base64'), E'\n', ''))))) ~ '^\{' AS range_sum_fits;
SELECT pg_temp.api('DeleteItem', '{"TableName": "mkg", "Key": {"p": {"S": "big"}}}') AS deleted_big;
SELECT pg_temp.api('PutItem', jsonb_build_object('TableName', 'mkg', 'Item', jsonb_build_object(
  'p', '{"S": "big"}'::jsonb, 'h1', jsonb_build_object('S', repeat('x', 1500)), 'h2', '{"N": "1"}'::jsonb,
  'r1', jsonb_build_object('S', repeat('x', 600))))) AS hash_and_range_fit;
SELECT pg_temp.api('PutItem', jsonb_build_object('TableName', 'mkg', 'Item', jsonb_build_object(
  'p', '{"S": "big2"}'::jsonb, 'h1', jsonb_build_object('S', repeat('x', 2048)), 'h2', '{"N": "12345"}'::jsonb))) AS hash_sum;

-- the data: h1, h2 the partition; r1, r2 the sort key (r2 a number: numeric order)
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'mkg', 'Item', dynpg.item_to_jsonb(dynpg.from_plain_json(i)))))
  FROM (VALUES
   ('{"p": "i01", "h1": "a", "h2": 1, "r1": "x", "r2": 10, "v": 1}'::jsonb),
   ('{"p": "i02", "h1": "a", "h2": 1, "r1": "x", "r2": 9, "v": 2}'),
   ('{"p": "i03", "h1": "a", "h2": 1, "r1": "x", "r2": 100, "v": 3}'),
   ('{"p": "i04", "h1": "a", "h2": 1, "r1": "xy", "r2": 1, "v": 4}'),
   ('{"p": "i05", "h1": "a", "h2": 1, "r1": "w", "r2": 1000, "v": 5}'),
   ('{"p": "i06", "h1": "a", "h2": 1, "r1": "x", "r2": -5, "v": 6}'),
   ('{"p": "i07", "h1": "a", "h2": 2, "r1": "x", "r2": 10, "v": 7}'),
   ('{"p": "i08", "h1": "b", "h2": 1, "r1": "x", "r2": 10, "v": 8}'),
   ('{"p": "i09", "h1": "a", "h2": 1, "r1": "x", "v": 9}'),
   ('{"p": "i10", "h1": "a", "r1": "x", "r2": 10, "v": 10}'),
   ('{"p": "i11", "h1": "a", "h2": 1, "r1": "x", "r2": 10, "v": 11}'),
   ('{"p": "i12", "h1": "a", "h2": 1, "r1": "", "r2": 0, "v": 12}')) AS t(i)
 WHERE NOT i @> '{"r1": ""}';
SELECT pg_temp.apply();

-- ---------------------------------------------------------------------
-- Query
-- ---------------------------------------------------------------------
-- every HASH attribute "=": ordered by r1, then r2 (numerically), then the table's key;
-- i09 (no r2) and i10 (no h2) are not in by_hr, i09 is in by_hh
SELECT pg_temp.q('h1 = :a AND h2 = :one', '{":a": {"S": "a"}, ":one": {"N": "1"}}') AS all_hash;
SELECT pg_temp.q('h2 = :one AND h1 = :a', '{":a": {"S": "a"}, ":one": {"N": "1"}}', '{"ScanIndexForward": false}') AS backward;
SELECT pg_temp.ps('Query', '{"TableName": "mkg", "IndexName": "by_hh", "KeyConditionExpression": "h1 = :a AND h2 = :one",
  "ExpressionAttributeValues": {":a": {"S": "a"}, ":one": {"N": "1"}}}') AS two_hash_only;
SELECT pg_temp.q('h1 = :a AND h2 = :two', '{":a": {"S": "a"}, ":two": {"N": "2"}}') AS other_partition;
-- "=" on r1, then every operator on r2
SELECT pg_temp.q('h1 = :a AND h2 = :one AND r1 = :x', '{":a": {"S": "a"}, ":one": {"N": "1"}, ":x": {"S": "x"}}') AS r1_eq;
SELECT op, pg_temp.q('h1 = :a AND h2 = :one AND r1 = :x AND ' || op,
  '{":a": {"S": "a"}, ":one": {"N": "1"}, ":x": {"S": "x"}, ":n": {"N": "10"}, ":m": {"N": "100"}}') AS result
  FROM unnest(ARRAY['r2 = :n', 'r2 < :n', 'r2 <= :n', 'r2 > :n', 'r2 >= :n', 'r2 BETWEEN :n AND :m', ':n < r2']) op;
-- a range operator on r1 (the last one named)
SELECT op, pg_temp.q('h1 = :a AND h2 = :one AND ' || op,
  '{":a": {"S": "a"}, ":one": {"N": "1"}, ":x": {"S": "x"}, ":y": {"S": "xz"}}') AS result
  FROM unnest(ARRAY['begins_with(r1, :x)', 'r1 > :x', 'r1 < :x', 'r1 BETWEEN :x AND :y', 'r1 >= :x']) op;
-- equality on every attribute
SELECT pg_temp.q('h1 = :a AND h2 = :one AND r1 = :x AND r2 = :n', '{":a": {"S": "a"}, ":one": {"N": "1"}, ":x": {"S": "x"}, ":n": {"N": "10"}}') AS all_eq;
-- a three-attribute sort key (r1, r2, r3) where r3 is missing from every item: nothing indexed
SELECT pg_temp.ps('Query', '{"TableName": "mkg", "IndexName": "by_rrr", "KeyConditionExpression": "h1 = :a",
  "ExpressionAttributeValues": {":a": {"S": "a"}}}') AS sparse;

-- key conditions DynamoDB refuses
SELECT kce, pg_temp.q(kce, '{":a": {"S": "a"}, ":one": {"N": "1"}, ":x": {"S": "x"}, ":n": {"N": "10"}}') AS result
  FROM unnest(ARRAY[
   'h1 = :a',
   'h2 = :one',
   'h1 = :a AND h2 > :one',
   'h1 = :a AND begins_with(h1, :x) AND h2 = :one',
   'h1 = :a AND h2 = :one AND r2 = :n',
   'h1 = :a AND h2 = :one AND r1 > :x AND r2 = :n',
   'h1 = :a AND h2 = :one AND begins_with(r1, :x) AND r2 > :n',
   'h1 = :a AND h2 = :one AND v = :n',
   'h1 = :a AND h2 = :one AND r1 = :x AND r2 = :n AND v = :n',
   'h1 = :a AND h2 = :x',
   'h1 = :a AND h2 = :one AND r1 = :n',
   'h1 = :a AND h1 = :a AND h2 = :one']) kce;
-- more than 8 conditions, before the table is looked up; a table's key takes at most 2
SELECT pg_temp.ps('Query', '{"TableName": "nonexistent", "KeyConditionExpression": "a = :v AND b = :v AND c = :v AND d = :v AND e = :v AND f = :v AND g = :v AND h = :v AND i = :v",
  "ExpressionAttributeValues": {":v": {"S": "v"}}}') AS nine_conditions;
SELECT pg_temp.ps('Query', '{"TableName": "mkg", "KeyConditionExpression": "p = :v AND h1 = :v AND h2 = :v",
  "ExpressionAttributeValues": {":v": {"S": "v"}}}') AS table_three_conditions;
-- a filter cannot name any key attribute of the index
SELECT pg_temp.q('h1 = :a AND h2 = :one', '{":a": {"S": "a"}, ":one": {"N": "1"}, ":n": {"N": "1"}}',
  '{"FilterExpression": "r2 > :n"}') AS filter_on_range;
SELECT pg_temp.q('h1 = :a AND h2 = :one', '{":a": {"S": "a"}, ":one": {"N": "1"}, ":n": {"N": "1"}}',
  '{"FilterExpression": "v > :n"}') AS filter_on_other;

-- paging: LastEvaluatedKey holds every index key attribute and the table's key
SELECT pg_temp.q('h1 = :a AND h2 = :one', '{":a": {"S": "a"}, ":one": {"N": "1"}}', '{"Limit": 2}') AS page1;
SELECT pg_temp.q('h1 = :a AND h2 = :one', '{":a": {"S": "a"}, ":one": {"N": "1"}}',
  '{"Limit": 2, "ExclusiveStartKey": {"p": {"S": "i01"}, "h1": {"S": "a"}, "h2": {"N": "1"}, "r1": {"S": "x"}, "r2": {"N": "10"}}}') AS page2;
SELECT pg_temp.q('h1 = :a AND h2 = :one', '{":a": {"S": "a"}, ":one": {"N": "1"}}',
  '{"Limit": 2, "ScanIndexForward": false, "ExclusiveStartKey": {"p": {"S": "i01"}, "h1": {"S": "a"}, "h2": {"N": "1"}, "r1": {"S": "x"}, "r2": {"N": "10"}}}') AS page2_backward;
-- ExclusiveStartKey's checks
SELECT esk, pg_temp.q('h1 = :a AND h2 = :one AND r1 = :x', '{":a": {"S": "a"}, ":one": {"N": "1"}, ":x": {"S": "x"}}',
  jsonb_build_object('ExclusiveStartKey', esk)) AS result
  FROM unnest(ARRAY[
   '{"p": {"S": "i01"}, "h1": {"S": "a"}, "h2": {"N": "1"}, "r1": {"S": "x"}}',
   '{"p": {"S": "i01"}, "h1": {"S": "a"}, "h2": {"N": "1"}, "r1": {"S": "x"}, "v": {"N": "10"}}',
   '{"p": {"S": "i01"}, "h1": {"S": "a"}, "h2": {"S": "1"}, "r1": {"S": "x"}, "r2": {"N": "10"}}',
   '{"p": {"S": "i01"}, "h1": {"S": "a"}, "h2": {"N": "1"}, "r1": {"S": "w"}, "r2": {"N": "10"}}',
   '{"p": {"S": "i01"}, "h1": {"S": "a"}, "h2": {"N": "2"}, "r1": {"S": "x"}, "r2": {"N": "10"}}',
   '{"p": {"S": "i01"}, "h1": {"S": "a"}, "h2": {"N": "1"}, "r1": {"S": ""}, "r2": {"N": "10"}}',
   '{"p": {"S": "i02"}, "h1": {"S": "a"}, "h2": {"N": "1"}, "r1": {"S": "x"}, "r2": {"N": "9"}}']::jsonb[]) esk;
SELECT pg_temp.q('h1 = :a AND h2 = :one', '{":a": {"S": "a"}, ":one": {"N": "1"}}',
  '{"ExclusiveStartKey": {"p": {"S": "i07"}, "h1": {"S": "a"}, "h2": {"N": "2"}, "r1": {"S": "x"}, "r2": {"N": "10"}}}') AS esk_other_partition;

-- ---------------------------------------------------------------------
-- Scan of the index, entries that move, verify
-- ---------------------------------------------------------------------
SELECT pg_temp.ps('Scan', '{"TableName": "mkg", "IndexName": "by_hr"}') ~ '^(i[0-9]+,){8}i[0-9]+$' AS scan_nine;
SELECT (SELECT count(*) FROM regexp_split_to_table(regexp_replace(pg_temp.ps('Scan', '{"TableName": "mkg", "IndexName": "by_hr", "Limit": 4}'), ' LEK=.*', ''), ',')) AS scan_page_items,
  pg_temp.ps('Scan', '{"TableName": "mkg", "IndexName": "by_hr", "Limit": 4}') ~ 'LEK=\{"p": \{"S": "i[0-9]+"\}, "h1": \{"S": "[ab]"\}, "h2": \{"N": "[12]"\}, "r1": \{"S": "[wxy]+"\}, "r2": \{"N": "-?[0-9]+"\}\}$' AS scan_lek_keys;
-- paging a whole Scan by LastEvaluatedKey visits every entry once
DO $$
DECLARE
	req jsonb := '{"TableName": "mkg", "IndexName": "by_hr", "Limit": 2}';
	r jsonb;
	seen text[] := '{}';
BEGIN
	LOOP
		r := dynpg.execute('Scan', req);
		seen := seen || ARRAY(SELECT e -> 'p' ->> 'S' FROM jsonb_array_elements(r -> 'Items') e);
		EXIT WHEN NOT r ? 'LastEvaluatedKey';
		req := req || jsonb_build_object('ExclusiveStartKey', r -> 'LastEvaluatedKey');
	END LOOP;
	RAISE NOTICE 'scan pages: % entries, % distinct', cardinality(seen),
		(SELECT count(DISTINCT x) FROM unnest(seen) x);
END $$;
-- parallel Scan: segments are ranges of the hash of all HASH values, disjoint and covering;
-- a start key must lie in its segment
SELECT count(*) AS entries, count(DISTINCT p) AS distinct_entries
  FROM generate_series(0, 3) seg,
       regexp_split_to_table(pg_temp.ps('Scan', jsonb_build_object('TableName', 'mkg', 'IndexName', 'by_hr',
         'Segment', seg, 'TotalSegments', 4)), ',') AS p
 WHERE p <> '-';
SELECT seg, pg_temp.ps('Scan', jsonb_build_object('TableName', 'mkg', 'IndexName', 'by_hr', 'Segment', seg, 'TotalSegments', 2)) ~ 'i07' AS holds_i07,
  pg_temp.ps('Scan', jsonb_build_object('TableName', 'mkg', 'IndexName', 'by_hr', 'Segment', seg, 'TotalSegments', 2,
  'ExclusiveStartKey', '{"p": {"S": "i07"}, "h1": {"S": "a"}, "h2": {"N": "2"}, "r1": {"S": "x"}, "r2": {"N": "10"}}'::jsonb)) AS with_i07_start_key
  FROM generate_series(0, 1) seg;
-- an entry moves with its RANGE attribute, leaves with a HASH one, comes back with it
SELECT pg_temp.api('UpdateItem', '{"TableName": "mkg", "Key": {"p": {"S": "i05"}}, "UpdateExpression": "SET r1 = :x, r2 = :n",
  "ExpressionAttributeValues": {":x": {"S": "x"}, ":n": {"N": "11"}}}') AS moved;
SELECT pg_temp.api('UpdateItem', '{"TableName": "mkg", "Key": {"p": {"S": "i04"}}, "UpdateExpression": "REMOVE h2"}') AS removed;
SELECT pg_temp.api('UpdateItem', '{"TableName": "mkg", "Key": {"p": {"S": "i09"}}, "UpdateExpression": "SET r2 = :n",
  "ExpressionAttributeValues": {":n": {"N": "0"}}}') AS completed;
SELECT pg_temp.api('DeleteItem', '{"TableName": "mkg", "Key": {"p": {"S": "i03"}}}') AS deleted;
SELECT pg_temp.apply();
SELECT pg_temp.q('h1 = :a AND h2 = :one', '{":a": {"S": "a"}, ":one": {"N": "1"}}') AS after_moves;
SELECT pg_temp.ps('Query', '{"TableName": "mkg", "IndexName": "by_hh", "KeyConditionExpression": "h1 = :a AND h2 = :one",
  "ExpressionAttributeValues": {":a": {"S": "a"}, ":one": {"N": "1"}}}') AS two_hash_after;
SELECT jsonb_path_query_array(dynpg.verify('mkg'), '$.indexes[*] ? (@.missing != 0 || @.extra != 0)') AS bad_indexes,
  dynpg.verify('mkg') ->> 'ok' AS verify_ok;

-- ---------------------------------------------------------------------
-- UpdateTable: a multi-attribute GSI added to a table with items (backfilled)
-- ---------------------------------------------------------------------
SELECT pg_temp.api('UpdateTable', '{"TableName": "mkg", "AttributeDefinitions": [{"AttributeName": "a1", "AttributeType": "S"},
    {"AttributeName": "a2", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "late", "KeySchema": [{"AttributeName": "a1", "KeyType": "HASH"},
    {"AttributeName": "a1", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}}]}') AS update_duplicate;
SELECT pg_temp.api('UpdateTable', '{"TableName": "mkg", "AttributeDefinitions": [{"AttributeName": "a1", "AttributeType": "S"},
    {"AttributeName": "a2", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "late", "KeySchema": [{"AttributeName": "a1", "KeyType": "RANGE"},
    {"AttributeName": "a2", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}') AS update_range_first;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'mkg', 'Item', jsonb_build_object(
  'p', jsonb_build_object('S', 'late' || i), 'a1', jsonb_build_object('S', 'g' || (i % 2)),
  'a2', jsonb_build_object('S', 'h'), 'h2', jsonb_build_object('N', (10 - i)::text))))) AS late_items
  FROM generate_series(1, 6) i;
SELECT pg_temp.apply();
SELECT dynpg.update_table('{"TableName": "mkg", "AttributeDefinitions": [{"AttributeName": "a1", "AttributeType": "S"},
    {"AttributeName": "a2", "AttributeType": "S"}, {"AttributeName": "h2", "AttributeType": "N"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "late", "KeySchema": [{"AttributeName": "a1", "KeyType": "HASH"},
    {"AttributeName": "a2", "KeyType": "HASH"}, {"AttributeName": "h2", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"}}}]}') #> '{TableDescription,GlobalSecondaryIndexes,3,KeySchema}' AS late_key_schema;
-- the database's worker backfills it (index_backfill.c): wait until DescribeTable says ACTIVE
DO $$
BEGIN
	FOR i IN 1..6000 LOOP
		EXIT WHEN dynpg.describe_table('{"TableName": "mkg"}') #>> '{Table,GlobalSecondaryIndexes,3,IndexStatus}' = 'ACTIVE';
		COMMIT;					-- the backfill ends under AccessExclusiveLock: hold no lock while waiting
		PERFORM pg_sleep(0.01);
	END LOOP;
END $$;
SELECT dynpg.describe_table('{"TableName": "mkg"}') #>> '{Table,GlobalSecondaryIndexes,3,IndexStatus}' AS late_status;
SELECT pg_temp.apply();
SELECT pg_temp.ps('Query', '{"TableName": "mkg", "IndexName": "late", "KeyConditionExpression": "a1 = :g AND a2 = :h",
  "ExpressionAttributeValues": {":g": {"S": "g0"}, ":h": {"S": "h"}}}') AS backfilled;
SELECT pg_temp.ps('Query', '{"TableName": "mkg", "IndexName": "late", "KeyConditionExpression": "a1 = :g AND a2 = :h AND h2 < :n",
  "ExpressionAttributeValues": {":g": {"S": "g1"}, ":h": {"S": "h"}, ":n": {"N": "7"}}}') AS backfilled_range;
SELECT dynpg.verify('mkg') ->> 'ok' AS verify_ok;
SELECT dynpg.delete_table('{"TableName": "mkg"}') -> 'TableDescription' ->> 'TableName' AS deleted;
