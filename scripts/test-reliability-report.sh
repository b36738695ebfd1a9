#!/usr/bin/env bash
# scripts/test-reliability-report.sh — checks that reliability-report.sh
# turns the ATTACK lines of a captured `go test -v` log
# (scripts/testdata/reliability/attacks.log, from the TestAttack… tests)
# into RELIABILITY.md's "attacks tried" table: one row per attack, in order,
# duplicates once, a " | " inside a result kept as " / ", NOT REFUSED rows
# counted. Runs in a second (RELIABILITY_REPORT_ONLY=1: no test is run).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { printf 'test-reliability-report.sh: FAIL: %s\n' "$*" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=scripts/testdata/reliability/attacks.log
cp "$log" "$tmp/attacks.log"
cat >>"$tmp/attacks.log" <<'LOG'
    x_test.go:1: ATTACK | a result with a bar | refused | refused: x | y
    x_test.go:2: ATTACK | an attack that got through | refused | NOT REFUSED: exit 0
    x_test.go:2: ATTACK | an attack that got through | refused | NOT REFUSED: exit 0
=== RUN   TestAttackNothing
    x_test.go:3: not an attack line | a | b | c
LOG
# Another step's log may hold attack lines too.
printf '    y_test.go:9: ATTACK | from the fault matrix | refused | refused\n' >"$tmp/reliability.log"
: >"$tmp/secrets.log"
: >"$tmp/durability.log"
: >"$tmp/fuzz.tsv"
printf 'race\t1\nfuzztime\t5s\nmatrix\tok\t1\nsecrets\tok\t1\ndurability\tok\t1\nattacks\tok\t2\nfuzz\tskipped\t0\nstarted\t2026-12-01T00:00:00Z\nelapsed\t10\ncmdline\tscripts/reliability-report.sh (captured log)\n' >"$tmp/steps.tsv"

RELIABILITY_REPORT_ONLY=1 RELIABILITY_LOG_DIR="$tmp" RELIABILITY_OUT="$tmp/REPORT.md" \
	scripts/reliability-report.sh 2>"$tmp/stderr" || fail "the report failed: $(cat "$tmp/stderr")"
r=$tmp/REPORT.md
grep -q '^## 5. Attacks tried$' "$r" || fail "no attacks section"
grep -q '^| attack | expected refusal | result |$' "$r" || fail "no table header"
want=$(($(grep -c ': ATTACK | ' "$log") + 3))
rows=$(sed -n '/^## 5. Attacks tried/,$p' "$r" | grep -c '^| [^-]' || true)
# rows counts the table header and the test table's header too.
[ "$rows" -ge "$want" ] || fail "$rows table rows, want at least $want attacks"
grep -qF "**$want attacks tried, 1 not refused.**" "$r" || fail "wrong summary: $(grep -F 'attacks tried' "$r")"
grep -qF '| a result with a bar | refused | refused: x / y |' "$r" || fail "bar inside a result not kept"
[ "$(grep -cF '| an attack that got through |' "$r")" = 1 ] || fail "duplicate attack not merged"
grep -qF '| from the fault matrix | refused | refused |' "$r" || fail "other logs' attack lines missing"
grep -qF 'not an attack line' "$r" && fail "a line without ATTACK became a row"
first=$(grep -m1 ': ATTACK | ' "$log" | sed -nE 's/^.*: ATTACK \| ([^|]*) \|.*$/\1/p')
grep -qF "| $first |" "$r" || fail "first captured attack ($first) missing"
grep -q '^| attacks | ' "$r" || fail "no attacks row in the runs table"
printf 'test-reliability-report.sh: ok (%d attacks rendered)\n' "$want"
