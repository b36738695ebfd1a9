package agent_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
)

func TestStatusAndPINStatus(t *testing.T) {
	vc := newCard(t, virtual.WithMaxTries(virtual.PINJPKISign, 5))
	r, _ := memAgent(t, vc, nil)
	a := r.call(t, "GET", "/v1/status", nil, nil)
	if a.Status != 200 || a.Body["ready"] != true || a.Body["api"] != agent.APIVersion ||
		a.Body["idle_timeout_ms"] != float64(agent.DefaultIdleTimeout.Milliseconds()) ||
		a.Body["page_deadline_ms"] != float64((agent.DefaultOperationTimeout+agent.PageDeadlineMargin).Milliseconds()) {
		t.Errorf("status: %d %s", a.Status, a.Raw)
	}
	apdus := vc.Stats().APDUs
	a = r.call(t, "GET", "/v1/pin-status?key=auth", nil, nil)
	if a.Status != 200 || a.Body["tries_left"] != float64(3) || a.Body["last_try"] != false || a.Body["blocked"] != false {
		t.Errorf("auth pin status: %d %s", a.Status, a.Raw)
	}
	if vc.Stats().APDUs == apdus {
		t.Error("pin status sent nothing to the card")
	}
	if n := vc.TriesLeft(virtual.PINJPKIAuth); n != virtual.MaxTriesJPKIAuth {
		t.Errorf("pin status spent a try: %d left", n)
	}
	a = r.call(t, "GET", "/v1/pin-status?key=sign", nil, nil)
	if a.Status != 200 || a.Body["tries_left"] != float64(5) {
		t.Errorf("sign pin status: %d %s", a.Status, a.Raw)
	}
	// One try left: last_try, and the agent would refuse to spend it.
	for range 2 {
		r.call(t, "POST", "/v1/qualify", map[string]any{"pin": "9999"}, nil)
	}
	a = r.call(t, "GET", "/v1/pin-status?key=auth", nil, nil)
	if a.Status != 200 || a.Body["tries_left"] != float64(1) || a.Body["last_try"] != true {
		t.Errorf("pin status at the last try: %d %s", a.Status, a.Raw)
	}
	if a := r.call(t, "GET", "/v1/pin-status?key=both", nil, nil); a.Status != 400 || a.code() != agent.CodeBadRequest {
		t.Errorf("bad key: %d %s", a.Status, a.Raw)
	}
	// A blocked PIN answers the empty VERIFY with 6983.
	blocked := newCard(t, virtual.WithFaults(virtual.Fault{Kind: virtual.FaultStatus, MatchINS: true, INS: 0x20, SW: 0x6983}))
	rb, _ := memAgent(t, blocked, nil)
	if a := rb.call(t, "GET", "/v1/pin-status?key=auth", nil, nil); a.Status != 200 || a.Body["blocked"] != true || a.Body["tries_left"] != float64(0) {
		t.Errorf("blocked pin status: %d %s", a.Status, a.Raw)
	}
}

// TestNotConfigured: with a hard revocation policy and no revocation
// source every verdict would be a refusal: the agent says so in its status
// and refuses every confirmation before the card is touched.
func TestNotConfigured(t *testing.T) {
	p := jpkitest.Default()
	roots, err := jpki.NewRoots(jpki.WithTestHierarchy(append(p.Roots(card.SignKey), p.Roots(card.AuthKey)...)...))
	if err != nil {
		t.Fatal(err)
	}
	conf, err := confirm.New(confirm.Config{Roots: roots, RevocationPolicy: revocation.PolicyHard, Now: jpkitest.ReferenceTime})
	if err != nil {
		t.Fatal(err)
	}
	vc := newCard(t)
	r, _ := memAgent(t, vc, func(c *agent.Config) { c.Confirmer = conf })
	a := r.call(t, "GET", "/v1/status", nil, nil)
	if a.Status != 200 || a.Body["ready"] != false || a.Body["not_ready"] != agent.NotReadyRevocation || a.Body["revocation"] != "hard" {
		t.Errorf("status: %d %s", a.Status, a.Raw)
	}
	apdus := vc.Stats().APDUs
	for _, c := range []struct {
		path string
		body map[string]any
	}{
		{"/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN}},
		{"/v1/identify", map[string]any{"pin": jpkitest.DefaultSignPIN}},
		{"/v1/changes", map[string]any{"enrolment_id": 1, "pin": jpkitest.DefaultSignPIN}},
	} {
		if a := r.call(t, "POST", c.path, c.body, nil); a.Status != 503 || a.code() != agent.CodeNotConfigured {
			t.Errorf("%s: %d %s", c.path, a.Status, a.Raw)
		}
	}
	if n := vc.Stats().APDUs; n != apdus {
		t.Errorf("the card got %d APDUs", n-apdus)
	}
}

func TestTokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	tok, err := agent.LoadOrCreateToken(path)
	if err != nil || len(tok) < 16 {
		t.Fatalf("creating: %q %v", tok, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	again, err := agent.LoadOrCreateToken(path)
	if err != nil || again != tok {
		t.Errorf("reading again: %q %v, want %q", again, err, tok)
	}
	// Two agents started with the file keep one token across restarts.
	for range 2 {
		r, _ := memAgent(t, nil, func(c *agent.Config) { c.Token = again })
		if got := r.srv.Token(); got != tok {
			t.Errorf("agent token %q, want %q", got, tok)
		}
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := agent.LoadOrCreateToken(path); !errors.Is(err, agent.ErrTokenFileMode) {
			t.Errorf("world-readable file: %v", err)
		}
		os.Chmod(path, 0o600)
	}
	short := filepath.Join(t.TempDir(), "short")
	os.WriteFile(short, []byte("abc\n"), 0o600)
	if _, err := agent.LoadOrCreateToken(short); err == nil {
		t.Error("a 3-character token was accepted")
	}
}
