//go:build !unix

package bankbench

import "os"

// peakRSSMiB is not measured here.
func peakRSSMiB(*os.ProcessState) float64 { return 0 }
