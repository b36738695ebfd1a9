package confirm_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
)

// TestCombinedRevocationChecker runs a registration-change check through
// the revocation package's own fail-closed Combined checker over a CRLSet
// loaded with a jpkitest-written CRL.
func TestCombinedRevocationChecker(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	h := jpkitest.DefaultHolder()
	clock := func() time.Time { return e.now }
	issuers := append(e.pki.Roots(card.SignKey), e.pki.Roots(card.AuthKey)...)
	set := revocation.NewCRLSet(issuers, revocation.CRLSetOptions{Now: clock})
	for _, kind := range []card.KeyKind{card.SignKey, card.AuthKey} {
		root, key := e.pki.Root(kind, jpkitest.LatestGeneration)
		var entries []jpkitest.CRLEntry
		if kind == card.SignKey {
			entries = []jpkitest.CRLEntry{{Serial: h.SignCert.SerialNumber, RevokedAt: e.now.Add(-time.Hour), Reason: int(revocation.ReasonAffiliationChanged)}}
		}
		var buf bytes.Buffer
		if _, err := jpkitest.WriteCRL(&buf, root, key, jpkitest.CRLOptions{Entries: entries, Synthetic: 1000}); err != nil {
			t.Fatal(err)
		}
		crl, err := revocation.ParseCRL(&buf, revocation.ParseOptions{Issuers: issuers, Source: kind.String()})
		if err != nil {
			t.Fatal(err)
		}
		if err := set.Add(crl); err != nil {
			t.Fatal(err)
		}
	}
	chk, err := revocation.NewCombined(revocation.ModeCRLOnly, nil, set)
	if err != nil {
		t.Fatal(err)
	}
	c := e.confirmer(func(c *confirm.Config) { c.Revocation = chk })

	id, err := c.Identify(ctx, cardOf(t, h, card.Options{}), confirm.IdentifyOptions{Key: card.AuthKey, Prompt: pin(jpkitest.DefaultAuthPIN)})
	if err != nil || !id.Verdict.OK || id.Verdict.Revocation.Status != confirm.RevocationGood {
		t.Fatalf("auth identification: %+v, %v", id, err)
	}
	id, err = c.Identify(ctx, cardOf(t, h, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN)})
	if err != nil || id.Verdict.OK || !id.Verdict.Revocation.RegistrationChanged {
		t.Fatalf("sign identification: %+v, %v", id.Verdict, err)
	}
}
