package pdf

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/mynacard/mynacard/jpki"
)

// Level is a PAdES baseline level (ETSI EN 319 142-1 §6).
type Level int

const (
	// LevelBB is B-B: the CAdES signature with signing-certificate-v2 and
	// the time in the signature dictionary's /M.
	LevelBB Level = iota + 1
	// LevelBT is B-T: B-B with an RFC 3161 signature timestamp.
	LevelBT
	// LevelBLT is B-LT: B-T with a DSS dictionary holding the chain and the
	// revocation data, added in an incremental update after the signature.
	LevelBLT
)

// String returns "B-B", "B-T" or "B-LT".
func (l Level) String() string {
	switch l {
	case LevelBB:
		return "B-B"
	case LevelBT:
		return "B-T"
	case LevelBLT:
		return "B-LT"
	}
	return "Level(" + strconv.Itoa(int(l)) + ")"
}

// ParseLevel parses "B-B", "B-T" or "B-LT" (case-insensitive).
func ParseLevel(s string) (Level, error) {
	for _, l := range []Level{LevelBB, LevelBT, LevelBLT} {
		if strings.EqualFold(s, l.String()) {
			return l, nil
		}
	}
	return 0, fmt.Errorf("unknown PAdES level %q (B-B, B-T or B-LT)", s)
}

// SignOptions parameterise [Prepare].
type SignOptions struct {
	// Level is the baseline level; zero means LevelBB. B-T and B-LT need
	// TSA.
	Level Level
	// TSA is the time-stamping authority for B-T and B-LT.
	TSA *TSA
	// Reason, Location and ContactInfo go into the signature dictionary.
	Reason, Location, ContactInfo string
	// Time is written as /M; zero means time.Now().
	Time time.Time
	// Hash is the digest: crypto.SHA256, SHA384 or SHA512; zero means the
	// one that goes with the signer's key (jpki.HashFor).
	Hash crypto.Hash
	// Page (1-based, default 1) receives the signature's widget.
	Page int
	// DocMDP, when 1, 2 or 3, makes a certification signature (ISO
	// 32000-1 §12.8.2.2) with that permission: 1 no change at all, 2 form
	// filling and signing, 3 also annotations. It must be the document's
	// first signature.
	DocMDP int
	// Rect, when set, makes the signature visible: its widget covers this
	// rectangle [x1 y1 x2 y2] of the page (in default user space units,
	// 1/72 inch, origin at the lower left) with an appearance (a
	// frame, and a seal ring when there is no Text). Without it the field
	// is invisible.
	Rect *[4]float64
	// Text, with Rect, is written in the appearance (lines split at
	// "\n"), with a subset of Font embedded: a TrueType font file, or
	// when nil the first of DefaultFontFiles that exists.
	Text string
	Font []byte
	// FieldName is the signature field's name; empty means the first free
	// "SignatureN".
	FieldName string
	// Reserve is the room kept for the CMS, in bytes; zero means
	// DefaultReserve (B-B) or DefaultReserveTimestamped (B-T, B-LT).
	Reserve int
}

// Room kept in /Contents for the CMS. A JPKI signing certificate and root
// are about 3 KiB; a timestamp token with its TSA certificates a few more.
const (
	DefaultReserve            = 8 << 10
	DefaultReserveTimestamped = 20 << 10
)

// Sentinel errors of signing.
var (
	// ErrContentsTooSmall reports a CMS larger than the room reserved.
	ErrContentsTooSmall = errors.New("pdf: signature larger than the room reserved for it")
	// ErrNeedTSA reports B-T or B-LT asked for without an authority.
	ErrNeedTSA = errors.New("pdf: B-T and B-LT need a time-stamping authority")
)

// Prepared is a document ready to be signed: the incremental update with
// the signature field and a signature dictionary whose /Contents is
// zeros. Everything about the PDF is checked by [Prepare], before any
// card or PIN is involved; [Prepared.Sign] only makes and embeds the CMS.
type Prepared struct {
	// Pages is the input's page count.
	Pages int
	// SHA256 is the input file's digest, to show the holder what is
	// signed.
	SHA256 [sha256.Size]byte
	// Signatures counts the signature fields already signed in the input.
	Signatures int
	// Field is the new signature field's name.
	Field string

	opts     SignOptions
	hash     crypto.Hash
	out      []byte
	byteRng  [4]int
	reserved int
}

