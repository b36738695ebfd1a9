package revocation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// refEntry is the reference model of one listed serial.
type refEntry struct {
	serial *big.Int
	packed int64
}

// randomSerial returns DER INTEGER content of n bytes (minimal), positive
// or negative.
func randomSerial(r *rand.Rand, n int) []byte {
	for {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if minimalInteger(b) {
			return b
		}
	}
}

func integerValue(b []byte) *big.Int {
	v := new(big.Int).SetBytes(b)
	if b[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return v
}

// TestIndexAgainstModel builds indexes from serials of every width up to
// 24 bytes (mixed in one index, negative ones and duplicates included) in
// random order and checks every lookup, the order of the records and the
// duplicate rule against a map.
func TestIndexAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name     string
		widths   []int
		n        int
		dupShare int // one in dupShare entries repeats an earlier serial
	}{
		{"narrow", []int{1, 2, 3, 4, 8}, 5000, 50},
		{"up to 16", []int{4, 9, 12, 16}, 5000, 30},
		{"up to 21", []int{1, 4, 8, 12, 20, 21}, 5000, 10},
		{"24 only", []int{24}, 3000, 5},
		{"one width 20", []int{20}, 20000, 0},
		{"sorted on two cores", []int{4, 12, 20}, parallelSortMin + 5000, 40},
		{"all equal", []int{12}, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var x index
			model := map[string]refEntry{}
			var raw [][]byte
			n := tc.n
			if n == 0 {
				n = 1000
			}
			for i := range n {
				var s []byte
				if tc.dupShare > 0 && len(raw) > 0 && (tc.n == 0 || r.IntN(tc.dupShare) == 0) {
					s = raw[r.IntN(len(raw))]
				} else {
					s = randomSerial(r, tc.widths[r.IntN(len(tc.widths))])
					raw = append(raw, s)
				}
				packed := pack(int64(r.IntN(1<<30)), Reason(jpkitest.CRLReasons()[1+r.IntN(10)]))
				if i%7 == 0 {
					packed = pack(int64(r.IntN(1<<30)), ReasonNone)
				}
				k := keyFromInteger(s)
				if !k.ok {
					t.Fatalf("serial %x not representable", s)
				}
				x.add(&k, packed)
				v := integerValue(s)
				if old, ok := model[v.String()]; !ok || packed < old.packed {
					model[v.String()] = refEntry{v, packed}
				}
			}
			x.finish()
			if err := x.validate(); err != nil {
				t.Fatal(err)
			}
			if x.Len() != len(model) {
				t.Fatalf("Len %d, want %d distinct serials", x.Len(), len(model))
			}
			for _, e := range model {
				k := keyFromBig(e.serial)
				x.prefetch(&k) // never reads out of the table, whatever the home
				got, ok, err := x.lookup(&k)
				if err != nil || !ok || got != e.packed {
					t.Fatalf("serial %v: %v %x, want %x", e.serial, ok, got, e.packed)
				}
				next := new(big.Int).Add(e.serial, big.NewInt(1))
				if _, listed := model[next.String()]; !listed {
					k := keyFromBig(next)
					if _, ok, err := x.lookup(&k); ok || err != nil {
						t.Fatalf("serial %v listed", next)
					}
				}
			}
			// Each record is a distinct serial of the model (validate: in
			// strictly increasing order; Len: as many; lookups: all there),
			// and a lookup reads few slots on average.
			if x.Len() > 0 {
				if ld := float64(x.Len()) / float64(x.home); ld > 0.7 {
					t.Fatalf("load %.2f", ld)
				}
			}
		})
	}
}

