package confirm

import (
	"errors"
	"strings"
	"time"

	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/store"
)

// Verdict is what a confirmation concluded, one field per check. OK is
// true only when the signature verified, the chain reached a trusted root
// (a production one when the Confirmer requires it) and the revocation
// answer is acceptable under the revocation policy.
type Verdict struct {
	OK bool `json:"ok"`
	// Refusal names the first check that failed, empty when OK: one of
	// RefusalSignature, RefusalChain, RefusalRevoked,
	// RefusalRevocationUnknown. A CLI maps it to its exit codes.
	Refusal    RefusalCode      `json:"refusal,omitempty"`
	Signature  SignatureResult  `json:"signature"`
	Chain      ChainResult      `json:"chain"`
	Revocation RevocationResult `json:"revocation"`
}

// RefusalCode says why a confirmation was refused: Verdict.Refusal,
// ChipVerdict.Refusal and AgeResult.Refusal. Empty means not refused.
type RefusalCode string

// Refusal codes of Verdict.Refusal.
const (
	RefusalSignature         RefusalCode = "bad_signature"
	RefusalChain             RefusalCode = "chain"
	RefusalRevoked           RefusalCode = "revoked"
	RefusalRevocationUnknown RefusalCode = "revocation_unknown"
)

// refusal names the first failed check of v under p.
func refusal(v Verdict, p revocation.Policy) RefusalCode {
	switch {
	case !v.Signature.OK:
		return RefusalSignature
	case !v.Chain.OK:
		return RefusalChain
	case v.Revocation.Status == RevocationRevoked:
		return RefusalRevoked
	case !accepts(p, v.Revocation):
		return RefusalRevocationUnknown
	}
	return ""
}

// SignatureResult says whether the card's signature over the challenge
// verified with the certificate's public key.
type SignatureResult struct {
	OK bool `json:"ok"`
	// Algorithm is the signature scheme checked.
	Algorithm string `json:"algorithm"`
	// Detail says why it failed, for people.
	Detail string `json:"detail,omitempty"`
}

// ChainResult is the certificate's verification to a pinned root at the
// time of the confirmation (jpki.Verify).
type ChainResult struct {
	OK bool `json:"ok"`
	// Code is the jpki.Reason of a failure with "_" for "-" ("expired",
	// "test_root", "unknown_issuer"...),
	// empty when OK.
	Code string `json:"code,omitempty"`
	// RootFingerprint is the SHA-256 of the issuing root, upper-case hex.
	RootFingerprint string `json:"root_fingerprint,omitempty"`
	// Generation is the root generation (1, 2, 3; 0 unknown).
	Generation int `json:"generation,omitempty"`
	// Production is true for a J-LIS production root, false for a test
	// root.
	Production bool `json:"production"`
	// At is the time the chain was verified for.
	At     time.Time `json:"at"`
	Detail string    `json:"detail,omitempty"`
}

// RevocationStatus is a revocation verdict as confirm reports it.
type RevocationStatus string

// Revocation statuses. Only RevocationGood is good.
const (
	// RevocationGood: a fresh, verified source covers the certificate and
	// does not list it.
	RevocationGood RevocationStatus = "good"
	// RevocationRevoked: a source lists the certificate; Reason says why.
	RevocationRevoked RevocationStatus = "revoked"
	// RevocationUnknown: revocation could not be checked (no source, stale
	// data, unreachable responder...); Code says why.
	RevocationUnknown RevocationStatus = "unknown"
	// RevocationNotChecked: revocation.PolicyOff, nothing was consulted.
	RevocationNotChecked RevocationStatus = "not_checked"
)

