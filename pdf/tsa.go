package pdf

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// TSA is an RFC 3161 time-stamping authority reached over HTTP (RFC 3161
// §3.4). RFC 3161 is written here by hand: the timestamp module served
// here needs a newer Go than this project's.
type TSA struct {
	// URL is the authority's HTTP(S) endpoint.
	URL string
	// Client is the HTTP client; nil means one with a 30 s timeout.
	Client *http.Client
	// Roots, when set, must verify the authority's certificate (with the
	// timeStamping extended key usage) before a token is embedded.
	Roots *x509.CertPool
}

// ErrTSA reports a time-stamping authority that did not give a usable
// token: unreachable, refused, or a token that does not verify.
var ErrTSA = errors.New("pdf: time-stamping authority failed")

// maxTSAResponse bounds the response read from an authority.
const maxTSAResponse = 1 << 20

// Timestamp is a verified RFC 3161 timestamp token.
type Timestamp struct {
	// Time is the token's genTime.
	Time time.Time
	// TSA is the authority's certificate.
	TSA *x509.Certificate
	// Hash is the message imprint's digest.
	Hash crypto.Hash
	// Trusted is true when the authority's certificate verified against
	// the roots given.
	Trusted bool
}

// stamp asks the authority for a token over data (the signature value)
// and returns the token (a DER ContentInfo) after checking it.
func (t *TSA) stamp(ctx context.Context, data []byte, h crypto.Hash) ([]byte, error) {
	d := h.New()
	d.Write(data)
	imprint := d.Sum(nil)
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, err
	}
	req := derOf(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(1)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				algorithmID(digestOIDs[h], false)(b)
				b.AddASN1OctetString(imprint)
			})
			b.AddASN1BigInt(nonce)
			b.AddASN1Boolean(true) // certReq: the token carries the TSA's certificate
		})
	})
	client := t.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTSA, err)
	}
	hreq.Header.Set("Content-Type", "application/timestamp-query")
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTSA, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTSAResponse+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTSA, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: HTTP %s", ErrTSA, resp.Status)
	}
	if len(body) > maxTSAResponse {
		return nil, fmt.Errorf("%w: response larger than %d bytes", ErrTSA, maxTSAResponse)
	}
	tok, err := parseTSAResponse(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTSA, err)
	}
	info, err := verifyTimestampToken(tok, data, t.Roots)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTSA, err)
	}
	if info.nonce == nil || info.nonce.Cmp(nonce) != 0 {
		return nil, fmt.Errorf("%w: nonce not echoed", ErrTSA)
	}
	return tok, nil
}

// parseTSAResponse returns the token of a granted TimeStampResp (RFC 3161
// §2.4.2).
func parseTSAResponse(der []byte) ([]byte, error) {
	in := cryptobyte.String(der)
	var resp, status cryptobyte.String
	var code int64
	if !in.ReadASN1(&resp, cbasn1.SEQUENCE) || !resp.ReadASN1(&status, cbasn1.SEQUENCE) || !status.ReadASN1Integer(&code) {
		return nil, errors.New("malformed TimeStampResp")
	}
	if code != 0 && code != 1 { // granted, grantedWithMods
		return nil, fmt.Errorf("request refused (PKIStatus %d)", code)
	}
	var tok cryptobyte.String
	if !resp.ReadASN1Element(&tok, cbasn1.SEQUENCE) {
		return nil, errors.New("no timeStampToken")
	}
	return append([]byte(nil), tok...), nil
}

// tstInfo is the part of a TSTInfo (RFC 3161 §2.4.2) that is checked.
type tstInfo struct {
	hash    crypto.Hash
	imprint []byte
	genTime time.Time
	nonce   *big.Int
}

