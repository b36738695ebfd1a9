package card

import (
	"bytes"
	"crypto/rsa"
	"encoding/hex"
	"fmt"

	"github.com/mynacard/mynacard/apdu"
)

// Card-verifiable certificates (docs/card-apps.md, "Card-verifiable
// certificates"): 7F21 { 5F4E { issuer key ID (16) ‖ subject key ID (16)
// ‖ 90 exponent ‖ 91 modulus }, 5F37 signature }. The signature is RSA
// PKCS#1 v1.5 with SHA-256 over the 5F4E value alone (297 bytes for an
// RSA-2048 key), without its tag and length [card].
const (
	keyIDLen = 16
	// keyIDNameLen is the 7 ASCII digits a key ID starts with, the key's
	// name ("5000033"); then 08 05, three ASCII digits, 00 00 00 and one
	// byte [card].
	keyIDNameLen = 7
	// cvcSignedPart names what the 5F37 signature covers.
	cvcSignedPart = "the 5F4E value (no tag, no length), PKCS#1 v1.5 SHA-256"
)

// KeyID is the 16-byte identifier by which a card-verifiable certificate
// names its issuer (証明者鍵ID) and its subject.
type KeyID [keyIDLen]byte

// Name returns the 7 ASCII digits a CA key ID starts with ("5000033"), or
// "" when the ID does not start with 7 digits.
func (k KeyID) Name() string {
	if !allDigits(k[:keyIDNameLen]) {
		return ""
	}
	return string(k[:keyIDNameLen])
}

// String is the name and the whole ID in hex.
func (k KeyID) String() string {
	h := hex.EncodeToString(k[:])
	if n := k.Name(); n != "" {
		return n + " (" + h + ")"
	}
	return h
}

// CVC is a card-verifiable certificate: EF 0004 of the text or surface
// application, or one of the MF-level chain's. It keeps the exact bytes
// its signature covers (Body) next to the parsed fields, so that
// verification cannot drift from parsing.
type CVC struct {
	IssuerKeyID, SubjectKeyID KeyID
	// PublicKey is the certified key (90 exponent, 91 modulus).
	PublicKey *rsa.PublicKey
	// Body is the 5F4E value, what Signature covers.
	Body []byte
	// BodyTLV is the whole 5F4E data object (tag, length, value). It is
	// not what the card signs; it is kept to tell a certificate signed
	// over it from a forged one.
	BodyTLV   []byte
	Signature []byte
	// Raw is the certificate as read, without trailing filler.
	Raw []byte
}

// ParseCVC parses a card-verifiable certificate: the 7F21 data object
// (EF 0004) or, when b starts with 5F4E, the contents of its template
// (as GET DATA answers them). Trailing bytes after the object are
// ignored. Errors wrap ErrMalformedRecord or apdu.ErrMalformedTLV.
func ParseCVC(b []byte) (*CVC, error) {
	fail := func(err error) (*CVC, error) { return nil, fmt.Errorf("parsing card-verifiable certificate: %w", err) }
	inner := b
	raw := b
	first, rest, err := apdu.ReadTLV(b)
	if err != nil {
		return fail(err)
	}
	switch first.Tag {
	case tagCVC:
		inner, raw = first.Value, b[:len(b)-len(rest)]
	case tagCVCBody:
	default:
		return fail(fmt.Errorf("%w: tag %X, want %X", ErrMalformedRecord, first.Tag, tagCVC))
	}
	body, afterBody, err := apdu.ReadTLV(inner)
	if err != nil {
		return fail(err)
	}
	if body.Tag != tagCVCBody {
		return fail(fmt.Errorf("%w: first tag %X, want %X", ErrMalformedRecord, body.Tag, tagCVCBody))
	}
	sig, afterSig, err := apdu.ReadTLV(afterBody)
	if err != nil {
		return fail(err)
	}
	if sig.Tag != tagCVCSignature || len(sig.Value) == 0 {
		return fail(fmt.Errorf("%w: tag %X, want %X", ErrMalformedRecord, sig.Tag, tagCVCSignature))
	}
	if first.Tag == tagCVCBody {
		raw = b[:len(b)-len(afterSig)]
	}
	if len(body.Value) < 2*keyIDLen {
		return fail(fmt.Errorf("%w: body of %d bytes has no key IDs", ErrMalformedRecord, len(body.Value)))
	}
	pub, err := parseRSAKey(body.Value[2*keyIDLen:])
	if err != nil {
		return fail(err)
	}
	c := &CVC{
		PublicKey: pub,
		Body:      bytes.Clone(body.Value),
		BodyTLV:   bytes.Clone(inner[:len(inner)-len(afterBody)]),
		Signature: bytes.Clone(sig.Value),
		Raw:       bytes.Clone(raw),
	}
	copy(c.IssuerKeyID[:], body.Value[:keyIDLen])
	copy(c.SubjectKeyID[:], body.Value[keyIDLen:2*keyIDLen])
	return c, nil
}
