package card

import (
	"context"
	"errors"
	"fmt"

	"github.com/mynacard/mynacard/apdu"
)

// PINKind names one of the card's PINs (reference data objects in the
// sense of ISO/IEC 7816-4 §11.5.6), each with its application, its EF and
// its local format rule.
type PINKind int

// The card's PINs.
const (
	// AuthPIN is the JPKI user-authentication PIN (EF 0018): 4 digits,
	// 3 tries.
	AuthPIN PINKind = iota + 1
	// SignPIN is the JPKI signing password (EF 001B): 6–16 characters of
	// A–Z and 0–9, 5 tries. The card stores it upper-case; ValidatePIN
	// upper-cases what the user typed.
	SignPIN
	// TextPIN is the text application's PIN (EF 0011): 4 digits, 3 tries.
	TextPIN
	// TextPINA is the text application's 照合番号A (EF 0014): the
	// 12-digit Individual Number.
	TextPINA
	// TextPINB is the text application's 照合番号B (EF 0015): 14 digits,
	// see PINB.
	TextPINB
	// SurfacePINA is the surface application's 照合番号A (EF 0013): the
	// 12-digit Individual Number.
	SurfacePINA
	// SurfacePINB is the surface application's 照合番号B (EF 0012):
	// 14 digits, see PINB.
	SurfacePINB
	// SurfaceBirthDate is the surface application's birth-date key
	// (EF 0011): the birth date as 6-digit Japanese-era YYMMDD, the first
	// six digits of 照合番号B. It opens only the age record.
	SurfaceBirthDate
)

// String names the PIN for messages. It never includes PIN bytes.
func (k PINKind) String() string {
	switch k {
	case AuthPIN:
		return "user-authentication PIN"
	case SignPIN:
		return "signing password"
	case TextPIN:
		return "text application PIN"
	case TextPINA:
		return "text application 照合番号A"
	case TextPINB:
		return "text application 照合番号B"
	case SurfacePINA:
		return "surface application 照合番号A"
	case SurfacePINB:
		return "surface application 照合番号B"
	case SurfaceBirthDate:
		return "surface application birth-date key"
	}
	return fmt.Sprintf("PINKind(%d)", int(k))
}

// pinRef locates a PIN: the application that holds it and its EF.
type pinRef struct {
	aid []byte
	ef  uint16
}

func (k PINKind) ref() (pinRef, bool) {
	switch k {
	case AuthPIN:
		return pinRef{aidJPKI, efAuthPIN}, true
	case SignPIN:
		return pinRef{aidJPKI, efSignPIN}, true
	case TextPIN:
		return pinRef{aidText, efTextPIN}, true
	case TextPINA:
		return pinRef{aidText, efTextPINA}, true
	case TextPINB:
		return pinRef{aidText, efTextPINB}, true
	case SurfacePINA:
		return pinRef{aidSurface, efSurfacePINA}, true
	case SurfacePINB:
		return pinRef{aidSurface, efSurfacePINB}, true
	case SurfaceBirthDate:
		return pinRef{aidSurface, efSurfaceBirthDate}, true
	}
	return pinRef{}, false
}

// PIN length rules (docs/card.md, "JPKI files"; docs/card-apps.md for the
// text and surface applications).
const (
	digitPINLen   = 4
	signPINMinLen = 6
	signPINMaxLen = 16
	pinALen       = 12 // 照合番号A: the Individual Number
	pinBLen       = 14 // 照合番号B: era YYMMDD + expiry YYYY + security code
	birthKeyLen   = 6  // surface birth-date key: era YYMMDD
)

// RemainingUnknown is the remaining-tries value when the card does not say:
// the empty VERIFY answered 9000 (some cards do when the PIN is already
// verified in this session; that is not "0 tries left") or 6300 (a key
// with no retry counter).
const RemainingUnknown = -1

// PINPrompt asks the user for a PIN. It is told which PIN and how many
// tries remain (RemainingUnknown if the card did not say). The library
// wipes the returned slice after use, so it must not be kept or shared.
// Returning an error aborts the operation before any VERIFY.
type PINPrompt func(ctx context.Context, k PINKind, remaining int) ([]byte, error)

