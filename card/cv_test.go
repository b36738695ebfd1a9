package card_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// verifyAll reads and verifies the four signed records of a virtual card
// made with opts, returning each verification's error by record.
func verifyAll(t *testing.T, keys *card.CVCAKeys, edit func(*virtual.Contents), opts ...virtual.Option) map[string]error {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t, fixtureConfig{contents: edit, vopts: opts})
	number, _ := card.ParseNumber(f.h.Spec.Number)
	out := map[string]error{}
	rec, err := f.j.Text().ReadText(ctx, card.TextPIN, pin(jpkitest.DefaultAuthPIN).prompt)
	if err != nil {
		t.Fatal(err)
	}
	_, out["text"] = rec.Verify(keys)
	s, err := f.j.Surface().ReadSurface(ctx, card.SurfacePINA, pin(string(card.PINA(number))).prompt)
	if err != nil {
		t.Fatal(err)
	}
	_, out["face"] = s.Verify(keys)
	pinB, _ := f.h.PINB()
	age, err := f.j.Surface().ReadAge(ctx, pin(pinB[:6]).prompt)
	if err != nil {
		t.Fatal(err)
	}
	_, out["age"] = age.Verify(keys)
	img, err := f.j.Surface().ReadNumberImage(ctx, pin(string(card.PINA(number))).prompt)
	if err != nil {
		t.Fatal(err)
	}
	_, out["number image"] = img.Verify(keys)
	return out
}

func reasonOf(err error) card.CVReason {
	var cve *card.CVError
	if errors.As(err, &cve) {
		return cve.Reason
	}
	return 0
}

func TestCVVerification(t *testing.T) {
	testKeys := testCVKeys(t)
	prodKeys, err := card.NewCVCAKeys()
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyID := func(name string, last byte) []byte { return append([]byte(name+"\x08\x05001\x00\x00\x00"), last) }
	all := []string{"text", "face", "age", "number image"}
	surface := []string{"face", "age", "number image"}
	tests := []struct {
		name string
		keys *card.CVCAKeys
		edit func(*virtual.Contents)
		opts []virtual.Option
		want map[string]card.CVReason // records not listed must verify
	}{
		{name: "as issued", keys: testKeys},
		{name: "tampered record", keys: testKeys, opts: []virtual.Option{virtual.WithRecordFault(virtual.RecordTampered)},
			want: reasons(all, card.CVReasonTampered)},
		{name: "signed by the application key", keys: testKeys, opts: []virtual.Option{virtual.WithRecordFault(virtual.RecordSignedByAppKey)},
			// the text record carries no key of its own to tell it by
			want: merge(reasons(surface, card.CVReasonSignedByAppKey), reasons([]string{"text"}, card.CVReasonTampered))},
		{name: "CVC signed over the TLV", keys: testKeys, opts: []virtual.Option{virtual.WithRecordFault(virtual.CVCSignedOverTLV)},
			want: reasons(all, card.CVReasonCVCSignedOverTLV)},
		{name: "test key under production check", keys: prodKeys, want: reasons(all, card.CVReasonTestKey)},
		{name: "unknown CA", keys: testKeys, edit: func(c *virtual.Contents) {
			c.TextCAKey, c.TextCAKeyID = other, keyID("7000033", 0)
			c.SurfaceCAKey, c.SurfaceCAKeyID = other, keyID("7000023", 0)
		}, want: reasons(all, card.CVReasonUnknownCA)},
		{name: "production key ID, other signer", keys: prodKeys, edit: func(c *virtual.Contents) {
			c.TextCAKey, c.TextCAKeyID = other, keyID("5000033", 0)
			c.SurfaceCAKey, c.SurfaceCAKeyID = other, keyID("5000023", 0)
		}, want: reasons(all, card.CVReasonCAKeyMismatch)},
		{name: "test key ID, other signer", keys: testKeys, edit: func(c *virtual.Contents) {
			c.TextCAKey, c.TextCAKeyID = other, keyID("6000033", 0)
			c.SurfaceCAKey, c.SurfaceCAKeyID = other, keyID("6000023", 0)
		}, want: reasons(all, card.CVReasonBadCVCSignature)},
		{name: "CA key of the other application", keys: testKeys, edit: func(c *virtual.Contents) {
			sk, _ := virtual.CVCAKey(virtual.CVCASurface)
			tk, _ := virtual.CVCAKey(virtual.CVCAText)
			c.TextCAKey, c.TextCAKeyID = sk, virtual.CVCASurface.KeyID()
			c.SurfaceCAKey, c.SurfaceCAKeyID = tk, virtual.CVCAText.KeyID()
		}, want: reasons(all, card.CVReasonWrongUse)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := verifyAll(t, tt.keys, tt.edit, tt.opts...)
			for _, rec := range all {
				want, err := tt.want[rec], got[rec]
				if want == 0 {
					if err != nil {
						t.Errorf("%s: %v", rec, err)
					}
					continue
				}
				if r := reasonOf(err); r != want {
					t.Errorf("%s: reason %v (%v), want %v", rec, r, err, want)
				}
				if strings.Contains(strings.ToLower(err.Error()), "forg") {
					t.Errorf("%s: %v", rec, err)
				}
			}
		})
	}
}

