-- Batches: BatchGetItem and BatchWriteItem (through dynpg.execute and their
-- own functions): limits and messages in DynamoDB's order, duplicates (with
-- and without number normalization), nothing written when one entry is
-- bad, UnprocessedKeys/UnprocessedItems, the 16 MB response cap,
-- ConsumedCapacity, secondary indexes kept by a batch, privileges and the
-- caller's transaction.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;

\i sql/include/item_helpers.sql
-- n PutRequests (or DeleteRequests) for table t, keys k<from>..k<from+n-1>
CREATE FUNCTION pg_temp.puts(n int, from_ int DEFAULT 1) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item',
		jsonb_build_object('k', jsonb_build_object('S', 'k' || i), 'v', jsonb_build_object('N', i::text))))
		ORDER BY i)
	  FROM generate_series(from_, from_ + n - 1) i $$;
CREATE FUNCTION pg_temp.deletes(n int, from_ int DEFAULT 1) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_agg(jsonb_build_object('DeleteRequest', jsonb_build_object('Key',
		jsonb_build_object('k', jsonb_build_object('S', 'k' || i)))) ORDER BY i)
	  FROM generate_series(from_, from_ + n - 1) i $$;
CREATE FUNCTION pg_temp.keys(n int, from_ int DEFAULT 1) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_agg(jsonb_build_object('k', jsonb_build_object('S', 'k' || i)) ORDER BY i)
	  FROM generate_series(from_, from_ + n - 1) i $$;
CREATE FUNCTION pg_temp.count(t text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE c bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM dynamodb.%I', t) INTO c;
	RETURN c;
END $$;

SELECT dynpg.create_table('{"TableName": "bw1", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}') IS NOT NULL AS bw1;
SELECT dynpg.create_table('{"TableName": "bw2", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "N"}]}') IS NOT NULL AS bw2;
SELECT dynpg.create_table('{"TableName": "numk", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "n", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "n", "AttributeType": "N"}]}') IS NOT NULL AS numk;

--
-- BatchWriteItem: puts and deletes across tables
--
SELECT dynpg.batch_write_item(jsonb_build_object('RequestItems', jsonb_build_object('bw1', pg_temp.puts(3))));
SELECT dynpg.execute('BatchWriteItem', '{"RequestItems": {
  "bw1": [{"DeleteRequest": {"Key": {"k": {"S": "k1"}}}}, {"PutRequest": {"Item": {"k": {"S": "k9"}, "x": {"BOOL": true}}}}],
  "bw2": [{"PutRequest": {"Item": {"p": {"S": "a"}, "s": {"N": "1"}, "t": {"S": "one"}}}},
          {"PutRequest": {"Item": {"p": {"S": "a"}, "s": {"N": "2"}}}},
          {"PutRequest": {"Item": {"p": {"S": "b"}, "s": {"N": "1"}}}}]}}');
SELECT item FROM dynamodb.bw1 ORDER BY item ->> 'k';
SELECT item FROM dynamodb.bw2 ORDER BY item ->> 'p', (item ->> 's')::numeric;
-- a PutRequest replaces the whole item, as PutItem does
SELECT dynpg.batch_write_item('{"RequestItems": {"bw2": [{"PutRequest": {"Item": {"p": {"S": "a"}, "s": {"N": "1"}, "u": {"N": "7"}}}}]}}');
SELECT item FROM dynamodb.bw2 WHERE item ->> 'p' = 'a' AND item ->> 's' = '1';
-- deleting an item that is not there is not an error
SELECT dynpg.batch_write_item('{"RequestItems": {"bw1": [{"DeleteRequest": {"Key": {"k": {"S": "nope"}}}}]}}');
-- the same key in two tables is not a duplicate
SELECT dynpg.batch_write_item('{"RequestItems": {"bw1": [{"PutRequest": {"Item": {"k": {"S": "same"}}}}],
  "numk": [{"PutRequest": {"Item": {"n": {"N": "5"}}}}]}}');

