package confirm

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
)

// TokenVersion is the token format version this package writes and
// accepts.
const TokenVersion = 1

// Token limits: a token is parsed from the network, so its size is
// bounded before anything is decoded.
const (
	// MaxTokenBytes bounds an encoded token (a JPKI certificate is about
	// 1.9 KB, a signature 256 bytes for RSA-2048 and about 104 for P-384,
	// both base64url encoded).
	MaxTokenBytes = 16 << 10
	// MaxAudienceBytes bounds the audience string.
	MaxAudienceBytes = 1024
)

// Token is a confirmation token: the card's signature over
// TokenDigest(audience, nonce) and the certificate of the key that made
// it. It deliberately carries neither the audience nor the nonce: the
// verifier supplies its own, so a token answers only the challenge and
// the service it was made for.
//
// Its JSON form is {"version":1,"algorithm":"RS256","certificate":
// base64url(DER),"signature":base64url(sig)} with unpadded base64url.
// The algorithm is the certificate key's: RS256 (RSA PKCS#1 v1.5 with
// SHA-256, today's card), ES384 (ECDSA P-384 with SHA-384, DER signature)
// or ES256.
type Token struct {
	Version     int    `json:"version"`
	Algorithm   string `json:"algorithm"`
	Certificate []byte `json:"-"`
	Signature   []byte `json:"-"`
}

type tokenJSON struct {
	Version     int    `json:"version"`
	Algorithm   string `json:"algorithm"`
	Certificate string `json:"certificate"`
	Signature   string `json:"signature"`
}

// MarshalJSON writes the token's JSON form.
func (t Token) MarshalJSON() ([]byte, error) {
	return json.Marshal(tokenJSON{
		Version: t.Version, Algorithm: t.Algorithm,
		Certificate: base64.RawURLEncoding.EncodeToString(t.Certificate),
		Signature:   base64.RawURLEncoding.EncodeToString(t.Signature),
	})
}

// UnmarshalJSON is ParseToken.
func (t *Token) UnmarshalJSON(b []byte) error {
	p, err := ParseToken(b)
	if err != nil {
		return err
	}
	*t = *p
	return nil
}

