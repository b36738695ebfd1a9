package card

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"

	"github.com/mynacard/mynacard/apdu"
)

// Bounds on RSA keys read off the card (the card uses 2048 bits).
const (
	maxRSAModulusBits = 4096
	minRSAModulusBits = 1024
)

// ErrIntegrity reports an integrity check that failed: a hash or a
// signature that does not match the data.
var ErrIntegrity = errors.New("integrity check failed")

// ErrNoIntegrityRecord reports a text application without the integrity
// record (EF 0003) or its certificate (EF 0004).
var ErrNoIntegrityRecord = errors.New("no integrity record on the card")

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

// IntegrityRecord is text EF 0003: FF30 { DF31 SHA-256 of EF 0001, DF32
// SHA-256 of EF 0002 from DF22 on, DF33 signature over the DF31 and DF32
// TLVs }.
type IntegrityRecord struct {
	NumberHash, BasicHash []byte
	// Signed is the DF31 and DF32 TLVs, as the signature covers them.
	Signed    []byte
	Signature []byte
}

// ParseIntegrityRecord parses text EF 0003. Signed keeps the DF31 and
// DF32 TLVs exactly as the card encodes them.
func ParseIntegrityRecord(b []byte) (*IntegrityRecord, error) {
	fail := func(err error) (*IntegrityRecord, error) { return nil, fmt.Errorf("parsing integrity record: %w", err) }
	sr, err := parseSignedRecord(b, tagIntegrity, tagIntegritySig)
	if err != nil {
		return fail(err)
	}
	r := &IntegrityRecord{Signed: sr.signed, Signature: sr.signature}
	var okN, okB bool
	r.NumberHash, okN = apdu.Find(sr.fields, tagNumberHash)
	r.BasicHash, okB = apdu.Find(sr.fields, tagBasicHash)
	if !okN || !okB || len(r.NumberHash) != sha256.Size || len(r.BasicHash) != sha256.Size {
		return fail(fmt.Errorf("%w: want DF31 and DF32 of %d bytes", ErrMalformedRecord, sha256.Size))
	}
	return r, nil
}

// signedRecord is a record outer { fields..., signature }: the signature
// covers every data object before it, as encoded.
type signedRecord struct {
	fields    []apdu.TLV
	signed    []byte
	signature []byte
}

// parseSignedRecord parses outer { fields..., sigTag signature } where
// the signature TLV is the last and covers the fields' TLVs exactly as
// encoded. Trailing bytes after the record are ignored.
func parseSignedRecord(b []byte, outerTag, sigTag uint32) (*signedRecord, error) {
	outer, _, err := apdu.ReadTLV(b)
	if err != nil {
		return nil, err
	}
	if outer.Tag != outerTag {
		return nil, fmt.Errorf("%w: tag %X, want %X", ErrMalformedRecord, outer.Tag, outerTag)
	}
	r := &signedRecord{}
	seen := map[uint32]bool{}
	for rest := outer.Value; len(rest) > 0; {
		t, next, err := apdu.ReadTLV(rest)
		if err != nil {
			return nil, err
		}
		if seen[t.Tag] {
			return nil, fmt.Errorf("%w: tag %X twice", ErrMalformedRecord, t.Tag)
		}
		seen[t.Tag] = true
		if t.Tag == sigTag {
			if len(next) != 0 || len(t.Value) == 0 {
				return nil, fmt.Errorf("%w: %X is not a last, non-empty signature", ErrMalformedRecord, sigTag)
			}
			r.signed = bytes.Clone(outer.Value[:len(outer.Value)-len(rest)])
			r.signature = bytes.Clone(t.Value)
			return r, nil
		}
		t.Value = bytes.Clone(t.Value)
		r.fields = append(r.fields, t)
		rest = next
	}
	return nil, fmt.Errorf("%w: no signature %X", ErrMalformedRecord, sigTag)
}

// TextVerification is the text application's data verified to a pinned
// CV CA key: EF 0004 by the pinned key, DF33 by EF 0004's key, and the
// hashes of what was read.
type TextVerification struct {
	CVVerification
	// NumberChecked: DF31 equals SHA-256 of EF 0001 (all 17 bytes). False
	// when the number was not read (照合番号B opens only the basic four).
	NumberChecked bool
	// BasicChecked: DF32 equals SHA-256 of EF 0002 from DF22 to the end
	// of the record. False when the basic four were not read (照合番号A
	// opens only the number).
	BasicChecked bool
}

// Verify checks the record read by ReadText to a pinned key of keys:
// EF 0004's signature over its 5F4E value by the key its issuer key ID
// names, EF 0003's DF33 over DF31 and DF32 by the key EF 0004 certifies,
// and DF31 and DF32 against the fields that were read (r.Fields). Any
// failure is a *CVError with its reason; nil means verified, and the
// result says which key (a test key is labelled by CAKey.Test()).
func (r *TextRecord) Verify(keys *CVCAKeys) (*TextVerification, error) {
	const record = "text integrity record"
	if len(r.integrityEF) == 0 {
		return nil, &CVError{Record: record, Reason: CVReasonNoRecord, Err: fmt.Errorf("no integrity record (EF 0003)")}
	}
	ir, err := ParseIntegrityRecord(r.integrityEF)
	if err != nil {
		return nil, &CVError{Record: record, Reason: CVReasonMalformed, Err: err}
	}
	v, err := keys.verifyRecord(record, r.cvcEF, CVUseText, pkcs1SHA256(ir.Signed, ir.Signature), nil)
	if err != nil {
		return nil, err
	}
	out := &TextVerification{CVVerification: *v}
	tampered := func(what string) error {
		return &CVError{Record: record, Reason: CVReasonTampered, IssuerKeyID: v.CVC.IssuerKeyID,
			Err: fmt.Errorf("%w: %s", ErrIntegrity, what)}
	}
	if r.Fields&TextNumberField != 0 {
		if subtle.ConstantTimeCompare(r.numberHash[:], ir.NumberHash) != 1 {
			return nil, tampered("DF31 does not match the Individual Number record")
		}
		out.NumberChecked = true
	}
	if r.Fields&TextBasicField != 0 {
		hb := sha256.Sum256(r.basicHashed)
		if subtle.ConstantTimeCompare(hb[:], ir.BasicHash) != 1 {
			return nil, tampered("DF32 does not match the basic four record")
		}
		out.BasicChecked = true
	}
	return out, nil
}
