# A streaming standby replays dynpg's WAL (generic records and the prune
# conflict records) and holds the same items as the primary.  A long
# REPEATABLE READ query on the standby while the primary deletes and
# vacuums gets either a recovery-conflict error or the right answer, never
# a wrong one.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $primary = dynpg_node('primary', init => { allows_streaming => 1 },
	conf => "wal_consistency_checking = 'all'");
create_range_table($primary, 'replicated');
$primary->safe_psql('postgres', put_sql('replicated',
	"jsonb_build_object('p', 'p' || (i % 50), 's', lpad(i::text, 6, '0'), 'pad', repeat('r', i % 600))")
	  . " FROM generate_series(1, 20000) i");

$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->append_conf('postgresql.conf', "hot_standby_feedback = off\nmax_standby_streaming_delay = 2s\nwal_consistency_checking = 'all'");
$standby->start;

# more writes after the base backup: inserts, replacements, deletes
$primary->safe_psql('postgres', put_sql('replicated',
	"jsonb_build_object('p', 'p' || (i % 50), 's', lpad(i::text, 6, '0'), 'pad', 'replaced')")
	  . " FROM generate_series(1, 20000, 4) i");
$primary->safe_psql('postgres',
	"SELECT dynpg.delete_item(jsonb_build_object('TableName', 'replicated', 'Key', jsonb_build_object('p', jsonb_build_object('S', 'p' || (i % 50)), 's', jsonb_build_object('S', lpad(i::text, 6, '0'))))) FROM generate_series(2, 20000, 10) i");
$primary->wait_for_catchup($standby);
is(digest($standby, 'replicated'), digest($primary, 'replicated'), 'standby holds the same items');
my ($ok, $report) = verify_ok($standby, 'replicated');
ok($ok, 'dynpg.verify is clean on the standby') or diag($report);

# a long RR query on the standby while the primary deletes and vacuums
my $expected = $standby->safe_psql('postgres', 'SELECT count(*) FROM dynamodb.replicated');
my $reader = $standby->background_psql('postgres', on_error_stop => 0);
$reader->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
is($reader->query('SELECT count(*) FROM dynamodb.replicated'), $expected, 'reader sees the table');
$primary->safe_psql('postgres',
	"SELECT dynpg.delete_item(jsonb_build_object('TableName', 'replicated', 'Key', jsonb_build_object('p', jsonb_build_object('S', 'p' || (i % 50)), 's', jsonb_build_object('S', lpad(i::text, 6, '0'))))) FROM generate_series(3, 20000, 3) i");
$primary->safe_psql('postgres', 'VACUUM dynamodb.replicated');
$primary->wait_for_catchup($standby);
my $answer = eval { $reader->query('SELECT count(*) FROM dynamodb.replicated') };
if ($@)
{
	# the session was ended by the conflict (an idle-in-transaction session gets FATAL)
	like(slurp_file($standby->logfile), qr/conflict with recovery/,
		'the standby reader was stopped by a recovery conflict, not given a wrong answer');
}
else
{
	is($answer, $expected, 'the standby reader still got the right answer');
}
eval { $reader->quit };

is(digest($standby, 'replicated'), digest($primary, 'replicated'), 'standby matches after the prune');
($ok, $report) = verify_ok($standby, 'replicated');
ok($ok, 'dynpg.verify is clean on the standby after the prune') or diag($report);

$standby->stop;
$primary->stop;
done_testing();
