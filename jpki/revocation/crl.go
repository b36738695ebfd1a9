package revocation

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CRL is a parsed, signature-verified certificate revocation list (RFC 5280
// §5). Its entries live in a compact index; a CRL is immutable and safe
// for concurrent use.
type CRL struct {
	// Issuer is the trusted issuer whose key verified the signature.
	Issuer *x509.Certificate
	// RawIssuer is the DER of the CRL's issuer Name.
	RawIssuer []byte
	// ThisUpdate and NextUpdate bound the CRL's validity.
	ThisUpdate, NextUpdate time.Time
	// Number is the cRLNumber extension (RFC 5280 §5.2.3), or nil.
	Number *big.Int
	// AuthorityKeyID is the authorityKeyIdentifier's keyIdentifier, or nil.
	AuthorityKeyID []byte
	// DistributionPoints are the DER Names of the directoryName entries of
	// the issuingDistributionPoint's fullName (RFC 5280 §5.2.5): JPKI's
	// per-municipality partition. Empty means the CRL covers every
	// certificate of its issuer.
	DistributionPoints [][]byte
	// OnlyUserCerts is the IDP's onlyContainsUserCerts flag.
	OnlyUserCerts bool
	// Source names where the CRL was read from.
	Source string
	// SHA256 is the digest of the CRL's DER, the key of the index cache.
	SHA256 [sha256.Size]byte

	label     string // "crl " + Source, made once
	tbsDigest []byte
	sigAlg    sigAlgorithm
	signature []byte
	idx       index
	reload    *reloader // for an index read from the cache: its CRL file, to parse again
}

// reloader parses the CRL file of an index read from the cache again,
// once, when a block of the index file proves corrupt at a lookup; the
// parsed index then answers.
type reloader struct {
	once  sync.Once
	parse func() (*CRL, error) // the same CRL (SHA-256 checked) from its file
	idx   atomic.Pointer[index]
	err   error
}

// index is the index that answers: the parsed one once a mapped one
// proved corrupt.
func (c *CRL) index() *index {
	if c.reload != nil {
		if x := c.reload.idx.Load(); x != nil {
			return x
		}
	}
	return &c.idx
}

// reindex parses the CRL file again for a corrupt mapped index.
func (c *CRL) reindex() (*index, error) {
	r := c.reload
	if r == nil {
		return nil, fmt.Errorf("%w: corrupt index", ErrMalformed)
	}
	r.once.Do(func() {
		nc, err := r.parse()
		if err != nil {
			r.err = fmt.Errorf("%w: the index cache file of %s is corrupt and the CRL could not be read again: %v", ErrMalformed, c.Source, err)
			return
		}
		r.idx.Store(&nc.idx)
	})
	if r.err != nil {
		return nil, r.err
	}
	return r.idx.Load(), nil
}

// sourceLabel names c in results.
func (c *CRL) sourceLabel() string {
	if c.label != "" {
		return c.label
	}
	return "crl " + c.Source
}

// Len returns the number of revoked serials.
func (c *CRL) Len() int { return c.index().Len() }

// IndexBytes returns the heap the serial index's records occupy (0 when
// it is used in place from a mapped index file).
func (c *CRL) IndexBytes() int { return c.index().memoryBytes() }

// IndexMapped reports whether the serial index is used in place from the
// index cache (CRLSetOptions.CacheDir) rather than built by parsing (a
// mapped index found corrupt at a lookup is replaced by a parsed one).
func (c *CRL) IndexMapped() bool { return c.index().mapped }

// Entry is one revoked certificate of a CRL.
type Entry struct {
	// RevokedAt is the revocationDate.
	RevokedAt time.Time
	// Reason is the reasonCode, or ReasonNone when absent.
	Reason Reason
}

// Lookup returns the entry for serial, if the CRL lists it. A CRL whose
// index came from the index cache checks each part of the index file the
// first time a lookup reads it; a part that does not check makes the CRL
// parse its file again. In the one case where that cannot be done (the
// file no longer holds the CRL, or cannot be read), Lookup never answers
// "not listed": it reports every serial listed, with a zero RevokedAt and
// ReasonNone (CRLSet's answers say "unknown", with the reason).
func (c *CRL) Lookup(serial *big.Int) (Entry, bool) {
	k := keyFromBig(serial)
	e, ok, err := c.lookupKey(&k)
	if err != nil {
		return Entry{Reason: ReasonNone}, true
	}
	return e, ok
}

// prefetchKey starts loading the slots a lookupKey of k will read (see
// index.prefetch); it changes nothing and reports nothing.
func (c *CRL) prefetchKey(k *serialKey) { c.index().prefetch(k) }

// lookupKey takes the key by reference: a copy of it on the stack, read
// back in other widths, would wait for the previous lookup's cache miss
// to retire, and lookups one after another would stop overlapping. The
// error is a mapped index that proved corrupt and could not be rebuilt.
func (c *CRL) lookupKey(k *serialKey) (Entry, bool, error) {
	x := c.index()
	p, ok, err := x.lookup(k)
	if err != nil {
		if x, err = c.reindex(); err != nil {
			return Entry{}, false, err
		}
		if p, ok, err = x.lookup(k); err != nil {
			return Entry{}, false, err
		}
	}
	if !ok {
		return Entry{}, false, nil
	}
	t, r := unpack(p)
	return Entry{RevokedAt: t, Reason: r}, true, nil
}

// CheckFresh returns nil if c may be used at t: thisUpdate is not in the
// future and nextUpdate has not passed (both with ClockSkew). Otherwise it
// returns a *StaleError matching ErrStale or ErrNotYetValid.
func (c *CRL) CheckFresh(t time.Time) error {
	return checkFresh(func() string { return "CRL " + c.Source }, t, c.ThisUpdate, c.NextUpdate)
}

// Covers reports whether c covers a certificate whose CRL distribution
// point directory names are dps (from CRLDistributionPoints): a CRL with no
// issuingDistributionPoint covers every certificate of its issuer; one
// with an IDP covers the certificates that name one of its distribution
// points.
func (c *CRL) Covers(dps [][]byte) bool {
	if len(c.DistributionPoints) == 0 {
		return true
	}
	for _, want := range dps {
		for _, have := range c.DistributionPoints {
			if bytes.Equal(want, have) {
				return true
			}
		}
	}
	return false
}

// ParseOptions configures ParseCRL.
type ParseOptions struct {
	// Issuers are the trusted issuers (pinned roots). The CRL must be
	// signed by one of them whose subject equals the CRL's issuer.
	Issuers []*x509.Certificate
	// MaxBytes bounds the input (0: DefaultMaxCRLBytes).
	MaxBytes int64
	// Source names the input in results and errors.
	Source string
	// SizeHint is the input's length when known (a file's size, an HTTP
	// Content-Length), 0 otherwise. With it the index is sized at once;
	// without it a declared length is trusted only up to
	// unconfirmedListBytes, so a short input cannot make the parser
	// allocate for a huge list it does not contain.
	SizeHint int64
}

// DefaultMaxCRLBytes is the default input limit: room for about ten
// million entries at JPKI's entry size.
const DefaultMaxCRLBytes = 1 << 30

// maxHeaderFieldBytes bounds one header field of tbsCertList (issuer name,
// extensions) and one entry.
const maxHeaderFieldBytes = 64 << 10

// Universal and context tags as identifier octets (X.690 §8.1.2).
const (
	idSequence        = 0x30
	idInteger         = 0x02
	idUTCTime         = 0x17
	idGeneralizedTime = 0x18
	idBitString       = 0x03
	idCRLExtensions   = 0xA0 // [0] EXPLICIT Extensions in tbsCertList
)

// ParseCRL reads one DER CRL from r in a single pass through a fixed
// buffer, verifies its signature over the raw tbsCertList against the
// trusted issuer whose key verifies it (generations share a name: the key
// decides), and indexes its entries. It does not check freshness: see
// CRL.CheckFresh. The whole input must be the CRL (no trailing bytes).
func ParseCRL(r io.Reader, opts ParseOptions) (*CRL, error) {
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxCRLBytes
	}
	// Both hashes (the file's, the signature's) run on other cores.
	whole := newAsyncHash(sha256.New())
	defer whole.close()
	s := newStreamer(io.TeeReader(r, whole), limit)
	c, err := parseCRL(s, opts)
	if err != nil {
		return nil, fmt.Errorf("parsing CRL %s: %w", opts.Source, err)
	}
	copy(c.SHA256[:], whole.Sum(nil))
	c.label = "crl " + c.Source
	if err := c.verify(opts.Issuers); err != nil {
		return nil, fmt.Errorf("verifying CRL %s: %w", opts.Source, err)
	}
	return c, nil
}

