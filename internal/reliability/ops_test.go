package reliability

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// errWrongAnswer marks a result that came back without an error but is not
// what the card holds: the one outcome the matrix must never see.
var errWrongAnswer = errors.New("wrong answer")

// errRefused marks a confirmation that completed (and was recorded) with a
// refusal verdict because the card's answer did not verify: an honest "no",
// not a wrong answer.
var errRefused = errors.New("completed with a refusal")

// refusal returns errRefused for an honest refusal verdict (the signature
// or the certificate chain did not verify), nil for OK, and a wrong-answer
// error for anything else.
func refusal(v confirm.Verdict) error {
	switch {
	case v.OK:
		return nil
	case v.Refusal == confirm.RefusalSignature || v.Refusal == confirm.RefusalChain:
		return fmt.Errorf("%w: %s", errRefused, v.Refusal)
	}
	return wrong("verdict %+v", v)
}

// opEnv is what an operation runs against: a connected card, its JPKI
// application opened with a tracing hook, and the world.
type opEnv struct {
	rc reader.Card
	j  *card.JPKI
	w  *world
}

// operation is one thing a user of the library does with the card. run
// returns errWrongAnswer (wrapped) when the call succeeded with a result
// that differs from the card's contents.
type operation struct {
	name string
	// records is true for operations that append a confirmation record
	// when they complete.
	records bool
	run     func(ctx context.Context, e *opEnv) error
}

var cmsData = []byte("reliability campaign: CMS content")

func wrong(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errWrongAnswer}, args...)...)
}

func sameBytes(what string, got, want []byte) error {
	if !bytes.Equal(got, want) {
		return wrong("%s: got %d bytes, want the card's %d", what, len(got), len(want))
	}
	return nil
}

