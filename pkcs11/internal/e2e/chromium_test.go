package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// chromiumPolicyDir is where Debian's Chromium reads managed policies.
const chromiumPolicyDir = "/etc/chromium/policies/managed"

// TestChromiumClientAuth: headless Chromium with an NSS database that
// registers the module, an AutoSelectCertificateForUrls policy for the
// test server, and a Go HTTPS server on loopback that requires a client
// certificate chaining to the test authentication root. The page shows
// the authenticated holder; the screenshot is kept under
// testout/pkcs11-e2e (and $MYNACARD_TEST_OUT/pkcs11-e2e).
//
// Chromium cannot answer its own PIN dialog headless, so the module runs
// with a PIN helper (pin-helper, the protected authentication path): the
// token needs no C_Login and the helper gives the PIN at the signature,
// with every PIN rule of the card layer applied before it is asked.
func TestChromiumClientAuth(t *testing.T) {
	chrome := ""
	for _, n := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(n); err == nil {
			chrome = p
			break
		}
	}
	_, errCU := exec.LookPath("certutil")
	_, errMU := exec.LookPath("modutil")
	if chrome == "" || errCU != nil || errMU != nil {
		if os.Getenv(pcsctest.EnvRequire) == "1" {
			t.Fatal("chromium and libnss3-tools are needed")
		}
		t.Skip("chromium or libnss3-tools not installed")
	}
	if err := os.MkdirAll(chromiumPolicyDir, 0o755); err != nil {
		if os.Getenv(pcsctest.EnvRequire) == "1" {
			t.Fatalf("cannot write Chromium's policy directory: %v", err)
		}
		t.Skipf("cannot write Chromium's policy directory: %v", err)
	}

	dir := t.TempDir()
	pinFile := filepath.Join(dir, "pin")
	if err := os.WriteFile(pinFile, []byte(authPIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	helper := filepath.Join(dir, "pin-helper")
	if err := os.WriteFile(helper, []byte("#!/bin/sh\n[ \"$MYNACARD_PIN_KIND\" = auth ] || exit 1\necho \"$MYNACARD_PIN_TRIES\" > "+filepath.Join(dir, "asked")+"\ncat "+pinFile+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, "keys = auth\npin-helper = "+helper+"\n")

	// The server: TLS 1.2 (the card signs PKCS#1 v1.5; TLS 1.3 wants PSS),
	// a client certificate required and verified against the test PKI's
	// authentication roots at the PKI's reference time.
	roots := jpkitest.Default().Pool(card.AuthKey)
	srvCert := selfSigned(t)
	var verified *x509.Certificate
	tlsCfg := &tls.Config{
		Certificates: []tls.Certificate{srvCert},
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   tls.VersionTLS12,
		ClientAuth:   tls.RequireAnyClientCert,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("no client certificate")
			}
			c, err := x509.ParseCertificate(raw[0])
			if err != nil {
				return err
			}
			if _, err := c.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: jpkitest.ReferenceTime(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
				return fmt.Errorf("client certificate: %w", err)
			}
			verified = c
			return nil
		},
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", tlsCfg)
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
			http.Error(w, "no client certificate", http.StatusUnauthorized)
			return
		}
		c := r.TLS.PeerCertificates[0]
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="ja"><meta charset="utf-8"><title>mynacard</title>
<body style="font-family:sans-serif"><h1>マイナンバーカードで認証しました</h1>
<p>認証された利用者 (利用者証明用電子証明書の主体者):</p><p id="holder">%s</p><p>発行者: %s</p><p>シリアル番号: %X</p></body></html>`,
			html.EscapeString(c.Subject.String()), html.EscapeString(c.Issuer.String()), c.SerialNumber)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { _ = srv.Close() })

	// The NSS database Chromium uses ($HOME/.pki/nssdb) with the module.
	home := filepath.Join(dir, "home")
	db := "sql:" + filepath.Join(home, ".pki", "nssdb")
	if err := os.MkdirAll(filepath.Join(home, ".pki", "nssdb"), 0o700); err != nil {
		t.Fatal(err)
	}
	e.must("", "certutil", "-N", "-d", db, "--empty-password")
	e.must("", "modutil", "-force", "-dbdir", db, "-add", "mynacard", "-libfile", modulePath)
	out := e.must("", "modutil", "-dbdir", db, "-list")
	mustContain(t, out, "mynacard", "JPKI 利用者証明用")

	// The policy: pick the card's certificate for this server only.
	pattern, _ := json.Marshal(map[string]any{"pattern": fmt.Sprintf("https://127.0.0.1:%d", port), "filter": map[string]any{}})
	policy, _ := json.Marshal(map[string]any{"AutoSelectCertificateForUrls": []string{string(pattern)}})
	policyFile := filepath.Join(chromiumPolicyDir, fmt.Sprintf("mynacard-pkcs11-e2e-%d.json", port))
	if err := os.WriteFile(policyFile, policy, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(policyFile) })

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "ja"),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1024, 600),
		chromedp.Env("HOME="+home, "MYNACARD_PKCS11_CONF="+e.conf),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	ctx, cancel3 := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel3()
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("https://127.0.0.1:%d/", port)), chromedp.WaitVisible(chromedp.CSS("#holder"))); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	holder, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#holder")))
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	want := jpkitest.DefaultHolder().AuthCert
	if verified == nil || !verified.Equal(want) {
		t.Fatal("the server did not verify the card's authentication certificate")
	}
	if strings.TrimSpace(holder) != want.Subject.String() {
		t.Fatalf("page shows %q, want %q", holder, want.Subject.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, "asked")); err != nil || strings.TrimSpace(string(b)) != "3" {
		t.Fatalf("the PIN helper was not asked with 3 tries left: %q %v", b, err)
	}
	keepScreenshot(t, "chromium-client-auth.png", png)
}

// keepScreenshot writes png under testout/pkcs11-e2e in the repository
// (gitignored) and under $MYNACARD_TEST_OUT/pkcs11-e2e.
func keepScreenshot(t *testing.T, name string, png []byte) {
	dirs := []string{filepath.Join("..", "..", "..", "testout", "pkcs11-e2e")}
	if d := os.Getenv("MYNACARD_TEST_OUT"); d != "" {
		dirs = append(dirs, filepath.Join(d, "pkcs11-e2e"))
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		abs, _ := filepath.Abs(p)
		t.Logf("screenshot: %s", abs)
	}
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}
}
