# The HTTP and index workers send their table statistics, which autovacuum
# reads to decide what to vacuum: a table written only through the HTTP
# endpoint shows its inserts, updates and deletes (dead versions) in
# pg_stat_user_tables, and dynpg.index_changes the rows the index worker
# applied and deleted -- also when the workers then sit idle.  Before, a
# background worker's counts stayed in the worker: autovacuum never saw
# such a table (the soak of tests/torture/README found it: soak_http,
# written only through HTTP, had 34,733 dead versions and was never
# autovacuumed in 30 minutes).  Trust mode (DynpgTest's http_call sends an
# unchecked signature).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use DynpgTest;

my $port = PostgreSQL::Test::Cluster::get_free_port();
my $node = dynpg_node('wstats', conf => qq{
dynpg.http_port = $port
dynpg.http_workers = 1
dynpg.http_database = 'postgres'
dynpg.http_auth = 'trust'
dynpg.http_trust_role = 'app'
max_worker_processes = 16
});
$node->safe_psql('postgres', 'CREATE ROLE app; GRANT CREATE ON SCHEMA dynamodb TO app;');
ok($node->poll_query_until('postgres', 'SELECT count(*) = 1 FROM dynpg.http_status'), 'the HTTP worker runs');

my ($status, $body) = http_call($port, 'CreateTable', '{"TableName":"wstats","BillingMode":"PAY_PER_REQUEST",'
	  . '"KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],'
	  . '"AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],'
	  . '"GlobalSecondaryIndexes":[{"IndexName":"by_g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],'
	  . '"Projection":{"ProjectionType":"KEYS_ONLY"}}]}');
is($status, 200, 'CreateTable through HTTP') or diag($body);

my $fails = 0;
for my $i (1 .. 30)
{
	($status, $body) = http_call($port, 'PutItem', qq({"TableName":"wstats","Item":{"k":{"S":"k$i"},"g":{"S":"g$i"}}}));
	$fails++ unless defined $status && $status == 200;
}
for my $i (1 .. 10)
{
	($status, $body) = http_call($port, 'UpdateItem', qq({"TableName":"wstats","Key":{"k":{"S":"k$i"}},)
		  . qq("UpdateExpression":"SET g = :g","ExpressionAttributeValues":{":g":{"S":"h$i"}}}));
	$fails++ unless defined $status && $status == 200;
}
for my $i (21 .. 25)
{
	($status, $body) = http_call($port, 'DeleteItem', qq({"TableName":"wstats","Key":{"k":{"S":"k$i"}}}));
	$fails++ unless defined $status && $status == 200;
}
is($fails, 0, '30 PutItem, 10 UpdateItem and 5 DeleteItem through HTTP answered 200');
is($node->safe_psql('postgres', q{SELECT dynpg.wait_for_indexes('wstats')}), 't', 'the index worker applied the changes');

# nothing else writes: the counts come from the workers, idle from now on
# (every version written counts as an insert: 30 puts and 10 updates)
ok($node->poll_query_until('postgres', q{SELECT n_tup_ins = 40 AND n_tup_upd = 10 AND n_tup_del = 5
	  FROM pg_stat_user_tables WHERE schemaname = 'dynamodb' AND relname = 'wstats'}),
	"the HTTP worker's inserts, updates and deletes reach pg_stat_user_tables")
  or diag($node->safe_psql('postgres', q{SELECT n_tup_ins, n_tup_upd, n_tup_del, n_dead_tup
	  FROM pg_stat_user_tables WHERE schemaname = 'dynamodb' AND relname = 'wstats'}));
ok($node->poll_query_until('postgres', q{SELECT n_dead_tup > 0 AND n_tup_del > 0
	  FROM pg_stat_user_tables WHERE schemaname = 'dynpg' AND relname = 'index_changes'}),
	"the index worker's deletions of applied change rows reach pg_stat_user_tables")
  or diag($node->safe_psql('postgres', q{SELECT n_tup_ins, n_tup_del, n_dead_tup
	  FROM pg_stat_user_tables WHERE schemaname = 'dynpg' AND relname = 'index_changes'}));

$node->stop;
done_testing();
