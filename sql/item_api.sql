-- Items on the wire: PutItem, GetItem, DeleteItem (and through
-- dynpg.execute()); DynamoDB's request validation, key checks and messages,
-- ReturnValues, ConsumedCapacity, transactions and table privileges.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;   -- dynpg.item's operators (->, ->>)

\i sql/include/item_helpers.sql

SELECT dynpg.create_table('{"TableName": "users", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "PersonID", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "PersonID", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS users;
SELECT dynpg.create_table('{"TableName": "chat", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "chat_id", "KeyType": "HASH"}, {"AttributeName": "sent", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "chat_id", "AttributeType": "S"}, {"AttributeName": "sent", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS chat;
SELECT dynpg.create_table('{"TableName": "blobs", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "B"}]}') -> 'TableDescription' -> 'TableStatus' AS blobs;

--
-- The README's sample users: put, get, list, delete
--
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "101"}, "LastName": {"S": "Smith"}, "FirstName": {"S": "Fred"}, "Phone": {"S": "555-4321"}}}');
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "102"}, "LastName": {"S": "Jones"}, "FirstName": {"S": "Mary"},
  "Address": {"M": {"Street": {"S": "123 Main"}, "City": {"S": "Anytown"}, "State": {"S": "OH"}, "ZIPCode": {"N": "12345"}}}}}');
SELECT dynpg.execute('PutItem', '{"TableName": "users", "Item": {"PersonID": {"N": "103"}, "LastName": {"S": "Stephens"}, "FirstName": {"S": "Howard"},
  "Address": {"M": {"Street": {"S": "123 Main"}, "City": {"S": "London"}, "PostalCode": {"S": "ER3 5K8"}}}, "FavoriteColor": {"S": "Blue"}}}');
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "101"}}}');
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "102"}}, "ConsistentRead": true}');
SELECT dynpg.execute('GetItem', '{"TableName": "users", "Key": {"PersonID": {"N": "103"}}, "ConsistentRead": false}');
-- the same number written another way is the same key
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "1.03E+2"}}}') -> 'Item' -> 'LastName' AS by_1_03e2;
-- a missing item is an empty response, not an error
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "104"}}}');
-- each table is a relation: SQL reads it
SELECT item FROM dynamodb.users ORDER BY (item ->> 'PersonID')::numeric;
SELECT r -> 'Table' -> 'ItemCount' AS item_count,
       (r -> 'Table' ->> 'TableSizeBytes')::bigint = (SELECT sum(dynpg.item_size(item)) FROM dynamodb.users) AS size_matches
  FROM dynpg.describe_table('{"TableName": "users"}') AS r;

--
-- PutItem replaces the whole item; ReturnValues ALL_OLD returns what it replaced
--
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "101"}, "LastName": {"S": "Smith"}, "Nickname": {"S": "Freddie"}}, "ReturnValues": "ALL_OLD"}');
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "101"}}}');
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "1.01e2"}, "Count": {"N": "+00017.50"}}, "ReturnValues": "ALL_OLD"}');
-- numbers come back canonical
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "101"}}, "ReturnValues": "ALL_OLD"}');
-- nothing replaced: no Attributes
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "200"}}, "ReturnValues": "ALL_OLD"}');
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "200"}}, "ReturnValues": "NONE"}');

--
-- DeleteItem
--
SELECT dynpg.delete_item('{"TableName": "users", "Key": {"PersonID": {"N": "200"}}}');
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "200"}}}');
-- deleting a missing item is not an error
SELECT dynpg.delete_item('{"TableName": "users", "Key": {"PersonID": {"N": "200"}}, "ReturnValues": "ALL_OLD"}');
SELECT dynpg.execute('DeleteItem', '{"TableName": "users", "Key": {"PersonID": {"N": "102"}}, "ReturnValues": "ALL_OLD"}');
SELECT dynpg.delete_item('{"TableName": "users", "Key": {"PersonID": {"N": "102"}}, "ReturnValues": "NONE"}');
SELECT item FROM dynamodb.users ORDER BY (item ->> 'PersonID')::numeric;

--
-- A table with a sort key: one partition, several items
--
SELECT dynpg.put_item(format('{"TableName": "chat", "Item": {"chat_id": {"S": "c1"}, "sent": {"N": "%s"}, "text": {"S": "message %s"}}}', n, n)::jsonb)
  FROM generate_series(1, 4) AS n;
