# Shared helpers for scripts/test.sh, scripts/run-suites.sh, scripts/pgtap-check.sh
# and scripts/dynpg-run.sh.  Source it; it defines functions and variables only.
#
# Everything here targets PostgreSQL 15 from Debian 12's own packages.

DYNPG_PG_MAJOR=15
# (DYNPG_PG_BINDIR from the environment: a private PostgreSQL copy to test against)
DYNPG_PG_BINDIR="${DYNPG_PG_BINDIR:-/usr/lib/postgresql/$DYNPG_PG_MAJOR/bin}"
DYNPG_PG_CONFIG="$DYNPG_PG_BINDIR/pg_config"

# What building, installing, running and testing dynpg needs.  libc6-dev is only a
# Recommends of gcc; perl provides prove.  The HTTP endpoint links libmicrohttpd
# (HTTP framing), libcrypto (SigV4's SHA-256 and HMAC) and zlib (gzip bodies);
# ImportTable reads GZIP input with zlib and ZSTD input with libzstd (its
# regress suite compresses fixtures with the zstd command);
# its tests drive it with python3-boto3, awscli and the AWS SDK for JavaScript
# (Node and npm: Debian's nodejs and npm unless a Node with npm is already on
# PATH, as NodeSource's is); the run script checks it with curl;
# tests/bench/http.sh loads it with wrk; clang and libclang-rt-14-dev build the
# fuzz harnesses (libFuzzer, AddressSanitizer).
DYNPG_PACKAGES=(
	make gcc libc6-dev perl
	"postgresql-$DYNPG_PG_MAJOR"
	"postgresql-server-dev-$DYNPG_PG_MAJOR"
	"postgresql-$DYNPG_PG_MAJOR-pgtap"
	"postgresql-$DYNPG_PG_MAJOR-plproxy"
	libtap-parser-sourcehandler-pgtap-perl
	libipc-run-perl
	libmicrohttpd-dev libssl-dev zlib1g-dev libzstd-dev zstd libdeflate-dev
	python3-boto3 awscli curl wrk
	clang libclang-rt-14-dev
)
command -v npm >/dev/null 2>&1 || DYNPG_PACKAGES+=(nodejs npm)

dynpg_say() { printf '%s\n' "$*"; }
dynpg_die() { printf 'error: %s\n' "$*" >&2; exit 2; }

dynpg_is_root() { [ "$(id -u)" -eq 0 ]; }

# DYNPG_VERBOSE=1: every step's output (apt, compiler lines, ...) as it comes.
# Otherwise a step says one line and keeps its output in a log (dynpg_step).
DYNPG_VERBOSE=${DYNPG_VERBOSE:-0}

# Runs "$@" (a command or a function that does not exit the script) as the step
# described by $1, and returns its exit status.  Verbose, its output goes to
# the terminal.  Quiet, it goes to a log file, deleted when the step succeeds;
# when it fails, the log's last 40 lines go to stderr with the log's path, so
# a quiet run never hides why it stopped.
dynpg_step() {
	local what=$1 log rc=0
	shift
	if [ "$DYNPG_VERBOSE" = 1 ]; then
		"$@" || rc=$?
		[ "$rc" -eq 0 ] || printf 'error: %s failed (exit status %s)\n' "$what" "$rc" >&2
		return "$rc"
	fi
	log=$(mktemp "${TMPDIR:-/tmp}/dynpg-${what// /-}.XXXXXX")
	"$@" >"$log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		{
			printf 'error: %s failed (exit status %s); the end of its output:\n' "$what" "$rc"
			tail -n 40 "$log" | sed 's/^/  | /'
			printf 'all of it is in %s\n' "$log"
		} >&2
		return "$rc"
	fi
	rm -f "$log"
}

# The version of Debian package $1 installed, or nothing (never fails).
dynpg_installed_version() {
	{ dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null || true; } |
		sed -n 's/^install ok installed //p'
}

