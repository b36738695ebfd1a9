package virtual

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/mynacard/mynacard/apdu"
)

func readEF(t *testing.T, c *Card, fid string) []byte {
	t.Helper()
	run(t, c, []step{{selEF(fid), 0x9000}})
	return readAll(t, c)
}

func mustTLVs(t *testing.T, b []byte) []apdu.TLV {
	t.Helper()
	tlvs, err := apdu.ParseTLVs(b)
	if err != nil {
		t.Fatalf("ParseTLVs(% X): %v", b, err)
	}
	return tlvs
}

func mustFind(t *testing.T, tlvs []apdu.TLV, tag uint32) []byte {
	t.Helper()
	v, ok := apdu.Find(tlvs, tag)
	if !ok {
		t.Fatalf("tag %X missing", tag)
	}
	return v
}

func TestTextAccess(t *testing.T) {
	for _, fid := range []string{"0001", "0002", "0003", "0004"} {
		for _, pin := range []struct {
			p2, value string
		}{{"91", testTextPIN}, {"94", testNumber}, {"95", testPINB}} {
			t.Run(fid+"/"+pin.p2, func(t *testing.T) {
				c := newTestCard(t)
				run(t, c, []step{{selText, 0x9000}, {selEF(fid), 0x9000}, {"00B0000001", 0x6982},
					{verifyHex(pin.p2, pin.value), 0x9000}, {"00B0000001", 0x9000}})
			})
		}
	}
	t.Run("JPKI auth PIN does not open text", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}, {selText, 0x9000}, {selEF("0001"), 0x9000}, {"00B0000001", 0x6982}})
	})
	t.Run("counters", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selText, 0x9000}, {verifyHex("91", ""), 0x63C3}, {verifyHex("94", ""), 0x63CA}, {verifyHex("95", ""), 0x63CA},
			{verifyHex("94", "000000000000"), 0x63C9}})
		if c.TriesLeft(PINTextA) != 9 || c.TriesLeft(PINSurfaceA) != 10 {
			t.Errorf("TriesLeft = %d, %d", c.TriesLeft(PINTextA), c.TriesLeft(PINSurfaceA))
		}
	})
	t.Run("WithMaxTries", func(t *testing.T) {
		c := newTestCard(t, WithMaxTries(PINTextA, 3))
		run(t, c, []step{{selText, 0x9000}, {verifyHex("94", ""), 0x63C3}})
	})
}

