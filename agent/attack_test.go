package agent_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/reader"
)

// attackLog logs one attack in the form the reliability report collects
// ("ATTACK | attack | expected refusal | result") and fails t when it was
// not refused.
func attackLog(t *testing.T, attack, expected string, refused bool, result string) {
	t.Helper()
	if !refused {
		result = "NOT REFUSED: " + result
		t.Errorf("attack %q: %s", attack, result)
	}
	t.Logf("ATTACK | %s | %s | %s", attack, expected, result)
}

// TestAttackPageTokenToAllowedOrigin has a page on an allowed origin try to
// read the kiosk page (which embeds the session token) and its files with
// real HTTP requests, as a browser's fetch would send them.
func TestAttackPageTokenToAllowedOrigin(t *testing.T) {
	const allowed = "https://kiosk.example:8443"
	r, _ := memAgent(t, nil, func(c *agent.Config) { c.AllowedOrigins = []string{allowed} })
	for _, tc := range []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/index.html"}, {"HEAD", "/"}, {"GET", "/app.js"}, {"GET", "/style.css"},
		{"OPTIONS", "/"}, {"OPTIONS", "/app.js"},
	} {
		req, _ := http.NewRequest(tc.method, r.base+tc.path, nil)
		req.Header.Set("Origin", allowed)
		if tc.method == "OPTIONS" {
			req.Header.Set("Access-Control-Request-Method", "GET")
			req.Header.Set("Access-Control-Request-Private-Network", "true")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var cors []string
		for k := range resp.Header {
			if strings.HasPrefix(k, "Access-Control-") {
				cors = append(cors, k)
			}
		}
		leaked := strings.Contains(string(body), testToken)
		attackLog(t, fmt.Sprintf("allowed origin %s reads %s %s of the agent", allowed, tc.method, tc.path),
			"no CORS header, no session token in the answer",
			len(cors) == 0 && !leaked,
			fmt.Sprintf("status %d, CORS headers %v, token in body %v", resp.StatusCode, cors, leaked))
	}
	// The agent's own page still loads, with the token, and no CORS header.
	a := r.call(t, "GET", "/", nil, map[string]string{agent.HeaderToken: "", "Origin": "http://127.0.0.1:" + r.port, "Host": "127.0.0.1:" + r.port})
	if a.Status != 200 || !strings.Contains(string(a.Raw), testToken) {
		t.Errorf("own page: %d %.200s", a.Status, a.Raw)
	}
	// The API still answers the allowed origin with CORS.
	req, _ := http.NewRequest("GET", r.base+"/v1/readers", nil)
	req.Header.Set("Origin", allowed)
	req.Header.Set(agent.HeaderToken, testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != allowed {
		t.Errorf("API from allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestAttackInsecureAllowOrigin configures plain-http origins on other hosts,
// which anyone on the network path could impersonate.
func TestAttackInsecureAllowOrigin(t *testing.T) {
	m := agent.NewMemory(reader.Capabilities{}, testReader)
	conf := newConfirmer(t, false)
	for _, o := range []string{"http://kiosk.example", "http://kiosk.example:8080", "http://192.168.1.20:8080", "http://[fe80::1]:80", "http://localhost.example"} {
		_, err := agent.New(agent.Config{Backend: m, Confirmer: conf, AllowedOrigins: []string{o}})
		attackLog(t, "allow-origin "+o+" (plain http, not loopback)", "refused at start-up (ErrInsecureOrigin)",
			errors.Is(err, agent.ErrInsecureOrigin), fmt.Sprintf("New: %v", err))
	}
	for _, o := range []string{"https://kiosk.example", "https://kiosk.example:8443", "http://localhost:8080", "http://127.0.0.1:9000", "http://127.1.2.3", "http://[::1]:8080", "HTTP://LOCALHOST:1"} {
		if _, err := agent.New(agent.Config{Backend: m, Confirmer: conf, AllowedOrigins: []string{o}}); err != nil {
			t.Errorf("%s refused: %v", o, err)
		}
	}
}
