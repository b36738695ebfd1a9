package agent_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"
)

// testReader is the Memory backend's reader in the in-process tests.
const testReader = "Memory Reader 0"

// testToken is the session token the in-process tests configure.
const testToken = "test-token-0123456789abcdef"

// newConfirmer returns a Confirmer trusting the test PKI at its reference
// time, revocation off, with a SQLite store holding an eligibility row for
// the default holder's authentication certificate (nil store when
// withStore is false).
func newConfirmer(t testing.TB, withStore bool) *confirm.Confirmer {
	t.Helper()
	return newConfirmerWith(t, withStore, nil)
}

// newConfirmerWith is newConfirmer with edit applied to the configuration.
func newConfirmerWith(t testing.TB, withStore bool, edit func(*confirm.Config)) *confirm.Confirmer {
	t.Helper()
	p := jpkitest.Default()
	roots, err := jpki.NewRoots(jpki.WithTestHierarchy(append(p.Roots(card.SignKey), p.Roots(card.AuthKey)...)...))
	if err != nil {
		t.Fatal(err)
	}
	cfg := confirm.Config{
		Roots: roots, RevocationPolicy: revocation.PolicyOff, Operator: "kiosk-test",
		Now: jpkitest.ReferenceTime,
	}
	if withStore {
		st, err := storeopen.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		h := jpkitest.DefaultHolder()
		row := fmt.Sprintf("%q,%s,06139999,記号,123,01,山田　太郎,ヤマダ　タロウ,1985-04-01,1,2020-04-01,,,30,1\n",
			confirm.IssuerString(h.AuthCert), confirm.SerialString(h.AuthCert))
		if _, err := st.ImportEligibilityCSV(context.Background(), strings.NewReader(store.EligibilityCSVHeader+"\n"+row)); err != nil {
			t.Fatal(err)
		}
		cfg.Enrolments, cfg.Records, cfg.Eligibility = st, st, st
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := confirm.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newCard returns a virtual card of the default holder.
func newCard(t testing.TB, opts ...virtual.Option) *virtual.Card {
	t.Helper()
	vc, err := virtual.NewMyNumberCard(jpkitest.DefaultHolder().Contents(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return vc
}

// running is an agent serving on a loopback port for one test.
type running struct {
	srv  *agent.Server
	base string // http://127.0.0.1:port
	port string
	logs *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs an agent with cfg (Backend and Confirmer must be set; Token
// defaults to testToken) until the test ends.
func start(t testing.TB, cfg agent.Config) *running {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = testToken
	}
	logs := &syncBuffer{}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := agent.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return after its context ended")
		}
	})
	addr := ln.Addr().String()
	_, port, _ := strings.Cut(addr, ":")
	return &running{srv: srv, base: "http://" + addr, port: port, logs: logs}
}

// apiAnswer is a decoded answer.
type apiAnswer struct {
	Status int
	Body   map[string]any
	Raw    []byte
}

func (a apiAnswer) code() string {
	s, _ := a.Body["error"].(string)
	return s
}

// call sends method path with body (JSON-encoded unless a string or nil) and
// the given headers; the token header is added unless headers set it
// (use "" to send none).
func (r *running) call(t testing.TB, method, path string, body any, headers map[string]string) apiAnswer {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, r.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set(agent.HeaderToken, testToken)
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := apiAnswer{Status: resp.StatusCode, Raw: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &a.Body); err != nil {
			var arr []any
			if json.Unmarshal(raw, &arr) != nil {
				t.Fatalf("%s %s: bad JSON %q", method, path, raw)
			}
		}
	}
	return a
}

// eventStream reads GET /v1/events.
type eventStream struct {
	resp *http.Response
	ch   chan sseEvent
}

type sseEvent struct {
	Name string
	Data agent.Event
}

func (r *running) events(t testing.TB) *eventStream {
	t.Helper()
	req, _ := http.NewRequest("GET", r.base+"/v1/events", nil)
	req.Header.Set(agent.HeaderToken, testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	s := &eventStream{resp: resp, ch: make(chan sseEvent, 1024)}
	go func() {
		defer close(s.ch)
		sc := bufio.NewScanner(resp.Body)
		var name string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				var e agent.Event
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &e)
				s.ch <- sseEvent{Name: name, Data: e}
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return s
}

// next waits for the next event named name, skipping others.
func (s *eventStream) next(t testing.TB, name string) agent.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e, ok := <-s.ch:
			if !ok {
				t.Fatalf("event stream ended while waiting for %s", name)
			}
			if e.Name == name {
				return e.Data
			}
		case <-timeout:
			t.Fatalf("no %s event within 10s", name)
		}
	}
}

// waitPresent waits until GET /v1/readers shows reader with a card (want
// true) or without one.
func (r *running) waitPresent(t testing.TB, name string, want bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		a := r.call(t, "GET", "/v1/readers", nil, nil)
		var rs []agent.ReaderState
		_ = json.Unmarshal(a.Raw, &rs)
		for _, st := range rs {
			if st.Name == name && st.CardPresent == want {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("reader %q: card present never became %v", name, want)
}
