package jpkitest

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
)

// cvcKeyIDBytes is the length of the key IDs in the text application's
// card-verifiable certificate (PROTOCOL.md: 16 bytes).
const cvcKeyIDBytes = 16

// cvcKeyID is the first 16 bytes of SHA-256 of the PKCS #1 public key.
// How the card derives its key IDs is not known: these are only stable
// and distinct.
func cvcKeyID(pub *rsa.PublicKey) []byte {
	h := sha256.Sum256(x509.MarshalPKCS1PublicKey(pub))
	return h[:cvcKeyIDBytes]
}
