package virtual

import (
	"crypto/rsa"
	"fmt"
)

// The text (券面事項入力補助AP) and surface (券面事項確認AP) applications, laid
// out as docs/card-apps.md describes them: which EF holds what, and which
// credential opens it.

// PINs of the text and surface applications whose EF identifier the other
// application uses too (docs/card-apps.md, "Key references"). Their PINRef
// carries pinRefAliased above the EF identifier, so that every PINRef
// stays unique on the card; the EF the host selects is the low 16 bits'
// low byte.
const (
	pinRefAliased PINRef = 0x0100
	// PINSurfaceBirthDate is the surface application's birth-date key,
	// EF 0011: the birth date as 6-digit Japanese-era YYMMDD. It opens
	// only the age record (surface EF 0001).
	PINSurfaceBirthDate PINRef = pinRefAliased | 0x0011
	// PINTextBlocked is the text application's EF 0012, a key blocked
	// from issue: the empty VERIFY answers as for a blocked PIN and
	// VERIFY with data 6984.
	PINTextBlocked PINRef = pinRefAliased | 0x0012
)

// fid is the EF identifier of the PIN.
func (p PINRef) fid() uint16 { return uint16(p &^ pinRefAliased) }

// File identifiers of the text application beyond EF 0001–0004.
const (
	efTextBasicInfo   uint16 = 0x0005
	efTextSessionKey  uint16 = 0x0006
	efTextSignedKey   uint16 = 0x0007
	efTextFiller      uint16 = 0x0008
	efTextAppKey      uint16 = 0x0013
	efSurfaceAge      uint16 = 0x0001
	efSurfaceInfo     uint16 = 0x0003
	efSurfaceCVC      uint16 = 0x0004
	efSurfaceNumber   uint16 = 0x0005
	efSurfaceFiller   uint16 = 0x0006
	efSurfaceAppKey   uint16 = 0x001A
	fillerEFSize             = 16 // text EF 0008 and surface EF 0006: 16 × FF
	birthDateKeyDigit        = 6  // the birth-date key: era YYMMDD
)

// pinNone marks a key that signs with no credential (text EF 0013,
// surface EF 001A).
const pinNone PINRef = 0

// Choices where the evidence is *unsure* (docs/card-apps.md lists each).
const (
	// MaxTriesBirthDateKey is the surface birth-date key's retry counter.
	// No source shows it; the virtual card assumes the same as the
	// 照合番号 (MaxTriesCollation). WithMaxTries changes it.
	MaxTriesBirthDateKey = MaxTriesCollation
	// MaxTriesBlockedKey is the retry maximum of text EF 0012, which is
	// blocked (0 left) from issue; the maximum itself is never seen.
	MaxTriesBlockedKey = 3
	// TextFillerReaders: who may read text EF 0008 (16 × FF) is not
	// known; the virtual card lets the PIN, 照合番号A or B open it, like
	// EF 0006 and 0007.
	TextFillerReaders = "the text PIN, 照合番号A or 照合番号B"
)

// Readers of each EF, as docs/card-apps.md's tables give them.
var (
	textNumberReaders    = []PINRef{PINText, PINTextA}           // not 照合番号B
	textBasicReaders     = []PINRef{PINText, PINTextB}           // not 照合番号A
	textAnyReaders       = []PINRef{PINText, PINTextA, PINTextB} // EF 0003, 0006–0008
	surfaceFaceReaders   = []PINRef{PINSurfaceA, PINSurfaceB}
	surfaceNumberReaders = []PINRef{PINSurfaceA} // 照合番号A only
	surfaceAgeReaders    = []PINRef{PINSurfaceBirthDate}
)

// RecordFault makes the virtual card write its signed records wrongly in
// one named way, so that verifiers can be shown to refuse each.
type RecordFault int

// Record faults.
const (
	// RecordsAsIssued writes every record as a real card holds it.
	RecordsAsIssued RecordFault = iota
	// RecordTampered changes one byte of signed data after signing: the
	// name in text EF 0002, the photo in surface EF 0002, the birth date
	// in surface EF 0001 and the number image in surface EF 0005.
	RecordTampered
	// RecordSignedByAppKey signs the surface records (DF28, DF13, DF43)
	// and the text integrity record (DF33) with the application key
	// (DF24's, EF 0013's) instead of the key EF 0004 certifies.
	RecordSignedByAppKey
	// CVCSignedOverTLV signs each EF 0004 over the whole 5F4E data object
	// (tag, length and value) instead of its value.
	CVCSignedOverTLV
	// TextRecordTampered changes one byte of the name in text EF 0002
	// after its integrity record was made, and nothing else: the surface
	// records verify, the text does not.
	TextRecordTampered
)

