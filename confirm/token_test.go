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
	"github.com/mynacard/mynacard/token"
)

const audience = "https://bank.example/login"

// tokenEnv is a backend (challenges, validator) and a card.
type tokenEnv struct {
	*env
	nonces *token.MemoryNonces
	ch     *token.Challenges
	v      *token.Validator
}

func newTokenEnv(t *testing.T) *tokenEnv {
	e := newEnv(t)
	clock := func() time.Time { return e.now }
	nonces := &token.MemoryNonces{Now: clock}
	return &tokenEnv{env: e, nonces: nonces,
		ch: &token.Challenges{Nonces: nonces, Now: clock},
		v:  &token.Validator{Roots: e.roots, Nonces: nonces, Revocation: e.crls, Now: clock},
	}
}

// revocationStatus is an accepted token's revocation answer: "good",
// "unknown" (soft policy) or "not_checked" (off).
func revocationStatus(res *token.Result) string {
	if res.Revocation == nil {
		return "not_checked"
	}
	return res.Revocation.Status.String()
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
			if res == nil || revocationStatus(res) != "good" || res.Key != want || res.Certificate.SerialNumber == nil {
				t.Errorf("result = %+v", res)
			}
			if (res.Certificate.Attributes != nil) != (key == card.SignKey) || (res.Certificate.Attributes != nil && res.Certificate.Attributes.Name != jpkitest.DefaultName) {
				t.Errorf("attributes = %+v", res.Certificate.Attributes)
			}
			_, err = te.v.Validate(context.Background(), raw, audience, nonce, want)
			if token.CodeOf(err) != token.NonceReplayed {
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
		wantCode token.Code
		// for accepted cases
		wantStatus string
	}{
		{name: "other audience", makeAud: "https://evil.example", wantCode: token.DataMismatch},
		{name: "expired nonce", setup: nil, edit: func(te *tokenEnv, raw []byte, n string) ([]byte, string) {
			te.now = te.now.Add(token.DefaultChallengeLifetime + time.Second)
			return raw, n
		}, wantCode: token.NonceExpired},
		{name: "unknown nonce", edit: func(te *tokenEnv, raw []byte, _ string) ([]byte, string) {
			return raw, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		}, wantCode: token.NonceUnknown},
		{name: "auth token where sign required", key: card.AuthKey, want: card.SignKey, wantCode: token.WrongKeyType},
		{name: "sign token where auth required", key: card.SignKey, want: card.AuthKey, wantCode: token.WrongKeyType},
		{name: "test hierarchy under production", setup: func(te *tokenEnv) { te.v.RequireProduction = true }, wantCode: token.TestHierarchy},
		{name: "revoked hard", setup: func(te *tokenEnv) {
			te.setCRLs(nil, []revoked{{h.AuthCert.SerialNumber, revocation.ReasonKeyCompromise}})
		}, wantCode: token.Revoked},
		{name: "revoked soft", setup: func(te *tokenEnv) {
			te.v.RevocationPolicy = revocation.PolicySoft
			te.setCRLs(nil, []revoked{{h.AuthCert.SerialNumber, revocation.ReasonKeyCompromise}})
		}, wantCode: token.Revoked},
		{name: "revocation unknown hard", setup: func(te *tokenEnv) { te.v.Revocation = nil }, wantCode: token.RevocationUnknown},
		{name: "unconfigured source hard", setup: func(te *tokenEnv) { te.v.Revocation = revocation.NoSource }, wantCode: token.RevocationUnknown},
		{name: "unconfigured source from Config.Load, hard", setup: func(te *tokenEnv) {
			chk, _, err := revocation.Config{}.Load(context.Background(), te.roots.Certificates())
			if err != nil {
				panic(err)
			}
			te.v.Revocation = chk
		}, wantCode: token.RevocationUnknown},
		{name: "stale CRL hard", setup: func(te *tokenEnv) {
			te.crls.Now = func() time.Time { return te.now.Add(30 * 24 * time.Hour) }
		}, wantCode: token.RevocationUnknown},
		{name: "listed in a stale CRL, soft", setup: func(te *tokenEnv) {
			te.v.RevocationPolicy = revocation.PolicySoft
			te.setCRLs(nil, []revoked{{h.AuthCert.SerialNumber, revocation.ReasonKeyCompromise}})
			te.crls.Now = func() time.Time { return te.now.Add(30 * 24 * time.Hour) }
		}, wantCode: token.Revoked},
		{name: "revocation unknown soft accepted", setup: func(te *tokenEnv) {
			te.v.Revocation = nil
			te.v.RevocationPolicy = revocation.PolicySoft
		}, wantStatus: "unknown"},
		{name: "revocation off accepted", setup: func(te *tokenEnv) {
			te.v.RevocationPolicy = revocation.PolicyOff
			te.setCRLs(nil, []revoked{{h.AuthCert.SerialNumber, revocation.ReasonKeyCompromise}})
		}, wantStatus: "not_checked"},
		{name: "tampered signature", edit: func(_ *tokenEnv, raw []byte, n string) ([]byte, string) {
			tok, _ := token.Parse(raw)
			tok.Signature[17] ^= 0x01
			out, _ := json.Marshal(tok)
			return out, n
		}, wantCode: token.BadSignature},
		{name: "malformed", edit: func(_ *tokenEnv, raw []byte, n string) ([]byte, string) {
			return raw[:len(raw)-2], n
		}, wantCode: token.Malformed},
		{name: "unknown field", edit: func(_ *tokenEnv, raw []byte, n string) ([]byte, string) {
			return []byte(strings.Replace(string(raw), `{"version"`, `{"audience":"x","version"`, 1)), n
		}, wantCode: token.Malformed},
		{name: "other version", edit: func(_ *tokenEnv, raw []byte, n string) ([]byte, string) {
			return []byte(strings.Replace(string(raw), `"version":1`, `"version":2`, 1)), n
		}, wantCode: token.UnsupportedVersion},
		{name: "other algorithm", edit: func(_ *tokenEnv, raw []byte, n string) ([]byte, string) {
			return []byte(strings.Replace(string(raw), `"RS256"`, `"PS256"`, 1)), n
		}, wantCode: token.UnsupportedAlgorithm},
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
				if err != nil || res == nil || revocationStatus(res) != tt.wantStatus {
					t.Fatalf("Validate = %+v, %v; want accepted with %s", res, err, tt.wantStatus)
				}
				return
			}
			var te2 *token.Error
			if !errors.As(err, &te2) || te2.Code != tt.wantCode || res != nil {
				t.Fatalf("Validate = %+v, %v; want code %s", res, err, tt.wantCode)
			}
		})
	}
}

func TestTokenWithStoreNonces(t *testing.T) {
	ctx := context.Background()
	te := newTokenEnv(t)
	// The records store's nonces judge expiry by the real clock: issue
	// with it.
	te.ch = &token.Challenges{Nonces: te.st}
	te.v.Nonces = te.st
	raw, nonce := te.token(t, card.AuthKey, audience)
	if _, err := te.v.Validate(ctx, raw, audience, nonce, card.AuthKey); err != nil {
		t.Fatal(err)
	}
	if _, err := te.v.Validate(ctx, raw, audience, nonce, card.AuthKey); token.CodeOf(err) != token.NonceReplayed {
		t.Errorf("replay: %v", err)
	}
	// Expired: issued with a clock an hour behind.
	te.ch = &token.Challenges{Nonces: te.st, Now: func() time.Time { return time.Now().Add(-time.Hour) }}
	raw, nonce = te.token(t, card.AuthKey, audience)
	if _, err := te.v.Validate(ctx, raw, audience, nonce, card.AuthKey); token.CodeOf(err) != token.NonceExpired {
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
		viewOf(t, shown.Attributes).BirthDate != "1985-04-01" || viewOf(t, shown.Attributes).Sex != "male" {
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
