# Reads from standbys (src/api/README, "Reads from standbys").  A primary and
# a streaming hot standby, each serving the HTTP endpoint:
# - the standby refuses every write and every strongly consistent read with
#   ServiceUnavailable (YD503 over SQL, 503 over HTTP) and serves eventually
#   consistent reads;
# - with dynpg.read_replicas naming the standby, the primary's eventually
#   consistent reads are served by it: with the standby's replay paused, an
#   eventual read misses a new write while a consistent read sees it; the
#   data is never older than the lag dynpg.replica_lag (and
#   dynpg.replica_read) report; dynpg.read_replica_max_lag skips a standby
#   lagging more (for that read only); a table the standby has not replayed
#   yet is read on the primary; a replica that fails is rested for 5 s;
#   once replay resumes the reads converge;
# - under continuous writes with the standby applying WAL 400 ms late, no
#   eventual read is older than the lag measured with it (or than
#   dynpg.read_replica_max_lag, through the primary), no consistent read
#   is stale;
# - with the standby down, reads fall back to the primary.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

use DynpgTest;

my $port = PostgreSQL::Test::Cluster::get_free_port();
my $primary = dynpg_node('reads_primary', init => { allows_streaming => 1 }, conf => qq{
dynpg.http_port = $port
dynpg.http_workers = 1
dynpg.http_database = 'postgres'
max_worker_processes = 16
});
$primary->safe_psql('postgres', 'CREATE ROLE app; GRANT CREATE ON SCHEMA dynamodb TO app');
my ($key, $secret) = access_key($primary, 'app');

