-- The GSI worker's SQL surface (src/worker/README): wait_for_indexes,
-- index_backlog, index_lag and the dynpg.index_workers view.  The TAP test
-- tests/t/011_index_worker.pl covers the processes themselves.
\set VERBOSITY terse

-- a table that does not exist: DynamoDB's ResourceNotFoundException
SELECT dynpg.wait_for_indexes('no_such_table');
SELECT dynpg.wait_for_indexes('no_such_table', 1);
SELECT dynpg.index_backlog('no_such_table');
SELECT dynpg.index_lag('no_such_table');

SELECT dynpg.create_table('{"TableName": "worker_items", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}]}') -> 'TableDescription' -> 'TableStatus' AS created;

-- timeouts: a number >= 0 (infinity waits without limit); NULL gives NULL
SELECT dynpg.wait_for_indexes('worker_items', -1);
SELECT dynpg.wait_for_indexes('worker_items', 'NaN');
SELECT dynpg.wait_for_indexes('worker_items', NULL);
SELECT dynpg.wait_for_indexes(NULL);

-- nothing logged: nothing to wait for
SELECT dynpg.wait_for_indexes('worker_items', 0);
SELECT dynpg.wait_for_indexes('worker_items');
SELECT dynpg.index_backlog('worker_items'), dynpg.index_lag('worker_items');

-- logged changes (as the write path appends them) are applied by the worker
INSERT INTO dynpg.index_changes
  SELECT 'dynamodb.worker_items'::regclass, dynpg.from_plain_json(jsonb_build_object('p', 'k' || i)), NULL
  FROM generate_series(1, 20) i;
SELECT dynpg.wait_for_indexes('worker_items', 'infinity');
SELECT dynpg.index_backlog('worker_items'), dynpg.index_lag('worker_items');
SELECT count(*) AS log_rows FROM dynpg.index_changes WHERE tbl = 'dynamodb.worker_items'::regclass;

-- the caller's own uncommitted rows are not waited for (they cannot be applied before commit)
BEGIN;
INSERT INTO dynpg.index_changes VALUES ('dynamodb.worker_items'::regclass, '{"p": {"S": "own"}}', NULL);
SELECT dynpg.wait_for_indexes('worker_items', 0), dynpg.index_backlog('worker_items');
ROLLBACK;

-- the view
SELECT attname, format_type(atttypid, atttypmod)
  FROM pg_attribute WHERE attrelid = 'dynpg.index_workers'::regclass AND attnum > 0
 ORDER BY attnum;
SELECT count(*) AS workers, bool_and(state IN ('starting', 'idle', 'applying', 'backfilling')) AS running
  FROM dynpg.index_workers WHERE datname = current_database();

-- per index: status, backlog, lag and the worker (dynpg.index_status)
SELECT attname, format_type(atttypid, atttypmod)
  FROM pg_attribute WHERE attrelid = 'dynpg.index_status'::regclass AND attnum > 0
 ORDER BY attnum;
SELECT dynpg.create_table('{"TableName": "status_items", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "S"},
    {"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "l", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
  "LocalSecondaryIndexes": [{"IndexName": "by_l", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
    {"AttributeName": "l", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"}}]}') IS NOT NULL AS created;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'status_items', 'Item', jsonb_build_object(
  'p', jsonb_build_object('S', 'p'), 's', jsonb_build_object('S', 's' || i), 'g', jsonb_build_object('S', 'g' || i % 3),
  'l', jsonb_build_object('S', 'l' || i))))) FROM generate_series(1, 30) i;
SELECT dynpg.wait_for_indexes('status_items', 60) AS applied;
SELECT table_name, index_name, index_kind, relation, status, backlog, lag,
       worker_state IN ('synchronous', 'idle', 'applying', 'backfilling') AS worker_ok,
       (worker_pid IS NOT NULL) = (index_kind = 'GSI') AS pid_for_gsi_only
  FROM dynpg.index_status WHERE table_name = 'status_items' ORDER BY index_name;
-- a change that fails on its own (a base key that is not the table's) is
-- set aside; every other change is applied, and only its table waits
INSERT INTO dynpg.index_changes VALUES ('dynamodb.status_items'::regclass, '{"not_the_key": {"S": "x"}}', NULL);
INSERT INTO dynpg.index_changes
  SELECT 'dynamodb.worker_items'::regclass, dynpg.from_plain_json(jsonb_build_object('p', 'z' || i)), NULL
  FROM generate_series(1, 5) i;
SELECT dynpg.wait_for_indexes('worker_items', 60) AS others_applied;
SELECT dynpg.wait_for_indexes('status_items', 0.2) AS its_table_waits, dynpg.index_backlog('status_items') AS backlog;
SELECT last_error ~ 'Missing the key p in the item' AS error_shown
  FROM dynpg.index_workers WHERE datname = current_database();
DELETE FROM dynpg.index_changes WHERE tbl = 'dynamodb.status_items'::regclass;
SELECT dynpg.wait_for_indexes('status_items', 60) AS then_complete;
SELECT dynpg.delete_table('{"TableName": "status_items"}') IS NOT NULL AS deleted;

-- the GUCs
SHOW dynpg.max_index_workers;
SHOW dynpg.index_worker_pause;
SET dynpg.max_index_workers = 3;
SET dynpg.index_worker_pause = on;

SELECT dynpg.delete_table('{"TableName": "worker_items"}') -> 'TableDescription' -> 'TableStatus' AS deleted;
