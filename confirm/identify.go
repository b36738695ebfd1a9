package confirm

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/store"
)

// ErrBadCertificate reports a certificate from the card that cannot be
// parsed as a JPKI certificate; no confirmation was completed.
var ErrBadCertificate = errors.New("confirm: card certificate unusable")

// IdentifyOptions parameterise Identify.
type IdentifyOptions struct {
	// Key is card.SignKey (the default when zero: the signing password,
	// giving name, address, birth date and sex) or card.AuthKey (the
	// 4-digit PIN, giving only "same holder as enrolled").
	Key card.KeyKind
	// Prompt asks for the PIN of the key (card PIN rules apply).
	Prompt card.PINPrompt
	// Enroll stores the identity (certificate issuer and serial,
	// attributes, time, operator) when the verdict is OK.
	Enroll bool
	// Replaces is the ID of the enrolment whose signing certificate was
	// revoked for a registration change (affiliationChanged): the clerk
	// says this holder is that person, and, when the verdict is OK and the
	// old certificate is revoked with affiliationChanged, the new
	// certificate is enrolled and linked to the old enrolment, and the old
	// and new attributes are returned side by side (Identification.Change).
	// It needs the signing key and implies Enroll. See Change for why the
	// clerk, not the library, matches the holder.
	Replaces int64
	// NewHolder enrols even when ChangeCandidates finds enrolments that
	// may be this holder's before a registration change: the clerk has
	// checked that they are someone else.
	NewHolder bool
}

// NotEnrolledChangeCandidates is Identification.NotEnrolled when Enroll
// stored nothing because the holder may be an enrolled person whose
// registration changed.
const NotEnrolledChangeCandidates = "change_candidates"

// Identification is the result of a personal identification (本人確認).
type Identification struct {
	// Key is the key that signed ("sign" or "auth" in JSON).
	Key      card.KeyKind `json:"key"`
	At       time.Time    `json:"at"`
	Operator string       `json:"operator,omitempty"`
	Verdict  Verdict      `json:"verdict"`
	// Certificate is the certificate that signed.
	Certificate CertificateInfo `json:"certificate"`
	// Attributes are the holder's details from the signing certificate;
	// nil for the authentication key, which carries none.
	Attributes *card.Attributes `json:"attributes,omitempty"`
	// SameHolderAsEnrolled is true when the verdict is OK and this very
	// certificate is enrolled (MatchedEnrolment). It is the only identity
	// an authentication-key identification gives.
	SameHolderAsEnrolled bool           `json:"same_holder_as_enrolled"`
	MatchedEnrolment     *EnrolmentInfo `json:"matched_enrolment,omitempty"`
	// Enrolment is the enrolment made by Enroll (or found, when the
	// certificate was already enrolled: AlreadyEnrolled).
	Enrolment       *EnrolmentInfo `json:"enrolment,omitempty"`
	AlreadyEnrolled bool           `json:"already_enrolled,omitempty"`
	// NotEnrolled says why Enroll stored nothing: "verdict_not_ok", or
	// the Change.Code of a registration change that was not linked.
	NotEnrolled string `json:"not_enrolled,omitempty"`
	// Change is the registration change asked for with Replaces.
	Change *Change `json:"change,omitempty"`
	// ChangeCandidates are the enrolments this holder may have had before
	// a registration change (see Confirmer.ChangeCandidates), looked for
	// when a signing-key identification with Enroll finds the certificate
	// not enrolled. When there are any, nothing is enrolled
	// (NotEnrolled = "change_candidates"): the clerk identifies again with
	// Replaces set to one of them, or with NewHolder.
	ChangeCandidates []EnrolmentInfo `json:"change_candidates,omitempty"`
	// RecordSeq is the sequence number of the record kept, 0 without a
	// store.
	RecordSeq int64 `json:"record_seq,omitempty"`
}

// EnrolmentInfo is an enrolment as confirm shows it.
type EnrolmentInfo struct {
	ID         int64            `json:"id"`
	Kind       card.KeyKind     `json:"kind"`
	Issuer     string           `json:"issuer"`
	Serial     string           `json:"serial"`
	Attributes *card.Attributes `json:"attributes,omitempty"`
	EnrolledAt time.Time        `json:"enrolled_at"`
	Operator   string           `json:"operator,omitempty"`
	// LastRevocation is the last recorded revocation check.
	LastRevocation *RevocationResult `json:"last_revocation,omitempty"`
	// ReplacedBy is the enrolment that replaced this one, or 0.
	ReplacedBy int64 `json:"replaced_by,omitempty"`
}

