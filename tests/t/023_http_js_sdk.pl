# The HTTP endpoint through the AWS SDK for JavaScript v3 (npm
# @aws-sdk/client-dynamodb and @aws-sdk/lib-dynamodb, installed by 'make test'
# through scripts/npm-deps.sh and found through DYNPG_NODE_PATH): the founding
# examples through the DocumentClient with plain values (tests/http/js_sdk.cjs).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use DynpgTest;

my $node_path = $ENV{DYNPG_NODE_PATH} // '';
ok($node_path ne '' && -d "$node_path/\@aws-sdk/lib-dynamodb",
	'the AWS SDK for JavaScript is installed (scripts/npm-deps.sh tests/http/js)')
	or BAIL_OUT("no AWS SDK for JavaScript in DYNPG_NODE_PATH='$node_path'");

my $port = PostgreSQL::Test::Cluster::get_free_port();
my $node = dynpg_node('http_js', conf => qq{
dynpg.http_port = $port
dynpg.http_workers = 1
dynpg.http_database = 'postgres'
max_worker_processes = 16
});
$node->safe_psql('postgres', q{
	CREATE ROLE app;
	GRANT CREATE ON SCHEMA dynamodb TO app;
});
my ($key, $secret) = split /\|/, $node->safe_psql('postgres',
	"SELECT access_key_id || '|' || secret_access_key FROM dynpg.create_access_key('app')");
ok($node->poll_query_until('postgres', 'SELECT count(*) = 1 FROM dynpg.http_status'),
	'the HTTP worker runs');

local $ENV{NODE_PATH} = $node_path;
local $ENV{DYNPG_ENDPOINT} = "http://127.0.0.1:$port";
local $ENV{AWS_ACCESS_KEY_ID} = $key;
local $ENV{AWS_SECRET_ACCESS_KEY} = $secret;
local $ENV{AWS_CONFIG_FILE} = '/dev/null';
local $ENV{AWS_SHARED_CREDENTIALS_FILE} = '/dev/null';

my ($stdout, $stderr);
my $ok = IPC::Run::run(['node', 'tests/http/js_sdk.cjs'], '>', \$stdout, '2>', \$stderr);
my $checks = 0;
foreach my $line (split /\n/, $stdout)
{
	if ($line =~ /^ok - (.*)$/) { pass($1); $checks++; }
	elsif ($line =~ /^not ok - (.*)$/) { fail($1); $checks++; }
}
is($checks, 11, 'js_sdk.cjs ran its 11 checks') or diag($stderr);
ok($ok, 'js_sdk.cjs exited 0') or diag($stderr);

my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal/, 'the server log shows no crash');

done_testing();
