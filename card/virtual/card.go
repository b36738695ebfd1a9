// Package virtual is an in-process Individual Number Card (マイナンバーカード)
// that answers raw command APDUs as docs/card.md says the real card does:
// the JPKI, text (input support) and surface applications, their access
// rules and retry counters, READ BINARY, VERIFY, CHANGE REFERENCE DATA and
// the proprietary JPKI SIGN, plus planned faults for reliability tests.
//
// It owns the card's file layout and its command semantics. It does not
// own the meaning of what it stores: certificates are opaque bytes (the
// test PKI in jpki/jpkitest makes them), and decoding the text and surface
// records belongs to package card. It imports only apdu and the standard
// library, so it can sit behind reader.Loopback or a vpcd bridge alike.
package virtual

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"sync"
	"time"

	"github.com/mynacard/mynacard/apdu"
)

// Card is a virtual Individual Number Card. Its methods are safe for
// concurrent use; APDUs are processed one at a time, as a card does.
type Card struct {
	mu   sync.Mutex
	cfg  config
	apps []*application
	pins map[PINRef]*pinFile
	// The card-level CVC chain (GET DATA 00F8, 7F21), made on first use
	// from mfKeys (a nil key is the committed key of its role).
	mfKeys  [2]*rsa.PrivateKey
	mfChain [2][]byte

	// Volatile state, dropped by Reset (ISO/IEC 7816-4 §5.1.2 current
	// structures and §9.1 security status).
	cur      *application
	curEF    *file
	verified map[PINRef]bool
	pending  []byte // GET RESPONSE remainder (§5.3.4)
	pendSW   uint16
	hasPend  bool

	// Fault plan and bookkeeping.
	faults    []plannedFault
	seq       int // APDUs received since NewMyNumberCard (Reset keeps it)
	removed   bool
	removedCh chan struct{}
	stats     Stats
}

// Stats counts the traffic a card has seen since it was made or since
// ResetStats, for benchmarks and for tests that count APDUs.
type Stats struct {
	// APDUs is the number of command APDUs received, including those a
	// fault answered and GET RESPONSE.
	APDUs int
	// BytesIn is the total size of the command APDUs.
	BytesIn int64
	// BytesOut is the total size of the response APDUs, SW1 SW2 included.
	BytesOut int64
}

// Option adjusts a virtual card's behaviour where real cards differ or
// docs/card.md marks the card's answer unsure (see also variants.go).
type Option func(*config)

type config struct {
	atr                 []byte
	shortReadSW         uint16
	variants            variants
	emptyVerifyVerified bool
	noExtended          bool
	chainThreshold      int
	maxTries            map[PINRef]int
	faults              []Fault
	recordFault         RecordFault
	clonedChipKey       *rsa.PrivateKey   // WithClonedFiles
	ecSign, ecAuth      *ecdsa.PrivateKey // WithSpeculativeECDSAKeys
}

// WithATR sets the answer to reset (default DefaultATR).
func WithATR(atr []byte) Option {
	return func(c *config) { c.atr = append([]byte(nil), atr...) }
}

// WithEmptyVerifyReportsVerified emulates the card variants that answer
// the empty VERIFY with 9000 when the PIN is already verified in this
// session, instead of 63Cx (docs/card.md, "VERIFY").
func WithEmptyVerifyReportsVerified() Option {
	return func(c *config) { c.emptyVerifyVerified = true }
}

// WithoutExtendedLength makes the card answer 6700 to every
// extended-length APDU (ISO/IEC 7816-4 §5.1), as a short-only reader path
// effectively does, to exercise the host's fallback to short APDUs.
func WithoutExtendedLength() Option {
	return func(c *config) { c.noExtended = true }
}

// WithGetResponseChaining makes the card return at most threshold data
// bytes per response and the rest through 61xx and GET RESPONSE
// (ISO/IEC 7816-4 §5.3.4), as T=0 cards do, to exercise reader.Exchange.
// threshold must be 1–256; 0 turns chaining off.
func WithGetResponseChaining(threshold int) Option {
	return func(c *config) { c.chainThreshold = threshold }
}

// WithMaxTries sets the retry counter maximum of one PIN (1–15, what a
// 63Cx status can report). It exists for the 照合番号A/B, whose maximum
// docs/card.md marks unsure (MaxTriesCollation).
func WithMaxTries(pin PINRef, n int) Option {
	return func(c *config) {
		if c.maxTries == nil {
			c.maxTries = make(map[PINRef]int)
		}
		c.maxTries[pin] = n
	}
}

