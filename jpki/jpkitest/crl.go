package jpkitest

import (
	"bufio"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CRL reason codes (RFC 5280 §5.3.1) as written into CRL entries, plus
// NoReason for an entry without a reasonCode extension. docs/certificates.md
// "Revocation" says which ones J-LIS uses and what they mean.
const (
	NoReason                   = -1
	ReasonUnspecified          = 0
	ReasonKeyCompromise        = 1
	ReasonCACompromise         = 2
	ReasonAffiliationChanged   = 3 // 異動: registered details changed
	ReasonSuperseded           = 4
	ReasonCessationOfOperation = 5
	ReasonCertificateHold      = 6
	ReasonRemoveFromCRL        = 8
	ReasonPrivilegeWithdrawn   = 9
	ReasonAACompromise         = 10
)

// CRLReasons returns every reason SyntheticCRLEntry cycles through:
// NoReason and every defined CRLReason.
func CRLReasons() []int {
	return []int{NoReason, ReasonUnspecified, ReasonKeyCompromise, ReasonCACompromise,
		ReasonAffiliationChanged, ReasonSuperseded, ReasonCessationOfOperation,
		ReasonCertificateHold, ReasonRemoveFromCRL, ReasonPrivilegeWithdrawn, ReasonAACompromise}
}

// CRLEntry is one revoked certificate of a generated CRL.
type CRLEntry struct {
	// Serial is the revoked certificate's serial number.
	Serial *big.Int
	// RevokedAt is the revocationDate (whole seconds are written).
	RevokedAt time.Time
	// Reason is a CRLReason, or NoReason to omit the extension.
	Reason int
}

// SyntheticSerialBase is the serial of SyntheticCRLEntry(0); entry i has
// serial SyntheticSerialBase + 2i, so SyntheticSerialBase + 2i + 1 is
// never listed. Serials stay 4 bytes long, like J-LIS's, up to about 900
// million entries.
const SyntheticSerialBase = 0x10000000

// SyntheticCRLEntry returns the i-th generated entry: serial
// SyntheticSerialBase+2i, reason CRLReasons()[i % 11], revoked i seconds
// (modulo about a year) before ReferenceTime minus one day.
func SyntheticCRLEntry(i int) CRLEntry {
	reasons := CRLReasons()
	return CRLEntry{
		Serial:    big.NewInt(int64(SyntheticSerialBase) + 2*int64(i)),
		RevokedAt: syntheticRevokedAt(i),
		Reason:    reasons[i%len(reasons)],
	}
}

// SyntheticSerialWidths are the serial widths in bytes (DER INTEGER
// content) SyntheticCRLEntryWidth generates: JPKI's 4, and 8, 12 and
// RFC 5280's maximum of 20.
var SyntheticSerialWidths = []int{4, 8, 12, 20}

// SyntheticCRLEntryWidth is SyntheticCRLEntry(i) with a serial of width
// bytes (4 to 20; 4 is SyntheticCRLEntry's own). Wider serials look
// random, as CAs that draw serials from a random source write them: the
// first byte is 0x40–0x7F (positive, full width), the last
// min(width-1, 8) bytes hold a bijective scramble of i shifted left by
// one (so serials are distinct and even, and a listed serial plus one is
// never listed), the bytes between come from another scramble of i.
func SyntheticCRLEntryWidth(i, width int) CRLEntry {
	e := SyntheticCRLEntry(i)
	if width <= 4 {
		return e
	}
	e.Serial = new(big.Int).SetBytes(SyntheticSerial(i, width))
	return e
}

// SyntheticSerial returns the big-endian bytes of synthetic serial i at
// width bytes (5 to 20; see SyntheticCRLEntryWidth).
func SyntheticSerial(i, width int) []byte {
	b := make([]byte, width)
	low := min(width-1, 8)
	bits := uint(8*low - 1)
	v := scramble(uint64(i), bits) << 1
	for k := range low {
		b[width-1-k] = byte(v >> (8 * k))
	}
	h := scramble(uint64(i)^0x5DEECE66D, 63)
	for k := 1; k < width-low; k++ {
		b[k] = byte(h >> (8 * (k % 8)))
		if k%8 == 7 {
			h = scramble(h, 63)
		}
	}
	b[0] = 0x40 | byte(h>>58)&0x3F
	return b
}

// scramble is a bijection on the low bits bits of x (odd multiplications
// and xor-shifts modulo 2^bits).
func scramble(x uint64, bits uint) uint64 {
	mask := uint64(1)<<bits - 1
	x &= mask
	x = x * 0x9E3779B97F4A7C15 & mask
	x ^= x >> (bits / 2)
	x = x * 0xBF58476D1CE4E5B9 & mask
	x ^= x >> (bits/2 + 1)
	return x
}

// syntheticTimeSpan is the span of synthetic revocation times.
const syntheticTimeSpan = 365 * 24 * 60 * 60

func syntheticRevokedAt(i int) time.Time {
	return ReferenceTime().Add(-24*time.Hour - time.Duration(i%syntheticTimeSpan)*time.Second)
}

// CRLFault selects a broken CRL variant.
type CRLFault int

const (
	// CRLFaultNone writes a valid CRL.
	CRLFaultNone CRLFault = iota
	// CRLFaultBadSignature flips a bit of the signature.
	CRLFaultBadSignature
	// CRLFaultTruncated stops the output half way through.
	CRLFaultTruncated
	// CRLFaultStale writes thisUpdate three days and nextUpdate two days
	// before ReferenceTime, whatever the options say.
	CRLFaultStale
)

// CRLOptions describes a generated CRL. The zero value is an empty CRL
// valid from an hour before ReferenceTime for a day.
type CRLOptions struct {
	// ThisUpdate and NextUpdate; zero ThisUpdate is ReferenceTime() minus
	// an hour, zero NextUpdate is ThisUpdate plus DefaultCRLValidity.
	ThisUpdate, NextUpdate time.Time
	// Number is the cRLNumber (nil: 1).
	Number *big.Int
	// Entries are written first, in order.
	Entries []CRLEntry
	// Synthetic appends SyntheticCRLEntry(0..Synthetic-1).
	Synthetic int
	// SerialBytes is the width of the synthetic serials (see
	// SyntheticCRLEntryWidth; 0 means 4).
	SerialBytes int
	// Shuffle writes the synthetic entries in a permuted (not serial)
	// order, as CAs that do not sort their lists do.
	Shuffle bool
	// DistributionPoint, when set, adds a critical issuingDistributionPoint
	// whose fullName is this directory name (JPKI's per-municipality
	// partition; see CRLDistributionPointName).
	DistributionPoint pkix.RDNSequence
	// Fault breaks the CRL on purpose.
	Fault CRLFault
}

// DefaultCRLValidity is the default thisUpdate-to-nextUpdate span (J-LIS
// publishes about daily).
const DefaultCRLValidity = 24 * time.Hour

// shufflePrime is coprime with every count below 2^31 that it does not
// divide: entry k of a shuffled CRL is synthetic entry k*shufflePrime mod n.
const shufflePrime = 1_000_003

// WriteCRL writes a DER CRL (RFC 5280 §5) signed by key for issuer:
// sha256WithRSAEncryption for an RSA key (as JPKI), ecdsa-with-SHA256 or
// ecdsa-with-SHA384 for a P-256 or P-384 key (the test hierarchy's ECDSA
// generation). It streams: entries are encoded one at a time, twice (once
// to learn the length, once to write and hash; an ECDSA signature's length
// is known only after signing, so for ECDSA the entries are hashed in one
// more pass first), so memory does not grow with the number of entries.
// It returns the number of bytes written.
func WriteCRL(w io.Writer, issuer *x509.Certificate, key crypto.Signer, opts CRLOptions) (int64, error) {
	alg, err := sigAlgFor(key.Public())
	if err != nil {
		return 0, fmt.Errorf("writing CRL: %w", err)
	}
	opts = opts.normalized()
	g := crlGen{opts: opts, alg: alg}
	head, err := g.header(issuer)
	if err != nil {
		return 0, fmt.Errorf("writing CRL: %w", err)
	}
	exts, err := g.extensions(issuer)
	if err != nil {
		return 0, fmt.Errorf("writing CRL: %w", err)
	}
	var entriesLen int
	var scratch []byte
	g.each(func(e CRLEntry) {
		scratch = appendEntry(scratch[:0], e)
		entriesLen += len(scratch)
	})
	revokedLen := 0
	if entriesLen > 0 {
		revokedLen = tlvLen(entriesLen)
	}
	tbsContent := len(head) + revokedLen + len(exts)
	writeTBS := func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		bw.Write(appendHeader(nil, tagSequence, tbsContent))
		bw.Write(head)
		if entriesLen > 0 {
			bw.Write(appendHeader(nil, tagSequence, entriesLen))
			g.each(func(e CRLEntry) {
				scratch = appendEntry(scratch[:0], e)
				bw.Write(scratch)
			})
		}
		bw.Write(exts)
		return bw.Flush()
	}
	sign := func(digest []byte) ([]byte, error) {
		sig, err := key.Sign(rand.Reader, digest, alg.hash)
		if err != nil {
			return nil, fmt.Errorf("signing CRL: %w", err)
		}
		if opts.Fault == CRLFaultBadSignature {
			sig[len(sig)-1] ^= 0x01
		}
		return sig, nil
	}
	var sig []byte
	sigLen := alg.rsaSize
	if sigLen == 0 {
		h := alg.hash.New()
		writeTBS(h)
		if sig, err = sign(h.Sum(nil)); err != nil {
			return 0, err
		}
		sigLen = len(sig)
	}
	outerContent := tlvLen(tbsContent) + len(alg.der) + tlvLen(1+sigLen)
	total := int64(tlvLen(outerContent))

	var out io.Writer = w
	if opts.Fault == CRLFaultTruncated {
		out = &truncWriter{w: w, left: total / 2}
	}
	cw := &countWriter{w: out}
	h := alg.hash.New()
	hdr := appendHeader(nil, tagSequence, outerContent)
	if _, err := cw.Write(hdr); err != nil {
		return cw.n, fmt.Errorf("writing CRL: %w", err)
	}
	if err := writeTBS(io.MultiWriter(cw, h)); err != nil {
		return cw.n, fmt.Errorf("writing CRL: %w", err)
	}
	if sig == nil {
		if sig, err = sign(h.Sum(nil)); err != nil {
			return cw.n, err
		}
	}
	tail := append([]byte(nil), alg.der...)
	tail = appendHeader(tail, tagBitString, 1+len(sig))
	tail = append(tail, 0) // no unused bits
	tail = append(tail, sig...)
	if _, err := cw.Write(tail); err != nil {
		return cw.n, fmt.Errorf("writing CRL: %w", err)
	}
	if opts.Fault != CRLFaultTruncated && cw.n != total {
		return cw.n, fmt.Errorf("writing CRL: wrote %d bytes, computed %d", cw.n, total)
	}
	return cw.n, nil
}

