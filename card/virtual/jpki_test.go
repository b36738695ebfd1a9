package virtual

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/mynacard/mynacard/apdu"
)

func TestSelect(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"JPKI by name", []step{{selJPKI, 0x9000}}},
		{"JPKI with P2 00", []step{{"00A404000AD392F000260100000001", 0x9000}}},
		{"all applications", []step{{selText, 0x9000}, {selSurface, 0x9000}, {selResident, 0x9000}, {selCommon, 0x9000}}},
		{"unknown AID", []step{{"00A4040C0AD392F000260100000002", 0x6A82}}},
		{"prefix of an AID", []step{{"00A4040C09D392F0002601000000", 0x9000}, {selEF("000A"), 0x9000}}},
		{"prefix of the text AID", []step{{"00A4040C05D392100031", 0x9000}, {selEF("0002"), 0x9000}}},
		{"longer than an AID", []step{{"00A4040C0BD392F00026010000000100", 0x6A82}}},
		{"ISD at power-up and by name", []step{{"00A4040007A0000001510000", 0x9000}, {selEF("000A"), 0x6A82}, {"00A40000", 0x6A86}}},
		{"ISD leaves the application", []step{{selJPKI, 0x9000}, {"00A4040C07A0000001510000", 0x9000}, {selEF("000A"), 0x6A82}}},
		{"P1 00 inside an application is a no-op", []step{{selJPKI, 0x9000}, {selEF("000A"), 0x9000}, {"00A40000", 0x9000}, {"00B0000001", 0x9000}}},
		{"3F00 inside an application", []step{{selJPKI, 0x9000}, {"00A4000C023F00", 0x6A82}}},
		{"MF by FID", []step{{selJPKI, 0x9000}, {selEF("3F00"), 0x6A82}}},
		{"MF P1 00", []step{{"00A40000", 0x6A86}}},
		{"MF P1 00 with data", []step{{"00A4000C023F00", 0x6A86}}},
		{"EF without application", []step{{selEF("000A"), 0x6A82}}},
		{"EF in JPKI", []step{{selJPKI, 0x9000}, {selEF("000A"), 0x9000}, {selEF("0006"), 0x9000}, {selEF("0018"), 0x9000}}},
		{"EF not in JPKI", []step{{selJPKI, 0x9000}, {selEF("0011"), 0x6A82}}},
		{"EF of another app", []step{{selText, 0x9000}, {selEF("000A"), 0x6A82}}},
		{"bad P2", []step{{"00A404040AD392F000260100000001", 0x6A86}}},
		{"EF FID of 1 byte", []step{{selJPKI, 0x9000}, {"00A4020C0100", 0x6A87}}},
		{"by path", []step{{"00A4080C020001", 0x6A86}}},
		{"unknown AID keeps the application", []step{{selJPKI, 0x9000}, {"00A4040C05A000000003", 0x6A82}, {selEF("000A"), 0x9000}}},
		{"residents app holds no files", []step{{selResident, 0x9000}, {selEF("001C"), 0x6A82}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { run(t, newTestCard(t), tt.steps) })
	}
}

func TestClassAndInstruction(t *testing.T) {
	tests := []struct {
		name, capdu string
		sw          uint16
	}{
		{"secure messaging 0C", "0CA4040C0AD392F000260100000001", 0x6882},
		{"secure messaging 04", "04B0000004", 0x6882},
		{"secure messaging proprietary", "8C2A00800100", 0x6882},
		{"unknown INS", "00E2000000", 0x6D00},
		{"ISO PSO INS under CLA 00", "002A9E9A0100", 0x6D00},
		{"SELECT under CLA 80", "80A4040C0AD392F000260100000001", 0x6D00},
		{"unknown CLA A0", "A0A4040C0AD392F000260100000001", 0x6E00},
		{"PC/SC pseudo class FF", "FFCA000000", 0x6E00},
		{"chaining", "10A4040C0AD392F000260100000001", 0x6884},
		{"logical channel", "01A4040C0AD392F000260100000001", 0x6881},
		{"three bytes", "00A404", 0x6700},
		{"empty", "", 0x6700},
		{"Lc disagrees", "00A4040C0AD392", 0x6700},
		{"GET RESPONSE with nothing pending", "00C0000010", 0x6985},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, sw := send(t, newTestCard(t), h(tt.capdu))
			if sw != tt.sw {
				t.Errorf("%s -> %04X, want %04X", tt.capdu, sw, tt.sw)
			}
		})
	}
}

