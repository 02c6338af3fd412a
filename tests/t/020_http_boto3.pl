# The HTTP endpoint through a real client, Debian's python3-boto3
# (tests/http/boto3_api.py): the data-plane and control-plane operations,
# DynamoDB's errors as boto3's own exception classes, U+0000 in keys and
# values, GRANTs through access keys, and SigV4 failures.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use DynpgTest;

my $port = PostgreSQL::Test::Cluster::get_free_port();
my $node = dynpg_node('http_boto3', conf => qq{
dynpg.http_port = $port
dynpg.http_workers = 2
dynpg.http_database = 'postgres'
max_worker_processes = 16
});

# a role that creates tables, and one with no privilege on them
$node->safe_psql('postgres', q{
	CREATE ROLE app;
	GRANT CREATE ON SCHEMA dynamodb TO app;
	CREATE ROLE nobody;
});
my ($key, $secret) = split /\|/, $node->safe_psql('postgres',
	"SELECT access_key_id || '|' || secret_access_key FROM dynpg.create_access_key('app')");
my ($lkey, $lsecret) = split /\|/, $node->safe_psql('postgres',
	"SELECT access_key_id || '|' || secret_access_key FROM dynpg.create_access_key('nobody')");
like($key, qr/^DYNP[A-Z2-7]{16}$/, 'create_access_key returns a 20-character key id');
is(length($secret), 40, '... and a 40-character secret');
is($node->safe_psql('postgres', "SELECT role FROM dynpg.access_keys WHERE access_key_id = '$key'"),
	'app', 'dynpg.access_keys lists it, with its role');

ok($node->poll_query_until('postgres', 'SELECT count(*) = 2 FROM dynpg.http_status'),
	'two HTTP workers run');

local $ENV{DYNPG_ENDPOINT} = "http://127.0.0.1:$port";
local $ENV{AWS_ACCESS_KEY_ID} = $key;
local $ENV{AWS_SECRET_ACCESS_KEY} = $secret;
local $ENV{DYNPG_LIMITED_KEY} = $lkey;
local $ENV{DYNPG_LIMITED_SECRET} = $lsecret;
local $ENV{AWS_CONFIG_FILE} = '/dev/null';
local $ENV{AWS_SHARED_CREDENTIALS_FILE} = '/dev/null';

my ($stdout, $stderr);
my $ok = IPC::Run::run(['/usr/bin/python3', 'tests/http/boto3_api.py'],
	'>', \$stdout, '2>', \$stderr);
my $checks = 0;
foreach my $line (split /\n/, $stdout)
{
	if ($line =~ /^ok - (.*)$/) { pass($1); $checks++; }
	elsif ($line =~ /^not ok - (.*)$/) { fail($1); $checks++; }
}
ok($checks >= 40, "boto3 ran its checks ($checks)") or diag($stderr);
ok($ok, 'boto3_api.py exited 0') or diag($stderr);

# the workers counted the requests, and none failed inside
my $status = $node->safe_psql('postgres',
	'SELECT sum(requests) > 100, sum(errors) > 5, sum(bytes_in) > 0 FROM dynpg.http_status');
is($status, 't|t|t', 'dynpg.http_status counts requests, errors and bytes');
my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal|server process .* was terminated/,
	'the server log shows no crash');

done_testing();
