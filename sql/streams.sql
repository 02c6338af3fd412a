-- DynamoDB Streams (src/am/dynpg_stream.c, src/api/stream_ops.c): a
-- table's StreamSpecification, the records every write path leaves, and
-- the Streams API (ListStreams, DescribeStream, GetShardIterator,
-- GetRecords) with DynamoDB's messages.  Labels, ARNs, sequence numbers and
-- times change from run to run: the tests check their form, not their value.
\set SHOW_CONTEXT never

\i sql/include/typed_errors.sql
CREATE FUNCTION pg_temp.create(t text, spec jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.t('CreateTable', jsonb_build_object('TableName', t, 'BillingMode', 'PAY_PER_REQUEST',
		'KeySchema', '[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]'::jsonb,
		'AttributeDefinitions', '[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}]'::jsonb,
		'StreamSpecification', spec)) $$;
CREATE FUNCTION pg_temp.arn(t text) RETURNS text LANGUAGE sql AS $$
	SELECT dynpg.describe_table(jsonb_build_object('TableName', t)) #>> '{Table,LatestStreamArn}' $$;
-- every record of a stream, shard by shard from TRIM_HORIZON, following NextShardIterator
CREATE FUNCTION pg_temp.records(stream text, page int DEFAULT 1000)
	RETURNS TABLE (seq text, ev text, keys jsonb, new_image jsonb, old_image jsonb, rec jsonb)
	LANGUAGE plpgsql AS $$
DECLARE
	sh jsonb; it text; r jsonb; x jsonb;
BEGIN
	FOR sh IN SELECT jsonb_array_elements(dynpg.describe_stream(jsonb_build_object('StreamArn', stream))
			#> '{StreamDescription,Shards}') LOOP
		it := dynpg.get_shard_iterator(jsonb_build_object('StreamArn', stream,
			'ShardId', sh ->> 'ShardId', 'ShardIteratorType', 'TRIM_HORIZON')) ->> 'ShardIterator';
		LOOP
			r := dynpg.get_records(jsonb_build_object('ShardIterator', it, 'Limit', page));
			FOR x IN SELECT jsonb_array_elements(r -> 'Records') LOOP
				seq := x #>> '{dynamodb,SequenceNumber}'; ev := x ->> 'eventName';
				keys := x #> '{dynamodb,Keys}'; new_image := x #> '{dynamodb,NewImage}';
				old_image := x #> '{dynamodb,OldImage}'; rec := x;
				RETURN NEXT;
			END LOOP;
			it := r ->> 'NextShardIterator';
			EXIT WHEN it IS NULL OR jsonb_array_length(r -> 'Records') = 0;
		END LOOP;
	END LOOP;
END $$;
CREATE FUNCTION pg_temp.put(t text, item jsonb) RETURNS void LANGUAGE sql AS $$
	SELECT dynpg.put_item(jsonb_build_object('TableName', t, 'Item', item)) $$;

-- CreateTable: the specification's rules
SELECT pg_temp.create('s_bad', '{"StreamEnabled": true}');
SELECT pg_temp.create('s_bad', '{"StreamEnabled": false, "StreamViewType": "KEYS_ONLY"}');
SELECT pg_temp.create('s_bad', '{"StreamViewType": "KEYS_ONLY"}');
SELECT pg_temp.create('s_bad', '{"StreamEnabled": true, "StreamViewType": "ALL"}');
SELECT pg_temp.create('s_off', '{"StreamEnabled": false}') IS NOT NULL AS created;
SELECT dynpg.describe_table('{"TableName":"s_off"}') -> 'Table' ?| ARRAY['StreamSpecification', 'LatestStreamArn'] AS has_stream;

-- a table with a NEW_AND_OLD_IMAGES stream
SELECT pg_temp.create('st1', '{"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}')::jsonb
	#> '{TableDescription,StreamSpecification}' AS created_with;
SELECT d #> '{Table,StreamSpecification}' AS spec,
	d #>> '{Table,LatestStreamLabel}' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$' AS label_form,
	d #>> '{Table,LatestStreamArn}' = 'arn:aws:dynamodb:ddblocal:000000000000:table/st1/stream/' || (d #>> '{Table,LatestStreamLabel}') AS arn_form,
	d -> 'Table' ?| ARRAY['StreamId', 'StreamShards'] AS internals_shown
FROM dynpg.describe_table('{"TableName":"st1"}') d;

-- DescribeStream: the stream and its shards
SELECT d - '{StreamArn,StreamLabel,CreationRequestDateTime,Shards}'::text[] AS description,
	d ->> 'StreamArn' = pg_temp.arn('st1') AS arn_matches,
	jsonb_array_length(d -> 'Shards') AS shards,
	(SELECT bool_and(s ->> 'ShardId' ~ '^shardId-\d{20}-[0-9a-f]{16}$'
		AND s #>> '{SequenceNumberRange,StartingSequenceNumber}' ~ '^\d{21}$'
		AND NOT s -> 'SequenceNumberRange' ? 'EndingSequenceNumber'
		AND NOT s ? 'ParentShardId')
	 FROM jsonb_array_elements(d -> 'Shards') s) AS shard_form
FROM (SELECT dynpg.describe_stream(jsonb_build_object('StreamArn', pg_temp.arn('st1'))) -> 'StreamDescription' d) x;

-- writes: INSERT, MODIFY, REMOVE, in order per item, with both images
SELECT pg_temp.put('st1', '{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"one"}}');
SELECT pg_temp.put('st1', '{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"two"}}');
SELECT dynpg.update_item('{"TableName":"st1","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET n = :n","ExpressionAttributeValues":{":n":{"N":"5"}}}') IS NOT NULL AS updated;
SELECT dynpg.delete_item('{"TableName":"st1","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}') IS NOT NULL AS deleted;
SELECT pg_temp.put('st1', '{"pk":{"S":"b"},"sk":{"N":"2"}}');
SELECT ev, keys, new_image, old_image FROM pg_temp.records(pg_temp.arn('st1')) ORDER BY seq;
-- the record's shape
SELECT rec - 'dynamodb' - 'eventID' AS record, rec ->> 'eventID' ~ '^[0-9a-f]{32}$' AS event_id_form,
	(rec -> 'dynamodb') - '{Keys,NewImage,OldImage,SequenceNumber,ApproximateCreationDateTime}'::text[] AS dynamodb,
	(rec #>> '{dynamodb,ApproximateCreationDateTime}')::numeric BETWEEN extract(epoch FROM now()) - 3600
		AND extract(epoch FROM now()) + 60 AS time_ok
FROM pg_temp.records(pg_temp.arn('st1')) ORDER BY seq LIMIT 1;

-- a write that changes nothing leaves no record; a delete of nothing neither
SELECT pg_temp.put('st1', '{"pk":{"S":"b"},"sk":{"N":"2"}}');
SELECT dynpg.delete_item('{"TableName":"st1","Key":{"pk":{"S":"zz"},"sk":{"N":"9"}}}') IS NOT NULL AS deleted;
SELECT count(*) FROM pg_temp.records(pg_temp.arn('st1'));
-- a rolled-back write leaves none
BEGIN;
SELECT pg_temp.put('st1', '{"pk":{"S":"c"},"sk":{"N":"3"}}');
ROLLBACK;
BEGIN;
SAVEPOINT s;
SELECT pg_temp.put('st1', '{"pk":{"S":"c"},"sk":{"N":"4"}}');
ROLLBACK TO SAVEPOINT s;
SELECT pg_temp.put('st1', '{"pk":{"S":"c"},"sk":{"N":"5"}}');
COMMIT;
SELECT ev, keys FROM pg_temp.records(pg_temp.arn('st1')) WHERE keys #>> '{pk,S}' = 'c';
-- batches, transactions, the SQL layer and SQL INSERT write records too
SELECT dynpg.batch_write_item('{"RequestItems":{"st1":[{"PutRequest":{"Item":{"pk":{"S":"d"},"sk":{"N":"1"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"b"},"sk":{"N":"2"}}}}]}}') IS NOT NULL AS batch;
SELECT dynpg.transact_write_items('{"TransactItems":[{"Put":{"TableName":"st1","Item":{"pk":{"S":"e"},"sk":{"N":"1"}}}},{"Update":{"TableName":"st1","Key":{"pk":{"S":"d"},"sk":{"N":"1"}},"UpdateExpression":"SET x = :x","ExpressionAttributeValues":{":x":{"BOOL":true}}}}]}') IS NOT NULL AS transact;
INSERT INTO dynamodb.st1 VALUES (dynpg.item('{"pk":{"S":"f"},"sk":{"N":"1"}}'));
COPY dynamodb.st1 FROM STDIN;
{"pk":{"S":"f2"},"sk":{"N":"1"}}
\.
SELECT ev, keys FROM pg_temp.records(pg_temp.arn('st1')) WHERE keys #>> '{pk,S}' IN ('b', 'd', 'e', 'f', 'f2') ORDER BY seq;
-- paging: one record a call gives the same records
SELECT (SELECT array_agg(seq ORDER BY seq) FROM pg_temp.records(pg_temp.arn('st1'), 1)) =
	(SELECT array_agg(seq ORDER BY seq) FROM pg_temp.records(pg_temp.arn('st1'))) AS same_records;
-- SizeBytes counts keys and images
SELECT (rec #>> '{dynamodb,SizeBytes}')::int > 0 AS sized FROM pg_temp.records(pg_temp.arn('st1')) LIMIT 1;

-- LATEST: only what commits after the iterator
CREATE TEMP TABLE latest AS
SELECT s ->> 'ShardId' AS shard, dynpg.get_shard_iterator(jsonb_build_object('StreamArn', pg_temp.arn('st1'),
	'ShardId', s ->> 'ShardId', 'ShardIteratorType', 'LATEST')) ->> 'ShardIterator' AS it
FROM jsonb_array_elements(dynpg.describe_stream(jsonb_build_object('StreamArn', pg_temp.arn('st1'))) #> '{StreamDescription,Shards}') s;
SELECT sum(jsonb_array_length(dynpg.get_records(jsonb_build_object('ShardIterator', it)) -> 'Records')) AS before FROM latest;
SELECT pg_temp.put('st1', '{"pk":{"S":"g"},"sk":{"N":"1"}}');
SELECT sum(jsonb_array_length(r -> 'Records')) AS after,
	bool_and(r ? 'NextShardIterator') AS open_shards_continue
FROM (SELECT dynpg.get_records(jsonb_build_object('ShardIterator', it)) r FROM latest) x;

-- AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER
CREATE TEMP TABLE firstrec AS
SELECT seq, (SELECT s ->> 'ShardId' FROM jsonb_array_elements(dynpg.describe_stream(jsonb_build_object('StreamArn', pg_temp.arn('st1'))) #> '{StreamDescription,Shards}') s
	WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(dynpg.get_records(jsonb_build_object('ShardIterator',
		dynpg.get_shard_iterator(jsonb_build_object('StreamArn', pg_temp.arn('st1'), 'ShardId', s ->> 'ShardId',
		'ShardIteratorType', 'TRIM_HORIZON')) ->> 'ShardIterator')) -> 'Records') e
		WHERE e #>> '{dynamodb,SequenceNumber}' = seq)) AS shard
FROM pg_temp.records(pg_temp.arn('st1')) ORDER BY seq LIMIT 1;
SELECT (dynpg.get_records(jsonb_build_object('ShardIterator', dynpg.get_shard_iterator(jsonb_build_object(
	'StreamArn', pg_temp.arn('st1'), 'ShardId', shard, 'ShardIteratorType', 'AT_SEQUENCE_NUMBER', 'SequenceNumber', seq)) ->> 'ShardIterator'))
	#>> '{Records,0,dynamodb,SequenceNumber}') = seq AS at_gives_it,
	(dynpg.get_records(jsonb_build_object('ShardIterator', dynpg.get_shard_iterator(jsonb_build_object(
	'StreamArn', pg_temp.arn('st1'), 'ShardId', shard, 'ShardIteratorType', 'AFTER_SEQUENCE_NUMBER', 'SequenceNumber', seq)) ->> 'ShardIterator'))
	#>> '{Records,0,dynamodb,SequenceNumber}') > seq AS after_skips_it
FROM firstrec;

-- Shards: the worker closes a stream's shards on a schedule or at a size
-- and opens their children, one per hash range, whose parent is the closed
-- shard of that range; dynpg._roll_stream_shards does it now
SELECT current_setting('dynpg.stream_shard_rollover') AS rollover,
	current_setting('dynpg.stream_shard_max_records') AS max_records;
SELECT dynpg._roll_stream_shards('s_off') AS no_stream;
CREATE TEMP TABLE gen0 AS
SELECT s ->> 'ShardId' AS shard, ord
FROM jsonb_array_elements(dynpg.describe_stream(jsonb_build_object('StreamArn', pg_temp.arn('st1'))) #> '{StreamDescription,Shards}')
	WITH ORDINALITY x(s, ord);
CREATE TEMP TABLE before_roll AS SELECT seq, keys FROM pg_temp.records(pg_temp.arn('st1'));
-- an iterator on an old shard, positioned before the rollover
CREATE TEMP TABLE parent_it AS
SELECT shard, dynpg.get_shard_iterator(jsonb_build_object('StreamArn', pg_temp.arn('st1'), 'ShardId', shard,
	'ShardIteratorType', 'TRIM_HORIZON')) ->> 'ShardIterator' AS it FROM gen0;
SELECT dynpg._roll_stream_shards('st1') AS generation;
-- writes after it: new items, and item d again (its records go on in the child)
SELECT count(*) AS puts FROM (SELECT pg_temp.put('st1', jsonb_build_object('pk', jsonb_build_object('S', 'r' || i), 'sk', '{"N":"1"}'::jsonb))
	FROM generate_series(1, 24) i) x;
SELECT pg_temp.put('st1', '{"pk":{"S":"d"},"sk":{"N":"1"},"v":{"S":"after the rollover"}}');
CREATE TEMP TABLE shards AS
SELECT s ->> 'ShardId' AS shard, s ->> 'ParentShardId' AS parent,
	s #>> '{SequenceNumberRange,StartingSequenceNumber}' AS first_seq,
	s #>> '{SequenceNumberRange,EndingSequenceNumber}' AS last_seq, ord
FROM jsonb_array_elements(dynpg.describe_stream(jsonb_build_object('StreamArn', pg_temp.arn('st1'))) #> '{StreamDescription,Shards}')
	WITH ORDINALITY x(s, ord);
SELECT count(*) AS shards, count(*) FILTER (WHERE last_seq IS NOT NULL) AS closed,
	count(*) FILTER (WHERE parent IS NOT NULL) AS with_parent,
	bool_and(shard ~ '^shardId-\d{20}-[0-9a-f]{16}$' AND length(shard) BETWEEN 28 AND 65) AS id_form
FROM shards;
-- the closed shards are the old ones, listed first; each child's parent is
-- the closed shard of its hash range, and its numbers come after the parent's
SELECT (SELECT array_agg(shard ORDER BY ord) FROM shards WHERE ord <= 4 AND last_seq IS NOT NULL AND parent IS NULL) =
	(SELECT array_agg(shard ORDER BY ord) FROM gen0) AS old_shards_closed_first;
SELECT count(*) AS children, count(DISTINCT p.shard) AS parents,
	bool_and(p.last_seq < c.first_seq AND p.first_seq <= p.last_seq AND right(c.shard, 4) = right(p.shard, 4)
		AND c.last_seq IS NULL) AS lineage
FROM shards c JOIN shards p ON p.shard = c.parent;
-- ShardFilter CHILD_SHARDS: a shard's children; a child has none yet
SELECT bool_and(f.kids = (SELECT jsonb_agg(shard) FROM shards WHERE parent = g.shard)) AS children_listed,
	bool_and(jsonb_array_length(f.kids) = 1) AS one_each
FROM gen0 g, LATERAL (SELECT jsonb_agg(s ->> 'ShardId') AS kids FROM jsonb_array_elements(dynpg.describe_stream(
	jsonb_build_object('StreamArn', pg_temp.arn('st1'), 'ShardFilter', jsonb_build_object('Type', 'CHILD_SHARDS', 'ShardId', g.shard)))
	#> '{StreamDescription,Shards}') s) f;
SELECT jsonb_array_length(dynpg.describe_stream(jsonb_build_object('StreamArn', pg_temp.arn('st1'),
	'ShardFilter', jsonb_build_object('Type', 'CHILD_SHARDS', 'ShardId', shard))) #> '{StreamDescription,Shards}') AS grandchildren
FROM shards WHERE parent IS NOT NULL ORDER BY ord LIMIT 1;
SELECT jsonb_array_length(dynpg.describe_stream(jsonb_build_object('StreamArn', pg_temp.arn('st1'),
	'ShardFilter', '{"Type":"CHILD_SHARDS","ShardId":"shardId-00000000000000000000-0000000000000000"}'::jsonb)) #> '{StreamDescription,Shards}') AS unknown_shard_children;
SELECT pg_temp.t('DescribeStream', jsonb_build_object('StreamArn', pg_temp.arn('st1'), 'ShardFilter', '{"Type":"PARENT_SHARDS"}'::jsonb));
SELECT pg_temp.t('DescribeStream', jsonb_build_object('StreamArn', pg_temp.arn('st1'), 'ShardFilter', '{"Type":"CHILD_SHARDS","ShardId":"short"}'::jsonb));
-- paging DescribeStream across generations: Limit 3, ExclusiveStartShardId
CREATE TEMP TABLE pages AS
WITH RECURSIVE p(n, r) AS (
	SELECT 1, dynpg.describe_stream(jsonb_build_object('StreamArn', pg_temp.arn('st1'), 'Limit', 3)) -> 'StreamDescription'
	UNION ALL
	SELECT n + 1, dynpg.describe_stream(jsonb_build_object('StreamArn', pg_temp.arn('st1'), 'Limit', 3,
		'ExclusiveStartShardId', r ->> 'LastEvaluatedShardId')) -> 'StreamDescription'
	FROM p WHERE r ? 'LastEvaluatedShardId')
SELECT n, r FROM p;
SELECT n, jsonb_array_length(r -> 'Shards') AS shards, r ? 'LastEvaluatedShardId' AS more FROM pages ORDER BY n;
SELECT (SELECT array_agg(s ->> 'ShardId' ORDER BY n, o) FROM pages, jsonb_array_elements(r -> 'Shards') WITH ORDINALITY y(s, o)) =
	(SELECT array_agg(shard ORDER BY ord) FROM shards) AS pages_list_every_shard;
-- the old shards hold exactly the records from before the rollover; read to
-- their end they give no NextShardIterator, and the children go on
CREATE TEMP TABLE parent_read AS
WITH RECURSIVE rd(shard, n, r) AS (
	SELECT shard, 1, dynpg.get_records(jsonb_build_object('ShardIterator', it, 'Limit', 2)) FROM parent_it
	UNION ALL
	SELECT shard, n + 1, dynpg.get_records(jsonb_build_object('ShardIterator', r ->> 'NextShardIterator', 'Limit', 2))
	FROM rd WHERE r ? 'NextShardIterator' AND n < 100)
SELECT shard, n, r FROM rd;
SELECT bool_and(ended) AS parents_end, sum(records) AS parent_records,
	(SELECT count(*) FROM before_roll) AS records_before
FROM (SELECT shard, bool_or(NOT r ? 'NextShardIterator') AS ended, sum(jsonb_array_length(r -> 'Records')) AS records
	FROM parent_read GROUP BY shard) x;
SELECT (SELECT array_agg(e #>> '{dynamodb,SequenceNumber}' ORDER BY e #>> '{dynamodb,SequenceNumber}')
		FROM parent_read, jsonb_array_elements(r -> 'Records') e) =
	(SELECT array_agg(seq ORDER BY seq) FROM before_roll) AS parents_hold_the_old_records;
-- item d: its MODIFY after the rollover is in the child of the shard that held its earlier records
SELECT c.parent = (SELECT shard FROM parent_read, jsonb_array_elements(r -> 'Records') e
		WHERE e #>> '{dynamodb,Keys,pk,S}' = 'd' LIMIT 1) AS in_the_child,
	e ->> 'eventName' AS ev, e #> '{dynamodb,NewImage,v}' AS v,
	e #>> '{dynamodb,SequenceNumber}' > (SELECT max(seq) FROM before_roll) AS numbered_after
FROM shards c, LATERAL jsonb_array_elements(dynpg.get_records(jsonb_build_object('ShardIterator',
	dynpg.get_shard_iterator(jsonb_build_object('StreamArn', pg_temp.arn('st1'), 'ShardId', c.shard,
		'ShardIteratorType', 'TRIM_HORIZON')) ->> 'ShardIterator')) -> 'Records') e
WHERE c.parent IS NOT NULL AND e #>> '{dynamodb,Keys,pk,S}' = 'd';
-- all the records, parents then children: each once, per hash range in number order
SELECT count(*) AS records, count(DISTINCT seq) AS distinct_numbers,
	count(*) FILTER (WHERE keys #>> '{pk,S}' LIKE 'r%') AS after_rollover
FROM pg_temp.records(pg_temp.arn('st1'));
-- a number outside a shard's range: DynamoDB's message
SELECT regexp_replace(pg_temp.t('GetShardIterator', jsonb_build_object('StreamArn', pg_temp.arn('st1'),
	'ShardId', (SELECT shard FROM gen0 ORDER BY ord LIMIT 1), 'ShardIteratorType', 'AT_SEQUENCE_NUMBER',
	'SequenceNumber', (SELECT max(sequence_number) FROM dynpg.stream_records('st1')))),
	'\d{21} is not in the range of shard shardId-\S+', 'N is not in the range of shard shardId-...') AS outside;
-- LATEST on a closed shard: nothing, and no NextShardIterator
SELECT r -> 'Records' AS records, r ? 'NextShardIterator' AS next
FROM (SELECT dynpg.get_records(jsonb_build_object('ShardIterator', dynpg.get_shard_iterator(jsonb_build_object(
	'StreamArn', pg_temp.arn('st1'), 'ShardId', (SELECT shard FROM gen0 ORDER BY ord LIMIT 1), 'ShardIteratorType', 'LATEST'))
	->> 'ShardIterator')) r) x;
-- dynpg.stream_records spans the generations, in number order, naming each record's shard
SELECT count(*) AS records,
	bool_and(shard_id IN (SELECT shard FROM shards)) AS shards_named,
	count(*) FILTER (WHERE shard_id IN (SELECT shard FROM gen0)) = (SELECT count(*) FROM before_roll) AS old_in_old_shards
FROM dynpg.stream_records('st1');
SELECT array_agg(sequence_number) = array_agg(sequence_number ORDER BY sequence_number) AS in_order
FROM dynpg.stream_records('st1');
SELECT event_name, keys ->> 'pk' AS pk, shard_id IN (SELECT shard FROM shards WHERE parent IS NOT NULL) AS in_child
FROM dynpg.stream_records('st1', (SELECT max(seq) FROM before_roll)) WHERE keys::text LIKE '{"pk":{"S":"d"}%';

-- the worker's schedule and size (dynpg._roll_due_stream_shards runs its
-- step now): a generation rolls over when dynpg.stream_shard_rollover old,
-- or when a shard holds dynpg.stream_shard_max_records (1000 in the test
-- configuration); the children are empty, so nothing is due again.  (The
-- worker may run the same step first: the shards show what happened.)
SELECT pg_temp.create('st3', '{"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}') IS NOT NULL AS created;
CREATE FUNCTION pg_temp.st3_shards() RETURNS TABLE (shards bigint, closed bigint) LANGUAGE sql AS $$
	SELECT count(*), count(*) FILTER (WHERE s -> 'SequenceNumberRange' ? 'EndingSequenceNumber')
	FROM jsonb_array_elements(dynpg.describe_stream(jsonb_build_object('StreamArn', pg_temp.arn('st3'))) #> '{StreamDescription,Shards}') s $$;
INSERT INTO dynamodb.st3 SELECT dynpg.item(jsonb_build_object('pk', jsonb_build_object('S', 'k' || i), 'sk', '{"N":"1"}'::jsonb)::text) FROM generate_series(1, 900) i;
SELECT dynpg._roll_due_stream_shards() >= 0 AS ran;
SELECT * FROM pg_temp.st3_shards();
INSERT INTO dynamodb.st3 SELECT dynpg.item(jsonb_build_object('pk', jsonb_build_object('S', 'k' || i), 'sk', '{"N":"1"}'::jsonb)::text) FROM generate_series(901, 4500) i;
SELECT max(n) >= 1000 AS a_shard_is_full FROM (SELECT count(*) AS n FROM dynpg.stream_records('st3', max_records => 10000) GROUP BY shard_id) x;
SELECT dynpg._roll_due_stream_shards() >= 0 AS ran;
SELECT * FROM pg_temp.st3_shards();
SELECT dynpg._roll_due_stream_shards() >= 0 AS ran;
SELECT * FROM pg_temp.st3_shards();
-- four hours later (the open generation made older)
UPDATE dynpg.stream_shards SET started = started - interval '4 hours'
WHERE ended_seq IS NULL AND stream_id = (SELECT stream_id FROM dynpg.streams WHERE table_name = 'st3');
SELECT dynpg._roll_due_stream_shards() >= 0 AS ran;
SELECT * FROM pg_temp.st3_shards();
SELECT dynpg.delete_table('{"TableName":"st3"}') IS NOT NULL AS dropped;

-- UpdateTable: DynamoDB's rules and messages
SELECT pg_temp.t('UpdateTable', '{"TableName":"st1","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}');
SELECT pg_temp.t('UpdateTable', '{"TableName":"st1","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}');
SELECT pg_temp.t('UpdateTable', '{"TableName":"st1","StreamSpecification":{"StreamEnabled":true}}');
SELECT pg_temp.t('UpdateTable', '{"TableName":"st1","StreamSpecification":{"StreamEnabled":false,"StreamViewType":"KEYS_ONLY"}}');
SELECT pg_temp.t('UpdateTable', '{"TableName":"st1","StreamSpecification":{}}');
SELECT pg_temp.t('UpdateTable', '{"TableName":"s_off","StreamSpecification":{"StreamEnabled":false}}');
SELECT pg_temp.t('UpdateTable', '{"TableName":"st1","StreamSpecification":{"StreamEnabled":false},"GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"xyz"}}]}');

-- disabling closes the stream: still readable, drained shards end
CREATE TEMP TABLE old_stream AS SELECT pg_temp.arn('st1') AS arn;
SELECT r #> '{TableDescription,StreamSpecification}' AS spec_after,
	r #>> '{TableDescription,LatestStreamArn}' = (SELECT arn FROM old_stream) AS arn_kept
FROM (SELECT pg_temp.t('UpdateTable', '{"TableName":"st1","StreamSpecification":{"StreamEnabled":false}}')::jsonb r) x;
SELECT d -> 'Table' ? 'StreamSpecification' AS spec_shown, d #>> '{Table,LatestStreamArn}' = (SELECT arn FROM old_stream) AS arn_kept
FROM dynpg.describe_table('{"TableName":"st1"}') d;
SELECT pg_temp.put('st1', '{"pk":{"S":"h"},"sk":{"N":"1"}}');
SELECT d ->> 'StreamStatus' AS status,
	(SELECT bool_and(s -> 'SequenceNumberRange' ? 'EndingSequenceNumber') FROM jsonb_array_elements(d -> 'Shards') s) AS shards_end
FROM (SELECT dynpg.describe_stream(jsonb_build_object('StreamArn', arn)) -> 'StreamDescription' d FROM old_stream) x;
SELECT count(*) FILTER (WHERE keys #>> '{pk,S}' = 'h') AS after_close, count(*) > 0 AS readable
FROM old_stream, pg_temp.records(arn);
-- a drained closed shard has no NextShardIterator
SELECT bool_and(NOT (dynpg.get_records(jsonb_build_object('ShardIterator', dynpg.get_shard_iterator(jsonb_build_object(
	'StreamArn', arn, 'ShardId', s ->> 'ShardId', 'ShardIteratorType', 'LATEST')) ->> 'ShardIterator')) ? 'NextShardIterator')) AS ended
FROM old_stream, jsonb_array_elements(dynpg.describe_stream(jsonb_build_object('StreamArn', arn)) #> '{StreamDescription,Shards}') s;
-- re-enabling opens a new stream with a new label
SELECT pg_temp.t('UpdateTable', '{"TableName":"st1","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}')::jsonb
	#> '{TableDescription,StreamSpecification}' AS spec;
SELECT pg_temp.arn('st1') <> (SELECT arn FROM old_stream) AS new_arn;
SELECT pg_temp.put('st1', '{"pk":{"S":"i"},"sk":{"N":"1"},"big":{"S":"not in a KEYS_ONLY record"}}');
SELECT ev, keys, new_image, old_image, rec #>> '{dynamodb,StreamViewType}' AS view FROM pg_temp.records(pg_temp.arn('st1'));

-- ListStreams: both of st1's streams, paging, a table's streams
SELECT pg_temp.create('st2', '{"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}') IS NOT NULL AS created;
SELECT jsonb_agg(s ->> 'TableName') AS tables, bool_and(s ->> 'StreamArn' LIKE '%/stream/' || (s ->> 'StreamLabel')) AS arns
FROM jsonb_array_elements(dynpg.list_streams() -> 'Streams') s WHERE s ->> 'TableName' IN ('st1', 'st2');
SELECT jsonb_array_length(r -> 'Streams') AS n, r ? 'LastEvaluatedStreamArn' AS more
FROM dynpg.list_streams('{"TableName": "st1", "Limit": 1}') r;
SELECT jsonb_array_length(r -> 'Streams') AS n, r ? 'LastEvaluatedStreamArn' AS more
FROM dynpg.list_streams(jsonb_build_object('TableName', 'st1', 'Limit', 1, 'ExclusiveStartStreamArn',
	dynpg.list_streams('{"TableName": "st1", "Limit": 1}') ->> 'LastEvaluatedStreamArn')) r;
SELECT jsonb_array_length(dynpg.list_streams('{"TableName":"st2"}') -> 'Streams') AS s2_streams;
SELECT pg_temp.t('ListStreams', '{"TableName":"nope"}');
SELECT pg_temp.t('ListStreams', '{"Limit":0}');
SELECT pg_temp.t('ListStreams', '{"Limit":101}');

-- DeleteTable closes the stream; it stays listed and readable
SELECT pg_temp.put('st2', '{"pk":{"S":"z"},"sk":{"N":"1"}}');
CREATE TEMP TABLE st2_stream AS SELECT pg_temp.arn('st2') AS arn;
SELECT dynpg.delete_table('{"TableName":"st2"}') #> '{TableDescription,StreamSpecification}' AS deleted_spec;
SELECT d ->> 'StreamStatus' AS status FROM (SELECT dynpg.describe_stream(jsonb_build_object('StreamArn', arn)) -> 'StreamDescription' d FROM st2_stream) x;
SELECT ev, keys, new_image FROM st2_stream, pg_temp.records(arn);

-- the Streams API's messages
SELECT pg_temp.t('DescribeStream', '{}');
SELECT pg_temp.t('DescribeStream', '{"StreamArn":"arn:aws:dynamodb:ddblocal:000000000000:table/st1/stream/2000-01-01T00:00:00.000"}');
SELECT pg_temp.t('DescribeStream', '{"StreamArn":"short"}');
SELECT regexp_replace(pg_temp.t('GetShardIterator', jsonb_build_object('StreamArn', pg_temp.arn('st1'), 'ShardId', 'shardId-00000000000000000000-00000000', 'ShardIteratorType', 'LATEST')), '/stream/\S+', '/stream/...');
SELECT pg_temp.t('GetShardIterator', jsonb_build_object('StreamArn', pg_temp.arn('st1'), 'ShardId', 'x', 'ShardIteratorType', 'SOON'));
SELECT regexp_replace(pg_temp.t('GetShardIterator', jsonb_build_object('StreamArn', pg_temp.arn('st1'),
	'ShardId', dynpg.describe_stream(jsonb_build_object('StreamArn', pg_temp.arn('st1'))) #>> '{StreamDescription,Shards,0,ShardId}',
	'ShardIteratorType', 'AT_SEQUENCE_NUMBER')), 'shardId-\S+', 'shardId-...');
SELECT regexp_replace(pg_temp.t('GetShardIterator', jsonb_build_object('StreamArn', pg_temp.arn('st1'),
	'ShardId', dynpg.describe_stream(jsonb_build_object('StreamArn', pg_temp.arn('st1'))) #>> '{StreamDescription,Shards,0,ShardId}',
	'ShardIteratorType', 'AFTER_SEQUENCE_NUMBER', 'SequenceNumber', '000000000000000000001')), 'shardId-\S+', 'shardId-...');
SELECT pg_temp.t('GetRecords', '{}');
SELECT pg_temp.t('GetRecords', '{"ShardIterator":"nonsense"}');
SELECT pg_temp.t('GetRecords', '{"ShardIterator":"x","Limit":1001}');
-- an iterator issued long ago has expired
SELECT regexp_replace(pg_temp.t('GetRecords', jsonb_build_object('ShardIterator',
	left(it, length(it) - 16) || '0000000000000000')), 'right now it''s .* which', 'right now it''s ... which')
FROM latest LIMIT 1;
-- PREPARE TRANSACTION of a write with a stream record is refused
BEGIN;
SELECT pg_temp.put('st1', '{"pk":{"S":"p"},"sk":{"N":"1"}}');
PREPARE TRANSACTION 'p';
SELECT count(*) FROM pg_temp.records(pg_temp.arn('st1')) WHERE keys #>> '{pk,S}' = 'p';
-- the operations are DynamoDB Streams', not DynamoDB's: dynpg.execute knows both
SELECT pg_temp.t('ListStreams', '{"Limit":1}')::jsonb ? 'Streams' AS listed;

-- trimming (the worker, every minute, with dynpg.stream_retention): records
-- older than the retention go, and closed streams that old; a reader
-- positioned before the trim point is told so
SELECT current_setting('dynpg.stream_retention') AS retention;
CREATE TEMP TABLE before_trim AS
SELECT s ->> 'ShardId' AS shard, dynpg.get_shard_iterator(jsonb_build_object('StreamArn', pg_temp.arn('st1'),
	'ShardId', s ->> 'ShardId', 'ShardIteratorType', 'TRIM_HORIZON')) ->> 'ShardIterator' AS it
FROM jsonb_array_elements(dynpg.describe_stream(jsonb_build_object('StreamArn', pg_temp.arn('st1'))) #> '{StreamDescription,Shards}') s;
CREATE TEMP TABLE trimmed_rec AS SELECT seq FROM pg_temp.records(pg_temp.arn('st1')) LIMIT 1;
SELECT dynpg._trim_streams('1 hour') AS nothing_that_old;
SELECT dynpg._trim_streams('0 seconds') > 0 AS trimmed;
SELECT count(*) AS left_after_trim FROM pg_temp.records(pg_temp.arn('st1'));
SELECT pg_temp.t('DescribeStream', jsonb_build_object('StreamArn', arn)) LIKE '%ResourceNotFoundException%' AS closed_stream_gone
FROM st2_stream;
SELECT pg_temp.put('st1', '{"pk":{"S":"j"},"sk":{"N":"1"}}');
SELECT ev, keys FROM pg_temp.records(pg_temp.arn('st1'));
SELECT DISTINCT regexp_replace(pg_temp.t('GetRecords', jsonb_build_object('ShardIterator', it)), '\d{21} of stream \S+', 'N of stream ...') AS old_iterator
FROM before_trim WHERE EXISTS (SELECT 1 FROM trimmed_rec);
SELECT regexp_replace(pg_temp.t('GetShardIterator', jsonb_build_object('StreamArn', pg_temp.arn('st1'),
	'ShardId', (SELECT shard FROM before_trim LIMIT 1), 'ShardIteratorType', 'AT_SEQUENCE_NUMBER', 'SequenceNumber', seq)),
	'\d{21} of stream \S+', 'N of stream ...') AS trimmed_position
FROM trimmed_rec;

-- a closed shard generation goes with its records: after trimming, only
-- the open shards are listed, still naming their (trimmed) parents
SELECT dynpg._roll_stream_shards('st1') AS generation;
SELECT dynpg._trim_streams('0 seconds') >= 0 AS trimmed;
SELECT count(*) AS shards, bool_and(s ? 'ParentShardId') AS parents_named,
	bool_and(NOT s -> 'SequenceNumberRange' ? 'EndingSequenceNumber') AS all_open
FROM jsonb_array_elements(dynpg.describe_stream(jsonb_build_object('StreamArn', pg_temp.arn('st1'))) #> '{StreamDescription,Shards}') s;
SELECT pg_temp.put('st1', '{"pk":{"S":"j"},"sk":{"N":"2"}}');
SELECT ev, keys FROM pg_temp.records(pg_temp.arn('st1'));

-- dynpg.stream_records: the table's stream as rows, in number order, after a number
SELECT event_name, keys, new_image, old_image, shard_id ~ '^shardId-' AS shard_form, size_bytes > 0 AS sized
FROM dynpg.stream_records('st1');
SELECT count(*) FROM dynpg.stream_records('st1', (SELECT max(sequence_number) FROM dynpg.stream_records('st1')));
SELECT pg_temp.put('st1', '{"pk":{"S":"k"},"sk":{"N":"1"}}');
SELECT pg_temp.put('st1', '{"pk":{"S":"l"},"sk":{"N":"1"}}');
SELECT event_name, keys ->> 'pk' AS pk FROM dynpg.stream_records('st1', max_records => 2);
SELECT count(*) FROM dynpg.stream_records('s_off');
SELECT dynpg.stream_records('nope');
SELECT dynpg.stream_records('st1', 'x');

-- clean up: later suites list the database's tables
SELECT dynpg.delete_table('{"TableName":"st1"}') IS NOT NULL AS dropped, dynpg.delete_table('{"TableName":"s_off"}') IS NOT NULL AS dropped;
