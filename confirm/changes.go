package confirm

import (
	"context"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/store"
)

// Outcome is the result of a registration-change check
// (ChangeResult.Outcome).
type Outcome string

// Outcomes of a registration-change check.
const (
	// OutcomeGood: the enrolled certificate is not revoked.
	OutcomeGood Outcome = "good"
	// OutcomeRegistrationChanged: revoked with affiliationChanged: the
	// holder's registered details changed; ask them to identify again.
	OutcomeRegistrationChanged Outcome = "registration_changed"
	// OutcomeRevoked: revoked for another reason (Revocation.Reason).
	OutcomeRevoked Outcome = "revoked"
	// OutcomeUnknown: the status could not be checked (Revocation.Code).
	OutcomeUnknown Outcome = "unknown"
)

// messageRegistrationChanged is the English message of
// OutcomeRegistrationChanged.
const messageRegistrationChanged = "registration changed: ask the holder to identify again"

// ChangeResult is the registration-change check of one enrolment.
type ChangeResult struct {
	EnrolmentID int64  `json:"enrolment_id"`
	Issuer      string `json:"issuer"`
	Serial      string `json:"serial"`
	// Name is the enrolled holder's name, for the clerk.
	Name       string           `json:"name,omitempty"`
	Outcome    Outcome          `json:"outcome"`
	Message    string           `json:"message"`
	Revocation RevocationResult `json:"revocation"`
}

// Summary counts a batch of checks. RevokedOther counts revocations other
// than affiliationChanged by CRL reason name (never nil from CheckAll).
type Summary struct {
	Checked             int            `json:"checked"`
	Good                int            `json:"good"`
	RegistrationChanged int            `json:"registration_changed"`
	RevokedOther        map[string]int `json:"revoked_other"`
	Unknown             int            `json:"unknown"`
}

func (s *Summary) add(r ChangeResult) {
	s.Checked++
	switch r.Outcome {
	case OutcomeGood:
		s.Good++
	case OutcomeRegistrationChanged:
		s.RegistrationChanged++
	case OutcomeRevoked:
		if s.RevokedOther == nil {
			s.RevokedOther = map[string]int{}
		}
		s.RevokedOther[r.Revocation.Reason]++
	default:
		s.Unknown++
	}
}

// checkPageSize is how many enrolments CheckAll reads and records per
// batch (keyset pagination, so memory does not grow with the number of
// enrolments; one transaction per batch).
const checkPageSize = 1000

// CheckEnrolment checks the revocation status of one enrolled signing
// (or authentication) certificate now, records the outcome on the
// enrolment, and says what to do.
func (c *Confirmer) CheckEnrolment(ctx context.Context, id int64) (ChangeResult, error) {
	if c.cfg.Enrolments == nil {
		return ChangeResult{}, fmt.Errorf("checking enrolment %d: %w", id, ErrNoStore)
	}
	e, err := c.cfg.Enrolments.Enrolment(ctx, id)
	if err != nil {
		return ChangeResult{}, fmt.Errorf("checking enrolment %d: %w", id, err)
	}
	r, check, changed := c.evaluateEnrolment(ctx, e, nil, c.cfg.Now())
	if changed {
		if err := c.cfg.Enrolments.SetRevocationCheck(ctx, e.ID, check); err != nil {
			return r, fmt.Errorf("recording check of enrolment %d: %w", e.ID, err)
		}
	}
	return r, nil
}

