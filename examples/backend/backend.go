package main

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/token"
)

// maxBody bounds a request body: a token and a nonce.
const maxBody = token.MaxBytes + 1024

// Backend is a service that trusts no kiosk: it issues one-time
// challenges and accepts a confirmation token only as the answer to one of
// them, for its own audience, made with the key it requires.
//
//	POST /challenge  → 200 {"nonce": "...", "expires_at": "..."}
//	POST /confirm    {"nonce": "...", "token": {...}}
//	                 → 200 {"accepted": true, "result": {...}}
//	                 → 403 {"accepted": false, "code": "nonce_replayed", "detail": "..."}
//
// The client says which challenge it answers; that is safe because only
// nonces this backend issued are in its store and each is consumed on
// first use. A web application would rather keep the nonce in the
// user's session and not take it from the request at all.
type Backend struct {
	Challenges *token.Challenges
	Validator  *token.Validator
	// Audience is this service's identifier, the one tokens must be made
	// for.
	Audience string
	// Kind is the key required: card.AuthKey (log-in, qualification) or
	// card.SignKey (identification with the holder's details).
	Kind card.KeyKind
}

// ConfirmRequest is the body of POST /confirm.
type ConfirmRequest struct {
	Nonce string          `json:"nonce"`
	Token json.RawMessage `json:"token"`
}

// ConfirmResponse is the answer of POST /confirm.
type ConfirmResponse struct {
	Accepted bool `json:"accepted"`
	// Result is the accepted token (token.Result's JSON form: key,
	// certificate, holder's details for the signing key, root, revocation).
	Result *token.Result `json:"result,omitempty"`
	Code   token.Code    `json:"code,omitempty"`
	Detail string        `json:"detail,omitempty"`
}

// Handler returns the HTTP routes.
func (b *Backend) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /challenge", b.challenge)
	mux.HandleFunc("POST /confirm", b.confirm)
	return mux
}

func (b *Backend) challenge(w http.ResponseWriter, r *http.Request) {
	ch, err := b.Challenges.Issue(r.Context())
	if err != nil {
		http.Error(w, "cannot issue a challenge", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, ch)
}

func (b *Backend) confirm(w http.ResponseWriter, r *http.Request) {
	var req ConfirmRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, ConfirmResponse{Code: token.Malformed, Detail: "request is not JSON"})
		return
	}
	res, err := b.Validator.Validate(r.Context(), req.Token, b.Audience, req.Nonce, b.Kind)
	if err != nil {
		var te *token.Error
		if !errors.As(err, &te) {
			http.Error(w, "validation failed", http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusForbidden, ConfirmResponse{Code: te.Code, Detail: te.Detail})
		return
	}
	writeJSON(w, http.StatusOK, ConfirmResponse{Accepted: true, Result: res})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
