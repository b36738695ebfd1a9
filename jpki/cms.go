package jpki

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/smallstep/pkcs7"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// oidSigningCertificateV2 is the ESS signing-certificate-v2 attribute
// id-aa-signingCertificateV2 (RFC 5035 §3).
var oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}

// generalNameDirectoryName is GeneralName's directoryName [4] (RFC 5280
// §4.2.1.6), explicit because Name is a CHOICE.
const generalNameDirectoryName = 4

// CMSOptions parameterise [SignCMS].
type CMSOptions struct {
	// Detached leaves the content out of the signature (the verifier
	// supplies it).
	Detached bool
	// SigningTime is written as the signing-time attribute (RFC 5652
	// §11.3). The zero Time means time.Now().
	SigningTime time.Time
	// Hash is the message digest: crypto.SHA256, crypto.SHA384 or
	// crypto.SHA512. Zero means the key's own (HashFor): SHA-256 for RSA
	// and P-256, SHA-384 for P-384.
	Hash crypto.Hash
	// Rand is passed to the signer. Nil means crypto/rand.Reader.
	Rand io.Reader
}

// cmsHashes are the digests SignCMS writes and VerifyCMS accepts. SHA-1 is
// left out on purpose: a CMS signature is long-lived evidence.
var cmsHashes = [...]crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512}

// cmsDigestOID returns the digest algorithm identifier of h, or nil when
// h is not one of cmsHashes.
func cmsDigestOID(h crypto.Hash) asn1.ObjectIdentifier {
	switch h {
	case crypto.SHA256:
		return pkcs7.OIDDigestAlgorithmSHA256
	case crypto.SHA384:
		return pkcs7.OIDDigestAlgorithmSHA384
	case crypto.SHA512:
		return pkcs7.OIDDigestAlgorithmSHA512
	}
	return nil
}

// Sentinel errors of the CMS functions.
var (
	// ErrCMSSignature reports a CMS signature that does not verify: wrong
	// content digest, bad signature, or a malformed structure.
	ErrCMSSignature = errors.New("jpki: CMS signature invalid")
	// ErrCMSContent reports detached content that is missing, or content
	// given for an attached signature that differs from the one inside.
	ErrCMSContent = errors.New("jpki: CMS content missing or different")
)

// SignCMS makes a CMS SignedData (RFC 5652; PKCS #7) over data with signer,
// whose public key must be cert's. The signed attributes are content type,
// message digest, signing time and ESS signing-certificate-v2 (RFC 5035),
// which binds the signature to cert. chain (the root, for JPKI) is included
// in the certificates for the verifier's convenience; it is never trusted
// by VerifyCMS. The signer is asked for exactly one signature, so a card
// prompts for its PIN once.
func SignCMS(data []byte, signer crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, opts CMSOptions) ([]byte, error) {
	if signer == nil || cert == nil {
		return nil, errors.New("signing CMS: nil signer or certificate")
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return nil, errors.New("signing CMS: signer's key is not the certificate's")
	}
	h := opts.Hash
	if h == 0 {
		var err error
		if h, err = HashFor(cert.PublicKey); err != nil {
			return nil, fmt.Errorf("signing CMS: %w", err)
		}
	}
	digestOID := cmsDigestOID(h)
	if digestOID == nil {
		return nil, fmt.Errorf("signing CMS: digest %v not supported", h)
	}
	at := opts.SigningTime
	if at.IsZero() {
		at = time.Now()
	}
	rnd := opts.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	essAttr, err := signingCertificateV2(cert)
	if err != nil {
		return nil, fmt.Errorf("signing CMS: %w", err)
	}
	sd, err := pkcs7.NewSignedData(data)
	if err != nil {
		return nil, fmt.Errorf("signing CMS: %w", err)
	}
	sd.SetDigestAlgorithm(digestOID)
	// pkcs7 signs the attributes as it adds the signer and stamps them with
	// time.Now(). Let it sign with a placeholder, then set the signing time,
	// re-encode the attribute set and ask the real signer once.
	cfg := pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{
		{Type: oidSigningCertificateV2, Value: asn1.RawValue{FullBytes: essAttr}},
	}}
	if err := sd.AddSignerChain(cert, placeholderSigner{signer.Public()}, chain, cfg); err != nil {
		return nil, fmt.Errorf("signing CMS: %w", err)
	}
	si := &sd.GetSignedData().SignerInfos[0]
	stime, err := asn1.Marshal(at.UTC())
	if err != nil {
		return nil, fmt.Errorf("signing CMS: encoding signing time: %w", err)
	}
	for i := range si.AuthenticatedAttributes {
		if si.AuthenticatedAttributes[i].Type.Equal(pkcs7.OIDAttributeSigningTime) {
			si.AuthenticatedAttributes[i].Value.Bytes = stime
		}
	}
	signed, err := encodeAttributeSet(si.AuthenticatedAttributes)
	if err != nil {
		return nil, fmt.Errorf("signing CMS: %w", err)
	}
	d := h.New()
	d.Write(signed)
	sig, err := signer.Sign(rnd, d.Sum(nil), h)
	if err != nil {
		return nil, fmt.Errorf("signing CMS: %w", err)
	}
	si.EncryptedDigest = sig
	if opts.Detached {
		sd.Detach()
	}
	out, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("signing CMS: %w", err)
	}
	return out, nil
}

