package card_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		token   string
		want    card.CardType
		wantErr bool
	}{
		{"JPKIAPICCTOKEN2", card.MyNumberCard, false},
		{"JPKIAPGPSETOKEN", card.PhoneToken, false},
		{"JPKIAPIOSTOKEN", card.PhoneToken, false},
		{"JPKIAPICCTOKEN", card.OldResidentCard, true},
		{"SOMETHINGELSE", card.Unknown, true},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			ct := defaultHolder().Contents()
			ct.Token = tt.token
			vc, err := virtual.NewMyNumberCard(ct)
			if err != nil {
				t.Fatal(err)
			}
			cnt := newCounting(vc)
			rc := reader.Loopback("virtual", cnt, reader.Capabilities{})
			typ, label, err := card.Detect(context.Background(), rc)
			if typ != tt.want || label != tt.token {
				t.Errorf("Detect = %v, %q; want %v, %q", typ, label, tt.want, tt.token)
			}
			if got := errors.Is(err, card.ErrNotMyNumberCard); got != tt.wantErr {
				t.Errorf("Detect error %v; want ErrNotMyNumberCard %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), tt.token) {
				t.Errorf("error %q does not name the token found", err)
			}
			// SELECT AP, SELECT EF 0006, one 32-byte READ.
			if cnt.total != 3 || cnt.count(insReadBinary) != 1 {
				t.Errorf("detection took %d APDUs (%d READ), want 3 (1)", cnt.total, cnt.count(insReadBinary))
			}
			j, err := card.OpenJPKI(context.Background(), rc, card.Options{})
			if tt.wantErr != (err != nil) || (j != nil && j.Type() != tt.want) {
				t.Errorf("OpenJPKI = %v, %v", j, err)
			}
		})
	}
	t.Run("unrelated card", func(t *testing.T) {
		rc := reader.Loopback("other", unrelatedCard{}, reader.Capabilities{})
		typ, label, err := card.Detect(context.Background(), rc)
		if typ != card.Unknown || label != "" || !errors.Is(err, card.ErrNotMyNumberCard) || !errors.Is(err, apdu.ErrFileNotFound) {
			t.Errorf("Detect = %v, %q, %v", typ, label, err)
		}
		if _, err := card.OpenJPKI(context.Background(), rc, card.Options{}); !errors.Is(err, card.ErrNotMyNumberCard) {
			t.Errorf("OpenJPKI error %v, want ErrNotMyNumberCard", err)
		}
		for _, u := range []unrelatedCard{{sw: 0x6D00}, {sw: 0x6E00}, {sw: 0x6A86}, {sw: 0x6A82, selectOK: true}, {sw: 0x6982, selectOK: true}} {
			_, _, err := card.Detect(context.Background(), reader.Loopback("other", u, reader.Capabilities{}))
			if !errors.Is(err, card.ErrNotMyNumberCard) {
				t.Errorf("%+v: Detect error %v, want ErrNotMyNumberCard", u, err)
			}
		}
	})
	t.Run("removed card", func(t *testing.T) {
		vc, _ := virtual.NewMyNumberCard(defaultHolder().Contents(), virtual.WithFaults(virtual.RemoveAfter(1)))
		_, _, err := card.Detect(context.Background(), reader.Loopback("virtual", vc, reader.Capabilities{}))
		if !errors.Is(err, reader.ErrCardRemoved) || errors.Is(err, card.ErrNotMyNumberCard) {
			t.Errorf("Detect on a removed card: %v", err)
		}
	})
}

func TestToken(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	got, err := f.j.Token(context.Background())
	if err != nil || got != jpkitest.TokenMyNumberCard {
		t.Errorf("Token = %q, %v", got, err)
	}
}

