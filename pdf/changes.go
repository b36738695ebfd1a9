package pdf

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Kinds of change a later revision can make to a signed one.
const (
	// ChangeSignature: a signature dictionary or an invisible signature
	// field added (another signature). Does not alter the display.
	ChangeSignature = "signature"
	// ChangeDSS: the document security store (validation data) added or
	// extended. Does not alter the display.
	ChangeDSS = "dss"
	// ChangeMetadata: the information dictionary or XMP metadata. Does not
	// alter the display.
	ChangeMetadata = "metadata"
	// ChangeAnnotation: an annotation added, removed or changed (a visible
	// signature appearance counts too).
	ChangeAnnotation = "annotation"
	// ChangeFormField: a form field added, removed or changed, or the
	// form's defaults.
	ChangeFormField = "form-field"
	// ChangePages: pages added, removed or reordered.
	ChangePages = "pages"
	// ChangePageContent: a page's content stream replaced or changed.
	ChangePageContent = "page-content"
	// ChangeObject: any other object changed, deleted, or a reference of
	// the signed revision filled in.
	ChangeObject = "changed-object"
	// ChangeCatalog: the document catalog changed beyond the form and the
	// DSS (or replaced).
	ChangeCatalog = "catalog"
	// ChangeUnused: objects added that nothing of the signed revision
	// refers to and no allowed change uses.
	ChangeUnused = "unused-object"
)

// Change is one difference between a signed revision and the last one.
type Change struct {
	// Kind is one of the Change… constants.
	Kind string `json:"kind"`
	// Object is the object number.
	Object int `json:"object"`
	// Alters is true when the change can alter what is displayed; it
	// fails the signature's coverage.
	Alters bool `json:"alters_display"`
	// Detail says more, for people.
	Detail string `json:"detail,omitempty"`
}

// differ compares a signed revision with the last one.
type differ struct {
	old, cur *model.Context
	out      []Change
	oldRefs  map[int]bool // numbers referenced anywhere in the signed revision
	pages    map[int]bool // page objects of the signed revision
	contents map[int]bool // their content streams
	handled  map[int]bool // changed objects already classified
}

func (d *differ) add(kind string, num int, alters bool, format string, args ...any) {
	d.out = append(d.out, Change{Kind: kind, Object: num, Alters: alters, Detail: fmt.Sprintf(format, args...)})
}

