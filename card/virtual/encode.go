package virtual

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"unicode/utf8"

	"github.com/mynacard/mynacard/apdu"
)

// The encoders below write the card's EFs in the layouts of docs/card.md
// and docs/card-apps.md.
// They are exported so that decoders (package card) can build fuzz seeds
// and round-trip tests; decoding itself is not this package's business.

// ErrBadContents reports a Contents field the real card could not hold.
var ErrBadContents = errors.New("virtual: contents not representable on the card")

// BER-TLV tags of the card's records (ISO/IEC 7816-4 §5.2, private
// class tags chosen by J-LIS).
const (
	tagTextNumber     uint32 = 0xFF10
	tagRecord         uint32 = 0xFF20 // text EF 0002 and surface EF 0002
	tagOffsets        uint32 = 0xDF21
	tagIntegrity      uint32 = 0xFF30
	tagHashNumber     uint32 = 0xDF31
	tagHashBasic      uint32 = 0xDF32
	tagIntegritySig   uint32 = 0xDF33
	tagCVC            uint32 = 0x7F21 // ISO/IEC 7816-6 card-verifiable certificate
	tagCVCBody        uint32 = 0x5F4E // certificate content template
	tagCVCSignature   uint32 = 0x5F37 // signature
	tagRSAExponent    uint32 = 0x90
	tagRSAModulus     uint32 = 0x91
	tagCardInfoRecord uint32 = 0x01
)

// Text EF 0002 field tags, in record order.
const (
	tagTextName    uint32 = 0xDF22
	tagTextAddress uint32 = 0xDF23
	tagTextBirth   uint32 = 0xDF24
	tagTextSex     uint32 = 0xDF25
)

// Surface EF 0002 field tags, in record order.
const (
	tagSurfaceBirth        uint32 = 0xDF22
	tagSurfaceSex          uint32 = 0xDF23
	tagSurfacePublicKey    uint32 = 0xDF24
	tagSurfaceNameImage    uint32 = 0xDF25
	tagSurfaceAddressImage uint32 = 0xDF26
	tagSurfaceFace         uint32 = 0xDF27
	tagSurfaceSignature    uint32 = 0xDF28
	tagSurfaceExpiry       uint32 = 0xDF29
	tagSurfaceCodeImage    uint32 = 0xDF2A
)

// Layout choices where the card's documentation is silent or unsure.
const (
	// numberFiller is the FF FF after the Individual Number in text EF 0001.
	numberFiller = "\xFF\xFF"
	// cvcKeyIDSize is the size of the issuer and subject key IDs in the
	// text application's card-verifiable certificate.
	cvcKeyIDSize = 16
	// SurfaceOffsets says what the surface record's DF21 holds
	// (docs/card-apps.md, "Surface application"): like the text record's,
	// one 16-bit offset from the file start per following field, DF22 to
	// DF2A (18 bytes).
	SurfaceOffsets = "nine 16-bit offsets of DF22..DF2A from the file start"
)

// EncodeTextNumber returns text EF 0001: FF 10 0C, the 12 ASCII digits of
// number, FF FF (17 bytes). The check digit is not verified here.
func EncodeTextNumber(number string) ([]byte, error) {
	if !formatNumber.ok([]byte(number)) {
		return nil, fmt.Errorf("%w: Individual Number of %d characters, need 12 digits", ErrBadContents, len(number))
	}
	out := apdu.AppendTLV(nil, tagTextNumber, []byte(number))
	return append(out, numberFiller...), nil
}

// EncodeTextBasic returns text EF 0002, the basic four: FF20 { DF21
// offsets, DF22 name, DF23 address, DF24 birth date, DF25 sex }, UTF-8.
func EncodeTextBasic(name, address, birthDate, sex string) ([]byte, error) {
	for _, s := range []string{name, address, birthDate, sex} {
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("%w: text field is not UTF-8", ErrBadContents)
		}
	}
	return offsetRecord([]field{
		{tagTextName, []byte(name)},
		{tagTextAddress, []byte(address)},
		{tagTextBirth, []byte(birthDate)},
		{tagTextSex, []byte(sex)},
	})
}

// field is one TLV of an offset record.
type field struct {
	tag   uint32
	value []byte
}

