# Exports to S3 (src/api/export_ops.c) over the HTTP endpoint with boto3
# (tests/http/export_boto3.py): an export taken while a writer keeps
# writing holds exactly one point in time; its files are checked as AWS's
# readers check them (MD5s, gzip JSON lines, counts).  Then the same table
# exported from SQL (dynpg.export_table) holds what a SELECT sees; and an
# export left IN_PROGRESS by a crash, with partial files, is run again whole.
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


# An export left IN_PROGRESS by a crash, with a first run's partial files,
# is run again from the start by the next worker: the worker is paused
# (testing GUC) when it is requested, the files are spoiled, the server
# stopped in immediate mode and started.
$node->safe_psql('postgres', q{
	ALTER SYSTEM SET dynpg.index_worker_pause = on;
	SELECT pg_reload_conf();
});
ok($node->poll_query_until('postgres', q{
	SELECT NOT EXISTS (SELECT 1 FROM dynpg.index_workers
	                    WHERE datname = current_database() AND state <> 'paused')}),
	'the worker is paused');
is($node->safe_psql('postgres', q{
	SELECT dynpg.export_table_to_point_in_time('{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/snap", "S3Bucket": "crash"}')
	       -> 'ExportDescription' ->> 'ExportStatus'}),
	'IN_PROGRESS', 'an export requested while the worker is paused is IN_PROGRESS');
my ($edir, $dname) = split /\|/, $node->safe_psql('postgres', q{
	SELECT directory || '|' || data_name FROM dynpg.exports WHERE s3_bucket = 'crash'});
mkdir "$edir/data";
foreach my $f ("$edir/manifest-files.json", "$edir/manifest-summary.json", "$edir/data/$dname.json.gz")
{
	open(my $fh, '>', $f) or die "$f: $!";
	print $fh "a first run's partial output";
	close $fh;
}
$node->stop('immediate');
$node->start;
$node->safe_psql('postgres', q{
	ALTER SYSTEM RESET dynpg.index_worker_pause;
	SELECT pg_reload_conf();
});
ok($node->poll_query_until('postgres', q{
	SELECT status = 'COMPLETED' FROM dynpg.exports WHERE s3_bucket = 'crash'}),
	'after the restart the worker runs the export again: COMPLETED');
my $check = `/usr/bin/python3 -c '
import sys, json, gzip, hashlib, base64
d, root = sys.argv[1], sys.argv[2]
s = json.load(open(d + "/manifest-summary.json"))
n = 0
for l in open(d + "/manifest-files.json"):
    e = json.loads(l)
    b = open(root + "/" + e["dataFileS3Key"], "rb").read()
    assert e["md5Checksum"] == base64.b64encode(hashlib.md5(b).digest()).decode(), "md5"
    n += len(gzip.decompress(b).decode().splitlines())
assert n == s["itemCount"], "count"
print(n)
' '$edir' '$dir/crash'`;
is($check + 0, $node->safe_psql('postgres', 'SELECT count(*) FROM dynamodb.snap') + 0,
	'the files are rewritten whole: checksums and counts agree with the table');

my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal|server process .* was terminated/,
	'the server log shows no crash');

done_testing();
