# Going from 2 to 4 nodes (dynpg.expand_cluster, src/api/README "Going from
# N to 2N nodes") under concurrent writers through the router: the writers
# wait while the expansion holds the cluster, then go on against the new
# nodes; a ledger of every acknowledged write is checked afterwards, with
# the items loaded before (each table, its LSI and its GSI), every node
# holding exactly its quarter of the hashes, and nothing left prepared.
# Refusals first: a wrong number of nodes, a new node that does not answer
# or holds a table, a table with a stream -- none of them changes anything.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

use DynpgTest;

my @nodes = map { dynpg_node("node$_", conf => 'max_prepared_transactions = 10') } 0 .. 3;
my $router = dynpg_node('router');
my @conn = map { 'host=' . $_->host . ' port=' . $_->port . ' dbname=postgres' } @nodes;
$router->safe_psql('postgres', "SELECT dynpg.create_cluster('dyn', ARRAY['$conn[0]', '$conn[1]'])");

my $things = things_table('KEYS_ONLY');
my $numbers = numbers_table();
$router->safe_psql('postgres', "SELECT dynpg.create_table('$things'); SELECT dynpg.create_table('$numbers')");

# 60 partitions of 10 items, 500 numbers: each routed put through the router
$router->safe_psql('postgres', q{
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'Things', 'Item', dynpg.from_plain_json(
	jsonb_build_object('p', 'p' || i, 's', j, 'score', (i * 7 + j) % 13,
		'color', (ARRAY['red', 'green', 'blue'])[1 + (i + j) % 3], 'v', 'init'))::jsonb
		|| jsonb_build_object('b', jsonb_build_object('B', encode(sha256(i::text::bytea), 'base64'))))))
  FROM generate_series(1, 60) i, generate_series(1, 10) j;
SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'Numbers', 'Item',
	jsonb_build_object('n', jsonb_build_object('N', (i * 1.5)::text), 'tags', jsonb_build_object('SS', jsonb_build_array('a' || i, 'b'))))))
  FROM generate_series(1, 500) i;
});

