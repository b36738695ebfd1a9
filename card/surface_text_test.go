package card_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/reader"
)

// rawReadText is what another program sharing the reader can send after
// an operation: SELECT of the text application and of EF 0002, READ
// BINARY, no VERIFY. It returns the READ's status word.
func rawReadText(t *testing.T, rc reader.Card) uint16 {
	t.Helper()
	ctx := context.Background()
	send := func(capdu []byte) []byte {
		out, err := rc.Transmit(ctx, capdu)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	send([]byte{0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08})
	send([]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x02})
	out := send([]byte{0x00, 0xB0, 0x00, 0x00, 0x10})
	n := len(out)
	return uint16(out[n-2])<<8 | uint16(out[n-1])
}

// TestReadSurfaceProvingText reads the card face, the chip's answer and
// the basic four as text in one transaction: the text verifies to the
// text CV key without the Individual Number being read, and the text
// application's security state is cleared afterwards.
func TestReadSurfaceProvingText(t *testing.T) {
	ctx := context.Background()
	keys := testCVKeys(t)
	challenge := []byte("a fresh challenge")
	f := newFixture(t, fixtureConfig{})
	pinB, _ := f.h.PINB()
	pb, pt := pin(pinB), pin(f.h.Contents().TextPIN)
	sf, sig, txt, err := f.j.Surface().ReadSurfaceProvingText(ctx, card.SurfacePINB, pb.prompt, challenge, pt.prompt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sf.Verify(keys); err != nil {
		t.Errorf("card face: %v", err)
	}
	if err := card.VerifyChallenge(sf.PublicKey, challenge, sig); err != nil {
		t.Errorf("challenge: %v", err)
	}
	if txt.Fields != card.TextBasicField || txt.Number != (card.Number{}) {
		t.Errorf("read fields %d, number %v: want the basic four only", txt.Fields, txt.Number)
	}
	v, err := txt.Verify(keys)
	if err != nil || !v.BasicChecked || v.NumberChecked || v.CAKey.Name() != "9000033" {
		t.Errorf("text Verify = %+v, %v", v, err)
	}
	if txt.Basic.Name != f.h.Spec.Name || txt.Basic.BirthDate.Format("20060102") != sf.BirthDate || txt.Basic.Sex != sf.Sex {
		t.Errorf("basic four %+v, card face %s %v", txt.Basic, sf.BirthDate, sf.Sex)
	}
	if len(pt.kinds) != 1 || pt.kinds[0] != card.TextPIN || pt.remaining[0] != virtual.MaxTriesText {
		t.Errorf("text prompt told %v %v", pt.kinds, pt.remaining)
	}
	pb.assertWiped(t)
	pt.assertWiped(t)
	if sw := rawReadText(t, f.rc); sw != 0x6982 {
		t.Errorf("text EF 0002 read without VERIFY after the operation: %04X, want 6982", sw)
	}
}

// TestReadSurfaceProvingTextRefusals: a wrong text PIN is a PINError
// with the tries left; a last try is refused before 照合番号B is even
// asked for; a tampered text record reads but does not verify, while the
// card face does.
func TestReadSurfaceProvingTextRefusals(t *testing.T) {
	ctx := context.Background()
	keys := testCVKeys(t)
	challenge := []byte("a fresh challenge")

	f := newFixture(t, fixtureConfig{})
	pinB, _ := f.h.PINB()
	_, _, _, err := f.j.Surface().ReadSurfaceProvingText(ctx, card.SurfacePINB, pin(pinB).prompt, challenge, pin("0000").prompt)
	var pe *card.PINError
	if !errors.As(err, &pe) || pe.Kind != card.TextPIN || pe.Remaining != virtual.MaxTriesText-1 {
		t.Errorf("wrong text PIN: %v", err)
	}
	if sw := rawReadText(t, f.rc); sw != 0x6982 {
		t.Errorf("after a wrong text PIN: text EF 0002 read without VERIFY = %04X, want 6982", sw)
	}

	f = newFixture(t, fixtureConfig{vopts: []virtual.Option{virtual.WithMaxTries(virtual.PINText, 1)}})
	pb := pin(pinB)
	_, _, _, err = f.j.Surface().ReadSurfaceProvingText(ctx, card.SurfacePINB, pb.prompt, challenge, pin(f.h.Contents().TextPIN).prompt)
	var pk *card.PINKindError
	if !errors.Is(err, card.ErrLastTry) || !errors.As(err, &pk) || pk.Kind != card.TextPIN || pb.calls != 0 {
		t.Errorf("last text PIN try: %v, 照合番号B asked %d times", err, pb.calls)
	}
	if f.vc.TriesLeft(virtual.PINSurfaceB) != virtual.MaxTriesCollation {
		t.Errorf("照合番号B tries %d after a refused last text PIN try", f.vc.TriesLeft(virtual.PINSurfaceB))
	}

	f = newFixture(t, fixtureConfig{vopts: []virtual.Option{virtual.WithRecordFault(virtual.TextRecordTampered)}})
	sf, _, txt, err := f.j.Surface().ReadSurfaceProvingText(ctx, card.SurfacePINB, pin(pinB).prompt, challenge, pin(f.h.Contents().TextPIN).prompt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sf.Verify(keys); err != nil {
		t.Errorf("card face of a tampered text record: %v", err)
	}
	var cve *card.CVError
	if _, err := txt.Verify(keys); !errors.As(err, &cve) || cve.Reason != card.CVReasonTampered {
		t.Errorf("tampered text record: Verify = %v, want CVReasonTampered", err)
	}
}

// TestReadChipProving reads the authentication certificate with the card
// face in one transaction: the same certificate ReadCertificate reads,
// and the card face and the chip's answer as ReadSurfaceProving gives
// them; a card without the certificate still reads, saying why.
func TestReadChipProving(t *testing.T) {
	ctx := context.Background()
	challenge := []byte("a fresh challenge")
	f := newFixture(t, fixtureConfig{})
	pinB, _ := f.h.PINB()
	want, err := f.j.ReadCertificate(ctx, card.AuthKey)
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.j.Surface().ReadChipProving(ctx, card.SurfacePINB, pin(pinB).prompt, challenge, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.AuthCert, want) || p.AuthCertErr != nil || p.Text != nil {
		t.Errorf("certificate %d bytes (%v), text %v", len(p.AuthCert), p.AuthCertErr, p.Text)
	}
	if err := card.VerifyChallenge(p.Surface.PublicKey, challenge, p.Signature); err != nil {
		t.Errorf("challenge: %v", err)
	}
	f = newFixture(t, fixtureConfig{contents: func(c *virtual.Contents) { c.AuthCert = nil }})
	p, err = f.j.Surface().ReadChipProving(ctx, card.SurfacePINB, pin(pinB).prompt, challenge, pin(f.h.Contents().TextPIN).prompt)
	if err != nil {
		t.Fatal(err)
	}
	if p.AuthCert != nil || p.AuthCertErr == nil || p.Surface == nil || p.Text == nil {
		t.Errorf("no certificate: %d bytes, %v; surface %v, text %v", len(p.AuthCert), p.AuthCertErr, p.Surface != nil, p.Text != nil)
	}
}
