package agent

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// corsMaxAge is how long a browser may cache a preflight answer, in seconds.
const corsMaxAge = "600"

// normalizeOrigin returns o as the browser sends it in Origin: lower-case
// scheme://host[:port] without a path. Only http and https are accepted.
func normalizeOrigin(o string) (string, error) {
	u, err := url.Parse(o)
	if err != nil {
		return "", err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", errors.New("want scheme://host[:port]")
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// ErrInsecureOrigin reports an allowed origin that a network attacker could
// impersonate: plain http:// to a host other than loopback. A page from such
// an origin could be replaced on the way and then call the API with the
// session token, so only https:// origins and http:// loopback origins
// (localhost, 127.0.0.0/8, [::1]) may be allowed.
var ErrInsecureOrigin = errors.New("agent: allowed origin must be https:// or a loopback http:// origin")

// checkOriginSecure returns ErrInsecureOrigin for a normalised origin that is
// http:// to anything but loopback.
func checkOriginSecure(origin string) error {
	u, err := url.Parse(origin)
	if err != nil {
		return err
	}
	if u.Scheme == "https" {
		return nil
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return ErrInsecureOrigin
}

// CheckAllowedOrigin reports whether o may be given in
// Config.AllowedOrigins: a scheme://host[:port] origin that is https://, or
// http:// on loopback. It fails with ErrInsecureOrigin for plain http://
// anywhere else. New makes the same check; a command line can make it before
// opening anything.
func CheckAllowedOrigin(o string) error {
	n, err := normalizeOrigin(o)
	if err != nil {
		return fmt.Errorf("agent: allowed origin %q: %w", o, err)
	}
	if err := checkOriginSecure(n); err != nil {
		return fmt.Errorf("%w: %q", err, o)
	}
	return nil
}

// isAPI reports whether path is under the API (/v1/), the only place CORS
// applies: the page and its static files embed the session token and are
// for the agent's own origin only.
func isAPI(path string) bool { return strings.HasPrefix(path, "/v1/") }

// Handler returns the agent's HTTP handler: the API under /v1/ and the kiosk
// page at /, behind the security checks. Serve uses it; before Serve has
// learnt its port, every request fails the Host check.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", s.handleStatus)
	mux.HandleFunc("GET /v1/openapi.json", s.handleOpenAPI)
	mux.HandleFunc("GET /v1/pin-status", s.handlePINStatus)
	mux.HandleFunc("GET /v1/readers", s.handleReaders)
	mux.HandleFunc("GET /v1/events", s.handleEvents)
	mux.HandleFunc("POST /v1/identify", s.handleIdentify)
	mux.HandleFunc("POST /v1/qualify", s.handleQualify)
	mux.HandleFunc("POST /v1/changes", s.handleChanges)
	mux.HandleFunc("POST /v1/token", s.handleToken)
	mux.HandleFunc("POST /v1/chip-identify", s.handleChipIdentify)
	mux.HandleFunc("POST /v1/age", s.handleAge)
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, newAPIError(http.StatusNotFound, CodeNotFound, "no such endpoint"))
	})
	mux.Handle("/", s.pageHandler())
	return s.secure(mux)
}

// statusRecorder keeps the status and error code written, for the log line.
type statusRecorder struct {
	http.ResponseWriter
	status int
	code   string
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// secure applies, in order: the Host check (DNS rebinding), the Origin
// allowlist (CORS on /v1/ only, preflight answered here; the page and its
// files refuse every other origin and never carry CORS headers), the token
// on /v1/, and the headers that keep the page from being framed or cached.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			s.log().Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"code", rec.code, "duration", time.Since(start).Round(time.Microsecond))
		}()
		w = rec
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")

		fail := func(e *apiError) {
			rec.code = e.Code
			writeError(w, e)
		}
		if !s.hostAllowed(r.Host) {
			fail(newAPIError(http.StatusForbidden, CodeBadHost, "host not allowed: use localhost, 127.0.0.1 or [::1] with the agent's port"))
			return
		}
		origin := r.Header.Get("Origin")
		cross := false
		if origin != "" {
			n, err := normalizeOrigin(origin)
			switch {
			case err != nil:
				fail(newAPIError(http.StatusForbidden, CodeOriginNotAllowed, "origin not allowed"))
				return
			case s.isSelf(n):
			case s.origins[n]:
				cross = true
			default:
				fail(newAPIError(http.StatusForbidden, CodeOriginNotAllowed, "origin not allowed"))
				return
			}
		}
		api := isAPI(r.URL.Path)
		if cross && !api && r.URL.Path != ClientPath {
			// The page embeds the session token: an allowed origin may
			// call the API, never read the page.
			fail(newAPIError(http.StatusForbidden, CodeOriginNotAllowed, "the page is for the agent's own origin only"))
			return
		}
		if cross {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
		}
		if r.Method == http.MethodOptions {
			if !api || r.Header.Get("Access-Control-Request-Method") == "" {
				fail(newAPIError(http.StatusMethodNotAllowed, CodeMethod, "OPTIONS is only a CORS preflight"))
				return
			}
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Allow-Headers", "Content-Type, "+HeaderToken)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			if r.Header.Get("Access-Control-Request-Private-Network") == "true" && cross {
				// Chromium's Private Network Access: a public page may
				// reach this loopback agent only when it says so.
				h.Set("Access-Control-Allow-Private-Network", "true")
			}
			rec.WriteHeader(http.StatusNoContent)
			return
		}
		if api && !s.tokenOK(r.Header.Get(HeaderToken)) {
			fail(newAPIError(http.StatusUnauthorized, CodeTokenRequired, "missing or wrong "+HeaderToken+" header"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) hostAllowed(host string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hosts[strings.ToLower(host)]
}

func (s *Server) isSelf(origin string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.self[origin]
}

// tokenOK compares the presented token with the session's in constant time.
func (s *Server) tokenOK(got string) bool {
	return subtle.ConstantTimeCompare([]byte(got), s.token) == 1
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError writes an error answer.
func writeError(w http.ResponseWriter, e *apiError) {
	if rec, ok := w.(*statusRecorder); ok {
		rec.code = e.Code
	}
	writeJSON(w, e.Status, e)
}