# Every item of a table through the router (Scan pages), as sorted text
my $helpers = q{
CREATE FUNCTION pg_temp.all_items(t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE req jsonb := jsonb_build_object('TableName', t, 'Limit', 97); resp jsonb; acc text[] := '{}'; e jsonb;
BEGIN
	LOOP
		resp := dynpg.execute('Scan', req);
		FOR e IN SELECT * FROM jsonb_array_elements(resp -> 'Items') LOOP acc := acc || e::text; END LOOP;
		EXIT WHEN resp -> 'LastEvaluatedKey' IS NULL;
		req := req || jsonb_build_object('ExclusiveStartKey', resp -> 'LastEvaluatedKey');
	END LOOP;
	RETURN cardinality(acc) || ' ' || md5(array_to_string(ARRAY(SELECT x FROM unnest(acc) x ORDER BY x COLLATE "C"), ','));
END $$;
CREATE FUNCTION pg_temp.query_text(req jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE resp jsonb; acc text := ''; n int := 0;
BEGIN
	LOOP
		resp := dynpg.execute('Query', req);
		acc := acc || (resp -> 'Items')::text;
		n := n + (resp ->> 'Count')::int;
		EXIT WHEN resp -> 'LastEvaluatedKey' IS NULL;
		req := req || jsonb_build_object('ExclusiveStartKey', resp -> 'LastEvaluatedKey');
	END LOOP;
	RETURN n || ' ' || md5(acc);
END $$;
};
sub routed
{
	my ($sql) = @_;
	return $router->safe_psql('postgres', $helpers . $sql);
}
my $lsi_query = q{jsonb_build_object('TableName', 'Things', 'IndexName', 'ByScore',
	'KeyConditionExpression', 'p = :p AND score < :s', 'ExpressionAttributeValues',
	jsonb_build_object(':p', jsonb_build_object('S', 'p17'), ':s', jsonb_build_object('N', '6')))};
my $gsi_count = q{(dynpg.execute('Query', jsonb_build_object('TableName', 'Things', 'IndexName', 'ByColor',
	'KeyConditionExpression', 'color = :c', 'Select', 'COUNT',
	'ExpressionAttributeValues', jsonb_build_object(':c', jsonb_build_object('S', 'green')))) ->> 'Count')};
my %before = (
	things => routed("SELECT pg_temp.all_items('Things')"),
	numbers => routed("SELECT pg_temp.all_items('Numbers')"),
	lsi => routed("SELECT pg_temp.query_text($lsi_query)"),
	gsi => '');
like($before{things}, qr/^600 /, '600 items in Things before');
like($before{numbers}, qr/^500 /, '500 items in Numbers before');

# A table's quarter on each of 4 nodes (or half on each of 2): items off their node
sub misplaced
{
	my ($node, $k, $n, $table, $key) = @_;
	return $node->safe_psql('postgres', qq{
		SELECT count(*) FILTER (WHERE dynpg.cluster_node_of(dynpg.partition_hash((item::jsonb) -> '$key'), $n) <> $k)
		       || '/' || count(*)
		  FROM dynamodb."$table"});
}
sub node_state
{
	return join(' ', map { $nodes[$_]->safe_psql('postgres',
		"SELECT count(*) || ':' || coalesce(string_agg(table_name, ',' ORDER BY table_name), '') FROM dynpg.tables") } 0 .. 3);
}
my $state = node_state();

# ---------------------------------------------------------------------------
# Refusals: nothing changes
# ---------------------------------------------------------------------------
my ($ret, $out, $err);
($ret, $out, $err) = $router->psql('postgres', "SELECT dynpg.expand_cluster(ARRAY['$conn[2]'])");
like($err, qr/cluster dyn has 2 nodes: expand_cluster takes as many new ones .* got 1/, 'expand_cluster wants one new node per node');
my $dead_port = PostgreSQL::Test::Cluster::get_free_port();
my $dead = "host=127.0.0.1 port=$dead_port dbname=postgres connect_timeout=2";
($ret, $out, $err) = $router->psql('postgres', "SELECT dynpg.expand_cluster(ARRAY['$conn[2]', '$dead'])");
like($err, qr/new cluster node 1 \(\Q$dead\E\) does not answer: /, 'a new node that does not answer is named');
($ret, $out, $err) = $router->psql('postgres', "SELECT dynpg.expand_cluster(ARRAY['$conn[2]', '$conn[3] password=x'])");
like($err, qr/connection string may not hold a password/, 'a connection string with a password is refused');
create_hash_table($nodes[3], 'Leftover');
($ret, $out, $err) = $router->psql('postgres', "SELECT dynpg.expand_cluster(ARRAY['$conn[2]', '$conn[3]'])");
like($err, qr/new cluster node 1 \(\Q$conn[3]\E\) holds 1 DynamoDB tables; a new node holds none/,
	'a new node that holds a table is refused');
$nodes[3]->safe_psql('postgres', q{SELECT dynpg.delete_table('{"TableName":"Leftover"}')});
$router->safe_psql('postgres', q{SELECT dynpg.create_table('{"TableName":"Streamed","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"}],"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}')});
($ret, $out, $err) = $router->psql('postgres', "SELECT dynpg.expand_cluster(ARRAY['$conn[2]', '$conn[3]'])");
like($err, qr/cannot expand cluster dyn: tables Streamed have a stream enabled/, 'a table with a stream is refused');
$router->safe_psql('postgres', q{SELECT dynpg.delete_table('{"TableName":"Streamed"}')});
($ret, $out, $err) = $router->psql('postgres', "SET ROLE pg_monitor; SELECT dynpg.expand_cluster(ARRAY['$conn[2]', '$conn[3]'])");
like($err, qr/permission denied for function expand_cluster/, 'expand_cluster is not for PUBLIC');
is($router->safe_psql('postgres', 'SELECT node_count FROM dynpg.cluster'), '2', 'after the refusals: still 2 nodes');
is(node_state(), $state, '... the nodes hold what they held, the new ones nothing');
is(routed("SELECT pg_temp.all_items('Things')"), $before{things}, '... and every item is where it was');

# ---------------------------------------------------------------------------
# The router crashes after the nodes prepared, before its commit: the move
# is rolled back everywhere (cluster_recover on the members, the next
# expand_cluster on the new nodes)
# ---------------------------------------------------------------------------
my ($rhost, $rport) = ($router->host, $router->port);
sub prepared_counts
{
	return join(' ', map { $_->safe_psql('postgres', 'SELECT count(*) FROM pg_prepared_xacts') } @nodes);
}
{
	my ($o, $e) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-X', '-At', '-h', $rhost, '-p', $rport, '-d', 'postgres', '-c',
		  "SELECT dynpg.expand_cluster(ARRAY['$conn[2]', '$conn[3]']); SELECT pg_sleep(600)" ],
		'>', \$o, '2>', \$e);
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	usleep(100_000) while prepared_counts() ne '1 1 1 1' && time < $deadline;
	is(prepared_counts(), '1 1 1 1', 'expand_cluster prepared its transaction on every node');
	$router->stop('immediate');
	$h->finish;
	$router->start;
}
is($router->safe_psql('postgres', 'SELECT node_count FROM dynpg.cluster'), '2', 'after the router crashed: still 2 nodes');
is($router->safe_psql('postgres', 'SELECT string_agg(node || \' \' || outcome, \',\' ORDER BY node) FROM dynpg.cluster_recover()'),
	'0 rolled back,1 rolled back', 'cluster_recover rolls the move back on the members');
