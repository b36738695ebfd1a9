package jpki_test

import (
	"context"
	"fmt"
	"log"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// The same code signs with today's RSA-2048 card and with an ECDSA P-384
// card of the next generation: the algorithm comes from the certificate's
// key. The ECDSA card here is the virtual card's speculative one (the real
// card's commands are not published), allowed by card.Options.
func ExampleSigner_nextGenerationCard() {
	ctx := context.Background()
	h, err := jpkitest.Default().Issue(jpkitest.HolderSpec{Generation: jpkitest.ECDSAGeneration})
	if err != nil {
		log.Fatal(err)
	}
	vc, err := virtual.NewMyNumberCard(h.Contents(), h.VirtualOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	j, err := card.OpenJPKI(ctx, reader.Loopback("virtual", vc, reader.Capabilities{}), card.Options{SpeculativeECDSA: true})
	if err != nil {
		log.Fatal(err)
	}
	cert, err := jpki.ReadSignCertificate(ctx, j, fixedPIN(jpkitest.DefaultSignPIN))
	if err != nil {
		log.Fatal(err)
	}
	s, err := jpki.NewSigner(ctx, j, card.SignKey, cert, fixedPIN(jpkitest.DefaultSignPIN))
	if err != nil {
		log.Fatal(err)
	}
	sig, err := jpki.SignCMS([]byte("契約書"), s, cert.Certificate, nil, jpki.CMSOptions{Detached: true, SigningTime: jpkitest.ReferenceTime()})
	if err != nil {
		log.Fatal(err)
	}
	p := jpkitest.Default()
	roots, err := jpki.NewRoots(jpki.WithTestHierarchy(p.AllRoots(card.SignKey)...))
	if err != nil {
		log.Fatal(err)
	}
	v, err := jpki.VerifyCMS(sig, []byte("契約書"), roots, jpki.VerifyOptions{Time: jpkitest.ReferenceTime(), Kind: card.SignKey})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Algorithm(), v.Hash, v.Signer.Attributes.Name)
	// Output: ES384 SHA-384 山田　太郎
}
