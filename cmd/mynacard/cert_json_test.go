package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
)

// TestCertJSONAttributes: cert, verify and pdf verify write a signing
// certificate's attributes in the one JSON view of card.Attributes, as
// identify does: needs_visual_check when the name or address holds a
// substitute character, and no Japanese date without a birth date (never
// the zero date's). The output fits the schema's attributes.
func TestCertJSONAttributes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		attrs card.Attributes
		want  []string
		never []string
	}{
		{"substitute in the name", card.Attributes{Name: "髙橋　一郎", NameSubstitutes: []int{0}, Address: "東京都千代田区",
			BirthDate: time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC), BirthEra: card.EraShowa, Sex: card.SexMale},
			[]string{`"needs_visual_check":true`, `"name_substitutes":[0]`, `"birth_date_japanese":"昭和60年4月1日"`, `"sex":"male"`}, nil},
		{"no birth date", card.Attributes{Name: "山田　花子", Address: "大阪府", Sex: card.SexFemale},
			[]string{`"birth_date":""`, `"birth_date_japanese":""`, `"sex":"female"`}, []string{"needs_visual_check", "1年"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.attrs
			out, err := json.Marshal(certJSON{File: "sign", certInfoJSON: certInfoJSON{Kind: "sign", Attributes: &a}})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("%s: no %s", out, w)
				}
			}
			for _, n := range tc.never {
				if strings.Contains(string(out), n) {
					t.Errorf("%s: has %s", out, n)
				}
			}
			var doc struct {
				Attributes json.RawMessage `json:"attributes"`
			}
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			if errs := checkJSONOutput("attributes", doc.Attributes, false); len(errs) > 0 {
				t.Errorf("attributes against the schema: %v", errs)
			}
		})
	}
}
