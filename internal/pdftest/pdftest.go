// Package pdftest makes what the PDF signature tests need: PDFs from
// several producers (Ghostscript, LibreOffice, pdfcpu, an image scan, a
// form written by hand), a time-stamping authority (`openssl ts` behind a
// loopback HTTP handler), and an NSS database for poppler's pdfsig with
// roots trusted and a key to sign with. It is test support only.
package pdftest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// Tools are the programs Producers, StartTSA and NSS need.
var Tools = []string{"gs", "soffice", "openssl", "certutil", "pk12util", "pdfsig", "qpdf"}

// Missing returns the tools of Tools that are not installed.
func Missing() []string {
	var out []string
	for _, t := range Tools {
		if _, err := exec.LookPath(t); err != nil {
			out = append(out, t)
		}
	}
	return out
}

// FormPDF is a one-page PDF with an AcroForm text field, written by hand
// with a classic cross-reference table.
func FormPDF() []byte {
	return BuildPDF([]string{
		"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] /DA (/Helv 0 Tf 0 g) >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> /Contents 4 0 R /Annots [5 0 R] >>",
		"<< /Length 43 >>\nstream\nBT /F1 12 Tf 72 760 Td (Application) Tj ET\nendstream",
		"<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (Yamada) /Rect [72 700 300 720] /P 3 0 R /F 4 >>",
	})
}

// BuildPDF writes objects 1..n (bodies given) with a cross-reference
// table; object 1 is the catalog.
func BuildPDF(objs []string) []byte {
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

var (
	prodOnce sync.Once
	prodPDFs map[string][]byte
	prodErr  error
)

// Producers returns PDFs made by Ghostscript ("ghostscript", two pages,
// cross-reference table), LibreOffice ("libreoffice", Japanese text),
// pdfcpu ("pdfcpu", object and cross-reference streams), an image import
// ("scanned"), FormPDF ("form") and the Ghostscript PDF linearized by
// qpdf ("linearized"). They are made once per process.
func Producers() (map[string][]byte, error) {
	prodOnce.Do(func() { prodPDFs, prodErr = makeProducers() })
	return prodPDFs, prodErr
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
	model.ConfigPath = "disable"
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
	out["form"] = FormPDF()
	lin := filepath.Join(dir, "lin.pdf")
	if b, err := exec.Command("qpdf", "--linearize", gsPDF, lin).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("qpdf --linearize: %v\n%s", err, b)
	}
	if out["linearized"], err = os.ReadFile(lin); err != nil {
		return nil, err
	}
	return out, nil
}

// TSA is a running test time-stamping authority.
type TSA struct {
	URL  string
	Root *x509.Certificate
	srv  *httptest.Server
	dir  string
}

// RootPEM is the authority's root in PEM.
func (t *TSA) RootPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: t.Root.Raw})
}

// Close stops the authority and removes its files.
func (t *TSA) Close() {
	t.srv.Close()
	os.RemoveAll(t.dir)
}

var oidTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}

// StartTSA starts a time-stamping authority on loopback: an HTTP handler
// that answers each request with `openssl ts -reply`, signing with a TSA
// certificate (critical timeStamping key usage, ESS signing-certificate-v2)
// under a root of its own.
func StartTSA() (*TSA, error) {
	dir, err := os.MkdirTemp("", "mynacard-tsa-")
	if err != nil {
		return nil, err
	}
	rootKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	tsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	now := time.Now()
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mynacard test TSA root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		return nil, err
	}
	root, _ := x509.ParseCertificate(rootDER)
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidTimeStamping})
	tsaTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "mynacard test TSA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}}}
	tsaDER, err := x509.CreateCertificate(rand.Reader, tsaTmpl, root, &tsaKey.PublicKey, rootKey)
	if err != nil {
		return nil, err
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(tsaKey)
	files := map[string][]byte{
		"tsa.key": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		"tsa.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tsaDER}),
		"ca.pem":  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rootDER}),
		"serial":  []byte("01\n"),
		"tsa.cnf": []byte(fmt.Sprintf(`[ tsa ]
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
`, dir)),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return nil, err
		}
	}
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
		if out, err := exec.Command("openssl", "ts", "-reply", "-config", filepath.Join(dir, "tsa.cnf"), "-queryfile", qf, "-out", rf).CombinedOutput(); err != nil {
			http.Error(w, string(out), http.StatusInternalServerError)
			return
		}
		resp, _ := os.ReadFile(rf)
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(resp)
	}))
	return &TSA{URL: srv.URL, Root: root, srv: srv, dir: dir}, nil
}

// NSS makes an NSS database in dir (for pdfsig -nssdir sql:DIR) that
// trusts roots and, when key is set, holds key and cert as "holder".
func NSS(dir string, roots []*x509.Certificate, key crypto.PrivateKey, cert *x509.Certificate) error {
	db := "sql:" + dir
	do := func(name string, args ...string) error {
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := do("certutil", "-N", "-d", db, "--empty-password"); err != nil {
		return err
	}
	for i, r := range roots {
		f := filepath.Join(dir, fmt.Sprintf("root%d.pem", i))
		if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.Raw}), 0o644); err != nil {
			return err
		}
		if err := do("certutil", "-A", "-d", db, "-n", fmt.Sprintf("root-%d", i), "-t", "CT,C,C", "-i", f); err != nil {
			return err
		}
	}
	if key == nil {
		return nil
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	kf, cf, pf := filepath.Join(dir, "k.pem"), filepath.Join(dir, "c.pem"), filepath.Join(dir, "h.p12")
	defer os.Remove(kf)
	os.WriteFile(kf, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	os.WriteFile(cf, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644)
	if err := do("openssl", "pkcs12", "-export", "-inkey", kf, "-in", cf, "-name", "holder", "-passout", "pass:", "-out", pf); err != nil {
		return err
	}
	return do("pk12util", "-i", pf, "-d", db, "-W", "")
}

// Pdfsig runs poppler's pdfsig on file with the NSS database in dir and
// returns its output and how many signatures it calls valid and how many
// certificates trusted.
func Pdfsig(dir, file string) (out string, valid, trusted int) {
	b, _ := exec.Command("pdfsig", "-nssdir", "sql:"+dir, file).CombinedOutput()
	s := string(b)
	return s, strings.Count(s, "Signature Validation: Signature is Valid."), strings.Count(s, "Certificate Validation: Certificate is Trusted.")
}

// QPDFCheck runs qpdf --check on file.
func QPDFCheck(file string) error {
	b, err := exec.Command("qpdf", "--check", file).CombinedOutput()
	if err != nil || !bytes.Contains(b, []byte("No syntax or stream encoding errors found")) {
		return fmt.Errorf("qpdf --check %s: %v\n%s", file, err, b)
	}
	return nil
}
