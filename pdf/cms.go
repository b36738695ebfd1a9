package pdf

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Object identifiers of CMS (RFC 5652), ESS (RFC 5035), RFC 3161 and the
// algorithms.
var (
	oidData                = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSigningCertificate  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	oidSigningCertV2       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidTimeStampToken      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	oidTSTInfo             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidSHA1                = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256              = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384              = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512              = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidRSAEncryption       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidSHA256WithRSA       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidECDSAWithSHA256     = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384     = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512     = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidExtKeyUsageTimeStmp = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
)

// digestOIDs is the digest allowlist: SHA-256, SHA-384 and SHA-512. SHA-1
// is refused: a PDF signature is long-lived evidence.
var digestOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA256: oidSHA256,
	crypto.SHA384: oidSHA384,
	crypto.SHA512: oidSHA512,
}

func hashOfOID(oid asn1.ObjectIdentifier) crypto.Hash {
	for h, o := range digestOIDs {
		if o.Equal(oid) {
			return h
		}
	}
	return 0
}

// signatureAlgorithm returns the CMS signature algorithm identifier for a
// signer's public key and digest: PKCS#1 v1.5 for RSA, ECDSA for EC keys.
// It is taken from the key, so an ECDSA card key signs as ECDSA.
func signatureAlgorithm(pub crypto.PublicKey, h crypto.Hash) (oid asn1.ObjectIdentifier, nullParams bool, err error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		switch h {
		case crypto.SHA256:
			return oidSHA256WithRSA, true, nil
		case crypto.SHA384:
			return oidSHA384WithRSA, true, nil
		case crypto.SHA512:
			return oidSHA512WithRSA, true, nil
		}
	case *ecdsa.PublicKey:
		switch h {
		case crypto.SHA256:
			return oidECDSAWithSHA256, false, nil
		case crypto.SHA384:
			return oidECDSAWithSHA384, false, nil
		case crypto.SHA512:
			return oidECDSAWithSHA512, false, nil
		}
	default:
		return nil, false, fmt.Errorf("public key %T not supported", pub)
	}
	return nil, false, fmt.Errorf("digest %v not supported", h)
}

// x509Algorithm maps a CMS signature algorithm and digest to crypto/x509's
// name, refusing algorithms outside the allowlist and a digest that
// differs from the one the algorithm names.
func x509Algorithm(oid asn1.ObjectIdentifier, h crypto.Hash) (x509.SignatureAlgorithm, error) {
	type alg struct {
		oid asn1.ObjectIdentifier
		h   crypto.Hash
		x   x509.SignatureAlgorithm
	}
	for _, a := range []alg{
		{oidSHA256WithRSA, crypto.SHA256, x509.SHA256WithRSA},
		{oidSHA384WithRSA, crypto.SHA384, x509.SHA384WithRSA},
		{oidSHA512WithRSA, crypto.SHA512, x509.SHA512WithRSA},
		{oidECDSAWithSHA256, crypto.SHA256, x509.ECDSAWithSHA256},
		{oidECDSAWithSHA384, crypto.SHA384, x509.ECDSAWithSHA384},
		{oidECDSAWithSHA512, crypto.SHA512, x509.ECDSAWithSHA512},
	} {
		if a.oid.Equal(oid) {
			if a.h != h {
				return 0, fmt.Errorf("signature algorithm %v with digest %v", oid, h)
			}
			return a.x, nil
		}
	}
	if oid.Equal(oidRSAEncryption) {
		switch h {
		case crypto.SHA256:
			return x509.SHA256WithRSA, nil
		case crypto.SHA384:
			return x509.SHA384WithRSA, nil
		case crypto.SHA512:
			return x509.SHA512WithRSA, nil
		}
	}
	return 0, fmt.Errorf("signature algorithm %v not accepted", oid)
}

// attribute is one CMS attribute: its type and the DER of each value.
type attribute struct {
	oid    asn1.ObjectIdentifier
	values [][]byte
}

// encodeAttributes returns the DER SET OF Attribute with the elements in
// DER order (X.690 §11.6), tagged with tag (SET for what is signed, [0] or
// [1] IMPLICIT inside a SignerInfo).
func encodeAttributes(attrs []attribute, tag cbasn1.Tag) ([]byte, error) {
	enc := make([][]byte, 0, len(attrs))
	for _, a := range attrs {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(a.oid)
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				for _, v := range a.values {
					b.AddBytes(v)
				}
			})
		})
		e, err := b.Bytes()
		if err != nil {
			return nil, err
		}
		enc = append(enc, e)
	}
	sort.Slice(enc, func(i, j int) bool { return bytes.Compare(enc[i], enc[j]) < 0 })
	var b cryptobyte.Builder
	b.AddASN1(tag, func(b *cryptobyte.Builder) {
		for _, e := range enc {
			b.AddBytes(e)
		}
	})
	return b.Bytes()
}

