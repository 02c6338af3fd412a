-- The SQL layer's rows as a stream (src/api/README, "The SQL layer's rows"):
-- dynpg.scan_items and dynpg.query_items return one item per call of
-- scan_request_items / query_request_items, which PostgreSQL calls from a
-- ProjectSet once these SQL functions are inlined, so a caller that stops
-- early reads only what it took; every call reads from the snapshot of the
-- first, so writes between fetches are not seen; and the read is closed
-- when the caller stops (LIMIT, a cursor closed, the end of a transaction,
-- a rescan) or fails (an error in a plpgsql loop), with no leaked
-- relation, snapshot or buffer (PostgreSQL would warn of a leak at commit).
\set SHOW_CONTEXT never
SET search_path = public, dynpg;   -- dynpg.item's operators (->, ->>)

SELECT dynpg.create_table('{"TableName": "stream_items", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}, {"AttributeName": "grp", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_grp", "KeySchema": [{"AttributeName": "grp", "KeyType": "HASH"}, {"AttributeName": "id", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "ALL"}}]}') -> 'TableDescription' -> 'TableStatus' AS stream_items;
SELECT dynpg.create_table('{"TableName": "stream_log", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "src", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "src", "AttributeType": "S"}, {"AttributeName": "n", "AttributeType": "N"}]}') -> 'TableDescription' -> 'TableStatus' AS stream_log;
-- 3000 items of about 230 bytes, and their GSI entries: some 270 leaves,
-- 140 of them the table's
INSERT INTO dynamodb.stream_items SELECT dynpg.from_plain_json(jsonb_build_object('id', i, 'grp', 'g' || (i % 3),
	'pad', repeat('p', 200)))
  FROM generate_series(1, 3000) AS i;
-- one partition of 2000 items
INSERT INTO dynamodb.stream_log SELECT dynpg.from_plain_json(jsonb_build_object('src', 'web', 'n', n, 'pad', repeat('q', 200)))
  FROM generate_series(1, 2000) AS n;
-- the GSI's entries, applied now (the index worker may have applied some)
SELECT FROM dynpg._apply_index_changes();
SELECT (v ->> 'ok')::boolean AS ok, (v ->> 'leaf_pages')::int > 200 AS over_200_leaves FROM dynpg.verify('stream_items') AS v;

-- The leaf pages a statement reads, and what it returns (a count or a list).
CREATE FUNCTION pg_temp.leaves(stmt text, OUT leaf int, OUT result text)
LANGUAGE plpgsql AS $$
DECLARE
	b jsonb := dynpg.page_reads();
BEGIN
	EXECUTE stmt INTO result;
	leaf := (dynpg.page_reads() ->> 'leaf')::int - (b ->> 'leaf')::int;
END $$;

--
-- The functions are inlined, and call the C function from a ProjectSet:
-- every overload of both
--
EXPLAIN (COSTS OFF) SELECT * FROM dynpg.scan_items('stream_items') LIMIT 10;
EXPLAIN (COSTS OFF) SELECT * FROM dynpg.scan_items('stream_items', 'grp = :g', '{":g": "g1"}') LIMIT 10;
EXPLAIN (COSTS OFF) SELECT * FROM dynpg.scan_items('stream_items', 'grp = :g', '{":g": {"S": "g1"}}'::dynpg.item) LIMIT 10;
EXPLAIN (COSTS OFF) SELECT count(*) FROM dynpg.scan_items('stream_items', 'grp = :g', '{":g": "g1"}'::jsonb);
EXPLAIN (COSTS OFF) SELECT * FROM dynpg.query_items('stream_log', 'src = :s', '{":s": "web"}') LIMIT 10;
EXPLAIN (COSTS OFF) SELECT * FROM dynpg.query_items('stream_log', 'src = :s', '{":s": "web"}'::jsonb) LIMIT 10;
EXPLAIN (COSTS OFF) SELECT * FROM dynpg.query_items('stream_log', 'src = :s', '{":s": {"S": "web"}}'::dynpg.item) LIMIT 10;

