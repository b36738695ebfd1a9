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

// The age rule (年齢計算ニ関スル法律 with 民法 143条). Age is counted from
// the birth day itself, and a year of age is completed at the end of the
// day before the birthday's anniversary, that is at 24:00 of the eve,
// which is the first instant of the birthday. So "N or over today" means:
// the holder had reached N by 00:00 JST today, which is exactly "today's
// calendar date in JST is on or after the Nth anniversary of the birth
// date". On the eve of the Nth birthday the answer is no (the age is
// reached only as that day ends), on the birthday and after it is yes.
//
// A holder born on 29 February has no anniversary in a common year. 民法
// 143条 2項 ends a period counted in years, when the last month has no
// corresponding day, on the last day of that month: the year of age is
// completed at the end of 28 February, so the holder is N from 1 March.
// leapDayAnniversaryMonth and leapDayAnniversaryDay name that choice.
const (
	// ageRule is the rule's stable code, carried in every AgeCheck.
	ageRule = "reached_by_start_of_today_jst"
	// leapDayAnniversaryMonth and leapDayAnniversaryDay are the day a
	// 29 February birthday counts as in a common year: 1 March.
	leapDayAnniversaryMonth = time.March
	leapDayAnniversaryDay   = 1
)

// anniversary returns the calendar day (midnight JST) from which a holder
// born on birth (its year, month and day as given) is n years old.
func anniversary(birth time.Time, n int) time.Time {
	y, m, d := birth.Date()
	y += n
	if m == time.February && d == 29 && !isLeap(y) {
		m, d = leapDayAnniversaryMonth, leapDayAnniversaryDay
	}
	return time.Date(y, m, d, 0, 0, 0, 0, card.JST)
}

// ReachedAge reports whether a holder born on birth is n or over at the
// instant now, judged by now's calendar day in JST (ageRule).
func ReachedAge(birth time.Time, n int, now time.Time) bool {
	y, m, d := now.In(card.JST).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, card.JST)
	return !today.Before(anniversary(birth, n))
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// MaxAgeOver bounds AgeOptions.Over.
const MaxAgeOver = 150

// AgeOptions parameterise Confirmer.CheckAge.
type AgeOptions struct {
	// Over is the age asked about ("Over or over today?"), 1 to MaxAgeOver.
	Over int
	// Prompt asks for the birth-date key: the birth date as 6-digit
	// Japanese-era YYMMDD (the first six digits of 照合番号B). The tries
	// left are read and the last try refused (card.Options.AllowLastTry)
	// before it is asked.
	Prompt card.PINPrompt
	// CVKeys are the pinned CV CA keys the age record is verified to. Nil
	// means the J-LIS production keys only.
	CVKeys *card.CVCAKeys
}

// AgeCheck is the whole answer of an age check. It holds no personal
// field: not the birth date, not the age, not a card identifier.
type AgeCheck struct {
	// OK is true only when the age record verified to a pinned key, the
	// chip proved present, the typed birth date matched the record and the
	// card's authentication certificate chained to a pinned root and was
	// not revoked (under the revocation policy): then Answer is the
	// answer. Otherwise Refusal says why and Answer is false and
	// meaningless.
	OK      bool        `json:"ok"`
	Refusal RefusalCode `json:"refusal,omitempty"`
	// Over is the age asked about; Answer is "Over or over today".
	Over   int  `json:"over"`
	Answer bool `json:"answer"`
	// AsOf is today's date in JST (YYYY-MM-DD), the day the answer is for;
	// Rule is ageRule.
	AsOf string `json:"as_of"`
	Rule string `json:"rule"`
	// Record is the age record's verification to a pinned CV CA key;
	// CardPresent the application key's answer to a fresh challenge.
	Record      CVResult    `json:"record"`
	CardPresent CheckResult `json:"card_present"`
	// AuthChain and AuthRevocation are the free-to-read authentication
	// certificate's chain and revocation status, as in a chip
	// identification: a card reported lost has its certificates revoked
	// and does not pass an age check. They name no certificate.
	AuthChain      ChainResult      `json:"auth_chain"`
	AuthRevocation RevocationResult `json:"auth_revocation"`
	// At is when the check was made; Operator who made it.
	At       time.Time `json:"at"`
	Operator string    `json:"operator,omitempty"`
	// RecordSeq is the record kept, 0 without a store.
	RecordSeq int64 `json:"record_seq,omitempty"`
}

// methodAge is the method an age check's record names.
const methodAge = "age_check"

