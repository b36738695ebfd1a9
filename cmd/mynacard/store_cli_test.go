package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/store"
)

// cliRun runs the built CLI (TestMain puts it first in PATH) with stdin
// and returns its output and exit code.
func cliRun(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	// MYNACARD_TEST_CLI runs the tests against another build (to show
	// that a test fails on older code).
	bin := os.Getenv("MYNACARD_TEST_CLI")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("mynacard"); err != nil {
			t.Fatalf("the built mynacard is not in PATH: %v", err)
		}
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_DATA_HOME=")
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// eligibilityCSV is a one-row eligibility file (validity status 1) naming
// the certificate by issuer and serial as given.
func eligibilityCSV(t *testing.T, issuer, serial string) string {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(strings.Split(store.EligibilityCSVHeader, ",")); err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{issuer, serial, "06139999", "記号１", "123", "01", "山田　太郎", "ヤマダ　タロウ",
		"1985-04-01", "1", "2020-04-01", "", "", "30", "1"}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	return b.String()
}

// TestEligibilityFromCertOutput builds the eligibility file from what
// `cert auth --json` prints — the issuer as crypto/x509 writes it, and the
// issuer key identifier — imports it, and qualify must find the holder
// (validity status 1) either way.
func TestEligibilityFromCertOutput(t *testing.T) {
	out, errOut, code := cliRun(t, "", "--reader", "virtual", "--json", "cert", "auth")
	if code != 0 {
		t.Fatalf("cert auth: exit %d: %s", code, errOut)
	}
	var c struct {
		Issuer, Serial string
		IssuerKeyID    string `json:"issuer_key_id"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.Issuer == "" || c.IssuerKeyID == "" {
		t.Fatalf("cert auth --json: %v: %s", err, out)
	}
	for name, issuer := range map[string]string{
		"issuer as printed": c.Issuer,
		"issuer key id":     "keyid:" + strings.ToUpper(c.IssuerKeyID),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			csvPath, db := filepath.Join(dir, "e.csv"), filepath.Join(dir, "e.db")
			if err := os.WriteFile(csvPath, []byte(eligibilityCSV(t, issuer, c.Serial)), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, e, code := cliRun(t, "", "--lang", "en", "--db", db, "eligibility", "import", csvPath); code != 0 {
				t.Fatalf("import: exit %d: %s", code, e)
			}
			out, e, code := cliRun(t, jpkitest.DefaultAuthPIN+"\n", "--lang", "en", "--reader", "virtual", "--pin-stdin", "--db", db, "--json", "qualify", "--revocation", "off")
			if code != 0 || !strings.Contains(out, `"status": 1`) {
				t.Fatalf("qualify after importing %q: exit %d\n%s\n%s", issuer, code, out, e)
			}
		})
	}
}

// attackLog logs one attack in the form the reliability report collects
// ("ATTACK | attack | expected refusal | result") and fails t when it was
// not refused.
func attackLog(t *testing.T, attack, expected string, refused bool, result string) {
	t.Helper()
	if !refused {
		result = "NOT REFUSED: " + result
		t.Errorf("attack %q: %s", attack, result)
	}
	t.Logf("ATTACK | %s | %s | %s", attack, expected, result)
}

// firstLine is the first line of s, for a log.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// TestAttackMistypedDB runs every command that reads the store with a --db
// that names no store: each must refuse (exit 1, in the clerk's language)
// before the card is touched, and create nothing. The commands that write
// the first data still create a store.
func TestAttackMistypedDB(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "mynacrad.db")
	sign, auth := "ABC123\n", jpkitest.DefaultAuthPIN+"\n"
	for _, tc := range []struct {
		name, stdin string
		args        []string
	}{
		{"qualify", auth, []string{"--reader", "virtual", "--pin-stdin", "qualify", "--revocation", "off"}},
		{"identify", sign, []string{"--reader", "virtual", "--pin-stdin", "identify", "--revocation", "off"}},
		{"identify --auth-key", auth, []string{"--reader", "virtual", "--pin-stdin", "identify", "--auth-key", "--revocation", "off"}},
		{"identify --replaces 1", sign, []string{"--reader", "virtual", "--pin-stdin", "identify", "--enroll", "--replaces", "1", "--revocation", "off"}},
		{"changes --all", "", []string{"--reader", "virtual", "changes", "--all", "--revocation", "off"}},
		{"records verify", "", []string{"records", "verify", "--any-cert"}},
		{"records export", "", []string{"records", "export"}},
		{"serve", "", []string{"--reader", "virtual", "serve", "--listen", "127.0.0.1:0"}},
	} {
		for _, lang := range []string{"en", "ja"} {
			args := append([]string{"--lang", lang, "--db", typo}, tc.args...)
			_, errOut, code := cliRun(t, tc.stdin, args...)
			_, statErr := os.Stat(typo)
			want := map[string]string{"en": "there is no store at " + typo, "ja": typo + " にデータベースがありません"}[lang]
			attackLog(t, fmt.Sprintf("%s with a mistyped --db (%s)", tc.name, lang),
				"exit 1 naming the missing store, nothing created, no PIN asked",
				code == exitError && errors.Is(statErr, os.ErrNotExist) && strings.Contains(errOut, want) && !strings.Contains(errOut, "PIN"),
				fmt.Sprintf("exit %d, store created %v: %s", code, statErr == nil, firstLine(errOut)))
		}
	}
	// What writes the first data creates the store.
	csvPath := filepath.Join(dir, "e.csv")
	if err := os.WriteFile(csvPath, []byte(eligibilityCSV(t, "OU=x,O=JPKI,C=JP", "01")), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"eligibility", "import", csvPath},
		{"--reader", "virtual", "--pin-stdin", "identify", "--enroll", "--revocation", "off"},
	} {
		db := filepath.Join(t.TempDir(), "new", "store.db")
		if _, e, code := cliRun(t, sign, append([]string{"--lang", "en", "--db", db}, args...)...); code != 0 {
			t.Errorf("%q on a new store: exit %d: %s", args, code, e)
		}
		if _, err := os.Stat(db); err != nil {
			t.Errorf("%q did not create the store: %v", args, err)
		}
	}
}