// Prepare reads in and builds the incremental update that adds the
// signature field (a hidden widget on opts.Page) and its signature
// dictionary (/Filter /Adobe.PPKLite, /SubFilter /ETSI.CAdES.detached).
// The update's cross-reference section is a table or a stream, as the
// document's last one is.
func Prepare(in []byte, opts SignOptions) (p *Prepared, err error) {
	defer catch(&err)
	if opts.Level == 0 {
		opts.Level = LevelBB
	}
	if opts.Level < LevelBB || opts.Level > LevelBLT {
		return nil, fmt.Errorf("preparing the PDF: unknown level %d", opts.Level)
	}
	if opts.Level >= LevelBT && (opts.TSA == nil || opts.TSA.URL == "") {
		return nil, ErrNeedTSA
	}
	h := opts.Hash
	if _, ok := digestOIDs[h]; !ok && h != 0 {
		return nil, fmt.Errorf("preparing the PDF: digest %v not supported", h)
	}
	reserve := opts.Reserve
	if reserve == 0 {
		reserve = DefaultReserve
		if opts.Level >= LevelBT {
			reserve = DefaultReserveTimestamped
		}
	}
	page := opts.Page
	if page == 0 {
		page = 1
	}
	at := opts.Time
	if at.IsZero() {
		at = time.Now()
	}
	doc, err := readDocument(in)
	if err != nil {
		return nil, fmt.Errorf("reading the PDF: %w", err)
	}
	ctx := doc.ctx
	if page < 1 || page > ctx.PageCount {
		return nil, fmt.Errorf("preparing the PDF: page %d of %d", page, ctx.PageCount)
	}
	u, err := newUpdate(doc)
	if err != nil {
		return nil, err
	}
	catalog, ok := ctx.RootDict.Clone().(types.Dict)
	if !ok || catalog == nil {
		return nil, fmt.Errorf("%w: no catalog", ErrMalformed)
	}
	pageDict, pageRef, _, err := ctx.PageDict(page, false)
	if err != nil || pageRef == nil {
		return nil, fmt.Errorf("%w: page %d: %v", ErrMalformed, page, err)
	}

	p = &Prepared{Pages: ctx.PageCount, SHA256: sha256.Sum256(in), opts: opts, hash: h, reserved: reserve}
	fields := fieldNames(ctx, catalog)
	p.Signatures = countSigned(ctx, catalog)
	if opts.DocMDP != 0 && (opts.DocMDP < 1 || opts.DocMDP > 3 || p.Signatures > 0) {
		return nil, fmt.Errorf("preparing the PDF: a certification signature (DocMDP %d) must have P 1, 2 or 3 and be the first signature", opts.DocMDP)
	}
	p.Field = opts.FieldName
	if p.Field == "" {
		for i := 1; ; i++ {
			if n := "Signature" + strconv.Itoa(i); !fields[n] {
				p.Field = n
				break
			}
		}
	} else if fields[p.Field] {
		return nil, fmt.Errorf("preparing the PDF: a field named %q exists", p.Field)
	}

	sigNum, fieldNum := u.alloc(), u.alloc()
	fieldRef := *types.NewIndirectRef(fieldNum, 0)

	// The signature dictionary, /ByteRange and /Contents to be filled in.
	var sd strings.Builder
	sd.WriteString("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange ")
	sd.WriteString(byteRangePlaceholder)
	sd.WriteString(" /Contents <")
	sd.WriteString(strings.Repeat("0", 2*reserve))
	sd.WriteString(">")
	if opts.DocMDP != 0 {
		fmt.Fprintf(&sd, " /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P %d /V /1.2 >> >>]", opts.DocMDP)
	}
	sd.WriteString(" /M ")
	sd.WriteString(pdfText(pdfDate(at)))
	for _, kv := range [][2]string{{"Reason", opts.Reason}, {"Location", opts.Location}, {"ContactInfo", opts.ContactInfo}} {
		if kv[1] != "" {
			sd.WriteString(" /" + kv[0] + " " + pdfText(kv[1]))
		}
	}
	sd.WriteString(" >>")
	u.put(sigNum, 0, []byte(sd.String()))
	if opts.Text != "" && opts.Rect == nil {
		return nil, errors.New("preparing the PDF: appearance text needs a rectangle")
	}
	widget := fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T %s /V %d 0 R /F 132 /Rect [0 0 0 0] /P %s >>",
		pdfText(p.Field), sigNum, pageRef.PDFString())
	if r := opts.Rect; r != nil {
		x1, y1, x2, y2 := min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3])
		if x2-x1 < 1 || y2-y1 < 1 {
			return nil, fmt.Errorf("preparing the PDF: signature rectangle %v is empty", *r)
		}
		ap := appearance(x2-x1, y2-y1, opts.Text == "")
		res := "<< >>"
		if opts.Text != "" {
			font := opts.Font
			if font == nil {
				for _, f := range DefaultFontFiles {
					if b, err := os.ReadFile(f); err == nil {
						font = b
						break
					}
				}
			}
			if font == nil {
				return nil, fmt.Errorf("%w: no font for the appearance text (looked for %v)", ErrFont, DefaultFontFiles)
			}
			sf, err := newSubsetFont(font, opts.Text)
			if err != nil {
				return nil, err
			}
			res = fmt.Sprintf("<< /Font << /F1 %d 0 R >> >>", sf.pdfObjects(u))
			ap += " " + sf.textOps(opts.Text, x2-x1, y2-y1)
		}
		apNum := u.alloc()
		u.put(apNum, 0, fmt.Appendf(nil, "<< /Type /XObject /Subtype /Form /BBox [0 0 %s %s] /Resources %s /Length %d >>\nstream\n%s\nendstream",
			num(x2-x1), num(y2-y1), res, len(ap), ap))
		widget = fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T %s /V %d 0 R /F 132 /Rect [%s %s %s %s] /P %s /AP << /N %d 0 R >> >>",
			pdfText(p.Field), sigNum, num(x1), num(y1), num(x2), num(y2), pageRef.PDFString(), apNum)
	}
	u.put(fieldNum, 0, []byte(widget))

	// The page's /Annots gets the widget.
	pd, _ := pageDict.Clone().(types.Dict)
	switch a := pd["Annots"].(type) {
	case types.IndirectRef:
		arr := append(arrayOf(ctx, a).Clone().(types.Array), fieldRef)
		u.put(a.ObjectNumber.Value(), a.GenerationNumber.Value(), []byte(arr.PDFString()))
	case types.Array:
		pd["Annots"] = append(a.Clone().(types.Array), fieldRef)
		u.put(pageRef.ObjectNumber.Value(), pageRef.GenerationNumber.Value(), []byte(pd.PDFString()))
	case nil:
		pd["Annots"] = types.Array{fieldRef}
		u.put(pageRef.ObjectNumber.Value(), pageRef.GenerationNumber.Value(), []byte(pd.PDFString()))
	default:
		return nil, fmt.Errorf("%w: page /Annots is %T", ErrMalformed, a)
	}

	// The form gets the field and /SigFlags 3 (signatures exist, append
	// only).
	rootRef := *ctx.Root
	putCatalog := false
	addField := func(form types.Dict) error {
		switch f := form["Fields"].(type) {
		case types.IndirectRef:
			arr := append(arrayOf(ctx, f).Clone().(types.Array), fieldRef)
			u.put(f.ObjectNumber.Value(), f.GenerationNumber.Value(), []byte(arr.PDFString()))
		case types.Array:
			form["Fields"] = append(f.Clone().(types.Array), fieldRef)
		case nil:
			form["Fields"] = types.Array{fieldRef}
		default:
			return fmt.Errorf("%w: /AcroForm /Fields is %T", ErrMalformed, f)
		}
		form["SigFlags"] = types.Integer(3)
		return nil
	}
	switch af := catalog["AcroForm"].(type) {
	case types.IndirectRef:
		form, _ := dictOf(ctx, af).Clone().(types.Dict)
		if form == nil {
			form = types.Dict{}
		}
		if err := addField(form); err != nil {
			return nil, err
		}
		u.put(af.ObjectNumber.Value(), af.GenerationNumber.Value(), []byte(form.PDFString()))
	case types.Dict:
		if err := addField(af); err != nil {
			return nil, err
		}
		putCatalog = true
	case nil:
		formNum := u.alloc()
		u.put(formNum, 0, fmt.Appendf(nil, "<< /Fields [%d 0 R] /SigFlags 3 >>", fieldNum))
		catalog["AcroForm"] = *types.NewIndirectRef(formNum, 0)
		putCatalog = true
	default:
		return nil, fmt.Errorf("%w: /AcroForm is %T", ErrMalformed, af)
	}
	if opts.DocMDP != 0 {
		catalog["Perms"] = types.Dict{"DocMDP": *types.NewIndirectRef(sigNum, 0)}
		putCatalog = true
	}
	if putCatalog {
		u.put(rootRef.ObjectNumber.Value(), rootRef.GenerationNumber.Value(), []byte(catalog.PDFString()))
	}

	out, offsets, err := u.write()
	if err != nil {
		return nil, err
	}
	obj := offsets[sigNum]
	br := obj + bytes.Index(out[obj:], []byte("/ByteRange "+byteRangePlaceholder)) + len("/ByteRange ")
	a := obj + bytes.Index(out[obj:], []byte("/Contents <")) + len("/Contents ")
	b := a + 2 + 2*reserve
	p.byteRng = [4]int{0, a, b, len(out) - b}
	text := fmt.Sprintf("[0 %d %d %d]", a, b, len(out)-b)
	if len(text) > len(byteRangePlaceholder) {
		return nil, errors.New("preparing the PDF: file too large")
	}
	copy(out[br:], text+strings.Repeat(" ", len(byteRangePlaceholder)-len(text)))
	p.out = out
	return p, nil
}

