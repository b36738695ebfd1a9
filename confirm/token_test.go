package confirm_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/store"
)

const audience = "https://bank.example/login"

// tokenEnv is a backend (challenges, validator) and a card.
type tokenEnv struct {
	*env
	nonces *confirm.MemoryNonceStore
	ch     *confirm.Challenges
	v      *confirm.Validator
}

func newTokenEnv(t *testing.T) *tokenEnv {
	e := newEnv(t)
	clock := func() time.Time { return e.now }
	nonces := &confirm.MemoryNonceStore{Now: clock}
	return &tokenEnv{env: e, nonces: nonces,
		ch: &confirm.Challenges{Nonces: nonces, Now: clock},
		v:  &confirm.Validator{Roots: e.roots, Nonces: nonces, Revocation: e.crls, Now: clock},
	}
}

func consentYes(context.Context, confirm.ConsentRequest) error { return nil }

// token issues a challenge and has the default holder's card answer it.
func (te *tokenEnv) token(t *testing.T, key card.KeyKind, aud string) (raw []byte, nonce string) {
	t.Helper()
	ctx := context.Background()
	ch, err := te.ch.Issue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := pin(jpkitest.DefaultAuthPIN)
	if key == card.SignKey {
		p = pin(jpkitest.DefaultSignPIN)
	}
	tok, err := confirm.MakeToken(ctx, cardOf(t, jpkitest.DefaultHolder(), card.Options{}), confirm.TokenOptions{
		Key: key, Audience: aud, Nonce: ch.Nonce, Prompt: p, Consent: consentYes})
	if err != nil {
		t.Fatal(err)
	}
	raw, err = json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	return raw, ch.Nonce
}

func TestTokenAcceptedOnceThenReplayRefused(t *testing.T) {
	for _, key := range []card.KeyKind{card.AuthKey, card.SignKey} {
		t.Run(key.String(), func(t *testing.T) {
			te := newTokenEnv(t)
			want := card.AuthKey
			if key == card.SignKey {
				want = card.SignKey
			}
			raw, nonce := te.token(t, key, audience)
			res, err := te.v.Validate(context.Background(), raw, audience, nonce, want)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Verdict.OK || res.Verdict.Revocation.Status != confirm.RevocationGood || res.Key != want.String() || res.Certificate.Serial == "" {
				t.Errorf("result = %+v", res)
			}
			if (res.Attributes != nil) != (key == card.SignKey) || (res.Attributes != nil && res.Attributes.Name != jpkitest.DefaultName) {
				t.Errorf("attributes = %+v", res.Attributes)
			}
			_, err = te.v.Validate(context.Background(), raw, audience, nonce, want)
			if confirm.TokenCode(err) != confirm.TokenNonceReplayed {
				t.Errorf("replay: %v", err)
			}
		})
	}
}

