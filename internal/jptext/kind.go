package jptext

import "unicode"

// Kind says what a Difference looks like, for the display. It is a hint:
// every Kind is a difference.
type Kind string

// Kinds of Difference, tried in this order.
const (
	// KindSpace: only spaces on both sides (an extra or missing space, or
	// a space other than U+0020/U+3000 such as U+00A0).
	KindSpace Kind = "space"
	// KindDash: dash-like characters on both sides (ー U+30FC, － U+FF0D,
	// ‐ U+2010, - U+002D, ｰ U+FF70, − U+2212, ...): 1－2 is not 1-2.
	KindDash Kind = "dash"
	// KindNumeral: a number written in kanji numerals on one side and
	// digits on the other (一丁目 vs 1丁目).
	KindNumeral Kind = "numeral"
	// KindCase: the same Latin letters in another case (A vs a, Ａ vs a).
	KindCase Kind = "case"
	// KindKana: kana on both sides (ヶ vs ケ, ｶ vs カ, か vs カ).
	KindKana Kind = "kana"
	// KindKanji: kanji on both sides (髙 vs 高, 﨑 vs 崎, 辺 vs 邉): possibly
	// a variant form (異体字) the register keeps distinct.
	KindKanji Kind = "kanji"
	// KindOnlyInA and KindOnlyInB: characters on one side only.
	KindOnlyInA Kind = "only_in_a"
	KindOnlyInB Kind = "only_in_b"
	// KindReplaced: any other difference.
	KindReplaced Kind = "replaced"
)

// dashes are the characters KindDash groups: hyphen-minus, hyphen,
// non-breaking hyphen, figure dash, en dash, em dash, horizontal bar,
// hyphen bullet, minus sign, small hyphen-minus, katakana-hiragana
// prolonged sound mark, full-width hyphen-minus, half-width prolonged
// sound mark.
const dashes = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\uFE63\u30FC\uFF0D\uFF70"

// kanjiNumerals are the kanji used to write numbers in addresses,
// including the formal 壱 弐 参 拾.
const kanjiNumerals = "〇零一二三四五六七八九十百千万壱弐参拾"

// kanaMarks are the voicing marks that count as kana: combining U+3099
// U+309A, spacing U+309B U+309C, half-width U+FF9E U+FF9F.
const kanaMarks = "\u3099\u309A\u309B\u309C\uFF9E\uFF9F"

// classify names the kind of a differing stretch; a and b are one
// Difference's two sides.
func classify(a, b []unit) Kind {
	both := func(f func(r rune) bool) bool { return len(a)+len(b) > 0 && all(a, f) && all(b, f) }
	isDigit := func(r rune) bool { return r >= '0' && r <= '9' }
	isKanjiNum := func(r rune) bool { return containsRune(kanjiNumerals, r) }
	switch {
	case both(unicode.IsSpace):
		return KindSpace
	case both(func(r rune) bool { return containsRune(dashes, r) }):
		return KindDash
	case len(a) > 0 && len(b) > 0 && both(func(r rune) bool { return isDigit(r) || isKanjiNum(r) }) &&
		((anyRune(a, isDigit) && anyRune(b, isKanjiNum)) || (anyRune(a, isKanjiNum) && anyRune(b, isDigit))):
		return KindNumeral
	case len(a) == len(b) && sameLettersOtherCase(a, b):
		return KindCase
	case len(a) == 0:
		return KindOnlyInB
	case len(b) == 0:
		return KindOnlyInA
	case both(isKana):
		return KindKana
	case both(func(r rune) bool { return unicode.Is(unicode.Han, r) }):
		return KindKanji
	}
	return KindReplaced
}

func isKana(r rune) bool {
	return unicode.In(r, unicode.Hiragana, unicode.Katakana) || containsRune(kanaMarks, r)
}

// sameLettersOtherCase: ASCII letters (after folding full-width) equal
// but for case. Stretches differ, so at least one letter's case does.
func sameLettersOtherCase(a, b []unit) bool {
	if len(a) == 0 {
		return false
	}
	for i := range a {
		x, y := a[i].key, b[i].key
		if !isASCIILetter(x) || !isASCIILetter(y) || x|0x20 != y|0x20 {
			return false
		}
	}
	return true
}

func isASCIILetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

// all and anyRune test the keys (folded runes); an invalid byte's key is
// no rune and fails every test.
func all(us []unit, f func(rune) bool) bool {
	for _, u := range us {
		if u.key > unicode.MaxRune || !f(u.key) {
			return false
		}
	}
	return true
}

func anyRune(us []unit, f func(rune) bool) bool {
	for _, u := range us {
		if u.key <= unicode.MaxRune && f(u.key) {
			return true
		}
	}
	return false
}

func containsRune(set string, r rune) bool {
	for _, s := range set {
		if s == r {
			return true
		}
	}
	return false
}
