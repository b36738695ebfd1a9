package pdf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"golang.org/x/image/font/sfnt"
)

// Font file locations tried for the appearance text when no font is
// given: IPA Gothic as Debian installs it (fonts-ipafont-gothic).
var DefaultFontFiles = []string{
	"/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
	"/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
}

// ErrFont reports a font that cannot draw the appearance text.
var ErrFont = errors.New("pdf: font cannot be embedded")

// subsetFont is a TrueType font cut down to the glyphs of some text: every
// glyph keeps its number (so the PDF can use glyph numbers as CIDs with
// /CIDToGIDMap /Identity), but only the glyphs used (and the components
// of composite ones) keep their outlines.
type subsetFont struct {
	file       []byte          // the subset TrueType file
	gid        map[rune]uint16 // the text's characters
	width      map[uint16]int  // advance widths, in 1/1000 em
	name       string          // PostScript-style name with a subset tag
	bbox       [4]int          // in 1/1000 em
	asc, desc  int             // in 1/1000 em
	unitsPerEm int
}

type ttTable struct {
	tag  string
	data []byte
}

// newSubsetFont subsets the TrueType font in data for text.
func newSubsetFont(data []byte, text string) (*subsetFont, error) {
	f, err := sfnt.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFont, err)
	}
	tables := map[string][]byte{}
	if len(data) < 12 {
		return nil, fmt.Errorf("%w: short file", ErrFont)
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	for i := 0; i < n; i++ {
		r := 12 + 16*i
		if r+16 > len(data) {
			return nil, fmt.Errorf("%w: table directory", ErrFont)
		}
		tag := string(data[r : r+4])
		off, l := int(binary.BigEndian.Uint32(data[r+8:])), int(binary.BigEndian.Uint32(data[r+12:]))
		if off < 0 || l < 0 || off+l > len(data) {
			return nil, fmt.Errorf("%w: table %s", ErrFont, tag)
		}
		tables[tag] = data[off : off+l]
	}
	for _, t := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf"} {
		if tables[t] == nil {
			return nil, fmt.Errorf("%w: no %s table (TrueType outlines needed)", ErrFont, t)
		}
	}
	head, hhea, maxp := tables["head"], tables["hhea"], tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return nil, fmt.Errorf("%w: short header tables", ErrFont)
	}
	upem := int(binary.BigEndian.Uint16(head[18:]))
	longLoca := binary.BigEndian.Uint16(head[50:]) == 1
	numGlyphs := int(binary.BigEndian.Uint16(maxp[4:]))
	numH := int(binary.BigEndian.Uint16(hhea[34:]))
	if upem == 0 || numH == 0 {
		return nil, fmt.Errorf("%w: bad header", ErrFont)
	}
	loca := make([]int, numGlyphs+1)
	for i := range loca {
		if longLoca {
			if 4*i+4 > len(tables["loca"]) {
				return nil, fmt.Errorf("%w: loca", ErrFont)
			}
			loca[i] = int(binary.BigEndian.Uint32(tables["loca"][4*i:]))
		} else {
			if 2*i+2 > len(tables["loca"]) {
				return nil, fmt.Errorf("%w: loca", ErrFont)
			}
			loca[i] = 2 * int(binary.BigEndian.Uint16(tables["loca"][2*i:]))
		}
	}
	glyf := tables["glyf"]
	glyph := func(g int) ([]byte, error) {
		if g < 0 || g >= numGlyphs || loca[g] > loca[g+1] || loca[g+1] > len(glyf) {
			return nil, fmt.Errorf("%w: glyph %d", ErrFont, g)
		}
		return glyf[loca[g]:loca[g+1]], nil
	}
	hmtx := tables["hmtx"]
	advance := func(g int) int {
		i := min(g, numH-1)
		if 4*i+2 > len(hmtx) {
			return 0
		}
		return int(binary.BigEndian.Uint16(hmtx[4*i:]))
	}
	scale := func(v int) int { return v * 1000 / upem }

	s := &subsetFont{gid: map[rune]uint16{}, width: map[uint16]int{}, unitsPerEm: upem}
	keep := map[int]bool{0: true}
	var buf sfnt.Buffer
	for _, r := range text {
		if r == '\n' || r == '\r' {
			continue
		}
		g, err := f.GlyphIndex(&buf, r)
		if err != nil || g == 0 {
			return nil, fmt.Errorf("%w: no glyph for %q", ErrFont, r)
		}
		s.gid[r] = uint16(g)
		s.width[uint16(g)] = scale(advance(int(g)))
		keep[int(g)] = true
	}
	// Components of composite glyphs.
	for queue := slices.Collect(func(yield func(int) bool) {
		for g := range keep {
			if !yield(g) {
				return
			}
		}
	}); len(queue) > 0; {
		g := queue[0]
		queue = queue[1:]
		d, err := glyph(g)
		if err != nil {
			return nil, err
		}
		if len(d) < 10 || int16(binary.BigEndian.Uint16(d)) >= 0 {
			continue
		}
		for p := 10; p+4 <= len(d); {
			flags := binary.BigEndian.Uint16(d[p:])
			c := int(binary.BigEndian.Uint16(d[p+2:]))
			if !keep[c] {
				keep[c] = true
				queue = append(queue, c)
			}
			p += 4
			if flags&0x1 != 0 {
				p += 4
			} else {
				p += 2
			}
			switch {
			case flags&0x8 != 0:
				p += 2
			case flags&0x40 != 0:
				p += 4
			case flags&0x80 != 0:
				p += 8
			}
			if flags&0x20 == 0 {
				break
			}
		}
	}
	var newGlyf []byte
	newLoca := make([]byte, 4*(numGlyphs+1))
	for g := 0; g < numGlyphs; g++ {
		binary.BigEndian.PutUint32(newLoca[4*g:], uint32(len(newGlyf)))
		if keep[g] {
			d, err := glyph(g)
			if err != nil {
				return nil, err
			}
			newGlyf = append(newGlyf, d...)
			for len(newGlyf)%4 != 0 {
				newGlyf = append(newGlyf, 0)
			}
		}
	}
	binary.BigEndian.PutUint32(newLoca[4*numGlyphs:], uint32(len(newGlyf)))
	newHead := bytes.Clone(head)
	binary.BigEndian.PutUint32(newHead[8:], 0) // checkSumAdjustment, recomputed below
	binary.BigEndian.PutUint16(newHead[50:], 1)
	out := []ttTable{{"head", newHead}, {"hhea", hhea}, {"maxp", maxp}, {"hmtx", hmtx}, {"loca", newLoca}, {"glyf", newGlyf},
		{"cmap", cmap4(s.gid)}, {"post", post3(tables["post"])}}
	for _, t := range []string{"cvt ", "fpgm", "prep"} {
		if tables[t] != nil {
			out = append(out, ttTable{t, tables[t]})
		}
	}
	s.file = writeTrueType(out)
	// checkSumAdjustment = 0xB1B0AFBA - checksum of the whole file.
	headOff := bytes.Index(s.file[:12+16*len(out)], []byte("head"))
	if headOff >= 0 {
		o := int(binary.BigEndian.Uint32(s.file[headOff+8:]))
		binary.BigEndian.PutUint32(s.file[o+8:], 0xB1B0AFBA-ttChecksum(s.file))
	}
	s.bbox = [4]int{scale(int(int16(binary.BigEndian.Uint16(head[36:])))), scale(int(int16(binary.BigEndian.Uint16(head[38:])))),
		scale(int(int16(binary.BigEndian.Uint16(head[40:])))), scale(int(int16(binary.BigEndian.Uint16(head[42:]))))}
	s.asc, s.desc = scale(int(int16(binary.BigEndian.Uint16(hhea[4:])))), scale(int(int16(binary.BigEndian.Uint16(hhea[6:]))))
	s.name = subsetTag(text) + "+" + fontName(f)
	return s, nil
}

