package revocation

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// Policy says what a revocation answer does to a verdict. The zero value
// is PolicyHard: fail closed.
type Policy int

// Revocation policies (hard, soft, off).
const (
	// PolicyHard accepts only a "good" answer.
	PolicyHard Policy = iota
	// PolicySoft refuses a revoked certificate but accepts one whose
	// status could not be checked; the answer still says unknown.
	PolicySoft
	// PolicyOff does not consult revocation at all.
	PolicyOff
)

// String returns "hard", "soft" or "off".
func (p Policy) String() string {
	switch p {
	case PolicyHard:
		return "hard"
	case PolicySoft:
		return "soft"
	case PolicyOff:
		return "off"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// ParsePolicy parses "hard" (or ""), "soft" or "off", in any case.
func ParsePolicy(s string) (Policy, error) {
	switch strings.ToLower(s) {
	case "hard", "":
		return PolicyHard, nil
	case "soft":
		return PolicySoft, nil
	case "off":
		return PolicyOff, nil
	}
	return 0, fmt.Errorf("parsing revocation policy: %q is not hard, soft or off", s)
}

// MarshalText writes the policy's name.
func (p Policy) MarshalText() ([]byte, error) {
	switch p {
	case PolicyHard, PolicySoft, PolicyOff:
		return []byte(p.String()), nil
	}
	return nil, fmt.Errorf("marshalling revocation policy: unknown %d", int(p))
}

// UnmarshalText is ParsePolicy.
func (p *Policy) UnmarshalText(b []byte) error {
	v, err := ParsePolicy(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Accepts reports whether r is acceptable under p: off accepts anything,
// soft anything but revoked, hard only good.
func (p Policy) Accepts(r Result) bool {
	switch p {
	case PolicyOff:
		return true
	case PolicySoft:
		return r.Status != StatusRevoked
	}
	return r.Status == StatusGood
}

// ParseMode parses "ocsp+crl", "crl" or "ocsp" ("" is the zero Mode:
// chosen from the sources configured).
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "ocsp+crl":
		return ModeOCSPThenCRL, nil
	case "crl":
		return ModeCRLOnly, nil
	case "ocsp":
		return ModeOCSPOnly, nil
	}
	return 0, fmt.Errorf("parsing revocation mode: %q is not ocsp+crl, crl or ocsp", s)
}

// MarshalText writes the mode's name ("" for the zero Mode).
func (m Mode) MarshalText() ([]byte, error) {
	switch m {
	case 0:
		return []byte{}, nil
	case ModeOCSPThenCRL, ModeCRLOnly, ModeOCSPOnly:
		return []byte(m.String()), nil
	}
	return nil, fmt.Errorf("marshalling revocation mode: unknown %d", int(m))
}

// UnmarshalText is ParseMode.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ErrBadOCSPURL reports an OCSP responder URL that cannot be used.
var ErrBadOCSPURL = errors.New("bad OCSP responder URL")

// Config is where revocation data comes from and what an answer does, as
// an operator configures it (command-line flags, a JSON file). The zero
// value names no source. Only verifiers registered with J-LIS receive
// JPKI's revocation data; docs/certificates.md "Revocation" says more.
type Config struct {
	// CRLs are CRL sources: a file (DER or PEM), a directory of *.crl,
	// *.der and *.pem files, or an http:// or https:// URL.
	CRLs []string `json:"crls,omitempty"`
	// OCSP is the responder URL ("" for none).
	OCSP string `json:"ocsp,omitempty"`
	// Mode orders the sources; the zero value asks the OCSP responder
	// first and then the CRLs, of those configured.
	Mode Mode `json:"mode,omitzero"`
	// Policy is what the answer does to a verdict (the consumer, such as
	// package confirm, applies it); PolicyOff makes Load load nothing.
	Policy Policy `json:"policy"`
	// CacheDir, when set, keeps the parsed index of each CRL file on disk
	// (CRLSetOptions.CacheDir; DefaultCacheDir is the per-user one).
	CacheDir string `json:"cache_dir,omitempty"`
	// CRLOptions configure the CRL set beyond CacheDir (HTTP client, size
	// limits, clock); CacheDir above overrides theirs when set.
	CRLOptions CRLSetOptions `json:"-"`
	// Parsed are CRLs already parsed and verified (ParseCRL against the
	// same issuers), added to the set as if loaded from a source.
	Parsed []*CRL `json:"-"`
}

// Configured reports whether any source is named.
func (c Config) Configured() bool { return len(c.CRLs) > 0 || c.OCSP != "" || len(c.Parsed) > 0 }

// CheckSources checks, without parsing anything, that every CRL source
// can be read (CheckSource) and that OCSP is an http:// or https:// URL
// (an error matching ErrBadOCSPURL): the check a command makes before it
// touches a card. Load does the rest.
func (c Config) CheckSources() error {
	for _, src := range c.CRLs {
		if err := CheckSource(src); err != nil {
			return err
		}
	}
	if c.OCSP != "" && !strings.HasPrefix(c.OCSP, "http://") && !strings.HasPrefix(c.OCSP, "https://") {
		return fmt.Errorf("%w: %q is not an http:// or https:// URL", ErrBadOCSPURL, c.OCSP)
	}
	return nil
}

// Load loads every CRL source and builds the checker that answers from
// them and the OCSP responder, in the configured mode, with the one CRL
// decision procedure (StatusFromCRLs: a listing is revocation whatever the
// CRL's freshness; "good" needs a fresh CRL or a verified OCSP answer).
// issuers are the trusted roots (jpki.Roots.Certificates) whose CRLs and
// OCSP responses are accepted.
//
// A source named but unusable is an error, before anything else is done:
// a missing or unreadable file or directory, or a file that is not a CRL
// of a trusted issuer, gives a *SourceError naming it; a bad OCSP URL
// matches ErrBadOCSPURL. A CRL that loaded but is stale now, or a URL that
// did not answer now, is returned among the warnings (each a *SourceError
// naming its source, matching ErrStale, ErrNotYetValid, ErrUnreachable or
// ErrResponder); the checker then answers unknown where it cannot decide,
// and a stale CRL's listings still count as revocations.
//
// With no source configured, or PolicyOff, the checker is NoSource: it
// answers every certificate unknown (ErrNoSource), never good, and
// HasSource reports false for it. The returned Checker is never nil, not
// even with an error: one who ignores the error gets no "good".
func (c Config) Load(ctx context.Context, issuers []*x509.Certificate) (Checker, []error, error) {
	if !c.Configured() || c.Policy == PolicyOff {
		return NoSource, nil, nil
	}
	switch c.Mode {
	case 0, ModeOCSPThenCRL, ModeCRLOnly, ModeOCSPOnly:
	default:
		return NoSource, nil, fmt.Errorf("configuring revocation: unknown mode %d", int(c.Mode))
	}
	var oc *OCSPClient
	if c.OCSP != "" {
		var err error
		oc, err = NewOCSPClient(OCSPConfig{URL: c.OCSP, Issuers: issuers, Now: c.CRLOptions.Now})
		if err != nil {
			return NoSource, nil, fmt.Errorf("%w: %w", ErrBadOCSPURL, err)
		}
	}
	var crls *CRLSet
	var warnings []error
	if len(c.CRLs) > 0 || len(c.Parsed) > 0 {
		opts := c.CRLOptions
		if c.CacheDir != "" {
			opts.CacheDir = c.CacheDir
		}
		crls = NewCRLSet(issuers, opts)
		for _, crl := range c.Parsed {
			label := "parsed CRL"
			if crl != nil {
				label = crl.Source
			}
			err := crls.Add(crl)
			switch {
			case err == nil:
			case errors.Is(err, ErrStale) || errors.Is(err, ErrNotYetValid):
				warnings = append(warnings, &SourceError{Source: label, Err: err})
			default:
				return NoSource, warnings, &SourceError{Source: label, Err: err}
			}
		}
		for _, s := range c.CRLs {
			err := crls.LoadSource(ctx, s)
			var se *SourceError
			switch {
			case err == nil:
			case errors.As(err, &se):
				return NoSource, warnings, err
			default:
				warnings = append(warnings, &SourceError{Source: s, Err: err})
			}
		}
	}
	mode := c.Mode
	if mode == 0 {
		switch {
		case oc != nil && crls != nil:
			mode = ModeOCSPThenCRL
		case oc != nil:
			mode = ModeOCSPOnly
		default:
			mode = ModeCRLOnly
		}
	}
	if mode == ModeCRLOnly && crls != nil {
		return crls, warnings, nil
	}
	ch, err := NewCombined(mode, oc, crls)
	if err != nil {
		return NoSource, warnings, err
	}
	return ch, warnings, nil
}
