package jpki

import (
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// The era calendar itself is tested in package card (card/era_test.go);
// this checks that jpki's re-exports are card's.
func TestEraReexports(t *testing.T) {
	codes := map[Era]card.Era{EraUnknown: card.EraUnknown, EraMeiji: card.EraMeiji, EraTaisho: card.EraTaisho,
		EraShowa: card.EraShowa, EraHeisei: card.EraHeisei, EraReiwa: card.EraReiwa}
	for e, want := range codes {
		if e != want {
			t.Errorf("jpki era %d is card era %d", int(e), int(want))
		}
	}
	for _, d := range []time.Time{day(1868, 1, 24), day(1868, 1, 25), day(1989, 1, 7), day(1989, 1, 8), day(2019, 5, 1)} {
		if got, want := EraOf(d), card.EraOf(d); got != want {
			t.Errorf("EraOf(%s) = %v, card says %v", d.Format(time.DateOnly), got, want)
		}
		if got, want := FormatJapaneseDate(d), card.FormatJapaneseDate(d); got != want {
			t.Errorf("FormatJapaneseDate(%s) = %q, card says %q", d.Format(time.DateOnly), got, want)
		}
	}
}
