package pcsc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/ebfe/scard"

	"github.com/mynacard/mynacard/reader"
)

// Card is a card connected in shared mode (SCARD_SHARE_SHARED, T=1 or
// T=0). It implements reader.Card. Its methods are safe for concurrent
// use; APDUs are sent one at a time.
type Card struct {
	name string
	cfg  config
	tx   reader.Transport // raw, wrapped by reader.Traced when tracing

	mu  sync.Mutex // guards sc, h, atr, pinSent and gone, and serialises calls on h
	sc  *scard.Context
	h   *scard.Card
	atr []byte
	// pinSent is set when a VERIFY with data or a CHANGE REFERENCE DATA
	// went to the card on this handle since it was connected or reset:
	// Close then resets the card.
	pinSent bool
	// gone is set once a command on this handle found the card removed:
	// Close then never resets (the card holds no state, and a reset sent
	// to a reader whose card just left can disturb its driver).
	gone bool
}

// Connect connects to the card in the reader named name, in shared mode
// with T=1 or T=0, on a service connection of its own (so the Card
// outlives c). opts add to the Context's options. With no card in the
// reader the error matches both reader.ErrNoCard and reader.ErrCardRemoved.
func (c *Context) Connect(ctx context.Context, name string, opts ...Option) (*Card, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", name, err)
	}
	sc, err := scard.EstablishContext()
	if err != nil {
		return nil, wrap("establishing pc/sc context", err)
	}
	h, err := sc.Connect(name, scard.ShareShared, scard.ProtocolT0|scard.ProtocolT1)
	if err != nil {
		sc.Release()
		if errors.Is(err, scard.ErrNoSmartcard) {
			return nil, fmt.Errorf("connecting to %s: %w: %w (%w)", name, reader.ErrNoCard, reader.ErrCardRemoved, err)
		}
		return nil, wrap(fmt.Sprintf("connecting to %s", name), err)
	}
	k := &Card{name: name, cfg: newConfig(c.cfg, opts), sc: sc, h: h}
	if st, err := h.Status(); err == nil {
		k.atr = st.Atr
	}
	k.tx = reader.Traced(rawTransport{k}, k.cfg.trace)
	return k, nil
}

// Open is the one-call path the CLI needs: it connects to the PC/SC
// service, chooses a reader by selector (reader.Choose), waits for a card
// if ctx allows, and connects to it.
func Open(ctx context.Context, selector string, opts ...Option) (*Card, error) {
	c, err := Establish(ctx, opts...)
	if err != nil {
		return nil, err
	}
	defer c.Release()
	name, err := c.Choose(ctx, selector)
	if err != nil {
		return nil, err
	}
	if _, err := c.WaitForCard(ctx, name); err != nil {
		return nil, err
	}
	return c.Connect(ctx, name)
}

var errClosed = errors.New("card connection closed")

// minResponse is the shortest response APDU: SW1 SW2 (ISO/IEC 7816-4
// §5.1). A shorter answer means the card stopped answering mid-command.
const minResponse = 2

// Transmit sends one command APDU and returns the response APDU. When ctx
// ends before the command is sent, nothing is sent. When it ends while the
// command is with the card, Transmit returns at once with ctx's error, and
// the command's outcome is unknown.
func (k *Card) Transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	return k.tx.Transmit(ctx, capdu)
}

// rawTransport sends APDUs on the handle without tracing.
type rawTransport struct{ k *Card }

func (r rawTransport) Transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	return r.k.transmit(ctx, capdu)
}

