# Page deletion and reuse under concurrency (src/storage/README, "Page
# deletion and reuse").  Writers delete and put back batches of "churn"
# items while VACUUM merges the sparse leaves this leaves behind and later
# splits reuse the deleted pages; at the same time readers check, inside
# their own snapshots, that forward scans, backward scans (scroll cursors),
# Queries in both directions and point reads all see exactly the "stable"
# items, once each.  A streaming standby replays all of it (with its
# recovery conflicts) and ends with the primary's content; then the
# primary is crashed in the middle of the same workload and must recover
# to a clean tree.  wal_consistency_checking checks every generic record's
# replay against the primary's page.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $nparts = 10;
my $nstable = 150;       # stable items per partition
my $nbatches = 60;       # churn batches of 40 items each

my $node = dynpg_node('reuse', init => { allows_streaming => 1 },
	conf => "wal_consistency_checking = 'generic'\nautovacuum = off");
$node->safe_psql('postgres', q{SELECT dynpg.create_table('{"TableName":"churn","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"}]}')});
$node->safe_psql('postgres', "CREATE TABLE deleted_seen (n int)");
# stable items: s in [0, nstable) of every partition; churn items: s >= 1000
$node->safe_psql('postgres', qq{
	INSERT INTO dynamodb.churn SELECT dynpg.from_plain_json(jsonb_build_object(
	  'p', 'part' || (i % $nparts), 's', i / $nparts, 'stable', true, 'pad', repeat('s', 120)))
	  FROM generate_series(0, $nparts * $nstable - 1) i;
	INSERT INTO dynamodb.churn SELECT dynpg.from_plain_json(jsonb_build_object(
	  'p', 'part' || (i % $nparts), 's', 1000 + i, 'batch', i % $nbatches, 'pad', repeat('c', 200)))
	  FROM generate_series(0, $nbatches * 40 - 1) i;
});

# a replication slot keeps the WAL the standby has not received: on a busy
# machine it may fall behind and reconnect after the primary's checkpoints
$node->safe_psql('postgres', "SELECT pg_create_physical_replication_slot('reuse_standby')");
$node->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('reuse_standby');
$standby->init_from_backup($node, 'base', has_streaming => 1);
$standby->append_conf('postgresql.conf', "shared_preload_libraries = 'dynpg'\nmax_standby_streaming_delay = 1s\nprimary_slot_name = 'reuse_standby'");
$standby->start;

my $dir = $PostgreSQL::Test::Utils::tmp_check;
sub script
{
	my ($name, $text) = @_;
	my $file = "$dir/reuse_$name.sql";
	open(my $fh, '>', $file) or die "cannot write $file: $!";
	print $fh $text;
	close($fh);
	return $file;
}

# delete one batch (and then, elsewhere, put it back)
my $delete = script('delete', qq{
\\set b random(0, $nbatches - 1)
SELECT count(dynpg.delete('churn', jsonb_build_object('p', 'part' || (i % $nparts), 's', 1000 + i)))
  FROM generate_series(0, $nbatches * 40 - 1) i WHERE i % $nbatches = (:b)::int;
});
my $put = script('put', qq{
\\set b random(0, $nbatches - 1)
SELECT count(dynpg.put('churn', jsonb_build_object('p', 'part' || (i % $nparts), 's', 1000 + i,
  'batch', i % $nbatches, 'pad', repeat('c', 200))))
  FROM generate_series(0, $nbatches * 40 - 1) i WHERE i % $nbatches = (:b)::int;
});
my $vacuum = script('vacuum', q{
VACUUM dynamodb.churn;
INSERT INTO deleted_seen SELECT (dynpg.verify('churn') ->> 'deleted_pages')::int;
});
# readers: every check raises an error (failing the pgbench client) if wrong
my $check = script('check', qq{
\\set p random(0, $nparts - 1)
DO \$\$
DECLARE
  n bigint; d bigint; q bigint; b bigint; r record; c refcursor; keys text[] := '{}';
  cond text := 'p = ' || chr(58) || 'pk AND s < ' || chr(58) || 'lim';
  vals jsonb := jsonb_build_object(chr(58) || 'pk', 'part' || :p, chr(58) || 'lim', 1000);
BEGIN
  SELECT count(*) FILTER (WHERE dynpg.attr_text(item, 'stable') = 'true'),
         count(*) - count(DISTINCT dynpg.attr_text(item, 'p') || '/' || dynpg.attr_text(item, 's'))
    INTO n, d FROM dynamodb.churn;
  IF n <> $nparts * $nstable OR d <> 0 THEN
    RAISE EXCEPTION 'forward scan: % stable items, % duplicates', n, d;
  END IF;
  SELECT count(*) INTO q FROM dynpg.query_items('churn', cond, vals) x;
  SELECT count(*) INTO b FROM dynpg.query_items('churn', cond, vals, forward => false) x;
  IF q <> $nstable OR b <> $nstable THEN
    RAISE EXCEPTION 'query of part%: % forward, % backward', :p, q, b;
  END IF;
  IF dynpg.get('churn', jsonb_build_object('p', 'part' || :p, 's', $nstable - 1)) IS NULL THEN
    RAISE EXCEPTION 'a stable item is missing';
  END IF;
  OPEN c SCROLL FOR SELECT item FROM dynamodb.churn;
  FETCH LAST FROM c INTO r;
  n := 0;
  LOOP
    EXIT WHEN NOT FOUND;
    IF dynpg.attr_text(r.item, 'stable') = 'true' THEN
      n := n + 1;
      keys := keys || (dynpg.attr_text(r.item, 'p') || '/' || dynpg.attr_text(r.item, 's'));
    END IF;
    FETCH PRIOR FROM c INTO r;
  END LOOP;
  CLOSE c;
  IF n <> $nparts * $nstable OR (SELECT count(DISTINCT k) FROM unnest(keys) k) <> n THEN
    RAISE EXCEPTION 'backward scan: % stable items, % distinct', n, (SELECT count(DISTINCT k) FROM unnest(keys) k);
  END IF;
END \$\$;
});

