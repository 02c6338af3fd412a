-- Query (src/api/query_ops.c, src/expr/expr_key.c): key conditions and
-- their checks, the legacy KeyConditions, filters, projections, Select,
-- Count and ScannedCount, ScanIndexForward, paging by Limit and by 1 MB
-- with LastEvaluatedKey and ExclusiveStartKey, which leaves a Query reads,
-- the SQL layer's query_items, and the order in which DynamoDB reports
-- what is wrong with a request.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;   -- dynpg.item's operators (->, ->>)

\i sql/include/item_helpers.sql
-- A Query of table 'posts' with this key condition (and these values, plus
-- whatever else 'extra' holds): the sort keys of the items it returns, in
-- order, or the error.
CREATE FUNCTION pg_temp.q(tab text, kce text, vals jsonb, extra jsonb DEFAULT '{}')
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
	sk text := CASE tab WHEN 'posts' THEN 'seq' WHEN 'words' THEN 'word' WHEN 'bins' THEN 'bin'
		ELSE 'PersonID' END;
BEGIN
	r := dynpg.query(jsonb_build_object('TableName', tab, 'KeyConditionExpression', kce,
		'ExpressionAttributeValues', vals) || extra);
	RETURN coalesce((SELECT string_agg(coalesce(i -> sk ->> 'N', i -> sk ->> 'S', i -> sk ->> 'B'), ' ' ORDER BY o)
		FROM jsonb_array_elements(r -> 'Items') WITH ORDINALITY AS e(i, o)), '(none)');
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

SELECT dynpg.create_table('{"TableName": "posts", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "topic", "KeyType": "HASH"}, {"AttributeName": "seq", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "topic", "AttributeType": "S"}, {"AttributeName": "seq", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS posts;
SELECT dynpg.create_table('{"TableName": "words", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "lang", "KeyType": "HASH"}, {"AttributeName": "word", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "lang", "AttributeType": "N"}, {"AttributeName": "word", "AttributeType": "S"}]}') -> 'TableDescription' -> 'TableStatus' AS words;
SELECT dynpg.create_table('{"TableName": "bins", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "bin", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "B"}, {"AttributeName": "bin", "AttributeType": "B"}]}') -> 'TableDescription' -> 'TableStatus' AS bins;
SELECT dynpg.create_table('{"TableName": "people", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "PersonID", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "PersonID", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS people;

-- posts: topic "t" has seq -5, -1.5, 0, 1 .. 10, 2.5 and 100 (number order,
-- not text order); topic "u" three more; "n" is seq mod 3 for whole seqs
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'posts', 'Item', jsonb_build_object(
	'topic', jsonb_build_object('S', 't'), 'seq', jsonb_build_object('N', s),
	'n', jsonb_build_object('N', CASE WHEN s ~ '^[0-9]+$' THEN (s::int % 3)::text ELSE '-1' END),
	'body', jsonb_build_object('S', 'post ' || s),
	'tags', '{"SS": ["x", "y"]}'::jsonb,
	'meta', jsonb_build_object('M', jsonb_build_object('len', jsonb_build_object('N', length(s)::text))))))) AS put
  FROM unnest(ARRAY['-5', '-1.5', '0', '1', '2', '2.5', '3', '4', '5', '6', '7', '8', '9', '10', '100']) AS s;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'posts', 'Item', jsonb_build_object(
	'topic', '{"S": "u"}'::jsonb, 'seq', jsonb_build_object('N', s::text), 'body', jsonb_build_object('S', 'other ' || s))))) AS put
  FROM generate_series(1, 3) AS s;
-- words: lang 1 has words sharing prefixes, in byte order (upper case
-- before lower case, "é" after "z"); lang 2 one word
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'words', 'Item', jsonb_build_object(
	'lang', '{"N": "1"}'::jsonb, 'word', jsonb_build_object('S', w), 'len', jsonb_build_object('N', length(w)::text))))) AS put
  FROM unnest(ARRAY['a', 'ab', 'abc', 'abd', 'b', 'ba', 'band', 'bandana', 'Band', 'z', 'é', 'éa']) AS w;
SELECT dynpg.put_item('{"TableName": "words", "Item": {"lang": {"N": "2"}, "word": {"S": "ab"}}}');
-- bins: sort keys 00, 00 01, 01, 01 02, ff (base64 AA==, AAE=, AQ==, AQI=, /w==)
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'bins', 'Item', jsonb_build_object(
	'id', '{"B": "AQID"}'::jsonb, 'bin', jsonb_build_object('B', b))))) AS put
  FROM unnest(ARRAY['AA==', 'AAE=', 'AQ==', 'AQI=', '/w==']) AS b;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'people', 'Item', jsonb_build_object(
	'PersonID', jsonb_build_object('N', i::text), 'name', jsonb_build_object('S', 'person ' || i))))) AS put
  FROM generate_series(1, 5) AS i;

--
-- A Query returns the partition's items in sort-key order
--
SELECT dynpg.query('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}}}');
SELECT pg_temp.q('posts', 'topic = :t', '{":t": {"S": "t"}}');
-- backward with ScanIndexForward false
SELECT pg_temp.q('posts', 'topic = :t', '{":t": {"S": "t"}}', '{"ScanIndexForward": false}');
SELECT pg_temp.q('posts', 'topic = :t', '{":t": {"S": "t"}}', '{"ScanIndexForward": true}');
-- a partition with no items, and one that does not exist in the table at all
SELECT dynpg.query('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "nothing"}}}');
-- a table with only a partition key: a Query returns at most one item
SELECT dynpg.query('{"TableName": "people", "KeyConditionExpression": "PersonID = :p", "ExpressionAttributeValues": {":p": {"N": "3"}}}');
SELECT dynpg.query('{"TableName": "people", "KeyConditionExpression": "PersonID = :p", "ExpressionAttributeValues": {":p": {"N": "30"}}}');
-- numbers are keys by value: 3.0 is 3
SELECT dynpg.query('{"TableName": "people", "KeyConditionExpression": "PersonID = :p", "ExpressionAttributeValues": {":p": {"N": "3.0E0"}}}') -> 'Count' AS count_of_3_0;

--
-- Sort-key conditions: =, <, <=, >, >=, BETWEEN, begins_with, on either
-- side of the operator, forward and backward
--
SELECT kce, pg_temp.q('posts', kce, vals) AS forward,
       pg_temp.q('posts', kce, vals, '{"ScanIndexForward": false}') AS backward
  FROM (VALUES ('topic = :t AND seq = :a', '{":t": {"S": "t"}, ":a": {"N": "2.5"}}'::jsonb),
               ('topic = :t AND seq < :a', '{":t": {"S": "t"}, ":a": {"N": "2.5"}}'),
               ('topic = :t AND seq <= :a', '{":t": {"S": "t"}, ":a": {"N": "2.5"}}'),
               ('topic = :t AND seq > :b', '{":t": {"S": "t"}, ":b": {"N": "9"}}'),
               ('topic = :t AND seq >= :b', '{":t": {"S": "t"}, ":b": {"N": "9"}}'),
               ('topic = :t AND seq BETWEEN :a AND :b', '{":t": {"S": "t"}, ":a": {"N": "2.5"}, ":b": {"N": "9"}}'),
               ('seq BETWEEN :a AND :b AND topic = :t', '{":t": {"S": "t"}, ":a": {"N": "2.5"}, ":b": {"N": "9"}}'),
               ('topic = :t AND :a > seq', '{":t": {"S": "t"}, ":a": {"N": "2.5"}}'),
               ('topic = :t AND :a <= seq', '{":t": {"S": "t"}, ":a": {"N": "2.5"}}'),
               (':t = topic AND :b < seq', '{":t": {"S": "t"}, ":b": {"N": "9"}}'),
               (':t = topic AND :b >= seq', '{":t": {"S": "t"}, ":b": {"N": "9"}}'),
               ('(topic = :t) AND (seq > :b)', '{":t": {"S": "t"}, ":b": {"N": "9"}}'),
               ('((topic = :t) AND seq < :a)', '{":t": {"S": "t"}, ":a": {"N": "2.5"}}'),
               ('topic = :t and seq between :a and :a', '{":t": {"S": "t"}, ":a": {"N": "2.5"}}')) AS k(kce, vals);