-- ConsumedCapacity: one entry per table, write units of the larger of old and new item
SELECT dynpg.batch_write_item(jsonb_build_object('ReturnConsumedCapacity', 'TOTAL', 'RequestItems', jsonb_build_object(
  'bw1', jsonb_build_array(jsonb_build_object('PutRequest', jsonb_build_object('Item',
         jsonb_build_object('k', jsonb_build_object('S', 'big'), 'b', jsonb_build_object('S', repeat('x', 1500))))),
         jsonb_build_object('PutRequest', jsonb_build_object('Item', '{"k": {"S": "small"}}'::jsonb))),
  'numk', '[{"DeleteRequest": {"Key": {"n": {"N": "5"}}}}]'::jsonb)));
SELECT dynpg.batch_write_item('{"ReturnConsumedCapacity": "INDEXES", "RequestItems": {"bw1": [{"DeleteRequest": {"Key": {"k": {"S": "big"}}}}]}}');
SELECT dynpg.batch_write_item('{"ReturnConsumedCapacity": "NONE", "ReturnItemCollectionMetrics": "SIZE", "RequestItems": {"bw1": [{"DeleteRequest": {"Key": {"k": {"S": "small"}}}}]}}');

--
-- BatchWriteItem: deserialization (SerializationException)
--
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": []}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": "x"}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": {}}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": "x"}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [[]]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"PutRequest": []}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"PutRequest": {"Item": []}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"DeleteRequest": {"Key": 3}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"PutRequest": {"Item": {"k": {"S": 1}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"PutRequest": {"Item": {"k": {"S": "a"}}}}]}, "ReturnConsumedCapacity": true}');

--
-- BatchWriteItem: constraints, all at once
--
SELECT pg_temp.detail('BatchWriteItem', '{}');
SELECT pg_temp.api('BatchWriteItem', '{"ReturnConsumedCapacity": "hi", "ReturnItemCollectionMetrics": "hi"}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"a": []}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"a": [{"PutRequest": {"Item": {"a": {"S": "a"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"aa;": [{"PutRequest": {}, "DeleteRequest": {}}]},
  "ReturnConsumedCapacity": "hi", "ReturnItemCollectionMetrics": "hi"}');
