package pcscpath

import (
	"context"
	"errors"
	"testing"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
)

// pinTable maps every PIN the library knows to the virtual card's PIN and
// its full retry counter.
var pinTable = []struct {
	k    card.PINKind
	ref  virtual.PINRef
	full int
}{
	{card.AuthPIN, virtual.PINJPKIAuth, virtual.MaxTriesJPKIAuth},
	{card.SignPIN, virtual.PINJPKISign, virtual.MaxTriesJPKISign},
	{card.TextPIN, virtual.PINText, virtual.MaxTriesText},
	{card.TextPINA, virtual.PINTextA, virtual.MaxTriesCollation},
	{card.TextPINB, virtual.PINTextB, virtual.MaxTriesCollation},
	{card.SurfacePINA, virtual.PINSurfaceA, virtual.MaxTriesCollation},
	{card.SurfacePINB, virtual.PINSurfaceB, virtual.MaxTriesCollation},
}

// pinStatus asks the application that holds k.
func pinStatus(ctx context.Context, r *rig, k card.PINKind) (int, error) {
	switch k {
	case card.AuthPIN, card.SignPIN:
		return r.j.PINStatus(ctx, k)
	case card.TextPIN, card.TextPINA, card.TextPINB:
		return r.j.Text().PINStatus(ctx, k)
	}
	return r.j.Surface().PINStatus(ctx, k)
}

// TestPINStatusSpendsNothing reads the status of every PIN through pcscd
// and checks the card's own counters did not move: the status is an empty
// VERIFY (ISO/IEC 7816-4 §11.5.6), which spends no try.
func TestPINStatusSpendsNothing(t *testing.T) {
	r := newRig(t, rigConfig{})
	ctx := ctxT(t)
	for _, p := range pinTable {
		before := r.vc.TriesLeft(p.ref)
		got, err := pinStatus(ctx, r, p.k)
		if err != nil || got != p.full {
			t.Errorf("PINStatus(%v) = %d, %v; want %d", p.k, got, err, p.full)
		}
		if after := r.vc.TriesLeft(p.ref); after != before {
			t.Errorf("PINStatus(%v) moved the card's counter from %d to %d", p.k, before, after)
		}
	}
	if n := r.vc.commands(); countINS(n, insVerify) != len(pinTable) {
		t.Errorf("%d VERIFY commands for %d PIN statuses", countINS(n, insVerify), len(pinTable))
	}
	for _, c := range r.vc.commands() {
		if c[1] == insVerify && len(c) != headerLen {
			t.Errorf("PIN status sent a VERIFY with data: % X", c)
		}
	}
}

// TestWrongPINThenLastTryThenBlocked walks each key's PIN down through
// pcscd: each wrong PIN reports the card's remaining count, the library
// refuses to spend the last try (nothing sent, counter unchanged), a caller
// who allows it blocks the PIN, and from then on the PIN is reported
// blocked without a prompt.
func TestWrongPINThenLastTryThenBlocked(t *testing.T) {
	wrongs := map[card.KeyKind]string{card.AuthKey: "0000", card.SignKey: "WRONG0"}
	for _, k := range keyTable {
		t.Run(k.key.String(), func(t *testing.T) { walkPINDown(t, k.key, k.ref, k.full, k.pin, wrongs[k.key]) })
	}
}

