#!/usr/bin/env bash
# scripts/fuzz.sh — `make fuzz`: runs every fuzz target of the module for a
# set time and keeps what the fuzzer found.
#
# For each package and each Fuzz* target in it (found with go test -list):
#   go test -run='^$' -fuzz='^Target$' -fuzztime=$FUZZTIME <package>
# then copies the inputs this run added to Go's generated corpus,
# $(go env GOCACHE)/fuzz/<import path>/<Target>/, into the package's own
# testdata/fuzz/<Target>/ — the directory `go test` reads as seed corpus, so
# every later `go test` (and scripts/test.sh) replays them. Failing inputs
# are written there by `go test` itself. At most $FUZZ_KEEP new inputs per
# target are kept (the newest), so the repository does not swell; review and
# commit them like any other test data.
#
# A target that fails only with Go 1.26's fuzz-coordinator deadline race
# ("context deadline exceeded", no failing input written) is run once more,
# by the rule scripts/test.sh uses too (scripts/fuzzlib.sh); its result is
# then "ok (retried)" or FAIL. A written failing input is always a failure.
#
# A summary (target, executions, new inputs, kept, result) is printed and
# written to testdata/fuzz/last-run.tsv at the top of the module (see
# testdata/fuzz/README.md).
#
# Knobs:
#   FUZZTIME      -fuzztime per target (default 30s)
#   FUZZ_PKGS     packages (default ./...)
#   FUZZ_MATCH    only targets whose name matches this extended regex
#   FUZZ_KEEP     new corpus entries kept per target (default 20; 0 keeps none)
#   FUZZ_NO_KEEP  1: do not copy anything from the cache
#   FUZZ_SUMMARY  where the summary goes (default testdata/fuzz/last-run.tsv)
set -euo pipefail

cd "$(dirname "$0")/.."
log() { printf 'fuzz.sh: %s\n' "$*" >&2; }
# shellcheck source=scripts/fuzzlib.sh
. scripts/fuzzlib.sh

fuzztime=${FUZZTIME:-30s}
pkgs=${FUZZ_PKGS:-./...}
match=${FUZZ_MATCH:-.}
keep=${FUZZ_KEEP:-20}
cache=$(go env GOCACHE)/fuzz
module=$(go list -m)
summary=${FUZZ_SUMMARY:-testdata/fuzz/last-run.tsv}

# Targets, as "<import path> <dir> <Target>": `go test -list` prints a
# package's matching names, then "ok  <import path>".
targets=()
names=()
# shellcheck disable=SC2086
while read -r first second _; do
	case $first in
	Fuzz*) names+=("$first") ;;
	ok)
		dir=$(go list -f '{{.Dir}}' "$second")
		for n in "${names[@]}"; do
			[[ $n =~ $match ]] && targets+=("$second $dir $n")
		done
		names=()
		;;
	esac
done < <(go test -list '^Fuzz' $pkgs 2>/dev/null)
[ ${#targets[@]} -gt 0 ] || { log "no fuzz targets in $pkgs matching $match"; exit 1; }

mkdir -p "$(dirname "$summary")"
printf 'target\texecs\tnew_interesting\tkept\tresult\n' >"$summary.tmp"
status=0
out=$(mktemp)
stamp=$(mktemp)
trap 'rm -f "$out" "$stamp" "$summary.tmp"' EXIT
for t in "${targets[@]}"; do
	set -- $t
	pkg=$1 dir=$2 name=$3
	log "$pkg $name for $fuzztime"
	touch "$stamp"
	result=ok
	if ! fuzz_target "$pkg" "$name" "$fuzztime" "$out"; then
		result=FAIL
		status=1
		cat "$out" >&2
	elif [ "$FUZZ_RETRIED" = 1 ]; then
		result="ok (retried)"
	fi
	# The fuzzer's last progress line: "fuzz: elapsed: 30s, execs: 123 (4/sec), new interesting: 5 (total: 9)".
	last=$(grep -E '^fuzz: elapsed: .*execs: ' "$out" | tail -1 || true)
	execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
	newint=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
	kept=0
	src=$cache/$pkg/$name
	if [ "${FUZZ_NO_KEEP:-}" != 1 ] && [ "$keep" -gt 0 ] && [ -d "$src" ]; then
		dst=$dir/testdata/fuzz/$name
		# Entries the cache gained during this run, newest first.
		while IFS= read -r f; do
			[ "$kept" -ge "$keep" ] && break
			b=$(basename "$f")
			[ -e "$dst/$b" ] && continue
			mkdir -p "$dst"
			cp "$f" "$dst/$b"
			kept=$((kept + 1))
		done < <(find "$src" -type f -newer "$stamp" -printf '%T@ %p\n' | sort -rn | cut -d' ' -f2-)
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "${pkg#"$module"/}.$name" "${execs:-0}" "${newint:-0}" "$kept" "$result" | tee -a "$summary.tmp" >&2
done
mv "$summary.tmp" "$summary"
total=$(awk -F'\t' 'NR>1 {s+=$2} END {print s+0}' "$summary")
log "${#targets[@]} targets, $total executions; summary in $summary"
exit "$status"
