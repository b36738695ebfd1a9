package virtual

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/reader"
)

func TestFaults(t *testing.T) {
	sel := h(selJPKI)
	tests := []struct {
		name   string
		faults []Fault
		want   [][]byte // answers to sel, sel, sel
	}{
		{"none", nil, [][]byte{{0x90, 0}, {0x90, 0}, {0x90, 0}}},
		{"remove after 1", []Fault{RemoveAfter(1)}, [][]byte{{0x90, 0}, nil, nil}},
		{"remove at once", []Fault{RemoveAfter(0)}, [][]byte{nil, nil, nil}},
		{"corrupt 2nd", []Fault{{Kind: FaultCorrupt, At: 2}}, [][]byte{{0x90, 0}, {0x6F, 0xFF}, {0x90, 0}}},
		{"truncate 1st", []Fault{{Kind: FaultTruncate, At: 1}}, [][]byte{{0x90}, {0x90, 0}, {0x90, 0}}},
		{"truncate to 0 means 1", []Fault{{Kind: FaultTruncate, At: 1, Keep: 0}}, [][]byte{{0x90}, {0x90, 0}, {0x90, 0}}},
		{"over-length", []Fault{{Kind: FaultOverLength, At: 3}}, [][]byte{{0x90, 0}, {0x90, 0}, {0x90, 0, 0xEE, 0xEE, 0xEE, 0xEE}}},
		{"over-length junk", []Fault{{Kind: FaultOverLength, At: 1, Junk: []byte{1}}}, [][]byte{{0x90, 0, 1}, {0x90, 0}, {0x90, 0}}},
		{"status by INS once", []Fault{StatusOnINS(apdu.InsSelect, 0x6A82)}, [][]byte{{0x6A, 0x82}, {0x90, 0}, {0x90, 0}}},
		{"status on INS and index", []Fault{{Kind: FaultStatus, At: 2, MatchINS: true, INS: apdu.InsSelect, SW: 0x6F00}}, [][]byte{{0x90, 0}, {0x6F, 0}, {0x90, 0}}},
		{"INS that never comes", []Fault{StatusOnINS(apdu.InsVerify, 0x6F00)}, [][]byte{{0x90, 0}, {0x90, 0}, {0x90, 0}}},
		{"next APDU", []Fault{{Kind: FaultStatus, SW: 0x6400}}, [][]byte{{0x64, 0}, {0x90, 0}, {0x90, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCard(t, WithFaults(tt.faults...))
			for i, want := range tt.want {
				if got := c.Transmit(sel); !bytes.Equal(got, want) {
					t.Errorf("APDU %d: % X, want % X", i+1, got, want)
				}
			}
		})
	}
}

func TestFaultStatusDoesNotExecute(t *testing.T) {
	c := newTestCard(t, WithFaults(StatusOnINS(apdu.InsVerify, 0x6F00)))
	run(t, c, []step{{selJPKI, 0x9000}, {verifyHex("98", "0000"), 0x6F00}, {verifyHex("98", ""), 0x63C3}})
}

func TestRemoval(t *testing.T) {
	c := newTestCard(t)
	select {
	case <-c.Removed():
		t.Fatal("removed before the fault")
	default:
	}
	c.SetFaults(RemoveAfter(2))
	run(t, c, []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}})
	if c.Transmit(h(selJPKI)) != nil || !c.IsRemoved() {
		t.Fatal("card still answers")
	}
	select {
	case <-c.Removed():
	case <-time.After(time.Second):
		t.Fatal("Removed not closed")
	}
	c.Reinsert()
	if c.IsRemoved() {
		t.Fatal("still removed")
	}
	// Power cycled: state dropped, counters kept.
	run(t, c, []step{{selJPKI, 0x9000}, {selEF("0001"), 0x9000}, {"00B0000001", 0x6982}})
}

func TestLatency(t *testing.T) {
	c := newTestCard(t, WithFaults(Latency(20*time.Millisecond)))
	start := time.Now()
	for i := 0; i < 3; i++ {
		c.Transmit(h(selJPKI))
	}
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("3 APDUs took %v", d)
	}
	// An hour of latency, then cleared: the next APDU answers at once
	// (waiting 10 s tells "cleared" from "still planned" on any machine).
	c.SetFaults(Latency(time.Hour))
	c.SetFaults()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Transmit(h(selJPKI))
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Errorf("latency survived SetFaults")
	}
}

