package confirm_test

import (
	"context"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/jptext"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/store"
)

// TestRegistrationChangeComparison: a registration change whose old
// enrolment differs from the new certificate only in the width of digits
// (or U+3000 vs U+0020) reports no change; a variant kanji, a kanji
// numeral or a substitute character is reported, and ChangeCandidates
// matches names and addresses the same way. The old enrolment is stored
// directly (as an older system or an import would have written it) for
// the default holder's certificate; the new card is movedHolder's
// (山田　太郎, 東京都港区新住所４丁目５番６号, 1985-04-01, male).
func TestRegistrationChangeComparison(t *testing.T) {
	const newAddress = "東京都港区新住所４丁目５番６号"
	tests := []struct {
		name          string
		old           card.Attributes
		wantFields    []string
		wantKind      jptext.Kind
		wantStatus    map[confirm.FieldName]confirm.FieldStatus
		wantVisual    bool
		wantCandidate bool
	}{
		{name: "ASCII digits in the old address", old: card.Attributes{Name: "山田　太郎", Address: "東京都港区新住所4丁目5番6号"},
			wantCandidate: true},
		{name: "ASCII digits and space", old: card.Attributes{Name: "山田 太郎", Address: "東京都港区新住所4丁目5番６号"},
			wantCandidate: true},
		{name: "variant kanji in the old name", old: card.Attributes{Name: "山田　太郞", Address: newAddress},
			wantFields: []string{"name"}, wantKind: jptext.KindKanji,
			wantStatus: map[confirm.FieldName]confirm.FieldStatus{confirm.AttrName: confirm.FieldDiffers}, wantCandidate: true},
		{name: "kanji numeral in the old address", old: card.Attributes{Name: "山田　太郎", Address: "東京都港区新住所四丁目５番６号"},
			wantFields: []string{"address"}, wantKind: jptext.KindNumeral,
			wantStatus: map[confirm.FieldName]confirm.FieldStatus{confirm.AttrAddress: confirm.FieldDiffers}, wantCandidate: true},
		{name: "substitute character in the old name", old: card.Attributes{Name: "山〓　太郎", NameSubstitutes: []int{1}, Address: newAddress},
			wantFields: []string{"name", "name_substitute"}, wantKind: jptext.KindReplaced, wantVisual: true,
			wantStatus: map[confirm.FieldName]confirm.FieldStatus{confirm.AttrName: confirm.FieldCheckCardFace}, wantCandidate: true},
		{name: "same text with a substitute flag", old: card.Attributes{Name: "山田　太郎", NameSubstitutes: []int{1}, Address: newAddress},
			wantFields: []string{"name", "name_substitute"}, wantVisual: true,
			wantStatus: map[confirm.FieldName]confirm.FieldStatus{confirm.AttrName: confirm.FieldCheckCardFace}, wantCandidate: true},
		{name: "name and address differ", old: card.Attributes{Name: "山田　太郞", Address: jpkitest.DefaultAddress},
			wantFields: []string{"name", "address"}, wantKind: jptext.KindKanji,
			wantStatus: map[confirm.FieldName]confirm.FieldStatus{confirm.AttrName: confirm.FieldDiffers, confirm.AttrAddress: confirm.FieldDiffers}},
	}
	old, nh := jpkitest.DefaultHolder(), movedHolder(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnvIn(t, fastDir(t))
			c := e.confirmer(nil)
			attrs := tt.old
			attrs.BirthDate, attrs.BirthEra, attrs.Sex = time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC), card.EraShowa, card.SexMale
			en, err := e.st.AddEnrolment(ctx, store.Enrolment{
				Kind: card.SignKey, Issuer: confirm.IssuerString(old.SignCert), Serial: confirm.SerialString(old.SignCert),
				Attributes: &attrs, CertDER: old.SignCert.Raw, EnrolledAt: e.now, Operator: "import",
			})
			if err != nil {
				t.Fatal(err)
			}
			e.setCRLs([]revoked{{old.SignCert.SerialNumber, revocation.ReasonAffiliationChanged}}, nil)
			if r, err := c.CheckEnrolment(ctx, en.ID); err != nil || r.Outcome != confirm.OutcomeRegistrationChanged {
				t.Fatalf("check: %+v, %v", r, err)
			}

			plain, err := c.Identify(ctx, cardOf(t, nh, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN)})
			if err != nil {
				t.Fatal(err)
			}
			cands, err := c.ChangeCandidates(ctx, plain.Attributes)
			if err != nil || (len(cands) == 1) != tt.wantCandidate || len(cands) > 1 {
				t.Errorf("candidates = %+v, %v; want candidate %v", cands, err, tt.wantCandidate)
			}

			id, err := c.Identify(ctx, cardOf(t, nh, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Replaces: en.ID})
			if err != nil {
				t.Fatal(err)
			}
			ch := id.Change
			if ch == nil || !ch.Linked {
				t.Fatalf("change = %+v", ch)
			}
			var fields []string
			var kinds []jptext.Kind
			for _, fc := range ch.Changes {
				fields = append(fields, string(fc.Field))
				for _, d := range fc.Differences {
					kinds = append(kinds, d.Kind)
				}
			}
			if len(fields) != len(tt.wantFields) {
				t.Fatalf("changes %v (%+v), want %v", fields, ch.Changes, tt.wantFields)
			}
			for i := range fields {
				if fields[i] != tt.wantFields[i] {
					t.Errorf("changes %v, want %v", fields, tt.wantFields)
				}
			}
			if tt.wantKind != "" && (len(kinds) == 0 || kinds[0] != tt.wantKind) {
				t.Errorf("difference kinds %v, want %s first", kinds, tt.wantKind)
			}
			if ch.NeedsVisualCheck != tt.wantVisual {
				t.Errorf("needs visual check = %v", ch.NeedsVisualCheck)
			}
			for _, f := range []confirm.FieldName{confirm.AttrName, confirm.AttrAddress, confirm.AttrBirthDate, confirm.AttrSex} {
				want := tt.wantStatus[f]
				if want == "" {
					want = confirm.FieldSame
				}
				if got := ch.Status(f); got != want {
					t.Errorf("Status(%s) = %s, want %s", f, got, want)
				}
			}
			// The store keeps its own byte-for-byte diff of the replacement.
			if rep, err := e.st.Replacement(ctx, en.ID); err != nil || rep.NewID != ch.NewEnrolmentID {
				t.Errorf("replacement = %+v, %v", rep, err)
			}
		})
	}
}
