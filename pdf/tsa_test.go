package pdf

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// testTSA starts a time-stamping authority on loopback: an HTTP handler
// that answers each request with `openssl ts -reply`, signing with a TSA
// certificate (critical timeStamping key usage) under its own root.
func testTSA(t testing.TB) (*TSA, *x509.CertPool) {
	t.Helper()
	tool(t, "openssl")
	dir := t.TempDir()
	rootKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	tsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	now := time.Now()
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mynacard test TSA root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidExtKeyUsageTimeStmp})
	tsaTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "mynacard test TSA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}}}
	tsaDER, err := x509.CreateCertificate(rand.Reader, tsaTmpl, root, &tsaKey.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(tsaKey)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("tsa.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	write("tsa.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tsaDER}))
	write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rootDER}))
	write("serial", []byte("01\n"))
	cnf := write("tsa.cnf", []byte(fmt.Sprintf(`[ tsa ]
default_tsa = tsa1
[ tsa1 ]
dir = %[1]s
serial = %[1]s/serial
crypto_device = builtin
signer_cert = %[1]s/tsa.pem
certs = %[1]s/ca.pem
signer_key = %[1]s/tsa.key
signer_digest = sha256
default_policy = 1.2.392.200149.99.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`, dir)))
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/timestamp-query" {
			http.Error(w, "want a timestamp query", http.StatusBadRequest)
			return
		}
		q, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		mu.Lock()
		defer mu.Unlock()
		qf, rf := filepath.Join(dir, "q.tsq"), filepath.Join(dir, "r.tsr")
		os.WriteFile(qf, q, 0o600)
		if out, err := exec.Command("openssl", "ts", "-reply", "-config", cnf, "-queryfile", qf, "-out", rf).CombinedOutput(); err != nil {
			http.Error(w, string(out), http.StatusInternalServerError)
			return
		}
		resp, _ := os.ReadFile(rf)
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(resp)
	}))
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(root)
	return &TSA{URL: srv.URL, Roots: pool}, pool
}

// testCRL is a CRL of the default holder's signing root that does not
// list the holder.
func testCRL(t testing.TB) []byte {
	t.Helper()
	h := jpkitest.DefaultHolder()
	_, key := jpkitest.Default().Root(jpkitest.KindSign, h.Spec.Generation)
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
