-- The control plane: CreateTable, DescribeTable, DeleteTable, ListTables and
-- dynpg.execute(); DynamoDB's validation messages and response shapes; one
-- relation per table carrying its definition; catalog views; privileges.
\set SHOW_CONTEXT never

\i sql/include/table_helpers.sql


--
-- CreateTable: the README's users table (on demand), a table with a sort key
-- (provisioned, the default billing mode) and one with a binary key
--
SELECT pg_temp.pretty('CreateTable', '{"TableName": "users", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "PersonID", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "PersonID", "AttributeType": "N"}]}');
SELECT pg_temp.pretty('CreateTable', '{"TableName": "Chat.Messages-2024_v1",
  "KeySchema": [{"AttributeName": "chat_id", "KeyType": "HASH"}, {"AttributeName": "message_id", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "message_id", "AttributeType": "N"}, {"AttributeName": "chat_id", "AttributeType": "S"}],
  "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 3}}');
SELECT pg_temp.api('CreateTable', '{"TableName": "blobs", "BillingMode": "PROVISIONED",
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "B"}],
  "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}');
-- the same name again
SELECT pg_temp.detail('CreateTable', '{"TableName": "users", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}');
-- unknown and null members are ignored, as DynamoDB ignores them
SELECT pg_temp.api('CreateTable', '{"TableName": "ignored", "BillingMode": "PAY_PER_REQUEST", "Foo": [1],
  "ProvisionedThroughput": null, "StreamSpecification": {"StreamEnabled": false}, "Tags": [],
  "TableClass": "STANDARD", "DeletionProtectionEnabled": false,
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH", "Bar": true}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}');

-- each table is one relation in schema dynamodb, using access method dynpg,
-- whose CHECK constraint dynpg_table holds the definition
SELECT c.relname, a.amname, con.conname, pg_get_constraintdef(con.oid) ~ '^CHECK \(dynpg\.conforms\(item, ''\{.*\}''::jsonb\)\)$' AS definition_in_check
  FROM pg_class c JOIN pg_am a ON a.oid = c.relam
  JOIN pg_constraint con ON con.conrelid = c.oid
 WHERE c.relnamespace = 'dynamodb'::regnamespace ORDER BY c.relname COLLATE "C";
SELECT table_name, relation, key_schema, attribute_definitions, billing_mode, provisioned_throughput,
       abs(extract(epoch FROM creation_time) - extract(epoch FROM now())) < 3600 AS created_now,
       table_id IS NOT NULL AS has_id, definition ->> 'DefinitionVersion' AS version
  FROM dynpg.tables ORDER BY table_name COLLATE "C";
-- the views and DescribeTable agree on the id
SELECT t.table_id::text = dynpg.describe_table(jsonb_build_object('TableName', t.table_name)) -> 'Table' ->> 'TableId' AS same_id
  FROM dynpg.tables t ORDER BY t.table_name COLLATE "C";

--
-- DescribeTable
--
SELECT pg_temp.pretty('DescribeTable', '{"TableName": "Chat.Messages-2024_v1"}');
SELECT pg_temp.api('DescribeTable', '{"TableName": "blobs"}');
SELECT pg_temp.detail('DescribeTable', '{"TableName": "nonexistent"}');
SELECT pg_temp.api('DescribeTable', d) FROM (VALUES
 ('{}'::jsonb), ('{"TableName": null}'), ('{"TableName": ""}'), ('{"TableName": "ab"}'),
 ('{"TableName": "a;"}'), ('{"TableName": "users!"}'), (jsonb_build_object('TableName', repeat('t', 256))),
 ('{"TableName": 5}'), ('{"TableName": true}'), ('{"TableName": {}}'), ('{"TableName": ["users"]}'),
 ('[]'), ('"users"')) AS t(d);
-- ItemCount and TableSizeBytes count what is there (DynamoDB's item sizes)
INSERT INTO dynamodb.users VALUES ('{"PersonID":{"N":"1"},"Name":{"S":"Ann"}}'), ('{"PersonID":{"N":"2"}}');
SELECT r -> 'Table' -> 'ItemCount' AS item_count, r -> 'Table' -> 'TableSizeBytes' AS size_bytes,
       (SELECT sum(dynpg.item_size(item)) FROM dynamodb.users) AS expected_size
  FROM dynpg.describe_table('{"TableName": "users"}') AS r;

--
-- CreateTable's validation, in DynamoDB's order: the JSON type of each
-- member, then every failed constraint at once, then its own rules
--
CREATE TEMP TABLE create_cases (n serial, request jsonb);
INSERT INTO create_cases (request) VALUES
 -- TableName
 ('{}'),
 ('{"TableName": null, "BillingMode": "PAY_PER_REQUEST"}'),
 ('{"TableName": "ab", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}'),
 ('{"TableName": "", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}'),
 ('{"TableName": "bad name!", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}'),
 (jsonb_build_object('TableName', repeat('n', 256), 'BillingMode', 'PAY_PER_REQUEST', 'KeySchema', '[{"AttributeName": "k", "KeyType": "HASH"}]'::jsonb, 'AttributeDefinitions', '[{"AttributeName": "k", "AttributeType": "S"}]'::jsonb)),
 -- several failures are reported together
 ('{"TableName": "abc;"}'),
 ('{"TableName": "abc", "AttributeDefinitions": [], "KeySchema": [], "ProvisionedThroughput": {"ReadCapacityUnits": -1, "WriteCapacityUnits": 0}}'),
 ('{"TableName": "abc", "AttributeDefinitions": [{}], "KeySchema": [{}], "ProvisionedThroughput": {}}'),
 ('{"TableName": "abc", "BillingMode": "pay_per_request", "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "SS"}], "KeySchema": [{"AttributeName": "k", "KeyType": "INVALID"}]}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}, {"AttributeName": "c", "AttributeType": "S"}], "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}, {"AttributeName": "c", "KeyType": "RANGE"}]}'),
 -- at most 10 are listed (and counted)
 ('{"TableName": "a;", "AttributeDefinitions": [{}, {}, {}], "KeySchema": [{}, {}, {}, null], "ProvisionedThroughput": {}}'),
 (jsonb_build_object('TableName', 'abc', 'BillingMode', 'PAY_PER_REQUEST', 'KeySchema', jsonb_build_array(jsonb_build_object('AttributeName', repeat('k', 256), 'KeyType', 'HASH')), 'AttributeDefinitions', jsonb_build_array(jsonb_build_object('AttributeName', repeat('k', 256), 'AttributeType', 'S')))),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "", "AttributeType": "S"}]}'),
 -- JSON types (SerializationException)
 ('{"TableName": 5}'),
 ('{"TableName": 123456}'),
 ('{"TableName": 1.5}'),
 ('{"TableName": false}'),
 ('{"TableName": {"S": "users"}}'),
 ('{"TableName": ["users"]}'),
 ('{"TableName": "abc", "KeySchema": "k"}'),
 ('{"TableName": "abc", "KeySchema": {"AttributeName": "k"}}'),
 ('{"TableName": "abc", "KeySchema": [1]}'),
 ('{"TableName": "abc", "KeySchema": [[]]}'),
 ('{"TableName": "abc", "KeySchema": [{"AttributeName": 1, "KeyType": "HASH"}]}'),
 ('{"TableName": "abc", "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": ["S"]}]}'),
 ('{"TableName": "abc", "ProvisionedThroughput": []}'),
 ('{"TableName": "abc", "ProvisionedThroughput": 5}'),
 ('{"TableName": "abc", "ProvisionedThroughput": {"ReadCapacityUnits": "5"}}'),
 ('{"TableName": "abc", "ProvisionedThroughput": {"ReadCapacityUnits": true}}'),
 ('{"TableName": "abc", "ProvisionedThroughput": {"ReadCapacityUnits": 1e30}}'),
 ('{"TableName": "abc", "BillingMode": 1}'),
 ('[]'),
 ('"abc"'),
 -- billing mode and throughput
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}], "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}'),
 ('{"TableName": "abc", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}'),
 ('{"TableName": "abc", "BillingMode": "PROVISIONED", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}'),
 ('{"TableName": "abc", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}], "ProvisionedThroughput": {"ReadCapacityUnits": 1000000000001, "WriteCapacityUnits": 1}}'),
 ('{"TableName": "abc", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}], "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1000000000001}}'),
 -- key schema against attribute definitions
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "xyz", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "xyz", "AttributeType": "S"}, {"AttributeName": "xyz", "AttributeType": "N"}]}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "a", "KeyType": "RANGE"}], "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}]}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "AttributeDefinitions": []}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "b", "AttributeType": "S"}]}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}], "AttributeDefinitions": [{"AttributeName": "b", "AttributeType": "S"}, {"AttributeName": "a", "AttributeType": "S"}]}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "a", "KeyType": "RANGE"}], "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}]}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "a", "KeyType": "RANGE"}, {"AttributeName": "b", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}]}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "c", "KeyType": "RANGE"}], "AttributeDefinitions": [{"AttributeName": "c", "AttributeType": "S"}]}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}]}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "N"}]}'),
 -- what dynpg does not support yet
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}], "GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}, "OnDemandThroughput": {"MaxReadRequestUnits": 10}}]}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}], "LocalSecondaryIndexes": []}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}], "StreamSpecification": {"StreamEnabled": true}}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}], "Tags": [{"Key": "aws:k", "Value": "v"}]}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}], "TableClass": "ARCHIVE"}');
SELECT n, pg_temp.api('CreateTable', request) FROM create_cases ORDER BY n;
-- a ValidationException's error response
SELECT pg_temp.detail('CreateTable', '{"TableName": "ab;"}');
SELECT pg_temp.detail('CreateTable', '{"TableName": true}');
-- none of them created a table
SELECT count(*) FROM dynpg.tables WHERE table_name = 'abc';

