package jptext

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// All names and addresses are fictional (試験町 is "test town").
func TestCompareFolds(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"identical name", "山田　太郎", "山田　太郎"},
		{"empty", "", ""},
		{"full-width digits", "東京都千代田区試験町１丁目２番３号", "東京都千代田区試験町1丁目2番3号"},
		{"every full-width digit", "０１２３４５６７８９", "0123456789"},
		{"full-width capitals", "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
		{"full-width small letters", "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ", "abcdefghijklmnopqrstuvwxyz"},
		{"building name and room", "大阪府大阪市北区試験町４丁目５番６号　ＡＢＣハイツ１０１号室", "大阪府大阪市北区試験町4丁目5番6号 ABCハイツ101号室"},
		{"ideographic space in a name", "山田　太郎", "山田 太郎"},
		{"foreign resident name", "ＳＭＩＴＨ　ＪＯＨＮ", "SMITH JOHN"},
		{"mixed widths on both sides", "試験町１-2", "試験町1-２"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []Comparison{Compare(tt.a, tt.b, nil, nil), Compare(tt.b, tt.a, nil, nil)} {
				if !c.Equal || c.NeedsVisualCheck || len(c.Differences) != 0 || len(c.Uncertain) != 0 {
					t.Errorf("Compare(%q, %q) = %+v, want equal", tt.a, tt.b, c)
				}
			}
		})
	}
}

func TestCompareDifferences(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want []Difference
	}{
		{"variant kanji 髙", "髙橋　一郎", "高橋　一郎", []Difference{{Position{0, 0}, "髙", "高", KindKanji, false}}},
		{"variant kanji 﨑", "山﨑　花子", "山崎　花子", []Difference{{Position{1, 1}, "﨑", "崎", KindKanji, false}}},
		{"variant kanji 邉", "渡邉　次郎", "渡辺　次郎", []Difference{{Position{1, 1}, "邉", "辺", KindKanji, false}}},
		{"compatibility ideograph NFC would fold", "\uF91D", "\u6B04", []Difference{{Position{0, 0}, "\uF91D", "\u6B04", KindKanji, false}}},
		{"small ke", "千葉県試験市緑ヶ丘１丁目", "千葉県試験市緑ケ丘１丁目", []Difference{{Position{7, 7}, "ヶ", "ケ", KindKana, false}}},
		{"half-width katakana", "試験ﾊｲﾂ", "試験ハイツ", []Difference{{Position{2, 2}, "ﾊｲﾂ", "ハイツ", KindKana, false}}},
		{"half-width voiced kana is two characters", "ｶﾞ", "ガ", []Difference{{Position{0, 0}, "ｶﾞ", "ガ", KindKana, false}}},
		{"hiragana vs katakana", "さくら", "サクラ", []Difference{{Position{0, 0}, "さくら", "サクラ", KindKana, false}}},
		{"kanji numeral vs digit", "試験町一丁目", "試験町1丁目", []Difference{{Position{3, 3}, "一", "1", KindNumeral, false}}},
		{"kanji numeral vs full-width digit", "試験町十一番地", "試験町１１番地", []Difference{{Position{3, 3}, "十一", "１１", KindNumeral, false}}},
		{"long vowel mark vs full-width hyphen", "１ー２", "１－２", []Difference{{Position{1, 1}, "ー", "－", KindDash, false}}},
		{"full-width hyphen vs hyphen", "１－２", "１‐２", []Difference{{Position{1, 1}, "－", "‐", KindDash, false}}},
		{"hyphen vs hyphen-minus", "１‐２", "1-2", []Difference{{Position{1, 1}, "‐", "-", KindDash, false}}},
		{"full-width hyphen-minus is punctuation, not folded", "1－2", "1-2", []Difference{{Position{1, 1}, "－", "-", KindDash, false}}},
		{"case", "ABCハイツ", "abcハイツ", []Difference{{Position{0, 0}, "ABC", "abc", KindCase, false}}},
		{"full-width case", "Ａｂｃ", "abc", []Difference{{Position{0, 0}, "Ａ", "a", KindCase, false}}},
		{"two spaces are not one", "山田　　太郎", "山田　太郎", []Difference{{Position{3, 3}, "　", "", KindSpace, false}}},
		{"trailing space", "山田　太郎 ", "山田　太郎", []Difference{{Position{5, 5}, " ", "", KindSpace, false}}},
		{"no-break space", "山田\u00A0太郎", "山田 太郎", []Difference{{Position{2, 2}, "\u00A0", " ", KindSpace, false}}},
		{"missing character", "東京都千代田区試験町１丁目２番３号", "東京都千代田区試験町１丁目２番", []Difference{{Position{15, 15}, "３号", "", KindOnlyInA, false}}},
		{"added character", "試験町", "試験町東", []Difference{{Position{3, 3}, "", "東", KindOnlyInB, false}}},
		{"different digit", "試験町１丁目２番３号", "試験町１丁目２番４号", []Difference{{Position{8, 8}, "３", "４", KindReplaced, false}}},
		{"circled digit is not a digit", "①", "1", []Difference{{Position{0, 0}, "①", "1", KindReplaced, false}}},
		{"squared era", "㍻", "平成", []Difference{{Position{0, 0}, "㍻", "平成", KindReplaced, false}}},
		{"two differences", "髙﨑　太郎", "高崎　太朗", []Difference{
			{Position{0, 0}, "髙﨑", "高崎", KindKanji, false},
			{Position{4, 4}, "郎", "朗", KindKanji, false},
		}},
		{"moved", "東京都千代田区試験町１丁目２番３号", "東京都港区新住所４丁目５番６号", []Difference{
			{Position{3, 3}, "千代田", "港", KindKanji, false},
			{Position{7, 5}, "試験町１", "新住所４", KindReplaced, false},
			{Position{13, 11}, "２", "５", KindReplaced, false},
			{Position{15, 13}, "３", "６", KindReplaced, false},
		}},
		{"invalid bytes are not equal to each other", "山\xff", "山\xfe", []Difference{{Position{1, 1}, "\xff", "\xfe", KindReplaced, false}}},
		{"invalid byte is not U+FFFD", "\xff", "\uFFFD", []Difference{{Position{0, 0}, "\xff", "\uFFFD", KindReplaced, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Compare(tt.a, tt.b, nil, nil)
			if c.Equal || c.NeedsVisualCheck || len(c.Uncertain) != 0 {
				t.Errorf("Compare(%q, %q): equal %v, visual check %v, uncertain %v", tt.a, tt.b, c.Equal, c.NeedsVisualCheck, c.Uncertain)
			}
			if diff := cmp.Diff(tt.want, c.Differences); diff != "" {
				t.Errorf("Compare(%q, %q) differences (-want +got):\n%s", tt.a, tt.b, diff)
			}
			if r := Compare(tt.b, tt.a, nil, nil); r.Equal || len(r.Differences) == 0 {
				t.Errorf("Compare(%q, %q) reversed = %+v", tt.b, tt.a, r)
			}
		})
	}
}

