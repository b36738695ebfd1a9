package agent_test

import (
	"testing"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/internal/intruder"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// TestAttackCardLeftVerifiedAgent has the agent identify (with either key)
// and qualify through pcscd and vpcd, then a second process open the reader
// in shared mode and SIGN with either key without VERIFY: it must be
// refused every time.
func TestAttackCardLeftVerifiedAgent(t *testing.T) {
	slot := pcsctest.Slot(t)
	r := start(t, agent.Config{
		Backend:   agent.PCSC(pcsctest.Context(t)),
		Confirmer: newConfirmer(t, true),
		Watch:     agent.WatchOptions{Readers: func(n string) bool { return n == slot.Reader }},
	})
	ev := r.events(t)
	ev.next(t, "synced")
	card := &intruder.VerifyCounter{ResettableCard: newCard(t)}
	pcsctest.Insert(t, slot, card)
	ev.next(t, "card-inserted")
	for _, op := range []struct {
		name, path string
		body       map[string]any
	}{
		{"agent identify (sign key)", "/v1/identify", map[string]any{"pin": jpkitest.DefaultSignPIN, "key": "sign", "reader": slot.Reader}},
		{"agent identify (auth key)", "/v1/identify", map[string]any{"pin": jpkitest.DefaultAuthPIN, "key": "auth", "reader": slot.Reader}},
		{"agent qualify", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN, "reader": slot.Reader}},
	} {
		before := card.Verifies()
		a := r.call(t, "POST", op.path, op.body, nil)
		if card.Verifies() == before {
			t.Fatalf("%s (%d %s) presented no PIN: the attack would show nothing", op.name, a.Status, a.Raw)
		}
		intruder.Check(t, slot.Reader, op.name)
	}
}
