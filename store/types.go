package store

import (
	"time"

	"github.com/mynacard/mynacard/card"
)

// RevocationStatus is the outcome of a revocation check as the store keeps
// it.
type RevocationStatus string

const (
	// RevocationUnchecked means no check has been recorded.
	RevocationUnchecked RevocationStatus = ""
	// RevocationGood means the certificate was not revoked.
	RevocationGood RevocationStatus = "good"
	// RevocationRevoked means the certificate was revoked; the reason is
	// kept beside it (for example "affiliationChanged", a 異動).
	RevocationRevoked RevocationStatus = "revoked"
	// RevocationUnknown means the check could not be made (no CRL, no
	// OCSP answer).
	RevocationUnknown RevocationStatus = "unknown"
)

// RevocationCheck is the last revocation check made for an enrolment.
type RevocationCheck struct {
	Status RevocationStatus
	// Reason is the CRL reason name when Status is RevocationRevoked.
	Reason string
	// Source names where the answer came from ("crl", "ocsp", a URL...).
	Source string
	// CheckedAt is when the check was made; zero when never checked.
	CheckedAt time.Time
}

// EnrolmentCheck is one enrolment's revocation check in
// [EnrolmentStore.SetRevocationChecks].
type EnrolmentCheck struct {
	ID    int64
	Check RevocationCheck
}

// Enrolment is an identity stored by `identify --enroll`: which certificate
// identified whom, when and by which operator.
type Enrolment struct {
	// ID is assigned by the store.
	ID   int64
	Kind card.KeyKind
	// Issuer is the certificate's issuer DN as a string.
	Issuer string
	// Serial is the certificate's serial in canonical hex ([CanonicalSerial]).
	Serial string
	// Attributes are the holder's attributes from a signing certificate;
	// nil for an authentication certificate. They are kept as text (see
	// the package documentation, "Attributes").
	Attributes *card.Attributes
	// CertDER is the certificate as read from the card.
	CertDER    []byte
	EnrolledAt time.Time
	Operator   string
	// Revocation is the last recorded revocation check.
	Revocation RevocationCheck
	// ReplacedBy is the ID of the enrolment that replaced this one after a
	// registration change, or 0.
	ReplacedBy int64
}

// AttributeChange is one attribute that differs between an enrolment and
// the one that replaced it.
type AttributeChange struct {
	// Field is the attribute's name: "name", "name_substitute", "address",
	// "address_substitute", "birth_date", "birth_era" or "sex".
	Field string
	Old   string
	New   string
}

// Replacement links an enrolment to the newer one that replaced it after a
// registration change (異動), with the attributes that changed.
type Replacement struct {
	OldID    int64
	NewID    int64
	At       time.Time
	Operator string
	// Changes lists the differing attributes in a fixed field order.
	Changes []AttributeChange
}

// EnrolmentQuery selects enrolments for [EnrolmentStore.ListEnrolments], in
// increasing ID order (keyset pagination: pass the last ID seen as AfterID).
type EnrolmentQuery struct {
	// AfterID returns enrolments with an ID greater than this.
	AfterID int64
	// Limit caps the number returned; 0 or less means DefaultListLimit.
	Limit int
	// Kind, when not zero, returns only enrolments of this kind.
	Kind card.KeyKind
	// CurrentOnly leaves out enrolments that were replaced.
	CurrentOnly bool
}

// DefaultListLimit is how many rows a list call returns when the caller
// sets no limit.
const DefaultListLimit = 500

// RecordKind is the workflow a confirmation record comes from.
type RecordKind string

const (
	// RecordIdentify is a personal identification (本人確認).
	RecordIdentify RecordKind = "identify"
	// RecordQualify is a qualification confirmation (資格確認).
	RecordQualify RecordKind = "qualify"
	// RecordChange is a registration-change confirmation (異動確認).
	RecordChange RecordKind = "change"
)

// Verdict is what a confirmation concluded about the certificate and the
// signature.
type Verdict struct {
	SignatureOK bool
	ChainOK     bool
	// Root names the pinned root the chain ended at (for example its
	// SHA-256 fingerprint); empty when the chain failed.
	Root             string
	Revocation       RevocationStatus
	RevocationReason string
	RevocationSource string
}