// ParseToken parses a token's JSON form strictly: size bounded, no
// unknown fields, no trailing data, unpadded base64url. It checks the
// form only; the version and algorithm are the Validator's to judge.
// Errors are *TokenError with code TokenMalformed.
func ParseToken(b []byte) (*Token, error) {
	bad := func(detail string) (*Token, error) {
		return nil, &TokenError{Code: TokenMalformed, Detail: detail}
	}
	if len(b) > MaxTokenBytes {
		return bad(fmt.Sprintf("token of %d bytes exceeds %d", len(b), MaxTokenBytes))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var tj tokenJSON
	if err := dec.Decode(&tj); err != nil {
		return bad("not a token: " + err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("trailing data after the token")
	}
	cert, err := base64.RawURLEncoding.Strict().DecodeString(tj.Certificate)
	if err != nil || len(cert) == 0 {
		return bad("certificate is not unpadded base64url")
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(tj.Signature)
	if err != nil || len(sig) == 0 {
		return bad("signature is not unpadded base64url")
	}
	return &Token{Version: tj.Version, Algorithm: tj.Algorithm, Certificate: cert, Signature: sig}, nil
}

// TokenDigest is what an RS256 or ES256 token's key signs: SHA-256(
// SHA-256(audience) ‖ SHA-256(nonce) ), where audience is the service
// identifier's UTF-8 bytes and nonce is the challenge's text as issued
// (base64url). It is TokenDigestFor with SHA-256.
func TokenDigest(audience, nonce string) []byte {
	return tokenDigest(crypto.SHA256, audience, nonce)
}

// TokenDigestFor is what a token of algorithm alg signs: H( H(audience) ‖
// H(nonce) ) with H the algorithm's hash (SHA-256 for RS256 and ES256,
// SHA-384 for ES384). It returns nil for an unknown algorithm.
func TokenDigestFor(alg, audience, nonce string) []byte {
	h := jpki.SignatureAlgorithm(alg).Hash()
	if h == 0 {
		return nil
	}
	return tokenDigest(h, audience, nonce)
}

func tokenDigest(h crypto.Hash, audience, nonce string) []byte {
	d := h.New()
	d.Write(hashOf(h, []byte(audience)))
	d.Write(hashOf(h, []byte(nonce)))
	return d.Sum(nil)
}

// ConsentRequest is what the holder is shown before a signing-key token is
// made: the service asking and the four basic details the signing
// certificate will release to it.
type ConsentRequest struct {
	Audience    string          `json:"audience"`
	Attributes  *Attributes     `json:"attributes"`
	Certificate CertificateInfo `json:"certificate"`
}

// ConsentFunc shows a ConsentRequest to the holder and returns nil only
// when the holder agreed. Any error stops before the card signs.
type ConsentFunc func(ctx context.Context, req ConsentRequest) error

// ErrConsentRequired reports a signing-key token asked for without a
// ConsentFunc.
var ErrConsentRequired = errors.New("confirm: a signing-key token needs the holder's consent")

// ErrDeclined reports that the holder declined: nothing was signed.
var ErrDeclined = errors.New("confirm: the holder declined")

// TokenOptions parameterise MakeToken.
type TokenOptions struct {
	// Key is card.AuthKey (qualification, log-in; the default when zero)
	// or card.SignKey (identification, releasing the four basic details).
	Key card.KeyKind
	// Audience identifies the service: for an agent, from its own
	// configuration, never from the calling page. Required.
	Audience string
	// Nonce is the challenge's nonce as issued. Required.
	Nonce string
	// Prompt asks for the key's PIN.
	Prompt card.PINPrompt
	// Consent is required for card.SignKey. See MakeToken.
	Consent ConsentFunc
}

// MakeToken is the card side of a confirmation token: it has the card sign
// TokenDigestFor(algorithm of the certificate key, Audience, Nonce) and
// returns the token.
//
// Key separation: the data signed is always computed here from the
// audience and nonce; no caller-supplied hash reaches the card through
// this path, for either key.
//
// Consent with the signing key, honestly: the card releases the signing
// certificate — and so the details to show — only after the signing
// password is verified. MakeToken therefore asks for the password first,
// then, in the same card transaction and before any signature, reads the
// certificate and calls Consent with the audience and the four basic
// details; only if Consent returns nil does the card sign. A holder who
// declines has entered the password but nothing is signed and nothing
// leaves the process (ErrDeclined). The card stays held while the holder
// decides; one password entry covers both steps.
func MakeToken(ctx context.Context, j *card.JPKI, opts TokenOptions) (*Token, error) {
	key := opts.Key
	if key == 0 {
		key = card.AuthKey
	}
	if err := checkTokenInputs(opts.Audience, opts.Nonce); err != nil {
		return nil, fmt.Errorf("making token: %w", err)
	}
	digestFor := func(a jpki.SignatureAlgorithm) []byte { return TokenDigestFor(string(a), opts.Audience, opts.Nonce) }
	var approve func(ctx context.Context, cert *jpki.Certificate) error
	switch key {
	case card.AuthKey:
	case card.SignKey:
		if opts.Consent == nil {
			return nil, fmt.Errorf("making token: %w", ErrConsentRequired)
		}
		approve = func(ctx context.Context, cert *jpki.Certificate) error {
			req := ConsentRequest{Audience: opts.Audience, Attributes: attributesFrom(cert.Attributes), Certificate: certificateInfo(cert.Certificate, cert.Kind)}
			if err := opts.Consent(ctx, req); err != nil {
				return fmt.Errorf("%w: %w", ErrDeclined, err)
			}
			return nil
		}
	default:
		return nil, fmt.Errorf("making token: unknown key %v", key)
	}
	der, sig, sc, err := signWithKey(ctx, j, key, opts.Prompt, digestFor, approve)
	if err != nil {
		return nil, fmt.Errorf("making token: %w", err)
	}
	return &Token{Version: TokenVersion, Algorithm: string(sc.alg), Certificate: der, Signature: sig}, nil
}

// checkTokenInputs bounds the audience and checks the nonce's form.
func checkTokenInputs(audience, nonce string) error {
	if audience == "" || len(audience) > MaxAudienceBytes {
		return fmt.Errorf("audience must be 1 to %d bytes", MaxAudienceBytes)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(nonce)
	if err != nil || len(b) < NonceSize {
		return fmt.Errorf("nonce must be at least %d bytes in unpadded base64url", NonceSize)
	}
	return nil
}
