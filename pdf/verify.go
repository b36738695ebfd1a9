package pdf

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/revocation"
)

// Problem codes: why a signature is not valid. Each attack on PDF
// signatures the verifier knows is refused with its own code.
const (
	// CodeByteRange: /ByteRange missing or not four sane integers.
	CodeByteRange = "byterange-malformed"
	// CodeNotRevision: the signed bytes do not end at the end of a
	// revision (the signature covers less than its revision), or the
	// signature dictionary lies outside the revision it signs.
	CodeNotRevision = "byterange-not-revision"
	// CodeHole: the gap in /ByteRange is not exactly this dictionary's
	// /Contents string (widened, shifted, or pointing elsewhere).
	CodeHole = "byterange-hole"
	// CodeContents: /Contents is not a DER CMS followed by zero padding.
	CodeContents = "contents-malformed"
	// CodeSubFilter: a /SubFilter other than ETSI.CAdES.detached or
	// adbe.pkcs7.detached.
	CodeSubFilter = "subfilter"
	// CodeObjectStream: the signature dictionary is inside an object
	// stream, where its /Contents cannot be a hole in the file.
	CodeObjectStream = "signature-in-object-stream"
	// CodeInline: a signature field's value is a direct dictionary, not
	// an indirect object whose bytes can be located.
	CodeInline = "signature-dictionary-inline"
	// CodeCMS: the CMS is malformed, has more than one signer, or is not
	// detached over id-data.
	CodeCMS = "cms-malformed"
	// CodeDigestAlgorithm: a digest outside the allowlist (SHA-256/384/512).
	CodeDigestAlgorithm = "digest-algorithm"
	// CodeSignatureAlgorithm: a signature algorithm outside the allowlist.
	CodeSignatureAlgorithm = "signature-algorithm"
	// CodeAttributes: signed attributes missing, malformed or not PAdES
	// (no signing-certificate, or a signing-time attribute).
	CodeAttributes = "signed-attributes"
	// CodeDigest: the signed bytes' digest differs from message-digest.
	CodeDigest = "digest-mismatch"
	// CodeSignature: the signature value does not verify.
	CodeSignature = "signature-invalid"
	// CodeAuthKey: signed with the authentication key, which cannot make
	// a signature in law (電子署名).
	CodeAuthKey = "authentication-key"
	// CodeChain: the signer does not chain to a pinned root (Detail says
	// why; Signature.ChainReason has the jpki reason).
	CodeChain = "chain"
	// CodeModified: a later revision changed the document in a way that
	// can alter what is displayed (Signature.Changes say how).
	CodeModified = "modified-after-signing"
	// CodeDocMDP: a certification signature's permissions (DocMDP P=1:
	// no change) forbid what a later revision did.
	CodeDocMDP = "docmdp-violated"
	// CodeTimestamp: the signature timestamp does not verify.
	CodeTimestamp = "timestamp-invalid"
	// CodeTimestampUntrusted: the timestamp verifies but its authority is
	// not trusted (no TSA roots given, or no chain to them).
	CodeTimestampUntrusted = "timestamp-untrusted"
	// CodeNoSignature: the document has no signature.
	CodeNoSignature = "no-signature"
)

var (
	errDigestAlgorithm    = errors.New("digest algorithm not accepted")
	errSignatureAlgorithm = errors.New("signature algorithm not accepted")
	errAttributes         = errors.New("signed attributes")
	errDigestMismatch     = errors.New("the signed bytes' digest differs from the message-digest attribute")
	errSignatureValue     = errors.New("signature value does not verify")
)

// Problem is one reason a signature is not valid.
type Problem struct {
	Code   string `json:"code"`
	Detail string `json:"detail,omitempty"`
}

// VerifyOptions parameterise [Verify].
type VerifyOptions struct {
	// Roots are the trusted roots (the pinned J-LIS roots, or the test
	// hierarchy in test mode).
	Roots *jpki.Roots
	// RequireProduction refuses signers under a test root.
	RequireProduction bool
	// Time is when the certificates must be valid; zero means now.
	Time time.Time
	// Revocation, when set, answers the signer's revocation status (a
	// revocation.Config's Load builds one). Nil means no source: the status
	// is unknown.
	Revocation revocation.Checker
	// TSARoots are the trusted roots of time-stamping authorities. A
	// timestamp whose authority does not chain to them is a problem.
	TSARoots *x509.CertPool
}

