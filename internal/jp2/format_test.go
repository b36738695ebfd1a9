package jp2

import (
	"errors"
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr error
	}{
		{"\xff\x4f\xff\x51\x00\x2f", FormatJ2K, nil},
		{"\x00\x00\x00\x0cjP  \r\n\x87\n\x00", FormatJP2, nil},
		{"\x00\x00\x00\x0cjP  \r\n\x87", "", ErrFormat},
		{"\xff\xd8\xff\xe0", "", ErrFormat}, // JPEG
		{"\x89PNG\r\n\x1a\n", "", ErrFormat},
		{"", "", ErrFormat},
	}
	for _, tt := range tests {
		got, err := Format([]byte(tt.in))
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("Format(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPrecisionTo8(t *testing.T) {
	tests := []struct {
		c    component
		in   int32
		want uint8
	}{
		{component{prec: 8}, 200, 200},
		{component{prec: 8}, 300, 255},
		{component{prec: 8}, -5, 0},
		{component{prec: 8, signed: true}, -128, 0},
		{component{prec: 8, signed: true}, 127, 255},
		{component{prec: 12}, 4095, 255},
		{component{prec: 12}, 0x7f0, 0x7f},
		{component{prec: 16}, 0xabcd, 0xab},
		{component{prec: 1}, 1, 255},
		{component{prec: 4}, 7, 119},
	}
	for _, tt := range tests {
		if got := tt.c.to8(tt.in); got != tt.want {
			t.Errorf("%+v.to8(%d) = %d, want %d", tt.c, tt.in, got, tt.want)
		}
	}
}

func TestNoCgo(t *testing.T) {
	if cgoEnabled {
		t.Skip("built with cgo")
	}
	if _, err := Decode([]byte(magicJ2K)); !errors.Is(err, ErrNoCgo) {
		t.Fatalf("err = %v, want ErrNoCgo", err)
	}
}
