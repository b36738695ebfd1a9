package pdf

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/jpki/jpkitest"
)

func TestSignProducersBB(t *testing.T) {
	roots := testRoots(t)
	for name, in := range producers(t) {
		t.Run(name, func(t *testing.T) {
			out := signSoft(t, in, SignOptions{Reason: "契約に同意します", Location: "東京都", ContactInfo: "taro@example.jp"})
			rep := verifyOK(t, out, VerifyOptions{Roots: roots})
			if len(rep.Signatures) != 1 || rep.Signatures[0].Level != "B-B" || !rep.Signatures[0].WholeFile {
				t.Fatalf("report %+v", rep.Signatures[0])
			}
			if got := rep.Signatures[0].Reason; got != "契約に同意します" {
				t.Errorf("reason %q", got)
			}
			qpdfCheck(t, out)
			pdfsigValid(t, out, 1)

			// Signed again: the first signature stays valid, the change
			// is reported as another signature.
			twice := signSoft(t, out, SignOptions{})
			rep = verifyOK(t, twice, VerifyOptions{Roots: roots})
			for _, c := range rep.Signatures[0].Changes {
				if c.Alters || (c.Kind != ChangeSignature && c.Kind != ChangeUnused) {
					t.Errorf("second signature changed %+v", c)
				}
			}
			qpdfCheck(t, twice)
			pdfsigValid(t, twice, 2)
		})
	}
}

