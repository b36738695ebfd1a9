package jpkitest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/jpkioid"
)

// Defaults of DefaultHolder and of every zero HolderSpec field. The holder
// is fictional (試験町 is "test town").
const (
	// DefaultName is the default holder's name (family U+3000 given).
	DefaultName = "山田　太郎"
	// DefaultAddress is the default holder's address.
	DefaultAddress = "東京都千代田区試験町１丁目２番３号"
	// DefaultPrefecture and DefaultCity are the L attributes of the
	// default signing certificate's subject.
	DefaultPrefecture = "Tokyo-to"
	DefaultCity       = "Chiyoda-ku"
	// DefaultAuthPIN is the default user-authentication PIN (EF 0018),
	// also used as the text application's PIN (EF 0011).
	DefaultAuthPIN = "1234"
	// DefaultSignPIN is the default signing password (EF 001B).
	DefaultSignPIN = "ABC123"
	// DefaultMunicipality is the local government code of Chiyoda-ku,
	// Tokyo (13101), matching DefaultCity.
	DefaultMunicipality = "13101"
	// DefaultSex is the default sex (certificate code 1, male).
	DefaultSex = card.SexMale
)

// DefaultBirthDate returns the default holder's birth date, 1985-04-01
// (昭和60年4月1日).
func DefaultBirthDate() time.Time { return time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC) }

// DefaultIssueTime returns the default NotBefore of end-entity
// certificates, 2024-04-01 10:00 JST, inside every root generation.
func DefaultIssueTime() time.Time { return time.Date(2024, 4, 1, 10, 0, 0, 0, card.JST).UTC() }

// Lengths of the common application's card serial and municipality code
// (docs/card.md "Applications", *unsure*).
const (
	cardSerialDigits   = 15
	municipalityDigits = 5
)

// eeValidityBirthdays is the number of birthdays after issuance on which
// end-entity certificates expire (J-LIS: the 5th birthday after issuance).
const eeValidityBirthdays = 5

// cardValidityBirthdays is the number of birthdays after issuance on which
// an adult's card expires (the 10th).
const cardValidityBirthdays = 10

// HolderSpec describes a card holder. Zero fields take the defaults of
// DefaultHolder, except where a field says otherwise.
type HolderSpec struct {
	// Name is family name, U+3000, given name.
	Name string
	// NameSubstitutes are the 0-based rune positions in Name flagged as
	// substitute characters (代替文字). See SubstituteFlags.
	NameSubstitutes []int
	// Address is the address from the prefecture on. ASCII digits are
	// written as full-width digits (Holder.Spec holds the converted form).
	Address string
	// AddressSubstitutes are the 0-based rune positions in Address flagged
	// as substitute characters.
	AddressSubstitutes []int
	// BirthDate is the birth date (its calendar date is used).
	BirthDate time.Time
	// Era is the era written before the birth date: card.EraMeiji to
	// card.EraReiwa; zero computes it from BirthDate; EraUnknownSpec writes
	// code 0 (unknown).
	Era card.Era
	// Sex is the holder's sex, written in the certificate as its
	// certificate code (1, 2, 3) and in the text application as ISO 5218
	// (1, 2, 9). Zero means DefaultSex.
	Sex card.Sex
	// Number is the 12-digit Individual Number; empty derives one with a
	// valid check digit from the seed, name and birth date.
	Number string
	// AuthPIN (4 digits) and SignPIN (6–16 of A–Z, 0–9; upper-cased).
	AuthPIN, SignPIN string
	// Prefecture and City are the signing subject's L attributes and pick
	// the CRL distribution point.
	Prefecture, City string
	// Generation is the root generation that issues both certificates;
	// 0 means LatestGeneration.
	Generation int
	// NotBefore and NotAfter bound both end-entity certificates. Zero
	// NotBefore is DefaultIssueTime; zero NotAfter is the 5th birthday
	// after NotBefore (23:59:59 JST), cut to the root's NotAfter. Explicit
	// times outside the root's validity are an error.
	NotBefore, NotAfter time.Time
	// SignSerial and AuthSerial are the certificates' serial numbers; nil
	// derives them from the seed and the Individual Number.
	SignSerial, AuthSerial *big.Int
	// KeySalt tells apart several key pairs of one holder (a renewed
	// card); keys are derived from (seed, Number, KeySalt).
	KeySalt string
	// OctetStringSAN writes the subjectAltName otherName values as OCTET
	// STRING (holding UTF-8) instead of UTF8String; parsers must accept
	// both.
	OctetStringSAN bool
	// CardExpiry is the card's expiry date (surface DF29, 照合番号B); zero
	// means the 10th birthday after NotBefore.
	CardExpiry time.Time
	// SecurityCode is the 4-digit security code on the card face; empty
	// derives one from the seed and the Individual Number.
	SecurityCode string
	// CardSerial is the card's 15-digit serial number (common
	// application); empty derives one from the seed and the Individual
	// Number.
	CardSerial string
	// Municipality is the issuing municipality's 5-digit local government
	// code (全国地方公共団体コード without its check digit); empty means
	// DefaultMunicipality.
	Municipality string
	// OCSPServer, when set, is written into both certificates'
	// authorityInfoAccess as the OCSP responder URL (for revocation tests;
	// the default certificates carry no authorityInfoAccess).
	OCSPServer string
}

