package revocation

import (
	"fmt"
	"math/big"
	"runtime"
	"slices"
	"sync"
	"time"
)

// The index is one flat []uint64 of fixed-width records, sorted by serial:
// each record is the serial as keyWords big-endian-ordered 64-bit words
// (two's complement, sign-extended to the record's width, with the top bit
// of the first word flipped so that unsigned comparison orders serials
// numerically), then the revocation time in seconds packed with the reason
// code. The width is the smallest number of words that holds every serial
// of the CRL: one word (16 bytes a record) for serials of up to 8 content
// bytes, such as JPKI's 4-byte ones; three words (32 bytes) for RFC 5280's
// 20-octet serials. The same records are the body of the index file, which
// is used in place through mmap (see indexfile.go).

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

func unpack(p int64) (time.Time, Reason) {
	r := Reason(byte(p))
	if r == reasonAbsent {
		r = ReasonNone
	}
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

// words writes k's words for an index of width w (w >= k.need) to dst.
func (k *serialKey) words(dst []uint64, w int) {
	copy(dst, k.w[maxKeyWords-w:])
	dst[0] ^= signBit
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

// index is the sorted set of revoked serials of one CRL.
type index struct {
	kw     int      // key words per record (0 while empty, then 1..maxKeyWords)
	data   []uint64 // records of kw+1 words
	mapped bool     // data is an index file's mapping, not heap

	// the bucket table (see buildTable); nil for small indexes
	tab      []uint32
	tabBit   int
	tabShift uint
	tabBase  uint64
}

// stride is the record size in words.
func (x *index) stride() int { return x.kw + 1 }

// Len returns the number of entries.
func (x *index) Len() int {
	if x.kw == 0 {
		return 0
	}
	return len(x.data) / x.stride()
}

// reserve sizes an empty index for about n records of width kw.
func (x *index) reserve(n, kw int) {
	x.kw = kw
	x.data = make([]uint64, 0, n*(kw+1))
}

// add appends an entry; the index is sorted by finish.
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
	copy(rec, k.w[maxKeyWords-x.kw:])
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

// finish sorts the index (unless the CRL was already in order) and
// resolves duplicate serials.
func (x *index) finish() {
	if x.kw == 0 {
		return
	}
	s := x.stride()
	n := x.Len()
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
	x.buildTable()
	// Spare capacity from the size estimate is never written, so it
	// costs address space, not memory; copying to trim it would double
	// the peak. Only a far too large estimate is trimmed.
	if cap(x.data) > 2*len(x.data)+1024 {
		x.data = append([]uint64(nil), x.data...)
	}
}

// dedupe keeps one record per serial: a CRL should list a serial once
// (RFC 5280 §5.1.2.6), but if it lists one twice the earliest revocation
// wins, and at equal times the lowest reason code (a listed reason before
// none). The records are sorted by key then packed value, so that is the
// first of each run.
func (x *index) dedupe() {
	s, kw := x.stride(), x.kw
	n := x.Len()
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
	n := x.Len()
	// The common prefix of all keys.
	first := x.data[:kw]
	var diff [maxKeyWords]uint64
	for i := 1; i < n; i++ {
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
			x.sortBucketsParallel(lo, d, &count)
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

// The bucket table narrows a lookup to a few records with one memory
// access: the 64 key bits that follow the prefix every listed key shares
// (bit offset tabBit), minus those of the smallest key (tabBase), shifted
// right by tabShift, name a bucket; tab[b] is the first record of bucket
// b and tab[len(tab)-1] the record count. The binary search then runs
// inside the bucket, so a lookup in millions of records touches two or
// three cache lines instead of twenty-odd. Keys in order give buckets in
// order, so the table is exact for any distribution; a skewed one only
// makes some buckets larger.

// tabEntriesPerBucket is the records a bucket holds on average.
const tabEntriesPerBucket = 4

// minTableEntries is the record count below which no table is built.
const minTableEntries = 256

// bitsAt returns the 64 key bits from bit p of a key of kw words (zeros
// past the end).
func bitsAt(key []uint64, kw, p int) uint64 {
	w, o := p/64, uint(p%64)
	if w >= kw {
		return 0
	}
	v := key[w] << o
	if o > 0 && w+1 < kw {
		v |= key[w+1] >> (64 - o)
	}
	return v
}

// buildTable makes the bucket table of a sorted, deduplicated index.
func (x *index) buildTable() {
	x.tab, x.tabBit, x.tabShift, x.tabBase = nil, 0, 0, 0
	n := x.Len()
	if n < minTableEntries {
		return
	}
	s, kw := x.stride(), x.kw
	first, last := x.data[:kw], x.data[(n-1)*s:(n-1)*s+kw]
	p := 0
	for p < 64*kw && first[p/64]>>(63-uint(p%64))&1 == last[p/64]>>(63-uint(p%64))&1 {
		p++
	}
	base := bitsAt(first, kw, p)
	span := bitsAt(last, kw, p) - base
	buckets := uint64(1)
	for buckets*tabEntriesPerBucket < uint64(n) {
		buckets <<= 1
	}
	shift := uint(0)
	for span>>shift >= buckets {
		shift++
	}
	nb := int(span>>shift) + 1
	tab := make([]uint32, nb+1)
	b := 0
	for i := range n {
		bi := int((bitsAt(x.data[i*s:i*s+kw], kw, p) - base) >> shift)
		for b <= bi {
			tab[b] = uint32(i)
			b++
		}
	}
	for ; b <= nb; b++ {
		tab[b] = uint32(n)
	}
	x.tab, x.tabBit, x.tabShift, x.tabBase = tab, p, shift, base
}

// bounds returns the record range that may hold key (kw words).
func (x *index) bounds(key []uint64, n int) (int, int) {
	if len(x.tab) < 2 {
		return 0, n
	}
	s, kw := x.stride(), x.kw
	if cmpRecords(key, x.data[:kw]) < 0 || cmpRecords(key, x.data[(n-1)*s:(n-1)*s+kw]) > 0 {
		return 0, 0
	}
	b := (bitsAt(key, kw, x.tabBit) - x.tabBase) >> x.tabShift
	if b >= uint64(len(x.tab)-1) {
		return 0, 0
	}
	lo, hi := int(x.tab[b]), int(x.tab[b+1])
	// A table read from a file is checksummed; bounds keep a bad one
	// from indexing outside the records all the same.
	if hi > n {
		hi = n
	}
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// lookup returns the packed time and reason of k, if listed.
func (x *index) lookup(k *serialKey) (int64, bool) {
	if !k.ok || x.kw == 0 || k.need > x.kw {
		return 0, false // every listed serial fits the width: this one is not listed
	}
	data := x.data
	var key [maxKeyWords]uint64
	kw, s := x.kw, x.stride()
	k.words(key[:kw], kw)
	want := key[:kw]
	n := len(data) / s
	lo, hi := x.bounds(want, n)
	if kw == 1 {
		w := want[0]
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if data[2*m] < w {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if lo < n && data[2*lo] == w {
			return int64(data[2*lo+1]), true
		}
		return 0, false
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cmpRecords(data[m*s:m*s+kw], want) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < n && cmpRecords(data[lo*s:lo*s+kw], want) == 0 {
		return int64(data[lo*s+kw]), true
	}
	return 0, false
}

// memoryBytes is the heap the records occupy (none when mapped); spare
// capacity left by the size estimate is not counted, as it is never
// touched.
func (x *index) memoryBytes() int {
	if x.mapped {
		return 0
	}
	return len(x.data)*8 + len(x.tab)*4
}

// validate checks the invariants of an index: a known width, whole
// records, keys strictly increasing and valid reasons.
func (x *index) validate() error {
	if x.kw == 0 {
		if len(x.data) != 0 {
			return fmt.Errorf("%w: index without a width", ErrMalformed)
		}
		return nil
	}
	s, kw := x.stride(), x.kw
	if kw > maxKeyWords || len(x.data)%s != 0 {
		return fmt.Errorf("%w: index sizes disagree", ErrMalformed)
	}
	n := x.Len()
	for i := range n {
		rec := x.data[i*s : (i+1)*s]
		r := byte(rec[kw])
		if r != reasonAbsent && !Reason(r).valid() {
			return fmt.Errorf("%w: reason", ErrMalformed)
		}
		if i > 0 && cmpRecords(x.data[(i-1)*s:(i-1)*s+kw], rec[:kw]) >= 0 {
			return fmt.Errorf("%w: index not sorted", ErrMalformed)
		}
	}
	if x.tab == nil {
		return nil
	}
	nb := len(x.tab) - 1
	if nb < 1 || x.tab[0] != 0 || int(x.tab[nb]) != n {
		return fmt.Errorf("%w: bucket table bounds", ErrMalformed)
	}
	for b := 1; b <= nb; b++ {
		if x.tab[b] < x.tab[b-1] {
			return fmt.Errorf("%w: bucket table order", ErrMalformed)
		}
	}
	for i := range n {
		bk := (bitsAt(x.data[i*s:i*s+kw], kw, x.tabBit) - x.tabBase) >> x.tabShift
		if bk >= uint64(nb) || i < int(x.tab[bk]) || i >= int(x.tab[bk+1]) {
			return fmt.Errorf("%w: record %d outside its bucket", ErrMalformed, i)
		}
	}
	return nil
}
