package revocation

import (
	"bufio"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These tests check the package against OpenSSL, the reference other
// implementations are measured by: a CRL made by `openssl ca -gencrl` and
// an `openssl ocsp` responder on loopback.

func needOpenSSL(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	return p
}

// writeCA writes cert and key as PEM files in dir.
func writeCA(t *testing.T, dir, name string, cert *x509.Certificate, key crypto.Signer) (certPath, keyPath string) {
	t.Helper()
	kd, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), 0o600)
	return certPath, keyPath
}

// indexEntry is one line of an OpenSSL CA database (index.txt).
type indexEntry struct {
	serial    int64
	revokedAt time.Time // zero: valid
	reason    string
}

func writeIndex(t *testing.T, dir string, entries []indexEntry) string {
	t.Helper()
	var b strings.Builder
	for _, e := range entries {
		status, rev := "V", ""
		if !e.revokedAt.IsZero() {
			status, rev = "R", e.revokedAt.UTC().Format("060102150405Z")
			if e.reason != "" {
				rev += "," + e.reason
			}
		}
		fmt.Fprintf(&b, "%s\t301231235959Z\t%s\t%X\tunknown\t/CN=holder%d\n", status, rev, e.serial, e.serial)
	}
	path := filepath.Join(dir, "index.txt")
	os.WriteFile(path, []byte(b.String()), 0o600)
	os.WriteFile(path+".attr", []byte("unique_subject = no\n"), 0o600)
	return path
}

const caConfig = `[ ca ]
default_ca = CA_default
[ CA_default ]
database = %s
crlnumber = %s
default_md = sha256
crl_extensions = crl_ext
[ crl_ext ]
authorityKeyIdentifier = keyid:always
`

// opensslCRL runs `openssl ca -gencrl` over entries with cert and key.
func opensslCRL(t *testing.T, openssl, dir string, cert *x509.Certificate, key crypto.Signer, entries []indexEntry) string {
	t.Helper()
	certPath, keyPath := writeCA(t, dir, "ca", cert, key)
	index := writeIndex(t, dir, entries)
	crlnumber := filepath.Join(dir, "crlnumber")
	os.WriteFile(crlnumber, []byte("1000\n"), 0o600)
	cnf := filepath.Join(dir, "ca.cnf")
	os.WriteFile(cnf, []byte(fmt.Sprintf(caConfig, index, crlnumber)), 0o600)
	out := filepath.Join(dir, "openssl.crl")
	cmd := exec.Command(openssl, "ca", "-config", cnf, "-gencrl", "-cert", certPath, "-keyfile", keyPath,
		"-crl_lastupdate", refTime.Add(-time.Hour).Format("20060102150405Z"),
		"-crl_nextupdate", refTime.Add(23*time.Hour).Format("20060102150405Z"), "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl ca -gencrl: %v\n%s", err, b)
	}
	return out
}

var opensslEntries = []indexEntry{
	{serial: 0x1001, revokedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), reason: "affiliationChanged"},
	{serial: 0x1002, revokedAt: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), reason: "superseded"},
	{serial: 0x1003, revokedAt: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), reason: "keyCompromise"},
	{serial: 0x1004, revokedAt: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), reason: "cessationOfOperation"},
	{serial: 0x1005, revokedAt: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), reason: "unspecified"},
	{serial: 0x1006, revokedAt: time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC)},
	{serial: 0x1007},
}

var opensslReasons = map[string]Reason{"affiliationChanged": ReasonAffiliationChanged, "superseded": ReasonSuperseded,
	"keyCompromise": ReasonKeyCompromise, "cessationOfOperation": ReasonCessationOfOperation, "unspecified": ReasonUnspecified, "": ReasonNone}

func TestOpenSSLGeneratedCRL(t *testing.T) {
	openssl := needOpenSSL(t)
	dir := t.TempDir()
	root, key := signRoot(3)
	path := opensslCRL(t, openssl, dir, root, key, opensslEntries)
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	if err := set.LoadFile(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	for _, e := range append(opensslEntries, indexEntry{serial: 0x2000}) {
		r := set.Check(context.Background(), issueCert(t, 3, big.NewInt(e.serial), "", ""))
		switch {
		case e.revokedAt.IsZero():
			if r.Status != StatusGood {
				t.Errorf("%X: %v %v, want good", e.serial, r.Status, r.Err)
			}
		case r.Status != StatusRevoked || r.Reason != opensslReasons[e.reason] || !r.RevokedAt.Equal(e.revokedAt):
			t.Errorf("%X: %v %v %v, want revoked %s %v", e.serial, r.Status, r.Reason, r.RevokedAt, e.reason, e.revokedAt)
		}
	}
	if c := set.CRLs()[0]; c.Number.Int64() != 0x1000 {
		t.Errorf("cRLNumber %v", c.Number)
	}
}

func TestOpenSSLCRLWrongKeyRefused(t *testing.T) {
	openssl := needOpenSSL(t)
	root, _ := signRoot(3)
	// An impostor CA: the same name as the pinned root, another key.
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(99), RawSubject: root.RawSubject, NotBefore: root.NotBefore, NotAfter: root.NotAfter,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, SubjectKeyId: root.SubjectKeyId}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	impostor, _ := x509.ParseCertificate(der)
	path := opensslCRL(t, openssl, t.TempDir(), impostor, k, opensslEntries)
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	if err := set.LoadFile(context.Background(), path); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("err = %v, want ErrBadSignature", err)
	}
	if r := set.Check(context.Background(), issueCert(t, 3, big.NewInt(0x1007), "", "")); r.Status != StatusUnknown {
		t.Fatalf("status %v", r.Status)
	}
}

func TestOpenSSLOCSPResponder(t *testing.T) {
	openssl := needOpenSSL(t)
	dir := t.TempDir()
	root, key := signRoot(3)
	certPath, keyPath := writeCA(t, dir, "ca", root, key)
	index := writeIndex(t, dir, opensslEntries)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, openssl, "ocsp", "-index", index, "-port", fmt.Sprint(port),
		"-rsigner", certPath, "-rkey", keyPath, "-CA", certPath, "-ndays", "1")
	// Wait for the "waiting for OCSP client connections" line: a probing
	// connection that sends no request wedges openssl's one-at-a-time
	// responder.
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "waiting for OCSP client connections") {
				close(ready)
				break
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("openssl ocsp did not start")
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	client, err := NewOCSPClient(OCSPConfig{URL: "http://" + addr + "/", Issuers: signRoots(), Timeout: 10 * time.Second, RequireNonce: true, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range append(opensslEntries, indexEntry{serial: 0x2000, reason: "not in index"}) {
		r := client.Check(ctx, issueCert(t, 3, big.NewInt(e.serial), "", ""))
		switch {
		case e.reason == "not in index":
			if r.Status != StatusUnknown || !errors.Is(r.Err, ErrResponderUnknown) {
				t.Errorf("%X: %v %v, want responder unknown", e.serial, r.Status, r.Err)
			}
		case e.revokedAt.IsZero():
			if r.Status != StatusGood {
				t.Errorf("%X: %v %v, want good", e.serial, r.Status, r.Err)
			}
		default:
			want := opensslReasons[e.reason]
			if want == ReasonNone {
				want = ReasonUnspecified // OCSP cannot say "no reason" through x/crypto/ocsp
			}
			if r.Status != StatusRevoked || r.Reason != want || !r.RevokedAt.Equal(e.revokedAt) {
				t.Errorf("%X: %v %v %v err=%v, want revoked %s", e.serial, r.Status, r.Reason, r.RevokedAt, r.Err, e.reason)
			}
		}
	}
}
