package agent_test

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// Soak budgets: how much the live heap and the goroutine count may grow
// over a soak run (measured after a warm-up and after GC both times). A leak
// per cycle would pass 1,000 cycles only if it were under about
// heapGrowthLimit/1000 = 1 KiB: every per-operation buffer (certificate,
// records, HTTP connection state) is larger than that. (Measured without
// -race: +24 KB after 500 cycles, +33 KB after 1,000, +40 KB after 4,000:
// flat, pools and map buckets, not a leak. MYNACARD_SOAK_CYCLES=N runs a
// longer in-process soak by hand.)
const (
	heapGrowthLimit      = 1 << 20
	goroutineGrowthLimit = 5
	soakCycles           = 1000
	soakRealCycles       = 20
	soakWarmup           = 20
)

type memFigures struct {
	heap, objects uint64
	goroutines    int
}

func measure() memFigures {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memFigures{heap: ms.HeapAlloc, objects: ms.HeapObjects, goroutines: runtime.NumGoroutine()}
}

// checkGrowth logs the figures and fails when the heap or goroutines grew
// beyond the budgets. Goroutines get a moment to wind down (idle HTTP
// connections, watchers of removed cards).
func checkGrowth(t *testing.T, label string, n int, before memFigures, elapsed time.Duration) {
	t.Helper()
	var after memFigures
	for i := 0; i < 50; i++ {
		after = measure()
		if after.goroutines <= before.goroutines+goroutineGrowthLimit {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	growth := int64(after.heap) - int64(before.heap)
	line := fmt.Sprintf("%s: %d cycles (remove, insert, detect, operation over HTTP) in %v (%v each); heap after GC %d -> %d bytes (%+d, %+.0f B/cycle), objects %d -> %d, goroutines %d -> %d",
		label, n, elapsed.Round(time.Millisecond), (elapsed / time.Duration(n)).Round(time.Microsecond),
		before.heap, after.heap, growth, float64(growth)/float64(n), before.objects, after.objects, before.goroutines, after.goroutines)
	t.Log(line)
	saveFigures(t, label, line)
	if growth > heapGrowthLimit {
		t.Errorf("%s: heap grew by %d bytes over %d cycles (budget %d)", label, growth, n, heapGrowthLimit)
	}
	if after.goroutines > before.goroutines+goroutineGrowthLimit {
		t.Errorf("%s: goroutines %d -> %d", label, before.goroutines, after.goroutines)
	}
}

// saveFigures writes a soak's figures next to the screenshots, so that they
// are kept without -v.
func saveFigures(t *testing.T, label, line string) {
	dirs := []string{filepath.Join("..", "testout")}
	if d := os.Getenv(EnvTestOut); d != "" {
		dirs = append(dirs, d)
	}
	name := "agent-soak-" + strings.NewReplacer("+", "-", " ", "-").Replace(label) + ".txt"
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name), []byte(time.Now().UTC().Format(time.RFC3339)+" "+line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSoakInProcess runs 1,000 cycles of card removal, insertion (with
// detection, seen on the event stream) and an identification over HTTP on
// the in-process backend, and holds memory and goroutines steady.
func TestSoakInProcess(t *testing.T) {
	n := soakCycles
	if testing.Short() {
		n = 100
	}
	if v, err := strconv.Atoi(os.Getenv("MYNACARD_SOAK_CYCLES")); err == nil && v > 0 {
		n = v // a longer soak by hand
	}
	vc := newCard(t)
	r, m := memAgent(t, vc, func(c *agent.Config) {
		c.Confirmer = newConfirmer(t, false)
		// Log every request as serve does, but not into a buffer that
		// would grow with the soak.
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	})
	ev := r.events(t)
	ev.next(t, "synced")
	body := map[string]any{"pin": jpkitest.DefaultAuthPIN, "key": "auth", "reader": testReader}
	cycle := func(i int) {
		m.Remove(testReader)
		ev.next(t, "card-removed")
		vc.Reset()
		if err := m.Insert(testReader, vc); err != nil {
			t.Fatal(err)
		}
		if e := ev.next(t, "card-inserted"); !e.Usable {
			t.Fatalf("cycle %d: card not usable: %+v", i, e)
		}
		if a := r.call(t, "POST", "/v1/identify", body, nil); a.Status != 200 {
			t.Fatalf("cycle %d: identify: %d %s", i, a.Status, a.Raw)
		}
	}
	for i := 0; i < soakWarmup; i++ {
		cycle(i)
	}
	before := measure()
	start := time.Now()
	for i := 0; i < n; i++ {
		cycle(i)
	}
	checkGrowth(t, "in-process", n, before, time.Since(start))
}

// TestSoakRealStack runs fewer cycles through pcscd and vpcd (each insertion
// or removal takes pcscd's ~0.4 s presence poll): insert, detect, identify,
// remove.
func TestSoakRealStack(t *testing.T) {
	n := soakRealCycles
	if testing.Short() {
		n = 5
	}
	t0 := time.Now()
	slot := pcsctest.Slot(t)
	t.Logf("slot %d after %v", slot.Index, time.Since(t0).Round(time.Millisecond))
	pctx := pcsctest.Context(t)
	vc := newCard(t)
	r := start(t, agent.Config{
		Backend:   agent.PCSC(pctx),
		Confirmer: newConfirmer(t, false),
		Watch:     agent.WatchOptions{Readers: func(n string) bool { return n == slot.Reader }},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	ev := r.events(t)
	ev.next(t, "synced")
	body := map[string]any{"pin": jpkitest.DefaultAuthPIN, "key": "auth", "reader": slot.Reader}
	cycle := func(i int) {
		in := pcsctest.Insert(t, slot, vc)
		if e := ev.next(t, "card-inserted"); !e.Usable || e.Reader != slot.Reader {
			t.Fatalf("cycle %d: %+v", i, e)
		}
		if a := r.call(t, "POST", "/v1/identify", body, nil); a.Status != 200 {
			t.Fatalf("cycle %d: identify: %d %s", i, a.Status, a.Raw)
		}
		in.Remove(t)
		ev.next(t, "card-removed")
	}
	cycle(-1)
	before := measure()
	start := time.Now()
	for i := 0; i < n; i++ {
		cycle(i)
	}
	checkGrowth(t, "pcscd+vpcd", n, before, time.Since(start))
}
