package card_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/reader"
)

// Fuzz targets for every parser of card bytes. Seeds come from
// card/virtual's encoders, so they are the layouts the tests assume.

func FuzzParseNumberRecord(f *testing.F) {
	seed, _ := virtual.EncodeTextNumber("123456789018")
	f.Add(seed)
	f.Add([]byte{0xFF, 0x10, 0x0C})
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := card.ParseNumberRecord(b)
		if err == nil {
			again, err := virtual.EncodeTextNumber(n.Reveal())
			if err != nil {
				t.Fatalf("re-encoding %v: %v", n, err)
			}
			if m, err := card.ParseNumberRecord(again); err != nil || m != n {
				t.Fatalf("round trip: %v, %v", m, err)
			}
		}
	})
}

func FuzzParseBasicRecord(f *testing.F) {
	seed, _ := virtual.EncodeTextBasic("山田\u3000太郎", "東京都千代田区霞が関２丁目１番２号", "19850401", "1")
	f.Add(seed)
	long, _ := virtual.EncodeTextBasic(string(bytes.Repeat([]byte("あ"), 100)), "x", "20000229", "9")
	f.Add(long)
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := card.ParseBasicRecord(b)
		if err != nil {
			return
		}
		again, err := virtual.EncodeTextBasic(info.Name, info.Address, info.BirthDate.Format("20060102"), string('0'+byte(info.Sex)))
		if err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		got, err := card.ParseBasicRecord(again)
		if err != nil || got.Name != info.Name || got.Address != info.Address || !got.BirthDate.Equal(info.BirthDate) || got.Sex != info.Sex {
			t.Fatalf("round trip: %+v, %v; want %+v", got, err, info)
		}
	})
}

func FuzzParseIntegrityRecord(f *testing.F) {
	h := defaultHolder()
	ct := h.Contents()
	num, _ := virtual.EncodeTextNumber(ct.Number)
	basic, _ := virtual.EncodeTextBasic(ct.Name, ct.Address, ct.BirthDate, ct.Sex)
	seed, err := virtual.EncodeTextIntegrity(num, basic, h.TextKey)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := card.ParseIntegrityRecord(b)
		if err == nil && (len(r.NumberHash) != 32 || len(r.BasicHash) != 32) {
			t.Fatalf("accepted hashes of %d and %d bytes", len(r.NumberHash), len(r.BasicHash))
		}
	})
}

func FuzzParseCVC(f *testing.F) {
	h := defaultHolder()
	seed, err := virtual.EncodeAppCVC(&h.TextKey.PublicKey, h.TextCAKeyID, h.TextKeyID, h.TextCAKey, virtual.CVCSignedValue)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add(seed[5:]) // the template's contents, as GET DATA answers
	keys, err := card.NewCVCAKeys(card.WithTestCVCAKeys())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := card.ParseCVC(b)
		if err != nil {
			return
		}
		if c.PublicKey == nil || !bytes.Contains(c.BodyTLV, c.Body) || !bytes.HasPrefix(c.Body, c.IssuerKeyID[:]) {
			t.Fatalf("accepted %+v", c)
		}
		_, _ = keys.VerifyCVC(c, card.CVUseText) // must not panic
	})
}

func FuzzParseSurfaceRecord(f *testing.F) {
	h := defaultHolder()
	ct := h.Contents()
	seed, err := virtual.EncodeSurface(&ct, h.SurfaceKey)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	small := ct
	small.FacePhoto, small.NameImage, small.AddressImage, small.SecurityCodeImage, small.SurfaceAppKey = []byte{0xFF, 0x4F, 0xFF, 0x51}, nil, nil, nil, nil
	if s, err := virtual.EncodeSurface(&small, nil); err == nil {
		f.Add(s)
	}
	keys, err := card.NewCVCAKeys(card.WithTestCVCAKeys())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := card.ParseSurfaceRecord(b)
		if err != nil {
			return
		}
		if _, err := s.Verify(keys); err == nil {
			t.Fatal("verified without EF 0004")
		}
		if s.PhotoFormat != card.DetectImageFormat(s.FacePhoto) || len(s.Signed.DigestInfo) != 19+96 {
			t.Fatalf("photo format %v, DigestInfo of %d bytes", s.PhotoFormat, len(s.Signed.DigestInfo))
		}
	})
}

