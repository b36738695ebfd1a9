package card_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// The benchmarks report APDUs and bytes exchanged per operation (the
// figures that matter on a contactless reader), on a short-APDU reader
// and an extended-length one. Run briefly: go test -run=^$ -bench=. -benchtime=20x ./card

func benchOp(b *testing.B, ext bool, op func(ctx context.Context, j *card.JPKI) error) {
	var n card.Counter
	f := newFixture(b, fixtureConfig{caps: reader.Capabilities{ExtendedLength: ext}, opts: card.Options{Trace: n.Hook(nil)}})
	ctx := context.Background()
	n.Reset()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := op(ctx, f.j); err != nil {
			b.Fatal(err)
		}
	}
	st := n.Stats()
	b.ReportMetric(float64(st.APDUs)/float64(b.N), "apdus/op")
	b.ReportMetric(float64(st.Sent+st.Received)/float64(b.N), "cardbytes/op")
}

func BenchmarkOps(b *testing.B) {
	ops := []struct {
		name string
		op   func(ctx context.Context, j *card.JPKI) error
	}{
		{"ReadAuthCert", func(ctx context.Context, j *card.JPKI) error {
			_, err := j.ReadCertificate(ctx, card.AuthKey)
			return err
		}},
		{"ReadAuthCACert", func(ctx context.Context, j *card.JPKI) error {
			_, err := j.ReadCACertificate(ctx, card.AuthKey)
			return err
		}},
		{"ReadSignCACert", func(ctx context.Context, j *card.JPKI) error {
			_, err := j.ReadCACertificate(ctx, card.SignKey)
			return err
		}},
		{"ReadSignCert", func(ctx context.Context, j *card.JPKI) error {
			_, err := j.ReadSignCertificate(ctx, pin(jpkitest.DefaultSignPIN).prompt)
			return err
		}},
		{"PINStatus", func(ctx context.Context, j *card.JPKI) error { _, err := j.PINStatus(ctx, card.AuthPIN); return err }},
		{"SignAuth", func(ctx context.Context, j *card.JPKI) error {
			_, err := j.Sign(ctx, card.AuthKey, pin(jpkitest.DefaultAuthPIN).prompt, digestInfo("x"))
			return err
		}},
	}
	for _, o := range ops {
		for _, ext := range []bool{false, true} {
			name := o.name + "/short"
			if ext {
				name = o.name + "/extended"
			}
			b.Run(name, func(b *testing.B) { benchOp(b, ext, o.op) })
		}
	}
}

// BenchmarkSurfaceVerify parses and verifies card faces whose photo is
// 1 KiB, 8 KiB (about a real card's) and 24 KiB, and a face read from
// the card: the three hashes, the DigestInfo, EF 0004 to the pinned key
// and DF28.
func BenchmarkSurfaceVerify(b *testing.B) {
	keys, err := card.NewCVCAKeys(card.WithTestCVCAKeys())
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{1 << 10, 8 << 10, 24 << 10} {
		b.Run(fmt.Sprintf("photo %d bytes", size), func(b *testing.B) {
			photo := append([]byte("\x00\x00\x00\x0CjP  \r\n\x87\n"), bytes.Repeat([]byte{0x5A}, size-12)...)
			f := newFixture(b, fixtureConfig{contents: func(c *virtual.Contents) { c.FacePhoto = photo }})
			number, _ := card.ParseNumber(f.h.Spec.Number)
			s, err := f.j.Surface().ReadSurface(context.Background(), card.SurfacePINA, pin(string(card.PINA(number))).prompt)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(s.FacePhoto)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := s.Verify(keys); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
