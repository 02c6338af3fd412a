-- The json forms (src/api/execute.c): dynpg.execute_json(operation, request
-- json) and dynpg.get_item_json/query_json/scan_json/batch_get_item_json/
-- transact_get_items_json(request json) RETURNS json.  The request is read by
-- dynpg's own JSON parser and the response written as text once, as the HTTP
-- endpoint does: the same answers as the jsonb forms, compact, strings with
-- U+0000 carried both ways, and the same errors.
\set SHOW_CONTEXT never

SELECT dynpg.execute_json('CreateTable', '{"TableName": "forum", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "topic", "KeyType": "HASH"}, {"AttributeName": "seq", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "topic", "AttributeType": "S"}, {"AttributeName": "seq", "AttributeType": "N"}]}')::jsonb
  -> 'TableDescription' -> 'TableStatus' AS created;

-- writes through execute_json: the response is text, compact, as DynamoDB writes it
SELECT dynpg.execute_json('PutItem', '{"TableName": "forum", "Item": {"topic": {"S": "pg"}, "seq": {"N": "1"},
  "title": {"S": "hello"}, "tags": {"SS": ["b", "a"]}, "score": {"N": "1.50"}, "meta": {"M": {"l": {"L": [{"BOOL": true}, {"NULL": true}]}}}}}');
SELECT dynpg.execute_json('PutItem', '{"TableName": "forum", "Item": {"topic": {"S": "pg"}, "seq": {"N": "1"},
  "title": {"S": "hello again"}, "bin": {"B": "AAEC"}}, "ReturnValues": "ALL_OLD"}');
SELECT dynpg.execute_json('PutItem', json_build_object('TableName', 'forum', 'Item',
  json_build_object('topic', json_build_object('S', 'pg'), 'seq', json_build_object('N', s::text),
                    'title', json_build_object('S', 'post ' || s))))::text
  FROM generate_series(2, 6) AS s;

-- U+0000 inside strings: jsonb cannot hold it, json and DynamoDB can
SELECT dynpg.execute_json('PutItem', '{"TableName": "forum", "Item": {"topic": {"S": "nul\u0000topic"}, "seq": {"N": "7"},
  "body": {"S": "a\u0000b"}, "set": {"SS": ["\u0000", "x\u0000"]}, "k\u0000ey": {"S": "v"}}}');
SELECT dynpg.get_item_json('{"TableName": "forum", "Key": {"topic": {"S": "nul\u0000topic"}, "seq": {"N": "7"}}}');
SELECT dynpg.query_json('{"TableName": "forum", "KeyConditionExpression": "topic = :t",
  "ExpressionAttributeValues": {":t": {"S": "nul\u0000topic"}}, "ProjectionExpression": "body"}');
-- the jsonb forms can neither ask for such a key nor answer with such an item
SELECT dynpg.get_item('{"TableName": "forum", "Key": {"topic": {"S": "nul\u0000topic"}, "seq": {"N": "7"}}}');
SELECT dynpg.execute_json('PutItem', '{"TableName": "forum", "Item": {"topic": {"S": "pg"}, "seq": {"N": "8"},
  "body": {"S": "a\u0000b"}}}');
SELECT dynpg.get_item('{"TableName": "forum", "Key": {"topic": {"S": "pg"}, "seq": {"N": "8"}}}');
SELECT dynpg.get_item_json('{"TableName": "forum", "Key": {"topic": {"S": "pg"}, "seq": {"N": "8"}}}');

-- reads: each equals its jsonb form's answer
SELECT dynpg.get_item_json('{"TableName": "forum", "Key": {"topic": {"S": "pg"}, "seq": {"N": "1"}}}');
SELECT dynpg.get_item_json('{"TableName": "forum", "Key": {"topic": {"S": "pg"}, "seq": {"N": "99"}}}');
SELECT r.n,
       dynpg.execute_json(r.op, r.req::json)::jsonb = dynpg.execute(r.op, r.req::jsonb) AS same_as_execute
  FROM (VALUES
    (1, 'GetItem', '{"TableName": "forum", "Key": {"topic": {"S": "pg"}, "seq": {"N": "1"}}, "ReturnConsumedCapacity": "TOTAL"}'),
    (2, 'Query', '{"TableName": "forum", "KeyConditionExpression": "topic = :t AND seq BETWEEN :a AND :b",
       "ExpressionAttributeValues": {":t": {"S": "pg"}, ":a": {"N": "2"}, ":b": {"N": "5"}}, "ScanIndexForward": false}'),
    (3, 'Query', '{"TableName": "forum", "KeyConditionExpression": "topic = :t", "Limit": 2,
       "ExpressionAttributeValues": {":t": {"S": "pg"}}, "Select": "COUNT"}'),
    (4, 'Scan', '{"TableName": "forum", "FilterExpression": "begins_with(title, :p)",
       "ExpressionAttributeValues": {":p": {"S": "post"}}, "Limit": 3}'),
    (5, 'BatchGetItem', '{"RequestItems": {"forum": {"Keys": [{"topic": {"S": "pg"}, "seq": {"N": "3"}},
       {"topic": {"S": "pg"}, "seq": {"N": "1"}}], "ProjectionExpression": "title"}}}'),
    (6, 'TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "forum", "Key": {"topic": {"S": "pg"}, "seq": {"N": "2"}}}},
       {"Get": {"TableName": "forum", "Key": {"topic": {"S": "pg"}, "seq": {"N": "42"}}}}]}'),
    (7, 'DescribeTable', '{"TableName": "forum"}')) AS r(n, op, req)
  ORDER BY r.n;
