// Package storetest holds the fixtures the store's conformance tests and
// the backends' own tests share: sample enrolments, records and
// eligibility files, and direct access to the database under a store.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/internal/sqlstore"
)

// TestIssuer is the authentication CA the sample eligibility rows name.
const TestIssuer = "CN=JPKI for user authentication,OU=Japan Agency for Local Authority Information Systems,O=JPKI-TEST,C=JP"

// CSVFields returns a good eligibility row, changed by the overrides.
func CSVFields(serial string, overrides map[string]string) []string {
	base := map[string]string{
		"issuer":           TestIssuer,
		"serial":           serial,
		"insurer_number":   "06139998",
		"symbol":           "記号１",
		"number":           "1234",
		"branch":           "01",
		"name":             "山田\u3000太郎",
		"name_kana":        "ヤマダ\u3000タロウ",
		"birth_date":       "1980-04-01",
		"sex":              "1",
		"qualified_from":   "2020-04-01",
		"qualified_until":  "",
		"card_valid_until": "",
		"copay_percent":    "30",
		"registered":       "1",
	}
	for k, v := range overrides {
		base[k] = v
	}
	var out []string
	for _, h := range strings.Split(store.EligibilityCSVHeader, ",") {
		out = append(out, base[h])
	}
	return out
}

// CSVLine encodes one row with encoding/csv quoting, without the newline.
func CSVLine(fields []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(fields)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

// CSVFile joins the header and rows into a file.
func CSVFile(rows ...[]string) string {
	var b strings.Builder
	b.WriteString(store.EligibilityCSVHeader + "\n")
	for _, r := range rows {
		b.WriteString(CSVLine(r) + "\n")
	}
	return b.String()
}

// BigFile writes n good rows and then, when bad, one bad row at the end.
func BigFile(n int, bad bool) string {
	var b strings.Builder
	b.WriteString(store.EligibilityCSVHeader + "\n")
	for i := range n {
		b.WriteString(CSVLine(CSVFields(fmt.Sprintf("%06X", i+1), nil)) + "\n")
	}
	if bad {
		b.WriteString(CSVLine(CSVFields("FFFFFF", map[string]string{"qualified_from": "2026-02-30"})) + "\n")
	}
	return b.String()
}

// dateLayout is the YYYY-MM-DD form of civil dates in files and columns.
const dateLayout = "2006-01-02"

// Date parses YYYY-MM-DD into midnight UTC, the form the store keeps
// civil dates in.
func Date(s string) (time.Time, error) { return time.Parse(dateLayout, s) }

// DateText writes a civil date as YYYY-MM-DD, "" for none.
func DateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(dateLayout)
}

// Day returns noon JST of a date, a time squarely inside it.
func Day(s string) time.Time {
	d, err := Date(s)
	if err != nil {
		panic(err)
	}
	return d.Add(3 * time.Hour) // 12:00 JST
}