// TestVisibleAppearance: with a rectangle the widget is drawn (poppler
// renders non-white pixels there, and none outside), and the signature
// verifies here and in pdfsig. A second visible signature added later
// alters the display, so it fails the first one's coverage.
func TestVisibleAppearance(t *testing.T) {
	tool(t, "pdftoppm")
	rect := [4]float64{100, 600, 300, 700}
	out := signSoft(t, formPDF(), SignOptions{Rect: &rect})
	verifyOK(t, out, VerifyOptions{Roots: testRoots(t)})
	qpdfCheck(t, out)
	pdfsigValid(t, out, 1)
	dir := t.TempDir()
	f := filepath.Join(dir, "v.pdf")
	os.WriteFile(f, out, 0o644)
	if b, err := exec.Command("pdftoppm", "-r", "72", "-gray", "-png", f, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, b)
	}
	pf, err := os.Open(filepath.Join(dir, "page-1.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(pf)
	pf.Close()
	if err != nil {
		t.Fatal(err)
	}
	h := img.Bounds().Dy()
	dark := func(x0, y0, x1, y1 int) int { // PDF coordinates
		n := 0
		for x := x0; x < x1; x++ {
			for y := y0; y < y1; y++ {
				if g, _, _, _ := img.At(x, h-1-y).RGBA(); g < 0xC000 {
					n++
				}
			}
		}
		return n
	}
	if n := dark(100, 600, 300, 700); n < 200 {
		t.Errorf("%d dark pixels in the signature rectangle", n)
	}
	if n := dark(320, 400, 500, 580); n != 0 {
		t.Errorf("%d dark pixels beside it", n)
	}
	rect2 := [4]float64{100, 400, 300, 500}
	twice := signSoft(t, out, SignOptions{Rect: &rect2})
	wantProblem(t, twice, 0, CodeModified)
	if got := problems(t, twice); len(got[1]) != 0 {
		t.Errorf("the later visible signature itself: %v", got[1])
	}
	if _, err := Prepare(formPDF(), SignOptions{Rect: &[4]float64{1, 1, 1, 5}}); err == nil {
		t.Error("an empty rectangle was accepted")
	}
}

// countingSigner counts the signatures asked of it.
type countingSigner struct {
	crypto.Signer
	n int
}

func (c *countingSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	c.n++
	return c.Signer.Sign(r, d, o)
}

// TestReserveTooSmall: a CMS that cannot fit is refused before the signer
// (the card) is asked.
func TestReserveTooSmall(t *testing.T) {
	h := jpkitest.DefaultHolder()
	p, err := Prepare(formPDF(), SignOptions{Reserve: 1000})
	if err != nil {
		t.Fatal(err)
	}
	cs := &countingSigner{Signer: h.SignKey}
	if _, err := p.Sign(context.Background(), cs, h.SignCert, []*x509.Certificate{h.SignCA}); !errors.Is(err, ErrContentsTooSmall) {
		t.Fatalf("err %v", err)
	}
	if cs.n != 0 {
		t.Fatalf("the signer was asked %d times", cs.n)
	}
	p, _ = Prepare(formPDF(), SignOptions{})
	if _, err := p.Sign(context.Background(), cs, h.SignCert, []*x509.Certificate{h.SignCA}); err != nil || cs.n != 1 {
		t.Fatalf("err %v, %d signatures asked", err, cs.n)
	}
}

// TestIndirectFormAndAnnots: a form and a field list that are objects of
// their own, and a page whose /Annots is an object, are extended in place.
func TestIndirectFormAndAnnots(t *testing.T) {
	in := buildPDFForTest([]string{
		"<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots 8 0 R >>",
		"<< /Length 43 >>\nstream\nBT /F1 12 Tf 72 760 Td (Application) Tj ET\nendstream",
		"<< /Type /Annot /Subtype /Widget /FT /Tx /T (Signature1) /V (taken) /Rect [72 700 300 720] /P 3 0 R /F 4 >>",
		"<< /Fields 7 0 R /DA (/Helv 0 Tf 0 g) >>",
		"[5 0 R]",
		"[5 0 R]",
	})
	roots := testRoots(t)
	out := signSoft(t, in, SignOptions{})
	rep := verifyOK(t, out, VerifyOptions{Roots: roots})
	if f := rep.Signatures[0].Field; f != "Signature2" {
		t.Errorf("field %q, want Signature2 (Signature1 is taken)", f)
	}
	qpdfCheck(t, out)
	pdfsigValid(t, out, 1)
	twice := signSoft(t, out, SignOptions{})
	verifyOK(t, twice, VerifyOptions{Roots: roots})
	pdfsigValid(t, twice, 2)
	if _, err := Prepare(in, SignOptions{FieldName: "Signature1"}); err == nil {
		t.Error("a taken field name was accepted")
	}
}

// TestAppearanceJapaneseText: the appearance text is drawn with an
// embedded TrueType subset (IPA Gothic): pdffonts lists it embedded and
// subset, poppler renders it, pdfsig and qpdf accept the file, and the
// subset is far smaller than the font.
func TestAppearanceJapaneseText(t *testing.T) {
	tool(t, "pdffonts")
	var font []byte
	for _, f := range DefaultFontFiles {
		if b, err := os.ReadFile(f); err == nil {
			font = b
			break
		}
	}
	if font == nil {
		t.Skip("no IPA Gothic (fonts-ipafont-gothic)")
	}
	rect := [4]float64{100, 600, 400, 680}
	out := signSoft(t, formPDF(), SignOptions{Rect: &rect, Text: "電子署名　山田　太郎\n2026-12-01 東京都"})
	verifyOK(t, out, VerifyOptions{Roots: testRoots(t)})
	qpdfCheck(t, out)
	pdfsigValid(t, out, 1)
	if len(out) > 200<<10 {
		t.Errorf("signed file is %d bytes (font %d): not a subset?", len(out), len(font))
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "t.pdf")
	os.WriteFile(f, out, 0o644)
	b, err := exec.Command("pdffonts", f).CombinedOutput()
	if err != nil {
		t.Fatalf("pdffonts: %v\n%s", err, b)
	}
	t.Logf("pdffonts:\n%s", b)
	if !strings.Contains(string(b), "CID TrueType") || !regexp.MustCompile(`[A-Z]{6}\+\S+ +CID TrueType +Identity-H +yes +yes +yes`).Match(b) {
		t.Errorf("pdffonts does not list an embedded subset:\n%s", b)
	}
	// Text pixels: the area left of the seal ring (where the first line
	// starts) is drawn.
	if b, err := exec.Command("pdftoppm", "-r", "72", "-gray", "-png", f, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, b)
	}
	pf, _ := os.Open(filepath.Join(dir, "page-1.png"))
	img, err := png.Decode(pf)
	pf.Close()
	if err != nil {
		t.Fatal(err)
	}
	h := img.Bounds().Dy()
	n := 0
	for x := 105; x < 160; x++ {
		for y := 640; y < 676; y++ {
			if g, _, _, _ := img.At(x, h-1-y).RGBA(); g < 0x8000 {
				n++
			}
		}
	}
	if n < 50 {
		t.Errorf("%d dark pixels where the text starts", n)
	}
}
