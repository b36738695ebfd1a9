package confirm_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/mynacard/mynacard/confirm"
)

// FuzzParseToken parses network bytes as a token; whatever parses must
// re-marshal to a token that parses to the same values.
func FuzzParseToken(f *testing.F) {
	f.Add([]byte(`{"version":1,"algorithm":"RS256","certificate":"MIIB","signature":"AAEC"}`))
	f.Add([]byte(`{"version":1,"algorithm":"RS256","certificate":"","signature":""}`))
	f.Add([]byte(`{"version":1} {}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := confirm.ParseToken(b)
		if err != nil {
			if confirm.TokenCode(err) != confirm.TokenMalformed {
				t.Fatalf("error without the malformed code: %v", err)
			}
			return
		}
		out, err := json.Marshal(tok)
		if err != nil {
			t.Fatal(err)
		}
		again, err := confirm.ParseToken(out)
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if again.Version != tok.Version || again.Algorithm != tok.Algorithm ||
			!bytes.Equal(again.Certificate, tok.Certificate) || !bytes.Equal(again.Signature, tok.Signature) {
			t.Fatal("round trip differs")
		}
	})
}
