package durability

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// defaultKills is how many times each scenario kills the CLI when
// MYNACARD_DURABILITY_KILLS does not say otherwise.
const defaultKills = 30

// cliTimeout bounds one CLI run that is allowed to finish: far more than a
// run takes, so only a hang trips it.
const cliTimeout = 2 * time.Minute

// env is what TestMain prepares once for every test.
type env struct {
	// dir holds the built binaries and every test's databases (on tmpfs
	// when there is one: a SIGKILL is not a power cut, so the page cache
	// is enough, and SQLite's fsyncs cost nothing there).
	dir string
	// cli, seeder and checker are the built mynacard,
	// cmd/mynacard/testdata/seed and testdata/dbcheck.
	cli, seeder, checker string
	// seed is the random seed every scenario derives its delays from.
	seed uint64
	// tally collects the scenarios' counts for the summary line.
	tally *tally
}

// the is the environment TestMain built; tests only read it.
var the env

// TestMain builds the CLI, the seeding helper and the database checker
// once, without the race detector (the processes are killed, not raced;
// an instrumented SQLite is many times slower), runs the tests and prints
// the summary lines.
func TestMain(m *testing.M) {
	code := func() int {
		base := ""
		if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
			base = "/dev/shm"
		}
		dir, err := os.MkdirTemp(base, "mynacard-durability-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "durability:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		the = env{dir: dir, cli: filepath.Join(dir, "mynacard"), seeder: filepath.Join(dir, "mynacard-seed"),
			checker: filepath.Join(dir, "dbcheck"), tally: &tally{}}
		for _, b := range []struct{ out, pkg string }{
			{the.cli, "../../cmd/mynacard"}, {the.seeder, "../../cmd/mynacard/testdata/seed"}, {the.checker, "./testdata/dbcheck"},
		} {
			build := exec.Command("go", "build", "-o", b.out, b.pkg)
			if out, err := build.CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "durability: building %s: %v\n%s", b.pkg, err, out)
				return 1
			}
		}
		the.seed = uint64(time.Now().UnixNano())
		if s := os.Getenv("MYNACARD_DURABILITY_SEED"); s != "" {
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				fmt.Fprintf(os.Stderr, "durability: MYNACARD_DURABILITY_SEED=%q: %v\n", s, err)
				return 1
			}
			the.seed = n
		}
		code := m.Run()
		the.tally.print(os.Stdout, the.seed)
		return code
	}()
	os.Exit(code)
}

// kills is the number of kills per scenario.
func kills(t *testing.T) int {
	t.Helper()
	if s := os.Getenv("MYNACARD_DURABILITY_KILLS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			t.Fatalf("MYNACARD_DURABILITY_KILLS=%q: want a count", s)
		}
		return n
	}
	if testing.Short() {
		return defaultKills / 3
	}
	return defaultKills
}

// rng returns the scenario's random source: the run's seed, the scenario's
// number as the stream.
func rng(scenario uint64) *rand.Rand {
	return rand.New(rand.NewPCG(the.seed, scenario))
}

// scenario counts one scenario's kills. Kills are SIGKILLs delivered to a
// running CLI (a process that finished before its delay is not counted).
type scenario struct {
	name string
	// kills landed before the first write was visible (before), while
	// writing (during) and after everything was written but before the
	// process exited (after).
	kills, before, during, after int
	// finished counts runs whose delay outlasted the process.
	finished int
	// partial counts half-written rows or imports; lost counts completed
	// writes (reported by the CLI, or ordered before a write that is
	// there) that are missing.
	partial, lost int
	// reruns counts runs to completion after a kill that were checked.
	reruns int
}

// tally is every scenario's counts.
type tally struct {
	mu        sync.Mutex
	scenarios []*scenario
}

func (ta *tally) add(s *scenario) {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	ta.scenarios = append(ta.scenarios, s)
}

// print writes one DURABILITY line per scenario and the total, in the
// key=value form scripts/reliability-report.sh reads.
func (ta *tally) print(w io.Writer, seed uint64) {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	var total scenario
	for _, s := range ta.scenarios {
		fmt.Fprintf(w, "DURABILITY scenario=%s kills=%d before=%d during=%d after=%d finished=%d partial=%d lost=%d reruns=%d seed=%d\n",
			s.name, s.kills, s.before, s.during, s.after, s.finished, s.partial, s.lost, s.reruns, seed)
		total.kills += s.kills
		total.partial += s.partial
		total.lost += s.lost
	}
	fmt.Fprintf(w, "DURABILITY kills=%d scenarios=%d lost=%d partial=%d seed=%d\n",
		total.kills, len(ta.scenarios), total.lost, total.partial, seed)
}

// result is how one CLI run ended.
type result struct {
	stdout, stderr string
	// killed says the SIGKILL reached a running process.
	killed bool
	code   int
	took   time.Duration
	// firstOut is when the first byte reached stdout (0: none did).
	firstOut time.Duration
}

