package card

import "github.com/mynacard/mynacard/reader"

// ExtendedMode says when READ BINARY may use extended-length APDUs
// (ISO/IEC 7816-4 §5.1).
type ExtendedMode int

const (
	// ExtendedAuto uses extended length when reader.Capabilities says the
	// reader passes it, and falls back to short APDUs for good (for this
	// JPKI value) when the reader or card refuses it: 6700, 6D00, a
	// refused parameter or a transport error other than a removed or reset
	// card.
	ExtendedAuto ExtendedMode = iota
	// ExtendedNever uses short APDUs only (256-byte chunks).
	ExtendedNever
	// ExtendedAlways uses extended length whatever the reader claims, and
	// reports a refusal as an error instead of falling back (for testing a
	// reader).
	ExtendedAlways
)

// String names the mode.
func (m ExtendedMode) String() string {
	switch m {
	case ExtendedAuto:
		return "auto"
	case ExtendedNever:
		return "never"
	case ExtendedAlways:
		return "always"
	}
	return "unknown"
}

// Options tune how the package talks to a card. The zero value is safe:
// extended length only where the reader is known to pass it, the last PIN
// try refused, no tracing.
type Options struct {
	// Extended chooses when extended-length READ BINARY is used.
	Extended ExtendedMode
	// AllowLastTry lets a VERIFY spend the last remaining try of a PIN.
	// Without it, an operation that finds one try left fails with
	// ErrLastTry before asking for the PIN.
	AllowLastTry bool
	// Trace, if set, sees every APDU exchanged, with the data of VERIFY and
	// CHANGE REFERENCE DATA redacted (reader.Traced). It runs synchronously
	// inside the card transaction.
	Trace func(reader.TraceEvent)
	// SpeculativeECDSA lets SchemeFor sign with ECDSA card keys through
	// SpeculativeECDSA, a guess at the next card's unpublished protocol.
	// Off by default: without it an ECDSA certificate is refused before
	// any PIN is asked (ErrUnsupportedKey).
	SpeculativeECDSA bool
	// RSAPSS lets PSSSchemeFor use the RSA card's PSS mode (SIGN P1 = 04
	// over a SHA-256 hash), which one source reports [one card]. Off by
	// default: RSA-PSS requests are refused before the card is touched.
	RSAPSS bool
}

// conn is one card and the state shared by the applications opened on it:
// the lock that serialises operations and what has been learnt about
// extended length.
type conn struct {
	// sem is a one-slot semaphore used as a mutex that a context can stop
	// waiting for.
	sem  chan struct{}
	card reader.Card
	opts Options
	// extendedRefused, guarded by sem, is set once the reader or card refused an extended
	// READ BINARY in ExtendedAuto mode.
	extendedRefused bool
}

func newConn(c reader.Card, opts Options) *conn {
	return &conn{sem: make(chan struct{}, 1), card: c, opts: opts}
}

// useExtended reports whether the next READ BINARY may be extended.
func (c *conn) useExtended() bool {
	switch c.opts.Extended {
	case ExtendedNever:
		return false
	case ExtendedAlways:
		return true
	}
	return !c.extendedRefused && c.card.Capabilities().ExtendedLength
}
