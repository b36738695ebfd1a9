package pdf_test

import (
	"context"
	"crypto/x509"
	"fmt"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/pdftest"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/pdf"
)

// Sign a PDF at PAdES B-B and verify it. With a card, the signer is
// jpki.NewSigner(ctx, j, card.SignKey, cert, prompt) and Prepare runs
// before the card is touched, so the holder can be shown p.Pages and
// p.SHA256 before the PIN is asked.
func Example() {
	ctx := context.Background()
	h := jpkitest.DefaultHolder() // a test holder with a software key
	in := pdftest.FormPDF()

	p, err := pdf.Prepare(in, pdf.SignOptions{Reason: "申請書に署名します"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("pages:", p.Pages)
	signed, err := p.Sign(ctx, h.SignKey, h.SignCert, []*x509.Certificate{h.SignCA})
	if err != nil {
		fmt.Println(err)
		return
	}

	roots, _ := jpki.NewRoots(jpki.WithTestHierarchy(jpkitest.Default().Roots(card.SignKey)...))
	rep, err := pdf.Verify(ctx, signed, pdf.VerifyOptions{Roots: roots})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range rep.Signatures {
		fmt.Println(s.Field, s.Level, s.Valid(), s.Signer.Attributes.Name, s.Reason)
	}
	// Output:
	// pages: 1
	// Signature1 B-B true 山田　太郎 申請書に署名します
}