func TestTextContents(t *testing.T) {
	ct := testContents(t)
	c := newTestCard(t)
	run(t, c, []step{{selText, 0x9000}, {verifyHex("91", testTextPIN), 0x9000}})

	number := readEF(t, c, "0001")
	if want := "\xFF\x10\x0C" + testNumber + "\xFF\xFF"; string(number) != want {
		t.Errorf("EF 0001 = % X", number)
	}

	basic := readEF(t, c, "0002")
	outer, rest, err := apdu.ReadTLV(basic)
	if err != nil || outer.Tag != 0xFF20 || len(rest) != 0 {
		t.Fatalf("EF 0002: %v, tag %X, %d left", err, outer.Tag, len(rest))
	}
	inner := mustTLVs(t, outer.Value)
	want := map[uint32]string{0xDF22: ct.Name, 0xDF23: ct.Address, 0xDF24: ct.BirthDate, 0xDF25: ct.Sex}
	for tag, v := range want {
		if got := mustFind(t, inner, tag); string(got) != v {
			t.Errorf("tag %X = %q, want %q", tag, got, v)
		}
	}
	offs := mustFind(t, inner, 0xDF21)
	if len(offs) != 8 {
		t.Fatalf("DF21 of %d bytes", len(offs))
	}
	for i, tag := range []uint16{0xDF22, 0xDF23, 0xDF24, 0xDF25} {
		off := binary.BigEndian.Uint16(offs[2*i:])
		if got := binary.BigEndian.Uint16(basic[off:]); got != tag {
			t.Errorf("offset %d points at %X, want %X", off, got, tag)
		}
	}

	integrity := readEF(t, c, "0003")
	rec, _, err := apdu.ReadTLV(integrity)
	if err != nil || rec.Tag != 0xFF30 {
		t.Fatalf("EF 0003: %v %X", err, rec.Tag)
	}
	tlvs := mustTLVs(t, rec.Value)
	hn, hb, sig := mustFind(t, tlvs, 0xDF31), mustFind(t, tlvs, 0xDF32), mustFind(t, tlvs, 0xDF33)
	if want := sha256.Sum256(number); !bytes.Equal(hn, want[:]) {
		t.Error("DF31 is not SHA-256 of EF 0001")
	}
	first := binary.BigEndian.Uint16(offs)
	if want := sha256.Sum256(basic[first:]); !bytes.Equal(hb, want[:]) {
		t.Error("DF32 is not SHA-256 of DF22..end")
	}
	signed := apdu.AppendTLV(apdu.AppendTLV(nil, 0xDF31, hn), 0xDF32, hb)
	digest := sha256.Sum256(signed)
	if err := rsa.VerifyPKCS1v15(&ct.TextKey.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("DF33: %v", err)
	}

	cvc := readEF(t, c, "0004")
	cv, _, err := apdu.ReadTLV(cvc)
	if err != nil || cv.Tag != 0x7F21 {
		t.Fatalf("EF 0004: %v %X", err, cv.Tag)
	}
	parts := mustTLVs(t, cv.Value)
	body := mustFind(t, parts, 0x5F4E)
	if len(body) < 32 {
		t.Fatalf("5F4E of %d bytes", len(body))
	}
	key := mustTLVs(t, body[32:])
	if n := mustFind(t, key, 0x91); !bytes.Equal(n, ct.TextKey.N.Bytes()) {
		t.Error("CVC modulus differs")
	}
	if e := mustFind(t, key, 0x90); !bytes.Equal(e, []byte{1, 0, 1}) {
		t.Errorf("CVC exponent % X", e)
	}
	bodyDigest := sha256.Sum256(apdu.AppendTLV(nil, 0x5F4E, body))
	if err := rsa.VerifyPKCS1v15(&ct.TextKey.PublicKey, crypto.SHA256, bodyDigest[:], mustFind(t, parts, 0x5F37)); err != nil {
		t.Errorf("5F37: %v", err)
	}
}

func TestSurface(t *testing.T) {
	ct := testContents(t)
	for _, pin := range []struct{ p2, value string }{{"93", testNumber}, {"92", testPINB}} {
		t.Run(pin.p2, func(t *testing.T) {
			c := newTestCard(t)
			run(t, c, []step{{selSurface, 0x9000}, {selEF("0002"), 0x9000}, {"00B0000001", 0x6982},
				{verifyHex(pin.p2, pin.value), 0x9000}})
			face := readAll(t, c)
			outer, _, err := apdu.ReadTLV(face)
			if err != nil || outer.Tag != 0xFF20 {
				t.Fatalf("surface EF 0002: %v", err)
			}
			tlvs := mustTLVs(t, outer.Value)
			for tag, want := range map[uint32][]byte{0xDF22: []byte(ct.BirthDate), 0xDF23: []byte(ct.Sex), 0xDF25: ct.NameImage,
				0xDF26: ct.AddressImage, 0xDF27: ct.FacePhoto, 0xDF29: []byte(ct.Expiry), 0xDF2A: ct.SecurityCodeImage} {
				if got := mustFind(t, tlvs, tag); !bytes.Equal(got, want) {
					t.Errorf("tag %X = %q", tag, got)
				}
			}
			offs := mustFind(t, tlvs, 0xDF21)
			for i := 0; i < 9; i++ {
				off := binary.BigEndian.Uint16(offs[2*i:])
				if got := binary.BigEndian.Uint16(face[off:]); got != uint16(0xDF22+i) {
					t.Errorf("offset %d points at %X", i, got)
				}
			}
			o := func(i int) int { return int(binary.BigEndian.Uint16(offs[2*i:])) }
			h1 := sha256.Sum256(face[o(0):o(3)])
			h2 := sha256.Sum256(face[o(3):o(5)])
			h3 := sha256.Sum256(face[o(5):o(6)])
			d := sha256.Sum256(append(append(h1[:], h2[:]...), h3[:]...))
			if err := rsa.VerifyPKCS1v15(&ct.SurfaceKey.PublicKey, crypto.SHA256, d[:], mustFind(t, tlvs, 0xDF28)); err != nil {
				t.Errorf("DF28: %v", err)
			}
		})
	}
	t.Run("text PIN does not open surface", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selSurface, 0x9000}, {verifyHex("91", testTextPIN), 0x6A88}, {selEF("0002"), 0x9000}, {"00B0000001", 0x6982}})
	})
}

