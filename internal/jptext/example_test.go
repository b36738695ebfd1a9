package jptext_test

import (
	"fmt"

	"github.com/mynacard/mynacard/internal/jptext"
)

// Width-only differences are folded; a variant kanji is not.
func ExampleCompare() {
	c := jptext.Compare("東京都千代田区試験町１丁目２番３号", "東京都千代田区試験町1丁目2番3号", nil, nil)
	fmt.Println(c.Equal)
	c = jptext.Compare("髙橋　一郎", "高橋 一郎", nil, nil)
	for _, d := range c.Differences {
		fmt.Printf("%v at %d/%d: %s vs %s\n", d.Kind, d.Position.A, d.Position.B, d.A, d.B)
	}
	// Output:
	// true
	// kanji at 0/0: 髙 vs 高
}

// A substitute character (代替文字) makes a comparison uncertain however
// the code points compare.
func ExampleCompare_substitute() {
	c := jptext.Compare("渡邉　花子", "渡邉　花子", []int{1}, nil)
	fmt.Println(c.Equal, c.NeedsVisualCheck, c.Uncertain)
	// Output:
	// false true [{1 1}]
}

func ExampleSubstituteMarkers() {
	name, subst := "渡邉　花子", []int{1}
	fmt.Println(jptext.SubstituteMarkers(name, subst))
	fmt.Println(name)
	fmt.Println(jptext.MarkerLine(name, subst))
	// Output:
	// 渡〔邉〕　花子
	// 渡邉　花子
	//   ^^
}
