package confirm

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/mynacard/mynacard/jpki/revocation"
)

// RevocationSources is where revocation data comes from, as an operator
// configures it: CRL files, directories or URLs, and an OCSP responder.
// Only verifiers registered with J-LIS receive this data.
type RevocationSources struct {
	// CRLs are CRL sources: a file (DER or PEM), a directory of *.crl,
	// *.der and *.pem files, or an http:// or https:// URL.
	CRLs []string
	// OCSP is the responder URL ("" for none).
	OCSP string
	// Issuers are the trusted issuers (the pinned roots) whose CRLs and
	// OCSP responses are accepted.
	Issuers []*x509.Certificate
	// CRLOptions configure the CRL set (HTTP client, size limits, cache).
	CRLOptions revocation.CRLSetOptions
}

// Configured reports whether any source is named.
func (s RevocationSources) Configured() bool { return len(s.CRLs) > 0 || s.OCSP != "" }

// ErrBadOCSPURL reports an OCSP responder URL that cannot be used.
var ErrBadOCSPURL = errors.New("bad OCSP responder URL")

// NewRevocationChecker loads every CRL source and builds the checker that
// answers for a certificate from them and the OCSP responder, with the
// one CRL decision procedure (revocation.StatusFromCRLs: a listing is
// revocation whatever the CRL's freshness; "good" needs a fresh CRL or an
// OCSP answer).
//
// A source named but unusable is an error, before anything else is done:
// a missing or unreadable file or directory, or a file that is not a CRL
// of a trusted issuer, gives a *revocation.SourceError naming it; a bad
// OCSP URL matches ErrBadOCSPURL. A CRL that loaded but is stale now, or a
// URL that did not answer now, is returned among warnings (each a
// *revocation.SourceError naming its source, matching revocation.ErrStale,
// ErrNotYetValid, ErrUnreachable or ErrResponder); the checker then
// answers "unknown" where it cannot decide, and a stale CRL's listings
// still count as revocations. With no source
// configured the checker is nil (every status is then "unknown: no
// source").
func NewRevocationChecker(ctx context.Context, src RevocationSources) (revocation.Checker, []error, error) {
	if !src.Configured() {
		return nil, nil, nil
	}
	var oc *revocation.OCSPClient
	if src.OCSP != "" {
		var err error
		oc, err = revocation.NewOCSPClient(revocation.OCSPConfig{URL: src.OCSP, Issuers: src.Issuers})
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %w", ErrBadOCSPURL, err)
		}
	}
	var crls *revocation.CRLSet
	var warnings []error
	if len(src.CRLs) > 0 {
		crls = revocation.NewCRLSet(src.Issuers, src.CRLOptions)
		for _, s := range src.CRLs {
			err := crls.LoadSource(ctx, s)
			var se *revocation.SourceError
			switch {
			case err == nil:
			case errors.As(err, &se):
				return nil, warnings, err
			default:
				warnings = append(warnings, &revocation.SourceError{Source: s, Err: err})
			}
		}
	}
	if oc == nil {
		return crls, warnings, nil
	}
	mode := revocation.ModeOCSPOnly
	if crls != nil {
		mode = revocation.ModeOCSPThenCRL
	}
	ch, err := revocation.NewCombined(mode, oc, crls)
	if err != nil {
		return nil, warnings, err
	}
	return ch, warnings, nil
}
