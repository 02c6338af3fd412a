# A PANIC between the WAL records of a page split (after a leaf split, after
# an internal split, before the new root of a root split, after the split of
# a full leaf's right sibling that makes room for a shift) leaves a tree
# that recovery brings back searchable; the next insert finishes the split,
# and no item is lost.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $node = dynpg_node('splitpanic',
	conf => "wal_consistency_checking = 'all'\nrestart_after_crash = on");

# big sort keys (1,000 bytes) give few downlinks per internal page, so
# internal splits come quickly.  Sort keys in order make leaves split (each
# new item extends its partition); in random order (point 4), full leaves
# shift items to their right siblings, splitting those first when full.
sub fill
{
	my ($table, $from, $to, $random) = @_;
	my $s = $random ? "lpad(md5(i::text), 1000, '0')" : "lpad(i::text, 1000, '0')";
	return put_sql($table,
		"jsonb_build_object('p', 'p' || (i % 3), 's', $s, 'v', i)")
	  . " FROM generate_series($from, $to) i";
}

for my $point (3, 1, 2, 4)
{
	my $random = $point == 4;
	my $more = $random ? 2000 : 600;
	my $table = "panic$point";
	create_range_table($node, $table);
	# point 3 (new root) fires on the very first split; 1 and 2 need a tree
	# with internal levels first
	my $committed = 0;
	if ($point != 3)
	{
		$node->safe_psql('postgres', fill($table, 1, 400, $random));
		$committed = 400;
	}
	my ($ret, $out, $err) = $node->psql('postgres',
		"SET dynpg.debug_split_panic = $point; " . fill($table, 100001, 100000 + $more, $random));
	isnt($ret, 0, "point $point: the session died in the PANIC");
	$node->poll_query_until('postgres', 'SELECT true') or die "server did not come back";

	is($node->safe_psql('postgres', "SELECT count(*) FROM dynamodb.$table"), $committed,
		"point $point: only the committed items after recovery");
	my ($ok, $report) = verify_ok($node, $table);
	ok($ok, "point $point: dynpg.verify is clean after recovery") or diag($report);
	if ($point != 3)
	{
		like($report, qr/"incomplete_splits": [1-9]/,
			"point $point: the interrupted split is left incomplete");
	}

	# inserting the same keys again lands on the flagged page, which
	# finishes the incomplete split first
	$node->safe_psql('postgres', fill($table, 100001, 100000 + $more, $random));
	is($node->safe_psql('postgres', "SELECT count(*) FROM dynamodb.$table"), $committed + $more,
		"point $point: inserts after recovery all arrive");
	($ok, $report) = verify_ok($node, $table);
	ok($ok, "point $point: clean after more inserts") or diag($report);
	like($report, qr/"incomplete_splits": 0/, "point $point: the split was finished");
}

$node->stop;
done_testing();
