-- TransactWriteItems and TransactGetItems: limits and messages,
-- CancellationReasons, ClientRequestToken, secondary indexes, and several
-- API calls in one PostgreSQL transaction.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;

\i sql/include/item_helpers.sql
-- TransactWriteItems of some actions
CREATE FUNCTION pg_temp.tw(actions jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.detail('TransactWriteItems', jsonb_build_object('TransactItems', actions)) $$;
CREATE FUNCTION pg_temp.get(t text, k jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT dynpg.get_item(jsonb_build_object('TableName', t, 'Key', k)) $$;
CREATE FUNCTION pg_temp.apply() RETURNS void LANGUAGE sql AS $$
	SELECT FROM dynpg._apply_index_changes() $$;

SELECT dynpg.create_table('{"TableName": "acc", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}') IS NOT NULL AS acc;
SELECT dynpg.create_table('{"TableName": "log", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "n", "AttributeType": "N"}]}') IS NOT NULL AS log;

-- ---------------------------------------------------------------------
-- Success: Put, Update, Delete and ConditionCheck across two tables
-- ---------------------------------------------------------------------
SELECT pg_temp.tw('[{"Put": {"TableName": "acc", "Item": {"id": {"S": "a"}, "bal": {"N": "100"}}}},
  {"Put": {"TableName": "acc", "Item": {"id": {"S": "b"}, "bal": {"N": "5"}}, "ConditionExpression": "attribute_not_exists(id)"}},
  {"Put": {"TableName": "log", "Item": {"p": {"S": "x"}, "n": {"N": "1"}}}},
  {"ConditionCheck": {"TableName": "acc", "Key": {"id": {"S": "zz"}}, "ConditionExpression": "attribute_not_exists(id)"}}]');
SELECT item FROM dynamodb.acc ORDER BY item->>'id';
-- a ConditionCheck writes nothing
SELECT pg_temp.get('acc', '{"id": {"S": "zz"}}');
-- a transfer: conditional Update on the source, ADD on the destination, Delete elsewhere
SELECT pg_temp.tw('[{"Update": {"TableName": "acc", "Key": {"id": {"S": "a"}},
    "UpdateExpression": "SET bal = bal - :amt", "ConditionExpression": "bal >= :amt",
    "ExpressionAttributeValues": {":amt": {"N": "30"}}}},
  {"Update": {"TableName": "acc", "Key": {"id": {"S": "b"}}, "UpdateExpression": "ADD bal :amt",
    "ExpressionAttributeValues": {":amt": {"N": "30"}}}},
  {"Delete": {"TableName": "log", "Key": {"p": {"S": "x"}, "n": {"N": "1"}}, "ConditionExpression": "attribute_exists(p)"}}]');
SELECT item FROM dynamodb.acc ORDER BY item->>'id';
SELECT count(*) AS log_items FROM dynamodb.log;
-- Put replaces the whole item; an Update can create one
SELECT pg_temp.tw('[{"Put": {"TableName": "acc", "Item": {"id": {"S": "b"}, "bal": {"N": "35"}, "tag": {"S": "t"}}}},
  {"Update": {"TableName": "acc", "Key": {"id": {"S": "c"}}, "UpdateExpression": "SET bal = :z",
    "ExpressionAttributeValues": {":z": {"N": "0"}}}}]');
SELECT item FROM dynamodb.acc ORDER BY item->>'id';
-- ReturnConsumedCapacity: per table, twice the units of the larger item version
SELECT dynpg.transact_write_items('{"ReturnConsumedCapacity": "TOTAL", "TransactItems": [
  {"Put": {"TableName": "acc", "Item": {"id": {"S": "c"}, "bal": {"N": "0"}}}},
  {"Put": {"TableName": "log", "Item": {"p": {"S": "y"}, "n": {"N": "1"}}}},
  {"ConditionCheck": {"TableName": "acc", "Key": {"id": {"S": "a"}}, "ConditionExpression": "attribute_exists(id)"}}]}');
SELECT dynpg.transact_write_items('{"ReturnConsumedCapacity": "INDEXES", "ReturnItemCollectionMetrics": "SIZE",
  "TransactItems": [{"Put": {"TableName": "log", "Item": {"p": {"S": "y"}, "n": {"N": "2"}}}}]}');

