package revocation

import (
	"crypto/x509"
	"fmt"
	"time"
)

// StatusFromCRLs is the one CRL decision procedure of this module; CRLSet
// and every Checker over parsed CRLs answer through it. Among
// crls, those issued by issuer (the key that signed cert, which the caller
// has verified) and covering cert's CRL distribution point answer:
//
//   - a serial listed in any of them is revoked, whatever that CRL's
//     freshness: a stale list still proves a revocation, and a later list
//     never un-revokes (certificateHold aside, which JPKI does not use);
//   - a serial listed in none is good only if at least one of them is
//     fresh at t;
//   - otherwise the status is unknown, with the reason (ErrNoSource,
//     ErrNotCovered, ErrStale, ErrNotYetValid).
//
// A revocation policy that accepts "unknown" (soft) therefore never
// accepts a listed serial.
func StatusFromCRLs(crls []*CRL, cert, issuer *x509.Certificate, t time.Time) Result {
	if cert == nil || issuer == nil {
		return unknown("crl", fmt.Errorf("%w: no certificate or issuer", ErrMalformed))
	}
	var signed []*CRL
	for _, c := range crls {
		if c != nil && c.Issuer != nil && c.Issuer.Equal(issuer) {
			signed = append(signed, c)
		}
	}
	if len(signed) == 0 {
		return unknown("crl", fmt.Errorf("%w: no CRL of issuer %s", ErrNoSource, issuer.Subject))
	}
	return decide(signed, cert, t)
}

// decide answers for cert from signed, the CRLs of the key that signed it.
func decide(signed []*CRL, cert *x509.Certificate, t time.Time) Result {
	dps, err := CertDistributionPoints(cert)
	if err != nil {
		return unknown("crl", fmt.Errorf("reading the certificate's CRL distribution points: %w", err))
	}
	var covering []*CRL
	for _, c := range signed {
		if c.Covers(dps) && !(c.OnlyUserCerts && cert.IsCA) {
			covering = append(covering, c)
		}
	}
	if len(covering) == 0 {
		return unknown("crl", fmt.Errorf("%w (%d CRLs of the issuer loaded)", ErrNotCovered, len(signed)))
	}
	return answer(covering, keyFromBig(cert.SerialNumber), t)
}