# Prints the packages of DYNPG_PACKAGES that are not installed.
dynpg_missing_packages() {
	local p
	for p in "${DYNPG_PACKAGES[@]}"; do
		[ -n "$(dynpg_installed_version "$p")" ] || printf '%s\n' "$p"
	done
}

# The arguments for 'apt-get install' of the missing packages "$@", one a line.
#
# apt installs a missing package at its newest version, and (apt 2.x) then
# upgrades the installed packages built from the same source package to that
# version too ("Upgrading ... due to ...").  postgresql-server-dev-15 comes
# from source postgresql-15, as do the server, its client, libpq5 and
# libpq-dev (which wants libpq5 of exactly its own version).  So where the
# installed server is an older minor release than the archive's newest,
# installing the headers alone would upgrade the server, client and libpq.
# When postgresql-15 is installed, the headers (and libpq-dev) are asked for
# at the installed versions instead: nothing installed changes, and dynpg is
# built with the headers of the server that loads it.  apt must be able to
# get those versions (Debian's security archive keeps only its newest; a
# dry run checks); otherwise the plain names are printed, apt installs the
# newest headers and upgrades the server to match, and dynpg_ensure_packages
# says so.
dynpg_apt_args() {
	local server libpq p args=() pinned=0
	server=$(dynpg_installed_version "postgresql-$DYNPG_PG_MAJOR")
	libpq=$(dynpg_installed_version libpq5)
	for p in "$@"; do
		case "$p" in
		"postgresql-server-dev-$DYNPG_PG_MAJOR" | "postgresql-client-$DYNPG_PG_MAJOR")
			if [ -n "$server" ]; then
				args+=("$p=$server")
				pinned=1
			else
				args+=("$p")
			fi
			;;
		*) args+=("$p") ;;
		esac
	done
	if [ "$pinned" = 1 ] && [ -n "$libpq" ] && [ -z "$(dynpg_installed_version libpq-dev)" ]; then
		args+=("libpq-dev=$libpq")
	fi
	if [ "$pinned" = 1 ] && ! apt-get -s -q install --no-install-recommends "${args[@]}" >/dev/null 2>&1; then
		args=("$@")
	fi
	printf '%s\n' "${args[@]}"
}

# The installed packages 'apt-get install "$@"' would upgrade (or downgrade),
# as "name old -> new", one a line (a dry run).
dynpg_apt_changes() {
	apt-get -s -q install --no-install-recommends "$@" 2>/dev/null |
		sed -n 's/^Inst \([^ ]*\) \[\([^]]*\)\] (\([^ ]*\) .*/\1 \2 -> \3/p'
}

