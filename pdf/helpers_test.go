package pdf

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// testRoots trusts the test PKI's signing roots.
func testRoots(t testing.TB) *jpki.Roots {
	t.Helper()
	pki := jpkitest.Default()
	r, err := jpki.NewRoots(jpki.WithTestHierarchy(pki.Roots(jpkitest.KindSign)...))
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

func run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(tool(t, name), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.Bytes()
}

// qpdfCheck runs qpdf --check on data.
func qpdfCheck(t testing.TB, data []byte) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "check.pdf")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := run(t, "qpdf", "--check", f)
	if !bytes.Contains(out, []byte("No syntax or stream encoding errors found")) {
		t.Fatalf("qpdf --check:\n%s", out)
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
		dir, err := os.MkdirTemp("", "mynacard-pdf-nss-")
		if err != nil {
			nssErr = err
			return
		}
		nssDir = dir
		do := func(name string, args ...string) {
			if nssErr != nil {
				return
			}
			out, err := exec.Command(name, args...).CombinedOutput()
			if err != nil {
				nssErr = fmt.Errorf("%s %v: %v\n%s", name, args, err, out)
			}
		}
		db := "sql:" + dir
		do("certutil", "-N", "-d", db, "--empty-password")
		for i, r := range jpkitest.Default().Roots(jpkitest.KindSign) {
			f := filepath.Join(dir, fmt.Sprintf("root%d.pem", i))
			os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.Raw}), 0o644)
			do("certutil", "-A", "-d", db, "-n", fmt.Sprintf("jpki-test-root-%d", i), "-t", "CT,C,C", "-i", f)
		}
		h := jpkitest.DefaultHolder()
		key, _ := x509.MarshalPKCS8PrivateKey(h.SignKey)
		kf, cf, pf := filepath.Join(dir, "k.pem"), filepath.Join(dir, "c.pem"), filepath.Join(dir, "h.p12")
		os.WriteFile(kf, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600)
		os.WriteFile(cf, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.SignCert.Raw}), 0o644)
		do("openssl", "pkcs12", "-export", "-inkey", kf, "-in", cf, "-name", "holder", "-passout", "pass:", "-out", pf)
		do("pk12util", "-i", pf, "-d", db, "-W", "")
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
	f := filepath.Join(t.TempDir(), "sig.pdf")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tool(t, "pdfsig"), "-nssdir", "sql:"+dir, f)
	out, _ := cmd.CombinedOutput()
	s := string(out)
	if got := strings.Count(s, "Signature Validation: Signature is Valid."); got != n {
		t.Fatalf("pdfsig: %d valid signatures, want %d:\n%s", got, n, s)
	}
	if got := strings.Count(s, "Certificate Validation: Certificate is Trusted."); got != n {
		t.Fatalf("pdfsig: %d trusted certificates, want %d:\n%s", got, n, s)
	}
	return s
}

// Producer PDFs, made once per test binary.
var (
	producersOnce sync.Once
	producerPDFs  map[string][]byte
	producerErr   error
)

// producers returns PDFs made by LibreOffice, Ghostscript and pdfcpu, a
// scanned-image PDF (pdfcpu image import), and a PDF with form fields
// (written by hand).
func producers(t testing.TB) map[string][]byte {
	t.Helper()
	tool(t, "gs")
	tool(t, "soffice")
	producersOnce.Do(func() {
		producerPDFs, producerErr = makeProducers()
	})
	if producerErr != nil {
		t.Fatal(producerErr)
	}
	return producerPDFs
}

func makeProducers() (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "mynacard-pdf-producers-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := map[string][]byte{}
	ps := filepath.Join(dir, "a.ps")
	os.WriteFile(ps, []byte("%!PS\n/Helvetica findfont 24 scalefont setfont\n72 700 moveto (Ghostscript page one) show showpage\n72 700 moveto (page two) show showpage\n"), 0o644)
	gsPDF := filepath.Join(dir, "gs.pdf")
	if b, err := exec.Command("gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", "-o", gsPDF, ps).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("gs: %v\n%s", err, b)
	}
	if out["ghostscript"], err = os.ReadFile(gsPDF); err != nil {
		return nil, err
	}
	txt := filepath.Join(dir, "lo.txt")
	os.WriteFile(txt, []byte("契約書 — LibreOffice で作成\nsecond line\n"), 0o644)
	lo := exec.Command("soffice", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", dir, txt)
	lo.Env = append(os.Environ(), "HOME="+dir)
	if b, err := lo.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("soffice: %v\n%s", err, b)
	}
	if out["libreoffice"], err = os.ReadFile(filepath.Join(dir, "lo.pdf")); err != nil {
		return nil, fmt.Errorf("soffice made no PDF: %v", err)
	}
	conf := model.NewDefaultConfiguration()
	var opt bytes.Buffer
	if err := api.Optimize(bytes.NewReader(out["ghostscript"]), &opt, conf); err != nil {
		return nil, fmt.Errorf("pdfcpu optimize: %v", err)
	}
	out["pdfcpu"] = opt.Bytes()
	img := image.NewGray(image.Rect(0, 0, 200, 280))
	for y := 0; y < 280; y++ {
		for x := 0; x < 200; x++ {
			img.SetGray(x, y, color.Gray{Y: uint8(255 - (x*y)%97)})
		}
	}
	var pngb bytes.Buffer
	png.Encode(&pngb, img)
	var scan bytes.Buffer
	if err := api.ImportImages(nil, &scan, []io.Reader{&pngb}, pdfcpu.DefaultImportConfig(), conf); err != nil {
		return nil, fmt.Errorf("pdfcpu import image: %v", err)
	}
	out["scanned"] = scan.Bytes()
	out["form"] = formPDF()
	return out, nil
}

// formPDF is a one-page PDF with an AcroForm text field, written by hand
// with a classic cross-reference table.
func formPDF() []byte {
	return buildPDF([]string{
		"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] /DA (/Helv 0 Tf 0 g) >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [5 0 R] >>",
		"<< /Length 43 >>\nstream\nBT /F1 12 Tf 72 760 Td (Application) Tj ET\nendstream",
		"<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (Yamada) /Rect [72 700 300 720] /P 3 0 R /F 4 >>",
	})
}

// buildPDF writes objects 1..n (bodies given) with a cross-reference
// table; object 1 is the catalog.
func buildPDF(objs []string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}
