package confirm

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/attrtext"
	"github.com/mynacard/mynacard/internal/jptext"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/revocation"
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
// (docs/certificates.md "Revocation"), is public data that any card could present
// without proving it holds that key (linking through it would need a
// second signature with the 4-digit PIN). The clerk compares the old and
// new attributes shown here; Changes lists what differs.
type Change struct {
	OldEnrolmentID int64 `json:"old_enrolment_id"`
	// NewEnrolmentID is the enrolment of the new certificate when Linked.
	NewEnrolmentID int64 `json:"new_enrolment_id,omitempty"`
	Linked         bool  `json:"linked"`
	// Code says why not linked (ChangeXxx constants), empty when linked.
	Code   ChangeCode `json:"code,omitempty"`
	Detail string     `json:"detail,omitempty"`
	// OldRevocation is the old certificate's revocation status used.
	OldRevocation *RevocationResult `json:"old_revocation,omitempty"`
	Old           *card.Attributes  `json:"old"`
	New           *card.Attributes  `json:"new"`
	// Changes lists the attributes that differ, in the store's fixed field
	// order (name, name_substitute, address, address_substitute,
	// birth_date, birth_era, sex). Names and addresses are compared with
	// internal/jptext: a difference only in the width of digits and Latin
	// letters, or U+3000 vs U+0020, is not a change; any other difference
	// is (a variant kanji, ヶ vs ケ, 一 vs 1, a hyphen variant). A name or
	// address with a substitute character (代替文字) on either side is
	// listed even when its text is the same, with NeedsVisualCheck: only
	// the card face can say it did not change. Status summarises a field.
	Changes []FieldChange `json:"changes"`
	// NeedsVisualCheck: the old or new name or address has substitute
	// characters: compare with the card face.
	NeedsVisualCheck bool `json:"needs_visual_check,omitempty"`
}

// ChangeCode says why a registration change was not linked
// (Change.Code).
type ChangeCode string

// Codes of Change.Code.
const (
	ChangeVerdictNotOK          ChangeCode = "verdict_not_ok"
	ChangeNotSignEnrolment      ChangeCode = "not_sign_enrolment"
	ChangeAlreadyReplaced       ChangeCode = "already_replaced"
	ChangeSameCertificate       ChangeCode = "same_certificate"
	ChangeNotRegistrationChange ChangeCode = "old_not_revoked_for_registration_change"
	ChangeNewAlreadyEnrolled    ChangeCode = "new_certificate_already_enrolled"
)

// FieldChange is one attribute that differs between old and new, or,
// for a name or address, that cannot be said not to (NeedsVisualCheck).
// Old and New are in the store's form: text, substitute flags ('0'/'1'
// per character), birth date YYYYMMDD, era and sex codes.
type FieldChange struct {
	Field FieldName `json:"field"`
	Old   string    `json:"old"`
	New   string    `json:"new"`
	// NeedsVisualCheck: the old or new name or address has a substitute
	// character: compare with the card face.
	NeedsVisualCheck bool `json:"needs_visual_check,omitempty"`
	// Differences lists, for a name or address, each difference with its
	// rune positions in Old and New (empty when only NeedsVisualCheck).
	Differences []TextDifference `json:"differences,omitempty"`
	// Uncertain lists the substitute positions, aligned across Old and
	// New.
	Uncertain []TextPosition `json:"uncertain,omitempty"`
}

// changesBetween lists what differs between old and new attributes, names
// and addresses compared with internal/jptext (CompareAttributes), the
// other fields and the substitute flags exactly.
func changesBetween(old, new *card.Attributes) []FieldChange {
	o, n := storedText(old), storedText(new)
	cmp := CompareAttributes(old, new)
	out := []FieldChange{}
	text := func(field FieldName, ov, nv string) {
		if f, _ := cmp.Field(field); f.Status != FieldSame {
			out = append(out, FieldChange{Field: field, Old: ov, New: nv, NeedsVisualCheck: f.NeedsVisualCheck,
				Differences: f.Differences, Uncertain: f.Uncertain})
		}
	}
	exact := func(field FieldName, ov, nv string) {
		if ov != nv {
			out = append(out, FieldChange{Field: field, Old: ov, New: nv})
		}
	}
	text(AttrName, o.Name, n.Name)
	exact(AttrNameSubstitute, o.NameSubstitute, n.NameSubstitute)
	text(AttrAddress, o.Address, n.Address)
	exact(AttrAddressSubstitute, o.AddressSubstitute, n.AddressSubstitute)
	exact(AttrBirthDate, o.BirthDate, n.BirthDate)
	exact(AttrBirthEra, strconv.Itoa(o.BirthEra), strconv.Itoa(n.BirthEra))
	exact(AttrSex, o.Sex, n.Sex)
	return out
}

// newChange starts the Change of old enrolment e to the new attributes.
func newChange(e store.Enrolment, new *card.Attributes) *Change {
	old := e.Attributes
	ch := &Change{OldEnrolmentID: e.ID, Old: old, New: new, Changes: changesBetween(old, new)}
	for _, fc := range ch.Changes {
		ch.NeedsVisualCheck = ch.NeedsVisualCheck || fc.NeedsVisualCheck
	}
	return ch
}

