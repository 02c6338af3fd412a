-- DynamoDB Streams' contracts: the functions' signatures, the exact members
-- of each response and of a record, the forms of the generated values
-- (StreamArn, StreamLabel, ShardId, SequenceNumber, ShardIterator, eventID),
-- and the SQLSTATE of each exception.  Not in one transaction: a reader
-- sees only committed records, so each write commits on its own.
SELECT plan(28);

SELECT function_returns('dynpg', f, ARRAY['jsonb'], 'jsonb', 'dynpg.' || f || '(jsonb) returns jsonb')
  FROM unnest(ARRAY['list_streams', 'describe_stream', 'get_shard_iterator', 'get_records']) AS f;
SELECT volatility_is('dynpg', 'get_records', ARRAY['jsonb'], 'volatile', 'get_records is volatile');
SELECT has_function('dynpg', 'stream_records', ARRAY['text', 'text', 'integer'], 'dynpg.stream_records(text, text, int)');

SELECT dynpg.create_table('{"TableName": "tap_stream", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}}') IS NOT NULL;
SELECT dynpg.put_item('{"TableName": "tap_stream", "Item": {"id": {"S": "a"}, "v": {"N": "1"}}}') IS NOT NULL;
SELECT dynpg.put_item('{"TableName": "tap_stream", "Item": {"id": {"S": "a"}, "v": {"N": "2"}}}') IS NOT NULL;

CREATE TEMP TABLE s AS SELECT dynpg.describe_table('{"TableName": "tap_stream"}') -> 'Table' AS t;
SELECT matches((SELECT t ->> 'LatestStreamLabel' FROM s), '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$',
  'LatestStreamLabel is the opening time, ISO 8601 with milliseconds');
SELECT is((SELECT t ->> 'LatestStreamArn' FROM s),
  (SELECT 'arn:aws:dynamodb:ddblocal:000000000000:table/tap_stream/stream/' || (t ->> 'LatestStreamLabel') FROM s),
  'LatestStreamArn is the table ARN, /stream/, the label');

-- ListStreams
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(dynpg.list_streams('{"TableName": "tap_stream"}')) k),
  ARRAY['Streams'], 'ListStreams: Streams (no LastEvaluatedStreamArn at the end)');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(dynpg.list_streams('{"TableName": "tap_stream"}') -> 'Streams' -> 0) k),
  ARRAY['StreamArn', 'StreamLabel', 'TableName'], 'ListStreams entry members');

-- DescribeStream
CREATE TEMP TABLE d AS SELECT dynpg.describe_stream(jsonb_build_object('StreamArn', (SELECT t ->> 'LatestStreamArn' FROM s)))
  -> 'StreamDescription' AS sd;
SELECT is((SELECT array_agg(k ORDER BY k) FROM d, jsonb_object_keys(sd) k),
  ARRAY['CreationRequestDateTime', 'KeySchema', 'Shards', 'StreamArn', 'StreamLabel', 'StreamStatus', 'StreamViewType', 'TableName'],
  'StreamDescription members');
SELECT is((SELECT jsonb_typeof(sd -> 'CreationRequestDateTime') FROM d), 'number', 'CreationRequestDateTime is a number');
SELECT is((SELECT array_agg(DISTINCT k ORDER BY k) FROM d, jsonb_array_elements(sd -> 'Shards') sh, jsonb_object_keys(sh) k
            WHERE NOT sh ? 'ParentShardId'),
  ARRAY['SequenceNumberRange', 'ShardId'], 'a first-generation shard: ShardId and SequenceNumberRange');
SELECT ok((SELECT bool_and(length(sh ->> 'ShardId') BETWEEN 28 AND 65) FROM d, jsonb_array_elements(sd -> 'Shards') sh),
  'ShardIds are 28 to 65 characters');
