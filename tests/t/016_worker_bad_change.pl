# A change-log row that fails on its own (here: a base key that is not the
# table's key, as a bug or a damaged row could leave) does not stop the
# database's GSI worker: the batch that meets it is rolled back and run again
# row by row, the bad row is set aside (a WARNING, dynpg.index_workers'
# last_error), every other change is applied, and wait_for_indexes keeps
# waiting only for the table the bad row names.  Once the row is gone, that
# table's indexes are complete again.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $node = dynpg_node('badchange', conf => 'max_prepared_transactions = 2');
for my $t ('bad', 'good')
{
	$node->safe_psql('postgres', qq{SELECT dynpg.create_table('{"TableName": "$t", "BillingMode": "PAY_PER_REQUEST",
		"AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
		"KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
		"GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
			"Projection": {"ProjectionType": "KEYS_ONLY"}}]}')});
}
# pause the worker so the bad row and good ones land in one batch
$node->safe_psql('postgres', 'ALTER SYSTEM SET dynpg.index_worker_pause = on');
$node->reload;
$node->poll_query_until('postgres',
	q{SELECT state = 'paused' FROM dynpg.index_workers WHERE datname = current_database()});
$node->safe_psql('postgres', q{
	SELECT dynpg.put_item(jsonb_build_object('TableName', 'bad', 'Item', jsonb_build_object(
		'k', jsonb_build_object('S', 'k' || i), 'g', jsonb_build_object('S', 'g' || (i % 3))))) FROM generate_series(1, 20) i;
	INSERT INTO dynpg.index_changes VALUES ('dynamodb.bad'::regclass, '{"not_the_key": {"S": "x"}}', NULL);
	SELECT dynpg.put_item(jsonb_build_object('TableName', 'good', 'Item', jsonb_build_object(
		'k', jsonb_build_object('S', 'k' || i), 'g', jsonb_build_object('S', 'g' || (i % 3))))) FROM generate_series(1, 20) i;
	SELECT dynpg.put_item(jsonb_build_object('TableName', 'bad', 'Item', jsonb_build_object(
		'k', jsonb_build_object('S', 'k' || i), 'g', jsonb_build_object('S', 'g' || (i % 3))))) FROM generate_series(21, 30) i;});
is($node->safe_psql('postgres', q{SELECT count(*) FROM dynpg.index_changes}), '51', 'a backlog with one bad row');
$node->safe_psql('postgres', 'ALTER SYSTEM RESET dynpg.index_worker_pause');
$node->reload;

is($node->safe_psql('postgres', q{SELECT dynpg.wait_for_indexes('good', 60)}), 't',
	'the other table\'s changes are applied');
ok($node->poll_query_until('postgres', q{SELECT count(*) = 30 FROM dynpg._index_entries('bad', 'by_g')}),
	'so are the good changes of the table with the bad row');
is($node->safe_psql('postgres', q{SELECT count(*) FROM dynpg.index_changes}), '1', 'only the bad row is left');
is($node->safe_psql('postgres', q{SELECT dynpg.wait_for_indexes('bad', 1)}), 'f',
	'wait_for_indexes keeps waiting for its table');
like($node->safe_psql('postgres', q{SELECT last_error FROM dynpg.index_workers WHERE datname = current_database()}),
	qr/Missing the key k in the item/, 'index_workers shows the error');
like(slurp_file($node->logfile), qr/WARNING:  dynpg index worker: the change at \(\d+,\d+\) of dynpg\.index_changes for relation \d+ failed and is skipped for now/,
	'a WARNING names the row');
is($node->safe_psql('postgres', q{SELECT state IN ('idle', 'applying', 'backfilling') FROM dynpg.index_workers WHERE datname = current_database()}),
	't', 'the worker runs on');
# later changes are applied while the bad row waits
$node->safe_psql('postgres', q{SELECT dynpg.put_item('{"TableName": "good", "Item": {"k": {"S": "late"}, "g": {"S": "g9"}}}')});
is($node->safe_psql('postgres', q{SELECT dynpg.wait_for_indexes('good', 60)}), 't', 'a later change is applied');

# removing the row (what an administrator does after reading the error)
$node->safe_psql('postgres', q{DELETE FROM dynpg.index_changes WHERE tbl = 'dynamodb.bad'::regclass});
is($node->safe_psql('postgres', q{SELECT dynpg.wait_for_indexes('bad', 60)}), 't', 'then the table is complete');
for my $t ('bad', 'good')
{
	my ($ok, $report) = verify_ok($node, $t);
	ok($ok, "$t: dynpg.verify agrees") or diag($report);
}

# COMMIT PREPARED wakes the worker (a prepared transaction's changes would
# otherwise wait for its 10 s nap); nothing here calls wait_for_indexes,
# which would wake it too
$node->safe_psql('postgres', q{
	BEGIN;
	SELECT dynpg.put_item('{"TableName": "good", "Item": {"k": {"S": "prepared"}, "g": {"S": "gp"}}}');
	PREPARE TRANSACTION 'dynpg_put';});
sleep(1);
$node->safe_psql('postgres', q{COMMIT PREPARED 'dynpg_put'});
my $seen = 0;
for (1 .. 50)
{
	$seen = $node->safe_psql('postgres',
		q{SELECT count(*) FROM dynpg._index_entries('good', 'by_g') e WHERE e::jsonb -> 'k' ->> 'S' = 'prepared'});
	last if $seen;
	select(undef, undef, undef, 0.1);
}
is($seen, '1', 'a COMMIT PREPARED change is in the GSI within 5 s');

$node->stop;
done_testing();
