package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader/pcsc"
	"github.com/mynacard/mynacard/reader/vpcd"
)

// identifyBenchCRL returns a CRL of n synthetic entries with serials of
// width bytes from the signing root the virtual card's certificate chains
// to, valid from the start of today (UTC) for two days: made once a day
// under the temporary directory.
func identifyBenchCRL(b *testing.B, n, width int) string {
	day := time.Now().UTC().Truncate(24 * time.Hour)
	path := filepath.Join(os.TempDir(), fmt.Sprintf("mynacard-identify-bench-%d-w%d-%s.crl", n, width, day.Format("20060102")))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	root, key := jpkitest.Default().Root(card.SignKey, jpkitest.LatestGeneration)
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	f, err := os.Create(tmp)
	if err != nil {
		b.Fatal(err)
	}
	opts := jpkitest.CRLOptions{ThisUpdate: day.Add(-time.Hour), NextUpdate: day.Add(48 * time.Hour), Synthetic: n, SerialBytes: width, Shuffle: true}
	if _, err := jpkitest.WriteCRL(f, root, key, opts); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkIdentifyMappedCRL runs `mynacard identify` as a whole process
// on the virtual card through pcscd and vpcd, with a configured CRL of
// 5,000,000 entries (20-byte serials) whose index is in a warm index
// cache, and with a 1-entry CRL, interleaved, MYNACARD_BENCH_REPS times
// each (default 7): overhead-ms is the difference of the median wall
// times, overhead-cpu-ms of the median CPU times, 5M-uncached-ms one run
// of the large CRL with the cache off (the parse).
func BenchmarkIdentifyMappedCRL(b *testing.B) {
	cli, err := exec.LookPath("mynacard")
	if err != nil {
		b.Skip("the built mynacard is not in PATH")
	}
	reps := 7
	if n, err := strconv.Atoi(os.Getenv("MYNACARD_BENCH_REPS")); err == nil && n > 0 {
		reps = max(n, 3)
	}
	const n, width = 5_000_000, 20
	large := identifyBenchCRL(b, n, width)
	small := identifyBenchCRL(b, 1, width)

	slot := pcsctest.Slot(b)
	ctx := context.Background()
	holder := jpkitest.DefaultHolder()
	vc, err := virtual.NewMyNumberCard(holder.Contents())
	if err != nil {
		b.Fatal(err)
	}
	conn, errc, err := vpcd.Attach(ctx, slot.Addr, vc)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = conn.Remove()
		select {
		case <-errc:
		case <-time.After(10 * time.Second):
		}
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if c, err := pcsc.Establish(wctx); err == nil {
			_ = c.WaitForRemoval(wctx, slot.Reader)
			c.Release()
		}
	}()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	c, err := pcsc.Establish(wctx)
	if err != nil {
		cancel()
		b.Fatal(err)
	}
	_, err = c.WaitForCard(wctx, slot.Reader)
	c.Release()
	cancel()
	if err != nil {
		b.Fatal(err)
	}

	dir := b.TempDir()
	cache := filepath.Join(dir, "cache")
	type run struct{ wall, cpu time.Duration }
	identify := func(crl, cacheDir string, extra ...string) run {
		cmd := exec.Command(cli, append([]string{"--lang", "en", "--reader", slot.Reader, "--test-hierarchy", "--pin-stdin",
			"--db", filepath.Join(dir, "p.db"), "--crl", crl, "--crl-cache", cacheDir, "identify"}, extra...)...)
		cmd.Env = append(os.Environ(), "HOME="+dir, "LC_ALL=C", "LANG=C")
		cmd.Stdin = strings.NewReader(holder.Spec.SignPIN + "\n")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("identify with %s: %v\n%s", crl, err, out.Bytes())
		}
		if !bytes.Contains(out.Bytes(), []byte("identified")) {
			b.Fatalf("identify with %s printed:\n%s", crl, out.Bytes())
		}
		return run{time.Since(start), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	}
	// Fill the cache: the index, then (for a settled file) the
	// fingerprint.
	// identify needs a store: the first run enrols (and makes it).
	identify(small, cache, "--enroll")
	for _, crl := range []string{small, large} {
		if st, err := os.Stat(crl); err == nil && time.Since(st.ModTime()) < 3*time.Second {
			time.Sleep(3 * time.Second)
		}
		identify(crl, cache)
		identify(crl, cache)
	}
	for b.Loop() {
		var ts, tl, cs, cl []time.Duration
		for range reps {
			r := identify(small, cache)
			ts, cs = append(ts, r.wall), append(cs, r.cpu)
			r = identify(large, cache)
			tl, cl = append(tl, r.wall), append(cl, r.cpu)
		}
		cold := identify(large, crlCacheOff).wall
		for _, d := range [][]time.Duration{ts, tl, cs, cl} {
			slices.Sort(d)
		}
		// CPU time (user+system) does not count what other processes
		// ran meanwhile: on a shared machine it is the steadier figure.
		b.ReportMetric(float64((cl[reps/2]-cs[reps/2]).Microseconds())/1000, "overhead-cpu-ms")
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		b.ReportMetric(float64(tl[reps/2].Nanoseconds()), "ns/op")
		b.ReportMetric(ms(tl[reps/2]-ts[reps/2]), "overhead-ms")
		b.ReportMetric(ms(ts[reps/2]), "1-entry-ms")
		b.ReportMetric(ms(ts[reps-1]-ts[0]), "1-entry-range-ms")
		b.ReportMetric(ms(tl[reps-1]-tl[0]), "5M-range-ms")
		b.ReportMetric(ms(cold), "5M-uncached-ms")
	}
}