func walkPINDown(t *testing.T, key card.KeyKind, ref virtual.PINRef, full int, right, wrong string) {
	r := newRig(t, rigConfig{})
	ctx := ctxT(t)
	_, info := sha256Info(t, "wrong PIN test")
	pin := key.PIN()
	tries := func() int { return r.vc.TriesLeft(ref) }

	// Wrong PINs down to one remaining, as the card counts.
	for want := full - 1; want >= 1; want-- {
		p := answer(wrong)
		sig, err := r.j.Sign(ctx, key, p.ask, info)
		var pe *card.PINError
		if !errors.As(err, &pe) || pe.Kind != pin || pe.Remaining != want || sig != nil {
			t.Fatalf("Sign with a wrong PIN = %d bytes, %v; want *card.PINError{%v, Remaining %d}", len(sig), err, pin, want)
		}
		if !errors.Is(err, apdu.ErrVerificationFailed) || errors.Is(err, card.ErrPINBlocked) {
			t.Errorf("wrong PIN error %v: want ErrVerificationFailed and not ErrPINBlocked", err)
		}
		if tries() != want {
			t.Fatalf("card counter = %d after a wrong PIN, want %d", tries(), want)
		}
		if !p.wiped() {
			t.Error("the wrong PIN was not wiped after use")
		}
		if got, err := r.j.PINStatus(ctx, pin); got != want || err != nil {
			t.Fatalf("PINStatus = %d, %v; want %d", got, err, want)
		}
	}

	// The last try is refused before the prompt; nothing reaches VERIFY
	// with data, the counter stays at 1.
	r.vc.resetLog()
	p := answer(right)
	sig, err := r.j.Sign(ctx, key, p.ask, info)
	if !errors.Is(err, card.ErrLastTry) || sig != nil {
		t.Fatalf("Sign on the last try = %d bytes, %v; want ErrLastTry", len(sig), err)
	}
	if p.count() != 0 {
		t.Errorf("prompt asked %d times on the last try, want 0", p.count())
	}
	if tries() != 1 {
		t.Fatalf("card counter = %d after the refused last try, want 1", tries())
	}
	for _, c := range r.vc.commands() {
		if c[1] == insVerify && len(c) > headerLen || c[1] == insSign {
			t.Errorf("on the refused last try the card received % X", c)
		}
	}

	// A caller who allows the last try and gets it wrong blocks the PIN.
	opts := card.Options{AllowLastTry: true}
	j, err := card.OpenJPKI(ctx, r.reader, opts)
	if err != nil {
		t.Fatal(err)
	}
	sig, err = j.Sign(ctx, key, answer(wrong).ask, info)
	var pe *card.PINError
	if !errors.As(err, &pe) || pe.Remaining != 0 || !errors.Is(err, card.ErrPINBlocked) || sig != nil {
		t.Fatalf("wrong PIN on the allowed last try = %v; want *card.PINError{Remaining 0} matching ErrPINBlocked", err)
	}
	if tries() != 0 {
		t.Fatalf("card counter = %d, want 0 (blocked)", tries())
	}

	// Blocked: status, sign and read all say so, without asking.
	if _, err := r.j.PINStatus(ctx, pin); !errors.Is(err, card.ErrPINBlocked) {
		t.Errorf("PINStatus of a blocked PIN = %v, want ErrPINBlocked", err)
	}
	p = answer(right)
	if _, err := j.Sign(ctx, key, p.ask, info); !errors.Is(err, card.ErrPINBlocked) || p.count() != 0 {
		t.Errorf("Sign with a blocked PIN = %v after %d prompts; want ErrPINBlocked and no prompt", err, p.count())
	}
	// The other key's PIN is untouched.
	for _, o := range keyTable {
		if o.key != key {
			if got, err := r.j.PINStatus(ctx, o.key.PIN()); got != o.full || err != nil {
				t.Errorf("%v status = %d, %v; want %d", o.key.PIN(), got, err, o.full)
			}
		}
	}
}

// TestBadFormatSendsNothing checks that a malformed PIN is refused before
// any VERIFY with data reaches the card.
func TestBadFormatSendsNothing(t *testing.T) {
	r := newRig(t, rigConfig{})
	_, info := sha256Info(t, "format")
	for _, pin := range []string{"123", "12345", "12a4"} {
		_, err := r.j.Sign(ctxT(t), card.AuthKey, answer(pin).ask, info)
		if !errors.Is(err, card.ErrPINFormat) {
			t.Errorf("Sign with a malformed PIN: %v, want ErrPINFormat", err)
		}
	}
	for _, c := range r.vc.commands() {
		if c[1] == insVerify && len(c) > headerLen {
			t.Errorf("a malformed PIN reached the card: % X", c)
		}
	}
	if n := r.vc.TriesLeft(virtual.PINJPKIAuth); n != virtual.MaxTriesJPKIAuth {
		t.Errorf("tries = %d, want %d", n, virtual.MaxTriesJPKIAuth)
	}
}

func countINS(cmds [][]byte, ins byte) int {
	n := 0
	for _, c := range cmds {
		if len(c) > 1 && c[1] == ins {
			n++
		}
	}
	return n
}
