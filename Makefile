# dynpg: PGXS build.  See README.md for the two commands (run, test).

EXTENSION   = dynpg
MODULE_big  = dynpg
EXTVERSION  = 0.2

# One object list, by layer (src/README, "Floors"): each folder after those it uses.
OBJS = \
	src/dynpg.o \
	src/base/dynpg_error.o \
	src/base/dynpg_preload.o \
	src/base/dynpg_request.o \
	src/base/dynpg_json.o \
	src/types/base64.o \
	src/types/number.o \
	src/types/item.o \
	src/types/item_build.o \
	src/types/item_json_read.o \
	src/types/item_json_text.o \
	src/types/item_ion.o \
	src/types/item_jsonb.o \
	src/types/item_sql.o \
	src/types/key.o \
	src/types/hash.o \
	src/types/item_testing.o \
	src/storage/btpage.o \
	src/storage/btsearch.o \
	src/storage/btinsert.o \
	src/storage/btversion.o \
	src/storage/btscan.o \
	src/storage/btvacuum.o \
	src/storage/btverify.o \
	src/storage/btbuild.o \
	src/storage/btxlog.o \
	src/catalog/catalog.o \
	src/index/index_entry.o \
	src/am/dynpg_am.o \
	src/am/dynpg_read.o \
	src/am/dynpg_write.o \
	src/am/dynpg_bulk.o \
	src/am/dynpg_changelog.o \
	src/am/dynpg_stream.o \
	src/am/dynpg_ttl.o \
	src/am/dynpg_tidmap.o \
	src/am/dynpg_keyscan.o \
	src/expr/expr_reserved.o \
	src/expr/expr_parse.o \
	src/expr/expr_eval.o \
	src/expr/expr_legacy.o \
	src/expr/expr_key.o \
	src/partiql/partiql_parse.o \
	src/api/wire.o \
	src/api/table_ops.o \
	src/api/table_indexes.o \
	src/api/table_update.o \
	src/api/table_settings.o \
	src/api/stream_ops.o \
	src/api/item_common.o \
	src/api/item_ops.o \
	src/api/query_ops.o \
	src/api/batch_ops.o \
	src/api/transact_ops.o \
	src/api/partiql_ops.o \
	src/api/s3_location.o \
	src/api/export_ops.o \
	src/api/import_ops.o \
	src/api/replica.o \
	src/api/cluster.o \
	src/api/execute.o \
	src/indexer/index_apply.o \
	src/indexer/index_backfill.o \
	src/indexer/index_verify.o \
	src/worker/worker_shmem.o \
	src/worker/launcher.o \
	src/worker/index_worker.o \
	src/worker/database_guard.o \
	src/worker/worker_sql.o \
	src/http/sigv4.o \
	src/http/http_main.o \
	src/http/http_keys.o \
	src/http/http_request.o \
	src/http/http_server.o

# 0.1 is the released script (frozen: never edit it); each later version is an
# update script from the one before, which CREATE EXTENSION chains (src/README).
DATA = sql/dynpg--0.1.sql sql/dynpg--0.1--0.2.sql

# pg_regress suites (sql/<name>.sql, expected/<name>.out)
REGRESS = \
	preload \
	item_io \
	number_normalization \
	item_validation \
	item_functions \
	item_compare \
	keys \
	errors \
	property \
	tables \
	indexes \
	update_table \
	tags \
	ttl_config \
	export \
	ttl_sweep \
	streams \
	table_settings \
	item_api \
	storage \
	leaf_shifts \
	sql_update_delete \
	import \
	export_import \
	bulk_load \
	ion \
	export_incremental \
	differential \
	expr_conditions \
	expr_update \
	expr_sql \
	expr_fuzz \
	expr_legacy \
	query \
	json_responses \
	scan \
	scan_stream \
	keyscan \
	index_reads \
	multi_key_gsi \
	batch \
	transactions \
	partiql_select \
	partiql_write \
	partiql_batch_transaction \
	partiql_fuzz \
	item_collection_metrics \
	vacuum \
	index_worker \
	read_replicas \
	security \
	extension_drop