func operations() []operation {
	readCert := func(k card.KeyKind, ca bool, want func(*world) []byte) func(context.Context, *opEnv) error {
		return func(ctx context.Context, e *opEnv) error {
			read, name := e.j.ReadCertificate, k.String()+" certificate"
			if ca {
				read, name = e.j.ReadCACertificate, k.String()+" CA certificate"
			}
			der, err := read(ctx, k)
			if err != nil {
				return err
			}
			return sameBytes(name, der, want(e.w))
		}
	}
	pinStatus := func(k card.PINKind, want int) func(context.Context, *opEnv) error {
		return func(ctx context.Context, e *opEnv) error {
			n, err := e.j.PINStatus(ctx, k)
			if err != nil {
				return err
			}
			// RemainingUnknown is an honest "the card did not say".
			if n != want && n != card.RemainingUnknown {
				return wrong("%v tries = %d, want %d", k, n, want)
			}
			return nil
		}
	}
	sign := func(k card.KeyKind) func(context.Context, *opEnv) error {
		return func(ctx context.Context, e *opEnv) error {
			d := sha256.Sum256([]byte("reliability " + k.String()))
			di, err := jpki.DigestInfo(crypto.SHA256, d[:])
			if err != nil {
				return err
			}
			sig, err := e.j.Sign(ctx, k, e.w.prompt, di)
			if err != nil {
				return err
			}
			pub := &e.w.holder.AuthKey.PublicKey
			if k == card.SignKey {
				pub = &e.w.holder.SignKey.PublicKey
			}
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig); err != nil {
				return wrong("%v signature does not verify: %v", k, err)
			}
			return nil
		}
	}
	return []operation{
		{name: "detect", run: func(ctx context.Context, e *opEnv) error {
			typ, label, err := card.Detect(ctx, e.rc)
			if err != nil {
				return err
			}
			if typ != card.MyNumberCard || label != jpkitest.TokenMyNumberCard {
				return wrong("detect = %v %q", typ, label)
			}
			return nil
		}},
		{name: "cert/auth", run: readCert(card.AuthKey, false, func(w *world) []byte { return w.contents.AuthCert })},
		{name: "cert/authca", run: readCert(card.AuthKey, true, func(w *world) []byte { return w.contents.AuthCACert })},
		{name: "cert/signca", run: readCert(card.SignKey, true, func(w *world) []byte { return w.contents.SignCACert })},
		{name: "cert/sign+verify", run: func(ctx context.Context, e *opEnv) error {
			c, err := jpki.ReadSignCertificate(ctx, e.j, e.w.prompt)
			if err != nil {
				return err
			}
			return sameBytes("signing certificate", c.Raw, e.w.contents.SignCert)
		}},
		{name: "verify/auth", run: func(ctx context.Context, e *opEnv) error {
			der, err := e.j.ReadCertificateWithPIN(ctx, card.AuthKey, e.w.prompt)
			if err != nil {
				return err
			}
			return sameBytes("auth certificate", der, e.w.contents.AuthCert)
		}},
		{name: "pinchange/auth", run: func(ctx context.Context, e *opEnv) error {
			// To the same value, so that every outcome leaves the card's
			// PIN as it was (VERIFY, then CHANGE REFERENCE DATA).
			return e.j.ChangePIN(ctx, card.AuthPIN, e.w.prompt, e.w.prompt)
		}},
		{name: "pinstatus/auth", run: pinStatus(card.AuthPIN, 3)},
		{name: "pinstatus/sign", run: pinStatus(card.SignPIN, 5)},
		{name: "sign/auth", run: sign(card.AuthKey)},
		{name: "sign/sign", run: sign(card.SignKey)},
		{name: "cms", run: func(ctx context.Context, e *opEnv) error {
			s, err := jpki.NewSigner(ctx, e.j, card.SignKey, e.w.signCert, e.w.prompt)
			if err != nil {
				return err
			}
			sig, err := jpki.SignCMS(cmsData, s, s.Certificate().Certificate, nil, jpki.CMSOptions{SigningTime: jpkitest.ReferenceTime()})
			if err != nil {
				return err
			}
			if _, err := jpki.VerifyCMS(sig, nil, e.w.roots, jpki.VerifyOptions{Time: jpkitest.ReferenceTime()}); err != nil {
				return wrong("CMS signature does not verify: %v", err)
			}
			return nil
		}},
		{name: "text", run: func(ctx context.Context, e *opEnv) error {
			r, err := e.j.Text().ReadText(ctx, card.TextPIN, e.w.prompt)
			if err != nil {
				return err
			}
			if r.Number.Reveal() != e.w.contents.Number || r.Basic.Name != e.w.contents.Name ||
				r.Basic.Address != e.w.contents.Address || r.Basic.BirthDate.Format("20060102") != e.w.contents.BirthDate {
				return wrong("text record differs from the card's")
			}
			// ReadText cannot tell a SELECT answered 9000 without effect
			// (no FCI is asked) or EF 0003/0004 answered 6A82 from the
			// real thing; Verify does, and callers must call it. Its error
			// is an honest answer; passing it with the wrong data (caught
			// above) would not be.
			keys, err := card.NewCVCAKeys(card.WithTestCVCAKeys())
			if err != nil {
				return err
			}
			if _, err := r.Verify(keys); err != nil {
				return fmt.Errorf("verifying text integrity: %w", err)
			}
			return nil
		}},
		{name: "face", run: func(ctx context.Context, e *opEnv) error {
			s, err := e.j.Surface().ReadSurfaceWithTextPIN(ctx, e.w.prompt)
			if err != nil {
				return err
			}
			if err := sameBytes("face photo", s.FacePhoto, e.w.contents.FacePhoto); err != nil {
				return err
			}
			if s.BirthDate != e.w.contents.BirthDate || s.Expiry != e.w.contents.Expiry {
				return wrong("surface dates differ")
			}
			keys, err := card.NewCVCAKeys(card.WithTestCVCAKeys())
			if err != nil {
				return err
			}
			if _, err := s.Verify(keys); err != nil {
				return fmt.Errorf("verifying the card face: %w", err)
			}
			return nil
		}},
		{name: "identify", records: true, run: func(ctx context.Context, e *opEnv) error {
			id, err := e.w.conf.Identify(ctx, e.j, confirm.IdentifyOptions{Key: card.SignKey, Prompt: e.w.prompt})
			if err != nil {
				return err
			}
			if err := refusal(id.Verdict); err != nil {
				return err
			}
			if id.Attributes == nil || id.Attributes.Name != e.w.contents.Name || id.RecordSeq == 0 {
				return wrong("identification %+v", id.Verdict)
			}
			return nil
		}},
		{name: "qualify", records: true, run: func(ctx context.Context, e *opEnv) error {
			q, err := e.w.conf.Qualify(ctx, e.j, confirm.QualifyOptions{Prompt: e.w.prompt})
			if err != nil {
				return err
			}
			if err := refusal(q.Verdict); err != nil {
				return err
			}
			if q.Eligibility == nil || q.Eligibility.Status != 1 || q.RecordSeq == 0 {
				return wrong("qualification %+v %+v", q.Verdict, q.Eligibility)
			}
			return nil
		}},
	}
}
