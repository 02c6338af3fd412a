-- Fuller leaves (src/storage/README, "Fuller leaves"): before a full leaf
-- splits in two, an insert moves the leaf's last items to its right sibling
-- (a shift), splitting a nearly full right sibling first (two full leaves
-- become three).  The same items inserted one by one in random key order,
-- with and without shifts: fewer leaves, the same items, a clean tree; and
-- cursors reading forward and backward while shifts move items under them
-- return every item of their snapshot exactly once.
SET dynpg.bulk_load = off;
CREATE FUNCTION pg_temp.mk(name text) RETURNS boolean LANGUAGE sql AS $$
	SELECT dynpg.create_table(jsonb_build_object('TableName', name, 'BillingMode', 'PAY_PER_REQUEST',
		'KeySchema', '[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}]'::jsonb,
		'AttributeDefinitions', '[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"S"}]'::jsonb))
		IS NOT NULL $$;
-- items i in [lo, hi] of about 200 bytes, 8 partitions, in random key order
CREATE FUNCTION pg_temp.fill(name text, lo int, hi int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format($f$INSERT INTO dynamodb.%I
		SELECT dynpg.from_plain_json(jsonb_build_object('p', 'p' || (i %% 8), 's', md5(i::text),
			'pad', repeat('x', 120), 'i', i))
		FROM generate_series(%s, %s) i ORDER BY md5(i::text || 'order')$f$, name, lo, hi);
END $$;
CREATE FUNCTION pg_temp.changes(before jsonb, OUT leaf_splits int, OUT shifts int, OUT sibling_splits int)
LANGUAGE sql AS $$
	SELECT (a ->> 'leaf_splits')::int - (before ->> 'leaf_splits')::int,
	       (a ->> 'shifts')::int - (before ->> 'shifts')::int,
	       (a ->> 'sibling_splits')::int - (before ->> 'sibling_splits')::int
	  FROM dynpg.page_changes() a $$;
SELECT pg_temp.mk('shifted') AND pg_temp.mk('split_only') AS created;

-- without shifts every full leaf splits in two
SET dynpg.leaf_shifts = off;
SELECT dynpg.page_changes() AS b \gset
SELECT pg_temp.fill('split_only', 1, 4000);
SELECT leaf_splits > 0 AS split, shifts = 0 AS no_shifts, sibling_splits = 0 AS no_sibling_splits
  FROM pg_temp.changes(:'b');
RESET dynpg.leaf_shifts;
SHOW dynpg.leaf_shifts;
SELECT dynpg.page_changes() AS b \gset
SELECT pg_temp.fill('shifted', 1, 4000);
-- with them, most full leaves shift instead, and some right siblings split
-- first; leaves split in two only where nothing else fits
SELECT shifts > leaf_splits AS mostly_shifts, sibling_splits > 0 AS sibling_splits
  FROM pg_temp.changes(:'b');
SELECT (s.v ->> 'ok')::boolean AS shifted_ok, (o.v ->> 'ok')::boolean AS split_only_ok,
       (s.v ->> 'live_items')::int AS items,
       -- fewer leaves for the same items (9% fewer in a table this small,
       -- 13-25% at 200,000 items: src/storage/README, "Fuller leaves: shifts")
       (s.v ->> 'leaf_pages')::int < 0.95 * (o.v ->> 'leaf_pages')::int AS fewer_leaves,
       (s.v ->> 'leaf_pages')::int > 0 AS has_leaves
  FROM (SELECT dynpg.verify('shifted') v) s, (SELECT dynpg.verify('split_only') v) o;
SELECT (SELECT md5(string_agg(item::text, ',' ORDER BY item::text)) FROM dynamodb.shifted) =
       (SELECT md5(string_agg(item::text, ',' ORDER BY item::text)) FROM dynamodb.split_only) AS same_items;
-- and a Query reads a partition in sort-key order, both ways
SELECT (SELECT array_agg(dynpg.attr_text(i, 's')) FROM dynpg.query_request_items(
		'{"TableName":"shifted","KeyConditionExpression":"p = :p","ExpressionAttributeValues":{":p":{"S":"p3"}}}') i)
     = (SELECT array_agg(s ORDER BY s COLLATE "C") FROM (SELECT md5(i::text) s FROM generate_series(1, 4000) i WHERE i % 8 = 3) x)
       AS query_in_order,
       (SELECT array_agg(dynpg.attr_text(i, 's')) FROM dynpg.query_request_items(
		'{"TableName":"shifted","KeyConditionExpression":"p = :p","ScanIndexForward":false,"ExpressionAttributeValues":{":p":{"S":"p3"}}}') i)
     = (SELECT array_agg(s ORDER BY s COLLATE "C" DESC) FROM (SELECT md5(i::text) s FROM generate_series(1, 4000) i WHERE i % 8 = 3) x)
       AS query_backward_in_order;

-- Cursors while shifts move items under them.  Each cursor reads its
-- snapshot: the items inserted meanwhile (later in the same transaction)
-- are not in it, and every item of it comes back exactly once, in order.
DO $$
DECLARE
	c refcursor;
	r record;
	f int[] := '{}';
	b int[] := '{}';
	rest int[] := '{}';
	reads0 jsonb := dynpg.page_reads();
	ch0 jsonb := dynpg.page_changes();
	ch jsonb;
BEGIN
	-- forward: 2,000 items, then 2,000 inserts, then the rest
	OPEN c SCROLL FOR SELECT dynpg.attr_text(item, 'i')::int AS i FROM dynamodb.shifted;
	FOR n IN 1..2000 LOOP FETCH NEXT FROM c INTO r; f := f || r.i; END LOOP;
	PERFORM pg_temp.fill('shifted', 4001, 6000);
	LOOP FETCH NEXT FROM c INTO r; EXIT WHEN NOT FOUND; rest := rest || r.i; END LOOP;
	RAISE NOTICE 'forward: % + % rows, % distinct, all of the snapshot: %', cardinality(f), cardinality(rest),
		(SELECT count(DISTINCT x) FROM unnest(f || rest) x),
		(SELECT array_agg(x ORDER BY x) FROM unnest(f || rest) x) = (SELECT array_agg(x) FROM generate_series(1, 4000) x);
	-- backward from the end, 250 items at a time with 300 inserts after each
	<<back>>
	FOR chunk IN 0..100 LOOP
		FOR n IN 1..250 LOOP
			FETCH PRIOR FROM c INTO r;
			EXIT back WHEN NOT FOUND;
			b := b || r.i;
		END LOOP;
		PERFORM pg_temp.fill('shifted', 6001 + 300 * chunk, 6300 + 300 * chunk);
	END LOOP;
	RAISE NOTICE 'backward: % rows, % distinct, forward reversed: %', cardinality(b),
		(SELECT count(DISTINCT x) FROM unnest(b) x),
		(f || rest) = (SELECT array_agg(x ORDER BY o DESC) FROM unnest(b) WITH ORDINALITY u(x, o));
	CLOSE c;
	ch := dynpg.page_changes();
	RAISE NOTICE 'shifts under the cursor: %, backward reads of a leaf again because items arrived: %',
		(ch ->> 'shifts')::int > (ch0 ->> 'shifts')::int,
		(dynpg.page_reads() ->> 'rereads')::int > (reads0 ->> 'rereads')::int;
END $$;
SELECT count(*) AS items, count(DISTINCT dynpg.attr_text(item, 'i')) AS distinct_items FROM dynamodb.shifted;
SELECT (dynpg.verify('shifted') ->> 'ok')::boolean AS ok_after_cursor_inserts;

SELECT dynpg.delete_table('{"TableName":"shifted"}') IS NOT NULL AS deleted,
       dynpg.delete_table('{"TableName":"split_only"}') IS NOT NULL AS deleted;
