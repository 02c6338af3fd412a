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

my ($node, $port, $key, $secret) = http_node('http_raw', workers => 2, conf => qq{
dynpg.http_max_connections = 1000
});
my $pids_before = $node->safe_psql('postgres', 'SELECT string_agg(pid::text, \',\' ORDER BY pid) FROM dynpg.http_status');

my %env = client_env($port, $key, $secret);
local @ENV{keys %env} = values %env;

my $stderr = run_client_checks(['/usr/bin/python3', 'tests/http/raw_http.py'], min => 20);

# the same workers serve: nothing crashed and had to be restarted
is($node->safe_psql('postgres', 'SELECT string_agg(pid::text, \',\' ORDER BY pid) FROM dynpg.http_status'),
	$pids_before, 'the same two workers serve after all of it');

my $log = slurp_file($node->logfile);
unlike($log, qr/TRAP:|PANIC|terminated by signal|server process .* was terminated/,
	'the server log shows no crash');
unlike($log, qr/ERROR:.*(?:unexpected|invalid memory alloc|could not)/,
	'the server log shows no unexpected error');

done_testing();
