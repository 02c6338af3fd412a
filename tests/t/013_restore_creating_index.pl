# A GSI that UpdateTable added survives pg_dump/pg_restore in either state
# (src/index/README, "Backfill"): one still CREATING is restored CREATING and
# its backfill starts again from the beginning (its position in
# dynpg.index_builds is not dumped), so it ends with every item; one ACTIVE
# is restored ACTIVE, complete: the restore's COPY is a bulk load, which
# writes the index entries with the items.  The database workers are paused (testing GUC) until the states
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
# pg_restore loads each table by COPY into the empty table it created: the
# bulk path (src/am/README, "Bulk loads") writes the ACTIVE index's entries
# with the items, so that index is complete at once and logs no change; the
# CREATING one also gets its change-log rows (its backfill starts again anyway)
is($node->safe_psql('target', q{SELECT (dynpg.verify('built') -> 'indexes' -> 0) - 'keyspace'}),
	'{"name": "by_g", "extra": 0, "entries": 1500, "missing": 0}',
	'the ACTIVE index is complete after the restore');
is($node->safe_psql('target', q{SELECT count(*) FROM dynpg.index_changes WHERE tbl = 'dynamodb.built'::regclass}),
	'0', 'and its restore logged no change');
is($node->safe_psql('target', q{SELECT count(*) FROM dynpg.index_changes WHERE tbl = 'dynamodb.building'::regclass}),
	'1500', 'the CREATING index\'s restore logged a change for every item');

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
