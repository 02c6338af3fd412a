-- UpdateTable's contracts: its function, its responses' shapes, and the
-- TableDescription of a GSI before, during and after its backfill
-- (IndexStatus CREATING with Backfilling, then ACTIVE without it), after
-- its deletion (DELETING in the response, gone afterwards), and on an
-- empty table (ACTIVE at once, CREATING without a backfill in the response).
BEGIN;
SELECT plan(32);

SELECT function_returns('dynpg', 'update_table', ARRAY['jsonb'], 'jsonb', 'dynpg.update_table(jsonb) returns jsonb');
SELECT volatility_is('dynpg', 'update_table', ARRAY['jsonb'], 'volatile', 'update_table is volatile');
SELECT has_column('dynpg', 'indexes', 'status', 'dynpg.indexes has a status column');
SELECT has_table('dynpg', 'index_builds', 'backfill positions live in dynpg.index_builds');
SELECT function_returns('dynpg', '_index_entries', ARRAY['text', 'text'], 'setof dynpg.item',
                        'dynpg._index_entries(text, text) returns setof dynpg.item');

SELECT lives_ok($$SELECT dynpg.create_table('{"TableName": "forum", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}')$$, 'a table');
SELECT lives_ok($$SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'forum', 'Item', jsonb_build_object(
  'id', jsonb_build_object('S', 'i' || i), 'topic', jsonb_build_object('S', 't' || (i % 3))))))
  FROM generate_series(1, 50) i$$, 'with 50 items');

-- the Create, through dynpg.execute
CREATE TEMP TABLE r AS SELECT 'create'::text AS op, dynpg.execute('UpdateTable', '{"TableName": "forum",
  "AttributeDefinitions": [{"AttributeName": "topic", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "by_topic",
    "KeySchema": [{"AttributeName": "topic", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}}]}') AS response;
SELECT is((SELECT array_agg(k ORDER BY k) FROM r, jsonb_object_keys(response) AS k WHERE op = 'create'),
          ARRAY['TableDescription'], 'UpdateTable returns a TableDescription');
SELECT is((SELECT array_agg(k ORDER BY k) FROM r, jsonb_object_keys(response -> 'TableDescription') AS k WHERE op = 'create'),
          ARRAY['AttributeDefinitions', 'BillingModeSummary', 'CreationDateTime', 'DeletionProtectionEnabled',
                'GlobalSecondaryIndexes', 'ItemCount', 'KeySchema', 'OnDemandThroughput', 'ProvisionedThroughput',
                'TableArn', 'TableId', 'TableName', 'TableSizeBytes', 'TableStatus', 'WarmThroughput'],
          'its members');
SELECT is((SELECT response -> 'TableDescription' ->> 'TableStatus' FROM r WHERE op = 'create'), 'UPDATING',
          'the table is UPDATING in the response');
SELECT is((SELECT array_agg(k ORDER BY k) FROM r, jsonb_object_keys(response -> 'TableDescription' -> 'GlobalSecondaryIndexes' -> 0) AS k
            WHERE op = 'create'),
          ARRAY['Backfilling', 'IndexArn', 'IndexName', 'IndexSizeBytes', 'IndexStatus', 'ItemCount', 'KeySchema',
                'Projection', 'ProvisionedThroughput'],
          'a GSI being created has Backfilling');
SELECT is((SELECT response -> 'TableDescription' -> 'GlobalSecondaryIndexes' -> 0 ->> 'IndexStatus' FROM r WHERE op = 'create'),
          'CREATING', 'IndexStatus CREATING');
SELECT is((SELECT response -> 'TableDescription' -> 'GlobalSecondaryIndexes' -> 0 -> 'Backfilling' FROM r WHERE op = 'create'),
          'true'::jsonb, 'Backfilling true');
SELECT is((SELECT response -> 'TableDescription' -> 'AttributeDefinitions' FROM r WHERE op = 'create'),
          '[{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "topic", "AttributeType": "S"}]'::jsonb,
          'the new key attribute is defined');

-- DescribeTable while CREATING
INSERT INTO r SELECT 'during', dynpg.describe_table('{"TableName": "forum"}');
SELECT is((SELECT response -> 'Table' ->> 'TableStatus' FROM r WHERE op = 'during'), 'ACTIVE',
          'the table stays ACTIVE while the index is built');
SELECT is((SELECT response -> 'Table' -> 'GlobalSecondaryIndexes' -> 0 ->> 'IndexStatus' FROM r WHERE op = 'during'),
          'CREATING', 'DescribeTable: CREATING');
SELECT is((SELECT response -> 'Table' -> 'GlobalSecondaryIndexes' -> 0 -> 'Backfilling' FROM r WHERE op = 'during'),
          'true'::jsonb, 'DescribeTable: Backfilling');
SELECT is((SELECT status FROM dynpg.indexes WHERE table_name = 'forum'), 'CREATING', 'dynpg.indexes: CREATING');
SELECT is((SELECT dynpg.verify('forum') -> 'indexes' -> 0 -> 'pending'), 'true'::jsonb, 'verify: pending while CREATING');
SELECT throws_ok($$SELECT dynpg.update_table('{"TableName": "forum",
  "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_topic"}}]}')$$, 'YD013',
  'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table',
  'LimitExceededException while an index is built');

