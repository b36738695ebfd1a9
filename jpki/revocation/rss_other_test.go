//go:build !unix

package revocation

import (
	"os"
	"time"
)

// peakRSSMiB is not measured here.
func peakRSSMiB(*os.ProcessState) float64 { return 0 }

// processCPU is not measured here.
func processCPU() time.Duration { return 0 }