// post3 is a version 3.0 post table (no glyph names) with the metrics of
// the original's header.
func post3(orig []byte) []byte {
	p := make([]byte, 32)
	copy(p, orig)
	binary.BigEndian.PutUint32(p, 0x00030000)
	return p
}

// cmap4 is a cmap table (Windows Unicode BMP, format 4) mapping the
// subset's characters, one segment each. The PDF does not use it (glyphs
// are addressed by number), but font parsers expect one.
func cmap4(gid map[rune]uint16) []byte {
	var codes []int
	for r := range gid {
		if r <= 0xFFFE {
			codes = append(codes, int(r))
		}
	}
	sort.Ints(codes)
	seg := len(codes) + 1
	es := 0
	for 1<<(es+1) <= seg {
		es++
	}
	sub := make([]byte, 14+8*seg+2)
	be := binary.BigEndian
	be.PutUint16(sub[0:], 4)
	be.PutUint16(sub[2:], uint16(len(sub)))
	be.PutUint16(sub[6:], uint16(2*seg))
	be.PutUint16(sub[8:], uint16(2<<es))
	be.PutUint16(sub[10:], uint16(es))
	be.PutUint16(sub[12:], uint16(2*seg-2<<es))
	end, start := 14, 14+2*seg+2
	delta, rangeOff := start+2*seg, start+4*seg
	for i, c := range codes {
		be.PutUint16(sub[end+2*i:], uint16(c))
		be.PutUint16(sub[start+2*i:], uint16(c))
		be.PutUint16(sub[delta+2*i:], uint16(int(gid[rune(c)])-c))
		be.PutUint16(sub[rangeOff+2*i:], 0)
	}
	last := seg - 1
	be.PutUint16(sub[end+2*last:], 0xFFFF)
	be.PutUint16(sub[start+2*last:], 0xFFFF)
	be.PutUint16(sub[delta+2*last:], 1)
	head := []byte{0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12} // version 0, one table: (3, 1) at offset 12
	return append(head, sub...)
}