func FuzzParseAgeRecord(f *testing.F) {
	h := defaultHolder()
	ct := h.Contents()
	seed, err := virtual.EncodeAgeRecord(ct.BirthDate, &h.SurfaceAppKey.PublicKey, h.SurfaceKey)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := card.ParseAgeRecord(b)
		if err != nil {
			return
		}
		if len(r.BirthDate) != 8 || r.PublicKey == nil || len(r.Signature) == 0 || !bytes.Contains(b, r.Signed) {
			t.Fatalf("accepted %+v", r)
		}
	})
}

func FuzzParseNumberImage(f *testing.F) {
	h := defaultHolder()
	ct := h.Contents()
	seed, err := virtual.EncodeNumberImage(ct.NumberImage, &h.SurfaceAppKey.PublicKey, h.SurfaceKey)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := card.ParseNumberImage(b)
		if err != nil {
			return
		}
		if len(r.PNG) == 0 || r.PublicKey == nil || len(r.Signature) == 0 || !bytes.Contains(b, r.Signed) {
			t.Fatalf("accepted %+v", r)
		}
	})
}

func FuzzParseCVCAKeyPEM(f *testing.F) {
	keys, err := card.PinnedCVCAKeys()
	if err != nil {
		f.Fatal(err)
	}
	for _, k := range keys[:2] {
		der, _ := x509.MarshalPKIXPublicKey(k.PublicKey)
		f.Add(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if k, err := card.ParseCVCAKeyPEM(b); err == nil && k.N.BitLen() != 2048 {
			t.Fatalf("accepted a %d-bit key", k.N.BitLen())
		}
	})
}

func FuzzParseTokenLabel(f *testing.F) {
	for _, l := range []string{"JPKIAPICCTOKEN2", "JPKIAPGPSETOKEN", "JPKIAPIOSTOKEN", "JPKIAPICCTOKEN", ""} {
		b, _ := virtual.EncodeTokenInfo(l)
		f.Add(b[:32])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		typ, label := card.ParseTokenLabel(b)
		if len(label) > 32 {
			t.Fatalf("label of %d bytes", len(label))
		}
		if typ != card.Unknown && label == "" {
			t.Fatalf("type %v from an empty label", typ)
		}
	})
}

// scripted is a RawCard that answers with successive pieces of a fuzz
// input, to drive the whole JPKI code path with arbitrary responses.
type scripted struct{ rest []byte }

func (s *scripted) ATR() []byte { return nil }

func (s *scripted) Transmit([]byte) []byte {
	if len(s.rest) == 0 {
		return nil // removed
	}
	n := int(s.rest[0]) + 1
	s.rest = s.rest[1:]
	n = min(n, len(s.rest))
	out := s.rest[:n]
	s.rest = s.rest[n:]
	return append([]byte(nil), out...)
}

func FuzzCardResponses(f *testing.F) {
	ok := []byte{1, 0x90, 0x00}
	f.Add(bytes.Repeat(ok, 20))
	f.Add(append(append(append([]byte{}, ok...), ok...), 33, 'J', 'P', 'K', 'I', 'A', 'P', 'I', 'C', 'C', 'T', 'O', 'K', 'E', 'N', '2',
		' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', 0x90, 0x00))
	f.Fuzz(func(t *testing.T, b []byte) {
		ctx := context.Background()
		rc := reader.Loopback("fuzz", &scripted{rest: b}, reader.Capabilities{ExtendedLength: len(b)%2 == 0})
		j, err := card.OpenJPKI(ctx, rc, card.Options{AllowLastTry: true})
		if err != nil {
			return
		}
		p := func(context.Context, card.PINKind, int) ([]byte, error) { return []byte("1234"), nil }
		_, _ = j.ReadCertificate(ctx, card.AuthKey)
		_, _ = j.PINStatus(ctx, card.AuthPIN)
		_, _ = j.Sign(ctx, card.AuthKey, p, []byte{1, 2, 3})
		_, _ = j.Present(ctx)
		if rec, err := j.Text().ReadText(ctx, card.TextPIN, p); err == nil {
			_, _ = rec.Verify(nil)
		}
		_, _ = j.Surface().ReadSurface(ctx, card.SurfacePINB, func(context.Context, card.PINKind, int) ([]byte, error) {
			return []byte("60040120341234"), nil
		})
	})
}
