package card

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/reader"
)

// The surface application's other signed records and its application key
// (docs/card-apps.md, "Surface application").
const (
	tagAgeRecord    uint32 = 0xFF10
	tagAgeBirth     uint32 = 0xDF11
	tagAgeKey       uint32 = 0xDF12
	tagAgeSignature uint32 = 0xDF13
	tagNumberImage  uint32 = 0xFF40
	tagNumberPNG    uint32 = 0xDF41
	tagNumberKey    uint32 = 0xDF42
	tagNumberSig    uint32 = 0xDF43
	// challengeMaxLen bounds the challenge SignChallenge hashes; the card
	// sees only its SHA-256 DigestInfo.
	challengeMaxLen = 1024
	// digestInfoSHA256 is the DER DigestInfo header for SHA-256
	// (RFC 8017 §9.2 note 1).
	digestInfoSHA256 = "\x30\x31\x30\x0D\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20"
)

// AgeRecord is surface EF 0001: FF10 { DF11 birth date YYYYMMDD, DF12 the
// application key, DF13 signature over DF11 and DF12 by the key EF 0004
// certifies }. It holds nothing but the birth date.
type AgeRecord struct {
	// BirthDate is YYYYMMDD and Birth the same date at midnight UTC.
	BirthDate string
	Birth     time.Time
	// PublicKey is DF12, the application key (surface EF 001A's public
	// half).
	PublicKey *rsa.PublicKey
	// Signed is the DF11 and DF12 TLVs exactly as on the card, what
	// Signature (DF13) covers.
	Signed, Signature []byte

	cvcEF []byte
}

// ParseAgeRecord parses surface EF 0001.
func ParseAgeRecord(b []byte) (*AgeRecord, error) {
	fail := func(err error) (*AgeRecord, error) { return nil, fmt.Errorf("parsing age record: %w", err) }
	sr, err := parseSignedRecord(b, tagAgeRecord, tagAgeSignature)
	if err != nil {
		return fail(err)
	}
	birth, okB := apdu.Find(sr.fields, tagAgeBirth)
	key, okK := apdu.Find(sr.fields, tagAgeKey)
	if !okB || !okK {
		return fail(fmt.Errorf("%w: want DF11 and DF12", ErrMalformedRecord))
	}
	r := &AgeRecord{Signed: sr.signed, Signature: sr.signature}
	if r.BirthDate, r.Birth, err = parseDate("birth date", birth); err != nil {
		return fail(err)
	}
	if r.PublicKey, err = parseRSAKey(key); err != nil {
		return fail(err)
	}
	return r, nil
}

// Verify checks the age record to a pinned key of keys, as Surface.Verify
// does: EF 0004 to the pinned key, DF13 (PKCS#1 v1.5 SHA-256 over Signed)
// by the certified key.
func (r *AgeRecord) Verify(keys *CVCAKeys) (*CVVerification, error) {
	return keys.verifyRecord("age record", r.cvcEF, CVUseSurface, pkcs1SHA256(r.Signed, r.Signature), r.PublicKey)
}

// NumberImage is surface EF 0005, the Individual Number as an image:
// FF40 { DF41 PNG, DF42 the application key, DF43 signature over DF41
// and DF42 by the key EF 0004 certifies }.
type NumberImage struct {
	// PNG is the image (1-bit, 72×12 on a real card).
	PNG []byte
	// PublicKey is DF42, the application key.
	PublicKey *rsa.PublicKey
	// Signed is the DF41 and DF42 TLVs as on the card, what Signature
	// (DF43) covers.
	Signed, Signature []byte

	cvcEF []byte
}

