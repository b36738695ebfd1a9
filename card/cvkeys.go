package card

import (
	"crypto/rsa"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"errors"
	"fmt"
	"sort"
)

// The card-verifiable CA public keys (docs/card-apps.md, "Pinned CV CA
// keys"). A card-verifiable certificate names its issuer by key ID only
// and does not carry the issuer's key, so the verifier must hold it: these
// are the keys in circulation, published data shipped with the library.
//
//go:embed cvkeys/*.pem
var cvKeyFiles embed.FS

// CVUse is what a CV CA key certifies.
type CVUse int

// CV CA key uses.
const (
	// CVUseMF: the MF-level chain (GET DATA 00F8 / 7F21).
	CVUseMF CVUse = iota + 1
	// CVUseSurface: the surface application's EF 0004 (券面事項確認AP).
	CVUseSurface
	// CVUseText: the text application's EF 0004 (券面事項入力補助AP).
	CVUseText
)

// String names the use.
func (u CVUse) String() string {
	switch u {
	case CVUseMF:
		return "MF-level chain"
	case CVUseSurface:
		return "surface application"
	case CVUseText:
		return "text application"
	}
	return fmt.Sprintf("CVUse(%d)", int(u))
}

// CVSource says where a CV CA key comes from, and so whether it may ever
// satisfy a production check.
type CVSource int

// CV CA key sources.
const (
	// CVSourceJLIS is a J-LIS production key. Carried by one public
	// source; no production signature has been checked against these
	// keys here, so a failure against one reads "CA key unknown or
	// mismatched" (CVReasonCAKeyMismatch), never a forgery.
	CVSourceJLIS CVSource = iota + 1
	// CVSourceJLISTest is a key of J-LIS's test hierarchy (test cards).
	CVSourceJLISTest
	// CVSourceVirtual is a key of this project's virtual card
	// (card/virtual/cvca).
	CVSourceVirtual
)

// String names the source.
func (s CVSource) String() string {
	switch s {
	case CVSourceJLIS:
		return "J-LIS"
	case CVSourceJLISTest:
		return "J-LIS test hierarchy"
	case CVSourceVirtual:
		return "virtual card"
	}
	return fmt.Sprintf("CVSource(%d)", int(s))
}

// CVCAKey is a pinned card-verifiable CA public key.
type CVCAKey struct {
	ID        KeyID
	Use       CVUse
	Source    CVSource
	PublicKey *rsa.PublicKey
}

// Name is the key's 7-digit name ("5000033").
func (k *CVCAKey) Name() string { return k.ID.Name() }

// Test reports whether the key belongs to a test hierarchy: it never
// satisfies a production check.
func (k *CVCAKey) Test() bool { return k.Source != CVSourceJLIS }

// cvKeyTable lists the pinned keys: adding one is one line and one PEM
// file in cvkeys/. Key IDs follow the layout of keyIDNameLen: the name,
// 08 05 "001" 00 00 00, and A8 for the MF-level chain keys, 00 otherwise.
var cvKeyTable = [...]struct {
	name  string
	final byte
	use   CVUse
	src   CVSource
}{
	{"5000020", 0xA8, CVUseMF, CVSourceJLIS},
	{"5000023", 0x00, CVUseSurface, CVSourceJLIS},
	{"5000033", 0x00, CVUseText, CVSourceJLIS},
	{"6000020", 0xA8, CVUseMF, CVSourceJLISTest},
	{"6000023", 0x00, CVUseSurface, CVSourceJLISTest},
	{"6000033", 0x00, CVUseText, CVSourceJLISTest},
	{"9000020", 0xA8, CVUseMF, CVSourceVirtual},
	{"9000023", 0x00, CVUseSurface, CVSourceVirtual},
	{"9000033", 0x00, CVUseText, CVSourceVirtual},
}

// cvKeyIDMiddle is the part of a CA key ID between its name and its last
// byte.
const cvKeyIDMiddle = "\x08\x05001\x00\x00\x00"

// PinnedCVCAKeys returns every pinned CV CA key, production and test,
// in the table's order. Use NewCVCAKeys to verify: this list is for
// display and tests.
func PinnedCVCAKeys() ([]*CVCAKey, error) {
	out := make([]*CVCAKey, 0, len(cvKeyTable))
	for _, e := range cvKeyTable {
		b, err := cvKeyFiles.ReadFile("cvkeys/cv-ca-" + e.name + ".pem")
		if err != nil {
			return nil, fmt.Errorf("reading CV CA key %s: %w", e.name, err)
		}
		pub, err := ParseCVCAKeyPEM(b)
		if err != nil {
			return nil, fmt.Errorf("reading CV CA key %s: %w", e.name, err)
		}
		k := &CVCAKey{Use: e.use, Source: e.src, PublicKey: pub}
		copy(k.ID[:], e.name+cvKeyIDMiddle)
		k.ID[keyIDLen-1] = e.final
		out = append(out, k)
	}
	return out, nil
}

// ParseCVCAKeyPEM parses a CV CA public key file: one PEM "PUBLIC KEY"
// block (PKIX) holding an RSA-2048 key.
func ParseCVCAKeyPEM(b []byte) (*rsa.PublicKey, error) {
	blk, rest := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, errors.New("no PEM PUBLIC KEY block")
	}
	if blk, _ := pem.Decode(rest); blk != nil {
		return nil, errors.New("more than one PEM block")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	pub, ok := k.(*rsa.PublicKey)
	if !ok || pub.N.BitLen() != 2048 {
		return nil, errors.New("not an RSA-2048 public key")
	}
	return pub, nil
}

// CVCAKeys is the set of CV CA keys a verification trusts. Built by
// NewCVCAKeys it holds the J-LIS production keys only; WithTestCVCAKeys
// adds the test keys, whose results say Test. A test key's ID under a
// production set is refused with CVReasonTestKey, never accepted.
type CVCAKeys struct {
	keys      map[KeyID]*CVCAKey
	known     map[KeyID]*CVCAKey // every pinned key, to name refusals
	allowTest bool
}

// CVCAKeysOption adjusts NewCVCAKeys.
type CVCAKeysOption func(*CVCAKeys)

// WithTestCVCAKeys trusts the test keys too: J-LIS's test hierarchy
// (6000020, 6000023, 6000033) and the virtual card's (9000020, 9000023,
// 9000033). Results verified by them report Test.
func WithTestCVCAKeys() CVCAKeysOption {
	return func(s *CVCAKeys) { s.allowTest = true }
}

// NewCVCAKeys returns the pinned production keys, and the test keys with
// WithTestCVCAKeys.
func NewCVCAKeys(opts ...CVCAKeysOption) (*CVCAKeys, error) {
	all, err := PinnedCVCAKeys()
	if err != nil {
		return nil, err
	}
	s := &CVCAKeys{keys: map[KeyID]*CVCAKey{}, known: map[KeyID]*CVCAKey{}}
	for _, o := range opts {
		o(s)
	}
	for _, k := range all {
		s.known[k.ID] = k
		if !k.Test() || s.allowTest {
			s.keys[k.ID] = k
		}
	}
	return s, nil
}

// TestKeys reports whether the set trusts test keys.
func (s *CVCAKeys) TestKeys() bool { return s.allowTest }

// List returns the trusted keys, production first, by name.
func (s *CVCAKeys) List() []*CVCAKey {
	out := make([]*CVCAKey, 0, len(s.keys))
	for _, k := range s.keys {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Test() != out[j].Test() {
			return !out[i].Test()
		}
		return out[i].Name() < out[j].Name()
	})
	return out
}
