package jptext

import (
	"testing"
	"unicode/utf8"
)

// FuzzCompare checks, for any bytes: no panic; Equal is symmetric; a
// text equals itself (without substitutes) and never with one; every
// Difference's sides are slices of the inputs at their positions; and
// NeedsVisualCheck is HasSubstitutes of either side.
func FuzzCompare(f *testing.F) {
	f.Add("山田　太郎", "山田 太郎", 1, -1)
	f.Add("東京都千代田区試験町１丁目２番３号", "東京都千代田区試験町1丁目2番3号", -1, 4)
	f.Add("髙﨑", "高崎", 0, 0)
	f.Add("\xff\xfe", "\uFFFD", 0, -1)
	f.Add("ｶﾞ１ー２", "ガ1-2", -1, -1)
	f.Fuzz(func(t *testing.T, a, b string, sa, sb int) {
		as, bs := []int{sa}, []int{sb}
		ab, ba := Compare(a, b, as, bs), Compare(b, a, bs, as)
		if ab.Equal != ba.Equal || ab.NeedsVisualCheck != ba.NeedsVisualCheck {
			t.Fatalf("asymmetric: %+v vs %+v", ab, ba)
		}
		if ab.NeedsVisualCheck != (HasSubstitutes(a, as) || HasSubstitutes(b, bs)) {
			t.Fatalf("needs visual check %v for substitutes %v %v", ab.NeedsVisualCheck, as, bs)
		}
		if ab.Equal && (ab.NeedsVisualCheck || len(ab.Differences) > 0) {
			t.Fatalf("equal with %+v", ab)
		}
		if self := Compare(a, a, nil, nil); !self.Equal {
			t.Fatalf("%q not equal to itself: %+v", a, self)
		}
		if HasSubstitutes(a, as) && Compare(a, a, as, as).Equal {
			t.Fatalf("%q with substitute %d reported exact", a, sa)
		}
		ra, rb := runesOf(a), runesOf(b)
		for _, d := range ab.Differences {
			if d.A == "" && d.B == "" {
				t.Fatalf("empty difference %+v", d)
			}
			na, nb := utf8.RuneCountInString(d.A), utf8.RuneCountInString(d.B)
			if !sliceAt(ra, d.Position.A, d.A, na) || !sliceAt(rb, d.Position.B, d.B, nb) {
				t.Fatalf("difference %+v not at its position in %q / %q", d, a, b)
			}
		}
		_ = SubstituteMarkers(a, as)
		_ = MarkerLine(b, bs)
	})
}

// runesOf splits s into its characters' bytes, one per invalid byte.
func runesOf(s string) []string {
	var out []string
	for _, u := range units(s) {
		out = append(out, u.text)
	}
	return out
}

func sliceAt(rs []string, pos int, want string, n int) bool {
	if pos < 0 || pos+n > len(rs) {
		return false
	}
	got := ""
	for _, r := range rs[pos : pos+n] {
		got += r
	}
	return got == want
}
