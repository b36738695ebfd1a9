package jpkitest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"
)

// OCSPFault selects a misbehaviour of an OCSPResponder.
type OCSPFault int

const (
	// OCSPFaultNone answers correctly.
	OCSPFaultNone OCSPFault = iota
	// OCSPFaultHTTP500 answers HTTP 500.
	OCSPFaultHTTP500
	// OCSPFaultGarbage answers 200 with bytes that are not DER.
	OCSPFaultGarbage
	// OCSPFaultWrongSigner signs with a key that is neither the issuer's
	// nor an authorised responder's, under the issuer's name.
	OCSPFaultWrongSigner
	// OCSPFaultStale answers with thisUpdate three days and nextUpdate two
	// days before the responder's clock.
	OCSPFaultStale
	// OCSPFaultWrongNonce echoes a nonce other than the request's.
	OCSPFaultWrongNonce
	// OCSPFaultTryLater answers the OCSP responseStatus tryLater.
	OCSPFaultTryLater
	// OCSPFaultHang waits for the client to give up (its context or
	// timeout), at most five seconds, before answering nothing.
	OCSPFaultHang
)

// OCSPStatus is what the responder says about one serial.
type OCSPStatus struct {
	// Status is ocsp.Good, ocsp.Revoked or ocsp.Unknown.
	Status int
	// RevokedAt and Reason (a CRLReason) apply to ocsp.Revoked.
	RevokedAt time.Time
	Reason    int
}

// DefaultOCSPValidity is the thisUpdate-to-nextUpdate span of responses.
const DefaultOCSPValidity = 4 * time.Hour

// hangLimit bounds how long OCSPFaultHang holds a request.
const hangLimit = 5 * time.Second

// maxOCSPRequestBytes bounds a request body.
const maxOCSPRequestBytes = 64 << 10

// OCSPResponder is an RFC 6960 responder for one issuer, as an
// http.Handler for httptest.NewServer. Responses are made with
// ocsp.CreateResponse; when the request carries a nonce it is echoed in
// responseExtensions (which CreateResponse cannot write, so the signed
// response is re-assembled and re-signed). Configure it with the Set
// methods, which are safe to call while it serves.
type OCSPResponder struct {
	issuer *x509.Certificate
	key    crypto.Signer

	mu          sync.Mutex
	statuses    map[string]OCSPStatus
	def         OCSPStatus
	delegate    *x509.Certificate
	delegateKey crypto.Signer
	fault       OCSPFault
	noEcho      bool
	clock       func() time.Time
	requests    int
}

// NewOCSPResponder returns a responder for certificates of issuer, signing
// with key (the issuer's). Unlisted serials are answered unknown; the
// clock is ReferenceTime.
func NewOCSPResponder(issuer *x509.Certificate, key crypto.Signer) *OCSPResponder {
	return &OCSPResponder{issuer: issuer, key: key, statuses: map[string]OCSPStatus{},
		def: OCSPStatus{Status: ocsp.Unknown}, clock: ReferenceTime}
}

// SetStatus sets the answer for serial.
func (r *OCSPResponder) SetStatus(serial *big.Int, s OCSPStatus) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.statuses[serial.String()] = s
}

// SetDefault sets the answer for serials without SetStatus.
func (r *OCSPResponder) SetDefault(s OCSPStatus) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.def = s
}

// SetDelegate makes the responder sign with a delegated responder
// certificate and key (embedded in responses); nil goes back to the
// issuer's key.
func (r *OCSPResponder) SetDelegate(cert *x509.Certificate, key crypto.Signer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delegate, r.delegateKey = cert, key
}

// SetFault selects a misbehaviour.
func (r *OCSPResponder) SetFault(f OCSPFault) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fault = f
}

// SetEchoNonce chooses whether request nonces are echoed (default true).
func (r *OCSPResponder) SetEchoNonce(echo bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.noEcho = !echo
}

// SetClock sets the responder's clock (default ReferenceTime).
func (r *OCSPResponder) SetClock(now func() time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clock = now
}