is(routed("SELECT pg_temp.all_items('Things')"), $before{things}, '... and every item is where it was');
is(prepared_counts(), '0 0 1 1', '... the new nodes still hold theirs (the router does not know them)');

# ---------------------------------------------------------------------------
# The expansion, with two writers going on through the router; new node 1
# stops between PREPARE and COMMIT PREPARED, and cluster_recover ends it
# ---------------------------------------------------------------------------
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $psql = 'psql -X -q -At -v ON_ERROR_STOP=1';
my @writers;
for my $w (1 .. 2)
{
	# key w<w>-<i % 25>, value i: the ledger gets "key value" once psql succeeded
	my $script = qq{
i=0
while [ ! -e $tmp/stop ]; do
	i=\$((i + 1)); k="w$w-\$((i % 25))"
	if $psql -h '$rhost' -p $rport -d postgres -c "SELECT dynpg.put_item(jsonb_build_object('TableName', 'Things', 'Item', jsonb_build_object('p', jsonb_build_object('S', '\$k'), 's', jsonb_build_object('N', '0'), 'v', jsonb_build_object('N', '\$i'), 'color', jsonb_build_object('S', 'green'))))" >/dev/null 2>>$tmp/errors$w; then
		echo "\$k \$i" >>$tmp/ledger$w
	fi
done
};
	push @writers, IPC::Run::start([ 'bash', '-c', $script ]);
}
sub ledger_lines
{
	my $n = 0;
	for my $w (1 .. 2)
	{
		next unless -e "$tmp/ledger$w";
		open my $f, '<', "$tmp/ledger$w" or die;
		$n++ while <$f>;
		close $f;
	}
	return $n;
}
my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
usleep(100_000) while ledger_lines() < 20 && time < $deadline;
ok(ledger_lines() >= 20, 'the writers write through the router');

# A session holds dynpg.cluster_xact: expand_cluster records its decision
# there after every node prepared, so it waits there, the nodes prepared,
# until the test lets it go
my ($lin, $lout) = ('', '');
my $locker = IPC::Run::start(
	[ 'psql', '-X', '-At', '-h', $rhost, '-p', $rport, '-d', 'postgres' ],
	'<', \$lin, '>', \$lout, '2>', \$lout);
