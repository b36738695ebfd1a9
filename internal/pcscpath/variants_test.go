package pcscpath

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// TestJPKIUnsureVariants runs the JPKI operations through pcscd and vpcd
// against virtual cards that answer each way docs/card.md marks unsure.
// Every end-of-file answer, every EF 0008 byte for an absent certificate
// and every blocked-query answer appears at least once, on a short and an
// extended-length reader; package card's in-process table covers every
// combination.
func TestJPKIUnsureVariants(t *testing.T) {
	eofs, absents, blockeds := virtual.EndOfFileAnswers, virtual.PresenceAbsentValues, virtual.BlockedQueryAnswers
	n := max(len(eofs), len(absents), len(blockeds))
	for i := range n {
		eof, absent, blocked := eofs[i%len(eofs)], absents[i%len(absents)], blockeds[i%len(blockeds)]
		extended := i%2 == 1
		name := fmt.Sprintf("eof=%s absent=%02X blocked=%04X extended=%v", eof, absent, uint16(blocked), extended)
		opts := []virtual.Option{virtual.WithEndOfFile(eof), virtual.WithPresenceAbsent(absent), virtual.WithBlockedQuery(blocked)}
		h := jpkitest.DefaultHolder()
		digest, info := sha256Info(t, name)
		t.Run(name+"/no signing certificate, blocked PIN", func(t *testing.T) {
			// A card without the signing certificate, whose
			// authentication PIN has one try: EF 0008 carries the absent
			// byte, and the PIN gets blocked on purpose.
			r := newRig(t, rigConfig{extended: extended, opts: card.Options{AllowLastTry: true},
				cardOpts: append(opts, virtual.WithMaxTries(virtual.PINJPKIAuth, 1)),
				edit:     func(c *virtual.Contents) { c.SignCert = nil }})
			ctx := ctxT(t) // after the slot is ours: waiting for it is not the operations' time
			p, err := r.j.Present(ctx)
			if err != nil || p.SignCert || !p.AuthCert || !p.AuthCACert || !p.SignCACert || p.Odd == "" {
				t.Fatalf("Present = %+v, %v", p, err)
			}
			for _, c := range []struct {
				f    certEF
				want []byte
			}{{authCertEF, h.AuthCert.Raw}, {authCACertEF, h.AuthCA.Raw}, {signCACertEF, h.SignCA.Raw}} {
				if der, err := readCertEF(ctx, r.j, c.f); err != nil || !bytes.Equal(der, c.want) {
					t.Errorf("ReadCertificate(%v): %d bytes, %v", c.f, len(der), err)
				}
			}
			sig, err := r.j.Sign(ctx, card.AuthKey, answer(jpkitest.DefaultAuthPIN).ask, info)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if err := rsa.VerifyPKCS1v15(h.AuthCert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest, sig); err != nil {
				t.Errorf("signature: %v", err)
			}
			if _, err := r.j.Sign(ctx, card.AuthKey, answer("9999").ask, info); !errors.Is(err, card.ErrPINBlocked) {
				t.Fatalf("Sign with a wrong last try: %v", err)
			}
			if _, err := r.j.PINStatus(ctx, card.AuthPIN); !errors.Is(err, card.ErrPINBlocked) {
				t.Errorf("PINStatus of the blocked PIN: %v", err)
			}
			never := answer(jpkitest.DefaultAuthPIN)
			if _, err := r.j.Sign(ctx, card.AuthKey, never.ask, info); !errors.Is(err, card.ErrPINBlocked) || never.count() != 0 {
				t.Errorf("Sign with the blocked PIN: %v after %d prompts", err, never.count())
			}
		})
		// The full holder: every certificate, the signing one with its
		// password, and a signature with the signing key.
		t.Run(name+"/full holder", func(t *testing.T) {
			r := newRig(t, rigConfig{extended: extended, cardOpts: opts})
			ctx := ctxT(t)
			if p, err := r.j.Present(ctx); err != nil || !p.SignCert || !p.AuthCert || p.Odd != "" {
				t.Errorf("Present = %+v, %v", p, err)
			}
			der, sig, err := r.j.SignWithSignCertificate(ctx, answer(jpkitest.DefaultSignPIN).ask, info, nil)
			if err != nil || !bytes.Equal(der, h.SignCert.Raw) {
				t.Fatalf("SignWithSignCertificate: %d bytes, %v", len(der), err)
			}
			if err := rsa.VerifyPKCS1v15(h.SignCert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest, sig); err != nil {
				t.Errorf("signing-key signature: %v", err)
			}
		})
	}
}
