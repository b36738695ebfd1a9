package agent_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// openAPIDoc is the agent's OpenAPI document, as the agent serves it.
type openAPIDoc struct {
	root    map[string]any
	schemas map[string]any
}

func loadOpenAPI(t *testing.T, raw []byte) *openAPIDoc {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	comp, _ := root["components"].(map[string]any)
	schemas, _ := comp["schemas"].(map[string]any)
	return &openAPIDoc{root: root, schemas: schemas}
}

// responseSchema returns the schema of method path's answer with status.
func (d *openAPIDoc) responseSchema(t *testing.T, method, path string, status int) map[string]any {
	t.Helper()
	paths := d.root["paths"].(map[string]any)
	p, ok := paths[path].(map[string]any)
	if !ok {
		t.Fatalf("openapi.json does not document %s", path)
	}
	op, ok := p[strings.ToLower(method)].(map[string]any)
	if !ok {
		t.Fatalf("openapi.json does not document %s %s", method, path)
	}
	resp, ok := op["responses"].(map[string]any)[strconv.Itoa(status)].(map[string]any)
	if !ok {
		t.Fatalf("openapi.json does not document status %d of %s %s", status, method, path)
	}
	content := resp["content"].(map[string]any)
	for _, c := range content {
		return c.(map[string]any)["schema"].(map[string]any)
	}
	t.Fatalf("no content for %d of %s %s", status, method, path)
	return nil
}

// validate checks v against the JSON Schema subset the document uses:
// $ref, type, required, properties, additionalProperties: false, items,
// enum, oneOf, minimum, maximum, maxLength. It returns the first mismatch.
func (d *openAPIDoc) validate(schema map[string]any, v any, at string) error {
	if r, ok := schema["$ref"].(string); ok {
		s, ok := d.schemas[strings.TrimPrefix(r, "#/components/schemas/")].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: unknown $ref %s", at, r)
		}
		return d.validate(s, v, at)
	}
	if one, ok := schema["oneOf"].([]any); ok {
		var errs []string
		for _, s := range one {
			err := d.validate(s.(map[string]any), v, at)
			if err == nil {
				return nil
			}
			errs = append(errs, err.Error())
		}
		return fmt.Errorf("%s: matches none of oneOf: %s", at, strings.Join(errs, " | "))
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		return fmt.Errorf("%s: %v not in %v", at, v, enum)
	}
	switch schema["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %T", at, v)
		}
		props, _ := schema["properties"].(map[string]any)
		for _, r := range asList(schema["required"]) {
			if _, ok := m[r.(string)]; !ok {
				return fmt.Errorf("%s: required %q missing", at, r)
			}
		}
		for k, x := range m {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if schema["additionalProperties"] == false {
					return fmt.Errorf("%s: %q is not in the document", at, k)
				}
				continue
			}
			if err := d.validate(ps, x, at+"."+k); err != nil {
				return err
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: want an array, got %T", at, v)
		}
		if it, ok := schema["items"].(map[string]any); ok {
			for i, x := range a {
				if err := d.validate(it, x, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: want a string, got %T", at, v)
		}
		if n, ok := schema["maxLength"].(float64); ok && float64(len(s)) > n {
			return fmt.Errorf("%s: longer than %v", at, n)
		}
	case "integer", "number":
		f, ok := v.(float64)
		if !ok || schema["type"] == "integer" && f != float64(int64(f)) {
			return fmt.Errorf("%s: want %s, got %v", at, schema["type"], v)
		}
		if n, ok := schema["minimum"].(float64); ok && f < n {
			return fmt.Errorf("%s: %v below %v", at, f, n)
		}
		if n, ok := schema["maximum"].(float64); ok && f > n {
			return fmt.Errorf("%s: %v above %v", at, f, n)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: want a boolean, got %T", at, v)
		}
	}
	return nil
}

func asList(v any) []any { l, _ := v.([]any); return l }

