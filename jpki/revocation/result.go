package revocation

import (
	"errors"
	"fmt"
	"time"
)

// Status is a revocation verdict. The zero value is StatusUnknown, so a
// Result that nobody filled in never reads as good.
type Status int

const (
	// StatusUnknown means no verified source answered; Result.Err says why.
	StatusUnknown Status = iota
	// StatusGood means a fresh, verified source covers the certificate and
	// does not list it.
	StatusGood
	// StatusRevoked means a fresh, verified source lists the certificate.
	StatusRevoked
)

// String returns "unknown", "good" or "revoked".
func (s Status) String() string {
	switch s {
	case StatusGood:
		return "good"
	case StatusRevoked:
		return "revoked"
	case StatusUnknown:
		return "unknown"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Reason is a CRLReason (RFC 5280 §5.3.1), shared by CRL entries and OCSP
// revokedInfo (RFC 6960 §4.2.1).
type Reason int

// CRLReason values (RFC 5280 §5.3.1). docs/certificates.md "Revocation" gives the
// JPKI meanings of the ones J-LIS uses.
const (
	// ReasonNone means the entry carries no reasonCode extension; RFC 5280
	// §5.3.1 says to treat that as unspecified.
	ReasonNone Reason = -1
	// ReasonUnspecified (0).
	ReasonUnspecified Reason = 0
	// ReasonKeyCompromise (1): the private key is compromised.
	ReasonKeyCompromise Reason = 1
	// ReasonCACompromise (2).
	ReasonCACompromise Reason = 2
	// ReasonAffiliationChanged (3): in JPKI a registration change (異動):
	// the holder's name, address, birth date or sex changed.
	ReasonAffiliationChanged Reason = 3
	// ReasonSuperseded (4): renewed.
	ReasonSuperseded Reason = 4
	// ReasonCessationOfOperation (5): no longer needed.
	ReasonCessationOfOperation Reason = 5
	// ReasonCertificateHold (6): suspended; treated as revoked.
	ReasonCertificateHold Reason = 6
	// ReasonRemoveFromCRL (8): only meaningful in delta CRLs, which this
	// package refuses; an entry that carries it is still reported revoked.
	ReasonRemoveFromCRL Reason = 8
	// ReasonPrivilegeWithdrawn (9).
	ReasonPrivilegeWithdrawn Reason = 9
	// ReasonAACompromise (10).
	ReasonAACompromise Reason = 10
)

// reasonMax is the largest defined CRLReason; 7 is unused (RFC 5280 §5.3.1).
const reasonMax = ReasonAACompromise

// reasonUnused is the CRLReason value RFC 5280 leaves unassigned.
const reasonUnused Reason = 7

func (r Reason) valid() bool {
	return r >= ReasonUnspecified && r <= reasonMax && r != reasonUnused
}

var reasonNames = map[Reason]string{
	ReasonNone:                 "none",
	ReasonUnspecified:          "unspecified",
	ReasonKeyCompromise:        "keyCompromise",
	ReasonCACompromise:         "cACompromise",
	ReasonAffiliationChanged:   "affiliationChanged",
	ReasonSuperseded:           "superseded",
	ReasonCessationOfOperation: "cessationOfOperation",
	ReasonCertificateHold:      "certificateHold",
	ReasonRemoveFromCRL:        "removeFromCRL",
	ReasonPrivilegeWithdrawn:   "privilegeWithdrawn",
	ReasonAACompromise:         "aACompromise",
}

// String returns the RFC 5280 name, such as "affiliationChanged".
func (r Reason) String() string {
	if s, ok := reasonNames[r]; ok {
		return s
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// RegistrationChanged reports whether r is affiliationChanged, which JPKI
// uses for a registration change (異動): ask the holder to sign again with
// the new certificate (docs/certificates.md "Registration-change confirmation").
func (r Reason) RegistrationChanged() bool { return r == ReasonAffiliationChanged }

// Result is the answer for one certificate.
type Result struct {
	// Status is the verdict. Anything but StatusGood must be treated as
	// "not good" by the caller.
	Status Status
	// Reason and RevokedAt are set when Status is StatusRevoked.
	Reason    Reason
	RevokedAt time.Time
	// Source names what answered ("crl ..." or "ocsp ..."), or for
	// StatusUnknown what was tried.
	Source string
	// ThisUpdate and NextUpdate are the answering source's validity.
	ThisUpdate, NextUpdate time.Time
	// Err says why Status is StatusUnknown; it matches the package's
	// sentinels with errors.Is (ErrNoSource, ErrStale, ErrBadSignature...).
	// It is nil for good and revoked answers.
	Err error
}

// unknown returns a StatusUnknown result.
func unknown(source string, err error) Result {
	return Result{Status: StatusUnknown, Reason: ReasonNone, Source: source, Err: err}
}

// Sentinel errors. Results and loaders wrap them, so callers branch with
// errors.Is.
var (
	// ErrNoSource means no revocation source is configured or none covers
	// the certificate's issuer.
	ErrNoSource = errors.New("revocation: no revocation source")
	// ErrUnknownIssuer means no trusted issuer matches (by name and by
	// signature) the certificate, CRL or OCSP response.
	ErrUnknownIssuer = errors.New("revocation: unknown issuer")
	// ErrNotCovered means CRLs of the issuer are loaded but none covers the
	// certificate's CRL distribution point.
	ErrNotCovered = errors.New("revocation: no CRL covers the certificate's distribution point")
	// ErrStale means a CRL or OCSP response is past its nextUpdate.
	ErrStale = errors.New("revocation: stale revocation data")
	// ErrNotYetValid means a CRL or OCSP response has a thisUpdate in the
	// future (beyond the allowed clock skew).
	ErrNotYetValid = errors.New("revocation: revocation data not yet valid")
	// ErrBadSignature means a CRL or OCSP response is not signed by the
	// trusted issuer (or an authorised responder).
	ErrBadSignature = errors.New("revocation: bad signature")
	// ErrMalformed means the bytes are not a well-formed CRL, OCSP response
	// or batch line.
	ErrMalformed = errors.New("revocation: malformed data")
	// ErrUnsupported means a well-formed feature this package refuses to
	// evaluate (delta or indirect CRLs, partial-reason CRLs, unknown
	// critical extensions, unsupported signature algorithms).
	ErrUnsupported = errors.New("revocation: unsupported feature")
	// ErrTooLarge means an input exceeds its configured size limit.
	ErrTooLarge = errors.New("revocation: input too large")
	// ErrUnreachable means an HTTP source could not be reached or timed out.
	ErrUnreachable = errors.New("revocation: source unreachable")
	// ErrResponder means an OCSP responder or CRL server answered with an
	// error (HTTP status, OCSP responseStatus other than successful).
	ErrResponder = errors.New("revocation: responder error")
	// ErrNonceMismatch means an OCSP response echoed a different nonce.
	ErrNonceMismatch = errors.New("revocation: OCSP nonce mismatch")
	// ErrResponderUnknown means the OCSP responder answered "unknown" for
	// the certificate.
	ErrResponderUnknown = errors.New("revocation: responder does not know the certificate")
)

// StaleError is a freshness failure; it matches ErrStale or ErrNotYetValid.
type StaleError struct {
	// Source names the CRL or responder.
	Source string
	// At is the time of the check; ThisUpdate and NextUpdate are the data's.
	At, ThisUpdate, NextUpdate time.Time
	// NotYetValid is set when ThisUpdate is after At (beyond the skew).
	NotYetValid bool
}

// Error describes the failure.
func (e *StaleError) Error() string {
	if e.NotYetValid {
		return fmt.Sprintf("revocation: %s not valid until %s (checked at %s)", e.Source,
			e.ThisUpdate.UTC().Format(time.RFC3339), e.At.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("revocation: %s stale: nextUpdate %s is before %s", e.Source,
		e.NextUpdate.UTC().Format(time.RFC3339), e.At.UTC().Format(time.RFC3339))
}

// Unwrap returns ErrStale or ErrNotYetValid.
func (e *StaleError) Unwrap() error {
	if e.NotYetValid {
		return ErrNotYetValid
	}
	return ErrStale
}

// ClockSkew is the allowance applied to thisUpdate and nextUpdate in every
// freshness check, for clocks that disagree between the CA and the
// verifier. no source states it; five minutes is the usual choice
// (RFC 5019 §4 leaves it to local policy).
const ClockSkew = 5 * time.Minute

// checkFresh reports whether data valid from thisUpdate to nextUpdate
// (zero: no nextUpdate) may be used at t. source is only called on
// failure, so the common path does not build strings.
func checkFresh(source func() string, t, thisUpdate, nextUpdate time.Time) error {
	if thisUpdate.After(t.Add(ClockSkew)) {
		return &StaleError{Source: source(), At: t, ThisUpdate: thisUpdate, NextUpdate: nextUpdate, NotYetValid: true}
	}
	if !nextUpdate.IsZero() && t.After(nextUpdate.Add(ClockSkew)) {
		return &StaleError{Source: source(), At: t, ThisUpdate: thisUpdate, NextUpdate: nextUpdate}
	}
	return nil
}

// named returns a constant source name for checkFresh.
func named(s string) func() string { return func() string { return s } }
