package jpki

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/jpkioid"
)

// Reason says why a verification failed.
type Reason int

// Reasons of a *VerifyError. Each has a sentinel error that the
// VerifyError matches with errors.Is.
const (
	// ReasonUnknownIssuer: no root has the certificate's issuer name.
	ReasonUnknownIssuer Reason = iota + 1
	// ReasonBadSignature: roots with the issuer's name exist, but none of
	// their keys verifies the signature.
	ReasonBadSignature
	// ReasonExpired: the certificate's validity ended before the time.
	ReasonExpired
	// ReasonNotYetValid: the certificate's validity starts after the time.
	ReasonNotYetValid
	// ReasonWrongKind: the certificate is not the kind asked for, its
	// profile is neither kind, or it differs from the root's hierarchy.
	ReasonWrongKind
	// ReasonKeyUsage: the key usage lacks nonRepudiation (signing) or
	// digitalSignature (authentication).
	ReasonKeyUsage
	// ReasonPolicy: the certificate asserts no policy acceptable for its
	// kind under that root.
	ReasonPolicy
	// ReasonRootConstraints: the issuing root is not a CA by its basic
	// constraints or may not sign certificates by its key usage.
	ReasonRootConstraints
	// ReasonRootNotValid: the issuing root is not valid at the time.
	ReasonRootNotValid
	// ReasonCriticalExtension: the certificate has a critical extension
	// this package does not process.
	ReasonCriticalExtension
	// ReasonTestRoot: the certificate chains to a test root but the check
	// requires production.
	ReasonTestRoot
)

// Sentinel errors for the reasons, for errors.Is.
var (
	// ErrUnknownIssuer is ReasonUnknownIssuer's sentinel.
	ErrUnknownIssuer = errors.New("jpki: issuer is no trusted root")
	// ErrBadSignature is ReasonBadSignature's sentinel.
	ErrBadSignature = errors.New("jpki: signature verifies with no trusted root")
	// ErrExpired is ReasonExpired's sentinel.
	ErrExpired = errors.New("jpki: certificate expired")
	// ErrNotYetValid is ReasonNotYetValid's sentinel.
	ErrNotYetValid = errors.New("jpki: certificate not yet valid")
	// ErrWrongKind is ReasonWrongKind's sentinel; NewSigner also uses it
	// for a certificate that does not go with the key.
	ErrWrongKind = errors.New("jpki: wrong kind of certificate")
	// ErrKeyUsage is ReasonKeyUsage's sentinel.
	ErrKeyUsage = errors.New("jpki: key usage not allowed")
	// ErrPolicy is ReasonPolicy's sentinel.
	ErrPolicy = errors.New("jpki: certificate policy not accepted")
	// ErrRootConstraints is ReasonRootConstraints' sentinel.
	ErrRootConstraints = errors.New("jpki: root may not issue certificates")
	// ErrRootNotValid is ReasonRootNotValid's sentinel.
	ErrRootNotValid = errors.New("jpki: root not valid at that time")
	// ErrCriticalExtension is ReasonCriticalExtension's sentinel.
	ErrCriticalExtension = errors.New("jpki: unhandled critical extension")
	// ErrTestRoot is ReasonTestRoot's sentinel.
	ErrTestRoot = errors.New("jpki: certificate chains to a test root")
)

