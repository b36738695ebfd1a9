package reader

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/mynacard/mynacard/apdu"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name     string
		in, want string
		redacted bool
	}{
		{"VERIFY short", "0020008004 31323334", "0020008004 2A2A2A2A", true},
		{"VERIFY by SFI", "002000980431323334", "0020009804 2A2A2A2A", true},
		{"VERIFY with Le", "0020008004 31323334 00", "0020008004 2A2A2A2A 00", true},
		{"VERIFY extended", "00200080 000004 31323334", "00200080 000004 2A2A2A2A", true},
		{"VERIFY extended with Le", "00200080 000004 31323334 0000", "00200080 000004 2A2A2A2A 0000", true},
		{"CHANGE", "0024018006 414243313233", "0024018006 2A2A2A2A2A2A", true},
		{"empty VERIFY", "00200080", "00200080", false},
		{"VERIFY case 2", "0020008000", "0020008000", false},
		{"malformed VERIFY", "0020008005 31323334", "00200080 2A2A2A2A2A", true},
		{"malformed CHANGE", "00240180 0331", "00240180 2A2A", true},
		{"SELECT untouched", "00A4040C0AD392F000260100000001", "00A4040C0AD392F000260100000001", false},
		{"SIGN untouched", "802A00800201 0200", "802A00800201 0200", false},
		{"short input", "0020", "0020", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := unhex(tt.in)
			orig := append([]byte(nil), in...)
			got, red := Redact(in)
			if !bytes.Equal(got, unhex(tt.want)) || red != tt.redacted {
				t.Errorf("Redact(%s) = % X %v, want %s %v", tt.in, got, red, tt.want, tt.redacted)
			}
			if !bytes.Equal(in, orig) {
				t.Error("Redact modified its input")
			}
		})
	}
}

// echo answers 9000 to everything.
type echo struct{ err error }

func (e echo) Transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	if e.err != nil {
		return nil, e.err
	}
	return []byte{0x90, 0x00}, nil
}

func TestTraced(t *testing.T) {
	var events []TraceEvent
	tr := Traced(echo{}, func(ev TraceEvent) { events = append(events, ev) })
	pin := []byte("9876")
	cmd, _ := apdu.Command{INS: apdu.InsVerify, P2: 0x98, Data: pin}.Bytes()
	if _, err := tr.Transmit(context.Background(), cmd); err != nil {
		t.Fatal(err)
	}
	if _, err := Do(context.Background(), tr, apdu.Command{INS: apdu.InsReadBinary, Ne: 4}, false); err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Fatalf("%d events", len(events))
	}
	if !events[0].Redacted || bytes.Contains(events[0].Command, pin) {
		t.Errorf("VERIFY traced as % X", events[0].Command)
	}
	if events[1].Redacted || !bytes.Equal(events[1].Command, unhex("00B0000004")) || !bytes.Equal(events[1].Response, []byte{0x90, 0}) {
		t.Errorf("READ traced as %+v", events[1])
	}
	if !bytes.Equal(cmd[5:], pin) {
		t.Error("tracing modified the command sent")
	}

	events = nil
	tr = Traced(echo{err: ErrCardRemoved}, func(ev TraceEvent) { events = append(events, ev) })
	if _, err := tr.Transmit(context.Background(), cmd); !errors.Is(err, ErrCardRemoved) {
		t.Fatalf("err = %v", err)
	}
	if len(events) != 1 || !errors.Is(events[0].Err, ErrCardRemoved) || bytes.Contains(events[0].Command, pin) {
		t.Errorf("error event %+v", events)
	}
	if Traced(echo{}, nil) != (echo{}) {
		t.Error("Traced with a nil hook should return t itself")
	}
}

// FuzzRedact checks that the data field of a VERIFY or CHANGE REFERENCE
// DATA never survives redaction, whatever the encoding, and that other
// commands pass unchanged.
func FuzzRedact(f *testing.F) {
	f.Add(byte(apdu.InsVerify), byte(0x80), []byte("1234"), 0, false)
	f.Add(byte(apdu.InsVerify), byte(0x9B), []byte("ABCDEF123456"), 256, true)
	f.Add(byte(apdu.InsChangeReferenceData), byte(0x80), []byte("5678"), 0, false)
	f.Add(byte(apdu.InsReadBinary), byte(0x00), []byte{}, 4, false)
	f.Fuzz(func(t *testing.T, ins, p2 byte, data []byte, ne int, junk bool) {
		if ne < 0 || ne > apdu.MaxExtendedNe || len(data) > apdu.MaxExtendedNc {
			return
		}
		raw, err := apdu.Command{INS: ins, P1: 0x00, P2: p2, Data: data, Ne: ne}.Bytes()
		if err != nil {
			return
		}
		if junk { // a malformed tail: one byte too many
			raw = append(raw, 0x31)
		}
		out, red := Redact(raw)
		if len(out) != len(raw) || !bytes.Equal(out[:4], raw[:4]) {
			t.Fatalf("Redact(% X) = % X: header or length changed", raw, out)
		}
		pinCmd := ins == apdu.InsVerify || ins == apdu.InsChangeReferenceData
		if !pinCmd {
			if red || !bytes.Equal(out, raw) {
				t.Fatalf("Redact changed a non-PIN command % X", raw)
			}
			return
		}
		if len(data) == 0 {
			return
		}
		if !red {
			t.Fatalf("Redact(% X) not redacted", raw)
		}
		// The data field is where the encoder put it: after Lc, which is
		// one byte, or three in the extended form (§5.1). Whether the junk
		// makes the command malformed or turns it into Le, it must be masked.
		start := 5
		if (apdu.Command{Data: data, Ne: ne}).NeedsExtended() {
			start = 7
		}
		for i := start; i < start+len(data) && i < len(out); i++ {
			if out[i] != redactedByte {
				t.Fatalf("Redact(% X) = % X: byte %d survived", raw, out, i)
			}
		}
	})
}
