package token

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/revocation"
)

// Code names why a token was refused (Error.Code). Each refusal has its
// own code; they are stable API.
type Code string

// Refusal codes.
const (
	// Malformed: not a token (bad JSON, encoding, size).
	Malformed Code = "malformed"
	// UnsupportedVersion: a format version other than Version.
	UnsupportedVersion Code = "unsupported_version"
	// UnsupportedAlgorithm: an algorithm other than RS256, ES256 and
	// ES384, or one that is not the certificate key's.
	UnsupportedAlgorithm Code = "unsupported_algorithm"
	// BadRequest: the verifier's own audience or nonce is unusable.
	BadRequest Code = "bad_request"
	// NonceUnknown: the nonce was never issued (or was purged).
	NonceUnknown Code = "nonce_unknown"
	// NonceReplayed: the nonce was already consumed.
	NonceReplayed Code = "nonce_replayed"
	// NonceExpired: the nonce's lifetime ended.
	NonceExpired Code = "nonce_expired"
	// NonceStoreFailed: the nonce store failed.
	NonceStoreFailed Code = "nonce_store_error"
	// BadCertificate: the certificate cannot be parsed.
	BadCertificate Code = "bad_certificate"
	// WrongKeyType: an authentication-key token where a signing-key one
	// is required, or the reverse.
	WrongKeyType Code = "wrong_key_type"
	// BadSignature: the signature is not a valid signature by the
	// certificate's key in its algorithm (tampered or corrupted). For
	// ECDSA, which cannot be opened to see what was signed, this also
	// covers a signature over another audience or nonce.
	BadSignature Code = "bad_signature"
	// DataMismatch: a well-formed RSA signature by the certificate's key,
	// but over other data: another audience or another nonce.
	DataMismatch Code = "audience_or_nonce_mismatch"
	// Untrusted: the certificate does not chain to a trusted root.
	Untrusted Code = "untrusted_issuer"
	// TestHierarchy: the certificate chains to a test root and production
	// is required.
	TestHierarchy Code = "test_hierarchy"
	// CertExpired and CertNotYetValid: outside its validity.
	CertExpired     Code = "certificate_expired"
	CertNotYetValid Code = "certificate_not_yet_valid"
	// CertProfile: key usage, policy or extensions not acceptable.
	CertProfile Code = "certificate_profile"
	// Revoked: the certificate is revoked (Detail has the reason).
	Revoked Code = "revoked"
	// RevocationUnknown: hard policy and revocation could not be checked.
	RevocationUnknown Code = "revocation_unknown"
)

// Error is a refused token. Err, when set, is the underlying error (a
// *jpki.VerifyError, a nonce sentinel...).
type Error struct {
	Code   Code
	Detail string
	Err    error
}

