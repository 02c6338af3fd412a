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

my ($node, $port, $key, $secret) = http_node('http_js', workers => 1);

local $ENV{NODE_PATH} = $node_path;
my %env = client_env($port, $key, $secret);
local @ENV{keys %env} = values %env;

run_client_checks(['node', 'tests/http/js_sdk.cjs'], exact => 11);

my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal/, 'the server log shows no crash');

done_testing();
