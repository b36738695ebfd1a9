package confirm

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
	"github.com/mynacard/mynacard/store"
)

// Reason codes of a refused token (TokenError.Code). Each refusal has its
// own code; they are stable API.
const (
	// TokenMalformed: not a token (bad JSON, encoding, size).
	TokenMalformed = "malformed"
	// TokenUnsupportedVersion: a format version other than TokenVersion.
	TokenUnsupportedVersion = "unsupported_version"
	// TokenUnsupportedAlgorithm: an algorithm other than RS256, ES256 and
	// ES384, or one that is not the certificate key's.
	TokenUnsupportedAlgorithm = "unsupported_algorithm"
	// TokenBadRequest: the verifier's own audience or nonce is unusable.
	TokenBadRequest = "bad_request"
	// TokenNonceUnknown: the nonce was never issued (or was purged).
	TokenNonceUnknown = "nonce_unknown"
	// TokenNonceReplayed: the nonce was already consumed.
	TokenNonceReplayed = "nonce_replayed"
	// TokenNonceExpired: the nonce's lifetime ended.
	TokenNonceExpired = "nonce_expired"
	// TokenNonceStore: the nonce store failed.
	TokenNonceStore = "nonce_store_error"
	// TokenBadCertificate: the certificate cannot be parsed.
	TokenBadCertificate = "bad_certificate"
	// TokenWrongKeyType: an authentication-key token where a signing-key
	// one is required, or the reverse.
	TokenWrongKeyType = "wrong_key_type"
	// TokenBadSignature: the signature is not a valid signature by the
	// certificate's key in its algorithm (tampered or corrupted). For
	// ECDSA, which cannot be opened to see what was signed, this also
	// covers a signature over another audience or nonce.
	TokenBadSignature = "bad_signature"
	// TokenDataMismatch: a well-formed RSA signature by the certificate's
	// key, but over other data: another audience or another nonce.
	TokenDataMismatch = "audience_or_nonce_mismatch"
	// TokenUntrusted: the certificate does not chain to a trusted root.
	TokenUntrusted = "untrusted_issuer"
	// TokenTestHierarchy: the certificate chains to a test root and
	// production is required.
	TokenTestHierarchy = "test_hierarchy"
	// TokenCertExpired and TokenCertNotYetValid: outside its validity.
	TokenCertExpired     = "certificate_expired"
	TokenCertNotYetValid = "certificate_not_yet_valid"
	// TokenCertProfile: key usage, policy or extensions not acceptable.
	TokenCertProfile = "certificate_profile"
	// TokenRevoked: the certificate is revoked (Detail has the reason).
	TokenRevoked = "revoked"
	// TokenRevocationUnknown: hard policy and revocation could not be
	// checked.
	TokenRevocationUnknown = "revocation_unknown"
)

// TokenError is a refused token. Code is one of the TokenXxx codes; Err,
// when set, is the underlying error (a *jpki.VerifyError, a store
// sentinel...).
type TokenError struct {
	Code   string
	Detail string
	Err    error
}

// Error returns "token refused: <code>: <detail>".
func (e *TokenError) Error() string {
	if e.Detail == "" {
		return "token refused: " + e.Code
	}
	return "token refused: " + e.Code + ": " + e.Detail
}

// Unwrap returns the underlying error.
func (e *TokenError) Unwrap() error { return e.Err }

// TokenCode returns the Code of a *TokenError in err's chain, or "".
func TokenCode(err error) string {
	var te *TokenError
	if errors.As(err, &te) {
		return te.Code
	}
	return ""
}

// Validator is the server side of confirmation tokens. Configure it once; it is safe
// for concurrent use if its NonceStore and revocation checker are.
type Validator struct {
	// Roots are the trusted roots. Test roots count only if the Roots were
	// built with jpki.WithTestHierarchy and RequireProduction is false.
	Roots *jpki.Roots
	// Nonces is where the Challenges issued their nonces. Required.
	Nonces store.NonceStore
	// Revocation answers revocation status; nil means no source.
	Revocation revocation.Checker
	// RevocationPolicy: hard (zero value), soft or off.
	RevocationPolicy revocation.Policy
	// RequireProduction refuses test-hierarchy certificates.
	RequireProduction bool
	// Now is the clock for the chain; nil means time.Now.
	Now func() time.Time
}

