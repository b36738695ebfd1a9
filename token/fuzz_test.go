package token_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/mynacard/mynacard/token"
)

// FuzzParse parses network bytes as a token; whatever parses must
// re-marshal to a token that parses to the same values.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"version":1,"algorithm":"RS256","certificate":"MIIB","signature":"AAEC"}`))
	f.Add([]byte(`{"version":1,"algorithm":"RS256","certificate":"","signature":""}`))
	f.Add([]byte(`{"version":1} {}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := token.Parse(b)
		if err != nil {
			if token.CodeOf(err) != token.Malformed {
				t.Fatalf("error without the malformed code: %v", err)
			}
			return
		}
		out, err := json.Marshal(tok)
		if err != nil {
			t.Fatal(err)
		}
		again, err := token.Parse(out)
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if again.Version != tok.Version || again.Algorithm != tok.Algorithm ||
			!bytes.Equal(again.Certificate, tok.Certificate) || !bytes.Equal(again.Signature, tok.Signature) {
			t.Fatal("round trip differs")
		}
	})
}
