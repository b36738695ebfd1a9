package jpkitest

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"slices"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/jpkioid"
)

func TestDeterministic(t *testing.T) {
	a, err := New("determinism")
	if err != nil {
		t.Fatal(err)
	}
	b, err := New("determinism")
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []card.KeyKind{card.SignKey, card.AuthKey} {
		for gen := FirstGeneration; gen <= LatestGeneration; gen++ {
			ca, ka := a.Root(kind, gen)
			cb, kb := b.Root(kind, gen)
			if !bytes.Equal(ca.Raw, cb.Raw) {
				t.Errorf("%s root %d differs between two New calls", kind, gen)
			}
			if !ka.Public().(*rsa.PublicKey).Equal(kb.Public()) {
				t.Errorf("%s root %d key differs", kind, gen)
			}
		}
	}
	ha, err := a.Issue(HolderSpec{})
	if err != nil {
		t.Fatal(err)
	}
	hb, err := b.Issue(HolderSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ha.SignCert.Raw, hb.SignCert.Raw) || !bytes.Equal(ha.AuthCert.Raw, hb.AuthCert.Raw) {
		t.Error("holder certificates differ between two New calls")
	}
	if !ha.SignKey.Equal(hb.SignKey) || !ha.AuthKey.Equal(hb.AuthKey) {
		t.Error("holder keys differ")
	}
	c, err := New("another seed")
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := a.Root(card.SignKey, 3)
	r2, _ := c.Root(card.SignKey, 3)
	if bytes.Equal(r1.Raw, r2.Raw) {
		t.Error("different seeds gave the same root")
	}
}

func TestRoots(t *testing.T) {
	p := Default()
	for _, kind := range []card.KeyKind{card.SignKey, card.AuthKey} {
		roots := p.Roots(kind)
		if len(roots) != 3 {
			t.Fatalf("%s: %d roots, want 3", kind, len(roots))
		}
		wantDN, _ := asn1.Marshal(CAName(kind))
		var serials, keys [][]byte
		for i, r := range roots {
			gen := i + 1
			if !bytes.Equal(r.RawSubject, wantDN) || !bytes.Equal(r.RawIssuer, wantDN) {
				t.Errorf("%s gen %d: subject %s issuer %s", kind, gen, r.Subject, r.Issuer)
			}
			if !r.IsCA || !r.BasicConstraintsValid || r.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
				t.Errorf("%s gen %d: not a CA profile", kind, gen)
			}
			if err := r.CheckSignatureFrom(r); err != nil {
				t.Errorf("%s gen %d: not self-signed: %v", kind, gen, err)
			}
			if r.SignatureAlgorithm != x509.SHA256WithRSA {
				t.Errorf("%s gen %d: signature algorithm %v", kind, gen, r.SignatureAlgorithm)
			}
			if y := r.NotBefore.In(card.JST).Year(); y != generationYears[gen][0] {
				t.Errorf("%s gen %d: starts %d", kind, gen, y)
			}
			if y := r.NotAfter.In(card.JST).Year(); y != generationYears[gen][1] {
				t.Errorf("%s gen %d: ends %d", kind, gen, y)
			}
			for _, ext := range r.Extensions {
				if ext.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 19}) && !ext.Critical {
					t.Errorf("%s gen %d: basicConstraints not critical", kind, gen)
				}
			}
			serials = append(serials, r.SerialNumber.Bytes())
			keys = append(keys, r.RawSubjectPublicKeyInfo)
		}
		for i := range roots {
			for j := i + 1; j < len(roots); j++ {
				if bytes.Equal(serials[i], serials[j]) || bytes.Equal(keys[i], keys[j]) {
					t.Errorf("%s gens %d and %d share serial or key", kind, i+1, j+1)
				}
			}
		}
	}
	if c, k := p.Root(card.SignKey, ECDSAGeneration+1); c != nil || k != nil {
		t.Error("a generation after the ECDSA one exists")
	}
	s, _ := p.Root(card.SignKey, 1)
	a, _ := p.Root(card.AuthKey, 1)
	if bytes.Equal(s.RawSubject, a.RawSubject) {
		t.Error("signing and authentication roots share a DN")
	}
}

