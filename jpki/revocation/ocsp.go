package revocation

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	_ "crypto/sha1" // CertID hash (RFC 6960 §4.1.1, RFC 5019 §2.1.1)
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"
)

// OCSP constants (RFC 6960, RFC 8954).
const (
	// ocspRequestType and ocspResponseType are the HTTP media types of
	// RFC 6960 Appendix A.
	ocspRequestType  = "application/ocsp-request"
	ocspResponseType = "application/ocsp-response"
	// NonceBytes is the length of the request nonce; RFC 8954 §2.1 allows
	// 1 to 32 octets and recommends 32.
	NonceBytes = 32
	// certIDHash hashes the issuer name and key in CertID. SHA-1 is what
	// RFC 5019 profiles and every responder understands; it is an
	// identifier here, not a signature.
	certIDHash = crypto.SHA1
	// DefaultOCSPMaxBytes bounds a response body.
	DefaultOCSPMaxBytes = 1 << 20
	// DefaultOCSPMaxAge is how long a response without nextUpdate is
	// accepted after its thisUpdate (RFC 6960 §4.2.2.1 leaves it to local
	// policy; no source states it).
	DefaultOCSPMaxAge = 24 * time.Hour
	// DefaultOCSPCacheEntries bounds the response cache.
	DefaultOCSPCacheEntries = 100_000
)

// Object identifiers as DER content.
var (
	oidOCSPNonce = []byte{0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02} // 1.3.6.1.5.5.7.48.1.2
	oidSHA1      = []byte{0x2B, 0x0E, 0x03, 0x02, 0x1A}                         // 1.3.14.3.2.26
)

// OCSPConfig configures an OCSPClient.
type OCSPConfig struct {
	// URL is the responder (from configuration: JPKI gives it to
	// registered verifiers only).
	URL string
	// Issuers are the trusted issuers (pinned roots). A response must be
	// signed by the certificate's issuer or by a responder certificate
	// that issuer signed with the id-kp-OCSPSigning extended key usage.
	Issuers []*x509.Certificate
	// HTTPClient sends requests; nil uses a client with Timeout.
	HTTPClient *http.Client
	// Timeout bounds one exchange (0: DefaultFetchTimeout).
	Timeout time.Duration
	// MaxResponseBytes bounds a response (0: DefaultOCSPMaxBytes).
	MaxResponseBytes int64
	// NoNonce leaves the nonce out of requests (for responders that
	// reject it). By default a nonce is sent, and checked if echoed.
	NoNonce bool
	// RequireNonce rejects responses that do not echo the nonce.
	RequireNonce bool
	// MaxAge applies to responses without nextUpdate (0: DefaultOCSPMaxAge).
	MaxAge time.Duration
	// NoCache disables the response cache.
	NoCache bool
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// OCSPClient asks an OCSP responder for certificate status and caches
// verified good and revoked answers until their nextUpdate. It is safe for
// concurrent use.
type OCSPClient struct {
	cfg   OCSPConfig
	mu    sync.Mutex
	cache map[string]Result
}

// NewOCSPClient checks cfg and returns a client.
func NewOCSPClient(cfg OCSPConfig) (*OCSPClient, error) {
	if cfg.URL == "" || !(strings.HasPrefix(cfg.URL, "http://") || strings.HasPrefix(cfg.URL, "https://")) {
		return nil, fmt.Errorf("configuring OCSP: %w: responder URL %q", ErrNoSource, cfg.URL)
	}
	if len(cfg.Issuers) == 0 {
		return nil, fmt.Errorf("configuring OCSP: %w: no trusted issuers", ErrUnknownIssuer)
	}
	cfg.Issuers = append([]*x509.Certificate(nil), cfg.Issuers...)
	return &OCSPClient{cfg: cfg, cache: make(map[string]Result)}, nil
}

func (c *OCSPClient) now() time.Time {
	if c.cfg.Now != nil {
		return c.cfg.Now()
	}
	return time.Now()
}

// source names the responder in results.
func (c *OCSPClient) source() string { return "ocsp " + c.cfg.URL }

// Check implements Checker: it asks the responder about cert (or
// answers from the cache). Any failure — unknown issuer, unreachable
// responder, HTTP or OCSP error status, bad signature or unauthorised
// responder, nonce mismatch, stale or future response, a response about
// another certificate — is StatusUnknown with the reason in Result.Err.
func (c *OCSPClient) Check(ctx context.Context, cert *x509.Certificate) Result {
	if cert == nil {
		return unknown(c.source(), fmt.Errorf("%w: no certificate", ErrMalformed))
	}
	issuer := findIssuer(c.cfg.Issuers, cert)
	if issuer == nil {
		return unknown(c.source(), fmt.Errorf("%w: no trusted issuer's key signed the certificate", ErrUnknownIssuer))
	}
	key := hex.EncodeToString(issuer.SubjectKeyId) + "/" + hex.EncodeToString(integerBytes(cert.SerialNumber)) + "/" + hex.EncodeToString(sha1Sum(issuer.Raw))
	now := c.now()
	if r, ok := c.cached(key, now); ok {
		return r
	}
	r := c.query(ctx, cert, issuer, now)
	if (r.Status == StatusGood || r.Status == StatusRevoked) && !r.NextUpdate.IsZero() && !c.cfg.NoCache {
		c.store(key, r)
	}
	return r
}

func sha1Sum(b []byte) []byte {
	h := certIDHash.New()
	h.Write(b)
	return h.Sum(nil)
}

func (c *OCSPClient) cached(key string, now time.Time) (Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.cache[key]
	if !ok {
		return Result{}, false
	}
	if checkFresh(c.source, now, r.ThisUpdate, r.NextUpdate) != nil {
		delete(c.cache, key)
		return Result{}, false
	}
	return r, true
}

func (c *OCSPClient) store(key string, r Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cache) >= DefaultOCSPCacheEntries {
		now := c.now()
		for k, v := range c.cache {
			if checkFresh(named(""), now, v.ThisUpdate, v.NextUpdate) != nil {
				delete(c.cache, k)
			}
		}
		for k := range c.cache { // still full: drop arbitrary entries
			if len(c.cache) < DefaultOCSPCacheEntries {
				break
			}
			delete(c.cache, k)
		}
	}
	c.cache[key] = r
}

