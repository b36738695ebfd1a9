#!/usr/bin/env bash
# scripts/bench.sh — `make bench`: runs the benchmarks the issues ask for
# and prints ONE markdown table (scripts/benchtable) on stdout; the raw
# `go test -bench` output goes to stderr as it comes.
#
#   1. internal/pcscpath BenchmarkCardOps: each certificate read, PIN
#      status and sign, through pcscd+vpcd and in-process (loopback), on a
#      short-APDU reader and an extended-length one (APDUs, bytes, time/op).
#      It needs pcscd and vsmartcard-vpcd (scripts/test.sh installs them);
#      internal/pcsctest starts pcscd when none runs.
#   2. every benchmark of jpki/revocation (`go test -list`), whatever
#      exists: Lookup* for a fixed time, the others once each (loading a
#      multi-million-entry CRL is seconds, not nanoseconds). The CRLs are
#      generated at serial widths 4, 8, 12 and 20 bytes, 1M and 5M entries
#      (MYNACARD_BIG=1), reasons on most entries; loads are whole
#      processes (time, peak RSS) of ParseCRL beside
#      x509.ParseRevocationList + a map and `openssl crl -noout` (1M), each
#      repeated MYNACARD_BENCH_REPS times (median, spread); then a whole
#      process through the warm mapped index cache beside a 1-entry CRL.
#   3. cmd/mynacard BenchmarkIdentifyMappedCRL: `mynacard identify` on
#      the virtual card through pcscd, a 5M-entry CRL (20-byte serials)
#      from the mapped index against a 1-entry CRL, interleaved.
#   4. internal/bankbench BenchmarkChangesAll: `changes --all` over
#      MYNACARD_BENCH_ENROLMENTS (1,000,000) enrolments against a
#      MYNACARD_BENCH_CRL_ENTRIES (5,000,000) CRL, SQLite and PostgreSQL
#      (MYNACARD_BENCH_BANK=0 skips it: it seeds a 1.5 GB database).
#   5. scripts/bench-binaries.sh: binary sizes (mynacard with cgo, the
#      example backend and one-package programs with cgo off, plain and
#      stripped) and the start-up time of whole mynacard processes
#      (`--reader virtual status`, `version` or `--help`). Seconds; alone
#      it is `make bench-binaries`.
#
# The first run writes the generated CRLs to $TMPDIR (about 2 GB, several
# minutes); later runs reuse them. About 15 minutes on the 2-core machine.
#
# Environment knobs:
#   MYNACARD_BENCH_CARD_TIME    -benchtime of the card benchmarks (default 50x)
#   MYNACARD_BENCH_LOOKUP_TIME  -benchtime of revocation Lookup* (default 1s)
#   MYNACARD_BENCH_REV_TIME     -benchtime of the other revocation ones (default 1x)
#   MYNACARD_BIG                1M and 5M CRLs (default 1); 0 keeps to the 1M CRL
#   GO                          the go command (default go; make passes $(GO))
#   MYNACARD_BENCH_RAW          file to keep the raw go test output in
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'bench.sh: %s\n' "$*" >&2; }

GO=${GO:-go}
card_time=${MYNACARD_BENCH_CARD_TIME:-50x}
lookup_time=${MYNACARD_BENCH_LOOKUP_TIME:-1s}
rev_time=${MYNACARD_BENCH_REV_TIME:-1x}
export MYNACARD_BIG=${MYNACARD_BIG-1}
# A missing pcscd or vpcd must fail the card benchmarks, not skip them.
export MYNACARD_PCSCTEST_REQUIRE=${MYNACARD_PCSCTEST_REQUIRE:-1}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
raw=$tmp/bench.txt

log "card operations (benchtime $card_time)"
"$GO" test -run '^$' -bench '^BenchmarkCardOps$' -benchtime "$card_time" -benchmem -count 1 \
	./internal/pcscpath 2>&1 | tee -a "$raw" >&2

rev=./jpki/revocation
"$GO" test -c -o "$tmp/revocation.test" "$rev"
mapfile -t benches < <(cd "$rev" && "$tmp/revocation.test" -test.list '^Benchmark' | grep '^Benchmark' || true)
for b in "${benches[@]}"; do
	t=$rev_time
	case $b in *Lookup*) t=$lookup_time ;; esac
	log "$rev $b (benchtime $t, MYNACARD_BIG=${MYNACARD_BIG})"
	(cd "$rev" && "$tmp/revocation.test" -test.run '^$' -test.bench "^${b}\$" -test.benchtime "$t" -test.benchmem -test.timeout 60m) 2>&1 |
		tee -a "$raw" >&2
done

log "cmd/mynacard identify with a mapped 5M-entry CRL (through pcscd)"
"$GO" test -run '^$' -bench '^BenchmarkIdentifyMappedCRL$' -benchtime 1x -timeout 30m ./cmd/mynacard 2>&1 |
	tee -a "$raw" >&2

if [ "${MYNACARD_BENCH_BANK:-1}" != 0 ]; then
	log "internal/bankbench changes --all at bank scale"
	"$GO" test -run '^$' -bench '^BenchmarkChangesAll$' -benchtime 1x -timeout 60m ./internal/bankbench 2>&1 |
		tee -a "$raw" >&2
fi

log "binary sizes and start-up (scripts/bench-binaries.sh)"
GO=$GO ./scripts/bench-binaries.sh | tee -a "$raw" >&2

if [ -n "${MYNACARD_BENCH_RAW:-}" ]; then
	cp "$raw" "$MYNACARD_BENCH_RAW"
fi
printf '\nmake bench — %s, commit %s, %s cores\n\n' "$(date -u +%Y-%m-%dT%H:%MZ)" \
	"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$(nproc)"
"$GO" run ./scripts/benchtable "$raw"
