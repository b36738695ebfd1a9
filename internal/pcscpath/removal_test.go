package pcscpath

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// removalBound is how long a removed card may take to surface as an
// error. pcscd notices a closed vpcd connection within about 0.4 s; a
// pending Transmit fails at once.
const removalBound = 5 * time.Second

// signLatency keeps the card busy with SIGN long enough for the test to
// pull it out while the command is with the card; pendingBound is how soon
// the removal must then surface: well before the card would have answered.
const (
	signLatency  = 3 * time.Second
	pendingBound = 2 * time.Second
)

// TestCardRemovedMidSignature pulls the card out at three points of a
// signature through pcscd: during the PIN prompt (after the tries were
// read), as the SIGN command arrives (the card vanishes instead of
// answering), and while the card is computing the signature (the vpcd
// connection is closed under a pending SIGN). Each must return an error
// matching reader.ErrCardRemoved within removalBound, and no signature.
func TestCardRemovedMidSignature(t *testing.T) {
	tests := []struct {
		name string
		// arm prepares the removal; it returns after setting it up.
		arm func(r *rig, p *prompt)
		// verifySent says whether the PIN reached the card.
		verifySent bool
		// bound is how long the removal may take to surface.
		bound time.Duration
	}{
		{"during the PIN prompt", func(r *rig, p *prompt) {
			p.during = func(context.Context) {
				r.in.Conn.Remove()
				time.Sleep(500 * time.Millisecond) // let pcscd see it
			}
		}, false, removalBound},
		{"as SIGN arrives", func(r *rig, _ *prompt) {
			r.vc.SetFaults(virtual.Fault{Kind: virtual.FaultRemove, MatchINS: true, INS: insSign})
		}, true, removalBound},
		{"while the card computes the signature", func(r *rig, _ *prompt) {
			r.vc.SetFaults(virtual.Fault{Kind: virtual.FaultLatency, MatchINS: true, INS: insSign, Delay: signLatency})
			r.vc.setOnCommand(func(c []byte) {
				if c[1] == insSign {
					go func() {
						time.Sleep(100 * time.Millisecond)
						r.in.Conn.Remove()
					}()
				}
			})
		}, true, pendingBound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, rigConfig{})
			ctx := ctxT(t)
			p := answer(jpkitest.DefaultAuthPIN)
			tt.arm(r, p)
			_, info := sha256Info(t, "never signed")

			start := time.Now()
			sig, err := r.j.Sign(ctx, card.AuthKey, p.ask, info)
			took := time.Since(start)
			if !errors.Is(err, reader.ErrCardRemoved) {
				t.Fatalf("Sign with the card pulled %s = %v, want an error matching reader.ErrCardRemoved", tt.name, err)
			}
			if sig != nil {
				t.Fatalf("Sign returned %d signature bytes with the card pulled", len(sig))
			}
			if took > tt.bound {
				t.Errorf("Sign took %v to report the removal, want under %v", took, tt.bound)
			}
			t.Logf("removal reported after %v: %v", took.Round(time.Millisecond), err)

			cmds := r.vc.commands()
			sent := false
			for _, c := range cmds {
				if c[1] == insVerify && len(c) > headerLen {
					sent = true
				}
			}
			if sent != tt.verifySent {
				t.Errorf("VERIFY with the PIN sent = %v, want %v", sent, tt.verifySent)
			}
			if !tt.verifySent && r.vc.TriesLeft(virtual.PINJPKIAuth) != virtual.MaxTriesJPKIAuth {
				t.Errorf("a try was spent although the PIN never reached the card")
			}

			// The connection stays unusable and says why.
			if _, err := r.j.PINStatus(ctx, card.AuthPIN); !errors.Is(err, reader.ErrCardRemoved) {
				t.Errorf("PINStatus after the removal = %v, want reader.ErrCardRemoved", err)
			}
		})
	}
}

// TestCardRemovedMidRead pulls the card out at the third READ BINARY of a
// certificate on a short-APDU reader: the read fails with
// reader.ErrCardRemoved and returns no partial certificate.
func TestCardRemovedMidRead(t *testing.T) {
	r := newRig(t, rigConfig{opts: card.Options{Extended: card.ExtendedNever}})
	const readsBefore = 2
	// The removal hits APDU number: the ones so far, the two SELECTs, the
	// READs that succeed, then the next one.
	r.vc.SetFaults(virtual.Fault{Kind: virtual.FaultRemove, At: r.vc.received() + certSelectAPDU + readsBefore + 1})
	start := time.Now()
	der, err := r.j.ReadCertificate(ctxT(t), card.AuthKey)
	if !errors.Is(err, reader.ErrCardRemoved) || der != nil {
		t.Fatalf("ReadCertificate with the card pulled = %d bytes, %v; want none and reader.ErrCardRemoved", len(der), err)
	}
	if took := time.Since(start); took > removalBound {
		t.Errorf("the removal took %v to surface", took)
	}
	if n := countINS(r.vc.commands(), insReadBinary); n != readsBefore+1 {
		t.Errorf("the card received %d READ BINARY, want %d (the last one unanswered)", n, readsBefore+1)
	}
}
