package card_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// cardVariant is one combination of the answers docs/card.md marks unsure.
type cardVariant struct {
	eof      virtual.EndOfFileAnswer
	absent   byte
	blocked  virtual.BlockedQueryAnswer
	extended bool
}

func (v cardVariant) String() string {
	return fmt.Sprintf("eof=%s absent=%02X blocked=%04X extended=%v", v.eof, v.absent, uint16(v.blocked), v.extended)
}

func (v cardVariant) options() []virtual.Option {
	return []virtual.Option{virtual.WithEndOfFile(v.eof), virtual.WithPresenceAbsent(v.absent), virtual.WithBlockedQuery(v.blocked)}
}

// allVariants is every combination of every unsure answer.
func allVariants() []cardVariant {
	var out []cardVariant
	for _, eof := range virtual.EndOfFileAnswers {
		for _, absent := range virtual.PresenceAbsentValues {
			for _, blocked := range virtual.BlockedQueryAnswers {
				for _, ext := range []bool{false, true} {
					out = append(out, cardVariant{eof, absent, blocked, ext})
				}
			}
		}
	}
	return out
}

// TestJPKIInEveryUnsureVariant runs the library's JPKI operations against
// a virtual card in every combination of the unsure answers (end of file,
// EF 0008 for an absent certificate, empty VERIFY on a blocked PIN), on
// a short-APDU and an extended-length reader: none may fail.
func TestJPKIInEveryUnsureVariant(t *testing.T) {
	for _, v := range allVariants() {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			runJPKIOperations(t, v)
		})
	}
}

func runJPKIOperations(t *testing.T, v cardVariant) {
	ctx := context.Background()
	caps := reader.Capabilities{ExtendedLength: v.extended}
	h := defaultHolder()

	f := newFixture(t, fixtureConfig{vopts: v.options(), caps: caps})
	if f.j.Type() != card.MyNumberCard {
		t.Fatalf("Type = %v", f.j.Type())
	}
	if tok, err := f.j.Token(ctx); err != nil || tok != jpkitest.TokenMyNumberCard {
		t.Errorf("Token = %q, %v", tok, err)
	}
	p, err := f.j.Present(ctx)
	if err != nil || !p.SignCert || !p.SignCACert || !p.AuthCert || !p.AuthCACert || p.Odd != "" {
		t.Errorf("Present = %+v, %v", p, err)
	}
	for _, c := range []struct {
		f    certEF
		want []byte
	}{{authCertEF, h.AuthCert.Raw}, {authCACertEF, h.AuthCA.Raw}, {signCACertEF, h.SignCA.Raw}} {
		if der, err := readCertEF(ctx, f.j, c.f); err != nil || !bytes.Equal(der, c.want) {
			t.Errorf("ReadCertificate(%v): %d bytes, %v", c.f, len(der), err)
		}
	}
	der, err := f.j.ReadSignCertificate(ctx, pin(jpkitest.DefaultSignPIN).prompt)
	if err != nil || !bytes.Equal(der, h.SignCert.Raw) {
		t.Errorf("ReadSignCertificate: %d bytes, %v", len(der), err)
	}
	for _, k := range []struct {
		key  card.KeyKind
		pin  string
		cert *x509.Certificate
	}{{card.AuthKey, jpkitest.DefaultAuthPIN, h.AuthCert}, {card.SignKey, jpkitest.DefaultSignPIN, h.SignCert}} {
		if n, err := f.j.PINStatus(ctx, k.key.PIN()); err != nil || n <= 1 {
			t.Errorf("PINStatus(%v) = %d, %v", k.key.PIN(), n, err)
		}
		digest := sha256.Sum256([]byte("variant " + v.String()))
		info := append([]byte(sha256DigestInfoPrefix), digest[:]...)
		sig, err := f.j.Sign(ctx, k.key, pin(k.pin).prompt, info)
		if err != nil {
			t.Errorf("Sign(%v): %v", k.key, err)
			continue
		}
		if err := rsa.VerifyPKCS1v15(k.cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
			t.Errorf("Sign(%v): signature does not verify: %v", k.key, err)
		}
	}

	// A card without the signing certificate (a holder under 15): EF
	// 0008 carries the absent byte, Present asks EF 0001 and says so.
	f = newFixture(t, fixtureConfig{vopts: v.options(), caps: caps, contents: func(c *virtual.Contents) { c.SignCert = nil }})
	p, err = f.j.Present(ctx)
	if err != nil || p.SignCert || !p.SignCACert || !p.AuthCert || !p.AuthCACert || p.Odd == "" {
		t.Errorf("Present without the signing certificate = %+v, %v", p, err)
	}

	// A blocked authentication PIN: PINStatus and Sign both say blocked,
	// and the prompt is never asked.
	f = newFixture(t, fixtureConfig{vopts: append(v.options(), virtual.WithMaxTries(virtual.PINJPKIAuth, 1)),
		caps: caps, opts: card.Options{AllowLastTry: true}})
	if _, err := f.j.Sign(ctx, card.AuthKey, pin("9999").prompt, []byte{1}); !errors.Is(err, card.ErrPINBlocked) {
		t.Fatalf("Sign with a wrong last try: %v", err)
	}
	if n, err := f.j.PINStatus(ctx, card.AuthPIN); !errors.Is(err, card.ErrPINBlocked) {
		t.Errorf("PINStatus of a blocked PIN = %d, %v", n, err)
	}
	never := pin(jpkitest.DefaultAuthPIN)
	if _, err := f.j.Sign(ctx, card.AuthKey, never.prompt, []byte{1}); !errors.Is(err, card.ErrPINBlocked) {
		t.Errorf("Sign with a blocked PIN: %v", err)
	}
	if never.calls != 0 {
		t.Errorf("blocked PIN: prompt asked %d times", never.calls)
	}
	// The certificates stay readable.
	if der, err := f.j.ReadCertificate(ctx, card.AuthKey); err != nil || !bytes.Equal(der, h.AuthCert.Raw) {
		t.Errorf("ReadCertificate after blocking: %v", err)
	}
}

