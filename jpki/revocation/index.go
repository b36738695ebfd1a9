package revocation

import (
	"fmt"
	"math/big"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"time"
)

// The index is one flat []uint64 of fixed-width records: each record is
// the serial as keyWords 64-bit words (two's complement, sign-extended to
// the record's width, most significant first, top bit flipped), passed
// through a bijective mix (scramble), then the revocation time in seconds
// packed with the reason code. The width is the smallest number of words
// that holds every serial of the CRL: one word (16 bytes a record) for
// serials of up to 8 content bytes, such as JPKI's 4-byte ones; three
// words (32 bytes) for RFC 5280's 20-octet serials.
//
// The records sit in a table of slots, sorted by mixed key with empty
// slots between them: the first mixed word, scaled to the number of home
// slots, is where a record would ideally be, and each record is at its
// home slot or just after the record before it (linear probing with the
// records in key order). A lookup computes the home slot of the key and
// reads forward until the key, a larger key or an empty slot: for any
// distribution of serials (the mix spreads sequential and clustered ones
// alike) that is one slot or a few adjacent ones, one cache line in most
// lookups. The same table is the body of the index file, used in place
// through mmap (see indexfile.go).

// reasonBits is the width of the reason field packed below the seconds.
const reasonBits = 8

// reasonAbsent is the packed reason byte of an entry without a reasonCode
// extension.
const reasonAbsent = 0xFF

// maxKeyWords is the widest key: RFC 5280 §4.1.2.2 allows serials of up
// to 20 octets (21 with the sign octet); this leaves room for
// non-conforming issuers.
const maxKeyWords = 3

// maxSerialBytes is the longest INTEGER content a key holds.
const maxSerialBytes = 8 * maxKeyWords

// signBit is flipped in a key's first word so that unsigned comparison
// orders two's complement numbers.
const signBit = 1 << 63

func pack(sec int64, reason Reason) int64 {
	r := byte(reasonAbsent)
	if reason != ReasonNone {
		r = byte(reason)
	}
	return sec<<reasonBits | int64(r)
}

// unpack is without branches on the value: a lookup's answer comes from
// a cache miss, and a mispredicted branch on it would hold back the next
// lookup's miss.
func unpack(p int64) (time.Time, Reason) {
	// ReasonNone is -1: subtract 0x100 from the absent byte 0xFF.
	r := Reason(byte(p)) - Reason(b2u(byte(p) == reasonAbsent)<<8)
	return unixTime(p >> reasonBits), r
}

// serialKey is a serial in index form.
type serialKey struct {
	// w is the serial sign-extended to maxKeyWords words, most
	// significant first, without the sign flip.
	w [maxKeyWords]uint64
	// need is the number of words the serial needs (1..maxKeyWords).
	need int
	ok   bool // false: the serial cannot be represented
}

// keyFromInteger converts DER INTEGER content bytes (two's complement,
// minimal) to a key.
func keyFromInteger(b []byte) serialKey {
	var k serialKey
	if len(b) == 0 || len(b) > maxSerialBytes {
		return k
	}
	k.ok = true
	k.need = (len(b) + 7) / 8
	var fill uint64
	if b[0]&0x80 != 0 {
		fill = ^uint64(0)
	}
	k.w = [maxKeyWords]uint64{fill, fill, fill}
	// Eight bytes a word from the least significant end; shifting the
	// fill in keeps a partial word sign-extended.
	for i, wi := len(b), maxKeyWords-1; i > 0; wi-- {
		lo := max(i-8, 0)
		v := fill
		for _, c := range b[lo:i] {
			v = v<<8 | uint64(c)
		}
		k.w[wi] = v
		i = lo
	}
	return k
}

// keyFromBig converts a certificate serial number to a key.
func keyFromBig(n *big.Int) serialKey {
	if n == nil {
		return serialKey{}
	}
	return keyFromInteger(integerBytes(n))
}

// integerBytes returns the minimal two's-complement content of n, as DER
// writes an INTEGER (X.690 §8.3).
func integerBytes(n *big.Int) []byte {
	switch n.Sign() {
	case 0:
		return []byte{0}
	case 1:
		b := n.Bytes()
		if b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return b
	}
	// negative: two's complement of |n| in the minimal width
	nMinus1 := new(big.Int).Neg(n)
	nMinus1.Sub(nMinus1, big.NewInt(1))
	b := nMinus1.Bytes()
	for i := range b {
		b[i] ^= 0xFF
	}
	if len(b) == 0 || b[0]&0x80 == 0 {
		b = append([]byte{0xFF}, b...)
	}
	return b
}

