#!/usr/bin/env bash
# scripts/bench-binaries.sh — the binary-size and start-up part of
# `make bench` (alone: `make bench-binaries`, a few seconds once the build
# cache is warm). It writes `go test -bench`-style result lines on stdout,
# which scripts/benchtable renders as rows of the one bench table:
#
#   Binary/NAME      file size of each program in the table below, as built
#                    (bytes) and with -trimpath -ldflags='-s -w'
#                    (stripped-bytes);
#   Startup/NAME     wall time of a whole mynacard process (median over
#                    MYNACARD_BENCH_STARTUP_RUNS runs, default 10, in ns/op,
#                    with the fastest and slowest run and the median CPU
#                    time in ms, the latter from GNU time when installed).
#
# The programs measured are the table `programs` below, one line each:
#   NAME|CGO_ENABLED|what to build
# where "what to build" is a package directory (./cmd/mynacard) or
# "IMPORT[,IMPORT...] EXPRESSION": a generated program printing EXPRESSION
# with those packages alone, to show what importing them costs. A row
# whose package is not in this tree is skipped with a note on stderr (so
# the table can name a package before it lands). The floor-* rows use no
# package of this module: what Go's own X.509 verification, and an HTTP
# server doing it, cost before any of ours.
#
# Environment: GO (default go), MYNACARD_BENCH_STARTUP_RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
runs=${MYNACARD_BENCH_STARTUP_RUNS:-10}
mod=$("$GO" list -m)

programs=(
	"mynacard-cgo|1|./cmd/mynacard"
	"examples-backend-nocgo|0|./examples/backend"
	"token-NonceSize-nocgo|0|$mod/token token.NonceSize"
	"confirm-MaxAgeOver-nocgo|0|$mod/confirm confirm.MaxAgeOver"
	"token-Validate-nocgo|0|context,$mod/token func() error { v := &token.Validator{}; _, err := v.Validate(context.Background(), nil, \"\", \"\", 0); return err }()"
	"floor-x509-ParseVerify-nocgo|0|crypto/x509 func() error { c, err := x509.ParseCertificate(nil); if err == nil { _, err = c.Verify(x509.VerifyOptions{}) }; return err }()"
	"floor-http-x509-nocgo|0|crypto/x509,net/http func() error { c, err := x509.ParseCertificate(nil); if err == nil { _, err = c.Verify(x509.VerifyOptions{}) }; if err != nil { return http.ListenAndServe(\"127.0.0.1:0\", nil) }; return err }()"
)

log() { printf 'bench-binaries.sh: %s\n' "$*" >&2; }

tmp=$(mktemp -d)
# Generated programs live inside the module (so they import its packages)
# in a directory removed on exit.
gen=$(mktemp -d "$PWD/scripts/benchbin.XXXXXX")
trap 'rm -rf "$tmp" "$gen"' EXIT

# size FILE prints its size in bytes.
size() { stat -c %s "$1"; }

echo "pkg: $mod/binaries"
for row in "${programs[@]}"; do
	IFS='|' read -r name cgo what <<<"$row"
	read -r target expr <<<"$what"
	if [ -n "$expr" ]; then
		IFS=, read -r -a pkgs <<<"$target"
		imports=
		missing=
		for pkg in "${pkgs[@]}"; do
			case $pkg in
			"$mod"/*) [ -d "${pkg#"$mod"/}" ] || missing=${pkg#"$mod"/} ;;
			esac
			imports+=$(printf '\t"%s"\n' "$pkg")$'\n'
		done
		if [ -n "$missing" ]; then
			log "skipping $name: $missing is not in this tree"
			continue
		fi
		dir=$gen/$name
		mkdir -p "$dir"
		cat >"$dir/main.go" <<EOF
// Command $name prints $expr: a program importing only $target.
package main

import (
	"fmt"

$imports)

func main() { fmt.Println($expr) }
EOF
		target=./${dir#"$PWD"/}
	fi
	if ! CGO_ENABLED=$cgo "$GO" build -o "$tmp/$name" "$target" ||
		! CGO_ENABLED=$cgo "$GO" build -trimpath -ldflags='-s -w' -o "$tmp/$name.stripped" "$target"; then
		log "building $name ($target) failed"
		echo "--- FAIL: Binary/$name (build failed)"
		continue
	fi
	printf 'BenchmarkBinary/%s 1 %d bytes %d stripped-bytes\n' "$name" "$(size "$tmp/$name")" "$(size "$tmp/$name.stripped")"
done

# Start-up: whole processes of the cgo mynacard built above, in an empty
# HOME; a run counts only when the command exits 0. Wall time is what a
# user waits for; CPU time (user + system, from GNU time when installed,
# 10 ms resolution) is the part that does not grow with the machine's load.
bin=$tmp/mynacard-cgo
timer=()
if [ -x /usr/bin/time ]; then
	timer=(/usr/bin/time -f '%U %S' -a -o "$tmp/cpu")
fi
# median prints the middle of its arguments, sorted as numbers.
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
startup() {
	local name=$1
	shift
	local i t0 t1 walls=() cpus=()
	: >"$tmp/cpu"
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		if ! HOME=$tmp "${timer[@]}" "$bin" "$@" >/dev/null 2>&1; then
			log "mynacard $* failed"
			echo "--- FAIL: Startup/$name (mynacard $* exited non-zero)"
			return
		fi
		t1=$(date +%s%N)
		walls+=($((t1 - t0)))
	done
	mapfile -t cpus < <(awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$tmp/cpu")
	mapfile -t walls < <(printf '%s\n' "${walls[@]}" | sort -n)
	local line
	line=$(printf 'BenchmarkStartup/%s %d %d ns/op %d min-ms %d max-ms' "$name" "${#walls[@]}" \
		"$(median "${walls[@]}")" $((walls[0] / 1000000)) $((walls[${#walls[@]} - 1] / 1000000)))
	if [ ${#cpus[@]} -gt 0 ]; then
		line+=" $(median "${cpus[@]}") cpu-ms"
	fi
	echo "$line"
}
echo "pkg: $mod/startup"
startup status-virtual --reader virtual status
if HOME=$tmp "$bin" version >/dev/null 2>&1; then
	startup version version
else
	startup help --help # no version command: the start-up floor without a card
fi