func reasons(recs []string, r card.CVReason) map[string]card.CVReason {
	m := map[string]card.CVReason{}
	for _, rec := range recs {
		m[rec] = r
	}
	return m
}

func merge(a, b map[string]card.CVReason) map[string]card.CVReason {
	for k, v := range b {
		a[k] = v
	}
	return a
}

func TestCVErrorMatchesSentinels(t *testing.T) {
	for r, want := range map[card.CVReason]error{
		card.CVReasonTampered: card.ErrIntegrity, card.CVReasonSignedByAppKey: card.ErrIntegrity,
		card.CVReasonCVCSignedOverTLV: card.ErrIntegrity, card.CVReasonMalformed: card.ErrMalformedRecord,
		card.CVReasonNoRecord: card.ErrNoIntegrityRecord,
	} {
		if err := error(&card.CVError{Record: "x", Reason: r}); !errors.Is(err, want) || r.Code() == "" {
			t.Errorf("%v does not match %v", r, want)
		}
	}
	for _, r := range []card.CVReason{card.CVReasonUnknownCA, card.CVReasonTestKey, card.CVReasonCAKeyMismatch} {
		if err := error(&card.CVError{Record: "x", Reason: r}); errors.Is(err, card.ErrIntegrity) {
			t.Errorf("%v matches ErrIntegrity: an unknown or unconfirmed key is not a bad signature", r)
		}
	}
}

// TestPinnedCVCAKeys is the format test of the shipped key files: each
// parses as RSA-2048 with e = 65537 and has the key ID and modulus J-LIS's
// key list gives (first and last bytes), and the virtual card's three are
// the public halves of its committed private keys.
func TestPinnedCVCAKeys(t *testing.T) {
	keys, err := card.PinnedCVCAKeys()
	if err != nil {
		t.Fatal(err)
	}
	published := map[string]struct{ id, head, tail string }{
		"5000020": {"353030303032300805303031000000A8", "B62D081145D34ACE", "A0B63A3E83"},
		"5000023": {"35303030303233080530303100000000", "B2F740F0AD86D17C", "26F5F51F87"},
		"5000033": {"35303030303333080530303100000000", "D24615F63525E740", "9EE24E4F41597F"},
		"6000020": {"363030303032300805303031000000A8", "D0CB6303399EC867", "3A8D51402CC5"},
		"6000023": {"36303030303233080530303100000000", "E08CA1CAA0E58C5D", "DB49B9092D"},
		"6000033": {"36303030303333080530303100000000", "B1FE36BD147BF41B", "E40A4057C74D"},
	}
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k.Name()] = true
		if k.PublicKey.N.BitLen() != 2048 || k.PublicKey.E != 65537 {
			t.Errorf("%s: %d bits, e %d", k.Name(), k.PublicKey.N.BitLen(), k.PublicKey.E)
		}
		n := strings.ToUpper(hex.EncodeToString(k.PublicKey.N.Bytes()))
		if p, ok := published[k.Name()]; ok {
			if strings.ToUpper(hex.EncodeToString(k.ID[:])) != p.id || !strings.HasPrefix(n, p.head) || !strings.HasSuffix(n, p.tail) {
				t.Errorf("%s: ID %X, modulus %s…%s", k.Name(), k.ID, n[:16], n[len(n)-12:])
			}
			if k.Test() != (k.Name()[0] == '6') || (k.Source == card.CVSourceJLIS) != (k.Name()[0] == '5') {
				t.Errorf("%s: source %v", k.Name(), k.Source)
			}
			continue
		}
		role := map[string]virtual.CVCARole{"9000020": virtual.CVCAMF, "9000023": virtual.CVCASurface, "9000033": virtual.CVCAText}[k.Name()]
		priv, err := virtual.CVCAKey(role)
		if err != nil || !priv.PublicKey.Equal(k.PublicKey) || !bytes.Equal(k.ID[:], role.KeyID()) || !k.Test() || k.Source != card.CVSourceVirtual {
			t.Errorf("%s: not the virtual card's key (%v)", k.Name(), err)
		}
	}
	if len(seen) != 9 {
		t.Errorf("%d keys: %v", len(seen), seen)
	}
	prod, _ := card.NewCVCAKeys()
	test := testCVKeys(t)
	if len(prod.List()) != 3 || len(test.List()) != 9 || prod.TestKeys() || !test.TestKeys() {
		t.Errorf("production set %d keys, test set %d", len(prod.List()), len(test.List()))
	}
	for _, k := range prod.List() {
		if k.Test() {
			t.Errorf("production set holds test key %s", k.Name())
		}
	}
}

