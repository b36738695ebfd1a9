// Package jpkioid holds the object identifiers of the JPKI certificate
// profiles (docs/certificates.md "Certificates"): the certificate
// policies and the signing certificate's subjectAltName otherNames. The
// certificate code that reads them and the test PKI that writes them both
// use these, so the two cannot drift apart.
package jpkioid

import "encoding/asn1"

// Certificate policies. The test ones are accepted only under a test root.
var (
	// PolicySign is the production signing-certificate policy
	// 1.2.392.200149.8.5.1.1.20.
	PolicySign = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 1, 1, 20}
	// PolicyAuth is the production authentication-certificate policy
	// 1.2.392.200149.8.5.1.3.30. docs/certificates.md marks it *unsure*.
	PolicyAuth = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 1, 3, 30}
	// PolicySignTest is the signing policy reported for J-LIS test cards,
	// 1.2.392.200149.8.5.1.0.20. docs/certificates.md marks it *unsure*.
	PolicySignTest = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 1, 0, 20}
	// PolicyAuthTest is a guess at the authentication policy of J-LIS test
	// cards, 1.2.392.200149.8.5.1.0.30, by analogy with PolicySignTest. No
	// source states it.
	PolicyAuthTest = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 1, 0, 30}
)

// The signing certificate's subjectAltName otherName entries.
var (
	// Name is the holder's name, family and given name separated by
	// U+3000.
	Name = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 1}
	// NameSubstitutes flags the name's substitute characters (代替文字),
	// one '0' or '1' per character.
	NameSubstitutes = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 2}
	// Sex is the sex code: 1 male, 2 female, 3 unknown.
	Sex = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 3}
	// BirthDate is the birth date EYYYYMMDD: E the era code, then the
	// Gregorian date.
	BirthDate = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 4}
	// Address is the address, from the prefecture on.
	Address = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 5}
	// AddressSubstitutes flags the address's substitute characters.
	AddressSubstitutes = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 6}
)