// index is the revoked serials of one CRL.
type index struct {
	kw     int      // key words per record (0 while empty, then 1..maxKeyWords)
	n      int      // entries, once finished
	home   uint64   // home slots, once finished
	data   []uint64 // records of kw+1 words: appended by add, a slot table after finish
	mapped bool     // data is an index file's mapping, not heap
	// check, for an index read from a file, checks the blocks of data
	// a lookup reads before they answer (nil: built here, nothing to check).
	check *blockCheck
}

// stride is the record size in words.
func (x *index) stride() int { return x.kw + 1 }

// Len returns the number of entries.
func (x *index) Len() int { return x.n }

// records is the number of records appended before finish.
func (x *index) records() int {
	if x.kw == 0 {
		return 0
	}
	return len(x.data) / x.stride()
}

// reserve sizes an empty index for about n records of width kw, with
// room for the slot table of a quarter more (the estimate comes from the
// first entry, and entries without a reason are shorter): spreading the
// records then needs no second array, whose copy would double the peak.
// Capacity that is never written costs address space, not memory.
func (x *index) reserve(n, kw int) {
	x.kw = kw
	x.data = make([]uint64, 0, (tableSlots(n+n/4)+64)*(kw+1))
	adviseHugePages(x.data[:cap(x.data)])
}

// hugePageMin is the table size (words) from which huge pages are asked
// for: a few of them, not one mostly empty.
const hugePageMin = 8 << 20 / 8

// add appends an entry; the table is made by finish.
func (x *index) add(k *serialKey, packed int64) {
	if x.kw == 0 {
		x.kw = 1
	}
	if k.need > x.kw {
		x.widen(k.need)
	}
	n, s := len(x.data), x.kw+1
	if cap(x.data)-n < s {
		x.data = slices.Grow(x.data, s)
	}
	x.data = x.data[:n+s]
	rec := x.data[n : n+s]
	switch x.kw {
	case 1:
		rec[0] = k.w[2]
	case 2:
		rec[0], rec[1] = k.w[1], k.w[2]
	default:
		rec[0], rec[1], rec[2] = k.w[0], k.w[1], k.w[2]
	}
	rec[0] ^= signBit
	rec[x.kw] = uint64(packed)
}

// widen rewrites every record to kw key words (sign-extending), keeping
// the capacity proportionally.
func (x *index) widen(kw int) {
	old, ow := x.data, x.kw
	n := len(old) / (ow + 1)
	c := cap(old) / (ow + 1)
	next := make([]uint64, n*(kw+1), max(c, n+1)*(kw+1))
	adviseHugePages(next[:cap(next)])
	for i := range n {
		src := old[i*(ow+1) : (i+1)*(ow+1)]
		dst := next[i*(kw+1) : (i+1)*(kw+1)]
		top := src[0] ^ signBit
		var fill uint64
		if top&signBit != 0 {
			fill = ^uint64(0)
		}
		pad := kw - ow
		for j := range pad {
			dst[j] = fill
		}
		dst[pad] = top
		copy(dst[pad+1:kw], src[1:ow])
		dst[0] ^= signBit
		dst[kw] = src[ow]
	}
	x.data, x.kw = next, kw
}

// mix64 is a bijection of 64-bit words that spreads every input bit over
// the output (the SplitMix64 finalizer). It is part of the index file
// format: changing it needs a new indexVersion.
func mix64(v uint64) uint64 {
	v ^= v >> 30
	v *= 0xBF58476D1CE4E5B9
	v ^= v >> 27
	v *= 0x94D049BB133111EB
	v ^= v >> 31
	return v
}

// scramble mixes a key (kw words) in place, bijectively: the first word
// is mixed with a function of all the others, which are kept. Equal keys
// stay equal and distinct ones distinct (for any function of the other
// words), and the first word, which chooses the home slot, depends on
// every bit of the serial. The other words enter through one multiply
// each by an odd constant, in parallel, rather than a mix64 each one
// after another: the mix64 that follows spreads their bits, and a 20-byte
// lookup, which computes this twice when pipelined, measured 10–15 ns
// faster. Part of the index file format, like mix64.
func scramble(w []uint64) {
	var f uint64
	switch len(w) {
	case 2:
		f = w[1] * mixMul1
	case 3:
		f = w[1]*mixMul1 ^ w[2]*mixMul2
	}
	w[0] = mix64(w[0] ^ f)
}

