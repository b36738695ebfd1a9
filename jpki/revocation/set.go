package revocation

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// CRLSetOptions configures a CRLSet. The zero value is usable.
type CRLSetOptions struct {
	// HTTPClient fetches CRL URLs; nil uses a client with Timeout.
	HTTPClient *http.Client
	// Timeout bounds one download (0: DefaultFetchTimeout).
	Timeout time.Duration
	// MaxBytes bounds one CRL (0: DefaultMaxCRLBytes).
	MaxBytes int64
	// CacheDir, when set, keeps parsed indexes on disk keyed by the CRL's
	// SHA-256, so that loading the same file again skips parsing.
	CacheDir string
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// CompletePartitions says that the distribution-point CRLs loaded for
	// an issuer together cover all its certificates, so a serial absent
	// from all of them is good in StatusSerial. Without it, a serial looked
	// up without its certificate is good only against a CRL that covers
	// the whole issuer (no issuingDistributionPoint).
	CompletePartitions bool
}

// CRLSet holds the verified CRLs of the trusted issuers: any number per
// issuer, one per distribution point (JPKI partitions signing-certificate
// CRLs by municipality). It is safe for concurrent use; loading replaces a
// CRL by a newer one of the same issuer and distribution points.
type CRLSet struct {
	issuers []*x509.Certificate
	opts    CRLSetOptions

	mu   sync.RWMutex
	crls []*CRL
}

// NewCRLSet returns an empty set that accepts CRLs signed by issuers (the
// pinned roots).
func NewCRLSet(issuers []*x509.Certificate, opts CRLSetOptions) *CRLSet {
	return &CRLSet{issuers: append([]*x509.Certificate(nil), issuers...), opts: opts}
}

func (s *CRLSet) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// Add adds a parsed CRL, replacing an older CRL of the same issuer and
// distribution points (an older or equal one than the held CRL is
// ignored). The CRL must have been verified against one of the set's
// issuers. If c is not fresh now, it is still added and the *StaleError is
// returned, so the caller sees it and Status reports it.
func (s *CRLSet) Add(c *CRL) error {
	if c == nil || c.Issuer == nil || !s.trusted(c.Issuer) {
		return fmt.Errorf("adding CRL: %w: not verified against this set's issuers", ErrUnknownIssuer)
	}
	s.mu.Lock()
	replaced := false
	for i, old := range s.crls {
		if old.Issuer.Equal(c.Issuer) && sameNames(old.DistributionPoints, c.DistributionPoints) {
			if c.ThisUpdate.After(old.ThisUpdate) {
				s.crls[i] = c
			}
			replaced = true
			break
		}
	}
	if !replaced {
		s.crls = append(s.crls, c)
	}
	s.mu.Unlock()
	return c.CheckFresh(s.now())
}

func (s *CRLSet) trusted(c *x509.Certificate) bool {
	for _, is := range s.issuers {
		if is.Equal(c) {
			return true
		}
	}
	return false
}

func sameNames(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// CRLs returns the CRLs held, in load order.
func (s *CRLSet) CRLs() []*CRL {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*CRL(nil), s.crls...)
}

// Check implements Checker: it answers for cert at the set's clock (see
// StatusAt). A CRL lookup does not wait, so ctx is not consulted.
func (s *CRLSet) Check(_ context.Context, cert *x509.Certificate) Result {
	return s.StatusAt(cert, s.now())
}

// StatusAt answers for cert at t. The CRLs considered are those of the
// trusted issuer of cert's key (name alone does not decide, as JPKI
// generations share a name): the issuer whose subject key identifier is
// cert's authority key identifier, or else the one whose key verifies
// cert's signature. It does not verify cert's chain (the caller does, as
// for any revocation answer), so that a batch of stored certificates
// costs no signature verification. Among those CRLs, the ones covering
// cert's CRL distribution point answer. The answer is revoked if any of
// them lists the serial; good if none does and at least one of them is
// fresh at t; otherwise unknown with the reason (ErrNoSource,
// ErrUnknownIssuer, ErrNotCovered, ErrStale...): the procedure of
// StatusFromCRLs.
func (s *CRLSet) StatusAt(cert *x509.Certificate, t time.Time) Result {
	if cert == nil {
		return unknown("crl", fmt.Errorf("%w: no certificate", ErrMalformed))
	}
	s.mu.RLock()
	var named []*CRL
	for _, c := range s.crls {
		if bytes.Equal(c.RawIssuer, cert.RawIssuer) {
			named = append(named, c)
		}
	}
	s.mu.RUnlock()
	if len(named) == 0 {
		return unknown("crl", fmt.Errorf("%w: no CRL for issuer %s", ErrNoSource, cert.Issuer))
	}
	var signed []*CRL
	if len(cert.AuthorityKeyId) > 0 {
		for _, c := range named {
			if bytes.Equal(c.Issuer.SubjectKeyId, cert.AuthorityKeyId) {
				signed = append(signed, c)
			}
		}
	}
	if len(signed) == 0 {
		verified := map[*x509.Certificate]bool{}
		for _, c := range named {
			ok, seen := verified[c.Issuer]
			if !seen {
				ok = cert.CheckSignatureFrom(c.Issuer) == nil
				verified[c.Issuer] = ok
			}
			if ok {
				signed = append(signed, c)
			}
		}
	}
	if len(signed) == 0 {
		return unknown("crl", fmt.Errorf("%w: no CRL issuer's key signed the certificate", ErrUnknownIssuer))
	}
	return decide(signed, cert, t)
}