--
-- The same items, in the same order, however the function is called: the
-- inlined SQL functions (ProjectSet), the C function in FROM (FunctionScan,
-- which collects the rows first), in a SELECT list, and the wire layer's
-- pages
--
CREATE TEMP TABLE stream_order AS
SELECT (i ->> 'id')::int AS id, o FROM dynpg.scan_request_items('{"TableName": "stream_items"}') WITH ORDINALITY AS s(i, o);
SELECT count(*) AS items, count(DISTINCT id) AS distinct_ids FROM stream_order;
SELECT array_agg((i ->> 'id')::int) = (SELECT array_agg(id ORDER BY o) FROM stream_order) AS scan_items_same
  FROM dynpg.scan_items('stream_items') AS i;
SELECT array_agg((i ->> 'id')::int) = (SELECT array_agg(id ORDER BY o) FROM stream_order) AS select_list_same
  FROM (SELECT dynpg.scan_request_items('{"TableName": "stream_items"}') AS i) AS s;
SELECT array_agg((i ->> 'id')::int) = (SELECT array_agg(id ORDER BY o) FROM stream_order) AS sql_function_in_select_list_same
  FROM (SELECT dynpg.scan_items('stream_items') AS i) AS s;
SELECT array_agg((i ->> 'id')::int ORDER BY (i ->> 'id')::int) = (SELECT array_agg(id ORDER BY id) FROM stream_order) AS segments_same
  FROM generate_series(0, 3) AS seg, LATERAL dynpg.scan_items('stream_items', segment => seg, total_segments => 4) AS i;
SELECT array_agg((i ->> 'n')::int) = array(SELECT generate_series(2000, 1, -1)) AS query_backward_same
  FROM dynpg.query_items('stream_log', 'src = :s', '{":s": "web"}', forward => false) AS i;
-- filters, projections and the GSI as before
SELECT count(*), min((i ->> 'id')::int), max((i ->> 'id')::int) FROM dynpg.scan_items('stream_items', 'id <= :m AND grp = :g', '{":m": 30, ":g": "g2"}') AS i;
SELECT i FROM dynpg.scan_items('stream_items', 'id <= :m', '{":m": 3}', projection => 'id') AS i ORDER BY (i ->> 'id')::int;
SELECT count(*), bool_and(i ->> 'grp' = 'g0') FROM dynpg.query_items('stream_items', 'grp = :g AND id BETWEEN :a AND :b', '{":g": "g0", ":a": 100, ":b": 199}', index_name => 'by_grp') AS i;

--
-- Stopping early: LIMIT reads a leaf or two, where the whole scan reads
-- every leaf
--
SELECT leaf > 100 AS whole_scan_reads_every_leaf, result FROM pg_temp.leaves('SELECT count(*) FROM dynpg.scan_items(''stream_items'')');
SELECT leaf <= 3 AS limit_reads_a_few_leaves, result FROM pg_temp.leaves('SELECT string_agg(i ->> ''id'', '' '') FROM (SELECT * FROM dynpg.scan_items(''stream_items'') LIMIT 10) AS s(i)');
SELECT (SELECT string_agg(id::text, ' ' ORDER BY o) FROM stream_order WHERE o <= 10) AS first_ten_in_scan_order;
SELECT leaf <= 3 AS query_limit_reads_a_few_leaves, result FROM pg_temp.leaves('SELECT string_agg(i ->> ''n'', '' '') FROM (SELECT * FROM dynpg.query_items(''stream_log'', ''src = :s'', ''{":s": "web"}'') LIMIT 5) AS s(i)');
SELECT leaf <= 3 AS gsi_limit_reads_a_few_leaves, result FROM pg_temp.leaves('SELECT string_agg(i ->> ''id'', '' '') FROM (SELECT * FROM dynpg.query_items(''stream_items'', ''grp = :g'', ''{":g": "g1"}'', index_name => ''by_grp'') LIMIT 4) AS s(i)');
-- EXISTS stops at the first item
SELECT leaf <= 3 AS exists_reads_a_few_leaves, result FROM pg_temp.leaves('SELECT EXISTS (SELECT FROM dynpg.scan_items(''stream_items''))::text');
-- the SQL function in a SELECT list (not inlined, run one row at a time)
SELECT leaf <= 3 AS select_list_limit_reads_a_few_leaves, result FROM pg_temp.leaves('SELECT count(*) FROM (SELECT dynpg.scan_items(''stream_items'') LIMIT 7) AS s');
-- the C function in FROM is collected whole before its first row
SELECT leaf > 100 AS function_scan_reads_every_leaf, result FROM pg_temp.leaves('SELECT count(*) FROM (SELECT * FROM dynpg.scan_request_items(''{"TableName": "stream_items"}'') LIMIT 10) AS s');
-- a rescan with each outer row ends the read the LIMIT stopped, and starts anew
SELECT leaf <= 12 AS rescans_read_a_few_leaves, result FROM pg_temp.leaves($q$
	SELECT string_agg(t || ':' || (SELECT string_agg(coalesce(i ->> 'id', i ->> 'n'), ',') FROM (SELECT * FROM dynpg.scan_items(t) LIMIT 3) AS s(i)), ' ')
	  FROM (VALUES ('stream_items'), ('stream_log'), ('stream_items')) AS v(t)$q$);