// mixMul1 and mixMul2 are the odd multipliers of scramble (part of the
// index file format).
const (
	mixMul1 = 0x9E3779B97F4A7C15
	mixMul2 = 0xC2B2AE3D27D4EB4F
)

// emptySlot is the packed word of an empty slot (its key words are zero):
// reason byte 7, the CRLReason value RFC 5280 leaves unassigned, which no
// entry is stored with.
const emptySlot = uint64(reasonUnused)

// tableSlots is the number of home slots for n entries: a load of about
// two thirds, so that a lookup reads 1.5 to 2 slots on average.
func tableSlots(n int) int { return n + n/2 + 1 }

// homeOf is the home slot of a mixed first key word among m slots (the
// top bits of the word, scaled: keys in order have homes in order).
func homeOf(w0, m uint64) uint64 {
	h, _ := bits.Mul64(w0, m)
	return h
}

// cmpRecords compares records a and b by key, then by packed value
// (earlier revocation first).
func cmpRecords(a, b []uint64) int {
	for i := range a {
		switch {
		case a[i] < b[i]:
			return -1
		case a[i] > b[i]:
			return 1
		}
	}
	return 0
}

// finish mixes the keys, sorts the records by mixed key, resolves
// duplicate serials and lays the records out in the slot table.
func (x *index) finish() {
	if x.kw == 0 {
		return
	}
	s, kw := x.stride(), x.kw
	n := x.records()
	for i := range n {
		scramble(x.data[i*s : i*s+kw])
	}
	sorted := true
	for i := 1; i < n; i++ {
		if cmpRecords(x.data[(i-1)*s:i*s], x.data[i*s:(i+1)*s]) > 0 {
			sorted = false
			break
		}
	}
	if !sorted {
		x.radixSort()
	}
	x.dedupe()
	x.spread()
}

// spread moves the sorted, deduplicated records to their slots: each at
// its home slot or, if that is taken, just after the record before it.
// Every record moves to a slot at or after its index, so moving them
// from the last one down is in place; the slots left between them are
// marked empty, and the table ends with window empty slots.
func (x *index) spread() {
	s, kw := x.stride(), x.kw
	n := x.records()
	m := uint64(tableSlots(n))
	pos := make([]uint32, n)
	next := uint64(0)
	for i := range n {
		p := max(homeOf(x.data[i*s], m), next)
		pos[i] = uint32(p)
		next = p + 1
	}
	total := int(max(next, m)) + window(kw)
	if cap(x.data) < total*s {
		grown := make([]uint64, n*s, total*s)
		copy(grown, x.data)
		x.data = grown
	}
	x.data = x.data[:total*s]
	empty := func(from, to int) {
		for j := from; j < to; j++ {
			slot := x.data[j*s : (j+1)*s]
			for k := range kw {
				slot[k] = 0
			}
			slot[kw] = emptySlot
		}
	}
	end := total
	for i := n - 1; i >= 0; i-- {
		p := int(pos[i])
		empty(p+1, end)
		if p != i {
			copy(x.data[p*s:(p+1)*s], x.data[i*s:(i+1)*s])
		}
		end = p
	}
	empty(0, end)
	x.n, x.home = n, m
	// Spare capacity from the size estimate is never written, so it
	// costs address space, not memory; copying to trim it would double
	// the peak. Only a far too large estimate is trimmed.
	if cap(x.data) > 2*len(x.data)+1024 {
		x.data = append([]uint64(nil), x.data...)
	}
	adviseHugePages(x.data)
}

// dedupe keeps one record per serial: a CRL should list a serial once
// (RFC 5280 §5.1.2.6), but if it lists one twice the earliest revocation
// wins, and at equal times the lowest reason code (a listed reason before
// none). The records are sorted by key then packed value, so that is the
// first of each run.
func (x *index) dedupe() {
	s, kw := x.stride(), x.kw
	n := x.records()
	if n < 2 {
		return
	}
	out := 1
	for i := 1; i < n; i++ {
		rec := x.data[i*s : (i+1)*s]
		prev := x.data[(out-1)*s : out*s]
		if cmpRecords(rec[:kw], prev[:kw]) == 0 {
			continue
		}
		if out != i {
			copy(x.data[out*s:(out+1)*s], rec)
		}
		out++
	}
	x.data = x.data[:out*s]
}

// radixSortCutoff is the bucket size below which an insertion sort
// finishes the radix sort.
const radixSortCutoff = 24

