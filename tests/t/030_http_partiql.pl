# PartiQL over the HTTP endpoint: boto3's execute_statement,
# batch_execute_statement and execute_transaction (tests/http/partiql_boto3.py),
# and one 'aws dynamodb execute-statement' through the AWS CLI.  Both reach
# the operations through the endpoint's X-Amz-Target dispatch
# (DynamoDB_20120810.ExecuteStatement, ...), the operations table of
# src/api/execute.c.
use strict;
use warnings;

use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use DynpgTest;

my ($node, $port, $key, $secret) = http_node('http_partiql');

my %env = client_env($port, $key, $secret);
local @ENV{keys %env} = values %env;

run_client_checks(['/usr/bin/python3', 'tests/http/partiql_boto3.py'], exact => 19);

# the AWS CLI
local $ENV{AWS_DEFAULT_REGION} = 'eu-west-3';
local $ENV{AWS_PAGER} = '';
my ($stdout, $stderr) = ('', '');
IPC::Run::run(['aws', 'dynamodb', 'execute-statement', '--statement',
		q{SELECT plays FROM songs WHERE artist = 'band' AND title = 't3'},
		'--endpoint-url', "http://127.0.0.1:$port", '--output', 'json'],
	'>', \$stdout, '2>', \$stderr);
is($? >> 8, 0, 'aws dynamodb execute-statement exits 0') or diag($stderr);
my $out = eval { JSON::PP->new->decode($stdout) };
is_deeply($out, { Items => [ { plays => { N => '3' } } ] },
	'aws dynamodb execute-statement answers the item');

my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal|server process .* was terminated/,
	'the server log shows no crash');

done_testing();
