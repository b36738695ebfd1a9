package revocation

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
)

var (
	_ Checker = (*Combined)(nil)
	_ Checker = (*CRLSet)(nil)
	_ Checker = (*OCSPClient)(nil)
)

// Checker answers whether cert is revoked. It fails closed: anything but
// a verified answer is StatusUnknown with Result.Err saying why. The CRL
// set ([CRLSet]), the OCSP client ([OCSPClient]) and their combination
// ([Combined]) implement it; [Config.Load] builds one from configuration.
// A Checker matches the issuer of cert itself, by signature: JPKI roots
// of one kind share a name across generations.
type Checker interface {
	Check(ctx context.Context, cert *x509.Certificate) Result
}

// NoSource is the Checker of a configuration without a source: every
// answer is StatusUnknown with ErrNoSource, never good, so a policy that
// needs an answer refuses. [Config.Load] returns it when nothing is
// configured or the policy is off; [HasSource] tells it apart before a
// card is touched.
var NoSource Checker = noSource{}

type noSource struct{}

func (noSource) Check(context.Context, *x509.Certificate) Result {
	return Result{Status: StatusUnknown, Reason: ReasonNone, Source: "none", Err: ErrNoSource}
}

// HasSource reports whether ch answers from a source: false for nil and
// for NoSource. A hard policy without a source is refused up front with
// it, rather than at each check.
func HasSource(ch Checker) bool {
	if ch == nil {
		return false
	}
	_, none := ch.(noSource)
	return !none
}

// Mode says which sources a Combined checker asks, in which order.
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

// Combined combines revocation sources by configuration and fails closed:
// its answer is good only when a configured source gives a verified,
// fresh good; a missing source, a stale CRL, an unreachable responder, a
// bad signature or a malformed response yields StatusUnknown with every
// reason joined in Result.Err.
type Combined struct {
	mode Mode
	ocsp *OCSPClient
	crls *CRLSet
}

// NewCombined returns a checker for mode. A nil source that the mode needs
// is not an error here: the checker then answers unknown with ErrNoSource,
// so that a misconfiguration is visible in every answer rather than
// silently skipped.
func NewCombined(mode Mode, ocsp *OCSPClient, crls *CRLSet) (*Combined, error) {
	switch mode {
	case ModeOCSPThenCRL, ModeCRLOnly, ModeOCSPOnly:
	default:
		return nil, fmt.Errorf("configuring revocation checker: unknown mode %d", int(mode))
	}
	return &Combined{mode: mode, ocsp: ocsp, crls: crls}, nil
}

// Check implements Checker: the sources of the mode in order, the first
// verified answer winning; otherwise unknown with every reason joined.
func (c *Combined) Check(ctx context.Context, cert *x509.Certificate) Result {
	var tried []Result
	if c.mode == ModeOCSPThenCRL || c.mode == ModeOCSPOnly {
		r := c.askOCSP(ctx, cert)
		if r.Status != StatusUnknown {
			return r
		}
		tried = append(tried, r)
	}
	if c.mode == ModeOCSPThenCRL || c.mode == ModeCRLOnly {
		r := c.askCRL(ctx, cert)
		if r.Status != StatusUnknown {
			return r
		}
		tried = append(tried, r)
	}
	return joinUnknown(tried)
}

func (c *Combined) askOCSP(ctx context.Context, cert *x509.Certificate) Result {
	if c.ocsp == nil {
		return unknown("ocsp", fmt.Errorf("%w: no OCSP responder configured", ErrNoSource))
	}
	if err := ctx.Err(); err != nil {
		return unknown(c.ocsp.source(), fmt.Errorf("%w: %w", ErrUnreachable, err))
	}
	return c.ocsp.Check(ctx, cert)
}

func (c *Combined) askCRL(ctx context.Context, cert *x509.Certificate) Result {
	if c.crls == nil {
		return unknown("crl", fmt.Errorf("%w: no CRL configured", ErrNoSource))
	}
	return c.crls.Check(ctx, cert)
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
