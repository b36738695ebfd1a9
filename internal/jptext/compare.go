package jptext

import (
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Fold constants: the only characters Compare treats as equal to another.
const (
	fullwidthDigitZero   = '\uFF10' // ０
	fullwidthDigitNine   = '\uFF19' // ９
	fullwidthCapitalA    = '\uFF21' // Ａ
	fullwidthCapitalZ    = '\uFF3A' // Ｚ
	fullwidthSmallA      = '\uFF41' // ａ
	fullwidthSmallZ      = '\uFF5A' // ｚ
	fullwidthToASCII     = 0xFEE0   // U+FF01..FF5E minus U+0021..007E
	ideographicSpace     = '\u3000'
	asciiSpace           = '\u0020'
	invalidByteKeyOffset = utf8.MaxRune + 1 // keys of invalid bytes, above every rune
)

// Position is a pair of rune indexes (from 0, as utf8.RuneCountInString
// counts, one per invalid byte) into the two texts compared. -1 means the
// side has no aligned character.
type Position struct {
	A int `json:"a"`
	B int `json:"b"`
}

// Difference is one stretch where the two texts differ after the safe
// folds. A and B are the original characters (not folded); one of them is
// empty when the stretch exists on one side only.
type Difference struct {
	// Position is where the stretch starts in a and in b; on the side
	// where it is empty, the index of the character it comes before (the
	// text's length at the end).
	Position Position `json:"position"`
	A        string   `json:"a"`
	B        string   `json:"b"`
	Kind     Kind     `json:"kind"`
	// Substitute is true when substitute characters alone can explain the
	// stretch: both sides have the same length and each pair of characters
	// has a flagged substitute on one side or the other, so the registered
	// characters may be the same (only the card face can tell). A stretch
	// that also holds another difference is not Substitute.
	Substitute bool `json:"substitute,omitempty"`
}

// Comparison is the result of Compare.
type Comparison struct {
	// Equal is true only when the texts are the same after the safe
	// folds and neither has a substitute character.
	Equal bool `json:"equal"`
	// NeedsVisualCheck is true when either text has a flagged substitute
	// character (代替文字): compare with the card face. Equal is then
	// false even if the code points match.
	NeedsVisualCheck bool `json:"needs_visual_check"`
	// Differences lists every difference, in order.
	Differences []Difference `json:"differences,omitempty"`
	// Uncertain lists each flagged substitute position with the aligned
	// position on the other side (-1 where the other side has no aligned
	// character, because the character is in a Difference).
	Uncertain []Position `json:"uncertain,omitempty"`
}

// MayBeEqual reports whether the texts can be the same registered text:
// Equal, or differing only in stretches that substitute characters alone
// can explain (Difference.Substitute), which only the card face can
// settle. It is for suggestions
// (which enrolment may be this holder), not for confirmation.
func (c Comparison) MayBeEqual() bool {
	for _, d := range c.Differences {
		if !d.Substitute {
			return false
		}
	}
	return true
}

// Compare compares two names or two addresses. aSubst and bSubst are the
// rune positions (from 0) of a and b flagged as substitute characters,
// as card.Attributes holds them; positions outside the text are ignored
// (jpki refuses such flags when it parses a certificate). Compare never
// panics, on invalid UTF-8 included, and Compare(a, b, x, y).Equal always
// equals Compare(b, a, y, x).Equal.
func Compare(a, b string, aSubst, bSubst []int) Comparison {
	ua, ub := units(a), units(b)
	sa, sb := flagged(len(ua), aSubst), flagged(len(ub), bSubst)
	hs, aToB, bToA := diff(ua, ub)

	var c Comparison
	for _, h := range hs {
		d := Difference{
			Position: Position{A: h.a0, B: h.b0},
			A:        join(ua[h.a0:h.a1]),
			B:        join(ub[h.b0:h.b1]),
			Kind:     classify(ua[h.a0:h.a1], ub[h.b0:h.b1]),
		}
		d.Substitute = onlySubstitutes(h, sa, sb)
		c.Differences = append(c.Differences, d)
	}
	for i := range ua {
		if sa[i] {
			c.Uncertain = append(c.Uncertain, Position{A: i, B: aToB[i]})
		}
	}
	for j := range ub {
		if sb[j] && (bToA[j] < 0 || !sa[bToA[j]]) {
			c.Uncertain = append(c.Uncertain, Position{A: bToA[j], B: j})
		}
	}
	slices.SortFunc(c.Uncertain, cmpPos)
	c.NeedsVisualCheck = len(c.Uncertain) > 0
	c.Equal = len(c.Differences) == 0 && !c.NeedsVisualCheck
	return c
}

// cmpPos orders positions by the first side that has one, then by a.
func cmpPos(x, y Position) int {
	kx, ky := sortKey(x), sortKey(y)
	if kx != ky {
		return kx - ky
	}
	return x.A - y.A
}

func sortKey(p Position) int {
	if p.A >= 0 {
		return p.A
	}
	return p.B
}

// HasSubstitutes reports whether any of positions names a character of s
// (a rune index from 0): whether s must be compared with the card face.
func HasSubstitutes(s string, positions []int) bool {
	n := utf8.RuneCountInString(s)
	for _, p := range positions {
		if p >= 0 && p < n {
			return true
		}
	}
	return false
}

// unit is one character of a text: its original bytes and the key it is
// compared by.
type unit struct {
	key  rune
	text string
}

// units splits s into characters, folding the safe differences into
// the keys. An invalid byte is a unit of its own whose key no rune has.
func units(s string) []unit {
	out := make([]unit, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		u := unit{key: fold(r), text: s[i : i+size]}
		if r == utf8.RuneError && size == 1 {
			u.key = invalidByteKeyOffset + rune(s[i])
		}
		out = append(out, u)
		i += size
	}
	return out
}

// fold maps the characters the package treats as the same to one key:
// full-width digits and Latin letters to ASCII, U+3000 to U+0020.
func fold(r rune) rune {
	switch {
	case r >= fullwidthDigitZero && r <= fullwidthDigitNine,
		r >= fullwidthCapitalA && r <= fullwidthCapitalZ,
		r >= fullwidthSmallA && r <= fullwidthSmallZ:
		return r - fullwidthToASCII
	case r == ideographicSpace:
		return asciiSpace
	}
	return r
}

func join(us []unit) string {
	n := 0
	for _, u := range us {
		n += len(u.text)
	}
	b := make([]byte, 0, n)
	for _, u := range us {
		b = append(b, u.text...)
	}
	return string(b)
}

// flagged turns positions into a per-unit mask, ignoring positions
// outside [0, n).
func flagged(n int, positions []int) []bool {
	m := make([]bool, n)
	for _, p := range positions {
		if p >= 0 && p < n {
			m[p] = true
		}
	}
	return m
}

// onlySubstitutes: the hunk's sides have one length and every aligned
// pair has a flagged substitute on a side.
func onlySubstitutes(h hunk, sa, sb []bool) bool {
	if h.a1-h.a0 != h.b1-h.b0 {
		return false
	}
	for k := range h.a1 - h.a0 {
		if !sa[h.a0+k] && !sb[h.b0+k] {
			return false
		}
	}
	return true
}

func anyIn(m []bool, from, to int) bool {
	return slices.Contains(m[from:to], true)
}

// ErrPositions reports substitute positions that do not name characters
// of their text in increasing order.
var ErrPositions = errors.New("substitute positions out of range or out of order")

// CheckPositions checks that positions are rune indexes into s in strictly
// increasing order, as card.Attributes holds substitute positions. The
// error wraps ErrPositions.
func CheckPositions(s string, positions []int) error {
	n := utf8.RuneCountInString(s)
	prev := -1
	for _, p := range positions {
		if p <= prev || p >= n {
			return fmt.Errorf("%w: %d in %d characters", ErrPositions, p, n)
		}
		prev = p
	}
	return nil
}