func parseTSTInfo(der []byte) (*tstInfo, error) {
	in := cryptobyte.String(der)
	var s, mi, alg cryptobyte.String
	var version int64
	var policy, hoid asn1.ObjectIdentifier
	out := &tstInfo{}
	serial := new(big.Int)
	if !in.ReadASN1(&s, cbasn1.SEQUENCE) || !in.Empty() || !s.ReadASN1Integer(&version) || version != 1 ||
		!s.ReadASN1ObjectIdentifier(&policy) || !s.ReadASN1(&mi, cbasn1.SEQUENCE) ||
		!mi.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&hoid) ||
		!mi.ReadASN1Bytes(&out.imprint, cbasn1.OCTET_STRING) || !s.ReadASN1Integer(serial) ||
		!s.ReadASN1GeneralizedTime(&out.genTime) {
		return nil, errors.New("malformed TSTInfo")
	}
	if out.hash = hashOfOID(hoid); out.hash == 0 {
		return nil, fmt.Errorf("message imprint digest %v not accepted", hoid)
	}
	if s.PeekASN1Tag(cbasn1.SEQUENCE) { // accuracy
		s.SkipASN1(cbasn1.SEQUENCE)
	}
	if s.PeekASN1Tag(cbasn1.BOOLEAN) { // ordering
		s.SkipASN1(cbasn1.BOOLEAN)
	}
	if s.PeekASN1Tag(cbasn1.INTEGER) {
		out.nonce = new(big.Int)
		if !s.ReadASN1Integer(out.nonce) {
			return nil, errors.New("malformed TSTInfo nonce")
		}
	}
	return out, nil
}

// verifyTimestampToken verifies a timestamp token over data: the token's
// CMS signature (one signer, signed attributes, ESS signing certificate),
// the TSA certificate's timeStamping key usage, the message imprint, and,
// with roots, the TSA certificate's chain at genTime.
func verifyTimestampToken(tok, data []byte, roots *x509.CertPool) (*tstInfo, error) {
	sd, err := parseSignedData(tok)
	if err != nil {
		return nil, err
	}
	if !sd.eContentType.Equal(oidTSTInfo) || sd.eContent == nil {
		return nil, errors.New("not a timestamp token")
	}
	res, err := verifySigner(sd, sd.eContent)
	if err != nil {
		return nil, err
	}
	if !res.essV1 && !res.essV2 {
		return nil, errors.New("timestamp token without signing-certificate attribute")
	}
	info, err := parseTSTInfo(sd.eContent)
	if err != nil {
		return nil, err
	}
	d := info.hash.New()
	d.Write(data)
	if subtle.ConstantTimeCompare(d.Sum(nil), info.imprint) != 1 {
		return nil, errors.New("timestamp is over other data")
	}
	if !hasTimeStamping(res.cert) {
		return nil, errors.New("TSA certificate lacks the timeStamping key usage")
	}
	if roots != nil {
		inter := x509.NewCertPool()
		for _, c := range sd.certs {
			inter.AddCert(c)
		}
		if _, err := res.cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: info.genTime,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
			return nil, fmt.Errorf("%w: %v", errTSAUntrusted, err)
		}
	}
	return info, nil
}

// errTSAUntrusted reports a TSA certificate that does not chain to the
// TSA roots given.
var errTSAUntrusted = errors.New("TSA certificate not trusted")

func hasTimeStamping(c *x509.Certificate) bool {
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageTimeStamping {
			return true
		}
	}
	return false
}

// timestampOf verifies the signature-time-stamp attribute of a PAdES
// signature, if there is one.
func timestampOf(sd *signedData, roots *x509.CertPool) (*Timestamp, error) {
	var tok []byte
	for _, a := range sd.unsigned {
		if a.oid.Equal(oidTimeStampToken) {
			if len(a.values) != 1 {
				return nil, fmt.Errorf("%d timestamp tokens in one attribute", len(a.values))
			}
			tok = a.values[0]
		}
	}
	if tok == nil {
		return nil, nil
	}
	info, err := verifyTimestampToken(tok, sd.signature, roots)
	if err != nil {
		return nil, err
	}
	tsd, _ := parseSignedData(tok)
	return &Timestamp{Time: info.genTime, TSA: findSigner(tsd), Hash: info.hash, Trusted: roots != nil}, nil
}