// TokenResult is an accepted token.
type TokenResult struct {
	// Key is "auth" or "sign".
	Key         string          `json:"key"`
	Certificate CertificateInfo `json:"certificate"`
	// Attributes are the holder's details, for signing-key tokens only.
	Attributes *Attributes `json:"attributes,omitempty"`
	// Verdict is every check's outcome; Verdict.Revocation.Status is
	// "unknown" when a soft policy accepted a token whose revocation could
	// not be checked, "not_checked" under the off policy.
	Verdict Verdict `json:"verdict"`
}

// Validate checks raw (a token's JSON form) as the answer to nonce for
// audience, made with the key of kind want (card.AuthKey or
// card.SignKey). In order: the format; the nonce, consumed at once so a
// token is accepted at most once and any answer spends its challenge;
// the certificate's kind; the signature over the rebuilt TokenDigest; the
// chain to a trusted root at the current time with the key usage and
// policy of want; revocation under the policy. A refusal is a
// *TokenError whose Code names it.
func (v *Validator) Validate(ctx context.Context, raw []byte, audience, nonce string, want card.KeyKind) (*TokenResult, error) {
	tok, err := ParseToken(raw)
	if err != nil {
		return nil, err
	}
	return v.ValidateToken(ctx, tok, audience, nonce, want)
}

