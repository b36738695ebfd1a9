package agent

import (
	"context"
	"errors"
	"net/http"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/store"
)

// Error codes of the API, in the "error" member of every error answer
// ({"error": code, "message": text}, plus "remaining" for wrong_pin). They
// are stable: pages branch on them.
const (
	CodeBadRequest       = "bad_request"        // 400: malformed body or parameter
	CodeTokenRequired    = "token_required"     // 401: HeaderToken missing or wrong
	CodeOriginNotAllowed = "origin_not_allowed" // 403: Origin not in the allowlist
	CodeBadHost          = "bad_host"           // 403: Host is not the agent's loopback name and port
	CodeNotFound         = "not_found"          // 404: no such endpoint or enrolment
	CodeMethod           = "method_not_allowed" // 405
	CodeBusy             = "busy"               // 409: another operation is using the reader
	CodeAmbiguousReader  = "ambiguous_reader"   // 409: several cards present, name a reader
	CodeNoCard           = "no_card"            // 409: the reader holds no card
	CodeCardRemoved      = "card_removed"       // 410: the card left during the operation
	CodeTooLarge         = "too_large"          // 413: body over MaxBodySize
	CodeWrongPIN         = "wrong_pin"          // 422: "remaining" tries left
	CodePINBlocked       = "pin_blocked"        // 422
	CodeLastTry          = "last_try"           // 422: one try left, refused (use the municipality's counter)
	CodePINFormat        = "pin_format"         // 422: nothing was sent to the card
	CodeNotMyNumberCard  = "not_my_number_card" // 422
	CodeCardError        = "card_error"         // 502: the card answered something unexpected
	CodeReaderError      = "reader_unavailable" // 503: reader gone or pcscd down
	CodeNotConfigured    = "not_configured"     // 503: the agent cannot confirm anything as configured (GET /v1/status says why)
	CodeTimeout          = "timeout"            // 504: the operation ran past its timeout
	CodeInternal         = "internal"           // 500
)

// apiError is an error answer.
type apiError struct {
	Status    int    `json:"-"`
	Code      string `json:"error"`
	Message   string `json:"message"`
	Remaining *int   `json:"remaining,omitempty"`
	// Key names the PIN a PIN error is about ("sign", "auth", KeyText,
	// KeyPINB, KeyBirthDate), where the library says it.
	Key string `json:"key,omitempty"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newAPIError(status int, code, msg string) *apiError {
	return &apiError{Status: status, Code: code, Message: msg}
}

// errorCode names err by the API's codes.
func errorCode(err error) string { return toAPIError(err).Code }

// toAPIError maps a library error to an answer. The message is the error's
// own text, which by the library's rules never holds a PIN.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var pe *card.PINError
	mk := func(status int, code string) *apiError {
		e := newAPIError(status, code, err.Error())
		e.Key = pinKeyName(err)
		return e
	}
	switch {
	case errors.As(err, &pe):
		e := mk(http.StatusUnprocessableEntity, CodeWrongPIN)
		if pe.Remaining == 0 {
			e.Code = CodePINBlocked
		}
		if pe.Remaining >= 0 {
			r := pe.Remaining
			e.Remaining = &r
		}
		return e
	case errors.Is(err, card.ErrPINBlocked):
		return mk(http.StatusUnprocessableEntity, CodePINBlocked)
	case errors.Is(err, card.ErrLastTry):
		return mk(http.StatusUnprocessableEntity, CodeLastTry)
	case errors.Is(err, card.ErrPINFormat):
		return mk(http.StatusUnprocessableEntity, CodePINFormat)
	case errors.Is(err, reader.ErrNoCard):
		return mk(http.StatusConflict, CodeNoCard)
	case errors.Is(err, reader.ErrCardRemoved), errors.Is(err, reader.ErrCardReset):
		return mk(http.StatusGone, CodeCardRemoved)
	case errors.Is(err, card.ErrNotMyNumberCard):
		return mk(http.StatusUnprocessableEntity, CodeNotMyNumberCard)
	case errors.Is(err, context.DeadlineExceeded):
		return mk(http.StatusGatewayTimeout, CodeTimeout)
	case errors.Is(err, reader.ErrReaderUnavailable), errors.Is(err, reader.ErrNoService),
		errors.Is(err, reader.ErrNoReaders), errors.Is(err, reader.ErrSharingViolation):
		return mk(http.StatusServiceUnavailable, CodeReaderError)
	case errors.Is(err, store.ErrNotFound):
		return mk(http.StatusNotFound, CodeNotFound)
	case errors.Is(err, confirm.ErrNoStore):
		return mk(http.StatusNotImplemented, CodeInternal)
	}
	var se *apdu.StatusError
	if errors.As(err, &se) || errors.Is(err, card.ErrMalformedRecord) || errors.Is(err, card.ErrTruncated) ||
		errors.Is(err, card.ErrBadSignature) || errors.Is(err, confirm.ErrBadCertificate) {
		return mk(http.StatusBadGateway, CodeCardError)
	}
	return mk(http.StatusInternalServerError, CodeInternal)
}
