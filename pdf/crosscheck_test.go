package pdf

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPopplerSignedVerifiesHere: a PDF signed by poppler's own pdfsig
// -add-signature (NSS, the test holder's key) verifies in this package;
// and this package's signature over it verifies in poppler.
func TestPopplerSignedVerifiesHere(t *testing.T) {
	dir := nssDB(t)
	tmp := t.TempDir()
	in, out := filepath.Join(tmp, "in.pdf"), filepath.Join(tmp, "poppler.pdf")
	if err := os.WriteFile(in, formPDF(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tool(t, "pdfsig"), "-nssdir", "sql:"+dir, "-add-signature", "-nick", "holder", "-digest", "SHA256", "-reason", "poppler cross-check", in, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdfsig -add-signature: %v\n%s", err, b)
	}
	signed, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rep := verifyOK(t, signed, VerifyOptions{Roots: testRoots(t)})
	s := rep.Signatures[0]
	t.Logf("poppler's signature: subfilter %s level %q reason %q", s.SubFilter, s.Level, s.Reason)
	if s.Signer == nil || s.Signer.Attributes == nil || s.Reason != "poppler cross-check" {
		t.Fatalf("signature %+v", s)
	}
	both := signSoft(t, signed, SignOptions{})
	verifyOK(t, both, VerifyOptions{Roots: testRoots(t)})
	qpdfCheck(t, both)
	pdfsigValid(t, both, 2)
}