// String names the fault.
func (f RecordFault) String() string {
	switch f {
	case RecordsAsIssued:
		return "as issued"
	case RecordTampered:
		return "tampered record"
	case RecordSignedByAppKey:
		return "record signed by the application key"
	case CVCSignedOverTLV:
		return "CVC signed over the 5F4E TLV"
	case TextRecordTampered:
		return "tampered text record"
	}
	return fmt.Sprintf("RecordFault(%d)", int(f))
}

// WithRecordFault writes the text and surface records with fault f.
func WithRecordFault(f RecordFault) Option {
	return func(c *config) { c.recordFault = f }
}

// addPINAt adds a PIN whose EF identifier is ref.fid().
func (c *Card) addPINAt(a *application, ref PINRef, value string, max int, format pinFormat, changeable bool) error {
	if value == "" {
		return nil
	}
	if !format.ok([]byte(value)) {
		return fmt.Errorf("PIN %04X: %d characters not of the form the card holds", ref.fid(), len(value))
	}
	if n, ok := c.cfg.maxTries[ref]; ok {
		max = n
	}
	p := &pinFile{ref: ref, value: []byte(value), max: max, tries: max, format: format, changeable: changeable}
	c.pins[ref] = p
	a.add(&file{fid: ref.fid(), kind: kindPIN, pin: p})
	return nil
}

// addBlockedPIN adds a key that is blocked from issue: no value, no tries.
func (c *Card) addBlockedPIN(a *application, ref PINRef, max int) {
	p := &pinFile{ref: ref, max: max, tries: 0, format: formatFourDigits}
	c.pins[ref] = p
	a.add(&file{fid: ref.fid(), kind: kindPIN, pin: p})
}

// appKey returns the application key to sign with under the fault, or
// the certified key.
func (c *Card) recordSigner(certified, app *rsa.PrivateKey) *rsa.PrivateKey {
	if c.cfg.recordFault == RecordSignedByAppKey && app != nil {
		return app
	}
	return certified
}

func (c *Card) layoutText(ct *Contents) error {
	a := c.newApp("text", AIDText)
	var number []byte
	if ct.Number != "" {
		var err error
		if number, err = EncodeTextNumber(ct.Number); err != nil {
			return err
		}
	}
	basic, err := EncodeTextBasic(ct.Name, ct.Address, ct.BirthDate, ct.Sex)
	if err != nil {
		return err
	}
	if ct.TextKey != nil {
		integrity, err := EncodeTextIntegrity(number, basic, c.recordSigner(ct.TextKey, ct.TextAppKey))
		if err != nil {
			return err
		}
		if err := addBinary(a, efTextIntegrity, integrity, textAnyReaders...); err != nil {
			return err
		}
		subjectID := ct.TextKeyID
		if len(subjectID) == 0 {
			subjectID = keyID(&ct.TextKey.PublicKey)
		}
		cvc, err := c.appCVC(&ct.TextKey.PublicKey, CVCAText, ct.TextCAKey, ct.TextCAKeyID, subjectID)
		if err != nil {
			return err
		}
		if err := addBinary(a, efTextCVC, cvc); err != nil { // free to read
			return err
		}
		info, err := EncodeTextBasicInfo(subjectID)
		if err != nil {
			return err
		}
		if err := addBinary(a, efTextBasicInfo, info); err != nil { // free to read
			return err
		}
		if ct.TextAppKey != nil {
			if err := addBinary(a, efTextSessionKey, EncodeTextSessionKey(&ct.TextAppKey.PublicKey), textAnyReaders...); err != nil {
				return err
			}
			signed, err := EncodeTextSignedKey(&ct.TextAppKey.PublicKey, ct.TextKey)
			if err != nil {
				return err
			}
			if err := addBinary(a, efTextSignedKey, signed, textAnyReaders...); err != nil {
				return err
			}
		}
	}
	if c.cfg.recordFault == RecordTampered || c.cfg.recordFault == TextRecordTampered {
		tamper(basic, []byte(ct.Name))
	}
	if number != nil {
		if err := addBinary(a, efTextNumber, number, textNumberReaders...); err != nil {
			return err
		}
	}
	if err := addBinary(a, efTextBasic, basic, textBasicReaders...); err != nil {
		return err
	}
	if err := addBinary(a, efTextFiller, filler(fillerEFSize), textAnyReaders...); err != nil {
		return err
	}
	addKey(a, efTextAppKey, ct.TextAppKey, pinNone)
	if err := c.addPINAt(a, PINText, ct.TextPIN, MaxTriesText, formatFourDigits, true); err != nil {
		return err
	}
	c.addBlockedPIN(a, PINTextBlocked, MaxTriesBlockedKey)
	if err := c.addPINAt(a, PINTextA, ct.Number, MaxTriesCollation, formatNumber, false); err != nil {
		return err
	}
	return c.addPINAt(a, PINTextB, ct.PINB, MaxTriesCollation, formatCollationB, false)
}