// TestIndexWidthFromCRL: a CRL at each synthetic width gets the narrowest
// index that holds it, and every entry is found.
func TestIndexWidthFromCRL(t *testing.T) {
	wantWords := map[int]int{4: 1, 8: 1, 12: 2, 20: 3}
	for _, w := range jpkitest.SyntheticSerialWidths {
		t.Run(fmt.Sprintf("%d-byte", w), func(t *testing.T) {
			const n = 20_000
			c := mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: n, SerialBytes: w, Shuffle: true}))
			if c.Len() != n || c.idx.kw != wantWords[w] {
				t.Fatalf("Len %d, %d key words; want %d, %d", c.Len(), c.idx.kw, n, wantWords[w])
			}
			// A slot table of about 3/2 slots an entry.
			if got := c.IndexBytes() / n; got > 8*(wantWords[w]+1)*3/2+1 {
				t.Errorf("%d bytes per entry", got)
			}
			for i := 0; i < n; i += 7 {
				e := jpkitest.SyntheticCRLEntryWidth(i, w)
				got, ok := c.Lookup(e.Serial)
				if !ok || int(got.Reason) != e.Reason || !got.RevokedAt.Equal(e.RevokedAt) {
					t.Fatalf("entry %d (%x): %v %+v", i, e.Serial, ok, got)
				}
				if _, ok := c.Lookup(new(big.Int).Add(e.Serial, big.NewInt(1))); ok {
					t.Fatalf("serial after entry %d listed", i)
				}
			}
		})
	}
}

// TestDuplicateSerialEarliestWins: a serial listed twice answers with the
// earlier revocation, whichever comes first in the CRL.
func TestDuplicateSerialEarliestWins(t *testing.T) {
	s := big.NewInt(0x0132C4AB)
	early, late := refTime.Add(-48*time.Hour), refTime.Add(-time.Hour)
	for _, order := range [][]time.Time{{early, late}, {late, early}} {
		c := mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 100, Shuffle: true, Entries: []jpkitest.CRLEntry{
			{Serial: s, RevokedAt: order[0], Reason: jpkitest.ReasonAffiliationChanged},
			{Serial: s, RevokedAt: order[1], Reason: jpkitest.ReasonKeyCompromise},
		}}))
		got, ok := c.Lookup(s)
		if !ok || !got.RevokedAt.Equal(early) || c.Len() != 101 {
			t.Fatalf("order %v: %v %+v, Len %d", order, ok, got, c.Len())
		}
	}
}

// cacheSet loads path through a cache in dir and returns its CRL.
func cacheLoad(t *testing.T, dir, path string) *CRL {
	t.Helper()
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow, CacheDir: dir})
	if err := set.LoadFile(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	return set.CRLs()[0]
}