-- ---------------------------------------------------------------------
-- CancellationReasons: every failed condition, in order, with ALL_OLD items
-- ---------------------------------------------------------------------
SELECT pg_temp.tw('[{"Put": {"TableName": "acc", "Item": {"id": {"S": "d"}}}},
  {"Update": {"TableName": "acc", "Key": {"id": {"S": "a"}}, "UpdateExpression": "SET bal = bal - :amt",
    "ConditionExpression": "bal >= :amt", "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    "ExpressionAttributeValues": {":amt": {"N": "1000"}}}},
  {"Put": {"TableName": "acc", "Item": {"id": {"S": "e"}}, "ConditionExpression": "attribute_exists(id)",
    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
  {"ConditionCheck": {"TableName": "acc", "Key": {"id": {"S": "b"}}, "ConditionExpression": "tag = :t",
    "ExpressionAttributeValues": {":t": {"S": "nope"}}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
  {"Delete": {"TableName": "acc", "Key": {"id": {"S": "c"}}, "ConditionExpression": "bal > :z",
    "ExpressionAttributeValues": {":z": {"N": "0"}}, "ReturnValuesOnConditionCheckFailure": "NONE"}},
  {"Delete": {"TableName": "log", "Key": {"p": {"S": "y"}, "n": {"N": "1"}}}}]');
-- nothing was written: d does not exist, a is unchanged, log y/1 is still there
SELECT item FROM dynamodb.acc ORDER BY item->>'id';
SELECT item FROM dynamodb.log ORDER BY item->>'n';
-- one action, one failure
SELECT pg_temp.tw('[{"Put": {"TableName": "acc", "Item": {"id": {"S": "a"}}, "ConditionExpression": "attribute_not_exists(id)"}}]');

-- ---------------------------------------------------------------------
-- ValidationError: the first invalid action only, the others None
-- ---------------------------------------------------------------------
SELECT pg_temp.tw('[{"Put": {"TableName": "acc", "Item": {"id": {"S": "f"}}, "ConditionExpression": "attribute_exists(id)"}},
  {"Put": {"TableName": "acc", "Item": {"id": {"N": "7"}}}},
  {"Put": {"TableName": "acc", "Item": {"id": {"N": "8"}}}}]');
SELECT pg_temp.tw('[{"Delete": {"TableName": "acc", "Key": {"id": {"S": "a"}, "x": {"S": "y"}}}}]');
SELECT pg_temp.tw('[{"Put": {"TableName": "log", "Item": {"p": {"S": "x"}}}}]');
SELECT pg_temp.tw('[{"Update": {"TableName": "acc", "Key": {"id": {"S": "a"}}, "UpdateExpression": "SET id = :v",
    "ExpressionAttributeValues": {":v": {"S": "z"}}}}]');
SELECT pg_temp.tw('[{"ConditionCheck": {"TableName": "log", "Key": {"p": {"S": "x"}}, "ConditionExpression": "attribute_exists(p)"}}]');
SELECT pg_temp.tw(('[{"Put": {"TableName": "acc", "Item": {"id": {"S": "g"}, "big": {"S": "' || repeat('x', 409600) || '"}}}}]')::jsonb);
-- an update making the item too large: ValidationError when it runs
SELECT pg_temp.tw(jsonb_build_array(jsonb_build_object('Put', jsonb_build_object('TableName', 'acc',
    'Item', jsonb_build_object('id', '{"S": "big"}'::jsonb, 'v', jsonb_build_object('S', repeat('x', 300000)))))));
SELECT pg_temp.tw(jsonb_build_array('{"ConditionCheck": {"TableName": "acc", "Key": {"id": {"S": "a"}}, "ConditionExpression": "attribute_exists(id)"}}'::jsonb,
  jsonb_build_object('Update', jsonb_build_object('TableName', 'acc', 'Key', '{"id": {"S": "big"}}'::jsonb,
    'UpdateExpression', 'SET w = :w', 'ExpressionAttributeValues',
    jsonb_build_object(':w', jsonb_build_object('S', repeat('y', 200000)))))));
SELECT item->>'id' AS id, length(item::text) > 300000 AS big FROM dynamodb.acc WHERE item->>'id' = 'big';
SELECT dynpg.delete_item('{"TableName": "acc", "Key": {"id": {"S": "big"}}}');

-- ---------------------------------------------------------------------
-- Request-level errors: one ValidationException (or other exception) for
-- the whole request
-- ---------------------------------------------------------------------
SELECT pg_temp.detail('TransactWriteItems', '{}');
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": []}');
SELECT pg_temp.api('TransactWriteItems', jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Put', jsonb_build_object('TableName', 'acc',
     'Item', jsonb_build_object('id', jsonb_build_object('S', 'k' || i))))) FROM generate_series(1, 101) i)));