// Record is one confirmation as the law asks a business to keep it: who
// (Attributes), when (At), how (Kind, Verdict), which certificate (Issuer,
// Serial) and by which operator. Records are append-only.
type Record struct {
	// Seq is the record's number, assigned by the store: 1, 2, 3... with no
	// gaps.
	Seq      int64
	Kind     RecordKind
	At       time.Time
	Operator string
	Verdict  Verdict
	CertKind card.KeyKind
	Issuer   string
	Serial   string
	// Attributes are the attributes shown to the operator: a signing
	// certificate's, or for a chip identification (CertKind AuthKey) the
	// birth date and sex of the card face and the name and address of the
	// verified text; nil when none were shown (an authentication-key
	// identification, a qualification, an age check). They are kept as
	// text (see the package documentation, "Attributes").
	Attributes *card.Attributes
	// ChallengeID is the token or challenge identifier, if any.
	ChallengeID string
	// EnrolmentID links the record to an enrolment, or 0.
	EnrolmentID int64
	// Details is further information the caller chose to keep (for example
	// the eligibility answer shown by qualify), typically JSON.
	Details string

	// PrevHash, RecordHash, Signature and SignerCert hold the operator
	// signature chained by hash. They are nil unless a
	// [SealFunc] filled them in.
	PrevHash   []byte
	RecordHash []byte
	Signature  []byte
	SignerCert []byte
}

// SealFunc is called by [RecordStore.AppendRecord] inside the append
// transaction, after r.Seq has been assigned and while no other append can
// run. prevHash is the RecordHash of the record numbered r.Seq-1 (nil for
// the first record or when that record was not sealed). The function may
// set r.PrevHash, r.RecordHash, r.Signature and r.SignerCert; it must not
// change other fields. An error aborts the append.
type SealFunc func(prevHash []byte, r *Record) error

// ValidityStatus is the eligibility answer's validity status, with the
// numbering an insurer's eligibility reply uses.
type ValidityStatus int

const (
	// StatusValid means exactly one registered qualification is in force.
	StatusValid ValidityStatus = 1
	// StatusInvalid means every qualification has ended.
	StatusInvalid ValidityStatus = 2
	// StatusInvalidNewer means no qualification is in force but a newer
	// one exists that has not started yet.
	StatusInvalidNewer ValidityStatus = 3
	// StatusNone means there is no qualification for the certificate.
	StatusNone ValidityStatus = 4
	// StatusSeveral means more than one qualification is in force: the
	// answer is ambiguous.
	StatusSeveral ValidityStatus = 5
	// StatusUnregistered means exactly one qualification is in force but
	// its Registered flag is false (see [Eligibility.Registered]).
	StatusUnregistered ValidityStatus = 6
)

// String returns the status in words.
func (s ValidityStatus) String() string {
	switch s {
	case StatusValid:
		return "valid"
	case StatusInvalid:
		return "invalid"
	case StatusInvalidNewer:
		return "invalid, newer qualification exists"
	case StatusNone:
		return "none"
	case StatusSeveral:
		return "several"
	case StatusUnregistered:
		return "valid but unregistered"
	}
	return "unknown"
}

// Eligibility is one health-insurance qualification linked to an
// authentication certificate. Its key is (Issuer, Serial, InsurerNumber,
// Symbol, Number, Branch): one certificate may carry several
// qualifications (an ended one and its successor, for example).
//
// Dates are civil dates held as midnight UTC; a zero time means "none".
type Eligibility struct {
	// Issuer and Serial identify the authentication certificate.
	Issuer string
	Serial string
	// InsurerNumber (保険者番号) is 8 digits, or 6 for national health
	// insurance (国民健康保険).
	InsurerNumber string
	// Symbol (記号) may be empty.
	Symbol string
	// Number (番号).
	Number string
	// Branch (枝番) is 2 digits.
	Branch string
	Name   string
	// NameKana is the name in full-width katakana; may be empty.
	NameKana  string
	BirthDate time.Time
	// Sex is "1" male or "2" female.
	Sex           string
	QualifiedFrom time.Time
	// QualifiedUntil is the last day of the qualification; zero when open.
	QualifiedUntil time.Time
	// CardValidUntil is the insurance card's validity; zero when none.
	CardValidUntil time.Time
	// CopayPercent is the copayment ratio: 10, 20 or 30.
	CopayPercent int
	// Registered says the holder has registered the Individual Number Card
	// for use as a health-insurance card (マイナ保険証の利用登録). A
	// qualification in force whose holder has not registered is answered
	// with StatusUnregistered: the insurer knows the link, the holder has
	// not consented to its use, so a caller must not treat it as confirmed.
	Registered bool
}

// EligibilityAnswer is the answer to [EligibilityStore.LookupEligibility].
type EligibilityAnswer struct {
	Status ValidityStatus
	// Record is the qualification the status speaks of: the one in force
	// (StatusValid, StatusUnregistered), the newer one not yet in force
	// (StatusInvalidNewer) or the one that ended last (StatusInvalid).
	// It is the zero value for StatusNone and StatusSeveral.
	Record Eligibility
	// Candidates holds every qualification of the certificate, newest
	// QualifiedFrom first.
	Candidates []Eligibility
}

// ImportResult counts what [EligibilityStore.ImportEligibilityCSV] wrote.
type ImportResult struct {
	// Inserted counts new qualifications; Updated counts existing ones
	// (same key) whose fields were replaced.
	Inserted int
	Updated  int
}
