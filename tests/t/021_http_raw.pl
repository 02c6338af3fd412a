# The HTTP endpoint under bad and unusual input over raw sockets
# (tests/http/raw_http.py): garbage, truncated and lying bodies, a 17 MB
# body, 20 KB of headers, a request split into many packets, a silent
# client, 200 concurrent connections, pipelining, gzip, 100-continue,
# chunked bodies, and SigV4 failures (wrong secret, unknown key, expired
# date, unsigned header, replay with a changed body).  Afterwards the
# workers still serve and the log shows no crash and no unexpected error.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use DynpgTest;

my $port = PostgreSQL::Test::Cluster::get_free_port();
my $node = dynpg_node('http_raw', conf => qq{
dynpg.http_port = $port
dynpg.http_workers = 2
dynpg.http_database = 'postgres'
dynpg.http_max_connections = 1000
max_worker_processes = 16
});

$node->safe_psql('postgres', q{
	CREATE ROLE app;
	GRANT CREATE ON SCHEMA dynamodb TO app;
});
my ($key, $secret) = split /\|/, $node->safe_psql('postgres',
	"SELECT access_key_id || '|' || secret_access_key FROM dynpg.create_access_key('app')");
ok($node->poll_query_until('postgres', 'SELECT count(*) = 2 FROM dynpg.http_status'),
	'two HTTP workers run');
my $pids_before = $node->safe_psql('postgres', 'SELECT string_agg(pid::text, \',\' ORDER BY pid) FROM dynpg.http_status');

local $ENV{DYNPG_HOST} = '127.0.0.1';
local $ENV{DYNPG_PORT} = $port;
local $ENV{AWS_ACCESS_KEY_ID} = $key;
local $ENV{AWS_SECRET_ACCESS_KEY} = $secret;
local $ENV{AWS_CONFIG_FILE} = '/dev/null';
local $ENV{AWS_SHARED_CREDENTIALS_FILE} = '/dev/null';

my ($stdout, $stderr);
my $ok = IPC::Run::run(['/usr/bin/python3', 'tests/http/raw_http.py'],
	'>', \$stdout, '2>', \$stderr);
my $checks = 0;
foreach my $line (split /\n/, $stdout)
{
	if ($line =~ /^ok - (.*)$/) { pass($1); $checks++; }
	elsif ($line =~ /^not ok - (.*)$/) { fail($1); $checks++; }
}
ok($checks >= 20, "raw_http.py ran its checks ($checks)") or diag($stderr);
ok($ok, 'raw_http.py exited 0') or diag($stderr);

# the same workers serve: nothing crashed and had to be restarted
is($node->safe_psql('postgres', 'SELECT string_agg(pid::text, \',\' ORDER BY pid) FROM dynpg.http_status'),
	$pids_before, 'the same two workers serve after all of it');

my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal|server process .* was terminated/,
	'the server log shows no crash');
unlike($log, qr/ERROR:.*(?:unexpected|invalid memory alloc|could not)/,
	'the server log shows no unexpected error');

done_testing();
