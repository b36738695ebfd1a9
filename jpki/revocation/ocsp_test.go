package revocation

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"math/big"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

type ocspFixture struct {
	responder      *jpkitest.OCSPResponder
	srv            *httptest.Server
	good, rev, unk *x509.Certificate
	revokedAt      time.Time
}

func newOCSPFixture(t *testing.T) *ocspFixture {
	t.Helper()
	root, key := signRoot(3)
	f := &ocspFixture{responder: jpkitest.NewOCSPResponder(root, key), revokedAt: refTime.Add(-30 * time.Hour).Truncate(time.Second)}
	f.good = issueCert(t, 3, big.NewInt(0x1001), "", "")
	f.rev = issueCert(t, 3, big.NewInt(0x1002), "", "")
	f.unk = issueCert(t, 3, big.NewInt(0x1003), "", "")
	f.responder.SetStatus(f.good.SerialNumber, jpkitest.OCSPStatus{Status: ocsp.Good})
	f.responder.SetStatus(f.rev.SerialNumber, jpkitest.OCSPStatus{Status: ocsp.Revoked, RevokedAt: f.revokedAt, Reason: jpkitest.ReasonAffiliationChanged})
	f.srv = httptest.NewServer(f.responder)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *ocspFixture) client(t *testing.T, mod func(*OCSPConfig)) *OCSPClient {
	t.Helper()
	cfg := OCSPConfig{URL: f.srv.URL, Issuers: signRoots(), Now: fixedNow, Timeout: 2 * time.Second, NoCache: true}
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewOCSPClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOCSPVerdicts(t *testing.T) {
	f := newOCSPFixture(t)
	delegate, delegateKey, err := jpkitest.NewOCSPDelegate(mustRoot(3))
	if err != nil {
		t.Fatal(err)
	}
	noEKU, noEKUKey, err := jpkitest.NewOCSPDelegate(mustRootNoEKU(3))
	if err != nil {
		t.Fatal(err)
	}
	otherDelegate, otherDelegateKey, err := jpkitest.NewOCSPDelegate(mustRoot(2))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		setup  func()
		mod    func(*OCSPConfig)
		cert   *x509.Certificate
		status Status
		err    error
	}{
		{"good", nil, nil, f.good, StatusGood, nil},
		{"revoked", nil, nil, f.rev, StatusRevoked, nil},
		{"unknown", nil, nil, f.unk, StatusUnknown, ErrResponderUnknown},
		{"delegated good", func() { f.responder.SetDelegate(delegate, delegateKey) }, nil, f.good, StatusGood, nil},
		{"delegated without EKU", func() { f.responder.SetDelegate(noEKU, noEKUKey) }, nil, f.good, StatusUnknown, ErrBadSignature},
		{"delegated by another generation", func() { f.responder.SetDelegate(otherDelegate, otherDelegateKey) }, nil, f.good, StatusUnknown, ErrBadSignature},
		{"delegate expired", func() {
			f.responder.SetDelegate(delegate, delegateKey)
			f.responder.SetClock(func() time.Time { return refTime.Add(200 * 24 * time.Hour) })
		}, func(c *OCSPConfig) { c.Now = func() time.Time { return refTime.Add(200 * 24 * time.Hour) } }, f.good, StatusUnknown, ErrBadSignature},
		{"wrong signer", func() { f.responder.SetFault(jpkitest.OCSPFaultWrongSigner) }, nil, f.good, StatusUnknown, ErrBadSignature},
		{"nonce mismatch", func() { f.responder.SetFault(jpkitest.OCSPFaultWrongNonce) }, nil, f.good, StatusUnknown, ErrNonceMismatch},
		{"nonce not echoed, allowed", func() { f.responder.SetEchoNonce(false) }, nil, f.good, StatusGood, nil},
		{"nonce not echoed, required", func() { f.responder.SetEchoNonce(false) }, func(c *OCSPConfig) { c.RequireNonce = true }, f.good, StatusUnknown, ErrNonceMismatch},
		{"no nonce sent", nil, func(c *OCSPConfig) { c.NoNonce = true }, f.rev, StatusRevoked, nil},
		{"stale", func() { f.responder.SetFault(jpkitest.OCSPFaultStale) }, nil, f.good, StatusUnknown, ErrStale},
		{"client clock far ahead", nil, func(c *OCSPConfig) { c.Now = func() time.Time { return refTime.Add(-time.Hour) } }, f.good, StatusUnknown, ErrNotYetValid},
		{"HTTP 500", func() { f.responder.SetFault(jpkitest.OCSPFaultHTTP500) }, nil, f.good, StatusUnknown, ErrResponder},
		{"garbage", func() { f.responder.SetFault(jpkitest.OCSPFaultGarbage) }, nil, f.good, StatusUnknown, ErrMalformed},
		{"tryLater", func() { f.responder.SetFault(jpkitest.OCSPFaultTryLater) }, nil, f.good, StatusUnknown, ErrResponder},
		{"hangs", func() { f.responder.SetFault(jpkitest.OCSPFaultHang) }, func(c *OCSPConfig) { c.Timeout = 100 * time.Millisecond }, f.good, StatusUnknown, ErrUnreachable},
		{"unreachable", nil, func(c *OCSPConfig) { c.URL = closedURL(t) }, f.good, StatusUnknown, ErrUnreachable},
		{"too large", nil, func(c *OCSPConfig) { c.MaxResponseBytes = 100 }, f.good, StatusUnknown, ErrTooLarge},
		{"unknown issuer", nil, func(c *OCSPConfig) { c.Issuers = testPKI().Roots(card.AuthKey) }, f.good, StatusUnknown, ErrUnknownIssuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.responder.SetFault(jpkitest.OCSPFaultNone)
			f.responder.SetDelegate(nil, nil)
			f.responder.SetEchoNonce(true)
			f.responder.SetClock(jpkitest.ReferenceTime)
			if tt.setup != nil {
				tt.setup()
			}
			r := f.client(t, tt.mod).Check(context.Background(), tt.cert)
			if r.Status != tt.status || (tt.err == nil) != (r.Err == nil) || (tt.err != nil && !errors.Is(r.Err, tt.err)) {
				t.Fatalf("got %v err=%v, want %v %v", r.Status, r.Err, tt.status, tt.err)
			}
			if r.Status == StatusRevoked && (r.Reason != ReasonAffiliationChanged || !r.RevokedAt.Equal(f.revokedAt)) {
				t.Fatalf("revoked %v at %v", r.Reason, r.RevokedAt)
			}
		})
	}
}