// ParseNumberImage parses surface EF 0005.
func ParseNumberImage(b []byte) (*NumberImage, error) {
	fail := func(err error) (*NumberImage, error) { return nil, fmt.Errorf("parsing number image: %w", err) }
	sr, err := parseSignedRecord(b, tagNumberImage, tagNumberSig)
	if err != nil {
		return fail(err)
	}
	img, okI := apdu.Find(sr.fields, tagNumberPNG)
	key, okK := apdu.Find(sr.fields, tagNumberKey)
	if !okI || !okK || len(img) == 0 {
		return fail(fmt.Errorf("%w: want DF41 and DF42", ErrMalformedRecord))
	}
	r := &NumberImage{PNG: img, Signed: sr.signed, Signature: sr.signature}
	if r.PublicKey, err = parseRSAKey(key); err != nil {
		return fail(err)
	}
	return r, nil
}

// Verify checks the number image to a pinned key of keys, as
// AgeRecord.Verify does.
func (r *NumberImage) Verify(keys *CVCAKeys) (*CVVerification, error) {
	return keys.verifyRecord("number image", r.cvcEF, CVUseSurface, pkcs1SHA256(r.Signed, r.Signature), r.PublicKey)
}

// ReadAge verifies the birth-date key (SurfaceBirthDate, 6-digit era
// YYMMDD) and reads the age record (EF 0001) and EF 0004 in one
// transaction. Verify it with AgeRecord.Verify.
func (a *SurfaceApp) ReadAge(ctx context.Context, prompt PINPrompt) (*AgeRecord, error) {
	var r *AgeRecord
	err := a.c.transact(ctx, "reading age record", func(ctx context.Context, s *session) error {
		var err error
		r, err = s.readAge(ctx, prompt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// readAge selects the surface application, verifies the birth-date key
// and reads EF 0001 and EF 0004.
func (s *session) readAge(ctx context.Context, prompt PINPrompt) (*AgeRecord, error) {
	if err := s.selectApp(ctx, aidSurface); err != nil {
		return nil, err
	}
	if err := s.verify(ctx, SurfaceBirthDate, prompt); err != nil {
		return nil, err
	}
	raw, err := s.readTextEF(ctx, efSurfaceAge, tlvSize)
	if err != nil {
		return nil, err
	}
	r, err := ParseAgeRecord(raw)
	if err != nil {
		return nil, err
	}
	if r.cvcEF, err = s.readOptionalTextEF(ctx, efSurfaceCVC); err != nil {
		return nil, err
	}
	return r, nil
}

// ReadNumberImage verifies 照合番号A (SurfacePINA, the only credential
// that opens it) and reads the number image (EF 0005) and EF 0004.
func (a *SurfaceApp) ReadNumberImage(ctx context.Context, prompt PINPrompt) (*NumberImage, error) {
	var r *NumberImage
	err := a.c.transact(ctx, "reading number image", func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidSurface); err != nil {
			return err
		}
		if err := s.verify(ctx, SurfacePINA, prompt); err != nil {
			return err
		}
		raw, err := s.readTextEF(ctx, efSurfaceNumber, tlvSize)
		if err != nil {
			return err
		}
		if r, err = ParseNumberImage(raw); err != nil {
			return err
		}
		r.cvcEF, err = s.readOptionalTextEF(ctx, efSurfaceCVC)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// ReadCVC reads the surface application's card-verifiable certificate
// (EF 0004), which is free to read.
func (a *SurfaceApp) ReadCVC(ctx context.Context) (*CVC, error) {
	return readAppCVC(ctx, a.c, aidSurface, "reading surface application certificate")
}

// SignChallenge has the surface application key (EF 001A) sign
// challenge with no credential: the card signs the SHA-256 DigestInfo of
// challenge (80 2A 00 00) with PKCS#1 v1.5. Checking the answer with
// VerifyChallenge against the application key of a verified record
// (Surface.PublicKey, AgeRecord.PublicKey) shows that the chip holding
// the key is present, not a copy of its files. challenge should be fresh
// random bytes (at most 1024). To tie the answer to the record read, use
// ReadSurfaceProving or ReadAgeProving, which do both in one transaction.
func (a *SurfaceApp) SignChallenge(ctx context.Context, challenge []byte) ([]byte, error) {
	if err := checkChallenge(challenge); err != nil {
		return nil, err
	}
	var sig []byte
	err := a.c.transact(ctx, "signing challenge", func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidSurface); err != nil {
			return err
		}
		var err error
		sig, err = s.signChallenge(ctx, challenge)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sig, nil
}

// ReadSurfaceProving is ReadSurface and SignChallenge in one transaction,
// so that the card face and the chip's answer come from the same card
// session: no card can be swapped in between.
func (a *SurfaceApp) ReadSurfaceProving(ctx context.Context, k PINKind, prompt PINPrompt, challenge []byte) (*Surface, []byte, error) {
	if k != SurfacePINA && k != SurfacePINB {
		return nil, nil, fmt.Errorf("reading card surface: the %s does not open it", k)
	}
	if err := checkChallenge(challenge); err != nil {
		return nil, nil, err
	}
	var (
		sf  *Surface
		sig []byte
	)
	err := a.c.transact(ctx, "reading card surface", func(ctx context.Context, s *session) error {
		var err error
		if sf, err = s.readSurface(ctx, k, prompt); err != nil {
			return err
		}
		sig, err = s.signChallenge(ctx, challenge)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return sf, sig, nil
}

// ReadAgeProving is ReadAge and SignChallenge in one transaction.
func (a *SurfaceApp) ReadAgeProving(ctx context.Context, prompt PINPrompt, challenge []byte) (*AgeRecord, []byte, error) {
	if err := checkChallenge(challenge); err != nil {
		return nil, nil, err
	}
	var (
		r   *AgeRecord
		sig []byte
	)
	err := a.c.transact(ctx, "reading age record", func(ctx context.Context, s *session) error {
		var err error
		if r, err = s.readAge(ctx, prompt); err != nil {
			return err
		}
		sig, err = s.signChallenge(ctx, challenge)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return r, sig, nil
}

func checkChallenge(challenge []byte) error {
	if len(challenge) == 0 || len(challenge) > challengeMaxLen {
		return fmt.Errorf("signing challenge: %d bytes, want 1 to %d", len(challenge), challengeMaxLen)
	}
	return nil
}

// signChallenge selects EF 001A of the surface application (selected by
// the caller) and has it sign challenge's SHA-256 DigestInfo.
func (s *session) signChallenge(ctx context.Context, challenge []byte) ([]byte, error) {
	if err := s.selectEF(ctx, efSurfaceAppKey); err != nil {
		return nil, err
	}
	h := sha256.Sum256(challenge)
	di := append([]byte(digestInfoSHA256), h[:]...)
	cmd := apdu.Command{CLA: claProprietary, INS: apdu.InsComputeSignature, P1: p1SignPKCS1, P2: p2SignAppKey, Data: di, Ne: apdu.MaxShortNe}
	out, err := reader.Do(ctx, s.t, cmd, false)
	if err != nil {
		return nil, fmt.Errorf("signing challenge: %w", err)
	}
	if len(out) != signatureLen {
		return nil, fmt.Errorf("signing challenge: %w: %d bytes, want %d", ErrBadSignature, len(out), signatureLen)
	}
	return out, nil
}

// VerifyChallenge checks a SignChallenge answer with the application key
// pub. An error wraps ErrIntegrity.
func VerifyChallenge(pub *rsa.PublicKey, challenge, sig []byte) error {
	if pub == nil {
		return fmt.Errorf("verifying challenge: %w: no application key", ErrIntegrity)
	}
	h := sha256.Sum256(challenge)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
		return fmt.Errorf("verifying challenge: %w: %w", ErrIntegrity, err)
	}
	return nil
}

// readAppCVC selects an application and reads its free EF 0004.
func readAppCVC(ctx context.Context, c *conn, aid []byte, what string) (*CVC, error) {
	var cvc *CVC
	err := c.transact(ctx, what, func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aid); err != nil {
			return err
		}
		raw, err := s.readTextEF(ctx, efTextCVC, tlvSize)
		if err != nil {
			return err
		}
		cvc, err = ParseCVC(raw)
		return err
	})
	if err != nil {
		return nil, err
	}
	return cvc, nil
}
