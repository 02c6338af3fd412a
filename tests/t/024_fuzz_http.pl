# The HTTP endpoint's parsing paths under libFuzzer for a bounded time
# (scripts/fuzz-http.sh, i.e. scripts/fuzz.sh's targets sigv4, json, http,
# http_request: SigV4 headers, request JSON, HTTP framing in libmicrohttpd,
# the processing of a request up to its operation), with AddressSanitizer
# and UBSan: no crash, no leak, no
# undefined behaviour, and each harness ran inputs.  The long run is the
# script by hand (default 600 s per harness).
use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;

my $secs = $ENV{DYNPG_FUZZ_SECONDS} // 10;
my ($stdout, $stderr);
my $ok = IPC::Run::run(['bash', 'scripts/fuzz-http.sh', $secs], '>', \$stdout, '2>', \$stderr);
note($stdout);
for my $h (qw(sigv4 json http http_request))
{
	like($stdout, qr/^fuzz $h: [1-9][0-9]* inputs in [0-9]+s, 0 crashes \(exit status 0\); cov [1-9][0-9]* ft [0-9]+ corpus [0-9]+$/m,
		"fuzz_$h ran inputs for ${secs}s without a crash") or diag($stderr);
}
ok($ok, 'scripts/fuzz-http.sh exited 0') or diag($stderr);

done_testing();