func derOf(f func(b *cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	f(&b)
	out, err := b.Bytes()
	if err != nil {
		panic(err) // only fixed structures are built with derOf
	}
	return out
}

// essCertIDv2 encodes SigningCertificateV2 (RFC 5035 §3) naming cert by
// its SHA-256 (the default hash, so the algorithm is omitted) and issuer
// and serial number.
func essCertIDv2(cert *x509.Certificate) []byte {
	fp := sha256.Sum256(cert.Raw)
	return derOf(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(fp[:])
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1(cbasn1.Tag(4).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
								b.AddBytes(cert.RawIssuer)
							})
						})
						b.AddASN1BigInt(cert.SerialNumber)
					})
				})
			})
		})
	})
}

func algorithmID(oid asn1.ObjectIdentifier, null bool) func(b *cryptobyte.Builder) {
	return func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			if null {
				b.AddASN1NULL()
			}
		})
	}
}

// cmsRequest is what buildCMS signs.
type cmsRequest struct {
	digest []byte // of the signed byte ranges
	hash   crypto.Hash
	signer crypto.Signer
	cert   *x509.Certificate
	chain  []*x509.Certificate
	// timestamp, when set, is called with the signature value and returns
	// a timestamp token (a DER ContentInfo) for it.
	timestamp func(signature []byte) ([]byte, error)
}

// buildCMS makes a detached CMS SignedData for PAdES baseline B-B (ETSI EN
// 319 142-1 §6.3): signed attributes content-type (id-data),
// message-digest and signing-certificate-v2, and no signing-time (the time
// is the signature dictionary's /M). With a timestamp function, the
// signature-time-stamp unsigned attribute makes it B-T. The signer is
// asked for exactly one signature.
func buildCMS(req cmsRequest) ([]byte, error) {
	digestOID, ok := digestOIDs[req.hash]
	if !ok {
		return nil, fmt.Errorf("digest %v not supported", req.hash)
	}
	pub, ok := req.signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(req.cert.PublicKey) {
		return nil, errors.New("the signer's key is not the certificate's")
	}
	sigOID, sigNull, err := signatureAlgorithm(req.signer.Public(), req.hash)
	if err != nil {
		return nil, err
	}
	ct := derOf(func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) })
	md := derOf(func(b *cryptobyte.Builder) { b.AddASN1OctetString(req.digest) })
	attrs := []attribute{
		{oidContentType, [][]byte{ct}},
		{oidMessageDigest, [][]byte{md}},
		{oidSigningCertV2, [][]byte{essCertIDv2(req.cert)}},
	}
	signed, err := encodeAttributes(attrs, cbasn1.SET)
	if err != nil {
		return nil, err
	}
	h := req.hash.New()
	h.Write(signed)
	sig, err := req.signer.Sign(rand.Reader, h.Sum(nil), req.hash)
	if err != nil {
		return nil, err
	}
	var unsigned []byte
	if req.timestamp != nil {
		tok, err := req.timestamp(sig)
		if err != nil {
			return nil, err
		}
		unsigned, err = encodeAttributes([]attribute{{oidTimeStampToken, [][]byte{tok}}}, cbasn1.Tag(1).ContextSpecific().Constructed())
		if err != nil {
			return nil, err
		}
	}
	certs := append([]*x509.Certificate{req.cert}, req.chain...)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, algorithmID(digestOID, false))
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) })
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					for _, c := range certs {
						b.AddBytes(c.Raw)
					}
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddBytes(req.cert.RawIssuer)
							b.AddASN1BigInt(req.cert.SerialNumber)
						})
						algorithmID(digestOID, false)(b)
						// signed attributes as [0] IMPLICIT
						b.AddBytes(append([]byte{0xA0}, signed[1:]...))
						algorithmID(sigOID, sigNull)(b)
						b.AddASN1OctetString(sig)
						if unsigned != nil {
							b.AddBytes(unsigned)
						}
					})
				})
			})
		})
	})
	return b.Bytes()
}

