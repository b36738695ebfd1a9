package durability

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/store"
)

// changesEnrolments is the batch size: large enough that `changes --all`
// writes for a few hundred milliseconds, small enough that 30 kills and
// re-runs fit the package's time budget.
const changesEnrolments = 3000

// Which seeded enrolments the CRL revokes, as the CLI's batch script does
// (cmd/mynacard/testdata/script/changes_batch.txtar): enrolment i (ID i+1)
// is revoked affiliationChanged when i%regChangedEvery == regChangedAt,
// else keyCompromise when i%compromisedEvery == compromisedAt.
const (
	regChangedEvery, regChangedAt   = 10, 1
	compromisedEvery, compromisedAt = 25, 2
)

// Reason names as the store keeps them.
const (
	reasonAffiliationChanged = "affiliationChanged"
	reasonKeyCompromise      = "keyCompromise"
)

// check is one enrolment's revocation-check columns.
type check struct {
	status, reason, source string
	checkedAt              bool
}

// unchecked says c is the value a fresh enrolment has.
func (c check) unchecked() bool {
	return c.status == string(store.RevocationUnchecked) && c.reason == "" && c.source == "" && !c.checkedAt
}

// expectedCheck is enrolment i's status and reason after a check.
func expectedCheck(i int) (store.RevocationStatus, string) {
	switch {
	case i%regChangedEvery == regChangedAt:
		return store.RevocationRevoked, reasonAffiliationChanged
	case i%compromisedEvery == compromisedAt:
		return store.RevocationRevoked, reasonKeyCompromise
	}
	return store.RevocationGood, ""
}

// expectedSummary is what `changes --all` reports for n enrolments.
func expectedSummary(n int) confirm.Summary {
	s := confirm.Summary{Checked: n, RevokedOther: map[string]int{}}
	for i := range n {
		switch st, reason := expectedCheck(i); {
		case st == store.RevocationGood:
			s.Good++
		case reason == reasonAffiliationChanged:
			s.RegistrationChanged++
		default:
			s.RevokedOther[reason]++
		}
	}
	return s
}

// batchSerial is the serial cmd/mynacard/testdata/seed gives enrolment i:
// the default holder's signing certificate's serial with its last two
// bytes replaced by i (i = 0 keeps it).
func batchSerial(t *testing.T, cert *x509.Certificate, i int) *big.Int {
	t.Helper()
	if i == 0 {
		return cert.SerialNumber
	}
	enc, err := asn1.Marshal(cert.SerialNumber)
	if err != nil {
		t.Fatal(err)
	}
	enc[len(enc)-2], enc[len(enc)-1] = byte(i>>8), byte(i)
	serial := new(big.Int)
	if _, err := asn1.Unmarshal(enc, &serial); err != nil {
		t.Fatal(err)
	}
	return serial
}

// writeBatchCRL writes a CRL of the latest signing root that revokes the
// batch's enrolments as expectedCheck says.
func writeBatchCRL(t *testing.T, path string, n int) {
	t.Helper()
	cert := jpkitest.DefaultHolder().SignCert
	now := time.Now()
	opts := jpkitest.CRLOptions{ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour)}
	for i := range n {
		switch _, reason := expectedCheck(i); reason {
		case reasonAffiliationChanged:
			opts.Entries = append(opts.Entries, jpkitest.CRLEntry{Serial: batchSerial(t, cert, i), RevokedAt: now.Add(-2 * time.Hour), Reason: jpkitest.ReasonAffiliationChanged})
		case reasonKeyCompromise:
			opts.Entries = append(opts.Entries, jpkitest.CRLEntry{Serial: batchSerial(t, cert, i), RevokedAt: now.Add(-2 * time.Hour), Reason: jpkitest.ReasonKeyCompromise})
		}
	}
	root, key := jpkitest.Default().Root(card.SignKey, jpkitest.LatestGeneration)
	var buf bytes.Buffer
	if _, err := jpkitest.WriteCRL(&buf, root, key, opts); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readChecks returns every enrolment's revocation check by ID.
func readChecks(r report) map[int64]check {
	m := map[int64]check{}
	for _, c := range r.Checks {
		m[c.ID] = check{status: c.Status, reason: c.Reason, source: c.Source, checkedAt: c.CheckedAt}
	}
	return m
}

// classified is how the checks a killed run left compare with the new
// values.
type classified struct {
	// written counts complete new values; highest is the highest ID
	// holding one.
	written int
	highest int64
	// halfWritten lists rows that are neither old nor new; missing lists
	// old rows below highest (the batch writes in ID order, so each is a
	// lost write).
	halfWritten, missing []int64
}

// classifyChecks compares enrolments 1..n with their new values.
func classifyChecks(checks, newChecks map[int64]check, n int) classified {
	var v classified
	var old []int64
	for id := int64(1); id <= int64(n); id++ {
		c, nc := checks[id], newChecks[id]
		switch {
		case c.unchecked():
			old = append(old, id)
		case c.status == nc.status && c.reason == nc.reason && c.source == nc.source && c.checkedAt:
			v.written++
			v.highest = id
		default:
			v.halfWritten = append(v.halfWritten, id)
		}
	}
	for _, id := range old {
		if id < v.highest {
			v.missing = append(v.missing, id)
		}
	}
	return v
}

