package jpkitest_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// The default holder, its certificates verified against the root of the
// generation that issued them.
func ExampleDefaultHolder() {
	h := jpkitest.DefaultHolder()
	pool := x509.NewCertPool()
	pool.AddCert(h.SignCA)
	_, err := h.SignCert.Verify(x509.VerifyOptions{
		Roots:       pool,
		CurrentTime: jpkitest.ReferenceTime(),
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	fmt.Println("verified:", err == nil)
	var issuer pkix.RDNSequence
	if _, err := asn1.Unmarshal(h.SignCert.RawIssuer, &issuer); err != nil {
		panic(err)
	}
	fmt.Println("issuer:", issuer) // RFC 4514 order: last RDN first
	fmt.Println("localities:", h.SignCert.Subject.Locality)
	fmt.Println("name:", h.Spec.Name)
	fmt.Println("PINs:", h.Spec.AuthPIN, h.Spec.SignPIN)
	// Output:
	// verified: true
	// issuer: OU=mynacard virtual test hierarchy - not for production,OU=Japan Agency for Local Authority Information Systems,OU=JPKI for digital signature,O=JPKI-TEST,C=JP
	// localities: [Tokyo-to Chiyoda-ku]
	// name: 山田　太郎
	// PINs: 1234 ABC123
}

// A holder of one's own, issued by the first-generation roots of a PKI
// made from a seed.
func ExamplePKI_Issue() {
	p, err := jpkitest.New("example")
	if err != nil {
		panic(err)
	}
	h, err := p.Issue(jpkitest.HolderSpec{
		Name:       "鈴木　一郎",
		Address:    "北海道札幌市中央区試験町1-2",
		BirthDate:  time.Date(1990, 12, 31, 0, 0, 0, 0, time.UTC),
		Sex:        card.SexMale,
		Number:     "123456789018",
		Prefecture: "Hokkaido",
		City:       "Sapporo-shi Chuo-ku",
		Generation: 1,
	})
	if err != nil {
		panic(err)
	}
	c := h.Contents()
	fmt.Println(c.Name, c.Address, c.BirthDate, c.Sex, c.Number)
	fmt.Println("照合番号B starts:", c.PINB[:10])
	root, _ := p.Root(card.SignKey, 1)
	fmt.Println("issued by generation 1:", h.SignCert.CheckSignatureFrom(root) == nil)
	// Output:
	// 鈴木　一郎 北海道札幌市中央区試験町１-２ 19901231 1 123456789018
	// 照合番号B starts: 0212312033
	// issued by generation 1: true
}

func ExampleCheckDigit() {
	d, _ := jpkitest.CheckDigit("12345678901")
	fmt.Printf("%c\n", d)
	// Output: 8
}