// findIssuer returns the trusted issuer named as cert's issuer whose key
// verifies cert's signature.
func findIssuer(issuers []*x509.Certificate, cert *x509.Certificate) *x509.Certificate {
	for _, is := range issuers {
		if is != nil && bytes.Equal(is.RawSubject, cert.RawIssuer) && cert.CheckSignatureFrom(is) == nil {
			return is
		}
	}
	return nil
}

func (c *OCSPClient) query(ctx context.Context, cert, issuer *x509.Certificate, now time.Time) Result {
	var nonce []byte
	if !c.cfg.NoNonce {
		nonce = make([]byte, NonceBytes)
		if _, err := rand.Read(nonce); err != nil {
			return unknown(c.source(), fmt.Errorf("making OCSP nonce: %w", err))
		}
	}
	req, err := BuildOCSPRequest(cert, issuer, nonce)
	if err != nil {
		return unknown(c.source(), err)
	}
	body, err := c.post(ctx, req)
	if err != nil {
		return unknown(c.source(), err)
	}
	r, err := VerifyOCSPResponse(body, cert, issuer, OCSPVerifyOptions{
		Nonce: nonce, RequireNonce: c.cfg.RequireNonce, At: now, MaxAge: c.cfg.MaxAge,
	})
	r.Source = c.source()
	if err != nil {
		return unknown(c.source(), err)
	}
	return r
}

func (c *OCSPClient) post(ctx context.Context, req []byte) ([]byte, error) {
	timeout := c.cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL, bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("building OCSP request: %w", err)
	}
	hreq.Header.Set("Content-Type", ocspRequestType)
	hreq.Header.Set("Accept", ocspResponseType)
	client := c.cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("querying OCSP responder: %w: %w", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("querying OCSP responder: %w: HTTP %s", ErrResponder, resp.Status)
	}
	limit := c.cfg.MaxResponseBytes
	if limit <= 0 {
		limit = DefaultOCSPMaxBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading OCSP response: %w: %w", ErrUnreachable, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("reading OCSP response: %w: more than %d bytes", ErrTooLarge, limit)
	}
	return body, nil
}

// BuildOCSPRequest returns a DER OCSPRequest (RFC 6960 §4.1.1) for cert
// issued by issuer, with a SHA-1 CertID and, when nonce is not empty, the
// id-pkix-ocsp-nonce request extension (RFC 8954) whose extnValue is the
// DER OCTET STRING of nonce. x/crypto/ocsp.CreateRequest cannot add
// extensions, so the request is built here.
func BuildOCSPRequest(cert, issuer *x509.Certificate, nonce []byte) ([]byte, error) {
	nameHash, keyHash, err := certIDHashes(issuer)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // OCSPRequest
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // TBSRequest
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // requestList
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // Request
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // CertID
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes(oidSHA1) })
							b.AddASN1NULL()
						})
						b.AddASN1OctetString(nameHash)
						b.AddASN1OctetString(keyHash)
						b.AddASN1BigInt(cert.SerialNumber)
					})
				})
			})
			if len(nonce) > 0 {
				b.AddASN1(ctxTag(ocspRequestExtensions, true), func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes(oidOCSPNonce) })
							b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) { b.AddASN1OctetString(nonce) })
						})
					})
				})
			}
		})
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("building OCSP request: %w", err)
	}
	return der, nil
}

