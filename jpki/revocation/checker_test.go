package revocation

import (
	"context"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/mynacard/mynacard/jpki/jpkitest"
)

func TestCheckerFailsClosed(t *testing.T) {
	f := newOCSPFixture(t)
	crlRevoked := issueCert(t, 3, jpkitest.SyntheticCRLEntry(5).Serial, "", "") // superseded in the CRL
	goodCRL := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	goodCRL.Add(mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 100})))
	staleCRL := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	staleCRL.Add(mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 100, Fault: jpkitest.CRLFaultStale})))
	emptySet := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	okOCSP := f.client(t, nil)
	deadOCSP := f.client(t, func(c *OCSPConfig) { c.URL = closedURL(t) })

	tests := []struct {
		name   string
		mode   Mode
		ocsp   *OCSPClient
		crls   *CRLSet
		cert   int // 0 f.good, 1 f.rev, 2 f.unk, 3 crlRevoked
		status Status
		errs   []error
	}{
		{"ocsp good", ModeOCSPThenCRL, okOCSP, staleCRL, 0, StatusGood, nil},
		{"ocsp revoked", ModeOCSPOnly, okOCSP, nil, 1, StatusRevoked, nil},
		{"ocsp down, crl good", ModeOCSPThenCRL, deadOCSP, goodCRL, 0, StatusGood, nil},
		{"ocsp down, crl revoked", ModeOCSPThenCRL, deadOCSP, goodCRL, 3, StatusRevoked, nil},
		{"ocsp unknown, crl good", ModeOCSPThenCRL, okOCSP, goodCRL, 2, StatusGood, nil},
		{"ocsp down, crl stale", ModeOCSPThenCRL, deadOCSP, staleCRL, 0, StatusUnknown, []error{ErrUnreachable, ErrStale}},
		{"ocsp down, no crl", ModeOCSPThenCRL, deadOCSP, nil, 0, StatusUnknown, []error{ErrUnreachable, ErrNoSource}},
		{"ocsp down, crl of no issuer", ModeOCSPThenCRL, deadOCSP, emptySet, 0, StatusUnknown, []error{ErrUnreachable, ErrNoSource}},
		{"ocsp only, down", ModeOCSPOnly, deadOCSP, goodCRL, 0, StatusUnknown, []error{ErrUnreachable}},
		{"ocsp only, none", ModeOCSPOnly, nil, goodCRL, 0, StatusUnknown, []error{ErrNoSource}},
		{"crl only, stale", ModeCRLOnly, okOCSP, staleCRL, 0, StatusUnknown, []error{ErrStale}},
		{"crl only, none", ModeCRLOnly, okOCSP, nil, 0, StatusUnknown, []error{ErrNoSource}},
		{"crl only, good", ModeCRLOnly, nil, goodCRL, 0, StatusGood, nil},
	}
	certs := []*x509.Certificate{f.good, f.rev, f.unk, crlRevoked}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCombined(tt.mode, tt.ocsp, tt.crls)
			if err != nil {
				t.Fatal(err)
			}
			r := c.Check(context.Background(), certs[tt.cert])
			if r.Status != tt.status {
				t.Fatalf("status %v (%v), want %v", r.Status, r.Err, tt.status)
			}
			for _, want := range tt.errs {
				if !errors.Is(r.Err, want) {
					t.Errorf("err %v does not match %v", r.Err, want)
				}
			}
			if tt.status == StatusUnknown && r.Err == nil {
				t.Fatal("unknown without a reason")
			}
		})
	}
	if _, err := NewCombined(Mode(0), nil, nil); err == nil {
		t.Fatal("mode 0 accepted")
	}
	// A cancelled context is unknown, never good.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, _ := NewCombined(ModeOCSPOnly, okOCSP, nil)
	if r := c.Check(ctx, f.good); r.Status != StatusUnknown {
		t.Fatalf("cancelled: %v", r.Status)
	}
}
