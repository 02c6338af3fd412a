-- Reads on indexes (src/api/query_ops.c, src/index/README "Reads"): Query
-- and Scan with IndexName on LSIs and GSIs -- every key-condition operator
-- on S, N and B index sort keys against a brute-force filter, both
-- directions, paging by LastEvaluatedKey, ExclusiveStartKey's checks,
-- Select and projections with DynamoDB's messages, an LSI's fetch of
-- attributes it does not project, ConsistentRead, parallel Scan of an
-- index, entries that move after UpdateItem and DeleteItem, and
-- DescribeTable's per-index ItemCount and IndexSizeBytes.  GSI changes are
-- applied by dynpg._apply_index_changes() right after writes (its count is
-- never shown: the worker may have applied some already).
\set SHOW_CONTEXT never
SET search_path = public, dynpg;

\i sql/include/item_helpers.sql
CREATE FUNCTION pg_temp.apply() RETURNS void LANGUAGE sql AS $$
	SELECT FROM dynpg._apply_index_changes() $$;

-- ---------------------------------------------------------------------
-- The fixture of issue 6: chat messages, by user (GSI) and by attachments (LSI)
-- ---------------------------------------------------------------------
SELECT dynpg.create_table('{"TableName": "chat", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "chat_id", "KeyType": "HASH"},
                {"AttributeName": "message_id", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "chat_id", "AttributeType": "S"},
                           {"AttributeName": "message_id", "AttributeType": "N"},
                           {"AttributeName": "user_id", "AttributeType": "S"},
                           {"AttributeName": "num_attachments", "AttributeType": "N"}],
  "LocalSecondaryIndexes": [{"IndexName": "by_attachments",
     "KeySchema": [{"AttributeName": "chat_id", "KeyType": "HASH"},
                   {"AttributeName": "num_attachments", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "KEYS_ONLY"}}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_user",
     "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"},
                   {"AttributeName": "message_id", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["text"]}}]}') IS NOT NULL AS created;
SELECT dynpg.put('chat', jsonb_build_object('chat_id', c, 'message_id', m,
         'user_id', u, 'text', 'msg ' || m, 'num_attachments', a, 'lang', 'en'))
  FROM (VALUES ('c1', 1, 'ann', 0), ('c1', 2, 'bob', 3), ('c1', 3, 'ann', 1),
               ('c1', 4, 'bob', 3), ('c2', 5, 'ann', 7), ('c2', 6, 'cid', 2)) v(c, m, u, a);
-- sparse: no user_id, no num_attachments
SELECT dynpg.put('chat', '{"chat_id": "c1", "message_id": 7, "text": "system notice"}'::jsonb);
SELECT pg_temp.apply();
-- a user's messages across chats, in message_id order
SELECT item FROM dynpg.query_items('chat', 'user_id = :u', '{":u": "ann"}', index_name => 'by_user');
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_user", "KeyConditionExpression": "user_id = :u",
  "ExpressionAttributeValues": {":u": {"S": "bob"}}, "ScanIndexForward": false}');
-- a chat's messages with the most attachments (ties in message_id order, reversed)
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_attachments",
  "KeyConditionExpression": "chat_id = :c", "ExpressionAttributeValues": {":c": {"S": "c1"}},
  "ScanIndexForward": false, "Limit": 2}');
-- ... its LastEvaluatedKey continues the read
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_attachments",
  "KeyConditionExpression": "chat_id = :c", "ExpressionAttributeValues": {":c": {"S": "c1"}},
  "ScanIndexForward": false, "Limit": 2,
  "ExclusiveStartKey": {"chat_id": {"S": "c1"}, "message_id": {"N": "2"}, "num_attachments": {"N": "3"}}}');
-- an LSI fetches what it does not project from the item
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_attachments",
  "KeyConditionExpression": "chat_id = :c AND num_attachments >= :n",
  "ExpressionAttributeValues": {":c": {"S": "c1"}, ":n": {"N": "1"}},
  "ProjectionExpression": "message_id, #t, lang", "ExpressionAttributeNames": {"#t": "text"}}');
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_attachments", "Select": "ALL_ATTRIBUTES",
  "KeyConditionExpression": "chat_id = :c AND num_attachments = :n",
  "ExpressionAttributeValues": {":c": {"S": "c1"}, ":n": {"N": "1"}}, "ConsistentRead": true}');
-- a filter on an attribute the LSI does not project reads the item too; the result is the projection
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_attachments",
  "KeyConditionExpression": "chat_id = :c", "FilterExpression": "#t = :t",
  "ExpressionAttributeNames": {"#t": "text"},
  "ExpressionAttributeValues": {":c": {"S": "c1"}, ":t": {"S": "msg 3"}}}');
-- the table's sort key is not the LSI's: a filter may use it; the LSI's may not
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_attachments",
  "KeyConditionExpression": "chat_id = :c", "FilterExpression": "message_id > :m",
  "ExpressionAttributeValues": {":c": {"S": "c1"}, ":m": {"N": "2"}}}') ->> 'Count' AS count;