-- 100 actions are fine
SELECT pg_temp.api('TransactWriteItems', jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Put', jsonb_build_object('TableName', 'log',
     'Item', jsonb_build_object('p', '{"S": "h"}'::jsonb, 'n', jsonb_build_object('N', i::text))))) FROM generate_series(1, 100) i)));
SELECT count(*) FROM dynamodb.log WHERE item->>'p' = 'h';
-- the 4 MB limit is on the request (50 items of about 100 KB)
SELECT pg_temp.api('TransactWriteItems', jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Put', jsonb_build_object('TableName', 'log',
     'Item', jsonb_build_object('p', '{"S": "big"}'::jsonb, 'n', jsonb_build_object('N', i::text),
                                'x', jsonb_build_object('S', repeat('x', 100000)))))) FROM generate_series(1, 50) i)));
-- ... 30 of them (3 MB) are fine, and deleting 5 MB of items takes a small request
SELECT pg_temp.api('TransactWriteItems', jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Put', jsonb_build_object('TableName', 'log',
     'Item', jsonb_build_object('p', '{"S": "big"}'::jsonb, 'n', jsonb_build_object('N', i::text),
                                'x', jsonb_build_object('S', repeat('x', 100000)))))) FROM generate_series(1, 30) i)));
SELECT pg_temp.api('TransactWriteItems', jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Delete', jsonb_build_object('TableName', 'log',
     'Key', jsonb_build_object('p', '{"S": "big"}'::jsonb, 'n', jsonb_build_object('N', i::text))))) FROM generate_series(1, 30) i)));
SELECT count(*) FROM dynamodb.log WHERE item->>'p' = 'big';
-- one operation per action
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "acc", "Item": {"id": {"S": "q"}}},
  "Delete": {"TableName": "acc", "Key": {"id": {"S": "a"}}}}]}');
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{}]}');
-- constraints, all at once
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"ConditionCheck": {"TableName": "acc", "Key": {"id": {"S": "a"}}}},
  {"Update": {"TableName": "a;", "Key": {"id": {"S": "a"}}}}, {"Put": {"TableName": "acc"}},
  {"Delete": {"TableName": "acc", "Key": {"id": {"S": "a"}}, "ReturnValuesOnConditionCheckFailure": "dog"}}],
  "ReturnConsumedCapacity": "ALL"}');
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"Update": {"TableName": "acc", "Key": {"id": {"S": "a"}},
  "UpdateExpression": "SET x = :one", "ConditionExpression": "bal = :one", "ExpressionAttributeValues": {":one": {"N": "1"}},
  "ReturnValuesOnConditionCheckFailure": "none"}}]}');
-- ClientRequestToken: 1 to 36 characters
SELECT pg_temp.api('TransactWriteItems', jsonb_build_object('ClientRequestToken', repeat('t', 37),
  'TransactItems', '[{"Put": {"TableName": "acc", "Item": {"id": {"S": "q"}}}}]'::jsonb));
SELECT pg_temp.api('TransactWriteItems', '{"ClientRequestToken": "", "TransactItems": [{"Put": {"TableName": "acc", "Item": {"id": {"S": "q"}}}}]}');
-- expressions: syntax, missing and unused names and values
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "acc", "Item": {"id": {"S": "q"}}, "ConditionExpression": "hello!"}}]}');
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "acc", "Item": {"id": {"S": "q"}}, "ConditionExpression": "attribute_exists(#xyz)"}}]}');
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "acc", "Item": {"id": {"S": "q"}}, "ConditionExpression": "id = :xyz"}}]}');
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "acc", "Item": {"id": {"S": "q"}}, "ConditionExpression": "attribute_exists(id)",
  "ExpressionAttributeNames": {"#xyz": "x"}}}]}');
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "acc", "Item": {"id": {"S": "q"}}, "ConditionExpression": "attribute_exists(id)",
  "ExpressionAttributeValues": {":xyz": {"N": "7"}}}}]}');
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "acc", "Item": {"id": {"S": "q"}}, "ConditionExpression": "attribute_exists(id)",
  "ExpressionAttributeNames": {"#xyz": 7}}}]}');
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"Update": {"TableName": "acc", "Key": {"id": {"S": "q"}}, "UpdateExpression": "SET"}}]}');
-- a missing table
SELECT pg_temp.detail('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "acc", "Item": {"id": {"S": "q"}}}},
  {"Put": {"TableName": "nosuch", "Item": {"id": {"S": "q"}}}}]}');
