package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	. "github.com/mynacard/mynacard/store"
)

// statusFile holds data that produces each validity status on 2026-11-27.
func statusFile() string {
	return csvFile(
		// 01: one registered qualification in force.
		csvFields("01", nil),
		// 02: the only qualification ended.
		csvFields("02", map[string]string{"qualified_from": "2019-04-01", "qualified_until": "2025-03-31"}),
		// 03: ended, and a newer one starts next year.
		csvFields("03", map[string]string{"qualified_from": "2019-04-01", "qualified_until": "2026-03-31"}),
		csvFields("03", map[string]string{"insurer_number": "138057", "qualified_from": "20270101", "copay_percent": "20"}),
		// 04: no row at all.
		// 05: two qualifications in force.
		csvFields("05", nil),
		csvFields("05", map[string]string{"insurer_number": "01130012", "number": "77"}),
		// 06: in force, but the holder has not registered the card.
		csvFields("06", map[string]string{"registered": "0"}),
		// 07: the usual job change: the old one ended, the new one is in force.
		csvFields("07", map[string]string{"qualified_from": "2015-04-01", "qualified_until": "2024-03-31"}),
		csvFields("07", map[string]string{"insurer_number": "32130019", "qualified_from": "2024-04-01", "copay_percent": "10"}),
	)
}

func TestEligibilityStatuses(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		ctx := t.Context()
		res, err := s.ImportEligibilityCSV(ctx, strings.NewReader(statusFile()))
		if err != nil {
			t.Fatal(err)
		}
		if res != (ImportResult{Inserted: 9}) {
			t.Errorf("import = %+v, want 9 inserted", res)
		}
		at := day("2026-11-27")
		for _, tc := range []struct {
			serial     string
			want       ValidityStatus
			wantFrom   string // the answer's Record.QualifiedFrom, "" for none
			candidates int
		}{
			{"01", StatusValid, "2020-04-01", 1},
			{"02", StatusInvalid, "2019-04-01", 1},
			{"03", StatusInvalidNewer, "2027-01-01", 2},
			{"04", StatusNone, "", 0},
			{"05", StatusSeveral, "", 2},
			{"06", StatusUnregistered, "2020-04-01", 1},
			{"07", StatusValid, "2024-04-01", 2},
		} {
			a, err := s.LookupEligibility(ctx, testIssuer, tc.serial, at)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != tc.want {
				t.Errorf("serial %s: status %d (%v), want %d (%v)", tc.serial, a.Status, a.Status, tc.want, tc.want)
			}
			from := dateText(a.Record.QualifiedFrom)
			if from != tc.wantFrom {
				t.Errorf("serial %s: record from %q, want %q", tc.serial, from, tc.wantFrom)
			}
			if len(a.Candidates) != tc.candidates {
				t.Errorf("serial %s: %d candidates, want %d", tc.serial, len(a.Candidates), tc.candidates)
			}
		}
		// Another issuer with the same serial is another certificate.
		a, err := s.LookupEligibility(ctx, "CN=other", "01", at)
		if err != nil || a.Status != StatusNone {
			t.Errorf("other issuer: %v, %v; want StatusNone", a.Status, err)
		}
		if _, err := s.LookupEligibility(ctx, testIssuer, "not hex", at); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad serial: %v, want ErrInvalid", err)
		}
	})
}

