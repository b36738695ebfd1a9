#!/usr/bin/env bash
# scripts/test.sh — the project's test command (`make test`; .ci/run runs
# exactly `make test`). It works on a fresh Debian machine as a new user
# would find it, and is safe to run again:
#
#   1. installs the Debian packages the tests need when they are missing
#      (apt-get as root, or through `sudo -n`);
#   2. go mod download, go vet ./... (and -tags store ./examples/backend),
#      a gofmt check, and the `make dist`
#      targets of other machines (windows/amd64, linux/arm64) vetted, built
#      and their tests compiled (scripts/cross.sh);
#   3. go test -race ./... — the PC/SC tests run for real: internal/pcsctest
#      starts pcscd with the vpcd driver when none runs, gives each test a
#      vpcd slot under a cross-process lock, and stops the pcscd it started
#      once the last test process has finished;
#   4. every fuzz target, briefly.
#
# Environment knobs:
#   MYNACARD_NO_APT=1        never install packages; fail if some are missing
#   MYNACARD_TEST_TIMEOUT    go test -timeout per package (default 25m: the CLI package runs every testscript through pcscd)
#   MYNACARD_FUZZTIME        -fuzztime per fuzz target (default 3s)
#   MYNACARD_SKIP_FUZZ=1     skip step 4
#   MYNACARD_CROSS_TARGETS   cross targets of step 2 (default "windows/amd64
#                            linux/arm64"; "" skips them)
#   MYNACARD_TEST_PKGS       packages to vet and test (default ./...)
#   MYNACARD_PCSCTEST_DIR    lock directory of the PC/SC harness
#                            (default $TMPDIR/mynacard-pcsctest)
#   MYNACARD_PCSCD_ARGS      extra pcscd arguments, e.g. "--debug --apdu"
#                            (log: pcscd.log in the lock directory)
# MYNACARD_PCSCTEST_REQUIRE=1 is set for the tests: a missing pcscd or vpcd
# fails them instead of skipping them.
set -euo pipefail

self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$self")/.."

log() { printf 'test.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
# shellcheck source=scripts/fuzzlib.sh
. "$(dirname "$self")/fuzzlib.sh"

# Debian packages: building and testing the PC/SC backend (pcscd,
# libpcsclite-dev, vsmartcard-vpcd, pkg-config, gcc), independent clients
# for fidelity checks (opensc, pcsc-tools), openssl cross-checks, OpenJPEG
# for the face photo (libopenjp2-7-dev, libopenjp2-tools), PostgreSQL for
# the store tests, and flock (util-linux) for the harness's locks.
# The PKCS#11 module's consumers: gnutls-bin (p11tool),
# libengine-pkcs11-openssl, openssh-server and openssh-client, libnss3-tools
# (modutil, certutil for Chromium's NSS database) and p11-kit. PDF
# signatures: poppler's pdfsig and qpdf check them, Ghostscript and
# LibreOffice produce test PDFs, NSS's certutil/pk12util feed pdfsig.
packages=(pcscd libpcsclite-dev vsmartcard-vpcd pkg-config gcc opensc pcsc-tools openssl
	libopenjp2-7-dev libopenjp2-tools postgresql util-linux
	chromium fonts-ipafont-gothic
	gnutls-bin libengine-pkcs11-openssl openssh-server openssh-client p11-kit
	poppler-utils qpdf ghostscript libreoffice-writer-nogui libnss3-tools)

install_packages() {
	local missing=() p
	for p in "${packages[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$p")
		fi
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "${MYNACARD_NO_APT:-}" = 1 ] && die "missing Debian packages: ${missing[*]} (MYNACARD_NO_APT=1)"
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null && sudo -n true 2>/dev/null ||
			die "missing Debian packages: ${missing[*]}; run as root or install them: apt-get install ${missing[*]}"
		sudo=(sudo -n)
	fi
	log "installing ${missing[*]}"
	# Wait for another apt/dpkg run instead of failing on its lock.
	local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q)
	"${sudo[@]}" "${apt[@]}" update
	"${sudo[@]}" "${apt[@]}" install -y --no-install-recommends "${missing[@]}"
}

# pcscd_running reports whether a pcscd process exists (without procps,
# which minimal images lack).
pcscd_running() {
	local c
	for c in /proc/[0-9]*/comm; do
		[ "$(cat "$c" 2>/dev/null)" = pcscd ] && return 0
	done
	return 1
}

