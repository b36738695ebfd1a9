// Package bankbench measures `changes --all` at a bank's scale, as whole
// processes of the built CLI: N enrolments (MYNACARD_BENCH_ENROLMENTS,
// default 1,000,000) checked against a CRL of M entries
// (MYNACARD_BENCH_CRL_ENTRIES, default 5,000,000) on SQLite and on a real
// PostgreSQL server (internal/pgtest). Every tenth enrolment is revoked
// affiliationChanged and every 25th keyCompromise; the rest of the CRL is
// synthetic serials of other certificates. The first run records every
// enrolment's outcome (all of them change); the second finds nothing
// changed. TestChangesAllSmall runs the same harness small, checking the
// summaries, so the harness itself is tested by make test.
package bankbench

import (
	"bytes"
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/asn1"
	"encoding/json"
	"flag"
	"fmt"

	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/pgtest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"

	_ "modernc.org/sqlite" // the driver store uses
)

var (
	cli      string // the built mynacard
	pgServer *pgtest.Server
	pgErr    error
)

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "mynacard-bankbench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cli = filepath.Join(dir, "mynacard")
	if out, err := exec.Command("go", "build", "-o", cli, "github.com/mynacard/mynacard/cmd/mynacard").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building mynacard: %v\n%s", err, out)
		os.Exit(1)
	}
	pgServer, pgErr = pgtest.Start(context.Background())
	code := m.Run()
	if pgServer != nil {
		pgServer.Stop()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// Which enrolments the CRL revokes (as internal/durability's batch).
const (
	regChangedEvery, regChangedAt   = 10, 1
	compromisedEvery, compromisedAt = 25, 2
)

func expectedSummary(n int) confirm.Summary {
	s := confirm.Summary{Checked: n, RevokedOther: map[string]int{}}
	for i := range n {
		switch {
		case i%regChangedEvery == regChangedAt:
			s.RegistrationChanged++
		case i%compromisedEvery == compromisedAt:
			s.RevokedOther["keyCompromise"]++
		default:
			s.Good++
		}
	}
	return s
}

// certs makes enrolment i's certificate: the default holder's signing
// certificate with the last three bytes of its serial replaced by i (only
// i = 0 is correctly signed; the batch finds the issuer by key
// identifier, as for certificates verified when they were enrolled).
type certs struct {
	cert   *x509.Certificate
	at     int // offset of the serial's DER in cert.Raw
	serial []byte
}

func newCerts(tb testing.TB) *certs {
	cert := jpkitest.DefaultHolder().SignCert
	enc, err := asn1.Marshal(cert.SerialNumber)
	if err != nil {
		tb.Fatal(err)
	}
	at := bytes.Index(cert.Raw, enc)
	if at < 0 || len(enc) < 6 {
		tb.Fatalf("serial %x unusable", enc)
	}
	return &certs{cert: cert, at: at, serial: enc}
}

func (c *certs) der(i int) ([]byte, *big.Int) {
	enc := bytes.Clone(c.serial)
	n := len(enc)
	enc[n-3], enc[n-2], enc[n-1] = byte(i>>16), byte(i>>8), byte(i)
	der := bytes.Clone(c.cert.Raw)
	copy(der[c.at:], enc)
	s := new(big.Int)
	if _, err := asn1.Unmarshal(enc, &s); err != nil {
		panic(err)
	}
	return der, s
}

// writeCRL writes the CRL of n enrolments padded with synthetic entries
// to total, valid from an hour ago for two days.
func writeCRL(tb testing.TB, path string, c *certs, n, total int) {
	now := time.Now()
	opts := jpkitest.CRLOptions{ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(48 * time.Hour), Shuffle: true}
	for i := range n {
		reason := 0
		switch {
		case i%regChangedEvery == regChangedAt:
			reason = jpkitest.ReasonAffiliationChanged
		case i%compromisedEvery == compromisedAt:
			reason = jpkitest.ReasonKeyCompromise
		default:
			continue
		}
		_, s := c.der(i)
		opts.Entries = append(opts.Entries, jpkitest.CRLEntry{Serial: s, RevokedAt: now.Add(-2 * time.Hour), Reason: reason})
	}
	opts.Synthetic = max(total-len(opts.Entries), 0)
	root, key := jpkitest.Default().Root(card.SignKey, jpkitest.LatestGeneration)
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := jpkitest.WriteCRL(f, root, key, opts); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// seedAttributes is enrolment i's attribute columns as the store writes a
// signing certificate's (name, name flags, address, address flags, birth
// date, era code, the certificate's sex code): no flags, 昭和60年4月1日, male.
func seedAttributes(i int) [7]any {
	return [7]any{fmt.Sprintf("試験　%07d", i), "", "東京都千代田区千代田１－１", "", "19850401", 3, "1"}
}

const insertSQL = `INSERT INTO enrolments (cert_kind, issuer, serial, name, name_substitute,
	address, address_substitute, birth_date, birth_era, sex, cert_der, enrolled_at, operator)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// seedSQLite creates the store at path and inserts n enrolments in one
// transaction.
func seedSQLite(tb testing.TB, path string, c *certs, n int) {
	ctx := context.Background()
	st, err := storeopen.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	st.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	ins, err := tx.PrepareContext(ctx, insertSQL)
	if err != nil {
		tb.Fatal(err)
	}
	issuer := confirm.IssuerString(c.cert)
	at := time.Now().UTC().UnixMicro()
	for i := range n {
		der, s := c.der(i)
		serial, err := store.SerialFromBytes(s.Bytes())
		if err != nil {
			tb.Fatal(err)
		}
		r := seedAttributes(i)
		if _, err := ins.ExecContext(ctx, card.SignKey.String(), issuer, serial, r[0], r[1], r[2], r[3], r[4], r[5], r[6],
			der, at, "bench"); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// seedPostgres creates the store in dsn and copies n enrolments in.
func seedPostgres(tb testing.TB, dsn string, c *certs, n int) {
	ctx := context.Background()
	st, err := storeopen.Open(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	st.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	issuer := confirm.IssuerString(c.cert)
	at := time.Now().UTC()
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		der, s := c.der(i)
		serial, err := store.SerialFromBytes(s.Bytes())
		if err != nil {
			return nil, err
		}
		r := seedAttributes(i)
		row := []any{card.SignKey.String(), issuer, serial, r[0], r[1], r[2], r[3], r[4], r[5], r[6], der, at, "bench"}
		i++
		return row, nil
	})
	cols := []string{"cert_kind", "issuer", "serial", "name", "name_substitute", "address", "address_substitute",
		"birth_date", "birth_era", "sex", "cert_der", "enrolled_at", "operator"}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"enrolments"}, cols, src); err != nil {
		tb.Fatal(err)
	}
}

// run is one whole `changes --all` process.
type run struct {
	wall    time.Duration
	rssMiB  float64
	summary confirm.Summary
}

func changesAll(tb testing.TB, home, crl, db string) run {
	cmd := exec.Command(cli, "--json", "--lang", "en", "--test-hierarchy", "--crl", crl, "--db", db, "changes", "--all")
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, "cache"), "LC_ALL=C", "LANG=C")
	var stderr bytes.Buffer
	last := &lastLine{}
	cmd.Stdout, cmd.Stderr = last, &stderr
	start := time.Now()
	err := cmd.Run()
	r := run{wall: time.Since(start)}
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 4 { // 4: some are revoked
		tb.Fatalf("changes --all: %v\n%s", err, stderr.Bytes())
	}
	r.rssMiB = peakRSSMiB(cmd.ProcessState)
	var v struct {
		Summary *confirm.Summary `json:"summary"`
	}
	if err := json.Unmarshal(last.line, &v); err != nil || v.Summary == nil {
		tb.Fatalf("last line %q: %v", last.line, err)
	}
	r.summary = *v.Summary
	return r
}

// lastLine keeps the last complete line written to it.
type lastLine struct{ line, cur []byte }

func (l *lastLine) Write(p []byte) (int, error) {
	for _, c := range p {
		if c == '\n' {
			l.line, l.cur = append(l.line[:0], l.cur...), l.cur[:0]
			continue
		}
		l.cur = append(l.cur, c)
	}
	return len(p), nil
}

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

// scenario seeds a store, runs changes --all twice and checks both
// summaries.
func scenario(tb testing.TB, backend string, n, total int, report func(first, second run)) {
	c := newCerts(tb)
	dir := tb.TempDir()
	crl := filepath.Join(dir, "list.crl")
	writeCRL(tb, crl, c, n, total)
	var db string
	switch backend {
	case "sqlite":
		db = filepath.Join(dir, "bank.db")
		seedSQLite(tb, db, c, n)
	case "postgres":
		pgtest.Need(tb, pgServer, pgErr)
		var err error
		if db, err = pgServer.CreateDatabase(context.Background(), fmt.Sprintf("bank%d", time.Now().UnixNano())); err != nil {
			tb.Fatal(err)
		}
		seedPostgres(tb, db, c, n)
	}
	want := expectedSummary(n)
	first := changesAll(tb, dir, crl, db)
	second := changesAll(tb, dir, crl, db)
	for _, r := range []run{first, second} {
		if !sameSummary(r.summary, want) {
			tb.Fatalf("%s: summary %+v, want %+v", backend, r.summary, want)
		}
	}
	report(first, second)
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestChangesAllSmall runs the harness at a small size on both stores.
func TestChangesAllSmall(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			scenario(t, backend, 2500, 20_000, func(first, second run) {
				t.Logf("%s: first run %v, second %v", backend, first.wall, second.wall)
			})
		})
	}
}

// BenchmarkChangesAll is `changes --all` over MYNACARD_BENCH_ENROLMENTS
// enrolments against a MYNACARD_BENCH_CRL_ENTRIES-entry CRL, whole
// processes: ns/op is the first run (every outcome recorded), with the
// second run (nothing changed), the enrolments per second and the peak
// RSS beside it.
func BenchmarkChangesAll(b *testing.B) {
	n := envInt("MYNACARD_BENCH_ENROLMENTS", 1_000_000)
	total := envInt("MYNACARD_BENCH_CRL_ENTRIES", 5_000_000)
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(fmt.Sprintf("%s/%d-vs-%d", backend, n, total), func(b *testing.B) {
			for b.Loop() {
				scenario(b, backend, n, total, func(first, second run) {
					b.ReportMetric(float64(first.wall.Nanoseconds()), "ns/op")
					b.ReportMetric(float64(n)/first.wall.Seconds(), "enrolments/s")
					b.ReportMetric(second.wall.Seconds(), "unchanged-rerun-s")
					b.ReportMetric(max(first.rssMiB, second.rssMiB), "peak-MiB")
				})
			}
		})
	}
}
