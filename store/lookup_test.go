package store

import (
	"testing"
	"time"
)

func TestEvaluate(t *testing.T) {
	d := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		v, err := parseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	q := func(from, until string, registered bool) Eligibility {
		return Eligibility{QualifiedFrom: d(from), QualifiedUntil: d(until), Registered: registered}
	}
	for _, tc := range []struct {
		name     string
		rows     []Eligibility
		day      string
		want     ValidityStatus
		wantFrom string
	}{
		{"none", nil, "2026-01-01", StatusNone, ""},
		{"first day", []Eligibility{q("2026-01-01", "", true)}, "2026-01-01", StatusValid, "2026-01-01"},
		{"day before start only", []Eligibility{q("2026-01-01", "", true)}, "2025-12-31", StatusInvalidNewer, "2026-01-01"},
		{"last day", []Eligibility{q("2025-01-01", "2025-12-31", true)}, "2025-12-31", StatusValid, "2025-01-01"},
		{"day after end", []Eligibility{q("2025-01-01", "2025-12-31", true)}, "2026-01-01", StatusInvalid, "2025-01-01"},
		{"latest ended wins", []Eligibility{q("2020-01-01", "2021-12-31", true), q("2015-01-01", "2023-06-30", true)}, "2026-01-01", StatusInvalid, "2015-01-01"},
		{"earliest future wins", []Eligibility{q("2028-01-01", "", true), q("2027-01-01", "", true), q("2020-01-01", "2025-12-31", true)}, "2026-06-01", StatusInvalidNewer, "2027-01-01"},
		{"several, one unregistered", []Eligibility{q("2020-01-01", "", false), q("2021-01-01", "", true)}, "2026-01-01", StatusSeveral, ""},
		{"unregistered beside ended", []Eligibility{q("2024-01-01", "", false), q("2020-01-01", "2023-12-31", true)}, "2026-01-01", StatusUnregistered, "2024-01-01"},
	} {
		a := evaluate(tc.rows, d(tc.day))
		if a.Status != tc.want || dateText(a.Record.QualifiedFrom) != tc.wantFrom {
			t.Errorf("%s: %v with record from %q, want %v from %q", tc.name, a.Status, dateText(a.Record.QualifiedFrom), tc.want, tc.wantFrom)
		}
	}
}