func TestReadCertificate(t *testing.T) {
	h := defaultHolder()
	want := map[certEF][]byte{
		authCertEF:   h.AuthCert.Raw,
		authCACertEF: h.AuthCA.Raw,
		signCACertEF: h.SignCA.Raw,
	}
	modes := []struct {
		name     string
		caps     bool
		mode     card.ExtendedMode
		reads    func(n int) int
		extended bool
	}{
		{"short", false, card.ExtendedAuto, func(n int) int { return ceilDiv(n, 256) }, false},
		{"never despite reader", true, card.ExtendedNever, func(n int) int { return ceilDiv(n, 256) }, false},
		{"extended", true, card.ExtendedAuto, func(int) int { return 1 }, true},
		{"always", false, card.ExtendedAlways, func(int) int { return 1 }, true},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			f := newFixture(t, fixtureConfig{caps: reader.Capabilities{ExtendedLength: m.caps}, opts: card.Options{Extended: m.mode}})
			for _, cf := range []certEF{authCertEF, authCACertEF, signCACertEF} {
				f.cnt.reset()
				der, err := readCertEF(context.Background(), f.j, cf)
				if err != nil {
					t.Fatalf("ReadCertificate(%v): %v", cf, err)
				}
				if !bytes.Equal(der, want[cf]) {
					t.Fatalf("ReadCertificate(%v): %d bytes differ from the %d on the card", cf, len(der), len(want[cf]))
				}
				reads := m.reads(len(der))
				if f.cnt.count(insSelect) != 2 || f.cnt.count(insReadBinary) != reads || f.cnt.total != 2+reads {
					t.Errorf("%v (%d bytes): %d SELECT, %d READ, %d in all; want 2, %d, %d",
						cf, len(der), f.cnt.count(insSelect), f.cnt.count(insReadBinary), f.cnt.total, reads, 2+reads)
				}
				if (f.cnt.extendedSeen > 0) != m.extended {
					t.Errorf("%v: %d extended APDUs, want extended=%v", cf, f.cnt.extendedSeen, m.extended)
				}
			}
		})
	}
}

func TestReadCertificateExtendedFallback(t *testing.T) {
	f := newFixture(t, fixtureConfig{
		caps:  reader.Capabilities{ExtendedLength: true},
		vopts: []virtual.Option{virtual.WithoutExtendedLength()},
	})
	der, err := f.j.ReadCertificate(context.Background(), card.AuthKey)
	if err != nil || !bytes.Equal(der, f.h.AuthCert.Raw) {
		t.Fatalf("ReadCertificate: %d bytes, %v", len(der), err)
	}
	// The refused extended READ, then the same offset again in short chunks.
	if want := 1 + ceilDiv(len(der), 256); f.cnt.count(insReadBinary) != want || f.cnt.extendedSeen != 1 {
		t.Errorf("%d READ (%d extended), want %d (1)", f.cnt.count(insReadBinary), f.cnt.extendedSeen, want)
	}
	f.cnt.reset()
	if _, err := f.j.ReadCACertificate(context.Background(), card.AuthKey); err != nil {
		t.Fatal(err)
	}
	if f.cnt.extendedSeen != 0 {
		t.Errorf("extended length tried again after the reader refused it")
	}

	t.Run("always reports the refusal", func(t *testing.T) {
		f := newFixture(t, fixtureConfig{
			opts:  card.Options{Extended: card.ExtendedAlways},
			vopts: []virtual.Option{virtual.WithoutExtendedLength()},
		})
		if _, err := f.j.ReadCertificate(context.Background(), card.AuthKey); !errors.Is(err, apdu.ErrWrongLength) {
			t.Errorf("error %v, want apdu.ErrWrongLength", err)
		}
	})
}

func TestReadCertificateGetResponseChaining(t *testing.T) {
	f := newFixture(t, fixtureConfig{vopts: []virtual.Option{virtual.WithGetResponseChaining(100)}})
	der, err := f.j.ReadCertificate(context.Background(), card.AuthKey)
	if err != nil || !bytes.Equal(der, f.h.AuthCert.Raw) {
		t.Fatalf("ReadCertificate: %d bytes, %v", len(der), err)
	}
}

