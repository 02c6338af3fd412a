# The HTTP endpoint through Debian's AWS CLI ('aws dynamodb'): the day-one
# tasks a user types -- create, wait for, describe and list tables; put, get,
# update (with expressions), delete; query and scan (parallel segments, JSON
# output); batch-write and batch-get; a transaction that is cancelled, with its
# reasons; errors with DynamoDB's type and message on stderr and exit status 254
# (the CLI's "the service returned an error"); and DynamoDB Streams through
# 'aws dynamodbstreams' (list, describe, iterators, records, an unknown stream).
use strict;
use warnings;

use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use DynpgTest;

my ($node, $port, $key, $secret) = http_node('http_awscli', workers => 1);

my %env = client_env($port, $key, $secret);
local @ENV{keys %env} = values %env;
local $ENV{AWS_DEFAULT_REGION} = 'eu-west-3';
local $ENV{AWS_PAGER} = '';
my $json = JSON::PP->new->canonical;

# aws <service> <args>: (exit status, parsed stdout or undef, stderr)
sub cli
{
	my ($service, @args) = @_;
	my ($stdout, $stderr) = ('', '');
	IPC::Run::run(['aws', $service, @args, '--endpoint-url', "http://127.0.0.1:$port",
			'--output', 'json', '--cli-read-timeout', '30'],
		'>', \$stdout, '2>', \$stderr);
	my $rc = $? >> 8;
	my $out = $stdout =~ /\S/ ? eval { $json->decode($stdout) } : undef;
	return ($rc, $out, $stderr);
}
sub aws { return cli('dynamodb', @_); }

my ($rc, $out, $err);

($rc, $out, $err) = aws('create-table', '--table-name', 'Music',
	'--attribute-definitions', 'AttributeName=Artist,AttributeType=S',
	'AttributeName=SongTitle,AttributeType=S',
	'--key-schema', 'AttributeName=Artist,KeyType=HASH', 'AttributeName=SongTitle,KeyType=RANGE',
	'--billing-mode', 'PAY_PER_REQUEST');
is($rc, 0, 'create-table Music') or diag($err);
is($out->{TableDescription}{TableName}, 'Music', '... its description names it');
like($out->{TableDescription}{TableArn}, qr{^arn:aws:dynamodb:[^:]*:[0-9]{12}:table/Music$},
	'... with an ARN');

($rc, $out, $err) = aws('wait', 'table-exists', '--table-name', 'Music');
is($rc, 0, 'wait table-exists returns') or diag($err);

($rc, $out, $err) = aws('list-tables');
is_deeply($out, { TableNames => ['Music'] }, 'list-tables');

($rc, $out, $err) = aws('describe-table', '--table-name', 'Music');
is($out->{Table}{TableStatus}, 'ACTIVE', 'describe-table: ACTIVE');
is_deeply($out->{Table}{KeySchema},
	[ { AttributeName => 'Artist', KeyType => 'HASH' },
	  { AttributeName => 'SongTitle', KeyType => 'RANGE' } ], '... with its key schema');

for my $i (1 .. 5)
{
	($rc, $out, $err) = aws('put-item', '--table-name', 'Music', '--item',
		qq({"Artist": {"S": "Acme Band"}, "SongTitle": {"S": "Song $i"}, "Year": {"N": "${\ (2000 + $i)}"}}));
	is($rc, 0, "put-item Song $i") or diag($err);
}

($rc, $out, $err) = aws('get-item', '--table-name', 'Music', '--consistent-read', '--key',
	'{"Artist": {"S": "Acme Band"}, "SongTitle": {"S": "Song 3"}}');
is_deeply($out, { Item => { Artist => { S => 'Acme Band' }, SongTitle => { S => 'Song 3' },
			Year => { N => '2003' } } }, 'get-item');

($rc, $out, $err) = aws('update-item', '--table-name', 'Music',
	'--key', '{"Artist": {"S": "Acme Band"}, "SongTitle": {"S": "Song 3"}}',
	'--update-expression', 'SET AlbumTitle = :a ADD Plays :one',
	'--condition-expression', '#y = :y',
	'--expression-attribute-names', '{"#y": "Year"}',
	'--expression-attribute-values', '{":a": {"S": "Greatest"}, ":one": {"N": "1"}, ":y": {"N": "2003"}}',
	'--return-values', 'UPDATED_NEW');