// Signature is one signature dictionary's verification.
type Signature struct {
	// Field is the signature field's fully qualified name, if a field of
	// the last revision has this signature as its value.
	Field string
	// Revision is the revision the signature signs (1 = the original).
	Revision int
	// Object is the signature dictionary's object number.
	Object int
	// SubFilter is the signature's /SubFilter.
	SubFilter string
	// ByteRange is the signature's /ByteRange.
	ByteRange [4]int64
	// WholeFile is true when the signature covers the whole file (it is
	// the last revision).
	WholeFile bool
	// Time is /M, the signer's claimed time (zero if absent).
	Time time.Time
	// Reason, Location, ContactInfo are the dictionary's entries.
	Reason, Location, ContactInfo string
	// Hash is the CMS digest algorithm.
	Hash crypto.Hash
	// Algorithm is the signature algorithm of the CMS signer, as in JOSE
	// ("RS256", "ES256", …); empty when the CMS did not verify.
	Algorithm string
	// Signer is the signer's certificate and attributes; nil when the CMS
	// could not be read.
	Signer *jpki.Certificate
	// Chain is the signer's verification to a root, nil when it failed
	// (ChainReason says why).
	Chain       *jpki.Verification
	ChainReason jpki.Reason
	// Revocation is the signer's revocation status; nil when the
	// signature failed before it was asked.
	Revocation *revocation.Result
	// Timestamp is the verified signature timestamp, nil if none.
	Timestamp *Timestamp
	// DSS is true when the document's DSS holds the signer's certificate.
	DSS bool
	// Level is the PAdES baseline level the signature meets ("B-B", "B-T",
	// "B-LT"), "" for a signature that is not PAdES.
	Level string
	// Changes are what later revisions changed.
	Changes []Change
	// Problems are every reason the signature is not valid.
	Problems []Problem
}

// Valid reports whether the signature has no problem. Revocation is not
// part of it: see [Signature.Good].
func (s *Signature) Valid() bool { return len(s.Problems) == 0 }

// Good reports Valid and a revocation status of good.
func (s *Signature) Good() bool {
	return s.Valid() && s.Revocation != nil && s.Revocation.Status == revocation.StatusGood
}

// Report is a document's verification.
type Report struct {
	// Revisions counts the document's revisions.
	Revisions int
	// Signatures are every signature dictionary of every revision, in
	// file order.
	Signatures []*Signature
	// DSS describes the document security store, nil if there is none.
	DSS *DSSInfo
	// Problems are document-level problems (no signature).
	Problems []Problem
}

// Valid reports whether the document has signatures and all are valid.
func (r *Report) Valid() bool {
	if len(r.Signatures) == 0 || len(r.Problems) > 0 {
		return false
	}
	for _, s := range r.Signatures {
		if !s.Valid() {
			return false
		}
	}
	return true
}

// MaxRevisions bounds the revisions Verify reads (each is parsed whole),
// so that a file of many tiny updates cannot make verification quadratic
// without limit. Signed contracts rarely have more than a few.
const MaxRevisions = 100

// revision is one revision of a document being verified.
type revision struct {
	end    int // end of the revision (after %%EOF and its end-of-line)
	eof    int // end of the %%EOF marker
	ctx    *model.Context
	err    error
	refs   map[int]bool // object numbers referenced from the revision
	number int          // 1-based
	doc    *document    // the whole file (set on the last revision)
}