func TestSignCertNeedsPassword(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	_, err := f.j.ReadCertificate(context.Background(), card.SignKey)
	if !errors.Is(err, apdu.ErrSecurityStatus) || !strings.Contains(err.Error(), "signing password") {
		t.Fatalf("ReadCertificate(SignCert) without the password: %v", err)
	}
	p := pin(strings.ToLower(jpkitest.DefaultSignPIN)) // upper-cased by the library
	der, err := f.j.ReadSignCertificate(context.Background(), p.prompt)
	if err != nil || !bytes.Equal(der, f.h.SignCert.Raw) {
		t.Fatalf("ReadSignCertificate: %d bytes, %v", len(der), err)
	}
	if p.calls != 1 || p.remaining[0] != virtual.MaxTriesJPKISign || p.kinds[0] != card.SignPIN {
		t.Errorf("prompt called %d times with %v %v", p.calls, p.kinds, p.remaining)
	}
	p.assertWiped(t)
}

func TestReadCertificateWithPIN(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	p := pin(jpkitest.DefaultAuthPIN)
	der, err := f.j.ReadCertificateWithPIN(context.Background(), card.AuthKey, p.prompt)
	if err != nil || !bytes.Equal(der, f.h.AuthCert.Raw) || p.calls != 1 || p.kinds[0] != card.AuthPIN {
		t.Errorf("ReadCertificateWithPIN(AuthCert) = %d bytes, %v; prompt %v", len(der), err, p.kinds)
	}
	p.assertWiped(t)
	p = pin("unused")
	der, err = f.j.ReadCACertificate(context.Background(), card.SignKey)
	if err != nil || !bytes.Equal(der, f.h.SignCA.Raw) || p.calls != 0 {
		t.Errorf("ReadCertificateWithPIN(SignCACert) = %d bytes, %v; prompt called %d times", len(der), err, p.calls)
	}
}

func TestPINStatus(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	tests := []struct {
		k    card.PINKind
		ref  virtual.PINRef
		want int
	}{
		{card.AuthPIN, virtual.PINJPKIAuth, virtual.MaxTriesJPKIAuth},
		{card.SignPIN, virtual.PINJPKISign, virtual.MaxTriesJPKISign},
		{card.TextPIN, virtual.PINText, virtual.MaxTriesText},
		{card.TextPINA, virtual.PINTextA, virtual.MaxTriesCollation},
		{card.TextPINB, virtual.PINTextB, virtual.MaxTriesCollation},
		{card.SurfacePINA, virtual.PINSurfaceA, virtual.MaxTriesCollation},
		{card.SurfacePINB, virtual.PINSurfaceB, virtual.MaxTriesCollation},
	}
	for _, tt := range tests {
		f.cnt.reset()
		got, err := f.j.PINStatus(context.Background(), tt.k)
		if err != nil || got != tt.want {
			t.Errorf("PINStatus(%v) = %d, %v; want %d", tt.k, got, err, tt.want)
		}
		if f.vc.TriesLeft(tt.ref) != tt.want {
			t.Errorf("PINStatus(%v) spent a try", tt.k)
		}
		if f.cnt.total != 3 { // SELECT AP, SELECT PIN EF, empty VERIFY
			t.Errorf("PINStatus(%v) took %d APDUs, want 3", tt.k, f.cnt.total)
		}
	}
}

func TestPINStatusVerifiedVariant(t *testing.T) {
	// Some cards answer the empty VERIFY with 9000 when the PIN is already
	// verified: that is not "0 tries left".
	for _, sw := range []uint16{apdu.SWOK, apdu.SWVerifyFailed} {
		f := newFixture(t, fixtureConfig{})
		f.vc.SetFaults(virtual.StatusOnINS(insVerify, sw))
		got, err := f.j.PINStatus(context.Background(), card.AuthPIN)
		if err != nil || got != card.RemainingUnknown {
			t.Errorf("%04X: PINStatus = %d, %v; want RemainingUnknown", sw, got, err)
		}
		// A Sign then asks with RemainingUnknown and still VERIFYs.
		f.vc.SetFaults(virtual.StatusOnINS(insVerify, sw))
		p := pin(jpkitest.DefaultAuthPIN)
		if _, err := f.j.Sign(context.Background(), card.AuthKey, p.prompt, digestInfo("x")); err != nil {
			t.Errorf("%04X: Sign: %v", sw, err)
		}
		if len(p.remaining) != 1 || p.remaining[0] != card.RemainingUnknown {
			t.Errorf("%04X: prompt told %v", sw, p.remaining)
		}
	}
}

