# make soak: SOAK_SECONDS (default 1800) of mixed SQL and HTTP load in
# SOAK_INTERVAL-second intervals (default 60), with the checks of
# tests/DynpgSoak.pm (tests/torture/README).  SOAK_REPORT names the file that
# receives the table; SOAK_TOLERANCE (default 0.2) the throughput bound.
use strict;
use warnings;

use Test::More;
use DynpgSoak;

DynpgSoak::run(seconds => $ENV{SOAK_SECONDS} || 1800, interval => $ENV{SOAK_INTERVAL} || 60,
	tolerance => $ENV{SOAK_TOLERANCE} || 0.2, report => $ENV{SOAK_REPORT});
done_testing();
