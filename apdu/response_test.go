package apdu

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func TestParseResponse(t *testing.T) {
	tests := []struct {
		in   []byte
		data []byte
		sw   uint16
		err  bool
	}{
		{nil, nil, 0, true},
		{[]byte{0x90}, nil, 0, true},
		{[]byte{0x90, 0x00}, []byte{}, SWOK, false},
		{[]byte{1, 2, 3, 0x62, 0x82}, []byte{1, 2, 3}, SWEndOfFileWarning, false},
	}
	for _, tt := range tests {
		r, err := ParseResponse(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseResponse(% X) err = %v", tt.in, err)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrMalformedResponse) {
				t.Errorf("err %v does not wrap ErrMalformedResponse", err)
			}
			continue
		}
		if r.SW != tt.sw || !bytes.Equal(r.Data, tt.data) {
			t.Errorf("ParseResponse(% X) = % X %04X", tt.in, r.Data, r.SW)
		}
		if !bytes.Equal(r.Bytes(), tt.in) {
			t.Errorf("Bytes() = % X", r.Bytes())
		}
	}
}

func TestResponseDataDoesNotGrowIntoSW(t *testing.T) {
	in := []byte{1, 2, 0x90, 0x00}
	r, _ := ParseResponse(in)
	_ = append(r.Data, 0xFF) // must not overwrite SW1
	if in[2] != 0x90 {
		t.Error("appending to Data overwrote the status word")
	}
}

func TestStatusErrors(t *testing.T) {
	tests := []struct {
		sw       uint16
		sentinel error
		tries    int
	}{
		{0x6A82, ErrFileNotFound, -1},
		{0x6A83, ErrFileNotFound, -1},
		{0x6A88, ErrFileNotFound, -1},
		{0x6982, ErrSecurityStatus, -1},
		{0x6983, ErrBlocked, -1},
		{0x6984, ErrBlocked, -1},
		{0x6700, ErrWrongLength, -1},
		{0x6C10, ErrWrongLength, -1},
		{0x6A86, ErrWrongP1P2, -1},
		{0x6B00, ErrWrongP1P2, -1},
		{0x6D00, ErrInsNotSupported, -1},
		{0x6E00, ErrClassNotSupported, -1},
		{0x6985, ErrConditionsNotSatisfied, -1},
		{0x6300, ErrVerificationFailed, -1},
		{0x63C0, ErrVerificationFailed, 0},
		{0x63C3, ErrVerificationFailed, 3},
		{0x63CF, ErrVerificationFailed, 15},
		{0x6282, ErrEndOfFile, -1},
		{0x6A80, ErrWrongData, -1},
		{0x6F00, nil, -1},
	}
	all := []error{ErrFileNotFound, ErrSecurityStatus, ErrBlocked, ErrWrongLength, ErrWrongP1P2, ErrInsNotSupported,
		ErrClassNotSupported, ErrConditionsNotSatisfied, ErrVerificationFailed, ErrEndOfFile, ErrWrongData}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%04X", tt.sw), func(t *testing.T) {
			err := Response{SW: tt.sw}.Err()
			wrapped := fmt.Errorf("reading thing: %w", err)
			for _, s := range all {
				if got := errors.Is(wrapped, s); got != (s == tt.sentinel) {
					t.Errorf("errors.Is(%v, %v) = %v", err, s, got)
				}
			}
			var se *StatusError
			if !errors.As(wrapped, &se) || se.SW != tt.sw {
				t.Fatalf("errors.As failed")
			}
			n, ok := se.TriesLeft()
			if ok != (tt.tries >= 0) || (ok && n != tt.tries) {
				t.Errorf("TriesLeft = %d, %v", n, ok)
			}
			if !IsStatus(wrapped, tt.sw) || IsStatus(wrapped, tt.sw^1) {
				t.Error("IsStatus wrong")
			}
			if !errors.Is(wrapped, &StatusError{SW: tt.sw}) {
				t.Error("errors.Is with a *StatusError target failed")
			}
			if err.Error() == "" {
				t.Error("empty message")
			}
		})
	}
	if (Response{SW: SWOK}).Err() != nil {
		t.Error("9000 is an error")
	}
}

func ExampleStatusError_TriesLeft() {
	err := Response{SW: 0x63C2}.Err()
	var se *StatusError
	if errors.As(err, &se) {
		n, _ := se.TriesLeft()
		fmt.Println(n, errors.Is(err, ErrVerificationFailed))
	}
	// Output: 2 true
}

// FuzzParseResponse checks that parsing never panics and round-trips.
func FuzzParseResponse(f *testing.F) {
	f.Add([]byte{0x90, 0x00})
	f.Add([]byte{1, 2, 3, 0x63, 0xC2})
	f.Add([]byte{0x61})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseResponse(b)
		if err != nil {
			if len(b) >= 2 || !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("ParseResponse(% X): %v", b, err)
			}
			return
		}
		if !bytes.Equal(r.Bytes(), b) || len(r.Data) != len(b)-2 {
			t.Fatalf("round trip % X -> % X", b, r.Bytes())
		}
		if e := r.Err(); (e == nil) != r.OK() {
			t.Fatalf("Err and OK disagree for %04X", r.SW)
		}
		if e := r.Err(); e != nil {
			_ = e.Error()
		}
	})
}
