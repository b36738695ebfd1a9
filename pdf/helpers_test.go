package pdf

import (
	"context"
	"crypto"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/pdftest"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// testRoots trusts the test PKI's signing roots.
func testRoots(t testing.TB) *jpki.Roots {
	t.Helper()
	pki := jpkitest.Default()
	r, err := jpki.NewRoots(jpki.WithTestHierarchy(pki.Roots(card.SignKey)...))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// signSoft signs in at opts with the default test holder's software
// signing key.
func signSoft(t testing.TB, in []byte, opts SignOptions) []byte {
	t.Helper()
	h := jpkitest.DefaultHolder()
	return signWith(t, in, opts, h.SignKey, h.SignCert, h.SignCA)
}

func signWith(t testing.TB, in []byte, opts SignOptions, key crypto.Signer, cert, ca *x509.Certificate) []byte {
	t.Helper()
	p, err := Prepare(in, opts)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	out, err := p.Sign(context.Background(), key, cert, []*x509.Certificate{ca})
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return out
}

// verifyOK verifies data and fails the test unless every signature is
// valid.
func verifyOK(t testing.TB, data []byte, opts VerifyOptions) *Report {
	t.Helper()
	rep, err := Verify(context.Background(), data, opts)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !rep.Valid() {
		for _, s := range rep.Signatures {
			t.Errorf("signature %d (rev %d): %+v changes %+v", s.Object, s.Revision, s.Problems, s.Changes)
		}
		t.Fatalf("report not valid: %+v", rep.Problems)
	}
	return rep
}

// tool returns the path of a program, skipping the test when it is
// missing (scripts/test.sh installs them all).
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("MYNACARD_PCSCTEST_REQUIRE") == "1" {
			t.Fatalf("%s not installed", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// qpdfCheck runs qpdf --check on data.
func qpdfCheck(t testing.TB, data []byte) {
	t.Helper()
	tool(t, "qpdf")
	f := filepath.Join(t.TempDir(), "check.pdf")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := pdftest.QPDFCheck(f); err != nil {
		t.Fatal(err)
	}
}

var (
	nssOnce sync.Once
	nssDir  string
	nssErr  error
)

// nssDB returns an NSS database trusting the test signing roots (for
// poppler's pdfsig) and holding the default holder's signing key as
// "holder" (for pdfsig -add-signature).
func nssDB(t testing.TB) string {
	t.Helper()
	tool(t, "certutil")
	tool(t, "pk12util")
	tool(t, "openssl")
	nssOnce.Do(func() {
		nssDir, nssErr = os.MkdirTemp("", "mynacard-pdf-nss-")
		if nssErr == nil {
			h := jpkitest.DefaultHolder()
			nssErr = pdftest.NSS(nssDir, jpkitest.Default().Roots(card.SignKey), h.SignKey, h.SignCert)
		}
	})
	if nssErr != nil {
		t.Fatal(nssErr)
	}
	return nssDir
}

// pdfsigValid runs poppler's pdfsig with the test roots trusted and
// checks that it reports n signatures, each valid and trusted.
func pdfsigValid(t testing.TB, data []byte, n int) string {
	t.Helper()
	dir := nssDB(t)
	tool(t, "pdfsig")
	f := filepath.Join(t.TempDir(), "sig.pdf")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, valid, trusted := pdftest.Pdfsig(dir, f)
	if valid != n || trusted != n {
		t.Fatalf("pdfsig: %d valid signatures and %d trusted certificates, want %d:\n%s", valid, trusted, n, out)
	}
	return out
}

// producers returns the producers' PDFs (internal/pdftest).
func producers(t testing.TB) map[string][]byte {
	t.Helper()
	tool(t, "gs")
	tool(t, "soffice")
	p, err := pdftest.Producers()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func formPDF() []byte { return pdftest.FormPDF() }

func buildPDFForTest(objs []string) []byte { return pdftest.BuildPDF(objs) }