// TestIndexFileRebuilt: at every width, the second load maps the index
// file; a truncated file, a file with any one of a set of bits flipped
// (header, metadata, padding, records) and a file of another format are
// each detected and rebuilt from the CRL, with the same answers.
func TestIndexFileRebuilt(t *testing.T) {
	for _, w := range jpkitest.SyntheticSerialWidths {
		t.Run(fmt.Sprintf("%d-byte", w), func(t *testing.T) {
			dir, cacheDir := t.TempDir(), t.TempDir()
			path := filepath.Join(dir, "list.crl")
			const n = 3000
			os.WriteFile(path, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: n, SerialBytes: w, Shuffle: true, DistributionPoint: chiyoda()}), 0o600)
			first := cacheLoad(t, cacheDir, path)
			if first.IndexMapped() {
				t.Fatal("first load mapped")
			}
			files, _ := filepath.Glob(filepath.Join(cacheDir, "*"+indexExt))
			if len(files) != 1 {
				t.Fatalf("index files %v", files)
			}
			check := func(c *CRL, what string) {
				t.Helper()
				if c.Len() != n || !c.ThisUpdate.Equal(first.ThisUpdate) || !c.NextUpdate.Equal(first.NextUpdate) ||
					!sameNames(c.DistributionPoints, first.DistributionPoints) || c.Number.Cmp(first.Number) != 0 ||
					!c.Issuer.Equal(first.Issuer) || c.SHA256 != first.SHA256 {
					t.Fatalf("%s: CRL differs", what)
				}
				for i := 0; i < n; i += 13 {
					e := jpkitest.SyntheticCRLEntryWidth(i, w)
					a, _ := first.Lookup(e.Serial)
					b, ok := c.Lookup(e.Serial)
					if !ok || a != b {
						t.Fatalf("%s: entry %d differs", what, i)
					}
				}
			}
			second := cacheLoad(t, cacheDir, path)
			if !second.IndexMapped() || second.IndexBytes() != 0 {
				t.Fatal("second load did not map the index")
			}
			check(second, "mapped")
			good, _ := os.ReadFile(files[0])
			bodyOff := int(le64(good[40:]))
			damaged := map[string][]byte{
				"truncated by one byte":   good[:len(good)-1],
				"truncated to the header": good[:indexHeaderSize],
				"truncated to nothing":    nil,
				"one byte longer":         append(bytes.Clone(good), 0),
				"other version":           flip(good, 8, 0x01),
				"other width":             flip(good, 16, 0x03),
				"other count":             flip(good, 24, 0x01),
				"metadata bit":            flip(good, indexHeaderSize+40, 0x10),
				"padding bit":             flip(good, bodyOff-1, 0x01),
				"last byte":               flip(good, len(good)-1, 0x01),
				"body checksum":           flip(good, 52, 0x01),
			}
			// Damage in the body's other blocks is found by the first
			// lookup that reads there.
			atLookup := map[string][]byte{
				"first record bit":  flip(good, bodyOff, 0x80),
				"middle record bit": flip(good, bodyOff+(len(good)-bodyOff)/2, 0x04),
			}
			for what, b := range atLookup {
				damaged[what] = b
			}
			for what, b := range damaged {
				os.WriteFile(files[0], b, 0o600)
				m, err := openIndex(files[0], first.SHA256, signRoots())
				if _, late := atLookup[what]; late {
					if err != nil || m.idx.check.all() {
						t.Fatalf("%s: %v, or every block checks", what, err)
					}
				} else if err == nil {
					t.Fatalf("%s: accepted", what)
				}
				c := cacheLoad(t, cacheDir, path)
				check(c, what)
				if c.IndexMapped() {
					t.Fatalf("%s: damaged index used", what)
				}
				if again, err := os.ReadFile(files[0]); err != nil || !bytes.Equal(again, good) {
					t.Fatalf("%s: index not rewritten (%v)", what, err)
				}
				check(cacheLoad(t, cacheDir, path), what+", then mapped")
			}
			// An index made for other issuers is not used.
			if _, err := openIndex(files[0], first.SHA256, testPKI().Roots(card.AuthKey)); err == nil {
				t.Fatal("index accepted for an untrusted issuer")
			}
			// An index under the wrong CRL's name is not used.
			if _, err := openIndex(files[0], [32]byte{1}, signRoots()); err == nil {
				t.Fatal("index accepted for another CRL")
			}
		})
	}
}

// TestCorruptIndexFileChanged: a mapped index whose damage is found at a
// lookup after the CRL file was replaced (so it cannot be parsed again as
// the same CRL) answers "unknown" with the reason in the set, and
// "listed" from CRL.Lookup: never "not listed".
func TestCorruptIndexFileChanged(t *testing.T) {
	dir, cacheDir := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "list.crl")
	const n = 3000
	os.WriteFile(path, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: n, SerialBytes: 20, Shuffle: true}), 0o600)
	cacheLoad(t, cacheDir, path)
	files, _ := filepath.Glob(filepath.Join(cacheDir, "*"+indexExt))
	good := mustRead(t, files[0])
	bodyOff := int(le64(good[40:]))
	// Every body block but the last, which is checked at load.
	b := bytes.Clone(good)
	for at := bodyOff; at < len(b)-indexBlock; at += indexBlock {
		b[at+8] ^= 0x01
	}
	os.WriteFile(files[0], b, 0o600)
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow, CacheDir: cacheDir})
	if err := set.LoadFile(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	c := set.CRLs()[0]
	if !c.IndexMapped() {
		t.Fatal("not mapped")
	}
	// Another CRL in the file now: the damaged blocks cannot be read again.
	os.WriteFile(path, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 10, SerialBytes: 20}), 0o600)
	root, _ := signRoot(3)
	seen := 0
	for i := 0; i < n; i += 17 {
		e := jpkitest.SyntheticCRLEntryWidth(i, 20)
		got, ok := c.Lookup(e.Serial)
		if !ok {
			t.Fatalf("entry %d not listed", i)
		}
		if got.RevokedAt.IsZero() {
			seen++
		}
		r := set.StatusSerial(root.SubjectKeyId, integerBytes(e.Serial), refTime)
		if r.Status == StatusGood {
			t.Fatalf("entry %d good", i)
		}
	}
	// An unlisted serial whose slots are in a damaged block.
	for v := int64(1); ; v++ {
		serial := integerBytes(big.NewInt(v))
		k := keyFromInteger(serial)
		if _, _, err := c.idx.lookup(&k); err == nil {
			continue
		}
		r := set.StatusSerial(root.SubjectKeyId, serial, refTime)
		if r.Status != StatusUnknown || !errors.Is(r.Err, ErrMalformed) {
			t.Fatalf("unlisted serial: %+v", r)
		}
		break
	}
	if seen == 0 {
		t.Fatal("the damage was never read")
	}
}

