package durability

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/store"
)

// importRows is the size of each eligibility file: large enough that the
// import of the second takes a few hundred milliseconds.
const importRows = 20000

// The two files: base is imported first and left alone; next, the one the
// kills interrupt, updates the second half of base's rows (new name and
// copayment) and adds as many new ones.
const (
	baseName = "試験　甲"
	nextName = "試験　乙"
	// importIssuer is the (fictional) authentication certificate issuer
	// of every row.
	importIssuer = "CN=durability test issuer,O=JPKI-TEST,C=JP"
)

// writeEligibility writes an eligibility CSV of rows from..from+n-1 with
// the given name and copayment.
func writeEligibility(t *testing.T, path string, from, n int, name string, copay int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	if err := w.Write(strings.Split(store.EligibilityCSVHeader, ",")); err != nil {
		t.Fatal(err)
	}
	for i := from; i < from+n; i++ {
		if err := w.Write([]string{importIssuer, fmt.Sprintf("%08X", 0x10000+i), "06139999", "記号", fmt.Sprint(1000 + i), "01",
			name, "シケン", "1985-04-01", "1", "2020-04-01", "", "", fmt.Sprint(copay), "1"}); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// eligibilityState is what the database holds after an import of next
// was interrupted.
type eligibilityState struct {
	rows, nextRows, nextCopay, imports int64
	// lastInserted and lastUpdated are the newest eligibility_imports row's
	// counts.
	lastInserted, lastUpdated int64
}

func readEligibility(r report) eligibilityState {
	e := r.Eligibility
	return eligibilityState{rows: e[0], nextRows: e[1], nextCopay: e[2], imports: e[3], lastInserted: e[4], lastUpdated: e[5]}
}

// TestImportKilled kills `eligibility import` at random moments and checks
// that the file interrupted is imported whole or not at all (its updates
// as well as its inserts), and that an import the CLI reported is there.
func TestImportKilled(t *testing.T) {
	n := importRows
	dir, err := os.MkdirTemp(the.dir, "import-")
	if err != nil {
		t.Fatal(err)
	}
	baseCSV, nextCSV := filepath.Join(dir, "base.csv"), filepath.Join(dir, "next.csv")
	writeEligibility(t, baseCSV, 0, n, baseName, 30)
	writeEligibility(t, nextCSV, n/2, n, nextName, 10)
	pristine, dbPath := filepath.Join(dir, "pristine.db"), filepath.Join(dir, "run.db")
	if res := runCLI(t, dir, killAt{}, "--json", "--db", pristine, "eligibility", "import", baseCSV); res.code != 0 {
		t.Fatalf("importing the base file: exit %d: %s", res.code, res.stderr)
	}
	old := eligibilityState{rows: int64(n), imports: 1, lastInserted: int64(n)}
	done := eligibilityState{rows: int64(n + n/2), nextRows: int64(n), nextCopay: int64(n), imports: 2,
		lastInserted: int64(n / 2), lastUpdated: int64(n - n/2)}
	args := []string{"--json", "--db", dbPath, "eligibility", "import", nextCSV}

	// The reverse first: an import left alone is all there.
	copyDB(t, pristine, dbPath)
	full := runCLI(t, dir, killAt{}, args...)
	if ins, upd, ok := importReport(full.stdout); full.code != 0 || !ok || ins != done.lastInserted || upd != done.lastUpdated {
		t.Fatalf("eligibility import: exit %d, stdout %q, want %d inserted and %d updated; stderr: %s", full.code, full.stdout, done.lastInserted, done.lastUpdated, full.stderr)
	}
	verifyImport(t, dbPath, done)
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("an import to completion: %d rows (%d new, %d updated) in %v", n, done.lastInserted, done.lastUpdated, full.took.Round(time.Millisecond))

	// How long the CLI takes to reach the import's transaction: an import
	// of a file with no rows (the median of three). A kill later than
	// this that leaves nothing landed inside the transaction.
	emptyCSV := filepath.Join(dir, "empty.csv")
	writeEligibility(t, emptyCSV, 0, 0, nextName, 10)
	var startups []time.Duration
	for range 3 {
		copyDB(t, pristine, dbPath)
		res := runCLI(t, dir, killAt{}, "--json", "--db", dbPath, "eligibility", "import", emptyCSV)
		if res.code != 0 {
			t.Fatalf("importing an empty file: exit %d: %s", res.code, res.stderr)
		}
		startups = append(startups, res.took)
	}
	slices.Sort(startups)
	startup := startups[1]

	sc := &scenario{name: "import"}
	defer the.tally.add(sc)
	r := rng(2)
	wantKills := kills(t)
	for k := 0; sc.kills < wantKills && k < 2*wantKills; k++ {
		copyDB(t, pristine, dbPath)
		kill := importKill(r, full.took)
		res := runCLI(t, dir, kill, args...)
		if !res.killed {
			sc.finished++
			if res.code != 0 {
				t.Errorf("kill %d (%v): the import finished first with exit %d: %s", k, kill, res.code, res.stderr)
			}
			verifyImport(t, dbPath, done)
			continue
		}
		sc.kills++
		// Frames in the WAL the killed process left mean it was inside
		// the import's transaction (the pristine copy has none); so does
		// a kill later than an empty import takes.
		walFrames := false
		if fi, err := os.Stat(dbPath + "-wal"); err == nil && fi.Size() > 0 {
			walFrames = true
		}
		rep := inspect(t, dbPath)
		ok := checkIntegrity(t, rep)
		got := readEligibility(rep)
		switch got {
		case old:
			if walFrames || kill.delay > startup {
				sc.during++
			} else {
				sc.before++
			}
			if _, _, reported := importReport(res.stdout); reported {
				sc.lost++
				ok = false
				t.Errorf("kill %d (%v): the CLI reported %q but the import is not there", k, kill, res.stdout)
			}
		case done:
			sc.after++
		default:
			sc.partial++
			ok = false
			t.Errorf("kill %d (%v): half an import: %+v, want %+v (none) or %+v (all)", k, kill, got, old, done)
		}
		if !ok {
			t.Logf("kill %d: seed %d, %v", k, the.seed, kill)
		}
	}
	// The database a kill left takes the import afterwards.
	if sc.kills > 0 {
		copyDB(t, pristine, dbPath)
		if res := runCLI(t, dir, killAt{delay: full.took / 2}, args...); res.killed {
			if res := runCLI(t, dir, killAt{}, args...); res.code != 0 {
				t.Errorf("importing after a kill: exit %d: %s", res.code, res.stderr)
			}
			verifyImport(t, dbPath, done)
			sc.reruns++
		}
	}
	t.Logf("an empty import takes %v: later kills that leave nothing count as inside the transaction", startup.Round(time.Millisecond))
	t.Logf("seed %d: %d kills (%d before the import wrote, %d inside its transaction: nothing left; %d after it committed: all there), %d imports finished first, %d half-imported, %d lost",
		the.seed, sc.kills, sc.before, sc.during, sc.after, sc.finished, sc.partial, sc.lost)
}

// importReport parses what `--json eligibility import` printed, if it
// printed all of it.
func importReport(out string) (inserted, updated int64, ok bool) {
	var v struct {
		Inserted *int64 `json:"inserted"`
		Updated  *int64 `json:"updated"`
	}
	if json.Unmarshal([]byte(out), &v) != nil || v.Inserted == nil || v.Updated == nil {
		return 0, 0, false
	}
	return *v.Inserted, *v.Updated, true
}

// importKill picks a delay uniformly in [0, 1.2×full): an import is one
// transaction with no output before it commits, so time is the only
// measure; most kills land while it parses or writes, some after it
// committed.
func importKill(r *rand.Rand, full time.Duration) killAt {
	return killAt{delay: time.Duration(r.Int64N(int64(full)*6/5)) + time.Millisecond}
}

// verifyImport checks a database after a complete import of the next file.
func verifyImport(t *testing.T, dbPath string, want eligibilityState) {
	t.Helper()
	rep := inspect(t, dbPath)
	checkIntegrity(t, rep)
	if got := readEligibility(rep); got != want {
		t.Errorf("after a complete import: %+v, want %+v", got, want)
	}
}
