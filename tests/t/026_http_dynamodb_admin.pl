# The HTTP endpoint through a GUI: dynamodb-admin (npm, installed by 'make test'
# through scripts/npm-deps.sh tests/http/admin and found through
# DYNPG_ADMIN_PATH), an Express application over the AWS SDK for JavaScript's
# DocumentClient, pointed at the endpoint with SigV4 keys.  Its pages and JSON
# routes are driven as a browser would (HTTP::Tiny): create a table with a GSI,
# list tables, add, page, query, read, change and delete an item, the table's
# meta and TTL pages, delete the table; each step is checked in SQL too.
use strict;
use warnings;

use HTTP::Tiny;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use DynpgTest;

my $admin_path = $ENV{DYNPG_ADMIN_PATH} // '';
my $admin_js = "$admin_path/dynamodb-admin/dist/dynamodb-admin.js";
ok($admin_path ne '' && -f $admin_js,
	'dynamodb-admin is installed (scripts/npm-deps.sh tests/http/admin)')
	or BAIL_OUT("no dynamodb-admin in DYNPG_ADMIN_PATH='$admin_path'");

my ($node, $port, $key, $secret) = http_node('http_admin', workers => 1, role => 'gui');

# dynamodb-admin on a port of its own, signing with the key made above
my $admin_port = PostgreSQL::Test::Cluster::get_free_port();
my $admin_log = $PostgreSQL::Test::Utils::tmp_check . '/dynamodb_admin.log';
my $admin;
{
	local $ENV{DYNAMO_ENDPOINT} = "http://127.0.0.1:$port";
	local $ENV{AWS_ACCESS_KEY_ID} = $key;
	local $ENV{AWS_SECRET_ACCESS_KEY} = $secret;
	local $ENV{AWS_REGION} = 'us-east-1';
	local $ENV{AWS_CONFIG_FILE} = '/dev/null';
	local $ENV{AWS_SHARED_CREDENTIALS_FILE} = '/dev/null';
	$admin = IPC::Run::start(
		[ 'node', $admin_js, '--skip-default-credentials', '-H', '127.0.0.1', '-p', $admin_port ],
		'>', $admin_log, '2>&1');
}
my $http = HTTP::Tiny->new(timeout => 30 * ($ENV{DYNPG_SLOW} ? 4 : 1));
my $base = "http://127.0.0.1:$admin_port";
my $up = 0;
for (1 .. 300)
{
	my $r = $http->get("$base/api/tables");
	if ($r->{status} == 200) { $up = 1; last; }
	select(undef, undef, undef, 0.1);
}
ok($up, 'dynamodb-admin answers') or BAIL_OUT('dynamodb-admin did not start: ' . slurp_file($admin_log));

my $json = JSON::PP->new->canonical;
sub send_json
{
	my ($method, $path, $body) = @_;
	return $http->request($method, "$base$path",
		{ headers => { 'content-type' => 'application/json' }, content => $json->encode($body) });
}
sub sql { return $node->safe_psql('postgres', shift); }

# create a table with a sort key and a GSI, as the "Create table" form posts it
my $r = send_json('POST', '/create-table', {
	TableDefinition => {
		TableName => 'books', HashAttributeName => 'author', HashAttributeType => 'S',
		RangeAttributeName => 'title', RangeAttributeType => 'S',
		ReadCapacityUnits => 1, WriteCapacityUnits => 1 },
	SecondaryIndexes => [ {
		IndexType => 'global', IndexName => 'by_year', HashAttributeName => 'year',
		HashAttributeType => 'N', ReadCapacityUnits => 1, WriteCapacityUnits => 1 } ] });
