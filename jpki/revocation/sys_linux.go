package revocation

import "syscall"

// ctimeNano is the inode change time, which no unprivileged program can
// set back.
func ctimeNano(st *syscall.Stat_t) (int64, bool) { return st.Ctim.Nano(), true }

// mapFlags maps an index file shared. Its pages are faulted in by the
// goroutines that check the body's chunks, on every core (MAP_POPULATE
// would do it on one).
const mapFlags = syscall.MAP_SHARED
