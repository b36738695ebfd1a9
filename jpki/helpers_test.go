package jpki

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// tk converts a Kind to jpkitest's.
func tk(k Kind) jpkitest.Kind {
	if k == KindSign {
		return jpkitest.KindSign
	}
	return jpkitest.KindAuth
}

// allTestRoots returns Roots with every generation of both kinds of the
// default test PKI.
func allTestRoots(t testing.TB) *Roots {
	t.Helper()
	p := jpkitest.Default()
	certs := append(p.Roots(jpkitest.KindSign), p.Roots(jpkitest.KindAuth)...)
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
func issueCustom(t testing.TB, kind Kind, gen int, edit func(*x509.Certificate)) *Certificate {
	t.Helper()
	h := jpkitest.DefaultHolder()
	src, key := h.AuthCert, h.AuthKey
	if kind == KindSign {
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
	rootCert, rootKey := jpkitest.Default().Root(tk(kind), gen)
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