// Error returns "token refused: <code>: <detail>".
func (e *Error) Error() string {
	if e.Detail == "" {
		return "token refused: " + string(e.Code)
	}
	return "token refused: " + string(e.Code) + ": " + e.Detail
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// CodeOf returns the Code of an *Error in err's chain, or "".
func CodeOf(err error) Code {
	var te *Error
	if errors.As(err, &te) {
		return te.Code
	}
	return ""
}

// Validator is the server side of confirmation tokens. Configure it once;
// it is safe for concurrent use if its Nonces and revocation checker are.
type Validator struct {
	// Roots are the trusted roots. Test roots count only if the Roots were
	// built with jpki.WithTestHierarchy and RequireProduction is false.
	Roots *jpki.Roots
	// Nonces is where the Challenges issued their nonces. Required.
	Nonces Nonces
	// Revocation answers revocation status (a revocation.Config's Load
	// builds one); nil means no source: the status is unknown.
	Revocation revocation.Checker
	// RevocationPolicy: hard (zero value), soft or off.
	RevocationPolicy revocation.Policy
	// RequireProduction refuses test-hierarchy certificates.
	RequireProduction bool
	// Now is the clock for the chain; nil means time.Now.
	Now func() time.Time
}

// Result is an accepted token.
type Result struct {
	// Key is the kind of key that made the token: the kind required.
	Key card.KeyKind
	// Certificate is the token's certificate; for a signing-key token
	// its Attributes are the holder's details.
	Certificate *jpki.Certificate
	// Algorithm is the signature algorithm that verified.
	Algorithm jpki.SignatureAlgorithm
	// Chain is the certificate's verification to a trusted root.
	Chain *jpki.Verification
	// Revocation is the revocation answer: good, or unknown when a soft
	// policy accepted a token whose status could not be checked; nil under
	// revocation.PolicyOff, which consults nothing.
	Revocation *revocation.Result
}

// Validate checks raw (a token's JSON form) as the answer to nonce for
// audience, made with the key of kind want (card.AuthKey or
// card.SignKey). In order: the format; the nonce, consumed at once so a
// token is accepted at most once and any answer spends its challenge;
// the certificate's kind; the signature over the rebuilt digest; the
// chain to a trusted root at the current time with the key usage and
// policy of want; revocation under the policy. A refusal is an *Error
// whose Code names it.
func (v *Validator) Validate(ctx context.Context, raw []byte, audience, nonce string, want card.KeyKind) (*Result, error) {
	tok, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	return v.ValidateToken(ctx, tok, audience, nonce, want)
}

// ValidateToken is Validate for a parsed token.
func (v *Validator) ValidateToken(ctx context.Context, tok *Token, audience, nonce string, want card.KeyKind) (*Result, error) {
	refuse := func(code Code, detail string, err error) (*Result, error) {
		return nil, &Error{Code: code, Detail: detail, Err: err}
	}
	switch {
	case v.Roots == nil || v.Nonces == nil:
		return refuse(BadRequest, "validator has no roots or nonce store", nil)
	case want != card.AuthKey && want != card.SignKey:
		return refuse(BadRequest, "expected key kind must be auth or sign", nil)
	case tok.Version != Version:
		return refuse(UnsupportedVersion, fmt.Sprintf("version %d, want %d", tok.Version, Version), nil)
	case jpki.SignatureAlgorithm(tok.Algorithm).Hash() == 0:
		return refuse(UnsupportedAlgorithm, fmt.Sprintf("algorithm %q, want %s, %s or %s", tok.Algorithm,
			jpki.RS256, jpki.ES384, jpki.ES256), nil)
	}
	if err := CheckRequest(audience, nonce); err != nil {
		return refuse(BadRequest, err.Error(), nil)
	}
	if err := v.Nonces.ConsumeNonce(ctx, nonce); err != nil {
		switch {
		case errors.Is(err, ErrNonceReplayed):
			return refuse(NonceReplayed, "the challenge was already answered", err)
		case errors.Is(err, ErrNonceExpired):
			return refuse(NonceExpired, "the challenge expired", err)
		case errors.Is(err, ErrNonceUnknown):
			return refuse(NonceUnknown, "the challenge was not issued here", err)
		}
		return refuse(NonceStoreFailed, err.Error(), err)
	}
	cert, err := jpki.Parse(tok.Certificate)
	if err != nil {
		return refuse(BadCertificate, err.Error(), err)
	}
	if cert.Kind != want {
		return refuse(WrongKeyType, fmt.Sprintf("a %s-key token where a %s-key one is required", cert.Kind, want), nil)
	}
	alg, err := jpki.AlgorithmFor(cert.PublicKey)
	if err != nil {
		return refuse(UnsupportedAlgorithm, err.Error(), err)
	}
	if string(alg) != tok.Algorithm {
		return refuse(UnsupportedAlgorithm, fmt.Sprintf("token says %s, the certificate's key is %s", tok.Algorithm, alg), nil)
	}
	d := DigestFor(tok.Algorithm, audience, nonce)
	if code, detail := checkSignature(cert.Certificate, alg, d, tok.Signature); code != "" {
		return refuse(code, detail, nil)
	}
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	ver, err := jpki.Verify(cert, v.Roots, jpki.VerifyOptions{Time: now, Kind: want, RequireProduction: v.RequireProduction})
	if err != nil {
		return refuse(chainCode(err), err.Error(), err)
	}
	res := &Result{Key: want, Certificate: cert, Algorithm: alg, Chain: ver}
	if v.RevocationPolicy == revocation.PolicyOff {
		return res, nil
	}
	chk := v.Revocation
	if chk == nil {
		chk = revocation.NoSource
	}
	r := chk.Check(ctx, cert.Certificate)
	switch {
	case r.Status == revocation.StatusRevoked:
		reason := r.Reason
		if reason == revocation.ReasonNone {
			// RFC 5280 §5.3.1: an entry without a reasonCode is unspecified.
			reason = revocation.ReasonUnspecified
		}
		return refuse(Revoked, "revoked: "+reason.String(), nil)
	case !v.RevocationPolicy.Accepts(r):
		detail := "could not check revocation"
		if r.Err != nil {
			detail += ": " + r.Err.Error()
		}
		return refuse(RevocationUnknown, detail, r.Err)
	}
	res.Revocation = &r
	return res, nil
}

// chainCode maps a jpki.Verify failure to a token code.
func chainCode(err error) Code {
	var ve *jpki.VerifyError
	if !errors.As(err, &ve) {
		return Untrusted
	}
	switch ve.Reason {
	case jpki.ReasonTestRoot:
		return TestHierarchy
	case jpki.ReasonExpired:
		return CertExpired
	case jpki.ReasonNotYetValid:
		return CertNotYetValid
	case jpki.ReasonWrongKind:
		return WrongKeyType
	case jpki.ReasonKeyUsage, jpki.ReasonPolicy, jpki.ReasonCriticalExtension:
		return CertProfile
	}
	return Untrusted
}

// checkSignature accepts with jpki.VerifyDigest in the key's algorithm.
// For RSA, only to name a failure, it opens the signature with the public
// key (RFC 8017 §8.2.2 steps 2a–2c): a well-formed PKCS#1 v1.5 encoding of
// another digest under the algorithm's hash is a valid signature over
// other data (another audience or nonce: DataMismatch); anything else is
// BadSignature. An ECDSA signature cannot be opened: any failure is
// BadSignature.
func checkSignature(cert *x509.Certificate, alg jpki.SignatureAlgorithm, digest, sig []byte) (code Code, detail string) {
	h := alg.Hash()
	if jpki.VerifyDigest(cert.PublicKey, h, digest, sig, h) == nil {
		return "", ""
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return BadSignature, "the signature does not verify with the certificate's key"
	}
	k := pub.Size()
	if len(sig) != k {
		return BadSignature, fmt.Sprintf("signature of %d bytes, want %d", len(sig), k)
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return BadSignature, "signature out of range"
	}
	em := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N).FillBytes(make([]byte, k))
	di, err := jpki.DigestInfo(h, digest)
	if err != nil {
		return BadSignature, err.Error()
	}
	prefix := di[:len(di)-len(digest)]
	tLen := len(di)
	psLen := k - 3 - tLen
	wellFormed := psLen >= 8 && em[0] == 0x00 && em[1] == 0x01 && em[2+psLen] == 0x00 &&
		bytes.Equal(em[2:2+psLen], bytes.Repeat([]byte{0xFF}, psLen)) &&
		bytes.Equal(em[3+psLen:3+psLen+len(prefix)], prefix)
	if wellFormed {
		return DataMismatch, "the signature is over another audience or nonce"
	}
	return BadSignature, "the signature does not verify with the certificate's key"
}
