package pdf

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// maxXRefData bounds a decoded cross-reference stream.
const maxXRefData = 64 << 20

// definedObjects returns the object numbers that the cross-reference
// section s defines as in use, read from the file's bytes (a table, or a
// stream decoded here). The verifier compares them with what the PDF
// library loaded, so that an object it could not read in a later revision
// is not mistaken for no change.
func definedObjects(data []byte, s section) ([]int, error) {
	if !s.stream {
		return tableObjects(data, s.offset)
	}
	return streamObjects(data, s)
}

func tableObjects(data []byte, off int) ([]int, error) {
	p := &rawParser{data: data, pos: off + len("xref")}
	var out []int
	for {
		p.skipWhite()
		if bytes.HasPrefix(data[p.pos:], []byte("trailer")) {
			return out, nil
		}
		first, err1 := strconv.Atoi(p.regular())
		p.skipWhite()
		count, err2 := strconv.Atoi(p.regular())
		if err1 != nil || err2 != nil || first < 0 || count < 0 || count > len(data)/18 {
			return nil, fmt.Errorf("%w: cross-reference subsection at %d", ErrMalformed, p.pos)
		}
		for i := 0; i < count; i++ {
			p.skipWhite()
			p.regular() // offset
			p.skipWhite()
			p.regular() // generation
			p.skipWhite()
			switch p.regular() {
			case "n":
				out = append(out, first+i)
			case "f":
			default:
				return nil, fmt.Errorf("%w: cross-reference entry at %d", ErrMalformed, p.pos)
			}
		}
	}
}

func streamObjects(data []byte, s section) ([]int, error) {
	d := s.dict
	raw, err := streamData(data, d)
	if err != nil {
		return nil, err
	}
	var w [3]int
	if wa := d.dict["W"]; wa.kind != rawArray || len(wa.arr) != 3 {
		return nil, fmt.Errorf("%w: /W of the cross-reference stream at %d", ErrMalformed, s.offset)
	} else {
		for i, e := range wa.arr {
			if e.kind != rawInt || e.num < 0 || e.num > 8 {
				return nil, fmt.Errorf("%w: /W of the cross-reference stream at %d", ErrMalformed, s.offset)
			}
			w[i] = int(e.num)
		}
	}
	row := w[0] + w[1] + w[2]
	if row == 0 {
		return nil, fmt.Errorf("%w: empty /W", ErrMalformed)
	}
	if f := d.dict["Filter"]; f.kind == rawName && f.text == "FlateDecode" || f.kind == rawArray && len(f.arr) == 1 && f.arr[0].text == "FlateDecode" {
		zr, err := zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%w: cross-reference stream: %v", ErrMalformed, err)
		}
		raw, err = io.ReadAll(io.LimitReader(zr, maxXRefData))
		if err != nil {
			return nil, fmt.Errorf("%w: cross-reference stream: %v", ErrMalformed, err)
		}
		parms := d.dict["DecodeParms"]
		if parms.kind == rawArray && len(parms.arr) == 1 {
			parms = parms.arr[0]
		}
		if pr := parms.dict["Predictor"]; pr.kind == rawInt && pr.num >= 10 {
			cols := row
			if c := parms.dict["Columns"]; c.kind == rawInt && c.num > 0 {
				cols = int(c.num)
			}
			if raw, err = unpredictPNG(raw, cols); err != nil {
				return nil, err
			}
		} else if pr.kind == rawInt && pr.num > 1 {
			return nil, fmt.Errorf("%w: predictor %d", ErrMalformed, pr.num)
		}
	} else if f.kind != 0 {
		return nil, fmt.Errorf("%w: cross-reference stream filter", ErrMalformed)
	}
	var index []int
	if ix := d.dict["Index"]; ix.kind == rawArray {
		for _, e := range ix.arr {
			if e.kind != rawInt || e.num < 0 {
				return nil, fmt.Errorf("%w: /Index", ErrMalformed)
			}
			index = append(index, int(e.num))
		}
	} else if sz := d.dict["Size"]; sz.kind == rawInt {
		index = []int{0, int(sz.num)}
	}
	if len(index)%2 != 0 {
		return nil, fmt.Errorf("%w: /Index", ErrMalformed)
	}
	var out []int
	pos := 0
	for i := 0; i < len(index); i += 2 {
		for n := 0; n < index[i+1]; n++ {
			if pos+row > len(raw) {
				return nil, fmt.Errorf("%w: cross-reference stream too short", ErrMalformed)
			}
			typ := 1
			if w[0] > 0 {
				typ = 0
				for _, c := range raw[pos : pos+w[0]] {
					typ = typ<<8 | int(c)
				}
			}
			if typ == 1 || typ == 2 {
				out = append(out, index[i]+n)
			}
			pos += row
		}
	}
	return out, nil
}

// streamData returns the bytes of a stream whose dictionary is d (with a
// direct /Length).
func streamData(data []byte, d rawValue) ([]byte, error) {
	l := d.dict["Length"]
	if l.kind != rawInt || l.num < 0 {
		return nil, errors.New("cross-reference stream without a direct /Length")
	}
	p := &rawParser{data: data, pos: d.end}
	p.skipWhite()
	if !bytes.HasPrefix(data[p.pos:], []byte("stream")) {
		return nil, fmt.Errorf("%w: no stream keyword", ErrMalformed)
	}
	p.pos += len("stream")
	if p.pos < len(data) && data[p.pos] == '\r' {
		p.pos++
	}
	if p.pos < len(data) && data[p.pos] == '\n' {
		p.pos++
	}
	if int64(len(data)-p.pos) < l.num {
		return nil, fmt.Errorf("%w: stream runs past the end", ErrMalformed)
	}
	return data[p.pos : p.pos+int(l.num)], nil
}

// unpredictPNG undoes PNG predictors (RFC 2083 §6) on rows of cols bytes.
func unpredictPNG(in []byte, cols int) ([]byte, error) {
	if len(in)%(cols+1) != 0 {
		return nil, fmt.Errorf("%w: predicted data not whole rows", ErrMalformed)
	}
	out := make([]byte, 0, len(in)/(cols+1)*cols)
	prev := make([]byte, cols)
	for i := 0; i < len(in); i += cols + 1 {
		f, row := in[i], append([]byte(nil), in[i+1:i+1+cols]...)
		for j := range row {
			var left, upLeft byte
			if j > 0 {
				left, upLeft = row[j-1], prev[j-1]
			}
			up := prev[j]
			switch f {
			case 0:
			case 1:
				row[j] += left
			case 2:
				row[j] += up
			case 3:
				row[j] += byte((int(left) + int(up)) / 2)
			case 4:
				row[j] += paeth(left, up, upLeft)
			default:
				return nil, fmt.Errorf("%w: PNG filter %d", ErrMalformed, f)
			}
		}
		out = append(out, row...)
		prev = row
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
