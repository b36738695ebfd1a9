package apdu

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func TestReadTLV(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		tag   uint32
		value string
		rest  string
		cons  bool
	}{
		{"one-byte tag", "0102AABB", 0x01, "AABB", "", false},
		{"two-byte tag", "DF2103010203FF", 0xDF21, "010203", "FF", false},
		{"three-byte tag", "1F810201AA", 0x1F8102, "AA", "", false},
		{"81 length", "FF2081020102", 0xFF20, "0102", "", true},
		{"82 length", "5F37820001AA", 0x5F37, "AA", "", false},
		{"84 length", "0484000000010099", 0x04, "00", "99", false},
		{"constructed 7F21", "7F210100", 0x7F21, "00", "", true},
		{"empty value", "9000", 0x90, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tlv, rest, err := ReadTLV(unhex(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if tlv.Tag != tt.tag || !bytes.Equal(tlv.Value, unhex(tt.value)) || !bytes.Equal(rest, unhex(tt.rest)) {
				t.Errorf("ReadTLV = %X % X rest % X", tlv.Tag, tlv.Value, rest)
			}
			if tlv.Constructed() != tt.cons {
				t.Errorf("Constructed = %v", tlv.Constructed())
			}
		})
	}
}

func TestReadTLVMalformed(t *testing.T) {
	for _, s := range []string{
		"",
		"1F",               // truncated tag
		"1F8182820100",     // tag longer than 3 bytes
		"01",               // no length
		"0180",             // indefinite
		"0185000000000100", // 5 length bytes
		"0182",             // truncated length
		"0103AABB",         // value short
	} {
		if _, _, err := ReadTLV(unhex(s)); !errors.Is(err, ErrMalformedTLV) {
			t.Errorf("ReadTLV(%s) err = %v", s, err)
		}
	}
}

func TestParseTLVs(t *testing.T) {
	tlvs, err := ParseTLVs(unhex("DF2201 41 DF2302 4243 FFFF0000FF"))
	if err != nil || len(tlvs) != 2 {
		t.Fatalf("ParseTLVs = %v, %v", tlvs, err)
	}
	if v, ok := Find(tlvs, 0xDF23); !ok || string(v) != "BC" {
		t.Errorf("Find(DF23) = %q %v", v, ok)
	}
	if _, ok := Find(tlvs, 0xDF24); ok {
		t.Error("Find(DF24) found something")
	}
	if _, err := ParseTLVs(unhex("DF2201 41 DF23")); !errors.Is(err, ErrMalformedTLV) {
		t.Errorf("truncated list: %v", err)
	}
}

func TestAppendTLV(t *testing.T) {
	tests := []struct {
		tag  uint32
		n    int
		head string
	}{
		{0x90, 0, "9000"},
		{0x90, 0x7F, "907F"},
		{0xDF21, 0x80, "DF218180"},
		{0xFF20, 0xFF, "FF2081FF"},
		{0x5F37, 0x100, "5F37820100"},
		{0x1F8102, 0x10000, "1F810283010000"},
	}
	for _, tt := range tests {
		got := AppendTLV(nil, tt.tag, make([]byte, tt.n))
		head := unhex(tt.head)
		if !bytes.Equal(got[:len(head)], head) || len(got) != len(head)+tt.n {
			t.Errorf("AppendTLV(%X, %d) starts % X", tt.tag, tt.n, got[:min(len(got), 8)])
		}
		back, rest, err := ReadTLV(got)
		if err != nil || back.Tag != tt.tag || len(back.Value) != tt.n || len(rest) != 0 {
			t.Errorf("read back %X: %v", tt.tag, err)
		}
	}
}

func TestDERLength(t *testing.T) {
	tests := []struct {
		in   string
		want int
		err  bool
	}{
		{"3003", 5, false},
		{"30817F", 130, false},
		{"308206A0", 0x6A0 + 4, false},
		{"30830100000000", 0x10000 + 5, false},
		{"30", 0, true},
		{"3082", 0, true},
		{"3080", 0, true},
		{"3084000000010000", 0, true},
		{"1F8101", 0, true},
	}
	for _, tt := range tests {
		got, err := DERLength(unhex(tt.in))
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("DERLength(%s) = %d, %v", tt.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrMalformedTLV) {
			t.Errorf("DERLength(%s) err %v does not wrap ErrMalformedTLV", tt.in, err)
		}
	}
}