// encodeAttributeSet sorts attrs into DER SET OF order (X.690 §11.6) in
// place and returns the DER of the SET, which is what the signature covers
// (RFC 5652 §5.4: the explicit SET OF tag, not the [0] IMPLICIT one). attrs
// is a slice of pkcs7's attribute type.
func encodeAttributeSet[A any](attrs []A) ([]byte, error) {
	enc := make([][]byte, len(attrs))
	for i := range attrs {
		b, err := asn1.Marshal(attrs[i])
		if err != nil {
			return nil, fmt.Errorf("encoding signed attribute: %w", err)
		}
		enc[i] = b
	}
	idx := make([]int, len(attrs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return bytes.Compare(enc[idx[a]], enc[idx[b]]) < 0 })
	sorted := make([]A, len(attrs))
	var bld cryptobyte.Builder
	bld.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for i, j := range idx {
			sorted[i] = attrs[j]
			b.AddBytes(enc[j])
		}
	})
	copy(attrs, sorted)
	return bld.Bytes()
}

// placeholderSigner stands in for the real signer while pkcs7 assembles
// the SignerInfo; its output is replaced before the structure is encoded.
type placeholderSigner struct{ pub crypto.PublicKey }

func (p placeholderSigner) Public() crypto.PublicKey { return p.pub }

func (p placeholderSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return []byte{0}, nil
}

// signingCertificateV2 encodes SigningCertificateV2 (RFC 5035 §3) naming
// cert by its SHA-256 (the default hash, so hashAlgorithm is omitted) and
// its issuer and serial:
//
//	SEQUENCE { certs SEQUENCE OF ESSCertIDv2 { certHash OCTET STRING,
//	  issuerSerial SEQUENCE { GeneralNames { [4] Name }, serial INTEGER } } }
func signingCertificateV2(cert *x509.Certificate) ([]byte, error) {
	fp := FingerprintOf(cert.Raw)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(fp[:])
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.Tag(generalNameDirectoryName).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
							b.AddBytes(cert.RawIssuer)
						})
					})
					b.AddASN1BigInt(cert.SerialNumber)
				})
			})
		})
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("encoding signing-certificate-v2: %w", err)
	}
	return der, nil
}

// checkSigningCertificateV2 checks that the first ESSCertIDv2 of an
// encoded SigningCertificateV2 names cert by hash. Only SHA-256 (the
// default, or named explicitly) is understood.
func checkSigningCertificateV2(attr []byte, cert *x509.Certificate) error {
	in := cryptobyte.String(attr)
	var scv2, certs, id cryptobyte.String
	if !in.ReadASN1(&scv2, cbasn1.SEQUENCE) || !scv2.ReadASN1(&certs, cbasn1.SEQUENCE) ||
		!certs.ReadASN1(&id, cbasn1.SEQUENCE) {
		return errors.New("malformed signing-certificate-v2")
	}
	if id.PeekASN1Tag(cbasn1.SEQUENCE) {
		var alg cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !id.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
			return errors.New("malformed signing-certificate-v2 hash algorithm")
		}
		if !oid.Equal(pkcs7.OIDDigestAlgorithmSHA256) {
			return fmt.Errorf("signing-certificate-v2 hash %v not supported", oid)
		}
	}
	var hash []byte
	if !id.ReadASN1Bytes(&hash, cbasn1.OCTET_STRING) {
		return errors.New("malformed signing-certificate-v2 certHash")
	}
	fp := FingerprintOf(cert.Raw)
	if subtle.ConstantTimeCompare(hash, fp[:]) != 1 {
		return errors.New("signing-certificate-v2 names another certificate")
	}
	return nil
}

