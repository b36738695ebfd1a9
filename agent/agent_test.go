package agent_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/token"
)

// insCardSign is the INS of the JPKI SIGN command (docs/card.md "Commands").
const insCardSign = 0x2A

// memAgent runs an agent over a Memory backend with one reader holding vc
// (none when vc is nil).
func memAgent(t *testing.T, vc reader.RawCard, edit func(*agent.Config)) (*running, *agent.Memory) {
	t.Helper()
	m := agent.NewMemory(reader.Capabilities{}, testReader)
	if vc != nil {
		if err := m.Insert(testReader, vc); err != nil {
			t.Fatal(err)
		}
	}
	cfg := agent.Config{Backend: m, Confirmer: newConfirmer(t, true), AllowedOrigins: []string{"https://kiosk.example:8080"}}
	if edit != nil {
		edit(&cfg)
	}
	r := start(t, cfg)
	if vc != nil {
		r.waitPresent(t, testReader, true)
	}
	return r, m
}

func TestListenRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.com:0", "127.0.0.2:0"} {
		if ln, err := agent.Listen(addr); !errors.Is(err, agent.ErrNotLoopback) {
			if ln != nil {
				ln.Close()
			}
			t.Errorf("Listen(%q) = %v, want ErrNotLoopback", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		ln, err := agent.Listen(addr)
		if err != nil {
			t.Errorf("Listen(%q): %v", addr, err)
			continue
		}
		ln.Close()
	}
}

func TestSecurityChecks(t *testing.T) {
	vc := newCard(t)
	r, _ := memAgent(t, vc, nil)
	before := vc.Stats().APDUs
	pin := map[string]any{"pin": jpkitest.DefaultAuthPIN}
	tests := []struct {
		name    string
		method  string
		path    string
		body    any
		headers map[string]string
		status  int
		code    string
	}{
		{"no token", "GET", "/v1/readers", nil, map[string]string{agent.HeaderToken: ""}, 401, agent.CodeTokenRequired},
		{"wrong token", "POST", "/v1/qualify", pin, map[string]string{agent.HeaderToken: testToken + "x"}, 401, agent.CodeTokenRequired},
		{"token prefix", "GET", "/v1/readers", nil, map[string]string{agent.HeaderToken: testToken[:10]}, 401, agent.CodeTokenRequired},
		{"foreign origin", "POST", "/v1/qualify", pin, map[string]string{"Origin": "http://evil.example"}, 403, agent.CodeOriginNotAllowed},
		{"foreign origin events", "GET", "/v1/events", nil, map[string]string{"Origin": "https://evil.example"}, 403, agent.CodeOriginNotAllowed},
		{"null origin", "POST", "/v1/identify", pin, map[string]string{"Origin": "null"}, 403, agent.CodeOriginNotAllowed},
		{"origin other port", "POST", "/v1/qualify", pin, map[string]string{"Origin": "https://kiosk.example:8081"}, 403, agent.CodeOriginNotAllowed},
		{"rebinding host", "POST", "/v1/qualify", pin, map[string]string{"Host": "evil.example:" + r.port}, 403, agent.CodeBadHost},
		{"rebinding host page", "GET", "/", nil, map[string]string{"Host": "attacker.test"}, 403, agent.CodeBadHost},
		{"other port host", "GET", "/v1/readers", nil, map[string]string{"Host": "127.0.0.1:1"}, 403, agent.CodeBadHost},
		{"form post", "POST", "/v1/qualify", "pin=1234", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, agent.CodeBadRequest},
		{"unknown field", "POST", "/v1/identify", map[string]any{"pin": "ABC123", "audience": "x"}, nil, 400, agent.CodeBadRequest},
		{"pin as number", "POST", "/v1/qualify", `{"pin":1234}`, nil, 400, agent.CodeBadRequest},
		{"pin escapes", "POST", "/v1/qualify", `{"pin":"12\u00334"}`, nil, 400, agent.CodeBadRequest},
		{"pin too long", "POST", "/v1/identify", map[string]any{"pin": strings.Repeat("A", 17)}, nil, 400, agent.CodeBadRequest},
		{"no pin", "POST", "/v1/qualify", map[string]any{}, nil, 400, agent.CodeBadRequest},
		{"too large", "POST", "/v1/qualify", `{"reader":"` + strings.Repeat("x", agent.MaxBodySize) + `","pin":"1234"}`, nil, 413, agent.CodeTooLarge},
		{"trailing data", "POST", "/v1/qualify", `{"pin":"1234"} {}`, nil, 400, agent.CodeBadRequest},
		{"unknown endpoint", "GET", "/v1/nothing", nil, nil, 404, agent.CodeNotFound},
		{"wrong method", "GET", "/v1/qualify", nil, nil, 404, agent.CodeNotFound},
		{"page post", "POST", "/", map[string]any{}, nil, 405, agent.CodeMethod},
		{"unknown reader", "POST", "/v1/qualify", map[string]any{"pin": "1234", "reader": "Nope"}, nil, 404, agent.CodeNotFound},
		{"bad key", "POST", "/v1/identify", map[string]any{"pin": "1234", "key": "other"}, nil, 400, agent.CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := r.call(t, tt.method, tt.path, tt.body, tt.headers)
			if a.Status != tt.status || (tt.code != "" && a.code() != tt.code) {
				t.Errorf("%s %s = %d %s, want %d %s", tt.method, tt.path, a.Status, a.Raw, tt.status, tt.code)
			}
		})
	}
	if got := vc.Stats().APDUs; got != before {
		t.Errorf("refused requests reached the card: %d APDUs", got-before)
	}
	if strings.Contains(r.logs.String(), jpkitest.DefaultAuthPIN) || strings.Contains(r.logs.String(), "ABC123") {
		t.Errorf("a PIN reached the log:\n%s", r.logs.String())
	}
}

