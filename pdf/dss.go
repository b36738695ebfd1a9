package pdf

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"crypto/x509"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// ValidationData is what a DSS dictionary (ETSI EN 319 142-1 §5.4.2) keeps
// for long-term validation: certificates, CRLs and OCSP responses, each
// DER.
type ValidationData struct {
	Certs, CRLs, OCSPs [][]byte
}

// DSSInfo describes a document's DSS.
type DSSInfo struct {
	Certs, CRLs, OCSPs int
	// Bytes is the total DER size of the entries.
	Bytes int
	// CRLBytes and OCSPBytes are the revocation data's share of it.
	CRLBytes, OCSPBytes int
}

// AddDSS appends an incremental update that adds vd to the document's DSS
// (creating it when there is none), which makes a B-T signature B-LT.
// Entries already in the DSS are not added twice. Nothing in it alters
// what is displayed, so earlier signatures stay valid.
func AddDSS(in []byte, vd ValidationData) (out []byte, info *DSSInfo, err error) {
	defer catch(&err)
	doc, err := readDocument(in)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the PDF: %w", err)
	}
	ctx := doc.ctx
	u, err := newUpdate(doc)
	if err != nil {
		return nil, nil, err
	}
	catalog, _ := ctx.RootDict.Clone().(types.Dict)
	old := dictOf(ctx, catalog["DSS"])
	have := map[[32]byte]bool{}
	lists := map[string]types.Array{}
	for _, k := range []string{"Certs", "CRLs", "OCSPs"} {
		for _, e := range arrayOf(ctx, old[k]) {
			lists[k] = append(lists[k], e)
			if s := streamOf(deref(ctx, e)); s != nil {
				if b, err := decoded(s); err == nil {
					have[sha256.Sum256(b)] = true
				}
			}
		}
	}
	for _, kv := range []struct {
		key  string
		ders [][]byte
	}{{"Certs", vd.Certs}, {"CRLs", vd.CRLs}, {"OCSPs", vd.OCSPs}} {
		for _, der := range kv.ders {
			h := sha256.Sum256(der)
			if have[h] {
				continue
			}
			have[h] = true
			var z bytes.Buffer
			w := zlib.NewWriter(&z)
			w.Write(der)
			w.Close()
			n := u.alloc()
			body := fmt.Appendf(nil, "<< /Filter /FlateDecode /Length %d >>\nstream\n", z.Len())
			body = append(body, z.Bytes()...)
			body = append(body, "\nendstream"...)
			u.put(n, 0, body)
			lists[kv.key] = append(lists[kv.key], *types.NewIndirectRef(n, 0))
		}
	}
	dss := types.Dict{}
	for k, v := range old {
		dss[k] = v
	}
	dss["Type"] = types.Name("DSS")
	for k, v := range lists {
		dss[k] = v
	}
	if r, ok := refOf(catalog["DSS"]); ok {
		u.put(r.ObjectNumber.Value(), r.GenerationNumber.Value(), []byte(dss.PDFString()))
	} else {
		n := u.alloc()
		u.put(n, 0, []byte(dss.PDFString()))
		catalog["DSS"] = *types.NewIndirectRef(n, 0)
		root := *ctx.Root
		u.put(root.ObjectNumber.Value(), root.GenerationNumber.Value(), []byte(catalog.PDFString()))
	}
	out, _, err = u.write()
	if err != nil {
		return nil, nil, err
	}
	octx, err := readObjects(out)
	if err != nil {
		return nil, nil, fmt.Errorf("reading back the DSS: %w", err)
	}
	return out, dssInfo(octx), nil
}

// decoded returns a stream's decoded bytes.
func decoded(s *types.StreamDict) ([]byte, error) {
	if s.Content != nil {
		return s.Content, nil
	}
	c := *s
	if err := c.Decode(); err != nil {
		return nil, err
	}
	return c.Content, nil
}

// dssEntries returns the decoded entries of the DSS's list key.
func dssEntries(ctx *model.Context, key string) [][]byte {
	if ctx == nil || ctx.RootDict == nil {
		return nil
	}
	dd := dictOf(ctx, ctx.RootDict["DSS"])
	if dd == nil {
		return nil
	}
	var out [][]byte
	for _, e := range arrayOf(ctx, dd[key]) {
		if s := streamOf(deref(ctx, e)); s != nil {
			if b, err := decoded(s); err == nil {
				out = append(out, b)
			}
		}
	}
	return out
}

// dssInfo describes ctx's DSS, nil when there is none.
func dssInfo(ctx *model.Context) *DSSInfo {
	if ctx == nil || ctx.RootDict == nil || dictOf(ctx, ctx.RootDict["DSS"]) == nil {
		return nil
	}
	info := &DSSInfo{}
	for _, c := range dssEntries(ctx, "Certs") {
		info.Certs++
		info.Bytes += len(c)
	}
	for _, c := range dssEntries(ctx, "CRLs") {
		info.CRLs++
		info.Bytes += len(c)
		info.CRLBytes += len(c)
	}
	for _, c := range dssEntries(ctx, "OCSPs") {
		info.OCSPs++
		info.Bytes += len(c)
		info.OCSPBytes += len(c)
	}
	return info
}

// dssHolds reports whether the DSS holds cert.
func dssHolds(ctx *model.Context, cert *x509.Certificate) bool {
	for _, c := range dssEntries(ctx, "Certs") {
		if bytes.Equal(c, cert.Raw) {
			return true
		}
	}
	return false
}

// DSSCRLs returns the CRLs kept in a document's DSS, for a verifier that
// wants to use them as a revocation source.
func DSSCRLs(data []byte) ([][]byte, error) {
	ctx, err := readObjects(data)
	if err != nil {
		return nil, err
	}
	return dssEntries(ctx, "CRLs"), nil
}
