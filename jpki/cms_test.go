package jpki

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

var cmsData = []byte("マイナンバーカードで署名する文書\n")

func signRoot(t testing.TB) *x509.Certificate {
	rc, _ := jpkitest.Default().Root(card.SignKey, jpkitest.LatestGeneration)
	return rc
}

func TestCMSRoundTrip(t *testing.T) {
	s, p := newTestSigner(t, card.SignKey)
	roots := allTestRoots(t)
	at := refTime().Add(-time.Hour).Truncate(time.Second)
	for _, detached := range []bool{false, true} {
		for _, h := range []crypto.Hash{0, crypto.SHA384, crypto.SHA512} {
			sig, err := SignCMS(cmsData, s, s.Certificate().Certificate, []*x509.Certificate{signRoot(t)},
				CMSOptions{Detached: detached, SigningTime: at, Hash: h})
			if err != nil {
				t.Fatal(err)
			}
			var data []byte
			if detached {
				data = cmsData
			}
			v, err := VerifyCMS(sig, data, roots, VerifyOptions{Time: refTime(), Kind: card.SignKey})
			if err != nil {
				t.Fatalf("detached %v hash %v: %v", detached, h, err)
			}
			wantHash := h
			if h == 0 {
				wantHash = crypto.SHA256
			}
			if !bytes.Equal(v.Content, cmsData) || !v.SigningTime.Equal(at) || v.Hash != wantHash ||
				v.Signer.Kind != card.SignKey || v.Signer.Attributes == nil || v.Verification.Generation != 3 {
				t.Errorf("verification %+v", v)
			}
		}
	}
	if n := p.calls.Load(); n != 6 {
		t.Errorf("PIN asked %d times for 6 signatures", n)
	}
}

func TestCMSFailures(t *testing.T) {
	s, _ := newTestSigner(t, card.SignKey)
	roots := allTestRoots(t)
	opts := VerifyOptions{Time: refTime()}
	attached, err := SignCMS(cmsData, s, s.Certificate().Certificate, nil, CMSOptions{SigningTime: refTime()})
	if err != nil {
		t.Fatal(err)
	}
	detached, err := SignCMS(cmsData, s, s.Certificate().Certificate, nil, CMSOptions{SigningTime: refTime(), Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	tampered := append([]byte(nil), cmsData...)
	tampered[0] ^= 1
	badSig := append([]byte(nil), detached...)
	badSig[len(badSig)-10] ^= 1
	prod, _ := NewRoots()

	tests := []struct {
		name string
		sig  []byte
		data []byte
		r    *Roots
		want error
	}{
		{"tampered detached content", detached, tampered, roots, ErrCMSSignature},
		{"tampered signature", badSig, cmsData, roots, ErrCMSSignature},
		{"attached with other content", attached, tampered, roots, ErrCMSContent},
		{"detached without content", detached, nil, roots, ErrCMSContent},
		{"garbage", []byte("not CMS"), cmsData, roots, ErrCMSSignature},
		{"production roots", detached, cmsData, prod, ErrUnknownIssuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := VerifyCMS(tt.sig, tt.data, tt.r, opts)
			if !errors.Is(err, tt.want) {
				t.Errorf("got %+v, %v; want %v", v, err, tt.want)
			}
		})
	}
	// The auth certificate's key is not the signer's.
	h := jpkitest.DefaultHolder()
	if _, err := SignCMS(cmsData, s, h.AuthCert, nil, CMSOptions{}); err == nil {
		t.Error("signed with a certificate of another key")
	}
	if _, err := SignCMS(cmsData, s, s.Certificate().Certificate, nil, CMSOptions{Hash: crypto.SHA1}); err == nil {
		t.Error("SHA-1 CMS accepted")
	}
}

func needOpenSSL(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed: skipping the OpenSSL interoperability test")
	}
	return path
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	writeFile(t, path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// TestCMSVerifiedByOpenSSL checks our signatures with openssl cms -verify
// against the test root, attached and detached. -attime pins the time to
// ReferenceTime; OpenSSL 3 also checks the ESS signing-certificate-v2
// attribute.
func TestCMSVerifiedByOpenSSL(t *testing.T) {
	openssl := needOpenSSL(t)
	s, _ := newTestSigner(t, card.SignKey)
	dir := t.TempDir()
	rootPEM := filepath.Join(dir, "root.pem")
	writePEM(t, rootPEM, "CERTIFICATE", signRoot(t).Raw)
	dataFile := filepath.Join(dir, "data.txt")
	writeFile(t, dataFile, cmsData)
	attime := strconv.FormatInt(refTime().Unix(), 10)
	for _, detached := range []bool{false, true} {
		sig, err := SignCMS(cmsData, s, s.Certificate().Certificate, []*x509.Certificate{signRoot(t)},
			CMSOptions{Detached: detached, SigningTime: refTime()})
		if err != nil {
			t.Fatal(err)
		}
		sigFile := filepath.Join(dir, "sig.der")
		writeFile(t, sigFile, sig)
		args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", sigFile, "-CAfile", rootPEM,
			"-purpose", "any", "-attime", attime}
		if detached {
			args = append(args, "-content", dataFile)
		}
		out, err := exec.Command(openssl, args...).Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("detached %v: openssl: %v\n%s", detached, err, ee.Stderr)
			}
			t.Fatal(err)
		}
		if !bytes.Equal(out, cmsData) {
			t.Errorf("openssl printed %q", out)
		}
	}
}

// TestCMSFromOpenSSL verifies signatures made by openssl cms -sign with the
// default holder's signing key and certificate.
func TestCMSFromOpenSSL(t *testing.T) {
	openssl := needOpenSSL(t)
	h := jpkitest.DefaultHolder()
	dir := t.TempDir()
	keyDER, err := x509.MarshalPKCS8PrivateKey(h.SignKey)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, certFile := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	writePEM(t, keyFile, "PRIVATE KEY", keyDER)
	writePEM(t, certFile, "CERTIFICATE", h.SignCert.Raw)
	dataFile := filepath.Join(dir, "data.txt")
	writeFile(t, dataFile, cmsData)
	roots := allTestRoots(t)
	for _, detached := range []bool{false, true} {
		sigFile := filepath.Join(dir, "sig.der")
		args := []string{"cms", "-sign", "-binary", "-in", dataFile, "-signer", certFile, "-inkey", keyFile,
			"-md", "sha256", "-outform", "DER", "-out", sigFile}
		if !detached {
			args = append(args, "-nodetach")
		}
		if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl cms -sign: %v\n%s", err, out)
		}
		sig, err := os.ReadFile(sigFile)
		if err != nil {
			t.Fatal(err)
		}
		var data []byte
		if detached {
			data = cmsData
		}
		v, err := VerifyCMS(sig, data, roots, VerifyOptions{Time: refTime(), Kind: card.SignKey})
		if err != nil {
			t.Fatalf("detached %v: %v", detached, err)
		}
		if !v.Signer.Equal(h.SignCert) || !bytes.Equal(v.Content, cmsData) {
			t.Errorf("signer %v content %q", v.Signer.Subject, v.Content)
		}
		tampered := append([]byte(nil), cmsData...)
		tampered[len(tampered)-1] = '!'
		if detached {
			if _, err := VerifyCMS(sig, tampered, roots, VerifyOptions{Time: refTime()}); !errors.Is(err, ErrCMSSignature) {
				t.Errorf("tampered data: %v", err)
			}
		}
	}
}
