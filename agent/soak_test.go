package agent_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// Soak budgets: how much the live heap and the goroutine count may grow
// over a soak run (measured after a warm-up and after GC both times). A leak
// of one small object per cycle would pass 1,000 cycles only if it were
// under about heapGrowthLimit/1000 = 4 KiB: every per-operation buffer
// (certificate, records, HTTP connection state) is larger than that.
const (
	heapGrowthLimit      = 4 << 20
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
	t.Logf("%s: %d cycles (remove, insert, detect, operation over HTTP) in %v (%v each); heap after GC %d -> %d bytes (%+d, %+.0f B/cycle), objects %d -> %d, goroutines %d -> %d",
		label, n, elapsed.Round(time.Millisecond), (elapsed / time.Duration(n)).Round(time.Microsecond),
		before.heap, after.heap, growth, float64(growth)/float64(n), before.objects, after.objects, before.goroutines, after.goroutines)
	if growth > heapGrowthLimit {
		t.Errorf("%s: heap grew by %d bytes over %d cycles (budget %d)", label, growth, n, heapGrowthLimit)
	}
	if after.goroutines > before.goroutines+goroutineGrowthLimit {
		t.Errorf("%s: goroutines %d -> %d", label, before.goroutines, after.goroutines)
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
	vc := newCard(t)
	r, m := memAgent(t, vc, func(c *agent.Config) { c.Confirmer = newConfirmer(t, false) })
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
