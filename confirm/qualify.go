package confirm

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/store"
)

// QualifyOptions parameterise Qualify.
type QualifyOptions struct {
	// Prompt asks for the 4-digit user-authentication PIN.
	Prompt card.PINPrompt
}

// Qualification is the result of a qualification confirmation (資格確認).
type Qualification struct {
	At       time.Time `json:"at"`
	Operator string    `json:"operator,omitempty"`
	Verdict  Verdict   `json:"verdict"`
	// Certificate is the authentication certificate; its issuer and serial
	// are the eligibility key.
	Certificate CertificateInfo `json:"certificate"`
	// Eligibility is the eligibility answer; nil when the verdict is not
	// OK (a certificate that did not verify is not looked up).
	Eligibility *EligibilityResult `json:"eligibility,omitempty"`
	RecordSeq   int64              `json:"record_seq,omitempty"`
}

// ValidityCode names an insurer validity status (EligibilityResult.StatusCode).
type ValidityCode string

// Validity codes of EligibilityResult.StatusCode, one per insurer
// validity status 1–6 (docs/certificates.md "Qualification confirmation").
const (
	ValidityValid        ValidityCode = "valid"         // 1
	ValidityInvalid      ValidityCode = "invalid"       // 2
	ValidityInvalidNewer ValidityCode = "invalid_newer" // 3
	ValidityNone         ValidityCode = "none"          // 4
	ValiditySeveral      ValidityCode = "several"       // 5
	ValidityUnregistered ValidityCode = "unregistered"  // 6
)

// EligibilityResult is what an insurer's eligibility reply shows.
type EligibilityResult struct {
	// Status is the validity status 1–6; StatusCode and Meaning say it in
	// words.
	Status     int          `json:"status"`
	StatusCode ValidityCode `json:"status_code"`
	Meaning    string       `json:"meaning"`
	// Eligible is true only for status 1 (valid) with an insurance card
	// that has not expired: status 6 (valid but unregistered) and an
	// expired card must not be treated as confirmed.
	Eligible      bool   `json:"eligible"`
	InsurerNumber string `json:"insurer_number,omitempty"`
	Symbol        string `json:"symbol,omitempty"`
	Number        string `json:"number,omitempty"`
	Branch        string `json:"branch,omitempty"`
	Name          string `json:"name,omitempty"`
	NameKana      string `json:"name_kana,omitempty"`
	// Dates are YYYY-MM-DD, empty when none.
	BirthDate string `json:"birth_date,omitempty"`
	// Sex is "1" male or "2" female.
	Sex string `json:"sex,omitempty"`
	// QualifiedFrom is the first day of the qualification (資格取得年月日).
	QualifiedFrom string `json:"qualified_from,omitempty"`
	// QualifiedUntil is the last day of the qualification, empty when it
	// is open-ended; LostOn is the day after it, the date the insurer
	// writes as 資格喪失年月日 (the qualification is lost on that day).
	QualifiedUntil string `json:"qualified_through,omitempty"`
	LostOn         string `json:"qualification_lost_on,omitempty"`
	// CardValidUntil is the insurance card's own validity (有効期限): the
	// last day it may be used, empty when the insurer gave none. It is not
	// the Individual Number Card's or a certificate's expiry.
	CardValidUntil string `json:"insurance_card_valid_through,omitempty"`
	// CardExpired says CardValidUntil has passed (in Japan time): the
	// answer is then not Eligible, whatever its status.
	CardExpired bool `json:"insurance_card_expired"`
	// CopayPercent is the copayment ratio in percent (10, 20, 30).
	CopayPercent int  `json:"copay_percent,omitempty"`
	Registered   bool `json:"registered"`
	// Candidates counts the certificate's qualifications.
	Candidates int `json:"candidates"`
}

// validityWords returns the code and English meaning of a validity
// status.
func validityWords(s store.ValidityStatus) (code ValidityCode, meaning string) {
	switch s {
	case store.StatusValid:
		return ValidityValid, "valid"
	case store.StatusInvalid:
		return ValidityInvalid, "invalid"
	case store.StatusInvalidNewer:
		return ValidityInvalidNewer, "invalid, a newer qualification exists"
	case store.StatusNone:
		return ValidityNone, "no qualification"
	case store.StatusSeveral:
		return ValiditySeveral, "several qualifications in force"
	case store.StatusUnregistered:
		return ValidityUnregistered, "valid but not registered for use as a health-insurance card"
	}
	return "unknown", s.String()
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(dateLayout)
}

