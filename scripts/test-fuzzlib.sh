#!/usr/bin/env bash
# scripts/test-fuzzlib.sh — checks the fuzz runner's retry rule
# (scripts/fuzzlib.sh) that scripts/test.sh, scripts/fuzz.sh and
# scripts/reliability-report.sh share, with a stand-in go whose fuzz runs
# answer as told: Go 1.26's coordinator deadline race (no failing input)
# is run once more and passes if the second run does; a finding (a failing
# input written, with or without the deadline message) or any other failure
# fails at once, never retried; a second race fails. Then the same through
# scripts/fuzz.sh, end to end on one real target. A few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { printf 'test-fuzzlib.sh: FAIL: %s\n' "$*" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
real_go=$(command -v go)
mkdir -p "$tmp/bin"
# The stand-in: `go test ... -fuzz=...` prints the next outcome of
# $tmp/outcomes (one a line) and counts the runs; anything else is go.
cat >"$tmp/bin/go" <<GO
#!/usr/bin/env bash
case "\$*" in
*-fuzz=*)
	n=\$((\$(cat "$tmp/count") + 1))
	echo "\$n" >"$tmp/count"
	case \$(sed -n "\${n}p" "$tmp/outcomes") in
	ok)
		printf 'fuzz: elapsed: 1s, execs: 100 (100/sec), new interesting: 0 (total: 5)\nPASS\nok  \tpkg\t1.0s\n'
		exit 0 ;;
	race)
		printf 'fuzz: elapsed: 1s, execs: 90 (90/sec), new interesting: 0 (total: 5)\n--- FAIL: FuzzX (1.00s)\n    context deadline exceeded\nFAIL\nexit status 1\nFAIL\tpkg\t1.0s\n'
		exit 1 ;;
	found)
		printf 'fuzz: elapsed: 1s, execs: 80 (80/sec), new interesting: 0 (total: 5)\n--- FAIL: FuzzX (1.00s)\n    context deadline exceeded\n    Failing input written to testdata/fuzz/FuzzX/0123abcd\n    To re-run:\n    go test -run=FuzzX/0123abcd\nFAIL\nexit status 1\nFAIL\tpkg\t1.0s\n'
		exit 1 ;;
	other)
		printf -- '--- FAIL: FuzzX (0.10s)\n    x_test.go:9: panic: index out of range\n    Failing input written to testdata/fuzz/FuzzX/feedface\nFAIL\nexit status 1\nFAIL\tpkg\t0.1s\n'
		exit 1 ;;
	esac
	echo "stand-in go: no outcome for run \$n" >&2
	exit 3 ;;
esac
exec "$real_go" "\$@"
GO
chmod +x "$tmp/bin/go"
export PATH=$tmp/bin:$PATH

log() { printf 'log: %s\n' "$*" >>"$tmp/log"; }
# shellcheck source=scripts/fuzzlib.sh
. scripts/fuzzlib.sh

# check OUTCOMES WANT_STATUS WANT_RUNS WANT_RETRIED
check() {
	printf '%s\n' $1 >"$tmp/outcomes"
	echo 0 >"$tmp/count"
	local got=0
	fuzz_target example.com/p FuzzX 1s "$tmp/out" || got=$?
	[ "$got" = "$2" ] || fail "outcomes '$1': status $got, want $2"
	[ "$(cat "$tmp/count")" = "$3" ] || fail "outcomes '$1': $(cat "$tmp/count") runs, want $3"
	[ "$FUZZ_RETRIED" = "$4" ] || fail "outcomes '$1': FUZZ_RETRIED=$FUZZ_RETRIED, want $4"
}
check ok 0 1 0
check "race ok" 0 2 1
check "race race" 1 2 1
check "found ok" 1 1 0
check "other ok" 1 1 0
check "race found" 1 2 1
grep -q 'Failing input written' "$tmp/out" || fail "the second run's output is not the one kept"

# scripts/fuzz.sh end to end on one real target, its summary aside.
fuzz() {
	printf '%s\n' $1 >"$tmp/outcomes"
	echo 0 >"$tmp/count"
	local got=0
	FUZZ_PKGS=./apdu FUZZ_MATCH='^FuzzDERLength$' FUZZ_NO_KEEP=1 FUZZTIME=1s FUZZ_SUMMARY="$tmp/sum.tsv" \
		scripts/fuzz.sh >"$tmp/fuzz.out" 2>&1 || got=$?
	[ "$got" = "$2" ] || { cat "$tmp/fuzz.out" >&2; fail "fuzz.sh with '$1': status $got, want $2"; }
	[ "$(cat "$tmp/count")" = "$3" ] || fail "fuzz.sh with '$1': $(cat "$tmp/count") runs, want $3"
	local res
	res=$(awk -F'\t' 'NR == 2 {print $5}' "$tmp/sum.tsv")
	[ "$res" = "$4" ] || fail "fuzz.sh with '$1': result '$res', want '$4'"
}
fuzz "race ok" 0 2 "ok (retried)"
fuzz "found" 1 1 FAIL
fuzz "race race" 1 2 FAIL
fuzz ok 0 1 ok
printf 'test-fuzzlib.sh: ok\n'