// sha256DigestInfoPrefix is the DER DigestInfo header of a SHA-256 hash
// (RFC 8017 §9.2 note 1).
const sha256DigestInfoPrefix = "\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20"

// TestPresenceForms runs Present against EF 0008 forms no card is known
// to hold: never an error, always the truth from the certificate EFs, and
// a note whenever the form was odd.
func TestPresenceForms(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		file    []byte
		wantOdd bool
	}{
		{"seen on a card", []byte{0x8F, 0x8F, 0x00}, false},
		{"third byte set", []byte{0x8F, 0x8F, 0x01}, false},
		{"four-byte 00/01 form", []byte{1, 1, 1, 1}, false},
		{"four-byte 8F form", []byte{0x8F, 0x8F, 0x00, 0x00}, true},
		{"one byte", []byte{0x8F}, true},
		{"garbage", []byte{0x12, 0x34, 0x56}, true},
		{"long", bytes.Repeat([]byte{0x8F}, 40), true},
		{"no EF 0008", nil, true},
	} {
		for _, eof := range virtual.EndOfFileAnswers {
			t.Run(tc.name+" "+eof.String(), func(t *testing.T) {
				f := newFixture(t, fixtureConfig{vopts: []virtual.Option{virtual.WithPresenceFile(tc.file), virtual.WithEndOfFile(eof)}})
				p, err := f.j.Present(ctx)
				if err != nil || !p.SignCert || !p.SignCACert || !p.AuthCert || !p.AuthCACert || (p.Odd != "") != tc.wantOdd {
					t.Errorf("Present = %+v, %v", p, err)
				}
			})
		}
	}
	// A four-byte form that says a certificate is absent is believed.
	f := newFixture(t, fixtureConfig{vopts: []virtual.Option{virtual.WithPresenceFile([]byte{0, 1, 1, 1})}})
	if p, err := f.j.Present(ctx); err != nil || p.SignCert || !p.AuthCert {
		t.Errorf("Present of 00 01 01 01 = %+v, %v", p, err)
	}
	// A removed card is an error, not an odd file.
	f = newFixture(t, fixtureConfig{vopts: []virtual.Option{virtual.WithFaults(virtual.RemoveAfter(4))}})
	if _, err := f.j.Present(ctx); !errors.Is(err, reader.ErrCardRemoved) {
		t.Errorf("Present on a removed card: %v", err)
	}
}
