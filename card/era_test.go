package card_test

import (
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
)

func eraDay(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestEraOfBoundaries(t *testing.T) {
	tests := []struct {
		date time.Time
		want card.Era
	}{
		{eraDay(1868, 1, 24), card.EraUnknown},
		{eraDay(1868, 1, 25), card.EraMeiji},
		{eraDay(1912, 7, 29), card.EraMeiji},
		{eraDay(1912, 7, 30), card.EraTaisho},
		{eraDay(1926, 12, 24), card.EraTaisho},
		{eraDay(1926, 12, 25), card.EraShowa},
		{eraDay(1989, 1, 7), card.EraShowa},
		{eraDay(1989, 1, 8), card.EraHeisei},
		{eraDay(2019, 4, 30), card.EraHeisei},
		{eraDay(2019, 5, 1), card.EraReiwa},
		{eraDay(2125, 1, 1), card.EraReiwa},
		// A time late in the day keeps its own calendar day.
		{time.Date(2019, 4, 30, 23, 59, 0, 0, time.UTC), card.EraHeisei},
	}
	for _, tt := range tests {
		if got := card.EraOf(tt.date); got != tt.want {
			t.Errorf("card.EraOf(%s) = %v, want %v", tt.date.Format(time.DateTime), got, tt.want)
		}
	}
}

func TestEraFormat(t *testing.T) {
	tests := []struct {
		era  card.Era
		date time.Time
		want string
	}{
		{card.EraReiwa, eraDay(2025, 1, 2), "令和7年1月2日"},
		{card.EraReiwa, eraDay(2019, 5, 1), "令和元年5月1日"},
		{card.EraHeisei, eraDay(2019, 4, 30), "平成31年4月30日"},
		{card.EraHeisei, eraDay(1989, 1, 8), "平成元年1月8日"},
		{card.EraShowa, eraDay(1989, 1, 7), "昭和64年1月7日"},
		{card.EraShowa, eraDay(1926, 12, 25), "昭和元年12月25日"},
		{card.EraTaisho, eraDay(1926, 12, 24), "大正15年12月24日"},
		{card.EraMeiji, eraDay(1912, 7, 29), "明治45年7月29日"},
		{card.EraUnknown, eraDay(1990, 1, 2), "1990年1月2日"},
		{card.EraReiwa, eraDay(1990, 1, 2), "1990年1月2日"}, // before the era: Gregorian
		{card.Era(9), eraDay(1990, 1, 2), "1990年1月2日"},
	}
	for _, tt := range tests {
		if got := tt.era.Format(tt.date); got != tt.want {
			t.Errorf("%v.Format(%s) = %q, want %q", tt.era, tt.date.Format(time.DateOnly), got, tt.want)
		}
	}
	if got := card.FormatJapaneseDate(eraDay(2025, 1, 2)); got != "令和7年1月2日" {
		t.Errorf("card.FormatJapaneseDate = %q", got)
	}
}

func TestEraString(t *testing.T) {
	for e, want := range map[card.Era]string{card.EraUnknown: "不明", card.EraMeiji: "明治", card.EraTaisho: "大正",
		card.EraShowa: "昭和", card.EraHeisei: "平成", card.EraReiwa: "令和", card.Era(6): "Era(6)", card.Era(-1): "Era(-1)"} {
		if got := e.String(); got != want {
			t.Errorf("Era(%d).String() = %q, want %q", int(e), got, want)
		}
	}
	if !card.EraReiwa.End().IsZero() || !card.EraUnknown.Start().IsZero() {
		t.Error("Reiwa has an end or Unknown has a start")
	}
	if got := card.EraShowa.End(); !got.Equal(card.EraHeisei.Start()) {
		t.Errorf("Showa ends %v, Heisei starts %v", got, card.EraHeisei.Start())
	}
}