// changesOutput is what a --json `changes --all` printed: the enrolments
// it reported (complete lines only) and the summary, if it got that far.
type changesOutput struct {
	reported []int64
	summary  *confirm.Summary
}

func parseChanges(t *testing.T, out string) changesOutput {
	t.Helper()
	var o changesOutput
	lines := strings.Split(out, "\n")
	for _, line := range lines[:len(lines)-1] { // the last is unfinished (or empty)
		var v struct {
			EnrolmentID int64            `json:"enrolment_id"`
			Summary     *confirm.Summary `json:"summary"`
		}
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("changes --json printed %q: %v", line, err)
		}
		if v.Summary != nil {
			o.summary = v.Summary
		} else {
			o.reported = append(o.reported, v.EnrolmentID)
		}
	}
	return o
}

// sameSummary compares two summaries.
func sameSummary(a, b confirm.Summary) bool {
	if a.Checked != b.Checked || a.Good != b.Good || a.RegistrationChanged != b.RegistrationChanged || a.Unknown != b.Unknown || len(a.RevokedOther) != len(b.RevokedOther) {
		return false
	}
	for k, v := range a.RevokedOther {
		if b.RevokedOther[k] != v {
			return false
		}
	}
	return true
}

// TestChangesKilled kills `changes --all` over a batch of enrolments at
// random moments and checks that each enrolment's revocation check is its
// old value or the complete new one, that the checks written form a
// prefix of the batch including everything reported, and that a run to
// completion afterwards reports the right summary and completes the batch.
func TestChangesKilled(t *testing.T) {
	n := changesEnrolments
	dir, err := os.MkdirTemp(the.dir, "changes-")
	if err != nil {
		t.Fatal(err)
	}
	pristine := filepath.Join(dir, "pristine.db")
	if out, err := exec.Command(the.seeder, pristine, strconv.Itoa(n)).CombinedOutput(); err != nil {
		t.Fatalf("seeding %d enrolments: %v\n%s", n, err, out)
	}
	crl := filepath.Join(dir, "batch.crl")
	writeBatchCRL(t, crl, n)
	dbPath := filepath.Join(dir, "run.db")
	args := []string{"--json", "--lang", "en", "--test-hierarchy", "--crl", crl, "--db", dbPath, "changes", "--all"}
	want := expectedSummary(n)

	// The reverse first: a run left alone is all there. Its checks are
	// the "new" values every later run must write whole.
	copyDB(t, pristine, dbPath)
	full := runCLI(t, dir, killAt{}, args...)
	newChecks := verifyComplete(t, dbPath, full, want, n, nil)
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("a run to completion: %d enrolments in %v, the first reported after %v", n, full.took.Round(time.Millisecond), full.firstOut.Round(time.Millisecond))

	sc := &scenario{name: "changes"}
	defer the.tally.add(sc)
	r := rng(1)
	prev := n // enrolments checked before this run; n: start a fresh chain
	// Runs that finish before their kill are checked too but do not
	// count: attempts go on until the kills are done (at most twice as
	// many attempts).
	wantKills := kills(t)
	for k := 0; sc.kills < wantKills && k < 2*wantKills; k++ {
		if prev == n {
			copyDB(t, pristine, dbPath)
			prev = 0
		}
		kill := changesKill(r, full, prev, n)
		res := runCLI(t, dir, kill, args...)
		if !res.killed {
			sc.finished++
			verifyComplete(t, dbPath, res, want, n, newChecks)
			prev = n
			continue
		}
		sc.kills++
		rep := inspect(t, dbPath)
		ok := checkIntegrity(t, rep)
		checks := readChecks(rep)
		if len(checks) != n {
			t.Errorf("kill %d (%v): %d enrolments, want %d", k, kill, len(checks), n)
			ok = false
		}
		// Each row old or new; the new ones 1..written.
		v := classifyChecks(checks, newChecks, n)
		for _, id := range v.halfWritten {
			sc.partial++
			ok = false
			t.Errorf("kill %d (%v): enrolment %d half-written: %+v (new value %+v)", k, kill, id, checks[id], newChecks[id])
		}
		written := v.written
		if len(v.missing) > 0 {
			sc.lost += len(v.missing)
			ok = false
			t.Errorf("kill %d (%v): %d checks written up to enrolment %d, but %v are not: a write before a later one is lost", k, kill, written, v.highest, v.missing)
		}
		if written < prev {
			sc.lost += prev - written
			ok = false
			t.Errorf("kill %d (%v): %d checks written, %d before this run", k, kill, written, prev)
		}
		out := parseChanges(t, res.stdout)
		for _, id := range out.reported {
			if checks[id].unchecked() {
				sc.lost++
				ok = false
				t.Errorf("kill %d (%v): enrolment %d was reported checked but its check is not recorded", k, kill, id)
			}
		}
		switch {
		case written == prev:
			sc.before++
		case written < n:
			sc.during++
		default:
			sc.after++
		}
		prev = written
		if !ok {
			t.Logf("kill %d: seed %d, %v", k, the.seed, kill)
		}
		// Every few kills, and after the last, finish the batch: the
		// summary is right and everything is there. Until then the next
		// run resumes what the killed one left (a chain of crashes).
		if sc.kills%chainLength == 0 || sc.kills == wantKills {
			rerun := runCLI(t, dir, killAt{}, args...)
			verifyComplete(t, dbPath, rerun, want, n, newChecks)
			sc.reruns++
			prev = n
		}
	}
	t.Logf("seed %d: %d kills (%d before this run's first write, %d while writing, %d after the last), %d runs finished first, %d reruns, %d half-written, %d lost",
		the.seed, sc.kills, sc.before, sc.during, sc.after, sc.finished, sc.reruns, sc.partial, sc.lost)
}

