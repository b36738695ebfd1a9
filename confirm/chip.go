package confirm

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/store"
)

// Chip identification (ICチップ読取り): the card face is read from the
// surface application with 照合番号B and checked to the issuer's pinned
// CV CA key, the chip proves it is present, and the card's validity is
// checked (docs/card-apps.md, "Surface application").

// MethodChip is ChipIdentification.Method and the method a chip
// identification's record names: reading the IC chip and verifying its
// issuer signature.
const MethodChip = "ic_chip"

// Refusal codes of a chip identification and an age check, one per reason.
const (
	// RefusalChipTampered: the card face (or age record) does not match
	// its signature: a changed photo, name or address image or birth date.
	RefusalChipTampered RefusalCode = "record_tampered"
	// RefusalChipOtherKey: the record is not signed by a key a pinned CV
	// CA key certifies: signed by the key it carries itself, a
	// certificate by an unknown or mismatched CA key, or signed wrongly.
	RefusalChipOtherKey RefusalCode = "record_signed_by_other_key"
	// RefusalChipTestKey: the certificate is issued by a test CV CA key
	// and the check trusts production keys only.
	RefusalChipTestKey RefusalCode = "test_cv_key_under_production_check"
	// RefusalChipUnverifiable: no record, no certificate, or one that does
	// not parse.
	RefusalChipUnverifiable RefusalCode = "record_unverifiable"
	// RefusalChipNotPresent: the application key did not sign the fresh
	// challenge with the key of the signed record: the files may be copied
	// onto another chip.
	RefusalChipNotPresent RefusalCode = "card_present_check_failed"
	// RefusalChipCredentialMismatch: 照合番号B (or the birth-date key)
	// opened the card but its birth date or expiry year are not the
	// verified record's.
	RefusalChipCredentialMismatch RefusalCode = "credential_does_not_match_record"
	// RefusalChipExpired: the card's expiry date (DF29) is past.
	RefusalChipExpired RefusalCode = "card_expired"
	// RefusalChipNoAuthCert: the card has no authentication certificate,
	// so its revocation cannot be checked.
	RefusalChipNoAuthCert RefusalCode = "no_auth_certificate"
	// RefusalChipAuthChain: the authentication certificate does not chain
	// to a pinned root (expired, test root under a production check...).
	RefusalChipAuthChain RefusalCode = "auth_certificate_chain"
	// RefusalChipAuthRevoked: the authentication certificate is revoked,
	// as when the card was reported lost.
	RefusalChipAuthRevoked RefusalCode = "auth_certificate_revoked"
	// RefusalChipAuthRevocationUnknown: its revocation could not be
	// checked and the policy does not accept that.
	RefusalChipAuthRevocationUnknown RefusalCode = "auth_revocation_unknown"
)