func TestHolderProfile(t *testing.T) {
	p := Default()
	for gen := FirstGeneration; gen <= LatestGeneration; gen++ {
		h, err := p.Issue(HolderSpec{Generation: gen})
		if err != nil {
			t.Fatalf("gen %d: %v", gen, err)
		}
		for _, tc := range []struct {
			kind   card.KeyKind
			cert   *x509.Certificate
			ca     *x509.Certificate
			usage  x509.KeyUsage
			policy asn1.ObjectIdentifier
		}{
			{card.SignKey, h.SignCert, h.SignCA, x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment, jpkioid.PolicySign},
			{card.AuthKey, h.AuthCert, h.AuthCA, x509.KeyUsageDigitalSignature, jpkioid.PolicyAuth},
		} {
			c := tc.cert
			root, _ := p.Root(tc.kind, gen)
			if tc.ca != root {
				t.Errorf("gen %d %s: CA is not the generation's root", gen, tc.kind)
			}
			if !bytes.Equal(c.RawIssuer, root.RawSubject) {
				t.Errorf("gen %d %s: issuer %s", gen, tc.kind, c.Issuer)
			}
			if c.KeyUsage != tc.usage || c.IsCA {
				t.Errorf("gen %d %s: key usage %b", gen, tc.kind, c.KeyUsage)
			}
			if len(c.ExtKeyUsage) != 0 || len(c.UnknownExtKeyUsage) != 0 {
				t.Errorf("gen %d %s: has extended key usage", gen, tc.kind)
			}
			want, _ := x509.OIDFromASN1OID(tc.policy)
			if len(c.Policies) != 1 || !c.Policies[0].Equal(want) {
				t.Errorf("gen %d %s: policies %v", gen, tc.kind, c.Policies)
			}
			if !bytes.Equal(c.AuthorityKeyId, root.SubjectKeyId) || len(c.SubjectKeyId) == 0 {
				t.Errorf("gen %d %s: key identifiers", gen, tc.kind)
			}
			if c.NotBefore.Before(root.NotBefore) || c.NotAfter.After(root.NotAfter) {
				t.Errorf("gen %d %s: validity outside root", gen, tc.kind)
			}
			if k, ok := c.PublicKey.(interface{ Size() int }); !ok || k.Size() != 256 {
				t.Errorf("gen %d %s: not RSA-2048", gen, tc.kind)
			}
			// The right generation verifies, the others do not.
			for g := FirstGeneration; g <= LatestGeneration; g++ {
				r, _ := p.Root(tc.kind, g)
				pool := x509.NewCertPool()
				pool.AddCert(r)
				_, err := c.Verify(x509.VerifyOptions{
					Roots: pool, CurrentTime: c.NotBefore.Add(1), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
				})
				if (g == gen) != (err == nil) {
					t.Errorf("gen %d %s against root gen %d: %v", gen, tc.kind, g, err)
				}
			}
		}
		if len(h.AuthCert.Subject.Locality) != 0 || len(h.AuthCert.DNSNames)+len(h.AuthCert.EmailAddresses) != 0 {
			t.Errorf("gen %d: authentication certificate has personal data", gen)
		}
		for _, e := range h.AuthCert.Extensions {
			if e.Id.Equal(oidExtSubjectAltName) {
				t.Errorf("gen %d: authentication certificate has a subjectAltName", gen)
			}
		}
		if got := h.SignCert.Subject.Locality; !slices.Equal(got, []string{DefaultPrefecture, DefaultCity}) {
			t.Errorf("gen %d: signing localities %v", gen, got)
		}
	}
}

