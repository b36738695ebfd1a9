package jpkitest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"golang.org/x/crypto/ocsp"
)

func TestECDSARoots(t *testing.T) {
	p := Default()
	again, err := New(DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []card.KeyKind{card.SignKey, card.AuthKey} {
		c, k := p.Root(kind, ECDSAGeneration)
		if c == nil || k == nil {
			t.Fatalf("%s: no ECDSA generation", kind)
		}
		pub, ok := c.PublicKey.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P384() {
			t.Fatalf("%s: root key %T, want P-384", kind, c.PublicKey)
		}
		if c.SignatureAlgorithm != x509.ECDSAWithSHA384 {
			t.Errorf("%s: signature algorithm %v", kind, c.SignatureAlgorithm)
		}
		if err := c.CheckSignatureFrom(c); err != nil {
			t.Errorf("%s: self-signature: %v", kind, err)
		}
		rsaRoot, _ := p.Root(kind, LatestGeneration)
		if !bytes.Equal(c.RawSubject, rsaRoot.RawSubject) {
			t.Errorf("%s: DN differs from the RSA generations'", kind)
		}
		for _, r := range p.Roots(kind) {
			if sha256.Sum256(r.Raw) == sha256.Sum256(c.Raw) {
				t.Errorf("%s: ECDSA root has an RSA root's fingerprint", kind)
			}
		}
		c2, _ := again.Root(kind, ECDSAGeneration)
		if !bytes.Equal(c.Raw, c2.Raw) {
			t.Errorf("%s: ECDSA root differs between two New(%q)", kind, DefaultSeed)
		}
		if all := p.AllRoots(kind); len(all) != len(p.Roots(kind))+1 || !all[len(all)-1].Equal(c) {
			t.Errorf("%s: AllRoots does not end with the ECDSA root", kind)
		}
	}
	if len(p.Roots(card.SignKey)) != LatestGeneration {
		t.Errorf("Roots has %d certificates, want the %d RSA generations", len(p.Roots(card.SignKey)), LatestGeneration)
	}
}

// ecdsaHolder is the default holder renewed onto an ECDSA card.
func ecdsaHolder(t testing.TB) *Holder {
	t.Helper()
	h, err := Default().Issue(HolderSpec{Generation: ECDSAGeneration, KeySalt: "ecdsa"})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestECDSAHolder(t *testing.T) {
	h := ecdsaHolder(t)
	r := DefaultHolder()
	if h.SignKey != nil || h.AuthKey != nil || h.SignKeyECDSA == nil || h.AuthKeyECDSA == nil {
		t.Fatal("ECDSA holder keys not set as documented")
	}
	for _, kind := range []card.KeyKind{card.SignKey, card.AuthKey} {
		c, rc := h.SignCert, r.SignCert
		ca := h.SignCA
		if kind == card.AuthKey {
			c, rc, ca = h.AuthCert, r.AuthCert, h.AuthCA
		}
		pub, ok := c.PublicKey.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P384() || !pub.Equal(h.Signer(kind).Public()) {
			t.Fatalf("%s: certificate key %T does not match the holder's P-384 key", kind, c.PublicKey)
		}
		if c.SignatureAlgorithm != x509.ECDSAWithSHA384 {
			t.Errorf("%s: signature algorithm %v", kind, c.SignatureAlgorithm)
		}
		if err := c.CheckSignatureFrom(ca); err != nil {
			t.Errorf("%s: not signed by the ECDSA root: %v", kind, err)
		}
		// Same profile as the RSA card: key usage, policies, extensions.
		if c.KeyUsage != rc.KeyUsage || len(c.Policies) != 1 || !c.Policies[0].Equal(rc.Policies[0]) {
			t.Errorf("%s: key usage or policy differs from the RSA profile", kind)
		}
		if got, want := extOIDs(c), extOIDs(rc); got != want {
			t.Errorf("%s: extensions %s, RSA profile has %s", kind, got, want)
		}
		if !bytes.Equal(c.RawIssuer, rc.RawIssuer) {
			t.Errorf("%s: issuer DN differs", kind)
		}
		// 10 years: the 10th birthday after issuance.
		want := time.Date(2034, 4, 1, 23, 59, 59, 0, card.JST).UTC()
		if !c.NotAfter.Equal(want) {
			t.Errorf("%s: NotAfter %s, want %s", kind, c.NotAfter, want)
		}
	}
	if r.SignCert.NotAfter.Year() != 2029 {
		t.Errorf("RSA holder NotAfter %s, want 5 years", r.SignCert.NotAfter)
	}
	h2 := ecdsaHolder(t)
	if !bytes.Equal(h.SignCert.Raw, h2.SignCert.Raw) || !bytes.Equal(h.AuthCert.Raw, h2.AuthCert.Raw) {
		t.Error("ECDSA holder is not deterministic")
	}
	if len(h.VirtualOptions()) != 1 || len(r.VirtualOptions()) != 0 {
		t.Error("VirtualOptions: want the speculative ECDSA option only for the ECDSA holder")
	}
}

func extOIDs(c *x509.Certificate) string {
	var b bytes.Buffer
	for _, e := range c.Extensions {
		b.WriteString(e.Id.String())
		if e.Critical {
			b.WriteString("!")
		}
		b.WriteString(" ")
	}
	return b.String()
}

func TestECDSACRL(t *testing.T) {
	root, key := Default().Root(card.AuthKey, ECDSAGeneration)
	h := ecdsaHolder(t)
	for _, n := range []int{0, 1, 1000} {
		var entries []CRLEntry
		entries = append(entries, CRLEntry{Serial: h.AuthCert.SerialNumber, RevokedAt: ReferenceTime().Add(-time.Hour), Reason: ReasonKeyCompromise})
		for i := 1; i < n; i++ {
			entries = append(entries, CRLEntry{Serial: big.NewInt(int64(1000 + i)), RevokedAt: ReferenceTime().Add(-time.Hour), Reason: NoReason})
		}
		if n == 0 {
			entries = nil
		}
		var buf bytes.Buffer
		if _, err := WriteCRL(&buf, root, key, CRLOptions{Entries: entries}); err != nil {
			t.Fatal(err)
		}
		crl, err := x509.ParseRevocationList(buf.Bytes())
		if err != nil {
			t.Fatalf("%d entries: %v", n, err)
		}
		if crl.SignatureAlgorithm != x509.ECDSAWithSHA384 {
			t.Errorf("%d entries: algorithm %v", n, crl.SignatureAlgorithm)
		}
		if err := crl.CheckSignatureFrom(root); err != nil {
			t.Errorf("%d entries: %v", n, err)
		}
		if len(crl.RevokedCertificateEntries) != n {
			t.Errorf("%d entries: parsed %d", n, len(crl.RevokedCertificateEntries))
		}
		rsaRoot, _ := Default().Root(card.AuthKey, LatestGeneration)
		if crl.CheckSignatureFrom(rsaRoot) == nil {
			t.Error("ECDSA CRL verifies with the RSA root of the same DN")
		}
	}
	var bad bytes.Buffer
	if _, err := WriteCRL(&bad, root, key, CRLOptions{Fault: CRLFaultBadSignature}); err != nil {
		t.Fatal(err)
	}
	if crl, err := x509.ParseRevocationList(bad.Bytes()); err == nil && crl.CheckSignatureFrom(root) == nil {
		t.Error("bad-signature fault verifies")
	}
}

func TestECDSAOCSP(t *testing.T) {
	root, key := Default().Root(card.SignKey, ECDSAGeneration)
	leaf := ecdsaHolder(t).SignCert
	r := NewOCSPResponder(root, key)
	r.SetStatus(leaf.SerialNumber, OCSPStatus{Status: ocsp.Good})
	srv := httptest.NewServer(r)
	defer srv.Close()
	req, err := ocsp.CreateRequest(leaf, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range [][]byte{req, withNonce(t, req)} {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)))
		or, err := ocsp.ParseResponseForCert(w.Body.Bytes(), leaf, root)
		if err != nil {
			t.Fatal(err)
		}
		if or.Status != ocsp.Good || or.SignatureAlgorithm != x509.ECDSAWithSHA384 {
			t.Errorf("status %d algorithm %v", or.Status, or.SignatureAlgorithm)
		}
	}
}
