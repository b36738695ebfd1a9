package virtual

import (
	"crypto/rsa"
	"fmt"
)

// CVCARole names one of the virtual card's three card-verifiable CA keys
// (cvca/README.md), by the part of the card whose certificate it signs.
// The keys are fixed test data committed with the package, never
// generated at start-up, so that a verifier can pin their public halves
// in its test trust set.
type CVCARole int

// The virtual card's CV CA keys.
const (
	// CVCAMF signs the MF-level chain (key 9000020).
	CVCAMF CVCARole = iota + 1
	// CVCASurface signs the surface application's EF 0004 (key 9000023).
	CVCASurface
	// CVCAText signs the text application's EF 0004 (key 9000033).
	CVCAText
)

// cvcaDigits are the 7-digit key names, the start of each key ID.
var cvcaDigits = map[CVCARole]string{CVCAMF: cvcaMFChain, CVCASurface: cvcaSurface, CVCAText: cvcaText}

// String is the key's 7-digit name.
func (r CVCARole) String() string {
	if n, ok := cvcaDigits[r]; ok {
		return n
	}
	return fmt.Sprintf("CVCARole(%d)", int(r))
}

// KeyID returns the role's 16-byte key ID (the layout of cvKeyID).
func (r CVCARole) KeyID() []byte {
	final := cvKeyIDFinalApp
	if r == CVCAMF {
		final = cvKeyIDFinalMFChain
	}
	id := cvKeyID(r.String(), final)
	return id[:]
}

// CVCAKey returns the private key of a virtual CV CA. Anything it signs is
// a test artefact; its public half belongs in a test trust set only.
func CVCAKey(r CVCARole) (*rsa.PrivateKey, error) {
	d, ok := cvcaDigits[r]
	if !ok {
		return nil, fmt.Errorf("virtual: no CV CA key for %v", r)
	}
	return cvcaKey(d)
}
