package pdf

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// TestCMSAlgorithmFromKey: the signature algorithm follows the signer's
// key, so an ECDSA key makes an ecdsa-with-SHA256 SignerInfo that
// verifies, with no signing-time attribute.
func TestCMSAlgorithmFromKey(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ec"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	content := []byte("signed bytes")
	sum := sha256.Sum256(content)
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384} {
		d := h.New()
		d.Write(content)
		cms, err := buildCMS(cmsRequest{digest: d.Sum(nil), hash: h, signer: key, cert: cert})
		if err != nil {
			t.Fatal(err)
		}
		sd, err := parseSignedData(cms)
		if err != nil {
			t.Fatal(err)
		}
		want := oidECDSAWithSHA256
		if h == crypto.SHA384 {
			want = oidECDSAWithSHA384
		}
		if !sd.sigAlg.Equal(want) {
			t.Errorf("%v: signature algorithm %v, want %v", h, sd.sigAlg, want)
		}
		res, err := verifySigner(sd, content)
		if err != nil {
			t.Fatalf("%v: %v", h, err)
		}
		if n := joseName(res.alg); n != map[crypto.Hash]string{crypto.SHA256: "ES256", crypto.SHA384: "ES384"}[h] {
			t.Errorf("%v: algorithm %s", h, n)
		}
		if !res.essV2 || !res.signingTime.IsZero() {
			t.Errorf("%v: ESS v2 %v, signing time %v", h, res.essV2, res.signingTime)
		}
	}
	// The wrong content is refused as a digest mismatch.
	cms, _ := buildCMS(cmsRequest{digest: sum[:], hash: crypto.SHA256, signer: key, cert: cert})
	sd, _ := parseSignedData(cms)
	if _, err := verifySigner(sd, []byte("other")); err != errDigestMismatch {
		t.Errorf("other content: %v", err)
	}
	// A key that is not the certificate's is refused before signing.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := buildCMS(cmsRequest{digest: sum[:], hash: crypto.SHA256, signer: other, cert: cert}); err == nil {
		t.Error("signed with a key that is not the certificate's")
	}
	// SHA-1 is not in the allowlist.
	if _, err := buildCMS(cmsRequest{digest: sum[:20], hash: crypto.SHA1, signer: key, cert: cert}); err == nil {
		t.Error("SHA-1 accepted")
	}
}
