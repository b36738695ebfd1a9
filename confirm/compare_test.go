package confirm_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/jptext"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// basicOf reads the text application's basic four from a virtual card
// filled with c, with the text PIN.
func basicOf(t *testing.T, c virtual.Contents) card.Attributes {
	t.Helper()
	vc, err := virtual.NewMyNumberCard(c)
	if err != nil {
		t.Fatal(err)
	}
	j, err := card.OpenJPKI(context.Background(), reader.Loopback("virtual", vc, reader.Capabilities{}), card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := j.Text().ReadBasic(context.Background(), pin(c.TextPIN))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signAttributes parses the signing certificate the virtual card holds.
func signAttributes(t *testing.T, c virtual.Contents) *card.Attributes {
	t.Helper()
	cert, err := jpki.Parse(c.SignCert)
	if err != nil {
		t.Fatal(err)
	}
	return cert.Attributes
}

// TestCompareWithText compares the default holder's signing certificate
// with the text application of virtual cards whose text data is edited.
func TestCompareWithText(t *testing.T) {
	type statuses map[confirm.FieldName]confirm.FieldStatus
	same := statuses{confirm.AttrName: confirm.FieldSame, confirm.AttrAddress: confirm.FieldSame,
		confirm.AttrBirthDate: confirm.FieldSame, confirm.AttrSex: confirm.FieldSame}
	with := func(kv ...any) statuses {
		s := statuses{}
		for k, v := range same {
			s[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			s[kv[i].(confirm.FieldName)] = kv[i+1].(confirm.FieldStatus)
		}
		return s
	}
	tests := []struct {
		name     string
		editCard func(*virtual.Contents)
		editCert func(*card.Attributes)
		editText func(*card.Attributes)
		want     statuses
		wantKind jptext.Kind // of the first difference, if any
	}{
		{name: "as issued", want: same},
		{name: "text address with ASCII digits", editCard: func(c *virtual.Contents) { c.Address = "東京都千代田区試験町1丁目2番3号" }, want: same},
		{name: "text name with an ASCII space", editCard: func(c *virtual.Contents) { c.Name = "山田 太郎" }, want: same},
		{name: "kanji numeral in the text address", editCard: func(c *virtual.Contents) { c.Address = "東京都千代田区試験町一丁目２番３号" },
			want: with(confirm.AttrAddress, confirm.FieldDiffers), wantKind: jptext.KindNumeral},
		{name: "hyphenated text address", editCard: func(c *virtual.Contents) { c.Address = "東京都千代田区試験町１－２－３" },
			want: with(confirm.AttrAddress, confirm.FieldDiffers), wantKind: jptext.KindReplaced},
		{name: "variant kanji in the text name", editCard: func(c *virtual.Contents) { c.Name = "山田　太郞" },
			want: with(confirm.AttrName, confirm.FieldDiffers), wantKind: jptext.KindKanji},
		{name: "substitute in the certificate name", editCert: func(a *card.Attributes) { a.NameSubstitutes = []int{1} },
			want: with(confirm.AttrName, confirm.FieldCheckCardFace)},
		{name: "substitute code differs from the text", editCert: func(a *card.Attributes) { a.Name, a.NameSubstitutes = "山〓　太郎", []int{1} },
			want: with(confirm.AttrName, confirm.FieldCheckCardFace), wantKind: jptext.KindReplaced},
		{name: "substitute and a real difference", editCert: func(a *card.Attributes) { a.Name, a.NameSubstitutes = "山〓　次郎", []int{1} },
			want: with(confirm.AttrName, confirm.FieldDiffers), wantKind: jptext.KindReplaced},
		{name: "birth date", editText: func(b *card.Attributes) { b.BirthDate = time.Date(1985, 4, 2, 0, 0, 0, 0, time.UTC) }, want: with(confirm.AttrBirthDate, confirm.FieldDiffers)},
		{name: "sex unknown 3 is ISO 9", editCert: func(a *card.Attributes) { a.Sex = card.SexNotApplicable },
			editText: func(b *card.Attributes) { b.Sex = card.SexNotApplicable }, want: same},
		{name: "sex unknown 3 is not ISO 0", editCert: func(a *card.Attributes) { a.Sex = card.SexNotApplicable },
			editText: func(b *card.Attributes) { b.Sex = card.SexNotKnown }, want: with(confirm.AttrSex, confirm.FieldDiffers)},
		{name: "sex female vs male", editText: func(b *card.Attributes) { b.Sex = card.SexFemale }, want: with(confirm.AttrSex, confirm.FieldDiffers)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := jpkitest.DefaultHolder().Contents()
			if tt.editCard != nil {
				tt.editCard(&c)
			}
			basic := basicOf(t, c)
			attrs := signAttributes(t, c)
			if tt.editCert != nil {
				tt.editCert(attrs)
			}
			if tt.editText != nil {
				tt.editText(&basic)
			}
			got := confirm.CompareWithText(attrs, basic)
			wantEqual, wantVisual := true, false
			for _, f := range got.Fields {
				if f.Status != tt.want[f.Field] {
					t.Errorf("%s: %s (%q vs %q, %+v), want %s", f.Field, f.Status, f.A, f.B, f.Differences, tt.want[f.Field])
				}
				wantEqual = wantEqual && tt.want[f.Field] == confirm.FieldSame
				wantVisual = wantVisual || f.NeedsVisualCheck
			}
			if len(got.Fields) != len(tt.want) || got.Equal != wantEqual || got.NeedsVisualCheck != wantVisual {
				t.Errorf("comparison = %+v", got)
			}
			if tt.wantKind != "" {
				var kinds []jptext.Kind
				for _, f := range got.Fields {
					for _, d := range f.Differences {
						kinds = append(kinds, d.Kind)
					}
				}
				if len(kinds) == 0 || kinds[0] != tt.wantKind {
					t.Errorf("difference kinds %v, want %s first", kinds, tt.wantKind)
				}
			}
		})
	}
}

func TestCompareWithTextNoAttributes(t *testing.T) {
	c := jpkitest.DefaultHolder().Contents()
	got := confirm.CompareWithText(nil, basicOf(t, c))
	if got.Equal {
		t.Fatalf("nil attributes compare equal: %+v", got)
	}
	for _, f := range got.Fields {
		if f.Status != confirm.FieldDiffers {
			t.Errorf("%s: %s", f.Field, f.Status)
		}
	}
	// The attributes Identify reports give the same answer as the
	// certificate's.
	attrs := signAttributes(t, c)
	fn := confirm.CompareWithText(attrs, basicOf(t, c))
	id := identifyAttributes(t)
	if m := confirm.CompareWithText(id, basicOf(t, c)); m.Equal != fn.Equal || !m.Equal {
		t.Errorf("identified %+v, certificate %+v", m, fn)
	}
}

// identifyAttributes identifies the default holder and returns the
// attributes confirm reports.
func identifyAttributes(t *testing.T) *card.Attributes {
	t.Helper()
	e := newEnv(t)
	id, err := e.confirmer(nil).Identify(context.Background(), cardOf(t, jpkitest.DefaultHolder(), card.Options{}),
		confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN)})
	if err != nil {
		t.Fatal(err)
	}
	return id.Attributes
}

