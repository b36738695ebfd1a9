package confirm

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/store"
)

// Change is a registration change (異動) resolved by the holder's new
// signing certificate: the old enrolment, whether it was linked to a new
// one, and the old and new attributes side by side.
//
// How the holder is matched: the clerk names the old enrolment
// (IdentifyOptions.Replaces, from a CheckAll line saying "registration
// changed", or from the ChangeCandidates an Identify with Enroll
// suggests), and the library links only when (1) the new
// identification's verdict is OK, (2) the old enrolment is a signing
// enrolment not yet replaced, and (3) the old certificate is revoked with
// affiliationChanged — by a revocation check made now, or, when that
// cannot answer, by the last check recorded for the enrolment. The
// library does not match the holder by itself: a signing certificate
// carries no identifier that survives re-issue (its subject CN is opaque),
// and the authentication certificate, which is not revoked on a move
// (PROTOCOL.md "Revocation"), is public data that any card could present
// without proving it holds that key (linking through it would need a
// second signature with the 4-digit PIN). The clerk compares the old and
// new attributes shown here; Changes lists what differs.
type Change struct {
	OldEnrolmentID int64 `json:"old_enrolment_id"`
	// NewEnrolmentID is the enrolment of the new certificate when Linked.
	NewEnrolmentID int64 `json:"new_enrolment_id,omitempty"`
	Linked         bool  `json:"linked"`
	// Code says why not linked (ChangeXxx constants), empty when linked.
	Code   string `json:"code,omitempty"`
	Detail string `json:"detail,omitempty"`
	// OldRevocation is the old certificate's revocation status used.
	OldRevocation *RevocationResult `json:"old_revocation,omitempty"`
	Old           *Attributes       `json:"old"`
	New           *Attributes       `json:"new"`
	// Changes lists the attributes that differ, in the store's fixed field
	// order (name, name_substitute, address, address_substitute,
	// birth_date, birth_era, sex).
	Changes []FieldChange `json:"changes"`
}

// Codes of Change.Code.
const (
	ChangeVerdictNotOK          = "verdict_not_ok"
	ChangeNotSignEnrolment      = "not_sign_enrolment"
	ChangeAlreadyReplaced       = "already_replaced"
	ChangeSameCertificate       = "same_certificate"
	ChangeNotRegistrationChange = "old_not_revoked_for_registration_change"
	ChangeNewAlreadyEnrolled    = "new_certificate_already_enrolled"
)

// FieldChange is one attribute that differs between old and new.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

func fieldChanges(cs []store.AttributeChange) []FieldChange {
	out := make([]FieldChange, 0, len(cs))
	for _, c := range cs {
		out = append(out, FieldChange{Field: c.Field, Old: c.Old, New: c.New})
	}
	return out
}

// link checks the old enrolment and, if it may be replaced, enrols the new
// certificate and links the two in one store transaction.
func (c *Confirmer) link(ctx context.Context, old store.Enrolment, cert *jpki.Certificate, id *Identification, der []byte, now time.Time) (*Change, error) {
	ch := &Change{
		OldEnrolmentID: old.ID, Old: attributesFromStore(old.Attributes), New: id.Attributes,
		Changes: fieldChanges(store.DiffAttributes(old.Attributes, id.Attributes.toStore())),
	}
	refuse := func(code, detail string) (*Change, error) {
		ch.Code, ch.Detail = code, detail
		return ch, nil
	}
	switch {
	case old.Kind != store.CertSign:
		return refuse(ChangeNotSignEnrolment, "the old enrolment is not of a signing certificate")
	case old.ReplacedBy != 0:
		return refuse(ChangeAlreadyReplaced, fmt.Sprintf("the old enrolment was already replaced by %d", old.ReplacedBy))
	case old.Issuer == id.Certificate.Issuer && old.Serial == id.Certificate.Serial:
		return refuse(ChangeSameCertificate, "the card holds the enrolled certificate itself")
	}
	rev := c.enrolmentRevocation(ctx, old)
	ch.OldRevocation = &rev
	if !rev.RegistrationChanged {
		return refuse(ChangeNotRegistrationChange, "the old certificate is not revoked with affiliationChanged")
	}
	rep, err := c.cfg.Store.ReplaceEnrolment(ctx, old.ID, c.newEnrolment(id, der, now))
	switch {
	case errors.Is(err, store.ErrConflict):
		return refuse(ChangeNewAlreadyEnrolled, "the old enrolment was replaced meanwhile, or the new certificate is already enrolled")
	case err != nil:
		return nil, fmt.Errorf("identifying: linking enrolment %d: %w", old.ID, err)
	}
	if err := c.cfg.Store.SetRevocationCheck(ctx, rep.NewID, storeCheck(id.Verdict.Revocation, now)); err != nil {
		return nil, fmt.Errorf("identifying: linking enrolment %d: %w", old.ID, err)
	}
	ch.Linked, ch.NewEnrolmentID = true, rep.NewID
	ch.Changes = fieldChanges(rep.Changes)
	return ch, nil
}

