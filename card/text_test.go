package card_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

func TestReadNumberAndBasic(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, fixtureConfig{})
	text := f.j.Text()
	p := pin(jpkitest.DefaultAuthPIN)
	n, err := text.ReadNumber(ctx, p.prompt)
	if err != nil || n.Reveal() != f.h.Spec.Number {
		t.Fatalf("ReadNumber = %v, %v", n, err)
	}
	if p.kinds[0] != card.TextPIN || p.remaining[0] != virtual.MaxTriesText {
		t.Errorf("prompt told %v %v", p.kinds, p.remaining)
	}
	p.assertWiped(t)
	b, err := text.ReadBasic(ctx, pin(jpkitest.DefaultAuthPIN).prompt)
	if err != nil {
		t.Fatal(err)
	}
	s := f.h.Spec
	if b.Name != s.Name || b.Address != s.Address || b.BirthDate.Format("20060102") != s.BirthDate.Format("20060102") ||
		!b.BirthDate.Equal(time.Date(s.BirthDate.Year(), s.BirthDate.Month(), s.BirthDate.Day(), 0, 0, 0, 0, time.UTC)) ||
		b.Sex.String() == "" || int(b.Sex) != s.Sex.ISO5218() {
		t.Errorf("ReadBasic = %+v, holder %+v", b, s)
	}
}

func TestNumberRedacted(t *testing.T) {
	n, err := card.ParseNumber(defaultHolder().Spec.Number)
	if err != nil {
		t.Fatal(err)
	}
	digits := n.Reveal()
	type wrapper struct{ N card.Number }
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "n", n)
	js, _ := json.Marshal(wrapper{n})
	outs := []string{
		fmt.Sprint(n), fmt.Sprintf("%v %+v %#v %s %q %d %x", n, n, n, n, n, n, n),
		fmt.Sprintf("%v %+v %#v", wrapper{n}, wrapper{n}, wrapper{n}), n.String(), string(js), logged.String(),
	}
	for _, o := range outs {
		if strings.Contains(o, digits) || strings.Contains(o, digits[:6]) {
			t.Errorf("number leaked: %s", o)
		}
	}
	if !strings.Contains(outs[0], "************") {
		t.Errorf("String = %q", outs[0])
	}
}

func TestCheckDigit(t *testing.T) {
	tests := []struct {
		n    string
		want bool
	}{
		{"123456789018", true}, // card/virtual's test number
		{"123456789010", false},
		{"000000000000", true}, // sum 0: check digit 0
		{"12345678901", false},
		{"1234567890188", false},
		{"12345678901a", false},
	}
	for _, tt := range tests {
		_, err := card.ParseNumber(tt.n)
		if (err == nil) != tt.want {
			t.Errorf("ParseNumber(%q) = %v, want valid %v", tt.n, err, tt.want)
		}
		if err != nil && !errors.Is(err, card.ErrBadNumber) {
			t.Errorf("ParseNumber(%q) error %v does not wrap ErrBadNumber", tt.n, err)
		}
	}
	// Agreement with the test PKI's independent implementation.
	for _, first := range []string{"12345678901", "98765432109", "00000000011", "55555555555", "31415926535"} {
		want, err := jpkitest.CheckDigit(first)
		if err != nil {
			t.Fatal(err)
		}
		if got := card.CheckDigit([]byte(first)); got != int(want-'0') && got != int(want) {
			t.Errorf("CheckDigit(%s) = %d, jpkitest says %v", first, got, want)
		}
	}
}

