# dynpg works only when preloaded, and a preloaded server comes back after an
# immediate (crash) stop with the extension usable.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('preloaded');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'dynpg'");
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION dynpg');
my $version = $node->safe_psql('postgres', 'SELECT dynpg.version()');
isnt($version, '', "dynpg.version() returns a version ('$version')");

$node->stop('immediate');
$node->start;
is($node->safe_psql('postgres', 'SELECT dynpg.version()'),
	$version, 'dynpg.version() answers the same after crash recovery');
$node->stop;

my $plain = PostgreSQL::Test::Cluster->new('not_preloaded');
$plain->init;
$plain->start;
my ($ret, $stdout, $stderr) =
  $plain->psql('postgres', 'CREATE EXTENSION dynpg');
isnt($ret, 0, 'CREATE EXTENSION dynpg fails without shared_preload_libraries');
like($stderr, qr/shared_preload_libraries/,
	'the error tells the user to set shared_preload_libraries');
is($plain->safe_psql('postgres',
		"SELECT count(*) FROM pg_extension WHERE extname = 'dynpg'"),
	'0', 'the failed CREATE EXTENSION left nothing behind');
$plain->stop;

done_testing();
