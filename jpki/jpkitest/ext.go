package jpkitest

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Extension identifiers (RFC 5280 §4.2.1.6, §4.2.1.13).
var (
	oidExtSubjectAltName        = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidExtCRLDistributionPoints = asn1.ObjectIdentifier{2, 5, 29, 31}
)

// generalNameOtherName and generalNameDirectoryName are the context tags
// of GeneralName (RFC 5280 §4.2.1.6): otherName [0] IMPLICIT OtherName,
// directoryName [4] EXPLICIT Name (explicit because Name is a CHOICE).
const (
	generalNameOtherName     = 0
	generalNameDirectoryName = 4
	// otherNameValue is OtherName's value [0] EXPLICIT ANY.
	otherNameValue = 0
	// distributionPointName is DistributionPoint's [0] field, and
	// distributionPointFullName is DistributionPointName's fullName [0]
	// (RFC 5280 §4.2.1.13).
	distributionPointName     = 0
	distributionPointFullName = 0
)

// sanEntry is one otherName of the subjectAltName.
type sanEntry struct {
	oid   asn1.ObjectIdentifier
	value string
}

// marshalSAN builds the subjectAltName extension value
// GeneralNames ::= SEQUENCE OF GeneralName with one otherName
// [0] { type-id OID, value [0] EXPLICIT UTF8String } per entry, or an
// OCTET STRING holding the UTF-8 bytes when octet is set. crypto/x509
// would drop otherName entries, so the DER is built here.
func marshalSAN(entries []sanEntry, octet bool) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, e := range entries {
			b.AddASN1(cbasn1.Tag(generalNameOtherName).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(e.oid)
				b.AddASN1(cbasn1.Tag(otherNameValue).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					if octet {
						b.AddASN1OctetString([]byte(e.value))
						return
					}
					b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(e.value)) })
				})
			})
		}
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("building subjectAltName: %w", err)
	}
	return der, nil
}

// marshalCRLDP builds the cRLDistributionPoints extension value with one
// DistributionPoint whose fullName is a single directoryName:
// SEQUENCE { SEQUENCE { [0] { [0] { [4] { Name } } } } }.
func marshalCRLDP(name pkix.RDNSequence) ([]byte, error) {
	nameDER, err := asn1.Marshal(name)
	if err != nil {
		return nil, fmt.Errorf("encoding CRL distribution point name: %w", err)
	}
	ctx := func(tag uint8) cbasn1.Tag { return cbasn1.Tag(tag).ContextSpecific().Constructed() }
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(ctx(distributionPointName), func(b *cryptobyte.Builder) {
				b.AddASN1(ctx(distributionPointFullName), func(b *cryptobyte.Builder) {
					b.AddASN1(ctx(generalNameDirectoryName), func(b *cryptobyte.Builder) {
						b.AddBytes(nameDER)
					})
				})
			})
		})
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("building CRL distribution points: %w", err)
	}
	return der, nil
}