func parseCRL(s *streamer, opts ParseOptions) (*CRL, error) {
	c := &CRL{Source: opts.Source}
	outer, err := s.expectHeader(idSequence, "CertificateList")
	if err != nil {
		return nil, err
	}
	outerEnd := s.consumed + int64(outer.length)
	s.startHash()
	tbs, err := s.expectHeader(idSequence, "tbsCertList")
	if err != nil {
		return nil, err
	}
	tbsEnd := s.consumed + int64(tbs.length)
	// version INTEGER OPTIONAL (v2 = 1)
	h, err := s.readHeader()
	if err != nil {
		return nil, fmt.Errorf("reading tbsCertList: %w", err)
	}
	if h.tag == idInteger {
		_, b, err := s.readTLV()
		if err != nil {
			return nil, err
		}
		var v int
		in := cryptobyte.String(b)
		if !in.ReadASN1Integer(&v) || v != 1 {
			return nil, fmt.Errorf("%w: CRL version", ErrMalformed)
		}
	}
	_, b, err := s.readTLV()
	if err != nil {
		return nil, fmt.Errorf("reading signature algorithm: %w", err)
	}
	tbsAlgDER := bytes.Clone(b)
	alg, err := parseSigAlgorithm(tbsAlgDER)
	if err != nil {
		return nil, err
	}
	c.sigAlg = alg
	tbsHash := newAsyncHash(alg.hash.New())
	defer tbsHash.close()
	s.setHash(tbsHash)
	if h, b, err = s.readTLV(); err != nil || h.tag != idSequence || len(b) > maxHeaderFieldBytes {
		return nil, fmt.Errorf("reading issuer: %w", orMalformed(err))
	}
	c.RawIssuer = bytes.Clone(b)
	if c.ThisUpdate, err = readTime(s); err != nil {
		return nil, fmt.Errorf("reading thisUpdate: %w", err)
	}
	if h, err = s.readHeader(); err != nil {
		return nil, fmt.Errorf("reading tbsCertList: %w", err)
	}
	if (h.tag == idUTCTime || h.tag == idGeneralizedTime) && s.consumed < tbsEnd {
		if c.NextUpdate, err = readTime(s); err != nil {
			return nil, fmt.Errorf("reading nextUpdate: %w", err)
		}
	}
	if c.NextUpdate.IsZero() {
		return nil, fmt.Errorf("%w: CRL without nextUpdate (freshness cannot be judged)", ErrUnsupported)
	}
	if s.consumed < tbsEnd {
		if h, err = s.readHeader(); err != nil {
			return nil, fmt.Errorf("reading tbsCertList: %w", err)
		}
		if h.tag == idSequence {
			if err := parseEntries(s, &c.idx, opts.SizeHint); err != nil {
				return nil, fmt.Errorf("reading revokedCertificates: %w", err)
			}
		}
	}
	if s.consumed < tbsEnd {
		h, b, err := s.readTLV()
		if err != nil || h.tag != idCRLExtensions || len(b) > maxHeaderFieldBytes {
			return nil, fmt.Errorf("reading crlExtensions: %w", orMalformed(err))
		}
		if err := c.parseExtensions(b[h.size:]); err != nil {
			return nil, err
		}
	}
	if s.consumed != tbsEnd {
		return nil, fmt.Errorf("%w: tbsCertList length", ErrMalformed)
	}
	c.tbsDigest = s.stopHash()
	_, b, err = s.readTLV()
	if err != nil {
		return nil, fmt.Errorf("reading signatureAlgorithm: %w", err)
	}
	if !bytes.Equal(b, tbsAlgDER) {
		return nil, fmt.Errorf("%w: signatureAlgorithm differs from tbsCertList.signature", ErrMalformed)
	}
	h, b, err = s.readTLV()
	if err != nil || h.tag != idBitString {
		return nil, fmt.Errorf("reading signatureValue: %w", orMalformed(err))
	}
	in := cryptobyte.String(b)
	var sig asn1.BitString
	if !in.ReadASN1BitString(&sig) || sig.BitLength%8 != 0 {
		return nil, fmt.Errorf("%w: signatureValue", ErrMalformed)
	}
	c.signature = bytes.Clone(sig.Bytes)
	if s.consumed != outerEnd {
		return nil, fmt.Errorf("%w: CertificateList length", ErrMalformed)
	}
	if eof, err := s.atEOF(); err != nil || !eof {
		return nil, fmt.Errorf("%w: trailing data after the CRL", orMalformed(err))
	}
	return c, nil
}

