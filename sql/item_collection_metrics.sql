-- Writes' ReturnConsumedCapacity INDEXES (the table's units, each index's,
-- their sum) and ReturnItemCollectionMetrics SIZE with the 10 GB item
-- collection limit (src/api/README, "Write capacity" and "Item
-- collections"), for PutItem, UpdateItem, DeleteItem, BatchWriteItem and
-- TransactWriteItems.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;

\i sql/include/item_helpers.sql
-- a response's ConsumedCapacity and ItemCollectionMetrics only (or the error)
CREATE FUNCTION pg_temp.w(op text, req jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
BEGIN
	r := dynpg.execute(op, req);
	RETURN jsonb_strip_nulls(jsonb_build_object('ConsumedCapacity', r -> 'ConsumedCapacity',
		'ItemCollectionMetrics', r -> 'ItemCollectionMetrics'))::text;
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- icm: an LSI projecting x, a KEYS_ONLY GSI on g; nolsi: a GSI only; bare: no index
SELECT dynpg.create_table('{"TableName": "icm", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "S"},
    {"AttributeName": "l", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "by_l", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
    {"AttributeName": "l", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"}}]}') IS NOT NULL AS created;
SELECT dynpg.create_table('{"TableName": "nolsi", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"}}]}') IS NOT NULL AS created;
SELECT dynpg.create_table('{"TableName": "bare", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}]}') IS NOT NULL AS created;

-- ---------------------------------------------------------------------
-- ConsumedCapacity INDEXES on writes: an index entry put or deleted costs
-- its projected size in 1 KB units; an entry whose key changes, a delete and
-- a put; an entry that stays with another projection, one write; unchanged, none
-- ---------------------------------------------------------------------
-- a new item in both indexes: table 1, LSI 1, GSI 1
SELECT pg_temp.w('PutItem', '{"TableName": "icm", "ReturnConsumedCapacity": "INDEXES",
  "Item": {"p": {"S": "a"}, "s": {"S": "1"}, "l": {"S": "l1"}, "g": {"S": "g1"}, "x": {"N": "1"}, "z": {"N": "1"}}}') AS new_item;
-- only z (projected by neither index) changes: the table alone
SELECT pg_temp.w('PutItem', '{"TableName": "icm", "ReturnConsumedCapacity": "INDEXES",
  "Item": {"p": {"S": "a"}, "s": {"S": "1"}, "l": {"S": "l1"}, "g": {"S": "g1"}, "x": {"N": "1"}, "z": {"N": "2"}}}') AS unprojected_change;
-- x (projected by the LSI) changes: the LSI entry is rewritten in place
SELECT pg_temp.w('UpdateItem', '{"TableName": "icm", "ReturnConsumedCapacity": "INDEXES",
  "Key": {"p": {"S": "a"}, "s": {"S": "1"}}, "UpdateExpression": "SET x = :v", "ExpressionAttributeValues": {":v": {"N": "2"}}}') AS projected_change;
-- the LSI key changes: a delete and a put
SELECT pg_temp.w('UpdateItem', '{"TableName": "icm", "ReturnConsumedCapacity": "INDEXES",
  "Key": {"p": {"S": "a"}, "s": {"S": "1"}}, "UpdateExpression": "SET l = :v", "ExpressionAttributeValues": {":v": {"S": "l2"}}}') AS lsi_key_change;
-- the GSI key changes: a delete and a put; then it goes: a delete
SELECT pg_temp.w('UpdateItem', '{"TableName": "icm", "ReturnConsumedCapacity": "INDEXES",
  "Key": {"p": {"S": "a"}, "s": {"S": "1"}}, "UpdateExpression": "SET g = :v", "ExpressionAttributeValues": {":v": {"S": "g2"}}}') AS gsi_key_change;
SELECT pg_temp.w('UpdateItem', '{"TableName": "icm", "ReturnConsumedCapacity": "INDEXES",
  "Key": {"p": {"S": "a"}, "s": {"S": "1"}}, "UpdateExpression": "REMOVE g"}') AS gsi_key_removed;
-- an update that changes nothing costs the table alone
SELECT pg_temp.w('UpdateItem', '{"TableName": "icm", "ReturnConsumedCapacity": "INDEXES",
  "Key": {"p": {"S": "a"}, "s": {"S": "1"}}, "UpdateExpression": "SET z = :v", "ExpressionAttributeValues": {":v": {"N": "2"}}}') AS no_change;
-- TOTAL: the same sum, without the breakdown
SELECT pg_temp.w('UpdateItem', '{"TableName": "icm", "ReturnConsumedCapacity": "TOTAL",
  "Key": {"p": {"S": "a"}, "s": {"S": "1"}}, "UpdateExpression": "SET l = :v, g = :w",
  "ExpressionAttributeValues": {":v": {"S": "l3"}, ":w": {"S": "g3"}}}') AS total;
-- sizes: a 3000-byte x makes the LSI entry 3 units (its projection: keys, l and x), the item 4;
-- the KEYS_ONLY GSI entry stays 1
SELECT pg_temp.w('PutItem', jsonb_build_object('TableName', 'icm', 'ReturnConsumedCapacity', 'INDEXES',
  'Item', jsonb_build_object('p', '{"S": "a"}'::jsonb, 's', '{"S": "2"}'::jsonb, 'l', '{"S": "l"}'::jsonb,
    'g', '{"S": "g"}'::jsonb, 'x', jsonb_build_object('S', repeat('x', 3000)), 'y', jsonb_build_object('S', repeat('y', 1000))))) AS large;
SELECT dynpg.item_size(dynpg.from_plain_json(jsonb_build_object('p', 'a', 's', '2', 'l', 'l', 'x', repeat('x', 3000)))) AS lsi_entry_bytes,
       dynpg.item_size(dynpg.from_plain_json(jsonb_build_object('p', 'a', 's', '2', 'l', 'l', 'g', 'g', 'x', repeat('x', 3000), 'y', repeat('y', 1000)))) AS item_bytes;
-- deletes: the entries it had; a missing item costs the table's one unit
SELECT pg_temp.w('DeleteItem', '{"TableName": "icm", "ReturnConsumedCapacity": "INDEXES",
  "Key": {"p": {"S": "a"}, "s": {"S": "2"}}}') AS delete_large;
SELECT pg_temp.w('DeleteItem', '{"TableName": "icm", "ReturnConsumedCapacity": "INDEXES",
  "Key": {"p": {"S": "a"}, "s": {"S": "nothing"}}}') AS delete_missing;
-- a table without indexes: the Table share alone
SELECT pg_temp.w('PutItem', '{"TableName": "bare", "ReturnConsumedCapacity": "INDEXES", "Item": {"p": {"S": "a"}}}') AS bare;
-- BatchWriteItem: per table, its writes summed
SELECT pg_temp.w('BatchWriteItem', '{"ReturnConsumedCapacity": "INDEXES", "RequestItems": {
  "icm": [{"PutRequest": {"Item": {"p": {"S": "b"}, "s": {"S": "1"}, "l": {"S": "l"}, "g": {"S": "g"}}}},
          {"PutRequest": {"Item": {"p": {"S": "b"}, "s": {"S": "2"}, "l": {"S": "l"}}}},
          {"DeleteRequest": {"Key": {"p": {"S": "a"}, "s": {"S": "1"}}}}],
  "nolsi": [{"PutRequest": {"Item": {"p": {"S": "b"}, "g": {"S": "g"}}}}],
  "bare": [{"DeleteRequest": {"Key": {"p": {"S": "a"}}}}]}}') AS batch;
-- TransactWriteItems: twice the units, each also as WriteCapacityUnits; a ConditionCheck costs the table one unit
SELECT pg_temp.w('TransactWriteItems', '{"ReturnConsumedCapacity": "INDEXES", "TransactItems": [
  {"Put": {"TableName": "icm", "Item": {"p": {"S": "c"}, "s": {"S": "1"}, "l": {"S": "l"}, "g": {"S": "g"}}}},
  {"Update": {"TableName": "icm", "Key": {"p": {"S": "b"}, "s": {"S": "1"}}, "UpdateExpression": "SET g = :g",
    "ExpressionAttributeValues": {":g": {"S": "h"}}}},
  {"ConditionCheck": {"TableName": "bare", "Key": {"p": {"S": "zz"}}, "ConditionExpression": "attribute_not_exists(p)"}}]}') AS transaction;
SELECT pg_temp.w('TransactWriteItems', '{"ReturnConsumedCapacity": "TOTAL", "TransactItems": [
  {"Delete": {"TableName": "icm", "Key": {"p": {"S": "c"}, "s": {"S": "1"}}}}]}') AS transaction_total;

-- ---------------------------------------------------------------------
-- ItemCollectionMetrics: tables with LSIs only
-- ---------------------------------------------------------------------
SELECT pg_temp.w('PutItem', '{"TableName": "icm", "ReturnItemCollectionMetrics": "SIZE",
  "Item": {"p": {"S": "m"}, "s": {"S": "1"}, "l": {"S": "l"}}}') AS put_metrics;
SELECT pg_temp.w('UpdateItem', '{"TableName": "icm", "ReturnItemCollectionMetrics": "SIZE",
  "Key": {"p": {"S": "m"}, "s": {"S": "2"}}, "UpdateExpression": "SET l = :v", "ExpressionAttributeValues": {":v": {"S": "l"}}}') AS update_metrics;
SELECT pg_temp.w('DeleteItem', '{"TableName": "icm", "ReturnItemCollectionMetrics": "SIZE",
  "Key": {"p": {"S": "m"}, "s": {"S": "none"}}}') AS delete_missing_metrics;
SELECT pg_temp.w('PutItem', '{"TableName": "icm", "ReturnItemCollectionMetrics": "NONE",
  "Item": {"p": {"S": "m"}, "s": {"S": "3"}}}') AS none_asked;
SELECT pg_temp.w('PutItem', '{"TableName": "nolsi", "ReturnItemCollectionMetrics": "SIZE",
  "Item": {"p": {"S": "m"}, "g": {"S": "g"}}}') AS no_lsi;
SELECT pg_temp.w('BatchWriteItem', '{"ReturnItemCollectionMetrics": "SIZE", "RequestItems": {
  "icm": [{"PutRequest": {"Item": {"p": {"S": "n"}, "s": {"S": "1"}}}},
          {"DeleteRequest": {"Key": {"p": {"S": "m"}, "s": {"S": "1"}}}}],
  "bare": [{"PutRequest": {"Item": {"p": {"S": "n"}}}}]}}') AS batch_metrics;
SELECT pg_temp.w('BatchWriteItem', '{"ReturnItemCollectionMetrics": "SIZE", "RequestItems": {
  "bare": [{"PutRequest": {"Item": {"p": {"S": "n"}}}}]}}') AS batch_no_lsi;
