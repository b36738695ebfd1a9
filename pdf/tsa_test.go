package pdf

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/pdftest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// testTSA starts the test time-stamping authority (internal/pdftest).
func testTSA(t testing.TB) (*TSA, *x509.CertPool) {
	t.Helper()
	tool(t, "openssl")
	srv, err := pdftest.StartTSA()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Root)
	return &TSA{URL: srv.URL, Roots: pool}, pool
}

// testCRL is a CRL of the default holder's signing root that does not
// list the holder.
func testCRL(t testing.TB) []byte {
	t.Helper()
	h := jpkitest.DefaultHolder()
	_, key := jpkitest.Default().Root(card.SignKey, h.Spec.Generation)
	var b bytes.Buffer
	now := time.Now()
	if _, err := jpkitest.WriteCRL(&b, h.SignCA, key, jpkitest.CRLOptions{ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour), Synthetic: 100}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSignProducersBTandBLT(t *testing.T) {
	roots := testRoots(t)
	tsa, pool := testTSA(t)
	h := jpkitest.DefaultHolder()
	crl := testCRL(t)
	for name, in := range producers(t) {
		t.Run(name, func(t *testing.T) {
			bt := signSoft(t, in, SignOptions{Level: LevelBT, TSA: tsa})
			rep := verifyOK(t, bt, VerifyOptions{Roots: roots, TSARoots: pool})
			s := rep.Signatures[0]
			if s.Level != "B-T" || s.Timestamp == nil || time.Since(s.Timestamp.Time) > time.Minute {
				t.Fatalf("B-T: level %q timestamp %+v", s.Level, s.Timestamp)
			}
			qpdfCheck(t, bt)
			pdfsigValid(t, bt, 1)

			blt, info, err := AddDSS(signSoft(t, in, SignOptions{Level: LevelBLT, TSA: tsa}),
				ValidationData{Certs: [][]byte{h.SignCert.Raw, h.SignCA.Raw}, CRLs: [][]byte{crl}})
			if err != nil {
				t.Fatal(err)
			}
			if info.Certs != 2 || info.CRLs != 1 || info.CRLBytes != len(crl) {
				t.Errorf("DSS %+v", info)
			}
			rep = verifyOK(t, blt, VerifyOptions{Roots: roots, TSARoots: pool})
			if s := rep.Signatures[0]; s.Level != "B-LT" || !s.DSS || rep.DSS == nil {
				t.Fatalf("B-LT: level %q DSS %v %+v", s.Level, s.DSS, rep.DSS)
			}
			qpdfCheck(t, blt)
			pdfsigValid(t, blt, 1)
		})
	}
}

func TestTimestampUntrustedAndTampered(t *testing.T) {
	roots := testRoots(t)
	tsa, pool := testTSA(t)
	out := signSoft(t, formPDF(), SignOptions{Level: LevelBT, TSA: tsa})
	rep, err := Verify(context.Background(), out, VerifyOptions{Roots: roots})
	if err != nil {
		t.Fatal(err)
	}
	if p := rep.Signatures[0].Problems; len(p) != 1 || p[0].Code != CodeTimestampUntrusted {
		t.Errorf("without TSA roots: %v", p)
	}
	other := x509.NewCertPool()
	other.AddCert(jpkitest.DefaultHolder().SignCA)
	rep, _ = Verify(context.Background(), out, VerifyOptions{Roots: roots, TSARoots: other})
	if p := rep.Signatures[0].Problems; len(p) != 1 || p[0].Code != CodeTimestampUntrusted {
		t.Errorf("with other roots: %v", p)
	}
	// The TSA's signature (the CMS's last byte) broken.
	m := regexp.MustCompile(`/Contents <([0-9A-F]+)>`).FindSubmatchIndex(out)
	der, _ := hex.DecodeString(string(out[m[2]:m[3]]))
	l, _ := derLength(der)
	der[l-1] ^= 1
	copy(out[m[2]:], strings.ToUpper(hex.EncodeToString(der)))
	rep, _ = Verify(context.Background(), out, VerifyOptions{Roots: roots, TSARoots: pool})
	if p := rep.Signatures[0].Problems; len(p) != 1 || p[0].Code != CodeTimestamp {
		t.Errorf("tampered token: %v", p)
	}
}

func TestTSARefusesBadAnswers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte{0x30, 0x03, 0x30, 0x01, 0x02}) }))
	defer srv.Close()
	p, err := Prepare(formPDF(), SignOptions{Level: LevelBT, TSA: &TSA{URL: srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	h := jpkitest.DefaultHolder()
	if _, err := p.Sign(context.Background(), h.SignKey, h.SignCert, nil); err == nil {
		t.Fatal("a malformed TSA answer was accepted")
	}
	if _, err := Prepare(formPDF(), SignOptions{Level: LevelBT}); err != ErrNeedTSA {
		t.Fatalf("B-T without TSA: %v", err)
	}
}