func orMalformed(err error) error {
	if err != nil {
		return err
	}
	return ErrMalformed
}

// readTime reads a UTCTime or GeneralizedTime TLV.
func readTime(s *streamer) (time.Time, error) {
	h, b, err := s.readTLV()
	if err != nil {
		return time.Time{}, err
	}
	sec, err := parseTimeSeconds(cbasn1.Tag(h.tag), b[h.size:])
	if err != nil {
		return time.Time{}, err
	}
	return unixTime(sec), nil
}

// minEntryBytes is the size of the smallest possible entry (SEQUENCE
// header, a 1-byte INTEGER, a UTCTime), used to bound the capacity guess.
const minEntryBytes = 2 + 3 + 2 + utcTimeLen

// unconfirmedListBytes is how much of a declared revokedCertificates
// length the initial index capacity may assume without a SizeHint.
const unconfirmedListBytes = 16 << 20

// initialEntries guesses the number of entries from the list's declared
// length and the first entry's size (entries of one CRL are nearly the
// same size), so that append does not double the peak memory.
func initialEntries(listLen, firstLen, sizeHint int64) int {
	bound := int64(unconfirmedListBytes)
	if sizeHint > 0 {
		bound = sizeHint
	}
	return int(min(listLen, bound)/firstLen) + 16
}

