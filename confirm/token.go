package confirm

import (
	"context"
	"errors"
	"fmt"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/token"
)

// ConsentRequest is what the holder is shown before a signing-key token is
// made: the service asking and the four basic details the signing
// certificate will release to it.
type ConsentRequest struct {
	Audience    string           `json:"audience"`
	Attributes  *card.Attributes `json:"attributes"`
	Certificate CertificateInfo  `json:"certificate"`
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

// MakeToken is the card side of a confirmation token (package token): it
// has the card sign token.DigestFor(algorithm of the certificate key,
// Audience, Nonce) and returns the token.
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
func MakeToken(ctx context.Context, j *card.JPKI, opts TokenOptions) (*token.Token, error) {
	key := opts.Key
	if key == 0 {
		key = card.AuthKey
	}
	if err := token.CheckRequest(opts.Audience, opts.Nonce); err != nil {
		return nil, fmt.Errorf("making token: %w", err)
	}
	digestFor := func(a jpki.SignatureAlgorithm) []byte { return token.DigestFor(string(a), opts.Audience, opts.Nonce) }
	var approve func(ctx context.Context, cert *jpki.Certificate) error
	switch key {
	case card.AuthKey:
	case card.SignKey:
		if opts.Consent == nil {
			return nil, fmt.Errorf("making token: %w", ErrConsentRequired)
		}
		approve = func(ctx context.Context, cert *jpki.Certificate) error {
			req := ConsentRequest{Audience: opts.Audience, Attributes: cert.Attributes, Certificate: certificateInfo(cert.Certificate, cert.Kind)}
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
	return &token.Token{Version: token.Version, Algorithm: string(sc.alg), Certificate: der, Signature: sig}, nil
}