SELECT t, count(i) FROM (VALUES ('stream_log'), ('stream_items')) AS v(t),
       LATERAL (SELECT * FROM dynpg.scan_items(t) LIMIT 2) AS s(i) GROUP BY t ORDER BY t;

--
-- Cursors: fetch some rows, then close; then the rest of the transaction
-- reads normally
--
BEGIN;
DECLARE c CURSOR FOR SELECT (i ->> 'id')::int AS id FROM dynpg.scan_items('stream_items') AS i;
FETCH 3 FROM c;
FETCH 2 FROM c;
CLOSE c;
SELECT count(*) FROM dynpg.scan_items('stream_items');
COMMIT;
SELECT (SELECT string_agg(id::text, ' ' ORDER BY o) FROM stream_order WHERE o <= 5) AS first_five_in_scan_order;
-- a cursor left open at COMMIT, and one left open at ROLLBACK
BEGIN;
DECLARE c CURSOR FOR SELECT i ->> 'n' FROM dynpg.query_items('stream_log', 'src = :s', '{":s": "web"}') AS i;
FETCH 2 FROM c;
COMMIT;
BEGIN;
DECLARE c CURSOR FOR SELECT i ->> 'n' FROM dynpg.query_items('stream_log', 'src = :s', '{":s": "web"}') AS i;
FETCH 2 FROM c;
ROLLBACK;
-- a cursor moved back (SCROLL: the executor keeps what it read)
BEGIN;
DECLARE c SCROLL CURSOR FOR SELECT i ->> 'n' FROM dynpg.query_items('stream_log', 'src = :s', '{":s": "web"}') AS i;
FETCH 3 FROM c;
FETCH PRIOR FROM c;
FETCH ABSOLUTE 1 FROM c;
FETCH RELATIVE 4 FROM c;
CLOSE c;
COMMIT;
-- a holdable cursor: its rest is read to the end at COMMIT, from the same snapshot
BEGIN;
DECLARE h CURSOR WITH HOLD FOR SELECT i ->> 'n' AS n, i ->> 'changed' AS changed FROM dynpg.query_items('stream_log', 'src = :s AND n <= :m', '{":s": "web", ":m": 6}') AS i;
FETCH 2 FROM h;
SELECT dynpg.put('stream_log', '{"src": "web", "n": 3, "changed": true}') ->> 'n' AS put_n3;
COMMIT;
FETCH ALL FROM h;
CLOSE h;
SELECT i ->> 'changed' AS changed FROM dynpg.query_items('stream_log', 'src = :s AND n = :n', '{":s": "web", ":n": 3}') AS i;

