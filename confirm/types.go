package confirm

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/store"
)

const dateLayout = "2006-01-02"

// CertificateInfo identifies a certificate the way records and
// enrolments key it.
type CertificateInfo struct {
	// Kind is the certificate's kind ("sign" or "auth" in JSON).
	Kind card.KeyKind `json:"kind"`
	// Issuer is the issuer Name as IssuerString writes it (RFC 4514,
	// last RDN first): the string the store keys enrolments and
	// eligibility by.
	Issuer string `json:"issuer"`
	// Serial is the serial number in the store's canonical hex.
	Serial    string    `json:"serial"`
	Subject   string    `json:"subject"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	// Fingerprint is the certificate's SHA-256, upper-case hex.
	Fingerprint string `json:"fingerprint"`
}

// certificateInfo describes cert.
func certificateInfo(cert *x509.Certificate, kind card.KeyKind) CertificateInfo {
	return CertificateInfo{
		Kind:        kind,
		Issuer:      IssuerString(cert),
		Serial:      SerialString(cert),
		Subject:     subjectString(cert),
		NotBefore:   cert.NotBefore,
		NotAfter:    cert.NotAfter,
		Fingerprint: jpki.FingerprintOf(cert.Raw).String(),
	}
}

// IssuerString is the issuer string confirm stores and looks up
// enrolments and eligibility by: the issuer Name exactly as encoded
// (cert.RawIssuer), written in RFC 4514 form, last RDN first, for example
// "OU=Japan Agency for Local Authority Information Systems,OU=JPKI for
// user authentication,O=JPKI,C=JP". crypto/x509's Issuer.String() is not
// used because it merges repeated OU attributes into one multi-valued RDN.
// This is store.CanonicalIssuer's form: eligibility CSV files may name the
// issuer this way, as crypto/x509 writes it, or by its key identifier.
func IssuerString(cert *x509.Certificate) string {
	var rdn pkix.RDNSequence
	if rest, err := asn1.Unmarshal(cert.RawIssuer, &rdn); err != nil || len(rest) > 0 {
		return cert.Issuer.String()
	}
	return rdn.String()
}

// SerialString is cert's serial in the store's canonical hex.
func SerialString(cert *x509.Certificate) string {
	s, err := store.SerialFromBytes(cert.SerialNumber.Bytes())
	if err != nil {
		return strings.ToUpper(cert.SerialNumber.Text(16))
	}
	return s
}

// subjectString writes the subject as encoded, like IssuerString.
func subjectString(cert *x509.Certificate) string {
	var rdn pkix.RDNSequence
	if rest, err := asn1.Unmarshal(cert.RawSubject, &rdn); err != nil || len(rest) > 0 {
		return cert.Subject.String()
	}
	return rdn.String()
}
