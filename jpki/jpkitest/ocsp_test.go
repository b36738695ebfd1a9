package jpkitest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"golang.org/x/crypto/ocsp"
)

func TestOCSPResponder(t *testing.T) {
	root, key := Default().Root(card.SignKey, LatestGeneration)
	r := NewOCSPResponder(root, key)
	revokedAt := ReferenceTime().Add(-time.Hour).Truncate(time.Second)
	leaf := DefaultHolder().SignCert
	r.SetStatus(leaf.SerialNumber, OCSPStatus{Status: ocsp.Revoked, RevokedAt: revokedAt, Reason: ReasonAffiliationChanged})
	srv := httptest.NewServer(r)
	defer srv.Close()
	req, err := ocsp.CreateRequest(leaf, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL, "application/ocsp-request", bytes.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	or, err := ocsp.ParseResponse(body, root)
	if err != nil {
		t.Fatal(err)
	}
	if or.Status != ocsp.Revoked || or.RevocationReason != ReasonAffiliationChanged || !or.RevokedAt.Equal(revokedAt) {
		t.Fatalf("%+v", or)
	}
	// Nonce echo: the re-signed response still verifies.
	nonceReq := withNonce(t, req)
	if got := requestNonce(nonceReq); len(got) == 0 {
		t.Fatal("nonce not found in request")
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(nonceReq)))
	if _, err := ocsp.ParseResponse(w.Body.Bytes(), root); err != nil {
		t.Fatalf("nonce response: %v", err)
	}
	// Delegate.
	d, dk, err := NewOCSPDelegate(root, key, true)
	if err != nil {
		t.Fatal(err)
	}
	r.SetDelegate(d, dk)
	w = httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(req)))
	or, err = ocsp.ParseResponse(w.Body.Bytes(), root)
	if err != nil || or.Certificate == nil || !or.Certificate.Equal(d) {
		t.Fatalf("delegate: %v", err)
	}
}

// withNonce rebuilds a one-request OCSPRequest with a nonce extension.
func withNonce(t *testing.T, req []byte) []byte {
	t.Helper()
	// SEQUENCE { SEQUENCE { requestList, [2] { SEQUENCE { SEQUENCE { OID, OCTET STRING { OCTET STRING nonce } } } } } }
	// Outer 30 L and tbs 30 L are short-form for one request.
	in := req
	if in[1] >= 0x80 || in[3] >= 0x80 {
		t.Skip("request too long for the simple rebuilder")
	}
	list := in[4 : 4+int(in[3])]
	nonce := append([]byte{0x04, 0x12, 0x04, 0x10}, bytes.Repeat([]byte{9}, 16)...)
	ext := append([]byte{0x06, 0x09, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02}, nonce...)
	ext = append([]byte{0x30, byte(len(ext))}, ext...)
	exts := append([]byte{0x30, byte(len(ext))}, ext...)
	exts = append([]byte{0xA2, byte(len(exts))}, exts...)
	tbs := append(append([]byte{}, list...), exts...)
	tbs = append([]byte{0x30, byte(len(tbs))}, tbs...)
	return append([]byte{0x30, byte(len(tbs))}, tbs...)
}