SELECT dynpg.put_item('{"TableName": "chat", "Item": {"chat_id": {"S": "c2"}, "sent": {"N": "1"}, "text": {"S": "other chat"}}}');
SELECT dynpg.get_item('{"TableName": "chat", "Key": {"chat_id": {"S": "c1"}, "sent": {"N": "3"}}}');
SELECT dynpg.get_item('{"TableName": "chat", "Key": {"sent": {"N": "1"}, "chat_id": {"S": "c2"}}}');
SELECT dynpg.delete_item('{"TableName": "chat", "Key": {"chat_id": {"S": "c1"}, "sent": {"N": "3"}}, "ReturnValues": "ALL_OLD"}');
SELECT item FROM dynamodb.chat ORDER BY item ->> 'chat_id' COLLATE "C", (item ->> 'sent')::numeric;

--
-- Binary keys are compared as bytes
--
SELECT dynpg.put_item('{"TableName": "blobs", "Item": {"k": {"B": "AAEC"}, "v": {"S": "bytes 0 1 2"}}}');
SELECT dynpg.put_item('{"TableName": "blobs", "Item": {"k": {"B": "AAE="}, "v": {"S": "bytes 0 1"}}}');
SELECT dynpg.get_item('{"TableName": "blobs", "Key": {"k": {"B": "AAEC"}}}');
SELECT dynpg.get_item('{"TableName": "blobs", "Key": {"k": {"B": "AAE="}}}');
SELECT dynpg.get_item('{"TableName": "blobs", "Key": {"k": {"B": "AA=="}}}');

--
-- Sort keys: at most 1024 bytes (B counts raw bytes), never empty
--
SELECT dynpg.create_table('{"TableName": "notes", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "n", "AttributeType": "B"}]}') -> 'TableDescription' -> 'TableStatus' AS notes;
CREATE TEMP TABLE sort_keys AS
SELECT len, replace(encode(decode(repeat('ab', len), 'hex'), 'base64'), E'\n', '') AS b64 FROM (VALUES (1024), (1025)) AS t(len);
SELECT len, pg_temp.api('PutItem', jsonb_build_object('TableName', 'notes', 'Item',
         jsonb_build_object('p', '{"S": "p"}'::jsonb, 'n', jsonb_build_object('B', b64)))) AS put,
       pg_temp.api('GetItem', jsonb_build_object('TableName', 'notes', 'Key',
         jsonb_build_object('p', '{"S": "p"}'::jsonb, 'n', jsonb_build_object('B', b64)))) ~ '^\{"Item": \{' AS got,
       pg_temp.api('GetItem', jsonb_build_object('TableName', 'notes', 'Key',
         jsonb_build_object('p', '{"S": "p"}'::jsonb, 'n', jsonb_build_object('B', b64)))) ~ '^YD001: .*range keys' AS get_refused,
       pg_temp.api('DeleteItem', jsonb_build_object('TableName', 'notes', 'Key',
         jsonb_build_object('p', '{"S": "p"}'::jsonb, 'n', jsonb_build_object('B', b64)))) AS deleted
  FROM sort_keys ORDER BY len;
SELECT op, pg_temp.api(op, jsonb_build_object('TableName', 'notes', CASE op WHEN 'PutItem' THEN 'Item' ELSE 'Key' END,
         '{"p": {"S": "p"}, "n": {"B": ""}}'::jsonb)) FROM unnest(ARRAY['PutItem', 'GetItem', 'DeleteItem']) AS op;

--
-- ConsumedCapacity: writes in 1 KB units of the larger of the old and new
-- item, reads in 4 KB units (half for eventually consistent reads)
--
SELECT dynpg.put_item(jsonb_build_object('TableName', 'users', 'ReturnConsumedCapacity', 'TOTAL',
  'Item', jsonb_build_object('PersonID', '{"N": "300"}'::jsonb, 'blob', jsonb_build_object('S', repeat('x', 5000)))));
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "300"}}, "ReturnConsumedCapacity": "INDEXES"}');
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "300"}}, "ReturnConsumedCapacity": "NONE"}');
SELECT dynpg.put_item(jsonb_build_object('TableName', 'users', 'ReturnConsumedCapacity', 'TOTAL',
  'Item', jsonb_build_object('PersonID', '{"N": "300"}'::jsonb, 'blob', jsonb_build_object('S', repeat('x', 9000)))));
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "300"}}, "ReturnConsumedCapacity": "TOTAL", "ConsistentRead": true}') -> 'ConsumedCapacity';
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "300"}}, "ReturnConsumedCapacity": "TOTAL"}') -> 'ConsumedCapacity';
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "999"}}, "ReturnConsumedCapacity": "INDEXES"}');
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "999"}}, "ReturnConsumedCapacity": "INDEXES", "ConsistentRead": true}');
SELECT dynpg.delete_item('{"TableName": "users", "Key": {"PersonID": {"N": "300"}}, "ReturnConsumedCapacity": "TOTAL"}');
SELECT dynpg.delete_item('{"TableName": "users", "Key": {"PersonID": {"N": "300"}}, "ReturnConsumedCapacity": "TOTAL"}');

