//go:build unix && !darwin && !ios

package bankbench

// maxrssUnit: getrusage's ru_maxrss is in KiB on Linux and the BSDs.
const maxrssUnit = 1024
