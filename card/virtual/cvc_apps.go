package virtual

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"

	"github.com/mynacard/mynacard/apdu"
)

// Encoders of the text and surface applications' signed records and of
// their card-verifiable certificates (docs/card-apps.md).

// CVCSignedPart says which bytes of a card-verifiable certificate its
// 5F37 signature covers.
type CVCSignedPart int

const (
	// CVCSignedValue is what a real card does: PKCS#1 v1.5 SHA-256 over
	// the 5F4E value alone (297 bytes for an RSA-2048 subject key), without
	// its tag and length.
	CVCSignedValue CVCSignedPart = iota
	// CVCSignedTLV signs the whole 5F4E data object, tag and length
	// included: what a verifier must refuse.
	CVCSignedTLV
)

// surfaceDigestInfoPrefix is the DER DigestInfo header of the card-face
// signature DF28: SHA-256's AlgorithmIdentifier and an OCTET STRING of 96
// bytes (three SHA-256 hashes), its lengths declared for 96 bytes.
const surfaceDigestInfoPrefix = "\x30\x71\x30\x0D\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x60"

// Tags of the records added here (BER-TLV, ISO/IEC 7816-4 §5.2).
const (
	tagAgeRecord      uint32 = 0xFF10
	tagAgeBirth       uint32 = 0xDF11
	tagAgeKey         uint32 = 0xDF12
	tagAgeSignature   uint32 = 0xDF13
	tagInfoRecord     uint32 = 0xFF40 // text EF 0005 and surface EF 0005
	tagInfo1          uint32 = 0xDF41
	tagInfo2          uint32 = 0xDF42
	tagInfo3          uint32 = 0xDF43
	tagSurfaceInfo    uint32 = 0xFF30
	tagSurfaceInfo1   uint32 = 0xDF31
	tagSurfaceInfo2   uint32 = 0xDF32
	tagSurfaceInfo3   uint32 = 0xDF33
	tagSurfaceInfo4   uint32 = 0xDF34
	tagSurfaceInfo5   uint32 = 0xDF35
	tagSessionKey     uint32 = 0xA1
	tagSignedKey      uint32 = 0xFF50
	tagSignedKeyValue uint32 = 0xDF51
	tagSignedKeySig   uint32 = 0xDF52
)

// Contents of the basic-information EFs, as one card shows them
// (docs/card-apps.md). Their meaning is only partly known; the virtual
// card writes the bytes seen.
const (
	textInfoVersion    = "\x01\x03\x0E\x01" // text EF 0005 DF41
	textInfoDF43Used   = 32                 // DF43: 32 bytes, then FF to 128
	textInfoDF43Size   = 128
	surfaceInfoVersion = "\x06\x03\x0E\x01" // surface EF 0003 DF31
	surfaceInfoDF33    = "\x01"             // DF33: a one-byte version
	surfaceInfoRefSize = 16                 // DF35: a 16-byte reference ...
	surfaceInfoOpaque  = 256                // ... and 256 opaque bytes
)

// EncodeAppCVC returns an application's EF 0004, the 568-byte
// card-verifiable certificate 7F21 { 5F4E { issuer key ID (16), subject
// key ID (16), 90 exponent, 91 modulus (256) }, 5F37 signature by ca over
// part } (encodeCVC for CVCSignedValue). Empty key IDs are derived from
// the keys' moduli; the subject key must be RSA-2048.
func EncodeAppCVC(subject *rsa.PublicKey, issuerKeyID, subjectKeyID []byte, ca *rsa.PrivateKey, part CVCSignedPart) ([]byte, error) {
	if subject == nil || ca == nil {
		return nil, fmt.Errorf("%w: card-verifiable certificate without keys", ErrBadContents)
	}
	if len(issuerKeyID) == 0 {
		issuerKeyID = keyID(&ca.PublicKey)
	}
	if len(subjectKeyID) == 0 {
		subjectKeyID = keyID(subject)
	}
	if len(issuerKeyID) != cvKeyIDSize || len(subjectKeyID) != cvKeyIDSize {
		return nil, fmt.Errorf("%w: key IDs of %d and %d bytes, need %d", ErrBadContents, len(issuerKeyID), len(subjectKeyID), cvKeyIDSize)
	}
	if part == CVCSignedValue {
		b := encodeCVC([cvKeyIDSize]byte(issuerKeyID), [cvKeyIDSize]byte(subjectKeyID), subject, ca)
		if b == nil {
			return nil, fmt.Errorf("%w: card-verifiable certificate key is not RSA-2048", ErrBadContents)
		}
		return b, nil
	}
	value, err := cvcBody([cvKeyIDSize]byte(issuerKeyID), [cvKeyIDSize]byte(subjectKeyID), subject)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadContents, err)
	}
	body := apdu.AppendTLV(nil, tagCVCBody, value)
	sig, err := signSHA256(ca, body) // the fault: tag and length signed too
	if err != nil {
		return nil, fmt.Errorf("signing card-verifiable certificate: %w", err)
	}
	return apdu.AppendTLV(nil, tagCVC, apdu.AppendTLV(body, tagCVCSignature, sig)), nil
}

