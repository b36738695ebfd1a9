package vpcd_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// A layout row is one file or data object of the card, read with raw
// APDUs through `opensc-tool -s` (an independent client, so neither the
// library nor the virtual card's own helpers stand between the bytes and
// the check) and compared with what docs/card.md says of it. Rows are
// data: each application's rows live in a file of their own and append
// themselves to layoutRows.
type layoutRow struct {
	// name identifies the row in test output.
	name string
	// doc is the docs/card.md or docs/card-apps.md heading that specifies
	// the layout; the test fails if neither document has such a heading.
	doc string
	// apdus are sent in order in one opensc-tool session.
	apdus []layoutAPDU
}

// layoutAPDU is one command, the status word it must get and, if check is
// set, a check of its response data.
type layoutAPDU struct {
	cmd   string // hex, spaces allowed
	sw    uint16
	check func(data []byte) error
}

// layoutRows is every row; application files add theirs in init.
var layoutRows []layoutRow

// cardDoc and cardAppsDoc are the project's card documents, relative to
// this package.
const (
	cardDoc     = "../../docs/card.md"
	cardAppsDoc = "../../docs/card-apps.md"
)

// TestCardLayouts reads every row's file through opensc-tool from a
// virtual card holding the default test holder, in the real-evidence
// configuration.
func TestCardLayouts(t *testing.T) {
	headings := map[string]bool{}
	for _, f := range []string{cardDoc, cardAppsDoc} {
		doc, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(doc), "\n") {
			if h, ok := strings.CutPrefix(line, "#"); ok {
				headings[strings.TrimSpace(strings.TrimLeft(h, "#"))] = true
			}
		}
	}
	for _, r := range layoutRows {
		if !headings[r.doc] {
			t.Errorf("%s: neither docs/card.md nor docs/card-apps.md has a heading %q", r.name, r.doc)
		}
	}
	card, err := virtual.NewMyNumberCard(jpkitest.DefaultHolder().Contents())
	if err != nil {
		t.Fatal(err)
	}
	slot := pcsctest.Slot(t)
	pcsctest.Insert(t, slot, card)
	for _, r := range layoutRows {
		t.Run(r.name, func(t *testing.T) {
			args := []string{"--reader", slot.Reader, "--card-driver", "default"}
			for _, a := range r.apdus {
				args = append(args, "--send-apdu", strings.ReplaceAll(a.cmd, " ", ""))
			}
			got := parseSendAPDU(t, opensc(t, "opensc-tool", args...))
			if len(got) != len(r.apdus) {
				t.Fatalf("opensc-tool answered %d of %d APDUs", len(got), len(r.apdus))
			}
			for i, a := range r.apdus {
				if got[i].sw != a.sw {
					t.Errorf("APDU %d %s: %04X, want %04X", i, a.cmd, got[i].sw, a.sw)
					continue
				}
				if a.check != nil {
					if err := a.check(got[i].data); err != nil {
						t.Errorf("APDU %d %s: %v", i, a.cmd, err)
					}
				}
			}
		})
	}
}

type sentAPDU struct {
	sw   uint16
	data []byte
}

var receivedLine = regexp.MustCompile(`^Received \(SW1=0x([0-9A-Fa-f]{2}), SW2=0x([0-9A-Fa-f]{2})\)(:?)$`)

// parseSendAPDU parses opensc-tool's --send-apdu output: "Sending: …",
// "Received (SW1=0x90, SW2=0x00)" and, with data, a colon and a hex dump
// of lines of n bytes ("XX " each) followed by n characters of ASCII.
func parseSendAPDU(t *testing.T, out string) []sentAPDU {
	t.Helper()
	var res []sentAPDU
	inDump := false
	for _, line := range strings.Split(out, "\n") {
		if m := receivedLine.FindStringSubmatch(line); m != nil {
			sw, _ := strconv.ParseUint(m[1]+m[2], 16, 16)
			res = append(res, sentAPDU{sw: uint16(sw)})
			inDump = m[3] == ":"
			continue
		}
		if strings.HasPrefix(line, "Sending:") || line == "" {
			inDump = false
			continue
		}
		if !inDump {
			continue
		}
		n, ok := dumpLineBytes(line)
		if !ok {
			t.Fatalf("hex dump line of %d characters: %q", len(line), line)
		}
		b, err := hex.DecodeString(strings.ReplaceAll(line[:3*n], " ", ""))
		if err != nil {
			t.Fatalf("hex dump line %q: %v", line, err)
		}
		res[len(res)-1].data = append(res[len(res)-1].data, b...)
	}
	return res
}

// dumpLineBytes returns how many bytes a hex dump line holds: a full
// line is 16 "XX " groups and 16 characters; the last line of a longer
// dump pads its groups to the full width with blanks; a dump of one short
// line is n groups and n characters with no padding.
func dumpLineBytes(line string) (int, bool) {
	const full = 16
	if n := len(line) - 3*full; n > 0 && n <= full && strings.TrimSpace(line[3*n:3*full]) == "" {
		return n, true
	}
	if len(line)%4 == 0 && len(line) > 0 && len(line) <= 4*full {
		return len(line) / 4, true
	}
	return 0, false
}

// Row builders.

// selectAID selects an application by name.
func selectAID(aid string) layoutAPDU {
	return layoutAPDU{cmd: fmt.Sprintf("00A4040C%02X%s", len(aid), hex.EncodeToString([]byte(aid))), sw: 0x9000}
}

// readWhole selects EF fid and reads it in chunks of at most 256 bytes,
// each compared with want at its offset, then checks where the file ends:
// a READ from the last byte with Le 00 gets that byte and 9000, and a
// READ at the end offset 6B00 (docs/card.md, "READ BINARY").
func readWhole(fid string, want []byte) []layoutAPDU {
	apdus := []layoutAPDU{{cmd: "00A4020C02" + fid, sw: 0x9000}}
	for off := 0; off < len(want); off += 256 {
		n := min(256, len(want)-off)
		exp := want[off : off+n]
		apdus = append(apdus, layoutAPDU{cmd: fmt.Sprintf("00B0%04X%02X", off, byte(n)), sw: 0x9000, check: equals(exp)})
	}
	last := len(want) - 1
	return append(apdus,
		layoutAPDU{cmd: fmt.Sprintf("00B0%04X00", last), sw: 0x9000, check: equals(want[last:])},
		layoutAPDU{cmd: fmt.Sprintf("00B0%04X01", len(want)), sw: 0x6B00})
}

// equals checks the data byte for byte.
func equals(want []byte) func([]byte) error {
	return func(got []byte) error {
		if !bytes.Equal(got, want) {
			return fmt.Errorf("got %d bytes % X…, want %d bytes % X…", len(got), head(got), len(want), head(want))
		}
		return nil
	}
}

func head(b []byte) []byte { return b[:min(len(b), 16)] }

// at checks fields at fixed offsets of the data, and its length.
func at(size int, fields map[int][]byte) func([]byte) error {
	return func(got []byte) error {
		if len(got) != size {
			return fmt.Errorf("%d bytes, want %d", len(got), size)
		}
		for off, want := range fields {
			if !bytes.Equal(got[off:off+len(want)], want) {
				return fmt.Errorf("at %d: % X, want % X", off, got[off:off+len(want)], want)
			}
		}
		return nil
	}
}

// length checks only the number of bytes.
func length(n int) func([]byte) error {
	return func(got []byte) error {
		if len(got) != n {
			return fmt.Errorf("%d bytes, want %d", len(got), n)
		}
		return nil
	}
}

func hx(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}
