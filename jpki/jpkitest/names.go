package jpkitest

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/jpkioid"
)

// validKind reports whether k names a JPKI hierarchy: card.SignKey for
// the digital-signature one (署名用電子証明書), card.AuthKey for the
// user-authentication one (利用者証明用電子証明書).
func validKind(k card.KeyKind) bool { return k == card.SignKey || k == card.AuthKey }

// Distinguished-name values (docs/certificates.md "Certificates").
const (
	// CountryJP is the C attribute of every JPKI name.
	CountryJP = "JP"
	// OrganizationTest is the O attribute of test cards' CA names
	// (production J-LIS names say "JPKI").
	OrganizationTest = "JPKI-TEST"
	// OrganizationalUnitSign is the OU naming the signing hierarchy.
	OrganizationalUnitSign = "JPKI for digital signature"
	// OrganizationalUnitAuth is the OU naming the authentication hierarchy.
	OrganizationalUnitAuth = "JPKI for user authentication"
	// OrganizationalUnitJLIS is the OU naming the operator, J-LIS.
	OrganizationalUnitJLIS = "Japan Agency for Local Authority Information Systems"
	// OrganizationalUnitTestMarker is the extra, last OU of every CA name
	// issued here: it says in words that this is mynacard's virtual test
	// hierarchy, in addition to O=JPKI-TEST. No production name has it.
	OrganizationalUnitTestMarker = "mynacard virtual test hierarchy - not for production"
	// OrganizationalUnitCRLDP is the OU that starts the CRL distribution
	// point directory names under a CA name.
	OrganizationalUnitCRLDP = "CRL Distribution Points"
)

// policyForSign is the policy this test PKI writes into signing
// certificates. It uses the production OID jpkioid.PolicySign, not
// jpkioid.PolicySignTest: the test marker lives in the issuer DN (and the
// roots are never pinned), while the profile checks in package jpki must
// be exercised exactly as a production certificate would exercise them;
// the test-card OID is unconfirmed and would make every profile test
// depend on an *unsure* fact.
var policyForSign = jpkioid.PolicySign

// Generations of the roots, with their validity years (docs/certificates.md:
// generation 1 2015–2025, 2 2019–2029, 3 2023–2033).
const (
	// FirstGeneration is the oldest root generation.
	FirstGeneration = 1
	// LatestGeneration is the newest root generation and the default for
	// holders.
	LatestGeneration = 3
)

var generationYears = map[int][2]int{1: {2015, 2025}, 2: {2019, 2029}, 3: {2023, 2033}}

// rootValidity returns a generation's validity: 1 January 00:00 JST of its
// first year to 31 December 23:59:59 JST of its last.
func rootValidity(gen int) (notBefore, notAfter time.Time) {
	y := generationYears[gen]
	if IsECDSA(gen) {
		y = ecdsaGenerationYears
	}
	return time.Date(y[0], 1, 1, 0, 0, 0, 0, card.JST).UTC(),
		time.Date(y[1], 12, 31, 23, 59, 59, 0, card.JST).UTC()
}

// ReferenceTime is a fixed instant at which every default certificate of
// this package is valid (DefaultHolder's, and any holder issued with the
// default dates from generation 2 or 3): 2026-04-01 12:00 JST. Tests verify
// chains at this time so they do not age.
func ReferenceTime() time.Time {
	return time.Date(2026, 4, 1, 12, 0, 0, 0, card.JST).UTC()
}

var (
	oidCountry            = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidLocality           = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidOrganization       = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrganizationalUnit = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidCommonName         = asn1.ObjectIdentifier{2, 5, 4, 3}
)

func rdn(oid asn1.ObjectIdentifier, v string) pkix.RelativeDistinguishedNameSET {
	return pkix.RelativeDistinguishedNameSET{{Type: oid, Value: v}}
}

// CAName returns the distinguished name shared by every generation of a
// kind's root, one attribute per RDN, in the order
// C, O, OU=<kind>, OU=<J-LIS>, OU=<test marker>.
func CAName(kind card.KeyKind) pkix.RDNSequence {
	ou := OrganizationalUnitSign
	if kind == card.AuthKey {
		ou = OrganizationalUnitAuth
	}
	return pkix.RDNSequence{
		rdn(oidCountry, CountryJP),
		rdn(oidOrganization, OrganizationTest),
		rdn(oidOrganizationalUnit, ou),
		rdn(oidOrganizationalUnit, OrganizationalUnitJLIS),
		rdn(oidOrganizationalUnit, OrganizationalUnitTestMarker),
	}
}

// CRLDistributionPointName returns the directory name written as the CRL
// distribution point of certificates of kind. Signing certificates are
// revoked when the holder moves, so their CRLs are per municipality:
// CAName(kind) + OU=CRL Distribution Points, OU=<prefecture>,
// CN=<city> CRLDP. Authentication certificates carry no personal data, so
// theirs is CAName(card.AuthKey) + OU=CRL Distribution Points, CN=CRLDP, and
// prefecture and city are ignored.
func CRLDistributionPointName(kind card.KeyKind, prefecture, city string) pkix.RDNSequence {
	n := append(CAName(kind), rdn(oidOrganizationalUnit, OrganizationalUnitCRLDP))
	if kind == card.AuthKey {
		return append(n, rdn(oidCommonName, "CRLDP"))
	}
	return append(n, rdn(oidOrganizationalUnit, prefecture), rdn(oidCommonName, city+" CRLDP"))
}

// subjectName returns an end-entity subject: C=JP, L=<prefecture>,
// L=<city>, CN=<cn> for signing, C=JP, CN=<cn> for authentication.
func subjectName(kind card.KeyKind, prefecture, city, cn string) pkix.RDNSequence {
	if kind == card.AuthKey {
		return pkix.RDNSequence{rdn(oidCountry, CountryJP), rdn(oidCommonName, cn)}
	}
	return pkix.RDNSequence{
		rdn(oidCountry, CountryJP),
		rdn(oidLocality, prefecture),
		rdn(oidLocality, city),
		rdn(oidCommonName, cn),
	}
}