# Installs whatever is missing (one 'apt-get update', only when something is),
# changing no installed package where apt allows it (dynpg_apt_args); when it
# must upgrade some, says which and why.  Not root: says what to run instead
# and fails.
dynpg_ensure_packages() {
	local missing args changes p server list why
	command -v dpkg-query >/dev/null 2>&1 ||
		dynpg_die "dpkg-query not found: dynpg's scripts expect Debian 12"
	mapfile -t missing < <(dynpg_missing_packages)
	[ "${#missing[@]}" -eq 0 ] && return 0
	if ! dynpg_is_root; then
		dynpg_die "missing Debian packages: ${missing[*]}
Install them as root:  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}
(or scripts/install-deps.sh, which also keeps the installed PostgreSQL packages at their versions)"
	fi
	dynpg_say "== installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	dynpg_step "apt-get update" apt-get update -q || exit 2
	mapfile -t args < <(dynpg_apt_args "${missing[@]}")
	mapfile -t changes < <(dynpg_apt_changes "${args[@]}")
	server=$(dynpg_installed_version "postgresql-$DYNPG_PG_MAJOR")
	if [ "${#changes[@]}" -gt 0 ]; then
		# "a, b, c (old -> new)" when they share their versions, as they usually do
		list=""
		for p in "${changes[@]}"; do list="$list${list:+, }${p%% *}"; done
		if [ "$(printf '%s\n' "${changes[@]}" | cut -d' ' -f2- | sort -u | wc -l)" -eq 1 ]; then
			list="$list (${changes[0]#* })"
		else
			list=$(printf '%s, ' "${changes[@]}")
			list=${list%, }
		fi
		if [ -n "$server" ]; then
			why="the headers are not available at the installed server's version, so apt takes the newest and upgrades the packages built from the same source to match"
		else
			why="apt upgrades the installed packages built from the same source as the new ones to their version"
		fi
		dynpg_say "   this also upgrades $list: $why (README, \"Running dynpg\")"
	elif [ "${args[*]}" != "${missing[*]}" ]; then
		dynpg_say "   at the installed PostgreSQL's version $server, so no installed package changes"
	fi
	[ "$DYNPG_VERBOSE" = 1 ] && dynpg_say "   apt-get install ${args[*]}"
	dynpg_step "apt-get install" apt-get install -y -q --no-install-recommends "${args[@]}" || exit 2
	# libpq-dev, named only for its version, stays a dependency apt may remove later
	case " ${args[*]} " in
	*" libpq-dev="*) apt-mark auto libpq-dev >/dev/null ;;
	esac
}

# The make command for this tree, with PostgreSQL 15's pg_config.
dynpg_make() {
	make --no-print-directory PG_CONFIG="$DYNPG_PG_CONFIG" "$@"
}

# Builds dynpg; parallel unless the caller's make already hands out jobs.
dynpg_build() {
	local jobs=()
	case " ${MAKEFLAGS:-} " in
	*jobserver* | *" -j"*) ;;
	*) jobs=(-j"$(nproc 2>/dev/null || echo 2)") ;;
	esac
	dynpg_make "${jobs[@]}"
}

# True when this user could (re)create the file at path $1: the nearest existing
# directory above it is writable (install(1) replaces files, so the file's own
# mode does not matter).
dynpg_can_create() {
	local d
	d=$(dirname "$1")
	while [ ! -d "$d" ]; do d=$(dirname "$d"); done
	[ -w "$d" ]
}

