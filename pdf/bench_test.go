package pdf

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkVerify verifies documents with 1, 2 and 4 signatures (each
// signature parses its own revision as well as the last).
func BenchmarkVerify(b *testing.B) {
	roots := testRoots(b)
	doc := formPDF()
	for n := 1; n <= 4; n *= 2 {
		for len(countSigs(b, doc)) < n {
			doc = signSoft(b, doc, SignOptions{})
		}
		data := doc
		b.Run(fmt.Sprintf("signatures=%d/bytes=%d", n, len(data)), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Verify(context.Background(), data, VerifyOptions{Roots: roots}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func countSigs(b *testing.B, data []byte) []*Signature {
	rep, err := Verify(context.Background(), data, VerifyOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return rep.Signatures
}

// BenchmarkPrepare prepares the signing update of a form PDF.
func BenchmarkPrepare(b *testing.B) {
	in := formPDF()
	for b.Loop() {
		if _, err := Prepare(in, SignOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
