package revocation

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// bigEnv enables the multi-million-entry test and benchmark sizes.
const bigEnv = "MYNACARD_BIG"

// repsEnv sets how many times each whole-process measurement is repeated
// (the median is reported, with the spread).
const repsEnv = "MYNACARD_BENCH_REPS"

func benchSizes() []int {
	if v := os.Getenv(bigEnv); v != "" && v != "0" {
		return []int{1_000_000, 5_000_000}
	}
	return []int{1_000_000}
}

// compareLimit is the largest CRL the standard-library and OpenSSL
// comparisons load: the standard library needs about 700 bytes an entry,
// too much for a shared machine at 5M.
const compareLimit = 1_000_000

func benchReps() int {
	if n, err := strconv.Atoi(os.Getenv(repsEnv)); err == nil && n > 0 {
		return n
	}
	return 3
}

// benchCRL returns the path of a generated CRL with n shuffled entries
// with serials of width bytes and a reason on most entries, made once per
// machine under the temporary directory, and the path of its issuer's
// certificate (DER).
func benchCRL(tb testing.TB, n, width int) (crl, issuer string) {
	tb.Helper()
	root, key := signRoot(3)
	issuer = filepath.Join(os.TempDir(), "mynacard-revocation-bench-issuer-"+hex.EncodeToString(root.SubjectKeyId[:8])+".der")
	if _, err := os.Stat(issuer); err != nil {
		writeOnce(tb, issuer, func(f *os.File) error { _, err := f.Write(root.Raw); return err })
	}
	crl = filepath.Join(os.TempDir(), fmt.Sprintf("mynacard-revocation-bench-%d-w%d-%s-v2.crl", n, width, hex.EncodeToString(root.SubjectKeyId[:4])))
	if _, err := os.Stat(crl); err == nil {
		return crl, issuer
	}
	writeOnce(tb, crl, func(f *os.File) error {
		_, err := jpkitest.WriteCRL(f, root, key, jpkitest.CRLOptions{Synthetic: n, SerialBytes: width, Shuffle: true})
		return err
	})
	return crl, issuer
}

func writeOnce(tb testing.TB, path string, write func(*os.File) error) {
	tmp := path + fmt.Sprintf(".%d.tmp", os.Getpid())
	f, err := os.Create(tmp)
	if err != nil {
		tb.Fatal(err)
	}
	if err := write(f); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
}

// helperEnv makes the test binary a load helper (TestLoadHelper): one
// whole process that loads a CRL one way and exits.
const helperEnv = "MYNACARD_LOAD_HELPER"

// TestLoadHelper is not a test: run by the whole-process benchmarks with
// helperEnv=MODE,CRL,ISSUER[,CACHEDIR], it loads the CRL with MODE
// (ours: ParseCRL; x509: x509.ParseRevocationList, the signature check
// and a map; mapped: a CRLSet with the index cache) and prints the entry
// count.
func TestLoadHelper(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		t.Skip("helper process for the whole-process benchmarks")
	}
	f := strings.Split(spec, ",")
	issuerDER, err := os.ReadFile(f[2])
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := x509.ParseCertificate(issuerDER)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	switch f[0] {
	case "ours":
		file, err := os.Open(f[1])
		if err != nil {
			t.Fatal(err)
		}
		st, _ := file.Stat()
		c, err := ParseCRL(file, ParseOptions{Issuers: []*x509.Certificate{issuer}, SizeHint: st.Size()})
		if err != nil {
			t.Fatal(err)
		}
		n = c.Len()
	case "x509":
		der, err := os.ReadFile(f[1])
		if err != nil {
			t.Fatal(err)
		}
		rl, err := x509.ParseRevocationList(der)
		if err != nil {
			t.Fatal(err)
		}
		if err := rl.CheckSignatureFrom(issuer); err != nil {
			t.Fatal(err)
		}
		idx := make(map[string]int, len(rl.RevokedCertificateEntries))
		for i, e := range rl.RevokedCertificateEntries {
			idx[string(e.SerialNumber.Bytes())] = i
		}
		n = len(idx)
	case "mapped", "warm":
		set := NewCRLSet([]*x509.Certificate{issuer}, CRLSetOptions{CacheDir: f[3]})
		if err := set.LoadFile(context.Background(), f[1]); err != nil && !errors.Is(err, ErrStale) && !errors.Is(err, ErrNotYetValid) {
			t.Fatal(err)
		}
		c := set.CRLs()[0]
		if f[0] == "mapped" && !c.IndexMapped() {
			t.Fatal("index not mapped")
		}
		c.Lookup(big.NewInt(1))
		n = c.Len()
	default:
		t.Fatalf("mode %q", f[0])
	}
	fmt.Printf("entries=%d\n", n)
}

// procStats is a whole-process measurement: the median wall time and
// peak RSS of reps runs, and the spread of the times.
type procStats struct {
	wall   time.Duration
	cpu    time.Duration // median user+system time: what the load costs whatever else runs
	rssMiB float64
	spread float64 // (max-min)/median of the wall times
}