func TestTokenRefusals(t *testing.T) {
	h := jpkitest.DefaultHolder()
	tests := []struct {
		name     string
		key      card.KeyKind // key the token is made with
		want     card.KeyKind // key the validator requires
		makeAud  string
		edit     func(te *tokenEnv, raw []byte, nonce string) ([]byte, string)
		setup    func(te *tokenEnv)
		wantCode string
		// for accepted cases
		wantStatus confirm.RevocationStatus
	}{
		{name: "other audience", makeAud: "https://evil.example", wantCode: confirm.TokenDataMismatch},
		{name: "expired nonce", setup: nil, edit: func(te *tokenEnv, raw []byte, n string) ([]byte, string) {
			te.now = te.now.Add(confirm.DefaultChallengeLifetime + time.Second)
			return raw, n
		}, wantCode: confirm.TokenNonceExpired},
		{name: "unknown nonce", edit: func(te *tokenEnv, raw []byte, _ string) ([]byte, string) {
			return raw, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		}, wantCode: confirm.TokenNonceUnknown},
		{name: "auth token where sign required", key: card.AuthKey, want: card.SignKey, wantCode: confirm.TokenWrongKeyType},
		{name: "sign token where auth required", key: card.SignKey, want: card.AuthKey, wantCode: confirm.TokenWrongKeyType},
		{name: "test hierarchy under production", setup: func(te *tokenEnv) { te.v.RequireProduction = true }, wantCode: confirm.TokenTestHierarchy},
		{name: "revoked hard", setup: func(te *tokenEnv) {
			te.setCRLs(nil, []revoked{{h.AuthCert.SerialNumber, revocation.ReasonKeyCompromise}})
		}, wantCode: confirm.TokenRevoked},
		{name: "revoked soft", setup: func(te *tokenEnv) {
			te.v.RevocationPolicy = revocation.PolicySoft
			te.setCRLs(nil, []revoked{{h.AuthCert.SerialNumber, revocation.ReasonKeyCompromise}})
		}, wantCode: confirm.TokenRevoked},
		{name: "revocation unknown hard", setup: func(te *tokenEnv) { te.v.Revocation = nil }, wantCode: confirm.TokenRevocationUnknown},
		{name: "stale CRL hard", setup: func(te *tokenEnv) {
			te.crls.Now = func() time.Time { return te.now.Add(30 * 24 * time.Hour) }
		}, wantCode: confirm.TokenRevocationUnknown},
		{name: "listed in a stale CRL, soft", setup: func(te *tokenEnv) {
			te.v.RevocationPolicy = revocation.PolicySoft
			te.setCRLs(nil, []revoked{{h.AuthCert.SerialNumber, revocation.ReasonKeyCompromise}})
			te.crls.Now = func() time.Time { return te.now.Add(30 * 24 * time.Hour) }
		}, wantCode: confirm.TokenRevoked},
		{name: "revocation unknown soft accepted", setup: func(te *tokenEnv) {
			te.v.Revocation = nil
			te.v.RevocationPolicy = revocation.PolicySoft
		}, wantStatus: confirm.RevocationUnknown},
		{name: "revocation off accepted", setup: func(te *tokenEnv) {
			te.v.RevocationPolicy = revocation.PolicyOff
			te.setCRLs(nil, []revoked{{h.AuthCert.SerialNumber, revocation.ReasonKeyCompromise}})
		}, wantStatus: confirm.RevocationNotChecked},
		{name: "tampered signature", edit: func(_ *tokenEnv, raw []byte, n string) ([]byte, string) {
			tok, _ := confirm.ParseToken(raw)
			tok.Signature[17] ^= 0x01
			out, _ := json.Marshal(tok)
			return out, n
		}, wantCode: confirm.TokenBadSignature},
		{name: "malformed", edit: func(_ *tokenEnv, raw []byte, n string) ([]byte, string) {
			return raw[:len(raw)-2], n
		}, wantCode: confirm.TokenMalformed},
		{name: "unknown field", edit: func(_ *tokenEnv, raw []byte, n string) ([]byte, string) {
			return []byte(strings.Replace(string(raw), `{"version"`, `{"audience":"x","version"`, 1)), n
		}, wantCode: confirm.TokenMalformed},
		{name: "other version", edit: func(_ *tokenEnv, raw []byte, n string) ([]byte, string) {
			return []byte(strings.Replace(string(raw), `"version":1`, `"version":2`, 1)), n
		}, wantCode: confirm.TokenUnsupportedVersion},
		{name: "other algorithm", edit: func(_ *tokenEnv, raw []byte, n string) ([]byte, string) {
			return []byte(strings.Replace(string(raw), `"RS256"`, `"PS256"`, 1)), n
		}, wantCode: confirm.TokenUnsupportedAlgorithm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := newTokenEnv(t)
			key, want, aud := tt.key, tt.want, tt.makeAud
			if key == 0 {
				key = card.AuthKey
			}
			if want == 0 {
				want = card.AuthKey
			}
			if aud == "" {
				aud = audience
			}
			raw, nonce := te.token(t, key, aud)
			if tt.setup != nil {
				tt.setup(te)
			}
			if tt.edit != nil {
				raw, nonce = tt.edit(te, raw, nonce)
			}
			res, err := te.v.Validate(context.Background(), raw, audience, nonce, want)
			if tt.wantCode == "" {
				if err != nil || !res.Verdict.OK || res.Verdict.Revocation.Status != tt.wantStatus {
					t.Fatalf("Validate = %+v, %v; want accepted with %s", res, err, tt.wantStatus)
				}
				return
			}
			var te2 *confirm.TokenError
			if !errors.As(err, &te2) || te2.Code != tt.wantCode || res != nil {
				t.Fatalf("Validate = %+v, %v; want code %s", res, err, tt.wantCode)
			}
		})
	}
}

func TestTokenCodesDistinct(t *testing.T) {
	codes := []string{confirm.TokenMalformed, confirm.TokenUnsupportedVersion, confirm.TokenUnsupportedAlgorithm, confirm.TokenBadRequest,
		confirm.TokenNonceUnknown, confirm.TokenNonceReplayed, confirm.TokenNonceExpired, confirm.TokenNonceStore, confirm.TokenBadCertificate,
		confirm.TokenWrongKeyType, confirm.TokenBadSignature, confirm.TokenDataMismatch, confirm.TokenUntrusted, confirm.TokenTestHierarchy,
		confirm.TokenCertExpired, confirm.TokenCertNotYetValid, confirm.TokenCertProfile, confirm.TokenRevoked, confirm.TokenRevocationUnknown}
	seen := map[string]bool{}
	for _, c := range codes {
		if seen[c] || c == "" {
			t.Errorf("code %q repeated or empty", c)
		}
		seen[c] = true
	}
}