func TestCompareAttributes(t *testing.T) {
	base := card.Attributes{Name: "山田　太郎", Address: "東京都千代田区試験町１丁目２番３号",
		BirthDate: time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC), BirthEra: card.EraShowa, Sex: card.SexMale}
	tests := []struct {
		name   string
		edit   func(*card.Attributes)
		status map[confirm.FieldName]confirm.FieldStatus
	}{
		{"same", func(*card.Attributes) {}, nil},
		{"width only", func(a *card.Attributes) {
			a.Name, a.Address = "山田 太郎", "東京都千代田区試験町1丁目2番3号"
		}, nil},
		{"variant kanji", func(a *card.Attributes) { a.Name = "山田　太郞" }, map[confirm.FieldName]confirm.FieldStatus{confirm.AttrName: confirm.FieldDiffers}},
		{"substitute", func(a *card.Attributes) { a.NameSubstitutes = []int{1} }, map[confirm.FieldName]confirm.FieldStatus{confirm.AttrName: confirm.FieldCheckCardFace}},
		{"era code", func(a *card.Attributes) { a.BirthEra = 0 }, map[confirm.FieldName]confirm.FieldStatus{confirm.AttrBirthEra: confirm.FieldDiffers}},
		{"sex", func(a *card.Attributes) { a.Sex = card.SexFemale }, map[confirm.FieldName]confirm.FieldStatus{confirm.AttrSex: confirm.FieldDiffers}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nw := base
			tt.edit(&nw)
			old := base
			got := confirm.CompareAttributes(&old, &nw)
			if got.Equal != (len(tt.status) == 0) || len(got.Fields) != 5 {
				t.Errorf("comparison = %+v", got)
			}
			for _, f := range got.Fields {
				want := tt.status[f.Field]
				if want == "" {
					want = confirm.FieldSame
				}
				if f.Status != want {
					t.Errorf("%s: %s, want %s", f.Field, f.Status, want)
				}
			}
		})
	}
}

// TestSubstituteHolder: a holder whose name holds a substitute character
// (代替文字) is never shown as exact: Identify marks the attributes, and
// the certificate never compares "same" with the text application.
func TestSubstituteHolder(t *testing.T) {
	h, err := jpkitest.Default().Issue(jpkitest.HolderSpec{
		Name: "渡邉　花子", NameSubstitutes: []int{1}, Sex: card.SexFemale,
		BirthDate: time.Date(1990, 6, 15, 0, 0, 0, 0, time.UTC), KeySalt: "subst",
	})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	id, err := e.confirmer(nil).Identify(context.Background(), cardOf(t, h, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN)})
	if err != nil {
		t.Fatal(err)
	}
	a := id.Attributes
	if j, err := json.Marshal(a); err != nil || !strings.Contains(string(j), `"needs_visual_check":true`) {
		t.Errorf("JSON %s, %v: no needs_visual_check", j, err)
	}
	if !a.HasSubstitutes() || a.MarkedName() != "渡〔邉〕　花子" || a.MarkedAddress() != a.Address {
		t.Errorf("attributes %+v: marked %q / %q", a, a.MarkedName(), a.MarkedAddress())
	}
	c := h.Contents()
	got := confirm.CompareWithText(a, basicOf(t, c))
	name, _ := got.Field(confirm.AttrName)
	sex, _ := got.Field(confirm.AttrSex)
	if got.Equal || !got.NeedsVisualCheck || name.Status != confirm.FieldCheckCardFace || len(name.Uncertain) != 1 ||
		name.Uncertain[0] != (confirm.TextPosition{A: 1, B: 1}) || sex.Status != confirm.FieldSame {
		t.Errorf("comparison = %+v", got)
	}
	if fn := confirm.CompareWithText(signAttributes(t, c), basicOf(t, c)); fn.Equal || !fn.NeedsVisualCheck {
		t.Errorf("CompareWithText = %+v", fn)
	}
}
