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

// adviseHugePages asks for transparent huge pages for a large table: its
// lookups, spread over hundreds of MB, then find their page in the TLB
// instead of walking the page tables, which on a virtual machine costs
// more than the slot's own cache miss. It is asked for when the table is
// reserved, before it is written, so that the faults get huge pages
// directly (also 512 times fewer faults); advice given after the writes
// only lets khugepaged collapse the pages slowly in the background. In a
// process holding one 5M-entry list of 20-byte serials, with other
// engineers' tests running on the 2-core VM: random lookups 227 → 143 ns,
// pipelined 177 → 74 ns, and the whole-process load of that list
// 1.52–1.86 s without against 1.38–1.82 s with (interleaved runs). On a
// machine whose free memory is fragmented the kernel may compact at those
// faults, as its defrag setting says ("madvise" by default). Advice only:
// where huge pages are off or unavailable nothing changes.
func adviseHugePages(d []uint64) {
	if len(d) < hugePageMin {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(d))), len(d)*8)
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
