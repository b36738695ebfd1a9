package reliability

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/reader"
)

// slack is how long past its deadline an operation may take to return:
// scheduling on a loaded 2-core machine under -race, not card time.
const slack = 1500 * time.Millisecond

// faultKind is one column of the matrix: a virtual-card fault without its
// index.
type faultKind struct {
	name  string
	fault virtual.Fault
	// mustFail: the card never answered properly (removed, or too slow),
	// so success would be a lie.
	mustFail bool
	// want, when set, is the class the error must have.
	want string
}

// unexpectedStatuses are the status words each APDU is answered with in
// turn (ISO/IEC 7816-4 §5.6 table 6; 6581 memory failure; 9000 with no data
// where data was expected).
var unexpectedStatuses = []uint16{0x6700, 0x6982, 0x6984, 0x6A82, 0x6A86, 0x6D00, 0x6E00, 0x6F00, 0x6581, 0x9000}

func faultKinds(latency time.Duration) []faultKind {
	ks := []faultKind{
		{name: "remove", fault: virtual.Fault{Kind: virtual.FaultRemove}, mustFail: true, want: classRemoved},
		{name: "corrupt", fault: virtual.Fault{Kind: virtual.FaultCorrupt}},
		{name: "truncate", fault: virtual.Fault{Kind: virtual.FaultTruncate}},
		{name: "overlength", fault: virtual.Fault{Kind: virtual.FaultOverLength}},
	}
	for _, sw := range unexpectedStatuses {
		ks = append(ks, faultKind{name: fmt.Sprintf("sw %04X", sw), fault: virtual.Fault{Kind: virtual.FaultStatus, SW: sw}})
	}
	if latency > 0 {
		ks = append(ks, faultKind{name: "latency>timeout", fault: virtual.Fault{Kind: virtual.FaultLatency, Delay: latency},
			mustFail: true, want: classDeadline})
	}
	return ks
}

// matrixRun is one pass of the matrix over one transport.
type matrixRun struct {
	t       *testing.T
	name    string
	w       *world
	vc      *virtual.Card
	sess    *pcscSession // nil in process
	rc      reader.Card
	rec     recorder
	env     *opEnv
	lastSeq int64

	// counts[kind][class]
	counts   map[string]map[string]int
	spent    map[string]time.Duration // wall time per fault kind
	slowest  map[string]time.Duration // longest return time per fault kind
	opSpent  map[string]time.Duration // wall time per operation
	cases    int
	failures int
	maxOver  time.Duration
}

func newMatrixRun(t *testing.T, name string, w *world, overPCSC bool) *matrixRun {
	m := &matrixRun{t: t, name: name, w: w, vc: w.newCard(t), counts: map[string]map[string]int{},
		spent: map[string]time.Duration{}, opSpent: map[string]time.Duration{}, slowest: map[string]time.Duration{}}
	if overPCSC {
		m.sess = newPCSCSession(t, m.vc)
		m.rc = m.sess.card
	} else {
		m.rc = reader.Loopback("loopback", m.vc, reader.Capabilities{})
	}
	m.open()
	_, seq, err := recordsAfter(context.Background(), w.st, 0)
	if err != nil {
		t.Fatal(err)
	}
	m.lastSeq = seq
	return m
}

// open opens the JPKI application on the current connection, with no fault
// planned.
func (m *matrixRun) open() {
	m.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	j, err := card.OpenJPKI(ctx, m.rc, card.Options{Trace: m.rec.hook})
	if err != nil {
		m.t.Fatalf("%s: opening JPKI: %v", m.name, err)
	}
	m.env = &opEnv{rc: m.rc, j: j, w: m.w}
}

// clean is an operation's fault-free run.
type clean struct {
	n        int           // APDUs
	dur      time.Duration // how long it took
	verifies int           // VERIFY commands with a PIN
	ins      []byte        // instruction of each APDU (nil for detect, which is not traced)
	data     []bool
}

func (m *matrixRun) cleanRun(op operation) clean {
	m.t.Helper()
	m.vc.Reset()
	m.vc.SetFaults()
	m.rec.reset()
	base := m.vc.Stats().APDUs
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	err := op.run(ctx, m.env)
	c := clean{n: m.vc.Stats().APDUs - base, dur: time.Since(start), verifies: m.rec.verifies()}
	c.ins, c.data = m.rec.snapshot()
	var pe *card.PINError
	if err != nil && !(m.w.wrongPIN && errors.As(err, &pe)) {
		m.t.Fatalf("%s %s: clean run failed: %v", m.name, op.name, err)
	}
	if m.w.wrongPIN {
		m.restore(op)
	}
	if op.name != "detect" && len(c.ins) != c.n {
		m.t.Fatalf("%s %s: the trace saw %d APDUs, the card %d", m.name, op.name, len(c.ins), c.n)
	}
	if _, seq, err := recordsAfter(ctx, m.w.st, m.lastSeq); err == nil {
		m.lastSeq = seq
	}
	return c
}

