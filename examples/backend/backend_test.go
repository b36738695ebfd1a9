package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
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
		wantCode string
	}{
		{name: "auth accepted then replay refused", key: "auth", cardKey: card.AuthKey, pin: jpkitest.DefaultAuthPIN, tokenAud: audience, replay: true},
		{name: "sign accepted with details", key: "sign", cardKey: card.SignKey, pin: jpkitest.DefaultSignPIN, tokenAud: audience},
		{name: "other audience", key: "auth", cardKey: card.AuthKey, pin: jpkitest.DefaultAuthPIN, tokenAud: "https://evil.example", wantCode: confirm.TokenDataMismatch},
		{name: "auth token at a sign backend", key: "sign", cardKey: card.AuthKey, pin: jpkitest.DefaultAuthPIN, tokenAud: audience, wantCode: confirm.TokenWrongKeyType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := newBackend(audience, tt.key, "hard", true, nil,
				[]string{crlFile(t, card.SignKey), crlFile(t, card.AuthKey)})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(b.Handler())
			defer srv.Close()

			var ch confirm.Challenge
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
			var resp ConfirmResponse
			code := post(t, srv.URL+"/confirm", req, &resp)
			if tt.wantCode != "" {
				if code != http.StatusForbidden || resp.Accepted || resp.Code != tt.wantCode {
					t.Fatalf("confirm: %d %+v, want code %s", code, resp, tt.wantCode)
				}
				return
			}
			if code != http.StatusOK || !resp.Accepted || resp.Result == nil || resp.Result.Verdict.Revocation.Status != confirm.RevocationGood {
				t.Fatalf("confirm: %d %+v", code, resp)
			}
			if tt.key == "sign" && (resp.Result.Attributes == nil || resp.Result.Attributes.Name != jpkitest.DefaultName) {
				t.Errorf("attributes = %+v", resp.Result.Attributes)
			}
			if tt.replay {
				var again ConfirmResponse
				if code := post(t, srv.URL+"/confirm", req, &again); code != http.StatusForbidden || again.Code != confirm.TokenNonceReplayed {
					t.Errorf("replay: %d %+v", code, again)
				}
			}
		})
	}
}

func TestNewBackendFlags(t *testing.T) {
	for _, c := range []struct{ aud, key, policy string }{{"", "auth", "hard"}, {"x", "other", "hard"}, {"x", "auth", "maybe"}} {
		if _, err := newBackend(c.aud, c.key, c.policy, true, nil, nil); err == nil {
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
		b, err := newBackend(audience, "auth", "soft", true, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		b.Challenges.Nonces, b.Validator.Nonces = st, st
		srv := httptest.NewServer(b.Handler())
		defer srv.Close()
		urls = append(urls, srv.URL)
	}
	var ch confirm.Challenge
	post(t, urls[0]+"/challenge", struct{}{}, &ch)
	tok, err := confirm.MakeToken(context.Background(), kiosk(t), confirm.TokenOptions{
		Audience: audience, Nonce: ch.Nonce,
		Prompt: func(context.Context, card.PINKind, int) ([]byte, error) { return []byte(jpkitest.DefaultAuthPIN), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	req := map[string]any{"nonce": ch.Nonce, "token": tok}
	var resp ConfirmResponse
	if code := post(t, urls[1]+"/confirm", req, &resp); code != http.StatusOK || !resp.Accepted ||
		resp.Result.Verdict.Revocation.Status != confirm.RevocationUnknown {
		t.Fatalf("at the second backend: %d %+v", code, resp)
	}
	resp = ConfirmResponse{}
	if code := post(t, urls[0]+"/confirm", req, &resp); code != http.StatusForbidden || resp.Code != confirm.TokenNonceReplayed {
		t.Errorf("replay at the first backend: %d %+v", code, resp)
	}
}
