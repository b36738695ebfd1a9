package jpki

import (
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// The era calendar itself is tested in package card (card/era_test.go);
// this checks that the birth-date attribute's era codes are card's.
func TestEraCodes(t *testing.T) {
	codes := map[string]card.Era{"0": card.EraUnknown, "1": card.EraMeiji, "2": card.EraTaisho,
		"3": card.EraShowa, "4": card.EraHeisei, "5": card.EraReiwa}
	dates := map[card.Era]string{card.EraUnknown: "19700101", card.EraMeiji: "18680125", card.EraTaisho: "19120730",
		card.EraShowa: "19890107", card.EraHeisei: "19890108", card.EraReiwa: "20190501"}
	for code, want := range codes {
		_, got, err := parseBirthDate(code + dates[want])
		if err != nil || got != want {
			t.Errorf("era code %s = %d, %v; card era %d", code, int(got), err, int(want))
		}
	}
	for _, d := range []time.Time{day(1868, 1, 24), day(1868, 1, 25), day(1989, 1, 7), day(1989, 1, 8), day(2019, 5, 1)} {
		e := card.EraOf(d)
		if e == card.EraUnknown {
			continue
		}
		if _, got, err := parseBirthDate(string(rune('0'+int(e))) + d.Format("20060102")); err != nil || got != e {
			t.Errorf("birth date %s in era %v = %v, %v", d.Format(time.DateOnly), e, got, err)
		}
	}
}