func (c *Card) layoutSurface(ct *Contents) error {
	a := c.newApp("surface", AIDSurface)
	signer := c.recordSigner(ct.SurfaceKey, ct.SurfaceAppKey)
	face, err := EncodeSurface(ct, signer)
	if err != nil {
		return err
	}
	if c.cfg.recordFault == RecordTampered {
		tamper(face, ct.FacePhoto)
	}
	if err := addBinary(a, efSurfaceFace, face, surfaceFaceReaders...); err != nil {
		return err
	}
	if signer != nil && ct.SurfaceAppKey != nil {
		age, err := EncodeAgeRecord(ct.BirthDate, &ct.SurfaceAppKey.PublicKey, signer)
		if err != nil {
			return err
		}
		if c.cfg.recordFault == RecordTampered {
			tamper(age, []byte(ct.BirthDate[:4])) // the year: the date stays valid
		}
		if err := addBinary(a, efSurfaceAge, age, surfaceAgeReaders...); err != nil {
			return err
		}
		if len(ct.NumberImage) > 0 {
			img, err := EncodeNumberImage(ct.NumberImage, &ct.SurfaceAppKey.PublicKey, signer)
			if err != nil {
				return err
			}
			if c.cfg.recordFault == RecordTampered {
				tamper(img, ct.NumberImage)
			}
			if err := addBinary(a, efSurfaceNumber, img, surfaceNumberReaders...); err != nil {
				return err
			}
		}
	}
	if ct.SurfaceKey != nil {
		subjectID := ct.SurfaceKeyID
		if len(subjectID) == 0 {
			subjectID = keyID(&ct.SurfaceKey.PublicKey)
		}
		cvc, err := c.appCVC(&ct.SurfaceKey.PublicKey, CVCASurface, ct.SurfaceCAKey, ct.SurfaceCAKeyID, subjectID)
		if err != nil {
			return err
		}
		if err := addBinary(a, efSurfaceCVC, cvc); err != nil { // free to read
			return err
		}
		if ct.Municipality != "" {
			info, err := EncodeSurfaceInfo(subjectID, ct.Municipality)
			if err != nil {
				return err
			}
			if err := addBinary(a, efSurfaceInfo, info); err != nil { // free to read
				return err
			}
		}
	}
	if err := addBinary(a, efSurfaceFiller, filler(fillerEFSize), surfaceFaceReaders...); err != nil {
		return err
	}
	addKey(a, efSurfaceAppKey, c.surfaceChipKey(ct.SurfaceAppKey), pinNone)
	if err := c.addPINAt(a, PINSurfaceA, ct.Number, MaxTriesCollation, formatNumber, false); err != nil {
		return err
	}
	if err := c.addPINAt(a, PINSurfaceB, ct.PINB, MaxTriesCollation, formatCollationB, false); err != nil {
		return err
	}
	if len(ct.PINB) >= birthDateKeyDigit {
		return c.addPINAt(a, PINSurfaceBirthDate, ct.PINB[:birthDateKeyDigit], MaxTriesBirthDateKey, formatBirthDate, false)
	}
	return nil
}

// appCVC returns an application's EF 0004: the subject key certified by
// the CA key given in the contents, or by the virtual CV CA of role.
func (c *Card) appCVC(subject *rsa.PublicKey, role CVCARole, ca *rsa.PrivateKey, caID, subjectID []byte) ([]byte, error) {
	if ca == nil {
		var err error
		if ca, err = CVCAKey(role); err != nil {
			return nil, err
		}
		if len(caID) == 0 {
			caID = role.KeyID()
		}
	}
	part := CVCSignedValue
	if c.cfg.recordFault == CVCSignedOverTLV {
		part = CVCSignedTLV
	}
	return EncodeAppCVC(subject, caID, subjectID, ca, part)
}

// tamper flips the last bit of the first occurrence of part in rec (part
// must be in it: the caller passes a field it just encoded).
func tamper(rec, part []byte) {
	if len(part) == 0 {
		return
	}
	for i := 0; i+len(part) <= len(rec); i++ {
		if string(rec[i:i+len(part)]) == string(part) {
			rec[i+len(part)-1] ^= 0x01
			return
		}
	}
}

func filler(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 0xFF
	}
	return b
}