func TestCommonApplication(t *testing.T) {
	c := newTestCard(t)
	data, sw := func() ([]byte, uint16) {
		run(t, c, []step{{selCommon, 0x9000}, {selEF("0001"), 0x9000}, {"00B0000001", swIncompatibleFile}})
		return send(t, c, h("00B2010400"))
	}()
	if sw != 0x9000 || string(data) != "\x01\x1C"+"123456789012345"+"13101"+"20351231" {
		t.Errorf("record 1 = %q %04X", data, sw)
	}
	run(t, c, []step{{"00B2020400", 0x6A83}, {"00B2000400", 0x6A86}, {"00B2010C00", 0x9000}, {"00B2010405", 0x9000}})
}

func TestNewMyNumberCardRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Contents)
	}{
		{"auth PIN of 5 digits", func(c *Contents) { c.AuthPIN = "12345" }},
		{"sign PIN too short", func(c *Contents) { c.SignPIN = "AB12" }},
		{"sign PIN with symbol", func(c *Contents) { c.SignPIN = "ABC-123" }},
		{"number of 11 digits", func(c *Contents) { c.Number = "12345678901" }},
		{"PINB of 13 digits", func(c *Contents) { c.PINB = "1234567890123" }},
		{"token too long", func(c *Contents) { c.Token = "JPKIAPICCTOKEN2JPKIAPICCTOKEN2XXX" }},
		{"huge certificate", func(c *Contents) { c.AuthCert = make([]byte, maxEFSize+1) }},
		{"bad card serial", func(c *Contents) { c.CardSerial = "12" }},
		{"name not UTF-8", func(c *Contents) { c.Name = "\xFF" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := testContents(t)
			tt.edit(&ct)
			if _, err := NewMyNumberCard(ct); err == nil {
				t.Error("accepted")
			}
		})
	}
	if _, err := NewMyNumberCard(Contents{}); err != nil {
		t.Errorf("empty contents: %v", err)
	}
	if _, err := NewMyNumberCard(Contents{}, WithMaxTries(PINTextA, 16)); err == nil {
		t.Error("accepted 16 tries")
	}
}

// FuzzEncodeTextBasic checks that the basic-four record always parses
// back, with offsets pointing at the fields.
func FuzzEncodeTextBasic(f *testing.F) {
	f.Add("試験\u3000太郎", "東京都千代田区霞が関１－２－３", "19800101", "1")
	f.Add("", "", "", "")
	f.Fuzz(func(t *testing.T, name, address, birth, sex string) {
		rec, err := EncodeTextBasic(name, address, birth, sex)
		if err != nil {
			return
		}
		outer, rest, err := apdu.ReadTLV(rec)
		if err != nil || len(rest) != 0 || outer.Tag != 0xFF20 {
			t.Fatalf("record does not parse: %v", err)
		}
		tlvs, err := apdu.ParseTLVs(outer.Value)
		if err != nil {
			t.Fatal(err)
		}
		offs, ok := apdu.Find(tlvs, 0xDF21)
		if !ok || len(offs) != 8 {
			t.Fatal("no DF21")
		}
		for i, want := range []string{name, address, birth, sex} {
			off := int(binary.BigEndian.Uint16(offs[2*i:]))
			tlv, _, err := apdu.ReadTLV(rec[off:])
			if err != nil || tlv.Tag != uint32(0xDF22+i) || string(tlv.Value) != want {
				t.Fatalf("field %d at %d: %X %q (%v)", i, off, tlv.Tag, tlv.Value, err)
			}
		}
	})
}
