-- Reads from standbys on a primary: dynpg.read_replicas' validation, a read
-- replica that cannot be reached or is not a standby (the read is served
-- here), dynpg.replica_read refusing to run on a primary, and the view
-- dynpg.replica_lag's privileges.  The standby's side is in
-- tests/t/045_standby_reads.pl.
\set SHOW_CONTEXT never

-- the setting: libpq connection strings separated by semicolons
SET dynpg.read_replicas = 'host=127.0.0.1 port=1; postgresql://127.0.0.1:2/postgres ;';
SHOW dynpg.read_replicas;
SET dynpg.read_replicas = 'host=127.0.0.1 port';
SET dynpg.read_replicas = 'host=127.0.0.1; nosuchoption=1';
SET dynpg.read_replicas = 'postgresql://[::1';
SHOW dynpg.read_replicas;
SET dynpg.read_replica_max_lag = '2s';
SHOW dynpg.read_replica_max_lag;
SET dynpg.read_replica_max_lag = -2;
RESET dynpg.read_replica_max_lag;
SET dynpg.read_replica_connect_timeout = 0;
-- only superusers set them (a connection string reaches other servers with the server's credentials)
CREATE ROLE replica_reader;
GRANT CREATE ON SCHEMA dynamodb TO replica_reader;
SET ROLE replica_reader;
SET dynpg.read_replicas = '';
SET dynpg.read_replica_max_lag = 0;
RESET ROLE;

SELECT dynpg.create_table('{"TableName": "replica_orders", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
                           {"AttributeName": "st", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_status", "KeySchema": [{"AttributeName": "st", "KeyType": "HASH"}],
                              "Projection": {"ProjectionType": "ALL"}}]}') -> 'TableDescription' ->> 'TableStatus' AS status;
SELECT dynpg.put_item('{"TableName": "replica_orders", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "st": {"S": "open"}}}');
SELECT dynpg.put_item('{"TableName": "replica_orders", "Item": {"pk": {"S": "a"}, "sk": {"N": "2"}, "st": {"S": "shut"}}}');
GRANT SELECT ON dynamodb.replica_orders TO replica_reader;

-- no standby answers (connection refused): every read is served here, the same
SET dynpg.read_replicas = 'host=127.0.0.1 port=1 connect_timeout=2; host=127.0.0.1 port=2';
SELECT dynpg.get_item('{"TableName": "replica_orders", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}');
SELECT dynpg.query('{"TableName": "replica_orders", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}') -> 'Count' AS query_count;
SELECT dynpg.scan('{"TableName": "replica_orders", "ConsistentRead": false}') -> 'Count' AS scan_count;
SELECT dynpg.batch_get_item('{"RequestItems": {"replica_orders": {"Keys": [{"pk": {"S": "a"}, "sk": {"N": "2"}}]}}}');
SELECT dynpg.get_item('{"TableName": "replica_orders", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "ConsistentRead": true}');
-- the operation's own errors are still this server's
SELECT dynpg.get_item('{"TableName": "replica_orders", "Key": {"pk": {"S": "a"}}}');
SELECT dynpg.get_item('{"TableName": "nosuchtable", "Key": {"pk": {"S": "a"}}}');
SELECT dynpg.query('{"TableName": "replica_orders", "IndexName": "by_status", "KeyConditionExpression": "st = :s", "ExpressionAttributeValues": {":s": {"S": "open"}}, "ConsistentRead": true}');
-- in a transaction that wrote, and under REPEATABLE READ, reads are not forwarded either
BEGIN;
SELECT dynpg.put_item('{"TableName": "replica_orders", "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}}}');
SELECT dynpg.get_item('{"TableName": "replica_orders", "Key": {"pk": {"S": "b"}, "sk": {"N": "1"}}}');
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT dynpg.scan('{"TableName": "replica_orders"}') -> 'Count' AS scan_count;
COMMIT;

-- this server itself as a "replica": it is not a standby, so it serves the read
SELECT set_config('dynpg.read_replicas',
                  format('host=%s port=%s', split_part(current_setting('unix_socket_directories'), ',', 1),
                         current_setting('port')), false) IS NOT NULL AS set;
SELECT dynpg.get_item('{"TableName": "replica_orders", "Key": {"pk": {"S": "a"}, "sk": {"N": "2"}}}');
SET ROLE replica_reader;
SELECT dynpg.get_item('{"TableName": "replica_orders", "Key": {"pk": {"S": "a"}, "sk": {"N": "2"}}}');
RESET ROLE;
RESET dynpg.read_replicas;

-- dynpg.replica_read runs only on a standby of the asking primary
SELECT * FROM dynpg.replica_read('1', '0/0', -1, 'GetItem', '{"TableName": "replica_orders", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}');

-- dynpg.replica_lag: no standby here; readable by pg_monitor only
SELECT count(*) FROM dynpg.replica_lag;
SET ROLE replica_reader;
SELECT count(*) FROM dynpg.replica_lag;
RESET ROLE;
GRANT pg_monitor TO replica_reader;
SET ROLE replica_reader;
SELECT count(*) FROM dynpg.replica_lag;
RESET ROLE;

-- ServiceUnavailable, a standby's answer to what it cannot serve
SELECT * FROM dynpg.error_types() WHERE exception = 'ServiceUnavailable';

SELECT dynpg.delete_table('{"TableName": "replica_orders"}') -> 'TableDescription' ->> 'TableStatus' AS status;
REVOKE CREATE ON SCHEMA dynamodb FROM replica_reader;
DROP ROLE replica_reader;
