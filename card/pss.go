package card

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"

	"github.com/mynacard/mynacard/apdu"
)

// p1SignPrehashedPSS is SIGN's P1 for RSASSA-PSS over a SHA-256 hash the
// host computed. Reported by one source that tried every P1 on a card
// [one card]; the salt length the card uses is not known.
const p1SignPrehashedPSS byte = 0x04

// RSAPSS is RSASSA-PSS made by the RSA card (SIGN P1 = 04): the host
// sends a 32-byte SHA-256 hash, the card encodes and signs it, and answers
// Size bytes. Only one source reports the mode, so it is used only with
// Options.RSAPSS; verify its signatures with rsa.PSSSaltLengthAuto.
type RSAPSS struct {
	// Size is the modulus length in bytes (256 for RSA-2048).
	Size int
}

// Name implements SignatureScheme.
func (s RSAPSS) Name() string { return fmt.Sprintf("RSA-%d PSS SHA-256", s.Size*8) }

// Input returns digest, which must be a SHA-256 hash: the card's PSS
// mode knows no other.
func (s RSAPSS) Input(h crypto.Hash, digest []byte) ([]byte, error) {
	if h != crypto.SHA256 || len(digest) != sha256.Size {
		return nil, fmt.Errorf("%w: the card's RSA-PSS signs a SHA-256 hash only (got %v, %d bytes)", ErrSignInput, h, len(digest))
	}
	return digest, nil
}

// Command implements SignatureScheme.
func (s RSAPSS) Command(data []byte) apdu.Command {
	return apdu.Command{CLA: claProprietary, INS: apdu.InsComputeSignature, P1: p1SignPrehashedPSS, P2: p2SignSelectedKey, Data: data, Ne: apdu.MaxShortNe}
}

// Output checks that the answer is Size bytes.
func (s RSAPSS) Output(answer []byte) ([]byte, error) { return RSAPKCS1v15(s).Output(answer) }

// PSSSchemeFor returns the RSA-PSS scheme for pub, an RSA key of at least
// MinRSABits, when Options.RSAPSS allows the card's PSS mode; otherwise
// ErrUnsupportedKey.
func (j *JPKI) PSSSchemeFor(pub crypto.PublicKey) (SignatureScheme, error) {
	k, ok := pub.(*rsa.PublicKey)
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: RSA-PSS needs an RSA key, not %T", ErrUnsupportedKey, pub)
	case k.N.BitLen() < MinRSABits:
		return nil, fmt.Errorf("%w: RSA-%d", ErrUnsupportedKey, k.N.BitLen())
	case !j.c.opts.RSAPSS:
		return nil, fmt.Errorf("%w: the card's RSA-PSS mode needs Options.RSAPSS (reported by one source only)", ErrUnsupportedKey)
	}
	return RSAPSS{Size: k.Size()}, nil
}
