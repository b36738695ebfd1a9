package agent

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/token"
)

// IdentifyRequest is the body of POST /v1/identify.
type IdentifyRequest struct {
	// Reader names the reader; empty picks the only reader holding a card.
	Reader string `json:"reader,omitempty"`
	// Key is "sign" (default: the signing password, giving name, address,
	// birth date and sex) or "auth" (the 4-digit PIN: "same holder as
	// enrolled" only).
	Key string `json:"key,omitempty"`
	// PIN is the key's PIN. It is decoded into bytes, never a string, and
	// wiped after use.
	PIN PIN `json:"pin"`
	// Enroll stores the identity when the verdict is OK.
	Enroll bool `json:"enroll,omitempty"`
}

// QualifyRequest is the body of POST /v1/qualify.
type QualifyRequest struct {
	Reader string `json:"reader,omitempty"`
	// PIN is the 4-digit user-authentication PIN.
	PIN PIN `json:"pin"`
}

// ChangesRequest is the body of POST /v1/changes. With a PIN it is a
// registration change at the counter: the holder identifies with the signing
// password and, when the old enrolment's certificate was revoked for a
// registration change, the new one replaces it (confirm.IdentifyOptions
// Replaces); the answer is a confirm.Identification with its Change. Without
// a PIN it only checks the enrolment's revocation status now
// (confirm.Confirmer.CheckEnrolment) and needs no card; the answer is a
// confirm.ChangeResult.
type ChangesRequest struct {
	Reader      string `json:"reader,omitempty"`
	EnrolmentID int64  `json:"enrolment_id"`
	PIN         PIN    `json:"pin,omitempty"`
}

// TokenRequest is the body of POST /v1/token: the holder's card signs a
// confirmation token (confirm.MakeToken, package token) with the authentication key over
// the backend's nonce and the audience of the agent's configuration
// (Config.Audience). A request cannot name the audience: a page could
// otherwise obtain a token meant for another service.
type TokenRequest struct {
	Reader string `json:"reader,omitempty"`
	// Nonce is the challenge's nonce as the backend issued it.
	Nonce string `json:"nonce"`
	// PIN is the 4-digit user-authentication PIN.
	PIN PIN `json:"pin"`
}

// maxNonceLen bounds TokenRequest.Nonce; backends issue a few dozen
// base64url characters.
const maxNonceLen = 512

// operation is one card operation: it gets the opened card and a prompt
// answering the request's PIN.
type operation func(ctx context.Context, j *card.JPKI, prompt card.PINPrompt) (any, error)

func (s *Server) handleReaders(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.hub.readers())
}

func (s *Server) handleIdentify(w http.ResponseWriter, r *http.Request) {
	if !s.ready(w) {
		return
	}
	var req IdentifyRequest
	defer func() { wipe(req.PIN) }()
	if !s.readRequest(w, r, &req) {
		return
	}
	key, ok := parseKey(req.Key)
	if !ok {
		writeError(w, newAPIError(http.StatusBadRequest, CodeBadRequest, `key must be "sign" or "auth"`))
		return
	}
	s.runOperation(w, r, req.Reader, req.PIN, func(ctx context.Context, j *card.JPKI, prompt card.PINPrompt) (any, error) {
		return s.cfg.Confirmer.Identify(ctx, j, confirm.IdentifyOptions{Key: key, Prompt: prompt, Enroll: req.Enroll})
	})
}

func (s *Server) handleQualify(w http.ResponseWriter, r *http.Request) {
	if !s.ready(w) {
		return
	}
	var req QualifyRequest
	defer func() { wipe(req.PIN) }()
	if !s.readRequest(w, r, &req) {
		return
	}
	s.runOperation(w, r, req.Reader, req.PIN, func(ctx context.Context, j *card.JPKI, prompt card.PINPrompt) (any, error) {
		return s.cfg.Confirmer.Qualify(ctx, j, confirm.QualifyOptions{Prompt: prompt})
	})
}