// stampWriter is a bytes.Buffer that notes when it was first written to
// and calls atLine once when its lines-th line is complete.
type stampWriter struct {
	start  time.Time
	first  time.Duration
	buf    bytes.Buffer
	lines  int
	atLine func()
}

func (w *stampWriter) Write(p []byte) (int, error) {
	if w.first == 0 && len(p) > 0 {
		w.first = time.Since(w.start)
	}
	if w.atLine != nil && w.lines > 0 {
		w.lines -= bytes.Count(p, []byte{'\n'})
		if w.lines <= 0 {
			w.atLine()
		}
	}
	return w.buf.Write(p)
}

// killAt says when runCLI kills the CLI: after its lines-th line of
// output plus delay, or with lines 0 after delay from the start; the zero
// value lets it finish.
type killAt struct {
	lines int
	delay time.Duration
}

func (k killAt) String() string {
	if k.lines > 0 {
		return fmt.Sprintf("%v after output line %d", k.delay, k.lines)
	}
	return fmt.Sprintf("%v after start", k.delay)
}

// runCLI runs the built CLI with args and kills it with SIGKILL as kill
// says, unless it ended first.
func runCLI(t *testing.T, home string, kill killAt, args ...string) result {
	t.Helper()
	cmd := exec.Command(the.cli, args...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+home, "LC_ALL=C", "LANG=C")
	start := time.Now()
	fire := make(chan struct{})
	stdout := &stampWriter{start: start}
	if kill.lines > 0 {
		stdout.lines = kill.lines
		stdout.atLine = func() { close(fire) }
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting mynacard: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if kill.lines == 0 && kill.delay > 0 {
		go func() { time.Sleep(kill.delay); close(fire) }()
	}
	timer := time.NewTimer(cliTimeout)
	defer timer.Stop()
	var err error
	select {
	case err = <-done:
	case <-fire:
		if kill.lines > 0 && kill.delay > 0 {
			time.Sleep(kill.delay)
		}
		if sigErr := cmd.Process.Signal(syscall.SIGKILL); sigErr != nil && !errors.Is(sigErr, os.ErrProcessDone) {
			t.Fatalf("killing mynacard: %v", sigErr)
		}
		err = <-done
	case <-timer.C:
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
		t.Fatalf("mynacard %s did not finish within %v", strings.Join(args, " "), cliTimeout)
	}
	r := result{stdout: stdout.buf.String(), stderr: stderr.String(), took: time.Since(start), firstOut: stdout.first}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			r.killed = true
		}
	default:
		t.Fatalf("running mynacard: %v", err)
	}
	return r
}

// copyDB copies a closed SQLite database (and its WAL, if one was left)
// to dst, replacing what was there.
func copyDB(t *testing.T, src, dst string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(src + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// report is what testdata/dbcheck found in a database (see its Report).
type report struct {
	Integrity    []string `json:"integrity"`
	FKViolations int      `json:"fk_violations"`
	Records      [4]int64 `json:"records"`
	Checks       []struct {
		ID        int64  `json:"id"`
		Status    string `json:"status"`
		Reason    string `json:"reason"`
		Source    string `json:"source"`
		CheckedAt bool   `json:"checked_at"`
	} `json:"checks"`
	Eligibility [6]int64 `json:"eligibility"`
	StoreOpen   string   `json:"store_open"`
}

// inspect opens the database a CLI run left with testdata/dbcheck (a
// separate process, as a crashed program's successor: SQLite replays or
// discards the WAL the killed process left) and returns what it found.
func inspect(t *testing.T, path string) report {
	t.Helper()
	cmd := exec.Command(the.checker, path, nextName)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("checking %s: %v\n%s", path, err, stderr.String())
	}
	var r report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("checking %s: %v", path, err)
	}
	return r
}

// checkIntegrity reports what integrity_check, foreign_key_check, the
// records' sequence and opening with package store found wrong.
func checkIntegrity(t *testing.T, r report) bool {
	t.Helper()
	ok := true
	if len(r.Integrity) != 1 || r.Integrity[0] != "ok" {
		t.Errorf("integrity_check: %q", r.Integrity)
		ok = false
	}
	if r.FKViolations != 0 {
		t.Errorf("foreign_key_check: %d violations", r.FKViolations)
		ok = false
	}
	// Confirmation records: seq 1..last_seq without a gap.
	count, minSeq, maxSeq, head := r.Records[0], r.Records[1], r.Records[2], r.Records[3]
	if count != maxSeq || (count > 0 && minSeq != 1) || head != maxSeq {
		t.Errorf("records: %d rows, seq %d..%d, head %d: the sequence has a gap", count, minSeq, maxSeq, head)
		ok = false
	}
	if r.StoreOpen != "" {
		t.Errorf("storeopen.Open: %s", r.StoreOpen)
		ok = false
	}
	return ok
}