// Holder is an issued card holder: the certificates, keys and the data of
// the card's other applications. Treat it as read-only.
type Holder struct {
	// Spec is the spec with every default filled in.
	Spec HolderSpec
	// SignCert and AuthCert are the end-entity certificates.
	SignCert, AuthCert *x509.Certificate
	// SignKey and AuthKey are their private keys (nil for a holder of
	// ECDSAGeneration: see SignKeyECDSA, or Signer for either).
	SignKey, AuthKey *rsa.PrivateKey
	// SignKeyECDSA and AuthKeyECDSA are the P-384 keys of a holder of
	// ECDSAGeneration, nil otherwise.
	SignKeyECDSA, AuthKeyECDSA *ecdsa.PrivateKey
	// SignCA and AuthCA are the issuing roots (of Spec.Generation).
	SignCA, AuthCA *x509.Certificate
	// TextKey signs the text application's integrity record; TextCAKey
	// (one per PKI) signs its card-verifiable certificate, whose key IDs
	// are TextCAKeyID and TextKeyID (16 bytes each).
	TextKey, TextCAKey     *rsa.PrivateKey
	TextCAKeyID, TextKeyID []byte
	// SurfaceKey is the key the surface application's card-verifiable
	// certificate certifies: it signs DF28, the age record and the number
	// image. SurfaceCAKeyID and SurfaceKeyID are that certificate's key
	// IDs; its CA is the virtual card's surface CV CA.
	SurfaceKey                   *rsa.PrivateKey
	SurfaceCAKeyID, SurfaceKeyID []byte
	// SurfaceAppKey and TextAppKey are the applications' own keys
	// (surface EF 001A, text EF 0013), which sign with no credential.
	SurfaceAppKey, TextAppKey *rsa.PrivateKey
}

// DefaultHolder returns the fictional holder 山田　太郎 of Default(), with
// every default of HolderSpec (PINs DefaultAuthPIN and DefaultSignPIN,
// born 1985-04-01, generation 3). It panics on failure, which does not
// happen for the fixed defaults.
func DefaultHolder() *Holder {
	h, err := Default().Issue(HolderSpec{})
	if err != nil {
		panic("jpkitest: issuing the default holder: " + err.Error())
	}
	return h
}

