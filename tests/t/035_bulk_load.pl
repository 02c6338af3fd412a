# Bulk loads (src/am/dynpg_bulk.c, src/storage/btbuild.c) and WAL: a
# streaming standby replays bulk-built tables identically (items, index
# answers, the tree itself: every page's contents compared through
# dynpg.verify's counts and the items' digest), with
# wal_consistency_checking on every record; committed loads survive an
# immediate stop; a crash in the middle of a load leaves the table as it
# was before the load (empty, its tree valid), and the table takes a new
# load afterwards.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $node = dynpg_node('bulk', init => { allows_streaming => 1 },
	conf => "wal_consistency_checking = 'all'\nautovacuum = off\nmaintenance_work_mem = '1MB'");
my $dir = $PostgreSQL::Test::Utils::tmp_check;

sub mk { create_load_table($node, $_[0]); return; }

# a COPY file of $n items; maintenance_work_mem = 1MB makes the sort spill
sub copy_file
{
	my ($name, $n, $seed) = @_;
	my $file = "$dir/bulk_$name.copy";
	$node->safe_psql('postgres', qq{COPY (SELECT format('{"p":{"S":"part%s"},"s":{"N":"%s"},"g":{"S":"g%s"},"pad":{"S":"%s"}}',
	  i % 97, i, (i * 7) % 1000, repeat(md5((i + $seed)::text), 1 + i % 5)) FROM generate_series(1, $n) i) TO '$file'});
	return $file;
}

my $f1 = copy_file('one', 30000, 0);
my $f2 = copy_file('two', 5000, 1);

$node->safe_psql('postgres', "SELECT pg_create_physical_replication_slot('bulk_standby')");
$node->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('bulk_standby');
$standby->init_from_backup($node, 'base', has_streaming => 1);
$standby->append_conf('postgresql.conf', "shared_preload_libraries = 'dynpg'\nprimary_slot_name = 'bulk_standby'\nwal_consistency_checking = 'all'");
$standby->start;

# a table created in another transaction (locked for the load) and one
# truncated in the loading transaction; a load rolled back
mk('bulk_one');
mk('bulk_two');
mk('bulk_gone');
$node->safe_psql('postgres', "COPY dynamodb.bulk_one FROM '$f1'");
$node->safe_psql('postgres', "BEGIN; TRUNCATE dynamodb.bulk_two; COPY dynamodb.bulk_two FROM '$f2'; COMMIT;");
$node->psql('postgres', "BEGIN; COPY dynamodb.bulk_gone FROM '$f2'; ROLLBACK;");
my $leaves = $node->safe_psql('postgres', "SELECT dynpg.verify('bulk_one') ->> 'leaf_pages'");
ok($leaves > 1, "bulk_one has $leaves leaves");
for my $t (qw(bulk_one bulk_two bulk_gone))
{
	my ($ok, $report) = verify_ok($node, $t);
	ok($ok, "$t: verify clean on the primary") or diag($report);
}

