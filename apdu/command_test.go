package apdu

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// TestCommandEncoding covers the seven encodings of ISO/IEC 7816-4 §5.1.
func TestCommandEncoding(t *testing.T) {
	data255 := bytes.Repeat([]byte{0xAB}, 255)
	data256 := bytes.Repeat([]byte{0xCD}, 256)
	tests := []struct {
		name     string
		cmd      Command
		want     string
		extended bool
		cas      int
	}{
		{"case 1", Command{CLA: 0x00, INS: 0xA4, P1: 0x00, P2: 0x00}, "00A40000", false, 1},
		{"case 2S Le 7", Command{INS: 0xB0, Ne: 7}, "00B0000007", false, 2},
		{"case 2S Le 256", Command{INS: 0xB0, Ne: 256}, "00B0000000", false, 2},
		{"case 2E Le 257", Command{INS: 0xB0, Ne: 257}, "00B00000000101", true, 2},
		{"case 2E Le 65536", Command{INS: 0xB0, Ne: 65536}, "00B00000000000", true, 2},
		{"case 3S", Command{INS: 0xA4, P1: 4, P2: 0x0C, Data: unhex("D392F000260100000001")}, "00A4040C0AD392F000260100000001", false, 3},
		{"case 3S 255 bytes", Command{INS: 0x20, P2: 0x80, Data: data255}, "00200080FF" + hex.EncodeToString(data255), false, 3},
		{"case 3E 256 bytes", Command{INS: 0x20, P2: 0x80, Data: data256}, "00200080000100" + hex.EncodeToString(data256), true, 3},
		{"case 4S", Command{CLA: 0x80, INS: 0x2A, P2: 0x80, Data: []byte{1, 2}, Ne: 256}, "802A008002010200", false, 4},
		{"case 4E by Ne", Command{CLA: 0x80, INS: 0x2A, P2: 0x80, Data: []byte{1, 2}, Ne: 300}, "802A0080000002" + "0102" + "012C", true, 4},
		{"case 4E by Nc", Command{INS: 0x2A, Data: data256, Ne: 65536}, "002A0000000100" + hex.EncodeToString(data256) + "0000", true, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cmd.Case(); got != tt.cas {
				t.Errorf("Case = %d, want %d", got, tt.cas)
			}
			if got := tt.cmd.NeedsExtended(); got != tt.extended {
				t.Errorf("NeedsExtended = %v", got)
			}
			b, err := tt.cmd.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.ToUpper(hex.EncodeToString(b)); got != strings.ToUpper(tt.want) {
				t.Errorf("Bytes = %s, want %s", got, tt.want)
			}
			sb, err := tt.cmd.ShortBytes()
			if tt.extended != (err != nil) {
				t.Errorf("ShortBytes err = %v", err)
			}
			if err == nil && !bytes.Equal(sb, b) {
				t.Errorf("ShortBytes = % X", sb)
			}
			if err != nil && !errors.Is(err, ErrTooLong) {
				t.Errorf("ShortBytes err = %v, want ErrTooLong", err)
			}
			back, ext, err := ParseCommand(b)
			if err != nil {
				t.Fatal(err)
			}
			if ext != tt.extended || !sameCommand(back, tt.cmd) {
				t.Errorf("ParseCommand = %v ext=%v, want %v", back, ext, tt.cmd)
			}
		})
	}
}

func sameCommand(a, b Command) bool {
	return a.CLA == b.CLA && a.INS == b.INS && a.P1 == b.P1 && a.P2 == b.P2 && a.Ne == b.Ne && bytes.Equal(a.Data, b.Data)
}

func TestCommandTooLong(t *testing.T) {
	for _, c := range []Command{
		{Ne: 65537},
		{Ne: -1},
		{Data: make([]byte, 65536)},
	} {
		if _, err := c.Bytes(); !errors.Is(err, ErrTooLong) {
			t.Errorf("Bytes(Nc=%d Ne=%d) err = %v", len(c.Data), c.Ne, err)
		}
	}
}

func TestParseCommandMalformed(t *testing.T) {
	for _, s := range []string{
		"", "00", "00A404",
		"00A4040C0AD392",          // Lc 10, 2 bytes
		"00A4040C02D39200FF",      // Lc 2, 3 bytes after
		"00B00000 0000",           // extended marker with one length byte
		"00200080 000000 31",      // extended Lc 0
		"00200080 000004 313233",  // extended Lc 4, 3 bytes
		"00200080 000002 3132 00", // extended with 1-byte Le
	} {
		if _, _, err := ParseCommand(unhex(s)); !errors.Is(err, ErrMalformedCommand) {
			t.Errorf("ParseCommand(%s) err = %v", s, err)
		}
	}
}

func TestCommandStringHidesData(t *testing.T) {
	c := Command{INS: InsVerify, P2: 0x80, Data: []byte("1234")}
	if s := c.String(); strings.Contains(s, "31") || strings.Contains(s, "1234") {
		t.Errorf("String() = %q reveals the data", s)
	}
}

func ExampleCommand_Bytes() {
	sel := Command{INS: InsSelect, P1: 0x04, P2: 0x0C, Data: []byte{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}}
	b, _ := sel.Bytes()
	fmt.Printf("% X\n", b)
	read := Command{INS: InsReadBinary, Ne: 2000}
	b, _ = read.Bytes()
	fmt.Printf("% X\n", b)
	// Output:
	// 00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01
	// 00 B0 00 00 00 07 D0
}

// FuzzParseCommand parses, re-encodes and compares.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"00A40000", "00B0000000", "00B00000000000", "00A4040C0AD392F000260100000001",
		"802A008002010200", "802A0080000002" + "0102" + "012C", "00200080000004" + "31323334", "00B0"} {
		f.Add(unhex(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cmd, ext, err := ParseCommand(b)
		if err != nil {
			if !errors.Is(err, ErrMalformedCommand) {
				t.Fatalf("error %v does not wrap ErrMalformedCommand", err)
			}
			return
		}
		enc, err := cmd.Bytes()
		if err != nil {
			t.Fatalf("re-encoding %v: %v", cmd, err)
		}
		back, ext2, err := ParseCommand(enc)
		if err != nil || !sameCommand(back, cmd) {
			t.Fatalf("round trip % X -> %v -> % X -> %v (%v)", b, cmd, enc, back, err)
		}
		// The automatic choice is canonical: when it agrees with the input's
		// form, the bytes must be the same.
		if ext == ext2 && !bytes.Equal(enc, b) {
			t.Fatalf("% X re-encoded as % X", b, enc)
		}
		if !ext && ext2 {
			t.Fatalf("short command % X re-encoded extended", b)
		}
		if sb, err := cmd.ShortBytes(); (err == nil) == cmd.NeedsExtended() || (err == nil && !bytes.Equal(sb, enc)) {
			t.Fatalf("ShortBytes(%v) = % X, %v", cmd, sb, err)
		}
	})
}