// radixSort sorts the records in place by key, most significant byte
// first (American flag sort: one counting pass and one permutation pass
// per byte, O(n·keyBytes), no scratch memory beyond the recursion). Bytes
// every key shares are skipped in one pass first. Records with equal keys
// are ordered by packed value.
func (x *index) radixSort() {
	s, kw := x.stride(), x.kw
	n := x.records()
	// The common prefix of all keys (mixed keys differ in the first byte
	// almost at once: the scan stops there).
	first := x.data[:kw]
	var diff [maxKeyWords]uint64
	for i := 1; i < n && diff[0]>>56 == 0; i++ {
		rec := x.data[i*s:]
		for j := range kw {
			diff[j] |= rec[j] ^ first[j]
		}
	}
	d := 0
	for d < 8*kw && byte(diff[d/8]>>(56-8*(d%8))) == 0 {
		d++
	}
	x.flagSort(0, n, d, runtime.GOMAXPROCS(0) > 1)
}

func (x *index) digit(i, d int) int {
	return int(byte(x.data[i*x.stride()+d/8] >> (56 - 8*(d%8))))
}

func (x *index) swap(i, j int) {
	s := x.stride()
	a, b := x.data[i*s:(i+1)*s], x.data[j*s:(j+1)*s]
	for k := range a {
		a[k], b[k] = b[k], a[k]
	}
}

func (x *index) flagSort(lo, hi, d int, par bool) {
	s := x.stride()
	for {
		if hi-lo <= radixSortCutoff {
			for i := lo + 1; i < hi; i++ {
				for j := i; j > lo && cmpRecords(x.data[(j-1)*s:j*s], x.data[j*s:(j+1)*s]) > 0; j-- {
					x.swap(j-1, j)
				}
			}
			return
		}
		if d == 8*x.kw {
			// Every key of the bucket is equal: the earliest revocation
			// first, the rest go in dedupe.
			best := lo
			for i := lo + 1; i < hi; i++ {
				if x.data[i*s+x.kw] < x.data[best*s+x.kw] {
					best = i
				}
			}
			x.swap(lo, best)
			return
		}
		var count [256]int
		for i := lo; i < hi; i++ {
			count[x.digit(i, d)]++
		}
		if count[x.digit(lo, d)] == hi-lo {
			d++ // one bucket: next byte
			continue
		}
		var next, end [256]int
		at := lo
		for b := range 256 {
			next[b] = at
			at += count[b]
			end[b] = at
		}
		for b := range 256 {
			for next[b] < end[b] {
				v := x.digit(next[b], d)
				if v == b {
					next[b]++
					continue
				}
				x.swap(next[b], next[v])
				next[v]++
			}
		}
		if par && hi-lo >= parallelSortMin {
			// A copy: the goroutine's use makes it escape to the heap,
			// and count itself must not (every call would allocate).
			top := count
			x.sortBucketsParallel(lo, d, &top)
			return
		}
		// Recurse into every bucket but the largest, loop on that one.
		big, bigStart := -1, 0
		start := lo
		for b := range 256 {
			if count[b] > 1 && (big < 0 || count[b] > count[big]) {
				big, bigStart = b, start
			}
			start += count[b]
		}
		start = lo
		for b := range 256 {
			if b != big && count[b] > 1 {
				x.flagSort(start, start+count[b], d+1, false)
			}
			start += count[b]
		}
		if big < 0 {
			return
		}
		lo, hi, d = bigStart, bigStart+count[big], d+1
	}
}

// parallelSortMin is the size from which the buckets of the first
// distinguishing byte are sorted on two cores.
const parallelSortMin = 1 << 16

