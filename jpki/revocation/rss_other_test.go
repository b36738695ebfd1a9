//go:build !unix

package revocation

import "os"

// peakRSSMiB is not measured here.
func peakRSSMiB(*os.ProcessState) float64 { return 0 }
