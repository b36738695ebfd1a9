package secrets

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"
)

// binDir holds the CLI built for the tests; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mynacard-secrets-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	pcsctest.Shutdown()
	os.Exit(code)
}

// secret is one thing that must never be shown.
type secret struct {
	what string
	re   *regexp.Regexp
}

// fullWidth turns ASCII digits into full-width ones (０–９).
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, s)
}

// numberSecrets matches the 12-digit number plain, grouped 4-4-4 with any
// separator (space, hyphen, full-width space or hyphen), full-width, and as
// the hex of its ASCII digits (how an APDU trace would show it).
func numberSecrets(n string) []secret {
	sep := `[\s\-\x{3000}\x{FF0D}\x{2010}-\x{2015}]?`
	group := func(s string) string {
		d := []rune(s)
		return regexp.QuoteMeta(string(d[:4])) + sep + regexp.QuoteMeta(string(d[4:8])) + sep + regexp.QuoteMeta(string(d[8:]))
	}
	h := hex.EncodeToString([]byte(n))
	return []secret{
		{"Individual Number", regexp.MustCompile(group(n))},
		{"Individual Number (full-width)", regexp.MustCompile(group(fullWidth(n)))},
		{"Individual Number (hex of its ASCII, as in an APDU trace)", regexp.MustCompile(`(?i)` + hexSpaced(h))},
	}
}

// hexSpaced matches hex digits h with optional spaces or colons between
// bytes.
func hexSpaced(h string) string {
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteString(`[\s:]?`)
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// pinSecrets matches a PIN or password in any letter case, and its ASCII in
// hex (a VERIFY not redacted). A short all-digit PIN is matched only outside
// hex runs and as a whole number, so that certificate bytes in a trace do not
// match by chance.
func pinSecrets(what, pin string) []secret {
	h := hex.EncodeToString([]byte(strings.ToUpper(pin)))
	plain := `(?i)` + regexp.QuoteMeta(pin)
	if len(pin) <= 6 {
		plain = `(?i)(^|[^0-9A-Za-z])` + regexp.QuoteMeta(pin) + `($|[^0-9A-Za-z])`
	}
	return []secret{
		{what, regexp.MustCompile(plain)},
		{what + " (hex)", regexp.MustCompile(`(?i)(^|[^0-9A-F])` + hexSpaced(h))},
	}
}

// leaks returns what of secrets appears in b.
func leaks(b []byte, secrets []secret) []string {
	var out []string
	for _, s := range secrets {
		if loc := s.re.FindIndex(b); loc != nil {
			lo, hi := max(0, loc[0]-40), min(len(b), loc[1]+40)
			out = append(out, fmt.Sprintf("%s: …%q…", s.what, b[lo:hi]))
		}
	}
	return out
}

// cli runs the built CLI in a private home with its own database.
type cli struct {
	t   *testing.T
	bin string
	dir string // HOME, XDG dirs, database, files written
	env []string
}

func newCLI(t *testing.T, bin string) *cli {
	dir := t.TempDir()
	c := &cli{t: t, bin: bin, dir: dir}
	c.env = append(os.Environ(),
		"HOME="+dir, "XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"), "TMPDIR="+filepath.Join(dir, "tmp"))
	os.MkdirAll(filepath.Join(dir, "tmp"), 0o700)
	return c
}

type result struct {
	args   []string
	code   int
	stdout []byte
	stderr []byte
}

func (c *cli) run(stdin string, args ...string) result {
	c.t.Helper()
	return c.runFD(stdin, "", args...)
}

// runFD runs the CLI with fdInput readable on file descriptor 3.
func (c *cli) runFD(stdin, fdInput string, args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if fdInput != "" {
		r, w, err := os.Pipe()
		if err != nil {
			c.t.Fatal(err)
		}
		defer r.Close()
		go func() { w.WriteString(fdInput); w.Close() }()
		cmd.ExtraFiles = []*os.File{r}
	}
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("running %v: %v", args, err)
	}
	return result{args: args, code: code, stdout: out.Bytes(), stderr: errb.Bytes()}
}

// files returns every file under the CLI's directory except the inputs.
func (c *cli) files(inputs map[string]bool) map[string][]byte {
	out := map[string][]byte{}
	filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || inputs[p] {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil {
			out[p] = b
		}
		return nil
	})
	return out
}

// traceVerifyWithData matches a traced VERIFY that carried data.
var traceVerifyWithData = regexp.MustCompile(`(?m)^> 0020[0-9A-F]{4}[0-9A-F]{4,}`)

