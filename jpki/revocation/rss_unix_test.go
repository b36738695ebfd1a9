//go:build unix

package revocation

import (
	"os"
	"syscall"
	"time"
)

// peakRSSMiB is a finished process's peak resident set size.
func peakRSSMiB(ps *os.ProcessState) float64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) * maxrssUnit / (1 << 20)
	}
	return 0
}

// processCPU is the CPU time this process has used (user and system):
// on a shared machine a benchmark's wall time includes the time other
// processes ran, its CPU time does not.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