// Verify verifies every signature of a PDF. It returns an error only for
// a file that is not a readable PDF; every signature's verdict, including
// each reason it fails, is in the Report.
func Verify(ctx context.Context, data []byte, opts VerifyOptions) (rep *Report, err error) {
	defer catch(&err)
	doc, err := readDocument(data)
	if err != nil {
		return nil, fmt.Errorf("reading the PDF: %w", err)
	}
	if len(doc.ends) > MaxRevisions {
		return nil, fmt.Errorf("reading the PDF: %w: %d revisions, at most %d are verified", ErrMalformed, len(doc.ends), MaxRevisions)
	}
	revs := make([]*revision, len(doc.ends))
	for i, end := range doc.ends {
		r := &revision{end: end, number: i + 1}
		r.eof = end
		for r.eof > 0 && (data[r.eof-1] == '\n' || data[r.eof-1] == '\r') {
			r.eof--
		}
		if i == len(doc.ends)-1 {
			r.ctx, r.doc = doc.ctx, doc
		} else {
			r.ctx, r.err = readObjects(data[:end])
		}
		revs[i] = r
	}
	rep = &Report{Revisions: len(revs)}
	rep.DSS = dssInfo(doc.ctx)
	final := revs[len(revs)-1]

	// Every signature dictionary of every revision, each once (by its
	// place in the file).
	type cand struct {
		num    int
		offset int64
		inStm  bool
	}
	seen := map[string]bool{}
	var cands []cand
	for _, r := range revs {
		if r.ctx == nil {
			continue
		}
		nums := make([]int, 0, len(r.ctx.Table))
		for n := range r.ctx.Table {
			nums = append(nums, n)
		}
		slices.Sort(nums)
		for _, n := range nums {
			e := r.ctx.Table[n]
			if e == nil || e.Free || n == 0 {
				continue
			}
			d, ok := e.Object.(types.Dict)
			if !ok || !isSigDict(d) {
				continue
			}
			var c cand
			c.num = n
			switch {
			case e.Compressed:
				c.inStm = true
				c.offset = -int64(n)
			case e.Offset != nil:
				c.offset = *e.Offset
			default:
				continue
			}
			key := strconv.FormatInt(c.offset, 10) + "/" + strconv.Itoa(n)
			if c.inStm {
				key = "stm/" + strconv.Itoa(r.number) + "/" + strconv.Itoa(n)
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			cands = append(cands, c)
		}
	}
	slices.SortFunc(cands, func(a, b cand) int { return int(a.offset - b.offset) })
	names := sigFieldNames(final.ctx)
	for _, c := range cands {
		s := &Signature{Object: c.num, Field: names[c.num]}
		if c.inStm {
			s.Problems = append(s.Problems, Problem{Code: CodeObjectStream})
		} else {
			verifyOne(ctx, s, data, int(c.offset), revs, opts)
		}
		rep.Signatures = append(rep.Signatures, s)
	}
	walkFields(final.ctx, final.ctx.RootDict, func(name string, f types.Dict) {
		if _, isRef := refOf(f["V"]); isRef || nameOf(final.ctx, inherited(final.ctx, f, "FT")) != "Sig" {
			return
		}
		if v, ok := f["V"].(types.Dict); ok && isSigDict(v) {
			s := &Signature{Field: name, Revision: len(revs)}
			s.fail(CodeInline, "the value of field %q is a direct dictionary", name)
			rep.Signatures = append(rep.Signatures, s)
		}
	})
	if len(rep.Signatures) == 0 {
		rep.Problems = append(rep.Problems, Problem{Code: CodeNoSignature})
	}
	return rep, nil
}

// isSigDict reports whether d is a signature dictionary.
func isSigDict(d types.Dict) bool {
	if t := d.Type(); t != nil && (*t == "Sig" || *t == "DocTimeStamp") {
		return true
	}
	_, br := d["ByteRange"]
	_, ct := d["Contents"]
	return br && ct
}

// sigFieldNames maps signature dictionaries' object numbers to the names
// of the fields whose value they are.
func sigFieldNames(ctx *model.Context) map[int]string {
	out := map[int]string{}
	if ctx == nil || ctx.RootDict == nil {
		return out
	}
	walkFields(ctx, ctx.RootDict, func(name string, f types.Dict) {
		if r, ok := refOf(f["V"]); ok {
			out[r.ObjectNumber.Value()] = name
		}
	})
	return out
}

func (s *Signature) fail(code, format string, args ...any) {
	s.Problems = append(s.Problems, Problem{Code: code, Detail: fmt.Sprintf(format, args...)})
}

// verifyOne verifies the signature dictionary at offset.
func verifyOne(ctx context.Context, s *Signature, data []byte, offset int, revs []*revision, opts VerifyOptions) {
	_, _, v, err := indirectObject(data, offset)
	if err != nil || v.kind != rawDict {
		s.fail(CodeByteRange, "signature dictionary unreadable: %v", err)
		return
	}
	if v.dupKey {
		s.fail(CodeByteRange, "signature dictionary has a key twice")
		return
	}
	s.SubFilter = v.dict["SubFilter"].text
	s.Reason = rawText(v.dict["Reason"])
	s.Location = rawText(v.dict["Location"])
	s.ContactInfo = rawText(v.dict["ContactInfo"])
	if m, ok := v.dict["M"]; ok {
		s.Time, _ = parsePDFDate(m.text)
	}
	br, ok := v.dict["ByteRange"]
	if !ok || br.kind != rawArray || len(br.arr) != 4 {
		s.fail(CodeByteRange, "/ByteRange is not four numbers")
		return
	}
	for i, e := range br.arr {
		if e.kind != rawInt || e.num < 0 {
			s.fail(CodeByteRange, "/ByteRange is not four non-negative integers")
			return
		}
		s.ByteRange[i] = e.num
	}
	a, b, c := s.ByteRange[1], s.ByteRange[2], s.ByteRange[3]
	n := int64(len(data))
	if s.ByteRange[0] != 0 || a <= 0 || b <= a || b > n || c > n-b {
		s.fail(CodeByteRange, "/ByteRange %v does not fit a file of %d bytes", s.ByteRange, n)
		return
	}
	end := b + c
	var rev *revision
	for _, r := range revs {
		if end >= int64(r.eof) && end <= int64(r.end) {
			rev = r
			break
		}
	}
	if rev == nil {
		s.fail(CodeNotRevision, "the signed bytes end at %d, which is no revision's end", end)
		return
	}
	s.Revision = rev.number
	s.WholeFile = rev == revs[len(revs)-1]
	prevEnd := 0
	if rev.number > 1 {
		prevEnd = revs[rev.number-2].end
	}
	if offset < prevEnd || offset >= rev.eof {
		s.fail(CodeNotRevision, "the signature dictionary at %d is not part of the revision it signs (bytes %d to %d)", offset, prevEnd, rev.end)
		return
	}
	contents, ok := v.dict["Contents"]
	if !ok || contents.kind != rawHex {
		s.fail(CodeHole, "/Contents is not a hex string")
		return
	}
	if int64(contents.start) != a || int64(contents.end) != b {
		s.fail(CodeHole, "the unsigned gap %d–%d is not this signature's /Contents (%d–%d)", a, b, contents.start, contents.end)
		return
	}
	if rev.err != nil || rev.ctx == nil {
		s.fail(CodeNotRevision, "the signed revision is not a readable PDF: %v", rev.err)
		return
	}
	raw := []byte(contents.text)
	cms, err := contentsCMS(raw)
	if err != nil {
		s.fail(CodeContents, "%v", err)
		return
	}
	pades := false
	switch s.SubFilter {
	case "ETSI.CAdES.detached":
		pades = true
	case "adbe.pkcs7.detached":
	default:
		s.fail(CodeSubFilter, "/SubFilter /%s not accepted", s.SubFilter)
		return
	}
	sd, err := parseSignedData(cms)
	if err != nil {
		s.fail(CodeCMS, "%v", err)
		return
	}
	if !sd.eContentType.Equal(oidData) || sd.eContent != nil {
		s.fail(CodeCMS, "the CMS is not detached over id-data")
		return
	}
	signed := make([]byte, 0, a+c)
	signed = append(append(signed, data[:a]...), data[b:b+c]...)
	res, err := verifySigner(sd, signed)
	if res == nil {
		if cert := findSigner(sd); cert != nil {
			s.Signer, _ = jpki.FromX509(cert)
		}
	}
	switch {
	case err == nil:
	case errors.Is(err, errDigestAlgorithm):
		s.fail(CodeDigestAlgorithm, "%v", err)
		return
	case errors.Is(err, errSignatureAlgorithm):
		s.fail(CodeSignatureAlgorithm, "%v", err)
		return
	case errors.Is(err, errAttributes):
		s.fail(CodeAttributes, "%v", err)
		return
	case errors.Is(err, errDigestMismatch):
		s.fail(CodeDigest, "%v", err)
		return
	case errors.Is(err, errSignatureValue):
		s.fail(CodeSignature, "%v", err)
		return
	default:
		s.fail(CodeCMS, "%v", err)
		return
	}
	s.Hash = res.hash
	s.Algorithm = joseName(res.alg)
	if pades {
		if !res.essV2 && !res.essV1 {
			s.fail(CodeAttributes, "no signing-certificate-v2 attribute (required by PAdES)")
		}
		if !res.signingTime.IsZero() {
			s.fail(CodeAttributes, "a signing-time attribute (PAdES puts the time in /M)")
		}
	}
	cert, err := jpki.FromX509(res.cert)
	if err != nil {
		s.fail(CodeChain, "signer's certificate: %v", err)
		return
	}
	s.Signer = cert
	if cert.Kind == card.AuthKey {
		s.fail(CodeAuthKey, "signed with the user-authentication key, not the signing key")
	} else {
		chain, err := jpki.Verify(cert, opts.Roots, jpki.VerifyOptions{Kind: card.SignKey, RequireProduction: opts.RequireProduction, Time: opts.Time})
		var ve *jpki.VerifyError
		switch {
		case err == nil:
			s.Chain = chain
		case errors.As(err, &ve):
			s.ChainReason = ve.Reason
			s.fail(CodeChain, "%s: %s", ve.Reason, ve.Detail)
		default:
			s.fail(CodeChain, "%v", err)
		}
	}
	if s.Chain != nil {
		chk := opts.Revocation
		if chk == nil {
			chk = revocation.NoSource
		}
		r := chk.Check(ctx, cert.Certificate)
		s.Revocation = &r
	}
	ts, err := timestampOf(sd, opts.TSARoots)
	switch {
	case err != nil && errors.Is(err, errTSAUntrusted):
		s.fail(CodeTimestampUntrusted, "%v", err)
	case err != nil:
		s.fail(CodeTimestamp, "%v", err)
	case ts != nil && !ts.Trusted:
		s.Timestamp = ts
		s.fail(CodeTimestampUntrusted, "no trusted time-stamping authority roots given")
	default:
		s.Timestamp = ts
	}
	final := revs[len(revs)-1]
	s.DSS = dssHolds(final.ctx, res.cert)
	if pades {
		s.Level = LevelBB.String()
		if s.Timestamp != nil {
			s.Level = LevelBT.String()
			if s.DSS {
				s.Level = LevelBLT.String()
			}
		}
	}
	if rev != final {
		for _, r := range revs[rev.number:] {
			if r.ctx == nil {
				s.fail(CodeModified, "revision %d is not a readable PDF: %v", r.number, r.err)
				return
			}
		}
		s.Changes = changesSince(rev, final)
		s.Changes = append(s.Changes, unreadLater(data, rev, final)...)
		var alters []string
		for _, ch := range s.Changes {
			if ch.Alters {
				alters = append(alters, ch.Kind)
			}
		}
		if len(alters) > 0 {
			slices.Sort(alters)
			s.fail(CodeModified, "%v", slices.Compact(alters))
		}
		if docMDP(v) == 1 {
			for _, ch := range s.Changes {
				if ch.Kind != ChangeDSS {
					s.fail(CodeDocMDP, "certified with no changes allowed, then %s (object %d)", ch.Kind, ch.Object)
					break
				}
			}
		}
	}
}

// unreadLater reports objects that the cross-reference sections after rev
// define but that the PDF library did not load: another reader may show
// them, so they count as changes that alter the display.
func unreadLater(data []byte, rev, final *revision) []Change {
	doc := final.doc
	var out []Change
	for _, sec := range doc.sections {
		if sec.offset < rev.end {
			continue
		}
		nums, err := definedObjects(data, sec)
		if err != nil {
			out = append(out, Change{Kind: ChangeObject, Alters: true, Detail: fmt.Sprintf("cross-reference section at %d: %v", sec.offset, err)})
			continue
		}
		for _, n := range nums {
			if e := final.ctx.Table[n]; e == nil || e.Free {
				out = append(out, Change{Kind: ChangeObject, Object: n, Alters: true, Detail: fmt.Sprintf("object %d of a later revision cannot be read", n)})
			}
		}
	}
	return out
}

// joseName names a signature algorithm as JOSE does (RFC 7518 §3.1).
func joseName(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.SHA256WithRSA:
		return "RS256"
	case x509.SHA384WithRSA:
		return "RS384"
	case x509.SHA512WithRSA:
		return "RS512"
	case x509.ECDSAWithSHA256:
		return "ES256"
	case x509.ECDSAWithSHA384:
		return "ES384"
	case x509.ECDSAWithSHA512:
		return "ES512"
	}
	return a.String()
}

