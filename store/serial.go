package store

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// maxSerialBytes is the longest serial RFC 5280 §4.1.2.2 allows (20 octets).
const maxSerialBytes = 20

// CanonicalSerial returns a certificate serial number written in hex in the
// store's canonical form: upper-case, whole bytes, no leading zero bytes
// ("00" for zero), as J-LIS writes serials (for example "0132C4AB"). It
// accepts upper or lower case, an optional "0x" prefix and ':' or ' '
// separators between bytes. Every method of the store canonicalises the
// serials it is given.
func CanonicalSerial(s string) (string, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	t = strings.NewReplacer(":", "", " ", "").Replace(t)
	if t == "" {
		return "", fmt.Errorf("%w: empty serial", ErrInvalid)
	}
	if len(t)%2 == 1 {
		t = "0" + t
	}
	b, err := hex.DecodeString(t)
	if err != nil {
		return "", fmt.Errorf("%w: serial %q is not hex", ErrInvalid, s)
	}
	return SerialFromBytes(b)
}

// SerialFromBytes returns the canonical hex of a serial given as big-endian
// bytes (for example x509.Certificate.SerialNumber.Bytes(), or the content
// octets of the DER INTEGER).
func SerialFromBytes(b []byte) (string, error) {
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) == 0 {
		b = []byte{0}
	}
	if len(b) > maxSerialBytes {
		return "", fmt.Errorf("%w: serial longer than %d bytes", ErrInvalid, maxSerialBytes)
	}
	return strings.ToUpper(hex.EncodeToString(b)), nil
}
