package card

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/reader"
)

// SignatureScheme is how one card generation's private key turns a digest
// into a signature: what the host sends, in which command, and how the
// card's answer becomes the signature's standard encoding (the k bytes of
// an RSA signature; a DER ECDSA-Sig-Value for ECDSA). Everything above the
// card layer signs through a SignatureScheme and never builds a SIGN
// command itself, so a card generation with another protocol is added
// here, in one implementation of this interface.
//
// The schemes of this package are [RSAPKCS1v15] (the current card:
// `80 2A 00 80` over a DigestInfo), [RSAPSS] (the same card's PSS mode,
// `80 2A 04 80` over a SHA-256 hash, one source only) and
// [SpeculativeECDSA] (a guess at the next card, whose protocol is not
// published). [JPKI.SchemeFor] picks one from the certificate's public
// key; [JPKI.PSSSchemeFor] gives the PSS one.
type SignatureScheme interface {
	// Name names the scheme for errors and logs.
	Name() string
	// Input returns the command data for digest, the output of h. h may
	// be 0 where the scheme accepts input the caller prepared.
	Input(h crypto.Hash, digest []byte) ([]byte, error)
	// Command returns the SIGN command carrying data to the key EF
	// selected just before.
	Command(data []byte) apdu.Command
	// Output checks the card's answer and returns the signature in its
	// standard encoding.
	Output(answer []byte) ([]byte, error)
}

// Sentinel errors of the signature schemes.
var (
	// ErrUnsupportedKey reports a public key no scheme of this package
	// signs with: not RSA of at least MinRSABits, not ECDSA P-256 or
	// P-384, or ECDSA without Options.SpeculativeECDSA.
	ErrUnsupportedKey = errors.New("card: key type not supported by the card layer")
	// ErrSignInput reports a digest the scheme cannot sign: unknown hash,
	// wrong length, or a prepared input out of bounds.
	ErrSignInput = errors.New("card: unusable signing input")
)

// MinRSABits is the smallest RSA modulus the RSA scheme accepts.
const MinRSABits = 2048