// EncodeSurface returns surface EF 0002: FF20 { DF21 offsets
// (SurfaceOffsets), DF22 birth date, DF23 sex, DF24 the application key
// (SurfaceAppKey's public half: 90 exponent, 91 modulus), DF25 name
// image, DF26 address image, DF27 face photo, DF28 signature, DF29 expiry,
// DF2A security-code image }. DF28 is PKCS#1 v1.5 by signer over the
// DigestInfo surfaceDigestInfoPrefix ‖ H(DF22‖DF23‖DF24) ‖ H(DF25‖DF26) ‖
// H(DF27), each H the SHA-256 of the TLVs as encoded; DF29 and DF2A are
// not covered. Without an application key DF24 is empty; without signer
// DF28 is.
func EncodeSurface(ct *Contents, signer *rsa.PrivateKey) ([]byte, error) {
	var pub, sig []byte
	if ct.SurfaceAppKey != nil {
		pub = publicKeyTLVs(&ct.SurfaceAppKey.PublicKey)
	}
	if signer != nil {
		part1 := apdu.AppendTLV(nil, tagSurfaceBirth, []byte(ct.BirthDate))
		part1 = apdu.AppendTLV(part1, tagSurfaceSex, []byte(ct.Sex))
		part1 = apdu.AppendTLV(part1, tagSurfacePublicKey, pub)
		part2 := apdu.AppendTLV(apdu.AppendTLV(nil, tagSurfaceNameImage, ct.NameImage), tagSurfaceAddressImage, ct.AddressImage)
		part3 := apdu.AppendTLV(nil, tagSurfaceFace, ct.FacePhoto)
		di := []byte(surfaceDigestInfoPrefix)
		for _, p := range [][]byte{part1, part2, part3} {
			h := sha256.Sum256(p)
			di = append(di, h[:]...)
		}
		var err error
		if sig, err = rsa.SignPKCS1v15(rand.Reader, signer, crypto.Hash(0), di); err != nil {
			return nil, fmt.Errorf("signing surface record: %w", err)
		}
	}
	return offsetRecord([]field{
		{tagSurfaceBirth, []byte(ct.BirthDate)},
		{tagSurfaceSex, []byte(ct.Sex)},
		{tagSurfacePublicKey, pub},
		{tagSurfaceNameImage, ct.NameImage},
		{tagSurfaceAddressImage, ct.AddressImage},
		{tagSurfaceFace, ct.FacePhoto},
		{tagSurfaceSignature, sig},
		{tagSurfaceExpiry, []byte(ct.Expiry)},
		{tagSurfaceCodeImage, ct.SecurityCodeImage},
	})
}

// signedRecord encodes outer { fields..., sigTag signature } where the
// signature is PKCS#1 v1.5 SHA-256 by signer over the fields' TLVs.
func signedRecord(outer uint32, fields []field, sigTag uint32, signer *rsa.PrivateKey) ([]byte, error) {
	var body []byte
	for _, f := range fields {
		body = apdu.AppendTLV(body, f.tag, f.value)
	}
	sig, err := signSHA256(signer, body)
	if err != nil {
		return nil, err
	}
	return apdu.AppendTLV(nil, outer, apdu.AppendTLV(body, sigTag, sig)), nil
}