// CMSVerification is a verified CMS signature.
type CMSVerification struct {
	// Signer is the signer's certificate.
	Signer *Certificate
	// Verification is the signer certificate's verification to a root.
	Verification *Verification
	// Content is the signed content (from inside an attached signature, or
	// the data given for a detached one).
	Content []byte
	// SigningTime is the signing-time attribute, zero if absent. It is the
	// signer's claim, not a trusted time stamp.
	SigningTime time.Time
	// Hash is the message digest algorithm.
	Hash crypto.Hash
}

// VerifyCMS verifies a DER (or BER) CMS SignedData with exactly one signer:
// the content digest and signature (github.com/smallstep/pkcs7), the ESS
// signing-certificate-v2 attribute when present, and the signer's
// certificate with [Verify] against roots under opts. Certificates inside
// the signature are used only to find the signer's; they are never
// trusted. data is the content for a detached signature; for an attached
// one it may be nil, or must equal the content inside.
func VerifyCMS(sig, data []byte, roots *Roots, opts VerifyOptions) (*CMSVerification, error) {
	p7, err := pkcs7.Parse(sig)
	if err != nil {
		return nil, fmt.Errorf("verifying CMS: %w: %v", ErrCMSSignature, err)
	}
	switch {
	case len(p7.Content) == 0 && len(data) == 0:
		return nil, fmt.Errorf("verifying CMS: %w: detached signature and no content given", ErrCMSContent)
	case len(p7.Content) == 0:
		p7.Content = data
	case data != nil && !bytes.Equal(p7.Content, data):
		return nil, fmt.Errorf("verifying CMS: %w: given content differs from the signed content", ErrCMSContent)
	}
	if len(p7.Signers) != 1 {
		return nil, fmt.Errorf("verifying CMS: %w: %d signers, want 1", ErrCMSSignature, len(p7.Signers))
	}
	var h crypto.Hash
	for _, hh := range cmsHashes {
		if p7.Signers[0].DigestAlgorithm.Algorithm.Equal(cmsDigestOID(hh)) {
			h = hh
		}
	}
	if h == 0 {
		return nil, fmt.Errorf("verifying CMS: %w: digest %v not accepted", ErrCMSSignature, p7.Signers[0].DigestAlgorithm.Algorithm)
	}
	ee := p7.GetOnlySigner()
	if ee == nil {
		return nil, fmt.Errorf("verifying CMS: %w: signer's certificate not included", ErrCMSSignature)
	}
	if err := p7.Verify(); err != nil {
		return nil, fmt.Errorf("verifying CMS: %w: %v", ErrCMSSignature, err)
	}
	if len(p7.Signers[0].AuthenticatedAttributes) > 0 {
		// RFC 5652 §11.1: the content-type attribute must name the content.
		var ct asn1.ObjectIdentifier
		if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeContentType, &ct); err != nil || !ct.Equal(pkcs7.OIDData) {
			return nil, fmt.Errorf("verifying CMS: %w: content-type attribute missing or not id-data", ErrCMSSignature)
		}
	}
	var ess asn1.RawValue
	if err := p7.UnmarshalSignedAttribute(oidSigningCertificateV2, &ess); err == nil {
		if err := checkSigningCertificateV2(ess.FullBytes, ee); err != nil {
			return nil, fmt.Errorf("verifying CMS: %w: %v", ErrCMSSignature, err)
		}
	}
	var st time.Time
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &st); err != nil {
		st = time.Time{}
	}
	cert, err := FromX509(ee)
	if err != nil {
		return nil, fmt.Errorf("verifying CMS: %w", err)
	}
	v, err := Verify(cert, roots, opts)
	if err != nil {
		return nil, fmt.Errorf("verifying CMS signer: %w", err)
	}
	return &CMSVerification{Signer: cert, Verification: v, Content: p7.Content, SigningTime: st, Hash: h}, nil
}