--
-- ListTables: names in byte order, pages of Limit names
--
SELECT pg_temp.api('CreateTable', format('{"TableName": "%s", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}', n)::jsonb) IS NOT NULL AS created
  FROM unnest(ARRAY['Zeta', 'alpha', '-dash', '_under', '0digit', 'a.b', 'a-b']) AS n;
SELECT pg_temp.api('ListTables', '{}');
SELECT dynpg.list_tables() = dynpg.list_tables('{}') AS default_request;
SELECT pg_temp.api('ListTables', '{"Limit": 3}');
SELECT pg_temp.api('ListTables', '{"Limit": 3, "ExclusiveStartTableName": "_under"}');
SELECT pg_temp.api('ListTables', '{"Limit": 3, "ExclusiveStartTableName": "blobs"}');
SELECT pg_temp.api('ListTables', '{"Limit": 3, "ExclusiveStartTableName": "ignored"}');
SELECT pg_temp.api('ListTables', '{"Limit": 100, "ExclusiveStartTableName": "ignored"}');
-- ExclusiveStartTableName need not name a table
SELECT pg_temp.api('ListTables', '{"ExclusiveStartTableName": "bbb"}');
SELECT pg_temp.api('ListTables', '{"ExclusiveStartTableName": "zzz"}');
-- paging through everything with Limit 2 returns every table once
WITH RECURSIVE pages(n, response) AS (
	SELECT 1, dynpg.list_tables('{"Limit": 2}')
	UNION ALL
	SELECT n + 1, dynpg.list_tables(jsonb_build_object('Limit', 2, 'ExclusiveStartTableName', response ->> 'LastEvaluatedTableName'))
	  FROM pages WHERE response ? 'LastEvaluatedTableName'
)
SELECT n, response FROM pages ORDER BY n;
SELECT pg_temp.api('ListTables', d) FROM (VALUES
 ('{"Limit": 0}'::jsonb), ('{"Limit": 101}'), ('{"Limit": -5, "ExclusiveStartTableName": "a;"}'),
 ('{"ExclusiveStartTableName": ""}'), (jsonb_build_object('ExclusiveStartTableName', repeat('x', 256))),
 ('{"Limit": "5"}'), ('{"Limit": true}'), ('{"Limit": 10000000000}'), ('{"Limit": null, "ExclusiveStartTableName": null}'),
 ('{"Limit": 2.9}')) AS t(d);

