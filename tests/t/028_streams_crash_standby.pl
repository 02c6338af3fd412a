# DynamoDB Streams under crashes and on a standby.  Concurrent writers put
# items into a table with a stream, each transaction also recording its key
# in a heap ledger, and the server is stopped by an immediate (crash) stop
# under them, twice.  After recovery the stream must hold exactly one INSERT
# per ledger key (no record of a transaction that did not commit, none
# lost), and numbers drawn after the restart must be above every number
# drawn before it.  A streaming standby then serves the same records,
# through the horizon the primary's worker publishes.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $node = dynpg_node('streamcrash', init => { allows_streaming => 1 });
$node->safe_psql('postgres', q{
	SELECT dynpg.create_table('{"TableName": "scx", "BillingMode": "PAY_PER_REQUEST",
	  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
	  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "S"}],
	  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}}');
	CREATE TABLE ledger (p text, s text, PRIMARY KEY (p, s));
});

my $script = "$PostgreSQL::Test::Utils::tmp_check/stream_writers.sql";
open(my $fh, '>', $script) or die "cannot write $script: $!";
print $fh <<'SQL';
\set k random(1, 1000000000)
BEGIN;
SELECT dynpg.put_item(jsonb_build_object('TableName', 'scx', 'Item', jsonb_build_object(
  'p', jsonb_build_object('S', 'part' || ((:k)::bigint % 13)), 's', jsonb_build_object('S', 'k' || (:k)::bigint),
  'pad', jsonb_build_object('S', repeat('w', ((:k)::bigint % 300)::int)))));
INSERT INTO ledger VALUES ('part' || ((:k)::bigint % 13), 'k' || (:k)::bigint) ON CONFLICT DO NOTHING;
COMMIT;
SQL
close($fh);

# the stream's records as 'p/s' keys, in number order
my $records_sql = q{
	SELECT count(*) || ' ' || count(DISTINCT (keys ->> 'p') || '/' || (keys ->> 's')) || ' ' ||
	       count(*) FILTER (WHERE event_name <> 'INSERT')
	  FROM dynpg.stream_records('scx', max_records => 1000000)};

