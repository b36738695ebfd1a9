#!/usr/bin/env bash
# scripts/reliability-report.sh — `make reliability`: runs the reliability
# campaign and writes RELIABILITY.md at the top of the module
# from what the tests print; nothing in the report is typed by hand.
#
#   1. internal/reliability (go test -v): the fault matrices (cases and
#      outcome counts by fault kind, read from the "MATRIX ..." summary
#      lines and the per-kind lines under "outcome counts by fault kind"),
#      the concurrency, unplug, stall and CLI fault tests (result, time and
#      what they logged).
#   2. internal/secrets (go test -v): each test's result and subtests, and
#      how many CLI runs were scanned for PINs, passwords and Individual
#      Numbers ("mynacard CMD: exit N in T" lines).
#   3. internal/durability (go test -v): the "DURABILITY key=value ..."
#      lines (SIGKILLs survived, half-written and lost records).
#   4. the attack tests (every func TestAttackXxx of the module, go test -v
#      -run '^TestAttack' over the packages that have one): each attack they
#      tried, logged as one line
#        ATTACK | <attack> | <expected refusal> | <result>
#      (t.Logf), becomes a row of the "attacks tried" table; ATTACK lines
#      in the other steps' logs are collected too.
#   5. every fuzz target of the module (func FuzzXxx(f *testing.F) in a
#      *_test.go outside testdata), one at a time:
#        go test -run='^$' -fuzz='^Target$' -fuzztime=$RELIABILITY_FUZZTIME PKG
#      with executions and new interesting inputs from the fuzzer's last
#      "fuzz: elapsed: ..., execs: N (…/sec), new interesting: M (total: T)"
#      line. New inputs stay in Go's cache ($(go env GOCACHE)/fuzz); keeping
#      them in testdata/fuzz is scripts/fuzz.sh's job (make fuzz). A failing
#      input is written by go test under the package's testdata/fuzz and
#      named in the report.
#
# Every step runs even if one before failed; the report says which failed
# and the script then exits 1. The raw logs are kept in
# $RELIABILITY_LOG_DIR (default: a temporary directory, removed).
#
# About 10–15 minutes on a 2-core machine with the default fuzz time (most
# of it the fault matrix over pcscd, which needs pcscd and vsmartcard-vpcd:
# scripts/test.sh installs them; internal/pcsctest starts pcscd).
#
# Knobs:
#   RELIABILITY_FUZZTIME  -fuzztime per target (default 5s)
#   RELIABILITY_RACE      1 (default): the test packages run with -race
#   RELIABILITY_OUT       the report file (default RELIABILITY.md)
#   RELIABILITY_LOG_DIR   keep the raw go test output here
#   RELIABILITY_FUZZ_MATCH  only fuzz targets whose name matches this
#                         extended regex (default: all)
#   RELIABILITY_SKIP      space-separated steps to skip: matrix secrets
#                         durability attacks fuzz (the report says they were
#                         skipped)
#   MYNACARD_DURABILITY_KILLS, MYNACARD_DURABILITY_SEED  see internal/durability
#   RELIABILITY_REPORT_ONLY  1: run nothing, render the report again from
#                         the logs a run kept in RELIABILITY_LOG_DIR
#   GO                    the go command (default go)
set -uo pipefail
cd "$(dirname "$0")/.."

log() { printf 'reliability-report.sh: %s\n' "$*" >&2; }

GO=${GO:-go}
# shellcheck source=scripts/fuzzlib.sh
. scripts/fuzzlib.sh
fuzztime=${RELIABILITY_FUZZTIME:-5s}
race=${RELIABILITY_RACE:-1}
report=${RELIABILITY_OUT:-RELIABILITY.md}
skip=" ${RELIABILITY_SKIP:-} "
raceflag=()
[ "$race" = 1 ] && raceflag=(-race)

if [ -n "${RELIABILITY_LOG_DIR:-}" ]; then
	logs=$RELIABILITY_LOG_DIR
	mkdir -p "$logs"