// CheckAge answers "is the holder Over or over today (JST)?" from the
// surface application's age record (EF 0001), which only the birth-date
// key opens: the record is verified to a pinned CV CA key, the chip's
// application key signs a fresh challenge checked against the record's
// key, and the typed birth date must be the record's. The authentication
// certificate, read in the same card transaction, must chain to a pinned
// root and not be revoked under the revocation policy, with the refusals
// of a chip identification (a lost card does not pass). Nothing personal
// leaves this function. A wrong birth date (a *card.PINError with the
// tries left), a refused last try or a card error is an error.
//
// With a store configured, a completed check is recorded (kind identify,
// method methodAge): the verdict, the time, the operator, the card key ID
// and the authentication certificate's issuer and serial, which the store
// needs to name the certificate whose revocation was checked. No birth
// date, name or other attribute is stored.
func (c *Confirmer) CheckAge(ctx context.Context, j *card.JPKI, opts AgeOptions) (*AgeCheck, error) {
	if opts.Over < 1 || opts.Over > MaxAgeOver {
		return nil, fmt.Errorf("checking age: %d is not an age from 1 to %d", opts.Over, MaxAgeOver)
	}
	keys, err := cvKeys(opts.CVKeys)
	if err != nil {
		return nil, err
	}
	typed := &typedDate{}
	defer typed.wipe()
	challenge, err := c.newChallenge()
	if err != nil {
		return nil, err
	}
	p, err := j.Surface().ReadAgeProvingAuthCert(ctx, typed.birthKeyPrompt(opts.Prompt), challenge)
	if err != nil {
		return nil, fmt.Errorf("checking age: %w", err)
	}
	rec := p.Record
	now := c.cfg.Now()
	out := &AgeCheck{Over: opts.Over, AsOf: now.In(card.JST).Format(dateLayout), Rule: ageRule, At: now, Operator: c.cfg.Operator}
	v, verr := rec.Verify(keys)
	out.Record = cvResult(v, verr)
	// The signer's key ID may single the card out: not part of the answer.
	out.Record.SignerKeyID = ""
	out.CardPresent = cardPresent(rec.PublicKey, challenge, p.Signature)
	authCert := c.checkAuthCert(ctx, p.AuthCert, p.AuthCertErr, now, &out.AuthChain, &out.AuthRevocation)
	switch {
	case !out.Record.Verified:
		out.Refusal = recordRefusal(verr)
	case !typed.matches(rec.Birth):
		out.Refusal = RefusalChipCredentialMismatch
	case !out.CardPresent.OK:
		out.Refusal = RefusalChipNotPresent
	default:
		out.Refusal = c.authRefusal(authCert, out.AuthChain, out.AuthRevocation)
	}
	out.OK = out.Refusal == ""
	if out.OK {
		out.Answer = ReachedAge(rec.Birth, opts.Over, now)
	}
	if c.cfg.Records == nil || authCert == nil {
		return out, nil
	}
	if err := c.recordAge(ctx, out, CardKeyID(rec.PublicKey), authCert, challenge); err != nil {
		return nil, err
	}
	return out, nil
}

// ageRecordDetails is the JSON an age check's record keeps: the method,
// the whole answer (which holds nothing personal) and the card key ID.
type ageRecordDetails struct {
	Method    string    `json:"method"`
	Check     *AgeCheck `json:"age_check"`
	CardKeyID string    `json:"card_key_id"`
}

// recordAge appends an age check's record: no attribute, the
// authentication certificate's issuer and serial, the details.
func (c *Confirmer) recordAge(ctx context.Context, out *AgeCheck, cardKeyID string, authCert *jpki.Certificate, challenge []byte) error {
	details, err := json.Marshal(ageRecordDetails{Method: methodAge, Check: out, CardKeyID: cardKeyID})
	if err != nil {
		return fmt.Errorf("checking age: recording: %w", err)
	}
	info := certificateInfo(authCert.Certificate, card.AuthKey)
	rec, err := c.cfg.Records.AppendRecord(ctx, store.Record{
		Kind: store.RecordIdentify, At: out.At, Operator: c.cfg.Operator,
		Verdict: store.Verdict{
			SignatureOK: out.Record.Verified && out.CardPresent.OK, ChainOK: out.AuthChain.OK, Root: out.AuthChain.RootFingerprint,
			Revocation: storeRevocationStatus(out.AuthRevocation.Status), RevocationReason: out.AuthRevocation.Reason, RevocationSource: out.AuthRevocation.Source,
		},
		CertKind: card.AuthKey, Issuer: info.Issuer, Serial: info.Serial,
		ChallengeID: base64.RawURLEncoding.EncodeToString(challenge), Details: string(details),
	}, c.cfg.Seal)
	if err != nil {
		return fmt.Errorf("checking age: recording: %w", err)
	}
	out.RecordSeq = rec.Seq
	return nil
}
