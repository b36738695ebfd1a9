// Package e2e runs libmynacard-pkcs11.so under the programs that use
// PKCS#11 — OpenSC's pkcs11-tool, GnuTLS's p11tool, OpenSSL's pkcs11
// engine, OpenSSH — and a consumer harness over github.com/miekg/pkcs11,
// with the virtual card in a vpcd reader of the real pcscd. The module and
// the harness are built once per test run (TestMain).
package e2e

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

var (
	modulePath  string
	harnessPath string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mynacard-pkcs11-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	modulePath = filepath.Join(dir, "libmynacard-pkcs11.so")
	harnessPath = filepath.Join(dir, "harness")
	for _, b := range [][]string{
		{"build", "-buildmode=c-shared", "-o", modulePath, "github.com/mynacard/mynacard/pkcs11"},
		{"build", "-o", harnessPath, "github.com/mynacard/mynacard/pkcs11/internal/e2e/harness"},
	} {
		cmd := exec.Command("go", b...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "go", strings.Join(b, " "), ":", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	pcsctest.Shutdown()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// verifyCounter counts the VERIFY commands that carry a PIN (an empty
// VERIFY only reads the tries left).
type verifyCounter struct {
	*virtual.Card
	verifies atomic.Int32
}

func (v *verifyCounter) Transmit(capdu []byte) []byte {
	if len(capdu) > 5 && capdu[1] == 0x20 {
		v.verifies.Add(1)
	}
	return v.Card.Transmit(capdu)
}

// env is one test's module setup: a slot with the virtual card, the
// configuration that lets the module see only that reader, and a
// signing-certificate cache of its own.
type env struct {
	t     *testing.T
	dir   string
	conf  string
	slot  *pcsctest.SlotHandle
	vc    *verifyCounter
	cards *pcsctest.Inserted
}

func newEnv(t *testing.T, extra string) *env {
	t.Helper()
	for _, tool := range []string{"pkcs11-tool", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv(pcsctest.EnvRequire) == "1" {
				t.Fatalf("%s not installed", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	e := &env{t: t, dir: t.TempDir()}
	e.slot = pcsctest.Slot(t)
	e.conf = filepath.Join(e.dir, "pkcs11.conf")
	conf := fmt.Sprintf("reader = %s\ncache-dir = %s\n%s", e.slot.Reader, filepath.Join(e.dir, "cache"), extra)
	if err := os.WriteFile(e.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	e.insert()
	return e
}

func (e *env) insert(opts ...virtual.Option) {
	e.t.Helper()
	c, err := virtual.NewMyNumberCard(jpkitest.DefaultHolder().Contents(), opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	e.vc = &verifyCounter{Card: c}
	e.cards = pcsctest.Insert(e.t, e.slot, e.vc)
}

// run runs a consumer with the module's configuration; stdin may be nil.
func (e *env) run(stdin string, name string, args ...string) (string, error) {
	e.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "MYNACARD_PKCS11_CONF="+e.conf)
	cmd.Dir = e.dir
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		return "", err
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		return out.String(), fmt.Errorf("%s timed out", name)
	}
}

func (e *env) must(stdin string, name string, args ...string) string {
	e.t.Helper()
	out, err := e.run(stdin, name, args...)
	if err != nil {
		e.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func (e *env) file(name string, b []byte) string {
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// Test PINs of the virtual card (README "The virtual card").
const (
	authPIN = "1234"
	signPIN = "ABC123"
)

// certPEM writes the DER certificate der as PEM and returns the path.
func (e *env) certPEM(name string, der []byte) string {
	return e.file(name, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func mustContain(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Fatalf("output lacks %q:\n%s", w, out)
		}
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func parseDER(t *testing.T, b []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runEnv is run with extra environment variables.
func (e *env) runEnv(extra []string, name string, args ...string) (string, error) {
	e.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(append(os.Environ(), "MYNACARD_PKCS11_CONF="+e.conf), extra...)
	cmd.Dir = e.dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// with returns a copy of e for a subtest.
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// writeConf replaces the configuration (the reader and cache stay).
func (e *env) writeConf(extra string) {
	e.t.Helper()
	conf := fmt.Sprintf("reader = %s\ncache-dir = %s\n%s", e.slot.Reader, filepath.Join(e.dir, "cache"), extra)
	if err := os.WriteFile(e.conf, []byte(conf), 0o600); err != nil {
		e.t.Fatal(err)
	}
}
