-- The legacy (2012 API) parameters: Expected with ConditionalOperator,
-- AttributesToGet, AttributeUpdates; and mixing them with expressions.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;

\i sql/include/item_helpers.sql
SELECT dynpg.create_table('{"TableName": "leg", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}') -> 'TableDescription' -> 'TableStatus';
SELECT dynpg.put_item('{"TableName": "leg", "Item": {"pk": {"S": "k"}, "n": {"N": "5"},
  "s": {"S": "hello"}, "ss": {"SS": ["a", "b"]}, "l": {"L": [{"S": "x"}]}}}');

-- true, false or the error: a put of the same item under Expected
CREATE FUNCTION pg_temp.exp(expected jsonb, op text DEFAULT NULL) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	item jsonb := dynpg.get_item('{"TableName": "leg", "Key": {"pk": {"S": "k"}}}') -> 'Item';
BEGIN
	PERFORM dynpg.put_item(jsonb_build_object('TableName', 'leg', 'Item', item,
		'Expected', expected, 'ConditionalOperator', op));
	RETURN 'true';
EXCEPTION WHEN others THEN
	IF SQLERRM = 'The conditional request failed' THEN
		RETURN 'false';
	END IF;
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

SELECT e::text, pg_temp.exp(e) FROM (VALUES
  ('{"n": {"Value": {"N": "5.0"}}}'::jsonb),
  ('{"n": {"Value": {"N": "6"}, "Exists": true}}'),
  ('{"nope": {"Exists": false}}'),
  ('{"n": {"Exists": false}}'),
  ('{"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "4"}]}}'),
  ('{"n": {"ComparisonOperator": "LE", "Value": {"N": "4"}}}'),
  ('{"n": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "5"}]}}'),
  ('{"nope": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "5"}]}}'),
  ('{"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "5"}]}}'),
  ('{"n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"N": "5"}]}}'),
  ('{"n": {"ComparisonOperator": "NOT_NULL"}}'),
  ('{"n": {"ComparisonOperator": "NULL"}}'),
  ('{"s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "he"}]}}'),
  ('{"s": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "ll"}]}}'),
  ('{"ss": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "b"}]}}'),
  ('{"ss": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "c"}]}}'),
  ('{"nope": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "c"}]}}'),
  ('{"l": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "x"}]}}'),
  -- errors
  ('{"n": {"Value": {"N": "5"}, "Exists": false}}'),
  ('{"n": {"Exists": true}}'),
  ('{"n": {}}'),
  ('{"n": {"ComparisonOperator": "EQ"}}'),
  ('{"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}]}}'),
  ('{"n": {"ComparisonOperator": "NULL", "AttributeValueList": [{"N": "1"}]}}'),
  ('{"n": {"ComparisonOperator": "LT", "AttributeValueList": [{"SS": ["a"]}]}}'),
  ('{"n": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"N": "1"}]}}'),
  ('{"n": {"ComparisonOperator": "EQ", "Exists": true, "Value": {"N": "1"}}}'),
  ('{"n": {"ComparisonOperator": "EQ", "Value": {"N": "1"}, "AttributeValueList": [{"N": "1"}]}}'),
  ('{"n": {"ComparisonOperator": "LIKE", "Value": {"N": "1"}}}'),
  -- AttributeValueList: its length, one type, BETWEEN's bounds in order
  ('{"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}}'),
  ('{"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "1"}, {"N": "2"}]}}'),
  ('{"n": {"ComparisonOperator": "IN", "AttributeValueList": []}}'),
  ('{"n": {"ComparisonOperator": "NOT_NULL", "AttributeValueList": [{"N": "1"}]}}'),
  ('{"n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"S": "5"}]}}'),
  ('{"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"S": "5"}]}}'),
  ('{"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "10"}, {"N": "9"}]}}'),
  ('{"s": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "b"}, {"S": "a"}]}}'),
  ('{"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "-1"}, {"N": "-2"}]}}'),
  ('{"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "5"}, {"N": "5.0"}]}}'),
  ('{"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"SS": ["b"]}, {"SS": ["a"]}]}}')) AS t(e);

-- ConditionalOperator
SELECT pg_temp.exp('{"n": {"Value": {"N": "5"}}, "s": {"Value": {"S": "no"}}}');
SELECT pg_temp.exp('{"n": {"Value": {"N": "5"}}, "s": {"Value": {"S": "no"}}}', 'AND');
SELECT pg_temp.exp('{"n": {"Value": {"N": "5"}}, "s": {"Value": {"S": "no"}}}', 'OR');
SELECT pg_temp.exp('{"n": {"Value": {"N": "5"}}}', 'OR');
SELECT pg_temp.exp('{"n": {"Value": {"N": "5"}}, "s": {"Value": {"S": "no"}}}', 'XOR');

