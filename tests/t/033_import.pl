# ImportTable over the HTTP endpoint through boto3 (tests/http/import_boto3.py):
# an export in AWS's layout (manifest files, gzip data files of
# {"Item": ...} lines) imported unchanged from dynpg.export_directory,
# ClientToken idempotency, ImportTable answering IN_PROGRESS and the worker
# loading it, a truncated gzip file failing its import with no
# table left, DescribeImport and ListImports.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use DynpgTest;

my $dir = PostgreSQL::Test::Utils::tempdir();
my ($node, $port, $key, $secret) = http_node('import', conf => "dynpg.export_directory = '$dir'\n");

my %env = client_env($port, $key, $secret);
local @ENV{keys %env} = values %env;
local $ENV{DYNPG_EXPORT_DIR} = $dir;

run_client_checks(['/usr/bin/python3', 'tests/http/import_boto3.py'], exact => 18);

# the imports as SQL sees them
is($node->safe_psql('postgres', q{
	SELECT string_agg(description ->> 'ImportStatus', ',' ORDER BY seq) FROM dynpg.imports}),
	'COMPLETED,COMPLETED,FAILED', 'dynpg.imports holds the 3 imports');
is($node->safe_psql('postgres', q{SELECT count(*) FROM dynamodb.from_export}), '5',
	'the imported table holds 5 items in SQL');

my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal|server process .* was terminated/,
	'the server log shows no crash');

done_testing();