func TestSignChallengeProvesThePresentChip(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, fixtureConfig{})
	number, _ := card.ParseNumber(f.h.Spec.Number)
	s, err := f.j.Surface().ReadSurface(ctx, card.SurfacePINA, pin(string(card.PINA(number))).prompt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Verify(testCVKeys(t)); err != nil {
		t.Fatal(err)
	}
	challenge := make([]byte, 32)
	_, _ = rand.Read(challenge)
	f.cnt.reset()
	sig, err := f.j.Surface().SignChallenge(ctx, challenge)
	if err != nil {
		t.Fatal(err)
	}
	if f.cnt.count(0x20) != 0 {
		t.Error("SignChallenge sent a VERIFY")
	}
	if err := card.VerifyChallenge(s.PublicKey, challenge, sig); err != nil {
		t.Errorf("VerifyChallenge with DF24: %v", err)
	}
	challenge[0] ^= 1
	if err := card.VerifyChallenge(s.PublicKey, challenge, sig); !errors.Is(err, card.ErrIntegrity) {
		t.Errorf("VerifyChallenge of another challenge: %v", err)
	}
	// A card whose files were copied from this one but whose chip key
	// differs fails the check against the copied record's key.
	clone := newFixture(t, fixtureConfig{contents: func(c *virtual.Contents) { c.SurfaceAppKey = f.h.TextAppKey }})
	sig2, err := clone.j.Surface().SignChallenge(ctx, challenge)
	if err != nil {
		t.Fatal(err)
	}
	if err := card.VerifyChallenge(s.PublicKey, challenge, sig2); !errors.Is(err, card.ErrIntegrity) {
		t.Errorf("other chip's signature accepted: %v", err)
	}
	if _, err := f.j.Surface().SignChallenge(ctx, nil); err == nil {
		t.Error("empty challenge accepted")
	}
}

func TestReadAgeAndCVC(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, fixtureConfig{})
	pinB, _ := f.h.PINB()
	p := pin(pinB[:6])
	age, err := f.j.Surface().ReadAge(ctx, p.prompt)
	if err != nil {
		t.Fatal(err)
	}
	if p.kinds[0] != card.SurfaceBirthDate || p.remaining[0] != virtual.MaxTriesBirthDateKey || age.BirthDate != f.h.Contents().BirthDate {
		t.Errorf("ReadAge: %v %v %s", p.kinds, p.remaining, age.BirthDate)
	}
	p.assertWiped(t)
	if _, err := f.j.Surface().ReadAge(ctx, pin("12345").prompt); !errors.Is(err, card.ErrPINFormat) {
		t.Errorf("5-digit birth date: %v", err)
	}
	for _, read := range []func(context.Context) (*card.CVC, error){f.j.Text().ReadCVC, f.j.Surface().ReadCVC} {
		c, err := read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Raw) != 568 || len(c.Body) != 297 || c.IssuerKeyID.Name() == "" {
			t.Errorf("CVC of %d bytes, body %d, issuer %v", len(c.Raw), len(c.Body), c.IssuerKeyID)
		}
	}
}

