# The GSI background workers (src/worker/README): the launcher starts one
# worker per database that has dynpg and none elsewhere; CREATE and DROP
# EXTENSION start and stop it; DROP DATABASE, CREATE DATABASE ... TEMPLATE
# and ALTER DATABASE RENAME never wait for it; it survives a crash restart;
# it consumes dynpg.index_changes (until src/index applies the rows, applying
# only deletes them: rows are inserted here by SQL), and
# dynpg.wait_for_indexes() sees it, or times out while it is paused.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

use DynpgTest;

# (the test framework turns restart_after_crash off; the kill -9 case needs it)
my $node = dynpg_node('index_worker', conf => 'restart_after_crash = on');

sub worker_count
{
	my ($db) = @_;
	return $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'dynpg index worker' AND datname = '$db'");
}

sub worker_pid
{
	my ($db) = @_;
	return $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'dynpg index worker' AND datname = '$db'");
}

sub poll_worker
{
	my ($db, $n, $what) = @_;
	ok($node->poll_query_until('postgres',
			"SELECT count(*) = $n FROM pg_stat_activity WHERE backend_type = 'dynpg index worker' AND datname = '$db'"),
		$what);
}

# log rows for table $table, as the write path would append them
sub log_rows
{
	my ($db, $table, $n) = @_;
	$node->safe_psql($db, qq{INSERT INTO dynpg.index_changes
		SELECT 'dynamodb.$table'::regclass, dynpg.from_plain_json(jsonb_build_object('p', 'k' || i)), NULL
		FROM generate_series(1, $n) i});
}

# --- the launcher, and a worker for the database that has dynpg
is($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'dynpg launcher' AND datname IS NULL"),
	'1', 'one launcher runs, connected to no database');
poll_worker('postgres', 1, 'a worker runs for the database with dynpg');
ok($node->poll_query_until('postgres',
		"SELECT state = 'idle' FROM dynpg.index_workers WHERE datname = 'postgres'"),
	'dynpg.index_workers shows it idle');

# --- none for a database without dynpg (the launcher's probe exits at once)
$node->safe_psql('postgres', 'CREATE DATABASE plain');
ok($node->poll_query_until('postgres', q{
	SELECT NOT EXISTS (SELECT FROM dynpg.index_workers WHERE datname = 'plain')
	   AND NOT EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'dynpg index worker' AND datname = 'plain')}),
	'no worker stays in a database without dynpg');
sleep(1);
is(worker_count('plain'), '0', '... nor comes back');
is(worker_count('template1'), '0', 'nor in template1');

# --- CREATE EXTENSION starts one, DROP EXTENSION stops it promptly
$node->safe_psql('plain', 'CREATE EXTENSION dynpg');
poll_worker('plain', 1, 'CREATE EXTENSION dynpg starts a worker');
my $t0 = time();
$node->safe_psql('plain', 'DROP EXTENSION dynpg');
ok(time() - $t0 < 4, 'DROP EXTENSION does not wait for the worker');
poll_worker('plain', 0, 'DROP EXTENSION dynpg stops the worker');
sleep(2);
is(worker_count('plain'), '0', 'and the launcher does not restart it');
$node->safe_psql('plain', 'CREATE EXTENSION dynpg');
poll_worker('plain', 1, 'CREATE EXTENSION again starts it again');

# --- the worker consumes the change log; wait_for_indexes sees it
create_hash_table($node, 'items');
log_rows('postgres', 'items', 2500);
# rows of relations that are gone or not dynpg tables are just deleted
$node->safe_psql('postgres', q{INSERT INTO dynpg.index_changes VALUES
	(4000000000, '{"p": {"S": "gone"}}', NULL), ('pg_class'::regclass, '{"p": {"S": "heap"}}', NULL)});
is($node->safe_psql('postgres', q{SELECT dynpg.wait_for_indexes('items', 60)}), 't',
	'wait_for_indexes returns true once the worker applied the rows');
is($node->safe_psql('postgres', q{SELECT dynpg.index_backlog('items')}), '0', 'no backlog left');
is($node->safe_psql('postgres', q{SELECT dynpg.index_lag('items') IS NULL}), 't', 'index_lag is NULL without backlog');
ok($node->poll_query_until('postgres', 'SELECT count(*) = 0 FROM dynpg.index_changes'),
	'rows of dropped and non-dynpg relations are deleted too');
# (the counters follow the commit that wait_for_indexes saw)
ok($node->poll_query_until('postgres',
		"SELECT changes_applied >= 2502 AND batches >= 3 AND last_apply IS NOT NULL FROM dynpg.index_workers WHERE datname = 'postgres'"),
	'the view counts changes and batches');

# own uncommitted rows can never be applied before commit: not waited for
is($node->safe_psql('postgres', q{BEGIN;
	INSERT INTO dynpg.index_changes VALUES ('dynamodb.items'::regclass, '{"p": {"S": "own"}}', NULL);
	SELECT dynpg.wait_for_indexes('items', 0.2)::int || ' ' || dynpg.index_backlog('items');
	COMMIT;}), '1 0', "the caller's own uncommitted rows are not waited for");
is($node->safe_psql('postgres', q{SELECT dynpg.wait_for_indexes('items', 60)}), 't',
	'after commit they are applied');

