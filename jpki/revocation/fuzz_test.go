package revocation

import (
	"bytes"
	"crypto/x509"
	"math/big"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/mynacard/mynacard/jpki/jpkitest"
)

func FuzzParseCRL(f *testing.F) {
	f.Add(makeCRL(f, 3, jpkitest.CRLOptions{Synthetic: 12, DistributionPoint: chiyoda()}))
	f.Add(makeCRL(f, 2, jpkitest.CRLOptions{Entries: []jpkitest.CRLEntry{
		{Serial: new(big.Int).Lsh(big.NewInt(1), 150), RevokedAt: time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC), Reason: jpkitest.ReasonSuperseded},
		{Serial: big.NewInt(1), RevokedAt: refTime, Reason: jpkitest.NoReason},
	}}))
	f.Add(makeCRL(f, 1, jpkitest.CRLOptions{}))
	f.Add(makeCRL(f, 3, jpkitest.CRLOptions{Synthetic: 5, Fault: jpkitest.CRLFaultTruncated}))
	issuers := signRoots()
	f.Fuzz(func(t *testing.T, der []byte) {
		// The full path: nothing unsigned may come out.
		if c, err := ParseCRL(bytes.NewReader(der), ParseOptions{Issuers: issuers}); err == nil {
			if c.Issuer == nil {
				t.Fatal("accepted without an issuer")
			}
		}
		// The parser alone (no signature), then lookups against crypto/x509.
		c, err := parseCRL(newStreamer(bytes.NewReader(der), 0), ParseOptions{})
		if err != nil {
			return
		}
		rl, err := x509.ParseRevocationList(der)
		if err != nil {
			return
		}
		seen := map[string]int{}
		for _, e := range rl.RevokedCertificateEntries {
			seen[e.SerialNumber.String()]++
		}
		if len(seen) != c.Len() {
			t.Fatalf("%d entries, x509 has %d distinct serials", c.Len(), len(seen))
		}
		for _, e := range rl.RevokedCertificateEntries {
			if seen[e.SerialNumber.String()] > 1 {
				continue
			}
			got, ok := c.Lookup(e.SerialNumber)
			if !ok {
				t.Fatalf("serial %v missing", e.SerialNumber)
			}
			if !got.RevokedAt.Equal(e.RevocationTime) {
				t.Fatalf("serial %v: time %v, x509 %v", e.SerialNumber, got.RevokedAt, e.RevocationTime)
			}
			if got.Reason != ReasonNone && int(got.Reason) != e.ReasonCode {
				t.Fatalf("serial %v: reason %v, x509 %d", e.SerialNumber, got.Reason, e.ReasonCode)
			}
		}
	})
}

func FuzzOCSPResponse(f *testing.F) {
	root, key := signRoot(3)
	cert := issueCert(f, 3, big.NewInt(0x1001), "", "")
	resp := jpkitest.NewOCSPResponder(root, key)
	resp.SetStatus(cert.SerialNumber, jpkitest.OCSPStatus{Status: ocsp.Revoked, RevokedAt: refTime.Add(-time.Hour), Reason: 3})
	nonce := bytes.Repeat([]byte{7}, NonceBytes)
	for _, fault := range []jpkitest.OCSPFault{jpkitest.OCSPFaultNone, jpkitest.OCSPFaultWrongSigner, jpkitest.OCSPFaultTryLater, jpkitest.OCSPFaultStale} {
		resp.SetFault(fault)
		req, _ := BuildOCSPRequest(cert, root, nonce)
		w := httptest.NewRecorder()
		resp.ServeHTTP(w, httptest.NewRequest("POST", "/", bytes.NewReader(req)))
		f.Add(w.Body.Bytes())
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		r, err := VerifyOCSPResponse(der, cert, root, OCSPVerifyOptions{Nonce: nonce, At: refTime})
		if err != nil && r.Status != StatusUnknown {
			t.Fatalf("error with status %v", r.Status)
		}
		parseResponseData(der)
	})
}