is_deeply($out, { Attributes => { AlbumTitle => { S => 'Greatest' }, Plays => { N => '1' } } },
	'update-item with a condition, UPDATED_NEW') or diag($err);

($rc, $out, $err) = aws('update-item', '--table-name', 'Music',
	'--key', '{"Artist": {"S": "Acme Band"}, "SongTitle": {"S": "Song 3"}}',
	'--update-expression', 'SET AlbumTitle = :a',
	'--condition-expression', 'attribute_not_exists(AlbumTitle)',
	'--expression-attribute-values', '{":a": {"S": "Other"}}');
is($rc, 254, 'a failed condition: the CLI exits 254');
like($err, qr/\(ConditionalCheckFailedException\) when calling the UpdateItem operation: The conditional request failed/,
	'... and says ConditionalCheckFailedException with its message');

($rc, $out, $err) = aws('query', '--table-name', 'Music',
	'--key-condition-expression', 'Artist = :a AND SongTitle BETWEEN :x AND :y',
	'--expression-attribute-values', '{":a": {"S": "Acme Band"}, ":x": {"S": "Song 2"}, ":y": {"S": "Song 4"}}',
	'--projection-expression', 'SongTitle');
is_deeply([ map { $_->{SongTitle}{S} } @{ $out->{Items} } ], [ 'Song 2', 'Song 3', 'Song 4' ],
	'query with a key condition and a projection') or diag($err);

# the CLI pages through the results itself (--page-size), following LastEvaluatedKey
($rc, $out, $err) = aws('query', '--table-name', 'Music', '--page-size', '2',
	'--key-condition-expression', 'Artist = :a',
	'--expression-attribute-values', '{":a": {"S": "Acme Band"}}');
is($out->{Count}, 5, 'query --page-size 2: the CLI follows LastEvaluatedKey to all 5') or diag($err);

my %seen;
for my $seg (0 .. 2)
{
	($rc, $out, $err) = aws('scan', '--table-name', 'Music', '--segment', $seg, '--total-segments', '3');
	is($rc, 0, "scan segment $seg of 3") or diag($err);
	$seen{ $_->{SongTitle}{S} }++ for @{ $out->{Items} };
}
is_deeply([ sort keys %seen ], [ map { "Song $_" } 1 .. 5 ], 'the 3 segments hold every item');
ok(!grep({ $_ != 1 } values %seen), '... each once');

($rc, $out, $err) = aws('scan', '--table-name', 'Music', '--select', 'COUNT',
	'--filter-expression', '#y >= :y', '--expression-attribute-names', '{"#y": "Year"}',
	'--expression-attribute-values', '{":y": {"N": "2004"}}');
is($out->{Count}, 2, 'scan --select COUNT with a filter');
is($out->{ScannedCount}, 5, '... having scanned 5');

($rc, $out, $err) = aws('batch-write-item', '--request-items', $json->encode({ Music => [
	{ PutRequest => { Item => { Artist => { S => 'Other' }, SongTitle => { S => 'A' } } } },
	{ PutRequest => { Item => { Artist => { S => 'Other' }, SongTitle => { S => 'B' } } } },
	{ DeleteRequest => { Key => { Artist => { S => 'Acme Band' }, SongTitle => { S => 'Song 5' } } } } ] }));
is_deeply($out, { UnprocessedItems => {} }, 'batch-write-item') or diag($err);

($rc, $out, $err) = aws('batch-get-item', '--request-items', $json->encode({ Music => { Keys => [
	{ Artist => { S => 'Other' }, SongTitle => { S => 'B' } },
	{ Artist => { S => 'Acme Band' }, SongTitle => { S => 'Song 5' } } ] } }));
is_deeply($out->{Responses}{Music}, [ { Artist => { S => 'Other' }, SongTitle => { S => 'B' } } ],
	'batch-get-item: the put item, not the deleted one') or diag($err);

($rc, $out, $err) = aws('transact-write-items', '--transact-items', $json->encode([
	{ Put => { TableName => 'Music', Item => { Artist => { S => 'T' }, SongTitle => { S => '1' } } } },
	{ ConditionCheck => { TableName => 'Music',
		Key => { Artist => { S => 'Other' }, SongTitle => { S => 'A' } },
		ConditionExpression => 'attribute_not_exists(Artist)' } } ]));