--
-- Long names: a name over 63 bytes maps to a shortened relation name
-- (46 characters, '~', 16 hex digits of its hash); the definition keeps it whole
--
SELECT pg_temp.api('CreateTable', format('{"TableName": "%s", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}', n)::jsonb) ~ '"TableStatus": "ACTIVE"' AS created
  FROM unnest(ARRAY[repeat('L', 63), repeat('L', 64), repeat('L', 70) || '.one', repeat('L', 70) || '.two', repeat('x', 255)]) AS n;
SELECT length(t.table_name) AS name_length, c.relname = t.table_name AS own_name,
       c.relname ~ '^[Lx]{46}~[0-9a-f]{16}$' AND left(c.relname, 46) = left(t.table_name, 46) AS shortened,
       octet_length(c.relname) AS relname_bytes
  FROM dynpg.tables t JOIN pg_class c ON c.oid = t.relation
 WHERE t.table_name ~ '^(L|xxx)' ORDER BY t.table_name COLLATE "C";
-- the mapping never changes (the hash is fixed), so dumps restore anywhere
SELECT c.relname FROM dynpg.tables t JOIN pg_class c ON c.oid = t.relation
 WHERE t.table_name IN (repeat('L', 64), repeat('x', 255)) ORDER BY c.relname COLLATE "C";
