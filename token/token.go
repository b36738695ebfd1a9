package token

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"

	"github.com/mynacard/mynacard/jpki"
)

// Version is the token format version this package writes and accepts.
const Version = 1

// Token limits: a token is parsed from the network, so its size is
// bounded before anything is decoded.
const (
	// MaxBytes bounds an encoded token (a JPKI certificate is about 1.9
	// KB, a signature 256 bytes for RSA-2048 and about 104 for P-384, both
	// base64url encoded).
	MaxBytes = 16 << 10
	// MaxAudienceBytes bounds the audience string.
	MaxAudienceBytes = 1024
)

// Token is a confirmation token: the card's signature over
// DigestFor(algorithm, audience, nonce) and the certificate of the key
// that made it. It deliberately carries neither the audience nor the
// nonce: the verifier supplies its own, so a token answers only the
// challenge and the service it was made for.
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

// UnmarshalJSON is Parse.
func (t *Token) UnmarshalJSON(b []byte) error {
	p, err := Parse(b)
	if err != nil {
		return err
	}
	*t = *p
	return nil
}

// Parse parses a token's JSON form strictly: size bounded, no unknown
// fields, no trailing data, unpadded base64url. It checks the form only;
// the version and algorithm are the Validator's to judge. Errors are
// *Error with code Malformed.
func Parse(b []byte) (*Token, error) {
	bad := func(detail string) (*Token, error) {
		return nil, &Error{Code: Malformed, Detail: detail}
	}
	if len(b) > MaxBytes {
		return bad(fmt.Sprintf("token of %d bytes exceeds %d", len(b), MaxBytes))
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

// Digest is what an RS256 or ES256 token's key signs: SHA-256(
// SHA-256(audience) ‖ SHA-256(nonce) ), where audience is the service
// identifier's UTF-8 bytes and nonce is the challenge's text as issued
// (base64url). It is DigestFor with SHA-256.
func Digest(audience, nonce string) []byte {
	return digest(crypto.SHA256, audience, nonce)
}

// DigestFor is what a token of algorithm alg signs: H( H(audience) ‖
// H(nonce) ) with H the algorithm's hash (SHA-256 for RS256 and ES256,
// SHA-384 for ES384). It returns nil for an unknown algorithm.
func DigestFor(alg, audience, nonce string) []byte {
	h := jpki.SignatureAlgorithm(alg).Hash()
	if h == 0 {
		return nil
	}
	return digest(h, audience, nonce)
}

func digest(h crypto.Hash, audience, nonce string) []byte {
	d := h.New()
	d.Write(sum(h, []byte(audience)))
	d.Write(sum(h, []byte(nonce)))
	return d.Sum(nil)
}

func sum(h crypto.Hash, msg []byte) []byte {
	d := h.New()
	d.Write(msg)
	return d.Sum(nil)
}

// CheckRequest checks what a token is made for, before anything is
// signed or validated: the audience is 1 to MaxAudienceBytes bytes and
// the nonce is at least NonceSize bytes in unpadded base64url.
func CheckRequest(audience, nonce string) error {
	if audience == "" || len(audience) > MaxAudienceBytes {
		return fmt.Errorf("audience must be 1 to %d bytes", MaxAudienceBytes)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(nonce)
	if err != nil || len(b) < NonceSize {
		return fmt.Errorf("nonce must be at least %d bytes in unpadded base64url", NonceSize)
	}
	return nil
}