func measure(b *testing.B, reps int, mk func() *exec.Cmd) procStats {
	var walls, cpus []time.Duration
	var rss []float64
	for range reps {
		cmd := mk()
		start := time.Now()
		out, err := cmd.CombinedOutput()
		wall := time.Since(start)
		if err != nil {
			b.Fatalf("%v: %v\n%s", cmd.Args, err, out)
		}
		walls = append(walls, wall)
		cpus = append(cpus, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
		rss = append(rss, peakRSSMiB(cmd.ProcessState))
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	slices.Sort(rss)
	s := procStats{wall: walls[len(walls)/2], cpu: cpus[len(cpus)/2]}
	if len(rss) > 0 {
		s.rssMiB = rss[len(rss)/2]
	}
	s.spread = float64(walls[len(walls)-1]-walls[0]) / float64(s.wall)
	return s
}

func helper(mode, crl, issuer string, extra ...string) func() *exec.Cmd {
	return func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLoadHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+strings.Join(append([]string{mode, crl, issuer}, extra...), ","))
		return cmd
	}
}

// BenchmarkProcessLoad loads each generated CRL (every serial width, 1M
// and with MYNACARD_BIG 5M entries) in whole processes, side by side:
// this package's ParseCRL (signature verified, index built), the
// standard library's x509.ParseRevocationList with the signature check
// and a map, and `openssl crl -noout` (parse only). Each is run
// MYNACARD_BENCH_REPS times (default 3); the median wall time and peak
// RSS are reported, with the ratios and the spread of our times.
func BenchmarkProcessLoad(b *testing.B) {
	openssl, _ := exec.LookPath("openssl")
	reps := benchReps()
	for _, n := range benchSizes() {
		for _, w := range jpkitest.SyntheticSerialWidths {
			crl, issuer := benchCRL(b, n, w)
			b.Run(fmt.Sprintf("%dB/%d", w, n), func(b *testing.B) {
				for b.Loop() {
					ours := measure(b, reps, helper("ours", crl, issuer))
					b.ReportMetric(float64(ours.wall.Nanoseconds()), "ns/op")
					b.ReportMetric(ours.rssMiB, "peak-MiB")
					b.ReportMetric(100*ours.spread, "spread-%")
					b.ReportMetric(float64(n)/ours.wall.Seconds(), "entries/s")
					b.ReportMetric(float64(ours.cpu.Milliseconds()), "cpu-ms")
					if n > compareLimit {
						continue
					}
					std := measure(b, reps, helper("x509", crl, issuer))
					b.ReportMetric(float64(std.wall.Milliseconds()), "x509-ms")
					b.ReportMetric(std.rssMiB, "x509-MiB")
					b.ReportMetric(std.wall.Seconds()/ours.wall.Seconds(), "×faster-x509")
					b.ReportMetric(std.rssMiB/ours.rssMiB, "×less-mem-x509")
					b.ReportMetric(std.cpu.Seconds()/ours.cpu.Seconds(), "×less-cpu-x509")
					if openssl != "" {
						o := measure(b, reps, func() *exec.Cmd {
							return exec.Command(openssl, "crl", "-noout", "-inform", "DER", "-in", crl)
						})
						b.ReportMetric(float64(o.wall.Milliseconds()), "openssl-ms")
						b.ReportMetric(o.rssMiB, "openssl-MiB")
						b.ReportMetric(o.wall.Seconds()/ours.wall.Seconds(), "×faster-openssl")
						b.ReportMetric(o.cpu.Seconds()/ours.cpu.Seconds(), "×less-cpu-openssl")
					}
				}
			})
		}
	}
}

// BenchmarkProcessMapped is a whole process that loads the largest CRL
// at each width through a warm index cache (fingerprint, map, checksums,
// signature, one lookup), beside the same process with a 1-entry CRL:
// the extra wall time is what a configured multi-million-entry list costs
// each CLI run.
func BenchmarkProcessMapped(b *testing.B) {
	sizes := benchSizes()
	n := sizes[len(sizes)-1]
	reps := max(benchReps(), 5)
	tiny, issuer := benchCRL(b, 1, 4)
	cache := b.TempDir()
	warm := func(crl string) {
		if st, err := os.Stat(crl); err == nil && time.Since(st.ModTime()) < fingerprintSettle {
			time.Sleep(fingerprintSettle) // a fresh file's fingerprint is not recorded yet
		}
		for range 2 { // index, then fingerprint
			if out, err := helper("warm", crl, issuer, cache)().CombinedOutput(); err != nil {
				b.Fatalf("%v\n%s", err, out)
			}
		}
	}
	warm(tiny)
	for _, w := range jpkitest.SyntheticSerialWidths {
		crl, _ := benchCRL(b, n, w)
		warm(crl)
		b.Run(fmt.Sprintf("%dB/%d", w, n), func(b *testing.B) {
			for b.Loop() {
				small := measure(b, reps, helper("mapped", tiny, issuer, cache))
				large := measure(b, reps, helper("mapped", crl, issuer, cache))
				b.ReportMetric(float64(large.wall.Nanoseconds()), "ns/op")
				b.ReportMetric(large.rssMiB, "peak-MiB")
				b.ReportMetric(float64((large.wall-small.wall).Microseconds())/1000, "overhead-ms")
				b.ReportMetric(float64(small.wall.Microseconds())/1000, "1-entry-ms")
				b.ReportMetric(100*large.spread, "spread-%")
			}
		})
	}
}

