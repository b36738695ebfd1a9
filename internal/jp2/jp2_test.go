//go:build cgo

package jp2

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// needTools skips the test when Debian's libopenjp2-tools are missing.
func needTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"opj_compress", "opj_decompress"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian libopenjp2-tools): %v", tool, err)
		}
	}
}

// syntheticFace draws a deterministic greyscale portrait-like pattern
// (no person's likeness) with maxVal as white, in comps components.
func syntheticFace(w, h, comps int, maxVal int) []int {
	px := make([]int, 0, w*h*comps)
	cx, cy := float64(w)/2, float64(h)*0.45
	for y := range h {
		for x := range w {
			fx, fy := float64(x)-cx, float64(y)-cy
			v := 0.85 - 0.4*float64(y)/float64(h) // background gradient
			head := fx*fx/(0.32*0.32*float64(w*w)) + fy*fy/(0.4*0.4*float64(h*h))
			if head < 1 {
				v = 0.6 + 0.1*float64((x*3+y*5)%7)/7
			}
			for _, ex := range []float64{-0.13, 0.13} {
				dx, dy := fx-ex*float64(w), fy+0.08*float64(h)
				if dx*dx+dy*dy < float64(w*w)/500 {
					v = 0.1
				}
			}
			if fy > 0.15*float64(h) && fy < 0.18*float64(h) && fx > -0.1*float64(w) && fx < 0.1*float64(w) {
				v = 0.25
			}
			for c := range comps {
				s := int(v*float64(maxVal)) + c*maxVal/10
				px = append(px, min(s, maxVal))
			}
		}
	}
	return px
}

