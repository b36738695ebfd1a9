package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/token"
)

// Defaults of Config.
const (
	// DefaultOperationTimeout bounds one card operation (identify, qualify,
	// changes) once its request is read: the PIN is in the request, so this
	// is card and verification time only.
	DefaultOperationTimeout = 30 * time.Second
	// DefaultHeartbeat is how often the event stream sends a comment line,
	// so that proxies and the page notice a dead connection.
	DefaultHeartbeat = 15 * time.Second
	// readHeaderTimeout and bodyTimeout bound how long a client may take to
	// send its request headers and body (slowloris).
	readHeaderTimeout = 5 * time.Second
	bodyTimeout       = 10 * time.Second
	// idleTimeout closes idle keep-alive connections.
	idleTimeout = 60 * time.Second
	// watchRetry is the pause before the watcher starts again after a
	// failure (pcscd restarting, for example).
	watchRetry = time.Second
	// shutdownGrace is how long Serve waits for requests to finish once its
	// context ends.
	shutdownGrace = 5 * time.Second
)

// HeaderToken is the request header that carries the session token on every
// API call (/v1/...). A header, not a cookie or a query parameter: a page on
// another origin cannot make the browser add it, and it stays out of URLs and
// logs.
const HeaderToken = "X-Mynacard-Token"

// ErrNotLoopback reports a bind address other than 127.0.0.1, ::1 or
// localhost: the agent never listens where another machine could reach it.
var ErrNotLoopback = errors.New("agent: bind address is not loopback (127.0.0.1, ::1 or localhost)")

// Config configures a Server.
type Config struct {
	// Backend reaches the readers. Required.
	Backend Backend
	// Confirmer runs identify, qualify and changes. Required.
	Confirmer *confirm.Confirmer
	// AllowedOrigins are the web origins (scheme://host[:port], such as
	// "https://kiosk.example" or "http://localhost:8080") whose pages may
	// call the API (/v1/), besides the agent's own origin. Each must be
	// https:// or a loopback http:// origin (else New fails with
	// ErrInsecureOrigin). Anything else sending an Origin header is refused
	// with 403 before any card access. The page at / and its files answer
	// the agent's own origin only and carry no CORS headers.
	AllowedOrigins []string
	// Audience identifies the service that confirmation tokens made through
	// POST /v1/token are for (confirm.TokenOptions.Audience). It comes from
	// here only, never from a request; empty turns the endpoint off.
	Audience string
	// Token is the session token required in HeaderToken; empty means a
	// fresh random one at every start (see Server.Token). To keep one
	// across restarts, use LoadOrCreateToken.
	Token string
	// OperationTimeout bounds a card operation; zero means
	// DefaultOperationTimeout.
	OperationTimeout time.Duration
	// Heartbeat is the event stream's keep-alive interval; zero means
	// DefaultHeartbeat.
	Heartbeat time.Duration
	// CVKeys are the pinned CV CA keys /v1/chip-identify and /v1/age
	// verify the card's surface records to; nil means the J-LIS production
	// keys only.
	CVKeys *card.CVCAKeys
	// IdleTimeout is how long the page keeps a result, an error or a
	// half-typed PIN on screen without a touch before wiping it from the
	// page; zero means DefaultIdleTimeout. GET /v1/status reports it.
	IdleTimeout time.Duration
	// PageDeadline is how long the page waits for an operation's answer
	// before it gives up by itself; zero means OperationTimeout plus
	// PageDeadlineMargin. GET /v1/status reports it.
	PageDeadline time.Duration
	// CardOptions are used for every card operation and detection.
	// AllowLastTry is never taken from a request.
	CardOptions card.Options
	// Watch tunes the event watcher (Now, NoDetect).
	Watch WatchOptions
	// Logger, if set, gets one line per request (method, path, status,
	// duration, error code) and the watcher's failures. Bodies, and so
	// PINs, are never logged.
	Logger *slog.Logger
}