# Every suite runs against a private throwaway cluster preloading dynpg
# (tests/dynpg.conf); nothing here touches an installed server.
REGRESS_OPTS = --temp-instance=./tmp_check_regress --temp-config=./tests/dynpg.conf \
	--load-extension=dynpg

# pg_isolation_regress specs: tests/specs/<name>.spec, expected output
# tests/expected/<name>.out (kept apart from pg_regress's expected/).
ISOLATION = item_concurrent_cast \
	concurrent_put_same_key \
	put_vs_delete \
	reader_during_writer \
	rr_stable_under_splits \
	savepoint_rollback \
	serializable_write_skew \
	scroll_cursor_under_splits \
	conditional_put_race \
	query_rr_under_splits \
	scan_stream_cursor \
	scan_during_merges \
	backfill_vs_write \
	transact_overlap \
	stream_horizon \
	transact_vs_single \
	transact_get_snapshot \
	sql_update_vs_api \
	sql_row_locks
ISOLATION_OPTS = --temp-instance=./tmp_check_iso --temp-config=./tests/dynpg.conf \
	--temp-config=./tests/isolation.conf \
	--inputdir=./tests --load-extension=dynpg

# TAP tests (tests/t/*.pl, PostgreSQL::Test::Cluster).  PGXS runs them from the
# top directory; PROVE_TESTS (set below) points it at tests/t/.
TAP_TESTS = 1

EXTRA_CLEAN = tmp_check_regress tmp_check_pgtap tmp_check_suites $(OBJS:.o=.d)

# Debian's /usr/bin/pg_config follows the newest server-dev package installed;
# dynpg targets PostgreSQL 15, so prefer its pg_config.
PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PG_CPPFLAGS = -I$(srcdir)/src
# The HTTP endpoint (src/http): libmicrohttpd for HTTP framing, OpenSSL's
# libcrypto for SHA-256 and HMAC (SigV4), zlib for gzip bodies and CRC32.
# ImportTable's input: libdeflate inflates GZIP files, libzstd ZSTD files.
SHLIB_LINK += -lmicrohttpd -lcrypto -lz -lzstd -ldeflate
# libpq, as dblink and postgres_fdw link it: reads from standbys (src/api/replica.c)
# and a cluster router's two-phase commit over its own connections (src/api/cluster.c).
PG_CPPFLAGS += -I$(libpq_srcdir)
SHLIB_LINK_INTERNAL += $(libpq)
# Header dependencies: gcc writes src/.../<file>.d beside each object, so a header
# change rebuilds what includes it (Debian's PGXS has 'autodepend' off).
# (The .d files are included after PGXS, below, so that 'all' stays the default goal.)
PG_CPPFLAGS += -MMD -MP
# make valgrind-check builds with DYNPG_VALGRIND=1: dynpg's own valgrind client
# requests (utils/memdebug.h, e.g. every tuple written to a page checked to be
# defined) are compiled in; PostgreSQL itself is Debian's, unchanged.
ifeq ($(DYNPG_VALGRIND),1)
PG_CPPFLAGS += -DUSE_VALGRIND
endif
# Strict warnings; only what PostgreSQL's own headers trip over is silenced.
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers -Wno-clobbered
# No LLVM bitcode: JIT inlining of dynpg is not needed, and it keeps clang out of the build.
# ('override': PGXS's Makefile.global would otherwise set it back to yes.)
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)
else
# No pg_config yet (fresh machine): only 'make test', which installs the
# packages first, can work.
all install installcheck:
	@echo "pg_config not found: run 'make test' (as root it installs the Debian packages)," >&2
	@echo "or 'apt-get install postgresql-server-dev-15'." >&2
	@exit 1
endif

-include $(OBJS:.o=.d)

