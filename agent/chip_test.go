package agent_test

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

func chipAgent(t *testing.T, vopts ...virtual.Option) (*running, *virtual.Card) {
	t.Helper()
	keys, err := card.NewCVCAKeys(card.WithTestCVCAKeys())
	if err != nil {
		t.Fatal(err)
	}
	vc := newCard(t, vopts...)
	r, _ := memAgent(t, vc, func(c *agent.Config) { c.CVKeys = keys })
	return r, vc
}

func TestChipIdentifyEndpoint(t *testing.T) {
	pb, err := jpkitest.DefaultHolder().PINB()
	if err != nil {
		t.Fatal(err)
	}
	r, vc := chipAgent(t)
	a := r.call(t, "POST", "/v1/chip-identify", map[string]any{"pin": pb}, nil)
	v, _ := a.Body["verdict"].(map[string]any)
	if a.Status != 200 || v["ok"] != true || a.Body["method"] != confirm.MethodChip {
		t.Fatalf("%d %s", a.Status, a.Raw)
	}
	if png, _ := a.Body["face_png"].(string); !strings.HasPrefix(png, "iVBORw0KGgo") { // PNG magic in base64
		t.Errorf("face_png %.20q", png)
	}
	// A wrong 照合番号B: 422 with the tries left; the PIN is not echoed.
	a = r.call(t, "POST", "/v1/chip-identify", map[string]any{"pin": pb[:10] + "0000"}, nil)
	if a.Status != 422 || a.code() != agent.CodeWrongPIN || strings.Contains(string(a.Raw), pb[:10]) {
		t.Fatalf("wrong PIN: %d %s", a.Status, a.Raw)
	}
	if got := vc.TriesLeft(virtual.PINSurfaceB); got != virtual.MaxTriesCollation-1 {
		t.Errorf("tries left %d", got)
	}
	// Malformed: refused before the card.
	a = r.call(t, "POST", "/v1/chip-identify", map[string]any{"pin": pb[:2] + "13" + pb[4:]}, nil)
	if a.Status != 422 || a.code() != agent.CodePINFormat {
		t.Fatalf("bad format: %d %s", a.Status, a.Raw)
	}
	// Another origin is refused before the card is touched.
	before := vc.Stats().APDUs
	a = r.call(t, "POST", "/v1/chip-identify", map[string]any{"pin": pb}, map[string]string{"Origin": "https://evil.example"})
	if a.Status != 403 || vc.Stats().APDUs != before {
		t.Fatalf("foreign origin: %d %s", a.Status, a.Raw)
	}
}

