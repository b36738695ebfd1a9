package confirm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/token"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// TestGoldenJSON pins the JSON form of every result type (the CLI's
// --json output and JSON lines), from deterministic runs: the test PKI,
// a fixed clock and a fresh store.
func TestGoldenJSON(t *testing.T) {
	ctx := context.Background()
	e := newTokenEnv(t)
	h := jpkitest.DefaultHolder()
	c := e.confirmer(nil)
	if _, err := e.st.ImportEligibilityCSV(ctx, strings.NewReader(eligibilityCSV(t, [][4]string{{"06123456", "2025-04-01", "", "1"}}))); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	id, err := c.Identify(ctx, cardOf(t, h, card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Enroll: true})
	if err != nil {
		t.Fatal(err)
	}
	out["identification"] = id
	q, err := c.Qualify(ctx, cardOf(t, h, card.Options{}), confirm.QualifyOptions{Prompt: pin(jpkitest.DefaultAuthPIN)})
	if err != nil {
		t.Fatal(err)
	}
	out["qualification"] = q
	e.setCRLs([]revoked{{h.SignCert.SerialNumber, revocation.ReasonAffiliationChanged}}, nil)
	var lines []confirm.ChangeResult
	sum, err := c.CheckAll(ctx, nil, func(r confirm.ChangeResult) { lines = append(lines, r) })
	if err != nil {
		t.Fatal(err)
	}
	out["change_results"], out["summary"] = lines, sum
	chg, err := c.Identify(ctx, cardOf(t, movedHolder(t), card.Options{}), confirm.IdentifyOptions{Prompt: pin(jpkitest.DefaultSignPIN), Replaces: id.Enrolment.ID})
	if err != nil {
		t.Fatal(err)
	}
	out["registration_change"] = chg.Change
	e.setCRLs(nil, nil)
	raw, nonce := e.token(t, card.SignKey, audience)
	res, err := e.v.Validate(ctx, raw, audience, nonce, card.SignKey)
	if err != nil {
		t.Fatal(err)
	}
	out["token_result"] = res
	_, err = e.v.Validate(ctx, raw, audience, nonce, card.SignKey)
	out["token_refusal"] = map[string]token.Code{"code": token.CodeOf(err)}

	got, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "results.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("JSON differs from %s (run with -update and review the diff):\n%s", path, got)
	}
}