-- names through ExpressionAttributeNames; key attribute names are case-sensitive
SELECT pg_temp.q('posts', '#t = :t AND #s >= :a', '{":t": {"S": "t"}, ":a": {"N": "9"}}',
                 '{"ExpressionAttributeNames": {"#t": "topic", "#s": "seq"}}') AS with_names;
SELECT pg_temp.q('posts', 'Topic = :t', '{":t": {"S": "t"}}') AS wrong_case;
-- no item matches: an empty page, not an error
SELECT kce, pg_temp.q('posts', kce, vals) AS items
  FROM (VALUES ('topic = :t AND seq > :a', '{":t": {"S": "t"}, ":a": {"N": "1000"}}'::jsonb),
               ('topic = :t AND seq < :a', '{":t": {"S": "t"}, ":a": {"N": "-1000"}}'),
               ('topic = :t AND seq = :a', '{":t": {"S": "t"}, ":a": {"N": "11"}}'),
               ('topic = :t AND seq BETWEEN :a AND :b', '{":t": {"S": "t"}, ":a": {"N": "10.5"}, ":b": {"N": "99"}}')) AS k(kce, vals);
-- a number condition compares numbers: 2.50 is 2.5, 1e1 is 10
SELECT pg_temp.q('posts', 'topic = :t AND seq BETWEEN :a AND :b', '{":t": {"S": "t"}, ":a": {"N": "2.50"}, ":b": {"N": "1e1"}}') AS between_2_5_and_10;
-- begins_with on a string sort key: bytes, so case matters
SELECT p, pg_temp.q('words', 'lang = :l AND begins_with(word, :p)', jsonb_build_object(':l', '{"N": "1"}'::jsonb, ':p', jsonb_build_object('S', p))) AS forward,
       pg_temp.q('words', 'lang = :l AND begins_with(word, :p)', jsonb_build_object(':l', '{"N": "1"}'::jsonb, ':p', jsonb_build_object('S', p)), '{"ScanIndexForward": false}') AS backward
  FROM unnest(ARRAY['a', 'ab', 'abc', 'b', 'ban', 'B', 'c', 'é', 'bandanas']) AS p;
SELECT pg_temp.q('words', 'lang = :l', '{":l": {"N": "1"}}') AS all_words;
SELECT pg_temp.q('words', 'lang = :l AND word BETWEEN :a AND :b', '{":l": {"N": "1"}, ":a": {"S": "ab"}, ":b": {"S": "ba"}}') AS ab_to_ba;
SELECT pg_temp.q('words', 'lang = :l AND word > :a', '{":l": {"N": "1"}, ":a": {"S": "z"}}') AS after_z;
-- begins_with on a binary sort key
SELECT p, pg_temp.q('bins', 'id = :i AND begins_with(bin, :p)', jsonb_build_object(':i', '{"B": "AQID"}'::jsonb, ':p', jsonb_build_object('B', p))) AS forward,
       pg_temp.q('bins', 'id = :i AND begins_with(bin, :p)', jsonb_build_object(':i', '{"B": "AQID"}'::jsonb, ':p', jsonb_build_object('B', p)), '{"ScanIndexForward": false}') AS backward
  FROM unnest(ARRAY['AA==', 'AQ==', 'AQI=', '/w==', 'Ag==']) AS p;
SELECT pg_temp.q('bins', 'id = :i AND bin < :b', '{":i": {"B": "AQID"}, ":b": {"B": "AQ=="}}') AS below_01;

--
-- What a KeyConditionExpression may hold, and DynamoDB's message for each
-- thing it may not
--
CREATE TEMP TABLE kce_cases (n serial, tab text, kce text, vals jsonb);
INSERT INTO kce_cases (tab, kce, vals) VALUES
 -- operators a key condition cannot use
 ('posts', 'topic = :t OR seq = :s', '{":t": {"S": "t"}, ":s": {"N": "1"}}'),
 ('posts', 'topic = :t AND (seq > :s OR seq < :s)', '{":t": {"S": "t"}, ":s": {"N": "1"}}'),
 ('posts', 'NOT topic = :t', '{":t": {"S": "t"}}'),
 ('posts', 'topic IN (:t)', '{":t": {"S": "t"}}'),
 ('posts', 'topic <> :t', '{":t": {"S": "t"}}'),
 ('posts', 'topic = :t AND attribute_exists(seq)', '{":t": {"S": "t"}}'),
 ('posts', 'attribute_not_exists(topic)', NULL),
 ('posts', 'topic = :t AND attribute_type(seq, :ty)', '{":t": {"S": "t"}, ":ty": {"S": "N"}}'),
 ('posts', 'topic = :t AND contains(seq, :s)', '{":t": {"S": "t"}, ":s": {"N": "1"}}'),
 -- the shape of each condition
 ('posts', 'topic = :t AND size(seq) > :s', '{":t": {"S": "t"}, ":s": {"N": "1"}}'),
 ('posts', 'size(topic) = :s', '{":s": {"N": "1"}}'),
 ('posts', 'topic = :t AND seq.x = :s', '{":t": {"S": "t"}, ":s": {"N": "1"}}'),
 ('posts', 'topic = :t AND seq[0] = :s', '{":t": {"S": "t"}, ":s": {"N": "1"}}'),
 ('posts', 'topic = :t AND seq = topic', '{":t": {"S": "t"}}'),
 ('posts', 'topic = :t AND seq BETWEEN :s AND seq', '{":t": {"S": "t"}, ":s": {"N": "1"}}'),
 ('posts', 'topic = :t AND :s = :s2', '{":t": {"S": "t"}, ":s": {"N": "1"}, ":s2": {"N": "1"}}'),
 ('posts', 'topic = :t AND :s BETWEEN seq AND :s2', '{":t": {"S": "t"}, ":s": {"N": "1"}, ":s2": {"N": "2"}}'),
 ('words', 'lang = :l AND begins_with(:p, word)', '{":l": {"N": "1"}, ":p": {"S": "a"}}'),
 -- one condition per key attribute, two at most
 ('posts', 'topic = :t AND seq > :s AND seq < :s2', '{":t": {"S": "t"}, ":s": {"N": "1"}, ":s2": {"N": "5"}}'),
 ('posts', 'topic = :t AND topic = :t', '{":t": {"S": "t"}}'),
 ('posts', 'topic = :t AND seq = :s AND x = :o', '{":t": {"S": "t"}, ":s": {"N": "1"}, ":o": {"S": "o"}}'),
 ('posts', 'topic = :t AND seq = :s AND seq = :s AND x = :o', '{":t": {"S": "t"}, ":s": {"N": "1"}, ":o": {"S": "o"}}'),
 -- the key schema
 ('posts', 'seq = :s', '{":s": {"N": "1"}}'),
 ('posts', 'x = :o', '{":o": {"S": "o"}}'),
 ('posts', 'seq = :s AND x = :o', '{":s": {"N": "1"}, ":o": {"S": "o"}}'),
 ('posts', 'topic = :t AND x = :o', '{":t": {"S": "t"}, ":o": {"S": "o"}}'),
 ('posts', 'topic > :t', '{":t": {"S": "t"}}'),
 ('posts', 'topic <= :t AND seq = :s', '{":t": {"S": "t"}, ":s": {"N": "1"}}'),
 ('posts', 'begins_with(topic, :t)', '{":t": {"S": "t"}}'),
 ('posts', 'topic BETWEEN :t AND :t2', '{":t": {"S": "t"}, ":t2": {"S": "u"}}'),
 ('people', 'PersonID = :p AND nm = :n', '{":p": {"N": "1"}, ":n": {"S": "n"}}'),
 ('people', 'nm = :n', '{":n": {"S": "n"}}'),
 ('people', 'PersonID > :p', '{":p": {"N": "1"}}'),
 -- the values' types, against the key schema
 ('posts', 'topic = :n', '{":n": {"N": "1"}}'),
 ('posts', 'topic = :b', '{":b": {"B": "AA=="}}'),
 ('posts', 'topic = :t AND seq = :t', '{":t": {"S": "t"}}'),
 ('posts', 'topic = :t AND seq BETWEEN :s AND :s2', '{":t": {"S": "t"}, ":s": {"S": "1"}, ":s2": {"S": "2"}}'),
 ('posts', 'topic = :t AND begins_with(seq, :t)', '{":t": {"S": "t"}}'),
 ('posts', ':n < topic', '{":n": {"N": "1"}}'),
 ('people', 'PersonID = :p', '{":p": {"S": "1"}}'),
 ('bins', 'id = :i AND begins_with(bin, :s)', '{":i": {"B": "AQID"}, ":s": {"S": "a"}}'),
 -- the partition key's value is a key value: not empty, not too long
 ('posts', 'topic = :e', '{":e": {"S": ""}}'),
 ('bins', 'id = :e', '{":e": {"B": ""}}'),
 ('posts', 'topic = :t', jsonb_build_object(':t', jsonb_build_object('S', repeat('x', 2049)))),
 -- the expression itself (sql/expr_conditions.sql tests the parser)
 ('posts', '', '{":t": {"S": "t"}}'),
 ('posts', 'topic = :t AND', '{":t": {"S": "t"}}'),
 ('posts', 'topic = :t AND begins_with(seq, :n)', '{":t": {"S": "t"}, ":n": {"N": "1"}}'),
 ('posts', 'topic = :t AND seq BETWEEN :n AND :t', '{":t": {"S": "t"}, ":n": {"N": "1"}}'),
 ('posts', 'topic = :t AND seq BETWEEN :n9 AND :n1', '{":t": {"S": "t"}, ":n9": {"N": "9"}, ":n1": {"N": "1"}}'),
 ('posts', 'topic = :t', '{":t": {"S": "t"}, ":unused": {"S": "x"}}'),
 ('posts', 'topic = :t AND seq = :missing', '{":t": {"S": "t"}}'),
 -- a name cannot start with '_' (the token "_", then the name)
 ('posts', '_topic = :t', '{":t": {"S": "t"}}'),
 ('posts', 'topic = :t AND _seq = :t', '{":t": {"S": "t"}}');