--
-- Writes between the fetches of a cursor are not seen: every fetch reads
-- from the cursor's snapshot, as a heap table's cursor does
--
BEGIN;
DECLARE c CURSOR FOR SELECT (i ->> 'id')::int AS id, i ->> 'note' AS note FROM dynpg.scan_items('stream_items') AS i;
FETCH 3 FROM c;
-- delete the 10th item in scan order, rewrite the 11th, add a new one
SELECT dynpg.delete('stream_items', jsonb_build_object('id', (SELECT id FROM stream_order WHERE o = 10))) ->> 'id' IS NOT NULL AS deleted_10th;
SELECT dynpg.put('stream_items', jsonb_build_object('id', (SELECT id FROM stream_order WHERE o = 11), 'grp', 'g9', 'note', 'rewritten')) IS NOT NULL AS rewrote_11th;
SELECT dynpg.put('stream_items', '{"id": 100000, "grp": "g9", "note": "new"}') IS NULL AS added_new;
CREATE TEMP TABLE fetched AS SELECT 0 AS id, ''::text AS note WITH NO DATA;
-- (FETCH into a table: a function reading the cursor)
CREATE FUNCTION pg_temp.drain(cur refcursor) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
	r record;
	n int := 0;
BEGIN
	LOOP
		FETCH cur INTO r;
		EXIT WHEN NOT FOUND;
		INSERT INTO fetched VALUES (r.id, r.note);
		n := n + 1;
	END LOOP;
	RETURN n;
END $$;
SELECT pg_temp.drain('c') AS rest;
SELECT count(*) = 2997 AS all_but_the_three_fetched,
       bool_or(id = (SELECT id FROM stream_order WHERE o = 10)) AS deleted_one_still_seen,
       count(*) FILTER (WHERE note IS NOT NULL) AS rewritten_or_new_seen,
       bool_or(id = 100000) AS new_one_seen
  FROM fetched;
CLOSE c;
-- a new statement sees them
SELECT count(*) AS items, count(*) FILTER (WHERE i ->> 'note' IS NOT NULL) AS noted FROM dynpg.scan_items('stream_items') AS i;
ROLLBACK;
SELECT count(*) AS items_after_rollback FROM dynpg.scan_items('stream_items');

--
-- A plpgsql loop over a scan that writes to the table it scans: it sees
-- each item of its start once, not its own writes, and ends
--
CREATE FUNCTION pg_temp.copy_loop(OUT seen int, OUT copies int, OUT noted int) LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	seen := 0; copies := 0;
	FOR r IN SELECT i FROM dynpg.scan_items('stream_items', segment => 0, total_segments => 4) AS i LOOP
		seen := seen + 1;
		IF (r.i ->> 'copy') IS NOT NULL THEN
			RAISE EXCEPTION 'saw its own write: %', r.i::jsonb;
		END IF;
		-- a new item and the next id rewritten, each in any segment, so
		-- some ahead of the read
		PERFORM dynpg.put('stream_items', jsonb_build_object('id', (r.i ->> 'id')::int + 1000000, 'copy', true));
		PERFORM dynpg.put('stream_items', jsonb_build_object('id', (r.i ->> 'id')::int + 1, 'copy', true));
		copies := copies + 1;
	END LOOP;
	SELECT count(*) INTO noted FROM dynpg.scan_items('stream_items', 'attribute_exists(#c)', names => '{"#c": "copy"}');
END $$;
SELECT count(*) AS segment_0_items FROM dynpg.scan_items('stream_items', segment => 0, total_segments => 4);
BEGIN;
SELECT * FROM pg_temp.copy_loop();
ROLLBACK;
-- the same with a Query, writing ahead of the read in its partition
CREATE FUNCTION pg_temp.query_loop() RETURNS int LANGUAGE plpgsql AS $$
DECLARE
	r record;
	n int := 0;