--
-- PutItem's validation: JSON types, then every failed constraint at once,
-- then the item's own rules, then the table, then the key
--
SELECT pg_temp.detail('PutItem', '{}');
SELECT pg_temp.api('PutItem', d) FROM (VALUES
 ('{"TableName": "users"}'::jsonb),
 ('{"Item": {"PersonID": {"N": "1"}}}'),
 ('{"TableName": "", "Item": {}}'),
 ('{"TableName": "a;", "Item": {}}'),
 (jsonb_build_object('TableName', repeat('u', 256), 'Item', '{}'::jsonb)),
 -- the data plane's TableName: 3 to 255 characters of the pattern, an
 -- empty one the length rule alone, a short one that breaks the pattern
 -- the pattern alone, one too long that breaks it both
 ('{"TableName": "ab", "Item": {}}'),
 ('{"TableName": "a", "Item": {}}'),
 (jsonb_build_object('TableName', repeat('u', 255) || ';', 'Item', '{}'::jsonb)),
 ('{"TableName": "abc;", "ReturnConsumedCapacity": "hi", "ReturnItemCollectionMetrics": "hi", "ReturnValues": "hi"}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}}, "ReturnValues": "ALL_NEW"}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}}, "ReturnValues": "UPDATED_OLD"}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}}, "ReturnValues": "UPDATED_NEW"}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}}, "ReturnValues": "all_old"}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}}, "ReturnValuesOnConditionCheckFailure": "ALL_NEW"}'),
 ('{"TableName": 7, "Item": {}}'),
 ('{"TableName": "users", "Item": []}'),
 ('{"TableName": "users", "Item": "x"}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}}, "ReturnValues": true}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}}, "ReturnConsumedCapacity": ["TOTAL"]}'),
 -- expressions are checked before anything is written (sql/expr_*.sql test them);
 -- legacy parameters too (sql/expr_legacy.sql)
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}}, "ConditionExpression": "attribute_not_exists(PersonID"}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}}, "Expected": {"PersonID": {"Exists": true, "Value": {"N": "999"}}}}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}}, "ExpressionAttributeValues": {":v": {"S": "x"}}}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}}, "ConditionalOperator": "AND"}'),
 -- the item's AttributeValues
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}, "a": {}}}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}, "a": {"S": "x", "N": "1"}}}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "dog"}}}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}, "a": {"SS": []}}}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}, "a": {"NULL": false}}}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": 1}}}'),
 ('{"TableName": "users", "Item": {"PersonID": {"N": "1"}, "": {"S": "x"}}}'),
 -- the table, after the item's own checks
 ('{"TableName": "nonexistent", "Item": {}}'),
 ('{"TableName": "ab", "Item": {"PersonID": {"N": "1"}}}'),
 ('{"TableName": "nonexistent", "Item": {"a": {"N": "1e126"}}}'),
 -- the key
 ('{"TableName": "users", "Item": {}}'),
 ('{"TableName": "users", "Item": {"Name": {"S": "x"}}}'),
 ('{"TableName": "users", "Item": {"PersonID": {"S": "101"}}}'),
 ('{"TableName": "users", "Item": {"PersonID": {"NS": ["101"]}}}'),
 ('{"TableName": "chat", "Item": {"chat_id": {"S": "c1"}}}'),
 ('{"TableName": "chat", "Item": {"chat_id": {"S": ""}, "sent": {"N": "1"}}}'),
 ('{"TableName": "blobs", "Item": {"k": {"B": ""}}}'),
 (jsonb_build_object('TableName', 'chat', 'Item', jsonb_build_object('chat_id', jsonb_build_object('S', repeat('c', 2049)), 'sent', '{"N": "1"}'::jsonb))),
 (jsonb_build_object('TableName', 'blobs', 'Item', jsonb_build_object('k', jsonb_build_object('B', replace(encode(decode(repeat('ab', 2049), 'hex'), 'base64'), E'\n', ''))))),
 (jsonb_build_object('TableName', 'chat', 'Item', jsonb_build_object('chat_id', '{"S": "c"}'::jsonb, 'sent', '{"N": "1"}'::jsonb, 'x', jsonb_build_object('S', repeat('x', 409600)))))
) AS t(d);
-- keys at their size limits are fine; N keys have no length limit
SELECT dynpg.put_item(jsonb_build_object('TableName', 'chat', 'Item', jsonb_build_object('chat_id', jsonb_build_object('S', repeat('c', 2048)), 'sent', '{"N": "-1.2345678901234567890123456789012345678E-100"}'::jsonb)));
SELECT dynpg.get_item(jsonb_build_object('TableName', 'chat', 'Key', jsonb_build_object('chat_id', jsonb_build_object('S', repeat('c', 2048)), 'sent', '{"N": "-0.12345678901234567890123456789012345678e-99"}'::jsonb))) -> 'Item' -> 'sent' AS sent;
-- unknown and null members are ignored
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "5"}}, "ReturnValues": null, "Foo": {"Bar": 1}}');
-- nothing failed above wrote anything
SELECT count(*) FROM dynamodb.users;

