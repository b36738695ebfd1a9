package pcsc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/reader"
)

// TestTransactionWaitIsCancellable: while another connection holds the
// card in a transaction, a second Transaction gives up when its context
// ends instead of waiting for the first.
func TestTransactionWaitIsCancellable(t *testing.T) {
	slot := pcsctest.Slot(t)
	pcsctest.Insert(t, slot, newCard(t))
	c := pcsctest.Context(t)
	holder := connect(t, c, slot.Reader)
	waiter := connect(t, c, slot.Reader)

	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- holder.Transaction(testCtx(t), func(ctx context.Context, _ reader.Transport) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	ran := false
	err := waiter.Transaction(ctx, func(context.Context, reader.Transport) error { ran = true; return nil })
	if !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Fatalf("Transaction while another holds the card = %v (ran %v), want DeadlineExceeded without running", err, ran)
	}
	if d := time.Since(start); d > promptly {
		t.Fatalf("Transaction took %v to give up", d)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Once the first transaction ends, the waiter's abandoned one is ended
	// too, and the card is usable again from both connections.
	for _, k := range []interface {
		Transaction(context.Context, func(context.Context, reader.Transport) error) error
	}{waiter, holder} {
		if err := k.Transaction(testCtx(t), func(ctx context.Context, tr reader.Transport) error {
			_, err := doAll(ctx, tr, selectJPKI)
			return err
		}); err != nil {
			t.Fatalf("Transaction after the first ended: %v", err)
		}
	}
}

// TestTransmitHonoursContext: a card that takes long to answer does not
// hold the caller past its context.
func TestTransmitHonoursContext(t *testing.T) {
	slot := pcsctest.Slot(t)
	card := newCard(t, virtual.WithFaults(virtual.Fault{Kind: virtual.FaultLatency, Delay: 1500 * time.Millisecond, MatchINS: true, INS: selectJPKI.INS}))
	pcsctest.Insert(t, slot, card)
	c := pcsctest.Context(t)
	k := connect(t, c, slot.Reader)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := doAll(ctx, k, selectJPKI); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow SELECT = %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Transmit returned %v after its deadline", d)
	}
	// A context that has already ended sends nothing.
	before := len(card.instructions())
	if _, err := k.Transmit(ctx, []byte{0x00, 0x20, 0x00, 0x80}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Transmit with an ended context = %v", err)
	}
	// The connection stays usable once the slow answer has come.
	if _, err := doAll(testCtx(t), k, selectAuthPIN); err != nil {
		t.Fatalf("next command: %v", err)
	}
	if got := card.instructions(); len(got) != before+1 {
		t.Fatalf("card received %d commands after the ended context, want 1", len(got)-before)
	}
}
