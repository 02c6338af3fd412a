-- SQL UPDATE and DELETE on dynpg tables (src/storage/README, "Finding a
-- version by TID"): they go through the same write path as the API's
-- PutItem and DeleteItem, so LSI entries, the GSI change log, stream
-- records and MVCC are the API's; a key change is refused, as UpdateItem
-- refuses it; RETURNING, row triggers, SELECT ... FOR UPDATE and ctid
-- look-ups work as on any table.
\set SHOW_CONTEXT never
SELECT dynpg.create_table('{"TableName":"users","BillingMode":"PAY_PER_REQUEST",
  "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},
    {"AttributeName":"city","AttributeType":"S"},{"AttributeName":"email","AttributeType":"S"}],
  "LocalSecondaryIndexes":[{"IndexName":"by_city","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},
    {"AttributeName":"city","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}],
  "GlobalSecondaryIndexes":[{"IndexName":"by_email","KeySchema":[{"AttributeName":"email","KeyType":"HASH"}],
    "Projection":{"ProjectionType":"KEYS_ONLY"}}],
  "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}') IS NOT NULL AS created;
INSERT INTO dynamodb.users
SELECT format('{"pk":{"S":"u%s"},"sk":{"N":"%s"},"city":{"S":"c%s"},"email":{"S":"e%s@x"},"n":{"N":"%s"}}',
              i % 5, i, i % 3, i, i)::jsonb::dynpg.item
FROM generate_series(1, 20) i;
SELECT count(*) FROM dynamodb.users;

-- UPDATE by key, with RETURNING
UPDATE dynamodb.users SET item = (item::jsonb || '{"n":{"N":"100"},"city":{"S":"paris"}}')::dynpg.item
  WHERE item->>'pk' = 'u1' AND item->>'sk' = '1' RETURNING item->>'n' AS n, item->>'city' AS city;
SELECT dynpg.get('users', '{"pk":"u1","sk":1}'::jsonb) AS after_update;
-- by an arbitrary predicate
UPDATE dynamodb.users SET item = (item::jsonb || '{"flag":{"BOOL":true}}')::dynpg.item
  WHERE (item->>'n')::int BETWEEN 5 AND 8;
SELECT item->>'sk' AS sk FROM dynamodb.users WHERE item ? 'flag' ORDER BY (item->>'sk')::int;
-- the whole table
UPDATE dynamodb.users SET item = (item::jsonb || jsonb_build_object('m', jsonb_build_object('N', ((item->>'sk')::int * 2)::text)))::dynpg.item;
SELECT count(*) AS all_have_m, sum((item->>'m')::int) AS sum_m FROM dynamodb.users WHERE item ? 'm';
-- an UPDATE that changes nothing in an item still succeeds
UPDATE dynamodb.users SET item = item WHERE item->>'pk' = 'u2';

-- DELETE by key and by predicate, with RETURNING
DELETE FROM dynamodb.users WHERE item->>'pk' = 'u0' AND item->>'sk' = '5' RETURNING item->>'email' AS email;
SELECT dynpg.get('users', '{"pk":"u0","sk":5}'::jsonb) IS NULL AS gone;
DELETE FROM dynamodb.users WHERE (item->>'sk')::int > 17;
SELECT count(*) AS left_after_delete FROM dynamodb.users;

-- the LSI holds what SQL wrote: u1's items by city
SELECT jsonb_path_query_array(dynpg.query('{"TableName":"users","IndexName":"by_city",
  "KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"u1"}}}'),
  '$.Items[*].city.S') AS u1_cities;
-- the GSI after its worker applied the change log: e1@x still there, e5@x gone
SELECT dynpg.wait_for_indexes('users') AS indexes_current;
SELECT dynpg.query('{"TableName":"users","IndexName":"by_email",
  "KeyConditionExpression":"email = :e","ExpressionAttributeValues":{":e":{"S":"e1@x"}}}') -> 'Count' AS e1_count,
  dynpg.query('{"TableName":"users","IndexName":"by_email",
  "KeyConditionExpression":"email = :e","ExpressionAttributeValues":{":e":{"S":"e5@x"}}}') -> 'Count' AS e5_count;
-- an UPDATE that changes the GSI key moves the item in the index
UPDATE dynamodb.users SET item = (item::jsonb || '{"email":{"S":"new1@x"}}')::dynpg.item
  WHERE item->>'pk' = 'u1' AND item->>'sk' = '1';
SELECT dynpg.wait_for_indexes('users') AS indexes_current;
SELECT dynpg.query('{"TableName":"users","IndexName":"by_email",
  "KeyConditionExpression":"email = :e","ExpressionAttributeValues":{":e":{"S":"new1@x"}}}') -> 'Items' AS new1,
  dynpg.query('{"TableName":"users","IndexName":"by_email",
  "KeyConditionExpression":"email = :e","ExpressionAttributeValues":{":e":{"S":"e1@x"}}}') -> 'Count' AS e1_count;

-- stream records of SQL's changes: MODIFY with both images, REMOVE with the old one
SELECT event_name, keys::jsonb AS keys, old_image->>'n' AS old_n, new_image->>'n' AS new_n
FROM dynpg.stream_records('users', NULL, 1000)
WHERE keys::jsonb = '{"pk":{"S":"u1"},"sk":{"N":"1"}}' ORDER BY sequence_number;
SELECT event_name, count(*) FROM dynpg.stream_records('users', NULL, 1000) GROUP BY 1 ORDER BY 1;

-- the key cannot change: DynamoDB's UpdateItem refuses it too
UPDATE dynamodb.users SET item = (item::jsonb || '{"pk":{"S":"zz"}}')::dynpg.item WHERE item->>'sk' = '1';
UPDATE dynamodb.users SET item = (item::jsonb || '{"sk":{"N":"999"}}')::dynpg.item WHERE item->>'sk' = '1';
-- a new item without a key attribute, or with the wrong type: INSERT's error
UPDATE dynamodb.users SET item = (item::jsonb - 'sk')::dynpg.item WHERE item->>'sk' = '1';
UPDATE dynamodb.users SET item = (item::jsonb || '{"sk":{"S":"1"}}')::dynpg.item WHERE item->>'sk' = '1';
-- an index key of the wrong type: PutItem's error
UPDATE dynamodb.users SET item = (item::jsonb || '{"email":{"N":"1"}}')::dynpg.item WHERE item->>'sk' = '1';
SELECT dynpg.get('users', '{"pk":"u1","sk":1}'::jsonb)->>'email' AS unchanged;

-- UPDATE ... FROM: a join that meets one item twice changes it once
CREATE TEMP TABLE bumps (pk text, amount int);
INSERT INTO bumps VALUES ('u2', 1), ('u2', 2), ('u3', 5);
UPDATE dynamodb.users u SET item = (u.item::jsonb || jsonb_build_object('bumped', jsonb_build_object('N', b.amount::text)))::dynpg.item
  FROM bumps b WHERE u.item->>'pk' = b.pk AND u.item->>'sk' IN ('2', '3', '8', '12', '13', '17');
SELECT item->>'pk' AS pk, item->>'sk' AS sk, item->>'bumped' IS NOT NULL AS bumped FROM dynamodb.users
  WHERE item ? 'bumped' ORDER BY 1, 2;
-- ... and one dynpg table joined to another
UPDATE dynamodb.users u SET item = (u.item::jsonb || '{"twin":{"BOOL":true}}')::dynpg.item
  FROM dynamodb.users v WHERE u.item->>'pk' = v.item->>'pk' AND v.item->>'sk' = '3' AND u.item->>'sk' = '13';
SELECT item->>'sk' AS sk FROM dynamodb.users WHERE item ? 'twin';

-- from plpgsql
CREATE FUNCTION pg_temp.retire(p text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE n int;
BEGIN
	UPDATE dynamodb.users SET item = (item::jsonb || '{"retired":{"BOOL":true}}')::dynpg.item WHERE item->>'pk' = p;
	DELETE FROM dynamodb.users WHERE item->>'pk' = p AND (item->>'n')::int > 10;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $$;
SELECT pg_temp.retire('u4') AS deleted_over_10;
SELECT item->>'sk' AS sk, item->>'retired' AS retired FROM dynamodb.users WHERE item->>'pk' = 'u4' ORDER BY 1;

-- a savepoint rolled back takes its UPDATE and DELETE with it
BEGIN;
UPDATE dynamodb.users SET item = (item::jsonb || '{"n":{"N":"7"}}')::dynpg.item WHERE item->>'pk' = 'u3';
SAVEPOINT s;
UPDATE dynamodb.users SET item = (item::jsonb || '{"n":{"N":"-1"}}')::dynpg.item WHERE item->>'pk' = 'u3';
DELETE FROM dynamodb.users WHERE item->>'pk' = 'u3';
SELECT count(*) AS u3_inside FROM dynamodb.users WHERE item->>'pk' = 'u3';
ROLLBACK TO SAVEPOINT s;
SELECT item->>'sk' AS sk, item->>'n' AS n FROM dynamodb.users WHERE item->>'pk' = 'u3' ORDER BY 1;
-- and a second UPDATE of the same items in the transaction sees the first
UPDATE dynamodb.users SET item = (item::jsonb || jsonb_build_object('n', jsonb_build_object('N', ((item->>'n')::int + 1)::text)))::dynpg.item
  WHERE item->>'pk' = 'u3' RETURNING item->>'sk' AS sk, item->>'n' AS n;
COMMIT;

-- row triggers: a BEFORE UPDATE trigger changing the item, an AFTER DELETE trigger logging OLD
CREATE TABLE deleted_log (item jsonb);
CREATE FUNCTION pg_temp.stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.item := (NEW.item::jsonb || '{"stamped":{"S":"by trigger"}}')::dynpg.item;
	RETURN NEW;
END $$;
CREATE FUNCTION pg_temp.log_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO deleted_log VALUES (OLD.item::jsonb);
	RETURN NULL;
END $$;
CREATE TRIGGER stamp BEFORE UPDATE ON dynamodb.users FOR EACH ROW EXECUTE FUNCTION pg_temp.stamp();
CREATE TRIGGER log_delete AFTER DELETE ON dynamodb.users FOR EACH ROW EXECUTE FUNCTION pg_temp.log_delete();
UPDATE dynamodb.users SET item = (item::jsonb || '{"n":{"N":"42"}}')::dynpg.item WHERE item->>'sk' = '2'
  RETURNING item->>'n' AS n, item->>'stamped' AS stamped;
SELECT dynpg.get('users', '{"pk":"u2","sk":2}'::jsonb)->>'stamped' AS stored_stamp;
DELETE FROM dynamodb.users WHERE item->>'sk' = '2';
SELECT item->'sk' AS logged_sk, item->'stamped' AS logged_stamp FROM deleted_log;
-- a BEFORE trigger may not change the key either
CREATE FUNCTION pg_temp.rekey() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.item := (NEW.item::jsonb || '{"pk":{"S":"other"}}')::dynpg.item;
	RETURN NEW;
END $$;
CREATE TRIGGER rekey BEFORE UPDATE ON dynamodb.users FOR EACH ROW EXECUTE FUNCTION pg_temp.rekey();
UPDATE dynamodb.users SET item = item WHERE item->>'sk' = '3';
DROP TRIGGER rekey ON dynamodb.users;
-- AFTER ROW triggers on INSERT and UPDATE see the rows written
CREATE FUNCTION pg_temp.log_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO deleted_log VALUES (jsonb_build_object('op', TG_OP, 'sk', NEW.item->>'sk', 'n', NEW.item->>'n'));
	RETURN NULL;
END $$;
CREATE TRIGGER log_new AFTER INSERT OR UPDATE ON dynamodb.users FOR EACH ROW EXECUTE FUNCTION pg_temp.log_new();
TRUNCATE deleted_log;
INSERT INTO dynamodb.users VALUES ('{"pk":{"S":"u9"},"sk":{"N":"90"},"n":{"N":"1"}}');
UPDATE dynamodb.users SET item = (item::jsonb || '{"n":{"N":"2"}}')::dynpg.item WHERE item->>'pk' = 'u9';
SELECT item FROM deleted_log;
DROP TRIGGER stamp ON dynamodb.users;
-- a BEFORE ROW trigger locks each row before it is changed; the lock goes
-- once the row is written, so an UPDATE of many rows holds no lock per row
SELECT dynpg.create_table('{"TableName":"many","BillingMode":"PAY_PER_REQUEST",
  "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]}') IS NOT NULL AS created;
INSERT INTO dynamodb.many SELECT format('{"pk":{"S":"k%s"}}', i)::jsonb::dynpg.item FROM generate_series(1, 20000) i;
CREATE TRIGGER stamp BEFORE UPDATE ON dynamodb.many FOR EACH ROW EXECUTE FUNCTION pg_temp.stamp();
BEGIN;
UPDATE dynamodb.many SET item = item;
SELECT count(*) AS row_locks_held FROM pg_locks WHERE locktype = 'tuple' AND pid = pg_backend_pid();
COMMIT;
SELECT count(*) FILTER (WHERE item ? 'stamped') AS stamped, count(*) AS items FROM dynamodb.many;
SELECT dynpg.delete_table('{"TableName":"many"}') IS NOT NULL AS dropped;
DROP TRIGGER log_delete ON dynamodb.users;
DROP TRIGGER log_new ON dynamodb.users;

-- SELECT ... FOR UPDATE / FOR SHARE / NOWAIT / SKIP LOCKED (the key lock;
-- other sessions are tested by the isolation specs)
BEGIN;
SELECT item->>'sk' AS sk FROM dynamodb.users WHERE item->>'pk' = 'u3' ORDER BY 1 FOR UPDATE;
SELECT count(*) FROM (SELECT 1 FROM dynamodb.users WHERE item->>'pk' = 'u3' FOR SHARE NOWAIT) s;
SELECT count(*) FROM (SELECT 1 FROM dynamodb.users WHERE item->>'pk' = 'u3' FOR UPDATE SKIP LOCKED) s;
UPDATE dynamodb.users SET item = (item::jsonb || '{"locked":{"BOOL":true}}')::dynpg.item WHERE item->>'pk' = 'u3';
COMMIT;
SELECT count(*) AS u3_locked FROM dynamodb.users WHERE item->>'pk' = 'u3' AND item ? 'locked';

-- ctid: a TID is a version id; a look-up finds it however the tree has changed
CREATE TEMP TABLE tids AS SELECT ctid AS t, item->>'sk' AS sk FROM dynamodb.users WHERE item->>'pk' = 'u1';
SELECT u.item->>'sk' = t.sk AS same_item FROM tids t, LATERAL (SELECT item FROM dynamodb.users WHERE ctid = t.t) u ORDER BY t.sk;
SELECT count(*) AS no_such_tid FROM dynamodb.users WHERE ctid = '(4000000,1)';
UPDATE dynamodb.users SET item = (item::jsonb || '{"by_ctid":{"BOOL":true}}')::dynpg.item
  WHERE ctid = (SELECT t FROM tids ORDER BY sk LIMIT 1) RETURNING item->>'sk' AS sk;
-- the old version's TID no longer finds a current row
SELECT count(*) AS old_tid FROM dynamodb.users WHERE ctid = (SELECT t FROM tids ORDER BY sk LIMIT 1);
DELETE FROM dynamodb.users WHERE ctid IN (SELECT ctid FROM dynamodb.users WHERE item ? 'by_ctid') RETURNING item->>'sk' AS sk;

-- EXPLAIN
EXPLAIN (COSTS OFF) UPDATE dynamodb.users SET item = item WHERE item->>'pk' = 'u1';
EXPLAIN (COSTS OFF) DELETE FROM dynamodb.users WHERE ctid = '(0,1)';
EXPLAIN (COSTS OFF) SELECT * FROM dynamodb.users FOR UPDATE;

-- MERGE
MERGE INTO dynamodb.users u USING (VALUES ('u4', '4'), ('u4', '9')) v(pk, sk)
  ON u.item->>'pk' = v.pk AND u.item->>'sk' = v.sk
  WHEN MATCHED THEN UPDATE SET item = (u.item::jsonb || '{"merged":{"BOOL":true}}')::dynpg.item;
SELECT count(*) AS merged FROM dynamodb.users WHERE item ? 'merged';

-- WHERE CURRENT OF a cursor
BEGIN;
DECLARE c CURSOR FOR SELECT item->>'sk' AS sk FROM dynamodb.users WHERE item->>'pk' = 'u4' ORDER BY (item->>'sk')::int FOR UPDATE;
FETCH c;
UPDATE dynamodb.users SET item = (item::jsonb || '{"current":{"BOOL":true}}')::dynpg.item WHERE CURRENT OF c
  RETURNING item->>'sk' AS sk;
FETCH c;
DELETE FROM dynamodb.users WHERE CURRENT OF c RETURNING item->>'sk' AS sk;
COMMIT;
SELECT item->>'sk' AS sk, item ? 'current' AS current FROM dynamodb.users WHERE item->>'pk' = 'u4' ORDER BY 1;

-- time to live: an UPDATE into the past puts the item in the expiry index, the sweep deletes it
SELECT dynpg.create_table('{"TableName":"ttl_sql","BillingMode":"PAY_PER_REQUEST",
  "KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"}]}') IS NOT NULL AS created;
SELECT dynpg.update_time_to_live('{"TableName": "ttl_sql", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}');
INSERT INTO dynamodb.ttl_sql SELECT format('{"p":{"S":"t%s"}}', i)::jsonb::dynpg.item FROM generate_series(1, 3) i;
UPDATE dynamodb.ttl_sql SET item = (item::jsonb || jsonb_build_object('exp', jsonb_build_object('N',
  (floor(extract(epoch FROM now())) - 100)::text)))::dynpg.item WHERE item->>'p' IN ('t1', 't2');
UPDATE dynamodb.ttl_sql SET item = (item::jsonb - 'exp')::dynpg.item WHERE item->>'p' = 't2';
SELECT dynpg.ttl_backlog('ttl_sql') AS backlog;
SELECT dynpg._ttl_sweep('ttl_sql') AS deleted;
SELECT string_agg(item->>'p', ' ' ORDER BY item->>'p') AS remaining FROM dynamodb.ttl_sql;
SELECT (dynpg.verify('ttl_sql') ->> 'ok')::boolean AS verify_ok;
SELECT dynpg.delete_table('{"TableName":"ttl_sql"}') IS NOT NULL AS dropped;

-- a data-modifying WITH
WITH d AS (DELETE FROM dynamodb.users WHERE item->>'pk' = 'u9' RETURNING item),
     u AS (UPDATE dynamodb.users SET item = (item::jsonb || '{"with":{"BOOL":true}}')::dynpg.item
           WHERE item->>'pk' = 'u3' RETURNING item)
SELECT (SELECT count(*) FROM d) AS deleted, (SELECT count(*) FROM u) AS updated;
SELECT count(*) AS u9, (SELECT count(*) FROM dynamodb.users WHERE item ? 'with') AS with_flag
FROM dynamodb.users WHERE item->>'pk' = 'u9';

-- the API sees the final state, and the table checks clean
SELECT count(*) AS sql_count, (dynpg.scan('{"TableName":"users","Select":"COUNT"}') ->> 'Count')::int AS api_count
FROM dynamodb.users;
SELECT dynpg.wait_for_indexes('users') AS indexes_current;
SELECT (dynpg.verify('users') ->> 'ok')::boolean AS verify_ok;
SELECT i ->> 'name' AS index_name, i -> 'missing' AS missing, i -> 'extra' AS extra
  FROM jsonb_array_elements(dynpg.verify('users') -> 'indexes') AS i ORDER BY 1;
SELECT dynpg.delete_table('{"TableName":"users"}') IS NOT NULL AS dropped;
DROP TABLE deleted_log;