else
	logs=$(mktemp -d)
	trap 'rm -rf "$logs"' EXIT
fi
# internal/reliability also writes each matrix's summary here.
export MYNACARD_RELIABILITY_OUT=$logs/matrix
mkdir -p "$MYNACARD_RELIABILITY_OUT"

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t0=$(date +%s)
status=0
declare -A result took
steps=$logs/steps.tsv
only=${RELIABILITY_REPORT_ONLY:-}
if [ "$only" = 1 ]; then
	[ -s "$steps" ] || { log "RELIABILITY_REPORT_ONLY=1 needs the logs of a run in RELIABILITY_LOG_DIR"; exit 2; }
	while IFS=$'\t' read -r k a b; do
		case $k in
		started) started=$a ;;
		elapsed) t0=$(($(date +%s) - a)) ;;
		cmdline) oldcmd=$a ;;
		race) race=$a ;;
		fuzztime) fuzztime=$a ;;
		*) result[$k]=$a took[$k]=$b ;;
		esac
	done <"$steps"
	for k in "${!result[@]}"; do [ "${result[$k]}" = FAIL ] && status=1; done
	skip=" matrix secrets durability attacks fuzz "
	reuse=1
else
	reuse=0
	printf 'race\t%s\nfuzztime\t%s\n' "$race" "$fuzztime" >"$steps"
fi
raceflag=()
[ "$race" = 1 ] && raceflag=(-race)

# gotest NAME LOG ARGS...: runs go test, keeps its output, notes the result.
gotest() {
	local name=$1 out=$2
	shift 2
	[ "$reuse" = 1 ] && return
	case $skip in *" $name "*)
		log "$name: skipped (RELIABILITY_SKIP)"
		result[$name]=skipped took[$name]=0
		printf '%s\tskipped\t0\n' "$name" >>"$steps"
		: >"$out"
		return
		;;
	esac
	log "$name: $GO test $*"
	local s
	s=$(date +%s)
	if "$GO" test "$@" >"$out" 2>&1; then
		result[$name]=ok
	else
		result[$name]=FAIL
		status=1
		log "$name FAILED; the end of its output:"
		tail -40 "$out" >&2
	fi
	took[$name]=$(($(date +%s) - s))
	printf '%s\t%s\t%s\n' "$name" "${result[$name]}" "${took[$name]}" >>"$steps"
	log "$name: ${result[$name]} in ${took[$name]}s"
}

gotest matrix "$logs/reliability.log" -v -count=1 -timeout 15m "${raceflag[@]}" ./internal/reliability
gotest secrets "$logs/secrets.log" -v -count=1 -timeout 10m "${raceflag[@]}" ./internal/secrets
gotest durability "$logs/durability.log" -v -count=1 -timeout 10m "${raceflag[@]}" ./internal/durability

# Attack tests: the packages with a func TestAttackXxx(t *testing.T).
attackpkgs=()
while read -r d; do attackpkgs+=("./$d"); done < <(
	grep -rlE --include='*_test.go' '^func TestAttack[A-Za-z0-9_]*\(t \*testing\.T\)' . 2>/dev/null |
		grep -v '/testdata/' | sed -E 's#^\./##; s#/[^/]*$##; s#^[^/]*_test\.go$#.#' | sort -u)
