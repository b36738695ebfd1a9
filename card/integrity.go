package card

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"

	"github.com/mynacard/mynacard/apdu"
)

// Layout assumptions where PROTOCOL.md is silent, matched to card/virtual's
// encoder (virtual.CVCSignedPart, virtual.SurfaceSignedPart).
const (
	// cvcKeyIDLen is the size of each key ID at the start of the CVC body
	// (5F4E): the issuer's, then the subject's, as raw bytes before the
	// 90/91 key TLVs.
	cvcKeyIDLen = 16
	// cvcSignedPart: the 5F37 signature of the CVC covers the whole 5F4E
	// data object (tag, length and value), RSA PKCS#1 v1.5 with SHA-256.
	// PROTOCOL.md does not say; a real card may differ (ISO/IEC 9796-2
	// signatures with message recovery are common in CVCs).
	cvcSignedPart = "the 5F4E TLV, PKCS#1 v1.5 SHA-256"
	// maxRSAModulusBits bounds keys read off the card (the card uses 2048).
	maxRSAModulusBits = 4096
	minRSAModulusBits = 1024
)

// ErrIntegrity reports an integrity check that failed: a hash or a
// signature that does not match the data.
var ErrIntegrity = errors.New("integrity check failed")

// ErrNoIntegrityRecord reports a text application without the integrity
// record (EF 0003) or its certificate (EF 0004).
var ErrNoIntegrityRecord = errors.New("no integrity record on the card")

// CVC is the text application's card-verifiable certificate (EF 0004):
// 7F21 { 5F4E { issuer key ID (16), subject key ID (16), 90 e, 91 n },
// 5F37 signature }.
type CVC struct {
	IssuerKeyID, SubjectKeyID []byte
	PublicKey                 *rsa.PublicKey
	// Signed is the part the signature covers (cvcSignedPart).
	Signed    []byte
	Signature []byte
}

// ParseCVC parses text EF 0004. Trailing filler after the object is
// ignored.
func ParseCVC(b []byte) (*CVC, error) {
	fail := func(err error) (*CVC, error) { return nil, fmt.Errorf("parsing card-verifiable certificate: %w", err) }
	outer, _, err := apdu.ReadTLV(b)
	if err != nil {
		return fail(err)
	}
	if outer.Tag != tagCVC {
		return fail(fmt.Errorf("%w: tag %X, want %X", ErrMalformedRecord, outer.Tag, tagCVC))
	}
	body, rest, err := apdu.ReadTLV(outer.Value)
	if err != nil {
		return fail(err)
	}
	if body.Tag != tagCVCBody {
		return fail(fmt.Errorf("%w: first tag %X, want %X", ErrMalformedRecord, body.Tag, tagCVCBody))
	}
	signed := outer.Value[:len(outer.Value)-len(rest)]
	sig, _, err := apdu.ReadTLV(rest)
	if err != nil {
		return fail(err)
	}
	if sig.Tag != tagCVCSignature {
		return fail(fmt.Errorf("%w: tag %X, want %X", ErrMalformedRecord, sig.Tag, tagCVCSignature))
	}
	if len(body.Value) < 2*cvcKeyIDLen {
		return fail(fmt.Errorf("%w: body of %d bytes has no key IDs", ErrMalformedRecord, len(body.Value)))
	}
	pub, err := parseRSAKey(body.Value[2*cvcKeyIDLen:])
	if err != nil {
		return fail(err)
	}
	return &CVC{
		IssuerKeyID:  body.Value[:cvcKeyIDLen:cvcKeyIDLen],
		SubjectKeyID: body.Value[cvcKeyIDLen : 2*cvcKeyIDLen : 2*cvcKeyIDLen],
		PublicKey:    pub,
		Signed:       signed,
		Signature:    sig.Value,
	}, nil
}

// parseRSAKey parses 90 exponent ‖ 91 modulus (big-endian).
func parseRSAKey(b []byte) (*rsa.PublicKey, error) {
	tlvs, err := apdu.ParseTLVs(b)
	if err != nil {
		return nil, err
	}
	e, okE := apdu.Find(tlvs, tagRSAExponent)
	n, okN := apdu.Find(tlvs, tagRSAModulus)
	if !okE || !okN {
		return nil, fmt.Errorf("%w: RSA key without 90 exponent and 91 modulus", ErrMalformedRecord)
	}
	if len(e) == 0 || len(e) > 4 {
		return nil, fmt.Errorf("%w: RSA exponent of %d bytes", ErrMalformedRecord, len(e))
	}
	exp := 0
	for _, c := range e {
		exp = exp<<8 | int(c)
	}
	mod := new(big.Int).SetBytes(n)
	if bits := mod.BitLen(); bits < minRSAModulusBits || bits > maxRSAModulusBits || exp < 3 || exp&1 == 0 {
		return nil, fmt.Errorf("%w: implausible RSA key (%d-bit modulus, exponent %d)", ErrMalformedRecord, mod.BitLen(), exp)
	}
	return &rsa.PublicKey{N: mod, E: exp}, nil
}

// VerifySignature checks the CVC's own signature with issuer, the key of
// the authority named by IssuerKeyID. The card carries no such key: it
// must come from outside (J-LIS), so this is the only check that ties the
// record to the issuer.
func (c *CVC) VerifySignature(issuer *rsa.PublicKey) error {
	if err := verifySHA256(issuer, c.Signed, c.Signature); err != nil {
		return fmt.Errorf("verifying card-verifiable certificate: %w", err)
	}
	return nil
}

