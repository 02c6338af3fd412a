-- PartiQL SELECT through ExecuteStatement (src/api/partiql_ops.c,
-- src/partiql/): point reads, partition reads, scans, projections, index
-- reads, IN lists, ORDER BY, parameters, paging with NextToken, the
-- request's checks and the refused forms with DynamoDB's messages.
\set SHOW_CONTEXT never
SET search_path = public, dynpg;

\i sql/include/partiql_helpers.sql

SELECT dynpg.create_table('{"TableName": "music", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"}, {"AttributeName": "SongTitle", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "Artist", "AttributeType": "S"}, {"AttributeName": "SongTitle", "AttributeType": "S"},
    {"AttributeName": "Year", "AttributeType": "N"}, {"AttributeName": "Genre", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "byYear", "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"}, {"AttributeName": "Year", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "ALL"}}],
  "GlobalSecondaryIndexes": [{"IndexName": "byGenre", "KeySchema": [{"AttributeName": "Genre", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"}}]}') -> 'TableDescription' -> 'TableStatus' AS music;
SELECT dynpg.create_table('{"TableName": "members", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}') -> 'TableDescription' -> 'TableStatus' AS members;

SELECT pg_temp.pq($$INSERT INTO music VALUE {'Artist': 'Acme', 'SongTitle': 'Alpha', 'Year': 2001, 'Genre': 'Rock', 'Tags': <<'a', 'b'>>, 'Info': {'len': 3.5, 'tracks': [1, 2, 3]}}$$);
SELECT pg_temp.pq($$INSERT INTO "music" VALUE {'Artist': 'Acme', 'SongTitle': 'Beta', 'Year': 2003, 'Genre': 'Pop'}$$);
SELECT pg_temp.pq($$insert into music value {'Artist': 'Acme', 'SongTitle': 'Gamma', 'Year': 2002, 'Genre': 'Rock', 'Note': null}$$);
SELECT pg_temp.pq($$INSERT INTO music VALUE {'Artist': 'Bolt', 'SongTitle': 'Delta', 'Year': 1999, 'Genre': 'Jazz', 'Live': true}$$);
SELECT pg_temp.pq($$INSERT INTO music VALUE {'Artist': 'Bolt', 'SongTitle': 'Epsilon', 'Year': 2010}$$);
SELECT pg_temp.pq($$INSERT INTO music VALUE {'Artist': 'Cato', 'SongTitle': 'It''s', 'Year': 1.5e3, 'Rating': .5}$$);
SELECT pg_temp.pq('INSERT INTO members VALUE {''id'': ?, ''n'': ?}', '[{"S": "u1"}, {"N": "1"}]');
SELECT pg_temp.pq('INSERT INTO members VALUE ?', '[{"M": {"id": {"S": "u2"}, "n": {"N": "2"}}}]');
SELECT dynpg._apply_index_changes() IS NOT NULL AS applied;

-- ---------------------------------------------------------------------
-- point reads (GetItem), partition reads (Query), scans
-- ---------------------------------------------------------------------
SELECT pg_temp.pq($$SELECT * FROM music WHERE Artist = 'Acme' AND SongTitle = 'Alpha'$$);
SELECT pg_temp.pq($$SELECT * FROM music WHERE SongTitle = 'Alpha' AND 'Acme' = Artist$$);
SELECT pg_temp.pq($$SELECT * FROM music WHERE Artist = 'Acme' AND SongTitle = 'Nope'$$);
SELECT pg_temp.pq($$SELECT Year, Info.tracks[1], Info.len FROM music WHERE Artist = 'Acme' AND SongTitle = 'Alpha'$$);
SELECT pg_temp.pq($$SELECT "Year", Tags FROM "music" WHERE "Artist" = 'Acme' AND "SongTitle" = 'Alpha'$$);
SELECT pg_temp.pq('SELECT * FROM members WHERE id = ?', '[{"S": "u1"}]');
-- a partition
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme'$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' AND SongTitle > 'Alpha'$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' AND 'Beta' >= SongTitle$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' AND SongTitle BETWEEN 'B' AND 'H'$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' AND begins_with(SongTitle, 'G')$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' AND BEGINS_WITH("SongTitle", 'A') AND Year < 2005$$);
-- the full key and a filter: a Query with a filter
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' AND SongTitle = 'Alpha' AND Genre = 'Pop'$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' AND SongTitle = 'Alpha' AND Genre = 'Rock'$$);
-- conditions on key attributes that a key condition cannot take: a Scan
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' AND SongTitle <> 'Beta'$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' AND SongTitle IN ['Alpha', 'Gamma', 'Nope']$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' AND (SongTitle = 'Alpha' OR Year = 2003)$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' AND SongTitle > 'A' AND SongTitle < 'C'$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist IN ['Acme', 'Bolt'] AND Artist <> 'Bolt' AND Year < 2003$$);
SELECT pg_temp.pq($$SELECT SongTitle FROM music WHERE Artist = 'Acme' AND SongTitle <> 'Beta' ORDER BY SongTitle$$);
-- IN on the partition key: several partitions
SELECT pg_temp.pq_items($$SELECT Artist, SongTitle FROM music WHERE Artist IN ['Bolt', 'Cato', 'Zed']$$);
SELECT pg_temp.pq_items($$SELECT Artist, SongTitle FROM music WHERE Artist IN ('Cato', 'Acme') AND SongTitle >= 'B'$$);
-- an OR of equalities on the partition key is an IN; a partition named twice is read once
SELECT pg_temp.pq_items($$SELECT Artist, SongTitle FROM music WHERE Artist = 'Cato' OR 'Bolt' = Artist OR Artist = 'Cato'$$);
SELECT pg_temp.pq_items($$SELECT Artist, SongTitle FROM music WHERE (Artist = 'Cato' OR Artist = 'Bolt') AND begins_with(SongTitle, 'E')$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist IN ['Bolt', 'Bolt']$$);
SELECT pg_temp.pq('SELECT * FROM members WHERE ' || (SELECT string_agg(format('id = %L', 'k' || i), ' OR ') FROM generate_series(1, 51) i));
-- scans with filters
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Year > 2001 AND Genre <> 'Pop'$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Genre = 'Jazz' OR Year BETWEEN 2009 AND 2011$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE NOT Year IN [2001, 2002, 2003]$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Year NOT IN [2001, 2002, 2003] AND Artist <> 'Cato'$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Genre IS MISSING$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Genre IS NOT MISSING AND Year NOT BETWEEN 2000 AND 2002$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Note IS NULL AND Artist = 'Acme'$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Note IS NOT NULL$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE contains(Tags, 'b') OR contains(Info.tracks, 2)$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE size(SongTitle) = 5 AND attribute_type(Year, 'N')$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Live = true OR Rating = 0.5$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Info.tracks[2] = 3 AND Info.len > -1$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' OR Artist = 'Cato'$$);
SELECT pg_temp.pq_items('SELECT SongTitle FROM music WHERE Year >= ? AND Genre = ?', '[{"N": "2002"}, {"S": "Rock"}]');
-- comments, keywords in any case, white space
SELECT pg_temp.pq_items($$select /* all */ SongTitle
  from music -- the table
  WhErE Artist = 'Bolt' and SongTitle = 'Delta'$$);

-- ---------------------------------------------------------------------
-- ORDER BY the sort key
-- ---------------------------------------------------------------------
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' ORDER BY SongTitle DESC$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' ORDER BY SongTitle ASC$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' ORDER BY SongTitle$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Acme' ORDER BY Artist, SongTitle DESC$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music WHERE Artist = 'Bolt' AND SongTitle = 'Delta' ORDER BY Artist DESC$$);
SELECT pg_temp.pq($$SELECT * FROM music WHERE Artist IN ['Acme', 'Bolt'] ORDER BY Artist$$);
SELECT pg_temp.pq($$SELECT * FROM music WHERE Artist = 'Acme' ORDER BY Artist, SongTitle, Year$$);
SELECT pg_temp.pq($$SELECT * FROM music WHERE Artist = 'Acme' ORDER BY Year$$);
SELECT pg_temp.pq($$SELECT * FROM music WHERE Year = 2001 ORDER BY SongTitle$$);

