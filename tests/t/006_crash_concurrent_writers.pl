# Concurrent committing writers, stopped by an immediate (crash) stop in
# mid-stream, several times.  Each transaction puts an item through the
# wire API and records its key in a heap ledger in the same transaction:
# after recovery the two must agree exactly -- every acknowledged commit's
# item is there, no item of a transaction that did not commit is -- and the
# tree must be clean.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $node = dynpg_node('crashwriters', conf => "wal_consistency_checking = 'all'");
create_range_table($node, 'ledgered');
$node->safe_psql('postgres', 'CREATE TABLE ledger (p text, s text, PRIMARY KEY (p, s))');

my $script = "$PostgreSQL::Test::Utils::tmp_check/crash_writers.sql";
open(my $fh, '>', $script) or die "cannot write $script: $!";
print $fh <<'SQL';
\set k random(1, 1000000000)
BEGIN;
SELECT dynpg.put_item(jsonb_build_object('TableName', 'ledgered', 'Item', jsonb_build_object(
  'p', jsonb_build_object('S', 'part' || ((:k)::bigint % 17)), 's', jsonb_build_object('S', 'k' || (:k)::bigint),
  'pad', jsonb_build_object('S', repeat('w', ((:k)::bigint % 700)::int)))));
INSERT INTO ledger VALUES ('part' || ((:k)::bigint % 17), 'k' || (:k)::bigint) ON CONFLICT DO NOTHING;
COMMIT;
SQL
close($fh);

for my $round (1 .. 3)
{
	my ($out, $err) = ('', '');
	my $bench = IPC::Run::start(
		[ 'pgbench', '-n', '-c', '4', '-j', '2', '-T', '60', '-f', $script,
		  '-h', $node->host, '-p', $node->port, 'postgres' ],
		'>', \$out, '2>', \$err);
	# let the writers run, then crash under them
	sleep 3;
	$node->stop('immediate');
	$bench->finish;
	$node->start;

	my $ledger = $node->safe_psql('postgres', 'SELECT count(*) FROM ledger');
	ok($ledger > 0, "round $round: writers committed transactions before the crash ($ledger in the ledger)");
	is($node->safe_psql('postgres',
			"SELECT count(*) FROM ledger l WHERE NOT EXISTS (SELECT FROM dynamodb.ledgered d WHERE dynpg.attr_text(d.item, 'p') = l.p AND dynpg.attr_text(d.item, 's') = l.s)"),
		'0', "round $round: every committed item survived");
	is($node->safe_psql('postgres',
			"SELECT count(*) FROM dynamodb.ledgered d WHERE NOT EXISTS (SELECT FROM ledger l WHERE dynpg.attr_text(d.item, 'p') = l.p AND dynpg.attr_text(d.item, 's') = l.s)"),
		'0', "round $round: no item of an uncommitted transaction");
	my ($ok, $report) = verify_ok($node, 'ledgered');
	ok($ok, "round $round: dynpg.verify is clean") or diag($report);
}

$node->stop;
done_testing();