// eligibilityResult is the answer a on the instant now. Store dates are
// civil dates (midnight UTC); the insurance card is expired from the day
// after its last valid day in Japan time.
func eligibilityResult(a store.EligibilityAnswer, now time.Time) *EligibilityResult {
	code, meaning := validityWords(a.Status)
	r := a.Record
	y, m, d := now.In(card.JST).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	expired := !r.CardValidUntil.IsZero() && today.After(r.CardValidUntil)
	var lost string
	if !r.QualifiedUntil.IsZero() {
		lost = date(r.QualifiedUntil.AddDate(0, 0, 1))
	}
	return &EligibilityResult{
		Status: int(a.Status), StatusCode: code, Meaning: meaning, Eligible: a.Status == store.StatusValid && !expired,
		InsurerNumber: r.InsurerNumber, Symbol: r.Symbol, Number: r.Number, Branch: r.Branch,
		Name: r.Name, NameKana: r.NameKana, BirthDate: date(r.BirthDate), Sex: r.Sex,
		QualifiedFrom: date(r.QualifiedFrom), QualifiedUntil: date(r.QualifiedUntil), LostOn: lost,
		CardValidUntil: date(r.CardValidUntil), CardExpired: expired, CopayPercent: r.CopayPercent, Registered: r.Registered,
		Candidates: len(a.Candidates),
	}
}

// Qualify runs a qualification confirmation: the holder signs a fresh
// challenge with the authentication key (4-digit PIN), the authentication
// certificate is verified (signature, chain, revocation) and, when the
// verdict is OK, its issuer and serial are looked up in the eligibility
// store for today (JST). A card or PIN error is returned and nothing is
// recorded; a completed confirmation is recorded. It needs the Config's
// Eligibility and Records.
func (c *Confirmer) Qualify(ctx context.Context, j *card.JPKI, opts QualifyOptions) (*Qualification, error) {
	if c.cfg.Eligibility == nil || c.cfg.Records == nil {
		return nil, fmt.Errorf("qualifying: %w", ErrNoStore)
	}
	challenge, err := c.newChallenge()
	if err != nil {
		return nil, err
	}
	der, sig, sc, err := signWithKey(ctx, j, card.AuthKey, opts.Prompt, challengeDigest(challenge), nil)
	if err != nil {
		return nil, fmt.Errorf("qualifying: %w", err)
	}
	cert, err := jpki.Parse(der)
	if err != nil {
		return nil, fmt.Errorf("qualifying: %w: %w", ErrBadCertificate, err)
	}
	now := c.cfg.Now()
	verdict, _ := c.evaluate(ctx, cert, card.AuthKey, sc, sig, now)
	q := &Qualification{At: now, Operator: c.cfg.Operator, Verdict: verdict, Certificate: certificateInfo(cert.Certificate, card.AuthKey)}
	if verdict.OK {
		a, err := c.cfg.Eligibility.LookupEligibilityByCert(ctx, q.Certificate.Issuer, cert.AuthorityKeyId, q.Certificate.Serial, now)
		if err != nil {
			return nil, fmt.Errorf("qualifying: looking up eligibility: %w", err)
		}
		q.Eligibility = eligibilityResult(a, now)
	}
	details, _ := json.Marshal(recordDetails{Verdict: verdict, Eligibility: q.Eligibility})
	rec, err := c.cfg.Records.AppendRecord(ctx, store.Record{
		Kind: store.RecordQualify, At: now, Operator: c.cfg.Operator, Verdict: storeVerdict(verdict),
		CertKind: card.AuthKey, Issuer: q.Certificate.Issuer, Serial: q.Certificate.Serial,
		ChallengeID: base64.RawURLEncoding.EncodeToString(challenge), Details: string(details),
	}, c.cfg.Seal)
	if err != nil {
		return nil, fmt.Errorf("qualifying: recording confirmation: %w", err)
	}
	q.RecordSeq = rec.Seq
	return q, nil
}
