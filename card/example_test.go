package card_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// exampleCard is the test holder's virtual card behind a short-APDU
// loopback reader.
func exampleCard() reader.Card {
	vc, err := virtual.NewMyNumberCard(defaultHolder().Contents())
	if err != nil {
		panic(err)
	}
	return reader.Loopback("virtual", vc, reader.Capabilities{})
}

// fixedPIN is a PINPrompt for examples; a program asks the user (see
// internal/pinentry) and shows how many tries remain.
func fixedPIN(pin string) card.PINPrompt {
	return func(_ context.Context, k card.PINKind, remaining int) ([]byte, error) {
		fmt.Printf("asked for the %s, %d tries left\n", k, remaining)
		return []byte(pin), nil
	}
}

func ExampleDetect() {
	typ, label, err := card.Detect(context.Background(), exampleCard())
	fmt.Println(typ, label, err)
	// Output: Individual Number Card JPKIAPICCTOKEN2 <nil>
}

func ExampleJPKI_ReadCertificate() {
	ctx := context.Background()
	var n card.Counter
	j, err := card.OpenJPKI(ctx, exampleCard(), card.Options{Trace: n.Hook(nil)})
	if err != nil {
		panic(err)
	}
	n.Reset()
	der, err := j.ReadCertificate(ctx, card.AuthKey)
	if err != nil {
		panic(err)
	}
	st := n.Stats()
	fmt.Println(len(der) == len(defaultHolder().AuthCert.Raw), st.APDUs == 2+(len(der)+255)/256)
	// Output: true true
}

func ExampleJPKI_Sign() {
	ctx := context.Background()
	j, err := card.OpenJPKI(ctx, exampleCard(), card.Options{})
	if err != nil {
		panic(err)
	}
	digest := sha256.Sum256([]byte("hello"))
	sha256Prefix := []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
	sig, err := j.Sign(ctx, card.AuthKey, fixedPIN(jpkitest.DefaultAuthPIN), append(sha256Prefix, digest[:]...))
	if err != nil {
		panic(err)
	}
	der, _ := j.ReadCertificate(ctx, card.AuthKey)
	cert, _ := x509.ParseCertificate(der)
	fmt.Println(rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig) == nil)
	// Output:
	// asked for the user-authentication PIN, 3 tries left
	// true
}

func ExampleJPKI_PINStatus() {
	ctx := context.Background()
	j, err := card.OpenJPKI(ctx, exampleCard(), card.Options{})
	if err != nil {
		panic(err)
	}
	for _, k := range []card.PINKind{card.AuthPIN, card.SignPIN, card.TextPIN} {
		n, err := j.PINStatus(ctx, k)
		fmt.Println(k, n, err)
	}
	// Output:
	// user-authentication PIN 3 <nil>
	// signing password 5 <nil>
	// text application PIN 3 <nil>
}

func ExampleTextApp_ReadNumber() {
	ctx := context.Background()
	j, err := card.OpenJPKI(ctx, exampleCard(), card.Options{})
	if err != nil {
		panic(err)
	}
	n, err := j.Text().ReadNumber(ctx, fixedPIN(jpkitest.DefaultAuthPIN))
	if err != nil {
		panic(err)
	}
	fmt.Println(n, len(n.Reveal()))
	// Output:
	// asked for the text application PIN, 3 tries left
	// ************ 12
}

func ExamplePINB() {
	birth := time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC)  // 昭和60年4月1日
	expiry := time.Date(2034, 4, 1, 0, 0, 0, 0, time.UTC) // printed on the card
	pinB, err := card.PINB(birth, expiry, "1234")
	fmt.Println(string(pinB), err)
	// Output: 60040120341234 <nil>
}

func ExampleJapaneseEra() {
	era, year, _ := card.JapaneseEra(time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(era, year)
	// Output: 令和 1
}

// Formatting a date in the Japanese era calendar.
func ExampleEra_Format() {
	d := time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)
	fmt.Println(card.EraReiwa.Format(d))
	fmt.Println(card.FormatJapaneseDate(time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)))
	fmt.Println(card.EraShowa.Format(time.Date(1989, 1, 7, 0, 0, 0, 0, time.UTC)))
	// Output:
	// 令和元年5月1日
	// 令和7年1月2日
	// 昭和64年1月7日
}

func ExampleSurfaceApp_ReadSurfaceWithTextPIN() {
	ctx := context.Background()
	j, err := card.OpenJPKI(ctx, exampleCard(), card.Options{})
	if err != nil {
		panic(err)
	}
	s, err := j.Surface().ReadSurfaceWithTextPIN(ctx, fixedPIN(jpkitest.DefaultAuthPIN))
	if err != nil {
		panic(err)
	}
	keys, err := card.NewCVCAKeys(card.WithTestCVCAKeys()) // the virtual card is a test card
	if err != nil {
		panic(err)
	}
	v, err := s.Verify(keys)
	if err != nil {
		panic(err)
	}
	fmt.Println(s.PhotoFormat, card.DetectImageFormat(s.NameImage), s.BirthDate)
	fmt.Println("verified to key", v.CAKey.Name(), "test:", v.CAKey.Test())
	// Output:
	// asked for the text application PIN, 3 tries left
	// JPEG 2000 JP2 file (.jp2) PNG 19850401
	// verified to key 9000023 test: true
}

func ExampleTextApp_ReadText() {
	ctx := context.Background()
	j, err := card.OpenJPKI(ctx, exampleCard(), card.Options{})
	if err != nil {
		panic(err)
	}
	// 照合番号B (era birth date, expiry year, security code) opens the
	// basic four only; the number is not read.
	pinB, _ := defaultHolder().PINB()
	rec, err := j.Text().ReadText(ctx, card.TextPINB, fixedPIN(pinB))
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.Has(card.TextNumberField), rec.Has(card.TextBasicField), rec.Basic.Name)
	// A production check refuses the virtual card's test key, by name.
	prod, _ := card.NewCVCAKeys()
	_, err = rec.Verify(prod)
	var cve *card.CVError
	fmt.Println(errors.As(err, &cve), cve.Reason.Code())
	// The test set verifies it, and says it is a test key.
	keys, _ := card.NewCVCAKeys(card.WithTestCVCAKeys())
	v, err := rec.Verify(keys)
	fmt.Println(v.CAKey.Name(), v.CAKey.Test(), v.BasicChecked, v.NumberChecked, err)
	// Output:
	// asked for the text application 照合番号B, 10 tries left
	// false true 山田　太郎
	// true test_key_under_production_check
	// 9000033 true true false <nil>
}