// loadStreaming is this package's path, in process.
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

// reportCPU reports the CPU time per operation since start (cpu-ns/op):
// what the operation costs whatever else the machine runs.
func reportCPU(b *testing.B, start time.Duration) {
	if d := processCPU() - start; d > 0 && b.N > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// lookupKeys is how many distinct listed serials BenchmarkLookup cycles
// through, spread over the whole list: their slots (64 MB of cache lines
// at least) are more than any cache here holds, so a lookup pays its
// miss, as a counter's or a batch's lookups do. A smaller set (64K keys,
// 4 MB of lines) fits this machine's last-level cache and measured half
// the time: that would be measuring the cache.
const lookupKeys = 1 << 20

// BenchmarkLookup measures one lookup of a listed serial in the largest
// CRL at each serial width: over keys spread across the list one at a
// time (random: the latency a single check pays), the same keys with the
// lookups prefetchAhead ahead already started (pipelined: what each
// lookup of a Batch costs), and a small working set (hot: 1024 keys, a
// counter's day).
func BenchmarkLookup(b *testing.B) {
	sizes := benchSizes()
	n := sizes[len(sizes)-1]
	for _, w := range jpkitest.SyntheticSerialWidths {
		crl, _ := benchCRL(b, n, w)
		c := loadStreaming(b, crl)
		keys := make([]serialKey, lookupKeys)
		for i := range keys {
			keys[i] = keyFromBig(jpkitest.SyntheticCRLEntryWidth(int(uint64(i)*2654435761%uint64(n)), w).Serial)
		}
		for _, set := range []struct {
			name      string
			mask      int
			pipelined bool
		}{{"random", lookupKeys - 1, false}, {"pipelined", lookupKeys - 1, true}, {"hot", 1023, false}} {
			b.Run(fmt.Sprintf("%dB/%d/%s", w, n, set.name), func(b *testing.B) {
				i := 0
				cpu := processCPU()
				for b.Loop() {
					if set.pipelined {
						c.prefetchKey(&keys[(i+prefetchAhead)&set.mask])
					}
					if _, ok, err := c.lookupKey(&keys[i&set.mask]); !ok || err != nil {
						b.Fatal("not found")
					}
					i++
				}
				reportCPU(b, cpu)
			})
		}
	}
}

// BenchmarkBatch runs the batch status of 1,000,000 serials (half listed)
// read from CSV lines against the largest CRL, at the narrowest and the
// widest serials.
func BenchmarkBatch(b *testing.B) {
	sizes := benchSizes()
	n := sizes[len(sizes)-1]
	root, _ := signRoot(3)
	key := hex.EncodeToString(root.SubjectKeyId)
	const pairs = 1_000_000
	for _, w := range []int{4, 20} {
		crl, _ := benchCRL(b, n, w)
		set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
		if err := set.Add(loadStreaming(b, crl)); err != nil {
			b.Fatal(err)
		}
		// The input is made before the clock starts: generating wide
		// serials costs more than looking them up.
		input, err := io.ReadAll(&pairLines{key: key, n: pairs, width: w})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%dB/%d", w, n), func(b *testing.B) {
			cpu := processCPU()
			defer reportCPU(b, cpu)
			for b.Loop() {
				st, err := set.Batch(context.Background(), ReadPairs(bytes.NewReader(input)), refTime, nil)
				if err != nil || st.Total != pairs || st.Revoked != pairs/2 {
					b.Fatalf("%+v %v", st, err)
				}
			}
			b.ReportMetric(float64(pairs)*float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
		})
	}
}

// TestBigCRL loads a 5M-entry CRL of 20-byte serials and checks it, with
// MYNACARD_BIG=1 only (it takes seconds and about 300 MB of disk).
func TestBigCRL(t *testing.T) {
	if v := os.Getenv(bigEnv); testing.Short() || v == "" || v == "0" {
		t.Skip("set " + bigEnv + "=1 for the multi-million-entry CRL")
	}
	const n, w = 5_000_000, 20
	path, _ := benchCRL(t, n, w)
	start := time.Now()
	c := loadStreaming(t, path)
	t.Logf("%d entries loaded in %v, %d bytes/entry", c.Len(), time.Since(start), c.IndexBytes()/n)
	if c.Len() != n {
		t.Fatalf("Len = %d", c.Len())
	}
	for i := 0; i < n; i += 4999 {
		e := jpkitest.SyntheticCRLEntryWidth(i, w)
		got, ok := c.Lookup(e.Serial)
		if !ok || int(got.Reason) != e.Reason || !got.RevokedAt.Equal(e.RevokedAt) {
			t.Fatalf("entry %d", i)
		}
	}
}
