package revocation

import "syscall"

// ctimeNano is the inode change time, which no unprivileged program can
// set back.
func ctimeNano(st *syscall.Stat_t) (int64, bool) { return st.Ctim.Nano(), true }

// mapFlags maps an index file shared and populates its page tables at
// once: the checksum reads every page anyway, and one populating call is
// cheaper than a fault per few pages.
const mapFlags = syscall.MAP_SHARED | syscall.MAP_POPULATE