// Issue issues a holder's signing and authentication certificates from
// the roots of spec.Generation, and derives the holder's other keys.
// Equal specs give byte-identical results.
func (p *PKI) Issue(spec HolderSpec) (*Holder, error) {
	s, err := p.normalize(spec)
	if err != nil {
		return nil, fmt.Errorf("issuing holder: %w", err)
	}
	h := &Holder{Spec: s}
	base := "holder/" + s.Number + "/" + s.KeySalt
	for _, k := range []struct {
		dst   **rsa.PrivateKey
		label string
	}{{&h.SignKey, "/sign"}, {&h.AuthKey, "/auth"}, {&h.TextKey, "/text"}, {&h.SurfaceKey, "/surface"},
		{&h.SurfaceAppKey, "/surface-app"}, {&h.TextAppKey, "/text-app"}} {
		if IsECDSA(s.Generation) && (k.dst == &h.SignKey || k.dst == &h.AuthKey) {
			continue
		}
		if *k.dst, err = deriveKey(p.seed, base+k.label); err != nil {
			return nil, fmt.Errorf("issuing holder: %w", err)
		}
	}
	if IsECDSA(s.Generation) {
		if h.SignKeyECDSA, err = deriveECKey(p.seed, base+"/sign"); err != nil {
			return nil, fmt.Errorf("issuing holder: %w", err)
		}
		if h.AuthKeyECDSA, err = deriveECKey(p.seed, base+"/auth"); err != nil {
			return nil, fmt.Errorf("issuing holder: %w", err)
		}
	}
	// The card-verifiable certificates are issued by the virtual card's
	// fixed CV CA keys, whose public halves verifiers pin as test keys.
	if h.TextCAKey, err = virtual.CVCAKey(virtual.CVCAText); err != nil {
		return nil, fmt.Errorf("issuing holder: %w", err)
	}
	h.TextCAKeyID = virtual.CVCAText.KeyID()
	h.TextKeyID = cvcKeyID(&h.TextKey.PublicKey)
	h.SurfaceCAKeyID = virtual.CVCASurface.KeyID()
	h.SurfaceKeyID = cvcKeyID(&h.SurfaceKey.PublicKey)
	signRoot, _ := p.root(card.SignKey, s.Generation)
	authRoot, _ := p.root(card.AuthKey, s.Generation)
	h.SignCA, h.AuthCA = signRoot.cert, authRoot.cert
	if h.SignCert, err = p.issueEE(card.SignKey, s, signRoot, h.Signer(card.SignKey).Public(), base); err != nil {
		return nil, fmt.Errorf("issuing signing certificate: %w", err)
	}
	if h.AuthCert, err = p.issueEE(card.AuthKey, s, authRoot, h.Signer(card.AuthKey).Public(), base); err != nil {
		return nil, fmt.Errorf("issuing authentication certificate: %w", err)
	}
	return h, nil
}

// normalize fills the defaults of spec and checks it.
func (p *PKI) normalize(s HolderSpec) (HolderSpec, error) {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&s.Name, DefaultName)
	def(&s.Address, DefaultAddress)
	def(&s.Prefecture, DefaultPrefecture)
	def(&s.City, DefaultCity)
	def(&s.AuthPIN, DefaultAuthPIN)
	def(&s.SignPIN, DefaultSignPIN)
	s.Address = FullWidthDigits(s.Address)
	s.SignPIN = strings.ToUpper(s.SignPIN)
	if s.BirthDate.IsZero() {
		s.BirthDate = DefaultBirthDate()
	}
	s.BirthDate = dateOnly(s.BirthDate)
	if s.Sex == 0 {
		s.Sex = DefaultSex
	}
	if s.Generation == 0 {
		s.Generation = LatestGeneration
	}
	switch s.Era {
	case 0:
		s.Era = card.EraOf(s.BirthDate)
	case EraUnknownSpec, card.EraMeiji, card.EraTaisho, card.EraShowa, card.EraHeisei, card.EraReiwa:
	default:
		return s, fmt.Errorf("era code %d out of range", int(s.Era))
	}
	if s.Sex.CertificateCode() == 0 {
		return s, fmt.Errorf("sex code %d out of range", int(s.Sex))
	}
	if s.Generation < FirstGeneration || s.Generation > ECDSAGeneration {
		return s, fmt.Errorf("root generation %d out of range", s.Generation)
	}
	if !isDigits(s.AuthPIN) || len(s.AuthPIN) != 4 {
		return s, errors.New("authentication PIN must be 4 digits")
	}
	if !validSignPIN(s.SignPIN) {
		return s, errors.New("signing password must be 6 to 16 of A-Z and 0-9")
	}
	if err := checkPositions(s.Name, s.NameSubstitutes); err != nil {
		return s, fmt.Errorf("checking name substitutes: %w", err)
	}
	if err := checkPositions(s.Address, s.AddressSubstitutes); err != nil {
		return s, fmt.Errorf("checking address substitutes: %w", err)
	}
	if s.Number == "" {
		s.Number = p.deriveNumber(s.Name + "\x00" + s.BirthDate.Format(time.DateOnly))
	}
	if !ValidNumber(s.Number) {
		return s, fmt.Errorf("checking Individual Number: %w", ErrBadNumber)
	}
	if s.SecurityCode == "" {
		s.SecurityCode = p.digits("holder/"+s.Number+"/security-code", 4)
	}
	if !isDigits(s.SecurityCode) || len(s.SecurityCode) != 4 {
		return s, errors.New("security code must be 4 digits")
	}
	def(&s.Municipality, DefaultMunicipality)
	if s.CardSerial == "" {
		s.CardSerial = p.digits("holder/"+s.Number+"/card-serial", cardSerialDigits)
	}
	if !isDigits(s.CardSerial) || len(s.CardSerial) != cardSerialDigits {
		return s, fmt.Errorf("card serial must be %d digits", cardSerialDigits)
	}
	if !isDigits(s.Municipality) || len(s.Municipality) != municipalityDigits {
		return s, fmt.Errorf("municipality code must be %d digits", municipalityDigits)
	}
	return s, p.normalizeTimes(&s)
}