// RevocationResult is the revocation answer for the certificate.
type RevocationResult struct {
	Status RevocationStatus `json:"status"`
	// Reason is the CRL reason name when revoked, for example
	// "affiliationChanged" (a registration change, 異動).
	Reason string `json:"reason,omitempty"`
	// RegistrationChanged is true for affiliationChanged.
	RegistrationChanged bool `json:"registration_changed,omitempty"`
	// RevokedAt is the revocation time when revoked.
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	// Code says why the status is unknown (RevCodeNoSource, ...).
	Code RevocationCode `json:"code,omitempty"`
	// Source names what answered or what was tried.
	Source string `json:"source,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// RevocationCode says why a revocation status is unknown
// (RevocationResult.Code).
type RevocationCode string

// Revocation codes of RevocationResult.Code for an unknown status.
const (
	// RevCodeNoSource: no CRL or responder covers the certificate's issuer.
	RevCodeNoSource RevocationCode = "no_source"
	// RevCodeNoIssuer: no trusted root issued the certificate.
	RevCodeNoIssuer RevocationCode = "no_issuer"
	// RevCodeNotCovered: only distribution-point CRLs that do not cover
	// the certificate are loaded.
	RevCodeNotCovered RevocationCode = "not_covered"
	// RevCodeStale: the CRL's nextUpdate has passed.
	RevCodeStale RevocationCode = "stale"
	// RevCodeNotYetValid: the CRL's thisUpdate is in the future.
	RevCodeNotYetValid RevocationCode = "not_yet_valid"
	// RevCodeBadSignature: the CRL or OCSP response does not verify.
	RevCodeBadSignature RevocationCode = "bad_signature"
	// RevCodeUnreachable: the source did not answer.
	RevCodeUnreachable RevocationCode = "unreachable"
	// RevCodeResponderError: the OCSP responder answered with an error.
	RevCodeResponderError RevocationCode = "responder_error"
	// RevCodeResponderUnknown: the OCSP responder does not know the
	// certificate.
	RevCodeResponderUnknown RevocationCode = "responder_unknown"
	// RevCodeError: any other failure (Detail says which).
	RevCodeError RevocationCode = "error"
)

// Accepted reports whether r is acceptable under p, as
// revocation.Policy.Accepts decides for a revocation.Result: anything
// under off, anything but revoked under soft, only good under hard.
func (r RevocationResult) Accepted(p revocation.Policy) bool { return accepts(p, r) }

// accepts is RevocationResult.Accepted ("not_checked" only happens under
// off).
func accepts(p revocation.Policy, r RevocationResult) bool {
	switch p {
	case revocation.PolicyOff:
		return true
	case revocation.PolicySoft:
		return r.Status != RevocationRevoked
	}
	return r.Status == RevocationGood
}

// issuedResult converts a checker's answer for a certificate whose
// trusted issuer confirm has found: a checker that knows no issuer of it
// (no CRL of that key, a responder for other issuers) has no data for
// it, so its unknown answer is "no_source", not "no_issuer" (which says
// that no trusted root issued the certificate).
func issuedResult(r revocation.Result) RevocationResult {
	out := RevocationResultOf(r)
	if out.Code == RevCodeNoIssuer {
		out.Code = RevCodeNoSource
	}
	return out
}

// RevocationResultOf converts a revocation checker's answer to the shape
// of verdicts, with its RevocationCode when the status is unknown: for a
// caller that checks a certificate itself (a signed document's signer)
// and reports it beside confirm's verdicts.
func RevocationResultOf(r revocation.Result) RevocationResult {
	out := RevocationResult{Source: r.Source}
	switch r.Status {
	case revocation.StatusGood:
		out.Status = RevocationGood
	case revocation.StatusRevoked:
		out.Status = RevocationRevoked
		out.Reason = r.Reason.String()
		if r.Reason == revocation.ReasonNone {
			// RFC 5280 §5.3.1: an entry without a reasonCode is unspecified.
			out.Reason = revocation.ReasonUnspecified.String()
		}
		out.RegistrationChanged = r.Reason.RegistrationChanged()
		out.RevokedAt = r.RevokedAt
	default:
		out.Status = RevocationUnknown
		out.Code = revocationCode(r.Err)
		if r.Err != nil {
			out.Detail = r.Err.Error()
		} else {
			out.Detail = "the revocation source gave no answer"
		}
	}
	return out
}

// revocationCode names why a status is unknown.
func revocationCode(err error) RevocationCode {
	for _, c := range []struct {
		err  error
		code RevocationCode
	}{
		{revocation.ErrNoSource, RevCodeNoSource},
		{revocation.ErrUnknownIssuer, RevCodeNoIssuer},
		{revocation.ErrNotCovered, RevCodeNotCovered},
		{revocation.ErrStale, RevCodeStale},
		{revocation.ErrNotYetValid, RevCodeNotYetValid},
		{revocation.ErrBadSignature, RevCodeBadSignature},
		{revocation.ErrUnreachable, RevCodeUnreachable},
		{revocation.ErrResponder, RevCodeResponderError},
		{revocation.ErrResponderUnknown, RevCodeResponderUnknown},
	} {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return RevCodeError
}

// storeVerdict converts a Verdict for a store record.
func storeVerdict(v Verdict) store.Verdict {
	return store.Verdict{
		SignatureOK:      v.Signature.OK,
		ChainOK:          v.Chain.OK,
		Root:             v.Chain.RootFingerprint,
		Revocation:       storeRevocationStatus(v.Revocation.Status),
		RevocationReason: v.Revocation.Reason,
		RevocationSource: v.Revocation.Source,
	}
}

func storeRevocationStatus(s RevocationStatus) store.RevocationStatus {
	switch s {
	case RevocationGood:
		return store.RevocationGood
	case RevocationRevoked:
		return store.RevocationRevoked
	case RevocationUnknown:
		return store.RevocationUnknown
	}
	return store.RevocationUnchecked
}

// chainResult converts jpki.Verify's answer.
func chainResult(v *jpki.Verification, err error, at time.Time) ChainResult {
	out := ChainResult{At: at}
	if err != nil {
		out.Detail = err.Error()
		out.Code = "error"
		var ve *jpki.VerifyError
		if errors.As(err, &ve) {
			out.Code = strings.ReplaceAll(ve.Reason.String(), "-", "_")
			if ve.Root != nil {
				out.RootFingerprint = ve.Root.Fingerprint.String()
				out.Generation = ve.Root.Generation
				out.Production = ve.Root.Production
			}
		}
		return out
	}
	out.OK = true
	out.RootFingerprint = v.Fingerprint().String()
	out.Generation = v.Generation
	out.Production = v.Production
	return out
}
