package revocation

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// refTime is the verification time of every test.
var refTime = jpkitest.ReferenceTime()

func fixedNow() time.Time { return refTime }

// testPKI is the shared default test hierarchy.
func testPKI() *jpkitest.PKI { return jpkitest.Default() }

func signRoot(gen int) (*x509.Certificate, crypto.Signer) {
	return testPKI().Root(card.SignKey, gen)
}

func signRoots() []*x509.Certificate { return testPKI().Roots(card.SignKey) }

// eeKey is one P-256 key shared by every test end-entity certificate:
// revocation is about serials, and RSA key generation is slow.
var eeKey = func() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}()

// issueCert issues a signing-shaped end-entity certificate with serial
// from the generation-gen signing root, with a CRL distribution point for
// prefecture/city (none when city is empty).
func issueCert(t testing.TB, gen int, serial *big.Int, prefecture, city string) *x509.Certificate {
	t.Helper()
	root, key := signRoot(gen)
	tmpl := &x509.Certificate{
		SerialNumber:   serial,
		Subject:        pkix.Name{Country: []string{"JP"}, CommonName: "TEST" + serial.Text(16)},
		NotBefore:      refTime.Add(-365 * 24 * time.Hour),
		NotAfter:       refTime.Add(365 * 24 * time.Hour),
		KeyUsage:       x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		AuthorityKeyId: root.SubjectKeyId,
	}
	if city != "" {
		tmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 31},
			Value: crldpValue(t, jpkitest.CRLDistributionPointName(card.SignKey, prefecture, city))}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, root, &eeKey.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func crldpValue(t testing.TB, name pkix.RDNSequence) []byte {
	der, err := asn1.Marshal(name)
	if err != nil {
		t.Fatal(err)
	}
	ctx := func(n uint8) cbasn1.Tag { return cbasn1.Tag(n).ContextSpecific().Constructed() }
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(ctx(0), func(b *cryptobyte.Builder) {
				b.AddASN1(ctx(0), func(b *cryptobyte.Builder) {
					b.AddASN1(ctx(4), func(b *cryptobyte.Builder) { b.AddBytes(der) })
				})
			})
		})
	})
	return b.BytesOrPanic()
}

// makeCRL writes a CRL from the generation-gen signing root.
func makeCRL(t testing.TB, gen int, opts jpkitest.CRLOptions) []byte {
	t.Helper()
	root, key := signRoot(gen)
	var buf bytes.Buffer
	if _, err := jpkitest.WriteCRL(&buf, root, key, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func parse(t testing.TB, der []byte) (*CRL, error) {
	t.Helper()
	return ParseCRL(bytes.NewReader(der), ParseOptions{Issuers: signRoots(), Source: t.Name()})
}

func chiyoda() pkix.RDNSequence {
	return jpkitest.CRLDistributionPointName(card.SignKey, jpkitest.DefaultPrefecture, jpkitest.DefaultCity)
}