// signedData is a parsed CMS SignedData with exactly one SignerInfo.
type signedData struct {
	eContentType asn1.ObjectIdentifier
	eContent     []byte // nil when detached
	certs        []*x509.Certificate
	digestAlg    asn1.ObjectIdentifier
	sid          []byte // IssuerAndSerialNumber DER, or nil
	skid         []byte // subjectKeyIdentifier, or nil
	signedRaw    []byte // the signed attributes re-tagged as SET, nil when absent
	signed       []attribute
	sigAlg       asn1.ObjectIdentifier
	signature    []byte
	unsigned     []attribute
}

// errCMS reports a CMS structure this package does not accept.
var errCMS = errors.New("malformed CMS")

func cmsErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errCMS, fmt.Sprintf(format, args...))
}

// parseSignedData parses a DER ContentInfo holding a SignedData strictly:
// no trailing bytes, one signer, each signed attribute type at most once.
func parseSignedData(der []byte) (*signedData, error) {
	in := cryptobyte.String(der)
	var ci, content, sd cryptobyte.String
	var ctype asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, cmsErr("not one DER ContentInfo")
	}
	if !ci.ReadASN1ObjectIdentifier(&ctype) || !ctype.Equal(oidSignedData) {
		return nil, cmsErr("content type is not signedData")
	}
	if !ci.ReadASN1(&content, cbasn1.Tag(0).ContextSpecific().Constructed()) || !ci.Empty() ||
		!content.ReadASN1(&sd, cbasn1.SEQUENCE) || !content.Empty() {
		return nil, cmsErr("SignedData")
	}
	out := &signedData{}
	var version int64
	var digestAlgs, encap cryptobyte.String
	if !sd.ReadASN1Integer(&version) || !sd.ReadASN1(&digestAlgs, cbasn1.SET) || !sd.ReadASN1(&encap, cbasn1.SEQUENCE) {
		return nil, cmsErr("SignedData header")
	}
	if !encap.ReadASN1ObjectIdentifier(&out.eContentType) {
		return nil, cmsErr("encapsulated content type")
	}
	if !encap.Empty() {
		var ec, oct cryptobyte.String
		if !encap.ReadASN1(&ec, cbasn1.Tag(0).ContextSpecific().Constructed()) || !encap.Empty() ||
			!ec.ReadASN1(&oct, cbasn1.OCTET_STRING) || !ec.Empty() {
			return nil, cmsErr("encapsulated content")
		}
		out.eContent = append([]byte{}, oct...)
	}
	if sd.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		var certs cryptobyte.String
		sd.ReadASN1(&certs, cbasn1.Tag(0).ContextSpecific().Constructed())
		for !certs.Empty() {
			var raw cryptobyte.String
			var tag cbasn1.Tag
			if !certs.ReadAnyASN1Element(&raw, &tag) {
				return nil, cmsErr("certificates")
			}
			if tag != cbasn1.SEQUENCE {
				continue // other certificate formats are not used
			}
			c, err := x509.ParseCertificate(raw)
			if err != nil {
				return nil, cmsErr("certificate: %v", err)
			}
			out.certs = append(out.certs, c)
		}
	}
	if sd.PeekASN1Tag(cbasn1.Tag(1).ContextSpecific().Constructed()) {
		sd.SkipASN1(cbasn1.Tag(1).ContextSpecific().Constructed())
	}
	var infos, si cryptobyte.String
	if !sd.ReadASN1(&infos, cbasn1.SET) || !sd.Empty() {
		return nil, cmsErr("signerInfos")
	}
	if !infos.ReadASN1(&si, cbasn1.SEQUENCE) {
		return nil, cmsErr("no signer")
	}
	if !infos.Empty() {
		return nil, cmsErr("more than one signer")
	}
	var siVersion int64
	if !si.ReadASN1Integer(&siVersion) {
		return nil, cmsErr("SignerInfo version")
	}
	switch {
	case si.PeekASN1Tag(cbasn1.SEQUENCE):
		var sid cryptobyte.String
		si.ReadASN1Element(&sid, cbasn1.SEQUENCE)
		out.sid = sid
	case si.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()):
		var skid cryptobyte.String
		si.ReadASN1(&skid, cbasn1.Tag(0).ContextSpecific())
		out.skid = skid
	default:
		return nil, cmsErr("signer identifier")
	}
	var alg cryptobyte.String
	if !si.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&out.digestAlg) {
		return nil, cmsErr("digest algorithm")
	}
	if si.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		var raw cryptobyte.String
		si.ReadASN1Element(&raw, cbasn1.Tag(0).ContextSpecific().Constructed())
		out.signedRaw = append([]byte{0x31}, raw[1:]...)
		attrs, err := parseAttributes(raw)
		if err != nil {
			return nil, err
		}
		out.signed = attrs
	}
	var salg cryptobyte.String
	if !si.ReadASN1(&salg, cbasn1.SEQUENCE) || !salg.ReadASN1ObjectIdentifier(&out.sigAlg) {
		return nil, cmsErr("signature algorithm")
	}
	var sig cryptobyte.String
	if !si.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return nil, cmsErr("signature value")
	}
	out.signature = sig
	if si.PeekASN1Tag(cbasn1.Tag(1).ContextSpecific().Constructed()) {
		var raw cryptobyte.String
		si.ReadASN1Element(&raw, cbasn1.Tag(1).ContextSpecific().Constructed())
		attrs, err := parseAttributes(raw)
		if err != nil {
			return nil, err
		}
		out.unsigned = attrs
	}
	if !si.Empty() {
		return nil, cmsErr("trailing data in SignerInfo")
	}
	return out, nil
}

