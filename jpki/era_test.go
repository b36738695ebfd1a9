package jpki

import (
	"testing"
	"time"
)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestEraOfBoundaries(t *testing.T) {
	tests := []struct {
		date time.Time
		want Era
	}{
		{day(1868, 1, 24), EraUnknown},
		{day(1868, 1, 25), EraMeiji},
		{day(1912, 7, 29), EraMeiji},
		{day(1912, 7, 30), EraTaisho},
		{day(1926, 12, 24), EraTaisho},
		{day(1926, 12, 25), EraShowa},
		{day(1989, 1, 7), EraShowa},
		{day(1989, 1, 8), EraHeisei},
		{day(2019, 4, 30), EraHeisei},
		{day(2019, 5, 1), EraReiwa},
		{day(2125, 1, 1), EraReiwa},
		// A time late in the day keeps its own calendar day.
		{time.Date(2019, 4, 30, 23, 59, 0, 0, time.UTC), EraHeisei},
	}
	for _, tt := range tests {
		if got := EraOf(tt.date); got != tt.want {
			t.Errorf("EraOf(%s) = %v, want %v", tt.date.Format(time.DateTime), got, tt.want)
		}
	}
}

func TestEraFormat(t *testing.T) {
	tests := []struct {
		era  Era
		date time.Time
		want string
	}{
		{EraReiwa, day(2025, 1, 2), "令和7年1月2日"},
		{EraReiwa, day(2019, 5, 1), "令和元年5月1日"},
		{EraHeisei, day(2019, 4, 30), "平成31年4月30日"},
		{EraHeisei, day(1989, 1, 8), "平成元年1月8日"},
		{EraShowa, day(1989, 1, 7), "昭和64年1月7日"},
		{EraShowa, day(1926, 12, 25), "昭和元年12月25日"},
		{EraTaisho, day(1926, 12, 24), "大正15年12月24日"},
		{EraMeiji, day(1912, 7, 29), "明治45年7月29日"},
		{EraUnknown, day(1990, 1, 2), "1990年1月2日"},
		{EraReiwa, day(1990, 1, 2), "1990年1月2日"}, // before the era: Gregorian
		{Era(9), day(1990, 1, 2), "1990年1月2日"},
	}
	for _, tt := range tests {
		if got := tt.era.Format(tt.date); got != tt.want {
			t.Errorf("%v.Format(%s) = %q, want %q", tt.era, tt.date.Format(time.DateOnly), got, tt.want)
		}
	}
	if got := FormatJapaneseDate(day(2025, 1, 2)); got != "令和7年1月2日" {
		t.Errorf("FormatJapaneseDate = %q", got)
	}
}

func TestEraString(t *testing.T) {
	for e, want := range map[Era]string{EraUnknown: "不明", EraMeiji: "明治", EraTaisho: "大正",
		EraShowa: "昭和", EraHeisei: "平成", EraReiwa: "令和", Era(6): "Era(6)", Era(-1): "Era(-1)"} {
		if got := e.String(); got != want {
			t.Errorf("Era(%d).String() = %q, want %q", int(e), got, want)
		}
	}
	if !EraReiwa.End().IsZero() || !EraUnknown.Start().IsZero() {
		t.Error("Reiwa has an end or Unknown has a start")
	}
	if got := EraShowa.End(); !got.Equal(EraHeisei.Start()) {
		t.Errorf("Showa ends %v, Heisei starts %v", got, EraHeisei.Start())
	}
}
