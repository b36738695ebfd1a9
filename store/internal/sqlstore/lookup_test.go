package sqlstore

import (
	"testing"
	"time"

	"github.com/mynacard/mynacard/store"
)

func TestEvaluate(t *testing.T) {
	d := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		v, err := time.Parse(dateLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	q := func(from, until string, registered bool) store.Eligibility {
		return store.Eligibility{QualifiedFrom: d(from), QualifiedUntil: d(until), Registered: registered}
	}
	for _, tc := range []struct {
		name     string
		rows     []store.Eligibility
		day      string
		want     store.ValidityStatus
		wantFrom string
	}{
		{"none", nil, "2026-01-01", store.StatusNone, ""},
		{"first day", []store.Eligibility{q("2026-01-01", "", true)}, "2026-01-01", store.StatusValid, "2026-01-01"},
		{"day before start only", []store.Eligibility{q("2026-01-01", "", true)}, "2025-12-31", store.StatusInvalidNewer, "2026-01-01"},
		{"last day", []store.Eligibility{q("2025-01-01", "2025-12-31", true)}, "2025-12-31", store.StatusValid, "2025-01-01"},
		{"day after end", []store.Eligibility{q("2025-01-01", "2025-12-31", true)}, "2026-01-01", store.StatusInvalid, "2025-01-01"},
		{"latest ended wins", []store.Eligibility{q("2020-01-01", "2021-12-31", true), q("2015-01-01", "2023-06-30", true)}, "2026-01-01", store.StatusInvalid, "2015-01-01"},
		{"earliest future wins", []store.Eligibility{q("2028-01-01", "", true), q("2027-01-01", "", true), q("2020-01-01", "2025-12-31", true)}, "2026-06-01", store.StatusInvalidNewer, "2027-01-01"},
		{"several, one unregistered", []store.Eligibility{q("2020-01-01", "", false), q("2021-01-01", "", true)}, "2026-01-01", store.StatusSeveral, ""},
		{"unregistered beside ended", []store.Eligibility{q("2024-01-01", "", false), q("2020-01-01", "2023-12-31", true)}, "2026-01-01", store.StatusUnregistered, "2024-01-01"},
	} {
		a := evaluate(tc.rows, d(tc.day))
		if a.Status != tc.want || dateText(a.Record.QualifiedFrom) != tc.wantFrom {
			t.Errorf("%s: %v with record from %q, want %v from %q", tc.name, a.Status, dateText(a.Record.QualifiedFrom), tc.want, tc.wantFrom)
		}
	}
}
