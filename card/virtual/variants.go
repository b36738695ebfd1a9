package virtual

import "github.com/mynacard/mynacard/apdu"

// The options below choose the virtual card's answer where docs/card.md
// marks the card's behaviour *unsure* or seen on one card only. Each
// default is the configuration the real-card evidence supports; the other
// values exist so that tests can run the host against every plausible
// card.

// EndOfFileAnswer is how the card answers a READ BINARY whose offset is
// inside the EF but whose Le runs past its end (docs/card.md, "READ
// BINARY").
type EndOfFileAnswer int

const (
	// EndOfFileShort answers 9000 with the bytes that remain: what a real
	// card does [card]. The default.
	EndOfFileShort EndOfFileAnswer = iota
	// EndOfFileWarning answers 6282 ("end of file reached before reading
	// Ne bytes", ISO/IEC 7816-4 §5.6 table 5) with the bytes that remain.
	EndOfFileWarning
	// EndOfFileWrongLe answers 6Cxx with no data, xx the bytes that
	// remain (00 for 256 or more): "resend with Le = xx" (§5.6 table 6).
	EndOfFileWrongLe
	// EndOfFileRefused answers 6B00 with no data, as for an offset past
	// the end.
	EndOfFileRefused
	// endOfFileStatus answers config.shortReadSW with no data
	// (WithShortReadStatus with a status word that is none of the above).
	endOfFileStatus
)

// DefaultEndOfFile is the virtual card's end-of-file answer unless
// WithEndOfFile picks another.
const DefaultEndOfFile = EndOfFileShort

// String names the answer for test output.
func (a EndOfFileAnswer) String() string {
	switch a {
	case EndOfFileShort:
		return "9000 short"
	case EndOfFileWarning:
		return "6282"
	case EndOfFileWrongLe:
		return "6Cxx"
	case EndOfFileRefused:
		return "6B00"
	}
	return "status"
}

// EndOfFileAnswers lists every end-of-file answer, default first.
var EndOfFileAnswers = []EndOfFileAnswer{EndOfFileShort, EndOfFileWarning, EndOfFileWrongLe, EndOfFileRefused}

// WithEndOfFile sets the end-of-file answer (default DefaultEndOfFile).
func WithEndOfFile(a EndOfFileAnswer) Option {
	return func(c *config) { c.variants.endOfFile = a }
}

// WithShortReadStatus sets the end-of-file answer by its status word:
// 9000, 6282 and 6B00 pick EndOfFileShort, EndOfFileWarning and
// EndOfFileRefused; any other word is answered as it is, with no data
// (6700, for example, emulates a card that calls a long Le a wrong
// length). It also sets the status of a READ RECORD cut short by Le.
func WithShortReadStatus(sw uint16) Option {
	return func(c *config) {
		c.shortReadSW = sw
		switch sw {
		case apdu.SWOK:
			c.variants.endOfFile = EndOfFileShort
		case apdu.SWEndOfFileWarning:
			c.variants.endOfFile = EndOfFileWarning
		case apdu.SWWrongParametersP1P2:
			c.variants.endOfFile = EndOfFileRefused
		default:
			c.variants.endOfFile = endOfFileStatus
		}
	}
}

// endOfFile answers a READ BINARY at off for ne bytes of data that runs
// past the end of data (off < len(data)).
func (c *Card) endOfFile(data []byte, off, ne int) apdu.Response {
	rest := data[off:]
	switch c.cfg.variants.endOfFile {
	case EndOfFileWarning:
		return apdu.Response{Data: rest, SW: apdu.SWEndOfFileWarning}
	case EndOfFileWrongLe:
		return status(swWrongLe | uint16(min(len(rest), apdu.MaxShortNe)&0xFF))
	case EndOfFileRefused:
		return status(swPastEndOfFile)
	case endOfFileStatus:
		return status(c.cfg.shortReadSW)
	}
	return apdu.Response{Data: rest, SW: apdu.SWOK}
}

// BlockedQueryAnswer is the card's answer to the empty VERIFY (the retry
// counter query) on a blocked PIN (docs/card.md, "VERIFY").
type BlockedQueryAnswer uint16

const (
	// BlockedQueryNoTries answers 63C0, "no tries left": seen on one card
	// [one card]. The default.
	BlockedQueryNoTries BlockedQueryAnswer = 0x63C0
	// BlockedQueryBlocked answers 6984, as every VERIFY with data does
	// once the PIN is blocked.
	BlockedQueryBlocked BlockedQueryAnswer = 0x6984
)