-- after the backfill
SELECT lives_ok($$SELECT dynpg._run_backfill('forum')$$, 'the backfill');
INSERT INTO r SELECT 'after', dynpg.describe_table('{"TableName": "forum"}');
SELECT is((SELECT response -> 'Table' -> 'GlobalSecondaryIndexes' -> 0 ->> 'IndexStatus' FROM r WHERE op = 'after'),
          'ACTIVE', 'DescribeTable: ACTIVE');
SELECT is((SELECT array_agg(k ORDER BY k) FROM r, jsonb_object_keys(response -> 'Table' -> 'GlobalSecondaryIndexes' -> 0) AS k
            WHERE op = 'after'),
          ARRAY['IndexArn', 'IndexName', 'IndexSizeBytes', 'IndexStatus', 'ItemCount', 'KeySchema',
                'Projection', 'ProvisionedThroughput'],
          'an ACTIVE GSI has no Backfilling');
SELECT is((SELECT count(*)::int FROM dynpg._index_entries('forum', 'by_topic')), 50, 'every item is in the index');
SELECT is((SELECT dynpg.verify('forum') -> 'ok'), 'true'::jsonb, 'verify: ok');

-- the Delete
INSERT INTO r SELECT 'delete', dynpg.update_table('{"TableName": "forum",
  "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_topic"}}]}');
SELECT is((SELECT response -> 'TableDescription' -> 'GlobalSecondaryIndexes' -> 0 ->> 'IndexStatus' FROM r WHERE op = 'delete'),
          'DELETING', 'the response shows the deleted index DELETING');
SELECT ok((SELECT NOT (response -> 'TableDescription' -> 'GlobalSecondaryIndexes' -> 0 ? 'Backfilling') FROM r WHERE op = 'delete'),
          'without Backfilling');
SELECT ok((SELECT NOT (dynpg.describe_table('{"TableName": "forum"}') -> 'Table' ? 'GlobalSecondaryIndexes')),
          'DescribeTable: the index is gone');
SELECT is((SELECT response -> 'TableDescription' -> 'AttributeDefinitions' FROM r WHERE op = 'delete'),
          '[{"AttributeName": "id", "AttributeType": "S"}]'::jsonb, 'its key attribute''s definition is gone');

-- on an empty table
SELECT lives_ok($$SELECT dynpg.create_table('{"TableName": "empty", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}')$$, 'an empty table');
INSERT INTO r SELECT 'empty', dynpg.update_table('{"TableName": "empty",
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "N"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "by_k",
    "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}');
SELECT is((SELECT (response -> 'TableDescription' -> 'GlobalSecondaryIndexes' -> 0) - 'IndexArn' FROM r WHERE op = 'empty'),
          '{"IndexName": "by_k", "IndexStatus": "CREATING", "Backfilling": false, "ItemCount": 0, "IndexSizeBytes": 0,
            "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0, "NumberOfDecreasesToday": 0}}'::jsonb,
          'on an empty table: CREATING without a backfill in the response');
SELECT is((SELECT dynpg.describe_table('{"TableName": "empty"}') -> 'Table' -> 'GlobalSecondaryIndexes' -> 0 ->> 'IndexStatus'),
          'ACTIVE', '... and ACTIVE at once');

SELECT * FROM finish();
ROLLBACK;