// restore runs op with the right PIN, which resets the retry counters a
// wrong PIN spent, so that every case starts with all tries.
func (m *matrixRun) restore(op operation) {
	m.t.Helper()
	m.w.wrongPIN = false
	defer func() { m.w.wrongPIN = true }()
	m.vc.SetFaults()
	m.vc.Reset()
	if err := runOp(context.Background(), op, m.env); err != nil {
		m.t.Fatalf("restoring the tries: %v", err)
	}
	if _, seq, err := recordsAfter(context.Background(), m.w.st, m.lastSeq); err == nil {
		m.lastSeq = seq
	}
}

// runOp runs op with a recovered panic turned into an error.
func runOp(ctx context.Context, op operation, e *opEnv) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errPanic, r)
		}
	}()
	return op.run(ctx, e)
}

// runCase runs op with fault k at APDU index i (1-based, within the
// operation) and checks every promise. It returns the outcome class.
func (m *matrixRun) runCase(op operation, c clean, k faultKind, i int, timeout time.Duration) string {
	m.t.Helper()
	caseStart := time.Now()
	defer func() {
		m.spent[k.name] += time.Since(caseStart)
		m.opSpent[op.name] += time.Since(caseStart)
	}()
	m.vc.Reset()
	f := k.fault
	f.At = m.vc.Stats().APDUs + i
	m.vc.SetFaults(f)
	before := tries(m.vc)
	m.rec.reset()

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	start := time.Now()
	err := runOp(ctx, op, m.env)
	elapsed := time.Since(start)
	cancel()
	m.vc.SetFaults()
	verifies := m.rec.verifies()

	class := classify(err)
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if strings.HasPrefix(class, "FAIL") {
		fail("%s: %v", class, err)
	}
	if k.mustFail && err == nil {
		fail("succeeded although the card never answered")
	}
	if k.want != "" && err != nil && class != k.want {
		fail("error %q is classed %q, want %q", err, class, k.want)
	}
	var pe *card.PINError
	harmlessWrongPIN := m.w.wrongPIN && errors.As(err, &pe) // the clean outcome of a wrong PIN
	if k.fault.Kind == virtual.FaultStatus && err != nil && !harmlessWrongPIN {
		checkStatusCause(k.fault.SW, err, class, fail)
	}
	m.slowest[k.name] = max(m.slowest[k.name], elapsed)
	if over := elapsed - timeout; over > m.maxOver {
		m.maxOver = over
	}
	if elapsed > timeout+slack {
		fail("returned after %v, timeout %v", elapsed, timeout)
	}
	after := tries(m.vc)
	dropped := false
	for _, p := range allPINs {
		switch d := before[p] - after[p]; {
		case d > 0 && !m.w.wrongPIN:
			fail("%v retry counter dropped %d -> %d with the right PIN", p, before[p], after[p])
		case d > 1:
			fail("%v retry counter dropped %d -> %d: more than the one VERIFY asked for", p, before[p], after[p])
		case d == 1 && verifies == 0:
			fail("%v retry counter dropped without a VERIFY sent", p)
		case d == 1:
			dropped = true
		}
	}
	if dropped {
		// Restore the counter with the right PIN (a good VERIFY resets
		// it), so that every case starts with all tries.
		defer m.restore(op)
	}
	if verifies > c.verifies {
		fail("sent %d VERIFY commands with a PIN, the operation needs %d (a retry?)", verifies, c.verifies)
	}
	n, seq, rerr := recordsAfter(context.Background(), m.w.st, m.lastSeq)
	if rerr != nil {
		m.t.Fatalf("listing records: %v", rerr)
	}
	m.lastSeq = seq
	switch {
	case err != nil && !errors.Is(err, errRefused) && n != 0:
		fail("%d record(s) written for an operation that failed", n)
	case (err == nil || errors.Is(err, errRefused)) && op.records && n != 1:
		fail("%d record(s) written for a completed operation, want 1", n)
	case !op.records && n != 0:
		fail("%d record(s) written by an operation that keeps none", n)
	}

	// Let a slow card finish before the next case: the card is still
	// sleeping on the APDU the deadline abandoned.
	if k.fault.Kind == virtual.FaultLatency && err != nil {
		time.Sleep(time.Until(start.Add(timeout + k.fault.Delay + 50*time.Millisecond)))
	}
	if m.vc.IsRemoved() {
		if m.sess != nil {
			m.sess.reinsert()
			m.rc = m.sess.card
		} else {
			m.vc.Reinsert()
		}
		m.open()
	}

	m.cases++
	if m.counts[k.name] == nil {
		m.counts[k.name] = map[string]int{}
	}
	if len(problems) > 0 {
		m.failures++
		class = "FAIL"
		m.t.Errorf("%s %s, %s at APDU %d/%d (INS %s): %s", m.name, op.name, k.name, i, c.n, insAt(c, i), strings.Join(problems, "; "))
	}
	m.counts[k.name][class]++
	return class
}