// parseAttributes parses a tagged SET OF Attribute; a type that appears
// twice is refused.
func parseAttributes(raw cryptobyte.String) ([]attribute, error) {
	var set cryptobyte.String
	var tag cbasn1.Tag
	if !raw.ReadAnyASN1(&set, &tag) || !raw.Empty() {
		return nil, cmsErr("attributes")
	}
	var out []attribute
	for !set.Empty() {
		var a, vals cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !set.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&oid) ||
			!a.ReadASN1(&vals, cbasn1.SET) || !a.Empty() {
			return nil, cmsErr("attribute")
		}
		for _, o := range out {
			if o.oid.Equal(oid) {
				return nil, cmsErr("attribute %v twice", oid)
			}
		}
		at := attribute{oid: oid}
		for !vals.Empty() {
			var v cryptobyte.String
			var t cbasn1.Tag
			if !vals.ReadAnyASN1Element(&v, &t) {
				return nil, cmsErr("attribute %v value", oid)
			}
			at.values = append(at.values, v)
		}
		out = append(out, at)
	}
	return out, nil
}

// attr returns the only value of attribute oid, nil when absent; an
// attribute with more than one value is an error.
func attr(attrs []attribute, oid asn1.ObjectIdentifier) ([]byte, error) {
	for _, a := range attrs {
		if a.oid.Equal(oid) {
			if len(a.values) != 1 {
				return nil, cmsErr("attribute %v has %d values", oid, len(a.values))
			}
			return a.values[0], nil
		}
	}
	return nil, nil
}

// signerResult is a verified SignerInfo.
type signerResult struct {
	cert        *x509.Certificate
	hash        crypto.Hash
	alg         x509.SignatureAlgorithm
	signingTime time.Time // the signing-time attribute, zero if absent
	essV2       bool      // signing-certificate-v2 present and matching
	essV1       bool      // signing-certificate (v1) present and matching
}

