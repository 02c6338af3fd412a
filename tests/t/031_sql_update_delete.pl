# SQL UPDATE and DELETE over enough large items to split and merge leaves
# (src/storage/README, "Finding a version by TID"): versions move between
# leaves while statements find them by TID, and VACUUM merges sparse leaves
# in a second session while they run.  Afterwards dynpg.verify is clean and
# every item's value is exact; the TID map's memory cap is made tiny for a
# statement whose join reorders the rows, so TIDs the map dropped are found
# by searching the table.  Then committed SQL UPDATEs survive a crash.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $n = 3000;
my $node = dynpg_node('sqlwrite', conf => "autovacuum = off");
$node->safe_psql('postgres', q{SELECT dynpg.create_table('{"TableName":"big","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"}]}')});
$node->safe_psql('postgres', qq{
	INSERT INTO dynamodb.big SELECT dynpg.from_plain_json(jsonb_build_object(
	  'p', 'part' || (i % 20), 's', i, 'n', i, 'pad', repeat('a', 600)))
	  FROM generate_series(1, $n) i;
});
my $leaves0 = $node->safe_psql('postgres', "SELECT pg_relation_size('dynamodb.big') / 8192");

# a second session vacuuming the table all along
my $dir = $PostgreSQL::Test::Utils::tmp_check;
my $vacfile = "$dir/sqlwrite_vacuum.sql";
open(my $fh, '>', $vacfile) or die "cannot write $vacfile: $!";
print $fh "VACUUM dynamodb.big;\n";
close($fh);
my ($out, $err) = ('', '');
my $vac = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '1', '-T', '20', '-f', $vacfile,
	  '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$out, '2>', \$err);

# grow half of the items (leaves split), delete a third (leaves empty out)
$node->safe_psql('postgres', q{
	UPDATE dynamodb.big SET item = dynpg.from_plain_json(dynpg.to_plain_json(item)
	  || jsonb_build_object('n', (item ->> 'n')::int * 2, 'pad', repeat('b', 1800)))
	  WHERE (item ->> 's')::int % 2 = 0;
});
$node->safe_psql('postgres', q{DELETE FROM dynamodb.big WHERE (item ->> 's')::int % 3 = 0});
$node->safe_psql('postgres', 'VACUUM dynamodb.big');
# shrink what is left and delete more: sparse leaves for VACUUM to merge
$node->safe_psql('postgres', q{
	UPDATE dynamodb.big SET item = dynpg.from_plain_json(dynpg.to_plain_json(item)
	  || jsonb_build_object('n', (item ->> 'n')::int + 1, 'pad', 'c'));
});
$node->safe_psql('postgres', q{DELETE FROM dynamodb.big WHERE (item ->> 's')::int % 5 = 0});
# a join that reorders the rows, with a TID map of 64 kB: TIDs it dropped are searched for
$node->safe_psql('postgres', q{
	SET dynpg.tid_map_memory = 64;
	CREATE TEMP TABLE pick AS SELECT s FROM generate_series(1, 3000, 7) s ORDER BY md5(s::text);
	UPDATE dynamodb.big b SET item = dynpg.from_plain_json(dynpg.to_plain_json(b.item)
	  || jsonb_build_object('picked', true, 'pad', repeat('d', 900)))
	  FROM pick WHERE (b.item ->> 's')::int = pick.s;
});
ok($vac->finish, 'VACUUM ran beside the statements') or diag("pgbench stdout:\n$out\nstderr:\n$err");
$node->safe_psql('postgres', 'VACUUM dynamodb.big');

my ($ok, $report) = verify_ok($node, 'big');
ok($ok, 'dynpg.verify is clean after SQL UPDATEs and DELETEs under VACUUM') or diag($report);
my $merged = $node->safe_psql('postgres', "SELECT (dynpg.verify('big') ->> 'deleted_pages')::int");
ok($merged > 0, "VACUUM merged leaves ($merged deleted pages; $leaves0 blocks at first)");

# the expected items, computed here
my ($count, $sum, $picked) = (0, 0, 0);
for my $s (1 .. $n)
{
	next if $s % 3 == 0 || $s % 5 == 0;
	my $v = ($s % 2 == 0 ? $s * 2 : $s) + 1;
	$count++;
	$sum += $v;
	$picked++ if ($s - 1) % 7 == 0;
}
is($node->safe_psql('postgres', q{SELECT count(*) || ' ' || sum((item ->> 'n')::bigint) || ' '
	|| count(*) FILTER (WHERE item ? 'picked') FROM dynamodb.big}),
	"$count $sum $picked", 'item count, values and the picked items are exact');
is($node->safe_psql('postgres', q{SELECT count(*) FROM dynamodb.big WHERE (item ->> 'n')::int <>
	CASE WHEN (item ->> 's')::int % 2 = 0 THEN (item ->> 's')::int * 2 ELSE (item ->> 's')::int END + 1}),
	'0', 'every item has its own value');
is($node->safe_psql('postgres', q{SELECT (dynpg.scan('{"TableName":"big","Select":"COUNT"}') ->> 'Count')}),
	"$count", 'the API counts the same items');

# committed SQL UPDATEs survive a crash
$node->safe_psql('postgres', q{
	UPDATE dynamodb.big SET item = dynpg.from_plain_json(dynpg.to_plain_json(item)
	  || jsonb_build_object('n', (item ->> 'n')::int + 10, 'after', 'crash test'))
	  WHERE (item ->> 's')::int % 4 = 1;
	DELETE FROM dynamodb.big WHERE (item ->> 's')::int % 4 = 3;
});
my $before = digest($node, 'big');
$node->stop('immediate');
$node->start;
is(digest($node, 'big'), $before, 'the committed UPDATE and DELETE survived the crash');
($ok, $report) = verify_ok($node, 'big');
ok($ok, 'dynpg.verify is clean after recovery') or diag($report);
is($node->safe_psql('postgres', q{SELECT count(*) FROM dynamodb.big WHERE (item ->> 's')::int % 4 = 3}),
	'0', 'the deleted items stay deleted');

$node->stop;
done_testing();