// Context tags of OCSP structures (RFC 6960 §4.1.1, §4.2.1).
const (
	ocspRequestExtensions  = 2 // TBSRequest requestExtensions [2] EXPLICIT
	ocspResponseVersion    = 0 // ResponseData version [0] EXPLICIT
	ocspResponseExtensions = 1 // ResponseData responseExtensions [1] EXPLICIT
)

// certIDHashes returns the SHA-1 of issuer's subject DER and of its
// subjectPublicKey BIT STRING value (RFC 6960 §4.1.1).
func certIDHashes(issuer *x509.Certificate) (nameHash, keyHash []byte, err error) {
	in := cryptobyte.String(issuer.RawSubjectPublicKeyInfo)
	var spki, alg cryptobyte.String
	var key asn1.BitString
	if !in.ReadASN1(&spki, cbasn1.SEQUENCE) || !spki.ReadASN1(&alg, cbasn1.SEQUENCE) || !spki.ReadASN1BitString(&key) {
		return nil, nil, fmt.Errorf("building OCSP request: %w: issuer public key", ErrMalformed)
	}
	return sha1Sum(issuer.RawSubject), sha1Sum(key.RightAlign()), nil
}

// OCSPVerifyOptions are the checks VerifyOCSPResponse applies beyond the
// signature.
type OCSPVerifyOptions struct {
	// Nonce is the nonce sent (empty: none sent).
	Nonce []byte
	// RequireNonce fails a response that does not echo Nonce.
	RequireNonce bool
	// At is the time of the freshness checks.
	At time.Time
	// MaxAge applies when the response has no nextUpdate (0:
	// DefaultOCSPMaxAge).
	MaxAge time.Duration
}

// VerifyOCSPResponse parses a DER OCSPResponse about cert from issuer and
// checks it: successful responseStatus; signature by issuer, or by an
// embedded responder certificate signed by issuer, valid at opts.At and
// carrying id-kp-OCSPSigning (RFC 6960 §4.2.2.2); a CertID naming issuer
// and cert's serial; the echoed nonce; thisUpdate/nextUpdate freshness
// with ClockSkew. It returns the verdict (a responder "unknown" is an
// error matching ErrResponderUnknown). It never panics on any input.
func VerifyOCSPResponse(der []byte, cert, issuer *x509.Certificate, opts OCSPVerifyOptions) (Result, error) {
	resp, err := ocsp.ParseResponseForCert(der, cert, issuer)
	if err != nil {
		var re ocsp.ResponseError
		switch {
		case errors.As(err, &re):
			return Result{}, fmt.Errorf("checking OCSP response: %w: %s", ErrResponder, re.Status)
		case strings.Contains(err.Error(), "signature"):
			return Result{}, fmt.Errorf("checking OCSP response: %w: %w", ErrBadSignature, err)
		}
		return Result{}, fmt.Errorf("checking OCSP response: %w: %w", ErrMalformed, err)
	}
	if resp.Certificate != nil && !resp.Certificate.Equal(issuer) {
		if err := checkDelegate(resp.Certificate, opts.At); err != nil {
			return Result{}, err
		}
	}
	ids, echoed, err := parseResponseData(resp.TBSResponseData)
	if err != nil {
		return Result{}, fmt.Errorf("checking OCSP response: %w", err)
	}
	nameHash, keyHash, err := certIDHashes(issuer)
	if err != nil {
		return Result{}, err
	}
	serial := integerBytes(cert.SerialNumber)
	found := false
	for _, id := range ids {
		if bytes.Equal(id.serial, serial) {
			if !id.sha1 || !bytes.Equal(id.nameHash, nameHash) || !bytes.Equal(id.keyHash, keyHash) {
				if id.sha1 {
					return Result{}, fmt.Errorf("checking OCSP response: %w: CertID names another issuer", ErrMalformed)
				}
				continue // another hash algorithm: trust the signature check
			}
			found = true
		}
	}
	if !found && !anyNonSHA1(ids) {
		return Result{}, fmt.Errorf("checking OCSP response: %w: no response for the certificate", ErrMalformed)
	}
	if len(opts.Nonce) > 0 {
		want := append([]byte{0x04, byte(len(opts.Nonce))}, opts.Nonce...)
		switch {
		case echoed == nil && opts.RequireNonce:
			return Result{}, fmt.Errorf("checking OCSP response: %w: nonce not echoed", ErrNonceMismatch)
		case echoed != nil && !bytes.Equal(echoed, want):
			return Result{}, fmt.Errorf("checking OCSP response: %w", ErrNonceMismatch)
		}
	}
	maxAge := opts.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultOCSPMaxAge
	}
	next := resp.NextUpdate
	if next.IsZero() && opts.At.After(resp.ThisUpdate.Add(maxAge+ClockSkew)) {
		return Result{}, &StaleError{Source: "OCSP response", At: opts.At, ThisUpdate: resp.ThisUpdate}
	}
	if err := checkFresh(named("OCSP response"), opts.At, resp.ThisUpdate, next); err != nil {
		return Result{}, err
	}
	r := Result{Reason: ReasonNone, ThisUpdate: resp.ThisUpdate, NextUpdate: resp.NextUpdate}
	switch resp.Status {
	case ocsp.Good:
		r.Status = StatusGood
	case ocsp.Revoked:
		r.Status, r.RevokedAt, r.Reason = StatusRevoked, resp.RevokedAt, Reason(resp.RevocationReason)
	default:
		return r, fmt.Errorf("checking OCSP response: %w", ErrResponderUnknown)
	}
	return r, nil
}

