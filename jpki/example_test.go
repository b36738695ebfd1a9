package jpki_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// openVirtualCard stands in for a reader: a virtual Individual Number Card
// holding the test PKI's default holder, reached through reader.Loopback.
// A program would get its reader.Card from reader/pcsc instead.
func openVirtualCard(ctx context.Context) *card.JPKI {
	vc, err := virtual.NewMyNumberCard(jpkitest.DefaultHolder().Contents())
	if err != nil {
		log.Fatal(err)
	}
	j, err := card.OpenJPKI(ctx, reader.Loopback("virtual", vc, reader.Capabilities{}), card.Options{})
	if err != nil {
		log.Fatal(err)
	}
	return j
}

// fixedPIN is a card.PINPrompt that answers one PIN. A program asks the
// holder instead (and is told how many tries remain).
func fixedPIN(pin string) card.PINPrompt {
	return func(ctx context.Context, k card.PINKind, remaining int) ([]byte, error) {
		return []byte(pin), nil
	}
}

// Reading the signing certificate (it needs the signing password) and the
// holder's attributes from its subjectAltName.
func ExampleReadSignCertificate() {
	ctx := context.Background()
	j := openVirtualCard(ctx)
	cert, err := jpki.ReadSignCertificate(ctx, j, fixedPIN(jpkitest.DefaultSignPIN))
	if err != nil {
		log.Fatal(err)
	}
	a := cert.Attributes
	fmt.Println("kind:", cert.Kind)
	fmt.Println("name:", a.Name)
	fmt.Println("family name:", a.FamilyName())
	fmt.Println("sex:", a.Sex)
	fmt.Println("born:", a.BirthDate.Format(time.DateOnly), a.FormatBirthDate())
	fmt.Println("address:", a.Address)
	// Output:
	// kind: sign
	// name: 山田　太郎
	// family name: 山田
	// sex: male
	// born: 1985-04-01 昭和60年4月1日
	// address: 東京都千代田区試験町１丁目２番３号
}

// Verifying the authentication certificate to a root. Here the root is the
// test hierarchy's, which the caller must opt into; a production program
// adds the J-LIS roots with Roots.AddFromCard or Roots.AddFile, which
// accept only certificates matching the pinned fingerprints.
func ExampleVerify() {
	ctx := context.Background()
	j := openVirtualCard(ctx)
	cert, err := jpki.ReadAuthCertificate(ctx, j)
	if err != nil {
		log.Fatal(err)
	}
	roots, err := jpki.NewRoots(jpki.WithTestHierarchy(jpkitest.Default().Roots(card.AuthKey)...))
	if err != nil {
		log.Fatal(err)
	}
	v, err := jpki.Verify(cert, roots, jpki.VerifyOptions{Time: jpkitest.ReferenceTime(), Kind: card.AuthKey})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("kind:", v.Kind)
	fmt.Println("generation:", v.Generation)
	fmt.Println("production:", v.Production)

	// The same certificate fails a production check.
	_, err = jpki.Verify(cert, roots, jpki.VerifyOptions{Time: jpkitest.ReferenceTime(), RequireProduction: true})
	fmt.Println("production check fails:", errors.Is(err, jpki.ErrTestRoot))
	// Output:
	// kind: auth
	// generation: 3
	// production: false
	// production check fails: true
}

// Signing with the authentication key through crypto.Signer.
func ExampleSigner() {
	ctx := context.Background()
	j := openVirtualCard(ctx)
	cert, err := jpki.ReadAuthCertificate(ctx, j)
	if err != nil {
		log.Fatal(err)
	}
	signer, err := jpki.NewSigner(ctx, j, card.AuthKey, cert, fixedPIN(jpkitest.DefaultAuthPIN))
	if err != nil {
		log.Fatal(err)
	}
	digest := sha256.Sum256([]byte("challenge from the server"))
	sig, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		log.Fatal(err)
	}
	err = rsa.VerifyPKCS1v15(signer.Public().(*rsa.PublicKey), crypto.SHA256, digest[:], sig)
	fmt.Println("signature bytes:", len(sig))
	fmt.Println("verifies:", err == nil)
	// Output:
	// signature bytes: 256
	// verifies: true
}

// A CMS signature with the signing key, and its verification.
func ExampleSignCMS() {
	ctx := context.Background()
	j := openVirtualCard(ctx)
	prompt := fixedPIN(jpkitest.DefaultSignPIN)
	cert, err := jpki.ReadSignCertificate(ctx, j, prompt)
	if err != nil {
		log.Fatal(err)
	}
	signer, err := jpki.NewSigner(ctx, j, card.SignKey, cert, prompt)
	if err != nil {
		log.Fatal(err)
	}
	doc := []byte("申請書")
	sig, err := jpki.SignCMS(doc, signer, cert.Certificate, nil,
		jpki.CMSOptions{Detached: true, SigningTime: jpkitest.ReferenceTime()})
	if err != nil {
		log.Fatal(err)
	}
	roots, err := jpki.NewRoots(jpki.WithTestHierarchy(jpkitest.Default().Roots(card.SignKey)...))
	if err != nil {
		log.Fatal(err)
	}
	v, err := jpki.VerifyCMS(sig, doc, roots, jpki.VerifyOptions{Time: jpkitest.ReferenceTime(), Kind: card.SignKey})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed by:", v.Signer.Attributes.Name)
	fmt.Println("signing time:", v.SigningTime.In(time.FixedZone("JST", 9*3600)).Format(time.DateTime))
	fmt.Println("root generation:", v.Verification.Generation)
	// Output:
	// signed by: 山田　太郎
	// signing time: 2026-04-01 12:00:00
	// root generation: 3
}
