# Extension upgrades: from every version that has an update path to the
# current default version (pg_extension_update_paths('dynpg'), so each new
# release is covered without changing this file), a database is created at
# the old version, filled with tables (an LSI, GSIs, a stream, time to live,
# tags, deletion protection) and items of every type through the old
# version's API, then updated in place with ALTER EXTENSION dynpg UPDATE.
# Checked after the update: the tables answer exactly as before (items,
# index queries, DescribeTable, tags, TTL, the stream) and dynpg.verify is
# clean; every kind of operation works on them; and the extension's objects
# (tests/upgrade/catalog.sql: functions with their bodies, views, columns,
# privileges, operators, ...) equal those of a fresh CREATE EXTENSION dynpg.
# Also a pg_dump of each old database, restored into a database of the
# current version, answers the same.
use strict;
use warnings;

use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $files = dirname(__FILE__) . '/../upgrade';
my $node = dynpg_node('upgrade', no_extension => 1);

# Runs one of tests/upgrade/*.sql in a database; returns its output.
sub run_file
{
	my ($db, $file) = @_;
	my ($ret, $out, $err) = $node->psql($db, slurp_file("$files/$file"), on_error_die => 0);
	is($ret, 0, "$file runs in $db") or diag($err);
	return $ret == 0 ? $out : undef;
}

# On a difference, the lines only one side has.
sub same_lines
{
	my ($got, $want, $what) = @_;
	return fail("$what: no answer to compare") if !defined $got || !defined $want || $got eq '' || $want eq '';
	return pass($what) if $got eq $want;
	my (%g, %w);
	$g{$_}++ for split /\n/, $got;
	$w{$_}++ for split /\n/, $want;
	my @only_got = grep { !$w{$_} } sort keys %g;
	my @only_want = grep { !$g{$_} } sort keys %w;
	fail($what);
	diag("only after:\n  " . join("\n  ", @only_got) . "\nonly before:\n  " . join("\n  ", @only_want));
	return 0;
}

my $default = $node->safe_psql('postgres',
	"SELECT default_version FROM pg_available_extensions WHERE name = 'dynpg'");
my @sources = split /\n/, $node->safe_psql('postgres', qq{
	SELECT source FROM pg_extension_update_paths('dynpg')
	 WHERE target = '$default' AND path IS NOT NULL
	 ORDER BY string_to_array(source, '.')::int[]});
ok(scalar(grep { $_ eq '0.1' } @sources), "0.1 has an update path to $default (versions: @sources)");
note("updating from: @sources");

# The fresh install everything is compared with.
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION dynpg');
is($node->safe_psql('fresh', "SELECT extversion FROM pg_extension WHERE extname = 'dynpg'"),
	$default, "a fresh CREATE EXTENSION is at $default");
my $fresh_catalog = run_file('fresh', 'catalog.sql');
like($fresh_catalog, qr/^function function dynpg\.execute\(text,jsonb\)\nCREATE OR REPLACE FUNCTION dynpg\.execute/m,
	'the catalog lists functions with their definitions');