-- mixing with expressions
SELECT pg_temp.api('PutItem', '{"TableName": "leg", "Item": {"pk": {"S": "k"}},
  "Expected": {"n": {"Exists": false}}, "ConditionExpression": "attribute_exists(n)"}');
SELECT pg_temp.api('GetItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}},
  "AttributesToGet": ["n"], "ProjectionExpression": "n"}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}},
  "AttributeUpdates": {"n": {"Action": "DELETE"}}, "UpdateExpression": "REMOVE n"}');

-- AttributesToGet
SELECT pg_temp.api('GetItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}}, "AttributesToGet": ["n", "ss", "nope"]}');
SELECT pg_temp.api('GetItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}}, "AttributesToGet": ["a.b"]}');
SELECT pg_temp.api('GetItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}}, "AttributesToGet": []}');
SELECT pg_temp.api('GetItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}}, "AttributesToGet": ["n", "n"]}');
-- AttributesToGet names: an attribute name's rules
SELECT pg_temp.api('GetItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}}, "AttributesToGet": ["n", ""]}');
SELECT pg_temp.api('GetItem', jsonb_build_object('TableName', 'leg', 'Key', '{"pk": {"S": "k"}}'::jsonb, 'AttributesToGet', jsonb_build_array(repeat('x', 65536))));
SELECT length(pg_temp.api('GetItem', jsonb_build_object('TableName', 'leg', 'Key', '{"pk": {"S": "k"}}'::jsonb, 'AttributesToGet', jsonb_build_array(repeat('x', 65535))))) AS longest_name_ok;
SELECT pg_temp.api('Scan', '{"TableName": "leg", "AttributesToGet": [""]}');

-- AttributeUpdates: PUT (the default), ADD (numbers, sets, lists), DELETE
SELECT pg_temp.api('UpdateItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}},
  "AttributeUpdates": {"n": {"Action": "ADD", "Value": {"N": "1"}}, "s": {"Value": {"S": "put"}},
    "ss": {"Action": "DELETE", "Value": {"SS": ["a"]}}, "l": {"Action": "ADD", "Value": {"L": [{"N": "2"}]}},
    "l2": {"Action": "ADD", "Value": {"L": [{"N": "3"}]}}, "c": {"Action": "ADD", "Value": {"N": "-1"}}},
  "ReturnValues": "UPDATED_NEW"}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}},
  "AttributeUpdates": {"l2": {"Action": "DELETE"}, "ss": {"Action": "DELETE", "Value": {"SS": ["b"]}}},
  "Expected": {"n": {"Value": {"N": "6"}}}, "ReturnValues": "ALL_NEW"}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "leg", "Key": {"pk": {"S": "new"}},
  "AttributeUpdates": {"x": {"Action": "DELETE"}}, "ReturnValues": "ALL_NEW"}');
SELECT pg_temp.api('GetItem', '{"TableName": "leg", "Key": {"pk": {"S": "new"}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}}, "AttributeUpdates": {"pk": {"Value": {"S": "x"}}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}}, "AttributeUpdates": {"a": {"Action": "PUT"}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}}, "AttributeUpdates": {"a": {"Action": "ADD", "Value": {"S": "x"}}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}}, "AttributeUpdates": {"a": {"Action": "DELETE", "Value": {"N": "1"}}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}}, "AttributeUpdates": {"a": {"Action": "REPLACE", "Value": {"N": "1"}}}}');
-- ADD or DELETE of a value of another type than the attribute's: the legacy
-- form's own message (an UpdateExpression's is "An operand in the update
-- expression has an incorrect data type")
SELECT pg_temp.api('UpdateItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}}, "AttributeUpdates": {"n": {"Action": "ADD", "Value": {"SS": ["x"]}}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}}, "AttributeUpdates": {"n": {"Action": "DELETE", "Value": {"NS": ["1"]}}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}}, "AttributeUpdates": {"s": {"Action": "ADD", "Value": {"N": "1"}}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}}, "UpdateExpression": "ADD s :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}');
SELECT pg_temp.api('UpdateItem', '{"TableName": "leg", "Key": {"pk": {"S": "k"}},
  "AttributeUpdates": {"n": {"Action": "ADD", "Value": {"N": "1"}}}, "Expected": {"n": {"Value": {"N": "0"}}}}');
-- legacy Expected on DeleteItem
SELECT pg_temp.api('DeleteItem', '{"TableName": "leg", "Key": {"pk": {"S": "new"}},
  "Expected": {"pk": {"ComparisonOperator": "NOT_NULL"}}, "ReturnValues": "ALL_OLD"}');

-- clean up
SELECT dynpg.delete_table('{"TableName": "leg"}') -> 'TableDescription' -> 'TableStatus';
