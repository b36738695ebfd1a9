package card

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
)

// CVReason names why a record did not verify to a pinned CV CA key.
type CVReason int

// Reasons. Each has a stable code (CVReason.Code) for JSON output.
const (
	// CVReasonNoRecord: the record or the application's EF 0004 is absent
	// or empty, so nothing can be verified.
	CVReasonNoRecord CVReason = iota + 1
	// CVReasonMalformed: the record or EF 0004 does not parse.
	CVReasonMalformed
	// CVReasonUnknownCA: EF 0004 names an issuer key ID that no pinned key
	// has. Not a bad signature: the key is simply not known.
	CVReasonUnknownCA
	// CVReasonTestKey: EF 0004 is issued by a test key (J-LIS's test
	// hierarchy or the virtual card's) and the check trusts production
	// keys only.
	CVReasonTestKey
	// CVReasonWrongUse: the issuer key certifies another application
	// (a text key under the surface certificate, or the reverse).
	CVReasonWrongUse
	// CVReasonCAKeyMismatch: EF 0004 does not verify with the pinned
	// production key of its issuer key ID. The production keys are not
	// confirmed against a real card's signature, so this means "CA key
	// unknown or mismatched", not "forged".
	CVReasonCAKeyMismatch
	// CVReasonCVCSignedOverTLV: EF 0004's signature verifies over the
	// whole 5F4E data object (tag and length included) and not over its
	// value, which is what the card signs.
	CVReasonCVCSignedOverTLV
	// CVReasonBadCVCSignature: EF 0004 does not verify with the pinned
	// test key of its issuer key ID.
	CVReasonBadCVCSignature
	// CVReasonSignedByAppKey: the record is signed by the application key
	// it carries (DF24, DF12, DF42) instead of the key EF 0004 certifies:
	// anyone can make such a record.
	CVReasonSignedByAppKey
	// CVReasonTampered: a hash or the signature of the record does not
	// match its data under the certified key.
	CVReasonTampered
)

// Code is the reason's stable identifier for JSON.
func (r CVReason) Code() string {
	switch r {
	case CVReasonNoRecord:
		return "no_record"
	case CVReasonMalformed:
		return "malformed"
	case CVReasonUnknownCA:
		return "unknown_ca"
	case CVReasonTestKey:
		return "test_key_under_production_check"
	case CVReasonWrongUse:
		return "ca_key_for_other_application"
	case CVReasonCAKeyMismatch:
		return "ca_key_unknown_or_mismatched"
	case CVReasonCVCSignedOverTLV:
		return "cvc_signed_over_tlv"
	case CVReasonBadCVCSignature:
		return "bad_cvc_signature"
	case CVReasonSignedByAppKey:
		return "signed_by_application_key"
	case CVReasonTampered:
		return "tampered"
	}
	return fmt.Sprintf("reason_%d", int(r))
}

// String describes the reason in English.
func (r CVReason) String() string {
	switch r {
	case CVReasonNoRecord:
		return "no signed record or no card-verifiable certificate on the card"
	case CVReasonMalformed:
		return "signed record or card-verifiable certificate malformed"
	case CVReasonUnknownCA:
		return "card-verifiable certificate issued by an unknown CA key"
	case CVReasonTestKey:
		return "card-verifiable certificate issued by a test key, refused under a production check"
	case CVReasonWrongUse:
		return "card-verifiable certificate issued by the CA key of another application"
	case CVReasonCAKeyMismatch:
		return "CA key unknown or mismatched: the certificate does not verify with the pinned J-LIS key"
	case CVReasonCVCSignedOverTLV:
		return "card-verifiable certificate signed over the 5F4E TLV instead of its value"
	case CVReasonBadCVCSignature:
		return "card-verifiable certificate signature does not verify with the pinned test key"
	case CVReasonSignedByAppKey:
		return "record signed by the application key it carries instead of the certified key"
	case CVReasonTampered:
		return "record does not match its signature (tampered)"
	}
	return fmt.Sprintf("CVReason(%d)", int(r))
}

// CVError reports a record that did not verify to a pinned CV CA key.
// It matches ErrIntegrity with errors.Is for the reasons that are a
// mismatch of data and signature (tampered, signed by the application
// key, CVC signed over the TLV, bad test-key signature), ErrMalformedRecord
// for CVReasonMalformed and ErrNoIntegrityRecord for CVReasonNoRecord.
type CVError struct {
	// Record names what was verified ("text integrity record", "card
	// face", "age record", "number image").
	Record string
	Reason CVReason
	// IssuerKeyID is EF 0004's issuer key ID (zero when EF 0004 was not
	// parsed).
	IssuerKeyID KeyID
	// Err is the underlying error, if any.
	Err error
}