--
-- GetItem's and DeleteItem's Key: exactly the key attributes, with their types
--
SELECT pg_temp.detail('GetItem', '{"TableName": "users", "Key": {"PersonID": {"S": "5"}}}');
CREATE TEMP TABLE key_cases (n serial, request jsonb);
INSERT INTO key_cases (request) VALUES
 ('{}'::jsonb),
 ('{"TableName": "users"}'),
 ('{"TableName": "users!", "Key": {}}'),
 ('{"TableName": "nonexistent", "Key": {}}'),
 ('{"TableName": "users", "Key": {}}'),
 ('{"TableName": "users", "Key": {"Name": {"S": "x"}}}'),
 ('{"TableName": "users", "Key": {"PersonID": {"N": "5"}, "Name": {"S": "x"}}}'),
 ('{"TableName": "users", "Key": {"PersonID": {"S": "5"}}}'),
 ('{"TableName": "users", "Key": {"PersonID": {"SS": ["5"]}}}'),
 ('{"TableName": "users", "Key": {"PersonID": {"N": "five"}}}'),
 ('{"TableName": "users", "Key": {"PersonID": {}}}'),
 ('{"TableName": "users", "Key": []}'),
 ('{"TableName": "chat", "Key": {"chat_id": {"S": "c1"}}}'),
 ('{"TableName": "chat", "Key": {"chat_id": {"S": ""}, "sent": {"N": "1"}}}'),
 ('{"TableName": "blobs", "Key": {"k": {"B": ""}}}'),
 (jsonb_build_object('TableName', 'chat', 'Key', jsonb_build_object('chat_id', jsonb_build_object('S', repeat('c', 2049)), 'sent', '{"N": "1"}'::jsonb))),
 (jsonb_build_object('TableName', 'chat', 'Key', jsonb_build_object('chat_id', '{"S": "c"}'::jsonb, 'sent', jsonb_build_object('N', '1' || repeat('0', 40)))))
;
SELECT n, op, pg_temp.api(op, request) FROM key_cases, (VALUES ('GetItem'), ('DeleteItem')) AS o(op)
 ORDER BY n, op DESC;
SELECT pg_temp.api('GetItem', d) FROM (VALUES
 ('{"TableName": "users", "Key": {"PersonID": {"N": "5"}}, "ConsistentRead": "yes"}'::jsonb),
 ('{"TableName": "users", "Key": {"PersonID": {"N": "5"}}, "ConsistentRead": 1}'),
 ('{"TableName": "users", "Key": {"PersonID": {"N": "5"}}, "ConsistentRead": null}'),
 ('{"TableName": "users", "Key": {"PersonID": {"N": "5"}}, "ReturnConsumedCapacity": "ALL"}'),
 ('{"TableName": "users", "Key": {"PersonID": {"N": "5"}}, "ProjectionExpression": "PersonID"}'),
 ('{"TableName": "users", "Key": {"PersonID": {"N": "5"}}, "AttributesToGet": ["PersonID"]}'),
 ('{"TableName": "users", "Key": {"PersonID": {"N": "5"}}, "ExpressionAttributeNames": {"#p": "PersonID"}}')
) AS t(d);
SELECT pg_temp.api('DeleteItem', d) FROM (VALUES
 ('{"TableName": "users", "Key": {"PersonID": {"N": "5"}}, "ReturnValues": "ALL_NEW"}'::jsonb),
 ('{"TableName": "users", "Key": {"PersonID": {"N": "5"}}, "ReturnValues": "bogus"}'),
 ('{"TableName": "users", "Key": {"PersonID": {"N": "5"}}, "ConditionExpression": "attribute_not_exists(PersonID)"}'),
 ('{"TableName": "users", "Key": {"PersonID": {"N": "5"}}, "Expected": {"PersonID": {"Exists": true, "Value": {"N": "999"}}}}')
) AS t(d);
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "5"}}}');

