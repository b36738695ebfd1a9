package revocation

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// bigEnv enables the multi-million-entry test and benchmark sizes.
const bigEnv = "MYNACARD_BIG"

func benchSizes() []int {
	if v := os.Getenv(bigEnv); v != "" && v != "0" {
		return []int{1_000_000, 5_000_000}
	}
	return []int{1_000_000}
}

// benchCRL returns the path of a generated CRL with n shuffled entries,
// made once per machine under the temporary directory.
func benchCRL(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("mynacard-revocation-bench-%d-v1.crl", n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	root, key := signRoot(3)
	tmp := path + fmt.Sprintf(".%d.tmp", os.Getpid())
	f, err := os.Create(tmp)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := jpkitest.WriteCRL(f, root, key, jpkitest.CRLOptions{Synthetic: n, Shuffle: true}); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
	return path
}

// peakHeap runs f while sampling the heap, and returns the largest
// HeapAlloc seen above the level before f, and the live heap f left
// (after a GC, while f's result is still referenced by the caller).
func peakHeap(f func()) (peak, retained uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var max atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var s runtime.MemStats
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&s)
			if s.HeapAlloc > max.Load() {
				max.Store(s.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > max.Load() {
		max.Store(ms.HeapAlloc)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return max.Load() - min(base, max.Load()), ms.HeapAlloc - min(base, ms.HeapAlloc)
}

// loadStreaming is this package's path.
func loadStreaming(tb testing.TB, path string) *CRL {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	c, err := ParseCRL(f, ParseOptions{Issuers: signRoots(), SizeHint: st.Size()})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// x509Index is the straightforward path: read the file, parse it with
// crypto/x509, check its signature, map the serials.
type x509Index struct {
	rl  *x509.RevocationList
	idx map[string]int
}

func loadX509(tb testing.TB, path string) *x509Index {
	der, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	rl, err := x509.ParseRevocationList(der)
	if err != nil {
		tb.Fatal(err)
	}
	root, _ := signRoot(3)
	if err := rl.CheckSignatureFrom(root); err != nil {
		tb.Fatal(err)
	}
	idx := make(map[string]int, len(rl.RevokedCertificateEntries))
	for i, e := range rl.RevokedCertificateEntries {
		idx[string(e.SerialNumber.Bytes())] = i
	}
	return &x509Index{rl: rl, idx: idx}
}

// BenchmarkLoad compares loading and indexing a CRL with ParseCRL and
// with x509.ParseRevocationList plus a map, side by side, reporting
// entries/s, peak heap and retained bytes per entry.
func BenchmarkLoad(b *testing.B) {
	signRoots() // build the test PKI outside the timed loads
	for _, n := range benchSizes() {
		path := benchCRL(b, n)
		b.Run(fmt.Sprintf("streaming/%d", n), func(b *testing.B) {
			var peak, kept uint64
			for b.Loop() {
				var c *CRL
				peak, kept = peakHeap(func() { c = loadStreaming(b, path) })
				runtime.KeepAlive(c)
			}
			report(b, n, peak, kept)
		})
		b.Run(fmt.Sprintf("x509/%d", n), func(b *testing.B) {
			var peak, kept uint64
			for b.Loop() {
				var x *x509Index
				peak, kept = peakHeap(func() { x = loadX509(b, path) })
				runtime.KeepAlive(x)
			}
			report(b, n, peak, kept)
		})
	}
}

func report(b *testing.B, n int, peak, kept uint64) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
	b.ReportMetric(float64(kept)/float64(n), "bytes/entry")
}

// BenchmarkLookup measures one Lookup in the largest CRL.
func BenchmarkLookup(b *testing.B) {
	sizes := benchSizes()
	n := sizes[len(sizes)-1]
	c := loadStreaming(b, benchCRL(b, n))
	keys := make([]serialKey, 1024)
	for i := range keys {
		keys[i] = keyFromBig(jpkitest.SyntheticCRLEntry((i * 7919) % n).Serial)
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, ok := c.lookupKey(keys[i&1023]); !ok {
			b.Fatal("not found")
		}
		i++
	}
}

// BenchmarkBatch runs the batch status of 1,000,000 serials (half listed)
// read from CSV lines against the largest CRL.
func BenchmarkBatch(b *testing.B) {
	sizes := benchSizes()
	n := sizes[len(sizes)-1]
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	if err := set.Add(loadStreaming(b, benchCRL(b, n))); err != nil {
		b.Fatal(err)
	}
	root, _ := signRoot(3)
	key := hex.EncodeToString(root.SubjectKeyId)
	const pairs = 1_000_000
	for b.Loop() {
		st, err := set.Batch(context.Background(), ReadPairs(&pairLines{key: key, n: pairs}), refTime, nil)
		if err != nil || st.Total != pairs || st.Revoked != pairs/2 {
			b.Fatalf("%+v %v", st, err)
		}
	}
	b.ReportMetric(float64(pairs)*float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// TestBigCRL loads a multi-million-entry CRL and checks it, with
// MYNACARD_BIG=1 only (it takes several seconds and ~1 GB of disk).
func TestBigCRL(t *testing.T) {
	if v := os.Getenv(bigEnv); testing.Short() || v == "" || v == "0" {
		t.Skip("set " + bigEnv + "=1 for the multi-million-entry CRL")
	}
	const n = 5_000_000
	path := benchCRL(t, n)
	start := time.Now()
	var c *CRL
	peak, kept := peakHeap(func() { c = loadStreaming(t, path) })
	t.Logf("%d entries loaded in %v, peak heap %d MiB, %d bytes/entry retained", c.Len(), time.Since(start), peak>>20, kept/n)
	if c.Len() != n {
		t.Fatalf("Len = %d", c.Len())
	}
	for i := 0; i < n; i += 4999 {
		e := jpkitest.SyntheticCRLEntry(i)
		got, ok := c.Lookup(e.Serial)
		if !ok || int(got.Reason) != e.Reason || !got.RevokedAt.Equal(e.RevokedAt) {
			t.Fatalf("entry %d", i)
		}
	}
}

// BenchmarkLoadCached loads the largest CRL through a warm index cache
// (hash the file, read the index file, check its checksum and signature).
func BenchmarkLoadCached(b *testing.B) {
	sizes := benchSizes()
	n := sizes[len(sizes)-1]
	path := benchCRL(b, n)
	cacheDir := b.TempDir()
	load := func() *CRL {
		set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow, CacheDir: cacheDir})
		if err := set.LoadFile(context.Background(), path); err != nil {
			b.Fatal(err)
		}
		return set.CRLs()[0]
	}
	load() // miss: parse and write the cache
	var peak, kept uint64
	for b.Loop() {
		var c *CRL
		peak, kept = peakHeap(func() { c = load() })
		runtime.KeepAlive(c)
	}
	report(b, n, peak, kept)
}
