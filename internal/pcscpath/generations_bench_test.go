package pcscpath

import (
	"context"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/reader"
)

// BenchmarkSignGenerations measures one signature with each key of each
// card generation (RSA-2048; speculative ECDSA P-384) through pcscd and
// vpcd and in-process: time, APDUs and bytes per signature, the hash
// being the key's own.
//
//	go test -run '^$' -bench SignGenerations -benchtime 30x ./internal/pcscpath
func BenchmarkSignGenerations(b *testing.B) {
	for _, g := range generations {
		h := g.holder(b)
		r := newRig(b, rigConfig{holder: h})
		paths := []struct {
			name string
			rc   reader.Card
		}{{"pcsc", r.reader}, {"loopback", reader.Loopback("loopback", r.vc.Card, reader.Capabilities{})}}
		for _, path := range paths {
			for _, k := range []struct {
				key  card.KeyKind
				pin  string
				cert []byte
			}{{card.AuthKey, h.Spec.AuthPIN, h.AuthCert.Raw}, {card.SignKey, h.Spec.SignPIN, h.SignCert.Raw}} {
				b.Run(g.name+"/"+path.name+"/"+k.key.String(), func(b *testing.B) {
					cert, err := jpki.Parse(k.cert)
					if err != nil {
						b.Fatal(err)
					}
					n := new(card.Counter)
					j, err := card.OpenJPKI(context.Background(), path.rc, card.Options{SpeculativeECDSA: true, Trace: n.Hook(nil)})
					if err != nil {
						b.Fatal(err)
					}
					s, err := j.SchemeFor(cert.PublicKey)
					if err != nil {
						b.Fatal(err)
					}
					hash := g.alg.Hash()
					digest := hashBytes(hash, []byte("benchmark"))
					n.Reset()
					for b.Loop() {
						if _, err := j.SignDigest(context.Background(), k.key, answer(k.pin).ask, s, hash, digest); err != nil {
							b.Fatal(err)
						}
					}
					st := n.Stats()
					b.ReportMetric(float64(st.APDUs)/float64(b.N), unitAPDUs)
					b.ReportMetric(float64(st.Sent+st.Received)/float64(b.N), unitBytes)
				})
			}
		}
	}
}
