-- The wire layer's contracts: its functions' signatures, the exact set of
-- members of each response (as DynamoDB sends them), the forms of the
-- generated values, the relation behind a table, and the SQLSTATE of each
-- DynamoDB exception the calls raise.
BEGIN;
SELECT plan(58);

-- the functions: one per operation, jsonb in and out, plus execute()
SELECT function_returns('dynpg', f, ARRAY['jsonb'], 'jsonb', 'dynpg.' || f || '(jsonb) returns jsonb')
  FROM unnest(ARRAY['create_table', 'delete_table', 'describe_table', 'list_tables',
                    'put_item', 'get_item', 'delete_item']) AS f;
SELECT function_returns('dynpg', 'execute', ARRAY['text', 'jsonb'], 'jsonb', 'dynpg.execute(text, jsonb) returns jsonb');
SELECT volatility_is('dynpg', 'put_item', ARRAY['jsonb'], 'volatile', 'put_item is volatile');
SELECT volatility_is('dynpg', 'get_item', ARRAY['jsonb'], 'stable', 'get_item is stable');
SELECT volatility_is('dynpg', 'conforms', ARRAY['dynpg.item', 'jsonb'], 'immutable', 'conforms is immutable (a CHECK calls it)');
SELECT has_schema('dynamodb', 'schema dynamodb holds the tables');
SELECT has_view('dynpg', 'tables', 'view dynpg.tables');
SELECT is((SELECT count(*)::int FROM pg_am WHERE amname = 'dynpg' AND amtype = 't'), 1, 'table access method dynpg');

-- CreateTable
CREATE TEMP TABLE r AS SELECT 'create'::text AS op, dynpg.create_table('{"TableName": "users", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "PersonID", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "PersonID", "AttributeType": "N"}]}') AS response;
SELECT is((SELECT array_agg(k ORDER BY k) FROM r, jsonb_object_keys(response) AS k WHERE op = 'create'),
          ARRAY['TableDescription'], 'CreateTable returns a TableDescription');
SELECT is((SELECT array_agg(k ORDER BY k) FROM r, jsonb_object_keys(response -> 'TableDescription') AS k WHERE op = 'create'),
          ARRAY['AttributeDefinitions', 'BillingModeSummary', 'CreationDateTime', 'DeletionProtectionEnabled',
                'ItemCount', 'KeySchema', 'OnDemandThroughput', 'ProvisionedThroughput', 'TableArn', 'TableId',
                'TableName', 'TableSizeBytes', 'TableStatus', 'WarmThroughput'],
          'TableDescription members (on-demand table)');
SELECT is((SELECT response -> 'TableDescription' ->> 'TableStatus' FROM r WHERE op = 'create'), 'ACTIVE', 'tables are ACTIVE at once');
SELECT matches((SELECT response -> 'TableDescription' ->> 'TableId' FROM r WHERE op = 'create'),
               '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$', 'TableId is a version 4 UUID');
SELECT is((SELECT jsonb_typeof(response -> 'TableDescription' -> 'CreationDateTime') FROM r WHERE op = 'create'),
          'number', 'CreationDateTime is a number (epoch seconds)');
SELECT ok((SELECT abs((response -> 'TableDescription' ->> 'CreationDateTime')::numeric - extract(epoch FROM clock_timestamp())) < 600
             FROM r WHERE op = 'create'), 'CreationDateTime is now');
SELECT is((SELECT response -> 'TableDescription' ->> 'TableArn' FROM r WHERE op = 'create'),
          'arn:aws:dynamodb:ddblocal:000000000000:table/users', 'TableArn');
SELECT is((SELECT response -> 'TableDescription' -> 'ProvisionedThroughput' FROM r WHERE op = 'create'),
          '{"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}'::jsonb,
          'on-demand tables report zero capacity');
SELECT is((SELECT response -> 'TableDescription' -> 'BillingModeSummary' -> 'LastUpdateToPayPerRequestDateTime'
             = response -> 'TableDescription' -> 'CreationDateTime' FROM r WHERE op = 'create'),
          true, 'LastUpdateToPayPerRequestDateTime is the creation time');
SELECT is((SELECT jsonb_typeof(response -> 'TableDescription' -> k) FROM r WHERE op = 'create'), 'number', k || ' is a number')
  FROM unnest(ARRAY['ItemCount', 'TableSizeBytes']) AS k;
SELECT is((SELECT response -> 'TableDescription' -> 'KeySchema' FROM r WHERE op = 'create'),
          '[{"AttributeName": "PersonID", "KeyType": "HASH"}]'::jsonb, 'KeySchema as requested');