// writePNM writes a binary PGM (1 component) or PPM (3 components).
func writePNM(t *testing.T, path string, w, h, comps, maxVal int, px []int) {
	t.Helper()
	var b bytes.Buffer
	magic := "P5"
	if comps == 3 {
		magic = "P6"
	}
	fmt.Fprintf(&b, "%s\n%d %d\n%d\n", magic, w, h, maxVal)
	for _, v := range px {
		if maxVal > 255 {
			b.WriteByte(byte(v >> 8))
		}
		b.WriteByte(byte(v))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// readPNM parses a binary PGM or PPM as opj_decompress writes it.
func readPNM(t *testing.T, path string) (w, h, comps, maxVal int, px []int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	magic := pnmToken(t, r)
	w, h, maxVal = pnmInt(t, r), pnmInt(t, r), pnmInt(t, r)
	switch magic {
	case "P5":
		comps = 1
	case "P6":
		comps = 3
	default:
		t.Fatalf("%s: unexpected magic %q", path, magic)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	step := 1
	if maxVal > 255 {
		step = 2
	}
	if len(raw) != w*h*comps*step {
		t.Fatalf("%s: %d bytes of samples, want %d", path, len(raw), w*h*comps*step)
	}
	for i := 0; i < len(raw); i += step {
		v := int(raw[i])
		if step == 2 {
			v = v<<8 | int(raw[i+1])
		}
		px = append(px, v)
	}
	return w, h, comps, maxVal, px
}

// pnmToken reads one header token, skipping whitespace and # comments,
// and consumes the single whitespace byte after it.
func pnmToken(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	var tok []byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			t.Fatalf("reading PNM header: %v", err)
		}
		switch {
		case c == '#' && len(tok) == 0:
			if _, err := r.ReadString('\n'); err != nil {
				t.Fatal(err)
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if len(tok) > 0 {
				return string(tok)
			}
		default:
			tok = append(tok, c)
		}
	}
}

func pnmInt(t *testing.T, r *bufio.Reader) int {
	t.Helper()
	n, err := strconv.Atoi(pnmToken(t, r))
	if err != nil {
		t.Fatalf("PNM header: %v", err)
	}
	return n
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// samples flattens img as 8-bit components in PNM order.
func samples(t *testing.T, img image.Image, comps int) []int {
	t.Helper()
	var out []int
	switch m := img.(type) {
	case *image.Gray:
		if comps != 1 {
			t.Fatalf("got grey image for %d components", comps)
		}
		for _, v := range m.Pix {
			out = append(out, int(v))
		}
	case *image.RGBA:
		if comps != 3 {
			t.Fatalf("got RGB image for %d components", comps)
		}
		for i := 0; i < len(m.Pix); i += 4 {
			out = append(out, int(m.Pix[i]), int(m.Pix[i+1]), int(m.Pix[i+2]))
		}
	default:
		t.Fatalf("unexpected image type %T", img)
	}
	return out
}

func TestMatchesOpjDecompress(t *testing.T) {
	needTools(t)
	tests := []struct {
		name   string
		comps  int
		maxVal int
		ext    string
		args   []string
	}{
		{"grey8 lossless j2k", 1, 255, "j2k", nil},
		{"grey8 lossless jp2", 1, 255, "jp2", nil},
		{"grey8 lossy jp2", 1, 255, "jp2", []string{"-r", "20"}},
		{"grey8 lossy tiled j2k", 1, 255, "j2k", []string{"-r", "10", "-t", "32,32", "-n", "3"}},
		{"grey8 irreversible j2k", 1, 255, "j2k", []string{"-I", "-r", "8"}},
		{"rgb8 lossless j2k", 3, 255, "j2k", nil},
		{"rgb8 lossy jp2", 3, 255, "jp2", []string{"-r", "15"}},
		{"grey12 lossless j2k", 1, 4095, "j2k", nil},
		{"grey16 lossy jp2", 1, 65535, "jp2", []string{"-r", "10"}},
	}
	const w, h = 90, 112
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "in.pgm")
			if tt.comps == 3 {
				src = filepath.Join(dir, "in.ppm")
			}
			writePNM(t, src, w, h, tt.comps, tt.maxVal, syntheticFace(w, h, tt.comps, tt.maxVal))
			enc := filepath.Join(dir, "face."+tt.ext)
			run(t, "opj_compress", append([]string{"-i", src, "-o", enc}, tt.args...)...)
			ref := filepath.Join(dir, "ref.pgm")
			if tt.comps == 3 {
				ref = filepath.Join(dir, "ref.ppm")
			}
			run(t, "opj_decompress", "-i", enc, "-o", ref)

			b, err := os.ReadFile(enc)
			if err != nil {
				t.Fatal(err)
			}
			img, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			rw, rh, rc, rmax, want := readPNM(t, ref)
			if rc != tt.comps || img.Bounds() != image.Rect(0, 0, rw, rh) {
				t.Fatalf("decoded %v, reference %dx%d with %d components", img.Bounds(), rw, rh, rc)
			}
			// Above 8 bits the reference keeps full precision: shift it
			// down as the binding does (opj_decompress -p 8).
			if rmax > 255 {
				shift := 0
				for (rmax >> shift) > 255 {
					shift++
				}
				for i := range want {
					want[i] >>= shift
				}
			}
			got := samples(t, img, tt.comps)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("sample %d (x=%d y=%d): got %d, opj_decompress %d", i, (i/rc)%rw, (i/rc)/rw, got[i], want[i])
				}
			}
		})
	}
}

// TestGolden decodes the committed synthetic photo without any tools and
// compares with what opj_decompress wrote for it (testdata/face.pgm).
func TestGolden(t *testing.T) {
	w, h, comps, _, want := readPNM(t, "testdata/face.pgm")
	for _, name := range []string{"testdata/face.j2k", "testdata/face.jp2"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		img, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, ok := img.(*image.Gray); !ok || img.Bounds() != image.Rect(0, 0, w, h) {
			t.Fatalf("%s: %T %v, want *image.Gray %dx%d", name, img, img.Bounds(), w, h)
		}
		got := samples(t, img, comps)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: sample %d is %d, testdata/face.pgm has %d", name, i, got[i], want[i])
			}
		}
	}
}

func TestToPNG(t *testing.T) {
	b, err := os.ReadFile("testdata/face.jp2")
	if err != nil {
		t.Fatal(err)
	}
	out, err := ToPNG(b)
	if err != nil {
		t.Fatal(err)
	}
	back, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	img, _ := Decode(b)
	g, ok := back.(*image.Gray)
	if !ok || !bytes.Equal(g.Pix, img.(*image.Gray).Pix) {
		t.Fatalf("PNG round trip differs (%T)", back)
	}
}