func enrolmentInfo(e store.Enrolment) *EnrolmentInfo {
	out := &EnrolmentInfo{
		ID: e.ID, Kind: e.Kind, Issuer: e.Issuer, Serial: e.Serial,
		Attributes: e.Attributes, EnrolledAt: e.EnrolledAt,
		Operator: e.Operator, ReplacedBy: e.ReplacedBy,
	}
	if e.Revocation.Status != store.RevocationUnchecked {
		out.LastRevocation = &RevocationResult{
			Status: RevocationStatus(e.Revocation.Status), Reason: e.Revocation.Reason,
			RegistrationChanged: e.Revocation.Reason == reasonAffiliationChanged,
			Source:              e.Revocation.Source,
		}
	}
	return out
}

// reasonAffiliationChanged is the CRL reason name of a registration
// change (docs/certificates.md "Revocation").
const reasonAffiliationChanged = "affiliationChanged"

// Identify runs a personal identification: it makes a fresh random
// challenge (challengeSize bytes), has the card sign its digest (under the
// hash of the certificate key's algorithm: SHA-256 for RSA-2048, SHA-384
// for P-384) with the chosen key after one PIN entry, and checks the
// signature with the certificate's key, the chain to a pinned root at the
// current time, and revocation. With the signing key the certificate and
// signature come from one VERIFY in one card transaction
// (card.JPKI.SignWithSignCertificateFunc).
//
// A wrong PIN, a refused last try or any card error is returned as an
// error (a *card.PINError keeps the remaining count) and nothing is
// recorded. A completed identification — whatever its verdict — is
// appended to the Config's Records when they are set.
func (c *Confirmer) Identify(ctx context.Context, j *card.JPKI, opts IdentifyOptions) (*Identification, error) {
	key := opts.Key
	if key == 0 {
		key = card.SignKey
	}
	if key != card.SignKey && key != card.AuthKey {
		return nil, fmt.Errorf("identifying: unknown key %v", key)
	}
	enroll := opts.Enroll || opts.Replaces != 0
	var old store.Enrolment
	if enroll && (c.cfg.Enrolments == nil || c.cfg.Records == nil) {
		return nil, fmt.Errorf("identifying: enrolling: %w", ErrNoStore)
	}
	if opts.Replaces != 0 {
		if key != card.SignKey {
			return nil, fmt.Errorf("identifying: a registration change needs the signing key")
		}
		var err error
		if old, err = c.cfg.Enrolments.Enrolment(ctx, opts.Replaces); err != nil {
			return nil, fmt.Errorf("identifying: reading enrolment %d: %w", opts.Replaces, err)
		}
	}

	challenge, err := c.newChallenge()
	if err != nil {
		return nil, err
	}
	kind := card.SignKey
	if key == card.AuthKey {
		kind = card.AuthKey
	}
	der, sig, sc, err := signWithKey(ctx, j, key, opts.Prompt, challengeDigest(challenge), nil)
	if err != nil {
		return nil, fmt.Errorf("identifying with the %s: %w", key, err)
	}
	cert, err := jpki.Parse(der)
	if err != nil {
		return nil, fmt.Errorf("identifying: %w: %w", ErrBadCertificate, err)
	}

	now := c.cfg.Now()
	verdict, _ := c.evaluate(ctx, cert, kind, sc, sig, now)
	id := &Identification{
		Key: kind, At: now, Operator: c.cfg.Operator, Verdict: verdict,
		Certificate: certificateInfo(cert.Certificate, kind),
	}
	if kind == card.SignKey {
		id.Attributes = cert.Attributes
	}
	if c.cfg.Enrolments == nil && c.cfg.Records == nil {
		return id, nil
	}
	st := c.cfg.Enrolments
	issuer, serial := id.Certificate.Issuer, id.Certificate.Serial
	if verdict.OK && st != nil {
		switch e, err := st.EnrolmentByCert(ctx, issuer, serial); {
		case err == nil:
			id.SameHolderAsEnrolled = true
			id.MatchedEnrolment = enrolmentInfo(e)
		case !errors.Is(err, store.ErrNotFound):
			return nil, fmt.Errorf("identifying: looking up enrolment: %w", err)
		}
	}

	var enrolmentID int64
	if id.MatchedEnrolment != nil {
		enrolmentID = id.MatchedEnrolment.ID
	}
	if enroll && verdict.OK && opts.Replaces == 0 && id.MatchedEnrolment == nil && kind == card.SignKey && !opts.NewHolder {
		if id.ChangeCandidates, err = c.ChangeCandidates(ctx, id.Attributes); err != nil {
			return nil, fmt.Errorf("identifying: %w", err)
		}
	}
	switch {
	case !enroll:
	case !verdict.OK:
		id.NotEnrolled = "verdict_not_ok"
		if opts.Replaces != 0 {
			id.Change = newChange(old, id.Attributes)
			id.Change.Code, id.Change.Detail = ChangeVerdictNotOK, "the new certificate's verdict is not ok"
		}
	case opts.Replaces != 0:
		id.Change, err = c.link(ctx, old, cert, id, der, now)
		if err != nil {
			return nil, err
		}
		if !id.Change.Linked {
			id.NotEnrolled = string(id.Change.Code)
		} else {
			enrolmentID = id.Change.NewEnrolmentID
			if e, err := st.Enrolment(ctx, enrolmentID); err == nil {
				id.Enrolment = enrolmentInfo(e)
			}
		}
	case id.MatchedEnrolment != nil:
		id.Enrolment, id.AlreadyEnrolled = id.MatchedEnrolment, true
	case len(id.ChangeCandidates) > 0:
		id.NotEnrolled = NotEnrolledChangeCandidates
	default:
		e, err := st.AddEnrolment(ctx, c.newEnrolment(id, der, now))
		if err != nil {
			return nil, fmt.Errorf("identifying: enrolling: %w", err)
		}
		if err := st.SetRevocationCheck(ctx, e.ID, storeCheck(verdict.Revocation, now)); err != nil {
			return nil, fmt.Errorf("identifying: enrolling: %w", err)
		}
		e.Revocation = storeCheck(verdict.Revocation, now)
		id.Enrolment, enrolmentID = enrolmentInfo(e), e.ID
	}

	kindRec := store.RecordIdentify
	if id.Change != nil && id.Change.Linked {
		kindRec = store.RecordChange
	}
	if c.cfg.Records == nil {
		return id, nil
	}
	details, _ := json.Marshal(recordDetails{Verdict: verdict, Change: id.Change})
	rec, err := c.cfg.Records.AppendRecord(ctx, store.Record{
		Kind: kindRec, At: now, Operator: c.cfg.Operator, Verdict: storeVerdict(verdict),
		CertKind: kind, Issuer: issuer, Serial: serial,
		Attributes: id.Attributes, ChallengeID: base64.RawURLEncoding.EncodeToString(challenge),
		EnrolmentID: enrolmentID, Details: string(details),
	}, c.cfg.Seal)
	if err != nil {
		return nil, fmt.Errorf("identifying: recording confirmation: %w", err)
	}
	id.RecordSeq = rec.Seq
	return id, nil
}

// recordDetails is the JSON kept in Record.Details.
type recordDetails struct {
	Verdict     Verdict            `json:"verdict"`
	Change      *Change            `json:"change,omitempty"`
	Eligibility *EligibilityResult `json:"eligibility,omitempty"`
}

func (c *Confirmer) newEnrolment(id *Identification, der []byte, now time.Time) store.Enrolment {
	return store.Enrolment{
		Kind: id.Key, Issuer: id.Certificate.Issuer, Serial: id.Certificate.Serial,
		Attributes: id.Attributes, CertDER: der, EnrolledAt: now, Operator: c.cfg.Operator,
	}
}

func storeCheck(r RevocationResult, at time.Time) store.RevocationCheck {
	return store.RevocationCheck{Status: storeRevocationStatus(r.Status), Reason: r.Reason, Source: r.Source, CheckedAt: at}
}