SELECT pg_temp.api('Query', '{"TableName": "chat", "IndexName": "by_attachments",
  "KeyConditionExpression": "chat_id = :c", "FilterExpression": "num_attachments > :m",
  "ExpressionAttributeValues": {":c": {"S": "c1"}, ":m": {"N": "2"}}}');
-- a GSI's: its own keys may not be filtered on, the table's may
SELECT pg_temp.api('Query', '{"TableName": "chat", "IndexName": "by_user",
  "KeyConditionExpression": "user_id = :u", "FilterExpression": "message_id > :m",
  "ExpressionAttributeValues": {":u": {"S": "ann"}, ":m": {"N": "2"}}}');
SELECT pg_temp.api('Query', '{"TableName": "chat", "IndexName": "by_user",
  "KeyConditions": {"user_id": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "ann"}]}},
  "QueryFilter": {"user_id": {"ComparisonOperator": "NOT_NULL"}}}');
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_user",
  "KeyConditionExpression": "user_id = :u", "FilterExpression": "chat_id = :c",
  "ExpressionAttributeValues": {":u": {"S": "ann"}, ":c": {"S": "c2"}}}');
-- Select and projections on a GSI that does not project everything
SELECT pg_temp.api('Query', '{"TableName": "chat", "IndexName": "by_user", "Select": "ALL_ATTRIBUTES",
  "KeyConditionExpression": "user_id = :u", "ExpressionAttributeValues": {":u": {"S": "ann"}}}');
SELECT pg_temp.api('Query', '{"TableName": "chat", "IndexName": "by_user",
  "KeyConditionExpression": "user_id = :u", "ExpressionAttributeValues": {":u": {"S": "ann"}},
  "ProjectionExpression": "lang, #t, num_attachments, lang2", "ExpressionAttributeNames": {"#t": "text"}}');
SELECT pg_temp.api('Query', '{"TableName": "chat", "IndexName": "by_user",
  "KeyConditions": {"user_id": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "ann"}]}},
  "AttributesToGet": ["lang"]}');
SELECT pg_temp.api('Scan', '{"TableName": "chat", "IndexName": "by_user", "Select": "ALL_ATTRIBUTES"}');
SELECT pg_temp.api('Scan', '{"TableName": "chat", "IndexName": "by_user", "ProjectionExpression": "lang.x"}');
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_user", "Select": "ALL_PROJECTED_ATTRIBUTES",
  "KeyConditionExpression": "user_id = :u", "ExpressionAttributeValues": {":u": {"S": "cid"}}}');
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_user", "Select": "SPECIFIC_ATTRIBUTES",
  "KeyConditionExpression": "user_id = :u", "ExpressionAttributeValues": {":u": {"S": "cid"}},
  "ProjectionExpression": "#t, chat_id", "ExpressionAttributeNames": {"#t": "text"}}');
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_user", "Select": "COUNT",
  "KeyConditionExpression": "user_id = :u", "ExpressionAttributeValues": {":u": {"S": "ann"}}}');
-- ConsistentRead: refused on a GSI, allowed on an LSI
SELECT pg_temp.api('Query', '{"TableName": "chat", "IndexName": "by_user", "ConsistentRead": true,
  "KeyConditionExpression": "user_id = :u", "ExpressionAttributeValues": {":u": {"S": "ann"}}}');
SELECT pg_temp.api('Scan', '{"TableName": "chat", "IndexName": "by_user", "ConsistentRead": true}');
SELECT dynpg.scan('{"TableName": "chat", "IndexName": "by_attachments", "ConsistentRead": true,
  "Select": "COUNT"}');
SELECT pg_temp.api('Query', '{"TableName": "chat", "IndexName": "nope",
  "KeyConditionExpression": "user_id = :u", "ExpressionAttributeValues": {":u": {"S": "ann"}}}');
-- key conditions name the index's keys
SELECT pg_temp.api('Query', '{"TableName": "chat", "IndexName": "by_user",
  "KeyConditionExpression": "chat_id = :u", "ExpressionAttributeValues": {":u": {"S": "c1"}}}');
SELECT pg_temp.api('Query', '{"TableName": "chat", "IndexName": "by_user",
  "KeyConditionExpression": "user_id = :u", "ExpressionAttributeValues": {":u": {"N": "1"}}}');
-- a key path may not look inside a key, the table's ("Key") or an index's ("IndexKey")
SELECT pg_temp.api('Scan', '{"TableName": "chat", "FilterExpression": "user_id.x = :u",
  "ExpressionAttributeValues": {":u": {"S": "c1"}}}');
SELECT pg_temp.api('Query', '{"TableName": "chat", "KeyConditionExpression": "chat_id = :c",
  "ProjectionExpression": "num_attachments[0]", "ExpressionAttributeValues": {":c": {"S": "c1"}}}');