func TestTruncated(t *testing.T) {
	for _, name := range []string{"testdata/face.j2k", "testdata/face.jp2"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < len(b); n += 1 + n/16 {
			if _, err := Decode(b[:n]); err == nil {
				t.Errorf("%s truncated to %d of %d bytes: no error", name, n, len(b))
			}
		}
	}
}

// TestCorruptedHeader damages the SIZ marker segment: the decode must
// fail cleanly. (Damage inside entropy-coded data has no checksum in JPEG
// 2000 and may decode to wrong pixels; FuzzDecode covers it for crashes.)
func TestCorruptedHeader(t *testing.T) {
	b, err := os.ReadFile("testdata/face.j2k")
	if err != nil {
		t.Fatal(err)
	}
	// SIZ (ISO/IEC 15444-1 A.5.1) after SOC: Lsiz at 4, Rsiz 6, Xsiz 8,
	// Ysiz 12, XOsiz 16, YOsiz 20, XTsiz 24, YTsiz 28, XTOsiz 32,
	// YTOsiz 36, Csiz 40, then Ssiz, XRsiz, YRsiz per component from 42.
	tests := []struct {
		name  string
		patch func(c []byte)
	}{
		{"SIZ length", func(c []byte) { c[5] = 0x01 }},
		{"component count zero", func(c []byte) { c[41] = 0 }},
		{"precision 38 bits", func(c []byte) { c[42] = 0x25 }},
		{"sub-sampling zero", func(c []byte) { c[43] = 0 }},
		{"tile width zero", func(c []byte) { copy(c[24:28], []byte{0, 0, 0, 0}) }},
		{"origin past size", func(c []byte) { copy(c[16:20], []byte{0, 0, 1, 0}) }},
		{"no SIZ marker", func(c []byte) { c[3] = 0x52 }},
	}
	for _, tt := range tests {
		c := bytes.Clone(b)
		tt.patch(c)
		if _, err := Decode(c); err == nil {
			t.Errorf("%s: no error", tt.name)
		} else {
			t.Logf("%s: %v", tt.name, err)
		}
	}
}

// TestLimits refuses an image beyond the limits from its header alone.
func TestLimits(t *testing.T) {
	b, err := os.ReadFile("testdata/face.j2k")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decoder{Limits: Limits{MaxWidth: 50}}.Decode(b)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("MaxWidth 50: %v, want ErrTooLarge", err)
	}
	// A header claiming 60000 x 60000 pixels: refused before decoding.
	bomb := bytes.Clone(b)
	copy(bomb[8:16], []byte{0, 0, 0xea, 0x60, 0, 0, 0xea, 0x60})  // Xsiz, Ysiz
	copy(bomb[24:32], []byte{0, 0, 0xea, 0x60, 0, 0, 0xea, 0x60}) // XTsiz, YTsiz
	if _, err := Decode(bomb); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("bomb: %v, want ErrTooLarge", err)
	}
	// Many small tiles, each costing OpenJPEG state: refused by count.
	tiles := bytes.Clone(b)
	copy(tiles[8:16], []byte{0, 0, 0x08, 0, 0, 0, 0x08, 0}) // 2048 x 2048
	copy(tiles[24:32], []byte{0, 0, 0, 17, 0, 0, 0, 17})    // 17 x 17 tiles
	if _, err := Decode(tiles); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("tiles: %v, want ErrTooLarge", err)
	}
}