$primary->safe_psql('postgres', q{
SELECT dynpg.create_table('{"TableName": "ledger", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
                           {"AttributeName": "v", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_v", "KeySchema": [{"AttributeName": "v", "KeyType": "HASH"}],
                              "Projection": {"ProjectionType": "ALL"}}]}');
GRANT ALL ON dynamodb.ledger TO app;
});
sub set_v
{
	my ($v) = @_;
	$primary->safe_psql('postgres', join(";\n", map {
		qq{SELECT dynpg.put_item('{"TableName": "ledger", "Item": {"pk": {"S": "a"}, "sk": {"N": "$_"}, "v": {"S": "$v"}}}')}
	} 1 .. 3));
}
set_v('one');
# the GSI worker has applied v = one
ok($primary->poll_query_until('postgres', q{SELECT (dynpg.query('{"TableName": "ledger", "IndexName": "by_v",
	"KeyConditionExpression": "v = :v", "ExpressionAttributeValues": {":v": {"S": "one"}}}') ->> 'Count')::int = 3}),
	'the GSI holds the three items');

$primary->backup('bk');
my $sport = PostgreSQL::Test::Cluster::get_free_port();
my $standby = PostgreSQL::Test::Cluster->new('reads_standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->append_conf('postgresql.conf', "dynpg.http_port = $sport\nhot_standby_feedback = on");
$standby->start;
$primary->wait_for_catchup($standby);
ok($standby->poll_query_until('postgres', 'SELECT count(*) = 1 FROM dynpg.http_status'),
	"the standby's HTTP worker runs");

# ---------------------------------------------------------------------------
# The standby over SQL: writes and strong reads refused, eventual reads served
# ---------------------------------------------------------------------------
my $tail = 'cannot be served by a read replica: this server is a PostgreSQL standby (in recovery), which serves eventually consistent reads only; send the request to the primary';
sub standby_error
{
	my ($sql) = @_;
	my ($stdout, $stderr) = ('', '');
	$standby->psql('postgres', "\\set VERBOSITY verbose\n$sql", stdout => \$stdout, stderr => \$stderr);
	return $stderr;
}
my $key1 = '"Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}';
my %writes = (
	CreateTable => '{"TableName": "other", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}',
	DeleteTable => '{"TableName": "ledger"}',
	UpdateTable => '{"TableName": "ledger", "BillingMode": "PAY_PER_REQUEST"}',
	PutItem => '{"TableName": "ledger", "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}}}',
	UpdateItem => qq({"TableName": "ledger", $key1, "UpdateExpression": "SET w = :w", "ExpressionAttributeValues": {":w": {"N": "1"}}}),
	DeleteItem => qq({"TableName": "ledger", $key1}),
	BatchWriteItem => qq({"RequestItems": {"ledger": [{"DeleteRequest": {$key1}}]}}),
	TransactWriteItems => qq({"TransactItems": [{"Delete": {"TableName": "ledger", $key1}}]}),
	TransactGetItems => qq({"TransactItems": [{"Get": {"TableName": "ledger", $key1}}]}),
	TagResource => '{"ResourceArn": "arn:aws:dynamodb:ddblocal:000000000000:table/ledger", "Tags": [{"Key": "k", "Value": "v"}]}',
	UntagResource => '{"ResourceArn": "arn:aws:dynamodb:ddblocal:000000000000:table/ledger", "TagKeys": ["k"]}',
	UpdateTimeToLive => '{"TableName": "ledger", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}',
	ImportTable => '{"S3BucketSource": {"S3Bucket": "b"}, "InputFormat": "DYNAMODB_JSON", "TableCreationParameters": {"TableName": "imported", "BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}}',
	ExportTableToPointInTime => '{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/ledger", "S3Bucket": "b"}',
	ExecuteTransaction => q({"TransactStatements": [{"Statement": "SELECT * FROM ledger WHERE pk = ''a'' AND sk = 1"}]}),
);
foreach my $op (sort keys %writes)
{
	like(standby_error("SELECT dynpg.execute('$op', '$writes{$op}')"),
		qr/ERROR:  YD503: \Q$op $tail\E\nDETAIL:  \{"__type":"com\.amazonaws\.dynamodb\.v20120810#ServiceUnavailable","message":"\Q$op $tail\E"\}/,
		"SQL on the standby: $op is refused with ServiceUnavailable (YD503)");
}
my $partiql = "A PartiQL INSERT, UPDATE or DELETE $tail";
like(standby_error(q{SELECT dynpg.execute_statement('{"Statement": "UPDATE ledger SET w = 1 WHERE pk = ''a'' AND sk = 1"}')}),
	qr/YD503: \Q$partiql\E/, 'SQL on the standby: a PartiQL UPDATE is refused');
like(standby_error(q{SELECT dynpg.batch_execute_statement('{"Statements": [{"Statement": "DELETE FROM ledger WHERE pk = ''a'' AND sk = 1"}]}')}),
	qr/YD503: \Q$partiql\E/, '... a BatchExecuteStatement DELETE');
like(standby_error(q{SELECT dynpg.put('ledger', '{"pk": "z", "sk": 1}'::jsonb)}),
	qr/YD503: \QPutItem $tail\E/, "... the SQL layer's dynpg.put");
my $strong = "A strongly consistent read (ConsistentRead: true) $tail";
like(standby_error(qq{SELECT dynpg.get_item('{"TableName": "ledger", $key1, "ConsistentRead": true}')}),
	qr/YD503: \Q$strong\E/, 'SQL on the standby: a consistent GetItem is refused');
like(standby_error(q{SELECT dynpg.query('{"TableName": "ledger", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}, "ConsistentRead": true}')}),
	qr/YD503: \Q$strong\E/, '... a consistent Query');
like(standby_error(q{SELECT dynpg.scan('{"TableName": "ledger", "ConsistentRead": true}')}),
	qr/YD503: \Q$strong\E/, '... a consistent Scan');
like(standby_error(qq{SELECT dynpg.batch_get_item('{"RequestItems": {"ledger": {"Keys": [{"pk": {"S": "a"}, "sk": {"N": "1"}}], "ConsistentRead": true}}}')}),
	qr/YD503: \Q$strong\E/, '... a consistent BatchGetItem');
like(standby_error(q{SELECT dynpg.execute_statement('{"Statement": "SELECT * FROM ledger WHERE pk = ''a''", "ConsistentRead": true}')}),
	qr/YD503: \Q$strong\E/, '... a consistent PartiQL SELECT');
like(standby_error(q{SELECT dynpg.execute_json('PutItem', '{"TableName": "ledger", "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}}}')}),
	qr/YD503: \QPutItem $tail\E/, "... the json form's PutItem (dynpg.execute_json)");
like(standby_error(qq{SELECT dynpg.get_item_json('{"TableName": "ledger", $key1, "ConsistentRead": true}')}),
	qr/YD503: \Q$strong\E/, '... a consistent dynpg.get_item_json');
# a malformed request still gets the operation's own error
like(standby_error(qq{SELECT dynpg.get_item('{"TableName": "ledger", $key1, "ConsistentRead": "yes"}')}),
	qr/ERROR:  YD002: /, '... a malformed ConsistentRead gets its SerializationException');
is($standby->safe_psql('postgres', qq{SELECT dynpg.get_item('{"TableName": "ledger", $key1}') #>> '{Item,v,S}'}),
	'one', 'SQL on the standby: an eventually consistent GetItem is served');
is($standby->safe_psql('postgres', q{SELECT dynpg.query('{"TableName": "ledger", "IndexName": "by_v", "KeyConditionExpression": "v = :v", "ExpressionAttributeValues": {":v": {"S": "one"}}}') ->> 'Count'}),
	'3', '... and a GSI Query');
is($standby->safe_psql('postgres', q{SELECT dynpg.describe_table('{"TableName": "ledger"}') #>> '{Table,TableStatus}'}),
	'ACTIVE', '... and DescribeTable');

# ---------------------------------------------------------------------------
# The standby over HTTP, through boto3
# ---------------------------------------------------------------------------
{
	my %env = client_env($sport, $key, $secret);
	local @ENV{keys %env} = values %env;
	run_client_checks(['/usr/bin/python3', 'tests/http/standby_boto3.py', 'standby', 'one'], exact => 35);
}

# ---------------------------------------------------------------------------
# The primary forwards eventual reads: replay paused, the standby is stale
# ---------------------------------------------------------------------------
# a commit replayed since the standby started: its time bounds the lag (with
# none, the lag is unknown: NULL in the view, infinite for forwarding)
$primary->safe_psql('postgres', qq{SELECT dynpg.put_item('{"TableName": "ledger", "Item": {"pk": {"S": "m"}, "sk": {"N": "1"}}}')});
$primary->wait_for_catchup($standby);
ok($standby->safe_psql('postgres', 'SELECT last_replayed_commit IS NOT NULL FROM dynpg.replica_lag') eq 't',
	"the standby's dynpg.replica_lag shows the last replayed commit");
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
ok($standby->poll_query_until('postgres', "SELECT pg_get_wal_replay_pause_state() = 'paused'"),
	"the standby's replay is paused");

my $w_before = $primary->safe_psql('postgres', 'SELECT extract(epoch FROM clock_timestamp())');
set_v('two');
my $flush = $primary->safe_psql('postgres', 'SELECT pg_current_wal_flush_lsn()');
ok($primary->poll_query_until('postgres', q{SELECT (dynpg.query('{"TableName": "ledger", "IndexName": "by_v",
	"KeyConditionExpression": "v = :v", "ExpressionAttributeValues": {":v": {"S": "two"}}}') ->> 'Count')::int = 3}),
	"the primary's GSI worker has applied v = two");
ok($standby->poll_query_until('postgres', "SELECT pg_last_wal_receive_lsn() >= '$flush'"),
	'the standby has received the new writes (and not replayed them)');
# from now on the primary's eventual reads go to the standby
my $replica = 'host=' . $standby->host . ' port=' . $standby->port . ' dbname=postgres';
$primary->safe_psql('postgres', "ALTER SYSTEM SET dynpg.read_replicas = '$replica'; SELECT pg_reload_conf()");
sleep(1.5);

my $get = qq{SELECT dynpg.get_item('{"TableName": "ledger", $key1}') #>> '{Item,v,S}'};
my $t_read = time();
is($primary->safe_psql('postgres', $get), 'one',
	'an eventually consistent GetItem on the primary is served by the (stale) standby');
is($primary->safe_psql('postgres', qq{SELECT dynpg.get_item_json('{"TableName": "ledger", $key1}')::jsonb #>> '{Item,v,S}'}),
	'one', '... its json form dynpg.get_item_json too');
is($primary->safe_psql('postgres', qq{SELECT dynpg.get_item('{"TableName": "ledger", $key1, "ConsistentRead": true}') #>> '{Item,v,S}'}),
	'two', '... while a strongly consistent one sees the write');
is($primary->safe_psql('postgres', q{SELECT string_agg(i #>> '{v,S}', ',') FROM jsonb_array_elements(dynpg.query('{"TableName": "ledger", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}') -> 'Items') i}),
	'one,one,one', '... an eventual Query too');
is($primary->safe_psql('postgres', q{SELECT dynpg.scan('{"TableName": "ledger", "ConsistentRead": false, "FilterExpression": "v = :v", "ExpressionAttributeValues": {":v": {"S": "one"}}}') ->> 'Count'}),
	'3', '... an eventual Scan');
is($primary->safe_psql('postgres', q{SELECT dynpg.batch_get_item('{"RequestItems": {"ledger": {"Keys": [{"pk": {"S": "a"}, "sk": {"N": "2"}}]}}}') #>> '{Responses,ledger,0,v,S}'}),
	'one', '... an eventual BatchGetItem');
is($primary->safe_psql('postgres', q{SELECT dynpg.batch_get_item('{"RequestItems": {"ledger": {"Keys": [{"pk": {"S": "a"}, "sk": {"N": "2"}}], "ConsistentRead": true}}}') #>> '{Responses,ledger,0,v,S}'}),
	'two', '... but not a consistent BatchGetItem');
is($primary->safe_psql('postgres', q{SELECT dynpg.query('{"TableName": "ledger", "IndexName": "by_v", "KeyConditionExpression": "v = :v", "ExpressionAttributeValues": {":v": {"S": "one"}}}') ->> 'Count'}),
	'3', '... and a GSI Query');
is($primary->safe_psql('postgres', qq{BEGIN ISOLATION LEVEL REPEATABLE READ; $get; COMMIT}),
	'two', 'a REPEATABLE READ transaction reads on the primary');

# the data is no older than the lag reported
my ($lag_s, $bytes) = split /\|/, $standby->safe_psql('postgres',
	'SELECT extract(epoch FROM replay_lag), replay_bytes_behind FROM dynpg.replica_lag');
my $stale = $t_read - $w_before;
ok($stale > 1, "the standby's answer was stale by more than a second ($stale s)");
ok($lag_s >= $stale, "the standby's dynpg.replica_lag reports a replay lag ($lag_s s) no smaller than that");
ok($bytes > 0, "... and bytes received but not replayed ($bytes)");
my $sysid = $primary->safe_psql('postgres', 'SELECT system_identifier FROM pg_control_system()');
my $lag_ms = $standby->safe_psql('postgres',
	qq{SELECT lag_ms FROM dynpg.replica_read('$sysid', '$flush', -1, 'GetItem', '{"TableName": "ledger", $key1}')});
ok($lag_ms / 1000 >= $stale, "dynpg.replica_read reports the lag forwarding uses ($lag_ms ms)");
like(standby_error(qq{SELECT * FROM dynpg.replica_read('1', '$flush', -1, 'GetItem', '{}')}),
	qr/this server is not a standby of the primary asking \(database system identifier $sysid, not 1\)/,
	'dynpg.replica_read refuses a primary of another system');
my ($name, $state, $behind) = split /\|/, $primary->safe_psql('postgres',
	'SELECT standby, state, replay_bytes_behind > 0 FROM dynpg.replica_lag');
is("$state $behind", 'streaming t', "the primary's dynpg.replica_lag shows the standby ($name) streaming and behind");

# a standby lagging more than dynpg.read_replica_max_lag is skipped
is($primary->safe_psql('postgres', "SET dynpg.read_replica_max_lag = '500ms'; $get"), 'two',
	'with dynpg.read_replica_max_lag = 500ms the lagging standby is skipped');
is($primary->safe_psql('postgres', "SET dynpg.read_replica_max_lag = '1h'; $get"), 'one',
	'with 1h it serves');
# within one session (one backend's connection): a standby skipped for its
# lag is asked again by the next read, not rested
is($primary->safe_psql('postgres', "SET dynpg.read_replica_max_lag = '500ms'; $get; SET dynpg.read_replica_max_lag = '1h'; $get"),
	"two\none", 'in one session a standby skipped for its lag serves the next read that allows it');

# a table the standby has not replayed yet: its ResourceNotFoundException
# sends the read to the primary, which serves it; the standby is not rested
$primary->safe_psql('postgres', q{
SELECT dynpg.create_table('{"TableName": "fresh", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}');
GRANT ALL ON dynamodb.fresh TO app;
SELECT dynpg.put_item('{"TableName": "fresh", "Item": {"k": {"S": "x"}, "n": {"N": "7"}}}');
});
is($standby->safe_psql('postgres', q{SELECT count(*) FROM pg_class WHERE relname = 'fresh'}), '0',
	'the paused standby has not replayed the new table');
is($primary->safe_psql('postgres', qq{
SELECT dynpg.get_item('{"TableName": "fresh", "Key": {"k": {"S": "x"}}}') #>> '{Item,n,N}';
SELECT dynpg.query('{"TableName": "fresh", "KeyConditionExpression": "k = :k", "ExpressionAttributeValues": {":k": {"S": "x"}}}') ->> 'Count';
SELECT dynpg.scan('{"TableName": "fresh"}') ->> 'Count';
SELECT dynpg.batch_get_item('{"RequestItems": {"fresh": {"Keys": [{"k": {"S": "x"}}]}, "ledger": {"Keys": [{"pk": {"S": "a"}, "sk": {"N": "1"}}]}}}') #>> '{Responses,fresh,0,n,N}';
$get}), "7\n1\n1\n7\none",
	'eventual GetItem, Query, Scan, BatchGetItem of a table the standby lacks are served by the primary, and the standby serves the next read');
# with the standby listed twice, its DynamoDB error sends the read to the
# primary at once: the second entry is not asked (DEBUG1 names each answer)
{
	my ($stdout, $stderr) = ('', '');
	$primary->psql('postgres', qq{SET dynpg.read_replicas = '$replica; $replica'; SET client_min_messages = debug1;
SELECT dynpg.get_item('{"TableName": "fresh", "Key": {"k": {"S": "x"}}}') #>> '{Item,n,N}'},
		stdout => \$stdout, stderr => \$stderr);
	my @answers = $stderr =~ /dynpg: read replica (\d) answered a GetItem with a DynamoDB error; the read is served here: Requested resource not found/g;
	is("$stdout [@answers]", '7 [1]', 'a DynamoDB error from the first standby: the primary serves the read, the second standby is not asked');
}
# a faulty request gets the primary's own error (the same as without forwarding)
{
	my ($stdout, $stderr) = ('', '');
	$primary->psql('postgres', q{SELECT dynpg.get_item('{"TableName": "ledger", "Key": {"pk": {"S": "a"}}}')},
		stdout => \$stdout, stderr => \$stderr);
	like($stderr, qr/ERROR:  The provided key element does not match the schema/,
		"a faulty eventual read gets the primary's ValidationException");
}

# a "replica" that fails (here: the primary itself, not a standby) is left
# alone for 5 s by the backend that saw it fail, then asked again; the
# standby listed after it serves meanwhile
my $self_conn = 'host=' . $primary->host . ' port=' . $primary->port . ' dbname=postgres';
my $log_offset = -s $primary->logfile;
is($primary->safe_psql('postgres', qq{
SET dynpg.read_replicas = '$self_conn; $replica';
$get; $get; $get;
SELECT pg_sleep(5.5) IS NOT NULL;
$get}), "one\none\none\nt\none",
	'with a failing replica listed first, the standby serves every eventual read');
my @rested = (slurp_file($primary->logfile, $log_offset) =~
	/dynpg: read replica 1 did not serve a GetItem and is left alone for 5 s; the read is served elsewhere: dynpg.replica_read: this server is not a standby \(not in recovery\) \(SQLSTATE 55000\)/g);
is(scalar(@rested), 2, 'the failing replica was asked by the first read, rested for the next two, and asked again after 5 s');

# consistent reads are never stale: write and read back
my $stale_reads = $primary->safe_psql('postgres', qq{
CREATE TEMP TABLE seen (i int, v text);
DO \$\$
BEGIN
	FOR i IN 1 .. 20 LOOP
		PERFORM dynpg.put_item(jsonb_build_object('TableName', 'ledger', 'Item',
			jsonb_build_object('pk', jsonb_build_object('S', 'c'), 'sk', jsonb_build_object('N', '1'),
			                   'n', jsonb_build_object('N', i::text))));
		COMMIT;
		INSERT INTO seen SELECT i, dynpg.get_item(jsonb_build_object('TableName', 'ledger', 'ConsistentRead', true,
			'Key', jsonb_build_object('pk', jsonb_build_object('S', 'c'), 'sk', jsonb_build_object('N', '1'))))
			#>> '{Item,n,N}';
		COMMIT;
	END LOOP;
END \$\$;
SELECT count(*) FILTER (WHERE v IS DISTINCT FROM i::text) || '/' || count(*) FROM seen;
});
is($stale_reads, '0/20', 'a consistent GetItem after each of 20 writes saw every write');
is($primary->safe_psql('postgres', q{SELECT dynpg.get_item('{"TableName": "ledger", "Key": {"pk": {"S": "c"}, "sk": {"N": "1"}}}') ? 'Item'}),
	'f', 'while the eventual one, served by the paused standby, has not seen the item yet');

# the primary's HTTP endpoint forwards the same way
{
	my %env = client_env($port, $key, $secret);
	local @ENV{keys %env} = values %env;
	run_client_checks(['/usr/bin/python3', 'tests/http/standby_boto3.py', 'forward', 'one', 'two'], exact => 9);
}

# replay resumes: the reads converge and the lag is 0
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
$primary->wait_for_catchup($standby);
is($primary->safe_psql('postgres', $get), 'two', 'after replay resumes the eventual read converges');
ok($standby->poll_query_until('postgres', "SELECT replay_lag = interval '0' AND replay_bytes_behind = 0 FROM dynpg.replica_lag"),
	"the standby's lag is 0 once it replayed everything it received");
is($primary->safe_psql('postgres', "SET dynpg.read_replica_max_lag = 0; $get"), 'two',
	'a caught-up standby serves with dynpg.read_replica_max_lag = 0');
{
	my %env = client_env($sport, $key, $secret);
	local @ENV{keys %env} = values %env;
	run_client_checks(['/usr/bin/python3', 'tests/http/standby_boto3.py', 'standby', 'two'], exact => 35);
}

# ---------------------------------------------------------------------------
# Under continuous writes, the standby applying WAL 400 ms late
# (recovery_min_apply_delay): an eventual read's data is never older than
# the lag measured with it (dynpg.replica_read), a forwarded read's never
# older than dynpg.read_replica_max_lag, and a consistent read never stale.
# A write's age is measured from its acknowledgement (the writer's clock
# after COMMIT returned), which is later than its commit: the bound is
# checked against the youngest write the read missed.
# ---------------------------------------------------------------------------
$primary->safe_psql('postgres', q{
SELECT dynpg.create_table('{"TableName": "ticks", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}');
GRANT ALL ON dynamodb.ticks TO app;
SELECT dynpg.put_item('{"TableName": "ticks", "Item": {"k": {"S": "t"}, "n": {"N": "0"}}}');
CREATE TABLE tick_log (n int PRIMARY KEY, acked float8 NOT NULL);
INSERT INTO tick_log VALUES (0, extract(epoch FROM clock_timestamp()));
CREATE TABLE tick_stop ();
});
$primary->wait_for_catchup($standby);
# REPEATABLE READ by default on the standby: forwarding asks for READ
# COMMITTED, which dynpg.replica_read needs
$standby->append_conf('postgresql.conf', "recovery_min_apply_delay = '400ms'\ndefault_transaction_isolation = 'repeatable read'");
$standby->reload;
my ($wout, $werr) = ('', '');
my $writer = IPC::Run::start(['psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $primary->connstr('postgres'), '-c', q{
DO $$
DECLARE
	i int := 0;
BEGIN
	WHILE i < 5000 AND NOT EXISTS (SELECT FROM tick_stop) LOOP
		i := i + 1;
		PERFORM dynpg.put_item(jsonb_build_object('TableName', 'ticks', 'Item', jsonb_build_object(
			'k', jsonb_build_object('S', 't'), 'n', jsonb_build_object('N', i::text))));
		COMMIT;
		INSERT INTO tick_log VALUES (i, extract(epoch FROM clock_timestamp()));
		COMMIT;
		PERFORM pg_sleep(0.01);
	END LOOP;
END $$}], '>', \$wout, '2>', \$werr);
ok($primary->poll_query_until('postgres', 'SELECT count(*) > 20 FROM tick_log'), 'the writer is writing');
sleep(1);

like(standby_error(qq{SELECT * FROM dynpg.replica_read('$sysid', 'FFFFFFFF/FFFFFFFF', -1, 'GetItem', '{"TableName": "ticks", "Key": {"k": {"S": "t"}}}')}),
	qr/ERROR:  25000: dynpg\.replica_read must run in a READ COMMITTED transaction/,
	'dynpg.replica_read refuses under REPEATABLE READ (its snapshot could not be renewed after measuring the lag)');
# on the standby: 30 reads, each with the lag measured for it (no primary
# position given: the lag is the time since the last replayed commit); no
# ORDER BY, which would evaluate clock_timestamp() after all the reads
my $tick_key = '{"TableName": "ticks", "Key": {"k": {"S": "t"}}}';
my @measured = map { [ split /\|/ ] } split /\n/, $standby->safe_psql('postgres', qq{
SET default_transaction_isolation = 'read committed';
SELECT r.lag_ms, (r.response::jsonb #>> '{Item,n,N}')::int, extract(epoch FROM clock_timestamp())
  FROM generate_series(1, 30) g,
       LATERAL dynpg.replica_read('$sysid',
                                  CASE WHEN g > 0 AND pg_sleep(0.1) IS NOT NULL THEN 'FFFFFFFF/FFFFFFFF'::pg_lsn END,
                                  -1, 'GetItem', '$tick_key') r});

# on the primary: 30 forwarded eventual reads with dynpg.read_replica_max_lag
# = 1 s and 30 consistent ones, each with the time it began
my @forwarded = map { [ split /\|/ ] } split /\n/, $primary->safe_psql('postgres', qq{
SET dynpg.read_replica_max_lag = '1s';
CREATE TEMP TABLE tick_reads (g int, began float8, eventual int, consistent int);
DO \$\$
DECLARE
	t0 float8;
	ev int;
	co int;
BEGIN
	FOR g IN 1 .. 30 LOOP
		t0 := extract(epoch FROM clock_timestamp());
		ev := (dynpg.get_item('$tick_key') #>> '{Item,n,N}')::int;
		co := (dynpg.get_item('{"TableName": "ticks", "Key": {"k": {"S": "t"}}, "ConsistentRead": true}') #>> '{Item,n,N}')::int;
		INSERT INTO tick_reads VALUES (g, t0, ev, co);
		COMMIT;
		PERFORM pg_sleep(0.1);
	END LOOP;
END \$\$;
SELECT began, eventual, consistent FROM tick_reads ORDER BY g});

$primary->safe_psql('postgres', 'INSERT INTO tick_stop DEFAULT VALUES');
$writer->finish;
is($werr, '', 'the writer ran without error');
my %acked = map { split /\|/ } split /\n/, $primary->safe_psql('postgres', 'SELECT n, acked FROM tick_log');
my $writes = scalar(keys %acked) - 1;
# how much older the data is than the read: the age, at 'when', of the first
# write the read did not see (0 when it saw every write acknowledged by then)
sub staleness
{
	my ($n, $when) = @_;
	my $missed = $acked{ $n + 1 };
	return 0 if !defined $missed || $missed >= $when;
	return $when - $missed;
}
my ($over, $stale_measured, $max_stale, $max_lag_seen) = (0, 0, 0, 0);
foreach my $r (@measured)
{
	my ($lag_ms, $n, $when) = @$r;
	my $s = staleness($n, $when);
	# 'when' is taken after the read returned: allow the read's own time
	$over++ if $s > $lag_ms / 1000 + 0.05;
	$stale_measured++ if $s > 0.2;
	$max_stale = $s if $s > $max_stale;
	$max_lag_seen = $lag_ms if $lag_ms > $max_lag_seen;
}
is($over, 0, sprintf('on the standby, 30 eventual reads under %d writes: none older than the lag measured with it (oldest %.3f s; lags up to %.0f ms)',
	$writes, $max_stale, $max_lag_seen));
ok($stale_measured >= 10, "... and the standby was behind ($stale_measured of 30 reads missed a write acknowledged 200 ms before)");
my ($ev_over, $ev_stale, $co_stale, $ev_max) = (0, 0, 0, 0);
foreach my $r (@forwarded)
{
	my ($began, $ev, $co) = @$r;
	my $s = staleness($ev, $began);
	$ev_over++ if $s >= 1;
	$ev_stale++ if $s > 0.2;
	$ev_max = $s if $s > $ev_max;
	$co_stale++ if staleness($co, $began) > 0;
}
is($ev_over, 0, sprintf('through the primary with dynpg.read_replica_max_lag = 1s, 30 eventual reads: none older than 1 s (oldest %.3f s)', $ev_max));
ok($ev_stale >= 10, "... and the standby served them ($ev_stale of 30 missed a write acknowledged 200 ms before they began)");
is($co_stale, 0, '... while none of the 30 consistent reads missed a write acknowledged before it began');
$standby->adjust_conf('postgresql.conf', 'recovery_min_apply_delay', "'0'");
$standby->adjust_conf('postgresql.conf', 'default_transaction_isolation', "'read committed'");
$standby->reload;

# the standby down: reads fall back to the primary
$standby->stop;
my $t0 = time();
is($primary->safe_psql('postgres', $get), 'two', 'with the standby down the eventual read is served by the primary');
ok(time() - $t0 < 10, 'promptly');
{
	my %env = client_env($port, $key, $secret);
	local @ENV{keys %env} = values %env;
	run_client_checks(['/usr/bin/python3', 'tests/http/standby_boto3.py', 'forward', 'two', 'two'], exact => 9);
}
my $log = slurp_file($primary->logfile);
like($log, qr/dynpg: read replica 1 (could not be reached|lost its connection)/,
	"the primary's log says why the standby did not serve");
unlike($log . slurp_file($standby->logfile), qr/TRAP:|PANIC/, 'no assertion failure or PANIC');

$primary->stop;
done_testing();