// parseEntries reads revokedCertificates, whose header is next.
func parseEntries(s *streamer, x *index, sizeHint int64) error {
	h, err := s.expectHeader(idSequence, "revokedCertificates")
	if err != nil {
		return err
	}
	end := s.consumed + int64(h.length)
	first := true
	for s.consumed < end {
		eh, err := s.readHeader()
		if err != nil {
			return err
		}
		n := eh.size + eh.length
		if eh.tag != idSequence || n > maxHeaderFieldBytes || s.consumed+int64(n) > end {
			return fmt.Errorf("%w: revoked certificate entry", ErrMalformed)
		}
		b, err := s.peek(n)
		if err != nil {
			return err
		}
		if first {
			x.reserve(initialEntries(int64(h.length), int64(n), sizeHint), 1)
			first = false
		}
		k, packed, err := parseEntry(b[eh.size:])
		if err != nil {
			return err
		}
		x.add(&k, packed)
		if err := s.skip(n); err != nil {
			return err
		}
	}
	if s.consumed != end {
		return fmt.Errorf("%w: revokedCertificates length", ErrMalformed)
	}
	x.finish()
	return nil
}

// Extension identifiers as DER OID content (RFC 5280 §5.2, §5.3).
var (
	oidReasonCode        = []byte{0x55, 0x1D, 0x15} // 2.5.29.21
	oidInvalidityDate    = []byte{0x55, 0x1D, 0x18} // 2.5.29.24
	oidCertificateIssuer = []byte{0x55, 0x1D, 0x1D} // 2.5.29.29
	oidCRLNumber         = []byte{0x55, 0x1D, 0x14} // 2.5.29.20
	oidDeltaCRLIndicator = []byte{0x55, 0x1D, 0x1B} // 2.5.29.27
	oidIDP               = []byte{0x55, 0x1D, 0x1C} // 2.5.29.28
	oidAuthorityKeyID    = []byte{0x55, 0x1D, 0x23} // 2.5.29.35
	oidFreshestCRL       = []byte{0x55, 0x1D, 0x2E} // 2.5.29.46
	oidCRLDP             = []byte{0x55, 0x1D, 0x1F} // 2.5.29.31
)

