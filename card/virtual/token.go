package virtual

import (
	"encoding/binary"
	"fmt"
)

// EF 0006 (docs/card.md, "EF 0006"): a PKCS#11 CK_TOKEN_INFO (PKCS#11
// v2.40 §3.2) with every CK_ULONG as a 32-bit big-endian integer, 160
// bytes [card]. Clients read only the 32-byte label. The field values
// below are those seen on one card [one card]; the manufacturer ID and the
// serial number have not been published and are the virtual card's own.
const (
	tokenInfoSize  = 160
	tokenLabelSize = 32

	tokenOffManufacturer = 32
	tokenOffModel        = 64
	tokenOffSerial       = 80 // serialNumber, blank
	tokenOffFlags        = 96
	tokenOffMaxPINLen    = 116
	tokenOffMinPINLen    = 120
	tokenOffMemory       = 124 // four memory counters, 124–139
	tokenOffHWVersion    = 140
	tokenOffFWVersion    = 142
	tokenOffUTCTime      = 144
	tokenTextEnd         = tokenOffFlags // label … serialNumber are blank-padded text

	tokenManufacturer = "JPKI"
	tokenModel        = "E16R01NJ"
	// tokenFlags is CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED
	// | CKF_TOKEN_INITIALIZED.
	tokenFlags     uint32 = 0x0000040D
	tokenMaxPINLen uint32 = 16
	tokenMinPINLen uint32 = 6
	// tokenUnavailable is CK_UNAVAILABLE_INFORMATION in 32 bits, written in
	// the memory counters.
	tokenUnavailable uint32 = 0xFFFFFFFF
	// The version fields hold ASCII digits rather than CK_VERSION bytes.
	tokenHWVersion = "03"
	tokenFWVersion = "01"
)

// EncodeTokenInfo returns EF 0006 for the token label: label (at most 32
// bytes), manufacturer, model and serial number blank-padded, then the
// flags, PIN lengths, memory counters, versions and a blank utcTime (the
// token has no clock).
func EncodeTokenInfo(label string) ([]byte, error) {
	if len(label) > tokenLabelSize {
		return nil, fmt.Errorf("%w: token label of %d bytes", ErrBadContents, len(label))
	}
	out := make([]byte, tokenInfoSize)
	for i := range out[:tokenTextEnd] {
		out[i] = ' '
	}
	copy(out, label)
	copy(out[tokenOffManufacturer:], tokenManufacturer)
	copy(out[tokenOffModel:], tokenModel)
	binary.BigEndian.PutUint32(out[tokenOffFlags:], tokenFlags)
	binary.BigEndian.PutUint32(out[tokenOffMaxPINLen:], tokenMaxPINLen)
	binary.BigEndian.PutUint32(out[tokenOffMinPINLen:], tokenMinPINLen)
	for off := tokenOffMemory; off < tokenOffHWVersion; off += 4 {
		binary.BigEndian.PutUint32(out[off:], tokenUnavailable)
	}
	copy(out[tokenOffHWVersion:], tokenHWVersion)
	copy(out[tokenOffFWVersion:], tokenFWVersion)
	for i := range out[tokenOffUTCTime:] {
		out[tokenOffUTCTime+i] = ' '
	}
	return out, nil
}