func anyNonSHA1(ids []responseCertID) bool {
	for _, id := range ids {
		if !id.sha1 {
			return true
		}
	}
	return false
}

// checkDelegate checks a delegated responder certificate (already known
// to be signed by the issuer): id-kp-OCSPSigning and validity at t.
func checkDelegate(rc *x509.Certificate, t time.Time) error {
	hasEKU := false
	for _, u := range rc.ExtKeyUsage {
		if u == x509.ExtKeyUsageOCSPSigning {
			hasEKU = true
		}
	}
	if !hasEKU {
		return fmt.Errorf("checking OCSP response: %w: responder certificate lacks id-kp-OCSPSigning", ErrBadSignature)
	}
	if t.Add(ClockSkew).Before(rc.NotBefore) || t.Add(-ClockSkew).After(rc.NotAfter) {
		return fmt.Errorf("checking OCSP response: %w: responder certificate not valid at %s", ErrBadSignature, t.UTC().Format(time.RFC3339))
	}
	return nil
}

// responseCertID is a CertID of a SingleResponse.
type responseCertID struct {
	sha1              bool
	nameHash, keyHash []byte
	serial            []byte
}

// parseResponseData reads the CertIDs and the echoed nonce extnValue (nil
// when absent) from a DER ResponseData (RFC 6960 §4.2.1), which
// x/crypto/ocsp does not expose.
func parseResponseData(tbs []byte) ([]responseCertID, []byte, error) {
	in := cryptobyte.String(tbs)
	var rd, responses cryptobyte.String
	if !in.ReadASN1(&rd, cbasn1.SEQUENCE) {
		return nil, nil, fmt.Errorf("%w: ResponseData", ErrMalformed)
	}
	if !rd.SkipOptionalASN1(ctxTag(ocspResponseVersion, true)) {
		return nil, nil, fmt.Errorf("%w: ResponseData version", ErrMalformed)
	}
	var responderID cryptobyte.String
	var tag cbasn1.Tag
	var produced cryptobyte.String
	if !rd.ReadAnyASN1(&responderID, &tag) || !rd.ReadASN1(&produced, cbasn1.GeneralizedTime) ||
		!rd.ReadASN1(&responses, cbasn1.SEQUENCE) {
		return nil, nil, fmt.Errorf("%w: ResponseData", ErrMalformed)
	}
	var ids []responseCertID
	for !responses.Empty() {
		var single, certID, alg, oid, nameHash, keyHash, serial cryptobyte.String
		if !responses.ReadASN1(&single, cbasn1.SEQUENCE) || !single.ReadASN1(&certID, cbasn1.SEQUENCE) ||
			!certID.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) ||
			!certID.ReadASN1(&nameHash, cbasn1.OCTET_STRING) || !certID.ReadASN1(&keyHash, cbasn1.OCTET_STRING) ||
			!certID.ReadASN1(&serial, cbasn1.INTEGER) {
			return nil, nil, fmt.Errorf("%w: SingleResponse", ErrMalformed)
		}
		ids = append(ids, responseCertID{sha1: bytes.Equal(oid, oidSHA1), nameHash: nameHash, keyHash: keyHash, serial: serial})
	}
	var nonce []byte
	if rd.PeekASN1Tag(ctxTag(ocspResponseExtensions, true)) {
		var wrap, exts cryptobyte.String
		if !rd.ReadASN1(&wrap, ctxTag(ocspResponseExtensions, true)) || !wrap.ReadASN1(&exts, cbasn1.SEQUENCE) {
			return nil, nil, fmt.Errorf("%w: responseExtensions", ErrMalformed)
		}
		for !exts.Empty() {
			oid, critical, value, ok := readExtension(&exts)
			if !ok {
				return nil, nil, fmt.Errorf("%w: response extension", ErrMalformed)
			}
			switch {
			case bytes.Equal(oid, oidOCSPNonce):
				nonce = append([]byte{}, value...)
			case critical:
				return nil, nil, fmt.Errorf("%w: unknown critical response extension", ErrUnsupported)
			}
		}
	}
	return ids, nonce, nil
}