// byteRangePlaceholder is overwritten, at the same width, with the real
// /ByteRange once the file's layout is known.
const byteRangePlaceholder = "[0 0000000000 0000000000 0000000000]"

// Sign makes the CMS over the prepared byte ranges with signer (cert's
// key; chain, typically the root, is included for the verifier's
// convenience), adds the timestamp for B-T and B-LT, and returns the
// signed PDF. The signer is asked for one signature. For B-LT, add the
// validation data with [AddDSS] afterwards.
func (p *Prepared) Sign(ctx context.Context, signer crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate) ([]byte, error) {
	if signer == nil || cert == nil {
		return nil, errors.New("signing the PDF: nil signer or certificate")
	}
	h := p.hash
	if h == 0 {
		// The hash follows the key: SHA-256 for RSA and P-256, SHA-384
		// for P-384.
		var err error
		if h, err = jpki.HashFor(signer.Public()); err != nil {
			return nil, fmt.Errorf("signing the PDF: %w", err)
		}
	}
	d := h.New()
	d.Write(p.out[:p.byteRng[1]])
	d.Write(p.out[p.byteRng[2]:])
	req := cmsRequest{digest: d.Sum(nil), hash: h, signer: signer, cert: cert, chain: chain}
	if p.opts.Level >= LevelBT {
		req.timestamp = func(sig []byte) ([]byte, error) { return p.opts.TSA.stamp(ctx, sig, h) }
	}
	// The size without the card's signature and the timestamp is known
	// now: refuse before the card is asked when it cannot fit.
	sizing := req
	sizing.signer, sizing.timestamp = sizingSigner{signer.Public()}, nil
	if est, err := buildCMS(sizing); err != nil {
		return nil, fmt.Errorf("signing the PDF: %w", err)
	} else if len(est) > p.reserved {
		return nil, fmt.Errorf("%w: at least %d bytes, %d reserved", ErrContentsTooSmall, len(est), p.reserved)
	}
	der, err := buildCMS(req)
	if err != nil {
		return nil, fmt.Errorf("signing the PDF: %w", err)
	}
	if len(der) > p.reserved {
		return nil, fmt.Errorf("%w: %d bytes, %d reserved", ErrContentsTooSmall, len(der), p.reserved)
	}
	out := bytes.Clone(p.out)
	hex.Encode(out[p.byteRng[1]+1:], der)
	// hex.Encode writes lower case; keep the file's hex upper case.
	copy(out[p.byteRng[1]+1:], bytes.ToUpper(out[p.byteRng[1]+1:p.byteRng[1]+1+2*len(der)]))
	return out, nil
}