func TestMFChain(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, fixtureConfig{})
	m, err := f.j.ReadMFChain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Upper.Body) != 297 || m.Upper.IssuerKeyID.Name() != "9000020" || m.Lower.IssuerKeyID != m.Upper.SubjectKeyID {
		t.Errorf("chain %v → %v → %v", m.Upper.IssuerKeyID, m.Upper.SubjectKeyID, m.Lower.SubjectKeyID)
	}
	v, err := m.Verify(testCVKeys(t))
	if err != nil || v.CAKey.Name() != "9000020" || v.CVC != m.Lower {
		t.Errorf("Verify = %+v, %v", v, err)
	}
	prod, _ := card.NewCVCAKeys()
	if _, err := m.Verify(prod); reasonOf(err) != card.CVReasonTestKey {
		t.Errorf("production check: %v", err)
	}
	forged := *m.Lower
	forged.Signature = append([]byte(nil), m.Lower.Signature...)
	forged.Signature[10] ^= 1
	if _, err := (&card.MFChain{Upper: m.Upper, Lower: &forged}).Verify(testCVKeys(t)); reasonOf(err) != card.CVReasonTampered {
		t.Errorf("altered 7F21: %v", err)
	}
	if _, err := (&card.MFChain{Upper: m.Lower, Lower: m.Upper}).Verify(testCVKeys(t)); err == nil {
		t.Error("reversed chain verified")
	}
	// The JPKI application still answers afterwards.
	if _, err := f.j.ReadCertificate(ctx, card.AuthKey); err != nil {
		t.Errorf("after ReadMFChain: %v", err)
	}
}