// Server is the local HTTP agent. Create it with New and run it with Serve on
// a listener from Listen.
type Server struct {
	cfg     Config
	token   []byte
	origins map[string]bool
	hub     *hub
	// ops counts the card operations still running, abandoned ones
	// included; Serve waits for them (up to shutdownGrace).
	ops sync.WaitGroup

	mu    sync.Mutex
	hosts map[string]bool // allowed Host headers, set by Serve
	self  map[string]bool // the agent's own origins, set by Serve
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Backend == nil {
		return nil, errors.New("agent: no backend configured")
	}
	if cfg.Confirmer == nil {
		return nil, errors.New("agent: no confirmer configured")
	}
	if cfg.OperationTimeout <= 0 {
		cfg.OperationTimeout = DefaultOperationTimeout
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.PageDeadline <= 0 {
		cfg.PageDeadline = cfg.OperationTimeout + PageDeadlineMargin
	}
	if len(cfg.Audience) > token.MaxAudienceBytes {
		return nil, fmt.Errorf("agent: audience longer than %d bytes", token.MaxAudienceBytes)
	}
	s := &Server{cfg: cfg, origins: map[string]bool{}, hub: newHub()}
	for _, o := range cfg.AllowedOrigins {
		if err := CheckAllowedOrigin(o); err != nil {
			return nil, err
		}
		n, _ := normalizeOrigin(o)
		s.origins[n] = true
	}
	if cfg.Token != "" {
		if len(cfg.Token) < minTokenLen {
			return nil, fmt.Errorf("agent: token shorter than %d characters", minTokenLen)
		}
		s.token = []byte(cfg.Token)
	} else {
		tok, err := newToken()
		if err != nil {
			return nil, err
		}
		s.token = []byte(tok)
	}
	return s, nil
}

// Token returns the session token, to print for integrators whose pages are
// not served by the agent. The page at / gets it embedded.
func (s *Server) Token() string { return string(s.token) }

// Listen opens a TCP listener on addr ("127.0.0.1:8765", "[::1]:0",
// "localhost:8765") and refuses any address that is not loopback with
// ErrNotLoopback. "localhost" binds 127.0.0.1, never a name lookup's answer.
func Listen(addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("agent: bind address %q: %w", addr, err)
	}
	switch host {
	case "localhost", "127.0.0.1":
		host = "127.0.0.1"
	case "::1":
	default:
		return nil, fmt.Errorf("%w: %q", ErrNotLoopback, addr)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("agent: listening on %s: %w", addr, err)
	}
	return ln, nil
}

// Serve answers HTTP requests on ln, and watches the readers, until ctx
// ends; it then shuts down (in-flight requests get a few seconds) and
// returns nil. ln must listen on 127.0.0.1 or ::1.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ta, ok := ln.Addr().(*net.TCPAddr)
	if !ok || !(ta.IP.Equal(net.IPv4(127, 0, 0, 1)) || ta.IP.Equal(net.IPv6loopback)) {
		return fmt.Errorf("%w: %s", ErrNotLoopback, ln.Addr())
	}
	s.setPort(ta.Port)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { s.watch(ctx) })

	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(s.logHandler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		sctx, scancel := context.WithTimeout(context.Background(), shutdownGrace)
		err = srv.Shutdown(sctx)
		scancel()
		<-errc
	}
	cancel()
	wg.Wait()
	s.waitOperations(shutdownGrace)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// waitOperations waits up to d for the card operations still running (an
// abandoned one ends when its card answers or leaves).
func (s *Server) waitOperations(d time.Duration) {
	done := make(chan struct{})
	go func() { s.ops.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		s.log().Warn("stopping with a card operation still waiting for its card")
	}
}

func (s *Server) setPort(port int) {
	p := strconv.Itoa(port)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hosts, s.self = map[string]bool{}, map[string]bool{}
	for _, h := range []string{"localhost", "127.0.0.1", "[::1]"} {
		s.hosts[h+":"+p] = true
		s.self["http://"+h+":"+p] = true
	}
}

// watch keeps the hub up to date until ctx ends, starting the watcher again
// after a failure.
func (s *Server) watch(ctx context.Context) {
	opts := s.cfg.Watch
	opts.CardOptions = s.cfg.CardOptions
	for {
		err := Watch(ctx, s.cfg.Backend, opts, func(e Event) error {
			s.hub.apply(e)
			return nil
		})
		if ctx.Err() != nil {
			return
		}
		s.log().Warn("watching readers failed; retrying", "error", err)
		s.hub.reset()
		select {
		case <-ctx.Done():
			return
		case <-time.After(watchRetry):
		}
	}
}

func (s *Server) logHandler() slog.Handler {
	if s.cfg.Logger != nil {
		return s.cfg.Logger.Handler()
	}
	return slog.DiscardHandler
}

func (s *Server) log() *slog.Logger { return slog.New(s.logHandler()) }