-- more than 25 entries for one table: the list's constraint, at the table's
-- member of RequestItems (DynamoDB no longer echoes the request there)
SELECT pg_temp.api('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('bw1', pg_temp.puts(26))));
SELECT pg_temp.api('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('bw1', pg_temp.deletes(26))));
-- a null list for one table; two tables each over the limit: one failure each
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": null}}');
SELECT pg_temp.api('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('bw1', pg_temp.puts(26), 'numk', pg_temp.puts(30))));
-- more than 25 in all, at most 25 per table
SELECT pg_temp.api('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('bw1', pg_temp.puts(20),
  'numk', '[{"PutRequest": {"Item": {"n": {"N": "1"}}}}, {"PutRequest": {"Item": {"n": {"N": "2"}}}}, {"PutRequest": {"Item": {"n": {"N": "3"}}}},
            {"PutRequest": {"Item": {"n": {"N": "4"}}}}, {"PutRequest": {"Item": {"n": {"N": "5"}}}}, {"PutRequest": {"Item": {"n": {"N": "6"}}}}]'::jsonb)));
-- exactly 25 is fine
SELECT dynpg.batch_write_item(jsonb_build_object('RequestItems', jsonb_build_object('bw1', pg_temp.puts(25, 100))));
SELECT pg_temp.count('bw1') AS bw1_items;
SELECT dynpg.batch_write_item(jsonb_build_object('RequestItems', jsonb_build_object('bw1', pg_temp.deletes(25, 100))));
SELECT pg_temp.count('bw1') AS bw1_items;

--
-- BatchWriteItem: the request's own rules, before the table is looked up
--
-- neither or both of PutRequest and DeleteRequest
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"abc": [{}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"abc": [null]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"abc": [{"PutRequest": {"Item": {"a": {"S": "a"}}}, "DeleteRequest": {"Key": {"a": {"S": "a"}}}}]}}');
-- AttributeValues and the 400 KB item size (the table need not exist)
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"abc": [{"PutRequest": {"Item": {"a": {}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"abc": [{"PutRequest": {"Item": {"a": {"S": "a", "N": "1"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"abc": [{"PutRequest": {"Item": {"a": {"NS": ["1", "1"]}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"abc": [{"DeleteRequest": {"Key": {"a": {"N": "1e126"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('abc', jsonb_build_array(
  jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object('a', jsonb_build_object('S', 'k'), 'b', jsonb_build_object('S', repeat('x', 409600)))))))));
-- a missing table, after all of that
SELECT pg_temp.detail('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('abc', pg_temp.puts(25))));
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"abc": [{"PutRequest": {"Item": {}}}]}}');
-- ... and before duplicates
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"abc": [{"PutRequest": {"Item": {"k": {"S": "x"}}}}, {"DeleteRequest": {"Key": {"k": {"S": "x"}}}}]}}');

--
-- BatchWriteItem: keys against the table
--
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"PutRequest": {"Item": {}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"PutRequest": {"Item": {"x": {"S": "a"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"PutRequest": {"Item": {"k": {"N": "1"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw2": [{"PutRequest": {"Item": {"p": {"S": "a"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"DeleteRequest": {"Key": {"k": {"S": "a"}, "extra": {"S": "b"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"DeleteRequest": {"Key": {"k": {"B": "AAE="}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"PutRequest": {"Item": {"k": {"S": ""}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('bw1', jsonb_build_array(
  jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object('k', jsonb_build_object('S', repeat('h', 2049)))))))));
SELECT pg_temp.api('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('bw2', jsonb_build_array(
  jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object('p', jsonb_build_object('S', 'a'), 's', jsonb_build_object('N', '1' || repeat('0', 10))))),
  jsonb_build_object('DeleteRequest', jsonb_build_object('Key', jsonb_build_object('p', jsonb_build_object('S', repeat('h', 2049)), 's', jsonb_build_object('N', '1'))))))));

--
-- BatchWriteItem: duplicates, after number normalization
--
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"PutRequest": {"Item": {"k": {"S": "d"}}}}, {"PutRequest": {"Item": {"k": {"S": "d"}, "x": {"S": "y"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"DeleteRequest": {"Key": {"k": {"S": "d"}}}}, {"DeleteRequest": {"Key": {"k": {"S": "d"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"DeleteRequest": {"Key": {"k": {"S": "d"}}}}, {"PutRequest": {"Item": {"k": {"S": "d"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"numk": [{"PutRequest": {"Item": {"n": {"N": "1e3"}}}}, {"PutRequest": {"Item": {"n": {"N": "1000"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"numk": [{"PutRequest": {"Item": {"n": {"N": "1.50"}}}}, {"DeleteRequest": {"Key": {"n": {"N": "15E-1"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw2": [{"PutRequest": {"Item": {"p": {"S": "z"}, "s": {"N": "10"}}}}, {"DeleteRequest": {"Key": {"s": {"N": "1.0e1"}, "p": {"S": "z"}}}}]}}');
-- one key part the same is no duplicate
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw2": [{"PutRequest": {"Item": {"p": {"S": "z"}, "s": {"N": "10"}}}}, {"PutRequest": {"Item": {"p": {"S": "z"}, "s": {"N": "11"}}}}, {"PutRequest": {"Item": {"p": {"S": "y"}, "s": {"N": "10"}}}}]}}');

--
-- BatchWriteItem: one bad entry, and nothing at all is written
--
SELECT pg_temp.count('bw1') AS bw1_before, pg_temp.count('bw2') AS bw2_before;
-- a key of the wrong type last, after good entries in two tables
SELECT pg_temp.api('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('bw1', pg_temp.puts(5, 200),
  'bw2', '[{"PutRequest": {"Item": {"p": {"S": "new"}, "s": {"N": "1"}}}}, {"PutRequest": {"Item": {"p": {"S": "new"}, "s": {"S": "2"}}}}]'::jsonb)));
-- a table that does not exist, after a good table
SELECT pg_temp.api('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('bw1', pg_temp.puts(5, 200), 'zzzz', pg_temp.puts(1))));
-- a duplicate last
SELECT pg_temp.api('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('bw1', pg_temp.puts(5, 200) || pg_temp.puts(1, 200))));
-- an item too large last
SELECT pg_temp.api('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('bw1', pg_temp.puts(5, 200) ||
  jsonb_build_array(jsonb_build_object('PutRequest', jsonb_build_object('Item',
    jsonb_build_object('k', jsonb_build_object('S', 'huge'), 'b', jsonb_build_object('S', repeat('x', 409600)))))))));
SELECT pg_temp.count('bw1') AS bw1_after, pg_temp.count('bw2') AS bw2_after;

--
-- BatchWriteItem keeps secondary indexes: the LSI at once, the GSI through its change log
--
SELECT dynpg.create_table('{"TableName": "msgs", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "chat", "KeyType": "HASH"}, {"AttributeName": "id", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "chat", "AttributeType": "S"}, {"AttributeName": "id", "AttributeType": "N"},
                           {"AttributeName": "likes", "AttributeType": "N"}, {"AttributeName": "user", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "by_likes",
     "KeySchema": [{"AttributeName": "chat", "KeyType": "HASH"}, {"AttributeName": "likes", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "ALL"}}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_user",
     "KeySchema": [{"AttributeName": "user", "KeyType": "HASH"}, {"AttributeName": "id", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "KEYS_ONLY"}}]}') IS NOT NULL AS msgs;
SELECT dynpg.batch_write_item('{"RequestItems": {"msgs": [
  {"PutRequest": {"Item": {"chat": {"S": "c"}, "id": {"N": "1"}, "likes": {"N": "5"}, "user": {"S": "ann"}}}},
  {"PutRequest": {"Item": {"chat": {"S": "c"}, "id": {"N": "2"}, "likes": {"N": "3"}, "user": {"S": "bob"}}}},
  {"PutRequest": {"Item": {"chat": {"S": "c"}, "id": {"N": "3"}, "likes": {"N": "9"}, "user": {"S": "ann"}}}}]}}');
SELECT jsonb_path_query_array(dynpg.query('{"TableName": "msgs", "IndexName": "by_likes", "KeyConditionExpression": "chat = :c",
  "ExpressionAttributeValues": {":c": {"S": "c"}}}'), '$.Items[*].id.N') AS lsi_order;
SELECT FROM dynpg._apply_index_changes();
SELECT jsonb_path_query_array(dynpg.query('{"TableName": "msgs", "IndexName": "by_user", "KeyConditionExpression": "#u = :u",
  "ExpressionAttributeNames": {"#u": "user"}, "ExpressionAttributeValues": {":u": {"S": "ann"}}}'), '$.Items[*].id.N') AS gsi_ann;
-- a delete and a replacement in one batch
SELECT dynpg.batch_write_item('{"RequestItems": {"msgs": [
  {"DeleteRequest": {"Key": {"chat": {"S": "c"}, "id": {"N": "1"}}}},
  {"PutRequest": {"Item": {"chat": {"S": "c"}, "id": {"N": "2"}, "likes": {"N": "10"}, "user": {"S": "ann"}}}}]}}');
SELECT jsonb_path_query_array(dynpg.query('{"TableName": "msgs", "IndexName": "by_likes", "KeyConditionExpression": "chat = :c",
  "ExpressionAttributeValues": {":c": {"S": "c"}}}'), '$.Items[*].likes.N') AS lsi_likes;
SELECT FROM dynpg._apply_index_changes();
SELECT jsonb_path_query_array(dynpg.query('{"TableName": "msgs", "IndexName": "by_user", "KeyConditionExpression": "#u = :u",
  "ExpressionAttributeNames": {"#u": "user"}, "ExpressionAttributeValues": {":u": {"S": "ann"}}}'), '$.Items[*].id.N') AS gsi_ann;
-- an index key of the wrong type refuses the batch before anything is written
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"msgs": [
  {"PutRequest": {"Item": {"chat": {"S": "c"}, "id": {"N": "7"}, "likes": {"N": "1"}}}},
  {"PutRequest": {"Item": {"chat": {"S": "c"}, "id": {"N": "8"}, "likes": {"S": "many"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"msgs": [
  {"PutRequest": {"Item": {"chat": {"S": "c"}, "id": {"N": "7"}, "likes": {"N": "1"}}}},
  {"PutRequest": {"Item": {"chat": {"S": "c"}, "id": {"N": "8"}, "user": {"N": "1"}}}}]}}');
SELECT pg_temp.count('msgs') AS msgs_items;
SELECT dynpg.verify('msgs') ->> 'ok' AS verify_ok;

--
-- BatchGetItem
--
SELECT dynpg.batch_write_item(jsonb_build_object('RequestItems', jsonb_build_object('bw1', pg_temp.puts(5))));
SELECT dynpg.batch_get_item('{"RequestItems": {"bw1": {"Keys": [{"k": {"S": "k1"}}, {"k": {"S": "k3"}}, {"k": {"S": "none"}}]},
  "bw2": {"Keys": [{"p": {"S": "a"}, "s": {"N": "1"}}, {"s": {"N": "2"}, "p": {"S": "a"}}]}}}');
-- every table named gets a list, possibly empty; UnprocessedKeys is always there
SELECT dynpg.execute('BatchGetItem', '{"RequestItems": {"bw1": {"Keys": [{"k": {"S": "none"}}]}}}');
-- per-table projections
SELECT dynpg.batch_get_item('{"RequestItems": {"bw1": {"Keys": [{"k": {"S": "k2"}}], "ProjectionExpression": "#v", "ExpressionAttributeNames": {"#v": "v"}},
  "bw2": {"Keys": [{"p": {"S": "a"}, "s": {"N": "1"}}], "AttributesToGet": ["u", "s"], "ConsistentRead": true}}}');
-- a number key written another way reads the same item
SELECT dynpg.batch_get_item('{"RequestItems": {"bw2": {"Keys": [{"p": {"S": "a"}, "s": {"N": "2.0"}}]}}}');
-- ... and BatchGetItem does not normalize numbers when it looks for duplicates
SELECT dynpg.batch_get_item('{"RequestItems": {"bw2": {"Keys": [{"p": {"S": "a"}, "s": {"N": "2.0"}}, {"p": {"S": "a"}, "s": {"N": "2"}}]}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw2": {"Keys": [{"p": {"S": "a"}, "s": {"N": "2"}}, {"s": {"N": "2"}, "p": {"S": "a"}}]}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw1": {"Keys": [{"k": {"S": "k1"}}, {"k": {"S": "k2"}}, {"k": {"S": "k1"}}]}}}');
-- ConsumedCapacity: read units per item (4 KB), half unless ConsistentRead, per table
SELECT dynpg.batch_get_item('{"ReturnConsumedCapacity": "TOTAL", "RequestItems": {"bw1": {"Keys": [{"k": {"S": "k1"}}, {"k": {"S": "k2"}}, {"k": {"S": "none"}}]},
  "bw2": {"Keys": [{"p": {"S": "a"}, "s": {"N": "1"}}], "ConsistentRead": true}}}') -> 'ConsumedCapacity';
SELECT dynpg.batch_get_item('{"ReturnConsumedCapacity": "INDEXES", "RequestItems": {"bw1": {"Keys": [{"k": {"S": "k1"}}]}}}') -> 'ConsumedCapacity';
SELECT dynpg.batch_get_item('{"ReturnConsumedCapacity": "NONE", "RequestItems": {"bw1": {"Keys": [{"k": {"S": "k1"}}]}}}');

-- deserialization
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": []}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw1": []}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw1": {"Keys": {}}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw1": {"Keys": [[]]}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw1": {"Keys": [{"k": {"S": "a"}}], "ConsistentRead": "yes"}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw1": {"Keys": [{"k": {"S": "a"}}], "AttributesToGet": [1]}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw1": {"Keys": [{"k": {"S": "a"}}], "ProjectionExpression": ["a"]}}}');
-- constraints
SELECT pg_temp.detail('BatchGetItem', '{}');
SELECT pg_temp.api('BatchGetItem', '{"ReturnConsumedCapacity": "hi"}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"a": {}}, "ReturnConsumedCapacity": "hi"}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"a": {"Keys": []}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"aa;": {"Keys": [{"k": {"S": "a"}}], "AttributesToGet": [], "ConsistentRead": true, "ProjectionExpression": "k", "ExpressionAttributeNames": {"#a": "b"}}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw1": null}}');
SELECT pg_temp.api('BatchGetItem', jsonb_build_object('RequestItems', jsonb_build_object('bw1', jsonb_build_object('Keys', pg_temp.keys(101)))));
-- the request's own rules: expressions, AttributeValues, duplicates, the total (before the table)
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"abc": {"Keys": [{}], "AttributesToGet": ["a"], "ProjectionExpression": ""}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"abc": {"Keys": [{}], "AttributesToGet": ["a"], "ExpressionAttributeNames": {}}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"abc": {"Keys": [{}], "ExpressionAttributeNames": {}, "ProjectionExpression": ""}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"abc": {"Keys": [{}], "ProjectionExpression": ""}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"abc": {"Keys": [{}], "ProjectionExpression": "a", "ExpressionAttributeNames": {"#unused": "b"}}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"abc": {"Keys": [{}], "AttributesToGet": ["a", "a"]}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"abc": {"Keys": [{"a": {}}]}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"abc": {"Keys": [{"a": {"N": "1e-131"}}]}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"abc": {"Keys": [{"a": {"S": "x"}}, {"a": {"S": "x"}}]}}}');
SELECT pg_temp.api('BatchGetItem', jsonb_build_object('RequestItems', jsonb_build_object('abc', jsonb_build_object('Keys', pg_temp.keys(100)),
  'abd', jsonb_build_object('Keys', pg_temp.keys(1)))));
SELECT pg_temp.detail('BatchGetItem', jsonb_build_object('RequestItems', jsonb_build_object('abc', jsonb_build_object('Keys', pg_temp.keys(100)))));
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"abc": {"Keys": [{}]}}}');
-- keys against the table
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw1": {"Keys": [{}]}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw1": {"Keys": [{"k": {"N": "1"}}]}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw1": {"Keys": [{"k": {"S": "a"}, "b": {"S": "a"}}]}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw2": {"Keys": [{"p": {"S": "a"}}]}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw1": {"Keys": [{"k": {"S": ""}}]}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw1": {"Keys": [{"k": {"S": "a"}}]}, "zzz": {"Keys": [{"k": {"S": "a"}}]}}}');

--
-- The 16 MB response cap: 50 items of about 350 KB; what is left comes back
-- in UnprocessedKeys in the request's own shape, and a second call reads it
--
SELECT dynpg.create_table('{"TableName": "big", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}]}') IS NOT NULL AS big;
SELECT dynpg.batch_write_item(jsonb_build_object('RequestItems', jsonb_build_object('big',
  (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object(
     'id', jsonb_build_object('N', i::text), 'blob', jsonb_build_object('S', repeat(chr(65 + i % 26), 358000))))))
     FROM generate_series(lo, lo + 24) i)))) AS written
  FROM (VALUES (1), (26)) v(lo);
SELECT sum(dynpg.item_size(item)) AS big_bytes, min(dynpg.item_size(item)) AS item_bytes FROM dynamodb.big;
CREATE TEMP TABLE big_req AS SELECT jsonb_build_object('RequestItems', jsonb_build_object(
  'big', jsonb_build_object('Keys', (SELECT jsonb_agg(jsonb_build_object('id', jsonb_build_object('N', i::text)) ORDER BY i) FROM generate_series(1, 50) i),
         'ProjectionExpression', '#i, #b', 'ExpressionAttributeNames', '{"#i": "id", "#b": "blob"}'::jsonb, 'ConsistentRead', true),
  'bw1', jsonb_build_object('Keys', '[{"k": {"S": "k1"}}]'::jsonb, 'AttributesToGet', '["k"]'::jsonb))) AS r;
CREATE TEMP TABLE big_resp AS SELECT dynpg.batch_get_item(r || '{"ReturnConsumedCapacity": "TOTAL"}') AS r FROM big_req;
SELECT jsonb_array_length(r -> 'Responses' -> 'big') AS read_first,
       (SELECT sum(dynpg.item_size((i)::dynpg.item)) FROM jsonb_array_elements(r -> 'Responses' -> 'big') i) AS bytes_first,
       jsonb_array_length(r -> 'UnprocessedKeys' -> 'big' -> 'Keys') AS left_first,
       r -> 'UnprocessedKeys' -> 'big' -> 'Keys' -> 0 AS first_left,
       (r -> 'UnprocessedKeys' -> 'big') - 'Keys' AS left_shape,
       r -> 'UnprocessedKeys' -> 'bw1' AS bw1_left,
       r -> 'Responses' -> 'bw1' AS bw1_read,
       r -> 'ConsumedCapacity' AS capacity
  FROM big_resp;
-- retrying UnprocessedKeys as the request reads the rest
SELECT jsonb_array_length(r2 -> 'Responses' -> 'big') AS read_second, r2 -> 'UnprocessedKeys' AS left_second,
       r2 -> 'Responses' -> 'bw1' AS bw1_read
  FROM (SELECT dynpg.batch_get_item(jsonb_build_object('RequestItems', r -> 'UnprocessedKeys')) AS r2 FROM big_resp) s;
-- every item once, across the two calls
SELECT count(DISTINCT i -> 'id' ->> 'N') AS distinct_ids
  FROM (SELECT jsonb_array_elements(r -> 'Responses' -> 'big') i FROM big_resp
        UNION ALL
        SELECT jsonb_array_elements(dynpg.batch_get_item(jsonb_build_object('RequestItems', r -> 'UnprocessedKeys')) -> 'Responses' -> 'big')
          FROM big_resp) s;
DROP TABLE big_resp, big_req;

--
-- Privileges: SELECT for BatchGetItem, INSERT for puts, DELETE for deletes
--
CREATE ROLE batch_user;
GRANT USAGE ON SCHEMA dynamodb TO batch_user;
GRANT SELECT, INSERT ON dynamodb.bw1 TO batch_user;
SET ROLE batch_user;
SELECT dynpg.batch_write_item('{"RequestItems": {"bw1": [{"PutRequest": {"Item": {"k": {"S": "by_user"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"DeleteRequest": {"Key": {"k": {"S": "by_user"}}}}]}}');
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"PutRequest": {"Item": {"k": {"S": "x1"}}}}, {"DeleteRequest": {"Key": {"k": {"S": "by_user"}}}}]}}');
SELECT dynpg.batch_get_item('{"RequestItems": {"bw1": {"Keys": [{"k": {"S": "by_user"}}]}}}');
SELECT pg_temp.api('BatchGetItem', '{"RequestItems": {"bw1": {"Keys": [{"k": {"S": "by_user"}}]}, "bw2": {"Keys": [{"p": {"S": "a"}, "s": {"N": "1"}}]}}}');
RESET ROLE;
REVOKE ALL ON dynamodb.bw1 FROM batch_user;
REVOKE USAGE ON SCHEMA dynamodb FROM batch_user;
DROP ROLE batch_user;

--
-- The caller's transaction: a batch rolls back with it, and a failure in the
-- middle of a batch leaves nothing of it
--
BEGIN;
SELECT dynpg.batch_write_item(jsonb_build_object('RequestItems', jsonb_build_object('bw1', pg_temp.puts(3, 300))));
SELECT pg_temp.count('bw1') AS inside;
ROLLBACK;
SELECT pg_temp.count('bw1') AS after_rollback;
-- a batch that fails leaves nothing of itself, and the rest of the
-- transaction goes on after ROLLBACK TO SAVEPOINT
CREATE FUNCTION pg_temp.count_k(k text) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM dynamodb.bw1 WHERE item ->> 'k' = k $$;
BEGIN;
SELECT dynpg.batch_write_item(jsonb_build_object('RequestItems', jsonb_build_object('bw1', pg_temp.puts(3, 400))));
SAVEPOINT s;
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw1": [{"PutRequest": {"Item": {"k": {"S": "k500"}}}}, {"PutRequest": {"Item": {"k": {"N": "1"}}}}]}}');
ROLLBACK TO s;
SELECT pg_temp.count_k('k500') AS k500, pg_temp.count_k('k400') AS k400;
COMMIT;
SELECT pg_temp.count_k('k400') AS k400_committed;

-- the SQL layer: plain JSON items
SELECT dynpg.batch_put('bw2', ARRAY['{"p": "plain", "s": 1, "tags": ["a", "b"]}', '{"p": "plain", "s": 2.5}']::jsonb[]);
SELECT dynpg.get('bw2', '{"p": {"S": "plain"}, "s": {"N": "1"}}'::dynpg.item);
SELECT dynpg.get('bw2', '{"p": {"S": "plain"}, "s": {"N": "2.5"}}'::dynpg.item);
SELECT pg_temp.api('BatchWriteItem', '{"RequestItems": {"bw2": [{"PutRequest": {"Item": {"p": {"S": "plain"}}}}]}}') AS via_wire,
       (SELECT 'ok' FROM dynpg.batch_put('bw2', ARRAY['{"p": "plain", "s": 3}']::jsonb[])) AS batch_put_ok;

SELECT dynpg.verify('bw1') ->> 'ok' AS bw1_ok, dynpg.verify('bw2') ->> 'ok' AS bw2_ok, dynpg.verify('big') ->> 'ok' AS big_ok;