func TestCompareSubstitutes(t *testing.T) {
	tests := []struct {
		name          string
		a, b          string
		aSub, bSub    []int
		wantUncertain []Position
		wantDiffs     []Difference
		mayBeEqual    bool
	}{
		{
			name: "same text, substitute in a", a: "渡邉　花子", b: "渡邉　花子", aSub: []int{1},
			wantUncertain: []Position{{1, 1}}, mayBeEqual: true,
		},
		{
			name: "same text, substitute on both sides", a: "渡邉　花子", b: "渡邉　花子", aSub: []int{1}, bSub: []int{1},
			wantUncertain: []Position{{1, 1}}, mayBeEqual: true,
		},
		{
			name: "substitute in b only, width-only difference elsewhere", a: "試験町１丁目", b: "試験町1丁目", bSub: []int{1},
			wantUncertain: []Position{{1, 1}}, mayBeEqual: true,
		},
		{
			name: "different code at the substitute position", a: "渡〓　花子", b: "渡邊　花子", aSub: []int{1},
			wantUncertain: []Position{{1, -1}},
			wantDiffs:     []Difference{{Position{1, 1}, "〓", "邊", KindReplaced, true}},
			mayBeEqual:    true,
		},
		{
			name: "substitute next to a real difference", a: "渡〓花子", b: "渡邊華子", aSub: []int{1},
			wantUncertain: []Position{{1, -1}},
			wantDiffs:     []Difference{{Position{1, 1}, "〓花", "邊華", KindReplaced, false}},
		},
		{
			name: "substitutes on both sides of a stretch", a: "〓邉", b: "渡■", aSub: []int{0}, bSub: []int{1},
			wantUncertain: []Position{{0, -1}, {-1, 1}},
			wantDiffs:     []Difference{{Position{0, 0}, "〓邉", "渡■", KindReplaced, true}},
			mayBeEqual:    true,
		},
		{
			name: "substitute and a real difference", a: "渡邉　花子", b: "渡邉　華子", aSub: []int{1},
			wantUncertain: []Position{{1, 1}},
			wantDiffs:     []Difference{{Position{3, 3}, "花", "華", KindKanji, false}},
		},
		{
			name: "substitute shifted by an extra space", a: "渡邉　　花子", b: "渡邉　花子", aSub: []int{5}, bSub: []int{4},
			wantUncertain: []Position{{5, 4}},
			wantDiffs:     []Difference{{Position{3, 3}, "　", "", KindSpace, false}},
		},
		{
			name: "positions outside the text are ignored", a: "山田　太郎", b: "山田　太郎", aSub: []int{-1, 5, 99},
			mayBeEqual: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Compare(tt.a, tt.b, tt.aSub, tt.bSub)
			wantCheck := len(tt.wantUncertain) > 0
			if c.Equal == wantCheck || c.NeedsVisualCheck != wantCheck {
				t.Errorf("equal %v, needs visual check %v; want %v, %v", c.Equal, c.NeedsVisualCheck, !wantCheck, wantCheck)
			}
			if diff := cmp.Diff(tt.wantUncertain, c.Uncertain); diff != "" {
				t.Errorf("uncertain (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantDiffs, c.Differences); diff != "" {
				t.Errorf("differences (-want +got):\n%s", diff)
			}
			if c.MayBeEqual() != tt.mayBeEqual {
				t.Errorf("MayBeEqual = %v", c.MayBeEqual())
			}
			r := Compare(tt.b, tt.a, tt.bSub, tt.aSub)
			if r.Equal != c.Equal || r.NeedsVisualCheck != c.NeedsVisualCheck || len(r.Uncertain) != len(c.Uncertain) {
				t.Errorf("reversed = %+v", r)
			}
		})
	}
}

