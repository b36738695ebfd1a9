package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// rawKind is the kind of a value read by rawParser.
type rawKind int

const (
	rawNull rawKind = iota
	rawBool
	rawInt
	rawReal
	rawName
	rawString
	rawHex
	rawArray
	rawDict
	rawRef
	rawKeyword
)

// rawValue is a PDF value read straight from the file's bytes, with where
// it starts and ends. The verifier uses it (and not the PDF library's
// object model) for everything that must be located exactly: the trailer
// chain and the signature dictionary's /ByteRange and /Contents.
type rawValue struct {
	kind       rawKind
	start, end int // [start, end) in the data
	num        int64
	gen        int64
	text       string // name (without '/'), keyword, or string bytes
	arr        []rawValue
	keys       []string // dictionary keys in file order
	dict       map[string]rawValue
	dupKey     bool // a dictionary key appeared twice
}

// errRaw reports bytes that are not the PDF syntax expected there.
var errRaw = errors.New("malformed PDF syntax")

// rawMaxDepth bounds nesting so hostile input cannot exhaust the stack.
const rawMaxDepth = 64

type rawParser struct {
	data []byte
	pos  int
}

func isWhite(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// skip skips white space and comments.
func (p *rawParser) skip() {
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if isWhite(c) {
			p.pos++
			continue
		}
		if c == '%' {
			for p.pos < len(p.data) && p.data[p.pos] != '\n' && p.data[p.pos] != '\r' {
				p.pos++
			}
			continue
		}
		return
	}
}

func (p *rawParser) fail(what string) error {
	return fmt.Errorf("%w: %s at byte %d", errRaw, what, p.pos)
}

// skipWhite skips white space only (a "%%EOF" marker is not a comment
// to it).
func (p *rawParser) skipWhite() {
	for p.pos < len(p.data) && isWhite(p.data[p.pos]) {
		p.pos++
	}
}

// regular reads a run of regular characters.
func (p *rawParser) regular() string {
	s := p.pos
	for p.pos < len(p.data) && !isWhite(p.data[p.pos]) && !isDelim(p.data[p.pos]) {
		p.pos++
	}
	return string(p.data[s:p.pos])
}

// value reads one value; "N G R" references are recognised.
func (p *rawParser) value(depth int) (rawValue, error) {
	if depth > rawMaxDepth {
		return rawValue{}, p.fail("nesting too deep")
	}
	p.skip()
	if p.pos >= len(p.data) {
		return rawValue{}, p.fail("unexpected end")
	}
	start := p.pos
	c := p.data[p.pos]
	switch {
	case c == '/':
		p.pos++
		name := p.regular()
		return rawValue{kind: rawName, start: start, end: p.pos, text: name}, nil
	case c == '(':
		s, err := p.literal()
		return rawValue{kind: rawString, start: start, end: p.pos, text: s}, err
	case c == '<' && p.pos+1 < len(p.data) && p.data[p.pos+1] == '<':
		return p.dictionary(depth)
	case c == '<':
		s, err := p.hex()
		return rawValue{kind: rawHex, start: start, end: p.pos, text: s}, err
	case c == '[':
		p.pos++
		v := rawValue{kind: rawArray, start: start}
		for {
			p.skip()
			if p.pos >= len(p.data) {
				return rawValue{}, p.fail("unterminated array")
			}
			if p.data[p.pos] == ']' {
				p.pos++
				v.end = p.pos
				return v, nil
			}
			e, err := p.value(depth + 1)
			if err != nil {
				return rawValue{}, err
			}
			v.arr = append(v.arr, e)
		}
	case isDelim(c):
		return rawValue{}, p.fail(fmt.Sprintf("unexpected %q", c))
	}
	word := p.regular()
	switch word {
	case "true", "false":
		return rawValue{kind: rawBool, start: start, end: p.pos, text: word}, nil
	case "null":
		return rawValue{kind: rawNull, start: start, end: p.pos}, nil
	}
	if n, err := strconv.ParseInt(word, 10, 64); err == nil {
		// "N G R"?
		save := p.pos
		p.skip()
		g := p.regular()
		if gn, err := strconv.ParseInt(g, 10, 64); err == nil && n >= 0 && gn >= 0 {
			p.skip()
			if p.pos < len(p.data) && p.data[p.pos] == 'R' && (p.pos+1 == len(p.data) || isWhite(p.data[p.pos+1]) || isDelim(p.data[p.pos+1])) {
				p.pos++
				return rawValue{kind: rawRef, start: start, end: p.pos, num: n, gen: gn}, nil
			}
		}
		p.pos = save
		return rawValue{kind: rawInt, start: start, end: p.pos, num: n}, nil
	}
	if _, err := strconv.ParseFloat(word, 64); err == nil {
		return rawValue{kind: rawReal, start: start, end: p.pos, text: word}, nil
	}
	if word == "" {
		return rawValue{}, p.fail("empty token")
	}
	return rawValue{kind: rawKeyword, start: start, end: p.pos, text: word}, nil
}