func TestStats(t *testing.T) {
	c := newTestCard(t)
	run(t, c, []step{{selJPKI, 0x9000}, {selEF("000A"), 0x9000}})
	c.Transmit(h("00B0000010"))
	s := c.Stats()
	if s.APDUs != 3 || s.BytesIn != 15+7+5 || s.BytesOut != 2+2+18 {
		t.Errorf("Stats = %+v", s)
	}
	c.ResetStats()
	if c.Stats() != (Stats{}) {
		t.Error("ResetStats kept counts")
	}
}

func TestGetResponseChaining(t *testing.T) {
	ct := testContents(t)
	c := newTestCard(t, WithGetResponseChaining(100))
	run(t, c, []step{{selJPKI, 0x9000}, {selEF("000A"), 0x9000}})
	data, sw := send(t, c, h("00B0000000")) // 256 bytes
	if sw != 0x619C || !bytes.Equal(data, ct.AuthCert[:100]) {
		t.Fatalf("first chunk %d bytes %04X", len(data), sw)
	}
	data, sw = send(t, c, h("00C0000064"))
	if sw != 0x6138 || !bytes.Equal(data, ct.AuthCert[100:200]) {
		t.Fatalf("second chunk %d bytes %04X", len(data), sw)
	}
	data, sw = send(t, c, h("00C0000038"))
	if sw != 0x9000 || !bytes.Equal(data, ct.AuthCert[200:256]) {
		t.Fatalf("last chunk %d bytes %04X", len(data), sw)
	}
	run(t, c, []step{{"00C0000010", 0x6985}})
	// Another command drops what is pending.
	send(t, c, h("00B0000000"))
	run(t, c, []step{{selEF("000A"), 0x9000}, {"00C0000010", 0x6985}})
}

