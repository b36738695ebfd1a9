// Package apdu encodes and decodes ISO/IEC 7816-4 application protocol data
// units: command APDUs with short or extended length fields (§5.1), response
// APDUs and their status words (§5.1.3, §5.6), and BER-TLV data objects
// (§5.2, §6.3). It performs no I/O; reader.Exchange drives the
// GET RESPONSE / resend loop on top of it.
package apdu

import (
	"errors"
	"fmt"
)

// Length limits of ISO/IEC 7816-4 §5.1.
const (
	// MaxShortNc is the largest command data field a short APDU carries.
	MaxShortNc = 255
	// MaxShortNe is the largest Ne a short Le field expresses (Le = 00).
	MaxShortNe = 256
	// MaxExtendedNc is the largest command data field of an extended APDU.
	MaxExtendedNc = 65535
	// MaxExtendedNe is the largest Ne an extended Le field expresses
	// (Le = 00 00).
	MaxExtendedNe = 65536
)

// Instruction bytes used by the Individual Number Card (ISO/IEC 7816-4
// §11 and the JPKI proprietary SIGN).
const (
	InsSelect              byte = 0xA4 // §11.2.2 SELECT
	InsReadBinary          byte = 0xB0 // §11.3.3 READ BINARY
	InsVerify              byte = 0x20 // §11.5.6 VERIFY
	InsChangeReferenceData byte = 0x24 // §11.5.7 CHANGE REFERENCE DATA
	InsGetResponse         byte = 0xC0 // §11.7.1 GET RESPONSE
	InsComputeSignature    byte = 0x2A // proprietary JPKI SIGN (CLA 80), after PSO's INS
)

// Command is a command APDU. Ne is the maximum number of response bytes
// expected: 0 means no Le field (cases 1 and 3), MaxShortNe or
// MaxExtendedNe mean "as many as available" in the respective encoding.
type Command struct {
	CLA, INS, P1, P2 byte
	Data             []byte
	Ne               int
}

// Case returns the ISO/IEC 7816-4 §5.1 case (1–4) of the command.
func (c Command) Case() int {
	switch {
	case len(c.Data) == 0 && c.Ne == 0:
		return 1
	case len(c.Data) == 0:
		return 2
	case c.Ne == 0:
		return 3
	default:
		return 4
	}
}

// NeedsExtended reports whether c cannot be encoded with short length fields.
func (c Command) NeedsExtended() bool {
	return len(c.Data) > MaxShortNc || c.Ne > MaxShortNe
}

// ErrTooLong reports a command whose fields exceed ISO/IEC 7816-4 limits or
// that needs extended length where only short length is allowed.
var ErrTooLong = errors.New("apdu: command too long")

// Bytes encodes c, choosing short length fields when they suffice and
// extended ones otherwise (§5.1).
func (c Command) Bytes() ([]byte, error) {
	return c.encode(c.NeedsExtended())
}

// ShortBytes encodes c with short length fields only, failing with
// ErrTooLong if it does not fit.
func (c Command) ShortBytes() ([]byte, error) {
	if c.NeedsExtended() {
		return nil, fmt.Errorf("%w: Nc=%d Ne=%d needs extended length", ErrTooLong, len(c.Data), c.Ne)
	}
	return c.encode(false)
}

func (c Command) encode(extended bool) ([]byte, error) {
	if c.Ne < 0 || c.Ne > MaxExtendedNe || len(c.Data) > MaxExtendedNc {
		return nil, fmt.Errorf("%w: Nc=%d Ne=%d", ErrTooLong, len(c.Data), c.Ne)
	}
	out := make([]byte, 0, 4+3+len(c.Data)+3)
	out = append(out, c.CLA, c.INS, c.P1, c.P2)
	nc := len(c.Data)
	if !extended {
		if nc > 0 {
			out = append(out, byte(nc))
			out = append(out, c.Data...)
		}
		if c.Ne > 0 {
			out = append(out, byte(c.Ne)) // 256 encodes as 00
		}
		return out, nil
	}
	// Extended: a 00 marker before the first length field (§5.1).
	if nc > 0 {
		out = append(out, 0, byte(nc>>8), byte(nc))
		out = append(out, c.Data...)
		if c.Ne > 0 {
			out = append(out, byte(c.Ne>>8), byte(c.Ne)) // 65536 encodes as 00 00
		}
		return out, nil
	}
	if c.Ne > 0 {
		out = append(out, 0, byte(c.Ne>>8), byte(c.Ne))
	}
	return out, nil
}

// ErrMalformedCommand reports a command APDU whose length fields do not
// match its size.
var ErrMalformedCommand = errors.New("apdu: malformed command")

// ParseCommand decodes a command APDU in any of the seven encodings of
// ISO/IEC 7816-4 §5.1 (case 1, 2S, 3S, 4S, 2E, 3E, 4E). It also reports
// whether extended length fields were used.
func ParseCommand(b []byte) (cmd Command, extended bool, err error) {
	if len(b) < 4 {
		return Command{}, false, fmt.Errorf("%w: %d bytes, need a 4-byte header", ErrMalformedCommand, len(b))
	}
	cmd = Command{CLA: b[0], INS: b[1], P1: b[2], P2: b[3]}
	body := b[4:]
	switch {
	case len(body) == 0: // case 1
		return cmd, false, nil
	case len(body) == 1: // case 2S
		cmd.Ne = shortNe(body[0])
		return cmd, false, nil
	case body[0] != 0: // case 3S or 4S
		nc := int(body[0])
		switch len(body) {
		case 1 + nc:
			cmd.Data = body[1:]
		case 2 + nc:
			cmd.Data = body[1 : 1+nc]
			cmd.Ne = shortNe(body[1+nc])
		default:
			return Command{}, false, fmt.Errorf("%w: Lc=%d but %d bytes follow", ErrMalformedCommand, nc, len(body)-1)
		}
		return cmd, false, nil
	}
	// body[0] == 0 and more bytes: extended.
	if len(body) == 3 { // case 2E
		cmd.Ne = extendedNe(body[1], body[2])
		return cmd, true, nil
	}
	if len(body) < 3 {
		return Command{}, false, fmt.Errorf("%w: %d-byte body", ErrMalformedCommand, len(body))
	}
	nc := int(body[1])<<8 | int(body[2])
	if nc == 0 {
		return Command{}, false, fmt.Errorf("%w: extended Lc of zero", ErrMalformedCommand)
	}
	rest := body[3:]
	switch len(rest) {
	case nc: // case 3E
		cmd.Data = rest
	case nc + 2: // case 4E
		cmd.Data = rest[:nc]
		cmd.Ne = extendedNe(rest[nc], rest[nc+1])
	default:
		return Command{}, false, fmt.Errorf("%w: extended Lc=%d but %d bytes follow", ErrMalformedCommand, nc, len(rest))
	}
	return cmd, true, nil
}

func shortNe(le byte) int {
	if le == 0 {
		return MaxShortNe
	}
	return int(le)
}

func extendedNe(hi, lo byte) int {
	n := int(hi)<<8 | int(lo)
	if n == 0 {
		return MaxExtendedNe
	}
	return n
}

// String formats the command header for diagnostics. It never includes the
// data field, which may hold a PIN.
func (c Command) String() string {
	return fmt.Sprintf("%02X %02X %02X %02X (Nc=%d Ne=%d)", c.CLA, c.INS, c.P1, c.P2, len(c.Data), c.Ne)
}