sub workload
{
	my ($seconds) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[ 'pgbench', '-n', '-c', '5', '-j', '2', '-T', $seconds,
		  '-f', "$delete\@4", '-f', "$put\@4", '-f', "$vacuum\@1", '-f', "$check\@3",
		  '-h', $node->host, '-p', $node->port, 'postgres' ],
		'>', \$out, '2>', \$err);
	return ($h, \$out, \$err);
}

my $blocks_before = $node->safe_psql('postgres', "SELECT pg_relation_size('dynamodb.churn') / 8192");
my ($h, $out, $err) = workload(25);
ok($h->finish, 'readers saw exactly the stable items, once each, throughout')
	or diag("pgbench stdout:\n$$out\nstderr:\n$$err");
like($$out, qr/number of failed transactions: 0/, 'no transaction failed');

$node->safe_psql('postgres', 'VACUUM dynamodb.churn');
my $seen = $node->safe_psql('postgres', 'SELECT coalesce(max(n), 0) FROM deleted_seen');
ok($seen > 0, "VACUUM merged leaves while readers ran ($seen deleted pages at most)");
my $blocks_after = $node->safe_psql('postgres', "SELECT pg_relation_size('dynamodb.churn') / 8192");
# Under the workload a deleted page is reused only once no snapshot can still
# reach it, so how much the file grows depends on the readers' timing (232-264
# blocks from 154 in quiet runs, 415 in a full run on a busy machine): shown,
# not asserted.  Reuse itself is checked next, with nothing else running.
diag("relation blocks: $blocks_before before the workload, $blocks_after after");
# Nothing runs now: a second VACUUM, with transactions since the first, finds
# the deleted pages past every snapshot and frees them; the leaves that new
# puts split off then come from them, and the file does not grow.
$node->safe_psql('postgres', 'SELECT txid_current()') for 1 .. 3;
$node->safe_psql('postgres', 'VACUUM dynamodb.churn');
my $free_before = $node->safe_psql('postgres',
	"SELECT (r ->> 'unused_pages')::int + (r ->> 'deleted_pages')::int FROM (SELECT dynpg.verify('churn') AS r) x");
my $size_before = $node->safe_psql('postgres', "SELECT pg_relation_size('dynamodb.churn') / 8192");
# How many depends on how much the workload got done in its time (25 pages
# under valgrind, about 90 at full speed); the new items are as many as
# half of those pages hold at most, so the file need not grow for them.
ok($free_before >= 10, "VACUUM left pages to reuse ($free_before)");
my $new_items = $free_before * 15 < 400 ? $free_before * 15 : 400;
$node->safe_psql('postgres', qq{
	INSERT INTO dynamodb.churn SELECT dynpg.from_plain_json(jsonb_build_object(
	  'p', 'part' || (i % $nparts), 's', 100000 + i, 'pad', repeat('r', 200)))
	  FROM generate_series(1, $new_items) i});
my $free_after = $node->safe_psql('postgres',
	"SELECT (r ->> 'unused_pages')::int + (r ->> 'deleted_pages')::int FROM (SELECT dynpg.verify('churn') AS r) x");
my $size_after = $node->safe_psql('postgres', "SELECT pg_relation_size('dynamodb.churn') / 8192");
ok($free_after < $free_before && $size_after == $size_before,
	"deleted pages were reused: $new_items new items took $free_before - $free_after free pages, the file stayed at $size_before blocks ($size_after)");
$node->safe_psql('postgres', "DELETE FROM dynamodb.churn WHERE (item::jsonb -> 's' ->> 'N')::numeric >= 100000");
my ($ok, $report) = verify_ok($node, 'churn');
ok($ok, 'dynpg.verify is clean after the workload') or diag($report);
is($node->safe_psql('postgres', "SELECT count(*) FROM dynamodb.churn WHERE dynpg.attr_text(item, 'stable') = 'true'"),
	$nparts * $nstable, 'every stable item is there');

# the standby replayed merges, reuse and its conflicts to the same content
$node->wait_for_catchup($standby, 'replay', $node->lsn('insert'));
is(digest($standby, 'churn'), digest($node, 'churn'), 'the standby has the primary\'s content');
($ok, $report) = verify_ok($standby, 'churn');
ok($ok, 'dynpg.verify is clean on the standby') or diag($report);

# crash the primary in the middle of the same workload
($h, $out, $err) = workload(60);
sleep 8;
$node->stop('immediate');
$h->finish;
$node->start;
($ok, $report) = verify_ok($node, 'churn');
ok($ok, 'dynpg.verify is clean after a crash during merges and reuse') or diag($report);
is($node->safe_psql('postgres', "SELECT count(*) FROM dynamodb.churn WHERE dynpg.attr_text(item, 'stable') = 'true'"),
	$nparts * $nstable, 'every stable item survived the crash');
$node->safe_psql('postgres', 'VACUUM dynamodb.churn');
($ok, $report) = verify_ok($node, 'churn');
ok($ok, 'and after another VACUUM') or diag($report);

$standby->stop;
$node->stop;
done_testing();