// verifySigner checks the one SignerInfo of sd over content (the
// detached content, or sd.eContent): digest algorithm in the allowlist,
// signed attributes present with content-type equal to the encapsulated
// type and message-digest equal to the content's digest, the ESS
// signing-certificate attribute (v2 or v1) naming the signer's certificate
// when present, and the signature with the signer's key.
func verifySigner(sd *signedData, content []byte) (*signerResult, error) {
	h := hashOfOID(sd.digestAlg)
	if h == 0 {
		return nil, fmt.Errorf("%w: digest algorithm %v not accepted", errDigestAlgorithm, sd.digestAlg)
	}
	cert := findSigner(sd)
	if cert == nil {
		return nil, cmsErr("signer's certificate not included")
	}
	if sd.signedRaw == nil {
		return nil, fmt.Errorf("%w: no signed attributes", errAttributes)
	}
	ct, err := attr(sd.signed, oidContentType)
	if err != nil {
		return nil, err
	}
	var ctOID asn1.ObjectIdentifier
	if ct == nil {
		return nil, fmt.Errorf("%w: no content-type attribute", errAttributes)
	}
	if rest, err := asn1.Unmarshal(ct, &ctOID); err != nil || len(rest) > 0 || !ctOID.Equal(sd.eContentType) {
		return nil, fmt.Errorf("%w: content-type attribute does not name the content", errAttributes)
	}
	md, err := attr(sd.signed, oidMessageDigest)
	if err != nil {
		return nil, err
	}
	var mdv []byte
	if md == nil {
		return nil, fmt.Errorf("%w: no message-digest attribute", errAttributes)
	}
	if rest, err := asn1.Unmarshal(md, &mdv); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: message-digest attribute", errAttributes)
	}
	d := h.New()
	d.Write(content)
	if subtle.ConstantTimeCompare(d.Sum(nil), mdv) != 1 {
		return nil, errDigestMismatch
	}
	res := &signerResult{cert: cert, hash: h}
	if v2, err := attr(sd.signed, oidSigningCertV2); err != nil {
		return nil, err
	} else if v2 != nil {
		if err := checkESS(v2, cert, true); err != nil {
			return nil, fmt.Errorf("%w: %v", errAttributes, err)
		}
		res.essV2 = true
	}
	if v1, err := attr(sd.signed, oidSigningCertificate); err != nil {
		return nil, err
	} else if v1 != nil {
		if err := checkESS(v1, cert, false); err != nil {
			return nil, fmt.Errorf("%w: %v", errAttributes, err)
		}
		res.essV1 = true
	}
	if st, err := attr(sd.signed, oidSigningTime); err != nil {
		return nil, err
	} else if st != nil {
		var t time.Time
		if _, err := asn1.Unmarshal(st, &t); err != nil {
			return nil, fmt.Errorf("%w: signing-time attribute", errAttributes)
		}
		res.signingTime = t
	}
	alg, err := x509Algorithm(sd.sigAlg, h)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errSignatureAlgorithm, err)
	}
	if err := cert.CheckSignature(alg, sd.signedRaw, sd.signature); err != nil {
		return nil, fmt.Errorf("%w: %v", errSignatureValue, err)
	}
	res.alg = alg
	return res, nil
}

// findSigner returns the certificate the SignerInfo names.
func findSigner(sd *signedData) *x509.Certificate {
	for _, c := range sd.certs {
		if sd.sid != nil {
			var ias cryptobyte.String = sd.sid
			var inner, issuer cryptobyte.String
			serial := new(big.Int)
			if !ias.ReadASN1(&inner, cbasn1.SEQUENCE) || !inner.ReadASN1Element(&issuer, cbasn1.SEQUENCE) ||
				!inner.ReadASN1Integer(serial) {
				return nil
			}
			if bytes.Equal(issuer, c.RawIssuer) && serial.Cmp(c.SerialNumber) == 0 {
				return c
			}
		} else if sd.skid != nil && len(c.SubjectKeyId) > 0 && bytes.Equal(sd.skid, c.SubjectKeyId) {
			return c
		}
	}
	return nil
}

// checkESS checks that the first ESSCertID(v2) of a SigningCertificate(V2)
// attribute names cert by hash: SHA-256 (or the algorithm named, from the
// allowlist) for v2, SHA-1 for v1 (an identifier there, not a signature).
func checkESS(v []byte, cert *x509.Certificate, v2 bool) error {
	in := cryptobyte.String(v)
	var sc, certs, id cryptobyte.String
	if !in.ReadASN1(&sc, cbasn1.SEQUENCE) || !sc.ReadASN1(&certs, cbasn1.SEQUENCE) || !certs.ReadASN1(&id, cbasn1.SEQUENCE) {
		return errors.New("malformed signing-certificate attribute")
	}
	var sum []byte
	if v2 {
		h := crypto.SHA256
		if id.PeekASN1Tag(cbasn1.SEQUENCE) {
			var alg cryptobyte.String
			var oid asn1.ObjectIdentifier
			if !id.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
				return errors.New("malformed signing-certificate-v2 hash algorithm")
			}
			if h = hashOfOID(oid); h == 0 {
				return fmt.Errorf("signing-certificate-v2 hash %v not accepted", oid)
			}
		}
		d := h.New()
		d.Write(cert.Raw)
		sum = d.Sum(nil)
	} else {
		s := sha1.Sum(cert.Raw)
		sum = s[:]
	}
	var got []byte
	if !id.ReadASN1Bytes(&got, cbasn1.OCTET_STRING) {
		return errors.New("malformed signing-certificate hash")
	}
	if subtle.ConstantTimeCompare(got, sum) != 1 {
		return errors.New("signing-certificate attribute names another certificate")
	}
	return nil
}

// derLength returns the length of the DER element at the start of b, so
// that the zero padding of a /Contents hole can be told apart.
func derLength(b []byte) (int, error) {
	s := cryptobyte.String(b)
	var el cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1Element(&el, &tag) {
		return 0, cmsErr("contents are not DER")
	}
	return len(el), nil
}
