package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/i18n"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/pdf"
)

// pdfSignFlags are sign's flags for --pdf.
type pdfSignFlags struct {
	in, out                       string
	level, tsa, tsaRoots          string
	reason, location, contactInfo string
	page, certify                 int
	rect, text, font              string
	force                         bool
}

// pdfSignJSON is what `sign --pdf --json` prints.
type pdfSignJSON struct {
	File       string       `json:"file"`
	Output     string       `json:"output"`
	SHA256     string       `json:"sha256"`
	Pages      int          `json:"pages"`
	Level      string       `json:"level"`
	Field      string       `json:"field"`
	Existing   int          `json:"existing_signatures"`
	TestCard   bool         `json:"test_card"`
	Bytes      int          `json:"bytes"`
	DSS        *pdf.DSSInfo `json:"dss,omitempty"`
	SignedWith string       `json:"signer_subject"`
}

// runSignPDF signs a PDF: everything about the file is checked and shown
// to the holder (name, SHA-256, pages) before the card is opened and the
// password asked, once.
func (g *globals) runSignPDF(ctx context.Context, f pdfSignFlags) error {
	level, err := pdf.ParseLevel(f.level)
	if err != nil {
		return usageErrorf("--level: %v", err)
	}
	if level >= pdf.LevelBT && f.tsa == "" {
		return usageErrorf("%s", g.tr(msgPDFNeedTSA, level))
	}
	if level == pdf.LevelBLT && len(g.CRL) == 0 && g.OCSP == "" {
		return usageErrorf("%s", g.tr(msgPDFNeedRevocation))
	}
	if f.out == "" {
		f.out = strings.TrimSuffix(f.in, filepath.Ext(f.in)) + "-signed.pdf"
	}
	opts := pdf.SignOptions{Level: level, Reason: f.reason, Location: f.location, ContactInfo: f.contactInfo, Page: f.page, DocMDP: f.certify}
	if f.rect != "" {
		var r [4]float64
		parts := strings.Split(f.rect, ",")
		if len(parts) != 4 {
			return usageErrorf("%s", g.tr(msgRectFormat))
		}
		for i, p := range parts {
			if r[i], err = strconv.ParseFloat(strings.TrimSpace(p), 64); err != nil {
				return usageErrorf("%s", g.tr(msgRectFormat))
			}
		}
		opts.Rect = &r
	}
	if f.text != "" {
		if f.rect == "" {
			return usageErrorf("%s", g.tr(msgTextNeedsRect))
		}
		opts.Text = strings.ReplaceAll(f.text, `\n`, "\n")
		if f.font != "" {
			if opts.Font, err = os.ReadFile(f.font); err != nil {
				return err
			}
		}
	}
	if f.tsa != "" {
		opts.TSA = &pdf.TSA{URL: f.tsa}
		if f.tsaRoots != "" {
			if opts.TSA.Roots, err = certPool(f.tsaRoots); err != nil {
				return err
			}
		}
	}
	in, err := os.ReadFile(f.in)
	if err != nil {
		return err
	}
	p, err := pdf.Prepare(in, opts)
	if err != nil {
		return fmt.Errorf("%s", g.tr(msgPDFCannotSign, f.in, err))
	}
	if err := g.refuseOverwrite(f.out, f.force); err != nil {
		return err
	}
	// What is signed, before any PIN.
	w := g.stdout
	if g.JSON {
		w = g.stderr
	}
	fmt.Fprintln(w, g.tr(msgPDFAbout))
	t := &table{w: w}
	t.row(g.tr(msgPDFFile), filepath.Base(f.in))
	t.row(g.tr(msgFieldFingerprint), strings.ToUpper(hex.EncodeToString(p.SHA256[:])))
	t.row(g.tr(msgPDFPages), p.Pages)
	t.row(g.tr(msgPDFExisting), p.Signatures)
	t.row(g.tr(msgPDFLevel), level)
	t.flush()

	s, err := g.openCard(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	src, err := g.pinSource()
	if err != nil {
		return err
	}
	defer src.Close()
	pin := &cachedPIN{g: g, src: src}
	defer pin.wipe()
	cert, err := jpki.ReadSignCertificate(ctx, s.jpki, pin.prompt)
	if err != nil {
		return withPIN(card.SignPIN, err)
	}
	roots, err := g.roots(ctx, s)
	if err != nil {
		return err
	}
	v, err := jpki.Verify(cert, roots, jpki.VerifyOptions{Kind: card.SignKey, RequireProduction: !g.testCard(s)})
	if err != nil {
		return &codedError{code: exitVerificationFailed, msg: g.tr(msgChainFailedWhy, err), hint: g.tr(msgPDFHintChain), underlying: err}
	}
	signer, err := jpki.NewSigner(ctx, s.jpki, card.SignKey, cert, pin.prompt)
	if err != nil {
		return err
	}
	out, err := p.Sign(ctx, signer, cert.Certificate, []*x509.Certificate{v.Root.Certificate})
	if err != nil {
		return withPIN(card.SignPIN, err)
	}
	var dss *pdf.DSSInfo
	if level == pdf.LevelBLT {
		vd, err := g.validationData(ctx, cert.Certificate, v.Root.Certificate)
		if err != nil {
			return err
		}
		if out, dss, err = pdf.AddDSS(out, vd); err != nil {
			return err
		}
	}
	if err := writeFileAtomic(f.out, out); err != nil {
		return fmt.Errorf("writing the signed PDF: %w", err)
	}
	if g.JSON {
		return g.printJSON(pdfSignJSON{File: f.in, Output: f.out, SHA256: strings.ToUpper(hex.EncodeToString(p.SHA256[:])), Pages: p.Pages,
			Level: level.String(), Field: p.Field, Existing: p.Signatures, TestCard: g.testCard(s), Bytes: len(out), DSS: dss,
			SignedWith: cert.Subject.String()})
	}
	g.testBanner(g.stdout, g.testCard(s))
	fmt.Fprintln(g.stdout, g.tr(msgPDFWritten, f.out, level))
	if dss != nil {
		fmt.Fprintln(g.stdout, g.tr(msgPDFDSS, dss.Certs, dss.CRLs, dss.CRLBytes, dss.OCSPs, dss.OCSPBytes))
	}
	return nil
}

// validationData gathers B-LT's DSS content: the signer's certificate and
// root, and OCSP responses when a responder is configured, else the CRLs
// given with --crl that cover the signer.
func (g *globals) validationData(ctx context.Context, cert, root *x509.Certificate) (pdf.ValidationData, error) {
	vd := pdf.ValidationData{Certs: [][]byte{cert.Raw, root.Raw}}
	if g.OCSP != "" {
		req, err := ocsp.CreateRequest(cert, root, nil)
		if err != nil {
			return vd, err
		}
		hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, g.OCSP, bytes.NewReader(req))
		if err != nil {
			return vd, err
		}
		hreq.Header.Set("Content-Type", "application/ocsp-request")
		resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(hreq)
		if err != nil {
			return vd, fmt.Errorf("%s", g.tr(msgPDFOCSPFailed, err))
		}
		defer resp.Body.Close()
		der, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return vd, err
		}
		r, err := ocsp.ParseResponseForCert(der, cert, root)
		if err != nil || r.Status != ocsp.Good {
			if err == nil {
				err = fmt.Errorf("status %d", r.Status)
			}
			return vd, fmt.Errorf("%s", g.tr(msgPDFOCSPFailed, err))
		}
		vd.OCSPs = append(vd.OCSPs, der)
		return vd, nil
	}
	var files []string
	for _, src := range g.CRL {
		if fi, err := os.Stat(src); err == nil && fi.IsDir() {
			ents, _ := os.ReadDir(src)
			for _, e := range ents {
				if !e.IsDir() {
					files = append(files, filepath.Join(src, e.Name()))
				}
			}
			continue
		}
		files = append(files, src)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if blk, _ := pem.Decode(b); blk != nil {
			b = blk.Bytes
		}
		crl, err := x509.ParseRevocationList(b)
		if err != nil || crl.CheckSignatureFrom(root) != nil || !bytes.Equal(crl.RawIssuer, cert.RawIssuer) {
			continue
		}
		vd.CRLs = append(vd.CRLs, b)
	}
	if len(vd.CRLs) == 0 {
		return vd, errors.New(g.tr(msgPDFNotCovered))
	}
	return vd, nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, so that a failure leaves no partial PDF.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".mynacard-*.pdf")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// certPool reads PEM or DER certificates.
func certPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	n := 0
	for rest := b; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		c, err := x509.ParseCertificate(b)
		if err != nil {
			return nil, fmt.Errorf("%s: no certificate: %w", path, err)
		}
		pool.AddCert(c)
	}
	return pool, nil
}

// pdfVerifyJSON is what `verify --pdf --json` prints.
type pdfVerifyJSON struct {
	File          string             `json:"file"`
	TestHierarchy bool               `json:"test_hierarchy"`
	OK            bool               `json:"ok"`
	Revisions     int                `json:"revisions"`
	DSS           *pdf.DSSInfo       `json:"dss,omitempty"`
	Signatures    []pdfSignatureJSON `json:"signatures"`
	Problems      []pdf.Problem      `json:"problems,omitempty"`
}

type pdfSignatureJSON struct {
	Field       string           `json:"field"`
	Revision    int              `json:"revision"`
	WholeFile   bool             `json:"whole_file"`
	SubFilter   string           `json:"subfilter"`
	Level       string           `json:"level,omitempty"`
	ByteRange   [4]int64         `json:"byte_range"`
	SignedAt    time.Time        `json:"signed_at,omitzero"`
	Timestamp   time.Time        `json:"timestamp,omitzero"`
	TSA         string           `json:"tsa,omitempty"`
	Reason      string           `json:"reason,omitempty"`
	Location    string           `json:"location,omitempty"`
	ContactInfo string           `json:"contact_info,omitempty"`
	Verdict     confirm.Verdict  `json:"verdict"`
	Signer      *certInfoJSON    `json:"signer,omitempty"`
	Attributes  *card.Attributes `json:"attributes,omitempty"`
	Changes     []pdf.Change     `json:"changes,omitempty"`
	Problems    []pdf.Problem    `json:"problems,omitempty"`
}