func verifySHA256(pub *rsa.PublicKey, msg, sig []byte) error {
	h := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
		return fmt.Errorf("%w: %w", ErrIntegrity, err)
	}
	return nil
}

// IntegrityRecord is text EF 0003: FF30 { DF31 SHA-256 of EF 0001, DF32
// SHA-256 of EF 0002 from DF22 on, DF33 signature over the DF31 and DF32
// TLVs }.
type IntegrityRecord struct {
	NumberHash, BasicHash []byte
	// Signed is the DF31 and DF32 TLVs, as the signature covers them.
	Signed    []byte
	Signature []byte
}

// ParseIntegrityRecord parses text EF 0003.
func ParseIntegrityRecord(b []byte) (*IntegrityRecord, error) {
	fail := func(err error) (*IntegrityRecord, error) { return nil, fmt.Errorf("parsing integrity record: %w", err) }
	outer, _, err := apdu.ReadTLV(b)
	if err != nil {
		return fail(err)
	}
	if outer.Tag != tagIntegrity {
		return fail(fmt.Errorf("%w: tag %X, want %X", ErrMalformedRecord, outer.Tag, tagIntegrity))
	}
	tlvs, err := apdu.ParseTLVs(outer.Value)
	if err != nil {
		return fail(err)
	}
	r := &IntegrityRecord{}
	var okN, okB, okS bool
	r.NumberHash, okN = apdu.Find(tlvs, tagNumberHash)
	r.BasicHash, okB = apdu.Find(tlvs, tagBasicHash)
	r.Signature, okS = apdu.Find(tlvs, tagIntegritySig)
	if !okN || !okB || !okS || len(r.NumberHash) != sha256.Size || len(r.BasicHash) != sha256.Size {
		return fail(fmt.Errorf("%w: want DF31 and DF32 of %d bytes and DF33", ErrMalformedRecord, sha256.Size))
	}
	r.Signed = apdu.AppendTLV(apdu.AppendTLV(nil, tagNumberHash, r.NumberHash), tagBasicHash, r.BasicHash)
	return r, nil
}

// IntegrityReport says which checks of the text application's data were
// made and passed. Only IssuerVerified ties the data to J-LIS; without it
// the other checks show the record is self-consistent, which anyone who
// could write a card could also achieve.
type IntegrityReport struct {
	// NumberHash: DF31 equals SHA-256 of EF 0001 (all 17 bytes).
	NumberHash bool
	// BasicHash: DF32 equals SHA-256 of EF 0002 from DF22 to the end of
	// the record.
	BasicHash bool
	// RecordSignature: DF33 verifies (RSA PKCS#1 v1.5, SHA-256) with the
	// public key of the card-verifiable certificate in EF 0004.
	RecordSignature bool
	// IssuerVerified: the certificate's own signature verifies with the
	// issuer key the caller supplied. False when none was supplied.
	IssuerVerified bool
	// IssuerKeyID and SubjectKeyID are the certificate's key IDs, for
	// choosing the issuer key.
	IssuerKeyID, SubjectKeyID []byte
}

// VerifyIntegrity checks the record read by ReadText: both hashes of EF
// 0003, its signature with the key of EF 0004's card-verifiable
// certificate, and, when issuer is not nil, that certificate's signature
// with issuer (assumption: cvcSignedPart). It returns the report and an
// error wrapping ErrIntegrity for the first check that fails,
// ErrNoIntegrityRecord when EF 0003 or EF 0004 is absent, or
// ErrMalformedRecord. With issuer nil, a nil error means "self-consistent",
// not "issued by J-LIS": see IntegrityReport.
func (r *TextRecord) VerifyIntegrity(issuer *rsa.PublicKey) (IntegrityReport, error) {
	var rep IntegrityReport
	if len(r.integrityEF) == 0 || len(r.cvcEF) == 0 {
		return rep, ErrNoIntegrityRecord
	}
	ir, err := ParseIntegrityRecord(r.integrityEF)
	if err != nil {
		return rep, err
	}
	cvc, err := ParseCVC(r.cvcEF)
	if err != nil {
		return rep, err
	}
	rep.IssuerKeyID = bytes.Clone(cvc.IssuerKeyID)
	rep.SubjectKeyID = bytes.Clone(cvc.SubjectKeyID)
	if subtle.ConstantTimeCompare(r.numberHash[:], ir.NumberHash) != 1 {
		return rep, fmt.Errorf("%w: DF31 does not match the Individual Number record", ErrIntegrity)
	}
	rep.NumberHash = true
	hb := sha256.Sum256(r.basicHashed)
	if subtle.ConstantTimeCompare(hb[:], ir.BasicHash) != 1 {
		return rep, fmt.Errorf("%w: DF32 does not match the basic four record", ErrIntegrity)
	}
	rep.BasicHash = true
	if err := verifySHA256(cvc.PublicKey, ir.Signed, ir.Signature); err != nil {
		return rep, fmt.Errorf("verifying DF33 with the card-verifiable certificate's key: %w", err)
	}
	rep.RecordSignature = true
	if issuer == nil {
		return rep, nil
	}
	if err := cvc.VerifySignature(issuer); err != nil {
		return rep, err
	}
	rep.IssuerVerified = true
	return rep, nil
}