// enrolmentRevocation checks an enrolled certificate now; when that gives
// no answer, the last recorded check stands in (marked in Detail).
func (c *Confirmer) enrolmentRevocation(ctx context.Context, e store.Enrolment) RevocationResult {
	var rev RevocationResult
	cert, err := x509.ParseCertificate(e.CertDER)
	if err != nil {
		rev = RevocationResult{Status: RevocationUnknown, Code: RevCodeError, Detail: "enrolled certificate unreadable: " + err.Error()}
	} else {
		rev = c.checkEnrolled(ctx, cert, nil)
	}
	if rev.Status == RevocationUnknown && e.Revocation.Status == store.RevocationRevoked {
		return RevocationResult{
			Status: RevocationRevoked, Reason: e.Revocation.Reason,
			RegistrationChanged: e.Revocation.Reason == reasonAffiliationChanged,
			Source:              e.Revocation.Source,
			Detail:              fmt.Sprintf("recorded at %s; no answer now: %s", e.Revocation.CheckedAt.Format(time.RFC3339), rev.Detail),
		}
	}
	return rev
}

// checkEnrolled checks the revocation of a stored certificate whatever the
// policy (a registration-change check is a revocation check). cache, if
// not nil, remembers issuers by authority key identifier.
func (c *Confirmer) checkEnrolled(ctx context.Context, cert *x509.Certificate, cache *issuerCache) RevocationResult {
	var issuer *x509.Certificate
	if cache != nil {
		issuer = cache.issuer(c.cfg.Roots, cert)
	} else {
		issuer = issuerOf(c.cfg.Roots, cert)
	}
	switch {
	case c.cfg.Revocation == nil:
		return RevocationResult{Status: RevocationUnknown, Code: RevCodeNoSource, Detail: "no revocation source configured"}
	case issuer == nil:
		return RevocationResult{Status: RevocationUnknown, Code: RevCodeNoIssuer, Detail: "no trusted root issued the enrolled certificate"}
	}
	return revocationResult(c.cfg.Revocation.Check(ctx, cert, issuer))
}

// issuerCache finds the root that issued an enrolled certificate by its
// issuer name and authority key identifier (the root's subject key
// identifier), remembering the answer per key, so a batch costs no
// signature verification: enrolled certificates were verified when they
// were enrolled, and the revocation data consulted is itself verified.
// Certificates without an authority key identifier are matched by
// signature (issuerOf).
type issuerCache struct {
	m map[string]*x509.Certificate
}

func (k *issuerCache) issuer(roots *jpki.Roots, cert *x509.Certificate) *x509.Certificate {
	if len(cert.AuthorityKeyId) == 0 {
		return issuerOf(roots, cert)
	}
	key := string(cert.RawIssuer) + "\x00" + string(cert.AuthorityKeyId)
	if r, ok := k.m[key]; ok {
		return r
	}
	var found *x509.Certificate
	for _, r := range roots.List() {
		rc := r.Certificate
		if bytes.Equal(rc.RawSubject, cert.RawIssuer) && bytes.Equal(rc.SubjectKeyId, cert.AuthorityKeyId) {
			found = rc
			break
		}
	}
	if k.m == nil {
		k.m = map[string]*x509.Certificate{}
	}
	k.m[key] = found
	return found
}

// ChangeCandidates lists the current signing enrolments that may be this
// holder before a registration change: their certificate was last recorded
// revoked with affiliationChanged (by CheckAll or CheckEnrolment) and their
// birth date equals attrs' and so does their name or their address (a move
// keeps the name, a marriage the address). It is a suggestion for the
// clerk, who confirms by identifying again with IdentifyOptions.Replaces:
// names and birth dates are not unique, so nothing is linked
// automatically. The store is read a page at a time.
func (c *Confirmer) ChangeCandidates(ctx context.Context, attrs *Attributes) ([]EnrolmentInfo, error) {
	if c.cfg.Store == nil {
		return nil, fmt.Errorf("finding change candidates: %w", ErrNoStore)
	}
	if attrs == nil {
		return nil, nil
	}
	want := attrs.toStore()
	var out []EnrolmentInfo
	q := store.EnrolmentQuery{Kind: store.CertSign, CurrentOnly: true, Limit: checkPageSize}
	for {
		page, err := c.cfg.Store.ListEnrolments(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("finding change candidates: %w", err)
		}
		for _, e := range page {
			a := e.Attributes
			if e.Revocation.Status == store.RevocationRevoked && e.Revocation.Reason == reasonAffiliationChanged &&
				a.BirthDate == want.BirthDate && (a.Name == want.Name || a.Address == want.Address) {
				out = append(out, *enrolmentInfo(e))
			}
		}
		if len(page) < checkPageSize {
			return out, nil
		}
		q.AfterID = page[len(page)-1].ID
	}
}
