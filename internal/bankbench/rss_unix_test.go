//go:build unix

package bankbench

import (
	"os"
	"syscall"
)

// peakRSSMiB is a finished process's peak resident set size.
func peakRSSMiB(ps *os.ProcessState) float64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) * maxrssUnit / (1 << 20)
	}
	return 0
}