// Error describes the failure.
func (e *CVError) Error() string {
	msg := fmt.Sprintf("verifying %s: %s", e.Record, e.Reason)
	if e.IssuerKeyID != (KeyID{}) {
		msg += " (issuer key " + e.IssuerKeyID.String() + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *CVError) Unwrap() error { return e.Err }

// Is matches the sentinel of the reason's kind.
func (e *CVError) Is(target error) bool {
	switch target {
	case ErrIntegrity:
		switch e.Reason {
		case CVReasonTampered, CVReasonSignedByAppKey, CVReasonCVCSignedOverTLV, CVReasonBadCVCSignature:
			return true
		}
	case ErrMalformedRecord:
		return e.Reason == CVReasonMalformed
	case ErrNoIntegrityRecord:
		return e.Reason == CVReasonNoRecord
	}
	return false
}

// CVVerification is a record verified to a pinned CV CA key.
type CVVerification struct {
	// CAKey is the pinned key that verified EF 0004. CAKey.Test() says
	// whether it is a test key: label the result then.
	CAKey *CVCAKey
	// CVC is the application's EF 0004, whose subject key signed the
	// record. CVC.SubjectKeyID identifies the card's certified key.
	CVC *CVC
}

// VerifyCVC checks a card-verifiable certificate of an application (use)
// against the trusted keys. It returns the key that verified it, or a
// *CVError naming the reason.
func (s *CVCAKeys) VerifyCVC(c *CVC, use CVUse) (*CVCAKey, error) {
	return s.verifyCVC("card-verifiable certificate", c, use)
}

func (s *CVCAKeys) verifyCVC(record string, c *CVC, use CVUse) (*CVCAKey, error) {
	fail := func(r CVReason, err error) (*CVCAKey, error) {
		return nil, &CVError{Record: record, Reason: r, IssuerKeyID: c.IssuerKeyID, Err: err}
	}
	k, ok := s.keys[c.IssuerKeyID]
	if !ok {
		if known, ok := s.known[c.IssuerKeyID]; ok && known.Test() {
			return fail(CVReasonTestKey, nil)
		}
		return fail(CVReasonUnknownCA, nil)
	}
	if k.Use != use {
		return fail(CVReasonWrongUse, fmt.Errorf("key %s certifies the %s, not the %s", k.Name(), k.Use, use))
	}
	if err := verifySHA256(k.PublicKey, c.Body, c.Signature); err == nil {
		return k, nil
	}
	if verifySHA256(k.PublicKey, c.BodyTLV, c.Signature) == nil {
		return fail(CVReasonCVCSignedOverTLV, nil)
	}
	if !k.Test() {
		return fail(CVReasonCAKeyMismatch, nil)
	}
	return fail(CVReasonBadCVCSignature, nil)
}

// recordCheck is how one record's signature is checked with a key.
type recordCheck func(pub *rsa.PublicKey) error

// verifyRecord verifies a record through its application's EF 0004: the
// certificate to a pinned key, then the record with the certified key.
// appKey is the key the record itself carries (nil if none): a record
// that verifies with it instead is CVReasonSignedByAppKey.
func (s *CVCAKeys) verifyRecord(record string, cvcEF []byte, use CVUse, check recordCheck, appKey *rsa.PublicKey) (*CVVerification, error) {
	if s == nil {
		return nil, &CVError{Record: record, Reason: CVReasonUnknownCA, Err: errors.New("no CV CA keys given")}
	}
	if len(cvcEF) == 0 {
		return nil, &CVError{Record: record, Reason: CVReasonNoRecord, Err: fmt.Errorf("no card-verifiable certificate (EF 0004)")}
	}
	c, err := ParseCVC(cvcEF)
	if err != nil {
		return nil, &CVError{Record: record, Reason: CVReasonMalformed, Err: err}
	}
	k, err := s.verifyCVC(record, c, use)
	if err != nil {
		return nil, err
	}
	if err := check(c.PublicKey); err != nil {
		r := CVReasonTampered
		if appKey != nil && check(appKey) == nil {
			r = CVReasonSignedByAppKey
		}
		return nil, &CVError{Record: record, Reason: r, IssuerKeyID: c.IssuerKeyID, Err: err}
	}
	return &CVVerification{CAKey: k, CVC: c}, nil
}

// pkcs1SHA256 checks a PKCS#1 v1.5 SHA-256 signature over msg.
func pkcs1SHA256(msg, sig []byte) recordCheck {
	return func(pub *rsa.PublicKey) error { return verifySHA256(pub, msg, sig) }
}

// pkcs1Raw checks a PKCS#1 v1.5 signature over a DigestInfo the verifier
// built itself (crypto.Hash(0): no hashing, no prefix added).
func pkcs1Raw(digestInfo, sig []byte) recordCheck {
	return func(pub *rsa.PublicKey) error {
		if err := rsa.VerifyPKCS1v15(pub, crypto.Hash(0), digestInfo, sig); err != nil {
			return fmt.Errorf("%w: %w", ErrIntegrity, err)
		}
		return nil
	}
}

func verifySHA256(pub *rsa.PublicKey, msg, sig []byte) error {
	h := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
		return fmt.Errorf("%w: %w", ErrIntegrity, err)
	}
	return nil
}
