package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

func init() {
	// pdfcpu otherwise writes a configuration directory under the user's
	// home on first use.
	model.ConfigPath = "disable"
}

// Sentinel errors for documents that cannot be read or signed.
var (
	// ErrMalformed reports bytes that are not a PDF this package can read:
	// no trailer chain, broken cross-reference sections, bad objects.
	ErrMalformed = errors.New("pdf: malformed PDF")
	// ErrEncrypted reports an encrypted PDF, which is neither signed nor
	// verified here.
	ErrEncrypted = errors.New("pdf: encrypted PDF not supported")
)

// section is one cross-reference section of the file, found by following
// startxref and /Prev.
type section struct {
	offset int
	stream bool     // a cross-reference stream, not a table
	prev   int      // /Prev, -1 when absent
	dict   rawValue // the trailer (or the stream's dictionary)
}

// document is a PDF read for signing or verification: its bytes, its
// cross-reference chain, the ends of its revisions, and the objects of
// the last revision as pdfcpu reads them.
type document struct {
	data     []byte
	sections []section // last section first
	// ends are the revision ends in increasing order: the offset just
	// after each "startxref N %%EOF" (and its end-of-line) whose N is a
	// section of the chain. The last one is the end of the file's last
	// revision.
	ends []int
	ctx  *model.Context
}

// maxSections bounds the /Prev chain.
const maxSections = 10000

// readDocument reads data: the cross-reference chain by hand, strictly
// (every section where startxref and /Prev say, no loops), then the
// objects with pdfcpu.
func readDocument(data []byte) (*document, error) {
	d := &document{data: data}
	last, err := lastStartxref(data)
	if err != nil {
		return nil, err
	}
	seen := map[int]bool{}
	for off := last; off >= 0; {
		if seen[off] || len(d.sections) >= maxSections {
			return nil, fmt.Errorf("%w: cross-reference chain loops at %d", ErrMalformed, off)
		}
		seen[off] = true
		s, err := readSection(data, off)
		if err != nil {
			return nil, err
		}
		d.sections = append(d.sections, s)
		off = s.prev
	}
	if _, enc := d.sections[0].dict.dict["Encrypt"]; enc {
		return nil, ErrEncrypted
	}
	d.ends = revisionEnds(data, seen)
	if len(d.ends) == 0 {
		return nil, fmt.Errorf("%w: no revision end", ErrMalformed)
	}
	d.ctx, err = readObjects(data)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// catch turns a panic inside the PDF library on hostile input into
// ErrMalformed.
func catch(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %v", ErrMalformed, r)
	}
}

// readObjects parses data with pdfcpu: every object, object streams
// decoded. A panic inside the library on hostile input is an error.
func readObjects(data []byte) (ctx *model.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			ctx, err = nil, fmt.Errorf("%w: %v", ErrMalformed, r)
		}
	}()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err = pdfcpu.Read(bytes.NewReader(data), conf)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if ctx.Encrypt != nil {
		return nil, ErrEncrypted
	}
	if err := ctx.EnsurePageCount(); err != nil {
		return nil, fmt.Errorf("%w: page tree: %v", ErrMalformed, err)
	}
	return ctx, nil
}

// lastStartxref finds the offset named by the file's final startxref,
// which must be followed by %%EOF and nothing but white space.
func lastStartxref(data []byte) (int, error) {
	eof := bytes.LastIndex(data, []byte("%%EOF"))
	if eof < 0 {
		return 0, fmt.Errorf("%w: no %%%%EOF", ErrMalformed)
	}
	for _, c := range data[eof+5:] {
		if !isWhite(c) {
			return 0, fmt.Errorf("%w: data after the last %%%%EOF", ErrMalformed)
		}
	}
	sx := bytes.LastIndex(data[:eof], []byte("startxref"))
	if sx < 0 {
		return 0, fmt.Errorf("%w: no startxref", ErrMalformed)
	}
	off, end, ok := startxrefAt(data, sx)
	if !ok || end != eof {
		return 0, fmt.Errorf("%w: bad startxref", ErrMalformed)
	}
	return off, nil
}