SELECT pg_temp.w('TransactWriteItems', '{"ReturnItemCollectionMetrics": "SIZE", "TransactItems": [
  {"Put": {"TableName": "icm", "Item": {"p": {"S": "t"}, "s": {"S": "1"}}}},
  {"ConditionCheck": {"TableName": "icm", "Key": {"p": {"S": "n"}, "s": {"S": "1"}}, "ConditionExpression": "attribute_exists(p)"}},
  {"Delete": {"TableName": "icm", "Key": {"p": {"S": "m"}, "s": {"S": "2"}}}},
  {"Put": {"TableName": "bare", "Item": {"p": {"S": "t"}}}}]}') AS transaction_metrics;

-- ---------------------------------------------------------------------
-- The item collection limit (10 GB; here 2 kB, the testing setting): the
-- partition's items and their LSI entries, counted as DynamoDB sizes them
-- ---------------------------------------------------------------------
SET dynpg.debug_item_collection_limit_kb = 2;
-- partition q: an item of 1007 bytes, and its LSI entry (the same attributes): 2014 bytes
SELECT dynpg.item_size(dynpg.from_plain_json(jsonb_build_object('p', 'q', 's', '1', 'l', 'l', 'x', repeat('x', 1000)))) AS item_and_entry_bytes;
SELECT pg_temp.w('PutItem', jsonb_build_object('TableName', 'icm', 'ReturnItemCollectionMetrics', 'SIZE',
  'Item', jsonb_build_object('p', '{"S": "q"}'::jsonb, 's', '{"S": "1"}'::jsonb, 'l', '{"S": "l"}'::jsonb,
    'x', jsonb_build_object('S', repeat('x', 1000))))) AS under_limit;