func (p *PKI) normalizeTimes(s *HolderSpec) error {
	rootNB, rootNA := rootValidity(s.Generation)
	if s.NotBefore.IsZero() {
		s.NotBefore = DefaultIssueTime()
	}
	if s.NotAfter.IsZero() {
		n := eeValidityBirthdays
		if IsECDSA(s.Generation) {
			n = eeValidityBirthdaysECDSA
		}
		s.NotAfter = nthBirthdayAfter(s.BirthDate, s.NotBefore, n)
		if s.NotAfter.After(rootNA) {
			s.NotAfter = rootNA
		}
	}
	if s.NotBefore.Before(rootNB) || s.NotAfter.After(rootNA) || !s.NotAfter.After(s.NotBefore) {
		return fmt.Errorf("validity %s..%s not inside root generation %d (%s..%s)",
			s.NotBefore.Format(time.RFC3339), s.NotAfter.Format(time.RFC3339), s.Generation,
			rootNB.Format(time.RFC3339), rootNA.Format(time.RFC3339))
	}
	if s.CardExpiry.IsZero() {
		s.CardExpiry = nthBirthdayAfter(s.BirthDate, s.NotBefore, cardValidityBirthdays)
	}
	s.NotBefore = s.NotBefore.UTC()
	s.NotAfter = s.NotAfter.UTC()
	return nil
}

// nthBirthdayAfter returns 23:59:59 JST of the n-th birthday strictly
// after t (a 29 February birthday falls on 1 March in common years, as
// time.Date normalises it).
func nthBirthdayAfter(birth, t time.Time, n int) time.Time {
	tj := t.In(card.JST)
	y := tj.Year()
	if b := time.Date(y, birth.Month(), birth.Day(), 0, 0, 0, 0, card.JST); !b.After(tj) {
		y++ // this year's birthday is on or before the issue day
	}
	return time.Date(y+n-1, birth.Month(), birth.Day(), 23, 59, 59, 0, card.JST).UTC()
}

// deriveNumber derives an Individual Number with a valid check digit.
func (p *PKI) deriveNumber(label string) string {
	n := p.digits("number/"+label, NumberDigits-1)
	d, _ := CheckDigit(n)
	return n + string(d)
}

// digits derives n decimal digits from the seed.
func (p *PKI) digits(label string, n int) string {
	b := derive(p.seed, label, n)
	out := make([]byte, n)
	for i, c := range b {
		out[i] = '0' + c%10
	}
	return string(out)
}

