# DynamoDB Streams over the HTTP endpoint, through boto3's own
# 'dynamodbstreams' client (tests/http/streams_boto3.py): 4 concurrent
# writers (puts, failing conditional puts, updates, deletes, batches,
# transactions, some cancelled) keep a ledger while a consumer follows every
# shard and, when the shards roll over (twice, meanwhile), their children;
# every committed change must arrive exactly once, per item in order, with
# its images, and nothing from a failed write.  Then the
# stream records are checked in SQL against the table, and no reader is
# left holding the horizon.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use DynpgTest;

my $port = PostgreSQL::Test::Cluster::get_free_port();
my $node = dynpg_node('http_streams', conf => qq{
dynpg.http_port = $port
dynpg.http_workers = 2
dynpg.http_database = 'postgres'
max_worker_processes = 16
});
$node->safe_psql('postgres', q{
	CREATE ROLE app;
	GRANT CREATE ON SCHEMA dynamodb TO app;
});
my ($key, $secret) = split /\|/, $node->safe_psql('postgres',
	"SELECT access_key_id || '|' || secret_access_key FROM dynpg.create_access_key('app')");
ok($node->poll_query_until('postgres', 'SELECT count(*) = 2 FROM dynpg.http_status'),
	'two HTTP workers run');

local $ENV{DYNPG_ENDPOINT} = "http://127.0.0.1:$port";
local $ENV{AWS_ACCESS_KEY_ID} = $key;
local $ENV{AWS_SECRET_ACCESS_KEY} = $secret;
local $ENV{AWS_CONFIG_FILE} = '/dev/null';
local $ENV{AWS_SHARED_CREDENTIALS_FILE} = '/dev/null';
local $ENV{DYNPG_STREAM_SECONDS} = $ENV{DYNPG_SLOW} ? 10 : 5;
# psql, as the test's superuser, for dynpg._roll_stream_shards
local $ENV{DYNPG_ROLL_CONNINFO} = $node->connstr('postgres');

my ($stdout, $stderr);
my $ok = IPC::Run::run(['/usr/bin/python3', 'tests/http/streams_boto3.py'],
	'>', \$stdout, '2>', \$stderr);
my $checks = 0;
foreach my $line (split /\n/, $stdout)
{
	if ($line =~ /^ok - (.*)$/) { pass($1); $checks++; }
	elsif ($line =~ /^not ok - (.*)$/) { fail($1); $checks++; }
}
ok($checks >= 20, "streams_boto3.py ran its checks ($checks)") or diag($stderr);
ok($ok, 'streams_boto3.py exited 0') or diag($stderr);
diag($1) if $stderr =~ /^# (\d+ changes, \d+ records)/m;

# the records of the first stream, in SQL: as many INSERTs less REMOVEs as items left
is($node->safe_psql('postgres', q{
	SELECT (SELECT count(*) FILTER (WHERE event = 'I') - count(*) FILTER (WHERE event = 'R')
	          FROM dynpg.stream_records r JOIN dynpg.streams s USING (stream_id)
	         WHERE s.table_name = 'ledger' AND s.view_type = 'NEW_AND_OLD_IMAGES')
	     = (SELECT count(*) FROM dynamodb.ledger)}),
	't', 'the first stream\'s inserts less removes are the items in the table');

my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal|server process .* was terminated/,
	'the server log shows no crash');

done_testing();