// startxrefAt reads "startxref N" at pos; end is where %%EOF starts.
func startxrefAt(data []byte, pos int) (off, end int, ok bool) {
	p := &rawParser{data: data, pos: pos + len("startxref")}
	p.skipWhite()
	n := p.regular()
	v, err := strconv.Atoi(n)
	if err != nil || v < 0 {
		return 0, 0, false
	}
	p.skipWhite()
	if !bytes.HasPrefix(data[p.pos:], []byte("%%EOF")) {
		return 0, 0, false
	}
	return v, p.pos, true
}

// revisionEnds returns the end of every "startxref N %%EOF" whose N is a
// section offset, after the marker's end-of-line, sorted.
func revisionEnds(data []byte, sections map[int]bool) []int {
	var ends []int
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("startxref"))
		if j < 0 {
			break
		}
		pos := i + j
		i = pos + 1
		off, eof, ok := startxrefAt(data, pos)
		if !ok || !sections[off] {
			continue
		}
		end := eof + 5
		if end < len(data) && data[end] == '\r' {
			end++
		}
		if end < len(data) && data[end] == '\n' {
			end++
		}
		ends = append(ends, end)
	}
	slices.Sort(ends)
	return slices.Compact(ends)
}

// readSection reads the cross-reference section at off: a table with its
// trailer, or a cross-reference stream's dictionary.
func readSection(data []byte, off int) (section, error) {
	if off >= len(data) {
		return section{}, fmt.Errorf("%w: cross-reference offset %d outside the file", ErrMalformed, off)
	}
	s := section{offset: off, prev: -1}
	if bytes.HasPrefix(data[off:], []byte("xref")) {
		t := bytes.Index(data[off:], []byte("trailer"))
		if t < 0 {
			return section{}, fmt.Errorf("%w: no trailer after the table at %d", ErrMalformed, off)
		}
		p := &rawParser{data: data, pos: off + t + len("trailer")}
		v, err := p.value(0)
		if err != nil || v.kind != rawDict {
			return section{}, fmt.Errorf("%w: trailer at %d", ErrMalformed, off)
		}
		s.dict = v
	} else {
		_, _, v, err := indirectObject(data, off)
		if err != nil || v.kind != rawDict || v.dict["Type"].text != "XRef" {
			return section{}, fmt.Errorf("%w: no cross-reference section at %d", ErrMalformed, off)
		}
		s.stream, s.dict = true, v
	}
	if p, ok := s.dict.dict["Prev"]; ok {
		// A linearized file's first-page section points forward to the
		// main one; loops are caught by the caller.
		if p.kind != rawInt || p.num < 0 || p.num >= int64(len(data)) {
			return section{}, fmt.Errorf("%w: /Prev of the section at %d", ErrMalformed, off)
		}
		s.prev = int(p.num)
	}
	return s, nil
}

// deref resolves o (following references) in ctx.
func deref(ctx *model.Context, o types.Object) types.Object {
	for i := 0; i < 32; i++ {
		r, ok := o.(types.IndirectRef)
		if !ok {
			if pr, ok := o.(*types.IndirectRef); ok && pr != nil {
				r = *pr
			} else {
				return o
			}
		}
		e, found := ctx.FindTableEntry(r.ObjectNumber.Value(), r.GenerationNumber.Value())
		if !found || e == nil || e.Free {
			return nil
		}
		o = e.Object
	}
	return nil
}

// dictOf resolves o to a dictionary (the dictionary of a stream too).
func dictOf(ctx *model.Context, o types.Object) types.Dict {
	switch v := deref(ctx, o).(type) {
	case types.Dict:
		return v
	case types.StreamDict:
		return v.Dict
	case *types.StreamDict:
		return v.Dict
	}
	return nil
}

// arrayOf resolves o to an array.
func arrayOf(ctx *model.Context, o types.Object) types.Array {
	a, _ := deref(ctx, o).(types.Array)
	return a
}

// refOf returns o as a reference, if it is one.
func refOf(o types.Object) (types.IndirectRef, bool) {
	switch v := o.(type) {
	case types.IndirectRef:
		return v, true
	case *types.IndirectRef:
		if v != nil {
			return *v, true
		}
	}
	return types.IndirectRef{}, false
}

// nameOf returns o as a name ("" if it is none).
func nameOf(ctx *model.Context, o types.Object) string {
	if n, ok := deref(ctx, o).(types.Name); ok {
		return string(n)
	}
	return ""
}
