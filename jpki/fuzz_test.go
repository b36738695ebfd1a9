package jpki

import (
	"errors"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// FuzzParse parses arbitrary bytes as a certificate, as read off a card.
func FuzzParse(f *testing.F) {
	h := jpkitest.DefaultHolder()
	f.Add(h.SignCert.Raw)
	f.Add(h.AuthCert.Raw)
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := Parse(der)
		if err != nil {
			return
		}
		if c.Kind != 0 && c.Kind != card.SignKey && c.Kind != card.AuthKey {
			t.Fatalf("kind %d", c.Kind)
		}
		if c.Attributes != nil && c.Kind != card.SignKey {
			t.Fatal("attributes on a non-signing certificate")
		}
	})
}

// FuzzVerifyCMS feeds arbitrary bytes to VerifyCMS, as received from a
// network peer: it must fail cleanly, never panic, and never verify.
func FuzzVerifyCMS(f *testing.F) {
	s, _ := newTestSigner(f, card.SignKey)
	for _, detached := range []bool{false, true} {
		sig, err := SignCMS(cmsData, s, s.Certificate().Certificate, nil, CMSOptions{Detached: detached, SigningTime: refTime()})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(sig)
	}
	f.Add([]byte{0x30, 0x80, 0x00, 0x00})
	roots, err := NewRoots()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, sig []byte) {
		v, err := VerifyCMS(sig, cmsData, roots, VerifyOptions{Time: refTime()})
		if err == nil {
			t.Fatalf("verified against empty production roots: %+v", v)
		}
		var ve *VerifyError
		if !errors.Is(err, ErrCMSSignature) && !errors.Is(err, ErrCMSContent) && !errors.As(err, &ve) {
			// Only a malformed signer certificate's attributes may fail
			// otherwise (Parse), and that wraps ErrMalformedAttributes.
			if !errors.Is(err, ErrMalformedAttributes) {
				t.Fatalf("unclassified error %v", err)
			}
		}
	})
}