-- a 30-byte item makes 2044 bytes, within 2048; 5 bytes more of w make 2049, over
SELECT pg_temp.w('PutItem', jsonb_build_object('TableName', 'icm',
  'Item', jsonb_build_object('p', '{"S": "q"}'::jsonb, 's', '{"S": "2"}'::jsonb, 'w', jsonb_build_object('S', repeat('w', 25))))) AS fits,
  dynpg.item_size(dynpg.from_plain_json(jsonb_build_object('p', 'q', 's', '2', 'w', repeat('w', 25)))) AS its_bytes;
SELECT pg_temp.w('UpdateItem', '{"TableName": "icm", "Key": {"p": {"S": "q"}, "s": {"S": "2"}}, "UpdateExpression": "SET w = :v",
  "ExpressionAttributeValues": {":v": {"S": "wwwwwwwwwwwwwwwwwwwwwwwwwwwwww"}}}') AS one_byte_over;
-- a 4-byte item makes exactly 2048: within; the next one is over
SELECT pg_temp.w('PutItem', '{"TableName": "icm", "Item": {"p": {"S": "q"}, "s": {"S": "3"}}}') AS exactly_the_limit;
SELECT pg_temp.detail('PutItem', '{"TableName": "icm", "Item": {"p": {"S": "q"}, "s": {"S": "4"}}}') AS new_item_over;
-- a write that shrinks the collection is allowed; other partitions are not concerned
SELECT pg_temp.w('UpdateItem', '{"TableName": "icm", "Key": {"p": {"S": "q"}, "s": {"S": "2"}}, "UpdateExpression": "REMOVE w"}') AS shrink;
SELECT pg_temp.w('PutItem', '{"TableName": "icm", "Item": {"p": {"S": "r"}, "s": {"S": "1"}}}') AS other_partition;
-- in a batch the whole call fails; in a transaction, the action's cancellation reason
SELECT pg_temp.w('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('icm', jsonb_build_array(
  jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object('p', '{"S": "s"}'::jsonb, 's', '{"S": "1"}'::jsonb))),
  jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object('p', '{"S": "q"}'::jsonb, 's', '{"S": "9"}'::jsonb,
    'big', jsonb_build_object('S', repeat('b', 100))))))))) AS batch_over;
