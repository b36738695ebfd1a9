//go:build unix && !darwin && !ios

package revocation

// maxrssUnit: getrusage's ru_maxrss is in KiB on Linux and the BSDs.
const maxrssUnit = 1024
