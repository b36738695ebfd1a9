package jpkitest

import (
	"errors"
	"fmt"
)

// NumberDigits is the length of an Individual Number (個人番号).
const NumberDigits = 12

// ErrBadNumber reports an Individual Number of the wrong form or with a
// wrong check digit.
var ErrBadNumber = errors.New("jpkitest: bad Individual Number")

// CheckDigit returns the check digit, as an ASCII byte '0'..'9', for the
// first 11 digits of an Individual Number. The algorithm is the official
// weighted modulus 11 rule for the Individual Number's check digit
// (検査用数字), set by ministerial ordinance: with P_n the n-th digit
// counted from the right of the 11 digits (n = 1..11) and weights Q_n =
// n+1 for n ≤ 6, n-5 for n ≥ 7, let r = Σ P_n·Q_n mod 11; the check digit
// is 0 if r ≤ 1, else 11 - r.
func CheckDigit(first11 string) (byte, error) {
	if len(first11) != NumberDigits-1 {
		return 0, fmt.Errorf("computing check digit of %d digits: %w", len(first11), ErrBadNumber)
	}
	sum := 0
	for n := 1; n <= NumberDigits-1; n++ {
		c := first11[len(first11)-n]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("computing check digit: non-digit: %w", ErrBadNumber)
		}
		q := n + 1
		if n >= 7 {
			q = n - 5
		}
		sum += int(c-'0') * q
	}
	r := sum % 11
	if r <= 1 {
		return '0', nil
	}
	return byte('0' + 11 - r), nil
}

// ValidNumber reports whether n is 12 ASCII digits whose last is the check
// digit of the first 11.
func ValidNumber(n string) bool {
	if len(n) != NumberDigits {
		return false
	}
	d, err := CheckDigit(n[:NumberDigits-1])
	return err == nil && d == n[NumberDigits-1]
}