// changesSince returns what the last revision changed relative to rev.
func changesSince(rev, final *revision) []Change {
	d := &differ{old: rev.ctx, cur: final.ctx, oldRefs: map[int]bool{}, pages: map[int]bool{}, contents: map[int]bool{}, handled: map[int]bool{}}
	for n, e := range d.old.Table {
		if e != nil && !e.Free {
			collectRefs(e.Object, d.oldRefs, 0)
		}
		_ = n
	}
	for i := 1; i <= d.old.PageCount; i++ {
		pd, ref, _, err := d.old.PageDict(i, false)
		if err != nil || ref == nil {
			continue
		}
		d.pages[ref.ObjectNumber.Value()] = true
		switch c := pd["Contents"].(type) {
		case types.IndirectRef:
			d.contents[c.ObjectNumber.Value()] = true
			for _, e := range arrayOf(d.old, c) {
				if r, ok := refOf(e); ok {
					d.contents[r.ObjectNumber.Value()] = true
				}
			}
		case types.Array:
			for _, e := range c {
				if r, ok := refOf(e); ok {
					d.contents[r.ObjectNumber.Value()] = true
				}
			}
		}
	}
	if d.old.PageCount != d.cur.PageCount {
		d.add(ChangePages, 0, true, "%d pages signed, %d now", d.old.PageCount, d.cur.PageCount)
	}
	if d.old.Root == nil || d.cur.Root == nil || d.old.Root.ObjectNumber != d.cur.Root.ObjectNumber {
		d.add(ChangeCatalog, 0, true, "the catalog was replaced")
		return d.out
	}
	d.catalog()

	nums := make([]int, 0, len(d.cur.Table))
	for n := range d.cur.Table {
		nums = append(nums, n)
	}
	for n := range d.old.Table {
		if _, ok := d.cur.Table[n]; !ok {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	nums = slices.Compact(nums)
	for _, n := range nums {
		if n == 0 || d.handled[n] {
			continue
		}
		oe, ne := d.old.Table[n], d.cur.Table[n]
		oldLive := oe != nil && !oe.Free
		newLive := ne != nil && !ne.Free
		switch {
		case oldLive && !newLive:
			d.add(ChangeObject, n, true, "object %d deleted", n)
		case !oldLive && newLive:
			d.added(n, ne.Object)
		case oldLive && newLive:
			if gen(oe) != gen(ne) {
				d.add(ChangeObject, n, true, "object %d has a new generation", n)
			} else if !sameObject(oe.Object, ne.Object) {
				d.changed(n, oe.Object, ne.Object)
			}
		}
	}
	return d.out
}

func gen(e *model.XRefTableEntry) int {
	if e.Generation == nil {
		return 0
	}
	return *e.Generation
}

// catalog classifies changes to the catalog and the form.
func (d *differ) catalog() {
	rn := d.old.Root.ObjectNumber.Value()
	d.handled[rn] = true
	oc, nc := d.old.RootDict, d.cur.RootDict
	for _, k := range diffKeys(oc, nc) {
		switch k {
		case "AcroForm":
			// checked below
		case "DSS", "Extensions":
			d.add(ChangeDSS, rn, false, "catalog /%s", k)
		case "Metadata":
			d.add(ChangeMetadata, rn, false, "catalog /Metadata")
		default:
			d.add(ChangeCatalog, rn, true, "catalog /%s changed", k)
		}
	}
	of, nf := dictOf(d.old, oc["AcroForm"]), dictOf(d.cur, nc["AcroForm"])
	if r, ok := refOf(nc["AcroForm"]); ok {
		d.handled[r.ObjectNumber.Value()] = true
	}
	if r, ok := refOf(oc["AcroForm"]); ok {
		d.handled[r.ObjectNumber.Value()] = true
	}
	if nf == nil {
		if of != nil {
			d.add(ChangeFormField, 0, true, "the form was removed")
		}
		return
	}
	if of == nil {
		of = types.Dict{}
	}
	fieldsDone := false
	for _, k := range diffKeys(of, nf) {
		switch k {
		case "Fields":
			d.fields(of, nf)
			fieldsDone = true
		case "SigFlags":
		default:
			d.add(ChangeFormField, 0, true, "form /%s changed", k)
		}
	}
	// An indirect /Fields array is the same reference in both: compare
	// the arrays.
	if r, ok := refOf(nf["Fields"]); ok && !fieldsDone && !sameObject(deref(d.old, r), deref(d.cur, r)) {
		d.fields(of, nf)
	}
}

// fields checks that the form's /Fields only gained invisible signature
// fields.
func (d *differ) fields(of, nf types.Dict) {
	if r, ok := refOf(nf["Fields"]); ok {
		d.handled[r.ObjectNumber.Value()] = true
	}
	oa, na := arrayOf(d.old, of["Fields"]), arrayOf(d.cur, nf["Fields"])
	if !prefix(oa, na) {
		d.add(ChangeFormField, 0, true, "form fields removed or reordered")
		return
	}
	for _, o := range na[len(oa):] {
		d.newWidgetOrField(o, "form field")
	}
}

// newWidgetOrField classifies an added field or annotation: an invisible
// signature field is allowed; anything else alters the document.
func (d *differ) newWidgetOrField(o types.Object, what string) {
	num := 0
	if r, ok := refOf(o); ok {
		num = r.ObjectNumber.Value()
		if d.oldRefs[num] && d.old.Table[num] != nil && !d.old.Table[num].Free {
			// An existing object added again, e.g. an old field that is
			// now also an annotation: classified when compared.
			return
		}
		if d.handled[num] {
			return
		}
		d.handled[num] = true
	}
	f := dictOf(d.cur, o)
	if f == nil {
		d.add(ChangeObject, num, true, "a %s that is not a dictionary", what)
		return
	}
	isSig := nameOf(d.cur, inherited(d.cur, f, "FT")) == "Sig"
	if !isSig {
		kind := ChangeFormField
		if what == "annotation" {
			kind = ChangeAnnotation
		}
		d.add(kind, num, true, "%s %d added", what, num)
		return
	}
	if kids := arrayOf(d.cur, f["Kids"]); len(kids) > 0 {
		d.add(ChangeFormField, num, true, "signature field %d with kids", num)
		return
	}
	if visible(d.cur, f) {
		d.add(ChangeAnnotation, num, true, "signature field %d has a visible appearance", num)
		return
	}
	if r, ok := refOf(f["V"]); ok {
		d.handled[r.ObjectNumber.Value()] = true
	}
	d.add(ChangeSignature, num, false, "signature field %d", num)
}

// visible reports whether a widget can be seen: a non-empty rectangle and
// neither Hidden nor NoView set.
func visible(ctx *model.Context, w types.Dict) bool {
	if f, ok := deref(ctx, w["F"]).(types.Integer); ok && int(f)&(2|32) != 0 {
		return false
	}
	r := arrayOf(ctx, w["Rect"])
	if len(r) != 4 {
		return false // no rectangle: nowhere to be drawn
	}
	var v [4]float64
	for i, e := range r {
		switch x := deref(ctx, e).(type) {
		case types.Integer:
			v[i] = float64(x)
		case types.Float:
			v[i] = x.Value()
		default:
			return true
		}
	}
	return v[0] != v[2] && v[1] != v[3]
}

// changed classifies an object that exists in both revisions with
// different content.
func (d *differ) changed(n int, o, c types.Object) {
	od, _ := o.(types.Dict)
	cd, _ := c.(types.Dict)
	switch {
	case d.pages[n] && od != nil && cd != nil:
		for _, k := range diffKeys(od, cd) {
			switch k {
			case "Annots":
				d.annots(n, od["Annots"], cd["Annots"])
			case "Contents":
				d.add(ChangePageContent, n, true, "page object %d has other contents", n)
			default:
				d.add(ChangeObject, n, true, "page object %d /%s changed", n, k)
			}
		}
		return
	case d.contents[n]:
		d.add(ChangePageContent, n, true, "content stream %d changed", n)
		return
	case d.old.Info != nil && d.old.Info.ObjectNumber.Value() == n:
		d.add(ChangeMetadata, n, false, "document information")
		return
	}
	if od != nil && cd != nil {
		if t := od.Type(); t != nil && (*t == "Sig" || *t == "DocTimeStamp") {
			d.add(ChangeObject, n, true, "signature dictionary %d replaced", n)
			return
		}
		if nameOf(d.old, inherited(d.old, od, "FT")) == "Sig" {
			keys := diffKeys(od, cd)
			if len(keys) == 1 && keys[0] == "V" && od["V"] == nil && !visible(d.cur, cd) {
				if r, ok := refOf(cd["V"]); ok {
					d.handled[r.ObjectNumber.Value()] = true
				}
				d.add(ChangeSignature, n, false, "empty signature field %d signed", n)
				return
			}
		}
		if _, ok := od["FT"]; ok {
			d.add(ChangeFormField, n, true, "form field %d changed", n)
			return
		}
		if t := od.Type(); (t != nil && *t == "Annot") || od["Subtype"] != nil && od["Rect"] != nil {
			d.add(ChangeAnnotation, n, true, "annotation %d changed", n)
			return
		}
		if t := od.Type(); t != nil && *t == "Pages" {
			d.add(ChangePages, n, true, "page tree node %d changed", n)
			return
		}
		if isDSS(d.old, n) {
			d.add(ChangeDSS, n, false, "DSS %d", n)
			return
		}
	}
	if oa, ok := o.(types.Array); ok {
		if ca, ok := c.(types.Array); ok && d.annotsArray(n) {
			d.annotsDiff(n, oa, ca)
			return
		}
	}
	if sd, ok := o.(types.StreamDict); ok {
		if t := sd.Dict.Type(); t != nil && *t == "Metadata" {
			d.add(ChangeMetadata, n, false, "XMP metadata %d", n)
			return
		}
	}
	d.add(ChangeObject, n, true, "object %d changed", n)
}

// annotsArray reports whether n is an indirect /Annots array of a signed
// page.
func (d *differ) annotsArray(n int) bool {
	for p := range d.pages {
		e := d.old.Table[p]
		if e == nil {
			continue
		}
		if pd, ok := e.Object.(types.Dict); ok {
			if r, ok := refOf(pd["Annots"]); ok && r.ObjectNumber.Value() == n {
				return true
			}
		}
	}
	return false
}

// annots classifies a change of a page's /Annots entry.
func (d *differ) annots(page int, o, c types.Object) {
	if r, ok := refOf(c); ok {
		if or, ok := refOf(o); ok && or.ObjectNumber == r.ObjectNumber {
			return // the array object itself is compared on its own
		}
		d.handled[r.ObjectNumber.Value()] = true
	}
	d.annotsDiff(page, arrayOf(d.old, o), arrayOf(d.cur, c))
}

func (d *differ) annotsDiff(n int, oa, ca types.Array) {
	if !prefix(oa, ca) {
		d.add(ChangeAnnotation, n, true, "annotations of object %d removed or reordered", n)
		return
	}
	for _, a := range ca[len(oa):] {
		d.newWidgetOrField(a, "annotation")
	}
}

// added classifies an object that the signed revision did not have.
func (d *differ) added(n int, o types.Object) {
	if d.oldRefs[n] {
		d.add(ChangeObject, n, true, "object %d fills a reference of the signed revision", n)
		return
	}
	var dict types.Dict
	switch v := o.(type) {
	case types.Dict:
		dict = v
	case types.StreamDict:
		dict = v.Dict
		if t := v.Dict.Type(); t != nil && (*t == "XRef" || *t == "ObjStm") {
			return
		}
	}
	if dict != nil {
		if isSigDict(dict) {
			d.add(ChangeSignature, n, false, "signature dictionary %d", n)
			return
		}
		if t := dict.Type(); t != nil && *t == "Page" {
			d.add(ChangePages, n, true, "page object %d added", n)
			return
		}
		if isDSS(d.cur, n) {
			d.add(ChangeDSS, n, false, "validation data %d", n)
			return
		}
	}
	d.add(ChangeUnused, n, false, "object %d added", n)
}

// isDSS reports whether n is the DSS dictionary, one of its VRI entries
// or one of the streams it lists, in ctx.
func isDSS(ctx *model.Context, n int) bool {
	dss := ctx.RootDict["DSS"]
	if r, ok := refOf(dss); ok && r.ObjectNumber.Value() == n {
		return true
	}
	dd := dictOf(ctx, dss)
	if dd == nil {
		return false
	}
	for _, k := range []string{"Certs", "CRLs", "OCSPs", "VRI"} {
		if r, ok := refOf(dd[k]); ok && r.ObjectNumber.Value() == n {
			return true
		}
		for _, e := range arrayOf(ctx, dd[k]) {
			if r, ok := refOf(e); ok && r.ObjectNumber.Value() == n {
				return true
			}
		}
	}
	return false
}

// diffKeys returns the keys whose values differ between two dictionaries.
func diffKeys(a, b types.Dict) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || !sameObject(v, w) {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// prefix reports whether a is a prefix of b, element by element.
func prefix(a, b types.Array) bool {
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		if !sameObject(a[i], b[i]) {
			return false
		}
	}
	return true
}

// sameObject compares two objects by their serialisation (and a stream's
// bytes).
func sameObject(a, b types.Object) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	sa, sb := streamOf(a), streamOf(b)
	if (sa == nil) != (sb == nil) {
		return false
	}
	if sa != nil {
		return sa.Dict.PDFString() == sb.Dict.PDFString() && bytes.Equal(streamBytes(sa), streamBytes(sb))
	}
	return a.PDFString() == b.PDFString()
}

func streamOf(o types.Object) *types.StreamDict {
	switch v := o.(type) {
	case types.StreamDict:
		return &v
	case *types.StreamDict:
		return v
	}
	return nil
}

func streamBytes(s *types.StreamDict) []byte {
	if s.Raw != nil {
		return s.Raw
	}
	return s.Content
}

// collectRefs adds every object number referenced in o to refs.
func collectRefs(o types.Object, refs map[int]bool, depth int) {
	if depth > 64 {
		return
	}
	switch v := o.(type) {
	case types.IndirectRef:
		refs[v.ObjectNumber.Value()] = true
	case *types.IndirectRef:
		if v != nil {
			refs[v.ObjectNumber.Value()] = true
		}
	case types.Dict:
		for _, e := range v {
			collectRefs(e, refs, depth+1)
		}
	case types.StreamDict:
		collectRefs(v.Dict, refs, depth+1)
	case *types.StreamDict:
		if v != nil {
			collectRefs(v.Dict, refs, depth+1)
		}
	case types.Array:
		for _, e := range v {
			collectRefs(e, refs, depth+1)
		}
	}
}
