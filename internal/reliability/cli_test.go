package reliability

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/store/storeopen"
)

// Exit codes of cmd/mynacard (CLI.md).
const (
	exitOK   = 0
	exitCard = 6
)

// TestCLIFaults runs the clerk's identify and qualify commands (the built
// CLI, through pcscd) while the card fails at its first VERIFY, READ BINARY
// or SIGN: the command must exit non-zero within its bound, with exit code 6
// (card or reader problem) when the card is pulled or answers an error status
// or garbage, spend no PIN try, and leave no record in the database.
func TestCLIFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "mynacard")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/mynacard/mynacard/cmd/mynacard").CombinedOutput(); err != nil {
		t.Fatalf("building the CLI: %v\n%s", err, out)
	}
	w := newWorld(t)
	slot := pcsctest.Slot(t)
	db := filepath.Join(dir, "store.db")
	csv := filepath.Join(dir, "eligibility.csv")
	if err := os.WriteFile(csv, []byte(eligibilityCSV(w.holder)), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(stdin string, args ...string) (int, []byte, time.Duration) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		all := append([]string{"--reader", slot.Reader, "--test-hierarchy", "--db", db, "--pin-stdin", "--revocation", "soft", "--timeout", "2s", "--lang", "en"}, args...)
		cmd := exec.CommandContext(ctx, bin, all...)
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir)
		cmd.Stdin = strings.NewReader(stdin)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		start := time.Now()
		err := cmd.Run()
		var ee *exec.ExitError
		code := 0
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, errb.Bytes(), time.Since(start)
	}
	if code, errOut, _ := run("", "eligibility", "import", csv); code != exitOK {
		t.Fatalf("eligibility import: exit %d\n%s", code, errOut)
	}
	records := func() int {
		st, err := storeopen.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		n, _, err := recordsAfter(context.Background(), st, 0)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	commands := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"identify", w.contents.SignPIN + "\n", []string{"identify"}},
		{"qualify", w.contents.AuthPIN + "\n", []string{"qualify"}},
	}
	faults := []struct {
		name     string
		fault    virtual.Fault
		wantCode int // 0: any non-zero
	}{
		{"pulled at the first VERIFY", virtual.Fault{Kind: virtual.FaultRemove, MatchINS: true, INS: insVerify}, exitCard},
		{"pulled at the first READ BINARY", virtual.Fault{Kind: virtual.FaultRemove, MatchINS: true, INS: 0xB0}, exitCard},
		{"pulled at SIGN", virtual.Fault{Kind: virtual.FaultRemove, MatchINS: true, INS: insSign}, exitCard},
		// A card that answers an error status or garbage is a card
		// problem (exit 6), not "other error (store, files, network)".
		{"SIGN answered 6F00", virtual.Fault{Kind: virtual.FaultStatus, MatchINS: true, INS: insSign, SW: 0x6F00}, exitCard},
		{"SIGN answered 9000 without a signature", virtual.Fault{Kind: virtual.FaultStatus, MatchINS: true, INS: insSign, SW: 0x9000}, exitCard},
		{"VERIFY answer corrupted", virtual.Fault{Kind: virtual.FaultCorrupt, MatchINS: true, INS: insVerify}, exitCard},
	}
	for _, cmd := range commands {
		// A clean run first: the command works and keeps one record.
		vc := w.newCard(t)
		in := pcsctest.Insert(t, slot, vc)
		before := records()
		if code, errOut, _ := run(cmd.stdin, cmd.args...); code != exitOK || records() != before+1 {
			t.Fatalf("%s without faults: exit %d, records %d -> %d\n%s", cmd.name, code, before, records(), errOut)
		}
		in.Remove(t)
		for _, f := range faults {
			vc := w.newCard(t)
			vc.SetFaults(f.fault)
			in := pcsctest.Insert(t, slot, vc)
			before := records()
			triesBefore := tries(vc)
			code, errOut, took := run(cmd.stdin, cmd.args...)
			switch {
			case code == exitOK:
				t.Errorf("%s, card %s: exit 0", cmd.name, f.name)
			case f.wantCode != 0 && code != f.wantCode:
				t.Errorf("%s, card %s: exit %d, want %d\n%s", cmd.name, f.name, code, f.wantCode, errOut)
			}
			if took > 20*time.Second {
				t.Errorf("%s, card %s: took %v", cmd.name, f.name, took)
			}
			if n := records(); n != before {
				t.Errorf("%s, card %s: %d record(s) written", cmd.name, f.name, n-before)
			}
			after := tries(vc)
			for p, n := range triesBefore {
				if after[p] < n {
					t.Errorf("%s, card %s: %v tries %d -> %d", cmd.name, f.name, p, n, after[p])
				}
			}
			t.Logf("%s, card %s: exit %d in %v: %s", cmd.name, f.name, code, took.Round(time.Millisecond), firstLine(errOut))
			in.Remove(t)
		}
	}
}

// firstLine returns the first error line of the CLI's stderr (warnings
// come before it), or its first line.
func firstLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, l := range lines {
		if strings.Contains(l, "error:") {
			return l
		}
	}
	return lines[0]
}
