package pcscpath

import (
	"context"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// cvcLen is the size of an application's card-verifiable certificate
// (EF 0004, docs/card-apps.md).
const cvcLen = 568

// budget is the exact traffic an operation may cost.
type budget struct {
	apdus          int
	sent, received int
}

// measure runs op and returns what the library counted (Options.Trace) and
// checks that the card, at the other end of pcscd, saw the same traffic:
// no APDU the library does not know about.
func measure(t *testing.T, r *rig, op func(ctx context.Context) error) card.CounterStats {
	t.Helper()
	r.count.Reset()
	r.vc.ResetStats()
	if err := op(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	got := r.count.Stats()
	vs := r.vc.Stats()
	if vs.APDUs != got.APDUs || vs.BytesIn != int64(got.Sent) || vs.BytesOut != int64(got.Received) {
		t.Errorf("the library counted %+v, the card saw %+v", got, vs)
	}
	return got
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// Fixed parts of the PIN-guarded sequences (ISO/IEC 7816-4 §11.5.6):
// SELECT the application, SELECT the PIN EF, the empty VERIFY that reads
// the tries, then VERIFY with the PIN; and, at the end of the transaction,
// the SELECT of the application that clears the security state (counted
// here, once, so every PIN-guarded operation carries it).
func pinPrefix(pinLen int) budget {
	return budget{
		apdus:    5,
		sent:     selectAppLen + selectEFLen + headerLen + headerLen + shortLcLen + pinLen + selectAppLen,
		received: 5 * statusWordLen,
	}
}

// certRead is the budget of reading an EF of n bytes after its EF was
// selected: ceil(n/256) short READs, or one extended READ, and every byte
// received exactly once.
func certRead(n int, extended bool) budget {
	if extended {
		return budget{apdus: 1, sent: readExtended, received: n + statusWordLen}
	}
	reads := ceilDiv(n, shortChunk)
	return budget{apdus: reads, sent: reads * readShortLen, received: n + reads*statusWordLen}
}

func (b budget) plus(c budget) budget {
	return budget{b.apdus + c.apdus, b.sent + c.sent, b.received + c.received}
}

// selects is the budget of SELECT application + SELECT EF.
var selects = budget{apdus: certSelectAPDU, sent: selectAppLen + selectEFLen, received: certSelectAPDU * statusWordLen}

// TestAPDUBudget holds every operation of `make bench` to its exact APDU
// and byte budget through pcscd, on a short-APDU reader, on an
// extended-length one, and on one declared extended in front of a card
// that refuses it (one refused READ, once, then short APDUs): a certificate costs the two SELECTs plus
// ceil(length/256) short READs or one extended READ, and the bytes
// received are the certificate's length plus one status word per APDU, so
// no byte is read twice.
func TestAPDUBudget(t *testing.T) {
	h := jpkitest.DefaultHolder()
	ct := h.Contents()
	_, info := sha256Info(t, "budget")
	surface, err := virtual.EncodeSurface(&ct, h.SurfaceKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, rk := range readerKinds {
		t.Run(rk.name, func(t *testing.T) {
			// A card that refuses extended length costs the first READ
			// once (answered 6700), then everything is short.
			ext := rk.extended && !rk.refused
			r := newRig(t, rigConfig{extended: rk.extended, opts: rk.opts, cardOpts: rk.cardOpts})
			ops := []struct {
				name string
				op   func(ctx context.Context) error
				want budget
			}{
				{"read AuthCert", func(ctx context.Context) error { _, err := r.j.ReadCertificate(ctx, card.AuthKey); return err },
					selects.plus(certRead(len(h.AuthCert.Raw), ext))},
				{"read AuthCACert", func(ctx context.Context) error { _, err := r.j.ReadCACertificate(ctx, card.AuthKey); return err },
					selects.plus(certRead(len(h.AuthCA.Raw), ext))},
				{"read SignCACert", func(ctx context.Context) error { _, err := r.j.ReadCACertificate(ctx, card.SignKey); return err },
					selects.plus(certRead(len(h.SignCA.Raw), ext))},
				// The signing certificate: the PIN sequence, then SELECT EF
				// 0001 (the application is already selected) and the READs.
				{"read SignCert", func(ctx context.Context) error {
					_, err := r.j.ReadSignCertificate(ctx, answer(jpkitest.DefaultSignPIN).ask)
					return err
				}, pinPrefix(len(jpkitest.DefaultSignPIN)).plus(budget{1, selectEFLen, statusWordLen}).plus(certRead(len(h.SignCert.Raw), ext))},
				{"PIN status", func(ctx context.Context) error { _, err := r.j.PINStatus(ctx, card.AuthPIN); return err },
					budget{3, selectAppLen + selectEFLen + headerLen, 3 * statusWordLen}},
				// Sign: the PIN sequence, SELECT the key EF, then SIGN
				// (80 2A 00 80 Lc DigestInfo Le) answered by 256 bytes
				// (pinPrefix counts the clearing SELECT).
				{"sign", func(ctx context.Context) error {
					_, err := r.j.Sign(ctx, card.AuthKey, answer(jpkitest.DefaultAuthPIN).ask, info)
					return err
				}, pinPrefix(len(jpkitest.DefaultAuthPIN)).plus(budget{2, selectEFLen + headerLen + shortLcLen + len(info) + shortLeLen, statusWordLen + 256 + statusWordLen})},
				{"read surface", func(ctx context.Context) error {
					_, err := r.j.Surface().ReadSurface(ctx, card.SurfacePINB, answer(ct.PINB).ask)
					return err
				}, pinPrefix(len(ct.PINB)).plus(budget{1, selectEFLen, statusWordLen}).plus(certRead(len(surface), ext)).
					plus(budget{1, selectEFLen, statusWordLen}).plus(certRead(cvcLen, ext))}, // EF 0004 is read with the face
				// Presence: EF 0008 read with Le 4 (answered with its 3
				// bytes), then each CA certificate EF asked directly: SELECT
				// and an 8-byte header READ.
				{"presence", func(ctx context.Context) error { _, err := r.j.Present(ctx); return err },
					budget{7, selectAppLen + 3*selectEFLen + 3*readShortLen, 7*statusWordLen + 3 + 2*8}},
			}
			for i, o := range ops {
				if i == 0 && rk.refused {
					o.want = o.want.plus(budget{1, readExtended, statusWordLen})
				}
				got := measure(t, r, o.op)
				if got.APDUs != o.want.apdus || got.Sent != o.want.sent || got.Received != o.want.received {
					t.Errorf("%s on the %s reader: %d APDUs, %d bytes sent, %d received; want %d, %d, %d",
						o.name, rk.name, got.APDUs, got.Sent, got.Received, o.want.apdus, o.want.sent, o.want.received)
				}
			}
		})
	}
}
