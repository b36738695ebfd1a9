//go:build unix && !linux && !darwin && !ios && !freebsd && !netbsd

package revocation

import "syscall"

// ctimeNano is not wired up here: without it the fingerprint is not
// trusted and every load hashes the CRL file.
func ctimeNano(*syscall.Stat_t) (int64, bool) { return 0, false }

// mapFlags maps an index file shared.
const mapFlags = syscall.MAP_SHARED

// adviseHugePages is advice for Linux's transparent huge pages only.
func adviseHugePages([]uint64) {}