-- ExclusiveStartKey of an index: the index's key and the table's, exactly
SELECT e AS esk, pg_temp.api('Query', jsonb_build_object('TableName', 'chat', 'IndexName', 'by_user',
  'KeyConditionExpression', 'user_id = :u', 'ExpressionAttributeValues', '{":u": {"S": "ann"}}'::jsonb,
  'ExclusiveStartKey', e::jsonb)) AS result
FROM (VALUES ('{}'), ('{"user_id": {"S": "ann"}, "message_id": {"N": "1"}}'),
             ('{"user_id": {"S": "ann"}, "message_id": {"N": "1"}, "text": {"S": "c1"}}'),
             ('{"user_id": {"N": "1"}, "message_id": {"N": "1"}, "chat_id": {"S": "c1"}}'),
             ('{"user_id": {"S": "ann"}, "message_id": {"S": "1"}, "chat_id": {"S": "c1"}}'),
             ('{"user_id": {"S": "ann"}, "message_id": {"N": "1"}, "chat_id": {"N": "1"}}'),
             ('{"user_id": {"S": "ann"}, "message_id": {"N": "1"}, "chat_id": {"S": ""}}'),
             ('{"user_id": {"S": "bob"}, "message_id": {"N": "1"}, "chat_id": {"S": "c1"}}'),
             ('{"user_id": {"S": "ann"}, "message_id": {"N": "3"}, "chat_id": {"S": "c1"}}'),
             ('{"user_id": {"S": "ann"}, "message_id": {"N": "3"}, "chat_id": {"S": "c1"}, "x": {"S": "y"}}')) v(e);
SELECT e AS esk, pg_temp.api('Query', jsonb_build_object('TableName', 'chat', 'IndexName', 'by_attachments',
  'KeyConditionExpression', 'chat_id = :c AND num_attachments > :n',
  'ExpressionAttributeValues', '{":c": {"S": "c1"}, ":n": {"N": "1"}}'::jsonb,
  'ExclusiveStartKey', e::jsonb)) AS result
FROM (VALUES ('{"chat_id": {"S": "c1"}, "message_id": {"N": "1"}}'),
             ('{"chat_id": {"S": "c1"}, "message_id": {"N": "1"}, "num_attachments": {"N": "0"}}'),
             ('{"chat_id": {"S": "c2"}, "message_id": {"N": "1"}, "num_attachments": {"N": "2"}}'),
             ('{"chat_id": {"S": "c1"}, "message_id": {"N": "2"}, "num_attachments": {"N": "3"}}')) v(e);
SELECT e AS esk, pg_temp.api('Scan', jsonb_build_object('TableName', 'chat', 'IndexName', 'by_user',
  'ExclusiveStartKey', e::jsonb) || x::jsonb) AS result
FROM (VALUES ('{}', '{}'), ('{"user_id": {"S": "ann"}, "message_id": {"N": "1"}}', '{}'),
             ('{"user_id": {"S": "ann"}, "message_id": {"N": "1"}, "x": {"S": "c1"}}', '{}'),
             ('{"user_id": {"N": "1"}, "message_id": {"N": "1"}, "chat_id": {"S": "c1"}}', '{}'),
             ('{"user_id": {"S": "ann"}, "message_id": {"N": "1"}, "chat_id": {"N": "1"}}', '{}'),
             ('{"user_id": {"S": "ann"}, "message_id": {"N": "1"}, "chat_id": {"N": "1"}}', '{"Select": "ALL_ATTRIBUTES"}'),
             ('{"user_id": {"S": "ann"}, "message_id": {"N": "1"}, "chat_id": {"S": "c1"}}', '{"Segment": 0, "TotalSegments": 1000}'),
             ('{"user_id": {"S": "ann"}, "message_id": {"N": "1"}, "chat_id": {"S": "c1"}}', '{"Select": "COUNT"}')) v(e, x);

-- Scan of an index: the projected entries; DescribeTable counts per keyspace
SELECT item FROM dynpg.scan_items('chat', index_name => 'by_user') ORDER BY item::text;
SELECT item FROM dynpg.scan_items('chat', index_name => 'by_attachments') ORDER BY item::text;
SELECT d -> 'ItemCount' AS items, d -> 'TableSizeBytes' AS bytes,
       (SELECT jsonb_agg(jsonb_build_object('n', i -> 'IndexName', 'c', i -> 'ItemCount', 'b', i -> 'IndexSizeBytes'))
          FROM jsonb_array_elements((d -> 'LocalSecondaryIndexes') || (d -> 'GlobalSecondaryIndexes')) i) AS indexes
  FROM (SELECT dynpg.describe_table('{"TableName": "chat"}') -> 'Table' AS d) t;
-- the sizes are the projected items' (DynamoDB's item size of each entry)
SELECT sum(dynpg.item_size(item)) AS by_user_bytes FROM dynpg.scan_items('chat', index_name => 'by_user');
SELECT sum(dynpg.item_size(item)) AS table_bytes, count(*) FROM dynpg.scan_items('chat');

