package revocation

import (
	"hash"
	"sync"
)

// asyncHashChunk is the size of the copies an asyncHash hands to its
// goroutine; asyncHashDepth how many may wait, bounding its memory.
const (
	asyncHashChunk = 256 << 10
	asyncHashDepth = 4
)

// asyncHash feeds a hash from its own goroutine, so that hashing a large
// CRL (SHA-256 of the whole file, the signature's hash of tbsCertList)
// runs on another core while the parser indexes entries. Write copies the
// bytes (the caller's buffer is reused); Sum waits for the goroutine.
// close must be called once whether or not Sum was (it is idempotent).
type asyncHash struct {
	h    hash.Hash
	cur  []byte
	bufs int // chunk buffers made (at most asyncHashDepth+1)
	work chan []byte
	free chan []byte
	done chan struct{}
	once sync.Once
}

func newAsyncHash(h hash.Hash) *asyncHash {
	a := &asyncHash{h: h, work: make(chan []byte, asyncHashDepth), free: make(chan []byte, asyncHashDepth+1), done: make(chan struct{})}
	a.cur = a.buffer()
	go func() {
		defer close(a.done)
		for b := range a.work {
			a.h.Write(b)
			a.free <- b[:0]
		}
	}()
	return a
}

// Write implements io.Writer.
func (a *asyncHash) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		m := copy(a.cur[len(a.cur):cap(a.cur)], p)
		a.cur = a.cur[:len(a.cur)+m]
		p = p[m:]
		if len(a.cur) == cap(a.cur) {
			a.work <- a.cur
			a.cur = a.buffer()
		}
	}
	return n, nil
}

// buffer returns a free chunk buffer, making one while fewer than the
// bound exist (a small input needs one).
func (a *asyncHash) buffer() []byte {
	select {
	case b := <-a.free:
		return b
	default:
	}
	if a.bufs < asyncHashDepth+1 {
		a.bufs++
		return make([]byte, 0, asyncHashChunk)
	}
	return <-a.free
}

// finish hands over what is buffered and waits for the goroutine.
func (a *asyncHash) finish() {
	a.once.Do(func() {
		if len(a.cur) > 0 {
			a.work <- a.cur
		}
		close(a.work)
	})
	<-a.done
}

// Sum returns the digest of everything written.
func (a *asyncHash) Sum(b []byte) []byte {
	a.finish()
	return a.h.Sum(b)
}

// close stops the goroutine (after hashing what was written).
func (a *asyncHash) close() { a.finish() }