// parseEntry parses the content of one revokedCertificates entry:
// SEQUENCE { userCertificate INTEGER, revocationDate Time,
// crlEntryExtensions Extensions OPTIONAL } (RFC 5280 §5.1).
func parseEntry(body []byte) (serialKey, int64, error) {
	in := cryptobyte.String(body)
	var serial cryptobyte.String
	if !in.ReadASN1(&serial, cbasn1.INTEGER) || !minimalInteger(serial) {
		return serialKey{}, 0, fmt.Errorf("%w: entry serial", ErrMalformed)
	}
	k := keyFromInteger(serial)
	if !k.ok {
		return serialKey{}, 0, fmt.Errorf("%w: entry serial of %d bytes", ErrUnsupported, len(serial))
	}
	var tag cbasn1.Tag
	var tb cryptobyte.String
	if !in.ReadAnyASN1(&tb, &tag) {
		return serialKey{}, 0, fmt.Errorf("%w: entry revocationDate", ErrMalformed)
	}
	sec, err := parseTimeSeconds(tag, tb)
	if err != nil {
		return serialKey{}, 0, err
	}
	reason := ReasonNone
	if !in.Empty() {
		var exts cryptobyte.String
		if !in.ReadASN1(&exts, cbasn1.SEQUENCE) || !in.Empty() {
			return serialKey{}, 0, fmt.Errorf("%w: entry extensions", ErrMalformed)
		}
		if reason, err = parseEntryExtensions(exts); err != nil {
			return serialKey{}, 0, err
		}
	}
	return k, pack(sec, reason), nil
}

func minimalInteger(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if len(b) > 1 && (b[0] == 0 && b[1]&0x80 == 0 || b[0] == 0xFF && b[1]&0x80 != 0) {
		return false
	}
	return true
}

// readExtension reads one Extension ::= SEQUENCE { extnID, critical
// BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }.
func readExtension(exts *cryptobyte.String) (oid []byte, critical bool, value cryptobyte.String, ok bool) {
	var ext, id cryptobyte.String
	if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1(&id, cbasn1.OBJECT_IDENTIFIER) {
		return nil, false, nil, false
	}
	if ext.PeekASN1Tag(cbasn1.BOOLEAN) && !ext.ReadASN1Boolean(&critical) {
		return nil, false, nil, false
	}
	if !ext.ReadASN1(&value, cbasn1.OCTET_STRING) || !ext.Empty() {
		return nil, false, nil, false
	}
	return id, critical, value, true
}