-- two actions on one item (numbers compare by value), also a ConditionCheck
SELECT pg_temp.detail('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "acc", "Item": {"id": {"S": "q"}}}},
  {"ConditionCheck": {"TableName": "acc", "Key": {"id": {"S": "q"}}, "ConditionExpression": "attribute_not_exists(id)"}}]}');
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "log", "Item": {"p": {"S": "q"}, "n": {"N": "1e3"}}}},
  {"Delete": {"TableName": "log", "Key": {"p": {"S": "q"}, "n": {"N": "1000"}}}}]}');
-- the same key in two tables is two items
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "acc", "Item": {"id": {"S": "q"}}}},
  {"Put": {"TableName": "log", "Item": {"p": {"S": "q"}, "n": {"N": "1"}}}}]}');

-- ---------------------------------------------------------------------
-- ClientRequestToken: a replay does nothing; another request with the
-- token fails; tokens are stored in dynpg.transaction_tokens
-- ---------------------------------------------------------------------
SELECT dynpg.put_item('{"TableName": "acc", "Item": {"id": {"S": "ctr"}, "v": {"N": "0"}}}');
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"Update": {"TableName": "acc", "Key": {"id": {"S": "ctr"}},
  "UpdateExpression": "ADD v :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}') AS no_token;
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"Update": {"TableName": "acc", "Key": {"id": {"S": "ctr"}},
  "UpdateExpression": "ADD v :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}') AS no_token;
SELECT pg_temp.get('acc', '{"id": {"S": "ctr"}}');
SELECT pg_temp.api('TransactWriteItems', '{"ClientRequestToken": "tok-1", "TransactItems": [{"Update": {"TableName": "acc", "Key": {"id": {"S": "ctr"}},
  "UpdateExpression": "ADD v :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}') AS first;
SELECT pg_temp.api('TransactWriteItems', '{"ClientRequestToken": "tok-1", "TransactItems": [{"Update": {"TableName": "acc", "Key": {"id": {"S": "ctr"}},
  "UpdateExpression": "ADD v :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}') AS replay;
-- member order and spacing do not matter (jsonb is canonical)
SELECT pg_temp.api('TransactWriteItems', '{"TransactItems": [{"Update": {"UpdateExpression": "ADD v :one", "Key": {"id": {"S": "ctr"}},
  "TableName": "acc", "ExpressionAttributeValues": {":one": {"N": "1"}}}}],   "ClientRequestToken": "tok-1"}') AS replay;
SELECT pg_temp.get('acc', '{"id": {"S": "ctr"}}');
SELECT pg_temp.detail('TransactWriteItems', '{"ClientRequestToken": "tok-1", "TransactItems": [{"Update": {"TableName": "acc", "Key": {"id": {"S": "ctr"}},
  "UpdateExpression": "ADD v :one", "ExpressionAttributeValues": {":one": {"N": "2"}}}}]}') AS mismatch;
-- a cancelled request leaves no token: its retry runs
SELECT pg_temp.api('TransactWriteItems', '{"ClientRequestToken": "tok-2", "TransactItems": [{"Update": {"TableName": "acc", "Key": {"id": {"S": "ctr"}},
  "UpdateExpression": "ADD v :one", "ConditionExpression": "v = :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}') AS cancelled;
SELECT pg_temp.api('TransactWriteItems', '{"ClientRequestToken": "tok-2", "TransactItems": [{"Update": {"TableName": "acc", "Key": {"id": {"S": "ctr"}},
  "UpdateExpression": "ADD v :one", "ConditionExpression": "v = :three", "ExpressionAttributeValues": {":one": {"N": "1"}, ":three": {"N": "3"}}}}]}') AS other_request;
SELECT pg_temp.get('acc', '{"id": {"S": "ctr"}}');
SELECT token, length(request_hash) AS hash_bytes FROM dynpg.transaction_tokens ORDER BY token;
-- 36 characters; an expired token is a new request (and is pruned)
SELECT pg_temp.api('TransactWriteItems', jsonb_build_object('ClientRequestToken', repeat('t', 36),
  'TransactItems', '[{"Put": {"TableName": "acc", "Item": {"id": {"S": "q"}}}}]'::jsonb));
