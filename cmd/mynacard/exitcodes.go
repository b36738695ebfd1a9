package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/i18n"
	"github.com/mynacard/mynacard/internal/pinentry"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/store"
)

// Exit codes. They are part of the CLI's interface: scripts branch on
// them; cmd/mynacard/CLI.md and `mynacard --help` list them.
const (
	exitOK = 0
	// exitError is any other failure (store, files, network).
	exitError = 1
	// exitUsage is a usage error: unknown command or flag, bad argument.
	exitUsage = 2
	// exitVerificationFailed: a signature, a chain to a pinned root or a
	// revocation check did not pass (including "unknown" under the hard
	// policy).
	exitVerificationFailed = 3
	// exitRevoked: the certificate is revoked (a registration change
	// included).
	exitRevoked = 4
	// exitNotEligible: qualify found no valid qualification (status 2–6)
	// or the insurance card has expired.
	exitNotEligible = 5
	// exitCardProblem: no reader, no card, timeout, card removed, not an
	// Individual Number Card.
	exitCardProblem = 6
	// exitPINProblem: wrong PIN, PIN blocked, last try refused, bad PIN
	// format or input.
	exitPINProblem = 7
	// exitInterrupted: Ctrl-C or SIGTERM.
	exitInterrupted = 130
)

// exitCodeName is an exit code's stable name in JSON errors.
func exitCodeName(code int) string {
	switch code {
	case exitUsage:
		return "usage"
	case exitVerificationFailed:
		return "verification_failed"
	case exitRevoked:
		return "revoked"
	case exitNotEligible:
		return "not_eligible"
	case exitCardProblem:
		return "card_problem"
	case exitPINProblem:
		return "pin_problem"
	}
	return "error"
}

// triesLeft returns the remaining tries a wrong PIN reported, or nil.
func triesLeft(err error) *int {
	var pe *card.PINError
	if errors.As(err, &pe) && pe.Remaining >= 0 {
		n := pe.Remaining
		return &n
	}
	if errors.Is(err, card.ErrLastTry) && !errors.Is(err, card.ErrPINBlocked) {
		// Refused before any VERIFY: one try is left.
		n := 1
		return &n
	}
	return nil
}

// exitCodeHelp lists the exit codes for `mynacard --help`.
func exitCodeHelp() string {
	return `Exit codes:
  0    ok
  1    other error (store, files, network)
  2    usage error
  3    verification failed (signature, chain to a pinned root, or revocation unknown under --revocation hard)
  4    certificate revoked (including a registration change, 異動)
  5    not eligible (qualify: validity status 2–6, or an expired insurance card)
  6    card or reader problem (no reader, no card, timeout, removed, not an Individual Number Card)
  7    PIN problem (wrong PIN, blocked, last try refused, bad format)
  130  interrupted`
}

// exitError is an error that carries its exit code and an already
// localised message and hint. Commands return it after printing their
// result, for outcomes such as "verification failed".
type codedError struct {
	code       int
	msg, hint  string
	underlying error
}

func (e *codedError) Error() string { return e.msg }
func (e *codedError) Unwrap() error { return e.underlying }

// usageError marks an error as a usage error (exit 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}

// pinKindError remembers which PIN an operation was using, so that
// errors that do not carry it (card.ErrLastTry, card.ErrPINFormat) can
// name it.
type pinKindError struct {
	kind card.PINKind
	err  error
}

func (e *pinKindError) Error() string { return e.err.Error() }
func (e *pinKindError) Unwrap() error { return e.err }

// withPIN wraps err, if not nil, with the PIN kind it concerns.
func withPIN(k card.PINKind, err error) error {
	if err == nil {
		return nil
	}
	return &pinKindError{kind: k, err: err}
}

