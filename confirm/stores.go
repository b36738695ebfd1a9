package confirm

import (
	"context"
	"time"

	"github.com/mynacard/mynacard/store"
)

// Enrolments keeps the enrolments Identify makes with Enroll, the
// registration changes (異動) that replace them, and the outcome of each
// check the change checks make. A store.Store from store/sqlite,
// store/postgres or store/storeopen implements it.
type Enrolments interface {
	AddEnrolment(ctx context.Context, e store.Enrolment) (store.Enrolment, error)
	Enrolment(ctx context.Context, id int64) (store.Enrolment, error)
	EnrolmentByCert(ctx context.Context, issuer, serial string) (store.Enrolment, error)
	ListEnrolments(ctx context.Context, q store.EnrolmentQuery) ([]store.Enrolment, error)
	CountEnrolments(ctx context.Context, q store.EnrolmentQuery) (int64, error)
	SetRevocationCheck(ctx context.Context, id int64, c store.RevocationCheck) error
	// SetRevocationChecks records the checks all or none, in one
	// transaction.
	SetRevocationChecks(ctx context.Context, checks []store.EnrolmentCheck) error
	// ReplaceEnrolment adds next, links the old enrolment to it and keeps
	// the attribute differences, in one transaction.
	ReplaceEnrolment(ctx context.Context, oldID int64, next store.Enrolment) (store.Replacement, error)
}

// Records keeps the append-only confirmation records. A store.Store
// implements it.
type Records interface {
	AppendRecord(ctx context.Context, r store.Record, seal store.SealFunc) (store.Record, error)
}

// Eligibility answers the health-insurance qualification lookups of
// Qualify. A store.Store implements it, from an imported eligibility
// file.
type Eligibility interface {
	LookupEligibilityByCert(ctx context.Context, issuer string, issuerKeyID []byte, serial string, at time.Time) (store.EligibilityAnswer, error)
}