// digestInfo returns a SHA-256 DigestInfo of msg.
func digestInfo(msg string) []byte {
	h := sha256.Sum256([]byte(msg))
	prefix := []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
	return append(prefix, h[:]...)
}

func TestSign(t *testing.T) {
	h := defaultHolder()
	tests := []struct {
		key  card.KeyKind
		pin  string
		cert *x509.Certificate
	}{
		{card.AuthKey, jpkitest.DefaultAuthPIN, h.AuthCert},
		{card.SignKey, jpkitest.DefaultSignPIN, h.SignCert},
	}
	for _, tt := range tests {
		t.Run(tt.key.String(), func(t *testing.T) {
			var events []reader.TraceEvent
			var n card.Counter
			f := newFixture(t, fixtureConfig{opts: card.Options{Trace: n.Hook(func(ev reader.TraceEvent) { events = append(events, ev) })}})
			n.Reset()
			p := pin(tt.pin)
			sig, err := f.j.Sign(context.Background(), tt.key, p.prompt, digestInfo("hello"))
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			// The cert is read off the card as the library would, then
			// parsed here (card/ does not interpret certificates).
			der := tt.cert.Raw
			if tt.key == card.AuthKey {
				if der, err = f.j.ReadCertificate(context.Background(), card.AuthKey); err != nil {
					t.Fatal(err)
				}
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			digest := sha256.Sum256([]byte("hello"))
			if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
				t.Errorf("signature does not verify: %v", err)
			}
			p.assertWiped(t)
			for _, ev := range events {
				if bytes.Contains(ev.Command, []byte(tt.pin)) {
					t.Errorf("trace shows the PIN: % X", ev.Command)
				}
			}
			// SELECT AP, SELECT PIN, empty VERIFY, VERIFY, SELECT key, SIGN.
			if st := n.Stats(); st.APDUs < 6 || f.cnt.count(insSign) != 1 || f.cnt.count(insVerify) != 2 {
				t.Errorf("Sign: %+v; %d SIGN, %d VERIFY", st, f.cnt.count(insSign), f.cnt.count(insVerify))
			}
		})
	}
	t.Run("bad DigestInfo length", func(t *testing.T) {
		f := newFixture(t, fixtureConfig{})
		p := pin(jpkitest.DefaultAuthPIN)
		for _, di := range [][]byte{nil, make([]byte, 246)} {
			if _, err := f.j.Sign(context.Background(), card.AuthKey, p.prompt, di); err == nil {
				t.Errorf("Sign with %d bytes succeeded", len(di))
			}
		}
		if p.calls != 0 || f.cnt.total != 0 {
			t.Errorf("bad input reached the prompt (%d) or the card (%d)", p.calls, f.cnt.total)
		}
	})
}