-- items move between index keys: UpdateItem, DeleteItem
SELECT dynpg.update('chat', '{"chat_id": "c1", "message_id": 1}'::jsonb,
  'SET user_id = :u, num_attachments = :n', '{":u": "cid", ":n": 9}'::jsonb) IS NOT NULL AS updated;
SELECT dynpg.update('chat', '{"chat_id": "c1", "message_id": 7}'::jsonb,
  'SET user_id = :u', '{":u": "ann"}'::jsonb) IS NOT NULL AS updated;
SELECT dynpg.update('chat', '{"chat_id": "c1", "message_id": 3}'::jsonb,
  'REMOVE user_id, num_attachments') IS NOT NULL AS updated;
SELECT dynpg.delete('chat', '{"chat_id": "c1", "message_id": 4}'::jsonb) IS NOT NULL AS deleted;
SELECT pg_temp.apply();
SELECT u, (SELECT string_agg((item -> 'chat_id' ->> 'S') || '/' || (item -> 'message_id' ->> 'N'), ' ')
             FROM dynpg.query_items('chat', 'user_id = :u', jsonb_build_object(':u', u), index_name => 'by_user')) AS messages
  FROM unnest(ARRAY['ann', 'bob', 'cid']) u;
SELECT string_agg((item -> 'num_attachments' ->> 'N') || '/' || (item -> 'message_id' ->> 'N'), ' ') AS by_attachments
  FROM dynpg.query_items('chat', 'chat_id = :c', '{":c": "c1"}', index_name => 'by_attachments');
SELECT (d -> 'ItemCount') AS items,
       (SELECT jsonb_agg(jsonb_build_object('n', i -> 'IndexName', 'c', i -> 'ItemCount'))
          FROM jsonb_array_elements((d -> 'LocalSecondaryIndexes') || (d -> 'GlobalSecondaryIndexes')) i) AS indexes
  FROM (SELECT dynpg.describe_table('{"TableName": "chat"}') -> 'Table' AS d) t;

