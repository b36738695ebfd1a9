package pcsc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ebfe/scard"

	"github.com/mynacard/mynacard/reader"
)

// Watch reports reader and card events to fn until ctx ends, then returns
// an error wrapping ctx.Err(). It first reports the current state (a
// ReaderAdded for each reader, then a CardInserted for each card present),
// then every change, across all readers: readers added or removed (through
// the \\?PnP?\Notification pseudo reader, and by listing the readers again
// at least every statusSlice where that is not supported), cards inserted
// or removed.
//
// fn runs on Watch's goroutine; if it returns an error, Watch stops and
// returns it. Watch uses a service connection of its own and cancels its
// wait (SCardCancel) as soon as ctx ends, so it never waits endlessly.
func (c *Context) Watch(ctx context.Context, fn func(reader.Event) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("watching readers: %w", err)
	}
	sc, err := scard.EstablishContext()
	if err != nil {
		return wrap("watching readers: establishing pc/sc context", err)
	}
	defer sc.Release()
	stop := context.AfterFunc(ctx, func() { _ = sc.Cancel() })
	defer stop()

	w := newWatcher(sc, fn)
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("watching readers: %w", err)
		}
		if err := w.step(); err != nil {
			if errors.Is(err, scard.ErrCancelled) && ctx.Err() != nil {
				return fmt.Errorf("watching readers: %w", ctx.Err())
			}
			return err
		}
	}
}

// statusSource is the part of *scard.Context a watcher uses; tests give
// it a scripted one.
type statusSource interface {
	ListReaders() ([]string, error)
	GetStatusChange(rs []scard.ReaderState, timeout time.Duration) error
}

// lockedSource calls GetStatusChange under statusChangeMu.
type lockedSource struct{ *scard.Context }

func (l lockedSource) GetStatusChange(rs []scard.ReaderState, timeout time.Duration) error {
	return getStatusChange(l.Context, rs, timeout)
}

func newWatcher(sc *scard.Context, fn func(reader.Event) error) *watcher {
	return &watcher{sc: lockedSource{sc}, fn: fn, known: map[string]scard.ReaderState{}, pnp: true}
}

type watcher struct {
	sc       statusSource
	fn       func(reader.Event) error
	known    map[string]scard.ReaderState // by name, in the order last listed
	order    []string
	pnp      bool // \\?PnP?\Notification still believed supported
	pnpState scard.StateFlag
}

// step lists the readers, reports readers added or removed, waits one
// slice for a change and reports card changes.
func (w *watcher) step() error {
	names, err := w.sc.ListReaders()
	if err != nil && !errors.Is(err, scard.ErrNoReadersAvailable) {
		return wrap("watching readers: listing readers", err)
	}
	for _, n := range w.order {
		if !slices.Contains(names, n) {
			delete(w.known, n)
			if err := w.fn(reader.Event{Kind: reader.ReaderRemoved, Reader: n}); err != nil {
				return err
			}
		}
	}
	for _, n := range names {
		if _, ok := w.known[n]; !ok {
			w.known[n] = scard.ReaderState{Reader: n, CurrentState: scard.StateUnaware}
			if err := w.fn(reader.Event{Kind: reader.ReaderAdded, Reader: n}); err != nil {
				return err
			}
		}
	}
	w.order = names

	rs := make([]scard.ReaderState, 0, len(names)+1)
	for _, n := range names {
		rs = append(rs, w.known[n])
	}
	if w.pnp {
		rs = append(rs, scard.ReaderState{Reader: pnpNotification, CurrentState: w.pnpState})
	}
	err = w.sc.GetStatusChange(rs, statusSlice)
	switch {
	case err == nil:
	case errors.Is(err, scard.ErrTimeout):
		return nil
	case errors.Is(err, scard.ErrUnknownReader) && w.pnp:
		w.pnp = false // no PnP support: rely on listing every slice
		return nil
	case errors.Is(err, scard.ErrUnknownReader), errors.Is(err, scard.ErrReaderUnavailable):
		return nil // a reader vanished between listing and waiting: list again
	default:
		return wrap("watching readers: waiting for status change", err)
	}
	for i, n := range names {
		old, now := w.known[n], rs[i]
		now.CurrentState = now.EventState &^ scard.StateChanged
		w.known[n] = now
		if now.EventState&(scard.StateUnknown|scard.StateUnavailable) != 0 {
			continue // gone: the next listing reports it
		}
		was, is := present(old.CurrentState), present(now.EventState)
		switch {
		case is && !was:
			if err := w.fn(reader.Event{Kind: reader.CardInserted, Reader: n, ATR: append([]byte(nil), now.Atr...)}); err != nil {
				return err
			}
		case was && !is:
			if err := w.fn(reader.Event{Kind: reader.CardRemoved, Reader: n}); err != nil {
				return err
			}
		}
	}
	if w.pnp {
		w.pnpState = rs[len(rs)-1].EventState &^ scard.StateChanged
	}
	return nil
}

// present reports whether f says a usable card is in the reader.
func present(f scard.StateFlag) bool {
	return f&scard.StatePresent != 0 && f&scard.StateMute == 0
}
