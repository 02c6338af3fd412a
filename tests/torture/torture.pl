# make torture: TORTURE_CYCLES cycles (default 100) of concurrent writers and
# a crash at a random moment, with the checks of tests/DynpgTorture.pm
# (tests/torture/README).  TORTURE_SEED repeats a run's random choices;
# TORTURE_REPORT names the file that receives the per-cycle table;
# TORTURE_MODES (e.g. "split") runs only those disturbances, in turn.
use strict;
use warnings;

use Test::More;
use DynpgTorture;

DynpgTorture::run(cycles => $ENV{TORTURE_CYCLES} || 100, seed => $ENV{TORTURE_SEED},
	report => $ENV{TORTURE_REPORT},
	$ENV{TORTURE_MODES} ? (modes => [ split ' ', $ENV{TORTURE_MODES} ]) : ());
done_testing();
