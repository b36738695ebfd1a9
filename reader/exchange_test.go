package reader

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/apdu"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// scripted is a Transport that expects given commands and answers given
// responses, in order.
type scripted struct {
	t     *testing.T
	steps []exchangeStep
	i     int
}

type exchangeStep struct {
	cmd, resp string
	err       error
}

func (s *scripted) Transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	s.t.Helper()
	if s.i >= len(s.steps) {
		s.t.Fatalf("unexpected command % X", capdu)
	}
	st := s.steps[s.i]
	s.i++
	if want := unhex(st.cmd); !bytes.Equal(capdu, want) {
		s.t.Fatalf("command %d = % X, want % X", s.i, capdu, want)
	}
	if st.err != nil {
		return nil, st.err
	}
	return unhex(st.resp), nil
}

func TestExchange(t *testing.T) {
	read := apdu.Command{INS: apdu.InsReadBinary, Ne: 256}
	sign := apdu.Command{CLA: 0x80, INS: apdu.InsComputeSignature, P2: 0x97, Data: []byte{1, 2}, Ne: 256}
	tests := []struct {
		name     string
		cmd      apdu.Command
		extended bool
		steps    []exchangeStep
		data     string
		sw       uint16
		err      error
	}{
		{"plain", read, false, []exchangeStep{{"00B0000000", "0102 9000", nil}}, "0102", 0x9000, nil},
		{"status passes through", read, false, []exchangeStep{{"00B0000000", "6A82", nil}}, "", 0x6A82, nil},
		{"61xx chain", read, false, []exchangeStep{
			{"00B0000000", "0102 6103", nil},
			{"00C0000003", "030405 6100", nil},
			{"00C0000000", "06 9000", nil},
		}, "010203040506", 0x9000, nil},
		{"61xx final status kept", read, false, []exchangeStep{
			{"00B0000000", "01 6101", nil},
			{"00C0000001", "02 6282", nil},
		}, "0102", 0x6282, nil},
		{"GET RESPONSE drops the proprietary class", sign, false, []exchangeStep{
			{"802A0097020102 00", "6102", nil},
			{"00C0000002", "AABB 9000", nil},
		}, "AABB", 0x9000, nil},
		{"6Cxx resend", apdu.Command{INS: apdu.InsReadBinary, Ne: 7}, false, []exchangeStep{
			{"00B0000007", "6C04", nil},
			{"00B0000004", "01020304 9000", nil},
		}, "01020304", 0x9000, nil},
		{"6C00 means 256", apdu.Command{INS: apdu.InsReadBinary, Ne: 7}, false, []exchangeStep{
			{"00B0000007", "6C00", nil},
			{"00B0000000", "9000", nil},
		}, "", 0x9000, nil},
		{"6Cxx then 61xx", apdu.Command{INS: apdu.InsReadBinary, Ne: 7}, false, []exchangeStep{
			{"00B0000007", "6C02", nil},
			{"00B0000002", "01 6101", nil},
			{"00C0000001", "02 9000", nil},
		}, "0102", 0x9000, nil},
		{"extended", apdu.Command{INS: apdu.InsReadBinary, Ne: 1000}, true, []exchangeStep{
			{"00B000000003E8", "0102 9000", nil},
		}, "0102", 0x9000, nil},
		{"transport error", read, false, []exchangeStep{{"00B0000000", "", ErrCardRemoved}}, "", 0, ErrCardRemoved},
		{"transport error in chain", read, false, []exchangeStep{
			{"00B0000000", "01 6101", nil},
			{"00C0000001", "", ErrCardRemoved},
		}, "", 0, ErrCardRemoved},
		{"response without status word", read, false, []exchangeStep{{"00B0000000", "90", nil}}, "", 0, apdu.ErrMalformedResponse},
		{"short-only path", apdu.Command{INS: apdu.InsReadBinary, Ne: 1000}, false, nil, "", 0, apdu.ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &scripted{t: t, steps: tt.steps}
			resp, err := Exchange(context.Background(), tr, tt.cmd, tt.extended)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.SW != tt.sw || !bytes.Equal(resp.Data, unhex(tt.data)) {
				t.Errorf("Exchange = % X %04X, want %s %04X", resp.Data, resp.SW, tt.data, tt.sw)
			}
			if tr.i != len(tr.steps) {
				t.Errorf("%d of %d commands sent", tr.i, len(tr.steps))
			}
		})
	}
}

// endless answers 61 01 forever.
type endless struct{ n int }

func (e *endless) Transmit(context.Context, []byte) ([]byte, error) {
	e.n++
	return []byte{0x00, 0x61, 0x01}, nil
}

func TestExchangeBoundsGetResponse(t *testing.T) {
	e := &endless{}
	_, err := Exchange(context.Background(), e, apdu.Command{INS: apdu.InsReadBinary, Ne: 1}, false)
	if err == nil || e.n != maxGetResponse+1 {
		t.Errorf("err = %v after %d commands", err, e.n)
	}
}

func TestExchangeCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tr := &scripted{t: t}
	if _, err := Exchange(ctx, tr, apdu.Command{INS: apdu.InsReadBinary, Ne: 1}, false); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func TestDo(t *testing.T) {
	tr := &scripted{t: t, steps: []exchangeStep{{"0020009800", "63C2", nil}, {"00B0000001", "AA 9000", nil}}}
	_, err := Do(context.Background(), tr, apdu.Command{INS: apdu.InsVerify, P2: 0x98, Ne: 256}, false)
	var se *apdu.StatusError
	if !errors.As(err, &se) || !errors.Is(err, apdu.ErrVerificationFailed) {
		t.Fatalf("err = %v", err)
	}
	if n, ok := se.TriesLeft(); !ok || n != 2 {
		t.Errorf("TriesLeft = %d %v", n, ok)
	}
	data, err := Do(context.Background(), tr, apdu.Command{INS: apdu.InsReadBinary, Ne: 1}, false)
	if err != nil || !bytes.Equal(data, []byte{0xAA}) {
		t.Errorf("Do = % X, %v", data, err)
	}
}
