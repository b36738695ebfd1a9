package virtual

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"

	"github.com/mynacard/mynacard/apdu"
)

// WithSpeculativeECDSAKeys builds a *speculative* next-generation card:
// the JPKI signing and authentication key EFs (001A, 0017) hold ECDSA
// keys instead of Contents.SignKey and Contents.AuthKey, behind the same
// key operations (SELECT the key EF, VERIFY its PIN, SIGN). The next
// card's protocol is not published; this card answers the guess the host
// side makes (card.SpeculativeECDSA): SIGN `80 2A 00 80 Lc digest 00`
// with the bare digest as data (any other P1 is 6A86), answered with r ‖ s, each
// ECDSASignatureHalf(curve) bytes (the plain format of ISO/IEC 7816-8 and
// BSI TR-03111). Only P-256 and P-384 are accepted. Never the default: a
// card is RSA unless this option is given.
func WithSpeculativeECDSAKeys(sign, auth *ecdsa.PrivateKey) Option {
	return func(c *config) { c.ecSign, c.ecAuth = sign, auth }
}

// ECDSA digest lengths the speculative SIGN accepts: SHA-256, SHA-384 and
// SHA-512 outputs (the card is assumed not to hash).
var ecdsaDigestLens = map[int]bool{32: true, 48: true, 64: true}

// ECDSASignatureHalf is the length of r (and of s) in the speculative
// card's plain signature: the curve order's byte length.
func ECDSASignatureHalf(curve elliptic.Curve) int { return (curve.Params().N.BitLen() + 7) / 8 }

// layoutSpeculativeECDSA puts the WithSpeculativeECDSAKeys keys into the
// JPKI application's key EFs.
func (c *Card) layoutSpeculativeECDSA() error {
	if c.cfg.ecSign == nil && c.cfg.ecAuth == nil {
		return nil
	}
	var a *application
	for _, app := range c.apps {
		if app.aid == AIDJPKI {
			a = app
		}
	}
	if a == nil {
		return errors.New("no JPKI application for the ECDSA keys")
	}
	for _, k := range []struct {
		fid uint16
		key *ecdsa.PrivateKey
		pin PINRef
	}{{efJPKISignKey, c.cfg.ecSign, PINJPKISign}, {efJPKIAuthKey, c.cfg.ecAuth, PINJPKIAuth}} {
		if k.key == nil {
			continue
		}
		if k.key.Curve != elliptic.P256() && k.key.Curve != elliptic.P384() {
			return fmt.Errorf("ECDSA key for EF %04X on %s: only P-256 and P-384", k.fid, k.key.Curve.Params().Name)
		}
		a.add(&file{fid: k.fid, kind: kindKey, ecKey: k.key, keyPIN: k.pin})
	}
	return nil
}

// signECDSA is the speculative SIGN of an ECDSA key EF whose PIN is
// verified: data must be a digest, the answer is r ‖ s.
func (c *Card) signECDSA(cmd apdu.Command, f *file) apdu.Response {
	half := ECDSASignatureHalf(f.ecKey.Curve)
	switch {
	case cmd.P1 != byte(SignVerbatim):
		return status(swSignSchemeUnsupported) // the RSA variants have no ECDSA meaning here
	case len(cmd.Data) == 0:
		return status(apdu.SWWrongLength)
	case !ecdsaDigestLens[len(cmd.Data)]:
		return status(swSignInputTooLong)
	case cmd.Ne != signatureNeNone && cmd.Ne < 2*half:
		return status(swWrongLe | uint16((2*half)&0xFF))
	}
	der, err := ecdsa.SignASN1(rand.Reader, f.ecKey, cmd.Data)
	if err != nil {
		return status(swSignInputTooLong)
	}
	r, s, ok := parseECDSASig(der)
	if !ok {
		return status(swSignInputTooLong)
	}
	out := make([]byte, 2*half)
	r.FillBytes(out[:half])
	s.FillBytes(out[half:])
	return apdu.Response{Data: out, SW: apdu.SWOK}
}

// parseECDSASig reads SEQUENCE { INTEGER r, INTEGER s } as SignASN1
// writes it (short lengths: at most P-384 here).
func parseECDSASig(der []byte) (r, s *big.Int, ok bool) {
	if len(der) < 8 || der[0] != 0x30 || int(der[1]) != len(der)-2 {
		return nil, nil, false
	}
	rest := der[2:]
	read := func() *big.Int {
		if len(rest) < 2 || rest[0] != 0x02 || int(rest[1]) > len(rest)-2 {
			return nil
		}
		v := new(big.Int).SetBytes(rest[2 : 2+int(rest[1])])
		rest = rest[2+int(rest[1]):]
		return v
	}
	r, s = read(), read()
	return r, s, r != nil && s != nil && len(rest) == 0
}