// runVerifyPDF verifies every signature of a PDF and prints one block per
// signature.
func (g *globals) runVerifyPDF(ctx context.Context, file, tsaRoots string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	roots, err := g.roots(ctx, nil)
	if err != nil {
		return err
	}
	policy, err := revocation.ParsePolicy(g.Revocation)
	if err != nil {
		return usageErrorf("--revocation: %v", err)
	}
	test := g.testCard(nil)
	opts := pdf.VerifyOptions{Roots: roots, RequireProduction: !test}
	if tsaRoots != "" {
		if opts.TSARoots, err = certPool(tsaRoots); err != nil {
			return err
		}
	}
	if policy != revocation.PolicyOff {
		rc, err := g.revocationChecker(ctx, roots)
		if err != nil {
			return err
		}
		opts.Revocation = rc
	}
	rep, err := pdf.Verify(ctx, data, opts)
	if err != nil {
		return &codedError{code: exitVerificationFailed, msg: g.tr(msgPDFCannotRead, file, err), hint: g.tr(msgHintDocumentFailed), underlying: err}
	}
	out := pdfVerifyJSON{File: file, TestHierarchy: test, Revisions: rep.Revisions, DSS: rep.DSS, Problems: rep.Problems, OK: len(rep.Problems) == 0 && len(rep.Signatures) > 0}
	worst := confirm.Verdict{OK: true}
	for _, s := range rep.Signatures {
		j := pdfSignatureJSON{Field: s.Field, Revision: s.Revision, WholeFile: s.WholeFile, SubFilter: s.SubFilter, Level: s.Level,
			ByteRange: s.ByteRange, SignedAt: s.Time, Reason: s.Reason, Location: s.Location, ContactInfo: s.ContactInfo,
			Changes: s.Changes, Problems: s.Problems}
		if s.Timestamp != nil {
			j.Timestamp = s.Timestamp.Time
			if s.Timestamp.TSA != nil {
				j.TSA = s.Timestamp.TSA.Subject.String()
			}
		}
		v := &j.Verdict
		v.Signature.Algorithm = s.Algorithm
		v.Signature.OK = true
		for _, p := range s.Problems {
			if p.Code != pdf.CodeChain {
				v.Signature.OK = false
				v.Signature.Detail = p.Code
				break
			}
		}
		if s.Chain != nil {
			v.Chain = confirm.ChainResult{OK: true, Production: s.Chain.Production, Generation: s.Chain.Generation,
				RootFingerprint: s.Chain.Fingerprint().String(), At: s.Chain.Time}
		} else {
			v.Chain = confirm.ChainResult{Code: strings.ReplaceAll(s.ChainReason.String(), "-", "_"), At: time.Now()}
			for _, p := range s.Problems {
				if p.Code == pdf.CodeChain || p.Code == pdf.CodeAuthKey {
					v.Chain.Detail = p.Detail
				}
			}
			if s.ChainReason == 0 {
				v.Chain.Code = "not_checked"
			}
		}
		v.Revocation = confirm.RevocationResult{Status: confirm.RevocationNotChecked}
		if s.Revocation != nil && policy != revocation.PolicyOff {
			v.Revocation = confirm.RevocationResultOf(*s.Revocation)
		}
		v.OK = s.Valid() && v.Revocation.Accepted(policy)
		if s.Signer != nil {
			der := s.Signer.Raw
			j.Signer = &certInfoJSON{Kind: s.Signer.Kind.String(), Subject: s.Signer.Subject.String(), Issuer: s.Signer.Issuer.String(),
				Serial: confirm.SerialString(s.Signer.Certificate), NotBefore: s.Signer.NotBefore, NotAfter: s.Signer.NotAfter,
				Fingerprint: jpki.FingerprintOf(der).String(), DER: der}
			j.Attributes = s.Signer.Attributes
		}
		if !v.OK {
			out.OK = false
			if worst.OK || v.Revocation.Status == confirm.RevocationRevoked {
				worst = *v
			}
		}
		out.Signatures = append(out.Signatures, j)
	}
	if len(rep.Signatures) == 0 {
		worst = confirm.Verdict{}
	}
	if g.JSON {
		if err := g.printJSON(out); err != nil {
			return err
		}
		return g.documentVerdictError(worst)
	}
	g.testBanner(g.stdout, test)
	t := g.newTable()
	if len(rep.Signatures) == 0 {
		t.row(g.tr(msgFieldVerdict), g.tr(msgPDFNoSignature))
	}
	for i, j := range out.Signatures {
		if i > 0 {
			t.cells("")
		}
		field := j.Field
		if field == "" {
			field = "-"
		}
		t.cells(g.tr(msgPDFSigHeader, i+1, len(out.Signatures), field))
		t.row(g.tr(msgPDFRevision), g.tr(msgPDFRevisionOf, j.Revision, out.Revisions))
		if j.WholeFile {
			t.row(g.tr(msgPDFCoverage), g.tr(msgPDFWhole))
		} else {
			t.row(g.tr(msgPDFCoverage), g.tr(msgPDFLater))
		}
		lvl := j.Level
		if lvl == "" {
			lvl = g.tr(msgPDFNotPAdES, j.SubFilter)
		}
		t.row(g.tr(msgPDFLevel), lvl)
		g.printVerdict(t, j.Verdict)
		g.printAttributes(t, j.Attributes)
		if !j.SignedAt.IsZero() {
			t.row(g.tr(msgFieldSignedAt), clockJST(j.SignedAt))
		}
		if !j.Timestamp.IsZero() {
			t.row(g.tr(msgPDFTimestamp), g.tr(msgPDFTimestampBy, clockJST(j.Timestamp), j.TSA))
		}
		for _, kv := range []struct {
			k msgKey
			v string
		}{{msgPDFReason, j.Reason}, {msgPDFLocation, j.Location}, {msgPDFContact, j.ContactInfo}} {
			if kv.v != "" {
				t.row(g.tr(kv.k), kv.v)
			}
		}
		for _, c := range j.Changes {
			line := g.tr(msgPDFChange, g.changeWord(c.Kind), c.Object)
			if c.Alters {
				line += g.tr(msgPDFAlters)
			}
			t.note(line)
		}
		for _, p := range j.Problems {
			line := g.problemWord(p.Code)
			if p.Detail != "" {
				line += " (" + p.Detail + ")"
			}
			t.note(g.p.Sprintf(i18n.PrefixWarning) + g.p.Sprintf(i18n.Colon) + line)
		}
	}
	if rep.DSS != nil {
		t.cells("")
		t.row("DSS", g.tr(msgPDFDSSShort, rep.DSS.Certs, rep.DSS.CRLs, rep.DSS.CRLBytes, rep.DSS.OCSPs, rep.DSS.OCSPBytes))
	}
	t.flush()
	return g.documentVerdictError(worst)
}

