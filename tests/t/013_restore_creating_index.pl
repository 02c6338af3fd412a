# A GSI that UpdateTable added survives pg_dump/pg_restore in either state
# (src/index/README, "Backfill"): one still CREATING is restored CREATING and
# its backfill starts again from the beginning (its position in
# dynpg.index_builds is not dumped), so it ends with every item; one ACTIVE
# is restored ACTIVE, and the restore's writes log a change for every item,
# which the worker applies (until then dynpg.verify calls it pending, never
# wrong).  The database workers are paused (testing GUC) until the states
# after the restore are checked; then they do the rest.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('restore_creating');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'dynpg'\ndynpg.index_worker_pause = on");
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql('source', 'CREATE EXTENSION dynpg');
for my $t ('building', 'built')
{
	$node->safe_psql('source', qq{
		SELECT dynpg.create_table('{"TableName": "$t", "BillingMode": "PAY_PER_REQUEST",
			"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
			"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}]}');
		SELECT count(dynpg.put_item(jsonb_build_object('TableName', '$t', 'Item', jsonb_build_object(
			'id', jsonb_build_object('N', i::text), 'g', jsonb_build_object('S', 'g' || (i % 10))))))
		  FROM generate_series(1, 1500) i;
		SELECT dynpg.update_table('{"TableName": "$t",
			"AttributeDefinitions": [{"AttributeName": "g", "AttributeType": "S"}],
			"GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "by_g",
				"KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}}]}');
	});
}
# 'built' is backfilled; 'building' has done one step of 1000 items
$node->safe_psql('source', q{SELECT dynpg._run_backfill('built')});
$node->safe_psql('source', q{SELECT dynpg._backfill_step()});
is($node->safe_psql('source', q{SELECT string_agg(table_name || ' ' || status, ', ' ORDER BY table_name) FROM dynpg.indexes}),
	'building CREATING, built ACTIVE', 'the source: one index CREATING, one ACTIVE');
is($node->safe_psql('source', q{SELECT count(*) FROM dynpg._index_entries('building', 'by_g')}),
	'1000', 'the CREATING index is partly built');

my $dump = $node->basedir . '/creating.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', 'source' ], 'pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE target');
$node->command_ok([ 'pg_restore', '-j', '2', '-d', 'target', $dump ], 'pg_restore -j 2');

is($node->safe_psql('target', q{SELECT string_agg(table_name || ' ' || status, ', ' ORDER BY table_name) FROM dynpg.indexes}),
	'building CREATING, built ACTIVE', 'restored in the same states');
is($node->safe_psql('target', q{SELECT count(*) FROM dynpg.index_builds}), '0',
	'no backfill position is restored');
is($node->safe_psql('target', q{SELECT dynpg.verify('built') -> 'indexes' -> 0 ->> 'pending'}), 'true',
	'the ACTIVE index waits for the change log (pending, not wrong)');
is($node->safe_psql('target', q{SELECT count(*) FROM dynpg.index_changes WHERE tbl = 'dynamodb.built'::regclass}),
	'1500', 'the restore logged a change for every item of the ACTIVE index');

# the workers run: the backfill of the restored CREATING index starts again
# and covers every item, and the ACTIVE index's change log is applied
$node->safe_psql('postgres', 'ALTER SYSTEM SET dynpg.index_worker_pause = off');
$node->reload;
for my $t ('building', 'built')
{
	is($node->safe_psql('target', qq{SELECT dynpg.wait_for_indexes('$t', 120)}), 't',
		"$t: wait_for_indexes returns true");
	is($node->safe_psql('target', qq{SELECT status FROM dynpg.indexes WHERE table_name = '$t'}), 'ACTIVE',
		"$t: the index is ACTIVE");
	is($node->safe_psql('target', qq{SELECT count(*) FROM dynpg._index_entries('$t', 'by_g')}), '1500',
		"$t: with every item");
	is($node->safe_psql('target', qq{SELECT dynpg.verify('$t') ->> 'ok'}), 'true', "$t: verify: ok");
	is($node->safe_psql('target', qq{SELECT dynpg.verify('$t') -> 'indexes' -> 0 ->> 'missing'}), '0',
		"$t: verify: nothing missing (not pending)");
}

$node->stop;
done_testing();
