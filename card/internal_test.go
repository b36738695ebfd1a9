package card

import (
	"testing"

	"github.com/mynacard/mynacard/apdu"
)

func TestSizeFuncs(t *testing.T) {
	tests := []struct {
		name string
		f    sizeFunc
		in   []byte
		want int // -1: error
	}{
		{"der short", derSize, []byte{0x30, 0x03, 1, 2, 3}, 5},
		{"der 82", derSize, []byte{0x30, 0x82, 0x06, 0x50}, 0x654},
		{"der empty EF", derSize, []byte{0xFF, 0xFF}, -1},
		{"der nothing", derSize, nil, -1},
		{"tlv FF20 82", tlvSize, []byte{0xFF, 0x20, 0x82, 0x01, 0x00}, 0x105},
		{"tlv FF20 81", tlvSize, []byte{0xFF, 0x20, 0x81, 0x90}, 0x94},
		{"tlv 7F21", tlvSize, []byte{0x7F, 0x21, 0x10}, 0x13},
		{"tlv empty EF", tlvSize, []byte{0xFF, 0xFF, 0xFF}, -1},
		{"tlv truncated", tlvSize, []byte{0xFF, 0x20, 0x82, 0x01}, -1},
		{"tlv long tag", tlvSize, []byte{0xFF, 0x81, 0x81, 0x81, 0x01}, -1},
		{"tlv nothing", tlvSize, nil, -1},
		{"fixed", fixedSize(17), nil, 17},
	}
	for _, tt := range tests {
		got, err := tt.f(tt.in)
		if (tt.want < 0) != (err != nil) || (err == nil && got != tt.want) {
			t.Errorf("%s: %d, %v; want %d", tt.name, got, err, tt.want)
		}
	}
}

func FuzzSizeFuncs(f *testing.F) {
	f.Add([]byte{0xFF, 0x20, 0x82, 0x01, 0x00})
	f.Add([]byte{0x30, 0x82, 0x06, 0x50})
	f.Fuzz(func(t *testing.T, b []byte) {
		if n, err := tlvSize(b); err == nil {
			if tlv, _, err := apdu.ReadTLV(append(append([]byte(nil), b...), make([]byte, max(0, n-len(b)))...)); err == nil && n < len(tlv.Value) {
				t.Fatalf("tlvSize %d smaller than the value %d", n, len(tlv.Value))
			}
		}
		_, _ = derSize(b)
	})
}
