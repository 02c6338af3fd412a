# Committed writes survive immediate (crash) stops, uncommitted ones vanish,
# on a cluster with data checksums (checked offline at the end),
# and the tree is clean afterwards; repeated several times, with concurrent
# writers, under wal_consistency_checking = 'all' so every replayed
# record (generic and dynpg's own) is compared with the page the primary wrote.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $node = dynpg_node('crash', init => { extra => ['--data-checksums'] },
	conf => "wal_consistency_checking = 'all'\nrestart_after_crash = on");
create_range_table($node, 'crashy');

my $expected = 0;
for my $round (1 .. 3)
{
	# acknowledged commits: each statement commits before the next starts
	$node->safe_psql('postgres', put_sql('crashy',
		"jsonb_build_object('p', 'part' || (i % 13), 's', lpad(i::text, 8, '0'), 'round', $round, 'pad', repeat('x', (i * 7) % 900))")
		  . " FROM generate_series(" . ($round * 10000) . ", " . ($round * 10000 + 2999) . ") i");
	$expected += 3000;

	# replace and delete some acknowledged items
	$node->safe_psql('postgres', put_sql('crashy',
		"jsonb_build_object('p', 'part' || (i % 13), 's', lpad(i::text, 8, '0'), 'round', $round, 'replaced', true)")
		  . " FROM generate_series(" . ($round * 10000) . ", " . ($round * 10000 + 2999) . ", 3) i");
	$node->safe_psql('postgres',
		"SELECT dynpg.delete_item(jsonb_build_object('TableName', 'crashy', 'Key', jsonb_build_object('p', jsonb_build_object('S', 'part' || (i % 13)), 's', jsonb_build_object('S', lpad(i::text, 8, '0'))))) FROM generate_series("
		  . ($round * 10000 + 1) . ", " . ($round * 10000 + 2999) . ", 5) i");
	$expected -= 600;
	my $before = digest($node, 'crashy');

	# concurrent writers that never commit, caught mid-flight by the crash
	my @open;
	for my $w (1 .. 3)
	{
		my $s = $node->background_psql('postgres', on_error_stop => 0);
		$s->query_safe('BEGIN');
		$s->query_safe(put_sql('crashy',
			"jsonb_build_object('p', 'part' || (i % 13), 's', 'uncommitted' || $w || '-' || i, 'pad', repeat('u', 500))")
			  . " FROM generate_series(1, 2000) i");
		push @open, $s;
	}
	$node->stop('immediate');
	$_->quit for @open;
	$node->start;

	is(digest($node, 'crashy'), $before, "round $round: exactly the committed items after recovery");
	my ($ok, $report) = verify_ok($node, 'crashy');
	ok($ok, "round $round: dynpg.verify is clean") or diag($report);
}
is($node->safe_psql('postgres', 'SELECT count(*) FROM dynamodb.crashy'), $expected,
	'item count matches the acknowledged writes');

# the table still takes writes after the crashes, and VACUUM cleans up
$node->safe_psql('postgres', put_sql('crashy', "jsonb_build_object('p', 'after', 's', 'x')"));
$node->safe_psql('postgres', 'VACUUM dynamodb.crashy');
my ($ok, $report) = verify_ok($node, 'crashy');
ok($ok, 'clean after VACUUM') or diag($report);
like($report, qr/"dead_versions": 0/, 'VACUUM removed the dead and aborted versions');

$node->stop;
# every page dynpg wrote carries a valid checksum
command_ok([ 'pg_checksums', '--check', '-D', $node->data_dir ],
	'pg_checksums finds no damaged page');
done_testing();