func (o CRLOptions) normalized() CRLOptions {
	if o.ThisUpdate.IsZero() {
		o.ThisUpdate = ReferenceTime().Add(-time.Hour)
	}
	if o.NextUpdate.IsZero() {
		o.NextUpdate = o.ThisUpdate.Add(DefaultCRLValidity)
	}
	if o.Fault == CRLFaultStale {
		o.ThisUpdate = ReferenceTime().Add(-72 * time.Hour)
		o.NextUpdate = ReferenceTime().Add(-48 * time.Hour)
	}
	if o.Number == nil {
		o.Number = big.NewInt(1)
	}
	return o
}

type crlGen struct {
	opts CRLOptions
	alg  sigAlg
}

// each calls f for every entry in output order.
func (g crlGen) each(f func(CRLEntry)) {
	for _, e := range g.opts.Entries {
		f(e)
	}
	n := g.opts.Synthetic
	for k := 0; k < n; k++ {
		i := k
		if g.opts.Shuffle && n%shufflePrime != 0 {
			i = int(int64(k) * shufflePrime % int64(n))
		}
		f(SyntheticCRLEntryWidth(i, g.opts.SerialBytes))
	}
}

// DER identifier octets (X.690 §8.1.2) used by the hand-written encoder.
const (
	tagInteger      = 0x02
	tagBitString    = 0x03
	tagOctetString  = 0x04
	tagEnumerated   = 0x0A
	tagSequence     = 0x30
	tagUTCTime      = 0x17
	tagGenTime      = 0x18
	tagOID          = 0x06
	tagCRLExtsField = 0xA0 // tbsCertList crlExtensions [0] EXPLICIT
)