// TestLoopbackExchange drives the card through reader.Loopback and
// reader.Exchange, the way the layers above use it.
func TestLoopbackExchange(t *testing.T) {
	ctx := context.Background()
	ct := testContents(t)
	readCert := func(t *testing.T, rc reader.Card, extended bool) []byte {
		t.Helper()
		var out []byte
		err := rc.Transaction(ctx, func(ctx context.Context, tr reader.Transport) error {
			if _, err := reader.Do(ctx, tr, apdu.Command{INS: apdu.InsSelect, P1: 4, P2: 0x0C, Data: []byte(AIDJPKI)}, extended); err != nil {
				return err
			}
			if _, err := reader.Do(ctx, tr, apdu.Command{INS: apdu.InsSelect, P1: 2, P2: 0x0C, Data: []byte{0, 0x0A}}, extended); err != nil {
				return err
			}
			hdr, err := reader.Do(ctx, tr, apdu.Command{INS: apdu.InsReadBinary, Ne: 7}, extended)
			if err != nil {
				return err
			}
			n, err := apdu.DERLength(hdr)
			if err != nil {
				return err
			}
			chunk := apdu.MaxShortNe
			if extended {
				chunk = n
			}
			for off := 0; off < n; off += chunk {
				ne := min(chunk, n-off)
				data, err := reader.Do(ctx, tr, apdu.Command{INS: apdu.InsReadBinary, P1: byte(off >> 8), P2: byte(off), Ne: ne}, extended)
				if err != nil {
					return err
				}
				out = append(out, data...)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		name     string
		opts     []Option
		extended bool
	}{
		{"short", nil, false},
		{"extended", nil, true},
		{"chained", []Option{WithGetResponseChaining(64)}, false},
		{"chained extended", []Option{WithGetResponseChaining(256)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCard(t, tt.opts...)
			rc := reader.Loopback("virtual", c, reader.Capabilities{ExtendedLength: tt.extended})
			if got := readCert(t, rc, tt.extended); !bytes.Equal(got, ct.AuthCert) {
				t.Errorf("read %d bytes, want %d", len(got), len(ct.AuthCert))
			}
		})
	}
	t.Run("6Cxx resend", func(t *testing.T) {
		c := newTestCard(t, WithFaults(Fault{Kind: FaultStatus, At: 3, SW: 0x6C07}))
		rc := reader.Loopback("virtual", c, reader.Capabilities{})
		if got := readCert(t, rc, false); !bytes.Equal(got, ct.AuthCert) {
			t.Errorf("read %d bytes", len(got))
		}
	})
	t.Run("removed", func(t *testing.T) {
		c := newTestCard(t, WithFaults(RemoveAfter(4)))
		rc := reader.Loopback("virtual", c, reader.Capabilities{})
		err := rc.Transaction(ctx, func(ctx context.Context, tr reader.Transport) error {
			for i := 0; i < 10; i++ {
				if _, err := reader.Exchange(ctx, tr, apdu.Command{INS: apdu.InsSelect, P1: 4, P2: 0x0C, Data: []byte(AIDJPKI)}, false); err != nil {
					return err
				}
			}
			return nil
		})
		if !errors.Is(err, reader.ErrCardRemoved) {
			t.Errorf("err = %v, want ErrCardRemoved", err)
		}
	})
	t.Run("sign", func(t *testing.T) {
		c := newTestCard(t)
		rc := reader.Loopback("virtual", c, reader.Capabilities{})
		var sig []byte
		err := rc.Transaction(ctx, func(ctx context.Context, tr reader.Transport) error {
			if _, err := reader.Do(ctx, tr, apdu.Command{INS: apdu.InsSelect, P1: 4, P2: 0x0C, Data: []byte(AIDJPKI)}, false); err != nil {
				return err
			}
			_, err := reader.Do(ctx, tr, apdu.Command{INS: apdu.InsVerify, P2: 0x98, Data: []byte("0000")}, false)
			if n, ok := triesOf(err); !ok || n != 2 {
				t.Errorf("wrong PIN: %v", err)
			}
			if _, err := reader.Do(ctx, tr, apdu.Command{INS: apdu.InsVerify, P2: 0x98, Data: []byte(testAuthPIN)}, false); err != nil {
				return err
			}
			sig, err = reader.Do(ctx, tr, apdu.Command{CLA: 0x80, INS: apdu.InsComputeSignature, P2: 0x97, Data: digestInfoSHA256, Ne: 256}, false)
			return err
		})
		if err != nil || len(sig) != 256 {
			t.Fatalf("sign: %v, %d bytes", err, len(sig))
		}
	})
}

func triesOf(err error) (int, bool) {
	var se *apdu.StatusError
	if !errors.As(err, &se) {
		return 0, false
	}
	return se.TriesLeft()
}

func TestConcurrentTransmit(t *testing.T) {
	c := newTestCard(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				out := c.Transmit(h(selJPKI))
				if len(out) < 2 {
					t.Error("short answer")
					return
				}
				c.Transmit(h("00B0000010"))
				_ = c.Stats()
				_ = c.TriesLeft(PINJPKIAuth)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			c.SetFaults(Latency(time.Microsecond))
			c.Reset()
		}
	}()
	wg.Wait()
	if s := c.Stats(); s.APDUs != 8*50*2 {
		t.Errorf("APDUs = %d", s.APDUs)
	}
}

// FuzzTransmit feeds arbitrary APDUs to a card in some state: it must
// never panic and always answer at least SW1 SW2.
func FuzzTransmit(f *testing.F) {
	for _, s := range []string{selJPKI, selEF("000A"), "00B0000000", "00B00000000000", verifyHex("98", testAuthPIN),
		verifyHex("98", ""), "802A00970100", "00240198041234", "00C0000010", "00B2010400", "0CA4", ""} {
		f.Add(byte(0), h(s))
		f.Add(byte(1), h(s))
		f.Add(byte(2), h(s))
	}
	c := newTestCard(f, WithGetResponseChaining(200))
	f.Fuzz(func(t *testing.T, state byte, capdu []byte) {
		c.Reset()
		switch state % 4 {
		case 1:
			c.Transmit(h(selJPKI))
			c.Transmit(h(verifyHex("98", testAuthPIN)))
		case 2:
			c.Transmit(h(selText))
			c.Transmit(h(selEF("0002")))
		case 3:
			c.Transmit(h(selCommon))
			c.Transmit(h(selEF("0001")))
		}
		out := c.Transmit(capdu)
		if len(out) < 2 {
			t.Fatalf("Transmit(% X) = % X", capdu, out)
		}
		if cmd, _, err := apdu.ParseCommand(capdu); err == nil && cmd.Ne > 0 && len(out)-2 > cmd.Ne && out[len(out)-2] != 0x61 {
			t.Fatalf("Transmit(% X) returned %d bytes for Ne %d", capdu, len(out)-2, cmd.Ne)
		}
	})
}

// BenchmarkReadCertificate reads the authentication certificate in short
// chunks and reports APDUs and bytes per read.
func BenchmarkReadCertificate(b *testing.B) {
	c := newTestCard(b)
	sel := [][]byte{h(selJPKI), h(selEF("000A"))}
	c.ResetStats()
	for b.Loop() {
		for _, s := range sel {
			c.Transmit(s)
		}
		for off := 0; ; off += 256 {
			out := c.Transmit([]byte{0x00, 0xB0, byte(off >> 8), byte(off), 0x00})
			if out[len(out)-2] != 0x90 {
				break
			}
		}
	}
	s := c.Stats()
	b.ReportMetric(float64(s.APDUs)/float64(b.N), "apdus/op")
	b.ReportMetric(float64(s.BytesOut)/float64(b.N), "bytes-out/op")
}