// DefaultBlockedQuery is the virtual card's answer to the empty VERIFY on
// a blocked PIN unless WithBlockedQuery picks another.
const DefaultBlockedQuery = BlockedQueryNoTries

// BlockedQueryAnswers lists every blocked-query answer, default first.
var BlockedQueryAnswers = []BlockedQueryAnswer{BlockedQueryNoTries, BlockedQueryBlocked}

// WithBlockedQuery sets the answer to the empty VERIFY on a blocked PIN.
func WithBlockedQuery(a BlockedQueryAnswer) Option {
	return func(c *config) { c.variants.blockedQuery = a }
}

// WithTriesQuery answers the empty VERIFY (the retry counter query) on
// pin with sw alone, spending nothing, as a card that does not tell that
// PIN's tries would: whether the surface application's birth-date key
// answers the query at all is unsure (docs/card-apps.md). A VERIFY with
// data is answered as usual.
func WithTriesQuery(pin PINRef, sw uint16) Option {
	return func(c *config) {
		if c.variants.triesQuery == nil {
			c.variants.triesQuery = make(map[PINRef]uint16)
		}
		c.variants.triesQuery[pin] = sw
	}
}

// EF 0008 (docs/card.md, "EF 0008"): three bytes, the signing
// certificate's, the authentication certificate's and one of unknown
// meaning; 8F 8F 00 on a card holding both certificates [one card].
const (
	// PresencePresent is the EF 0008 byte of a certificate the card holds.
	PresencePresent byte = 0x8F
	// DefaultPresenceAbsent is the byte the virtual card writes for a
	// certificate it does not hold. No card without a certificate has been
	// seen: 00 is a guess, and WithPresenceAbsent tries the others.
	DefaultPresenceAbsent byte = 0x00
	// presenceThird is EF 0008's third byte, meaning unknown.
	presenceThird byte = 0x00
)

// PresenceAbsentValues lists the plausible EF 0008 bytes for an absent
// certificate: cleared, erased, the low nibble alone, and the high bit
// alone.
var PresenceAbsentValues = []byte{DefaultPresenceAbsent, 0xFF, 0x0F, 0x80}

// WithPresenceAbsent sets the EF 0008 byte written for an absent
// certificate (default DefaultPresenceAbsent).
func WithPresenceAbsent(b byte) Option {
	return func(c *config) { c.variants.presenceAbsent = b }
}

// WithPresenceFile replaces EF 0008 with b (nil removes the EF), to test
// hosts against forms no card is known to hold.
func WithPresenceFile(b []byte) Option {
	return func(c *config) {
		c.variants.presenceBytes = append([]byte{}, b...)
		c.variants.presenceRemoved = b == nil
	}
}

// EncodePresence returns EF 0008 for ct: PresencePresent or absent for
// the signing and the authentication certificate, then presenceThird.
func EncodePresence(ct *Contents, absent byte) []byte {
	byteFor := func(cert []byte) byte {
		if len(cert) > 0 {
			return PresencePresent
		}
		return absent
	}
	return []byte{byteFor(ct.SignCert), byteFor(ct.AuthCert), presenceThird}
}

// presenceFile is EF 0008 as the options make it (nil: no EF).
func (v *variants) presenceFile(ct *Contents) []byte {
	switch {
	case v.presenceRemoved:
		return nil
	case v.presenceBytes != nil:
		return v.presenceBytes
	}
	return EncodePresence(ct, v.presenceAbsent)
}

// ATRs (docs/card.md, "ATR"): never identify the card by them.
const (
	// ATR2024 is the contact ATR of a card issued in 2024, which OpenSC had
	// to learn; WithATR(ATR2024) emulates one.
	ATR2024 = "\x3B\xDA\x13\xFF\x81\x31\xFB\x46\x80\x12\x39\x2F\x31\xC1\x73\xC6\x01\xC0\x3B"
)

// variants holds the choices above.
type variants struct {
	endOfFile       EndOfFileAnswer
	blockedQuery    BlockedQueryAnswer
	presenceAbsent  byte
	presenceBytes   []byte
	presenceRemoved bool
	triesQuery      map[PINRef]uint16 // WithTriesQuery
}

func defaultVariants() variants {
	return variants{endOfFile: DefaultEndOfFile, blockedQuery: DefaultBlockedQuery, presenceAbsent: DefaultPresenceAbsent}
}
