package pdf

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// signedForm is the hand-written form PDF signed at B-B.
func signedForm(t *testing.T) []byte {
	t.Helper()
	return signSoft(t, formPDF(), SignOptions{Reason: "test"})
}

// problems verifies data and returns each signature's problem codes.
func problems(t *testing.T, data []byte) [][]string {
	t.Helper()
	rep, err := Verify(context.Background(), data, VerifyOptions{Roots: testRoots(t)})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	var out [][]string
	for _, s := range rep.Signatures {
		var codes []string
		for _, p := range s.Problems {
			codes = append(codes, p.Code)
		}
		out = append(out, codes)
	}
	return out
}

// wantProblem checks that signature i fails with code (and only that
// code first).
func wantProblem(t *testing.T, data []byte, i int, code string) {
	t.Helper()
	got := problems(t, data)
	if i >= len(got) {
		t.Fatalf("%d signatures found, want at least %d", len(got), i+1)
	}
	if len(got[i]) == 0 || got[i][0] != code {
		t.Fatalf("signature %d problems %v, want %s first", i, got[i], code)
	}
}

var byteRangeRE = regexp.MustCompile(`/ByteRange \[0 (\d+) (\d+) (\d+) *\]`)

// setByteRange rewrites the last /ByteRange in place (same width).
func setByteRange(t *testing.T, data []byte, f func(a, b, c int) (int, int, int)) []byte {
	t.Helper()
	locs := byteRangeRE.FindAllSubmatchIndex(data, -1)
	if len(locs) == 0 {
		t.Fatal("no /ByteRange")
	}
	l := locs[len(locs)-1]
	var a, b, c int
	fmt.Sscan(string(data[l[2]:l[3]]), &a)
	fmt.Sscan(string(data[l[4]:l[5]]), &b)
	fmt.Sscan(string(data[l[6]:l[7]]), &c)
	a, b, c = f(a, b, c)
	repl := fmt.Sprintf("/ByteRange [0 %d %d %d", a, b, c)
	width := l[1] - l[0] - 1
	if len(repl) > width {
		t.Fatal("replacement too wide")
	}
	out := bytes.Clone(data)
	copy(out[l[0]:], repl+strings.Repeat(" ", width-len(repl))+"]")
	return out
}

func TestAttackByteRangeWidened(t *testing.T) {
	out := setByteRange(t, signedForm(t), func(a, b, c int) (int, int, int) { return a - 40, b + 40, c - 40 })
	wantProblem(t, out, 0, CodeHole)
}

func TestAttackByteRangeShifted(t *testing.T) {
	out := setByteRange(t, signedForm(t), func(a, b, c int) (int, int, int) { return a + 2, b + 2, c - 2 })
	wantProblem(t, out, 0, CodeHole)
}

func TestAttackByteRangeShort(t *testing.T) {
	out := setByteRange(t, signedForm(t), func(a, b, c int) (int, int, int) { return a, b, c - 100 })
	wantProblem(t, out, 0, CodeNotRevision)
}