// String returns a short lower-case name such as "expired".
func (r Reason) String() string {
	switch r {
	case ReasonUnknownIssuer:
		return "unknown-issuer"
	case ReasonBadSignature:
		return "bad-signature"
	case ReasonExpired:
		return "expired"
	case ReasonNotYetValid:
		return "not-yet-valid"
	case ReasonWrongKind:
		return "wrong-kind"
	case ReasonKeyUsage:
		return "key-usage"
	case ReasonPolicy:
		return "policy"
	case ReasonRootConstraints:
		return "root-constraints"
	case ReasonRootNotValid:
		return "root-not-valid"
	case ReasonCriticalExtension:
		return "critical-extension"
	case ReasonTestRoot:
		return "test-root"
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// sentinel returns the reason's sentinel error, nil for an unknown reason.
func (r Reason) sentinel() error {
	switch r {
	case ReasonUnknownIssuer:
		return ErrUnknownIssuer
	case ReasonBadSignature:
		return ErrBadSignature
	case ReasonExpired:
		return ErrExpired
	case ReasonNotYetValid:
		return ErrNotYetValid
	case ReasonWrongKind:
		return ErrWrongKind
	case ReasonKeyUsage:
		return ErrKeyUsage
	case ReasonPolicy:
		return ErrPolicy
	case ReasonRootConstraints:
		return ErrRootConstraints
	case ReasonRootNotValid:
		return ErrRootNotValid
	case ReasonCriticalExtension:
		return ErrCriticalExtension
	case ReasonTestRoot:
		return ErrTestRoot
	}
	return nil
}

// VerifyError is a failed verification. It matches its reason's sentinel
// with errors.Is.
type VerifyError struct {
	// Reason says what failed.
	Reason Reason
	// Root is the root that signed the certificate, when one did.
	Root *Root
	// Detail says more, for people.
	Detail string
}

// Error returns "verifying certificate: <sentinel text>: <detail>".
func (e *VerifyError) Error() string {
	msg := "verifying certificate: " + e.Unwrap().Error()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// ErrVerification is what a VerifyError with an unknown Reason unwraps
// to.
var ErrVerification = errors.New("jpki: verification failed")

// Unwrap returns the reason's sentinel error.
func (e *VerifyError) Unwrap() error {
	if s := e.Reason.sentinel(); s != nil {
		return s
	}
	return ErrVerification
}

// VerifyOptions parameterise [Verify].
type VerifyOptions struct {
	// Time is the instant at which the certificate and root must be valid.
	// The zero Time means time.Now().
	Time time.Time
	// card.KeyKind is the kind the caller expects. 0 accepts either kind
	// (the certificate's own kind must still be known).
	Kind card.KeyKind
	// RequireProduction refuses a certificate that chains to a test root,
	// even when the Roots enable the test hierarchy.
	RequireProduction bool
}

// Verification is a successful verification.
type Verification struct {
	// Root is the root whose key verified the certificate's signature.
	Root *Root
	// card.KeyKind is the certificate's kind.
	Kind card.KeyKind
	// Generation is the root's generation (Root.Generation).
	Generation int
	// Production is true when the root is a J-LIS production root, false
	// for a test root.
	Production bool
	// Time is the instant the verification was made for.
	Time time.Time
}

// Fingerprint is the issuing root's SHA-256 fingerprint.
func (v *Verification) Fingerprint() Fingerprint { return v.Root.Fingerprint }

// Verify checks cert against roots at opts.Time: a root with the issuer's
// name whose key verifies the signature (every root with that name is
// tried, because generations share one name), the root's basic constraints
// and validity, the certificate's validity, kind, key usage (nonRepudiation
// for signing, digitalSignature for authentication), policy (the test
// policies only under a test root) and critical extensions. JPKI roots
// issue end-entity certificates directly, so a chain is one link.
//
// Failures are *VerifyError values.
func Verify(cert *Certificate, roots *Roots, opts VerifyOptions) (*Verification, error) {
	if cert == nil || cert.Certificate == nil {
		return nil, errors.New("verifying certificate: nil certificate")
	}
	if roots == nil {
		return nil, &VerifyError{Reason: ReasonUnknownIssuer, Detail: "no roots"}
	}
	at := opts.Time
	if at.IsZero() {
		at = time.Now()
	}
	if cert.Kind == 0 {
		return nil, &VerifyError{Reason: ReasonWrongKind, Detail: "profile is neither signing nor authentication"}
	}
	if opts.Kind != 0 && cert.Kind != opts.Kind {
		return nil, &VerifyError{Reason: ReasonWrongKind, Detail: fmt.Sprintf("%s certificate, want %s", cert.Kind, opts.Kind)}
	}
	root, err := findIssuer(cert.Certificate, roots)
	if err != nil {
		return nil, err
	}
	fail := func(r Reason, format string, args ...any) (*Verification, error) {
		return nil, &VerifyError{Reason: r, Root: root, Detail: fmt.Sprintf(format, args...)}
	}
	rc := root.Certificate
	if !rc.BasicConstraintsValid || !rc.IsCA {
		return fail(ReasonRootConstraints, "root %s is not a CA", root.Fingerprint)
	}
	if rc.KeyUsage != 0 && rc.KeyUsage&x509.KeyUsageCertSign == 0 {
		return fail(ReasonRootConstraints, "root %s key usage lacks keyCertSign", root.Fingerprint)
	}
	if at.Before(rc.NotBefore) || at.After(rc.NotAfter) {
		return fail(ReasonRootNotValid, "root %s valid %s to %s", root.Fingerprint, stamp(rc.NotBefore), stamp(rc.NotAfter))
	}
	if opts.RequireProduction && !root.Production {
		return fail(ReasonTestRoot, "root %s is a test root", root.Fingerprint)
	}
	if root.Kind != cert.Kind {
		return fail(ReasonWrongKind, "%s certificate issued by a %s root", cert.Kind, root.Kind)
	}
	if at.Before(cert.NotBefore) {
		return fail(ReasonNotYetValid, "valid from %s, time is %s", stamp(cert.NotBefore), stamp(at))
	}
	if at.After(cert.NotAfter) {
		return fail(ReasonExpired, "valid until %s, time is %s", stamp(cert.NotAfter), stamp(at))
	}
	if len(cert.UnhandledCriticalExtensions) > 0 {
		return fail(ReasonCriticalExtension, "%v", cert.UnhandledCriticalExtensions)
	}
	if err := checkKeyUsage(cert); err != nil {
		return fail(ReasonKeyUsage, "%v", err)
	}
	if !policyAccepted(cert, root) {
		return fail(ReasonPolicy, "%v asserted, none accepted for a %s certificate under a %s root",
			policies(cert.Certificate), cert.Kind, hierarchyName(root))
	}
	return &Verification{Root: root, Kind: cert.Kind, Generation: root.Generation, Production: root.Production, Time: at}, nil
}

// findIssuer returns the root whose key verifies cert's signature, trying
// every root with the issuer's name.
func findIssuer(cert *x509.Certificate, roots *Roots) (*Root, error) {
	cands := roots.byIssuer(cert.RawIssuer)
	if len(cands) == 0 {
		return nil, &VerifyError{Reason: ReasonUnknownIssuer, Detail: "issuer " + cert.Issuer.String()}
	}
	var lastErr error
	for _, root := range cands {
		err := root.Certificate.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature)
		if err == nil {
			return root, nil
		}
		lastErr = err
	}
	return nil, &VerifyError{Reason: ReasonBadSignature,
		Detail: fmt.Sprintf("tried %d roots named %s: %v", len(cands), cert.Issuer, lastErr)}
}

func checkKeyUsage(cert *Certificate) error {
	switch cert.Kind {
	case card.SignKey:
		if cert.KeyUsage&x509.KeyUsageContentCommitment == 0 {
			return errors.New("signing certificate without nonRepudiation")
		}
	case card.AuthKey:
		if cert.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
			return errors.New("authentication certificate without digitalSignature")
		}
		if cert.KeyUsage&x509.KeyUsageContentCommitment != 0 {
			return errors.New("authentication certificate with nonRepudiation")
		}
	}
	return nil
}

// policyAccepted reports whether cert asserts its kind's production policy
// or, under a test root only, its kind's test policy.
func policyAccepted(cert *Certificate, root *Root) bool {
	prod, test := jpkioid.PolicySign, jpkioid.PolicySignTest
	if cert.Kind == card.AuthKey {
		prod, test = jpkioid.PolicyAuth, jpkioid.PolicyAuthTest
	}
	if hasPolicy(cert.Certificate, prod) {
		return true
	}
	return !root.Production && hasPolicy(cert.Certificate, test)
}

func hierarchyName(r *Root) string {
	if r.Production {
		return "production"
	}
	return "test"
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
