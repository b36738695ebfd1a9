package jpki

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/jpkioid"
)

// oidExtSubjectAltName is the subjectAltName extension (RFC 5280 §4.2.1.6).
var oidExtSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// Certificate is a JPKI end-entity certificate: the parsed X.509
// certificate, its kind, and for a signing certificate the holder's
// attributes.
type Certificate struct {
	*x509.Certificate
	// Kind is decided from the profile (key usage and policy), never from
	// the file the certificate was read from.
	Kind card.KeyKind
	// Attributes are the holder's name, sex, birth date and address from a
	// signing certificate's subjectAltName; nil for authentication
	// certificates and for certificates without JPKI entries.
	Attributes *card.Attributes
}

// Parse parses a DER certificate, decides its kind from its profile and,
// for a signing certificate, parses the holder's attributes. A malformed
// subjectAltName is an error (wrapping ErrMalformedAttributes). Parse does
// not verify anything: use [Verify].
func Parse(der []byte) (*Certificate, error) {
	xc, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing certificate: %w: %w", ErrMalformedCertificate, err)
	}
	return FromX509(xc)
}

// ErrMalformedCertificate reports bytes that are not a DER X.509
// certificate (for example a corrupted or substituted EF read off a card).
var ErrMalformedCertificate = errors.New("jpki: malformed certificate")

// FromX509 is [Parse] for a certificate crypto/x509 already parsed.
func FromX509(xc *x509.Certificate) (*Certificate, error) {
	c := &Certificate{Certificate: xc, Kind: kindOf(xc)}
	if c.Kind != card.SignKey {
		return c, nil
	}
	for _, ext := range xc.Extensions {
		if !ext.Id.Equal(oidExtSubjectAltName) {
			continue
		}
		a, err := ParseAttributes(ext.Value)
		if err != nil {
			return nil, fmt.Errorf("parsing certificate %s attributes: %w", xc.SerialNumber, err)
		}
		c.Attributes = a
	}
	return c, nil
}

// kindOf decides a certificate's kind. A JPKI policy, when present,
// decides (Verify then checks that the key usage fits it); a certificate
// asserting both kinds' policies has no kind (0). Without one, the key usage
// decides: nonRepudiation means signing, digitalSignature without it
// authentication. CA certificates have none.
func kindOf(xc *x509.Certificate) card.KeyKind {
	if xc.IsCA {
		return 0
	}
	var byPolicy card.KeyKind
	for _, p := range policies(xc) {
		var k card.KeyKind
		switch {
		case p.Equal(jpkioid.PolicySign), p.Equal(jpkioid.PolicySignTest):
			k = card.SignKey
		case p.Equal(jpkioid.PolicyAuth), p.Equal(jpkioid.PolicyAuthTest):
			k = card.AuthKey
		default:
			continue
		}
		if byPolicy != 0 && byPolicy != k {
			return 0 // both kinds' policies
		}
		byPolicy = k
	}
	if byPolicy != 0 {
		return byPolicy
	}
	switch {
	case xc.KeyUsage&x509.KeyUsageContentCommitment != 0:
		return card.SignKey
	case xc.KeyUsage&x509.KeyUsageDigitalSignature != 0:
		return card.AuthKey
	}
	return 0
}

// policies returns the certificate's policy OIDs as asn1 identifiers
// (x509.Certificate.PolicyIdentifiers, which crypto/x509 fills when every
// OID fits).
func policies(xc *x509.Certificate) []asn1.ObjectIdentifier { return xc.PolicyIdentifiers }

// hasPolicy reports whether xc asserts policy p.
func hasPolicy(xc *x509.Certificate, p asn1.ObjectIdentifier) bool {
	for _, q := range policies(xc) {
		if q.Equal(p) {
			return true
		}
	}
	return false
}
