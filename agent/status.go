package agent

import (
	"context"
	_ "embed"
	"errors"
	"net/http"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki/revocation"
)

// APIVersion is the version of the API, of its OpenAPI document
// (/v1/openapi.json) and of the JavaScript client (/mynacard-client.js):
// all three change together, and only compatibly within one version.
const APIVersion = "v1"

// DefaultIdleTimeout is how long the page keeps a result, an error or a
// half-typed PIN on screen without a touch before it wipes it.
const DefaultIdleTimeout = 30 * time.Second

// PageDeadlineMargin is how much longer than OperationTimeout the page
// waits for an answer before it gives up on its own (the agent answers
// within OperationTimeout plus operationGrace), unless Config.PageDeadline
// says otherwise.
const PageDeadlineMargin = 5 * time.Second

// Reasons of Status.NotReady.
const (
	// NotReadyRevocation: the revocation policy is hard and no revocation
	// source is configured, so every verdict would be a refusal. The agent
	// refuses every confirmation (503 not_configured) before any card
	// access.
	NotReadyRevocation = "revocation_not_configured"
)

// Status is the answer of GET /v1/status: what the page needs before it
// offers anything.
type Status struct {
	// API is APIVersion.
	API string `json:"api"`
	// Ready is false when the agent cannot confirm anything as configured;
	// NotReady then names the reason (NotReadyXxx).
	Ready    bool   `json:"ready"`
	NotReady string `json:"not_ready,omitempty"`
	// Revocation is the revocation policy: "hard", "soft" or "off".
	Revocation string `json:"revocation"`
	// RevocationSource is false when no revocation source is configured.
	RevocationSource bool `json:"revocation_source"`
	// OperationTimeoutMS is Config.OperationTimeout; PageDeadlineMS is how
	// long a page should wait for an operation's answer before giving up.
	OperationTimeoutMS int64 `json:"operation_timeout_ms"`
	PageDeadlineMS     int64 `json:"page_deadline_ms"`
	// IdleTimeoutMS is Config.IdleTimeout: how long the page keeps
	// personal data or a half-typed PIN on screen without a touch.
	IdleTimeoutMS int64 `json:"idle_timeout_ms"`
}

func (s *Server) status() Status {
	cc := s.cfg.Confirmer.Config()
	st := Status{
		API: APIVersion, Ready: true,
		Revocation:         policyName(cc.RevocationPolicy),
		RevocationSource:   revocation.HasSource(cc.Revocation),
		OperationTimeoutMS: s.cfg.OperationTimeout.Milliseconds(),
		PageDeadlineMS:     s.cfg.PageDeadline.Milliseconds(),
		IdleTimeoutMS:      s.cfg.IdleTimeout.Milliseconds(),
	}
	if cc.RevocationPolicy == revocation.PolicyHard && !revocation.HasSource(cc.Revocation) {
		st.Ready, st.NotReady = false, NotReadyRevocation
	}
	return st
}

func policyName(p revocation.Policy) string {
	switch p {
	case revocation.PolicySoft:
		return "soft"
	case revocation.PolicyOff:
		return "off"
	}
	return "hard"
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.status())
}

// ready writes 503 not_configured and returns false when the agent cannot
// confirm anything as configured: checked before the card is touched or a
// PIN is read from the request.
func (s *Server) ready(w http.ResponseWriter) bool {
	if st := s.status(); !st.Ready {
		writeError(w, newAPIError(http.StatusServiceUnavailable, CodeNotConfigured,
			"the revocation policy is hard and no revocation source is configured: every verdict would be a refusal"))
		return false
	}
	return true
}

// PINStatus is the answer of GET /v1/pin-status: the tries left of a PIN,
// read with an empty VERIFY that spends none, so that the page can say
// them before the holder types.
type PINStatus struct {
	// Key is "sign" (the signing password), "auth" (the 4-digit PIN),
	// "text" (the text application's 4-digit PIN), "pin_b" (照合番号B) or
	// "birth_date" (the birth-date key of an age check).
	Key string `json:"key"`
	// TriesLeft is the number of tries left; absent when the card did not
	// say.
	TriesLeft *int `json:"tries_left,omitempty"`
	// LastTry is true with one try left: the agent refuses to spend it
	// (422 last_try), the holder must go to the municipality's counter.
	LastTry bool `json:"last_try"`
	// Blocked is true when no try is left.
	Blocked bool `json:"blocked"`
}

// handlePINStatus answers GET /v1/pin-status?key=KEY&reader=NAME, KEY
// one of sign (the default), auth, text, pin_b and birth_date. It is a
// card operation (409 busy while another runs) without a PIN.
func (s *Server) handlePINStatus(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	keyName := q.Get("key")
	if keyName == "" {
		keyName = card.SignKey.String()
	}
	kind, ok := pinKinds[keyName]
	if !ok {
		writeError(w, newAPIError(http.StatusBadRequest, CodeBadRequest, `key must be "sign", "auth", "text", "pin_b" or "birth_date"`))
		return
	}
	s.runCard(w, r, q.Get("reader"), nil, func(ctx context.Context, j *card.JPKI, _ card.PINPrompt) (any, error) {
		ps := PINStatus{Key: keyName}
		n, err := j.PINStatus(ctx, kind)
		switch {
		case errors.Is(err, card.ErrPINBlocked):
			zero := 0
			ps.TriesLeft, ps.Blocked = &zero, true
		case err != nil:
			return nil, err
		case n != card.RemainingUnknown:
			ps.TriesLeft, ps.LastTry, ps.Blocked = &n, n == 1, n == 0
		}
		return ps, nil
	})
}

// openAPI is the OpenAPI 3.1 document of the API (agent/openapi.json),
// served at GET /v1/openapi.json.
//
//go:embed openapi.json
var openAPI []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(openAPI)
}
