package jpkitest

import (
	"fmt"
	"time"

	"github.com/mynacard/mynacard/card"
)

// Japanese era codes as used by the birth-date otherName EYYYYMMDD
// (docs/certificates.md "Certificates"), as the int that HolderSpec.Era holds. They
// are [card.Era]'s codes.
const (
	// EraUnknown is the wire code 0, "era unknown". In HolderSpec.Era,
	// which uses 0 for "compute from BirthDate", write EraUnknownSpec.
	EraUnknown = int(card.EraUnknown)
	EraMeiji   = int(card.EraMeiji)  // 明治
	EraTaisho  = int(card.EraTaisho) // 大正
	EraShowa   = int(card.EraShowa)  // 昭和
	EraHeisei  = int(card.EraHeisei) // 平成
	EraReiwa   = int(card.EraReiwa)  // 令和
	// EraUnknownSpec asks HolderSpec to write era code 0 (unknown).
	EraUnknownSpec = -1
)

// EraOf returns the era code (EraMeiji..EraReiwa) and the year within the
// era (1 = 元年) of the calendar date d, or EraUnknown, 0 before Meiji
// (1868-01-25). It is [card.EraOf] and [card.Era.Year] as ints.
func EraOf(d time.Time) (era, year int) {
	e := card.EraOf(d)
	return int(e), e.Year(d)
}

// JapaneseDateYYMMDD returns d as era year, month and day, two digits each,
// as 照合番号B starts (docs/card-apps.md "Text application"): 1985-04-01
// (昭和60年) gives "600401".
func JapaneseDateYYMMDD(d time.Time) (string, error) {
	era, y := EraOf(d)
	if era == EraUnknown || y > 99 {
		return "", fmt.Errorf("formatting %s in a Japanese era: out of range", d.Format(time.DateOnly))
	}
	return fmt.Sprintf("%02d%02d%02d", y, int(d.Month()), d.Day()), nil
}

// dateOnly returns t's calendar date (in t's location) at midnight UTC.
func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
