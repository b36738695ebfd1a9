package card

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/reader"
)

// Tags of the text application's records (docs/card-apps.md, "Text
// application"); BER-TLV per ISO/IEC 7816-4 §5.2.
const (
	tagNumberRecord   uint32 = 0xFF10
	tagBasicRecord    uint32 = 0xFF20
	tagBasicOffsets   uint32 = 0xDF21
	tagBasicName      uint32 = 0xDF22
	tagBasicAddress   uint32 = 0xDF23
	tagBasicBirth     uint32 = 0xDF24
	tagBasicSex       uint32 = 0xDF25
	tagIntegrity      uint32 = 0xFF30
	tagNumberHash     uint32 = 0xDF31
	tagBasicHash      uint32 = 0xDF32
	tagIntegritySig   uint32 = 0xDF33
	tagCVC            uint32 = 0x7F21
	tagCVCBody        uint32 = 0x5F4E
	tagCVCSignature   uint32 = 0x5F37
	tagRSAExponent    uint32 = 0x90
	tagRSAModulus     uint32 = 0x91
	numberEFLen              = 17 // FF 10 0C + 12 digits + FF FF
	basicOffsetsLen          = 8  // four 16-bit offsets
	dateLayout               = "20060102"
	maxTextFieldRunes        = 1024 // no card field comes close; bounds garbage
)

// ErrMalformedRecord reports card data that does not have the structure
// docs/card-apps.md describes.
var ErrMalformedRecord = errors.New("malformed card record")

// Sex is the holder's sex. The card writes it in two code tables: the
// text application and the card face in ISO/IEC 5218 (1 male, 2 female,
// 9 not applicable; [Sex.ISO5218]), the signing certificate in its own
// (1 male, 2 female, 3 unknown; [Sex.CertificateCode]). A Sex's value is
// its ISO/IEC 5218 code. The certificate's 3 is taken to be ISO 9: the
// text application writes 1, 2 or 9 for the same holder as far as is
// known (docs/card-apps.md); no source states the pairing.
type Sex int

// ISO/IEC 5218 codes.
const (
	// SexNotKnown is ISO code 0. No card is known to write it, and it has
	// no certificate code.
	SexNotKnown Sex = 0
	// SexMale is ISO and certificate code 1.
	SexMale Sex = 1
	// SexFemale is ISO and certificate code 2.
	SexFemale Sex = 2
	// SexNotApplicable is ISO code 9, certificate code 3 ("unknown").
	SexNotApplicable Sex = 9
)

// certSexUnknown is the certificate's code for SexNotApplicable.
const certSexUnknown = 3

// ISO5218 returns the ISO/IEC 5218 code, as the text application and the
// card face write it.
func (s Sex) ISO5218() int { return int(s) }

// CertificateCode returns the signing certificate's code (1 male, 2
// female, 3 unknown), or 0 for a Sex that has none.
func (s Sex) CertificateCode() int {
	switch s {
	case SexMale, SexFemale:
		return int(s)
	case SexNotApplicable:
		return certSexUnknown
	}
	return 0
}

// SexFromCertificateCode returns the Sex of a signing certificate's code,
// and false for a code that is not 1, 2 or 3.
func SexFromCertificateCode(code int) (Sex, bool) {
	switch code {
	case int(SexMale), int(SexFemale):
		return Sex(code), true
	case certSexUnknown:
		return SexNotApplicable, true
	}
	return 0, false
}

// String names the code.
func (s Sex) String() string {
	switch s {
	case SexNotKnown:
		return "not known"
	case SexMale:
		return "male"
	case SexFemale:
		return "female"
	case SexNotApplicable:
		return "not applicable"
	}
	return fmt.Sprintf("Sex(%d)", int(s))
}

// Word is the sex as the attributes' JSON view names it, by the
// certificate's codes: "male", "female", "unknown" (code 3, Sex
// not applicable), or "Sex(n)" with the certificate's code n otherwise.
func (s Sex) Word() string {
	switch s {
	case SexMale:
		return "male"
	case SexFemale:
		return "female"
	case SexNotApplicable:
		return "unknown"
	}
	return fmt.Sprintf("Sex(%d)", s.CertificateCode())
}

