package reliability

import (
	"testing"
	"time"

	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/pcsctest"
)

func TestMain(m *testing.M) { pcsctest.Main(m) }

// harmlessDelay is a latency well under every operation's timeout: the
// operation must succeed.
const harmlessDelay = 20 * time.Millisecond

// generous is the deadline of the cases that are not about latency: far
// above what any operation takes, so that only a hang would reach it.
const generous = 10 * time.Second

// TestFaultMatrixPCSC runs every operation through pcscd and vpcd with the
// virtual card failing at every APDU index: cut (removed), corrupted,
// truncated and over-long responses and each unexpected status word at every
// index; latency past the deadline at sampled indexes (first APDU, every
// VERIFY and SIGN, last, every third), because each costs about twice the
// deadline. A removal costs a card reinsertion (~0.8 s: pcscd must see the
// slot empty, then the card again), about 110 s for all indexes, under the
// ~3 min budget. In -short mode removal and latency run at three sampled
// indexes per operation and the other kinds at every third;
// TestFaultMatrixInProcess then still cuts the card at every index.
func TestFaultMatrixPCSC(t *testing.T) {
	w := newWorld(t)
	m := newMatrixRun(t, "pcscd", w, true)
	for _, op := range operations() {
		c := m.cleanRun(op)
		// The latency cases get a tight deadline (each costs about twice
		// it); the others a generous one, so that a loaded machine
		// cannot turn them into deadline cases.
		// The card stalls well past the deadline: under -race on a loaded
		// machine the runtime notices a deadline tens of milliseconds
		// late, and a stall just past it could then end in time.
		tight := 2*c.dur + 100*time.Millisecond
		kinds := faultKinds(2*tight + 200*time.Millisecond)
		sampled := sample(c, 3)
		if testing.Short() && len(sampled) > 3 {
			sampled = []int{sampled[0], sampled[len(sampled)/2], sampled[len(sampled)-1]}
		}
		for _, k := range kinds {
			idx := allIndexes(c.n, testing.Short())
			timeout := generous
			switch {
			case k.fault.Kind == virtual.FaultLatency:
				idx, timeout = sampled, tight
			case k.fault.Kind == virtual.FaultRemove && testing.Short():
				idx = sampled
			}
			for _, i := range idx {
				m.runCase(op, c, k, i, timeout)
			}
		}
		// Latency under the timeout is harmless.
		harmless := faultKind{name: "latency<timeout", fault: virtual.Fault{Kind: virtual.FaultLatency, Delay: harmlessDelay}}
		if cls := m.runCase(op, c, harmless, sampled[len(sampled)/2], generous); cls != classOK {
			t.Errorf("%s with %v latency: %s, want success", op.name, harmlessDelay, cls)
		}
		t.Logf("%-18s N=%3d APDUs, clean %v, latency deadline %v, latency sampled at %v", op.name, c.n, c.dur.Round(time.Millisecond), tight.Round(time.Millisecond), sampled)
	}
	if testing.Short() {
		t.Log("over pcscd (-short): removal and latency past the deadline at the sampled indexes above, every other kind at every third index; removal at every index: TestFaultMatrixInProcess")
	} else {
		t.Log("over pcscd: latency past the deadline at the sampled indexes above, every other kind (removal included) at every index")
	}
	m.summary()
}

// TestFaultMatrixInProcess runs the same matrix in process (reader.Loopback)
// with every fault kind but latency at every index (reader.Loopback does not
// abandon a slow card's Transmit, so latency is shown over pcscd only).
func TestFaultMatrixInProcess(t *testing.T) {
	w := newWorld(t)
	m := newMatrixRun(t, "in-process", w, false)
	for _, op := range operations() {
		c := m.cleanRun(op)
		for _, k := range faultKinds(0) {
			for _, i := range allIndexes(c.n, testing.Short()) {
				m.runCase(op, c, k, i, generous)
			}
		}
	}
	m.summary()
}

// allIndexes is 1..n, or every third index in short mode (first and last
// kept).
func allIndexes(n int, short bool) []int {
	var out []int
	for i := 1; i <= n; i++ {
		if !short || i%3 == 1 || i == n {
			out = append(out, i)
		}
	}
	return out
}

// TestFaultMatrixWrongPIN runs the operations that VERIFY with a wrong PIN
// (in process) with every fault at every index: the retry counter drops by
// at most the one VERIFY the operation was asked to make, and only when a
// VERIFY was sent; the error is typed (a *card.PINError when the card's
// answer arrived intact).
func TestFaultMatrixWrongPIN(t *testing.T) {
	w := newWorld(t)
	m := newMatrixRun(t, "in-process wrong PIN", w, false)
	for _, op := range operations() {
		switch op.name {
		case "sign/auth", "sign/sign", "cert/sign+verify", "text", "identify", "qualify", "pinchange/auth":
		default:
			continue
		}
		w.wrongPIN = true
		c := m.cleanRun(op)
		for _, k := range faultKinds(0) {
			for _, i := range allIndexes(c.n, testing.Short()) {
				m.runCase(op, c, k, i, generous)
			}
		}
		w.wrongPIN = false
	}
	m.summary()
}