// ValidateToken is Validate for a parsed token.
func (v *Validator) ValidateToken(ctx context.Context, tok *Token, audience, nonce string, want card.KeyKind) (*TokenResult, error) {
	refuse := func(code, detail string, err error) (*TokenResult, error) {
		return nil, &TokenError{Code: code, Detail: detail, Err: err}
	}
	switch {
	case v.Roots == nil || v.Nonces == nil:
		return refuse(TokenBadRequest, "validator has no roots or nonce store", nil)
	case want != card.AuthKey && want != card.SignKey:
		return refuse(TokenBadRequest, "expected key kind must be auth or sign", nil)
	case tok.Version != TokenVersion:
		return refuse(TokenUnsupportedVersion, fmt.Sprintf("version %d, want %d", tok.Version, TokenVersion), nil)
	case jpki.SignatureAlgorithm(tok.Algorithm).Hash() == 0:
		return refuse(TokenUnsupportedAlgorithm, fmt.Sprintf("algorithm %q, want %s, %s or %s", tok.Algorithm,
			AlgorithmRSASHA256, AlgorithmECDSAP384SHA384, AlgorithmECDSAP256SHA256), nil)
	}
	if err := checkTokenInputs(audience, nonce); err != nil {
		return refuse(TokenBadRequest, err.Error(), nil)
	}
	if err := v.Nonces.ConsumeNonce(ctx, nonce); err != nil {
		switch {
		case errors.Is(err, store.ErrConsumed):
			return refuse(TokenNonceReplayed, "the challenge was already answered", err)
		case errors.Is(err, store.ErrExpired):
			return refuse(TokenNonceExpired, "the challenge expired", err)
		case errors.Is(err, store.ErrNotFound):
			return refuse(TokenNonceUnknown, "the challenge was not issued here", err)
		}
		return refuse(TokenNonceStore, err.Error(), err)
	}
	cert, err := jpki.Parse(tok.Certificate)
	if err != nil {
		return refuse(TokenBadCertificate, err.Error(), err)
	}
	if cert.Kind != want {
		return refuse(TokenWrongKeyType, fmt.Sprintf("a %s-key token where a %s-key one is required", cert.Kind, want), nil)
	}
	alg, err := jpki.AlgorithmFor(cert.PublicKey)
	if err != nil {
		return refuse(TokenUnsupportedAlgorithm, err.Error(), err)
	}
	if string(alg) != tok.Algorithm {
		return refuse(TokenUnsupportedAlgorithm, fmt.Sprintf("token says %s, the certificate's key is %s", tok.Algorithm, alg), nil)
	}
	digest := TokenDigestFor(tok.Algorithm, audience, nonce)
	if code, detail := checkTokenSignature(cert.Certificate, alg, digest, tok.Signature); code != "" {
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
	res := &TokenResult{Key: want.String(), Certificate: certificateInfo(cert.Certificate, want)}
	if want == card.SignKey {
		res.Attributes = attributesFrom(cert.Attributes)
	}
	res.Verdict.Signature = SignatureResult{OK: true, Algorithm: string(alg)}
	res.Verdict.Chain = chainResult(ver, nil, now)
	res.Verdict.Revocation = checkRevocation(ctx, v.Revocation, v.RevocationPolicy, cert.Certificate, ver.Root.Certificate)
	switch r := res.Verdict.Revocation; {
	case r.Status == RevocationRevoked:
		return refuse(TokenRevoked, "revoked: "+r.Reason, nil)
	case !accepts(v.RevocationPolicy, r):
		return refuse(TokenRevocationUnknown, "could not check revocation: "+r.Code, nil)
	}
	res.Verdict.OK = true
	return res, nil
}

// chainCode maps a jpki.Verify failure to a token code.
func chainCode(err error) string {
	var ve *jpki.VerifyError
	if !errors.As(err, &ve) {
		return TokenUntrusted
	}
	switch ve.Reason {
	case jpki.ReasonTestRoot:
		return TokenTestHierarchy
	case jpki.ReasonExpired:
		return TokenCertExpired
	case jpki.ReasonNotYetValid:
		return TokenCertNotYetValid
	case jpki.ReasonWrongKind:
		return TokenWrongKeyType
	case jpki.ReasonKeyUsage, jpki.ReasonPolicy, jpki.ReasonCriticalExtension:
		return TokenCertProfile
	}
	return TokenUntrusted
}

// checkTokenSignature accepts with jpki.VerifyDigest in the key's
// algorithm. For RSA, only to name a failure, it opens the signature with
// the public key (RFC 8017 §8.2.2 steps 2a–2c): a well-formed PKCS#1 v1.5
// encoding of another digest under the algorithm's hash is a valid
// signature over other data (another audience or nonce:
// TokenDataMismatch); anything else is TokenBadSignature. An ECDSA
// signature cannot be opened: any failure is TokenBadSignature.
func checkTokenSignature(cert *x509.Certificate, alg jpki.SignatureAlgorithm, digest, sig []byte) (code, detail string) {
	h := alg.Hash()
	if jpki.VerifyDigest(cert.PublicKey, h, digest, sig, h) == nil {
		return "", ""
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return TokenBadSignature, "the signature does not verify with the certificate's key"
	}
	k := pub.Size()
	if len(sig) != k {
		return TokenBadSignature, fmt.Sprintf("signature of %d bytes, want %d", len(sig), k)
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return TokenBadSignature, "signature out of range"
	}
	em := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N).FillBytes(make([]byte, k))
	di, err := jpki.DigestInfo(h, digest)
	if err != nil {
		return TokenBadSignature, err.Error()
	}
	prefix := di[:len(di)-len(digest)]
	tLen := len(di)
	psLen := k - 3 - tLen
	wellFormed := psLen >= 8 && em[0] == 0x00 && em[1] == 0x01 && em[2+psLen] == 0x00 &&
		bytes.Equal(em[2:2+psLen], bytes.Repeat([]byte{0xFF}, psLen)) &&
		bytes.Equal(em[3+psLen:3+psLen+len(prefix)], prefix)
	if wellFormed {
		return TokenDataMismatch, "the signature is over another audience or nonce"
	}
	return TokenBadSignature, "the signature does not verify with the certificate's key"
}
