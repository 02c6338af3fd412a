# dynpg.verify() on damaged tables: it reports the damage and never crashes
# the server, whatever the bytes of the pages are.  The relation file of a
# stopped cluster is damaged in several ways, one copy of the table each.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $node = dynpg_node('damaged');
my @damages = (
	[ 'garbage in the item area of a leaf', sub { my ($f, $blk) = @_; poke($f, $blk * 8192 + 4000, 'X' x 600) } ],
	[ 'a zeroed special space (page kind unknown)', sub { my ($f, $blk) = @_; poke($f, $blk * 8192 + 8192 - 16, "\0" x 16) } ],
	[ 'a line pointer pointing past the page', sub { my ($f, $blk) = @_; poke($f, $blk * 8192 + 24, "\xff\xff\xff\x7f") } ],
	[ 'a broken page header', sub { my ($f, $blk) = @_; poke($f, $blk * 8192 + 12, "\xff\xff\x00\x00\xff\xff") } ],
	[ 'a right-link to a block that does not exist', sub { my ($f, $blk) = @_; poke($f, $blk * 8192 + 8192 - 12, "\xfe\xff\xff\x0f") } ],
	[ 'random bytes over a whole page', sub { my ($f, $blk) = @_; poke($f, $blk * 8192, join('', map { chr(int(rand(256))) } 1 .. 8192)) } ],
	[ 'a damaged metapage', sub { my ($f, $blk) = @_; poke($f, 24, 'NOTDYNPG') } ],
);

sub poke
{
	my ($file, $offset, $bytes) = @_;
	open(my $fh, '+<', $file) or die "cannot open $file: $!";
	binmode $fh;
	seek($fh, $offset, 0) or die "seek: $!";
	print $fh $bytes;
	close $fh;
}

srand(20261124);
my $i = 0;
for my $d (@damages)
{
	my ($what, $damage) = @$d;
	my $table = "damaged$i";
	$i++;
	create_range_table($node, $table);
	$node->safe_psql('postgres', put_sql($table,
		"jsonb_build_object('p', 'p' || (i % 7), 's', lpad(i::text, 40, '0'), 'pad', repeat('d', 200))")
		  . " FROM generate_series(1, 3000) i");
	my ($ok) = verify_ok($node, $table);
	ok($ok, "$table is clean before the damage");
	my $file = $node->data_dir . '/' . $node->safe_psql('postgres', "SELECT pg_relation_filepath('dynamodb.$table')");
	my $blocks = $node->safe_psql('postgres', "SELECT pg_relation_size('dynamodb.$table') / 8192");
	$node->stop;
	# a block in the middle of the tree (not the metapage, unless that is the point)
	$damage->($file, 1 + int($blocks / 2));
	$node->start;
	my ($ret, $out, $err) = $node->psql('postgres', "SELECT dynpg.verify('$table')");
	is($ret, 0, "$what: dynpg.verify answers") or diag($err);
	like($out, qr/"ok": false/, "$what: dynpg.verify reports a problem") or diag($out);
	# reading the damaged table fails cleanly or succeeds; the server stays up
	$node->psql('postgres', "SELECT count(*) FROM dynamodb.$table");
	is($node->safe_psql('postgres', 'SELECT 1'), '1', "$what: the server is still up");
	$node->safe_psql('postgres', "DROP TABLE dynamodb.$table");
}
$node->stop;
done_testing();
