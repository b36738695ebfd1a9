// Package pcsc is the PC/SC backend of package reader: it lists readers,
// chooses one, waits for cards and watches reader and card events, and
// connects to a card as a reader.Card, over github.com/ebfe/scard (cgo,
// pcsc-lite on Linux).
//
// It owns the mapping of PC/SC return codes to the reader sentinels
// (reader.ErrCardRemoved, reader.ErrCardReset, …) and the rule that no wait
// is endless: every blocking GetStatusChange runs in bounded slices and is
// cancelled (SCardCancel) when its context ends.
//
// It does not interpret APDUs (see reader.Exchange) and does not start
// pcscd (see internal/pcsctest for tests). Nothing above this package
// imports ebfe/scard, so the rest of the module builds with CGO_ENABLED=0.
package pcsc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ebfe/scard"

	"github.com/mynacard/mynacard/reader"
)

// pnpNotification is the pseudo reader name that makes GetStatusChange
// return when a reader is added or removed (PC/SC part 5; pcsc-lite
// supports it).
const pnpNotification = `\\?PnP?\Notification`

// statusSlice bounds each GetStatusChange call. A wait is a loop of such
// slices, so a missed SCardCancel (the context ended just before the call
// started) delays the return by at most one slice, and concurrent waiters
// in one process take turns (see statusChangeMu).
const statusSlice = 250 * time.Millisecond

// statusChangeMu serialises scard.Context.GetStatusChange across the
// process. ebfe/scard (v0.0.0-20230420082256) writes a package-level map
// (pinned) without a lock on every call, so two concurrent calls corrupt
// it. This is the one piece of package-level state here, and it exists
// only to guard the dependency's.
var statusChangeMu sync.Mutex

// getStatusChange calls sc.GetStatusChange under statusChangeMu.
func getStatusChange(sc *scard.Context, rs []scard.ReaderState, timeout time.Duration) error {
	statusChangeMu.Lock()
	defer statusChangeMu.Unlock()
	return sc.GetStatusChange(rs, timeout)
}

// Option configures a Context or a Card.
type Option func(*config)

type config struct {
	caps  reader.Capabilities
	trace func(reader.TraceEvent)
}

// WithExtendedLength declares that the reader path passes extended-length
// APDUs (ISO/IEC 7816-4 §5.1). The default is false: many contactless
// readers accept short APDUs only. vpcd is known to pass them.
func WithExtendedLength(ok bool) Option { return func(c *config) { c.caps.ExtendedLength = ok } }

// WithTrace makes every APDU exchanged with a card go to hook, through
// reader.Traced: the data of VERIFY and CHANGE REFERENCE DATA is redacted
// before hook sees it.
func WithTrace(hook func(reader.TraceEvent)) Option { return func(c *config) { c.trace = hook } }

func newConfig(base config, opts []Option) config {
	for _, o := range opts {
		o(&base)
	}
	return base
}

// Context is a connection to the PC/SC service (SCardEstablishContext).
// Its methods are safe for concurrent use; waits and watches use their own
// service connections so that they can be cancelled independently.
type Context struct {
	mu  sync.Mutex // serialises calls on sc
	sc  *scard.Context
	cfg config
}

// Establish connects to the PC/SC service. It fails with an error matching
// reader.ErrNoService when pcscd is not running. opts become the defaults
// of every Card connected through the Context.
func Establish(ctx context.Context, opts ...Option) (*Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("establishing pc/sc context: %w", err)
	}
	sc, err := scard.EstablishContext()
	if err != nil {
		return nil, wrap("establishing pc/sc context", err)
	}
	return &Context{sc: sc, cfg: newConfig(config{}, opts)}, nil
}

// Release disconnects from the PC/SC service. Cards connected through the
// Context stay connected: each holds its own service connection.
func (c *Context) Release() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sc == nil {
		return nil
	}
	err := c.sc.Release()
	c.sc = nil
	return wrap("releasing pc/sc context", err)
}

var errReleased = errors.New("pc/sc context released")

