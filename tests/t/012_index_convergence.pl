# Secondary indexes converge: several sessions put, update (moving items
# between index keys, adding and removing index key attributes) and delete
# items of a few hot partitions at random for a while; once
# dynpg.wait_for_indexes() returns, every LSI and GSI holds exactly the
# entries a plain SQL query computes from the table's items -- in both
# directions -- and dynpg.verify() agrees.  Then the same after the GSI
# worker is killed (kill -9: the postmaster restarts everything) in the
# middle of applying a backlog.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $node = dynpg_node('convergence', conf => 'restart_after_crash = on');
$node->safe_psql('postgres', q{SELECT dynpg.create_table('{"TableName": "chat", "BillingMode": "PAY_PER_REQUEST",
	"AttributeDefinitions": [{"AttributeName": "chat_id", "AttributeType": "S"}, {"AttributeName": "message_id", "AttributeType": "N"},
		{"AttributeName": "user_id", "AttributeType": "S"}, {"AttributeName": "day", "AttributeType": "S"},
		{"AttributeName": "num_attachments", "AttributeType": "N"}],
	"KeySchema": [{"AttributeName": "chat_id", "KeyType": "HASH"}, {"AttributeName": "message_id", "KeyType": "RANGE"}],
	"LocalSecondaryIndexes": [{"IndexName": "by_attachments", "KeySchema": [{"AttributeName": "chat_id", "KeyType": "HASH"},
		{"AttributeName": "num_attachments", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["text"]}}],
	"GlobalSecondaryIndexes": [
		{"IndexName": "by_user", "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}, {"AttributeName": "message_id", "KeyType": "RANGE"}],
		 "Projection": {"ProjectionType": "KEYS_ONLY"}},
		{"IndexName": "by_day", "KeySchema": [{"AttributeName": "day", "KeyType": "HASH"}],
		 "Projection": {"ProjectionType": "ALL"}},
		{"IndexName": "by_user_day", "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"},
			{"AttributeName": "day", "KeyType": "HASH"}, {"AttributeName": "num_attachments", "KeyType": "RANGE"},
			{"AttributeName": "message_id", "KeyType": "RANGE"}],
		 "Projection": {"ProjectionType": "KEYS_ONLY"}}]}')});

# (pgbench reads ':name' anywhere as a variable: expression placeholders are
# spelled with chr(58).)  Each transaction does one random thing to one of 5 x 200 keys: a put with
# a random subset of the index key attributes, an update that moves the item
# in one index or drops it from one, or a delete.
my $script = "$PostgreSQL::Test::Utils::tmp_check/convergence.sql";
open(my $fh, '>', $script) or die "cannot write $script: $!";
print $fh <<'SQL';
\set c random(0, 4)
\set m random(1, 200)
\set op random(1, 10)
\set u random(0, 30)
\set d random(0, 6)
\set a random(0, 3)
\set f random(0, 7)
SELECT CASE
 WHEN :op <= 4 THEN dynpg.put_item(jsonb_build_object('TableName', 'chat', 'Item',
   jsonb_build_object('chat_id', jsonb_build_object('S', 'c' || :c), 'message_id', jsonb_build_object('N', (:m)::text),
                      'text', jsonb_build_object('S', 'text ' || :u || ' ' || :d))
   || CASE WHEN :f & 1 = 1 THEN jsonb_build_object('user_id', jsonb_build_object('S', 'u' || :u)) ELSE '{}' END
   || CASE WHEN :f & 2 = 2 THEN jsonb_build_object('day', jsonb_build_object('S', 'd' || :d)) ELSE '{}' END
   || CASE WHEN :f & 4 = 4 THEN jsonb_build_object('num_attachments', jsonb_build_object('N', (:a)::text)) ELSE '{}' END))
 WHEN :op <= 6 THEN dynpg.update_item(jsonb_build_object('TableName', 'chat',
   'Key', jsonb_build_object('chat_id', jsonb_build_object('S', 'c' || :c), 'message_id', jsonb_build_object('N', (:m)::text)),
   'UpdateExpression', replace('SET user_id = @u, num_attachments = @a', '@', chr(58)),
   'ExpressionAttributeValues', jsonb_build_object(chr(58) || 'u', jsonb_build_object('S', 'u' || :u), chr(58) || 'a', jsonb_build_object('N', (:a)::text))))
 WHEN :op <= 8 THEN dynpg.update_item(jsonb_strip_nulls(jsonb_build_object('TableName', 'chat',
   'Key', jsonb_build_object('chat_id', jsonb_build_object('S', 'c' || :c), 'message_id', jsonb_build_object('N', (:m)::text)),
   'UpdateExpression', CASE WHEN :f & 1 = 1 THEN replace('REMOVE user_id SET #d = @d', '@', chr(58)) ELSE 'REMOVE #d, num_attachments' END,
   'ExpressionAttributeNames', jsonb_build_object('#d', 'day'),
   'ExpressionAttributeValues', CASE WHEN :f & 1 = 1 THEN jsonb_build_object(chr(58) || 'd', jsonb_build_object('S', 'd' || :d)) END)))
 ELSE dynpg.delete_item(jsonb_build_object('TableName', 'chat',
   'Key', jsonb_build_object('chat_id', jsonb_build_object('S', 'c' || :c), 'message_id', jsonb_build_object('N', (:m)::text))))
END;
SQL
close($fh);

# What each index must hold, computed from the table by plain SQL (typed
# JSON of the projected items), against what it holds.
my %expected_sql = (
	by_attachments => q{SELECT jsonb_build_object('chat_id', j -> 'chat_id', 'message_id', j -> 'message_id',
		'num_attachments', j -> 'num_attachments') || CASE WHEN j ? 'text' THEN jsonb_build_object('text', j -> 'text') ELSE '{}' END
		FROM (SELECT item::jsonb AS j FROM dynamodb.chat) t WHERE j ? 'num_attachments'},
	by_user => q{SELECT jsonb_build_object('chat_id', j -> 'chat_id', 'message_id', j -> 'message_id', 'user_id', j -> 'user_id')
		FROM (SELECT item::jsonb AS j FROM dynamodb.chat) t WHERE j ? 'user_id'},
	by_day => q{SELECT j FROM (SELECT item::jsonb AS j FROM dynamodb.chat) t WHERE j ? 'day'},
	# a multi-attribute key: an entry only with all three of its attributes
	by_user_day => q{SELECT jsonb_build_object('chat_id', j -> 'chat_id', 'message_id', j -> 'message_id', 'user_id', j -> 'user_id',
		'day', j -> 'day', 'num_attachments', j -> 'num_attachments')
		FROM (SELECT item::jsonb AS j FROM dynamodb.chat) t WHERE j ? 'user_id' AND j ? 'day' AND j ? 'num_attachments'},
);

sub check_indexes
{
	my ($label) = @_;
	is($node->safe_psql('postgres', q{SELECT dynpg.wait_for_indexes('chat', 120)}), 't',
		"$label: wait_for_indexes returns true");
	for my $ix (sort keys %expected_sql)
	{
		my $actual = qq{SELECT e::jsonb FROM dynpg._index_entries('chat', '$ix') AS e};
		my $diff = $node->safe_psql('postgres', qq{
			SELECT (SELECT count(*) FROM (($expected_sql{$ix}) EXCEPT ALL ($actual)) x) || ' missing, ' ||
			       (SELECT count(*) FROM (($actual) EXCEPT ALL ($expected_sql{$ix})) y) || ' extra, ' ||
			       (SELECT count(*) FROM ($actual) z) || ' entries'});
		like($diff, qr/^0 missing, 0 extra, \d+ entries$/, "$label: index $ix equals the table's items ($diff)");
		my ($n) = $diff =~ /(\d+) entries/;
		cmp_ok($n, '>', 0, "$label: index $ix is not empty");
	}
	my ($ok, $report) = verify_ok($node, 'chat');
	ok($ok, "$label: dynpg.verify agrees") or diag($report);
}

sub run_writers
{
	my ($seconds) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run(
		[ 'pgbench', '-n', '-c', '4', '-j', '2', '-T', $seconds, '-f', $script,
		  '-h', $node->host, '-p', $node->port, 'postgres' ],
		'>', \$out, '2>', \$err);
	my ($done) = $out =~ /number of transactions actually processed: (\d+)/;
	return ($done // 0, $out . $err);
}

my ($done, $log) = run_writers(12);
cmp_ok($done, '>', 500, "4 sessions ran $done random writes") or diag($log);
check_indexes('after concurrent writes');

# A backlog, then kill -9 of the worker while it applies it.
$node->safe_psql('postgres', 'ALTER SYSTEM SET dynpg.index_worker_pause = on');
$node->reload;
($done, $log) = run_writers(5);
cmp_ok($node->safe_psql('postgres', 'SELECT count(*) FROM dynpg.index_changes'), '>', 200,
	'a backlog of GSI changes while the worker is paused');
$node->safe_psql('postgres', 'ALTER SYSTEM SET dynpg.index_worker_pause = off');
$node->reload;
my $pid;
for (1 .. 200)
{
	$pid = $node->safe_psql('postgres',
		q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'dynpg index worker' AND datname = 'postgres'});
	last if $pid ne '' && $node->safe_psql('postgres', 'SELECT count(*) FROM dynpg.index_changes') > 0;
	select(undef, undef, undef, 0.01);
}
ok($pid ne '', 'the worker runs');
kill 'KILL', $pid if $pid ne '';
# the postmaster restarts every backend; wait until it accepts connections
$node->poll_query_until('postgres', 'SELECT 1', '1');
like(slurp_file($node->logfile), qr/"dynpg index worker" \(PID $pid\) was terminated by signal 9: Killed\n.*DETAIL:  Failed process was running: applying/,
	'the worker was killed while applying a batch');
check_indexes('after kill -9 of the worker in mid-backlog');

done_testing();
