// Package vpcd attaches a card implemented in Go to pcscd's virtual reader
// driver (Debian package vsmartcard-vpcd), so that every PC/SC program on
// the machine sees a reader with that card in it.
//
// The driver listens on TCP (port 35963 for reader "Virtual PCD 00 00",
// 35964 for "Virtual PCD 00 01") and the card side dials it. Every message,
// both ways, is a 2-byte big-endian length followed by the payload. From
// the driver, a 1-byte payload is a control byte (power off, power on,
// reset, get ATR; only get ATR is answered, with the ATR); a longer payload
// is a command APDU, answered by exactly one message holding the response
// APDU. Closing the connection removes the card.
//
// The protocol is small enough that no library is worth it; this package
// owns it. It does not own pcscd (see internal/pcsctest) and it does not
// interpret APDUs: that is the card's job.
//
// Security: vpcd listens on all network interfaces, so anyone who can
// reach the machine's port 35963 can insert a card. Dial only loopback.
package vpcd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Ports of the two slots that /etc/reader.conf.d/vpcd configures
// (CHANNELID 0x8C7B = 35963; the driver opens two readers on consecutive
// ports).
const (
	// DefaultPort is slot 0, reader "Virtual PCD 00 00".
	DefaultPort = 35963
	// Slots is the number of readers the default configuration opens.
	Slots = 2
)

// ReaderName returns the PC/SC reader name pcscd gives vpcd slot slot
// under the default configuration.
func ReaderName(slot int) string { return fmt.Sprintf("Virtual PCD 00 %02d", slot) }

// Port returns the TCP port of vpcd slot slot under the default
// configuration.
func Port(slot int) int { return DefaultPort + slot }

// Addr returns the loopback address of vpcd slot slot.
func Addr(slot int) string { return fmt.Sprintf("127.0.0.1:%d", Port(slot)) }

// Control bytes the driver sends as 1-byte payloads (vsmartcard's vpcd.h).
const (
	ctrlPowerOff byte = 0x00
	ctrlPowerOn  byte = 0x01
	ctrlReset    byte = 0x02
	ctrlGetATR   byte = 0x04
)

// maxFrame is the largest payload a 2-byte length expresses.
const maxFrame = 0xFFFF

// Card is what the driver talks to: any in-process card, such as
// card/virtual.Card. It is the same shape as reader.RawCard.
//
// Transmit answers one command APDU with one response APDU (data then
// SW1 SW2); a nil answer means the card has left, and the connection is
// closed (the reader then shows no card).
type Card interface {
	ATR() []byte
	Transmit(capdu []byte) []byte
}

// Resetter is implemented by cards that lose their volatile state (selected
// application, verified PINs) on a reset. Reset is called when the driver
// powers the card off or on or resets it, as a real card's state goes with
// its power.
type Resetter interface {
	Reset()
}

// ErrFrameTooLong reports a payload longer than a 2-byte length can carry.
var ErrFrameTooLong = errors.New("vpcd: frame longer than 65535 bytes")

// ErrEmptyFrame reports a zero-length message from the driver, which the
// protocol never sends.
var ErrEmptyFrame = errors.New("vpcd: empty frame")

// readFrame reads one length-prefixed message into buf (grown as needed)
// and returns the payload.
func readFrame(r io.Reader, buf []byte) ([]byte, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(hdr[:]))
	if n == 0 {
		return nil, ErrEmptyFrame
	}
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// appendFrame appends payload with its 2-byte big-endian length to dst, so
// the whole message goes out in one write.
func appendFrame(dst, payload []byte) ([]byte, error) {
	if len(payload) > maxFrame {
		return nil, fmt.Errorf("%w: %d bytes", ErrFrameTooLong, len(payload))
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(payload)))
	return append(dst, payload...), nil
}