// offsetRecord encodes FF20 { DF21 offsets, fields... } where DF21 holds
// one big-endian 16-bit offset from the start of the record per field,
// pointing at the field's tag.
func offsetRecord(fields []field) ([]byte, error) {
	var body []byte
	rel := make([]int, len(fields))
	for i, f := range fields {
		rel[i] = len(body)
		body = apdu.AppendTLV(body, f.tag, f.value)
	}
	offTLVLen := len(apdu.AppendTLV(nil, tagOffsets, make([]byte, 2*len(fields))))
	innerLen := offTLVLen + len(body)
	hdrLen := len(apdu.AppendTLV(nil, tagRecord, make([]byte, innerLen))) - innerLen
	offsets := make([]byte, 0, 2*len(fields))
	for _, r := range rel {
		off := hdrLen + offTLVLen + r
		if off > 0xFFFF {
			return nil, fmt.Errorf("%w: record field at offset %d beyond 16 bits", ErrBadContents, off)
		}
		offsets = binary.BigEndian.AppendUint16(offsets, uint16(off))
	}
	inner := apdu.AppendTLV(make([]byte, 0, innerLen), tagOffsets, offsets)
	inner = append(inner, body...)
	return apdu.AppendTLV(nil, tagRecord, inner), nil
}

// EncodeTextIntegrity returns text EF 0003: FF30 { DF31 SHA-256 of
// number (EF 0001, all 17 bytes), DF32 SHA-256 of basic (EF 0002) from
// DF22 to the end of its record, DF33 RSA PKCS#1 v1.5 SHA-256 signature
// by key over the DF31 and DF32 TLVs }.
func EncodeTextIntegrity(number, basic []byte, key *rsa.PrivateKey) ([]byte, error) {
	first, err := firstFieldOffset(basic)
	if err != nil {
		return nil, err
	}
	hn := sha256.Sum256(number)
	hb := sha256.Sum256(basic[first:])
	signed := apdu.AppendTLV(nil, tagHashNumber, hn[:])
	signed = apdu.AppendTLV(signed, tagHashBasic, hb[:])
	sig, err := signSHA256(key, signed)
	if err != nil {
		return nil, fmt.Errorf("signing text integrity record: %w", err)
	}
	return apdu.AppendTLV(nil, tagIntegrity, apdu.AppendTLV(signed, tagIntegritySig, sig)), nil
}

// firstFieldOffset returns the offset DF21 gives for the record's first
// field, after checking that the record is exactly one FF20 object.
func firstFieldOffset(rec []byte) (int, error) {
	outer, rest, err := apdu.ReadTLV(rec)
	if err != nil || outer.Tag != tagRecord || len(rest) != 0 {
		return 0, fmt.Errorf("%w: not a single FF20 record", ErrBadContents)
	}
	tlvs, err := apdu.ParseTLVs(outer.Value)
	if err != nil {
		return 0, fmt.Errorf("%w: parsing record: %v", ErrBadContents, err)
	}
	offs, ok := apdu.Find(tlvs, tagOffsets)
	if !ok || len(offs) < 2 {
		return 0, fmt.Errorf("%w: record without DF21 offsets", ErrBadContents)
	}
	off := int(binary.BigEndian.Uint16(offs))
	if off > len(rec) {
		return 0, fmt.Errorf("%w: DF21 offset %d beyond the record", ErrBadContents, off)
	}
	return off, nil
}

// publicKeyTLVs returns 90 exponent ‖ 91 modulus, both big-endian
// without leading zeros.
func publicKeyTLVs(pub *rsa.PublicKey) []byte {
	out := apdu.AppendTLV(nil, tagRSAExponent, big.NewInt(int64(pub.E)).Bytes())
	return apdu.AppendTLV(out, tagRSAModulus, pub.N.Bytes())
}

func keyID(pub *rsa.PublicKey) []byte {
	h := sha256.Sum256(pub.N.Bytes())
	return h[:cvcKeyIDSize]
}

func signSHA256(key *rsa.PrivateKey, msg []byte) ([]byte, error) {
	h := sha256.Sum256(msg)
	return rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:])
}

// EncodeCardInfo returns record 1 of the common application's EF 0001:
// 01 1C, the 15-digit card serial, the 5-digit municipality code and the
// expiry date YYYYMMDD (docs/card-apps.md, *unsure*).
func EncodeCardInfo(serial, municipality, expiry string) ([]byte, error) {
	v := serial + municipality + expiry
	if len(serial) != 15 || len(municipality) != 5 || len(expiry) != 8 || !allDigits(v) {
		return nil, fmt.Errorf("%w: card info needs 15+5+8 digits, got %d+%d+%d", ErrBadContents, len(serial), len(municipality), len(expiry))
	}
	return apdu.AppendTLV(nil, tagCardInfoRecord, []byte(v)), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