func TestDefaultHolderValidAtReferenceTime(t *testing.T) {
	h := DefaultHolder()
	for _, c := range []*x509.Certificate{h.SignCert, h.AuthCert, h.SignCA, h.AuthCA} {
		if now := ReferenceTime(); now.Before(c.NotBefore) || now.After(c.NotAfter) {
			t.Errorf("%s not valid at ReferenceTime", c.Subject)
		}
	}
	if h.Spec.Name != DefaultName || h.Spec.AuthPIN != DefaultAuthPIN || h.Spec.SignPIN != DefaultSignPIN {
		t.Errorf("default holder spec %+v", h.Spec)
	}
	if !ValidNumber(h.Spec.Number) {
		t.Errorf("default number %q has a bad check digit", h.Spec.Number)
	}
}

func TestCheckDigit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want byte
	}{
		{"12345678901", '8'}, // the widely published example 1234 5678 9018
		{"00000000000", '0'},
		{"00000000001", '9'}, // r = 2 -> 11-2
		{"10000000000", '5'}, // weight 6: r = 6 -> 5
		{"00000100000", '4'}, // weight 7: r = 7 -> 4
		{"00000000010", '8'}, // weight 3: r = 3 -> 8
	} {
		got, err := CheckDigit(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("CheckDigit(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "1234567890", "123456789012", "1234567890a"} {
		if _, err := CheckDigit(bad); err == nil {
			t.Errorf("CheckDigit(%q) accepted", bad)
		}
	}
	if !ValidNumber("123456789018") || ValidNumber("123456789019") {
		t.Error("ValidNumber")
	}
}

func TestCRLDistributionPointAndOCSP(t *testing.T) {
	h, err := Default().Issue(HolderSpec{OCSPServer: "http://127.0.0.1:1/ocsp"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cert *x509.Certificate
		want pkix.RDNSequence
	}{
		{h.SignCert, CRLDistributionPointName(card.SignKey, DefaultPrefecture, DefaultCity)},
		{h.AuthCert, CRLDistributionPointName(card.AuthKey, "", "")},
	} {
		if !slices.Equal(tc.cert.OCSPServer, []string{"http://127.0.0.1:1/ocsp"}) {
			t.Errorf("OCSP server %v", tc.cert.OCSPServer)
		}
		if len(tc.cert.CRLDistributionPoints) != 0 {
			t.Errorf("CRL distribution point has URLs: %v", tc.cert.CRLDistributionPoints)
		}
		var value []byte
		for _, e := range tc.cert.Extensions {
			if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 31}) {
				value = e.Value
			}
		}
		// CRLDistributionPoints → DistributionPoint → [0] → [0] fullName → [4] directoryName.
		var dps []asn1.RawValue
		if _, err := asn1.Unmarshal(value, &dps); err != nil || len(dps) != 1 {
			t.Fatalf("distribution points: %v", err)
		}
		inner := dps[0].Bytes
		for _, tag := range []int{0, 0, 4} {
			var rv asn1.RawValue
			if _, err := asn1.Unmarshal(inner, &rv); err != nil || rv.Class != asn1.ClassContextSpecific || rv.Tag != tag {
				t.Fatalf("want [%d], got class %d tag %d (%v)", tag, rv.Class, rv.Tag, err)
			}
			inner = rv.Bytes
		}
		var got pkix.RDNSequence
		if _, err := asn1.Unmarshal(inner, &got); err != nil {
			t.Fatal(err)
		}
		if got.String() != tc.want.String() {
			t.Errorf("directory name %s, want %s", got, tc.want)
		}
	}
	if d := DefaultHolder(); len(d.SignCert.OCSPServer) != 0 {
		t.Error("default certificate has an OCSP server")
	}
}

// TestConcurrentUse issues holders from several goroutines: the shared
// caches (Default, derived keys) must be race-free and give equal results.
func TestConcurrentUse(t *testing.T) {
	const n = 4
	raws := make([][]byte, n)
	done := make(chan int)
	for i := range n {
		go func() {
			defer func() { done <- i }()
			raws[i] = DefaultHolder().SignCert.Raw
		}()
	}
	for range n {
		<-done
	}
	for i := 1; i < n; i++ {
		if !bytes.Equal(raws[0], raws[i]) {
			t.Fatal("concurrent DefaultHolder calls differ")
		}
	}
}