# the standby: same items, same index answers
my $gsi = q{SELECT string_agg(i ->> 's', ',' ORDER BY (i #>> '{s,N}')::int) FROM jsonb_array_elements(
  dynpg.query('{"TableName":"bulk_one","IndexName":"gsi_g","KeyConditionExpression":"g = :g",
    "ExpressionAttributeValues":{":g":{"S":"g42"}}}') -> 'Items') i};
my $lsi = q{SELECT dynpg.query('{"TableName":"bulk_one","IndexName":"by_g","KeyConditionExpression":"p = :p AND begins_with(g, :g)",
    "ExpressionAttributeValues":{":p":{"S":"part5"},":g":{"S":"g9"}}}') -> 'Count'};
$node->wait_for_catchup($standby);
for my $t (qw(bulk_one bulk_two bulk_gone))
{
	is($standby->safe_psql('postgres', "SELECT count(*) || ' ' || coalesce(md5(string_agg(item::text, ',' ORDER BY item::text)), '-') FROM dynamodb.$t"),
		digest($node, $t), "$t: the standby has the primary's items");
}
is($node->safe_psql('postgres', "SELECT count(*) FROM dynamodb.bulk_gone"), '0', 'the rolled-back load left nothing');
my $gsi_primary = $node->safe_psql('postgres', $gsi);
ok($gsi_primary ne '', "the GSI answers at once after the load ($gsi_primary)");
is($standby->safe_psql('postgres', $gsi), $gsi_primary, 'the standby answers the GSI query alike');
is($standby->safe_psql('postgres', $lsi), $node->safe_psql('postgres', $lsi), 'and the LSI query');

# writes on top of the loaded tree (splits of its full leaves), then an immediate stop
$node->safe_psql('postgres', q{SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'bulk_one', 'Item',
  jsonb_build_object('p', jsonb_build_object('S', 'part' || i % 97), 's', jsonb_build_object('N', i::text),
    'g', jsonb_build_object('S', 'new'), 'pad', jsonb_build_object('S', repeat('z', 500))))))
  FROM generate_series(1, 30000, 7) i});
my $before = digest($node, 'bulk_one');
$node->stop('immediate');
$node->start;
is(digest($node, 'bulk_one'), $before, 'committed loads and later writes survive an immediate stop');
is(digest($node, 'bulk_two'), $standby->safe_psql('postgres', "SELECT count(*) || ' ' || coalesce(md5(string_agg(item::text, ',' ORDER BY item::text)), '-') FROM dynamodb.bulk_two"),
	'bulk_two after the crash as the standby has it');
for my $t (qw(bulk_one bulk_two))
{
	my ($ok, $report) = verify_ok($node, $t);
	ok($ok, "$t: verify clean after the crash") or diag($report);
}

# a crash in the middle of a load: (a) while COPY still reads its input
# (the rows in the sort, spilled to temp files; no page written), (b) after
# the tree was built and switched, before the transaction commits
my $f3 = copy_file('three', 60000, 2);
mk('bulk_mid');
mk('bulk_late');
my @h;
for my $sql ("COPY dynamodb.bulk_mid FROM PROGRAM 'cat $f3; sleep 30'",
	"BEGIN; COPY dynamodb.bulk_late FROM '$f2'; SELECT pg_sleep(30);")
{
	my ($out, $err) = ('', '');
	push @h, IPC::Run::start([ 'psql', '-X', '-d', $node->connstr('postgres'), '-c', $sql ],
		'>', \$out, '2>', \$err);
}
# COPY FROM PROGRAM reports no wait event while it waits for its pipe: its
# sort's temp files tell that it has read the file and waits for more
ok($node->poll_query_until('postgres',
		q{SELECT (SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%bulk_late%' AND wait_event = 'PgSleep') = 1
		     AND (SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY dynamodb.bulk_mid%' AND state = 'active') = 1
		     AND (SELECT count(*) FROM pg_ls_tmpdir()) > 0}),
	'one load waits for more input, its sort spilled; the other waits for its commit');
$node->stop('immediate');
$_->kill_kill for @h;
$node->start;
for my $t (qw(bulk_mid bulk_late))
{
	is($node->safe_psql('postgres', "SELECT count(*) FROM dynamodb.$t"), '0',
		"$t: after a crash in the middle of a load, the table is as before it: empty");
	my ($ok, $report) = verify_ok($node, $t);
	ok($ok, "$t: its tree is valid") or diag($report);
	# bulk_late's built tree was switched in: VACUUM prunes it and frees none of its pages as orphans
	$node->safe_psql('postgres', "VACUUM dynamodb.$t");
	($ok, $report) = verify_ok($node, $t);
	ok($ok && $report =~ /"unused_pages": 0/, "$t: verify clean after VACUUM") or diag($report);
	$node->safe_psql('postgres', "COPY dynamodb.$t FROM '$f2'");
	is($node->safe_psql('postgres', "SELECT count(*) FROM dynamodb.$t"), '5000', "$t: it takes a new load");
	($ok, $report) = verify_ok($node, $t);
	ok($ok, "$t: verify clean after the new load") or diag($report);
}
$node->wait_for_catchup($standby);
for my $t (qw(bulk_mid bulk_late))
{
	is($standby->safe_psql('postgres', "SELECT count(*) || ' ' || coalesce(md5(string_agg(item::text, ',' ORDER BY item::text)), '-') FROM dynamodb.$t"),
		digest($node, $t), "$t: the standby follows through the crash and the new load");
}

# a load that fails after writing its leaves (a duplicate of the key that
# sorts last): its pages stay outside the tree; VACUUM turns them into
# deleted pages (WAL-logged: checked on the standby by
# wal_consistency_checking) and the next load reuses them
my $fdup = "$dir/bulk_dup.copy";
$node->safe_psql('postgres', qq{COPY (SELECT item FROM dynamodb.bulk_two UNION ALL
  SELECT item FROM (SELECT item FROM dynamodb.bulk_two OFFSET 4999) last) TO '$fdup'});
mk('bulk_orphan');
my ($rc, $out, $err) = $node->psql('postgres', "COPY dynamodb.bulk_orphan FROM '$fdup'");
like($err, qr/duplicate key value violates the primary key/, 'the load with a duplicate key fails');
my $unused = $node->safe_psql('postgres', "SELECT dynpg.verify('bulk_orphan') ->> 'unused_pages'");
ok($unused > 20, "the failed load left $unused pages outside the tree");
$node->stop('immediate');
$node->start;
$node->safe_psql('postgres', "VACUUM dynamodb.bulk_orphan");
my ($vok, $vreport) = verify_ok($node, 'bulk_orphan');
# (a page the load had filled but not yet written is a never-initialised page after the crash: free too)
ok($vok && $vreport =~ /"unused_pages": 0/ && $vreport =~ /"deleted_pages": (\d+)/ && $1 >= $unused - 1 && $1 <= $unused,
	'after a crash, VACUUM made every one of them a deleted page') or diag($vreport);
$node->safe_psql('postgres', "COPY dynamodb.bulk_orphan FROM '$f2'");
($vok, $vreport) = verify_ok($node, 'bulk_orphan');
ok($vok && $vreport =~ /"deleted_pages": 0/ && $vreport =~ /"unused_pages": 0/, 'the next load reused them all')
	or diag($vreport);
$node->wait_for_catchup($standby);
is($standby->safe_psql('postgres', "SELECT count(*) || ' ' || coalesce(md5(string_agg(item::text, ',' ORDER BY item::text)), '-') FROM dynamodb.bulk_orphan"),
	digest($node, 'bulk_orphan'), 'the standby replays the freed pages and the load into them');

my $log = slurp_file($node->logfile) . slurp_file($standby->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal (?!9)/, 'no crash but the immediate stops');
$standby->stop;
$node->stop;
done_testing();