func mustRoot(gen int) (*x509.Certificate, crypto.Signer, bool) {
	root, key := signRoot(gen)
	return root, key, true
}

func mustRootNoEKU(gen int) (*x509.Certificate, crypto.Signer, bool) {
	root, key := signRoot(gen)
	return root, key, false
}

// closedURL returns a loopback URL nobody listens on.
func closedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/"
}

func TestOCSPCache(t *testing.T) {
	f := newOCSPFixture(t)
	now := refTime
	c := f.client(t, func(c *OCSPConfig) { c.NoCache = false; c.Now = func() time.Time { return now } })
	for i := 0; i < 3; i++ {
		if r := c.Check(context.Background(), f.rev); r.Status != StatusRevoked {
			t.Fatal(r.Err)
		}
	}
	if n := f.responder.Requests(); n != 1 {
		t.Fatalf("%d requests, want 1 (cached)", n)
	}
	// Unknown answers are not cached.
	c.Check(context.Background(), f.unk)
	c.Check(context.Background(), f.unk)
	if n := f.responder.Requests(); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
	// After nextUpdate (+skew) the cache entry is dropped and the responder,
	// now failing, makes the answer unknown rather than the stale cache good.
	now = refTime.Add(jpkitest.DefaultOCSPValidity + ClockSkew + time.Minute)
	f.responder.SetFault(jpkitest.OCSPFaultHTTP500)
	if r := c.Check(context.Background(), f.rev); r.Status != StatusUnknown || !errors.Is(r.Err, ErrResponder) {
		t.Fatalf("after expiry: %v %v", r.Status, r.Err)
	}
}

func TestBuildOCSPRequestParses(t *testing.T) {
	root, _ := signRoot(3)
	cert := issueCert(t, 3, big.NewInt(77), "", "")
	der, err := BuildOCSPRequest(cert, root, make([]byte, NonceBytes))
	if err != nil {
		t.Fatal(err)
	}
	req, err := ocsp.ParseRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	if req.SerialNumber.Int64() != 77 {
		t.Fatal("serial")
	}
	ref, _ := ocsp.CreateRequest(cert, root, nil)
	refReq, _ := ocsp.ParseRequest(ref)
	if string(refReq.IssuerKeyHash) != string(req.IssuerKeyHash) || string(refReq.IssuerNameHash) != string(req.IssuerNameHash) {
		t.Fatal("CertID hashes differ from x/crypto/ocsp's")
	}
}