// writeTrueType writes a TrueType file of tables (ISO/IEC 14496-22 §4.5),
// the directory sorted by tag.
func writeTrueType(tables []ttTable) []byte {
	sort.Slice(tables, func(i, j int) bool { return tables[i].tag < tables[j].tag })
	n := len(tables)
	es := 0
	for 1<<(es+1) <= n {
		es++
	}
	var b bytes.Buffer
	hdr := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(hdr[0:], 0x00010000)
	binary.BigEndian.PutUint16(hdr[4:], uint16(n))
	binary.BigEndian.PutUint16(hdr[6:], uint16(16<<es))
	binary.BigEndian.PutUint16(hdr[8:], uint16(es))
	binary.BigEndian.PutUint16(hdr[10:], uint16(16*n-16<<es))
	off := len(hdr)
	var body bytes.Buffer
	for i, t := range tables {
		r := hdr[12+16*i:]
		copy(r, t.tag)
		binary.BigEndian.PutUint32(r[4:], ttChecksum(t.data))
		binary.BigEndian.PutUint32(r[8:], uint32(off+body.Len()))
		binary.BigEndian.PutUint32(r[12:], uint32(len(t.data)))
		body.Write(t.data)
		for body.Len()%4 != 0 {
			body.WriteByte(0)
		}
	}
	b.Write(hdr)
	b.Write(body.Bytes())
	return b.Bytes()
}

