package store

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
)

const testIssuer = "CN=JPKI for user authentication,OU=Japan Agency for Local Authority Information Systems,O=JPKI-TEST,C=JP"

// csvFields returns a good eligibility row, changed by the overrides.
func csvFields(serial string, overrides map[string]string) []string {
	base := map[string]string{
		"issuer":           testIssuer,
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
	for _, h := range strings.Split(EligibilityCSVHeader, ",") {
		out = append(out, base[h])
	}
	return out
}

// csvLine encodes one row with encoding/csv quoting, without the newline.
func csvLine(fields []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(fields)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

// csvFile joins the header and rows into a file.
func csvFile(rows ...[]string) string {
	var b strings.Builder
	b.WriteString(EligibilityCSVHeader + "\n")
	for _, r := range rows {
		b.WriteString(csvLine(r) + "\n")
	}
	return b.String()
}

// day returns noon JST of a date, a time squarely inside it.
func day(s string) time.Time {
	d, err := parseDate(s)
	if err != nil {
		panic(err)
	}
	return d.Add(3 * time.Hour) // 12:00 JST
}

func mustDate(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := parseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func sampleAttributes() Attributes {
	return Attributes{
		Name:              "山田\u3000太郎",
		NameSubstitute:    "00000",
		Address:           "東京都千代田区霞が関２丁目１番２号",
		AddressSubstitute: "0000000000000000",
		BirthDate:         "19800401",
		BirthEra:          3,
		Sex:               "1",
	}
}

func sampleEnrolment(serial string) Enrolment {
	return Enrolment{
		Kind:       card.SignKey,
		Issuer:     "CN=JPKI for digital signature,O=JPKI-TEST,C=JP",
		Serial:     serial,
		Attributes: sampleAttributes(),
		CertDER:    []byte{0x30, 0x82, 0x01, 0x00, 0xAA},
		EnrolledAt: time.Date(2026, 11, 27, 1, 2, 3, 456789123, time.UTC),
		Operator:   "clerk-1",
	}
}

// rawExec runs SQL on the store's database directly, for tests that tamper.
func rawExec(t testing.TB, s Store, q string, args ...any) error {
	t.Helper()
	_, err := s.(*sqlStore).b.exec(t.Context(), q, args...)
	return err
}

// countRows counts a table's rows.
func countRows(t testing.TB, s Store, table string) int64 {
	t.Helper()
	var n int64
	if err := s.(*sqlStore).b.queryRow(t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
