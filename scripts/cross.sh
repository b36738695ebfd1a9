#!/usr/bin/env bash
# scripts/cross.sh — part of `make test`: the `make dist` targets other than
# this machine's are vetted and built, and their tests compiled (go test -c),
# so a change that breaks the Windows or arm64 build fails CI instead of a
# release:
#
#   windows/amd64  pure Go: go vet, go build and go test -c of cmd/mynacard's
#                  packages whose tests compile there (the PC/SC test harness,
#                  internal/pcsctest, uses flock and setsid and is Unix-only:
#                  packages whose tests use it are built, not vetted)
#   linux/arm64    cgo cross (scripts/dist.sh's toolchain): go vet, go build
#                  and go test -c of every package cmd/mynacard is built from
#
# Nothing is run: the binaries are for other machines. MYNACARD_CROSS_TARGETS
# picks a subset ("" skips the step); a target whose toolchain is missing
# (linux/arm64 without gcc-aarch64-linux-gnu and the arm64 -dev packages,
# under MYNACARD_NO_APT=1) fails.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'cross.sh: %s\n' "$*" >&2; }
targets=${MYNACARD_CROSS_TARGETS-"windows/amd64 linux/arm64"}
module=$(go list -m)
# Packages whose tests are Unix-only by nature (file descriptors duplicated
# with syscall.Dup): built for Windows, not test-compiled there.
windows_untested=(internal/pinentry)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for t in $targets; do
	goos=${t%/*} goarch=${t#*/}
	env=(GOOS="$goos" GOARCH="$goarch")
	case $t in
	windows/*) env+=(CGO_ENABLED=0) ;;
	linux/arm64)
		if ! command -v aarch64-linux-gnu-gcc >/dev/null ||
			[ ! -f /usr/lib/aarch64-linux-gnu/pkgconfig/libpcsclite.pc ]; then
			# scripts/dist.sh installs the toolchain (or says what is missing).
			MYNACARD_DIST_TARGETS=linux/arm64 scripts/dist.sh >/dev/null
		fi
		env+=(CGO_ENABLED=1 CC=aarch64-linux-gnu-gcc PKG_CONFIG_PATH=/usr/lib/aarch64-linux-gnu/pkgconfig PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig)
		;;
	*) log "unknown target $t"; exit 2 ;;
	esac
	# The module's packages cmd/mynacard is built from, less those whose
	# tests import something that does not build for the target.
	mapfile -t pkgs < <(env "${env[@]}" go list -deps ./cmd/mynacard | grep "^$module/")
	skip=(/)
	if [ "$goos" = windows ]; then
		mapfile -t skip < <(env "${env[@]}" go list -e -test -f '{{.ImportPath}} {{join .Deps " "}}' "${pkgs[@]}" |
			awk -v h="$module/internal/pcsctest" '$1 ~ /\.test$/ { for (i = 2; i <= NF; i++) if ($i == h) { sub(/\.test$/, "", $1); print $1 } }')
		skip+=("$module/internal/pcsctest" "${windows_untested[@]/#/$module/}")
	fi
	mapfile -t testable < <(printf '%s\n' "${pkgs[@]}" | grep -vxF -f <(printf '%s\n' "${skip[@]}"))
	log "$t: vet and go test -c ${#testable[@]} of ${#pkgs[@]} packages, build cmd/mynacard"
	start=$SECONDS
	[ ${#testable[@]} -gt 0 ] && env "${env[@]}" go vet "${testable[@]}"
	env "${env[@]}" go build -o "$out/" ./cmd/mynacard
	[ ${#testable[@]} -gt 0 ] && env "${env[@]}" go test -c -o "$out/" "${testable[@]}"
	rm -rf "${out:?}"/*
	log "$t: $((SECONDS - start)) s"
done
