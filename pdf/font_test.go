package pdf

import (
	"os"
	"testing"

	"golang.org/x/image/font/sfnt"
)

// TestSubsetFont: the subset is a font sfnt parses again, with the text's
// glyphs at their original numbers; truncated or foreign bytes are errors.
func TestSubsetFont(t *testing.T) {
	var font []byte
	for _, f := range DefaultFontFiles {
		if b, err := os.ReadFile(f); err == nil {
			font = b
			break
		}
	}
	if font == nil {
		t.Skip("no IPA Gothic (fonts-ipafont-gothic)")
	}
	s, err := newSubsetFont(font, "山田　太郎 ABC")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.file) >= len(font)/4 {
		t.Errorf("subset %d bytes of %d", len(s.file), len(font))
	}
	f, err := sfnt.Parse(s.file)
	if err != nil {
		t.Fatalf("the subset does not parse: %v", err)
	}
	if f.NumGlyphs() == 0 {
		t.Fatal("no glyphs")
	}
	var buf sfnt.Buffer
	for r, g := range s.gid {
		segs, err := f.LoadGlyph(&buf, sfnt.GlyphIndex(g), 1000<<6, nil)
		if err != nil || (r != ' ' && r != '　' && len(segs) == 0) {
			t.Errorf("%q (glyph %d): %d segments, %v", r, g, len(segs), err)
		}
	}
	for _, n := range []int{0, 11, 100, 5000, len(font) / 2} {
		if _, err := newSubsetFont(font[:n], "山"); err == nil {
			t.Errorf("font truncated to %d bytes accepted", n)
		}
	}
	if _, err := newSubsetFont(formPDF(), "a"); err == nil {
		t.Error("a PDF accepted as a font")
	}
	if _, err := newSubsetFont(font, "\U0001F600"); err == nil {
		t.Error("a character without a glyph accepted")
	}
}
