package revocation

import (
	"syscall"
	"unsafe"
)

// ctimeNano is the inode change time, which no unprivileged program can
// set back.
func ctimeNano(st *syscall.Stat_t) (int64, bool) { return st.Ctim.Nano(), true }

// mapFlags maps an index file shared. Its pages are faulted in by the
// goroutines that check the body's chunks, on every core (MAP_POPULATE
// would do it on one).
const mapFlags = syscall.MAP_SHARED

// madvHugePage is MADV_HUGEPAGE (linux/mman.h).
const madvHugePage = 14

// adviseHugePages asks for transparent huge pages under a large slot
// table before it is written: a lookup spread over hundreds of MB then
// finds its page in the TLB instead of walking the page tables, which on
// a virtual machine costs more than the slot's own cache miss. Advice
// only: where huge pages are off or unavailable nothing changes.
func adviseHugePages(d []uint64) {
	if cap(d) < hugePageMin {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(d))), cap(d)*8)
	const page = 4096
	start := (uintptr(unsafe.Pointer(&b[0])) + page - 1) &^ (page - 1)
	off := int(start - uintptr(unsafe.Pointer(&b[0])))
	if off >= len(b) {
		return
	}
	b = b[off:]
	b = b[:len(b)&^(page-1)]
	_ = syscall.Madvise(b, madvHugePage)
}