UPDATE dynpg.transaction_tokens SET created = created - interval '11 minutes' WHERE token = 'tok-1';
SELECT pg_temp.api('TransactWriteItems', '{"ClientRequestToken": "tok-1", "TransactItems": [{"Update": {"TableName": "acc", "Key": {"id": {"S": "ctr"}},
  "UpdateExpression": "ADD v :one", "ExpressionAttributeValues": {":one": {"N": "2"}}}}]}') AS expired;
SELECT pg_temp.get('acc', '{"id": {"S": "ctr"}}');
SELECT count(*) AS tokens FROM dynpg.transaction_tokens;
-- tokens are per role: another role's tok-2 is its own; and only dynpg
-- reads the table
CREATE ROLE tx_other;
GRANT SELECT, INSERT, UPDATE ON dynamodb.acc TO tx_other;
SET ROLE tx_other;
SELECT dynpg.transact_write_items('{"ClientRequestToken": "tok-2", "TransactItems": [{"Update": {"TableName": "acc", "Key": {"id": {"S": "ctr"}},
  "UpdateExpression": "ADD v :one", "ExpressionAttributeValues": {":one": {"N": "10"}}}}]}') AS other_roles_tok_2;
SELECT dynpg.transact_write_items('{"ClientRequestToken": "tok-2", "TransactItems": [{"Update": {"TableName": "acc", "Key": {"id": {"S": "ctr"}},
  "UpdateExpression": "ADD v :one", "ExpressionAttributeValues": {":one": {"N": "10"}}}}]}') AS its_replay;
SELECT count(*) FROM dynpg.transaction_tokens;
RESET ROLE;
SELECT pg_temp.get('acc', '{"id": {"S": "ctr"}}');
SELECT role::regrole AS role, token FROM dynpg.transaction_tokens WHERE token = 'tok-2' ORDER BY 1;
REVOKE ALL ON dynamodb.acc FROM tx_other;
DELETE FROM dynpg.transaction_tokens WHERE role = 'tx_other'::regrole;
DROP ROLE tx_other;

-- ---------------------------------------------------------------------
-- TransactGetItems
-- ---------------------------------------------------------------------
SELECT dynpg.transact_get_items('{"TransactItems": [
  {"Get": {"TableName": "acc", "Key": {"id": {"S": "a"}}}},
  {"Get": {"TableName": "acc", "Key": {"id": {"S": "missing"}}}},
  {"Get": {"TableName": "log", "Key": {"p": {"S": "y"}, "n": {"N": "1"}}}},
  {"Get": {"TableName": "acc", "Key": {"id": {"S": "b"}}, "ProjectionExpression": "#b, tag", "ExpressionAttributeNames": {"#b": "bal"}}}]}');
SELECT dynpg.execute('TransactGetItems', '{"ReturnConsumedCapacity": "TOTAL", "TransactItems": [
  {"Get": {"TableName": "acc", "Key": {"id": {"S": "a"}}}}, {"Get": {"TableName": "acc", "Key": {"id": {"S": "nope"}}}}]}');
SELECT pg_temp.api('TransactGetItems', '{"TransactItems": []}');
SELECT pg_temp.api('TransactGetItems', jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Get', jsonb_build_object('TableName', 'acc',
     'Key', jsonb_build_object('id', jsonb_build_object('S', 'k' || i))))) FROM generate_series(1, 101) i)));
SELECT jsonb_array_length(dynpg.transact_get_items(jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Get', jsonb_build_object('TableName', 'log',
     'Key', jsonb_build_object('p', '{"S": "h"}'::jsonb, 'n', jsonb_build_object('N', i::text))))) FROM generate_series(1, 100) i))) -> 'Responses') AS responses;
SELECT pg_temp.api('TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "acc", "Key": {"id": {"S": "a"}},
  "ProjectionExpression": "#xx, #zz", "ExpressionAttributeNames": {"#xx": "x", "#zz": "z", "#qq": "q"}}}]}');
SELECT pg_temp.api('TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "acc", "Key": {"id": {"S": "a"}},
  "ProjectionExpression": "#xx, #zz", "ExpressionAttributeNames": {"#xx": "x"}}}]}');