// answer looks k up in the covering CRLs.
func answer(covering []*CRL, k serialKey, t time.Time) Result {
	var staleErrs []error
	var fresh *CRL
	for _, c := range covering {
		e, ok, err := c.lookupKey(&k)
		if err != nil {
			return unknown(c.sourceLabel(), err)
		}
		if ok {
			// A listing is never weakened by staleness: revoked is not good.
			return revoked(c, e)
		}
		if err := c.CheckFresh(t); err != nil {
			staleErrs = append(staleErrs, err)
		} else if fresh == nil {
			fresh = c
		}
	}
	if fresh == nil {
		return unknown(covering[0].sourceLabel(), errors.Join(staleErrs...))
	}
	return Result{Status: StatusGood, Reason: ReasonNone, Source: fresh.sourceLabel(),
		ThisUpdate: fresh.ThisUpdate, NextUpdate: fresh.NextUpdate}
}

// StatusSerial answers for a serial (DER INTEGER content, or a positive
// big-endian magnitude when positive is set) of the issuer whose
// subjectKeyId is issuerKeyID, at t, without the certificate: the input of
// a batch. Revoked if any CRL of the issuer lists it; good only if a fresh
// CRL covering the whole issuer (or, with CompletePartitions, the fresh
// distribution-point CRLs) does not; unknown otherwise.
func (s *CRLSet) StatusSerial(issuerKeyID []byte, serial []byte, t time.Time) Result {
	return s.statusKey(issuerKeyID, keyFromInteger(serial), t)
}

func (s *CRLSet) statusKey(issuerKeyID []byte, k serialKey, t time.Time) Result {
	return s.answerGroup(s.group(issuerKeyID), issuerKeyID, k, t)
}

// issuerGroup is the CRLs of one issuer key: those covering the whole
// issuer and the distribution-point partitions.
type issuerGroup struct{ whole, parts []*CRL }

func (s *CRLSet) group(issuerKeyID []byte) issuerGroup {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var g issuerGroup
	for _, c := range s.crls {
		if bytes.Equal(c.Issuer.SubjectKeyId, issuerKeyID) {
			if len(c.DistributionPoints) == 0 {
				g.whole = append(g.whole, c)
			} else {
				g.parts = append(g.parts, c)
			}
		}
	}
	return g
}

func (s *CRLSet) answerGroup(g issuerGroup, issuerKeyID []byte, k serialKey, t time.Time) Result {
	if !k.ok {
		return unknown("crl", fmt.Errorf("%w: serial", ErrMalformed))
	}
	if len(g.whole)+len(g.parts) == 0 {
		return unknown("crl", fmt.Errorf("%w: no CRL for issuer key %X", ErrNoSource, issuerKeyID))
	}
	for _, c := range g.parts {
		e, ok, err := c.lookupKey(&k)
		if err != nil {
			return unknown(c.sourceLabel(), err)
		}
		if ok {
			return revoked(c, e)
		}
	}
	if len(g.whole) > 0 {
		return answer(g.whole, k, t)
	}
	if !s.opts.CompletePartitions {
		return unknown("crl", fmt.Errorf("%w: only distribution-point CRLs are loaded for issuer key %X", ErrNotCovered, issuerKeyID))
	}
	var errs []error
	for _, c := range g.parts {
		if err := c.CheckFresh(t); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return unknown(g.parts[0].sourceLabel(), errors.Join(errs...))
	}
	return Result{Status: StatusGood, Reason: ReasonNone, Source: fmt.Sprintf("crl (%d distribution-point CRLs)", len(g.parts)),
		ThisUpdate: g.parts[0].ThisUpdate, NextUpdate: g.parts[0].NextUpdate}
}

func revoked(c *CRL, e Entry) Result {
	return Result{Status: StatusRevoked, Reason: e.Reason, RevokedAt: e.RevokedAt,
		Source: c.sourceLabel(), ThisUpdate: c.ThisUpdate, NextUpdate: c.NextUpdate}
}
