package jpkitest

import (
	"fmt"
	"time"
)

// Japanese era codes as used by the birth-date otherName EYYYYMMDD
// (PROTOCOL.md "Certificates").
const (
	// EraUnknown is the wire code 0, "era unknown". In HolderSpec.Era,
	// which uses 0 for "compute from BirthDate", write EraUnknownSpec.
	EraUnknown = 0
	EraMeiji   = 1 // 明治
	EraTaisho  = 2 // 大正
	EraShowa   = 3 // 昭和
	EraHeisei  = 4 // 平成
	EraReiwa   = 5 // 令和
	// EraUnknownSpec asks HolderSpec to write era code 0 (unknown).
	EraUnknownSpec = -1
)

// eraStarts are the first days (Gregorian) of the eras, newest first.
// Meiji is counted from 1868-01-25 (明治元年元日 in the Gregorian
// calendar); holders born before 1873 do not occur.
var eraStarts = []struct {
	era   int
	start time.Time
}{
	{EraReiwa, time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)},
	{EraHeisei, time.Date(1989, 1, 8, 0, 0, 0, 0, time.UTC)},
	{EraShowa, time.Date(1926, 12, 25, 0, 0, 0, 0, time.UTC)},
	{EraTaisho, time.Date(1912, 7, 30, 0, 0, 0, 0, time.UTC)},
	{EraMeiji, time.Date(1868, 1, 25, 0, 0, 0, 0, time.UTC)},
}

// dateOnly returns t's calendar date (in t's location) at midnight UTC.
func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// EraOf returns the era code (EraMeiji..EraReiwa) and the year within the
// era (1 = 元年) of the calendar date d, or EraUnknown, 0 before Meiji.
func EraOf(d time.Time) (era, year int) {
	day := dateOnly(d)
	for _, e := range eraStarts {
		if !day.Before(e.start) {
			return e.era, d.Year() - e.start.Year() + 1
		}
	}
	return EraUnknown, 0
}

// JapaneseDateYYMMDD returns d as era year, month and day, two digits each,
// as 照合番号B starts (PROTOCOL.md "Text application files"): 1985-04-01
// (昭和60年) gives "600401".
func JapaneseDateYYMMDD(d time.Time) (string, error) {
	era, y := EraOf(d)
	if era == EraUnknown || y > 99 {
		return "", fmt.Errorf("formatting %s in a Japanese era: out of range", d.Format(time.DateOnly))
	}
	return fmt.Sprintf("%02d%02d%02d", y, int(d.Month()), d.Day()), nil
}
