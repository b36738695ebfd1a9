//go:build amd64 || arm64

package revocation

// prefetch asks the processor to bring the cache line holding *p in,
// without waiting for it and without faulting (PREFETCHT0, PRFM
// PLDL1KEEP). It never reads the word for the program: p may point into
// a mapped index block whose checksum has not been checked yet.
//
//go:noescape
func prefetch(p *uint64)
