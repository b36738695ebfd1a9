package jpki

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// pssSigner is a Signer for the default holder's authentication key on a
// card opened with the RSA card's PSS mode allowed.
func pssSigner(t *testing.T) (*Signer, *pinPrompt) {
	t.Helper()
	h := jpkitest.DefaultHolder()
	j := virtualJPKI(t, h, card.Options{RSAPSS: true})
	p := &pinPrompt{pin: jpkitest.DefaultAuthPIN}
	s, err := NewSigner(context.Background(), j, card.AuthKey, mustParseX(t, h.AuthCert), p.prompt)
	if err != nil {
		t.Fatal(err)
	}
	return s, p
}

func TestSignerPSS(t *testing.T) {
	s, p := pssSigner(t)
	pub := s.Public().(*rsa.PublicKey)
	digest := sha256.Sum256(cmsData)
	for _, salt := range []int{rsa.PSSSaltLengthAuto, rsa.PSSSaltLengthEqualsHash} {
		sig, err := s.Sign(rand.Reader, digest[:], &rsa.PSSOptions{SaltLength: salt, Hash: crypto.SHA256})
		if err != nil {
			t.Fatalf("salt %d: %v", salt, err)
		}
		if err := VerifyDigest(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}); err != nil {
			t.Errorf("salt %d: %v", salt, err)
		}
		if VerifyDigest(pub, crypto.SHA256, digest[:], sig, crypto.SHA256) == nil {
			t.Errorf("salt %d: a PSS signature verifies as PKCS#1 v1.5", salt)
		}
	}
	calls := p.calls.Load()
	for _, tt := range []struct {
		name   string
		digest []byte
		opts   *rsa.PSSOptions
		want   error
	}{
		{"SHA-384", make([]byte, 48), &rsa.PSSOptions{Hash: crypto.SHA384}, ErrPSSNotSupported},
		{"short digest", digest[:31], &rsa.PSSOptions{Hash: crypto.SHA256}, ErrDigestLength},
	} {
		if _, err := s.Sign(rand.Reader, tt.digest, tt.opts); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if p.calls.Load() != calls {
		t.Error("a refused PSS request asked for the PIN")
	}
	// A salt length the card does not use is refused after the fact.
	if _, err := s.Sign(rand.Reader, digest[:], &rsa.PSSOptions{SaltLength: 20, Hash: crypto.SHA256}); !errors.Is(err, ErrPSSNotSupported) {
		t.Errorf("salt 20: %v", err)
	}
	// The ECDSA card has no PSS.
	es, _ := genSigner(t, ecdsaHolder(t), card.AuthKey)
	if _, err := es.Sign(rand.Reader, digest[:], &rsa.PSSOptions{Hash: crypto.SHA256}); !errors.Is(err, ErrPSSNotSupported) {
		t.Errorf("ECDSA with PSS: %v", err)
	}
}

// TestSignerTLS13 makes a TLS 1.3 client certificate handshake: with the
// RSA card's PSS mode, and with the speculative ECDSA card.
func TestSignerTLS13(t *testing.T) {
	es, _ := genSigner(t, ecdsaHolder(t), card.AuthKey)
	ps, _ := pssSigner(t)
	for name, s := range map[string]*Signer{"RSA-PSS": ps, "ECDSA-P384": es} {
		t.Run(name, func(t *testing.T) {
			pool := x509.NewCertPool()
			for _, rc := range jpkitest.Default().AllRoots(card.AuthKey) {
				pool.AddCert(rc)
			}
			var seen *tls.ConnectionState
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = r.TLS
				io.WriteString(w, "ok")
			}))
			srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, MinVersion: tls.VersionTLS13,
				Time: func() time.Time { return refTime() }}
			srv.StartTLS()
			defer srv.Close()
			tr := srv.Client().Transport.(*http.Transport).Clone()
			tr.TLSClientConfig.Certificates = []tls.Certificate{s.TLSCertificate()}
			resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if seen == nil || seen.Version != tls.VersionTLS13 || !seen.PeerCertificates[0].Equal(s.Certificate().Certificate) {
				t.Errorf("handshake state %+v", seen)
			}
		})
	}
}