// digestInfoPrefixes are the DER of DigestInfo ::= SEQUENCE {
// AlgorithmIdentifier { OID, NULL }, OCTET STRING (digest) } up to the
// digest (RFC 8017 §9.2 note 1). The card pads (SIGN P1 = 00), so it is
// sent a whole DigestInfo.
var digestInfoPrefixes = map[crypto.Hash][]byte{
	crypto.SHA1:   {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	crypto.SHA224: {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// DigestInfo returns the DER DigestInfo for digest under h (SHA-1,
// SHA-224, SHA-256, SHA-384 or SHA-512), checking the digest's length.
func DigestInfo(h crypto.Hash, digest []byte) ([]byte, error) {
	prefix, ok := digestInfoPrefixes[h]
	if !ok {
		return nil, fmt.Errorf("building DigestInfo: %w: hash %v", ErrSignInput, h)
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("building DigestInfo: %w: %d bytes for %v, want %d", ErrSignInput, len(digest), h, h.Size())
	}
	return append(append(make([]byte, 0, len(prefix)+len(digest)), prefix...), digest...), nil
}

// pkcs1Overhead is the minimum PKCS#1 v1.5 padding (RFC 8017 §9.2 step
// 3: emLen ≥ tLen + 11).
const pkcs1Overhead = 11

// RSAPKCS1v15 is the current card's scheme: the host sends a DER
// DigestInfo, the card pads it with PKCS#1 v1.5 and applies its RSA key
// (`80 2A 00 80 Lc DigestInfo 00`), and answers Size bytes.
type RSAPKCS1v15 struct {
	// Size is the modulus length in bytes (256 for RSA-2048).
	Size int
}

// Name implements SignatureScheme.
func (s RSAPKCS1v15) Name() string { return fmt.Sprintf("RSA-%d PKCS#1 v1.5", s.Size*8) }

// Input returns the DigestInfo of digest under h, or, for h = 0, digest
// itself as a DigestInfo the caller prepared (1 to Size−11 bytes).
func (s RSAPKCS1v15) Input(h crypto.Hash, digest []byte) ([]byte, error) {
	if h != 0 {
		return DigestInfo(h, digest)
	}
	if len(digest) == 0 || len(digest) > s.Size-pkcs1Overhead {
		return nil, fmt.Errorf("%w: DigestInfo of %d bytes, want 1..%d", ErrSignInput, len(digest), s.Size-pkcs1Overhead)
	}
	return digest, nil
}

// Command implements SignatureScheme: SIGN with P1 = 00 (the card pads).
func (s RSAPKCS1v15) Command(data []byte) apdu.Command {
	return apdu.Command{CLA: claProprietary, INS: apdu.InsComputeSignature, P1: p1SignPKCS1, P2: p2SignSelectedKey, Data: data, Ne: apdu.MaxShortNe}
}

// Output checks that the answer is Size bytes.
func (s RSAPKCS1v15) Output(answer []byte) ([]byte, error) {
	if len(answer) != s.Size {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrBadSignature, len(answer), s.Size)
	}
	return answer, nil
}

// SpeculativeECDSA is a guess at the next card's scheme, *speculative*:
// the task force settled ECDSA on a 384-bit curve with SHA-384, but the
// card's commands are not public. It assumes the same command as today
// (`80 2A 00 80`, after selecting the key EF), the bare digest as data
// (ECDSA needs no DigestInfo), and the plain r ‖ s answer of ISO/IEC
// 7816-8 and BSI TR-03111 (two big-endian integers of the curve's byte
// length), converted here to the DER ECDSA-Sig-Value X.509 and CMS use.
// When the protocol is published, this type is where it goes.
type SpeculativeECDSA struct {
	// Curve is P-256 or P-384.
	Curve elliptic.Curve
}

// p1SignSpeculativeECDSA is SIGN's P1 for SpeculativeECDSA: assumed to be
// the same 00 as the RSA card (*speculative*).
const p1SignSpeculativeECDSA byte = 0x00

// Name implements SignatureScheme.
func (s SpeculativeECDSA) Name() string {
	return "ECDSA " + s.Curve.Params().Name + " (speculative card protocol)"
}

// Input returns the digest itself, which must be a whole SHA-256, SHA-384
// or SHA-512 output (no prepared input).
func (s SpeculativeECDSA) Input(h crypto.Hash, digest []byte) ([]byte, error) {
	switch h {
	case crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		return nil, fmt.Errorf("%w: hash %v for ECDSA (SHA-256, SHA-384 or SHA-512)", ErrSignInput, h)
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("%w: %d bytes for %v, want %d", ErrSignInput, len(digest), h, h.Size())
	}
	return digest, nil
}

// Command implements SignatureScheme.
func (s SpeculativeECDSA) Command(data []byte) apdu.Command {
	return apdu.Command{CLA: claProprietary, INS: apdu.InsComputeSignature, P1: p1SignSpeculativeECDSA, P2: p2SignSelectedKey, Data: data, Ne: apdu.MaxShortNe}
}

// Output converts r ‖ s into DER, refusing any other length and zero or
// out-of-range integers.
func (s SpeculativeECDSA) Output(answer []byte) ([]byte, error) {
	n := (s.Curve.Params().BitSize + 7) / 8
	if len(answer) != 2*n {
		return nil, fmt.Errorf("%w: %d bytes, want %d (r ‖ s)", ErrBadSignature, len(answer), 2*n)
	}
	r := new(big.Int).SetBytes(answer[:n])
	sv := new(big.Int).SetBytes(answer[n:])
	order := s.Curve.Params().N
	if r.Sign() == 0 || sv.Sign() == 0 || r.Cmp(order) >= 0 || sv.Cmp(order) >= 0 {
		return nil, fmt.Errorf("%w: r or s out of range", ErrBadSignature)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(r)
		b.AddASN1BigInt(sv)
	})
	return b.Bytes()
}

// SchemeFor returns the scheme that signs for pub, a key from the card's
// certificate: RSAPKCS1v15 for RSA of at least MinRSABits, and, only with
// Options.SpeculativeECDSA, SpeculativeECDSA for P-256 and P-384. It is
// the one place where a key type is mapped to a card protocol.
func (j *JPKI) SchemeFor(pub crypto.PublicKey) (SignatureScheme, error) {
	return schemeFor(pub, j.c.opts.SpeculativeECDSA)
}

func schemeFor(pub crypto.PublicKey, speculative bool) (SignatureScheme, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < MinRSABits {
			return nil, fmt.Errorf("%w: RSA-%d, want at least %d bits", ErrUnsupportedKey, k.N.BitLen(), MinRSABits)
		}
		return RSAPKCS1v15{Size: k.Size()}, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return nil, fmt.Errorf("%w: ECDSA on %s", ErrUnsupportedKey, k.Curve.Params().Name)
		}
		if !speculative {
			return nil, fmt.Errorf("%w: ECDSA card keys need Options.SpeculativeECDSA (the protocol is not published)", ErrUnsupportedKey)
		}
		return SpeculativeECDSA{Curve: k.Curve}, nil
	}
	return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
}