-- ---------------------------------------------------------------------
-- Every operator on S, N and B index sort keys against a brute-force filter
-- ---------------------------------------------------------------------
SELECT dynpg.create_table('{"TableName": "ops", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"},
    {"AttributeName": "r", "AttributeType": "N"}, {"AttributeName": "gp", "AttributeType": "S"},
    {"AttributeName": "s", "AttributeType": "S"}, {"AttributeName": "n", "AttributeType": "N"},
    {"AttributeName": "b", "AttributeType": "B"}],
  "LocalSecondaryIndexes": [
    {"IndexName": "l_s", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}},
    {"IndexName": "l_n", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}},
    {"IndexName": "l_b", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "g_s", "KeySchema": [{"AttributeName": "gp", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}},
    {"IndexName": "g_n", "KeySchema": [{"AttributeName": "gp", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}},
    {"IndexName": "g_b", "KeySchema": [{"AttributeName": "gp", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}},
    {"IndexName": "g_h", "KeySchema": [{"AttributeName": "s", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}]}') IS NOT NULL AS created;
CREATE TEMP TABLE sv(v text);   -- S values
INSERT INTO sv VALUES ('a'), ('ab'), ('abc'), ('b'), ('abcdefg'), ('abcdefgh'), ('abcdefghi'),
  ('abcdefgh' || chr(1)), ('abcdefghabcdefgh'), ('abcdefghabcdefgha'), ('é'), ('éa'), ('z'), ('A'), (chr(1)), ('a' || chr(127));
CREATE TEMP TABLE nv(v text);   -- N values
INSERT INTO nv VALUES ('-100'), ('-10'), ('-1.5'), ('-1'), ('-0.001'), ('0'), ('0.001'), ('1'), ('1.5'), ('10'),
  ('100'), ('1E+10'), ('-1E-10'), ('12345678901234567890'), ('2'), ('20');
CREATE TEMP TABLE bv(v bytea);  -- B values
INSERT INTO bv VALUES ('\x00'), ('\x0000'), ('\x000001'), ('\x01'), ('\x0100'), ('\xff'), ('\xffff'), ('\xff00'),
  ('\x00ff'), ('\x6162636465666768'), ('\x616263646566676800'), ('\x6162636465666768ff'), ('\x61626364656667686162636465666768'),
  ('\x6162636465666768616263646566676801'), ('\x61'), ('\xfe');
-- 64 items in one partition (p x, gp x), values with repeats (ties), some missing (sparse)
SELECT count(*) FROM (SELECT dynpg.put('ops', (jsonb_build_object('p', '{"S": "x"}'::jsonb, 'gp', '{"S": "x"}'::jsonb,
    'r', jsonb_build_object('N', i::text), 'x', jsonb_build_object('S', 'x' || i))
  || CASE WHEN i % 9 <> 4 THEN jsonb_build_object('s', jsonb_build_object('S',
        (SELECT v FROM sv ORDER BY v OFFSET (i * 7) % 16 LIMIT 1))) ELSE '{}' END
  || CASE WHEN i % 10 <> 3 THEN jsonb_build_object('n', jsonb_build_object('N',
        (SELECT v FROM nv ORDER BY v OFFSET (i * 5) % 16 LIMIT 1))) ELSE '{}' END
  || CASE WHEN i % 8 <> 5 THEN jsonb_build_object('b', jsonb_build_object('B',
        encode((SELECT v FROM bv ORDER BY v OFFSET (i * 3) % 16 LIMIT 1), 'base64'))) ELSE '{}' END)::dynpg.item)
  FROM generate_series(1, 64) i) w;
SELECT pg_temp.apply();
SELECT count(*) FILTER (WHERE item ? 's') AS with_s, count(*) FILTER (WHERE item ? 'n') AS with_n,
       count(*) FILTER (WHERE item ? 'b') AS with_b FROM dynpg.scan_items('ops');

-- a sort value's order key, for checking the order of results
CREATE FUNCTION pg_temp.okey(t text, v jsonb) RETURNS bytea LANGUAGE sql AS $$
	SELECT CASE t WHEN 'S' THEN convert_to(v ->> 'S', 'UTF8') WHEN 'B' THEN decode(v ->> 'B', 'base64') END $$;
-- One check: Query on index 'idx' with key condition 'cond' on sort attribute 'a'
-- against a Scan of the table filtered by the same condition; problems, or ''.
CREATE FUNCTION pg_temp.check(idx text, pk text, a text, t text, cond text, vals jsonb)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	fwd int[]; bwd int[]; want int[]; ordered boolean;
	v jsonb := vals || jsonb_build_object(':p', '{"S": "x"}'::jsonb);
BEGIN
	SELECT array_agg((item -> 'r' ->> 'N')::int ORDER BY o) INTO fwd
	  FROM dynpg.query_request_items(jsonb_build_object('TableName', 'ops', 'IndexName', idx,
	    'KeyConditionExpression', pk || ' = :p AND ' || cond, 'ExpressionAttributeValues', v))
	    WITH ORDINALITY AS q(item, o);
	SELECT array_agg((item -> 'r' ->> 'N')::int ORDER BY o DESC) INTO bwd
	  FROM dynpg.query_request_items(jsonb_build_object('TableName', 'ops', 'IndexName', idx,
	    'KeyConditionExpression', pk || ' = :p AND ' || cond, 'ExpressionAttributeValues', v,
	    'ScanIndexForward', false)) WITH ORDINALITY AS q(item, o);
	SELECT array_agg((item -> 'r' ->> 'N')::int ORDER BY (item -> 'r' ->> 'N')::int) INTO want
	  FROM dynpg.scan_request_items(jsonb_build_object('TableName', 'ops',
	    'FilterExpression', cond, 'ExpressionAttributeValues', vals)) AS s(item);
	IF (SELECT array_agg(x ORDER BY x) FROM unnest(fwd) x) IS DISTINCT FROM want THEN
		RETURN format('%s %s: got %s, want %s', idx, cond, fwd, want);
	END IF;
	IF fwd IS DISTINCT FROM bwd THEN
		RETURN format('%s %s: backward %s is not forward %s reversed', idx, cond, bwd, fwd);
	END IF;
	-- forward: sort values never decrease
	SELECT bool_and(ok) INTO ordered FROM (
	  SELECT CASE t WHEN 'N' THEN (lag(val ->> 'N') OVER w)::numeric <= (val ->> 'N')::numeric
	                ELSE pg_temp.okey(t, lag(val) OVER w) <= pg_temp.okey(t, val) END AS ok
	    FROM (SELECT item -> a AS val, o FROM dynpg.query_request_items(jsonb_build_object('TableName', 'ops',
	      'IndexName', idx, 'KeyConditionExpression', pk || ' = :p AND ' || cond,
	      'ExpressionAttributeValues', v)) WITH ORDINALITY AS q(item, o)) z
	    WINDOW w AS (ORDER BY o)) y;
	IF NOT coalesce(ordered, true) THEN
		RETURN format('%s %s: out of order', idx, cond);
	END IF;
	RETURN '';
END $$;
CREATE TEMP TABLE probes(t text, v jsonb);
INSERT INTO probes SELECT 'S', jsonb_build_object('S', v) FROM sv
  UNION ALL SELECT 'S', jsonb_build_object('S', v) FROM unnest(ARRAY['aa', 'abcdefgh' || chr(2), 'abcdefgha', 'c', 'é' || chr(127), chr(127), '0']) v;
INSERT INTO probes SELECT 'N', jsonb_build_object('N', v) FROM nv
  UNION ALL SELECT 'N', jsonb_build_object('N', v) FROM unnest(ARRAY['-5', '0.5', '1E+11', '-1E+11', '1.25']) v;
INSERT INTO probes SELECT 'B', jsonb_build_object('B', encode(v, 'base64')) FROM bv
  UNION ALL SELECT 'B', jsonb_build_object('B', encode(v, 'base64'))
    FROM unnest(ARRAY['\x0001'::bytea, '\xffffff', '\x616263646566676861', '\x6162636465666767ff', '\x02']) v;
CREATE TEMP TABLE idx(name text, pk text, a text, t text);
INSERT INTO idx VALUES ('l_s', 'p', 's', 'S'), ('g_s', 'gp', 's', 'S'), ('l_n', 'p', 'n', 'N'),
  ('g_n', 'gp', 'n', 'N'), ('l_b', 'p', 'b', 'B'), ('g_b', 'gp', 'b', 'B');
CREATE TEMP TABLE results AS
SELECT i.name, op, pg_temp.check(i.name, i.pk, i.a, i.t,
         CASE WHEN op = 'begins_with' THEN format('begins_with(%s, :v)', i.a)
              WHEN op = 'BETWEEN' THEN format('%s BETWEEN :v AND :w', i.a)
              ELSE format('%s %s :v', i.a, op) END,
         jsonb_build_object(':v', p.v) || CASE WHEN op = 'BETWEEN' THEN jsonb_build_object(':w', p2.v) ELSE '{}' END) AS problem
  FROM idx i CROSS JOIN unnest(ARRAY['=', '<', '<=', '>', '>=', 'BETWEEN', 'begins_with']) op
  JOIN probes p ON p.t = i.t
  LEFT JOIN LATERAL (SELECT q.v FROM probes q WHERE q.t = i.t AND
      CASE i.t WHEN 'N' THEN (q.v ->> 'N')::numeric >= (p.v ->> 'N')::numeric
               ELSE pg_temp.okey(i.t, q.v) >= pg_temp.okey(i.t, p.v) END
    ORDER BY random() LIMIT 3) p2 ON op = 'BETWEEN'
 WHERE op <> 'begins_with' OR i.t <> 'N';
SELECT name, count(*) AS checks, count(*) FILTER (WHERE problem <> '') AS problems
  FROM results GROUP BY name ORDER BY name;
SELECT problem FROM results WHERE problem <> '' LIMIT 10;
-- begins_with with prefixes of many values: how many matched (so the brute force is not vacuous)
SELECT count(*) FILTER (WHERE (SELECT count(*) FROM dynpg.query_request_items(jsonb_build_object('TableName', 'ops',
    'IndexName', 'g_b', 'KeyConditionExpression', 'gp = :p AND begins_with(b, :v)',
    'ExpressionAttributeValues', jsonb_build_object(':p', '{"S": "x"}'::jsonb, ':v', v)))) > 1) AS probes_matching_several
  FROM probes WHERE t = 'B';
-- a GSI with a partition key only: every partition, one Query each, covers the entries
SELECT (SELECT sum((dynpg.query(jsonb_build_object('TableName', 'ops', 'IndexName', 'g_h',
          'KeyConditionExpression', 's = :s', 'ExpressionAttributeValues', jsonb_build_object(':s', jsonb_build_object('S', v))))
          ->> 'Count')::int) FROM sv) AS by_partition,
       (SELECT count(*) FROM dynpg.scan_items('ops', index_name => 'g_h')) AS scanned,
       (SELECT count(*) FROM dynpg.scan_items('ops', 'attribute_exists(s)')) AS with_s;

-- ---------------------------------------------------------------------
-- Paging: LastEvaluatedKey into ExclusiveStartKey equals one full read
-- ---------------------------------------------------------------------
CREATE FUNCTION pg_temp.pages(req jsonb, op text DEFAULT 'Query') RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r jsonb; got int[] := '{}'; pages int := 0; full_read int[];
BEGIN
	LOOP
		r := dynpg.execute(op, req);
		pages := pages + 1;
		got := got || coalesce((SELECT array_agg((i -> 'r' ->> 'N')::int ORDER BY o)
		                          FROM jsonb_array_elements(r -> 'Items') WITH ORDINALITY AS e(i, o)), '{}');
		EXIT WHEN NOT r ? 'LastEvaluatedKey' OR pages > 200;
		req := req || jsonb_build_object('ExclusiveStartKey', r -> 'LastEvaluatedKey');
	END LOOP;
	r := dynpg.execute(op, (req - 'ExclusiveStartKey' - 'Limit'));
	full_read := coalesce((SELECT array_agg((i -> 'r' ->> 'N')::int ORDER BY o)
	                         FROM jsonb_array_elements(r -> 'Items') WITH ORDINALITY AS e(i, o)), '{}');
	RETURN format('%s pages, %s items, same as one read: %s', pages, cardinality(got), got = full_read);
END $$;
SELECT i.name, l AS limit, f AS forward, pg_temp.pages(jsonb_build_object('TableName', 'ops', 'IndexName', i.name,
    'KeyConditionExpression', i.pk || ' = :p', 'ExpressionAttributeValues', '{":p": {"S": "x"}}'::jsonb,
    'Limit', l, 'ScanIndexForward', f)) AS result
  FROM idx i CROSS JOIN (VALUES (1), (7)) lv(l) CROSS JOIN (VALUES (true), (false)) fv(f)
 ORDER BY 1, 2, 3;
-- with a sort-key condition and a filter, the LastEvaluatedKey holds both keys
SELECT pg_temp.pages('{"TableName": "ops", "IndexName": "g_n", "KeyConditionExpression": "gp = :p AND n BETWEEN :a AND :b",
  "FilterExpression": "r > :r", "ExpressionAttributeValues": {":p": {"S": "x"}, ":a": {"N": "-1.5"}, ":b": {"N": "10"}, ":r": {"N": "20"}},
  "Limit": 3}');
SELECT dynpg.query('{"TableName": "ops", "IndexName": "g_n", "KeyConditionExpression": "gp = :p AND n > :a",
  "ExpressionAttributeValues": {":p": {"S": "x"}, ":a": {"N": "100"}}, "Limit": 1}') -> 'LastEvaluatedKey' AS lek;
SELECT dynpg.query('{"TableName": "ops", "IndexName": "l_b", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "x"}}, "Limit": 1, "ScanIndexForward": false}') -> 'LastEvaluatedKey' AS lek;
-- Scan of an index, by Limit and in segments: the union is the whole index, once
SELECT i.name, pg_temp.pages(jsonb_build_object('TableName', 'ops', 'IndexName', i.name, 'Limit', 5), 'Scan') AS result
  FROM idx i ORDER BY 1;
SELECT i.name, (SELECT array_agg(r ORDER BY r) FROM (
          SELECT (item -> 'r' ->> 'N')::int AS r
            FROM generate_series(0, 6) seg,
                 dynpg.scan_items('ops', index_name => i.name, segment => seg, total_segments => 7)) s)
       = (SELECT array_agg((item -> 'r' ->> 'N')::int ORDER BY (item -> 'r' ->> 'N')::int)
            FROM dynpg.scan_items('ops', index_name => i.name)) AS segments_cover,
       (SELECT count(*) FROM dynpg.scan_items('ops', index_name => i.name)) AS entries
  FROM idx i ORDER BY 1;
-- payloads: KEYS_ONLY, INCLUDE, ALL
SELECT i.name, (SELECT array_agg(DISTINCT k ORDER BY k) FROM dynpg.scan_items('ops', index_name => i.name) s,
                  jsonb_object_keys(s.item::jsonb) k) AS attributes
  FROM idx i ORDER BY 1;
-- 1 MB pages count the projected size: a KEYS_ONLY index of large items
SELECT dynpg.create_table('{"TableName": "big", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "N"}, {"AttributeName": "g", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "keys", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}},
    {"IndexName": "all", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}') IS NOT NULL AS created;
SELECT count(*) FROM (SELECT dynpg.put('big', jsonb_build_object('p', i, 'g', 'g', 'pad', repeat('x', 100000))) FROM generate_series(1, 25) i) w;
SELECT pg_temp.apply();
SELECT n, (r ->> 'Count') AS count, r ? 'LastEvaluatedKey' AS more
  FROM unnest(ARRAY['keys', 'all']) n, LATERAL (SELECT dynpg.query(jsonb_build_object('TableName', 'big', 'IndexName', n,
    'KeyConditionExpression', 'g = :g', 'ExpressionAttributeValues', '{":g": {"S": "g"}}'::jsonb,
    'Select', 'COUNT'))) q(r);
SELECT d -> 'ItemCount' AS items, (d ->> 'TableSizeBytes')::bigint > 2500000 AS table_big,
       (SELECT jsonb_agg(jsonb_build_object('n', i -> 'IndexName', 'c', i -> 'ItemCount', 'b', i -> 'IndexSizeBytes'))
          FROM jsonb_array_elements(d -> 'GlobalSecondaryIndexes') i) AS indexes
  FROM (SELECT dynpg.describe_table('{"TableName": "big"}') -> 'Table' AS d) t;
SELECT sum(dynpg.item_size(item)) AS k_bytes FROM dynpg.scan_items('big', index_name => 'keys');

-- the largest keys: a 64-byte table partition key with a 1,024-byte sort key,
-- a GSI with a 2,048-byte partition key and a 1,024-byte binary sort key of
-- zero bytes (group-encoded to 1,152), an LSI likewise: entry keys of about
-- 2.3 KB, two to a leaf, so splits at every level must find a point where
-- both halves fit with their high keys
CREATE FUNCTION pg_temp.b64(h text) RETURNS text LANGUAGE sql AS $$ SELECT translate(encode(decode(h, 'hex'), 'base64'), E'\n', '') $$;
SELECT dynpg.create_table('{"TableName": "bigkeys", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "S"},
    {"AttributeName": "gp", "AttributeType": "S"}, {"AttributeName": "gs", "AttributeType": "B"}, {"AttributeName": "ls", "AttributeType": "B"}],
  "LocalSecondaryIndexes": [{"IndexName": "lsi", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
    {"AttributeName": "ls", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}],
  "GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": [{"AttributeName": "gp", "KeyType": "HASH"},
    {"AttributeName": "gs", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}') IS NOT NULL AS created;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'bigkeys', 'Item', jsonb_build_object(
  'p', jsonb_build_object('S', repeat('p', 64)),
  's', jsonb_build_object('S', repeat('s', 1020) || lpad(i::text, 4, '0')),
  'gp', jsonb_build_object('S', repeat('g', 2048)),
  'gs', jsonb_build_object('B', pg_temp.b64(repeat('00', 1020) || lpad(to_hex(i), 8, '0'))),
  'ls', jsonb_build_object('B', pg_temp.b64(repeat('00', 1016) || lpad(to_hex(i), 16, '0'))),
  'v', jsonb_build_object('S', repeat(md5(i::text), 30)))))) AS written FROM generate_series(1, 60) i;
-- moving half of them in the GSI
SELECT count(dynpg.update_item(jsonb_build_object('TableName', 'bigkeys', 'Key', jsonb_build_object(
  'p', jsonb_build_object('S', repeat('p', 64)), 's', jsonb_build_object('S', repeat('s', 1020) || lpad(i::text, 4, '0'))),
  'UpdateExpression', 'SET gs = :v', 'ExpressionAttributeValues', jsonb_build_object(':v',
    jsonb_build_object('B', pg_temp.b64(repeat('ff', 1023) || lpad(to_hex(i), 2, '0'))))))) AS moved
  FROM generate_series(1, 60, 2) i;
SELECT dynpg._apply_index_changes() >= 0 AS applied;
SELECT count(*) AS gsi_items FROM dynpg.query_items('bigkeys', 'gp = :g', jsonb_build_object(':g', repeat('g', 2048)), index_name => 'gsi');
SELECT dynpg.query(jsonb_build_object('TableName', 'bigkeys', 'IndexName', 'gsi', 'Select', 'COUNT',
  'KeyConditionExpression', 'gp = :g AND gs > :x', 'ExpressionAttributeValues', jsonb_build_object(
    ':g', jsonb_build_object('S', repeat('g', 2048)), ':x', jsonb_build_object('B', pg_temp.b64(repeat('fe', 1024)))))) -> 'Count' AS gsi_moved;
SELECT dynpg.query(jsonb_build_object('TableName', 'bigkeys', 'IndexName', 'lsi', 'Select', 'COUNT', 'ScanIndexForward', false,
  'KeyConditionExpression', 'p = :p AND ls > :x', 'ExpressionAttributeValues', jsonb_build_object(
    ':p', jsonb_build_object('S', repeat('p', 64)),
    ':x', jsonb_build_object('B', pg_temp.b64(repeat('00', 1016) || lpad(to_hex(50), 16, '0')))))) -> 'Count' AS lsi_above_50;
SELECT v ->> 'ok' AS ok, v -> 'indexes' AS indexes, v -> 'live_items' AS items, v -> 'live_index_entries' AS entries
  FROM dynpg.verify('bigkeys') AS v;
SELECT dynpg.delete_table('{"TableName": "bigkeys"}') IS NOT NULL AS dropped;

-- ConsumedCapacity: INDEXES charges the index read to the index, nothing to
-- the table; TOTAL has the sum only
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_user", "KeyConditionExpression": "user_id = :u",
  "ExpressionAttributeValues": {":u": {"S": "ann"}}, "Select": "COUNT", "ReturnConsumedCapacity": "INDEXES"}') -> 'ConsumedCapacity' AS gsi_indexes;
SELECT dynpg.query('{"TableName": "chat", "IndexName": "by_user", "KeyConditionExpression": "user_id = :u",
  "ExpressionAttributeValues": {":u": {"S": "ann"}}, "Select": "COUNT", "ReturnConsumedCapacity": "TOTAL"}') -> 'ConsumedCapacity' AS gsi_total;
SELECT dynpg.scan('{"TableName": "chat", "IndexName": "by_attachments", "Select": "COUNT", "ConsistentRead": true,
  "ReturnConsumedCapacity": "INDEXES"}') -> 'ConsumedCapacity' AS lsi_indexes;
SELECT dynpg.scan('{"TableName": "chat", "Select": "COUNT", "ReturnConsumedCapacity": "INDEXES"}') -> 'ConsumedCapacity' AS table_indexes;

-- the test helper is for superusers only
CREATE ROLE index_reads_user;
SET ROLE index_reads_user;
SELECT dynpg._apply_index_changes();
RESET ROLE;
DROP ROLE index_reads_user;
SELECT dynpg.delete_table('{"TableName": "chat"}') IS NOT NULL AS dropped;
SELECT dynpg.delete_table('{"TableName": "ops"}') IS NOT NULL AS dropped;
SELECT dynpg.delete_table('{"TableName": "big"}') IS NOT NULL AS dropped;
SELECT count(*) AS pending FROM dynpg.index_changes;
