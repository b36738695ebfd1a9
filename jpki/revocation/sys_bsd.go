//go:build darwin || ios || freebsd || netbsd

package revocation

import "syscall"

// ctimeNano is the inode change time, which no unprivileged program can
// set back.
func ctimeNano(st *syscall.Stat_t) (int64, bool) { return st.Ctimespec.Nano(), true }

// mapFlags maps an index file shared.
const mapFlags = syscall.MAP_SHARED

// adviseHugePages is advice for Linux's transparent huge pages only.
func adviseHugePages([]uint64) {}
