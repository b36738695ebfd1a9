package agent

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
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

// Handler returns the agent's HTTP handler: the API under /v1/ and the kiosk
// page at /, behind the security checks. Serve uses it; before Serve has
// learnt its port, every request fails the Host check.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/readers", s.handleReaders)
	mux.HandleFunc("GET /v1/events", s.handleEvents)
	mux.HandleFunc("POST /v1/identify", s.handleIdentify)
	mux.HandleFunc("POST /v1/qualify", s.handleQualify)
	mux.HandleFunc("POST /v1/changes", s.handleChanges)
	mux.HandleFunc("POST /v1/token", s.handleToken)
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
// allowlist (CORS, preflight answered here), the token on /v1/, and the
// headers that keep the page from being framed or cached.
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
		if cross {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
		}
		if r.Method == http.MethodOptions {
			if r.Header.Get("Access-Control-Request-Method") == "" {
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
		if strings.HasPrefix(r.URL.Path, "/v1/") && !s.tokenOK(r.Header.Get(HeaderToken)) {
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