# --- paused (testing GUC): wait_for_indexes times out, then succeeds
$node->safe_psql('postgres', 'ALTER SYSTEM SET dynpg.index_worker_pause = on');
$node->reload;
ok($node->poll_query_until('postgres',
		"SELECT state = 'paused' FROM dynpg.index_workers WHERE datname = 'postgres'"),
	'the worker pauses');
log_rows('postgres', 'items', 3);
$t0 = time();
is($node->safe_psql('postgres', q{SELECT dynpg.wait_for_indexes('items', 1)}), 'f',
	'wait_for_indexes returns false on timeout');
my $waited = time() - $t0;
ok($waited >= 0.9 && $waited < 5, "... after its timeout (${waited}s)");
is($node->safe_psql('postgres', q{SELECT dynpg.index_backlog('items')}), '3', 'index_backlog counts the pending rows');
is($node->safe_psql('postgres', q{SELECT dynpg.index_lag('items') > '0'::interval}), 't',
	'index_lag is positive while rows wait');
$node->safe_psql('postgres', 'ALTER SYSTEM RESET dynpg.index_worker_pause');
$node->reload;
is($node->safe_psql('postgres', q{SELECT dynpg.wait_for_indexes('items', 60)}), 't',
	'unpaused, the worker applies them');

# --- DROP DATABASE of a database with an active worker does not wait for it
$node->safe_psql('postgres', 'CREATE DATABASE victim');
$node->safe_psql('victim', 'CREATE EXTENSION dynpg');
poll_worker('victim', 1, 'a worker runs in the database to drop');
$t0 = time();
$node->safe_psql('postgres', 'DROP DATABASE victim');
my $took = time() - $t0;
ok($took < 4, "DROP DATABASE succeeds promptly (${took}s)");
ok($node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM dynpg.index_workers WHERE datname IS NULL"),
	'the launcher forgets the dropped database');

$node->safe_psql('postgres', 'CREATE DATABASE victim2');
$node->safe_psql('victim2', 'CREATE EXTENSION dynpg');
poll_worker('victim2', 1, 'a worker runs in the database to drop with FORCE');
$t0 = time();
$node->safe_psql('postgres', 'DROP DATABASE victim2 WITH (FORCE)');
$took = time() - $t0;
ok($took < 4, "DROP DATABASE ... WITH (FORCE) succeeds promptly (${took}s)");

# --- CREATE DATABASE ... TEMPLATE a database with an active worker
poll_worker('plain', 1, 'the template database has a worker');
$t0 = time();
$node->safe_psql('postgres', 'CREATE DATABASE copy TEMPLATE plain');
$took = time() - $t0;
ok($took < 4, "CREATE DATABASE ... TEMPLATE succeeds promptly (${took}s)");
poll_worker('plain', 1, "the template's worker comes back");
poll_worker('copy', 1, 'the copy (with dynpg) gets a worker of its own');

# --- ALTER DATABASE RENAME
$t0 = time();
$node->safe_psql('postgres', 'ALTER DATABASE copy RENAME TO copy2');
$took = time() - $t0;
ok($took < 4, "ALTER DATABASE RENAME succeeds promptly (${took}s)");
poll_worker('copy2', 1, 'the renamed database has its worker again');

# --- ALTER DATABASE SET TABLESPACE
my $tsdir = $node->basedir . '/ts_worker';
mkdir($tsdir) or die "mkdir $tsdir: $!";
$node->safe_psql('postgres', "CREATE TABLESPACE ts_worker LOCATION '$tsdir'");
$t0 = time();
$node->safe_psql('postgres', 'ALTER DATABASE copy2 SET TABLESPACE ts_worker');
$took = time() - $t0;
ok($took < 4, "ALTER DATABASE SET TABLESPACE succeeds promptly (${took}s)");
poll_worker('copy2', 1, 'the moved database has its worker again');

# --- a template database with dynpg: its worker leaves once idle
$node->safe_psql('postgres', 'ALTER DATABASE plain IS_TEMPLATE true');
$node->safe_psql('plain', 'SELECT dynpg._request_worker()');	# any request
poll_worker('plain', 0, "a template database's worker exits once it has nothing to do");

# --- kill -9 of a worker: crash restart, the worker comes back and applies
my $pid = worker_pid('postgres');
ok($pid, "the worker's pid ($pid)");
kill 'KILL', $pid;
ok($node->poll_query_until('postgres', 'SELECT 1', '1'), 'the server accepts connections after the crash restart');
poll_worker('postgres', 1, 'the worker is back after the crash restart');
isnt(worker_pid('postgres'), $pid, '... as a new process');
log_rows('postgres', 'items', 10);
is($node->safe_psql('postgres', q{SELECT dynpg.wait_for_indexes('items', 60)}), 't',
	'and it applies changes');
poll_worker('copy2', 1, 'the other databases have their workers again');
poll_worker('plain', 0, 'the template database was probed again, and its idle worker left');

# --- the launcher exits with the server and is not in the way of a clean stop
$node->stop('fast');
$node->start;
poll_worker('postgres', 1, 'after a restart the launcher starts the worker again');

done_testing();