func TestReadTextAndIntegrity(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, fixtureConfig{})
	number, _ := card.ParseNumber(f.h.Spec.Number)
	pinB, err := card.PINB(f.h.Spec.BirthDate, f.h.Spec.CardExpiry.In(time.FixedZone("JST", 9*3600)), f.h.Spec.SecurityCode)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := f.h.PINB(); string(pinB) != want {
		t.Fatalf("PINB = %s, jpkitest says %s", pinB, want)
	}
	for _, tt := range []struct {
		k   card.PINKind
		pin string
	}{{card.TextPIN, jpkitest.DefaultAuthPIN}, {card.TextPINA, string(card.PINA(number))}, {card.TextPINB, string(pinB)}} {
		p := pin(tt.pin)
		rec, err := f.j.Text().ReadText(ctx, tt.k, p.prompt)
		if err != nil {
			t.Fatalf("ReadText(%v): %v", tt.k, err)
		}
		p.assertWiped(t)
		for _, out := range []string{fmt.Sprint(rec), fmt.Sprintf("%+v %#v %v", rec, rec, *rec)} {
			if strings.Contains(out, f.h.Spec.Number[:8]) || strings.Contains(out, "49 50 51") {
				t.Errorf("TextRecord prints the number: %s", out)
			}
		}
		want := card.TextFieldsOpenedBy(tt.k)
		if rec.Fields != want || (rec.Has(card.TextNumberField) != (rec.Number.Reveal() == f.h.Spec.Number)) ||
			(rec.Has(card.TextBasicField) != (rec.Basic.Name == f.h.Spec.Name)) {
			t.Errorf("ReadText(%v) = fields %b, %v %+v", tt.k, rec.Fields, rec.Number, rec.Basic)
		}
		if rec.Integrity == nil || len(rec.Integrity.Signed) != 2*(3+32) {
			t.Errorf("ReadText(%v): integrity record %+v", tt.k, rec.Integrity)
		}
		v, err := rec.Verify(testCVKeys(t))
		if err != nil {
			t.Fatalf("Verify after %v: %v", tt.k, err)
		}
		if v.NumberChecked != rec.Has(card.TextNumberField) || v.BasicChecked != rec.Has(card.TextBasicField) ||
			v.CAKey.Name() != "9000033" || !v.CAKey.Test() || !bytes.Equal(v.CVC.SubjectKeyID[:], f.h.TextKeyID) {
			t.Errorf("Verify after %v = %+v", tt.k, v)
		}
	}
	// 照合番号A opens EF 0001 only, 照合番号B EF 0002 only: the reads never
	// ask the card for the other (no 6982 on the way).
	for _, tt := range []struct {
		k      card.PINKind
		pin    string
		absent uint16
	}{{card.TextPINA, string(card.PINA(number)), 0x0002}, {card.TextPINB, string(pinB), 0x0001}} {
		f.cnt.reset()
		if _, err := f.j.Text().ReadText(ctx, tt.k, pin(tt.pin).prompt); err != nil {
			t.Fatal(err)
		}
		for _, c := range f.cnt.commands() {
			if bytes.Equal(c, []byte{0x00, 0xA4, 0x02, 0x0C, 0x02, byte(tt.absent >> 8), byte(tt.absent)}) {
				t.Errorf("%v: selected EF %04X, which it does not open", tt.k, tt.absent)
			}
		}
	}
	if _, err := f.j.Text().ReadText(ctx, card.AuthPIN, pin("1234").prompt); err == nil {
		t.Errorf("ReadText with the auth PIN kind succeeded")
	}
}

// tamper replaces old with new in every response that contains it.
type tamper struct {
	reader.RawCard
	old, new []byte
}

func (t tamper) Transmit(c []byte) []byte {
	return bytes.ReplaceAll(t.RawCard.Transmit(c), t.old, t.new)
}

func TestIntegrityDetectsTampering(t *testing.T) {
	h := defaultHolder()
	// Same length in UTF-8, so the TLV structure survives.
	for _, tt := range []struct{ old, new string }{
		{h.Spec.Name, strings.Replace(h.Spec.Name, "太", "大", 1)},
		{h.Spec.Number[:11], h.Spec.Number[:10] + string('0'+(h.Spec.Number[10]-'0'+1)%10)},
	} {
		vc, err := virtual.NewMyNumberCard(h.Contents())
		if err != nil {
			t.Fatal(err)
		}
		rc := reader.Loopback("tampered", tamper{vc, []byte(tt.old), []byte(tt.new)}, reader.Capabilities{})
		rec, err := card.NewTextApp(rc, card.Options{}).ReadText(context.Background(), card.TextPIN, pin(jpkitest.DefaultAuthPIN).prompt)
		if err != nil {
			// A changed number digit breaks the check digit first.
			if tt.old == h.Spec.Name || !errors.Is(err, card.ErrBadNumber) {
				t.Errorf("ReadText of tampered %q: %v", tt.old, err)
			}
			continue
		}
		_, err = rec.Verify(testCVKeys(t))
		var cve *card.CVError
		if !errors.As(err, &cve) || cve.Reason != card.CVReasonTampered || !errors.Is(err, card.ErrIntegrity) {
			t.Errorf("tampered %q: Verify = %v, want CVReasonTampered", tt.old, err)
		}
	}
}

func TestTextWithoutIntegrityRecord(t *testing.T) {
	f := newFixture(t, fixtureConfig{contents: func(c *virtual.Contents) { c.TextKey = nil }})
	rec, err := f.j.Text().ReadText(context.Background(), card.TextPIN, pin(jpkitest.DefaultAuthPIN).prompt)
	if err != nil {
		t.Fatal(err)
	}
	var cve *card.CVError
	if _, err := rec.Verify(testCVKeys(t)); !errors.As(err, &cve) || cve.Reason != card.CVReasonNoRecord || !errors.Is(err, card.ErrNoIntegrityRecord) {
		t.Errorf("Verify without EF 0003: %v", err)
	}
}