// PINError reports a wrong PIN: the card answered 63Cx (or 6300) to a
// VERIFY. Remaining is the count the card gave (RemainingUnknown for
// 6300); 0 means this try blocked the PIN, and then the error also matches
// ErrPINBlocked. It matches apdu.ErrVerificationFailed with errors.Is.
// Its message never contains the PIN.
type PINError struct {
	Kind      PINKind
	Remaining int
}

// Error describes the failure without the PIN.
func (e *PINError) Error() string {
	switch {
	case e.Remaining == 0:
		return fmt.Sprintf("wrong %s: no tries left, the PIN is now blocked", e.Kind)
	case e.Remaining == RemainingUnknown:
		return fmt.Sprintf("wrong %s", e.Kind)
	case e.Remaining == 1:
		return fmt.Sprintf("wrong %s: 1 try left", e.Kind)
	}
	return fmt.Sprintf("wrong %s: %d tries left", e.Kind, e.Remaining)
}

// Is matches apdu.ErrVerificationFailed, and ErrPINBlocked when no try
// remains.
func (e *PINError) Is(target error) bool {
	return target == apdu.ErrVerificationFailed || (e.Remaining == 0 && target == ErrPINBlocked)
}

// Unwrap returns apdu.ErrVerificationFailed.
func (e *PINError) Unwrap() error { return apdu.ErrVerificationFailed }

// Sentinel errors of PIN handling.
var (
	// ErrPINBlocked reports a PIN with no tries left (63C0 or 6984): only
	// the municipality can reset it.
	ErrPINBlocked = errors.New("PIN blocked")
	// ErrLastTry reports that only one try remains and the library refused
	// to spend it because Options.AllowLastTry is not set.
	ErrLastTry = errors.New("only one PIN try left: refusing to spend it without Options.AllowLastTry")
	// ErrPINFormat reports a PIN that breaks its local format rule; no
	// VERIFY was sent.
	ErrPINFormat = errors.New("PIN format")
)

// ValidatePIN checks pin against the format rule of k and returns a
// normalised copy, which the caller must wipe after use:
//   - AuthPIN, TextPIN: exactly 4 digits 0–9;
//   - SignPIN: 6 to 16 characters of A–Z and 0–9; lower-case a–z are
//     accepted and upper-cased, because the card stores the signing
//     password upper-case;
//   - TextPINA, SurfacePINA: 12 digits with a valid Individual Number check
//     digit (a mistyped number is caught before it costs a try);
//   - TextPINB, SurfacePINB: 14 digits;
//   - SurfaceBirthDate: 6 digits.
//
// Errors wrap ErrPINFormat and never contain the PIN. pin itself is not
// modified.
func ValidatePIN(k PINKind, pin []byte) ([]byte, error) {
	bad := func(rule string) ([]byte, error) {
		return nil, fmt.Errorf("%w: %s must be %s", ErrPINFormat, k, rule)
	}
	switch k {
	case AuthPIN, TextPIN:
		if len(pin) != digitPINLen || !allDigits(pin) {
			return bad("4 digits")
		}
	case TextPINA, SurfacePINA:
		if len(pin) != pinALen || !allDigits(pin) {
			return bad("the 12-digit Individual Number")
		}
		if !validCheckDigit(pin) {
			return nil, fmt.Errorf("%w: %s: the Individual Number's check digit is wrong", ErrPINFormat, k)
		}
	case TextPINB, SurfacePINB:
		if len(pin) != pinBLen || !allDigits(pin) {
			return bad("14 digits (era birth date YYMMDD, expiry year YYYY, security code)")
		}
	case SurfaceBirthDate:
		if len(pin) != birthKeyLen || !allDigits(pin) {
			return bad("6 digits (the birth date as Japanese-era YYMMDD)")
		}
	case SignPIN:
		if len(pin) < signPINMinLen || len(pin) > signPINMaxLen {
			return bad("6 to 16 characters")
		}
		out := make([]byte, len(pin))
		for i, c := range pin {
			switch {
			case c >= 'a' && c <= 'z':
				out[i] = c - 'a' + 'A'
			case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
				out[i] = c
			default:
				clear(out)
				return bad("letters A–Z and digits 0–9 only")
			}
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%w: unknown PIN kind %d", ErrPINFormat, int(k))
	}
	return append([]byte(nil), pin...), nil
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// wipe zeroes b: PIN bytes must not outlive their use.
func wipe(b []byte) { clear(b) }
