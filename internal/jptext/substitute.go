package jptext

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Markers SubstituteMarkers puts around a substitute character: the
// tortoise-shell brackets 〔 U+3014 and 〕 U+3015, which do not occur in
// names or addresses.
const (
	MarkOpen  = "〔"
	MarkClose = "〕"
)

// markerCaret is what MarkerLine writes under each column of a flagged
// character.
const markerCaret = '^'

// SubstituteMarkers returns s with each flagged substitute character
// (positions are rune indexes from 0, as in card.Attributes) wrapped in
// MarkOpen and MarkClose, for a clerk: "渡〔邉〕　花子" says "compare the
// second character with the card face". Positions outside s are ignored;
// s is returned unchanged when none is inside. Invalid UTF-8 is kept
// byte for byte.
func SubstituteMarkers(s string, positions []int) string {
	us := units(s)
	m := flagged(len(us), positions)
	if !anyIn(m, 0, len(m)) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 6*len(positions))
	for i, u := range us {
		if m[i] {
			b.WriteString(MarkOpen)
			b.WriteString(u.text)
			b.WriteString(MarkClose)
			continue
		}
		b.WriteString(u.text)
	}
	return b.String()
}

// MarkerLine returns a line to print under s on a terminal with a
// monospaced font: '^' under each column of a flagged substitute
// character and spaces elsewhere, counting East Asian wide and
// full-width characters as two columns, combining marks as none and
// everything else (ambiguous width included) as one. Trailing spaces
// are trimmed; the line is empty when no position is inside s.
//
//	渡邉　花子
//	  ^^
func MarkerLine(s string, positions []int) string {
	us := units(s)
	m := flagged(len(us), positions)
	if !anyIn(m, 0, len(m)) {
		return ""
	}
	var b strings.Builder
	for i, u := range us {
		fill := ' '
		if m[i] {
			fill = markerCaret
		}
		for range columns(u) {
			b.WriteRune(fill)
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// columns is the terminal width of one character (an invalid byte is
// shown as one replacement character).
func columns(u unit) int {
	r := []rune(u.text)[0]
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me):
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}