is($r->{status}, 204, 'create-table: 204') or diag($r->{content});
is(sql(q{SELECT dynpg.execute('DescribeTable', '{"TableName":"books"}')
	#> '{Table,GlobalSecondaryIndexes,0,IndexName}'}),
	'"by_year"', 'the table and its GSI exist in PostgreSQL');

$r = $http->get("$base/api/tables");
my $tables = eval { $json->decode($r->{content}) } // [];
is_deeply([ map { $_->{TableName} } @$tables ], ['books'], '/api/tables lists the table');
is($tables->[0]{GlobalSecondaryIndexes}[0]{IndexName}, 'by_year', '... with its GSI');

$r = $http->get("$base/");
like($r->{content}, qr/books/, 'the tables page shows the table');

# add an item with plain values (the DocumentClient marshals them)
$r = send_json('PUT', '/tables/books/add-item',
	{ author => 'Le Guin', title => 'The Dispossessed', year => 1974,
	  tags => [ 'sf', 'utopia' ], award => { hugo => JSON::PP::true } });
is($r->{status}, 200, 'add-item: 200') or diag($r->{content});
is_deeply(eval { $json->decode($r->{content}) },
	{ author => 'Le Guin', title => 'The Dispossessed' }, 'add-item answers the key');
send_json('PUT', '/tables/books/add-item',
	{ author => 'Le Guin', title => 'The Lathe of Heaven', year => 1971 });
send_json('PUT', '/tables/books/add-item',
	{ author => 'Lem', title => 'Solaris', year => 1961 });
is(sql(q{SELECT dynpg.get_item('{"TableName":"books","Key":{"author":{"S":"Le Guin"},"title":{"S":"The Dispossessed"}}}')
	#>> '{Item,award,M,hugo,BOOL}'}), 'true', 'the item is stored with its nested values');

# the items page's JSON: a scan, then a query by partition key
$r = $http->get("$base/tables/books/items?pageNum=1");
my $page = eval { $json->decode($r->{content}) } // {};
is(scalar @{ $page->{Items} // [] }, 3, 'scan page: 3 items');
is($page->{nextKey}, undef, 'scan page: no next page');
my $filters = $json->encode({ author => { type => 'S', value => 'Le Guin', operator => '=' } });
$r = $http->get("$base/tables/books/items?pageNum=1&operationType=query&queryableSelection=table&filters="
	. uri_escape($filters));
$page = eval { $json->decode($r->{content}) } // {};
is_deeply([ map { $_->{title} } @{ $page->{Items} // [] } ],
	[ 'The Dispossessed', 'The Lathe of Heaven' ], 'query page: the partition in sort key order')
	or diag($r->{content});
# a filter on a non-key attribute becomes a FilterExpression
$filters = $json->encode({ year => { type => 'N', value => '1970', operator => '<' } });
$r = $http->get("$base/tables/books/items?pageNum=1&filters=" . uri_escape($filters));
$page = eval { $json->decode($r->{content}) } // {};
is_deeply([ map { $_->{title} } @{ $page->{Items} // [] } ], ['Solaris'], 'scan with a filter')
	or diag($r->{content});
# paging: pageSize 1 walks by LastEvaluatedKey
$r = $http->get("$base/tables/books/items?pageNum=1&pageSize=1");
$page = eval { $json->decode($r->{content}) } // {};
ok(defined $page->{nextKey} && @{ $page->{Items} // [] } == 1, 'a page of 1 has a next key');

# an item's page, then a change through it
my $item_key = uri_escape('Le Guin') . ',' . uri_escape('The Dispossessed');
$r = $http->get("$base/tables/books/items/$item_key");
is($r->{status}, 200, 'the item page: 200');
like($r->{content}, qr/Dispossessed/, 'the item page shows the item');
$r = send_json('PUT', "/tables/books/items/$item_key",
	{ author => 'Le Guin', title => 'The Dispossessed', year => 1975 });
is(eval { $json->decode($r->{content})->{year} }, 1975, 'the changed item comes back');
is(sql(q{SELECT dynpg.get_item('{"TableName":"books","Key":{"author":{"S":"Le Guin"},"title":{"S":"The Dispossessed"}}}')
	#>> '{Item,year,N}'}), '1975', 'the change is in PostgreSQL');
$r = $http->get("$base/tables/books/items/" . uri_escape('Nobody') . ',' . uri_escape('Nothing'));
is($r->{status}, 404, 'a missing item: 404');

# the table's pages
for my $path ('/tables/books', '/tables/books/meta', '/tables/books/get', '/tables/books/ttl')
{
	$r = $http->get("$base$path");
	is($r->{status}, 200, "$path: 200") or diag(substr($r->{content}, 0, 400));
}

# delete an item, then the table
$r = $http->request('DELETE', "$base/tables/books/items/$item_key");
is($r->{status}, 204, 'delete item: 204');
is(sql(q{SELECT dynpg.execute('Scan', '{"TableName":"books","Select":"COUNT"}') ->> 'Count'}), '2',
	'2 items left in PostgreSQL');
$r = $http->request('DELETE', "$base/tables/books");
is($r->{status}, 204, 'delete table: 204');
is(sql(q{SELECT count(*) FROM pg_class WHERE relname = 'books'}), '0', 'the table is gone');

$admin->kill_kill;
my $admin_said = slurp_file($admin_log);
unlike($admin_said, qr/Exception|Error:/, 'dynamodb-admin logged no error') or diag($admin_said);
my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal/, 'the server log shows no crash');

done_testing();

sub uri_escape
{
	my $s = shift;
	$s =~ s/([^A-Za-z0-9\-._~])/sprintf('%%%02X', ord($1))/ge;
	return $s;
}