if [ ${#attackpkgs[@]} -gt 0 ]; then
	gotest attacks "$logs/attacks.log" -v -count=1 -timeout 15m -run '^TestAttack' "${raceflag[@]}" "${attackpkgs[@]}"
elif [ "$reuse" = 0 ]; then
	result[attacks]=none took[attacks]=0
	printf 'attacks\tnone\t0\n' >>"$steps"
	: >"$logs/attacks.log"
fi

# Fuzz targets: "PKGDIR TARGET" for every func FuzzXxx(f *testing.F).
fuzzlist=$logs/fuzz-targets.txt
grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . 2>/dev/null |
	grep -v '/testdata/' |
	sed -E 's#^\./(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*).*#\1 \2#; s#^\./[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*).*#. \1#' |
	sort -u | grep -E " ${RELIABILITY_FUZZ_MATCH:-.}" >"$fuzzlist"
fuzztsv=$logs/fuzz.tsv
[ "$reuse" = 1 ] || : >"$fuzztsv"
case $skip in
*" fuzz "*)
	if [ "$reuse" = 0 ]; then
		log "fuzz: skipped (RELIABILITY_SKIP)"
		result[fuzz]=skipped took[fuzz]=0
		printf 'fuzz\tskipped\t0\n' >>"$steps"
	fi
	;;
*)
	s=$(date +%s)
	result[fuzz]=ok
	while read -r dir name; do
		[ -n "$name" ] || continue
		out=$logs/fuzz-${dir//\//_}-$name.log
		log "fuzz: ./$dir $name for $fuzztime"
		res=ok
		if ! fuzz_target "./$dir" "$name" "$fuzztime" "$out"; then
			res=FAIL
			result[fuzz]=FAIL
			status=1
			tail -20 "$out" >&2
		fi
		# The fuzzer's last status line:
		# "fuzz: elapsed: 5s, execs: 123 (25/sec), new interesting: 5 (total: 9)".
		last=$(grep -E '^fuzz: elapsed: .*execs: ' "$out" | tail -1 || true)
		execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
		newint=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
		total=$(sed -nE 's/.*new interesting: [0-9]+ \(total: ([0-9]+)\).*/\1/p' <<<"$last")
		failing=$(sed -nE 's/.*Failing input written to (.*)$/\1/p' "$out" | head -1)
		[ "$res" = FAIL ] && [ -z "$failing" ] && failing=$(grep -m1 -E 'FAIL|panic|error' "$out" | cut -c1-100)
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$dir" "$name" "${execs:-0}" "${newint:-0}" "${total:-?}" "$res" "$failing" >>"$fuzztsv"
	done <"$fuzzlist"
	took[fuzz]=$(($(date +%s) - s))
	printf 'fuzz\t%s\t%s\n' "${result[fuzz]}" "${took[fuzz]}" >>"$steps"
	;;
esac

# ---------------------------------------------------------------- report
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | wc -l)
cmdline="scripts/reliability-report.sh (RELIABILITY_FUZZTIME=$fuzztime RELIABILITY_RACE=$race${MYNACARD_DURABILITY_KILLS:+ MYNACARD_DURABILITY_KILLS=$MYNACARD_DURABILITY_KILLS}${MYNACARD_DURABILITY_SEED:+ MYNACARD_DURABILITY_SEED=$MYNACARD_DURABILITY_SEED}${RELIABILITY_FUZZ_MATCH:+ RELIABILITY_FUZZ_MATCH=$RELIABILITY_FUZZ_MATCH}${RELIABILITY_SKIP:+ RELIABILITY_SKIP=\"$RELIABILITY_SKIP\"})"
elapsed=$(($(date +%s) - t0))
if [ "$reuse" = 0 ]; then
	printf 'started\t%s\nelapsed\t%s\ncmdline\t%s\n' "$started" "$elapsed" "$cmdline" >>"$steps"
else
	cmdline="${oldcmd:-$cmdline}, rendered again with RELIABILITY_REPORT_ONLY=1 from that run's logs"
fi

# testtable LOG: the top-level tests of a go test -v log with result and time.
testtable() {
	printf '| test (Fuzz: its seed corpus) | result | time | subtests passed / failed / skipped |\n|---|---|---|---|\n'
	awk '
		/^--- (PASS|FAIL|SKIP): (Test|Fuzz)/ {
			name = $3; res = $2; sub(":", "", res); t = $4; gsub(/[()]/, "", t)
			order[++n] = name; r[name] = res; tm[name] = t
		}
		/^ +--- (PASS|FAIL|SKIP): (Test|Fuzz)[^ ]*\// {
			split($3, p, "/"); top = p[1]; res = $2; sub(":", "", res)
			sub_[top, res]++
		}
		END {
			for (i = 1; i <= n; i++) {
				x = order[i]
				printf "| %s | %s | %s | %d / %d / %d |\n", x, r[x], tm[x], sub_[x, "PASS"], sub_[x, "FAIL"], sub_[x, "SKIP"]
			}
		}' "$1"
}

