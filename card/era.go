package card

import (
	"errors"
	"fmt"
	"time"
)

// Era is a Japanese era (元号).
type Era int

// The eras a living card holder can be born in.
const (
	Meiji  Era = iota + 1 // 明治
	Taisho                // 大正
	Showa                 // 昭和
	Heisei                // 平成
	Reiwa                 // 令和
)

// String returns the era's name in kanji.
func (e Era) String() string {
	switch e {
	case Meiji:
		return "明治"
	case Taisho:
		return "大正"
	case Showa:
		return "昭和"
	case Heisei:
		return "平成"
	case Reiwa:
		return "令和"
	}
	return fmt.Sprintf("Era(%d)", int(e))
}

// eraStarts lists each era's first day (the day the era name took effect)
// and the Gregorian year that is its year 1 (元年), newest first.
var eraStarts = [...]struct {
	era       Era
	y, m, d   int
	firstYear int
}{
	{Reiwa, 2019, 5, 1, 2019},
	{Heisei, 1989, 1, 8, 1989},
	{Showa, 1926, 12, 25, 1926},
	{Taisho, 1912, 7, 30, 1912},
	// Meiji year 1 is 1868; dates before 1873 were lunisolar, which no card
	// holder's birth date needs.
	{Meiji, 1868, 1, 1, 1868},
}

// ErrDateOutOfRange reports a date before the Meiji era.
var ErrDateOutOfRange = errors.New("date before the Meiji era")

// JapaneseEra returns the era of the calendar date of t (its year, month
// and day as given, whatever its location) and the era year, 1 being
// 元年. The day an era begins belongs to the new era.
func JapaneseEra(t time.Time) (Era, int, error) {
	y, m, d := t.Date()
	key := y*10000 + int(m)*100 + d
	for _, s := range eraStarts {
		if key >= s.y*10000+s.m*100+s.d {
			return s.era, y - s.firstYear + 1, nil
		}
	}
	return 0, 0, fmt.Errorf("%w: %04d-%02d-%02d", ErrDateOutOfRange, y, int(m), d)
}

// PINB builds 照合番号B (14 ASCII digits) for TextPINB or SurfacePINB:
// the birth date as Japanese-era YYMMDD (era year, 元年 = 01; the era
// itself is not encoded), the card's expiry year YYYY and the 4-digit
// security code printed on the card face. The caller should wipe the
// slice after use.
func PINB(birth, expiry time.Time, securityCode string) ([]byte, error) {
	_, ey, err := JapaneseEra(birth)
	if err != nil {
		return nil, fmt.Errorf("building 照合番号B: %w", err)
	}
	if ey > 99 {
		return nil, fmt.Errorf("building 照合番号B: era year %d does not fit two digits", ey)
	}
	if len(securityCode) != 4 || !allDigits([]byte(securityCode)) {
		return nil, fmt.Errorf("building 照合番号B: %w: the security code must be 4 digits", ErrPINFormat)
	}
	xy := expiry.Year()
	if xy < 1000 || xy > 9999 {
		return nil, fmt.Errorf("building 照合番号B: expiry year %d is not 4 digits", xy)
	}
	out := fmt.Appendf(make([]byte, 0, pinBLen), "%02d%02d%02d%04d%s", ey, int(birth.Month()), birth.Day(), xy, securityCode)
	return out, nil
}
