-- Differential test: one long random sequence of puts, deletes and gets,
-- some inside subtransactions that roll back, applied to a dynpg table
-- through the wire API and to a heap table with a primary key through
-- plain SQL.  Every get must agree, and so must the final contents.
SELECT dynpg.create_table('{"TableName":"diff","BillingMode":"PAY_PER_REQUEST",
  "KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"}]}') IS NOT NULL AS created;
CREATE TABLE diff_heap (p text COLLATE "C", s numeric, item jsonb NOT NULL, PRIMARY KEY (p, s));

CREATE FUNCTION pg_temp.key(p text, s numeric) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('p', jsonb_build_object('S', p), 's', jsonb_build_object('N', s::text))
$$;

-- one operation on both tables; returns 1 if a get disagreed
CREATE FUNCTION pg_temp.step(op int, p text, s numeric, v int) RETURNS int LANGUAGE plpgsql AS $$
#variable_conflict use_variable
DECLARE
	got jsonb;
	want jsonb;
	item jsonb;
BEGIN
	IF op < 5 THEN			-- put
		item := jsonb_build_object('p', p, 's', s, 'v', v, 'pad', repeat('x', v % 300));
		PERFORM dynpg.put_item(jsonb_build_object('TableName', 'diff', 'Item', dynpg.from_plain_json(item)::jsonb));
		INSERT INTO diff_heap VALUES (p, s, item) ON CONFLICT ON CONSTRAINT diff_heap_pkey DO UPDATE SET item = EXCLUDED.item;
	ELSIF op < 7 THEN		-- delete
		PERFORM dynpg.delete_item(jsonb_build_object('TableName', 'diff', 'Key', pg_temp.key(p, s)));
		DELETE FROM diff_heap h WHERE h.p = step.p AND h.s = step.s;
	ELSE					-- get
		got := dynpg.get_item(jsonb_build_object('TableName', 'diff', 'Key', pg_temp.key(p, s))) -> 'Item';
		SELECT h.item INTO want FROM diff_heap h WHERE h.p = step.p AND h.s = step.s;
		IF got IS DISTINCT FROM (SELECT dynpg.from_plain_json(want)::jsonb) THEN
			RETURN 1;
		END IF;
	END IF;
	RETURN 0;
END $$;

DO $$
DECLARE
	i int;
	mismatches int := 0;
	rolled_back int := 0;
BEGIN
	PERFORM setseed(0.3141);
	FOR i IN 1 .. 6000 LOOP
		IF random() < 0.05 THEN
			-- a few operations in a subtransaction that rolls back
			BEGIN
				FOR j IN 1 .. 5 LOOP
					mismatches := mismatches + pg_temp.step((random() * 10)::int,
						'p' || (random() * 20)::int, (random() * 40)::int - 20, (random() * 1000)::int);
				END LOOP;
				RAISE EXCEPTION 'roll back';
			EXCEPTION WHEN raise_exception THEN
				rolled_back := rolled_back + 1;
			END;
		ELSE
			mismatches := mismatches + pg_temp.step((random() * 10)::int,
				'p' || (random() * 20)::int, (random() * 40)::int - 20, (random() * 1000)::int);
		END IF;
	END LOOP;
	RAISE NOTICE 'mismatched gets: %, rolled-back groups: %', mismatches, rolled_back;
END $$;

-- final contents agree, in both directions
SELECT count(*) AS dynpg_items FROM dynamodb.diff;
SELECT count(*) AS heap_items FROM diff_heap;
SELECT count(*) AS only_in_dynpg FROM (
	SELECT item FROM dynamodb.diff EXCEPT SELECT dynpg.from_plain_json(item) FROM diff_heap) x;
SELECT count(*) AS only_in_heap FROM (
	SELECT dynpg.from_plain_json(item) FROM diff_heap EXCEPT SELECT item FROM dynamodb.diff) x;
SELECT dynpg.verify('diff') ->> 'ok' AS verify_ok;
SELECT dynpg.delete_table('{"TableName":"diff"}') IS NOT NULL AS deleted;