// sigAlgSHA256RSA is AlgorithmIdentifier { sha256WithRSAEncryption, NULL }.
var sigAlgSHA256RSA = []byte{0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B, 0x05, 0x00}

// reasonCodeOID is 2.5.29.21 as DER content.
var reasonCodeOID = []byte{0x55, 0x1D, 0x15}

// Extension identifiers of the CRL (RFC 5280 §5.2).
var (
	oidExtAuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtCRLNumber      = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidExtIDP            = asn1.ObjectIdentifier{2, 5, 29, 28}
)

// header returns version, signature, issuer, thisUpdate and nextUpdate.
func (g crlGen) header(issuer *x509.Certificate) ([]byte, error) {
	b := []byte{tagInteger, 1, 1} // version v2
	b = append(b, g.alg.der...)
	b = append(b, issuer.RawSubject...)
	b = appendTime(b, g.opts.ThisUpdate)
	b = appendTime(b, g.opts.NextUpdate)
	return b, nil
}

// extensions returns [0] { Extensions }: authorityKeyIdentifier,
// cRLNumber and, when set, the critical issuingDistributionPoint.
func (g crlGen) extensions(issuer *x509.Certificate) ([]byte, error) {
	var b cryptobyte.Builder
	ctx := func(n uint8) cbasn1.Tag { return cbasn1.Tag(n).ContextSpecific().Constructed() }
	b.AddASN1(ctx(0), func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if len(issuer.SubjectKeyId) > 0 {
				addExtension(b, oidExtAuthorityKeyID, false, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(issuer.SubjectKeyId) })
					})
				})
			}
			addExtension(b, oidExtCRLNumber, false, func(b *cryptobyte.Builder) { b.AddASN1BigInt(g.opts.Number) })
			if g.opts.DistributionPoint != nil {
				name, err := asn1.Marshal(g.opts.DistributionPoint)
				if err != nil {
					b.SetError(err)
					return
				}
				addExtension(b, oidExtIDP, true, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(ctx(0), func(b *cryptobyte.Builder) { // distributionPoint
							b.AddASN1(ctx(0), func(b *cryptobyte.Builder) { // fullName
								b.AddASN1(ctx(generalNameDirectoryName), func(b *cryptobyte.Builder) { b.AddBytes(name) })
							})
						})
					})
				})
			}
		})
	})
	return b.Bytes()
}