SELECT pg_temp.api('TransactGetItems', '{"TransactItems": [{"Put": {"TableName": "acc", "Item": {"id": {"S": "a"}}}}]}');
SELECT pg_temp.detail('TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "acc", "Key": {"id": {"S": "a"}}}},
  {"Get": {"TableName": "acc", "Key": {"id": {"N": "1"}}}}]}');
SELECT pg_temp.api('TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "nosuch", "Key": {"id": {"S": "a"}}}}]}');
-- two Gets of one item are refused, as two writes of one item are (numbers
-- compared normalized); one key in two tables is two items
SELECT pg_temp.api('TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "acc", "Key": {"id": {"S": "a"}}}},
  {"Get": {"TableName": "acc", "Key": {"id": {"S": "b"}}}}, {"Get": {"TableName": "acc", "Key": {"id": {"S": "a"}}, "ProjectionExpression": "bal"}}]}');
SELECT pg_temp.api('TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "log", "Key": {"p": {"S": "y"}, "n": {"N": "1"}}}},
  {"Get": {"TableName": "log", "Key": {"p": {"S": "y"}, "n": {"N": "1.00"}}}}]}');
SELECT jsonb_array_length(dynpg.transact_get_items('{"TransactItems": [{"Get": {"TableName": "log", "Key": {"p": {"S": "y"}, "n": {"N": "1"}}}},
  {"Get": {"TableName": "log", "Key": {"p": {"S": "y"}, "n": {"N": "2"}}}}, {"Get": {"TableName": "log", "Key": {"p": {"S": "z"}, "n": {"N": "1"}}}}]}') -> 'Responses') AS three_items;

-- ---------------------------------------------------------------------
-- Secondary indexes are maintained by transactions (LSI at once, GSI
-- through the change log)
-- ---------------------------------------------------------------------
SELECT dynpg.create_table('{"TableName": "chat", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "chat_id", "KeyType": "HASH"}, {"AttributeName": "message_id", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "chat_id", "AttributeType": "S"}, {"AttributeName": "message_id", "AttributeType": "N"},
                           {"AttributeName": "user_id", "AttributeType": "S"}, {"AttributeName": "num_attachments", "AttributeType": "N"}],
  "LocalSecondaryIndexes": [{"IndexName": "by_attachments",
     "KeySchema": [{"AttributeName": "chat_id", "KeyType": "HASH"}, {"AttributeName": "num_attachments", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "KEYS_ONLY"}}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_user",
     "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}, {"AttributeName": "message_id", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "ALL"}}]}') IS NOT NULL AS chat;
SELECT pg_temp.tw('[{"Put": {"TableName": "chat", "Item": {"chat_id": {"S": "c1"}, "message_id": {"N": "1"}, "user_id": {"S": "ann"}, "num_attachments": {"N": "2"}}}},
  {"Put": {"TableName": "chat", "Item": {"chat_id": {"S": "c1"}, "message_id": {"N": "2"}, "user_id": {"S": "bob"}, "num_attachments": {"N": "1"}}}},
  {"Update": {"TableName": "acc", "Key": {"id": {"S": "ctr"}}, "UpdateExpression": "ADD v :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}]');
SELECT pg_temp.apply();
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_attachments", "KeyConditionExpression": "chat_id = :c",
  "ExpressionAttributeValues": {":c": {"S": "c1"}}}');
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_user", "KeyConditionExpression": "user_id = :u",
  "ExpressionAttributeValues": {":u": {"S": "ann"}}}');
-- move message 2 to ann with 5 attachments, delete message 1
SELECT pg_temp.tw('[{"Update": {"TableName": "chat", "Key": {"chat_id": {"S": "c1"}, "message_id": {"N": "2"}},
    "UpdateExpression": "SET user_id = :u, num_attachments = :n", "ExpressionAttributeValues": {":u": {"S": "ann"}, ":n": {"N": "5"}}}},
  {"Delete": {"TableName": "chat", "Key": {"chat_id": {"S": "c1"}, "message_id": {"N": "1"}}}}]');
SELECT pg_temp.apply();
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_attachments", "KeyConditionExpression": "chat_id = :c",
  "ExpressionAttributeValues": {":c": {"S": "c1"}}}');
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_user", "KeyConditionExpression": "user_id = :u",
  "ExpressionAttributeValues": {":u": {"S": "ann"}}}');
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_user", "KeyConditionExpression": "user_id = :u",
  "ExpressionAttributeValues": {":u": {"S": "bob"}}}');
