package agent_test

import (
	"testing"
	"time"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/intruder"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// TestCardLeavesDuringSignRealStack has the virtual card leave the vpcd
// reader by itself when the SIGN command arrives (after a good VERIFY): the
// agent answers 410 card_removed (from pcscd's error or from the watcher
// cancelling the operation, whichever comes first), the event stream reports
// the removal, and the reader is free for the next card.
func TestCardLeavesDuringSignRealStack(t *testing.T) {
	slot := pcsctest.Slot(t)
	r := start(t, agent.Config{
		Backend:   agent.PCSC(pcsctest.Context(t)),
		Confirmer: newConfirmer(t, true),
		Watch:     agent.WatchOptions{Readers: func(n string) bool { return n == slot.Reader }},
	})
	ev := r.events(t)
	ev.next(t, "synced")
	vc := newCard(t, virtual.WithFaults(virtual.Fault{Kind: virtual.FaultRemove, MatchINS: true, INS: insCardSign}))
	in := pcsctest.Insert(t, slot, vc)
	ev.next(t, "card-inserted")
	a := r.call(t, "POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN, "reader": slot.Reader}, nil)
	if a.Status != 410 || a.code() != agent.CodeCardRemoved {
		t.Errorf("card left during SIGN: %d %s", a.Status, a.Raw)
	}
	if e := ev.next(t, "card-removed"); e.Reader != slot.Reader {
		t.Errorf("removal: %+v", e)
	}
	in.Remove(t)
	vc.Reinsert()
	in = pcsctest.Insert(t, slot, vc)
	ev.next(t, "card-inserted")
	if a := r.call(t, "POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN, "reader": slot.Reader}, nil); a.Status != 200 {
		t.Errorf("next operation: %d %s", a.Status, a.Raw)
	}
	in.Remove(t)
}

// TestStalledCardRealStack: through pcscd and vpcd, a card that stops
// answering during SIGN (after a good VERIFY) gets the client its 504 within
// the operation timeout plus a second. Until the card answers, the reader
// is busy for everyone; once it has, the card holds no verified PIN (another
// process's SIGN without VERIFY is refused) and the next operation works.
func TestStalledCardRealStack(t *testing.T) {
	const timeout, stall = time.Second, 4 * time.Second
	slot := pcsctest.Slot(t)
	r := start(t, agent.Config{
		Backend:          agent.PCSC(pcsctest.Context(t)),
		Confirmer:        newConfirmer(t, true),
		OperationTimeout: timeout,
		Watch:            agent.WatchOptions{Readers: func(n string) bool { return n == slot.Reader }},
	})
	ev := r.events(t)
	ev.next(t, "synced")
	vc := newCard(t)
	in := pcsctest.Insert(t, slot, vc)
	ev.next(t, "card-inserted")
	vc.SetFaults(virtual.Fault{Kind: virtual.FaultLatency, MatchINS: true, INS: insCardSign, Delay: stall})
	begin := time.Now()
	a := r.call(t, "POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN, "reader": slot.Reader}, nil)
	took := time.Since(begin)
	t.Logf("answer to a stalled SIGN: %d %s after %v (timeout %v, card stalls %v)", a.Status, a.code(), took.Round(time.Millisecond), timeout, stall)
	if took > timeout+time.Second {
		t.Errorf("answer took %v with a %v timeout", took, timeout)
	}
	if a.Status != 504 || a.code() != agent.CodeTimeout {
		t.Errorf("stalled card: %d %s", a.Status, a.Raw)
	}
	if b := r.call(t, "POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN, "reader": slot.Reader}, nil); b.Status != 409 || b.code() != agent.CodeBusy {
		t.Errorf("second operation while the card stalls: %d %s", b.Status, b.Raw)
	}
	waitFree(t, r, slot.Reader, stall+10*time.Second)
	vc.SetFaults()
	intruder.Check(t, slot.Reader, "an operation abandoned at its timeout")
	if a := r.call(t, "POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN, "reader": slot.Reader}, nil); a.Status != 200 {
		t.Errorf("next operation: %d %s", a.Status, a.Raw)
	}
	if n := vc.TriesLeft(virtual.PINJPKIAuth); n != virtual.MaxTriesJPKIAuth {
		t.Errorf("tries left = %d", n)
	}
	in.Remove(t)
}