SELECT count(DISTINCT relation) AS distinct_relations FROM dynpg.tables WHERE table_name ~ '^L{70}';
SELECT pg_temp.api('DescribeTable', jsonb_build_object('TableName', repeat('L', 70) || '.two')) ~ ('"TableName": "' || repeat('L', 70) || '.two"') AS described;
SELECT pg_temp.api('DescribeTable', jsonb_build_object('TableName', repeat('L', 70) || '.three')) AS other_long_name;
SELECT pg_temp.api('DeleteTable', jsonb_build_object('TableName', n)) ~ '"TableStatus": "DELETING"' AS deleted
  FROM unnest(ARRAY[repeat('L', 63), repeat('L', 64), repeat('L', 70) || '.one', repeat('L', 70) || '.two', repeat('x', 255)]) AS n;

--
-- The catalog is the relations: SQL renames and drops show at once
--
ALTER TABLE dynamodb."Chat.Messages-2024_v1" RENAME TO chat;
SELECT pg_temp.api('DescribeTable', '{"TableName": "Chat.Messages-2024_v1"}');
SELECT pg_temp.api('DescribeTable', '{"TableName": "chat"}') ~ '"TableName": "chat"' AS known_by_new_name;
SELECT table_name, relation FROM dynpg.tables WHERE table_name ~* 'chat';
ALTER TABLE dynamodb.chat RENAME TO "Chat.Messages-2024_v1";
SELECT table_name, relation FROM dynpg.tables WHERE table_name ~* 'chat';
DROP TABLE dynamodb.alpha;
SELECT pg_temp.api('DescribeTable', '{"TableName": "alpha"}');
SELECT count(*) FROM dynpg.tables WHERE table_name = 'alpha';
-- other relations in schema dynamodb are not tables, and their names are taken
CREATE TABLE dynamodb.plain (x int);
SELECT dynpg.table_definition('dynamodb.plain') IS NULL AS not_a_table;
SELECT pg_temp.api('DescribeTable', '{"TableName": "plain"}');
SELECT pg_temp.api('CreateTable', '{"TableName": "plain", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}');
DROP TABLE dynamodb.plain;

--
-- The CHECK constraint holds every row to the key schema (SQL INSERT, COPY)
--
SELECT dynpg.conforms('{"PersonID":{"N":"7"},"x":{"S":"y"}}', definition) FROM dynpg.tables WHERE table_name = 'users';
SELECT dynpg.conforms('{"x":{"S":"y"}}', definition) FROM dynpg.tables WHERE table_name = 'users';
SELECT dynpg.conforms('{"PersonID":{"S":"7"}}', definition) FROM dynpg.tables WHERE table_name = 'users';
SELECT dynpg.conforms('{"chat_id":{"S":""},"message_id":{"N":"1"}}', definition) FROM dynpg.tables WHERE table_name = 'Chat.Messages-2024_v1';
SELECT dynpg.conforms('{"chat_id":{"S":"c"}}', definition) FROM dynpg.tables WHERE table_name = 'Chat.Messages-2024_v1';
SELECT dynpg.conforms('{"PersonID":{"N":"7"}}', '{"TableName": "x"}');
INSERT INTO dynamodb.users VALUES ('{"Name":{"S":"no key"}}');
INSERT INTO dynamodb.users VALUES ('{"PersonID":{"B":"AAE="}}');
INSERT INTO dynamodb.users VALUES (NULL);
-- a relation that is not a dynpg table has no definition
SELECT dynpg.table_definition('pg_class') IS NULL AS not_a_table;