// readAll reads the current EF in short chunks until 6B00/6282.
func readAll(t *testing.T, c *Card) []byte {
	t.Helper()
	var out []byte
	for off := 0; ; {
		data, sw := send(t, c, []byte{0x00, 0xB0, byte(off >> 8), byte(off), 0x00})
		out = append(out, data...)
		off += len(data)
		switch sw {
		case 0x9000:
			continue
		case 0x6282, 0x6B00:
			return out
		default:
			t.Fatalf("READ BINARY at %d: %04X", off, sw)
		}
	}
}

func TestJPKIFiles(t *testing.T) {
	ct := testContents(t)
	tests := []struct {
		fid  string
		want []byte
	}{
		{"0002", ct.SignCACert},
		{"000A", ct.AuthCert},
		{"000B", ct.AuthCACert},
		{"0008", []byte{0x8F, 0x8F, 0x00}},
	}
	for _, tt := range tests {
		t.Run(tt.fid, func(t *testing.T) {
			c := newTestCard(t)
			run(t, c, []step{{selJPKI, 0x9000}, {selEF(tt.fid), 0x9000}})
			if got := readAll(t, c); !bytes.Equal(got, tt.want) {
				t.Errorf("EF %s: %d bytes, want %d", tt.fid, len(got), len(tt.want))
			}
		})
	}
	t.Run("token", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selJPKI, 0x9000}, {selEF("0006"), 0x9000}})
		data, sw := send(t, c, h("00B0000020"))
		if sw != 0x9000 || string(data) != fmt.Sprintf("%-32s", DefaultToken) {
			t.Errorf("token = %q %04X", data, sw)
		}
		if got := readAll(t, c); len(got) != tokenInfoSize {
			t.Errorf("EF 0006 is %d bytes, want %d", len(got), tokenInfoSize)
		}
	})
	t.Run("missing certificate", func(t *testing.T) {
		ct := testContents(t)
		ct.SignCert = nil
		for _, absent := range PresenceAbsentValues {
			c, err := NewMyNumberCard(ct, WithPresenceAbsent(absent))
			if err != nil {
				t.Fatal(err)
			}
			run(t, c, []step{{selJPKI, 0x9000}, {selEF("0001"), 0x6A82}, {selEF("0008"), 0x9000}})
			if data, sw := send(t, c, h("00B0000004")); !bytes.Equal(data, []byte{absent, 0x8F, 0}) || sw != 0x9000 {
				t.Errorf("presence = % X %04X", data, sw)
			}
		}
	})
}