# attacktable LOG...: the ATTACK lines of go test -v logs as table rows
# "| attack | expected refusal | result |", in order, each attack once
# (the same line from two logs, or from a test run twice, is one row).
# A '|' inside a field is written as '/'; the result is the rest of the
# line, so it may itself have contained ' | '.
attacktable() {
	local f
	for f in "$@"; do [ -f "$f" ] && cat "$f"; done |
		sed -nE 's/^.*[^A-Za-z]ATTACK \| (.*)$/\1/p; s/^ATTACK \| (.*)$/\1/p' |
		awk -F ' [|] ' '
			NF < 3 { next }
			{
				res = $3
				for (i = 4; i <= NF; i++) res = res " / " $i
				for (i = 1; i <= 2; i++) gsub(/\|/, "/", $i)
				gsub(/\|/, "/", res)
				row = "| " $1 " | " $2 " | " res " |"
				if (!seen[row]++) print row
			}'
}

tmpreport=$(mktemp)
{
	printf '# RELIABILITY\n\n'
	printf 'Generated by `%s` — do not edit by hand; run `make reliability` to refresh it.\n\n' "$cmdline"
	printf -- '- date: %s (finished after %d min %02d s)\n' "$started" $((elapsed / 60)) $((elapsed % 60))
	if [ "$dirty" -gt 0 ]; then
		printf -- '- commit: %s, with %d uncommitted changes in the shared working tree\n' "$commit" "$dirty"
	else
		printf -- '- commit: %s\n' "$commit"
	fi
	printf -- '- %s, %s, %s cores\n\n' "$("$GO" version | cut -d' ' -f3-)" "$(uname -sm)" "$(nproc)"
	printf 'What the product promises: whatever the reader, the card or the input does, mynacard answers with a clear error within a bounded time, never spends a PIN try it was not asked to, never leaks a PIN or an Individual Number, and never loses or half-writes a record.\n\n'

	printf '## Runs\n\n| step | command | result | time |\n|---|---|---|---|\n'
	printf '| fault matrix, concurrency | `go test -v %s./internal/reliability` | %s | %ss |\n' "${raceflag[*]:+${raceflag[*]} }" "${result[matrix]}" "${took[matrix]}"
	printf '| secrets | `go test -v %s./internal/secrets` | %s | %ss |\n' "${raceflag[*]:+${raceflag[*]} }" "${result[secrets]}" "${took[secrets]}"
	printf '| store durability | `go test -v %s./internal/durability` | %s | %ss |\n' "${raceflag[*]:+${raceflag[*]} }" "${result[durability]}" "${took[durability]}"
	printf '| attacks | `go test -v -run ^TestAttack %s<packages with TestAttack…>` | %s | %ss |\n' "${raceflag[*]:+${raceflag[*]} }" "${result[attacks]:-not run}" "${took[attacks]:-0}"
	printf '| fuzzing | `go test -fuzz=^Target$ -fuzztime=%s` per target | %s | %ss |\n\n' "$fuzztime" "${result[fuzz]}" "${took[fuzz]}"

	# ---- 1. faults
	printf '## 1. Faults injected (internal/reliability)\n\n'
	printf 'Each operation (detect, certificate reads, PIN status, verify, sign, CMS sign, text and face reads, identify, qualify, PIN change) is run on the virtual card with one fault at one APDU index; every case must end in a typed error naming the cause (or success where the fault is harmless), within its deadline, without a PIN try it was not asked to spend and without a record for an operation that failed.\n\n'
	rlog=$logs/reliability.log
	if grep -q '^ *[^ ]*: MATRIX \|^ *MATRIX ' "$rlog" 2>/dev/null; then
		printf '| matrix | cases | failures | max overrun past deadline | outcomes |\n|---|---|---|---|---|\n'
		sed -nE 's/^.*MATRIX (.*): ([0-9]+) cases, ([0-9]+) failures, max overrun past deadline ([^;]*); outcomes: (.*)$/| \1 | \2 | \3 | \4 | \5 |/p' "$rlog"
		total=$(sed -nE 's/^.*MATRIX .*: ([0-9]+) cases, .*/\1/p' "$rlog" | awk '{s += $1} END {print s + 0}')
		fails=$(sed -nE 's/^.*MATRIX .*: [0-9]+ cases, ([0-9]+) failures.*/\1/p' "$rlog" | awk '{s += $1} END {print s + 0}')
		printf '\n**%d faults injected, %d cases failed their assertions.**\n\n' "$total" "$fails"
		printf '### By fault kind\n\n| matrix | fault kind | cases | time | slowest return | outcomes |\n|---|---|---|---|---|---|\n'
		# The lines under "outcome counts by fault kind (NAME):", e.g.
		# "  sw 6A82           44 cases in    3.1s, slowest return   120ms: ok=2, status=42".
		awk '
			/outcome counts by fault kind \(/ {
				m = $0; sub(/.*outcome counts by fault kind \(/, "", m); sub(/\):[[:space:]]*$/, "", m); inm = 1; next
			}
			inm && $0 ~ /^[[:space:]]+.+[[:space:]][0-9]+ cases in[[:space:]]+[0-9.]+s, slowest return[[:space:]]+[0-9]+ms: / {
				line = $0
				sub(/^[[:space:]]+/, "", line)
				pre = line; sub(/ cases in.*/, "", pre)      # "sw 6A82           44"
				n = pre; sub(/.*[[:space:]]/, "", n)           # "44"
				kind = pre; sub(/[[:space:]]+[0-9]+$/, "", kind) # "sw 6A82"
				t = line; sub(/.* cases in[[:space:]]+/, "", t); sub(/s, slowest.*/, "", t)
				sl = line; sub(/.*slowest return[[:space:]]+/, "", sl); sub(/ms: .*/, "", sl)
				oc = line; sub(/.*ms: /, "", oc)
				printf "| %s | %s | %s | %s s | %s ms | %s |\n", m, kind, n, t, sl, oc
				next
			}
			{ inm = 0 }' "$rlog"
		printf '\n'
	else
		printf 'No MATRIX summary line in the output (step %s).\n\n' "${result[matrix]}"
	fi
	printf '### Tests of internal/reliability\n\n'
	testtable "$rlog"
	printf '\nWhat the concurrency, unplug, stall and operation tests logged:\n\n'
	grep -E '^ +(concurrency|unplug|stall|fault|cli)_test\.go:[0-9]+: ' "$rlog" 2>/dev/null |
		sed -E 's/^ +/- `/; s/$/`/' | head -80
	printf '\n'

	# ---- 2. fuzz
	printf '## 2. Inputs fuzzed\n\n'
	printf 'Every fuzz target of the module, %s each (new interesting inputs stay in the Go fuzz cache; `make fuzz` keeps corpus entries in testdata/fuzz).\n\n' "$fuzztime"
	if [ -s "$fuzztsv" ]; then
		printf '| package | target | executions | new interesting | corpus total | result |\n|---|---|---|---|---|---|\n'
		awk -F'\t' '{ f = ($7 != "") ? " (" $7 ")" : ""; printf "| %s | %s | %s | %s | %s | %s%s |\n", $1, $2, $3, $4, $5, $6, f }' "$fuzztsv"
		awk -F'\t' '{ n++; e += $3; i += $4; if ($6 != "ok") f++ } END { printf "\n**%d targets, %d executions, %d new interesting inputs, %d failed.**\n\n", n, e, i, f + 0 }' "$fuzztsv"
	else
		printf 'Not run (%s).\n\n' "${result[fuzz]}"
	fi

	# ---- 3. durability
	printf '## 3. Kills survived (internal/durability)\n\n'
	printf 'The built CLI is killed with SIGKILL at random moments during `changes --all` over a batch of enrolments and during `eligibility import`; after each kill the SQLite database must pass `PRAGMA integrity_check` and `PRAGMA foreign_key_check`, hold every completed record and no partial one (an enrolment check is its old value or the whole new one; an import is all there or not at all), and a run to completion afterwards must give the right summary. before / during / after: where the kill landed (before the run wrote anything, while it wrote, after it had written everything); finished: runs that ended before their kill was due, checked as complete.\n\n'
	dlog=$logs/durability.log
	if grep -q '^DURABILITY scenario=' "$dlog" 2>/dev/null; then
		printf '| scenario | kills | before | during | after | finished | partial | lost | reruns checked |\n|---|---|---|---|---|---|---|---|---|\n'
		awk '/^DURABILITY scenario=/ {
			delete v
			for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", v["scenario"], v["kills"], v["before"], v["during"], v["after"], v["finished"], v["partial"], v["lost"], v["reruns"]
		}' "$dlog"
		awk '/^DURABILITY kills=/ {
			delete v
			for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			printf "\n**%s kills survived in %s scenarios: %s records lost, %s partial** (seed %s).\n\n", v["kills"], v["scenarios"], v["lost"], v["partial"], v["seed"]
		}' "$dlog"
		printf 'Summary line as printed: `%s`\n\n' "$(grep -m1 '^DURABILITY kills=' "$dlog")"
	else
		printf 'No DURABILITY line in the output (step %s).\n\n' "${result[durability]}"
	fi
	testtable "$dlog"
	printf '\n'

	# ---- 4. secrets
	printf '## 4. Secrets checks (internal/secrets)\n\n'
	printf 'Every command runs with `--trace` and debug output; no PIN, password or Individual Number may appear in any output, log, error or file written; PIN buffers are wiped after use; no PIN is accepted from argv.\n\n'
	slog=$logs/secrets.log
	testtable "$slog"
	runs=$(grep -cE '^ +cli_test\.go:[0-9]+: mynacard .*: exit -?[0-9]+ in ' "$slog" 2>/dev/null || true)
	printf '\n**%s CLI runs scanned for secrets; %s subtests passed.**\n\n' "${runs:-0}" "$(grep -cE '^ +--- PASS: Test[^ ]*/' "$slog" 2>/dev/null || true)"

	# ---- 5. attacks
	printf '## 5. Attacks tried\n\n'
	printf 'Each line an attack test logged (`ATTACK | attack | expected refusal | result`, see `TestAttack…` in the packages): what was tried, the refusal the product must give, and what it did. A result starting with NOT REFUSED failed its test.\n\n'
	attacklines=$logs/attacks.tsv
	attacktable "$logs/attacks.log" "$logs/reliability.log" "$logs/secrets.log" "$logs/durability.log" >"$attacklines"
	if [ -s "$attacklines" ]; then
		printf '| attack | expected refusal | result |\n|---|---|---|\n'
		cat "$attacklines"
		n=$(wc -l <"$attacklines")
		bad=$(grep -c '| NOT REFUSED' "$attacklines" || true)
		printf '\n**%d attacks tried, %d not refused.**\n\n' "$n" "${bad:-0}"
	else
		printf 'No ATTACK line in the output (step %s).\n\n' "${result[attacks]:-not run}"
	fi
	if [ -s "$logs/attacks.log" ]; then
		testtable "$logs/attacks.log"
		printf '\n'
	fi
} >"$tmpreport"
mv "$tmpreport" "$report"
log "wrote $report (overall: $([ $status = 0 ] && echo ok || echo FAIL), ${elapsed}s)"
exit "$status"