$lin .= "BEGIN; LOCK TABLE dynpg.cluster_xact IN EXCLUSIVE MODE; SELECT 'locked';\n";
$locker->pump until $lout =~ /locked/;
my $t0 = time;
my ($xout, $xerr) = ('', '');
my $expander = IPC::Run::start(
	[ 'psql', '-X', '-At', '-h', $rhost, '-p', $rport, '-d', 'postgres', '-c',
	  "SELECT dynpg.expand_cluster(ARRAY['$conn[2]', '$conn[3]'])" ],
	'>', \$xout, '2>', \$xerr);
# a writer waits on dynpg.cluster while the expansion holds it
my $waiting = 0;
$deadline = time + $PostgreSQL::Test::Utils::timeout_default;
while (!$waiting && time < $deadline)
{
	$waiting = $router->safe_psql('postgres', q{
		SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
		 WHERE l.relation = 'dynpg.cluster'::regclass AND NOT l.granted AND a.query LIKE '%put_item%'});
	usleep(100_000) unless $waiting;
}
ok($waiting >= 1, 'a routed write waits while expand_cluster holds the cluster');
$deadline = time + $PostgreSQL::Test::Utils::timeout_default;
usleep(100_000) while prepared_counts() ne '1 1 1 1' && time < $deadline;
is(prepared_counts(), '1 1 1 1', 'the move is prepared on every node (the stale ones rolled back)');
$nodes[3]->stop('immediate');
$lin .= "COMMIT;\n\\q\n";
$locker->finish;
$expander->finish;
my $elapsed = time - $t0;
like($xerr, qr/COMMIT PREPARED '[^']+' failed on node 3/, 'the router commits; node 3 did not answer its COMMIT PREPARED');
$nodes[3]->start;
is($router->safe_psql('postgres', 'SELECT string_agg(node || \' \' || outcome, \',\' ORDER BY node) FROM dynpg.cluster_recover()'),
	'3 committed', 'cluster_recover commits it there');