-- a provisioned table with a sort key
INSERT INTO r SELECT 'create2', dynpg.create_table('{"TableName": "chat",
  "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "c", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "N"}],
  "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 7}}');
SELECT is((SELECT response -> 'TableDescription' -> 'ProvisionedThroughput' FROM r WHERE op = 'create2'),
          '{"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 5, "WriteCapacityUnits": 7}'::jsonb,
          'provisioned capacity is reported back');
SELECT ok((SELECT NOT (response -> 'TableDescription' ? 'BillingModeSummary') FROM r WHERE op = 'create2'),
          'no BillingModeSummary for a provisioned table');

-- the relation behind a table
SELECT has_table('dynamodb', 'users', 'table users is relation dynamodb.users');
SELECT col_type_is('dynamodb', 'users', 'item', 'dynpg.item', 'its one column is item dynpg.item');
SELECT col_not_null('dynamodb', 'users', 'item', 'item is NOT NULL');
SELECT is((SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'dynamodb.users'::regclass AND conname = 'dynpg_table' AND contype = 'c'),
          1, 'the definition is CHECK constraint dynpg_table');
SELECT is((SELECT table_id::text FROM dynpg.tables WHERE table_name = 'users'),
          (SELECT response -> 'TableDescription' ->> 'TableId' FROM r WHERE op = 'create'), 'dynpg.tables shows the TableId');

-- DescribeTable
INSERT INTO r SELECT 'describe', dynpg.describe_table('{"TableName": "users"}');
SELECT is((SELECT array_agg(k ORDER BY k) FROM r, jsonb_object_keys(response) AS k WHERE op = 'describe'),
          ARRAY['Table'], 'DescribeTable returns a Table');
SELECT is((SELECT response -> 'Table' FROM r WHERE op = 'describe'),
          (SELECT response -> 'TableDescription' FROM r WHERE op = 'create'), 'DescribeTable describes it as CreateTable did');

-- ListTables
SELECT is(dynpg.list_tables(), '{"TableNames": ["chat", "users"]}'::jsonb, 'ListTables: TableNames, sorted');
SELECT is(dynpg.list_tables('{"Limit": 1}'), '{"TableNames": ["chat"], "LastEvaluatedTableName": "chat"}'::jsonb,
          'ListTables: LastEvaluatedTableName when more remain');
SELECT is(dynpg.list_tables('{"Limit": 2}'), '{"TableNames": ["chat", "users"]}'::jsonb,
          'ListTables: none on the last page');

-- PutItem, GetItem, DeleteItem
SELECT is(dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "101"}, "LastName": {"S": "Smith"}}}'),
          '{}'::jsonb, 'PutItem returns {}');
SELECT is(dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "101"}, "LastName": {"S": "Jones"}}, "ReturnValues": "ALL_OLD"}'),
          '{"Attributes": {"PersonID": {"N": "101"}, "LastName": {"S": "Smith"}}}'::jsonb, 'PutItem ALL_OLD returns Attributes');
SELECT is(dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "102"}}, "ReturnValues": "ALL_OLD"}'),
          '{}'::jsonb, 'PutItem ALL_OLD of a new item returns {}');
SELECT is(dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "101"}}}'),
          '{"Item": {"PersonID": {"N": "101"}, "LastName": {"S": "Jones"}}}'::jsonb, 'GetItem returns Item');
SELECT is(dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "999"}}}'),
          '{}'::jsonb, 'GetItem of a missing item returns {}');
SELECT is(dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "999"}}, "ReturnConsumedCapacity": "TOTAL"}'),
          '{"ConsumedCapacity": {"TableName": "users", "CapacityUnits": 0.5}}'::jsonb, 'ConsumedCapacity (TOTAL)');
SELECT is(dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "103"}}, "ReturnConsumedCapacity": "INDEXES"}'),
          '{"ConsumedCapacity": {"TableName": "users", "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}}'::jsonb,
          'ConsumedCapacity (INDEXES)');
SELECT is(dynpg.delete_item('{"TableName": "users", "Key": {"PersonID": {"N": "101"}}, "ReturnValues": "ALL_OLD"}'),
          '{"Attributes": {"PersonID": {"N": "101"}, "LastName": {"S": "Jones"}}}'::jsonb, 'DeleteItem ALL_OLD returns Attributes');
SELECT is(dynpg.delete_item('{"TableName": "users", "Key": {"PersonID": {"N": "101"}}}'),
          '{}'::jsonb, 'DeleteItem of a missing item returns {}');
SELECT is(dynpg.execute('GetItem', '{"TableName": "users", "Key": {"PersonID": {"N": "102"}}}'),
          dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "102"}}}'), 'execute() dispatches by operation name');

-- DeleteTable
INSERT INTO r SELECT 'delete', dynpg.delete_table('{"TableName": "users"}');
SELECT is((SELECT array_agg(k ORDER BY k) FROM r, jsonb_object_keys(response -> 'TableDescription') AS k WHERE op = 'delete'),
          ARRAY['BillingModeSummary', 'ItemCount', 'ProvisionedThroughput', 'TableArn', 'TableId', 'TableName',
                'TableSizeBytes', 'TableStatus'],
          'DeleteTable''s TableDescription has no KeySchema, AttributeDefinitions or CreationDateTime');
SELECT is((SELECT response -> 'TableDescription' ->> 'TableStatus' FROM r WHERE op = 'delete'), 'DELETING', 'DeleteTable reports DELETING');
SELECT is((SELECT response -> 'TableDescription' -> 'ItemCount' FROM r WHERE op = 'delete'), '2'::jsonb, 'with the items it had');
SELECT hasnt_table('dynamodb', 'users', 'its relation is gone');

-- the exceptions, by SQLSTATE (DynamoDB's exception types)
SELECT throws_ok($$SELECT dynpg.describe_table('{"TableName": "users"}')$$, 'YD011',
                 'Requested resource not found: Table: users not found', 'ResourceNotFoundException (control plane)');
SELECT throws_ok($$SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "1"}}}')$$, 'YD011',
                 'Requested resource not found', 'ResourceNotFoundException (data plane)');
SELECT throws_ok($$SELECT dynpg.create_table('{"TableName": "chat", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "c", "AttributeType": "S"}]}')$$,
                 'YD012', 'Table already exists: chat', 'ResourceInUseException');
SELECT throws_ok($$SELECT dynpg.get_item('{"TableName": "chat", "Key": {"c": {"S": "x"}}}')$$, 'YD001',
                 'The provided key element does not match the schema', 'ValidationException');
SELECT throws_ok($$SELECT dynpg.put_item('{"TableName": 1}')$$, 'YD002',
                 'class java.lang.Short can not be converted to an String', 'SerializationException');
SELECT throws_ok($$SELECT dynpg.execute('Frobnicate', '{}')$$, 'YD003',
                 'An unknown operation was requested.', 'UnknownOperationException');

SELECT * FROM finish();
ROLLBACK;
