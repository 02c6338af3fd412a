-- Time to live's expiry (src/am/dynpg_ttl.c, src/index/README "Expiry
-- index"): the expiry index built when TTL is enabled and kept by every
-- write, the sweep deleting expired items through the write path (LSI
-- entries, GSI changes, stream records marked as the service's), what it
-- leaves alone, dynpg.ttl_backlog and dynpg.ttl_status, dynpg.verify.
\set SHOW_CONTEXT never

CREATE FUNCTION pg_temp.put(item jsonb) RETURNS void LANGUAGE sql AS $$
	SELECT dynpg.put_item(jsonb_build_object('TableName', 'ttl_t', 'Item', item)) $$;
-- a number of seconds from now, as a DynamoDB number
CREATE FUNCTION pg_temp.at(offset_seconds numeric) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('N', (floor(extract(epoch FROM now())) + offset_seconds)::text) $$;
\i sql/include/ttl_helpers.sql

SELECT dynpg.create_table('{"TableName": "ttl_t", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "k", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "k", "AttributeType": "S"},
    {"AttributeName": "l", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "by_l", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
    {"AttributeName": "l", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"}}],
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}}') IS NOT NULL AS created;
CREATE FUNCTION pg_temp.keys() RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(item ->> 'k', ' ' ORDER BY item ->> 'k') FROM dynamodb.ttl_t $$;

-- items before TTL is enabled: the expiry index is built from them
SELECT pg_temp.put(jsonb_build_object('p', '{"S":"a"}'::jsonb, 'k', '{"S":"expired1"}'::jsonb, 'l', '{"S":"x1"}'::jsonb,
	'g', '{"S":"g1"}'::jsonb, 'exp', pg_temp.at(-100)));
SELECT pg_temp.put(jsonb_build_object('p', '{"S":"a"}'::jsonb, 'k', '{"S":"future1"}'::jsonb, 'exp', pg_temp.at(3600)));
SELECT pg_temp.put(jsonb_build_object('p', '{"S":"a"}'::jsonb, 'k', '{"S":"ancient"}'::jsonb, 'exp', pg_temp.at(-6 * 365 * 86400)));
SELECT pg_temp.put(jsonb_build_object('p', '{"S":"a"}'::jsonb, 'k', '{"S":"string_exp"}'::jsonb, 'exp', '{"S":"100"}'::jsonb));
SELECT pg_temp.put(jsonb_build_object('p', '{"S":"a"}'::jsonb, 'k', '{"S":"no_exp"}'::jsonb));
SELECT dynpg.update_time_to_live('{"TableName": "ttl_t", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}');
SELECT dynpg.ttl_backlog('ttl_t') AS backlog;
SELECT * FROM dynpg.ttl_status;
SELECT jsonb_path_query(dynpg.verify('ttl_t'), '$.indexes[*] ? (@.name == "(time to live)")') AS ttl_index,
       dynpg.verify('ttl_t') ->> 'ok' AS ok;

-- writes keep it: new items, a fractional and a far-future TTL, an item moved into the past and one out of it
SELECT pg_temp.put(jsonb_build_object('p', '{"S":"b"}'::jsonb, 'k', '{"S":"expired2"}'::jsonb, 'l', '{"S":"x2"}'::jsonb,
	'exp', jsonb_build_object('N', (floor(extract(epoch FROM now())) - 5)::text || '.75')));
SELECT pg_temp.put(jsonb_build_object('p', '{"S":"b"}'::jsonb, 'k', '{"S":"far"}'::jsonb, 'exp', '{"N":"1E20"}'::jsonb));
SELECT dynpg.update_item(jsonb_build_object('TableName', 'ttl_t', 'Key', '{"p":{"S":"a"},"k":{"S":"future1"}}'::jsonb,
	'UpdateExpression', 'SET #e = :e', 'ExpressionAttributeNames', '{"#e": "exp"}'::jsonb,
	'ExpressionAttributeValues', jsonb_build_object(':e', pg_temp.at(-10)))) IS NOT NULL AS moved_into_the_past;
SELECT pg_temp.put(jsonb_build_object('p', '{"S":"b"}'::jsonb, 'k', '{"S":"saved"}'::jsonb, 'exp', pg_temp.at(-50)));
SELECT dynpg.update_item(jsonb_build_object('TableName', 'ttl_t', 'Key', '{"p":{"S":"b"},"k":{"S":"saved"}}'::jsonb,
	'UpdateExpression', 'SET #e = :e', 'ExpressionAttributeNames', '{"#e": "exp"}'::jsonb,
	'ExpressionAttributeValues', jsonb_build_object(':e', pg_temp.at(7200)))) IS NOT NULL AS moved_out;
SELECT dynpg.ttl_backlog('ttl_t') AS backlog;
SELECT dynpg.verify('ttl_t') ->> 'ok' AS ok;

-- expired items stay readable until the sweep, as in DynamoDB
SELECT pg_temp.keys();
-- the sweep: a limit, then the rest
SELECT dynpg._ttl_sweep('ttl_t', 1) AS deleted;
SELECT dynpg._ttl_sweep('ttl_t') AS deleted;
SELECT pg_temp.keys();
SELECT dynpg.ttl_backlog('ttl_t') AS backlog, dynpg._ttl_sweep('ttl_t') AS again;
-- the LSI entry went with its item; the GSI's after its change is applied
SELECT dynpg.query('{"TableName": "ttl_t", "IndexName": "by_l", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}}}') -> 'Count' AS lsi_count;
SELECT dynpg._apply_index_changes() >= 0 AS applied;
SELECT dynpg.query('{"TableName": "ttl_t", "IndexName": "by_g", "KeyConditionExpression": "g = :g",
  "ExpressionAttributeValues": {":g": {"S": "g1"}}}') -> 'Count' AS gsi_count;
-- stream records: REMOVE with the service's userIdentity, the old image
SELECT r.keys ->> 'k' AS k, r.event_name, r.old_image ? 'exp' AS old_image
  FROM dynpg.stream_records('ttl_t', max_records => 100) r
 WHERE r.event_name = 'REMOVE' ORDER BY r.sequence_number;
SELECT x -> 'userIdentity' AS identity, count(*)
  FROM jsonb_array_elements((
    SELECT jsonb_agg(e) FROM jsonb_array_elements(dynpg.describe_stream(jsonb_build_object('StreamArn',
        dynpg.describe_table('{"TableName": "ttl_t"}') #>> '{Table,LatestStreamArn}')) #> '{StreamDescription,Shards}') s,
      jsonb_array_elements(dynpg.get_records(jsonb_build_object('ShardIterator', dynpg.get_shard_iterator(jsonb_build_object(
        'StreamArn', dynpg.describe_table('{"TableName": "ttl_t"}') #>> '{Table,LatestStreamArn}', 'ShardId', s ->> 'ShardId',
        'ShardIteratorType', 'TRIM_HORIZON')) ->> 'ShardIterator')) -> 'Records') e)) x
 WHERE x ->> 'eventName' = 'REMOVE'
 GROUP BY 1;
SELECT dynpg.verify('ttl_t') ->> 'ok' AS ok;

-- disabling drops the expiry index; the items stay (an hour later: the
-- table made again from its aged definition, with TTL still enabled, so a
-- new item gets its entry from the write path)
SELECT pg_temp.age_ttl('ttl_t');
SELECT pg_temp.put(jsonb_build_object('p', '{"S":"c"}'::jsonb, 'k', '{"S":"expired3"}'::jsonb, 'exp', pg_temp.at(-1)));
SELECT dynpg.ttl_backlog('ttl_t') AS backlog;
SELECT dynpg.execute('UpdateTimeToLive', '{"TableName": "ttl_t", "TimeToLiveSpecification": {"Enabled": false, "AttributeName": "exp"}}');
SELECT dynpg.ttl_backlog('ttl_t') AS backlog, dynpg._ttl_sweep('ttl_t') AS swept;
SELECT jsonb_path_query_array(dynpg.verify('ttl_t'), '$.indexes[*].name') AS checked, dynpg.verify('ttl_t') ->> 'ok' AS ok;
SELECT pg_temp.keys();
SELECT count(*) FROM dynpg.ttl_status WHERE table_name = 'ttl_t';
SELECT dynpg.ttl_backlog('nope');

SELECT dynpg.delete_table('{"TableName": "ttl_t"}') IS NOT NULL AS dropped;
