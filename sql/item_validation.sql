-- Every AttributeValue rule and message of DynamoDB, checked on dynpg.item input.
\set SHOW_CONTEXT never
CREATE FUNCTION pg_temp.try(doc text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM doc::dynpg.item;
	RETURN 'ok';
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- exactly one type descriptor
SELECT d AS input, pg_temp.try(d) AS result FROM (VALUES
 ('{"a":{}}'),
 ('{"a":{"S":"x","N":"1"}}'),
 ('{"a":{"S":"x","S2":"y"}}'),
 ('{"a":{"Q":"x"}}'),
 ('{"a":{"S":null}}'),
 ('{"a":null}'),
 ('{"a":{"BOOL":true,"NULL":true}}')
) AS t(d);

-- JSON shapes DynamoDB's deserializer refuses (SerializationException)
SELECT d AS input, pg_temp.try(d) AS result FROM (VALUES
 ('[]'), ('"x"'), ('1'), ('null'),
 ('{"a":"x"}'), ('{"a":1}'), ('{"a":true}'), ('{"a":[]}'),
 ('{"a":{"S":1}}'), ('{"a":{"S":70000}}'), ('{"a":{"S":3000000000}}'), ('{"a":{"S":1.5}}'),
 ('{"a":{"S":true}}'), ('{"a":{"S":{}}}'), ('{"a":{"S":[]}}'),
 ('{"a":{"B":1}}'), ('{"a":{"B":false}}'),
 ('{"a":{"BOOL":"true"}}'), ('{"a":{"BOOL":"yes"}}'), ('{"a":{"BOOL":1}}'), ('{"a":{"BOOL":{}}}'), ('{"a":{"BOOL":[]}}'),
 ('{"a":{"NULL":"true"}}'), ('{"a":{"NULL":0}}'),
 ('{"a":{"M":[]}}'), ('{"a":{"M":"x"}}'), ('{"a":{"M":1}}'),
 ('{"a":{"L":{}}}'), ('{"a":{"L":"x"}}'), ('{"a":{"L":true}}'),
 ('{"a":{"SS":"x"}}'), ('{"a":{"SS":[1]}}'), ('{"a":{"SS":{}}}'), ('{"a":{"NS":[1]}}'), ('{"a":{"BS":[true]}}')
) AS t(d);

-- Jackson reads a fractional number as a boolean by magnitude
SELECT '{"a":{"BOOL":1.5},"b":{"BOOL":0.5}}'::dynpg.item;

-- NULL must be true
SELECT pg_temp.try('{"a":{"NULL":false}}');
SELECT pg_temp.try('{"a":{"NULL":true}}');

-- sets: non-empty, no duplicates (numbers by value), empty elements allowed
SELECT d AS input, pg_temp.try(d) AS result FROM (VALUES
 ('{"a":{"SS":[]}}'), ('{"a":{"NS":[]}}'), ('{"a":{"BS":[]}}'),
 ('{"a":{"SS":["x","y","x"]}}'), ('{"a":{"NS":["1","1.0"]}}'), ('{"a":{"NS":["1e3","1000"]}}'),
 ('{"a":{"BS":["AA==","AA=="]}}'),
 ('{"a":{"SS":[""]}}'), ('{"a":{"BS":[""]}}'), ('{"a":{"SS":["","x"]}}'),
 ('{"a":{"NS":["dog"]}}'), ('{"a":{"NS":["1e200"]}}'),
 ('{"a":{"SS":[null]}}'), ('{"a":{"SS":["x",null]}}')
) AS t(d);

-- base64 for B and BS
SELECT d AS input, pg_temp.try(d) AS result FROM (VALUES
 ('{"a":{"B":"AAEC"}}'), ('{"a":{"B":"AAE="}}'), ('{"a":{"B":"AA=="}}'), ('{"a":{"B":""}}'),
 ('{"a":{"B":"abc"}}'), ('{"a":{"B":"a"}}'), ('{"a":{"B":"ab!="}}'), ('{"a":{"B":"ab c"}}'),
 ('{"a":{"B":"QR=="}}'), ('{"a":{"B":"QRR="}}'), ('{"a":{"B":"A==="}}'), ('{"a":{"B":"AA=A"}}'),
 ('{"a":{"BS":["AA==","xyz"]}}')
) AS t(d);

-- attribute names: 1 to 65535 bytes
SELECT pg_temp.try('{"":{"S":"x"}}') AS empty_name;
SELECT pg_temp.try(format('{"%s":{"S":"x"}}', repeat('n', 65535))) AS name_65535;
SELECT pg_temp.try(format('{"%s":{"S":"x"}}', repeat('n', 65536))) AS name_65536;
SELECT pg_temp.try('{"m":{"M":{"":{"S":"x"}}}}') AS empty_nested_name;

-- nesting: values may be 32 levels deep, not 33
SELECT pg_temp.try(repeat('{"a":{"M":', 31) || '{"a":{"S":"leaf"}}' || repeat('}}', 31)) AS depth_32;
SELECT pg_temp.try(repeat('{"a":{"M":', 32) || '{"a":{"S":"leaf"}}' || repeat('}}', 32)) AS depth_33;
SELECT pg_temp.try('{"a":' || repeat('{"L":[', 31) || '{"S":"leaf"}' || repeat(']}', 31) || '}') AS list_depth_32;
SELECT pg_temp.try('{"a":' || repeat('{"L":[', 32) || '{"S":"leaf"}' || repeat(']}', 32) || '}') AS list_depth_33;
SELECT pg_temp.try(repeat('[', 10000) || repeat(']', 10000)) AS deep_json;

-- item size: 400 KB by DynamoDB's formula (names count too)
SELECT pg_temp.try(format('{"a":{"S":"%s"}}', repeat('x', 409599))) AS size_409600;
SELECT pg_temp.try(format('{"a":{"S":"%s"}}', repeat('x', 409600))) AS size_409601;
SELECT pg_temp.try(format('{"ab":{"S":"%s"}}', repeat('x', 409599))) AS name_counts;
SELECT pg_temp.try(format('{"a":{"L":[{"S":"%s"}]}}', repeat('x', 409595))) AS list_overhead_ok;
SELECT pg_temp.try(format('{"a":{"L":[{"S":"%s"}]}}', repeat('x', 409596))) AS list_overhead_over;

-- malformed JSON text
SELECT d AS input, pg_temp.try(d) AS result FROM (VALUES
 (''), ('{'), ('{"a"'), ('{"a":'), ('{"a":{"S":"x"}'), ('{"a":{"S":"x"}}}'), ('{a:1}'),
 ('{"a":{"S":"unterminated}}'), ('{"a":{"S":"bad \x escape"}}'), ('{"a":{"S":"\ud800"}}'),
 ('{"a":{"S":"\udc00"}}'), ('{"a":{"S":"\u12"}}'), (E'{"a":{"S":"raw\ttab"}}'),
 ('{"a":{"S":"x"},}'), ('{"a":{"N":01}}'), ('{"a":{"L":[1,]}}'), ('{"a":tru}')
) AS t(d);

-- the error DETAIL is DynamoDB's error response
\set VERBOSITY default
SELECT '{"a":{"NULL":false}}'::dynpg.item;
SELECT '{"a":{"N":12}}'::dynpg.item;
SELECT '{"a":{"B":"a"}}'::dynpg.item;