func TestEligibilityFields(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		ctx := t.Context()
		row := csvFields("00AB", map[string]string{
			"symbol": "", "name_kana": "", "birth_date": "19451231", "sex": "2",
			"qualified_until": "2030-03-31", "card_valid_until": "2029-12-31", "copay_percent": "20",
		})
		file := "\uFEFF" + csvFile(row) // with a byte-order mark
		if _, err := s.ImportEligibilityCSV(ctx, strings.NewReader(file)); err != nil {
			t.Fatal(err)
		}
		a, err := s.LookupEligibility(ctx, testIssuer, "ab", day("2030-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		want := Eligibility{
			Issuer: testIssuer, Serial: "AB", InsurerNumber: "06139998", Number: "1234", Branch: "01",
			Name: "山田\u3000太郎", BirthDate: mustDate(t, "1945-12-31"), Sex: "2",
			QualifiedFrom: mustDate(t, "2020-04-01"), QualifiedUntil: mustDate(t, "2030-03-31"),
			CardValidUntil: mustDate(t, "2029-12-31"), CopayPercent: 20, Registered: true,
		}
		if diff := cmp.Diff(want, a.Record); diff != "" || a.Status != StatusValid {
			t.Errorf("status %v, record (-want +got):\n%s", a.Status, diff)
		}
		// The last day is included; the next day, in Japan, is not.
		lastInstant := time.Date(2030, 3, 31, 14, 59, 59, 0, time.UTC) // 23:59:59 JST
		if a, _ := s.LookupEligibility(ctx, testIssuer, "AB", lastInstant); a.Status != StatusValid {
			t.Errorf("last second of the last day JST: %v, want valid", a.Status)
		}
		if a, _ := s.LookupEligibility(ctx, testIssuer, "AB", lastInstant.Add(time.Second)); a.Status != StatusInvalid {
			t.Errorf("first second of the next day JST: %v, want invalid", a.Status)
		}
	})
}

func TestImportUpdates(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		ctx := t.Context()
		first := csvFile(csvFields("01", nil), csvFields("02", nil))
		if res, err := s.ImportEligibilityCSV(ctx, strings.NewReader(first)); err != nil || res != (ImportResult{Inserted: 2}) {
			t.Fatalf("first import = %+v, %v", res, err)
		}
		second := csvFile(
			csvFields("02", map[string]string{"qualified_until": "2026-03-31", "copay_percent": "20"}),
			csvFields("03", nil),
		)
		if res, err := s.ImportEligibilityCSV(ctx, strings.NewReader(second)); err != nil || res != (ImportResult{Inserted: 1, Updated: 1}) {
			t.Fatalf("second import = %+v, %v; want 1 inserted, 1 updated", res, err)
		}
		a, err := s.LookupEligibility(ctx, testIssuer, "02", day("2026-11-27"))
		if err != nil || a.Status != StatusInvalid || a.Record.CopayPercent != 20 {
			t.Errorf("updated row: %v %+v, %v", a.Status, a.Record, err)
		}
		if n := countRows(t, s, "eligibility"); n != 3 {
			t.Errorf("%d rows, want 3", n)
		}
	})
}

// badRow is one kind of bad field and where it must be reported.
type badRow struct {
	name   string
	fields map[string]string
	column string
	reason string // a substring of the reason
}