-- ---------------------------------------------------------------------
-- secondary indexes: "table"."index"
-- ---------------------------------------------------------------------
SELECT pg_temp.pq_items($$SELECT SongTitle, Year FROM "music"."byYear" WHERE Artist = 'Acme' ORDER BY Year DESC$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM music.byYear WHERE Artist = 'Acme' AND Year >= 2002$$);
SELECT pg_temp.pq_items($$SELECT * FROM "music"."byGenre" WHERE Genre = 'Rock'$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM "music"."byGenre" WHERE Artist = 'Bolt'$$);
SELECT pg_temp.pq_items($$SELECT SongTitle FROM "music"."byGenre" WHERE Genre = 'Rock' AND Genre <> 'Pop'$$);
SELECT pg_temp.pq($$SELECT * FROM "music"."nope" WHERE Artist = 'Acme'$$);
-- an index with a multi-attribute key is read by a Scan of the index
SELECT dynpg.create_table('{"TableName": "tourney", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"},
    {"AttributeName": "region", "AttributeType": "S"}, {"AttributeName": "tier", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": [{"IndexName": "byRegionTier", "KeySchema": [{"AttributeName": "region", "KeyType": "HASH"},
    {"AttributeName": "tier", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}') -> 'TableDescription' -> 'TableStatus' AS tourney;
SELECT pg_temp.pq($$INSERT INTO tourney VALUE {'id': 'p1', 'region': 'eu', 'tier': 'gold'}$$),
       pg_temp.pq($$INSERT INTO tourney VALUE {'id': 'p2', 'region': 'eu', 'tier': 'silver'}$$),
       pg_temp.pq($$INSERT INTO tourney VALUE {'id': 'p3', 'region': 'us', 'tier': 'gold'}$$);
SELECT dynpg._apply_index_changes() IS NOT NULL AS applied;
SELECT pg_temp.pq_items($$SELECT id FROM "tourney"."byRegionTier" WHERE region = 'eu' AND tier = 'gold'$$);
SELECT pg_temp.pq_items($$SELECT id FROM "tourney"."byRegionTier" WHERE tier = 'gold'$$);

-- ---------------------------------------------------------------------
-- paging: Limit counts the items read; NextToken resumes
-- ---------------------------------------------------------------------
SELECT pg_temp.pq($$SELECT SongTitle FROM music WHERE Artist = 'Acme'$$, NULL, '{"Limit": 2}')::jsonb - 'NextToken' AS page1;
SELECT pg_temp.pq($$SELECT SongTitle FROM music WHERE Artist = 'Acme'$$, NULL,
  jsonb_build_object('Limit', 2, 'NextToken',
    pg_temp.pq($$SELECT SongTitle FROM music WHERE Artist = 'Acme'$$, NULL, '{"Limit": 2}')::jsonb -> 'NextToken')) AS page2;
-- every page of a scan, two items at a time
DO $$
DECLARE
	req jsonb := '{"Statement": "SELECT Artist, SongTitle FROM music WHERE Year > 1000", "Limit": 2}';
	r jsonb;
	n int := 0;
	total int := 0;
BEGIN
	LOOP
		r := dynpg.execute_statement(req);
		n := n + 1;
		total := total + jsonb_array_length(r -> 'Items');
		EXIT WHEN NOT r ? 'NextToken';
		req := req || jsonb_build_object('NextToken', r -> 'NextToken');
	END LOOP;
	RAISE NOTICE 'scan: % pages, % items', n, total;
END $$;
-- IN: the pages go partition by partition
DO $$
DECLARE
	req jsonb := '{"Statement": "SELECT SongTitle FROM music WHERE Artist IN [''Acme'', ''Bolt'', ''Cato'']", "Limit": 2}';
	r jsonb;
	pages text := '';
BEGIN
	LOOP
		r := dynpg.execute_statement(req);
		pages := pages || (r -> 'Items')::text || ' ';
		EXIT WHEN NOT r ? 'NextToken';
		req := req || jsonb_build_object('NextToken', r -> 'NextToken');
	END LOOP;
	RAISE NOTICE '%', pages;
END $$;
-- reads of several partitions come in pages of at most 10 items
DO $$
DECLARE
	req jsonb := '{"Statement": "SELECT SongTitle FROM music WHERE Artist IN [''P1'', ''P2'', ''P3'']"}';
	r jsonb;
	pages text := '';
BEGIN
	FOR i IN 1..25 LOOP
		PERFORM dynpg.execute_statement(jsonb_build_object('Statement',
			format('INSERT INTO music VALUE {''Artist'': ''P%s'', ''SongTitle'': ''s%s''}', 1 + i % 3, i)));
	END LOOP;
	LOOP
		r := dynpg.execute_statement(req);
		pages := pages || jsonb_array_length(r -> 'Items') || ' ';
		EXIT WHEN NOT r ? 'NextToken';
		req := req || jsonb_build_object('NextToken', r -> 'NextToken');
	END LOOP;
	RAISE NOTICE 'pages of %', pages;
END $$;
-- the token belongs to its statement and its parameters
SELECT pg_temp.pq($$SELECT SongTitle FROM music WHERE Artist = 'Bolt'$$, NULL,
  jsonb_build_object('NextToken',
    pg_temp.pq($$SELECT SongTitle FROM music WHERE Artist = 'Acme'$$, NULL, '{"Limit": 1}')::jsonb -> 'NextToken'));
SELECT pg_temp.pq('SELECT SongTitle FROM music WHERE Artist = ?', '[{"S": "Bolt"}]',
  jsonb_build_object('NextToken',
    pg_temp.pq('SELECT SongTitle FROM music WHERE Artist = ?', '[{"S": "Acme"}]', '{"Limit": 1}')::jsonb -> 'NextToken'));
SELECT pg_temp.pq($$SELECT SongTitle FROM music WHERE Artist = 'Acme'$$, NULL, '{"NextToken": "zz"}');
SELECT pg_temp.pq($$SELECT SongTitle FROM music WHERE Artist = 'Acme'$$, NULL, '{"NextToken": "6162"}');

-- ---------------------------------------------------------------------
-- ConsumedCapacity, ConsistentRead
-- ---------------------------------------------------------------------
SELECT pg_temp.pq($$SELECT Year FROM music WHERE Artist = 'Acme' AND SongTitle = 'Beta'$$, NULL,
  '{"ReturnConsumedCapacity": "TOTAL", "ConsistentRead": true}');
SELECT pg_temp.pq($$SELECT Year FROM music WHERE Artist = 'Cato'$$, NULL, '{"ReturnConsumedCapacity": "TOTAL"}');
SELECT pg_temp.pq($$SELECT Year FROM music WHERE Artist = 'Cato'$$, NULL, '{"ReturnConsumedCapacity": "NONE"}');

-- ---------------------------------------------------------------------
-- parameters
-- ---------------------------------------------------------------------
SELECT pg_temp.pq('SELECT * FROM members WHERE id = ?');
SELECT pg_temp.pq('SELECT * FROM members WHERE id = ?', '[{"S": "u1"}, {"S": "u2"}]');
SELECT pg_temp.pq('SELECT * FROM members', '[{"S": "u1"}]');
SELECT pg_temp.pq('SELECT * FROM members WHERE id = ?', '[]');
SELECT pg_temp.pq('SELECT * FROM members WHERE id = ?', '["u1"]');
SELECT pg_temp.pq('SELECT * FROM members WHERE id = ?', '[{"N": "1"}]');
SELECT pg_temp.pq_items('SELECT id FROM members WHERE n IN [?, ?]', '[{"N": "1"}, {"N": "2"}]');

-- ---------------------------------------------------------------------
-- the request's checks
-- ---------------------------------------------------------------------
SELECT pg_temp.pq_call('ExecuteStatement', '{}');
SELECT pg_temp.pq_call('ExecuteStatement', '{"Statement": ""}');
SELECT pg_temp.pq_call('ExecuteStatement', jsonb_build_object('Statement', 'SELECT * FROM members WHERE id = ''' || repeat('x', 8200) || ''''));
SELECT pg_temp.pq_call('ExecuteStatement', '{"Statement": "SELECT * FROM members", "Limit": 0}');
SELECT pg_temp.pq_call('ExecuteStatement', '{"Statement": "SELECT * FROM members", "ReturnConsumedCapacity": "ALL"}');
SELECT pg_temp.pq_call('ExecuteStatement', '{"Statement": 5}');
SELECT pg_temp.pq_call('ExecuteStatement', '{"Statement": "SELECT * FROM members", "Parameters": {"S": "x"}}');

-- ---------------------------------------------------------------------
-- refused forms
-- ---------------------------------------------------------------------
SELECT pg_temp.pq('SELECT * FROM nosuchtable');
SELECT pg_temp.pq('SELECT * FROM "no such table"');
SELECT pg_temp.pq('SELECT * FROM members u');
SELECT pg_temp.pq('SELECT * FROM members AS u');
SELECT pg_temp.pq('SELECT id AS x FROM members');
SELECT pg_temp.pq('SELECT * FROM members, music');
SELECT pg_temp.pq('SELECT * FROM members JOIN music ON id = Artist');
SELECT pg_temp.pq('SELECT COUNT(*) FROM members');
SELECT pg_temp.pq('SELECT  count(id) FROM members');
SELECT pg_temp.pq('SELECT * FROM members GROUP BY id');
SELECT pg_temp.pq('SELECT * FROM members WHERE id = ''u1'' extra');
SELECT pg_temp.pq('SELECT * FROM members WHERE id = ''u1'';');
SELECT pg_temp.pq('SELECT * FROM members WHERE');
SELECT pg_temp.pq('SELECT * FROM members WHERE id = ''u1');
SELECT pg_temp.pq('SELECT * FROM "members WHERE id = 1');
SELECT pg_temp.pq('SELECT * FROM members /* open');
SELECT pg_temp.pq('SELECT * FROM members WHERE id = 1e');
SELECT pg_temp.pq('SELECT * FROM members WHERE id # 1');
SELECT pg_temp.pq('SELECT * FROM members WHERE from = 1');
SELECT pg_temp.pq('SELECT * FROM members WHERE id LIKE ''u%''');
SELECT pg_temp.pq('SELECT * FROM members WHERE lower(id) = ''u1''');
SELECT pg_temp.pq('SELECT * FROM members WHERE begins_with(id)');
SELECT pg_temp.pq('SELECT * FROM members WHERE n * 2 = 4');
SELECT pg_temp.pq('SELECT * FROM members WHERE n + 1 = 2');
SELECT pg_temp.pq('SELECT * FROM members WHERE id');
SELECT pg_temp.pq('SELECT DISTINCT id FROM members');
SELECT pg_temp.pq('SELECT 1 FROM members');
SELECT pg_temp.pq('CREATE TABLE x (a int)');
SELECT pg_temp.pq('   ');
SELECT pg_temp.pq('-- nothing but a comment');
SELECT pg_temp.pq('SELECT * FROM members WHERE id IN [' || (SELECT string_agg('''k' || i || '''', ',') FROM generate_series(1, 51) i) || ']');
SELECT pg_temp.pq_items('SELECT * FROM members WHERE id IN [' || (SELECT string_agg('''k' || i || '''', ',') FROM generate_series(1, 50) i) || ']');
SELECT pg_temp.pq('SELECT * FROM members WHERE n IN [' || (SELECT string_agg(i::text, ',') FROM generate_series(1, 101) i) || ']');
SELECT pg_temp.pq_items('SELECT * FROM members WHERE n IN [' || (SELECT string_agg(i::text, ',') FROM generate_series(1, 100) i) || '] AND id = ''u9''');
SELECT pg_temp.pq('SELECT * FROM members WHERE n = ' || repeat('(', 100) || '1' || repeat(')', 100));
SELECT pg_temp.pq('SELECT * FROM members WHERE id = ''u1'' AND EXISTS(SELECT * FROM members WHERE id = ''u1'')');

-- the same statement from the per-backend cache
SELECT pg_temp.pq('SELECT * FROM members WHERE id = ?', '[{"S": "u2"}]');
SELECT pg_temp.pq('SELECT * FROM members WHERE id = ?', '[{"S": "u2"}]');

-- dynpg.execute reaches ExecuteStatement too
SELECT dynpg.execute('ExecuteStatement', '{"Statement": "SELECT n FROM members WHERE id = ''u1''"}');
