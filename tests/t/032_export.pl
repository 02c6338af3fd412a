# Exports to S3 (src/api/export_ops.c) over the HTTP endpoint with boto3
# (tests/http/export_boto3.py): an export taken while a writer keeps
# writing holds exactly one point in time; its files are checked as AWS's
# readers check them (MD5s, gzip JSON lines, counts).  Then the same table
# exported from SQL (dynpg.export_table) holds what a SELECT sees.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use DynpgTest;

my $dir = PostgreSQL::Test::Utils::tempdir();
my ($node, $port, $key, $secret) = http_node('export', workers => 3,
	conf => "dynpg.export_directory = '$dir'\n");

my %env = client_env($port, $key, $secret);
local @ENV{keys %env} = values %env;
local $ENV{DYNPG_EXPORT_DIR} = $dir;

run_client_checks(['/usr/bin/python3', 'tests/http/export_boto3.py'], min => 20);

# the synchronous SQL form: the items a SELECT of the same statement's snapshot sees
my $count = $node->safe_psql('postgres', q{
	SELECT (dynpg.export_table('snap', 'sqlexp/p')::jsonb -> 'ExportDescription' ->> 'ItemCount')::bigint
	       = (SELECT count(*) FROM dynamodb.snap)});
is($count, 't', 'dynpg.export_table: ItemCount is the table\'s count');
is($node->safe_psql('postgres', q{SELECT string_agg(status, ',') FROM dynpg.exports}),
	'COMPLETED,COMPLETED', 'both exports COMPLETED');

my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal|server process .* was terminated/,
	'the server log shows no crash');

done_testing();