SELECT n, tab, kce, pg_temp.q(tab, kce, vals) AS result FROM kce_cases ORDER BY n;
-- the first broken rule is the one reported (the operators are looked for
-- in the whole expression first)
SELECT pg_temp.q('posts', 'seq.x = :s AND (topic = :t OR topic = :t)', '{":t": {"S": "t"}, ":s": {"N": "1"}}') AS or_before_nested;
SELECT pg_temp.q('posts', 'seq.x = :s AND topic = :s AND topic = :s', '{":s": {"N": "1"}}') AS nested_before_duplicate;
SELECT pg_temp.q('posts', 'topic = :s AND topic = :s AND seq = :s AND x = :s', '{":s": {"N": "1"}}') AS duplicate_before_count;
SELECT pg_temp.q('posts', 'topic < :n AND seq = :n', '{":n": {"N": "1"}}') AS type_before_operator;
SELECT pg_temp.q('posts', 'topic = :n AND x = :n', '{":n": {"N": "1"}}') AS partition_key_before_sort_key;
SELECT pg_temp.q('posts', 'seq = :t AND x = :t', '{":t": {"S": "t"}}') AS missing_partition_key_first;
-- the expression is checked before the table is looked up, the key schema after;
-- up to 8 conditions (a multi-attribute GSI key's) pass the first round, and a
-- table's key refuses more than 2 once the table is known
SELECT kce, pg_temp.q('nonexistent', kce, vals) AS result FROM (VALUES
 ('topic = :t OR seq = :s', '{":t": {"S": "t"}, ":s": {"N": "1"}}'::jsonb),
 ('topic = :t AND seq.x = :s', '{":t": {"S": "t"}, ":s": {"N": "1"}}'),
 ('a = :t AND b = :t AND c = :t', '{":t": {"S": "t"}}'),
 ('a = :t AND a = :t', '{":t": {"S": "t"}}'),
 ('seq = :s', '{":s": {"N": "1"}}'),
 ('topic > :t', '{":t": {"S": "t"}}'),
 ('topic = :n', '{":n": {"N": "1"}}')) AS c(kce, vals);
-- the whole error response
SELECT pg_temp.detail('Query', '{"TableName": "posts", "KeyConditionExpression": "seq = :s", "ExpressionAttributeValues": {":s": {"N": "1"}}}');

--
-- The legacy KeyConditions
--
SELECT kc, pg_temp.q('posts', NULL, NULL, jsonb_build_object('KeyConditions', kc) - 'KeyConditionExpression' - 'ExpressionAttributeValues') AS items
  FROM (VALUES ('{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "u"}]}}'::jsonb),
               ('{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "2.5"}]}}'),
               ('{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "2.5"}]}}'),
               ('{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "LE", "AttributeValueList": [{"N": "2.5"}]}}'),
               ('{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "9"}]}}'),
               ('{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "9"}]}}'),
               ('{"seq": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "0"}, {"N": "2"}]}, "topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}}')) AS c(kc);
SELECT pg_temp.q('words', NULL, NULL, '{"KeyConditions": {"lang": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}, "word": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "ba"}]}}}'::jsonb
       - 'KeyConditionExpression' - 'ExpressionAttributeValues') AS begins_with_ba,
       pg_temp.q('words', NULL, NULL, '{"ScanIndexForward": false, "KeyConditions": {"lang": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}, "word": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "ba"}]}}}'::jsonb
       - 'KeyConditionExpression' - 'ExpressionAttributeValues') AS backward;
CREATE TEMP TABLE kc_cases (n serial, tab text, kc jsonb);
INSERT INTO kc_cases (tab, kc) VALUES
 ('posts', '{}'),
 ('posts', '{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}, "x": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}}'),
 ('posts', '{"topic": {"ComparisonOperator": "EQ"}}'),
 ('posts', '{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}, {"S": "u"}]}}'),
 ('posts', '{"topic": {"ComparisonOperator": "LIKE", "AttributeValueList": [{"S": "t"}]}}'),
 ('posts', '{"topic": {"AttributeValueList": [{"S": "t"}]}}'),
 ('posts', '{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "9"}, {"N": "2.5"}]}}'),
 ('posts', '{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "9"}, {"S": "2.5"}]}}'),
 ('posts', '{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"N": "1"}]}}'),
 -- operators the key order cannot serve
 ('posts', '{"topic": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "t"}]}}'),
 ('posts', '{"topic": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "t"}]}}'),
 ('posts', '{"topic": {"ComparisonOperator": "NULL"}}'),
 ('posts', '{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "NOT_NULL"}}'),
 ('posts', '{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"N": "1"}]}}'),
 ('posts', '{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"N": "1"}]}}'),
 -- ... but a condition on another attribute is first a missing key
 ('posts', '{"x": {"ComparisonOperator": "NULL"}}'),
 ('posts', '{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "x": {"ComparisonOperator": "NULL"}}'),
 -- the key schema and the types
 ('posts', '{"seq": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}}'),
 ('posts', '{"topic": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "t"}]}}'),
 ('posts', '{"topic": {"ComparisonOperator": "GT", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}}'),
 ('posts', '{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}}'),
 ('posts', '{"topic": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "1"}]}}'),
 ('posts', '{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "GT", "AttributeValueList": [{"S": "1"}]}}'),
 ('people', '{"PersonID": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}, "nm": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "n"}]}}'),
 ('people', '{"PersonID": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}}');
SELECT n, tab, kc, pg_temp.q(tab, NULL, NULL, jsonb_build_object('KeyConditions', kc) - 'KeyConditionExpression' - 'ExpressionAttributeValues') AS result
  FROM kc_cases ORDER BY n;
-- the conditions' own checks come before the table
SELECT pg_temp.q('nonexistent', NULL, NULL, jsonb_build_object('KeyConditions', kc) - 'KeyConditionExpression' - 'ExpressionAttributeValues') AS result
  FROM kc_cases WHERE n IN (1, 2, 7, 10, 18) ORDER BY n;
-- KeyConditions or KeyConditionExpression, not both, not neither
SELECT pg_temp.api('Query', d) FROM (VALUES
 ('{"TableName": "posts"}'::jsonb),
 ('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "t"}}, "KeyConditions": {"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}}}'),
 ('{"TableName": "posts", "FilterExpression": "n = :n", "ExpressionAttributeValues": {":n": {"N": "0"}}}'),
 ('{"TableName": "posts", "KeyConditions": {"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "u"}]}}, "ProjectionExpression": "body"}'),
 ('{"TableName": "posts", "KeyConditions": {"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}}, "FilterExpression": "n = :n", "ExpressionAttributeValues": {":n": {"N": "0"}}, "ProjectionExpression": "seq"}'),
 ('{"TableName": "posts", "KeyConditions": {"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "u"}]}}, "ProjectionExpression": "body", "AttributesToGet": ["body"]}')
) AS t(d);

--
-- FilterExpression: applied after the items are read, so Count counts the
-- items that pass it and ScannedCount those read
--
SELECT dynpg.query('{"TableName": "posts", "KeyConditionExpression": "topic = :t AND seq BETWEEN :a AND :b", "FilterExpression": "n = :n",
  "ExpressionAttributeValues": {":t": {"S": "t"}, ":a": {"N": "1"}, ":b": {"N": "6"}, ":n": {"N": "2"}}}');
SELECT f, pg_temp.q('posts', 'topic = :t', vals, jsonb_build_object('FilterExpression', f)) AS seqs,
       dynpg.query(jsonb_build_object('TableName', 'posts', 'KeyConditionExpression', 'topic = :t', 'FilterExpression', f,
                   'ExpressionAttributeValues', vals)) - 'Items' AS counts
  FROM (VALUES ('n = :v', '{":t": {"S": "t"}, ":v": {"N": "1"}}'::jsonb),
               ('n <> :v', '{":t": {"S": "t"}, ":v": {"N": "1"}}'),
               ('meta.len > :v', '{":t": {"S": "t"}, ":v": {"N": "1"}}'),
               ('contains(tags, :s) AND n < :v', '{":t": {"S": "t"}, ":v": {"N": "1"}, ":s": {"S": "x"}}'),
               ('attribute_not_exists(n) OR n = :v', '{":t": {"S": "t"}, ":v": {"N": "1"}}'),
               ('begins_with(body, :s)', '{":t": {"S": "t"}, ":s": {"S": "post 1"}}'),
               ('size(body) > :v', '{":t": {"S": "t"}, ":v": {"N": "6"}}')) AS t(f, vals);
-- a filter that matches nothing still reads (and counts) the items
SELECT dynpg.query('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "FilterExpression": "attribute_exists(nothing)",
  "ExpressionAttributeValues": {":t": {"S": "t"}}}');
-- ... and in a Query it may not refer to a key attribute, not even inside
SELECT f, pg_temp.q('posts', 'topic = :t', vals, jsonb_build_object('FilterExpression', f, 'ExpressionAttributeNames', names)) AS result
  FROM (VALUES ('topic = :t', '{":t": {"S": "t"}}'::jsonb, NULL::jsonb),
               ('seq > :v', '{":t": {"S": "t"}, ":v": {"N": "1"}}', NULL),
               ('n = :v AND #s > :v', '{":t": {"S": "t"}, ":v": {"N": "1"}}', '{"#s": "seq"}'),
               ('attribute_exists(seq.x)', '{":t": {"S": "t"}}', NULL),
               ('seq[1] = :v', '{":t": {"S": "t"}, ":v": {"N": "1"}}', NULL),
               ('size(topic) > :v', '{":t": {"S": "t"}, ":v": {"N": "1"}}', NULL),
               ('attribute_exists(#t)', '{":t": {"S": "t"}}', '{"#t": "topic"}')) AS t(f, vals, names);
SELECT pg_temp.q('people', 'PersonID = :p', '{":p": {"N": "1"}}', '{"FilterExpression": "PersonID = :p"}') AS hash_only_table;
-- (where the filter's parameters are wrong, the expression's own error is reported first)
SELECT pg_temp.q('posts', 'topic = :t', '{":t": {"S": "t"}}', '{"FilterExpression": "seq = :missing"}') AS undefined_value;
SELECT pg_temp.q('posts', 'topic = :t', '{":t": {"S": "t"}}', '{"FilterExpression": ""}') AS empty_filter;

--
-- ProjectionExpression: the key attributes come back only when asked for;
-- an item with none of the paths is {}
--
SELECT dynpg.query('{"TableName": "posts", "KeyConditionExpression": "topic = :t AND seq <= :s", "ProjectionExpression": "body, meta.len, tags",
  "ExpressionAttributeValues": {":t": {"S": "t"}, ":s": {"N": "-1.5"}}}');
SELECT dynpg.query('{"TableName": "posts", "KeyConditionExpression": "topic = :t AND seq <= :s", "ProjectionExpression": "#s, nothing",
  "ExpressionAttributeNames": {"#s": "seq"}, "ExpressionAttributeValues": {":t": {"S": "t"}, ":s": {"N": "-1.5"}}}');
SELECT dynpg.query('{"TableName": "posts", "KeyConditionExpression": "topic = :t AND seq <= :s", "ProjectionExpression": "nothing",
  "ExpressionAttributeValues": {":t": {"S": "t"}, ":s": {"N": "-1.5"}}}');
-- a projection with a filter: the filter sees the whole item
SELECT dynpg.query('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ProjectionExpression": "seq", "FilterExpression": "meta.len >= :two",
  "ExpressionAttributeValues": {":t": {"S": "t"}, ":two": {"N": "3"}}}');
-- key attributes are scalars
SELECT p, pg_temp.q('posts', 'topic = :t', '{":t": {"S": "t"}}', jsonb_build_object('ProjectionExpression', p)) AS result
  FROM unnest(ARRAY['seq.x', 'body, topic[0]', 'topic.a, seq[1]']) AS p;

--
-- Select
--
SELECT s, proj, pg_temp.api('Query', jsonb_build_object('TableName', 'posts', 'KeyConditionExpression', 'topic = :t',
         'ExpressionAttributeValues', '{":t": {"S": "u"}}'::jsonb, 'Select', s, 'ProjectionExpression', proj)) AS result
  FROM (VALUES ('ALL_ATTRIBUTES', NULL), ('SPECIFIC_ATTRIBUTES', 'body'), ('COUNT', NULL), ('SPECIFIC_ATTRIBUTES', NULL),
               ('COUNT', 'body'), ('ALL_ATTRIBUTES', 'body'), ('ALL_PROJECTED_ATTRIBUTES', NULL),
               ('ALL_PROJECTED_ATTRIBUTES', 'body'), ('count', NULL)) AS t(s, proj);
-- COUNT with a filter counts what passes it
SELECT dynpg.query('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "Select": "COUNT", "FilterExpression": "n = :n",
  "ExpressionAttributeValues": {":t": {"S": "t"}, ":n": {"N": "0"}}}');
-- Query reports these among the request's constraint errors
SELECT pg_temp.detail('Query', '{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}},
  "Select": "SPECIFIC_ATTRIBUTES", "Limit": 0}');
SELECT pg_temp.api('Query', '{"TableName": "posts", "KeyConditions": {"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "u"}]}},
  "Select": "COUNT", "AttributesToGet": ["body"]}');
SELECT pg_temp.api('Query', '{"TableName": "posts", "KeyConditions": {"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "u"}]}},
  "Select": "SPECIFIC_ATTRIBUTES", "AttributesToGet": ["body"]}');
-- an IndexName: the table has none
SELECT pg_temp.api('Query', '{"TableName": "posts", "IndexName": "by_body", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}},
  "Select": "ALL_PROJECTED_ATTRIBUTES"}');
SELECT pg_temp.api('Query', '{"TableName": "posts", "IndexName": "a;", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}}}');

--
-- ConsistentRead and ReturnConsumedCapacity: read units of 4 KB for all the
-- items read, halved for eventually consistent reads
--
SELECT c, cap, dynpg.query(jsonb_build_object('TableName', 'posts', 'KeyConditionExpression', 'topic = :t', 'ExpressionAttributeValues', '{":t": {"S": "u"}}'::jsonb,
         'ConsistentRead', c, 'ReturnConsumedCapacity', cap, 'Select', 'COUNT')) AS response
  FROM (VALUES (NULL, 'TOTAL'), (false, 'TOTAL'), (true, 'TOTAL'), (true, 'INDEXES'), (true, 'NONE'), (true, NULL)) AS t(c, cap);
-- an empty page costs the minimum
SELECT dynpg.query('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "none"}}, "ReturnConsumedCapacity": "TOTAL"}');
-- units of the bytes read, not of the items returned
SELECT dynpg.put_item(jsonb_build_object('TableName', 'posts', 'Item', jsonb_build_object('topic', '{"S": "big"}'::jsonb, 'seq', jsonb_build_object('N', i::text),
         'filler', jsonb_build_object('S', repeat('b', 3000))))) FROM generate_series(1, 3) i;
SELECT dynpg.query(jsonb_build_object('TableName', 'posts', 'KeyConditionExpression', 'topic = :t', 'ExpressionAttributeValues', '{":t": {"S": "big"}, ":z": {"S": "z"}}'::jsonb,
         'FilterExpression', 'filler = :z', 'ReturnConsumedCapacity', 'TOTAL', 'ConsistentRead', c)) AS response
  FROM (VALUES (false), (true)) AS t(c);
SELECT pg_temp.api('Query', d) FROM (VALUES
 ('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}}, "ConsistentRead": "yes"}'::jsonb),
 ('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}}, "ReturnConsumedCapacity": "SOME"}'),
 ('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}}, "ScanIndexForward": "no"}'),
 ('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}}, "Limit": "1"}'),
 ('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}}, "Limit": 0}'),
 ('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}}, "Limit": -1, "Select": "NONE", "ReturnConsumedCapacity": "SOME"}'),
 ('{"TableName": "posts", "KeyConditionExpression": 7}'),
 ('{"TableName": "posts", "KeyConditions": []}'),
 ('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}}, "ExclusiveStartKey": []}'),
 ('{"KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}}}'),
 ('{"TableName": "no", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}}}'),
 ('{"TableName": "nonexistent", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}}}'),
 ('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "u"}}, "Unknown": 1, "ReturnConsumedCapacity": null}')
) AS t(d);

--
-- The legacy QueryFilter, ConditionalOperator and AttributesToGet
--
SELECT qf, co, pg_temp.q('posts', NULL, NULL, jsonb_build_object('KeyConditions', '{"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}}'::jsonb,
         'QueryFilter', qf, 'ConditionalOperator', co) - 'KeyConditionExpression' - 'ExpressionAttributeValues') AS seqs
  FROM (VALUES ('{"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "0"}]}}'::jsonb, NULL),
               ('{"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "0"}]}, "body": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "post -"}]}}', 'OR'),
               ('{"n": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "1"}]}, "body": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "1"}]}}', 'AND'),
               ('{"n": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "1"}]}, "body": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "1"}]}}', NULL),
               ('{"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "2"}]}}', NULL),
               ('{"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "2"}, {"N": "1"}]}}', NULL),
               ('{"n": {"ComparisonOperator": "NULL"}}', NULL),
               ('{}', NULL),
               ('{"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "0"}]}}', 'OR'),
               (NULL, 'AND'),
               ('{"seq": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "0"}]}}', NULL),
               ('{"n": {"ComparisonOperator": "NULL"}, "topic": {"ComparisonOperator": "NOT_NULL"}}', 'OR'),
               ('{"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "0"}]}}', 'XOR')) AS t(qf, co);
SELECT dynpg.query('{"TableName": "posts", "KeyConditions": {"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}, "seq": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "8"}]}},
  "AttributesToGet": ["body", "seq", "nothing"]}');
SELECT pg_temp.api('Query', d) FROM (VALUES
 ('{"TableName": "posts", "KeyConditions": {"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}}, "AttributesToGet": ["body", "body"]}'::jsonb),
 ('{"TableName": "posts", "KeyConditions": {"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}}, "AttributesToGet": []}'),
 ('{"TableName": "posts", "KeyConditions": {"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}}, "AttributesToGet": ["seq.x"]}'),
 ('{"TableName": "posts", "KeyConditions": {"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}}, "QueryFilter": {"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "0"}]}}, "FilterExpression": "n = :n", "ExpressionAttributeValues": {":n": {"N": "0"}}}'),
 ('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "t"}}, "QueryFilter": {"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "0"}]}}, "ConditionalOperator": "OR", "ProjectionExpression": "body", "AttributesToGet": ["body"]}'),
 ('{"TableName": "posts", "KeyConditions": {"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}}, "ExpressionAttributeNames": {"#n": "n"}}'),
 ('{"TableName": "posts", "KeyConditions": {"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}}, "ExpressionAttributeValues": {":n": {"N": "0"}}}'),
 ('{"TableName": "posts", "KeyConditions": {"topic": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "t"}]}}, "ProjectionExpression": "body", "ExpressionAttributeValues": {":n": {"N": "0"}}}'),
 ('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {":t": {"S": "t"}}, "ExpressionAttributeNames": {}}'),
 ('{"TableName": "posts", "KeyConditionExpression": "topic = :t", "ExpressionAttributeValues": {}}')
) AS t(d);

--
-- Paging: Limit counts the items read (before the filter); a page that
-- stops early carries LastEvaluatedKey, and ExclusiveStartKey resumes just
-- after it (before it, going backward)
--
SELECT dynpg.create_table('{"TableName": "pages", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "k", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "k", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS pages;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'pages', 'Item', jsonb_build_object(
	'p', '{"S": "a"}'::jsonb, 'k', jsonb_build_object('N', k::text), 'v', jsonb_build_object('N', k::text))))) AS put
  FROM generate_series(1, 20) AS k;