func addExtension(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, critical bool, value func(*cryptobyte.Builder)) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if critical {
			b.AddASN1Boolean(true)
		}
		b.AddASN1(cbasn1.OCTET_STRING, value)
	})
}

// appendEntry appends SEQUENCE { serial, revocationDate, [reasonCode] }.
func appendEntry(dst []byte, e CRLEntry) []byte {
	var tmp [64]byte
	body := appendInteger(tmp[:0], e.Serial)
	body = appendTime(body, e.RevokedAt)
	if e.Reason != NoReason {
		// Extensions { Extension { reasonCode, OCTET STRING { ENUMERATED } } }
		body = append(body, tagSequence, 12, tagSequence, 10, tagOID, byte(len(reasonCodeOID)))
		body = append(body, reasonCodeOID...)
		body = append(body, tagOctetString, 3, tagEnumerated, 1, byte(e.Reason))
	}
	dst = appendHeader(dst, tagSequence, len(body))
	return append(dst, body...)
}

// appendInteger appends a DER INTEGER (X.690 §8.3).
func appendInteger(dst []byte, n *big.Int) []byte {
	var b []byte
	switch n.Sign() {
	case 0:
		b = []byte{0}
	case 1:
		b = n.Bytes()
		if b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
	default:
		// Negative serials are not valid (RFC 5280 §4.1.2.2); the
		// generator does not make them.
		b = []byte{0}
	}
	dst = appendHeader(dst, tagInteger, len(b))
	return append(dst, b...)
}

// utcTimeMin and utcTimeMax bound the years written as UTCTime (RFC 5280
// §5.1.2.4); other years are GeneralizedTime.
const (
	utcTimeMin = 1950
	utcTimeMax = 2049
)

func appendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	if y := t.Year(); y >= utcTimeMin && y <= utcTimeMax {
		dst = append(dst, tagUTCTime, 13)
		return t.AppendFormat(dst, "060102150405Z")
	}
	dst = append(dst, tagGenTime, 15)
	return t.AppendFormat(dst, "20060102150405Z")
}

// appendHeader appends a DER identifier and definite length.
func appendHeader(dst []byte, tag byte, n int) []byte {
	dst = append(dst, tag)
	switch {
	case n < 0x80:
		return append(dst, byte(n))
	case n < 1<<8:
		return append(dst, 0x81, byte(n))
	case n < 1<<16:
		return append(dst, 0x82, byte(n>>8), byte(n))
	case n < 1<<24:
		return append(dst, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// tlvLen is the size of a TLV with n content bytes.
func tlvLen(n int) int { return len(appendHeader(nil, 0, n)) + n }

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// truncWriter passes the first left bytes and silently drops the rest.
type truncWriter struct {
	w    io.Writer
	left int64
}

func (t *truncWriter) Write(p []byte) (int, error) {
	if t.left <= 0 {
		return len(p), nil
	}
	q := p
	if int64(len(q)) > t.left {
		q = q[:t.left]
	}
	n, err := t.w.Write(q)
	t.left -= int64(n)
	if err != nil {
		return n, err
	}
	return len(p), nil
}