// Requests returns the number of requests served.
func (r *OCSPResponder) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// ServeHTTP answers a POSTed DER OCSPRequest.
func (r *OCSPResponder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.requests++
	fault, def, delegate, delegateKey, noEcho, now := r.fault, r.def, r.delegate, r.delegateKey, r.noEcho, r.clock()
	r.mu.Unlock()
	switch fault {
	case OCSPFaultHTTP500:
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	case OCSPFaultGarbage:
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write([]byte("this is not an OCSP response"))
		return
	case OCSPFaultTryLater:
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(ocsp.TryLaterErrorResponse)
		return
	case OCSPFaultHang:
		// Read the request so the server notices the client leaving, then
		// wait for it (or for hangLimit, so a test never blocks forever).
		io.Copy(io.Discard, io.LimitReader(req.Body, maxOCSPRequestBytes))
		select {
		case <-req.Context().Done():
		case <-time.After(hangLimit):
		}
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxOCSPRequestBytes))
	if err != nil || req.Method != http.MethodPost {
		w.Write(ocsp.MalformedRequestErrorResponse)
		return
	}
	oreq, err := ocsp.ParseRequest(body)
	if err != nil {
		w.Write(ocsp.MalformedRequestErrorResponse)
		return
	}
	der, err := r.respond(oreq, requestNonce(body), fault, def, delegate, delegateKey, noEcho, now)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(der)
}

func (r *OCSPResponder) respond(oreq *ocsp.Request, nonce []byte, fault OCSPFault, def OCSPStatus,
	delegate *x509.Certificate, delegateKey crypto.Signer, noEcho bool, now time.Time) ([]byte, error) {
	r.mu.Lock()
	st, ok := r.statuses[oreq.SerialNumber.String()]
	r.mu.Unlock()
	if !ok {
		st = def
	}
	tmpl := ocsp.Response{
		Status:           st.Status,
		SerialNumber:     oreq.SerialNumber,
		ThisUpdate:       now.Add(-time.Minute).Truncate(time.Second),
		NextUpdate:       now.Add(DefaultOCSPValidity).Truncate(time.Second),
		RevokedAt:        st.RevokedAt,
		RevocationReason: st.Reason,
		IssuerHash:       oreq.HashAlgorithm,
	}
	if fault == OCSPFaultStale {
		tmpl.ThisUpdate, tmpl.NextUpdate = now.Add(-72*time.Hour), now.Add(-48*time.Hour)
	}
	responder, signer := r.issuer, r.key
	if delegate != nil {
		responder, signer = delegate, delegateKey
		tmpl.Certificate = delegate
	}
	if fault == OCSPFaultWrongSigner {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		responder, signer, tmpl.Certificate = r.issuer, k, nil
	}
	der, err := ocsp.CreateResponse(r.issuer, responder, tmpl, signer)
	if err != nil {
		return nil, fmt.Errorf("creating OCSP response: %w", err)
	}
	if nonce == nil || noEcho {
		return der, nil
	}
	if fault == OCSPFaultWrongNonce {
		nonce = append([]byte(nil), nonce...)
		nonce[len(nonce)-1] ^= 0x01
	}
	return addResponseExtension(der, oidOCSPNonce, nonce, signer)
}

// oidOCSPNonce is id-pkix-ocsp-nonce (RFC 8954).
var oidOCSPNonce = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}

// Context tags of OCSP (RFC 6960 §4.1.1, §4.2.1).
const (
	ocspRequestExtensionsTag  = 2
	ocspResponseBytesTag      = 0
	ocspResponseExtensionsTag = 1
	ocspCertsTag              = 0
)

// requestNonce returns the extnValue of the request's nonce extension, or
// nil.
func requestNonce(der []byte) []byte {
	in := cryptobyte.String(der)
	var req, tbs cryptobyte.String
	if !in.ReadASN1(&req, cbasn1.SEQUENCE) || !req.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil
	}
	ctx := cbasn1.Tag(ocspRequestExtensionsTag).ContextSpecific().Constructed()
	for !tbs.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !tbs.ReadAnyASN1(&el, &tag) {
			return nil
		}
		if tag != ctx {
			continue
		}
		var exts cryptobyte.String
		if !el.ReadASN1(&exts, cbasn1.SEQUENCE) {
			return nil
		}
		for !exts.Empty() {
			var ext cryptobyte.String
			var oid asn1.ObjectIdentifier
			var value []byte
			if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&oid) {
				return nil
			}
			ext.SkipOptionalASN1(cbasn1.BOOLEAN)
			if !ext.ReadASN1Bytes(&value, cbasn1.OCTET_STRING) {
				return nil
			}
			if oid.Equal(oidOCSPNonce) {
				return value
			}
		}
	}
	return nil
}

