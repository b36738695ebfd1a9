package jpki

import (
	"time"

	"github.com/mynacard/mynacard/card"
)

// Era is a Japanese era (元号). Its numeric value is the era code used by
// the JPKI birth-date attribute 1.2.392.200149.8.5.5.4 (docs/certificates.md
// "Certificates": EYYYYMMDD). It is [card.Era], the module's one era
// calendar, with its methods Valid, String, Start, End, Contains, Year and
// Format.
type Era = card.Era

// Era codes as the signing certificate writes them (see [card.EraUnknown]).
const (
	// EraUnknown is code 0: the era is not recorded. It is never guessed
	// from the date.
	EraUnknown = card.EraUnknown
	// EraMeiji is 明治 (code 1), from 1868-01-25 (Gregorian).
	EraMeiji = card.EraMeiji
	// EraTaisho is 大正 (code 2), from 1912-07-30.
	EraTaisho = card.EraTaisho
	// EraShowa is 昭和 (code 3), from 1926-12-25.
	EraShowa = card.EraShowa
	// EraHeisei is 平成 (code 4), from 1989-01-08.
	EraHeisei = card.EraHeisei
	// EraReiwa is 令和 (code 5), from 2019-05-01.
	EraReiwa = card.EraReiwa
)

// jst is Japan Standard Time (UTC+9, no daylight saving), fixed so that no
// time-zone database is needed; the roots' generations are JST years.
var jst = time.FixedZone("JST", 9*60*60)

// EraOf returns the era of the calendar day of t (as t's location reads it), or
// EraUnknown before Meiji. It is [card.EraOf].
func EraOf(t time.Time) Era { return card.EraOf(t) }

// FormatJapaneseDate writes t in the era its calendar day falls in
// (EraOf(t).Format(t)), for example "令和7年1月2日". Use [Era.Format] when the
// era is recorded separately, as in the signing certificate's birth date.
// It is [card.FormatJapaneseDate].
func FormatJapaneseDate(t time.Time) string { return card.FormatJapaneseDate(t) }
