package card

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/reader"
)

// Surface record tags (docs/card-apps.md, "Surface application").
const (
	tagSurfaceBirth     uint32 = 0xDF22
	tagSurfaceSex       uint32 = 0xDF23
	tagSurfaceKey       uint32 = 0xDF24
	tagSurfaceName      uint32 = 0xDF25
	tagSurfaceAddress   uint32 = 0xDF26
	tagSurfaceFace      uint32 = 0xDF27
	tagSurfaceSignature uint32 = 0xDF28
	tagSurfaceExpiry    uint32 = 0xDF29
	tagSurfaceCode      uint32 = 0xDF2A
	// surfaceDigestInfoPrefix is the DER DigestInfo header DF28 is made
	// over [card]: SHA-256's AlgorithmIdentifier and an OCTET STRING of
	// 96 bytes (three SHA-256 hashes), its lengths declared for 96 bytes.
	// The verifier builds it and checks with crypto.Hash(0).
	surfaceDigestInfoPrefix = "\x30\x71\x30\x0D\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x60"
)

// ImageFormat says how an image's bytes are encoded, judged by their magic
// number only.
type ImageFormat int

// Image formats.
const (
	FormatUnknown ImageFormat = iota
	// FormatJPEG2000Codestream is a raw JPEG 2000 codestream (ISO/IEC
	// 15444-1 Annex A: SOC FF4F then SIZ FF51), what most tools call .j2k.
	FormatJPEG2000Codestream
	// FormatJP2 is a JP2 file (ISO/IEC 15444-1 Annex I: the 12-byte
	// signature box 0000000C 6A502020 0D0A870A), .jp2.
	FormatJP2
	// FormatPNG is a PNG image (89 50 4E 47 0D 0A 1A 0A).
	FormatPNG
)

// String names the format.
func (f ImageFormat) String() string {
	switch f {
	case FormatJPEG2000Codestream:
		return "JPEG 2000 codestream (.j2k)"
	case FormatJP2:
		return "JPEG 2000 JP2 file (.jp2)"
	case FormatPNG:
		return "PNG"
	}
	return "unknown"
}

// Ext is the format's usual file extension without the dot: "j2k", "jp2"
// or "png", and "" for FormatUnknown. Records and file names use it.
func (f ImageFormat) Ext() string {
	switch f {
	case FormatJPEG2000Codestream:
		return "j2k"
	case FormatJP2:
		return "jp2"
	case FormatPNG:
		return "png"
	}
	return ""
}

var (
	magicJ2K = []byte{0xFF, 0x4F, 0xFF, 0x51}
	magicJP2 = []byte{0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A}
	magicPNG = []byte{0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A}
)

// DetectImageFormat tells an image's format from its magic number.
func DetectImageFormat(b []byte) ImageFormat {
	switch {
	case bytes.HasPrefix(b, magicJ2K):
		return FormatJPEG2000Codestream
	case bytes.HasPrefix(b, magicJP2):
		return FormatJP2
	case bytes.HasPrefix(b, magicPNG):
		return FormatPNG
	}
	return FormatUnknown
}

// Surface is the card face as the surface application (券面事項確認AP)
// holds it in EF 0002.
type Surface struct {
	// FacePhoto is the face photo, greyscale JPEG 2000; PhotoFormat says
	// whether it is a bare codestream or a JP2 file.
	FacePhoto   []byte
	PhotoFormat ImageFormat
	// NameImage, AddressImage and SecurityCodeImage are images (PNG on
	// the virtual card) of the card face's fields.
	NameImage, AddressImage, SecurityCodeImage []byte
	// BirthDate is YYYYMMDD and Birth the same date at midnight UTC.
	BirthDate string
	Birth     time.Time
	Sex       Sex
	// Expiry is the card's expiry date YYYYMMDD and ExpiryDate the same
	// date at midnight UTC.
	Expiry     string
	ExpiryDate time.Time
	// PublicKey is DF24, the application key (surface EF 001A's public
	// half; nil when DF24 is empty). It does not sign DF28: the key EF
	// 0004 certifies does. It checks SignChallenge's answers, which shows
	// the chip itself is present.
	PublicKey *rsa.PublicKey
	// Signature is DF28 (empty when the card has none).
	Signature []byte
	// Signed is what DF28 covers, exactly as on the card.
	Signed SurfaceSigned

	cvcEF []byte
}