// docMDP returns the DocMDP permission (1–3) of a certification signature
// dictionary, 0 when it is not one.
func docMDP(sig rawValue) int {
	for _, r := range sig.dict["Reference"].arr {
		if r.kind != rawDict || r.dict["TransformMethod"].text != "DocMDP" {
			continue
		}
		p := r.dict["TransformParams"].dict["P"]
		if p.kind == rawInt && p.num >= 1 && p.num <= 3 {
			return int(p.num)
		}
		return 2 // the default
	}
	return 0
}

// contentsCMS returns the CMS in a /Contents string: one DER element (or
// a BER one, re-encoded with definite lengths) followed by nothing but
// zero padding.
func contentsCMS(raw []byte) ([]byte, error) {
	l, err := derLength(raw)
	der := raw[:max(l, 0)]
	if err != nil {
		var berr error
		der, l, berr = berToDER(raw)
		if berr != nil {
			return nil, err
		}
	}
	for _, z := range raw[l:] {
		if z != 0 {
			return nil, errors.New("bytes after the CMS are not zero padding")
		}
	}
	return der, nil
}

// rawText decodes a raw text string (PDFDocEncoding taken as Latin-1, or
// UTF-16BE with a byte order mark).
func rawText(v rawValue) string {
	if v.kind != rawString && v.kind != rawHex {
		return ""
	}
	b := []byte(v.text)
	if len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF {
		var r []rune
		for i := 2; i+1 < len(b); i += 2 {
			c := rune(b[i])<<8 | rune(b[i+1])
			if c >= 0xD800 && c < 0xDC00 && i+3 < len(b) {
				lo := rune(b[i+2])<<8 | rune(b[i+3])
				c = 0x10000 + (c-0xD800)<<10 + (lo - 0xDC00)
				i += 2
			}
			r = append(r, c)
		}
		return string(r)
	}
	if bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
		return string(b[3:])
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// parsePDFDate parses D:YYYYMMDDHHmmSS with an optional zone (Z, +HH'mm').
func parsePDFDate(s string) (time.Time, error) {
	if len(s) >= 2 && s[:2] == "D:" {
		s = s[2:]
	}
	digits := 0
	for digits < len(s) && digits < 14 && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	if digits < 4 {
		return time.Time{}, errors.New("bad PDF date")
	}
	full := s[:digits] + "0101000000"[max(0, digits-4):]
	t, err := time.Parse("20060102150405", full[:14])
	if err != nil {
		return time.Time{}, err
	}
	rest := s[digits:]
	if len(rest) >= 3 && (rest[0] == '+' || rest[0] == '-') {
		h, _ := strconv.Atoi(rest[1:3])
		m := 0
		if len(rest) >= 6 {
			m, _ = strconv.Atoi(rest[4:6])
		}
		off := (h*60 + m) * 60
		if rest[0] == '-' {
			off = -off
		}
		t = t.Add(-time.Duration(off) * time.Second)
	}
	return t.UTC(), nil
}