my ($moved) = $xout =~ /^(\d+)\n/;
ok(defined $moved && $moved > 300 && $moved < 1000, 'expand_cluster moved about half of the items (' . ($moved // 'none') . ')')
  or diag($xerr);
diag(sprintf('expand_cluster: %.1f s for %s items moved, with the test holding its decision', $elapsed, $moved // '?'));

# the writers go on against 4 nodes, then stop
my $after = ledger_lines();
$deadline = time + $PostgreSQL::Test::Utils::timeout_default;
usleep(100_000) while ledger_lines() < $after + 20 && time < $deadline;
ok(ledger_lines() >= $after + 20, 'the writers go on after the expansion');
open my $stop, '>', "$tmp/stop" or die;
close $stop;
$_->finish for @writers;

# ---------------------------------------------------------------------------
# Nothing lost, everything in its place
# ---------------------------------------------------------------------------
is($router->safe_psql('postgres', 'SELECT node_count FROM dynpg.cluster'), '4', 'the cluster has 4 nodes');
is($router->safe_psql('postgres', q{SELECT string_agg(node || ' ' || conninfo, ',' ORDER BY node) FROM dynpg.cluster_nodes}),
	"0 $conn[0],1 $conn[2],2 $conn[1],3 $conn[3]", 'node 2k is old node k, node 2k+1 new node k');
my %ledger;
for my $w (1 .. 2)
{
	open my $f, '<', "$tmp/ledger$w" or die;
	while (<$f>)
	{
		my ($k, $v) = split;
		$ledger{$k} = $v;
	}
	close $f;
}
my $got = routed(q{SELECT string_agg(i -> 'p' ->> 'S' || ' ' || (i -> 'v' ->> 'N'), E'\n' ORDER BY i -> 'p' ->> 'S')
	FROM jsonb_array_elements(dynpg.execute('Scan', '{"TableName":"Things","FilterExpression":"begins_with(p, :w)","ExpressionAttributeValues":{":w":{"S":"w"}}}') -> 'Items') i});
my $want = join("\n", map { "$_ $ledger{$_}" } sort keys %ledger);
is($got, $want, 'every acknowledged write is there with its last value (' . scalar(keys %ledger) . ' keys, ' . ledger_lines() . ' writes)');
my $writes = scalar(keys %ledger);
is(routed(q{SELECT (dynpg.execute('Scan', '{"TableName":"Things","Select":"COUNT","FilterExpression":"begins_with(p, :w)","ExpressionAttributeValues":{":w":{"S":"w"}}}') ->> 'Count')}),
	$writes, '... and nothing else of the writers');
is(routed(q{SELECT pg_temp.all_items('Numbers')}), $before{numbers}, 'Numbers: every item, unchanged');
is(routed(q{SELECT pg_temp.all_items('Things')}) =~ s/^(\d+) .*/$1/r, 600 + $writes, 'Things: 600 items and the writers\'');
is(routed("SELECT pg_temp.query_text($lsi_query)"), $before{lsi}, 'an LSI Query answers as before');
# node 2k is old node k, node 2k+1 new node k
my @bynum = @nodes[0, 2, 1, 3];
for my $k (0 .. 3)
{
	my ($things_n, $numbers_n) = (misplaced($bynum[$k], $k, 4, 'Things', 'p'), misplaced($bynum[$k], $k, 4, 'Numbers', 'n'));
	like("$things_n $numbers_n", qr{^0/[1-9]\d* 0/[1-9]\d*$}, "node $k holds only its quarter of the hashes ($things_n, $numbers_n)")
	  or diag($bynum[$k]->safe_psql('postgres', qq{SELECT item, dynpg.cluster_node_of(dynpg.partition_hash((item::jsonb) -> 'p'), 4) FROM dynamodb."Things"
		WHERE dynpg.cluster_node_of(dynpg.partition_hash((item::jsonb) -> 'p'), 4) <> $k}));
}
is(join(' ', map { $_->safe_psql('postgres', 'SELECT count(*) FROM pg_prepared_xacts') } @nodes), '0 0 0 0',
	'no transaction is left prepared on any node');
is($router->safe_psql('postgres', 'SELECT count(*) FROM dynpg.cluster_recover()'), '0', 'cluster_recover finds nothing in doubt');
for my $k (0 .. 3)
{
	my ($ok, $report) = verify_ok($nodes[$k], 'Things');
	ok($ok, "node $k: verify Things") or diag($report);
}
# the GSI (each node indexes its own items, a GSI Query asks them all): the
# moved items' entries are written on their new node and removed from the
# old one by the nodes' workers
my $green = routed(q{SELECT (dynpg.execute('Scan', '{"TableName":"Things","Select":"COUNT","FilterExpression":"color = :c","ExpressionAttributeValues":{":c":{"S":"green"}}}') ->> 'Count')});
my $gsi = '';
$deadline = time + 2 * $PostgreSQL::Test::Utils::timeout_default;
while (time < $deadline)
{
	$gsi = routed("SELECT $gsi_count");
	last if $gsi eq $green;
	usleep(200_000);
}
is($gsi, $green, "a GSI Query counts every green item ($green) once");
# reads and writes of every quarter
is(routed(q{SELECT count(dynpg.put_item(jsonb_build_object('TableName', 'Numbers', 'Item', jsonb_build_object('n', jsonb_build_object('N', (10000 + i)::text)))))
	FROM generate_series(1, 40) i}), '40', 'puts after the expansion');
is(routed(q{SELECT count(*) FROM generate_series(1, 40) i
	WHERE dynpg.execute('GetItem', jsonb_build_object('TableName', 'Numbers', 'ConsistentRead', true, 'Key', jsonb_build_object('n', jsonb_build_object('N', (10000 + i)::text)))) ? 'Item'}),
	'40', '... and their gets');
is(join(' ', map { misplaced($bynum[$_], $_, 4, 'Numbers', 'n') =~ s{/.*}{}r } 0 .. 3), '0 0 0 0', '... each on its node');

done_testing();
