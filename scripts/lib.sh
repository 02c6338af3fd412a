# Shared helpers for scripts/test.sh, scripts/run-suites.sh, scripts/pgtap-check.sh
# and scripts/dynpg-run.sh.  Source it; it defines functions and variables only.
#
# Everything here targets PostgreSQL 15 from Debian 12's own packages.

DYNPG_PG_MAJOR=15
# (DYNPG_PG_BINDIR from the environment: a private PostgreSQL copy to test against)
DYNPG_PG_BINDIR="${DYNPG_PG_BINDIR:-/usr/lib/postgresql/$DYNPG_PG_MAJOR/bin}"
DYNPG_PG_CONFIG="$DYNPG_PG_BINDIR/pg_config"

# What building, installing, running and testing dynpg needs.  libc6-dev is only a
# Recommends of gcc; perl provides prove.
DYNPG_PACKAGES=(
	make gcc libc6-dev perl
	"postgresql-$DYNPG_PG_MAJOR"
	"postgresql-server-dev-$DYNPG_PG_MAJOR"
	"postgresql-$DYNPG_PG_MAJOR-pgtap"
	libtap-parser-sourcehandler-pgtap-perl
	libipc-run-perl
)

dynpg_say() { printf '%s\n' "$*"; }
dynpg_die() { printf 'error: %s\n' "$*" >&2; exit 2; }

dynpg_is_root() { [ "$(id -u)" -eq 0 ]; }

# Prints the packages of DYNPG_PACKAGES that are not installed.
dynpg_missing_packages() {
	local p status
	for p in "${DYNPG_PACKAGES[@]}"; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$status" = "install ok installed" ] || printf '%s\n' "$p"
	done
}

# Installs whatever is missing (one 'apt-get update', only when something is).
# Not root: says what to run instead and fails.
dynpg_ensure_packages() {
	local missing
	command -v dpkg-query >/dev/null 2>&1 ||
		dynpg_die "dpkg-query not found: dynpg's scripts expect Debian 12"
	mapfile -t missing < <(dynpg_missing_packages)
	[ "${#missing[@]}" -eq 0 ] && return 0
	if ! dynpg_is_root; then
		dynpg_die "missing Debian packages: ${missing[*]}
Install them as root:  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
	fi
	dynpg_say "== installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
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
	dynpg_say "== installing dynpg (${DYNPG_CHANGED[*]})"
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