// SignDigest signs digest, the output of h, with key under scheme (from
// SchemeFor). It checks the input before the card is touched, then in one
// transaction does what Sign does — select the JPKI application, read the
// tries, refuse the last one unless Options.AllowLastTry, ask prompt,
// check the PIN's format, VERIFY, select the key — and sends scheme's
// command. It returns the signature in its standard encoding. The PIN is
// wiped; a wrong PIN is a *PINError and nothing is retried. The
// signature is not verified here: the caller has the certificate.
func (j *JPKI) SignDigest(ctx context.Context, key KeyKind, prompt PINPrompt, scheme SignatureScheme, h crypto.Hash, digest []byte) ([]byte, error) {
	ef, ok := key.ef()
	if !ok {
		return nil, fmt.Errorf("signing: unknown key %d", int(key))
	}
	if scheme == nil {
		return nil, fmt.Errorf("signing with the %s: nil scheme", key.keyName())
	}
	data, err := scheme.Input(h, digest)
	if err != nil {
		return nil, fmt.Errorf("signing with the %s: %w", key.keyName(), err)
	}
	var sig []byte
	err = j.c.transact(ctx, "signing with the "+key.keyName(), func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidJPKI); err != nil {
			return err
		}
		if err := s.verify(ctx, key.PIN(), prompt); err != nil {
			return err
		}
		var err error
		sig, err = s.signScheme(ctx, ef, scheme, data)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sig, nil
}

// SignInput is called by SignWithSignCertificateFunc inside the card
// transaction, after the signing password was verified and the signing
// certificate read, with the certificate's DER and its parsed public key.
// It returns the scheme (JPKI.SchemeFor) and the digest of h to sign, or
// an error to stop before the SIGN (returned wrapped together with
// ErrNotApproved). It is where a caller picks the hash from the key and
// asks for consent.
type SignInput func(ctx context.Context, certDER []byte, pub crypto.PublicKey) (scheme SignatureScheme, h crypto.Hash, digest []byte, err error)

// SignWithSignCertificateFunc is SignWithSignCertificate for any card
// generation: one password entry, one transaction, the signing
// certificate read, then input decides what is signed and how. Every PIN
// rule of Sign applies.
func (j *JPKI) SignWithSignCertificateFunc(ctx context.Context, prompt PINPrompt, input SignInput) (certDER, sig []byte, err error) {
	if input == nil {
		return nil, nil, fmt.Errorf("signing with the %s: nil input", SignKey.keyName())
	}
	err = j.c.transact(ctx, "reading the signing certificate and signing", func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidJPKI); err != nil {
			return err
		}
		if err := s.verify(ctx, SignPIN, prompt); err != nil {
			return err
		}
		der, err := s.readCert(ctx, signCert)
		if err != nil {
			return err
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return fmt.Errorf("%w: signing certificate: %w: %w", ErrNotApproved, ErrMalformedRecord, err)
		}
		scheme, h, digest, err := input(ctx, der, c.PublicKey)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrNotApproved, err)
		}
		if scheme == nil {
			return fmt.Errorf("%w: nil scheme", ErrNotApproved)
		}
		data, err := scheme.Input(h, digest)
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		out, err := s.signScheme(ctx, efSignKey, scheme, data)
		if err != nil {
			return err
		}
		certDER, sig = der, out
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return certDER, sig, nil
}

// signScheme selects the key EF and sends scheme's SIGN after its PIN was
// verified in this session.
func (s *session) signScheme(ctx context.Context, keyEF uint16, scheme SignatureScheme, data []byte) ([]byte, error) {
	if err := s.selectEF(ctx, keyEF); err != nil {
		return nil, err
	}
	out, err := reader.Do(ctx, s.t, scheme.Command(data), false)
	if err != nil {
		return nil, fmt.Errorf("computing signature: %w", err)
	}
	sig, err := scheme.Output(out)
	if err != nil {
		return nil, fmt.Errorf("computing signature: %w", err)
	}
	return sig, nil
}
