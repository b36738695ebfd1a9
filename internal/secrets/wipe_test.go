package secrets

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/store/storeopen"
)

// capture is a PIN prompt that hands out fresh slices and keeps them, so
// that the test can look at them after the library is done.
type capture struct {
	mu     sync.Mutex
	pins   map[card.PINKind]string
	given  [][]byte
	kinds  []card.PINKind
	asked  int
	result func(card.PINKind) []byte
}

func newCapture(c virtual.Contents, h *jpkitest.Holder) *capture {
	pb, _ := h.PINB()
	return &capture{pins: map[card.PINKind]string{
		card.AuthPIN: c.AuthPIN, card.SignPIN: c.SignPIN, card.TextPIN: c.TextPIN,
		card.TextPINA: c.Number, card.SurfacePINA: c.Number, card.TextPINB: pb, card.SurfacePINB: pb,
	}}
}

func (c *capture) prompt(_ context.Context, k card.PINKind, _ int) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked++
	var b []byte
	if c.result != nil {
		b = c.result(k)
	} else {
		b = []byte(c.pins[k])
	}
	c.given = append(c.given, b)
	c.kinds = append(c.kinds, k)
	return b, nil
}

// check fails t for every slice handed out that still holds a non-zero
// byte.
func (c *capture) check(t *testing.T, what string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, b := range c.given {
		for _, x := range b {
			if x != 0 {
				t.Errorf("%s: the %v slice returned by the prompt is not wiped after the call: % X", what, c.kinds[i], b)
				break
			}
		}
	}
}

type fixture struct {
	h    *jpkitest.Holder
	c    virtual.Contents
	conf *confirm.Confirmer
}

func newFixture(t *testing.T) *fixture {
	h := jpkitest.DefaultHolder()
	p := jpkitest.Default()
	roots, err := jpki.NewRoots(jpki.WithTestHierarchy(append(p.Roots(card.SignKey), p.Roots(card.AuthKey)...)...))
	if err != nil {
		t.Fatal(err)
	}
	st, err := storeopen.Open(context.Background(), t.TempDir()+"/store.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	conf, err := confirm.New(confirm.Config{Roots: roots, Enrolments: st, Records: st, Eligibility: st, RevocationPolicy: revocation.PolicySoft, Now: jpkitest.ReferenceTime})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{h: h, c: h.Contents(), conf: conf}
}

// TestPINBuffersWiped: after every operation that asks for a PIN, on
// success and on each failure path, every byte of the slice the prompt
// returned is zero (card.PINPrompt: "the library wipes the returned slice
// after use").
func TestPINBuffersWiped(t *testing.T) {
	fx := newFixture(t)
	di := func() []byte {
		d := sha256.Sum256([]byte("wipe"))
		b, _ := jpki.DigestInfo(crypto.SHA256, d[:])
		return b
	}()
	signCert, err := jpki.Parse(fx.c.SignCert)
	if err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		run  func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error
	}{
		{"sign auth", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			_, err := j.Sign(ctx, card.AuthKey, p, di)
			return err
		}},
		{"sign sign", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			_, err := j.Sign(ctx, card.SignKey, p, di)
			return err
		}},
		{"read sign cert", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			_, err := j.ReadSignCertificate(ctx, p)
			return err
		}},
		{"sign with sign cert", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			_, _, err := j.SignWithSignCertificate(ctx, p, di, nil)
			return err
		}},
		{"text", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			_, err := j.Text().ReadText(ctx, card.TextPIN, p)
			return err
		}},
		{"text with number", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			_, err := j.Text().ReadText(ctx, card.TextPINA, p)
			return err
		}},
		{"face with text PIN", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			_, err := j.Surface().ReadSurfaceWithTextPIN(ctx, p)
			return err
		}},
		{"face with PIN B", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			_, err := j.Surface().ReadSurface(ctx, card.SurfacePINB, p)
			return err
		}},
		{"change auth PIN (to itself)", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			return j.ChangePIN(ctx, card.AuthPIN, p, p)
		}},
		{"cms", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			s, err := jpki.NewSigner(ctx, j, card.SignKey, signCert, p)
			if err != nil {
				return err
			}
			_, err = jpki.SignCMS([]byte("data"), s, signCert.Certificate, nil, jpki.CMSOptions{SigningTime: jpkitest.ReferenceTime()})
			return err
		}},
		{"identify", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			_, err := fx.conf.Identify(ctx, j, confirm.IdentifyOptions{Prompt: p})
			return err
		}},
		{"qualify", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			_, err := fx.conf.Qualify(ctx, j, confirm.QualifyOptions{Prompt: p})
			return err
		}},
	}
	paths := []struct {
		name string
		// fault is planned after the card is opened; result overrides the
		// PIN typed.
		fault   func(vc *virtual.Card) virtual.Fault
		result  func(card.PINKind) []byte
		wantErr bool
	}{
		{name: "ok"},
		{name: "wrong PIN", result: func(k card.PINKind) []byte { return wrongPIN(k) }, wantErr: true},
		{name: "bad format", result: func(card.PINKind) []byte { return []byte("12x4!") }, wantErr: true},
		{name: "card removed at the VERIFY", wantErr: true, fault: func(*virtual.Card) virtual.Fault {
			return virtual.Fault{Kind: virtual.FaultRemove, MatchINS: true, INS: 0x20, At: 0}
		}},
		{name: "card removed after the VERIFY", wantErr: true, fault: func(*virtual.Card) virtual.Fault {
			return virtual.Fault{Kind: virtual.FaultRemove, MatchINS: true, INS: 0xB0}
		}},
		{name: "6F00 at SIGN or READ", wantErr: true, fault: func(*virtual.Card) virtual.Fault {
			return virtual.Fault{Kind: virtual.FaultStatus, SW: 0x6F00, MatchINS: true, INS: 0x2A}
		}},
	}
	for _, op := range ops {
		for _, p := range paths {
			t.Run(op.name+"/"+p.name, func(t *testing.T) {
				vc, err := virtual.NewMyNumberCard(fx.c)
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				j, err := card.OpenJPKI(ctx, reader.Loopback("virtual", vc, reader.Capabilities{}), card.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if p.fault != nil {
					vc.SetFaults(p.fault(vc))
				}
				c := newCapture(fx.c, fx.h)
				c.result = p.result
				err = op.run(ctx, j, c.prompt)
				if p.name == "ok" && err != nil {
					t.Fatalf("%s: %v", op.name, err)
				}
				if p.result != nil && err == nil {
					t.Fatalf("%s with a %s: no error", op.name, p.name)
				}
				if err != nil {
					for _, b := range c.given {
						if len(b) > 0 && strings.Contains(err.Error(), string(b)) {
							t.Errorf("error %q contains the PIN", err)
						}
					}
				}
				c.check(t, op.name+"/"+p.name)
			})
		}
	}
}

