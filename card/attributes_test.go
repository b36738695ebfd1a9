package card_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
)

func TestAttributesNames(t *testing.T) {
	a := &card.Attributes{Name: "渡邉\u3000花子"}
	if a.FamilyName() != "渡邉" || a.GivenName() != "花子" {
		t.Errorf("family %q given %q", a.FamilyName(), a.GivenName())
	}
	a.Name = "ＪＯＨＮ"
	if a.FamilyName() != "ＪＯＨＮ" || a.GivenName() != "" {
		t.Errorf("no separator: family %q given %q", a.FamilyName(), a.GivenName())
	}
}

func TestAttributesSubstitutes(t *testing.T) {
	a := &card.Attributes{Name: "渡邉\u3000花子", NameSubstitutes: []int{1}, Address: "東京都"}
	if !a.HasSubstitutes() || a.MarkedName() != "渡〔邉〕\u3000花子" || a.MarkedAddress() != "東京都" {
		t.Errorf("HasSubstitutes %v, marked %q / %q", a.HasSubstitutes(), a.MarkedName(), a.MarkedAddress())
	}
	// A position outside the text marks nothing.
	b := &card.Attributes{Name: "山田", NameSubstitutes: []int{5}}
	if b.HasSubstitutes() || b.MarkedName() != "山田" {
		t.Errorf("outside: %v %q", b.HasSubstitutes(), b.MarkedName())
	}
	var none *card.Attributes
	if none.HasSubstitutes() || none.MarkedName() != "" || none.MarkedAddress() != "" {
		t.Error("nil attributes have substitutes")
	}
}

// TestAttributesJSON pins the JSON view confirm's verdicts show: the
// members, their order and their values, byte for byte.
func TestAttributesJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    card.Attributes
		want string
	}{
		{"signing certificate", card.Attributes{Name: "山田\u3000太郎", Address: "東京都千代田区試験町１丁目２番３号",
			BirthDate: time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC), BirthEra: card.EraShowa, Sex: card.SexMale},
			`{"name":"山田　太郎","address":"東京都千代田区試験町１丁目２番３号","birth_date":"1985-04-01","birth_era":3,` +
				`"birth_date_japanese":"昭和60年4月1日","sex":"male","sex_code":1}`},
		{"substitutes", card.Attributes{Name: "渡邉\u3000花子", NameSubstitutes: []int{1}, Address: "大阪府", AddressSubstitutes: []int{0, 2},
			BirthDate: time.Date(1989, 1, 8, 0, 0, 0, 0, time.UTC), BirthEra: card.EraHeisei, Sex: card.SexFemale},
			`{"name":"渡邉　花子","name_substitutes":[1],"address":"大阪府","address_substitutes":[0,2],"birth_date":"1989-01-08",` +
				`"birth_era":4,"birth_date_japanese":"平成元年1月8日","sex":"female","sex_code":2,"needs_visual_check":true}`},
		{"flags all 0, unknown era, code 3", card.Attributes{Name: "x", NameSubstitutes: []int{},
			BirthDate: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), Sex: card.SexNotApplicable},
			`{"name":"x","address":"","birth_date":"1970-01-01","birth_era":0,"birth_date_japanese":"1970年1月1日","sex":"unknown","sex_code":3}`},
		{"empty", card.Attributes{},
			`{"name":"","address":"","birth_date":"","birth_era":0,"birth_date_japanese":"","sex":"Sex(0)","sex_code":0}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(&tc.a)
			if err != nil || string(b) != tc.want {
				t.Fatalf("MarshalJSON = %s, %v\nwant %s", b, err, tc.want)
			}
			if v, _ := json.Marshal(tc.a); string(v) != tc.want {
				t.Errorf("value MarshalJSON = %s", v)
			}
			var back card.Attributes
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			again, _ := json.Marshal(&back)
			if string(again) != tc.want {
				t.Errorf("round trip = %s", again)
			}
		})
	}
}

func TestAttributesUnmarshalJSONRefuses(t *testing.T) {
	for _, in := range []string{
		`{"name":"山田","birth_date":"19850401"}`,
		`{"birth_era":6}`,
		`{"sex_code":9}`,
		`{"name":"山田","name_substitutes":[2]}`,
		`{"name":"山田太郎","name_substitutes":[2,1]}`,
		`{"address":"東京","address_substitutes":[-1]}`,
		`[]`,
	} {
		var a card.Attributes
		if err := json.Unmarshal([]byte(in), &a); err == nil {
			t.Errorf("%s read as %+v", in, a)
		}
	}
	var a card.Attributes
	if err := json.Unmarshal([]byte(`{"name":"山田　太郎","name_substitutes":[1],"birth_date":"1985-04-01","birth_era":3,"sex_code":3,"sex":"ignored"}`), &a); err != nil {
		t.Fatal(err)
	}
	want := card.Attributes{Name: "山田　太郎", NameSubstitutes: []int{1}, BirthDate: time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC),
		BirthEra: card.EraShowa, Sex: card.SexNotApplicable}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("got %+v, want %+v", a, want)
	}
}

// TestSexWord: the JSON view's sex words, by the certificate's codes.
func TestSexWord(t *testing.T) {
	for code, want := range map[int]string{1: "male", 2: "female", 3: "unknown", 0: "Sex(0)"} {
		s := card.SexNotKnown
		if code != 0 {
			var ok bool
			if s, ok = card.SexFromCertificateCode(code); !ok {
				t.Fatalf("certificate code %d unknown", code)
			}
		}
		if got := s.Word(); got != want {
			t.Errorf("%d: %q, want %q", code, got, want)
		}
	}
}