func parseSex(b []byte) (Sex, error) {
	if len(b) == 1 {
		switch s := Sex(b[0] - '0'); s {
		case SexNotKnown, SexMale, SexFemale, SexNotApplicable:
			return s, nil
		}
	}
	return 0, fmt.Errorf("%w: sex code %q is not ISO/IEC 5218", ErrMalformedRecord, b)
}

func parseDate(what string, b []byte) (string, time.Time, error) {
	s := string(b)
	t, err := time.Parse(dateLayout, s)
	if err != nil || len(s) != len(dateLayout) {
		return "", time.Time{}, fmt.Errorf("%w: %s %q is not YYYYMMDD", ErrMalformedRecord, what, b)
	}
	return s, t, nil
}

func parseText(what string, b []byte) (string, error) {
	if !utf8.Valid(b) || utf8.RuneCount(b) > maxTextFieldRunes {
		return "", fmt.Errorf("%w: %s is not UTF-8 text", ErrMalformedRecord, what)
	}
	return string(b), nil
}

// ParseNumberRecord parses text EF 0001: FF 10 0C, 12 ASCII digits, FF FF
// filler. The check digit is verified.
func ParseNumberRecord(b []byte) (Number, error) {
	t, _, err := apdu.ReadTLV(b)
	if err != nil {
		return Number{}, fmt.Errorf("parsing Individual Number record: %w", err)
	}
	if t.Tag != tagNumberRecord {
		return Number{}, fmt.Errorf("parsing Individual Number record: %w: tag %X, want %X", ErrMalformedRecord, t.Tag, tagNumberRecord)
	}
	n, err := ParseNumber(string(t.Value))
	if err != nil {
		return Number{}, fmt.Errorf("parsing Individual Number record: %w", err)
	}
	return n, nil
}

// ParseBasicRecord parses text EF 0002: FF20 { DF21 offsets, DF22 name,
// DF23 address, DF24 birth date, DF25 sex }, lengths in any definite form
// (81 LL, 82 HH LL). Trailing filler after the record is ignored. The
// text application has no substitute flags and no era: the result's
// substitute lists are nil and its BirthEra is EraUnknown. DF21's four
// offsets must be 8 bytes; they are not used (the TLVs are) and not
// checked.
func ParseBasicRecord(b []byte) (Attributes, error) {
	info, _, err := parseBasic(b)
	return info, err
}

// parseBasic also returns the bytes DF32 hashes: DF22's TLV to the end of
// the record's value.
func parseBasic(b []byte) (Attributes, []byte, error) {
	fail := func(err error) (Attributes, []byte, error) {
		return Attributes{}, nil, fmt.Errorf("parsing basic four record: %w", err)
	}
	rec, _, err := apdu.ReadTLV(b)
	if err != nil {
		return fail(err)
	}
	if rec.Tag != tagBasicRecord {
		return fail(fmt.Errorf("%w: tag %X, want %X", ErrMalformedRecord, rec.Tag, tagBasicRecord))
	}
	var (
		info   Attributes
		hashed []byte
		seen   = map[uint32]bool{}
	)
	for rest := rec.Value; len(rest) > 0; {
		t, next, err := apdu.ReadTLV(rest)
		if err != nil {
			return fail(err)
		}
		if t.Tag == tagBasicName && hashed == nil {
			hashed = rest
		}
		if seen[t.Tag] {
			return fail(fmt.Errorf("%w: tag %X twice", ErrMalformedRecord, t.Tag))
		}
		seen[t.Tag] = true
		switch t.Tag {
		case tagBasicOffsets:
			if len(t.Value) != basicOffsetsLen {
				return fail(fmt.Errorf("%w: DF21 of %d bytes, want %d", ErrMalformedRecord, len(t.Value), basicOffsetsLen))
			}
		case tagBasicName:
			info.Name, err = parseText("name", t.Value)
		case tagBasicAddress:
			info.Address, err = parseText("address", t.Value)
		case tagBasicBirth:
			_, info.BirthDate, err = parseDate("birth date", t.Value)
		case tagBasicSex:
			info.Sex, err = parseSex(t.Value)
		}
		if err != nil {
			return fail(err)
		}
		rest = next
	}
	for _, tag := range []uint32{tagBasicName, tagBasicAddress, tagBasicBirth, tagBasicSex} {
		if !seen[tag] {
			return fail(fmt.Errorf("%w: no %X", ErrMalformedRecord, tag))
		}
	}
	return info, hashed, nil
}

