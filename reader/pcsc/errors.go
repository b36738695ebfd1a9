package pcsc

import (
	"errors"
	"fmt"

	"github.com/ebfe/scard"

	"github.com/mynacard/mynacard/reader"
)

// sentinelFor returns the reader sentinel that a PC/SC return code means,
// or nil when none fits. The mapping follows what pcsc-lite reports on
// Linux (see ../shared/PCSC-TESTING.md):
//
//   - SCARD_W_REMOVED_CARD, and SCARD_E_NOT_TRANSACTED as returned by a
//     transmission in the moment after the card left but before pcscd's
//     presence poll saw it, and SCARD_E_NO_SMARTCARD: the card is gone.
//   - SCARD_W_RESET_CARD: another handle reset the card (Reconnect, then
//     SELECT again).
//   - SCARD_E_READER_UNAVAILABLE, SCARD_E_UNKNOWN_READER: the reader
//     vanished.
func sentinelFor(code scard.Error) error {
	switch code {
	case scard.ErrRemovedCard, scard.ErrNotTransacted, scard.ErrNoSmartcard:
		return reader.ErrCardRemoved
	case scard.ErrResetCard:
		return reader.ErrCardReset
	case scard.ErrReaderUnavailable, scard.ErrUnknownReader:
		return reader.ErrReaderUnavailable
	case scard.ErrSharingViolation:
		return reader.ErrSharingViolation
	case scard.ErrNoService, scard.ErrServiceStopped:
		return reader.ErrNoService
	case scard.ErrNoReadersAvailable:
		return reader.ErrNoReaders
	}
	return nil
}

// wrap adds context ("verb-ing thing") to a PC/SC error, and the reader
// sentinel it means, so that errors.Is(err, reader.ErrCardRemoved) works
// and the native code stays visible in the message (and to errors.As with
// scard.Error inside this package).
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var code scard.Error
	if errors.As(err, &code) {
		if s := sentinelFor(code); s != nil {
			return fmt.Errorf("%s: %w (%w)", op, s, err)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}