// TestOpenAPIMatchesLiveAgent validates the live agent's answers (successes,
// errors and the event stream) against the OpenAPI document it serves, and
// checks that the document is the one in the repository and names every
// error code.
func TestOpenAPIMatchesLiveAgent(t *testing.T) {
	vc := newCard(t)
	cvKeys, err := card.NewCVCAKeys(card.WithTestCVCAKeys())
	if err != nil {
		t.Fatal(err)
	}
	pinB, err := jpkitest.DefaultHolder().PINB()
	if err != nil {
		t.Fatal(err)
	}
	r, m := memAgent(t, vc, func(c *agent.Config) { c.Audience = "https://service.example"; c.CVKeys = cvKeys })
	served := r.call(t, "GET", "/v1/openapi.json", nil, nil)
	if served.Status != 200 {
		t.Fatalf("openapi.json: %d", served.Status)
	}
	file, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(file) != string(served.Raw) {
		t.Error("the served document is not agent/openapi.json")
	}
	doc := loadOpenAPI(t, served.Raw)
	if v := doc.root["info"].(map[string]any)["version"]; v != agent.APIVersion {
		t.Errorf("document version %v, want %s", v, agent.APIVersion)
	}
	errEnum := asList(doc.schemas["Error"].(map[string]any)["properties"].(map[string]any)["error"].(map[string]any)["enum"])
	for _, c := range []string{agent.CodeBadRequest, agent.CodeTokenRequired, agent.CodeOriginNotAllowed, agent.CodeBadHost,
		agent.CodeNotFound, agent.CodeMethod, agent.CodeBusy, agent.CodeAmbiguousReader, agent.CodeNoCard, agent.CodeCardRemoved,
		agent.CodeTooLarge, agent.CodeWrongPIN, agent.CodePINBlocked, agent.CodeLastTry, agent.CodePINFormat,
		agent.CodeNotMyNumberCard, agent.CodeCardError, agent.CodeReaderError, agent.CodeNotConfigured, agent.CodeTimeout, agent.CodeInternal} {
		if !slices.Contains(errEnum, any(c)) {
			t.Errorf("error code %s is not in the document", c)
		}
	}

	check := func(method, path string, body any, headers map[string]string, wantStatus int) apiAnswer {
		t.Helper()
		a := r.call(t, method, path, body, headers)
		if a.Status != wantStatus {
			t.Fatalf("%s %s: %d %s, want %d", method, path, a.Status, a.Raw, wantStatus)
		}
		docPath, _, _ := strings.Cut(path, "?")
		var v any
		if err := json.Unmarshal(a.Raw, &v); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		if err := doc.validate(doc.responseSchema(t, method, docPath, a.Status), v, method+" "+docPath); err != nil {
			t.Errorf("%s\n%s", err, a.Raw)
		}
		return a
	}
	check("GET", "/v1/status", nil, nil, 200)
	check("GET", "/v1/readers", nil, nil, 200)
	check("GET", "/v1/pin-status?key=auth", nil, nil, 200)
	check("GET", "/v1/pin-status?key=nope", nil, nil, 400)
	check("GET", "/v1/readers", nil, map[string]string{agent.HeaderToken: ""}, 401)
	check("GET", "/v1/readers", nil, map[string]string{"Origin": "https://evil.example"}, 403)
	check("POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN}, nil, 200)
	check("POST", "/v1/identify", map[string]any{"pin": jpkitest.DefaultSignPIN}, nil, 200)
	check("POST", "/v1/identify", map[string]any{"pin": jpkitest.DefaultAuthPIN, "key": "auth", "enroll": true}, nil, 200)
	check("POST", "/v1/identify", map[string]any{"pin": "WRONG1"}, nil, 422)
	check("POST", "/v1/identify", map[string]any{"pin": jpkitest.DefaultSignPIN}, nil, 200) // the counter is whole again
	check("POST", "/v1/qualify", map[string]any{"pin": "12"}, nil, 422)
	check("POST", "/v1/qualify", `{"pin": 5}`, nil, 400)
	check("POST", "/v1/changes", map[string]any{"enrolment_id": 1}, nil, 200)
	check("POST", "/v1/changes", map[string]any{"enrolment_id": 999}, nil, 404)
	check("POST", "/v1/token", map[string]any{"pin": jpkitest.DefaultAuthPIN, "nonce": strings.Repeat("A", 43)}, nil, 200)
	if a := check("POST", "/v1/chip-identify", map[string]any{"pin": pinB}, nil, 200); a.Body["face_png"] == nil {
		t.Errorf("chip-identify: no photo in %.200s", a.Raw)
	}
	check("POST", "/v1/chip-identify", map[string]any{"pin": pinB[:10] + "0000"}, nil, 422)
	check("POST", "/v1/chip-identify", map[string]any{"pin": pinB[:2] + "13" + pinB[4:]}, nil, 422)
	check("POST", "/v1/chip-identify", map[string]any{"pin": pinB}, nil, 200) // the counter is whole again
	if a := check("POST", "/v1/chip-identify", map[string]any{"pin": pinB, "text_pin": jpkitest.DefaultAuthPIN}, nil, 200); a.Body["text"] == nil {
		t.Errorf("chip-identify with text_pin: no text in %.200s", a.Raw)
	}
	check("POST", "/v1/chip-identify", map[string]any{"pin": pinB, "text_pin": "9999"}, nil, 422)
	check("POST", "/v1/chip-identify", map[string]any{"pin": pinB, "text_pin": jpkitest.DefaultAuthPIN}, nil, 200) // whole again
	for _, k := range []string{"text", "pin_b", "birth_date"} {
		check("GET", "/v1/pin-status?key="+k, nil, nil, 200)
	}
	check("POST", "/v1/age", map[string]any{"pin": pinB[:6], "over": 20}, nil, 200)
	check("POST", "/v1/age", map[string]any{"pin": pinB[:6], "over": 0}, nil, 400)
	check("POST", "/v1/age", map[string]any{"pin": "600402", "over": 20}, nil, 422)
	m.Remove(testReader)
	r.waitPresent(t, testReader, false)
	check("POST", "/v1/qualify", map[string]any{"pin": jpkitest.DefaultAuthPIN}, nil, 409)

	// The event stream: every event's name and data as documented.
	sse := doc.root["paths"].(map[string]any)["/v1/events"].(map[string]any)["get"].(map[string]any)["x-sse-events"].(map[string]any)
	req, _ := http.NewRequest("GET", r.base+"/v1/events", nil)
	req.Header.Set(agent.HeaderToken, testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := m.Insert(testReader, vc); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	var name string
	seen := map[string]bool{}
	for sc.Scan() && !(seen["synced"] && seen["card-inserted"]) {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			s, ok := sse[name].(map[string]any)
			if !ok {
				t.Fatalf("event %q is not in the document", name)
			}
			var v any
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &v); err != nil {
				t.Fatal(err)
			}
			if err := doc.validate(s, v, "event "+name); err != nil {
				t.Errorf("%v\n%s", err, line)
			}
			seen[name] = true
		}
	}
	if !seen["synced"] || !seen["card-inserted"] || !seen["reader-added"] {
		t.Errorf("events seen: %v", seen)
	}
}

// TestOpenAPIValidatorRejects shows that the validator can fail.
func TestOpenAPIValidatorRejects(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc := loadOpenAPI(t, raw)
	status := map[string]any{"$ref": "#/components/schemas/Status"}
	for _, bad := range []string{
		`{"api":"v1","ready":true}`,
		`{"api":"v2","ready":true,"revocation":"hard","revocation_source":true,"operation_timeout_ms":1,"page_deadline_ms":1,"idle_timeout_ms":1}`,
		`{"api":"v1","ready":"yes","revocation":"hard","revocation_source":true,"operation_timeout_ms":1,"page_deadline_ms":1,"idle_timeout_ms":1}`,
		`{"api":"v1","ready":true,"revocation":"hard","revocation_source":true,"operation_timeout_ms":1,"page_deadline_ms":1,"idle_timeout_ms":1,"extra":1}`,
	} {
		var v any
		json.Unmarshal([]byte(bad), &v)
		if doc.validate(status, v, "status") == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