SELECT dynpg.put_item('{"TableName": "pages", "Item": {"p": {"S": "b"}, "k": {"N": "1"}, "v": {"N": "1"}}}');
-- One page: its items' k, Count, ScannedCount and LastEvaluatedKey.
CREATE FUNCTION pg_temp.page(req jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
BEGIN
	r := dynpg.query(req);
	RETURN format('[%s] Count %s ScannedCount %s%s',
		coalesce((SELECT string_agg(i -> 'k' ->> 'N', ' ' ORDER BY o) FROM jsonb_array_elements(r -> 'Items') WITH ORDINALITY AS e(i, o)), ''),
		r -> 'Count', r -> 'ScannedCount',
		coalesce(' LastEvaluatedKey ' || (r -> 'LastEvaluatedKey')::text, ''));
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE TEMP TABLE page_req AS
SELECT '{"TableName": "pages", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}'::jsonb AS base;
SELECT lim, pg_temp.page(base || jsonb_build_object('Limit', lim)) FROM page_req, unnest(ARRAY[1, 5, 19, 20, 21, 1000]) AS lim;
-- resuming forward and backward
SELECT pg_temp.page(base || '{"Limit": 5, "ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "5"}}}') AS after_5,
       pg_temp.page(base || '{"Limit": 5, "ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "5"}}, "ScanIndexForward": false}') AS before_5 FROM page_req;
SELECT pg_temp.page(base || '{"Limit": 5, "ScanIndexForward": false}') AS last_5,
       pg_temp.page(base || '{"Limit": 5, "ScanIndexForward": false, "ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "16"}}}') AS next_5 FROM page_req;
-- the start key need not be an item: it is a position
SELECT pg_temp.page(base || '{"Limit": 3, "ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "7.5"}}}') AS after_7_5,
       pg_temp.page(base || '{"Limit": 3, "ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "7.5"}}, "ScanIndexForward": false}') AS before_7_5,
       pg_temp.page(base || '{"ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "20"}}}') AS after_the_last,
       pg_temp.page(base || '{"ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "1"}}, "ScanIndexForward": false}') AS before_the_first,
       pg_temp.page(base || '{"ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "-1e100"}}, "Limit": 2}') AS after_minus_1e100 FROM page_req;
-- within a sort-key range, forward and backward
SELECT pg_temp.page(base || jsonb_build_object('KeyConditionExpression', 'p = :p AND k BETWEEN :lo AND :hi', 'Limit', 4,
         'ExpressionAttributeValues', '{":p": {"S": "a"}, ":lo": {"N": "3"}, ":hi": {"N": "12"}}'::jsonb) || coalesce(esk, '{}')) AS forward
  FROM page_req, (VALUES (NULL::jsonb), ('{"ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "6"}}}'), ('{"ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "10"}}}')) AS e(esk);
SELECT pg_temp.page(base || jsonb_build_object('KeyConditionExpression', 'p = :p AND k BETWEEN :lo AND :hi', 'Limit', 4, 'ScanIndexForward', false,
         'ExpressionAttributeValues', '{":p": {"S": "a"}, ":lo": {"N": "3"}, ":hi": {"N": "12"}}'::jsonb) || coalesce(esk, '{}')) AS backward
  FROM page_req, (VALUES (NULL::jsonb), ('{"ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "9"}}}'), ('{"ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "5"}}}')) AS e(esk);
-- with an = condition on the sort key the start key can only be that item: nothing follows it
SELECT pg_temp.page(base || '{"KeyConditionExpression": "p = :p AND k = :k", "ExpressionAttributeValues": {":p": {"S": "a"}, ":k": {"N": "4"}}, "ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "4"}}}') AS after_the_only_item
  FROM page_req;
-- the filter runs after Limit: pages of no items that still go on
SELECT n, pg_temp.page(base || '{"Limit": 5, "FilterExpression": "v > :x", "ExpressionAttributeValues": {":p": {"S": "a"}, ":x": {"N": "15"}}}'
       || CASE WHEN n > 1 THEN jsonb_build_object('ExclusiveStartKey', jsonb_build_object('p', '{"S": "a"}'::jsonb, 'k', jsonb_build_object('N', ((n - 1) * 5)::text))) ELSE '{}' END)
  FROM page_req, generate_series(1, 5) AS n;
-- Select COUNT pages too
SELECT dynpg.query(base || '{"Select": "COUNT", "Limit": 7}') AS count_page FROM page_req;

--
-- ExclusiveStartKey: the key attributes only, of their types, inside the
-- queried range; checked with the key conditions, one key attribute at a time
--
CREATE TEMP TABLE esk_cases (n serial, req jsonb);
INSERT INTO esk_cases (req) SELECT base || r FROM page_req, (VALUES
 ('{"ExclusiveStartKey": {"p": {"S": "a"}}}'::jsonb),
 ('{"ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "1"}, "v": {"N": "1"}}}'),
 ('{"ExclusiveStartKey": {"p": {"S": "a"}, "x": {"N": "1"}}}'),
 ('{"ExclusiveStartKey": {"x": {"S": "a"}, "k": {"N": "1"}}}'),
 ('{"ExclusiveStartKey": {}}'),
 ('{"ExclusiveStartKey": {"p": {"N": "1"}, "k": {"N": "1"}}}'),
 ('{"ExclusiveStartKey": {"p": {"S": "a"}, "k": {"S": "1"}}}'),
 ('{"ExclusiveStartKey": {"p": {"S": "a"}, "k": {"NS": ["1"]}}}'),
 ('{"ExclusiveStartKey": {"p": {"S": ""}, "k": {"N": "1"}}}'),
 ('{"ExclusiveStartKey": {"p": {}, "k": {"N": "1"}}}'),
 ('{"ExclusiveStartKey": {"p": {"S": "a", "N": "1"}, "k": {"N": "1"}}}'),
 ('{"ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "dog"}}}'),
 ('{"ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "1e126"}}}'),
 ('{"ExclusiveStartKey": {"p": {"SS": []}, "k": {"N": "1"}}}'),
 ('{"ExclusiveStartKey": {"p": {"NS": []}, "k": {"N": "1"}}}'),
 ('{"ExclusiveStartKey": {"p": {"SS": ["x", "x"]}, "k": {"N": "1"}}}'),
 ('{"ExclusiveStartKey": {"p": {"NULL": false}, "k": {"N": "1"}}}'),
 ('{"ExclusiveStartKey": {"p": {"S": "b"}, "k": {"N": "1"}}}'),
 ('{"KeyConditionExpression": "p = :p AND k > :k", "ExpressionAttributeValues": {":p": {"S": "a"}, ":k": {"N": "10"}}, "ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "5"}}}'),
 ('{"KeyConditionExpression": "p = :p AND k > :k", "ExpressionAttributeValues": {":p": {"S": "a"}, ":k": {"N": "10"}}, "ExclusiveStartKey": {"p": {"S": "b"}, "k": {"N": "5"}}}'),
 ('{"KeyConditionExpression": "p = :p AND k > :k", "ExpressionAttributeValues": {":p": {"S": "a"}, ":k": {"N": "10"}}, "ExclusiveStartKey": {"p": {"S": "b"}, "k": {"N": "15"}}}'),
 ('{"KeyConditionExpression": "p = :p AND k = :k", "ExpressionAttributeValues": {":p": {"S": "a"}, ":k": {"N": "10"}}, "ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "15"}}}'),
 ('{"KeyConditionExpression": "p = :p AND k = :k", "ExpressionAttributeValues": {":p": {"S": "a"}, ":k": {"N": "10"}}, "ExclusiveStartKey": {"p": {"S": "b"}, "k": {"N": "10"}}}'),
 ('{"KeyConditionExpression": "p = :p AND k BETWEEN :k AND :k2", "ExpressionAttributeValues": {":p": {"S": "a"}, ":k": {"N": "10"}, ":k2": {"N": "12"}}, "ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "12.5"}}}'),
 ('{"KeyConditionExpression": "p = :p AND k <= :k", "ExpressionAttributeValues": {":p": {"S": "a"}, ":k": {"N": "10"}}, "ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "10"}}, "Limit": 2}'),
 -- checked key attribute by key attribute with the key conditions
 ('{"KeyConditionExpression": "x = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}, "ExclusiveStartKey": {"p": {"N": "1"}, "k": {"N": "1"}}}'),
 ('{"KeyConditionExpression": "x = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}, "ExclusiveStartKey": {"p": {"S": "a"}, "x": {"N": "1"}}}'),
 ('{"KeyConditionExpression": "p = :p AND x = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}, "ExclusiveStartKey": {"p": {"S": "a"}, "x": {"N": "1"}}}'),
 ('{"KeyConditionExpression": "p = :p AND k > :s", "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"S": "1"}}, "ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "1"}}}'),
 ('{"KeyConditionExpression": "p = :p AND k > :s", "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"S": "1"}}, "ExclusiveStartKey": {"p": {"S": "a"}, "k": {"S": "1"}}}'),
 ('{"KeyConditionExpression": "p = :p AND k > :k", "ExpressionAttributeValues": {":p": {"S": "a"}, ":k": {"N": "1"}}, "ExclusiveStartKey": {"p": {"S": ""}, "k": {"N": "0"}}}'),
 ('{"ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "1"}}, "FilterExpression": "k = :p"}'),
 ('{"ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "1"}}, "ProjectionExpression": "k.x"}')
) AS c(r);
SELECT n, req - 'TableName' AS req, pg_temp.page(req) AS result FROM esk_cases ORDER BY n;
-- a table without a sort key returns at most one item: no Query of it restarts
SELECT pg_temp.api('Query', d) FROM (VALUES
 ('{"TableName": "people", "KeyConditionExpression": "PersonID = :p", "ExpressionAttributeValues": {":p": {"N": "1"}}, "ExclusiveStartKey": {"PersonID": {"N": "1"}}}'::jsonb),
 ('{"TableName": "people", "KeyConditionExpression": "PersonID = :p", "ExpressionAttributeValues": {":p": {"N": "1"}}, "ExclusiveStartKey": {"PersonID": {"N": "2"}}}'),
 ('{"TableName": "people", "KeyConditionExpression": "PersonID = :p", "ExpressionAttributeValues": {":p": {"N": "1"}}, "ExclusiveStartKey": {"PersonID": {"S": "1"}}}'),
 ('{"TableName": "people", "KeyConditionExpression": "PersonID = :p", "ExpressionAttributeValues": {":p": {"N": "1"}}, "ExclusiveStartKey": {"PersonID": {"N": "1"}, "x": {"N": "1"}}}'),
 ('{"TableName": "people", "KeyConditionExpression": "PersonID = :p", "ExpressionAttributeValues": {":p": {"N": "1"}}, "Limit": 1}')
) AS t(d);
-- begins_with: the start key must have the prefix
SELECT pg_temp.q('words', 'lang = :l AND begins_with(word, :p)', '{":l": {"N": "1"}, ":p": {"S": "ba"}}', jsonb_build_object('ExclusiveStartKey', jsonb_build_object('lang', '{"N": "1"}'::jsonb, 'word', jsonb_build_object('S', w)))) AS result
  FROM unnest(ARRAY['ba', 'band', 'bb', 'b']) AS w;
-- the start key's values are checked before the table, its shape after
SELECT pg_temp.api('Query', d) FROM (VALUES
 ('{"TableName": "nonexistent", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}, "ExclusiveStartKey": {"p": {}}}'::jsonb),
 ('{"TableName": "nonexistent", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}, "ExclusiveStartKey": {}}'),
 ('{"TableName": "nonexistent", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}, "ExclusiveStartKey": {"p": {"S": ""}}}'),
 ('{"TableName": "pages", "KeyConditionExpression": "", "ExpressionAttributeValues": {":p": {"S": "a"}}, "ExclusiveStartKey": {"p": {}}}'),
 ('{"TableName": "pages", "ExpressionAttributeValues": {":p": {"S": "a"}}, "ExclusiveStartKey": {"p": {}}}')
) AS t(d);

--
-- A page stops at 1 MB of items read (before the filter): with items of
-- 300 KB, four to a page
--
SELECT dynpg.create_table('{"TableName": "heavy", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}, {"AttributeName": "k", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "h", "AttributeType": "S"}, {"AttributeName": "k", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS heavy;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'heavy', 'Item', jsonb_build_object(
	'h', '{"S": "x"}'::jsonb, 'k', jsonb_build_object('N', k::text), 'filler', jsonb_build_object('S', repeat(chr(96 + k), 300 * 1024)))))) AS put
  FROM generate_series(1, 12) AS k;