-- a cancelled transaction leaves the indexes alone; an index key of the wrong type is a ValidationError
SELECT pg_temp.tw('[{"Put": {"TableName": "chat", "Item": {"chat_id": {"S": "c1"}, "message_id": {"N": "3"}, "user_id": {"S": "cid"}}}},
  {"ConditionCheck": {"TableName": "acc", "Key": {"id": {"S": "nobody"}}, "ConditionExpression": "attribute_exists(id)"}}]');
SELECT pg_temp.tw('[{"Put": {"TableName": "chat", "Item": {"chat_id": {"S": "c1"}, "message_id": {"N": "3"}, "user_id": {"N": "1"}}}}]');
SELECT pg_temp.apply();
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_user", "KeyConditionExpression": "user_id = :u",
  "ExpressionAttributeValues": {":u": {"S": "cid"}}}');
-- (the whole report when it is not ok, so that a failure says what broke)
SELECT CASE WHEN v ->> 'ok' = 'true' THEN 'true' ELSE v::text END AS chat_ok FROM dynpg.verify('chat') v;

-- ---------------------------------------------------------------------
-- Beyond DynamoDB: calls in one PostgreSQL transaction commit or roll
-- back together, across tables, with no 100-item limit
-- ---------------------------------------------------------------------
BEGIN;
SELECT dynpg.put_item('{"TableName": "acc", "Item": {"id": {"S": "r1"}}}');
SELECT dynpg.transact_write_items('{"TransactItems": [{"Put": {"TableName": "log", "Item": {"p": {"S": "r"}, "n": {"N": "1"}}}}]}');
SELECT dynpg.transact_write_items(jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Put', jsonb_build_object('TableName', 'log',
     'Item', jsonb_build_object('p', '{"S": "r"}'::jsonb, 'n', jsonb_build_object('N', i::text))))) FROM generate_series(2, 100) i)));
SELECT count(*) FROM dynamodb.log WHERE item->>'p' = 'r';
ROLLBACK;
SELECT pg_temp.get('acc', '{"id": {"S": "r1"}}') AS after_rollback, (SELECT count(*) FROM dynamodb.log WHERE item->>'p' = 'r') AS log_r;
BEGIN;
SELECT dynpg.put_item('{"TableName": "acc", "Item": {"id": {"S": "r1"}}}');
SELECT dynpg.transact_write_items(jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Put', jsonb_build_object('TableName', 'log',
     'Item', jsonb_build_object('p', '{"S": "r"}'::jsonb, 'n', jsonb_build_object('N', i::text))))) FROM generate_series(1, 100) i)));
SELECT dynpg.transact_write_items(jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Put', jsonb_build_object('TableName', 'log',
     'Item', jsonb_build_object('p', '{"S": "r"}'::jsonb, 'n', jsonb_build_object('N', i::text))))) FROM generate_series(101, 150) i)));
-- a later call sees the earlier ones
SELECT dynpg.transact_get_items('{"TransactItems": [{"Get": {"TableName": "acc", "Key": {"id": {"S": "r1"}}}},
  {"Get": {"TableName": "log", "Key": {"p": {"S": "r"}, "n": {"N": "150"}}}}]}');
COMMIT;
SELECT pg_temp.get('acc', '{"id": {"S": "r1"}}') AS after_commit, (SELECT count(*) FROM dynamodb.log WHERE item->>'p' = 'r') AS log_r;
-- a cancelled TransactWriteItems inside a savepoint: the transaction goes on
BEGIN;
SELECT dynpg.put_item('{"TableName": "acc", "Item": {"id": {"S": "s1"}}}');
SAVEPOINT s;
SELECT dynpg.transact_write_items('{"TransactItems": [{"Put": {"TableName": "acc", "Item": {"id": {"S": "s2"}}}},
  {"Put": {"TableName": "acc", "Item": {"id": {"S": "s1"}}, "ConditionExpression": "attribute_not_exists(id)"}}]}');
ROLLBACK TO SAVEPOINT s;
SELECT dynpg.transact_write_items('{"TransactItems": [{"Put": {"TableName": "acc", "Item": {"id": {"S": "s3"}}}}]}');
COMMIT;
SELECT item->>'id' AS id FROM dynamodb.acc WHERE item->>'id' LIKE 's%' ORDER BY 1;
SELECT dynpg.verify('acc') ->> 'ok' AS acc_ok, dynpg.verify('log') ->> 'ok' AS log_ok;
