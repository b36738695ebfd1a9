package pcscpath

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/intruder"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// signAPDUs is the APDUs of one Sign: SELECT JPKI, SELECT PIN EF, empty
// VERIFY, VERIFY, SELECT key EF, SIGN, and the clearing SELECT.
const signAPDUs = 7

// sha256DigestInfo prefixes a SHA-256 digest for SIGN (RFC 8017 §9.2).
var sha256DigestInfo = []byte{0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}

// TestAttackCardLeftVerifiedLibrary signs with each key through the
// library and keeps the connection open, as a library caller holding a
// session does: a second process that SIGNs with either key without VERIFY
// must get 6982, because the transaction ended with a SELECT of the JPKI
// application. After Close (a card reset) the key EF is not even
// selectable: no application is selected.
func TestAttackCardLeftVerifiedLibrary(t *testing.T) {
	r := newRig(t, rigConfig{})
	ctx := ctxT(t)
	sum := sha256.Sum256([]byte("a document"))
	di := append(append([]byte(nil), sha256DigestInfo...), sum[:]...)
	jpkiSelect := append([]byte{0x00, 0xA4, 0x04, 0x0C, 0x0A}, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01)
	// The clearing SELECT refused (6F00): the transaction ends with a card
	// reset instead, the signature is still returned, and the library's
	// own connection keeps working.
	r.vc.SetFaults(virtual.Fault{Kind: virtual.FaultStatus, At: r.vc.received() + signAPDUs, SW: 0x6F00})
	if _, err := r.j.Sign(ctx, card.SignKey, answer(jpkitest.DefaultSignPIN).ask, di); err != nil {
		t.Fatalf("Sign with the clearing SELECT refused: %v", err)
	}
	r.vc.SetFaults()
	for _, key := range intruder.Keys {
		res := intruder.Attack(t, r.slot.Reader, key, false)
		name := intruder.Name("library Sign whose clearing SELECT was refused (reset instead)", key, false)
		verdict := "refused: " + res.String()
		if res.SelectEF != intruder.SWFileNotFound || !res.Refused() {
			verdict = "NOT AS EXPECTED: " + res.String()
			t.Errorf("%s: %s, want SELECT EF 6A82 (reset) and no signature", name, res)
		}
		t.Logf("ATTACK | %s | SELECT EF 6A82 after the reset, no signature | %s", name, verdict)
	}
	if _, err := r.j.PINStatus(ctx, card.AuthPIN); err != nil {
		t.Errorf("PINStatus on the same connection after the reset: %v", err)
	}
	for _, k := range keyTable {
		r.vc.resetLog()
		if _, err := r.j.Sign(ctx, k.key, answer(k.pin).ask, di); err != nil {
			t.Fatalf("Sign with the %s: %v", k.key, err)
		}
		cmds := r.vc.commands()
		if last := cmds[len(cmds)-1]; !bytes.Equal(last, jpkiSelect) {
			t.Errorf("last APDU of Sign with the %s = %X, want the clearing SELECT %X", k.key, last, jpkiSelect)
		}
		after := "library Sign with the " + k.key.String() + ", connection kept open"
		for _, key := range intruder.Keys {
			for _, sel := range []bool{false, true} {
				res := intruder.Attack(t, r.slot.Reader, key, sel)
				name := intruder.Name(after, key, sel)
				verdict := "refused: " + res.String()
				if res.SelectEF != intruder.SWOK || res.Sign != intruder.SWSecurityStatus || res.Signed() {
					verdict = "NOT AS EXPECTED: " + res.String()
					t.Errorf("%s: %s, want SELECT EF 9000 and SIGN 6982", name, res)
				}
				t.Logf("ATTACK | %s | SIGN 6982 (the PIN state was dropped by the SELECT) | %s", name, verdict)
			}
		}
	}
	// Close resets the card a PIN was presented to.
	if err := r.reader.Close(); err != nil {
		t.Fatal(err)
	}
	for _, key := range intruder.Keys {
		res := intruder.Attack(t, r.slot.Reader, key, false)
		name := intruder.Name("library Close after Sign", key, false)
		verdict := "refused: " + res.String()
		if res.SelectEF != intruder.SWFileNotFound || res.Signed() || !res.Refused() {
			verdict = "NOT AS EXPECTED: " + res.String()
			t.Errorf("%s: %s, want SELECT EF 6A82 (the reset left no application selected) and no signature", name, res)
		}
		t.Logf("ATTACK | %s | SELECT EF 6A82 after the reset, no signature | %s", name, verdict)
	}
}
