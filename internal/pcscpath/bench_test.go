package pcscpath

import (
	"context"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// Benchmark metric units, read by scripts/benchtable.
const (
	unitAPDUs = "apdus/op"
	// unitBytes counts command and response APDUs whole (headers, Lc/Le,
	// status words); unitData only the response data, which for a
	// certificate read is the certificate's length when nothing is read
	// twice.
	unitBytes = "cardbytes/op"
	unitData  = "databytes/op"
	// unitTarget is the APDU target for the operation: its fixed
	// APDUs (SELECTs, the PIN sequence, SIGN) plus, for a read, one READ
	// per 256 data bytes on a short reader or one on an extended reader.
	unitTarget = "targetapdus/op"
)

// Fixed APDUs of each kind of operation (see budget_test.go).
const (
	fixedCertRead = certSelectAPDU // SELECT application, SELECT EF
	// clearAPDU is the SELECT of the application that ends every
	// operation that presented a PIN, dropping the card's PIN state.
	clearAPDU    = 1
	fixedPINRead = 4 + 1 + clearAPDU // PIN sequence, SELECT EF, clearing SELECT
	fixedStatus  = 3                 // SELECT, SELECT, empty VERIFY
	fixedSign    = 4 + 2 + clearAPDU // PIN sequence, SELECT key, SIGN, clearing SELECT
)

// benchOps are the operations of the `make bench` table.
var benchOps = []struct {
	name string
	// fixed is the operation's APDUs besides READ BINARY; reads says
	// whether it reads an EF.
	fixed int
	reads bool
	op    func(ctx context.Context, j *card.JPKI, info []byte) error
}{
	{"ReadAuthCert", fixedCertRead, true, func(ctx context.Context, j *card.JPKI, _ []byte) error {
		_, err := j.ReadCertificate(ctx, card.AuthKey)
		return err
	}},
	{"ReadAuthCACert", fixedCertRead, true, func(ctx context.Context, j *card.JPKI, _ []byte) error {
		_, err := j.ReadCACertificate(ctx, card.AuthKey)
		return err
	}},
	{"ReadSignCACert", fixedCertRead, true, func(ctx context.Context, j *card.JPKI, _ []byte) error {
		_, err := j.ReadCACertificate(ctx, card.SignKey)
		return err
	}},
	{"ReadSignCert", fixedPINRead, true, func(ctx context.Context, j *card.JPKI, _ []byte) error {
		_, err := j.ReadSignCertificate(ctx, answer(jpkitest.DefaultSignPIN).ask)
		return err
	}},
	{"PINStatus", fixedStatus, false, func(ctx context.Context, j *card.JPKI, _ []byte) error {
		_, err := j.PINStatus(ctx, card.AuthPIN)
		return err
	}},
	{"SignAuthKey", fixedSign, false, func(ctx context.Context, j *card.JPKI, info []byte) error {
		_, err := j.Sign(ctx, card.AuthKey, answer(jpkitest.DefaultAuthPIN).ask, info)
		return err
	}},
	{"SignSignKey", fixedSign, false, func(ctx context.Context, j *card.JPKI, info []byte) error {
		_, err := j.Sign(ctx, card.SignKey, answer(jpkitest.DefaultSignPIN).ask, info)
		return err
	}},
}

// benchReader is one way to reach a card, with its counter.
type benchReader struct {
	path, kind string
	j          *card.JPKI
	n          *card.Counter
}

func openBench(b *testing.B, path, kind string, rc reader.Card, mode card.ExtendedMode) benchReader {
	b.Helper()
	n := new(card.Counter)
	j, err := card.OpenJPKI(context.Background(), rc, card.Options{Extended: mode, Trace: n.Hook(nil)})
	if err != nil {
		b.Fatal(err)
	}
	return benchReader{path, kind, j, n}
}

// BenchmarkCardOps measures each operation through pcscd and vpcd (path
// "pcsc") and in-process (path "loopback", for comparison), on a short-APDU
// reader (card.ExtendedNever, the reader not declared extended) and an
// extended-length one (pcsc.WithExtendedLength, reader.Capabilities),
// reporting APDUs and bytes exchanged per operation. The card is inserted
// once for all sub-benchmarks. `make bench` runs it with a fixed count:
//
//	go test -run '^$' -bench CardOps -benchtime 50x -benchmem ./internal/pcscpath
func BenchmarkCardOps(b *testing.B) {
	newCard := func() *virtual.Card {
		vc, err := virtual.NewMyNumberCard(newContents())
		if err != nil {
			b.Fatal(err)
		}
		return vc
	}
	slot := pcsctest.Slot(b)
	pcsctest.Insert(b, slot, newCard())
	short, extended := connect(b, slot, false), connect(b, slot, true)
	loop := newCard()
	readers := []benchReader{
		openBench(b, "pcsc", "short", short, card.ExtendedNever),
		openBench(b, "pcsc", "extended", extended, card.ExtendedAuto),
		openBench(b, "loopback", "short", reader.Loopback("loopback", loop, reader.Capabilities{}), card.ExtendedNever),
		openBench(b, "loopback", "extended", reader.Loopback("loopback", loop, reader.Capabilities{ExtendedLength: true}), card.ExtendedAuto),
	}
	_, info := sha256Info(b, "benchmark")
	for _, rd := range readers {
		for _, o := range benchOps {
			b.Run(rd.path+"/"+rd.kind+"/"+o.name, func(b *testing.B) {
				ctx := context.Background()
				rd.n.Reset()
				for b.Loop() {
					if err := o.op(ctx, rd.j, info); err != nil {
						b.Fatal(err)
					}
				}
				st := rd.n.Stats()
				b.ReportMetric(float64(st.APDUs)/float64(b.N), unitAPDUs)
				b.ReportMetric(float64(st.Sent+st.Received)/float64(b.N), unitBytes)
				// Every iteration exchanges the same APDUs, so the
				// division is exact.
				data := (st.Received - statusWordLen*st.APDUs) / b.N
				b.ReportMetric(float64(data), unitData)
				target := o.fixed
				if o.reads && rd.kind == "extended" {
					target++
				} else if o.reads {
					target += ceilDiv(data, shortChunk)
				}
				b.ReportMetric(float64(target), unitTarget)
			})
		}
	}
}
