# Crash torture, smoke version (make torture runs 100 cycles: tests/torture/README):
# three cycles of concurrent writers through dynpg's SQL API, each ended by
# an immediate stop or kill -9 of the postmaster -- during a B-tree split
# (PANIC right after its WAL record), a GSI backfill and a bulk load -- then
# every acknowledged write checked against the writers' ledgers, nothing
# half-present, streams, indexes, dynpg.verify and a standby compared.
use strict;
use warnings;

use Test::More;
use DynpgTorture;

DynpgTorture::run(cycles => 3, seed => $ENV{TORTURE_SEED}, modes => [qw(split backfill bulk)]);
done_testing();
