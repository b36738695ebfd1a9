package store_test

import (
	"fmt"
	"strings"
	"testing"

	. "github.com/mynacard/mynacard/store"
)

// forEachBench runs a benchmark against each implementation.
func forEachBench(b *testing.B, bench func(b *testing.B, s Store)) {
	for _, tb := range testBackends {
		b.Run(tb.name, func(b *testing.B) { bench(b, tb.open(b)) })
	}
}

// BenchmarkImportEligibilityCSV measures import throughput in rows/s. Each
// iteration imports a file of new rows.
func BenchmarkImportEligibilityCSV(b *testing.B) {
	const rows = 1000
	forEachBench(b, func(b *testing.B, s Store) {
		files := make([]string, 0, 8)
		for i := range cap(files) {
			var sb strings.Builder
			sb.WriteString(EligibilityCSVHeader + "\n")
			for j := range rows {
				sb.WriteString(csvLine(csvFields(fmt.Sprintf("%02X%06X", i, j), nil)) + "\n")
			}
			files = append(files, sb.String())
		}
		for i := 0; b.Loop(); i++ {
			// Past the first len(files) iterations the rows are updates.
			if _, err := s.ImportEligibilityCSV(b.Context(), strings.NewReader(files[i%len(files)])); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkLookupEligibility measures one lookup's latency among 5,000
// certificates.
func BenchmarkLookupEligibility(b *testing.B) {
	const certs = 5000
	forEachBench(b, func(b *testing.B, s Store) {
		if _, err := s.ImportEligibilityCSV(b.Context(), strings.NewReader(bigFile(certs, false))); err != nil {
			b.Fatal(err)
		}
		at := day("2026-11-27")
		for i := 0; b.Loop(); i++ {
			a, err := s.LookupEligibility(b.Context(), testIssuer, fmt.Sprintf("%06X", i%certs+1), at)
			if err != nil || a.Status != StatusValid {
				b.Fatalf("lookup: %v, %v", a.Status, err)
			}
		}
	})
}