// wrongPIN is a PIN of the right format that is not the card's.
func wrongPIN(k card.PINKind) []byte {
	switch k {
	case card.SignPIN:
		return []byte("WRONG1")
	case card.TextPINA, card.SurfacePINA:
		return []byte("123456789018")
	case card.TextPINB, card.SurfacePINB:
		return []byte("60010120301111")
	}
	return []byte("9999")
}

// TestLastTryNotAsked: with one try left the library refuses before asking,
// so no PIN is typed at all.
func TestLastTryNotAsked(t *testing.T) {
	fx := newFixture(t)
	vc, err := virtual.NewMyNumberCard(fx.c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	j, err := card.OpenJPKI(ctx, reader.Loopback("virtual", vc, reader.Capabilities{}), card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := newCapture(fx.c, fx.h)
	c.result = func(card.PINKind) []byte { return []byte("9999") }
	for range 2 {
		_, _ = j.Sign(ctx, card.AuthKey, c.prompt, []byte{1})
	}
	c.check(t, "wrong PIN twice")
	asked := c.asked
	_, err = j.Sign(ctx, card.AuthKey, c.prompt, []byte{1})
	if !errors.Is(err, card.ErrLastTry) {
		t.Fatalf("third Sign: %v, want ErrLastTry", err)
	}
	if c.asked != asked {
		t.Errorf("the prompt was asked for a PIN that the library then refused to send")
	}
	if n := vc.TriesLeft(virtual.PINJPKIAuth); n != 1 {
		t.Errorf("tries left %d, want 1", n)
	}
}

// TestTraceMasksNumber: the Options.Trace hook (what --trace prints) never
// sees the Individual Number, in clear or as the hex of its digits: not in
// the READ BINARY answer of text EF 0001, and not in the VERIFY of
// 照合番号A that ReadSurfaceWithTextPIN sends with it.
func TestTraceMasksNumber(t *testing.T) {
	fx := newFixture(t)
	num := []byte(fx.c.Number)
	for _, op := range []struct {
		name string
		run  func(context.Context, *card.JPKI, card.PINPrompt) error
	}{
		{"text", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			_, err := j.Text().ReadText(ctx, card.TextPIN, p)
			return err
		}},
		{"number", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			_, err := j.Text().ReadNumber(ctx, p)
			return err
		}},
		{"face with text PIN", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			_, err := j.Surface().ReadSurfaceWithTextPIN(ctx, p)
			return err
		}},
		{"text with number as PIN", func(ctx context.Context, j *card.JPKI, p card.PINPrompt) error {
			_, err := j.Text().ReadText(ctx, card.TextPINA, p)
			return err
		}},
	} {
		vc, err := virtual.NewMyNumberCard(fx.c)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var seen [][]byte
		hook := func(ev reader.TraceEvent) {
			mu.Lock()
			seen = append(seen, ev.Command, ev.Response)
			mu.Unlock()
		}
		ctx := context.Background()
		j, err := card.OpenJPKI(ctx, reader.Loopback("virtual", vc, reader.Capabilities{}), card.Options{Trace: hook})
		if err != nil {
			t.Fatal(err)
		}
		if err := op.run(ctx, j, newCapture(fx.c, fx.h).prompt); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		for _, b := range seen {
			if bytes.Contains(b, num) {
				t.Errorf("%s: the trace hook saw the Individual Number: % X", op.name, b)
			}
		}
	}
}
