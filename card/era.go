package card

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Era is a Japanese era (元号). Its numeric value is the era code used by
// the JPKI birth-date attribute 1.2.392.200149.8.5.5.4 (EYYYYMMDD, E the
// era code, YYYYMMDD Gregorian). This is the one implementation of the era
// calendar in the module; package jpki re-exports it.
type Era int

// Era codes as the signing certificate writes them.
const (
	// EraUnknown is code 0: the era is not recorded. It is never guessed
	// from the date.
	EraUnknown Era = 0
	// EraMeiji is 明治 (code 1).
	EraMeiji Era = 1
	// EraTaisho is 大正 (code 2).
	EraTaisho Era = 2
	// EraShowa is 昭和 (code 3).
	EraShowa Era = 3
	// EraHeisei is 平成 (code 4).
	EraHeisei Era = 4
	// EraReiwa is 令和 (code 5).
	EraReiwa Era = 5
)

// Short names for the eras, the same values as EraMeiji..EraReiwa.
const (
	Meiji  = EraMeiji  // 明治
	Taisho = EraTaisho // 大正
	Showa  = EraShowa  // 昭和
	Heisei = EraHeisei // 平成
	Reiwa  = EraReiwa  // 令和
)

// JST is Japan Standard Time (UTC+9, no daylight saving), fixed so that no
// time-zone database is needed: era boundaries, the card's expiry, an age
// check's "today" and a qualification's dates are Japanese calendar days,
// wherever the machine is.
var JST = time.FixedZone("JST", 9*60*60) //nolint:gochecknoglobals // a fixed zone, never changed

// eraInfo is one era's name and first day (Gregorian, JST).
type eraInfo struct {
	name  string
	first [3]int // year, month, day
}

// eras lists the eras this package knows, by code. Meiji's first day is
// 明治元年1月1日 of the old lunisolar calendar, 1868-01-25 Gregorian; dates
// before 1873 (the Gregorian reform) are formatted with Gregorian month and
// day, which differ from the lunisolar ones used at the time.
var eras = [...]eraInfo{
	EraMeiji:  {"明治", [3]int{1868, 1, 25}},
	EraTaisho: {"大正", [3]int{1912, 7, 30}},
	EraShowa:  {"昭和", [3]int{1926, 12, 25}},
	EraHeisei: {"平成", [3]int{1989, 1, 8}},
	EraReiwa:  {"令和", [3]int{2019, 5, 1}},
}

// Valid reports whether e is one of the five known eras (EraUnknown is not).
func (e Era) Valid() bool { return e >= EraMeiji && int(e) < len(eras) }

// String returns the era's name in kanji ("令和"), "不明" for EraUnknown,
// and "Era(n)" for codes outside the table.
func (e Era) String() string {
	switch {
	case e == EraUnknown:
		return "不明"
	case e.Valid():
		return eras[e].name
	}
	return "Era(" + strconv.Itoa(int(e)) + ")"
}

// Start returns the era's first day at 00:00 JST. It returns the zero Time
// for EraUnknown and unknown codes.
func (e Era) Start() time.Time {
	if !e.Valid() {
		return time.Time{}
	}
	f := eras[e].first
	return time.Date(f[0], time.Month(f[1]), f[2], 0, 0, 0, 0, JST)
}

// End returns the first day of the next era at 00:00 JST, or the zero Time
// for the current era, EraUnknown and unknown codes.
func (e Era) End() time.Time {
	if !e.Valid() || !(e + 1).Valid() {
		return time.Time{}
	}
	return (e + 1).Start()
}

// Contains reports whether the calendar day of t (as t's location reads it) falls in
// era e.
func (e Era) Contains(t time.Time) bool {
	if !e.Valid() {
		return false
	}
	d := calendarDay(t)
	if d.Before(e.Start()) {
		return false
	}
	end := e.End()
	return end.IsZero() || d.Before(end)
}

// EraOf returns the era of the calendar day of t (as t's location reads it), or
// EraUnknown before Meiji.
func EraOf(t time.Time) Era {
	for e := EraReiwa; e >= EraMeiji; e-- {
		if !calendarDay(t).Before(e.Start()) {
			return e
		}
	}
	return EraUnknown
}

// Year returns the era year (和暦の年) of t in era e: 1 for the era's first
// year (元年). It returns 0 when e is not a known era or t is before its
// start. Years keep counting past the era's end, so a date the registry
// records in the old era (昭和64年1月7日) stays in it.
func (e Era) Year(t time.Time) int {
	if !e.Valid() || calendarDay(t).Before(e.Start()) {
		return 0
	}
	return calendarDay(t).Year() - eras[e].first[0] + 1
}

// Format writes the calendar day of t (as t's location reads it) in era e, the way
// Japanese documents do: "令和7年1月2日", with "元年" for the first year
// ("令和元年5月1日"). When e is EraUnknown, not a known era, or starts after
// t, the date is written with its Gregorian year instead: "1990年1月2日".
func (e Era) Format(t time.Time) string {
	d := calendarDay(t)
	y := e.Year(d)
	if y == 0 {
		return fmt.Sprintf("%d年%d月%d日", d.Year(), int(d.Month()), d.Day())
	}
	ys := strconv.Itoa(y)
	if y == 1 {
		ys = "元"
	}
	return fmt.Sprintf("%s%s年%d月%d日", eras[e].name, ys, int(d.Month()), d.Day())
}

// FormatJapaneseDate writes t in the era its calendar day falls in
// (EraOf(t).Format(t)), for example "令和7年1月2日". Use [Era.Format] when the
// era is recorded separately, as in the signing certificate's birth date.
func FormatJapaneseDate(t time.Time) string { return EraOf(t).Format(t) }

// calendarDay returns midnight JST of t's calendar day as t's own location
// reads it, so that a date held as midnight UTC stays on its day.
func calendarDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, JST)
}

// ErrDateOutOfRange reports a date before the Meiji era.
var ErrDateOutOfRange = errors.New("date before the Meiji era")

// JapaneseEra returns the era of the calendar date of t (its year, month
// and day as given, whatever its location) and the era year, 1 being
// 元年. The day an era begins belongs to the new era. Dates before
// [EraMeiji]'s first day (1868-01-25) are [ErrDateOutOfRange].
func JapaneseEra(t time.Time) (Era, int, error) {
	e := EraOf(t)
	if e == EraUnknown {
		y, m, d := t.Date()
		return 0, 0, fmt.Errorf("%w: %04d-%02d-%02d", ErrDateOutOfRange, y, int(m), d)
	}
	return e, e.Year(t), nil
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
