-- DynamoDB numbers: accepted spellings, canonical output, range and precision.
SET search_path = public, dynpg;
CREATE FUNCTION pg_temp.n(s text) RETURNS text LANGUAGE sql AS
$$ SELECT dynpg.attr_text(format('{"a":{"N":%s}}', to_json(s))::dynpg.item, 'a') $$;
CREATE FUNCTION pg_temp.try_n(s text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN pg_temp.n(s);
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- The normalization table: input spelling -> canonical form
SELECT s AS input, pg_temp.try_n(s) AS canonical FROM (VALUES
 ('0'), ('-0'), ('+0'), ('0.0'), ('00'), ('.0'), ('0e5'), ('0e1000'), ('-0.000e-7'),
 ('1'), ('+3'), ('-7.1234'), ('1e3'), ('1E3'), ('1e+3'), ('1000.0'), ('001000'),
 ('.5'), ('0.5'), ('5.'), ('-.5'), ('0001.23'), ('.123'), ('1e+5'), ('-17e5'),
 ('-17.4E37'), ('1.5e-3'), ('123.456e2'), ('123.456e-2'), ('1e-20'), ('-1e-20'),
 ('1e125'), ('-1e125'), ('9.9999999999999999999999999999999999999E+125'),
 ('1e-130'), ('-1e-130'), ('1.5e-129'),
 ('3.1415926535897932384626433832795028841'),
 ('314159265358979323846.26433832795028841'),
 ('31415926535897932384626433832795028841e30'),
 ('12345678901234567890123456789012345678000000'),
 ('0.00000000000000000000000000000000000000000012345678901234567890123456789012345678')
) AS t(s);

-- 1e125 is a 1 followed by 125 zeros
SELECT pg_temp.n('1e125') = '1' || repeat('0', 125) AS one_e_125;
SELECT pg_temp.n('1e-130') = '0.' || repeat('0', 129) || '1' AS one_e_minus_130;

-- Out of range and too precise: DynamoDB's messages
SELECT s AS input, pg_temp.try_n(s) AS result FROM (VALUES
 ('1e126'), ('11e125'), ('-1e126'), ('9.99e125'), ('10e125'),
 ('1e-131'), ('0.9e-130'), ('-1e-131'),
 ('3.14159265358979323846264338327950288419'),
 ('314159265358979323846.264338327950288419'),
 ('314159265358979323846264338327950288419e30'),
 ('1e999999999999999999'), ('1e-999999999999999999')
) AS t(s);

-- Not numbers at all
SELECT s AS input, pg_temp.try_n(s) AS result FROM (VALUES
 (''), ('NaN'), ('Infinity'), ('-Infinity'), ('-NaN'), ('dog'), ('-dog'),
 (' 1'), ('1 '), ('1e'), ('1e+'), ('e5'), ('.'), ('-'), ('+'), ('1.2.3'),
 ('0x10'), ('1_000'), ('--1'), ('+-1'), ('1e5.5'), ('١')
) AS t(s);

-- N must be a JSON string: a JSON number is a SerializationException
SELECT '{"a":{"N":123}}'::dynpg.item;
SELECT '{"a":{"N":123.5}}'::dynpg.item;
SELECT '{"a":{"N":100000}}'::dynpg.item;
SELECT '{"a":{"N":10000000000}}'::dynpg.item;

-- Equal values written differently are equal items and the same set element
SELECT '{"a":{"N":"1e3"}}'::dynpg.item = '{"a":{"N":"1000.0"}}'::dynpg.item AS equal_items;
SELECT '{"a":{"NS":["1e3","1000"]}}'::dynpg.item;
SELECT '{"a":{"NS":["1","2","0.1e1"]}}'::dynpg.item;

-- Sizes in DynamoDB's accounting: 1 byte, plus 1 per two significant digits
-- aligned on the decimal point, plus 1 when negative
SELECT s AS input, dynpg.attribute_size(format('{"a":{"N":%s}}', to_json(s))::dynpg.item, 'a') AS size
  FROM (VALUES ('0'), ('1'), ('12'), ('123'), ('1234'), ('1.2'), ('12.3'), ('1.23'),
               ('0.123'), ('-1'), ('-12'), ('-1.2'), ('1e125'),
               ('12345678901234567890123456789012345678')) AS t(s);