SELECT pg_temp.api('GetItem', '{"TableName": "icm", "Key": {"p": {"S": "s"}, "s": {"S": "1"}}}') AS batch_wrote_nothing;
SELECT pg_temp.detail('TransactWriteItems', '{"TransactItems": [
  {"Put": {"TableName": "icm", "Item": {"p": {"S": "u"}, "s": {"S": "1"}}}},
  {"Put": {"TableName": "icm", "Item": {"p": {"S": "q"}, "s": {"S": "9"}, "z": {"S": "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"}}}}]}') AS transaction_over;
-- a batch's earlier writes count toward a later write's collection: 1025 bytes each, 2050 together
SELECT dynpg.item_size(dynpg.from_plain_json(jsonb_build_object('p', 'v', 's', '1', 'x', repeat('x', 1020)))) AS each_bytes;
SELECT pg_temp.w('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('icm', jsonb_build_array(
  jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object('p', '{"S": "v"}'::jsonb, 's', '{"S": "1"}'::jsonb,
    'x', jsonb_build_object('S', repeat('x', 1020))))),
  jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object('p', '{"S": "v"}'::jsonb, 's', '{"S": "2"}'::jsonb,
    'x', jsonb_build_object('S', repeat('x', 1020))))))))) AS batch_accumulates;
SELECT pg_temp.w('PutItem', jsonb_build_object('TableName', 'icm', 'Item', jsonb_build_object('p', '{"S": "v"}'::jsonb,
  's', '{"S": "1"}'::jsonb, 'x', jsonb_build_object('S', repeat('x', 1020))))) AS one_alone;
RESET dynpg.debug_item_collection_limit_kb;
SELECT dynpg.verify('icm') ->> 'ok' AS verify_ok;