BEGIN
	FOR r IN SELECT i FROM dynpg.query_items('stream_log', 'src = :s', '{":s": "web"}') AS i LOOP
		n := n + 1;
		PERFORM dynpg.put('stream_log', jsonb_build_object('src', 'web', 'n', (r.i ->> 'n')::int + 10000));
		PERFORM dynpg.delete('stream_log', jsonb_build_object('src', 'web', 'n', (r.i ->> 'n')::int + 1));
	END LOOP;
	RETURN n;
END $$;
BEGIN;
SELECT pg_temp.query_loop() AS query_loop_items;
SELECT count(*) AS items_now FROM dynpg.query_items('stream_log', 'src = :s', '{":s": "web"}');
ROLLBACK;

--
-- An error in the middle of a loop over the rows: caught (a subtransaction
-- aborts with the read open), then a normal scan in the same transaction
-- and session; and uncaught
--
CREATE FUNCTION pg_temp.fail_midway(stop_at int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r record;
	n int := 0;
BEGIN
	BEGIN
		FOR r IN SELECT i FROM dynpg.scan_items('stream_items') AS i LOOP
			n := n + 1;
			PERFORM dynpg.put('stream_items', jsonb_build_object('id', -n));
			IF n = stop_at THEN
				RAISE EXCEPTION 'stopped at item %', n;
			END IF;
		END LOOP;
	EXCEPTION WHEN raise_exception THEN
		RETURN SQLERRM || '; then ' || (SELECT count(*) FROM dynpg.scan_items('stream_items')) || ' items, '
			|| (SELECT count(*) FROM dynpg.scan_items('stream_items', 'id < :z', '{":z": 0}')) || ' written';
	END;
	RETURN 'no error';
END $$;
SELECT pg_temp.fail_midway(25);
BEGIN;
SELECT pg_temp.fail_midway(1);
SELECT pg_temp.fail_midway(2999);
SELECT count(*) FROM dynpg.scan_items('stream_items');
COMMIT;
-- uncaught: the statement fails, the next one scans normally
CREATE FUNCTION pg_temp.boom(i dynpg.item, at int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
	IF (i ->> 'id')::int = at THEN
		RAISE EXCEPTION 'boom at %', at;
	END IF;
	RETURN 1;
END $$;
SELECT sum(pg_temp.boom(i, (SELECT id FROM stream_order WHERE o = 40))) FROM dynpg.scan_items('stream_items') AS i;
SELECT count(*) FROM dynpg.scan_items('stream_items');
BEGIN;
DECLARE c CURSOR FOR SELECT pg_temp.boom(i, (SELECT id FROM stream_order WHERE o = 4)) FROM dynpg.scan_items('stream_items') AS i;
FETCH 2 FROM c;
FETCH 5 FROM c;
ROLLBACK;
SELECT count(*) FROM dynpg.query_items('stream_log', 'src = :s', '{":s": "web"}');
-- an error raised by the function itself is raised at its first call, as before
SELECT * FROM dynpg.scan_items('stream_items', 'grp = :g') LIMIT 1;
SELECT * FROM dynpg.scan_request_items('{"TableName": "stream_items", "Select": "COUNT"}') LIMIT 1;
SELECT dynpg.scan_request_items('{"TableName": "stream_items", "Select": "COUNT"}') LIMIT 1;
SELECT * FROM dynpg.query_items('stream_none', 'k = :k', '{":k": 1}') LIMIT 1;

-- two reads of one table open at once, each its own
SELECT count(*) AS pairs, count(*) FILTER (WHERE a ->> 'id' = b ->> 'id') AS same
  FROM (SELECT * FROM dynpg.scan_items('stream_items') LIMIT 50) AS x(a)
  JOIN LATERAL (SELECT * FROM dynpg.scan_items('stream_items') LIMIT 50) AS y(b) ON true;

SELECT dynpg.delete_table('{"TableName": "stream_items"}') -> 'TableDescription' -> 'TableStatus' AS stream_items;
SELECT dynpg.delete_table('{"TableName": "stream_log"}') -> 'TableDescription' -> 'TableStatus' AS stream_log;