is($rc, 254, 'a cancelled transact-write-items exits 254');
like($err, qr/\(TransactionCanceledException\) when calling the TransactWriteItems operation: Transaction cancelled, please refer cancellation reasons for specific reasons \[None, ConditionalCheckFailed\]/,
	'... TransactionCanceledException with its reasons');
($rc, $out, $err) = aws('get-item', '--table-name', 'Music', '--key',
	'{"Artist": {"S": "T"}, "SongTitle": {"S": "1"}}');
ok(!defined $out || !exists $out->{Item}, '... and its Put did not happen');

($rc, $out, $err) = aws('get-item', '--table-name', 'Nope', '--key', '{"Artist": {"S": "x"}}');
is($rc, 254, 'get-item of an unknown table exits 254');
like($err, qr/\(ResourceNotFoundException\) when calling the GetItem operation: Requested resource not found/,
	'... ResourceNotFoundException');

($rc, $out, $err) = aws('delete-item', '--table-name', 'Music', '--return-values', 'ALL_OLD',
	'--key', '{"Artist": {"S": "Other"}, "SongTitle": {"S": "A"}}');
is_deeply($out, { Attributes => { Artist => { S => 'Other' }, SongTitle => { S => 'A' } } },
	'delete-item --return-values ALL_OLD');

($rc, $out, $err) = aws('delete-table', '--table-name', 'Music');
is($out->{TableDescription}{TableName}, 'Music', 'delete-table') or diag($err);
($rc, $out, $err) = aws('list-tables');
is_deeply($out, { TableNames => [] }, 'list-tables: none left');

# DynamoDB Streams through 'aws dynamodbstreams' (the DynamoDBStreams_20120810 target)
sub streams { return cli('dynamodbstreams', @_); }
($rc, $out, $err) = aws('create-table', '--table-name', 'Feed',
	'--attribute-definitions', 'AttributeName=id,AttributeType=S',
	'--key-schema', 'AttributeName=id,KeyType=HASH', '--billing-mode', 'PAY_PER_REQUEST',
	'--stream-specification', 'StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES');
is($rc, 0, 'create-table Feed with a stream') or diag($err);
my $stream_arn = $out->{TableDescription}{LatestStreamArn} // '';
like($stream_arn, qr{^arn:aws:dynamodb:[^:]+:\d+:table/Feed/stream/}, '... it reports LatestStreamArn');
aws('put-item', '--table-name', 'Feed', '--item', '{"id": {"S": "a"}, "n": {"N": "1"}}');
aws('update-item', '--table-name', 'Feed', '--key', '{"id": {"S": "a"}}',
	'--update-expression', 'SET n = n + :one', '--expression-attribute-values', '{":one": {"N": "1"}}');
($rc, $out, $err) = streams('list-streams', '--table-name', 'Feed');
is($rc, 0, 'aws dynamodbstreams list-streams') or diag($err);
is($out->{Streams}[0]{StreamArn}, $stream_arn, '... lists the stream');
($rc, $out, $err) = streams('describe-stream', '--stream-arn', $stream_arn);
is($out->{StreamDescription}{StreamStatus}, 'ENABLED', 'describe-stream: ENABLED') or diag($err);
my @records;
foreach my $shard (@{ $out->{StreamDescription}{Shards} // [] })
{
	my ($rc2, $it) = streams('get-shard-iterator', '--stream-arn', $stream_arn,
		'--shard-id', $shard->{ShardId}, '--shard-iterator-type', 'TRIM_HORIZON');
	my ($rc3, $recs) = streams('get-records', '--shard-iterator', $it->{ShardIterator});
	push @records, @{ $recs->{Records} // [] };
}
is(join(' ', map { $_->{eventName} } @records), 'INSERT MODIFY',
	'get-records: the INSERT, then the MODIFY');
is($records[1]{dynamodb}{OldImage}{n}{N} . '>' . $records[1]{dynamodb}{NewImage}{n}{N}, '1>2',
	'... with both images');
($rc, $out, $err) = streams('describe-stream', '--stream-arn', $stream_arn . 'x');
is($rc, 254, 'an unknown stream: the service error status');
like($err, qr/ResourceNotFoundException/, '... ResourceNotFoundException');

my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal/, 'the server log shows no crash');

done_testing();