# Installs the built extension unless the installed files are already identical:
# stages 'make install' into a scratch DESTDIR and compares file by file.  Sets
# DYNPG_CHANGED to the installed paths that changed (empty when nothing did).
# Fails with advice when the install directories are not writable.
dynpg_install() {
	local stage f dest unwritable=()
	DYNPG_CHANGED=()
	stage=$(mktemp -d "${TMPDIR:-/tmp}/dynpg-stage.XXXXXX")
	if ! dynpg_make -s install DESTDIR="$stage" >/dev/null; then
		rm -rf "$stage"
		dynpg_die "'make install' into a staging directory failed"
	fi
	while IFS= read -r -d '' f; do
		dest=${f#"$stage"}
		if ! cmp -s "$f" "$dest"; then
			DYNPG_CHANGED+=("$dest")
			dynpg_is_root || dynpg_can_create "$dest" || unwritable+=("$dest")
		fi
	done < <(find "$stage" -type f -print0)
	rm -rf "$stage"
	if [ "${#DYNPG_CHANGED[@]}" -eq 0 ]; then
		dynpg_say "== dynpg is already installed and up to date"
		return 0
	fi
	if [ "${#unwritable[@]}" -gt 0 ]; then
		dynpg_die "$(id -un) cannot write ${unwritable[*]}.
Either run this as root, or install once as root ('sudo make install', which
'make test-suites' then uses) and run again."
	fi
	if [ "$DYNPG_VERBOSE" = 1 ]; then
		dynpg_say "== installing dynpg: ${DYNPG_CHANGED[*]}"
	else
		dynpg_say "== installing dynpg: $(printf '%s\n' "${DYNPG_CHANGED[@]##*/}" | paste -sd' ')"
	fi
	dynpg_make install >/dev/null
}

# The tests make test runs and counts, one per line: "<suite> <name>", from the
# Makefile (REGRESS, ISOLATION, PROVE_TESTS, PGTAP_TESTS), limited to the suites
# named in DYNPG_SUITES (e.g. "regress tap") when that is set.
dynpg_test_list() {
	local line
	dynpg_make -s test-list | while IFS= read -r line; do
		case " ${DYNPG_SUITES:-${line%% *}} " in
		*" ${line%% *} "*) printf '%s\n' "$line" ;;
		esac
	done
}

# A private, relocated copy of the installed PostgreSQL 15 under directory $1
# (its programs find their lib and share directories relative to their own
# path, so the copy's pg_config reports the copy's directories): installing
# dynpg into it leaves the system-wide installation, and whatever else uses it,
# alone.  Prints the copy's bin directory.  (For sanitizer and valgrind builds;
# needs postgresql-server-dev-15 for the headers.)
dynpg_private_pg() {
	local dest=$1 lib share
	lib=$("/usr/lib/postgresql/$DYNPG_PG_MAJOR/bin/pg_config" --pkglibdir)
	share=$("/usr/lib/postgresql/$DYNPG_PG_MAJOR/bin/pg_config" --sharedir)
	[ -d "$lib" ] && [ -d "$share" ] || dynpg_die "PostgreSQL $DYNPG_PG_MAJOR is not installed (make test installs it)"
	mkdir -p "$dest/usr/lib/postgresql" "$dest/usr/share/postgresql"
	cp -a "/usr/lib/postgresql/$DYNPG_PG_MAJOR" "$dest/usr/lib/postgresql/"
	cp -a "$share" "$dest/usr/share/postgresql/"
	# (the headers too: PGXS builds against the copy's pg_config)
	mkdir -p "$dest/usr/include"
	cp -a /usr/include/postgresql "$dest/usr/include/"
	[ "$("$dest/usr/lib/postgresql/$DYNPG_PG_MAJOR/bin/pg_config" --sharedir)" = "$dest/usr/share/postgresql/$DYNPG_PG_MAJOR" ] ||
		dynpg_die "the copy of PostgreSQL in $dest does not find its own share directory"
	printf '%s\n' "$dest/usr/lib/postgresql/$DYNPG_PG_MAJOR/bin"
}

# The long checks against a private PostgreSQL copy (scripts/sanitize-check.sh,
# scripts/valgrind-check.sh) share this set-up: the user the suites run as
# ($runner; as_runner), a scratch directory "dynpg-KIND.*" ($scratch) holding a
# build tree ($build) and a test tree ($tree) copied from the repository ($top)
# and a log directory ($logs), the private copy of PostgreSQL (DYNPG_PG_BINDIR
# and PG_CONFIG exported), and an exit trap that stops any server left running
# (dynpg_stop_private_servers, which the scripts also call when done).
as_runner() { if dynpg_is_root; then runuser -u "$runner" -- "$@"; else "$@"; fi; }
dynpg_copy_tree() {
	tar -C "$top" -cf - \
		--exclude=./.git --exclude=./.dynpg --exclude='./tmp_check*' \
		--exclude=./results --exclude=./output_iso --exclude=./log \
		--exclude=./regression.diffs --exclude=./regression.out \
		--exclude='*.o' --exclude='*.so' --exclude='*.bc' --exclude='*.d' . |
		tar -C "$1" -xf -
}
dynpg_stop_private_servers() {
	local pidfile
	while IFS= read -r pidfile; do
		as_runner "$DYNPG_PG_BINDIR/pg_ctl" -D "$(dirname "$pidfile")" stop -m immediate >/dev/null 2>&1 || true
	done < <(find "$scratch" -name postmaster.pid 2>/dev/null)
}
dynpg_private_run_setup() {
	runner=$(id -un)
	dynpg_is_root && runner=${DYNPG_TEST_USER:-postgres}
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/dynpg-$1.XXXXXX")
	build="$scratch/build"
	tree="$scratch/dynpg"
	logs="$scratch/logs"
	mkdir -p "$build" "$tree" "$logs"
	dynpg_copy_tree "$build"
	dynpg_copy_tree "$tree"
	DYNPG_PG_BINDIR=$(dynpg_private_pg "$scratch/pg")
	DYNPG_PG_CONFIG="$DYNPG_PG_BINDIR/pg_config"
	PG_CONFIG=$DYNPG_PG_CONFIG
	export DYNPG_PG_BINDIR PG_CONFIG
	trap dynpg_stop_private_servers EXIT
}

# The end of such a check: stop the servers, report the time taken ('what'
# names the check), remove the scratch directory when everything passed
# (DYNPG_KEEP_TMP keeps it), print the counts and exit with rc.
dynpg_private_run_finish() {
	local what=$1
	dynpg_stop_private_servers
	echo "(suites log: $logs/suites.log; $what took $(($(date +%s) - started)) s)"
	if [ "$rc" -eq 0 ] && [ -z "${DYNPG_KEEP_TMP:-}" ]; then
		rm -rf "$scratch"
	else
		echo "kept $scratch"
	fi
	echo "$passed passed, $failed failed"
	exit "$rc"
}

# Run every selected suite in $tree as $runner, logging to $logs/suites.log,
# with 'what' said first and the extra environment assignments given after it
# (e.g. LD_PRELOAD=...); the JavaScript SDK and dynamodb-admin for the HTTP
# tests as 'make test' has them; make's jobserver flags of the calling make
# dropped.  Sets rc, and passed and failed from the runner's summary line.
dynpg_private_run_suites() {
	local what=$1
	shift
	local summary
	DYNPG_NODE_PATH=$(scripts/npm-deps.sh tests/http/js) || DYNPG_NODE_PATH=
	DYNPG_ADMIN_PATH=$(scripts/npm-deps.sh tests/http/admin) || DYNPG_ADMIN_PATH=
	export DYNPG_NODE_PATH DYNPG_ADMIN_PATH DYNPG_TEST_STARTED=$started
	dynpg_is_root && chown -R "$runner": "$scratch"
	MAKEFLAGS=$(printf '%s' "${MAKEFLAGS:-}" | sed -E 's/ ?--jobserver-(auth|fds)=[^ ]*//g; s/(^| )-j[0-9]*//g')
	export MAKEFLAGS
	unset MAKELEVEL MFLAGS
	dynpg_say "== running the suites as $runner in $tree$what"
	rc=0
	(cd "$tree" && as_runner env PATH="$DYNPG_PG_BINDIR:$PATH" "$@" bash scripts/run-suites.sh) \
		>"$logs/suites.log" 2>&1 || rc=$?
	grep -E '^(=== |FAILED: |[0-9]+ passed, [0-9]+ failed)' "$logs/suites.log" | grep -v '^=== summary' || true
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/suites.log" | tail -n 1)
	[ -n "$summary" ] || summary="0 passed, 1 failed"
	passed=${summary%% passed*}
	failed=${summary#*passed, }
	failed=${failed%% failed}
}

# Build and install in $build with the caller's build_install function, under
# the lock file DYNPG_BUILD_LOCK when set (flock); on failure show the end of
# the log and die naming 'what'.
dynpg_private_build() {
	local what=$1
	if ! (cd "$build" && if [ -n "${DYNPG_BUILD_LOCK:-}" ]; then
		(flock 9 && build_install) 9>>"$DYNPG_BUILD_LOCK"
	else
		build_install
	fi >"$logs/build.log" 2>&1); then
		tail -n 40 "$logs/build.log"
		dynpg_die "$what failed (log: $logs/build.log)"
	fi
}