// sizingSigner makes a signature of the largest size the key can give,
// all zeros, to measure the CMS before the real signer is asked.
type sizingSigner struct{ pub crypto.PublicKey }

func (s sizingSigner) Public() crypto.PublicKey { return s.pub }

func (s sizingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	switch k := s.pub.(type) {
	case *rsa.PublicKey:
		return make([]byte, k.Size()), nil
	case *ecdsa.PublicKey:
		return make([]byte, 2*((k.Curve.Params().BitSize+7)/8)+9), nil
	}
	return nil, fmt.Errorf("public key %T not supported", s.pub)
}

// Unsigned returns the prepared file before the CMS is embedded (its
// /Contents all zeros), for tests and for inspection.
func (p *Prepared) Unsigned() []byte { return bytes.Clone(p.out) }

// newUpdate starts an incremental update of doc.
func newUpdate(doc *document) (*update, error) {
	ctx := doc.ctx
	last := doc.sections[0]
	size := ctx.MaxObjNr + 1
	if s, ok := last.dict.dict["Size"]; ok && s.kind == rawInt && int(s.num) > size {
		size = int(s.num)
	}
	if ctx.Size != nil && *ctx.Size > size {
		size = *ctx.Size
	}
	if ctx.Root == nil {
		return nil, fmt.Errorf("%w: no /Root", ErrMalformed)
	}
	u := &update{base: doc.data, prev: last.offset, size: size, xstream: last.stream}
	u.refs.root = ctx.Root.PDFString()
	if ctx.Info != nil {
		u.refs.info = ctx.Info.PDFString()
	}
	if id, ok := last.dict.dict["ID"]; ok && id.kind == rawArray && len(id.arr) == 2 {
		u.refs.id0 = []byte(id.arr[0].text)
	}
	u.refs.id1 = make([]byte, 16)
	if _, err := rand.Read(u.refs.id1); err != nil {
		return nil, err
	}
	if len(u.refs.id0) == 0 {
		u.refs.id0 = bytes.Clone(u.refs.id1)
	}
	return u, nil
}