func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request) {
	if !s.ready(w) {
		return
	}
	var req ChangesRequest
	defer func() { wipe(req.PIN) }()
	if !s.readRequest(w, r, &req) {
		return
	}
	if req.EnrolmentID <= 0 {
		writeError(w, newAPIError(http.StatusBadRequest, CodeBadRequest, "enrolment_id required"))
		return
	}
	if len(req.PIN) == 0 {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.OperationTimeout)
		defer cancel()
		res, err := s.cfg.Confirmer.CheckEnrolment(ctx, req.EnrolmentID)
		if err != nil {
			writeError(w, toAPIError(err))
			return
		}
		writeJSON(w, http.StatusOK, res)
		return
	}
	s.runOperation(w, r, req.Reader, req.PIN, func(ctx context.Context, j *card.JPKI, prompt card.PINPrompt) (any, error) {
		return s.cfg.Confirmer.Identify(ctx, j, confirm.IdentifyOptions{Key: card.SignKey, Prompt: prompt, Replaces: req.EnrolmentID})
	})
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	var req TokenRequest
	defer func() { wipe(req.PIN) }()
	if s.cfg.Audience == "" {
		writeError(w, newAPIError(http.StatusNotFound, CodeNotFound, "tokens are not configured on this agent (no audience)"))
		return
	}
	if !s.ready(w) || !s.readRequest(w, r, &req) {
		return
	}
	// The nonce's form is checked before the card is touched (confirm
	// checks it again).
	if b, err := base64.RawURLEncoding.Strict().DecodeString(req.Nonce); err != nil || len(b) < token.NonceSize || len(req.Nonce) > maxNonceLen {
		writeError(w, newAPIError(http.StatusBadRequest, CodeBadRequest,
			fmt.Sprintf("nonce must be %d to %d bytes in unpadded base64url", token.NonceSize, maxNonceLen*3/4)))
		return
	}
	s.runOperation(w, r, req.Reader, req.PIN, func(ctx context.Context, j *card.JPKI, prompt card.PINPrompt) (any, error) {
		return confirm.MakeToken(ctx, j, confirm.TokenOptions{Key: card.AuthKey, Audience: s.cfg.Audience, Nonce: req.Nonce, Prompt: prompt})
	})
}

// readRequest bounds the time to read the body and decodes it; on failure
// it has written the error.
func (s *Server) readRequest(w http.ResponseWriter, r *http.Request, v any) bool {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(bodyTimeout))
	if err := readJSON(w, r, v); err != nil {
		writeError(w, toAPIError(err))
		return false
	}
	return true
}

// chooseReader returns name, or the only reader holding a card.
func (s *Server) chooseReader(name string) (string, *apiError) {
	if name != "" {
		if f := s.cfg.Watch.Readers; f != nil && !f(name) {
			return "", newAPIError(http.StatusNotFound, CodeNotFound, "reader not served by this agent")
		}
		return name, nil
	}
	var with []string
	rs := s.hub.readers()
	for _, st := range rs {
		if st.CardPresent {
			with = append(with, st.Name)
		}
	}
	switch {
	case len(with) == 1:
		return with[0], nil
	case len(with) > 1:
		return "", newAPIError(http.StatusConflict, CodeAmbiguousReader, "several readers hold a card: name one in \"reader\"")
	case len(rs) == 1:
		return rs[0].Name, nil
	}
	return "", newAPIError(http.StatusConflict, CodeNoCard, "no card in any reader")
}

// operationGrace is how long runOperation waits, once the operation's
// context has ended (timeout, card removed, client gone), for the operation
// to return its own error before it answers without it. A transmit the card
// never answers does not return: the answer must not wait for it.
const operationGrace = 300 * time.Millisecond

// statusClientGone and codeClientGone name, in the log only, an operation
// whose client closed the connection before the answer (nginx's 499).
const (
	statusClientGone = 499
	codeClientGone   = "client_gone"
)

// runOperation runs op on the card in the chosen reader: one operation at a
// time per reader (409 busy), bounded by OperationTimeout, cancelled when the
// watcher sees the card leave (410 card_removed).
//
// The operation runs in a goroutine of its own, so that the answer never
// waits on a card or reader that stopped answering: at the timeout the
// client gets 504 within operationGrace, while the abandoned operation is
// left to finish on its own. The reader stays busy (409 for every later
// request, "busy" in GET /v1/readers) until it has: the card may still hold
// a verified PIN until the transaction's end clears it (the card layer
// clears the security state at the end of every PIN transaction, and the
// connection's Close resets a card that was sent a PIN), and no later
// request may use it before that.
func (s *Server) runOperation(w http.ResponseWriter, r *http.Request, readerName string, pin []byte, op operation) {
	if len(pin) == 0 {
		writeError(w, newAPIError(http.StatusBadRequest, CodeBadRequest, "pin required"))
		return
	}
	s.runCard(w, r, readerName, pin, op)
}

