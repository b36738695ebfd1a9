package store_test

import (
	"encoding/csv"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"
)

// FuzzEligibilityCSV feeds arbitrary files to the import. It must never
// panic, and it imports everything or nothing: on error no row changes,
// on success every data row was inserted or updated.
func FuzzEligibilityCSV(f *testing.F) {
	f.Add(csvFile(csvFields("01", nil)))
	f.Add("\uFEFF" + csvFile(csvFields("01", nil), csvFields("02", map[string]string{"qualified_until": "20300331"})))
	f.Add(csvFile(csvFields("01", nil), csvFields("01", nil)))
	f.Add(csvFile(csvFields("01", map[string]string{"sex": "3", "copay_percent": "0"})))
	f.Add(EligibilityCSVHeader + "\n\"unterminated")
	f.Add(EligibilityCSVHeader)
	f.Add("")
	f.Add("a,b\n1,2\n")

	s, err := storeopen.Open(f.Context(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })

	f.Fuzz(func(t *testing.T, file string) {
		before := countRows(t, s, "eligibility")
		res, err := s.ImportEligibilityCSV(t.Context(), strings.NewReader(file))
		after := countRows(t, s, "eligibility")
		if err != nil {
			var ies *ImportErrors
			if !errors.As(err, &ies) || len(ies.Errors) == 0 {
				t.Fatalf("error is not a list of import errors: %v", err)
			}
			if res != (ImportResult{}) || after != before {
				t.Fatalf("failed import changed the store: %+v, rows %d -> %d", res, before, after)
			}
			return
		}
		if after != before+int64(res.Inserted) {
			t.Fatalf("rows %d -> %d, but %d inserted", before, after, res.Inserted)
		}
		// Every data row of an accepted file was written.
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(file, "\uFEFF")))
		all, err := r.ReadAll()
		if err != nil {
			t.Fatalf("accepted a file encoding/csv refuses: %v", err)
		}
		if rows := len(all) - 1; res.Inserted+res.Updated != rows {
			t.Fatalf("%d data rows, %d inserted + %d updated", rows, res.Inserted, res.Updated)
		}
	})
}
