package pdf

import (
	"os"
	"testing"
)

func TestSignProducersBB(t *testing.T) {
	roots := testRoots(t)
	for name, in := range producers(t) {
		t.Run(name, func(t *testing.T) {
			out := signSoft(t, in, SignOptions{Reason: "契約に同意します", Location: "東京都", ContactInfo: "taro@example.jp"})
			os.WriteFile("/tmp/ptest/out-"+name+".pdf", out, 0o644)
			rep := verifyOK(t, out, VerifyOptions{Roots: roots})
			if len(rep.Signatures) != 1 || rep.Signatures[0].Level != "B-B" || !rep.Signatures[0].WholeFile {
				t.Fatalf("report %+v", rep.Signatures[0])
			}
			if got := rep.Signatures[0].Reason; got != "契約に同意します" {
				t.Errorf("reason %q", got)
			}
			qpdfCheck(t, out)
			pdfsigValid(t, out, 1)
		})
	}
}
