-- Functions over items: attributes by name and by document path, types, sizes.
SET search_path = public, dynpg;
CREATE TEMP TABLE u (item dynpg.item);
INSERT INTO u VALUES
 ('{"PersonID":{"N":"102"},"LastName":{"S":"Jones"},"FirstName":{"S":"Mary"},"Address":{"M":{"Street":{"S":"123 Main"},"City":{"S":"Anytown"},"State":{"S":"OH"},"ZIPCode":{"N":"12345"}}},
   "Tags":{"SS":["b","a"]},"Scores":{"NS":["2","10"]},"Blob":{"B":"AAE="},"Active":{"BOOL":true},"Nothing":{"NULL":true},
   "Phones":{"L":[{"S":"555-1"},{"M":{"kind":{"S":"work"},"num":{"S":"555-2"}}},{"L":[{"N":"7"}]}]},
   "odd.name":{"S":"dotted"}}');

-- -> (typed jsonb), ->> (text), ? (exists), by attribute name
SELECT item -> 'PersonID' AS pid, item ->> 'PersonID' AS pid_text, item -> 'Address' AS address FROM u;
SELECT item ->> 'LastName', item ->> 'Tags', item ->> 'Blob', item ->> 'Active', item ->> 'Nothing' IS NULL AS null_is_sql_null FROM u;
SELECT item -> 'missing' IS NULL AS missing, item ? 'LastName' AS has_last, item ? 'missing' AS has_missing FROM u;
SELECT item ->> 'odd.name' AS literal_name FROM u;

-- document paths
SELECT p, dynpg.get_path(item, p) AS typed, dynpg.get_path(item, p, plain => true) AS plain,
       dynpg.get_path_text(item, p) AS text, dynpg.attribute_type(item, p) AS type,
       dynpg.path_exists(item, p) AS exists
  FROM u, (VALUES ('Address.City'), ('Address.ZIPCode'), ('Phones[0]'), ('Phones[1].kind'),
                  ('Phones[2][0]'), ('Phones[3]'), ('Address.Nope'), ('LastName.x'), ('Phones.x'),
                  ('Address[0]'), ('Tags'), ('Scores'), ('Address')) AS t(p);
-- bad paths
SELECT dynpg.get_path(item, '') FROM u;
SELECT dynpg.get_path(item, '[0]') FROM u;
SELECT dynpg.get_path(item, 'a..b') FROM u;
SELECT dynpg.get_path(item, 'a[x]') FROM u;
SELECT dynpg.get_path(item, 'a[0') FROM u;
SELECT dynpg.get_path(item, 'a[0]b') FROM u;
SELECT dynpg.get_path(item, 'a' || repeat('.a', 32)) FROM u;

-- attribute names in canonical order
SELECT dynpg.attribute_names(item) FROM u;
SELECT dynpg.attribute_names('{}');

-- sizes in DynamoDB's accounting
SELECT dynpg.item_size('{"shirt-color":{"S":"R"},"shirt-size":{"S":"M"}}') AS docs_example_23;
SELECT p, dynpg.attribute_size(item, p) FROM u,
  (VALUES ('LastName'), ('Address'), ('Tags'), ('Scores'), ('Blob'), ('Active'), ('Nothing'), ('Phones'), ('Phones[1]')) AS t(p);
SELECT dynpg.item_size(item) FROM u;
-- multi-byte UTF-8 counts bytes
SELECT dynpg.item_size('{"é":{"S":"中文"}}') AS utf8_bytes;
-- empty map and list: 3 bytes; each element 1 more
SELECT dynpg.item_size('{"m":{"M":{}}}'), dynpg.item_size('{"l":{"L":[]}}'),
       dynpg.item_size('{"l":{"L":[{"NULL":true}]}}'), dynpg.item_size('{"m":{"M":{"k":{"BOOL":false}}}}');

-- an attribute of a large item is found without decoding the rest
CREATE TEMP TABLE wide AS
  SELECT ('{' || string_agg(format('"attr%s":{"N":"%s"}', i, i), ',') || '}')::dynpg.item AS item
    FROM generate_series(1, 5000) i;
SELECT item ->> 'attr1', item ->> 'attr2500', item ->> 'attr5000', item ? 'attr5001' FROM wide;

-- The operators need no search_path: they are in pg_catalog, which every
-- session searches (a restored database, a role that never sets its path).
SET search_path = public;
SELECT item ->> 'LastName' AS last_name, item -> 'Address' ->> 'M' IS NOT NULL AS address,
       item ? 'Tags' AS has_tags, item ? 'missing' AS has_missing
  FROM u;
SELECT '{"n":{"N":"1"}}'::dynpg.item = '{"n":{"N":"1.0"}}'::dynpg.item AS eq,
       '{"n":{"N":"1"}}'::dynpg.item <> '{"n":{"N":"2"}}'::dynpg.item AS ne,
       '{"n":{"N":"1"}}'::dynpg.item < '{"n":{"N":"2"}}'::dynpg.item AS lt,
       '{"n":{"N":"1"}}'::dynpg.item <= '{"n":{"N":"1e0"}}'::dynpg.item AS le,
       '{"n":{"N":"2"}}'::dynpg.item > '{"n":{"N":"1"}}'::dynpg.item AS gt,
       '{"n":{"N":"2"}}'::dynpg.item >= '{"n":{"N":"2"}}'::dynpg.item AS ge;
-- and they are the operators the btree and hash operator classes use, so
-- the planner can sort, hash and merge with what a query writes
SELECT o.oprname, o.oprnamespace::regnamespace AS schema,
       (SELECT string_agg(DISTINCT am.amname, ', ' ORDER BY am.amname)
          FROM pg_amop ao JOIN pg_am am ON am.oid = ao.amopmethod
         WHERE ao.amopopr = o.oid) AS operator_classes
  FROM pg_operator o
 WHERE o.oprleft = 'dynpg.item'::regtype
 ORDER BY o.oprname COLLATE "C";
SET enable_mergejoin = off; SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM u a JOIN u b ON a.item = b.item;
SELECT count(*) AS hash_join_rows FROM u a JOIN u b ON a.item = b.item;
RESET enable_mergejoin; RESET enable_nestloop;
RESET search_path;
