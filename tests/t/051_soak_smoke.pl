# Soak, smoke version (make soak runs 30 minutes: tests/torture/README): 30
# seconds in 5-second intervals of mixed load through SQL (pgbench) and
# through the HTTP endpoint (200 connections opening and closing), with
# throughput, every server process's private memory, the tables' size and
# the server log watched, and dynpg.verify afterwards.  The throughput
# tolerance is 50% here (5-second intervals on a shared machine; make soak
# uses 20% over minutes).
use strict;
use warnings;

use Test::More;
use DynpgSoak;

DynpgSoak::run(seconds => 30, interval => 5, tolerance => 0.5);
done_testing();
