#!/usr/bin/env bash
# scripts/dist.sh — `make dist`: release binaries of cmd/mynacard for the
# places counters run, with SHA-256 checksums, in dist/:
#
#   mynacard-windows-amd64.exe  pure Go (PC/SC through winscard.dll; the face
#                               photo decoder needs cgo and is left out, so
#                               `face` writes the JPEG 2000 bytes as they are)
#   mynacard-linux-amd64        cgo (pcsclite, OpenJPEG), this machine
#   mynacard-linux-arm64        cgo, cross-built with gcc-aarch64-linux-gnu
#                               and the arm64 -dev packages (multiarch)
#   SHA256SUMS                  sha256sum's format
#
# Windows binaries are built here (type-checked by the compiler), not run: Wine cannot run Go
# 1.26 programs. MYNACARD_DIST_TARGETS picks a subset ("windows/amd64
# linux/arm64"); MYNACARD_NO_APT=1 never installs the cross toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'dist.sh: %s\n' "$*" >&2; }
targets=${MYNACARD_DIST_TARGETS:-"windows/amd64 linux/amd64 linux/arm64"}

# arm64_toolchain installs the cross compiler and the arm64 libraries that
# reader/pcsc and internal/jp2 link against, when they are missing.
arm64_toolchain() {
	command -v aarch64-linux-gnu-gcc >/dev/null &&
		[ -f /usr/lib/aarch64-linux-gnu/pkgconfig/libpcsclite.pc ] &&
		[ -f /usr/lib/aarch64-linux-gnu/pkgconfig/libopenjp2.pc ] && return 0
	[ "${MYNACARD_NO_APT:-}" = 1 ] && { log "linux/arm64 needs gcc-aarch64-linux-gnu libpcsclite-dev:arm64 libopenjp2-7-dev:arm64"; return 1; }
	local sudo=()
	[ "$(id -u)" -ne 0 ] && sudo=(sudo -n)
	local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q)
	"${sudo[@]}" dpkg --add-architecture arm64
	"${sudo[@]}" "${apt[@]}" update >&2
	"${sudo[@]}" "${apt[@]}" install -y --no-install-recommends gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
		libpcsclite-dev:arm64 libopenjp2-7-dev:arm64 >&2
}

mkdir -p dist
rm -f dist/SHA256SUMS
for t in $targets; do
	goos=${t%/*} goarch=${t#*/}
	out=dist/mynacard-$goos-$goarch
	[ "$goos" = windows ] && out=$out.exe
	env=(GOOS="$goos" GOARCH="$goarch")
	case $t in
	windows/*) env+=(CGO_ENABLED=0) ;;
	linux/amd64) env+=(CGO_ENABLED=1) ;;
	linux/arm64)
		arm64_toolchain
		env+=(CGO_ENABLED=1 CC=aarch64-linux-gnu-gcc PKG_CONFIG_PATH=/usr/lib/aarch64-linux-gnu/pkgconfig PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig)
		;;
	*) log "unknown target $t"; exit 2 ;;
	esac
	log "build $t"
	# go vet type-checks the tests too, and the PC/SC test harness uses
	# flock: only this machine's own target is vetted.
	[ "$t" = "$(go env GOOS)/$(go env GOARCH)" ] && env "${env[@]}" go vet ./cmd/mynacard/...
	env "${env[@]}" go build -trimpath -ldflags "-s -w" -o "$out" ./cmd/mynacard
done
(cd dist && sha256sum mynacard-* > SHA256SUMS)
cat dist/SHA256SUMS
