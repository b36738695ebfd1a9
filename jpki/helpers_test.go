package jpki

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// allTestRoots returns Roots with every generation of both kinds of the
// default test PKI.
func allTestRoots(t testing.TB) *Roots {
	t.Helper()
	p := jpkitest.Default()
	certs := append(p.Roots(card.SignKey), p.Roots(card.AuthKey)...)
	r, err := NewRoots(WithTestHierarchy(certs...))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustParseX(t testing.TB, xc *x509.Certificate) *Certificate {
	t.Helper()
	c, err := Parse(xc.Raw)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// issueCustom re-issues the default holder's certificate of kind from the
// test root of gen after edit changes the template.
func issueCustom(t testing.TB, kind card.KeyKind, gen int, edit func(*x509.Certificate)) *Certificate {
	t.Helper()
	h := jpkitest.DefaultHolder()
	src, key := h.AuthCert, h.AuthKey
	if kind == card.SignKey {
		src, key = h.SignCert, h.SignKey
	}
	tmpl := *src
	for _, e := range src.Extensions {
		if e.Id.Equal(oidExtSubjectAltName) {
			tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, e)
		}
	}
	tmpl.SerialNumber = new(big.Int).Add(src.SerialNumber, big.NewInt(1))
	if edit != nil {
		edit(&tmpl)
	}
	rootCert, rootKey := jpkitest.Default().Root(kind, gen)
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, rootCert, &key.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// setPolicies sets a template's policies consistently in both fields.
func setPolicies(tmpl *x509.Certificate, oids ...asn1.ObjectIdentifier) {
	tmpl.PolicyIdentifiers = oids
	tmpl.Policies = nil
	for _, o := range oids {
		ints := make([]uint64, len(o))
		for i, v := range o {
			ints[i] = uint64(v)
		}
		x, err := x509.OIDFromInts(ints)
		if err != nil {
			panic(err)
		}
		tmpl.Policies = append(tmpl.Policies, x)
	}
}

// refTime is when every default test certificate is valid.
func refTime() time.Time { return jpkitest.ReferenceTime() }

// virtualJPKI opens the JPKI application of a virtual card filled with
// h's contents (the default holder when nil), through reader.Loopback.
func virtualJPKI(t testing.TB, h *jpkitest.Holder, opts card.Options, vopts ...virtual.Option) *card.JPKI {
	t.Helper()
	if h == nil {
		h = jpkitest.DefaultHolder()
	}
	vc, err := virtual.NewMyNumberCard(h.Contents(), vopts...)
	if err != nil {
		t.Fatal(err)
	}
	j, err := card.OpenJPKI(context.Background(), reader.Loopback("virtual", vc, reader.Capabilities{}), opts)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// pinPrompt answers pin (a fresh slice each time: the card wipes it) and
// counts its calls.
type pinPrompt struct {
	pin   string
	calls atomic.Int32
}

func (p *pinPrompt) prompt(ctx context.Context, k card.PINKind, remaining int) ([]byte, error) {
	p.calls.Add(1)
	return []byte(p.pin), nil
}

// newTestSigner returns a Signer for the default holder's key of kind on a
// fresh virtual card, and its prompt.
func newTestSigner(t testing.TB, kind card.KeyKind) (*Signer, *pinPrompt) {
	t.Helper()
	h := jpkitest.DefaultHolder()
	j := virtualJPKI(t, h, card.Options{})
	xc, key, pin := h.AuthCert, card.AuthKey, jpkitest.DefaultAuthPIN
	if kind == card.SignKey {
		xc, key, pin = h.SignCert, card.SignKey, jpkitest.DefaultSignPIN
	}
	p := &pinPrompt{pin: pin}
	s, err := NewSigner(context.Background(), j, key, mustParseX(t, xc), p.prompt)
	if err != nil {
		t.Fatal(err)
	}
	return s, p
}