// CheckAll checks every current (not replaced) signing-certificate
// enrolment, a batch of checkPageSize at a time in ID order. The outcomes
// of a batch that differ from the recorded ones are recorded together in
// one transaction (store.SetRevocationChecks, all or nothing, with the
// batch's check time); only then are the batch's results passed to emit
// (in enrolment order) and progress (the count done and the total
// counted at the start), so every reported result is recorded, and a run
// cut short leaves whole batches behind it that the next run finds
// unchanged. Unchanged outcomes are not written. The issuer of each
// enrolled certificate is found by signature once per issuer key and
// then by authority key identifier: enrolled certificates were verified
// when they were enrolled.
func (c *Confirmer) CheckAll(ctx context.Context, progress func(done, total int), emit func(ChangeResult)) (Summary, error) {
	sum := Summary{RevokedOther: map[string]int{}}
	if c.cfg.Enrolments == nil {
		return sum, fmt.Errorf("checking enrolments: %w", ErrNoStore)
	}
	q := store.EnrolmentQuery{Kind: card.SignKey, CurrentOnly: true, Limit: checkPageSize}
	total64, err := c.cfg.Enrolments.CountEnrolments(ctx, q)
	if err != nil {
		return sum, fmt.Errorf("checking enrolments: %w", err)
	}
	total := int(total64)
	cache := &issuerCache{}
	results := make([]ChangeResult, 0, checkPageSize)
	var writes []store.EnrolmentCheck
	pages, stop := c.readPages(ctx, q)
	defer stop()
	for pg := range pages {
		page, err := pg.list, pg.err
		if err != nil {
			return sum, fmt.Errorf("checking enrolments: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		if len(page) == 0 {
			return sum, nil
		}
		now := c.cfg.Now()
		results, writes = results[:0], writes[:0]
		for _, e := range page {
			r, check, changed := c.evaluateEnrolment(ctx, e, cache, now)
			results = append(results, r)
			if changed {
				writes = append(writes, store.EnrolmentCheck{ID: e.ID, Check: check})
			}
		}
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		if err := c.cfg.Enrolments.SetRevocationChecks(ctx, writes); err != nil {
			return sum, fmt.Errorf("recording checks of enrolments %d to %d: %w", page[0].ID, page[len(page)-1].ID, err)
		}
		for _, r := range results {
			if err := ctx.Err(); err != nil {
				return sum, err // what is reported is recorded, not the reverse
			}
			sum.add(r)
			if emit != nil {
				emit(r)
			}
			if progress != nil {
				progress(sum.Checked, max(total, sum.Checked))
			}
		}
	}
	return sum, nil
}

// enrolmentPage is one page of CheckAll's input.
type enrolmentPage struct {
	list []store.Enrolment
	err  error
}

// readPages reads the pages of q in order one page ahead of their use (a
// goroutine), so that reading the store overlaps checking the page before.
// The channel closes after the last page or an error; stop ends the
// reader early and waits for it.
func (c *Confirmer) readPages(ctx context.Context, q store.EnrolmentQuery) (<-chan enrolmentPage, func()) {
	ctx, cancel := context.WithCancel(ctx)
	out := make(chan enrolmentPage, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		for {
			page, err := c.cfg.Enrolments.ListEnrolments(ctx, q)
			select {
			case out <- enrolmentPage{page, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || len(page) < q.Limit {
				return
			}
			q.AfterID = page[len(page)-1].ID
		}
	}()
	return out, func() { cancel(); <-done }
}

// evaluateEnrolment checks one enrolment at now and returns the result, the check
// to record and whether it differs from the recorded one.
func (c *Confirmer) evaluateEnrolment(ctx context.Context, e store.Enrolment, cache *issuerCache, now time.Time) (ChangeResult, store.RevocationCheck, bool) {
	r := ChangeResult{EnrolmentID: e.ID, Issuer: e.Issuer, Serial: e.Serial}
	if e.Attributes != nil {
		r.Name = e.Attributes.Name
	}
	cert, err := x509.ParseCertificate(e.CertDER)
	if err != nil {
		r.Revocation = RevocationResult{Status: RevocationUnknown, Code: RevCodeError, Detail: "enrolled certificate unreadable: " + err.Error()}
	} else {
		r.Revocation = c.checkEnrolled(ctx, cert, cache)
	}
	switch {
	case r.Revocation.Status == RevocationGood:
		r.Outcome, r.Message = OutcomeGood, "not revoked"
	case r.Revocation.RegistrationChanged:
		r.Outcome, r.Message = OutcomeRegistrationChanged, messageRegistrationChanged
	case r.Revocation.Status == RevocationRevoked:
		r.Outcome, r.Message = OutcomeRevoked, "revoked: "+r.Revocation.Reason
	default:
		r.Outcome, r.Message = OutcomeUnknown, "could not check revocation: "+string(r.Revocation.Code)
	}
	check := storeCheck(r.Revocation, now)
	if check.Status == store.RevocationUnknown && e.Revocation.Status == store.RevocationRevoked {
		return r, check, false // a revocation is final: "no answer now" does not erase it
	}
	changed := e.Revocation.Status != check.Status || e.Revocation.Reason != check.Reason || e.Revocation.Source != check.Source
	return r, check, changed
}