// TestMissingTiles cuts a tiled codestream after its first tile and ends
// it properly with EOC: OpenJPEG would decode it without complaint,
// leaving the other tiles black; the pre-check refuses it.
func TestMissingTiles(t *testing.T) {
	needTools(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "in.pgm")
	writePNM(t, src, 96, 120, 1, 255, syntheticFace(96, 120, 1, 255))
	enc := filepath.Join(dir, "tiled.j2k")
	run(t, "opj_compress", "-i", src, "-o", enc, "-t", "32,32", "-n", "3")
	b, err := os.ReadFile(enc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(b); err != nil {
		t.Fatalf("complete tiled image: %v", err)
	}
	sot := []byte{0xff, 0x90, 0x00, 0x0a}
	first := bytes.Index(b, sot)
	second := bytes.Index(b[first+1:], sot) + first + 1
	if first < 0 || second <= first {
		t.Fatal("no two tile-parts")
	}
	cut := append(bytes.Clone(b[:second]), 0xff, 0xd9)
	if _, err := Decode(cut); !errors.Is(err, ErrTruncated) {
		t.Fatalf("one tile of 12: %v, want ErrTruncated", err)
	}
}

func TestFindCodestream(t *testing.T) {
	cs := []byte{0xff, 0x4f, 0xff, 0x51}
	box := func(size uint32, typ string, body []byte) []byte {
		return append(binary.BigEndian.AppendUint32(nil, size), append([]byte(typ), body...)...)
	}
	xl := append(binary.BigEndian.AppendUint32(nil, 1), []byte("jp2c")...)
	xl = append(binary.BigEndian.AppendUint64(xl, uint64(16+len(cs))), cs...)
	tests := []struct {
		name    string
		in      []byte
		wantErr bool
	}{
		{"plain", append(box(12, "jP  ", []byte{13, 10, 0x87, 10}), box(uint32(8+len(cs)), "jp2c", cs)...), false},
		{"to end", append(box(12, "jP  ", []byte{13, 10, 0x87, 10}), box(0, "jp2c", cs)...), false},
		{"extended length", append(box(12, "jP  ", []byte{13, 10, 0x87, 10}), xl...), false},
		{"box too long", append(box(12, "jP  ", []byte{13, 10, 0x87, 10}), box(99, "jp2c", cs)...), true},
		{"box too short", box(4, "jP  ", nil), true},
		{"no jp2c", box(12, "jP  ", []byte{13, 10, 0x87, 10}), true},
	}
	for _, tt := range tests {
		got, err := findCodestream(tt.in)
		if (err != nil) != tt.wantErr || (err == nil && !bytes.Equal(got, cs)) {
			t.Errorf("%s: %x, %v", tt.name, got, err)
		}
	}
}

func TestDecodeErrorMessages(t *testing.T) {
	b, err := os.ReadFile("testdata/face.j2k")
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(b)
	bad[42] = 0x25 // Ssiz: 38 bits, which OpenJPEG refuses
	_, err = Decode(bad)
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v (%T), want *DecodeError", err, err)
	}
	if len(de.Messages) == 0 {
		t.Fatalf("no OpenJPEG messages captured: %v", err)
	}
	t.Log(err)
}

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"testdata/face.j2k", "testdata/face.jp2"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte(magicJ2K))
	f.Add([]byte(magicJP2))
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := Decoder{Limits: Limits{MaxWidth: 512, MaxHeight: 512}}.Decode(b)
		if err == nil && (img == nil || img.Bounds().Empty()) {
			t.Fatal("no error and no image")
		}
	})
}

// TestMakeTestdata regenerates testdata/ when JP2_UPDATE=1 (by hand).
func TestMakeTestdata(t *testing.T) {
	if os.Getenv("JP2_UPDATE") != "1" {
		t.Skip("set JP2_UPDATE=1 to regenerate testdata")
	}
	needTools(t)
	const w, h = 96, 120
	src := filepath.Join(t.TempDir(), "face.pgm")
	writePNM(t, src, w, h, 1, 255, syntheticFace(w, h, 1, 255))
	run(t, "opj_compress", "-i", src, "-o", "testdata/face.j2k", "-r", "12", "-n", "4")
	run(t, "opj_compress", "-i", src, "-o", "testdata/face.jp2", "-r", "12", "-n", "4")
	run(t, "opj_decompress", "-i", "testdata/face.j2k", "-o", "testdata/face.pgm")
	t.Log("wrote testdata: sizes", strconv.Itoa(w), strconv.Itoa(h))
}

func TestConcurrentDecode(t *testing.T) {
	b, err := os.ReadFile("testdata/face.j2k")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			img, err := Decode(b)
			if err == nil && !bytes.Equal(img.(*image.Gray).Pix, want.(*image.Gray).Pix) {
				err = errors.New("pixels differ")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
