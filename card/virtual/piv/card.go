// Package piv is an in-process PIV token (NIST SP 800-73-4) with the
// YubiKey extensions that github.com/go-piv/piv-go/v2 relies on, for testing
// operator signatures (package operator) over the real PC/SC stack through
// reader/vpcd, or in-process.
//
// It answers what piv-go v2.6.0 sends to open a card and sign: SELECT of
// the PIV application by its truncated AID, the YubiKey GET VERSION (INS
// FD) and GET SERIAL (INS F8), GET METADATA (INS F7) for the slots and the
// PIN, GET DATA of the certificate objects (5FC105, 5FC10A, 5FC10B,
// 5FC101), VERIFY of the PIV PIN (key reference 80) with a retry counter
// and 63Cx, and GENERAL AUTHENTICATE (INS 87) signing with ECDSA P-256 or
// P-384 or raw RSA, honouring each slot's PIN policy. Long responses go out
// in 256-byte pieces with 61xx and GET RESPONSE, and chained commands
// (CLA 10) are collected, as a YubiKey does. Everything else — key
// generation, PUT DATA, management-key authentication, PUK, attestation —
// is answered with a status word (6D00, 6A81, 6A82...), never 9000.
// OpenSC's PIV driver, an independent client, also takes it for a PIV card
// and reads its certificates (TestOpenSCFidelity).
//
// The keys are given to the card (there is no on-card generation) and
// are not protected against timing: this is a test token. It imports only
// apdu and the standard library, like card/virtual.
package piv

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"sync"
)

// DefaultATR is a YubiKey 5 NFC's answer to reset: T=1 (which piv-go
// asks pcscd for) with "YubiKey" in the historical bytes.
const DefaultATR = "\x3B\xFD\x13\x00\x00\x81\x31\xFE\x15\x80\x73\xC0" +
	"\x21\xC0\x57\x59\x75\x62\x69\x4B\x65\x79\x40"

// DefaultPIN is the PIV PIN a new virtual card has: the YubiKey factory PIN.
const DefaultPIN = "123456"

// DefaultSerial is the serial number a new virtual card reports.
const DefaultSerial uint32 = 26_000_008

// DefaultVersion is the firmware version GET VERSION reports (major,
// minor, patch bytes): 5.7.2, at least 5.3.0, so piv-go learns PIN
// policies from GET METADATA and reads the serial with INS F8 inside the
// PIV application.
const DefaultVersion = "\x05\x07\x02"

// Errors NewCard returns for a bad configuration.
var (
	// ErrUnsupportedKey means a slot was given a key type or size the card
	// cannot sign with.
	ErrUnsupportedKey = errors.New("piv: unsupported key")
	// ErrBadPIN means the PIN is not 1–8 bytes or holds the pad byte FF.
	ErrBadPIN = errors.New("piv: bad PIN")
)

// Option configures a virtual card.
type Option func(*config) error

type config struct {
	atr     []byte
	pin     []byte
	tries   int
	serial  uint32
	version [3]byte
	slots   map[Slot]*slotKey
}

// slotKey is one slot's key, certificate and PIN policy.
type slotKey struct {
	signer crypto.Signer
	alg    byte
	cert   []byte
	policy PINPolicy
}

// WithKey puts key and its certificate (DER) in slot, used under policy.
// The key must be an *ecdsa.PrivateKey on P-256 or P-384 or an
// *rsa.PrivateKey of 1024, 2048, 3072 or 4096 bits. cert may be nil for a
// slot with a key but no certificate object.
func WithKey(slot Slot, key crypto.Signer, cert []byte, policy PINPolicy) Option {
	return func(c *config) error {
		if _, ok := slot.certObject(); !ok {
			return fmt.Errorf("%w: slot %s", ErrUnsupportedKey, slot)
		}
		alg, err := algorithmOf(key)
		if err != nil {
			return err
		}
		switch policy {
		case PINPolicyNever, PINPolicyOnce, PINPolicyAlways:
		default:
			return fmt.Errorf("%w: PIN policy %d", ErrUnsupportedKey, policy)
		}
		c.slots[slot] = &slotKey{signer: key, alg: alg, cert: append([]byte(nil), cert...), policy: policy}
		return nil
	}
}

