-- The API contract of dynpg.item: its functions' signatures and volatility, its
-- casts and operator classes, and the SQLSTATE of each kind of bad input.
BEGIN;
SELECT plan(33);

-- I/O and casts
SELECT has_function('dynpg', 'item_in', ARRAY['cstring']);
SELECT has_function('dynpg', 'item_out', ARRAY['dynpg.item']);
SELECT has_function('dynpg', 'item_recv', ARRAY['internal']);
SELECT has_function('dynpg', 'item_send', ARRAY['dynpg.item']);
SELECT has_cast('dynpg.item', 'jsonb', 'cast item -> jsonb');
SELECT has_cast('jsonb', 'dynpg.item', 'cast jsonb -> item');
SELECT function_returns('dynpg', 'to_plain_json', ARRAY['dynpg.item'], 'jsonb');
SELECT function_returns('dynpg', 'from_plain_json', ARRAY['jsonb'], 'dynpg.item');
SELECT volatility_is('dynpg', 'item_in', ARRAY['cstring'], 'immutable');
SELECT volatility_is('dynpg', 'to_plain_json', ARRAY['dynpg.item'], 'immutable');

-- accessors (the operators are in pg_catalog, which every search_path holds)
SELECT function_returns('dynpg', 'attr', ARRAY['dynpg.item', 'text'], 'jsonb');
SELECT function_returns('dynpg', 'attr_text', ARRAY['dynpg.item', 'text'], 'text');
SELECT function_returns('dynpg', 'get_path', ARRAY['dynpg.item', 'text', 'boolean'], 'jsonb');
SELECT function_returns('dynpg', 'item_size', ARRAY['dynpg.item'], 'bigint');
SELECT function_returns('dynpg', 'attribute_names', ARRAY['dynpg.item'], 'text[]');
SELECT has_operator('dynpg.item', 'pg_catalog', '->', 'text', 'jsonb', 'item -> text');
SELECT has_operator('dynpg.item', 'pg_catalog', '->>', 'text', 'text', 'item ->> text');
SELECT has_operator('dynpg.item', 'pg_catalog', '?', 'text', 'boolean', 'item ? text');

-- operator classes: btree and hash, both default
SELECT has_opclass('dynpg', 'item_ops', 'btree opclass');
SELECT has_opclass('dynpg', 'item_hash_ops', 'hash opclass');
SELECT is((SELECT count(*)::int FROM pg_opclass c JOIN pg_type t ON t.oid = c.opcintype
            WHERE t.typname = 'item' AND c.opcdefault), 2, 'both opclasses are the default for dynpg.item');

-- keys
SELECT function_returns('dynpg', 'key_encode', ARRAY['jsonb'], 'bytea');
SELECT function_returns('dynpg', 'partition_hash', ARRAY['jsonb'], 'bigint');
SELECT function_returns('dynpg', 'extract_key', ARRAY['dynpg.item', 'text', 'text', 'text', 'text'], 'dynpg.item');
SELECT function_returns('dynpg', 'storage_key', ARRAY['dynpg.item', 'text', 'text', 'text', 'text'], 'bytea');

-- each kind of bad input raises its DynamoDB exception's SQLSTATE and message
SELECT throws_ok($$SELECT '{"a":{"N":"1e126"}}'::dynpg.item$$, 'YD001',
	'Number overflow. Attempting to store a number with magnitude larger than supported range');
SELECT throws_ok($$SELECT '{"a":{"N":1}}'::dynpg.item$$, 'YD002',
	'class java.lang.Short can not be converted to an String');
SELECT throws_ok($$SELECT '{"a":{"NULL":false}}'::dynpg.item$$, 'YD001',
	'One or more parameter values were invalid: Null attribute value types must have the value of true');
SELECT throws_ok($$SELECT dynpg.extract_key('{"x":{"S":"1"}}', 'id', 'S')$$, 'YD001',
	'One or more parameter values were invalid: Missing the key id in the item');
SELECT throws_ok($$SELECT ('{"s":{"S":"\u0000"}}'::dynpg.item)::jsonb$$, '22P05');

-- results
SELECT is('{"b":{"N":"1e3"},"a":{"SS":["y","x"]}}'::dynpg.item::text,
	'{"a":{"SS":["x","y"]},"b":{"N":"1000"}}', 'canonical text output');
SELECT is(dynpg.item_size('{"shirt-color":{"S":"R"},"shirt-size":{"S":"M"}}'), 23::bigint,
	'DynamoDB''s documented size example');
SELECT ok('{"n":{"NS":["1","2"]}}'::dynpg.item = '{"n":{"NS":["2.0","1e0"]}}'::dynpg.item,
	'sets unordered, numbers by value');

SELECT * FROM finish();
ROLLBACK;
