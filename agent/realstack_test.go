package agent_test

import (
	"testing"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/card/virtual"
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