-- items of 10 KB to 150 KB in partition "y", one of 2 KB to 10 KB in 100 other partitions
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'heavy', 'Item', jsonb_build_object(
	'h', '{"S": "y"}'::jsonb, 'k', jsonb_build_object('N', k::text), 'odd', jsonb_build_object('BOOL', k % 2 = 1),
	'filler', jsonb_build_object('S', repeat('y', 1024 * (10 + (k * 37) % 141))))))) AS put
  FROM generate_series(1, 60) AS k;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'heavy', 'Item', jsonb_build_object(
	'h', jsonb_build_object('S', 'z' || k), 'k', '{"N": "0"}'::jsonb, 'filler', jsonb_build_object('S', repeat('z', 1024 * (2 + k % 9))))))) AS put
  FROM generate_series(1, 100) AS k;
-- One page of 'heavy': the k of its items, Count, ScannedCount, LastEvaluatedKey.
CREATE FUNCTION pg_temp.heavy_page(extra jsonb, h text DEFAULT 'x') RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.page(jsonb_build_object('TableName', 'heavy', 'KeyConditionExpression', 'h = :h',
		'ExpressionAttributeValues', jsonb_build_object(':h', jsonb_build_object('S', h))) || extra) $$;
SELECT pg_temp.heavy_page('{}') AS page_1,
       pg_temp.heavy_page('{"ExclusiveStartKey": {"h": {"S": "x"}, "k": {"N": "4"}}}') AS page_2,
       pg_temp.heavy_page('{"ExclusiveStartKey": {"h": {"S": "x"}, "k": {"N": "8"}}}') AS page_3,
       pg_temp.heavy_page('{"ExclusiveStartKey": {"h": {"S": "x"}, "k": {"N": "12"}}}') AS page_4;