// runCard is runOperation for an operation that may need no PIN (pin nil:
// the prompt then refuses).
func (s *Server) runCard(w http.ResponseWriter, r *http.Request, readerName string, pin []byte, op operation) {
	name, aerr := s.chooseReader(readerName)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	ctx, cancel := context.WithCancelCause(r.Context())
	if !s.hub.begin(name, cancel) {
		cancel(nil)
		writeError(w, newAPIError(http.StatusConflict, CodeBusy, "another operation is using this reader"))
		return
	}
	switch known, present := s.hub.present(name); {
	case !known:
		cancel(nil)
		s.hub.end(name)
		writeError(w, newAPIError(http.StatusNotFound, CodeNotFound, fmt.Sprintf("no reader %q", name)))
		return
	case !present:
		cancel(nil)
		s.hub.end(name)
		writeError(w, newAPIError(http.StatusConflict, CodeNoCard, fmt.Sprintf("no card in %q", name)))
		return
	}
	ctx, tcancel := context.WithTimeout(ctx, s.cfg.OperationTimeout)

	type result struct {
		res any
		err error
	}
	done := make(chan result, 1)
	// The goroutine owns its copy of the PIN: the handler's is wiped when
	// it returns, which may be before the operation ends.
	own := bytes.Clone(pin)
	s.ops.Add(1)
	go func() {
		defer s.ops.Done()
		res, err := s.operateSafely(ctx, name, own, op)
		wipe(own)
		tcancel()
		cancel(nil)
		// Free the reader before the answer goes out, so that a client's
		// next request never finds it busy with the one just answered.
		s.hub.end(name)
		done <- result{res, err}
	}()

	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		grace := time.NewTimer(operationGrace)
		select {
		case res = <-done:
		case <-grace.C:
			res.err = fmt.Errorf("agent: the card did not answer (%w)", context.Cause(ctx))
			s.log().Warn("card operation abandoned; the reader stays busy until the card answers or leaves", "reader", name)
		}
		grace.Stop()
	}
	if res.err != nil && r.Context().Err() != nil {
		// The client went away (a page that gave up at its own deadline):
		// nobody reads the answer; the log line says so.
		writeError(w, newAPIError(statusClientGone, codeClientGone, "the client closed the connection"))
		return
	}
	if res.err != nil {
		err := res.err
		if errors.Is(context.Cause(ctx), errCardLeft) && !errors.Is(err, errCardLeft) {
			err = fmt.Errorf("%w: %w", errCardLeft, err)
		}
		writeError(w, toAPIError(err))
		return
	}
	writeJSON(w, http.StatusOK, res.res)
}

// operateSafely is operate with a panic turned into an error: it runs on a
// goroutine of its own, where net/http's recovery does not reach.
func (s *Server) operateSafely(ctx context.Context, name string, pin []byte, op operation) (res any, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log().Error("card operation panicked", "panic", p)
			res, err = nil, fmt.Errorf("agent: card operation failed: %v", p)
		}
	}()
	return s.operate(ctx, name, pin, op)
}

func (s *Server) operate(ctx context.Context, name string, pin []byte, op operation) (any, error) {
	c, err := s.cfg.Backend.Connect(ctx, name)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	j, err := card.OpenJPKI(ctx, c, s.cfg.CardOptions)
	if err != nil {
		return nil, err
	}
	asked := false
	prompt := func(context.Context, card.PINKind, int) ([]byte, error) {
		if asked || pin == nil {
			// One PIN entry per request: a second VERIFY would need a
			// second consent.
			return nil, errors.New("agent: a second PIN was asked for")
		}
		asked = true
		return bytes.Clone(pin), nil // the card library wipes its copy
	}
	return op(ctx, j, prompt)
}

// handleEvents streams events as Server-Sent Events: for each, an "event:"
// line with its kind and one "data:" line of JSON (an Event). The stream
// starts with the current state, then an event named "synced" (data {}),
// then every change; a comment line goes out every Heartbeat. It ends when
// the client goes, the agent stops, or the client falls too far behind (it
// should then reconnect).
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	initial, ch, unsubscribe := s.hub.subscribe()
	defer unsubscribe()
	if _, err := fmt.Fprint(w, "retry: 1000\n\n"); err != nil {
		return
	}
	for _, e := range initial {
		if writeEvent(w, e) != nil {
			return
		}
	}
	if _, err := fmt.Fprint(w, "event: synced\ndata: {}\n\n"); err != nil {
		return
	}
	if rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(s.cfg.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
		case e, ok := <-ch:
			if !ok || writeEvent(w, e) != nil {
				return
			}
		}
		if rc.Flush() != nil {
			return
		}
	}
}

func writeEvent(w http.ResponseWriter, e Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Kind, b)
	return err
}

// parseKey reads a request's key: "sign" (also when empty) or "auth".
func parseKey(s string) (card.KeyKind, bool) {
	if s == "" {
		return card.SignKey, true
	}
	k, err := card.ParseKeyKind(s)
	return k, err == nil
}
