package revocation

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"math/big"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// rootGenerations are an RSA-2048 and the ECDSA P-384 root generation of
// the test hierarchy, which share one DN.
var rootGenerations = []struct {
	name string
	gen  int
}{{"RSA-2048", jpkitest.LatestGeneration}, {"ECDSA-P384", jpkitest.ECDSAGeneration}}

func mixedSignRoots() []*x509.Certificate { return testPKI().AllRoots(card.SignKey) }

// TestCRLSignatureGenerations parses CRLs signed by either generation's
// root, finds the right issuer among roots of the same name, and refuses
// a bad signature and a CRL whose generation is not trusted.
func TestCRLSignatureGenerations(t *testing.T) {
	for _, g := range rootGenerations {
		t.Run(g.name, func(t *testing.T) {
			root, key := signRoot(g.gen)
			revoked := issueCert(t, g.gen, big.NewInt(0x2001), "", "")
			write := func(fault jpkitest.CRLFault) []byte {
				var buf bytes.Buffer
				_, err := jpkitest.WriteCRL(&buf, root, key, jpkitest.CRLOptions{Fault: fault, Entries: []jpkitest.CRLEntry{
					{Serial: revoked.SerialNumber, RevokedAt: refTime.Add(-time.Hour), Reason: jpkitest.ReasonAffiliationChanged}}})
				if err != nil {
					t.Fatal(err)
				}
				return buf.Bytes()
			}
			crl, err := ParseCRL(bytes.NewReader(write(jpkitest.CRLFaultNone)), ParseOptions{Issuers: mixedSignRoots()})
			if err != nil {
				t.Fatal(err)
			}
			if !crl.Issuer.Equal(root) {
				t.Errorf("issuer %v, want generation %d", crl.Issuer.Subject, g.gen)
			}
			if e, ok := crl.Lookup(revoked.SerialNumber); !ok || e.Reason != ReasonAffiliationChanged {
				t.Errorf("lookup: %+v %v", e, ok)
			}
			if _, err := ParseCRL(bytes.NewReader(write(jpkitest.CRLFaultBadSignature)), ParseOptions{Issuers: mixedSignRoots()}); !errors.Is(err, ErrBadSignature) {
				t.Errorf("bad signature: %v", err)
			}
			var others []*x509.Certificate
			for _, r := range mixedSignRoots() {
				if !r.Equal(root) {
					others = append(others, r)
				}
			}
			if _, err := ParseCRL(bytes.NewReader(write(jpkitest.CRLFaultNone)), ParseOptions{Issuers: others}); !errors.Is(err, ErrBadSignature) {
				t.Errorf("generation not trusted: %v", err)
			}
		})
	}
}

// TestOCSPSignatureGenerations asks an OCSP responder signing with either
// generation's root (directly and through a delegate) and refuses a
// response signed by another key.
func TestOCSPSignatureGenerations(t *testing.T) {
	for _, g := range rootGenerations {
		t.Run(g.name, func(t *testing.T) {
			root, key := signRoot(g.gen)
			resp := jpkitest.NewOCSPResponder(root, key)
			good := issueCert(t, g.gen, big.NewInt(0x3001), "", "")
			rev := issueCert(t, g.gen, big.NewInt(0x3002), "", "")
			resp.SetStatus(good.SerialNumber, jpkitest.OCSPStatus{Status: ocsp.Good})
			resp.SetStatus(rev.SerialNumber, jpkitest.OCSPStatus{Status: ocsp.Revoked, RevokedAt: refTime.Add(-time.Hour), Reason: jpkitest.ReasonKeyCompromise})
			srv := httptest.NewServer(resp)
			defer srv.Close()
			c, err := NewOCSPClient(OCSPConfig{URL: srv.URL, Issuers: mixedSignRoots(), Now: fixedNow, Timeout: 2 * time.Second, NoCache: true})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if r := c.Check(ctx, good); r.Status != StatusGood || r.Err != nil {
				t.Errorf("good: %v %v", r.Status, r.Err)
			}
			if r := c.Check(ctx, rev); r.Status != StatusRevoked || r.Reason != ReasonKeyCompromise {
				t.Errorf("revoked: %v %v", r.Status, r.Err)
			}
			d, dk, err := jpkitest.NewOCSPDelegate(root, key, true)
			if err != nil {
				t.Fatal(err)
			}
			resp.SetDelegate(d, dk)
			if r := c.Check(ctx, good); r.Status != StatusGood || r.Err != nil {
				t.Errorf("delegated good: %v %v", r.Status, r.Err)
			}
			resp.SetDelegate(nil, nil)
			resp.SetFault(jpkitest.OCSPFaultWrongSigner)
			if r := c.Check(ctx, good); r.Status != StatusUnknown || !errors.Is(r.Err, ErrBadSignature) {
				t.Errorf("wrong signer: %v %v", r.Status, r.Err)
			}
		})
	}
}