func TestReadBinary(t *testing.T) {
	ct := testContents(t)
	cert := ct.AuthCert // 1550 bytes
	tests := []struct {
		name  string
		capdu string
		want  []byte
		sw    uint16
	}{
		{"short 7-byte header", "00B0000007", cert[:7], 0x9000},
		{"short Le 00 = 256", "00B0000000", cert[:256], 0x9000},
		{"offset", "00B0010010", cert[0x100:0x110], 0x9000},
		{"extended whole file", "00B00000000000", cert, 0x9000},
		{"extended exact", fmt.Sprintf("00B0000000%04X", len(cert)), cert, 0x9000},
		{"extended Le 0101", "00B00000000101", cert[:257], 0x9000},
		{"past end short", fmt.Sprintf("00B0%04X00", len(cert)-10), cert[len(cert)-10:], 0x9000},
		{"offset at end", fmt.Sprintf("00B0%04X01", len(cert)), nil, 0x6B00},
		{"offset beyond", "00B07FFF01", nil, 0x6B00},
		{"SFI form", "00B08A0004", cert[:4], 0x9000},
		{"SFI with bad bits", "00B0CA0004", nil, 0x6A86},
		{"SFI missing", "00B09F0004", nil, 0x6A82},
		{"no Le", "00B00000", nil, 0x6700},
		{"data field", "00B000000100", nil, 0x6700},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCard(t)
			run(t, c, []step{{selJPKI, 0x9000}})
			if tt.name != "SFI form" && tt.name != "SFI missing" && tt.name != "SFI with bad bits" {
				run(t, c, []step{{selEF("000A"), 0x9000}})
			}
			data, sw := send(t, c, h(tt.capdu))
			if sw != tt.sw || !bytes.Equal(data, tt.want) {
				t.Errorf("%s -> %d bytes %04X, want %d bytes %04X", tt.capdu, len(data), sw, len(tt.want), tt.sw)
			}
		})
	}
	t.Run("SFI makes the EF current", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selJPKI, 0x9000}, {"00B08A0004", 0x9000}, {"00B0000004", 0x9000}})
	})
	t.Run("no EF selected", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{"00B0000004", swNoCurrentEF}, {selJPKI, 0x9000}, {"00B0000004", swNoCurrentEF}})
	})
	t.Run("PIN and key EFs", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selJPKI, 0x9000}, {selEF("0018"), 0x9000}, {"00B0000004", swIncompatibleFile},
			{selEF("0017"), 0x9000}, {"00B0000004", swIncompatibleFile}})
	})
	t.Run("9000 variant", func(t *testing.T) {
		c := newTestCard(t, WithShortReadStatus(apdu.SWOK))
		run(t, c, []step{{selJPKI, 0x9000}, {selEF("000A"), 0x9000}, {fmt.Sprintf("00B0%04X00", len(cert)-10), 0x9000}})
	})
	t.Run("no extended length", func(t *testing.T) {
		c := newTestCard(t, WithoutExtendedLength())
		run(t, c, []step{{selJPKI, 0x9000}, {selEF("000A"), 0x9000}, {"00B00000000000", 0x6700}, {"00B0000000", 0x9000}})
	})
}

func TestSigningCertNeedsPIN(t *testing.T) {
	c := newTestCard(t)
	ct := testContents(t)
	run(t, c, []step{
		{selJPKI, 0x9000}, {selEF("0001"), 0x9000}, {"00B0000007", 0x6982},
		{verifyHex("9B", "ABC123XYZ"), 0x9000},
		{"00B0000007", 0x9000},
	})
	if got := readAll(t, c); !bytes.Equal(got, ct.SignCert) {
		t.Errorf("signing certificate: %d bytes, want %d", len(got), len(ct.SignCert))
	}
	// The auth PIN does not open it.
	c = newTestCard(t)
	run(t, c, []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}, {selEF("0001"), 0x9000}, {"00B0000007", 0x6982}})
}

func TestVerifyCounters(t *testing.T) {
	tests := []struct {
		name    string
		sel, p2 string // p2 "80" means sel selects the PIN EF first
		good    string
		bad     string
		max     int
		ref     PINRef
	}{
		{"auth PIN by SELECT", selEF("0018"), "80", testAuthPIN, "9999", 3, PINJPKIAuth},
		{"auth PIN by SFI", "", "98", testAuthPIN, "0000", 3, PINJPKIAuth},
		{"sign PIN by SELECT", selEF("001B"), "80", testSignPIN, "WRONG1", 5, PINJPKISign},
		{"sign PIN by SFI", "", "9B", testSignPIN, "ZZZZZZ", 5, PINJPKISign},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCard(t)
			steps := []step{{selJPKI, 0x9000}}
			if tt.sel != "" {
				steps = append(steps, step{tt.sel, 0x9000})
			}
			steps = append(steps, step{verifyHex(tt.p2, ""), triesSW(tt.max)})
			// A wrong try, then a good one restores the counter.
			steps = append(steps, step{verifyHex(tt.p2, tt.bad), triesSW(tt.max - 1)},
				step{verifyHex(tt.p2, ""), triesSW(tt.max - 1)},
				step{verifyHex(tt.p2, tt.good), 0x9000},
				step{verifyHex(tt.p2, ""), triesSW(tt.max)}) // even right after a good VERIFY
			for left := tt.max - 1; left >= 0; left-- {
				steps = append(steps, step{verifyHex(tt.p2, tt.bad), triesSW(left)})
			}
			steps = append(steps,
				step{verifyHex(tt.p2, tt.bad), 0x6984},
				step{verifyHex(tt.p2, tt.good), 0x6984},
				step{verifyHex(tt.p2, ""), 0x63C0})
			run(t, c, steps)
			if n := c.TriesLeft(tt.ref); n != 0 {
				t.Errorf("TriesLeft = %d after blocking", n)
			}
		})
	}
}

