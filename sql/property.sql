-- Property tests run inside the server, over inputs from seeded generators
SET search_path = public, dynpg;
-- (src/types/item_testing.c), checked against comparisons written
-- independently here in SQL.

-- av_equal: are two typed AttributeValues (jsonb) the same DynamoDB value?
-- 'got' must also be in canonical form: numbers as trim_scale(numeric)::text,
-- set elements in DynamoDB's order.
CREATE FUNCTION pg_temp.av_equal(want jsonb, got jsonb) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	t text := (SELECT k FROM jsonb_object_keys(want) k WHERE want -> k <> 'null' LIMIT 1);
	w jsonb := want -> t;
	g jsonb := got -> t;
	i int;
BEGIN
	IF g IS NULL OR (SELECT count(*) FROM jsonb_object_keys(got)) <> 1 THEN
		RETURN false;
	END IF;
	CASE t
	WHEN 'S', 'B', 'BOOL', 'NULL' THEN
		RETURN w = g;
	WHEN 'N' THEN
		RETURN (w #>> '{}')::numeric = (g #>> '{}')::numeric
		   AND g #>> '{}' = trim_scale((w #>> '{}')::numeric)::text;
	WHEN 'M' THEN
		RETURN pg_temp.map_equal(w, g);
	WHEN 'L' THEN
		IF jsonb_array_length(w) <> jsonb_array_length(g) THEN RETURN false; END IF;
		FOR i IN 0 .. jsonb_array_length(w) - 1 LOOP
			IF NOT pg_temp.av_equal(w -> i, g -> i) THEN RETURN false; END IF;
		END LOOP;
		RETURN true;
	WHEN 'SS' THEN
		RETURN ARRAY(SELECT convert_to(e, 'UTF8') FROM jsonb_array_elements_text(w) e ORDER BY 1)
		     = ARRAY(SELECT convert_to(e, 'UTF8') FROM jsonb_array_elements_text(g) WITH ORDINALITY x(e, o) ORDER BY o);
	WHEN 'NS' THEN
		RETURN ARRAY(SELECT trim_scale(e::numeric)::text FROM jsonb_array_elements_text(w) e ORDER BY e::numeric)
		     = ARRAY(SELECT e FROM jsonb_array_elements_text(g) WITH ORDINALITY x(e, o) ORDER BY o);
	WHEN 'BS' THEN
		RETURN ARRAY(SELECT decode(e, 'base64') FROM jsonb_array_elements_text(w) e ORDER BY 1)
		     = ARRAY(SELECT decode(e, 'base64') FROM jsonb_array_elements_text(g) WITH ORDINALITY x(e, o) ORDER BY o);
	END CASE;
	RETURN false;
END $$;

CREATE FUNCTION pg_temp.map_equal(want jsonb, got jsonb) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	k text;
BEGIN
	IF (SELECT count(*) FROM jsonb_object_keys(want)) <> (SELECT count(*) FROM jsonb_object_keys(got)) THEN
		RETURN false;
	END IF;
	FOR k IN SELECT jsonb_object_keys(want) LOOP
		IF NOT got ? k OR NOT pg_temp.av_equal(want -> k, got -> k) THEN
			RETURN false;
		END IF;
	END LOOP;
	RETURN true;
END $$;

-- 1. 3,000 random items: jsonb -> item -> jsonb gives the same DynamoDB
--    values in canonical form, and item -> text -> item is the identity.
CREATE TEMP TABLE round_trip AS
SELECT s AS seed, j, j::dynpg.item AS item FROM (
	SELECT s, dynpg._random_item_jsonb(s) AS j FROM generate_series(1, 3000) s) x;
SELECT count(*) AS items,
       count(*) FILTER (WHERE NOT pg_temp.map_equal(j, item::jsonb)) AS value_mismatches,
       count(*) FILTER (WHERE item::text::dynpg.item <> item) AS text_mismatches,
       count(*) FILTER (WHERE item::jsonb::dynpg.item <> item) AS jsonb_mismatches,
       count(*) FILTER (WHERE dynpg.from_plain_json(dynpg.to_plain_json(item)) IS NULL) AS plain_failures
  FROM round_trip;
SELECT seed, j FROM round_trip WHERE NOT pg_temp.map_equal(j, item::jsonb) LIMIT 3;
-- the generator covers every type, nesting and odd spellings
SELECT count(*) FILTER (WHERE j::text ~ '"SS"') > 100 AS has_ss,
       count(*) FILTER (WHERE j::text ~ '"NS"') > 100 AS has_ns,
       count(*) FILTER (WHERE j::text ~ '"BS"') > 100 AS has_bs,
       count(*) FILTER (WHERE j::text ~ '"M"') > 100 AS has_m,
       count(*) FILTER (WHERE j::text ~ '"L"') > 100 AS has_l,
       count(*) FILTER (WHERE j::text ~ '[eE][-+]?[0-9]+"') > 100 AS has_exponents,
       count(*) FILTER (WHERE j::text ~ '"N": "[-+]?00') > 10 AS has_leading_zeros
  FROM round_trip;

-- 2. Items whose strings hold NUL survive the text form.
SELECT count(*) AS items,
       count(*) FILTER (WHERE t::dynpg.item::text::dynpg.item <> t::dynpg.item) AS mismatches,
       count(*) FILTER (WHERE t ~ '\\u0000') > 100 AS has_nul
  FROM (SELECT dynpg._random_item_text(s) AS t FROM generate_series(1, 2000) s) x;

-- 3. 5,000 random malformed inputs: each is refused with a DynamoDB exception
--    (class YD) or accepted, never an internal error or a crash.
CREATE FUNCTION pg_temp.try_state(doc text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM doc::dynpg.item;
	RETURN 'accepted';
EXCEPTION WHEN others THEN
	RETURN SQLSTATE;
END $$;
SELECT pg_temp.try_state(dynpg._random_malformed_text(s)) AS outcome, count(*)
  FROM generate_series(1, 5000) s GROUP BY 1 ORDER BY 1;

-- 4. Keys: memcmp order of encodings equals DynamoDB's order, over 3,000
--    random pairs of each type; equal values encode and hash identically.
CREATE TEMP TABLE key_pairs AS
SELECT t, s, dynpg._random_key_value(2 * s, t) AS a, dynpg._random_key_value(2 * s + 1, t) AS b
  FROM unnest(ARRAY['S', 'N', 'B']) t, generate_series(1, 3000) s;
CREATE FUNCTION pg_temp.dyn_cmp(t text, a jsonb, b jsonb) RETURNS int LANGUAGE sql AS $$
	SELECT CASE t
		WHEN 'N' THEN sign((a ->> 'N')::numeric - (b ->> 'N')::numeric)::int
		WHEN 'S' THEN CASE WHEN convert_to(a ->> 'S', 'UTF8') < convert_to(b ->> 'S', 'UTF8') THEN -1
		                   WHEN convert_to(a ->> 'S', 'UTF8') > convert_to(b ->> 'S', 'UTF8') THEN 1 ELSE 0 END
		WHEN 'B' THEN CASE WHEN decode(a ->> 'B', 'base64') < decode(b ->> 'B', 'base64') THEN -1
		                   WHEN decode(a ->> 'B', 'base64') > decode(b ->> 'B', 'base64') THEN 1 ELSE 0 END
	END $$;
CREATE FUNCTION pg_temp.enc_cmp(a jsonb, b jsonb) RETURNS int LANGUAGE sql AS $$
	SELECT CASE WHEN dynpg.key_encode(a) < dynpg.key_encode(b) THEN -1
	            WHEN dynpg.key_encode(a) > dynpg.key_encode(b) THEN 1 ELSE 0 END $$;
SELECT t, count(*) AS pairs,
       count(*) FILTER (WHERE pg_temp.dyn_cmp(t, a, b) <> pg_temp.enc_cmp(a, b)) AS order_mismatches,
       count(*) FILTER (WHERE pg_temp.dyn_cmp(t, a, b) = 0) AS equal_pairs,
       count(*) FILTER (WHERE pg_temp.dyn_cmp(t, a, b) = 0
                          AND dynpg.partition_hash(a) <> dynpg.partition_hash(b)) AS hash_mismatches
  FROM key_pairs GROUP BY t ORDER BY t;
SELECT t, a, b FROM key_pairs WHERE pg_temp.dyn_cmp(t, a, b) <> pg_temp.enc_cmp(a, b) LIMIT 5;
-- every random number against its canonical spelling: same encoding, same hash
SELECT count(*) AS numbers,
       count(*) FILTER (WHERE dynpg.key_encode(a) <> dynpg.key_encode(c)) AS encoding_mismatches,
       count(*) FILTER (WHERE dynpg.partition_hash(a) <> dynpg.partition_hash(c)) AS hash_mismatches,
       count(*) FILTER (WHERE a <> c) > 1000 AS spelled_differently
  FROM (SELECT a, jsonb_build_object('N', trim_scale((a ->> 'N')::numeric)::text) AS c
          FROM key_pairs WHERE t = 'N') x;
-- the typed jsonb of an item is written directly in jsonb's binary form
-- (item_json.c): byte for byte what pushJsonbValue builds, for random items
-- and for wide arrays and maps (JEntry offsets every 32 children)
SELECT count(*) AS items, count(*) FILTER (WHERE NOT dynpg._jsonb_writer_check(t::dynpg.item)) AS writer_mismatches
  FROM (SELECT dynpg._random_item_text(s) AS t FROM generate_series(1, 3000) s) x
 WHERE position(E'\\u0000' IN t) = 0;
SELECT count(*) FILTER (WHERE NOT dynpg._jsonb_writer_check(dynpg.from_plain_json(jsonb_build_object(
         'k', i, 'l', (SELECT jsonb_agg(j) FROM generate_series(1, i % 80) j),
         'm', (SELECT jsonb_object_agg('key' || j, repeat('v', j)) FROM generate_series(1, i % 70) j)))))
       AS wide_writer_mismatches
  FROM generate_series(1, 200) i;