SELECT pg_temp.heavy_page('{"ScanIndexForward": false}') AS backward_1,
       pg_temp.heavy_page('{"ScanIndexForward": false, "ExclusiveStartKey": {"h": {"S": "x"}, "k": {"N": "9"}}}') AS backward_2;
-- Limit stops a page first when it is smaller
SELECT pg_temp.heavy_page('{"Limit": 2}') AS limit_2, pg_temp.heavy_page('{"Limit": 6}') AS limit_6;
-- 1 MB counts items read, not returned: a filter can empty a full page,
-- and a projection does not make the page hold more
SELECT pg_temp.heavy_page('{"FilterExpression": "attribute_not_exists(filler)"}') AS filtered,
       pg_temp.heavy_page('{"ProjectionExpression": "k"}') AS projected,
       pg_temp.heavy_page('{"Select": "COUNT"}') AS counted;
SELECT dynpg.query('{"TableName": "heavy", "KeyConditionExpression": "h = :h", "ExpressionAttributeValues": {":h": {"S": "x"}}, "Select": "COUNT", "ReturnConsumedCapacity": "TOTAL", "ConsistentRead": true}') AS one_mb_of_units;

--
-- Following LastEvaluatedKey through a whole partition gives exactly the
-- items of one full read (dynpg.query_items), in order, each once
--
CREATE FUNCTION pg_temp.follow(req jsonb, OUT pages int, OUT items jsonb, OUT counted bigint, OUT scanned bigint)
LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
BEGIN
	pages := 0; items := '[]'; counted := 0; scanned := 0;
	LOOP
		r := dynpg.query(req);
		pages := pages + 1;
		items := items || coalesce(r -> 'Items', '[]');
		counted := counted + (r ->> 'Count')::bigint;
		scanned := scanned + (r ->> 'ScannedCount')::bigint;
		EXIT WHEN r -> 'LastEvaluatedKey' IS NULL;
		IF req -> 'ExclusiveStartKey' = r -> 'LastEvaluatedKey' THEN
			RAISE EXCEPTION 'LastEvaluatedKey did not move: %', r -> 'LastEvaluatedKey';
		END IF;
		req := req || jsonb_build_object('ExclusiveStartKey', r -> 'LastEvaluatedKey');
		IF pages > 1000 THEN
			RAISE EXCEPTION 'too many pages';
		END IF;
	END LOOP;