func TestVerifyDetails(t *testing.T) {
	t.Run("empty VERIFY spends nothing", func(t *testing.T) {
		c := newTestCard(t)
		steps := []step{{selJPKI, 0x9000}}
		for i := 0; i < 10; i++ {
			steps = append(steps, step{verifyHex("98", ""), 0x63C3})
		}
		run(t, c, steps)
		if c.TriesLeft(PINJPKIAuth) != 3 {
			t.Error("empty VERIFY spent a try")
		}
	})
	t.Run("9000 variant when verified", func(t *testing.T) {
		c := newTestCard(t, WithEmptyVerifyReportsVerified())
		run(t, c, []step{{selJPKI, 0x9000}, {verifyHex("98", ""), 0x63C3}, {verifyHex("98", testAuthPIN), 0x9000},
			{verifyHex("98", ""), 0x9000}, {verifyHex("9B", ""), 0x63C5}})
	})
	t.Run("case-sensitive signing password", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selJPKI, 0x9000}, {verifyHex("9B", "abc123xyz"), 0x63C4}, {verifyHex("9B", testSignPIN), 0x9000}})
	})
	t.Run("wrong length is a wrong PIN", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selJPKI, 0x9000}, {verifyHex("98", "12345"), 0x63C2}})
	})
	t.Run("state lost on application switch", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{
			{selJPKI, 0x9000}, {verifyHex("9B", testSignPIN), 0x9000}, {selEF("0001"), 0x9000}, {"00B0000004", 0x9000},
			{selText, 0x9000}, {selJPKI, 0x9000}, {selEF("0001"), 0x9000}, {"00B0000004", 0x6982},
		})
	})
	t.Run("state lost on reselecting the application", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selJPKI, 0x9000}, {verifyHex("9B", testSignPIN), 0x9000}, {selJPKI, 0x9000}, {selEF("0001"), 0x9000}, {"00B0000004", 0x6982}})
	})
	t.Run("state lost on Reset", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selJPKI, 0x9000}, {verifyHex("9B", testSignPIN), 0x9000}})
		c.Reset()
		run(t, c, []step{{selEF("0001"), 0x6A82}, {selJPKI, 0x9000}, {selEF("0001"), 0x9000}, {"00B0000004", 0x6982}})
	})
	t.Run("failed VERIFY clears the state", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selJPKI, 0x9000}, {verifyHex("9B", testSignPIN), 0x9000}, {verifyHex("9B", "BADBAD"), 0x63C4},
			{selEF("0001"), 0x9000}, {"00B0000004", 0x6982}})
	})
	t.Run("errors", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{
			{verifyHex("80", testAuthPIN), swNoCurrentEF},
			{selJPKI, 0x9000},
			{verifyHex("80", testAuthPIN), swNoCurrentEF},
			{selEF("000A"), 0x9000},
			{verifyHex("80", testAuthPIN), swIncompatibleFile},
			{verifyHex("91", testAuthPIN), 0x6A88},
			{verifyHex("8A", testAuthPIN), swIncompatibleFile},
			{"0020018004" + hexOf([]byte(testAuthPIN)), 0x6A86},
			{verifyHex("00", testAuthPIN), 0x6A86},
		})
		if c.TriesLeft(PINJPKIAuth) != 3 {
			t.Error("a refused VERIFY spent a try")
		}
	})
	t.Run("TriesLeft of an absent PIN", func(t *testing.T) {
		ct := testContents(t)
		ct.PINB = ""
		c, err := NewMyNumberCard(ct)
		if err != nil {
			t.Fatal(err)
		}
		if c.TriesLeft(PINTextB) != -1 || c.TriesLeft(PINTextA) != MaxTriesCollation {
			t.Errorf("TriesLeft = %d, %d", c.TriesLeft(PINTextB), c.TriesLeft(PINTextA))
		}
	})
}