// TextApp is the card input support application (券面事項入力補助AP,
// AID D3 92 10 00 31 00 01 01 04 08). Everything in it is personal data
// and readable only after its PIN (TextPIN), 照合番号A (TextPINA) or
// 照合番号B (TextPINB).
type TextApp struct {
	c *conn
}

// NewTextApp returns the text application of c. It does not talk to the
// card; use OpenJPKI(...).Text() to detect the card first.
func NewTextApp(c reader.Card, opts Options) *TextApp { return &TextApp{c: newConn(c, opts)} }

// TextFields says which of the text application's personal records a
// read holds.
type TextFields int

// Text application records.
const (
	// TextNumberField is EF 0001, the Individual Number.
	TextNumberField TextFields = 1 << iota
	// TextBasicField is EF 0002, the basic four.
	TextBasicField
)

// TextFieldsOpenedBy returns what a credential opens in the text
// application (docs/card-apps.md, "Text application"): the PIN opens both
// records, 照合番号A only the number, 照合番号B only the basic four. Any
// other kind opens nothing.
func TextFieldsOpenedBy(k PINKind) TextFields {
	switch k {
	case TextPIN:
		return TextNumberField | TextBasicField
	case TextPINA:
		return TextNumberField
	case TextPINB:
		return TextBasicField
	}
	return 0
}

// TextRecord is what one read of the text application holds. Fields says
// which records were read: a record the credential does not open is never
// asked for, and its field is the zero value. What Verify needs is kept
// unexported: of EF 0001 (the number) only its SHA-256. It prints (every
// fmt verb) with the number redacted and without those internals.
type TextRecord struct {
	// Fields says what was read (TextFieldsOpenedBy the credential).
	Fields TextFields
	// Number is EF 0001, when Fields has TextNumberField.
	Number Number
	// Basic is EF 0002, the basic four, when Fields has TextBasicField
	// (no substitute flags, BirthEra EraUnknown).
	Basic Attributes
	// Integrity is EF 0003, the integrity record, nil when the card has
	// none; Integrity.Signed keeps the bytes DF33 covers.
	Integrity *IntegrityRecord

	numberHash         [sha256.Size]byte
	basicHashed        []byte
	integrityEF, cvcEF []byte
}

// Has reports whether the read holds f.
func (r *TextRecord) Has(f TextFields) bool { return r.Fields&f == f }

// Format prints the number redacted and the basic four.
func (r TextRecord) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "{Fields:%d Number:%s Basic:%+v}", int(r.Fields), r.Number, r.Basic)
}

// ReadNumber verifies the text PIN and reads the Individual Number, its
// check digit verified.
func (a *TextApp) ReadNumber(ctx context.Context, prompt PINPrompt) (Number, error) {
	var n Number
	err := a.c.transact(ctx, "reading Individual Number", func(ctx context.Context, s *session) error {
		if err := s.enterText(ctx, TextPIN, prompt); err != nil {
			return err
		}
		raw, err := s.readTextEF(ctx, efTextNumber, fixedSize(numberEFLen))
		defer wipe(raw)
		if err != nil {
			return err
		}
		n, err = ParseNumberRecord(raw)
		return err
	})
	return n, err
}

// ReadBasic verifies the text PIN and reads the basic four.
func (a *TextApp) ReadBasic(ctx context.Context, prompt PINPrompt) (Attributes, error) {
	var info Attributes
	err := a.c.transact(ctx, "reading basic four", func(ctx context.Context, s *session) error {
		if err := s.enterText(ctx, TextPIN, prompt); err != nil {
			return err
		}
		raw, err := s.readTextEF(ctx, efTextBasic, tlvSize)
		if err != nil {
			return err
		}
		info, err = ParseBasicRecord(raw)
		return err
	})
	return info, err
}

