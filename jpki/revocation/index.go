package revocation

import (
	"bytes"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"time"
)

// The index keeps one 16-byte record per revoked serial in the common
// case: the serial as an int64 (every DER INTEGER of up to 8 content
// bytes, which covers JPKI's 4-byte serials) and the revocation time in
// seconds packed with the reason code. Serials that do not fit 8 bytes
// switch the index to a wide form: fixed-width sign-extended keys in one
// byte arena beside a []int64 of packed times and reasons.

// narrowEntry is one revoked serial of a narrow index.
type narrowEntry struct {
	serial int64
	packed int64 // seconds<<reasonBits | reason byte
}

// reasonBits is the width of the reason field packed below the seconds.
const reasonBits = 8

// reasonAbsent is the packed reason byte of an entry without a reasonCode
// extension.
const reasonAbsent = 0xFF

// wideKeyBytes is the width of a wide key: RFC 5280 §4.1.2.2 allows serials
// of up to 20 octets; this leaves room for non-conforming issuers.
const wideKeyBytes = 24

// maxNarrowBytes is the largest INTEGER content that fits an int64 key.
const maxNarrowBytes = 8

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

// index is the sorted set of revoked serials of one CRL.
type index struct {
	narrow []narrowEntry
	// wide form (used when any serial exceeds maxNarrowBytes)
	wide       bool
	wideKeys   []byte  // len = n*wideKeyBytes
	widePacked []int64 // len = n
	sorted     bool
}

// Len returns the number of entries.
func (x *index) Len() int {
	if x.wide {
		return len(x.widePacked)
	}
	return len(x.narrow)
}

// serialKey is a serial in index form: narrow when fits, else wide.
type serialKey struct {
	narrow int64
	fits   bool
	wide   [wideKeyBytes]byte
	ok     bool // false: the serial cannot be represented (longer than wideKeyBytes)
}

// keyFromInteger converts DER INTEGER content bytes (two's complement,
// minimal) to a key.
func keyFromInteger(b []byte) serialKey {
	var k serialKey
	if len(b) == 0 || len(b) > wideKeyBytes {
		return k
	}
	k.ok = true
	neg := b[0]&0x80 != 0
	if len(b) <= maxNarrowBytes {
		var v int64
		if neg {
			v = -1
		}
		for _, c := range b {
			v = v<<8 | int64(c)
		}
		k.narrow, k.fits = v, true
	}
	fill := byte(0)
	if neg {
		fill = 0xFF
	}
	pad := wideKeyBytes - len(b)
	for i := 0; i < pad; i++ {
		k.wide[i] = fill
	}
	copy(k.wide[pad:], b)
	k.wide[0] ^= 0x80 // flip the sign bit so bytes.Compare orders numerically
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

// add appends an entry; the index is sorted by finish.
func (x *index) add(k serialKey, packed int64) {
	if !x.wide && !k.fits {
		x.widen()
	}
	if x.wide {
		x.wideKeys = append(x.wideKeys, k.wide[:]...)
		x.widePacked = append(x.widePacked, packed)
		return
	}
	x.narrow = append(x.narrow, narrowEntry{k.narrow, packed})
}

// widen converts a narrow index to the wide form.
func (x *index) widen() {
	x.wide = true
	x.wideKeys = make([]byte, 0, (len(x.narrow)+1)*wideKeyBytes)
	x.widePacked = make([]int64, 0, len(x.narrow)+1)
	var b [maxNarrowBytes]byte
	for _, e := range x.narrow {
		for i := range b {
			b[i] = byte(e.serial >> (8 * (maxNarrowBytes - 1 - i)))
		}
		k := keyFromInteger(b[:])
		x.wideKeys = append(x.wideKeys, k.wide[:]...)
		x.widePacked = append(x.widePacked, e.packed)
	}
	x.narrow = nil
}

// finish sorts the index (unless the CRL was already in order), and trims
// spare capacity.
func (x *index) finish() {
	if x.wide {
		if !sort.IsSorted((*wideSorter)(x)) {
			sort.Stable((*wideSorter)(x))
		}
		return
	}
	if !slices.IsSortedFunc(x.narrow, cmpNarrow) {
		slices.SortStableFunc(x.narrow, cmpNarrow)
	}
	if cap(x.narrow)-len(x.narrow) > len(x.narrow)/8 {
		x.narrow = slices.Clip(x.narrow)
		x.narrow = append([]narrowEntry(nil), x.narrow...)
	}
	x.sorted = true
}

func cmpNarrow(a, b narrowEntry) int {
	switch {
	case a.serial < b.serial:
		return -1
	case a.serial > b.serial:
		return 1
	}
	return 0
}

type wideSorter index

func (w *wideSorter) Len() int { return len(w.widePacked) }
func (w *wideSorter) key(i int) []byte {
	return w.wideKeys[i*wideKeyBytes : (i+1)*wideKeyBytes]
}
func (w *wideSorter) Less(i, j int) bool { return bytes.Compare(w.key(i), w.key(j)) < 0 }
func (w *wideSorter) Swap(i, j int) {
	var t [wideKeyBytes]byte
	copy(t[:], w.key(i))
	copy(w.key(i), w.key(j))
	copy(w.key(j), t[:])
	w.widePacked[i], w.widePacked[j] = w.widePacked[j], w.widePacked[i]
}

// lookup returns the packed time and reason of k, if listed.
func (x *index) lookup(k serialKey) (int64, bool) {
	if !k.ok {
		return 0, false
	}
	if x.wide {
		n := len(x.widePacked)
		i := sort.Search(n, func(i int) bool {
			return bytes.Compare(x.wideKeys[i*wideKeyBytes:(i+1)*wideKeyBytes], k.wide[:]) >= 0
		})
		if i < n && bytes.Equal(x.wideKeys[i*wideKeyBytes:(i+1)*wideKeyBytes], k.wide[:]) {
			return x.widePacked[i], true
		}
		return 0, false
	}
	if !k.fits {
		return 0, false // every listed serial fits: this one is not listed
	}
	lo, hi := 0, len(x.narrow)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if x.narrow[m].serial < k.narrow {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(x.narrow) && x.narrow[lo].serial == k.narrow {
		return x.narrow[lo].packed, true
	}
	return 0, false
}

// memoryBytes estimates the index's heap size.
func (x *index) memoryBytes() int {
	return cap(x.narrow)*16 + cap(x.wideKeys) + cap(x.widePacked)*8
}

// validate checks the invariants of an index read from a cache file:
// sorted keys and valid reasons.
func (x *index) validate() error {
	validReason := func(p int64) bool {
		r := byte(p)
		return r == reasonAbsent || Reason(r).valid()
	}
	for _, e := range x.narrow {
		if !validReason(e.packed) {
			return fmt.Errorf("%w: reason", ErrMalformed)
		}
	}
	for _, p := range x.widePacked {
		if !validReason(p) {
			return fmt.Errorf("%w: reason", ErrMalformed)
		}
	}
	if x.wide {
		if len(x.wideKeys) != len(x.widePacked)*wideKeyBytes {
			return fmt.Errorf("%w: wide index sizes disagree", ErrMalformed)
		}
		for i := 1; i < len(x.widePacked); i++ {
			if bytes.Compare((*wideSorter)(x).key(i-1), (*wideSorter)(x).key(i)) > 0 {
				return fmt.Errorf("%w: index not sorted", ErrMalformed)
			}
		}
		return nil
	}
	if !slices.IsSortedFunc(x.narrow, cmpNarrow) {
		return fmt.Errorf("%w: index not sorted", ErrMalformed)
	}
	return nil
}