var badRows = []badRow{
	{"empty issuer", map[string]string{"issuer": ""}, "issuer", "required"},
	{"serial not hex", map[string]string{"serial": "12G4"}, "serial", "hex"},
	{"serial too long", map[string]string{"serial": strings.Repeat("A", 41)}, "serial", "hex"},
	{"insurer 7 digits", map[string]string{"insurer_number": "0613999"}, "insurer_number", "8 digits"},
	{"insurer letters", map[string]string{"insurer_number": "0613999X"}, "insurer_number", "8 digits"},
	{"insurer full-width digits", map[string]string{"insurer_number": "０６１３９９９８"}, "insurer_number", "digits"},
	{"number empty", map[string]string{"number": ""}, "number", "required"},
	{"symbol too long", map[string]string{"symbol": strings.Repeat("記", 39)}, "symbol", "longer"},
	{"branch 1 digit", map[string]string{"branch": "1"}, "branch", "2 digits"},
	{"branch letters", map[string]string{"branch": "0a"}, "branch", "2 digits"},
	{"name empty", map[string]string{"name": ""}, "name", "required"},
	{"name control", map[string]string{"name": "山田\t太郎"}, "name", "control"},
	{"name line break", map[string]string{"name": "山田\n太郎"}, "name", "control"},
	{"kana hiragana", map[string]string{"name_kana": "やまだ"}, "name_kana", "katakana"},
	{"birth date bad", map[string]string{"birth_date": "1980/04/01"}, "birth_date", "date"},
	{"birth date no such day", map[string]string{"birth_date": "1981-02-29"}, "birth_date", "no such date"},
	{"birth date compact no such day", map[string]string{"birth_date": "19800431"}, "birth_date", "no such date"},
	{"birth date empty", map[string]string{"birth_date": ""}, "birth_date", "required"},
	{"birth date too old", map[string]string{"birth_date": "1867-12-31"}, "birth_date", "before"},
	{"sex 3", map[string]string{"sex": "3"}, "sex", "1 (male) or 2"},
	{"from empty", map[string]string{"qualified_from": ""}, "qualified_from", "required"},
	{"until before from", map[string]string{"qualified_until": "2020-03-31"}, "qualified_until", "before"},
	{"until bad", map[string]string{"qualified_until": "2020-13-01"}, "qualified_until", "no such date"},
	{"card validity bad", map[string]string{"card_valid_until": "31-12-2030"}, "card_valid_until", "date"},
	{"copay 15", map[string]string{"copay_percent": "15"}, "copay_percent", "10, 20 or 30"},
	{"copay with percent", map[string]string{"copay_percent": "30%"}, "copay_percent", "10, 20 or 30"},
	{"registered yes", map[string]string{"registered": "yes"}, "registered", "1 or 0"},
	{"invalid UTF-8", map[string]string{"name": "\xff\xfe"}, "name", "UTF-8"},
}

func TestImportBadRows(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		ctx := t.Context()
		for _, tc := range badRows {
			// Line 1 header, 2 and 3 good rows, 4 the bad one, 5 good.
			file := csvFile(csvFields("A1", nil), csvFields("A2", nil), csvFields("A3", tc.fields), csvFields("A4", nil))
			res, err := s.ImportEligibilityCSV(ctx, strings.NewReader(file))
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Errorf("%s: err = %v, want an *ImportError", tc.name, err)
				continue
			}
			if res != (ImportResult{}) {
				t.Errorf("%s: result %+v despite the error", tc.name, res)
			}
			if ie.Line != 4 || ie.Column != tc.column || !strings.Contains(ie.Reason, tc.reason) {
				t.Errorf("%s: got %q, want line 4, column %s, reason containing %q", tc.name, ie, tc.column, tc.reason)
			}
		}
		if n := countRows(t, s, "eligibility"); n != 0 {
			t.Errorf("%d rows imported from files with a bad row", n)
		}
		if a, _ := s.LookupEligibility(ctx, testIssuer, "A1", day("2026-11-27")); a.Status != StatusNone {
			t.Errorf("a good row of a refused file is visible: %v", a.Status)
		}
	})
}

func TestImportBadStructure(t *testing.T) {
	header := EligibilityCSVHeader
	good := csvLine(csvFields("01", nil))
	for _, tc := range []struct {
		name         string
		file         string
		line         int
		column, want string
	}{
		{"empty file", "", 1, "", "header row is missing"},
		{"unknown column", header + ",extra\n", 1, "extra", "unknown column"},
		{"missing column", strings.Replace(header, ",sex", "", 1) + "\n", 1, "sex", "missing"},
		{"column twice", header + ",sex\n", 1, "sex", "twice"},
		{"too few fields", header + "\n" + good + "\n" + "a,b,c\n", 3, "", "3 fields"},
		{"too many fields", header + "\n" + good + ",x\n", 2, "", "16 fields"},
		{"bare quote", header + "\n" + good + "\n" + `a"b` + strings.Repeat(",", 14) + "\n", 3, "", "quote"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sqliteTestStore(t)
			_, err := s.ImportEligibilityCSV(t.Context(), strings.NewReader(tc.file))
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *ImportError", err)
			}
			if ie.Line != tc.line || ie.Column != tc.column || !strings.Contains(ie.Reason, tc.want) {
				t.Errorf("got %q, want line %d column %q reason containing %q", ie, tc.line, tc.column, tc.want)
			}
			if n := countRows(t, s, "eligibility"); n != 0 {
				t.Errorf("%d rows imported", n)
			}
		})
	}
}

