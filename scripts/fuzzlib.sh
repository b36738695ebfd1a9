# scripts/fuzzlib.sh — sourced by scripts/test.sh and scripts/fuzz.sh: the
# one rule for running a fuzz target and telling Go's own failure from a
# finding. The sourcing script defines log MESSAGE; GO names the go
# command (default go).

# fuzz_deadline_race OUT: true when OUT, the output of a failed
# `go test -fuzz`, shows only Go 1.26's fuzzing-coordinator deadline race:
# the coordinator reports its own -fuzztime deadline as a failure
# ("context deadline exceeded" on a line of its own) and no failing input
# was written (go.dev/issue/75804, fixed in Go 1.27). A finding always
# writes its failing input ("Failing input written to ..."), so a finding
# is never taken for the race.
fuzz_deadline_race() {
	grep -qx '    context deadline exceeded' "$1" && ! grep -q 'Failing input written' "$1"
}

# fuzz_target PKG TARGET FUZZTIME OUT: runs one fuzz target for FUZZTIME
# with its output in OUT. A failure that is only the deadline race gets
# one more run, whose output replaces OUT; anything else fails at once.
# Returns 0 when the (last) run passed; FUZZ_RETRIED is 1 when it retried.
fuzz_target() {
	local pkg=$1 name=$2 fuzztime=$3 out=$4 try
	FUZZ_RETRIED=0
	for try in 1 2; do
		if "${GO:-go}" test -run='^$' -fuzz="^$name\$" -fuzztime="$fuzztime" "$pkg" >"$out" 2>&1; then
			return 0
		fi
		if [ "$try" = 1 ] && fuzz_deadline_race "$out"; then
			log "fuzz $pkg $name: the coordinator's deadline race (no failing input), once more"
			FUZZ_RETRIED=1
			continue
		fi
		return 1
	done
	return 1
}
