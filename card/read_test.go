package card_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// A card answers a READ whose Le runs past the end of the EF with 9000 and
// the bytes there are (what a real card does, the virtual card's default),
// 6282 with them, or 6B00 or 6700 without (docs/card.md, "READ BINARY"):
// every read, of every application, must work with each.
func TestShortReadStatusVariants(t *testing.T) {
	ctx := context.Background()
	for _, sw := range []uint16{apdu.SWEndOfFileWarning, apdu.SWOK, apdu.SWWrongParametersP1P2, apdu.SWWrongLength} {
		for _, ext := range []bool{false, true} {
			t.Run(fmt.Sprintf("%04X extended=%v", sw, ext), func(t *testing.T) {
				f := newFixture(t, fixtureConfig{caps: reader.Capabilities{ExtendedLength: ext}, vopts: []virtual.Option{virtual.WithShortReadStatus(sw)}})
				der, err := f.j.ReadCertificate(ctx, card.AuthKey)
				if err != nil || !bytes.Equal(der, f.h.AuthCert.Raw) {
					t.Fatalf("ReadCertificate: %d bytes, %v", len(der), err)
				}
				if !ext && f.cnt.count(insReadBinary) != ceilDiv(len(der), 256) {
					t.Errorf("%d READ for %d bytes", f.cnt.count(insReadBinary), len(der))
				}
				b, err := f.j.Text().ReadBasic(ctx, pin(jpkitest.DefaultAuthPIN).prompt)
				if err != nil || b.Name != f.h.Spec.Name {
					t.Errorf("ReadBasic = %+v, %v", b, err)
				}
				n, _ := card.ParseNumber(f.h.Spec.Number)
				s, err := f.j.Surface().ReadSurface(ctx, card.SurfacePINA, pin(string(card.PINA(n))).prompt)
				if err != nil || !bytes.Equal(s.FacePhoto, f.h.Contents().FacePhoto) {
					t.Errorf("ReadSurface: %v", err)
				}
				if p, err := f.j.Present(ctx); err != nil || !p.AuthCert {
					t.Errorf("Present = %+v, %v", p, err)
				}
			})
		}
	}
}

// hugeCert answers SELECT with 9000 and every READ with the header of a
// DER object longer than 15-bit offsets can address.
type hugeCert struct{ reads int }

func (h *hugeCert) ATR() []byte { return nil }
func (h *hugeCert) Transmit(c []byte) []byte {
	switch c[1] {
	case insSelect:
		return []byte{0x90, 0x00}
	case insReadBinary:
		h.reads++
		return append(append([]byte{0x30, 0x83, 0x01, 0x00, 0x00}, make([]byte, 251)...), 0x90, 0x00)
	}
	return []byte{0x6D, 0x00}
}

func TestReadCertificateBeyondOffsetLimit(t *testing.T) {
	h := &hugeCert{}
	// Open on a real virtual card (detection needs the token), then swap
	// in the card whose certificate cannot be addressed.
	vc, err := virtual.NewMyNumberCard(defaultHolder().Contents())
	if err != nil {
		t.Fatal(err)
	}
	sw := &switcher{RawCard: vc}
	j, err := card.OpenJPKI(context.Background(), reader.Loopback("switch", sw, reader.Capabilities{}), card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sw.RawCard = h
	_, err = j.ReadCertificate(context.Background(), card.AuthKey)
	if err == nil || !strings.Contains(err.Error(), "15-bit") {
		t.Errorf("ReadCertificate of a 64 KiB object: %v", err)
	}
	if h.reads != 1 {
		t.Errorf("%d READ sent for an object that cannot be read", h.reads)
	}
}

// switcher forwards to a RawCard that a test can swap.
type switcher struct{ reader.RawCard }

// chokingReader is a reader.Card whose transport fails (with an error
// that is not one of reader's sentinels) on every extended-length APDU,
// as some PC/SC drivers do, while claiming to support them.
type chokingReader struct {
	reader.Card
	choked int
}

var errDriver = errors.New("driver: transmit failed")

func (c *chokingReader) Transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	if len(capdu) >= 7 && capdu[4] == 0 {
		c.choked++
		return nil, errDriver
	}
	return c.Card.Transmit(ctx, capdu)
}

func (c *chokingReader) Transaction(ctx context.Context, fn func(context.Context, reader.Transport) error) error {
	return c.Card.Transaction(ctx, func(ctx context.Context, _ reader.Transport) error { return fn(ctx, c) })
}

func TestExtendedTransportErrorFallback(t *testing.T) {
	vc, err := virtual.NewMyNumberCard(defaultHolder().Contents())
	if err != nil {
		t.Fatal(err)
	}
	rc := &chokingReader{Card: reader.Loopback("choking", vc, reader.Capabilities{ExtendedLength: true})}
	j, err := card.OpenJPKI(context.Background(), rc, card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []certEF{authCertEF, authCACertEF} {
		der, err := readCertEF(context.Background(), j, f)
		if err != nil || len(der) < 1000 {
			t.Fatalf("ReadCertificate(%v): %d bytes, %v", f, len(der), err)
		}
	}
	if rc.choked != 1 {
		t.Errorf("extended length tried %d times, want once", rc.choked)
	}
	// With ExtendedAlways the driver's error is reported.
	j, err = card.OpenJPKI(context.Background(), rc, card.Options{Extended: card.ExtendedAlways})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.ReadCertificate(context.Background(), card.AuthKey); !errors.Is(err, errDriver) {
		t.Errorf("ExtendedAlways: %v", err)
	}
}
