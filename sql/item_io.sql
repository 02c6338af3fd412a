-- dynpg.item text input and output: DynamoDB JSON, canonical order,
SET search_path = public, dynpg;
-- the founding sample items, casts to and from jsonb, binary I/O.

-- The README's sample users, typed, round-trip unchanged (up to canonical order)
CREATE TEMP TABLE users_typed (doc text);
INSERT INTO users_typed VALUES
 ('{"PersonID":{"N":"101"},"LastName":{"S":"Smith"},"FirstName":{"S":"Fred"},"Phone":{"S":"555-4321"}}'),
 ('{"PersonID":{"N":"102"},"LastName":{"S":"Jones"},"FirstName":{"S":"Mary"},"Address":{"M":{"Street":{"S":"123 Main"},"City":{"S":"Anytown"},"State":{"S":"OH"},"ZIPCode":{"N":"12345"}}}}'),
 ('{"PersonID":{"N":"103"},"LastName":{"S":"Stephens"},"FirstName":{"S":"Howard"},"Address":{"M":{"Street":{"S":"123 Main"},"City":{"S":"London"},"PostalCode":{"S":"ER3 5K8"}}},"FavoriteColor":{"S":"Blue"}}');
SELECT doc::dynpg.item FROM users_typed;
-- text -> item -> jsonb equals the input read as jsonb (jsonb ignores member order)
SELECT doc::jsonb = (doc::dynpg.item)::jsonb AS same FROM users_typed;
-- and item -> text -> item is the identity
SELECT (doc::dynpg.item)::text::dynpg.item = doc::dynpg.item AS stable FROM users_typed;

-- The same users from plain JSON (as AWS's DocumentClient writes them)
SELECT dynpg.from_plain_json(j) FROM (VALUES
 ('{"PersonID": 101, "LastName": "Smith", "FirstName": "Fred", "Phone": "555-4321"}'::jsonb),
 ('{"PersonID": 102, "LastName": "Jones", "FirstName": "Mary", "Address": {"Street": "123 Main", "City": "Anytown", "State": "OH", "ZIPCode": 12345}}'),
 ('{"PersonID": 103, "LastName": "Stephens", "FirstName": "Howard", "Address": {"Street": "123 Main", "City": "London", "PostalCode": "ER3 5K8"}, "FavoriteColor": "Blue"}')
) AS t(j);
SELECT dynpg.from_plain_json(dynpg.to_plain_json(doc::dynpg.item)) = doc::dynpg.item AS plain_round_trip
  FROM users_typed;

-- Every type, canonical order: attributes by name bytes, SS/BS by bytes, NS by value
SELECT '{"z":{"S":"last"},"a":{"N":"1e3"},"B":{"B":"AAEC/w=="},"b":{"BOOL":false},"n":{"NULL":true},
        "ss":{"SS":["pear","apple","Zebra",""]},"ns":{"NS":["10","-2","3.5","1e-5"]},
        "bs":{"BS":["AQ==","AA==","/w==","AAA="]},
        "l":{"L":[{"S":"x"},{"N":"-0.0"},{"L":[]},{"M":{}}]},
        "m":{"M":{"y":{"N":"2"},"x":{"N":"1"}}}}'::dynpg.item;
-- names and strings: byte order (UTF-8), escapes, unicode
SELECT '{"é":{"S":"e-acute"},"e":{"S":"plain"},"E":{"S":"upper"},"_":{"S":"x"}}'::dynpg.item;
SELECT '{"q":{"S":"quote \" backslash \\ slash \/ tab \t nl \n cr \r ff \f bs \b ctl \u0001 uni \u00e9 \u4e2d emoji \ud83d\ude00"}}'::dynpg.item;
-- NUL is allowed in DynamoDB strings; the text form writes it as \u0000
SELECT '{"s":{"S":"a\u0000b"}}'::dynpg.item;
SELECT dynpg.attr_text('{"s":{"S":"a\u0000b"}}', 's');
SELECT dynpg.attribute_names('{"a\u0000b":{"S":"x"}}');
-- jsonb cannot hold NUL, so the cast says so
SELECT ('{"s":{"S":"a\u0000b"}}'::dynpg.item)::jsonb;
-- empty item, empty strings, empty binary, empty map and list
SELECT '{}'::dynpg.item, '{"s":{"S":""},"b":{"B":""},"m":{"M":{}},"l":{"L":[]}}'::dynpg.item;
-- white space anywhere JSON allows it
SELECT E' {\n "a" : { "N" : "1" } ,\t"b":{"L":[ ]} } '::dynpg.item;
-- a later duplicate attribute name replaces an earlier one (as in jsonb)
SELECT '{"a":{"S":"first"},"a":{"S":"second"}}'::dynpg.item;
-- unknown members of an AttributeValue are ignored, as DynamoDB's deserializer does
SELECT '{"a":{"S":"x","Extra":1}}'::dynpg.item;

-- jsonb casts, both ways
SELECT '{"a":{"N":"0001.50"},"b":{"SS":["y","x"]}}'::dynpg.item::jsonb;
SELECT '{"a":{"N":"0001.50"},"b":{"SS":["y","x"]}}'::jsonb::dynpg.item;
SELECT pg_typeof('{"a":{"N":"1"}}'::dynpg.item::jsonb);

-- plain JSON: numbers as numbers, sets as sorted arrays, binary as base64, NULL as null
SELECT dynpg.to_plain_json('{"n":{"N":"1e3"},"ns":{"NS":["3","1"]},"b":{"B":"AAE="},"z":{"NULL":true},"t":{"BOOL":true},"m":{"M":{"l":{"L":[{"N":"-1.5"},{"S":"s"}]}}}}');
SELECT dynpg.from_plain_json('{"n": 1.50, "s": "x", "t": true, "z": null, "l": [1, [2]], "m": {"k": {}}}');
SELECT dynpg.from_plain_json('[1]');
SELECT dynpg.from_plain_json('{"n": 1e200}');

-- binary send/recv round trip through a COPY BINARY
CREATE TEMP TABLE bin_src (i dynpg.item);
INSERT INTO bin_src SELECT doc::dynpg.item FROM users_typed;
COPY bin_src TO '/tmp/dynpg_item_io.bin' WITH (FORMAT binary);
CREATE TEMP TABLE bin_dst (i dynpg.item);
COPY bin_dst FROM '/tmp/dynpg_item_io.bin' WITH (FORMAT binary);
SELECT count(*) AS same FROM bin_src s JOIN bin_dst d ON s.i = d.i;

-- large values go through TOAST and come back intact
CREATE TEMP TABLE big (i dynpg.item);
INSERT INTO big SELECT ('{"k":{"S":"' || repeat('x', 300000) || '"}}')::dynpg.item;
SELECT dynpg.item_size(i), length(i->>'k') FROM big;