func ttChecksum(d []byte) uint32 {
	var sum uint32
	for i := 0; i < len(d); i += 4 {
		var w [4]byte
		copy(w[:], d[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}

// subsetTag is the six-letter subset prefix (ISO 32000-1 §9.6.4), derived
// from the text so that the same text gives the same name.
func subsetTag(text string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(text); i++ {
		h = (h ^ uint32(text[i])) * 16777619
	}
	var b [6]byte
	for i := range b {
		b[i] = 'A' + byte(h%26)
		h /= 26
	}
	return string(b[:])
}

// fontName is the font's PostScript name, or "Font".
func fontName(f *sfnt.Font) string {
	var buf sfnt.Buffer
	if n, err := f.Name(&buf, sfnt.NameIDPostScript); err == nil && n != "" {
		return strings.Map(func(r rune) rune {
			if r <= ' ' || r > '~' || strings.ContainsRune("()<>[]{}/%#", r) {
				return -1
			}
			return r
		}, n)
	}
	return "Font"
}

// pdfObjects adds the font's objects (Type0 with a CIDFontType2
// descendant, the embedded subset, a ToUnicode map) to u and returns the
// Type0 font's object number.
func (s *subsetFont) pdfObjects(u *update) int {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(s.file)
	w.Close()
	file, desc, cid, uni, top := u.alloc(), u.alloc(), u.alloc(), u.alloc(), u.alloc()
	u.put(file, 0, append(fmt.Appendf(nil, "<< /Length %d /Length1 %d /Filter /FlateDecode >>\nstream\n", z.Len(), len(s.file)),
		append(z.Bytes(), "\nendstream"...)...))
	u.put(desc, 0, fmt.Appendf(nil, "<< /Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R >>",
		s.name, s.bbox[0], s.bbox[1], s.bbox[2], s.bbox[3], s.asc, s.desc, s.asc, file))
	gids := make([]int, 0, len(s.width))
	for g := range s.width {
		gids = append(gids, int(g))
	}
	sort.Ints(gids)
	var wa strings.Builder
	for _, g := range gids {
		fmt.Fprintf(&wa, "%d [%d] ", g, s.width[uint16(g)])
	}
	u.put(cid, 0, fmt.Appendf(nil, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 /W [%s] /CIDToGIDMap /Identity >>",
		s.name, desc, strings.TrimSpace(wa.String())))
	var cm strings.Builder
	cm.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	runes := make([]rune, 0, len(s.gid))
	for r := range s.gid {
		runes = append(runes, r)
	}
	slices.Sort(runes)
	for i := 0; i < len(runes); i += 100 {
		chunk := runes[i:min(i+100, len(runes))]
		fmt.Fprintf(&cm, "%d beginbfchar\n", len(chunk))
		for _, r := range chunk {
			fmt.Fprintf(&cm, "<%04X> <%s>\n", s.gid[r], utf16Hex(r))
		}
		cm.WriteString("endbfchar\n")
	}
	cm.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
	u.put(uni, 0, fmt.Appendf(nil, "<< /Length %d >>\nstream\n%s\nendstream", cm.Len(), cm.String()))
	u.put(top, 0, fmt.Appendf(nil, "<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>",
		s.name, cid, uni))
	return top
}

func utf16Hex(r rune) string {
	if r > 0xFFFF {
		r -= 0x10000
		return fmt.Sprintf("%04X%04X", 0xD800+(r>>10), 0xDC00+(r&0x3FF))
	}
	return fmt.Sprintf("%04X", r)
}

// textOps draws lines of text with the font inside w × h: the size fits
// the widest line and the number of lines.
func (s *subsetFont) textOps(text string, w, h float64) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r", ""), "\n")
	widest := 0
	for _, l := range lines {
		lw := 0
		for _, r := range l {
			lw += s.width[s.gid[r]]
		}
		widest = max(widest, lw)
	}
	pad := 4.0
	size := (h - 2*pad) / float64(len(lines)) / 1.2
	if widest > 0 {
		size = min(size, (w-2*pad)*1000/float64(widest))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "BT 0 g /F1 %s Tf %s TL %s %s Td ", num(size), num(size*1.2), num(pad), num(h-pad-size))
	for i, l := range lines {
		if i > 0 {
			b.WriteString("T* ")
		}
		b.WriteString("<")
		for _, r := range l {
			fmt.Fprintf(&b, "%04X", s.gid[r])
		}
		b.WriteString("> Tj ")
	}
	b.WriteString("ET")
	return b.String()
}