func parseEntryExtensions(exts cryptobyte.String) (Reason, error) {
	reason := ReasonNone
	for !exts.Empty() {
		oid, critical, value, ok := readExtension(&exts)
		if !ok {
			return 0, fmt.Errorf("%w: entry extension", ErrMalformed)
		}
		switch {
		case bytes.Equal(oid, oidReasonCode):
			var e cryptobyte.String
			if !value.ReadASN1(&e, cbasn1.ENUM) || !value.Empty() || len(e) != 1 {
				return 0, fmt.Errorf("%w: reasonCode", ErrMalformed)
			}
			reason = Reason(e[0])
			if !reason.valid() {
				return 0, fmt.Errorf("%w: reasonCode %d", ErrMalformed, e[0])
			}
		case bytes.Equal(oid, oidCertificateIssuer):
			return 0, fmt.Errorf("%w: indirect CRL entry (certificateIssuer)", ErrUnsupported)
		case bytes.Equal(oid, oidInvalidityDate):
		default:
			if critical {
				return 0, fmt.Errorf("%w: unknown critical entry extension", ErrUnsupported)
			}
		}
	}
	return reason, nil
}

// IDP field tags (RFC 5280 §5.2.5) and GeneralName directoryName (§4.2.1.6).
const (
	idpDistributionPoint      = 0
	idpOnlyUserCerts          = 1
	idpOnlyCACerts            = 2
	idpOnlySomeReasons        = 3
	idpIndirectCRL            = 4
	idpOnlyAttributeCerts     = 5
	dpNameFullName            = 0
	generalNameDirectoryName  = 4
	akiKeyIdentifier          = 0
	crlDPDistributionPointTag = 0
)

func ctxTag(n uint8, constructed bool) cbasn1.Tag {
	t := cbasn1.Tag(n).ContextSpecific()
	if constructed {
		t = t.Constructed()
	}
	return t
}

func (c *CRL) parseExtensions(der []byte) error {
	in := cryptobyte.String(der)
	var exts cryptobyte.String
	if !in.ReadASN1(&exts, cbasn1.SEQUENCE) || !in.Empty() {
		return fmt.Errorf("%w: crlExtensions", ErrMalformed)
	}
	for !exts.Empty() {
		oid, critical, value, ok := readExtension(&exts)
		if !ok {
			return fmt.Errorf("%w: CRL extension", ErrMalformed)
		}
		switch {
		case bytes.Equal(oid, oidCRLNumber):
			n := new(big.Int)
			if !value.ReadASN1Integer(n) {
				return fmt.Errorf("%w: cRLNumber", ErrMalformed)
			}
			c.Number = n
		case bytes.Equal(oid, oidAuthorityKeyID):
			var aki, id cryptobyte.String
			if !value.ReadASN1(&aki, cbasn1.SEQUENCE) {
				return fmt.Errorf("%w: authorityKeyIdentifier", ErrMalformed)
			}
			if aki.PeekASN1Tag(ctxTag(akiKeyIdentifier, false)) {
				if !aki.ReadASN1(&id, ctxTag(akiKeyIdentifier, false)) {
					return fmt.Errorf("%w: authorityKeyIdentifier", ErrMalformed)
				}
				c.AuthorityKeyID = bytes.Clone(id)
			}
		case bytes.Equal(oid, oidIDP):
			if err := c.parseIDP(value); err != nil {
				return err
			}
		case bytes.Equal(oid, oidDeltaCRLIndicator):
			return fmt.Errorf("%w: delta CRL", ErrUnsupported)
		case bytes.Equal(oid, oidFreshestCRL):
		default:
			if critical {
				return fmt.Errorf("%w: unknown critical CRL extension", ErrUnsupported)
			}
		}
	}
	return nil
}

