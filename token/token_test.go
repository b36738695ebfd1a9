package token_test

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/token"
)

func TestCodesDistinct(t *testing.T) {
	codes := []token.Code{token.Malformed, token.UnsupportedVersion, token.UnsupportedAlgorithm, token.BadRequest,
		token.NonceUnknown, token.NonceReplayed, token.NonceExpired, token.NonceStoreFailed, token.BadCertificate,
		token.WrongKeyType, token.BadSignature, token.DataMismatch, token.Untrusted, token.TestHierarchy,
		token.CertExpired, token.CertNotYetValid, token.CertProfile, token.Revoked, token.RevocationUnknown}
	seen := map[token.Code]bool{}
	for _, c := range codes {
		if seen[c] || c == "" {
			t.Errorf("code %q repeated or empty", c)
		}
		seen[c] = true
	}
}

func TestMemoryNonces(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	m := &token.MemoryNonces{Now: func() time.Time { return now }}
	if err := m.PutNonce(ctx, "a", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := m.PutNonce(ctx, "a", now.Add(time.Minute)); !errors.Is(err, token.ErrNonceConflict) {
		t.Errorf("put twice: %v", err)
	}
	if err := m.ConsumeNonce(ctx, "b"); !errors.Is(err, token.ErrNonceUnknown) {
		t.Errorf("unknown: %v", err)
	}
	if err := m.ConsumeNonce(ctx, "a"); err != nil {
		t.Errorf("consume: %v", err)
	}
	if err := m.ConsumeNonce(ctx, "a"); !errors.Is(err, token.ErrNonceReplayed) {
		t.Errorf("consume twice: %v", err)
	}
	m.PutNonce(ctx, "c", now.Add(time.Minute))
	now = now.Add(time.Minute)
	if err := m.ConsumeNonce(ctx, "c"); !errors.Is(err, token.ErrNonceExpired) {
		t.Errorf("expired: %v", err)
	}
	if n, _ := m.PurgeNonces(ctx, now); n != 2 {
		t.Errorf("purged %d", n)
	}
}

// countingReader is a deterministic randomness source.
type countingReader byte

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(*c)
		*c++
	}
	return len(p), nil
}

func TestChallengesIssue(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	m := &token.MemoryNonces{Now: func() time.Time { return now }}
	var r countingReader
	c := &token.Challenges{Nonces: m, Now: func() time.Time { return now }, Rand: &r}
	ch, err := c.Issue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !ch.ExpiresAt.Equal(now.Add(token.DefaultChallengeLifetime)) {
		t.Errorf("expires %v", ch.ExpiresAt)
	}
	if err := token.CheckRequest("https://bank.example", ch.Nonce); err != nil {
		t.Errorf("issued nonce fails its own check: %v", err)
	}
	if err := m.ConsumeNonce(ctx, ch.Nonce); err != nil {
		t.Errorf("issued nonce not stored: %v", err)
	}
	// The same randomness again is a conflict, never a reused nonce.
	r = 0
	if _, err := c.Issue(ctx); !errors.Is(err, token.ErrNonceConflict) {
		t.Errorf("repeated nonce: %v", err)
	}
	if _, err := (&token.Challenges{}).Issue(ctx); err == nil {
		t.Error("issued without a nonce store")
	}
}

func TestCheckRequest(t *testing.T) {
	nonce := strings.Repeat("A", 43) // 32 bytes
	for _, tt := range []struct {
		aud, nonce string
		ok         bool
	}{
		{"https://bank.example", nonce, true},
		{"", nonce, false},
		{strings.Repeat("a", token.MaxAudienceBytes+1), nonce, false},
		{"https://bank.example", nonce[:40], false},
		{"https://bank.example", nonce + "=", false},
	} {
		if err := token.CheckRequest(tt.aud, tt.nonce); (err == nil) != tt.ok {
			t.Errorf("CheckRequest(%.20q, %q) = %v", tt.aud, tt.nonce, err)
		}
	}
}

func TestDigest(t *testing.T) {
	a, n := sha256.Sum256([]byte("aud")), sha256.Sum256([]byte("nonce"))
	want := sha256.Sum256(append(a[:], n[:]...))
	if got := token.Digest("aud", "nonce"); string(got) != string(want[:]) {
		t.Errorf("Digest = %x, want %x", got, want)
	}
	if got := token.DigestFor("RS256", "aud", "nonce"); string(got) != string(want[:]) {
		t.Errorf("DigestFor(RS256) = %x", got)
	}
	if got := token.DigestFor("ES384", "aud", "nonce"); len(got) != crypto.SHA384.Size() {
		t.Errorf("DigestFor(ES384) is %d bytes", len(got))
	}
	if token.DigestFor("PS256", "aud", "nonce") != nil {
		t.Error("DigestFor(PS256) is not nil")
	}
}

func TestParseStrict(t *testing.T) {
	good := token.Token{Version: token.Version, Algorithm: "RS256", Certificate: []byte{1, 2, 3}, Signature: []byte{4, 5}}
	raw, err := json.Marshal(good)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"version":1,"algorithm":"RS256","certificate":"AQID","signature":"BAU"}` {
		t.Fatalf("JSON form %s", raw)
	}
	tok, err := token.Parse(raw)
	if err != nil || tok.Version != 1 || tok.Algorithm != "RS256" || string(tok.Certificate) != "\x01\x02\x03" || string(tok.Signature) != "\x04\x05" {
		t.Fatalf("Parse = %+v, %v", tok, err)
	}
	for name, bad := range map[string]string{
		"trailing":      string(raw) + "{}",
		"unknown field": strings.Replace(string(raw), `{"version"`, `{"audience":"x","version"`, 1),
		"padded":        strings.Replace(string(raw), `"BAU"`, `"BAU="`, 1),
		"empty cert":    strings.Replace(string(raw), `"AQID"`, `""`, 1),
		"not JSON":      "token",
		"too large":     `{"version":1,"algorithm":"` + strings.Repeat("x", token.MaxBytes) + `"}`,
	} {
		if _, err := token.Parse([]byte(bad)); token.CodeOf(err) != token.Malformed {
			t.Errorf("%s: %v", name, err)
		}
	}
	var into token.Token
	if err := json.Unmarshal([]byte(`{"version":1}`), &into); token.CodeOf(err) != token.Malformed {
		t.Errorf("UnmarshalJSON of a partial token: %v", err)
	}
}
