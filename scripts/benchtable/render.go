package main

import (
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// unitPeak is the peak-heap metric of the revocation benchmarks, shown in
// its own column.
const unitPeak = "peak-MiB"

// columns of the table, in order.
var columns = []string{"operation", "path", "reader", "APDUs", "target APDUs", "data bytes", "bytes", "time/op", "peak memory", "B/op", "allocs/op", "other"}

// known units have a column of their own; the others go to "other".
var known = map[string]bool{
	unitTime: true, unitAlloc: true, unitAllocs: true, unitPeak: true,
	unitAPDUs: true, unitCardBytes: true, unitDataBytes: true, unitTarget: true,
}

// Render writes one markdown table: a row per result, the card operations
// first (grouped by operation, in the order the benchmarks ran), then every
// other benchmark. A card row's path and reader come from its name
// (CardOps/<path>/<reader>/<operation>); another row's path is its package.
// Cells a benchmark did not report are "–".
func Render(w io.Writer, results []Result) error {
	var b strings.Builder
	b.WriteString("| " + strings.Join(columns, " | ") + " |\n|---|---|---|")
	b.WriteString(strings.Repeat("---:|", len(columns)-4))
	b.WriteString("---|\n")

	var ops []string
	byOp := map[string][]Result{}
	var others []Result
	for _, r := range results {
		if parts := cardParts(r.Name); parts != nil {
			if _, ok := byOp[parts[2]]; !ok {
				ops = append(ops, parts[2])
			}
			byOp[parts[2]] = append(byOp[parts[2]], r)
			continue
		}
		others = append(others, r)
	}
	for _, op := range ops {
		for _, r := range byOp[op] {
			p := cardParts(r.Name)
			row(&b, r, op, p[0], p[1])
		}
	}
	for _, r := range others {
		row(&b, r, r.Name, path.Base(r.Pkg), "–")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cardParts splits CardOps/<path>/<reader>/<operation>, or returns nil.
func cardParts(name string) []string {
	if !strings.HasPrefix(name, cardOpsPrefix) {
		return nil
	}
	p := strings.Split(strings.TrimPrefix(name, cardOpsPrefix), "/")
	if len(p) != 3 {
		return nil
	}
	return p
}

func row(b *strings.Builder, r Result, op, pathName, readerName string) {
	var other []string
	for _, u := range r.Units {
		if !known[u] {
			other = append(other, formatCount(r.Metrics[u])+" "+u)
		}
	}
	if len(other) == 0 {
		other = []string{"–"}
	}
	peak := metric(r, unitPeak, func(v float64) string { return formatCount(v) + " MiB" })
	cells := []string{op, pathName, readerName,
		metric(r, unitAPDUs, formatCount), metric(r, unitTarget, formatCount), metric(r, unitDataBytes, formatCount), metric(r, unitCardBytes, formatCount),
		metric(r, unitTime, formatNanos), peak, metric(r, unitAlloc, formatBytes), metric(r, unitAllocs, formatCount),
		strings.Join(other, ", ")}
	fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
}

// metric formats r's value for unit, or "–" when r did not report it.
func metric(r Result, unit string, format func(float64) string) string {
	v, ok := r.Metrics[unit]
	if !ok {
		return "–"
	}
	return format(v)
}

// formatNanos writes a duration in nanoseconds with three significant
// figures in ns, µs, ms or s.
func formatNanos(ns float64) string {
	switch {
	case ns < 1e3:
		return sig3(ns) + " ns"
	case ns < 1e6:
		return sig3(ns/1e3) + " µs"
	case ns < 1e9:
		return sig3(ns/1e6) + " ms"
	}
	return sig3(ns/1e9) + " s"
}

// sig3 writes v (at least 1) with three significant figures, or as a whole
// number when it has more integer digits.
func sig3(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// formatCount writes whole numbers without decimals and others with three
// significant figures.
func formatCount(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	if v >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// formatBytes writes a byte count in B, KiB, MiB or GiB.
func formatBytes(v float64) string {
	const k = 1024
	switch {
	case v < k:
		return formatCount(v) + " B"
	case v < k*k:
		return fmt.Sprintf("%.1f KiB", v/k)
	case v < k*k*k:
		return fmt.Sprintf("%.1f MiB", v/(k*k))
	}
	return fmt.Sprintf("%.2f GiB", v/(k*k*k))
}
