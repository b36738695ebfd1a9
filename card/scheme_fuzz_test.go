package card_test

import (
	"crypto/elliptic"
	"errors"
	"math/big"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/mynacard/mynacard/card"
)

// FuzzSpeculativeECDSAOutput: any card answer either becomes a DER
// signature of two integers in [1, n−1] or is ErrBadSignature; nothing
// panics.
func FuzzSpeculativeECDSAOutput(f *testing.F) {
	f.Add(make([]byte, 96))
	f.Add(append(make([]byte, 47), append([]byte{1}, append(make([]byte, 47), 1)...)...))
	f.Add([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, answer []byte) {
		for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384()} {
			out, err := card.SpeculativeECDSA{Curve: curve}.Output(answer)
			if err != nil {
				if !errors.Is(err, card.ErrBadSignature) {
					t.Fatalf("error %v is not ErrBadSignature", err)
				}
				continue
			}
			in := cryptobyte.String(out)
			var seq cryptobyte.String
			r, s := new(big.Int), new(big.Int)
			if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() || !seq.ReadASN1Integer(r) || !seq.ReadASN1Integer(s) || !seq.Empty() {
				t.Fatalf("%s: output % X is not SEQUENCE { r, s }", curve.Params().Name, out)
			}
			n := curve.Params().N
			if r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(n) >= 0 || s.Cmp(n) >= 0 {
				t.Fatalf("%s: r or s out of range", curve.Params().Name)
			}
		}
	})
}
