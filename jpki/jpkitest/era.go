package jpkitest

import (
	"fmt"
	"time"

	"github.com/mynacard/mynacard/card"
)

// EraUnknownSpec asks HolderSpec to write era code 0 (unknown): HolderSpec.Era
// uses the zero card.Era for "compute from BirthDate".
const EraUnknownSpec card.Era = -1

// JapaneseDateYYMMDD returns d as era year, month and day, two digits each,
// as 照合番号B starts (docs/card-apps.md "Text application"): 1985-04-01
// (昭和60年) gives "600401".
func JapaneseDateYYMMDD(d time.Time) (string, error) {
	era := card.EraOf(d)
	y := era.Year(d)
	if era == card.EraUnknown || y > 99 {
		return "", fmt.Errorf("formatting %s in a Japanese era: out of range", d.Format(time.DateOnly))
	}
	return fmt.Sprintf("%02d%02d%02d", y, int(d.Month()), d.Day()), nil
}

// dateOnly returns t's calendar date (in t's location) at midnight UTC.
func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
