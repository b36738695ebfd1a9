package confirm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/token"
)

// exampleCard opens the virtual card of the default test holder.
func exampleCard() *card.JPKI {
	vc, err := virtual.NewMyNumberCard(jpkitest.DefaultHolder().Contents())
	if err != nil {
		panic(err)
	}
	j, err := card.OpenJPKI(context.Background(), reader.Loopback("virtual", vc, reader.Capabilities{}), card.Options{})
	if err != nil {
		panic(err)
	}
	return j
}

func exampleRoots() *jpki.Roots {
	p := jpkitest.Default()
	r, err := jpki.NewRoots(jpki.WithTestHierarchy(append(p.Roots(card.SignKey), p.Roots(card.AuthKey)...)...))
	if err != nil {
		panic(err)
	}
	return r
}

// A personal identification with the signing key. Without a revocation
// source the status is "unknown", never "good"; the soft policy accepts
// it and says so.
func ExampleConfirmer_Identify() {
	c, err := confirm.New(confirm.Config{
		Roots:            exampleRoots(),
		RevocationPolicy: revocation.PolicySoft,
		Now:              jpkitest.ReferenceTime,
	})
	if err != nil {
		panic(err)
	}
	prompt := func(context.Context, card.PINKind, int) ([]byte, error) { return []byte("ABC123"), nil }
	id, err := c.Identify(context.Background(), exampleCard(), confirm.IdentifyOptions{Prompt: prompt})
	if err != nil {
		panic(err)
	}
	fmt.Println("ok:", id.Verdict.OK, "signature:", id.Verdict.Signature.OK, "chain:", id.Verdict.Chain.OK, "production:", id.Verdict.Chain.Production)
	fmt.Println("revocation:", id.Verdict.Revocation.Status, id.Verdict.Revocation.Code)
	fmt.Println(id.Attributes.Name, id.Attributes.FormatBirthDate(), id.Attributes.Sex)
	fmt.Println(id.Attributes.Address)
	// Output:
	// ok: true signature: true chain: true production: false
	// revocation: unknown no_source
	// 山田　太郎 昭和60年4月1日 male
	// 東京都千代田区試験町１丁目２番３号
}

// A backend issues a challenge (package token), the card side answers it
// with the authentication key, and the backend validates the token once.
func ExampleMakeToken() {
	ctx := context.Background()
	now := jpkitest.ReferenceTime
	nonces := &token.MemoryNonces{Now: now}
	challenges := &token.Challenges{Nonces: nonces, Now: now}
	v := &token.Validator{Roots: exampleRoots(), Nonces: nonces, RevocationPolicy: revocation.PolicyOff, Now: now}
	const audience = "https://bank.example/login"

	ch, _ := challenges.Issue(ctx)
	tok, err := confirm.MakeToken(ctx, exampleCard(), confirm.TokenOptions{
		Key: card.AuthKey, Audience: audience, Nonce: ch.Nonce,
		Prompt: func(context.Context, card.PINKind, int) ([]byte, error) { return []byte("1234"), nil },
	})
	if err != nil {
		panic(err)
	}
	raw, _ := json.Marshal(tok) // what travels to the backend

	res, err := v.Validate(ctx, raw, audience, ch.Nonce, card.AuthKey)
	fmt.Println(res.Key, res != nil, err)
	_, err = v.Validate(ctx, raw, audience, ch.Nonce, card.AuthKey)
	fmt.Println(token.CodeOf(err))
	fmt.Println(ch.ExpiresAt.Sub(now()) == 5*time.Minute)
	// Output:
	// auth true <nil>
	// nonce_replayed
	// true
}

// The signing certificate's details against the text application's basic
// four: the text application writes the address with full-width digits,
// which is not a difference; a variant kanji is.
func ExampleCompareWithText() {
	h := jpkitest.DefaultHolder()
	cert, err := jpki.Parse(h.SignCert.Raw)
	if err != nil {
		panic(err)
	}
	basic := card.Attributes{
		Name: "山田　太郞", Address: "東京都千代田区試験町1丁目2番3号",
		BirthDate: time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC), Sex: card.SexMale,
	}
	cmp := confirm.CompareWithText(cert.Attributes, basic)
	fmt.Println("equal:", cmp.Equal)
	for _, f := range cmp.Fields {
		fmt.Println(f.Field, f.Status)
		for _, d := range f.Differences {
			fmt.Printf("  at %d: %s (certificate) vs %s (text), %s\n", d.Position.A, d.A, d.B, d.Kind)
		}
	}
	// Output:
	// equal: false
	// name differs
	//   at 4: 郎 (certificate) vs 郞 (text), kanji
	// address same
	// birth_date same
	// sex same
}
