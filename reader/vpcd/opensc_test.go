package vpcd_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

func TestMain(m *testing.M) { pcsctest.Main(m) }

// openscTimeout bounds each OpenSC tool run.
const openscTimeout = 60 * time.Second

// opensc runs an OpenSC tool and returns its stdout. OPENSC_DEBUG in the
// environment (e.g. 9) is passed on, for seeing what OpenSC sends.
func opensc(t *testing.T, tool string, args ...string) string {
	t.Helper()
	return openscInput(t, "", tool, args...)
}

// openscInput is opensc with stdin. The tool runs in a session of its own,
// without a controlling terminal, so that it reads a PIN prompt's answer
// from stdin: PINs never go in argv.
func openscInput(t *testing.T, stdin, tool string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv(pcsctest.EnvRequire) == "1" {
			t.Fatalf("%s not installed (Debian package opensc)", tool)
		}
		t.Skipf("%s not installed (Debian package opensc); scripts/test.sh installs it", tool)
	}
	ctx, cancel := context.WithTimeout(context.Background(), openscTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if testing.Verbose() || err != nil {
		t.Logf("%s %q:\nstdout:\n%s\nstderr:\n%s", tool, args, stdout.String(), stderr.String())
	}
	if err != nil {
		t.Fatalf("%s %q: %v", tool, args, err)
	}
	return stdout.String()
}

// TestOpenSCFidelity puts the virtual card on vpcd and reads it with
// OpenSC, an independent client whose jpki driver was written against
// real cards: it must recognise the card, list its certificates, read the
// authentication and CA certificates byte for byte, report the PINs'
// tries, and sign with the authentication key after its own VERIFY.
func TestOpenSCFidelity(t *testing.T) {
	contents := jpkitest.DefaultHolder().Contents()
	card, err := virtual.NewMyNumberCard(contents)
	if err != nil {
		t.Fatal(err)
	}
	slot := pcsctest.Slot(t)
	pcsctest.Insert(t, slot, card)

	name := opensc(t, "opensc-tool", "--reader", slot.Reader, "--name")
	if !strings.Contains(strings.ToLower(name), "jpki") {
		t.Fatalf("opensc-tool --name = %q, want the jpki driver", name)
	}

	list := opensc(t, "pkcs15-tool", "--reader", slot.Reader, "--list-certificates")
	// The jpki driver lists four: authentication, signing (private until
	// the signing PIN) and both CAs.
	if n := strings.Count(list, "X.509 Certificate ["); n != 4 {
		t.Fatalf("pkcs15-tool --list-certificates listed %d certificates, want 4:\n%s", n, list)
	}
	authID := certID(t, list, "User Authentication Certificate")

	out := opensc(t, "pkcs15-tool", "--reader", slot.Reader, "--read-certificate", authID)
	block, _ := pem.Decode([]byte(out))
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("pkcs15-tool --read-certificate %s gave no PEM certificate:\n%s", authID, out)
	}
	if !bytes.Equal(block.Bytes, contents.AuthCert) {
		t.Fatalf("OpenSC read an authentication certificate of %d bytes that differs from the card's %d bytes", len(block.Bytes), len(contents.AuthCert))
	}

	// The PINs' tries counters come through the empty VERIFY.
	pins := opensc(t, "pkcs15-tool", "--reader", slot.Reader, "--list-pins")
	for label, tries := range map[string]int{"User Authentication PIN": 3, "Digital Signature PIN": 5} {
		if got := objectField(pins, "PIN [", label, "Tries left"); got != strconv.Itoa(tries) {
			t.Errorf("pkcs15-tool --list-pins: %q has %q tries left, want %d:\n%s", label, got, tries, pins)
		}
	}

	// OpenSC signs with the authentication key (its own VERIFY and SIGN
	// APDUs), and the signature verifies with the card's certificate.
	dir := t.TempDir()
	digest := sha256.Sum256([]byte("signed through OpenSC"))
	in, out := filepath.Join(dir, "digest"), filepath.Join(dir, "signature")
	if err := os.WriteFile(in, digest[:], 0o600); err != nil {
		t.Fatal(err)
	}
	openscInput(t, jpkitest.DefaultAuthPIN+"\n", "pkcs15-crypt", "--reader", slot.Reader, "--sign", "--key", authID, "--sha-256", "--pkcs1", "--input", in, "--output", out)
	sig, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(contents.AuthCert)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("OpenSC's signature does not verify: %v", err)
	}
	if n := card.TriesLeft(virtual.PINJPKIAuth); n != 3 {
		t.Fatalf("authentication PIN has %d tries left after OpenSC's session, want 3", n)
	}

	// The free CA certificates read the same way.
	for label, want := range map[string][]byte{
		"User Authentication Certificate CA": contents.AuthCACert,
		"Digital Signature Certificate CA":   contents.SignCACert,
	} {
		id := certID(t, list, label)
		out := opensc(t, "pkcs15-tool", "--reader", slot.Reader, "--read-certificate", id)
		if block, _ := pem.Decode([]byte(out)); block == nil || !bytes.Equal(block.Bytes, want) {
			t.Errorf("OpenSC's %q (ID %s) differs from the card's", label, id)
		}
	}
}

// certID finds the ID of the certificate labelled label in pkcs15-tool's
// listing.
func certID(t *testing.T, list, label string) string {
	t.Helper()
	id := objectField(list, "X.509 Certificate [", label, "ID")
	if id == "" {
		t.Fatalf("no certificate labelled %q in:\n%s", label, list)
	}
	return id
}

// objectField returns field's value in the object of pkcs15-tool's output
// whose header is kind+label+"]", or "".
func objectField(out, kind, label, field string) string {
	blocks := strings.Split(out, kind)
	for _, b := range blocks[1:] {
		title, body, _ := strings.Cut(b, "]")
		if title != label {
			continue
		}
		for _, line := range strings.Split(body, "\n") {
			name, value, ok := strings.Cut(line, ":")
			if ok && strings.TrimSpace(name) == field {
				return strings.TrimSpace(value)
			}
		}
	}
	return ""
}

// TestOpenSCWith2024ATR: a card with the ATR of the cards issued in 2024
// (docs/card.md, "ATR") is still OpenSC's jpki card with four
// certificates: neither OpenSC nor the virtual card depends on the ATR.
func TestOpenSCWith2024ATR(t *testing.T) {
	card, err := virtual.NewMyNumberCard(jpkitest.DefaultHolder().Contents(), virtual.WithATR([]byte(virtual.ATR2024)))
	if err != nil {
		t.Fatal(err)
	}
	slot := pcsctest.Slot(t)
	pcsctest.Insert(t, slot, card)
	if name := opensc(t, "opensc-tool", "--reader", slot.Reader, "--name"); !strings.Contains(strings.ToLower(name), "jpki") {
		t.Fatalf("opensc-tool --name = %q with the 2024 ATR, want the jpki driver", name)
	}
	atr := opensc(t, "opensc-tool", "--reader", slot.Reader, "--atr")
	if want := strings.ToLower(hex.EncodeToString([]byte(virtual.ATR2024))); !strings.Contains(strings.ToLower(strings.ReplaceAll(atr, ":", "")), want) {
		t.Errorf("opensc-tool --atr = %q, want %s", atr, want)
	}
	list := opensc(t, "pkcs15-tool", "--reader", slot.Reader, "--list-certificates")
	if n := strings.Count(list, "X.509 Certificate ["); n != 4 {
		t.Errorf("pkcs15-tool --list-certificates listed %d certificates with the 2024 ATR, want 4", n)
	}
}