// WithPIN sets the PIV PIN (default DefaultPIN): 1–8 bytes, none of them FF.
func WithPIN(pin []byte) Option {
	return func(c *config) error {
		if len(pin) == 0 || len(pin) > pivPINLength || containsByte(pin, pinPadByte) {
			return ErrBadPIN
		}
		c.pin = padPIN(pin)
		return nil
	}
}

// WithPINTries sets the PIN retry counter's maximum (1–15, default 3).
func WithPINTries(n int) Option {
	return func(c *config) error {
		if n < 1 || n > maxReportableTries {
			return fmt.Errorf("piv: PIN tries %d outside 1–%d", n, maxReportableTries)
		}
		c.tries = n
		return nil
	}
}

// WithSerial sets the serial number GET SERIAL reports.
func WithSerial(serial uint32) Option {
	return func(c *config) error { c.serial = serial; return nil }
}

// WithATR sets the answer to reset (default DefaultATR).
func WithATR(atr []byte) Option {
	return func(c *config) error { c.atr = append([]byte(nil), atr...); return nil }
}

// Card is a virtual PIV token. Its methods are safe for concurrent use;
// APDUs are processed one at a time, as a card does.
type Card struct {
	mu  sync.Mutex
	cfg config

	// Non-volatile state.
	triesLeft int

	// Volatile state, dropped by Reset (ISO/IEC 7816-4 §9.1 security
	// status).
	selected    bool
	pinVerified bool
	pinFresh    bool   // a VERIFY since the last signature (PIN Always)
	chained     []byte // data of a command chain so far (CLA 10)
	chainedHdr  [4]byte
	pending     []byte // response bytes not yet fetched by GET RESPONSE
}

// NewCard returns a virtual PIV token with the given keys and settings.
// Without WithKey it holds no keys.
func NewCard(opts ...Option) (*Card, error) {
	cfg := config{
		atr:     []byte(DefaultATR),
		pin:     padPIN([]byte(DefaultPIN)),
		tries:   defaultPINTries,
		serial:  DefaultSerial,
		version: [3]byte([]byte(DefaultVersion)),
		slots:   make(map[Slot]*slotKey),
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("making virtual PIV card: %w", err)
		}
	}
	return &Card{cfg: cfg, triesLeft: cfg.tries}, nil
}

// ATR returns the answer to reset.
func (c *Card) ATR() []byte {
	return append([]byte(nil), c.cfg.atr...)
}

// Reset drops the volatile state, as a power cycle or warm reset does: the
// PIV application is no longer selected and the PIN no longer verified.
// The retry counter is kept.
func (c *Card) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.selected, c.pinVerified, c.pinFresh = false, false, false
	c.chained, c.pending = nil, nil
}

// PINTriesLeft returns the PIN retry counter.
func (c *Card) PINTriesLeft() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.triesLeft
}

// Transmit answers one command APDU. It never returns nil: the virtual
// token does not remove itself.
func (c *Card) Transmit(capdu []byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.transmit(capdu).Bytes()
}

func algorithmOf(key crypto.Signer) (byte, error) {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return algECCP256, nil
		case elliptic.P384():
			return algECCP384, nil
		}
	case *rsa.PrivateKey:
		switch k.N.BitLen() {
		case 1024:
			return algRSA1024, nil
		case 2048:
			return algRSA2048, nil
		case 3072:
			return algRSA3072, nil
		case 4096:
			return algRSA4096, nil
		}
	}
	return 0, fmt.Errorf("%w: %T", ErrUnsupportedKey, key)
}

func padPIN(pin []byte) []byte {
	p := make([]byte, pivPINLength)
	for i := range p {
		p[i] = pinPadByte
	}
	copy(p, pin)
	return p
}

func containsByte(b []byte, x byte) bool {
	for _, v := range b {
		if v == x {
			return true
		}
	}
	return false
}

// pinMatches compares a padded PIN in constant time.
func (c *Card) pinMatches(padded []byte) bool {
	return subtle.ConstantTimeCompare(padded, c.cfg.pin) == 1
}