SELECT dynpg.query_json('{"TableName": "forum", "KeyConditionExpression": "topic = :t AND seq < :s",
  "ExpressionAttributeValues": {":t": {"S": "pg"}, ":s": {"N": "4"}}, "ProjectionExpression": "seq, title"}');
SELECT dynpg.scan_json('{"TableName": "forum", "Limit": 2, "ProjectionExpression": "seq",
  "ExclusiveStartKey": {"topic": {"S": "pg"}, "seq": {"N": "4"}}}');
SELECT dynpg.batch_get_item_json('{"RequestItems": {"forum": {"Keys": [{"topic": {"S": "pg"}, "seq": {"N": "6"}}],
  "ProjectionExpression": "title"}}}');
SELECT dynpg.transact_get_items_json('{"TransactItems": [{"Get": {"TableName": "forum",
  "Key": {"topic": {"S": "pg"}, "seq": {"N": "5"}}, "ProjectionExpression": "title"}}]}');

-- paging: a Query's LastEvaluatedKey, passed back as text, continues it
WITH RECURSIVE pages(n, resp) AS (
    SELECT 1, dynpg.query_json('{"TableName": "forum", "KeyConditionExpression": "topic = :t", "Limit": 4,
      "ExpressionAttributeValues": {":t": {"S": "pg"}}, "ProjectionExpression": "seq"}')
  UNION ALL
    SELECT n + 1, dynpg.query_json(json_build_object('TableName', 'forum', 'KeyConditionExpression', 'topic = :t',
      'Limit', 4, 'ExpressionAttributeValues', json_build_object(':t', json_build_object('S', 'pg')),
      'ProjectionExpression', 'seq', 'ExclusiveStartKey', resp -> 'LastEvaluatedKey'))
      FROM pages WHERE resp -> 'LastEvaluatedKey' IS NOT NULL)
SELECT n, resp FROM pages ORDER BY n;

-- errors: the same exceptions and messages as the jsonb forms and the HTTP endpoint
SELECT dynpg.execute_json('NoSuchOperation', '{}');
SELECT dynpg.execute_json('CreateBackup', '{"TableName": "forum", "BackupName": "b1"}');
SELECT dynpg.get_item_json('[1, 2]');
SELECT dynpg.get_item_json('"forum"');
SELECT dynpg.get_item_json('{"TableName": "forum"}');
SELECT dynpg.get_item_json('{"TableName": "nosuch", "Key": {"topic": {"S": "pg"}, "seq": {"N": "1"}}}');
SELECT dynpg.query_json('{"TableName": "forum", "KeyConditionExpression": "seq = :s",
  "ExpressionAttributeValues": {":s": {"N": "1"}}}');
SELECT dynpg.execute_json('PutItem', '{"TableName": "forum", "Item": {"topic": {"S": "pg"}, "seq": {"N": "1e400"}}}');
-- nesting beyond DynamoDB's 32 levels
SELECT dynpg.execute_json('PutItem', ('{"TableName": "forum", "Item": {"topic": {"S": "deep"}, "seq": {"N": "1"}, "d": '
  || repeat('{"L": [', 40) || '{"S": "x"}' || repeat(']}', 40) || '}}')::json);
-- json's own syntax check comes first
SELECT dynpg.get_item_json('{"TableName": "forum",');
-- STRICT: a NULL request is a NULL answer
SELECT dynpg.query_json(NULL) IS NULL AS null_in_null_out;
-- a failed write left nothing
SELECT dynpg.get_item_json('{"TableName": "forum", "Key": {"topic": {"S": "deep"}, "seq": {"N": "1"}}}');

SELECT dynpg.execute_json('DeleteTable', '{"TableName": "forum"}')::jsonb -> 'TableDescription' -> 'TableStatus' AS deleted;

-- The text writer copies strings eight bytes at a time while no byte needs an
-- escape: every character that needs one, at every position across two
-- words, with multibyte characters around it, is escaped as PostgreSQL's
-- to_json escapes it.
SELECT count(*) AS strings,
       count(*) FILTER (WHERE t::dynpg.item::text = t) AS round_trips,
       count(*) FILTER (WHERE t::dynpg.item::text <> t) AS differ
  FROM (SELECT '{"s":{"S":' || to_json(repeat('x', p) || c || repeat(m, q))::text || '}}' AS t
          FROM generate_series(0, 17) p, generate_series(0, 9) q,
               unnest(ARRAY['"', '\', E'\n', E'\b', E'\f', E'\r', E'\t', chr(1), chr(31), ' ', '~', 'é', '€']) c,
               unnest(ARRAY['y', 'ü', '"']) m) s;
