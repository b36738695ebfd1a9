#!/usr/bin/env bash
# scripts/run.sh — the README's main job (`make run`): personal
# identification (本人確認) of a card holder.
#
#   1. installs the Debian packages needed to build and to reach a real
#      reader when they are missing (gcc, pkg-config, libpcsclite-dev,
#      libopenjp2-7-dev; pcscd and libccid for USB readers), as root or
#      through `sudo -n`; MYNACARD_NO_APT=1 skips this;
#   2. builds bin/mynacard;
#   3. with a card in a reader: `mynacard identify --enroll` on it, asking
#      for the signing password on the terminal (echo off), enrolling the
#      holder in the per-user store (created on first use: only enrolment and
#      eligibility import create a store);
#      with no card in any reader (or no pcscd running): the same command on
#      the built-in virtual card, asked for explicitly with --reader virtual
#      (mynacard never falls back to it by itself) — a fictional TEST holder
#      whose test password is fed on standard input (never argv), so it
#      needs no input; the test holder goes to its own store,
#      bin/virtual-card.db, never to the per-user one.
#
# `scripts/run.sh ARGS…` (or `make run ARGS="…"`) runs bin/mynacard ARGS
# instead of the main job.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'run.sh: %s\n' "$*" >&2; }

packages=(gcc pkg-config libpcsclite-dev libopenjp2-7-dev pcscd libccid)

install_packages() {
	command -v dpkg-query >/dev/null || return 0
	local missing=() p
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "${MYNACARD_NO_APT:-}" = 1 ]; then
		log "missing Debian packages: ${missing[*]} (MYNACARD_NO_APT=1)"
		return 1
	fi
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		if ! { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; then
			log "missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}"
			return 1
		fi
		sudo=(sudo -n)
	fi
	log "installing ${missing[*]}"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

install_packages
command -v go >/dev/null || { log "go is not installed (see go.mod for the version)"; exit 1; }
log "building bin/mynacard"
go build -o bin/mynacard ./cmd/mynacard

if [ $# -gt 0 ]; then
	exec ./bin/mynacard "$@"
fi

# The virtual card's test holder's signing password (jpkitest.DefaultSignPIN):
# published test data, not a secret. It goes to the CLI on standard input.
virtual_password=ABC123

if ./bin/mynacard readers --json 2>/dev/null | grep -q '"card_present": *true'; then
	log "a card is in a reader: identifying its holder (you will be asked for the signing password)"
	exec ./bin/mynacard identify --enroll
fi
log "no card in any reader: identifying the built-in virtual card's TEST holder"
printf '%s\n' "$virtual_password" | exec ./bin/mynacard --db "$PWD/bin/virtual-card.db" identify --enroll --reader virtual --pin-stdin