func le64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

func flip(b []byte, at int, mask byte) []byte {
	c := bytes.Clone(b)
	c[at] ^= mask
	return c
}

// TestIndexCacheNotWritable: a cache directory that cannot be created or
// written costs a parse, never a failure.
func TestIndexCacheNotWritable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "list.crl")
	os.WriteFile(path, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 500}), 0o600)
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o600)
	for _, cacheDir := range []string{filepath.Join(blocker, "cache"), blocker} {
		for range 2 {
			c := cacheLoad(t, cacheDir, path)
			if c.Len() != 500 || c.IndexMapped() {
				t.Fatalf("cache %s: Len %d, mapped %v", cacheDir, c.Len(), c.IndexMapped())
			}
		}
	}
}

// TestIndexCacheFollowsTheFile: the source fingerprint never hides a new
// CRL written over the old one's path, even at the same size.
func TestIndexCacheFollowsTheFile(t *testing.T) {
	defer func(d time.Duration) { fingerprintSettle = d }(fingerprintSettle)
	fingerprintSettle = 30 * time.Millisecond
	dir, cacheDir := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "list.crl")
	old := time.Now().Add(-time.Hour)
	write := func(number int64) {
		der := makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 200, Number: big.NewInt(number)})
		if err := os.WriteFile(path, der, 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(path, old, old) // the modification time alone does not tell
		time.Sleep(2 * fingerprintSettle)
	}
	write(7)
	cacheLoad(t, cacheDir, path)
	if _, ok := readSource(sourcePath(cacheDir, path), mustFingerprint(t, path), true); !ok {
		t.Fatal("fingerprint not recorded")
	}
	if c := cacheLoad(t, cacheDir, path); !c.IndexMapped() || c.Number.Int64() != 7 {
		t.Fatalf("first CRL: mapped %v, number %v", c.IndexMapped(), c.Number)
	}
	write(8)
	if c := cacheLoad(t, cacheDir, path); c.Number.Int64() != 8 {
		t.Fatalf("rewritten CRL answered from the old index: number %v", c.Number)
	}
}

func mustFingerprint(t *testing.T, path string) fingerprint {
	fp, ok := statFingerprint(path)
	if !ok {
		t.Skip("no file fingerprint on this system")
	}
	return fp
}

