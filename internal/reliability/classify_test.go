package reliability

import (
	"context"
	"errors"
	"fmt"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/reader"
)

// errPanic wraps a panic recovered from an operation.
var errPanic = errors.New("panic")

// Outcome classes. A class starting with "FAIL" breaks a promise.
const (
	classOK       = "ok"
	classWrong    = "FAIL wrong answer"
	classPanic    = "FAIL panic"
	classUntyped  = "FAIL untyped error"
	classDeadline = "deadline exceeded"
	classRemoved  = "card removed"
	classRefused  = "refusal verdict recorded"
)

// sentinels are the typed causes an operation's error may name, in the
// order they are tried. The first match names the class.
var sentinels = []struct {
	err   error
	class string
}{
	{errWrongAnswer, classWrong},
	{errPanic, classPanic},
	{errRefused, classRefused},
	{context.DeadlineExceeded, classDeadline},
	{context.Canceled, "cancelled"},
	{reader.ErrCardRemoved, classRemoved},
	{reader.ErrCardReset, "card reset"},
	{reader.ErrReaderUnavailable, "reader unavailable"},
	{card.ErrPINBlocked, "PIN blocked"},
	{card.ErrLastTry, "last try refused"},
	{card.ErrNotMyNumberCard, "not a My Number card"},
	{card.ErrTruncated, "truncated"},
	{card.ErrMalformedRecord, "malformed record"},
	{card.ErrBadSignature, "malformed signature"},
	{card.ErrEmptyEF, "empty EF"},
	{card.ErrIntegrity, "integrity"},
	{card.ErrNoIntegrityRecord, "no integrity record"},
	{apdu.ErrMalformedResponse, "malformed response"},
	{apdu.ErrMalformedTLV, "malformed TLV"},
	{jpki.ErrKeyMismatch, "signature/key mismatch"},
	{jpki.ErrCMSSignature, "CMS signature invalid"},
	{jpki.ErrMalformedAttributes, "malformed attributes"},
	{jpki.ErrMalformedCertificate, "malformed certificate"},
	{confirm.ErrBadCertificate, "card certificate unusable"},
	{jpki.ErrVerification, "verification failed"},
}

// classify names err's cause. Status words are classed by the SW, PIN
// errors by their type.
func classify(err error) string {
	if err == nil {
		return classOK
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.class
		}
	}
	var pe *card.PINError
	if errors.As(err, &pe) {
		return "wrong PIN (PINError)"
	}
	var se *apdu.StatusError
	if errors.As(err, &se) {
		return fmt.Sprintf("status %04X", se.SW)
	}
	var ve *jpki.VerifyError
	if errors.As(err, &ve) {
		return "certificate verification: " + ve.Reason.String()
	}
	return classUntyped
}

// statusSW returns the status word of the first *apdu.StatusError in err's
// chain.
func statusSW(err error) (uint16, bool) {
	var se *apdu.StatusError
	if errors.As(err, &se) {
		return se.SW, true
	}
	return 0, false
}
