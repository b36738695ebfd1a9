package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// jaRun is one run of the CLI in the process: args, the PIN lines fed
// through --pin-fd, and the exit code expected.
type jaRun struct {
	args []string
	pins []string
	code int
}

// runJa runs the CLI in the process with pins on a pipe given as
// --pin-fd, and returns its stdout and stderr.
func runJa(t *testing.T, r jaRun) (string, string, int) {
	t.Helper()
	args := r.args
	if r.pins != nil {
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer pr.Close()
		if _, err := pw.WriteString(strings.Join(r.pins, "\n") + "\n"); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		args = append([]string{"--pin-fd", fmt.Sprint(pr.Fd())}, args...)
	}
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// japaneseRuns are the commands a clerk runs on the built-in virtual
// card, with good and bad inputs; dir holds their files.
func japaneseRuns(dir string) []jaRun {
	db := filepath.Join(dir, "s.db")
	doc := filepath.Join(dir, "doc.txt")
	sig := doc + ".p7s"
	v := func(a ...string) []string {
		return append([]string{"--reader", "virtual", "--db", db}, a...)
	}
	return []jaRun{
		{args: v("status")},
		{args: v("pin", "status")},
		{args: v("cert", "auth")},
		{args: v("cert", "auth-ca")},
		{args: v("cert", "sign-ca")},
		{args: v("cert", "sign"), pins: []string{"ABC123"}},
		{args: v("cert", "sign"), pins: []string{"abc"}, code: exitPINProblem},
		{args: v("text"), pins: []string{"1234"}},
		{args: v("text"), pins: []string{"9999"}, code: exitPINProblem},
		{args: v("text", "--credential", "x"), code: exitUsage},
		{args: v("face", "--out", filepath.Join(dir, "nodir", "f.jp2")), code: exitError},
		{args: v("--revocation", "soft", "identify", "--enroll"), pins: []string{"ABC123"}},
		{args: v("--revocation", "soft", "identify", "--enroll"), pins: []string{"ABC123"}},
		{args: v("--revocation", "soft", "identify", "--auth-key", "--enroll"), pins: []string{"1234"}},
		{args: v("--revocation", "soft", "identify", "--replaces", "99"), code: exitUsage},
		{args: v("--revocation", "soft", "identify"), pins: []string{"ABC124"}, code: exitPINProblem},
		{args: v("identify"), pins: []string{"ABC123"}},
		{args: v("--crl", filepath.Join(dir, "missing.crl"), "identify"), code: exitError},
		{args: v("--revocation", "soft", "qualify"), pins: []string{"1234"}, code: exitNotEligible},
		{args: v("eligibility", "import", filepath.Join(dir, "bad.csv")), code: exitError},
		{args: v("eligibility", "import", filepath.Join(dir, "none.csv")), code: exitError},
		{args: v("sign", doc), pins: []string{"ABC123"}},
		{args: v("sign", doc, "-o", filepath.Join(dir, "nodir", "x.p7s")), code: exitError},
		{args: v("sign", filepath.Join(dir, "missing.txt")), pins: []string{"ABC123"}, code: exitError},
		{args: v("verify", sig, doc)},
		{args: v("--revocation", "soft", "verify", sig, doc)},
		{args: v("--revocation", "soft", "verify", doc, doc), code: exitVerificationFailed},
		{args: v("--revocation", "soft", "verify", sig), code: exitVerificationFailed},
		{args: v("verify", filepath.Join(dir, "missing.p7s")), code: exitError},
		{args: v("--revocation", "soft", "changes", "--all")},
		{args: v("--revocation", "soft", "changes", "1")},
		{args: v("changes", "--all")},
		{args: v("changes", "99"), code: exitError},
		{args: v("records", "verify", "--any-cert"), code: exitVerificationFailed},
		{args: v("records", "export", "-o", filepath.Join(dir, "export.jsonl"))},
		{args: v("token", "--audience", "https://bank.example", "--nonce", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopA"), pins: []string{"1234"}},
		{args: v("age", "--over", "20"), pins: []string{"600401"}},
		{args: v("age", "--over", "20"), pins: []string{"6004"}, code: exitPINProblem},
		{args: v("pin", "change", "auth"), pins: []string{"1234", "12", "12"}, code: exitPINProblem},
		{args: v("virtual-card", "--slot", "9"), code: exitUsage},
	}
}

// TestJapaneseOutput runs every command under --lang ja on the virtual
// card, with good and bad inputs, and reads everything a clerk sees:
// no English word, no Go error text, no bare code. Certificate names
// (subject and issuer DNs) and the reader's name are the data themselves.
func TestJapaneseOutput(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "doc.txt"), []byte("申請書\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.csv"), []byte("issuer,serial\nx,y\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	bad := map[string][]string{}
	for _, r := range japaneseRuns(dir) {
		if r.args[len(r.args)-1] == filepath.Join(dir, "bad.csv") {
			// The rows' errors have their own wording tests.
			continue
		}
		r.args = append([]string{"--lang", "ja"}, r.args...)
		out, errOut, code := runJa(t, r)
		if code != r.code {
			t.Errorf("%q: exit %d, want %d\n%s%s", r.args, code, r.code, out, errOut)
		}
		for _, line := range strings.Split(out+errOut, "\n") {
			if dataLine(line) {
				continue
			}
			// A code a support desk asks for follows its words in brackets.
			line = trailingCode.ReplaceAllString(strings.ReplaceAll(line, dir, ""), "")
			for _, w := range latinWords(line) {
				bad[w] = append(bad[w], strings.Join(r.args[6:], " ")+": "+line)
			}
		}
	}
	words := make([]string, 0, len(bad))
	for w := range bad {
		words = append(words, w)
	}
	sort.Strings(words)
	for _, w := range words {
		t.Errorf("English word %q in Japanese output (%d times), first of %q", w, len(bad[w]), bad[w][0])
	}
}

// trailingCode is a code in brackets after the words that say it.
var trailingCode = regexp.MustCompile(`（[A-Za-z0-9_]+）`)

// dataLine reports whether a line of output shows data as the card or a
// file holds it: certificate names, the reader's name, the token label,
// JSON (tokens are JSON whatever the language).
func dataLine(line string) bool {
	for _, p := range []string{"主体者", "発行者", "リーダー  ", "{", "}", "  \""} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}
