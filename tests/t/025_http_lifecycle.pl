# The HTTP endpoint's life beside the server's: it answers (with an error
# that says why) before the served database exists and before CREATE
# EXTENSION, serves from the moment the extension exists, and stops serving
# when it is dropped; a worker terminated or crashed is restarted by the
# launcher; a request waiting on a lock stalls its own worker only; a
# statement_timeout ends a request with a 500 and the worker serves on; a
# standby serves reads and refuses writes with 503 ServiceUnavailable.
# Trust mode (DynpgTest's http_call sends an unchecked signature).
use strict;
use warnings;

use IO::Socket::INET;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use DynpgTest;

our $port = PostgreSQL::Test::Cluster::get_free_port();
my $node = dynpg_node('http_life', no_extension => 1, init => { allows_streaming => 1 }, conf => qq{
dynpg.http_port = $port
dynpg.http_workers = 2
dynpg.http_database = 'served'
dynpg.http_auth = 'trust'
dynpg.http_trust_role = 'app'
max_worker_processes = 16
restart_after_crash = on
});
$node->safe_psql('postgres', 'CREATE ROLE app');

# polls until a request gets an answer matching $want (status and body)
sub answers
{
	my ($op, $body, $want, $what) = @_;
	my ($status, $resp);
	for (1 .. 150)
	{
		($status, $resp) = http_call($port, $op, $body, 10);
		last if defined $status && "$status $resp" =~ $want;
		select(undef, undef, undef, 0.2);
	}
	like(defined $status ? "$status $resp" : 'no answer', $want, $what);
}

answers('ListTables', '{}',
	qr/^500 .*InternalServerError.*dynpg.http_database names database \\"served\\", which does not exist/,
	'before the served database exists: a 500 that says so, not a refused connection');

$node->safe_psql('postgres', 'CREATE DATABASE served');
answers('ListTables', '{}',
	qr/^500 .*dynpg is not installed in database \\"served\\" \(dynpg.http_database\): run CREATE EXTENSION dynpg there/,
	'once it exists, without the extension: a 500 that says to create it');

$node->safe_psql('served', q{
	CREATE EXTENSION dynpg;
	GRANT CREATE ON SCHEMA dynamodb TO app;
});
answers('ListTables', '{}', qr/^200 \{"TableNames":\[\]\}$/,
	'CREATE EXTENSION after the start: the endpoint serves at once');
answers('DescribeEndpoints', '{}',
	qr/^200 \{"Endpoints":\[\{"Address":"127\.0\.0\.1:$port","CachePeriodInMinutes":1440\}\]\}$/,
	'DescribeEndpoints answers the address the request was sent to (its Host)');

my ($status, $body) = http_call($port, 'CreateTable', '{"TableName":"tab","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}]}');
is($status, 200, 'CreateTable as app') or diag($body);
($status, $body) = http_call($port, 'PutItem', '{"TableName":"tab","Item":{"k":{"S":"a"},"v":{"N":"1"}}}');
is($status, 200, 'PutItem');

