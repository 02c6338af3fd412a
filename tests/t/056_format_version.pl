# The on-disk format's version: each dynpg relation's metapage (block 0)
# carries its format version and hash version (src/storage/dynpg_bt.h).  A
# relation stamped with a version this dynpg does not read -- a newer one, as
# a newer dynpg would write, or an older one -- or with a damaged metapage is
# refused when it is read, with an error naming the table, the version, the
# versions this dynpg reads and what to do (SQLSTATE 0A000, or XX002 for
# damage), never misread; dynpg.verify reports it; the server stays up and
# other tables are unaffected; with the original bytes back, the table reads
# as before.  The metapage is stamped in the relation file while the server
# is stopped.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $node = dynpg_node('format_version');
create_range_table($node, 'fmt_table');
create_range_table($node, 'fmt_other');
for my $t ('fmt_table', 'fmt_other')
{
	$node->safe_psql('postgres', put_sql($t,
		"jsonb_build_object('p', 'p' || (i % 5), 's', lpad(i::text, 8, '0'), 'v', i)") . ' FROM generate_series(1, 500) i');
}
my $digest = digest($node, 'fmt_table');
my $other_digest = digest($node, 'fmt_other');
my $file = $node->data_dir . '/' . $node->safe_psql('postgres', "SELECT pg_relation_filepath('dynamodb.fmt_table')");

# The metapage's fields: the page header is 24 bytes, then DynBtMetaPageData
# (magic, format_version, hash_version, root, root_level, pad, next_vid); the
# special space (left, right, level, flags, page_id) ends the page.
my %offset = (magic => 24, format_version => 28, hash_version => 32, root => 36, flags => 8192 - 4);

sub read_bytes
{
	my ($offset, $len) = @_;
	open(my $fh, '<', $file) or die "cannot open $file: $!";
	binmode $fh;
	seek($fh, $offset, 0) or die "seek: $!";
	read($fh, my $bytes, $len) == $len or die "short read";
	close $fh;
	return $bytes;
}

sub write_bytes
{
	my ($offset, $bytes) = @_;
	open(my $fh, '+<', $file) or die "cannot open $file: $!";
	binmode $fh;
	seek($fh, $offset, 0) or die "seek: $!";
	print $fh $bytes;
	close $fh;
}

$node->stop;
is(unpack('V', read_bytes($offset{magic}, 4)), 0x44594E42, 'the metapage starts with the magic number "DYNB"');
is(unpack('V', read_bytes($offset{format_version}, 4)), 2, 'and carries format version 2');
is(unpack('V', read_bytes($offset{hash_version}, 4)), 1, 'and hash version 1');
$node->start;

my $get = q{SELECT dynpg.get_item('{"TableName": "fmt_table", "Key": {"p": {"S": "p1"}, "s": {"S": "00000001"}}}')};
my $put = q{SELECT dynpg.put_item('{"TableName": "fmt_table", "Item": {"p": {"S": "new"}, "s": {"S": "new"}}}')};
my @stamps = (
	[ 'a newer format version', format_version => pack('V', 3), '0A000',
		qr/ERROR:  0A000: dynpg table "fmt_table" has on-disk format version 3, which is newer than this dynpg reads\nDETAIL:  dynpg [0-9.]+ reads format version 2, hash version 1\.\nHINT:  The table was written by a newer dynpg: read it with that version, or dump it with pg_dump there and restore the dump here\./,
		qr/on-disk format version 3, which this dynpg does not read \(it reads format version 2, hash version 1\)/ ],
	[ 'a newer hash version', hash_version => pack('V', 2), '0A000',
		qr/ERROR:  0A000: dynpg table "fmt_table" has on-disk hash version 2, which is newer than this dynpg reads\nDETAIL:  dynpg [0-9.]+ reads format version 2, hash version 1\.\nHINT:  The table was written by a newer dynpg/,
		qr/on-disk hash version 2, which this dynpg does not read/ ],
	[ 'an older format version', format_version => pack('V', 1), '0A000',
		qr/ERROR:  0A000: dynpg table "fmt_table" has on-disk format version 1, which this dynpg no longer reads\nDETAIL:  dynpg [0-9.]+ reads format version 2, hash version 1\.\nHINT:  Dump the table with pg_dump on a server running the dynpg that wrote it, and restore the dump here\./,
		qr/on-disk format version 1, which this dynpg does not read/ ],
	[ 'a damaged magic number', magic => 'NOTD', 'XX002',
		qr/ERROR:  XX002: dynpg table "fmt_table" has a damaged metapage: bad magic number 44544f4e\nHINT:  The table may be damaged; dynpg.verify\(\) reports on it\./,
		qr/damaged metapage: bad magic number 44544f4e/ ],
	[ 'a metapage not marked as one', flags => pack('v', 0), 'XX002',
		qr/ERROR:  XX002: dynpg table "fmt_table" has a damaged metapage: block 0 is not marked as the metapage \(flags 0000, level 0\)/,
		qr/damaged metapage: block 0 is not marked as the metapage/ ],
	[ 'a root pointing at the metapage', root => pack('V', 0), 'XX002',
		qr/ERROR:  XX002: dynpg table "fmt_table" has a damaged metapage: root block 0/,
		qr/damaged metapage: root block 0/ ],
);
for my $s (@stamps)
{
	my ($what, $field, $bytes, $sqlstate, $error, $verify) = @$s;
	$node->stop;
	my $original = read_bytes($offset{$field}, length($bytes));
	write_bytes($offset{$field}, $bytes);
	$node->start;

	for my $read ([ 'GetItem', $get ], [ 'a SELECT', 'SELECT count(*) FROM dynamodb.fmt_table' ], [ 'PutItem', $put ],
		[ 'a Scan', q{SELECT dynpg.scan('{"TableName": "fmt_table"}')} ])
	{
		my ($ret, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n$read->[1]");
		isnt($ret, 0, "$what: $read->[0] is refused");
		like($err, $error, "$what: $read->[0] fails with SQLSTATE $sqlstate and says why");
	}
	my $report = $node->safe_psql('postgres', "SELECT dynpg.verify('fmt_table')");
	like($report, qr/"ok": false/, "$what: dynpg.verify reports a problem");
	like($report, $verify, "$what: dynpg.verify says which");
	is(digest($node, 'fmt_other'), $other_digest, "$what: another table reads as before");
	is($node->safe_psql('postgres', 'SELECT 1'), '1', "$what: the server is up");

	$node->stop;
	write_bytes($offset{$field}, $original);
	$node->start;
	is(digest($node, 'fmt_table'), $digest, "$what: with the original bytes back, the table reads as before");
}
my ($ok, $report) = verify_ok($node, 'fmt_table');
ok($ok, 'dynpg.verify is clean at the end') or diag($report);
is($node->safe_psql('postgres', 'SELECT count(*) FROM dynamodb.fmt_table'), '500', 'and no write got through');
$node->stop;
done_testing();
