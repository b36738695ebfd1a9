package pdf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
)

// object is one indirect object of an incremental update: its number and
// generation and the bytes between "N G obj" and "endobj".
type object struct {
	num, gen int
	body     []byte
}

// trailerRefs are what every trailer of an update repeats from the
// document: the catalog, the information dictionary and the file
// identifier.
type trailerRefs struct {
	root string // "N G R"
	info string // "N G R" or ""
	id0  []byte // the first /ID string (kept from the original)
	id1  []byte // the second /ID string (new for this update)
}

// update is an incremental update (ISO 32000-1 §7.5.6) being built: new and
// changed objects are appended after the original bytes, followed by a
// cross-reference section of the same kind as the document's last one and
// a trailer whose /Prev points at that section.
type update struct {
	base    []byte // the document so far
	prev    int    // its last cross-reference section's offset
	size    int    // the next free object number
	xstream bool   // write a cross-reference stream instead of a table
	refs    trailerRefs
	objs    []object
}

// alloc returns a new object number.
func (u *update) alloc() int {
	n := u.size
	u.size++
	return n
}

// put adds (or replaces) an object of the update.
func (u *update) put(num, gen int, body []byte) {
	for i := range u.objs {
		if u.objs[i].num == num {
			u.objs[i] = object{num, gen, body}
			return
		}
	}
	u.objs = append(u.objs, object{num, gen, body})
}

// write returns the updated document and the offset of each object.
func (u *update) write() ([]byte, map[int]int, error) {
	var b bytes.Buffer
	b.Grow(len(u.base) + 4096)
	b.Write(u.base)
	if n := len(u.base); n == 0 || (u.base[n-1] != '\n' && u.base[n-1] != '\r') {
		b.WriteByte('\n')
	}
	objs := slices.Clone(u.objs)
	slices.SortFunc(objs, func(a, b object) int { return a.num - b.num })
	offsets := map[int]int{}
	for _, o := range objs {
		offsets[o.num] = b.Len()
		fmt.Fprintf(&b, "%d %d obj\n", o.num, o.gen)
		b.Write(o.body)
		b.WriteString("\nendobj\n")
	}
	id := fmt.Sprintf("[<%X> <%X>]", u.refs.id0, u.refs.id1)
	extra := "/Root " + u.refs.root
	if u.refs.info != "" {
		extra += " /Info " + u.refs.info
	}
	extra += " /ID " + id + " /Prev " + strconv.Itoa(u.prev)
	xref := b.Len()
	if !u.xstream {
		b.WriteString("xref\n")
		for _, run := range runs(objs) {
			fmt.Fprintf(&b, "%d %d\n", run[0].num, len(run))
			for _, o := range run {
				fmt.Fprintf(&b, "%010d %05d n\r\n", offsets[o.num], o.gen)
			}
		}
		fmt.Fprintf(&b, "trailer\n<< /Size %d %s >>\n", u.size, extra)
	} else {
		self := u.size
		offsets[self] = xref
		objs = append(objs, object{num: self})
		w := 4
		if xref > 0xFFFFFFFF {
			w = 8
		}
		var data []byte
		var index []string
		for _, run := range runs(objs) {
			index = append(index, strconv.Itoa(run[0].num), strconv.Itoa(len(run)))
			for _, o := range run {
				data = append(data, 1)
				var off [8]byte
				binary.BigEndian.PutUint64(off[:], uint64(offsets[o.num]))
				data = append(data, off[8-w:]...)
				data = append(data, byte(o.gen>>8), byte(o.gen))
			}
		}
		fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 %d 2] /Index [%s] %s /Length %d >>\nstream\n",
			self, self+1, w, joinSpace(index), extra, len(data))
		b.Write(data)
		b.WriteString("\nendstream\nendobj\n")
	}
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", xref)
	return b.Bytes(), offsets, nil
}

// runs splits objects sorted by number into runs of consecutive numbers.
func runs(objs []object) [][]object {
	var out [][]object
	for i := 0; i < len(objs); {
		j := i + 1
		for j < len(objs) && objs[j].num == objs[j-1].num+1 {
			j++
		}
		out = append(out, objs[i:j])
		i = j
	}
	return out
}

func joinSpace(s []string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x)
	}
	return b.String()
}

// pdfText encodes s as a PDF text string: a literal string when s is
// printable ASCII, else UTF-16BE with a byte order mark as a hex string
// (ISO 32000-1 §7.9.2.2).
func pdfText(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			ascii = false
			break
		}
	}
	if ascii {
		var b bytes.Buffer
		b.WriteByte('(')
		for i := 0; i < len(s); i++ {
			if s[i] == '(' || s[i] == ')' || s[i] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(s[i])
		}
		b.WriteByte(')')
		return b.String()
	}
	var b bytes.Buffer
	b.WriteString("<FEFF")
	for _, r := range s {
		if r > 0xFFFF {
			r -= 0x10000
			fmt.Fprintf(&b, "%04X%04X", 0xD800+(r>>10), 0xDC00+(r&0x3FF))
			continue
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	b.WriteByte('>')
	return b.String()
}
