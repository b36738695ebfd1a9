package piv_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card/virtual/piv"
	"github.com/mynacard/mynacard/internal/pcsctest"
)

func TestMain(m *testing.M) { pcsctest.Main(m) }

// openscTimeout bounds each OpenSC tool run.
const openscTimeout = 60 * time.Second

func opensc(t *testing.T, tool string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv(pcsctest.EnvRequire) == "1" {
			t.Fatalf("%s not installed (Debian package opensc)", tool)
		}
		t.Skipf("%s not installed (Debian package opensc)", tool)
	}
	ctx, cancel := context.WithTimeout(context.Background(), openscTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %q: %v\n%s\n%s", tool, args, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// TestOpenSCFidelity shows the virtual token to OpenSC's PIV driver, an
// independent client written against real PIV cards: it must take the card
// for a PIV card, list the 9a and 9c certificates and keys, and read the
// 9c certificate byte for byte.
func TestOpenSCFidelity(t *testing.T) {
	authKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sigKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sigCert := newCert(t, sigKey)
	card, err := piv.NewCard(
		piv.WithKey(piv.SlotAuthentication, authKey, newCert(t, authKey), piv.PINPolicyOnce),
		piv.WithKey(piv.SlotSignature, sigKey, sigCert, piv.PINPolicyAlways))
	if err != nil {
		t.Fatal(err)
	}
	slot := pcsctest.Slot(t)
	pcsctest.Insert(t, slot, card)

	if name := opensc(t, "opensc-tool", "--reader", slot.Reader, "--name"); !strings.Contains(name, "Personal Identity Verification") {
		t.Fatalf("opensc-tool --name = %q, want the PIV driver", name)
	}
	certs := opensc(t, "pkcs15-tool", "--reader", slot.Reader, "--list-certificates")
	for _, want := range []string{"Certificate for PIV Authentication", "Certificate for Digital Signature"} {
		if !strings.Contains(certs, want) {
			t.Errorf("--list-certificates lacks %q:\n%s", want, certs)
		}
	}
	keys := opensc(t, "pkcs15-tool", "--reader", slot.Reader, "--list-keys")
	if !strings.Contains(keys, "Key ref        : 156 (0x9C)") || !strings.Contains(keys, "Key ref        : 154 (0x9A)") {
		t.Errorf("--list-keys:\n%s", keys)
	}
	out := opensc(t, "pkcs15-tool", "--reader", slot.Reader, "--read-certificate", "02")
	block, _ := pem.Decode([]byte(out))
	if block == nil || !bytes.Equal(block.Bytes, sigCert) {
		t.Fatalf("--read-certificate 02 differs from the 9c certificate:\n%s", out)
	}
}