--
-- DeleteTable
--
SELECT pg_temp.pretty('DeleteTable', '{"TableName": "users"}');
SELECT pg_temp.api('DescribeTable', '{"TableName": "users"}');
SELECT to_regclass('dynamodb.users') IS NULL AS relation_dropped;
SELECT pg_temp.api('DeleteTable', '{"TableName": "users"}');
SELECT pg_temp.pretty('DeleteTable', '{"TableName": "Chat.Messages-2024_v1"}');
SELECT pg_temp.api('DeleteTable', d) FROM (VALUES
 ('{}'::jsonb), ('{"TableName": "ab"}'), ('{"TableName": "a b"}'), ('{"TableName": 1}')) AS t(d);

--
-- Control-plane calls are transactional
--
BEGIN;
SELECT pg_temp.api('CreateTable', '{"TableName": "rolled_back", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}') ~ 'ACTIVE' AS created;
SELECT count(*) FROM dynpg.tables WHERE table_name = 'rolled_back';
ROLLBACK;
SELECT count(*) FROM dynpg.tables WHERE table_name = 'rolled_back';
BEGIN;
SELECT pg_temp.api('DeleteTable', '{"TableName": "blobs"}') ~ 'DELETING' AS deleted;
ROLLBACK;
SELECT pg_temp.api('DescribeTable', '{"TableName": "blobs"}') ~ 'ACTIVE' AS still_there;

--
-- dynpg.execute() dispatches on DynamoDB's operation names
--
SELECT pg_temp.detail('CreateBackup', '{"TableName": "blobs"}');
SELECT pg_temp.detail('NoSuchOperation', '{}');
SELECT pg_temp.api('listTables', '{}');
SELECT dynpg.execute('ListTables') = dynpg.list_tables() AS default_request;
SELECT dynpg.execute('ListTables', NULL) IS NULL AS strict;

--
-- Privileges: CreateTable needs CREATE on schema dynamodb, DeleteTable
-- ownership; PostgreSQL's own errors (42501) report them
--
CREATE ROLE regress_dynpg_creator;
CREATE ROLE regress_dynpg_other;
SET ROLE regress_dynpg_other;
SELECT pg_temp.api('CreateTable', '{"TableName": "owned", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}');
-- validation comes first, as for DynamoDB's unauthenticated checks
SELECT pg_temp.api('CreateTable', '{"TableName": "x"}');
RESET ROLE;
GRANT CREATE ON SCHEMA dynamodb TO regress_dynpg_creator;
SET ROLE regress_dynpg_creator;
SELECT pg_temp.api('CreateTable', '{"TableName": "owned", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}') ~ 'ACTIVE' AS created;
RESET ROLE;
SELECT relowner::regrole FROM pg_class WHERE oid = 'dynamodb.owned'::regclass;
SET ROLE regress_dynpg_other;
-- anyone may list and describe tables (pg_class is public too)
SELECT pg_temp.api('DescribeTable', '{"TableName": "owned"}') ~ 'ACTIVE' AS described;
SELECT pg_temp.api('ListTables', '{"ExclusiveStartTableName": "ignored", "Limit": 1}');
SELECT pg_temp.api('DeleteTable', '{"TableName": "owned"}');
SELECT pg_temp.api('DeleteTable', '{"TableName": "no_such_table"}');
RESET ROLE;
SET ROLE regress_dynpg_creator;
SELECT pg_temp.api('DeleteTable', '{"TableName": "owned"}') ~ 'DELETING' AS deleted_by_owner;
RESET ROLE;
REVOKE CREATE ON SCHEMA dynamodb FROM regress_dynpg_creator;
DROP ROLE regress_dynpg_creator;
DROP ROLE regress_dynpg_other;

-- clean up
SELECT pg_temp.api('DeleteTable', jsonb_build_object('TableName', table_name)) ~ 'DELETING' AS deleted
  FROM dynpg.tables ORDER BY table_name COLLATE "C";
SELECT pg_temp.api('ListTables', '{}');