func (p *PKI) issueEE(kind card.KeyKind, s HolderSpec, r root, pub crypto.PublicKey, base string) (*x509.Certificate, error) {
	label := base + "/" + kind.String()
	serial := s.SignSerial
	policy := policyForSign
	usage := x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	if kind == card.AuthKey {
		serial = s.AuthSerial
		policy = jpkioid.PolicyAuth
		usage = x509.KeyUsageDigitalSignature
	}
	if serial == nil {
		serial = p.serial(label)
	}
	cn := strings.ToUpper(hex.EncodeToString(derive(p.seed, label+"/cn", opaqueCNBytes)))
	subject, err := asn1.Marshal(subjectName(kind, s.Prefecture, s.City, cn))
	if err != nil {
		return nil, fmt.Errorf("encoding subject: %w", err)
	}
	crldp, err := marshalCRLDP(CRLDistributionPointName(kind, s.Prefecture, s.City))
	if err != nil {
		return nil, err
	}
	exts := []pkix.Extension{{Id: oidExtCRLDistributionPoints, Value: crldp}}
	if kind == card.SignKey {
		san, err := marshalSAN(sanEntries(s), s.OctetStringSAN)
		if err != nil {
			return nil, err
		}
		exts = append(exts, pkix.Extension{Id: oidExtSubjectAltName, Value: san})
	}
	policyOID, err := x509.OIDFromASN1OID(policy)
	if err != nil {
		return nil, fmt.Errorf("encoding policy: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:       serial,
		RawSubject:         subject,
		NotBefore:          s.NotBefore,
		NotAfter:           s.NotAfter,
		KeyUsage:           usage,
		Policies:           []x509.OID{policyOID},
		SubjectKeyId:       keyIDOf(pub),
		AuthorityKeyId:     r.cert.SubjectKeyId,
		ExtraExtensions:    exts,
		OCSPServer:         ocspServers(s.OCSPServer),
		SignatureAlgorithm: x509SigAlg(r.key.Public()),
	}
	der, err := x509.CreateCertificate(newStream(p.seed, label+"/sig"), tmpl, r.cert, pub, signerOf(r.key))
	if err != nil {
		return nil, fmt.Errorf("signing certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing certificate: %w", err)
	}
	return cert, nil
}

func ocspServers(url string) []string {
	if url == "" {
		return nil
	}
	return []string{url}
}

// opaqueCNBytes is the number of derived bytes behind an end-entity's
// opaque CN (written as upper-case hex, 20 characters).
const opaqueCNBytes = 10

// sanEntries lists the signing certificate's otherName entries in OID
// order.
func sanEntries(s HolderSpec) []sanEntry {
	era := s.Era
	if era == EraUnknownSpec {
		era = card.EraUnknown
	}
	return []sanEntry{
		{jpkioid.Name, s.Name},
		{jpkioid.NameSubstitutes, SubstituteFlags(s.Name, s.NameSubstitutes)},
		{jpkioid.Sex, fmt.Sprint(s.Sex.CertificateCode())},
		{jpkioid.BirthDate, fmt.Sprintf("%d%s", int(era), s.BirthDate.Format("20060102"))},
		{jpkioid.Address, s.Address},
		{jpkioid.AddressSubstitutes, SubstituteFlags(s.Address, s.AddressSubstitutes)},
	}
}

// SubstituteFlags encodes substitute-character positions the way this
// test PKI writes otherNames .2 and .6 (docs/certificates.md: "one ASCII 0/1 per
// character", exact form *unsure*): one ASCII '0' or '1' per rune of text,
// in order, '1' where the rune is a substitute character (代替文字). The
// string has as many bytes as text has runes (U+3000 included), so an
// all-'0' string means "no substitutes".
func SubstituteFlags(text string, positions []int) string {
	flags := []byte(strings.Repeat("0", utf8.RuneCountInString(text)))
	for _, i := range positions {
		if i >= 0 && i < len(flags) {
			flags[i] = '1'
		}
	}
	return string(flags)
}

func checkPositions(text string, positions []int) error {
	n := utf8.RuneCountInString(text)
	for _, i := range positions {
		if i < 0 || i >= n {
			return fmt.Errorf("position %d outside %d characters", i, n)
		}
	}
	return nil
}

// FullWidthDigits replaces ASCII digits 0–9 with full-width digits ０–９,
// as the card writes addresses.
func FullWidthDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, s)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func validSignPIN(s string) bool {
	if len(s) < 6 || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