// sortBucketsParallel sorts the buckets (count, from lo, by byte d-1
// already) in two goroutines, split where half the records are.
func (x *index) sortBucketsParallel(lo, d int, count *[256]int) {
	total := 0
	for _, c := range count {
		total += c
	}
	split, at := 0, lo
	for split < 255 && (at-lo)+count[split] <= total/2 {
		at += count[split]
		split++
	}
	if split == 0 {
		at, split = lo+count[0], 1
	}
	sortRange := func(from, to, start int) {
		for b := from; b < to; b++ {
			if count[b] > 1 {
				x.flagSort(start, start+count[b], d+1, false)
			}
			start += count[b]
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sortRange(0, split, lo)
	}()
	sortRange(split, 256, at)
	wg.Wait()
}

// window is the number of slots a lookup reads at once, without a branch
// on what they hold: a cache line's worth (64 bytes of 16-byte records,
// 48 or 64 of wider ones). Only when all of them hold smaller keys does it
// read on. The table ends with window empty slots, so a window starting
// at any home slot is inside it.
func window(kw int) int {
	if kw == 1 {
		return 4
	}
	return 2
}

// b2u is 1 for true: comparisons combined without branches, so that the
// processor can run independent lookups' cache misses in parallel.
func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// lookup returns the packed time and reason of k, if listed, or
// errIndexCorrupt if slots it had to read are in a block of an index file
// that does not check. Its common path keeps the key in registers (the
// mixed first word, the other words as k holds them) and reads one
// window with comparisons combined without branches (the kw=1 window
// unrolled): few instructions a lookup, so that the processor runs the
// next independent lookups' misses while this one waits. Against the
// version with the key copied to a slice and scrambled there, a loop of
// random lookups over a 5M-entry list measured 4-byte 113 → 95 ns and
// 20-byte 135 → 107 ns of CPU (the machine busy with a test run).
func (x *index) lookup(k *serialKey) (int64, bool, error) {
	if !k.ok || x.n == 0 || k.need > x.kw {
		return 0, false, nil // every listed serial fits the width: this one is not listed
	}
	kw := x.kw
	w0 := mixedFirst(k, kw)
	h := int(homeOf(w0, x.home))
	if kw == 1 {
		j := 2 * h
		if j+8 > len(x.data) {
			return x.scan(k, w0, h)
		}
		if x.check != nil && !x.check.words(j, j+8) {
			return 0, false, errIndexCorrupt
		}
		d := x.data[j : j+8 : j+8]
		e0 := b2u(d[0] == w0) & b2u(d[1] != emptySlot)
		e1 := b2u(d[2] == w0) & b2u(d[3] != emptySlot)
		e2 := b2u(d[4] == w0) & b2u(d[5] != emptySlot)
		e3 := b2u(d[6] == w0) & b2u(d[7] != emptySlot)
		if e0|e1|e2|e3 != 0 {
			return int64(d[1]&-e0 | d[3]&-e1 | d[5]&-e2 | d[7]&-e3), true, nil
		}
		// Read on only if every slot of the window holds a smaller key.
		if b2u(d[1] != emptySlot)&b2u(d[3] != emptySlot)&b2u(d[5] != emptySlot)&b2u(d[7] != emptySlot)&b2u(d[6] < w0) != 0 {
			return x.scan(k, w0, h+4)
		}
		return 0, false, nil
	}
	s := kw + 1
	j := h * s
	if j+2*s > len(x.data) {
		return x.scan(k, w0, h)
	}
	if x.check != nil && !x.check.words(j, j+2*s) {
		return 0, false, errIndexCorrupt
	}
	// The key's other words are k.w's last kw-1, unmixed; a narrower key
	// word 1 of a 3-word index is k.w[1] too (sign-extended).
	k1, k2 := k.w[1], k.w[2]
	var ma, mb, va, vb, b0 uint64
	if kw == 2 {
		d := x.data[j : j+6 : j+6]
		ma = b2u(d[0] == w0) & b2u(d[1] == k2)
		mb = b2u(d[3] == w0) & b2u(d[4] == k2)
		va, vb, b0 = d[2], d[5], d[3]
	} else {
		d := x.data[j : j+8 : j+8]
		ma = b2u(d[0] == w0) & b2u(d[1] == k1) & b2u(d[2] == k2)
		mb = b2u(d[4] == w0) & b2u(d[5] == k1) & b2u(d[6] == k2)
		va, vb, b0 = d[3], d[7], d[4]
	}
	ea, eb := b2u(va != emptySlot), b2u(vb != emptySlot)
	ma, mb = ma&ea, mb&eb
	if ma|mb != 0 {
		return int64(va&-ma | vb&-mb), true, nil
	}
	// The second slot's first word decides unless it equals the key's.
	if ea&eb&b2u(b0 <= w0) != 0 {
		return x.scan(k, w0, h+2)
	}
	return 0, false, nil
}

// mixedFirst is the first word of k as an index of kw words holds it:
// sign bit flipped, then mixed with the other words (scramble, without
// a copy of the key).
func mixedFirst(k *serialKey, kw int) uint64 {
	switch kw {
	case 1:
		return mix64(k.w[2] ^ signBit)
	case 2:
		return mix64(k.w[1] ^ signBit ^ k.w[2]*mixMul1)
	}
	return mix64(k.w[0] ^ signBit ^ (k.w[1]*mixMul1 ^ k.w[2]*mixMul2))
}

// prefetchAhead is how many lookups ahead of the one being answered a
// pipelined caller (CRLSet.Batch) prefetches: a random lookup in a table
// of hundreds of MB is one cache miss and usually a page walk, about
// 100–170 ns on the 2-core VM it was measured on, and its own arithmetic
// is 20–40 ns. With the windows of the next lookups already on their way,
// the misses overlap: 4-byte serials 137 → 65 ns a lookup, 20-byte ones
// 173 → 98 ns (5M entries, 1M random keys). Distances of 8 to 24 measured
// within a few ns of each other; 4 was slower.
const prefetchAhead = 16

// prefetch starts the cache misses of the window a lookup of k reads, its
// first and last word (the window can straddle two cache lines), without
// reading them: a lookup of k soon after finds them loaded. Nothing is
// read for the program, so a mapped block is not checked here; the
// lookup checks it as usual.
func (x *index) prefetch(k *serialKey) {
	if !k.ok || x.n == 0 || k.need > x.kw {
		return
	}
	kw, s := x.kw, x.stride()
	j := int(homeOf(mixedFirst(k, kw), x.home)) * s
	end := j + window(kw)*s - 1
	if end >= len(x.data) {
		return
	}
	prefetch(&x.data[j])
	prefetch(&x.data[end])
}

// scan is the lookup's loop from slot i on: the key, a larger key or an
// empty slot ends it, and so does the table's end.
func (x *index) scan(k *serialKey, w0 uint64, i int) (int64, bool, error) {
	kw, s := x.kw, x.stride()
	var key [maxKeyWords]uint64
	key[0] = w0
	copy(key[1:kw], k.w[maxKeyWords-kw+1:])
	want := key[:kw]
	for j := i * s; j+s <= len(x.data); j += s {
		if x.check != nil && !x.check.words(j, j+s) {
			return 0, false, errIndexCorrupt
		}
		if x.data[j+kw] == emptySlot {
			return 0, false, nil
		}
		switch cmpRecords(x.data[j:j+kw], want) {
		case 0:
			return int64(x.data[j+kw]), true, nil
		case 1:
			return 0, false, nil
		}
	}
	return 0, false, nil
}

// memoryBytes is the heap the slot table occupies (none when mapped);
// spare capacity left by the size estimate is not counted, as it is
// never touched.
func (x *index) memoryBytes() int {
	if x.mapped {
		return 0
	}
	return len(x.data) * 8
}

// validate checks the invariants of a finished index: a known width,
// whole slots, a home range inside the table, an empty last slot, empty
// slots all zero, records in strictly increasing key order, each at or
// after its home slot with no empty slot in between, valid reasons and
// the entry count.
func (x *index) validate() error {
	if x.kw == 0 || x.n == 0 {
		if len(x.data) != 0 || x.n != 0 {
			return fmt.Errorf("%w: index without a width", ErrMalformed)
		}
		return nil
	}
	s, kw := x.stride(), x.kw
	if kw > maxKeyWords || len(x.data)%s != 0 {
		return fmt.Errorf("%w: index sizes disagree", ErrMalformed)
	}
	total := len(x.data) / s
	if x.home == 0 || x.home+uint64(window(kw)) > uint64(total) || x.data[len(x.data)-1] != emptySlot {
		return fmt.Errorf("%w: slot table bounds", ErrMalformed)
	}
	var prev []uint64
	count, runStart := 0, 0
	for j := range total {
		rec := x.data[j*s : (j+1)*s]
		if rec[kw] == emptySlot {
			for _, v := range rec[:kw] {
				if v != 0 {
					return fmt.Errorf("%w: empty slot %d", ErrMalformed, j)
				}
			}
			runStart = j + 1
			continue
		}
		r := byte(rec[kw])
		if r != reasonAbsent && !Reason(r).valid() {
			return fmt.Errorf("%w: reason", ErrMalformed)
		}
		if prev != nil && cmpRecords(prev, rec[:kw]) >= 0 {
			return fmt.Errorf("%w: index not sorted", ErrMalformed)
		}
		if h := homeOf(rec[0], x.home); h > uint64(j) || h < uint64(runStart) {
			return fmt.Errorf("%w: record %d not reachable from its home slot", ErrMalformed, j)
		}
		prev = rec[:kw]
		count++
	}
	if count != x.n {
		return fmt.Errorf("%w: %d records, %d entries", ErrMalformed, count, x.n)
	}
	return nil
}