func TestChangePIN(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"without VERIFY", []step{{selJPKI, 0x9000}, {selEF("0018"), 0x9000}, {"0024018004" + hexOf([]byte("4321")), 0x6982}}},
		{"auth PIN", []step{{selJPKI, 0x9000}, {selEF("0018"), 0x9000}, {verifyHex("80", testAuthPIN), 0x9000},
			{"0024018004" + hexOf([]byte("4321")), 0x9000}, {selJPKI, 0x9000},
			{verifyHex("98", testAuthPIN), 0x63C2}, {verifyHex("98", "4321"), 0x9000}}},
		{"auth PIN by SFI", []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000},
			{"0024019804" + hexOf([]byte("4321")), 0x9000}, {verifyHex("98", "4321"), 0x9000}}},
		{"after VERIFY of another PIN", []step{{selJPKI, 0x9000}, {verifyHex("9B", testSignPIN), 0x9000},
			{"0024019804" + hexOf([]byte("4321")), 0x6982}}},
		{"after application switch", []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}, {selText, 0x9000},
			{selJPKI, 0x9000}, {"0024019804" + hexOf([]byte("4321")), 0x6982}}},
		{"auth PIN too short", []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}, {"0024019803" + hexOf([]byte("432")), 0x6A80}}},
		{"auth PIN not digits", []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}, {"0024019804" + hexOf([]byte("43A1")), 0x6A80}}},
		{"sign PIN lower-case", []step{{selJPKI, 0x9000}, {verifyHex("9B", testSignPIN), 0x9000}, {"002401" + "9B06" + hexOf([]byte("abcdef")), 0x6A80}}},
		{"sign PIN too long", []step{{selJPKI, 0x9000}, {verifyHex("9B", testSignPIN), 0x9000}, {"002401" + "9B11" + hexOf([]byte("ABCDEFGHIJ1234567")), 0x6A80}}},
		{"sign PIN", []step{{selJPKI, 0x9000}, {verifyHex("9B", testSignPIN), 0x9000}, {"002401" + "9B06" + hexOf([]byte("NEW123")), 0x9000},
			{selJPKI, 0x9000}, {verifyHex("9B", "NEW123"), 0x9000}}},
		{"P1 00", []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}, {"0024009804" + hexOf([]byte("4321")), 0x6A86}}},
		{"collation number", []step{{selText, 0x9000}, {verifyHex("94", testNumber), 0x9000}, {"002401940C" + hexOf([]byte("111111111111")), 0x6985}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { run(t, newTestCard(t), tt.steps) })
	}
}

var digestInfoSHA256 = h("3031300D060960864801650304020105000420")

