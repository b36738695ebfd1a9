package card_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// scCounter counts the APDUs a virtual card receives: VERIFYs with data
// (a PIN presented) apart from empty ones (tries read), and SIGNs.
type scCounter struct {
	reader.RawCard
	mu                     sync.Mutex
	verifyPIN, verifyEmpty int
	signs, transmitsTotal  int
}

func (c *scCounter) Transmit(capdu []byte) []byte {
	c.mu.Lock()
	c.transmitsTotal++
	if len(capdu) >= 4 {
		switch capdu[1] {
		case 0x20: // VERIFY
			if len(capdu) > 5 {
				c.verifyPIN++
			} else {
				c.verifyEmpty++
			}
		case 0x2A: // SIGN
			c.signs++
		}
	}
	c.mu.Unlock()
	return c.RawCard.Transmit(capdu)
}

func scFixture(t *testing.T, opts card.Options, vopts ...virtual.Option) (*card.JPKI, *scCounter, *jpkitest.Holder) {
	t.Helper()
	h := jpkitest.DefaultHolder()
	vc, err := virtual.NewMyNumberCard(h.Contents(), vopts...)
	if err != nil {
		t.Fatal(err)
	}
	cnt := &scCounter{RawCard: vc}
	j, err := card.OpenJPKI(context.Background(), reader.Loopback("virtual", cnt, reader.Capabilities{}), opts)
	if err != nil {
		t.Fatal(err)
	}
	cnt.mu.Lock()
	cnt.verifyPIN, cnt.verifyEmpty, cnt.signs, cnt.transmitsTotal = 0, 0, 0, 0
	cnt.mu.Unlock()
	return j, cnt, h
}

func scDigestInfo(msg string) []byte {
	d := sha256.Sum256([]byte(msg))
	return append([]byte{0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}, d[:]...)
}

func TestSignWithSignCertificate(t *testing.T) {
	ctx := context.Background()
	di := scDigestInfo("challenge")
	digest := di[len(di)-sha256.Size:]
	tests := []struct {
		name       string
		pin        string
		opts       card.Options
		vopts      []virtual.Option
		approve    card.SignApproval
		wantErr    error
		wantPINs   int // VERIFYs carrying a PIN
		wantSigns  int
		wantPrompt int
	}{
		{name: "ok", pin: jpkitest.DefaultSignPIN, wantPINs: 1, wantSigns: 1, wantPrompt: 1},
		{name: "lower case accepted", pin: "abc123", wantPINs: 1, wantSigns: 1, wantPrompt: 1},
		{name: "approved", pin: jpkitest.DefaultSignPIN, approve: func(context.Context, []byte) error { return nil }, wantPINs: 1, wantSigns: 1, wantPrompt: 1},
		{name: "refused by approve", pin: jpkitest.DefaultSignPIN, approve: func(context.Context, []byte) error { return errors.New("holder said no") },
			wantErr: card.ErrNotApproved, wantPINs: 1, wantSigns: 0, wantPrompt: 1},
		{name: "wrong PIN", pin: "WRONG1", wantErr: &card.PINError{}, wantPINs: 1, wantSigns: 0, wantPrompt: 1},
		{name: "bad format", pin: "12", wantErr: card.ErrPINFormat, wantPINs: 0, wantPrompt: 1},
		{name: "last try refused", pin: jpkitest.DefaultSignPIN, vopts: []virtual.Option{virtual.WithMaxTries(virtual.PINJPKISign, 1)},
			wantErr: card.ErrLastTry, wantPINs: 0, wantPrompt: 0},
		{name: "last try allowed", pin: jpkitest.DefaultSignPIN, opts: card.Options{AllowLastTry: true}, vopts: []virtual.Option{virtual.WithMaxTries(virtual.PINJPKISign, 1)},
			wantPINs: 1, wantSigns: 1, wantPrompt: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, cnt, h := scFixture(t, tt.opts, tt.vopts...)
			var returned [][]byte
			prompts := 0
			prompt := func(_ context.Context, k card.PINKind, _ int) ([]byte, error) {
				prompts++
				if k != card.SignPIN {
					t.Errorf("prompt asked for %v", k)
				}
				b := []byte(tt.pin)
				returned = append(returned, b)
				return b, nil
			}
			var approved []byte
			approve := tt.approve
			if approve != nil {
				inner := approve
				approve = func(ctx context.Context, der []byte) error { approved = der; return inner(ctx, der) }
			}
			der, sig, err := j.SignWithSignCertificate(ctx, prompt, di, approve)
			switch pe := (*card.PINError)(nil); {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr != nil && errors.As(tt.wantErr, &pe):
				if !errors.As(err, &pe) || pe.Remaining != 4 {
					t.Fatalf("err = %v, want *PINError with 4 left", err)
				}
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if cnt.verifyPIN != tt.wantPINs || cnt.signs != tt.wantSigns || prompts != tt.wantPrompt {
				t.Errorf("VERIFY with PIN %d, SIGN %d, prompts %d; want %d, %d, %d", cnt.verifyPIN, cnt.signs, prompts, tt.wantPINs, tt.wantSigns, tt.wantPrompt)
			}
			if tt.wantPrompt > 0 && cnt.verifyEmpty < 1 {
				t.Errorf("tries not read before VERIFY")
			}
			for _, b := range returned {
				if !bytes.Equal(b, make([]byte, len(b))) {
					t.Errorf("PIN not wiped")
				}
			}
			if tt.approve != nil && !bytes.Equal(approved, h.SignCert.Raw) {
				t.Errorf("approve saw %d bytes, not the signing certificate", len(approved))
			}
			if tt.wantErr != nil {
				if der != nil || sig != nil {
					t.Errorf("results returned with an error")
				}
				return
			}
			if !bytes.Equal(der, h.SignCert.Raw) {
				t.Errorf("certificate differs from the holder's")
			}
			if err := rsa.VerifyPKCS1v15(h.SignCert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest, sig); err != nil {
				t.Errorf("signature: %v", err)
			}
		})
	}
}

func TestSignWithSignCertificateBadDigestInfo(t *testing.T) {
	j, cnt, _ := scFixture(t, card.Options{})
	prompt := func(context.Context, card.PINKind, int) ([]byte, error) { return []byte(jpkitest.DefaultSignPIN), nil }
	if _, _, err := j.SignWithSignCertificate(context.Background(), prompt, nil, nil); err == nil {
		t.Fatal("empty DigestInfo accepted")
	}
	if cnt.transmitsTotal != 0 {
		t.Errorf("%d APDUs sent for a refused input", cnt.transmitsTotal)
	}
}
