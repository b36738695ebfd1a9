package revocation

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
)

// Mode says which sources a Checker asks, in which order.
type Mode int

const (
	// ModeOCSPThenCRL asks the OCSP responder and falls back to the CRLs
	// when it gives no verified answer.
	ModeOCSPThenCRL Mode = iota + 1
	// ModeCRLOnly uses the CRLs only.
	ModeCRLOnly
	// ModeOCSPOnly uses the OCSP responder only.
	ModeOCSPOnly
)

// String returns "ocsp+crl", "crl" or "ocsp".
func (m Mode) String() string {
	switch m {
	case ModeOCSPThenCRL:
		return "ocsp+crl"
	case ModeCRLOnly:
		return "crl"
	case ModeOCSPOnly:
		return "ocsp"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Checker combines revocation sources by configuration and fails closed:
// its answer is good only when a configured source gives a verified,
// fresh good; a missing source, a stale CRL, an unreachable responder, a
// bad signature or a malformed response yields StatusUnknown with every
// reason joined in Result.Err.
type Checker struct {
	mode Mode
	ocsp *OCSPClient
	crls *CRLSet
}

// NewChecker returns a checker for mode. A nil source that the mode needs
// is not an error here: the checker then answers unknown with ErrNoSource,
// so that a misconfiguration is visible in every answer rather than
// silently skipped.
func NewChecker(mode Mode, ocsp *OCSPClient, crls *CRLSet) (*Checker, error) {
	switch mode {
	case ModeOCSPThenCRL, ModeCRLOnly, ModeOCSPOnly:
	default:
		return nil, fmt.Errorf("configuring revocation checker: unknown mode %d", int(mode))
	}
	return &Checker{mode: mode, ocsp: ocsp, crls: crls}, nil
}

// Check returns cert's revocation status.
func (c *Checker) Check(ctx context.Context, cert *x509.Certificate) Result {
	var tried []Result
	if c.mode == ModeOCSPThenCRL || c.mode == ModeOCSPOnly {
		r := c.askOCSP(ctx, cert)
		if r.Status != StatusUnknown {
			return r
		}
		tried = append(tried, r)
	}
	if c.mode == ModeOCSPThenCRL || c.mode == ModeCRLOnly {
		r := c.askCRL(cert)
		if r.Status != StatusUnknown {
			return r
		}
		tried = append(tried, r)
	}
	return joinUnknown(tried)
}

func (c *Checker) askOCSP(ctx context.Context, cert *x509.Certificate) Result {
	if c.ocsp == nil {
		return unknown("ocsp", fmt.Errorf("%w: no OCSP responder configured", ErrNoSource))
	}
	if err := ctx.Err(); err != nil {
		return unknown(c.ocsp.source(), fmt.Errorf("%w: %w", ErrUnreachable, err))
	}
	return c.ocsp.Status(ctx, cert)
}

func (c *Checker) askCRL(cert *x509.Certificate) Result {
	if c.crls == nil {
		return unknown("crl", fmt.Errorf("%w: no CRL configured", ErrNoSource))
	}
	return c.crls.Status(cert)
}

// joinUnknown merges the unknown answers of every source tried.
func joinUnknown(tried []Result) Result {
	out := Result{Status: StatusUnknown, Reason: ReasonNone}
	var errs []error
	for i, r := range tried {
		if i > 0 {
			out.Source += ", then "
		}
		out.Source += r.Source
		err := r.Err
		if err == nil {
			err = ErrNoSource
		}
		errs = append(errs, fmt.Errorf("%s: %w", r.Source, err))
	}
	out.Err = errors.Join(errs...)
	if out.Err == nil {
		out.Err = ErrNoSource
	}
	return out
}
