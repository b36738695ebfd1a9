package confirm

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/store"
)

// Attributes are the holder's four basic details (基本4情報) from a signing
// certificate, ready to show and to marshal.
type Attributes struct {
	// Name is family and given name separated by U+3000.
	Name string `json:"name"`
	// NameSubstitutes are the rune positions of Name (from 0) that are
	// substitute characters (代替文字): show them marked, they are not the
	// registered character.
	NameSubstitutes []int `json:"name_substitutes,omitempty"`
	// Address is the address from the prefecture on.
	Address            string `json:"address"`
	AddressSubstitutes []int  `json:"address_substitutes,omitempty"`
	// BirthDate is the Gregorian birth date, YYYY-MM-DD.
	BirthDate string `json:"birth_date"`
	// BirthEra is the recorded era code: 1 明治 … 5 令和, 0 unknown.
	BirthEra int `json:"birth_era"`
	// BirthDateJapanese is the birth date in its recorded era
	// ("昭和60年4月1日").
	BirthDateJapanese string `json:"birth_date_japanese"`
	// Sex is "male", "female" or "unknown" (certificate codes 1, 2, 3).
	Sex string `json:"sex"`
	// SexCode is the certificate's code.
	SexCode int `json:"sex_code"`
	// NeedsVisualCheck is true when the name or address holds substitute
	// characters: they are not the registered characters, so the name or
	// address is not exact: compare with the card face (MarkedName,
	// MarkedAddress show where).
	NeedsVisualCheck bool `json:"needs_visual_check,omitempty"`
}

const dateLayout = "2006-01-02"

// attributesFrom converts jpki's attributes; nil stays nil.
func attributesFrom(a *jpki.Attributes) *Attributes {
	if a == nil {
		return nil
	}
	out := &Attributes{
		Name:               a.Name,
		NameSubstitutes:    a.NameSubstitutes,
		Address:            a.Address,
		AddressSubstitutes: a.AddressSubstitutes,
		BirthEra:           int(a.BirthEra),
		Sex:                certSexWord(a.Sex.CertificateCode()),
		SexCode:            a.Sex.CertificateCode(),
	}
	if !a.BirthDate.IsZero() {
		out.BirthDate = a.BirthDate.Format(dateLayout)
		out.BirthDateJapanese = a.FormatBirthDate()
	}
	out.NeedsVisualCheck = out.HasSubstitutes()
	return out
}

// toStore converts attributes to the store's form (flags as '0'/'1' per
// rune, dates YYYYMMDD, sex as its code).
func (a *Attributes) toStore() store.Attributes {
	if a == nil {
		return store.Attributes{}
	}
	return store.Attributes{
		Name:              a.Name,
		NameSubstitute:    substituteFlags(a.Name, a.NameSubstitutes),
		Address:           a.Address,
		AddressSubstitute: substituteFlags(a.Address, a.AddressSubstitutes),
		BirthDate:         strings.ReplaceAll(a.BirthDate, "-", ""),
		BirthEra:          a.BirthEra,
		Sex:               strconv.Itoa(a.SexCode),
	}
}

// attributesFromStore converts stored attributes back; empty gives nil.
func attributesFromStore(s store.Attributes) *Attributes {
	if s == (store.Attributes{}) {
		return nil
	}
	out := &Attributes{
		Name:               s.Name,
		NameSubstitutes:    substitutePositions(s.NameSubstitute),
		Address:            s.Address,
		AddressSubstitutes: substitutePositions(s.AddressSubstitute),
		BirthEra:           s.BirthEra,
		BirthDate:          s.BirthDate,
	}
	if t, err := time.Parse("20060102", s.BirthDate); err == nil {
		out.BirthDate = t.Format(dateLayout)
		out.BirthDateJapanese = card.Era(s.BirthEra).Format(t)
	}
	if n, err := strconv.Atoi(s.Sex); err == nil {
		out.SexCode = n
		out.Sex = certSexWord(n)
	}
	out.NeedsVisualCheck = out.HasSubstitutes()
	return out
}

// substituteFlags writes one '0' or '1' per rune of text, '1' at the
// given positions, as the certificate's otherNames .2 and .6 do
// (docs/certificates.md: "one ASCII 0/1 per character"). It is empty when no
// character is a substitute, so that a changed text length alone is not
// reported as a change of flags.
func substituteFlags(text string, positions []int) string {
	n := utf8.RuneCountInString(text)
	if n == 0 || len(positions) == 0 {
		return ""
	}
	b := []byte(strings.Repeat("0", n))
	for _, p := range positions {
		if p >= 0 && p < n {
			b[p] = '1'
		}
	}
	return string(b)
}

func substitutePositions(flags string) []int {
	var out []int
	for i, c := range flags {
		if c == '1' {
			out = append(out, i)
		}
	}
	return out
}

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
