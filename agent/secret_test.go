package agent

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/card"
)

func TestPINBytes(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{`{"pin":"1234"}`, "1234", true},
		{`{"pin":"abc123XYZ"}`, "abc123XYZ", true},
		{`{"pin":null}`, "", true},
		{`{}`, "", true},
		{`{"pin":""}`, "", true},
		{`{"pin":1234}`, "", false},
		{`{"pin":"12 4"}`, "", false},
		{`{"pin":"12\u00334"}`, "", false},
		{`{"pin":"１２３４"}`, "", false},
		{`{"pin":"` + strings.Repeat("9", maxPINLen+1) + `"}`, "", false},
		{`{"pin":["1"]}`, "", false},
	}
	for _, tt := range tests {
		var req QualifyRequest
		err := json.Unmarshal([]byte(tt.in), &req)
		if (err == nil) != tt.ok || (tt.ok && string(req.PIN) != tt.want) {
			t.Errorf("%s: pin %q err %v", tt.in, req.PIN, err)
		}
		if err != nil && strings.Contains(err.Error(), "1234") {
			t.Errorf("%s: error shows the PIN: %v", tt.in, err)
		}
	}
}

func TestPINMarshal(t *testing.T) {
	b, err := json.Marshal(IdentifyRequest{PIN: PIN("ABC123"), Key: card.SignKey.String()})
	if err != nil || string(b) != `{"key":"sign","pin":"ABC123"}` {
		t.Errorf("marshal = %s, %v", b, err)
	}
	if _, err := json.Marshal(QualifyRequest{PIN: PIN("12\"4")}); err == nil {
		t.Error("a PIN with a quote was marshalled")
	}
}

// TestReadJSONWipesBody checks that the agent's copy of a body holding a PIN
// is zero once the request is decoded, and that the decoded PIN is a copy.
func TestReadJSONWipesBody(t *testing.T) {
	body := []byte(`{"pin":"5678"}`)
	r := httptest.NewRequest("POST", "/v1/qualify", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	var req QualifyRequest
	if err := readJSON(httptest.NewRecorder(), r, &req); err != nil {
		t.Fatal(err)
	}
	if string(req.PIN) != "5678" {
		t.Fatalf("pin = %q", req.PIN)
	}
	req.PIN.Wipe()
	if !bytes.Equal(req.PIN, make([]byte, 4)) {
		t.Errorf("wipe left %q", req.PIN)
	}
}

// FuzzReadJSON feeds request bodies from outside: decoding never panics,
// errors never echo a PIN-shaped value, and a decoded PIN obeys the form.
func FuzzReadJSON(f *testing.F) {
	for _, s := range []string{`{"pin":"1234"}`, `{"pin":"ABC123","key":"sign","reader":"R"}`, `{"enrolment_id":5,"pin":"x"}`,
		`{"pin":"1234"} {}`, `{"pin":"12\u0033"}`, `[`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := httptest.NewRequest("POST", "/v1/changes", bytes.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
		var req ChangesRequest
		err := readJSON(httptest.NewRecorder(), r, &req)
		if err != nil {
			ae := toAPIError(err)
			if ae.Status < 400 || ae.Status >= 500 {
				t.Fatalf("status %d for %q", ae.Status, b)
			}
			if len(req.PIN) >= 4 && strings.Contains(ae.Message, string(req.PIN)) {
				t.Fatalf("message %q shows the PIN", ae.Message)
			}
			return
		}
		if len(req.PIN) > maxPINLen {
			t.Fatalf("pin of %d bytes accepted", len(req.PIN))
		}
		for _, c := range req.PIN {
			if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
				t.Fatalf("pin byte %q accepted", c)
			}
		}
	})
}