// describeError maps err to an exit code and a one-line message and hint
// in the chosen language.
func (g *globals) describeError(err error) (code int, msg, hint string) {
	p := g.p
	var ce *codedError
	if errors.As(err, &ce) {
		return ce.code, ce.msg, ce.hint
	}
	if isUsage(err) {
		return exitUsage, err.Error(), strings.ReplaceAll(p.Sprintf(i18n.HintUsage, g.cmdName), "  ", " ")
	}
	kind := card.PINKind(0)
	var pk *pinKindError
	if errors.As(err, &pk) {
		kind = pk.kind
	}
	var pe *card.PINError
	if errors.As(err, &pe) {
		kind = pe.Kind
	}
	label := g.pinLabel(kind)
	switch {
	case pe != nil && errors.Is(err, card.ErrPINBlocked):
		return exitPINProblem, p.Sprintf(i18n.ErrPINBlocked, label), p.Sprintf(i18n.HintMunicipalOffice)
	case pe != nil:
		if pe.Remaining == 1 {
			return exitPINProblem, p.Sprintf(i18n.ErrWrongPIN, label, pe.Remaining), g.tr(msgHintLastTryNext)
		}
		return exitPINProblem, p.Sprintf(i18n.ErrWrongPIN, label, pe.Remaining), ""
	case errors.Is(err, card.ErrPINBlocked):
		return exitPINProblem, p.Sprintf(i18n.ErrPINBlocked, label), p.Sprintf(i18n.HintMunicipalOffice)
	case errors.Is(err, card.ErrLastTry):
		return exitPINProblem, p.Sprintf(i18n.ErrLastTryRefused, label), p.Sprintf(i18n.HintAllowLastTry)
	case errors.Is(err, card.ErrPINFormat):
		switch kind {
		case card.SignPIN:
			return exitPINProblem, p.Sprintf(i18n.ErrSigningPasswordFormat), ""
		case card.AuthPIN, card.TextPIN:
			return exitPINProblem, p.Sprintf(i18n.ErrFourDigitPINFormat), ""
		}
		return exitPINProblem, g.tr(msgPINFormat, label), ""
	case errors.Is(err, pinentry.ErrMismatch):
		return exitPINProblem, p.Sprintf(i18n.ErrPINMismatch, label), ""
	case errors.Is(err, pinentry.ErrTerminalInput):
		return exitPINProblem, p.Sprintf(i18n.ErrPINInputTerminal), g.tr(msgHintPINInput)
	case errors.Is(err, pinentry.ErrNoInput), errors.Is(err, pinentry.ErrEmpty), errors.Is(err, pinentry.ErrNoTerminal),
		errors.Is(err, pinentry.ErrTooLong), errors.Is(err, pinentry.ErrNUL), errors.Is(err, pinentry.ErrBadFD):
		return exitPINProblem, g.tr(msgNoPIN, label), g.tr(msgHintPINInput)
	case errors.Is(err, errCardTimeout):
		return exitCardProblem, p.Sprintf(i18n.CardTimeout, int(g.Timeout.Seconds())), p.Sprintf(i18n.HintPlaceCard)
	case errors.Is(err, reader.ErrNoService):
		return exitCardProblem, g.tr(msgNoService), p.Sprintf(i18n.HintCheckReader)
	case errors.Is(err, reader.ErrNoReaders):
		return exitCardProblem, p.Sprintf(i18n.NoReader), p.Sprintf(i18n.HintCheckReader)
	case errors.Is(err, reader.ErrReaderNotFound):
		return exitCardProblem, p.Sprintf(i18n.ReaderNotFound, g.Reader), hintFor(err)
	case errors.Is(err, reader.ErrAmbiguousReader):
		return exitCardProblem, g.tr(msgAmbiguousReader, g.Reader), hintFor(err)
	case errors.Is(err, reader.ErrCardRemoved), errors.Is(err, reader.ErrNoCard), errors.Is(err, reader.ErrCardReset):
		return exitCardProblem, p.Sprintf(i18n.CardRemoved), p.Sprintf(i18n.HintPlaceCard)
	case errors.Is(err, reader.ErrReaderUnavailable), errors.Is(err, reader.ErrSharingViolation):
		return exitCardProblem, err.Error(), p.Sprintf(i18n.HintCheckReader)
	case errors.Is(err, card.ErrNotMyNumberCard):
		return exitCardProblem, p.Sprintf(i18n.NotMyNumberCard), p.Sprintf(i18n.HintPlaceCard)
	case errors.Is(err, context.DeadlineExceeded):
		return exitCardProblem, err.Error(), p.Sprintf(i18n.HintCheckReader)
	case cardAnswerProblem(err):
		return exitCardProblem, g.tr(msgCardAnswer, lowerFirst(err.Error())), g.tr(msgHintCardAnswer)
	}
	if msg, hint, ok := g.describeStoreError(err); ok {
		return exitError, msg, hint
	}
	if msg, ok := g.describePathError(err); ok {
		return exitError, msg, ""
	}
	var ie *store.ImportErrors
	if errors.As(err, &ie) {
		summary, lines := g.importReport(ie)
		return exitError, summary + g.tr(msgImportSeparator) + strings.Join(lines, g.tr(msgImportSeparator)), g.tr(msgHintImportFix)
	}
	return exitError, lowerFirst(err.Error()), ""
}

// cardAnswerProblem reports whether err is the card answering something
// the protocol does not allow there: an unexpected status word, a
// malformed or truncated response or record, or a signature that is not
// one. These are card or reader problems (exit 6), not usage or store
// errors. PIN errors are matched before this.
func cardAnswerProblem(err error) bool {
	var se *apdu.StatusError
	return errors.As(err, &se) ||
		errors.Is(err, apdu.ErrMalformedResponse) || errors.Is(err, apdu.ErrMalformedTLV) ||
		errors.Is(err, card.ErrBadSignature) || errors.Is(err, card.ErrMalformedRecord) ||
		errors.Is(err, card.ErrTruncated) || errors.Is(err, card.ErrEmptyEF) ||
		errors.Is(err, jpki.ErrKeyMismatch)
}

// lowerFirst keeps age's rule of lowercase messages for errors that
// come from libraries with a capitalised word first.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	if r := s[0]; r >= 'A' && r <= 'Z' && (len(s) < 2 || s[1] < 'A' || s[1] > 'Z') {
		return string(r+'a'-'A') + s[1:]
	}
	return s
}

// pinLabel names a PIN kind in the chosen language.
func (g *globals) pinLabel(k card.PINKind) string {
	switch k {
	case card.SignPIN:
		return g.p.Sprintf(i18n.LabelSigningPassword)
	case card.AuthPIN:
		return g.p.Sprintf(i18n.LabelAuthPIN)
	case card.TextPIN:
		return g.p.Sprintf(i18n.LabelTextPIN)
	case card.TextPINA, card.SurfacePINA:
		return g.p.Sprintf(i18n.LabelPINA)
	case card.TextPINB, card.SurfacePINB:
		return g.p.Sprintf(i18n.LabelPINB)
	case card.SurfaceBirthDate:
		return g.tr(msgLabelBirthDateKey)
	}
	return g.tr(msgLabelPIN)
}