// checkStatusCause checks that an injected status word is named by the
// error: the *apdu.StatusError itself, or the sentinel the library derives
// from it.
func checkStatusCause(sw uint16, err error, class string, fail func(string, ...any)) {
	if got, ok := statusSW(err); ok && got == sw {
		return
	}
	switch {
	case class == classDeadline:
		return
	case sw == apdu.SWOK && slices.Contains([]string{"truncated", "malformed record", "malformed signature", "empty EF",
		"malformed TLV", "malformed response", "integrity", "no integrity record"}, class):
		return // 9000 without the data: the data's absence is the cause
	case sw == apdu.SWOK:
		if _, ok := statusSW(err); ok {
			return // a skipped SELECT or VERIFY: the next command's status names it
		}
	case sw == 0x6984 && class == "PIN blocked":
		return
	case sw == 0x6A82 && (class == "not a My Number card" || class == "no integrity record"):
		return
	}
	fail("injected status %04X not named by the error (%s): %v", sw, class, err)
}

func insAt(c clean, i int) string {
	if i-1 < len(c.ins) {
		return fmt.Sprintf("%02X", c.ins[i-1])
	}
	return "?"
}

// sample picks the indexes where the costly kinds run over pcscd: the
// first APDU, each VERIFY carrying a PIN, each SIGN, the last, and every
// k-th.
func sample(c clean, every int) []int {
	set := map[int]bool{1: true, c.n: true}
	for i, ins := range c.ins {
		if (ins == insVerify && c.data[i]) || ins == insSign {
			set[i+1] = true
		}
	}
	if every > 0 {
		for i := every; i < c.n; i += every {
			set[i] = true
		}
	}
	out := make([]int, 0, len(set))
	for i := range set {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// summary logs the outcome counts and returns the summary line.
func (m *matrixRun) summary() string {
	var b strings.Builder
	kinds := make([]string, 0, len(m.counts))
	for k := range m.counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	total := map[string]int{}
	for _, k := range kinds {
		classes := make([]string, 0, len(m.counts[k]))
		n := 0
		for c, v := range m.counts[k] {
			classes = append(classes, fmt.Sprintf("%s=%d", c, v))
			total[c] += v
			n += v
		}
		sort.Strings(classes)
		fmt.Fprintf(&b, "  %-16s %5d cases in %6.1fs, slowest return %5dms: %s\n", k, n, m.spent[k].Seconds(), m.slowest[k].Milliseconds(), strings.Join(classes, ", "))
	}
	classes := make([]string, 0, len(total))
	for c, v := range total {
		classes = append(classes, fmt.Sprintf("%s=%d", c, v))
	}
	sort.Strings(classes)
	line := fmt.Sprintf("MATRIX %s: %d cases, %d failures, max overrun past deadline %v; outcomes: %s",
		m.name, m.cases, m.failures, m.maxOver.Round(time.Millisecond), strings.Join(classes, ", "))
	m.t.Logf("outcome counts by fault kind (%s):\n%s", m.name, b.String())
	var ob strings.Builder
	for op, d := range m.opSpent {
		fmt.Fprintf(&ob, " %s=%.1fs", op, d.Seconds())
	}
	m.t.Logf("time per operation (%s):%s", m.name, ob.String())
	m.t.Log(line)
	if dir := os.Getenv("MYNACARD_RELIABILITY_OUT"); dir != "" {
		_ = os.MkdirAll(dir, 0o755)
		_ = os.WriteFile(filepath.Join(dir, "matrix-"+strings.ReplaceAll(m.name, " ", "_")+".txt"),
			[]byte(line+"\n"+b.String()), 0o644)
	}
	return line
}