func (k *Card) transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	op := "transmitting to " + k.name
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	type result struct {
		resp []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		if err := ctx.Err(); err != nil { // gave up while waiting: send nothing
			ch <- result{nil, fmt.Errorf("%s: %w", op, err)}
			return
		}
		if k.h == nil {
			ch <- result{nil, fmt.Errorf("%s: %w", op, errClosed)}
			return
		}
		if presentsPIN(capdu) {
			k.pinSent = true
		}
		resp, err := k.h.Transmit(capdu)
		if err == nil && len(resp) < minResponse {
			// vpcd (and a reader losing the card mid-command) can report
			// success with no status word: never hand that on as a status.
			err = fmt.Errorf("%w: reader returned %d bytes, no status word", reader.ErrCardRemoved, len(resp))
			k.gone = true
			ch <- result{nil, fmt.Errorf("%s: %w", op, err)}
			return
		}
		err = wrap(op, err)
		if errors.Is(err, reader.ErrCardRemoved) {
			k.gone = true
		}
		ch <- result{resp, err}
	}()
	select {
	case r := <-ch:
		return r.resp, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%s (outcome unknown): %w", op, ctx.Err())
	}
}

// presentsPIN reports whether capdu is a VERIFY carrying data or a CHANGE
// REFERENCE DATA (ISO/IEC 7816-4 §11.5.6, §11.5.7, any class): a command
// that may leave the card's security state raised.
func presentsPIN(capdu []byte) bool {
	const insVerify, insChange = 0x20, 0x24
	if len(capdu) < 4 {
		return false
	}
	return capdu[1] == insVerify && len(capdu) > 5 || capdu[1] == insChange
}

// Transaction runs fn inside one PC/SC transaction
// (SCardBeginTransaction … SCardEndTransaction), so that no other
// application's APDUs come between fn's, for example between a VERIFY and
// the SIGN it allows. The transaction ends with SCARD_LEAVE_CARD, or with
// SCARD_RESET_CARD when fn asked for it through the Transport it was given
// (reader.RequestReset). If ctx ends while another application holds the
// card, Transaction gives up with ctx's error (the transaction, once
// granted, is ended at once). A transaction refused because another
// program reset the card since this connection's last one is begun again
// once after SCardReconnect (SCARD_LEAVE_CARD).
func (k *Card) Transaction(ctx context.Context, fn func(ctx context.Context, t reader.Transport) error) error {
	op := "beginning transaction on " + k.name
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	k.mu.Lock()
	h := k.h
	k.mu.Unlock()
	if h == nil {
		return fmt.Errorf("%s: %w", op, errClosed)
	}
	for attempt := 0; ; attempt++ {
		begun := make(chan error, 1)
		go func() { begun <- h.BeginTransaction() }()
		var err error
		select {
		case err = <-begun:
		case <-ctx.Done():
			go func() {
				if <-begun == nil {
					_ = h.EndTransaction(scard.LeaveCard)
				}
			}()
			return fmt.Errorf("%s: %w", op, ctx.Err())
		}
		if err == nil {
			break
		}
		if attempt == 0 && errors.Is(err, scard.ErrResetCard) {
			// Another program reset the card between two transactions
			// (for example by closing after a PIN, as this package does):
			// no state of this connection's is lost, since every
			// operation selects its application and verifies its PIN
			// inside its own transaction. Reconnect and begin again.
			k.mu.Lock()
			rerr := h.Reconnect(scard.ShareShared, scard.ProtocolT0|scard.ProtocolT1, scard.LeaveCard)
			if rerr == nil {
				k.pinSent = false
				if st, serr := h.Status(); serr == nil {
					k.atr = st.Atr
				}
			}
			k.mu.Unlock()
			if rerr == nil {
				continue
			}
		}
		return wrap(op, err)
	}
	tx := &txTransport{Transport: k.tx}
	err := fn(ctx, tx)
	disp := scard.LeaveCard
	if tx.reset.Load() {
		disp = scard.ResetCard
	}
	if err != nil && ctx.Err() != nil {
		// A command abandoned at the deadline may still be with the card,
		// and SCardEndTransaction waits for it: end the transaction in the
		// background so that the caller gets its deadline (the handle's
		// next use waits for the card anyway).
		go func() { k.endTransaction(h, disp) }()
		return err
	}
	endErr := k.endTransaction(h, disp)
	if err != nil {
		return err
	}
	return wrap("ending transaction on "+k.name, endErr)
}

