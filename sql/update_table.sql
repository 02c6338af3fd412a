-- UpdateTable (src/api/table_update.c): GSI Create, Delete and Update,
-- the billing mode and capacity, DynamoDB's messages; the backfill of a new
-- GSI (src/index/index_build.c) with IndexStatus CREATING and Backfilling;
-- dynpg.verify's comparison of the indexes with the table
-- (src/index/index_verify.c) and the testing functions over index entries.
\set SHOW_CONTEXT never

-- The database's GSI worker would run backfills on its own: paused here
-- (testing GUC) so that the states this test shows are deterministic; the
-- backfill runs through dynpg._run_backfill instead.
\i sql/include/worker_pause.sql
SELECT state FROM dynpg.index_workers WHERE datname = current_database();

\i sql/include/table_helpers.sql

-- UpdateTable of table t with the members of 'req': 'ok' or the error.
CREATE FUNCTION pg_temp.ut(t text, req jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text;
BEGIN
	PERFORM dynpg.update_table(jsonb_build_object('TableName', t) || req);
	RETURN 'ok';
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN st || ' ' || CASE WHEN det LIKE '{%' THEN (det::jsonb ->> '__type') || ': ' ELSE '' END || msg;
END $$;
-- A GSI's description in DescribeTable, without the ARN.
CREATE FUNCTION pg_temp.gsi(t text, i text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT g - 'IndexArn' FROM jsonb_array_elements(
		dynpg.describe_table(jsonb_build_object('TableName', t)) -> 'Table' -> 'GlobalSecondaryIndexes') g
	 WHERE g ->> 'IndexName' = i $$;
-- dynpg.verify's verdict, problems and index counts.
CREATE FUNCTION pg_temp.verify(t text) RETURNS text LANGUAGE sql AS $$
	SELECT jsonb_build_object('ok', v -> 'ok', 'problems', v -> 'problems', 'indexes', v -> 'indexes')::text
	  FROM dynpg.verify(t) v $$;
CREATE FUNCTION pg_temp.put(t text, item jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM dynpg.put_item(jsonb_build_object('TableName', t, 'Item', item));
	RETURN 'ok';
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- The GSI Create action of index i on attribute a (type S, HASH), projection ALL.
CREATE FUNCTION pg_temp.create_gsi(i text, a text, typ text DEFAULT 'S') RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object(
		'AttributeDefinitions', jsonb_build_array(jsonb_build_object('AttributeName', a, 'AttributeType', typ)),
		'GlobalSecondaryIndexUpdates', jsonb_build_array(jsonb_build_object('Create', jsonb_build_object(
			'IndexName', i, 'KeySchema', jsonb_build_array(jsonb_build_object('AttributeName', a, 'KeyType', 'HASH')),
			'Projection', jsonb_build_object('ProjectionType', 'ALL'))))) $$;

-- An on-demand table, and a provisioned one with an LSI and a GSI.
SELECT dynpg.create_table('{"TableName": "ut_ppr", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}]}') IS NOT NULL AS created;
SELECT dynpg.create_table('{"TableName": "ut_prov",
  "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "N"},
                           {"AttributeName": "y", "AttributeType": "S"}, {"AttributeName": "z", "AttributeType": "B"}],
  "LocalSecondaryIndexes": [{"IndexName": "lsi_y", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                             {"AttributeName": "y", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}],
  "GlobalSecondaryIndexes": [{"IndexName": "g_z", "KeySchema": [{"AttributeName": "z", "KeyType": "HASH"}],
                              "Projection": {"ProjectionType": "ALL"},
                              "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}]}') IS NOT NULL AS created;

----------------------------------------------------------------------------
-- Requests DynamoDB refuses, with its messages
----------------------------------------------------------------------------
-- no TableName; an empty update (nothing to change, also an empty list)
SELECT pg_temp.api('UpdateTable', '{}');
SELECT pg_temp.ut('ut_ppr', '{}');
SELECT pg_temp.ut('ut_ppr', '{"GlobalSecondaryIndexUpdates": []}');
-- constraints: names, a missing Update capacity, a null element, capacity 0
SELECT pg_temp.ut('x', '{"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "ab"}}, null,
  {"Update": {"IndexName": "g_z"}}, {"Create": {"IndexName": "new!", "KeySchema": [],
  "Projection": {"ProjectionType": "EVERYTHING"}}}], "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 1}}');
-- an element without an action, or with two; one index twice
SELECT pg_temp.ut('ut_ppr', '{"GlobalSecondaryIndexUpdates": [{}]}');
SELECT pg_temp.ut('ut_ppr', pg_temp.create_gsi('gsi_x', 'x') || '{"GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gsi_x",
  "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}},
  "Delete": {"IndexName": "g_z"}}]}');
SELECT pg_temp.ut('ut_prov', '{"GlobalSecondaryIndexUpdates": [
  {"Update": {"IndexName": "g_z", "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}},
  {"Delete": {"IndexName": "g_z"}}]}');
-- a missing table
SELECT pg_temp.ut('no_such_table', '{"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "g_z"}}]}');
-- one Create or Delete per call: LimitExceededException
SELECT pg_temp.ut('ut_ppr', '{"AttributeDefinitions": [{"AttributeName": "x", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [
  {"Create": {"IndexName": "gx1", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}},
  {"Create": {"IndexName": "gx2", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}');
SELECT pg_temp.ut('ut_prov', '{"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "g_z"}}, {"Delete": {"IndexName": "gx2"}}]}');
SELECT pg_temp.ut('ut_prov', pg_temp.create_gsi('gsi_x', 'x') || '{"GlobalSecondaryIndexUpdates": [
  {"Create": {"IndexName": "gx1", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"},
              "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}},
  {"Delete": {"IndexName": "g_z"}}]}');
-- Delete: a missing GSI, an LSI; Update: the same
SELECT pg_temp.ut('ut_prov', '{"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "nonexistent"}}]}');
SELECT pg_temp.ut('ut_prov', '{"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "lsi_y"}}]}');
SELECT pg_temp.ut('ut_prov', '{"GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "nonexistent",
  "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}}]}');
SELECT pg_temp.ut('ut_prov', '{"GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "lsi_y",
  "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}}]}');
-- Create: a name that exists (a GSI's, an LSI's), before any other check
SELECT pg_temp.ut('ut_prov', pg_temp.create_gsi('g_z', 'z', 'B'));
SELECT pg_temp.ut('ut_prov', '{"GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "lsi_y",
  "KeySchema": [{"AttributeName": "q", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}');
-- Create: no AttributeDefinitions, an undefined key, a key type redefined, HASH/RANGE
SELECT pg_temp.ut('ut_ppr', '{"GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gsi_x",
  "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}');
SELECT pg_temp.ut('ut_ppr', '{"AttributeDefinitions": [{"AttributeName": "y", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gsi_x",
  "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}');
SELECT pg_temp.ut('ut_prov', pg_temp.create_gsi('gz2', 'z', 'S') || '{"GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gz2",
  "KeySchema": [{"AttributeName": "z", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"},
  "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]}');
SELECT pg_temp.ut('ut_prov', '{"AttributeDefinitions": [{"AttributeName": "s", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gsi_s", "KeySchema": [{"AttributeName": "s", "KeyType": "HASH"}],
  "Projection": {"ProjectionType": "ALL"}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]}');
SELECT pg_temp.ut('ut_ppr', '{"AttributeDefinitions": [{"AttributeName": "x", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gsi_x",
  "KeySchema": [{"AttributeName": "x", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}}]}');
-- Create: the projection rules and the capacity rules of CreateTable
SELECT pg_temp.ut('ut_ppr', '{"AttributeDefinitions": [{"AttributeName": "x", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gsi_x",
  "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "INCLUDE"}}}]}');
SELECT pg_temp.ut('ut_ppr', '{"AttributeDefinitions": [{"AttributeName": "x", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gsi_x",
  "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {}}}]}');
SELECT pg_temp.ut('ut_ppr', '{"AttributeDefinitions": [{"AttributeName": "x", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gsi_x",
  "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"},
  "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]}');
SELECT pg_temp.ut('ut_prov', pg_temp.create_gsi('gsi_x', 'x'));
-- the table's billing mode and capacity
SELECT pg_temp.ut('ut_ppr', '{"BillingMode": "PAY_PER_REQUEST", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}');
SELECT pg_temp.ut('ut_ppr', '{"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}');
SELECT pg_temp.ut('ut_ppr', '{"BillingMode": "PROVISIONED"}');
SELECT pg_temp.ut('ut_prov', '{"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}');
SELECT pg_temp.ut('ut_prov', '{"ProvisionedThroughput": {"ReadCapacityUnits": 1000000000001, "WriteCapacityUnits": 5}}');
-- a stream's rules (sql/streams.sql has the rest)
SELECT pg_temp.ut('ut_ppr', '{"StreamSpecification": {"StreamEnabled": false}}');
-- (table settings: sql/table_settings.sql)
SELECT pg_temp.ut('ut_ppr', '{"TableClass": "ARCHIVE"}');
-- UpdateTable takes the table's owner
CREATE ROLE ut_other;
GRANT SELECT, INSERT, UPDATE, DELETE ON dynamodb.ut_ppr TO ut_other;
SET ROLE ut_other;
SELECT pg_temp.ut('ut_ppr', pg_temp.create_gsi('gsi_x', 'x'));
RESET ROLE;
-- nothing above changed a definition
SELECT table_name, index_name, index_kind, status FROM dynpg.indexes
 WHERE table_name LIKE 'ut\_%' ORDER BY 1, 2;

----------------------------------------------------------------------------
-- Capacity and billing mode changes
----------------------------------------------------------------------------
-- the table's capacity and a GSI's, together
SELECT pg_temp.ut('ut_prov', '{"ProvisionedThroughput": {"ReadCapacityUnits": 7, "WriteCapacityUnits": 8},
  "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "g_z", "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}}}]}');
SELECT provisioned_throughput FROM dynpg.tables WHERE table_name = 'ut_prov';
SELECT pg_temp.gsi('ut_prov', 'g_z') -> 'ProvisionedThroughput' AS g_z;
-- to PAY_PER_REQUEST: capacities go (zeros reported), the time of the switch is kept
SELECT pg_temp.pretty('UpdateTable', '{"TableName": "ut_prov", "BillingMode": "PAY_PER_REQUEST"}');
-- on demand, a GSI's capacity cannot be set
SELECT pg_temp.ut('ut_prov', '{"GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "g_z",
  "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}}]}');
SELECT definition ? 'ProvisionedThroughput' AS has_capacity, definition -> 'GlobalSecondaryIndexes' -> 0 ? 'ProvisionedThroughput' AS gsi_has_capacity
  FROM dynpg.tables WHERE table_name = 'ut_prov';
-- back to PROVISIONED: every GSI needs its capacity
SELECT pg_temp.ut('ut_prov', '{"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}');
SELECT pg_temp.ut('ut_prov', '{"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2},
  "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "g_z", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]}');
SELECT billing_mode, provisioned_throughput FROM dynpg.tables WHERE table_name = 'ut_prov';
SELECT pg_temp.gsi('ut_prov', 'g_z') -> 'ProvisionedThroughput' AS g_z;

----------------------------------------------------------------------------
-- A GSI created on a table with items: CREATING, backfill, ACTIVE
----------------------------------------------------------------------------
SELECT dynpg.create_table('{"TableName": "items", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "N"},
                           {"AttributeName": "w", "AttributeType": "N"}],
  "LocalSecondaryIndexes": [{"IndexName": "by_w", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                             {"AttributeName": "w", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}') IS NOT NULL AS created;
-- 30 items: x a string (indexed), x a number every fifth (the wrong type:
-- skipped), no x every seventh (sparse); w for the LSI on every third
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'items', 'Item', jsonb_strip_nulls(jsonb_build_object(
	'p', jsonb_build_object('S', 'p' || (i % 3)), 's', jsonb_build_object('N', i::text),
	'x', CASE WHEN i % 5 = 0 THEN jsonb_build_object('N', i::text)
	          WHEN i % 7 = 0 THEN NULL
	          ELSE jsonb_build_object('S', 'x' || (i % 4)) END,
	'w', CASE WHEN i % 3 = 0 THEN jsonb_build_object('N', (100 - i)::text) END,
	'v', jsonb_build_object('S', 'v' || i))))))
  FROM generate_series(1, 30) i;
SELECT pg_temp.verify('items');
-- the Create: the response shows the index CREATING and backfilling, the table UPDATING
SELECT pg_temp.pretty('UpdateTable', '{"TableName": "items",
  "AttributeDefinitions": [{"AttributeName": "x", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "N"},
                           {"AttributeName": "unused", "AttributeType": "B"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "by_x", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"},
    {"AttributeName": "s", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]}}}]}');
-- the stored definition: the index with its keyspace and CREATING; only used definitions
SELECT definition -> 'GlobalSecondaryIndexes', definition -> 'AttributeDefinitions'
  FROM dynpg.tables WHERE table_name = 'items';
SELECT index_name, index_kind, status FROM dynpg.indexes WHERE table_name = 'items';
-- DescribeTable: CREATING, Backfilling; the table ACTIVE
SELECT pg_temp.gsi('items', 'by_x');
SELECT dynpg.describe_table('{"TableName": "items"}') -> 'Table' ->> 'TableStatus' AS table_status;
-- nothing in the index yet; verify compares the LSI and calls the GSI pending
SELECT count(*) FROM dynpg._index_entries('items', 'by_x');
SELECT pg_temp.verify('items');
-- writes while CREATING: a wrong type is refused already, a sparse item is fine
SELECT pg_temp.put('items', '{"p": {"S": "p1"}, "s": {"N": "100"}, "x": {"N": "1"}}');
SELECT pg_temp.put('items', '{"p": {"S": "p1"}, "s": {"N": "101"}, "x": {"S": "x9"}, "v": {"S": "new"}}');
SELECT pg_temp.put('items', '{"p": {"S": "p1"}, "s": {"N": "102"}}');
-- another Create or a Delete must wait for the build
SELECT pg_temp.ut('items', pg_temp.create_gsi('by_v', 'v'));
SELECT pg_temp.ut('items', '{"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_x"}}]}');
-- a backfilling GSI cannot be read yet (an LSI or the table can)
SELECT pg_temp.api('Query', '{"TableName": "items", "IndexName": "by_x", "KeyConditionExpression": "x = :x", "ExpressionAttributeValues": {":x": {"S": "x9"}}}');
SELECT pg_temp.api('Scan', '{"TableName": "items", "IndexName": "by_x", "Limit": 1}');
-- the backfill (the worker's job; here the testing function, in this transaction)
SELECT dynpg._run_backfill('items');
SELECT pg_temp.api('Query', '{"TableName": "items", "IndexName": "by_x", "KeyConditionExpression": "x = :x", "ExpressionAttributeValues": {":x": {"S": "x9"}}}');
SELECT index_name, status FROM dynpg.indexes WHERE table_name = 'items';
SELECT pg_temp.gsi('items', 'by_x');
SELECT count(*) AS builds_left FROM dynpg.index_builds;
-- the entries, in index key order: 20 of the 30 items, and the new one (its
-- change-log row is applied by the worker, which has nothing more to do:
-- without a worker here, the row is dropped)
SELECT * FROM dynpg._index_entries('items', 'by_x');
SELECT count(*) AS pending_changes FROM dynpg.index_changes WHERE tbl = 'dynamodb.items'::regclass;
SELECT pg_temp.verify('items');
DELETE FROM dynpg.index_changes WHERE tbl = 'dynamodb.items'::regclass;
SELECT pg_temp.verify('items');
-- the LSI's entries, for comparison
SELECT * FROM dynpg._index_entries('items', 'by_w');
-- once ACTIVE, a wrong type is refused as for any GSI; an unknown index
SELECT pg_temp.put('items', '{"p": {"S": "p2"}, "s": {"N": "100"}, "x": {"B": "AA=="}}');
SELECT * FROM dynpg._index_entries('items', 'nope');
-- running the backfill again finds nothing to do
SELECT dynpg._run_backfill('items');
SELECT dynpg._backfill_step();

----------------------------------------------------------------------------
-- dynpg.verify finds a damaged index
----------------------------------------------------------------------------
BEGIN;
SELECT dynpg._damage_index('items', 'by_x', 'delete_first');
SELECT pg_temp.verify('items');
ROLLBACK;
BEGIN;
SELECT dynpg._damage_index('items', 'by_x', 'change_first');
SELECT pg_temp.verify('items');
ROLLBACK;
BEGIN;
SELECT dynpg._damage_index('items', 'by_w', 'delete_first');
SELECT pg_temp.verify('items');
ROLLBACK;
BEGIN;
SELECT dynpg._damage_index('items', 'by_x', 'stray');
SELECT pg_temp.verify('items');
ROLLBACK;
SELECT dynpg._damage_index('items', 'by_x', 'explode');
SET ROLE ut_other;
SELECT dynpg._damage_index('items', 'by_x', 'delete_first');
SELECT * FROM dynpg._index_entries('items', 'by_x');
RESET ROLE;
SELECT pg_temp.verify('items');

----------------------------------------------------------------------------
-- Delete: the response shows DELETING; the entries are gone at once
----------------------------------------------------------------------------
SELECT pg_temp.pretty('UpdateTable', '{"TableName": "items", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_x"}}]}');
SELECT dynpg.describe_table('{"TableName": "items"}') -> 'Table' ? 'GlobalSecondaryIndexes' AS has_gsis;
SELECT definition -> 'AttributeDefinitions' FROM dynpg.tables WHERE table_name = 'items';
SELECT pg_temp.verify('items');
SELECT * FROM dynpg._index_entries('items', 'by_x');
-- no type rule for x any more
SELECT pg_temp.put('items', '{"p": {"S": "p2"}, "s": {"N": "100"}, "x": {"B": "AA=="}}');
-- a Delete of the deleted index
SELECT pg_temp.ut('items', '{"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_x"}}]}');

----------------------------------------------------------------------------
-- Keyspaces are reused; two GSIs; a GSI keyed on the table's sort key
----------------------------------------------------------------------------
SELECT pg_temp.ut('items', pg_temp.create_gsi('by_v', 'v'));
SELECT dynpg._run_backfill('items');
SELECT pg_temp.ut('items', pg_temp.create_gsi('by_s', 's', 'N'));
SELECT dynpg._run_backfill('items');
DELETE FROM dynpg.index_changes WHERE tbl = 'dynamodb.items'::regclass;
SELECT index_name, definition -> 'Keyspace' AS keyspace, status FROM dynpg.indexes WHERE table_name = 'items';
SELECT pg_temp.verify('items');
SELECT pg_temp.ut('items', '{"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_v"}}]}');
SELECT pg_temp.ut('items', pg_temp.create_gsi('by_x2', 'x', 'B'));
SELECT dynpg._run_backfill('items');
DELETE FROM dynpg.index_changes WHERE tbl = 'dynamodb.items'::regclass;
SELECT index_name, definition -> 'Keyspace' AS keyspace, status FROM dynpg.indexes WHERE table_name = 'items';
SELECT * FROM dynpg._index_entries('items', 'by_x2');
SELECT pg_temp.verify('items');

-- TRUNCATE empties the indexes with the table
TRUNCATE dynamodb.items;
SELECT pg_temp.verify('items');

----------------------------------------------------------------------------
-- A GSI created on an empty table is ACTIVE at once
----------------------------------------------------------------------------
SELECT pg_temp.pretty('UpdateTable', '{"TableName": "ut_ppr",
  "AttributeDefinitions": [{"AttributeName": "x", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gsi_x", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"}}}]}');
SELECT index_name, status FROM dynpg.indexes WHERE table_name = 'ut_ppr';
SELECT pg_temp.gsi('ut_ppr', 'gsi_x');

----------------------------------------------------------------------------
-- A backfill in steps: its position is saved, transactionally
----------------------------------------------------------------------------
SELECT dynpg.create_table('{"TableName": "many", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "N"}]}') IS NOT NULL AS created;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'many', 'Item', jsonb_build_object(
	'p', jsonb_build_object('N', i::text), 'g', jsonb_build_object('S', 'g' || (i % 10))))))
  FROM generate_series(1, 2500) i;
SELECT pg_temp.ut('many', pg_temp.create_gsi('by_g', 'g'));
-- a step that rolls back leaves nothing behind
BEGIN;
SELECT dynpg._backfill_step();
SELECT count(*) AS entries FROM dynpg._index_entries('many', 'by_g');
SELECT position IS NOT NULL AS has_position FROM dynpg.index_builds;
ROLLBACK;
SELECT count(*) AS entries FROM dynpg._index_entries('many', 'by_g');
SELECT count(*) AS builds FROM dynpg.index_builds;
-- steps that commit: 1000 items each, then ACTIVE
SELECT dynpg._backfill_step();
SELECT count(*) AS entries, (SELECT position IS NOT NULL FROM dynpg.index_builds) AS has_position,
       (SELECT status FROM dynpg.indexes WHERE index_name = 'by_g') AS status
  FROM dynpg._index_entries('many', 'by_g');
-- a step run again over the same items (its position lost) writes nothing
-- new: the entries are there with the same bytes
CREATE TEMP TABLE versions AS SELECT (dynpg.verify('many') ->> 'versions')::int AS n;
UPDATE dynpg.index_builds SET position = NULL;
SELECT dynpg._backfill_step();
SELECT count(*) AS entries, (SELECT (dynpg.verify('many') ->> 'versions')::int - n FROM versions) AS new_versions
  FROM dynpg._index_entries('many', 'by_g');
SELECT dynpg._backfill_step();
SELECT count(*) AS entries FROM dynpg._index_entries('many', 'by_g');
SELECT dynpg._backfill_step();
SELECT count(*) AS entries, (SELECT count(*) FROM dynpg.index_builds) AS builds,
       (SELECT status FROM dynpg.indexes WHERE index_name = 'by_g') AS status
  FROM dynpg._index_entries('many', 'by_g');
SELECT dynpg._backfill_step();
SELECT pg_temp.verify('many');

----------------------------------------------------------------------------
-- At most 20 GSIs
----------------------------------------------------------------------------
SELECT count(pg_temp.ut('ut_ppr', pg_temp.create_gsi('gsi' || i, 'a' || i))) FROM generate_series(1, 19) i;
SELECT count(*) FROM dynpg.indexes WHERE table_name = 'ut_ppr';
SELECT pg_temp.ut('ut_ppr', pg_temp.create_gsi('gsi21', 'a21'));

-- DeleteTable forgets a build in progress
SELECT pg_temp.ut('many', '{"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_g"}}]}');
SELECT pg_temp.ut('many', pg_temp.create_gsi('by_g', 'g'));
SELECT dynpg._backfill_step();
SELECT count(*) AS builds FROM dynpg.index_builds;
SELECT dynpg.delete_table('{"TableName": "many"}') IS NOT NULL AS deleted;
SELECT count(*) AS builds FROM dynpg.index_builds;

SELECT count(dynpg.delete_table(jsonb_build_object('TableName', t))) FROM unnest(ARRAY['ut_ppr', 'ut_prov', 'items']) t;
DROP ROLE ut_other;
ALTER SYSTEM RESET dynpg.index_worker_pause;
SELECT pg_reload_conf();
