package pcscpath

import (
	"bytes"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// TestTextApplication reads the text application through pcscd with each
// of its three credentials and checks what each opens (the PIN both
// records, 照合番号A the number only, 照合番号B the basic four only) and
// the integrity record verified to the virtual card's pinned test key.
func TestTextApplication(t *testing.T) {
	keys, err := card.NewCVCAKeys(card.WithTestCVCAKeys())
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigConfig{})
	ctx := ctxT(t)
	ct := r.contents
	text := r.j.Text()

	basic, err := text.ReadBasic(ctx, answer(jpkitest.DefaultAuthPIN).ask)
	if err != nil {
		t.Fatalf("ReadBasic: %v", err)
	}
	if basic.Name != ct.Name || basic.Address != ct.Address || basic.BirthDate.Format("20060102") != ct.BirthDate || basic.Sex != card.SexMale {
		t.Errorf("ReadBasic = %+v, want %s / %s / %s / male", basic, ct.Name, ct.Address, ct.BirthDate)
	}
	n, err := text.ReadNumber(ctx, answer(jpkitest.DefaultAuthPIN).ask)
	if err != nil || n.Reveal() != ct.Number {
		t.Fatalf("ReadNumber = %v, %v; want the holder's number", n, err)
	}

	for _, pin := range []struct {
		k   card.PINKind
		val string
		ref virtual.PINRef
	}{
		{card.TextPIN, jpkitest.DefaultAuthPIN, virtual.PINText},
		{card.TextPINA, ct.Number, virtual.PINTextA},
		{card.TextPINB, ct.PINB, virtual.PINTextB},
	} {
		rec, err := text.ReadText(ctx, pin.k, answer(pin.val).ask)
		if err != nil {
			t.Fatalf("ReadText(%v): %v", pin.k, err)
		}
		if rec.Fields != card.TextFieldsOpenedBy(pin.k) ||
			rec.Has(card.TextNumberField) != (rec.Number.Reveal() == ct.Number) || rec.Has(card.TextBasicField) != (rec.Basic.Name == ct.Name) {
			t.Errorf("ReadText(%v) = %v, want what it opens of the holder's record", pin.k, rec)
		}
		v, err := rec.Verify(keys)
		if err != nil || v.CAKey.Name() != "9000033" || !v.CAKey.Test() ||
			v.NumberChecked != rec.Has(card.TextNumberField) || v.BasicChecked != rec.Has(card.TextBasicField) {
			t.Errorf("Verify after ReadText(%v) = %+v, %v; want verified to test key 9000033", pin.k, v, err)
		}
		if got := r.vc.TriesLeft(pin.ref); got != fullTries(pin.ref) {
			t.Errorf("%v counter = %d after a correct PIN", pin.k, got)
		}
	}
}

// TestSurfaceApplication reads the card face through pcscd with 照合番号A,
// 照合番号B and the kiosk path (text PIN only), and checks the face photo,
// its format and DF28 verified to the virtual card's pinned test key.
func TestSurfaceApplication(t *testing.T) {
	keys, err := card.NewCVCAKeys(card.WithTestCVCAKeys())
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigConfig{})
	ctx := ctxT(t)
	ct := r.contents
	surf := r.j.Surface()
	reads := []struct {
		name string
		read func() (*card.Surface, error)
	}{
		{"照合番号A", func() (*card.Surface, error) { return surf.ReadSurface(ctx, card.SurfacePINA, answer(ct.Number).ask) }},
		{"照合番号B", func() (*card.Surface, error) { return surf.ReadSurface(ctx, card.SurfacePINB, answer(ct.PINB).ask) }},
		{"text PIN", func() (*card.Surface, error) {
			return surf.ReadSurfaceWithTextPIN(ctx, answer(jpkitest.DefaultAuthPIN).ask)
		}},
	}
	for _, rd := range reads {
		s, err := rd.read()
		if err != nil {
			t.Fatalf("reading the surface with %s: %v", rd.name, err)
		}
		if !bytes.Equal(s.FacePhoto, ct.FacePhoto) || s.PhotoFormat != card.DetectImageFormat(ct.FacePhoto) || s.PhotoFormat == card.FormatUnknown {
			t.Errorf("%s: face photo of %d bytes (%v), want the holder's %d bytes", rd.name, len(s.FacePhoto), s.PhotoFormat, len(ct.FacePhoto))
		}
		if !bytes.Equal(s.NameImage, ct.NameImage) || !bytes.Equal(s.AddressImage, ct.AddressImage) || s.Expiry != ct.Expiry || s.BirthDate != ct.BirthDate {
			t.Errorf("%s: surface fields differ from the holder's", rd.name)
		}
		if v, err := s.Verify(keys); err != nil || v.CAKey.Name() != "9000023" {
			t.Errorf("%s: card face verification: %+v, %v", rd.name, v, err)
		}
	}
	for _, ref := range []virtual.PINRef{virtual.PINSurfaceA, virtual.PINSurfaceB, virtual.PINText} {
		if got := r.vc.TriesLeft(ref); got != fullTries(ref) {
			t.Errorf("%v counter = %d after correct PINs, want %d", ref, got, fullTries(ref))
		}
	}
}

// fullTries is the full retry counter of ref on the default virtual card.
func fullTries(ref virtual.PINRef) int {
	for _, p := range pinTable {
		if p.ref == ref {
			return p.full
		}
	}
	return -1
}