// appendUpdate appends an incremental update made by f.
func appendUpdate(t *testing.T, data []byte, f func(d *document, u *update)) []byte {
	t.Helper()
	d, err := readDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	u, err := newUpdate(d)
	if err != nil {
		t.Fatal(err)
	}
	f(d, u)
	out, _, err := u.write()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAttackSecondSigCoversLess adds, after a valid signature, a second
// signature dictionary that reuses the first one's /ByteRange and CMS: it
// covers only the earlier revision.
func TestAttackSecondSigCoversLess(t *testing.T) {
	in := signedForm(t)
	m := byteRangeRE.FindSubmatch(in)
	contents := regexp.MustCompile(`/Contents <([0-9A-F]+)>`).FindSubmatch(in)
	out := appendUpdate(t, in, func(d *document, u *update) {
		n := u.alloc()
		u.put(n, 0, []byte(fmt.Sprintf("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 %s %s %s] /Contents <%s> >>",
			m[1], m[2], m[3], contents[1])))
	})
	got := problems(t, out)
	if len(got) != 2 {
		t.Fatalf("%d signatures, want 2: %v", len(got), got)
	}
	if len(got[0]) != 0 {
		t.Errorf("the genuine signature: %v", got[0])
	}
	if len(got[1]) == 0 || got[1][0] != CodeNotRevision {
		t.Errorf("the second /Sig: %v, want %s", got[1], CodeNotRevision)
	}
}

func TestAttackAddPageAfterSigning(t *testing.T) {
	in := signedForm(t)
	out := appendUpdate(t, in, func(d *document, u *update) {
		c, p := u.alloc(), u.alloc()
		u.put(c, 0, []byte("<< /Length 36 >>\nstream\nBT /F1 12 Tf 72 760 Td (Evil) Tj ET\nendstream"))
		u.put(p, 0, []byte(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>", c)))
		u.put(2, 0, []byte(fmt.Sprintf("<< /Type /Pages /Kids [3 0 R %d 0 R] /Count 2 >>", p)))
	})
	qpdfCheck(t, out)
	wantProblem(t, out, 0, CodeModified)
	kinds := changeKinds(t, out)
	if !slices.Contains(kinds, ChangePages) {
		t.Errorf("changes %v lack %s", kinds, ChangePages)
	}
}

func TestAttackReplaceContentStream(t *testing.T) {
	in := signedForm(t)
	out := appendUpdate(t, in, func(d *document, u *update) {
		u.put(4, 0, []byte("<< /Length 38 >>\nstream\nBT /F1 12 Tf 72 760 Td (Revoked) Tj ET\nendstream"))
	})
	wantProblem(t, out, 0, CodeModified)
	if kinds := changeKinds(t, out); !slices.Contains(kinds, ChangePageContent) {
		t.Errorf("changes %v lack %s", kinds, ChangePageContent)
	}
}

func TestAttackAddAnnotationAndField(t *testing.T) {
	in := signedForm(t)
	out := appendUpdate(t, in, func(d *document, u *update) {
		a := u.alloc()
		u.put(a, 0, []byte("<< /Type /Annot /Subtype /FreeText /Rect [72 600 300 640] /Contents (void) /DA (/Helv 12 Tf 0 g) >>"))
		u.put(3, 0, []byte(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [5 0 R 8 0 R %d 0 R] >>", a)))
	})
	wantProblem(t, out, 0, CodeModified)
	if kinds := changeKinds(t, out); !slices.Contains(kinds, ChangeAnnotation) {
		t.Errorf("changes %v lack %s", kinds, ChangeAnnotation)
	}
	out = appendUpdate(t, in, func(d *document, u *update) {
		u.put(5, 0, []byte("<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (Suzuki) /Rect [72 700 300 720] /P 3 0 R /F 4 >>"))
	})
	wantProblem(t, out, 0, CodeModified)
	if kinds := changeKinds(t, out); !slices.Contains(kinds, ChangeFormField) {
		t.Errorf("changes %v lack %s", kinds, ChangeFormField)
	}
}

// TestMetadataChangeAllowed: a later revision that only touches the
// information dictionary is reported but keeps the signature valid.
func TestMetadataChangeAllowed(t *testing.T) {
	in := signedForm(t)
	out := appendUpdate(t, in, func(d *document, u *update) {
		n := u.alloc()
		u.put(n, 0, []byte("<< /Producer (later tool) >>"))
		u.refs.info = fmt.Sprintf("%d 0 R", n)
	})
	rep := verifyOK(t, out, VerifyOptions{Roots: testRoots(t)})
	if s := rep.Signatures[0]; s.WholeFile || len(s.Changes) == 0 {
		t.Errorf("signature %+v: want changes reported and not the whole file", s)
	}
}

func changeKinds(t *testing.T, data []byte) []string {
	t.Helper()
	rep, err := Verify(context.Background(), data, VerifyOptions{Roots: testRoots(t)})
	if err != nil {
		t.Fatal(err)
	}
	var k []string
	for _, c := range rep.Signatures[0].Changes {
		k = append(k, c.Kind)
	}
	return k
}

func TestAttackAuthenticationKey(t *testing.T) {
	h := jpkitest.DefaultHolder()
	out := signWith(t, formPDF(), SignOptions{}, h.AuthKey, h.AuthCert, h.AuthCA)
	wantProblem(t, out, 0, CodeAuthKey)
}

// TestAttackForgedRoot: the signer's certificate copies the holder's,
// issued by a self-made root with the test root's DN.
func TestAttackForgedRoot(t *testing.T) {
	h := jpkitest.DefaultHolder()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(7), RawSubject: h.SignCA.RawSubject, NotBefore: h.SignCA.NotBefore, NotAfter: h.SignCA.NotAfter,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	tmpl := *h.SignCert
	tmpl.ExtraExtensions = h.SignCert.Extensions
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, root, h.SignKey.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := x509.ParseCertificate(der)
	if !bytes.Equal(forged.RawIssuer, h.SignCert.RawIssuer) {
		t.Fatal("forged issuer differs")
	}
	out := signWith(t, formPDF(), SignOptions{}, h.SignKey, forged, root)
	wantProblem(t, out, 0, CodeChain)
	rep, _ := Verify(context.Background(), out, VerifyOptions{Roots: testRoots(t)})
	if r := rep.Signatures[0].ChainReason; r != jpki.ReasonBadSignature {
		t.Errorf("chain reason %v, want %v", r, jpki.ReasonBadSignature)
	}
}

// TestTamperedContent: one byte of the signed revision changed.
func TestTamperedContent(t *testing.T) {
	out := signedForm(t)
	i := bytes.Index(out, []byte("(Yamada)"))
	out[i+1] = 'X'
	wantProblem(t, out, 0, CodeDigest)
}

func TestSignTwice(t *testing.T) {
	in := signedForm(t)
	later := time.Now().Add(time.Minute)
	out := signSoft(t, in, SignOptions{Time: later})
	rep := verifyOK(t, out, VerifyOptions{Roots: testRoots(t)})
	if len(rep.Signatures) != 2 || rep.Signatures[0].WholeFile || !rep.Signatures[1].WholeFile {
		t.Fatalf("signatures %+v", rep.Signatures)
	}
	if rep.Signatures[0].Field != "Signature1" || rep.Signatures[1].Field != "Signature2" {
		t.Errorf("fields %q %q", rep.Signatures[0].Field, rep.Signatures[1].Field)
	}
	for _, c := range rep.Signatures[0].Changes {
		if c.Alters {
			t.Errorf("change %+v alters", c)
		}
	}
	qpdfCheck(t, out)
	pdfsigValid(t, out, 2)
}

// TestTruncatedAndBroken: truncated or broken files are refused with an
// error (signing) or never reported valid (verification).
func TestTruncatedAndBroken(t *testing.T) {
	signed := signedForm(t)
	roots := testRoots(t)
	for _, n := range []int{0, 10, len(signed) / 3, len(signed) / 2, len(signed) - 200, len(signed) - 7, len(signed) - 1} {
		rep, err := Verify(context.Background(), signed[:n], VerifyOptions{Roots: roots})
		if err == nil && rep.Valid() {
			t.Errorf("truncated to %d bytes: valid", n)
		}
		if _, err := Prepare(signed[:n], SignOptions{}); err == nil && n < len(signed)-1 {
			t.Errorf("truncated to %d bytes: prepared for signing", n)
		}
	}
	enc := bytes.Replace(formPDF(), []byte("/Root 1 0 R"), []byte("/Root 1 0 R /Encrypt << /Filter /Standard >>"), 1)
	if _, err := Prepare(enc, SignOptions{}); err == nil {
		t.Error("an encrypted PDF was prepared for signing")
	}
	if _, err := Prepare([]byte("%PDF-1.7\n"), SignOptions{}); err == nil {
		t.Error("a PDF without trailer was prepared")
	}
}

// TestInlineSignatureDictionary: a signature field whose value is a direct
// dictionary is reported, and refused.
func TestInlineSignatureDictionary(t *testing.T) {
	in := buildPDFForTest([]string{
		"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
		"<< /Type /Annot /Subtype /Widget /FT /Sig /T (S) /Rect [0 0 0 0] /P 3 0 R /V << /Type /Sig /SubFilter /ETSI.CAdES.detached /ByteRange [0 1 2 3] /Contents <00> >> >>",
	})
	wantProblem(t, in, 0, CodeInline)
}

// TestDocMDP: a certification signature with P=1 is broken by a later
// signature; with P=2 it is not.
func TestDocMDP(t *testing.T) {
	roots := testRoots(t)
	cert1 := signSoft(t, formPDF(), SignOptions{DocMDP: 1})
	verifyOK(t, cert1, VerifyOptions{Roots: roots})
	pdfsigValid(t, cert1, 1)
	wantProblem(t, signSoft(t, cert1, SignOptions{}), 0, CodeDocMDP)
	cert2 := signSoft(t, formPDF(), SignOptions{DocMDP: 2})
	verifyOK(t, signSoft(t, cert2, SignOptions{}), VerifyOptions{Roots: roots})
	if _, err := Prepare(cert2, SignOptions{DocMDP: 2}); err == nil {
		t.Error("a second certification signature was prepared")
	}
}

// TestUniversalSignatureForgery: a /ByteRange or /Contents that is
// missing, null, empty or nonsense never verifies (the "USF" class).
func TestUniversalSignatureForgery(t *testing.T) {
	signed := signedForm(t)
	l := byteRangeRE.FindIndex(signed)
	width := l[1] - l[0]
	for _, br := range []string{"/ByteRange [0 0 0 0]", "/ByteRange []", "/ByteRange null", "/ByteRange [0 -1 5 5]",
		"/ByteRange [1 2 3 4]", "/ByteRange [0 10 20 30 40]", "/ByteRange (x)", "/Foo [0 1 2 3]"} {
		out := bytes.Clone(signed)
		copy(out[l[0]:], br+strings.Repeat(" ", width-len(br)))
		if rep, err := Verify(context.Background(), out, VerifyOptions{Roots: testRoots(t)}); err == nil && rep.Valid() {
			t.Errorf("%s: valid", br)
		}
	}
	c := bytes.Index(signed, []byte("/Contents <"))
	for _, repl := range []string{"/Contents () ", "/Contents null", "/Foobars <"} {
		out := bytes.Clone(signed)
		copy(out[c:], repl)
		if rep, err := Verify(context.Background(), out, VerifyOptions{Roots: testRoots(t)}); err == nil && rep.Valid() {
			t.Errorf("%s: valid", repl)
		}
	}
}

// TestUnreadableLaterObject: a later revision redefines the content
// stream with syntax the PDF library drops; it is still a change that
// alters the display.
func TestUnreadableLaterObject(t *testing.T) {
	in := signedForm(t)
	out := appendUpdate(t, in, func(d *document, u *update) {
		u.put(4, 0, []byte("<< /Length 38 /Broken <<< >>\nstream\nBT /F1 12 Tf 72 760 Td (Revoked) Tj ET\nendstream"))
	})
	wantProblem(t, out, 0, CodeModified)
}

// TestDefinedObjects reads the objects each section defines, for a table
// and for a pdfcpu cross-reference stream (Flate, PNG predictor).
func TestDefinedObjects(t *testing.T) {
	for name, in := range producers(t) {
		d, err := readDocument(in)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, s := range d.sections {
			nums, err := definedObjects(in, s)
			if err != nil {
				t.Fatalf("%s: section at %d: %v", name, s.offset, err)
			}
			total += len(nums)
		}
		if total == 0 {
			t.Errorf("%s: no objects defined", name)
		}
	}
}

// TestTooManyRevisions: more than MaxRevisions revisions are refused
// instead of parsed one by one.
func TestTooManyRevisions(t *testing.T) {
	out := signedForm(t)
	for i := 0; i < MaxRevisions; i++ {
		out = appendUpdate(t, out, func(d *document, u *update) {
			u.put(u.alloc(), 0, []byte("<< /Producer (x) >>"))
		})
	}
	if _, err := Verify(context.Background(), out, VerifyOptions{Roots: testRoots(t)}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("err %v", err)
	}
}