func TestTokenWithStoreNonces(t *testing.T) {
	ctx := context.Background()
	te := newTokenEnv(t)
	// The records store's nonces judge expiry by the real clock: issue
	// with it.
	te.ch = &confirm.Challenges{Nonces: te.st}
	te.v.Nonces = te.st
	raw, nonce := te.token(t, card.AuthKey, audience)
	if _, err := te.v.Validate(ctx, raw, audience, nonce, card.AuthKey); err != nil {
		t.Fatal(err)
	}
	if _, err := te.v.Validate(ctx, raw, audience, nonce, card.AuthKey); confirm.TokenCode(err) != confirm.TokenNonceReplayed {
		t.Errorf("replay: %v", err)
	}
	// Expired: issued with a clock an hour behind.
	te.ch = &confirm.Challenges{Nonces: te.st, Now: func() time.Time { return time.Now().Add(-time.Hour) }}
	raw, nonce = te.token(t, card.AuthKey, audience)
	if _, err := te.v.Validate(ctx, raw, audience, nonce, card.AuthKey); confirm.TokenCode(err) != confirm.TokenNonceExpired {
		t.Errorf("expired: %v", err)
	}
}

func TestMakeTokenConsent(t *testing.T) {
	ctx := context.Background()
	te := newTokenEnv(t)
	ch, err := te.ch.Issue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h := jpkitest.DefaultHolder()
	opts := confirm.TokenOptions{Key: card.SignKey, Audience: audience, Nonce: ch.Nonce, Prompt: pin(jpkitest.DefaultSignPIN)}

	if _, err := confirm.MakeToken(ctx, cardOf(t, h, card.Options{}), opts); !errors.Is(err, confirm.ErrConsentRequired) {
		t.Errorf("no consent func: %v", err)
	}
	var shown confirm.ConsentRequest
	opts.Consent = func(_ context.Context, r confirm.ConsentRequest) error { shown = r; return errors.New("no thanks") }
	if tok, err := confirm.MakeToken(ctx, cardOf(t, h, card.Options{}), opts); !errors.Is(err, confirm.ErrDeclined) || !errors.Is(err, card.ErrNotApproved) || tok != nil {
		t.Errorf("declined: %v, %v", tok, err)
	}
	if shown.Audience != audience || shown.Attributes == nil || shown.Attributes.Name != jpkitest.DefaultName || shown.Attributes.Address != jpkitest.DefaultAddress ||
		shown.Attributes.BirthDate != "1985-04-01" || shown.Attributes.Sex != "male" {
		t.Errorf("consent shown %+v", shown)
	}
	// Bad inputs never reach the card.
	for _, o := range []confirm.TokenOptions{
		{Audience: "", Nonce: ch.Nonce},
		{Audience: audience, Nonce: "short"},
		{Audience: audience, Nonce: ch.Nonce + "="},
	} {
		o.Prompt = pin(jpkitest.DefaultAuthPIN)
		if _, err := confirm.MakeToken(ctx, cardOf(t, h, card.Options{}), o); err == nil {
			t.Errorf("MakeToken(%+v) accepted", o)
		}
	}
}

func TestMemoryNonceStore(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	m := &confirm.MemoryNonceStore{Now: func() time.Time { return now }}
	if err := m.PutNonce(ctx, "a", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := m.PutNonce(ctx, "a", now.Add(time.Minute)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("put twice: %v", err)
	}
	if err := m.ConsumeNonce(ctx, "b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown: %v", err)
	}
	if err := m.ConsumeNonce(ctx, "a"); err != nil {
		t.Errorf("consume: %v", err)
	}
	if err := m.ConsumeNonce(ctx, "a"); !errors.Is(err, store.ErrConsumed) {
		t.Errorf("consume twice: %v", err)
	}
	m.PutNonce(ctx, "c", now.Add(time.Minute))
	now = now.Add(time.Minute)
	if err := m.ConsumeNonce(ctx, "c"); !errors.Is(err, store.ErrExpired) {
		t.Errorf("expired: %v", err)
	}
	if n, _ := m.PurgeNonces(ctx, now); n != 2 {
		t.Errorf("purged %d", n)
	}
}