like($fresh_catalog, qr/^column table dynpg\.streams\./m, "and tables' columns");
like($fresh_catalog, qr/^view view dynpg\.tables\n/m, 'and views');
like($fresh_catalog, qr/^relation view dynpg\.tables .* acl \{[^}]*=r\//m, 'and privileges');

# The comparison sees a changed privilege, function body or column: a
# database whose extension objects were altered after CREATE EXTENSION.
my @alterations = (
	[ 'a changed privilege', 'GRANT EXECUTE ON FUNCTION dynpg._trim_streams(interval) TO PUBLIC' ],
	[ 'a changed function', q{CREATE OR REPLACE FUNCTION dynpg.version() RETURNS text LANGUAGE sql AS $$ SELECT '0.0' $$} ],
	[ "a table's new column", 'ALTER TABLE dynpg.stream_horizon ADD COLUMN extra int' ],
	[ 'a dropped function', 'ALTER EXTENSION dynpg DROP FUNCTION dynpg.page_reads(); DROP FUNCTION dynpg.page_reads()' ]);
for my $i (0 .. $#alterations)
{
	my ($what, $sql) = @{ $alterations[$i] };
	$node->safe_psql('postgres', "CREATE DATABASE altered$i");
	$node->safe_psql("altered$i", "CREATE EXTENSION dynpg; $sql");
	my $altered = run_file("altered$i", 'catalog.sql');
	ok(defined $altered && $altered ne $fresh_catalog, "the catalog comparison sees $what");
}

my $tmp = PostgreSQL::Test::Utils::tempdir;
for my $version (@sources)
{
	(my $db = "from_$version") =~ s/\W/_/g;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, "SET client_min_messages = warning; CREATE EXTENSION dynpg VERSION '$version'");
	is($node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'dynpg'"),
		$version, "$db starts at $version");
	run_file($db, 'fixture.sql');
	my $before = run_file($db, 'answers.sql');
	my $streams_before = run_file($db, 'streams.sql');
	like($before, qr/^upg_types \{"b":\{"B":"AAEC\/w=="\},"bs":\{"BS":\[.*"f":\{"BOOL":false\}.*"l":\{"L":\[.*"m":\{"M":\{.*"n":\{"N":.*"ns":\{"NS":\[.*"s":\{"S":.*"ss":\{"SS":\[.*"t":\{"BOOL":true\},"z":\{"NULL":true\}\}$/m,
		"$version: the fixture holds an item of every type");
	like($before, qr/^upg_blobs true\nupg_orders true\nupg_types true$/m, "$version: dynpg.verify is clean before the update");
	like($streams_before, qr/^\{"StreamDescription": .*"StreamStatus": "ENABLED"/m, "$version: the stream is enabled");
	my $stream_count = ($streams_before =~ /^(\d+) /m)[0] // 0;
	cmp_ok($stream_count, '==', 402, "$version: the stream holds a record per write");

	# a dump of the old database, restored below into the current version
	my $dump = "$tmp/$db.dump";
	$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr($db) ], "pg_dump of $db");

	$node->safe_psql($db, 'ALTER EXTENSION dynpg UPDATE');
	is($node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'dynpg'"),
		$default, "$version: ALTER EXTENSION dynpg UPDATE reaches $default");
	same_lines(run_file($db, 'answers.sql'), $before, "$version: the tables answer as before the update");
	same_lines(run_file($db, 'streams.sql'), $streams_before, "$version: the stream is as before the update");
	same_lines(run_file($db, 'catalog.sql'), $fresh_catalog,
		"$version: the updated extension's objects equal a fresh install's");

	my $ops = run_file($db, 'operations.sql');
	like($ops, qr/^put \{\}$/m, "$version: PutItem after the update");
	like($ops, qr/^update \{"Attributes": \{"visits": \{"N": "5"\}\}\}$/m, "$version: UpdateItem with a condition");
	like($ops, qr/^transact \{\}$/m, "$version: TransactWriteItems");
	like($ops, qr/^batch \{"UnprocessedItems": \{\}\}$/m, "$version: BatchWriteItem");
	like($ops, qr/^gsi \{"Count": 1, "Items": \[\{"visits": \{"N": "5"\}, "customer": \{"S": "after"\}\}\], "ScannedCount": 1\}$/m,
		"$version: the old GSI sees the new item");
	like($ops, qr/^lsi \{"Count": 1, "ScannedCount": 1\}$/m, "$version: the old LSI sees the new item");
	like($ops, qr/^stream INSERT \{"customer":\{"S":"after"\},"order_id":\{"N":"1"\}\} -\nstream MODIFY \S+ 5$/m,
		"$version: the old stream records the new writes");
	like($ops, qr/^partiql \{"Items": \[\{"k": \{"S": "after"\}, "ns": \{"NS": \["1", "3"\]\}\}\]\}$/m, "$version: PartiQL");
	like($ops, qr/^new gsi by-s$/m, "$version: a new GSI on an old table");
	like($ops, qr/^new gsi query \{"Count": 1, "Items": \[\{"k": \{"S": "every-type"\}, "s": \{"S": "text ünïcode ✓"\}\}\], "ScannedCount": 1\}$/m,
		"$version: it is backfilled from the old items");
	like($ops, qr/^new table ACTIVE\nnew table put no old item\nnew table get \{"k":\{"N":"1"\},"v":\{"S":"x"\}\}\ndelete DELETING$/m,
		"$version: a new table is created, written, read and deleted");
	like($ops, qr/^verify upg_blobs true\nverify upg_orders true\nverify upg_types true$/m,
		"$version: dynpg.verify is clean after the operations");

	# the old version's dump restored into a new database: CREATE EXTENSION in
	# the dump names no version, so it creates the current one
	my $restored = "restored_$db";
	$node->safe_psql('postgres', "CREATE DATABASE $restored");
	$node->command_ok([ 'pg_restore', '-d', $node->connstr($restored), $dump ], "pg_restore of the dump of $db");
	is($node->safe_psql($restored, "SELECT extversion FROM pg_extension WHERE extname = 'dynpg'"),
		$default, "$version: the restored dump has the extension at $default");
	same_lines(run_file($restored, 'answers.sql'), $before, "$version: the restored tables answer as the old ones did");
	same_lines(run_file($restored, 'catalog.sql'), $fresh_catalog, "$version: the restored extension's objects equal a fresh install's");
}

$node->stop;
done_testing();