// TestChipIdentifyEndpointText: with text_pin the basic four come back
// as text, verified to the text CV key; a wrong text PIN is 422 wrong_pin
// naming the text PIN with its tries left; a tampered text record is
// refused with its own code and no photo.
func TestChipIdentifyEndpointText(t *testing.T) {
	h := jpkitest.DefaultHolder()
	pb, _ := h.PINB()
	r, vc := chipAgent(t)
	a := r.call(t, "POST", "/v1/chip-identify", map[string]any{"pin": pb, "text_pin": jpkitest.DefaultAuthPIN}, nil)
	v, _ := a.Body["verdict"].(map[string]any)
	txt, _ := a.Body["text"].(map[string]any)
	tv, _ := v["text"].(map[string]any)
	if a.Status != 200 || v["ok"] != true || txt["name"] != h.Spec.Name || txt["address"] != h.Spec.Address || tv["ca_key"] != "9000033" {
		t.Fatalf("%d %s", a.Status, a.Raw)
	}
	a = r.call(t, "POST", "/v1/chip-identify", map[string]any{"pin": pb, "text_pin": "9999"}, nil)
	if a.Status != 422 || a.code() != agent.CodeWrongPIN || a.Body["key"] != agent.KeyText || a.Body["remaining"] != float64(virtual.MaxTriesText-1) ||
		strings.Contains(string(a.Raw), "9999") || a.Body["face_png"] != nil {
		t.Fatalf("wrong text PIN: %d %s", a.Status, a.Raw)
	}
	if n := vc.TriesLeft(virtual.PINSurfaceB); n != virtual.MaxTriesCollation {
		t.Errorf("照合番号B tries %d after a wrong text PIN", n)
	}
	// A malformed text PIN is refused before the card is touched.
	before := vc.Stats().APDUs
	a = r.call(t, "POST", "/v1/chip-identify", map[string]any{"pin": pb, "text_pin": "12"}, nil)
	if a.Status != 422 || a.code() != agent.CodePINFormat || a.Body["key"] != agent.KeyText || vc.Stats().APDUs != before {
		t.Fatalf("malformed text PIN: %d %s (%d APDUs)", a.Status, a.Raw, vc.Stats().APDUs-before)
	}
	a = r.call(t, "GET", "/v1/pin-status?key=text", nil, nil)
	if a.Status != 200 || a.Body["key"] != agent.KeyText || a.Body["tries_left"] != float64(virtual.MaxTriesText-1) {
		t.Errorf("text pin status: %d %s", a.Status, a.Raw)
	}
	a = r.call(t, "GET", "/v1/pin-status?key=pin_b", nil, nil)
	if a.Status != 200 || a.Body["tries_left"] != float64(virtual.MaxTriesCollation) {
		t.Errorf("照合番号B pin status: %d %s", a.Status, a.Raw)
	}
	a = r.call(t, "GET", "/v1/pin-status?key=birth_date", nil, nil)
	if a.Status != 200 || a.Body["tries_left"] != float64(virtual.MaxTriesBirthDateKey) {
		t.Errorf("birth-date key pin status: %d %s", a.Status, a.Raw)
	}

	rt, _ := chipAgent(t, virtual.WithRecordFault(virtual.TextRecordTampered))
	a = rt.call(t, "POST", "/v1/chip-identify", map[string]any{"pin": pb, "text_pin": jpkitest.DefaultAuthPIN}, nil)
	v, _ = a.Body["verdict"].(map[string]any)
	if a.Status != 200 || v["refusal"] != string(confirm.RefusalChipTextUnverified) || a.Body["text"] != nil || a.Body["face_png"] != nil {
		t.Fatalf("tampered text: %d %s", a.Status, a.Raw)
	}
}

func TestChipIdentifyEndpointCloned(t *testing.T) {
	pb, _ := jpkitest.DefaultHolder().PINB()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := chipAgent(t, virtual.WithClonedFiles(k))
	a := r.call(t, "POST", "/v1/chip-identify", map[string]any{"pin": pb}, nil)
	v, _ := a.Body["verdict"].(map[string]any)
	if a.Status != 200 || v["refusal"] != string(confirm.RefusalChipNotPresent) || a.Body["face_png"] != nil {
		t.Fatalf("%d %s", a.Status, a.Raw)
	}
}

func TestAgeEndpoint(t *testing.T) {
	r, vc := chipAgent(t)
	a := r.call(t, "POST", "/v1/age", map[string]any{"pin": "600401", "over": 20}, nil)
	if a.Status != 200 || a.Body["ok"] != true || a.Body["answer"] != true || a.Body["record_seq"] != float64(1) {
		t.Fatalf("%d %s", a.Status, a.Raw)
	}
	for _, p := range []string{"1985", "600401", "birth", "name", "address", "key_id", "serial"} {
		if strings.Contains(string(a.Raw), p) {
			t.Errorf("%q in %s", p, a.Raw)
		}
	}
	before := vc.Stats().APDUs
	a = r.call(t, "POST", "/v1/age", map[string]any{"pin": "600401", "over": 0}, nil)
	if a.Status != 400 || vc.Stats().APDUs != before {
		t.Fatalf("over 0: %d %s", a.Status, a.Raw)
	}
}
