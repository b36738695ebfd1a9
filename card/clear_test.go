package card_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/reader"
)

// rawSign is what any program sharing the reader can send: SELECT of a key
// EF (optionally after SELECT of JPKI) and SIGN, with no VERIFY. It
// returns the status word of the SIGN and whether data came back.
func rawSign(t *testing.T, rc reader.Card, fid uint16, selectApp bool) (sw uint16, signed bool) {
	t.Helper()
	ctx := context.Background()
	send := func(capdu []byte) []byte {
		out, err := rc.Transmit(ctx, capdu)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if selectApp {
		send([]byte{0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01})
	}
	send([]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, byte(fid >> 8), byte(fid)})
	sum := sha256.Sum256([]byte("attacker data"))
	di := append([]byte{0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}, sum[:]...)
	out := send(append(append([]byte{0x80, 0x2A, 0x00, 0x80, byte(len(di))}, di...), 0x00))
	n := len(out)
	return uint16(out[n-2])<<8 | uint16(out[n-1]), n > 2
}

// TestAttackSecurityStateCleared runs every operation that presents a
// PIN on the virtual card (in process) and then SIGNs with both keys
// without VERIFY, as another program sharing the reader would: refused
// (6982) every time, also after a wrong PIN and when the operation failed.
func TestAttackSecurityStateCleared(t *testing.T) {
	h := defaultHolder()
	ct := h.Contents()
	vc, err := virtual.NewMyNumberCard(ct)
	if err != nil {
		t.Fatal(err)
	}
	rc := reader.Loopback("virtual", vc, reader.Capabilities{})
	ctx := context.Background()
	j, err := card.OpenJPKI(ctx, rc, card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("a document"))
	di := append([]byte{0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}, sum[:]...)
	ops := []struct {
		name string
		run  func() error
	}{
		{"Sign with the authentication key", func() error { _, err := j.Sign(ctx, card.AuthKey, pin(ct.AuthPIN).prompt, di); return err }},
		{"Sign with the signing key", func() error { _, err := j.Sign(ctx, card.SignKey, pin(ct.SignPIN).prompt, di); return err }},
		{"ReadSignCertificate", func() error { _, err := j.ReadSignCertificate(ctx, pin(ct.SignPIN).prompt); return err }},
		{"ReadCertificateWithPIN(auth)", func() error {
			_, err := j.ReadCertificateWithPIN(ctx, card.AuthKey, pin(ct.AuthPIN).prompt)
			return err
		}},
		{"SignWithSignCertificate", func() error {
			_, _, err := j.SignWithSignCertificate(ctx, pin(ct.SignPIN).prompt, di, nil)
			return err
		}},
		{"ChangePIN(auth) to the same PIN", func() error {
			return j.ChangePIN(ctx, card.AuthPIN, pin(ct.AuthPIN).prompt, pin(ct.AuthPIN).prompt)
		}},
		{"ReadSurfaceWithTextPIN", func() error { _, err := j.Surface().ReadSurfaceWithTextPIN(ctx, pin(ct.TextPIN).prompt); return err }},
		{"Sign with the authentication key, failing after VERIFY (SIGN refused)", func() error {
			vc.SetFaults(virtual.StatusOnINS(0x2A, 0x6F00))
			defer vc.SetFaults()
			if _, err := j.Sign(ctx, card.AuthKey, pin(ct.AuthPIN).prompt, di); err == nil {
				return errors.New("the injected SIGN failure did not fail Sign")
			}
			return nil
		}},
	}
	for _, op := range ops {
		if err := op.run(); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		for _, key := range []struct {
			name string
			fid  uint16
		}{{"auth key 0017", 0x0017}, {"sign key 001A", 0x001A}} {
			for _, sel := range []bool{false, true} {
				sw, signed := rawSign(t, rc, key.fid, sel)
				result := "refused"
				if sw != 0x6982 || signed {
					result = "NOT REFUSED"
					t.Errorf("after %s: SIGN with the %s without VERIFY (select app %v) = %04X, signed %v; want 6982", op.name, key.name, sel, sw, signed)
				}
				t.Logf("ATTACK | after %s (in process): SIGN with the %s without VERIFY (SELECT JPKI first: %v) | 6982 | %s %04X", op.name, key.name, sel, result, sw)
			}
		}
	}
}

// TestClearingSelectRefused: when the card refuses the clearing SELECT,
// the transaction ends with a card reset (the loopback resets the virtual
// card), the operation stands, and no verified PIN is left; when the card
// is gone at that point, the operation reports the removal.
func TestClearingSelectRefused(t *testing.T) {
	h := defaultHolder()
	ct := h.Contents()
	vc, err := virtual.NewMyNumberCard(ct)
	if err != nil {
		t.Fatal(err)
	}
	rc := reader.Loopback("virtual", vc, reader.Capabilities{})
	ctx := context.Background()
	j, err := card.OpenJPKI(ctx, rc, card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("a document"))
	di := append([]byte{0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}, sum[:]...)
	// Sign: SELECT JPKI, SELECT PIN EF, empty VERIFY, VERIFY, SELECT key,
	// SIGN, then the clearing SELECT: the 7th APDU.
	const clearing = 7
	vc.SetFaults(virtual.Fault{Kind: virtual.FaultStatus, At: vc.Stats().APDUs + clearing, SW: 0x6F00})
	if _, err := j.Sign(ctx, card.AuthKey, pin(ct.AuthPIN).prompt, di); err != nil {
		t.Fatalf("Sign with the clearing SELECT refused: %v", err)
	}
	vc.SetFaults()
	// The reset left no application selected: the key EF is not found.
	if sw, signed := rawSign(t, rc, 0x0017, false); sw != 0x6A82 && sw != 0x6986 || signed {
		t.Errorf("after the fallback reset: SIGN without VERIFY = %04X, signed %v; want no application (6A82/6986)", sw, signed)
	}
	if sw, signed := rawSign(t, rc, 0x0017, true); sw != 0x6982 || signed {
		t.Errorf("after the fallback reset, with SELECT JPKI: SIGN without VERIFY = %04X, signed %v; want 6982", sw, signed)
	}
	// The card leaves at the clearing SELECT: the operation reports it.
	vc.SetFaults(virtual.Fault{Kind: virtual.FaultRemove, At: vc.Stats().APDUs + clearing})
	if _, err := j.Sign(ctx, card.AuthKey, pin(ct.AuthPIN).prompt, di); !errors.Is(err, reader.ErrCardRemoved) {
		t.Errorf("Sign with the card gone at the clearing SELECT = %v, want reader.ErrCardRemoved", err)
	}
}