func TestWrongPINAndLastTry(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, fixtureConfig{})
	const wrong = "9876"
	for want := 2; want >= 1; want-- {
		p := pin(wrong)
		sig, err := f.j.Sign(ctx, card.AuthKey, p.prompt, digestInfo("x"))
		var pe *card.PINError
		if sig != nil || !errors.As(err, &pe) || pe.Remaining != want || pe.Kind != card.AuthPIN {
			t.Fatalf("wrong PIN: sig %v, err %v; want *PINError{Remaining: %d}", sig != nil, err, want)
		}
		if !errors.Is(err, apdu.ErrVerificationFailed) || errors.Is(err, card.ErrPINBlocked) {
			t.Errorf("wrong PIN error %v matches the wrong sentinels", err)
		}
		if strings.Contains(err.Error(), wrong) {
			t.Errorf("error shows the PIN: %v", err)
		}
		p.assertWiped(t)
		if n, err := f.j.PINStatus(ctx, card.AuthPIN); n != want || err != nil {
			t.Errorf("PINStatus after a wrong PIN = %d, %v; want %d", n, err, want)
		}
	}
	// One try left: refused before asking.
	p := pin(jpkitest.DefaultAuthPIN)
	f.cnt.reset()
	if _, err := f.j.Sign(ctx, card.AuthKey, p.prompt, digestInfo("x")); !errors.Is(err, card.ErrLastTry) {
		t.Fatalf("Sign on the last try: %v, want ErrLastTry", err)
	}
	if p.calls != 0 || f.cnt.count(insVerify) != 1 || f.vc.TriesLeft(virtual.PINJPKIAuth) != 1 {
		t.Errorf("last try: prompt called %d times, %d VERIFY sent, %d tries left", p.calls, f.cnt.count(insVerify), f.vc.TriesLeft(virtual.PINJPKIAuth))
	}
	// Explicitly allowed, and wrong again: blocked.
	allowed, err := card.OpenJPKI(ctx, f.rc, card.Options{AllowLastTry: true})
	if err != nil {
		t.Fatal(err)
	}
	p = pin(wrong)
	_, err = allowed.Sign(ctx, card.AuthKey, p.prompt, digestInfo("x"))
	var pe *card.PINError
	if !errors.As(err, &pe) || pe.Remaining != 0 || !errors.Is(err, card.ErrPINBlocked) {
		t.Fatalf("blocking try: %v", err)
	}
	if _, err := f.j.PINStatus(ctx, card.AuthPIN); !errors.Is(err, card.ErrPINBlocked) {
		t.Errorf("PINStatus of a blocked PIN: %v", err)
	}
	p = pin(jpkitest.DefaultAuthPIN)
	if _, err := allowed.Sign(ctx, card.AuthKey, p.prompt, digestInfo("x")); !errors.Is(err, card.ErrPINBlocked) || p.calls != 0 {
		t.Errorf("Sign with a blocked PIN: %v (prompt called %d times)", err, p.calls)
	}
}

func TestLastTryAllowed(t *testing.T) {
	f := newFixture(t, fixtureConfig{opts: card.Options{AllowLastTry: true}, vopts: []virtual.Option{virtual.WithMaxTries(virtual.PINJPKISign, 1)}})
	p := pin(jpkitest.DefaultSignPIN)
	if _, err := f.j.Sign(context.Background(), card.SignKey, p.prompt, digestInfo("x")); err != nil {
		t.Fatalf("Sign on an allowed last try: %v", err)
	}
	if p.remaining[0] != 1 {
		t.Errorf("prompt told %d tries", p.remaining[0])
	}
}

func TestPINFormatCheckedBeforeVerify(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	for _, tt := range []struct {
		key card.KeyKind
		pin string
	}{{card.AuthKey, "12a4"}, {card.AuthKey, "12345"}, {card.SignKey, "AB12"}, {card.SignKey, "ABC-123"}} {
		f.cnt.reset()
		p := pin(tt.pin)
		_, err := f.j.Sign(context.Background(), tt.key, p.prompt, digestInfo("x"))
		if !errors.Is(err, card.ErrPINFormat) || strings.Contains(err.Error(), tt.pin) {
			t.Errorf("%v %q: %v", tt.key, tt.pin, err)
		}
		if f.cnt.count(insVerify) != 1 { // only the empty VERIFY
			t.Errorf("%v %q: %d VERIFY sent", tt.key, tt.pin, f.cnt.count(insVerify))
		}
		p.assertWiped(t)
	}
	if f.vc.TriesLeft(virtual.PINJPKIAuth) != virtual.MaxTriesJPKIAuth || f.vc.TriesLeft(virtual.PINJPKISign) != virtual.MaxTriesJPKISign {
		t.Errorf("a badly formatted PIN spent a try")
	}
}

