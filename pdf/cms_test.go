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
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/pdftest"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
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

// TestSignECDSAHolder: a holder of the ECDSA (P-384) test generation signs
// with SHA-384 and ecdsa-with-SHA384 (the hash follows the key), which
// verifies here and in poppler.
func TestSignECDSAHolder(t *testing.T) {
	pki := jpkitest.Default()
	h, err := pki.Issue(jpkitest.HolderSpec{Generation: jpkitest.ECDSAGeneration})
	if err != nil {
		t.Fatal(err)
	}
	out := signWith(t, formPDF(), SignOptions{}, h.SignKeyECDSA, h.SignCert, h.SignCA)
	roots, err := jpki.NewRoots(jpki.WithTestHierarchy(pki.AllRoots(card.SignKey)...))
	if err != nil {
		t.Fatal(err)
	}
	rep := verifyOK(t, out, VerifyOptions{Roots: roots})
	if s := rep.Signatures[0]; s.Algorithm != "ES384" || s.Hash != crypto.SHA384 {
		t.Errorf("algorithm %s hash %v", s.Algorithm, s.Hash)
	}
	qpdfCheck(t, out)
	tool(t, "pdfsig")
	dir := t.TempDir()
	if err := pdftest.NSS(dir, pki.AllRoots(card.SignKey), nil, nil); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "ec.pdf")
	os.WriteFile(f, out, 0o644)
	if s, valid, trusted := pdftest.Pdfsig(dir, f); valid != 1 || trusted != 1 {
		t.Errorf("pdfsig:\n%s", s)
	}
}
