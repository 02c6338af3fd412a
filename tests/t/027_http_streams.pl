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

my ($node, $port, $key, $secret) = http_node('http_streams', workers => 2);

my %env = client_env($port, $key, $secret);
local @ENV{keys %env} = values %env;
local $ENV{DYNPG_STREAM_SECONDS} = $ENV{DYNPG_SLOW} ? 10 : 5;
# psql, as the test's superuser, for dynpg._roll_stream_shards
local $ENV{DYNPG_ROLL_CONNINFO} = $node->connstr('postgres');

my $stderr = run_client_checks(['/usr/bin/python3', 'tests/http/streams_boto3.py'], min => 20);
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
