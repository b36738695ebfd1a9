package reliability

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/reader"
)

// TestCardPulledWhileWaiting: one connection holds the card in a
// transaction; another's Sign waits for it; the card is pulled (the vpcd
// card side closes, which is what pcscd sees when a card leaves a real
// reader). The waiting Sign must return a removed-card error promptly, spend
// no try, and after the card is put back a new connection works. A program
// waiting for a card (WaitForCard) returns when it comes back.
//
// Not covered: unplugging the reader itself. vpcd's readers exist as long as
// pcscd runs and the shared pcscd must never be stopped by a test.
func TestCardPulledWhileWaiting(t *testing.T) {
	const promptly = 3 * time.Second
	w := newWorld(t)
	vc := w.newCard(t)
	s := newPCSCSession(t, vc)
	before := tries(vc)
	ctx, cancel := context.WithTimeout(context.Background(), deadlockBound)
	defer cancel()

	other, err := s.pc.Connect(ctx, s.slot.Reader)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	j, err := card.OpenJPKI(ctx, other, card.Options{})
	if err != nil {
		t.Fatal(err)
	}

	held := make(chan struct{})
	release := make(chan struct{})
	holderDone := make(chan error, 1)
	go func() {
		holderDone <- s.card.Transaction(ctx, func(context.Context, reader.Transport) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held

	signDone := make(chan error, 1)
	prompted := false
	go func() {
		di, _ := digestInfo(t, "waiting")
		_, err := j.Sign(ctx, card.AuthKey, func(c context.Context, k card.PINKind, n int) ([]byte, error) {
			prompted = true
			return w.prompt(c, k, n)
		}, di)
		signDone <- err
	}()
	time.Sleep(300 * time.Millisecond) // let Sign block on the transaction
	select {
	case err := <-signDone:
		t.Fatalf("Sign did not wait for the other transaction: %v", err)
	default:
	}

	pulled := time.Now()
	if err := s.in.Conn.Remove(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-signDone:
		took := time.Since(pulled)
		if !errors.Is(err, reader.ErrCardRemoved) && !errors.Is(err, reader.ErrNoCard) {
			t.Errorf("waiting Sign after the card was pulled: %v, want a removed-card error", err)
		}
		if prompted {
			t.Errorf("the PIN was asked for although the card was pulled before the transaction began")
		}
		t.Logf("waiting Sign returned %v after the card was pulled: %v", took.Round(time.Millisecond), err)
	case <-time.After(promptly):
		close(release)
		t.Fatalf("waiting Sign still blocked %v after the card was pulled", promptly)
	}
	close(release)
	select {
	case err := <-holderDone:
		t.Logf("holder's transaction ended with: %v", err)
	case <-time.After(promptly):
		t.Fatalf("holder's transaction did not end %v after the card was pulled", promptly)
	}
	s.in.Remove(t) // wait until pcscd shows the reader empty

	// A program waiting for a card gets it when it is put back.
	waitDone := make(chan error, 1)
	go func() {
		_, err := s.pc.WaitForCard(ctx, s.slot.Reader)
		waitDone <- err
	}()
	time.Sleep(200 * time.Millisecond)
	s.in = pcsctest.Insert(t, s.slot, vc)
	select {
	case err := <-waitDone:
		if err != nil {
			t.Fatalf("WaitForCard: %v", err)
		}
	case <-time.After(promptly):
		t.Fatal("WaitForCard did not return after the card was put back")
	}
	s.card.Close()
	s.connect()
	j2, err := card.OpenJPKI(ctx, s.card, card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	di, _ := digestInfo(t, "after")
	if _, err := j2.Sign(ctx, card.AuthKey, w.prompt, di); err != nil {
		t.Errorf("Sign after the card was put back: %v", err)
	}
	after := tries(vc)
	for p, n := range before {
		if after[p] != n {
			t.Errorf("%v tries %d -> %d", p, n, after[p])
		}
	}
}
