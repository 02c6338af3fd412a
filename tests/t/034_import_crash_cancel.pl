# ImportTable and exports in the database's worker, when things go wrong
# (src/api/import_ops.c, export_ops.c):
#  - a server crash while the worker loads an import: after the restart the
#    import is FAILED (ImportInterrupted) and no table is left, not even an
#    empty or partial one;
#  - a server crash while the worker writes an export: after the restart
#    the export runs again and is COMPLETED, its files whole (manifest
#    checksums and counts) and holding every item of the table;
#  - dynpg.cancel_import while the worker loads: CANCELLING, then CANCELLED
#    well before the load would have ended, the table gone; and
#    pg_cancel_backend of the worker: FAILED (57014), the table gone;
#  - a streaming standby (through a replication slot) replays an imported
#    table identically: every item equal, dynpg.verify clean on both, and
#    no trace there of the crashed or cancelled imports' tables.
# The testing GUC dynpg.debug_bulk_delay_ms slows the worker's loads and
# exports so that the crash or the cancel lands in the middle of one.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $dir = PostgreSQL::Test::Utils::tempdir();
my $node = dynpg_node('bgimport', init => { allows_streaming => 1 },
	conf => "dynpg.export_directory = '$dir'\nrestart_after_crash = on");

$node->safe_psql('postgres', "SELECT pg_create_physical_replication_slot('bgimport_standby')");
$node->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('bgimport_standby');
$standby->init_from_backup($node, 'base', has_streaming => 1);
$standby->append_conf('postgresql.conf',
	"shared_preload_libraries = 'dynpg'\nprimary_slot_name = 'bgimport_standby'");
$standby->start;

# the input: 2000 items in DynamoDB JSON lines, in two files
mkdir "$dir/bkt";
mkdir "$dir/bkt/big";
foreach my $part (0, 1)
{
	open(my $fh, '>', "$dir/bkt/big/part-$part.json") or die $!;
	for my $i (1 .. 1000)
	{
		my $n = $part * 1000 + $i;
		print $fh qq({"Item": {"pk": {"S": "k$n"}, "sk": {"N": "$i"}, "g": {"S": "g@{[$n % 13]}"}, "pad": {"S": "@{['x' x ($n % 50)]}"}}}\n);
	}
	close $fh;
}

sub import_request
{
	my ($table) = @_;
	return qq{'{"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "big"}, "InputFormat": "DYNAMODB_JSON",
	  "TableCreationParameters": {"TableName": "$table", "BillingMode": "PAY_PER_REQUEST",
	    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
	    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
	                             {"AttributeName": "g", "AttributeType": "S"}],
	    "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
	                                "Projection": {"ProjectionType": "ALL"}}]}}'};
}

# ImportTable; its ImportArn
sub start_import
{
	my ($table) = @_;
	my $r = $node->safe_psql('postgres',
		"SELECT dynpg.import_table(" . import_request($table) . ") -> 'ImportTableDescription' ->> 'ImportStatus'");
	is($r, 'IN_PROGRESS', "ImportTable of $table answers IN_PROGRESS");
	return $node->safe_psql('postgres',
		"SELECT import_arn FROM dynpg.imports WHERE table_arn LIKE '%/$table'");
}

sub set_delay
{
	my ($ms) = @_;
	$node->safe_psql('postgres', "ALTER SYSTEM SET dynpg.debug_bulk_delay_ms = $ms; SELECT pg_reload_conf()");
}

# wait until the worker is in the middle of an import (or an export)
sub worker_busy
{
	my ($what, $msg) = @_;
	ok($node->poll_query_until('postgres', qq{
		SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE query = '$what a DynamoDB table')}),
		$msg);
}

sub import_field
{
	my ($arn, $field) = @_;
	return $node->safe_psql('postgres', "SELECT description ->> '$field' FROM dynpg.imports WHERE import_arn = '$arn'");
}