func TestPromptError(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	errCancel := errors.New("user cancelled")
	_, err := f.j.Sign(context.Background(), card.AuthKey, func(context.Context, card.PINKind, int) ([]byte, error) {
		return nil, errCancel
	}, digestInfo("x"))
	if !errors.Is(err, errCancel) || f.cnt.count(insVerify) != 1 {
		t.Errorf("Sign with a failing prompt: %v, %d VERIFY", err, f.cnt.count(insVerify))
	}
}

func TestRemovedMidSign(t *testing.T) {
	// Sign is 6 APDUs: remove the card before each of them in turn.
	for n := 0; n < 6; n++ {
		f := newFixture(t, fixtureConfig{})
		f.vc.SetFaults(virtual.RemoveAfter(f.cnt.all + n))
		p := pin(jpkitest.DefaultAuthPIN)
		sig, err := f.j.Sign(context.Background(), card.AuthKey, p.prompt, digestInfo("x"))
		if sig != nil || !errors.Is(err, reader.ErrCardRemoved) {
			t.Errorf("removed after %d APDUs: sig %v, err %v", n, sig != nil, err)
		}
		p.assertWiped(t)
	}
}

func TestMalformedResponses(t *testing.T) {
	faults := []virtual.Fault{
		{Kind: virtual.FaultTruncate, MatchINS: true, INS: insReadBinary, Keep: 1},
		{Kind: virtual.FaultTruncate, MatchINS: true, INS: insReadBinary, Keep: 10},
		{Kind: virtual.FaultCorrupt, MatchINS: true, INS: insReadBinary},
		{Kind: virtual.FaultOverLength, MatchINS: true, INS: insReadBinary},
		{Kind: virtual.FaultCorrupt, MatchINS: true, INS: insSign},
		{Kind: virtual.FaultTruncate, MatchINS: true, INS: insSign, Keep: 100},
	}
	for i, fault := range faults {
		f := newFixture(t, fixtureConfig{})
		f.vc.SetFaults(fault)
		if fault.INS == insSign {
			sig, err := f.j.Sign(context.Background(), card.AuthKey, pin(jpkitest.DefaultAuthPIN).prompt, digestInfo("x"))
			if err == nil || sig != nil {
				t.Errorf("fault %d: Sign = %d bytes, %v", i, len(sig), err)
			}
			continue
		}
		der, err := f.j.ReadCertificate(context.Background(), card.AuthKey)
		if err == nil && !bytes.Equal(der, f.h.AuthCert.Raw) && fault.Kind != virtual.FaultOverLength {
			t.Errorf("fault %d: wrong bytes returned without error", i)
		}
		if err == nil && fault.Kind != virtual.FaultOverLength {
			t.Errorf("fault %d: no error", i)
		}
	}
}