// changeWord names a kind of change in the chosen language.
func (g *globals) changeWord(kind string) string {
	if k, ok := pdfChangeKeys[kind]; ok {
		return g.tr(k)
	}
	return kind
}

// problemWord describes a problem code in the chosen language.
func (g *globals) problemWord(code string) string {
	if k, ok := pdfProblemKeys[code]; ok {
		return g.tr(k)
	}
	return code
}

// Used by the catalog test to check every kind and code has a message.
var (
	pdfChangeKeys = map[string]msgKey{
		pdf.ChangeSignature: msgPDFChSignature, pdf.ChangeDSS: msgPDFChDSS, pdf.ChangeMetadata: msgPDFChMetadata,
		pdf.ChangeAnnotation: msgPDFChAnnotation, pdf.ChangeFormField: msgPDFChFormField, pdf.ChangePages: msgPDFChPages,
		pdf.ChangePageContent: msgPDFChPageContent, pdf.ChangeObject: msgPDFChObject, pdf.ChangeCatalog: msgPDFChCatalog,
		pdf.ChangeUnused: msgPDFChUnused,
	}
	pdfProblemKeys = map[string]msgKey{
		pdf.CodeByteRange: msgPDFPrByteRange, pdf.CodeNotRevision: msgPDFPrNotRevision, pdf.CodeHole: msgPDFPrHole,
		pdf.CodeContents: msgPDFPrContents, pdf.CodeSubFilter: msgPDFPrSubFilter, pdf.CodeObjectStream: msgPDFPrObjectStream,
		pdf.CodeCMS: msgPDFPrCMS, pdf.CodeDigestAlgorithm: msgPDFPrDigestAlg, pdf.CodeSignatureAlgorithm: msgPDFPrSigAlg,
		pdf.CodeAttributes: msgPDFPrAttributes, pdf.CodeDigest: msgPDFPrDigest, pdf.CodeSignature: msgPDFPrSignature,
		pdf.CodeAuthKey: msgPDFPrAuthKey, pdf.CodeChain: msgPDFPrChain, pdf.CodeModified: msgPDFPrModified,
		pdf.CodeTimestamp: msgPDFPrTimestamp, pdf.CodeTimestampUntrusted: msgPDFPrTimestampUntrusted,
		pdf.CodeNoSignature: msgPDFNoSignature, pdf.CodeInline: msgPDFPrInline, pdf.CodeDocMDP: msgPDFPrDocMDP,
	}
)