END $$;
SELECT kce, extra, f.pages, f.counted, f.scanned,
       f.items = (SELECT coalesce(jsonb_agg(i::jsonb), '[]') FROM dynpg.query_request_items(
                    (jsonb_build_object('TableName', 'heavy', 'KeyConditionExpression', kce, 'ExpressionAttributeValues', vals) || extra) - 'Limit') AS i) AS same_as_one_read,
       (SELECT count(DISTINCT e -> 'k') FROM jsonb_array_elements(f.items) e) = f.counted AS no_duplicates,
       (SELECT bool_and((a -> 'k' ->> 'N')::int < (b -> 'k' ->> 'N')::int) = coalesce(extra ->> 'ScanIndexForward', 'true')::boolean
          FROM jsonb_array_elements(f.items) WITH ORDINALITY AS x(a, o) JOIN jsonb_array_elements(f.items) WITH ORDINALITY AS y(b, p) ON p = o + 1) AS in_order
  FROM (VALUES ('h = :h', '{":h": {"S": "y"}}'::jsonb, '{}'::jsonb),
               ('h = :h', '{":h": {"S": "y"}}', '{"ScanIndexForward": false}'),
               ('h = :h', '{":h": {"S": "y"}}', '{"Limit": 7}'),
               ('h = :h', '{":h": {"S": "y"}}', '{"Limit": 7, "ScanIndexForward": false}'),
               ('h = :h', '{":h": {"S": "y"}, ":t": {"BOOL": true}}', '{"FilterExpression": "odd = :t", "ProjectionExpression": "k, odd"}'),
               ('h = :h', '{":h": {"S": "y"}, ":t": {"BOOL": true}}', '{"FilterExpression": "odd = :t", "Limit": 3, "ScanIndexForward": false}'),
               ('h = :h AND k BETWEEN :a AND :b', '{":h": {"S": "y"}, ":a": {"N": "11"}, ":b": {"N": "49"}}', '{}'),
               ('h = :h AND k > :a', '{":h": {"S": "y"}, ":a": {"N": "30"}}', '{"ScanIndexForward": false, "Limit": 4}'),
               ('h = :h', '{":h": {"S": "x"}}', '{}'),
               ('h = :h', '{":h": {"S": "x"}}', '{"ScanIndexForward": false}')) AS c(kce, vals, extra),
       LATERAL pg_temp.follow(jsonb_build_object('TableName', 'heavy', 'KeyConditionExpression', kce, 'ExpressionAttributeValues', vals) || extra) AS f;