// SurfaceSigned is what the card-face signature DF28 covers: three runs
// of TLVs as the card encodes them, each hashed with SHA-256, and the
// DigestInfo holding the 96 bytes of the three hashes. DF29 (expiry) and
// DF2A (security-code image) are not covered.
type SurfaceSigned struct {
	// Parts are DF22‖DF23‖DF24, DF25‖DF26 and DF27 as encoded.
	Parts [3][]byte
	// DigestInfo is surfaceDigestInfoPrefix ‖ H(Parts[0]) ‖ H(Parts[1])
	// ‖ H(Parts[2]).
	DigestInfo []byte
}

// ParseSurfaceRecord parses surface EF 0002: FF20 { DF21 offsets, DF22
// birth date, DF23 sex, DF24 card public key, DF25 name image, DF26
// address image, DF27 face photo, DF28 signature, DF29 expiry, DF2A
// security-code image }. DF21 is not used: the TLVs are parsed in order.
func ParseSurfaceRecord(b []byte) (*Surface, error) {
	fail := func(err error) (*Surface, error) { return nil, fmt.Errorf("parsing surface record: %w", err) }
	rec, _, err := apdu.ReadTLV(b)
	if err != nil {
		return fail(err)
	}
	if rec.Tag != tagBasicRecord {
		return fail(fmt.Errorf("%w: tag %X, want %X", ErrMalformedRecord, rec.Tag, tagBasicRecord))
	}
	raw := map[uint32][]byte{} // each TLV as encoded
	val := map[uint32][]byte{}
	for rest := rec.Value; len(rest) > 0; {
		t, next, err := apdu.ReadTLV(rest)
		if err != nil {
			return fail(err)
		}
		if _, dup := val[t.Tag]; dup {
			return fail(fmt.Errorf("%w: tag %X twice", ErrMalformedRecord, t.Tag))
		}
		raw[t.Tag] = rest[:len(rest)-len(next)]
		val[t.Tag] = t.Value
		rest = next
	}
	for _, tag := range []uint32{tagSurfaceBirth, tagSurfaceSex, tagSurfaceKey, tagSurfaceName, tagSurfaceAddress, tagSurfaceFace, tagSurfaceSignature, tagSurfaceExpiry} {
		if _, ok := val[tag]; !ok {
			return fail(fmt.Errorf("%w: no %X", ErrMalformedRecord, tag))
		}
	}
	s := &Surface{
		FacePhoto:         val[tagSurfaceFace],
		PhotoFormat:       DetectImageFormat(val[tagSurfaceFace]),
		NameImage:         val[tagSurfaceName],
		AddressImage:      val[tagSurfaceAddress],
		SecurityCodeImage: val[tagSurfaceCode],
		Signature:         val[tagSurfaceSignature],
	}
	if s.BirthDate, s.Birth, err = parseDate("birth date", val[tagSurfaceBirth]); err != nil {
		return fail(err)
	}
	if s.Expiry, s.ExpiryDate, err = parseDate("expiry date", val[tagSurfaceExpiry]); err != nil {
		return fail(err)
	}
	if s.Sex, err = parseSex(val[tagSurfaceSex]); err != nil {
		return fail(err)
	}
	if len(val[tagSurfaceKey]) > 0 {
		if s.PublicKey, err = parseRSAKey(val[tagSurfaceKey]); err != nil {
			return fail(err)
		}
	}
	s.Signed.Parts = [3][]byte{
		concat(raw[tagSurfaceBirth], raw[tagSurfaceSex], raw[tagSurfaceKey]),
		concat(raw[tagSurfaceName], raw[tagSurfaceAddress]),
		bytes.Clone(raw[tagSurfaceFace]),
	}
	s.Signed.DigestInfo = []byte(surfaceDigestInfoPrefix)
	for _, p := range s.Signed.Parts {
		h := sha256.Sum256(p)
		s.Signed.DigestInfo = append(s.Signed.DigestInfo, h[:]...)
	}
	return s, nil
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// Verify checks the card face to a pinned key of keys: the surface
// application's EF 0004 (read with the record) by the pinned key its
// issuer key ID names, then DF28 by the key EF 0004 certifies, over
// Signed.DigestInfo. A DF28 made by DF24 instead is
// CVReasonSignedByAppKey. Expiry (DF29) is not covered by DF28: check it
// separately. Failures are *CVError.
func (s *Surface) Verify(keys *CVCAKeys) (*CVVerification, error) {
	const record = "card face"
	if len(s.Signature) == 0 {
		return nil, &CVError{Record: record, Reason: CVReasonNoRecord, Err: fmt.Errorf("no DF28 signature")}
	}
	return keys.verifyRecord(record, s.cvcEF, CVUseSurface, pkcs1Raw(s.Signed.DigestInfo, s.Signature), s.PublicKey)
}

// SurfaceApp is the card surface application (券面事項確認AP, AID
// D3 92 10 00 31 00 01 01 04 02), opened with 照合番号A (SurfacePINA) or
// 照合番号B (SurfacePINB).
type SurfaceApp struct {
	c *conn
}

// NewSurfaceApp returns the surface application of c. It does not talk to
// the card.
func NewSurfaceApp(c reader.Card, opts Options) *SurfaceApp { return &SurfaceApp{c: newConn(c, opts)} }

// ReadSurface verifies k (SurfacePINA: the Individual Number, see PINA; or
// SurfacePINB: see PINB) and reads EF 0002 and the free EF 0004 in one
// transaction. The signature is not checked here: call Surface.Verify.
func (a *SurfaceApp) ReadSurface(ctx context.Context, k PINKind, prompt PINPrompt) (*Surface, error) {
	if k != SurfacePINA && k != SurfacePINB {
		return nil, fmt.Errorf("reading card surface: the %s does not open it", k)
	}
	var s *Surface
	err := a.c.transact(ctx, "reading card surface", func(ctx context.Context, ss *session) error {
		var err error
		s, err = ss.readSurface(ctx, k, prompt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// readSurface selects the surface application, verifies k and reads the
// card face (EF 0002) and EF 0004.
func (s *session) readSurface(ctx context.Context, k PINKind, prompt PINPrompt) (*Surface, error) {
	if err := s.selectApp(ctx, aidSurface); err != nil {
		return nil, err
	}
	if err := s.verify(ctx, k, prompt); err != nil {
		return nil, err
	}
	raw, err := s.readTextEF(ctx, efSurfaceRecord, tlvSize)
	if err != nil {
		return nil, err
	}
	sf, err := ParseSurfaceRecord(raw)
	if err != nil {
		return nil, err
	}
	if sf.cvcEF, err = s.readOptionalTextEF(ctx, efSurfaceCVC); err != nil {
		return nil, err
	}
	return sf, nil
}

// PINStatus returns the remaining tries of SurfacePINA, SurfacePINB or
// SurfaceBirthDate without spending one.
func (a *SurfaceApp) PINStatus(ctx context.Context, k PINKind) (int, error) {
	return pinStatus(ctx, a.c, k)
}

// ReadSurfaceWithTextPIN reads the card face with only the 4-digit text
// PIN, as kiosks do: in one transaction it verifies TextPIN in the text
// application, reads the Individual Number, then opens the surface
// application with it as 照合番号A (SurfacePINA, with the usual tries check
// and last-try rule) and reads EF 0002. The number is wiped; prompt is
// asked once, for TextPIN.
func (a *SurfaceApp) ReadSurfaceWithTextPIN(ctx context.Context, prompt PINPrompt) (*Surface, error) {
	var s *Surface
	err := a.c.transact(ctx, "reading card surface", func(ctx context.Context, ss *session) error {
		if err := ss.enterText(ctx, TextPIN, prompt); err != nil {
			return err
		}
		raw, err := ss.readTextEF(ctx, efTextNumber, fixedSize(numberEFLen))
		defer wipe(raw)
		if err != nil {
			return err
		}
		n, err := ParseNumberRecord(raw)
		if err != nil {
			return err
		}
		if err := ss.selectApp(ctx, aidSurface); err != nil {
			return err
		}
		pinA := func(context.Context, PINKind, int) ([]byte, error) { return PINA(n), nil }
		if err := ss.verify(ctx, SurfacePINA, pinA); err != nil {
			return err
		}
		rec, err := ss.readTextEF(ctx, efSurfaceRecord, tlvSize)
		if err != nil {
			return err
		}
		if s, err = ParseSurfaceRecord(rec); err != nil {
			return err
		}
		s.cvcEF, err = ss.readOptionalTextEF(ctx, efSurfaceCVC)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}
