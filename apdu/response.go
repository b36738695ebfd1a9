package apdu

import (
	"errors"
	"fmt"
)

// Status words of ISO/IEC 7816-4 §5.6 (tables 5 and 6) that the Individual
// Number Card uses, named as the standard names them.
const (
	SWOK                       uint16 = 0x9000
	SWEndOfFileWarning         uint16 = 0x6282 // end of file reached before Ne bytes
	SWVerifyFailed             uint16 = 0x6300 // verification failed, no counter given
	SWWrongLength              uint16 = 0x6700
	SWSecureMessagingDenied    uint16 = 0x6882 // secure messaging not supported
	SWSecurityStatusNotMet     uint16 = 0x6982
	SWAuthMethodBlocked        uint16 = 0x6983 // ISO's "authentication method blocked"
	SWReferenceDataBlocked     uint16 = 0x6984 // what the card answers once a PIN is blocked
	SWConditionsNotSatisfied   uint16 = 0x6985
	SWWrongData                uint16 = 0x6A80
	SWFunctionNotSupported     uint16 = 0x6A81
	SWFileNotFound             uint16 = 0x6A82
	SWRecordNotFound           uint16 = 0x6A83
	SWIncorrectP1P2            uint16 = 0x6A86
	SWReferenceDataNotFound    uint16 = 0x6A88
	SWWrongParametersP1P2      uint16 = 0x6B00 // also "offset outside the EF"
	SWInstructionNotSupported  uint16 = 0x6D00
	SWClassNotSupported        uint16 = 0x6E00
	SWNoPreciseDiagnosis       uint16 = 0x6F00
	SWSecureMessagingDataWrong uint16 = 0x69FC // seen from the card for SM class bytes (proprietary)
)

// Response is a response APDU: the data field and the trailer SW1 SW2.
type Response struct {
	Data []byte
	SW   uint16
}

// ErrMalformedResponse reports a response APDU shorter than its trailer.
var ErrMalformedResponse = errors.New("apdu: malformed response")

// ParseResponse splits a response APDU into data and status word. The data
// slice aliases b.
func ParseResponse(b []byte) (Response, error) {
	if len(b) < 2 {
		return Response{}, fmt.Errorf("%w: %d bytes, need at least SW1 SW2", ErrMalformedResponse, len(b))
	}
	n := len(b) - 2
	return Response{Data: b[:n:n], SW: uint16(b[n])<<8 | uint16(b[n+1])}, nil
}

// Bytes encodes r as data followed by SW1 SW2.
func (r Response) Bytes() []byte {
	out := make([]byte, 0, len(r.Data)+2)
	out = append(out, r.Data...)
	return append(out, byte(r.SW>>8), byte(r.SW))
}

// SW1 returns the first status byte.
func (r Response) SW1() byte { return byte(r.SW >> 8) }

// SW2 returns the second status byte.
func (r Response) SW2() byte { return byte(r.SW) }

// OK reports whether the status word is 9000.
func (r Response) OK() bool { return r.SW == SWOK }

// Err returns nil for 9000 and a *StatusError otherwise.
func (r Response) Err() error {
	if r.SW == SWOK {
		return nil
	}
	return &StatusError{SW: r.SW}
}

// Sentinel errors that a *StatusError matches with errors.Is, one per
// condition a caller branches on.
var (
	ErrFileNotFound           = errors.New("file or application not found")
	ErrSecurityStatus         = errors.New("security status not satisfied")
	ErrBlocked                = errors.New("authentication method blocked")
	ErrWrongLength            = errors.New("wrong length")
	ErrWrongP1P2              = errors.New("incorrect parameters P1-P2")
	ErrInsNotSupported        = errors.New("instruction not supported")
	ErrClassNotSupported      = errors.New("class not supported")
	ErrConditionsNotSatisfied = errors.New("conditions of use not satisfied")
	ErrVerificationFailed     = errors.New("verification failed")
	ErrEndOfFile              = errors.New("end of file reached")
	ErrWrongData              = errors.New("incorrect data field")
)

// StatusError is a status word other than 9000.
type StatusError struct {
	SW uint16
}

// Error describes the status word.
func (e *StatusError) Error() string {
	if n, ok := e.TriesLeft(); ok {
		return fmt.Sprintf("card status %04X: verification failed, %d tries left", e.SW, n)
	}
	if s := e.sentinel(); s != nil {
		return fmt.Sprintf("card status %04X: %s", e.SW, s.Error())
	}
	return fmt.Sprintf("card status %04X", e.SW)
}

// TriesLeft returns x for a 63Cx status word (§11.5.6: a counter "x"
// given by the card).
func (e *StatusError) TriesLeft() (int, bool) {
	if e.SW&0xFFF0 == 0x63C0 {
		return int(e.SW & 0x000F), true
	}
	return 0, false
}

func (e *StatusError) sentinel() error {
	switch e.SW {
	case SWFileNotFound, SWRecordNotFound, SWReferenceDataNotFound:
		return ErrFileNotFound
	case SWSecurityStatusNotMet:
		return ErrSecurityStatus
	case SWAuthMethodBlocked, SWReferenceDataBlocked:
		return ErrBlocked
	case SWWrongLength:
		return ErrWrongLength
	case SWIncorrectP1P2, SWWrongParametersP1P2:
		return ErrWrongP1P2
	case SWInstructionNotSupported:
		return ErrInsNotSupported
	case SWClassNotSupported:
		return ErrClassNotSupported
	case SWConditionsNotSatisfied:
		return ErrConditionsNotSatisfied
	case SWVerifyFailed:
		return ErrVerificationFailed
	case SWEndOfFileWarning:
		return ErrEndOfFile
	case SWWrongData:
		return ErrWrongData
	}
	if e.SW&0xFFF0 == 0x63C0 {
		return ErrVerificationFailed
	}
	if e.SW>>8 == 0x6C || e.SW>>8 == 0x67 {
		return ErrWrongLength
	}
	return nil
}

// Is makes errors.Is(err, ErrFileNotFound) and friends match.
func (e *StatusError) Is(target error) bool {
	if t, ok := target.(*StatusError); ok {
		return t.SW == e.SW
	}
	s := e.sentinel()
	return s != nil && s == target
}

// IsStatus reports whether err is or wraps a *StatusError with status sw.
func IsStatus(err error, sw uint16) bool {
	var se *StatusError
	return errors.As(err, &se) && se.SW == sw
}