# PGXS's prove_installcheck runs t/*.pl from the top directory; ours live in
# tests/t/.  Run one file with: make installcheck-tap PROVE_TESTS=tests/t/<file>.pl
PROVE_TESTS = $(wildcard tests/t/*.pl)
PG_PROVE_FLAGS += -I $(srcdir)/tests

# pgTAP tests (tests/pgtap/*.sql, run by scripts/pgtap-check.sh with pg_prove).
PGTAP_TESTS = $(wildcard tests/pgtap/*.sql)

.PHONY: fuzz-expr test test-suites test-list installcheck-regress installcheck-isolation \
	installcheck-tap installcheck-pgtap valgrind-check sanitize-check bench fuzz fuzz-http valgrind-http \
	layer-check torture soak

# The README's test command: installs what is missing, builds, installs, and runs
# every suite as an unprivileged user in a scratch copy of the tree.
test:
	@bash ./scripts/test.sh

# What scripts/test.sh runs (as an unprivileged user, after 'make install'):
# all four suites, their failures, and the "N passed, N failed" line.
test-suites:
	@bash ./scripts/run-suites.sh

# One suite at a time (after 'make install'; not as root).  'make installcheck'
# is PGXS's own: regress, isolation and TAP in a row.
installcheck-regress:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)

installcheck-isolation:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)

installcheck-tap:
	$(prove_installcheck)

installcheck-pgtap:
	@bash ./scripts/pgtap-check.sh $(PGTAP_TESTS)

# The tests scripts/run-suites.sh runs and counts (one that never ran counts as failed).
test-list:
	@for t in $(REGRESS); do echo "regress $$t"; done
	@for t in $(ISOLATION); do echo "isolation $$t"; done
	@for t in $(PROVE_TESTS); do echo "tap $$t"; done
	@for t in $(PGTAP_TESTS); do echo "pgtap $$t"; done

# Longer checks, not part of 'make test': every suite (or those DYNPG_SUITES,
# REGRESS, ... pick) with the server under valgrind memcheck (hours for all of
# them; VALGRIND_TESTS="a b" for some regress suites), each in a private
# relocated PostgreSQL copy with dynpg built into it (the installed one is left
# alone); and the benchmarks of tests/bench/ against the scripts/dynpg-run.sh cluster.
valgrind-check:
	@bash ./scripts/valgrind-check.sh

# Every suite (or those DYNPG_SUITES, REGRESS, ... pick) against dynpg built with
# AddressSanitizer and UBSan, in a private relocated PostgreSQL copy.
sanitize-check:
	@bash ./scripts/sanitize-check.sh

# src/'s folder layering: the folder graph, and a failure on a cycle (src/README, "Floors").
layer-check:
	@bash ./scripts/layer-check.sh

bench:
	@bash ./tests/bench/item_conversion.sh
	@bash ./tests/bench/query_scan.sh
	@bash ./tests/bench/scan_stream.sh
	@bash ./tests/bench/bulk.sh
	@bash ./tests/bench/leaf_fill.sh
	@bash ./tests/bench/transact_write.sh
	@bash ./tests/bench/http.sh
	@bash ./tests/bench/partiql.sh

# Crash torture and soak (tests/torture/README), each run like 'make test':
# TORTURE_CYCLES cycles (default 100) of concurrent writers and a crash at a
# random moment with every check after the restart; SOAK_SECONDS (default
# 1800) of mixed SQL and HTTP load with throughput, memory, relation size and
# server log watched.  Their smoke versions are tests/t/050_* and 051_*.
torture:
	@TORTURE_CYCLES=$(or $(TORTURE_CYCLES),100) bash ./scripts/torture.sh

soak:
	@SOAK_SECONDS=$(or $(SOAK_SECONDS),1800) bash ./scripts/soak.sh

# Coverage-guided fuzzing of every parser (scripts/fuzz.sh, tests/fuzz/README):
# FUZZ_RUNS executions per target (default 10,000,000) or FUZZ_SECONDS,
# FUZZ_TARGETS to pick targets; exits non-zero on a crash and keeps the input.  fuzz-http runs the
# HTTP endpoint's targets (sigv4, json, http), 600 s each by default.  Then
# the endpoint's workers under valgrind while real clients drive them.
fuzz:
	@bash ./scripts/fuzz.sh $(FUZZ_TARGETS)

fuzz-http:
	@bash ./scripts/fuzz-http.sh $(or $(FUZZ_SECONDS),600)

valgrind-http: all
	@bash ./scripts/valgrind-http.sh

# The expression parser's robustness test at scale (about a million cases).
fuzz-expr: all
	@bash ./scripts/fuzz-expr.sh