// MustDate is Date that fails the test on a bad date.
func MustDate(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := Date(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// SampleAttributes returns a holder's attributes as a signing
// certificate gives them, with substitute flags all '0' (stored as one
// '0' per character).
func SampleAttributes() *card.Attributes {
	return &card.Attributes{
		Name:               "山田\u3000太郎",
		NameSubstitutes:    []int{},
		Address:            "東京都千代田区霞が関２丁目１番２号",
		AddressSubstitutes: []int{},
		BirthDate:          time.Date(1980, 4, 1, 0, 0, 0, 0, time.UTC),
		BirthEra:           card.EraShowa,
		Sex:                card.SexMale,
	}
}

// SampleEnrolment returns an enrolment of a signature certificate.
func SampleEnrolment(serial string) store.Enrolment {
	return store.Enrolment{
		Kind:       card.SignKey,
		Issuer:     "CN=JPKI for digital signature,O=JPKI-TEST,C=JP",
		Serial:     serial,
		Attributes: SampleAttributes(),
		CertDER:    []byte{0x30, 0x82, 0x01, 0x00, 0xAA},
		EnrolledAt: time.Date(2026, 11, 27, 1, 2, 3, 456789123, time.UTC),
		Operator:   "clerk-1",
	}
}

// SampleRecord returns a confirmation record of a kind.
func SampleRecord(kind store.RecordKind) store.Record {
	return store.Record{
		Kind:     kind,
		At:       time.Date(2026, 11, 27, 4, 5, 6, 789000, time.UTC),
		Operator: "clerk-1",
		Verdict: store.Verdict{SignatureOK: true, ChainOK: true, Root: "D227F6CD", Revocation: store.RevocationGood,
			RevocationSource: "ocsp"},
		CertKind:    card.SignKey,
		Issuer:      "CN=JPKI for digital signature,O=JPKI-TEST,C=JP",
		Serial:      "0132C4AB",
		Attributes:  SampleAttributes(),
		ChallengeID: "nonce-1",
		Details:     `{"k":"v"}`,
	}
}

// ChainSeal fills the hash chain the way operator sealing does, with a fake
// signature.
func ChainSeal(prev []byte, r *store.Record) error {
	r.PrevHash = prev
	h := sha256.Sum256(fmt.Appendf(nil, "%x|%d|%s|%s", prev, r.Seq, r.Kind, r.Serial))
	r.RecordHash = h[:]
	r.Signature = []byte("sig")
	r.SignerCert = []byte("cert")
	return nil
}

// Backend returns the database under a store the backends opened.
func Backend(t testing.TB, s store.Store) sqlstore.Backend {
	t.Helper()
	ss, ok := s.(*sqlstore.Store)
	if !ok {
		t.Fatalf("store is a %T, not one of the SQL backends", s)
	}
	return ss.Backend()
}

// RawExec runs SQL on the store's database directly, for tests that tamper.
func RawExec(t testing.TB, s store.Store, q string, args ...any) error {
	t.Helper()
	_, err := Backend(t, s).Exec(t.Context(), q, args...)
	return err
}

// CountRows counts a table's rows.
func CountRows(t testing.TB, s store.Store, table string) int64 {
	t.Helper()
	var n int64
	if err := Backend(t, s).QueryRow(t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// FillBefore stores a little of everything while there is room: an
// enrolment, a record and one eligibility row.
func FillBefore(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	if _, err := s.AddEnrolment(ctx, SampleEnrolment("01")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendRecord(ctx, SampleRecord(store.RecordIdentify), ChainSeal); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportEligibilityCSV(ctx, strings.NewReader(CSVFile(CSVFields("01", nil)))); err != nil {
		t.Fatal(err)
	}
}

// MigrationUpgrade migrates the empty database under b to schema version
// 1, stores an eligibility row as version 1's import wrote it, closes b
// and reopens the database with open: migration 2 must keep the row and
// let later imports count it as updated.
func MigrationUpgrade(t *testing.T, b sqlstore.Backend, open func(ctx context.Context) (store.Store, error)) {
	t.Helper()
	ctx := t.Context()
	if err := sqlstore.Migrate(ctx, b, 1); err != nil {
		t.Fatal(err)
	}
	// Version 1's import wrote rows without created_import_id.
	if _, err := b.Exec(ctx, "INSERT INTO eligibility_imports (imported_at) VALUES (?)", b.TimeArg(time.Now())); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Exec(ctx, `INSERT INTO eligibility (`+sqlstore.EligibilityColumns+`, import_id, import_line)
		VALUES (?, '01', '06139998', '記号１', '1234', '01', 'n', '', '1980-01-01', '1', '2020-04-01', '', '', 30, ?, 1, 2)`,
		TestIssuer, true); err != nil {
		t.Fatal(err)
	}
	var version int
	if err := b.QueryRow(ctx, "SELECT MAX(version) FROM schema_version").Scan(&version); err != nil || version != 1 {
		t.Fatalf("version %d, %v; want 1", version, err)
	}
	b.Close()

	s, err := open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.ImportEligibilityCSV(ctx, strings.NewReader(CSVFile(CSVFields("01", nil), CSVFields("02", nil))))
	if err != nil || res != (store.ImportResult{Inserted: 1, Updated: 1}) {
		t.Errorf("import after upgrade = %+v, %v; want 1 inserted, 1 updated", res, err)
	}
}