func TestSign(t *testing.T) {
	ct := testContents(t)
	digest := sha256.Sum256([]byte("message"))
	di := append(append([]byte(nil), digestInfoSHA256...), digest[:]...)
	signHex := func(p2 string, data []byte) string {
		return fmt.Sprintf("802A00%s%02X%s00", p2, len(data), hexOf(data))
	}
	tests := []struct {
		name  string
		pre   []step
		p2    string
		key   *rsa.PrivateKey
		sw    uint16
		input []byte
	}{
		{"auth key by SELECT", []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}, {selEF("0017"), 0x9000}}, "80", ct.AuthKey, 0x9000, di},
		{"auth key by SFI", []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}}, "97", ct.AuthKey, 0x9000, di},
		{"sign key by SELECT", []step{{selJPKI, 0x9000}, {selEF("001B"), 0x9000}, {verifyHex("80", testSignPIN), 0x9000}, {selEF("001A"), 0x9000}}, "80", ct.SignKey, 0x9000, di},
		{"sign key by SFI", []step{{selJPKI, 0x9000}, {verifyHex("9B", testSignPIN), 0x9000}}, "9A", ct.SignKey, 0x9000, di},
		{"no PIN", []step{{selJPKI, 0x9000}, {selEF("0017"), 0x9000}}, "80", nil, 0x6982, di},
		{"wrong PIN for key", []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}}, "9A", nil, 0x6982, di},
		{"state lost", []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}, {selText, 0x9000}, {selJPKI, 0x9000}}, "97", nil, 0x6982, di},
		{"too long", []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}}, "97", nil, swSignInputTooLong, bytes.Repeat([]byte{1}, 246)},
		{"longest", []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}}, "97", ct.AuthKey, 0x9000, bytes.Repeat([]byte{1}, 245)},
		{"PIN EF selected", []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}, {selEF("0018"), 0x9000}}, "80", nil, swIncompatibleFile, di},
		{"no EF", []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}}, "80", nil, swNoCurrentEF, di},
		{"bad P2", []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}}, "00", nil, 0x6A86, di},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCard(t)
			run(t, c, tt.pre)
			sig, sw := send(t, c, h(signHex(tt.p2, tt.input)))
			if sw != tt.sw {
				t.Fatalf("SIGN -> %04X, want %04X", sw, tt.sw)
			}
			if tt.key == nil {
				return
			}
			if len(sig) != 256 {
				t.Fatalf("signature of %d bytes", len(sig))
			}
			if bytes.Equal(tt.input, di) {
				if err := rsa.VerifyPKCS1v15(&tt.key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
					t.Errorf("signature does not verify: %v", err)
				}
			} else if err := rsa.VerifyPKCS1v15(&tt.key.PublicKey, crypto.Hash(0), tt.input, sig); err != nil {
				t.Errorf("signature does not verify: %v", err)
			}
		})
	}
	t.Run("P1 schemes", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}})
		msg := []byte("message the card hashes")
		hm := sha256.Sum256(msg)
		pub := &ct.AuthKey.PublicKey
		for _, tc := range []struct {
			p1     SignScheme
			data   []byte
			verify func(sig []byte) error
		}{
			{SignVerbatim, di, func(sig []byte) error { return rsa.VerifyPKCS1v15(pub, crypto.Hash(0), di, sig) }},
			{SignSHA256Bare, msg, func(sig []byte) error { return rsa.VerifyPKCS1v15(pub, crypto.Hash(0), hm[:], sig) }},
			{SignPrehashedDigestInfo, hm[:], func(sig []byte) error { return rsa.VerifyPKCS1v15(pub, crypto.SHA256, hm[:], sig) }},
			{SignSHA256DigestInfo, msg, func(sig []byte) error { return rsa.VerifyPKCS1v15(pub, crypto.SHA256, hm[:], sig) }},
			{SignPrehashedPSS, hm[:], func(sig []byte) error { return rsa.VerifyPSS(pub, crypto.SHA256, hm[:], sig, nil) }},
			{SignSHA256PSS, msg, func(sig []byte) error { return rsa.VerifyPSS(pub, crypto.SHA256, hm[:], sig, nil) }},
		} {
			sig, sw := send(t, c, h(fmt.Sprintf("802A%02X97%02X%s00", byte(tc.p1), len(tc.data), hexOf(tc.data))))
			if sw != 0x9000 {
				t.Fatalf("P1 %02X: %04X", byte(tc.p1), sw)
			}
			if err := tc.verify(sig); err != nil {
				t.Errorf("P1 %02X: %v", byte(tc.p1), err)
			}
		}
		for _, p1 := range []byte{0x06, 0x80, 0xFF} {
			run(t, c, []step{{fmt.Sprintf("802A%02X97%02X%s00", p1, len(di), hexOf(di)), swSignSchemeUnsupported}})
		}
		for _, p1 := range []SignScheme{SignPrehashedDigestInfo, SignPrehashedPSS} {
			run(t, c, []step{{fmt.Sprintf("802A%02X97%02X%s00", byte(p1), len(di), hexOf(di)), swSignBadHashLength}})
		}
	})
	t.Run("P2 SFI gives the same PKCS#1 signature as SELECT", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selJPKI, 0x9000}, {verifyHex("9B", testSignPIN), 0x9000}})
		bySFI, _ := send(t, c, h(fmt.Sprintf("802A009A%02X%s00", len(di), hexOf(di))))
		run(t, c, []step{{selEF("001A"), 0x9000}})
		bySelect, _ := send(t, c, h(fmt.Sprintf("802A0080%02X%s00", len(di), hexOf(di))))
		if len(bySFI) != 256 || !bytes.Equal(bySFI, bySelect) {
			t.Error("SIGN by SFI and by SELECT differ")
		}
	})
	t.Run("Le forms", func(t *testing.T) {
		c := newTestCard(t)
		run(t, c, []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000},
			{fmt.Sprintf("802A0097%02X%s", len(di), hexOf(di)), 0x9000},         // no Le
			{fmt.Sprintf("802A0097%02X%s10", len(di), hexOf(di)), 0x6C00},       // Le too small
			{fmt.Sprintf("802A00970000%02X%s0000", len(di), hexOf(di)), 0x9000}, // extended
			{"802A0097", 0x6700}, // no data
		})
	})
}