func ExampleDERLength() {
	// The first bytes of a certificate EF: SEQUENCE, two length bytes.
	n, _ := DERLength([]byte{0x30, 0x82, 0x06, 0xA0, 0x30, 0x82, 0x05})
	fmt.Println(n)
	// Output: 1700
}

// FuzzReadTLV checks ReadTLV and ParseTLVs on arbitrary bytes: no panic,
// values inside the input, and a re-encoding that reads back the same.
func FuzzReadTLV(f *testing.F) {
	for _, s := range []string{"0102AABB", "FF20820004DF210100", "7F2103 5F3700", "1F810201AA", "0180", "FFFF", ""} {
		f.Add(unhex(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tlv, rest, err := ReadTLV(b)
		if err != nil {
			if !errors.Is(err, ErrMalformedTLV) {
				t.Fatalf("ReadTLV error %v", err)
			}
		} else {
			if len(tlv.Value)+len(rest) > len(b) {
				t.Fatalf("value and rest longer than input")
			}
			enc := AppendTLV(nil, tlv.Tag, tlv.Value)
			back, r2, err := ReadTLV(enc)
			if err != nil || back.Tag != tlv.Tag || !bytes.Equal(back.Value, tlv.Value) || len(r2) != 0 {
				t.Fatalf("re-encoding %X % X: % X (%v)", tlv.Tag, tlv.Value, enc, err)
			}
		}
		tlvs, err := ParseTLVs(b)
		if err != nil && !errors.Is(err, ErrMalformedTLV) {
			t.Fatalf("ParseTLVs error %v", err)
		}
		var enc []byte
		for _, t := range tlvs {
			enc = AppendTLV(enc, t.Tag, t.Value)
		}
		if err == nil {
			// Objects whose encoding is all 00/FF bytes (tag 00, or FF with
			// an empty value) read back as padding and end the list.
			again, err := ParseTLVs(enc)
			if err != nil || len(again) > len(tlvs) {
				t.Fatalf("re-parsing %d objects: %d, %v", len(tlvs), len(again), err)
			}
			var tail []byte
			for i, o := range tlvs {
				if i < len(again) {
					if again[i].Tag != o.Tag || !bytes.Equal(again[i].Value, o.Value) {
						t.Fatalf("object %d: %X % X, want %X % X", i, again[i].Tag, again[i].Value, o.Tag, o.Value)
					}
					continue
				}
				tail = AppendTLV(tail, o.Tag, o.Value)
			}
			if !isPadding(tail) {
				t.Fatalf("re-parsing stopped before % X", tail)
			}
		}
	})
}

// FuzzDERLength checks DERLength against ReadTLV where both accept.
func FuzzDERLength(f *testing.F) {
	for _, s := range []string{"3003", "308206A0", "30830100000000", "3080", "1F8101", "30"} {
		f.Add(unhex(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := DERLength(b)
		if err != nil {
			if !errors.Is(err, ErrMalformedTLV) {
				t.Fatalf("DERLength error %v", err)
			}
			return
		}
		if n < 2 {
			t.Fatalf("DERLength(% X) = %d", b, n)
		}
		if _, rest, err := ReadTLV(b); err == nil && len(b) >= 2 && b[1] != 0x84 {
			if used := len(b) - len(rest); used != n {
				t.Fatalf("DERLength(% X) = %d, ReadTLV used %d", b, n, used)
			}
		}
	})
}

func TestAppendTLVHugeLength(t *testing.T) {
	// 16 MiB needs four length bytes; three would silently truncate.
	n := 1 << 24
	got := AppendTLV(nil, 0x04, make([]byte, n))
	if !bytes.Equal(got[:6], []byte{0x04, 0x84, 0x01, 0x00, 0x00, 0x00}) {
		t.Errorf("header % X", got[:6])
	}
	if back, _, err := ReadTLV(got); err != nil || len(back.Value) != n {
		t.Errorf("read back: %v", err)
	}
}
