package reader

import (
	"context"
	"fmt"
	"sync"
)

// RawCard is a card implementation answering raw APDUs in process, such as
// card/virtual.Card. A nil answer means the card is gone.
type RawCard interface {
	ATR() []byte
	Transmit(capdu []byte) []byte
}

// Loopback returns a Card that talks to c directly, without PC/SC. It is
// for unit tests and for the embedded virtual card; everything that must be
// shown on the real stack goes through reader/pcsc. Transactions are
// serialised by a mutex, as PC/SC serialises them between processes.
func Loopback(name string, c RawCard, caps Capabilities) Card {
	return &loopback{name: name, c: c, caps: caps}
}

type loopback struct {
	name string
	c    RawCard
	caps Capabilities
	mu   sync.Mutex
}

func (l *loopback) Transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("transmitting to %s: %w", l.name, err)
	}
	resp := l.c.Transmit(capdu)
	if resp == nil {
		return nil, fmt.Errorf("transmitting to %s: %w", l.name, ErrCardRemoved)
	}
	return resp, nil
}

func (l *loopback) Transaction(ctx context.Context, fn func(ctx context.Context, t Transport) error) error {
	// Lock, but give up when ctx ends.
	locked := make(chan struct{})
	go func() { l.mu.Lock(); close(locked) }()
	select {
	case <-locked:
	case <-ctx.Done():
		go func() { <-locked; l.mu.Unlock() }()
		return fmt.Errorf("beginning transaction on %s: %w", l.name, ctx.Err())
	}
	defer l.mu.Unlock()
	tx := &loopbackTx{loopback: l}
	err := fn(ctx, tx)
	if tx.reset {
		if r, ok := l.c.(interface{ Reset() }); ok {
			r.Reset()
		}
	}
	return err
}

// loopbackTx is the Transport of one loopback transaction: it can end the
// transaction with a reset of a card that has Reset() (card/virtual).
type loopbackTx struct {
	*loopback
	reset bool
}

func (t *loopbackTx) ResetOnEnd() { t.reset = true }

func (l *loopback) ATR() []byte                { return l.c.ATR() }
func (l *loopback) Reader() string             { return l.name }
func (l *loopback) Capabilities() Capabilities { return l.caps }
func (l *loopback) Close() error               { return nil }
