# dynpg's parsers under libFuzzer for a few seconds each (scripts/fuzz.sh's
# targets other than the HTTP endpoint's, which 024_fuzz_http.pl runs): the
# item's DynamoDB JSON text, the item's binary form, numbers, base64, key
# encoding, the expression languages, PartiQL and request reading, with
# AddressSanitizer and UBSan and each harness's property checks (round
# trips, key order, equal numbers encoding equally; tests/fuzz/README).
# Every target must run inputs, reach coverage and crash on none; each first
# replays every crash found so far (tests/fuzz/crashes/<target>), so a
# regression fails here.  The
# long run is 'make fuzz' (FUZZ_SECONDS or FUZZ_RUNS per target).
use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;

my @targets = qw(item_json item_binary number base64 key expr partiql request);
my $secs = $ENV{DYNPG_FUZZ_SECONDS} // 3;
my ($stdout, $stderr);
local $ENV{FUZZ_SECONDS} = $secs;
delete local $ENV{FUZZ_RUNS};
my $ok = IPC::Run::run(['bash', 'scripts/fuzz.sh', @targets], '>', \$stdout, '2>', \$stderr);
note($stdout);
for my $t (@targets)
{
	like($stdout,
		qr/^fuzz $t: [1-9][0-9]* inputs in [0-9]+s, 0 crashes \(exit status 0\); cov [1-9][0-9]* ft [0-9]+ corpus [0-9]+$/m,
		"fuzz_$t ran inputs for ${secs}s without a crash") or diag($stderr);
}
ok($ok, 'scripts/fuzz.sh exited 0') or diag($stderr);

done_testing();
