package operator

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/attrtext"
	"github.com/mynacard/mynacard/store"
)

// EncodingVersion is the version of the canonical record encoding and of
// the hash that covers it. A change to either gets a new version; records
// sealed under version 1 stay verifiable under version 1.
const EncodingVersion byte = 1

// hashDomain starts every record hash, so that a record hash can never be
// mistaken for the hash of anything else the operator's key signs.
const hashDomain = "mynacard-record"

// Field numbers of the canonical encoding, version 1. They are part of the
// format: never renumber, only add.
const (
	fieldSeq              byte = 1
	fieldKind             byte = 2
	fieldAt               byte = 3
	fieldOperator         byte = 4
	fieldSignatureOK      byte = 5
	fieldChainOK          byte = 6
	fieldRoot             byte = 7
	fieldRevocation       byte = 8
	fieldRevocationReason byte = 9
	fieldRevocationSource byte = 10
	fieldCertKind         byte = 11
	fieldIssuer           byte = 12
	fieldSerial           byte = 13
	fieldName             byte = 14
	fieldNameSubstitute   byte = 15
	fieldAddress          byte = 16
	fieldAddressSubst     byte = 17
	fieldBirthDate        byte = 18
	fieldBirthEra         byte = 19
	fieldSex              byte = 20
	fieldChallengeID      byte = 21
	fieldEnrolmentID      byte = 22
	fieldDetails          byte = 23
)

// CanonicalRecord returns the canonical encoding, version 1, of every field
// of r except the seal fields (PrevHash, RecordHash, Signature,
// SignerCert). It is a sequence of 23 fields, always all of them, in
// increasing field-number order, each written as
//
//	field number (1 byte) ‖ value length (4 bytes, big-endian) ‖ value
//
// with values encoded as:
//
//	integers  8 bytes, big-endian two's complement
//	booleans  1 byte, 00 or 01
//	times     an integer: microseconds since 1970-01-01T00:00:00Z
//	          (the store keeps microseconds; finer digits are dropped)
//	text      the UTF-8 bytes exactly as stored (no normalisation)
//
// The fields, by number: 1 Seq, 2 Kind, 3 At, 4 Operator,
// 5 Verdict.SignatureOK, 6 Verdict.ChainOK, 7 Verdict.Root,
// 8 Verdict.Revocation, 9 Verdict.RevocationReason,
// 10 Verdict.RevocationSource, 11 CertKind, 12 Issuer, 13 Serial,
// then the attributes as the store's columns hold them (package store,
// "Attributes"; all empty for nil attributes): 14 name, 15 name
// substitute flags, 16 address, 17 address substitute flags, 18 birth
// date YYYYMMDD, 19 birth era code (an integer), 20 sex code in the table
// of CertKind; then 21 ChallengeID, 22 EnrolmentID, 23 Details.
//
// The encoding is injective over records the store can keep: two that
// differ in any of these fields encode differently. Seal and Export
// refuse a record whose attributes have no stored text.
// testdata/canonical-v1.golden pins it.
func CanonicalRecord(r *store.Record) []byte {
	a, _ := attrtext.Encode(r.Attributes, attrtext.CodesFor(r.CertKind))
	v := &r.Verdict
	var e encoder
	e.int(fieldSeq, r.Seq)
	e.text(fieldKind, string(r.Kind))
	e.int(fieldAt, r.At.UnixMicro())
	e.text(fieldOperator, r.Operator)
	e.bool(fieldSignatureOK, v.SignatureOK)
	e.bool(fieldChainOK, v.ChainOK)
	e.text(fieldRoot, v.Root)
	e.text(fieldRevocation, string(v.Revocation))
	e.text(fieldRevocationReason, v.RevocationReason)
	e.text(fieldRevocationSource, v.RevocationSource)
	e.text(fieldCertKind, kindText(r.CertKind))
	e.text(fieldIssuer, r.Issuer)
	e.text(fieldSerial, r.Serial)
	e.text(fieldName, a.Name)
	e.text(fieldNameSubstitute, a.NameSubstitute)
	e.text(fieldAddress, a.Address)
	e.text(fieldAddressSubst, a.AddressSubstitute)
	e.text(fieldBirthDate, a.BirthDate)
	e.int(fieldBirthEra, int64(a.BirthEra))
	e.text(fieldSex, a.Sex)
	e.text(fieldChallengeID, r.ChallengeID)
	e.int(fieldEnrolmentID, r.EnrolmentID)
	e.text(fieldDetails, r.Details)
	return e.b
}

type encoder struct{ b []byte }

func (e *encoder) field(n byte, value []byte) {
	e.b = append(e.b, n)
	e.b = binary.BigEndian.AppendUint32(e.b, uint32(len(value)))
	e.b = append(e.b, value...)
}

func (e *encoder) int(n byte, v int64) {
	e.field(n, binary.BigEndian.AppendUint64(nil, uint64(v)))
}

func (e *encoder) bool(n byte, v bool) {
	b := byte(0)
	if v {
		b = 1
	}
	e.field(n, []byte{b})
}

func (e *encoder) text(n byte, s string) { e.field(n, []byte(s)) }

// RecordHash returns the hash that chains r to the record before it:
// SHA-256 of "mynacard-record", the EncodingVersion byte, the length of
// prevHash (4 bytes, big-endian), prevHash and CanonicalRecord(r).
// prevHash is the previous record's RecordHash, empty for the first record.
func RecordHash(prevHash []byte, r *store.Record) []byte {
	h := sha256.New()
	h.Write([]byte(hashDomain))
	h.Write([]byte{EncodingVersion})
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(prevHash))))
	h.Write(prevHash)
	h.Write(CanonicalRecord(r))
	return h.Sum(nil)
}

// checkText refuses text fields that are not valid UTF-8, and attributes
// without stored text: they could not be exported as JSON without
// changing bytes, and so without breaking their hash.
func checkText(r *store.Record) error {
	a, err := attrtext.Encode(r.Attributes, attrtext.CodesFor(r.CertKind))
	if err != nil {
		return fmt.Errorf("%w: attributes: %w", ErrInvalidText, err)
	}
	v := &r.Verdict
	for _, f := range [...]struct{ name, v string }{
		{"kind", string(r.Kind)}, {"operator", r.Operator}, {"root", v.Root},
		{"revocation", string(v.Revocation)}, {"revocation reason", v.RevocationReason},
		{"revocation source", v.RevocationSource}, {"certificate kind", kindText(r.CertKind)},
		{"issuer", r.Issuer}, {"serial", r.Serial}, {"name", a.Name}, {"name substitute", a.NameSubstitute},
		{"address", a.Address}, {"address substitute", a.AddressSubstitute}, {"birth date", a.BirthDate},
		{"sex", a.Sex}, {"challenge id", r.ChallengeID}, {"details", r.Details},
	} {
		if !utf8.ValidString(f.v) {
			return fmt.Errorf("%w: %s", ErrInvalidText, f.name)
		}
	}
	return nil
}

// kindText is a certificate kind as records carry it: "sign", "auth", or
// "" for none.
func kindText(k card.KeyKind) string {
	b, _ := k.MarshalText()
	return string(b)
}