sub wait_import_end
{
	my ($arn, $msg) = @_;
	ok($node->poll_query_until('postgres', qq{
		SELECT description ->> 'ImportStatus' NOT IN ('IN_PROGRESS', 'CANCELLING')
		  FROM dynpg.imports WHERE import_arn = '$arn'}), $msg);
}

sub no_table
{
	my ($n, $table, $msg) = @_;
	is($n->safe_psql('postgres', qq{
		SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
		 WHERE s.nspname = 'dynamodb' AND c.relname = '$table'}), '0', $msg);
}

# ---- a crash while the worker loads an import ----
set_delay(2);
my $crash_arn = start_import('imp_crash');
is($node->safe_psql('postgres', q{SELECT dynpg.describe_table('{"TableName": "imp_crash"}') #>> '{Table,TableStatus}'}),
	'CREATING', 'its table is CREATING');
worker_busy('importing', 'the worker is loading the import');
sleep 1;
$node->stop('immediate');
$node->start;
set_delay(0);
wait_import_end($crash_arn, 'after the restart the import ends');
is(import_field($crash_arn, 'ImportStatus'), 'FAILED', 'the interrupted import is FAILED');
is(import_field($crash_arn, 'FailureCode'), 'ImportInterrupted', 'FailureCode ImportInterrupted');
ok(import_field($crash_arn, 'EndTime') > 0, 'with its EndTime');
my ($ret, $out, $err) = $node->psql('postgres', q{SELECT dynpg.describe_table('{"TableName": "imp_crash"}')});
like($err, qr/Requested resource not found: Table: imp_crash not found/, 'DescribeTable: ResourceNotFoundException');
no_table($node, 'imp_crash', 'no relation is left of the interrupted import');

# the same import again, undisturbed: COMPLETED, every item and index entry
my $ok_arn = start_import('imp_ok');
wait_import_end($ok_arn, 'the import ends');
is(import_field($ok_arn, 'ImportStatus'), 'COMPLETED', 'COMPLETED');
is(import_field($ok_arn, 'ImportedItemCount'), '2000', '2000 items imported');
is($node->safe_psql('postgres', q{SELECT dynpg.describe_table('{"TableName": "imp_ok"}') #>> '{Table,TableStatus}'}),
	'ACTIVE', 'its table is ACTIVE');
$node->safe_psql('postgres', q{SELECT dynpg.wait_for_indexes('imp_ok')});
is($node->safe_psql('postgres', q{SELECT dynpg.query('{"TableName": "imp_ok", "IndexName": "by_g",
	"KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "g5"}}, "Select": "COUNT"}') ->> 'Count'}),
	'154', 'its index answers');

# ---- a crash while the worker writes an export ----
$node->safe_psql('postgres', q{SELECT dynpg.create_table('{"TableName": "exp_src", "BillingMode": "PAY_PER_REQUEST",
	"KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}]}')});
$node->safe_psql('postgres', q{INSERT INTO dynamodb.exp_src
	SELECT dynpg.from_plain_json(jsonb_build_object('p', 'e' || i, 'n', i, 'pad', repeat('y', i % 70)))
	  FROM generate_series(1, 3000) i});
set_delay(1);
is($node->safe_psql('postgres', q{SELECT dynpg.export_table_to_point_in_time(
	'{"TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/exp_src", "S3Bucket": "crashexp"}')
	-> 'ExportDescription' ->> 'ExportStatus'}), 'IN_PROGRESS', 'the export is IN_PROGRESS');
worker_busy('exporting', 'the worker is writing the export');
sleep 1;
$node->stop('immediate');
$node->start;
set_delay(0);
ok($node->poll_query_until('postgres', q{
	SELECT status <> 'IN_PROGRESS' FROM dynpg.exports WHERE s3_bucket = 'crashexp'}),
	'after the restart the export ends');
is($node->safe_psql('postgres', q{SELECT status FROM dynpg.exports WHERE s3_bucket = 'crashexp'}),
	'COMPLETED', 'the export is run again: COMPLETED');
my $edir = $node->safe_psql('postgres', q{SELECT directory FROM dynpg.exports WHERE s3_bucket = 'crashexp'});
my $keys = `/usr/bin/python3 -c '
import sys, json, gzip, hashlib, base64
d, root = sys.argv[1], sys.argv[2]
s = json.load(open(d + "/manifest-summary.json"))
keys = []
for l in open(d + "/manifest-files.json"):
    e = json.loads(l)
    b = open(root + "/" + e["dataFileS3Key"], "rb").read()
    assert e["md5Checksum"] == base64.b64encode(hashlib.md5(b).digest()).decode(), "md5"
    lines = gzip.decompress(b).decode().splitlines()
    assert len(lines) == e["itemCount"], "file count"
    keys += [json.loads(x)["Item"]["p"]["S"] for x in lines]
assert len(keys) == s["itemCount"], "summary count"
print(",".join(sorted(keys)))
' '$edir' '$dir/crashexp'`;
chomp $keys;
is($keys, $node->safe_psql('postgres', q{SELECT string_agg(item->>'p', ',' ORDER BY item->>'p' COLLATE "C")
	FROM (SELECT dynpg.to_plain_json(item) AS item FROM dynamodb.exp_src) x}),
	'the files are whole (checksums, counts) and hold every item of the table');

# ---- cancelling an import while the worker loads it ----
set_delay(5);
my $cancel_arn = start_import('imp_cancel');
worker_busy('importing', 'the worker is loading the import to cancel');
my $t0 = time;
is($node->safe_psql('postgres', "SELECT dynpg.cancel_import('$cancel_arn') #>> '{ImportTableDescription,ImportStatus}'"),
	'CANCELLING', 'dynpg.cancel_import answers CANCELLING');
wait_import_end($cancel_arn, 'the cancelled import ends');
ok(time - $t0 < 8, 'well before its load (10 s) would have ended');
is(import_field($cancel_arn, 'ImportStatus'), 'CANCELLED', 'the import is CANCELLED');
is(import_field($cancel_arn, 'FailureCode'), '', 'without a FailureCode');
no_table($node, 'imp_cancel', 'the cancelled import left no table');

# pg_cancel_backend of the worker: the import FAILED with the cancel's SQLSTATE
my $kill_arn = start_import('imp_killed');
worker_busy('importing', 'the worker is loading the import');
$node->safe_psql('postgres', q{SELECT pg_cancel_backend(pid) FROM pg_stat_activity
	WHERE query = 'importing a DynamoDB table'});
wait_import_end($kill_arn, 'the import whose worker was cancelled ends');
is(import_field($kill_arn, 'ImportStatus') . ' ' . import_field($kill_arn, 'FailureCode'),
	'FAILED 57014', 'FAILED, FailureCode 57014');
no_table($node, 'imp_killed', 'and no table is left');
set_delay(0);

# ---- the standby replays the imported table identically ----
$node->wait_for_catchup($standby, 'replay');
is(digest($standby, 'imp_ok'), digest($node, 'imp_ok'), 'the standby holds the same items as the primary');
my ($vok, $report) = verify_ok($node, 'imp_ok');
ok($vok, 'dynpg.verify is clean on the primary') or diag($report);
($vok, $report) = verify_ok($standby, 'imp_ok');
ok($vok, 'dynpg.verify is clean on the standby') or diag($report);
is($standby->safe_psql('postgres', q{SELECT dynpg.describe_table('{"TableName": "imp_ok"}') #>> '{Table,TableStatus}'}),
	'ACTIVE', 'the standby describes it ACTIVE');
no_table($standby, $_, "the standby has no $_") foreach ('imp_crash', 'imp_cancel', 'imp_killed');

my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal/, 'the server log shows no crash but the ones asked for');

$standby->stop;
$node->stop;
done_testing();
