package main

import (
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// Render writes the markdown table: the card operations first, then every
// other benchmark.
func Render(w io.Writer, results []Result) error {
	var cards, others []Result
	for _, r := range results {
		if strings.HasPrefix(r.Name, cardOpsPrefix) && strings.Count(r.Name, "/") == 3 {
			cards = append(cards, r)
		} else {
			others = append(others, r)
		}
	}
	var b strings.Builder
	if len(cards) > 0 {
		renderCards(&b, cards)
	}
	if len(others) > 0 {
		if len(cards) > 0 {
			b.WriteString("\n")
		}
		renderOthers(&b, others)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// renderCards writes one row per operation, path and reader, grouped by
// operation in the order the benchmarks ran.
func renderCards(b *strings.Builder, rs []Result) {
	b.WriteString("| operation | path | reader | APDUs | data bytes | bytes | time/op |\n")
	b.WriteString("|---|---|---|---:|---:|---:|---:|\n")
	var ops []string
	byOp := map[string][]Result{}
	for _, r := range rs {
		parts := strings.Split(strings.TrimPrefix(r.Name, cardOpsPrefix), "/")
		op := parts[2]
		if _, ok := byOp[op]; !ok {
			ops = append(ops, op)
		}
		byOp[op] = append(byOp[op], r)
	}
	for _, op := range ops {
		for _, r := range byOp[op] {
			parts := strings.Split(strings.TrimPrefix(r.Name, cardOpsPrefix), "/")
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", op, parts[0], parts[1],
				metric(r, unitAPDUs, formatCount), metric(r, unitDataBytes, formatCount),
				metric(r, unitCardBytes, formatCount), metric(r, unitTime, formatNanos))
		}
	}
}

// renderOthers writes one row per benchmark with its time, every custom
// metric any of them reported (one column each, in order of appearance)
// and the -benchmem figures.
func renderOthers(b *strings.Builder, rs []Result) {
	var custom []string
	seen := map[string]bool{unitTime: true, unitAlloc: true, unitAllocs: true}
	for _, r := range rs {
		for _, u := range r.Units {
			if !seen[u] {
				seen[u] = true
				custom = append(custom, u)
			}
		}
	}
	b.WriteString("| benchmark | time/op |")
	for _, u := range custom {
		b.WriteString(" " + u + " |")
	}
	b.WriteString(" B/op | allocs/op |\n|---|---:|")
	b.WriteString(strings.Repeat("---:|", len(custom)+2))
	b.WriteString("\n")
	for _, r := range rs {
		fmt.Fprintf(b, "| %s %s | %s |", path.Base(r.Pkg), r.Name, metric(r, unitTime, formatNanos))
		for _, u := range custom {
			b.WriteString(" " + metric(r, u, formatCount) + " |")
		}
		fmt.Fprintf(b, " %s | %s |\n", metric(r, unitAlloc, formatBytes), metric(r, unitAllocs, formatCount))
	}
}

// metric formats r's value for unit, or "–" when r did not report it.
func metric(r Result, unit string, format func(float64) string) string {
	v, ok := r.Metrics[unit]
	if !ok {
		return "–"
	}
	return format(v)
}

// formatNanos writes a duration in nanoseconds with a unit that keeps three
// significant figures readable.
func formatNanos(ns float64) string {
	switch {
	case ns < 1e3:
		return strconv.FormatFloat(ns, 'f', -1, 64) + " ns"
	case ns < 1e6:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	}
	return fmt.Sprintf("%.2f s", ns/1e9)
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