// WithFaults sets the initial fault plan (see Fault and SetFaults).
func WithFaults(f ...Fault) Option {
	return func(c *config) { c.faults = append([]Fault(nil), f...) }
}

// NewMyNumberCard lays contents out in the file structure of docs/card.md:
// the JPKI, text and surface applications, plus the residents' register
// (AIDResidents, empty) and common (AIDCommon) applications. Empty fields
// leave their EFs absent (6A82). It fails when a PIN or other field has a
// form the real card could not hold; the signing password is stored
// upper-cased.
func NewMyNumberCard(contents Contents, opts ...Option) (*Card, error) {
	cfg := config{atr: []byte(DefaultATR), shortReadSW: apdu.SWOK, variants: defaultVariants()}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.chainThreshold < 0 || cfg.chainThreshold > apdu.MaxShortNe {
		return nil, fmt.Errorf("virtual: chaining threshold %d outside 0-256", cfg.chainThreshold)
	}
	for ref, n := range cfg.maxTries {
		if n < 1 || n > 15 {
			return nil, fmt.Errorf("virtual: max tries %d for PIN %04X outside 1-15", n, uint16(ref))
		}
	}
	c := &Card{
		cfg:       cfg,
		pins:      make(map[PINRef]*pinFile),
		verified:  make(map[PINRef]bool),
		removedCh: make(chan struct{}),
	}
	if err := c.layout(&contents); err != nil {
		return nil, fmt.Errorf("laying out virtual card: %w", err)
	}
	c.mfKeys = [2]*rsa.PrivateKey{contents.MFChainKey, contents.MFCardKey}
	if err := c.layoutSpeculativeECDSA(); err != nil {
		return nil, fmt.Errorf("laying out virtual card: %w", err)
	}
	c.faults = plan(cfg.faults)
	return c, nil
}

// ATR returns the answer to reset.
func (c *Card) ATR() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.cfg.atr...)
}

// Transmit processes one command APDU and returns the response APDU (data
// and SW1 SW2). A nil answer means the card is gone: a FaultRemove fired.
// Any byte string is accepted; what does not parse is answered 6700.
func (c *Card) Transmit(capdu []byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.removed {
		return nil
	}
	c.seq++
	c.stats.APDUs++
	c.stats.BytesIn += int64(len(capdu))

	act := c.faultsFor(capdu)
	if act.delay > 0 {
		time.Sleep(act.delay)
	}
	if act.remove {
		c.removeLocked()
		return nil
	}
	var out []byte
	if act.status != nil {
		c.clearPending()
		out = swBytes(*act.status)
	} else {
		out = c.respond(capdu)
	}
	for _, f := range act.post {
		out = f.mangle(out)
	}
	c.stats.BytesOut += int64(len(out))
	return out
}

// Reset is a warm reset or power cycle (ISO/IEC 7816-3 §6.2): the
// selected application and EF, the security status and any pending
// GET RESPONSE data are dropped. Retry counters and PINs persist, as
// they do in the card's non-volatile memory. A removed card stays removed.
func (c *Card) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resetLocked()
}

func (c *Card) resetLocked() {
	c.cur, c.curEF = nil, nil
	clear(c.verified)
	c.clearPending()
}

// Stats returns the traffic counters.
func (c *Card) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// ResetStats sets the traffic counters to zero. Fault indexes (Fault.At)
// are not affected.
func (c *Card) ResetStats() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats = Stats{}
}

// TriesLeft returns the retry counter of pin without sending an APDU, or
// -1 if the card has no such PIN (its Contents field was empty).
func (c *Card) TriesLeft(pin PINRef) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pins[pin]
	if !ok {
		return -1
	}
	return p.tries
}

// Removed returns a channel closed when a FaultRemove fires, so that a
// bridge (such as reader/vpcd) can drop its connection, which pcscd sees
// as the card leaving the reader.
func (c *Card) Removed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.removedCh
}

// IsRemoved reports whether a FaultRemove has fired and the card has not
// been reinserted.
func (c *Card) IsRemoved() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.removed
}

// Reinsert puts a removed card back: it answers again, after a power
// cycle (see Reset). The fault plan is kept; spent faults stay spent.
func (c *Card) Reinsert() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.removed {
		return
	}
	c.removed = false
	c.removedCh = make(chan struct{})
	c.resetLocked()
}

func (c *Card) removeLocked() {
	if c.removed {
		return
	}
	c.removed = true
	close(c.removedCh)
	c.resetLocked()
}

func swBytes(sw uint16) []byte { return []byte{byte(sw >> 8), byte(sw)} }
