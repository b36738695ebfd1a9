package card

import (
	"errors"
	"fmt"
	"log/slog"
)

// numberLen is the length of an Individual Number: 11 digits and a check
// digit.
const numberLen = 12

// redactedNumber is what a Number prints as.
const redactedNumber = "************"

// ErrBadNumber reports an Individual Number that is not 12 digits or whose
// check digit is wrong.
var ErrBadNumber = errors.New("invalid Individual Number")

// Number is an Individual Number (個人番号), with its check digit verified.
// It is personal data: String, Format (every fmt verb), GoString,
// MarshalText (so encoding/json) and LogValue (log/slog) all print
// "************". Reveal returns the digits, so revealing one is always an
// explicit, greppable call.
type Number struct {
	digits string
}

// ParseNumber checks s (12 ASCII digits, the last a check digit computed
// as the Individual Number law's ordinance prescribes: weights 2–7, 2–6
// from the right, modulo 11) and returns it as a Number.
func ParseNumber(s string) (Number, error) {
	if len(s) != numberLen || !allDigits([]byte(s)) {
		return Number{}, fmt.Errorf("%w: not %d digits", ErrBadNumber, numberLen)
	}
	if !validCheckDigit([]byte(s)) {
		return Number{}, fmt.Errorf("%w: wrong check digit", ErrBadNumber)
	}
	return Number{digits: s}, nil
}

// CheckDigit computes the check digit of the first 11 digits of an
// Individual Number. It returns -1 if d11 is not 11 ASCII digits.
//
// With P(n) the n-th digit counted from the right of the 11 and
// Q(n) = n+1 for n ≤ 6, n−5 for n ≥ 7, the remainder r of ΣP(n)Q(n) by 11
// gives the check digit 0 if r ≤ 1 and 11−r otherwise.
func CheckDigit(d11 []byte) int {
	if len(d11) != numberLen-1 || !allDigits(d11) {
		return -1
	}
	sum := 0
	for n := 1; n <= 11; n++ {
		p := int(d11[11-n] - '0')
		q := n + 1
		if n >= 7 {
			q = n - 5
		}
		sum += p * q
	}
	r := sum % 11
	if r <= 1 {
		return 0
	}
	return 11 - r
}

func validCheckDigit(d []byte) bool {
	if len(d) != numberLen || !allDigits(d) {
		return false
	}
	return CheckDigit(d[:numberLen-1]) == int(d[numberLen-1]-'0')
}

// IsZero reports whether n holds no number.
func (n Number) IsZero() bool { return n.digits == "" }

// Reveal returns the 12 digits. Call it only where the number is meant to
// be shown or sent; never log it.
func (n Number) Reveal() string { return n.digits }

// String returns "************".
func (n Number) String() string { return redactedNumber }

// GoString returns a redacted form for %#v.
func (n Number) GoString() string { return "card.Number{" + redactedNumber + "}" }

// Format prints the redacted form for every verb.
func (n Number) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, n.GoString())
		return
	}
	fmt.Fprint(f, redactedNumber)
}

// MarshalText returns the redacted form, so encoding/json and friends
// never serialise the number by accident.
func (n Number) MarshalText() ([]byte, error) { return []byte(redactedNumber), nil }

// LogValue returns the redacted form for log/slog.
func (n Number) LogValue() slog.Value { return slog.StringValue(redactedNumber) }

// PINA returns 照合番号A for n: the 12 digits as ASCII, for TextPINA or
// SurfacePINA. The caller should wipe the slice after use.
func PINA(n Number) []byte { return []byte(n.digits) }
