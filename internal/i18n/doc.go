// Package i18n holds the CLI's messages in English and Japanese and picks
// the language from a --lang flag or the locale (LC_ALL, LC_MESSAGES,
// LANG), through golang.org/x/text/message catalogs.
//
// It owns the wording of prompts, verdicts, hints and errors shown to a
// person; each message has a stable [Key] so commands never concatenate
// user-facing text. It does not own JSON output, whose keys and codes are
// English and stable whatever the language, nor date formatting: Japanese
// era dates (令和7年1月2日, 元年, era boundaries) are card.Era.Format and
// card.FormatJapaneseDate, which the CLI combines with a Gregorian date
// through [DateBoth].
//
// The catalogs live in catalog_en.go and catalog_ja.go, one file per
// language; the only package-level state is the catalog built from them
// at init, which nothing changes afterwards.
package i18n