# a write waiting on a lock stalls its own worker, not the other one
my $psql = $node->background_psql('served');
$psql->query_safe(q{BEGIN; SELECT dynpg.put_item('{"TableName":"tab","Item":{"k":{"S":"a"},"v":{"N":"2"}}}')});
my $blocked = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp');
$blocked->autoflush(1);
http_send($blocked, $port, 'PutItem', '{"TableName":"tab","Item":{"k":{"S":"a"},"v":{"N":"3"}}}');
ok($node->poll_query_until('served',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'dynpg http worker' AND query = 'DynamoDB PutItem tab' AND wait_event_type = 'Lock'"),
	'an HTTP PutItem waits for the open transaction\'s lock, seen in pg_stat_activity');
my $served = 0;
for (1 .. 10)
{
	my ($s) = http_call($port, 'GetItem', '{"TableName":"tab","Key":{"k":{"S":"a"}}}', 2);
	$served++ if defined $s && $s == 200;
}
ok($served > 0, "meanwhile the other worker serves new connections ($served of 10 answered)");
$psql->query_safe('COMMIT');
my @r = http_read($blocked, 30);
is($r[0], 200, 'the waiting PutItem completes once the transaction commits');
close($blocked);
($status, $body) = http_call($port, 'GetItem', '{"TableName":"tab","Key":{"k":{"S":"a"}},"ConsistentRead":true}');
is($body, '{"Item":{"k":{"S":"a"},"v":{"N":"3"}}}', '... and wrote last');

# statement_timeout ends a request (here one waiting for a lock); the worker serves on
$node->safe_psql('postgres', "ALTER SYSTEM SET statement_timeout = '500ms'; SELECT pg_reload_conf()");
sleep 1;
$psql->query_safe(q{BEGIN; SELECT dynpg.put_item('{"TableName":"tab","Item":{"k":{"S":"a"},"v":{"N":"4"}}}')});
($status, $body) = http_call($port, 'PutItem', '{"TableName":"tab","Item":{"k":{"S":"a"},"v":{"N":"5"}}}', 30);
is($status, 500, 'a PutItem waiting past statement_timeout: 500');
like($body, qr/"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError".*canceled/,
	'... InternalServerError, saying it was canceled');
$psql->query_safe('COMMIT');
$psql->quit;
$node->safe_psql('postgres', "ALTER SYSTEM RESET statement_timeout; SELECT pg_reload_conf()");
sleep 1;
answers('GetItem', '{"TableName":"tab","Key":{"k":{"S":"a"}},"ConsistentRead":true}',
	qr/^200 \{"Item":\{"k":\{"S":"a"\},"v":\{"N":"4"\}\}\}$/,
	'... the worker serves on, and the cancelled write left nothing');

# dynpg.http_log_requests: each request in the server log
$node->safe_psql('postgres', "ALTER SYSTEM SET dynpg.http_log_requests = on; SELECT pg_reload_conf()");
sleep 1;
my $logpos = -s $node->logfile;
($status) = http_call($port, 'GetItem', '{"TableName":"tab","Key":{"k":{"S":"a"}}}');
($status) = http_call($port, 'GetItem', '{"TableName":"nope","Key":{"k":{"S":"a"}}}');
$node->safe_psql('postgres', "ALTER SYSTEM RESET dynpg.http_log_requests; SELECT pg_reload_conf()");
my $logged = substr(slurp_file($node->logfile), $logpos);
like($logged, qr/LOG:  dynpg http: GetItem tab - 200 [0-9.]+ ms/,
	'dynpg.http_log_requests logs a request: operation, table, status, duration');
like($logged, qr/LOG:  dynpg http: GetItem nope \S*ResourceNotFoundException 400 [0-9.]+ ms/,
	'... and a failed one with its error type');

# a worker terminated is started again by the launcher
my @pids = split /\n/, $node->safe_psql('served', 'SELECT pid FROM dynpg.http_status ORDER BY pid');
is(scalar @pids, 2, 'two workers');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pids[0])");
ok($node->poll_query_until('served',
	"SELECT count(*) = 2 AND bool_and(pid <> $pids[0]) FROM dynpg.http_status"),
	'a terminated worker is replaced by the launcher');
answers('ListTables', '{}', qr/^200 /, '... and the endpoint serves');

# a worker that crashes: the postmaster restarts everything, the launcher the workers
kill 'KILL', $pids[1];
ok($node->poll_query_until('served',
	"SELECT count(*) = 2 AND bool_and(pid <> $pids[1]) FROM dynpg.http_status"),
	'after a worker crashed (SIGKILL) and the server reinitialised, two workers serve again');
answers('GetItem', '{"TableName":"tab","Key":{"k":{"S":"a"}},"ConsistentRead":true}',
	qr/^200 \{"Item":\{"k":\{"S":"a"\},"v":\{"N":"4"\}\}\}$/, '... with the committed item');

# a standby serves reads and refuses writes
$node->backup('bk');
my $sport = PostgreSQL::Test::Cluster::get_free_port();
my $standby = PostgreSQL::Test::Cluster->new('http_standby');
$standby->init_from_backup($node, 'bk', has_streaming => 1);
$standby->append_conf('postgresql.conf', "dynpg.http_port = $sport");
$standby->start;
$node->wait_for_catchup($standby);
{
	local $port = $sport;
	answers('GetItem', '{"TableName":"tab","Key":{"k":{"S":"a"}}}',
		qr/^200 \{"Item":\{"k":\{"S":"a"\},"v":\{"N":"4"\}\}\}$/, 'the standby\'s endpoint serves a GetItem');
	answers('PutItem', '{"TableName":"tab","Item":{"k":{"S":"b"}}}',
		qr/^503 .*ServiceUnavailable.*standby/, '... and refuses a PutItem with 503 ServiceUnavailable');
	answers('TagResource',
		'{"ResourceArn":"arn:aws:dynamodb:ddblocal:000000000000:table/tab","Tags":[{"Key":"k","Value":"v"}]}',
		qr/^503 .*ServiceUnavailable.*standby/, '... a TagResource');
	answers('UpdateTimeToLive',
		'{"TableName":"tab","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}',
		qr/^503 .*ServiceUnavailable.*standby/, '... and an UpdateTimeToLive');
	answers('ListTagsOfResource', '{"ResourceArn":"arn:aws:dynamodb:ddblocal:000000000000:table/tab"}',
		qr/^200 \{"Tags":\[\]\}$/, '... but serves a ListTagsOfResource');
}
$standby->stop;

# DROP EXTENSION: the endpoint says so again
$node->safe_psql('served', 'DROP EXTENSION dynpg CASCADE');
answers('ListTables', '{}', qr/^500 .*run CREATE EXTENSION dynpg there/,
	'after DROP EXTENSION: a 500 that says to create it');

my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC/, 'the server log shows no assertion failure or PANIC');

done_testing();
