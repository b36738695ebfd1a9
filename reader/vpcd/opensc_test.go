package vpcd_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"os"
	"os/exec"
	"regexp"
	"strings"
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
// real cards: it must recognise the card, list its certificates and read
// the authentication certificate byte for byte.
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

// certID finds the ID of the certificate whose label contains label in
// pkcs15-tool's listing.
func certID(t *testing.T, list, label string) string {
	t.Helper()
	blocks := strings.Split(list, "X.509 Certificate [")
	for _, b := range blocks[1:] {
		title, _, _ := strings.Cut(b, "]")
		if title != label {
			continue
		}
		m := regexp.MustCompile(`(?m)^\s*ID\s*:\s*([0-9A-Fa-f]+)\s*$`).FindStringSubmatch(b)
		if m != nil {
			return m[1]
		}
	}
	t.Fatalf("no certificate labelled %q in:\n%s", label, list)
	return ""
}
