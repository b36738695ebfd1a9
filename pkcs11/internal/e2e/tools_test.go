package e2e

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/pcsctest"
)

// TestPKCS11Tool lists slots, tokens, objects and mechanisms with
// OpenSC's pkcs11-tool, signs with each key, and verifies each signature
// with openssl against the certificate read through the module. The
// signing certificate appears only after the signing password the first
// time, and before it once cached for this card. p11tool then lists both
// certificates and OpenSSL's engine signs with the card.
func TestPKCS11Tool(t *testing.T) {
	e := newEnv(t, "")
	mod := []string{"--module", modulePath}

	out := e.must("", "pkcs11-tool", append(mod, "--list-slots")...)
	mustContain(t, out, "JPKI 利用者証明用", "JPKI 署名用", e.slot.Reader)
	out = e.must("", "pkcs11-tool", append(mod, "--list-token-slots")...)
	mustContain(t, out, "token label        : JPKI 利用者証明用", "token label        : JPKI 署名用", "token manufacturer : J-LIS", "login required", "PIN initialized")

	out = e.must("", "pkcs11-tool", append(mod, "--slot", "0", "--list-mechanisms")...)
	mustContain(t, out, "RSA-PKCS", "SHA256-RSA-PKCS", "SHA512-RSA-PKCS", "SHA1-RSA-PKCS", "sign")
	if strings.Contains(out, "PSS") {
		t.Errorf("PSS offered:\n%s", out)
	}

	// Before any login: the auth certificate and public key, no private
	// key; the signing token shows nothing (no cache yet).
	out = e.must("", "pkcs11-tool", append(mod, "--slot", "0", "--list-objects")...)
	mustContain(t, out, "Certificate Object", "Public Key Object; RSA 2048 bits", "ID:         01")
	if strings.Contains(out, "Private Key Object") {
		t.Fatalf("private key visible before login:\n%s", out)
	}
	out = e.must("", "pkcs11-tool", append(mod, "--slot", "1", "--list-objects")...)
	if strings.Contains(out, "Object") {
		t.Fatalf("signing token shows objects before its password was ever given:\n%s", out)
	}

	data := e.file("data", []byte("mynacard PKCS#11 test message\n"))
	for _, k := range []struct {
		slot, id, pin, name string
	}{{"0", "01", authPIN, "auth"}, {"1", "02", signPIN, "sign"}} {
		sig := filepath.Join(e.dir, k.name+".sig")
		e.must("", "pkcs11-tool", append(mod, "--slot", k.slot, "--login", "--pin", k.pin, "--sign", "--id", k.id,
			"-m", "SHA256-RSA-PKCS", "-i", data, "-o", sig)...)
		der := filepath.Join(e.dir, k.name+".der")
		e.must("", "pkcs11-tool", append(mod, "--slot", k.slot, "--login", "--pin", k.pin, "--read-object", "--type", "cert", "--id", k.id, "-o", der)...)
		pub := filepath.Join(e.dir, k.name+".pub")
		e.must("", "openssl", "x509", "-inform", "der", "-in", der, "-pubkey", "-noout", "-out", pub)
		out := e.must("", "openssl", "dgst", "-sha256", "-verify", pub, "-signature", sig, data)
		mustContain(t, out, "Verified OK")

		// The raw mechanism with a DigestInfo the caller made.
		b, _ := os.ReadFile(data)
		h := sha256.Sum256(b)
		di := append([]byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}, h[:]...)
		diPath := e.file(k.name+".di", di)
		raw := filepath.Join(e.dir, k.name+".raw")
		e.must("", "pkcs11-tool", append(mod, "--slot", k.slot, "--login", "--pin", k.pin, "--sign", "--id", k.id, "-m", "RSA-PKCS", "-i", diPath, "-o", raw)...)
		rawSig, _ := os.ReadFile(raw)
		cert := parseDER(t, mustRead(t, der))
		if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, h[:], rawSig); err != nil {
			t.Fatalf("%s: CKM_RSA_PKCS signature: %v", k.name, err)
		}
	}
	// The card's security state was cleared after each signature: another
	// PC/SC client cannot read the signing certificate without the
	// password.
	if n := e.vc.TriesLeft(virtual.PINJPKIAuth); n != 3 {
		t.Errorf("auth PIN tries left %d, want 3", n)
	}
	pc := pcsctest.Context(t)
	other, err := pc.Connect(context.Background(), e.slot.Reader)
	if err != nil {
		t.Fatal(err)
	}
	j, err := card.OpenJPKI(context.Background(), other, card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.ReadCertificate(context.Background(), card.SignKey); !errors.Is(err, apdu.ErrSecurityStatus) {
		t.Fatalf("signing certificate readable by another client after the module signed: %v", err)
	}
	other.Close()

	// Now cached for this card: the signing certificate is offered before
	// the signing password, and it is the card's.
	out = e.must("", "pkcs11-tool", append(mod, "--slot", "1", "--list-objects")...)
	mustContain(t, out, "Certificate Object", "ID:         02")
	cached, err := os.ReadDir(filepath.Join(e.dir, "cache"))
	if err != nil || len(cached) != 1 {
		t.Fatalf("cache: %v %v", cached, err)
	}

	t.Run("p11tool", func(t *testing.T) { p11tool(t, e.with(t)) })
	t.Run("p11-kit", func(t *testing.T) { p11kit(t, e.with(t)) })
	t.Run("openssl-engine", func(t *testing.T) { opensslEngine(t, e.with(t), data) })
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// p11tool: GnuTLS lists both certificates (the signing one from the
// cache, before any password).
func p11tool(t *testing.T, e *env) {
	out := e.must("", "p11tool", "--provider", modulePath, "--list-all-certs", "pkcs11:model=JPKIAPICCTOKEN2")
	mustContain(t, out, "Label: JPKI 利用者証明用", "Label: JPKI 署名用", "Type: X.509 Certificate")
	if n := strings.Count(out, "Type: X.509 Certificate"); n != 2 {
		t.Fatalf("%d certificates, want 2:\n%s", n, out)
	}
	out = e.must("", "p11tool", "--provider", modulePath, "--list-tokens")
	mustContain(t, out, "JPKI 利用者証明用", "JPKI 署名用", "Manufacturer: J-LIS")
}

// opensslEngine signs through Debian's libp11 engine (the pkcs11-provider
// package is not in bookworm) and verifies with the certificate.
func opensslEngine(t *testing.T, e *env, data string) {
	engine := "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so"
	if _, err := os.Stat(engine); err != nil {
		t.Fatalf("libengine-pkcs11-openssl: %v", err)
	}
	cnf := e.file("openssl.cnf", []byte(`openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = `+engine+`
MODULE_PATH = `+modulePath+`
init = 0
`))
	pinFile := e.file("pin", []byte(authPIN))
	sig := filepath.Join(e.dir, "engine.sig")
	out, err := e.runEnv([]string{"OPENSSL_CONF=" + cnf}, "openssl", "dgst", "-sha256", "-engine", "pkcs11", "-keyform", "engine",
		"-sign", authKeyURI, "-passin", "file:"+pinFile, "-out", sig, data)
	if err != nil {
		t.Fatalf("openssl dgst -engine pkcs11: %v\n%s", err, out)
	}
	out = e.must("", "openssl", "dgst", "-sha256", "-verify", filepath.Join(e.dir, "auth.pub"), "-signature", sig, data)
	mustContain(t, out, "Verified OK")
}

// authKeyURI names the authentication key (RFC 7512): token
// "JPKI 利用者証明用", CKA_ID 01.
const authKeyURI = "pkcs11:token=JPKI%20%E5%88%A9%E7%94%A8%E8%80%85%E8%A8%BC%E6%98%8E%E7%94%A8;id=%01;type=private"

// p11kit: the one-line registration (a .module file) makes p11-kit load
// the module and see both tokens.
func p11kit(t *testing.T, e *env) {
	if os.Getuid() == 0 {
		// p11-kit reads ~/.config/pkcs11/modules only for other users, and
		// a file in /etc/pkcs11/modules would load the module into every
		// p11-kit program on the machine.
		t.Skip("p11-kit ignores per-user module files for root")
	}
	home := filepath.Join(e.dir, "home")
	mods := filepath.Join(home, ".config", "pkcs11", "modules")
	if err := os.MkdirAll(mods, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mods, "mynacard.module"), []byte("module: "+modulePath+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := e.runEnv([]string{"HOME=" + home}, "p11-kit", "list-modules")
	if err != nil {
		t.Fatalf("p11-kit list-modules: %v\n%s", err, out)
	}
	mustContain(t, out, "mynacard:", "library-description: mynacard JPKI PKCS#11", "JPKI 利用者証明用", "JPKI 署名用")
}
