package reader

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeCard answers 9000 until gone.
type fakeCard struct {
	mu   sync.Mutex
	gone bool
	n    int
}

func (f *fakeCard) ATR() []byte { return []byte{0x3B, 0x00} }

func (f *fakeCard) Transmit(capdu []byte) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if f.gone {
		return nil
	}
	return []byte{0x90, 0x00}
}

func TestLoopback(t *testing.T) {
	fc := &fakeCard{}
	c := Loopback("loop", fc, Capabilities{ExtendedLength: true})
	if c.Reader() != "loop" || !c.Capabilities().ExtendedLength || len(c.ATR()) != 2 {
		t.Errorf("metadata: %q %+v % X", c.Reader(), c.Capabilities(), c.ATR())
	}
	ctx := context.Background()
	if out, err := c.Transmit(ctx, []byte{0, 0xA4, 0, 0}); err != nil || len(out) != 2 {
		t.Fatalf("Transmit = % X, %v", out, err)
	}
	fc.gone = true
	if _, err := c.Transmit(ctx, []byte{0, 0xA4, 0, 0}); !errors.Is(err, ErrCardRemoved) {
		t.Errorf("err = %v, want ErrCardRemoved", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Transmit(cctx, []byte{0, 0xA4, 0, 0}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if err := c.Close(); err != nil {
		t.Error(err)
	}
}

func TestLoopbackTransaction(t *testing.T) {
	c := Loopback("loop", &fakeCard{}, Capabilities{})
	ctx := context.Background()
	sentinel := errors.New("from fn")
	if err := c.Transaction(ctx, func(context.Context, Transport) error { return sentinel }); !errors.Is(err, sentinel) {
		t.Errorf("err = %v", err)
	}

	// A second transaction waits for the first, and gives up with its ctx.
	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- c.Transaction(ctx, func(context.Context, Transport) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	wctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := c.Transaction(wctx, func(context.Context, Transport) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting transaction: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The lock is free again (the abandoned waiter released it).
	ok := make(chan error, 1)
	go func() { ok <- c.Transaction(ctx, func(context.Context, Transport) error { return nil }) }()
	select {
	case err := <-ok:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("lock not released after an abandoned wait")
	}
}
