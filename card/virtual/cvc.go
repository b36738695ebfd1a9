package virtual

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"

	"github.com/mynacard/mynacard/apdu"
)

// Card-verifiable certificates (docs/card.md, "Card-verifiable
// certificates"): 7F21 { 5F4E { issuer key ID ‖ subject key ID ‖ 90 e ‖
// 91 n }, 5F37 signature }, the signature RSA PKCS#1 v1.5 with SHA-256
// over the 5F4E value (its tag and length are not signed).
const (
	// cvKeyIDSize is the size of the issuer and subject key IDs.
	cvKeyIDSize = 16
	// cvModulusSize is the modulus size of every CV key (RSA-2048).
	cvModulusSize = 256
	// cvBodySize is the size of the 5F4E value: two key IDs, 90 03 e and
	// 91 82 0100 n.
	cvBodySize = 2*cvKeyIDSize + 5 + 4 + cvModulusSize
)

// Key ID layout of a CV key (docs/card.md, "Card-verifiable certificates"):
// seven ASCII digits naming the key, 08 05, three ASCII digits, 00 00 00,
// and one final byte.
const (
	cvKeyIDMarker  = "\x08\x05"
	cvKeyIDVersion = "001"
	cvKeyIDPadding = "\x00\x00\x00"
	// cvKeyIDFinalMFChain is the final byte of the MF-level chain CA's key
	// ID; cvKeyIDFinalApp that of the application CAs.
	cvKeyIDFinalMFChain byte = 0xA8
	cvKeyIDFinalApp     byte = 0x00
)

// The virtual card's own CV CA keys (cvca/README.md): test data, never a
// production key.
const (
	cvcaMFChain = "9000020" // signs GET DATA 00F8
	cvcaSurface = "9000023" // signs surface EF 0004
	cvcaText    = "9000033" // signs text EF 0004
)

// cvcaFiles are the committed CV private keys: the three CA keys
// (cv-ca-DIGITS.key.pem) and the MF chain's intermediate and card keys
// (cv-DIGITS.key.pem).
//
//go:embed cvca/*.key.pem
var cvcaFiles embed.FS

// cvKeyID returns the 16-byte key ID of the CV key named by its seven
// digits, with the given final byte.
func cvKeyID(digits string, final byte) [cvKeyIDSize]byte {
	var id [cvKeyIDSize]byte
	b := append([]byte(digits), cvKeyIDMarker+cvKeyIDVersion+cvKeyIDPadding...)
	copy(id[:], b)
	id[cvKeyIDSize-1] = final
	return id
}

// cvcaKey loads one of the virtual card's CV CA private keys by its seven
// digits (cvcaMFChain, cvcaSurface, cvcaText).
func cvcaKey(digits string) (*rsa.PrivateKey, error) {
	return loadCVKey("cv-ca-" + digits + ".key.pem")
}

// cvKey loads one of the MF chain's committed keys by its seven digits
// (mfIntermediateDigits, mfCardKeyDigits).
func cvKey(digits string) (*rsa.PrivateKey, error) {
	return loadCVKey("cv-" + digits + ".key.pem")
}

// loadCVKey loads and checks the committed RSA-2048 key cvca/name.
func loadCVKey(name string) (*rsa.PrivateKey, error) {
	raw, err := cvcaFiles.ReadFile("cvca/" + name)
	if err != nil {
		return nil, fmt.Errorf("loading CV key cvca/%s: %w", name, err)
	}
	blk, _ := pem.Decode(raw)
	if blk == nil {
		return nil, fmt.Errorf("loading CV key cvca/%s: no PEM block", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("loading CV key cvca/%s: %w", name, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok || rk.N.BitLen() != 8*cvModulusSize {
		return nil, fmt.Errorf("loading CV key cvca/%s: not an RSA-2048 key", name)
	}
	return rk, nil
}

// cvcBody returns the 297-byte 5F4E value: issuer and subject key IDs,
// 90 exponent and 91 modulus (256 bytes, left-padded). It fails unless pub
// is RSA-2048.
func cvcBody(issuerKeyID, subjectKeyID [cvKeyIDSize]byte, pub *rsa.PublicKey) ([]byte, error) {
	if pub == nil || pub.N == nil || pub.N.BitLen() != 8*cvModulusSize {
		return nil, errors.New("card-verifiable certificate key is not RSA-2048")
	}
	body := make([]byte, 0, cvBodySize)
	body = append(body, issuerKeyID[:]...)
	body = append(body, subjectKeyID[:]...)
	body = apdu.AppendTLV(body, tagRSAExponent, big.NewInt(int64(pub.E)).Bytes())
	body = apdu.AppendTLV(body, tagRSAModulus, pub.N.FillBytes(make([]byte, cvModulusSize)))
	if len(body) != cvBodySize {
		return nil, fmt.Errorf("card-verifiable certificate body of %d bytes, want %d", len(body), cvBodySize)
	}
	return body, nil
}

// cvcContents returns the contents of a CVC's 7F21 template: the 5F4E TLV
// and the 5F37 TLV holding signer's PKCS#1 v1.5 SHA-256 signature over
// the 5F4E value. GET DATA answers in this form.
func cvcContents(issuerKeyID, subjectKeyID [cvKeyIDSize]byte, pub *rsa.PublicKey, signer *rsa.PrivateKey) ([]byte, error) {
	if signer == nil {
		return nil, errors.New("card-verifiable certificate without a signer")
	}
	body, err := cvcBody(issuerKeyID, subjectKeyID, pub)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(body)
	sig, err := rsa.SignPKCS1v15(rand.Reader, signer, crypto.SHA256, h[:])
	if err != nil {
		return nil, fmt.Errorf("signing card-verifiable certificate: %w", err)
	}
	out := apdu.AppendTLV(nil, tagCVCBody, body)
	return apdu.AppendTLV(out, tagCVCSignature, sig), nil
}

// encodeCVC returns a whole card-verifiable certificate, the 568-byte
// 7F21 TLV that an application's EF 0004 holds, or nil when pub is not
// RSA-2048 or signer cannot sign.
func encodeCVC(issuerKeyID, subjectKeyID [cvKeyIDSize]byte, pub *rsa.PublicKey, signer *rsa.PrivateKey) []byte {
	inner, err := cvcContents(issuerKeyID, subjectKeyID, pub, signer)
	if err != nil {
		return nil
	}
	return apdu.AppendTLV(nil, tagCVC, inner)
}