// endTransaction ends the transaction with disp. After a reset the card
// holds no verified PIN, so Close need not reset it again; and since pcscd
// then answers every later call on this very handle with
// SCARD_W_RESET_CARD, the handle is reconnected at once (SCARD_LEAVE_CARD)
// so that the caller's next operation works. Other connections to the
// card see reader.ErrCardReset, as they must.
func (k *Card) endTransaction(h *scard.Card, disp scard.Disposition) error {
	err := h.EndTransaction(disp)
	if disp == scard.ResetCard && err == nil {
		k.mu.Lock()
		defer k.mu.Unlock()
		k.pinSent = false
		if k.h == h {
			if rerr := h.Reconnect(scard.ShareShared, scard.ProtocolT0|scard.ProtocolT1, scard.LeaveCard); rerr == nil {
				if st, serr := h.Status(); serr == nil {
					k.atr = st.Atr
				}
			}
		}
	}
	return err
}

// txTransport is the Transport of one transaction: it can end the
// transaction with a card reset (reader.EndResetter).
type txTransport struct {
	reader.Transport
	reset atomic.Bool
}

func (t *txTransport) ResetOnEnd() { t.reset.Store(true) }

// ATR returns the card's answer to reset as the reader reports it.
// Contactless readers invent one: never identify a card by it.
func (k *Card) ATR() []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]byte(nil), k.atr...)
}

// Reader returns the reader's name.
func (k *Card) Reader() string { return k.name }

// Capabilities reports what the reader path is declared to support
// (WithExtendedLength).
func (k *Card) Capabilities() reader.Capabilities { return k.cfg.caps }

// Reconnect re-establishes the connection after an error matching
// reader.ErrCardReset (SCardReconnect, shared mode, leaving the card as it
// is). The card's volatile state is gone: the caller must SELECT its
// application and VERIFY again.
func (k *Card) Reconnect(ctx context.Context) error {
	return k.reconnect(ctx, scard.LeaveCard, "reconnecting to "+k.name)
}

// Reset resets the card (SCardReconnect with SCARD_RESET_CARD): the card
// loses its security state, and every other connection to it sees
// reader.ErrCardReset on its next command.
func (k *Card) Reset(ctx context.Context) error {
	return k.reconnect(ctx, scard.ResetCard, "resetting the card in "+k.name)
}

func (k *Card) reconnect(ctx context.Context, disp scard.Disposition, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.h == nil {
		return fmt.Errorf("%s: %w", op, errClosed)
	}
	if err := k.h.Reconnect(scard.ShareShared, scard.ProtocolT0|scard.ProtocolT1, disp); err != nil {
		return wrap(op, err)
	}
	if disp == scard.ResetCard {
		k.pinSent = false
	}
	if st, err := k.h.Status(); err == nil {
		k.atr = st.Atr
	}
	return nil
}

// Close disconnects and releases the Card's service connection. It leaves
// the card in the reader as it is (SCARD_LEAVE_CARD), unless a PIN was
// presented on this connection (a VERIFY with data or a CHANGE REFERENCE
// DATA since it was connected or last reset): then it resets the card
// (SCARD_RESET_CARD), so that no verified PIN outlives the connection,
// whatever the commands after the VERIFY did. Other connections to the
// card then see reader.ErrCardReset on their next command.
func (k *Card) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.h == nil {
		return nil
	}
	disp := scard.LeaveCard
	if k.pinSent && !k.gone && k.stillPresent() {
		disp = scard.ResetCard
	}
	err := k.h.Disconnect(disp)
	k.h = nil
	rerr := k.sc.Release()
	k.sc = nil
	if err != nil && !errors.Is(err, scard.ErrRemovedCard) && !errors.Is(err, scard.ErrResetCard) {
		return wrap("disconnecting from "+k.name, err)
	}
	return wrap("releasing pc/sc context", rerr)
}

// stillPresent reports whether the card of this handle is still in the
// reader and powered, the only case a reset can reach it: a card that left
// holds no state, and resetting a reader with no card in it would only
// disturb the driver (vpcd then misses the next card). k.mu is held.
func (k *Card) stillPresent() bool {
	st, err := k.h.Status()
	return err == nil && st.State&scard.Present != 0
}

var _ reader.Card = (*Card)(nil)
