// Package reader owns the boundary between the card protocol and the
// hardware: the Transport interface every layer above talks to, reader
// discovery and card events, the exchange loop that follows ISO/IEC 7816-4
// §5.3.4 (GET RESPONSE on 61xx, resend on 6Cxx), and APDU tracing with PIN
// redaction.
//
// It does not import any PC/SC binding: the cgo backend lives in
// reader/pcsc and the virtual-reader bridge in reader/vpcd, so everything
// above this package builds with CGO_ENABLED=0.
package reader

import (
	"context"
	"errors"
)

// Transport sends one command APDU and returns the raw response APDU
// (data followed by SW1 SW2). Implementations must honour ctx: a cancelled
// or expired context makes Transmit return promptly with an error that
// wraps ctx.Err().
//
// Transmit does not interpret status words; see Exchange for the loop that
// does.
type Transport interface {
	Transmit(ctx context.Context, capdu []byte) ([]byte, error)
}

// Card is a connected card in a reader.
//
// Transaction runs fn while holding the card exclusively (a PC/SC
// transaction, SCardBeginTransaction/SCardEndTransaction), so that a
// VERIFY and the operation it guards cannot be interleaved with another
// application's commands. fn must use only the Transport it is given.
type Card interface {
	Transport
	// Transaction runs fn inside one exclusive transaction.
	Transaction(ctx context.Context, fn func(ctx context.Context, t Transport) error) error
	// ATR returns the card's answer to reset as the reader reports it.
	// Contactless readers invent one: never identify a card by it.
	ATR() []byte
	// Reader returns the reader's name.
	Reader() string
	// Capabilities reports what the reader path is known to support.
	Capabilities() Capabilities
	// Close disconnects from the card, leaving it in the reader.
	Close() error
}

// Capabilities describes what a reader path is known to accept.
type Capabilities struct {
	// ExtendedLength is true only when the reader is known to pass
	// extended-length APDUs (ISO/IEC 7816-4 §5.1). Unknown means false:
	// short APDUs are the safe default.
	ExtendedLength bool
}

// Sentinel errors that backends map their native failures to. Callers
// branch on them with errors.Is.
var (
	// ErrCardRemoved reports that the card left the reader (or was never
	// there) while it was being used.
	ErrCardRemoved = errors.New("card removed")
	// ErrCardReset reports that another application reset the card: any
	// security state (verified PINs, selected application) is lost.
	ErrCardReset = errors.New("card was reset")
	// ErrReaderUnavailable reports that the reader vanished or cannot be used.
	ErrReaderUnavailable = errors.New("reader unavailable")
	// ErrSharingViolation reports that another application holds the card
	// exclusively.
	ErrSharingViolation = errors.New("card in use by another application")
	// ErrNoReaders reports that no reader is connected.
	ErrNoReaders = errors.New("no smart-card readers found")
	// ErrNoCard reports that a reader holds no card.
	ErrNoCard = errors.New("no card in reader")
	// ErrNoService reports that the PC/SC service (pcscd) is not running.
	ErrNoService = errors.New("pc/sc service not running")
)

// EndResetter is implemented by the Transport a Card hands to a
// transaction when it can end that transaction by resetting the card
// (PC/SC: SCardEndTransaction with SCARD_RESET_CARD; in process: the card's
// Reset). A reset drops the card's security state (verified PINs) and its
// selected application; every other connection to the card sees
// ErrCardReset on its next command.
type EndResetter interface {
	// ResetOnEnd asks that the current transaction end with a card reset.
	ResetOnEnd()
}

// RequestReset asks t's transaction to end with a card reset and reports
// whether t can do so.
func RequestReset(t Transport) bool {
	if r, ok := t.(EndResetter); ok {
		r.ResetOnEnd()
		return true
	}
	return false
}