my $max_before = '0';
for my $round (1 .. 2)
{
	my ($out, $err) = ('', '');
	my $bench = IPC::Run::start(
		[ 'pgbench', '-n', '-c', '4', '-j', '2', '-T', '60', '-f', $script,
		  '-h', $node->host, '-p', $node->port, 'postgres' ],
		'>', \$out, '2>', \$err);
	sleep 3;
	$node->stop('immediate');
	$bench->finish;
	$node->start;

	my $ledger = $node->safe_psql('postgres', 'SELECT count(*) FROM ledger');
	ok($ledger > 0, "round $round: writers committed before the crash ($ledger in the ledger)");
	is($node->safe_psql('postgres', $records_sql), "$ledger $ledger 0",
		"round $round: one INSERT record per committed item, none of an uncommitted one");
	is($node->safe_psql('postgres', q{
		SELECT count(*) FROM ledger l WHERE NOT EXISTS (
		  SELECT FROM dynpg.stream_records('scx', max_records => 1000000) r
		   WHERE r.keys ->> 'p' = l.p AND r.keys ->> 's' = l.s)}),
		'0', "round $round: every ledger key has its record");
	# numbers after a restart are above every number before it
	my $marker = "restart$round";
	$node->safe_psql('postgres',
		"SELECT dynpg.put_item('{\"TableName\": \"scx\", \"Item\": {\"p\": {\"S\": \"after\"}, \"s\": {\"S\": \"$marker\"}}}')");
	my ($max_old, $new) = split /\|/, $node->safe_psql('postgres',
		"SELECT max(sequence_number) FILTER (WHERE keys ->> 'p' <> 'after'),
		        max(sequence_number) FILTER (WHERE keys ->> 's' = '$marker')
		   FROM dynpg.stream_records('scx', max_records => 1000000)");
	ok(defined $new && $new gt $max_old,
		"round $round: the number drawn after the restart is above the ones before");
	$node->safe_psql('postgres', "INSERT INTO ledger VALUES ('after', '$marker')");
}

# a streaming standby serves the same records once the horizon is published
$node->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('streamstandby');
$standby->init_from_backup($node, 'bk', has_streaming => 1);
$standby->start;
$node->safe_psql('postgres', q{
	SELECT dynpg.put_item('{"TableName": "scx", "Item": {"p": {"S": "late"}, "s": {"S": "one"}}}');
	SELECT dynpg.put_item('{"TableName": "scx", "Item": {"p": {"S": "late"}, "s": {"S": "two"}}}');
});
my $primary_view = $node->safe_psql('postgres',
	q{SELECT string_agg(sequence_number || ':' || (keys ->> 's'), ',' ORDER BY sequence_number)
	    FROM dynpg.stream_records('scx', max_records => 1000000)});
$node->wait_for_catchup($standby);
# the worker publishes at least every 10 s
ok($standby->poll_query_until('postgres',
		q{SELECT string_agg(sequence_number || ':' || (keys ->> 's'), ',' ORDER BY sequence_number)
		    FROM dynpg.stream_records('scx', max_records => 1000000)}, $primary_view),
	'the standby serves the same records as the primary');
my $arn = $node->safe_psql('postgres',
	q{SELECT dynpg.describe_table('{"TableName": "scx"}') #>> '{Table,LatestStreamArn}'});
# GetRecords itself, shard by shard from TRIM_HORIZON: the same first pages on both
my $pages_sql = qq{
	SELECT string_agg(r #>> '{dynamodb,SequenceNumber}', ',' ORDER BY r #>> '{dynamodb,SequenceNumber}')
	  FROM jsonb_array_elements(dynpg.describe_stream(jsonb_build_object('StreamArn', '$arn'))
	         #> '{StreamDescription,Shards}') s,
	       jsonb_array_elements(dynpg.get_records(jsonb_build_object('ShardIterator',
	         dynpg.get_shard_iterator(jsonb_build_object('StreamArn', '$arn', 'ShardId', s ->> 'ShardId',
	           'ShardIteratorType', 'TRIM_HORIZON')) ->> 'ShardIterator', 'Limit', 1000)) -> 'Records') r};
my $primary_pages = $node->safe_psql('postgres', $pages_sql);
ok($primary_pages ne '', 'GetRecords on the primary returns records');
is($standby->safe_psql('postgres', $pages_sql), $primary_pages,
	'GetRecords on the standby returns the same pages');

# the shards roll over on the primary: the standby lists the children with
# their parents, and serves the same pages, the later record in a child
$node->safe_psql('postgres', q{
	SELECT dynpg._roll_stream_shards('scx');
	SELECT dynpg.put_item('{"TableName": "scx", "Item": {"p": {"S": "late"}, "s": {"S": "three"}}}');
});
my $before = () = $primary_pages =~ /\d+/g;
$primary_pages = $node->safe_psql('postgres', $pages_sql);
my $after = () = $primary_pages =~ /\d+/g;
is($after, $before + 1, 'GetRecords on the primary: the parents\' records and the child\'s new one');
$node->wait_for_catchup($standby);
ok($standby->poll_query_until('postgres', $pages_sql, $primary_pages),
	'after a rollover, GetRecords on the standby returns the same pages, children included');
is($standby->safe_psql('postgres', qq{
	SELECT count(*) || ' ' || count(*) FILTER (WHERE s ? 'ParentShardId')
	       || ' ' || count(*) FILTER (WHERE s -> 'SequenceNumberRange' ? 'EndingSequenceNumber')
	  FROM jsonb_array_elements(dynpg.describe_stream(jsonb_build_object('StreamArn', '$arn'))
	         #> '{StreamDescription,Shards}') s}),
	'8 4 4', 'the standby lists 4 closed shards and their 4 children');

my $log = slurp_file($node->logfile) . slurp_file($standby->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal (?!9)/, 'no crash but the immediate stops');

$standby->stop;
$node->stop;
done_testing();