SELECT ok((SELECT bool_and(sh #>> '{SequenceNumberRange,StartingSequenceNumber}' ~ '^\d{21,40}$') FROM d, jsonb_array_elements(sd -> 'Shards') sh),
  'StartingSequenceNumbers are 21 to 40 digits');

-- GetShardIterator, GetRecords
CREATE TEMP TABLE recs AS
SELECT e AS rec
  FROM d, jsonb_array_elements(sd -> 'Shards') sh,
       jsonb_array_elements(dynpg.get_records(jsonb_build_object('ShardIterator',
         dynpg.get_shard_iterator(jsonb_build_object('StreamArn', sd ->> 'StreamArn', 'ShardId', sh ->> 'ShardId',
           'ShardIteratorType', 'TRIM_HORIZON')) ->> 'ShardIterator')) -> 'Records') e;
SELECT is((SELECT count(*)::int FROM recs), 2, 'two records: the insert and the change');
SELECT is((SELECT array_agg(k ORDER BY k) FROM (SELECT rec FROM recs LIMIT 1) r, jsonb_object_keys(rec) k),
  ARRAY['awsRegion', 'dynamodb', 'eventID', 'eventName', 'eventSource', 'eventVersion'], 'a record''s members');
SELECT is((SELECT array_agg(k ORDER BY k) FROM recs, jsonb_object_keys(rec -> 'dynamodb') k WHERE rec ->> 'eventName' = 'MODIFY'),
  ARRAY['ApproximateCreationDateTime', 'Keys', 'NewImage', 'OldImage', 'SequenceNumber', 'SizeBytes', 'StreamViewType'],
  'a MODIFY record''s dynamodb members (NEW_AND_OLD_IMAGES)');
SELECT is((SELECT array_agg(k ORDER BY k) FROM recs, jsonb_object_keys(rec -> 'dynamodb') k WHERE rec ->> 'eventName' = 'INSERT'),
  ARRAY['ApproximateCreationDateTime', 'Keys', 'NewImage', 'SequenceNumber', 'SizeBytes', 'StreamViewType'],
  'an INSERT record has no OldImage');
SELECT ok((SELECT bool_and(rec ->> 'eventID' ~ '^[0-9a-f]{32}$') FROM recs), 'eventIDs are 32 hex digits');
SELECT ok((SELECT bool_and(jsonb_typeof(rec #> '{dynamodb,ApproximateCreationDateTime}') = 'number'
                       AND jsonb_typeof(rec #> '{dynamodb,SizeBytes}') = 'number') FROM recs),
  'ApproximateCreationDateTime and SizeBytes are numbers');
SELECT is((SELECT array_agg(DISTINCT (rec ->> 'eventSource') || ' ' || (rec ->> 'eventVersion')) FROM recs),
  ARRAY['aws:dynamodb 1.1'], 'eventSource aws:dynamodb, eventVersion 1.1');
SELECT is((SELECT rec #> '{dynamodb,Keys}' FROM recs LIMIT 1), '{"id": {"S": "a"}}'::jsonb, 'Keys hold the table''s key');

-- the exceptions' SQLSTATEs
SELECT throws_ok($$SELECT dynpg.get_records('{"ShardIterator": "nonsense"}')$$, 'YD001', 'Invalid ShardIterator',
  'a malformed iterator: ValidationException');
SELECT throws_ok($$SELECT dynpg.describe_stream('{"StreamArn": "arn:aws:dynamodb:ddblocal:000000000000:table/tap_stream/stream/2000-01-01T00:00:00.000"}')$$,
  'YD011', NULL, 'an unknown stream: ResourceNotFoundException');
SELECT throws_like(format($$SELECT dynpg.get_records(jsonb_build_object('ShardIterator', %L))$$,
    left(it, length(it) - 16) || '0000000000000000'), 'Iterator expired%', 'an expired iterator: its message')
  FROM (SELECT dynpg.get_shard_iterator(jsonb_build_object('StreamArn', sd ->> 'StreamArn',
          'ShardId', sd #>> '{Shards,0,ShardId}', 'ShardIteratorType', 'LATEST')) ->> 'ShardIterator' AS it FROM d) x;
SELECT throws_ok(format($$SELECT dynpg.get_records(jsonb_build_object('ShardIterator', %L))$$,
    left(it, length(it) - 16) || '0000000000000000'), 'YD050', NULL, 'ExpiredIteratorException is YD050')
  FROM (SELECT dynpg.get_shard_iterator(jsonb_build_object('StreamArn', sd ->> 'StreamArn',
          'ShardId', sd #>> '{Shards,0,ShardId}', 'ShardIteratorType', 'LATEST')) ->> 'ShardIterator' AS it FROM d) x;
SELECT throws_ok($$SELECT dynpg.update_table('{"TableName": "tap_stream", "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}}')$$,
  'YD001', 'Table already has an enabled stream: TableName: tap_stream', 'a second stream: ValidationException');

SELECT dynpg.delete_table('{"TableName": "tap_stream"}') IS NOT NULL;
SELECT * FROM finish();