// step is one CLI invocation of the secrets test.
type step struct {
	stdin string
	args  []string
	// numberOnStdout: the command was asked to show the number
	// (text --show-number): stdout is exempt from the number check.
	numberOnStdout bool
	// wantCode is the exit code expected (-1: any).
	wantCode int
}

func eligibilityCSVFor(h *jpkitest.Holder) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(strings.Split(store.EligibilityCSVHeader, ","))
	w.Write([]string{confirm.IssuerString(h.AuthCert), confirm.SerialString(h.AuthCert), "06123456", "XYZ", "77", "01",
		"山田　太郎", "ヤマダ　タロウ", "1985-04-01", "1", "2025-04-01", "", "", "30", "1"})
	w.Flush()
	return b.String()
}

// runSteps runs every step and checks outputs, then every file written.
func runSteps(t *testing.T, c *cli, steps []step, secrets []secret, inputs map[string]bool) {
	for _, s := range steps {
		start := time.Now()
		r := c.run(s.stdin, s.args...)
		took := time.Since(start)
		name := strings.Join(s.args, " ")
		if s.wantCode >= 0 && r.code != s.wantCode {
			t.Errorf("mynacard %s: exit %d, want %d\nstderr: %s", name, r.code, s.wantCode, r.stderr)
		}
		for _, l := range leaks(r.stderr, secrets) {
			t.Errorf("mynacard %s: stderr shows the %s", name, l)
		}
		sec := secrets
		if s.numberOnStdout {
			sec = nil
			for _, x := range secrets {
				if !strings.HasPrefix(x.what, "Individual Number") {
					sec = append(sec, x)
				}
			}
		}
		for _, l := range leaks(r.stdout, sec) {
			t.Errorf("mynacard %s: stdout shows the %s", name, l)
		}
		t.Logf("mynacard %s: exit %d in %v, %d bytes out, %d bytes err", name, r.code, took.Round(time.Millisecond), len(r.stdout), len(r.stderr))
	}
	for p, b := range c.files(inputs) {
		for _, l := range leaks(b, secrets) {
			t.Errorf("file %s written by the CLI holds the %s", strings.TrimPrefix(p, c.dir), l)
		}
	}
}

var buildOnce = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(binDir, "mynacard")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/mynacard/mynacard/cmd/mynacard").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building the CLI: %v\n%s", err, out)
	}
	return bin, nil
})