// TestAppsInEveryUnsureVariant reads and verifies every signed record of
// the text and surface applications, with each credential, against the
// virtual card in each end-of-file answer, with 照合番号 and birth-date key
// counters of 10 and of 3 (the two numbers sources give), on short and
// extended readers: no variant may fail.
func TestAppsInEveryUnsureVariant(t *testing.T) {
	keys := testCVKeys(t)
	ctx := context.Background()
	for _, eof := range virtual.EndOfFileAnswers {
		for _, tries := range []int{virtual.MaxTriesCollation, 3} {
			for _, ext := range []bool{false, true} {
				t.Run(fmt.Sprintf("%v/tries %d/extended %v", eof, tries, ext), func(t *testing.T) {
					opts := []virtual.Option{virtual.WithEndOfFile(eof)}
					for _, ref := range []virtual.PINRef{virtual.PINTextA, virtual.PINTextB, virtual.PINSurfaceA, virtual.PINSurfaceB, virtual.PINSurfaceBirthDate} {
						opts = append(opts, virtual.WithMaxTries(ref, tries))
					}
					f := newFixture(t, fixtureConfig{vopts: opts, caps: reader.Capabilities{ExtendedLength: ext}})
					number, _ := card.ParseNumber(f.h.Spec.Number)
					pinB, _ := f.h.PINB()
					for _, c := range []struct {
						k   card.PINKind
						pin string
					}{{card.TextPIN, jpkitest.DefaultAuthPIN}, {card.TextPINA, string(card.PINA(number))}, {card.TextPINB, pinB}} {
						p := pin(c.pin)
						rec, err := f.j.Text().ReadText(ctx, c.k, p.prompt)
						if err != nil {
							t.Fatalf("ReadText(%v): %v", c.k, err)
						}
						if c.k != card.TextPIN && p.remaining[0] != tries {
							t.Errorf("%v: prompt told %d tries, want %d", c.k, p.remaining[0], tries)
						}
						if _, err := rec.Verify(keys); err != nil {
							t.Errorf("Verify after %v: %v", c.k, err)
						}
					}
					for _, c := range []struct {
						k   card.PINKind
						pin string
					}{{card.SurfacePINA, string(card.PINA(number))}, {card.SurfacePINB, pinB}} {
						s, err := f.j.Surface().ReadSurface(ctx, c.k, pin(c.pin).prompt)
						if err != nil {
							t.Fatalf("ReadSurface(%v): %v", c.k, err)
						}
						if _, err := s.Verify(keys); err != nil {
							t.Errorf("Surface.Verify after %v: %v", c.k, err)
						}
					}
					age, err := f.j.Surface().ReadAge(ctx, pin(pinB[:6]).prompt)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := age.Verify(keys); err != nil {
						t.Errorf("AgeRecord.Verify: %v", err)
					}
					img, err := f.j.Surface().ReadNumberImage(ctx, pin(string(card.PINA(number))).prompt)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := img.Verify(keys); err != nil {
						t.Errorf("NumberImage.Verify: %v", err)
					}
					m, err := f.j.ReadMFChain(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := m.Verify(keys); err != nil {
						t.Errorf("MFChain.Verify: %v", err)
					}
					// The one-transaction reads of chip identification and
					// the age check: the same authentication certificate
					// as ReadCertificate, the text as ReadText, the chip's
					// answer checked with the record's key.
					wantCert, err := f.j.ReadCertificate(ctx, card.AuthKey)
					if err != nil {
						t.Fatal(err)
					}
					challenge := []byte("a fresh challenge")
					cp, err := f.j.Surface().ReadChipProving(ctx, card.SurfacePINB, pin(pinB).prompt, challenge, pin(jpkitest.DefaultAuthPIN).prompt)
					if err != nil {
						t.Fatalf("ReadChipProving: %v", err)
					}
					if !bytes.Equal(cp.AuthCert, wantCert) || cp.AuthCertErr != nil || cp.Text == nil {
						t.Errorf("ReadChipProving: certificate %d bytes (%v), text %v", len(cp.AuthCert), cp.AuthCertErr, cp.Text != nil)
					} else if _, err := cp.Text.Verify(keys); err != nil {
						t.Errorf("ReadChipProving text: %v", err)
					}
					if err := card.VerifyChallenge(cp.Surface.PublicKey, challenge, cp.Signature); err != nil {
						t.Errorf("ReadChipProving challenge: %v", err)
					}
					ap, err := f.j.Surface().ReadAgeProvingAuthCert(ctx, pin(pinB[:6]).prompt, challenge)
					if err != nil {
						t.Fatalf("ReadAgeProvingAuthCert: %v", err)
					}
					if !bytes.Equal(ap.AuthCert, wantCert) || ap.AuthCertErr != nil {
						t.Errorf("ReadAgeProvingAuthCert: certificate %d bytes (%v)", len(ap.AuthCert), ap.AuthCertErr)
					}
					if _, err := ap.Record.Verify(keys); err != nil {
						t.Errorf("ReadAgeProvingAuthCert record: %v", err)
					}
				})
			}
		}
	}
}

// TestProvingReads reads the card face and the age record with the
// chip's answer to a challenge in the same transaction: the answer
// verifies with the record's own application key, and a card whose
// files were copied onto a chip with another key fails.
func TestProvingReads(t *testing.T) {
	ctx := context.Background()
	keys := testCVKeys(t)
	challenge := []byte("a fresh challenge from the verifier")
	for _, clone := range []bool{false, true} {
		f := newFixture(t, fixtureConfig{contents: func(c *virtual.Contents) {
			if clone {
				c.SurfaceAppKey = defaultHolder().TextAppKey // copied files, another chip key
			}
		}})
		pinB, _ := f.h.PINB()
		f.cnt.reset()
		s, sig, err := f.j.Surface().ReadSurfaceProving(ctx, card.SurfacePINB, pin(pinB).prompt, challenge)
		if err != nil {
			t.Fatal(err)
		}
		if f.cnt.count(0x2A) != 1 {
			t.Errorf("%d SIGNs in the transaction", f.cnt.count(0x2A))
		}
		// The copied records carry the original DF24; the chip answers
		// with its own key.
		if clone {
			s.PublicKey = &f.h.SurfaceAppKey.PublicKey
		}
		if _, err := s.Verify(keys); err != nil && !clone {
			t.Fatal(err)
		}
		if err := card.VerifyChallenge(s.PublicKey, challenge, sig); (err == nil) == clone {
			t.Errorf("clone %v: VerifyChallenge = %v", clone, err)
		}
		age, sig, err := f.j.Surface().ReadAgeProving(ctx, pin(pinB[:6]).prompt, challenge)
		if err != nil {
			t.Fatal(err)
		}
		if clone {
			age.PublicKey = &f.h.SurfaceAppKey.PublicKey
		}
		if err := card.VerifyChallenge(age.PublicKey, challenge, sig); (err == nil) == clone {
			t.Errorf("clone %v: age VerifyChallenge = %v", clone, err)
		}
	}
	f := newFixture(t, fixtureConfig{})
	if _, _, err := f.j.Surface().ReadSurfaceProving(ctx, card.SurfacePINB, pin("x").prompt, nil); err == nil {
		t.Error("empty challenge accepted")
	}
}
