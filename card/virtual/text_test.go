package virtual

import (
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