// parseIDP reads IssuingDistributionPoint (RFC 5280 §5.2.5). Only the
// fullName directoryName and onlyContainsUserCerts are evaluated; the
// other restrictions would need more than "listed or not" to prove a
// certificate good, so they are refused.
func (c *CRL) parseIDP(value cryptobyte.String) error {
	var idp cryptobyte.String
	if !value.ReadASN1(&idp, cbasn1.SEQUENCE) || !value.Empty() {
		return fmt.Errorf("%w: issuingDistributionPoint", ErrMalformed)
	}
	if idp.PeekASN1Tag(ctxTag(idpDistributionPoint, true)) {
		var dpn, full cryptobyte.String
		if !idp.ReadASN1(&dpn, ctxTag(idpDistributionPoint, true)) {
			return fmt.Errorf("%w: issuingDistributionPoint name", ErrMalformed)
		}
		if !dpn.ReadASN1(&full, ctxTag(dpNameFullName, true)) || !dpn.Empty() {
			return fmt.Errorf("%w: issuingDistributionPoint without fullName", ErrUnsupported)
		}
		names, err := directoryNames(full)
		if err != nil {
			return err
		}
		c.DistributionPoints = names
	}
	if idp.PeekASN1Tag(ctxTag(idpOnlyUserCerts, false)) {
		var v cryptobyte.String
		if !idp.ReadASN1(&v, ctxTag(idpOnlyUserCerts, false)) || len(v) != 1 {
			return fmt.Errorf("%w: onlyContainsUserCerts", ErrMalformed)
		}
		c.OnlyUserCerts = v[0] != 0
	}
	if !idp.Empty() {
		return fmt.Errorf("%w: issuingDistributionPoint restricts CA certs, reasons or indirect entries", ErrUnsupported)
	}
	return nil
}

// directoryNames returns the DER of every directoryName in GeneralNames
// content; other name forms are skipped.
func directoryNames(gns cryptobyte.String) ([][]byte, error) {
	var out [][]byte
	for !gns.Empty() {
		var gn cryptobyte.String
		var tag cbasn1.Tag
		if !gns.ReadAnyASN1(&gn, &tag) {
			return nil, fmt.Errorf("%w: GeneralName", ErrMalformed)
		}
		if tag != ctxTag(generalNameDirectoryName, true) {
			continue
		}
		var name cryptobyte.String
		if !gn.ReadASN1Element(&name, cbasn1.SEQUENCE) || !gn.Empty() {
			return nil, fmt.Errorf("%w: directoryName", ErrMalformed)
		}
		out = append(out, bytes.Clone(name))
	}
	return out, nil
}

// CertDistributionPoints returns the directory names of cert's
// cRLDistributionPoints extension (RFC 5280 §4.2.1.13): JPKI writes one
// per municipality (docs/certificates.md "Certificates"). crypto/x509 keeps only
// URIs, so the extension is parsed here.
func CertDistributionPoints(cert *x509.Certificate) ([][]byte, error) {
	var out [][]byte
	for _, ext := range cert.Extensions {
		if !ext.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 31}) {
			continue
		}
		in := cryptobyte.String(ext.Value)
		var dps cryptobyte.String
		if !in.ReadASN1(&dps, cbasn1.SEQUENCE) || !in.Empty() {
			return nil, fmt.Errorf("%w: cRLDistributionPoints", ErrMalformed)
		}
		for !dps.Empty() {
			var dp, dpn, full cryptobyte.String
			if !dps.ReadASN1(&dp, cbasn1.SEQUENCE) {
				return nil, fmt.Errorf("%w: DistributionPoint", ErrMalformed)
			}
			if !dp.PeekASN1Tag(ctxTag(crlDPDistributionPointTag, true)) {
				continue
			}
			if !dp.ReadASN1(&dpn, ctxTag(crlDPDistributionPointTag, true)) {
				return nil, fmt.Errorf("%w: DistributionPointName", ErrMalformed)
			}
			if !dpn.PeekASN1Tag(ctxTag(dpNameFullName, true)) {
				continue
			}
			if !dpn.ReadASN1(&full, ctxTag(dpNameFullName, true)) {
				return nil, fmt.Errorf("%w: fullName", ErrMalformed)
			}
			names, err := directoryNames(full)
			if err != nil {
				return nil, err
			}
			out = append(out, names...)
		}
	}
	return out, nil
}