--
-- A Query reads only its partition's leaves: one descent (one page a level,
-- starting at the root this backend remembers), then the leaves of its
-- range, at most one more
--
SELECT dynpg.create_table('{"TableName": "wide", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "w", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "w", "AttributeType": "N"}, {"AttributeName": "n", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS wide;
-- (a bulk load, leaves packed to 75%: over 500 of them)
SET dynpg.bulk_fillfactor = 75;
INSERT INTO dynamodb.wide SELECT dynpg.from_plain_json(jsonb_build_object('w', w, 'n', n, 'pad', repeat('p', 200)))
  FROM generate_series(1, 40) n, generate_series(1, 300) w;
RESET dynpg.bulk_fillfactor;
SELECT (v ->> 'ok')::boolean AS ok, (v ->> 'leaf_pages')::int > 500 AS over_500_leaves, (v ->> 'internal_pages')::int > 1 AS three_levels
  FROM dynpg.verify('wide') AS v;
-- The pages a request reads, by kind, and its Count.
CREATE FUNCTION pg_temp.reads(op text, req jsonb, OUT meta int, OUT internal int, OUT leaf int, OUT count int)
LANGUAGE plpgsql AS $$
DECLARE
	b jsonb;
	a jsonb;
	r jsonb;
BEGIN
	b := dynpg.page_reads();
	r := dynpg.execute(op, req);
	a := dynpg.page_reads();
	meta := (a ->> 'meta')::int - (b ->> 'meta')::int;
	internal := (a ->> 'internal')::int - (b ->> 'internal')::int;
	leaf := (a ->> 'leaf')::int - (b ->> 'leaf')::int;
	count := (r ->> 'Count')::int;
END $$;
CREATE FUNCTION pg_temp.wide_query(w int, extra jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('TableName', 'wide', 'KeyConditionExpression', 'w = :w',
		'ExpressionAttributeValues', jsonb_build_object(':w', jsonb_build_object('N', w::text))) || extra $$;
-- For every partition: the leaves holding its items, from the first item's
-- leaf to the last one's (the leaves a Query with Limit 40 reads, less the
-- leaf before the first item's that the descent may land on, which a Query
-- with Limit 1 reads too), and what whole Queries read
CREATE TEMP TABLE wide_reads AS
SELECT w, (all_f).leaf - (one_f).leaf + 1 AS leaves, (all_b).leaf - (one_b).leaf + 1 AS leaves_backward,
       f.meta AS f_meta, f.internal AS f_internal, f.leaf AS f_leaf, f.count AS f_count,
       b.meta AS b_meta, b.internal AS b_internal, b.leaf AS b_leaf, b.count AS b_count,
       e.leaf AS eq_leaf, e.count AS eq_count, r.leaf AS range_leaf, r.count AS range_count
  FROM generate_series(1, 300) AS w,
       LATERAL pg_temp.reads('Query', pg_temp.wide_query(w, '{"Limit": 40}')) AS all_f,
       LATERAL pg_temp.reads('Query', pg_temp.wide_query(w, '{"Limit": 1}')) AS one_f,
       LATERAL pg_temp.reads('Query', pg_temp.wide_query(w, '{"Limit": 40, "ScanIndexForward": false}')) AS all_b,
       LATERAL pg_temp.reads('Query', pg_temp.wide_query(w, '{"Limit": 1, "ScanIndexForward": false}')) AS one_b,
       LATERAL pg_temp.reads('Query', pg_temp.wide_query(w)) AS f,
       LATERAL pg_temp.reads('Query', pg_temp.wide_query(w, '{"ScanIndexForward": false}')) AS b,
       LATERAL pg_temp.reads('Query', pg_temp.wide_query(w, '{"KeyConditionExpression": "w = :w AND n = :n"}') || jsonb_build_object('ExpressionAttributeValues',
                 jsonb_build_object(':w', jsonb_build_object('N', w::text), ':n', '{"N": "20"}'::jsonb))) AS e,
       LATERAL pg_temp.reads('Query', pg_temp.wide_query(w, '{"KeyConditionExpression": "w = :w AND n BETWEEN :a AND :b"}') || jsonb_build_object('ExpressionAttributeValues',
                 jsonb_build_object(':w', jsonb_build_object('N', w::text), ':a', '{"N": "15"}'::jsonb, ':b', '{"N": "16"}'::jsonb))) AS r;
SELECT count(*) AS partitions,
       bool_and(f_count = 40 AND b_count = 40 AND eq_count = 1 AND range_count = 2) AS counts_right,
       bool_and(leaves = leaves_backward) AS same_leaves_both_ways,
       min(leaves) AS min_leaves, max(leaves) AS max_leaves,
       bool_and(f_leaf <= leaves + 1) AS forward_reads_at_most_its_leaves_and_one,
       bool_and(b_leaf <= leaves + 1) AS backward_reads_at_most_its_leaves_and_one,
       bool_and(eq_leaf <= 2 AND range_leaf <= 2) AS one_item_reads_one_leaf_or_two,
       -- the root comes from this backend's hint (btpage.c): no metapage read
       sum(f_meta) + sum(b_meta) = 0 AS root_remembered,
       bool_and(f_internal = 2 AND b_internal = 2) AS one_page_a_level
  FROM wide_reads;
SELECT (SELECT max(f_leaf) FROM wide_reads) * 50 < (dynpg.verify('wide') ->> 'leaf_pages')::int AS table_has_over_50_times_more_leaves;

--
-- The SQL layer: dynpg.query_items returns every item the key condition
-- (and filter) selects, across all the pages a Query would take
--
-- values as untyped JSON, as jsonb, as DynamoDB-typed values (dynpg.item)
SELECT * FROM dynpg.query_items('people', 'PersonID = :id', '{":id": 3}');
SELECT * FROM dynpg.query_items('posts', 'topic = :t AND seq >= :s', '{":t": "t", ":s": 9}'::jsonb);
SELECT * FROM dynpg.query_items('posts', 'topic = :t', '{":t": {"S": "u"}}'::dynpg.item);
SELECT item -> 'word' AS word FROM dynpg.query_items('words', 'lang = :l AND begins_with(word, :p)', '{":l": 1, ":p": "b"}', forward => false) AS item;
-- filter, projection and names
SELECT * FROM dynpg.query_items('posts', '#t = :t', '{":t": "t", ":n": 0}', filter => 'n = :n', projection => '#s, body',
                                names => '{"#t": "topic", "#s": "seq"}');
-- every item of partitions that take several 1 MB pages, from one call
SELECT h, count(*) AS items, sum(dynpg.item_size(i)) > 1024 * 1024 AS over_1_mb
  FROM unnest(ARRAY['x', 'y']) AS h, dynpg.query_items('heavy', 'h = :h', jsonb_build_object(':h', h)) AS i GROUP BY h ORDER BY h;
SELECT array_agg((i ->> 'k')::int) = (SELECT array_agg(k ORDER BY k DESC) FROM generate_series(1, 60) k) AS all_backward
  FROM dynpg.query_items('heavy', 'h = :h', '{":h": "y"}', forward => false) AS i;
-- joined with other tables, one Query per outer row
CREATE TEMP TABLE wanted (topic text, since numeric);
INSERT INTO wanted VALUES ('t', 9), ('u', 2), ('none', 0);
SELECT w.topic, p ->> 'seq' AS seq, p ->> 'body' AS body
  FROM wanted w, LATERAL dynpg.query_items('posts', 'topic = :t AND seq >= :s', jsonb_build_object(':t', w.topic, ':s', w.since)) AS p
 ORDER BY w.topic, (p ->> 'seq')::numeric;
SELECT w.topic, count(p.*) AS posts
  FROM wanted w LEFT JOIN LATERAL dynpg.query_items('posts', 'topic = :t', jsonb_build_object(':t', w.topic)) AS p ON true
 GROUP BY w.topic ORDER BY w.topic;
-- the same checks and messages as Query
SELECT * FROM dynpg.query_items('posts', 'seq = :s', '{":s": 1}');
SELECT * FROM dynpg.query_items('posts', 'topic = :t', '{":t": "t"}', filter => 'seq > :t');
SELECT * FROM dynpg.query_items('posts', 'topic = :t', '{":t": "t"}', index_name => 'by_seq');
SELECT * FROM dynpg.query_items('nonexistent', 'topic = :t', '{":t": "t"}');
-- the whole-request form; Limit caps the items read, and Select COUNT has no items to return
SELECT * FROM dynpg.query_request_items('{"TableName": "pages", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "Limit": 3, "ExclusiveStartKey": {"p": {"S": "a"}, "k": {"N": "17"}}}');
SELECT * FROM dynpg.query_request_items('{"TableName": "pages", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}, "Select": "COUNT"}');

--
-- dynpg.execute dispatches Query
--
SELECT dynpg.execute('Query', '{"TableName": "people", "KeyConditionExpression": "PersonID = :p", "ExpressionAttributeValues": {":p": {"N": "5"}}}');
SELECT dynpg.execute('Query', '{"TableName": "people", "KeyConditions": {"PersonID": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "5"}]}}, "Select": "COUNT"}');

-- clean up
SELECT dynpg.delete_table(jsonb_build_object('TableName', t)) -> 'TableDescription' -> 'TableStatus' AS deleted
  FROM unnest(ARRAY['posts', 'words', 'bins', 'people', 'pages', 'heavy', 'wide']) AS t;