// ListReaders returns the names of the connected readers. With none
// connected it returns an empty list and an error matching
// reader.ErrNoReaders.
func (c *Context) ListReaders(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("listing readers: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sc == nil {
		return nil, fmt.Errorf("listing readers: %w", errReleased)
	}
	names, err := c.sc.ListReaders()
	if err != nil {
		return nil, wrap("listing readers", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("listing readers: %w", reader.ErrNoReaders)
	}
	return names, nil
}

// Choose returns the name of the reader selector picks (see reader.Choose:
// exact name, index or substring; empty picks the only reader).
func (c *Context) Choose(ctx context.Context, selector string) (string, error) {
	names, err := c.ListReaders(ctx)
	if err != nil {
		return "", err
	}
	return reader.Choose(names, selector)
}

// Readers lists the connected readers with the presence and ATR of the
// card in each, without waiting.
func (c *Context) Readers(ctx context.Context) ([]reader.Info, error) {
	names, err := c.ListReaders(ctx)
	if err != nil {
		return nil, err
	}
	rs := make([]scard.ReaderState, len(names))
	for i, n := range names {
		rs[i] = scard.ReaderState{Reader: n, CurrentState: scard.StateUnaware}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sc == nil {
		return nil, fmt.Errorf("reading reader states: %w", errReleased)
	}
	if err := getStatusChange(c.sc, rs, 0); err != nil && !errors.Is(err, scard.ErrTimeout) {
		return nil, wrap("reading reader states", err)
	}
	out := make([]reader.Info, len(rs))
	for i, s := range rs {
		out[i] = reader.Info{Name: s.Reader}
		if s.EventState&scard.StatePresent != 0 && s.EventState&scard.StateMute == 0 {
			out[i].CardPresent = true
			out[i].ATR = s.Atr
		}
		out[i].InUse = s.EventState&scard.StateExclusive != 0
	}
	return out, nil
}

// WaitForCard waits until a card is in the reader named name and returns
// its ATR. It returns at once if a card is already there. It gives up with
// an error wrapping ctx.Err() when ctx ends, and with
// reader.ErrReaderUnavailable if the reader vanishes.
func (c *Context) WaitForCard(ctx context.Context, name string) ([]byte, error) {
	s, err := waitState(ctx, name, func(f scard.StateFlag) bool {
		return f&scard.StatePresent != 0 && f&scard.StateMute == 0
	})
	if err != nil {
		return nil, fmt.Errorf("waiting for a card in %s: %w", name, err)
	}
	return s.Atr, nil
}

// WaitForRemoval waits until the reader named name holds no card. It
// returns at once if it is already empty, and gives up as WaitForCard does.
func (c *Context) WaitForRemoval(ctx context.Context, name string) error {
	_, err := waitState(ctx, name, func(f scard.StateFlag) bool {
		return f&scard.StateEmpty != 0
	})
	if err != nil {
		return fmt.Errorf("waiting for the card to leave %s: %w", name, err)
	}
	return nil
}

// waitState waits, on a service connection of its own, until the state of
// reader name satisfies done.
func waitState(ctx context.Context, name string, done func(scard.StateFlag) bool) (scard.ReaderState, error) {
	if err := ctx.Err(); err != nil {
		return scard.ReaderState{}, err
	}
	sc, err := scard.EstablishContext()
	if err != nil {
		return scard.ReaderState{}, wrap("establishing pc/sc context", err)
	}
	defer sc.Release()
	stop := context.AfterFunc(ctx, func() { _ = sc.Cancel() })
	defer stop()

	rs := []scard.ReaderState{{Reader: name, CurrentState: scard.StateUnaware}}
	for {
		if err := ctx.Err(); err != nil {
			return scard.ReaderState{}, err
		}
		err := getStatusChange(sc, rs, statusSlice)
		switch {
		case err == nil:
		case errors.Is(err, scard.ErrTimeout):
			continue
		case errors.Is(err, scard.ErrCancelled):
			if ctx.Err() != nil {
				return scard.ReaderState{}, ctx.Err()
			}
			return scard.ReaderState{}, wrap("waiting for status change", err)
		default:
			return scard.ReaderState{}, wrap("waiting for status change", err)
		}
		f := rs[0].EventState
		if f&(scard.StateUnknown|scard.StateUnavailable) != 0 {
			return scard.ReaderState{}, fmt.Errorf("reader %q: %w", name, reader.ErrReaderUnavailable)
		}
		if done(f) {
			return rs[0], nil
		}
		rs[0].CurrentState = f &^ scard.StateChanged
	}
}