// appearance draws the graphics of a signature appearance of w × h: a
// frame and, when ring is set (no text), a seal ring of four Bézier arcs,
// in dark red.
func appearance(w, h float64, ring bool) string {
	r := min(w, h) * 0.35
	cx, cy := w/2, h/2
	k := 0.5523 * r
	var b strings.Builder
	fmt.Fprintf(&b, "q 0.6 0 0 RG 1 w 0.5 0.5 %s %s re S ", num(w-1), num(h-1))
	if !ring {
		b.WriteString("Q")
		return b.String()
	}
	b.WriteString("2 w ")
	fmt.Fprintf(&b, "%s %s m ", num(cx+r), num(cy))
	fmt.Fprintf(&b, "%s %s %s %s %s %s c ", num(cx+r), num(cy+k), num(cx+k), num(cy+r), num(cx), num(cy+r))
	fmt.Fprintf(&b, "%s %s %s %s %s %s c ", num(cx-k), num(cy+r), num(cx-r), num(cy+k), num(cx-r), num(cy))
	fmt.Fprintf(&b, "%s %s %s %s %s %s c ", num(cx-r), num(cy-k), num(cx-k), num(cy-r), num(cx), num(cy-r))
	fmt.Fprintf(&b, "%s %s %s %s %s %s c S Q", num(cx+k), num(cy-r), num(cx+r), num(cy-k), num(cx+r), num(cy))
	return b.String()
}

// num formats a PDF real with at most 3 decimals.
func num(f float64) string { return strconv.FormatFloat(math.Round(f*1000)/1000, 'f', -1, 64) }

// pdfDate formats t as a PDF date (ISO 32000-1 §7.9.4) in UTC.
func pdfDate(t time.Time) string { return "D:" + t.UTC().Format("20060102150405") + "Z" }

// fieldNames returns the fully qualified names of the form's fields.
func fieldNames(ctx *model.Context, catalog types.Dict) map[string]bool {
	out := map[string]bool{}
	walkFields(ctx, catalog, func(name string, _ types.Dict) { out[name] = true })
	return out
}

// countSigned counts the signature fields with a value.
func countSigned(ctx *model.Context, catalog types.Dict) int {
	n := 0
	walkFields(ctx, catalog, func(_ string, f types.Dict) {
		if nameOf(ctx, inherited(ctx, f, "FT")) == "Sig" && f["V"] != nil {
			n++
		}
	})
	return n
}

// walkFields calls fn for every field (terminal or not) of the form, with
// its fully qualified name.
func walkFields(ctx *model.Context, catalog types.Dict, fn func(name string, field types.Dict)) {
	form := dictOf(ctx, catalog["AcroForm"])
	if form == nil {
		return
	}
	seen := map[int]bool{}
	var walk func(a types.Array, prefix string, depth int)
	walk = func(a types.Array, prefix string, depth int) {
		if depth > 32 {
			return
		}
		for _, o := range a {
			if r, ok := refOf(o); ok {
				if seen[r.ObjectNumber.Value()] {
					continue
				}
				seen[r.ObjectNumber.Value()] = true
			}
			f := dictOf(ctx, o)
			if f == nil {
				continue
			}
			name := prefix
			if t := textOf(ctx, f["T"]); t != "" {
				if name != "" {
					name += "."
				}
				name += t
			}
			fn(name, f)
			if kids := arrayOf(ctx, f["Kids"]); kids != nil {
				walk(kids, name, depth+1)
			}
		}
	}
	walk(arrayOf(ctx, form["Fields"]), "", 0)
}

// inherited returns a field's key, looked up through /Parent.
func inherited(ctx *model.Context, f types.Dict, key string) types.Object {
	for i := 0; f != nil && i < 32; i++ {
		if v, ok := f[key]; ok {
			return v
		}
		f = dictOf(ctx, f["Parent"])
	}
	return nil
}

// textOf decodes a text string ("" when o is none).
func textOf(ctx *model.Context, o types.Object) string {
	s, err := types.StringOrHexLiteral(deref(ctx, o))
	if err != nil || s == nil {
		return ""
	}
	return *s
}