// chainLength is how many kills hit one database, each run resuming what
// the one before left, before a run to completion checks the batch.
const chainLength = 3

// changesKill picks when to kill a `changes --all` run that takes about
// as long as full did, on a database where the first prev enrolments are
// already checked: one in startupShare anywhere in its start-up (before
// the first enrolment is reported), the others just after the line of a
// random enrolment among those still to check (each check is recorded
// before it is reported) plus up to maxLineDelay, which lands among the
// writes however loaded the machine.
func changesKill(r *rand.Rand, full result, prev, n int) killAt {
	const (
		startupShare = 6
		maxLineDelay = 3 * time.Millisecond
	)
	if r.IntN(startupShare) == 0 && full.firstOut > 0 {
		return killAt{delay: time.Duration(r.Int64N(int64(full.firstOut))) + time.Millisecond}
	}
	return killAt{lines: prev + 1 + r.IntN(n-prev), delay: time.Duration(r.Int64N(int64(maxLineDelay)))}
}

// verifyComplete checks a finished `changes --all` run: exit 4 (some are
// revoked), the summary, integrity, and every enrolment checked as
// expected (and equal to newChecks when given). It returns the checks.
func verifyComplete(t *testing.T, dbPath string, res result, want confirm.Summary, n int, newChecks map[int64]check) map[int64]check {
	t.Helper()
	if res.code != exitRevoked {
		t.Errorf("changes --all exited %d, want %d (some revoked); stderr: %s", res.code, exitRevoked, res.stderr)
	}
	out := parseChanges(t, res.stdout)
	if out.summary == nil || !sameSummary(*out.summary, want) {
		t.Errorf("changes --all summary %+v, want %+v", out.summary, want)
	}
	if len(out.reported) != n {
		t.Errorf("changes --all reported %d enrolments, want %d", len(out.reported), n)
	}
	rep := inspect(t, dbPath)
	checkIntegrity(t, rep)
	checks := readChecks(rep)
	for i := range n {
		id := int64(i + 1)
		c, ok := checks[id]
		status, reason := expectedCheck(i)
		if !ok || c.status != string(status) || c.reason != reason || c.source == "" || !c.checkedAt {
			t.Errorf("after a complete run enrolment %d has %+v, want %s %q", id, c, status, reason)
			continue
		}
		if newChecks != nil && (c.source != newChecks[id].source) {
			t.Errorf("enrolment %d checked from %q, first run from %q", id, c.source, newChecks[id].source)
		}
	}
	return checks
}

// exitRevoked is the CLI's exit code when a checked certificate is revoked
// (cmd/mynacard exitcodes.go).
const exitRevoked = 4

// TestClassifyChecksCatches is the checker's negative control: a row with
// the new status but no time, a row with another reason, and an old row
// below a new one are each reported.
func TestClassifyChecksCatches(t *testing.T) {
	good := check{status: string(store.RevocationGood), source: "crl", checkedAt: true}
	revoked := check{status: string(store.RevocationRevoked), reason: reasonKeyCompromise, source: "crl", checkedAt: true}
	newChecks := map[int64]check{1: good, 2: revoked, 3: good, 4: good, 5: good}
	tests := []struct {
		name          string
		checks        map[int64]check
		written       int
		half, missing int
	}{
		{"none", map[int64]check{}, 0, 0, 0},
		{"prefix", map[int64]check{1: good, 2: revoked}, 2, 0, 0},
		{"all", newChecks, 5, 0, 0},
		{"no time", map[int64]check{1: good, 2: {status: revoked.status, reason: revoked.reason, source: revoked.source}}, 1, 1, 0},
		{"other reason", map[int64]check{1: good, 2: {status: revoked.status, reason: reasonAffiliationChanged, source: "crl", checkedAt: revoked.checkedAt}}, 1, 1, 0},
		{"status only", map[int64]check{1: {status: good.status}}, 0, 1, 0},
		{"gap", map[int64]check{1: good, 3: good}, 2, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := classifyChecks(tt.checks, newChecks, len(newChecks))
			if v.written != tt.written || len(v.halfWritten) != tt.half || len(v.missing) != tt.missing {
				t.Errorf("classifyChecks = %+v, want %d written, %d half-written, %d missing", v, tt.written, tt.half, tt.missing)
			}
		})
	}
}
