-- ProjectionExpression in GetItem, and the SQL layer: dynpg.put, get,
-- update and delete with plain JSON and with dynpg.item.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;

\i sql/include/item_helpers.sql
SELECT dynpg.create_table('{"TableName": "prj", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus';

SELECT dynpg.put('prj', '{"pk": 1, "a": {"b": [10, 11, {"c": "deep", "d": true}], "e": "x"}, "f": null, "g": [1, 2, 3, 4]}'::jsonb);

CREATE FUNCTION pg_temp.proj(e text, names jsonb DEFAULT NULL) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN (dynpg.get_item(jsonb_build_object('TableName', 'prj', 'Key', '{"pk": {"N": "1"}}'::jsonb,
		'ProjectionExpression', e, 'ExpressionAttributeNames', names)))::text;
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT e, pg_temp.proj(e) FROM (VALUES
  ('pk'), ('a.e'), ('a.b[2].c, f'), ('g[3], g[1], g[9]'), ('a.b[0]'), ('nothing'),
  ('a.e.x'), ('g[0].x'), ('a, a.b'), ('a.b, a'), ('a.b, a[1]'), ('g[1], g[1]'),
  ('a.b[-1]'), ('a.b[]'), ('a.b[:x]'), ('a.'), ('size'), ('pk,'), (''),
  ('_a'), ('a._b'), ('a, _b, c'), ('g[01]')) AS t(e);
SELECT pg_temp.proj('#a.#b[1], #k', '{"#a": "a", "#b": "b", "#k": "pk"}');
SELECT pg_temp.proj('#a', '{"#a": "a.e"}');
SELECT pg_temp.proj('a', '{"#a": "a"}');
SELECT pg_temp.proj('#x', '{"#a": "a"}');
SELECT pg_temp.api('GetItem', '{"TableName": "prj", "Key": {"pk": {"N": "1"}}, "ExpressionAttributeNames": {"#a": "a"}}');
-- a #name key is at most 255 bytes, the # included
SELECT pg_temp.proj('#' || repeat('p', 254) || ', a.e', jsonb_build_object('#' || repeat('p', 254), 'pk'));
SELECT pg_temp.proj('#' || repeat('p', 255) || ', a.e', jsonb_build_object('#' || repeat('p', 255), 'pk'));
SELECT pg_temp.api('GetItem', '{"TableName": "prj", "Key": {"pk": {"N": "1"}}, "AttributesToGet": ["a"]}');

-- the SQL layer, plain JSON
SELECT dynpg.get('prj', '{"pk": 1}'::jsonb);
SELECT dynpg.to_plain_json(dynpg.get('prj', '{"pk": 1}'::jsonb, 'a.b[2].c, g[0]'));
SELECT dynpg.get('prj', '{"pk": 2}'::jsonb) IS NULL AS missing;
SELECT dynpg.put('prj', '{"pk": 2, "n": 1}'::jsonb, 'attribute_not_exists(pk)') IS NULL AS created;
SELECT dynpg.put('prj', '{"pk": 2, "n": 1}'::jsonb, 'attribute_not_exists(pk)');
SELECT dynpg.update('prj', '{"pk": 2}'::jsonb, 'ADD n :one SET tags = :t', '{":one": 1, ":t": ["x", 2.5]}'::jsonb);
SELECT dynpg.update('prj', '{"pk": 2}'::jsonb, 'SET n = n * :two', '{":two": 2}'::jsonb);
SELECT dynpg.update('prj', '{"pk": 2}'::jsonb, 'SET n = :v', '{":v": 0}'::jsonb, 'n > :v');
SELECT dynpg.update('prj', '{"pk": 2}'::jsonb, 'SET #n = :v', '{":v": 0, ":w": 5}'::jsonb, '#n < :w', '{"#n": "n"}');
SELECT dynpg.delete('prj', '{"pk": 2}'::jsonb, 'n = :v', NULL, '{":v": 1}'::jsonb);
SELECT dynpg.delete('prj', '{"pk": 2}'::jsonb, 'n = :v', NULL, '{":v": 0}'::jsonb);
SELECT dynpg.delete('prj', '{"pk": 2}'::jsonb) IS NULL AS already_gone;
-- the typed forms: sets and binary
SELECT dynpg.put('prj', '{"pk": {"N": "3"}, "ss": {"SS": ["a"]}, "bin": {"B": "AQI="}}'::dynpg.item);
SELECT dynpg.update('prj', '{"pk": {"N": "3"}}'::dynpg.item, 'ADD ss :s',
  '{":s": {"SS": ["b", "c"]}}'::dynpg.item);
SELECT dynpg.update('prj', '{"pk": {"N": "3"}}'::dynpg.item, 'DELETE ss :d',
  '{":d": {"SS": ["a"]}}'::dynpg.item);
SELECT dynpg.get('prj', '{"pk": {"N": "3"}}'::dynpg.item, 'bin');
SELECT dynpg.delete('prj', '{"pk": {"N": "3"}}'::dynpg.item, 'contains(ss, :c)', NULL, '{":c": {"S": "c"}}'::dynpg.item);

-- the README's examples
SELECT dynpg.create_table('{"TableName": "readme_users", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "PersonID", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "PersonID", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus';
SELECT dynpg.put_item('{"TableName": "readme_users", "Item": {"PersonID": {"N": "7"}},
  "ConditionExpression": "attribute_not_exists(PersonID)"}');
SELECT dynpg.update_item('{"TableName": "readme_users", "Key": {"PersonID": {"N": "7"}},
  "UpdateExpression": "SET visits = if_not_exists(visits, :zero) + :one ADD tags :t",
  "ConditionExpression": "attribute_exists(PersonID)",
  "ExpressionAttributeValues": {":zero": {"N": "0"}, ":one": {"N": "1"}, ":t": {"SS": ["new"]}},
  "ReturnValues": "UPDATED_NEW"}');
SELECT dynpg.get_item('{"TableName": "readme_users", "Key": {"PersonID": {"N": "7"}},
  "ProjectionExpression": "visits"}');
SELECT dynpg.put('readme_users', '{"PersonID": 8, "name": "Ann"}'::jsonb, 'attribute_not_exists(PersonID)');
SELECT dynpg.update('readme_users', '{"PersonID": 8}'::jsonb, 'ADD visits :one', '{":one": 1}'::jsonb);
SELECT dynpg.get('readme_users', '{"PersonID": 8}'::jsonb, '#n', '{"#n": "name"}');
-- an untyped literal is plain JSON (the text forms), for every function of
-- the SQL layer; a typed argument picks its own form
SELECT dynpg.get('readme_users', '{"PersonID": 8}');
SELECT dynpg.put('readme_users', '{"PersonID": 9, "name": "Bo", "n": 1}');
SELECT dynpg.put('readme_users', '{"PersonID": 9, "name": "Bo", "n": 2}', 'n = :one', NULL, '{":one": 1}');
SELECT dynpg.put('readme_users', '{"PersonID": 9}', 'n = :one', NULL, '{":one": 1}');
SELECT dynpg.update('readme_users', '{"PersonID": 9}', 'SET n = n + :d, tags = :t', '{":d": 10, ":t": ["x"]}');
SELECT dynpg.update('readme_users', '{"PersonID": 9}', 'SET #n = :v', '{":v": "Cy", ":min": 1}', 'n > :min', '{"#n": "name"}');
SELECT dynpg.update('readme_users', '{"PersonID": 9}', 'SET n = :v', '{":v": 0}', 'n < :v');
-- with one argument typed dynpg.item, the item form is the only one that
-- fits, and the untyped key is DynamoDB JSON too
SELECT dynpg.update('readme_users', '{"PersonID": {"N": "9"}}', 'SET s = :s', '{":s": {"SS": ["a"]}}'::dynpg.item);
SELECT dynpg.get('readme_users', '{"PersonID": 9}', '#n, s', '{"#n": "name"}');
SELECT dynpg.get('readme_users', '{"PersonID": 9}'::jsonb, 'n');
SELECT dynpg.get('readme_users', '{"PersonID": {"N": "9"}}'::dynpg.item, 'n');
SELECT dynpg.delete('readme_users', '{"PersonID": 9}', 'n < :n', NULL, '{":n": 0}');
SELECT dynpg.delete('readme_users', '{"PersonID": 9}', 'attribute_exists(s)');
SELECT dynpg.get('readme_users', '{"PersonID": 9}') IS NULL AS deleted;
SELECT dynpg.delete('readme_users', '{"PersonID": 8}'::jsonb) ->> 'name' AS deleted_name;
-- a text value (not a literal) is plain JSON too
SELECT dynpg.put('readme_users', format('{"PersonID": %s}', 10)) IS NULL AS created_from_text;
-- each SQL-layer function has its three forms (jsonb, dynpg.item, text)
SELECT p.proname, count(*) AS forms,
       string_agg(format_type(p.proargtypes[1], NULL), ', ' ORDER BY format_type(p.proargtypes[1], NULL)) AS second_argument
  FROM pg_proc p
 WHERE p.pronamespace = 'dynpg'::regnamespace AND p.proname IN ('put', 'get', 'update', 'delete')
 GROUP BY p.proname ORDER BY p.proname;

-- clean up
SELECT dynpg.delete_table('{"TableName": "prj"}') -> 'TableDescription' -> 'TableStatus';
SELECT dynpg.delete_table('{"TableName": "readme_users"}') -> 'TableDescription' -> 'TableStatus';