// sigAlgorithm is a signature algorithm the streaming verifier supports:
// the hash must be known before the signed bytes, which rules out Ed25519.
type sigAlgorithm struct {
	hash  crypto.Hash
	ecdsa bool
}

// Signature algorithm OIDs as DER content (RFC 4055, RFC 5758).
var sigAlgorithms = []struct {
	oid  []byte
	alg  sigAlgorithm
	null bool // parameters must be NULL or absent
}{
	{[]byte{0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B}, sigAlgorithm{hash: crypto.SHA256}, true},
	{[]byte{0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0C}, sigAlgorithm{hash: crypto.SHA384}, true},
	{[]byte{0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0D}, sigAlgorithm{hash: crypto.SHA512}, true},
	{[]byte{0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02}, sigAlgorithm{hash: crypto.SHA256, ecdsa: true}, false},
	{[]byte{0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03}, sigAlgorithm{hash: crypto.SHA384, ecdsa: true}, false},
	{[]byte{0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x04}, sigAlgorithm{hash: crypto.SHA512, ecdsa: true}, false},
}

func parseSigAlgorithm(der []byte) (sigAlgorithm, error) {
	in := cryptobyte.String(der)
	var ai, oid cryptobyte.String
	if !in.ReadASN1(&ai, cbasn1.SEQUENCE) || !in.Empty() || !ai.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) {
		return sigAlgorithm{}, fmt.Errorf("%w: AlgorithmIdentifier", ErrMalformed)
	}
	for _, a := range sigAlgorithms {
		if !bytes.Equal(oid, a.oid) {
			continue
		}
		if a.null && ai.PeekASN1Tag(cbasn1.NULL) {
			var null cryptobyte.String
			ai.ReadASN1(&null, cbasn1.NULL)
		}
		if !ai.Empty() {
			return sigAlgorithm{}, fmt.Errorf("%w: signature algorithm parameters", ErrMalformed)
		}
		return a.alg, nil
	}
	return sigAlgorithm{}, fmt.Errorf("%w: signature algorithm (SHA-256/384/512 with RSA PKCS #1 v1.5 or ECDSA only)", ErrUnsupported)
}

// verify finds the trusted issuer whose subject is the CRL's issuer and
// whose key verifies the signature. Issuers whose subjectKeyId matches the
// CRL's authorityKeyIdentifier are tried first; a CA certificate whose
// keyUsage omits cRLSign is never used.
func (c *CRL) verify(issuers []*x509.Certificate) error {
	var named []*x509.Certificate
	for _, is := range issuers {
		if is != nil && bytes.Equal(is.RawSubject, c.RawIssuer) {
			if len(c.AuthorityKeyID) > 0 && bytes.Equal(is.SubjectKeyId, c.AuthorityKeyID) {
				named = append([]*x509.Certificate{is}, named...)
			} else {
				named = append(named, is)
			}
		}
	}
	if len(named) == 0 {
		return fmt.Errorf("%w: no trusted issuer named like the CRL's issuer", ErrUnknownIssuer)
	}
	for _, is := range named {
		if is.KeyUsage != 0 && is.KeyUsage&x509.KeyUsageCRLSign == 0 {
			continue
		}
		if c.sigAlg.verify(is.PublicKey, c.tbsDigest, c.signature) {
			c.Issuer = is
			return nil
		}
	}
	return fmt.Errorf("%w: no trusted issuer's key verifies the CRL", ErrBadSignature)
}

func (a sigAlgorithm) verify(pub any, digest, sig []byte) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return !a.ecdsa && rsa.VerifyPKCS1v15(k, a.hash, digest, sig) == nil
	case *ecdsa.PublicKey:
		return a.ecdsa && ecdsa.VerifyASN1(k, digest, sig)
	}
	return false
}