// EncodeAgeRecord returns surface EF 0001, the age record: FF10 { DF11
// birth date YYYYMMDD, DF12 the application key (90/91), DF13 signature
// by signer over the DF11 and DF12 TLVs }.
func EncodeAgeRecord(birthDate string, appKey *rsa.PublicKey, signer *rsa.PrivateKey) ([]byte, error) {
	if len(birthDate) != 8 || !allDigits(birthDate) {
		return nil, fmt.Errorf("%w: birth date %q is not YYYYMMDD", ErrBadContents, birthDate)
	}
	b, err := signedRecord(tagAgeRecord, []field{{tagAgeBirth, []byte(birthDate)}, {tagAgeKey, publicKeyTLVs(appKey)}}, tagAgeSignature, signer)
	if err != nil {
		return nil, fmt.Errorf("signing age record: %w", err)
	}
	return b, nil
}

// EncodeNumberImage returns surface EF 0005, the Individual Number as an
// image: FF40 { DF41 PNG, DF42 the application key (90/91), DF43
// signature by signer over the DF41 and DF42 TLVs }.
func EncodeNumberImage(png []byte, appKey *rsa.PublicKey, signer *rsa.PrivateKey) ([]byte, error) {
	b, err := signedRecord(tagInfoRecord, []field{{tagInfo1, png}, {tagInfo2, publicKeyTLVs(appKey)}}, tagInfo3, signer)
	if err != nil {
		return nil, fmt.Errorf("signing number image: %w", err)
	}
	return b, nil
}

// EncodeTextBasicInfo returns text EF 0005: FF40 { DF41 4 bytes (spec
// version, extended length support, vendor), DF42 a 16-byte key ID,
// DF43 128 bytes (32 used, then FF) }. The virtual card puts the
// certified text key's ID in DF42 (a real card's DF42 is some other key
// ID) and zeros in DF43's used part.
func EncodeTextBasicInfo(keyID []byte) ([]byte, error) {
	if len(keyID) != cvKeyIDSize {
		return nil, fmt.Errorf("%w: key ID of %d bytes", ErrBadContents, len(keyID))
	}
	df43 := filler(textInfoDF43Size)
	clear(df43[:textInfoDF43Used])
	out := apdu.AppendTLV(nil, tagInfo1, []byte(textInfoVersion))
	out = apdu.AppendTLV(out, tagInfo2, keyID)
	out = apdu.AppendTLV(out, tagInfo3, df43)
	return apdu.AppendTLV(nil, tagInfoRecord, out), nil
}

// EncodeTextSessionKey returns text EF 0006: A1 { 90 exponent, 91
// modulus }, the key a secure-messaging session key is encrypted to.
func EncodeTextSessionKey(pub *rsa.PublicKey) []byte {
	return apdu.AppendTLV(nil, tagSessionKey, publicKeyTLVs(pub))
}

// EncodeTextSignedKey returns text EF 0007: FF50 { DF51 a key (90/91),
// DF52 a signature over the DF51 TLV by signer }. What a real card signs
// here is not established; the virtual card uses the certified key.
func EncodeTextSignedKey(pub *rsa.PublicKey, signer *rsa.PrivateKey) ([]byte, error) {
	return signedRecord(tagSignedKey, []field{{tagSignedKeyValue, publicKeyTLVs(pub)}}, tagSignedKeySig, signer)
}

// EncodeSurfaceInfo returns surface EF 0003: FF30 { DF31 4 bytes, DF32 a
// key ID, DF33 a one-byte version, DF34 the 5-digit municipality code,
// DF35 a 16-byte reference and 256 opaque bytes }. The virtual card's
// reference is the key ID again and its opaque bytes are zeros.
func EncodeSurfaceInfo(keyID []byte, municipality string) ([]byte, error) {
	if len(keyID) != cvKeyIDSize || len(municipality) != 5 || !allDigits(municipality) {
		return nil, fmt.Errorf("%w: surface information needs a %d-byte key ID and a 5-digit municipality", ErrBadContents, cvKeyIDSize)
	}
	df35 := make([]byte, surfaceInfoRefSize+surfaceInfoOpaque)
	copy(df35, keyID)
	out := apdu.AppendTLV(nil, tagSurfaceInfo1, []byte(surfaceInfoVersion))
	out = apdu.AppendTLV(out, tagSurfaceInfo2, keyID)
	out = apdu.AppendTLV(out, tagSurfaceInfo3, []byte(surfaceInfoDF33))
	out = apdu.AppendTLV(out, tagSurfaceInfo4, []byte(municipality))
	out = apdu.AppendTLV(out, tagSurfaceInfo5, df35)
	return apdu.AppendTLV(nil, tagSurfaceInfo, out), nil
}