func TestCORS(t *testing.T) {
	r, _ := memAgent(t, nil, nil)
	pre := map[string]string{"Origin": "https://kiosk.example:8080", "Access-Control-Request-Method": "POST",
		"Access-Control-Request-Headers": "content-type, x-mynacard-token", agent.HeaderToken: ""}
	req, _ := http.NewRequest("OPTIONS", r.base+"/v1/qualify", nil)
	for k, v := range pre {
		req.Header.Set(k, v)
	}
	req.Header.Set("Access-Control-Request-Private-Network", "true")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != "https://kiosk.example:8080" ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), agent.HeaderToken) ||
		h.Get("Access-Control-Allow-Private-Network") != "true" {
		t.Errorf("preflight from allowed origin: %d %v", resp.StatusCode, h)
	}
	pre["Origin"] = "http://evil.example"
	if a := r.call(t, "OPTIONS", "/v1/qualify", nil, pre); a.Status != 403 || a.code() != agent.CodeOriginNotAllowed {
		t.Errorf("preflight from foreign origin: %d %s", a.Status, a.Raw)
	}
	// An allowed cross origin gets its Origin echoed on the real request.
	req, _ = http.NewRequest("GET", r.base+"/v1/readers", nil)
	req.Header.Set("Origin", "https://KIOSK.example:8080")
	req.Header.Set(agent.HeaderToken, testToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://KIOSK.example:8080" {
		t.Errorf("allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	// The agent's own origin needs no allowlist entry and gets no CORS header.
	a := r.call(t, "GET", "/v1/readers", nil, map[string]string{"Origin": "http://localhost:" + r.port, "Host": "localhost:" + r.port})
	if a.Status != 200 {
		t.Errorf("own origin: %d %s", a.Status, a.Raw)
	}
}

func TestPageEmbedsToken(t *testing.T) {
	r, _ := memAgent(t, nil, nil)
	a := r.call(t, "GET", "/", nil, map[string]string{agent.HeaderToken: ""})
	page := string(a.Raw)
	if a.Status != 200 || !strings.Contains(page, `content="`+testToken+`"`) || !strings.Contains(page, "マイナンバーカード") {
		t.Fatalf("page: %d %.300s", a.Status, page)
	}
	for _, p := range []string{"/app.js", "/style.css"} {
		if a := r.call(t, "GET", p, nil, nil); a.Status != 200 || len(a.Raw) < 100 {
			t.Errorf("%s: %d", p, a.Status)
		}
	}
	req, _ := http.NewRequest("GET", r.base+"/", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("page headers: %v", resp.Header)
	}
}

func TestQualifyAndIdentify(t *testing.T) {
	r, _ := memAgent(t, newCard(t), nil)
	a := r.call(t, "POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN}, nil)
	if a.Status != 200 {
		t.Fatalf("qualify: %d %s", a.Status, a.Raw)
	}
	v := a.Body["verdict"].(map[string]any)
	el, _ := a.Body["eligibility"].(map[string]any)
	if v["ok"] != true || el == nil || el["eligible"] != true || el["copay_percent"] != float64(30) {
		t.Errorf("qualify: %s", a.Raw)
	}
	a = r.call(t, "POST", "/v1/identify", map[string]any{"pin": strings.ToLower(jpkitest.DefaultSignPIN), "reader": testReader}, nil)
	if a.Status != 200 {
		t.Fatalf("identify: %d %s", a.Status, a.Raw)
	}
	attrs := a.Body["attributes"].(map[string]any)
	if a.Body["key"] != "sign" || attrs["name"] != jpkitest.DefaultName || attrs["birth_date_japanese"] != "昭和60年4月1日" {
		t.Errorf("identify: %s", a.Raw)
	}
	a = r.call(t, "POST", "/v1/identify", map[string]any{"pin": jpkitest.DefaultAuthPIN, "key": "auth"}, nil)
	if a.Status != 200 || a.Body["key"] != "auth" || a.Body["attributes"] != nil {
		t.Errorf("identify auth: %d %s", a.Status, a.Raw)
	}
	// changes without a PIN checks an enrolment: none exists.
	a = r.call(t, "POST", "/v1/changes", map[string]any{"enrolment_id": 99}, nil)
	if a.Status != 404 || a.code() != agent.CodeNotFound {
		t.Errorf("changes: %d %s", a.Status, a.Raw)
	}
}

func TestPINErrors(t *testing.T) {
	vc := newCard(t)
	r, _ := memAgent(t, vc, nil)
	a := r.call(t, "POST", "/v1/qualify", map[string]any{"pin": "9999"}, nil)
	if a.Status != 422 || a.code() != agent.CodeWrongPIN || a.Body["remaining"] != float64(2) {
		t.Errorf("wrong PIN: %d %s", a.Status, a.Raw)
	}
	a = r.call(t, "POST", "/v1/qualify", map[string]any{"pin": "12345"}, nil)
	if a.Status != 422 || a.code() != agent.CodePINFormat {
		t.Errorf("format: %d %s", a.Status, a.Raw)
	}
	a = r.call(t, "POST", "/v1/qualify", map[string]any{"pin": "9999"}, nil)
	if a.Status != 422 || a.code() != agent.CodeWrongPIN || a.Body["remaining"] != float64(1) {
		t.Errorf("second wrong PIN: %d %s", a.Status, a.Raw)
	}
	// The last try is never spent through the agent.
	a = r.call(t, "POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN}, nil)
	if a.Status != 422 || a.code() != agent.CodeLastTry {
		t.Errorf("last try: %d %s", a.Status, a.Raw)
	}
	if n := vc.TriesLeft(virtual.PINJPKIAuth); n != 1 {
		t.Errorf("tries left = %d, want 1", n)
	}
}

func TestBusyAndCardRemoved(t *testing.T) {
	vc := newCard(t)
	gc := &gateCard{RawCard: vc, ins: insCardSign}
	r, m := memAgent(t, gc, nil)
	ev := r.events(t)
	ev.next(t, "synced")

	var wg sync.WaitGroup
	var first apiAnswer
	g := gc.hold(t)
	wg.Go(func() { first = r.call(t, "POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN}, nil) })
	g.wait(t) // the card is signing
	a := r.call(t, "POST", "/v1/identify", map[string]any{"pin": jpkitest.DefaultSignPIN}, nil)
	if a.Status != 409 || a.code() != agent.CodeBusy {
		t.Errorf("concurrent operation: %d %s", a.Status, a.Raw)
	}
	g.open()
	wg.Wait()
	if first.Status != 200 {
		t.Fatalf("first operation: %d %s", first.Status, first.Raw)
	}

	// The holder pulls the card while the card is signing; the signature
	// comes back only after the agent has seen the card leave.
	g = gc.hold(t)
	wg.Go(func() { first = r.call(t, "POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN}, nil) })
	g.wait(t)
	m.Remove(testReader)
	if e := ev.next(t, "card-removed"); e.Reader != testReader {
		t.Errorf("removal event: %+v", e)
	}
	g.open()
	wg.Wait()
	if first.Status != 410 || first.code() != agent.CodeCardRemoved {
		t.Errorf("card pulled mid-operation: %d %s", first.Status, first.Raw)
	}
	a = r.call(t, "POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN}, nil)
	if a.Status != 409 || a.code() != agent.CodeNoCard {
		t.Errorf("no card: %d %s", a.Status, a.Raw)
	}
	if n := vc.TriesLeft(virtual.PINJPKIAuth); n != virtual.MaxTriesJPKIAuth {
		t.Errorf("tries left = %d", n)
	}
}

// gateCard passes every APDU to a card, except that an APDU with
// instruction ins waits at each gate held before it arrived: the test
// learns that the card has the command and decides when it may answer.
type gateCard struct {
	reader.RawCard
	ins   byte
	mu    sync.Mutex
	gates []*gate
}

// gate is one held command: arrived closes when it reaches the card, and
// the card executes it once the gate is open.
type gate struct {
	arrived, release chan struct{}
	once             sync.Once
}

// hold returns a gate for the next APDU with instruction c.ins; it opens by
// itself when the test ends, so no goroutine stays blocked.
func (c *gateCard) hold(t testing.TB) *gate {
	g := &gate{arrived: make(chan struct{}), release: make(chan struct{})}
	c.mu.Lock()
	c.gates = append(c.gates, g)
	c.mu.Unlock()
	t.Cleanup(g.open)
	return g
}

func (c *gateCard) Transmit(capdu []byte) []byte {
	if len(capdu) > 1 && capdu[1] == c.ins {
		c.mu.Lock()
		gs := c.gates
		c.gates = nil
		c.mu.Unlock()
		for _, g := range gs {
			close(g.arrived)
			<-g.release
		}
	}
	return c.RawCard.Transmit(capdu)
}

// wait waits until the held command has reached the card.
func (g *gate) wait(t testing.TB) {
	t.Helper()
	select {
	case <-g.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the held command never reached the card")
	}
}

// open lets the held command through.
func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

func TestEventsDetectCardType(t *testing.T) {
	r, m := memAgent(t, nil, nil)
	ev := r.events(t)
	if e := ev.next(t, "reader-added"); e.Reader != testReader {
		t.Errorf("reader-added: %+v", e)
	}
	ev.next(t, "synced")
	if err := m.Insert(testReader, newCard(t)); err != nil {
		t.Fatal(err)
	}
	e := ev.next(t, "card-inserted")
	if e.CardType != agent.CardTypeMyNumber || !e.Usable || e.Label != jpkitest.TokenMyNumberCard || e.ATR == "" {
		t.Errorf("card-inserted: %+v", e)
	}
	m.Remove(testReader)
	ev.next(t, "card-removed")
	// A card without the JPKI application.
	other, err := virtual.NewMyNumberCard(virtual.Contents{Token: "JPKIAPICCTOKEN"})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Insert(testReader, other); err != nil {
		t.Fatal(err)
	}
	if e := ev.next(t, "card-inserted"); e.CardType != agent.CardTypeOldResident || e.Usable {
		t.Errorf("old card: %+v", e)
	}
	// A reconnecting client gets the state first.
	ev2 := r.events(t)
	ev2.next(t, "reader-added")
	if e := ev2.next(t, "card-inserted"); e.CardType != agent.CardTypeOldResident {
		t.Errorf("replayed: %+v", e)
	}
}

func TestEventsIterator(t *testing.T) {
	m := agent.NewMemory(reader.Capabilities{}, "A", "B")
	if err := m.Insert("B", newCard(t)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []string
	for e, err := range agent.Events(ctx, m, agent.WatchOptions{Readers: func(n string) bool { return n == "B" }}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.String())
		if len(got) == 2 {
			break
		}
	}
	want := []string{`reader-added "B"`, `card-inserted "B" my_number_card`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("events = %q, want %q", got, want)
	}
}

func TestEventJSONRoundTrip(t *testing.T) {
	for _, k := range []reader.EventKind{reader.ReaderAdded, reader.ReaderRemoved, reader.CardInserted, reader.CardRemoved} {
		in := agent.Event{Kind: k, Reader: "R", CardType: agent.CardTypePhone, Usable: true, Time: time.Unix(1, 0).UTC()}
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var out agent.Event
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if out != in || !strings.Contains(string(b), `"kind":"`+k.String()+`"`) {
			t.Errorf("round trip of %s = %+v", b, out)
		}
	}
}

func TestTokenAudienceFromConfig(t *testing.T) {
	const audience = "https://clinic.example/login"
	r, _ := memAgent(t, newCard(t), func(c *agent.Config) { c.Audience = audience })
	nonce := base64.RawURLEncoding.EncodeToString([]byte("a nonce of at least thirty-two bytes"))
	a := r.call(t, "POST", "/v1/token", map[string]any{"pin": jpkitest.DefaultAuthPIN, "nonce": nonce, "audience": "https://evil.example"}, nil)
	if a.Status != 400 || a.code() != agent.CodeBadRequest {
		t.Errorf("audience in the request: %d %s", a.Status, a.Raw)
	}
	for _, bad := range []string{"", "not base64!", "c2hvcnQ", strings.Repeat("A", 600)} {
		if a := r.call(t, "POST", "/v1/token", map[string]any{"pin": jpkitest.DefaultAuthPIN, "nonce": bad}, nil); a.Status != 400 {
			t.Errorf("nonce %.20q: %d %s", bad, a.Status, a.Raw)
		}
	}
	a = r.call(t, "POST", "/v1/token", map[string]any{"pin": jpkitest.DefaultAuthPIN, "nonce": nonce}, nil)
	if a.Status != 200 {
		t.Fatalf("token: %d %s", a.Status, a.Raw)
	}
	tok, err := token.Parse(a.Raw)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(tok.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	pub := cert.PublicKey.(*rsa.PublicKey)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, token.Digest(audience, nonce), tok.Signature); err != nil {
		t.Errorf("token does not verify for the configured audience: %v", err)
	}
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, token.Digest("https://evil.example", nonce), tok.Signature) == nil {
		t.Error("token verifies for another audience")
	}
	// Without an audience the endpoint is off.
	r2, _ := memAgent(t, newCard(t), nil)
	if a := r2.call(t, "POST", "/v1/token", map[string]any{"pin": jpkitest.DefaultAuthPIN, "nonce": nonce}, nil); a.Status != 404 {
		t.Errorf("token without audience: %d %s", a.Status, a.Raw)
	}
}

// TestOperationTimeout: a card that stops answering in the middle of an
// operation gets the client its 504 within the timeout plus a second, not
// when the card answers again; the reader stays busy until the abandoned
// operation has ended (its card may still hold a verified PIN), and is free
// and usable afterwards.
func TestOperationTimeout(t *testing.T) {
	const timeout, stall = 200 * time.Millisecond, 2 * time.Second
	vc := newCard(t, virtual.WithFaults(virtual.Fault{Kind: virtual.FaultLatency, MatchINS: true, INS: insCardSign, Delay: stall}))
	r, _ := memAgent(t, vc, func(c *agent.Config) { c.OperationTimeout = timeout })
	start := time.Now()
	a := r.call(t, "POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN}, nil)
	if d := time.Since(start); d > timeout+time.Second {
		t.Errorf("answer took %v with a %v timeout", d, timeout)
	}
	if a.Status != 504 || a.code() != agent.CodeTimeout {
		t.Errorf("stalled card: %d %s", a.Status, a.Raw)
	}
	// While the card is still busy with the abandoned SIGN, nobody else
	// may use it.
	if rs := r.call(t, "GET", "/v1/readers", nil, nil); !strings.Contains(string(rs.Raw), `"busy":true`) {
		t.Errorf("reader not busy while the abandoned operation runs: %s", rs.Raw)
	}
	if a := r.call(t, "POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN}, nil); a.Status != 409 || a.code() != agent.CodeBusy {
		t.Errorf("second operation during the stall: %d %s", a.Status, a.Raw)
	}
	waitFree(t, r, testReader, stall+5*time.Second)
	vc.SetFaults()
	if a := r.call(t, "POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN}, nil); a.Status != 200 {
		t.Errorf("after the stall: %d %s", a.Status, a.Raw)
	}
	if n := vc.TriesLeft(virtual.PINJPKIAuth); n != virtual.MaxTriesJPKIAuth {
		t.Errorf("tries left = %d", n)
	}
}

// waitFree waits until GET /v1/readers shows reader name not busy.
func waitFree(t *testing.T, r *running, name string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var rs []agent.ReaderState
		_ = json.Unmarshal(r.call(t, "GET", "/v1/readers", nil, nil).Raw, &rs)
		busy := false
		for _, st := range rs {
			busy = busy || st.Name == name && st.Busy
		}
		if !busy {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("reader %q still busy after %v", name, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