// FuzzIndexFile feeds arbitrary bytes to the index file reader: nothing
// panics, nothing that is not a checked index of the expected CRL is
// accepted, and an accepted one whose blocks all check is a valid index.
func FuzzIndexFile(f *testing.F) {
	dir := f.TempDir()
	var sum [32]byte
	for i, w := range []int{4, 20} {
		path := filepath.Join(dir, fmt.Sprintf("%d.crl", i))
		os.WriteFile(path, makeCRL(f, 3, jpkitest.CRLOptions{Synthetic: 40, SerialBytes: w, DistributionPoint: chiyoda()}), 0o600)
		c := mustParse(f, mustRead(f, path))
		idx := filepath.Join(dir, fmt.Sprintf("%d.idx", i))
		if err := writeIndexFile(idx, c); err != nil {
			f.Fatal(err)
		}
		b := mustRead(f, idx)
		f.Add(b)
		f.Add(b[:len(b)/2])
		sum = c.SHA256
	}
	issuers := signRoots()
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseIndex(b, sum, issuers)
		if err != nil {
			return
		}
		if c.Issuer == nil || c.SHA256 != sum {
			t.Fatal("accepted without its checks")
		}
		// Lookups read only checked blocks: none panics, and one
		// that reads a block that does not check says so.
		for i := range 50 {
			k := keyFromBig(jpkitest.SyntheticCRLEntryWidth(i, 20).Serial)
			c.idx.prefetch(&k)
			c.idx.lookup(&k)
		}
		if c.idx.check != nil && !c.idx.check.all() {
			return
		}
		if err := c.idx.validate(); err != nil {
			t.Fatalf("accepted an invalid index: %v", err)
		}
	})
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestIndexCacheSweepsLeftovers: a temporary file a killed writer left an
// hour ago is removed by the next write; a recent one (a writer at work)
// is not.
func TestIndexCacheSweepsLeftovers(t *testing.T) {
	dir, cacheDir := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "list.crl")
	os.WriteFile(path, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 50}), 0o600)
	old, recent := filepath.Join(cacheDir, ".tmp-old"), filepath.Join(cacheDir, ".tmp-recent")
	os.WriteFile(old, []byte("x"), 0o600)
	os.WriteFile(recent, []byte("x"), 0o600)
	then := time.Now().Add(-2 * staleTemporary)
	os.Chtimes(old, then, then)
	cacheLoad(t, cacheDir, path)
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("leftover kept: %v", err)
	}
	if _, err := os.Stat(recent); err != nil {
		t.Errorf("recent temporary removed: %v", err)
	}
}

// TestChunkSums: the block checksums of an index body split anywhere are
// those of the whole, a flipped bit in any block is found (by a check of
// the words there and by the check of all), and words outside the body
// or a missing sum never check.
func TestChunkSums(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	body := make([]byte, 2*indexBlock+12344)
	for i := range body {
		body[i] = byte(r.Uint32())
	}
	whole := chunkSums(body)
	if len(whole) != 3 {
		t.Fatalf("%d blocks", len(whole))
	}
	var sums []byte
	for _, s := range whole {
		sums = le32(sums, s)
	}
	for _, cut := range []int{0, 1, indexBlock, indexBlock + 7, len(body)} {
		if got := chunkSums(body[:cut], body[cut:]); fmt.Sprint(got) != fmt.Sprint(whole) {
			t.Fatalf("split at %d: %v, want %v", cut, got, whole)
		}
	}
	if !newBlockCheck(body, sums).all() {
		t.Fatal("good body refused")
	}
	words := len(body) / 8
	for _, at := range []int{0, indexBlock - 1, indexBlock, 2*indexBlock + 5, len(body) - 1} {
		body[at] ^= 0x20
		if newBlockCheck(body, sums).all() {
			t.Fatalf("flip at %d not found", at)
		}
		c := newBlockCheck(body, sums)
		if c.words(at/8, at/8+1) {
			t.Fatalf("flip at %d: its word checks", at)
		}
		if other := (at/indexBlock + 1) % 3 * indexBlock / 8; !c.words(other, min(other+1, words)) {
			t.Fatalf("flip at %d: another block refused", at)
		}
		body[at] ^= 0x20
	}
	c := newBlockCheck(body, sums)
	if c.words(words-1, words+1) || c.words(-1, 1) {
		t.Fatal("words outside the body checked")
	}
	if newBlockCheck(body, sums[:8]).words(words-1, words) {
		t.Fatal("missing block sum accepted")
	}
}

// TestMixedFirstIsScramble: the lookup's mixed first word, computed from
// the key in registers, is the first word finish stores for the same
// serial (the key at the index's width, sign bit flipped, scrambled), at
// every width a serial fits.
func TestMixedFirstIsScramble(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		s := randomSerial(r, 1+r.IntN(maxSerialBytes))
		k := keyFromInteger(s)
		if !k.ok {
			t.Fatalf("serial %x not representable", s)
		}
		for kw := k.need; kw <= maxKeyWords; kw++ {
			w := make([]uint64, kw)
			copy(w, k.w[maxKeyWords-kw:])
			w[0] ^= signBit
			scramble(w)
			if got := mixedFirst(&k, kw); got != w[0] {
				t.Fatalf("serial %x, %d words: mixedFirst %x, scramble %x", s, kw, got, w[0])
			}
		}
	}
}
