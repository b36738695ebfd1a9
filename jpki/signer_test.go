package jpki

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
	"golang.org/x/crypto/ocsp"
)

func TestSignerHashes(t *testing.T) {
	for _, kind := range []card.KeyKind{card.AuthKey, card.SignKey} {
		s, p := newTestSigner(t, kind)
		pub := s.Public().(*rsa.PublicKey)
		if !pub.Equal(s.Certificate().PublicKey) {
			t.Fatal("Public is not the certificate's key")
		}
		for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
			d := h.New()
			d.Write([]byte("mynacard"))
			digest := d.Sum(nil)
			sig, err := s.Sign(rand.Reader, digest, h)
			if err != nil {
				t.Fatalf("%v %v: %v", kind, h, err)
			}
			if err := rsa.VerifyPKCS1v15(pub, h, digest, sig); err != nil {
				t.Errorf("%v %v: signature does not verify: %v", kind, h, err)
			}
		}
		if n := p.calls.Load(); n != 5 {
			t.Errorf("%v: prompt asked %d times, want once per signature (5)", kind, n)
		}
	}
}

func TestSignerPreparedDigestInfo(t *testing.T) {
	s, _ := newTestSigner(t, card.AuthKey)
	digest := make([]byte, 32)
	di, err := DigestInfo(crypto.SHA256, digest)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := s.Sign(rand.Reader, di, crypto.Hash(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(s.Public().(*rsa.PublicKey), crypto.SHA256, digest, sig); err != nil {
		t.Error(err)
	}
}

func TestSignerRefusals(t *testing.T) {
	s, p := newTestSigner(t, card.AuthKey)
	sha256Digest := make([]byte, 32)
	tests := []struct {
		name   string
		digest []byte
		opts   crypto.SignerOpts
		want   error
	}{
		{"PSS", sha256Digest, &rsa.PSSOptions{Hash: crypto.SHA256}, ErrPSSNotSupported},
		{"short digest", sha256Digest[:31], crypto.SHA256, ErrDigestLength},
		{"long digest", make([]byte, 33), crypto.SHA256, ErrDigestLength},
		{"SHA-1 length for SHA-512", make([]byte, 20), crypto.SHA512, ErrDigestLength},
		{"MD5", make([]byte, 16), crypto.MD5, ErrUnsupportedHash},
		{"SHA3", sha256Digest, crypto.SHA3_256, ErrUnsupportedHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Sign(rand.Reader, tt.digest, tt.opts); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := s.Sign(rand.Reader, make([]byte, 300), crypto.Hash(0)); err == nil {
		t.Error("oversized prepared DigestInfo accepted")
	}
	if n := p.calls.Load(); n != 0 {
		t.Errorf("the PIN was asked %d times for refused requests", n)
	}
}

func TestNewSignerKindMismatch(t *testing.T) {
	h := jpkitest.DefaultHolder()
	j := virtualJPKI(t, h, card.Options{})
	p := &pinPrompt{pin: jpkitest.DefaultAuthPIN}
	if _, err := NewSigner(context.Background(), j, card.AuthKey, mustParseX(t, h.SignCert), p.prompt); !errors.Is(err, ErrWrongKind) {
		t.Errorf("auth key with signing certificate: %v", err)
	}
	if _, err := NewSigner(context.Background(), j, card.SignKey, mustParseX(t, h.AuthCert), p.prompt); !errors.Is(err, ErrWrongKind) {
		t.Errorf("sign key with auth certificate: %v", err)
	}
}

func TestSignerKeyMismatch(t *testing.T) {
	// The card holds the default holder's keys; the certificate is
	// another holder's.
	other, err := jpkitest.Default().Issue(jpkitest.HolderSpec{KeySalt: "renewed"})
	if err != nil {
		t.Fatal(err)
	}
	j := virtualJPKI(t, nil, card.Options{})
	p := &pinPrompt{pin: jpkitest.DefaultAuthPIN}
	s, err := NewSigner(context.Background(), j, card.AuthKey, mustParseX(t, other.AuthCert), p.prompt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sign(rand.Reader, make([]byte, 32), crypto.SHA256); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("got %v, want ErrKeyMismatch", err)
	}
}

func TestSignerWrongPIN(t *testing.T) {
	s, _ := newTestSigner(t, card.AuthKey)
	s.prompt = (&pinPrompt{pin: "9999"}).prompt
	_, err := s.Sign(rand.Reader, make([]byte, 32), crypto.SHA256)
	var pe *card.PINError
	if !errors.As(err, &pe) || pe.Remaining != 2 {
		t.Errorf("got %v, want *card.PINError with 2 remaining", err)
	}
}

func TestSignerContext(t *testing.T) {
	s, p := newTestSigner(t, card.AuthKey)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.SignContext(ctx, nil, make([]byte, 32), crypto.SHA256); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	if p.calls.Load() != 0 {
		t.Error("PIN asked with a cancelled context")
	}
}

func TestSignerConcurrent(t *testing.T) {
	s, _ := newTestSigner(t, card.AuthKey)
	pub := s.Public().(*rsa.PublicKey)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			digest := make([]byte, 32)
			digest[0] = byte(i)
			sig, err := s.Sign(rand.Reader, digest, crypto.SHA256)
			if err == nil {
				err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest, sig)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestSignerTLSClientCertificate runs a TLS 1.2 handshake with a local
// server that requires a client certificate chaining to the test
// authentication roots; the client key is the virtual card's.
func TestSignerTLSClientCertificate(t *testing.T) {
	s, p := newTestSigner(t, card.AuthKey)
	pool := x509.NewCertPool()
	for _, rc := range jpkitest.Default().Roots(card.AuthKey) {
		pool.AddCert(rc)
	}
	var seen *x509.Certificate
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.TLS.PeerCertificates[0]
		io.WriteString(w, "ok")
	}))
	srv.TLS = &tls.Config{
		ClientAuth: tls.RequireAndVerifyClientCert,
		ClientCAs:  pool,
		// The test certificates are valid at ReferenceTime, not now.
		Time: func() time.Time { return refTime() },
	}
	srv.StartTLS()
	defer srv.Close()

	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.Certificates = []tls.Certificate{s.TLSCertificate()}
	tr.TLSClientConfig.MaxVersion = tls.VersionTLS12 // TLS 1.3 needs RSA-PSS
	client := &http.Client{Transport: tr}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "ok" || seen == nil || !seen.Equal(s.Certificate().Certificate) {
		t.Errorf("body %q, peer %v", body, seen)
	}
	if p.calls.Load() != 1 {
		t.Errorf("PIN asked %d times, want 1", p.calls.Load())
	}
}

// TestSignerOCSPResponder uses the card key as an OCSP responder key with
// x/crypto/ocsp, the pattern any library taking a crypto.Signer follows.
func TestSignerOCSPResponder(t *testing.T) {
	s, _ := newTestSigner(t, card.AuthKey)
	issuer, _ := jpkitest.Default().Root(card.AuthKey, jpkitest.LatestGeneration)
	tmpl := ocsp.Response{
		Status:       ocsp.Good,
		SerialNumber: big.NewInt(42),
		ThisUpdate:   refTime(),
		NextUpdate:   refTime().Add(24 * time.Hour),
		Certificate:  s.Certificate().Certificate,
	}
	der, err := ocsp.CreateResponse(issuer, s.Certificate().Certificate, tmpl, s)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ocsp.ParseResponse(der, issuer)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != ocsp.Good || resp.SerialNumber.Int64() != 42 {
		t.Errorf("response %+v", resp)
	}
	if err := resp.CheckSignatureFrom(s.Certificate().Certificate); err != nil {
		t.Error(err)
	}
}

// TestDigestInfoMatchesCryptoRSA checks the prefix table against
// crypto/rsa's own: signing DigestInfo(h, d) raw equals signing d under h.
func TestDigestInfoMatchesCryptoRSA(t *testing.T) {
	key := jpkitest.DefaultHolder().AuthKey
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		d := make([]byte, h.Size())
		d[0] = 0x5A
		di, err := DigestInfo(h, d)
		if err != nil {
			t.Fatal(err)
		}
		want, err := rsa.SignPKCS1v15(nil, key, h, d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := rsa.SignPKCS1v15(nil, key, crypto.Hash(0), di)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%v: DigestInfo prefix differs from crypto/rsa's", h)
		}
	}
}

// removeOnSign is a card that disappears when it is sent SIGN.
type removeOnSign struct{ *virtual.Card }

// insComputeSignature is the JPKI SIGN instruction (docs/card.md "Commands").
const insComputeSignature = 0x2A

func (r removeOnSign) Transmit(capdu []byte) []byte {
	if len(capdu) > 1 && capdu[1] == insComputeSignature {
		return nil
	}
	return r.Card.Transmit(capdu)
}

func TestSignerCardRemoved(t *testing.T) {
	h := jpkitest.DefaultHolder()
	vc, err := virtual.NewMyNumberCard(h.Contents())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	j, err := card.OpenJPKI(ctx, reader.Loopback("virtual", removeOnSign{vc}, reader.Capabilities{}), card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := &pinPrompt{pin: jpkitest.DefaultAuthPIN}
	s, err := NewSigner(ctx, j, card.AuthKey, mustParseX(t, h.AuthCert), p.prompt)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := s.Sign(rand.Reader, make([]byte, 32), crypto.SHA256)
	if !errors.Is(err, reader.ErrCardRemoved) || sig != nil {
		t.Errorf("got %x, %v; want no signature and ErrCardRemoved", sig, err)
	}
}
