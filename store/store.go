package store

import (
	"context"
	"io"
	"time"
)

// Store is the clerk's database. Both implementations (packages
// store/sqlite and store/postgres; store/storeopen opens either from a DSN)
// pass the same conformance tests. A Store is safe for concurrent use.
type Store interface {
	EnrolmentStore
	RecordStore
	EligibilityStore
	NonceStore
	// Close releases the database. Calls after Close fail.
	Close() error
}

// EnrolmentStore keeps enrolments and the registration changes that
// replace them.
type EnrolmentStore interface {
	// AddEnrolment stores e and returns it with ID set. Serial is
	// canonicalised; ReplacedBy and Revocation are ignored. A certificate
	// (issuer and serial) already enrolled gives ErrConflict.
	AddEnrolment(ctx context.Context, e Enrolment) (Enrolment, error)
	// Enrolment returns the enrolment with this ID, or ErrNotFound.
	Enrolment(ctx context.Context, id int64) (Enrolment, error)
	// EnrolmentByCert returns the enrolment of a certificate, or
	// ErrNotFound.
	EnrolmentByCert(ctx context.Context, issuer, serial string) (Enrolment, error)
	// ListEnrolments returns enrolments in increasing ID order, at most
	// q.Limit of them; page with q.AfterID.
	ListEnrolments(ctx context.Context, q EnrolmentQuery) ([]Enrolment, error)
	// CountEnrolments counts the enrolments q selects (AfterID and Limit
	// are ignored).
	CountEnrolments(ctx context.Context, q EnrolmentQuery) (int64, error)
	// SetRevocationCheck records the outcome of a revocation check of an
	// enrolment's certificate, or returns ErrNotFound.
	SetRevocationCheck(ctx context.Context, id int64, c RevocationCheck) error
	// SetRevocationChecks records many checks in one transaction, all or
	// none: an enrolment that does not exist gives ErrNotFound and nothing
	// is recorded. The batch of `changes --all`.
	SetRevocationChecks(ctx context.Context, checks []EnrolmentCheck) error
	// ReplaceEnrolment records a registration change (異動) in one
	// transaction: it adds next as a new enrolment, links the old one to it
	// and keeps the attribute differences. It returns ErrNotFound when
	// oldID does not exist and ErrConflict when it was already replaced or
	// next's certificate is already enrolled.
	ReplaceEnrolment(ctx context.Context, oldID int64, next Enrolment) (Replacement, error)
	// Replacement returns the registration change that replaced oldID, or
	// ErrNotFound.
	Replacement(ctx context.Context, oldID int64) (Replacement, error)
}

// RecordStore keeps the append-only confirmation records.
type RecordStore interface {
	// AppendRecord stores r under the next sequence number and returns it
	// with Seq set. seal, when not nil, is called inside the transaction to
	// fill in the hash chain and signature (see [SealFunc]).
	AppendRecord(ctx context.Context, r Record, seal SealFunc) (Record, error)
	// Record returns the record with this sequence number, or ErrNotFound.
	Record(ctx context.Context, seq int64) (Record, error)
	// ListRecords returns records with Seq > afterSeq in order, at most
	// limit of them (0 or less means DefaultListLimit).
	ListRecords(ctx context.Context, afterSeq int64, limit int) ([]Record, error)
}

// EligibilityStore keeps health-insurance qualifications keyed by
// authentication certificate.
type EligibilityStore interface {
	// ImportEligibilityCSV loads qualifications from a CSV file in the
	// format [EligibilityCSVHeader] documents. The whole file is one
	// transaction: if any row is bad, nothing is imported and the error is
	// an *ImportErrors listing each bad field with its line and column. A
	// row whose key is already stored replaces it (counted as updated); a
	// key twice in one file is an error naming both lines.
	ImportEligibilityCSV(ctx context.Context, r io.Reader) (ImportResult, error)
	// LookupEligibility answers the validity status of the certificate's
	// qualifications on the day at falls on in Japan (JST). The issuer is
	// compared in its canonical form (CanonicalIssuer), so either DN form
	// finds the rows.
	LookupEligibility(ctx context.Context, issuer, serial string, at time.Time) (EligibilityAnswer, error)
	// LookupEligibilityByCert is LookupEligibility that also finds rows
	// naming the issuer by its key identifier (IssuerKeyID; the
	// certificate's authority key identifier), when issuerKeyID is not
	// empty.
	LookupEligibilityByCert(ctx context.Context, issuer string, issuerKeyID []byte, serial string, at time.Time) (EligibilityAnswer, error)
}

// NonceStore keeps one-time confirmation challenges.
type NonceStore interface {
	// PutNonce stores a fresh nonce valid until expires. A nonce already
	// stored gives ErrConflict.
	PutNonce(ctx context.Context, nonce string, expires time.Time) error
	// ConsumeNonce uses a nonce once, atomically: of concurrent callers
	// exactly one gets nil. Others get ErrConsumed; an expired nonce gives
	// ErrExpired and an unknown (or purged) one ErrNotFound.
	ConsumeNonce(ctx context.Context, nonce string) error
	// PurgeNonces deletes nonces that expired at or before the given time
	// and returns how many were deleted.
	PurgeNonces(ctx context.Context, before time.Time) (int64, error)
}