--
-- The calls are part of the caller's transaction
--
BEGIN;
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "400"}}}');
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "400"}}}');
ROLLBACK;
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "400"}}}');
BEGIN;
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "401"}}}');
SAVEPOINT s;
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "401"}, "v": {"S": "undone"}}}');
SELECT dynpg.delete_item('{"TableName": "users", "Key": {"PersonID": {"N": "5"}}}');
ROLLBACK TO s;
COMMIT;
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "401"}}}');
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "5"}}}');
-- a failing call fails the transaction, as any SQL error does
BEGIN;
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"N": "402"}}}');
SELECT dynpg.put_item('{"TableName": "users", "Item": {"PersonID": {"S": "402"}}}');
COMMIT;
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "402"}}}');

--
-- Privileges on the relation govern the API: SELECT for GetItem, INSERT for
-- PutItem, DELETE for DeleteItem, and SELECT as well when ReturnValues asks
-- for the old item (as RETURNING does)
--
CREATE ROLE regress_dynpg_reader;
CREATE ROLE regress_dynpg_writer;
CREATE ROLE regress_dynpg_deleter;
GRANT SELECT ON dynamodb.users TO regress_dynpg_reader;
GRANT INSERT ON dynamodb.users TO regress_dynpg_writer;
GRANT DELETE ON dynamodb.users TO regress_dynpg_deleter;
SET ROLE regress_dynpg_reader;
SELECT pg_temp.api('GetItem', '{"TableName": "users", "Key": {"PersonID": {"N": "5"}}}');
SELECT pg_temp.api('PutItem', '{"TableName": "users", "Item": {"PersonID": {"N": "6"}}}');
SELECT pg_temp.api('DeleteItem', '{"TableName": "users", "Key": {"PersonID": {"N": "5"}}}');
SELECT pg_temp.api('GetItem', '{"TableName": "chat", "Key": {"chat_id": {"S": "c1"}, "sent": {"N": "1"}}}');
-- a missing table is not found whatever the privileges
SELECT pg_temp.api('GetItem', '{"TableName": "nonexistent", "Key": {"PersonID": {"N": "5"}}}');
SET ROLE regress_dynpg_writer;
SELECT pg_temp.api('PutItem', '{"TableName": "users", "Item": {"PersonID": {"N": "6"}}}');
SELECT pg_temp.api('PutItem', '{"TableName": "users", "Item": {"PersonID": {"N": "6"}}, "ReturnValues": "ALL_OLD"}');
SELECT pg_temp.api('GetItem', '{"TableName": "users", "Key": {"PersonID": {"N": "6"}}}');
SET ROLE regress_dynpg_deleter;
SELECT pg_temp.api('DeleteItem', '{"TableName": "users", "Key": {"PersonID": {"N": "6"}}, "ReturnValues": "ALL_OLD"}');
SELECT pg_temp.api('DeleteItem', '{"TableName": "users", "Key": {"PersonID": {"N": "6"}}}');
SELECT pg_temp.api('PutItem', '{"TableName": "users", "Item": {"PersonID": {"N": "6"}}}');
RESET ROLE;
SELECT dynpg.get_item('{"TableName": "users", "Key": {"PersonID": {"N": "6"}}}');
REVOKE ALL ON dynamodb.users FROM regress_dynpg_reader, regress_dynpg_writer, regress_dynpg_deleter;
DROP ROLE regress_dynpg_reader;
DROP ROLE regress_dynpg_writer;
DROP ROLE regress_dynpg_deleter;

-- clean up
SELECT dynpg.delete_item(jsonb_build_object('TableName', 'users', 'Key', jsonb_build_object('PersonID', item -> 'PersonID')))
  FROM dynamodb.users ORDER BY (item ->> 'PersonID')::numeric;
SELECT count(*) FROM dynamodb.users;
SELECT dynpg.delete_table(jsonb_build_object('TableName', t)) -> 'TableDescription' -> 'TableStatus' AS deleted
  FROM unnest(ARRAY['users', 'chat', 'blobs', 'notes']) AS t;
SELECT dynpg.list_tables();