// CVResult is a signed record's verification to a pinned CV CA key.
type CVResult struct {
	Verified bool `json:"verified"`
	// CAKey is the 7-digit name of the CV CA key that verified (or that
	// the certificate names); TestKey is true for a test key.
	CAKey   string `json:"ca_key,omitempty"`
	TestKey bool   `json:"test_key"`
	// SignerKeyID is EF 0004's subject key ID (hex), the key that signed
	// the record.
	SignerKeyID string `json:"signer_key_id,omitempty"`
	// Reason is card.CVReason.Code of a failure.
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// CheckResult is one further check.
type CheckResult struct {
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

func cvResult(v *card.CVVerification, err error) CVResult {
	if err == nil {
		out := CVResult{Verified: true, CAKey: v.CAKey.Name(), TestKey: v.CAKey.Test()}
		if v.CVC != nil {
			out.SignerKeyID = hex.EncodeToString(v.CVC.SubjectKeyID[:])
		}
		return out
	}
	out := CVResult{Detail: err.Error()}
	var cve *card.CVError
	if errors.As(err, &cve) {
		out.Reason, out.CAKey = cve.Reason.Code(), cve.IssuerKeyID.Name()
	}
	return out
}

// recordRefusal maps a record verification failure to its refusal code.
func recordRefusal(err error) RefusalCode {
	var cve *card.CVError
	if !errors.As(err, &cve) {
		return RefusalChipUnverifiable
	}
	switch cve.Reason {
	case card.CVReasonTampered:
		return RefusalChipTampered
	case card.CVReasonTestKey:
		return RefusalChipTestKey
	case card.CVReasonNoRecord, card.CVReasonMalformed:
		return RefusalChipUnverifiable
	}
	return RefusalChipOtherKey
}

// cvKeys returns k, or the production keys when k is nil: a caller that
// names no keys gets the strict check.
func cvKeys(k *card.CVCAKeys) (*card.CVCAKeys, error) {
	if k != nil {
		return k, nil
	}
	return card.NewCVCAKeys()
}

// cardPresent checks the chip's answer sig to challenge with pub, the
// key of the record read in the same card transaction.
func cardPresent(pub *rsa.PublicKey, challenge, sig []byte) CheckResult {
	if err := card.VerifyChallenge(pub, challenge, sig); err != nil {
		return CheckResult{Detail: "the chip's answer does not verify with the key in the signed record"}
	}
	return CheckResult{OK: true}
}

// CardKeyID names a card by its surface application key (DF24): the
// first cardKeyIDSize bytes of the SHA-256 of the key's modulus, in hex.
// The key is the chip's own, so the ID tells cards apart without any
// personal field.
func CardKeyID(pub *rsa.PublicKey) string {
	if pub == nil {
		return ""
	}
	h := sha256.Sum256(pub.N.Bytes())
	return hex.EncodeToString(h[:cardKeyIDSize])
}

// cardKeyIDSize is how many bytes of the hash CardKeyID keeps.
const cardKeyIDSize = 16

// typedDate keeps the non-secret reading of what the holder typed (the
// birth date digits and the expiry year) to compare with the verified
// record afterwards.
type typedDate struct {
	birth  [6]byte
	year   int
	filled bool
}

func (t *typedDate) wipe() {
	clear(t.birth[:])
	t.year, t.filled = 0, false
}

// matches reports whether the typed era birth date is birth's.
func (t *typedDate) matches(birth time.Time) bool {
	want, err := eraDigits(birth)
	return err == nil && t.filled && string(t.birth[:]) == want
}

func eraDigits(t time.Time) (string, error) {
	_, y, err := card.JapaneseEra(t)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%02d%02d%02d", y, int(t.Month()), t.Day()), nil
}

// maxExpiryYearsAhead bounds the expiry year of 照合番号B: a card is
// valid at most until the holder's tenth birthday after issue (fifth for
// minors), so no expiry lies more than 11 years ahead.
const maxExpiryYearsAhead = 11

// errExpiryPast reports 照合番号B whose expiry year is already past: the
// card has expired and is not read.
var errExpiryPast = errors.New("confirm: the expiry year typed is past: the card has expired")

// checkPINB checks 照合番号B locally, before it is sent: 14 digits, an
// era birth date that is a calendar date (month 01–12, a day the month
// can have), and an expiry year from this year (JST, at now) to
// maxExpiryYearsAhead on. A past expiry year is errExpiryPast; other
// problems wrap card.ErrPINFormat. No error contains the digits.
func checkPINB(pinb []byte, now time.Time) error {
	if _, err := card.ValidatePIN(card.SurfacePINB, pinb); err != nil {
		return err
	}
	if err := checkEraDate(pinb[:6]); err != nil {
		return err
	}
	y, _ := strconv.Atoi(string(pinb[6:10]))
	this := now.In(card.JST).Year()
	switch {
	case y < this:
		return errExpiryPast
	case y > this+maxExpiryYearsAhead:
		return fmt.Errorf("%w: 照合番号B: the expiry year is more than %d years ahead", card.ErrPINFormat, maxExpiryYearsAhead)
	}
	return nil
}

// checkBirthDateKey checks the birth-date key locally: 6 digits, an era
// year from 01 and a calendar month and day.
func checkBirthDateKey(key []byte) error {
	if _, err := card.ValidatePIN(card.SurfaceBirthDate, key); err != nil {
		return err
	}
	return checkEraDate(key)
}

// checkEraDate checks YYMMDD (era year, month, day; 29 February allowed,
// as some era year may be a leap year).
func checkEraDate(d []byte) error {
	n := func(b []byte) int { v, _ := strconv.Atoi(string(b)); return v }
	y, m, day := n(d[0:2]), n(d[2:4]), n(d[4:6])
	max := [...]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	if y < 1 || m < 1 || m > 12 || day < 1 || day > max[m] {
		return fmt.Errorf("%w: the birth date must be a Japanese-era date YYMMDD (year from 01, month 01–12, a day of that month)", card.ErrPINFormat)
	}
	return nil
}

// pinBPrompt wraps prompt: the typed 照合番号B is checked locally
// (checkPINB) before the card sees it, and its birth date and expiry
// year are kept to compare with the record.
func (t *typedDate) pinBPrompt(prompt card.PINPrompt, now func() time.Time) card.PINPrompt {
	return func(ctx context.Context, k card.PINKind, remaining int) ([]byte, error) {
		if prompt == nil {
			return nil, errors.New("no prompt for 照合番号B")
		}
		b, err := prompt(ctx, k, remaining)
		if err != nil {
			return nil, err
		}
		if err := checkPINB(b, now()); err != nil {
			clear(b)
			return nil, err
		}
		copy(t.birth[:], b[:6])
		t.year, _ = strconv.Atoi(string(b[6:10]))
		t.filled = true
		return b, nil
	}
}

// birthKeyPrompt wraps prompt for the birth-date key, as pinBPrompt does.
func (t *typedDate) birthKeyPrompt(prompt card.PINPrompt) card.PINPrompt {
	return func(ctx context.Context, k card.PINKind, remaining int) ([]byte, error) {
		if prompt == nil {
			return nil, errors.New("no prompt for the birth-date key")
		}
		b, err := prompt(ctx, k, remaining)
		if err != nil {
			return nil, err
		}
		if err := checkBirthDateKey(b); err != nil {
			clear(b)
			return nil, err
		}
		copy(t.birth[:], b[:6])
		t.filled = true
		return b, nil
	}
}

// ChipOptions parameterise Confirmer.IdentifyChip.
type ChipOptions struct {
	// Prompt asks for 照合番号B (14 digits: era birth date YYMMDD, expiry
	// year, security code). The tries left are read first and the last
	// try is refused unless card.Options.AllowLastTry.
	Prompt card.PINPrompt
	// CVKeys are the pinned CV CA keys the card face is verified to. Nil
	// means the J-LIS production keys only.
	CVKeys *card.CVCAKeys
	// TextPrompt, when set, asks for the holder's 4-digit text PIN
	// (card.TextPIN): the name, address, birth date and sex are then also
	// read as text from the text application, in the same card
	// transaction, and its integrity record verified to the pinned text
	// CV CA key. Its tries are read before 照合番号B is asked for, with
	// the same last-try rule. The Individual Number is not read.
	TextPrompt card.PINPrompt
	// KeepPhoto says what the record keeps of the face photo: its
	// SHA-256 only (the zero value), or the photo itself, as read or as
	// PNG, when the identification is verified.
	KeepPhoto PhotoKeep
}

// ChipVerdict is what a chip identification concluded, one field per
// check. OK only when every check passed.
type ChipVerdict struct {
	OK      bool        `json:"ok"`
	Refusal RefusalCode `json:"refusal,omitempty"`
	// Face is the card face (DF28) verified through EF 0004 to a pinned
	// CV CA key.
	Face CVResult `json:"face"`
	// CredentialMatches: the birth date and expiry year of 照合番号B are
	// the verified card face's.
	CredentialMatches bool `json:"credential_matches"`
	// CardPresent: the chip's application key signed a fresh challenge,
	// checked with DF24 of the verified card face.
	CardPresent CheckResult `json:"card_present"`
	// Expiry: DF29 is today or later (JST). DF29 is not covered by the
	// card-face signature: ExpirySigned is always false to say so.
	Expiry       CheckResult `json:"expiry"`
	ExpirySigned bool        `json:"expiry_signed"`
	// AuthChain and AuthRevocation are the free-to-read authentication
	// certificate's chain to a pinned root and revocation status: a card
	// reported lost has its certificates revoked.
	AuthChain      ChainResult      `json:"auth_chain"`
	AuthRevocation RevocationResult `json:"auth_revocation"`
	// Text is the text application's integrity record verified to a
	// pinned text CV CA key, and TextMatchesFace the comparison of its
	// birth date and sex with the card face; both nil when the text was
	// not read (no ChipOptions.TextPrompt).
	Text            *CVResult    `json:"text,omitempty"`
	TextMatchesFace *CheckResult `json:"text_matches_face,omitempty"`
}

// ChipIdentification is the result of a chip identification.
type ChipIdentification struct {
	Method   string      `json:"method"`
	At       time.Time   `json:"at"`
	Operator string      `json:"operator,omitempty"`
	Verdict  ChipVerdict `json:"verdict"`
	// CardKeyID names the card by its chip key (CardKeyID).
	CardKeyID string `json:"card_key_id,omitempty"`
	// Read lists what was read from the chip.
	Read []string `json:"read"`
	// BirthDate (YYYY-MM-DD), BirthDateJapanese, Sex and Expiry
	// (YYYY-MM-DD) are the card face's text fields; name and address are
	// images only (Face.NameImage, Face.AddressImage).
	BirthDate         string `json:"birth_date,omitempty"`
	BirthDateJapanese string `json:"birth_date_japanese,omitempty"`
	Sex               string `json:"sex,omitempty"`
	Expiry            string `json:"expiry,omitempty"`
	// PhotoSHA256 is the SHA-256 of the face photo as on the card: the
	// record proves which photo was shown without keeping it.
	PhotoSHA256 string `json:"photo_sha256,omitempty"`
	// PhotoKept is the format of the photo the record keeps, as
	// card.ImageFormat.Ext names it ("jp2", "j2k", "png"), empty when it
	// keeps the hash only.
	PhotoKept string `json:"photo_kept,omitempty"`
	// Text is the basic four as text, when the holder entered the text
	// PIN and the text verified and matched the card face.
	Text *ChipText `json:"text,omitempty"`
	// AuthCertificate identifies the authentication certificate checked.
	AuthCertificate *CertificateInfo `json:"auth_certificate,omitempty"`
	// Face is the card face that was read, for the clerk to look at (the
	// photo against the person). Nil when the card was not read.
	Face *card.Surface `json:"-"`
	// RecordSeq is the record kept, 0 without a store.
	RecordSeq int64 `json:"record_seq,omitempty"`
}

// What a chip identification reads, as ChipIdentification.Read names it.
var chipRead = []string{"birth_date", "sex", "name_image", "address_image", "face_photo", "expiry", "application_key", "auth_certificate"} //nolint:gochecknoglobals // constant list

// IdentifyChip runs a chip identification on j's card. 照合番号B is
// checked locally first (checkPINB); a past expiry year refuses at once
// (RefusalChipExpired) without touching the card. Then, after the tries
// are read with the last-try rule, the card face (surface EF 0002) and
// EF 0004 are read with 照合番号B and DF28 verified to opts.CVKeys; the
// application key signs a fresh random challenge, checked with the
// verified DF24; DF29 (not signed) must not be past in JST; and the
// authentication certificate (free to read, read first in the same card
// transaction, card.SurfaceApp.ReadChipProving) must chain to a pinned
// root and not be revoked under the revocation policy. Each failure has its
// refusal code. A wrong 照合番号B (a *card.PINError with the tries left),
// a refused last try or a card error is an error and nothing is recorded;
// a completed identification is recorded when the Config's Records are set.
//
// With opts.TextPrompt the holder's basic four are also read as text with
// the holder's PIN, in the same transaction, verified to the pinned text CV CA key
// (RefusalChipTextUnverified otherwise) and compared with the card face
// (RefusalChipTextMismatch); a wrong text PIN is a *card.PINError, and
// nothing is recorded. opts.KeepPhoto makes the record of a verified
// identification keep the photo itself.
func (c *Confirmer) IdentifyChip(ctx context.Context, j *card.JPKI, opts ChipOptions) (*ChipIdentification, error) {
	keys, err := cvKeys(opts.CVKeys)
	if err != nil {
		return nil, err
	}
	typed := &typedDate{}
	defer typed.wipe()
	sa := j.Surface()
	challenge, err := c.newChallenge()
	if err != nil {
		return nil, err
	}
	// The authentication certificate, the card face, the chip's answer
	// and the text come from one card transaction.
	p, err := sa.ReadChipProving(ctx, card.SurfacePINB, typed.pinBPrompt(opts.Prompt, c.cfg.Now), challenge, opts.TextPrompt)
	var (
		sf  *card.Surface
		sig []byte
		txt *card.TextRecord
	)
	if p != nil {
		sf, sig, txt = p.Surface, p.Signature, p.Text
	}
	now := c.cfg.Now()
	id := &ChipIdentification{Method: MethodChip, At: now, Operator: c.cfg.Operator}
	if errors.Is(err, errExpiryPast) {
		const notRead = "the card was not read"
		id.Read = []string{}
		id.Verdict.Refusal = RefusalChipExpired
		id.Verdict.Expiry.Detail = errExpiryPast.Error()
		id.Verdict.AuthChain = ChainResult{At: now, Code: "not_checked", Detail: notRead}
		id.Verdict.AuthRevocation = RevocationResult{Status: RevocationNotChecked, Detail: notRead}
		return id, nil
	}
	if err != nil {
		return nil, fmt.Errorf("identifying by chip: %w", err)
	}
	id.Face, id.Read = sf, chipRead
	id.BirthDate, id.Sex, id.Expiry = sf.Birth.Format(dateLayout), sf.Sex.String(), sf.ExpiryDate.Format(dateLayout)
	id.BirthDateJapanese = card.FormatJapaneseDate(sf.Birth)
	id.CardKeyID = CardKeyID(sf.PublicKey)
	ph := sha256.Sum256(sf.FacePhoto)
	id.PhotoSHA256 = hex.EncodeToString(ph[:])

	v := &id.Verdict
	fv, ferr := sf.Verify(keys)
	v.Face = cvResult(fv, ferr)
	v.CredentialMatches = typed.matches(sf.Birth) && typed.year == sf.ExpiryDate.Year()
	v.CardPresent = cardPresent(sf.PublicKey, challenge, sig)
	v.Expiry = expiryResult(sf.ExpiryDate, now)
	if txt != nil {
		checkText(id, txt, sf, keys)
	}

	authCert := c.checkAuthCert(ctx, p.AuthCert, p.AuthCertErr, now, &v.AuthChain, &v.AuthRevocation)
	if authCert != nil {
		info := certificateInfo(authCert.Certificate, card.AuthKey)
		id.AuthCertificate = &info
	}

	switch {
	case !v.Face.Verified:
		v.Refusal = recordRefusal(ferr)
	case !v.CredentialMatches:
		v.Refusal = RefusalChipCredentialMismatch
	case !v.CardPresent.OK:
		v.Refusal = RefusalChipNotPresent
	case v.Text != nil && !v.Text.Verified:
		v.Refusal = RefusalChipTextUnverified
	case v.TextMatchesFace != nil && !v.TextMatchesFace.OK:
		v.Refusal = RefusalChipTextMismatch
	case !v.Expiry.OK:
		v.Refusal = RefusalChipExpired
	default:
		v.Refusal = c.authRefusal(authCert, v.AuthChain, v.AuthRevocation)
	}
	v.OK = v.Refusal == ""
	if c.cfg.Records == nil || authCert == nil {
		return id, nil
	}
	var photo *keptPhoto
	if v.OK {
		if photo, err = keepPhoto(opts.KeepPhoto, sf); err != nil {
			return nil, fmt.Errorf("identifying by chip: %w", err)
		}
	}
	if err := c.recordChip(ctx, id, challenge, photo); err != nil {
		return nil, err
	}
	return id, nil
}

// checkAuthCert parses the authentication certificate der (read with
// readErr), checks its chain to a pinned root at now and its revocation,
// and sets chain and rev. It returns the certificate, nil when there is
// none to check (chain and rev then say so).
func (c *Confirmer) checkAuthCert(ctx context.Context, der []byte, readErr error, now time.Time, chain *ChainResult, rev *RevocationResult) *jpki.Certificate {
	var authCert *jpki.Certificate
	err := readErr
	if err == nil {
		authCert, err = jpki.Parse(der)
	}
	if err != nil {
		*chain = ChainResult{At: now, Code: "no_certificate", Detail: err.Error()}
		*rev = RevocationResult{Status: RevocationUnknown, Code: RevCodeNoIssuer, Detail: "no authentication certificate"}
		return nil
	}
	ver, verr := jpki.Verify(authCert, c.cfg.Roots, jpki.VerifyOptions{Time: now, Kind: card.AuthKey, RequireProduction: c.cfg.RequireProduction})
	*chain = chainResult(ver, verr, now)
	var ic *x509.Certificate
	if verr == nil {
		ic = ver.Root.Certificate
	}
	*rev = c.checkRevocation(ctx, authCert.Certificate, ic)
	return authCert
}

// authRefusal is the refusal of the authentication certificate's checks,
// "" when they passed under the revocation policy.
func (c *Confirmer) authRefusal(cert *jpki.Certificate, chain ChainResult, rev RevocationResult) RefusalCode {
	switch {
	case cert == nil:
		return RefusalChipNoAuthCert
	case !chain.OK:
		return RefusalChipAuthChain
	case rev.Status == RevocationRevoked:
		return RefusalChipAuthRevoked
	case !accepts(c.cfg.RevocationPolicy, rev):
		return RefusalChipAuthRevocationUnknown
	}
	return ""
}

// expiryResult: the card is valid through its expiry day, in JST.
func expiryResult(expiry, now time.Time) CheckResult {
	y, m, d := expiry.Date()
	last := time.Date(y, m, d, 0, 0, 0, 0, card.JST)
	ny, nm, nd := now.In(card.JST).Date()
	today := time.Date(ny, nm, nd, 0, 0, 0, 0, card.JST)
	if today.After(last) {
		return CheckResult{Detail: fmt.Sprintf("the card expired on %s", last.Format(dateLayout))}
	}
	return CheckResult{OK: true}
}

// chipRecordDetails is the JSON a chip identification's record keeps:
// the method, what was read, each verification result and the card key
// ID. The photo itself is kept only when asked (ChipOptions.KeepPhoto),
// its hash always.
type chipRecordDetails struct {
	Method      string      `json:"method"`
	Read        []string    `json:"read"`
	Verdict     ChipVerdict `json:"chip_verdict"`
	CardKeyID   string      `json:"card_key_id"`
	PhotoSHA256 string      `json:"photo_sha256"`
	Expiry      string      `json:"expiry"`
	Photo       *keptPhoto  `json:"photo,omitempty"`
}

// recordChip appends the identification's record: kind identify, the
// authentication certificate's issuer and serial, the birth date and sex
// read from the card face (and the name and address from the verified
// text, when read), and the details, with photo when it is kept.
func (c *Confirmer) recordChip(ctx context.Context, id *ChipIdentification, challenge []byte, photo *keptPhoto) error {
	v := id.Verdict
	details, err := json.Marshal(chipRecordDetails{Method: id.Method, Read: id.Read, Verdict: v, CardKeyID: id.CardKeyID, PhotoSHA256: id.PhotoSHA256, Expiry: id.Expiry, Photo: photo})
	if err != nil {
		return fmt.Errorf("identifying by chip: recording: %w", err)
	}
	// The sex is the card face's ISO/IEC 5218 code: the store keeps it so
	// for a record of the authentication certificate.
	attrs := &card.Attributes{BirthDate: id.Face.Birth, Sex: id.Face.Sex}
	if id.Text != nil {
		attrs.Name, attrs.Address = id.Text.Name, id.Text.Address
	}
	if e, _, err := card.JapaneseEra(id.Face.Birth); err == nil {
		attrs.BirthEra = e
	}
	rec, err := c.cfg.Records.AppendRecord(ctx, store.Record{
		Kind: store.RecordIdentify, At: id.At, Operator: c.cfg.Operator,
		Verdict: store.Verdict{
			SignatureOK: v.Face.Verified && v.CardPresent.OK, ChainOK: v.AuthChain.OK, Root: v.AuthChain.RootFingerprint,
			Revocation: storeRevocationStatus(v.AuthRevocation.Status), RevocationReason: v.AuthRevocation.Reason, RevocationSource: v.AuthRevocation.Source,
		},
		CertKind: card.AuthKey, Issuer: id.AuthCertificate.Issuer, Serial: id.AuthCertificate.Serial,
		Attributes:  attrs,
		ChallengeID: base64.RawURLEncoding.EncodeToString(challenge), Details: string(details),
	}, c.cfg.Seal)
	if err != nil {
		return fmt.Errorf("identifying by chip: recording: %w", err)
	}
	id.RecordSeq = rec.Seq
	if photo != nil {
		id.PhotoKept = photo.Format
	}
	return nil
}
