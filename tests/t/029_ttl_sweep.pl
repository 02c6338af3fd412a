# Time to live, swept by the database's dynpg worker: 10,000 expired items
# among 100,000 (DYNPG_TTL_ITEMS items, a tenth expired: the long check runs
# 1,000,000) -- with LSI entries, some with a GSI key -- are deleted,
# with their index entries and a REMOVE stream record each, while writers
# go on; an immediate (crash) stop in the middle of the sweep loses nothing
# and deletes nothing twice; items expiring while it runs are deleted too,
# items not expired never are.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $slow = $ENV{DYNPG_SLOW} ? 3 : 1;
my $items = $ENV{DYNPG_TTL_ITEMS} // 100000;
my $expired = int($items / 10);
my $kept = $items - $expired;
# the sweep held back (an hour between sweeps) until the test lets it go
my $node = dynpg_node('ttlsweep', conf => qq{
dynpg.ttl_sweep_interval = 3600
dynpg.ttl_sweep_rate = 4000
});
$node->safe_psql('postgres', q{
	SELECT dynpg.create_table('{"TableName": "ttlt", "BillingMode": "PAY_PER_REQUEST",
	  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
	  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "N"},
	    {"AttributeName": "l", "AttributeType": "N"}, {"AttributeName": "g", "AttributeType": "S"}],
	  "LocalSecondaryIndexes": [{"IndexName": "by_l", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
	    {"AttributeName": "l", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}],
	  "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
	    "Projection": {"ProjectionType": "KEYS_ONLY"}}],
	  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}}');
	-- the items: every tenth expired (in the last day), the others in a day, a GSI key on every seventh
	INSERT INTO dynamodb.ttlt
	SELECT dynpg.from_plain_json(jsonb_strip_nulls(jsonb_build_object('p', 'p' || (i % 100), 's', i, 'l', i % 1000,
	         'g', CASE WHEN i % 7 = 0 THEN 'g' || (i % 50) END,
	         'exp', floor(extract(epoch FROM now())) + CASE WHEN i % 10 = 0 THEN -1 - i % 86000 ELSE 86400 END)))
	  FROM generate_series(1, } . $items . q{) i;
	CREATE TABLE expected_gone AS
	  SELECT i FROM generate_series(1, } . $items . q{) i WHERE i % 10 = 0;
});
$node->safe_psql('postgres', q{
	SELECT dynpg.update_time_to_live('{"TableName": "ttlt", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}')});
is($node->safe_psql('postgres', q{SELECT dynpg.ttl_backlog('ttlt')}), $expired,
	"$expired items await expiry once TTL is enabled");

# writers on other items while the sweep runs; the sweep at 4,000 a second
my $script = "$PostgreSQL::Test::Utils::tmp_check/ttl_writers.sql";
open(my $fh, '>', $script) or die "cannot write $script: $!";
print $fh <<'SQL';
\set k random(200001, 300000)
SELECT dynpg.put_item(jsonb_build_object('TableName', 'ttlt', 'Item', jsonb_build_object(
  'p', jsonb_build_object('S', 'w' || ((:k)::bigint % 10)), 's', jsonb_build_object('N', (:k)::bigint::text),
  'exp', jsonb_build_object('N', (floor(extract(epoch FROM now())) + 86400)::text))));
SQL
close($fh);
my ($out, $err) = ('', '');
my $bench = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '2', '-T', 60 * $slow, '-f', $script, '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$out, '2>', \$err);
$node->append_conf('postgresql.conf', 'dynpg.ttl_sweep_interval = 1');
$node->reload;

# a crash in the middle of the sweep
ok($node->poll_query_until('postgres', qq{SELECT dynpg.ttl_backlog('ttlt') < $expired * 3 / 4}),
	'the worker has started sweeping');
$node->stop('immediate');
$bench->kill_kill;
$node->start;
my $left = $node->safe_psql('postgres', q{SELECT dynpg.ttl_backlog('ttlt')});
ok($left > 0, "the crash came mid-sweep ($left left)");
my ($ok, $report) = verify_ok($node, 'ttlt');
ok($ok, 'dynpg.verify is clean after the crash (expiry index included)') or diag($report);

# an item that expires while the sweep goes on is deleted too
$node->safe_psql('postgres', q{
	SELECT dynpg.put_item(jsonb_build_object('TableName', 'ttlt', 'Item', jsonb_build_object(
	  'p', '{"S": "late"}'::jsonb, 's', '{"N": "1"}'::jsonb,
	  'exp', jsonb_build_object('N', (floor(extract(epoch FROM now())) + 2)::text))))});
$node->safe_psql('postgres', q{INSERT INTO expected_gone VALUES (-1)});

ok($node->poll_query_until('postgres',
		q{SELECT dynpg.ttl_backlog('ttlt') = 0 AND NOT EXISTS (SELECT FROM dynamodb.ttlt WHERE item ->> 'p' = 'late')}),
	'the sweep finishes after the restart');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM dynamodb.ttlt t JOIN expected_gone e ON (t.item ->> 's')::bigint = e.i
	 WHERE t.item ->> 'p' LIKE 'p%'}), '0', 'every expired item is gone');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM dynamodb.ttlt WHERE item ->> 'p' LIKE 'p%'}), $kept, 'no item that had not expired is');
is($node->safe_psql('postgres', q{
	SELECT count(*) || ' ' || count(DISTINCT (keys ->> 'p') || '/' || (keys ->> 's')) FROM dynpg.stream_records
	 WHERE event = 'R'}), ($expired + 1) . ' ' . ($expired + 1),
	'one REMOVE stream record per deleted item, none twice');
$node->safe_psql('postgres', 'SELECT dynpg._apply_index_changes()');
($ok, $report) = verify_ok($node, 'ttlt');
ok($ok, 'dynpg.verify is clean at the end (LSI, GSI and expiry index)') or diag($report);

my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal (?!9)/, 'no crash but the immediate stop');
$node->stop;
done_testing();