func TestChangePIN(t *testing.T) {
	ctx := context.Background()
	var events []reader.TraceEvent
	f := newFixture(t, fixtureConfig{opts: card.Options{Trace: func(ev reader.TraceEvent) { events = append(events, ev) }}})
	defer func() {
		changes := 0
		for _, ev := range events {
			if len(ev.Command) > 1 && ev.Command[1] == insChange {
				changes++
				if !ev.Redacted {
					t.Errorf("CHANGE REFERENCE DATA not redacted")
				}
			}
			for _, secret := range []string{jpkitest.DefaultAuthPIN, "5678", jpkitest.DefaultSignPIN, "NEWPASS99"} {
				if bytes.Contains(ev.Command, []byte(secret)) {
					t.Errorf("trace shows a PIN: % X", ev.Command)
				}
			}
		}
		if changes != 2 {
			t.Errorf("%d CHANGE REFERENCE DATA traced, want 2", changes)
		}
	}()
	oldP, newP := pin(jpkitest.DefaultAuthPIN), pin("5678")
	if err := f.j.ChangePIN(ctx, card.AuthPIN, oldP.prompt, newP.prompt); err != nil {
		t.Fatalf("ChangePIN: %v", err)
	}
	oldP.assertWiped(t)
	newP.assertWiped(t)
	if _, err := f.j.Sign(ctx, card.AuthKey, pin("5678").prompt, digestInfo("x")); err != nil {
		t.Errorf("Sign with the new PIN: %v", err)
	}
	var pe *card.PINError
	if _, err := f.j.Sign(ctx, card.AuthKey, pin(jpkitest.DefaultAuthPIN).prompt, digestInfo("x")); !errors.As(err, &pe) {
		t.Errorf("Sign with the old PIN: %v", err)
	}

	// The signing password, lower-case input upper-cased.
	if err := f.j.ChangePIN(ctx, card.SignPIN, pin(jpkitest.DefaultSignPIN).prompt, pin("newpass99").prompt); err != nil {
		t.Fatalf("ChangePIN(SignPIN): %v", err)
	}
	if _, err := f.j.ReadSignCertificate(ctx, pin("NEWPASS99").prompt); err != nil {
		t.Errorf("the new signing password does not work: %v", err)
	}

	// A badly formatted new PIN is refused before anything is verified.
	f.cnt.reset()
	if err := f.j.ChangePIN(ctx, card.SignPIN, pin("NEWPASS99").prompt, pin("short").prompt); !errors.Is(err, card.ErrPINFormat) {
		t.Errorf("ChangePIN to a bad PIN: %v", err)
	}
	if f.cnt.count(insVerify) != 1 || f.cnt.count(insChange) != 0 {
		t.Errorf("bad new PIN: %d VERIFY, %d CHANGE sent", f.cnt.count(insVerify), f.cnt.count(insChange))
	}
	if err := f.j.ChangePIN(ctx, card.TextPINA, pin("1").prompt, pin("2").prompt); err == nil {
		t.Errorf("ChangePIN(TextPINA) succeeded")
	}
}

func TestPresent(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	p, err := f.j.Present(context.Background())
	if err != nil || p != (card.Presence{SignCert: true, SignCACert: true, AuthCert: true, AuthCACert: true}) {
		t.Errorf("Present = %+v, %v", p, err)
	}
	f = newFixture(t, fixtureConfig{contents: func(c *virtual.Contents) { c.SignCert = nil; c.SignCACert = nil }})
	p, err = f.j.Present(context.Background())
	if err != nil || p.SignCert || p.SignCACert || !p.AuthCert {
		t.Errorf("Present without signing certs = %+v, %v", p, err)
	}
	if _, err := f.j.ReadCACertificate(context.Background(), card.SignKey); err == nil {
		t.Errorf("reading an absent certificate succeeded")
	}
}

func TestConcurrentSign(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.j.Sign(context.Background(), card.AuthKey, pin(jpkitest.DefaultAuthPIN).prompt, digestInfo("x"))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Sign: %v", err)
		}
	}
}

func TestContextCancelled(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.j.ReadCertificate(ctx, card.AuthKey); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadCertificate with a cancelled context: %v", err)
	}
	if f.cnt.total != 0 {
		t.Errorf("%d APDUs sent with a cancelled context", f.cnt.total)
	}
	// Cancelled while the prompt is open: no VERIFY follows.
	ctx, cancel = context.WithCancel(context.Background())
	_, err := f.j.Sign(ctx, card.AuthKey, func(context.Context, card.PINKind, int) ([]byte, error) {
		cancel()
		return []byte(jpkitest.DefaultAuthPIN), nil
	}, digestInfo("x"))
	if !errors.Is(err, context.Canceled) || f.cnt.count(insVerify) != 1 {
		t.Errorf("Sign cancelled at the prompt: %v, %d VERIFY", err, f.cnt.count(insVerify))
	}
}