func TestImportColumnOrderAndQuoting(t *testing.T) {
	s := sqliteTestStore(t)
	cols := strings.Split(EligibilityCSVHeader, ",")
	fields := csvFields("01", map[string]string{"name": `山田 "太郎", Jr`})
	// Reverse the column order.
	for i, j := 0, len(cols)-1; i < j; i, j = i+1, j-1 {
		cols[i], cols[j] = cols[j], cols[i]
		fields[i], fields[j] = fields[j], fields[i]
	}
	file := csvLine(cols) + "\r\n" + csvLine(fields) + "\r\n"
	if _, err := s.ImportEligibilityCSV(t.Context(), strings.NewReader(file)); err != nil {
		t.Fatal(err)
	}
	a, err := s.LookupEligibility(t.Context(), testIssuer, "01", day("2026-11-27"))
	if err != nil || a.Record.Name != `山田 "太郎", Jr` {
		t.Errorf("name = %q, %v", a.Record.Name, err)
	}
}

func TestImportDuplicateKey(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		file := csvFile(
			csvFields("01", nil), // line 2
			csvFields("02", nil), // line 3
			csvFields("01", map[string]string{"name": "別人"}),   // line 4: same key as line 2
			csvFields("01", map[string]string{"branch": "02"}), // line 5: another branch, a different key
		)
		_, err := s.ImportEligibilityCSV(t.Context(), strings.NewReader(file))
		var ies *ImportErrors
		if !errors.As(err, &ies) || len(ies.Errors) != 1 {
			t.Fatalf("err = %v, want one duplicate", err)
		}
		if ie := ies.Errors[0]; ie.Line != 4 || ie.FirstLine != 2 || !strings.Contains(ie.Reason, "line 2") {
			t.Errorf("got %+v, want line 4 duplicating line 2", ie)
		}
		if n := countRows(t, s, "eligibility"); n != 0 {
			t.Errorf("%d rows imported", n)
		}
	})
}

func TestImportCollectsErrors(t *testing.T) {
	s := sqliteTestStore(t)
	var rows [][]string
	for i := range 150 {
		f := map[string]string{}
		if i%10 == 3 {
			f["sex"] = "x"
		}
		if i == 5 {
			f["copay_percent"], f["branch"] = "0", "1"
		}
		rows = append(rows, csvFields(fmt.Sprintf("%04X", i), f))
	}
	_, err := s.ImportEligibilityCSV(t.Context(), strings.NewReader(csvFile(rows...)))
	var ies *ImportErrors
	if !errors.As(err, &ies) {
		t.Fatalf("err = %v", err)
	}
	if len(ies.Errors) != 17 || ies.Truncated {
		t.Fatalf("%d errors (truncated %v), want 17: %v", len(ies.Errors), ies.Truncated, err)
	}
	// Line 7 (i = 5) has two bad fields, reported in column order.
	if e := ies.Errors[1]; e.Line != 7 || e.Column != "branch" || ies.Errors[2].Column != "copay_percent" {
		t.Errorf("errors[1:3] = %v, %v", ies.Errors[1], ies.Errors[2])
	}
	if e := ies.Errors[0]; e.Line != 5 || e.Column != "sex" {
		t.Errorf("errors[0] = %v, want line 5 sex", e)
	}

	// Many more errors than the limit: stop at MaxImportErrors.
	rows = rows[:0]
	for i := range 3 * MaxImportErrors {
		rows = append(rows, csvFields(fmt.Sprintf("%04X", i), map[string]string{"sex": "x"}))
	}
	_, err = s.ImportEligibilityCSV(t.Context(), strings.NewReader(csvFile(rows...)))
	if !errors.As(err, &ies) || len(ies.Errors) != MaxImportErrors || !ies.Truncated {
		t.Fatalf("got %d errors, truncated %v; want %d, truncated", len(ies.Errors), ies.Truncated, MaxImportErrors)
	}
	if n := countRows(t, s, "eligibility"); n != 0 {
		t.Errorf("%d rows imported", n)
	}
}

