// Package jptext compares Japanese names and addresses the way a counter
// clerk must: it folds only the differences that are
// certainly not differences, reports every other difference with its
// position, and never calls a text exact where a substitute character
// (代替文字) is flagged.
//
// # What is folded
//
// Exactly three things, character for character (no character is ever
// added, removed or merged, so rune positions — and with them the
// per-character substitute flags of a signing certificate — stay valid):
//
//   - full-width digits U+FF10–FF19 equal ASCII 0–9;
//   - full-width Latin letters U+FF21–FF3A and U+FF41–FF5A equal ASCII
//     A–Z and a–z, case kept: Ａ equals A but not a. Letter case is a
//     difference, because building and block names are registered as
//     written (ABCハイツ is not abcハイツ) and nothing we know of says the
//     register folds case;
//   - the ideographic space U+3000 equals the space U+0020, one for one. A
//     run of spaces is not collapsed and leading or trailing spaces are not
//     trimmed: "山田　太郎" equals "山田 太郎" but not "山田  太郎". The
//     certificate and the text application both write one U+3000 between
//     family and given name, so a differing count is itself worth showing.
//
// Everything else is a difference and is listed, even where the clerk will
// judge it harmless: 髙 vs 高 and 﨑 vs 崎 (variant kanji, 異体字), ヶ vs ケ,
// ｶ vs カ (half-width katakana), 一丁目 vs 1丁目 (kanji numeral vs digit),
// ー vs － vs ‐ vs - (long vowel mark, full-width hyphen-minus, hyphen,
// hyphen-minus), other full-width punctuation, and invalid UTF-8 (each
// invalid byte is a character of its own that equals only the same byte).
// Each Difference carries a Kind that says what sort of difference it
// looks like (KindKanji, KindKana, KindNumeral, KindDash, KindCase,
// KindSpace, ...); the Kind is a hint for the display, never a reason to
// call two texts equal.
//
// # Why not NFKC
//
// Unicode normalisation is not applied, neither NFKC nor even NFC.
// Characters that the residents' register (住民基本台帳) keeps distinct are
// distinct code points, and normalisation merges some of them:
//
//   - NFC and NFKC map most CJK compatibility ideographs (U+F900–FAFF) to
//     their unified counterparts — 欄 U+F91D to 欄 U+6B04, 侮 U+FA30 to
//     U+4FAE — although those code points exist precisely to keep a
//     registered glyph apart (only the twelve "unified" ones such as 﨑
//     U+FA11 survive, which shows how arbitrary the line is);
//   - NFKC also folds half-width katakana and joins it with its voicing
//     mark (ｶﾞ, two characters, becomes ガ, one), circled and Roman
//     numerals (① to 1, Ⅲ to III), squared words (㍻ to 平成, ㈱ to
//     (株)) and full-width punctuation (－ to -).
//
// A folded difference is one the clerk never sees, and the changes in
// length shift every later character, so a substitute flag would then mark
// the wrong character. The three folds above are the ones for which the
// two forms are, by the standards the card data comes from, the same
// character written at a different width.
//
// # Substitute characters
//
// A signing certificate flags, per character, where the name or address
// holds a substitute for a character outside the JIS sets (docs/certificates.md
// "Certificates": a 0/1 flag per character). The character there is not
// the registered one, so equality of code points proves nothing, and
// inequality disproves nothing: any comparison touching a flagged
// position is reported with NeedsVisualCheck ("compare with the card
// face") and never as Equal. SubstituteMarkers and MarkerLine show the
// clerk where.
//
// The package owns text comparison and display markers only. It does not
// parse certificates or card records (packages jpki and card) and does not
// decide what a difference means for a registration change (package
// confirm). It has no state and never prints.
package jptext
