package main

import (
	"bytes"
	"context"
	"crypto/x509"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/jpkioid"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// The hierarchy codes of status's "hierarchy" field: what the card's
// certificates chain to.
const (
	// hierarchyProduction: a certificate chains to a pinned J-LIS root
	// (from the card's CA files or --roots) and none to a test root.
	hierarchyProduction = "production"
	// hierarchyTest: a certificate chains to a test root, asserts a J-LIS
	// test policy, or is issued under a name that is not J-LIS's.
	hierarchyTest = "test"
	// hierarchyUnknown: no certificate could be read, or none chains to a
	// root known here (the unpinned generation-2 authentication root
	// without its --roots file, for one).
	hierarchyUnknown = "unknown"
)

// jlisOrganization is the O= of every J-LIS production CA name
// (docs/certificates.md "Certificates"); the test hierarchy's is
// jpkitest.OrganizationTest.
const jlisOrganization = "JPKI"

// cardHierarchy decides, from the card's own certificates and never from
// the reader or the flags, whether the card belongs to a test hierarchy:
// it reads the free certificates (the authentication certificate and the
// two CA certificates) and checks each against the test roots and the
// pinned J-LIS roots. A test sign anywhere wins, so that a card is never
// shown as real because one of its files looked real. Reading is advisory:
// a file the card does not give is skipped, and only a cancelled context
// is an error. Certificates already read (extra, DER: the signing
// certificate cert printed) are judged with them.
func (g *globals) cardHierarchy(ctx context.Context, j *card.JPKI, extra ...[]byte) (string, error) {
	pki := jpkitest.Default()
	test := append(pki.AllRoots(card.SignKey), pki.AllRoots(card.AuthKey)...)
	roots, err := jpki.NewRoots(jpki.WithTestHierarchy(test...))
	if err != nil {
		return hierarchyUnknown, err
	}
	for _, f := range g.Roots {
		_, _ = roots.AddFile(f) // a file that does not load adds nothing
	}
	var certs []*x509.Certificate
	read := func(der []byte, err error) {
		if err != nil {
			return
		}
		if xc, err := x509.ParseCertificate(der); err == nil {
			certs = append(certs, xc)
		}
	}
	for _, k := range []card.KeyKind{card.AuthKey, card.SignKey} {
		der, err := j.ReadCACertificate(ctx, k)
		if err == nil {
			_, _ = roots.AddCertificate(der, jpki.SourceCard) // only a pinned one is added
		}
		read(der, err)
	}
	read(j.ReadCertificate(ctx, card.AuthKey))
	for _, der := range extra {
		read(der, nil)
	}
	if ctx.Err() != nil {
		return hierarchyUnknown, ctx.Err()
	}
	return classifyHierarchy(certs, roots.List()), nil
}

// classifyHierarchy is cardHierarchy's decision over certificates already
// read: test when any certificate is test-issued, production when none
// is and one chains to a production root, unknown otherwise.
func classifyHierarchy(certs []*x509.Certificate, roots []*jpki.Root) string {
	h := hierarchyUnknown
	for _, c := range certs {
		switch certHierarchy(c, roots) {
		case hierarchyTest:
			return hierarchyTest
		case hierarchyProduction:
			h = hierarchyProduction
		}
	}
	return h
}

// certHierarchy classifies one certificate: by the root whose key verifies
// its signature (a CA certificate by itself) when there is one, else by
// its J-LIS test policy or its issuer's name.
func certHierarchy(c *x509.Certificate, roots []*jpki.Root) string {
	for _, r := range roots {
		rc := r.Certificate
		if !bytes.Equal(rc.RawSubject, c.RawIssuer) {
			continue
		}
		if rc.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) != nil {
			continue
		}
		if r.Production {
			return hierarchyProduction
		}
		return hierarchyTest
	}
	for _, p := range c.PolicyIdentifiers {
		if p.Equal(jpkioid.PolicySignTest) || p.Equal(jpkioid.PolicyAuthTest) {
			return hierarchyTest
		}
	}
	if o := c.Issuer.Organization; len(o) != 1 || o[0] != jlisOrganization {
		return hierarchyTest
	}
	return hierarchyUnknown
}
