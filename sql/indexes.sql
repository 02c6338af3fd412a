-- Secondary index definitions: CreateTable's LocalSecondaryIndexes and
-- GlobalSecondaryIndexes with DynamoDB's checks, messages and their order;
-- the indexes in the table's definition (the CHECK constraint) and in the
-- dynpg.indexes view; their TableDescription form; and, until dynpg
-- maintains indexes, the refusal of every write to a table that has any.
\set SHOW_CONTEXT never

\i sql/include/table_helpers.sql

-- A GSI named n on attribute a (HASH), projecting everything, with capacity
-- 1/1 unless on demand.
CREATE FUNCTION pg_temp.gsi(n text, a text, on_demand boolean DEFAULT false) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('IndexName', n, 'KeySchema', jsonb_build_array(jsonb_build_object('AttributeName', a, 'KeyType', 'HASH')),
		'Projection', '{"ProjectionType": "ALL"}'::jsonb)
		|| CASE WHEN on_demand THEN '{}'::jsonb ELSE '{"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}'::jsonb END
$$;

--
-- CreateTable with indexes: a provisioned table with two LSIs and two GSIs
-- (every projection type), and an on-demand one with a GSI
--
CREATE TEMP TABLE created (table_name text, response jsonb);
INSERT INTO created SELECT 'Thread', dynpg.create_table('{"TableName": "Thread",
  "AttributeDefinitions": [
    {"AttributeName": "ForumName", "AttributeType": "S"},
    {"AttributeName": "Subject", "AttributeType": "S"},
    {"AttributeName": "LastPostDateTime", "AttributeType": "S"},
    {"AttributeName": "Replies", "AttributeType": "N"},
    {"AttributeName": "Author", "AttributeType": "B"}],
  "KeySchema": [{"AttributeName": "ForumName", "KeyType": "HASH"}, {"AttributeName": "Subject", "KeyType": "RANGE"}],
  "LocalSecondaryIndexes": [
    {"IndexName": "LastPostIndex",
     "KeySchema": [{"AttributeName": "ForumName", "KeyType": "HASH"}, {"AttributeName": "LastPostDateTime", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "KEYS_ONLY"}},
    {"IndexName": "RepliesIndex",
     "KeySchema": [{"AttributeName": "ForumName", "KeyType": "HASH"}, {"AttributeName": "Replies", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["Tags", "Views"]}}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "by-author.v1",
     "KeySchema": [{"AttributeName": "Author", "KeyType": "HASH"}, {"AttributeName": "LastPostDateTime", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "ALL"},
     "ProvisionedThroughput": {"ReadCapacityUnits": 7, "WriteCapacityUnits": 3}},
    {"IndexName": "SubjectIndex",
     "KeySchema": [{"AttributeName": "Subject", "KeyType": "HASH"}],
     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["Views", "ForumName"]},
     "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}],
  "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}}');
SELECT jsonb_pretty(pg_temp.mask(response)) FROM created WHERE table_name = 'Thread';
SELECT pg_temp.pretty('CreateTable', '{"TableName": "GameScores", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [
    {"AttributeName": "UserId", "AttributeType": "S"},
    {"AttributeName": "GameTitle", "AttributeType": "S"},
    {"AttributeName": "TopScore", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "UserId", "KeyType": "HASH"}, {"AttributeName": "GameTitle", "KeyType": "RANGE"}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "GameTitleIndex",
     "KeySchema": [{"AttributeName": "GameTitle", "KeyType": "HASH"}, {"AttributeName": "TopScore", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["UserId"]}}]}');
-- DescribeTable reports what CreateTable did
SELECT dynpg.describe_table('{"TableName": "Thread"}') -> 'Table' = response -> 'TableDescription' AS same_description
  FROM created WHERE table_name = 'Thread';
SELECT pg_temp.api('DescribeTable', '{"TableName": "GameScores"}');
-- the members of each description, as DynamoDB sends them (LSIs have no
-- IndexStatus and no ProvisionedThroughput)
SELECT kind, array_agg(DISTINCT k ORDER BY k) AS members
  FROM dynpg.describe_table('{"TableName": "Thread"}') AS r,
       LATERAL (VALUES ('LocalSecondaryIndexes'), ('GlobalSecondaryIndexes')) AS m(kind),
       LATERAL jsonb_array_elements(r -> 'Table' -> kind) AS i,
       LATERAL jsonb_object_keys(i) AS k
 GROUP BY kind ORDER BY kind;
-- DeleteTable's description leaves the indexes out, as it leaves out the key schema
SELECT pg_temp.api('CreateTable', '{"TableName": "doomed", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "GlobalSecondaryIndexes": [{"IndexName": "g-index", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}]}') ~ 'g-index' AS created;
SELECT pg_temp.pretty('DeleteTable', '{"TableName": "doomed"}');

--
-- What DynamoDB accepts: an LSI identical to the table, a GSI with the
-- table's key and named like the table, NonKeyAttributes naming key
-- attributes, 5 LSIs, 20 GSIs and 100 projected attributes
--
SELECT pg_temp.api('CreateTable', '{"TableName": "same", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "c", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
  "LocalSecondaryIndexes": [{"IndexName": "hello", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["p", "c", "x"]}}],
  "GlobalSecondaryIndexes": [{"IndexName": "same", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"}}]}') ~ '"TableStatus": "ACTIVE"' AS created;
SELECT pg_temp.api('CreateTable', jsonb_build_object('TableName', 'limits', 'BillingMode', 'PAY_PER_REQUEST',
  'AttributeDefinitions', (SELECT jsonb_agg(jsonb_build_object('AttributeName', a, 'AttributeType', 'S'))
                             FROM unnest(ARRAY['p', 'c', 'l1', 'l2', 'l3', 'l4', 'l5']) AS a),
  'KeySchema', '[{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}]'::jsonb,
  'LocalSecondaryIndexes', (SELECT jsonb_agg(jsonb_build_object('IndexName', 'lsi' || i,
      'KeySchema', jsonb_build_array(jsonb_build_object('AttributeName', 'p', 'KeyType', 'HASH'), jsonb_build_object('AttributeName', 'l' || i, 'KeyType', 'RANGE')),
      'Projection', jsonb_build_object('ProjectionType', 'INCLUDE', 'NonKeyAttributes',
                                       (SELECT jsonb_agg('a' || i || '_' || j) FROM generate_series(1, 20) AS j))))
    FROM generate_series(1, 5) AS i),
  'GlobalSecondaryIndexes', (SELECT jsonb_agg(pg_temp.gsi('gsi' || i, CASE WHEN i % 2 = 0 THEN 'c' ELSE 'p' END, true)) FROM generate_series(1, 20) AS i)))
  ~ '"TableStatus": "ACTIVE"' AS created;
SELECT jsonb_array_length(r -> 'Table' -> 'LocalSecondaryIndexes') AS lsis, jsonb_array_length(r -> 'Table' -> 'GlobalSecondaryIndexes') AS gsis,
       (SELECT sum(jsonb_array_length(i -> 'Projection' -> 'NonKeyAttributes')) FROM jsonb_array_elements(r -> 'Table' -> 'LocalSecondaryIndexes') AS i) AS projected
  FROM dynpg.describe_table('{"TableName": "limits"}') AS r;

--
-- The definition: the indexes travel in the CHECK constraint (pre-data DDL
-- for pg_dump), AttributeDefinitions hold the table's keys first, and the
-- dynpg.indexes view lists every index
--
SELECT table_name, attribute_definitions FROM dynpg.tables WHERE table_name IN ('Thread', 'GameScores') ORDER BY table_name COLLATE "C";
SELECT jsonb_pretty(definition - 'TableId' - 'CreationDateTime') FROM dynpg.tables WHERE table_name = 'Thread';
SELECT pg_get_constraintdef(oid) ~ 'LocalSecondaryIndexes' AND pg_get_constraintdef(oid) ~ 'by-author\.v1' AS indexes_in_check
  FROM pg_constraint WHERE conrelid = 'dynamodb."Thread"'::regclass AND conname = 'dynpg_table';
SELECT table_name, index_name, index_kind, relation, key_schema, projection_type, non_key_attributes, provisioned_throughput
  FROM dynpg.indexes WHERE table_name IN ('Thread', 'GameScores', 'same') ORDER BY table_name COLLATE "C", index_kind DESC, index_name COLLATE "C";
SELECT index_kind, count(*) FROM dynpg.indexes WHERE table_name = 'limits' GROUP BY index_kind ORDER BY index_kind;
-- a renamed relation is known by its new name, and so are its indexes
ALTER TABLE dynamodb."GameScores" RENAME TO scores;
SELECT table_name, index_name FROM dynpg.indexes WHERE relation = 'dynamodb.scores'::regclass;
SELECT r -> 'Table' -> 'GlobalSecondaryIndexes' -> 0 ->> 'IndexArn' AS index_arn FROM dynpg.describe_table('{"TableName": "scores"}') AS r;
ALTER TABLE dynamodb.scores RENAME TO "GameScores";

--
-- Writes to indexed tables: LSI entries are written with the item, GSI
-- changes go to the change log dynpg.index_changes in the same transaction
-- (src/index/README); an item whose index key attribute has the wrong type
-- or an empty value is refused with DynamoDB's message, and nothing is
-- written; an item without an index's key attributes is simply not indexed
--
SELECT pg_temp.api('PutItem', '{"TableName": "GameScores", "Item": {"UserId": {"S": "u1"}, "GameTitle": {"S": "Galaxy"}, "TopScore": {"N": "5"}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "GameScores", "Key": {"UserId": {"S": "u1"}, "GameTitle": {"S": "Galaxy"}}, "UpdateExpression": "SET TopScore = :s", "ExpressionAttributeValues": {":s": {"N": "6"}}}');
SELECT pg_temp.api('DeleteItem', '{"TableName": "GameScores", "Key": {"UserId": {"S": "u1"}, "GameTitle": {"S": "Galaxy"}}}');
SELECT pg_temp.api('PutItem', '{"TableName": "Thread", "Item": {"ForumName": {"S": "f"}, "Subject": {"S": "s"}}}');
SELECT pg_temp.api('PutItem', '{"TableName": "same", "Item": {"p": {"S": "f"}, "c": {"S": "s"}}}');
-- the request is validated first, as for any write
SELECT pg_temp.api('PutItem', '{"TableName": "GameScores", "Item": {"UserId": {"S": "u1"}}}');
-- index keys of the wrong type, empty, or too long
SELECT pg_temp.api('PutItem', '{"TableName": "GameScores", "Item": {"UserId": {"S": "u9"}, "GameTitle": {"S": "G"}, "TopScore": {"S": "1"}}}');
SELECT key_schema, attribute_definitions FROM dynpg.tables WHERE table_name = 'Thread';
SELECT pg_temp.api('PutItem', '{"TableName": "Thread", "Item": {"ForumName": {"S": "f"}, "Subject": {"S": "s2"}, "LastPostDateTime": {"N": "3"}}}');
SELECT pg_temp.api('PutItem', '{"TableName": "Thread", "Item": {"ForumName": {"S": "f"}, "Subject": {"S": "s2"}, "LastPostDateTime": {"S": ""}}}');
SELECT pg_temp.api('PutItem', '{"TableName": "GameScores", "Item": {"UserId": {"S": "u9"}, "GameTitle": {"S": "G"}, "TopScore": {"N": "1"}}}');
-- an update giving an index key another type (NULL included), when the
-- request says so: PutItem's message; a value copied from the item: the
-- update's own
SELECT pg_temp.api('UpdateItem', '{"TableName": "Thread", "Key": {"ForumName": {"S": "f"}, "Subject": {"S": "s"}}, "UpdateExpression": "SET LastPostDateTime = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "Thread", "Key": {"ForumName": {"S": "f"}, "Subject": {"S": "s"}}, "UpdateExpression": "SET LastPostDateTime = :v", "ExpressionAttributeValues": {":v": {"NULL": true}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "Thread", "Key": {"ForumName": {"S": "f"}, "Subject": {"S": "s"}}, "UpdateExpression": "SET Replies = :v", "ExpressionAttributeValues": {":v": {"L": []}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "Thread", "Key": {"ForumName": {"S": "f"}, "Subject": {"S": "s"}}, "UpdateExpression": "SET LastPostDateTime = Replies + :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "Thread", "Key": {"ForumName": {"S": "f"}, "Subject": {"S": "s"}}, "UpdateExpression": "ADD LastPostDateTime :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "Thread", "Key": {"ForumName": {"S": "f"}, "Subject": {"S": "s"}}, "AttributeUpdates": {"LastPostDateTime": {"Action": "PUT", "Value": {"NULL": true}}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "Thread", "Key": {"ForumName": {"S": "f"}, "Subject": {"S": "s"}}, "AttributeUpdates": {"Author": {"Action": "PUT", "Value": {"S": "x"}}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "Thread", "Key": {"ForumName": {"S": "f"}, "Subject": {"S": "s"}}, "UpdateExpression": "SET Nb = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "Thread", "Key": {"ForumName": {"S": "f"}, "Subject": {"S": "s"}}, "UpdateExpression": "SET LastPostDateTime = Nb"}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "Thread", "Key": {"ForumName": {"S": "f"}, "Subject": {"S": "s"}}, "UpdateExpression": "REMOVE Nb"}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "Thread", "Key": {"ForumName": {"S": "f"}, "Subject": {"S": "s"}}, "UpdateExpression": "SET LastPostDateTime = :v", "ExpressionAttributeValues": {":v": {"S": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}}');
SELECT count(*) AS thread_items FROM dynamodb."Thread";
-- the SQL layer and SQL writes go the same way
SELECT dynpg.put('GameScores', '{"UserId": "u1", "GameTitle": "Galaxy"}'::jsonb);
SELECT dynpg.delete('GameScores', '{"UserId": "u1", "GameTitle": "Galaxy"}'::jsonb);
INSERT INTO dynamodb."GameScores" VALUES ('{"UserId": {"S": "u1"}, "GameTitle": {"S": "Galaxy"}}');
COPY dynamodb."GameScores" FROM stdin;
{"UserId": {"S": "u2"}, "GameTitle": {"S": "Meteor"}}
\.
INSERT INTO dynamodb."GameScores" VALUES ('{"UserId": {"S": "u3"}, "GameTitle": {"B": "AA=="}}');
-- ... and what SQL wrote is in the indexes like what the API wrote
INSERT INTO dynamodb."GameScores" VALUES ('{"UserId": {"S": "u4"}, "GameTitle": {"S": "Meteor"}, "TopScore": {"N": "40"}}');
SELECT dynpg._apply_index_changes() >= 0 AS applied;
SELECT pg_temp.api('Query', '{"TableName": "GameScores", "IndexName": "GameTitleIndex", "KeyConditionExpression": "GameTitle = :g", "ExpressionAttributeValues": {":g": {"S": "Meteor"}}}');
SELECT i ->> 'name' AS index_name, i -> 'missing' AS missing, i -> 'extra' AS extra, i -> 'pending' AS pending
  FROM jsonb_array_elements(dynpg.verify('GameScores') -> 'indexes') AS i;
-- the CHECK constraint still runs first on SQL writes
INSERT INTO dynamodb."GameScores" VALUES ('{"UserId": {"S": "u1"}}');
-- the table's items are what a Scan and SELECT see, never index entries
SELECT count(*) FROM dynamodb."GameScores";
SELECT pg_temp.api('GetItem', '{"TableName": "GameScores", "Key": {"UserId": {"S": "u1"}, "GameTitle": {"S": "Galaxy"}}}');
SELECT pg_temp.api('Query', '{"TableName": "GameScores", "KeyConditionExpression": "UserId = :u", "ExpressionAttributeValues": {":u": {"S": "u1"}}}');
SELECT pg_temp.api('Scan', '{"TableName": "Thread"}');
-- a write to a table with GSIs that may change a GSI entry is logged in
-- its own transaction (rows the worker cannot see before the commit);
-- one that changes no GSI's entry is not
BEGIN;
SELECT pg_temp.api('PutItem', '{"TableName": "GameScores", "Item": {"UserId": {"S": "u5"}, "GameTitle": {"S": "Galaxy"}, "TopScore": {"N": "7"}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "GameScores", "Key": {"UserId": {"S": "u5"}, "GameTitle": {"S": "Galaxy"}}, "UpdateExpression": "SET TopScore = :s", "ExpressionAttributeValues": {":s": {"N": "8"}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "GameScores", "Key": {"UserId": {"S": "u5"}, "GameTitle": {"S": "Galaxy"}}, "UpdateExpression": "SET Nick = :s", "ExpressionAttributeValues": {":s": {"N": "8"}}}');
SELECT tbl::regclass, base_key, old_keys FROM dynpg.index_changes
 WHERE xmin::text::bigint >= pg_current_xact_id()::text::bigint ORDER BY ctid;
ROLLBACK;
-- tables without indexes are written as before
SELECT pg_temp.api('CreateTable', '{"TableName": "plain", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}], "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}]}') ~ 'ACTIVE' AS created;
SELECT pg_temp.api('PutItem', '{"TableName": "plain", "Item": {"p": {"S": "x"}}}');
SELECT count(*) FROM dynamodb.plain;

--
-- CreateTable's validation of indexes, in DynamoDB's order: the JSON types
-- of the members, then every failed constraint at once (the table's first),
-- then the operation's rules, one message each
--
CREATE TEMP TABLE index_cases (n serial, request jsonb);
CREATE FUNCTION pg_temp.req(extra jsonb, sort_key boolean DEFAULT true, defs text[] DEFAULT ARRAY['a', 'b'],
                            billing text DEFAULT 'PROVISIONED') RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('TableName', 'abc',
		'AttributeDefinitions', (SELECT jsonb_agg(jsonb_build_object('AttributeName', d, 'AttributeType', 'S') ORDER BY o)
		                           FROM unnest(defs) WITH ORDINALITY AS t(d, o)),
		'KeySchema', CASE WHEN sort_key THEN '[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}]'::jsonb
		                  ELSE '[{"AttributeName": "a", "KeyType": "HASH"}]'::jsonb END)
		|| CASE WHEN billing = 'PROVISIONED' THEN '{"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}'::jsonb
		        ELSE jsonb_build_object('BillingMode', billing) END
		|| extra
$$;
INSERT INTO index_cases (request) VALUES
 -- JSON types (SerializationException)
 (pg_temp.req('{"LocalSecondaryIndexes": "x"}')),
 (pg_temp.req('{"LocalSecondaryIndexes": {"IndexName": "abc"}}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [1]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [[]]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": 5}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": true}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"KeySchema": "k"}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"KeySchema": [{"AttributeName": 1.5}]}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"KeySchema": [{"KeyType": ["HASH"]}]}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"Projection": []}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"Projection": "ALL"}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"Projection": {"ProjectionType": false}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"Projection": {"NonKeyAttributes": "x"}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"Projection": {"NonKeyAttributes": [1]}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"Projection": {"NonKeyAttributes": [{}]}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": 3}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"ProvisionedThroughput": []}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"ProvisionedThroughput": {"ReadCapacityUnits": "5"}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"ProvisionedThroughput": {"WriteCapacityUnits": true}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"OnDemandThroughput": 1}]}')),
 -- constraints: nine empty LSIs or GSIs (at most 10 failures are listed)
 (pg_temp.req('{"LocalSecondaryIndexes": [{}, {}, {}, {}, {}, {}, {}, {}, {}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{}, {}, {}, {}, {}, {}, {}, {}, {}]}')),
 -- index names: the TableName pattern, then 3..255 characters
 (pg_temp.req(jsonb_build_object('LocalSecondaryIndexes', jsonb_build_array(
    '{"IndexName": "h;", "KeySchema": [], "Projection": {}}'::jsonb,
    jsonb_build_object('IndexName', repeat('a', 256), 'KeySchema', '[{"AttributeName": "a", "KeyType": "HASH"}]'::jsonb, 'Projection', '{}'::jsonb))), false)),
 (pg_temp.req(jsonb_build_object('GlobalSecondaryIndexes', jsonb_build_array(
    '{"IndexName": "h;", "KeySchema": [], "Projection": {}, "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}}'::jsonb,
    jsonb_build_object('IndexName', repeat('a', 256), 'KeySchema', '[{"AttributeName": "a", "KeyType": "HASH"}]'::jsonb, 'Projection', '{}'::jsonb, 'ProvisionedThroughput', '{}'::jsonb))), false)),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}')),
 -- key schemas: enum of key types, 1..2 elements, names of 1..255 characters
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "TestGSI", "KeySchema": [{"AttributeName": "n/a", "KeyType": "HASH"}, {"AttributeName": "sth", "KeyType": "SORT"}], "Projection": {"ProjectionType": "ALL"}, "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "test_lsi", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "lsi_range_key", "KeyType": "SORT"}], "Projection": {"ProjectionType": "ALL"}}]}')),
 -- three elements: a multi-attribute GSI key (up to 8, multi_key_gsi.sql), so AttributeDefinitions are next
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}, {"AttributeName": "c", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [null, {}, {"AttributeName": ""}], "Projection": {"ProjectionType": "ALL"}}]}')),
 (pg_temp.req(jsonb_build_object('GlobalSecondaryIndexes', jsonb_build_array(jsonb_build_object('IndexName', 'abc',
    'KeySchema', jsonb_build_array(jsonb_build_object('AttributeName', repeat('k', 256), 'KeyType', 'HASH')), 'Projection', '{"ProjectionType": "ALL"}'::jsonb))))),
 -- projections: the enum (case matters), NonKeyAttributes of 1..20 names of 1..255 characters
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"NonKeyAttributes": [], "ProjectionType": "abc"}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"NonKeyAttributes": [], "ProjectionType": "abc"}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "Projection": {"ProjectionType": "all"}}]}')),
 (pg_temp.req(jsonb_build_object('LocalSecondaryIndexes', jsonb_build_array(jsonb_build_object('IndexName', 'abc',
    'KeySchema', '[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}]'::jsonb,
    'Projection', jsonb_build_object('ProjectionType', 'INCLUDE', 'NonKeyAttributes', (SELECT jsonb_agg('n' || i) FROM generate_series(1, 21) AS i))))))),
 (pg_temp.req(jsonb_build_object('GlobalSecondaryIndexes', jsonb_build_array(jsonb_build_object('IndexName', 'abc',
    'KeySchema', '[{"AttributeName": "a", "KeyType": "HASH"}]'::jsonb,
    'Projection', jsonb_build_object('ProjectionType', 'INCLUDE', 'NonKeyAttributes', jsonb_build_array('', null, repeat('x', 256)))))))),
 -- a missing Projection, a null index
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [null]}')),
 -- a seventh index that is empty, after six valid ones
 (pg_temp.req(jsonb_build_object('GlobalSecondaryIndexes', (SELECT jsonb_agg(pg_temp.gsi('ab' || i, 'a')) FROM generate_series(1, 6) AS i) || '[{}]'::jsonb))),
 -- the table's failures come first
 (pg_temp.req('{"TableName": "a;", "GlobalSecondaryIndexes": [{"IndexName": "a;", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}')),
 -- rules: empty lists
 (pg_temp.req('{"LocalSecondaryIndexes": []}', false)),
 (pg_temp.req('{"GlobalSecondaryIndexes": []}', false)),
 (pg_temp.req('{"LocalSecondaryIndexes": [], "GlobalSecondaryIndexes": []}')),
 -- LSIs need a table sort key, the table's partition key and a sort key of their own
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "c", "KeyType": "RANGE"}], "Projection": {}}]}', false)),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "c", "KeyType": "RANGE"}, {"AttributeName": "d", "KeyType": "RANGE"}], "Projection": {}}, {"IndexName": "abc", "KeySchema": [{"AttributeName": "e", "KeyType": "RANGE"}], "Projection": {}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "RANGE"}], "Projection": {}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "a", "KeyType": "HASH"}], "Projection": {}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "HASH"}], "Projection": {}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}], "Projection": {}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}, {"AttributeName": "a", "KeyType": "RANGE"}], "Projection": {}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "a", "KeyType": "RANGE"}], "Projection": {}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}], "Projection": {}}]}')),
 -- LSI projections and names
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"NonKeyAttributes": ["a"]}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL", "NonKeyAttributes": ["a"]}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["a"]}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "INCLUDE"}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x", "y", "x"]}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}, {"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}')),
 (pg_temp.req(jsonb_build_object('LocalSecondaryIndexes', (SELECT jsonb_agg(jsonb_build_object('IndexName', 'ab' || chr(96 + i),
    'KeySchema', '[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}]'::jsonb, 'Projection', '{"ProjectionType": "ALL"}'::jsonb))
    FROM generate_series(1, 6) AS i)))),
 -- GSI key schemas
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "c", "KeyType": "RANGE"}], "Projection": {}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}]}', false)),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "c", "KeyType": "RANGE"}, {"AttributeName": "d", "KeyType": "RANGE"}], "Projection": {}}, {"IndexName": "abc", "KeySchema": [{"AttributeName": "e", "KeyType": "RANGE"}], "Projection": {}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "RANGE"}], "Projection": {}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "a", "KeyType": "HASH"}], "Projection": {}}]}')),
 -- HASH, HASH: a multi-attribute GSI partition key (multi_key_gsi.sql), so the projection is next
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "HASH"}], "Projection": {}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "a", "KeyType": "RANGE"}], "Projection": {}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}], "Projection": {}}]}')),
 -- GSI projections (a GSI may have any key of its own)
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}], "Projection": {}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}, {"AttributeName": "a", "KeyType": "RANGE"}], "Projection": {}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"NonKeyAttributes": ["a"]}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL", "NonKeyAttributes": ["a"]}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["a"]}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}], "Projection": {"ProjectionType": "INCLUDE"}}]}', true, ARRAY['a', 'b'], 'PAY_PER_REQUEST')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["z", "z"]}}]}', true, ARRAY['a', 'b'], 'PAY_PER_REQUEST')),
 -- GSI capacity: required with PROVISIONED, refused with PAY_PER_REQUEST
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}', false, ARRAY['a', 'x'])),
 (pg_temp.req(jsonb_build_object('GlobalSecondaryIndexes', jsonb_build_array(pg_temp.gsi('abc', 'a', true), pg_temp.gsi('abd', 'b'))), false, ARRAY['a', 'b'], 'PAY_PER_REQUEST')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}, "ProvisionedThroughput": {"ReadCapacityUnits": 1000000000001, "WriteCapacityUnits": 1}}]}')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1000000000001}}]}')),
 -- index names are unique among all of a table's indexes
 (pg_temp.req(jsonb_build_object('GlobalSecondaryIndexes', jsonb_build_array(pg_temp.gsi('abc', 'a'), pg_temp.gsi('abc', 'b'))))),
 (pg_temp.req(jsonb_build_object('LocalSecondaryIndexes', '[{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]'::jsonb,
    'GlobalSecondaryIndexes', jsonb_build_array(pg_temp.gsi('abc', 'a'))))),
 -- at most 20 GSIs, and 100 NonKeyAttributes in all
 (pg_temp.req(jsonb_build_object('GlobalSecondaryIndexes', (SELECT jsonb_agg(pg_temp.gsi('abc' || i, 'a')) FROM generate_series(0, 20) AS i)))),
 (pg_temp.req(jsonb_build_object('GlobalSecondaryIndexes', (SELECT jsonb_agg(jsonb_build_object('IndexName', 'gsi' || i,
    'KeySchema', '[{"AttributeName": "b", "KeyType": "HASH"}]'::jsonb,
    'Projection', jsonb_build_object('ProjectionType', 'INCLUDE', 'NonKeyAttributes',
                                     (SELECT jsonb_agg('x' || i || '_' || j) FROM generate_series(1, CASE WHEN i = 1 THEN 1 ELSE 20 END) AS j))))
    FROM generate_series(1, 6) AS i)), true, ARRAY['a', 'b'], 'PAY_PER_REQUEST')),
 -- AttributeDefinitions that no key uses (keys used: in java.util.HashSet's order)
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "index", "AttributeType": "S"}, {"AttributeName": "hash", "AttributeType": "S"}, {"AttributeName": "extra", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "hash", "KeyType": "HASH"}],
    "GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "index", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "sk", "AttributeType": "S"}, {"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}, {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "c", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "GlobalSecondaryIndexes": [{"IndexName": "g-a", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}'),
 ('{"TableName": "abc", "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "my-string", "AttributeType": "S"}, {"AttributeName": "my-int", "AttributeType": "N"}, {"AttributeName": "my-hash", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "my-hash", "KeyType": "HASH"}],
    "GlobalSecondaryIndexes": [{"IndexName": "by-string", "KeySchema": [{"AttributeName": "my-string", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}]}'),
 -- the order of the rules: the key schemas (LSIs', then GSIs'), then unused
 -- definitions, then projections, capacity and names (LSIs', then GSIs')
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}', false, ARRAY['a', 'b'], 'PAY_PER_REQUEST')),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}], "Projection": {}}]}', true, ARRAY['a', 'b', 'z'])),
 (pg_temp.req(jsonb_build_object('GlobalSecondaryIndexes', jsonb_build_array(pg_temp.gsi('xyz', 'a'), pg_temp.gsi('xyz', 'a'))), true, ARRAY['a', 'b', 'z'])),
 (pg_temp.req('{"LocalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {}}],
   "GlobalSecondaryIndexes": [{"IndexName": "abd", "KeySchema": [{"AttributeName": "q", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}')),
 (pg_temp.req('{"LocalSecondaryIndexes": [], "GlobalSecondaryIndexes": [{"IndexName": "abd", "KeySchema": [{"AttributeName": "q", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}', false)),
 -- the table's own rules come before the indexes'
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "q", "KeyType": "HASH"}], "Projection": {}}]}', true, ARRAY['a', 'b', 'a'])),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "q", "KeyType": "HASH"}], "Projection": {}}]}', true, ARRAY['a'])),
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "q", "KeyType": "HASH"}], "Projection": {}}]}', true, ARRAY['a', 'b'], 'PAY_PER_REQUEST')
  || '{"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}'),
 -- what dynpg does not support yet
 (pg_temp.req('{"GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}, "WarmThroughput": {"ReadUnitsPerSecond": 12000}}]}', true, ARRAY['a', 'b'], 'PAY_PER_REQUEST')),
 -- an index key, as any key, is of type S, N or B (a constraint on AttributeDefinitions)
 (pg_temp.req('{"AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "BOOL"}],
   "GlobalSecondaryIndexes": [{"IndexName": "abc", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}', false, ARRAY['a'], 'PAY_PER_REQUEST'));
SELECT n, pg_temp.api('CreateTable', request) FROM index_cases ORDER BY n;
-- a ValidationException's error response
SELECT pg_temp.detail('CreateTable', request) FROM index_cases WHERE n = 43;
-- none of them created a table
SELECT count(*) FROM dynpg.tables WHERE table_name = 'abc';

--
-- catalog.c trusts no definition: a malformed index list makes a relation
-- no dynpg table, and dynpg.conforms() (the CHECK) refuses it
--
CREATE FUNCTION pg_temp.def(extra jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT '{"TableName": "t", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
	         "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "S"}, {"AttributeName": "x", "AttributeType": "N"}]}'::jsonb || extra
$$;
CREATE FUNCTION pg_temp.conforms(extra jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN dynpg.conforms('{"p": {"S": "1"}, "s": {"S": "2"}}', pg_temp.def(extra))::text;
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT d, pg_temp.conforms(d::jsonb) FROM (VALUES
 ('{"LocalSecondaryIndexes": [{"IndexName": "l", "Keyspace": 1, "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}'),
 ('{"GlobalSecondaryIndexes": [{"IndexName": "g", "Keyspace": 6, "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["y"]}}]}'),
 ('{"LocalSecondaryIndexes": {}}'),
 ('{"LocalSecondaryIndexes": []}'),
 ('{"GlobalSecondaryIndexes": [1]}'),
 ('{"GlobalSecondaryIndexes": [{"KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}'),
 ('{"GlobalSecondaryIndexes": [{"IndexName": "g", "Keyspace": 6, "KeySchema": [{"AttributeName": "y", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}'),
 ('{"GlobalSecondaryIndexes": [{"IndexName": "g", "Keyspace": 6, "KeySchema": [{"AttributeName": "x", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}'),
 ('{"GlobalSecondaryIndexes": [{"IndexName": "g", "Keyspace": 6, "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}]}]}'),
 ('{"GlobalSecondaryIndexes": [{"IndexName": "g", "Keyspace": 6, "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL", "NonKeyAttributes": ["y"]}}]}'),
 ('{"GlobalSecondaryIndexes": [{"IndexName": "g", "Keyspace": 6, "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": [""]}}]}'),
 ('{"GlobalSecondaryIndexes": [{"IndexName": "g", "Keyspace": 6, "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "INCLUDE"}}]}'),
 ('{"LocalSecondaryIndexes": [{"IndexName": "l", "Keyspace": 1, "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}'),
 ('{"LocalSecondaryIndexes": [{"IndexName": "l", "Keyspace": 1, "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}'),
 ('{"LocalSecondaryIndexes": [{"IndexName": "g", "Keyspace": 1, "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}],
   "GlobalSecondaryIndexes": [{"IndexName": "g", "Keyspace": 6, "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}'),
 -- every index names its keyspace (src/index/index.h): 1..255, each its own
 ('{"GlobalSecondaryIndexes": [{"IndexName": "g", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}'),
 ('{"GlobalSecondaryIndexes": [{"IndexName": "g", "Keyspace": 0, "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}'),
 ('{"GlobalSecondaryIndexes": [{"IndexName": "g", "Keyspace": 256, "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}'),
 ('{"GlobalSecondaryIndexes": [{"IndexName": "g", "Keyspace": "6", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}'),
 ('{"LocalSecondaryIndexes": [{"IndexName": "l", "Keyspace": 6, "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}],
   "GlobalSecondaryIndexes": [{"IndexName": "g", "Keyspace": 6, "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}')
) AS t(d);
-- a hand-made relation with such a definition is not a table
CREATE TABLE dynamodb.forged (item dynpg.item NOT NULL,
  CONSTRAINT dynpg_table CHECK (dynpg.conforms(item, '{"TableName": "forged", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}], "GlobalSecondaryIndexes": [{"IndexName": "g"}]}'::jsonb))) USING dynpg;
SELECT dynpg.table_definition('dynamodb.forged') IS NULL AS not_a_table;
SELECT pg_temp.api('DescribeTable', '{"TableName": "forged"}');
SELECT count(*) FROM dynamodb.forged;
DROP TABLE dynamodb.forged;

-- clean up
SELECT pg_temp.api('DeleteTable', jsonb_build_object('TableName', table_name)) ~ 'DELETING' AS deleted
  FROM dynpg.tables ORDER BY table_name COLLATE "C";
SELECT count(*) AS indexes_left FROM dynpg.indexes;
