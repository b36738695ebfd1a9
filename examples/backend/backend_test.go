package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/store/storeopen"
	"github.com/mynacard/mynacard/token"
)

// crlFile writes an empty, fresh CRL of the latest root of kind.
func crlFile(t *testing.T, kind card.KeyKind) string {
	t.Helper()
	root, key := jpkitest.Default().Root(kind, jpkitest.LatestGeneration)
	now := time.Now()
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour)}, root, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), kind.String()+".crl")
	if err := os.WriteFile(path, der, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// testRoots writes the virtual card's test roots to a PEM file.
func testRoots(t *testing.T) string {
	t.Helper()
	p := jpkitest.Default()
	var buf bytes.Buffer
	for _, c := range append(p.Roots(card.SignKey), p.Roots(card.AuthKey)...) {
		pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	path := filepath.Join(t.TempDir(), "test-roots.pem")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// kiosk is the untrusted side: a virtual card behind a loopback reader.
func kiosk(t *testing.T) *card.JPKI {
	t.Helper()
	vc, err := virtual.NewMyNumberCard(jpkitest.DefaultHolder().Contents())
	if err != nil {
		t.Fatal(err)
	}
	j, err := card.OpenJPKI(context.Background(), reader.Loopback("virtual", vc, reader.Capabilities{}), card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// confirmReply is what a client reads of POST /confirm's answer.
type confirmReply struct {
	Accepted bool       `json:"accepted"`
	Code     token.Code `json:"code"`
	Result   *struct {
		Attributes *struct {
			Name string `json:"name"`
		} `json:"attributes"`
		Revocation struct {
			Status string `json:"status"`
		} `json:"revocation"`
	} `json:"result"`
}

func post(t *testing.T, url string, body any, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func TestEndToEnd(t *testing.T) {
	const audience = "https://bank.example/login"
	tests := []struct {
		name     string
		key      string
		cardKey  card.KeyKind
		pin      string
		tokenAud string
		replay   bool
		wantCode token.Code
	}{
		{name: "auth accepted then replay refused", key: "auth", cardKey: card.AuthKey, pin: jpkitest.DefaultAuthPIN, tokenAud: audience, replay: true},
		{name: "sign accepted with details", key: "sign", cardKey: card.SignKey, pin: jpkitest.DefaultSignPIN, tokenAud: audience},
		{name: "other audience", key: "auth", cardKey: card.AuthKey, pin: jpkitest.DefaultAuthPIN, tokenAud: "https://evil.example", wantCode: token.DataMismatch},
		{name: "auth token at a sign backend", key: "sign", cardKey: card.AuthKey, pin: jpkitest.DefaultAuthPIN, tokenAud: audience, wantCode: token.WrongKeyType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := newBackend(audience, tt.key, "hard", testRoots(t), nil,
				[]string{crlFile(t, card.SignKey), crlFile(t, card.AuthKey)})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(b.Handler())
			defer srv.Close()

			var ch token.Challenge
			if code := post(t, srv.URL+"/challenge", struct{}{}, &ch); code != http.StatusOK || ch.Nonce == "" {
				t.Fatalf("challenge: %d %+v", code, ch)
			}
			tok, err := confirm.MakeToken(context.Background(), kiosk(t), confirm.TokenOptions{
				Key: tt.cardKey, Audience: tt.tokenAud, Nonce: ch.Nonce,
				Prompt:  func(context.Context, card.PINKind, int) ([]byte, error) { return []byte(tt.pin), nil },
				Consent: func(context.Context, confirm.ConsentRequest) error { return nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			req := map[string]any{"nonce": ch.Nonce, "token": tok}
			var resp confirmReply
			code := post(t, srv.URL+"/confirm", req, &resp)
			if tt.wantCode != "" {
				if code != http.StatusForbidden || resp.Accepted || resp.Code != tt.wantCode {
					t.Fatalf("confirm: %d %+v, want code %s", code, resp, tt.wantCode)
				}
				return
			}
			if code != http.StatusOK || !resp.Accepted || resp.Result == nil || resp.Result.Revocation.Status != "good" {
				t.Fatalf("confirm: %d %+v", code, resp)
			}
			if tt.key == "sign" && (resp.Result.Attributes == nil || resp.Result.Attributes.Name != jpkitest.DefaultName) {
				t.Errorf("attributes = %+v", resp.Result.Attributes)
			}
			if tt.replay {
				var again confirmReply
				if code := post(t, srv.URL+"/confirm", req, &again); code != http.StatusForbidden || again.Code != token.NonceReplayed {
					t.Errorf("replay: %d %+v", code, again)
				}
			}
		})
	}
}

func TestNewBackendFlags(t *testing.T) {
	for _, c := range []struct{ aud, key, policy string }{{"", "auth", "hard"}, {"x", "other", "hard"}, {"x", "auth", "maybe"}} {
		if _, err := newBackend(c.aud, c.key, c.policy, testRoots(t), nil, nil); err == nil {
			t.Errorf("newBackend(%q, %q, %q) accepted", c.aud, c.key, c.policy)
		}
	}
}

// Two backend processes sharing the records store's nonces: a challenge
// issued by one is answered at the other, and the replay at the first is
// refused.
func TestEndToEndSharedStore(t *testing.T) {
	const audience = "https://bank.example/login"
	st, err := storeopen.Open(context.Background(), filepath.Join(t.TempDir(), "nonces.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var urls []string
	for range 2 {
		b, err := newBackend(audience, "auth", "soft", testRoots(t), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		b.Challenges.Nonces, b.Validator.Nonces = st, st
		srv := httptest.NewServer(b.Handler())
		defer srv.Close()
		urls = append(urls, srv.URL)
	}
	var ch token.Challenge
	post(t, urls[0]+"/challenge", struct{}{}, &ch)
	tok, err := confirm.MakeToken(context.Background(), kiosk(t), confirm.TokenOptions{
		Audience: audience, Nonce: ch.Nonce,
		Prompt: func(context.Context, card.PINKind, int) ([]byte, error) { return []byte(jpkitest.DefaultAuthPIN), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	req := map[string]any{"nonce": ch.Nonce, "token": tok}
	var resp confirmReply
	if code := post(t, urls[1]+"/confirm", req, &resp); code != http.StatusOK || !resp.Accepted ||
		resp.Result.Revocation.Status != "unknown" {
		t.Fatalf("at the second backend: %d %+v", code, resp)
	}
	resp = confirmReply{}
	if code := post(t, urls[0]+"/confirm", req, &resp); code != http.StatusForbidden || resp.Code != token.NonceReplayed {
		t.Errorf("replay at the first backend: %d %+v", code, resp)
	}
}

func TestNewBackendTestRoots(t *testing.T) {
	if _, err := newBackend("x", "auth", "hard", filepath.Join(t.TempDir(), "missing.pem"), nil, nil); err == nil {
		t.Error("missing test roots accepted")
	}
	empty := filepath.Join(t.TempDir(), "empty.pem")
	os.WriteFile(empty, []byte("not PEM"), 0o600)
	if _, err := newBackend("x", "auth", "hard", empty, nil, nil); err == nil {
		t.Error("test roots without a certificate accepted")
	}
	// Without test roots, production is required.
	b, err := newBackend("https://bank.example/login", "auth", "off", "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Validator.RequireProduction {
		t.Error("production not required without test roots")
	}
}