func TestHasSubstitutes(t *testing.T) {
	for _, tt := range []struct {
		s    string
		pos  []int
		want bool
	}{
		{"渡邉　花子", []int{1}, true},
		{"渡邉　花子", []int{4}, true},
		{"渡邉　花子", []int{5}, false},
		{"渡邉　花子", []int{-1}, false},
		{"渡邉　花子", nil, false},
		{"", []int{0}, false},
	} {
		if got := HasSubstitutes(tt.s, tt.pos); got != tt.want {
			t.Errorf("HasSubstitutes(%q, %v) = %v", tt.s, tt.pos, got)
		}
	}
}

func TestSubstituteMarkers(t *testing.T) {
	for _, tt := range []struct {
		s          string
		pos        []int
		want, line string
	}{
		{"渡邉　花子", []int{1}, "渡〔邉〕　花子", "  ^^"},
		{"渡邉　花子", []int{0, 1}, "〔渡〕〔邉〕　花子", "^^^^"},
		{"東京都試験市１丁目", []int{8}, "東京都試験市１丁〔目〕", "                ^^"},
		{"ABC〓", []int{3}, "ABC〔〓〕", "   ^^"},
		{"山田　太郎", nil, "山田　太郎", ""},
		{"山田　太郎", []int{9}, "山田　太郎", ""},
		{"\xff山", []int{1}, "\xff〔山〕", " ^^"},
	} {
		if got := SubstituteMarkers(tt.s, tt.pos); got != tt.want {
			t.Errorf("SubstituteMarkers(%q, %v) = %q, want %q", tt.s, tt.pos, got, tt.want)
		}
		if got := MarkerLine(tt.s, tt.pos); got != tt.line {
			t.Errorf("MarkerLine(%q, %v) = %q, want %q", tt.s, tt.pos, got, tt.line)
		}
	}
}

// TestLongInput: beyond maxAlignCells the differing middle is one
// difference, still not equal.
func TestLongInput(t *testing.T) {
	a := make([]rune, 1000)
	b := make([]rune, 1000)
	for i := range a {
		a[i], b[i] = '一'+rune(i), '一'+rune(2*i+1)
	}
	c := Compare("前"+string(a)+"後", "前"+string(b)+"後", nil, nil)
	if c.Equal || len(c.Differences) != 1 || c.Differences[0].Position != (Position{1, 1}) {
		t.Errorf("long input: equal %v, %d differences", c.Equal, len(c.Differences))
	}
}

func TestComparisonJSON(t *testing.T) {
	got, err := json.Marshal(Compare("髙橋　〓子", "高橋　花子", []int{3}, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"equal":false,"needs_visual_check":true,"differences":[{"position":{"a":0,"b":0},"a":"髙","b":"高","kind":"kanji"},{"position":{"a":3,"b":3},"a":"〓","b":"花","kind":"replaced","substitute":true}],"uncertain":[{"a":3,"b":-1}]}`
	if string(got) != want {
		t.Errorf("JSON = %s\nwant   %s", got, want)
	}
}
