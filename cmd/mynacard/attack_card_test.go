package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/intruder"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// pinFD returns a --pin-fd argument reading lines.
func pinFD(t *testing.T, lines ...string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if _, err := w.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return strconv.Itoa(int(r.Fd()))
}

// TestAttackCardLeftVerifiedCLI runs each CLI command that presents a PIN
// through pcscd and vpcd, then a second process that opens the reader in
// shared mode and SIGNs with either key without VERIFY: it must be refused
// every time.
func TestAttackCardLeftVerifiedCLI(t *testing.T) {
	slot := pcsctest.Slot(t)
	vc, err := virtual.NewMyNumberCard(jpkitest.DefaultHolder().Contents())
	if err != nil {
		t.Fatal(err)
	}
	card := &intruder.VerifyCounter{ResettableCard: vc}
	pcsctest.Insert(t, slot, card)
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	doc := filepath.Join(dir, "doc.txt")
	if err := os.WriteFile(doc, []byte("an application form"), 0o600); err != nil {
		t.Fatal(err)
	}
	common := []string{"--lang", "en", "--reader", slot.Reader, "--test-hierarchy", "--revocation", "off", "--db", db}
	for _, op := range []struct {
		name string
		pins []string
		args []string
	}{
		{"identify --enroll", []string{jpkitest.DefaultSignPIN}, []string{"identify", "--enroll"}},
		{"identify", []string{jpkitest.DefaultSignPIN}, []string{"identify"}},
		{"identify --auth-key", []string{jpkitest.DefaultAuthPIN}, []string{"identify", "--auth-key"}},
		{"qualify", []string{jpkitest.DefaultAuthPIN}, []string{"qualify"}},
		{"sign", []string{jpkitest.DefaultSignPIN}, []string{"sign", doc, "-o", filepath.Join(dir, "doc.p7s")}},
	} {
		before := card.Verifies()
		args := append(append(append([]string(nil), common...), "--pin-fd", pinFD(t, op.pins...)), op.args...)
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		if card.Verifies() == before {
			t.Fatalf("mynacard %s (exit %d) presented no PIN: the attack would show nothing\n%s%s", op.name, code, stdout.String(), stderr.String())
		}
		intruder.Check(t, slot.Reader, "mynacard "+op.name)
	}
}
