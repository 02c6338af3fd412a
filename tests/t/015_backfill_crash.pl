# A crash of the whole server in the middle of a GSI backfill: UpdateTable
# adds a GSI to a table of 60,000 items, the worker starts backfilling it
# (some steps committed, IndexStatus still CREATING), and the server stops
# with an immediate (crash) stop.  After recovery the worker resumes from the
# last committed step: the index becomes ACTIVE holding exactly the entries
# a plain SQL query computes from the table (nothing lost, nothing twice),
# items of the wrong type are skipped, and dynpg.verify agrees.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $node = dynpg_node('backfillcrash');
$node->safe_psql('postgres', q{
	SELECT dynpg.create_table('{"TableName": "events", "BillingMode": "PAY_PER_REQUEST",
		"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
		"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}]}');
	INSERT INTO dynamodb.events
	SELECT dynpg.from_plain_json(jsonb_build_object('id', i, 'pad', repeat('p', 100))
		|| CASE WHEN i % 10 = 0 THEN '{}'::jsonb                        -- sparse: no kind
		        WHEN i % 97 = 0 THEN jsonb_build_object('kind', i)      -- wrong type: skipped
		        ELSE jsonb_build_object('kind', 'k' || (i % 50)) END)
	  FROM generate_series(1, 60000) i;});

$node->safe_psql('postgres', q{SELECT dynpg.update_table('{"TableName": "events",
	"AttributeDefinitions": [{"AttributeName": "kind", "AttributeType": "S"}, {"AttributeName": "id", "AttributeType": "N"}],
	"GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "by_kind",
		"KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"}, {"AttributeName": "id", "KeyType": "RANGE"}],
		"Projection": {"ProjectionType": "ALL"}}}]}')});

# wait until some steps are committed but the backfill is not done
my $progress = '';
for (1 .. 3000)
{
	$progress = $node->safe_psql('postgres',
		q{SELECT (SELECT status FROM dynpg.indexes WHERE table_name = 'events') || ' ' ||
		         (SELECT count(*) FROM dynpg.index_builds WHERE position IS NOT NULL)});
	last if $progress ne 'CREATING 0';
	select(undef, undef, undef, 0.005);
}
is($progress, 'CREATING 1', 'the backfill has committed steps and is not done');
$node->stop('immediate');
$node->start;

is($node->safe_psql('postgres', q{SELECT dynpg.wait_for_indexes('events', 120)}), 't',
	'after the crash, wait_for_indexes returns true');
is($node->safe_psql('postgres', q{SELECT status FROM dynpg.indexes WHERE table_name = 'events'}), 'ACTIVE',
	'the index is ACTIVE');
my $expected = q{SELECT j FROM (SELECT item::jsonb AS j FROM dynamodb.events) t WHERE j -> 'kind' ? 'S'};
my $actual = q{SELECT e::jsonb FROM dynpg._index_entries('events', 'by_kind') AS e};
is($node->safe_psql('postgres', qq{
	SELECT (SELECT count(*) FROM (($expected) EXCEPT ALL ($actual)) x) || ' missing, ' ||
	       (SELECT count(*) FROM (($actual) EXCEPT ALL ($expected)) y) || ' extra, ' ||
	       (SELECT count(*) FROM ($actual) z) || ' entries'}),
	'0 missing, 0 extra, ' . (60000 - 6000 - 557) . ' entries',
	'the index holds every item with a string kind, once');
my ($ok, $report) = verify_ok($node, 'events');
ok($ok, 'dynpg.verify agrees') or diag($report);
like($report, qr/"name": "by_kind", "extra": 0, "entries": 53443, "missing": 0/, 'verify compared the index');

$node->stop;
done_testing();
