package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mynacard/mynacard/token"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrNotFound means the enrolment, record, replacement or nonce asked
	// for does not exist (a nonce also after it was purged).
	ErrNotFound = errors.New("store: not found")
	// ErrConflict means the write contradicts what is stored: a
	// certificate enrolled twice, an enrolment replaced twice, a nonce put
	// twice, a write to the append-only records.
	ErrConflict = errors.New("store: conflict")
	// ErrExpired means a nonce was consumed after its expiry; it is
	// token.ErrNonceExpired, so that the store is a token.Nonces.
	ErrExpired = token.ErrNonceExpired
	// ErrConsumed means a nonce was already consumed (a replay); it is
	// token.ErrNonceReplayed.
	ErrConsumed = token.ErrNonceReplayed
	// ErrStorageFull means the database ran out of space (SQLITE_FULL,
	// PostgreSQL disk_full). The failed transaction was rolled back; the
	// driver's error is wrapped alongside.
	ErrStorageFull = errors.New("store: storage full")
	// ErrInvalid means an argument failed validation before any write.
	ErrInvalid = errors.New("store: invalid argument")
	// ErrSchemaTooNew means the database was migrated by a newer program
	// than this one.
	ErrSchemaTooNew = errors.New("store: schema newer than this program")
	// ErrNoStore means OpenExisting found no store where the DSN points:
	// no SQLite file, or a file or PostgreSQL database without the
	// store's schema. Nothing was created.
	ErrNoStore = errors.New("store: no store there")
)

// ImportError is one bad field or row of an eligibility CSV file.
type ImportError struct {
	// Line is the 1-based line of the file the bad field starts on.
	Line int
	// Column is the header name of the bad field, or empty for an error
	// about the whole row.
	Column string
	// Reason says what is wrong, in lowercase without a final period.
	Reason string
	// FirstLine, for a duplicate key, is the line the key first appeared on.
	FirstLine int
}

// Error formats the error as "line 12, column sex: reason".
func (e *ImportError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Reason)
}

// ImportErrors is the list of errors an import found, in file order, at
// most MaxImportErrors of them. When it is returned nothing was imported.
type ImportErrors struct {
	Errors []*ImportError
	// Truncated says more errors were found than were kept.
	Truncated bool
}

// MaxImportErrors is how many errors an import collects before it stops
// reading.
const MaxImportErrors = 100

// Error lists the errors, one per line.
func (e *ImportErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "importing eligibility: %d bad field(s), nothing imported", len(e.Errors))
	if e.Truncated {
		b.WriteString(" (more not shown)")
	}
	for _, ie := range e.Errors {
		b.WriteString("\n")
		b.WriteString(ie.Error())
	}
	return b.String()
}

// Unwrap returns the individual errors, so errors.As finds the first
// *ImportError.
func (e *ImportErrors) Unwrap() []error {
	errs := make([]error, len(e.Errors))
	for i, ie := range e.Errors {
		errs[i] = ie
	}
	return errs
}