// ReadText verifies k (TextPIN, TextPINA or TextPINB) and, in one
// transaction, reads what k opens (TextFieldsOpenedBy: the PIN both
// records, 照合番号A the number only, 照合番号B the basic four only), the
// integrity record EF 0003 and the card-verifiable certificate EF 0004
// (free to read). The result's Fields says what was read. An absent or
// malformed EF 0003 or 0004 is not an error here: Verify reports it.
func (a *TextApp) ReadText(ctx context.Context, k PINKind, prompt PINPrompt) (*TextRecord, error) {
	fields := TextFieldsOpenedBy(k)
	if fields == 0 {
		return nil, fmt.Errorf("reading text application: the %s does not open it", k)
	}
	var rec *TextRecord
	err := a.c.transact(ctx, "reading text application", func(ctx context.Context, s *session) error {
		var err error
		rec, err = s.readText(ctx, k, fields, prompt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// readText selects the text application, verifies k and reads the
// records of fields (which k must open), EF 0003 and EF 0004.
func (s *session) readText(ctx context.Context, k PINKind, fields TextFields, prompt PINPrompt) (*TextRecord, error) {
	rec := &TextRecord{Fields: fields}
	if err := s.enterText(ctx, k, prompt); err != nil {
		return nil, err
	}
	var err error
	if fields&TextNumberField != 0 {
		numberEF, err := s.readTextEF(ctx, efTextNumber, fixedSize(numberEFLen))
		defer wipe(numberEF)
		if err != nil {
			return nil, err
		}
		if rec.Number, err = ParseNumberRecord(numberEF); err != nil {
			return nil, err
		}
		rec.numberHash = sha256.Sum256(numberEF)
	}
	if fields&TextBasicField != 0 {
		basic, err := s.readTextEF(ctx, efTextBasic, tlvSize)
		if err != nil {
			return nil, err
		}
		if rec.Basic, rec.basicHashed, err = parseBasic(basic); err != nil {
			return nil, err
		}
	}
	if rec.integrityEF, err = s.readOptionalTextEF(ctx, efTextIntegrity); err != nil {
		return nil, err
	}
	if len(rec.integrityEF) > 0 {
		rec.Integrity, _ = ParseIntegrityRecord(rec.integrityEF) // Verify reports a malformed one
	}
	if rec.cvcEF, err = s.readOptionalTextEF(ctx, efTextCVC); err != nil {
		return nil, err
	}
	return rec, nil
}

// ReadCVC reads the text application's card-verifiable certificate
// (EF 0004), which is free to read.
func (a *TextApp) ReadCVC(ctx context.Context) (*CVC, error) {
	return readAppCVC(ctx, a.c, aidText, "reading text application certificate")
}

// PINStatus returns the remaining tries of a text application PIN without
// spending one (see JPKI.PINStatus).
func (a *TextApp) PINStatus(ctx context.Context, k PINKind) (int, error) {
	return pinStatus(ctx, a.c, k)
}

// ChangePIN changes the text application's PIN (TextPIN); see
// JPKI.ChangePIN.
func (a *TextApp) ChangePIN(ctx context.Context, oldPrompt, newPrompt PINPrompt) error {
	return changePIN(ctx, a.c, TextPIN, oldPrompt, newPrompt)
}

func (s *session) enterText(ctx context.Context, k PINKind, prompt PINPrompt) error {
	if err := s.selectApp(ctx, aidText); err != nil {
		return err
	}
	return s.verify(ctx, k, prompt)
}

func (s *session) readTextEF(ctx context.Context, ef uint16, size sizeFunc) ([]byte, error) {
	if err := s.selectEF(ctx, ef); err != nil {
		return nil, err
	}
	if ef == efTextNumber {
		s.secret = true // the Individual Number: masked in the trace
		defer func() { s.secret = false }()
	}
	b, err := s.readEF(ctx, size)
	if err != nil {
		return nil, fmt.Errorf("reading EF %04X: %w", ef, err)
	}
	return b, nil
}

func (s *session) readOptionalTextEF(ctx context.Context, ef uint16) ([]byte, error) {
	b, err := s.readTextEF(ctx, ef, tlvSize)
	if errors.Is(err, apdu.ErrFileNotFound) || errors.Is(err, ErrEmptyEF) {
		return nil, nil
	}
	return b, err
}