func TestReadSurface(t *testing.T) {
	ctx := context.Background()
	for _, ext := range []bool{false, true} {
		f := newFixture(t, fixtureConfig{caps: reader.Capabilities{ExtendedLength: ext}})
		number, _ := card.ParseNumber(f.h.Spec.Number)
		// 照合番号B from the card face as a user reads it.
		pinB, err := card.PINB(f.h.Spec.BirthDate, f.h.Spec.CardExpiry.In(time.FixedZone("JST", 9*3600)), f.h.Spec.SecurityCode)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			k   card.PINKind
			pin []byte
		}{{card.SurfacePINA, card.PINA(number)}, {card.SurfacePINB, pinB}} {
			p := pin(string(tt.pin))
			f.cnt.reset()
			s, err := f.j.Surface().ReadSurface(ctx, tt.k, p.prompt)
			if err != nil {
				t.Fatalf("ReadSurface(%v): %v", tt.k, err)
			}
			p.assertWiped(t)
			ct := f.h.Contents()
			if !bytes.Equal(s.FacePhoto, ct.FacePhoto) || !bytes.Equal(s.NameImage, ct.NameImage) ||
				!bytes.Equal(s.AddressImage, ct.AddressImage) || !bytes.Equal(s.SecurityCodeImage, ct.SecurityCodeImage) ||
				s.BirthDate != ct.BirthDate || s.Expiry != ct.Expiry || fmt.Sprint(int(s.Sex)) != ct.Sex {
				t.Errorf("ReadSurface(%v) differs from the card's contents", tt.k)
			}
			if s.PhotoFormat != card.FormatJPEG2000Codestream && s.PhotoFormat != card.FormatJP2 {
				t.Errorf("face photo format %v", s.PhotoFormat)
			}
			if card.DetectImageFormat(s.NameImage) != card.FormatPNG {
				t.Errorf("name image is %v", card.DetectImageFormat(s.NameImage))
			}
			if v, err := s.Verify(testCVKeys(t)); err != nil || v.CAKey.Name() != "9000023" {
				t.Errorf("Verify: %+v, %v", v, err)
			}
			if s.PublicKey == nil || s.PublicKey.N.Cmp(f.h.SurfaceAppKey.N) != 0 {
				t.Error("DF24 is not the application key")
			}
			pinB2, err := card.PINB(s.Birth, s.ExpiryDate, f.h.Spec.SecurityCode)
			if err != nil || !bytes.Equal(pinB2, pinB) {
				t.Errorf("PINB from the surface's own dates = %s, %v", pinB2, err)
			}
		}
	}
}

func TestReadSurfaceWithTextPIN(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	p := pin(jpkitest.DefaultAuthPIN)
	s, err := f.j.Surface().ReadSurfaceWithTextPIN(context.Background(), p.prompt)
	if err != nil || !bytes.Equal(s.FacePhoto, f.h.Contents().FacePhoto) {
		t.Fatalf("ReadSurfaceWithTextPIN: %v", err)
	}
	if p.calls != 1 || p.kinds[0] != card.TextPIN {
		t.Errorf("prompt asked %v", p.kinds)
	}
	p.assertWiped(t)
	if f.vc.TriesLeft(virtual.PINSurfaceA) != virtual.MaxTriesCollation {
		t.Errorf("照合番号A tries spent")
	}
}

func TestJapaneseEra(t *testing.T) {
	d := func(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		t    time.Time
		era  card.Era
		year int
	}{
		{d(1868, 1, 25), card.Meiji, 1},
		{d(1900, 1, 1), card.Meiji, 33},
		{d(1912, 7, 29), card.Meiji, 45},
		{d(1912, 7, 30), card.Taisho, 1},
		{d(1926, 12, 24), card.Taisho, 15},
		{d(1926, 12, 25), card.Showa, 1},
		{d(1985, 4, 1), card.Showa, 60},
		{d(1989, 1, 7), card.Showa, 64},
		{d(1989, 1, 8), card.Heisei, 1},
		{d(2019, 4, 30), card.Heisei, 31},
		{d(2019, 5, 1), card.Reiwa, 1},
		{d(2026, 11, 27), card.Reiwa, 8},
	}
	for _, tt := range tests {
		era, y, err := card.JapaneseEra(tt.t)
		if err != nil || era != tt.era || y != tt.year {
			t.Errorf("JapaneseEra(%s) = %v %d, %v; want %v %d", tt.t.Format(time.DateOnly), era, y, err, tt.era, tt.year)
		}
		// Agreement with the test PKI's independent implementation.
		if yymmdd, err := jpkitest.JapaneseDateYYMMDD(tt.t); err == nil {
			if got := fmt.Sprintf("%02d%02d%02d", y, int(tt.t.Month()), tt.t.Day()); got != yymmdd {
				t.Errorf("%s: %s, jpkitest says %s", tt.t.Format(time.DateOnly), got, yymmdd)
			}
		}
	}
	for _, before := range []time.Time{d(1867, 12, 31), d(1868, 1, 24)} {
		if _, _, err := card.JapaneseEra(before); !errors.Is(err, card.ErrDateOutOfRange) {
			t.Errorf("before Meiji (%s): %v", before.Format(time.DateOnly), err)
		}
	}
}