// addResponseExtension re-assembles a signed OCSPResponse with one more
// responseExtensions entry and signs its ResponseData again with signer
// with the hash CreateResponse picks for its key (SHA-256 for RSA and
// P-256, SHA-384 for P-384), so the signatureAlgorithm it wrote stays true.
func addResponseExtension(der []byte, oid asn1.ObjectIdentifier, value []byte, signer crypto.Signer) ([]byte, error) {
	in := cryptobyte.String(der)
	var resp, rb, rbSeq, typ, basicOctets cryptobyte.String
	var status int
	if !in.ReadASN1(&resp, cbasn1.SEQUENCE) || !resp.ReadASN1Enum(&status) ||
		!resp.ReadASN1(&rb, cbasn1.Tag(ocspResponseBytesTag).ContextSpecific().Constructed()) ||
		!rb.ReadASN1(&rbSeq, cbasn1.SEQUENCE) || !rbSeq.ReadASN1Element(&typ, cbasn1.OBJECT_IDENTIFIER) ||
		!rbSeq.ReadASN1(&basicOctets, cbasn1.OCTET_STRING) {
		return nil, fmt.Errorf("re-assembling OCSP response: bad OCSPResponse")
	}
	var basic, tbsContent, sigAlg, sig, rest cryptobyte.String
	if !basicOctets.ReadASN1(&basic, cbasn1.SEQUENCE) || !basic.ReadASN1(&tbsContent, cbasn1.SEQUENCE) ||
		!basic.ReadASN1Element(&sigAlg, cbasn1.SEQUENCE) || !basic.ReadASN1Element(&sig, cbasn1.BIT_STRING) {
		return nil, fmt.Errorf("re-assembling OCSP response: bad BasicOCSPResponse")
	}
	rest = basic // optional certs
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbsContent)
		b.AddASN1(cbasn1.Tag(ocspResponseExtensionsTag).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oid)
					b.AddASN1OctetString(value)
				})
			})
		})
	})
	tbs, err := tb.Bytes()
	if err != nil {
		return nil, fmt.Errorf("re-assembling OCSP response: %w", err)
	}
	alg, err := sigAlgFor(signer.Public())
	if err != nil {
		return nil, fmt.Errorf("re-signing OCSP response: %w", err)
	}
	hh := alg.hash.New()
	hh.Write(tbs)
	signature, err := signer.Sign(rand.Reader, hh.Sum(nil), alg.hash)
	if err != nil {
		return nil, fmt.Errorf("re-signing OCSP response: %w", err)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(int64(status))
		b.AddASN1(cbasn1.Tag(ocspResponseBytesTag).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(typ)
				b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddBytes(tbs)
						b.AddBytes(sigAlg)
						b.AddASN1BitString(signature)
						b.AddBytes(rest)
					})
				})
			})
		})
	})
	return b.Bytes()
}

// NewOCSPDelegate issues a delegated OCSP responder certificate (RFC 6960
// §4.2.2.2) from issuer and key for a fresh P-256 key, valid a year around
// ReferenceTime. withEKU false leaves out id-kp-OCSPSigning, making a
// certificate a client must refuse as a responder.
func NewOCSPDelegate(issuer *x509.Certificate, key crypto.Signer, withEKU bool) (*x509.Certificate, crypto.Signer, error) {
	dk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("making OCSP delegate key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{Country: []string{CountryJP}, Organization: []string{OrganizationTest}, CommonName: "OCSP responder"},
		NotBefore:    ReferenceTime().Add(-180 * 24 * time.Hour),
		NotAfter:     ReferenceTime().Add(180 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if withEKU {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, &dk.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("issuing OCSP delegate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parsing OCSP delegate: %w", err)
	}
	return cert, dk, nil
}
