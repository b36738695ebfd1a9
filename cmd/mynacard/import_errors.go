package main

import (
	"fmt"
	"strings"

	"github.com/mynacard/mynacard/store"
)

// importReport says what was wrong with an eligibility file in the clerk's
// language: one line per bad row (every bad field of the row on it), or
// one line for a bad header, and a one-line summary counted in rows.
//
// The store gives each error a line, a column and an English reason; the
// wording here is chosen by column (what the field must hold) and by the
// few reasons a clerk can act on differently (missing, not UTF-8, control
// characters, a duplicate key, the number of fields).
func (g *globals) importReport(ie *store.ImportErrors) (summary string, lines []string) {
	var header []*store.ImportError
	var order []int
	rows := map[int][]string{}
	for _, e := range ie.Errors {
		if e.Line <= 1 {
			header = append(header, e)
			continue
		}
		if _, ok := rows[e.Line]; !ok {
			order = append(order, e.Line)
		}
		rows[e.Line] = append(rows[e.Line], g.importProblem(e))
	}
	sep := g.tr(msgImportSeparator)
	if len(header) > 0 {
		// Nothing after a bad header is read: it is one error.
		return g.tr(msgImportBadHeader), []string{g.headerProblem(header)}
	}
	for _, line := range order {
		lines = append(lines, g.tr(msgImportRowLine, line, strings.Join(rows[line], sep)))
	}
	if ie.Truncated {
		lines = append(lines, g.tr(msgImportMore, store.MaxImportErrors))
	}
	if len(order) == 1 {
		return g.tr(msgImportOneRow), lines
	}
	return g.tr(msgImportRows, len(order)), lines
}

// columnLabel names a column as the clerk reads it: the header name, and
// in Japanese what it holds.
func (g *globals) columnLabel(col string) string {
	return g.tr(msgKey("cli.import.col." + col))
}

// importProblem is one bad field or row, without its line.
func (g *globals) importProblem(e *store.ImportError) string {
	r := e.Reason
	if e.Column == "" {
		var got, want int
		switch {
		case e.FirstLine > 0:
			return g.tr(msgImportDuplicateKey, e.FirstLine)
		case strings.HasPrefix(r, "line longer than"):
			return g.tr(msgImportLineTooLong)
		}
		if n, _ := fmt.Sscanf(r, "%d fields, the header has %d", &got, &want); n == 2 {
			return g.tr(msgImportFieldCount, got, want)
		}
		return g.tr(msgImportNotCSV)
	}
	label := g.columnLabel(e.Column)
	switch {
	case r == "required":
		return g.tr(msgImportRequired, label)
	case strings.HasPrefix(r, "not valid UTF-8"):
		return g.tr(msgImportNotUTF8, label)
	case strings.HasPrefix(r, "control character"):
		return g.tr(msgImportControl, label)
	case strings.HasPrefix(r, "ends before"):
		return g.tr(msgImportEndsBefore, label, g.columnLabel("qualified_from"))
	}
	return g.tr(msgImportField, label, g.tr(msgKey("cli.import.rule."+e.Column)))
}

// headerProblem is a bad header as one line: the unknown, repeated and
// missing columns, and the header the file must have.
func (g *globals) headerProblem(errs []*store.ImportError) string {
	var unknown, twice, missing []string
	for _, e := range errs {
		switch {
		case e.Column == "":
			if strings.HasPrefix(e.Reason, "empty file") {
				return g.tr(msgImportEmpty, store.EligibilityCSVHeader)
			}
			return g.tr(msgImportHeaderNotCSV, store.EligibilityCSVHeader)
		case strings.HasPrefix(e.Reason, "unknown column"):
			unknown = append(unknown, e.Column)
		case strings.HasPrefix(e.Reason, "column appears twice"):
			twice = append(twice, e.Column)
		default:
			missing = append(missing, e.Column)
		}
	}
	sep := g.tr(msgImportListSeparator)
	var parts []string
	if len(unknown) > 0 {
		parts = append(parts, g.tr(msgImportUnknownColumns, strings.Join(unknown, sep)))
	}
	if len(twice) > 0 {
		parts = append(parts, g.tr(msgImportTwiceColumns, strings.Join(twice, sep)))
	}
	if len(missing) > 0 {
		parts = append(parts, g.tr(msgImportMissingColumns, strings.Join(missing, sep)))
	}
	return g.tr(msgImportHeaderLine, strings.Join(parts, g.tr(msgImportSeparator)), store.EligibilityCSVHeader)
}