// Status says how one attribute (AttrName, AttrAddress, AttrBirthDate
// or AttrSex) compares between old and new, for a side-by-side display:
// FieldDiffers when Changes has a difference for it (the birth era
// counts with the birth date), FieldCheckCardFace when only substitute
// characters keep it from being FieldSame (a changed substitute flag, or
// text that differs only at substitute characters).
func (c *Change) Status(field FieldName) FieldStatus {
	if c == nil {
		return FieldSame
	}
	group := map[FieldName]FieldName{
		AttrName: AttrName, AttrNameSubstitute: AttrName,
		AttrAddress: AttrAddress, AttrAddressSubstitute: AttrAddress,
		AttrBirthDate: AttrBirthDate, AttrBirthEra: AttrBirthDate, AttrSex: AttrSex,
	}
	st := FieldSame
	for _, fc := range c.Changes {
		switch {
		case group[fc.Field] != field:
		case fc.Field == AttrNameSubstitute || fc.Field == AttrAddressSubstitute ||
			textStatus(false, fc.NeedsVisualCheck, fc.Differences) == FieldCheckCardFace:
			if st == FieldSame {
				st = FieldCheckCardFace
			}
		default:
			return FieldDiffers
		}
	}
	return st
}

// link checks the old enrolment and, if it may be replaced, enrols the new
// certificate and links the two in one store transaction.
func (c *Confirmer) link(ctx context.Context, old store.Enrolment, cert *jpki.Certificate, id *Identification, der []byte, now time.Time) (*Change, error) {
	ch := newChange(old, id.Attributes)
	refuse := func(code ChangeCode, detail string) (*Change, error) {
		ch.Code, ch.Detail = code, detail
		return ch, nil
	}
	switch {
	case old.Kind != card.SignKey:
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
	rep, err := c.cfg.Enrolments.ReplaceEnrolment(ctx, old.ID, c.newEnrolment(id, der, now))
	switch {
	case errors.Is(err, store.ErrConflict):
		return refuse(ChangeNewAlreadyEnrolled, "the old enrolment was replaced meanwhile, or the new certificate is already enrolled")
	case err != nil:
		return nil, fmt.Errorf("identifying: linking enrolment %d: %w", old.ID, err)
	}
	if err := c.cfg.Enrolments.SetRevocationCheck(ctx, rep.NewID, storeCheck(id.Verdict.Revocation, now)); err != nil {
		return nil, fmt.Errorf("identifying: linking enrolment %d: %w", old.ID, err)
	}
	// rep.Changes, which the store keeps, is a byte-for-byte diff; the
	// clerk sees ch.Changes, compared as names and addresses must be.
	ch.Linked, ch.NewEnrolmentID = true, rep.NewID
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
	case !revocation.HasSource(c.cfg.Revocation):
		return RevocationResult{Status: RevocationUnknown, Code: RevCodeNoSource, Detail: "no revocation source configured"}
	case issuer == nil:
		return RevocationResult{Status: RevocationUnknown, Code: RevCodeNoIssuer, Detail: "no trusted root issued the enrolled certificate"}
	}
	return issuedResult(c.cfg.Revocation.Check(ctx, cert))
}

// issuerCache finds the root that issued an enrolled certificate by its
// issuer name and authority key identifier (the root's subject key
// identifier), remembering the answer per key, so that finding the root
// costs a batch no signature verification: enrolled certificates were
// verified when they were enrolled (the revocation checker still matches
// the issuer of each by signature).
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
	for _, rc := range roots.Certificates() {
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
// keeps the name, a marriage the address). Names and addresses match when
// they may be the same (internal/jptext): equal but for the width of
// digits and Latin letters or U+3000 vs U+0020, or differing only where a
// substitute character (代替文字) is, which the clerk settles with the card
// face. It is a suggestion for the clerk, who confirms by identifying
// again with IdentifyOptions.Replaces: names and birth dates are not
// unique, so nothing is linked automatically. The store is read a page
// at a time.
func (c *Confirmer) ChangeCandidates(ctx context.Context, attrs *card.Attributes) ([]EnrolmentInfo, error) {
	if c.cfg.Enrolments == nil {
		return nil, fmt.Errorf("finding change candidates: %w", ErrNoStore)
	}
	if attrs == nil {
		return nil, nil
	}
	mayBeSame := func(a, b string, aSubst, bSubst []int) bool {
		return jptext.Compare(a, b, aSubst, bSubst).MayBeEqual()
	}
	var out []EnrolmentInfo
	q := store.EnrolmentQuery{Kind: card.SignKey, CurrentOnly: true, Limit: checkPageSize}
	for {
		page, err := c.cfg.Enrolments.ListEnrolments(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("finding change candidates: %w", err)
		}
		for _, e := range page {
			a := e.Attributes
			if a == nil {
				a = &card.Attributes{}
			}
			if e.Revocation.Status == store.RevocationRevoked && e.Revocation.Reason == reasonAffiliationChanged &&
				jsonDate(a.BirthDate) == jsonDate(attrs.BirthDate) &&
				(mayBeSame(a.Name, attrs.Name, a.NameSubstitutes, attrs.NameSubstitutes) ||
					mayBeSame(a.Address, attrs.Address, a.AddressSubstitutes, attrs.AddressSubstitutes)) {
				out = append(out, *enrolmentInfo(e))
			}
		}
		if len(page) < checkPageSize {
			return out, nil
		}
		q.AfterID = page[len(page)-1].ID
	}
}

// storedText is a's text as the store keeps a signing certificate's
// attributes (package store, "Attributes"): what FieldChange.Old and New
// show for the exact fields. Attributes from a verified certificate or
// from the store always have it; for any other the columns that convert
// are shown.
func storedText(a *card.Attributes) attrtext.Row {
	r, _ := attrtext.Encode(a, attrtext.CertificateCodes)
	return r
}