func cliBinary(t *testing.T) string {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestCLISecretsVirtual runs every clerk command against the built-in
// virtual card with --trace, in English, Japanese and JSON, PINs on stdin,
// and checks that no PIN, password (any case) or Individual Number reaches
// stdout, stderr, the database or any file the CLI writes.
func TestCLISecretsVirtual(t *testing.T) {
	bin := cliBinary(t)
	c := newCLI(t, bin)
	h := jpkitest.DefaultHolder()
	ct := h.Contents()
	secrets := append(numberSecrets(ct.Number), pinSecrets("PIN", ct.AuthPIN)...)
	secrets = append(secrets, pinSecrets("signing password", ct.SignPIN)...)
	secrets = append(secrets, pinSecrets("new PIN", "5678")...)
	secrets = append(secrets, pinSecrets("wrong password", "WRONGPW1")...)

	csvPath := filepath.Join(c.dir, "eligibility.csv")
	docPath := filepath.Join(c.dir, "doc.txt")
	os.WriteFile(csvPath, []byte(eligibilityCSVFor(h)), 0o600)
	os.WriteFile(docPath, []byte("a document to sign\n"), 0o600)
	inputs := map[string]bool{csvPath: true, docPath: true}

	db := filepath.Join(c.dir, "store.db")
	g := []string{"--reader", "virtual", "--trace", "--db", db, "--pin-stdin"}
	with := func(extra ...string) []string { return append(append([]string{}, g...), extra...) }
	lower := strings.ToLower(ct.SignPIN) + "\n"
	pin := ct.AuthPIN + "\n"
	var steps []step
	for _, lang := range [][]string{{"--lang", "en"}, {"--lang", "ja"}, {"--json"}} {
		L := func(a ...string) []string { return append(with(lang...), a...) }
		steps = append(steps,
			step{"", L("status"), false, 0},
			step{"", L("pin", "status"), false, 0},
			step{"", L("cert", "auth"), false, 0},
			step{"", L("cert", "auth-ca"), false, 0},
			step{"", L("cert", "sign-ca"), false, 0},
			step{lower, L("cert", "sign"), false, 0},
			step{pin, L("text"), false, 0},
			step{pin, L("text", "--show-number"), true, 0},
			step{pin, L("face", "--out", filepath.Join(c.dir, "face"+lang[len(lang)-1]+".jp2"), "--png", filepath.Join(c.dir, "face"+lang[len(lang)-1]+".png")), false, -1},
			step{"", L("eligibility", "import", csvPath), false, 0},
			step{lower, L("identify", "--revocation", "soft", "--enroll"), false, -1},
			step{pin, L("identify", "--auth-key", "--revocation", "soft"), false, -1},
			step{pin, L("qualify", "--revocation", "soft"), false, -1},
			step{lower, L("sign", docPath, "--out", filepath.Join(c.dir, "doc"+lang[len(lang)-1]+".p7s")), false, 0},
			step{"", L("verify", filepath.Join(c.dir, "doc"+lang[len(lang)-1]+".p7s"), docPath, "--revocation", "soft"), false, -1},
			step{"", L("changes", "--all", "--revocation", "soft"), false, -1},
			step{pin, L("token", "--audience", "https://service.example", "--nonce", "cmVsaWFiaWxpdHktY2FtcGFpZ24tbm9uY2UtMzJieXQ"), false, -1},
			step{pin + "5678\n5678\n", L("pin", "change", "auth"), false, 0},
			step{"WRONGPW1\n", L("identify", "--revocation", "soft"), false, 7},
			step{"wrongpw1\n", L("cert", "sign"), false, 7},
			step{"", L("records", "export"), false, -1},
			step{"", L("records", "verify"), false, -1},
			step{"", L("readers"), false, -1},
			step{lower + pin, L("identify", "--compare-text", "--revocation", "soft"), false, -1},
			step{lower, L("identify", "--token", "--consent", "--audience", "https://service.example", "--nonce", "cmVsaWFiaWxpdHktY2FtcGFpZ24tbm9uY2UtMzJieXQ"), false, -1},
			step{pin, L("qualify", "--token", "--audience", "https://service.example", "--nonce", "cmVsaWFiaWxpdHktY2FtcGFpZ24tbm9uY2UtMzJieXQ"), false, -1},
		)
		if lang[0] == "--lang" && lang[1] == "en" {
			continue
		}
		// Japanese and JSON: the commands whose output carries personal
		// data or a PIN error; the rest print the same in every language.
		keep := steps[:0:0]
		for _, st := range steps {
			if !slices.Contains(st.args, lang[len(lang)-1]) {
				keep = append(keep, st)
				continue
			}
			switch st.args[len(g)+len(lang)] {
			case "status", "text", "identify", "qualify", "cert":
				keep = append(keep, st)
			}
		}
		steps = keep
	}
	runSteps(t, c, steps, secrets, inputs)

	// PINs from a file descriptor (--pin-fd 3) instead of stdin.
	fdArgs := []string{"--reader", "virtual", "--trace", "--db", db, "--pin-fd", "3"}
	for _, a := range [][]string{{"identify", "--revocation", "soft"}, {"qualify", "--revocation", "soft"}} {
		in := lower
		if a[0] == "qualify" {
			in = pin
		}
		r := c.runFD("", in, append(append([]string{}, fdArgs...), a...)...)
		if r.code != 0 {
			t.Errorf("mynacard --pin-fd 3 %s: exit %d\n%s", a[0], r.code, r.stderr)
		}
		for _, l := range leaks(append(r.stdout, r.stderr...), secrets) {
			t.Errorf("mynacard --pin-fd 3 %s: output shows the %s", a[0], l)
		}
	}
}

// TestCLIRefusesPINInArgv: a PIN on the command line (as a flag or an
// argument) or in the environment is refused before any VERIFY carrying data
// is sent; the refusal does not echo it.
func TestCLIRefusesPINInArgv(t *testing.T) {
	bin := cliBinary(t)
	c := newCLI(t, bin)
	secrets := pinSecrets("PIN", "7319")
	g := []string{"--reader", "virtual", "--trace"}
	cases := [][]string{
		{"identify", "--pin", "7319"},
		{"identify", "--pin=7319"},
		{"identify", "--password", "7319"},
		{"identify", "--passwd", "7319"},
		{"qualify", "--pin", "7319"},
		{"text", "--pin", "7319"},
		{"sign", "--pin", "7319", "doc.txt"},
		{"identify", "7319"},
		{"qualify", "7319"},
		{"text", "7319"},
		{"pin", "change", "auth", "7319", "7320"},
	}
	for _, a := range cases {
		r := c.run("", append(append([]string{}, g...), a...)...)
		name := strings.Join(a, " ")
		if r.code != 2 {
			t.Errorf("mynacard %s: exit %d, want 2 (usage)\nstderr: %s", name, r.code, r.stderr)
		}
		if traceVerifyWithData.Match(r.stderr) {
			t.Errorf("mynacard %s: a VERIFY with data was sent:\n%s", name, r.stderr)
		}
		if !positional(a) {
			for _, l := range leaks(append(r.stdout, r.stderr...), secrets) {
				t.Errorf("mynacard %s: output echoes the %s", name, l)
			}
		}
	}
	// The environment is not a PIN source either: with stdin not a
	// terminal and no --pin-stdin, the PIN cannot be read (exit 7) and
	// nothing is verified.
	c.env = append(c.env, "MYNACARD_PIN=7319", "PIN=7319", "MYNACARD_PASSWORD=7319")
	r := c.run("", append(append([]string{}, g...), "qualify", "--revocation", "soft")...)
	if r.code == 0 || traceVerifyWithData.Match(r.stderr) {
		t.Errorf("qualify with a PIN in the environment: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// positional reports whether a has no flag (the PIN is a positional
// argument).
func positional(a []string) bool {
	for _, x := range a {
		if strings.HasPrefix(x, "-") {
			return false
		}
	}
	return true
}

// TestCLIDoesNotEchoPositionalPIN: a PIN typed as an argument by mistake
// (mynacard identify 1234) is refused, and the refusal must not write it to
// stderr (and so to logs). cobra's NoArgs message "unknown command \"1234\"
// for \"mynacard identify\"" did, until cmd/mynacard replaced it.
func TestCLIDoesNotEchoPositionalPIN(t *testing.T) {
	bin := cliBinary(t)
	c := newCLI(t, bin)
	secrets := pinSecrets("PIN", "7319")
	for _, a := range [][]string{{"identify", "7319"}, {"qualify", "7319"}, {"text", "7319"}, {"status", "7319"}} {
		r := c.run("", append([]string{"--reader", "virtual"}, a...)...)
		for _, l := range leaks(append(r.stdout, r.stderr...), secrets) {
			t.Errorf("mynacard %s: exit %d, output echoes the %s", strings.Join(a, " "), r.code, l)
		}
	}
}

// spy is a virtual card that counts the VERIFY commands carrying data that
// reach it through pcscd.
type spy struct {
	*virtual.Card
	mu       sync.Mutex
	verifies int
}

func (s *spy) Transmit(capdu []byte) []byte {
	if len(capdu) > 5 && capdu[1] == 0x20 {
		s.mu.Lock()
		s.verifies++
		s.mu.Unlock()
	}
	return s.Card.Transmit(capdu)
}

func (s *spy) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.verifies
}

// TestCLISecretsPCSC runs a few commands through pcscd against a virtual
// card with PINs and a number of its own (so that a match cannot be a
// coincidence with the built-in card's well-known test values), and the
// argv refusals, counting the VERIFY commands that reach the card.
func TestCLISecretsPCSC(t *testing.T) {
	bin := cliBinary(t)
	h, err := jpkitest.Default().Issue(jpkitest.HolderSpec{AuthPIN: "7391", SignPIN: "QZX4827K"})
	if err != nil {
		t.Fatal(err)
	}
	ct := h.Contents()
	vc, err := virtual.NewMyNumberCard(ct)
	if err != nil {
		t.Fatal(err)
	}
	sp := &spy{Card: vc}
	start := time.Now()
	slot := pcsctest.Slot(t)
	t.Logf("waited %v for a vpcd slot", time.Since(start).Round(time.Millisecond))
	pcsctest.Insert(t, slot, sp)

	c := newCLI(t, bin)
	secrets := append(numberSecrets(ct.Number), pinSecrets("PIN", ct.AuthPIN)...)
	secrets = append(secrets, pinSecrets("signing password", ct.SignPIN)...)
	db := filepath.Join(c.dir, "store.db")
	g := []string{"--reader", slot.Reader, "--test-hierarchy", "--trace", "--db", db, "--pin-stdin", "--revocation", "soft"}
	with := func(a ...string) []string { return append(append([]string{}, g...), a...) }

	// Refusals first: no VERIFY may reach the card.
	for _, a := range [][]string{{"identify", "--pin", ct.AuthPIN}, {"identify", "--password", ct.SignPIN}, {"qualify", ct.AuthPIN}} {
		r := c.run("", with(a...)...)
		if r.code != 2 {
			t.Errorf("mynacard %s: exit %d, want 2", strings.Join(a, " "), r.code)
		}
	}
	if n := sp.count(); n != 0 {
		t.Fatalf("%d VERIFY commands with data reached the card for PINs given in argv", n)
	}
	if n := vc.TriesLeft(virtual.PINJPKIAuth); n != virtual.MaxTriesJPKIAuth {
		t.Errorf("auth PIN tries %d after the refusals", n)
	}

	steps := []step{
		{"", with("status"), false, 0},
		{strings.ToLower(ct.SignPIN) + "\n", with("identify", "--enroll"), false, -1},
		{ct.AuthPIN + "\n", with("text"), false, 0},
		{ct.AuthPIN + "\n", with("--json", "text"), false, 0},
		{ct.AuthPIN + "\n", with("face", "--out", filepath.Join(c.dir, "f.jp2")), false, -1},
		{ct.AuthPIN + "\n", with("identify", "--auth-key"), false, -1},
	}
	runSteps(t, c, steps, secrets, nil)
}

// TestServeSecrets runs the kiosk agent (mynacard serve) with --trace
// against the built-in card, sends PINs in POST bodies (right, wrong, lower
// case), and checks that neither its output nor its database shows them.
func TestServeSecrets(t *testing.T) {
	bin := cliBinary(t)
	c := newCLI(t, bin)
	ct := jpkitest.DefaultHolder().Contents()
	secrets := append(pinSecrets("PIN", ct.AuthPIN), pinSecrets("signing password", ct.SignPIN)...)
	secrets = append(secrets, pinSecrets("wrong PIN", "9876")...)
	secrets = append(secrets, numberSecrets(ct.Number)...)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// serve needs an existing store (only enrolment and import create one).
	dbPath := filepath.Join(c.dir, "store.db")
	st, err := storeopen.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	cmd := exec.CommandContext(ctx, bin, "serve", "--reader", "virtual", "--trace", "--listen", addr,
		"--revocation", "soft", "--audience", "https://service.example", "--db", dbPath)
	cmd.Dir, cmd.Env = c.dir, c.env
	var errb bytes.Buffer
	cmd.Stderr = &errb
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	tokenCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			out.Write(sc.Bytes())
			out.WriteByte('\n')
			if tok, ok := strings.CutPrefix(sc.Text(), "token: "); ok && !sent {
				tokenCh <- tok
				sent = true
			}
		}
	}()
	var token string
	select {
	case token = <-tokenCh:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve printed no token; stderr:\n%s", errb.String())
	}
	post := func(path, body string) string {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+path, strings.NewReader(body))
		req.Header.Set("X-Mynacard-Token", token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for _, l := range leaks(b, secrets) {
			t.Errorf("POST %s answer shows the %s", path, l)
		}
		return fmt.Sprintf("%d %.80s", resp.StatusCode, b)
	}
	for _, r := range []struct{ path, body string }{
		{"/v1/identify", `{"pin":"` + strings.ToLower(ct.SignPIN) + `","key":"sign"}`},
		{"/v1/identify", `{"pin":"` + ct.AuthPIN + `","key":"auth"}`},
		{"/v1/qualify", `{"pin":"9876"}`},
		{"/v1/qualify", `{"pin":"` + ct.AuthPIN + `"}`},
		{"/v1/token", `{"nonce":"cmVsaWFiaWxpdHktY2FtcGFpZ24tbm9uY2UtMzJieXQ","pin":"` + ct.AuthPIN + `"}`},
		{"/v1/identify", `{"pin":"WRONG1","key":"sign"}`},
	} {
		t.Logf("POST %s: %s", r.path, post(r.path, r.body))
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	for _, l := range leaks(errb.Bytes(), secrets) {
		t.Errorf("serve's stderr shows the %s", l)
	}
	for _, l := range leaks(out.Bytes(), secrets) {
		t.Errorf("serve's stdout shows the %s", l)
	}
	for p, b := range c.files(nil) {
		for _, l := range leaks(b, secrets) {
			t.Errorf("file %s written by serve holds the %s", strings.TrimPrefix(p, c.dir), l)
		}
	}
	if !traceVerifyWithData.Match(errb.Bytes()) {
		t.Errorf("serve --trace showed no VERIFY: is the trace on?\n%s", errb.String())
	}
}