func (p *rawParser) dictionary(depth int) (rawValue, error) {
	v := rawValue{kind: rawDict, start: p.pos, dict: map[string]rawValue{}}
	p.pos += 2
	for {
		p.skip()
		if p.pos+1 < len(p.data) && p.data[p.pos] == '>' && p.data[p.pos+1] == '>' {
			p.pos += 2
			v.end = p.pos
			return v, nil
		}
		k, err := p.value(depth + 1)
		if err != nil {
			return rawValue{}, err
		}
		if k.kind != rawName {
			return rawValue{}, p.fail("dictionary key is not a name")
		}
		e, err := p.value(depth + 1)
		if err != nil {
			return rawValue{}, err
		}
		if _, dup := v.dict[k.text]; dup {
			v.dupKey = true
		}
		v.keys = append(v.keys, k.text)
		v.dict[k.text] = e
	}
}

// literal reads a (string) with its escapes decoded.
func (p *rawParser) literal() (string, error) {
	p.pos++
	var b bytes.Buffer
	depth := 1
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		p.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return b.String(), nil
			}
		case '\\':
			if p.pos >= len(p.data) {
				return "", p.fail("unterminated string")
			}
			e := p.data[p.pos]
			p.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if p.pos < len(p.data) && p.data[p.pos] == '\n' {
					p.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					n := int(e - '0')
					for i := 0; i < 2 && p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '7'; i++ {
						n = n*8 + int(p.data[p.pos]-'0')
						p.pos++
					}
					c = byte(n)
				} else {
					c = e
				}
			}
		}
		b.WriteByte(c)
	}
	return "", p.fail("unterminated string")
}

// hex reads a <hex string>, decoded; an odd final digit counts as
// followed by 0.
func (p *rawParser) hex() (string, error) {
	p.pos++
	var out []byte
	var hi, n int
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		p.pos++
		if c == '>' {
			if n%2 == 1 {
				out = append(out, byte(hi<<4))
			}
			return string(out), nil
		}
		if isWhite(c) {
			continue
		}
		d := hexDigit(c)
		if d < 0 {
			return "", p.fail("bad hex digit")
		}
		if n%2 == 0 {
			hi = d
		} else {
			out = append(out, byte(hi<<4|d))
		}
		n++
	}
	return "", p.fail("unterminated hex string")
}

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// indirectObject reads "N G obj <value>" at pos and returns the object's
// numbers and value.
func indirectObject(data []byte, pos int) (num, gen int64, v rawValue, err error) {
	if pos < 0 || pos >= len(data) {
		return 0, 0, rawValue{}, fmt.Errorf("%w: object offset %d outside the file", errRaw, pos)
	}
	p := &rawParser{data: data, pos: pos}
	n, err := p.value(0)
	if err != nil {
		return 0, 0, rawValue{}, err
	}
	p.skip()
	g := p.regular()
	p.skip()
	kw := p.regular()
	gn, gerr := strconv.ParseInt(g, 10, 64)
	if n.kind != rawInt || gerr != nil || kw != "obj" {
		return 0, 0, rawValue{}, fmt.Errorf("%w: no \"N G obj\" at byte %d", errRaw, pos)
	}
	v, err = p.value(0)
	return n.num, gn, v, err
}