func TestImportBadRowAtEndOfBigFile(t *testing.T) {
	sizes := map[string]int{"sqlite": 20000, "postgres": 5000}
	if testing.Short() || raceEnabled {
		sizes = map[string]int{"sqlite": 2000, "postgres": 1000}
	}
	forEach(t, func(t *testing.T, s Store) {
		n := sizes[t.Name()[strings.LastIndex(t.Name(), "/")+1:]]
		ctx := t.Context()
		// Something already stored must survive untouched.
		if _, err := s.ImportEligibilityCSV(ctx, strings.NewReader(csvFile(csvFields("000001", map[string]string{"copay_percent": "10"})))); err != nil {
			t.Fatal(err)
		}
		_, err := s.ImportEligibilityCSV(ctx, strings.NewReader(bigFile(n, true)))
		var ie *ImportError
		if !errors.As(err, &ie) || ie.Line != n+2 || ie.Column != "qualified_from" {
			t.Fatalf("err = %v, want line %d qualified_from", err, n+2)
		}
		if c := countRows(t, s, "eligibility"); c != 1 {
			t.Errorf("%d rows after the refused import, want the 1 from before", c)
		}
		a, err := s.LookupEligibility(ctx, testIssuer, "000001", day("2026-11-27"))
		if err != nil || a.Record.CopayPercent != 10 {
			t.Errorf("earlier row changed: %+v, %v", a.Record, err)
		}
		if c := countRows(t, s, "eligibility_imports"); c != 1 {
			t.Errorf("%d imports recorded, want 1", c)
		}
		// The same file without the bad row imports whole.
		res, err := s.ImportEligibilityCSV(ctx, strings.NewReader(bigFile(n, false)))
		if err != nil || res != (ImportResult{Inserted: n - 1, Updated: 1}) {
			t.Errorf("good file: %+v, %v; want %d inserted, 1 updated", res, err, n-1)
		}
	})
}

func TestImportCancelled(t *testing.T) {
	s := sqliteTestStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.ImportEligibilityCSV(ctx, strings.NewReader(bigFile(10, false))); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if n := countRows(t, s, "eligibility"); n != 0 {
		t.Errorf("%d rows imported", n)
	}
}

func TestImportLongLine(t *testing.T) {
	s := sqliteTestStore(t)
	long := csvFields("02", map[string]string{"name": strings.Repeat("a", maxLineBytes)})
	file := csvFile(csvFields("01", nil), long)
	_, err := s.ImportEligibilityCSV(t.Context(), strings.NewReader(file))
	var ie *ImportError
	if !errors.As(err, &ie) || ie.Line != 3 || !strings.Contains(ie.Reason, "longer than") {
		t.Fatalf("err = %v, want line 3 too long", err)
	}
	// Without any line break at all.
	_, err = s.ImportEligibilityCSV(t.Context(), strings.NewReader(strings.Repeat("x", 3*maxLineBytes)))
	if !errors.As(err, &ie) || ie.Line != 1 {
		t.Fatalf("err = %v, want line 1 too long", err)
	}
	if n := countRows(t, s, "eligibility"); n != 0 {
		t.Errorf("%d rows imported", n)
	}
}

// failingReader fails after giving some bytes.
type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestImportReadError(t *testing.T) {
	forEach(t, func(t *testing.T, s Store) {
		boom := errors.New("connection reset")
		file := csvFile(csvFields("01", nil), csvFields("02", nil))
		for _, cut := range []int{10, len(file) - 5} { // in the header, in the last row
			_, err := s.ImportEligibilityCSV(t.Context(), &failingReader{data: file[:cut], err: boom})
			var ies *ImportErrors
			if !errors.Is(err, boom) || errors.As(err, &ies) {
				t.Errorf("cut at %d: err = %v, want the read error, not a bad-file report", cut, err)
			}
		}
		if n := countRows(t, s, "eligibility"); n != 0 {
			t.Errorf("%d rows imported", n)
		}
	})
}
