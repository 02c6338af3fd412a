# Items near DynamoDB's 400 KB limit go out of line into the table's TOAST
# relation; replacing, deleting and vacuuming them leaves nothing orphaned.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use DynpgTest;

my $node = dynpg_node('large');
create_hash_table($node, 'large');
my $toast = $node->safe_psql('postgres',
	"SELECT reltoastrelid::regclass FROM pg_class WHERE oid = 'dynamodb.large'::regclass");
isnt($toast, '-', 'the table has a TOAST relation');

# ~400 KB of incompressible text per item (md5 strings)
my $big = "(SELECT string_agg(md5(j::text || i::text), '') FROM generate_series(1, 12700) j)";
$node->safe_psql('postgres', put_sql('large', "jsonb_build_object('p', 'k' || i, 'v', $big)")
	  . " FROM generate_series(1, 30) i");
is($node->safe_psql('postgres', 'SELECT count(*), min(dynpg.item_size(item)) > 400000 FROM dynamodb.large'),
	'30|t', '30 items of more than 400,000 bytes stored');
ok($node->safe_psql('postgres', "SELECT count(*) FROM $toast") > 0, 'their payloads are out of line');
is($node->safe_psql('postgres',
		"SELECT dynpg.item_size(dynpg.from_plain_json(jsonb_build_object('p', 'k7', 'v', " . ($big =~ s/\bi\b/7/gr) . ")))"
		  . " = dynpg.item_size((dynpg.get_item('{\"TableName\":\"large\",\"Key\":{\"p\":{\"S\":\"k7\"}}}') -> 'Item')::dynpg.item)"),
	't', 'an item reads back whole');

# replace half, delete the rest, vacuum: no TOAST rows left but the small replacements'
$node->safe_psql('postgres', put_sql('large', "jsonb_build_object('p', 'k' || i, 'v', 'small')")
	  . " FROM generate_series(1, 15) i");
$node->safe_psql('postgres',
	"SELECT dynpg.delete_item(jsonb_build_object('TableName', 'large', 'Key', jsonb_build_object('p', jsonb_build_object('S', 'k' || i)))) FROM generate_series(16, 30) i");
$node->safe_psql('postgres', 'VACUUM dynamodb.large');
is($node->safe_psql('postgres', "SELECT count(*) FROM $toast"), '0', 'no orphaned TOAST rows after VACUUM');
is($node->safe_psql('postgres', 'SELECT count(*) FROM dynamodb.large'), '15', '15 small items remain');
my ($ok, $report) = verify_ok($node, 'large');
ok($ok, 'dynpg.verify is clean') or diag($report);

# an item one byte over the limit is refused, nothing written
my ($ret, $out, $err) = $node->psql('postgres', put_sql('large',
	"jsonb_build_object('p', 'x', 'v', repeat('y', 409600 - 2))"));
like($err, qr/Item size has exceeded the maximum allowed size/, 'an item over 400 KB is refused');
is($node->safe_psql('postgres', "SELECT count(*) FROM dynamodb.large WHERE dynpg.attr_text(item, 'p') = 'x'"),
	'0', 'and nothing is written');
$node->stop;
done_testing();