func TestPINB(t *testing.T) {
	d := func(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		birth, expiry time.Time
		code          string
		want          string
		wantErr       bool
	}{
		{d(1985, 4, 1), d(2034, 4, 1), "1234", "60040120341234", false},
		{d(2019, 5, 1), d(2029, 5, 1), "0000", "01050120290000", false},
		{d(1989, 1, 8), d(2030, 1, 8), "9999", "01010820309999", false},
		{d(1985, 4, 1), d(2034, 4, 1), "123", "", true},
		{d(1985, 4, 1), d(2034, 4, 1), "12a4", "", true},
		{d(1800, 1, 1), d(2034, 4, 1), "1234", "", true},
	}
	for _, tt := range tests {
		got, err := card.PINB(tt.birth, tt.expiry, tt.code)
		if string(got) != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("PINB(%s, %s, %s) = %q, %v; want %q", tt.birth.Format(time.DateOnly), tt.expiry.Format(time.DateOnly), tt.code, got, err, tt.want)
		}
		if err == nil {
			if _, err := card.ValidatePIN(card.SurfacePINB, got); err != nil {
				t.Errorf("PINB result fails ValidatePIN: %v", err)
			}
		}
	}
}

func TestValidatePIN(t *testing.T) {
	tests := []struct {
		k    card.PINKind
		in   string
		want string // "" means an error
	}{
		{card.AuthPIN, "1234", "1234"},
		{card.AuthPIN, "123", ""},
		{card.AuthPIN, "12345", ""},
		{card.AuthPIN, "12a4", ""},
		{card.AuthPIN, "１２３４", ""}, // full-width digits
		{card.TextPIN, "0000", "0000"},
		{card.SignPIN, "abc123", "ABC123"},
		{card.SignPIN, "ABC123", "ABC123"},
		{card.SignPIN, "A1B2C3D4E5F6G7H8", "A1B2C3D4E5F6G7H8"},
		{card.SignPIN, "A1B2C3D4E5F6G7H8I", ""},
		{card.SignPIN, "ABC12", ""},
		{card.SignPIN, "ABC 123", ""},
		{card.SignPIN, "ÄBC123", ""},
		{card.TextPINA, "123456789018", "123456789018"},
		{card.TextPINA, "123456789010", ""}, // check digit
		{card.SurfacePINA, "12345678901", ""},
		{card.TextPINB, "60040120341234", "60040120341234"},
		{card.SurfacePINB, "6004012034123", ""},
		{card.SurfacePINB, "6004012034123x", ""},
		{card.PINKind(99), "1234", ""},
	}
	for _, tt := range tests {
		in := []byte(tt.in)
		got, err := card.ValidatePIN(tt.k, in)
		if string(got) != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("ValidatePIN(%v, %q) = %q, %v; want %q", tt.k, tt.in, got, err, tt.want)
		}
		if err != nil && (!errors.Is(err, card.ErrPINFormat) || (len(tt.in) > 2 && strings.Contains(err.Error(), tt.in))) {
			t.Errorf("ValidatePIN(%v, %q) error %q", tt.k, tt.in, err)
		}
		if string(in) != tt.in {
			t.Errorf("ValidatePIN modified its input")
		}
	}
}

func TestPINErrorMessage(t *testing.T) {
	for _, e := range []*card.PINError{{card.AuthPIN, 2}, {card.SignPIN, 1}, {card.TextPIN, 0}, {card.SurfacePINB, card.RemainingUnknown}} {
		if e.Error() == "" || !errors.Is(e, errVerificationFailed()) {
			t.Errorf("%#v: %q", e, e.Error())
		}
		if errors.Is(e, card.ErrPINBlocked) != (e.Remaining == 0) {
			t.Errorf("%#v: ErrPINBlocked match wrong", e)
		}
	}
}
