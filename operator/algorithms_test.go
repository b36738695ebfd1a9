package operator_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/operator"
)

// TestRecordsAlgorithms seals and verifies a record chain, with every kind
// of tampering named, for each algorithm the card generations use: an
// RSA-2048 key (PKCS #1 v1.5) and an ECDSA P-384 key. The signature scheme
// follows the key; the record hash stays SHA-256.
func TestRecordsAlgorithms(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		key  crypto.Signer
	}{
		{"RSA-2048", jpkitest.DefaultHolder().TextCAKey}, // a derived test key: no RSA generation here
		{"ECDSA-P384", p384},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := operator.NewKey(tc.key, selfSigned(t, tc.key, "Clerk "+tc.name))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := k.Public().(*rsa.PublicKey); ok != (tc.name == "RSA-2048") {
				t.Fatalf("key type %T", k.Public())
			}
			testTamperDetection(t, k)
		})
	}
}