# run_tests runs the tests and the fuzz targets; it is called under the
# harness's users lock (see below).
run_tests() {
	local status=0
	log "go test -race ($pkgs, timeout $timeout)"
	# shellcheck disable=SC2086
	go test -race -count=1 -timeout "$timeout" $pkgs || status=$?
	[ "$status" -eq 0 ] || return "$status"
	if [ "$pkgs" = ./... ]; then
		log "go test -race -tags store ./examples/backend"
		go test -race -count=1 -tags store ./examples/backend || return $?
	fi
	[ "${MYNACARD_SKIP_FUZZ:-}" = 1 ] && return 0

	log "fuzz targets, $fuzztime each"
	# `go test -list` prints a package's matching names, then "ok  <pkg>".
	local targets=() names=() first second rest n out
	# shellcheck disable=SC2086
	while read -r first second rest; do
		case $first in
		Fuzz*) names+=("$first") ;;
		ok)
			for n in "${names[@]}"; do targets+=("$second $n"); done
			names=()
			;;
		esac
	done < <(go test -list '^Fuzz' $pkgs)
	out=$(mktemp)
	for n in "${targets[@]}"; do
		set -- $n
		log "fuzz $1 $2"
		if ! fuzz_target "$1" "$2" "$fuzztime" "$out"; then
			cat "$out" >&2
			status=1
		fi
	done
	rm -f "$out"
	return "$status"
}

pkgs=${MYNACARD_TEST_PKGS:-./...}
timeout=${MYNACARD_TEST_TIMEOUT:-25m}
fuzztime=${MYNACARD_FUZZTIME:-3s}
lockdir=${MYNACARD_PCSCTEST_DIR:-${TMPDIR:-/tmp}/mynacard-pcsctest}
export MYNACARD_PCSCTEST_DIR=$lockdir MYNACARD_PCSCTEST_REQUIRE=1

if [ "${1:-}" = __locked ]; then
	run_tests
	exit
fi

command -v dpkg-query >/dev/null || die "not a Debian system: install the packages by hand: ${packages[*]}"
install_packages
command -v go >/dev/null || die "go is not installed (see go.mod for the version)"

log "go mod download"
go mod download

log "go vet"
# shellcheck disable=SC2086
go vet $pkgs
# The example backend with the records store is behind a build tag (its
# default build links no SQL driver), which plain vet does not see.
[ "$pkgs" = ./... ] && go vet -tags store ./examples/backend

log "gofmt"
# The committed Go files (in a git checkout), else every Go file.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t gofiles < <(git ls-files -- '*.go')
else
	mapfile -t gofiles < <(find . -name '*.go' -not -path './.git/*')
fi
unformatted=
if [ ${#gofiles[@]} -gt 0 ]; then
	unformatted=$(gofmt -l "${gofiles[@]}")
fi
[ -z "$unformatted" ] || die "gofmt needed on: $unformatted"

log "cross-builds (scripts/cross.sh)"
scripts/cross.sh || die "a make dist target does not vet, build or compile its tests"

log "the RELIABILITY.md generator on a captured log"
scripts/test-reliability-report.sh || die "scripts/reliability-report.sh renders the attacks table wrongly"

log "the fuzz runner's retry rule (scripts/fuzzlib.sh) with a stand-in go"
scripts/test-fuzzlib.sh || die "scripts/fuzzlib.sh retries or fails fuzz targets wrongly"

# Was a pcscd running before us? If not, the one the harness starts must
# be gone when we finish.
pcscd_before=0
pcscd_running && pcscd_before=1

# Hold the harness's users lock (shared) for the whole run, so that the
# pcscd the first test package starts serves all of them instead of being
# stopped and started again between packages. flock -o keeps the lock's
# file descriptor out of the children (pcscd must not inherit it, or it
# would count as a user of itself forever).
mkdir -p "$lockdir"
chmod 1777 "$lockdir" 2>/dev/null || true
status=0
flock -o -s -w 120 "$lockdir/users.lock" "$self" __locked || status=$?

if [ "$pcscd_before" = 0 ]; then
	# The harness's reaper stops the pcscd it started once no test process
	# uses it; wait for that (bounded) so nothing is left running.
	for _ in $(seq 50); do pcscd_running || break; sleep 0.2; done
	if pcscd_running; then log "warning: pcscd still running after the tests (another user's?)"; fi
fi

if [ "$status" -ne 0 ]; then
	log "FAIL"
	exit "$status"
fi
log "ok"
